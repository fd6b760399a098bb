/* Organisations, users, invitations and API keys: the office and org admins manage accounts. */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/app.h"
#include "portal/audit.h"
#include "portal/auth.h"
#include "portal/authcache.h"
#include "portal/input.h"
#include "portal/reply.h"
#include "portal/router.h"
#include "portal/secrets.h"
#include "store/accounts.h"
#include "workflows/authz.h"
#include "lib/xalloc.h"

#define INVITATION_TTL (7 * 24 * 3600)

static const char *const org_kinds[] = { "applicant", "utility", "authority", "office", NULL };
static const char *const subkinds[] = { "water", "power", "gas", "heat", "network",
					"road", "greening", "planning", NULL };

static json_t *org_json(const struct org_row *o)
{
	return json_pack("{s:I, s:s, s:s, s:o, s:s, s:s}", "id", (json_int_t)o->id, "name",
			 o->name, "kind", o->kind, "subkind",
			 o->subkind[0] ? json_string(o->subkind) : json_null(), "district",
			 o->district, "created_at", o->created_at);
}

static json_t *org_json_item(const void *row)
{
	return org_json(row);
}

static json_t *user_json(const struct user_row *u)
{
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:b, s:b}", "id", (json_int_t)u->id,
			 "organisation_id", (json_int_t)u->org_id, "email", u->email, "name",
			 u->name, "role", u->admin ? "admin" : "member", "active", u->active,
			 "password_set", u->password_hash[0] != 0);
}

static json_t *user_json_item(const void *row)
{
	return user_json(row);
}

/* Everything a handler hands to its transaction. */
struct op {
	struct http_request *req;
	const struct authz_caller *caller;
	json_t *body;
	long long id;	   /* path object id */
	long long id2;	   /* second path id */
	long long new_id;  /* created object */
	struct reply_out reply;
	char *secret;	   /* shown once */
	const char *s1, *s2, *s3, *s4;
	int limit;
	long long after;
	bool b1;
	int i1, i2;
};

static int audit(struct store_conn *c, const struct op *op, const char *action,
		 const char *type, long long id, json_t *detail, struct error *err)
{
	return audit_record_id(c, op->caller, action, type, id, detail, err);
}

/* Runs fn in a transaction and answers (reply_tx); the op's secret and body die here. */
static int run(struct http_request *req, struct http_response *res, int status,
	       int (*fn)(struct store_conn *, void *, struct error *), struct op *op)
{
	int rc = reply_tx(req, res, status, fn, op, &op->reply);
	if (op->secret) {
		memset(op->secret, 0, strlen(op->secret));
		free(op->secret);
	}
	json_decref(op->body);
	return rc;
}

/* Parses the body and rejects unknown fields; replies and returns non-zero on failure. */
static int body(struct http_request *req, struct http_response *res, const char *const *allowed,
		json_t **out, struct error *err)
{
	int rc = http_parse_json(req, out, err);
	if (!rc)
		http_reject_unknown(*out, allowed, "", err);
	return rc;
}

static int finish_validation(struct http_response *res, struct error *err, json_t *b)
{
	if (!err->ndetails && !err->code)
		return 0;
	if (!err->code)
		error_set(err, ERR_INVALID, "the request has %zu problem(s); see details",
			  err->ndetails);
	http_reply_error(res, err);
	error_release(err);
	json_decref(b);
	return ERR_INVALID;
}

static int org_create_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	bool exists = false;
	int rc = store_district_exists(c, op->s4, &exists, err);
	if (rc)
		return rc;
	if (!exists) {
		error_add(err, "district", "unknown", "no district '%s'", op->s4);
		return error_set(err, ERR_INVALID, "unknown district");
	}
	rc = store_org_create(c, op->s1, op->s2, op->s3, op->s4, &op->new_id, err);
	struct org_row o;
	if (!rc)
		rc = store_org_get(c, op->new_id, &o, err);
	if (!rc)
		rc = audit(c, op, "organisation.create", "organisation", op->new_id,
			   json_pack("{s:s, s:s}", "name", op->s1, "kind", op->s2), err);
	if (!rc)
		op->reply.json = org_json(&o);
	return rc;
}

static int org_create(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	struct op op = { .req = req, .caller = auth_caller(req) };
	if (auth_require(req, res, AZ_ORG_CREATE, NULL))
		return 1;
	static const char *const allowed[] = { "name", "kind", "subkind", "district", NULL };
	if (body(req, res, allowed, &op.body, &err) == 0) {
		op.s1 = input_str(op.body, "name", true, 200, &err);
		op.s2 = input_enum(op.body, "kind", true, org_kinds, &err);
		op.s3 = input_enum(op.body, "subkind", false, subkinds, &err);
		op.s4 = input_str(op.body, "district", true, 32, &err);
		if (op.s2 && !err.ndetails) {
			bool needs = !strcmp(op.s2, "utility") || !strcmp(op.s2, "authority");
			bool fits = !op.s3 || (!strcmp(op.s2, "utility")
						       ? strstr("water power gas heat network", op.s3) != NULL
						       : strstr("road greening planning", op.s3) != NULL);
			if (needs && !op.s3)
				error_add(&err, "subkind", "required",
					  "a %s needs a subkind", op.s2);
			else if (!needs && op.s3)
				error_add(&err, "subkind", "not_allowed",
					  "an %s has no subkind", op.s2);
			else if (!fits)
				error_add(&err, "subkind", "not_allowed",
					  "subkind %s does not fit kind %s", op.s3, op.s2);
		}
	}
	if (finish_validation(res, &err, op.body))
		return 1;
	return run(req, res, 201, org_create_tx, &op);
}

static int org_list_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	struct org_row *rows;
	int n;
	int rc = store_org_list(c, op->after, op->limit + 1, &rows, &n, err);
	if (rc)
		return rc;
	json_decref(op->reply.json);
	op->reply.json = input_page_reply(rows, sizeof(*rows), n, op->limit, org_json_item);
	free(rows);
	return 0;
}

static int org_list(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	struct op op = { .req = req, .caller = auth_caller(req) };
	if (auth_require(req, res, AZ_ORG_LIST, NULL))
		return 1;
	if (input_page(req, &op.limit, &op.after, &err))
		return finish_validation(res, &err, NULL);
	return run(req, res, 200, org_list_tx, &op);
}

static int org_get_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	struct org_row o;
	int rc = store_org_get(c, op->id, &o, err);
	if (!rc)
		op->reply.json = org_json(&o);
	return rc;
}

/* Path id of an organisation the caller may act on for `action` (own org, or office). */
static int org_target(struct http_request *req, struct http_response *res, int action,
		      struct op *op)
{
	if (input_path_id(req, 0, &op->id))
		return http_fail(res, ERR_NOT_FOUND, "no such organisation");
	struct authz_object obj = { .owner_org_id = op->id };
	return auth_require(req, res, action, &obj);
}

static int org_get(struct http_request *req, struct http_response *res)
{
	struct op op = { .req = req, .caller = auth_caller(req) };
	if (org_target(req, res, AZ_ORG_READ, &op))
		return 1;
	return run(req, res, 200, org_get_tx, &op);
}

static int invite_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	struct org_row o;
	int rc = store_org_get(c, op->id, &o, err);
	if (rc)
		return rc;
	char *hash = op->s3 ? secret_password_hash(op->s3) : NULL;
	rc = store_user_create(c, op->id, op->s1, op->s2, hash, op->b1, &op->new_id, err);
	free(hash);
	unsigned char th[32];
	if (!rc && !op->s3) {
		op->secret = secret_token_new("inv_");
		secret_token_hash(op->secret, th);
		rc = store_invitation_create(c, th, op->new_id, INVITATION_TTL, err);
	}
	struct user_row u;
	if (!rc)
		rc = store_user_get(c, op->new_id, &u, err);
	if (!rc)
		rc = audit(c, op, "user.invite", "user", op->new_id,
			   json_pack("{s:s, s:I}", "email", op->s1, "organisation_id",
				     (json_int_t)op->id),
			   err);
	if (!rc) {
		op->reply.json = user_json(&u);
		if (op->secret)
			json_object_set_new(op->reply.json, "invitation_token",
					    json_string(op->secret));
	}
	return rc;
}

static int user_invite(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	struct op op = { .req = req, .caller = auth_caller(req) };
	if (org_target(req, res, AZ_USER_INVITE, &op))
		return 1;
	static const char *const allowed[] = { "email", "name", "role", "password", NULL };
	static const char *const roles[] = { "member", "admin", NULL };
	if (body(req, res, allowed, &op.body, &err) == 0) {
		op.s1 = input_str(op.body, "email", true, 254, &err);
		op.s2 = input_str(op.body, "name", false, 200, &err);
		const char *role = input_enum(op.body, "role", false, roles, &err);
		op.b1 = role && !strcmp(role, "admin");
		op.s3 = input_str(op.body, "password", false, 256, &err);
		if (op.s1 && (!strchr(op.s1, '@') || strchr(op.s1, ' ')))
			error_add(&err, "email", "invalid", "email is not an address");
		secret_password_policy(op.s3, op.s1, "password", &err);
	}
	if (finish_validation(res, &err, op.body))
		return 1;
	return run(req, res, 201, invite_tx, &op);
}

static int user_list_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	struct user_row *rows;
	int n;
	int rc = store_user_list(c, op->id, op->after, op->limit + 1, &rows, &n, err);
	if (rc)
		return rc;
	json_decref(op->reply.json);
	op->reply.json = input_page_reply(rows, sizeof(*rows), n, op->limit, user_json_item);
	free(rows);
	return 0;
}

static int user_list(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	struct op op = { .req = req, .caller = auth_caller(req) };
	if (org_target(req, res, AZ_USER_LIST, &op))
		return 1;
	if (input_page(req, &op.limit, &op.after, &err))
		return finish_validation(res, &err, NULL);
	return run(req, res, 200, user_list_tx, &op);
}

static int user_update_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	struct user_row u;
	int rc = store_user_get(c, op->id, &u, err);
	if (rc)
		return rc;
	struct authz_object obj = { .owner_org_id = u.org_id };
	rc = authz_check(op->caller, AZ_USER_UPDATE, &obj, err);
	if (rc)
		return rc;
	if (u.id == op->caller->user_id && (op->i1 == 0 || op->i2 == 0))
		return error_set(err, ERR_CONFLICT, "you cannot demote or deactivate yourself");
	rc = store_user_update(c, op->id, op->i1, op->i2, err);
	if (!rc)
		rc = store_user_get(c, op->id, &u, err);
	if (!rc)
		rc = audit(c, op, "user.update", "user", op->id,
			   json_pack("{s:i, s:i}", "admin", op->i1, "active", op->i2), err);
	if (!rc)
		op->reply.json = user_json(&u);
	return rc;
}

static int user_update(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	struct op op = { .req = req, .caller = auth_caller(req), .i1 = -1, .i2 = -1 };
	if (input_path_id(req, 0, &op.id))
		return http_fail(res, ERR_NOT_FOUND, "no such user");
	static const char *const allowed[] = { "role", "active", NULL };
	static const char *const roles[] = { "member", "admin", NULL };
	if (body(req, res, allowed, &op.body, &err) == 0) {
		const char *role = input_enum(op.body, "role", false, roles, &err);
		if (role)
			op.i1 = !strcmp(role, "admin");
		bool active = true;
		if (json_object_get(op.body, "active")) {
			input_bool(op.body, "active", false, &active, &err);
			op.i2 = active;
		}
	}
	if (finish_validation(res, &err, op.body))
		return 1;
	int rc = run(req, res, 200, user_update_tx, &op);
	authcache_forget_all(req->app->auth_cache); /* a deactivated user's sessions end now */
	return rc;
}

static int accept_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	unsigned char th[32];
	secret_token_hash(op->s1, th);
	long long uid;
	int rc = store_invitation_use(c, th, &uid, err);
	struct user_row u;
	if (!rc)
		rc = store_user_get(c, uid, &u, err);
	if (rc)
		return rc;
	struct error pol = ERROR_INIT;
	if (secret_password_policy(op->s2, u.email, "password", &pol)) {
		error_release(err);
		*err = pol;
		return error_set(err, ERR_INVALID, "choose a stronger password");
	}
	char *hash = secret_password_hash(op->s2);
	rc = store_user_set_hash(c, uid, hash, err);
	free(hash);
	struct op self = *op;
	struct authz_caller who = { .user_id = uid, .org_id = u.org_id };
	self.caller = &who;
	if (!rc)
		rc = audit(c, &self, "user.activate", "user", uid, NULL, err);
	if (!rc)
		op->reply.json = user_json(&u);
	if (op->reply.json)
		json_object_set_new(op->reply.json, "password_set", json_true());
	return rc;
}

/* Public: the invited person sets a password with the one-time token. */
static int invitation_accept(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	struct op op = { .req = req };
	static const char *const allowed[] = { "token", "password", NULL };
	if (body(req, res, allowed, &op.body, &err) == 0) {
		op.s1 = input_str(op.body, "token", true, 100, &err);
		op.s2 = input_str(op.body, "password", true, 256, &err);
	}
	if (finish_validation(res, &err, op.body))
		return 1;
	return run(req, res, 200, accept_tx, &op);
}

static int key_create_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	op->secret = secret_token_new(AUTH_API_KEY_PREFIX);
	unsigned char h[32];
	secret_token_hash(op->secret, h);
	char prefix[13];
	snprintf(prefix, sizeof(prefix), "%s", op->secret);
	int rc = store_apikey_create(c, op->id, prefix, h, op->s1, op->caller->user_id,
				     &op->new_id, err);
	if (!rc)
		rc = audit(c, op, "api_key.create", "api_key", op->new_id,
			   json_pack("{s:s, s:I}", "prefix", prefix, "organisation_id",
				     (json_int_t)op->id),
			   err);
	if (!rc)
		op->reply.json =
		    json_pack("{s:I, s:s, s:s, s:s, s:s}", "id", (json_int_t)op->new_id, "key",
			      op->secret, "prefix", prefix, "label", op->s1 ? op->s1 : "", "note",
			      "store this key now: it is shown only once");
	return rc;
}

static int key_create(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	struct op op = { .req = req, .caller = auth_caller(req) };
	if (org_target(req, res, AZ_APIKEY_CREATE, &op))
		return 1;
	static const char *const allowed[] = { "label", NULL };
	if (req->body_len && body(req, res, allowed, &op.body, &err) == 0)
		op.s1 = input_str(op.body, "label", false, 200, &err);
	if (finish_validation(res, &err, op.body))
		return 1;
	return run(req, res, 201, key_create_tx, &op);
}

static int key_list_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	char *json = NULL;
	int rc = store_apikey_list(c, op->id, &json, err);
	if (!rc)
		op->reply.json = json_pack("{s:o}", "items", json_loads(json, 0, NULL));
	free(json);
	return rc;
}

static int key_list(struct http_request *req, struct http_response *res)
{
	struct op op = { .req = req, .caller = auth_caller(req) };
	if (org_target(req, res, AZ_APIKEY_LIST, &op))
		return 1;
	return run(req, res, 200, key_list_tx, &op);
}

static int key_revoke_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	int rc = store_apikey_revoke(c, op->id, op->id2, err);
	if (!rc)
		rc = audit(c, op, "api_key.revoke", "api_key", op->id2, NULL, err);
	return rc;
}

static int key_revoke(struct http_request *req, struct http_response *res)
{
	struct op op = { .req = req, .caller = auth_caller(req) };
	if (org_target(req, res, AZ_APIKEY_REVOKE, &op))
		return 1;
	if (input_path_id(req, 1, &op.id2))
		return http_fail(res, ERR_NOT_FOUND, "no such API key");
	int rc = run(req, res, 204, key_revoke_tx, &op);
	authcache_forget_all(req->app->auth_cache); /* the key stops working now */
	return rc;
}

const struct route accounts_routes[] = {
	{ "POST", "/v1/organisations", org_create, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "GET", "/v1/organisations", org_list, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "GET", "/v1/organisations/{id}", org_get, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "POST", "/v1/organisations/{id}/users", user_invite, ROUTE_AUTHENTICATED,
	  0, RUNS_HASHING },
	{ "GET", "/v1/organisations/{id}/users", user_list, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "PATCH", "/v1/users/{id}", user_update, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "POST", "/v1/invitations/accept", invitation_accept, ROUTE_PUBLIC, 0, RUNS_HASHING },
	{ "POST", "/v1/organisations/{id}/api-keys", key_create, ROUTE_AUTHENTICATED,
	  0, RUNS_ON_WORK },
	{ "GET", "/v1/organisations/{id}/api-keys", key_list, ROUTE_AUTHENTICATED,
	  0, RUNS_ON_WORK },
	{ "DELETE", "/v1/organisations/{id}/api-keys/{key_id}", key_revoke, ROUTE_AUTHENTICATED,
	  0, RUNS_ON_WORK },
	{ 0 },
};
