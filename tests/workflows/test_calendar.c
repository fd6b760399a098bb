/* Tests for workflows/calendar.c against the real 2026 national holiday arrangement. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "workflows/calendar.h"

/*
 * State Council General Office notice on the 2026 public holiday arrangement (4 Nov 2025),
 * copied from shared/data/cn-calendar-2026.json; the test never reads that file.
 */
static const char *const holiday_ranges[][2] = {
    {"2026-01-01", "2026-01-03"}, /* New Year's Day */
    {"2026-02-15", "2026-02-23"}, /* Spring Festival */
    {"2026-04-04", "2026-04-06"}, /* Qingming */
    {"2026-05-01", "2026-05-05"}, /* Labour Day */
    {"2026-06-19", "2026-06-21"}, /* Dragon Boat */
    {"2026-09-25", "2026-09-27"}, /* Mid-Autumn */
    {"2026-10-01", "2026-10-07"}, /* National Day */
};

static const char *const makeup_days[] = {
    "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
};

#define WORKING_DAYS_2026 248

static day_t D(const char *s)
{
	day_t d = 0;
	cr_assert_eq(cal_day_parse(s, &d, NULL), 0, "bad test date %s", s);
	return d;
}

static void cn2026(struct calendar *cal)
{
	calendar_init(cal);
	for (size_t i = 0; i < sizeof(holiday_ranges) / sizeof(holiday_ranges[0]); i++)
		for (day_t d = D(holiday_ranges[i][0]); d <= D(holiday_ranges[i][1]); d++)
			calendar_add_holiday(cal, d);
	for (size_t i = 0; i < sizeof(makeup_days) / sizeof(makeup_days[0]); i++)
		calendar_add_makeup(cal, D(makeup_days[i]));
}

/* Local Asia/Shanghai wall-clock time to a UTC instant. */
static int64_t local_instant(const char *date, int h, int m, int s)
{
	return (int64_t)D(date) * 86400 + h * 3600 + m * 60 + s - CAL_TZ_OFFSET_SECONDS;
}

/* ---- add_working_days: the worked examples published with the calendar ---- */

/* Strings are inline arrays: Criterion runs each case in a fresh process, so pointers would dangle.
 */
struct add_case {
	char start[11];
	int n;
	char due[11];
};

ParameterizedTestParameters(calendar, add_working_days_examples)
{
	static struct add_case cases[] = {
	    {"2026-02-12", 5, "2026-02-26"}, /* across Spring Festival, via make-up 02-14 */
	    {"2026-09-30", 3, "2026-10-10"}, /* across National Day, ends on make-up Sat */
	    {"2026-04-03", 1, "2026-04-07"}, /* across Qingming */
	    {"2026-01-01", 1, "2026-01-04"}, /* from a holiday to a make-up Sunday */
	    {"2026-05-08", 2, "2026-05-11"}, /* Fri + make-up Sat 05-09 + Mon */
	    /* our own rows */
	    {"2026-03-10", 0, "2026-03-10"},  /* zero days: the start itself */
	    {"2026-03-10", -3, "2026-03-10"}, /* negative treated as zero */
	    {"2026-03-06", 1, "2026-03-09"},  /* ordinary weekend skipped */
	    {"2026-02-13", 1, "2026-02-14"},  /* Friday -> make-up Saturday */
	    {"2026-12-30", 2, "2027-01-01"},  /* past the end of the published year */
	};
	return cr_make_param_array(struct add_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct add_case *c, calendar, add_working_days_examples)
{
	struct calendar cal;
	cn2026(&cal);
	char got[11];
	cal_day_format(calendar_add_working_days(&cal, D(c->start), c->n), got);
	cr_expect_str_eq(got, c->due, "%s + %d working days", c->start, c->n);
	calendar_release(&cal);
}

/* ---- the year as a whole ---- */

Test(calendar, working_days_in_2026)
{
	struct calendar cal;
	cn2026(&cal);
	int n = 0;
	for (day_t d = D("2026-01-01"); d <= D("2026-12-31"); d++)
		n += calendar_is_working_day(&cal, d);
	cr_expect_eq(n, WORKING_DAYS_2026);
	cr_expect_eq(calendar_working_days_between(&cal, D("2025-12-31"), D("2026-12-31")),
		     WORKING_DAYS_2026);
	calendar_release(&cal);
}

Test(calendar, empty_calendar_has_only_weekends_off)
{
	struct calendar cal;
	calendar_init(&cal);
	cr_expect_eq(cal.cutoff_seconds, 17 * 3600);
	/* 2026 has 365 days = 52 weeks + 1 day (a Thursday): 52 * 5 + 1. */
	cr_expect_eq(calendar_working_days_between(&cal, D("2025-12-31"), D("2026-12-31")), 261);
	cr_expect(calendar_is_working_day(&cal, D("2026-01-01")));
	calendar_release(&cal);
}

/* ---- is_working_day ---- */

struct working_case {
	char day[11];
	bool working;
	char why[64];
};

ParameterizedTestParameters(calendar, is_working_day)
{
	static struct working_case cases[] = {
	    {"2026-01-01", false, "New Year holiday on a Thursday"},
	    {"2026-01-02", false, "New Year holiday on a Friday"},
	    {"2026-01-04", true, "make-up Sunday"},
	    {"2026-01-05", true, "ordinary Monday"},
	    {"2026-02-14", true, "make-up Saturday before Spring Festival"},
	    {"2026-02-16", false, "Spring Festival Monday"},
	    {"2026-02-23", false, "last day of Spring Festival, a Monday"},
	    {"2026-02-24", true, "first Tuesday after Spring Festival"},
	    {"2026-02-28", true, "make-up Saturday after Spring Festival"},
	    {"2026-03-07", false, "ordinary Saturday"},
	    {"2026-03-08", false, "ordinary Sunday"},
	    {"2026-03-09", true, "ordinary Monday"},
	    {"2026-04-06", false, "Qingming Monday"},
	    {"2026-05-05", false, "Labour Day Tuesday"},
	    {"2026-05-09", true, "make-up Saturday"},
	    {"2026-06-19", false, "Dragon Boat Friday"},
	    {"2026-09-20", true, "make-up Sunday"},
	    {"2026-10-07", false, "National Day Wednesday"},
	    {"2026-10-10", true, "make-up Saturday"},
	    {"2026-10-11", false, "ordinary Sunday after a make-up Saturday"},
	    {"2026-12-25", true, "Friday, not a holiday here"},
	};
	return cr_make_param_array(struct working_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct working_case *c, calendar, is_working_day)
{
	struct calendar cal;
	cn2026(&cal);
	cr_expect_eq(calendar_is_working_day(&cal, D(c->day)), c->working, "%s: %s", c->day,
		     c->why);
	calendar_release(&cal);
}

/* ---- received_day ---- */

struct received_case {
	char local_date[11];
	int h, m, s;
	int cutoff; /* 0: the default 17:00 */
	char received[11];
};

ParameterizedTestParameters(calendar, received_day)
{
	static struct received_case cases[] = {
	    {"2026-02-12", 9, 0, 0, 0, "2026-02-12"},	 /* working morning */
	    {"2026-02-12", 16, 59, 59, 0, "2026-02-12"}, /* last second before cut-off */
	    {"2026-02-12", 17, 0, 0, 0, "2026-02-13"},	 /* at the cut-off: next day */
	    {"2026-02-13", 17, 30, 0, 0, "2026-02-14"},	 /* Friday late -> make-up Sat */
	    {"2026-02-14", 18, 0, 0, 0, "2026-02-24"},	 /* late before Spring Festival */
	    {"2026-02-15", 10, 0, 0, 0, "2026-02-24"},	 /* during Spring Festival */
	    {"2026-09-30", 17, 1, 0, 0, "2026-10-08"},	 /* late before National Day */
	    {"2026-04-03", 20, 0, 0, 0, "2026-04-07"},	 /* late before Qingming */
	    {"2026-01-01", 8, 0, 0, 0, "2026-01-04"},	 /* holiday -> make-up Sunday */
	    {"2026-03-06", 23, 59, 59, 0, "2026-03-09"}, /* late Friday -> Monday */
	    {"2026-03-07", 10, 0, 0, 0, "2026-03-09"},	 /* ordinary Saturday */
	    /* Monday 00:30 local is still Sunday in UTC: the local date decides. */
	    {"2026-03-09", 0, 30, 0, 0, "2026-03-09"},
	    {"2026-03-10", 12, 30, 0, 12 * 3600, "2026-03-11"}, /* custom noon cut-off */
	    {"2026-03-10", 11, 59, 0, 12 * 3600, "2026-03-10"},
	};
	return cr_make_param_array(struct received_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct received_case *c, calendar, received_day)
{
	struct calendar cal;
	cn2026(&cal);
	if (c->cutoff)
		cal.cutoff_seconds = c->cutoff;
	char got[11];
	int64_t t = local_instant(c->local_date, c->h, c->m, c->s);
	cal_day_format(calendar_received_day(&cal, t), got);
	cr_expect_str_eq(got, c->received, "%s %02d:%02d:%02d", c->local_date, c->h, c->m, c->s);
	calendar_release(&cal);
}

/* A limit counts from the received day: a Saturday or a late Friday starts on Monday. */
Test(calendar, due_counts_from_the_received_day)
{
	struct calendar cal;
	cn2026(&cal);
	static const struct {
		const char *date;
		int h, n;
		const char *due;
	} cases[] = {
		{ "2026-03-04", 10, 3, "2026-03-09" }, /* Wednesday morning: Thu, Fri, Mon */
		{ "2026-03-06", 10, 3, "2026-03-11" }, /* Friday morning: Mon, Tue, Wed */
		{ "2026-03-06", 18, 3, "2026-03-12" }, /* Friday late: received Monday */
		{ "2026-03-07", 10, 3, "2026-03-12" }, /* Saturday: received Monday */
		{ "2026-03-07", 10, 0, "2026-03-09" }, /* no limit: the received day itself */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char got[11];
		int64_t t = local_instant(cases[i].date, cases[i].h, 0, 0);
		cal_day_format(calendar_due(&cal, t, cases[i].n), got);
		cr_expect_str_eq(got, cases[i].due, "%s %02d:00 + %d", cases[i].date, cases[i].h,
				 cases[i].n);
	}
	calendar_release(&cal);
}

/* ---- parsing ---- */

struct bad_date {
	char text[32];
};

ParameterizedTestParameters(calendar, parse_rejects)
{
	static struct bad_date cases[] = {
	    {"2026-02-30"},
	    {"2026-13-01"},
	    {"26-01-01"},
	    {"2026-1-1"},
	    {"2026-01-01x"},
	    {"2026-01-01 "},
	    {" 2026-01-01"},
	    {""},
	    {"2026/01/01"},
	    {"2026-00-10"},
	    {"2026-01-00"},
	    {"2025-02-29"},
	    {"2100-02-29"},
	    {"2026-01-32"},
	    {"+026-01-01"},
	    {"2026-04-31"},
	    {"2026-01-0a"},
	    {"20260101"},
	    {"2026-01-01T00:00:00Z"},
	};
	return cr_make_param_array(struct bad_date, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_date *c, calendar, parse_rejects)
{
	struct error err = ERROR_INIT;
	day_t out = 12345;
	cr_expect_eq(cal_day_parse(c->text, &out, &err), ERR_MALFORMED, "\"%s\"", c->text);
	cr_expect_eq(err.code, ERR_MALFORMED);
	cr_expect_neq(err.message[0], '\0');
	cr_expect_eq(out, 12345, "output untouched on failure");
	error_release(&err);
}

Test(calendar, parse_rejects_null)
{
	day_t out = 7;
	cr_expect_eq(cal_day_parse(NULL, &out, NULL), ERR_MALFORMED);
	cr_expect_eq(out, 7);
}

/* ---- day numbers, known answers and round trips ---- */

struct ymd_case {
	int y, m, d;
	day_t day;
	int weekday;
	char text[11];
};

ParameterizedTestParameters(calendar, ymd_known)
{
	static struct ymd_case cases[] = {
	    {1970, 1, 1, 0, 3, "1970-01-01"},	   {1969, 12, 31, -1, 2, "1969-12-31"},
	    {2026, 1, 1, 20454, 3, "2026-01-01"},  {2026, 2, 14, 20498, 5, "2026-02-14"},
	    {2026, 1, 4, 20457, 6, "2026-01-04"},  {2026, 12, 31, 20818, 3, "2026-12-31"},
	    {2024, 2, 29, 19782, 3, "2024-02-29"}, {2000, 3, 1, 11017, 2, "2000-03-01"},
	    {1900, 1, 1, -25567, 0, "1900-01-01"}, {1600, 3, 1, -135080, 2, "1600-03-01"},
	    {2100, 3, 1, 47541, 0, "2100-03-01"},  {1, 1, 1, -719162, 0, "0001-01-01"},
	};
	return cr_make_param_array(struct ymd_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct ymd_case *c, calendar, ymd_known)
{
	cr_expect_eq(cal_day_from_ymd(c->y, c->m, c->d), c->day, "%s", c->text);
	int y, m, d;
	cal_day_to_ymd(c->day, &y, &m, &d);
	cr_expect(y == c->y && m == c->m && d == c->d, "%d -> %04d-%02d-%02d", c->day, y, m, d);
	cr_expect_eq(cal_weekday(c->day), c->weekday, "%s", c->text);
	char buf[11];
	cr_expect_str_eq(cal_day_format(c->day, buf), c->text);
	day_t parsed = 0;
	cr_expect_eq(cal_day_parse(c->text, &parsed, NULL), 0);
	cr_expect_eq(parsed, c->day);
}

Test(calendar, ymd_round_trip_every_day_1900_to_2100)
{
	day_t first = cal_day_from_ymd(1900, 1, 1), last = cal_day_from_ymd(2100, 12, 31);
	int prev_weekday = cal_weekday(first - 1);
	for (day_t day = first; day <= last; day++) {
		int y, m, d;
		cal_day_to_ymd(day, &y, &m, &d);
		cr_assert_eq(cal_day_from_ymd(y, m, d), day, "day %d", day);
		char buf[11];
		day_t back = 0;
		cr_assert_eq(cal_day_parse(cal_day_format(day, buf), &back, NULL), 0, "%s", buf);
		cr_assert_eq(back, day, "%s", buf);
		cr_assert_eq(cal_weekday(day), (prev_weekday + 1) % 7, "%s", buf);
		prev_weekday = cal_weekday(day);
	}
}

Test(calendar, ymd_null_outputs_allowed)
{
	int m = 0;
	cal_day_to_ymd(20454, NULL, &m, NULL);
	cr_expect_eq(m, 1);
}

/* ---- instants in Asia/Shanghai ---- */

struct instant_case {
	int64_t utc;
	char local_date[11];
	int seconds;
};

ParameterizedTestParameters(calendar, instants)
{
	static struct instant_case cases[] = {
	    {0, "1970-01-01", 8 * 3600},	   {-1, "1970-01-01", 8 * 3600 - 1},
	    {-8 * 3600, "1970-01-01", 0},	   {-8 * 3600 - 1, "1969-12-31", 86399},
	    {1767196800, "2026-01-01", 0},     /* 2025-12-31T16:00:00Z */
	    {1767196799, "2025-12-31", 86399}, /* one second earlier */
	    {1767258000, "2026-01-01", 17 * 3600},
	};
	return cr_make_param_array(struct instant_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct instant_case *c, calendar, instants)
{
	char buf[11];
	cr_expect_str_eq(cal_day_format(cal_day_of_instant(c->utc), buf), c->local_date, "utc %lld",
			 (long long)c->utc);
	cr_expect_eq(cal_local_seconds_of_day(c->utc), c->seconds, "utc %lld", (long long)c->utc);
}

/* ---- working_days_between agrees with add_working_days ---- */

Test(calendar, between_inverts_add_for_every_start_in_2026)
{
	struct calendar cal;
	cn2026(&cal);
	for (day_t start = D("2026-01-01"); start <= D("2026-12-31"); start++) {
		for (int n = 0; n <= 30; n++) {
			day_t due = calendar_add_working_days(&cal, start, n);
			cr_assert_eq(calendar_working_days_between(&cal, start, due), n,
				     "start %d n %d", start, n);
			if (n > 0) {
				cr_assert(calendar_is_working_day(&cal, due));
				/* the due day is the earliest with n working days */
				cr_assert_eq(calendar_working_days_between(&cal, start, due - 1),
					     n - 1);
			}
		}
	}
	calendar_release(&cal);
}

/*
 * The count (workflows/calendar.c sums weeks and adjusts for the listed days) is the number of
 * days calendar_is_working_day accepts, walked one by one: every span of up to 800 days from
 * every start of 2025-2027, on the 2026 calendar plus a make-up day that is also a holiday, a
 * make-up Monday and days before 1970.
 */
Test(calendar, between_counts_what_is_working_day_accepts)
{
	struct calendar cal;
	cn2026(&cal);
	calendar_add_holiday(&cal, D("2027-02-13")); /* a Saturday both: a make-up day wins */
	calendar_add_makeup(&cal, D("2027-02-13"));
	calendar_add_holiday(&cal, D("2027-03-01")); /* a Monday both */
	calendar_add_makeup(&cal, D("2027-03-01"));
	calendar_add_makeup(&cal, D("2027-03-08")); /* a Monday make-up day, no holiday */
	calendar_add_holiday(&cal, D("1969-12-31"));
	day_t starts[] = {D("1969-12-20"), D("2024-12-25")};
	for (size_t k = 0; k < 2; k++) {
		for (day_t from = starts[k]; from < starts[k] + 3 * 366; from += 3) {
			int walked = 0;
			for (day_t to = from; to <= from + 800; to++) {
				if (to > from && calendar_is_working_day(&cal, to))
					walked++;
				cr_assert_eq(calendar_working_days_between(&cal, from, to), walked,
					     "from %d to %d", from, to);
			}
		}
	}
	calendar_release(&cal);
}

struct between_case {
	char from[11], to[11];
	int n;
};

ParameterizedTestParameters(calendar, working_days_between)
{
	static struct between_case cases[] = {
	    {"2026-02-12", "2026-02-26", 5}, {"2026-09-30", "2026-10-10", 3},
	    {"2026-02-13", "2026-02-24", 2}, /* 02-14 make-up and 02-24 */
	    {"2026-03-10", "2026-03-10", 0}, /* same day */
	    {"2026-03-10", "2026-03-01", 0}, /* backwards */
	    {"2026-10-01", "2026-10-07", 0}, /* inside a holiday */
	};
	return cr_make_param_array(struct between_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct between_case *c, calendar, working_days_between)
{
	struct calendar cal;
	cn2026(&cal);
	cr_expect_eq(calendar_working_days_between(&cal, D(c->from), D(c->to)), c->n, "%s..%s",
		     c->from, c->to);
	calendar_release(&cal);
}

/* ---- building a calendar ---- */

Test(calendar, add_keeps_days_sorted_and_unique)
{
	struct calendar cal;
	calendar_init(&cal);
	day_t in[] = {30, 10, 20, 10, 30, 5};
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		calendar_add_holiday(&cal, in[i]);
		calendar_add_makeup(&cal, in[i] + 1);
	}
	day_t want[] = {5, 10, 20, 30};
	cr_assert_eq(cal.nholidays, 4);
	cr_assert_eq(cal.nmakeup, 4);
	for (int i = 0; i < 4; i++) {
		cr_expect_eq(cal.holidays[i], want[i]);
		cr_expect_eq(cal.makeup[i], want[i] + 1);
	}
	calendar_release(&cal);
	cr_expect_eq(cal.nholidays, 0);
	cr_expect_null(cal.holidays);
	cr_expect_eq(cal.nmakeup, 0);
}

Test(calendar, copied_facts_are_complete)
{
	struct calendar cal;
	cn2026(&cal);
	/* 33 holiday days in the notice, and 6 make-up working days. */
	cr_expect_eq(cal.nholidays, 33);
	cr_expect_eq(cal.nmakeup, 6);
	for (int i = 0; i < cal.nmakeup; i++)
		cr_expect_geq(cal_weekday(cal.makeup[i]), 5, "make-up days fall on weekends");
	calendar_release(&cal);
}
