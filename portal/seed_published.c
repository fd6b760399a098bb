/*
 * `portal seed-demo` step: SAMPLE fee schedules (five utilities and the road authority) and
 * service standards (five utility kinds, three permit kinds), published through the same
 * checks and audit as the API. Every price and limit is made up for the demo and says so.
 * Idempotent: a kind that already has a published version (for fees: by the organisation
 * seeded for it) is left alone.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/admin.h"
#include "portal/snapshot.h"
#include "store/accounts.h"
#include "store/audit.h"
#include "store/published.h"
#include "workflows/fees.h"
#include "workflows/standards.h"
#include "lib/xalloc.h"
#include "lib/json_text.h"

#define BASIS "示例数据，非真实收费依据 / Sample data, not a real legal basis"

/* One sample fee item; conditions as "dn_min" etc. with -1 meaning unset. */
struct sample_item {
	const char *code, *zh, *en, *unit;
	long long fen;
	const char *cond_a;
	long long a;
	const char *cond_b;
	long long b;
	const char *doc; /* the sample document number, part of the legal basis */
};

static const struct sample_fees {
	const char *kind, *org_kind;
	struct sample_item items[6];
} fees[] = {
	{ "water", "utility", {
	  { "W-CONN", "供水接入工程费（示例）", "Water connection works (sample)", "per_dn_band",
	    80000, "dn_min", 15, "dn_max", 25, "示例价〔2026〕1号" },
	  { "W-CONN", "供水接入工程费（示例）", "Water connection works (sample)", "per_dn_band",
	    250000, "dn_min", 26, "dn_max", 50, "示例价〔2026〕1号" },
	  { "W-CONN", "供水接入工程费（示例）", "Water connection works (sample)", "per_dn_band",
	    800000, "dn_min", 51, "dn_max", 100, "示例价〔2026〕1号" },
	  { "W-CONN", "供水接入工程费（示例）", "Water connection works (sample)", "per_dn_band",
	    2000000, "dn_min", 101, "dn_max", 300, "示例价〔2026〕1号" },
	  { "W-PIPE", "红线外管道敷设（示例）", "Pipe laid outside the plot (sample)", "per_metre",
	    18000, NULL, 0, NULL, 0, "示例价〔2026〕1号" },
	  { "W-METER", "水表（免费提供，示例）", "Water meter (free of charge, sample)", "per_meter",
	    0, NULL, 0, NULL, 0, "示例价〔2026〕2号" } } },
	{ "power", "utility", {
	  { "P-LV", "低压小微企业接电（零收费，示例）",
	    "Low-voltage small business connection (no charge, sample)", "per_connection", 0,
	    "kw_min", 0, "kw_max", 160, "示例价〔2026〕3号" },
	  { "P-HV", "高压接入容量费（示例）", "High-voltage capacity charge (sample)", "per_kw",
	    12000, "kw_min", 161, "kw_max", 2000, "示例价〔2026〕3号" },
	  { "P-HV", "高压接入容量费（示例）", "High-voltage capacity charge (sample)", "per_kw",
	    10000, "kw_min", 2001, NULL, 0, "示例价〔2026〕3号" },
	  { "P-LINE", "高压外线工程（示例）", "High-voltage line works (sample)", "per_metre",
	    35000, "kw_min", 161, NULL, 0, "示例价〔2026〕3号" } } },
	{ "gas", "utility", {
	  { "G-CONN", "燃气接入工程费（按流量，示例）", "Gas connection works by flow (sample)",
	    "per_connection", 300000, "flow_m3h_min", 1, "flow_m3h_max", 40, "示例价〔2026〕4号" },
	  { "G-CONN", "燃气接入工程费（按流量，示例）", "Gas connection works by flow (sample)",
	    "per_connection", 1200000, "flow_m3h_min", 41, "flow_m3h_max", 400,
	    "示例价〔2026〕4号" },
	  { "G-PIPE", "燃气管道敷设（示例）", "Gas pipe laying (sample)", "per_metre", 26000, NULL,
	    0, NULL, 0, "示例价〔2026〕4号" },
	  { "G-METER", "燃气表（示例）", "Gas meter (sample)", "per_meter", 45000, NULL, 0, NULL,
	    0, "示例价〔2026〕4号" } } },
	{ "heat", "utility", {
	  { "H-CONN", "供热接入费（按热负荷，示例）", "Heat connection by load (sample)", "per_kw",
	    4500, NULL, 0, NULL, 0, "示例价〔2026〕5号" },
	  { "H-PIPE", "供热管道敷设（示例）", "Heating pipe laying (sample)", "per_metre", 30000,
	    NULL, 0, NULL, 0, "示例价〔2026〕5号" } } },
	{ "network", "utility", {
	  { "N-CONN", "通信接入（零收费，示例）", "Network connection (no charge, sample)",
	    "per_connection", 0, NULL, 0, NULL, 0, "示例价〔2026〕6号" },
	  { "N-PORT", "端口开通费（示例）", "Port activation (sample)", "per_port", 20000, NULL, 0,
	    NULL, 0, "示例价〔2026〕6号" } } },
	{ "road", "authority", {
	  { "R-OCCUPY", "道路挖掘占用费（示例）", "Road excavation and occupation fee (sample)",
	    "per_metre", 5000, NULL, 0, NULL, 0, "示例价〔2026〕7号" },
	  { "R-REINSTATE", "路面修复费（示例）", "Road surface reinstatement (sample)", "per_metre",
	    40000, NULL, 0, NULL, 0, "示例价〔2026〕7号" } } },
};

static json_t *fee_doc(const struct sample_fees *f, day_t from)
{
	char d[11];
	json_t *items = json_array();
	for (size_t i = 0; i < 6 && f->items[i].code; i++) {
		const struct sample_item *it = &f->items[i];
		json_t *cond = json_object();
		if (it->cond_a)
			json_object_set_new(cond, it->cond_a, json_integer(it->a));
		if (it->cond_b)
			json_object_set_new(cond, it->cond_b, json_integer(it->b));
		char *basis = xasprintf("%s（%s）", BASIS, it->doc);
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:s}", "code",
						       it->code, "name_zh", it->zh, "name_en",
						       it->en, "unit", it->unit, "unit_price_fen",
						       (json_int_t)it->fen, "conditions", cond,
						       "legal_basis", basis));
		free(basis);
	}
	return json_pack("{s:s, s:s, s:o}", "utility_kind", f->kind, "effective_from",
			 cal_day_format(from, d), "items", items);
}

/* ---------------------------------------------------------------- standards */

static const struct sample_standard {
	const char *kind, *zh, *en;
	int limits[5]; /* accept, survey, plan, construct, complete; permits: accept, review */
	int guidance_days; /* utilities: the planning-stage guidance (issue #20); permits: 0 */
	const char *materials; /* "type:required:condition:elicence;..." */
} standards[] = {
	{ "water", "供水接入服务标准（示例）", "Water connection service standard (sample)",
	  { 1, 3, 3, 10, 2 }, 5,
	  "business_licence:1::1;land_use_certificate:1::1;site_plan:1::0;"
	  "pipeline_drawing:1::0;excavation_plan:1:excavation:0" },
	{ "power", "供电接入服务标准（示例）", "Electricity connection service standard (sample)",
	  { 1, 2, 3, 15, 2 }, 5,
	  "business_licence:1::1;site_plan:1::0;load_calculation:1::0;"
	  "excavation_plan:1:excavation:0" },
	{ "gas", "供气接入服务标准（示例）", "Gas connection service standard (sample)",
	  { 1, 3, 3, 10, 2 }, 5,
	  "business_licence:1::1;land_use_certificate:1::1;site_plan:1::0;"
	  "pipeline_drawing:1::0;excavation_plan:1:excavation:0" },
	{ "heat", "供热接入服务标准（示例）", "Heating connection service standard (sample)",
	  { 1, 3, 5, 15, 2 }, 5,
	  "business_licence:1::1;site_plan:1::0;load_calculation:1::0;pipeline_drawing:1::0" },
	{ "network", "通信网络接入服务标准（示例）", "Network connection service standard (sample)",
	  { 1, 2, 2, 5, 1 }, 3, "business_licence:1::1;site_plan:1::0" },
	{ "dig_road", "道路挖掘许可服务标准（示例）", "Road excavation permit standard (sample)",
	  { 1, 5 }, 0,
	  "business_licence:1::1;excavation_plan:1::0;traffic_plan:1::0;site_plan:1::0" },
	{ "greening", "绿化许可服务标准（示例）", "Greening permit standard (sample)", { 1, 5 }, 0,
	  "business_licence:1::1;site_plan:1::0;tree_survey:1:green_space:0" },
	{ "planning", "建设工程规划许可服务标准（示例）",
	  "Construction planning permit standard (sample)", { 1, 10 }, 0,
	  "business_licence:1::1;land_use_certificate:1::1;site_plan:1::0;"
	  "pipeline_drawing:1:outside_plot:0" },
};

static const char *const stage_names[][3] = {
	{ "accept", "受理", "Acceptance" },	  { "survey", "现场勘察", "Site survey" },
	{ "plan", "确定接入方案", "Connection plan" }, { "construct", "施工", "Construction" },
	{ "complete", "验收接通", "Completion and connection" },
};
static const char *const review_names[3] = { "review", "审查决定", "Review and decision" };

static const char *const material_names[][3] = {
	{ "business_licence", "营业执照", "Business licence" },
	{ "land_use_certificate", "不动产权证书（土地）", "Land-use certificate" },
	{ "site_plan", "总平面图", "Site plan" },
	{ "excavation_plan", "道路挖掘施工方案", "Excavation plan" },
	{ "traffic_plan", "交通组织方案", "Traffic management plan" },
	{ "tree_survey", "树木调查表", "Tree survey" },
	{ "load_calculation", "用电/用热负荷计算书", "Load calculation" },
	{ "pipeline_drawing", "管线设计图", "Pipeline drawing" },
};

static json_t *stages_json(const struct sample_standard *s, bool permit)
{
	json_t *a = json_array();
	for (size_t i = 0; i < (permit ? 2u : 5u); i++) {
		const char *const *n = permit && i == 1 ? review_names : stage_names[i];
		/* a dig-road review left undecided is deemed approved (fast-track classes) */
		bool silence = permit && i == 1 && strcmp(s->kind, "dig_road") == 0;
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:i, s:b}", "code", n[0],
						   "name_zh", n[1], "name_en", n[2], "limit_days",
						   s->limits[i], "silence_approves", silence));
	}
	/* proactive technical guidance at the planning stage (issue #20), before any application */
	if (!permit)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:i, s:b}", "code", "guidance",
						   "name_zh", "策划阶段技术指导", "name_en",
						   "Guidance at the planning stage", "limit_days",
						   s->guidance_days, "silence_approves", false));
	return a;
}

static json_t *materials_json(const char *spec)
{
	json_t *a = json_array();
	char *copy = xstrdup(spec), *save = NULL;
	for (char *m = strtok_r(copy, ";", &save); m; m = strtok_r(NULL, ";", &save)) {
		char type[40], cond[20] = "";
		int required = 0, elicence = 0;
		if (sscanf(m, "%39[^:]:%d:%19[^:]:%d", type, &required, cond, &elicence) != 4 &&
		    sscanf(m, "%39[^:]:%d::%d", type, &required, &elicence) != 3)
			continue;
		const char *zh = type, *en = type;
		for (size_t i = 0; i < sizeof(material_names) / sizeof(material_names[0]); i++)
			if (strcmp(material_names[i][0], type) == 0)
				zh = material_names[i][1], en = material_names[i][2];
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:b, s:o, s:b}", "type", type,
						   "name_zh", zh, "name_en", en, "required",
						   required, "condition",
						   cond[0] ? json_string(cond) : json_null(),
						   "elicence", elicence));
	}
	free(copy);
	return a;
}

static json_t *standard_doc(const struct sample_standard *s, day_t from)
{
	char d[11];
	bool permit = standards_is_permit_kind(s->kind);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:o, s:o}", "kind", s->kind,
			      "effective_from", cal_day_format(from, d), "name_zh", s->zh,
			      "name_en", s->en, "sample", 1, "stages", stages_json(s, permit),
			      "materials", materials_json(s->materials));
	if (strcmp(s->kind, "dig_road") == 0)
		json_object_set_new(o, "fast_track",
				    json_pack("{s:b, s:[s], s:[s, s], s:i, s:i, s:i, s:i, s:i, s:i}",
					      "enabled", 1, "zone_risk", "low", "road_classes",
					      "branch", "secondary", "max_length_m", 50,
					      "max_area_m2", 100, "max_duration_days", 7,
					      "decision_days", 0, "post_check_days", 10,
					      "rectification_days", 5));
	if (permit)
		json_object_set_new(o, "trigger",
				    json_pack("{s:i, s:i, s:i, s:i}", "min_length_m", 0,
					      "min_area_m2", 0, "min_trees", 0, "min_outside_m", 0));
	return o;
}

/* ---------------------------------------------------------------- publishing */

struct seed {
	FILE *progress;
	day_t today;
	int published;
};

/* Whether kind is published already (by org, unless org is 0). */
static bool already(const struct pub_row *rows, size_t n, long long org, const char *kind)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].kind, kind) == 0 && (!org || rows[i].org_id == org))
			return true;
	return false;
}

/* Checks the document like the API does, then drafts, publishes and audits it. */
static int publish_one(struct store_conn *c, enum pub_table t, long long org, json_t *doc,
		       const char *kind, day_t today, struct error *err)
{
	int version = 0;
	int rc = store_pub_next_version(c, t, org, kind, &version, err);
	if (rc)
		return rc;
	json_object_set_new(doc, "version", json_integer(version));
	struct fee_schedule *fs = NULL;
	struct service_standard *st = NULL;
	rc = t == PUB_FEES ? fees_schedule_from_json(doc, &fs, err)
			   : standards_from_json(doc, &st, err);
	if (!rc)
		rc = fs ? fees_validate_schedule(fs, today, err)
			: standards_validate_publish(st, today, err);
	fees_schedule_free(fs);
	standards_free(st);
	char *body = json_text(doc);
	const char *from = json_string_value(json_object_get(doc, "effective_from"));
	long long id = 0;
	if (!rc)
		rc = store_pub_draft_create(c, t, org, kind, from, body, 0, &id, err);
	if (!rc)
		rc = store_pub_publish(c, t, id, version, body, 0, err);
	free(body);
	if (rc)
		return rc;
	char idbuf[24], *detail = xasprintf("{\"kind\":\"%s\",\"version\":%d,\"via\":\"seed-demo\"}",
					    kind, version);
	snprintf(idbuf, sizeof(idbuf), "%lld", id);
	struct audit_entry e = { 0, org, t == PUB_FEES ? "fees.publish" : "standards.publish",
				 t == PUB_FEES ? "fee_schedule" : "service_standard", idbuf,
				 detail };
	rc = store_audit_append(c, &e, err);
	free(detail);
	return rc;
}

static int seed_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct seed *s = ctx;
	struct pub_row *rows = NULL;
	size_t n = 0;
	s->published = 0;
	int rc = store_pub_load_published(c, PUB_FEES, &rows, &n, err);
	for (size_t i = 0; !rc && i < sizeof(fees) / sizeof(fees[0]); i++) {
		/* every demo organisation of the kind publishes the sample (two water companies,
		 * four network carriers); fee schedules are per organisation */
		long long orgs[16];
		size_t norgs = 0;
		rc = store_orgs_of(c, fees[i].org_kind, fees[i].kind, orgs, 16, &norgs, err);
		for (size_t k = 0; !rc && k < norgs; k++) {
			if (already(rows, n, orgs[k], fees[i].kind))
				continue;
			json_t *doc = fee_doc(&fees[i], s->today);
			rc = publish_one(c, PUB_FEES, orgs[k], doc, fees[i].kind, s->today, err);
			json_decref(doc);
			s->published += !rc;
		}
	}
	store_pub_rows_free(rows, n);
	rows = NULL;
	n = 0;
	long long office = 0;
	if (!rc)
		rc = store_org_find(c, "office", NULL, &office, err);
	if (!rc)
		rc = store_pub_load_published(c, PUB_STANDARDS, &rows, &n, err);
	for (size_t i = 0; !rc && i < sizeof(standards) / sizeof(standards[0]); i++) {
		if (already(rows, n, 0, standards[i].kind))
			continue;
		json_t *doc = standard_doc(&standards[i], s->today);
		rc = publish_one(c, PUB_STANDARDS, office, doc, standards[i].kind, s->today, err);
		json_decref(doc);
		s->published += !rc;
	}
	store_pub_rows_free(rows, n);
	return rc;
}

int seed_published(struct store_pool *pool, FILE *progress, const struct seed_options *o)
{
	struct error err = ERROR_INIT;
	/*
	 * With a sample history the sample data is in force from the history's first day, as if
	 * published then, so that the sample applications were made under it (a real publication
	 * can never be backdated: the API refuses an effective date in the past).
	 */
	struct seed s = { .progress = progress, .today = o->published_from };
	if (progress)
		fputs("seed-demo: sample fee schedules and service standards\n", progress);
	int rc = store_tx(pool, seed_tx, &s, &err);
	if (rc) {
		fprintf(stderr, "seed-demo: publishing the sample data: %s\n", err.message);
		for (size_t i = 0; i < err.ndetails; i++)
			fprintf(stderr, "  %s: %s\n", err.details[i].field, err.details[i].message);
	} else if (progress) {
		fprintf(progress, "seed-demo: %d sample document(s) published\n", s.published);
	}
	error_release(&err);
	return rc;
}
