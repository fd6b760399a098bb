/* Sign-in, sessions, API keys, throttling, invitations and password rules over real HTTP. */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "support/harness.h"

static struct harness_server *srv;
static void setup(void) { srv = harness_server_start(); }
static void teardown(void) { harness_server_stop(srv); }
TestSuite(auth, .init = setup, .fini = teardown);

static long login_status(const char *email, const char *password, struct reply *r)
{
	char body[512];
	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
	return http_call(r, "POST", "/v1/sessions", NULL, body, NULL);
}

static long long count(const char *sql, const char *a, const char *b)
{
	/* Test-side reads go through the store layer with bound parameters. */
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	struct store_result *r = NULL;
	struct store_param p[] = { P_STR(a), P_STR(b) };
	cr_assert_eq(store_exec(c, sql, p, b ? 2 : 1, &r, NULL), 0);
	long long n = store_cell_ll(r, 0, 0, 0);
	store_result_free(r);
	store_release(c);
	return n;
}

static const char SQL_AUDIT_COUNT[] =
	"SELECT COUNT(*) FROM audit_log WHERE action = ? AND detail LIKE CONCAT('%', ?, '%')";

Test(auth, sign_in_gives_a_working_token_and_sign_out_ends_it)
{
	char email[128];
	harness_make_user("applicant", NULL, false, email);
	char *token = harness_login(email, HARNESS_PASSWORD);
	cr_assert(strncmp(token, "pts_", 4) == 0 && strlen(token) == 47, "token %s", token);
	struct reply r;
	cr_assert_eq(http_call(&r, "GET", "/v1/me", token, NULL, NULL), 200, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "kind")), "applicant");
	reply_release(&r);
	cr_assert_eq(http_call(&r, "DELETE", "/v1/sessions/current", token, NULL, NULL), 204);
	reply_release(&r);
	cr_assert_eq(http_call(&r, "GET", "/v1/me", token, NULL, NULL), 401);
	reply_release(&r);
	free(token);
}

Test(auth, unknown_email_and_wrong_password_get_the_same_reply)
{
	char email[128];
	harness_make_user("applicant", NULL, false, email);
	struct reply a, b;
	cr_assert_eq(login_status(email, "wrong-password-123", &a), 401);
	cr_assert_eq(login_status("nobody-at-all@nowhere.test", "wrong-password-123", &b), 401);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(a.json, "error"), "message")),
			 json_string_value(json_object_get(json_object_get(b.json, "error"), "message")));
	reply_release(&a);
	reply_release(&b);
}

Test(auth, logins_are_audited)
{
	char email[128];
	harness_make_user("utility", "water", false, email);
	long long ok0 = count(SQL_AUDIT_COUNT, "login.succeeded", email);
	long long bad0 = count(SQL_AUDIT_COUNT, "login.failed", email);
	struct reply r;
	login_status(email, "wrong-password-123", &r);
	reply_release(&r);
	free(harness_login(email, HARNESS_PASSWORD));
	cr_assert_eq(count(SQL_AUDIT_COUNT, "login.succeeded", email), ok0 + 1);
	cr_assert_eq(count(SQL_AUDIT_COUNT, "login.failed", email), bad0 + 1);
}

Test(auth, bad_tokens_are_401)
{
	static const char *const tokens[] = { "pts_nonsense", "hkp_nonsense", "x", "' OR 1=1 --" };
	for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
		struct reply r;
		cr_expect_eq(http_call(&r, "GET", "/v1/me", tokens[i], NULL, NULL), 401, "%s",
			     tokens[i]);
		reply_release(&r);
	}
	struct reply r;
	cr_assert_eq(http_call(&r, "GET", "/v1/me", NULL, NULL, NULL), 401);
	char h[64];
	cr_assert(reply_header(&r, "WWW-Authenticate", h, sizeof(h)));
	reply_release(&r);
}

static void age_sessions(const char *column, const char *email)
{
	char sql[512];
	snprintf(sql, sizeof(sql),
		 "UPDATE sessions s JOIN users u ON u.id = s.user_id SET s.%s = "
		 "UTC_TIMESTAMP(6) - INTERVAL 13 HOUR WHERE u.email = '%s'",
		 column, email);
	harness_sql(harness_db_name(), sql);
}

Test(auth, expired_and_idle_sessions_are_refused)
{
	static const char *const columns[] = { "expires_at", "last_seen_at" };
	for (int i = 0; i < 2; i++) {
		char email[128];
		harness_make_user("applicant", NULL, false, email);
		char *token = harness_login(email, HARNESS_PASSWORD);
		age_sessions(columns[i], email);
		struct reply r;
		cr_expect_eq(http_call(&r, "GET", "/v1/me", token, NULL, NULL), 401, "%s aged",
			     columns[i]);
		reply_release(&r);
		free(token);
	}
}

Test(auth, api_keys_are_shown_once_stored_hashed_and_revocable)
{
	char email[128];
	long long org = harness_make_user("utility", "power", true, email);
	char *token = harness_login(email, HARNESS_PASSWORD);
	char path[128];
	snprintf(path, sizeof(path), "/v1/organisations/%lld/api-keys", org);
	struct reply r;
	cr_assert_eq(http_call(&r, "POST", path, token, "{\"label\":\"dispatch system\"}", NULL), 201,
		     "%s", r.body);
	const char *key = json_string_value(json_object_get(r.json, "key"));
	cr_assert(key && strncmp(key, "hkp_", 4) == 0);
	char *k = strdup(key);
	long long kid = json_integer_value(json_object_get(r.json, "id"));
	reply_release(&r);

	/* the key works, and is never listed again */
	cr_assert_eq(http_call(&r, "GET", "/v1/me", k, NULL, NULL), 200);
	cr_assert(json_is_true(json_object_get(r.json, "api_key")));
	reply_release(&r);
	cr_assert_eq(http_call(&r, "GET", path, token, NULL, NULL), 200);
	cr_assert(!strstr(r.body, k + 4), "the secret must not be listed");
	cr_assert(strstr(r.body, "last_used_at"));
	reply_release(&r);

	/* a key cannot manage keys */
	cr_assert_eq(http_call(&r, "POST", path, k, "{}", NULL), 403);
	reply_release(&r);

	snprintf(path, sizeof(path), "/v1/organisations/%lld/api-keys/%lld", org, kid);
	cr_assert_eq(http_call(&r, "DELETE", path, token, NULL, NULL), 204);
	reply_release(&r);
	cr_assert_eq(http_call(&r, "GET", "/v1/me", k, NULL, NULL), 401, "revoked key refused");
	reply_release(&r);
	cr_assert_eq(http_call(&r, "DELETE", path, token, NULL, NULL), 404, "already revoked");
	reply_release(&r);
	free(k);
	free(token);
}

Test(auth, repeated_failures_are_throttled_with_retry_after)
{
	char email[128];
	harness_make_user("applicant", NULL, false, email);
	struct reply r;
	for (int i = 0; i < 5; i++) {
		cr_assert_eq(login_status(email, "wrong-password-123", &r), 401, "attempt %d", i);
		reply_release(&r);
	}
	/* now even the right password is refused until the block ends */
	cr_assert_eq(login_status(email, HARNESS_PASSWORD, &r), 429);
	char ra[16];
	cr_assert(reply_header(&r, "Retry-After", ra, sizeof(ra)));
	cr_assert_gt(atoi(ra), 0);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r.json, "error"), "code")),
			 "rate_limited");
	reply_release(&r);
}

Test(auth, invitations_set_a_password_once_and_passwords_are_checked)
{
	char email[128];
	long long org = harness_make_user("authority", "road", true, email);
	char *token = harness_login(email, HARNESS_PASSWORD);
	char path[128], body[512];
	snprintf(path, sizeof(path), "/v1/organisations/%lld/users", org);
	struct reply r;
	/* a weak password is refused with every reason at once */
	cr_assert_eq(http_call(&r, "POST", path, token,
			       "{\"email\":\"bad\",\"password\":\"password\"}", NULL), 422);
	json_t *d = json_object_get(json_object_get(r.json, "error"), "details");
	cr_assert_geq(json_array_size(d), 2, "%s", r.body);
	reply_release(&r);

	int u = harness_unique();
	snprintf(body, sizeof(body), "{\"email\":\"invitee%d@road.test\",\"name\":\"Inspector\"}", u);
	cr_assert_eq(http_call(&r, "POST", path, token, body, NULL), 201, "%s", r.body);
	char *inv = strdup(json_string_value(json_object_get(r.json, "invitation_token")));
	reply_release(&r);
	snprintf(body, sizeof(body), "{\"token\":\"%s\",\"password\":\"a-very-good-passphrase\"}", inv);
	cr_assert_eq(http_call(&r, "POST", "/v1/invitations/accept", NULL, body, NULL), 200, "%s",
		     r.body);
	reply_release(&r);
	cr_assert_eq(http_call(&r, "POST", "/v1/invitations/accept", NULL, body, NULL), 404,
		     "an invitation works once");
	reply_release(&r);
	char invitee[128];
	snprintf(invitee, sizeof(invitee), "invitee%d@road.test", u);
	free(harness_login(invitee, "a-very-good-passphrase"));
	free(inv);
	free(token);
}

Test(auth, weak_hashes_are_upgraded_on_sign_in)
{
	char email[128];
	harness_make_user("applicant", NULL, false, email);
	char weak[crypto_pwhash_STRBYTES];
	cr_assert_eq(crypto_pwhash_str(weak, HARNESS_PASSWORD, strlen(HARNESS_PASSWORD),
				       crypto_pwhash_OPSLIMIT_MIN + 1, crypto_pwhash_MEMLIMIT_MIN * 2), 0);
	static const char SQL_WEAKEN[] = "UPDATE users SET password_hash = ? WHERE email = ?";
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	struct store_param wp[] = { P_STR(weak), P_STR(email) };
	cr_assert_eq(store_run(c, SQL_WEAKEN, wp, 2, NULL, NULL, NULL), 0);
	store_release(c);
	free(harness_login(email, HARNESS_PASSWORD));
	static const char SQL_HASH_CHANGED[] =
		"SELECT COUNT(*) FROM users WHERE email = ? AND password_hash NOT LIKE '%m=16,%'";
	cr_assert_eq(count(SQL_HASH_CHANGED, email, NULL), 1, "hash was rehashed with current limits");
}
