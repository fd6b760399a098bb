/*
 * Public feedback (list item 40): anyone rates or complains about a published certificate
 * (its number) or works they see in the street (a location), without an account, and gets a
 * reference to follow it; the office lists the feedback and answers it. Counted in the
 * statistics per district and organisation.
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
#include "portal/input.h"
#include "portal/reply.h"
#include "portal/router.h"
#include "portal/tracks.h"
#include "store/defects.h"
#include "store/works.h"
#include "workflows/authz.h"
#include "workflows/defects.h"
#include "workflows/geo.h"
#include "lib/xalloc.h"

/* Works this close to the location (metres) are the ones the feedback concerns. */
#define FEEDBACK_NEAR_M 30.0
#define SEARCH_DEG 0.0006

static void new_reference(char out[25])
{
	static const char alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
	size_t n = (size_t)snprintf(out, 25, "FB-");
	for (int i = 0; i < 10; i++)
		out[n++] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	out[n] = 0;
}

static json_t *feedback_json(const struct feedback_row *f, bool full)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "reference", f->reference, "kind", f->kind,
			      "status", f->status, "submitted_at", f->created_at);
	json_object_set_new(j, "score", f->score[0] ? json_string(f->score) : json_null());
	json_object_set_new(j, "text", json_string(f->body ? f->body : ""));
	json_object_set_new(j, "certificate_number", f->certificate_number[0]
							  ? json_string(f->certificate_number)
							  : json_null());
	json_object_set_new(j, "location", f->has_location
						   ? json_pack("{s:s, s:[f, f]}", "type", "Point",
							       "coordinates", f->lng, f->lat)
						   : json_null());
	json_object_set_new(j, "permit", f->permit_reference[0]
						 ? json_string(f->permit_reference)
						 : json_null());
	json_object_set_new(j, "organisation", f->org_name[0] ? json_string(f->org_name)
							       : json_null());
	json_object_set_new(j, "answer", f->answer ? json_string(f->answer) : json_null());
	json_object_set_new(j, "answered_at",
			    f->answered_at[0] ? json_string(f->answered_at) : json_null());
	if (full) {
		json_object_set_new(j, "id", json_integer(f->id));
		json_object_set_new(j, "district",
				    f->district[0] ? json_string(f->district) : json_null());
	}
	return j;
}

struct submit {
	const char *kind, *score, *text, *certificate;
	struct geo *point;
	double lng, lat;
	char reference[25];
	char district[33]; /* of the works at the location */
	json_t *reply;
};

/* The works nearest the location within FEEDBACK_NEAR_M: their permit, utility, district. */
static int works_at(struct store_conn *c, struct submit *s, struct feedback_new *f,
		    struct error *err)
{
	struct geo_bbox box = { s->lng - SEARCH_DEG, s->lat - SEARCH_DEG, s->lng + SEARCH_DEG,
				s->lat + SEARCH_DEG };
	char wkt[256];
	store_works_box_wkt(&box, wkt, sizeof(wkt));
	struct dig_near_row *digs = NULL;
	size_t n = 0;
	int rc = store_digs_near(c, wkt, false, &digs, &n, err);
	double best = FEEDBACK_NEAR_M;
	for (size_t i = 0; !rc && i < n; i++) {
		struct geo *g = geo_from_wkt(digs[i].wkt);
		double d = g ? geo_distance_m(s->point, g) : best + 1;
		geo_free(g);
		if (d > best)
			continue;
		best = d;
		f->permit_id = digs[i].permit_id;
		f->org_id = digs[i].utility_org_id ? digs[i].utility_org_id
						   : digs[i].authority_org_id;
		snprintf(s->district, sizeof(s->district), "%s", digs[i].district);
		f->district = s->district;
	}
	store_digs_near_free(digs, n);
	return rc;
}

static int submit_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct submit *s = ctx;
	json_decref(s->reply);
	s->reply = NULL;
	struct feedback_new f = { .kind = s->kind, .score = s->score, .body = s->text,
				  .certificate_number = s->certificate,
				  .has_location = s->point != NULL, .lng = s->lng, .lat = s->lat };
	char district[33] = "";
	int rc = 0;
	if (s->certificate) {
		bool found = false;
		rc = store_certificate_subject(c, s->certificate, &f.permit_id, &f.org_id, district,
					       &found, err);
		if (!rc && !found) {
			error_add(err, "certificate_number", "not_found",
				  "no certificate numbered '%s' was issued", s->certificate);
			return error_set(err, ERR_INVALID, "the feedback names no published "
					 "certificate");
		}
		f.district = district[0] ? district : NULL;
	} else {
		rc = works_at(c, s, &f, err);
	}
	if (rc)
		return rc;
	new_reference(s->reference);
	f.reference = s->reference;
	long long id = 0;
	rc = store_feedback_insert(c, &f, &id, err);
	struct feedback_row row;
	if (!rc)
		rc = store_feedback_get(c, NULL, id, &row, err);
	if (rc)
		return rc;
	rc = audit_record(c, NULL, "feedback.submitted", "feedback", s->reference,
			  json_pack("{s:s}", "kind", s->kind), err);
	s->reply = feedback_json(&row, false);
	store_feedback_row_release(&row);
	return rc;
}

/*
 * POST /v1/public/feedback {"kind": "rating"|"complaint", "score", "text", and
 * "certificate_number" or "location" (a GeoJSON Point, optional "crs")}: no account.
 */
static int public_submit(struct http_request *req, struct http_response *res)
{
	static const char *const keys[] = { "kind", "score", "text", "certificate_number",
					    "location", "crs", NULL };
	struct error err = ERROR_INIT;
	struct submit s = { 0 };
	json_t *body = NULL;
	int rc = http_parse_json(req, &body, &err);
	if (!rc) {
		http_reject_unknown(body, keys, "", &err);
		s.kind = input_str(body, "kind", true, 16, &err);
		s.score = input_str(body, "score", false, 16, &err);
		s.text = input_str(body, "text", false, DEFECTS_TEXT_MAX, &err);
		s.certificate = input_str(body, "certificate_number", false, 24, &err);
		enum geo_crs crs = GEO_CRS_CGCS2000;
		geo_crs_parse(json_object_get(body, "crs"), "crs", &crs, &err);
		json_t *loc = json_object_get(body, "location");
		if (loc && geo_parse(loc, crs, GEO_POINT, "location", &s.point, &err) == 0)
			geo_anchor(s.point, &s.lng, &s.lat);
		defects_feedback_check(s.kind, s.score, s.text, s.certificate != NULL, loc != NULL,
				       &err);
		if (err.ndetails)
			rc = error_set(&err, ERR_INVALID, "the feedback has %zu problem(s); all are "
				       "listed", err.ndetails);
	}
	if (!rc)
		rc = store_tx(req->app->pool, submit_tx, &s, &err);
	if (rc) {
		http_reply_error(res, &err);
	} else {
		char loc[64];
		snprintf(loc, sizeof(loc), "/v1/public/feedback/%s", s.reference);
		http_add_header(res, "Location", loc);
		http_add_header(res, "Cache-Control", "no-store");
		http_reply_json(res, 201, s.reply);
		s.reply = NULL;
	}
	json_decref(s.reply);
	json_decref(body);
	geo_free(s.point);
	error_release(&err);
	return rc;
}

struct one {
	const struct authz_caller *caller;
	const char *reference;
	long long id;
	const char *answer;
	char at[32];
	json_t *reply;
	const char *status;
	int limit;
	long long cursor; /* the list's keyset cursor: the last id of the page before */
};

static int get_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct one *o = ctx;
	struct feedback_row f;
	int rc = store_feedback_get(c, o->reference, o->id, &f, err);
	if (rc)
		return rc;
	o->reply = feedback_json(&f, o->caller != NULL);
	store_feedback_row_release(&f);
	return 0;
}

/* GET /v1/public/feedback/{reference}: its state and the office's answer. */
static int public_get(struct http_request *req, struct http_response *res)
{
	struct one o = { .reference = req->params[0] };
	if (strlen(o.reference) > 24)
		return http_fail(res, ERR_NOT_FOUND, "no such feedback");
	return reply_read(req, res, get_tx, &o, &o.reply);
}

static int list_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct one *o = ctx;
	struct feedback_row *rows = NULL;
	size_t n = 0;
	int rc = store_feedback_list(c, o->status, o->cursor, (size_t)o->limit + 1, &rows, &n, err);
	json_t *items = json_array();
	long long last = 0;
	for (size_t i = 0; i < n; i++) {
		if (!rc && i < (size_t)o->limit) {
			json_array_append_new(items, feedback_json(&rows[i], true));
			last = rows[i].id;
		}
		store_feedback_row_release(&rows[i]);
	}
	free(rows);
	json_decref(o->reply);
	o->reply = json_pack("{s:i, s:o}", "count", (int)json_array_size(items), "items", items);
	input_set_cursor(o->reply, n > (size_t)o->limit, last);
	return rc;
}

/*
 * GET /v1/feedback?status=open|answered: the office's follow-up list, newest first, a page at a
 * time (?limit=, ?cursor=).
 */
static int feedback_list(struct http_request *req, struct http_response *res)
{
	if (auth_require(req, res, AZ_FEEDBACK_LIST, NULL))
		return 1;
	struct one o = { .caller = auth_caller(req) };
	o.status = http_query(req, "status");
	struct error err = ERROR_INIT;
	if (o.status && strcmp(o.status, "open") && strcmp(o.status, "answered"))
		error_add(&err, "status", "invalid", "status is open or answered");
	input_page(req, &o.limit, &o.cursor, &err);
	int rc = err.ndetails ? error_set(&err, ERR_INVALID, "bad filter") : 0;
	if (!rc)
		rc = store_with(req->app->pool, list_tx, &o, &err);
	if (rc) {
		json_decref(o.reply);
		http_reply_error(res, &err);
	} else {
		http_add_header(res, "Cache-Control", "no-store");
		http_reply_json(res, 200, o.reply);
	}
	error_release(&err);
	return rc;
}

static int answer_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct one *o = ctx;
	json_decref(o->reply);
	o->reply = NULL;
	struct feedback_row f;
	int rc = store_feedback_get(c, NULL, o->id, &f, err);
	if (rc)
		return rc;
	rc = store_feedback_answer(c, o->id, o->answer, o->caller->user_id, o->at, err);
	if (!rc)
		rc = audit_record(c, o->caller, "feedback.answered", "feedback", f.reference, NULL,
				  err);
	store_feedback_row_release(&f);
	return rc ? rc : get_tx(c, o, err);
}

/* POST /v1/feedback/{id}/answer {"answer"}: the office answers; the public reads it. */
static int feedback_answer(struct http_request *req, struct http_response *res)
{
	if (auth_require(req, res, AZ_FEEDBACK_ANSWER, NULL))
		return 1;
	struct one o = { .caller = auth_caller(req) };
	if (input_path_id(req, 0, &o.id))
		return http_fail(res, ERR_NOT_FOUND, "no such feedback");
	static const char *const keys[] = { "answer", NULL };
	struct error err = ERROR_INIT;
	json_t *body = NULL;
	int rc = http_parse_json(req, &body, &err);
	if (!rc) {
		http_reject_unknown(body, keys, "", &err);
		o.answer = input_str(body, "answer", true, DEFECTS_TEXT_MAX, &err);
		if (err.ndetails)
			rc = error_set(&err, ERR_INVALID, "the answer is required");
	}
	store_format_utc(tracks_now_us(), o.at);
	if (!rc)
		rc = store_tx(req->app->pool, answer_tx, &o, &err);
	if (rc)
		http_reply_error(res, &err);
	else
		http_reply_json(res, 200, o.reply);
	json_decref(body);
	error_release(&err);
	return rc;
}

const struct route feedback_routes[] = {
	{ "POST", "/v1/public/feedback", public_submit, ROUTE_PUBLIC, 16 * 1024, RUNS_ON_WORK },
	{ "GET", "/v1/public/feedback/{reference}", public_get, ROUTE_PUBLIC, 0, RUNS_ON_WORK },
	{ "GET", "/v1/feedback", feedback_list, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "POST", "/v1/feedback/{id}/answer", feedback_answer, ROUTE_AUTHENTICATED, 0,
	  RUNS_ON_WORK },
	{ 0 },
};
