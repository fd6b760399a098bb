/*
 * A short end-to-end scenario over real HTTP whose every response is checked for its status
 * here and, when PORTAL_RECORD_OPENAPI is set, recorded to $PORTAL_TEST_TMP/openapi-recordings
 * as {method, path (the route's template), url, status, content_type, body}. scripts/test then
 * validates each recording against portal/openapi.yaml (scripts/openapi-check).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "portal/router.h"
#include "support/harness.h"
#include "support/journey.h"
#include "lib/xalloc.h"

#define DEMO "demo-password-1"

static struct harness_server *srv;
static void setup(void) { srv = harness_server_start(); }
static void teardown(void) { harness_server_stop(srv); }
TestSuite(openapi_record, .init = setup, .fini = teardown, .timeout = 120);

static int recorded;

/* The route template of method+url ("/v1/jobs/{id}"), or the path itself when unrouted. */
static char *template_of(const char *method, const char *url)
{
	char *path = xstrndup(url, strcspn(url, "?"));
	const struct route *route = NULL;
	int index = 0, n = 0;
	char *params[HTTP_MAX_PARAMS] = { 0 };
	char allow[64];
	if (router_match(method, path, &route, &index, params, &n, allow, sizeof(allow)) == 0) {
		free(path);
		path = xstrdup(route->pattern);
	}
	for (int i = 0; i < n; i++)
		free(params[i]);
	return path;
}

static void record(const char *method, const char *url, const struct reply *r)
{
	const char *tmp = getenv("PORTAL_TEST_TMP");
	if (!getenv("PORTAL_RECORD_OPENAPI") || !tmp)
		return;
	char dir[600], file[700], ct[200];
	snprintf(dir, sizeof(dir), "%s/openapi-recordings", tmp);
	mkdir(dir, 0755);
	snprintf(file, sizeof(file), "%s/%03d-%d.json", dir, ++recorded, getpid());
	char *tpl = template_of(method, url);
	json_t *j = json_pack("{s:s, s:s, s:s, s:i, s:s, s:O?}", "method", method, "path", tpl,
			      "url", url, "status", (int)r->status, "content_type",
			      reply_header(r, "Content-Type", ct, sizeof(ct)) ? ct : "",
			      "body", r->json);
	free(tpl);
	cr_assert(j);
	cr_assert_eq(json_dump_file(j, file, JSON_INDENT(1)), 0, "cannot write %s", file);
	json_decref(j);
}

/* One exchange: the status must be `want`; the parsed JSON body is returned (a reference). */
static json_t *ex(const char *method, const char *url, const char *token, const char *body,
		  const char *const *headers, long want)
{
	struct reply r;
	http_call(&r, method, url, token, body, headers);
	cr_assert_eq(r.status, want, "%s %s: %ld %s", method, url, r.status, r.body);
	record(method, url, &r);
	json_t *j = json_incref(r.json);
	reply_release(&r);
	return j;
}

static void ex0(const char *method, const char *url, const char *token, const char *body,
		long want)
{
	json_decref(ex(method, url, token, body, NULL, want));
}

static char *login(const char *who)
{
	char body[128];
	snprintf(body, sizeof(body), "{\"email\":\"%s@demo.test\",\"password\":\"" DEMO "\"}", who);
	json_t *j = ex("POST", "/v1/sessions", NULL, body, NULL, 201);
	char *t = xstrdup(json_string_value(json_object_get(j, "token")));
	json_decref(j);
	return t;
}

static long long id_of(json_t *j)
{
	return json_integer_value(json_object_get(j, "id"));
}

/* A quote of the first published water fee item, once. */
static json_t *act(const char *kind, long long id, const char *token, const char *body, long want)
{
	char url[96];
	snprintf(url, sizeof(url), "/v1/%s/%lld/transitions", kind, id);
	return ex("POST", url, token, body, NULL, want);
}

/* Operations, public reads with ETag/304, and the error envelope. */
Test(openapi_record, public_and_operations)
{
	ex0("GET", "/healthz", NULL, NULL, 200);
	ex0("GET", "/readyz", NULL, NULL, 200);
	ex0("GET", "/metrics", NULL, NULL, 200);
	ex0("GET", "/v1/openapi.yaml", NULL, NULL, 200);
	ex0("GET", "/v1/public/fees/history", NULL, NULL, 200);
	ex0("GET", "/v1/public/service-standards?kind=dig_road", NULL, NULL, 200);
	ex0("GET", "/v1/public/calendar", NULL, NULL, 200);
	ex0("GET", "/v1/public/codes", NULL, NULL, 200);
	ex0("GET", "/fees?lang=en", NULL, NULL, 200);
	ex0("POST", "/v1/public/fee-estimate", NULL,
	    "{\"utility_kinds\":[\"water\",\"power\"],\"params\":{\"dn\":100,\"kw\":250,\"meters\":1,\"length_m\":20}}",
	    200);
	ex0("POST", "/v1/public/fee-estimate", NULL, "{\"utility_kinds\":[\"sewage\"]}", 422);
	ex0("GET", "/v1/public/fees?date=2026-02-30", NULL, NULL, 422);

	struct reply r;
	http_call(&r, "GET", "/v1/public/fees", NULL, NULL, NULL);
	cr_assert_eq(r.status, 200);
	record("GET", "/v1/public/fees", &r);
	char etag[80], inm[120];
	cr_assert(reply_header(&r, "ETag", etag, sizeof(etag)));
	reply_release(&r);
	snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
	const char *const h[] = { inm, NULL };
	json_decref(ex("GET", "/v1/public/fees", NULL, NULL, h, 304));

	ex0("GET", "/v1/me", NULL, NULL, 401);
	ex0("GET", "/v1/me", "pts_not-a-token", NULL, 401);
	ex0("POST", "/v1/sessions", NULL, "{\"email\":\"x@demo.test\"", 400);
	ex0("POST", "/v1/sessions", NULL, "{\"email\":\"applicant@demo.test\",\"password\":\"no\"}",
	    401);
}

/* Accounts, sites, materials, one application through every party, integrations. */
Test(openapi_record, scenario)
{
	char *office = login("office"), *appl = login("applicant"), *water = login("water");
	char *road = login("road");
	json_t *me = ex("GET", "/v1/me", appl, NULL, NULL, 200);
	long long appl_org = json_integer_value(json_object_get(me, "organisation_id"));
	json_decref(me);
	me = ex("GET", "/v1/me", water, NULL, NULL, 200);
	long long water_org = json_integer_value(json_object_get(me, "organisation_id"));
	json_decref(me);

	/* accounts */
	char url[200], body[600];
	ex0("GET", "/v1/organisations?limit=3", office, NULL, 200);
	snprintf(url, sizeof(url), "/v1/organisations/%lld", appl_org);
	ex0("GET", url, appl, NULL, 200);
	snprintf(url, sizeof(url), "/v1/organisations/%lld/users", appl_org);
	ex0("GET", url, appl, NULL, 200);
	snprintf(body, sizeof(body), "{\"email\":\"clerk%d@demo.test\",\"name\":\"Clerk\"}",
		 harness_unique());
	json_t *u = ex("POST", url, appl, body, NULL, 201);
	snprintf(url, sizeof(url), "/v1/users/%lld", id_of(u));
	ex0("PATCH", url, appl, "{\"role\":\"admin\"}", 200);
	json_decref(u);
	ex0("POST", "/v1/organisations", office,
	    "{\"name\":\"\",\"kind\":\"utility\",\"district\":\"350102\"}", 422);
	snprintf(url, sizeof(url), "/v1/organisations/%lld/api-keys", water_org);
	json_t *key = ex("POST", url, water, "{\"label\":\"dispatch system\"}", NULL, 201);
	ex0("GET", url, water, NULL, 200);
	snprintf(url, sizeof(url), "/v1/organisations/%lld/api-keys/%lld", water_org, id_of(key));
	ex0("DELETE", url, water, NULL, 204);
	json_decref(key);

	/* a site and the materials */
	json_t *site = ex("POST", "/v1/sites", appl,
			  "{\"name\":\"Block 9\",\"address\":\"88 Jingshi Road\",\"district\":"
			  "\"350102\",\"lat\":26.108,\"lng\":119.252,\"plot_ref\":\"PLOT-9\","
			  "\"zone_risk\":\"low\"}",
			  NULL, 201);
	ex0("POST", "/v1/sites", appl, "{\"name\":\"x\",\"zone_risk\":\"extreme\"}", 422);
	ex0("GET", "/v1/sites", appl, NULL, 200);
	snprintf(url, sizeof(url), "/v1/sites/%lld", id_of(site));
	ex0("GET", url, appl, NULL, 200);
	ex0("GET", url, water, NULL, 404);
	journey_observe(record); /* the uploads are recorded too */
	json_t *materials = journey_upload_required(appl);
	ex0("GET", "/v1/materials?limit=2", appl, NULL, 200);
	snprintf(url, sizeof(url), "/v1/materials/%lld",
		 (long long)json_integer_value(
			 json_object_get(json_array_get(materials, 0), "material_id")));
	ex0("GET", url, appl, NULL, 200);

	/* the application: water, with a dig on a primary road that needs a permit */
	char *m = json_dumps(materials, JSON_COMPACT);
	char *app_body = xasprintf(
		"{\"site_id\":%lld,\"commitment\":true,\"customer_class\":\"commercial\","
		"\"utilities\":{\"water\":{\"dn\":100,\"use\":\"commercial\",\"meters\":1}},"
		"\"works\":{\"excavations\":[{\"utility\":\"water\"," JOURNEY_DIG_WUSI ","
		"\"width_m\":1,\"start_date\":\"%s\",\"end_date\":\"%s\"}]},\"materials\":%s}",
		id_of(site), journey_day(0), journey_day(30), m);
	free(m);
	ex0("POST", "/v1/applications", appl, "{\"utilities\":{}}", 422);
	json_t *app = ex("POST", "/v1/applications", appl, app_body, NULL, 201);
	free(app_body);
	long long job = id_of(json_array_get(json_object_get(app, "jobs"), 0));
	long long permit = id_of(json_array_get(json_object_get(app, "permits"), 0));
	cr_assert(job && permit, "one job and one permit");
	ex0("GET", "/v1/applications", appl, NULL, 200);

	/* the water company works its job; the road authority its permit, in parallel */
	ex0("GET", "/v1/jobs?state=submitted", water, NULL, 200);
	snprintf(url, sizeof(url), "/v1/jobs/%lld", job);
	ex0("GET", url, water, NULL, 200);
	json_decref(act("jobs", job, water, "{\"action\":\"connect\"}", 409));
	json_decref(act("jobs", job, water, "{\"action\":\"accept\"}", 200));
	json_decref(act("jobs", job, water,
			"{\"action\":\"survey\",\"connection_point\":{\"lat\":26.1081,\"lng\":119.2521,"
			"\"description\":\"north gate\"}}",
			200));
	char *q = journey_quote(app, "water");
	snprintf(body, sizeof(body), "{\"action\":\"plan\",\"quote\":%s,\"permits_needed\":[\"%s\"]}",
		 q, json_string_value(json_object_get(json_array_get(json_object_get(app, "permits"), 0),
						      "reference")));
	free(q);
	json_decref(act("jobs", job, water, body, 200));
	json_decref(act("jobs", job, appl, "{\"action\":\"confirm\",\"version\":1}", 409));
	json_decref(act("jobs", job, appl, "{\"action\":\"confirm\"}", 200));
	json_decref(act("jobs", job, water, "{\"action\":\"start_construction\"}", 409));

	ex0("GET", "/v1/permits", road, NULL, 200);
	snprintf(url, sizeof(url), "/v1/permits/%lld", permit);
	ex0("GET", url, road, NULL, 200);
	json_decref(act("permits", permit, road, "{\"action\":\"accept\"}", 200));
	json_decref(act("permits", permit, road,
			"{\"action\":\"approve\",\"conditions\":[{\"code\":\"KEEP_ONE_LANE\"}]}", 200));

	json_decref(act("jobs", job, water, "{\"action\":\"start_construction\"}", 200));
	json_decref(act("jobs", job, water, "{\"action\":\"connect\"}", 200));
	json_decref(act("jobs", job, water, "{\"action\":\"complete\"}", 200));
	json_decref(act("permits", permit, water, "{\"action\":\"report_reinstated\"}", 200));
	json_decref(act("permits", permit, road, "{\"action\":\"inspect\",\"result\":\"pass\"}", 200));
	json_decref(act("permits", permit, road, "{\"action\":\"close\"}", 200));
	snprintf(url, sizeof(url), "/v1/applications/%lld", id_of(app));
	json_t *done = ex("GET", url, appl, NULL, NULL, 200);
	cr_assert_str_eq(json_string_value(json_object_get(done, "status")), "completed");
	json_decref(done);

	/* integrations: an endpoint, the event feed, the office's delivery tools */
	snprintf(url, sizeof(url), "/v1/organisations/%lld/endpoint", water_org);
	ex0("PUT", url, water, "{\"url\":\"http://127.0.0.1:9/hook\",\"mode\":\"v1a\"}", 201);
	ex0("GET", url, water, NULL, 200);
	snprintf(url, sizeof(url), "/v1/organisations/%lld/endpoint/rotate", water_org);
	ex0("POST", url, water, NULL, 200);
	json_t *events = ex("GET", "/v1/events?limit=5", water, NULL, NULL, 200);
	const char *evt = json_string_value(
		json_object_get(json_array_get(json_object_get(events, "items"), 0), "id"));
	cr_assert(evt, "the water company has events");
	ex0("GET", "/v1/deliveries?limit=5", office, NULL, 200);
	snprintf(url, sizeof(url), "/v1/deliveries/%s", evt);
	ex0("GET", url, office, NULL, 200);
	json_decref(events);
	snprintf(url, sizeof(url), "/v1/organisations/%lld/endpoint/replay", water_org);
	ex0("POST", url, office, "{\"since\":\"2020-01-01T00:00:00Z\"}", 200);

	/* publishing, read side, and signing out */
	ex0("GET", "/v1/fee-schedules?limit=2", water, NULL, 200);
	ex0("GET", "/v1/service-standards?limit=2", office, NULL, 200);
	ex0("DELETE", "/v1/sessions/current", road, NULL, 204);
	ex0("GET", "/v1/me", road, NULL, 401);

	json_decref(app);
	json_decref(site);
	json_decref(materials);
	free(office);
	free(appl);
	free(water);
	free(road);
}
