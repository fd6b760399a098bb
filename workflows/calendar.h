/* Dates in Asia/Shanghai and the office's published working-day calendar. Pure: no I/O, no clock. */
#ifndef WORKFLOWS_CALENDAR_H
#define WORKFLOWS_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"

/* A calendar date as a day number: days since 1970-01-01 (day 0 is a Thursday). */
typedef int32_t day_t;

/* Asia/Shanghai is UTC+8 all year (no daylight saving since 1991). */
#define CAL_TZ_OFFSET_SECONDS (8 * 3600)

/* Day number of a proleptic Gregorian date; no range check beyond 1..12 / 1..31. */
day_t cal_day_from_ymd(int y, int m, int d);

/* Splits a day number into year, month (1-12) and day (1-31). Any pointer may be NULL. */
void cal_day_to_ymd(day_t day, int *y, int *m, int *d);

/* 0 = Monday ... 6 = Sunday. */
int cal_weekday(day_t day);

/*
 * Parses exactly "YYYY-MM-DD" (a real date: 2026-02-30 is refused). Returns 0, or ERR_MALFORMED
 * with a message in err (may be NULL).
 */
int cal_day_parse(const char *s, day_t *out, struct error *err);

/* Writes "YYYY-MM-DD" and a NUL into buf (at least 11 bytes). Returns buf. */
char *cal_day_format(day_t day, char buf[static 11]);

/* The Asia/Shanghai calendar date of a UTC instant (seconds since the epoch). */
day_t cal_day_of_instant(int64_t utc_seconds);

/* Seconds after local (Asia/Shanghai) midnight of a UTC instant, 0..86399. */
int cal_local_seconds_of_day(int64_t utc_seconds);

/*
 * The published calendar: public holidays (days off even on weekdays) and make-up working days
 * (weekend days that are worked). Arrays are sorted ascending, no duplicates; the struct does
 * not own them unless built with calendar_add_* (then calendar_release frees them).
 */
struct calendar {
	day_t *holidays;
	int nholidays;
	day_t *makeup;
	int nmakeup;
	int cutoff_seconds; /* daily receiving cut-off, seconds after local midnight (e.g. 17:00) */
};

/* Empty calendar (weekends off only), cut-off 17:00. */
void calendar_init(struct calendar *cal);

/* Adds one holiday day or one make-up working day, keeping the arrays sorted and unique. */
void calendar_add_holiday(struct calendar *cal, day_t day);
void calendar_add_makeup(struct calendar *cal, day_t day);

/* Frees the arrays added with calendar_add_*; the calendar is empty afterwards. */
void calendar_release(struct calendar *cal);

/* A make-up day is a working day; else a holiday is not; else Monday-Friday are. */
bool calendar_is_working_day(const struct calendar *cal, day_t day);

/*
 * The due date of a stage of n working days starting on `start`: the nth working day after
 * start (the start day itself does not count). n == 0 returns start. n < 0 is treated as 0.
 */
day_t calendar_add_working_days(const struct calendar *cal, day_t start, int n);

/*
 * The day a thing received at utc_seconds counts as received: its local date, or the next
 * working day when it arrives on a non-working day or after the daily cut-off.
 */
day_t calendar_received_day(const struct calendar *cal, int64_t utc_seconds);

/*
 * The due day of a limit of n working days for a thing received at utc_seconds: n working days
 * after its received day (calendar_received_day), as every stage clock counts (DESIGN.md §5).
 */
day_t calendar_due(const struct calendar *cal, int64_t utc_seconds, int n);

/*
 * Working days strictly after day `from` up to and including day `to` (0 when to <= from).
 * So calendar_working_days_between(c, s, calendar_add_working_days(c, s, n)) == n.
 */
int calendar_working_days_between(const struct calendar *cal, day_t from, day_t to);

#endif
