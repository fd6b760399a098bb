/* Tests for workflows/triggers.c: permit triggers, dig-once groups, fast track, trench overlap. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdint.h>
#include <string.h>

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
					      .from_m = 100,
					      .to_m = 100 + c->dig_length[i],
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
	    {.district = "Gaoxin", .road = "A", .from_m = 10, .to_m = 50},
	    {.district = "Gaoxin", .road = "B", .from_m = 80, .to_m = 20},
	};
	struct site_facts site = {digs, 2, -1, 0, 0};
	struct trigger_rules rules = TRIGGER_RULES_DEFAULT;
	struct trigger_list list;
	struct error err = ERROR_INIT;
	cr_assert_eq(triggers_evaluate(&rules, &site, &list, &err), ERR_INVALID);
	cr_assert_eq(err.ndetails, 2);
	cr_expect_str_eq(err.details[0].field, "digs[1].to_m");
	cr_expect_str_eq(err.details[1].field, "site");
	cr_expect_eq(list.n, 0);
	cr_expect_null(list.items);
	error_release(&err);
}

/* --- dig once -------------------------------------------------------------------------- */

struct seg {
	char utility[8];
	char district[8];
	char road[8];
	int from, to;
	int start, end; /* March 2026 days */
};

struct group_want {
	char road[8];
	int from, to;
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
	     {{"water", "Gaoxin", "Keji", 0, 100, 2, 6}, {"gas", "Gaoxin", "Keji", 50, 150, 4, 9}},
	     1,
	     {{"Keji", 0, 150, 2, 9, 2, {0, 1}}}},
	    {"disjoint on one road",
	     2,
	     {{"water", "Gaoxin", "Keji", 0, 100, 2, 6}, {"gas", "Gaoxin", "Keji", 200, 300, 2, 6}},
	     2,
	     {{"Keji", 0, 100, 2, 6, 1, {0}}, {"Keji", 200, 300, 2, 6, 1, {1}}}},
	    {"touching chainage",
	     2,
	     {{"water", "Gaoxin", "Keji", 0, 100, 2, 6},
	      {"power", "Gaoxin", "Keji", 100, 200, 3, 4}},
	     1,
	     {{"Keji", 0, 200, 2, 6, 2, {0, 1}}}},
	    {"same road name, other district",
	     2,
	     {{"water", "Gaoxin", "Keji", 0, 100, 2, 6}, {"gas", "Lixia", "Keji", 0, 100, 2, 6}},
	     2,
	     {{"Keji", 0, 100, 2, 6, 1, {0}}, {"Keji", 0, 100, 2, 6, 1, {1}}}},
	    {"chain through a middle dig",
	     3,
	     {{"water", "Gaoxin", "Keji", 0, 100, 2, 3},
	      {"gas", "Gaoxin", "Keji", 90, 200, 5, 6},
	      {"heat", "Gaoxin", "Keji", 190, 300, 10, 12}},
	     1,
	     {{"Keji", 0, 300, 2, 12, 3, {0, 1, 2}}}},
	    {"unsorted input",
	     3,
	     {{"water", "Gaoxin", "Keji", 200, 300, 9, 10},
	      {"gas", "Gaoxin", "Keji", 0, 100, 1, 2},
	      {"net", "Gaoxin", "Keji", 50, 250, 3, 4}},
	     1,
	     {{"Keji", 0, 300, 1, 10, 3, {0, 1, 2}}}},
	    {"contained and apart",
	     3,
	     {{"water", "Gaoxin", "Keji", 0, 500, 2, 6},
	      {"gas", "Gaoxin", "Keji", 100, 200, 2, 6},
	      {"power", "Gaoxin", "Keji", 600, 700, 2, 6}},
	     2,
	     {{"Keji", 0, 500, 2, 6, 2, {0, 1}}, {"Keji", 600, 700, 2, 6, 1, {2}}}},
	    /* one trench, one permit: the window is the union even when the windows are apart */
	    {"windows apart",
	     2,
	     {{"water", "Gaoxin", "Keji", 0, 100, 1, 5}, {"gas", "Gaoxin", "Keji", 20, 80, 20, 25}},
	     1,
	     {{"Keji", 0, 100, 1, 25, 2, {0, 1}}}},
	    {"two roads, ordered by road",
	     4,
	     {{"water", "Gaoxin", "Wenhua", 0, 100, 2, 6},
	      {"gas", "Gaoxin", "Keji", 0, 100, 2, 6},
	      {"power", "Gaoxin", "Wenhua", 40, 60, 7, 8},
	      {"heat", "Gaoxin", "Keji", 30, 130, 1, 3}},
	     2,
	     {{"Keji", 0, 130, 1, 6, 2, {1, 3}}, {"Wenhua", 0, 100, 2, 8, 2, {0, 2}}}},
	    {"nothing to group", 0, {{"", "", "", 0, 0, 0, 0}}, 0, {{"", 0, 0, 0, 0, 0, {0}}}},
	};
	return cr_make_param_array(struct group_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct group_case *c, triggers, group_digs)
{
	struct excavation digs[4];
	for (int i = 0; i < c->nsegs; i++) {
		const struct seg *s = &c->segs[i];
		digs[i] = (struct excavation){.utility = s->utility,
					      .district = s->district,
					      .road = s->road,
					      .from_m = s->from,
					      .to_m = s->to,
					      .start_day = march(s->start),
					      .end_day = march(s->end)};
	}
	struct dig_group_list list;
	cr_assert_eq(triggers_group_digs(digs, (size_t)c->nsegs, &list, NULL), 0, "%s", c->name);
	cr_assert_eq(list.n, (size_t)c->ngroups, "%s: %zu groups", c->name, list.n);
	for (int g = 0; g < c->ngroups; g++) {
		const struct dig_group *got = &list.groups[g];
		const struct group_want *want = &c->groups[g];
		cr_expect_str_eq(got->road, want->road, "%s group %d", c->name, g);
		cr_expect_eq(got->from_m, want->from, "%s group %d from", c->name, g);
		cr_expect_eq(got->to_m, want->to, "%s group %d to", c->name, g);
		cr_expect_eq(got->start_day, march(want->start), "%s group %d start", c->name, g);
		cr_expect_eq(got->end_day, march(want->end), "%s group %d end", c->name, g);
		cr_assert_eq(got->nmembers, (size_t)want->nmembers, "%s group %d", c->name, g);
		for (int m = 0; m < want->nmembers; m++)
			cr_expect_eq(got->members[m], (size_t)want->members[m], "%s group %d",
				     c->name, g);
	}
	triggers_groups_release(&list);
}

Test(triggers, group_digs_lists_every_bad_excavation)
{
	struct excavation digs[] = {
	    {.district = "Gaoxin", .road = "", .from_m = 0, .to_m = 10},
	    {.district = "Gaoxin", .road = "Keji", .from_m = 0, .to_m = 10},
	    {.district = "Gaoxin",
	     .road = "Keji",
	     .from_m = 50,
	     .to_m = 40,
	     .start_day = 10,
	     .end_day = 9},
	};
	struct dig_group_list list;
	struct error err = ERROR_INIT;
	cr_assert_eq(triggers_group_digs(digs, 3, &list, &err), ERR_INVALID);
	cr_assert_eq(err.ndetails, 3);
	cr_expect_str_eq(err.details[0].field, "digs[0]");
	cr_expect_str_eq(err.details[0].code, "required");
	cr_expect_str_eq(err.details[1].code, "invalid_range");
	cr_expect_str_eq(err.details[2].code, "invalid_window");
	cr_expect_eq(list.n, 0);
	error_release(&err);
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
	     "zone risk medium is not low"},
	    {"high zone", ZONE_RISK_HIGH, "branch", 50, 100, 5, FT_ZONE, "zone risk high"},
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
				 .from_m = 200,
				 .to_m = 200 + c->length,
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

struct overlap_case {
	char name[32];
	char district[8], road[8];
	int from, to;
	int start, end;
	bool overlap;
};

ParameterizedTestParameters(triggers, overlap)
{
	/* against Gaoxin / Keji, chainage 100..200, 10..15 March */
	static struct overlap_case cases[] = {
	    {"identical", "Gaoxin", "Keji", 100, 200, 10, 15, true},
	    {"contained", "Gaoxin", "Keji", 120, 130, 11, 12, true},
	    {"partly", "Gaoxin", "Keji", 150, 400, 14, 30, true},
	    {"touching chainage", "Gaoxin", "Keji", 200, 300, 10, 15, true},
	    {"touching window", "Gaoxin", "Keji", 100, 200, 15, 20, true},
	    {"chainage apart", "Gaoxin", "Keji", 201, 300, 10, 15, false},
	    {"window apart", "Gaoxin", "Keji", 100, 200, 16, 20, false},
	    {"window before", "Gaoxin", "Keji", 100, 200, 1, 9, false},
	    {"other road", "Gaoxin", "Wenhua", 100, 200, 10, 15, false},
	    {"other district", "Lixia", "Keji", 100, 200, 10, 15, false},
	    {"no road", "Gaoxin", "", 100, 200, 10, 15, false},
	};
	return cr_make_param_array(struct overlap_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct overlap_case *c, triggers, overlap)
{
	struct excavation a = {.utility = "water",
			       .district = "Gaoxin",
			       .road = "Keji",
			       .from_m = 100,
			       .to_m = 200,
			       .start_day = march(10),
			       .end_day = march(15)};
	struct excavation b = {.utility = "gas",
			       .district = c->district,
			       .road = c->road,
			       .from_m = c->from,
			       .to_m = c->to,
			       .start_day = march(c->start),
			       .end_day = march(c->end)};
	cr_expect_eq(triggers_overlap(&a, &b), c->overlap, "%s", c->name);
	cr_expect_eq(triggers_overlap(&b, &a), c->overlap, "%s (reversed)", c->name);
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
