/*
 * The credential cache (portal/authcache.c): what it serves and when it forgets, as a table of
 * cases on the module, and over HTTP that every revocation made through this process applies
 * at once while one made behind its back (another process) applies within PORTAL_AUTH_CACHE_MS.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "portal/app.h"
#include "portal/authcache.h"
#include "support/harness.h"

#define MS 1000000LL

static void hash_of(unsigned char h[32], int seed)
{
	for (int i = 0; i < 32; i++)
		h[i] = (unsigned char)(seed * 31 + i * 7);
}

static struct authz_caller caller_of(long long org)
{
	struct authz_caller c = { .user_id = org * 10, .org_id = org, .kind = ROLE_UTILITY };
	snprintf(c.subkind, sizeof(c.subkind), "water");
	snprintf(c.district, sizeof(c.district), "350102");
	return c;
}

Test(authcache, serves_what_was_put_until_its_time_is_up)
{
	struct authcache *ac = authcache_new(1000, 64);
	unsigned char h[32];
	hash_of(h, 1);
	struct authz_caller in = caller_of(7), out;
	int64_t t0 = 5000 * MS;
	cr_assert_not(authcache_get(ac, h, t0, &out), "nothing before a put");
	authcache_put(ac, h, &in, authcache_generation(ac), t0);
	/* (offset from the put in ms, served?) */
	static const struct { int64_t at_ms; bool hit; } cases[] = {
		{ 0, true }, { 1, true }, { 999, true }, { 1000, false }, { 5000, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&out, 0, sizeof(out));
		bool hit = authcache_get(ac, h, t0 + cases[i].at_ms * MS, &out);
		cr_expect_eq(hit, cases[i].hit, "at +%lld ms", (long long)cases[i].at_ms);
		if (hit)
			cr_expect_eq(memcmp(&out, &in, sizeof(in)), 0, "the caller as put");
	}
	authcache_free(ac);
}

Test(authcache, another_hash_in_the_same_slot_is_a_miss)
{
	struct authcache *ac = authcache_new(1000, 16);
	unsigned char a[32], b[32];
	hash_of(a, 2);
	memcpy(b, a, 32);
	b[31] ^= 1; /* same first bytes, so the same slot */
	struct authz_caller in = caller_of(8), out;
	authcache_put(ac, a, &in, authcache_generation(ac), 0);
	cr_expect_not(authcache_get(ac, b, 1, &out), "b was never put");
	authcache_put(ac, b, &in, authcache_generation(ac), 0);
	cr_expect_not(authcache_get(ac, a, 1, &out), "b took a's slot");
	cr_expect(authcache_get(ac, b, 1, &out));
	authcache_free(ac);
}

Test(authcache, forgetting_drops_every_entry_and_every_lookup_in_flight)
{
	struct authcache *ac = authcache_new(1000, 64);
	unsigned char a[32], b[32];
	hash_of(a, 3);
	hash_of(b, 4);
	struct authz_caller in = caller_of(9), out;
	authcache_put(ac, a, &in, authcache_generation(ac), 0);
	/* a lookup of b starts, a revocation commits and forgets, then b's answer comes back */
	uint64_t started = authcache_generation(ac);
	authcache_forget_all(ac);
	authcache_put(ac, b, &in, started, 0);
	cr_expect_not(authcache_get(ac, a, 1, &out), "a was forgotten");
	cr_expect_not(authcache_get(ac, b, 1, &out), "b was looked up before the revocation");
	/* looked up after it: served */
	authcache_put(ac, b, &in, authcache_generation(ac), 0);
	cr_expect(authcache_get(ac, b, 1, &out));
	authcache_free(ac);
}

Test(authcache, zero_ttl_and_null_remember_nothing)
{
	struct authcache *ac = authcache_new(0, 64);
	unsigned char h[32];
	hash_of(h, 5);
	struct authz_caller in = caller_of(1), out;
	authcache_put(ac, h, &in, authcache_generation(ac), 0);
	cr_expect_not(authcache_get(ac, h, 0, &out));
	authcache_free(ac);
	authcache_put(NULL, h, &in, 0, 0);
	cr_expect_not(authcache_get(NULL, h, 0, &out));
	authcache_forget_all(NULL);
	authcache_free(NULL);
}

/* --- over HTTP ------------------------------------------------------------------------ */

static struct harness_server *srv;
static void setup(void) { srv = harness_server_start(); }
static void teardown(void) { harness_server_stop(srv); }
TestSuite(authcache_http, .init = setup, .fini = teardown);

static long me(const char *token)
{
	struct reply r;
	long s = http_call(&r, "GET", "/v1/me", token, NULL, NULL);
	reply_release(&r);
	return s;
}

/* Waits past the cache's lifetime (the harness runs with the default) and a little more. */
static void outlive_cache(void)
{
	unsigned ms = harness_app(srv)->cfg.auth_cache_ms;
	cr_assert(ms > 0 && ms <= 5000, "the harness caches credentials (%u ms)", ms);
	usleep((ms + 300) * 1000u);
}

Test(authcache_http, a_revocation_behind_the_portals_back_applies_within_the_cache_time)
{
	/* (what another process does, to the session or to the user) */
	static const char *const changes[] = {
		"UPDATE sessions s JOIN users u ON u.id = s.user_id SET s.revoked_at = "
		"UTC_TIMESTAMP(6) WHERE u.email = '%s'",
		"UPDATE users SET active = 0 WHERE email = '%s'",
	};
	for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
		char email[128], sql[512];
		harness_make_user("applicant", NULL, false, email);
		char *token = harness_login(email, HARNESS_PASSWORD);
		cr_assert_eq(me(token), 200, "case %zu: signed in", i);
		snprintf(sql, sizeof(sql), changes[i], email);
		harness_sql(harness_db_name(), sql);
		outlive_cache();
		cr_expect_eq(me(token), 401, "case %zu: refused once the cache time is over", i);
		free(token);
	}
}

Test(authcache_http, deactivating_a_user_through_the_portal_ends_its_sessions_at_once)
{
	char admin_email[128], sql[1024], member_email[160];
	long long org = harness_make_user("utility", "gas", true, admin_email);
	char *admin = harness_login(admin_email, HARNESS_PASSWORD);
	snprintf(member_email, sizeof(member_email), "member-%d-%s", harness_unique(), admin_email);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO users (org_id, email, password_hash, role) SELECT org_id, '%s', "
		 "password_hash, 'member' FROM users WHERE email = '%s'",
		 member_email, admin_email);
	harness_sql(harness_db_name(), sql);
	char *member = harness_login(member_email, HARNESS_PASSWORD);
	struct reply r;
	cr_assert_eq(http_call(&r, "GET", "/v1/me", member, NULL, NULL), 200);
	long long uid = json_integer_value(json_object_get(r.json, "user_id"));
	reply_release(&r);
	cr_assert_gt(uid, 0);
	char path[96];
	snprintf(path, sizeof(path), "/v1/users/%lld", uid);
	cr_assert_eq(http_call(&r, "PATCH", path, admin, "{\"active\":false}", NULL), 200, "%s",
		     r.body);
	reply_release(&r);
	cr_expect_eq(me(member), 401, "the cached session ends with the deactivation");
	cr_expect_eq(me(admin), 200, "the admin's own session is looked up again and stays");
	(void)org;
	free(member);
	free(admin);
}
