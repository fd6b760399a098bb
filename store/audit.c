/* Audit log appends and chain verification. */
#define _GNU_SOURCE
#include "audit.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/xalloc.h"

static const char SQL_HEAD[] = "SELECT last_id, last_hash FROM audit_head WHERE id = 1 FOR UPDATE";
static const char SQL_INSERT[] =
	"INSERT INTO audit_log (id, at, actor_user_id, actor_org_id, action, object_type, "
	"object_id, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_MOVE_HEAD[] = "UPDATE audit_head SET last_id = ?, last_hash = ? WHERE id = 1";
static const char SQL_PAGE[] =
	"SELECT id, DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s.%f'), COALESCE(actor_user_id, 0), "
	"COALESCE(actor_org_id, 0), action, object_type, object_id, detail, prev_hash, hash "
	"FROM audit_log WHERE id > ? ORDER BY id LIMIT 1000";
static const char SQL_HEAD_READ[] = "SELECT last_id, last_hash FROM audit_head WHERE id = 1";

void audit_hash(const char *prev_hash, long long id, const char *at, long long actor_user,
		long long actor_org, const char *action, const char *object_type,
		const char *object_id, const char *detail, char out[65])
{
	crypto_generichash_state st;
	char num[64];
	unsigned char h[32];
	crypto_generichash_init(&st, NULL, 0, sizeof(h));
#define PART(s)                                                                   \
	do {                                                                      \
		crypto_generichash_update(&st, (const unsigned char *)(s), strlen(s)); \
		crypto_generichash_update(&st, (const unsigned char *)"\n", 1);   \
	} while (0)
	PART(prev_hash);
	snprintf(num, sizeof(num), "%lld", id);
	PART(num);
	PART(at);
	snprintf(num, sizeof(num), "%lld", actor_user);
	PART(num);
	snprintf(num, sizeof(num), "%lld", actor_org);
	PART(num);
	PART(action);
	PART(object_type);
	PART(object_id);
	PART(detail);
#undef PART
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(out, 65, h, sizeof(h));
}

int store_audit_append(struct store_conn *conn, const struct audit_entry *e, struct error *err)
{
	struct store_result *head = NULL;
	int rc = store_exec(conn, SQL_HEAD, NULL, 0, &head, err);
	if (rc)
		return rc;
	if (head->nrows != 1) {
		store_result_free(head);
		return error_set(err, ERR_INTERNAL, "audit chain head missing");
	}
	long long id = store_cell_ll(head, 0, 0, 0) + 1;
	char prev[65];
	snprintf(prev, sizeof(prev), "%s", store_cell(head, 0, 1));
	store_result_free(head);

	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char at[40];
	size_t n = strftime(at, sizeof(at), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(at + n, sizeof(at) - n, ".%06ld", ts.tv_nsec / 1000);
	const char *detail = e->detail ? e->detail : "{}";
	char hash[65];
	audit_hash(prev, id, at, e->actor_user_id, e->actor_org_id, e->action, e->object_type,
		   e->object_id, detail, hash);
	struct store_param p[] = {
		P_INT(id),
		P_STR(at),
		e->actor_user_id ? P_INT(e->actor_user_id) : P_NULL,
		e->actor_org_id ? P_INT(e->actor_org_id) : P_NULL,
		P_STR(e->action),
		P_STR(e->object_type),
		P_STR(e->object_id),
		P_STR(detail),
		P_STR(prev),
		P_STR(hash),
	};
	rc = store_run(conn, SQL_INSERT, p, 10, NULL, NULL, err);
	if (rc)
		return rc;
	struct store_param hp[] = { P_INT(id), P_STR(hash) };
	return store_run(conn, SQL_MOVE_HEAD, hp, 2, NULL, NULL, err);
}

int store_audit_verify(struct store_pool *pool, long long *checked, long long *bad_id,
		       struct error *err)
{
	struct store_conn *c = store_acquire(pool, 5000, err);
	if (!c)
		return ERR_UNAVAILABLE;
	char prev[65];
	memset(prev, '0', 64);
	prev[64] = 0;
	long long last = 0, expect = 1;
	*checked = 0;
	*bad_id = 0;
	/*
	 * One snapshot for the pages and the head (a read-only transaction, repeatable read):
	 * otherwise an entry appended between the last page and the head reads as a deleted tail.
	 */
	int rc = store_begin(c, err);
	if (rc)
		goto out;
	for (;;) {
		struct store_result *r = NULL;
		struct store_param p[] = { P_INT(last) };
		rc = store_exec(c, SQL_PAGE, p, 1, &r, err);
		if (rc)
			goto out;
		for (size_t i = 0; i < r->nrows; i++) {
			long long id = store_cell_ll(r, i, 0, 0);
			char h[65];
			audit_hash(prev, id, store_cell(r, i, 1), store_cell_ll(r, i, 2, 0),
				   store_cell_ll(r, i, 3, 0), store_cell(r, i, 4), store_cell(r, i, 5),
				   store_cell(r, i, 6), store_cell(r, i, 7), h);
			if (id != expect) {
				*bad_id = expect;
				rc = error_set(err, ERR_CONFLICT,
					       "entry %lld is missing (next present is %lld)", expect, id);
			} else if (strcmp(store_cell(r, i, 8), prev) != 0) {
				*bad_id = id;
				rc = error_set(err, ERR_CONFLICT,
					       "entry %lld does not link to entry %lld", id, id - 1);
			} else if (strcmp(store_cell(r, i, 9), h) != 0) {
				*bad_id = id;
				rc = error_set(err, ERR_CONFLICT,
					       "entry %lld was changed after it was written", id);
			}
			if (rc) {
				store_result_free(r);
				goto out;
			}
			memcpy(prev, h, sizeof(prev));
			last = id;
			expect = id + 1;
			(*checked)++;
		}
		size_t rows = r->nrows;
		store_result_free(r);
		if (rows < 1000)
			break;
	}
	/* The head must point at the last entry: a deleted tail shows here. */
	struct store_result *h = NULL;
	rc = store_exec(c, SQL_HEAD_READ, NULL, 0, &h, err);
	if (rc == 0 && h->nrows == 1 && store_cell_ll(h, 0, 0, 0) != last) {
		*bad_id = last + 1;
		rc = error_set(err, ERR_CONFLICT, "entries after %lld were removed (head says %lld)",
			       last, store_cell_ll(h, 0, 0, 0));
	}
	store_result_free(h);
out:
	store_rollback(c);
	store_release(c);
	return rc;
}
