/* The utility job state machine: one table row per allowed (state, action), checked in order. */
#include "job.h"

#include <stdio.h>
#include <string.h>

/* Payload an action must carry; checked all at once so every gap is reported together. */
enum need {
	NEED_ITEMS = 1 << 0,		/* return: at least one {code, comment} */
	NEED_REASON = 1 << 1,		/* reject: a reason code */
	NEED_CONNECTION_POINT = 1 << 2, /* survey */
	NEED_QUOTE = 1 << 3,		/* plan: quote lines */
	NEED_PERMIT_LIST = 1 << 4,	/* plan: the permits the works need */
	NEED_AGREED_POINT = 1 << 5,	/* confirm_point: a point agreed at guidance */
};

/* Preconditions on facts beyond the payload. */
enum guard {
	NO_GUARD,
	PERMITS_READY, /* every needed permit approved and today inside its work window */
};

struct transition {
	enum job_state from;
	enum job_action action;
	unsigned roles;
	enum job_state to;
	unsigned needs;
	enum guard guard;
	enum clock_effect clock;
	const char *stage;
	const char *event;
	bool certificate;
	unsigned effects; /* JOB_EFFECT_*: what the caller records besides the state */
};

#define APPLICANT ROLE_BIT(ROLE_APPLICANT)
#define UTILITY ROLE_BIT(ROLE_UTILITY)

/*
 * DESIGN.md §5, top to bottom. The utility's clock runs while the job waits for the utility;
 * the applicant's turns (confirm) and the wait for permits run no utility clock.
 */
// clang-format off
/* Any non-terminal state --withdraw(applicant)--> withdrawn. */
#define WITHDRAW_FROM(state) \
	{ state, JOB_WITHDRAW, APPLICANT, JOB_WITHDRAWN, \
	  0, NO_GUARD, CLOCK_STOP, NULL, "job.withdrawn", false, 0 }

static const struct transition table[] = {
	/* from             action                  by         to
	   needs                  guard          clock         stage           event          cert */
	{ JOB_SUBMITTED,    JOB_ACCEPT,             UTILITY,   JOB_ACCEPTED,
	  0,                      NO_GUARD,      CLOCK_START,  "survey",       "job.accepted", false, 0 },
	{ JOB_SUBMITTED,    JOB_RETURN,             UTILITY,   JOB_RETURNED,
	  NEED_ITEMS,             NO_GUARD,      CLOCK_PAUSE,  NULL,           "job.returned", false, 0 },
	{ JOB_RETURNED,     JOB_SUPPLEMENT,         APPLICANT, JOB_SUBMITTED,
	  0,                      NO_GUARD,      CLOCK_RESUME, NULL,           "job.supplemented", false, 0 },
	/* issue #20: the point agreed at guidance is confirmed; the survey stage is skipped */
	{ JOB_SUBMITTED,    JOB_CONFIRM_POINT,      UTILITY,   JOB_SURVEYED,
	  NEED_AGREED_POINT,      NO_GUARD,      CLOCK_START,  "plan",         "job.point_confirmed",
	  false, 0 },
	/* ... or after accepting: keeping the agreed point needs no survey and no reason code */
	{ JOB_ACCEPTED,     JOB_CONFIRM_POINT,      UTILITY,   JOB_SURVEYED,
	  NEED_AGREED_POINT,      NO_GUARD,      CLOCK_START,  "plan",         "job.point_confirmed",
	  false, 0 },
	{ JOB_SUBMITTED,    JOB_REJECT,             UTILITY,   JOB_REJECTED,
	  NEED_REASON,            NO_GUARD,      CLOCK_STOP,   NULL,           "job.rejected", false, 0 },
	{ JOB_ACCEPTED,     JOB_SURVEY,             UTILITY,   JOB_SURVEYED,
	  NEED_CONNECTION_POINT,  NO_GUARD,      CLOCK_START,  "plan",         "job.surveyed", false,
	  JOB_EFFECT_CONNECTION_POINT },
	{ JOB_SURVEYED,     JOB_PLAN,               UTILITY,   JOB_PLANNED,
	  NEED_QUOTE | NEED_PERMIT_LIST, NO_GUARD, CLOCK_STOP, NULL,           "job.planned",  false,
	  JOB_EFFECT_QUOTE | JOB_EFFECT_PERMITS },
	{ JOB_PLANNED,      JOB_CONFIRM,            APPLICANT, JOB_CONFIRMED,
	  0,                      NO_GUARD,      CLOCK_KEEP,   NULL,           "job.confirmed", false, 0 },
	{ JOB_CONFIRMED,    JOB_START_CONSTRUCTION, UTILITY,   JOB_CONSTRUCTING,
	  0,                      PERMITS_READY, CLOCK_START,  "construction",
	  "job.construction_started", false, 0 },
	{ JOB_CONSTRUCTING, JOB_CONNECT,            UTILITY,   JOB_CONNECTED,
	  0,                      NO_GUARD,      CLOCK_START,  "completion",   "job.connected", false, 0 },
	{ JOB_CONNECTED,    JOB_COMPLETE,           UTILITY,   JOB_COMPLETED,
	  0,                      NO_GUARD,      CLOCK_STOP,   NULL,           "job.completed", true, 0 },
	WITHDRAW_FROM(JOB_SUBMITTED),
	WITHDRAW_FROM(JOB_ACCEPTED),
	WITHDRAW_FROM(JOB_RETURNED),
	WITHDRAW_FROM(JOB_SURVEYED),
	WITHDRAW_FROM(JOB_PLANNED),
	WITHDRAW_FROM(JOB_CONFIRMED),
	WITHDRAW_FROM(JOB_CONSTRUCTING),
	WITHDRAW_FROM(JOB_CONNECTED),
};
// clang-format on

#define NTRANSITIONS (sizeof(table) / sizeof(table[0]))

static const char *const state_names[JOB_STATE_COUNT] = {
    [JOB_SUBMITTED] = "submitted", [JOB_ACCEPTED] = "accepted",
    [JOB_RETURNED] = "returned",   [JOB_REJECTED] = "rejected",
    [JOB_SURVEYED] = "surveyed",   [JOB_PLANNED] = "planned",
    [JOB_CONFIRMED] = "confirmed", [JOB_CONSTRUCTING] = "constructing",
    [JOB_CONNECTED] = "connected", [JOB_COMPLETED] = "completed",
    [JOB_WITHDRAWN] = "withdrawn",
};

static const char *const action_names[JOB_ACTION_COUNT] = {
    [JOB_ACCEPT] = "accept",	     [JOB_RETURN] = "return",
    [JOB_SUPPLEMENT] = "supplement", [JOB_REJECT] = "reject",
    [JOB_SURVEY] = "survey",	     [JOB_PLAN] = "plan",
    [JOB_CONFIRM] = "confirm",	     [JOB_START_CONSTRUCTION] = "start_construction",
    [JOB_CONNECT] = "connect",	     [JOB_COMPLETE] = "complete",
    [JOB_WITHDRAW] = "withdraw",     [JOB_CONFIRM_POINT] = "confirm_point",
};

static bool empty(const char *s)
{
	return !s || !*s;
}

static const struct transition *find(enum job_state from, enum job_action action)
{
	for (size_t i = 0; i < NTRANSITIONS; i++)
		if (table[i].from == from && table[i].action == action)
			return &table[i];
	return NULL;
}

/* Adds one detail per missing or wrong payload field; the caller counts them. */
static void check_payload(unsigned needs, const struct job_facts *f, struct error *err)
{
	if ((needs & NEED_ITEMS) && (f->nitems == 0 || !f->items))
		error_add(err, "items", "required", "a return lists every missing or wrong item");
	if ((needs & NEED_ITEMS) && f->items) {
		char field[40];
		for (size_t i = 0; i < f->nitems; i++) {
			snprintf(field, sizeof(field), "items[%zu].code", i);
			if (empty(f->items[i].code))
				error_add(err, field, "required", "item %zu has no code", i + 1);
			else
				codes_check(f->codes, CODES_RETURN_ITEM, field, f->items[i].code, err);
		}
	}
	if ((needs & NEED_REASON) && empty(f->reason_code))
		error_add(err, "reason_code", "required", "a rejection needs a reason code");
	else if (needs & NEED_REASON)
		codes_check(f->codes, CODES_REJECT_REASON, "reason_code", f->reason_code, err);
	if ((needs & NEED_CONNECTION_POINT) && !f->has_connection_point)
		error_add(err, "connection_point", "required",
			  "a survey fixes the connection point");
	/* a survey after guidance changes the agreed point: it says why, from the published list */
	if ((needs & NEED_CONNECTION_POINT) && f->agreed_point && empty(f->reason_code))
		error_add(err, "reason_code", "required",
			  "the connection point was agreed at guidance: a change needs a reason code "
			  "(point_change), or confirm_point keeps it");
	else if ((needs & NEED_CONNECTION_POINT) && f->agreed_point)
		codes_check(f->codes, CODES_POINT_CHANGE, "reason_code", f->reason_code, err);
	if ((needs & NEED_AGREED_POINT) && !f->agreed_point)
		error_add(err, "connection_point", "not_agreed",
			  "no connection point was agreed at guidance for this job: survey it");
	if ((needs & NEED_QUOTE) && f->nquote_lines == 0)
		error_add(err, "quote", "required", "a plan carries the quote");
	if ((needs & NEED_PERMIT_LIST) && !f->permits_listed)
		error_add(err, "permits_needed", "required",
			  "a plan lists the permits the works need (possibly none)");
}

/* Rule 4: construction waits for every needed permit and for its work window. */
static void check_permits_ready(const struct job_facts *f, struct error *err)
{
	char a[11], b[11], t[11];
	for (size_t i = 0; i < f->npermits; i++) {
		const struct job_permit_need *p = &f->permits[i];
		const char *ref = empty(p->ref) ? "(unnamed permit)" : p->ref;
		if (!p->approved) {
			error_add(err, ref, "permit_not_approved", "permit %s is not approved",
				  ref);
		} else if (f->today < p->window_from || f->today > p->window_to) {
			error_add(err, ref, "outside_work_window",
				  "%s is outside permit %s's work window %s..%s",
				  cal_day_format(f->today, t), ref,
				  cal_day_format(p->window_from, a),
				  cal_day_format(p->window_to, b));
		}
	}
}

int job_apply(const struct job_facts *facts, enum job_state from, const char *action,
	      enum role actor, struct job_outcome *out, struct error *err)
{
	static const struct job_facts no_facts;
	if (!facts)
		facts = &no_facts;
	enum job_action act = JOB_ACTION_COUNT;
	int rc = job_action_parse(action, &act, err);
	if (rc)
		return rc;
	const struct transition *t = find(from, act);
	if (!t)
		return error_set(err, ERR_CONFLICT, "a job in state %s cannot be %s",
				 job_state_name(from), action);
	if (!(t->roles & ROLE_BIT(actor)))
		return error_set(err, ERR_FORBIDDEN, "the %s cannot %s a job", role_name(actor),
				 action);

	/* Count details added here only, in case the caller's err already holds some. */
	size_t before = err ? err->ndetails : 0;
	struct error local = ERROR_INIT;
	struct error *e = err ? err : &local;
	check_payload(t->needs, facts, e);
	if (e->ndetails > before) {
		rc = error_set(err, ERR_INVALID, "%s is missing or has %zu wrong field(s)", action,
			       e->ndetails - before);
		goto out;
	}
	if (t->guard == PERMITS_READY)
		check_permits_ready(facts, e);
	if (e->ndetails > before) {
		rc = error_set(err, ERR_CONFLICT, "%zu permit(s) do not allow construction today",
			       e->ndetails - before);
		goto out;
	}
	*out = (struct job_outcome){t->to, t->clock, t->stage, t->event, t->certificate, t->effects};
out:
	error_release(&local);
	return rc;
}

size_t job_allowed_actions(enum job_state state, enum role role, const char *out[], size_t n)
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

bool job_state_is_terminal(enum job_state state)
{
	return state == JOB_REJECTED || state == JOB_COMPLETED || state == JOB_WITHDRAWN;
}

const char *job_state_name(enum job_state state)
{
	return (unsigned)state < JOB_STATE_COUNT ? state_names[state] : "unknown";
}

const char *job_action_name(enum job_action action)
{
	return (unsigned)action < JOB_ACTION_COUNT ? action_names[action] : "unknown";
}

int job_state_parse(const char *s, enum job_state *out, struct error *err)
{
	for (int i = 0; s && i < JOB_STATE_COUNT; i++) {
		if (strcmp(s, state_names[i]) == 0) {
			*out = (enum job_state)i;
			return 0;
		}
	}
	return error_set(err, ERR_INVALID, "unknown job state '%s'", s ? s : "(null)");
}

int job_action_parse(const char *s, enum job_action *out, struct error *err)
{
	for (int i = 0; s && i < JOB_ACTION_COUNT; i++) {
		if (strcmp(s, action_names[i]) == 0) {
			*out = (enum job_action)i;
			return 0;
		}
	}
	return error_set(err, ERR_INVALID, "unknown job action '%s'", s ? s : "(null)");
}

/*
 * Marks the options an entry of the plan's list names: the permit with that reference, or, for
 * a permit kind, those of the kind that cover the job's own digs (all of the kind when none
 * does). Returns how many it matched, and in *fresh how many were not marked before.
 */
static size_t mark_listed(const struct job_permit_option *opts, size_t nopts, const char *entry,
			  bool *need, size_t *fresh)
{
	size_t matched = 0, own = 0;
	*fresh = 0;
	for (size_t k = 0; k < nopts; k++)
		if (!strcmp(opts[k].ref, entry)) {
			*fresh += !need[k];
			need[k] = true;
			return 1;
		}
	for (size_t k = 0; k < nopts; k++)
		own += opts[k].kind && !strcmp(opts[k].kind, entry) && opts[k].dug_by_job;
	for (size_t k = 0; k < nopts; k++) {
		if (!opts[k].kind || strcmp(opts[k].kind, entry) != 0 || (own && !opts[k].dug_by_job))
			continue;
		matched++;
		*fresh += !need[k];
		need[k] = true;
	}
	return matched;
}

int job_plan_permits(const struct job_permit_option *opts, size_t nopts,
		     const char *const *listed, size_t nlisted, bool *need, struct error *err)
{
	size_t bad = 0, fresh;
	char field[48];
	for (size_t k = 0; k < nopts; k++)
		need[k] = false;
	for (size_t i = 0; i < nlisted; i++) {
		snprintf(field, sizeof(field), "permits_needed[%zu]", i);
		if (empty(listed[i]) || !mark_listed(opts, nopts, listed[i], need, &fresh)) {
			error_add(err, field, "unknown", "%s is not a permit of this application",
				  empty(listed[i]) ? "(not a reference)" : listed[i]);
			bad++;
		} else if (!fresh) {
			error_add(err, field, "duplicate", "%s is listed twice", listed[i]);
			bad++;
		}
	}
	for (size_t k = 0; k < nopts; k++) {
		if (!opts[k].dug_by_job || need[k])
			continue;
		error_add(err, "permits_needed", "required",
			  "%s covers this job's own excavation and cannot be left out", opts[k].ref);
		bad++;
	}
	if (bad)
		return error_set(err, ERR_INVALID, "the plan's permit list has %zu problem(s)", bad);
	return 0;
}
