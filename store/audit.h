/* The hash-chained, append-only audit log. */
#ifndef STORE_AUDIT_H
#define STORE_AUDIT_H

#include "store/db.h"

/* One entry to append. Strings borrowed; detail is a JSON text ("{}" when NULL). */
struct audit_entry {
	long long actor_user_id; /* 0: none (system or anonymous) */
	long long actor_org_id;
	const char *action;	 /* "login.succeeded", "job.accept", "fees.publish", ... */
	const char *object_type; /* "user", "job", "permit", "fee_schedule", ... */
	const char *object_id;
	const char *detail;
};

/*
 * Appends inside the caller's transaction: locks the chain head, hashes the previous entry's
 * hash with this entry's fields (BLAKE2b-256, see audit_hash) and inserts. Errors from store_exec.
 */
int store_audit_append(struct store_conn *conn, const struct audit_entry *e, struct error *err);

/*
 * The hash of an entry: hex BLAKE2b-256 over "prev_hash\nid\nat\nactor_user\nactor_org\naction\n
 * object_type\nobject_id\ndetail". Writes 65 bytes (NUL-terminated) into out.
 */
void audit_hash(const char *prev_hash, long long id, const char *at, long long actor_user,
		long long actor_org, const char *action, const char *object_type,
		const char *object_id, const char *detail, char out[65]);

/*
 * Walks the whole chain from the start. 0 when intact; ERR_CONFLICT with the first broken
 * entry's id in *bad_id (and a message) when an entry was changed, removed or inserted.
 */
int store_audit_verify(struct store_pool *pool, long long *checked, long long *bad_id,
		       struct error *err);

#endif
