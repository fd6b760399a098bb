/* workflows/feedback.c: what may be rated, what a rating opens, who settles a follow-up. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "workflows/feedback.h"

struct rate_case {
	char object[8], state[16], decision[32];
	int rc;
};

ParameterizedTestParameters(feedback, rateable)
{
	static struct rate_case cases[] = {
	    {"job", "completed", "", 0},
	    {"job", "connected", "", ERR_CONFLICT},
	    {"job", "withdrawn", "", ERR_CONFLICT},
	    {"job", "rejected", "", ERR_CONFLICT},
	    {"permit", "approved", "approved", 0},
	    {"permit", "approved", "approved_on_commitment", 0},
	    {"permit", "approved", "deemed_approved", 0},
	    {"permit", "rejected", "rejected", 0},
	    {"permit", "closed", "approved", 0},
	    {"permit", "under_review", "none", ERR_CONFLICT},
	    {"permit", "submitted", "", ERR_CONFLICT},
	};
	return cr_make_param_array(struct rate_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct rate_case *c, feedback, rateable)
{
	struct error err = ERROR_INIT;
	cr_expect_eq(feedback_rateable(c->object, c->state, c->decision, "REF", &err), c->rc,
		     "%s %s/%s", c->object, c->state, c->decision);
	if (c->rc)
		cr_expect(strstr(err.message, "REF"), "%s", err.message);
	error_release(&err);
}

Test(feedback, only_a_bad_rating_opens_a_follow_up)
{
	cr_expect(feedback_opens_follow_up("bad"));
	cr_expect_not(feedback_opens_follow_up("average"));
	cr_expect_not(feedback_opens_follow_up("good"));
	cr_expect_not(feedback_opens_follow_up(NULL));
}

struct settle_case {
	char status[12];
	bool close;
	enum role actor;
	int rc;
};

ParameterizedTestParameters(feedback, settle)
{
	static struct settle_case cases[] = {
	    {"open", false, ROLE_UTILITY, 0},
	    {"open", false, ROLE_AUTHORITY, 0},
	    {"answered", false, ROLE_UTILITY, ERR_CONFLICT},
	    {"closed", false, ROLE_UTILITY, ERR_CONFLICT},
	    {"open", true, ROLE_OFFICE, 0},
	    {"answered", true, ROLE_OFFICE, 0},
	    {"closed", true, ROLE_OFFICE, ERR_CONFLICT},
	    {"open", true, ROLE_UTILITY, ERR_FORBIDDEN},
	    {"open", false, ROLE_OFFICE, ERR_FORBIDDEN},
	    {"open", true, ROLE_APPLICANT, ERR_FORBIDDEN},
	};
	return cr_make_param_array(struct settle_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct settle_case *c, feedback, settle)
{
	cr_expect_eq(feedback_settle(c->status, c->close, c->actor, NULL), c->rc, "%s %s by %s",
		     c->close ? "close" : "answer", c->status, role_name(c->actor));
}
