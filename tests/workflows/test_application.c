/* The joint application, pure: parsing lists every problem; the plan follows the rules. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "workflows/application.h"
#include "workflows/geo.h"
#include "workflows/place.h"
#include "workflows/standards.h"

static day_t D(const char *s)
{
	day_t d;
	cr_assert_eq(cal_day_parse(s, &d, NULL), 0, "%s", s);
	return d;
}

static json_t *J(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	cr_assert(j, "bad test JSON: %s", e.text);
	return j;
}

static bool has_detail(const struct error *err, const char *field, const char *code)
{
	for (size_t i = 0; i < err->ndetails; i++)
		if (!strcmp(err->details[i].field, field) && (!code || !strcmp(err->details[i].code, code)))
			return true;
	return false;
}

static const char *details(const struct error *err)
{
	static char buf[8192];
	buf[0] = 0;
	for (size_t i = 0; i < err->ndetails; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s/%s: %s; ",
			 err->details[i].field, err->details[i].code, err->details[i].message);
	return buf;
}

Test(application, parse_lists_every_problem_at_once)
{
	json_t *body = J("{\"site_id\": 0, \"utilities\": {\"water\": {\"dn\": 5}, \"power\": {},"
			 " \"steam\": {}}, \"works\": {\"excavations\": [{\"utility\": \"gas\","
			 " \"road\": \"Lishan Road\", \"from_m\": 50,"
			 " \"geometry\": {\"type\": \"LineString\", \"coordinates\": [[119.3, 26.08]]},"
			 " \"start_date\": \"2026-01-01\", \"end_date\": \"bad\"},"
			 " {\"utility\": \"water\", \"width_m\": 1, \"start_date\": \"2026-12-02\","
			 " \"end_date\": \"2026-12-03\", \"geometry\": {\"type\": \"Polygon\", \"coordinates\":"
			 " [[[119.30, 26.08], [119.31, 26.09], [119.31, 26.08], [119.30, 26.09], [119.30, 26.08]]]}},"
			 " {\"utility\": \"water\", \"start_date\": \"2026-12-02\", \"end_date\": \"2026-12-03\"}]},"
			 " \"providers\": {\"heat\": 3}, \"crs\": \"Mercator\","
			 " \"colour\": \"red\", \"customer_class\": \"royal\"}");
	struct app_request req;
	struct error err = ERROR_INIT;
	cr_assert_eq(application_parse(body, D("2026-12-01"), &req, &err), ERR_INVALID);
	static const struct {
		const char *field, *code;
	} want[] = {
		{ "site_id", "out_of_range" },
		{ "utilities.water.dn", "out_of_range" },
		{ "utilities.water.use", "required" },
		{ "utilities.power.kw", "required" },
		{ "utilities.power.voltage_level", "required" },
		{ "utilities.steam", "unknown_utility" },
		{ "works.excavations[0].utility", "not_requested" },
		{ "works.excavations[0].road", "unknown_field" },
		{ "works.excavations[0].from_m", "unknown_field" },
		{ "works.excavations[0].geometry.coordinates", NULL },
		{ "works.excavations[0].start_date", "in_the_past" },
		{ "works.excavations[0].end_date", "invalid" },
		{ "works.excavations[1].geometry.coordinates", "self_intersecting" },
		{ "works.excavations[2].geometry", "required" },
		{ "works.excavations[2].width_m", "required" },
		{ "providers.heat", "not_requested" },
		{ "crs", NULL },
		{ "colour", "unknown_field" },
		{ "customer_class", "not_allowed" },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_expect(has_detail(&err, want[i].field, want[i].code) ||
			      (want[i].code == NULL &&
			       has_detail(&err, want[i].field, NULL)),
			  "missing detail %s/%s in %s", want[i].field, want[i].code ? want[i].code : "*",
			  details(&err));
	/* a bad geometry may be named once, at its own place; nothing beyond the list above */
	for (size_t i = 0; i < err.ndetails; i++) {
		bool listed = false;
		for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++)
			listed = listed || !strncmp(err.details[i].field, want[k].field,
						    strlen(want[k].field));
		cr_expect(listed, "unexpected detail %s/%s", err.details[i].field,
			  err.details[i].code);
	}
	application_request_release(&req);
	error_release(&err);
	json_decref(body);
}

/*
 * A small place by hand: district D1; a branch road running east (R-BR) and a primary road
 * running north (R-PR); a published low-risk zone over the west end of R-BR and a high-risk
 * zone over the middle of R-PR. At 26.08 N, 0.0001 degree of longitude is about 10 m.
 */
static void place(struct place_context *pc)
{
	memset(pc, 0, sizeof(*pc));
	pc->districts = xcalloc(1, sizeof(*pc->districts));
	pc->ndistricts = 1;
	snprintf(pc->districts[0].code, sizeof(pc->districts[0].code), "D1");
	pc->districts[0].name_zh = xstrdup("一区");
	pc->districts[0].name_en = xstrdup("District One");
	pc->districts[0].kind = xstrdup("district");
	pc->districts[0].boundary =
	    geo_from_wkt("POLYGON((119.28 26.07, 119.33 26.07, 119.33 26.10, 119.28 26.10, 119.28 26.07))");
	static const struct {
		const char *id, *cls, *wkt;
	} roads[] = {
		{ "R-BR", "branch", "LINESTRING(119.29 26.08, 119.31 26.08)" },
		{ "R-PR", "primary", "LINESTRING(119.32 26.075, 119.32 26.095)" },
	};
	pc->roads = xcalloc(2, sizeof(*pc->roads));
	pc->nroads = 2;
	for (size_t i = 0; i < 2; i++) {
		struct place_road *r = &pc->roads[i];
		snprintf(r->road_id, sizeof(r->road_id), "%s", roads[i].id);
		r->name_zh = xstrdup(roads[i].id);
		r->name_en = xstrdup(roads[i].id);
		snprintf(r->road_class, sizeof(r->road_class), "%s", roads[i].cls);
		snprintf(r->district, sizeof(r->district), "D1");
		r->register_version = 1;
		r->centreline = geo_from_wkt(roads[i].wkt);
		cr_assert(r->centreline);
	}
	pc->zones = xcalloc(2, sizeof(*pc->zones));
	pc->nzones = 2;
	snprintf(pc->zones[0].code, sizeof(pc->zones[0].code), "Z-LOW");
	pc->zones[0].version = 1;
	pc->zones[0].risk = ZONE_RISK_LOW;
	pc->zones[0].area = geo_from_wkt(
	    "POLYGON((119.289 26.079, 119.30 26.079, 119.30 26.081, 119.289 26.081, 119.289 26.079))");
	snprintf(pc->zones[1].code, sizeof(pc->zones[1].code), "Z-HIGH");
	pc->zones[1].version = 2;
	pc->zones[1].risk = ZONE_RISK_HIGH;
	pc->zones[1].area = geo_from_wkt(
	    "POLYGON((119.318 26.083, 119.322 26.083, 119.322 26.087, 119.318 26.087, 119.318 26.083))");
	for (size_t i = 0; i < 2; i++) {
		pc->zones[i].name_zh = xstrdup(pc->zones[i].code);
		pc->zones[i].name_en = xstrdup(pc->zones[i].code);
	}
}

/* Standards built by hand: every kind published; water wants a site plan and, with
 * excavation, an excavation plan; dig-road wants a traffic plan; fast track up to 50 m. */
static const struct material_rule water_materials[] = {
	{ "site_plan", "Site plan", NULL, true },
	{ "excavation_plan", "Excavation plan", "excavation", true },
	{ "load_calculation", "Load calculation", NULL, false },
};
static const struct material_rule road_materials[] = {
	{ "traffic_plan", "Traffic plan", NULL, true },
};
static const struct material_rule green_materials[] = {
	{ "tree_survey", "Tree survey", "green_space", true },
};
static const char *const classes[] = { "branch", "secondary" };

static void view(struct standards_view *v)
{
	memset(v, 0, sizeof(*v));
	for (int k = 0; k < UK_COUNT; k++) {
		v->utility[k].published = true;
		v->utility[k].first_limit_days = 1;
	}
	v->utility[UK_WATER].materials = water_materials;
	v->utility[UK_WATER].nmaterials = 3;
	for (int p = 0; p < PERMIT_KIND_COUNT; p++) {
		v->permit[p].published = true;
		v->permit[p].first_limit_days = 1;
	}
	v->permit[PERMIT_DIG_ROAD].materials = road_materials;
	v->permit[PERMIT_DIG_ROAD].nmaterials = 1;
	v->permit[PERMIT_GREENING].materials = green_materials;
	v->permit[PERMIT_GREENING].nmaterials = 1;
	v->permit[PERMIT_DIG_ROAD].fast_track_enabled = true;
	v->permit[PERMIT_DIG_ROAD].fast_track = (struct fast_track_rules){ classes, 2, 50, 200, 7 };
}

/* Water 30 m and gas 20 m overlapping on R-BR in the low-risk zone; power 400 m on R-PR. */
static const char *submission =
	"{\"site_id\": 7, \"commitment\": %s, \"utilities\": {"
	" \"water\": {\"dn\": 100, \"use\": \"domestic\", \"meters\": 2, \"length_m\": 30},"
	" \"gas\": {\"flow_m3h\": 40, \"pressure_class\": \"low\"},"
	" \"power\": {\"kw\": 250, \"voltage_level\": \"10kV\"}},"
	" \"works\": {\"excavations\": ["
	"  {\"utility\": \"water\", \"geometry\": {\"type\": \"LineString\", \"coordinates\":"
	"   [[%s, 26.08], [%s, 26.08]]}, \"width_m\": 1.5,"
	"   \"start_date\": \"2026-12-07\", \"end_date\": \"2026-12-09\"},"
	"  {\"utility\": \"gas\", \"geometry\": {\"type\": \"LineString\", \"coordinates\":"
	"   [[119.2952, 26.08], [119.2954, 26.08]]}, \"width_m\": 1,"
	"   \"start_date\": \"2026-12-08\", \"end_date\": \"2026-12-10\"},"
	"  {\"utility\": \"power\", \"road_id\": \"R-PR\", \"geometry\": {\"type\": \"LineString\","
	"   \"coordinates\": [[119.32, 26.076], [119.32, 26.0796]]}, \"width_m\": 1,"
	"   \"start_date\": \"2026-12-07\", \"end_date\": \"2026-12-20\"}],"
	" \"green_space\": {\"area_m2\": 30, \"trees_affected\": 2}}}";

/* Parses the submission (water from lng_a to lng_b) and places it; asserts no problem. */
static void parse_at(bool commitment, const char *lng_a, const char *lng_b,
		     struct app_request *req)
{
	char text[4096];
	snprintf(text, sizeof(text), submission, commitment ? "true" : "false", lng_a, lng_b);
	json_t *body = J(text);
	struct error err = ERROR_INIT;
	cr_assert_eq(application_parse(body, D("2026-12-01"), req, &err), 0, "%s %s", err.message,
		     details(&err));
	json_decref(body);
	struct place_context pc;
	place(&pc);
	cr_assert_eq(application_place(req, &pc, &err), 0, "%s", details(&err));
	place_context_release(&pc);
}

static void parse_submission(bool commitment, struct app_request *req)
{
	parse_at(commitment, "119.2950", "119.2953", req);
}

static void give(struct app_request *req, const char *const *types, size_t n)
{
	req->materials = calloc(n + 1, sizeof(*req->materials));
	req->nmaterials = n;
	for (size_t i = 0; i < n; i++) {
		req->materials[i].material_id = (long long)i + 1;
		snprintf(req->materials[i].type, sizeof(req->materials[i].type), "%s", types[i]);
	}
}

Test(application, place_computes_road_district_length_area_and_zone)
{
	struct app_request req;
	parse_submission(true, &req);
	const struct app_dig *w = &req.digs[0], *g = &req.digs[1], *p = &req.digs[2];
	cr_expect_str_eq(w->road, "R-BR", "found on the register road it lies on");
	cr_expect_str_eq(w->road_class, "branch", "the class comes from the register");
	cr_expect_str_eq(w->district, "D1");
	cr_expect(abs(w->length_m - 30) <= 1, "30 m computed, got %d", w->length_m);
	cr_expect(abs(w->area_m2 - 45) <= 2, "30 m x 1.5 m, got %d", w->area_m2);
	cr_expect_str_eq(w->zone, "Z-LOW v1");
	cr_expect_eq(w->zone_risk, ZONE_RISK_LOW);
	cr_expect(abs(g->length_m - 20) <= 1, "%d", g->length_m);
	cr_expect_str_eq(p->road, "R-PR", "the road_id given, which it lies on");
	cr_expect_str_eq(p->road_class, "primary");
	cr_expect(abs(p->length_m - 400) <= 2, "400 m north, got %d", p->length_m);
	cr_expect_str_eq(p->zone, "", "outside every zone");
	cr_expect_eq(p->zone_risk, ZONE_RISK_MEDIUM);
	application_request_release(&req);
}

/* Where the place finds a problem, it is listed under the excavation, with the others. */
Test(application, place_lists_every_problem)
{
	static const struct {
		const char *dig, *field, *code;
	} cases[] = {
		/* outside the city (east of D1) */
		{ "{\"type\": \"LineString\", \"coordinates\": [[119.40, 26.08], [119.401, 26.08]]}",
		  "works.excavations[0].geometry", "outside_city" },
		/* across the city's edge */
		{ "{\"type\": \"LineString\", \"coordinates\": [[119.329, 26.08], [119.331, 26.08]]}",
		  "works.excavations[0].geometry", "outside_city" },
		/* in the district, 200 m from any road */
		{ "{\"type\": \"LineString\", \"coordinates\": [[119.30, 26.082], [119.3003, 26.082]]}",
		  "works.excavations[0].geometry", "no_register_road" },
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		char text[1024];
		snprintf(text, sizeof(text),
			 "{\"site_id\": 7, \"utilities\": {\"water\": {\"dn\": 100, \"use\":"
			 " \"domestic\"}}, \"works\": {\"excavations\": [{\"utility\": \"water\","
			 " \"geometry\": %s, \"width_m\": 1, \"start_date\": \"2026-12-07\","
			 " \"end_date\": \"2026-12-09\"}]}}",
			 cases[c].dig);
		json_t *body = J(text);
		struct app_request req;
		struct error err = ERROR_INIT;
		cr_assert_eq(application_parse(body, D("2026-12-01"), &req, &err), 0, "%s",
			     details(&err));
		struct place_context pc;
		place(&pc);
		cr_expect_gt(application_place(&req, &pc, &err), 0, "case %zu", c);
		cr_expect(has_detail(&err, cases[c].field, cases[c].code), "case %zu: %s", c,
			  details(&err));
		cr_expect(!req.digs[0].valid, "a misplaced dig does not reach the permit rules");
		place_context_release(&pc);
		application_request_release(&req);
		error_release(&err);
		json_decref(body);
	}
	/* a road named that the dig does not lie on, and one not in the register */
	static const char *const named[][2] = { { "R-PR", "not_on_road" }, { "R-XX", "unknown" } };
	for (size_t c = 0; c < 2; c++) {
		char text[1024];
		snprintf(text, sizeof(text),
			 "{\"site_id\": 7, \"utilities\": {\"water\": {\"dn\": 100, \"use\":"
			 " \"domestic\"}}, \"works\": {\"excavations\": [{\"utility\": \"water\","
			 " \"road_id\": \"%s\", \"geometry\": {\"type\": \"LineString\", \"coordinates\":"
			 " [[119.2950, 26.08], [119.2953, 26.08]]}, \"width_m\": 1,"
			 " \"start_date\": \"2026-12-07\", \"end_date\": \"2026-12-09\"}]}}",
			 named[c][0]);
		json_t *body = J(text);
		struct app_request req;
		struct error err = ERROR_INIT;
		cr_assert_eq(application_parse(body, D("2026-12-01"), &req, &err), 0);
		struct place_context pc;
		place(&pc);
		application_place(&req, &pc, &err);
		cr_expect(has_detail(&err, "works.excavations[0].road_id", named[c][1]), "%s: %s",
			  named[c][0], details(&err));
		place_context_release(&pc);
		application_request_release(&req);
		error_release(&err);
		json_decref(body);
	}
}

Test(application, missing_materials_are_listed_with_every_track_that_needs_them)
{
	struct app_request req;
	parse_submission(true, &req);
	static const char *const types[] = { "load_calculation" };
	give(&req, types, 1);
	struct standards_view v;
	view(&v);
	struct app_plan plan;
	struct error err = ERROR_INIT;
	cr_assert_eq(application_check(&req, &v, NULL, 0, D("2026-12-01"), &plan, &err),
		     ERR_INVALID);
	cr_expect(has_detail(&err, "materials.site_plan", "missing"));
	cr_expect(has_detail(&err, "materials.excavation_plan", "missing"));
	cr_expect(has_detail(&err, "materials.traffic_plan", "missing"));
	cr_expect(has_detail(&err, "materials.tree_survey", "missing"));
	cr_expect_eq(err.ndetails, 4, "one detail per missing type");
	cr_expect_eq(plan.npermits, 0, "no plan on failure");
	error_release(&err);
	application_request_release(&req);
}

static const char *const all_types[] = { "site_plan", "excavation_plan", "traffic_plan",
					 "tree_survey" };

Test(application, dig_once_and_fast_track)
{
	struct app_request req;
	parse_submission(true, &req);
	give(&req, all_types, 4);
	struct standards_view v;
	view(&v);
	struct app_plan plan;
	struct error err = ERROR_INIT;
	cr_assert_eq(application_check(&req, &v, NULL, 0, D("2026-12-01"), &plan, &err), 0, "%s",
		     err.message);
	cr_assert(plan.jobs[UK_WATER] && plan.jobs[UK_GAS] && plan.jobs[UK_POWER]);
	cr_assert(!plan.jobs[UK_HEAT] && !plan.jobs[UK_NETWORK]);
	/* water and gas dig R-BR together: one joint permit; power alone on R-PR; greening */
	cr_assert_eq(plan.npermits, 3);
	int joint = -1, alone = -1, green = -1;
	for (size_t i = 0; i < plan.npermits; i++) {
		if (plan.permits[i].kind == PERMIT_GREENING)
			green = (int)i;
		else if (plan.permits[i].utilities[UK_GAS])
			joint = (int)i;
		else
			alone = (int)i;
	}
	cr_assert(joint >= 0 && alone >= 0 && green >= 0);
	const struct planned_permit *j = &plan.permits[joint];
	cr_expect(j->utilities[UK_WATER] && j->utilities[UK_GAS] && !j->utilities[UK_POWER]);
	cr_expect_eq(j->ndigs, 2);
	cr_expect_eq(j->window_from, D("2026-12-07"), "union of the windows");
	cr_expect_eq(j->window_to, D("2026-12-10"));
	cr_expect(j->fast_track, "50 m of branch road in a published low-risk zone, committed: %s",
		  j->fast_track_reason);
	cr_expect(strstr(j->fast_track_reason, "Z-LOW v1"), "the zone is named: %s",
		  j->fast_track_reason);
	cr_expect(strstr(j->reason, "joint"), "%s", j->reason);
	cr_assert(j->fast_track_basis, "the decision records what made it");
	cr_expect_str_eq(json_string_value(json_object_get(j->fast_track_basis, "zone")), "Z-LOW v1");
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(j->fast_track_basis,
									"thresholds"),
							"max_length_m")),
		     50);
	const struct planned_permit *a = &plan.permits[alone];
	cr_expect(!a->fast_track, "400 m of primary road is not fast track");
	cr_expect(strstr(a->fast_track_reason, "not in a published low-risk zone"), "%s",
		  a->fast_track_reason);
	cr_expect_eq(a->window_from, D("2026-12-07"), "its own window");
	cr_expect_eq(a->window_to, D("2026-12-20"));
	cr_expect(a->utilities[UK_POWER] && !a->utilities[UK_WATER]);
	cr_expect(plan.permits[green].utilities[UK_POWER], "greening concerns every line");
	application_plan_release(&plan);
	application_request_release(&req);
}

/*
 * No commitment, or the water dig reaching past the low-risk zone's edge (119.30): no fast
 * track. A zone_risk the applicant claims is no input at all (parse refuses it as unknown).
 */
Test(application, no_commitment_or_outside_the_zone_means_no_fast_track)
{
	static const struct {
		bool commitment;
		const char *a, *b;
	} cases[] = { { false, "119.2950", "119.2953" }, { true, "119.2998", "119.3001" } };
	for (size_t c = 0; c < 2; c++) {
		struct app_request req;
		parse_at(cases[c].commitment, cases[c].a, cases[c].b, &req);
		give(&req, all_types, 4);
		struct standards_view v;
		view(&v);
		struct app_plan plan;
		struct error err = ERROR_INIT;
		cr_assert_eq(application_check(&req, &v, NULL, 0, D("2026-12-01"), &plan, &err), 0,
			     "%s", details(&err));
		for (size_t i = 0; i < plan.npermits; i++)
			cr_expect(!plan.permits[i].fast_track || !plan.permits[i].utilities[UK_WATER],
				  "case %zu permit %zu: %s", c, i, plan.permits[i].fast_track_reason);
		application_plan_release(&plan);
		application_request_release(&req);
	}
}

/*
 * An applicant that lost the fast track under the credit rules (issue #21): the same qualifying
 * joint dig goes to ordinary review, its reason is the credit rule's, and the basis records it.
 */
Test(application, a_lost_fast_track_sends_a_qualifying_dig_to_review)
{
	struct app_request req;
	parse_submission(true, &req);
	give(&req, all_types, 4);
	snprintf(req.fast_track_lost, sizeof(req.fast_track_lost),
		 "fast track withdrawn: credit entry 9 (permit_revoked, serious) of 2026-11-02");
	struct standards_view v;
	view(&v);
	struct app_plan plan;
	struct error err = ERROR_INIT;
	cr_assert_eq(application_check(&req, &v, NULL, 0, D("2026-12-01"), &plan, &err), 0, "%s",
		     err.message);
	int joint = 0;
	for (size_t i = 0; i < plan.npermits; i++) {
		const struct planned_permit *p = &plan.permits[i];
		cr_expect(!p->fast_track, "permit %zu: %s", i, p->fast_track_reason);
		if (p->kind != PERMIT_DIG_ROAD || !p->utilities[UK_GAS])
			continue;
		joint++;
		cr_expect_str_eq(p->fast_track_reason, req.fast_track_lost);
		cr_expect_str_eq(json_string_value(json_object_get(p->fast_track_basis, "withdrawn")),
				 req.fast_track_lost);
	}
	cr_expect_eq(joint, 1, "the joint dig that would qualify");
	application_plan_release(&plan);
	application_request_release(&req);
}

Test(application, unpublished_kinds_are_refused)
{
	struct app_request req;
	parse_submission(true, &req);
	give(&req, all_types, 4);
	struct standards_view v;
	view(&v);
	v.utility[UK_GAS].published = false;
	v.permit[PERMIT_GREENING].published = false;
	struct app_plan plan;
	struct error err = ERROR_INIT;
	cr_assert_eq(application_check(&req, &v, NULL, 0, D("2026-12-01"), &plan, &err),
		     ERR_INVALID);
	cr_expect(has_detail(&err, "utilities.gas", "not_offered"));
	cr_expect(has_detail(&err, "works", "not_offered"));
	error_release(&err);
	application_request_release(&req);
}

Test(application, estimate_uses_the_schedule_in_force)
{
	struct fee_item old_items[] = { { .code = "W-CONN", .name_zh = "接水", .name_en = "connection",
					  .unit = "per_connection", .unit_price_fen = 100000,
					  .legal_basis = "doc 1", .effective_from = D("2026-01-01"),
					  .effective_to = FEES_OPEN_END } };
	struct fee_item new_items[] = {
		{ .code = "W-CONN", .name_zh = "接水", .name_en = "connection", .unit = "per_connection",
		  .unit_price_fen = 50000, .legal_basis = "doc 2", .effective_from = D("2026-12-01"),
		  .effective_to = FEES_OPEN_END },
		{ .code = "W-PIPE", .name_zh = "管道", .name_en = "pipe", .unit = "per_metre",
		  .unit_price_fen = 2000, .legal_basis = "doc 2", .effective_from = D("2026-12-01"),
		  .effective_to = FEES_OPEN_END },
	};
	struct fee_schedule s1 = { "water", 1, D("2026-01-01"), old_items, 1 };
	struct fee_schedule s2 = { "water", 2, D("2026-12-01"), new_items, 2 };
	const struct fee_schedule *all[] = { &s1, &s2 };
	struct app_request req;
	parse_submission(true, &req);
	give(&req, all_types, 4);
	struct standards_view v;
	view(&v);
	struct app_plan plan;
	struct error err = ERROR_INIT;
	cr_assert_eq(application_check(&req, &v, all, 2, D("2026-12-01"), &plan, &err), 0, "%s",
		     err.message);
	/* version 2: 500.00 per connection + 30 m x 20.00 */
	cr_expect_eq(plan.estimate.total_fen, 50000 + 30 * 2000);
	cr_expect_eq(plan.estimate.nlines, 2);
	application_plan_release(&plan);
	cr_assert_eq(application_check(&req, &v, all, 2, D("2026-11-30"), &plan, &err), 0);
	cr_expect_eq(plan.estimate.total_fen, 100000, "the day before, version 1 was in force");
	application_plan_release(&plan);
	application_request_release(&req);
}

Test(application, references_are_readable)
{
	char buf[32];
	application_reference(2026, 123, buf, sizeof(buf));
	cr_assert_str_eq(buf, "HK-2026-000123");
	cr_assert_str_eq(utility_suffix(UK_POWER), "E");
	cr_assert_str_eq(permit_suffix(PERMIT_DIG_ROAD), "DR");
	cr_assert_str_eq(permit_suffix(PERMIT_PLANNING), "PL");
}

/* ---------------------------------------------------------------- track references */

/* Permits are numbered within their kind from the second on; jobs carry the utility's letter. */
Test(application, track_references)
{
	struct planned_permit permits[] = {
		{ .kind = PERMIT_DIG_ROAD }, { .kind = PERMIT_GREENING }, { .kind = PERMIT_DIG_ROAD },
		{ .kind = PERMIT_PLANNING }, { .kind = PERMIT_DIG_ROAD },
	};
	struct app_plan plan = { .permits = permits, .npermits = 5 };
	static const char *const want[] = { "HK-2026-000007-DR", "HK-2026-000007-GR",
					     "HK-2026-000007-DR2", "HK-2026-000007-PL",
					     "HK-2026-000007-DR3" };
	char ref[40];
	for (size_t i = 0; i < 5; i++) {
		application_permit_reference(&plan, i, "HK-2026-000007", ref, sizeof(ref));
		cr_expect_str_eq(ref, want[i]);
	}
	application_job_reference("HK-2026-000007", UK_POWER, ref, sizeof(ref));
	cr_expect_str_eq(ref, "HK-2026-000007-E");
}

/*
 * A permit's decision is due after acceptance + review working days from the day it counts as
 * received: after the 17:00 cut-off or on a weekend, the next working day. Fast track: today.
 */
struct deadline_case {
	char at[20]; /* local time, Asia/Shanghai */
	bool fast;
	char due[11];
};

ParameterizedTestParameters(application, permit_deadline)
{
	static struct deadline_case cases[] = {
		{ "2026-03-02 10:00", false, "2026-03-06" }, /* Monday: 1 + 3 working days */
		{ "2026-03-02 18:00", false, "2026-03-09" }, /* after the cut-off: from Tuesday */
		{ "2026-03-07 10:00", false, "2026-03-13" }, /* Saturday: from Monday */
		{ "2026-03-07 10:00", true, "2026-03-07" },
	};
	return cr_make_param_array(struct deadline_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct deadline_case *c, application, permit_deadline)
{
	struct stage_standard stages[] = { { .code = "accept", .limit_days = 1 },
					   { .code = "review", .limit_days = 3 } };
	struct service_standard std = { .kind = "dig_road", .stages = stages, .nstages = 2 };
	struct calendar cal;
	calendar_init(&cal);
	int y, mo, d, h, mi;
	cr_assert_eq(sscanf(c->at, "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi), 5);
	/* local time is UTC+8 */
	int64_t utc = (int64_t)cal_day_from_ymd(y, mo, d) * 86400 + h * 3600 + mi * 60 - 8 * 3600;
	char today[11];
	snprintf(today, sizeof(today), "%.10s", c->at);
	day_t due = application_permit_deadline(&std, &cal, utc, c->fast, D(today));
	char got[11];
	cal_day_format(due, got);
	cr_expect_str_eq(got, c->due, "received %s: due %s", c->at, got);
	calendar_release(&cal);
}
