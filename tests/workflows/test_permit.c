/* Tests for workflows/permit.c: every action x state x role, decisions, checks and extensions. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "workflows/permit.h"

/* DESIGN.md §5 and §2 rules 6, 14, 15, written out independently of the module's table. */
static const struct {
	enum permit_state from;
	enum permit_action action;
	enum role role;
	enum permit_state to;
} expected_allowed[] = {
    {PERMIT_SUBMITTED, PERMIT_ACCEPT, ROLE_AUTHORITY, PERMIT_UNDER_REVIEW},
    {PERMIT_SUBMITTED, PERMIT_RETURN, ROLE_AUTHORITY, PERMIT_RETURNED},
    {PERMIT_RETURNED, PERMIT_SUPPLEMENT, ROLE_APPLICANT, PERMIT_SUBMITTED},
    {PERMIT_UNDER_REVIEW, PERMIT_APPROVE, ROLE_AUTHORITY, PERMIT_APPROVED},
    {PERMIT_UNDER_REVIEW, PERMIT_REJECT, ROLE_AUTHORITY, PERMIT_REJECTED},
    {PERMIT_SUBMITTED, PERMIT_FAST_TRACK, ROLE_SYSTEM, PERMIT_APPROVED},
    {PERMIT_SUBMITTED, PERMIT_DEEM, ROLE_SYSTEM, PERMIT_APPROVED},
    {PERMIT_UNDER_REVIEW, PERMIT_DEEM, ROLE_SYSTEM, PERMIT_APPROVED},
    {PERMIT_APPROVED, PERMIT_INSPECT, ROLE_AUTHORITY, PERMIT_APPROVED},
    {PERMIT_APPROVED, PERMIT_REPORT_REINSTATED, ROLE_UTILITY, PERMIT_APPROVED},
    {PERMIT_APPROVED, PERMIT_REPORT_REMEDIED, ROLE_UTILITY, PERMIT_APPROVED},
    {PERMIT_APPROVED, PERMIT_POST_CHECK, ROLE_AUTHORITY, PERMIT_APPROVED},
    {PERMIT_APPROVED, PERMIT_REQUEST_EXTENSION, ROLE_UTILITY, PERMIT_APPROVED},
    {PERMIT_APPROVED, PERMIT_DECIDE_EXTENSION, ROLE_AUTHORITY, PERMIT_APPROVED},
    {PERMIT_APPROVED, PERMIT_CLOSE, ROLE_AUTHORITY, PERMIT_CLOSED},
    {PERMIT_APPROVED, PERMIT_EXPIRE, ROLE_SYSTEM, PERMIT_EXPIRED},
    {PERMIT_APPROVED, PERMIT_EXPIRE, ROLE_OFFICE, PERMIT_EXPIRED},
    {PERMIT_APPROVED, PERMIT_REVOKE, ROLE_AUTHORITY, PERMIT_REVOKED},
    {PERMIT_APPROVED, PERMIT_REVOKE, ROLE_OFFICE, PERMIT_REVOKED},
    /* the sweep revokes a permit whose failed post-check was not rectified in time */
    {PERMIT_APPROVED, PERMIT_REVOKE, ROLE_SYSTEM, PERMIT_REVOKED},
};

#define NALLOWED (sizeof(expected_allowed) / sizeof(expected_allowed[0]))

/* Plain ints: Criterion copies the table into each test's process. */
struct combo {
	int state, action, role;
	int code;
	int to;
};

static void free_combos(struct criterion_test_params *p)
{
	cr_free(p->params);
}

static struct combo expect_for(int s, int a, int r)
{
	struct combo c = {s, a, r, ERR_CONFLICT, -1};
	for (size_t i = 0; i < NALLOWED; i++) {
		if ((int)expected_allowed[i].from != s || (int)expected_allowed[i].action != a)
			continue;
		if ((int)expected_allowed[i].role == r) {
			c.code = 0;
			c.to = expected_allowed[i].to;
			return c;
		}
		c.code = ERR_FORBIDDEN;
	}
	return c;
}

ParameterizedTestParameters(permit, every_combination)
{
	size_t n = (size_t)PERMIT_STATE_COUNT * PERMIT_ACTION_COUNT * ROLE_COUNT, k = 0;
	struct combo *combos = cr_malloc(n * sizeof(*combos));
	for (int s = 0; s < PERMIT_STATE_COUNT; s++)
		for (int a = 0; a < PERMIT_ACTION_COUNT; a++)
			for (int r = 0; r < ROLE_COUNT; r++)
				combos[k++] = expect_for(s, a, r);
	return cr_make_param_array(struct combo, combos, n, free_combos);
}

static const struct permit_code one_item[] = {{"traffic_plan", "no diversion drawing"}};
static const struct permit_code one_finding[] = {{"LANE_NOT_KEPT", NULL}};

#define TODAY (cal_day_from_ymd(2026, 3, 10))

/* Facts that satisfy every payload and guard for `action`, so only state and role decide. */
static struct permit_facts full_facts(enum permit_action action)
{
	return (struct permit_facts){
	    .kind = PERMIT_DIG_ROAD,
	    .decision = PERMIT_DECISION_APPROVED_ON_COMMITMENT,
	    .extension_pending = action == PERMIT_DECIDE_EXTENSION,
	    .window_from = TODAY - 1,
	    .window_to = TODAY + 10,
	    .reinstatement_passed = true,
	    .works_started = true,
	    .reinstatement_reports = action == PERMIT_REPORT_REINSTATED ? 0 : 1,
	    .inspection_awaited = action == PERMIT_INSPECT,
	    .remedial_open = action == PERMIT_REPORT_REMEDIED,
	    .own_remedial_open = action == PERMIT_REPORT_REMEDIED,
	    .fast_track_eligible = true,
	    .deemed_allowed = true,
	    .due_day = TODAY - 1,
	    .today = TODAY,
	    .items = one_item,
	    .nitems = 1,
	    .reason_code = "false_commitment",
	    .result = PERMIT_RESULT_PASS,
	    .result_codes = one_finding,
	    .nresult_codes = 1,
	    .nphotos = 1,
	    .extension_to = TODAY + 20,
	    .extension_decision = PERMIT_EXTENSION_GRANT,
	};
}

static bool listed(const char *name, enum permit_state s, enum role r)
{
	const char *names[PERMIT_ACTION_COUNT];
	size_t n = permit_allowed_actions(s, r, names, PERMIT_ACTION_COUNT);
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

ParameterizedTest(struct combo *c, permit, every_combination)
{
	struct permit_facts facts = full_facts(c->action);
	struct permit_outcome out = {.state = -1};
	struct error err = ERROR_INIT;
	const char *action = permit_action_name(c->action);
	const char *state = permit_state_name(c->state);
	const char *role = role_name(c->role);

	int rc = permit_apply(&facts, c->state, action, c->role, &out, &err);
	cr_assert_eq(rc, c->code, "%s by %s in %s: got %d, want %d (%s)", action, role, state, rc,
		     c->code, err.message);
	cr_expect_eq(listed(action, c->state, c->role), rc == 0,
		     "allowed actions disagree for %s by %s in %s", action, role, state);
	if (rc == 0) {
		cr_expect_eq(out.state, c->to, "%s by %s in %s went to %s", action, role, state,
			     permit_state_name(out.state));
		cr_expect_not_null(out.event);
	} else {
		cr_expect_eq((int)out.state, -1, "outcome written on failure");
	}
	if (rc == ERR_CONFLICT)
		cr_expect_not_null(strstr(err.message, state), "message '%s' does not name %s",
				   err.message, state);
	error_release(&err);
}

/* Silence past the limit: deemed approved only when the standard says so and the limit passed. */
struct deem_case {
	int from;
	bool allowed;
	int today_after_due; /* today - due_day */
	int code;
	int ndetails;
	char codes[2][16];
};

ParameterizedTestParameters(permit, deem)
{
	static struct deem_case cases[] = {
	    {PERMIT_UNDER_REVIEW, true, 1, 0, 0, {""}},
	    {PERMIT_SUBMITTED, true, 1, 0, 0, {""}},
	    {PERMIT_UNDER_REVIEW, true, 30, 0, 0, {""}},
	    {PERMIT_UNDER_REVIEW, true, 0, ERR_CONFLICT, 1, {"not_due"}},
	    {PERMIT_UNDER_REVIEW, true, -3, ERR_CONFLICT, 1, {"not_due"}},
	    {PERMIT_UNDER_REVIEW, false, 1, ERR_CONFLICT, 1, {"not_allowed"}},
	    {PERMIT_UNDER_REVIEW, false, 0, ERR_CONFLICT, 2, {"not_allowed", "not_due"}},
	};
	return cr_make_param_array(struct deem_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct deem_case *c, permit, deem)
{
	struct permit_facts f = {.kind = PERMIT_GREENING,
				 .deemed_allowed = c->allowed,
				 .due_day = TODAY,
				 .today = TODAY + c->today_after_due};
	struct permit_outcome out;
	struct error err = ERROR_INIT;
	int rc = permit_apply(&f, c->from, "deem", ROLE_SYSTEM, &out, &err);
	cr_assert_eq(rc, c->code, "got %d (%s)", rc, err.message);
	cr_assert_eq(err.ndetails, (size_t)c->ndetails);
	for (int i = 0; i < c->ndetails; i++)
		cr_expect_str_eq(err.details[i].code, c->codes[i]);
	if (rc == 0) {
		cr_expect_eq(out.state, PERMIT_APPROVED);
		cr_expect_eq(out.decision, PERMIT_DECISION_DEEMED_APPROVED);
		cr_expect(out.is_deemed);
		cr_expect(out.issue_certificate);
		cr_expect_str_eq(out.event, "permit.deemed_approved");
		cr_expect_eq(out.clock, CLOCK_STOP);
	}
	error_release(&err);
}

/* The review clock decides when silence becomes approval, across the Spring Festival. */
Test(permit, deemed_after_review_limit_over_spring_festival)
{
	struct calendar cal;
	calendar_init(&cal);
	for (int d = 15; d <= 23; d++)
		calendar_add_holiday(&cal, cal_day_from_ymd(2026, 2, d));
	calendar_add_makeup(&cal, cal_day_from_ymd(2026, 2, 14));
	calendar_add_makeup(&cal, cal_day_from_ymd(2026, 2, 28));

	/* accepted Thu 12 Feb 10:00 local with a 5-working-day review: due Thu 26 Feb */
	int64_t accepted = (int64_t)cal_day_from_ymd(2026, 2, 12) * 86400 + 2 * 3600;
	struct clock review;
	cr_assert_eq(clock_start(&review, &cal, 5, accepted, NULL), 0);
	cr_assert_eq(review.due_day, cal_day_from_ymd(2026, 2, 26));

	struct permit_facts f = {
	    .kind = PERMIT_DIG_ROAD, .deemed_allowed = true, .due_day = review.due_day};
	struct permit_outcome out;
	f.today = cal_day_from_ymd(2026, 2, 26);
	cr_expect_eq(permit_apply(&f, PERMIT_UNDER_REVIEW, "deem", ROLE_SYSTEM, &out, NULL),
		     ERR_CONFLICT);
	f.today = cal_day_from_ymd(2026, 2, 27);
	cr_assert_eq(permit_apply(&f, PERMIT_UNDER_REVIEW, "deem", ROLE_SYSTEM, &out, NULL), 0);
	cr_expect(out.is_deemed);
	cr_expect_eq(out.decision, PERMIT_DECISION_DEEMED_APPROVED);
	calendar_release(&cal);
}

Test(permit, fast_track)
{
	struct permit_facts f = {.kind = PERMIT_DIG_ROAD, .fast_track_eligible = true};
	struct permit_outcome out;
	struct error err = ERROR_INIT;
	cr_assert_eq(permit_apply(&f, PERMIT_SUBMITTED, "fast_track", ROLE_SYSTEM, &out, NULL), 0);
	cr_expect_eq(out.state, PERMIT_APPROVED);
	cr_expect_eq(out.decision, PERMIT_DECISION_APPROVED_ON_COMMITMENT);
	cr_expect_not(out.is_deemed);
	cr_expect_eq(out.tasks, PERMIT_TASK_POST_CHECK);
	cr_expect(out.issue_certificate);

	f.fast_track_eligible = false;
	cr_expect_eq(permit_apply(&f, PERMIT_SUBMITTED, "fast_track", ROLE_SYSTEM, &out, &err),
		     ERR_CONFLICT);
	cr_assert_eq(err.ndetails, 1);
	cr_expect_str_eq(err.details[0].code, "not_eligible");
	error_release(&err);
}

/*
 * Post-check of a fast-tracked permit (measure 十五): a pass marks it checked; a failure names
 * its findings from the published list and opens rectification, the permit still approved and
 * checked again later; nothing is checked while a rectification is open.
 */
struct post_check_case {
	int decision;
	bool already;
	bool rect_open;
	int result;
	char finding[24]; /* "" none */
	int code;
	int state;
	char event[28];
	bool checked;
	unsigned tasks;
	char detail[20];
};

ParameterizedTestParameters(permit, post_check)
{
	static struct post_check_case cases[] = {
	    {PERMIT_DECISION_APPROVED_ON_COMMITMENT, false, false, PERMIT_RESULT_PASS, "", 0,
	     PERMIT_APPROVED, "permit.post_checked", true, 0, ""},
	    {PERMIT_DECISION_APPROVED_ON_COMMITMENT, false, false, PERMIT_RESULT_FAIL,
	     "LANE_NOT_KEPT", 0, PERMIT_APPROVED, "permit.post_check_failed", false,
	     PERMIT_TASK_RECTIFICATION, ""},
	    {PERMIT_DECISION_APPROVED_ON_COMMITMENT, false, false, PERMIT_RESULT_FAIL, "",
	     ERR_INVALID, -1, "", false, 0, "required"},
	    {PERMIT_DECISION_APPROVED_ON_COMMITMENT, false, false, PERMIT_RESULT_FAIL, "BOGUS",
	     ERR_INVALID, -1, "", false, 0, "unknown_code"},
	    {PERMIT_DECISION_APPROVED, false, false, PERMIT_RESULT_PASS, "", ERR_CONFLICT, -1, "",
	     false, 0, "not_on_commitment"},
	    {PERMIT_DECISION_DEEMED_APPROVED, false, false, PERMIT_RESULT_FAIL, "LANE_NOT_KEPT",
	     ERR_CONFLICT, -1, "", false, 0, "not_on_commitment"},
	    {PERMIT_DECISION_APPROVED_ON_COMMITMENT, true, false, PERMIT_RESULT_FAIL,
	     "LANE_NOT_KEPT", ERR_CONFLICT, -1, "", false, 0, "already_done"},
	    {PERMIT_DECISION_APPROVED_ON_COMMITMENT, false, true, PERMIT_RESULT_PASS, "",
	     ERR_CONFLICT, -1, "", false, 0, "open"},
	    {PERMIT_DECISION_APPROVED_ON_COMMITMENT, false, false, PERMIT_RESULT_NONE, "",
	     ERR_INVALID, -1, "", false, 0, "required"},
	};
	return cr_make_param_array(struct post_check_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct post_check_case *c, permit, post_check)
{
	struct code_lists cl = {.version = 2};
	codes_add(&cl, CODES_POST_CHECK_RESULT, "LANE_NOT_KEPT", "未按承诺保留通行车道", "lane");
	struct permit_code finding = {c->finding, NULL};
	struct permit_facts f = {.kind = PERMIT_DIG_ROAD,
				 .decision = c->decision,
				 .post_checked = c->already,
				 .rectification_open = c->rect_open,
				 .result = c->result,
				 .result_codes = c->finding[0] ? &finding : NULL,
				 .nresult_codes = c->finding[0] ? 1 : 0,
				 .nphotos = 1,
				 .codes = &cl};
	struct permit_outcome out;
	struct error err = ERROR_INIT;
	int rc = permit_apply(&f, PERMIT_APPROVED, "post_check", ROLE_AUTHORITY, &out, &err);
	cr_assert_eq(rc, c->code, "got %d (%s)", rc, err.message);
	if (rc == 0) {
		cr_expect_eq(out.state, c->state);
		cr_expect_str_eq(out.event, c->event);
		cr_expect_eq(out.post_checked, c->checked);
		cr_expect_eq(out.tasks, c->tasks);
		cr_expect_str_eq(out.inspection, "post_check");
		cr_expect(out.records & PERMIT_RECORD_POST_CHECK_DONE, "the task leaves the queue");
		cr_expect_eq(out.decision, PERMIT_DECISION_APPROVED_ON_COMMITMENT);
	} else {
		cr_assert_eq(err.ndetails, 1);
		cr_expect_str_eq(err.details[0].code, c->detail);
	}
	error_release(&err);
	codes_release(&cl);
}

/* A failed post-check's every problem at once: each bad code, no code, no photo (rule 2). */
struct all_at_once_case {
	int result;
	char codes[3][24]; /* "" ends the list */
	size_t nphotos;
	int code;
	char details[160]; /* every "field:code", comma-separated, in order */
};

ParameterizedTestParameters(permit, post_check_lists_every_problem_at_once)
{
	static struct all_at_once_case cases[] = {
	    {PERMIT_RESULT_FAIL, {"BOGUS", "LANE_NOT_KEPT", "NOPE"}, 0, ERR_INVALID,
	     "codes[0].code:unknown_code,codes[2].code:unknown_code,photos:required"},
	    {PERMIT_RESULT_FAIL, {""}, 0, ERR_INVALID, "codes:required,photos:required"},
	    {PERMIT_RESULT_FAIL, {"BOGUS"}, 2, ERR_INVALID, "codes[0].code:unknown_code"},
	    {PERMIT_RESULT_FAIL, {"LANE_NOT_KEPT"}, 0, ERR_INVALID, "photos:required"},
	    {PERMIT_RESULT_FAIL, {"LANE_NOT_KEPT"}, 1, 0, ""},
	    {PERMIT_RESULT_PASS, {""}, 0, 0, ""},
	};
	return cr_make_param_array(struct all_at_once_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct all_at_once_case *c, permit, post_check_lists_every_problem_at_once)
{
	struct code_lists cl = {.version = 2};
	codes_add(&cl, CODES_POST_CHECK_RESULT, "LANE_NOT_KEPT", "未按承诺保留通行车道", "lane");
	struct permit_code findings[3];
	size_t n = 0;
	while (n < 3 && c->codes[n][0]) {
		findings[n] = (struct permit_code){c->codes[n], NULL};
		n++;
	}
	struct permit_facts f = {.kind = PERMIT_DIG_ROAD,
				 .decision = PERMIT_DECISION_APPROVED_ON_COMMITMENT,
				 .result = c->result,
				 .result_codes = n ? findings : NULL,
				 .nresult_codes = n,
				 .nphotos = c->nphotos,
				 .codes = &cl};
	struct permit_outcome out;
	struct error err = ERROR_INIT;
	int rc = permit_apply(&f, PERMIT_APPROVED, "post_check", ROLE_AUTHORITY, &out, &err);
	cr_assert_eq(rc, c->code, "got %d (%s)", rc, err.message);
	char got[400] = "";
	for (size_t i = 0; i < err.ndetails; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s:%s", i ? "," : "",
			 err.details[i].field, err.details[i].code);
	cr_expect_str_eq(got, c->details);
	error_release(&err);
	codes_release(&cl);
}

/* Inspections change nothing but a failed one opens a remedial task for the utility. */
struct inspect_case {
	int result;
	int code;
	unsigned tasks;
	char event[28];
};

ParameterizedTestParameters(permit, inspect)
{
	static struct inspect_case cases[] = {
	    {PERMIT_RESULT_PASS, 0, 0, "permit.inspected"},
	    {PERMIT_RESULT_FAIL, 0, PERMIT_TASK_REMEDIAL, "permit.inspection_failed"},
	    {PERMIT_RESULT_NONE, ERR_INVALID, 0, ""},
	};
	return cr_make_param_array(struct inspect_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct inspect_case *c, permit, inspect)
{
	struct permit_facts f = {.kind = PERMIT_DIG_ROAD,
				 .decision = PERMIT_DECISION_APPROVED,
				 .result = c->result,
				 .works_started = true,
				 .reinstatement_reports = 1,
				 .inspection_awaited = true};
	struct permit_outcome out;
	int rc = permit_apply(&f, PERMIT_APPROVED, "inspect", ROLE_AUTHORITY, &out, NULL);
	cr_assert_eq(rc, c->code);
	if (rc == 0) {
		cr_expect_eq(out.state, PERMIT_APPROVED);
		cr_expect_eq(out.decision, PERMIT_DECISION_APPROVED);
		cr_expect_eq(out.tasks, c->tasks);
		cr_expect_str_eq(out.event, c->event);
		cr_expect_eq(out.clock, CLOCK_KEEP);
	}
}

/* Only dig-road permits wait for a passed reinstatement before they close. */
struct close_case {
	int kind;
	bool reinstated;
	int code;
	int sharing, reported; /* utilities that dug, and of them those that reported */
	char detail[20];
};

ParameterizedTestParameters(permit, close)
{
	static struct close_case cases[] = {
	    {PERMIT_DIG_ROAD, false, ERR_CONFLICT, 0, 0, "not_passed"},
	    {PERMIT_DIG_ROAD, true, 0, 0, 0, ""},
	    {PERMIT_GREENING, false, 0, 0, 0, ""},
	    {PERMIT_GREENING, true, 0, 0, 0, ""},
	    {PERMIT_PLANNING, false, 0, 0, 0, ""},
	    {PERMIT_PLANNING, true, 0, 0, 0, ""},
	    /* a joint dig: passed, but a utility began digging after the inspection */
	    {PERMIT_DIG_ROAD, true, ERR_CONFLICT, 2, 1, "not_all_reported"},
	    {PERMIT_DIG_ROAD, true, 0, 2, 2, ""},
	};
	return cr_make_param_array(struct close_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct close_case *c, permit, close)
{
	struct permit_facts f = {.kind = c->kind,
				 .reinstatement_passed = c->reinstated,
				 .utilities_sharing = c->sharing,
				 .utilities_reported = c->reported};
	struct permit_outcome out;
	struct error err = ERROR_INIT;
	int rc = permit_apply(&f, PERMIT_APPROVED, "close", ROLE_AUTHORITY, &out, &err);
	cr_assert_eq(rc, c->code, "%s: got %d", permit_kind_name(c->kind), rc);
	if (rc == 0)
		cr_expect_eq(out.state, PERMIT_CLOSED);
	else
		cr_expect_str_eq(err.details[0].code, c->detail);
	error_release(&err);
}

/* No permit closes while a failed post-check's rectification is open (it would stay open). */
Test(permit, no_close_while_a_rectification_is_open)
{
	for (int k = 0; k < PERMIT_KIND_COUNT; k++) {
		struct permit_facts f = { .kind = (enum permit_kind)k, .reinstatement_passed = true,
					  .rectification_open = true };
		struct permit_outcome out;
		struct error err = ERROR_INIT;
		cr_expect_eq(permit_apply(&f, PERMIT_APPROVED, "close", ROLE_AUTHORITY, &out, &err),
			     ERR_CONFLICT, "%s", permit_kind_name((enum permit_kind)k));
		cr_expect(err.ndetails == 1 && !strcmp(err.details[0].code, "open"), "%s",
			  err.ndetails ? err.details[0].code : "no detail");
		error_release(&err);
	}
}

/* Work-window extensions: one pending at a time; a refusal leaves the window as it was. */
struct extension_case {
	char action[20];
	bool pending;
	int to_offset; /* extension_to - window_to */
	int decision;
	int code;
	char detail[16];
	bool pending_after;
	int window_to_offset; /* outcome window_to - window_to */
	bool dated;	      /* today is window_to + today_rel (else the permit is fresh) */
	int today_rel;
};

ParameterizedTestParameters(permit, extension)
{
	static struct extension_case cases[] = {
	    {"request_extension", false, 5, 0, 0, "", true, 0, false, 0},
	    {"request_extension", true, 5, 0, ERR_CONFLICT, "pending", false, 0, false, 0},
	    {"request_extension", false, 0, 0, ERR_INVALID, "not_later", false, 0, false, 0},
	    {"request_extension", false, -3, 0, ERR_INVALID, "not_later", false, 0, false, 0},
	    {"decide_extension", true, 5, PERMIT_EXTENSION_GRANT, 0, "", false, 5, false, 0},
	    {"decide_extension", true, 5, PERMIT_EXTENSION_REFUSE, 0, "", false, 0, false, 0},
	    {"decide_extension", false, 5, PERMIT_EXTENSION_GRANT, ERR_CONFLICT, "none_pending",
	     false, 0, false, 0},
	    {"decide_extension", true, 5, PERMIT_EXTENSION_NONE, ERR_INVALID, "required", false, 0, false, 0},
	    /* asked while the window runs, up to its last day; after it ended, refused */
	    {"request_extension", false, 5, 0, 0, "", true, 0, true, -3},
	    {"request_extension", false, 5, 0, 0, "", true, 0, true, 0},
	    {"request_extension", false, 5, 0, ERR_INVALID, "window_ended", false, 0, true, 1},
	    {"request_extension", false, 30, 0, ERR_INVALID, "window_ended", false, 0, true, 20},
	    /* a request in time may still be decided after the window ended */
	    {"decide_extension", true, 5, PERMIT_EXTENSION_GRANT, 0, "", false, 5, true, 3},
	};
	return cr_make_param_array(struct extension_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct extension_case *c, permit, extension)
{
	day_t window_to = TODAY + 10;
	struct permit_facts f = {.kind = PERMIT_DIG_ROAD,
				 .decision = PERMIT_DECISION_APPROVED,
				 .window_from = TODAY,
				 .window_to = window_to,
				 .extension_pending = c->pending,
				 .extension_to = window_to + c->to_offset,
				 .extension_decision = c->decision};
	if (c->dated)
		f.today = window_to + c->today_rel;
	bool request = strcmp(c->action, "request_extension") == 0;
	enum role actor = request ? ROLE_UTILITY : ROLE_AUTHORITY;
	struct permit_outcome out;
	struct error err = ERROR_INIT;
	int rc = permit_apply(&f, PERMIT_APPROVED, c->action, actor, &out, &err);
	cr_assert_eq(rc, c->code, "%s: got %d (%s)", c->action, rc, err.message);
	if (rc == 0) {
		cr_expect_eq(out.state, PERMIT_APPROVED);
		cr_expect_eq(out.extension_pending, c->pending_after);
		cr_expect_eq(out.window_from, TODAY);
		cr_expect_eq(out.window_to, window_to + c->window_to_offset);
		cr_expect_eq(out.clock, request ? CLOCK_START : CLOCK_STOP);
	} else {
		cr_assert_eq(err.ndetails, 1);
		cr_expect_str_eq(err.details[0].code, c->detail);
	}
	error_release(&err);
}

/* Payload: every missing or wrong field at once. */
struct payload_case {
	int state;
	char action[12];
	int role;
	int nitems; /* of the items array below */
	int nconditions;
	bool reason;
	int ndetails;
	char fields[3][20];
};

static const struct permit_code items[] = {{"a", ""}, {"", "no code"}, {NULL, "none"}};

ParameterizedTestParameters(permit, payload)
{
	static struct payload_case cases[] = {
	    {PERMIT_SUBMITTED, "return", ROLE_AUTHORITY, 0, 0, true, 1, {"items"}},
	    {PERMIT_SUBMITTED,
	     "return",
	     ROLE_AUTHORITY,
	     3,
	     0,
	     true,
	     2,
	     {"items[1].code", "items[2].code"}},
	    {PERMIT_UNDER_REVIEW, "approve", ROLE_AUTHORITY, 0, 2, true, 1, {"conditions[1].code"}},
	    {PERMIT_UNDER_REVIEW, "reject", ROLE_AUTHORITY, 0, 0, false, 1, {"reason_code"}},
	    {PERMIT_APPROVED, "revoke", ROLE_OFFICE, 0, 0, false, 1, {"reason_code"}},
	};
	return cr_make_param_array(struct payload_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct payload_case *c, permit, payload)
{
	struct permit_facts f = {.kind = PERMIT_PLANNING,
				 .items = items,
				 .nitems = (size_t)c->nitems,
				 .conditions = items,
				 .nconditions = (size_t)c->nconditions,
				 .reason_code = c->reason ? "r" : NULL};
	struct permit_outcome out;
	struct error err = ERROR_INIT;
	cr_assert_eq(permit_apply(&f, c->state, c->action, c->role, &out, &err), ERR_INVALID);
	cr_assert_eq(err.ndetails, (size_t)c->ndetails, "%s: %zu details", c->action, err.ndetails);
	for (int i = 0; i < c->ndetails; i++)
		cr_expect_str_eq(err.details[i].field, c->fields[i]);
	error_release(&err);
}

/* Outcomes of the plain transitions: decision, clock effect, certificate. */
struct effect_case {
	int state;
	char action[12];
	int role;
	int decision;
	int clock;
	char stage[8];
	bool certificate;
};

ParameterizedTestParameters(permit, effects)
{
	static struct effect_case cases[] = {
	    {PERMIT_SUBMITTED, "accept", ROLE_AUTHORITY, PERMIT_DECISION_NONE, CLOCK_START,
	     "review", false},
	    {PERMIT_SUBMITTED, "return", ROLE_AUTHORITY, PERMIT_DECISION_NONE, CLOCK_PAUSE, "",
	     false},
	    {PERMIT_RETURNED, "supplement", ROLE_APPLICANT, PERMIT_DECISION_NONE, CLOCK_RESUME, "",
	     false},
	    {PERMIT_UNDER_REVIEW, "approve", ROLE_AUTHORITY, PERMIT_DECISION_APPROVED, CLOCK_STOP,
	     "", true},
	    {PERMIT_UNDER_REVIEW, "reject", ROLE_AUTHORITY, PERMIT_DECISION_REJECTED, CLOCK_STOP,
	     "", false},
	};
	return cr_make_param_array(struct effect_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct effect_case *c, permit, effects)
{
	struct permit_facts f = {.kind = PERMIT_GREENING,
				 .items = one_item,
				 .nitems = 1,
				 .reason_code = "protected_trees"};
	struct permit_outcome out;
	cr_assert_eq(permit_apply(&f, c->state, c->action, c->role, &out, NULL), 0, "%s",
		     c->action);
	cr_expect_eq(out.decision, c->decision, "%s decision", c->action);
	cr_expect_eq(out.clock, c->clock, "%s clock", c->action);
	if (c->stage[0])
		cr_expect_str_eq(out.stage, c->stage);
	else
		cr_expect_null(out.stage);
	cr_expect_eq(out.issue_certificate, c->certificate);
	cr_expect_not(out.is_deemed);
}

Test(permit, allowed_actions)
{
	const char *names[PERMIT_ACTION_COUNT];
	size_t n =
	    permit_allowed_actions(PERMIT_APPROVED, ROLE_AUTHORITY, names, PERMIT_ACTION_COUNT);
	cr_assert_eq(n, 5);
	const char *want[] = {"inspect", "post_check", "decide_extension", "close", "revoke"};
	const char *utility[] = {"report_reinstated", "report_remedied", "request_extension"};
	cr_assert_eq(permit_allowed_actions(PERMIT_APPROVED, ROLE_UTILITY, names,
					    PERMIT_ACTION_COUNT), 3);
	for (size_t i = 0; i < 3; i++)
		cr_expect_str_eq(names[i], utility[i]);
	n = permit_allowed_actions(PERMIT_APPROVED, ROLE_AUTHORITY, names, PERMIT_ACTION_COUNT);
	for (size_t i = 0; i < n; i++)
		cr_expect_str_eq(names[i], want[i]);
	cr_assert_eq(permit_allowed_actions(PERMIT_APPROVED, ROLE_OFFICE, names, 1), 2);
	cr_expect_str_eq(names[0], "expire");
	cr_expect_eq(permit_allowed_actions(PERMIT_REVOKED, ROLE_AUTHORITY, names, 1), 0);
}

Test(permit, terminal_states)
{
	for (int s = 0; s < PERMIT_STATE_COUNT; s++) {
		bool terminal = s == PERMIT_REJECTED || s == PERMIT_CLOSED || s == PERMIT_EXPIRED ||
				s == PERMIT_REVOKED;
		cr_expect_eq(permit_state_is_terminal(s), terminal, "%s", permit_state_name(s));
		size_t total = 0;
		const char *names[PERMIT_ACTION_COUNT];
		for (int r = 0; r < ROLE_COUNT; r++)
			total += permit_allowed_actions(s, r, names, PERMIT_ACTION_COUNT);
		cr_expect_eq(total == 0, terminal, "%s", permit_state_name(s));
	}
}

Test(permit, names_round_trip)
{
	for (int i = 0; i < PERMIT_KIND_COUNT; i++) {
		enum permit_kind back;
		cr_assert_eq(permit_kind_parse(permit_kind_name(i), &back, NULL), 0);
		cr_expect_eq(back, i);
	}
	for (int i = 0; i < PERMIT_STATE_COUNT; i++) {
		enum permit_state back;
		cr_assert_eq(permit_state_parse(permit_state_name(i), &back, NULL), 0);
		cr_expect_eq(back, i);
	}
	for (int i = 0; i < PERMIT_DECISION_COUNT; i++) {
		enum permit_decision back;
		cr_assert_eq(permit_decision_parse(permit_decision_name(i), &back, NULL), 0);
		cr_expect_eq(back, i);
	}
	for (int i = 0; i < PERMIT_ACTION_COUNT; i++) {
		enum permit_action back;
		cr_assert_eq(permit_action_parse(permit_action_name(i), &back, NULL), 0);
		cr_expect_eq(back, i);
	}
	enum permit_kind k;
	struct error err = ERROR_INIT;
	cr_expect_eq(permit_kind_parse("dig-road", &k, &err), ERR_INVALID);
	cr_expect_not_null(strstr(err.message, "dig-road"));
	cr_expect_str_eq(permit_decision_name(PERMIT_DECISION_APPROVED_ON_COMMITMENT),
			 "approved_on_commitment");
	cr_expect_eq(permit_apply(NULL, PERMIT_SUBMITTED, "grant", ROLE_AUTHORITY, NULL, NULL),
		     ERR_INVALID);
	error_release(&err);
}

/*
 * What an outcome asks the caller to record besides the row: the inspection, the
 * reinstatement result, the pending extension's end, the extension records and the post-check
 * task done. The runner
 * applies these as data; no caller compares action names.
 */
struct record_case {
	enum permit_action action;
	enum permit_result result;
	bool pending;		  /* an extension request is pending before */
	int pending_to;		  /* its end, relative to TODAY (0: not given) */
	enum permit_extension_decision decision;
	char inspection[16];	  /* "" for none */
	bool reinstated;	  /* reinstatement_passed after */
	int extension_to;	  /* the pending end after, relative to TODAY; -1000: none */
	unsigned records;
	int window_to;		  /* relative to TODAY */
};

ParameterizedTestParameters(permit, outcome_records)
{
	static struct record_case cases[] = {
	    {PERMIT_INSPECT, PERMIT_RESULT_PASS, false, 0, 0, "reinstatement", true, -1000, 0, 10},
	    {PERMIT_INSPECT, PERMIT_RESULT_FAIL, false, 0, 0, "reinstatement", false, -1000, 0, 10},
	    {PERMIT_POST_CHECK, PERMIT_RESULT_PASS, false, 0, 0, "post_check", true, -1000,
	     PERMIT_RECORD_POST_CHECK_DONE, 10},
	    /* a failed post-check opens rectification; the check is done: it leaves the queue */
	    {PERMIT_POST_CHECK, PERMIT_RESULT_FAIL, false, 0, 0, "post_check", true, -1000,
	     PERMIT_RECORD_POST_CHECK_DONE, 10},
	    {PERMIT_REQUEST_EXTENSION, PERMIT_RESULT_NONE, false, 0, 0, "", true, 20,
	     PERMIT_RECORD_EXTENSION_REQUEST, 10},
	    /* the pending request's own end is granted, not a date the decision carries */
	    {PERMIT_DECIDE_EXTENSION, PERMIT_RESULT_NONE, true, 15, PERMIT_EXTENSION_GRANT, "", true,
	     -1000, PERMIT_RECORD_EXTENSION_DECISION, 15},
	    {PERMIT_DECIDE_EXTENSION, PERMIT_RESULT_NONE, true, 15, PERMIT_EXTENSION_REFUSE, "",
	     true, -1000, PERMIT_RECORD_EXTENSION_DECISION, 10},
	    /* while a request is pending, other actions keep its end */
	    {PERMIT_INSPECT, PERMIT_RESULT_PASS, true, 15, 0, "reinstatement", true, 15, 0, 10},
	    /* closing a dig starts its guarantee period; the utility's reports are recorded */
	    {PERMIT_CLOSE, PERMIT_RESULT_NONE, false, 0, 0, "", true, -1000,
	     PERMIT_RECORD_GUARANTEE, 10},
	    {PERMIT_REPORT_REINSTATED, PERMIT_RESULT_NONE, false, 0, 0, "", true, -1000, 0, 10},
	    {PERMIT_REPORT_REMEDIED, PERMIT_RESULT_NONE, false, 0, 0, "", true, -1000,
	     PERMIT_RECORD_REMEDIAL_DONE, 10},
	};
	return cr_make_param_array(struct record_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct record_case *c, permit, outcome_records)
{
	struct permit_facts f = full_facts(c->action);
	f.result = c->result;
	f.extension_pending = c->pending;
	f.pending_extension_to = c->pending_to ? TODAY + c->pending_to : 0;
	if (c->decision)
		f.extension_decision = c->decision;
	const char *role = "authority";
	enum role r = c->action == PERMIT_REQUEST_EXTENSION ||
			      c->action == PERMIT_REPORT_REINSTATED ||
			      c->action == PERMIT_REPORT_REMEDIED
		      ? ROLE_UTILITY
		      : ROLE_AUTHORITY;
	struct permit_outcome o;
	struct error err = ERROR_INIT;
	cr_assert_eq(permit_apply(&f, PERMIT_APPROVED, permit_action_name(c->action), r, &o, &err),
		     0, "%s by %s: %s", permit_action_name(c->action), role, err.message);
	cr_expect_str_eq(o.inspection ? o.inspection : "", c->inspection);
	cr_expect_eq(o.reinstatement_passed, c->reinstated);
	cr_expect_eq(o.extension_to, c->extension_to == -1000 ? -1 : TODAY + c->extension_to);
	cr_expect_eq(o.records, c->records);
	cr_expect_eq(o.window_to, TODAY + c->window_to);
	error_release(&err);
}

/* The work window rule: overrunning from the first working day after the window's end. */
Test(permit, a_window_that_ran_out_overruns_from_the_next_working_day)
{
	struct calendar cal;
	calendar_init(&cal);
	day_t fri = cal_day_from_ymd(2026, 4, 3); /* a Friday before the Qingming holiday 4-6 Apr */
	calendar_add_holiday(&cal, cal_day_from_ymd(2026, 4, 6));
	static const struct {
		int kind, state;
		bool pending;
		int today_after; /* days after the Friday the window ended */
		bool overrunning;
		int from_after, days;
	} rows[] = {
		{ PERMIT_DIG_ROAD, PERMIT_APPROVED, false, 0, false, 0, 0 },  /* its last day */
		{ PERMIT_DIG_ROAD, PERMIT_APPROVED, false, 1, false, 0, 0 },  /* Saturday */
		{ PERMIT_DIG_ROAD, PERMIT_APPROVED, false, 3, false, 0, 0 },  /* Monday, a holiday */
		{ PERMIT_DIG_ROAD, PERMIT_APPROVED, false, 4, true, 4, 1 },   /* Tuesday */
		{ PERMIT_DIG_ROAD, PERMIT_APPROVED, false, 10, true, 4, 5 },  /* next Monday */
		/* a pending extension hides nothing: overrun from the original window's end */
		{ PERMIT_DIG_ROAD, PERMIT_APPROVED, true, 10, true, 4, 5 },
		{ PERMIT_DIG_ROAD, PERMIT_CLOSED, false, 10, false, 0, 0 },   /* closed */
		{ PERMIT_DIG_ROAD, PERMIT_REVOKED, false, 10, false, 0, 0 },  /* revoked */
		{ PERMIT_GREENING, PERMIT_APPROVED, false, 10, false, 0, 0 }, /* not a dig */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		day_t from = -1;
		int days = -1;
		/* the rule reads no pending request: a row with one must come out the same */
		bool got = permit_overrunning(&cal, (enum permit_kind)rows[i].kind,
					      (enum permit_state)rows[i].state, fri,
					      fri + rows[i].today_after, &from, &days);
		cr_expect_eq(got, rows[i].overrunning, "row %zu", i);
		if (got) {
			cr_expect_eq(from, fri + rows[i].from_after, "row %zu", i);
			cr_expect_eq(days, rows[i].days, "row %zu", i);
		}
	}
	cr_expect(!permit_overrunning(&cal, PERMIT_DIG_ROAD, PERMIT_APPROVED, -1, fri, NULL, NULL),
		  "no window, no overrun");
	calendar_release(&cal);
}

/* The post-check's due date: the limit in working days after the day it opened. */
Test(permit, a_post_check_is_due_after_its_published_limit)
{
	struct calendar cal;
	calendar_init(&cal);
	day_t thu = cal_day_from_ymd(2026, 4, 2); /* Qingming 4-6 Apr: Fri 3rd, then Tue 7th */
	calendar_add_holiday(&cal, cal_day_from_ymd(2026, 4, 6));
	static const struct {
		int limit, today_after;
		bool has_due;
		int due_after, late;
	} rows[] = {
		{ 0, 30, false, 0, 0 }, /* no limit published: nothing due */
		{ 1, 0, true, 1, 0 },	/* due Friday */
		{ 2, 5, true, 5, 0 },	/* due Tuesday (weekend, holiday Monday), checked that day */
		{ 2, 6, true, 5, 1 },	/* Wednesday: one working day late */
		{ 2, 8, true, 5, 3 },	/* Friday: Wednesday to Friday */
		{ 10, 0, true, 15, 0 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		day_t due = -1;
		int late = -1;
		bool got = permit_post_check_due(&cal, rows[i].limit, thu, thu + rows[i].today_after,
						 &due, &late);
		cr_expect_eq(got, rows[i].has_due, "row %zu", i);
		if (got) {
			cr_expect_eq(due, thu + rows[i].due_after, "row %zu", i);
			cr_expect_eq(late, rows[i].late, "row %zu", i);
		}
	}
	calendar_release(&cal);
}

/*
 * Inspections follow the works (issue #21): the utility reports the dig reinstated only once
 * works have started, the authority inspects only after a report it has not yet inspected, a
 * failure opens remedial work whose completion the utility reports, and that report is
 * inspected again. Each row: the facts, the action, and the answer (0 or the refusal's detail
 * code).
 */
struct order_case {
	char action[20];
	bool works_started;
	int reports;
	bool awaited;
	bool remedial_open;
	int result;
	int code;
	char detail[20]; /* the first detail's code on a refusal */
	char report[12]; /* the report to record on success ("" none) */
	unsigned tasks;
	bool own_remedial; /* the acting utility's own remedial task is open */
	int sharing, reported; /* utilities sharing the permit, and of them those that reported */
};

ParameterizedTestParameters(permit, inspection_order)
{
	static struct order_case cases[] = {
	    /* nobody dug: nothing to report, nothing to inspect, nothing to close */
	    {"report_reinstated", false, 0, false, false, 0, ERR_CONFLICT, "not_started", "", 0, false, 0, 0},
	    {"inspect", false, 0, false, false, PERMIT_RESULT_PASS, ERR_CONFLICT, "not_reported",
	     "", 0, false, 0, 0},
	    /* dug, not yet reported: the inspection waits for the report */
	    {"inspect", true, 0, false, false, PERMIT_RESULT_PASS, ERR_CONFLICT, "not_reported", "",
	     0, false, 0, 0},
	    {"report_reinstated", true, 0, false, false, 0, 0, "", "reinstated", 0, false, 0, 0},
	    {"report_reinstated", true, 1, true, false, 0, ERR_CONFLICT, "already_reported", "", 0, false, 0, 0},
	    /* reported: inspected once, pass or fail */
	    {"inspect", true, 1, true, false, PERMIT_RESULT_PASS, 0, "", "", 0, false, 0, 0},
	    {"inspect", true, 1, true, false, PERMIT_RESULT_FAIL, 0, "", "", PERMIT_TASK_REMEDIAL, false, 0, 0},
	    {"inspect", true, 1, true, false, PERMIT_RESULT_NONE, ERR_INVALID, "required", "", 0, false, 0, 0},
	    /* failed: no second inspection until the remedial work is reported */
	    {"inspect", true, 1, false, true, PERMIT_RESULT_PASS, ERR_CONFLICT, "not_reported", "",
	     0, false, 0, 0},
	    {"report_reinstated", true, 1, false, true, 0, ERR_CONFLICT, "already_reported", "", 0, false, 0, 0},
	    {"report_remedied", true, 1, false, false, 0, ERR_CONFLICT, "none_open", "", 0, false, 0, 0},
	    {"report_remedied", true, 1, false, true, 0, 0, "", "remedied", 0, true, 0, 0},
	    {"report_remedied", true, 2, true, true, 0, ERR_CONFLICT, "already_reported", "", 0, false, 0, 0},
	    /* the remedial work reported: inspected again */
	    {"inspect", true, 2, true, false, PERMIT_RESULT_PASS, 0, "", "", 0, false, 0, 0},
	    {"inspect", true, 2, true, false, PERMIT_RESULT_FAIL, 0, "", "", PERMIT_TASK_REMEDIAL, false, 0, 0},
	    /* a shared (joint-dig) permit: inspected once every utility in it has reported */
	    {"inspect", true, 1, true, false, PERMIT_RESULT_PASS, ERR_CONFLICT, "not_all_reported",
	     "", 0, false, 2, 1},
	    {"inspect", true, 1, true, false, PERMIT_RESULT_PASS, ERR_CONFLICT, "not_all_reported",
	     "", 0, false, 3, 2},
	    {"inspect", true, 2, true, false, PERMIT_RESULT_PASS, 0, "", "", 0, false, 2, 2},
	    {"inspect", true, 3, true, false, PERMIT_RESULT_FAIL, 0, "", "", PERMIT_TASK_REMEDIAL,
	     false, 3, 3},
	    /* the second utility reports after the first (its own count is what matters) */
	    {"report_reinstated", true, 0, true, false, 0, 0, "", "reinstated", 0, false, 2, 1},
	    /* failed: each utility reports its own remedial work; inspected when all have */
	    {"report_remedied", true, 1, true, true, 0, 0, "", "remedied", 0, true, 2, 2},
	    {"report_remedied", true, 1, true, true, 0, ERR_CONFLICT, "already_reported", "", 0,
	     false, 2, 2},
	    {"inspect", true, 3, true, true, PERMIT_RESULT_PASS, ERR_CONFLICT, "open", "", 0, false,
	     2, 2},
	};
	return cr_make_param_array(struct order_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct order_case *c, permit, inspection_order)
{
	struct permit_facts f = {.kind = PERMIT_DIG_ROAD,
				 .decision = PERMIT_DECISION_APPROVED,
				 .window_from = TODAY - 5,
				 .window_to = TODAY + 5,
				 .today = TODAY,
				 .works_started = c->works_started,
				 .reinstatement_reports = c->reports,
				 .inspection_awaited = c->awaited,
				 .remedial_open = c->remedial_open,
				 .own_remedial_open = c->own_remedial,
				 .utilities_sharing = c->sharing,
				 .utilities_reported = c->reported,
				 .result = c->result};
	enum role r = strcmp(c->action, "inspect") ? ROLE_UTILITY : ROLE_AUTHORITY;
	struct permit_outcome o = {.state = -1};
	struct error err = ERROR_INIT;
	int rc = permit_apply(&f, PERMIT_APPROVED, c->action, r, &o, &err);
	cr_assert_eq(rc, c->code, "%s: got %d (%s)", c->action, rc, err.message);
	if (rc) {
		cr_assert_geq(err.ndetails, 1, "%s", err.message);
		cr_expect_str_eq(err.details[0].code, c->detail, "%s", err.details[0].message);
		cr_expect_eq((int)o.state, -1);
	} else {
		cr_expect_eq(o.state, PERMIT_APPROVED);
		cr_expect_str_eq(o.report ? o.report : "", c->report);
		cr_expect_eq(o.tasks, c->tasks);
		cr_expect_eq(o.reinstatement_passed, c->result == PERMIT_RESULT_PASS);
	}
	error_release(&err);
}

/* A road cannot be closed before it was dug, reported, inspected and passed. */
Test(permit, a_road_is_not_closed_before_anyone_dug)
{
	struct permit_facts f = {.kind = PERMIT_DIG_ROAD, .decision = PERMIT_DECISION_APPROVED};
	struct permit_outcome o;
	cr_expect_eq(permit_apply(&f, PERMIT_APPROVED, "close", ROLE_AUTHORITY, &o, NULL),
		     ERR_CONFLICT);
	f.result = PERMIT_RESULT_PASS;
	cr_expect_eq(permit_apply(&f, PERMIT_APPROVED, "inspect", ROLE_AUTHORITY, &o, NULL),
		     ERR_CONFLICT, "inspected before anyone dug");
	/* a greening permit closes without a reinstatement, and starts no guarantee */
	struct permit_facts g = {.kind = PERMIT_GREENING};
	cr_assert_eq(permit_apply(&g, PERMIT_APPROVED, "close", ROLE_AUTHORITY, &o, NULL), 0);
	cr_expect_eq(o.records & PERMIT_RECORD_GUARANTEE, 0);
}
