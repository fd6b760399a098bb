/*
 * The decision code lists: GET /v1/public/codes (what every return item, reason and condition
 * code means, the version in force, from the published snapshot) and POST /v1/codes (the office
 * publishes the next version; the old ones stay as they were).
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/app.h"
#include "portal/audit.h"
#include "portal/auth.h"
#include "portal/http.h"
#include "portal/router.h"
#include "portal/snapshot.h"
#include "store/codes.h"
#include "workflows/codes.h"
#include "lib/json_text.h"

static int public_codes(struct http_request *req, struct http_response *res)
{
	const struct published *p = snapshot_get(req->app);
	if (!p)
		return http_fail(res, ERR_UNAVAILABLE, "published data is not loaded yet");
	json_t *j = codes_to_json(&p->codes);
	snapshot_put(p);
	char *body = json_text_sorted(j);
	json_decref(j);
	unsigned char h[16];
	char hex[33], etag[40];
	crypto_generichash(h, sizeof(h), (const unsigned char *)body, strlen(body), NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(etag, sizeof(etag), "\"%s\"", hex);
	http_add_header(res, "ETag", etag);
	http_add_header(res, "Cache-Control", "public, max-age=60");
	const char *inm = http_header(req, "If-None-Match");
	if (inm && strstr(inm, etag)) {
		free(body);
		res->status = 304;
		return 0;
	}
	http_reply_text(res, 200, "application/json; charset=utf-8", body, strlen(body));
	free(body);
	return 0;
}

struct publish {
	const struct authz_caller *caller;
	const struct code_lists *cl;
	int version;
};

static int publish_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct publish *p = ctx;
	int rc = store_codes_publish(c, p->cl, p->caller->user_id, &p->version, err);
	char ref[16];
	snprintf(ref, sizeof(ref), "%d", p->version);
	if (!rc)
		rc = audit_record(c, p->caller, "codes.publish", "code_list", ref,
				  json_pack("{s:i}", "codes", (int)p->cl->n), err);
	return rc;
}

/* The office publishes the next version: the whole lists, every problem listed at once. */
static int codes_publish(struct http_request *req, struct http_response *res)
{
	if (auth_require(req, res, AZ_CODES_PUBLISH, NULL))
		return 1;
	struct error err = ERROR_INIT;
	struct code_lists cl = { 0 };
	json_t *body = NULL;
	int rc = http_parse_json(req, &body, &err);
	if (!rc)
		rc = codes_from_json(body, &cl, &err);
	if (!rc && !json_object_get(body, codes_list_name(CODES_POINT_CHANGE))) {
		/* a version that does not name the point-change reasons keeps those in force */
		const struct published *now = snapshot_get(req->app);
		if (now)
			codes_carry_over(&cl, &now->codes, CODES_POINT_CHANGE);
		snapshot_put(now);
	}
	json_decref(body);
	struct publish p = { auth_caller(req), &cl, 0 };
	if (!rc)
		rc = store_tx(req->app->pool, publish_tx, &p, &err);
	codes_release(&cl);
	if (rc) {
		http_reply_error(res, &err);
		error_release(&err);
		return rc;
	}
	snapshot_refresh(req->app, &err);
	error_release(&err);
	const struct published *pub = snapshot_get(req->app);
	http_add_header(res, "Cache-Control", "no-store");
	if (pub && pub->codes.version == p.version)
		http_reply_json(res, 201, codes_to_json(&pub->codes));
	else
		http_reply_json(res, 201, json_pack("{s:i}", "version", p.version));
	snapshot_put(pub);
	return 0;
}

const struct route codes_routes[] = {
	{ "GET", "/v1/public/codes", public_codes, ROUTE_PUBLIC, 0, RUNS_FROM_MEMORY },
	{ "POST", "/v1/codes", codes_publish, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ 0 },
};
