/*
 * Idempotency keys: the reply stored for an organisation's request on a route under a key, so
 * that a retried request gets the same reply instead of doing the work twice.
 */
#ifndef STORE_IDEMPOTENCY_H
#define STORE_IDEMPOTENCY_H

#include "store/db.h"

/*
 * The stored reply for (org, route, key), if any: the request's hash, the status and a copy of
 * the response (*response the caller's to free). *response NULL when none is stored (hash and
 * status are then untouched) and on error (errors as store_exec's).
 */
int store_idem_get(struct store_conn *c, long long org_id, const char *route, const char *key,
		   char hash[65], int *status, char **response, struct error *err);
/*
 * Stores a reply. ERR_CONFLICT when one is stored for (org, route, key) already, which is kept.
 * Other errors as store_exec's.
 */
int store_idem_put(struct store_conn *c, long long org_id, const char *route, const char *key,
		   const char *hash, int status, const char *response, struct error *err);

#endif
