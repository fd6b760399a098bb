/* Tests for workflows/stats.c: working days with holidays and pauses, spans, groups, ranks. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdlib.h>

#include "workflows/stats.h"

/* 2026 Spring Festival: 15..23 February off; Saturdays 14 and 28 February worked. */
static void spring_festival(struct calendar *cal)
{
	calendar_init(cal);
	for (int d = 15; d <= 23; d++)
		calendar_add_holiday(cal, cal_day_from_ymd(2026, 2, d));
	calendar_add_makeup(cal, cal_day_from_ymd(2026, 2, 14));
	calendar_add_makeup(cal, cal_day_from_ymd(2026, 2, 28));
}

/* The UTC instant of a local (Asia/Shanghai) date and time in 2026. */
static int64_t at(int m, int d, int hh)
{
	return (int64_t)cal_day_from_ymd(2026, m, d) * 86400 + hh * 3600 - CAL_TZ_OFFSET_SECONDS;
}

struct wd_case {
	int sm, sd, sh; /* start, local */
	int em, ed, eh; /* end */
	int pm, pd, ph; /* pause (pm 0: none) */
	int rm, rd, rh; /* resume (rm 0: still paused) */
	int want;
};

ParameterizedTestParameters(stats, working_days)
{
	static struct wd_case cases[] = {
	    /* Mon 9 to Fri 13: 10, 11, 12, 13 */
	    {2, 9, 10, 2, 13, 10, 0, 0, 0, 0, 0, 0, 4},
	    /* across the festival: 13, make-up 14, then 24 */
	    {2, 12, 10, 2, 24, 10, 0, 0, 0, 0, 0, 0, 3},
	    /* received after the cut-off: counts from Fri 13 */
	    {2, 12, 18, 2, 24, 10, 0, 0, 0, 0, 0, 0, 2},
	    /* paused Wed 11 to Fri 13: 12 and 13 do not count */
	    {2, 9, 10, 2, 24, 10, 2, 11, 10, 2, 13, 10, 4},
	    /* still paused at the end */
	    {2, 9, 10, 2, 13, 10, 2, 11, 10, 0, 0, 0, 2},
	    /* ended before its received day */
	    {2, 13, 18, 2, 13, 19, 0, 0, 0, 0, 0, 0, 0},
	    /* paused on a holiday, resumed Wed 25: 24 and 25 do not count */
	    {2, 12, 10, 2, 27, 10, 2, 15, 10, 2, 25, 10, 4},
	    /* a resume after the cut-off counts from the next working day */
	    {2, 9, 10, 2, 13, 10, 2, 10, 10, 2, 11, 18, 2},
	};
	return cr_make_param_array(struct wd_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct wd_case *c, stats, working_days)
{
	struct calendar cal;
	spring_festival(&cal);
	struct stats_pause p = {c->pm ? at(c->pm, c->pd, c->ph) : 0,
				c->rm ? at(c->rm, c->rd, c->rh) : -1};
	int got = stats_working_days(&cal, at(c->sm, c->sd, c->sh), at(c->em, c->ed, c->eh), &p,
				     c->pm ? 1 : 0);
	cr_expect_eq(got, c->want, "%d-%d %dh .. %d-%d %dh: %d, want %d", c->sm, c->sd, c->sh,
		     c->em, c->ed, c->eh, got, c->want);
	calendar_release(&cal);
}

struct pct_case {
	int n;
	int v[12];
	double median;
	int p90;
};

ParameterizedTestParameters(stats, percentiles)
{
	static struct pct_case cases[] = {
	    {1, {7}, 7, 7},
	    {2, {2, 1}, 1.5, 2},
	    {3, {5, 1, 3}, 3, 5},
	    {4, {10, 2, 9, 4}, 6.5, 10},
	    {10, {10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 5.5, 9},
	    {11, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 6, 10},
	    {5, {0, 0, 0, 0, 20}, 0, 20},
	};
	return cr_make_param_array(struct pct_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct pct_case *c, stats, percentiles)
{
	cr_expect_float_eq(stats_median(c->v, (size_t)c->n), c->median, 1e-9, "median of %d", c->n);
	cr_expect_eq(stats_p90(c->v, (size_t)c->n), c->p90, "p90 of %d", c->n);
}

/*
 * A generated job history over the festival: acceptance returned for a supplement (paused Tue
 * 10 to Thu 12), survey finished a day late, plan on time, completed Mon 2 March.
 */
Test(stats, spans_of_a_history_with_a_pause_and_holidays)
{
	struct calendar cal;
	spring_festival(&cal);
	day_t d13 = cal_day_from_ymd(2026, 2, 13), d25 = cal_day_from_ymd(2026, 2, 25);
	struct stats_event ev[] = {
	    {at(2, 9, 10), "acceptance", cal_day_from_ymd(2026, 2, 11), false}, /* submit */
	    {at(2, 10, 10), "acceptance", -1, false},				/* return */
	    {at(2, 12, 10), "acceptance", d13, false},				/* supplement */
	    {at(2, 13, 10), "survey", d25, false},				/* accept */
	    {at(2, 26, 10), "plan", cal_day_from_ymd(2026, 3, 2), false},	/* survey */
	    {at(2, 27, 10), NULL, -1, false},					/* plan */
	    {at(3, 2, 10), NULL, -1, true},					/* complete */
	};
	struct stats_pause pauses[] = {{at(2, 10, 10), at(2, 12, 10)}};
	struct stats_span sp[8];
	size_t n = stats_spans(&cal, ev, 7, pauses, 1, sp, 8);
	cr_assert_eq(n, 4, "three stage runs and the whole track, got %zu", n);
	cr_expect_str_eq(sp[0].stage, "acceptance");
	cr_expect_eq(sp[0].days, 2, "9..13 less the pause 10..12: %d", sp[0].days);
	cr_expect(sp[0].on_time, "finished on its due day after the resume");
	cr_expect_str_eq(sp[1].stage, "survey");
	cr_expect_eq(sp[1].days, 4, "14, 24, 25, 26: %d", sp[1].days);
	cr_expect_not(sp[1].on_time, "due 25, done 26");
	cr_expect_str_eq(sp[2].stage, "plan");
	cr_expect_eq(sp[2].days, 1);
	cr_expect(sp[2].on_time);
	cr_expect_null(sp[3].stage);
	cr_expect_eq(sp[3].days, 9, "eleven working days 9 Feb..2 Mar less two paused: %d",
		     sp[3].days);
	cr_expect_not(sp[3].on_time, "one stage was late");
	cr_expect_eq(sp[3].start_day, cal_day_from_ymd(2026, 2, 9));
	cr_expect_eq(sp[3].end_day, cal_day_from_ymd(2026, 3, 2));
	calendar_release(&cal);
}

Test(stats, a_running_track_has_no_total_and_a_fast_track_takes_no_time)
{
	struct calendar cal;
	spring_festival(&cal);
	struct stats_event running[] = {
	    {at(2, 9, 10), "review", cal_day_from_ymd(2026, 2, 12), false}};
	struct stats_span sp[4];
	cr_expect_eq(stats_spans(&cal, running, 1, NULL, 0, sp, 4), 0);
	struct stats_event fast[] = {{at(2, 9, 10), NULL, -1, true}};
	cr_assert_eq(stats_spans(&cal, fast, 1, NULL, 0, sp, 4), 1);
	cr_expect_eq(sp[0].days, 0);
	cr_expect(sp[0].on_time);
	calendar_release(&cal);
}

Test(stats, groups_rank_and_skip_samples_without_the_key)
{
	struct stats_sample s[] = {
	    {{"350104", "Water Co", NULL, NULL, "2026-02"}, 2, true, 3, true, false, STATS_GOOD},
	    {{"350104", "Water Co", NULL, NULL, "2026-02"}, 4, true, 3, false, false, STATS_BAD},
	    {{"350104", NULL, "Roads", NULL, "2026-03"}, 9, false, 5, false, true, STATS_UNRATED},
	    {{"350104", "Gas Co", NULL, NULL, "2026-03"}, 10, true, 5, false, false, STATS_AVERAGE},
	    {{"350102", "Gas Co", NULL, NULL, "2026-03"}, 5, true, 2, false, false, STATS_UNRATED},
	    /* a stage run counts only under its stage */
	    {{NULL, NULL, NULL, "survey", NULL}, 40, false, 0, false, false, STATS_UNRATED},
	};
	struct stats_row *rows;
	size_t n;
	stats_group(s, 6, STATS_DISTRICT, &rows, &n);
	cr_assert_eq(n, 2);
	cr_expect_str_eq(rows[0].key, "350102");
	cr_expect_str_eq(rows[1].key, "350104");
	const struct stats_row *l = &rows[1];
	cr_expect_eq(l->count, 4);
	cr_expect_float_eq(l->median_days, 6.5, 1e-9);
	cr_expect_eq(l->p90_days, 10);
	cr_expect_float_eq(l->on_time_rate, 0.75, 1e-9);
	cr_expect_float_eq(l->materials_avg, 4, 1e-9);
	cr_expect_float_eq(l->fast_track_share, 0.25, 1e-9);
	cr_expect_float_eq(l->deemed_share, 0.25, 1e-9);
	cr_expect_eq(l->rated, 3);
	cr_expect_float_eq(l->rating_score, 50, 1e-9);
	cr_expect_eq(rows[0].rank, 1, "all on time ranks first");
	cr_expect_eq(l->rank, 2);
	cr_expect_eq(rows[0].rated, 0);
	free(rows);

	stats_group(s, 6, STATS_UTILITY, &rows, &n);
	cr_assert_eq(n, 2, "the authority's track has no utility");
	cr_expect_str_eq(rows[0].key, "Gas Co");
	cr_expect_eq(rows[0].count, 2);
	cr_expect_float_eq(rows[0].median_days, 7.5, 1e-9);
	cr_expect_eq(rows[1].rank, 1, "Water Co: on time in 3 median days beats Gas Co's 7.5");
	free(rows);

	stats_group(s, 6, STATS_STAGE, &rows, &n);
	cr_assert_eq(n, 1);
	cr_expect_str_eq(rows[0].key, "survey");
	cr_expect_eq(rows[0].p90_days, 40);
	free(rows);

	stats_group(s, 6, STATS_AUTHORITY, &rows, &n);
	cr_assert_eq(n, 1);
	cr_expect_float_eq(rows[0].deemed_share, 1, 1e-9);
	free(rows);

	stats_group(s, 0, STATS_MONTH, &rows, &n);
	cr_expect_eq(n, 0);
	cr_expect_null(rows);
}

Test(stats, equal_on_time_rates_rank_by_median_then_name)
{
	struct stats_sample s[] = {
	    {{"b"}, 3, true, 0, false, false, STATS_UNRATED},
	    {{"a"}, 3, true, 0, false, false, STATS_UNRATED},
	    {{"c"}, 1, true, 0, false, false, STATS_UNRATED},
	};
	struct stats_row *rows;
	size_t n;
	stats_group(s, 3, STATS_DISTRICT, &rows, &n);
	cr_assert_eq(n, 3);
	cr_expect_eq(rows[2].rank, 1, "c is fastest");
	cr_expect_eq(rows[0].rank, 2, "a before b by name");
	cr_expect_eq(rows[1].rank, 3);
	free(rows);
}

/* The one definition of "finished": a completed connection, a permit's decision. */
Test(stats, what_finishes_a_track)
{
	static const struct {
		const char *object, *state;
		bool finishes;
	} cases[] = {
		{ "job", "completed", true },	   { "job", "connected", false },
		{ "job", "withdrawn", false },	   { "job", "rejected", false },
		{ "permit", "approved", true },	   { "permit", "rejected", true },
		{ "permit", "closed", false },	   { "permit", "under_review", false },
		{ "permit", "revoked", false },	   { "permit", "nonsense", false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_eq(stats_finishes(cases[i].object, cases[i].state), cases[i].finishes,
			     "%s %s", cases[i].object, cases[i].state);
}
