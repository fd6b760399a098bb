/* Trench sharing across applications: the decision on a joint-dig proposal. */
#include "jointdig.h"

static day_t earlier(day_t a, day_t b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

static day_t later(day_t a, day_t b)
{
	return a > b ? a : b;
}

int jointdig_decide(const struct jointdig_permit p[2], bool accept, enum role actor,
		    struct jointdig_outcome *out, struct error *err)
{
	if (actor != ROLE_AUTHORITY && actor != ROLE_OFFICE)
		return error_set(err, ERR_FORBIDDEN, "the road authority decides joint digs");
	int first = -1;
	for (int i = 0; accept && i < 2; i++) {
		if (!permit_state_is_terminal(p[i].state))
			continue;
		error_add(err, p[i].ref, "ended", "%s is %s: no joint dig any more", p[i].ref,
			  permit_state_name(p[i].state));
		first = first < 0 ? i : first;
	}
	if (first >= 0)
		return error_set(err, ERR_CONFLICT, "%s is %s: no joint dig any more", p[first].ref,
				 permit_state_name(p[first].state));
	*out = (struct jointdig_outcome){
		.accepted = accept,
		.window_from = earlier(p[0].window_from, p[1].window_from),
		.window_to = later(p[0].window_to, p[1].window_to),
		.action = accept ? "joint_dig" : "joint_dig_declined",
		.event = accept ? "permit.joint_dig" : "permit.joint_dig_declined",
		.status = accept ? "accepted" : "declined",
	};
	return 0;
}
