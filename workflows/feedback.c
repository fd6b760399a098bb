/* Ratings and follow-ups: what may be rated, what a rating opens, who settles a follow-up. */
#include "feedback.h"

#include <string.h>

#include "job.h"
#include "permit.h"

int feedback_rateable(const char *object_type, const char *state, const char *decision,
		      const char *reference, struct error *err)
{
	bool job = strcmp(object_type, "job") == 0;
	bool ready;
	if (job) {
		enum job_state st = JOB_STATE_COUNT;
		job_state_parse(state, &st, NULL);
		ready = st == JOB_COMPLETED;
	} else {
		enum permit_decision d = PERMIT_DECISION_NONE;
		permit_decision_parse(decision, &d, NULL);
		ready = d != PERMIT_DECISION_NONE;
	}
	if (ready)
		return 0;
	return error_set(err, ERR_CONFLICT, "%s %s can be rated once it is %s", object_type,
			 reference, job ? "completed" : "decided");
}

bool feedback_opens_follow_up(const char *score)
{
	return score && strcmp(score, "bad") == 0;
}

int feedback_settle(const char *status, bool close, enum role actor, struct error *err)
{
	bool office = actor == ROLE_OFFICE;
	if (close && !office)
		return error_set(err, ERR_FORBIDDEN, "the office closes follow-ups");
	if (!close && office)
		return error_set(err, ERR_FORBIDDEN, "the rated organisation answers");
	if (strcmp(status, "closed") == 0 || (!close && strcmp(status, "open") != 0))
		return error_set(err, ERR_CONFLICT, "the follow-up is already %s", status);
	return 0;
}
