/* SQL for organisations, users, sessions, API keys and login throttling. */
#define _GNU_SOURCE
#include "accounts.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"
#include "lib/json_text.h"

static const char SQL_ORG_INSERT[] =
	"INSERT INTO organisations (name, kind, subkind, district_code) VALUES (?, ?, ?, ?)";
static const char SQL_ORG_GET[] =
	"SELECT id, name, kind, COALESCE(subkind, ''), district_code, "
	"DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ') FROM organisations WHERE id = ?";
static const char SQL_ORG_LIST[] =
	"SELECT id, name, kind, COALESCE(subkind, ''), district_code, "
	"DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ') FROM organisations WHERE id > ? "
	"ORDER BY id LIMIT ?";
static const char SQL_ORGS_OF[] =
	"SELECT id FROM organisations WHERE kind = ? AND subkind <=> ? ORDER BY id LIMIT 50";
static const char SQL_ORG_FIND[] =
	"SELECT id FROM organisations WHERE kind = ? AND (subkind <=> ?) ORDER BY id LIMIT 1";
/* Per kind of service, in registration order. */
static const char SQL_PROVIDERS[] =
	"SELECT subkind, id FROM organisations WHERE kind IN ('utility', 'authority') "
	"ORDER BY subkind, id";
static const char SQL_ORG_BY_NAME[] = "SELECT id FROM organisations WHERE name = ?";
static const char SQL_DISTRICT[] = "SELECT 1 FROM districts WHERE code = ?";
static const char SQL_USER_INSERT[] =
	"INSERT INTO users (org_id, email, name, password_hash, role) VALUES (?, LOWER(?), ?, ?, ?)";
#define USER_COLS                                                                        \
	"SELECT u.id, u.org_id, u.email, u.name, COALESCE(u.password_hash, ''), u.role, "  \
	"u.active, o.kind, COALESCE(o.subkind, ''), o.district_code FROM users u JOIN "   \
	"organisations o ON o.id = u.org_id "
static const char SQL_USER_BY_EMAIL[] = USER_COLS "WHERE u.email = LOWER(?)";
static const char SQL_USER_GET[] = USER_COLS "WHERE u.id = ?";
static const char SQL_USER_LIST[] = USER_COLS "WHERE u.org_id = ? AND u.id > ? ORDER BY u.id LIMIT ?";
static const char SQL_USER_HASH[] = "UPDATE users SET password_hash = ? WHERE id = ?";
static const char SQL_USER_UPDATE[] =
	"UPDATE users SET role = COALESCE(?, role), active = COALESCE(?, active) WHERE id = ?";
static const char SQL_SESSION_INSERT[] =
	"INSERT INTO sessions (token_hash, user_id, expires_at) "
	"VALUES (?, ?, UTC_TIMESTAMP(6) + INTERVAL ? SECOND)";
static const char SQL_SESSION_CALLER[] =
	"SELECT s.id, u.id, u.org_id, u.role, o.kind, COALESCE(o.subkind, ''), o.district_code, "
	"TIMESTAMPDIFF(SECOND, s.last_seen_at, UTC_TIMESTAMP(6)) FROM sessions s "
	"JOIN users u ON u.id = s.user_id JOIN organisations o ON o.id = u.org_id "
	"WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > UTC_TIMESTAMP(6) "
	"AND s.last_seen_at > UTC_TIMESTAMP(6) - INTERVAL ? SECOND AND u.active = 1";
static const char SQL_SESSION_TOUCH[] =
	"UPDATE sessions SET last_seen_at = UTC_TIMESTAMP(6) WHERE id = ?";
static const char SQL_SESSION_REVOKE[] =
	"UPDATE sessions SET revoked_at = UTC_TIMESTAMP(6) WHERE token_hash = ? AND revoked_at IS NULL";
static const char SQL_KEY_INSERT[] =
	"INSERT INTO api_keys (org_id, prefix, key_hash, label, created_by) VALUES (?, ?, ?, ?, ?)";
static const char SQL_KEY_CALLER[] =
	"SELECT k.id, k.org_id, o.kind, COALESCE(o.subkind, ''), o.district_code, "
	"COALESCE(TIMESTAMPDIFF(SECOND, k.last_used_at, UTC_TIMESTAMP(6)), 999999) "
	"FROM api_keys k JOIN organisations o ON o.id = k.org_id "
	"WHERE k.key_hash = ? AND k.revoked_at IS NULL";
static const char SQL_KEY_TOUCH[] = "UPDATE api_keys SET last_used_at = UTC_TIMESTAMP(6) WHERE id = ?";
static const char SQL_KEY_REVOKE[] =
	"UPDATE api_keys SET revoked_at = UTC_TIMESTAMP(6) WHERE id = ? AND org_id = ? "
	"AND revoked_at IS NULL";
static const char SQL_KEY_LIST[] =
	"SELECT id, prefix, label, DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ'), "
	"DATE_FORMAT(last_used_at, '%Y-%m-%dT%H:%i:%sZ'), "
	"DATE_FORMAT(revoked_at, '%Y-%m-%dT%H:%i:%sZ') FROM api_keys WHERE org_id = ? ORDER BY id";
static const char SQL_THR_GET[] =
	"SELECT GREATEST(0, TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(6), blocked_until)) + 1 "
	"FROM login_throttle WHERE scope = ? AND blocked_until > UTC_TIMESTAMP(6)";
static const char SQL_THR_FAIL[] =
	"INSERT INTO login_throttle (scope, failures, window_start) VALUES (?, 1, UTC_TIMESTAMP(6)) "
	"ON DUPLICATE KEY UPDATE "
	"failures = IF(window_start < UTC_TIMESTAMP(6) - INTERVAL ? SECOND, 1, failures + 1), "
	"window_start = IF(window_start < UTC_TIMESTAMP(6) - INTERVAL ? SECOND, UTC_TIMESTAMP(6), "
	"window_start)";
static const char SQL_THR_BLOCK[] =
	"UPDATE login_throttle SET blocked_until = UTC_TIMESTAMP(6) + INTERVAL ? SECOND, "
	"failures = 0 WHERE scope = ? AND failures >= ?";
static const char SQL_THR_CLEAR[] = "DELETE FROM login_throttle WHERE scope = ?";

#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src) ? (src) : "")

static void org_from(const struct store_result *r, size_t i, struct org_row *o)
{
	o->id = store_cell_ll(r, i, 0, 0);
	COPY(o->name, store_cell(r, i, 1));
	COPY(o->kind, store_cell(r, i, 2));
	COPY(o->subkind, store_cell(r, i, 3));
	COPY(o->district, store_cell(r, i, 4));
	COPY(o->created_at, store_cell(r, i, 5));
}

int store_org_create(struct store_conn *c, const char *name, const char *kind,
		     const char *subkind, const char *district, long long *id, struct error *err)
{
	struct store_param p[] = { P_STR(name), P_STR(kind), P_STR(subkind && *subkind ? subkind : NULL),
				   P_STR(district) };
	unsigned long long insert_id = 0;
	int rc = store_run(c, SQL_ORG_INSERT, p, 4, NULL, &insert_id, err);
	if (rc == ERR_CONFLICT)
		return error_set(err, ERR_CONFLICT, "an organisation named '%s' exists", name);
	if (rc == ERR_INTERNAL)
		return error_set(err, ERR_INVALID, "kind, subkind or district is not acceptable");
	*id = (long long)insert_id;
	return rc;
}

int store_org_get(struct store_conn *c, long long id, struct org_row *out, struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(id) };
	int rc = store_exec(c, SQL_ORG_GET, p, 1, &r, err);
	if (rc == 0 && r->nrows == 0)
		rc = error_set(err, ERR_NOT_FOUND, "no organisation %lld", id);
	if (rc == 0)
		org_from(r, 0, out);
	store_result_free(r);
	return rc;
}

int store_org_list(struct store_conn *c, long long after, int limit, struct org_row **rows,
		   int *n, struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(after), P_INT(limit) };
	int rc = store_exec(c, SQL_ORG_LIST, p, 2, &r, err);
	*rows = NULL;
	*n = 0;
	if (rc == 0) {
		*rows = xcalloc(r->nrows + 1, sizeof(**rows));
		for (size_t i = 0; i < r->nrows; i++)
			org_from(r, i, &(*rows)[i]);
		*n = (int)r->nrows;
	}
	store_result_free(r);
	return rc;
}

int store_org_find(struct store_conn *c, const char *kind, const char *subkind, long long *id,
		   struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_STR(kind), P_STR(subkind) };
	int rc = store_exec(c, SQL_ORG_FIND, p, 2, &r, err);
	if (rc == 0 && r->nrows == 0)
		rc = error_set(err, ERR_NOT_FOUND, "no %s organisation%s%s", kind,
			       subkind ? " of kind " : "", subkind ? subkind : "");
	if (rc == 0)
		*id = store_cell_ll(r, 0, 0, 0);
	store_result_free(r);
	return rc;
}

int store_orgs_of(struct store_conn *c, const char *kind, const char *subkind, long long *ids,
		  size_t cap, size_t *n, struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_STR(kind), subkind ? P_STR(subkind) : P_NULL };
	*n = 0;
	int rc = store_exec(c, SQL_ORGS_OF, p, 2, &r, err);
	for (size_t i = 0; rc == 0 && i < r->nrows && *n < cap; i++)
		ids[(*n)++] = store_cell_ll(r, i, 0, 0);
	store_result_free(r);
	return rc;
}

int store_providers(struct store_conn *c, const char *const *subkinds, size_t n, long long *ids,
		    struct error *err)
{
	for (size_t i = 0; i < n; i++)
		ids[i] = 0;
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_PROVIDERS, NULL, 0, &r, err);
	for (size_t row = 0; !rc && row < r->nrows; row++) {
		const char *sub = store_cell(r, row, 0);
		for (size_t i = 0; sub && i < n; i++)
			if (!ids[i] && !strcmp(subkinds[i], sub))
				ids[i] = store_cell_ll(r, row, 1, 0);
	}
	store_result_free(r);
	return rc;
}

int store_org_by_name(struct store_conn *c, const char *name, long long *id, struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_STR(name) };
	int rc = store_exec(c, SQL_ORG_BY_NAME, p, 1, &r, err);
	if (rc == 0 && r->nrows == 0)
		rc = error_set(err, ERR_NOT_FOUND, "no organisation named '%s'", name);
	if (rc == 0)
		*id = store_cell_ll(r, 0, 0, 0);
	store_result_free(r);
	return rc;
}

int store_district_exists(struct store_conn *c, const char *code, bool *exists,
			  struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_STR(code) };
	int rc = store_exec(c, SQL_DISTRICT, p, 1, &r, err);
	if (rc == 0)
		*exists = r->nrows > 0;
	store_result_free(r);
	return rc;
}

static void user_from(const struct store_result *r, size_t i, struct user_row *u)
{
	u->id = store_cell_ll(r, i, 0, 0);
	u->org_id = store_cell_ll(r, i, 1, 0);
	COPY(u->email, store_cell(r, i, 2));
	COPY(u->name, store_cell(r, i, 3));
	COPY(u->password_hash, store_cell(r, i, 4));
	u->admin = strcmp(store_cell(r, i, 5), "admin") == 0;
	u->active = store_cell_ll(r, i, 6, 0) != 0;
	COPY(u->org_kind, store_cell(r, i, 7));
	COPY(u->org_subkind, store_cell(r, i, 8));
	COPY(u->district, store_cell(r, i, 9));
}

int store_user_create(struct store_conn *c, long long org_id, const char *email,
		      const char *name, const char *password_hash, bool admin, long long *id,
		      struct error *err)
{
	struct store_param p[] = { P_INT(org_id), P_STR(email), P_STR(name ? name : ""),
				   P_STR(password_hash), P_STR(admin ? "admin" : "member") };
	unsigned long long insert_id = 0;
	int rc = store_run(c, SQL_USER_INSERT, p, 5, NULL, &insert_id, err);
	if (rc == ERR_CONFLICT)
		return error_set(err, ERR_CONFLICT, "a user with that email exists");
	*id = (long long)insert_id;
	return rc;
}

static int user_query(struct store_conn *c, const char *sql, struct store_param p,
		      struct user_row *out, struct error *err)
{
	struct store_result *r = NULL;
	int rc = store_exec(c, sql, &p, 1, &r, err);
	if (rc == 0 && r->nrows == 0)
		rc = error_set(err, ERR_NOT_FOUND, "no such user");
	if (rc == 0)
		user_from(r, 0, out);
	store_result_free(r);
	return rc;
}

int store_user_by_email(struct store_conn *c, const char *email, struct user_row *out,
			struct error *err)
{
	return user_query(c, SQL_USER_BY_EMAIL, P_STR(email), out, err);
}

int store_user_get(struct store_conn *c, long long id, struct user_row *out, struct error *err)
{
	return user_query(c, SQL_USER_GET, P_INT(id), out, err);
}

int store_user_set_hash(struct store_conn *c, long long id, const char *hash, struct error *err)
{
	struct store_param p[] = { P_STR(hash), P_INT(id) };
	return store_run(c, SQL_USER_HASH, p, 2, NULL, NULL, err);
}

int store_user_update(struct store_conn *c, long long id, int admin, int active,
		      struct error *err)
{
	struct store_param p[] = { admin < 0 ? P_NULL : P_STR(admin ? "admin" : "member"),
				   active < 0 ? P_NULL : P_INT(active), P_INT(id) };
	return store_run(c, SQL_USER_UPDATE, p, 3, NULL, NULL, err);
}

int store_user_list(struct store_conn *c, long long org_id, long long after, int limit,
		    struct user_row **rows, int *n, struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(org_id), P_INT(after), P_INT(limit) };
	int rc = store_exec(c, SQL_USER_LIST, p, 3, &r, err);
	*rows = NULL;
	*n = 0;
	if (rc == 0) {
		*rows = xcalloc(r->nrows + 1, sizeof(**rows));
		for (size_t i = 0; i < r->nrows; i++)
			user_from(r, i, &(*rows)[i]);
		*n = (int)r->nrows;
	}
	store_result_free(r);
	return rc;
}

int store_session_create(struct store_conn *c, const unsigned char hash[32], long long user_id,
			 int ttl_seconds, struct error *err)
{
	struct store_param p[] = { P_BLOB(hash, 32), P_INT(user_id), P_INT(ttl_seconds) };
	return store_run(c, SQL_SESSION_INSERT, p, 3, NULL, NULL, err);
}

static enum role kind_role(const char *kind)
{
	enum role r = ROLE_PUBLIC;
	role_parse(kind, &r, NULL);
	return r;
}

int store_session_caller(struct store_conn *c, const unsigned char hash[32], int idle_seconds,
			 struct authz_caller *out, struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_BLOB(hash, 32), P_INT(idle_seconds) };
	int rc = store_exec(c, SQL_SESSION_CALLER, p, 2, &r, err);
	if (rc == 0 && r->nrows == 0)
		rc = error_set(err, ERR_UNAUTHORIZED, "the session is unknown, expired or signed out");
	if (rc == 0) {
		memset(out, 0, sizeof(*out));
		long long sid = store_cell_ll(r, 0, 0, 0);
		out->user_id = store_cell_ll(r, 0, 1, 0);
		out->org_id = store_cell_ll(r, 0, 2, 0);
		out->admin = strcmp(store_cell(r, 0, 3), "admin") == 0;
		out->kind = kind_role(store_cell(r, 0, 4));
		COPY(out->subkind, store_cell(r, 0, 5));
		COPY(out->district, store_cell(r, 0, 6));
		if (store_cell_ll(r, 0, 7, 0) >= 60) {
			struct store_param tp[] = { P_INT(sid) };
			rc = store_run(c, SQL_SESSION_TOUCH, tp, 1, NULL, NULL, err);
		}
	}
	store_result_free(r);
	return rc;
}

int store_session_revoke(struct store_conn *c, const unsigned char hash[32], struct error *err)
{
	struct store_param p[] = { P_BLOB(hash, 32) };
	return store_run(c, SQL_SESSION_REVOKE, p, 1, NULL, NULL, err);
}

int store_apikey_create(struct store_conn *c, long long org_id, const char *prefix,
			const unsigned char hash[32], const char *label, long long created_by,
			long long *id, struct error *err)
{
	struct store_param p[] = { P_INT(org_id), P_STR(prefix), P_BLOB(hash, 32),
				   P_STR(label ? label : ""), created_by ? P_INT(created_by) : P_NULL };
	unsigned long long insert_id = 0;
	int rc = store_run(c, SQL_KEY_INSERT, p, 5, NULL, &insert_id, err);
	*id = (long long)insert_id;
	return rc;
}

int store_apikey_caller(struct store_conn *c, const unsigned char hash[32],
			struct authz_caller *out, struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_BLOB(hash, 32) };
	int rc = store_exec(c, SQL_KEY_CALLER, p, 1, &r, err);
	if (rc == 0 && r->nrows == 0)
		rc = error_set(err, ERR_UNAUTHORIZED, "the API key is unknown or revoked");
	if (rc == 0) {
		memset(out, 0, sizeof(*out));
		long long kid = store_cell_ll(r, 0, 0, 0);
		out->org_id = store_cell_ll(r, 0, 1, 0);
		out->kind = kind_role(store_cell(r, 0, 2));
		COPY(out->subkind, store_cell(r, 0, 3));
		COPY(out->district, store_cell(r, 0, 4));
		out->api_key = true;
		if (store_cell_ll(r, 0, 5, 0) >= 60) { /* record use, at most once a minute */
			struct store_param tp[] = { P_INT(kid) };
			rc = store_run(c, SQL_KEY_TOUCH, tp, 1, NULL, NULL, err);
		}
	}
	store_result_free(r);
	return rc;
}

int store_apikey_revoke(struct store_conn *c, long long org_id, long long id, struct error *err)
{
	struct store_param p[] = { P_INT(id), P_INT(org_id) };
	unsigned long long n = 0;
	int rc = store_run(c, SQL_KEY_REVOKE, p, 2, &n, NULL, err);
	if (rc == 0 && n == 0)
		rc = error_set(err, ERR_NOT_FOUND, "no live API key %lld", id);
	return rc;
}

int store_apikey_list(struct store_conn *c, long long org_id, char **json, struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(org_id) };
	int rc = store_exec(c, SQL_KEY_LIST, p, 1, &r, err);
	if (rc)
		return rc;
	json_t *a = json_array();
	for (size_t i = 0; i < r->nrows; i++) {
		json_t *k = json_pack("{s:I, s:s, s:s, s:s}", "id",
				      (json_int_t)store_cell_ll(r, i, 0, 0), "prefix",
				      store_cell(r, i, 1), "label", store_cell(r, i, 2),
				      "created_at", store_cell(r, i, 3));
		json_object_set_new(k, "last_used_at",
				    store_cell(r, i, 4) ? json_string(store_cell(r, i, 4)) : json_null());
		json_object_set_new(k, "revoked_at",
				    store_cell(r, i, 5) ? json_string(store_cell(r, i, 5)) : json_null());
		json_array_append_new(a, k);
	}
	*json = json_text(a);
	json_decref(a);
	store_result_free(r);
	return 0;
}

int store_throttle_blocked(struct store_conn *c, const char *scope, int *retry_after,
			   struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_STR(scope) };
	int rc = store_exec(c, SQL_THR_GET, p, 1, &r, err);
	*retry_after = 0;
	if (rc == 0 && r->nrows)
		*retry_after = (int)store_cell_ll(r, 0, 0, 1);
	store_result_free(r);
	return rc;
}

int store_throttle_fail(struct store_conn *c, const char *scope, int limit, int window_seconds,
			int block_seconds, struct error *err)
{
	struct store_param p[] = { P_STR(scope), P_INT(window_seconds), P_INT(window_seconds) };
	int rc = store_run(c, SQL_THR_FAIL, p, 3, NULL, NULL, err);
	if (rc)
		return rc;
	struct store_param b[] = { P_INT(block_seconds), P_STR(scope), P_INT(limit) };
	return store_run(c, SQL_THR_BLOCK, b, 3, NULL, NULL, err);
}

int store_throttle_clear(struct store_conn *c, const char *scope, struct error *err)
{
	struct store_param p[] = { P_STR(scope) };
	return store_run(c, SQL_THR_CLEAR, p, 1, NULL, NULL, err);
}

static const char SQL_INV_INSERT[] =
	"INSERT INTO invitations (token_hash, user_id, expires_at) "
	"VALUES (?, ?, UTC_TIMESTAMP(6) + INTERVAL ? SECOND)";
static const char SQL_INV_FIND[] =
	"SELECT id, user_id FROM invitations WHERE token_hash = ? AND used_at IS NULL "
	"AND expires_at > UTC_TIMESTAMP(6) FOR UPDATE";
static const char SQL_INV_USE[] = "UPDATE invitations SET used_at = UTC_TIMESTAMP(6) WHERE id = ?";

int store_invitation_create(struct store_conn *c, const unsigned char hash[32], long long user_id,
			    int ttl_seconds, struct error *err)
{
	struct store_param p[] = { P_BLOB(hash, 32), P_INT(user_id), P_INT(ttl_seconds) };
	return store_run(c, SQL_INV_INSERT, p, 3, NULL, NULL, err);
}

int store_invitation_use(struct store_conn *c, const unsigned char hash[32], long long *user_id,
			 struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_BLOB(hash, 32) };
	int rc = store_exec(c, SQL_INV_FIND, p, 1, &r, err);
	if (rc == 0 && r->nrows == 0)
		rc = error_set(err, ERR_NOT_FOUND, "the invitation is unknown, used or expired");
	if (rc == 0) {
		*user_id = store_cell_ll(r, 0, 1, 0);
		struct store_param u[] = { P_INT(store_cell_ll(r, 0, 0, 0)) };
		rc = store_run(c, SQL_INV_USE, u, 1, NULL, NULL, err);
	}
	store_result_free(r);
	return rc;
}
