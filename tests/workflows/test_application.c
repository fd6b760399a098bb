/* The joint application, pure: parsing lists every problem; the plan follows the rules. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "workflows/application.h"
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

Test(application, parse_lists_every_problem_at_once)
{
	json_t *body = J("{\"site_id\": 0, \"utilities\": {\"water\": {\"dn\": 5}, \"power\": {},"
			 " \"steam\": {}}, \"works\": {\"excavations\": [{\"utility\": \"gas\","
			 " \"road\": \"\", \"road_class\": \"alley\", \"from_m\": 50, \"to_m\": 10,"
			 " \"width_m\": 0, \"start_date\": \"2026-01-01\", \"end_date\": \"bad\"}]},"
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
		{ "works.excavations[0].road", NULL },
		{ "works.excavations[0].district", "required" },
		{ "works.excavations[0].road_class", "not_allowed" },
		{ "works.excavations[0].to_m", "invalid_range" },
		{ "works.excavations[0].width_m", NULL },
		{ "works.excavations[0].start_date", "in_the_past" },
		{ "works.excavations[0].end_date", "invalid" },
		{ "colour", "unknown_field" },
		{ "customer_class", "not_allowed" },
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_expect(has_detail(&err, want[i].field, want[i].code), "missing detail %s/%s",
			  want[i].field, want[i].code ? want[i].code : "*");
	cr_expect_eq(err.ndetails, sizeof(want) / sizeof(want[0]), "exactly the problems above");
	application_request_release(&req);
	error_release(&err);
	json_decref(body);
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

static const char *submission =
	"{\"site_id\": 7, \"commitment\": %s, \"utilities\": {"
	" \"water\": {\"dn\": 100, \"use\": \"domestic\", \"meters\": 2, \"length_m\": 30},"
	" \"gas\": {\"flow_m3h\": 40, \"pressure_class\": \"low\"},"
	" \"power\": {\"kw\": 250, \"voltage_level\": \"10kV\"}},"
	" \"works\": {\"excavations\": ["
	"  {\"utility\": \"water\", \"district\": \"lixia\", \"road\": \"Jingshi Road\","
	"   \"road_class\": \"branch\", \"from_m\": 100, \"to_m\": 130, \"width_m\": 1.5,"
	"   \"start_date\": \"2026-12-07\", \"end_date\": \"2026-12-09\"},"
	"  {\"utility\": \"gas\", \"district\": \"lixia\", \"road\": \"Jingshi Road\","
	"   \"road_class\": \"branch\", \"from_m\": 120, \"to_m\": 140, \"width_m\": 1,"
	"   \"start_date\": \"2026-12-08\", \"end_date\": \"2026-12-10\"},"
	"  {\"utility\": \"power\", \"district\": \"lixia\", \"road\": \"Lishan Road\","
	"   \"road_class\": \"primary\", \"from_m\": 0, \"to_m\": 400, \"width_m\": 1,"
	"   \"start_date\": \"2026-12-07\", \"end_date\": \"2026-12-20\"}],"
	" \"green_space\": {\"area_m2\": 30, \"trees_affected\": 2}}}";

static void parse_submission(bool commitment, struct app_request *req)
{
	char text[4096];
	snprintf(text, sizeof(text), submission, commitment ? "true" : "false");
	json_t *body = J(text);
	struct error err = ERROR_INIT;
	cr_assert_eq(application_parse(body, D("2026-12-01"), req, &err), 0, "%s %s", err.message,
		     err.ndetails ? err.details[0].field : "");
	json_decref(body);
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
	cr_assert_eq(application_check(&req, &v, ZONE_RISK_LOW, NULL, 0, D("2026-12-01"), &plan, &err),
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
	cr_assert_eq(application_check(&req, &v, ZONE_RISK_LOW, NULL, 0, D("2026-12-01"), &plan, &err),
		     0, "%s", err.message);
	cr_assert(plan.jobs[UK_WATER] && plan.jobs[UK_GAS] && plan.jobs[UK_POWER]);
	cr_assert(!plan.jobs[UK_HEAT] && !plan.jobs[UK_NETWORK]);
	/* water and gas dig Jingshi Road 100-140 together: one joint permit; power alone on
	 * Lishan Road; one greening permit */
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
	cr_expect(j->fast_track, "40 m of branch road in a low-risk zone, committed: %s",
		  j->fast_track_reason);
	cr_expect(strstr(j->reason, "joint"), "%s", j->reason);
	const struct planned_permit *a = &plan.permits[alone];
	cr_expect(!a->fast_track, "400 m of primary road is not fast track");
	cr_expect_eq(a->window_from, D("2026-12-07"), "its own window");
	cr_expect_eq(a->window_to, D("2026-12-20"));
	cr_expect(a->utilities[UK_POWER] && !a->utilities[UK_WATER]);
	cr_expect(plan.permits[green].utilities[UK_POWER], "greening concerns every line");
	application_plan_release(&plan);
	application_request_release(&req);
}

Test(application, no_commitment_or_higher_risk_means_no_fast_track)
{
	static const struct {
		bool commitment;
		enum zone_risk zone;
	} cases[] = { { false, ZONE_RISK_LOW }, { true, ZONE_RISK_MEDIUM }, { true, ZONE_RISK_HIGH } };
	for (size_t c = 0; c < 3; c++) {
		struct app_request req;
		parse_submission(cases[c].commitment, &req);
		give(&req, all_types, 4);
		struct standards_view v;
		view(&v);
		struct app_plan plan;
		struct error err = ERROR_INIT;
		cr_assert_eq(application_check(&req, &v, cases[c].zone, NULL, 0, D("2026-12-01"), &plan,
					       &err), 0);
		for (size_t i = 0; i < plan.npermits; i++)
			cr_expect(!plan.permits[i].fast_track, "case %zu permit %zu", c, i);
		application_plan_release(&plan);
		application_request_release(&req);
	}
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
	cr_assert_eq(application_check(&req, &v, ZONE_RISK_LOW, NULL, 0, D("2026-12-01"), &plan, &err),
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
	cr_assert_eq(application_check(&req, &v, ZONE_RISK_LOW, all, 2, D("2026-12-01"), &plan, &err), 0,
		     "%s", err.message);
	/* version 2: 500.00 per connection + 30 m x 20.00 */
	cr_expect_eq(plan.estimate.total_fen, 50000 + 30 * 2000);
	cr_expect_eq(plan.estimate.nlines, 2);
	application_plan_release(&plan);
	cr_assert_eq(application_check(&req, &v, ZONE_RISK_LOW, all, 2, D("2026-11-30"), &plan, &err), 0);
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
