/*
 * Works on the map over real HTTP: the open-data GeoJSON (RFC 7946 structure checked here,
 * polygons closed and counter-clockwise, no applicant named), its bbox, date, district and state
 * filters, keyset pages that give every feature once, the 422 for every bad filter, the /works
 * SVG map (whole city and one district), and ?bbox= on the permit and job queues.
 *
 * Rows are inserted with SQL on the test's own connection (not through submissions), in a
 * district and on a road of the test's own; each test has its own place (a district drawn
 * around its own point), so tests running in parallel on the shared database only ever see
 * their own works inside their boxes. The road register is republished with the test's road
 * added to every road in force (under a named lock), as the road authority would.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/db.h"
#include "support/harness.h"
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
TestSuite(works, .init = setup, .fini = teardown, .timeout = 60);

/* --- rows ------------------------------------------------------------------------------------ */

static const char SQL_DISTRICT[] = "INSERT INTO districts (code, name_zh, name_en, kind, boundary) "
				   "VALUES (?, ?, ?, 'district', ST_GeomFromText(?))";
static const char SQL_SITE[] =
    "INSERT INTO sites (org_id, name, address, district_code) VALUES (?, ?, ?, ?)";
static const char SQL_APPLICATION[] =
    "INSERT INTO applications (reference, org_id, site_id, submitted_at, submitted_day, "
    "request, estimate, estimate_total_fen, request_hash) VALUES (?, ?, ?, UTC_TIMESTAMP(6), "
    "UTC_DATE(), '{}', '{}', 0, REPEAT('0', 64))";
static const char SQL_PERMIT[] =
    "INSERT INTO permits (application_id, reference, kind, authority_org_id, state, "
    "trigger_reason) VALUES (?, ?, 'dig_road', ?, ?, 'test')";
static const char SQL_JOB[] =
    "INSERT INTO jobs (application_id, reference, utility_kind, utility_org_id, state, params) "
    "VALUES (?, ?, ?, ?, 'submitted', '{}')";
static const char SQL_EXCAVATION[] =
    "INSERT INTO excavations (application_id, permit_id, utility_kind, district_code, road, "
    "road_class, from_m, to_m, width_m, start_day, end_day, road_id) "
    "VALUES (?, ?, ?, ?, 'test road', 'branch', 0, 10, 1, ?, ?, ?)";
static const char SQL_EXTENT[] =
    "INSERT INTO excavation_extents (excavation_id, extent, start_day, end_day) "
    "VALUES (?, ST_GeomFromText(?), ?, ?)";
static const char SQL_LOCK[] = "SELECT GET_LOCK('test_works_register', 30)";
static const char SQL_UNLOCK[] = "SELECT RELEASE_LOCK('test_works_register')";
static const char SQL_REGISTER[] =
    "INSERT INTO road_registers (org_id, version, effective_from, nroads) "
    "SELECT ?, COALESCE(MAX(version), 0) + 1, '2000-01-01', 1 FROM road_registers "
    "WHERE org_id = ?";
static const char SQL_ROAD[] =
    "INSERT INTO roads (register_id, road_id, name_zh, name_en, aliases, road_class, "
    "district_code, length_m, centreline) "
    "VALUES (?, ?, ?, ?, '', 'primary', ?, 1000, ST_GeomFromText(?))";

/* One test's place and parties: a district around (lng, lat), a road through it, a site. */
struct place {
	struct store_conn *c;
	double lng, lat;
	int u;
	char district[33], road_id[33], road_zh[64], road_en[64];
	long long applicant, authority, utility, app;
	char applicant_email[128], authority_email[128], utility_email[128];
	char secret[64]; /* the site's name: must never appear in the open data */
	day_t today;
};

static void run(struct place *p, const char *sql, const struct store_param *params, size_t n,
		long long *id)
{
	struct error err = ERROR_INIT;
	unsigned long long insert_id = 0;
	cr_assert_eq(store_run(p->c, sql, params, n, NULL, &insert_id, &err), 0, "%s", err.message);
	if (id)
		*id = (long long)insert_id;
}

static void fmt_day(day_t d, char buf[11])
{
	cal_day_format(d, buf);
}

/*
 * This test's road authority publishes its own register with its one road (registers are per
 * authority: the roads in force are every authority's register in force together).
 */
static void publish_road(struct place *p)
{
	struct error err = ERROR_INIT;
	struct store_result *r = NULL;
	cr_assert_eq(store_exec(p->c, SQL_LOCK, NULL, 0, &r, &err), 0, "%s", err.message);
	store_result_free(r);
	cr_assert_eq(store_begin(p->c, &err), 0);
	long long reg = 0;
	struct store_param rp[] = {P_INT(p->authority), P_INT(p->authority)};
	run(p, SQL_REGISTER, rp, 2, &reg);
	char wkt[256];
	snprintf(wkt, sizeof(wkt), "LINESTRING(%.6f %.6f,%.6f %.6f)", p->lng - 0.01, p->lat,
		 p->lng + 0.01, p->lat);
	struct store_param road[] = {P_INT(reg),	P_STR(p->road_id),  P_STR(p->road_zh),
				     P_STR(p->road_en), P_STR(p->district), P_STR(wkt)};
	run(p, SQL_ROAD, road, 6, NULL);
	cr_assert_eq(store_commit(p->c, &err), 0, "%s", err.message);
	cr_assert_eq(store_exec(p->c, SQL_UNLOCK, NULL, 0, &r, &err), 0, "%s", err.message);
	store_result_free(r);
}

/*
 * A place of this test's own: each test process gets a point of its own in a grid over the sea
 * east of the city (nothing else is drawn there), a district of 0.02 degrees around it, a road.
 */
static void place_make(struct place *p)
{
	memset(p, 0, sizeof(*p));
	p->u = harness_unique();
	int slot = (int)((getpid() * 31 + p->u) % 400);
	p->lng = 120.5 + (slot % 20) * 0.05;
	p->lat = 25.0 + (slot / 20) * 0.05;
	p->today = cal_day_of_instant(time(NULL));
	snprintf(p->district, sizeof(p->district), "tw%d_%d", (int)getpid(), p->u);
	snprintf(p->road_id, sizeof(p->road_id), "TW%d-%d", (int)getpid(), p->u);
	snprintf(p->road_zh, sizeof(p->road_zh), "测试路%d", p->u);
	snprintf(p->road_en, sizeof(p->road_en), "Test Road %d <&>", p->u);
	snprintf(p->secret, sizeof(p->secret), "Secret Developer Site %d", p->u);
	p->applicant = harness_make_user("applicant", NULL, false, p->applicant_email);
	p->authority = harness_make_user("authority", "road", false, p->authority_email);
	p->utility = harness_make_user("utility", "water", false, p->utility_email);
	p->c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(p->c);
	char box[256], name_zh[64], name_en[64];
	snprintf(box, sizeof(box), "POLYGON((%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f))",
		 p->lng - 0.02, p->lat - 0.02, p->lng + 0.02, p->lat - 0.02, p->lng + 0.02,
		 p->lat + 0.02, p->lng - 0.02, p->lat + 0.02, p->lng - 0.02, p->lat - 0.02);
	snprintf(name_zh, sizeof(name_zh), "测试区%d", p->u);
	snprintf(name_en, sizeof(name_en), "Test District %d", p->u);
	struct store_param dp[] = {P_STR(p->district), P_STR(name_zh), P_STR(name_en), P_STR(box)};
	run(p, SQL_DISTRICT, dp, 4, NULL);
	long long site = 0;
	struct store_param sp[] = {P_INT(p->applicant), P_STR(p->secret), P_STR(p->secret),
				   P_STR(p->district)};
	run(p, SQL_SITE, sp, 4, &site);
	char ref[32];
	snprintf(ref, sizeof(ref), "TW-%d-%d", (int)getpid(), p->u);
	struct store_param ap[] = {P_STR(ref), P_INT(p->applicant), P_INT(site)};
	run(p, SQL_APPLICATION, ap, 3, &p->app);
	publish_road(p);
}

static void place_release(struct place *p)
{
	store_release(p->c);
}

/* A dig-road permit of the place's authority in state; its id, its reference in ref. */
static long long add_permit(struct place *p, const char *state, char ref[33])
{
	long long id = 0;
	snprintf(ref, 33, "TW-%d-%d-P%d", (int)getpid(), p->u, harness_unique());
	struct store_param pp[] = {P_INT(p->app), P_STR(ref), P_INT(p->authority), P_STR(state)};
	run(p, SQL_PERMIT, pp, 4, &id);
	return id;
}

/*
 * A works extent (WKT, with "%f" for the place's lng and lat offsets already written) under
 * permit (0: none) on the place's road, from start to end days after today. Its id.
 */
static long long add_work(struct place *p, long long permit, const char *kind, const char *wkt,
			  int start, int end)
{
	char from[11], to[11];
	fmt_day(p->today + start, from);
	fmt_day(p->today + end, to);
	long long id = 0;
	struct store_param xp[] = {P_INT(p->app),    permit ? P_INT(permit) : P_NULL,
				   P_STR(kind),	     P_STR(p->district),
				   P_STR(from),	     P_STR(to),
				   P_STR(p->road_id)};
	run(p, SQL_EXCAVATION, xp, 7, &id);
	struct store_param ep[] = {P_INT(id), P_STR(wkt), P_STR(from), P_STR(to)};
	run(p, SQL_EXTENT, ep, 4, NULL);
	return id;
}

/* A short east-west trench at (dx, dy) degrees from the place's point. */
static long long add_line(struct place *p, long long permit, double dx, double dy, int start,
			  int end)
{
	char wkt[160];
	double x = p->lng + dx, y = p->lat + dy;
	snprintf(wkt, sizeof(wkt), "LINESTRING(%.7f %.7f,%.7f %.7f)", x, y, x + 0.0005, y);
	return add_work(p, permit, "water", wkt, start, end);
}

/* A small square pit at (dx, dy), its ring written clockwise (the feed must turn it). */
static long long add_pit(struct place *p, long long permit, double dx, double dy)
{
	char wkt[256];
	double x = p->lng + dx, y = p->lat + dy, d = 0.0002;
	snprintf(wkt, sizeof(wkt), "POLYGON((%.7f %.7f,%.7f %.7f,%.7f %.7f,%.7f %.7f,%.7f %.7f))",
		 x, y, x, y + d, x + d, y + d, x + d, y, x, y);
	return add_work(p, permit, "gas", wkt, 0, 20);
}

/* "bbox=..." around the place's point, half a side of r degrees. */
static void bbox_of(const struct place *p, double r, char *buf, size_t n)
{
	snprintf(buf, n, "%.6f,%.6f,%.6f,%.6f", p->lng - r, p->lat - r, p->lng + r, p->lat + r);
}

/* --- RFC 7946 structure -------------------------------------------------------------------- */

static void check_position(json_t *pos)
{
	cr_assert(json_is_array(pos) && json_array_size(pos) >= 2, "a position is [lng, lat]");
	double lng = json_number_value(json_array_get(pos, 0));
	double lat = json_number_value(json_array_get(pos, 1));
	cr_assert(json_is_number(json_array_get(pos, 0)) && json_is_number(json_array_get(pos, 1)));
	cr_assert(lng >= -180 && lng <= 180 && lat >= -90 && lat <= 90, "lon/lat %f %f", lng, lat);
}

/* Twice the signed area of a ring (positive: counter-clockwise in lon/lat). */
static double ring_area2(json_t *ring)
{
	double a = 0;
	size_t n = json_array_size(ring);
	for (size_t i = 0; i + 1 < n; i++) {
		json_t *p = json_array_get(ring, i), *q = json_array_get(ring, i + 1);
		a += json_number_value(json_array_get(p, 0)) *
			 json_number_value(json_array_get(q, 1)) -
		     json_number_value(json_array_get(q, 0)) *
			 json_number_value(json_array_get(p, 1));
	}
	return a;
}

static void check_geometry(json_t *g)
{
	const char *type = json_string_value(json_object_get(g, "type"));
	json_t *c = json_object_get(g, "coordinates");
	cr_assert(type, "a geometry has a type");
	if (!strcmp(type, "LineString")) {
		cr_assert(json_array_size(c) >= 2, "a line has two positions or more");
		for (size_t i = 0; i < json_array_size(c); i++)
			check_position(json_array_get(c, i));
	} else if (!strcmp(type, "Polygon")) {
		cr_assert(json_array_size(c) >= 1, "a polygon has its exterior ring");
		for (size_t r = 0; r < json_array_size(c); r++) {
			json_t *ring = json_array_get(c, r);
			size_t n = json_array_size(ring);
			cr_assert(n >= 4, "a linear ring has four positions or more");
			for (size_t i = 0; i < n; i++)
				check_position(json_array_get(ring, i));
			cr_assert(json_equal(json_array_get(ring, 0), json_array_get(ring, n - 1)),
				  "a ring is closed");
			double a = ring_area2(ring);
			cr_assert(
			    r == 0 ? a > 0 : a < 0,
			    "exterior rings counter-clockwise, holes clockwise (RFC 7946 3.1.6)");
		}
	} else if (strcmp(type, "Point") != 0) {
		cr_assert_fail("unexpected geometry type %s", type);
	}
}

/* Checks a FeatureCollection; returns its features (borrowed). */
static json_t *check_collection(json_t *doc)
{
	cr_assert(json_is_object(doc), "the body is a JSON object");
	cr_assert_str_eq(json_string_value(json_object_get(doc, "type")), "FeatureCollection");
	cr_assert(!json_object_get(doc, "crs"), "no crs member (RFC 7946 4)");
	json_t *features = json_object_get(doc, "features");
	cr_assert(json_is_array(features));
	size_t i;
	json_t *f;
	json_array_foreach(features, i, f)
	{
		cr_assert_str_eq(json_string_value(json_object_get(f, "type")), "Feature");
		cr_assert(json_is_integer(json_object_get(f, "id")));
		cr_assert(json_is_object(json_object_get(f, "properties")));
		check_geometry(json_object_get(f, "geometry"));
	}
	return features;
}

static json_t *find_feature(json_t *features, long long id)
{
	size_t i;
	json_t *f;
	json_array_foreach(features, i,
			   f) if (json_integer_value(json_object_get(f, "id")) == id) return f;
	return NULL;
}

static json_t *get_feed(const char *query, struct reply *r)
{
	char path[512];
	snprintf(path, sizeof(path), "/v1/public/works.geojson%s", query);
	http_call(r, "GET", path, NULL, NULL, NULL);
	cr_assert_eq(r->status, 200, "%s: %ld %s", path, r->status, r->body);
	char ct[128];
	cr_assert_str_eq(reply_header(r, "Content-Type", ct, sizeof(ct)), "application/geo+json");
	return check_collection(r->json);
}

/* --- the feed -------------------------------------------------------------------------------- */

Test(works, the_feed_is_rfc7946_with_the_public_properties_only)
{
	struct place p;
	place_make(&p);
	char ref[33], q[256], box[128];
	long long permit = add_permit(&p, "approved", ref);
	long long line = add_line(&p, permit, 0.001, 0.0, -2, 30);
	long long pit = add_pit(&p, 0, -0.002, 0.001);
	bbox_of(&p, 0.01, box, sizeof(box));
	snprintf(q, sizeof(q), "?bbox=%s", box);
	struct reply r;
	json_t *features = get_feed(q, &r);
	json_t *f = find_feature(features, line);
	cr_assert(f, "the line is in the feed");
	json_t *pr = json_object_get(f, "properties");
	char start[11], end[11];
	fmt_day(p.today - 2, start);
	fmt_day(p.today + 30, end);
	struct {
		const char *key, *want;
	} props[] = {
	    {"permit_reference", ref}, {"permit_state", "approved"}, {"utility_kind", "water"},
	    {"road_id", p.road_id},    {"road_name_zh", p.road_zh},  {"road_name_en", p.road_en},
	    {"window_start", start},   {"window_end", end},	     {"district_code", p.district},
	};
	for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++)
		cr_expect_str_eq(json_string_value(json_object_get(pr, props[i].key)),
				 props[i].want, "%s", props[i].key);
	cr_assert_eq(json_object_size(pr), sizeof(props) / sizeof(props[0]),
		     "no other property (nothing about the applicant)");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(f, "geometry"), "type")),
			 "LineString");
	json_t *g = find_feature(features, pit);
	cr_assert(g, "the pit is in the feed");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(g, "geometry"), "type")),
			 "Polygon");
	cr_assert(json_is_null(json_object_get(json_object_get(g, "properties"), "permit_state")),
		  "works with no permit yet have a null state");
	/* nobody's name: not the applicant's organisation, site, user or e-mail */
	char org[64];
	snprintf(org, sizeof(org), "applicant  org");
	cr_assert(!strstr(r.body, org) && !strstr(r.body, p.secret) &&
		      !strstr(r.body, p.applicant_email) && !strstr(r.body, "Test User") &&
		      !strstr(r.body, "applicant"),
		  "no applicant appears in %s", r.body);
	/* one real output, kept for tests/scripts/geojson_check.sh */
	const char *tmp = getenv("PORTAL_TEST_TMP");
	if (tmp) {
		char path[512];
		snprintf(path, sizeof(path), "%s/works.geojson", tmp);
		FILE *out = fopen(path, "w");
		if (out) {
			fwrite(r.body, 1, r.len, out);
			fclose(out);
		}
	}
	reply_release(&r);
	place_release(&p);
}

Test(works, bbox_keeps_the_near_and_leaves_out_the_far)
{
	struct place p;
	place_make(&p);
	char ref[33], q[256], box[128];
	long long permit = add_permit(&p, "submitted", ref);
	long long near = add_line(&p, permit, 0.003, 0.003, 0, 10);
	long long edge = add_line(&p, permit, 0.0098, -0.002, 0, 10); /* crosses the box's edge */
	long long far = add_line(&p, permit, 0.5, 0.5, 0, 10);
	bbox_of(&p, 0.01, box, sizeof(box));
	snprintf(q, sizeof(q), "?bbox=%s", box);
	struct reply r;
	json_t *features = get_feed(q, &r);
	cr_expect(find_feature(features, near), "near is in");
	cr_expect(find_feature(features, edge), "one crossing the edge is in");
	cr_expect(!find_feature(features, far), "far is out");
	reply_release(&r);
	/* spaces after the commas are allowed */
	snprintf(q, sizeof(q), "?bbox=%.6f,%%20%.6f,%%20%.6f,%%20%.6f", p.lng + 0.49, p.lat + 0.49,
		 p.lng + 0.51, p.lat + 0.51);
	features = get_feed(q, &r);
	cr_expect(find_feature(features, far) && !find_feature(features, near));
	reply_release(&r);
	place_release(&p);
}

Test(works, filters_by_window_district_and_state)
{
	struct place p;
	place_make(&p);
	char ref[33], ref2[33], q[512], box[128], d[2][11];
	long long approved = add_permit(&p, "approved", ref);
	long long review = add_permit(&p, "under_review", ref2);
	long long past = add_line(&p, approved, 0.001, 0.001, -40, -30);
	long long now = add_line(&p, review, 0.002, 0.001, -1, 5);
	long long later = add_line(&p, approved, 0.003, 0.001, 50, 60);
	bbox_of(&p, 0.01, box, sizeof(box));
	struct {
		int from, to; /* days from today; 999: absent */
		const char *state;
		bool want_past, want_now, want_later;
	} cases[] = {
	    {999, 999, NULL, true, true, true},
	    {0, 999, NULL, false, true, true},
	    {999, 0, NULL, true, true, false},
	    {-35, -35, NULL, true, false, false},
	    {5, 50, NULL, false, true, true}, /* both touch the range's ends */
	    {999, 999, "approved", true, false, true},
	    {999, 999, "under_review", false, true, false},
	    {0, 999, "approved", false, false, true},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = snprintf(q, sizeof(q), "?bbox=%s&district=%s", box, p.district);
		if (cases[i].from != 999) {
			fmt_day(p.today + cases[i].from, d[0]);
			n += snprintf(q + n, sizeof(q) - n, "&from=%s", d[0]);
		}
		if (cases[i].to != 999) {
			fmt_day(p.today + cases[i].to, d[1]);
			n += snprintf(q + n, sizeof(q) - n, "&to=%s", d[1]);
		}
		if (cases[i].state)
			snprintf(q + n, sizeof(q) - n, "&state=%s", cases[i].state);
		struct reply r;
		json_t *features = get_feed(q, &r);
		cr_expect_eq(find_feature(features, past) != NULL, cases[i].want_past, "%s past",
			     q);
		cr_expect_eq(find_feature(features, now) != NULL, cases[i].want_now, "%s now", q);
		cr_expect_eq(find_feature(features, later) != NULL, cases[i].want_later, "%s later",
			     q);
		size_t k;
		json_t *f;
		json_array_foreach(features, k, f)
		    cr_expect_str_eq(json_string_value(json_object_get(
					 json_object_get(f, "properties"), "district_code")),
				     p.district);
		reply_release(&r);
	}
	place_release(&p);
}

Test(works, keyset_pages_give_every_feature_once)
{
	struct place p;
	place_make(&p);
	enum { N = 7 };
	long long ids[N];
	char box[128], q[512];
	for (int i = 0; i < N; i++)
		ids[i] = add_line(&p, 0, 0.001 * i, 0.0, 0, 10);
	bbox_of(&p, 0.01, box, sizeof(box));
	int seen[N] = {0}, pages = 0;
	long long last = 0;
	char cursor[32] = "";
	do {
		/* the district too: another test's place may share this one's grid slot */
		snprintf(q, sizeof(q), "?bbox=%s&district=%s&limit=2%s%s", box, p.district,
			 *cursor ? "&cursor=" : "", cursor);
		struct reply r;
		json_t *features = get_feed(q, &r);
		cr_assert_leq(json_array_size(features), 2);
		size_t k;
		json_t *f;
		json_array_foreach(features, k, f)
		{
			long long id = json_integer_value(json_object_get(f, "id"));
			cr_assert_gt(id, last, "ids rise across pages, never repeat");
			last = id;
			for (int i = 0; i < N; i++)
				seen[i] += ids[i] == id;
		}
		json_t *next = json_object_get(r.json, "next_cursor");
		char link[512];
		const char *lh = reply_header(&r, "Link", link, sizeof(link));
		if (json_is_string(next)) {
			snprintf(cursor, sizeof(cursor), "%s", json_string_value(next));
			cr_assert(lh && strstr(lh, "rel=\"next\"") && strstr(lh, "cursor=") &&
				      strstr(lh, "bbox="),
				  "a Link to the next page with the same filters: %s",
				  lh ? lh : "");
		} else {
			cr_assert(json_is_null(next), "next_cursor is null on the last page");
			cr_assert(!lh, "no Link on the last page");
			*cursor = 0;
		}
		reply_release(&r);
		cr_assert_lt(++pages, 20);
	} while (*cursor);
	for (int i = 0; i < N; i++)
		cr_expect_eq(seen[i], 1, "feature %lld seen %d times", ids[i], seen[i]);
	cr_expect_geq(pages, 4, "7 features in pages of 2");
	/* ?after= is the same cursor */
	snprintf(q, sizeof(q), "?bbox=%s&after=%lld", box, ids[N - 2]);
	struct reply r;
	json_t *features = get_feed(q, &r);
	cr_expect(find_feature(features, ids[N - 1]) && !find_feature(features, ids[N - 2]));
	reply_release(&r);
	place_release(&p);
}

struct bad_case {
	char query[96];
	char field[16];
};

ParameterizedTestParameters(works, a_bad_filter_is_422_naming_it)
{
	static struct bad_case cases[] = {
	    {"?bbox=1,2,3", "bbox"},
	    {"?bbox=a,b,c,d", "bbox"},
	    {"?bbox=1,2,3,4,5", "bbox"},
	    {"?bbox=", "bbox"},
	    {"?bbox=200,0,201,1", "bbox"},
	    {"?bbox=119,95,120,96", "bbox"},
	    {"?bbox=120,26,119,27", "bbox"},
	    {"?bbox=119,27,120,26", "bbox"},
	    {"?bbox=nan,1,2,3", "bbox"},
	    {"?from=2026-13-01", "from"},
	    {"?to=yesterday", "to"},
	    {"?from=2026-05-02&to=2026-05-01", "to"},
	    {"?limit=0", "limit"},
	    {"?limit=1001", "limit"},
	    {"?limit=ten", "limit"},
	    {"?cursor=-1", "cursor"},
	    {"?after=x", "after"},
	    {"?state=bogus", "state"},
	    {"?district=no%20such", "district"},
	    {"?district=nosuchdistrict", "district"},
	};
	return cr_make_param_array(struct bad_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct bad_case *c, works, a_bad_filter_is_422_naming_it)
{
	char path[160];
	snprintf(path, sizeof(path), "/v1/public/works.geojson%s", c->query);
	struct reply r;
	http_call(&r, "GET", path, NULL, NULL, NULL);
	cr_assert_eq(r.status, 422, "%s: %ld %s", c->query, r.status, r.body);
	json_t *e = json_object_get(r.json, "error");
	cr_assert_str_eq(json_string_value(json_object_get(e, "code")), "validation_failed");
	json_t *d = json_array_get(json_object_get(e, "details"), 0);
	cr_assert_str_eq(json_string_value(json_object_get(d, "field")), c->field, "%s", r.body);
	cr_assert(json_string_length(json_object_get(d, "message")) > 10,
		  "a message that says why");
	reply_release(&r);
}

Test(works, every_bad_filter_is_listed_at_once)
{
	struct reply r;
	http_call(&r, "GET", "/v1/public/works.geojson?bbox=x&from=no&limit=0&state=bogus", NULL,
		  NULL, NULL);
	cr_assert_eq(r.status, 422, "%s", r.body);
	cr_assert_eq(json_array_size(json_object_get(json_object_get(r.json, "error"), "details")),
		     4, "%s", r.body);
	reply_release(&r);
}

/* --- the map page ---------------------------------------------------------------------------- */

static char *page(const char *path, long status)
{
	struct reply r;
	http_call(&r, "GET", path, NULL, NULL, NULL);
	cr_assert_eq(r.status, status, "%s: %ld %s", path, r.status, r.body);
	char *body = strdup(r.body ? r.body : "");
	reply_release(&r);
	return body;
}

static int count(const char *s, const char *what)
{
	int n = 0;
	for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

Test(works, the_map_draws_roads_works_legend_and_a_table)
{
	struct place p;
	place_make(&p);
	char ref[33], ref2[33], path[128];
	long long approved = add_permit(&p, "approved", ref);
	long long review = add_permit(&p, "under_review", ref2);
	add_line(&p, approved, 0.001, 0.0, -1, 20);
	add_pit(&p, review, 0.004, 0.0);
	char ref3[33];
	long long closed = add_permit(&p, "closed", ref3);
	add_line(&p, closed, 0.002, 0.0, -1, 20); /* over: not on the map */
	char old[33];
	long long old_permit = add_permit(&p, "approved", old);
	add_line(&p, old_permit, 0.003, 0.0, -30, -20); /* window ended: not on the map */
	static const char *const langs[] = {"zh", "en"};
	for (int l = 0; l < 2; l++) {
		snprintf(path, sizeof(path), "/works?district=%s&lang=%s", p.district, langs[l]);
		char *body = page(path, 200);
		cr_assert(strstr(body, "<svg"), "an SVG map");
		cr_assert(!strstr(body, "<script"), "no JavaScript");
		cr_assert(strstr(body, "class=\"roads\"") && strstr(body, "class=\"works\""));
		char escaped[96];
		snprintf(escaped, sizeof(escaped), "Test Road %d &lt;&amp;&gt;", p.u);
		cr_assert(strstr(body, l ? escaped : p.road_zh), "the road is labelled");
		cr_assert(!strstr(body, "<&>"), "names are escaped");
		cr_assert(strstr(body, "class=\"work state-approved\"") &&
			      strstr(body, "class=\"work state-under_review\""),
			  "works coloured by state");
		cr_assert(strstr(body, "class=\"legend\""), "a legend");
		cr_assert(strstr(body, l ? "Approved" : "已批准") &&
			  strstr(body, l ? "Under review" : "审查中"));
		cr_assert(strstr(body, "<table>") && strstr(body, ref) && strstr(body, ref2),
			  "a table lists the works shown");
		cr_assert(!strstr(body, ref3) && !strstr(body, old),
			  "closed and ended works are not");
		cr_assert(strstr(body, l ? "Test District" : "测试区"), "the district is named");
		cr_assert(strstr(body, "href=\"/works?lang="), "a link back to the whole city");
		cr_assert(!strstr(body, p.secret), "no applicant");
		cr_assert_eq(count(body, "<svg"), count(body, "</svg>"));
		free(body);
	}
	place_release(&p);
}

Test(works, the_city_map_links_every_district)
{
	struct place p;
	place_make(&p);
	char ref[33];
	add_line(&p, add_permit(&p, "submitted", ref), 0.001, 0.0, 0, 5);
	char *body = page("/works?lang=en", 200);
	cr_assert(strstr(body, "<svg"));
	char link[128];
	snprintf(link, sizeof(link), "href=\"/works?district=%s&amp;lang=en\"", p.district);
	cr_assert(strstr(body, link), "a link to the district's view");
	cr_assert(strstr(body, ref), "the city's works are listed");
	cr_assert(strstr(body, "class=\"work state-submitted\""));
	free(body);
	free(page("/works?district=nosuchdistrict", 404));
	free(page("/works?district=%3Cscript%3E", 404));
	place_release(&p);
}

/* --- the queues ------------------------------------------------------------------------------ */

static json_t *queue(const char *token, const char *path, long status, struct reply *r)
{
	http_call(r, "GET", path, token, NULL, NULL);
	cr_assert_eq(r->status, status, "%s: %ld %s", path, r->status, r->body);
	return json_object_get(r->json, "items");
}

static bool has_item(json_t *items, long long id)
{
	size_t i;
	json_t *it;
	json_array_foreach(items, i,
			   it) if (json_integer_value(json_object_get(it, "id")) == id) return true;
	return false;
}

Test(works, the_permit_queue_takes_a_bbox)
{
	struct place p;
	place_make(&p);
	char ref[33], ref2[33], ref3[33], box[128], path[256];
	long long near = add_permit(&p, "submitted", ref);
	long long far = add_permit(&p, "submitted", ref2);
	long long none = add_permit(&p, "submitted", ref3); /* no extent at all */
	add_line(&p, near, 0.001, 0.0, 0, 10);
	add_line(&p, far, 0.6, 0.6, 0, 10);
	char *token = harness_login(p.authority_email, HARNESS_PASSWORD);
	bbox_of(&p, 0.01, box, sizeof(box));
	struct reply r;
	json_t *items = queue(token, "/v1/permits?limit=200", 200, &r);
	cr_expect(has_item(items, near) && has_item(items, far) && has_item(items, none),
		  "without bbox, the queue is as it was");
	reply_release(&r);
	snprintf(path, sizeof(path), "/v1/permits?bbox=%s", box);
	items = queue(token, path, 200, &r);
	cr_expect(has_item(items, near) && !has_item(items, far) && !has_item(items, none));
	reply_release(&r);
	snprintf(path, sizeof(path), "/v1/permits?bbox=%s&state=approved", box);
	items = queue(token, path, 200, &r);
	cr_expect(!has_item(items, near), "bbox and state together");
	reply_release(&r);
	items = queue(token, "/v1/permits?bbox=1,2,3", 422, &r);
	cr_expect_str_eq(
	    json_string_value(json_object_get(
		json_array_get(json_object_get(json_object_get(r.json, "error"), "details"), 0),
		"field")),
	    "bbox");
	reply_release(&r);
	free(token);
	place_release(&p);
}

Test(works, the_job_queue_takes_a_bbox)
{
	struct place p;
	place_make(&p);
	char path[256], box[128], ref[33];
	long long job = 0, other = 0;
	snprintf(ref, sizeof(ref), "TW-%d-%d-J1", (int)getpid(), p.u);
	struct store_param jp[] = {P_INT(p.app), P_STR(ref), P_STR("water"), P_INT(p.utility)};
	run(&p, SQL_JOB, jp, 4, &job);
	snprintf(ref, sizeof(ref), "TW-%d-%d-J2", (int)getpid(), p.u);
	struct store_param gp[] = {P_INT(p.app), P_STR(ref), P_STR("gas"), P_INT(p.utility)};
	run(&p, SQL_JOB, gp, 4, &other);
	add_line(&p, 0, 0.001, 0.0, 0, 10); /* water works near the point */
	add_pit(&p, 0, 0.7, 0.7);	    /* gas works far away */
	char *token = harness_login(p.utility_email, HARNESS_PASSWORD);
	bbox_of(&p, 0.01, box, sizeof(box));
	snprintf(path, sizeof(path), "/v1/jobs?bbox=%s", box);
	struct reply r;
	json_t *items = queue(token, path, 200, &r);
	cr_expect(has_item(items, job) && !has_item(items, other));
	reply_release(&r);
	items = queue(token, "/v1/jobs", 200, &r);
	cr_expect(has_item(items, job) && has_item(items, other));
	reply_release(&r);
	free(token);
	place_release(&p);
}
