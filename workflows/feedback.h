/*
 * Ratings and their follow-ups (DESIGN.md rule 12, list item 40) as rules: what may be rated
 * and when, what a rating opens, and who moves a follow-up on. Pure.
 */
#ifndef WORKFLOWS_FEEDBACK_H
#define WORKFLOWS_FEEDBACK_H

#include <stdbool.h>

#include "lib/error.h"
#include "role.h"

/*
 * Whether a "job" in `state` or a "permit" with `decision` ("none" before one) can be rated:
 * a job once its connection is completed, a permit once decided. 0, or ERR_CONFLICT naming
 * reference and what it waits for.
 */
int feedback_rateable(const char *object_type, const char *state, const char *decision,
		      const char *reference, struct error *err);

/* True when a rating of this score ("good", "average", "bad") opens a follow-up. */
bool feedback_opens_follow_up(const char *score);

/*
 * Whether `actor` may answer (close false) or close (close true) a follow-up in `status`
 * ("open", "answered", "closed"): the rated organisation answers an open one, the office
 * closes one not yet closed. 0, ERR_FORBIDDEN for the wrong party, ERR_CONFLICT when the
 * status does not allow it.
 */
int feedback_settle(const char *status, bool close, enum role actor, struct error *err);

#endif
