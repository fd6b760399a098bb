/* Answering a request from one transaction's outcome (see reply.h). */
#include "reply.h"

#include "portal/app.h"

int reply_tx(struct http_request *req, struct http_response *res, int status,
	     int (*fn)(struct store_conn *conn, void *ctx, struct error *err), void *ctx,
	     struct reply_out *out)
{
	struct error err = ERROR_INIT;
	int rc = store_tx(req->app->pool, fn, ctx, &err);
	if (out->status)
		status = out->status;
	if (rc) {
		json_decref(out->json);
		http_reply_error(res, &err);
	} else if (out->json) {
		http_add_header(res, "Cache-Control", "no-store");
		http_reply_json(res, status, out->json);
	} else {
		res->status = status;
	}
	out->json = NULL;
	error_release(&err);
	return rc;
}

int reply_read(struct http_request *req, struct http_response *res,
	       int (*fn)(struct store_conn *conn, void *ctx, struct error *err), void *ctx,
	       json_t **reply)
{
	struct error err = ERROR_INIT;
	int rc = store_with(req->app->pool, fn, ctx, &err);
	if (rc) {
		json_decref(*reply);
		http_reply_error(res, &err);
	} else {
		http_add_header(res, "Cache-Control", "no-store");
		http_reply_json(res, 200, *reply);
	}
	*reply = NULL;
	error_release(&err);
	return rc;
}
