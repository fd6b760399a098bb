/*
 * Place in the submission (issue #19), end to end over HTTP on the demo city: trench sharing
 * decided on geometry (a junction shares, parallel roads 30 m apart do not), jobs routed by the
 * utilities' service areas, the fast track decided by the office's published zones and not by
 * what the applicant claims, and every bad geometry listed in the one 422.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo/fuzhou.h"
#include "lib/xalloc.h"
#include "support/harness.h"
#include "support/journey.h"

#define DEMO "demo-password-1"

static struct harness_server *srv;
static void setup(void) { srv = harness_server_start(); }
static void teardown(void) { harness_server_stop(srv); }
TestSuite(place_journey, .init = setup, .fini = teardown, .timeout = 120);

/* A site at lng, lat claiming the given zone risk (a claim decides nothing). */
static long long site_at(const char *tok, double lng, double lat, const char *claim)
{
	char body[512];
	snprintf(body, sizeof(body),
		 "{\"name\":\"Place block %d\",\"address\":\"A\",\"geometry\":{\"type\":\"Point\","
		 "\"coordinates\":[%.7f,%.7f]},\"zone_risk\":\"%s\"}",
		 harness_unique(), lng, lat, claim);
	json_t *j = journey_call("POST", "/v1/sites", tok, body, 201);
	long long id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	return id;
}

/* Submits utilities (JSON members) with one dig of `kind` drawn as `coords` (a LineString's
 * coordinates), from day 1 to day 6; extra top-level members may follow. */
static json_t *submit(const char *tok, long long site, const char *utilities, const char *kind,
		      const char *coords, const char *extra, long want)
{
	json_t *materials = journey_upload_required(tok);
	char *m = json_dumps(materials, JSON_COMPACT);
	char *body = xasprintf("{\"site_id\":%lld,\"commitment\":true,\"utilities\":{%s},"
			       "\"works\":{\"excavations\":[{\"utility\":\"%s\",\"geometry\":{\"type\":"
			       "\"LineString\",\"coordinates\":%s},\"width_m\":1,\"start_date\":"
			       "\"%s\",\"end_date\":\"%s\"}]},%s\"materials\":%s}",
			       site, utilities, kind, coords, journey_day(1), journey_day(6),
			       extra ? extra : "", m);
	json_t *a = journey_call("POST", "/v1/applications", tok, body, want);
	json_decref(materials);
	free(m);
	free(body);
	return a;
}

static long long permit_of(json_t *app)
{
	return json_integer_value(
	    json_object_get(json_array_get(json_object_get(app, "permits"), 0), "id"));
}

/* The proposal between permits a and b among the road authority's, or NULL (a new ref). */
static json_t *proposal(const char *road, long long a, long long b)
{
	json_t *list = journey_call("GET", "/v1/joint-digs?status=proposed", road, NULL, 200);
	json_t *found = NULL, *it;
	size_t i;
	json_array_foreach(json_object_get(list, "items"), i, it)
	{
		json_t *ps = json_object_get(it, "permits");
		long long x = json_integer_value(json_object_get(json_array_get(ps, 0), "id"));
		long long y = json_integer_value(json_object_get(json_array_get(ps, 1), "id"));
		if ((x == a && y == b) || (x == b && y == a))
			found = json_incref(it);
	}
	json_decref(list);
	return found;
}

#define WATER "\"water\":{\"dn\":50,\"use\":\"domestic\"}"
#define POWER "\"power\":{\"kw\":80,\"voltage_level\":\"0.4kV\"}"

Test(place_journey, a_junction_shares_a_trench_and_parallel_roads_do_not)
{
	char *tok = journey_login("applicant"), *road = journey_login("road");
	long long site = site_at(tok, 119.2960, 26.0876, "medium");
	/* power digs Bayiqi Road (八一七路) north across Dongjiekou; water digs Dongjie (东街)
	 * east across the same junction: two applications, two roads, one crossing */
	json_t *a = submit(tok, site, POWER, "power", "[[119.29725,26.0855],[119.29728,26.0875]]",
			   NULL, 201);
	json_t *b = submit(tok, site, WATER, "water", "[[119.2960,26.08665],[119.2985,26.08655]]",
			   NULL, 201);
	json_t *p = proposal(road, permit_of(a), permit_of(b));
	cr_assert(p, "the crossing is proposed as a shared trench");
	json_t *shared = json_object_get(p, "shared_extent");
	cr_expect_str_eq(json_string_value(json_object_get(shared, "type")), "Polygon",
			 "the shared extent is recorded");
	long long len = json_integer_value(json_object_get(p, "shared_length_m"));
	cr_expect(len > 0 && len < 60, "around the junction only: %lld m", len);
	/* the events tell each side which register road it digs */
	json_t *seg = json_array_get(
	    json_object_get(json_object_get(json_array_get(json_object_get(a, "permits"), 0),
					    "works"),
			    "segments"),
	    0);
	if (seg)
		cr_expect_str_eq(json_string_value(json_object_get(seg, "road_id")), "FZ-GL-0002");
	json_decref(p);

	/* Nanhou Street (南后街) and Demo Lane 30 m east of it: no trench to share */
	json_t *c = submit(tok, site, WATER, "water", "[[119.29195,26.0835],[119.29197,26.0838]]",
			   NULL, 201);
	json_t *d = submit(tok, site, WATER, "water", "[[119.29225,26.0835],[119.29227,26.0838]]",
			   NULL, 201);
	p = proposal(road, permit_of(c), permit_of(d));
	cr_expect_null(p, "parallel roads 30 m apart share nothing");
	json_decref(p);
	json_decref(a);
	json_decref(b);
	json_decref(c);
	json_decref(d);
	free(tok);
	free(road);
}

static long long job_org(json_t *app, const char *kind)
{
	size_t i;
	json_t *j;
	json_array_foreach(json_object_get(app, "jobs"), i, j)
	{
		if (!strcmp(json_string_value(json_object_get(j, "utility_kind")), kind))
			return json_integer_value(json_object_get(j, "utility_org_id"));
	}
	return 0;
}

static bool has(json_t *e, const char *field, const char *code)
{
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(json_object_get(e, "error"), "details"), i, d)
	{
		if (!strcmp(json_string_value(json_object_get(d, "field")), field) &&
		    !strcmp(json_string_value(json_object_get(d, "code")), code))
			return true;
	}
	return false;
}

Test(place_journey, jobs_go_to_whoever_serves_the_site)
{
	char *tok = journey_login("applicant");
	/* Fuqing (福清市): its own water company; the dig on Liqiao Street (利桥街) */
	const struct fz_site *fq = NULL;
	for (size_t i = 0; i < fz_nsites; i++)
		if (!strcmp(fz_sites[i].district, "350181"))
			fq = &fz_sites[i];
	cr_assert(fq);
	long long site = site_at(tok, fq->lng, fq->lat, "medium");
	json_t *a = submit(tok, site, WATER, "water",
			   "[[119.3852069,25.7202172],[119.3855862,25.7200655]]", NULL, 201);
	cr_expect_eq(job_org(a, "water"), journey_org("Fuqing Water Supply Co. (demo)"));
	json_decref(a);
	/* Gulou (鼓楼区): the city's */
	site = site_at(tok, 119.2914, 26.0826, "medium");
	a = submit(tok, site, WATER, "water", "[[119.2920,26.0830],[119.29202,26.0832]]", NULL, 201);
	cr_expect_eq(job_org(a, "water"), journey_org("City Water Supply Co. (demo)"));
	json_decref(a);
	/* network: four carriers serve Gulou, so the applicant chooses, and only among them */
	static const char net[] = WATER ",\"network\":{\"bandwidth_mbps\":100,\"ports\":2}";
	json_t *e = submit(tok, site, net, "water", "[[119.2920,26.0830],[119.29202,26.0832]]",
			   NULL, 422);
	cr_expect(has(e, "providers.network", "required"), "%s", json_dumps(e, 0));
	json_decref(e);
	char *wrong = xasprintf("\"providers\":{\"network\":%lld},",
				journey_org("City Water Supply Co. (demo)"));
	e = submit(tok, site, net, "water", "[[119.2920,26.0830],[119.29202,26.0832]]", wrong, 422);
	cr_expect(has(e, "providers.network", "not_serving"), "%s", json_dumps(e, 0));
	json_decref(e);
	free(wrong);
	long long mobile = journey_org("China Mobile Fuzhou (demo)");
	char *right = xasprintf("\"providers\":{\"network\":%lld},", mobile);
	a = submit(tok, site, net, "water", "[[119.2920,26.0830],[119.29202,26.0832]]", right, 201);
	cr_expect_eq(job_org(a, "network"), mobile, "the carrier chosen gets the job");
	json_decref(a);
	free(right);
	/* Pingtan (平潭县): the demo has no water company there: the notice says so */
	site = site_at(tok, 119.79, 25.50, "medium");
	json_t *m = journey_upload_required(tok);
	char *mt = json_dumps(m, JSON_COMPACT);
	char *body = xasprintf("{\"site_id\":%lld,\"utilities\":{" WATER "},\"materials\":%s}", site,
			       mt);
	e = journey_call("POST", "/v1/applications", tok, body, 422);
	cr_expect(has(e, "utilities.water", "no_provider"), "%s", json_dumps(e, 0));
	json_decref(e);
	json_decref(m);
	free(mt);
	free(body);
	free(tok);
}

Test(place_journey, the_published_zone_decides_the_fast_track_not_the_claim)
{
	char *tok = journey_login("applicant");
	long long site = site_at(tok, 119.2914, 26.0826, "low");
	/* 22 m of Nanhou Street inside the low-risk zone LRZ-GL-0001: fast-tracked */
	json_t *in = submit(tok, site, WATER, "water", "[[119.2920,26.0830],[119.29202,26.0832]]",
			    NULL, 201);
	json_t *p = json_array_get(json_object_get(in, "permits"), 0);
	cr_expect(json_is_true(json_object_get(p, "fast_track")), "%s", json_dumps(p, 0));
	/* the same street 30 m further north, outside every zone, the site still claiming "low" */
	json_t *out = submit(tok, site, WATER, "water", "[[119.29182,26.0851],[119.29181,26.0854]]",
			     NULL, 201);
	p = json_array_get(json_object_get(out, "permits"), 0);
	cr_expect(!json_is_true(json_object_get(p, "fast_track")), "%s", json_dumps(p, 0));
	const char *state = json_string_value(json_object_get(p, "state"));
	cr_expect_str_eq(state, "submitted", "reviewed, not approved on the spot");
	json_decref(in);
	json_decref(out);
	free(tok);
}

Test(place_journey, every_bad_geometry_is_listed_with_the_other_problems)
{
	char *tok = journey_login("applicant");
	long long site = site_at(tok, 119.2914, 26.0826, "medium");
	char *body = xasprintf(
	    "{\"site_id\":%lld,\"utilities\":{" WATER "},\"works\":{\"excavations\":["
	    /* 0: crosses itself */
	    "{\"utility\":\"water\",\"width_m\":1,\"start_date\":\"%s\",\"end_date\":\"%s\","
	    "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[119.2919,26.0830],"
	    "[119.2921,26.0832],[119.2921,26.0830],[119.2919,26.0832],[119.2919,26.0830]]]}},"
	    /* 1: one point */
	    "{\"utility\":\"water\",\"width_m\":1,\"start_date\":\"%s\",\"end_date\":\"%s\","
	    "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[119.2920,26.0830]]}},"
	    /* 2: in Jinan */
	    "{\"utility\":\"water\",\"width_m\":1,\"start_date\":\"%s\",\"end_date\":\"%s\","
	    "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[117.02,36.66],[117.021,36.66]]}},"
	    /* 3: in Gulou, but in a park, on no road */
	    "{\"utility\":\"water\",\"width_m\":1,\"start_date\":\"%s\",\"end_date\":\"%s\","
	    "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[119.2700,26.1000],"
	    "[119.2703,26.1000]]}},"
	    /* 4: names Wusi Road but lies on Nanhou Street */
	    "{\"utility\":\"water\",\"width_m\":1,\"start_date\":\"%s\",\"end_date\":\"%s\","
	    "\"road_id\":\"FZ-GL-0001\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":"
	    "[[119.2920,26.0830],[119.29202,26.0832]]}}]},"
	    "\"materials\":[]}",
	    site, journey_day(1), journey_day(6), journey_day(1), journey_day(6), journey_day(1),
	    journey_day(6), journey_day(1), journey_day(6), journey_day(1), journey_day(6));
	json_t *e = journey_call("POST", "/v1/applications", tok, body, 422);
	static const char *const want[][2] = {
		{ "works.excavations[0].geometry.coordinates", "self_intersecting" },
		{ "works.excavations[1].geometry.coordinates", "too_few_points" },
		{ "works.excavations[2].geometry", "outside_city" },
		{ "works.excavations[3].geometry", "no_register_road" },
		{ "works.excavations[4].road_id", "not_on_road" },
	};
	char *text = json_dumps(e, 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_expect(has(e, want[i][0], want[i][1]), "%s/%s in %s", want[i][0], want[i][1], text);
	cr_expect(strstr(text, "\"materials."), "with the missing materials: %s", text);
	free(text);
	json_decref(e);
	free(body);
	free(tok);
}

/* The survey fixes the connection point as a GeoJSON Point (a web map's GCJ-02 converted). */
Test(place_journey, the_connection_point_is_a_point_on_the_map)
{
	char *tok = journey_login("applicant"), *water = journey_login("water");
	long long site = site_at(tok, 119.2914, 26.0826, "medium");
	json_t *app = submit(tok, site, WATER, "water", "[[119.2920,26.0830],[119.29202,26.0832]]",
			     NULL, 201);
	long long job = json_integer_value(
	    json_object_get(json_array_get(json_object_get(app, "jobs"), 0), "id"));
	char path[96];
	snprintf(path, sizeof(path), "/v1/jobs/%lld/transitions", job);
	json_decref(journey_call("POST", path, water, "{\"action\":\"accept\"}", 200));
	static const char *const bad[][3] = {
		{ "{\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[119.29,26.08],[119.3,26.09]]}}",
		  "connection_point.geometry.type", "not_allowed" },
		{ "{\"lat\":91,\"lng\":1}", "connection_point.geometry", "required" },
		{ "{\"lat\":26.08,\"lng\":119.29,\"geometry\":{\"type\":\"Point\",\"coordinates\":[119.29,"
		  "26.08]}}",
		  "connection_point.lat", "not_allowed" },
		{ "{\"lat\":26.08,\"lng\":119.29,\"floor\":3}", "connection_point.floor", "unknown_field" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *body = xasprintf("{\"action\":\"survey\",\"connection_point\":%s}", bad[i][0]);
		json_t *e = journey_call("POST", path, water, body, 422);
		cr_expect(has(e, bad[i][1], bad[i][2]), "%s: %s", bad[i][0], json_dumps(e, 0));
		json_decref(e);
		free(body);
	}
	json_t *j = journey_call("POST", path, water,
				 "{\"action\":\"survey\",\"connection_point\":{\"crs\":\"GCJ-02\","
				 "\"geometry\":{\"type\":\"Point\",\"coordinates\":[119.2966,26.0800]},"
				 "\"description\":\"north gate\"}}",
				 200);
	json_decref(j);
	snprintf(path, sizeof(path), "/v1/jobs/%lld", job);
	j = journey_call("GET", path, water, NULL, 200);
	json_t *cp = json_object_get(j, "connection_point");
	json_t *c = json_object_get(json_object_get(cp, "geometry"), "coordinates");
	double lng = json_number_value(json_array_get(c, 0)), lat = json_number_value(json_array_get(c, 1));
	/* GCJ-02 sits about 500 m off here: the stored point is the CGCS2000 one near the site */
	cr_expect(lng < 119.2966 - 0.003 && lng > 119.2966 - 0.008, "lng %f", lng);
	cr_expect(fabs(lat - 26.0800) > 0.001 && fabs(lat - 26.0800) < 0.006, "lat %f", lat);
	cr_expect_str_eq(json_string_value(json_object_get(cp, "description")), "north gate");
	json_decref(j);
	json_decref(app);
	free(tok);
	free(water);
}
