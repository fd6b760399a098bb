/*
 * Tests for workflows/geo.c: GeoJSON validation, round trips, metric measures against PROJ's
 * geodesic, nearness and shared extents, GCJ-02 against the npm package gcoord, and threads.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <geodesic.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "workflows/geo.h"

#define BASE "works.excavations[0].geometry"

static void fini(void)
{
	geo_thread_end();
}

/* The ellipsoid of CGCS2000 (GRS80 to 1e-4 mm). */
static struct geod_geodesic *ellipsoid(void)
{
	static struct geod_geodesic g;
	geod_init(&g, 6378137, 1 / 298.257222101);
	return &g;
}

/* The point s metres from (lng, lat) along the geodesic of azimuth az (degrees from north). */
static void walk(double lng, double lat, double az, double s, double *olng, double *olat)
{
	geod_direct(ellipsoid(), lat, lng, az, s, olat, olng, NULL);
}

static double geodesic_m(double lng1, double lat1, double lng2, double lat2)
{
	double s12;
	geod_inverse(ellipsoid(), lat1, lng1, lat2, lng2, &s12, NULL, NULL);
	return s12;
}

static struct geo *wkt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static struct geo *wkt(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = xvasprintf(fmt, ap);
	va_end(ap);
	struct geo *g = geo_from_wkt(text);
	cr_assert_not_null(g, "does not parse: %s", text);
	free(text);
	return g;
}

/* A straight line of s metres from (lng, lat) heading az. */
static struct geo *line_from(double lng, double lat, double az, double s)
{
	double l2, p2;
	walk(lng, lat, az, s, &l2, &p2);
	return wkt("LINESTRING(%.10f %.10f,%.10f %.10f)", lng, lat, l2, p2);
}

static json_t *load(const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &je);
	cr_assert_not_null(j, "bad fixture %s: %s", text, je.text);
	return j;
}

/* --- bad GeoJSON: each case one expected detail ------------------------------------------- */

/* Arrays, not pointers: Criterion copies the table into each test's process. */
struct bad_case {
	char json[320];
	unsigned allowed;
	char field[40]; /* after BASE */
	char code[24];
};

#define LP (GEO_LINESTRING | GEO_POLYGON)
#define ALL (GEO_POINT | GEO_LINESTRING | GEO_POLYGON)

ParameterizedTestParameters(geo, bad_geojson)
{
	static struct bad_case cases[] = {
	    {"null", LP, "", "required"},
	    {"[1, 2]", LP, "", "wrong_type"},
	    {"{\"coordinates\": [[119.3, 26.08], [119.31, 26.08]]}", LP, ".type", "required"},
	    {"{\"type\": 5, \"coordinates\": [[119.3, 26.08], [119.31, 26.08]]}", LP, ".type",
	     "wrong_type"},
	    {"{\"type\": \"MultiPolygon\", \"coordinates\": []}", LP, ".type", "not_allowed"},
	    {"{\"type\": \"Point\", \"coordinates\": [119.3, 26.08]}", LP, ".type", "not_allowed"},
	    {"{\"type\": \"LineString\"}", LP, ".coordinates", "required"},
	    {"{\"type\": \"LineString\", \"coordinates\": \"119.3,26.08\"}", LP, ".coordinates",
	     "wrong_type"},
	    {"{\"type\": \"LineString\", \"coordinates\": [[119.3, 26.08], [\"119.31\", 26.08]]}",
	     LP, ".coordinates[1]", "wrong_type"},
	    {"{\"type\": \"LineString\", \"coordinates\": [[119.3, 26.08], [119.31]]}", LP,
	     ".coordinates[1]", "wrong_type"},
	    {"{\"type\": \"LineString\", \"coordinates\": [[119.3, 26.08], [190.5, 26.08]]}", LP,
	     ".coordinates[1]", "out_of_range"},
	    {"{\"type\": \"LineString\", \"coordinates\": [[119.3, 96], [119.31, 26.08]]}", LP,
	     ".coordinates[0]", "out_of_range"},
	    {"{\"type\": \"LineString\", \"coordinates\": []}", LP, ".coordinates", "empty"},
	    {"{\"type\": \"LineString\", \"coordinates\": [[119.3, 26.08]]}", LP, ".coordinates",
	     "too_few_points"},
	    {"{\"type\": \"LineString\", \"coordinates\": [[119.3, 26.08], [119.3, 26.08]]}", LP,
	     ".coordinates", "too_few_points"},
	    /* a Z crossing itself */
	    {"{\"type\": \"LineString\", \"coordinates\": [[119.30, 26.08], [119.31, 26.09],"
	     " [119.31, 26.08], [119.30, 26.09]]}",
	     LP, ".coordinates", "self_intersecting"},
	    /* going back over itself */
	    {"{\"type\": \"LineString\", \"coordinates\": [[119.30, 26.08], [119.32, 26.08],"
	     " [119.31, 26.08]]}",
	     LP, ".coordinates", "self_intersecting"},
	    {"{\"type\": \"Polygon\", \"coordinates\": []}", LP, ".coordinates", "empty"},
	    {"{\"type\": \"Polygon\", \"coordinates\": [[]]}", LP, ".coordinates[0]", "empty"},
	    {"{\"type\": \"Polygon\", \"coordinates\": [\"ring\"]}", LP, ".coordinates[0]",
	     "wrong_type"},
	    {"{\"type\": \"Polygon\", \"coordinates\": [[[119.30, 26.08], [119.31, 26.08],"
	     " [119.31, 26.09], [119.30, 26.09]]]}",
	     LP, ".coordinates[0]", "not_closed"},
	    {"{\"type\": \"Polygon\", \"coordinates\": [[[119.30, 26.08], [119.31, 26.08],"
	     " [119.30, 26.08]]]}",
	     LP, ".coordinates[0]", "too_few_points"},
	    {"{\"type\": \"Polygon\", \"coordinates\": [[[119.30, 26.08], [119.31, 26.08],"
	     " [119.31, 26.08], [119.30, 26.08]]]}",
	     LP, ".coordinates[0]", "too_few_points"},
	    /* the bow tie */
	    {"{\"type\": \"Polygon\", \"coordinates\": [[[119.30, 26.08], [119.31, 26.09],"
	     " [119.31, 26.08], [119.30, 26.09], [119.30, 26.08]]]}",
	     LP, ".coordinates", "self_intersecting"},
	    {"{\"type\": \"Polygon\", \"coordinates\": [[[119.30, 26.08], [119.31, 26.08],"
	     " [119.31, 26.09], [119.30, 26.09], [119.30, 26.08]], 7]}",
	     LP, ".coordinates[1]", "wrong_type"},
	    /* a hole outside its shell */
	    {"{\"type\": \"Polygon\", \"coordinates\": [[[119.30, 26.08], [119.31, 26.08],"
	     " [119.31, 26.09], [119.30, 26.09], [119.30, 26.08]], [[119.40, 26.08],"
	     " [119.40, 26.09], [119.41, 26.09], [119.40, 26.08]]]}",
	     LP, ".coordinates", "invalid"},
	    {"{\"type\": \"Point\", \"coordinates\": [119.3]}", ALL, ".coordinates", "wrong_type"},
	    {"{\"type\": \"Point\", \"coordinates\": []}", ALL, ".coordinates", "empty"},
	    {"{\"type\": \"Point\", \"coordinates\": [-181, 26.08]}", ALL, ".coordinates",
	     "out_of_range"},
	    {"{\"type\": \"Point\", \"coordinates\": [119.3, 26.08, \"high\"]}", ALL,
	     ".coordinates", "wrong_type"},
	};
	return cr_make_param_array(struct bad_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_case *c, geo, bad_geojson, .fini = fini)
{
	json_t *j = load(c->json);
	struct error err = ERROR_INIT;
	struct geo *g = (struct geo *)1;
	int rc = geo_parse(j, GEO_CRS_CGCS2000, c->allowed, BASE, &g, &err);
	cr_assert_eq(rc, ERR_INVALID, "%s", c->json);
	cr_assert_eq(err.code, ERR_INVALID);
	cr_assert_null(g);
	cr_assert_neq(err.message[0], '\0');
	char field[128];
	snprintf(field, sizeof(field), "%s%s", BASE, c->field);
	cr_assert_eq(err.ndetails, 1, "%s: %zu details, first %s %s", c->json, err.ndetails,
		     err.ndetails ? err.details[0].field : "",
		     err.ndetails ? err.details[0].code : "");
	cr_assert_str_eq(err.details[0].field, field, "%s", c->json);
	cr_assert_str_eq(err.details[0].code, c->code, "%s: %s", c->json, err.details[0].message);
	error_release(&err);
	json_decref(j);
}

Test(geo, every_problem_listed_and_message_kept, .fini = fini)
{
	json_t *j =
	    load("{\"type\": \"LineString\", \"coordinates\": [[190, 0], [\"x\", 1], [0, 95],"
		 " [119.3, 26.08]]}");
	struct error err = ERROR_INIT;
	error_add(&err, "site_id", "required", "site_id is required");
	snprintf(err.message, sizeof(err.message), "earlier");
	struct geo *g;
	cr_assert_eq(geo_parse(j, GEO_CRS_CGCS2000, LP, BASE, &g, &err), ERR_INVALID);
	cr_assert_eq(err.ndetails, 4);
	cr_assert_str_eq(err.details[1].field, BASE ".coordinates[0]");
	cr_assert_str_eq(err.details[2].field, BASE ".coordinates[1]");
	cr_assert_str_eq(err.details[3].field, BASE ".coordinates[2]");
	cr_assert_str_eq(err.details[3].code, "out_of_range");
	cr_assert_str_eq(err.message, "earlier");
	error_release(&err);
	json_decref(j);

	/* a ring given as one position: each number is a position of the wrong type */
	j = load("{\"type\": \"Polygon\", \"coordinates\": [[119.3, 26.08]]}");
	cr_assert_eq(geo_parse(j, GEO_CRS_CGCS2000, LP, BASE, &g, &err), ERR_INVALID);
	cr_assert_eq(err.ndetails, 2);
	cr_assert_str_eq(err.details[0].field, BASE ".coordinates[0][0]");
	cr_assert_str_eq(err.details[1].field, BASE ".coordinates[0][1]");
	cr_assert_str_eq(err.details[1].code, "wrong_type");
	cr_assert_str_eq(err.message, BASE " is not a valid geometry");
	error_release(&err);
	json_decref(j);
}

Test(geo, self_intersection_names_the_place, .fini = fini)
{
	static const char *const bad[] = {
	    "{\"type\": \"Polygon\", \"coordinates\": [[[119.30, 26.08], [119.31, 26.09],"
	    " [119.31, 26.08], [119.30, 26.09], [119.30, 26.08]]]}",
	    "{\"type\": \"LineString\", \"coordinates\": [[119.30, 26.08], [119.31, 26.09],"
	    " [119.31, 26.08], [119.30, 26.09]]}",
	};
	for (size_t i = 0; i < 2; i++) {
		json_t *j = load(bad[i]);
		struct error err = ERROR_INIT;
		struct geo *g;
		cr_assert_eq(geo_parse(j, GEO_CRS_CGCS2000, LP, BASE, &g, &err), ERR_INVALID);
		cr_assert_eq(err.ndetails, 1);
		cr_assert_str_eq(err.details[0].code, "self_intersecting");
		cr_assert(strstr(err.details[0].message, "119.3050000, 26.0850000"), "%s",
			  err.details[0].message);
		error_release(&err);
		json_decref(j);
	}
}

Test(geo, crs_names, .fini = fini)
{
	static const struct {
		const char *json;
		int rc;
		enum geo_crs crs;
	} cases[] = {
	    {"null", 0, GEO_CRS_CGCS2000},	    {"\"CGCS2000\"", 0, GEO_CRS_CGCS2000},
	    {"\"EPSG:4490\"", 0, GEO_CRS_CGCS2000}, {"\"WGS84\"", 0, GEO_CRS_CGCS2000},
	    {"\"EPSG:4326\"", 0, GEO_CRS_CGCS2000}, {"\"GCJ-02\"", 0, GEO_CRS_GCJ02},
	    {"\"BD-09\"", ERR_INVALID, 0},	    {"4490", ERR_INVALID, 0},
	};
	cr_assert_eq(geo_crs_parse(NULL, "crs", &(enum geo_crs){GEO_CRS_GCJ02}, NULL), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j = load(cases[i].json);
		struct error err = ERROR_INIT;
		enum geo_crs crs;
		cr_assert_eq(geo_crs_parse(j, "crs", &crs, &err), cases[i].rc, "%s", cases[i].json);
		if (cases[i].rc == 0)
			cr_assert_eq(crs, cases[i].crs, "%s", cases[i].json);
		else
			cr_assert(err.ndetails == 1 && strcmp(err.details[0].field, "crs") == 0);
		error_release(&err);
		json_decref(j);
	}
}

/* --- round trips --------------------------------------------------------------------------- */

Test(geo, round_trips, .fini = fini)
{
	static const char *const good[] = {
	    "{\"type\": \"Point\", \"coordinates\": [119.2965312, 26.0745121]}",
	    "{\"type\": \"LineString\", \"coordinates\": [[119.3, 26.08], [119.3012345, "
	    "26.0812345],"
	    " [119.31, 26.08]]}",
	    /* exterior counter-clockwise, one clockwise hole */
	    "{\"type\": \"Polygon\", \"coordinates\": [[[119.3, 26.08], [119.31, 26.08],"
	    " [119.31, 26.09], [119.3, 26.09], [119.3, 26.08]], [[119.302, 26.082],"
	    " [119.302, 26.084], [119.304, 26.084], [119.304, 26.082], [119.302, 26.082]]]}",
	};
	static const enum geo_kind kinds[] = {GEO_POINT, GEO_LINESTRING, GEO_POLYGON};
	for (size_t i = 0; i < 3; i++) {
		json_t *in = load(good[i]);
		struct error err = ERROR_INIT;
		struct geo *g;
		cr_assert_eq(geo_parse(in, GEO_CRS_CGCS2000, ALL, BASE, &g, &err), 0, "%s",
			     err.ndetails ? err.details[0].message : err.message);
		cr_assert_eq(geo_kind_of(g), kinds[i]);
		char *text = geo_wkt(g);
		struct geo *back = geo_from_wkt(text);
		cr_assert_not_null(back, "%s", text);
		json_t *out = geo_geojson(back);
		cr_assert(json_equal(in, out), "%s: %s", good[i], json_dumps(out, JSON_COMPACT));
		struct geo *copy = geo_clone(back);
		json_t *out2 = geo_geojson(copy);
		cr_assert(json_equal(in, out2));
		json_decref(out2);
		geo_free(copy);
		json_decref(out);
		geo_free(back);
		free(text);
		geo_free(g);
		json_decref(in);
	}
}

Test(geo, wkt_from_mariadb_and_rfc7946_orientation, .fini = fini)
{
	/* ST_AsText's form; the exterior clockwise and the hole counter-clockwise */
	struct geo *g = geo_from_wkt("POLYGON((119.3 26.08,119.3 26.09,119.31 26.09,119.31 26.08,"
				     "119.3 26.08),(119.302 26.082,119.304 26.082,119.304 26.084,"
				     "119.302 26.084,119.302 26.082))");
	cr_assert_not_null(g);
	json_t *want = load("{\"type\": \"Polygon\", \"coordinates\": [[[119.3, 26.08],"
			    " [119.31, 26.08], [119.31, 26.09], [119.3, 26.09], [119.3, 26.08]],"
			    " [[119.302, 26.082], [119.302, 26.084], [119.304, 26.084],"
			    " [119.304, 26.082], [119.302, 26.082]]]}");
	json_t *got = geo_geojson(g);
	cr_assert(json_equal(got, want), "%s", json_dumps(got, JSON_COMPACT));
	char *text = geo_wkt(g);
	cr_assert_str_eq(text, "POLYGON ((119.3 26.08, 119.31 26.08, 119.31 26.09, 119.3 26.09, "
			       "119.3 26.08), (119.302 26.082, 119.302 26.084, 119.304 26.084, "
			       "119.304 26.082, 119.302 26.082))");
	free(text);
	json_decref(got);
	json_decref(want);
	geo_free(g);

	static const struct {
		const char *wkt;
		enum geo_kind kind;
	} cases[] = {
	    {"POINT(119.3 26.08)", GEO_POINT},
	    {"LINESTRING(119.3 26.08,119.31 26.08)", GEO_LINESTRING},
	    {"POINT(119.30000004 26.08)", GEO_POINT},
	    {"MULTIPOINT((119.3 26.08),(119.31 26.08))", 0},
	    {"POINT EMPTY", 0},
	    {"POINT(200 26.08)", 0},
	    {"LINESTRING(119.3 26.08", 0},
	    {"", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct geo *h = geo_from_wkt(cases[i].wkt);
		if (!cases[i].kind) {
			cr_assert_null(h, "%s", cases[i].wkt);
			continue;
		}
		cr_assert_not_null(h, "%s", cases[i].wkt);
		cr_assert_eq(geo_kind_of(h), cases[i].kind);
		geo_free(h);
	}
	/* 7 decimals out */
	g = geo_from_wkt("POINT(119.30000004 26.080000051)");
	text = geo_wkt(g);
	cr_assert_str_eq(text, "POINT (119.3 26.0800001)");
	free(text);
	geo_free(g);
	cr_assert_null(geo_from_wkt(NULL));
	cr_assert_str_eq(geo_kind_name(GEO_LINESTRING), "LineString");
}

Test(geo, bounds_anchor_within, .fini = fini)
{
	struct geo *sq = wkt("POLYGON((119.3 26.08,119.31 26.08,119.31 26.09,119.3 26.09,119.3 "
			     "26.08))");
	struct geo_bbox b;
	geo_bounds(sq, &b);
	cr_assert(b.min_lng == 119.3 && b.max_lng == 119.31 && b.min_lat == 26.08 &&
		  b.max_lat == 26.09);
	double lng, lat;
	geo_anchor(sq, &lng, &lat);
	struct geo *in = wkt("POINT(%.10f %.10f)", lng, lat);
	cr_assert(geo_within(in, sq));
	struct geo *edge = wkt("POINT(119.305 26.08)");
	cr_assert(geo_within(edge, sq), "on the boundary counts as inside");
	struct geo *out = wkt("POINT(119.32 26.08)");
	cr_assert_not(geo_within(out, sq));
	struct geo *line = line_from(119.3, 26.08, 90, 1000);
	geo_anchor(line, &lng, &lat);
	double l2, p2;
	walk(119.3, 26.08, 90, 500, &l2, &p2);
	cr_assert_lt(geodesic_m(lng, lat, l2, p2), 0.5, "the middle of the line");
	geo_anchor(edge, &lng, &lat);
	cr_assert(lng == 119.305 && lat == 26.08);
	geo_free(sq);
	geo_free(in);
	geo_free(edge);
	geo_free(out);
	geo_free(line);
}

/* --- measures ------------------------------------------------------------------------------ */

Test(geo, one_km_at_26n, .fini = fini)
{
	struct geo *l = line_from(119.3, 26.08, 90, 1000);
	cr_assert(fabs(geo_length_m(l) - 1000) < 1, "%.3f", geo_length_m(l));
	cr_assert_eq(geo_area_m2(l), 0);
	struct geo *p = wkt("POINT(119.3 26.08)");
	cr_assert_eq(geo_length_m(p), 0);
	cr_assert_eq(geo_area_m2(p), 0);
	geo_free(l);
	geo_free(p);
}

/* Lines and squares over the whole of Fuzhou agree with the geodesic to 0.1 %. */
Test(geo, metres_agree_with_geodesic_across_fuzhou, .fini = fini)
{
	double worst_len = 0, worst_area = 0;
	for (int i = 0; i <= 5; i++) {
		for (int j = 0; j <= 5; j++) {
			double lng = 118.3 + 2.2 * i / 5, lat = 25.2 + 1.6 * j / 5;
			for (int az = 0; az < 180; az += 45) {
				struct geo *l = line_from(lng, lat, az, 5000);
				double e = fabs(geo_length_m(l) - 5000) / 5000;
				worst_len = fmax(worst_len, e);
				geo_free(l);
			}
			/* a 300 m square, its area from PROJ's geodesic polygon */
			double x[4], y[4];
			x[0] = lng, y[0] = lat;
			walk(x[0], y[0], 90, 300, &x[1], &y[1]);
			walk(x[1], y[1], 0, 300, &x[2], &y[2]);
			walk(x[0], y[0], 0, 300, &x[3], &y[3]);
			double area, perimeter;
			geod_polygonarea(ellipsoid(), y, x, 4, &area, &perimeter);
			struct geo *sq =
			    wkt("POLYGON((%.10f %.10f,%.10f %.10f,%.10f %.10f,%.10f "
				"%.10f,%.10f %.10f))",
				x[0], y[0], x[1], y[1], x[2], y[2], x[3], y[3], x[0], y[0]);
			double e = fabs(geo_area_m2(sq) - fabs(area)) / fabs(area);
			worst_area = fmax(worst_area, e);
			cr_assert(fabs(geo_length_m(sq) - 300) < 0.5, "%.3f",
				  geo_length_m(sq)); /* the longer side */
			geo_free(sq);
		}
	}
	cr_log_info("worst length error %.5f %%, area %.5f %%", worst_len * 100, worst_area * 100);
	cr_assert_lt(worst_len, 0.001);
	cr_assert_lt(worst_area, 0.001);
}

Test(geo, polygon_length_is_the_longer_side, .fini = fini)
{
	double x[4], y[4];
	x[0] = 119.3, y[0] = 26.08;
	walk(x[0], y[0], 60, 120, &x[1], &y[1]);
	walk(x[1], y[1], 150, 20, &x[2], &y[2]);
	walk(x[0], y[0], 150, 20, &x[3], &y[3]);
	struct geo *r =
	    wkt("POLYGON((%.10f %.10f,%.10f %.10f,%.10f %.10f,%.10f %.10f,%.10f %.10f))", x[0],
		y[0], x[1], y[1], x[2], y[2], x[3], y[3], x[0], y[0]);
	cr_assert(fabs(geo_length_m(r) - 120) < 0.2, "%.3f", geo_length_m(r));
	cr_assert(fabs(geo_area_m2(r) - 2400) < 2, "%.3f", geo_area_m2(r));
	geo_free(r);
}

/* --- nearness ------------------------------------------------------------------------------ */

Test(geo, parallel_roads_30m_apart, .fini = fini)
{
	double l2, p2;
	walk(119.3, 26.08, 0, 30, &l2, &p2);
	struct geo *a = line_from(119.3, 26.08, 90, 500);
	struct geo *b = line_from(l2, p2, 90, 500);
	cr_assert(fabs(geo_distance_m(a, b) - 30) < 0.1, "%.3f", geo_distance_m(a, b));
	cr_assert_not(geo_near(a, b, 5));
	cr_assert_not(geo_near(a, b, 0));
	cr_assert(geo_near(a, b, 40));
	cr_assert_eq(geo_share_near(a, b, 5), 0);
	cr_assert_null(geo_shared_extent(a, b, 5));
	cr_assert_gt(geo_share_near(a, b, 40), 0.99);
	geo_free(a);
	geo_free(b);
}

Test(geo, crossing_at_a_junction, .fini = fini)
{
	double w, s, sw, ss;
	walk(119.3, 26.08, 270, 100, &w, &s); /* 100 m west of the junction */
	walk(119.3, 26.08, 180, 100, &sw, &ss);
	struct geo *a = line_from(w, s, 90, 200);
	struct geo *b = line_from(sw, ss, 0, 200);
	cr_assert(geo_near(a, b, 5));
	cr_assert(geo_near(a, b, 0));
	cr_assert_lt(geo_distance_m(a, b), 1e-6);
	struct geo *x = geo_shared_extent(a, b, 5);
	cr_assert_not_null(x);
	cr_assert_eq(geo_kind_of(x), GEO_POLYGON);
	cr_assert(fabs(geo_area_m2(x) - 100) < 1, "%.3f", geo_area_m2(x));
	cr_assert(fabs(geo_length_m(x) - 10) < 0.1, "%.3f", geo_length_m(x));
	double lng, lat;
	geo_anchor(x, &lng, &lat);
	cr_assert_lt(geodesic_m(lng, lat, 119.3, 26.08), 8);
	/* a crosses b's 5 m strip: 10 of its 200 m */
	cr_assert(fabs(geo_share_near(a, b, 5) - 0.05) < 0.001, "%.4f", geo_share_near(a, b, 5));
	geo_free(x);
	geo_free(a);
	geo_free(b);
}

Test(geo, share_near_along_a_road, .fini = fini)
{
	struct geo *road = line_from(119.3, 26.08, 90, 500);
	double l, p, l2, p2;
	walk(119.3, 26.08, 0, 2, &l, &p); /* 2 m north of the centreline */
	walk(l, p, 90, 100, &l2, &p2);	  /* 100 m along */
	struct geo *along = line_from(l2, p2, 90, 300);
	cr_assert_gt(geo_share_near(along, road, 5), 0.999);
	cr_assert_eq(geo_share_near(along, road, 1), 0);
	walk(l, p, 90, 400, &l2, &p2); /* 400 m along, 200 m on: half past the road's end */
	struct geo *half = line_from(l2, p2, 90, 200);
	double s = geo_share_near(half, road, 5);
	cr_assert(fabs(s - 0.525) < 0.01, "%.4f", s); /* 100 m and the 5 m round cap */
	/* a 20 m square across the road: a 10 m strip of it within 5 m */
	double x[4], y[4];
	walk(119.301, 26.08, 180, 10, &x[0], &y[0]);
	walk(x[0], y[0], 90, 20, &x[1], &y[1]);
	walk(x[1], y[1], 0, 20, &x[2], &y[2]);
	walk(x[0], y[0], 0, 20, &x[3], &y[3]);
	struct geo *sq =
	    wkt("POLYGON((%.10f %.10f,%.10f %.10f,%.10f %.10f,%.10f %.10f,%.10f %.10f))", x[0],
		y[0], x[1], y[1], x[2], y[2], x[3], y[3], x[0], y[0]);
	s = geo_share_near(sq, road, 5);
	cr_assert(fabs(s - 0.5) < 0.01, "%.4f", s);
	struct geo *pt = wkt("POINT(%.10f %.10f)", l, p);
	cr_assert_eq(geo_share_near(pt, road, 5), 1);
	cr_assert_eq(geo_share_near(pt, road, 1), 0);
	struct geo *buf = geo_buffer(road, 5);
	cr_assert_not_null(buf);
	cr_assert_eq(geo_kind_of(buf), GEO_POLYGON);
	cr_assert(geo_within(along, buf));
	cr_assert_not(geo_within(half, buf));
	cr_assert(fabs(geo_area_m2(buf) - (500 * 10 + M_PI * 25)) < 2, "%.2f", geo_area_m2(buf));
	cr_assert_null(geo_buffer(pt, 0));
	geo_free(buf);
	geo_free(pt);
	geo_free(sq);
	geo_free(half);
	geo_free(along);
	geo_free(road);
}

/* --- GCJ-02 against gcoord ----------------------------------------------------------------- */

static FILE *open_data(const char *name)
{
	const char *dir = getenv("PORTAL_TEST_DATA");
	char *path;
	if (dir && *dir) {
		path = xasprintf("%s/%s", dir, name);
	} else { /* tests/workflows/test_geo.c -> tests/data/name */
		const char *src = __FILE__;
		const char *slash = strrchr(src, '/');
		path = xasprintf("%.*s/../data/%s", slash ? (int)(slash - src) : 1,
				 slash ? src : ".", name);
	}
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s (set PORTAL_TEST_DATA to tests/data)", path);
	free(path);
	return f;
}

Test(geo, gcj02_against_gcoord_grid, .fini = fini)
{
	FILE *f = open_data("gcoord_grid.tsv");
	char line[512];
	int n = 0;
	double worst_fwd = 0, worst_back = 0, worst_parse = 0;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		double wl, wp, gl, gp, bl, bp;
		cr_assert_eq(sscanf(line, "%lf %lf %lf %lf %lf %lf", &wl, &wp, &gl, &gp, &bl, &bp),
			     6, "%s", line);
		double ol, op;
		geo_wgs84_to_gcj02(wl, wp, &ol, &op);
		worst_fwd = fmax(worst_fwd, geodesic_m(ol, op, gl, gp));
		geo_gcj02_to_wgs84(gl, gp, &ol, &op);
		worst_back = fmax(worst_back, geodesic_m(ol, op, wl, wp));
		/* the offset is real: hundreds of metres */
		cr_assert_gt(geodesic_m(wl, wp, gl, gp), 100);
		/* and a request in GCJ-02 lands on the CGCS2000 point */
		char *text =
		    xasprintf("{\"type\": \"Point\", \"coordinates\": [%.10f, %.10f]}", gl, gp);
		json_t *j = load(text);
		struct geo *g;
		cr_assert_eq(geo_parse(j, GEO_CRS_GCJ02, GEO_POINT, "site.geometry", &g, NULL), 0);
		geo_anchor(g, &ol, &op);
		worst_parse = fmax(worst_parse, geodesic_m(ol, op, wl, wp));
		geo_free(g);
		json_decref(j);
		free(text);
		n++;
	}
	fclose(f);
	cr_log_info("%d points; worst: to GCJ-02 %.6f m from gcoord's, back %.6f m, parsed %.6f m",
		    n, worst_fwd, worst_back, worst_parse);
	cr_assert_geq(n, 225);
	cr_assert_lt(worst_fwd, 0.5, "to GCJ-02: %.3f m from gcoord's", worst_fwd);
	cr_assert_lt(worst_back, 5, "back to WGS84: %.3f m off", worst_back);
	cr_assert_lt(worst_back, 0.01, "the iteration converges: %.4f m off", worst_back);
	cr_assert_lt(worst_parse, 5, "parsed GCJ-02: %.3f m off", worst_parse);
}

Test(geo, gcj02_identity_outside_china, .fini = fini)
{
	double l, p;
	geo_wgs84_to_gcj02(-0.1276, 51.5072, &l, &p);
	cr_assert(l == -0.1276 && p == 51.5072);
	geo_gcj02_to_wgs84(139.6917, 35.6895, &l, &p); /* Tokyo: east of the box */
	cr_assert(l == 139.6917 && p == 35.6895);
}

/* --- threads ------------------------------------------------------------------------------- */

/* Everything above, condensed into numbers; the same in every thread. */
static void workload(double out[8])
{
	double l2, p2;
	walk(119.3, 26.08, 0, 30, &l2, &p2);
	struct geo *a = line_from(119.3, 26.08, 90, 500);
	struct geo *b = line_from(l2, p2, 90, 500);
	struct geo *x = geo_shared_extent(a, b, 20);
	json_t *j =
	    load("{\"type\": \"Polygon\", \"coordinates\": [[[119.3, 26.08], [119.31, 26.08],"
		 " [119.31, 26.09], [119.3, 26.09], [119.3, 26.08]]]}");
	struct geo *p;
	cr_assert_eq(geo_parse(j, GEO_CRS_GCJ02, GEO_POLYGON, "g", &p, NULL), 0);
	out[0] = geo_length_m(a);
	out[1] = geo_distance_m(a, b);
	out[2] = geo_share_near(a, b, 40);
	out[3] = x ? geo_area_m2(x) : -1;
	out[4] = geo_area_m2(p);
	geo_gcj02_to_wgs84(119.3, 26.08, &out[5], &out[6]);
	char *t = geo_wkt(p);
	out[7] = (double)strlen(t) + (geo_near(a, b, 5) ? 1000 : 0);
	free(t);
	geo_free(p);
	json_decref(j);
	geo_free(x);
	geo_free(a);
	geo_free(b);
}

struct worker {
	int id;
	double want[8];
	int mismatches;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	for (int i = 0; i < 30; i++) {
		double got[8];
		workload(got);
		w->mismatches += memcmp(got, w->want, sizeof(got)) != 0;
	}
	if (w->id % 2 == 0)
		geo_thread_end(); /* the others leave it to the thread's exit */
	return NULL;
}

Test(geo, four_threads_agree, .fini = fini)
{
	double want[8];
	workload(want);
	cr_assert_gt(want[3], 0);
	pthread_t t[4];
	struct worker w[4];
	for (int i = 0; i < 4; i++) {
		w[i].id = i;
		w[i].mismatches = 0;
		memcpy(w[i].want, want, sizeof(want));
		cr_assert_eq(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		cr_assert_eq(w[i].mismatches, 0, "thread %d", i);
	}
	geo_thread_end();
	double again[8];
	workload(again); /* contexts made anew after geo_thread_end */
	cr_assert(memcmp(again, want, sizeof(want)) == 0);
}

/*
 * geo_shared_extent_in (the share zone made once, for many neighbours) answers what
 * geo_shared_extent does, for neighbours crossing, alongside, apart and touching the zone.
 */
Test(geo, shared_extent_in_a_made_zone_is_the_shared_extent, .fini = fini)
{
	struct geo *a = line_from(119.3, 26.08, 90, 20);
	struct geo *zone = geo_buffer(a, 5);
	cr_assert_not_null(zone);
	struct {
		double north_m, along_m, bearing, len;
	} cases[] = {
		{ 0, 5, 90, 20 },  /* the same line, shifted along */
		{ 3, -10, 90, 50 }, /* alongside, 3 m off */
		{ -8, 0, 90, 20 }, /* 8 m off: the buffers meet, the lines are not within 5 m */
		{ 30, 0, 90, 20 }, /* apart */
		{ -20, 10, 0, 40 }, /* crossing */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double l, p, l2, p2;
		walk(119.3, 26.08, cases[i].north_m >= 0 ? 0 : 180, fabs(cases[i].north_m), &l, &p);
		walk(l, p, cases[i].along_m >= 0 ? 90 : 270, fabs(cases[i].along_m), &l2, &p2);
		struct geo *b = line_from(l2, p2, cases[i].bearing, cases[i].len);
		struct geo *want = geo_shared_extent(a, b, 5);
		struct geo *got = geo_shared_extent_in(a, zone, b, 5);
		cr_expect_eq(want == NULL, got == NULL, "case %zu: found by one form only", i);
		if (want && got) {
			cr_expect(fabs(geo_area_m2(want) - geo_area_m2(got)) < 1e-3,
				  "case %zu: area %.6f vs %.6f", i, geo_area_m2(want),
				  geo_area_m2(got));
			cr_expect(fabs(geo_length_m(want) - geo_length_m(got)) < 1e-3,
				  "case %zu: length %.6f vs %.6f", i, geo_length_m(want),
				  geo_length_m(got));
		}
		geo_free(want);
		geo_free(got);
		geo_free(b);
	}
	cr_expect_null(geo_shared_extent_in(a, NULL, a, 5), "no zone, no extent");
	geo_free(zone);
	geo_free(a);
}
