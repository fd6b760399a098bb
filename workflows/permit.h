/* The permit state machine (DESIGN.md §5) for dig-road, greening and planning permits. */
#ifndef WORKFLOWS_PERMIT_H
#define WORKFLOWS_PERMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "calendar.h"
#include "clock.h"
#include "codes.h"
#include "lib/error.h"
#include "role.h"

enum permit_kind { PERMIT_DIG_ROAD, PERMIT_GREENING, PERMIT_PLANNING, PERMIT_KIND_COUNT };

enum permit_state {
	PERMIT_SUBMITTED,
	PERMIT_UNDER_REVIEW,
	PERMIT_RETURNED,
	PERMIT_APPROVED,
	PERMIT_REJECTED,
	PERMIT_CLOSED,
	PERMIT_EXPIRED,
	PERMIT_REVOKED,
	PERMIT_STATE_COUNT
};

/* Kept apart from the state (as the UK permit API does): how the permit came to be decided. */
enum permit_decision {
	PERMIT_DECISION_NONE,
	PERMIT_DECISION_APPROVED,
	PERMIT_DECISION_APPROVED_ON_COMMITMENT, /* fast track: post-check follows */
	PERMIT_DECISION_DEEMED_APPROVED,	/* the authority stayed silent past its limit */
	PERMIT_DECISION_REJECTED,
	PERMIT_DECISION_COUNT
};

enum permit_action {
	PERMIT_ACCEPT,
	PERMIT_RETURN,
	PERMIT_SUPPLEMENT,
	PERMIT_APPROVE,
	PERMIT_REJECT,
	PERMIT_CLOSE,
	PERMIT_EXPIRE,
	PERMIT_REVOKE,
	PERMIT_FAST_TRACK,
	PERMIT_DEEM,
	PERMIT_INSPECT,
	PERMIT_POST_CHECK,
	PERMIT_REQUEST_EXTENSION,
	PERMIT_DECIDE_EXTENSION,
	PERMIT_REPORT_REINSTATED, /* utility: the dig is filled and the surface reinstated */
	PERMIT_REPORT_REMEDIED,	  /* utility: the remedial work after a failed inspection is done */
	PERMIT_ACTION_COUNT
};

/* The outcome of an inspection or a post-check. */
enum permit_result { PERMIT_RESULT_NONE, PERMIT_RESULT_PASS, PERMIT_RESULT_FAIL };

/* The authority's answer to a work-window extension request. */
enum permit_extension_decision {
	PERMIT_EXTENSION_NONE,
	PERMIT_EXTENSION_GRANT,
	PERMIT_EXTENSION_REFUSE
};

/* Tasks a transition opens for someone (bit set in permit_outcome.tasks). */
#define PERMIT_TASK_POST_CHECK (1u << 0) /* authority: check a fast-tracked permit afterwards */
#define PERMIT_TASK_REMEDIAL (1u << 1)	 /* utility: redo a reinstatement that failed inspection */
#define PERMIT_TASK_RECTIFICATION (1u << 2) /* applicant: put right what a post-check found */

/* The stage whose clock the caller starts when it files a permit in state submitted. */
#define PERMIT_FIRST_STAGE "acceptance"

/* One coded item: a missing/wrong item of a return, or a condition of an approval. Borrowed. */
struct permit_code {
	const char *code; /* required */
	const char *comment;
};

/*
 * The permit as it stands plus the action's payload (already parsed). Only the fields the
 * applied action reads matter. Everything is borrowed.
 */
struct permit_facts {
	/* the permit now */
	enum permit_kind kind;
	enum permit_decision decision;
	bool is_deemed;
	bool post_checked;
	bool extension_pending;
	day_t window_from, window_to; /* work window, inclusive */
	bool reinstatement_passed;    /* dig-road close: a reinstatement inspection has passed */
	bool works_started;	      /* a job needing the permit has started construction */
	int reinstatement_reports;    /* reports of reinstatement or remedial work so far */
	bool inspection_awaited;      /* a report has come since the last reinstatement inspection */
	bool remedial_open;	      /* a remedial task of a failed inspection is still open */
	bool own_remedial_open;	      /* report_remedied: the acting utility's own task is open */
	int utilities_sharing;	      /* inspect, close: utilities that dug under the permit */
	int utilities_reported;	      /* inspect, close: of them, those that reported reinstated */
	bool fast_track_eligible;     /* fast_track: the fast-track rule said yes at submission */
	bool deemed_allowed;	      /* deem: the standard says silence means approval */
	day_t due_day;		      /* deem: the running stage's due day */
	day_t today;
	/* payload */
	const struct permit_code *items; /* return: every missing/wrong item */
	size_t nitems;
	const struct permit_code *conditions; /* approve: optional conditions */
	size_t nconditions;
	const char *reason_code;   /* reject, revoke */
	enum permit_result result; /* inspect, post_check */
	const struct permit_code *result_codes; /* post_check fail: what it found (required) */
	size_t nresult_codes;
	size_t nphotos; /* post_check fail: the photos of what it found (required) */
	bool rectification_open; /* post_check: a failed check's rectification is still open */
	const struct code_lists *codes; /* the code lists in force: every code must be in its list
					   (NULL: not checked) */
	day_t extension_to; /* request_extension: the new window end asked for */
	day_t pending_extension_to; /* decide_extension: the end of the pending request (0: use
				       extension_to, as callers before this field did) */
	enum permit_extension_decision extension_decision; /* decide_extension */
};

/* The permit after the transition, and what the caller must do. Strings are static. */
struct permit_outcome {
	enum permit_state state;
	enum permit_decision decision;
	bool is_deemed;
	bool post_checked;
	bool extension_pending;
	day_t window_from, window_to;
	enum clock_effect clock;
	const char *stage; /* the stage to start when clock == CLOCK_START, else NULL */
	const char *event; /* e.g. "permit.approved" */
	unsigned tasks;	   /* PERMIT_TASK_* */
	bool issue_certificate;
	/* what the caller records besides the row */
	const char *inspection;	   /* "reinstatement" (inspect), "post_check", or NULL */
	bool reinstatement_passed; /* after an inspection, its result; else as it was */
	day_t extension_to;	   /* the pending request's end after the transition; -1: none */
	unsigned records;	   /* PERMIT_RECORD_* */
	const char *report;	   /* "reinstated" or "remedied": the utility's report to record */
};

/* Records a transition adds (bits of permit_outcome.records). */
#define PERMIT_RECORD_EXTENSION_REQUEST (1u << 0) /* the request, from window_to to its end */
#define PERMIT_RECORD_EXTENSION_DECISION (1u << 1) /* settles it: granted or refused */
#define PERMIT_RECORD_POST_CHECK_DONE (1u << 2) /* the permit's post-check task is done */
#define PERMIT_RECORD_REMEDIAL_DONE (1u << 3) /* the permit's remedial tasks are done */
#define PERMIT_RECORD_GUARANTEE (1u << 4) /* a dig-road permit closed: its guarantee period starts */

/*
 * Applies `action` (by name) by `actor` to a permit in state `from` (facts may be NULL only for
 * actions that read nothing). On success fills *out and returns 0. Failures, in this order:
 *   ERR_INVALID   unknown action;
 *   ERR_CONFLICT  the action does not exist in state `from` (see permit_allowed_actions);
 *   ERR_FORBIDDEN the action exists in `from` but not for this role;
 *   ERR_INVALID   payload missing or wrong: err->details lists every problem at once;
 *   ERR_CONFLICT  a precondition failed (one detail per failed condition): fast track not
 *                 eligible, deemed approval not allowed or not yet due, dig-road close without
 *                 a passed reinstatement or before every utility that dug reported, post-check
 *                 of a permit not on commitment, already checked, or with its rectification
 *                 open, a second pending extension, a decision with none pending, a
 *                 reinstatement reported before any works started or reported twice by the
 *                 same utility, remedial work reported with no remedial task open or by a
 *                 utility whose own is done, an inspection with no report of reinstatement (or
 *                 remedial work) since the last one, before every utility that dug under the
 *                 permit reported its dig reinstated, or while a remedial task is still open.
 * A request_extension after the window ended (today > window_to) is bad input (ERR_INVALID,
 * code window_ended): a window that ran out is overrun, not extended.
 * A failed post-check keeps the permit approved and asks for a rectification task
 * (PERMIT_TASK_RECTIFICATION); post_checked is set by a pass only.
 * *out is untouched on failure.
 */
int permit_apply(const struct permit_facts *facts, enum permit_state from, const char *action,
		 enum role actor, struct permit_outcome *out, struct error *err);

/*
 * Writes into out[0..n) the names of the actions `role` may take in `state` (table order) and
 * returns how many there are, which may exceed n. Names are static.
 */
size_t permit_allowed_actions(enum permit_state state, enum role role, const char *out[], size_t n);

/* True when works may go on under the permit (rule 4): it is approved and not yet ended. */
bool permit_state_allows_works(enum permit_state state);

/* True for rejected, closed, expired and revoked. */
bool permit_state_is_terminal(enum permit_state state);

/* Stable names; "unknown" when out of range. */
const char *permit_kind_name(enum permit_kind kind);
const char *permit_state_name(enum permit_state state);
const char *permit_decision_name(enum permit_decision decision);
const char *permit_action_name(enum permit_action action);

/* Parse a name. Return 0, or ERR_INVALID with a message in err (may be NULL). */
int permit_kind_parse(const char *s, enum permit_kind *out, struct error *err);
int permit_state_parse(const char *s, enum permit_state *out, struct error *err);
int permit_decision_parse(const char *s, enum permit_decision *out, struct error *err);
int permit_action_parse(const char *s, enum permit_action *out, struct error *err);

/*
 * The work window rule (issue #21): a dig-road permit still approved whose window ended on
 * window_to is overrunning from the next working day after it, whether or not an extension
 * request is pending (a pending request hides nothing; only a granted one moves window_to).
 * Returns whether it is overrunning on `today`; then *from is that first working day and *days
 * the working days overrun up to today (>= 1). Both may be NULL. A permit without a window
 * (window_to < 0) never overruns. Cannot fail.
 */
bool permit_overrunning(const struct calendar *cal, enum permit_kind kind, enum permit_state state,
			day_t window_to, day_t today, day_t *from, int *days);

/*
 * A fast-tracked permit's post-check (rule 6): opened on opened_on with a published limit of
 * limit_days working days, it is due at the end of the limit_days-th working day after that
 * (calendar_add_working_days). Returns false when no limit is published (limit_days <= 0):
 * nothing is due. Else *due is the due day and *days_overdue the working days past it on today
 * (0 while not overdue); either may be NULL. Cannot fail.
 */
bool permit_post_check_due(const struct calendar *cal, int limit_days, day_t opened_on,
			   day_t today, day_t *due, int *days_overdue);

#endif
