/* The utility job state machine (DESIGN.md §5) as a transition table: who may do what, when. */
#ifndef WORKFLOWS_JOB_H
#define WORKFLOWS_JOB_H

#include <stdbool.h>
#include <stddef.h>

#include "calendar.h"
#include "clock.h"
#include "codes.h"
#include "lib/error.h"
#include "role.h"

enum job_state {
	JOB_SUBMITTED,
	JOB_ACCEPTED,
	JOB_RETURNED,
	JOB_REJECTED,
	JOB_SURVEYED,
	JOB_PLANNED,
	JOB_CONFIRMED,
	JOB_CONSTRUCTING,
	JOB_CONNECTED,
	JOB_COMPLETED,
	JOB_WITHDRAWN,
	JOB_STATE_COUNT
};

enum job_action {
	JOB_ACCEPT,
	JOB_RETURN,
	JOB_SUPPLEMENT,
	JOB_REJECT,
	JOB_SURVEY,
	JOB_PLAN,
	JOB_CONFIRM,
	JOB_START_CONSTRUCTION,
	JOB_CONNECT,
	JOB_COMPLETE,
	JOB_WITHDRAW,
	JOB_CONFIRM_POINT, /* accept and confirm the point agreed at guidance: no survey (#20) */
	JOB_ACTION_COUNT
};

/* The stage whose clock the caller starts when it creates a job in state submitted. */
#define JOB_FIRST_STAGE "acceptance"

/* One missing or wrong item of a return (one-time notice). Strings are borrowed. */
struct job_item {
	const char *code;    /* required: a published item code */
	const char *comment; /* optional: what exactly to fix */
};

/* A permit the job's works need, as the start_construction guard sees it. */
struct job_permit_need {
	const char *ref; /* the permit's reference, named in error details */
	bool approved;
	day_t window_from; /* work window, inclusive */
	day_t window_to;
};

/* A permit of the job's application, as the plan's permit list is checked against it. */
struct job_permit_option {
	const char *ref;  /* its reference (borrowed) */
	const char *kind; /* "dig_road", "greening", "planning" (borrowed; may be NULL) */
	bool dug_by_job;  /* it covers one of this job's own excavations */
};

/*
 * The plan's permit list decides which permits gate the job's construction (rule 4): need[k]
 * is set for each of the nopts options that listed[0..nlisted) names, by reference or by kind
 * (a kind names the permits of that kind that cover the job's own digs, or every one of the
 * kind when none does, as a utility's system that knows no references says it; an entry that
 * is not text is NULL). A plan may drop a permit the application triggered for other reasons
 * (greening, planning), but never one that covers the job's own excavation. Returns 0, or
 * ERR_INVALID listing every problem: "permits_needed[i]" "unknown" (not a permit of this
 * application) or "duplicate", and "permits_needed" "required" naming each permit of the
 * job's own digs that is missing. need has nopts entries; it is filled on failure too.
 */
int job_plan_permits(const struct job_permit_option *opts, size_t nopts,
		     const char *const *listed, size_t nlisted, bool *need, struct error *err);

/*
 * What the guards need: the action's payload (already parsed) and the facts around the job.
 * Only the fields of the action being applied are read. Everything is borrowed.
 */
struct job_facts {
	const struct job_item *items; /* return */
	size_t nitems;
	const char *reason_code;   /* reject */
	bool has_connection_point; /* survey */
	bool agreed_point; /* the job started with a connection point agreed at guidance (#20):
			      confirm_point needs it; a survey then changes the point and must
			      carry a reason_code from the point_change list */
	size_t nquote_lines;	   /* plan: published fee items x quantities */
	bool permits_listed;	   /* plan: the list of needed permits was given (may be empty) */
	const struct job_permit_need *permits; /* plan's list; start_construction's guard */
	size_t npermits;
	day_t today; /* start_construction: must be inside every permit's window */
	const struct code_lists *codes; /* the code lists in force: return items and reasons must be
					   listed (NULL: not checked) */
};

/* What a transition records besides the state (bits of job_outcome.effects). */
#define JOB_EFFECT_CONNECTION_POINT (1u << 0) /* survey: the connection point as given */
#define JOB_EFFECT_QUOTE (1u << 1)	      /* plan: the quote, checked against the schedule */
#define JOB_EFFECT_PERMITS (1u << 2) /* plan: the permit list replaces the construction gate */

/* What a transition decides. Strings are static. */
struct job_outcome {
	enum job_state state;
	enum clock_effect clock;
	const char *stage; /* the stage to start when clock == CLOCK_START, else NULL */
	const char *event; /* the event to emit, e.g. "job.accepted" */
	bool issue_certificate;
	unsigned effects; /* JOB_EFFECT_* */
};

/*
 * Applies `action` (by name) by `actor` to a job in state `from`; facts may be NULL for actions
 * that carry nothing. On success fills *out and returns 0. Failures, checked in this order:
 *   ERR_INVALID   unknown action;
 *   ERR_CONFLICT  the action does not exist in state `from` (message names the state; list the
 *                 allowed ones with job_allowed_actions);
 *   ERR_FORBIDDEN the action exists in `from` but not for this role;
 *   ERR_INVALID   payload missing or wrong: err->details lists every problem at once;
 *   ERR_CONFLICT  a guard failed: for start_construction one detail per permit that is not
 *                 approved or whose work window does not contain facts->today.
 * *out is untouched on failure.
 */
int job_apply(const struct job_facts *facts, enum job_state from, const char *action,
	      enum role actor, struct job_outcome *out, struct error *err);

/*
 * Writes into out[0..n) the names of the actions `role` may take in `state` (table order) and
 * returns how many there are, which may exceed n. Names are static.
 */
size_t job_allowed_actions(enum job_state state, enum role role, const char *out[], size_t n);

/* True for rejected, completed and withdrawn: nothing more can happen. */
bool job_state_is_terminal(enum job_state state);

/* Stable names ("submitted", "start_construction"...); "unknown" when out of range. */
const char *job_state_name(enum job_state state);
const char *job_action_name(enum job_action action);

/* Parse a name. Return 0, or ERR_INVALID with a message in err (may be NULL). */
int job_state_parse(const char *s, enum job_state *out, struct error *err);
int job_action_parse(const char *s, enum job_action *out, struct error *err);

#endif
