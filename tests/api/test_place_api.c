/*
 * Publishing place over real HTTP (portal/place_api.c): who may write what, every geometry
 * problem listed in one 422, districts that may not overlap, road registers and risk zones as
 * immutable versions, service areas replaced whole, and "who serves this point".
 *
 * The tests draw their own districts in the sea south-east of the city (each test in its own
 * cell, clear of Fuzhou's thirteen from migrations/0009 and of each other), so what they
 * publish never changes what the demo's Fuzhou answers, which the last test reads.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support/harness.h"
#include "support/journey.h"
#include "store/db.h"
#include "store/place.h"
#include "workflows/calendar.h"

static struct harness_server *srv;
static void setup(void)
{
	srv = harness_server_start();
}
static void teardown(void)
{
	harness_server_stop(srv);
}
TestSuite(place_api, .init = setup, .fini = teardown, .timeout = 120);

/* ---------------------------------------------------------------- helpers */

static char *token_of(const char *kind, const char *subkind, long long *org)
{
	char email[128];
	long long o = harness_make_user(kind, subkind, true, email);
	if (org)
		*org = o;
	return harness_login(email, HARNESS_PASSWORD);
}

/* A test's cell of the sea: 0.04 degrees square, slot 0..23, between 119.96E and 120.25E. */
struct cell {
	double x0, y0, x1, y1;
};

static struct cell cell_of(int slot)
{
	double x0 = 119.96 + (slot % 6) * 0.05, y0 = 25.02 + (slot / 6) * 0.05;
	return (struct cell){x0, y0, x0 + 0.04, y0 + 0.04};
}

/* A GeoJSON polygon of the box, counter-clockwise, into buf. */
static const char *box_json(double x0, double y0, double x1, double y1, char *buf, size_t len)
{
	snprintf(buf, len,
		 "{\"type\":\"Polygon\",\"coordinates\":[[[%.5f,%.5f],[%.5f,%.5f],[%.5f,%.5f],"
		 "[%.5f,%.5f],[%.5f,%.5f]]]}",
		 x0, y0, x1, y0, x1, y1, x0, y1, x0, y0);
	return buf;
}

/* A new district code, unique in the run. */
static void new_code(char out[24])
{
	snprintf(out, 24, "t%d", harness_unique());
}

/* The office creates district code over the box; asserts 201. */
static void make_district(const char *office, const char *code, double x0, double y0, double x1,
			  double y1)
{
	char poly[400], body[700];
	snprintf(body, sizeof(body),
		 "{\"code\":\"%s\",\"name_zh\":\"测试区%s\",\"name_en\":\"Test %s\",\"kind\":"
		 "\"district\",\"boundary\":%s}",
		 code, code, code, box_json(x0, y0, x1, y1, poly, sizeof(poly)));
	json_decref(journey_call("POST", "/v1/districts", office, body, 201));
}

/* The text of j, for messages (a static buffer: valid until the next call). */
static const char *dump(const json_t *j)
{
	static char buf[8192];
	char *s = json_dumps(j, JSON_COMPACT);
	snprintf(buf, sizeof(buf), "%s", s ? s : "null");
	free(s);
	return buf;
}

/* "field:code" of every detail of a 422, comma-separated, into buf. */
static const char *details(const json_t *reply, char *buf, size_t len)
{
	size_t i, used = 0;
	json_t *d;
	buf[0] = 0;
	json_array_foreach(json_object_get(json_object_get(reply, "error"), "details"), i, d)
	{
		used +=
		    (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s:%s",
				     i ? "," : "", json_string_value(json_object_get(d, "field")),
				     json_string_value(json_object_get(d, "code")));
	}
	return buf;
}

/* True when the details hold "field:code". */
static bool has_detail(const json_t *reply, const char *field_code)
{
	char buf[4096];
	details(reply, buf, sizeof(buf));
	char want[256];
	snprintf(want, sizeof(want), "%s", field_code);
	for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ","))
		if (strcmp(tok, want) == 0)
			return true;
	return false;
}

/* A road of a register body. */
static void road(char *buf, size_t len, const char *id, const char *name_en, const char *district,
		 double x0, double y0, double x1, double y1)
{
	snprintf(buf, len,
		 "{\"road_id\":\"%s\",\"name_zh\":\"%s路\",\"name_en\":\"%s\",\"aliases\":[\"%s "
		 "Rd\"],\"class\":\"branch\",\"district\":\"%s\",\"centreline\":{\"type\":"
		 "\"LineString\",\"coordinates\":[[%.5f,%.5f],[%.5f,%.5f]]}}",
		 id, name_en, name_en, name_en, district, x0, y0, x1, y1);
}

/* ---------------------------------------------------------------- who may write */

enum who { APPLICANT, WATER, GAS, ROAD, GREENING, OFFICE, NOBODY, NWHO };

struct write_case {
	const char *method, *path;
	long status[NWHO]; /* an empty body: 422 where the caller may write, 403 where not */
};

static const struct write_case write_cases[] = {
    {"POST", "/v1/districts", {403, 403, 403, 403, 403, 422, 401}},
    {"PUT", "/v1/districts/350102", {403, 403, 403, 403, 403, 422, 401}},
    {"POST", "/v1/road-registers", {403, 403, 403, 422, 403, 403, 401}},
    {"POST", "/v1/risk-zones", {403, 403, 403, 403, 403, 422, 401}},
    {"PUT", "/v1/service-areas/water", {403, 422, 403, 403, 403, 403, 401}},
    {"PUT", "/v1/service-areas/gas", {403, 403, 422, 403, 403, 403, 401}},
    {"PUT", "/v1/service-areas/sewage", {404, 404, 404, 404, 404, 404, 401}},
    {"GET", "/v1/service-areas", {200, 200, 200, 200, 200, 200, 401}},
    /* immutable: no route changes or removes a published register or zone */
    {"PUT", "/v1/risk-zones/Z1", {404, 404, 404, 404, 404, 404, 404}},
    {"DELETE", "/v1/risk-zones", {405, 405, 405, 405, 405, 405, 405}},
    {"DELETE", "/v1/road-registers", {405, 405, 405, 405, 405, 405, 405}},
};

Test(place_api, every_write_route_refuses_the_wrong_roles)
{
	static const char *const kinds[][2] = {{"applicant", NULL},	  {"utility", "water"},
					       {"utility", "gas"},	  {"authority", "road"},
					       {"authority", "greening"}, {"office", NULL}};
	char *tokens[NWHO] = {0};
	for (int w = 0; w < NOBODY; w++)
		tokens[w] = token_of(kinds[w][0], kinds[w][1], NULL);
	for (size_t i = 0; i < sizeof(write_cases) / sizeof(write_cases[0]); i++) {
		const struct write_case *c = &write_cases[i];
		for (int w = 0; w < NWHO; w++) {
			struct reply r;
			const char *body = strcmp(c->method, "GET") ? "{}" : NULL;
			http_call(&r, c->method, c->path, tokens[w], body, NULL);
			cr_expect_eq(r.status, c->status[w], "%s %s as %s: %ld %s", c->method,
				     c->path, w < NOBODY ? kinds[w][0] : "nobody", r.status,
				     r.body);
			reply_release(&r);
		}
	}
	for (int w = 0; w < NWHO; w++)
		free(tokens[w]);
}

/* ---------------------------------------------------------------- bad input, all at once */

Test(place_api, every_problem_of_a_register_is_listed_in_one_422)
{
	char *office = token_of("office", NULL, NULL), *roads = token_of("authority", "road", NULL);
	char a[24], b[24];
	new_code(a);
	new_code(b);
	struct cell ca = cell_of(7), cb = cell_of(8);
	make_district(office, a, ca.x0, ca.y0, ca.x1, ca.y1);
	make_district(office, b, cb.x0, cb.y0, cb.x1, cb.y1);
	double y = (ca.y0 + ca.y1) / 2;
	char ok[600], dup[600], elsewhere[600], body[8192];
	road(ok, sizeof(ok), "R-1", "First", a, ca.x0 + 0.005, y, ca.x1 - 0.005, y);
	road(dup, sizeof(dup), "R-1", "Again", a, ca.x0 + 0.005, y + 0.01, ca.x1 - 0.005, y + 0.01);
	/* names district a but lies in district b */
	road(elsewhere, sizeof(elsewhere), "R-3", "Elsewhere", a, cb.x0 + 0.005, y, cb.x1 - 0.005,
	     y);
	snprintf(
	    body, sizeof(body),
	    "{\"effective_from\":\"2001-01-01\",\"colour\":\"red\",\"roads\":[%s,%s,%s,"
	    /* a line crossing itself */
	    "{\"road_id\":\"R-4\",\"name_zh\":\"环路\",\"name_en\":\"Loop\",\"class\":\"branch\","
	    "\"district\":\"%s\",\"centreline\":{\"type\":\"LineString\",\"coordinates\":"
	    "[[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f],[%.4f,%.4f]]}},"
	    /* one point only, an unknown district, a class that is none */
	    "{\"road_id\":\"R-5\",\"name_zh\":\"点\",\"name_en\":\"Dot\",\"class\":\"lane\","
	    "\"district\":\"nowhere\",\"centreline\":{\"type\":\"LineString\",\"coordinates\":"
	    "[[120.0,25.1],[120.0,25.1]]}},"
	    /* out of range, and a name of the wrong type */
	    "{\"road_id\":\"R 6\",\"name_zh\":7,\"name_en\":\"Far\",\"class\":\"branch\","
	    "\"district\":\"%s\",\"centreline\":{\"type\":\"LineString\",\"coordinates\":"
	    "[[200,25.1],[120.0,95]]},\"crs\":\"Mars-1\"}]}",
	    ok, dup, elsewhere, a, ca.x0 + 0.01, ca.y0 + 0.01, ca.x1 - 0.01, ca.y1 - 0.01,
	    ca.x1 - 0.01, ca.y0 + 0.01, ca.x0 + 0.01, ca.y1 - 0.01, a);
	json_t *r = journey_call("POST", "/v1/road-registers", roads, body, 422);
	static const char *const want[] = {
	    "colour:unknown_field",
	    "effective_from:in_the_past",
	    "roads[1].road_id:duplicate",
	    "roads[2].centreline:outside_district",
	    "roads[3].centreline.coordinates:self_intersecting",
	    "roads[4].class:not_allowed",
	    "roads[4].centreline.coordinates:too_few_points",
	    "roads[4].district:unknown",
	    "roads[5].road_id:invalid",
	    "roads[5].name_zh:wrong_type",
	    "roads[5].crs:not_allowed",
	    "roads[5].centreline.coordinates[0]:out_of_range",
	    "roads[5].centreline.coordinates[1]:out_of_range",
	};
	char got[4096];
	details(r, got, sizeof(got));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_expect(has_detail(r, want[i]), "%s missing from %s", want[i], got);
	/* the road that names the wrong district says where it does lie */
	cr_expect(strstr(dump(r), b), "names %s: %s", b, got);
	json_decref(r);
	free(office);
	free(roads);
}

Test(place_api, every_problem_of_a_polygon_is_listed_in_one_422)
{
	char *water = token_of("utility", "water", NULL);
	/* a bow tie, a ring of three positions, a position out of range, unknown districts */
	static const char body[] =
	    "{\"districts\":[\"nowhere\",\"350102\",\"also-nowhere\"],\"areas\":["
	    "{\"type\":\"Polygon\",\"coordinates\":[[[120.0,25.1],[120.02,25.12],[120.02,25.1],"
	    "[120.0,25.12],[120.0,25.1]]]},"
	    "{\"type\":\"Polygon\",\"coordinates\":[[[120.0,25.1],[120.02,25.1],[120.0,25.1]]]},"
	    "{\"type\":\"Polygon\",\"coordinates\":[[[120.0,25.1],[181,25.1],[120.02,25.12],"
	    "[120.0,25.1]]]},"
	    "{\"type\":\"LineString\",\"coordinates\":[[120.0,25.1],[120.02,25.1]]}],"
	    "\"extra\":1}";
	json_t *r = journey_call("PUT", "/v1/service-areas/water", water, body, 422);
	static const char *const want[] = {
	    "districts[0]:unknown",
	    "districts[2]:unknown",
	    "areas[0].coordinates:self_intersecting",
	    "areas[1].coordinates[0]:too_few_points",
	    "areas[2].coordinates[0][1]:out_of_range",
	    "areas[3].type:not_allowed",
	    "extra:unknown_field",
	};
	char got[4096];
	details(r, got, sizeof(got));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_expect(has_detail(r, want[i]), "%s missing from %s", want[i], got);
	cr_expect(!has_detail(r, "districts[1]:unknown"), "350102 exists: %s", got);
	json_decref(r);
	free(water);
}

/* ---------------------------------------------------------------- districts */

Test(place_api, districts_may_share_a_border_but_not_ground)
{
	char *office = token_of("office", NULL, NULL);
	char a[24], b[24], path[64], poly[400], body[1024];
	new_code(a);
	new_code(b);
	struct cell c = cell_of(1);
	make_district(office, a, c.x0, c.y0, c.x1, c.y1);

	/* half over a: refused, naming a */
	snprintf(body, sizeof(body),
		 "{\"code\":\"%s\",\"name_zh\":\"乙\",\"name_en\":\"B\",\"kind\":\"county\","
		 "\"boundary\":%s}",
		 b, box_json(c.x0 + 0.02, c.y0, c.x1 + 0.01, c.y1, poly, sizeof(poly)));
	json_t *r = journey_call("POST", "/v1/districts", office, body, 422);
	cr_expect(has_detail(r, "boundary:overlaps"));
	cr_expect(strstr(dump(r), a), "names the district it overlaps");
	json_decref(r);

	/* a development zone may lie inside a district */
	char z[24];
	new_code(z);
	snprintf(body, sizeof(body),
		 "{\"code\":\"%s\",\"name_zh\":\"开发区\",\"name_en\":\"Zone\",\"kind\":"
		 "\"development_zone\",\"boundary\":%s}",
		 z,
		 box_json(c.x0 + 0.01, c.y0 + 0.01, c.x0 + 0.02, c.y0 + 0.02, poly, sizeof(poly)));
	json_decref(journey_call("POST", "/v1/districts", office, body, 201));

	/* sharing a's east edge: fine */
	snprintf(body, sizeof(body),
		 "{\"code\":\"%s\",\"name_zh\":\"乙\",\"name_en\":\"B\",\"kind\":\"county\","
		 "\"boundary\":%s}",
		 b, box_json(c.x1, c.y0, c.x1 + 0.01, c.y1, poly, sizeof(poly)));
	r = journey_call("POST", "/v1/districts", office, body, 201);
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(r, "boundary"), "type")),
			 "Polygon");
	json_decref(r);
	json_decref(journey_call("POST", "/v1/districts", office, body, 409));

	/* an update may not move b onto a; a good one renames it */
	snprintf(path, sizeof(path), "/v1/districts/%s", b);
	snprintf(
	    body, sizeof(body),
	    "{\"name_zh\":\"乙县\",\"name_en\":\"B County\",\"kind\":\"county\",\"boundary\":%s}",
	    box_json(c.x1 - 0.02, c.y0, c.x1 + 0.01, c.y1, poly, sizeof(poly)));
	r = journey_call("PUT", path, office, body, 422);
	cr_expect(has_detail(r, "boundary:overlaps"));
	json_decref(r);
	snprintf(
	    body, sizeof(body),
	    "{\"name_zh\":\"乙县\",\"name_en\":\"B County\",\"kind\":\"county\",\"boundary\":%s}",
	    box_json(c.x1, c.y0, c.x1 + 0.008, c.y1, poly, sizeof(poly)));
	json_decref(journey_call("PUT", path, office, body, 200));
	json_decref(journey_call("PUT", "/v1/districts/no-such-one", office, body, 404));

	/* the public reads, as JSON and as GeoJSON */
	r = journey_call("GET", "/v1/public/districts?lang=en", NULL, NULL, 200);
	size_t i;
	json_t *d, *found = NULL;
	json_array_foreach(json_object_get(r, "districts"), i, d)
	{
		if (!strcmp(json_string_value(json_object_get(d, "code")), b))
			found = d;
	}
	cr_assert(found, "%s is listed", b);
	cr_expect_str_eq(json_string_value(json_object_get(found, "name")), "B County");
	cr_expect_str_eq(json_string_value(json_object_get(found, "kind")), "county");
	json_decref(r);
	static const char *const geo_paths[] = {"/v1/public/districts.geojson",
						"/v1/public/districts?format=geojson"};
	for (int k = 0; k < 2; k++) {
		struct reply rr;
		cr_assert_eq(http_call(&rr, "GET", geo_paths[k], NULL, NULL, NULL), 200);
		char ct[80];
		cr_expect_str_eq(reply_header(&rr, "Content-Type", ct, sizeof(ct)),
				 "application/geo+json");
		cr_expect_str_eq(json_string_value(json_object_get(rr.json, "type")),
				 "FeatureCollection");
		bool seen = false;
		json_array_foreach(json_object_get(rr.json, "features"), i, d)
		{
			if (strcmp(json_string_value(json_object_get(d, "id")), b))
				continue;
			seen = true;
			cr_expect_str_eq(json_string_value(json_object_get(d, "type")), "Feature");
			cr_expect_str_eq(json_string_value(json_object_get(
					     json_object_get(d, "geometry"), "type")),
					 "Polygon");
			cr_expect_str_eq(json_string_value(json_object_get(
					     json_object_get(d, "properties"), "name_en")),
					 "B County");
		}
		cr_expect(seen);
		reply_release(&rr);
	}
	json_decref(journey_call("GET", "/v1/public/districts?format=kml", NULL, NULL, 422));

	/* every change is on the audit record */
	struct store_conn *conn = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(conn);
	static const char sql[] = "SELECT action FROM audit_log WHERE object_type = 'district' AND "
				  "object_id = ? ORDER BY id";
	struct store_param p[] = {P_STR(b)};
	struct store_result *res = NULL;
	cr_assert_eq(store_exec(conn, sql, p, 1, &res, NULL), 0);
	cr_expect_eq(res->nrows, 2, "one create and one update of %s", b);
	if (res->nrows == 2) {
		cr_expect_str_eq(store_cell(res, 0, 0), "district.create");
		cr_expect_str_eq(store_cell(res, 1, 0), "district.update");
	}
	store_result_free(res);
	store_release(conn);
	free(office);
}

/* ---------------------------------------------------------------- the road register */

/* The road ids of a roads reply, comma-separated. */
static const char *road_ids(const json_t *reply, char *buf, size_t len)
{
	size_t i, used = 0;
	json_t *r;
	buf[0] = 0;
	json_array_foreach(json_object_get(reply, "roads"), i, r)
	{
		used +=
		    (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s", i ? "," : "",
				     json_string_value(json_object_get(r, "road_id")));
	}
	return buf;
}

static json_t *get_roads(const char *query, long want)
{
	char path[300];
	snprintf(path, sizeof(path), "/v1/public/roads?%s", query);
	return journey_call("GET", path, NULL, NULL, want);
}

Test(place_api, a_register_is_published_in_versions_and_read_by_version)
{
	char *office = token_of("office", NULL, NULL);
	long long org;
	char *roads = token_of("authority", "road", &org);
	char d[24];
	new_code(d);
	struct cell c = cell_of(0);
	make_district(office, d, c.x0, c.y0, c.x1, c.y1);
	double ya = c.y0 + 0.01, yb = c.y0 + 0.02, yc = c.y0 + 0.03;
	char r1[600], r2[600], r3[600], body[4096], q[200], ids[200];

	/* version 1: A and B, effective today */
	road(r1, sizeof(r1), "A", "Alpha", d, c.x0 + 0.005, ya, c.x0 + 0.035, ya);
	road(r2, sizeof(r2), "B", "Beta", d, c.x0 + 0.005, yb, c.x0 + 0.035, yb);
	snprintf(body, sizeof(body), "{\"effective_from\":\"%s\",\"roads\":[%s,%s]}",
		 journey_day(0), r1, r2);
	json_t *v = journey_call("POST", "/v1/road-registers", roads, body, 201);
	cr_expect_eq(json_integer_value(json_object_get(v, "version")), 1);
	/* 0.03 degrees of longitude at 25.03N: about 3.03 km, computed, not declared */
	long long len = json_integer_value(
	    json_object_get(json_array_get(json_object_get(v, "roads"), 0), "length_m"));
	cr_expect(len > 2950 && len < 3100, "length %lld m", len);
	json_decref(v);

	/* version 2: A renamed, B gone, C new, given in GCJ-02 */
	road(r1, sizeof(r1), "A", "Alpha Avenue", d, c.x0 + 0.005, ya, c.x0 + 0.035, ya);
	road(r3, sizeof(r3), "C", "Gamma", d, c.x0 + 0.005, yc, c.x0 + 0.035, yc);
	snprintf(body, sizeof(body),
		 "{\"effective_from\":\"%s\",\"crs\":\"GCJ-02\",\"roads\":[%s,%s]}", journey_day(0),
		 r1, r3);
	v = journey_call("POST", "/v1/road-registers", roads, body, 201);
	cr_expect_eq(json_integer_value(json_object_get(v, "version")), 2);
	json_decref(v);

	/* version 3 from next week: only C */
	snprintf(body, sizeof(body), "{\"effective_from\":\"%s\",\"roads\":[%s]}", journey_day(7),
		 r3);
	json_decref(journey_call("POST", "/v1/road-registers", roads, body, 201));

	/* each version as published */
	snprintf(q, sizeof(q), "authority=%lld&version=1", org);
	v = get_roads(q, 200);
	cr_expect_str_eq(road_ids(v, ids, sizeof(ids)), "A,B");
	cr_expect_str_eq(json_string_value(json_object_get(
			     json_array_get(json_object_get(v, "roads"), 0), "name_en")),
			 "Alpha");
	json_decref(v);
	snprintf(q, sizeof(q), "authority=%lld&version=2", org);
	v = get_roads(q, 200);
	cr_expect_str_eq(road_ids(v, ids, sizeof(ids)), "A,C");
	json_t *a = json_array_get(json_object_get(v, "roads"), 0);
	cr_expect_str_eq(json_string_value(json_object_get(a, "name_en")), "Alpha Avenue");
	cr_expect_str_eq(
	    json_string_value(json_object_get(json_object_get(a, "centreline"), "type")),
	    "LineString");
	/* GCJ-02 in, CGCS2000 stored: hundreds of metres west and south of what was given */
	double lng0 = json_number_value(json_array_get(
	    json_array_get(json_object_get(json_object_get(a, "centreline"), "coordinates"), 0),
	    0));
	cr_expect(lng0 < c.x0 + 0.005 - 0.002 && lng0 > c.x0 + 0.005 - 0.01, "converted: %f", lng0);
	json_decref(v);

	/* in force today (by district, every authority), next week, and by bbox */
	snprintf(q, sizeof(q), "district=%s", d);
	v = get_roads(q, 200);
	cr_expect_str_eq(road_ids(v, ids, sizeof(ids)), "A,C", "version 2 is in force today");
	json_decref(v);
	snprintf(q, sizeof(q), "district=%s&on=%s", d, journey_day(7));
	v = get_roads(q, 200);
	cr_expect_str_eq(road_ids(v, ids, sizeof(ids)), "C", "version 3 from its day");
	json_decref(v);
	/* (version 2 was given in GCJ-02: C lies a few hundred metres north of yc) */
	snprintf(q, sizeof(q), "bbox=%.4f,%.4f,%.4f,%.4f", c.x0, yc - 0.005, c.x1, yc + 0.008);
	v = get_roads(q, 200);
	cr_expect_str_eq(road_ids(v, ids, sizeof(ids)), "C");
	json_decref(v);
	snprintf(q, sizeof(q), "district=%s&format=geojson", d);
	v = get_roads(q, 200);
	cr_expect_str_eq(json_string_value(json_object_get(v, "type")), "FeatureCollection");
	cr_expect_eq(json_array_size(json_object_get(v, "features")), 2);
	json_decref(v);
	json_decref(get_roads("version=2", 422));
	json_decref(get_roads("bbox=1,2,3", 422));
	json_decref(get_roads("on=2026-02-30", 422));

	/* one road */
	char path[160];
	snprintf(path, sizeof(path), "/v1/public/roads/B?authority=%lld", org);
	json_decref(journey_call("GET", path, NULL, NULL, 404));
	snprintf(path, sizeof(path), "/v1/public/roads/B?authority=%lld&version=1", org);
	v = journey_call("GET", path, NULL, NULL, 200);
	cr_expect_str_eq(json_string_value(json_object_get(v, "name_en")), "Beta");
	cr_expect_str_eq(json_string_value(json_array_get(json_object_get(v, "aliases"), 0)),
			 "Beta Rd");
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(v, "register"), "version")),
		     1);
	json_decref(v);

	/* the versions, each with its status */
	v = journey_call("GET", "/v1/public/road-registers", NULL, NULL, 200);
	const char *status[4] = {0};
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(v, "registers"), i, g)
	{
		int ver = (int)json_integer_value(json_object_get(g, "version"));
		if (json_integer_value(json_object_get(g, "authority_id")) == org && ver >= 1 &&
		    ver <= 3)
			status[ver] = json_string_value(json_object_get(g, "status"));
	}
	cr_expect_str_eq(status[1] ? status[1] : "", "superseded");
	cr_expect_str_eq(status[2] ? status[2] : "", "in_force");
	cr_expect_str_eq(status[3] ? status[3] : "", "upcoming");
	json_decref(v);

	/* published registers do not change, even by SQL */
	struct store_conn *conn = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(conn);
	static const char upd[] = "UPDATE road_registers SET nroads = 0 WHERE org_id = ?";
	static const char del[] = "DELETE FROM roads WHERE road_id = 'A' AND register_id IN "
				  "(SELECT id FROM road_registers WHERE org_id = ?)";
	struct store_param p[] = {P_INT(org)};
	struct error err = ERROR_INIT;
	cr_expect_neq(store_run(conn, upd, p, 1, NULL, NULL, &err), 0);
	cr_expect(strstr(err.message, "immutable"), "%s", err.message);
	error_release(&err);
	cr_expect_neq(store_run(conn, del, p, 1, NULL, NULL, &err), 0);
	error_release(&err);
	store_release(conn);
	free(office);
	free(roads);
}

/* ---------------------------------------------------------------- risk zones */

static json_t *zone_on(const char *code, const char *day)
{
	char path[120];
	snprintf(path, sizeof(path), "/v1/public/risk-zones?on=%s", day);
	json_t *r = journey_call("GET", path, NULL, NULL, 200);
	size_t i;
	json_t *z, *found = NULL;
	json_array_foreach(json_object_get(r, "zones"), i, z)
	{
		if (!strcmp(json_string_value(json_object_get(z, "code")), code))
			found = json_incref(z);
	}
	json_decref(r);
	return found;
}

Test(place_api, a_risk_zone_is_a_new_version_never_a_change)
{
	char *office = token_of("office", NULL, NULL);
	char d[24], code[24], poly[400], body[1200];
	new_code(d);
	snprintf(code, sizeof(code), "Z%d", harness_unique());
	struct cell c = cell_of(3);
	make_district(office, d, c.x0, c.y0, c.x1, c.y1);
	box_json(c.x0 + 0.01, c.y0 + 0.01, c.x0 + 0.02, c.y0 + 0.02, poly, sizeof(poly));
	static const char fmt[] =
	    "{\"code\":\"%s\",\"name_zh\":\"低风险区\",\"name_en\":\"Quiet "
	    "block\",\"risk\":\"%s\",\"effective_from\":\"%s\"%s,\"area\":%s}";

	snprintf(body, sizeof(body), fmt, code, "low", journey_day(0), "", poly);
	json_t *z = journey_call("POST", "/v1/risk-zones", office, body, 201);
	cr_expect_eq(json_integer_value(json_object_get(z, "version")), 1);
	json_decref(z);
	snprintf(body, sizeof(body), fmt, code, "medium", journey_day(0), "", poly);
	z = journey_call("POST", "/v1/risk-zones", office, body, 201);
	cr_expect_eq(json_integer_value(json_object_get(z, "version")), 2);
	json_decref(z);
	char to[40];
	snprintf(to, sizeof(to), ",\"effective_to\":\"%s\"", journey_day(6));
	snprintf(body, sizeof(body), fmt, code, "low", journey_day(5), to, poly);
	z = journey_call("POST", "/v1/risk-zones", office, body, 201);
	cr_expect_eq(json_integer_value(json_object_get(z, "version")), 3);
	json_decref(z);

	/* in force: today version 2; from day 5 version 3; after day 6 none */
	z = zone_on(code, journey_day(0));
	cr_assert(z);
	cr_expect_eq(json_integer_value(json_object_get(z, "version")), 2);
	cr_expect_str_eq(json_string_value(json_object_get(z, "risk")), "medium");
	cr_expect(json_is_null(json_object_get(z, "effective_to")));
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(z, "area"), "type")),
			 "Polygon");
	json_decref(z);
	z = zone_on(code, journey_day(5));
	cr_assert(z);
	cr_expect_eq(json_integer_value(json_object_get(z, "version")), 3);
	cr_expect_str_eq(json_string_value(json_object_get(z, "effective_to")), journey_day(6));
	json_decref(z);
	cr_expect_null(zone_on(code, journey_day(7)), "version 3 has ended");

	/* refused: outside the city, in the past, ends before it starts */
	char far[400];
	box_json(121.5, 24.0, 121.6, 24.1, far, sizeof(far));
	snprintf(to, sizeof(to), ",\"effective_to\":\"%s\"", journey_day(-3));
	snprintf(body, sizeof(body), fmt, code, "low", journey_day(-1), to, far);
	z = journey_call("POST", "/v1/risk-zones", office, body, 422);
	cr_expect(has_detail(z, "area:outside_city"));
	cr_expect(has_detail(z, "effective_from:in_the_past"));
	cr_expect(has_detail(z, "effective_to:invalid_range"));
	json_decref(z);

	/* the GeoJSON of the zones */
	z = journey_call("GET", "/v1/public/risk-zones?format=geojson", NULL, NULL, 200);
	cr_expect_str_eq(json_string_value(json_object_get(z, "type")), "FeatureCollection");
	json_decref(z);

	/* and the database refuses a change made behind the portal's back */
	struct store_conn *conn = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(conn);
	static const char upd[] = "UPDATE risk_zones SET risk = 'low' WHERE code = ?";
	static const char del[] = "DELETE FROM risk_zones WHERE code = ?";
	struct store_param p[] = {P_STR(code)};
	struct error err = ERROR_INIT;
	cr_expect_neq(store_run(conn, upd, p, 1, NULL, NULL, &err), 0);
	cr_expect(strstr(err.message, "immutable"), "%s", err.message);
	error_release(&err);
	cr_expect_neq(store_run(conn, del, p, 1, NULL, NULL, &err), 0);
	error_release(&err);
	store_release(conn);
	z = zone_on(code, journey_day(0));
	cr_expect_str_eq(json_string_value(json_object_get(z, "risk")), "medium");
	json_decref(z);
	free(office);
}

/* ---------------------------------------------------------------- service areas */

/* The districts and area count of kind in a GET /v1/service-areas reply. */
static void areas_of(const json_t *reply, const char *kind, char *districts, size_t len,
		     size_t *nareas)
{
	size_t i, k;
	json_t *a, *d;
	districts[0] = 0;
	*nareas = 0;
	json_array_foreach(json_object_get(reply, "service_areas"), i, a)
	{
		if (strcmp(json_string_value(json_object_get(a, "kind")), kind))
			continue;
		size_t used = 0;
		json_array_foreach(json_object_get(a, "districts"), k, d)
		{
			used += (size_t)snprintf(districts + used, used < len ? len - used : 0,
						 "%s%s", k ? "," : "", json_string_value(d));
		}
		*nareas = json_array_size(json_object_get(a, "areas"));
	}
}

Test(place_api, a_utility_replaces_its_own_service_areas)
{
	char *office = token_of("office", NULL, NULL);
	long long org;
	char *water = token_of("utility", "water", &org),
	     *other = token_of("utility", "water", NULL);
	char a[24], b[24], poly[400], body[1200], got[200];
	new_code(a);
	new_code(b);
	struct cell ca = cell_of(4), cb = cell_of(5);
	make_district(office, a, ca.x0, ca.y0, ca.x1, ca.y1);
	make_district(office, b, cb.x0, cb.y0, cb.x1, cb.y1);

	snprintf(body, sizeof(body), "{\"districts\":[\"%s\"],\"areas\":[%s]}", a,
		 box_json(cb.x0, cb.y0, cb.x0 + 0.01, cb.y0 + 0.01, poly, sizeof(poly)));
	json_t *r = journey_call("PUT", "/v1/service-areas/water", water, body, 200);
	cr_expect_eq(json_array_size(json_object_get(r, "districts")), 1);
	cr_expect_eq(json_array_size(json_object_get(r, "areas")), 1);
	json_decref(r);
	size_t n;
	r = journey_call("GET", "/v1/service-areas", water, NULL, 200);
	areas_of(r, "water", got, sizeof(got), &n);
	cr_expect_str_eq(got, a);
	cr_expect_eq(n, 1);
	json_decref(r);

	/* replaced whole: now only district b */
	snprintf(body, sizeof(body), "{\"districts\":[\"%s\"],\"areas\":[]}", b);
	json_decref(journey_call("PUT", "/v1/service-areas/water", water, body, 200));
	r = journey_call("GET", "/v1/service-areas", water, NULL, 200);
	areas_of(r, "water", got, sizeof(got), &n);
	cr_expect_str_eq(got, b);
	cr_expect_eq(n, 0);
	json_decref(r);

	/* another utility's: hidden; the office reads anyone's */
	char path[96];
	snprintf(path, sizeof(path), "/v1/service-areas?organisation_id=%lld", org);
	json_decref(journey_call("GET", path, other, NULL, 404));
	r = journey_call("GET", path, office, NULL, 200);
	areas_of(r, "water", got, sizeof(got), &n);
	cr_expect_str_eq(got, b);
	json_decref(r);
	/* the other water company's own set is untouched (empty) */
	r = journey_call("GET", "/v1/service-areas", other, NULL, 200);
	cr_expect_eq(json_array_size(json_object_get(r, "service_areas")), 0);
	json_decref(r);

	/* an area wholly outside the city, a duplicate and wrong types */
	snprintf(body, sizeof(body), "{\"districts\":[\"%s\",\"%s\",7],\"areas\":[%s],\"crs\":3}",
		 b, b, box_json(121.5, 24.0, 121.6, 24.1, poly, sizeof(poly)));
	r = journey_call("PUT", "/v1/service-areas/water", water, body, 422);
	cr_expect(has_detail(r, "districts[1]:duplicate"));
	cr_expect(has_detail(r, "districts[2]:wrong_type"));
	cr_expect(has_detail(r, "crs:wrong_type"));
	json_decref(r);
	snprintf(body, sizeof(body), "{\"areas\":[%s]}",
		 box_json(121.5, 24.0, 121.6, 24.1, poly, sizeof(poly)));
	r = journey_call("PUT", "/v1/service-areas/water", water, body, 422);
	cr_expect(has_detail(r, "areas[0]:outside_city"));
	json_decref(r);
	free(office);
	free(water);
	free(other);
}

/* ---------------------------------------------------------------- providers */

/* Publishes a one-item network schedule in force today as token (an organisation admin). */
static void publish_network_fees(const char *token)
{
	char body[600];
	snprintf(
	    body, sizeof(body),
	    "{\"utility_kind\":\"network\",\"effective_from\":\"%s\",\"items\":["
	    "{\"code\":\"N-CONN\",\"name_zh\":\"接入\",\"name_en\":\"Connection\","
	    "\"unit\":\"per_connection\",\"unit_price_fen\":12300,\"legal_basis\":\"Doc 9\"}]}",
	    journey_day(0));
	json_t *d = journey_call("POST", "/v1/fee-schedules", token, body, 201);
	char path[96];
	snprintf(path, sizeof(path), "/v1/fee-schedules/%lld/publish",
		 (long long)json_integer_value(json_object_get(d, "id")));
	json_decref(journey_call("POST", path, token, NULL, 200));
	json_decref(d);
}

/* The providers of kind in a providers reply: "org_id,org_id" and the choice. */
static void providers_of(const json_t *reply, const char *kind, char *orgs, size_t len,
			 const char **choice, json_t **first)
{
	size_t i, k;
	json_t *e, *p;
	orgs[0] = 0;
	*choice = "";
	if (first)
		*first = NULL;
	json_array_foreach(json_object_get(reply, "kinds"), i, e)
	{
		if (strcmp(json_string_value(json_object_get(e, "kind")), kind))
			continue;
		*choice = json_string_value(json_object_get(e, "choice"));
		size_t used = 0;
		json_array_foreach(json_object_get(e, "providers"), k, p)
		{
			used += (size_t)snprintf(
			    orgs + used, used < len ? len - used : 0, "%s%lld", k ? "," : "",
			    (long long)json_integer_value(json_object_get(p, "organisation_id")));
			if (first && !k)
				*first = p;
		}
	}
}

Test(place_api, providers_route_a_point_by_district_and_drawn_area)
{
	char *office = token_of("office", NULL, NULL);
	long long wa, wb, na, nb;
	char *water_a = token_of("utility", "water", &wa),
	     *water_b = token_of("utility", "water", &wb);
	char *net_a = token_of("utility", "network", &na),
	     *net_b = token_of("utility", "network", &nb);
	char d[24], poly[400], body[800], path[200], orgs[100], want[100];
	new_code(d);
	struct cell c = cell_of(6);
	make_district(office, d, c.x0, c.y0, c.x1, c.y1);
	double xm = (c.x0 + c.x1) / 2, ym = (c.y0 + c.y1) / 2;

	snprintf(body, sizeof(body), "{\"districts\":[\"%s\"]}", d);
	json_decref(journey_call("PUT", "/v1/service-areas/water", water_a, body, 200));
	json_decref(journey_call("PUT", "/v1/service-areas/network", net_a, body, 200));
	json_decref(journey_call("PUT", "/v1/service-areas/network", net_b, body, 200));
	/* b's water serves the west half only, drawn */
	snprintf(body, sizeof(body), "{\"areas\":[%s]}",
		 box_json(c.x0, c.y0, xm, c.y1, poly, sizeof(poly)));
	json_decref(journey_call("PUT", "/v1/service-areas/water", water_b, body, 200));
	publish_network_fees(net_a);

	/* east half: a alone; west half: the applicant chooses between a and b */
	const char *choice;
	json_t *first;
	snprintf(path, sizeof(path), "/v1/public/providers?lng=%.5f&lat=%.5f", xm + 0.01, ym);
	json_t *r = journey_call("GET", path, NULL, NULL, 200);
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(r, "district"), "code")),
			 d);
	providers_of(r, "water", orgs, sizeof(orgs), &choice, NULL);
	snprintf(want, sizeof(want), "%lld", wa);
	cr_expect_str_eq(orgs, want);
	cr_expect_str_eq(choice, "assigned");
	providers_of(r, "gas", orgs, sizeof(orgs), &choice, NULL);
	cr_expect_str_eq(orgs, "");
	cr_expect_str_eq(choice, "none");
	/* network: both carriers, the one with published fees shows them */
	providers_of(r, "network", orgs, sizeof(orgs), &choice, &first);
	snprintf(want, sizeof(want), "%lld,%lld", na, nb);
	cr_expect_str_eq(orgs, want);
	cr_expect_str_eq(choice, "applicant_chooses");
	json_t *fees = json_object_get(first, "fee_schedule");
	cr_expect_eq(json_integer_value(json_object_get(
			 json_array_get(json_object_get(fees, "items"), 0), "unit_price_fen")),
		     12300, "%s", dump(first));
	json_decref(r);

	snprintf(path, sizeof(path), "/v1/public/providers?lng=%.5f&lat=%.5f&kind=water", xm - 0.01,
		 ym);
	r = journey_call("GET", path, NULL, NULL, 200);
	cr_expect_eq(json_array_size(json_object_get(r, "kinds")), 1);
	providers_of(r, "water", orgs, sizeof(orgs), &choice, &first);
	snprintf(want, sizeof(want), "%lld,%lld", wa, wb);
	cr_expect_str_eq(orgs, want);
	cr_expect_str_eq(choice, "applicant_chooses");
	json_decref(r);

	/* GCJ-02: converted before routing (the point moves some hundreds of metres) */
	snprintf(path, sizeof(path), "/v1/public/providers?lng=%.5f&lat=%.5f&crs=GCJ-02", xm, ym);
	r = journey_call("GET", path, NULL, NULL, 200);
	double lng = json_number_value(
	    json_array_get(json_object_get(json_object_get(r, "point"), "coordinates"), 0));
	cr_expect(lng < xm - 0.002 && lng > xm - 0.01, "%f from %f", lng, xm);
	json_decref(r);

	/* refused: outside the city; every bad parameter at once */
	r = journey_call("GET", "/v1/public/providers?lng=121.5&lat=24.0", NULL, NULL, 422);
	cr_expect(has_detail(r, "lng/lat:outside_city"));
	json_decref(r);
	r = journey_call("GET", "/v1/public/providers?lng=abc&kind=sewage&crs=Mars", NULL, NULL,
			 422);
	cr_expect(has_detail(r, "lng:invalid"));
	cr_expect(has_detail(r, "lat:required"));
	cr_expect(has_detail(r, "kind:not_allowed"));
	cr_expect(has_detail(r, "crs:not_allowed"));
	json_decref(r);
	r = journey_call("GET", "/v1/public/providers?lng=190&lat=26", NULL, NULL, 422);
	cr_expect(has_detail(r, "lng/lat:out_of_range"));
	json_decref(r);
	free(office);
	free(water_a);
	free(water_b);
	free(net_a);
	free(net_b);
}

/* The demo's Fuzhou: Gulou's water is the city's company, Fuqing's its own. */
Test(place_api, providers_in_fuzhou_follow_the_demo_service_areas)
{
	static const struct {
		double lng, lat;
		const char *district, *water;
	} points[] = {
	    {119.30, 26.08, "350102", "City Water Supply Co. (demo)"},
	    {119.37, 25.72, "350181", "Fuqing Water Supply Co. (demo)"},
	};
	for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
		char path[160], orgs[100];
		snprintf(path, sizeof(path), "/v1/public/providers?lng=%.2f&lat=%.2f",
			 points[i].lng, points[i].lat);
		json_t *r = journey_call("GET", path, NULL, NULL, 200);
		cr_expect_str_eq(
		    json_string_value(json_object_get(json_object_get(r, "district"), "code")),
		    points[i].district);
		const char *choice;
		json_t *first;
		providers_of(r, "water", orgs, sizeof(orgs), &choice, &first);
		cr_expect_str_eq(choice, "assigned", "%s", path);
		cr_expect_str_eq(json_string_value(json_object_get(first, "organisation")),
				 points[i].water);
		providers_of(r, "network", orgs, sizeof(orgs), &choice, NULL);
		cr_expect_str_eq(choice, "applicant_chooses", "carriers compete: %s", orgs);
		json_decref(r);
	}
	/* the city's water company has published fees; they come with it */
	json_t *r = journey_call("GET", "/v1/public/providers?lng=119.30&lat=26.08&kind=water",
				 NULL, NULL, 200);
	const char *choice;
	json_t *first;
	char orgs[100];
	providers_of(r, "water", orgs, sizeof(orgs), &choice, &first);
	cr_expect(
	    json_array_size(json_object_get(json_object_get(first, "fee_schedule"), "items")) > 0,
	    "%s", dump(first));
	json_decref(r);
}

/* ---------------------------------------------------------------- the loaders (store/place.c) */

Test(place_api, the_loaders_find_what_is_in_force_near_a_box)
{
	char *office = token_of("office", NULL, NULL);
	long long org;
	char *roads = token_of("authority", "road", &org);
	char d[24], code[24], r1[600], r2[600], poly[400], body[2400];
	new_code(d);
	snprintf(code, sizeof(code), "Z%d", harness_unique());
	struct cell c = cell_of(9);
	make_district(office, d, c.x0, c.y0, c.x1, c.y1);
	/* two roads 3 km apart (north and south edges), the zone around the south one */
	road(r1, sizeof(r1), "S", "South", d, c.x0 + 0.005, c.y0 + 0.005, c.x1 - 0.005,
	     c.y0 + 0.005);
	road(r2, sizeof(r2), "N", "North", d, c.x0 + 0.005, c.y1 - 0.005, c.x1 - 0.005,
	     c.y1 - 0.005);
	snprintf(body, sizeof(body), "{\"effective_from\":\"%s\",\"roads\":[%s,%s]}",
		 journey_day(0), r1, r2);
	json_decref(journey_call("POST", "/v1/road-registers", roads, body, 201));
	snprintf(body, sizeof(body), "{\"effective_from\":\"%s\",\"roads\":[%s]}", journey_day(3),
		 r2);
	json_decref(journey_call("POST", "/v1/road-registers", roads, body, 201));
	snprintf(
	    body, sizeof(body),
	    "{\"code\":\"%s\",\"name_zh\":\"南\",\"name_en\":\"South\",\"risk\":\"low\","
	    "\"effective_from\":\"%s\",\"area\":%s}",
	    code, journey_day(0),
	    box_json(c.x0 + 0.002, c.y0 + 0.002, c.x1 - 0.002, c.y0 + 0.01, poly, sizeof(poly)));
	json_decref(journey_call("POST", "/v1/risk-zones", office, body, 201));

	struct store_conn *conn = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(conn);
	struct error err = ERROR_INIT;
	struct place_context ctx = {0};
	day_t today = cal_day_of_instant((int64_t)time(NULL));
	/* a box on the south road: within 200 m it is found, the north one is not */
	struct geo_bbox box = {c.x0 + 0.01, c.y0 + 0.004, c.x0 + 0.011, c.y0 + 0.004};
	cr_assert_eq(store_place_roads_near(conn, &box, 200, today, &ctx, &err), 0, "%s",
		     err.message);
	cr_assert_eq(ctx.nroads, 1);
	cr_expect_str_eq(ctx.roads[0].road_id, "S");
	cr_expect_str_eq(ctx.roads[0].district, d);
	cr_expect_eq(ctx.roads[0].register_version, 1);
	cr_expect(ctx.roads[0].centreline);
	/* in three days version 2 (the north road only) is in force */
	cr_assert_eq(store_place_roads_near(conn, &box, 200, today + 3, &ctx, &err), 0);
	cr_expect_eq(ctx.nroads, 0);
	/* a wide margin reaches the north road, 3.5 km away */
	cr_assert_eq(store_place_roads_near(conn, &box, 5000, today + 3, &ctx, &err), 0);
	cr_assert_eq(ctx.nroads, 1);
	cr_expect_str_eq(ctx.roads[0].road_id, "N");
	cr_expect_eq(ctx.roads[0].register_version, 2);

	int version = -1;
	cr_assert_eq(store_place_register_version(conn, org, today, &version, &err), 0);
	cr_expect_eq(version, 1);
	cr_assert_eq(store_place_register_version(conn, org, today + 3, &version, &err), 0);
	cr_expect_eq(version, 2);
	cr_assert_eq(store_place_register_version(conn, org, today - 1, &version, &err), 0);
	cr_expect_eq(version, 0);

	cr_assert_eq(store_place_zones_near(conn, &box, today, &ctx, &err), 0);
	size_t found = 0;
	for (size_t i = 0; i < ctx.nzones; i++)
		if (!strcmp(ctx.zones[i].code, code)) {
			found++;
			cr_expect_eq(ctx.zones[i].risk, ZONE_RISK_LOW);
			cr_expect_eq(ctx.zones[i].version, 1);
			cr_expect(ctx.zones[i].area);
		}
	cr_expect_eq(found, 1);
	struct geo_bbox north = {c.x0 + 0.01, c.y1 - 0.005, c.x0 + 0.011, c.y1 - 0.004};
	cr_assert_eq(store_place_zones_near(conn, &north, today, &ctx, &err), 0);
	for (size_t i = 0; i < ctx.nzones; i++)
		cr_expect_str_neq(ctx.zones[i].code, code, "the zone's box does not reach north");
	cr_assert_eq(store_place_zones_near(conn, &box, today - 1, &ctx, &err), 0);
	for (size_t i = 0; i < ctx.nzones; i++)
		cr_expect_str_neq(ctx.zones[i].code, code, "not in force yesterday");

	cr_assert_eq(store_place_districts(conn, &ctx, &err), 0);
	const struct place_district *pd = place_district_find(&ctx, d);
	cr_assert(pd);
	cr_expect(pd->boundary);
	cr_expect(!strncmp(pd->name_en, "Test t", 6), "%s", pd->name_en);
	place_context_release(&ctx);
	error_release(&err);
	store_release(conn);
	free(office);
	free(roads);
}

/*
 * Every public place read has a strong ETag: the same tag again (plain or weak) is a 304
 * without a body, another tag the body again; each cacheable for a minute.
 */
static const char *const public_reads[] = {
    "/v1/public/districts",
    "/v1/public/districts.geojson",
    "/v1/public/road-registers",
    "/v1/public/roads",
    "/v1/public/roads/FZ-GL-0001",
    "/v1/public/risk-zones",
    "/v1/public/providers?lng=119.2914&lat=26.0826",
};

ParameterizedTestParameters(place_api, public_reads_answer_304_to_their_etag)
{
	/* indices: a pointer would not survive into the test's process */
	static size_t rows[sizeof(public_reads) / sizeof(public_reads[0])];
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		rows[i] = i;
	return cr_make_param_array(size_t, rows, sizeof(rows) / sizeof(rows[0]));
}

/*
 * GETs path, then again with If-None-Match built from its ETag by fmt: 1 when that is a 304
 * without a body; 0 when it is a 200 with the same ETag (the bug). Other suites change the
 * districts, registers and areas meanwhile: a 200 with another tag is a new body, tried again.
 */
static int revalidates(const char *path, const char *fmt)
{
	for (int attempt = 0; attempt < 5; attempt++) {
		struct reply r;
		char etag[64], again[64], hdr[160];
		cr_assert_eq(http_call(&r, "GET", path, NULL, NULL, NULL), 200, "%s: %s", path,
			     r.body);
		cr_assert(reply_header(&r, "ETag", etag, sizeof(etag)), "%s has an ETag", path);
		reply_release(&r);
		snprintf(hdr, sizeof(hdr), fmt, etag);
		const char *h[] = { hdr, NULL };
		long st = http_call(&r, "GET", path, NULL, NULL, h);
		bool same = reply_header(&r, "ETag", again, sizeof(again)) && !strcmp(again, etag);
		size_t len = r.len;
		reply_release(&r);
		if (st == 304)
			return len == 0;
		if (st != 200 || same)
			return 0;
	}
	return 0;
}

ParameterizedTest(size_t *row, place_api, public_reads_answer_304_to_their_etag)
{
	const char *path = public_reads[*row];
	struct reply r;
	char cc[64], etag[64];
	cr_assert_eq(http_call(&r, "GET", path, NULL, NULL, NULL), 200, "%s: %s", path, r.body);
	cr_expect(reply_header(&r, "Cache-Control", cc, sizeof(cc)) &&
		      strcmp(cc, "public, max-age=60") == 0,
		  "%s is cacheable", path);
	reply_release(&r);
	cr_expect(revalidates(path, "If-None-Match: %s"), "%s: its tag is a 304", path);
	cr_expect(revalidates(path, "If-None-Match: \"other\", W/%s"), "%s: weak, in a list",
		  path);
	/* a tag it never had: the body */
	const char *other[] = { "If-None-Match: \"0123456789abcdef0123456789abcdef\"", NULL };
	cr_expect_eq(http_call(&r, "GET", path, NULL, NULL, other), 200, "%s, another tag", path);
	cr_expect(r.len > 0 && reply_header(&r, "ETag", etag, sizeof(etag)));
	reply_release(&r);
}
