/* Tests for workflows/job.c: every action x state x role, payload checks, the permit gate. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "workflows/job.h"

/*
 * DESIGN.md §5, written out independently of the module's table: the only (state, action, role)
 * combinations that may happen, and where each leads. Everything else must be refused.
 */
static const struct {
	enum job_state from;
	enum job_action action;
	enum role role;
	enum job_state to;
} expected_allowed[] = {
    {JOB_SUBMITTED, JOB_ACCEPT, ROLE_UTILITY, JOB_ACCEPTED},
    {JOB_SUBMITTED, JOB_RETURN, ROLE_UTILITY, JOB_RETURNED},
    {JOB_SUBMITTED, JOB_REJECT, ROLE_UTILITY, JOB_REJECTED},
    {JOB_SUBMITTED, JOB_CONFIRM_POINT, ROLE_UTILITY, JOB_SURVEYED},
    {JOB_RETURNED, JOB_SUPPLEMENT, ROLE_APPLICANT, JOB_SUBMITTED},
    {JOB_ACCEPTED, JOB_SURVEY, ROLE_UTILITY, JOB_SURVEYED},
    {JOB_ACCEPTED, JOB_CONFIRM_POINT, ROLE_UTILITY, JOB_SURVEYED},
    {JOB_SURVEYED, JOB_PLAN, ROLE_UTILITY, JOB_PLANNED},
    {JOB_PLANNED, JOB_CONFIRM, ROLE_APPLICANT, JOB_CONFIRMED},
    {JOB_CONFIRMED, JOB_START_CONSTRUCTION, ROLE_UTILITY, JOB_CONSTRUCTING},
    {JOB_CONSTRUCTING, JOB_CONNECT, ROLE_UTILITY, JOB_CONNECTED},
    {JOB_CONNECTED, JOB_COMPLETE, ROLE_UTILITY, JOB_COMPLETED},
    {JOB_SUBMITTED, JOB_WITHDRAW, ROLE_APPLICANT, JOB_WITHDRAWN},
    {JOB_ACCEPTED, JOB_WITHDRAW, ROLE_APPLICANT, JOB_WITHDRAWN},
    {JOB_RETURNED, JOB_WITHDRAW, ROLE_APPLICANT, JOB_WITHDRAWN},
    {JOB_SURVEYED, JOB_WITHDRAW, ROLE_APPLICANT, JOB_WITHDRAWN},
    {JOB_PLANNED, JOB_WITHDRAW, ROLE_APPLICANT, JOB_WITHDRAWN},
    {JOB_CONFIRMED, JOB_WITHDRAW, ROLE_APPLICANT, JOB_WITHDRAWN},
    {JOB_CONSTRUCTING, JOB_WITHDRAW, ROLE_APPLICANT, JOB_WITHDRAWN},
    {JOB_CONNECTED, JOB_WITHDRAW, ROLE_APPLICANT, JOB_WITHDRAWN},
};

#define NALLOWED (sizeof(expected_allowed) / sizeof(expected_allowed[0]))

/* One combination and the answer expected for it. Plain ints: Criterion copies the table. */
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
		c.code = ERR_FORBIDDEN; /* the action exists here, for someone else */
	}
	return c;
}

ParameterizedTestParameters(job, every_combination)
{
	size_t n = (size_t)JOB_STATE_COUNT * JOB_ACTION_COUNT * ROLE_COUNT, k = 0;
	struct combo *combos = cr_malloc(n * sizeof(*combos));
	for (int s = 0; s < JOB_STATE_COUNT; s++)
		for (int a = 0; a < JOB_ACTION_COUNT; a++)
			for (int r = 0; r < ROLE_COUNT; r++)
				combos[k++] = expect_for(s, a, r);
	return cr_make_param_array(struct combo, combos, n, free_combos);
}

static const struct job_item one_item[] = {{"site_plan", "the plan is unsigned"}};

/* Facts that satisfy every payload and every guard, so only state and role decide. */
static struct job_facts full_facts(struct job_permit_need *permit)
{
	day_t today = cal_day_from_ymd(2026, 3, 10);
	*permit = (struct job_permit_need){"DR-2026-0001", true, today - 1, today + 1};
	return (struct job_facts){
	    .items = one_item,
	    .nitems = 1,
	    .reason_code = "outside_service_area",
	    .has_connection_point = true,
	    .agreed_point = true,
	    .nquote_lines = 2,
	    .permits_listed = true,
	    .permits = permit,
	    .npermits = 1,
	    .today = today,
	};
}

static bool listed(const char *name, enum job_state s, enum role r)
{
	const char *names[JOB_ACTION_COUNT];
	size_t n = job_allowed_actions(s, r, names, JOB_ACTION_COUNT);
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

ParameterizedTest(struct combo *c, job, every_combination)
{
	struct job_permit_need permit;
	struct job_facts facts = full_facts(&permit);
	struct job_outcome out = {.state = -1};
	struct error err = ERROR_INIT;
	const char *action = job_action_name(c->action);
	const char *state = job_state_name(c->state);
	const char *role = role_name(c->role);

	int rc = job_apply(&facts, c->state, action, c->role, &out, &err);
	cr_assert_eq(rc, c->code, "%s by %s in %s: got %d, want %d (%s)", action, role, state, rc,
		     c->code, err.message);
	cr_expect_eq(listed(action, c->state, c->role), rc == 0,
		     "allowed actions disagree for %s by %s in %s", action, role, state);
	if (rc == 0) {
		cr_expect_eq(out.state, c->to, "%s by %s in %s went to %s", action, role, state,
			     job_state_name(out.state));
		cr_expect_not_null(out.event);
	} else {
		cr_expect_eq((int)out.state, -1, "outcome written on failure");
		cr_expect_eq(err.code, c->code);
	}
	if (rc == ERR_CONFLICT)
		cr_expect_not_null(strstr(err.message, state), "message '%s' does not name %s",
				   err.message, state);
	error_release(&err);
}

Test(job, unknown_action_is_invalid)
{
	struct error err = ERROR_INIT;
	struct job_outcome out;
	cr_expect_eq(job_apply(NULL, JOB_SUBMITTED, "approve", ROLE_UTILITY, &out, &err),
		     ERR_INVALID);
	cr_expect_eq(job_apply(NULL, JOB_SUBMITTED, NULL, ROLE_UTILITY, &out, NULL), ERR_INVALID);
	error_release(&err);
}

/* Missing payload: ERR_INVALID with every missing field listed at once. */
struct payload_case {
	int state, action;
	size_t nitems;	  /* of one_item or blank_items */
	bool blank_codes; /* items given without codes */
	bool reason, connection_point, quote, permit_list;
	int ndetails;
	char fields[3][24]; /* expected detail fields, in order */
};

static const struct job_item blank_items[] = {{"", "x"}, {"ok", ""}, {NULL, "y"}};

ParameterizedTestParameters(job, payload)
{
	static struct payload_case cases[] = {
	    {JOB_SUBMITTED, JOB_RETURN, 0, false, true, true, true, true, 1, {"items"}},
	    {JOB_SUBMITTED,
	     JOB_RETURN,
	     3,
	     true,
	     true,
	     true,
	     true,
	     true,
	     2,
	     {"items[0].code", "items[2].code"}},
	    {JOB_SUBMITTED, JOB_REJECT, 1, false, false, true, true, true, 1, {"reason_code"}},
	    {JOB_ACCEPTED, JOB_SURVEY, 1, false, true, false, true, true, 1, {"connection_point"}},
	    {JOB_SURVEYED,
	     JOB_PLAN,
	     1,
	     false,
	     true,
	     true,
	     false,
	     false,
	     2,
	     {"quote", "permits_needed"}},
	    {JOB_SURVEYED, JOB_PLAN, 1, false, true, true, true, false, 1, {"permits_needed"}},
	    {JOB_SURVEYED, JOB_PLAN, 1, false, true, true, false, true, 1, {"quote"}},
	};
	return cr_make_param_array(struct payload_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct payload_case *c, job, payload)
{
	struct job_facts f = {
	    .items = c->blank_codes ? blank_items : one_item,
	    .nitems = c->nitems,
	    .reason_code = c->reason ? "duplicate" : "",
	    .has_connection_point = c->connection_point,
	    .nquote_lines = c->quote ? 1 : 0,
	    .permits_listed = c->permit_list,
	};
	struct error err = ERROR_INIT;
	struct job_outcome out;
	const char *action = job_action_name(c->action);
	cr_assert_eq(job_apply(&f, c->state, action, ROLE_UTILITY, &out, &err), ERR_INVALID, "%s",
		     action);
	cr_assert_eq(err.ndetails, (size_t)c->ndetails, "%s: %zu details", action, err.ndetails);
	for (int i = 0; i < c->ndetails; i++) {
		cr_expect_str_eq(err.details[i].field, c->fields[i]);
		cr_expect_str_eq(err.details[i].code, "required");
	}
	error_release(&err);
}

Test(job, plan_with_an_empty_permit_list_is_fine)
{
	struct job_facts f = {.nquote_lines = 1, .permits_listed = true};
	struct job_outcome out;
	cr_expect_eq(job_apply(&f, JOB_SURVEYED, "plan", ROLE_UTILITY, &out, NULL), 0);
	cr_expect_eq(out.state, JOB_PLANNED);
}

/*
 * The plan's permit list against the application's permits: DR covers the job's own dig, DR2
 * another utility's, GR and PL the whole site. "listed" is comma-separated ("~" for an entry
 * that is not a reference); "need" the permits that gate construction afterwards.
 */
struct plan_permits_case {
	char listed[64];
	int rc;
	char details[160]; /* field:code,... in order */
	char need[32];
};

ParameterizedTestParameters(job, plan_permits)
{
	static struct plan_permits_case cases[] = {
	    {"DR", 0, "", "DR"},
	    {"DR,GR,PL", 0, "", "DR,GR,PL"},
	    {"PL,DR", 0, "", "DR,PL"},
	    /* another utility's dig may be shared; greening and planning may be dropped */
	    {"DR,DR2", 0, "", "DR,DR2"},
	    /* the job's own dig cannot be dropped */
	    {"", ERR_INVALID, "permits_needed:required", ""},
	    {"GR,PL", ERR_INVALID, "permits_needed:required", "GR,PL"},
	    /* every problem at once, each under the entry as sent */
	    {"DR,XX,DR,~", ERR_INVALID,
	     "permits_needed[1]:unknown,permits_needed[2]:duplicate,permits_needed[3]:unknown", "DR"},
	    {"XX,GR", ERR_INVALID, "permits_needed[0]:unknown,permits_needed:required", "GR"},
	    /* a utility's system may name kinds: dig_road is the job's own trench */
	    {"dig_road", 0, "", "DR"},
	    {"greening,planning,dig_road", 0, "", "DR,GR,PL"},
	    {"dig_road,DR", ERR_INVALID, "permits_needed[1]:duplicate", "DR"},
	    {"sewer,greening", ERR_INVALID, "permits_needed[0]:unknown,permits_needed:required",
	     "GR"},
	};
	return cr_make_param_array(struct plan_permits_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct plan_permits_case *c, job, plan_permits)
{
	static const struct job_permit_option opts[] = {{"DR", "dig_road", true},
							{"DR2", "dig_road", false},
							{"GR", "greening", false},
							{"PL", "planning", false}};
	char buf[64];
	const char *listed[8];
	size_t n = 0;
	snprintf(buf, sizeof(buf), "%s", c->listed);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		listed[n++] = strcmp(t, "~") ? t : NULL;
	bool need[4];
	struct error err = ERROR_INIT;
	cr_assert_eq(job_plan_permits(opts, 4, listed, n, need, &err), c->rc, "%s", err.message);
	char got[160] = "";
	for (size_t i = 0; i < err.ndetails; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s:%s", i ? "," : "",
			 err.details[i].field, err.details[i].code);
	cr_expect_str_eq(got, c->details, "listed %s", c->listed);
	char needed[32] = "";
	for (size_t k = 0; k < 4; k++)
		if (need[k])
			snprintf(needed + strlen(needed), sizeof(needed) - strlen(needed), "%s%s",
				 needed[0] ? "," : "", opts[k].ref);
	cr_expect_str_eq(needed, c->need, "listed %s", c->listed);
	error_release(&err);
}

/* The construction gate: each permit is approved or not, and today is inside its window or not. */
struct gate_permit {
	char ref[16];
	bool approved;
	int from, to; /* window, relative to today */
};

struct gate_case {
	int npermits;
	struct gate_permit permits[3];
	int code;
	int ndetails;
	char refs[3][16];
	char codes[3][24];
};

ParameterizedTestParameters(job, construction_gate)
{
	static struct gate_case cases[] = {
	    /* no permits needed */
	    {0, {{"", false, 0, 0}}, 0, 0, {""}, {""}},
	    {1, {{"DR-1", true, 0, 5}}, 0, 0, {""}, {""}},  /* first day */
	    {1, {{"DR-1", true, -5, 0}}, 0, 0, {""}, {""}}, /* last day */
	    {1,
	     {{"DR-1", true, 1, 5}},
	     ERR_CONFLICT,
	     1,
	     {"DR-1"},
	     {"outside_work_window"}}, /* window not yet open */
	    {1,
	     {{"DR-1", true, -5, -1}},
	     ERR_CONFLICT,
	     1,
	     {"DR-1"},
	     {"outside_work_window"}}, /* window closed */
	    {1, {{"GR-1", false, -1, 1}}, ERR_CONFLICT, 1, {"GR-1"}, {"permit_not_approved"}},
	    /* every missing permit is named, the good one is not */
	    {3,
	     {{"DR-1", false, -1, 1}, {"GR-1", true, -1, 1}, {"PL-1", true, 2, 9}},
	     ERR_CONFLICT,
	     2,
	     {"DR-1", "PL-1"},
	     {"permit_not_approved", "outside_work_window"}},
	    {3,
	     {{"DR-1", false, -1, 1}, {"GR-1", false, -1, 1}, {"PL-1", false, 2, 9}},
	     ERR_CONFLICT,
	     3,
	     {"DR-1", "GR-1", "PL-1"},
	     {"permit_not_approved", "permit_not_approved", "permit_not_approved"}},
	};
	return cr_make_param_array(struct gate_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct gate_case *c, job, construction_gate)
{
	day_t today = cal_day_from_ymd(2026, 2, 24);
	struct job_permit_need needs[3];
	for (int i = 0; i < c->npermits; i++)
		needs[i] =
		    (struct job_permit_need){c->permits[i].ref, c->permits[i].approved,
					     today + c->permits[i].from, today + c->permits[i].to};
	struct job_facts f = {.permits = needs, .npermits = (size_t)c->npermits, .today = today};
	struct job_outcome out;
	struct error err = ERROR_INIT;
	int rc = job_apply(&f, JOB_CONFIRMED, "start_construction", ROLE_UTILITY, &out, &err);
	cr_assert_eq(rc, c->code, "got %d (%s)", rc, err.message);
	cr_assert_eq(err.ndetails, (size_t)c->ndetails);
	for (int i = 0; i < c->ndetails; i++) {
		cr_expect_str_eq(err.details[i].field, c->refs[i]);
		cr_expect_str_eq(err.details[i].code, c->codes[i]);
		cr_expect_not_null(strstr(err.details[i].message, c->refs[i]));
	}
	if (rc == 0) {
		cr_expect_eq(out.state, JOB_CONSTRUCTING);
		cr_expect_eq(out.clock, CLOCK_START);
		cr_expect_str_eq(out.stage, "construction");
	}
	error_release(&err);
}

/* Effects: the clock pauses only for a supplement; a certificate only on completion. */
struct effect_case {
	int state, action, role;
	int clock;
	char stage[16];
	char event[32];
	bool certificate;
};

ParameterizedTestParameters(job, effects)
{
	static struct effect_case cases[] = {
	    {JOB_SUBMITTED, JOB_ACCEPT, ROLE_UTILITY, CLOCK_START, "survey", "job.accepted", false},
	    {JOB_SUBMITTED, JOB_RETURN, ROLE_UTILITY, CLOCK_PAUSE, "", "job.returned", false},
	    {JOB_RETURNED, JOB_SUPPLEMENT, ROLE_APPLICANT, CLOCK_RESUME, "", "job.supplemented",
	     false},
	    {JOB_SUBMITTED, JOB_REJECT, ROLE_UTILITY, CLOCK_STOP, "", "job.rejected", false},
	    {JOB_ACCEPTED, JOB_SURVEY, ROLE_UTILITY, CLOCK_START, "plan", "job.surveyed", false},
	    {JOB_SURVEYED, JOB_PLAN, ROLE_UTILITY, CLOCK_STOP, "", "job.planned", false},
	    {JOB_PLANNED, JOB_CONFIRM, ROLE_APPLICANT, CLOCK_KEEP, "", "job.confirmed", false},
	    {JOB_CONSTRUCTING, JOB_CONNECT, ROLE_UTILITY, CLOCK_START, "completion",
	     "job.connected", false},
	    {JOB_CONNECTED, JOB_COMPLETE, ROLE_UTILITY, CLOCK_STOP, "", "job.completed", true},
	    {JOB_CONSTRUCTING, JOB_WITHDRAW, ROLE_APPLICANT, CLOCK_STOP, "", "job.withdrawn",
	     false},
	};
	return cr_make_param_array(struct effect_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct effect_case *c, job, effects)
{
	struct job_permit_need permit;
	struct job_facts facts = full_facts(&permit);
	struct job_outcome out;
	const char *action = job_action_name(c->action);
	cr_assert_eq(job_apply(&facts, c->state, action, c->role, &out, NULL), 0, "%s", action);
	cr_expect_eq(out.clock, c->clock, "%s clock", action);
	if (c->stage[0])
		cr_expect_str_eq(out.stage, c->stage);
	else
		cr_expect_null(out.stage, "%s starts no stage", action);
	cr_expect_str_eq(out.event, c->event);
	cr_expect_eq(out.issue_certificate, c->certificate, "%s certificate", action);
}

Test(job, allowed_actions_lists_in_table_order_and_counts_beyond_n)
{
	const char *names[2];
	cr_assert_eq(job_allowed_actions(JOB_SUBMITTED, ROLE_UTILITY, names, 2), 4);
	cr_expect_str_eq(names[0], "accept");
	cr_expect_str_eq(names[1], "return");
	const char *all[4];
	cr_assert_eq(job_allowed_actions(JOB_SUBMITTED, ROLE_APPLICANT, all, 4), 1);
	cr_expect_str_eq(all[0], "withdraw");
	cr_expect_eq(job_allowed_actions(JOB_COMPLETED, ROLE_APPLICANT, all, 4), 0);
	cr_expect_eq(job_allowed_actions(JOB_SUBMITTED, ROLE_PUBLIC, all, 4), 0);
}

Test(job, terminal_states)
{
	for (int s = 0; s < JOB_STATE_COUNT; s++) {
		bool terminal = s == JOB_REJECTED || s == JOB_COMPLETED || s == JOB_WITHDRAWN;
		cr_expect_eq(job_state_is_terminal(s), terminal, "%s", job_state_name(s));
		/* A terminal state allows nothing to anyone; the others allow at least withdraw. */
		const char *names[JOB_ACTION_COUNT];
		size_t total = 0;
		for (int r = 0; r < ROLE_COUNT; r++)
			total += job_allowed_actions(s, r, names, JOB_ACTION_COUNT);
		cr_expect_eq(total == 0, terminal, "%s", job_state_name(s));
	}
}

Test(job, names_round_trip)
{
	for (int s = 0; s < JOB_STATE_COUNT; s++) {
		enum job_state back;
		cr_assert_eq(job_state_parse(job_state_name(s), &back, NULL), 0);
		cr_expect_eq(back, s);
	}
	for (int a = 0; a < JOB_ACTION_COUNT; a++) {
		enum job_action back;
		cr_assert_eq(job_action_parse(job_action_name(a), &back, NULL), 0);
		cr_expect_eq(back, a);
	}
	for (int r = 0; r < ROLE_COUNT; r++) {
		enum role back;
		cr_assert_eq(role_parse(role_name(r), &back, NULL), 0);
		cr_expect_eq(back, r);
	}
	enum job_state s;
	enum role r;
	cr_expect_eq(job_state_parse("Submitted", &s, NULL), ERR_INVALID);
	cr_expect_eq(role_parse("admin", &r, NULL), ERR_INVALID);
	cr_expect_str_eq(job_state_name(JOB_STATE_COUNT), "unknown");
	cr_expect_str_eq(job_action_name(JOB_START_CONSTRUCTION), "start_construction");
	cr_expect_str_eq(role_name(ROLE_SYSTEM), "system");
}

/* What each action asks the caller to record besides the state, as data of the table. */
Test(job, effects_are_data_of_the_table)
{
	struct job_facts f = {.has_connection_point = true, .nquote_lines = 1,
			      .permits_listed = true};
	struct job_outcome out;
	cr_assert_eq(job_apply(&f, JOB_ACCEPTED, "survey", ROLE_UTILITY, &out, NULL), 0);
	cr_expect_eq(out.effects, JOB_EFFECT_CONNECTION_POINT);
	cr_assert_eq(job_apply(&f, JOB_SURVEYED, "plan", ROLE_UTILITY, &out, NULL), 0);
	cr_expect_eq(out.effects, JOB_EFFECT_QUOTE | JOB_EFFECT_PERMITS);
	cr_assert_eq(job_apply(&f, JOB_SUBMITTED, "accept", ROLE_UTILITY, &out, NULL), 0);
	cr_expect_eq(out.effects, 0u);
	cr_assert_eq(job_apply(&f, JOB_PLANNED, "withdraw", ROLE_APPLICANT, &out, NULL), 0);
	cr_expect_eq(out.effects, 0u);
}

/*
 * Issue #20: a job that started with a point agreed at guidance may be confirmed without a
 * survey; a survey then changes the point and must say why, from the point_change list; a job
 * without one cannot be confirmed.
 */
Test(job, agreed_point_confirmed_or_changed_with_a_reason)
{
	struct code_lists cl = {0};
	codes_add(&cl, CODES_POINT_CHANGE, "ROUTE_OBSTRUCTED", "z", "e");
	codes_add(&cl, CODES_REJECT_REASON, "DUPLICATE", "z", "e");
	static const struct {
		enum job_state from;
		const char *action;
		bool agreed;
		const char *reason;
		int want;
		const char *field, *code;
	} cases[] = {
	    {JOB_SUBMITTED, "confirm_point", true, NULL, 0, NULL, NULL},
	    {JOB_SUBMITTED, "confirm_point", false, NULL, ERR_INVALID, "connection_point",
	     "not_agreed"},
	    {JOB_ACCEPTED, "survey", false, NULL, 0, NULL, NULL},
	    {JOB_ACCEPTED, "survey", true, NULL, ERR_INVALID, "reason_code", "required"},
	    {JOB_ACCEPTED, "survey", true, "DUPLICATE", ERR_INVALID, "reason_code", "unknown_code"},
	    {JOB_ACCEPTED, "survey", true, "ROUTE_OBSTRUCTED", 0, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct job_facts f = {.has_connection_point = true,
				      .agreed_point = cases[i].agreed,
				      .reason_code = cases[i].reason,
				      .codes = &cl};
		struct job_outcome out = {.state = -1};
		struct error err = ERROR_INIT;
		int rc = job_apply(&f, cases[i].from, cases[i].action, ROLE_UTILITY, &out, &err);
		cr_expect_eq(rc, cases[i].want, "case %zu: %d (%s)", i, rc, err.message);
		if (!rc) {
			cr_expect_eq(out.state, JOB_SURVEYED, "case %zu", i);
			cr_expect_str_eq(out.stage, "plan", "case %zu: the plan stage runs next", i);
		} else {
			cr_assert_geq(err.ndetails, 1, "case %zu", i);
			cr_expect_str_eq(err.details[0].field, cases[i].field, "case %zu", i);
			cr_expect_str_eq(err.details[0].code, cases[i].code, "case %zu", i);
		}
		error_release(&err);
	}
	codes_release(&cl);
}
