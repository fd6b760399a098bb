/*
 * Trench sharing across applications (DESIGN.md rule 16): the road authority's decision on a
 * proposal that two permits dig as one, as data. Pure.
 */
#ifndef WORKFLOWS_JOINTDIG_H
#define WORKFLOWS_JOINTDIG_H

#include <stdbool.h>

#include "calendar.h"
#include "lib/error.h"
#include "permit.h"
#include "role.h"

/* One permit of a proposal as it stands. Borrowed. */
struct jointdig_permit {
	const char *ref;
	enum permit_state state;
	day_t window_from, window_to; /* -1 when none */
};

/* What the decision does to both permits. Strings are static. */
struct jointdig_outcome {
	bool accepted;
	day_t window_from, window_to; /* accepted: the one window both permits get */
	const char *action;	      /* the history's action: "joint_dig", "joint_dig_declined" */
	const char *event;	      /* the audit's: "permit.joint_dig", "permit.joint_dig_declined" */
	const char *status;	      /* the proposal's: "accepted", "declined" */
};

/*
 * Decides a proposal on permits p[0] and p[1] by `actor`. Accepting merges their work windows
 * into one from the earlier start to the later end. Fails, leaving *out untouched, with
 * ERR_FORBIDDEN when the actor is neither an authority nor the office, or ERR_CONFLICT (one
 * detail per permit, field its reference) when accepting and a permit has ended (closed,
 * rejected, revoked, expired). Declining is always possible.
 */
int jointdig_decide(const struct jointdig_permit p[2], bool accept, enum role actor,
		    struct jointdig_outcome *out, struct error *err);

#endif
