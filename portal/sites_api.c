/* Sites: an applicant registers the places it wants connected, and reads them back. */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/app.h"
#include "portal/audit.h"
#include "portal/auth.h"
#include "portal/input.h"
#include "portal/reply.h"
#include "portal/router.h"
#include "portal/sites_api.h"
#include "store/accounts.h"
#include "store/place.h"
#include "store/sites.h"
#include "workflows/authz.h"
#include "workflows/geo.h"
#include "workflows/place.h"
#include "lib/xalloc.h"

/* Coordinates go out with enough digits for DECIMAL(9,6) and none of binary noise. */

static json_t *site_json(const struct site_row *s)
{
	json_t *j = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)s->id,
			      "organisation_id", (json_int_t)s->org_id, "name", s->name, "address",
			      s->address, "district", s->district, "plot_ref", s->plot_ref,
			      "created_at", s->created_at);
	/* what the applicant once declared; the published zones decide the fast track */
	json_object_set_new(j, "zone_risk_claimed",
			    s->zone_risk[0] ? json_string(s->zone_risk) : json_null());
	json_object_set_new(j, "lat",
			    s->has_coords ? json_real((double)s->lat_e6 / 1e6) : json_null());
	json_object_set_new(j, "lng",
			    s->has_coords ? json_real((double)s->lng_e6 / 1e6) : json_null());
	return j;
}

/* The site as above with its geometry (GeoJSON, or null), read in the same transaction. */
static int site_json_full(struct store_conn *c, const struct site_row *s, json_t **out,
			  struct error *err)
{
	char *wkt = NULL;
	int rc = store_site_geometry(c, s->id, &wkt, err);
	if (rc)
		return rc;
	struct geo *g = wkt ? geo_from_wkt(wkt) : NULL;
	*out = site_json(s);
	json_object_set_new(*out, "geometry", g ? geo_geojson(g) : json_null());
	geo_free(g);
	free(wkt);
	return 0;
}

static json_t *site_json_item(const void *row)
{
	return site_json(row);
}

/* What a handler hands to its transaction. */
struct op {
	const struct authz_caller *caller;
	struct site_row site;
	struct geo *geometry; /* create: the point or plot, converted to CGCS2000 */
	long long id;
	long long org_id; /* whose sites to list */
	int limit;
	long long after;
	struct reply_out reply;
};

/* Replies 422 listing every detail when there are any; returns non-zero then. */
static int finish_validation(struct http_response *res, struct error *err)
{
	if (!err->ndetails && !err->code)
		return 0;
	if (!err->code)
		error_set(err, ERR_INVALID, "the request has %zu problem(s); see details",
			  err->ndetails);
	http_reply_error(res, err);
	error_release(err);
	return 1;
}

/* A coordinate in degrees within [-limit, limit], as millionths; a detail when it is not. */
static void read_coord(const json_t *body, const char *key, double limit, long long *out,
		       bool *seen, struct error *err)
{
	json_t *v = json_object_get(body, key);
	*seen = v && !json_is_null(v);
	if (!*seen) {
		error_add(err, key, "required", "%s is required", key);
		return;
	}
	double d = json_number_value(v);
	if (!json_is_number(v) || d < -limit || d > limit) {
		error_add(err, key, "out_of_range", "%s must be a number of degrees from %g to %g",
			  key, -limit, limit);
		*seen = false;
		return;
	}
	*out = (long long)(d * 1e6 + (d < 0 ? -0.5 : 0.5));
}

/* Copies a validated string into a fixed field (validation has bounded its length). */
#define SET(dst, src) snprintf((dst), sizeof(dst), "%s", (src) ? (src) : "")

/* A site's place to check against the districts, and what was found. */
struct place_query {
	const struct geo *g;
	const char *stated; /* the district the applicant named, or NULL */
	char found[33];
	struct error *problems;
};

static int place_check_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct place_query *q = ctx;
	struct place_context pc = {0};
	int rc = store_place_districts(c, &pc, err);
	if (rc)
		return rc;
	place_site_check(&pc, q->g, q->stated, q->found, q->problems);
	place_context_release(&pc);
	return 0;
}

void sites_check_place(struct http_request *req, const struct geo *g, const char *stated,
			char found[33], struct error *err)
{
	struct place_query q = {g, stated, "", err};
	struct error local = ERROR_INIT;
	int rc = store_with(req->app->pool, place_check_tx, &q, &local);
	if (rc)
		error_set(err, rc, "%s", local.message);
	snprintf(found, 33, "%s", q.found);
	error_release(&local);
}

struct geo *sites_read_geometry(const json_t *body, struct error *err)
{
	enum geo_crs crs = GEO_CRS_CGCS2000;
	geo_crs_parse(json_object_get(body, "crs"), "crs", &crs, err);
	json_t *g = json_object_get(body, "geometry");
	struct geo *out = NULL;
	if (g) {
		geo_parse(g, crs, GEO_POINT | GEO_POLYGON, "geometry", &out, err);
		return out;
	}
	if (!json_object_get(body, "lat") && !json_object_get(body, "lng")) {
		error_add(err, "geometry", "required",
			  "give the site as a GeoJSON Point or the plot as a Polygon (or lat and lng)");
		return NULL;
	}
	long long lat = 0, lng = 0;
	bool lat_ok, lng_ok;
	read_coord(body, "lat", 90, &lat, &lat_ok, err);
	read_coord(body, "lng", 180, &lng, &lng_ok, err);
	if (!lat_ok || !lng_ok)
		return NULL;
	json_t *pt = json_pack("{s:s, s:[f, f]}", "type", "Point", "coordinates", lng / 1e6,
			       lat / 1e6);
	geo_parse(pt, crs, GEO_POINT, "geometry", &out, err);
	json_decref(pt);
	return out;
}

static int site_create_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	char *wkt = geo_wkt(op->geometry);
	op->site.geometry_wkt = wkt;
	int rc = store_site_create(c, &op->site, &op->id, err);
	free(wkt);
	op->site.geometry_wkt = NULL;
	struct site_row s;
	if (!rc)
		rc = store_site_get(c, op->id, &s, err);
	if (!rc)
		rc = audit_record_id(c, op->caller, "site.create", "site", op->id,
				     json_pack("{s:s, s:s, s:s}", "name", s.name, "district",
					       s.district, "geometry", geo_kind_name(geo_kind_of(op->geometry))),
				     err);
	json_t *j = NULL;
	if (!rc)
		rc = site_json_full(c, &s, &j, err);
	if (!rc) {
		json_decref(op->reply.json); /* a retried transaction may have set it */
		op->reply.json = j;
	}
	return rc;
}

static int site_create(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	struct op op = {.caller = auth_caller(req)};
	if (auth_require(req, res, AZ_SITE_CREATE, NULL))
		return 1;
	static const char *const allowed[] = {"name",	  "address",   "district", "lat", "lng",
					      "geometry", "crs",       "plot_ref", "zone_risk", NULL};
	json_t *body = NULL;
	if (http_parse_json(req, &body, &err) == 0) {
		http_reject_unknown(body, allowed, "", &err);
		struct site_row *s = &op.site;
		s->org_id = op.caller->org_id;
		SET(s->name, input_str(body, "name", true, 200, &err));
		SET(s->address, input_str(body, "address", true, 400, &err));
		const char *district = input_str(body, "district", false, 32, &err);
		op.geometry = sites_read_geometry(body, &err);
		if (op.geometry) {
			double lng, lat;
			geo_anchor(op.geometry, &lng, &lat);
			s->lat_e6 = (long long)(lat * 1e6 + 0.5);
			s->lng_e6 = (long long)(lng * 1e6 + 0.5);
			s->has_coords = true;
		}
		if (op.geometry || district)
			sites_check_place(req, op.geometry, district, s->district, &err);
		SET(s->plot_ref, input_str(body, "plot_ref", false, 100, &err));
		SET(s->zone_risk, input_enum(body, "zone_risk", false, site_zone_risks, &err));
	}
	json_decref(body);
	if (finish_validation(res, &err)) {
		geo_free(op.geometry);
		return 1;
	}
	int rc = reply_tx(req, res, 201, site_create_tx, &op, &op.reply);
	geo_free(op.geometry);
	return rc;
}

/*
 * Whose collection a list reads: the caller's own organisation, or for the office any
 * organisation named by ?organisation_id=. Replies and returns non-zero on refusal.
 */
static int list_owner(struct http_request *req, struct http_response *res, int action,
		      long long *org_id)
{
	const struct authz_caller *caller = auth_caller(req);
	const char *q = http_query(req, "organisation_id");
	*org_id = caller->org_id;
	if (q) {
		char *end;
		long long v = strtoll(q, &end, 10);
		if (!*q || *end || v <= 0)
			return http_fail(res, ERR_INVALID, "organisation_id must be a positive id");
		*org_id = v;
	}
	struct authz_object obj = {.owner_org_id = *org_id};
	return auth_require(req, res, action, q ? &obj : NULL);
}

static int site_list_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	struct site_row *rows;
	int n;
	int rc = store_site_list(c, op->org_id, op->after, op->limit + 1, &rows, &n, err);
	if (rc)
		return rc;
	json_decref(op->reply.json);
	op->reply.json = input_page_reply(rows, sizeof(*rows), n, op->limit, site_json_item);
	free(rows);
	return 0;
}

static int site_list(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	struct op op = {.caller = auth_caller(req)};
	if (list_owner(req, res, AZ_SITE_READ, &op.org_id))
		return 1;
	if (input_page(req, &op.limit, &op.after, &err))
		return finish_validation(res, &err);
	return reply_tx(req, res, 200, site_list_tx, &op, &op.reply);
}

static int site_get_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	struct site_row s;
	int rc = store_site_get(c, op->id, &s, err);
	if (rc)
		return rc;
	struct authz_object obj = {.owner_org_id = s.org_id};
	rc = authz_check(op->caller, AZ_SITE_READ, &obj, err);
	if (rc == ERR_NOT_FOUND)
		return error_set(err, ERR_NOT_FOUND, "no site %lld", op->id);
	if (rc)
		return rc;
	json_t *j = NULL;
	rc = site_json_full(c, &s, &j, err);
	if (rc)
		return rc;
	json_decref(op->reply.json);
	op->reply.json = j;
	return 0;
}

static int site_get(struct http_request *req, struct http_response *res)
{
	struct op op = {.caller = auth_caller(req)};
	if (input_path_id(req, 0, &op.id))
		return http_fail(res, ERR_NOT_FOUND, "no such site");
	return reply_tx(req, res, 200, site_get_tx, &op, &op.reply);
}

const struct route sites_routes[] = {
    {"POST", "/v1/sites", site_create, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK},
    {"GET", "/v1/sites", site_list, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK},
    {"GET", "/v1/sites/{id}", site_get, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK},
    {0},
};
