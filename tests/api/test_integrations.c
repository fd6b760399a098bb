/*
 * portal/integrations_api.c over real HTTP: endpoint registration and rotation, the polling
 * feed, the office's delivery tools, and signed inbound callbacks with replay protection.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "integrations/webhook.h"
#include "store/db.h"
#include "store/sites.h"
#include "store/applications.h"
#include "store/jobs.h"
#include "store/outbox.h"
#include "support/harness.h"
#include "workflows/calendar.h"

static struct harness_server *srv;
static void setup(void) { srv = harness_server_start(); }
static void teardown(void) { harness_server_stop(srv); }
TestSuite(integrations, .init = setup, .fini = teardown);

/* A water utility with a signed-in admin and an API key. Strings are the caller's to free. */
struct party {
	long long org;
	char *token, *key;
};

static struct party water_utility(void)
{
	struct party p;
	char email[128], path[128];
	p.org = harness_make_user("utility", "water", true, email);
	p.token = harness_login(email, HARNESS_PASSWORD);
	snprintf(path, sizeof(path), "/v1/organisations/%lld/api-keys", p.org);
	struct reply r;
	cr_assert_eq(http_call(&r, "POST", path, p.token, "{}", NULL), 201, "%s", r.body);
	p.key = strdup(json_string_value(json_object_get(r.json, "key")));
	reply_release(&r);
	return p;
}

static void party_release(struct party *p)
{
	free(p->token);
	free(p->key);
}

/* Registers an endpoint and returns its secret (caller frees). */
static char *register_endpoint(const struct party *p)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/organisations/%lld/endpoint", p->org);
	struct reply r;
	cr_assert_eq(http_call(&r, "PUT", path, p->token, "{\"url\":\"http://127.0.0.1:9/hook\"}",
			       NULL),
		     201, "%s", r.body);
	char *secret = strdup(json_string_value(json_object_get(r.json, "secret")));
	reply_release(&r);
	return secret;
}

static const char SQL_LAST[] = "SELECT MAX(id) FROM outbox WHERE org_id = ?";

static long long emit(long long org, long long app)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	struct error err = ERROR_INIT;
	char payload[128];
	snprintf(payload, sizeof(payload), "{\"type\":\"job.accepted\",\"version\":1,\"n\":%d}",
		 harness_unique());
	cr_assert_eq(store_outbox_insert(c, org, app, "job.accepted", payload, &err), 0);
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(org) };
	cr_assert_eq(store_exec(c, SQL_LAST, p, 1, &r, &err), 0);
	long long id = store_cell_ll(r, 0, 0, 0);
	store_result_free(r);
	store_release(c);
	return id;
}

Test(integrations, endpoint_registration_and_rotation)
{
	struct party p = water_utility();
	char path[128], rot[160];
	snprintf(path, sizeof(path), "/v1/organisations/%lld/endpoint", p.org);
	snprintf(rot, sizeof(rot), "%s/rotate", path);
	struct reply r;
	cr_expect_eq(http_call(&r, "GET", path, p.token, NULL, NULL), 404);
	reply_release(&r);
	static const char *const refused[] = {
		"{\"url\":\"ftp://example.com/x\"}", "{\"url\":\"https://u:p@example.com/\"}",
		"{\"url\":\"https://example.com/\",\"mode\":\"v2\"}", "{\"url\":\"https://example.com/\",\"x\":1}",
		"{}",
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		cr_expect_eq(http_call(&r, "PUT", path, p.token, refused[i], NULL), 422, "%s: %s",
			     refused[i], r.body);
		reply_release(&r);
	}
	cr_assert_eq(http_call(&r, "PUT", path, p.token, "{\"url\":\"https://example.com/a\"}", NULL),
		     201, "%s", r.body);
	const char *s = json_string_value(json_object_get(r.json, "secret"));
	cr_assert(s && !strncmp(s, "whsec_", 6), "the secret is shown once: %s", r.body);
	char *first = strdup(s);
	cr_expect_str_eq(json_string_value(json_object_get(r.json, "mode")), "v1");
	reply_release(&r);
	cr_assert_eq(http_call(&r, "GET", path, p.token, NULL, NULL), 200);
	cr_expect_null(json_object_get(r.json, "secret"), "never shown again");
	cr_expect_str_eq(json_string_value(json_object_get(r.json, "url")), "https://example.com/a");
	reply_release(&r);
	/* a new URL keeps the secret */
	cr_assert_eq(http_call(&r, "PUT", path, p.token, "{\"url\":\"https://example.com/b\"}", NULL),
		     200, "%s", r.body);
	cr_expect_null(json_object_get(r.json, "secret"));
	reply_release(&r);
	/* asymmetric: a public key to verify with */
	cr_assert_eq(http_call(&r, "PUT", path, p.token,
			       "{\"url\":\"https://example.com/b\",\"mode\":\"v1a\"}", NULL),
		     200, "%s", r.body);
	s = json_string_value(json_object_get(r.json, "public_key"));
	cr_expect(s && !strncmp(s, "whpk_", 5), "%s", r.body);
	reply_release(&r);
	cr_assert_eq(http_call(&r, "POST", rot, p.token, NULL, NULL), 200, "%s", r.body);
	s = json_string_value(json_object_get(r.json, "secret"));
	cr_expect(s && strcmp(s, first) != 0, "rotation shows a new secret once");
	cr_expect(json_is_string(json_object_get(r.json, "previous_key_valid_until")),
		  "the old key still signs for a while: %s", r.body);
	reply_release(&r);
	/* API keys do not manage endpoints */
	cr_expect_eq(http_call(&r, "POST", rot, p.key, NULL, NULL), 403);
	reply_release(&r);
	free(first);
	party_release(&p);
}

Test(integrations, polling_feed_in_order_with_cursor)
{
	struct party a = water_utility(), b = water_utility();
	long long ids[5];
	for (int i = 0; i < 5; i++) {
		ids[i] = emit(a.org, 0);
		emit(b.org, 0); /* interleaved: never in a's feed */
	}
	char path[128] = "/v1/events?limit=2";
	int got = 0;
	for (int page = 0; page < 5; page++) {
		struct reply r;
		cr_assert_eq(http_call(&r, "GET", path, a.key, NULL, NULL), 200, "%s", r.body);
		json_t *items = json_object_get(r.json, "items");
		for (size_t i = 0; i < json_array_size(items); i++) {
			json_t *ev = json_array_get(items, i);
			cr_assert_lt(got, 5, "more events than a has: %s", r.body);
			char want[32];
			snprintf(want, sizeof(want), "evt_%lld", ids[got]);
			cr_expect_str_eq(json_string_value(json_object_get(ev, "id")), want);
			cr_expect_eq(json_integer_value(json_object_get(ev, "sequence")), ids[got]);
			cr_expect_str_eq(json_string_value(json_object_get(ev, "type")), "job.accepted");
			got++;
		}
		const char *next = json_string_value(json_object_get(r.json, "next_cursor"));
		if (!next) {
			char last[32];
			snprintf(last, sizeof(last), "%lld", ids[4]);
			cr_expect_str_eq(json_string_value(json_object_get(r.json, "cursor")), last);
			reply_release(&r);
			break;
		}
		snprintf(path, sizeof(path), "/v1/events?limit=2&after=%s", next);
		reply_release(&r);
	}
	cr_expect_eq(got, 5);
	/* an event id works as a cursor too; nothing after the last */
	struct reply r;
	snprintf(path, sizeof(path), "/v1/events?after=evt_%lld", ids[4]);
	cr_assert_eq(http_call(&r, "GET", path, a.key, NULL, NULL), 200);
	cr_expect_eq(json_array_size(json_object_get(r.json, "items")), 0);
	reply_release(&r);
	cr_expect_eq(http_call(&r, "GET", "/v1/events?after=abc", a.key, NULL, NULL), 422);
	reply_release(&r);
	cr_expect_eq(http_call(&r, "GET", "/v1/events?limit=0", a.key, NULL, NULL), 422);
	reply_release(&r);
	party_release(&a);
	party_release(&b);
}

Test(integrations, office_lists_explains_and_replays_deliveries)
{
	struct party p = water_utility();
	char email[128], path[160];
	harness_make_user("office", NULL, true, email);
	char *office = harness_login(email, HARNESS_PASSWORD);
	long long id = emit(p.org, 0);
	char sql[160];
	snprintf(sql, sizeof(sql),
		 "UPDATE outbox SET status = 'dead', attempts = 8, last_error = 'the receiver "
		 "answered 500' WHERE id = %lld",
		 id);
	harness_sql(harness_db_name(), sql);
	struct reply r;
	snprintf(path, sizeof(path), "/v1/deliveries?status=dead&org=%lld", p.org);
	cr_assert_eq(http_call(&r, "GET", path, office, NULL, NULL), 200, "%s", r.body);
	json_t *items = json_object_get(r.json, "items");
	cr_assert_eq(json_array_size(items), 1, "%s", r.body);
	cr_expect_str_eq(json_string_value(json_object_get(json_array_get(items, 0), "last_error")),
			 "the receiver answered 500");
	reply_release(&r);
	snprintf(path, sizeof(path), "/v1/deliveries/evt_%lld", id);
	cr_assert_eq(http_call(&r, "GET", path, office, NULL, NULL), 200, "%s", r.body);
	cr_expect_str_eq(json_string_value(json_object_get(r.json, "status")), "dead");
	cr_expect(json_is_array(json_object_get(r.json, "attempts_log")));
	cr_expect(json_is_object(json_object_get(r.json, "event")));
	reply_release(&r);
	snprintf(path, sizeof(path), "/v1/deliveries/%lld/replay", id);
	cr_assert_eq(http_call(&r, "POST", path, office, NULL, NULL), 200, "%s", r.body);
	cr_expect_str_eq(json_string_value(json_object_get(r.json, "status")), "pending");
	cr_expect_eq(json_integer_value(json_object_get(r.json, "attempts")), 0);
	reply_release(&r);
	cr_expect_eq(http_call(&r, "POST", path, office, NULL, NULL), 409, "already pending");
	reply_release(&r);
	cr_expect_eq(http_call(&r, "GET", "/v1/deliveries/evt_999999999", office, NULL, NULL), 404);
	reply_release(&r);
	cr_expect_eq(http_call(&r, "GET", "/v1/deliveries?status=lost", office, NULL, NULL), 422);
	reply_release(&r);
	/* all dead events of an endpoint since a time */
	long long ids[3];
	for (int i = 0; i < 3; i++)
		ids[i] = emit(p.org, 0);
	snprintf(sql, sizeof(sql), "UPDATE outbox SET status = 'dead' WHERE id IN (%lld, %lld, %lld)",
		 ids[0], ids[1], ids[2]);
	harness_sql(harness_db_name(), sql);
	snprintf(path, sizeof(path), "/v1/organisations/%lld/endpoint/replay", p.org);
	cr_expect_eq(http_call(&r, "POST", path, office, "{\"since\":\"2999-01-01T00:00:00+08:00\"}",
			       NULL),
		     200);
	cr_expect_eq(json_integer_value(json_object_get(r.json, "replayed")), 0, "none that new");
	reply_release(&r);
	cr_expect_eq(http_call(&r, "POST", path, office, "{\"since\":\"2000-01-01T00:00:00Z\"}", NULL),
		     200);
	cr_expect_eq(json_integer_value(json_object_get(r.json, "replayed")), 3, "%s", r.body);
	reply_release(&r);
	cr_expect_eq(http_call(&r, "POST", path, office, "{\"since\":\"yesterday\"}", NULL), 422);
	reply_release(&r);
	free(office);
	party_release(&p);
}

/* ---- inbound callbacks ---- */

/* A water job of a new applicant's application, assigned to org; its reference in ref. */
static long long job_for(long long org, char ref[40])
{
	char email[128];
	long long owner = harness_make_user("applicant", NULL, true, email);
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	struct error err = ERROR_INIT;
	cr_assert(c);
	struct site_row site = { .org_id = owner, .name = "Callback site", .address = "3 Road",
				 .district = "350102", .zone_risk = "low" };
	long long site_id, app_id, job_id;
	cr_assert_eq(store_site_create(c, &site, &site_id, &err), 0, "%s", err.message);
	char aref[32];
	snprintf(aref, sizeof(aref), "HK-CB-%d", harness_unique());
	snprintf(ref, 40, "%s-W", aref);
	day_t today = cal_day_of_instant(time(NULL));
	struct application_new a = { aref, owner, site_id, 0, "2026-11-29 10:00:00.000000", today,
				     "{}", "{\"lines\":[],\"total_fen\":0}", NULL, "h", 0 };
	cr_assert_eq(store_application_insert(c, &a, &app_id, &err), 0, "%s", err.message);
	struct stored_clock k = { .stage = "acceptance" };
	k.clock.limit_days = 1;
	k.clock.started_day = today;
	k.clock.due_day = today + 1;
	struct job_new j = { app_id, ref, "water", "submitted", "{}", org, &k };
	cr_assert_eq(store_job_insert(c, &j, &job_id, &err), 0, "%s", err.message);
	store_release(c);
	return job_id;
}

/* Posts a callback signed with secret at timestamp ts (0: now). */
static long callback(struct reply *r, const char *kind, const char *key, const char *secret,
		     const char *id, int64_t ts, const char *body)
{
	struct webhook_headers h = { 0 };
	const char *keys[] = { secret };
	struct error err = ERROR_INIT;
	cr_assert_eq(webhook_headers_build(&h, id, ts ? ts : (int64_t)time(NULL), body, strlen(body),
					   keys, 1, &err),
		     0, "%s", err.message);
	char hid[300], hts[64], hsig[400], path[96];
	snprintf(hid, sizeof(hid), "webhook-id: %s", h.id);
	snprintf(hts, sizeof(hts), "webhook-timestamp: %s", h.timestamp);
	snprintf(hsig, sizeof(hsig), "webhook-signature: %s", h.signature);
	const char *headers[] = { hid, hts, hsig, NULL };
	snprintf(path, sizeof(path), "/v1/integrations/%s/callbacks", kind);
	long status = http_call(r, "POST", path, key, body, headers);
	webhook_headers_release(&h);
	return status;
}

static const char *job_state(const struct party *p, long long job, char *buf, size_t len)
{
	char path[64];
	snprintf(path, sizeof(path), "/v1/jobs/%lld", job);
	struct reply r;
	cr_assert_eq(http_call(&r, "GET", path, p->token, NULL, NULL), 200, "%s", r.body);
	snprintf(buf, len, "%s", json_string_value(json_object_get(r.json, "state")));
	reply_release(&r);
	return buf;
}

Test(integrations, signed_callbacks_apply_once)
{
	struct party p = water_utility();
	char *secret = register_endpoint(&p);
	char ref[40], body[200], state[32], id[64];
	long long job = job_for(p.org, ref);
	snprintf(body, sizeof(body), "{\"action\":\"accept\",\"reference\":\"%s\"}", ref);
	snprintf(id, sizeof(id), "msg_%d", harness_unique());
	struct reply r;
	/* refused before anything is applied */
	char *other = webhook_secret_new();
	cr_expect_eq(callback(&r, "water", p.key, other, id, 0, body), 401, "a wrong secret");
	reply_release(&r);
	cr_expect_eq(callback(&r, "water", p.key, secret, id, time(NULL) - 600, body), 401,
		     "a stale timestamp");
	reply_release(&r);
	cr_expect_eq(callback(&r, "water", p.key, secret, id, time(NULL) + 600, body), 401,
		     "a future timestamp");
	reply_release(&r);
	cr_expect_eq(http_call(&r, "POST", "/v1/integrations/water/callbacks", p.key, body, NULL), 401,
		     "no signature at all");
	reply_release(&r);
	cr_expect_eq(callback(&r, "power", p.key, secret, id, 0, body), 403, "not a power utility");
	reply_release(&r);
	cr_expect_eq(callback(&r, "sewage", p.key, secret, id, 0, body), 404, "no such kind");
	reply_release(&r);
	cr_expect_eq(callback(&r, "water", p.token, secret, id, 0, body), 403, "people use the API");
	reply_release(&r);
	cr_expect_str_eq(job_state(&p, job, state, sizeof(state)), "submitted");
	/* a good one is applied */
	cr_assert_eq(callback(&r, "water", p.key, secret, id, 0, body), 200, "%s", r.body);
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(r.json, "object"), "state")),
			 "accepted");
	char *first = strdup(r.body);
	reply_release(&r);
	cr_expect_str_eq(job_state(&p, job, state, sizeof(state)), "accepted");
	/* the same id again (a retry): the first answer, nothing applied twice */
	cr_assert_eq(callback(&r, "water", p.key, secret, id, 0, body), 200, "%s", r.body);
	cr_expect_str_eq(r.body, first);
	char dup[16];
	cr_expect(reply_header(&r, "Webhook-Duplicate", dup, sizeof(dup)) != NULL);
	reply_release(&r);
	/* a new id with the same action is a real second request: illegal now */
	snprintf(id, sizeof(id), "msg_%d", harness_unique());
	cr_expect_eq(callback(&r, "water", p.key, secret, id, 0, body), 409, "%s", r.body);
	reply_release(&r);
	/* what the adapter refuses, and a reference that is not this utility's */
	snprintf(id, sizeof(id), "msg_%d", harness_unique());
	cr_expect_eq(callback(&r, "water", p.key, secret, id, 0,
			      "{\"action\":\"approve\",\"reference\":\"X\"}"),
		     422);
	reply_release(&r);
	cr_expect_eq(callback(&r, "water", p.key, secret, id, 0,
			      "{\"action\":\"accept\",\"reference\":\"HK-NOT-MINE-W\"}"),
		     404);
	reply_release(&r);
	free(first);
	free(other);
	free(secret);
	party_release(&p);
}

Test(integrations, v1a_public_keys_are_published)
{
	struct party p = water_utility();
	char path[128];
	snprintf(path, sizeof(path), "/v1/organisations/%lld/endpoint", p.org);
	struct reply r;
	cr_assert_eq(http_call(&r, "PUT", path, p.token,
			       "{\"url\":\"https://example.com/v1a\",\"mode\":\"v1a\"}", NULL),
		     201, "%s", r.body);
	char *pk = strdup(json_string_value(json_object_get(r.json, "public_key")));
	reply_release(&r);
	cr_assert_eq(http_call(&r, "GET", "/v1/public/keys", NULL, NULL, NULL), 200);
	bool found = false;
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(r.json, "keys"), i, k)
	{
		if (json_integer_value(json_object_get(k, "organisation_id")) == p.org &&
		    !strcmp(json_string_value(json_object_get(k, "public_key")), pk))
			found = !strcmp(json_string_value(json_object_get(k, "use")), "webhook");
	}
	cr_assert(found, "the v1a key of org %lld is at /v1/public/keys: %s", p.org, r.body);
	reply_release(&r);
	free(pk);
	party_release(&p);
}
