/*
 * Integrations over HTTP: an organisation's webhook endpoint and its secrets, the polling feed
 * of its events, the office's delivery tools, and inbound callbacks from utilities and
 * authorities.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "integrations/adapter.h"
#include "integrations/urlguard.h"
#include "integrations/webhook.h"
#include "portal/app.h"
#include "portal/audit.h"
#include "portal/auth.h"
#include "portal/input.h"
#include "portal/projects_api.h"
#include "portal/reply.h"
#include "portal/router.h"
#include "portal/sweeper.h"
#include "portal/transitions.h"
#include "store/accounts.h"
#include "store/endpoints.h"
#include "store/outbox.h"
#include "workflows/authz.h"
#include "lib/xalloc.h"

/* Seconds the previous key keeps signing after a rotation (PORTAL_WEBHOOK_ROTATION_OVERLAP). */
#define OVERLAP_DEFAULT (24 * 3600)

static const char *const modes[] = { "v1", "v1a", NULL };
static const char *const statuses[] = { "pending", "delivered", "dead", "no_endpoint", NULL };

/* Everything a handler hands to its transaction. */
struct op {
	struct http_request *req;
	const struct authz_caller *caller;
	json_t *body;
	long long id;
	const char *url, *mode, *status, *since;
	int limit;
	long long after, n;
	char *secret, *signing_key, *public_key; /* new keys, shown once */
	struct reply_out reply;
};

static void op_release(struct op *op)
{
	if (op->secret)
		sodium_memzero(op->secret, strlen(op->secret));
	if (op->signing_key)
		sodium_memzero(op->signing_key, strlen(op->signing_key));
	free(op->secret);
	free(op->signing_key);
	free(op->public_key);
	json_decref(op->body);
}

static long long overlap_seconds(void)
{
	const char *v = getenv("PORTAL_WEBHOOK_ROTATION_OVERLAP");
	long long n = v && *v ? atoll(v) : OVERLAP_DEFAULT;
	return n > 0 && n <= 30LL * 24 * 3600 ? n : OVERLAP_DEFAULT;
}

/* Runs fn in a transaction and answers (reply_tx); the op's keys and body die here. */
static int run(struct http_request *req, struct http_response *res, int status,
	       int (*fn)(struct store_conn *, void *, struct error *), struct op *op)
{
	int rc = reply_tx(req, res, status, fn, op, &op->reply);
	op_release(op);
	return rc;
}

static int invalid(struct http_response *res, struct error *err, struct op *op)
{
	if (!err->code)
		error_set(err, ERR_INVALID, "the request has %zu problem(s); see details",
			  err->ndetails);
	http_reply_error(res, err);
	error_release(err);
	op_release(op);
	return 1;
}

static int audit(struct store_conn *c, const struct op *op, const char *action, json_t *detail,
		 struct error *err)
{
	return audit_record_id(c, op->caller, action, "endpoint", op->id, detail, err);
}

/* ---- endpoint ------------------------------------------------------------------------------ */

static json_t *endpoint_json(const struct endpoint_row *e)
{
	json_t *j = json_pack("{s:I, s:s, s:s, s:o, s:b, s:o, s:s, s:s, s:o, s:o}", "organisation_id",
			      (json_int_t)e->org_id, "url", e->url, "mode", e->mode, "public_key",
			      e->public_key ? json_string(e->public_key) : json_null(), "disabled",
			      e->disabled, "disabled_reason",
			      e->disabled_reason ? json_string(e->disabled_reason) : json_null(),
			      "created_at", e->created_at, "updated_at", e->updated_at,
			      "rotated_at", e->rotated_at[0] ? json_string(e->rotated_at) : json_null(),
			      "previous_key_valid_until",
			      e->previous_active ? json_string(e->previous_until) : json_null());
	return j;
}

/* The organisation must exist (404), and the caller may manage its endpoint. */
static int org_exists(struct store_conn *c, long long id, struct error *err)
{
	struct org_row o;
	return store_org_get(c, id, &o, err);
}

/* Fresh keys for a mode: a whsec_ secret always, an Ed25519 pair for v1a. */
static void new_keys(struct op *op, bool secret, const char *mode)
{
	if (secret)
		op->secret = webhook_secret_new();
	if (!strcmp(mode, "v1a"))
		webhook_keypair_new(&op->signing_key, &op->public_key);
}

static void show_keys(const struct op *op, json_t *reply)
{
	if (op->secret)
		json_object_set_new(reply, "secret", json_string(op->secret));
	if (op->public_key)
		json_object_set_new(reply, "public_key", json_string(op->public_key));
}

static int endpoint_put_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	struct endpoint_row old, now;
	free(op->secret);
	free(op->signing_key);
	free(op->public_key);
	op->secret = op->signing_key = op->public_key = NULL;
	int rc = org_exists(c, op->id, err);
	if (rc)
		return rc;
	rc = store_endpoint_get(c, op->id, true, &old, err);
	if (rc && rc != ERR_NOT_FOUND)
		return rc;
	bool created = rc == ERR_NOT_FOUND;
	op->reply.status = created ? 201 : 0;
	error_release(err);
	bool same_mode = !created && !strcmp(old.mode, op->mode);
	/* Keys survive a change of URL; a new endpoint or mode gets new ones, shown once. */
	if (!same_mode)
		new_keys(op, created, op->mode);
	const char *secret = op->secret ? op->secret : old.secret;
	const char *sk = same_mode ? old.signing_key : op->signing_key;
	const char *pk = same_mode ? old.public_key : op->public_key;
	rc = store_endpoint_put(c, op->id, op->url, op->mode, secret, sk, pk, err);
	if (!rc)
		rc = audit(c, op, "endpoint.put", json_pack("{s:s, s:s}", "url", op->url, "mode",
							    op->mode),
			   err);
	if (!rc)
		rc = store_endpoint_get(c, op->id, false, &now, err);
	if (!rc) {
		op->reply.json = endpoint_json(&now);
		show_keys(op, op->reply.json);
		store_endpoint_release(&now);
	}
	store_endpoint_release(&old);
	return rc;
}

static int endpoint_put(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	struct op op = { .req = req, .caller = auth_caller(req) };
	if (input_path_id(req, 0, &op.id))
		return http_fail(res, ERR_NOT_FOUND, "no such organisation");
	struct authz_object obj = { op.id, NULL, 0 };
	if (auth_require(req, res, AZ_ENDPOINT_MANAGE, &obj))
		return 1;
	static const char *const allowed[] = { "url", "mode", NULL };
	if (http_parse_json(req, &op.body, &err) == 0) {
		http_reject_unknown(op.body, allowed, "", &err);
		op.url = input_str(op.body, "url", true, URLGUARD_URL_MAX, &err);
		op.mode = json_object_get(op.body, "mode") ? input_enum(op.body, "mode", true, modes,
									&err)
							   : "v1";
		if (op.url)
			urlguard_check(op.url, req->app->cfg.allow_private_webhooks, &err);
	}
	if (err.code || err.ndetails)
		return invalid(res, &err, &op);
	return run(req, res, 200, endpoint_put_tx, &op);
}

static int endpoint_get_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	struct endpoint_row e;
	int rc = store_endpoint_get(c, op->id, false, &e, err);
	if (!rc) {
		op->reply.json = endpoint_json(&e);
		store_endpoint_release(&e);
	}
	return rc;
}

/* Reads {id} and checks the caller may manage that organisation's endpoint. */
static int endpoint_target(struct http_request *req, struct http_response *res, struct op *op,
			   int action)
{
	op->req = req;
	op->caller = auth_caller(req);
	if (input_path_id(req, 0, &op->id))
		return http_fail(res, ERR_NOT_FOUND, "no such organisation");
	struct authz_object obj = { op->id, NULL, 0 };
	return auth_require(req, res, action, &obj);
}

static int endpoint_get(struct http_request *req, struct http_response *res)
{
	struct op op = { 0 };
	if (endpoint_target(req, res, &op, AZ_ENDPOINT_MANAGE))
		return 1;
	return run(req, res, 200, endpoint_get_tx, &op);
}

static int endpoint_rotate_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	struct endpoint_row e;
	free(op->secret);
	free(op->signing_key);
	free(op->public_key);
	op->secret = op->signing_key = op->public_key = NULL;
	int rc = store_endpoint_get(c, op->id, true, &e, err);
	if (rc)
		return rc;
	new_keys(op, true, e.mode);
	store_endpoint_release(&e);
	rc = store_endpoint_rotate(c, op->id, op->secret, op->signing_key, op->public_key,
				   overlap_seconds(), err);
	if (!rc)
		rc = audit(c, op, "endpoint.rotate", NULL, err);
	if (!rc)
		rc = store_endpoint_get(c, op->id, false, &e, err);
	if (!rc) {
		op->reply.json = endpoint_json(&e);
		show_keys(op, op->reply.json);
		store_endpoint_release(&e);
	}
	return rc;
}

static int endpoint_rotate(struct http_request *req, struct http_response *res)
{
	struct op op = { 0 };
	if (endpoint_target(req, res, &op, AZ_ENDPOINT_MANAGE))
		return 1;
	return run(req, res, 200, endpoint_rotate_tx, &op);
}

/* "2026-03-01T08:00:00Z" (or with an offset) to "2026-03-01 00:00:00" UTC for the store. */
static bool rfc3339_to_utc(const char *s, char out[20])
{
	struct tm tm = { 0 };
	const char *p = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	if (!p)
		return false;
	if (*p == '.')
		p += 1 + strspn(p + 1, "0123456789");
	long off = 0;
	if ((*p == 'Z' || *p == 'z') && !p[1]) {
		off = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		off = (atoi(p + 1) * 3600 + atoi(p + 4) * 60) * (*p == '-' ? -1 : 1);
	} else {
		return false;
	}
	time_t t = timegm(&tm) - off;
	struct tm u;
	gmtime_r(&t, &u);
	strftime(out, 20, "%Y-%m-%d %H:%M:%S", &u);
	return true;
}

static int endpoint_replay_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	int rc = org_exists(c, op->id, err);
	if (!rc)
		rc = store_outbox_replay_dead(c, op->id, op->since, &op->n, err);
	if (!rc)
		rc = audit(c, op, "endpoint.replay", json_pack("{s:s, s:I}", "since", op->since,
							       "events", (json_int_t)op->n),
			   err);
	if (!rc)
		op->reply.json = json_pack("{s:I}", "replayed", (json_int_t)op->n);
	return rc;
}

static int endpoint_replay(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	struct op op = { 0 };
	if (endpoint_target(req, res, &op, AZ_DELIVERY_ADMIN))
		return 1;
	static const char *const allowed[] = { "since", NULL };
	char since[20];
	if (http_parse_json(req, &op.body, &err) == 0) {
		http_reject_unknown(op.body, allowed, "", &err);
		const char *s = input_str(op.body, "since", true, 40, &err);
		if (s && !rfc3339_to_utc(s, since))
			error_add(&err, "since", "invalid", "since must be an RFC 3339 time");
		op.since = since;
	}
	if (err.code || err.ndetails)
		return invalid(res, &err, &op);
	return run(req, res, 200, endpoint_replay_tx, &op);
}

/* ---- the polling feed ----------------------------------------------------------------------- */

/* A cursor is an event's sequence number, plain or as its id "evt_<n>". */
static bool parse_cursor(const char *s, long long *out)
{
	if (!s || !*s)
		return true;
	if (!strncmp(s, "evt_", 4))
		s += 4;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v < 0)
		return false;
	*out = v;
	return true;
}

static int events_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	json_t *items;
	long long last;
	bool more;
	int rc = store_outbox_feed(c, op->caller->org_id, op->after, op->limit, &items, &last,
				   &more, err);
	if (rc)
		return rc;
	char cur[24];
	snprintf(cur, sizeof(cur), "%lld", last ? last : op->after);
	op->reply.json = json_pack("{s:o, s:s}", "items", items, "cursor", cur);
	input_set_cursor(op->reply.json, more, last);
	return 0;
}

static int events_feed(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	struct op op = { .req = req, .caller = auth_caller(req), .limit = 100 };
	if (auth_require(req, res, AZ_EVENTS_READ, NULL))
		return 1;
	const char *l = http_query(req, "limit");
	if (l) {
		char *end;
		long v = strtol(l, &end, 10);
		if (!*l || *end || v < 1 || v > 500)
			error_add(&err, "limit", "out_of_range", "limit must be from 1 to 500");
		else
			op.limit = (int)v;
	}
	const char *after = http_query(req, "after");
	if (!after)
		after = http_query(req, "cursor");
	if (!parse_cursor(after, &op.after))
		error_add(&err, "after", "invalid", "after must be an event sequence or id");
	if (err.ndetails)
		return invalid(res, &err, &op);
	return run(req, res, 200, events_tx, &op);
}

/* ---- office: deliveries ------------------------------------------------------------------- */

static int deliveries_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	json_t *items;
	long long last;
	bool more;
	int rc = store_outbox_list(c, op->status, op->n, op->after, op->limit, &items, &last,
				   &more, err);
	if (rc)
		return rc;
	op->reply.json = json_pack("{s:o}", "items", items);
	input_set_cursor(op->reply.json, more, last);
	return 0;
}

static int deliveries_list(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	struct op op = { .req = req, .caller = auth_caller(req) };
	if (auth_require(req, res, AZ_DELIVERY_ADMIN, NULL))
		return 1;
	input_page(req, &op.limit, &op.after, &err);
	op.status = http_query(req, "status");
	bool known = !op.status;
	for (size_t i = 0; statuses[i] && !known; i++)
		known = !strcmp(op.status, statuses[i]);
	if (!known)
		error_add(&err, "status", "invalid_value",
			  "status is one of pending, delivered, dead, no_endpoint");
	const char *org = http_query(req, "org");
	if (org && !parse_cursor(org, &op.n))
		error_add(&err, "org", "invalid", "org must be an organisation id");
	if (err.code || err.ndetails)
		return invalid(res, &err, &op);
	return run(req, res, 200, deliveries_tx, &op);
}

static int delivery_target(struct http_request *req, struct http_response *res, struct op *op)
{
	op->req = req;
	op->caller = auth_caller(req);
	if (auth_require(req, res, AZ_DELIVERY_ADMIN, NULL))
		return 1;
	if (req->nparams < 1 || !parse_cursor(req->params[0], &op->id) || op->id <= 0)
		return http_fail(res, ERR_NOT_FOUND, "no such event");
	return 0;
}

static int delivery_get_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	return store_outbox_get(c, op->id, &op->reply.json, err);
}

static int delivery_get(struct http_request *req, struct http_response *res)
{
	struct op op = { 0 };
	if (delivery_target(req, res, &op))
		return 1;
	return run(req, res, 200, delivery_get_tx, &op);
}

static int delivery_replay_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	int rc = store_outbox_replay(c, op->id, err);
	if (!rc)
		rc = audit(c, op, "delivery.replay", json_pack("{s:I}", "event", (json_int_t)op->id),
			   err);
	if (!rc)
		rc = store_outbox_get(c, op->id, &op->reply.json, err);
	return rc;
}

static int delivery_replay(struct http_request *req, struct http_response *res)
{
	struct op op = { 0 };
	if (delivery_target(req, res, &op))
		return 1;
	return run(req, res, 200, delivery_replay_tx, &op);
}

/* ---- inbound callbacks ---------------------------------------------------------------------- */

struct inbound {
	const struct authz_caller *caller;
	const char *kind, *webhook_id, *body_text, *reference;
	bool permit;
	bool guidance; /* a utility's answer to a guidance task: reference is the project's */
	struct endpoint_row ep;
	bool fresh;
	int status;
	char *response;
	long long target;
	int code; /* the reply's HTTP status, to keep */
	const char *reply_text;
};

static int endpoint_of_caller_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct inbound *in = ctx;
	store_endpoint_release(&in->ep);
	int rc = store_endpoint_get(c, in->caller->org_id, false, &in->ep, err);
	if (rc == ERR_NOT_FOUND)
		return error_set(err, ERR_UNAUTHORIZED,
				 "register an endpoint first: callbacks are verified with its secret");
	return rc;
}

static int begin_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct inbound *in = ctx;
	free(in->response);
	in->response = NULL;
	int rc = store_callback_begin(c, in->caller->org_id, in->webhook_id, in->kind,
				      in->body_text, &in->fresh, &in->status, &in->response, err);
	if (!rc && in->fresh && !in->guidance)
		rc = store_callback_target(c, in->caller->org_id, in->permit, in->reference,
					   &in->target, err);
	return rc;
}

static int finish_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct inbound *in = ctx;
	return store_callback_finish(c, in->caller->org_id, in->webhook_id, in->code,
				     in->reply_text, err);
}

static int forget_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct inbound *in = ctx;
	return store_callback_forget(c, in->caller->org_id, in->webhook_id, err);
}

/* The signature must match the organisation's endpoint secret (or the previous one). */
static int verify(struct http_request *req, struct inbound *in, struct error *err)
{
	int rc = store_with(req->app->pool, endpoint_of_caller_tx, in, err);
	if (rc)
		return rc;
	const char *keys[2] = { in->ep.secret, in->ep.previous_secret };
	size_t nkeys = in->ep.previous_active && in->ep.previous_secret ? 2 : 1;
	return webhook_verify(in->webhook_id, http_header(req, "webhook-timestamp"),
			      http_header(req, "webhook-signature"), req->body ? req->body : "",
			      req->body_len, keys, nkeys, (int64_t)time(NULL), err);
}

/* Applies a new callback and keeps the reply for duplicates; a passing failure is forgotten. */
static void apply(struct http_request *req, struct http_response *res, struct inbound *in,
		  const struct adapter_callback *cb, struct error *err)
{
	json_t *body = NULL, *view = NULL;
	int rc;
	if (in->guidance) {
		/* "PJ-000123": the project; the task is the caller's of the adapter's kind */
		long long project = 0;
		char tail;
		body = adapter_guidance_answer(cb);
		if (sscanf(in->reference, "PJ-%lld%c", &project, &tail) != 1 || project <= 0)
			rc = error_set(err, ERR_NOT_FOUND, "no guidance task of yours for %s",
				       in->reference);
		else
			rc = projects_guidance_answer(req->app, in->caller, project, in->kind, body,
						      &view, err);
	} else {
		body = adapter_callback_transition(cb);
		rc = transitions_apply(req->app, in->caller, in->permit, in->target, body, &view,
				       err);
	}
	json_decref(body);
	if (rc) {
		http_reply_error(res, err);
	} else {
		http_reply_json(res, 200, json_pack("{s:b, s:s, s:o}", "applied", true, "action",
						    cb->action, "object", view));
	}
	struct error local = ERROR_INIT;
	if (rc == ERR_UNAVAILABLE || rc == ERR_RETRY || rc == ERR_INTERNAL) {
		store_tx(req->app->pool, forget_tx, in, &local);
	} else {
		in->code = res->status;
		in->reply_text = res->body ? res->body : "";
		store_tx(req->app->pool, finish_tx, in, &local);
	}
	error_release(&local);
}

/* A repeat of an id already seen: the first reply again, nothing applied. */
static void duplicate(struct http_response *res, const struct inbound *in)
{
	http_add_header(res, "Webhook-Duplicate", "true");
	if (in->status == 0) {
		http_fail(res, ERR_CONFLICT, "this webhook-id is being processed");
		return;
	}
	const char *r = in->response ? in->response : "";
	http_reply_text(res, in->status, "application/json", r, strlen(r));
}

static int callback(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	struct inbound in = { .caller = auth_caller(req), .kind = req->params[0] };
	struct adapter_callback cb = { 0 };
	json_t *body = NULL;
	const struct adapter *ad = adapter_find(in.kind);
	int rc = 0;
	if (!ad)
		rc = error_set(&err, ERR_NOT_FOUND, "no integration for kind %s", in.kind);
	else if (!in.caller->api_key || strcmp(in.caller->subkind, ad->kind) != 0)
		rc = error_set(&err, ERR_FORBIDDEN,
			       "callbacks for %s come from a %s organisation's API key", ad->kind,
			       ad->kind);
	in.webhook_id = http_header(req, "webhook-id");
	if (!rc)
		rc = verify(req, &in, &err);
	if (!rc)
		rc = http_parse_json(req, &body, &err);
	if (!rc)
		rc = ad->parse_callback(body, &cb, &err);
	if (!rc) {
		in.permit = !strcmp(ad->party, "authority");
		in.guidance = !strcmp(cb.action, "guidance");
		in.reference = cb.external_ref;
		in.body_text = req->body;
		rc = store_tx(req->app->pool, begin_tx, &in, &err);
	}
	if (rc)
		http_reply_error(res, &err);
	else if (!in.fresh)
		duplicate(res, &in);
	else
		apply(req, res, &in, &cb, &err);
	adapter_callback_release(&cb);
	json_decref(body);
	store_endpoint_release(&in.ep);
	free(in.response);
	error_release(&err);
	return 0;
}

const struct route integrations_routes[] = {
	{ "PUT", "/v1/organisations/{id}/endpoint", endpoint_put, ROUTE_AUTHENTICATED,
	  0, RUNS_ON_WORK },
	{ "GET", "/v1/organisations/{id}/endpoint", endpoint_get, ROUTE_AUTHENTICATED,
	  0, RUNS_ON_WORK },
	{ "POST", "/v1/organisations/{id}/endpoint/rotate", endpoint_rotate, ROUTE_AUTHENTICATED,
	  0, RUNS_ON_WORK },
	{ "POST", "/v1/organisations/{id}/endpoint/replay", endpoint_replay, ROUTE_AUTHENTICATED,
	  0, RUNS_ON_WORK },
	{ "GET", "/v1/events", events_feed, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "GET", "/v1/deliveries", deliveries_list, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "GET", "/v1/deliveries/{event_id}", delivery_get, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "POST", "/v1/deliveries/{event_id}/replay", delivery_replay, ROUTE_AUTHENTICATED,
	  0, RUNS_ON_WORK },
	{ "POST", "/v1/integrations/{kind}/callbacks", callback, ROUTE_AUTHENTICATED,
	  0, RUNS_ON_WORK },
	{ 0 },
};
