/* Whole applications over HTTP for the test suites (see journey.h). */
#define _GNU_SOURCE
#include "journey.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "portal/public_api.h"
#include "store/accounts.h"
#include "support/harness.h"
#include "workflows/calendar.h"

static journey_observer *observer;

void journey_observe(journey_observer *fn)
{
	observer = fn;
}

json_t *journey_call(const char *method, const char *path, const char *token, const char *body,
		    long want)
{
	struct reply r;
	http_call(&r, method, path, token, body, NULL);
	cr_assert_eq(r.status, want, "%s %s: %ld %s", method, path, r.status, r.body);
	if (observer)
		observer(method, path, &r);
	json_t *j = json_incref(r.json);
	reply_release(&r);
	return j;
}

char *journey_login(const char *who)
{
	char email[64];
	snprintf(email, sizeof(email), "%s@demo.test", who);
	return harness_login(email, "demo-password-1");
}

char *journey_day(int offset)
{
	static char buf[8][11];
	static int n;
	char *b = buf[n++ % 8];
	cal_day_format(cal_day_of_instant((long long)time(NULL)) + offset, b);
	return b;
}

json_t *journey_upload_required(const char *token)
{
	json_t *std = journey_call("GET", "/v1/public/service-standards", NULL, NULL, 200);
	json_t *types = public_standards_material_types(std), *ids = json_array(), *t;
	cr_assert(json_array_size(types) > 0, "the standards ask for materials");
	size_t i;
	json_array_foreach(types, i, t)
	{
		const char *type = json_string_value(t);
		char path[200], pdf[200];
		snprintf(path, sizeof(path), "/v1/materials?type=%s&filename=%s.pdf", type, type);
		snprintf(pdf, sizeof(pdf), "%%PDF-1.4\n%% %s for batch %d-%d\n%%%%EOF\n", type,
			 (int)getpid(), harness_unique());
		struct reply r;
		http_call_raw(&r, "POST", path, token, pdf, strlen(pdf), "application/pdf", NULL);
		cr_assert(r.status == 201 || r.status == 200, "upload %s: %ld %s", type, r.status,
			  r.body);
		if (observer)
			observer("POST", path, &r);
		json_array_append_new(ids, json_pack("{s:O}", "material_id",
						     json_object_get(r.json, "id")));
		reply_release(&r);
	}
	json_decref(types);
	json_decref(std);
	return ids;
}

long long journey_org(const char *name)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	struct error err = ERROR_INIT;
	long long id = 0;
	cr_assert_eq(store_org_by_name(c, name, &id, &err), 0, "%s: %s", name, err.message);
	store_release(c);
	return id;
}

/*
 * The demo city's works (demo/fuzhou.c): water and gas share a trench on Nanhou Street (南后街, a
 * branch road inside the published low-risk zone LRZ-GL-0001: one joint dig-road permit, fast
 * tracked), power digs 400 m of Wusi Road (五四路, primary: another permit, reviewed). Four
 * carriers serve Gulou, so the network job names its carrier.
 */
char *journey_submission(long long site, json_t *materials)
{
	char *m = json_dumps(materials, JSON_COMPACT);
	char *body;
	if (asprintf(&body,
		     "{\"site_id\":%lld,\"commitment\":true,\"customer_class\":\"commercial\","
		     "\"utilities\":{\"water\":{\"dn\":100,\"use\":\"commercial\",\"meters\":1},"
		     "\"power\":{\"kw\":250,\"voltage_level\":\"10kV\"},"
		     "\"gas\":{\"flow_m3h\":40,\"pressure_class\":\"low\"},"
		     "\"heat\":{\"load_kw\":500},\"network\":{\"bandwidth_mbps\":1000,\"ports\":8}},"
		     "\"providers\":{\"network\":%lld},"
		     "\"works\":{\"excavations\":["
		     "{\"utility\":\"water\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":"
		     "[[119.2920,26.0830],[119.29202,26.0832]]},\"width_m\":1,"
		     "\"start_date\":\"%s\",\"end_date\":\"%s\"},"
		     "{\"utility\":\"gas\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":"
		     "[[119.29201,26.0831],[119.29203,26.08323]]},\"width_m\":1,"
		     "\"start_date\":\"%s\",\"end_date\":\"%s\"},"
		     "{\"utility\":\"power\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":"
		     "[[119.3052,26.0850],[119.3053,26.0886]]},\"road_id\":\"FZ-GL-0001\",\"width_m\":1,"
		     "\"start_date\":\"%s\",\"end_date\":\"%s\"}],"
		     "\"green_space\":{\"area_m2\":30,\"trees_affected\":1},"
		     "\"lines_outside_plot_m\":20},\"materials\":%s}",
		     site, journey_org(JOURNEY_CARRIER), journey_day(0), journey_day(5),
		     journey_day(0), journey_day(4), journey_day(0), journey_day(30), m) < 0)
		abort();
	free(m);
	return body;
}

char *journey_quote(json_t *app, const char *kind)
{
	json_t *q = json_array(), *line;
	size_t i;
	json_array_foreach(json_object_get(json_object_get(app, "estimate"), "lines"), i, line)
	{
		const char *k = json_string_value(json_object_get(line, "utility_kind"));
		if (!k || strcmp(k, kind) != 0 ||
		    json_integer_value(json_object_get(line, "quantity")) < 1)
			continue; /* a line of nothing (no pipe laid) is not quoted */
		json_array_append_new(q, json_pack("{s:O, s:O, s:O}", "code",
						   json_object_get(line, "code"), "quantity",
						   json_object_get(line, "quantity"), "unit_price_fen",
						   json_object_get(line, "unit_price_fen")));
	}
	cr_assert_gt(json_array_size(q), 0, "no %s lines in the estimate", kind);
	char *text = json_dumps(q, JSON_COMPACT);
	json_decref(q);
	return text;
}

json_t *journey_submit(const char *token, const char *name_prefix)
{
	char site[512];
	snprintf(site, sizeof(site),
		 "{\"name\":\"%s %d\",\"address\":\"88 Jingshi Road\",\"district\":\"350102\","
		 "\"lat\":26.108,\"lng\":119.252,\"plot_ref\":\"PLOT-9\",\"zone_risk\":\"low\"}",
		 name_prefix, harness_unique());
	json_t *s = journey_call("POST", "/v1/sites", token, site, 201);
	json_t *materials = journey_upload_required(token);
	char *body = journey_submission(json_integer_value(json_object_get(s, "id")), materials);
	json_t *app = journey_call("POST", "/v1/applications", token, body, 201);
	free(body);
	json_decref(s);
	return app;
}
