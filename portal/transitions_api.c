/*
 * Jobs and permits: the queues, one track's view, and every state change through one
 * transitions endpoint per aggregate, with optimistic concurrency and the stage clock.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/app.h"
#include "portal/auth.h"
#include "portal/defects_api.h"
#include "portal/input.h"
#include "portal/router.h"
#include "portal/snapshot.h"
#include "portal/tracks.h"
#include "portal/transition.h"
#include "portal/transitions.h"
#include "portal/works_api.h"
#include "store/jobs.h"
#include "store/permits.h"
#include "store/queues.h"
#include "workflows/fees.h"
#include "workflows/geo.h"
#include "workflows/job.h"
#include "workflows/permit.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"



static const char *const allowed_keys[] = { "action", "version", "items", "reason_code",
					    "comment", "connection_point", "quote",
					    "permits_needed", "conditions", "result",
					    "extension_to", "decision", NULL };

/* {code, comment} lists (return items, approval conditions). */
static size_t parse_codes(json_t *arr, const char *field, struct permit_code *out,
			  struct error *err)
{
	if (!arr)
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > TRANSITION_MAX_ITEMS) {
		error_add(err, field, "wrong_type", "%s must be a list of at most %d {code, comment}",
			  field, TRANSITION_MAX_ITEMS);
		return 0;
	}
	size_t n = 0;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *e = json_array_get(arr, i);
		const char *code = json_string_value(json_object_get(e, "code"));
		json_t *cm = json_object_get(e, "comment");
		if (!code || !*code || strlen(code) > 64 || (cm && !json_is_string(cm))) {
			char f[64];
			snprintf(f, sizeof(f), "%s[%zu]", field, i);
			error_add(err, f, "invalid", "each entry needs a code (text) and may have a comment");
			continue;
		}
		out[n].code = code;
		out[n].comment = json_string_value(cm);
		n++;
	}
	return n;
}

static void parse_quote(json_t *arr, struct act *a, struct error *err)
{
	if (!arr)
		return;
	if (!json_is_array(arr) || json_array_size(arr) > TRANSITION_MAX_ITEMS) {
		error_add(err, "quote", "wrong_type", "quote must be a list of {code, quantity, unit_price_fen}");
		return;
	}
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *e = json_array_get(arr, i);
		json_t *q = json_object_get(e, "quantity"), *p = json_object_get(e, "unit_price_fen");
		const char *code = json_string_value(json_object_get(e, "code"));
		if (!code || !json_is_integer(q) || !json_is_integer(p)) {
			char f[64];
			snprintf(f, sizeof(f), "quote[%zu]", i);
			error_add(err, f, "invalid",
				  "each line needs code (text), quantity and unit_price_fen (whole numbers)");
			continue;
		}
		a->quote[a->nquote].code = code;
		a->quote[a->nquote].quantity = json_integer_value(q);
		a->quote[a->nquote].unit_price_fen = json_integer_value(p);
		a->nquote++;
	}
}

/* Reads a transition body (already parsed) into a, listing every problem at once. */
/*
 * The connection point a survey fixes: a GeoJSON Point under "geometry" (with an optional "crs",
 * e.g. "GCJ-02" from a web map) or "lat" and "lng", and a "description". Both forms are stored
 * the same way: the object gains "geometry" (CGCS2000) and keeps lat/lng as given, or gets them
 * from the point. Every problem is listed.
 */
static void parse_connection_point(json_t *cp, struct error *err)
{
	static const char *const allowed[] = { "geometry", "crs", "lat", "lng", "description", NULL };
	if (!json_is_object(cp)) {
		error_add(err, "connection_point", "wrong_type",
			  "connection_point is an object {geometry (a GeoJSON Point) or lat and lng, "
			  "description}");
		return;
	}
	const char *key;
	json_t *v;
	json_object_foreach(cp, key, v)
	{
		bool known = false;
		for (size_t i = 0; allowed[i]; i++)
			known = known || !strcmp(key, allowed[i]);
		if (!known) {
			char f[96];
			snprintf(f, sizeof(f), "connection_point.%.60s", key);
			error_add(err, f, "unknown_field", "unknown field '%s'", key);
		}
	}
	enum geo_crs crs = GEO_CRS_CGCS2000;
	geo_crs_parse(json_object_get(cp, "crs"), "connection_point.crs", &crs, err);
	json_t *d = json_object_get(cp, "description");
	if (d && (!json_is_string(d) || json_string_length(d) > 500))
		error_add(err, "connection_point.description", "wrong_type",
			  "description is text of at most 500 characters");
	json_t *g = json_object_get(cp, "geometry");
	json_t *lat = json_object_get(cp, "lat"), *lng = json_object_get(cp, "lng");
	struct geo *pt = NULL;
	if (g) {
		if (lat || lng)
			error_add(err, "connection_point.lat", "not_allowed",
				  "give the point once: geometry, or lat and lng");
		geo_parse(g, crs, GEO_POINT, "connection_point.geometry", &pt, err);
		if (pt) {
			double x, y;
			geo_anchor(pt, &x, &y);
			json_object_set_new(cp, "lng", json_real(x));
			json_object_set_new(cp, "lat", json_real(y));
		}
	} else if (json_is_number(lat) && json_is_number(lng) &&
		   fabs(json_number_value(lat)) <= 90 && fabs(json_number_value(lng)) <= 180) {
		json_t *p = json_pack("{s:s, s:[O, O]}", "type", "Point", "coordinates", lng, lat);
		geo_parse(p, crs, GEO_POINT, "connection_point", &pt, err);
		json_decref(p);
		if (pt && crs != GEO_CRS_CGCS2000) { /* lat and lng as stored: converted */
			double x, y;
			geo_anchor(pt, &x, &y);
			json_object_set_new(cp, "lng", json_real(x));
			json_object_set_new(cp, "lat", json_real(y));
		}
	} else {
		error_add(err, "connection_point.geometry", "required",
			  "the connection point is a GeoJSON Point (geometry) or lat (-90..90) and "
			  "lng (-180..180)");
	}
	if (pt)
		json_object_set_new(cp, "geometry", geo_geojson(pt));
	json_object_del(cp, "crs"); /* stored in CGCS2000 */
	geo_free(pt);
}

static int parse_act_body(struct act *a, struct error *err)
{
	http_reject_unknown(a->body, allowed_keys, "", err);
	a->action = input_str(a->body, "action", true, 32, err);
	long long v = a->version;
	input_int(a->body, "version", false, 1, 1 << 30, &v, err);
	a->version = (int)v;
	a->nitems = parse_codes(json_object_get(a->body, "items"), "items", a->codes, err);
	for (size_t i = 0; i < a->nitems; i++) {
		a->items[i].code = a->codes[i].code;
		a->items[i].comment = a->codes[i].comment;
	}
	a->nconditions = parse_codes(json_object_get(a->body, "conditions"), "conditions",
				     a->conditions, err);
	a->reason_code = input_str(a->body, "reason_code", false, 64, err);
	a->comment = input_str(a->body, "comment", false, 2000, err);
	a->connection_point = json_object_get(a->body, "connection_point");
	if (a->connection_point)
		parse_connection_point(a->connection_point, err);
	parse_quote(json_object_get(a->body, "quote"), a, err);
	a->permits_needed = json_object_get(a->body, "permits_needed");
	if (a->permits_needed && (!json_is_array(a->permits_needed) ||
				  json_array_size(a->permits_needed) > TRANSITION_MAX_ITEMS))
		error_add(err, "permits_needed", "wrong_type",
			  "permits_needed must be a list of at most %d permit references", TRANSITION_MAX_ITEMS);
	for (size_t i = 0; json_is_array(a->permits_needed) &&
			   i < json_array_size(a->permits_needed) && i < TRANSITION_MAX_ITEMS; i++) {
		if (json_is_string(json_array_get(a->permits_needed, i)))
			continue;
		char f[40];
		snprintf(f, sizeof(f), "permits_needed[%zu]", i);
		error_add(err, f, "wrong_type", "each entry is a permit reference (text)");
	}
	static const char *const results[] = { "pass", "fail", NULL };
	const char *r = input_enum(a->body, "result", false, results, err);
	a->result = !r ? PERMIT_RESULT_NONE : !strcmp(r, "pass") ? PERMIT_RESULT_PASS
								  : PERMIT_RESULT_FAIL;
	static const char *const decisions[] = { "grant", "refuse", NULL };
	const char *d = input_enum(a->body, "decision", false, decisions, err);
	a->decision = !d ? PERMIT_EXTENSION_NONE : !strcmp(d, "grant") ? PERMIT_EXTENSION_GRANT
								      : PERMIT_EXTENSION_REFUSE;
	a->extension_to = -1;
	const char *ext = input_str(a->body, "extension_to", false, 10, err);
	if (ext && cal_day_parse(ext, &a->extension_to, NULL) != 0)
		error_add(err, "extension_to", "invalid", "extension_to must be YYYY-MM-DD");
	if (err->ndetails)
		return error_set(err, ERR_INVALID, "the request has %zu problem(s); all are listed",
				 err->ndetails);
	return 0;
}

int transitions_parse_body(json_t *body, struct error *err)
{
	struct act *a = xcalloc(1, sizeof(*a)); /* large: the item arrays */
	a->body = body;
	int rc = parse_act_body(a, err);
	free(a);
	return rc;
}

/* Reads the request; replies and returns non-zero when it is malformed or invalid. */
static int parse_act(struct http_request *req, struct http_response *res, struct act *a)
{
	struct error err = ERROR_INIT;
	if (input_path_id(req, 0, &a->id))
		return http_fail(res, ERR_NOT_FOUND, "no such object");
	const char *im = http_header(req, "If-Match");
	if (im) {
		while (*im == '"' || *im == 'W' || *im == '/')
			im++;
		a->version = atoi(im);
	}
	int rc = http_parse_json(req, &a->body, &err);
	if (!rc)
		rc = parse_act_body(a, &err);
	if (rc) {
		http_reply_error(res, &err);
		error_release(&err);
	}
	return rc;
}

/* A transition of ops' kind in one transaction (store_tx's callback). */
struct run {
	const struct transition_ops *ops;
	struct act *a;
};

static int run_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct run *r = ctx;
	return transition_run(c, r->ops, r->a, err);
}

/*
 * Runs a parsed act against the published snapshot: 0 and a->reply set, or err filled
 * (503 while the published standards are not loaded).
 */
static int run_act(struct app *app, const struct transition_ops *ops, struct act *a,
		   struct error *err)
{
	struct run r = { ops, a };
	a->pub = snapshot_get(app);
	int rc = a->pub ? store_tx(app->pool, run_tx, &r, err)
			: error_set(err, ERR_UNAVAILABLE, "published standards are not loaded yet");
	if (a->pub)
		snapshot_put(a->pub);
	if (rc) {
		json_decref(a->reply);
		a->reply = NULL;
	}
	return rc;
}

/* A transition request on a job or a permit: parse the action, then run it in one transaction. */
static int act_route(struct http_request *req, struct http_response *res,
		     const struct transition_ops *ops)
{
	struct act *a = xcalloc(1, sizeof(*a));
	a->caller = auth_caller(req);
	struct error err = ERROR_INIT;
	int rc = parse_act(req, res, a);
	if (!rc && (rc = run_act(req->app, ops, a, &err)) != 0)
		http_reply_error(res, &err);
	if (!rc) {
		http_add_header(res, "Cache-Control", "no-store");
		http_reply_json(res, 200, a->reply);
	}
	json_decref(a->body);
	error_release(&err);
	free(a);
	return rc;
}

static int job_transition(struct http_request *req, struct http_response *res)
{
	return act_route(req, res, &transition_job_ops);
}

struct read {
	const struct authz_caller *caller;
	long long id;
	json_t *reply;
};

static int job_read_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct read *r = ctx;
	struct job_row j;
	int rc = store_job_get(c, r->id, false, &j, err);
	if (rc)
		return rc;
	long long party[] = { j.utility_org_id };
	struct authz_object obj = { j.app_org_id, party, 1 };
	rc = authz_check(r->caller, AZ_JOB_READ, &obj, err);
	if (!rc)
		r->reply = tracks_job_json(&j, r->caller, tracks_today());
	store_job_row_release(&j);
	return rc;
}

static int reply_read(struct http_request *req, struct http_response *res,
		      int (*fn)(struct store_conn *, void *, struct error *))
{
	struct read r = { .caller = auth_caller(req) };
	if (input_path_id(req, 0, &r.id))
		return http_fail(res, ERR_NOT_FOUND, "no such object");
	struct error err = ERROR_INIT;
	int rc = store_with(req->app->pool, fn, &r, &err);
	if (rc)
		http_reply_error(res, &err);
	else
		http_reply_json(res, 200, r.reply);
	error_release(&err);
	return rc;
}

static int job_get(struct http_request *req, struct http_response *res)
{
	return reply_read(req, res, job_read_tx);
}

/* --- queues ----------------------------------------------------------------------------- */

struct queue {
	const struct authz_caller *caller;
	long long org;
	const char *state;
	bool overdue;
	bool has_bbox;
	struct geo_bbox bbox;
	int limit;
	long long after;
	bool permits;
	struct strbuf reply; /* the reply's JSON text, written as the rows come (store/queues.h) */
};

static int queue_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct queue *q = ctx;
	long long last = 0;
	bool more = false;
	const struct geo_bbox *box = q->has_bbox ? &q->bbox : NULL;
	q->reply.len = 0; /* a rerun of the transaction starts over */
	strbuf_puts(&q->reply, "{\"items\":");
	int rc = q->permits ? store_permit_queue(c, q->org, q->state, q->overdue, tracks_today(),
						 box, q->after, q->limit, &q->reply, &last, &more, err)
			    : store_job_queue(c, q->org, q->state, q->overdue, tracks_today(), box,
					      q->after, q->limit, &q->reply, &last, &more, err);
	if (rc)
		return rc;
	/* as input_set_cursor writes it */
	if (more)
		strbuf_printf(&q->reply, ",\"next_cursor\":\"%lld\"}", last);
	else
		strbuf_puts(&q->reply, ",\"next_cursor\":null}");
	return 0;
}

static int queue_get(struct http_request *req, struct http_response *res, bool permits)
{
	struct error err = ERROR_INIT;
	struct queue q = { .caller = auth_caller(req), .permits = permits };
	if (auth_require(req, res, permits ? AZ_PERMIT_LIST : AZ_JOB_LIST, NULL))
		return 1;
	q.org = q.caller->org_id;
	const char *org = http_query(req, "org");
	if (org && q.caller->kind == ROLE_OFFICE)
		q.org = atoll(org); /* the office may look at any organisation's queue */
	q.state = http_query(req, "state");
	const char *od = http_query(req, "overdue");
	q.overdue = od && (!strcmp(od, "true") || !strcmp(od, "1"));
	if (q.state && strlen(q.state) > 24)
		error_add(&err, "state", "invalid", "no such state");
	int rc = input_page(req, &q.limit, &q.after, &err);
	const char *bbox = http_query(req, "bbox");
	if (bbox)
		q.has_bbox = works_bbox_parse(bbox, "bbox", &q.bbox, &err) == 0;
	if (!rc && err.ndetails)
		rc = error_set(&err, ERR_INVALID, "bad filter");
	if (!rc) /* a box searches the extents' spatial index: store_read_tx */
		rc = (q.has_bbox ? store_read_tx : store_with)(req->app->pool, queue_tx, &q, &err);
	if (rc) {
		http_reply_error(res, &err);
		free(q.reply.p);
	} else {
		http_reply_json_text(res, 200, q.reply.p, q.reply.len); /* takes the text */
	}
	error_release(&err);
	return rc;
}

static int job_queue(struct http_request *req, struct http_response *res)
{
	return queue_get(req, res, false);
}

static int permit_queue(struct http_request *req, struct http_response *res)
{
	return queue_get(req, res, true);
}

/* --- permits ---------------------------------------------------------------------------- */

static int permit_read_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct read *r = ctx;
	struct permit_row p;
	int rc = store_permit_get(c, r->id, false, &p, err);
	if (rc)
		return rc;
	/* the utilities whose jobs need the permit may read it too */
	long long parties[9];
	struct authz_object obj;
	rc = transition_permit_parties(c, &p, parties, &obj, err);
	if (!rc)
		rc = authz_check(r->caller, AZ_PERMIT_READ, &obj, err);
	if (!rc)
		r->reply = tracks_permit_json(&p, r->caller, tracks_today());
	if (!rc)
		rc = defects_permit_extras(c, p.id, r->reply, err);
	store_permit_row_release(&p);
	return rc;
}

static int permit_get(struct http_request *req, struct http_response *res)
{
	return reply_read(req, res, permit_read_tx);
}

static int permit_transition(struct http_request *req, struct http_response *res)
{
	return act_route(req, res, &transition_permit_ops);
}

int transitions_system(struct app *app, const char *action, long long permit_id,
		       struct error *err)
{
	static const struct authz_caller system = { .kind = ROLE_SYSTEM };
	struct act *a = xcalloc(1, sizeof(*a));
	a->caller = &system;
	a->action = action;
	a->id = permit_id;
	a->extension_to = -1;
	int rc = run_act(app, &transition_permit_ops, a, err);
	json_decref(a->reply);
	free(a);
	return rc;
}

int transitions_apply(struct app *app, const struct authz_caller *caller, bool permit,
		      long long id, json_t *body, json_t **reply, struct error *err)
{
	struct act *a = xcalloc(1, sizeof(*a));
	a->caller = caller;
	a->id = id;
	a->body = body;
	int rc = parse_act_body(a, err);
	if (!rc)
		rc = run_act(app, permit ? &transition_permit_ops : &transition_job_ops, a, err);
	*reply = rc ? NULL : a->reply;
	free(a);
	return rc;
}

const struct route transitions_routes[] = {
	{ "GET", "/v1/jobs", job_queue, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "GET", "/v1/jobs/{id}", job_get, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "POST", "/v1/jobs/{id}/transitions", job_transition, ROUTE_AUTHENTICATED,
	  0, RUNS_ON_WORK },
	{ "GET", "/v1/permits", permit_queue, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "GET", "/v1/permits/{id}", permit_get, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "POST", "/v1/permits/{id}/transitions", permit_transition, ROUTE_AUTHENTICATED,
	  0, RUNS_ON_WORK },
	{ 0 },
};
