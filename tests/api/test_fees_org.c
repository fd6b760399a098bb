/*
 * Fee schedules per utility organisation (issue 4) over real HTTP: a second water company
 * publishes its own schedule (another price for the same item code, in force from the same
 * day as the sample one the harness seeds). Both stay in force and are shown with their
 * organisation; an application goes to the demo water company and is estimated and quoted
 * with its prices only. This is the only test that publishes water fees in force today; it
 * uses a new organisation, so other tests still find the demo company's schedule first.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support/harness.h"
#include "support/journey.h"
#include "workflows/calendar.h"

#define DEMO "demo-password-1"
#define SAMPLE_FEN 250000LL /* the sample W-CONN for DN 26-50 (portal/seed_published.c) */
#define OTHER_FEN 333300LL  /* the second company's W-CONN for DN 15-300 */

static struct harness_server *srv;
static void setup(void) { srv = harness_server_start(); }
static void teardown(void) { harness_server_stop(srv); }
TestSuite(fees_org, .init = setup, .fini = teardown, .timeout = 60);

static char *demo_login(const char *who)
{
	char email[64];
	snprintf(email, sizeof(email), "%s@demo.test", who);
	return harness_login(email, DEMO);
}

static long long my_org(const char *token)
{
	json_t *me = journey_call("GET", "/v1/me", token, NULL, 200);
	long long id = json_integer_value(json_object_get(me, "organisation_id"));
	json_decref(me);
	return id;
}

/* The second water company publishes its schedule, in force from today; returns its id. */
static long long second_water_company(void)
{
	char email[128], today[11], *doc;
	long long org = harness_make_user("utility", "water", true, email);
	char *token = harness_login(email, HARNESS_PASSWORD);
	cal_day_format(cal_day_of_instant((int64_t)time(NULL)), today);
	cr_assert(asprintf(&doc,
			   "{\"utility_kind\":\"water\",\"effective_from\":\"%s\",\"items\":["
			   "{\"code\":\"W-CONN\",\"name_zh\":\"供水接入\",\"name_en\":\"Water "
			   "connection\",\"unit\":\"per_dn_band\",\"unit_price_fen\":%lld,"
			   "\"conditions\":{\"dn_min\":15,\"dn_max\":300},"
			   "\"legal_basis\":\"Second company notice 1\"}]}",
			   today, OTHER_FEN) > 0);
	json_t *d = journey_call("POST", "/v1/fee-schedules", token, doc, 201);
	char path[96];
	snprintf(path, sizeof(path), "/v1/fee-schedules/%lld/publish",
		 (long long)json_integer_value(json_object_get(d, "id")));
	json_t *p = journey_call("POST", path, token, NULL, 200);
	cr_expect_eq(json_integer_value(json_object_get(p, "version")), 1,
		     "its own first version, whatever the other water company published");
	json_decref(p);
	json_decref(d);
	free(doc);
	free(token);
	return org;
}

/* The first W-CONN price of the schedule of org in a list of schedules, or -1. */
static long long wconn_of(json_t *schedules, long long org)
{
	size_t i, k;
	json_t *s, *it;
	json_array_foreach(schedules, i, s)
	{
		if (json_integer_value(json_object_get(s, "organisation_id")) != org)
			continue;
		json_array_foreach(json_object_get(s, "items"), k, it)
		{
			const char *code = json_string_value(json_object_get(it, "code"));
			long long dn_max = json_integer_value(
				json_object_get(json_object_get(it, "conditions"), "dn_max"));
			/* the band holding DN 50 */
			if (code && !strcmp(code, "W-CONN") && dn_max >= 50)
				return json_integer_value(json_object_get(it, "unit_price_fen"));
		}
	}
	return -1;
}

static void check_public_reads(long long demo, long long other)
{
	/* all in force (the demo's city and Fuqing companies, and this one), each with its
	 * organisation, by organisation id */
	json_t *f = journey_call("GET", "/v1/public/fees?utility=water", NULL, NULL, 200);
	json_t *list = json_object_get(f, "schedules");
	cr_assert_eq(json_array_size(list), 3, "%s", json_dumps(f, 0));
	cr_expect_eq(json_integer_value(json_object_get(json_array_get(list, 0), "organisation_id")),
		     demo);
	cr_expect_eq(json_integer_value(json_object_get(json_array_get(list, 2), "organisation_id")),
		     other);
	const char *n0 = json_string_value(json_object_get(json_array_get(list, 0), "organisation"));
	const char *n1 = json_string_value(json_object_get(json_array_get(list, 2), "organisation"));
	cr_assert(n0 && n1 && *n0 && *n1);
	cr_expect_str_neq(n0, n1);
	cr_expect_eq(wconn_of(list, demo), SAMPLE_FEN);
	cr_expect_eq(wconn_of(list, other), OTHER_FEN);
	json_decref(f);

	/* ?org= selects one */
	char path[128];
	snprintf(path, sizeof(path), "/v1/public/fees?utility=water&org=%lld", other);
	f = journey_call("GET", path, NULL, NULL, 200);
	cr_expect_eq(json_array_size(json_object_get(f, "schedules")), 1);
	cr_expect_eq(wconn_of(json_object_get(f, "schedules"), other), OTHER_FEN);
	json_decref(f);

	/* history: each in force among its own company's versions */
	f = journey_call("GET", "/v1/public/fees/history?utility=water", NULL, NULL, 200);
	size_t i;
	json_t *s;
	int in_force = 0;
	json_array_foreach(json_object_get(f, "schedules"), i, s)
	{
		long long org = json_integer_value(json_object_get(s, "organisation_id"));
		if ((org == demo || org == other) &&
		    !strcmp(json_string_value(json_object_get(s, "status")), "in_force"))
			in_force++;
	}
	cr_expect_eq(in_force, 2, "neither supersedes the other: %s", json_dumps(f, 0));
	json_decref(f);

	/* the page shows one section per organisation, each with its own price */
	struct reply r;
	cr_assert_eq(http_call(&r, "GET", "/fees?utility=water&lang=en", NULL, NULL, NULL), 200);
	char id0[48], id1[48];
	snprintf(id0, sizeof(id0), "id=\"water-org-%lld\"", demo);
	snprintf(id1, sizeof(id1), "id=\"water-org-%lld\"", other);
	char *a = strstr(r.body, id0), *b = strstr(r.body, id1);
	cr_expect(a && b && a < b, "both companies' sections, by id");
	cr_expect(b && strstr(b, "¥3,333.00"), "the second company's price in its section");
	cr_expect(a && strstr(a, "¥2,500.00") && strstr(a, "¥2,500.00") < b,
		  "the demo company's price in its section");
	reply_release(&r);

	/* the estimate: the organisation named, else the first that has one in force */
	static const char est[] = "{\"utility_kinds\":[%s],\"params\":{\"dn\":50,\"meters\":1,"
				  "\"length_m\":0}}";
	char body[256], kind[64];
	snprintf(body, sizeof(body), est, "\"water\"");
	f = journey_call("POST", "/v1/public/fee-estimate", NULL, body, 200);
	cr_expect_eq(json_integer_value(json_object_get(f, "total_fen")), SAMPLE_FEN);
	cr_expect_eq(json_integer_value(json_object_get(
			     json_array_get(json_object_get(f, "organisations"), 0), "organisation_id")),
		     demo);
	json_decref(f);
	snprintf(kind, sizeof(kind), "{\"kind\":\"water\",\"org_id\":%lld}", other);
	snprintf(body, sizeof(body), est, kind);
	f = journey_call("POST", "/v1/public/fee-estimate", NULL, body, 200);
	cr_expect_eq(json_integer_value(json_object_get(f, "total_fen")), OTHER_FEN);
	json_decref(f);
}

/* A water-only application for DN 50; returns it (the caller releases). */
static json_t *water_application(const char *token)
{
	char body[4096];
	snprintf(body, sizeof(body),
		 "{\"name\":\"Block %d\",\"address\":\"88 Jingshi Road\",\"district\":\"350102\","
		 "\"lat\":26.108,\"lng\":119.252,\"plot_ref\":\"PLOT-7\",\"zone_risk\":\"medium\"}",
		 harness_unique());
	json_t *site = journey_call("POST", "/v1/sites", token, body, 201);
	json_t *materials = journey_upload_required(token);
	char *m = json_dumps(materials, JSON_COMPACT);
	snprintf(body, sizeof(body),
		 "{\"site_id\":%lld,\"utilities\":{\"water\":{\"dn\":50,\"use\":\"domestic\"}},"
		 "\"materials\":%s}",
		 (long long)json_integer_value(json_object_get(site, "id")), m);
	json_t *app = journey_call("POST", "/v1/applications", token, body, 201);
	free(m);
	json_decref(materials);
	json_decref(site);
	return app;
}

static json_t *act(long long job, const char *token, const char *body, long want)
{
	char path[96];
	snprintf(path, sizeof(path), "/v1/jobs/%lld/transitions", job);
	return journey_call("POST", path, token, body, want);
}

Test(fees_org, two_water_companies_each_keep_their_own_fees)
{
	char *water = demo_login("water"), *applicant = demo_login("applicant");
	long long demo = my_org(water);
	long long other = second_water_company();
	cr_assert_lt(demo, other);
	check_public_reads(demo, other);

	/* the job goes to the demo company: its prices estimate it, whatever the other's are */
	json_t *app = water_application(applicant);
	json_t *job = json_array_get(json_object_get(app, "jobs"), 0);
	long long jid = json_integer_value(json_object_get(job, "id"));
	json_t *estimate = json_object_get(app, "estimate");
	char *text = json_dumps(estimate, JSON_COMPACT);
	cr_expect_eq(json_integer_value(json_object_get(estimate, "total_fen")), SAMPLE_FEN, "%s",
		     text);
	char other_price[48];
	snprintf(other_price, sizeof(other_price), "\"unit_price_fen\":%lld", OTHER_FEN);
	cr_expect_null(strstr(text, other_price), "no line at the other company's price: %s", text);
	free(text);

	/* and its quote: at the other company's price it is refused, at its own it is accepted */
	json_decref(act(jid, water, "{\"action\":\"accept\"}", 200));
	json_decref(act(jid, water,
			"{\"action\":\"survey\",\"connection_point\":{\"lat\":1,\"lng\":2}}", 200));
	static const char plan[] = "{\"action\":\"plan\",\"permits_needed\":[],\"quote\":["
				   "{\"code\":\"W-CONN\",\"quantity\":1,\"unit_price_fen\":%lld}]}";
	char body[256];
	snprintf(body, sizeof(body), plan, OTHER_FEN);
	json_t *e = act(jid, water, body, 422);
	text = json_dumps(e, JSON_COMPACT);
	cr_expect(strstr(text, "price_mismatch"), "%s", text);
	free(text);
	json_decref(e);
	snprintf(body, sizeof(body), plan, SAMPLE_FEN);
	json_t *j = act(jid, water, body, 200);
	cr_expect_str_eq(json_string_value(json_object_get(j, "state")), "planned");
	json_decref(j);
	json_decref(app);
	free(water);
	free(applicant);
}
