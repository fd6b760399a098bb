/* Tests for workflows/clock.c: stage limits across the 2026 Spring Festival, pauses, lateness. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "workflows/clock.h"

/* 2026 Spring Festival: 15..23 February off; Saturdays 14 and 28 February worked. */
static void spring_festival(struct calendar *cal)
{
	calendar_init(cal);
	for (int d = 15; d <= 23; d++)
		calendar_add_holiday(cal, cal_day_from_ymd(2026, 2, d));
	calendar_add_makeup(cal, cal_day_from_ymd(2026, 2, 14));
	calendar_add_makeup(cal, cal_day_from_ymd(2026, 2, 28));
}

/* The UTC instant of a local (Asia/Shanghai) date and time. */
static int64_t at(int m, int d, int hh, int mm)
{
	return (int64_t)cal_day_from_ymd(2026, m, d) * 86400 + hh * 3600 + mm * 60 -
	       CAL_TZ_OFFSET_SECONDS;
}

static day_t day(int m, int d)
{
	return cal_day_from_ymd(2026, m, d);
}

struct start_case {
	int m, d, hh, mm; /* start instant, local */
	int limit;
	int started_m, started_d;
	int due_m, due_d;
};

ParameterizedTestParameters(clock, start)
{
	static struct start_case cases[] = {
	    /* Thu 12 Feb: 13, make-up 14, then 24, 25, 26 after the festival */
	    {2, 12, 10, 0, 5, 2, 12, 2, 26},
	    /* after the 17:00 cut-off: counts from Fri 13 */
	    {2, 12, 18, 0, 5, 2, 13, 2, 27},
	    {2, 12, 17, 0, 5, 2, 13, 2, 27},
	    {2, 12, 16, 59, 5, 2, 12, 2, 26},
	    /* on the make-up Saturday: a working day */
	    {2, 14, 10, 0, 5, 2, 14, 2, 28},
	    /* on a festival Sunday: received Tue 24 */
	    {2, 15, 10, 0, 5, 2, 24, 3, 2},
	    {2, 13, 9, 0, 1, 2, 13, 2, 14},
	    {2, 13, 9, 0, 0, 2, 13, 2, 13},
	    /* ten working days from Mon 9 Feb span the whole festival */
	    {2, 9, 9, 0, 10, 2, 9, 2, 28},
	};
	return cr_make_param_array(struct start_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct start_case *c, clock, start)
{
	struct calendar cal;
	spring_festival(&cal);
	struct clock k;
	cr_assert_eq(clock_start(&k, &cal, c->limit, at(c->m, c->d, c->hh, c->mm), NULL), 0);
	cr_expect_eq(k.limit_days, c->limit);
	cr_expect_eq(k.started_day, day(c->started_m, c->started_d));
	cr_expect_eq(k.due_day, day(c->due_m, c->due_d), "due %d, want %d", k.due_day,
		     day(c->due_m, c->due_d));
	cr_expect_not(k.paused);
	calendar_release(&cal);
}

Test(clock, negative_limit_refused)
{
	struct calendar cal;
	spring_festival(&cal);
	struct clock k;
	struct error err = ERROR_INIT;
	cr_expect_eq(clock_start(&k, &cal, -1, at(2, 9, 9, 0), &err), ERR_INVALID);
	calendar_release(&cal);
}

/* A supplement pause: remaining days kept, due date recomputed from the resume. */
struct pause_case {
	int start_m, start_d, limit; /* started 09:00 */
	int pause_m, pause_d, pause_hh;
	int remaining;
	int resume_m, resume_d, resume_hh;
	int due_m, due_d;
};

ParameterizedTestParameters(clock, pause_resume)
{
	static struct pause_case cases[] = {
	    /* due Sat 28 Feb; paused Thu 12 with 13, 14, 24..28 left = 7; back Wed 4 Mar */
	    {2, 9, 10, 2, 12, 15, 7, 3, 4, 10, 3, 13},
	    /* the same pause, supplement arriving after the cut-off: counted from Thu 5 Mar */
	    {2, 9, 10, 2, 12, 15, 7, 3, 4, 18, 3, 16},
	    /* due Wed 25; paused on the make-up Saturday, 24 and 25 left; back on a holiday */
	    {2, 13, 3, 2, 14, 11, 2, 2, 20, 10, 2, 26},
	    /* paused after the cut-off: the pause day still counts as used */
	    {2, 13, 3, 2, 13, 20, 3, 2, 24, 9, 2, 27},
	    /* paused already late: nothing remains, due the day the supplement counts */
	    {2, 2, 2, 2, 6, 10, 0, 2, 9, 10, 2, 9},
	    /* paused on the due day itself: nothing remains */
	    {2, 2, 2, 2, 4, 10, 0, 2, 5, 10, 2, 5},
	};
	return cr_make_param_array(struct pause_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct pause_case *c, clock, pause_resume)
{
	struct calendar cal;
	spring_festival(&cal);
	struct clock k;
	struct clock_pause rec;
	cr_assert_eq(clock_start(&k, &cal, c->limit, at(c->start_m, c->start_d, 9, 0), NULL), 0);
	cr_assert_eq(clock_pause(&k, &cal, at(c->pause_m, c->pause_d, c->pause_hh, 0),
				 CLOCK_REASON_SUPPLEMENT, ROLE_UTILITY, &rec, NULL),
		     0);
	cr_expect(k.paused);
	cr_expect_eq(k.paused_day, day(c->pause_m, c->pause_d));
	cr_expect_eq(k.remaining_days, c->remaining);
	cr_expect_eq(rec.remaining_days, c->remaining);
	cr_expect_eq(rec.day, day(c->pause_m, c->pause_d));
	cr_expect_eq(rec.actor, ROLE_UTILITY);
	cr_expect_str_eq(rec.reason, "supplement");
	/* Paused clocks are never late, however long the applicant takes. */
	cr_expect_not(clock_overdue(&k, day(12, 31)));

	cr_assert_eq(clock_resume(&k, &cal, at(c->resume_m, c->resume_d, c->resume_hh, 0), NULL),
		     0);
	cr_expect_not(k.paused);
	cr_expect_eq(k.due_day, day(c->due_m, c->due_d), "due %d, want %d", k.due_day,
		     day(c->due_m, c->due_d));
	calendar_release(&cal);
}

/*
 * What refuses to pause or resume, and with which code; the clock must not change. Strings are
 * arrays: Criterion runs each case in a fresh process where the table's pointers mean nothing.
 */
struct refusal_case {
	char name[32];
	bool paused_first;
	bool resume;	 /* else pause */
	char reason[24]; /* "" for none */
	enum role actor;
	int code;
};

ParameterizedTestParameters(clock, refusals)
{
	static struct refusal_case cases[] = {
	    {"pause twice", true, false, "supplement", ROLE_UTILITY, ERR_CONFLICT},
	    {"resume running", false, true, "", ROLE_UTILITY, ERR_CONFLICT},
	    {"hidden pause reason", false, false, "expert review", ROLE_AUTHORITY, ERR_INVALID},
	    {"no reason", false, false, "", ROLE_AUTHORITY, ERR_INVALID},
	    {"office pauses", false, false, "supplement", ROLE_OFFICE, ERR_FORBIDDEN},
	    {"applicant pauses", false, false, "supplement", ROLE_APPLICANT, ERR_FORBIDDEN},
	    {"public pauses", false, false, "supplement", ROLE_PUBLIC, ERR_FORBIDDEN},
	};
	return cr_make_param_array(struct refusal_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct refusal_case *c, clock, refusals)
{
	struct calendar cal;
	spring_festival(&cal);
	struct clock k;
	struct error err = ERROR_INIT;
	cr_assert_eq(clock_start(&k, &cal, 5, at(2, 9, 9, 0), NULL), 0);
	if (c->paused_first)
		cr_assert_eq(
		    clock_pause(&k, &cal, at(2, 10, 9, 0), "supplement", ROLE_UTILITY, NULL, NULL),
		    0);
	struct clock before = k;
	int rc = c->resume ? clock_resume(&k, &cal, at(2, 11, 9, 0), &err)
			   : clock_pause(&k, &cal, at(2, 11, 9, 0), c->reason[0] ? c->reason : NULL,
					 c->actor, NULL, &err);
	cr_expect_eq(rc, c->code, "%s: got %d", c->name, rc);
	cr_expect_eq(err.code, c->code, "%s", c->name);
	cr_expect(before.due_day == k.due_day && before.paused == k.paused &&
		      before.paused_day == k.paused_day &&
		      before.remaining_days == k.remaining_days,
		  "%s changed the clock", c->name);
	error_release(&err);
	calendar_release(&cal);
}

Test(clock, system_may_pause)
{
	struct calendar cal;
	spring_festival(&cal);
	struct clock k;
	cr_assert_eq(clock_start(&k, &cal, 5, at(2, 9, 9, 0), NULL), 0);
	cr_expect_eq(clock_pause(&k, &cal, at(2, 10, 9, 0), "supplement", ROLE_SYSTEM, NULL, NULL),
		     0);
	calendar_release(&cal);
}

struct overdue_case {
	int m, d; /* today */
	bool overdue;
	int days;
};

ParameterizedTestParameters(clock, overdue)
{
	/* due Fri 13 Feb (5 working days from Fri 6 Feb) */
	static struct overdue_case cases[] = {
	    {2, 12, false, 0}, {2, 13, false, 0}, {2, 14, true, 1}, /* make-up Saturday */
	    {2, 15, true, 1},  {2, 23, true, 1},  {2, 24, true, 2},
	    {2, 28, true, 6},  {3, 1, true, 6},	  {3, 2, true, 7},
	};
	return cr_make_param_array(struct overdue_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct overdue_case *c, clock, overdue)
{
	struct calendar cal;
	spring_festival(&cal);
	struct clock k;
	cr_assert_eq(clock_start(&k, &cal, 5, at(2, 6, 9, 0), NULL), 0);
	cr_assert_eq(k.due_day, day(2, 13));
	cr_expect_eq(clock_overdue(&k, day(c->m, c->d)), c->overdue, "%d-%d", c->m, c->d);
	cr_expect_eq(clock_days_overdue(&k, &cal, day(c->m, c->d)), c->days, "%d-%d", c->m, c->d);
	calendar_release(&cal);
}
