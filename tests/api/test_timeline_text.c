/*
 * GET /v1/applications/{id} writes its JSON text straight from the rows (portal/tracks.c
 * tracks_job_text / tracks_permit_text, store/history.c store_timeline_text, lib/jtext.c). Its
 * answer must be what the read answered when it built a Jansson tree: the old builder is kept
 * here, verbatim, on the same store functions, and the reply must equal its json_text byte for
 * byte (so field by field) for applications with every optional part, for every kind of caller,
 * and refuse the same callers with the same status.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/secrets.h"
#include "portal/tracks.h"
#include "store/accounts.h"
#include "store/applications.h"
#include "store/db.h"
#include "store/history.h"
#include "store/jobs.h"
#include "store/permits.h"
#include "store/projects.h"
#include "store/sites.h"
#include "support/harness.h"
#include "support/journey.h"
#include "workflows/authz.h"
#include "lib/json_text.h"

#define DEMO "demo-password-1"

static struct harness_server *srv;
static void setup(void) { srv = harness_server_start(); }
static void teardown(void) { harness_server_stop(srv); }
TestSuite(timeline_text, .init = setup, .fini = teardown, .timeout = 120);

/* --- the read as it was (portal/applications_api.c app_get_tx before the text writer) ----- */

struct old_view {
	const struct authz_caller *caller;
	long long id;
	json_t *reply;
};

static int old_app_get_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct old_view *v = ctx;
	struct application_row a;
	struct job_row *jobs = NULL;
	struct permit_row *permits = NULL;
	size_t nj = 0, np = 0;
	int rc = store_application_get(c, v->id, &a, err);
	if (rc)
		return rc;
	rc = store_jobs_of_application(c, a.id, &jobs, &nj, err);
	if (!rc)
		rc = store_permits_of_application(c, a.id, &permits, &np, err);
	long long parties[16];
	int n = 0;
	for (size_t i = 0; i < nj && n < 16; i++)
		parties[n++] = jobs[i].utility_org_id;
	for (size_t i = 0; i < np && n < 16; i++)
		parties[n++] = permits[i].authority_org_id;
	struct authz_object obj = { a.org_id, parties, n };
	if (!rc)
		rc = authz_check(v->caller, AZ_APP_READ, &obj, err);
	json_t *timeline = NULL;
	if (!rc)
		rc = store_timeline(c, a.id, &timeline, err);
	struct site_row site;
	if (!rc)
		rc = store_site_get(c, a.site_id, &site, err);
	if (!rc) {
		day_t today = tracks_today();
		json_t *jarr = json_array(), *parr = json_array();
		for (size_t i = 0; i < nj; i++)
			json_array_append_new(jarr, tracks_job_json(&jobs[i], v->caller, today));
		for (size_t i = 0; i < np; i++)
			json_array_append_new(parr, tracks_permit_json(&permits[i], v->caller, today));
		json_t *est = json_loads(a.estimate, 0, NULL);
		v->reply = json_pack("{s:I, s:s, s:s, s:s, s:{s:I, s:s, s:s, s:s?}, s:I, s:o, s:o, s:o, s:o, s:i}",
				     "id", (json_int_t)a.id, "reference", a.reference, "status",
				     a.status, "submitted_at", a.submitted_at, "site", "id",
				     (json_int_t)site.id, "name", site.name, "district", site.district,
				     "zone_risk_claimed", site.zone_risk[0] ? site.zone_risk : NULL, "estimate_total_fen",
				     (json_int_t)a.estimate_total_fen, "estimate",
				     est ? est : json_null(), "jobs", jarr, "permits", parr,
				     "timeline", timeline, "version", a.version);
		timeline = NULL;
		char ref[24];
		store_project_reference(a.project_id, ref);
		json_object_set_new(v->reply, "project", a.project_id ? json_string(ref) : json_null());
	}
	json_decref(timeline);
	for (size_t i = 0; i < nj; i++)
		store_job_row_release(&jobs[i]);
	for (size_t i = 0; i < np; i++)
		store_permit_row_release(&permits[i]);
	free(jobs);
	free(permits);
	store_application_row_release(&a);
	return rc;
}

/* The caller a token stands for, as the portal resolves it. */
static void caller_of(const char *token, struct authz_caller *out)
{
	unsigned char hash[32];
	secret_token_hash(token, hash);
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	struct error err = ERROR_INIT;
	cr_assert_eq(store_session_caller(c, hash, 86400, out, &err), 0, "%s", err.message);
	store_release(c);
}

/* The old read's status for the caller of token: 200 with its tree in *reply, or the error's. */
static long old_read(const char *token, long long id, json_t **reply)
{
	struct authz_caller caller;
	caller_of(token, &caller);
	struct old_view v = { .caller = &caller, .id = id };
	struct error err = ERROR_INIT;
	int rc = store_with(harness_pool(), old_app_get_tx, &v, &err);
	*reply = v.reply;
	switch (rc) {
	case 0: return 200;
	case ERR_NOT_FOUND: return 404;
	case ERR_FORBIDDEN: return 403;
	default: return 500;
	}
}

/* The new reply must be the old one, byte for byte; on a refusal, the same status. */
static void same_as_before(const char *who, const char *token, long long id, long want)
{
	json_t *old = NULL;
	long old_status = old_read(token, id, &old);
	cr_assert_eq(old_status, want, "%s: the old read answered %ld", who, old_status);
	char path[64];
	snprintf(path, sizeof(path), "/v1/applications/%lld", id);
	struct reply r;
	cr_assert_eq(http_call(&r, "GET", path, token, NULL, NULL), want, "%s: %s", who, r.body);
	if (want == 200) {
		char *expected = json_text(old);
		cr_assert(expected);
		cr_expect_str_eq(r.body, expected, "%s: the reply is the old tree's text", who);
		cr_expect(json_equal(r.json, old), "%s: field by field", who);
		char *again = json_text(r.json);
		cr_expect_str_eq(again, r.body, "%s: the text json_text writes of it", who);
		free(again);
		free(expected);
	}
	json_decref(old);
	reply_release(&r);
}

/* --- applications with every optional part --------------------------------------------- */

static long long make_site(const char *token)
{
	char body[512];
	snprintf(body, sizeof(body),
		 "{\"name\":\"Block %d \\\"北\\\"\",\"address\":\"88 Jingshi Road\","
		 "\"district\":\"350102\",\"lat\":26.108,\"lng\":119.252,\"plot_ref\":\"PLOT-7\","
		 "\"zone_risk\":\"medium\"}",
		 harness_unique());
	json_t *j = journey_call("POST", "/v1/sites", token, body, 201);
	long long id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	return id;
}

/* Water and power with a dig (so a road permit); the application's id, its tracks' ids. */
static long long submit(const char *tok, long long *water_job, long long *power_job,
			long long *permit)
{
	long long site = make_site(tok);
	json_t *materials = journey_upload_required(tok);
	char *m = json_dumps(materials, JSON_COMPACT);
	char body[4096];
	snprintf(body, sizeof(body),
		 "{\"site_id\":%lld,\"utilities\":{\"water\":{\"dn\":50,\"use\":\"domestic\"},"
		 "\"power\":{\"kw\":80,\"voltage_level\":\"0.4kV\"}},"
		 "\"works\":{\"excavations\":[{\"utility\":\"power\"," JOURNEY_DIG_WUSI ","
		 "\"width_m\":1,\"start_date\":\"%s\",\"end_date\":\"%s\"}]},\"materials\":%s}",
		 site, journey_day(1), journey_day(20), m);
	json_t *a = journey_call("POST", "/v1/applications", tok, body, 201);
	long long id = json_integer_value(json_object_get(a, "id"));
	json_t *t;
	size_t i;
	json_array_foreach(json_object_get(a, "jobs"), i, t)
	{
		const char *k = json_string_value(json_object_get(t, "utility_kind"));
		long long jid = json_integer_value(json_object_get(t, "id"));
		if (!strcmp(k, "water"))
			*water_job = jid;
		else if (!strcmp(k, "power"))
			*power_job = jid;
	}
	*permit = json_integer_value(json_object_get(json_array_get(json_object_get(a, "permits"), 0), "id"));
	cr_assert(id && *water_job && *power_job && *permit, "the submission made both tracks");
	json_decref(a);
	json_decref(materials);
	free(m);
	return id;
}

static void act(const char *kind, long long id, const char *token, const char *body)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/%s/%lld/transitions", kind, id);
	json_decref(journey_call("POST", path, token, body, 200));
}

static void sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sql(const char *fmt, ...)
{
	char *q = NULL;
	va_list ap;
	va_start(ap, fmt);
	cr_assert(vasprintf(&q, fmt, ap) >= 0);
	va_end(ap);
	harness_sql(harness_db_name(), q);
	free(q);
}

Test(timeline_text, the_reply_is_what_the_tree_wrote_for_every_part_and_caller)
{
	char *tok = journey_login("applicant"), *water = journey_login("water"), *power = journey_login("power");
	char *road = journey_login("road"), *gas = journey_login("gas");
	char stranger_email[128];
	harness_make_user("applicant", NULL, false, stranger_email);
	char *stranger = harness_login(stranger_email, "correct-horse-battery");

	/* A: water returned (a paused clock), power submitted, the road permit
	 * decided with a window, conditions and an extension asked for, a cited project */
	long long wj, pj, permit;
	long long a = submit(tok, &wj, &pj, &permit);
	act("jobs", wj, water,
	    "{\"action\":\"return\",\"items\":[{\"code\":\"MATERIAL_ILLEGIBLE\","
	    "\"comment\":\"扫描不清 \\\"plan\\\"\\n\"}]}");
	sql("INSERT INTO projects (org_id, name, district_code, geometry, needs, hookup_day, "
	    "materials, created_by_org) SELECT org_id, 'Cited', '350102', "
	    "ST_GeomFromText('POINT(119.25 26.1)'), '[]', CURDATE(), '[]', org_id "
	    "FROM applications WHERE id = %lld",
	    a);
	sql("UPDATE applications SET project_id = (SELECT MAX(id) FROM projects), "
	    "estimate = '{\"total_fen\": 1200, \"rate\": 1.50, \"x\": [1e2, -0, 0.1]}' "
	    "WHERE id = %lld",
	    a);
	/* stored JSON in forms json_text would write differently, and in its own form */
	sql("UPDATE jobs SET quote = '{\"lines\":[{\"fen\":100,\"qty\":2.5}],\"a\":1,\"a\":2}', "
	    "quote_total_fen = 12345, permits_needed = '[ %lld ]', "
	    "connection_point = '{\"lat\":26.1,\"lng\":119.25,\"agreed_in_guidance\":true}' "
	    "WHERE id = %lld",
	    permit, pj);
	sql("UPDATE permits SET decision = 'approved', is_deemed = 1, "
	    "conditions = '[\"night work only\",\"\\\\u00e9\\\\/\",{\"n\":-1.0}]', "
	    "decision_reason = '{\"n\":12345678901234567890}', "
	    "window_from = CURDATE(), window_to = CURDATE() + INTERVAL 9 DAY, "
	    "extension_pending = 1, extension_to = CURDATE() + INTERVAL 30 DAY, "
	    "deadline_day = CURDATE() + INTERVAL 3 DAY, trigger_reason = 'lines \"out\"' "
	    "WHERE id = %lld",
	    permit);
	sql("UPDATE transitions SET payload = 'not json' WHERE application_id = %lld "
	    "ORDER BY id LIMIT 1",
	    a);
	sql("INSERT INTO transitions (application_id, object_type, object_id, action, from_state, "
	    "to_state, actor_role, payload, at, stage, due_day) VALUES (%lld, 'permit', %lld, "
	    "'note', NULL, 'submitted', 'system', '{\"deep\":[[[[{\"k\":\"v\"}]]]],\"r\":-2.25,"
	    "\"note\":\"完成 \\\\\"ok\\\\\"\\\\t\",\"n\":1.0,\"e\":1e-7}', "
	    "UTC_TIMESTAMP(6), 'review', CURDATE())",
	    a, permit);

	/* B: water accepted, nothing decided, no project, no zone claimed */
	long long wj2, pj2, permit2;
	long long b = submit(tok, &wj2, &pj2, &permit2);
	sql("UPDATE sites SET zone_risk = NULL WHERE id = (SELECT site_id FROM applications "
	    "WHERE id = %lld)",
	    b);
	sql("UPDATE permits SET deadline_day = NULL WHERE id = %lld", permit2);
	act("jobs", wj2, water, "{\"action\":\"accept\"}");

	/* C: power's clock stopped (no stage), the permit paused */
	long long wj3, pj3, permit3;
	long long c = submit(tok, &wj3, &pj3, &permit3);
	sql("UPDATE jobs SET stage = NULL, stage_limit_days = NULL, started_day = NULL, "
	    "due_day = NULL WHERE id = %lld",
	    pj3);
	sql("UPDATE permits SET paused = 1, paused_day = CURDATE(), remaining_days = 4, "
	    "deadline_day = NULL, due_day = CURDATE() - INTERVAL 40 DAY WHERE id = %lld",
	    permit3);
	sql("UPDATE jobs SET due_day = CURDATE() - INTERVAL 40 DAY WHERE id = %lld", wj3);

	const long long apps[] = { a, b, c };
	for (size_t i = 0; i < 3; i++) {
		same_as_before("applicant", tok, apps[i], 200);
		same_as_before("water", water, apps[i], 200);
		same_as_before("power", power, apps[i], 200);
		same_as_before("road", road, apps[i], 200);
		/* not a party: refused as before */
		same_as_before("gas", gas, apps[i], 404);
		same_as_before("another applicant", stranger, apps[i], 404);
	}
	/* the parts the reply was meant to show are there */
	struct reply r;
	char path[64];
	snprintf(path, sizeof(path), "/v1/applications/%lld", a);
	cr_assert_eq(http_call(&r, "GET", path, tok, NULL, NULL), 200);
	cr_expect(json_is_string(json_object_get(r.json, "project")));
	cr_expect(strstr(r.body, "\"paused\":true"), "a paused clock");
	cr_expect(strstr(r.body, "\"extension_requested_to\":"), "an extension");
	cr_expect(strstr(r.body, "\"detail\":{}"), "a payload that does not load");
	cr_expect(strstr(r.body, "\"rate\":1.5,"), "a real as json_text writes it");
	reply_release(&r);
	snprintf(path, sizeof(path), "/v1/applications/%lld", b);
	cr_assert_eq(http_call(&r, "GET", path, tok, NULL, NULL), 200);
	cr_expect(json_is_null(json_object_get(json_object_get(r.json, "site"), "zone_risk_claimed")));
	cr_expect(json_is_null(json_object_get(r.json, "project")));
	reply_release(&r);
	/* no such application */
	same_as_before("applicant", tok, 999999999, 404);
	free(tok);
	free(water);
	free(power);
	free(road);
	free(gas);
	free(stranger);
}
