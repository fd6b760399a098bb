/* SQL for webhook endpoints, inbound callback ids and callback targets. */
#define _GNU_SOURCE
#include "endpoints.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/seal.h"
#include "lib/xalloc.h"

#define RFC3339(col) "IFNULL(DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%sZ'), '')"

static const char SQL_PUBLIC_KEYS[] =
	"SELECT org_id, public_key, DATE_FORMAT(updated_at, '%Y-%m-%dT%H:%i:%sZ') FROM endpoints "
	"WHERE mode = 'v1a' AND disabled = 0 AND public_key IS NOT NULL ORDER BY org_id";
static const char SQL_GET[] =
	"SELECT org_id, url, mode, secret, signing_key, public_key, previous_secret, "
	"previous_signing_key, (previous_until IS NOT NULL AND previous_until > UTC_TIMESTAMP(6)), "
	RFC3339("previous_until") ", disabled, disabled_reason, " RFC3339("created_at") ", "
	RFC3339("updated_at") ", " RFC3339("rotated_at") " FROM endpoints WHERE org_id = ?";
static const char SQL_GET_LOCK[] =
	"SELECT org_id, url, mode, secret, signing_key, public_key, previous_secret, "
	"previous_signing_key, (previous_until IS NOT NULL AND previous_until > UTC_TIMESTAMP(6)), "
	RFC3339("previous_until") ", disabled, disabled_reason, " RFC3339("created_at") ", "
	RFC3339("updated_at") ", " RFC3339("rotated_at") " FROM endpoints WHERE org_id = ? "
	"FOR UPDATE";
static const char SQL_PUT[] =
	"INSERT INTO endpoints (org_id, url, mode, secret, signing_key, public_key) "
	"VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE url = VALUES(url), mode = VALUES(mode), "
	"secret = VALUES(secret), signing_key = VALUES(signing_key), "
	"public_key = VALUES(public_key), previous_secret = NULL, previous_signing_key = NULL, "
	"previous_until = NULL, disabled = 0, disabled_reason = NULL, disabled_at = NULL, "
	"updated_at = UTC_TIMESTAMP(6)";
static const char SQL_ROTATE[] =
	"UPDATE endpoints SET previous_secret = secret, previous_signing_key = signing_key, "
	"previous_until = UTC_TIMESTAMP(6) + INTERVAL ? SECOND, secret = ?, signing_key = ?, "
	"public_key = ?, rotated_at = UTC_TIMESTAMP(6), updated_at = UTC_TIMESTAMP(6) "
	"WHERE org_id = ?";
static const char SQL_DISABLE[] =
	"UPDATE endpoints SET disabled = 1, disabled_reason = ?, disabled_at = UTC_TIMESTAMP(6), "
	"updated_at = UTC_TIMESTAMP(6) WHERE org_id = ?";
static const char SQL_CB_INSERT[] =
	"INSERT INTO inbound_callbacks (org_id, webhook_id, kind, status, response, body) "
	"VALUES (?, ?, ?, 0, '', ?)";
static const char SQL_CB_GET[] =
	"SELECT status, response FROM inbound_callbacks WHERE org_id = ? AND webhook_id = ?";
static const char SQL_CB_FINISH[] =
	"UPDATE inbound_callbacks SET status = ?, response = ? WHERE org_id = ? AND webhook_id = ?";
static const char SQL_CB_FORGET[] =
	"DELETE FROM inbound_callbacks WHERE org_id = ? AND webhook_id = ?";
static const char SQL_JOB_BY_REF[] =
	"SELECT id FROM jobs WHERE reference = ? AND utility_org_id = ?";
static const char SQL_PERMIT_BY_REF[] =
	"SELECT id FROM permits WHERE reference = ? AND authority_org_id = ?";

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void copy(char *dst, size_t cap, const char *s)
{
	snprintf(dst, cap, "%s", s ? s : "");
}

void store_endpoint_release(struct endpoint_row *e)
{
	if (!e)
		return;
	free(e->url);
	if (e->secret)
		memset(e->secret, 0, strlen(e->secret));
	free(e->secret);
	free(e->signing_key);
	free(e->public_key);
	free(e->previous_secret);
	free(e->previous_signing_key);
	free(e->disabled_reason);
	memset(e, 0, sizeof(*e));
}

int store_endpoint_get(struct store_conn *c, long long org_id, bool for_update,
		       struct endpoint_row *out, struct error *err)
{
	memset(out, 0, sizeof(*out));
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(org_id) };
	int rc = store_exec(c, for_update ? SQL_GET_LOCK : SQL_GET, p, 1, &r, err);
	if (rc)
		return rc;
	if (r->nrows == 0) {
		store_result_free(r);
		return error_set(err, ERR_NOT_FOUND, "organisation %lld has no endpoint", org_id);
	}
	out->org_id = store_cell_ll(r, 0, 0, 0);
	out->url = dup_or_null(store_cell(r, 0, 1));
	copy(out->mode, sizeof(out->mode), store_cell(r, 0, 2));
	/* the keys are sealed at rest (store/seal.h) */
	rc = store_unseal(store_cell(r, 0, 3), &out->secret, err);
	if (!rc)
		rc = store_unseal(store_cell(r, 0, 4), &out->signing_key, err);
	out->public_key = dup_or_null(store_cell(r, 0, 5));
	if (!rc)
		rc = store_unseal(store_cell(r, 0, 6), &out->previous_secret, err);
	if (!rc)
		rc = store_unseal(store_cell(r, 0, 7), &out->previous_signing_key, err);
	out->previous_active = store_cell_ll(r, 0, 8, 0) != 0;
	copy(out->previous_until, sizeof(out->previous_until), store_cell(r, 0, 9));
	out->disabled = store_cell_ll(r, 0, 10, 0) != 0;
	out->disabled_reason = dup_or_null(store_cell(r, 0, 11));
	copy(out->created_at, sizeof(out->created_at), store_cell(r, 0, 12));
	copy(out->updated_at, sizeof(out->updated_at), store_cell(r, 0, 13));
	copy(out->rotated_at, sizeof(out->rotated_at), store_cell(r, 0, 14));
	store_result_free(r);
	if (rc)
		store_endpoint_release(out);
	return rc;
}

/* The two keys sealed for storage; both NULL-safe. */
static int seal_pair(const char *secret, const char *signing_key, char **s1, char **s2,
		     struct error *err)
{
	*s2 = NULL;
	int rc = store_seal(secret, s1, err);
	if (!rc)
		rc = store_seal(signing_key, s2, err);
	return rc;
}

static void free_sealed(char *s)
{
	if (s)
		sodium_memzero(s, strlen(s));
	free(s);
}

int store_endpoint_put(struct store_conn *c, long long org_id, const char *url, const char *mode,
		       const char *secret, const char *signing_key, const char *public_key,
		       struct error *err)
{
	char *s1 = NULL, *s2 = NULL;
	int rc = seal_pair(secret, signing_key, &s1, &s2, err);
	struct store_param p[] = { P_INT(org_id), P_STR(url), P_STR(mode),
				   P_STR(s1),	  P_STR(s2),  P_STR(public_key) };
	if (!rc)
		rc = store_run(c, SQL_PUT, p, 6, NULL, NULL, err);
	free_sealed(s1);
	free_sealed(s2);
	return rc;
}

int store_endpoint_rotate(struct store_conn *c, long long org_id, const char *secret,
			  const char *signing_key, const char *public_key, long long overlap_seconds,
			  struct error *err)
{
	unsigned long long n = 0;
	char *s1 = NULL, *s2 = NULL;
	int rc = seal_pair(secret, signing_key, &s1, &s2, err);
	struct store_param p[] = { P_INT(overlap_seconds), P_STR(s1), P_STR(s2), P_STR(public_key),
				   P_INT(org_id) };
	if (!rc)
		rc = store_run(c, SQL_ROTATE, p, 5, &n, NULL, err);
	if (!rc && n == 0)
		rc = error_set(err, ERR_NOT_FOUND, "organisation %lld has no endpoint", org_id);
	free_sealed(s1);
	free_sealed(s2);
	return rc;
}

int store_endpoint_disable(struct store_conn *c, long long org_id, const char *reason,
			   struct error *err)
{
	struct store_param p[] = { P_STR(reason), P_INT(org_id) };
	return store_run(c, SQL_DISABLE, p, 2, NULL, NULL, err);
}

int store_callback_begin(struct store_conn *c, long long org_id, const char *webhook_id,
			 const char *kind, const char *body, bool *fresh, int *status,
			 char **response, struct error *err)
{
	*fresh = false;
	*status = 0;
	*response = NULL;
	struct store_param p[] = { P_INT(org_id), P_STR(webhook_id), P_STR(kind), P_STR(body) };
	struct error local = ERROR_INIT;
	int rc = store_run(c, SQL_CB_INSERT, p, 4, NULL, NULL, &local);
	if (rc == 0) {
		*fresh = true;
		return 0;
	}
	if (rc != ERR_CONFLICT) {
		error_set(err, rc, "%s", local.message);
		error_release(&local);
		return rc;
	}
	error_release(&local);
	struct store_result *r = NULL;
	rc = store_exec(c, SQL_CB_GET, p, 2, &r, err);
	if (rc)
		return rc;
	if (r->nrows) {
		*status = (int)store_cell_ll(r, 0, 0, 0);
		*response = xstrdup(store_cell(r, 0, 1) ? store_cell(r, 0, 1) : "");
	}
	store_result_free(r);
	return 0;
}

int store_callback_finish(struct store_conn *c, long long org_id, const char *webhook_id,
			  int status, const char *response, struct error *err)
{
	struct store_param p[] = { P_INT(status), P_STR(response), P_INT(org_id),
				   P_STR(webhook_id) };
	return store_run(c, SQL_CB_FINISH, p, 4, NULL, NULL, err);
}

int store_callback_forget(struct store_conn *c, long long org_id, const char *webhook_id,
			  struct error *err)
{
	struct store_param p[] = { P_INT(org_id), P_STR(webhook_id) };
	return store_run(c, SQL_CB_FORGET, p, 2, NULL, NULL, err);
}

int store_callback_target(struct store_conn *c, long long org_id, bool permit,
			  const char *reference, long long *id, struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_STR(reference), P_INT(org_id) };
	int rc = store_exec(c, permit ? SQL_PERMIT_BY_REF : SQL_JOB_BY_REF, p, 2, &r, err);
	if (rc)
		return rc;
	if (r->nrows == 0)
		rc = error_set(err, ERR_NOT_FOUND, "no %s %s is assigned to this organisation",
			       permit ? "permit" : "job", reference);
	else
		*id = store_cell_ll(r, 0, 0, 0);
	store_result_free(r);
	return rc;
}

int store_endpoint_public_keys(struct store_conn *c, json_t *keys, struct error *err)
{
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_PUBLIC_KEYS, NULL, 0, &r, err);
	for (size_t i = 0; rc == 0 && i < r->nrows; i++) {
		char kid[40];
		snprintf(kid, sizeof(kid), "webhook-org-%lld", store_cell_ll(r, i, 0, 0));
		json_array_append_new(keys, json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s}", "key_id",
						      kid, "use", "webhook", "algorithm", "Ed25519",
						      "organisation_id",
						      (json_int_t)store_cell_ll(r, i, 0, 0),
						      "public_key", store_cell(r, i, 1), "created_at",
						      store_cell(r, i, 2), "status", "current"));
	}
	store_result_free(r);
	return rc;
}
