/* workflows/jointdig.c: who decides a joint dig, when it is too late, and the merged window. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "workflows/jointdig.h"

struct decide_case {
	enum permit_state a, b;
	bool accept;
	enum role actor;
	int rc;
	char details[64]; /* field:code,... */
	int from, to;	  /* the merged window, when accepted */
};

ParameterizedTestParameters(jointdig, decide)
{
	static struct decide_case cases[] = {
	    {PERMIT_APPROVED, PERMIT_SUBMITTED, true, ROLE_AUTHORITY, 0, "", 3, 20},
	    {PERMIT_UNDER_REVIEW, PERMIT_APPROVED, true, ROLE_OFFICE, 0, "", 3, 20},
	    {PERMIT_APPROVED, PERMIT_APPROVED, false, ROLE_AUTHORITY, 0, "", 3, 20},
	    /* an ended permit cannot be joined, whichever side; both are named */
	    {PERMIT_CLOSED, PERMIT_APPROVED, true, ROLE_AUTHORITY, ERR_CONFLICT, "A:ended", 0, 0},
	    {PERMIT_APPROVED, PERMIT_REVOKED, true, ROLE_AUTHORITY, ERR_CONFLICT, "B:ended", 0, 0},
	    {PERMIT_REJECTED, PERMIT_EXPIRED, true, ROLE_AUTHORITY, ERR_CONFLICT, "A:ended,B:ended",
	     0, 0},
	    /* declining an ended one is fine: nothing changes */
	    {PERMIT_CLOSED, PERMIT_EXPIRED, false, ROLE_AUTHORITY, 0, "", 3, 20},
	    /* only the road authority or the office decide */
	    {PERMIT_APPROVED, PERMIT_APPROVED, true, ROLE_UTILITY, ERR_FORBIDDEN, "", 0, 0},
	    {PERMIT_APPROVED, PERMIT_APPROVED, false, ROLE_APPLICANT, ERR_FORBIDDEN, "", 0, 0},
	    {PERMIT_APPROVED, PERMIT_APPROVED, true, ROLE_SYSTEM, ERR_FORBIDDEN, "", 0, 0},
	};
	return cr_make_param_array(struct decide_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct decide_case *c, jointdig, decide)
{
	struct jointdig_permit p[2] = {{"A", c->a, 5, 20}, {"B", c->b, 3, 12}};
	struct jointdig_outcome out = {.action = NULL};
	struct error err = ERROR_INIT;
	cr_assert_eq(jointdig_decide(p, c->accept, c->actor, &out, &err), c->rc, "%s",
		     err.message);
	char got[64] = "";
	for (size_t i = 0; i < err.ndetails; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s:%s", i ? "," : "",
			 err.details[i].field, err.details[i].code);
	cr_expect_str_eq(got, c->details);
	if (c->rc == 0) {
		cr_expect_eq(out.accepted, c->accept);
		cr_expect_eq(out.window_from, c->from);
		cr_expect_eq(out.window_to, c->to);
		cr_expect_str_eq(out.status, c->accept ? "accepted" : "declined");
		cr_expect_str_eq(out.action, c->accept ? "joint_dig" : "joint_dig_declined");
	} else {
		cr_expect_null(out.action, "untouched on failure");
	}
	error_release(&err);
}

/* A permit without a window yet takes the other's. */
Test(jointdig, a_missing_window_takes_the_other)
{
	struct jointdig_permit p[2] = {{"A", PERMIT_SUBMITTED, -1, -1},
				       {"B", PERMIT_APPROVED, 7, 9}};
	struct jointdig_outcome out;
	cr_assert_eq(jointdig_decide(p, true, ROLE_AUTHORITY, &out, NULL), 0);
	cr_expect_eq(out.window_from, 7);
	cr_expect_eq(out.window_to, 9);
}
