/* Tests for workflows/coordination.c: the dig conflict rule, month arithmetic, reading digs. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "workflows/coordination.h"

static day_t D(int y, int m, int d)
{
	return cal_day_from_ymd(y, m, d);
}

Test(coordination, add_months_clamps_to_the_month)
{
	static const struct {
		int y, m, d, months, wy, wm, wd;
	} cases[] = {
	    {2026, 1, 15, 6, 2026, 7, 15}, {2026, 8, 31, 6, 2027, 2, 28},
	    {2027, 8, 31, 6, 2028, 2, 29}, {2026, 12, 1, 1, 2027, 1, 1},
	    {2026, 3, 31, 0, 2026, 3, 31},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_expect_eq(coordination_add_months(D(cases[i].y, cases[i].m, cases[i].d),
						     cases[i].months),
			     D(cases[i].wy, cases[i].wm, cases[i].wd), "case %zu", i);
}

/* Pairs by (a, b) as the rule reports them. */
Test(coordination, conflicts_same_road_different_projects_within_months)
{
	const struct {
		const char *name;
		struct planned_dig a, b;
		bool conflict;
		int gap;
	} cases[] = {
	    {"six weeks apart on one road",
	     {1, 10, "R1", D(2027, 3, 1), D(2027, 3, 10)},
	     {2, 11, "R1", D(2027, 4, 12), D(2027, 4, 20)},
	     true,
	     33},
	    {"overlapping",
	     {1, 10, "R1", D(2027, 3, 1), D(2027, 3, 10)},
	     {2, 11, "R1", D(2027, 3, 5), D(2027, 3, 6)},
	     true,
	     0},
	    {"exactly six months after the end",
	     {1, 10, "R1", D(2027, 1, 1), D(2027, 1, 31)},
	     {2, 11, "R1", D(2027, 7, 31), D(2027, 8, 2)},
	     true,
	     181},
	    {"a day more than six months",
	     {1, 10, "R1", D(2027, 1, 1), D(2027, 1, 31)},
	     {2, 11, "R1", D(2027, 8, 1), D(2027, 8, 2)},
	     false,
	     0},
	    {"different roads",
	     {1, 10, "R1", D(2027, 3, 1), D(2027, 3, 10)},
	     {2, 11, "R2", D(2027, 3, 1), D(2027, 3, 10)},
	     false,
	     0},
	    {"one project's own digs",
	     {1, 10, "R1", D(2027, 3, 1), D(2027, 3, 10)},
	     {2, 10, "R1", D(2027, 3, 20), D(2027, 3, 30)},
	     false,
	     0},
	    {"not on a register road",
	     {1, 10, "", D(2027, 3, 1), D(2027, 3, 10)},
	     {2, 11, "", D(2027, 3, 1), D(2027, 3, 10)},
	     false,
	     0},
	    {"later one given first",
	     {1, 10, "R1", D(2027, 5, 1), D(2027, 5, 10)},
	     {2, 11, "R1", D(2027, 3, 1), D(2027, 3, 10)},
	     true,
	     52},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct planned_dig d[2] = {cases[i].a, cases[i].b};
		struct dig_conflict out[2];
		size_t n = coordination_conflicts(d, 2, COORDINATION_MONTHS, out, 2);
		cr_expect_eq(n, cases[i].conflict ? 1u : 0u, "%s", cases[i].name);
		if (n == 1) {
			cr_expect_eq(out[0].a, 0u, "%s", cases[i].name);
			cr_expect_eq(out[0].b, 1u, "%s", cases[i].name);
			cr_expect_eq(out[0].gap_days, cases[i].gap, "%s: gap %d", cases[i].name,
				     out[0].gap_days);
		}
	}
	/* counts beyond the room given */
	struct planned_dig three[3] = {{1, 1, "R", D(2027, 1, 1), D(2027, 1, 2)},
				       {2, 2, "R", D(2027, 1, 3), D(2027, 1, 4)},
				       {3, 3, "R", D(2027, 1, 5), D(2027, 1, 6)}};
	cr_expect_eq(coordination_conflicts(three, 3, COORDINATION_MONTHS, NULL, 0), 3u);
}

Test(coordination, every_problem_of_a_planned_dig_is_listed)
{
	json_error_t je;
	json_t *digs = json_loads(
	    "[{\"geometry\":{\"type\":\"Point\",\"coordinates\":[119.3,26.08]},"
	    "\"start_date\":\"2020-01-01\",\"end_date\":\"2019-01-01\",\"colour\":1},"
	    "{\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[119.3,26.08],[119.3,26.09]]},"
	    "\"start_date\":\"2030-01-01\",\"end_date\":\"2032-01-01\",\"purpose\":7},"
	    "{\"start_date\":\"x\"}]",
	    0, &je);
	cr_assert(digs, "%s", je.text);
	struct planned_dig_request *out = NULL;
	size_t n = 0;
	struct error err = ERROR_INIT;
	size_t problems =
	    coordination_parse_digs(digs, GEO_CRS_CGCS2000, D(2026, 12, 1), &out, &n, &err);
	static const char *const want[][2] = {
	    {"digs[0].colour", "unknown_field"},  {"digs[0].start_date", "in_the_past"},
	    {"digs[0].end_date", "invalid_range"}, {"digs[1].end_date", "too_long"},
	    {"digs[1].purpose", "wrong_type"},	   {"digs[2].geometry", "required"},
	    {"digs[2].start_date", "wrong_type"},  {"digs[2].end_date", "required"},
	};
	for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
		bool found = false;
		for (size_t i = 0; i < err.ndetails; i++)
			found |= !strcmp(err.details[i].field, want[w][0]) &&
				 !strcmp(err.details[i].code, want[w][1]);
		cr_expect(found, "%s %s", want[w][0], want[w][1]);
	}
	/* a point is not a dig */
	bool point = false;
	for (size_t i = 0; i < err.ndetails; i++)
		point |= !strncmp(err.details[i].field, "digs[0].geometry", 16);
	cr_expect(point, "a Point is refused");
	cr_expect_eq(problems, err.ndetails);
	cr_expect_eq(n, 3u);
	cr_expect_not_null(out[1].extent);
	error_release(&err);
	coordination_digs_release(out, n);
	json_decref(digs);
}

/* The sorted pass finds exactly the pairs the rule gives for every pair, on a mixed plan. */
Test(coordination, conflicts_in_one_pass_match_every_pair)
{
	enum { N = 400 };
	static const char *const roads[] = {"R1", "R2", "R3", "", "R10"};
	struct planned_dig d[N];
	unsigned seed = 7;
	for (size_t i = 0; i < N; i++) {
		seed = seed * 1103515245u + 12345u;
		day_t start = D(2027, 1, 1) + (day_t)((seed >> 8) % 900);
		seed = seed * 1103515245u + 12345u;
		d[i] = (struct planned_dig){(long long)i + 1, (long long)((seed >> 8) % 60),
					    roads[(seed >> 4) % 5], start,
					    start + (day_t)((seed >> 12) % 120)};
	}
	size_t brute = 0;
	for (size_t a = 0; a < N; a++)
		for (size_t b = a + 1; b < N; b++)
			brute += coordination_pair(&d[a], &d[b], COORDINATION_MONTHS, NULL);
	size_t n = coordination_conflicts(d, N, COORDINATION_MONTHS, NULL, 0);
	cr_expect_eq(n, brute, "%zu pairs, every pair's rule says %zu", n, brute);
	cr_assert_gt(brute, 100u, "the plan has conflicts to find");
	struct dig_conflict *out = calloc(n, sizeof(*out));
	cr_assert_eq(coordination_conflicts(d, N, COORDINATION_MONTHS, out, n), n);
	for (size_t k = 0; k < n; k++) {
		int gap = -1;
		cr_expect_lt(out[k].a, out[k].b);
		cr_expect(coordination_pair(&d[out[k].a], &d[out[k].b], COORDINATION_MONTHS, &gap),
			  "pair %zu", k);
		cr_expect_eq(out[k].gap_days, gap);
		for (size_t j = 0; j < k; j++)
			cr_expect(out[j].a != out[k].a || out[j].b != out[k].b, "pair %zu twice", k);
	}
	free(out);
}
