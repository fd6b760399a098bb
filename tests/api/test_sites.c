/* Sites over real HTTP: registration with every problem listed at once, reading, isolation. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/sites.h"
#include "support/harness.h"
#include "workflows/geo.h"

static struct harness_server *srv;
static void setup(void)
{
	srv = harness_server_start();
}
static void teardown(void)
{
	harness_server_stop(srv);
}
TestSuite(sites, .init = setup, .fini = teardown, .timeout = 60);

static char *login_new(const char *kind, const char *subkind, long long *org)
{
	char email[128];
	long long o = harness_make_user(kind, subkind, true, email);
	if (org)
		*org = o;
	return harness_login(email, HARNESS_PASSWORD);
}

static long long create_site(const char *token, const char *name)
{
	char body[512];
	snprintf(body, sizeof(body),
		 "{\"name\":\"%s\",\"address\":\"1 Jingshi Road\",\"district\":\"350102\","
		 "\"lat\":26.101234,\"lng\":119.250001,\"plot_ref\":\"JN-2026-017\","
		 "\"zone_risk\":\"low\"}",
		 name);
	struct reply r;
	cr_assert_eq(http_call(&r, "POST", "/v1/sites", token, body, NULL), 201, "%s", r.body);
	long long id = json_integer_value(json_object_get(r.json, "id"));
	reply_release(&r);
	return id;
}

static bool has_detail(const struct reply *r, const char *field, const char *code)
{
	json_t *d = json_object_get(json_object_get(r->json, "error"), "details");
	for (size_t i = 0; i < json_array_size(d); i++) {
		json_t *x = json_array_get(d, i);
		if (!strcmp(json_string_value(json_object_get(x, "field")), field) &&
		    !strcmp(json_string_value(json_object_get(x, "code")), code))
			return true;
	}
	return false;
}

Test(sites, a_site_is_registered_and_read_back_exactly)
{
	long long org;
	char *token = login_new("applicant", NULL, &org);
	long long id = create_site(token, "Plot 17 offices");
	char path[64];
	snprintf(path, sizeof(path), "/v1/sites/%lld", id);
	struct reply r;
	cr_assert_eq(http_call(&r, "GET", path, token, NULL, NULL), 200, "%s", r.body);
	cr_expect_eq(json_integer_value(json_object_get(r.json, "organisation_id")), org);
	cr_expect_str_eq(json_string_value(json_object_get(r.json, "name")), "Plot 17 offices");
	cr_expect_str_eq(json_string_value(json_object_get(r.json, "district")), "350102");
	cr_expect_str_eq(json_string_value(json_object_get(r.json, "plot_ref")), "JN-2026-017");
	cr_expect_str_eq(json_string_value(json_object_get(r.json, "zone_risk_claimed")), "low",
			 "kept as claimed, deciding nothing");
	json_t *g = json_object_get(r.json, "geometry");
	cr_expect_str_eq(json_string_value(json_object_get(g, "type")), "Point");
	/* coordinates come back with their six decimals and no binary noise */
	cr_expect(strstr(r.body, "\"lat\":26.101234") && strstr(r.body, "\"lng\":119.250001"), "%s",
		  r.body);
	reply_release(&r);
	free(token);
}

Test(sites, every_problem_is_listed_at_once_and_nothing_is_stored)
{
	long long org;
	char *token = login_new("applicant", NULL, &org);
	struct reply r;
	cr_assert_eq(http_call(&r, "POST", "/v1/sites", token,
			       "{\"name\":\"\",\"district\":\"atlantis\",\"lat\":91,"
			       "\"lng\":\"east\",\"zone_risk\":\"extreme\",\"colour\":\"red\"}",
			       NULL),
		     422, "%s", r.body);
	static const char *const want[][2] = {
	    {"name", "required"},	 {"address", "required"}, {"district", "unknown"},
	    {"lat", "out_of_range"},	 {"lng", "out_of_range"}, {"zone_risk", "not_allowed"},
	    {"colour", "unknown_field"},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_expect(has_detail(&r, want[i][0], want[i][1]), "missing %s/%s in %s", want[i][0],
			  want[i][1], r.body);
	reply_release(&r);
	cr_assert_eq(http_call(&r, "GET", "/v1/sites", token, NULL, NULL), 200);
	cr_expect_eq(json_array_size(json_object_get(r.json, "items")), 0);
	reply_release(&r);
	free(token);
}

/* The site's place is checked against Fuzhou's districts; every problem in the one 422. */
Test(sites, the_place_is_checked_against_the_districts)
{
	char *token = login_new("applicant", NULL, NULL);
	static const struct {
		const char *body, *field, *code;
	} bad[] = {
		/* Jinan, where the sample city used to be */
		{"\"lat\":36.66,\"lng\":117.02", "geometry", "outside_city"},
		/* 五一广场 is in Gulou, not Taijiang */
		{"\"district\":\"350103\",\"lat\":26.0787,\"lng\":119.3035", "district",
		 "not_matching"},
		/* a bow-tie plot */
		{"\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[119.29,26.08],[119.30,26.09],"
		 "[119.30,26.08],[119.29,26.09],[119.29,26.08]]]}",
		 "geometry.coordinates", "self_intersecting"},
		/* a line is not a site */
		{"\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[119.29,26.08],[119.30,26.09]]}",
		 "geometry.type", "not_allowed"},
		{"\"crs\":\"Mercator\",\"lat\":26.08,\"lng\":119.30", "crs", "not_allowed"},
		{"\"address\":\"x\"", "geometry", "required"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char body[512];
		snprintf(body, sizeof(body), "{\"name\":\"S\",\"address\":\"A\",%s}", bad[i].body);
		/* the address given twice is a JSON error; keep one */
		if (strstr(bad[i].body, "address"))
			snprintf(body, sizeof(body), "{\"name\":\"S\",%s}", bad[i].body);
		struct reply r;
		cr_expect_eq(http_call(&r, "POST", "/v1/sites", token, body, NULL), 422, "%s: %s",
			     body, r.body);
		bool found = false;
		json_t *d = json_object_get(json_object_get(r.json, "error"), "details");
		for (size_t k = 0; k < json_array_size(d); k++) {
			json_t *x = json_array_get(d, k);
			found = found ||
				(!strncmp(json_string_value(json_object_get(x, "field")), bad[i].field,
					  strlen(bad[i].field)) &&
				 !strcmp(json_string_value(json_object_get(x, "code")), bad[i].code));
		}
		cr_expect(found, "%s: want %s/%s in %s", body, bad[i].field, bad[i].code, r.body);
		reply_release(&r);
	}
	/* GCJ-02 as a web map gives it: the district is found, the point moved back ~500 m */
	struct reply r;
	cr_assert_eq(http_call(&r, "POST", "/v1/sites", token,
			       "{\"name\":\"Map click\",\"address\":\"Wuyi Square\",\"crs\":\"GCJ-02\","
			       "\"geometry\":{\"type\":\"Point\",\"coordinates\":[119.3035,26.0787]}}",
			       NULL),
		     201, "%s", r.body);
	cr_expect_str_eq(json_string_value(json_object_get(r.json, "district")), "350102",
			 "found from the point");
	double lng = json_number_value(json_object_get(r.json, "lng"));
	double lat = json_number_value(json_object_get(r.json, "lat"));
	double wlng, wlat;
	geo_gcj02_to_wgs84(119.3035, 26.0787, &wlng, &wlat);
	cr_expect(fabs(lng - wlng) < 2e-6 && fabs(lat - wlat) < 2e-6, "stored in CGCS2000: %f %f",
		  lng, lat);
	cr_expect(fabs(lng - 119.3035) > 0.002, "not the GCJ-02 numbers as given");
	reply_release(&r);
	/* a plot as a polygon */
	cr_assert_eq(http_call(&r, "POST", "/v1/sites", token,
			       "{\"name\":\"Plot\",\"address\":\"Nanhou Street\",\"district\":\"350102\","
			       "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[119.2905,26.0820],"
			       "[119.2912,26.0820],[119.2912,26.0830],[119.2905,26.0830],[119.2905,26.0820]]]}}",
			       NULL),
		     201, "%s", r.body);
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(r.json, "geometry"), "type")),
			 "Polygon");
	reply_release(&r);
	free(token);
}

Test(sites, only_applicants_register_sites)
{
	char *token = login_new("utility", "water", NULL);
	struct reply r;
	cr_expect_eq(http_call(&r, "POST", "/v1/sites", token,
			       "{\"name\":\"x\",\"address\":\"y\",\"district\":\"350102\",\"lat\":1,"
			       "\"lng\":1,\"zone_risk\":\"low\"}",
			       NULL),
		     403);
	reply_release(&r);
	free(token);
}

Test(sites, another_organisations_site_is_404)
{
	char *mine = login_new("applicant", NULL, NULL);
	char *theirs = login_new("applicant", NULL, NULL);
	long long id = create_site(theirs, "Their site");
	char path[64];
	snprintf(path, sizeof(path), "/v1/sites/%lld", id);
	struct reply r;
	cr_expect_eq(http_call(&r, "GET", path, mine, NULL, NULL), 404);
	cr_expect(!strstr(r.body, "Their site"));
	reply_release(&r);
	cr_expect_eq(http_call(&r, "GET", "/v1/sites/999999999", mine, NULL, NULL), 404);
	reply_release(&r);
	cr_expect_eq(http_call(&r, "GET", "/v1/sites/abc", mine, NULL, NULL), 404);
	reply_release(&r);
	free(mine);
	free(theirs);
}

Test(sites, the_list_is_own_sites_by_pages)
{
	char *token = login_new("applicant", NULL, NULL);
	char *other = login_new("applicant", NULL, NULL);
	long long ids[3];
	for (int i = 0; i < 3; i++)
		ids[i] = create_site(token, "Mine");
	create_site(other, "Not mine");
	struct reply r;
	cr_assert_eq(http_call(&r, "GET", "/v1/sites?limit=2", token, NULL, NULL), 200);
	json_t *items = json_object_get(r.json, "items");
	cr_assert_eq(json_array_size(items), 2);
	cr_expect_eq(json_integer_value(json_object_get(json_array_get(items, 0), "id")), ids[0]);
	char path[96];
	snprintf(path, sizeof(path), "/v1/sites?limit=2&cursor=%s",
		 json_string_value(json_object_get(r.json, "next_cursor")));
	reply_release(&r);
	cr_assert_eq(http_call(&r, "GET", path, token, NULL, NULL), 200);
	items = json_object_get(r.json, "items");
	cr_assert_eq(json_array_size(items), 1, "%s", r.body);
	cr_expect_eq(json_integer_value(json_object_get(json_array_get(items, 0), "id")), ids[2]);
	cr_expect(json_is_null(json_object_get(r.json, "next_cursor")));
	reply_release(&r);
	cr_expect_eq(http_call(&r, "GET", "/v1/sites?limit=0", token, NULL, NULL), 422);
	reply_release(&r);
	free(token);
	free(other);
}

Test(sites, the_office_reads_any_organisations_sites)
{
	long long org;
	char *token = login_new("applicant", NULL, &org);
	char *office = login_new("office", NULL, NULL);
	create_site(token, "Seen by the office");
	char path[96];
	snprintf(path, sizeof(path), "/v1/sites?organisation_id=%lld", org);
	struct reply r;
	cr_assert_eq(http_call(&r, "GET", path, office, NULL, NULL), 200);
	cr_expect_eq(json_array_size(json_object_get(r.json, "items")), 1);
	reply_release(&r);
	char *stranger = login_new("applicant", NULL, NULL);
	cr_expect_eq(http_call(&r, "GET", path, stranger, NULL, NULL), 404);
	reply_release(&r);
	free(token);
	free(office);
	free(stranger);
}

static const char SQL_AUDIT[] =
    "SELECT COUNT(*) FROM audit_log WHERE action = 'site.create' AND object_id = ?";

Test(sites, registration_is_audited_and_load_for_checks_the_owner)
{
	long long org, other;
	char *token = login_new("applicant", NULL, &org);
	char *t2 = login_new("applicant", NULL, &other);
	long long id = create_site(token, "Audited");
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	char idbuf[24];
	snprintf(idbuf, sizeof(idbuf), "%lld", id);
	struct store_param p[] = {P_STR(idbuf)};
	struct store_result *res = NULL;
	cr_assert_eq(store_exec(c, SQL_AUDIT, p, 1, &res, NULL), 0);
	cr_expect_eq(store_cell_ll(res, 0, 0, 0), 1);
	store_result_free(res);

	struct site_row s;
	struct error err = ERROR_INIT;
	cr_expect_eq(store_site_load_for(c, id, org, &s, &err), 0, "%s", err.message);
	cr_expect_eq(s.lat_e6, 26101234);
	cr_expect_eq(s.lng_e6, 119250001);
	cr_expect_str_eq(s.zone_risk, "low");
	cr_expect_eq(store_site_load_for(c, id, other, &s, &err), ERR_NOT_FOUND);
	error_release(&err);
	store_release(c);
	free(token);
	free(t2);
}
