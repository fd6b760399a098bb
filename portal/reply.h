/*
 * The handlers' common last step: run the work in one transaction, then answer with what it
 * produced or with its error. Handlers that read or write accounts, sites, materials,
 * integrations and published documents end with reply_tx.
 */
#ifndef PORTAL_REPLY_H
#define PORTAL_REPLY_H

#include <jansson.h>

#include "portal/http.h"
#include "store/db.h"

/*
 * What a transaction answers with. The transaction fills it in; a retried transaction finds
 * what the previous attempt left and replaces it (releasing the old json).
 */
struct reply_out {
	json_t *json; /* the body; NULL answers with the status alone, without a body */
	int status;   /* the status on success when the transaction chooses it; 0: the caller's */
};

/*
 * Runs fn(conn, ctx, err) in one transaction (store_tx) and answers the request. On success:
 * out->json with out->status (or `status` when the transaction left it 0) and
 * "Cache-Control: no-store"; only that status, with no body and no header, when out->json is
 * NULL. On failure: the error envelope of fn's error (http_reply_error). out->json is consumed
 * either way (stolen by the response or released) and left NULL. Returns 0, or the ERR_* code
 * that was answered. Cannot fail otherwise.
 */
int reply_tx(struct http_request *req, struct http_response *res, int status,
	     int (*fn)(struct store_conn *conn, void *ctx, struct error *err), void *ctx,
	     struct reply_out *out);

/*
 * The same for a read without a transaction (store_with): fn leaves its body in *reply; 200
 * with it and "Cache-Control: no-store", or the error envelope. *reply is consumed either way
 * and left NULL. Returns 0 or the ERR_* code answered.
 */
int reply_read(struct http_request *req, struct http_response *res,
	       int (*fn)(struct store_conn *conn, void *ctx, struct error *err), void *ctx,
	       json_t **reply);

#endif
