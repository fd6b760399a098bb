/* The stage clock: start, pause for a supplement, resume, and lateness, all in working days. */
#include "clock.h"

#include <string.h>

int clock_start(struct clock *c, const struct calendar *cal, int limit_days, int64_t start_utc,
		struct error *err)
{
	if (limit_days < 0)
		return error_set(err, ERR_INVALID, "a stage limit cannot be negative (%d)",
				 limit_days);
	day_t received = calendar_received_day(cal, start_utc);
	*c = (struct clock){
	    .limit_days = limit_days,
	    .started_day = received,
	    .due_day = calendar_add_working_days(cal, received, limit_days),
	};
	return 0;
}

/* Office and public supervise or watch; the applicant owes the supplement and cannot pause. */
static bool may_pause(enum role actor)
{
	return actor == ROLE_UTILITY || actor == ROLE_AUTHORITY || actor == ROLE_SYSTEM;
}

int clock_pause(struct clock *c, const struct calendar *cal, int64_t at_utc, const char *reason,
		enum role actor, struct clock_pause *rec, struct error *err)
{
	if (c->paused)
		return error_set(err, ERR_CONFLICT, "the clock is already paused");
	if (!reason || strcmp(reason, CLOCK_REASON_SUPPLEMENT) != 0)
		return error_set(err, ERR_INVALID,
				 "a clock pauses only while a supplement is owed");
	if (!may_pause(actor))
		return error_set(err, ERR_FORBIDDEN, "the %s cannot pause a clock",
				 role_name(actor));

	day_t day = cal_day_of_instant(at_utc);
	/* working_days_between is 0 when day >= due_day, so a late stage resumes still late. */
	c->paused = true;
	c->paused_day = day;
	c->remaining_days = calendar_working_days_between(cal, day, c->due_day);
	if (rec)
		*rec = (struct clock_pause){day, reason, actor, c->remaining_days};
	return 0;
}

int clock_resume(struct clock *c, const struct calendar *cal, int64_t at_utc, struct error *err)
{
	if (!c->paused)
		return error_set(err, ERR_CONFLICT, "the clock is not paused");
	day_t received = calendar_received_day(cal, at_utc);
	c->due_day = calendar_add_working_days(cal, received, c->remaining_days);
	c->paused = false;
	return 0;
}

bool clock_overdue(const struct clock *c, day_t today)
{
	return !c->paused && today > c->due_day;
}

int clock_days_overdue(const struct clock *c, const struct calendar *cal, day_t today)
{
	if (!clock_overdue(c, today))
		return 0;
	return calendar_working_days_between(cal, c->due_day, today);
}
