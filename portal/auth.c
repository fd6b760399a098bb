/* Bearer authentication for people (sessions) and systems (API keys); sign in and out. */
#define _GNU_SOURCE
#include "auth.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <sodium.h>

#include "portal/app.h"
#include "portal/authcache.h"
#include "portal/input.h"
#include "portal/ratelimit.h"
#include "portal/router.h"
#include "portal/secrets.h"
#include "store/accounts.h"
#include "store/audit.h"
#include "workflows/authz.h"
#include "lib/xalloc.h"
#include "lib/json_text.h"


const struct authz_caller *auth_caller(const struct http_request *req)
{
	return req->caller;
}

int auth_require(struct http_request *req, struct http_response *res, int action,
		 const struct authz_object *obj)
{
	struct error err = ERROR_INIT;
	int rc = authz_check(req->caller, (enum authz_action)action, obj, &err);
	if (rc)
		http_reply_error(res, &err);
	error_release(&err);
	return rc;
}

struct lookup {
	unsigned char hash[32];
	bool api_key;
	struct authz_caller caller;
};

static int lookup_caller(struct store_conn *c, void *ctx, struct error *err)
{
	struct lookup *l = ctx;
	if (l->api_key)
		return store_apikey_caller(c, l->hash, &l->caller, err);
	return store_session_caller(c, l->hash, AUTH_SESSION_IDLE, &l->caller, err);
}

/* The token from "Authorization: Bearer <token>", or NULL. */
static const char *bearer(struct http_request *req)
{
	const char *h = http_header(req, "Authorization");
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return *h && strlen(h) < 200 ? h : NULL;
}

int auth_authenticate(struct http_request *req, struct http_response *res)
{
	const char *token = bearer(req);
	if (!token) {
		http_add_header(res, "WWW-Authenticate", "Bearer");
		return http_fail(res, ERR_UNAUTHORIZED,
				 "sign in (POST /v1/sessions) or send an API key as "
				 "Authorization: Bearer <token>");
	}
	struct lookup l = { .api_key = strncmp(token, AUTH_API_KEY_PREFIX,
					       strlen(AUTH_API_KEY_PREFIX)) == 0 };
	secret_token_hash(token, l.hash);
	struct authcache *cache = req->app->auth_cache;
	int64_t now = http_now_ns();
	uint64_t generation = authcache_generation(cache);
	int rc = 0;
	struct error err = ERROR_INIT;
	if (!authcache_get(cache, l.hash, now, &l.caller)) {
		rc = store_with(req->app->pool, lookup_caller, &l, &err);
		if (!rc)
			authcache_put(cache, l.hash, &l.caller, generation, now);
	}
	if (rc) {
		if (rc == ERR_UNAUTHORIZED)
			http_add_header(res, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
		http_reply_error(res, &err);
		error_release(&err);
		return rc;
	}
	struct authz_caller *c = xmalloc(sizeof(*c));
	*c = l.caller;
	req->caller = c;
	req->caller_free = free;
	return 0;
}

/* Sign-in state carried through the transactions below. */
struct signin {
	const struct config *cfg;
	const char *email;
	char acct_scope[300];
	char ip_scope[80]; /* "ip:" and the address's key (an IPv6 client's /64) */
	char client[64];   /* the address itself, for the audit record */
	int retry_after;
	struct user_row user;
	bool found;
	bool ok;
	bool rehash;
	char *new_hash;
	char *token;
	unsigned char token_hash[32];
};

static int signin_load(struct store_conn *c, void *ctx, struct error *err)
{
	struct signin *s = ctx;
	int a = 0, b = 0;
	int rc = store_throttle_blocked(c, s->acct_scope, &a, err);
	if (!rc)
		rc = store_throttle_blocked(c, s->ip_scope, &b, err);
	if (rc)
		return rc;
	s->retry_after = a > b ? a : b;
	if (s->retry_after)
		return 0;
	rc = store_user_by_email(c, s->email, &s->user, err);
	s->found = rc == 0 && s->user.active;
	if (rc == ERR_NOT_FOUND) {
		error_release(err);
		rc = 0;
	}
	return rc;
}

static int signin_record(struct store_conn *c, void *ctx, struct error *err)
{
	struct signin *s = ctx;
	int rc;
	char detail[400];
	json_t *d = json_pack("{s:s, s:s}", "email", s->email, "client", s->client);
	char *dj = json_text(d);
	json_decref(d);
	snprintf(detail, sizeof(detail), "%s", dj);
	free(dj);
	struct audit_entry e = { s->found ? s->user.id : 0, s->found ? s->user.org_id : 0,
				 s->ok ? "login.succeeded" : "login.failed", "user",
				 s->found ? "" : "unknown", detail };
	char idbuf[24];
	if (s->found) {
		snprintf(idbuf, sizeof(idbuf), "%lld", s->user.id);
		e.object_id = idbuf;
	}
	if (!s->ok) {
		/* blocked once the failures within one window reach the limit (configurable) */
		const struct config *cfg = s->cfg;
		rc = store_throttle_fail(c, s->acct_scope, (int)cfg->login_account_failures,
					 (int)cfg->login_block_seconds, (int)cfg->login_block_seconds,
					 err);
		if (!rc)
			rc = store_throttle_fail(c, s->ip_scope, (int)cfg->login_address_failures,
						 (int)cfg->login_block_seconds,
						 (int)cfg->login_block_seconds, err);
		return rc ? rc : store_audit_append(c, &e, err);
	}
	rc = store_throttle_clear(c, s->acct_scope, err);
	if (!rc)
		rc = store_session_create(c, s->token_hash, s->user.id, AUTH_SESSION_TTL, err);
	if (!rc && s->new_hash)
		rc = store_user_set_hash(c, s->user.id, s->new_hash, err);
	return rc ? rc : store_audit_append(c, &e, err);
}

/* The sign-in form (email and password), and whom it throttles: the account and the address. */
static int signin_read(struct http_request *req, json_t *body, struct signin *s,
		       const char **password, struct error *err)
{
	static const char *const allowed[] = {"email", "password", NULL};
	http_reject_unknown(body, allowed, "", err);
	s->email = input_str(body, "email", true, 254, err);
	*password = input_str(body, "password", true, 1024, err);
	if (err->ndetails)
		return error_set(err, ERR_INVALID, "email and password are required");
	char addr[64];
	http_client_addr(req, addr, sizeof(addr));
	snprintf(s->acct_scope, sizeof(s->acct_scope), "acct:%s", s->email);
	for (char *p = s->acct_scope; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	/* an IPv6 client's failures count against its /64, as its rate limits do */
	char key[64];
	ratelimit_key(addr, key, sizeof(key));
	snprintf(s->ip_scope, sizeof(s->ip_scope), "ip:%s", key);
	snprintf(s->client, sizeof(s->client), "%s", addr);
	return 0;
}

/* 429 with Retry-After while the account or the address is blocked. */
static int throttled(struct http_response *res, int retry_after, struct error *err)
{
	char ra[16];
	snprintf(ra, sizeof(ra), "%d", retry_after);
	http_add_header(res, "Retry-After", ra);
	return error_set(err, ERR_RATE_LIMITED, "too many failed sign-ins; try again in %d seconds",
			 retry_after);
}

/*
 * The password check, without holding a database connection: hashing takes tens of
 * milliseconds. On success, a new hash when the stored one is due for rehashing, and the
 * session token.
 */
static void signin_verify(struct signin *s, const char *password)
{
	s->ok =
	    secret_password_verify(s->found ? s->user.password_hash : NULL, password, &s->rehash) &&
	    s->found;
	if (s->ok && s->rehash)
		s->new_hash = secret_password_hash(password);
	if (s->ok) {
		s->token = secret_token_new("pts_");
		secret_token_hash(s->token, s->token_hash);
	}
}

/* The 201 reply: the token and who signed in. New reference. */
static json_t *session_json(const struct signin *s)
{
	return json_pack("{s:s, s:s, s:i, s:{s:I, s:s, s:s, s:b, s:{s:I, s:s, s:s}}}", "token",
			 s->token, "token_type", "Bearer", "expires_in", AUTH_SESSION_TTL, "user",
			 "id", (json_int_t)s->user.id, "email", s->user.email, "name", s->user.name,
			 "admin", s->user.admin, "organisation", "id", (json_int_t)s->user.org_id,
			 "kind", s->user.org_kind, "subkind", s->user.org_subkind);
}

static int create_session(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	json_t *body = NULL;
	struct signin s = { .cfg = &req->app->cfg };
	const char *password = NULL;
	int rc = http_parse_json(req, &body, &err);
	if (!rc)
		rc = signin_read(req, body, &s, &password, &err);
	if (!rc)
		rc = store_with(req->app->pool, signin_load, &s, &err);
	if (!rc && s.retry_after)
		rc = throttled(res, s.retry_after, &err);
	if (rc)
		goto out;
	signin_verify(&s, password);
	rc = store_tx(req->app->pool, signin_record, &s, &err);
	if (rc)
		goto out;
	if (!s.ok) {
		rc = error_set(&err, ERR_UNAUTHORIZED, "the email or the password is wrong");
		goto out;
	}
	http_add_header(res, "Cache-Control", "no-store");
	http_reply_json(res, 201, session_json(&s));
out:
	if (rc)
		http_reply_error(res, &err);
	if (s.token)
		sodium_memzero(s.token, strlen(s.token));
	free(s.token);
	free(s.new_hash);
	json_decref(body);
	error_release(&err);
	return rc;
}

static int revoke(struct store_conn *c, void *ctx, struct error *err)
{
	return store_session_revoke(c, ctx, err);
}

static int delete_session(struct http_request *req, struct http_response *res)
{
	const char *token = bearer(req);
	if (!token || strncmp(token, AUTH_API_KEY_PREFIX, strlen(AUTH_API_KEY_PREFIX)) == 0)
		return http_fail(res, ERR_CONFLICT, "API keys are revoked by an admin, not signed out");
	unsigned char hash[32];
	secret_token_hash(token, hash);
	struct error err = ERROR_INIT;
	int rc = store_with(req->app->pool, revoke, hash, &err);
	authcache_forget_all(req->app->auth_cache); /* even on an error: it may have committed */
	if (rc) {
		http_reply_error(res, &err);
		error_release(&err);
		return rc;
	}
	res->status = 204;
	return 0;
}

static int me(struct http_request *req, struct http_response *res)
{
	const struct authz_caller *c = req->caller;
	http_reply_json(res, 200,
			json_pack("{s:I, s:I, s:s, s:s, s:b, s:b, s:s}", "user_id",
				  (json_int_t)c->user_id, "organisation_id", (json_int_t)c->org_id,
				  "kind", role_name(c->kind), "subkind", c->subkind, "admin",
				  c->admin, "api_key", c->api_key, "district", c->district));
	return 0;
}

const struct route auth_routes[] = {
	{ "POST", "/v1/sessions", create_session, ROUTE_PUBLIC, 0, RUNS_HASHING },
	{ "DELETE", "/v1/sessions/current", delete_session, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "GET", "/v1/me", me, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ 0 },
};
