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
 * The log is one hash chain per writer: a process picks a random writer id the first time it
 * appends, and only it moves its chain's head row, so portals committing on different nodes of a
 * multi-primary cluster never update the same row. Entries written before migration 0010 are
 * writer 0's chain, their positions their ids.
 */

/* This process's writer id (picked on first use, again after a fork). Cannot fail. */
long long store_audit_writer(void);

/*
 * Appends inside the caller's transaction: locks this writer's head row (creating it on the
 * writer's first entry), hashes the previous entry's hash in the chain with this entry's fields
 * and position (BLAKE2b-256, see audit_hash) and inserts. Errors from store_exec; ERR_RETRY when
 * two threads race to create a new writer's head (store_tx runs the transaction again).
 */
int store_audit_append(struct store_conn *conn, const struct audit_entry *e, struct error *err);

/*
 * The hash of an entry: hex BLAKE2b-256 over "prev_hash\nposition\nat\nactor_user\nactor_org\n
 * action\nobject_type\nobject_id\ndetail". Writes 65 bytes (NUL-terminated) into out.
 */
void audit_hash(const char *prev_hash, long long id, const char *at, long long actor_user,
		long long actor_org, const char *action, const char *object_type,
		const char *object_id, const char *detail, char out[65]);

/*
 * The prev_hash of a writer's first entry: zeros for writer 0, else hex BLAKE2b-256 of
 * "audit writer <id>", so an entry cannot move to another chain unnoticed.
 */
void audit_genesis(long long writer, char out[65]);

/*
 * Walks every writer's chain from its start, in one snapshot, and checks each ends at its head
 * row. 0 when intact; ERR_CONFLICT with a message when an entry was changed, removed or
 * inserted, and in *bad_id the id of the first entry that fails (a changed entry; for a removed
 * one the entry that follows it in its chain, or the last one left when a tail was removed; for
 * writer 0 the removed id itself).
 */
int store_audit_verify(struct store_pool *pool, long long *checked, long long *bad_id,
		       struct error *err);

#endif
