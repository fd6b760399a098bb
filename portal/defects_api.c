/*
 * Defects in the road after the works, the task queues of the utilities and authorities, and
 * the reinstatement standards in force. A defect report is routed by workflows/defects.c: to
 * the utility that dug while its closed works there are in their guarantee period, else to the
 * road authority of the road there, else to the office; it becomes a task of that organisation
 * with a due date from the published standard, and the reporter gets a reference to follow.
 */
#define _GNU_SOURCE
#include "portal/defects_api.h"

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
#include "portal/snapshot.h"
#include "portal/tracks.h"
#include "store/defects.h"
#include "store/works.h"
#include "workflows/authz.h"
#include "workflows/defects.h"
#include "workflows/geo.h"
#include "lib/xalloc.h"

/* The body cap of a report: the photo's base64 (4/3 of DEFECTS_PHOTO_MAX) and the rest. */
#define REPORT_MAX_BODY (400 * 1024)
/* How far around the point digs and roads are looked for (degrees; ~60 m here). */
#define SEARCH_DEG 0.0006

static json_t *day_or_null(day_t d)
{
	char b[11];
	return d >= 0 ? json_string(cal_day_format(d, b)) : json_null();
}

/* A random reference: prefix and ten characters nobody confuses (no 0/O, 1/I). */
static void new_reference(const char *prefix, char out[25])
{
	static const char alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
	size_t n = (size_t)snprintf(out, 25, "%s-", prefix);
	for (int i = 0; i < 10; i++)
		out[n++] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	out[n] = 0;
}

int defects_permit_extras(struct store_conn *c, long long permit_id, json_t *permit,
			  struct error *err)
{
	struct reinstatement_status w;
	struct guarantee_row g;
	bool found = false;
	int rc = store_reinstatement_status(c, permit_id, &w, err);
	if (!rc)
		rc = store_guarantee_get(c, permit_id, &g, &found, err);
	if (rc || !permit)
		return rc;
	json_object_set_new(permit, "reinstatement",
			    json_pack("{s:i, s:i, s:b, s:b}", "reports", w.reports, "inspections",
				      w.inspections, "awaiting_inspection",
				      w.reports > w.inspections, "remedial_open",
				      w.remedial_open));
	json_object_set_new(permit, "guarantee",
			    found ? json_pack("{s:s, s:i, s:i, s:o, s:o, s:b}", "road_class",
					      g.road_class, "months", g.months, "standard_version",
					      g.version, "closed_on", day_or_null(g.closed_on),
					      "guarantee_to", day_or_null(g.guarantee_to),
					      "in_guarantee", tracks_today() <= g.guarantee_to)
				  : json_null());
	return 0;
}

/* --- reporting ---------------------------------------------------------------------------- */

struct report {
	const struct authz_caller *caller; /* NULL: the public */
	const struct published *pub;
	day_t today;
	struct geo *point;
	double lng, lat;
	const char *description;
	unsigned char *photo;
	size_t photo_len;
	const char *photo_type;
	char photo_hash[65];
	unsigned long long photo_day_cap; /* PORTAL_PUBLIC_PHOTO_BYTES, for the public's reports */
	/* out */
	bool cap_reached; /* refused: the public's photos of the day are at the cap */
	char reference[25];
	long long id;
	json_t *reply;
};

static const char *const report_keys[] = { "location", "crs", "description", "photo", NULL };

/*
 * The photo: {"content_type": "image/jpeg" or "image/png", "data_base64": "..."} decoding to at
 * most DEFECTS_PHOTO_MAX bytes of that image type.
 */
static void parse_photo(json_t *ph, struct report *r, struct error *err)
{
	static const char *const keys[] = { "content_type", "data_base64", NULL };
	static const char *const types[] = { "image/jpeg", "image/png", NULL };
	if (!json_is_object(ph)) {
		error_add(err, "photo", "wrong_type",
			  "photo is {content_type, data_base64} (a JPEG or PNG of at most %d bytes)",
			  DEFECTS_PHOTO_MAX);
		return;
	}
	http_reject_unknown(ph, keys, "photo.", err);
	size_t before = err->ndetails;
	json_t *ct = json_object_get(ph, "content_type");
	for (size_t i = 0; json_is_string(ct) && types[i]; i++)
		if (!strcmp(json_string_value(ct), types[i]))
			r->photo_type = types[i];
	if (!r->photo_type)
		error_add(err, "photo.content_type", ct ? "not_allowed" : "required",
			  "content_type is image/jpeg or image/png");
	json_t *d = json_object_get(ph, "data_base64");
	if (!json_is_string(d) || !json_string_length(d)) {
		error_add(err, "photo.data_base64", "required", "the photo's bytes in base64");
		return;
	}
	size_t max = DEFECTS_PHOTO_MAX + 4;
	r->photo = xmalloc(max);
	if (sodium_base642bin(r->photo, max, json_string_value(d), json_string_length(d), "\r\n",
			      &r->photo_len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0) {
		bool too_big = json_string_length(d) / 4 * 3 > max;
		error_add(err, "photo.data_base64", too_big ? "too_large" : "invalid",
			  too_big ? "the photo is larger than %d bytes" : "not base64 (RFC 4648)%.0d",
			  DEFECTS_PHOTO_MAX);
		return;
	}
	if (err->ndetails == before)
		defects_photo_check(r->photo, r->photo_len, r->photo_type, "photo", err);
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), r->photo, r->photo_len, NULL, 0);
	sodium_bin2hex(r->photo_hash, sizeof(r->photo_hash), h, sizeof(h));
}

/* Reads a report, every problem at once; the photo is required of the public. */
static int parse_report(json_t *body, struct report *r, struct error *err)
{
	http_reject_unknown(body, report_keys, "", err);
	enum geo_crs crs = GEO_CRS_CGCS2000;
	geo_crs_parse(json_object_get(body, "crs"), "crs", &crs, err);
	json_t *loc = json_object_get(body, "location");
	if (!loc)
		error_add(err, "location", "required",
			  "where the defect is: a GeoJSON Point {\"type\": \"Point\", "
			  "\"coordinates\": [lng, lat]}");
	else if (geo_parse(loc, crs, GEO_POINT, "location", &r->point, err) == 0)
		geo_anchor(r->point, &r->lng, &r->lat);
	r->description = input_str(body, "description", true, DEFECTS_TEXT_MAX, err);
	json_t *ph = json_object_get(body, "photo");
	if (ph)
		parse_photo(ph, r, err);
	else if (!r->caller)
		error_add(err, "photo", "required", "a photo of the defect (JPEG or PNG, base64)");
	return err->ndetails ? error_set(err, ERR_INVALID, "the report has %zu problem(s); all are "
					 "listed", err->ndetails)
			     : 0;
}

/* Where the report goes: digs and roads near the point, decided by workflows/defects.c. */
static int route(struct store_conn *c, struct report *r, struct defects_route *out,
		 char road_class[16], struct error *err)
{
	struct geo_bbox box = { r->lng - SEARCH_DEG, r->lat - SEARCH_DEG, r->lng + SEARCH_DEG,
				r->lat + SEARCH_DEG };
	char wkt[256];
	store_works_box_wkt(&box, wkt, sizeof(wkt));
	struct dig_near_row *digs = NULL;
	struct road_near_row *roads = NULL;
	size_t nd = 0, nr = 0;
	long long office = 0;
	int rc = store_digs_near(c, wkt, true, &digs, &nd, err);
	if (!rc)
		rc = store_roads_near_point(c, wkt, r->today, &roads, &nr, err);
	if (!rc)
		rc = store_office_org(c, &office, err);
	struct defects_dig *dd = xcalloc(nd + 1, sizeof(*dd));
	struct defects_road *rr = xcalloc(nr + 1, sizeof(*rr));
	for (size_t i = 0; !rc && i < nd; i++)
		dd[i] = (struct defects_dig){ digs[i].permit_id, digs[i].utility_org_id,
					      geo_from_wkt(digs[i].wkt), digs[i].guarantee_to };
	for (size_t i = 0; !rc && i < nr; i++)
		rr[i] = (struct defects_road){ roads[i].org_id, roads[i].road_id, roads[i].road_class,
					       roads[i].district, geo_from_wkt(roads[i].wkt) };
	if (!rc) {
		defects_route(r->point, r->today, dd, nd, rr, nr, office, out);
		road_class[0] = 0;
		for (size_t i = 0; i < nr; i++)
			if (out->road_id[0] && !strcmp(out->road_id, roads[i].road_id))
				snprintf(road_class, 16, "%s", roads[i].road_class);
	}
	for (size_t i = 0; i < nd; i++)
		geo_free((struct geo *)dd[i].extent);
	for (size_t i = 0; i < nr; i++)
		geo_free((struct geo *)rr[i].centreline);
	free(dd);
	free(rr);
	store_digs_near_free(digs, nd);
	store_roads_near_free(roads, nr);
	if (!rc && !out->org_id)
		rc = error_set(err, ERR_INTERNAL, "no organisation to send the report to");
	return rc;
}

/* The repair limit: the road class's published defect_days (the permit's class for a dig). */
static int due_day(struct store_conn *c, const struct report *r, const struct defects_route *rt,
		   const char *road_class, day_t *due, struct error *err)
{
	struct reinstatement_standard *stds = NULL;
	size_t n = 0;
	int rc = store_reinstatement_standards(c, r->today, &stds, &n, err);
	if (rc)
		return rc;
	struct guarantee_row g;
	bool found = false;
	if (rt->target == DEFECTS_TO_UTILITY)
		rc = store_guarantee_get(c, rt->permit_id, &g, &found, err);
	const char *cls = found ? g.road_class : road_class;
	int days = 0, longest = 0;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(stds[i].road_class, cls))
			days = stds[i].defect_days;
		if (stds[i].defect_days > longest)
			longest = stds[i].defect_days;
	}
	if (!days) /* no road class known: the most lenient limit published */
		days = longest;
	free(stds);
	if (days <= 0)
		days = 5; /* nothing published: a week */
	*due = calendar_due(&r->pub->cal, tracks_now_us() / 1000000, days);
	return rc;
}

static json_t *defect_json(const struct defect_row *d, bool full);

/*
 * The public's photos are stored in the database with no account behind them: past the day's
 * cap a public report is refused (429, until the city's next day) before anything is written.
 * Reports racing each other may pass it together by at most a photo each.
 */
static int photo_room(struct store_conn *c, struct report *r, struct error *err)
{
	if (r->caller || !r->photo)
		return 0;
	unsigned long long used = 0;
	int rc = store_public_photo_bytes(c, r->today, &used, err);
	if (rc || used + r->photo_len <= r->photo_day_cap)
		return rc;
	r->cap_reached = true;
	error_add(err, "photo", "daily_cap_reached",
		  "the photos the public may send today are all in (%llu bytes); try tomorrow",
		  r->photo_day_cap);
	return error_set(err, ERR_RATE_LIMITED, "public defect reports are closed for today");
}

static int report_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct report *r = ctx;
	json_decref(r->reply);
	r->reply = NULL;
	struct defects_route rt;
	char road_class[16] = "";
	day_t due = -1;
	int rc = photo_room(c, r, err);
	if (rc)
		return rc;
	rc = route(c, r, &rt, road_class, err);
	if (!rc)
		rc = due_day(c, r, &rt, road_class, &due, err);
	if (rc)
		return rc;
	new_reference("DF", r->reference);
	const char *by = !r->caller ? "public"
			 : r->caller->kind == ROLE_OFFICE ? "office" : "authority";
	struct defect_new d = {
		.reference = r->reference, .description = r->description, .lng = r->lng,
		.lat = r->lat, .photo = r->photo, .photo_len = r->photo_len,
		.photo_type = r->photo ? r->photo_type : NULL,
		.photo_hash = r->photo ? r->photo_hash : NULL, .reported_by = by,
		.reporter_org_id = r->caller ? r->caller->org_id : 0,
		.reporter_user_id = r->caller ? r->caller->user_id : 0,
		.routed_to = defects_target_name(rt.target), .route_reason = rt.reason,
		.org_id = rt.org_id, .permit_id = rt.permit_id, .guarantee_to = rt.guarantee_to,
		.due_day = due, .road_id = rt.road_id[0] ? rt.road_id : NULL,
		.district = rt.district[0] ? rt.district : NULL,
	};
	rc = store_defect_insert(c, &d, &r->id, err);
	struct defect_row row;
	if (!rc)
		rc = store_defect_get(c, NULL, r->id, &row, err);
	if (rc)
		return rc;
	json_t *event = defect_json(&row, true);
	rc = tracks_emit(c, rt.org_id, 0, NULL, "defect.reported", json_incref(event), err);
	if (!rc)
		rc = audit_record(c, r->caller, "defect.reported", "defect", r->reference,
				  json_pack("{s:s, s:I}", "routed_to", row.routed_to, "org_id",
					    (json_int_t)rt.org_id),
				  err);
	r->reply = r->caller ? json_incref(event) : defect_json(&row, false);
	json_decref(event);
	store_defect_row_release(&row);
	return rc;
}

static int report(struct http_request *req, struct http_response *res,
		  const struct authz_caller *caller)
{
	struct error err = ERROR_INIT;
	struct report r = { .caller = caller, .today = tracks_today(),
			    .photo_day_cap = req->app->cfg.public_photo_bytes };
	json_t *body = NULL;
	int rc = http_parse_json(req, &body, &err);
	if (!rc)
		rc = parse_report(body, &r, &err);
	if (!rc) {
		r.pub = snapshot_get(req->app);
		rc = r.pub ? store_tx(req->app->pool, report_tx, &r, &err)
			   : error_set(&err, ERR_UNAVAILABLE, "the calendar is not loaded yet");
		if (r.pub)
			snapshot_put(r.pub);
	}
	if (rc) {
		if (r.cap_reached) { /* until the city's next midnight (UTC+8) */
			long long now = tracks_now_us() / 1000000;
			char secs[16];
			snprintf(secs, sizeof(secs), "%lld", 86400 - (now + 8 * 3600) % 86400);
			http_add_header(res, "Retry-After", secs);
		}
		http_reply_error(res, &err);
	} else {
		char loc[64];
		snprintf(loc, sizeof(loc), "/v1/public/defects/%s", r.reference);
		http_add_header(res, "Location", loc);
		http_add_header(res, "Cache-Control", "no-store");
		http_reply_json(res, 201, r.reply);
		r.reply = NULL;
	}
	json_decref(r.reply);
	json_decref(body);
	geo_free(r.point);
	free(r.photo);
	error_release(&err);
	return rc;
}

/* POST /v1/public/defects: anyone, no account; rate-limited per address with public writes. */
static int public_report(struct http_request *req, struct http_response *res)
{
	return report(req, res, NULL);
}

/* POST /v1/defects: a road authority or the office, signed in. */
static int signed_report(struct http_request *req, struct http_response *res)
{
	if (auth_require(req, res, AZ_DEFECT_REPORT, NULL))
		return 1;
	return report(req, res, auth_caller(req));
}

/* --- reading ------------------------------------------------------------------------------ */

/*
 * A defect as JSON. The public view (full false) says what happened to the report: where it
 * went and why, its status and due date; never who reported it or the photo.
 */
static json_t *defect_json(const struct defect_row *d, bool full)
{
	json_t *j = json_pack("{s:s, s:s, s:{s:s, s:[f, f]}, s:s, s:s, s:{s:s}, s:s, s:o, "
			      "s:o, s:s, s:o}",
			      "reference", d->reference, "status", d->status, "location", "type",
			      "Point", "coordinates", d->lng, d->lat, "description",
			      d->description ? d->description : "", "routed_to", d->routed_to,
			      "assigned_to", "name", d->org_name,
			      "route_reason", d->route_reason ? d->route_reason : "", "due_date",
			      day_or_null(d->due_day), "guarantee_to", day_or_null(d->guarantee_to),
			      "reported_at", d->created_at, "repaired_at",
			      d->repaired_at[0] ? json_string(d->repaired_at) : json_null());
	json_object_set_new(j, "permit",
			    d->permit_reference[0] ? json_string(d->permit_reference) : json_null());
	json_object_set_new(j, "road_id", d->road_id[0] ? json_string(d->road_id) : json_null());
	json_object_set_new(j, "district", d->district[0] ? json_string(d->district) : json_null());
	if (!full)
		return j;
	json_object_set_new(j, "id", json_integer(d->id));
	/* the organisation's id for the signed-in only, as everywhere in the public API */
	json_object_set_new(json_object_get(j, "assigned_to"), "id", json_integer(d->org_id));
	json_object_set_new(j, "reported_by", json_string(d->reported_by));
	json_object_set_new(j, "has_photo", json_boolean(d->has_photo));
	json_object_set_new(j, "photo_type",
			    d->has_photo ? json_string(d->photo_type) : json_null());
	json_object_set_new(j, "repair_note",
			    d->repair_note ? json_string(d->repair_note) : json_null());
	return j;
}

struct one {
	const struct authz_caller *caller;
	const char *reference;
	long long id;
	int action;
	const char *note;
	char at[32];
	json_t *reply;
	unsigned char *photo;
	size_t photo_len;
	char photo_type[33];
};

static int public_get_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct one *o = ctx;
	struct defect_row d;
	int rc = store_defect_get(c, o->reference, 0, &d, err);
	if (rc)
		return rc;
	o->reply = defect_json(&d, false);
	store_defect_row_release(&d);
	return 0;
}

/* GET /v1/public/defects/{reference}: the report's state, for whoever holds the reference. */
static int public_get(struct http_request *req, struct http_response *res)
{
	struct one o = { .reference = req->params[0] };
	if (strlen(o.reference) > 24)
		return http_fail(res, ERR_NOT_FOUND, "no such defect report");
	return reply_read(req, res, public_get_tx, &o, &o.reply);
}

/* Loads a defect by id and checks the caller may do o->action to it (404 if not seen). */
static int defect_checked(struct store_conn *c, struct one *o, struct defect_row *d,
			  struct error *err)
{
	int rc = store_defect_get(c, NULL, o->id, d, err);
	if (rc)
		return rc;
	/*
	 * A defect where no register road lies went to the office, which puts it right itself:
	 * the one repair the office makes (defect.repair is the utilities' and authorities').
	 */
	if (o->action == AZ_DEFECT_REPAIR && o->caller->kind == ROLE_OFFICE &&
	    !strcmp(d->routed_to, "office") && d->org_id == o->caller->org_id)
		return 0;
	long long party[] = { d->org_id };
	struct authz_object obj = { d->reporter_org_id, party, 1 };
	rc = authz_check(o->caller, o->action, &obj, err);
	if (rc)
		store_defect_row_release(d);
	return rc;
}

static int get_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct one *o = ctx;
	struct defect_row d;
	int rc = defect_checked(c, o, &d, err);
	if (rc)
		return rc;
	o->reply = defect_json(&d, true);
	store_defect_row_release(&d);
	return 0;
}

static int photo_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct one *o = ctx;
	struct defect_row d;
	int rc = defect_checked(c, o, &d, err);
	if (rc)
		return rc;
	store_defect_row_release(&d);
	rc = store_defect_photo(c, o->id, &o->photo, &o->photo_len, o->photo_type, err);
	if (!rc && !o->photo)
		rc = error_set(err, ERR_NOT_FOUND, "the report has no photo");
	return rc;
}

static int repaired_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct one *o = ctx;
	struct defect_row d;
	json_decref(o->reply);
	o->reply = NULL;
	int rc = defect_checked(c, o, &d, err);
	if (rc)
		return rc;
	rc = store_defect_repaired(c, o->id, o->note, o->at, err);
	if (!rc)
		rc = audit_record(c, o->caller, "defect.repaired", "defect", d.reference,
				  json_pack("{s:s}", "note", o->note ? o->note : ""), err);
	store_defect_row_release(&d);
	if (!rc)
		rc = store_defect_get(c, NULL, o->id, &d, err);
	if (!rc) {
		o->reply = defect_json(&d, true);
		store_defect_row_release(&d);
	}
	return rc;
}

static int defect_get(struct http_request *req, struct http_response *res)
{
	struct one o = { .caller = auth_caller(req), .action = AZ_DEFECT_READ };
	if (input_path_id(req, 0, &o.id))
		return http_fail(res, ERR_NOT_FOUND, "no such defect report");
	return reply_read(req, res, get_tx, &o, &o.reply);
}

static int defect_photo(struct http_request *req, struct http_response *res)
{
	struct one o = { .caller = auth_caller(req), .action = AZ_DEFECT_READ };
	if (input_path_id(req, 0, &o.id))
		return http_fail(res, ERR_NOT_FOUND, "no such defect report");
	struct error err = ERROR_INIT;
	int rc = store_with(req->app->pool, photo_tx, &o, &err);
	if (rc) {
		http_reply_error(res, &err);
	} else {
		http_reply_text(res, 200, o.photo_type, (const char *)o.photo, o.photo_len);
		http_add_header(res, "X-Content-Type-Options", "nosniff");
		http_add_header(res, "Cache-Control", "private, no-store");
	}
	free(o.photo);
	error_release(&err);
	return rc;
}

/* POST /v1/defects/{id}/repaired {"note"}: the organisation it went to says it is repaired. */
static int defect_repaired(struct http_request *req, struct http_response *res)
{
	struct one o = { .caller = auth_caller(req), .action = AZ_DEFECT_REPAIR };
	if (input_path_id(req, 0, &o.id))
		return http_fail(res, ERR_NOT_FOUND, "no such defect report");
	struct error err = ERROR_INIT;
	json_t *body = NULL;
	static const char *const keys[] = { "note", NULL };
	int rc = http_parse_json(req, &body, &err);
	if (!rc) {
		http_reject_unknown(body, keys, "", &err);
		o.note = input_str(body, "note", true, DEFECTS_TEXT_MAX, &err);
		if (err.ndetails)
			rc = error_set(&err, ERR_INVALID, "say what was repaired (note)");
	}
	store_format_utc(tracks_now_us(), o.at);
	if (!rc)
		rc = store_tx(req->app->pool, repaired_tx, &o, &err);
	if (rc)
		http_reply_error(res, &err);
	else
		http_reply_json(res, 200, o.reply);
	json_decref(body);
	error_release(&err);
	return rc;
}

/* --- lists -------------------------------------------------------------------------------- */

struct list {
	const struct authz_caller *caller;
	const struct published *pub;
	long long org;
	const char *kind, *status;
	int limit;
	long long cursor; /* the last id of the page before (0: the first page) */
	long long last;	  /* the last id shown */
	bool more;
	json_t *items;
};

static int defects_list_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct list *l = ctx;
	struct defect_row *rows = NULL;
	size_t n = 0;
	int rc = store_defects_list(c, l->org, l->status, l->cursor, (size_t)l->limit + 1, &rows,
				    &n, err);
	json_decref(l->items);
	l->items = json_array();
	l->more = n > (size_t)l->limit;
	for (size_t i = 0; i < n; i++) {
		if (!rc && i < (size_t)l->limit) {
			json_array_append_new(l->items, defect_json(&rows[i], true));
			l->last = rows[i].id;
		}
		store_defect_row_release(&rows[i]);
	}
	free(rows);
	return rc;
}

/* A post-check's due date is the post-check queue's (GET /v1/post-checks), not stored here. */
static bool task_due(const struct task_row *t, day_t *due)
{
	*due = t->due_day;
	return *due >= 0;
}

static int tasks_list_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct list *l = ctx;
	struct task_row *rows = NULL;
	size_t n = 0;
	day_t today = tracks_today();
	int rc = store_tasks_list(c, l->org, l->kind, l->status, l->cursor, (size_t)l->limit + 1,
				  &rows, &n, err);
	json_decref(l->items);
	l->items = json_array();
	l->more = n > (size_t)l->limit;
	for (size_t i = 0; !rc && i < n && i < (size_t)l->limit; i++) {
		const struct task_row *t = &rows[i];
		day_t due;
		bool has_due = task_due(t, &due);
		bool open = !strcmp(t->status, "open");
		int late = has_due && open ? calendar_working_days_between(&l->pub->cal, due, today)
					   : 0;
		json_t *o = json_pack("{s:I, s:s, s:s, s:{s:I, s:s}, s:o, s:o, s:b, s:i}", "id",
				      (json_int_t)t->id, "kind", t->kind, "status", t->status,
				      "assigned_to", "id", (json_int_t)t->org_id, "name",
				      t->org_name, "opened_on", day_or_null(t->opened_on),
				      "due_date", has_due ? day_or_null(due) : json_null(),
				      "overdue", late > 0, "days_overdue", late > 0 ? late : 0);
		json_object_set_new(o, "permit", t->permit_reference[0]
							 ? json_pack("{s:I, s:s}", "id",
								     (json_int_t)t->permit_id,
								     "reference", t->permit_reference)
							 : json_null());
		json_object_set_new(o, "defect", t->defect_reference[0]
							 ? json_pack("{s:I, s:s}", "id",
								     (json_int_t)t->defect_id,
								     "reference", t->defect_reference)
							 : json_null());
		json_array_append_new(l->items, o);
		l->last = t->id;
	}
	free(rows);
	return rc;
}

static int list_route(struct http_request *req, struct http_response *res, int action,
		      int (*fn)(struct store_conn *, void *, struct error *))
{
	if (auth_require(req, res, action, NULL))
		return 1;
	struct error err = ERROR_INIT;
	struct list l = { .caller = auth_caller(req) };
	l.org = l.caller->kind == ROLE_OFFICE ? 0 : l.caller->org_id;
	const char *org = http_query(req, "org");
	if (org && l.caller->kind == ROLE_OFFICE)
		l.org = atoll(org);
	static const char *const kinds[] = { "post_check", "remedial", "rectification", "defect",
					     NULL };
	static const char *const statuses[] = { "open", "done", "repaired", NULL };
	l.kind = http_query(req, "kind");
	l.status = http_query(req, "status");
	bool kind_ok = !l.kind, status_ok = !l.status;
	for (size_t i = 0; l.kind && kinds[i]; i++)
		kind_ok = kind_ok || !strcmp(l.kind, kinds[i]);
	for (size_t i = 0; l.status && statuses[i]; i++)
		status_ok = status_ok || !strcmp(l.status, statuses[i]);
	if (!kind_ok)
		error_add(&err, "kind", "invalid", "kind is post_check, remedial, rectification or "
			  "defect");
	if (!status_ok)
		error_add(&err, "status", "invalid", "no such status");
	/* ?limit= (1..200, default 50) and ?cursor= (a next_cursor), as every paged list */
	input_page(req, &l.limit, &l.cursor, &err);
	int rc = err.ndetails ? error_set(&err, ERR_INVALID, "bad filter") : 0;
	l.pub = snapshot_get(req->app);
	if (!rc)
		rc = l.pub ? store_with(req->app->pool, fn, &l, &err)
			   : error_set(&err, ERR_UNAVAILABLE, "the calendar is not loaded yet");
	if (l.pub)
		snapshot_put(l.pub);
	if (rc) {
		json_decref(l.items);
		http_reply_error(res, &err);
	} else {
		http_add_header(res, "Cache-Control", "no-store");
		json_t *reply = json_pack("{s:i, s:o}", "count", (int)json_array_size(l.items),
					  "items", l.items);
		input_set_cursor(reply, l.more, l.last);
		http_reply_json(res, 200, reply);
	}
	error_release(&err);
	return rc;
}

/* GET /v1/defects: the defects sent to the caller's organisation (the office: all, ?org=). */
static int defects_list(struct http_request *req, struct http_response *res)
{
	return list_route(req, res, AZ_DEFECT_LIST, defects_list_tx);
}

/*
 * GET /v1/tasks: the caller's follow-up tasks (remedial work, defects, post-checks), and for a
 * road authority also those on its permits; ?kind= &status= filter.
 */
static int tasks_list(struct http_request *req, struct http_response *res)
{
	return list_route(req, res, AZ_TASK_LIST, tasks_list_tx);
}

/* --- the published reinstatement standards ------------------------------------------------- */

struct standards {
	day_t today;
	json_t *reply;
};

static int standards_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct standards *s = ctx;
	struct reinstatement_standard *rows = NULL;
	size_t n = 0;
	int rc = store_reinstatement_standards(c, s->today, &rows, &n, err);
	if (rc)
		return rc;
	json_t *classes = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(classes,
				      json_pack("{s:s, s:i, s:i, s:i}", "road_class",
						rows[i].road_class, "guarantee_months",
						rows[i].guarantee_months, "remedial_days",
						rows[i].remedial_days, "defect_days",
						rows[i].defect_days));
	s->reply = json_pack("{s:i, s:o, s:s, s:o}", "version", n ? rows[0].version : 0,
			     "effective_from", day_or_null(n ? rows[0].effective_from : -1), "unit",
			     "months (guarantee), working days (remedial work, defect repair)",
			     "road_classes", classes);
	free(rows);
	return 0;
}

/* GET /v1/public/reinstatement-standards: the version in force. */
static int standards_get(struct http_request *req, struct http_response *res)
{
	struct standards s = { tracks_today(), NULL };
	struct error err = ERROR_INIT;
	int rc = store_with(req->app->pool, standards_tx, &s, &err);
	if (rc) {
		http_reply_error(res, &err);
	} else {
		http_add_header(res, "Cache-Control", "public, max-age=300");
		http_reply_json(res, 200, s.reply);
	}
	error_release(&err);
	return rc;
}

struct publish {
	const struct authz_caller *caller;
	day_t effective_from;
	struct defects_class_limits rows[8];
	size_t n;
	int version;
};

static int publish_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct publish *p = ctx;
	int rc = store_reinstatement_publish(c, p->effective_from, p->rows, p->n,
					     p->caller->user_id, &p->version, err);
	char ref[16];
	snprintf(ref, sizeof(ref), "%d", p->version);
	if (!rc)
		rc = audit_record(c, p->caller, "reinstatement_standard.published",
				  "reinstatement_standard", ref, NULL, err);
	return rc;
}

/*
 * POST /v1/reinstatement-standards {"effective_from", "road_classes": [{road_class,
 * guarantee_months, remedial_days, defect_days}, ...]}: the office publishes the next version.
 */
static int standards_publish(struct http_request *req, struct http_response *res)
{
	if (auth_require(req, res, AZ_STANDARDS_PUBLISH, NULL))
		return 1;
	static const char *const keys[] = { "effective_from", "road_classes", NULL };
	static const char *const row_keys[] = { "road_class", "guarantee_months", "remedial_days",
						"defect_days", NULL };
	struct publish p = { .caller = auth_caller(req), .effective_from = -1 };
	struct error err = ERROR_INIT;
	json_t *body = NULL;
	int rc = http_parse_json(req, &body, &err);
	if (!rc) {
		http_reject_unknown(body, keys, "", &err);
		const char *from = input_str(body, "effective_from", true, 10, &err);
		if (from && cal_day_parse(from, &p.effective_from, NULL) != 0)
			error_add(&err, "effective_from", "invalid", "effective_from is YYYY-MM-DD");
		json_t *rows = json_object_get(body, "road_classes");
		if (!json_is_array(rows) || json_array_size(rows) > 8)
			error_add(&err, "road_classes", "wrong_type",
				  "road_classes is a list of at most 8 {road_class, guarantee_months, "
				  "remedial_days, defect_days}");
		for (size_t i = 0; json_is_array(rows) && i < json_array_size(rows) && i < 8; i++) {
			json_t *r = json_array_get(rows, i);
			char prefix[32];
			snprintf(prefix, sizeof(prefix), "road_classes[%zu].", i);
			if (json_is_object(r))
				http_reject_unknown(r, row_keys, prefix, &err);
			struct defects_class_limits *o = &p.rows[p.n++];
			const char *cls = json_string_value(json_object_get(r, "road_class"));
			snprintf(o->road_class, sizeof(o->road_class), "%s", cls ? cls : "");
			o->guarantee_months = (int)json_integer_value(json_object_get(r, "guarantee_months"));
			o->remedial_days = (int)json_integer_value(json_object_get(r, "remedial_days"));
			o->defect_days = (int)json_integer_value(json_object_get(r, "defect_days"));
		}
		if (p.effective_from >= 0 || !from)
			defects_standards_check(p.rows, p.n, p.effective_from, tracks_today(), &err);
		if (err.ndetails)
			rc = error_set(&err, ERR_INVALID, "the standard has %zu problem(s); all are "
				       "listed", err.ndetails);
	}
	if (!rc)
		rc = store_tx(req->app->pool, publish_tx, &p, &err);
	if (rc) {
		http_reply_error(res, &err);
	} else {
		char d[11];
		http_reply_json(res, 201, json_pack("{s:i, s:s}", "version", p.version,
						    "effective_from",
						    cal_day_format(p.effective_from, d)));
	}
	json_decref(body);
	error_release(&err);
	return rc;
}

const struct route defects_routes[] = {
	{ "POST", "/v1/reinstatement-standards", standards_publish, ROUTE_AUTHENTICATED, 0,
	  RUNS_ON_WORK },
	{ "POST", "/v1/public/defects", public_report, ROUTE_PUBLIC, REPORT_MAX_BODY, RUNS_ON_WORK },
	{ "GET", "/v1/public/defects/{reference}", public_get, ROUTE_PUBLIC, 0, RUNS_ON_WORK },
	{ "GET", "/v1/public/reinstatement-standards", standards_get, ROUTE_PUBLIC, 0,
	  RUNS_ON_WORK },
	{ "POST", "/v1/defects", signed_report, ROUTE_AUTHENTICATED, REPORT_MAX_BODY,
	  RUNS_ON_WORK },
	{ "GET", "/v1/defects", defects_list, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "GET", "/v1/defects/{id}", defect_get, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "GET", "/v1/defects/{id}/photo", defect_photo, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "POST", "/v1/defects/{id}/repaired", defect_repaired, ROUTE_AUTHENTICATED, 0,
	  RUNS_ON_WORK },
	{ "GET", "/v1/tasks", tasks_list, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ 0 },
};
