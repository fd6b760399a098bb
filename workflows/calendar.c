/* Day arithmetic in Asia/Shanghai and working days on the office's published calendar. */
#include "calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

#define SECONDS_PER_DAY 86400
#define DEFAULT_CUTOFF (17 * 3600)

static int64_t floor_div(int64_t a, int64_t b);
static int64_t floor_mod(int64_t a, int64_t b);
static bool is_leap(int y);
static int days_in_month(int y, int m);
static int read_digits(const char *s, int n);
static bool contains(const day_t *days, int n, day_t day);
static void insert_sorted(day_t **days, int *n, day_t day);

/*
 * Counting in "eras" of 400 years (146097 days, an exact number of weeks) with years starting
 * on 1 March puts the leap day last, so month lengths need no table.
 */
day_t cal_day_from_ymd(int y, int m, int d)
{
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = floor_div(yy, 400);
	int64_t yoe = yy - era * 400;			     /* 0..399 */
	int64_t mp = (m + 9) % 12;			     /* March = 0 */
	int64_t doy = (153 * mp + 2) / 5 + d - 1;	     /* 0..365 */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* 0..146096 */
	return (day_t)(era * 146097 + doe - 719468);
}

void cal_day_to_ymd(day_t day, int *y, int *m, int *d)
{
	int64_t z = (int64_t)day + 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int dd = (int)(doy - (153 * mp + 2) / 5 + 1);
	int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
	int yy = (int)(yoe + era * 400 + (mm <= 2));
	if (y)
		*y = yy;
	if (m)
		*m = mm;
	if (d)
		*d = dd;
}

int cal_weekday(day_t day)
{
	/* Day 0 was a Thursday, which is 3 counting from Monday. */
	return (int)floor_mod((int64_t)day + 3, 7);
}

int cal_day_parse(const char *s, day_t *out, struct error *err)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return error_set(err, ERR_MALFORMED, "date must be YYYY-MM-DD");
	int y = read_digits(s, 4), m = read_digits(s + 5, 2), d = read_digits(s + 8, 2);
	if (y < 0 || m < 0 || d < 0)
		return error_set(err, ERR_MALFORMED, "date must be YYYY-MM-DD");
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return error_set(err, ERR_MALFORMED, "no such date: %s", s);
	*out = cal_day_from_ymd(y, m, d);
	return 0;
}

char *cal_day_format(day_t day, char buf[static 11])
{
	int y, m, d;
	cal_day_to_ymd(day, &y, &m, &d);
	/* Years outside 0..9999 do not fit the format; clamp rather than overrun the buffer. */
	if (y < 0)
		y = 0;
	if (y > 9999)
		y = 9999;
	snprintf(buf, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
		 (unsigned)d % 100u);
	return buf;
}

day_t cal_day_of_instant(int64_t utc_seconds)
{
	return (day_t)floor_div(utc_seconds + CAL_TZ_OFFSET_SECONDS, SECONDS_PER_DAY);
}

int cal_local_seconds_of_day(int64_t utc_seconds)
{
	return (int)floor_mod(utc_seconds + CAL_TZ_OFFSET_SECONDS, SECONDS_PER_DAY);
}

void calendar_init(struct calendar *cal)
{
	memset(cal, 0, sizeof(*cal));
	cal->cutoff_seconds = DEFAULT_CUTOFF;
}

void calendar_add_holiday(struct calendar *cal, day_t day)
{
	insert_sorted(&cal->holidays, &cal->nholidays, day);
}

void calendar_add_makeup(struct calendar *cal, day_t day)
{
	insert_sorted(&cal->makeup, &cal->nmakeup, day);
}

void calendar_release(struct calendar *cal)
{
	free(cal->holidays);
	free(cal->makeup);
	calendar_init(cal);
}

bool calendar_is_working_day(const struct calendar *cal, day_t day)
{
	if (contains(cal->makeup, cal->nmakeup, day))
		return true;
	if (contains(cal->holidays, cal->nholidays, day))
		return false;
	return cal_weekday(day) < 5;
}

day_t calendar_add_working_days(const struct calendar *cal, day_t start, int n)
{
	day_t day = start;
	/* Terminates: holidays are finite, so weekdays beyond the last one always work. */
	while (n > 0) {
		day++;
		if (calendar_is_working_day(cal, day))
			n--;
	}
	return day;
}

day_t calendar_received_day(const struct calendar *cal, int64_t utc_seconds)
{
	day_t day = cal_day_of_instant(utc_seconds);
	/* The counter is open [00:00, cut-off): arriving at the cut-off itself is already too late.
	 */
	bool late = cal_local_seconds_of_day(utc_seconds) >= cal->cutoff_seconds;
	if (calendar_is_working_day(cal, day) && !late)
		return day;
	return calendar_add_working_days(cal, day, 1);
}

/* Monday-Friday in [0, day): whole weeks, then the weekdays of the part week (day 0 a Thursday). */
static int64_t weekdays_before(day_t day)
{
	int64_t d = (int64_t)day + 3; /* days since the Monday before day 0 */
	int64_t weeks = floor_div(d, 7), rest = d - weeks * 7;
	return weeks * 5 + (rest < 5 ? rest : 5) - 3;
}

/* The index of the first of the sorted days after day. */
static int first_after(const day_t *days, int n, day_t day)
{
	int lo = 0, hi = n;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (days[mid] <= day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Counted, not walked (a due date a year back is the same sum for every row of a queue): the
 * weekdays of the span, less its holidays on weekdays (unless also a make-up day), plus its
 * make-up days at weekends.
 */
int calendar_working_days_between(const struct calendar *cal, day_t from, day_t to)
{
	if (to <= from)
		return 0;
	int64_t n = weekdays_before(to + 1) - weekdays_before(from + 1);
	for (int i = first_after(cal->holidays, cal->nholidays, from);
	     i < cal->nholidays && cal->holidays[i] <= to; i++)
		if (cal_weekday(cal->holidays[i]) < 5 &&
		    !contains(cal->makeup, cal->nmakeup, cal->holidays[i]))
			n--;
	for (int i = first_after(cal->makeup, cal->nmakeup, from);
	     i < cal->nmakeup && cal->makeup[i] <= to; i++)
		if (cal_weekday(cal->makeup[i]) >= 5)
			n++;
	return (int)n;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
	return a - floor_div(a, b) * b;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

/* The value of exactly n decimal digits at s, or -1 if any is not a digit. */
static int read_digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int cmp_day(const void *a, const void *b)
{
	day_t x = *(const day_t *)a, y = *(const day_t *)b;
	return (x > y) - (x < y);
}

static bool contains(const day_t *days, int n, day_t day)
{
	return n > 0 && bsearch(&day, days, (size_t)n, sizeof(day), cmp_day) != NULL;
}

static void insert_sorted(day_t **days, int *n, day_t day)
{
	int i = 0;
	while (i < *n && (*days)[i] < day)
		i++;
	if (i < *n && (*days)[i] == day)
		return;
	*days = xrealloc(*days, (size_t)(*n + 1) * sizeof(day));
	memmove(*days + i + 1, *days + i, (size_t)(*n - i) * sizeof(day));
	(*days)[i] = day;
	(*n)++;
}

day_t calendar_due(const struct calendar *cal, int64_t utc_seconds, int n)
{
	return calendar_add_working_days(cal, calendar_received_day(cal, utc_seconds), n);
}
