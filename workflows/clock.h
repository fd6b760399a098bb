/* The time-limit clock of one stage of a job or permit, counted in working days. Pure. */
#ifndef WORKFLOWS_CLOCK_H
#define WORKFLOWS_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "calendar.h"
#include "lib/error.h"
#include "role.h"

/*
 * What a transition asks the caller to do with the stage clock (see job.h, permit.h).
 * START ends the running stage (if any) and starts the named one.
 */
enum clock_effect {
	CLOCK_KEEP,   /* leave the clock as it is */
	CLOCK_START,  /* start the stage named in the outcome */
	CLOCK_PAUSE,  /* the applicant now owes a supplement */
	CLOCK_RESUME, /* the supplement arrived */
	CLOCK_STOP,   /* the stage ended and no new one starts */
};

/* The only reason a clock may pause (rule 7): the applicant owes a supplement. */
#define CLOCK_REASON_SUPPLEMENT "supplement"

/*
 * A stage clock. Plain data so the store can persist it column by column. While paused,
 * due_day is stale and remaining_days is what counts.
 */
struct clock {
	int limit_days;	    /* the published limit, working days */
	day_t started_day;  /* the day the stage counts as received */
	day_t due_day;	    /* due at the end of this day */
	bool paused;	    /* true while the applicant owes a supplement */
	day_t paused_day;   /* local date of the pause (valid while paused) */
	int remaining_days; /* working days left at the pause (valid while paused) */
};

/* What a pause records for supervisors; `reason` is borrowed from the caller. */
struct clock_pause {
	day_t day;
	const char *reason;
	enum role actor;
	int remaining_days;
};

/*
 * Starts a stage of limit_days working days at the UTC instant start_utc: started_day is the
 * received day (next working day after the cut-off or on a non-working day) and due_day is
 * limit_days working days after it. Returns 0, or ERR_INVALID when limit_days < 0.
 */
int clock_start(struct clock *c, const struct calendar *cal, int limit_days, int64_t start_utc,
		struct error *err);

/*
 * Pauses the clock at the UTC instant at_utc: remaining_days becomes the working days after
 * the pause's local date up to due_day (0 if already past due). `reason` must be
 * CLOCK_REASON_SUPPLEMENT (anything else is a hidden pause: ERR_INVALID), and only the party
 * that returned the file (utility, authority) or the system may pause (else ERR_FORBIDDEN).
 * Pausing a paused clock is ERR_CONFLICT. On success fills *rec (may be NULL); on failure the
 * clock is unchanged.
 */
int clock_pause(struct clock *c, const struct calendar *cal, int64_t at_utc, const char *reason,
		enum role actor, struct clock_pause *rec, struct error *err);

/*
 * Resumes a paused clock at the UTC instant at_utc: due_day becomes remaining_days working days
 * after the resume's received day. Resuming a running clock is ERR_CONFLICT (clock unchanged).
 */
int clock_resume(struct clock *c, const struct calendar *cal, int64_t at_utc, struct error *err);

/* True when the clock runs and `today` is after the due day. A paused clock is never overdue. */
bool clock_overdue(const struct clock *c, day_t today);

/*
 * Working days late: working days after due_day up to and including today; 0 when not
 * overdue. It can be 0 while clock_overdue is true, when only non-working days have passed.
 */
int clock_days_overdue(const struct clock *c, const struct calendar *cal, day_t today);

#endif
