/* The permit state machine: one table row per allowed (state, action), checked in order. */
#include "permit.h"

#include <stdio.h>
#include <string.h>

/* Payload an action must carry; all gaps are reported together. */
enum need {
	NEED_ITEMS = 1 << 0,	       /* return: at least one coded item */
	NEED_REASON = 1 << 1,	       /* reject, revoke: a reason code */
	NEED_CONDITION_CODES = 1 << 2, /* approve: conditions are optional but each needs a code */
	NEED_RESULT = 1 << 3,	       /* inspect, post_check: pass or fail */
	NEED_LATER_END = 1 << 4,       /* request_extension: a new end after the current one */
	NEED_DECISION = 1 << 5,	       /* decide_extension: grant or refuse */
	NEED_RESULT_CODES = 1 << 6,    /* post_check: a failure names what it found */
	NEED_RESULT_PHOTOS = 1 << 7,   /* post_check: and shows it */
};

/* Preconditions on the permit beyond the payload; a failure is a conflict, not bad input. */
enum guard {
	NO_GUARD,
	FAST_TRACK_ELIGIBLE, /* the fast-track rule said yes */
	SILENCE_PAST_LIMIT,  /* the standard allows deeming and the limit has passed */
	REINSTATED,	     /* dig-road only: a reinstatement inspection passed */
	ON_COMMITMENT,	     /* approved on commitment and not yet post-checked */
	NO_PENDING,	     /* no extension request is pending */
	PENDING,	     /* an extension request is pending */
	DUG_AND_UNREPORTED,  /* works started, and no reinstatement reported yet */
	REMEDIAL_UNREPORTED, /* a remedial task is open and its work not yet reported */
	AWAITING_INSPECTION, /* reinstatement (or remedial work) reported since the last check */
};

/* What changes besides the state. */
enum change {
	SAME = 0,
	DECIDE_APPROVED = 1 << 0,
	DECIDE_ON_COMMITMENT = 1 << 1,
	DECIDE_DEEMED = 1 << 2,
	DECIDE_REJECTED = 1 << 3,
	MARK_POST_CHECKED = 1 << 4,
	OPEN_EXTENSION = 1 << 5,
	SETTLE_EXTENSION = 1 << 6, /* grant moves the window end; refuse leaves it */
};

struct transition {
	enum permit_state from;
	enum permit_action action;
	unsigned roles;
	enum permit_state to;
	unsigned needs;
	enum guard guard;
	unsigned change;
	enum clock_effect clock;
	const char *stage;
	const char *event;
	unsigned tasks;
	bool certificate;
	/* For rows with NEED_RESULT: what a failed result does instead. */
	enum permit_state fail_to;
	const char *fail_event;
	unsigned fail_tasks;
	/* For rows that inspect: what is inspected ("reinstatement", "post_check"). */
	const char *inspection;
	/* For rows that report works: what is reported ("reinstated", "remedied"). */
	const char *report;
	unsigned records; /* PERMIT_RECORD_* always written by the row */
};

#define APPLICANT ROLE_BIT(ROLE_APPLICANT)
#define UTILITY ROLE_BIT(ROLE_UTILITY)
#define AUTHORITY ROLE_BIT(ROLE_AUTHORITY)
#define OFFICE ROLE_BIT(ROLE_OFFICE)
#define SYSTEM ROLE_BIT(ROLE_SYSTEM)

/* DESIGN.md §5 and §2 rules 6, 14, 15, top to bottom. */
// clang-format off
static const struct transition table[] = {
	/* filing and review */
	{ .from = PERMIT_SUBMITTED, .action = PERMIT_ACCEPT, .roles = AUTHORITY,
	  .to = PERMIT_UNDER_REVIEW, .clock = CLOCK_START, .stage = "review",
	  .event = "permit.accepted" },
	{ .from = PERMIT_SUBMITTED, .action = PERMIT_RETURN, .roles = AUTHORITY,
	  .to = PERMIT_RETURNED, .needs = NEED_ITEMS, .clock = CLOCK_PAUSE,
	  .event = "permit.returned" },
	{ .from = PERMIT_RETURNED, .action = PERMIT_SUPPLEMENT, .roles = APPLICANT,
	  .to = PERMIT_SUBMITTED, .clock = CLOCK_RESUME, .event = "permit.supplemented" },
	{ .from = PERMIT_UNDER_REVIEW, .action = PERMIT_APPROVE, .roles = AUTHORITY,
	  .to = PERMIT_APPROVED, .needs = NEED_CONDITION_CODES, .change = DECIDE_APPROVED,
	  .clock = CLOCK_STOP, .event = "permit.approved", .certificate = true },
	{ .from = PERMIT_UNDER_REVIEW, .action = PERMIT_REJECT, .roles = AUTHORITY,
	  .to = PERMIT_REJECTED, .needs = NEED_REASON, .change = DECIDE_REJECTED,
	  .clock = CLOCK_STOP, .event = "permit.rejected" },

	/* decisions the system takes: fast track at submission, silence past the limit */
	{ .from = PERMIT_SUBMITTED, .action = PERMIT_FAST_TRACK, .roles = SYSTEM,
	  .to = PERMIT_APPROVED, .guard = FAST_TRACK_ELIGIBLE, .change = DECIDE_ON_COMMITMENT,
	  .clock = CLOCK_STOP, .event = "permit.fast_tracked", .tasks = PERMIT_TASK_POST_CHECK,
	  .certificate = true },
	{ .from = PERMIT_SUBMITTED, .action = PERMIT_DEEM, .roles = SYSTEM,
	  .to = PERMIT_APPROVED, .guard = SILENCE_PAST_LIMIT, .change = DECIDE_DEEMED,
	  .clock = CLOCK_STOP, .event = "permit.deemed_approved", .certificate = true },
	{ .from = PERMIT_UNDER_REVIEW, .action = PERMIT_DEEM, .roles = SYSTEM,
	  .to = PERMIT_APPROVED, .guard = SILENCE_PAST_LIMIT, .change = DECIDE_DEEMED,
	  .clock = CLOCK_STOP, .event = "permit.deemed_approved", .certificate = true },

	/* after approval: checks, extensions, and the end of the permit */
	{ .from = PERMIT_APPROVED, .action = PERMIT_REPORT_REINSTATED, .roles = UTILITY,
	  .to = PERMIT_APPROVED, .guard = DUG_AND_UNREPORTED,
	  .event = "permit.reinstatement_reported", .report = "reinstated" },
	{ .from = PERMIT_APPROVED, .action = PERMIT_REPORT_REMEDIED, .roles = UTILITY,
	  .to = PERMIT_APPROVED, .guard = REMEDIAL_UNREPORTED, .event = "permit.remedial_reported",
	  .report = "remedied", .records = PERMIT_RECORD_REMEDIAL_DONE },
	{ .from = PERMIT_APPROVED, .action = PERMIT_INSPECT, .roles = AUTHORITY,
	  .to = PERMIT_APPROVED, .needs = NEED_RESULT, .guard = AWAITING_INSPECTION,
	  .event = "permit.inspected",
	  .fail_to = PERMIT_APPROVED, .fail_event = "permit.inspection_failed",
	  .fail_tasks = PERMIT_TASK_REMEDIAL, .inspection = "reinstatement" },
	/* a failed post-check opens rectification; unrectified, the sweep revokes (issue #21) */
	{ .from = PERMIT_APPROVED, .action = PERMIT_POST_CHECK, .roles = AUTHORITY,
	  .to = PERMIT_APPROVED, .needs = NEED_RESULT | NEED_RESULT_CODES | NEED_RESULT_PHOTOS,
	  .guard = ON_COMMITMENT,
	  .change = MARK_POST_CHECKED, .event = "permit.post_checked",
	  .fail_to = PERMIT_APPROVED, .fail_event = "permit.post_check_failed",
	  .fail_tasks = PERMIT_TASK_RECTIFICATION, .inspection = "post_check" },
	{ .from = PERMIT_APPROVED, .action = PERMIT_REQUEST_EXTENSION, .roles = UTILITY,
	  .to = PERMIT_APPROVED, .needs = NEED_LATER_END, .guard = NO_PENDING,
	  .change = OPEN_EXTENSION, .clock = CLOCK_START, .stage = "extension",
	  .event = "permit.extension_requested" },
	{ .from = PERMIT_APPROVED, .action = PERMIT_DECIDE_EXTENSION, .roles = AUTHORITY,
	  .to = PERMIT_APPROVED, .needs = NEED_DECISION, .guard = PENDING,
	  .change = SETTLE_EXTENSION, .clock = CLOCK_STOP, .event = "permit.extension_decided" },
	{ .from = PERMIT_APPROVED, .action = PERMIT_CLOSE, .roles = AUTHORITY,
	  .to = PERMIT_CLOSED, .guard = REINSTATED, .event = "permit.closed",
	  .records = PERMIT_RECORD_GUARANTEE },
	{ .from = PERMIT_APPROVED, .action = PERMIT_EXPIRE, .roles = SYSTEM | OFFICE,
	  .to = PERMIT_EXPIRED, .event = "permit.expired" },
	{ .from = PERMIT_APPROVED, .action = PERMIT_REVOKE, .roles = AUTHORITY | OFFICE | SYSTEM,
	  .to = PERMIT_REVOKED, .needs = NEED_REASON, .event = "permit.revoked" },
};
// clang-format on

#define NTRANSITIONS (sizeof(table) / sizeof(table[0]))

static const char *const kind_names[PERMIT_KIND_COUNT] = {
    [PERMIT_DIG_ROAD] = "dig_road",
    [PERMIT_GREENING] = "greening",
    [PERMIT_PLANNING] = "planning",
};

static const char *const state_names[PERMIT_STATE_COUNT] = {
    [PERMIT_SUBMITTED] = "submitted", [PERMIT_UNDER_REVIEW] = "under_review",
    [PERMIT_RETURNED] = "returned",   [PERMIT_APPROVED] = "approved",
    [PERMIT_REJECTED] = "rejected",   [PERMIT_CLOSED] = "closed",
    [PERMIT_EXPIRED] = "expired",     [PERMIT_REVOKED] = "revoked",
};

static const char *const decision_names[PERMIT_DECISION_COUNT] = {
    [PERMIT_DECISION_NONE] = "none",
    [PERMIT_DECISION_APPROVED] = "approved",
    [PERMIT_DECISION_APPROVED_ON_COMMITMENT] = "approved_on_commitment",
    [PERMIT_DECISION_DEEMED_APPROVED] = "deemed_approved",
    [PERMIT_DECISION_REJECTED] = "rejected",
};

static const char *const action_names[PERMIT_ACTION_COUNT] = {
    [PERMIT_ACCEPT] = "accept",
    [PERMIT_RETURN] = "return",
    [PERMIT_SUPPLEMENT] = "supplement",
    [PERMIT_APPROVE] = "approve",
    [PERMIT_REJECT] = "reject",
    [PERMIT_CLOSE] = "close",
    [PERMIT_EXPIRE] = "expire",
    [PERMIT_REVOKE] = "revoke",
    [PERMIT_FAST_TRACK] = "fast_track",
    [PERMIT_DEEM] = "deem",
    [PERMIT_INSPECT] = "inspect",
    [PERMIT_POST_CHECK] = "post_check",
    [PERMIT_REQUEST_EXTENSION] = "request_extension",
    [PERMIT_DECIDE_EXTENSION] = "decide_extension",
    [PERMIT_REPORT_REINSTATED] = "report_reinstated",
    [PERMIT_REPORT_REMEDIED] = "report_remedied",
};

static bool empty(const char *s)
{
	return !s || !*s;
}

static const struct transition *find(enum permit_state from, enum permit_action action)
{
	for (size_t i = 0; i < NTRANSITIONS; i++)
		if (table[i].from == from && table[i].action == action)
			return &table[i];
	return NULL;
}

/* One detail per coded entry without a code or with one not in its published list. */
static void check_codes(const char *list, const struct permit_code *codes, size_t n,
			const struct code_lists *cl, enum code_list_kind kind, struct error *err)
{
	char field[48];
	for (size_t i = 0; codes && i < n; i++) {
		snprintf(field, sizeof(field), "%s[%zu].code", list, i);
		if (empty(codes[i].code))
			error_add(err, field, "required", "%s entry %zu has no code", list, i + 1);
		else
			codes_check(cl, kind, field, codes[i].code, err);
	}
}

static void check_payload(unsigned needs, const struct permit_facts *f, struct error *err)
{
	if ((needs & NEED_ITEMS) && (f->nitems == 0 || !f->items))
		error_add(err, "items", "required", "a return lists every missing or wrong item");
	if (needs & NEED_ITEMS)
		check_codes("items", f->items, f->nitems, f->codes, CODES_RETURN_ITEM, err);
	if (needs & NEED_CONDITION_CODES)
		check_codes("conditions", f->conditions, f->nconditions, f->codes, CODES_CONDITION,
			    err);
	if ((needs & NEED_REASON) && empty(f->reason_code))
		error_add(err, "reason_code", "required", "this action needs a reason code");
	else if (needs & NEED_REASON)
		codes_check(f->codes, CODES_REJECT_REASON, "reason_code", f->reason_code, err);
	if ((needs & NEED_RESULT) && f->result != PERMIT_RESULT_PASS &&
	    f->result != PERMIT_RESULT_FAIL)
		error_add(err, "result", "required", "the result is pass or fail");
	if ((needs & NEED_RESULT_CODES) && f->result == PERMIT_RESULT_FAIL && !f->nresult_codes)
		error_add(err, "codes", "required",
			  "a failed post-check names what it found from the published list");
	if ((needs & NEED_RESULT_CODES) && f->result == PERMIT_RESULT_FAIL)
		check_codes("codes", f->result_codes, f->nresult_codes, f->codes,
			    CODES_POST_CHECK_RESULT, err);
	if ((needs & NEED_RESULT_PHOTOS) && f->result == PERMIT_RESULT_FAIL && !f->nphotos)
		error_add(err, "photos", "required", "a failed post-check shows what it found");
	if ((needs & NEED_LATER_END) && f->extension_to <= f->window_to)
		error_add(err, "extension_to", "not_later",
			  "an extension must end after the current work window");
	/* a window that has ended is overrun, not extended: the request comes while it runs */
	if ((needs & NEED_LATER_END) && f->window_to >= 0 && f->today > f->window_to) {
		char d[11];
		error_add(err, "window_to", "window_ended",
			  "the work window ended on %s: an extension is asked for before the "
			  "window ends; the overrun is recorded from the day after",
			  cal_day_format(f->window_to, d));
	}
	if ((needs & NEED_DECISION) && f->extension_decision != PERMIT_EXTENSION_GRANT &&
	    f->extension_decision != PERMIT_EXTENSION_REFUSE)
		error_add(err, "decision", "required", "the decision is grant or refuse");
}

static void check_guard(enum guard g, const struct permit_facts *f, struct error *err)
{
	switch (g) {
	case NO_GUARD:
		break;
	case FAST_TRACK_ELIGIBLE:
		if (!f->fast_track_eligible)
			error_add(err, "fast_track", "not_eligible",
				  "the works do not qualify for the fast track");
		break;
	case SILENCE_PAST_LIMIT:
		if (!f->deemed_allowed)
			error_add(err, "deem", "not_allowed",
				  "the service standard does not treat silence as approval");
		if (f->today <= f->due_day)
			error_add(err, "deem", "not_due", "the authority's limit has not passed");
		break;
	case REINSTATED:
		if (f->kind == PERMIT_DIG_ROAD && !f->reinstatement_passed)
			error_add(err, "reinstatement", "not_passed",
				  "a dig-road permit closes only after reinstatement passes");
		/* a utility that began digging after the inspection has its own trench to fill */
		else if (f->kind == PERMIT_DIG_ROAD && f->utilities_reported < f->utilities_sharing)
			error_add(err, "reinstatement", "not_all_reported",
				  "%d of the %d utilities that dug under this permit have not "
				  "reported their dig reinstated",
				  f->utilities_sharing - f->utilities_reported,
				  f->utilities_sharing);
		if (f->rectification_open)
			error_add(err, "rectification", "open",
				  "a failed post-check's rectification is still open: the permit "
				  "closes once it is rectified and checked again");
		break;
	case ON_COMMITMENT:
		if (f->decision != PERMIT_DECISION_APPROVED_ON_COMMITMENT)
			error_add(err, "decision", "not_on_commitment",
				  "only a permit approved on commitment is post-checked");
		else if (f->post_checked)
			error_add(err, "post_check", "already_done", "the post-check is recorded");
		else if (f->rectification_open)
			error_add(err, "rectification", "open",
				  "the failed post-check's rectification is still open");
		break;
	case NO_PENDING:
		if (f->extension_pending)
			error_add(err, "extension", "pending", "an extension request is pending");
		break;
	case PENDING:
		if (!f->extension_pending)
			error_add(err, "extension", "none_pending",
				  "no extension request is pending");
		break;
	case DUG_AND_UNREPORTED:
		if (!f->works_started)
			error_add(err, "works", "not_started",
				  "no works have started under this permit: nothing to reinstate");
		if (f->reinstatement_reports > 0)
			error_add(err, "reinstatement", "already_reported",
				  "the reinstatement is reported; after a failed inspection report "
				  "the remedial work (report_remedied)");
		break;
	case REMEDIAL_UNREPORTED:
		if (!f->remedial_open)
			error_add(err, "remedial", "none_open", "no remedial task is open");
		else if (!f->own_remedial_open)
			error_add(err, "remedial", "already_reported",
				  "the remedial work is reported and awaits inspection");
		break;
	case AWAITING_INSPECTION:
		if (!f->inspection_awaited)
			error_add(err, "reinstatement", "not_reported",
				  f->kind == PERMIT_DIG_ROAD && !f->works_started
				      ? "nobody has dug yet: the utility reports the dig reinstated "
					"before it is inspected"
				      : "the utility has not reported the reinstatement (or the "
					"remedial work) since the last inspection");
		/* a shared trench is inspected once, when every utility in it is done */
		if (f->utilities_reported < f->utilities_sharing)
			error_add(err, "reinstatement", "not_all_reported",
				  "%d of the %d utilities sharing this permit have not reported "
				  "their dig reinstated",
				  f->utilities_sharing - f->utilities_reported,
				  f->utilities_sharing);
		if (f->inspection_awaited && f->remedial_open)
			error_add(err, "remedial", "open",
				  "a utility sharing this permit has not reported its remedial "
				  "work done");
		break;
	}
}

/* The permit after row t, starting from what it is now. */
static struct permit_outcome outcome_of(const struct transition *t, const struct permit_facts *f)
{
	bool failed = (t->needs & NEED_RESULT) && f->result == PERMIT_RESULT_FAIL;
	struct permit_outcome o = {
	    .state = failed ? t->fail_to : t->to,
	    .decision = f->decision,
	    .is_deemed = f->is_deemed,
	    .post_checked = f->post_checked,
	    .extension_pending = f->extension_pending,
	    .window_from = f->window_from,
	    .window_to = f->window_to,
	    .clock = t->clock,
	    .stage = t->stage,
	    .event = failed ? t->fail_event : t->event,
	    .tasks = failed ? t->fail_tasks : t->tasks,
	    .issue_certificate = t->certificate,
	};
	if (t->change & DECIDE_APPROVED)
		o.decision = PERMIT_DECISION_APPROVED;
	if (t->change & DECIDE_ON_COMMITMENT)
		o.decision = PERMIT_DECISION_APPROVED_ON_COMMITMENT;
	if (t->change & DECIDE_DEEMED) {
		o.decision = PERMIT_DECISION_DEEMED_APPROVED;
		o.is_deemed = true;
	}
	if (t->change & DECIDE_REJECTED)
		o.decision = PERMIT_DECISION_REJECTED;
	if ((t->change & MARK_POST_CHECKED) && !failed)
		o.post_checked = true; /* a failure is checked again once rectified */
	day_t pending = f->pending_extension_to ? f->pending_extension_to : f->extension_to;
	o.extension_to = f->extension_pending ? pending : -1;
	if (t->change & OPEN_EXTENSION) {
		o.extension_pending = true;
		o.extension_to = f->extension_to;
		o.records |= PERMIT_RECORD_EXTENSION_REQUEST;
	}
	if (t->change & SETTLE_EXTENSION) {
		o.extension_pending = false;
		o.extension_to = -1;
		o.records |= PERMIT_RECORD_EXTENSION_DECISION;
		if (f->extension_decision == PERMIT_EXTENSION_GRANT)
			o.window_to = pending;
	}
	o.inspection = t->inspection;
	o.report = t->report;
	o.records |= t->records;
	if (f->kind != PERMIT_DIG_ROAD)
		o.records &= ~PERMIT_RECORD_GUARANTEE; /* a guarantee covers a reinstated road */
	o.reinstatement_passed = f->reinstatement_passed;
	if (t->inspection && strcmp(t->inspection, "reinstatement") == 0)
		o.reinstatement_passed = !failed;
	if (t->inspection && strcmp(t->inspection, "post_check") == 0)
		o.records |= PERMIT_RECORD_POST_CHECK_DONE; /* pass or fail, it leaves the queue */
	return o;
}

int permit_apply(const struct permit_facts *facts, enum permit_state from, const char *action,
		 enum role actor, struct permit_outcome *out, struct error *err)
{
	static const struct permit_facts no_facts;
	if (!facts)
		facts = &no_facts;
	enum permit_action act = PERMIT_ACTION_COUNT;
	int rc = permit_action_parse(action, &act, err);
	if (rc)
		return rc;
	const struct transition *t = find(from, act);
	if (!t)
		return error_set(err, ERR_CONFLICT, "a permit in state %s cannot be %s",
				 permit_state_name(from), action);
	if (!(t->roles & ROLE_BIT(actor)))
		return error_set(err, ERR_FORBIDDEN, "the %s cannot %s a permit", role_name(actor),
				 action);

	/* Count only the details added here, in case err already holds some. */
	struct error local = ERROR_INIT;
	struct error *e = err ? err : &local;
	size_t before = e->ndetails;
	check_payload(t->needs, facts, e);
	if (e->ndetails > before) {
		rc = error_set(err, ERR_INVALID, "%s is missing or has %zu wrong field(s)", action,
			       e->ndetails - before);
		goto out;
	}
	check_guard(t->guard, facts, e);
	if (e->ndetails > before) {
		rc = error_set(err, ERR_CONFLICT, "the permit does not allow %s now", action);
		goto out;
	}
	*out = outcome_of(t, facts);
out:
	error_release(&local);
	return rc;
}

size_t permit_allowed_actions(enum permit_state state, enum role role, const char *out[], size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < NTRANSITIONS; i++) {
		if (table[i].from != state || !(table[i].roles & ROLE_BIT(role)))
			continue;
		if (count < n)
			out[count] = action_names[table[i].action];
		count++;
	}
	return count;
}

bool permit_overrunning(const struct calendar *cal, enum permit_kind kind, enum permit_state state,
			day_t window_to, day_t today, day_t *from, int *days)
{
	if (kind != PERMIT_DIG_ROAD || state != PERMIT_APPROVED || window_to < 0)
		return false;
	day_t first = calendar_add_working_days(cal, window_to, 1);
	if (today < first)
		return false;
	if (from)
		*from = first;
	if (days)
		*days = calendar_working_days_between(cal, window_to, today);
	return true;
}

bool permit_post_check_due(const struct calendar *cal, int limit_days, day_t opened_on,
			   day_t today, day_t *due, int *days_overdue)
{
	if (limit_days <= 0 || opened_on < 0)
		return false;
	day_t d = calendar_add_working_days(cal, opened_on, limit_days);
	if (due)
		*due = d;
	if (days_overdue)
		*days_overdue = calendar_working_days_between(cal, d, today);
	return true;
}

bool permit_state_allows_works(enum permit_state state)
{
	return state == PERMIT_APPROVED;
}

bool permit_state_is_terminal(enum permit_state state)
{
	return state == PERMIT_REJECTED || state == PERMIT_CLOSED || state == PERMIT_EXPIRED ||
	       state == PERMIT_REVOKED;
}

static const char *name_of(const char *const names[], int n, int value)
{
	return value >= 0 && value < n ? names[value] : "unknown";
}

static int parse_name(const char *const names[], int n, const char *s, const char *what, int *out,
		      struct error *err)
{
	for (int i = 0; s && i < n; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return error_set(err, ERR_INVALID, "unknown permit %s '%s'", what, s ? s : "(null)");
}

const char *permit_kind_name(enum permit_kind kind)
{
	return name_of(kind_names, PERMIT_KIND_COUNT, kind);
}

const char *permit_state_name(enum permit_state state)
{
	return name_of(state_names, PERMIT_STATE_COUNT, state);
}

const char *permit_decision_name(enum permit_decision decision)
{
	return name_of(decision_names, PERMIT_DECISION_COUNT, decision);
}

const char *permit_action_name(enum permit_action action)
{
	return name_of(action_names, PERMIT_ACTION_COUNT, action);
}

int permit_kind_parse(const char *s, enum permit_kind *out, struct error *err)
{
	int v = 0;
	int rc = parse_name(kind_names, PERMIT_KIND_COUNT, s, "kind", &v, err);
	if (rc == 0)
		*out = (enum permit_kind)v;
	return rc;
}

int permit_state_parse(const char *s, enum permit_state *out, struct error *err)
{
	int v = 0;
	int rc = parse_name(state_names, PERMIT_STATE_COUNT, s, "state", &v, err);
	if (rc == 0)
		*out = (enum permit_state)v;
	return rc;
}

int permit_decision_parse(const char *s, enum permit_decision *out, struct error *err)
{
	int v = 0;
	int rc = parse_name(decision_names, PERMIT_DECISION_COUNT, s, "decision", &v, err);
	if (rc == 0)
		*out = (enum permit_decision)v;
	return rc;
}

int permit_action_parse(const char *s, enum permit_action *out, struct error *err)
{
	int v = 0;
	int rc = parse_name(action_names, PERMIT_ACTION_COUNT, s, "action", &v, err);
	if (rc == 0)
		*out = (enum permit_action)v;
	return rc;
}
