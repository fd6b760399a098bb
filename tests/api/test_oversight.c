/*
 * Oversight end to end: the demo history's signed certificates verify (and fail after one
 * changed byte), a revoked permit's certificate says so, statistics and open data come from the
 * history, ratings are once only and a bad one opens a follow-up, supervision lists what is
 * overdue and every pause, the digest runs once a day, the audit chain finds a changed and a
 * removed entry, and the portal's database account cannot rewrite audit rows.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <mysql.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "portal/keys.h"
#include "portal/oversight_api.h"
#include "portal/serve.h"
#include "store/audit.h"
#include "store/db.h"
#include "demo/fuzhou.h"
#include "support/harness.h"
#include "support/journey.h"
#include "workflows/certificate.h"

#define DEMO "demo-password-1"

static struct harness_server *srv;
static void setup(void)
{
	srv = harness_server_start();
}
static void teardown(void)
{
	harness_server_stop(srv);
}
TestSuite(oversight, .init = setup, .fini = teardown, .timeout = 120);

/* The first cell of a query's first row as text (caller frees), or NULL. */
static char *scalar(const char *sql)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	struct store_result *r = NULL;
	struct error err = ERROR_INIT;
	cr_assert_eq(store_exec(c, sql, NULL, 0, &r, &err), 0, "%s: %s", sql, err.message);
	char *v = r->nrows && store_cell(r, 0, 0) ? strdup(store_cell(r, 0, 0)) : NULL;
	store_result_free(r);
	store_release(c);
	return v;
}

static const char SQL_JOB_CERT[] =
    "SELECT number FROM certificates WHERE object_type = 'job' ORDER BY id LIMIT 1";
static const char SQL_DEMO_JOB[] =
    "SELECT j.id FROM jobs j JOIN applications a ON a.id = j.application_id "
    "JOIN users u ON u.org_id = a.org_id WHERE u.email = 'applicant@demo.test' "
    "AND j.state = 'completed' ORDER BY j.id LIMIT 1";

static void verify_reply(json_t *c, bool want_ok)
{
	const char *doc = json_string_value(json_object_get(c, "document"));
	json_t *sig = json_object_get(c, "signature");
	const char *value = json_string_value(json_object_get(sig, "value"));
	const char *pk64 = json_string_value(json_object_get(sig, "public_key"));
	cr_assert(doc && value && pk64, "document, signature and key: %s", json_dumps(c, 0));
	unsigned char pk[32];
	size_t n = 0;
	cr_assert_eq(sodium_base642bin(pk, 32, pk64, strlen(pk64), NULL, &n, NULL,
				       sodium_base64_VARIANT_ORIGINAL),
		     0);
	cr_assert_eq(n, 32);
	int rc = certificate_verify(doc, strlen(doc), value, pk, NULL);
	cr_expect_eq(rc == 0, want_ok, "verification");
	/* the published document is exactly the canonical form of its parsed fields */
	char *again = certificate_canonical_json(json_object_get(c, "certificate"), NULL);
	cr_expect_str_eq(again, doc);
	/* and one changed byte no longer verifies */
	char *copy = strdup(doc);
	copy[strlen(copy) / 2] ^= 1;
	cr_expect_eq(certificate_verify(copy, strlen(copy), value, pk, NULL), ERR_INVALID);
	free(copy);
	free(again);
}

Test(oversight, the_demo_connection_certificate_verifies)
{
	char *number = scalar(SQL_JOB_CERT);
	cr_assert(number, "seed-demo left a completed connection with a certificate");
	cr_expect_eq(strncmp(number, "EC-20", 5), 0, "%s", number);
	char path[128];
	snprintf(path, sizeof(path), "/v1/public/certificates/%s", number);
	json_t *c = journey_call("GET", path, NULL, NULL, 200);
	cr_expect_str_eq(json_string_value(json_object_get(c, "status")), "valid");
	json_t *cert = json_object_get(c, "certificate");
	cr_expect_str_eq(json_string_value(json_object_get(cert, "number")), number);
	cr_expect_str_eq(json_string_value(json_object_get(cert, "site_district")), "350102");
	cr_expect(json_string_value(json_object_get(cert, "holder")));
	verify_reply(c, true);
	/* the signing key is published */
	json_t *keys = journey_call("GET", "/v1/public/keys", NULL, NULL, 200);
	char *text = json_dumps(keys, 0);
	cr_expect(strstr(text, json_string_value(json_object_get(cert, "key_id"))), "%s", text);
	cr_expect(strstr(text, "\"use\": \"certificate\""), "%s", text);
	free(text);
	json_decref(keys);
	json_decref(c);
	json_decref(journey_call("GET", "/v1/public/certificates/EC-1999-000001", NULL, NULL, 404));
	free(number);
}

/*
 * A fast-tracked dig of an applicant of its own (a revocation writes a serious credit entry
 * against the applicant, which would cost the demo applicant other suites use its fast track):
 * its permit's certificate number into number and the permit id into pid (both caller frees).
 */
static void own_fast_tracked_permit(char **number, char **pid)
{
	/* two buffers: the statement cache knows a statement by its text's address */
	char email[128], site[512], sql[256], sql2[256];
	harness_make_user("applicant", NULL, true, email);
	char *tok = harness_login(email, "correct-horse-battery");
	snprintf(site, sizeof(site),
		 "{\"name\":\"Revoked %d\",\"address\":\"88 Jingshi Road\",\"district\":\"350102\","
		 "\"lat\":26.108,\"lng\":119.252,\"plot_ref\":\"PLOT-9\",\"zone_risk\":\"low\"}",
		 harness_unique());
	json_t *s = journey_call("POST", "/v1/sites", tok, site, 201);
	json_t *materials = journey_upload_required(tok);
	char *body = journey_submission(json_integer_value(json_object_get(s, "id")), materials);
	json_t *app = journey_call("POST", "/v1/applications", tok, body, 201);
	snprintf(sql, sizeof(sql),
		 "SELECT c.object_id FROM certificates c JOIN permits p ON p.id = c.object_id "
		 "WHERE c.object_type = 'permit' AND p.fast_track = 1 AND p.application_id = %lld "
		 "ORDER BY c.id LIMIT 1",
		 (long long)json_integer_value(json_object_get(app, "id")));
	*pid = scalar(sql);
	cr_assert(*pid, "the fast-tracked dig-road permit has a certificate");
	snprintf(sql2, sizeof(sql2),
		 "SELECT number FROM certificates WHERE object_type = 'permit' AND object_id = %s",
		 *pid);
	*number = scalar(sql2);
	json_decref(app);
	free(body);
	json_decref(materials);
	json_decref(s);
	free(tok);
}

Test(oversight, a_revoked_permits_certificate_shows_revoked)
{
	char *number = NULL, *pid = NULL;
	own_fast_tracked_permit(&number, &pid);
	cr_assert(number && pid, "the fast-tracked dig-road permit has a certificate");
	char path[128];
	snprintf(path, sizeof(path), "/v1/public/certificates/%s", number);
	json_t *c = journey_call("GET", path, NULL, NULL, 200);
	cr_expect_str_eq(json_string_value(json_object_get(c, "status")), "valid");
	json_decref(c);
	char *road = journey_login("road");
	char tpath[128];
	snprintf(tpath, sizeof(tpath), "/v1/permits/%s/transitions", pid);
	json_t *p = journey_call("POST", tpath, road,
			 "{\"action\":\"revoke\",\"reason_code\":\"COMMITMENT_FALSE\","
			 "\"comment\":\"commitment not kept\"}",
			 200);
	cr_expect_str_eq(json_string_value(json_object_get(p, "state")), "revoked");
	json_decref(p);
	c = journey_call("GET", path, NULL, NULL, 200);
	cr_expect_str_eq(json_string_value(json_object_get(c, "status")), "revoked");
	verify_reply(c, true); /* still authentic: it says what was granted, and is now revoked */
	json_decref(c);
	free(road);
	free(number);
	free(pid);
}

Test(oversight, statistics_come_from_the_history)
{
	json_t *s = journey_call("GET", "/v1/public/stats", NULL, NULL, 200);
	json_t *districts = json_object_get(json_object_get(s, "groups"), "district");
	bool found = false;
	size_t i;
	json_t *row;
	json_array_foreach(districts, i, row)
	{
		if (!strcmp(json_string_value(json_object_get(row, "key")), "350102")) {
			found = true;
			cr_expect_geq(json_integer_value(json_object_get(row, "count")), 1);
			cr_expect(json_is_number(json_object_get(row, "median_days")));
			cr_expect(json_is_integer(json_object_get(row, "rank")));
		}
	}
	cr_expect(found, "the demo district has figures: %s", json_dumps(s, 0));
	cr_expect(json_array_size(json_object_get(json_object_get(s, "rankings"), "district")) >=
		  1);
	cr_expect(json_array_size(json_object_get(json_object_get(s, "groups"), "stage")) >= 1);
	json_decref(s);

	struct reply r;
	http_call(&r, "GET", "/v1/public/stats?format=csv", NULL, NULL, NULL);
	cr_assert_eq(r.status, 200);
	char h[128];
	cr_expect(reply_header(&r, "Content-Type", h, sizeof(h)) && strstr(h, "text/csv"));
	cr_expect(strstr(r.body, "dimension,key,count,median_days") == r.body, "%s", r.body);
	cr_expect(strstr(r.body, "district,\"350102\","), "%s", r.body);
	reply_release(&r);
	static const char *const accept[] = {"Accept: text/csv", NULL};
	http_call(&r, "GET", "/v1/public/stats", NULL, NULL, accept);
	cr_expect(strstr(r.body, "dimension,key") == r.body);
	reply_release(&r);

	http_call(&r, "GET", "/stats?lang=en", NULL, NULL, NULL);
	cr_assert_eq(r.status, 200);
	cr_expect(strstr(r.body, "<svg"), "a server-drawn chart");
	cr_expect(strstr(r.body, "350102"));
	cr_expect_null(strstr(r.body, "<script"));
	cr_expect(reply_header(&r, "Content-Security-Policy", h, sizeof(h)));
	reply_release(&r);

	http_call(&r, "GET", "/v1/public/open-data/applications.csv", NULL, NULL, NULL);
	cr_assert_eq(r.status, 200);
	cr_expect(strstr(r.body, "object,kind,district,road_segment,submitted_on") == r.body);
	/* the demo journey digs Nanhou Street (demo/fuzhou.c's second site) */
	cr_expect(strstr(r.body, "\"南后街 0-"), "road segment: %s", r.body);
	cr_expect_null(strstr(r.body, "Huaxin"), "no names");
	cr_expect_null(strstr(r.body, fz_sites[1].address_zh), "no addresses");
	cr_expect_null(strstr(r.body, "HK-"), "no references");
	reply_release(&r);
}

Test(oversight, ratings_are_once_and_a_bad_one_opens_a_follow_up)
{
	char *job = scalar(SQL_DEMO_JOB);
	cr_assert(job);
	char *app = journey_login("applicant"), *water = journey_login("water"), *gas = journey_login("gas");
	char *office = journey_login("office");
	char body[256];
	snprintf(body, sizeof(body),
		 "{\"object\":\"job\",\"id\":%s,\"score\":\"bad\",\"comment\":\"three visits\"}",
		 job);
	json_decref(journey_call("POST", "/v1/ratings", water, body, 403));
	char email[128];
	harness_make_user("applicant", NULL, true, email);
	char *stranger = harness_login(email, HARNESS_PASSWORD);
	json_decref(journey_call("POST", "/v1/ratings", stranger, body, 404));
	json_t *rating = journey_call("POST", "/v1/ratings", app, body, 201);
	long long fu = json_integer_value(json_object_get(rating, "follow_up_id"));
	cr_assert_gt(fu, 0, "a bad rating opens a follow-up");
	json_decref(rating);
	json_decref(journey_call("POST", "/v1/ratings", app, body, 409));
	snprintf(body, sizeof(body), "{\"object\":\"job\",\"id\":%s,\"score\":\"great\"}", job);
	json_decref(journey_call("POST", "/v1/ratings", app, body, 422));

	char path[128];
	snprintf(path, sizeof(path), "/v1/follow-ups/%lld/answer", fu);
	json_decref(journey_call("POST", path, gas, "{\"answer\":\"not ours\"}", 404));
	json_decref(journey_call("POST", path, office, "{\"answer\":\"x\"}", 403));
	json_t *f = journey_call("POST", path, water, "{\"answer\":\"one visit from now on\"}", 200);
	cr_expect_str_eq(json_string_value(json_object_get(f, "status")), "answered");
	json_decref(f);
	json_decref(journey_call("POST", path, water, "{\"answer\":\"again\"}", 409));
	json_t *mine = journey_call("GET", "/v1/follow-ups", water, NULL, 200);
	char *text = json_dumps(mine, 0);
	cr_expect(strstr(text, "one visit from now on"), "%s", text);
	free(text);
	json_decref(mine);
	json_t *theirs = journey_call("GET", "/v1/follow-ups", gas, NULL, 200);
	cr_expect_eq(json_array_size(json_object_get(theirs, "items")), 0);
	json_decref(theirs);
	snprintf(path, sizeof(path), "/v1/follow-ups/%lld/close", fu);
	json_decref(journey_call("POST", path, water, "{}", 403));
	f = journey_call("POST", path, office, "{\"note\":\"answer accepted\"}", 200);
	cr_expect_str_eq(json_string_value(json_object_get(f, "status")), "closed");
	json_decref(f);
	json_decref(journey_call("POST", path, office, "{}", 409));

	/* the rating counts in the statistics (after the cache's next refresh) */
	free(job);
	free(app);
	free(water);
	free(gas);
	free(office);
	free(stranger);
}

Test(oversight, supervision_lists_overdue_stages_and_pauses_and_digests_once_a_day)
{
	char *job = scalar(SQL_DEMO_JOB);
	cr_assert(job);
	char sql[1024];
	int u = harness_unique();
	/* a stage that ran out in January 2020, and a pause with its reason and actor */
	snprintf(
	    sql, sizeof(sql),
	    "INSERT INTO jobs (application_id, reference, utility_kind, utility_org_id, state, "
	    "params, stage, stage_limit_days, started_day, due_day) SELECT application_id, "
	    "CONCAT(reference, '-LATE%d'), utility_kind, utility_org_id, 'accepted', '{}', "
	    "'survey', 3, '2020-01-01', '2020-01-06' FROM jobs WHERE id = %s",
	    u, job);
	harness_sql(harness_db_name(), sql);
	snprintf(
	    sql, sizeof(sql),
	    "INSERT INTO clock_pauses (object_type, object_id, stage, reason, items, actor_role, "
	    "actor_org_id, paused_at, paused_day, remaining_days) SELECT 'job', id, 'survey', "
	    "'supplement', '[{\"code\":\"PLAN_%d\"}]', 'utility', utility_org_id, "
	    "UTC_TIMESTAMP(6), CURDATE(), 2 FROM jobs WHERE id = %s",
	    u, job);
	harness_sql(harness_db_name(), sql);
	char *office = journey_login("office"), *water = journey_login("water");
	json_decref(journey_call("GET", "/v1/supervision/overdue", water, NULL, 403));
	json_t *o = journey_call("GET", "/v1/supervision/overdue", office, NULL, 200);
	char late[32];
	snprintf(late, sizeof(late), "-LATE%d", u);
	size_t i;
	json_t *it, *hit = NULL;
	json_array_foreach(json_object_get(o, "items"), i, it)
	{
		if (strstr(json_string_value(json_object_get(it, "reference")), late))
			hit = it;
	}
	cr_assert(hit, "the late stage is listed: %s", json_dumps(o, 0));
	cr_expect_str_eq(json_string_value(json_object_get(hit, "district")), "350102");
	cr_expect_str_eq(json_string_value(json_object_get(hit, "due_date")), "2020-01-06");
	cr_expect_gt(json_integer_value(json_object_get(hit, "days_overdue")), 1000,
		     "working days since 2020");
	cr_expect(json_string_value(json_object_get(json_object_get(hit, "organisation"), "name")));
	json_decref(o);

	json_t *p = journey_call("GET", "/v1/supervision/pauses?limit=200", office, NULL, 200);
	char *text = json_dumps(p, 0);
	char code[32];
	snprintf(code, sizeof(code), "PLAN_%d", u);
	cr_expect(strstr(text, code) && strstr(text, "\"supplement\"") &&
		      strstr(text, "\"utility\""),
		  "%s", text);
	free(text);
	json_decref(p);

	/* the digest: one event for the water company today, then nothing more today (another
	 * suite's sweep may have taken today's run already: start the day afresh) */
	harness_sql(harness_db_name(), "DELETE FROM digest_runs");
	struct app *app = NULL;
	struct error err = ERROR_INIT;
	cr_assert_eq(app_new(&app, &err), 0, "%s", err.message);
	int events = -1;
	cr_assert_eq(oversight_digest_run(app, &events, &err), 0, "%s", err.message);
	cr_expect_geq(events, 1);
	cr_assert_eq(oversight_digest_run(app, &events, &err), 0);
	cr_expect_eq(events, 0, "once a day");
	app_free(app);
	char *n = scalar("SELECT COUNT(*) FROM outbox WHERE event_type = 'supervision.digest'");
	cr_expect_geq(atoi(n), 1);
	free(n);
	free(office);
	free(water);
	free(job);
}

Test(oversight, the_audit_chain_names_a_changed_and_a_removed_entry)
{
	long long checked = 0, bad = 0;
	struct error err = ERROR_INIT;
	cr_assert_eq(store_audit_verify(harness_pool(), &checked, &bad, &err), 0, "%s",
		     err.message);
	cr_assert_gt(checked, 3);
	char *detail = scalar("SELECT detail FROM audit_log WHERE id = 3");
	harness_sql(harness_db_name(),
		    "UPDATE audit_log SET detail = '{\"forged\":true}' WHERE id = 3");
	cr_expect_eq(store_audit_verify(harness_pool(), &checked, &bad, &err), ERR_CONFLICT);
	cr_expect_eq(bad, 3, "names the changed entry: %s", err.message);
	error_release(&err);
	/* put it back exactly: the chain is whole again */
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	static const char SQL_RESTORE[] = "UPDATE audit_log SET detail = ? WHERE id = 3";
	struct store_param p[] = {P_STR(detail)};
	cr_assert_eq(store_run(c, SQL_RESTORE, p, 1, NULL, NULL, &err), 0);
	store_release(c);
	cr_expect_eq(store_audit_verify(harness_pool(), &checked, &bad, &err), 0, "%s",
		     err.message);
	/* a removal shows at the entry after it in its writer's chain */
	char *next = scalar("SELECT n.id FROM audit_log r JOIN audit_log n ON n.writer_id = "
			    "r.writer_id AND n.seq = r.seq + 1 WHERE r.id = 2");
	harness_sql(harness_db_name(), "DELETE FROM audit_log WHERE id = 2");
	cr_expect_eq(store_audit_verify(harness_pool(), &checked, &bad, &err), ERR_CONFLICT);
	cr_expect_eq(bad, atoll(next), "names the entry after the removed one: %s", err.message);
	free(next);
	error_release(&err);
	free(detail);
}

Test(oversight, the_portal_account_cannot_rewrite_audit_rows)
{
	char pw[64];
	snprintf(pw, sizeof(pw), "pa-%d-%u", harness_unique(), randombytes_random());
	char sql[200];
	snprintf(sql, sizeof(sql), "ALTER USER 'portal_app'@'%%' IDENTIFIED BY '%s' ACCOUNT UNLOCK",
		 pw);
	harness_sql(NULL, sql);
	MYSQL *m = mysql_init(NULL);
	cr_assert(mysql_real_connect(m, NULL, "portal_app", pw, harness_db_name(), 0,
				     getenv("PORTAL_TEST_SOCKET"), 0),
		  "connect as portal_app: %s", mysql_error(m));
	cr_expect_eq(mysql_query(m, "SELECT COUNT(*) FROM audit_log"), 0, "%s", mysql_error(m));
	MYSQL_RES *r = mysql_store_result(m);
	if (r)
		mysql_free_result(r);
	cr_expect_neq(mysql_query(m, "UPDATE audit_log SET detail = '{}' WHERE id = 1"), 0);
	cr_expect_eq(mysql_errno(m), 1142, "UPDATE denied: %s", mysql_error(m));
	cr_expect_neq(mysql_query(m, "DELETE FROM audit_log WHERE id = 1"), 0);
	cr_expect_eq(mysql_errno(m), 1142, "DELETE denied: %s", mysql_error(m));
	cr_expect_eq(mysql_query(m, "UPDATE sites SET name = name WHERE id = 0"), 0,
		     "other tables stay writable: %s", mysql_error(m));
	cr_expect_eq(mysql_query(m, "UPDATE audit_head SET last_id = last_id WHERE id = 0"), 0,
		     "the chain head moves: %s", mysql_error(m));
	mysql_close(m);
	harness_sql(NULL, "ALTER USER 'portal_app'@'%' ACCOUNT LOCK");
}

Test(oversight, a_rotation_keeps_the_old_public_key_published)
{
	char dir[] = "/tmp/keytestXXXXXX";
	cr_assert(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/signing.key", dir);
	struct signing_key first;
	struct error err = ERROR_INIT;
	cr_assert_eq(keys_load_file(path, &first, &err), 0, "%s", err.message);
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600, "the key file is private");
	struct signing_key again;
	cr_assert_eq(keys_load_file(path, &again, &err), 0);
	cr_expect_str_eq(again.key_id, first.key_id, "loaded, not recreated");
	char id[25];
	cr_assert_eq(keys_rotate(harness_pool(), path, id, &err), 0, "%s", err.message);
	cr_expect_str_neq(id, first.key_id);
	json_t *k = journey_call("GET", "/v1/public/keys", NULL, NULL, 200);
	json_t *old = NULL, *fresh = NULL, *it;
	size_t i;
	json_array_foreach(json_object_get(k, "keys"), i, it)
	{
		const char *kid = json_string_value(json_object_get(it, "key_id"));
		if (!strcmp(kid, first.key_id))
			old = it;
		if (!strcmp(kid, id))
			fresh = it;
	}
	cr_assert(old && fresh, "%s", json_dumps(k, 0));
	cr_expect_str_eq(json_string_value(json_object_get(old, "status")), "retired");
	cr_expect_str_eq(json_string_value(json_object_get(fresh, "status")), "current");
	cr_expect_str_eq(json_string_value(json_object_get(old, "public_key")), first.public_b64);
	json_decref(k);
	unlink(path);
	rmdir(dir);
}
