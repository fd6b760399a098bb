/* Tests for workflows/triggers.c: permit triggers, dig-once groups, fast track, trench overlap. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdint.h>
#include <string.h>

#include "workflows/geo.h"
#include "workflows/triggers.h"

/* Strings live in arrays: Criterion runs each case in a process where table pointers are void. */

static day_t march(int d)
{
	return cal_day_from_ymd(2026, 3, d);
}

/* --- which permits --------------------------------------------------------------------- */

struct trigger_case {
	char name[32];
	struct trigger_rules rules;
	int ndigs;
	int dig_length[2]; /* each dig runs from chainage 100 */
	int green_area, trees, outside;
	int ntriggers;
	int kinds[4];
	char first_reason[64];
};

ParameterizedTestParameters(triggers, evaluate)
{
	static struct trigger_case cases[] = {
	    {"one dig",
	     TRIGGER_RULES_DEFAULT,
	     1,
	     {120},
	     0,
	     0,
	     0,
	     1,
	     {PERMIT_DIG_ROAD},
	     "road excavation of 120 m on Zhongshan Road"},
	    {"zero-length dig", TRIGGER_RULES_DEFAULT, 1, {0}, 0, 0, 0, 0, {0}, ""},
	    {"green area",
	     TRIGGER_RULES_DEFAULT,
	     0,
	     {0},
	     30,
	     0,
	     0,
	     1,
	     {PERMIT_GREENING},
	     "green space of 30 m² and 0 tree(s) affected"},
	    {"trees only",
	     TRIGGER_RULES_DEFAULT,
	     0,
	     {0},
	     0,
	     2,
	     0,
	     1,
	     {PERMIT_GREENING},
	     "green space of 0 m² and 2 tree(s) affected"},
	    {"outside plot",
	     TRIGGER_RULES_DEFAULT,
	     0,
	     {0},
	     0,
	     0,
	     15,
	     1,
	     {PERMIT_PLANNING},
	     "15 m of lines outside the plot boundary"},
	    {"nothing", TRIGGER_RULES_DEFAULT, 0, {0}, 0, 0, 0, 0, {0}, ""},
	    {"everything",
	     TRIGGER_RULES_DEFAULT,
	     2,
	     {40, 60},
	     10,
	     1,
	     3,
	     4,
	     {PERMIT_DIG_ROAD, PERMIT_DIG_ROAD, PERMIT_GREENING, PERMIT_PLANNING},
	     "road excavation of 40 m on Zhongshan Road"},
	    /* published thresholds: strictly above triggers, at the threshold does not */
	    {"dig at threshold", {10, 0, 0, 0}, 1, {10}, 0, 0, 0, 0, {0}, ""},
	    {"dig over threshold",
	     {10, 0, 0, 0},
	     1,
	     {11},
	     0,
	     0,
	     0,
	     1,
	     {PERMIT_DIG_ROAD},
	     "road excavation of 11 m on Zhongshan Road"},
	    {"area at threshold", {0, 50, 3, 0}, 0, {0}, 50, 3, 0, 0, {0}, ""},
	    {"area over threshold",
	     {0, 50, 3, 0},
	     0,
	     {0},
	     51,
	     0,
	     0,
	     1,
	     {PERMIT_GREENING},
	     "green space of 51 m² and 0 tree(s) affected"},
	    {"trees over threshold",
	     {0, 50, 3, 0},
	     0,
	     {0},
	     0,
	     4,
	     0,
	     1,
	     {PERMIT_GREENING},
	     "green space of 0 m² and 4 tree(s) affected"},
	    {"outside at threshold", {0, 0, 0, 5}, 0, {0}, 0, 0, 5, 0, {0}, ""},
	    {"outside over threshold",
	     {0, 0, 0, 5},
	     0,
	     {0},
	     0,
	     0,
	     6,
	     1,
	     {PERMIT_PLANNING},
	     "6 m of lines outside the plot boundary"},
	};
	return cr_make_param_array(struct trigger_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct trigger_case *c, triggers, evaluate)
{
	struct excavation digs[2];
	for (int i = 0; i < c->ndigs; i++)
		digs[i] = (struct excavation){.utility = "water",
					      .district = "Gaoxin",
					      .road = "Zhongshan Road",
					      .length_m = c->dig_length[i],
					      .start_day = march(1),
					      .end_day = march(5)};
	struct site_facts site = {digs, (size_t)c->ndigs, c->green_area, c->trees, c->outside};
	struct trigger_list list;
	cr_assert_eq(triggers_evaluate(&c->rules, &site, &list, NULL), 0, "%s", c->name);
	cr_assert_eq(list.n, (size_t)c->ntriggers, "%s: %zu triggers", c->name, list.n);
	for (int i = 0; i < c->ntriggers; i++) {
		cr_expect_eq(list.items[i].kind, c->kinds[i], "%s #%d", c->name, i);
		if (c->kinds[i] == PERMIT_DIG_ROAD)
			cr_expect_eq(list.items[i].segment, (size_t)i, "%s #%d", c->name, i);
		else
			cr_expect_eq(list.items[i].segment, SIZE_MAX, "%s #%d", c->name, i);
	}
	if (c->ntriggers)
		cr_expect_str_eq(list.items[0].reason, c->first_reason, "%s", c->name);
	triggers_list_release(&list);
	cr_expect_eq(list.n, 0);
}

Test(triggers, impossible_site_facts_listed_at_once)
{
	struct excavation digs[] = {
	    {.district = "Gaoxin", .road = "A", .length_m = 40},
	    {.district = "Gaoxin", .road = "B", .length_m = -60},
	};
	struct site_facts site = {digs, 2, -1, 0, 0};
	struct trigger_rules rules = TRIGGER_RULES_DEFAULT;
	struct trigger_list list;
	struct error err = ERROR_INIT;
	cr_assert_eq(triggers_evaluate(&rules, &site, &list, &err), ERR_INVALID);
	cr_assert_eq(err.ndetails, 2);
	cr_expect_str_eq(err.details[0].field, "digs[1]");
	cr_expect_str_eq(err.details[1].field, "site");
	cr_expect_eq(list.n, 0);
	cr_expect_null(list.items);
	error_release(&err);
}

/* --- dig once -------------------------------------------------------------------------- */

/*
 * Works drawn along made-up roads near 119.30 E, 26.08 N, where 0.00001 degree of longitude is
 * about 1 m: "Keji" runs east at 26.08; "Par" runs beside it 30 m north; "Wenhua" runs east
 * 1.1 km north; "Cross" is a north-south dig 100 m long crossing Keji at metre `from`.
 */
static struct geo *drawn(const char *road, int from, int to)
{
	char wkt[160];
	double x0 = 119.30 + from * 1e-5, x1 = 119.30 + to * 1e-5;
	if (!strcmp(road, "Cross"))
		snprintf(wkt, sizeof(wkt), "LINESTRING(%.7f 26.0795, %.7f 26.0805)", x0, x0);
	else
		snprintf(wkt, sizeof(wkt), "LINESTRING(%.7f %.7f, %.7f %.7f)", x0,
			 !strcmp(road, "Par")	 ? 26.08027
			 : !strcmp(road, "Wenhua") ? 26.09
						   : 26.08,
			 x1,
			 !strcmp(road, "Par")	 ? 26.08027
			 : !strcmp(road, "Wenhua") ? 26.09
						   : 26.08);
	struct geo *g = geo_from_wkt(wkt);
	cr_assert(g, "%s", wkt);
	return g;
}

struct seg {
	char utility[8];
	char road[8];
	int from, to;	/* metres east along the road */
	int start, end; /* March 2026 days */
};

struct group_want {
	char road[8];
	int length;
	int start, end;
	int nmembers;
	int members[4];
};

struct group_case {
	char name[32];
	int nsegs;
	struct seg segs[4];
	int ngroups;
	struct group_want groups[4];
};

ParameterizedTestParameters(triggers, group_digs)
{
	static struct group_case cases[] = {
	    {"overlapping pair",
	     2,
	     {{"water", "Keji", 0, 100, 2, 6}, {"gas", "Keji", 50, 150, 4, 9}},
	     1,
	     {{"Keji", 200, 2, 9, 2, {0, 1}}}},
	    {"disjoint on one road",
	     2,
	     {{"water", "Keji", 0, 100, 2, 6}, {"gas", "Keji", 200, 300, 2, 6}},
	     2,
	     {{"Keji", 100, 2, 6, 1, {0}}, {"Keji", 100, 2, 6, 1, {1}}}},
	    {"touching",
	     2,
	     {{"water", "Keji", 0, 100, 2, 6}, {"power", "Keji", 100, 200, 3, 4}},
	     1,
	     {{"Keji", 200, 2, 6, 2, {0, 1}}}},
	    {"3 m apart, within the 5 m buffer",
	     2,
	     {{"water", "Keji", 0, 100, 2, 6}, {"power", "Keji", 103, 200, 3, 4}},
	     1,
	     {{"Keji", 197, 2, 6, 2, {0, 1}}}},
	    {"parallel roads 30 m apart",
	     2,
	     {{"water", "Keji", 0, 100, 2, 6}, {"gas", "Par", 0, 100, 2, 6}},
	     2,
	     {{"Keji", 100, 2, 6, 1, {0}}, {"Par", 100, 2, 6, 1, {1}}}},
	    {"crossing at a junction",
	     2,
	     {{"water", "Keji", 0, 100, 2, 6}, {"gas", "Cross", 50, 50, 5, 9}},
	     1,
	     {{"Keji", 100, 2, 9, 2, {0, 1}}}},
	    {"chain through a middle dig",
	     3,
	     {{"water", "Keji", 0, 100, 2, 5},
	      {"gas", "Keji", 90, 200, 4, 8},
	      {"heat", "Keji", 190, 300, 7, 12}},
	     1,
	     {{"Keji", 320, 2, 12, 3, {0, 1, 2}}}},
	    /* one trench needs one time: digs that meet in place but not in time stay apart */
	    {"windows apart",
	     2,
	     {{"water", "Keji", 0, 100, 1, 5}, {"gas", "Keji", 20, 80, 20, 25}},
	     2,
	     {{"Keji", 100, 1, 5, 1, {0}}, {"Keji", 60, 20, 25, 1, {1}}}},
	    {"contained and apart",
	     3,
	     {{"water", "Keji", 0, 500, 2, 6},
	      {"gas", "Keji", 100, 200, 2, 6},
	      {"power", "Keji", 600, 700, 2, 6}},
	     2,
	     {{"Keji", 600, 2, 6, 2, {0, 1}}, {"Keji", 100, 2, 6, 1, {2}}}},
	    {"two roads, by first member",
	     4,
	     {{"water", "Wenhua", 0, 100, 2, 6},
	      {"gas", "Keji", 0, 100, 2, 6},
	      {"power", "Wenhua", 40, 60, 5, 8},
	      {"heat", "Keji", 30, 130, 1, 3}},
	     2,
	     {{"Wenhua", 120, 2, 8, 2, {0, 2}}, {"Keji", 200, 1, 6, 2, {1, 3}}}},
	    {"nothing to group", 0, {{"", "", 0, 0, 0, 0}}, 0, {{"", 0, 0, 0, 0, {0}}}},
	};
	return cr_make_param_array(struct group_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct group_case *c, triggers, group_digs)
{
	struct excavation digs[4];
	struct geo *g[4] = {0};
	for (int i = 0; i < c->nsegs; i++) {
		const struct seg *s = &c->segs[i];
		g[i] = drawn(s->road, s->from, s->to);
		digs[i] = (struct excavation){.utility = s->utility,
					      .district = "D1",
					      .road = s->road,
					      .extent = g[i],
					      .length_m = s->to - s->from,
					      .start_day = march(s->start),
					      .end_day = march(s->end)};
	}
	struct dig_group_list list;
	cr_assert_eq(triggers_group_digs(digs, (size_t)c->nsegs, 5, &list, NULL), 0, "%s", c->name);
	cr_assert_eq(list.n, (size_t)c->ngroups, "%s: %zu groups", c->name, list.n);
	for (int k = 0; k < c->ngroups; k++) {
		const struct dig_group *got = &list.groups[k];
		const struct group_want *want = &c->groups[k];
		cr_expect_str_eq(got->road, want->road, "%s group %d", c->name, k);
		cr_expect_eq(got->length_m, want->length, "%s group %d length %d", c->name, k,
			     got->length_m);
		cr_expect_eq(got->start_day, march(want->start), "%s group %d start", c->name, k);
		cr_expect_eq(got->end_day, march(want->end), "%s group %d end", c->name, k);
		cr_assert_eq(got->nmembers, (size_t)want->nmembers, "%s group %d", c->name, k);
		for (int m = 0; m < want->nmembers; m++)
			cr_expect_eq(got->members[m], (size_t)want->members[m], "%s group %d",
				     c->name, k);
	}
	triggers_groups_release(&list);
	for (int i = 0; i < c->nsegs; i++)
		geo_free(g[i]);
}

Test(triggers, group_digs_lists_every_bad_excavation)
{
	struct geo *g = drawn("Keji", 0, 10);
	struct excavation digs[] = {
	    {.district = "Gaoxin", .road = "", .extent = g},
	    {.district = "Gaoxin", .road = "Keji", .extent = NULL},
	    {.district = "Gaoxin", .road = "Keji", .extent = g, .start_day = 10, .end_day = 9},
	};
	struct dig_group_list list;
	struct error err = ERROR_INIT;
	cr_assert_eq(triggers_group_digs(digs, 3, 5, &list, &err), ERR_INVALID);
	cr_assert_eq(err.ndetails, 3);
	cr_expect_str_eq(err.details[0].field, "digs[0]");
	cr_expect_str_eq(err.details[0].code, "required");
	cr_expect_str_eq(err.details[1].code, "required");
	cr_expect_str_eq(err.details[2].code, "invalid_window");
	cr_expect_eq(list.n, 0);
	error_release(&err);
	geo_free(g);
}

/* --- fast track ------------------------------------------------------------------------ */

struct fast_case {
	char name[24];
	int risk;
	char road_class[12];
	int length, area, days;
	unsigned failed;
	char reason_part[40];
};

ParameterizedTestParameters(triggers, fast_track)
{
	/* thresholds: branch or secondary road, <= 50 m, <= 100 m², <= 5 days */
	static struct fast_case cases[] = {
	    {"all at the maximum", ZONE_RISK_LOW, "branch", 50, 100, 5, 0, "within the fast"},
	    {"well inside", ZONE_RISK_LOW, "secondary", 10, 20, 1, 0, "road class secondary"},
	    {"medium zone", ZONE_RISK_MEDIUM, "branch", 50, 100, 5, FT_ZONE,
	     "zone Z v1 is medium risk, not low"},
	    {"high zone", ZONE_RISK_HIGH, "branch", 50, 100, 5, FT_ZONE, "is high risk"},
	    {"primary road", ZONE_RISK_LOW, "primary", 50, 100, 5, FT_ROAD_CLASS,
	     "road class primary"},
	    {"no road class", ZONE_RISK_LOW, "", 50, 100, 5, FT_ROAD_CLASS, "road class (none)"},
	    {"too long", ZONE_RISK_LOW, "branch", 51, 100, 5, FT_LENGTH, "length 51 m over 50 m"},
	    {"too large", ZONE_RISK_LOW, "branch", 50, 101, 5, FT_AREA, "area 101 m² over 100"},
	    {"too long a window", ZONE_RISK_LOW, "branch", 50, 100, 6, FT_DURATION,
	     "duration 6 days over 5 days"},
	    {"everything wrong", ZONE_RISK_HIGH, "expressway", 500, 900, 30,
	     FT_ZONE | FT_ROAD_CLASS | FT_LENGTH | FT_AREA | FT_DURATION, "; duration 30 days"},
	};
	return cr_make_param_array(struct fast_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct fast_case *c, triggers, fast_track)
{
	static const char *const classes[] = {"branch", "secondary"};
	struct fast_track_rules rules = {classes, 2, 50, 100, 5};
	struct excavation dig = {.district = "Gaoxin",
				 .road = "Keji",
				 .road_class = c->road_class,
				 .zone_risk = c->risk,
				 .zone = "Z v1",
				 .length_m = c->length,
				 .area_m2 = c->area,
				 .start_day = march(10),
				 .end_day = march(10) + c->days - 1};
	struct fast_track_decision d;
	triggers_fast_track(&rules, &dig, &d);
	cr_expect_eq(d.fast, c->failed == 0, "%s", c->name);
	cr_expect_eq(d.failed, c->failed, "%s: failed %#x", c->name, d.failed);
	cr_expect_not_null(strstr(d.reason, c->reason_part), "%s: reason '%s'", c->name, d.reason);
}

/* --- trench sharing -------------------------------------------------------------------- */

Test(triggers, fast_track_outside_every_zone_says_so)
{
	static const char *const classes[] = {"branch"};
	struct fast_track_rules rules = {classes, 1, 50, 100, 5};
	struct excavation dig = {.road = "Keji", .road_class = "branch", .zone_risk = ZONE_RISK_MEDIUM,
				 .zone = "", .length_m = 10, .area_m2 = 10,
				 .start_day = march(10), .end_day = march(10)};
	struct fast_track_decision d;
	triggers_fast_track(&rules, &dig, &d);
	cr_expect(!d.fast);
	cr_expect_eq(d.failed, FT_ZONE);
	cr_expect_str_eq(d.reason, "not in a published low-risk zone");
}

struct overlap_case {
	char name[32];
	char road[8];
	int from, to;
	int start, end;
	bool overlap;
};

ParameterizedTestParameters(triggers, overlap)
{
	/* against Keji, metres 100..200, 10..15 March; the buffer is 5 m */
	static struct overlap_case cases[] = {
	    {"identical", "Keji", 100, 200, 10, 15, true},
	    {"contained", "Keji", 120, 130, 11, 12, true},
	    {"partly", "Keji", 150, 400, 14, 30, true},
	    {"touching", "Keji", 200, 300, 10, 15, true},
	    {"4 m apart", "Keji", 204, 300, 10, 15, true},
	    {"touching window", "Keji", 100, 200, 15, 20, true},
	    {"10 m apart", "Keji", 210, 300, 10, 15, false},
	    {"window apart", "Keji", 100, 200, 16, 20, false},
	    {"window before", "Keji", 100, 200, 1, 9, false},
	    {"parallel 30 m away", "Par", 100, 200, 10, 15, false},
	    {"another road", "Wenhua", 100, 200, 10, 15, false},
	    {"crossing at a junction", "Cross", 150, 150, 10, 15, true},
	    {"crossing elsewhere", "Cross", 260, 260, 10, 15, false},
	};
	return cr_make_param_array(struct overlap_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct overlap_case *c, triggers, overlap)
{
	struct geo *ga = drawn("Keji", 100, 200), *gb = drawn(c->road, c->from, c->to);
	struct excavation a = {.utility = "water",
			       .road = "Keji",
			       .extent = ga,
			       .start_day = march(10),
			       .end_day = march(15)};
	struct excavation b = {.utility = "gas",
			       .road = c->road,
			       .extent = gb,
			       .start_day = march(c->start),
			       .end_day = march(c->end)};
	cr_expect_eq(triggers_overlap(&a, &b, 5), c->overlap, "%s", c->name);
	cr_expect_eq(triggers_overlap(&b, &a, 5), c->overlap, "%s (reversed)", c->name);
	b.extent = NULL;
	cr_expect(!triggers_overlap(&a, &b, 5), "%s: no extent, no overlap", c->name);
	geo_free(ga);
	geo_free(gb);
}

Test(triggers, risk_names)
{
	for (int i = 0; i < ZONE_RISK_COUNT; i++) {
		enum zone_risk back;
		cr_assert_eq(triggers_risk_parse(triggers_risk_name(i), &back, NULL), 0);
		cr_expect_eq(back, i);
	}
	enum zone_risk r;
	cr_expect_eq(triggers_risk_parse("LOW", &r, NULL), ERR_INVALID);
	cr_expect_str_eq(triggers_risk_name(ZONE_RISK_COUNT), "unknown");
}
