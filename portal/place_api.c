/*
 * Publishing place (issue #19): the office's districts and low-risk zones, each road
 * authority's road register, each utility's service areas; and the public reads of them,
 * with "who serves this point, for which kind, at which published fees". Geometry is GeoJSON
 * (RFC 7946) in CGCS2000 longitude/latitude; a request may give GCJ-02 with "crs". Every
 * problem of a request, its geometry's included, is listed in one 422.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/app.h"
#include "portal/audit.h"
#include "portal/auth.h"
#include "portal/html.h"
#include "portal/input.h"
#include "portal/public_api.h"
#include "portal/reply.h"
#include "portal/router.h"
#include "portal/snapshot.h"
#include "store/place.h"
#include "store/place_publish.h"
#include "workflows/application.h"
#include "workflows/authz.h"
#include "workflows/fees.h"
#include "workflows/geo.h"
#include "workflows/place.h"
#include "lib/json_text.h"
#include "lib/xalloc.h"

#define MAX_ROADS 20000
#define MAX_ALIASES 20
#define MAX_AREAS 200

static const char *const district_kinds[] = {"district", "county", "county_city",
					     "development_zone", NULL};
static const char *const road_classes[] = {"expressway", "primary", "secondary", "branch", NULL};
static const char *const risks[] = {"low", "medium", "high", NULL};

/* ---------------------------------------------------------------- reading requests */

static const char *pick(const char *zh, const char *en, enum snapshot_lang lang)
{
	return lang == SNAP_EN && en && *en ? en : zh;
}

/* A code, road id or zone code: 1 to 32 of letters, digits, '-', '_' and '.'. */
static bool code_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n >= 1 && n <= 32 &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") == n;
}

/* Moves the details of local into err with their fields (and messages) prefixed. */
static void prefixed(struct error *err, const char *prefix, struct error *local)
{
	for (size_t i = 0; i < local->ndetails; i++) {
		char *f = xasprintf("%s%s", prefix, local->details[i].field);
		error_add(err, f, local->details[i].code, "%s%s", prefix,
			  local->details[i].message);
		free(f);
	}
	error_release(local);
}

/* input_str for a member of a nested object, its fields named prefix + key. */
static const char *str_at(const json_t *obj, const char *prefix, const char *key, bool required,
			  size_t maxlen, struct error *err)
{
	struct error local = ERROR_INIT;
	const char *s = input_str(obj, key, required, maxlen, &local);
	prefixed(err, prefix, &local);
	return s;
}

static const char *enum_at(const json_t *obj, const char *prefix, const char *key,
			   const char *const *values, struct error *err)
{
	struct error local = ERROR_INIT;
	const char *s = input_enum(obj, key, true, values, &local);
	prefixed(err, prefix, &local);
	return s;
}

/* A code-shaped string member; NULL with a detail when absent or not a code. */
static const char *code_at(const json_t *obj, const char *prefix, const char *key,
			   struct error *err)
{
	const char *s = str_at(obj, prefix, key, true, 32, err);
	if (s && !code_ok(s)) {
		char *f = xasprintf("%s%s", prefix, key);
		error_add(err, f, "invalid", "%s is 1 to 32 letters, digits, '-', '_' or '.'", f);
		free(f);
		return NULL;
	}
	return s;
}

/* A YYYY-MM-DD member into *out (untouched when absent and optional); false on a problem. */
static bool date_at(const json_t *obj, const char *key, bool required, day_t *out,
		    struct error *err)
{
	json_t *v = json_object_get(obj, key);
	if ((!v || json_is_null(v)) && !required)
		return true;
	if (!json_is_string(v) || cal_day_parse(json_string_value(v), out, NULL)) {
		error_add(err, key, v ? "invalid_date" : "required", "%s is a YYYY-MM-DD date",
			  key);
		return false;
	}
	return true;
}

/* The crs a member names (absent: dflt), listing a bad one. */
static enum geo_crs crs_at(const json_t *obj, const char *prefix, enum geo_crs dflt,
			   struct error *err)
{
	json_t *v = json_object_get(obj, "crs");
	enum geo_crs crs = dflt;
	if (!v)
		return dflt;
	char *f = xasprintf("%scrs", prefix);
	struct error local = ERROR_INIT;
	if (geo_crs_parse(v, f, &crs, &local))
		crs = dflt;
	for (size_t i = 0; i < local.ndetails; i++)
		error_add(err, local.details[i].field, local.details[i].code, "%s",
			  local.details[i].message);
	error_release(&local);
	free(f);
	return crs;
}

/* A GeoJSON member of one of the allowed kinds; NULL after listing its every problem. */
static struct geo *geom_at(const json_t *obj, const char *prefix, const char *key, enum geo_crs crs,
			   unsigned allowed, struct error *err)
{
	char *f = xasprintf("%s%s", prefix, key);
	struct geo *g = NULL;
	struct error local = ERROR_INIT;
	geo_parse(json_object_get(obj, key), crs, allowed, f, &g, &local);
	for (size_t i = 0; i < local.ndetails; i++)
		error_add(err, local.details[i].field, local.details[i].code, "%s",
			  local.details[i].message);
	error_release(&local);
	free(f);
	return g;
}

/* Replies 422 listing every detail when there are any (or err's own error); non-zero then. */
static int finish_validation(struct http_response *res, struct error *err)
{
	if (!err->ndetails && !err->code)
		return 0;
	if (!err->code || err->code == ERR_INVALID)
		error_set(err, ERR_INVALID, "the request has %zu problem(s); see details",
			  err->ndetails);
	http_reply_error(res, err);
	error_release(err);
	return 1;
}

/* Who may write: an organisation of `kind` (and `subkind` when given); else 403 naming it. */
static int require(struct http_request *req, struct http_response *res, enum role kind,
		   const char *subkind, const char *what)
{
	const struct authz_caller *c = auth_caller(req);
	if (c && c->kind == kind && (!subkind || strcmp(c->subkind, subkind) == 0))
		return 0;
	return http_fail(res, ERR_FORBIDDEN, "only %s", what);
}

/* What the place checks read: districts, and service areas when asked. */
struct place_load {
	struct place_context ctx;
	bool areas;
};

static int load_tx(struct store_conn *c, void *arg, struct error *err)
{
	struct place_load *l = arg;
	int rc = store_place_districts(c, &l->ctx, err);
	if (!rc && l->areas)
		rc = store_place_areas(c, 0, &l->ctx, err);
	return rc;
}

/* Loads into l (release l->ctx either way); on failure replies with the store's error. */
static int load_place(struct http_request *req, struct http_response *res, struct place_load *l)
{
	struct error err = ERROR_INIT;
	int rc = store_with(req->app->pool, load_tx, l, &err);
	if (rc)
		http_reply_error(res, &err);
	error_release(&err);
	return rc;
}

/* ---------------------------------------------------------------- writing replies */

static json_t *geo_or_null(const struct geo *g)
{
	return g ? geo_geojson(g) : json_null();
}

static json_t *geo_of_wkt(const char *wkt)
{
	struct geo *g = wkt ? geo_from_wkt(wkt) : NULL;
	json_t *j = geo_or_null(g);
	geo_free(g);
	return j;
}

static json_t *day_json(day_t d)
{
	char buf[11];
	return d >= 0 ? json_string(cal_day_format(d, buf)) : json_null();
}

/* A public read: JSON (or GeoJSON) with its ETag (304 when the client has it), for a minute. */
static void reply_public(struct http_request *req, struct http_response *res, json_t *body,
			 bool geojson)
{
	char *text = json_text(body);
	http_reply_cacheable(req, res,
			     geojson ? "application/geo+json" : "application/json; charset=utf-8",
			     text, strlen(text), 60);
	free(text);
	json_decref(body);
}

/* ?format=geojson asks for a FeatureCollection; any other format is a problem. */
static bool want_geojson(struct http_request *req, struct error *err)
{
	const char *f = http_query(req, "format");
	if (!f || !*f || strcmp(f, "json") == 0)
		return false;
	if (strcmp(f, "geojson") == 0)
		return true;
	error_add(err, "format", "not_allowed", "format is json or geojson");
	return false;
}

/* A FeatureCollection of items, each item's `geometry_key` as its geometry, the rest as its
 * properties and `id_key` as its id. Steals items. */
static json_t *features(json_t *items, const char *geometry_key, const char *id_key)
{
	json_t *list = json_array();
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
	{
		json_t *props = json_deep_copy(it);
		json_t *geometry = json_incref(json_object_get(props, geometry_key));
		json_object_del(props, geometry_key);
		json_t *f = json_pack("{s:s, s:O, s:o, s:o}", "type", "Feature", "id",
				      json_object_get(it, id_key), "geometry",
				      geometry ? geometry : json_null(), "properties", props);
		json_array_append_new(list, f);
	}
	json_decref(items);
	return json_pack("{s:s, s:o}", "type", "FeatureCollection", "features", list);
}

/* ---------------------------------------------------------------- districts */

static json_t *district_json(const char *code, const char *zh, const char *en, const char *kind,
			     const struct geo *boundary, enum snapshot_lang lang)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "code", code, "name_zh", zh, "name_en",
			 en, "name", pick(zh, en, lang), "kind", kind, "boundary",
			 geo_or_null(boundary));
}

struct district_op {
	const struct authz_caller *caller;
	struct district_in in;
	bool create;
	struct geo *boundary;
	char *wkt;
	enum snapshot_lang lang;
	struct reply_out reply;
};

static void read_district(struct district_op *op, const json_t *body, struct error *err)
{
	static const char *const post_fields[] = {"code",     "name_zh", "name_en", "kind",
						  "boundary", "crs",	 NULL};
	http_reject_unknown(body, op->create ? post_fields : post_fields + 1, "", err);
	if (op->create)
		op->in.code = code_at(body, "", "code", err);
	op->in.name_zh = input_str(body, "name_zh", true, 100, err);
	op->in.name_en = input_str(body, "name_en", true, 100, err);
	op->in.kind = input_enum(body, "kind", true, district_kinds, err);
	enum geo_crs crs = crs_at(body, "", GEO_CRS_CGCS2000, err);
	op->boundary = geom_at(body, "", "boundary", crs, GEO_POLYGON, err);
	if (op->boundary)
		op->in.wkt = op->wkt = geo_wkt(op->boundary);
}

static int district_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct district_op *op = ctx;
	int rc = op->create ? store_district_create(c, &op->in, err)
			    : store_district_update(c, &op->in, err);
	if (!rc)
		rc = audit_record(c, op->caller, op->create ? "district.create" : "district.update",
				  "district", op->in.code,
				  json_pack("{s:s, s:s, s:s, s:f}", "name_zh", op->in.name_zh,
					    "name_en", op->in.name_en, "kind", op->in.kind,
					    "area_km2", geo_area_m2(op->boundary) / 1e6),
				  err);
	if (!rc) {
		json_decref(op->reply.json); /* a retried transaction starts afresh */
		op->reply.json = district_json(op->in.code, op->in.name_zh, op->in.name_en,
					       op->in.kind, op->boundary, op->lang);
	}
	return rc;
}

static int district_write(struct http_request *req, struct http_response *res, bool create)
{
	struct district_op op = {
	    .caller = auth_caller(req), .create = create, .lang = public_lang(req)};
	if (require(req, res, ROLE_OFFICE, NULL, "the office manages districts"))
		return 1;
	if (!create && !code_ok(req->params[0]))
		return http_fail(res, ERR_NOT_FOUND, "no such district");
	if (!create)
		op.in.code = req->params[0];
	struct error err = ERROR_INIT;
	json_t *body = NULL;
	struct place_load l = {0};
	int rc = 1;
	if (http_parse_json(req, &body, &err))
		goto invalid;
	read_district(&op, body, &err);
	if (op.in.code) {
		if (load_place(req, res, &l))
			goto out;
		if (!create && !place_district_find(&l.ctx, op.in.code)) {
			http_fail(res, ERR_NOT_FOUND, "no district %s", op.in.code);
			goto out;
		}
		if (op.boundary && op.in.kind)
			place_check_district(&l.ctx, op.in.code, op.in.kind, op.boundary, &err);
	}
invalid:
	if (!finish_validation(res, &err))
		rc = reply_tx(req, res, create ? 201 : 200, district_tx, &op, &op.reply);
out:
	error_release(&err);
	place_context_release(&l.ctx);
	json_decref(body);
	geo_free(op.boundary);
	free(op.wkt);
	return rc;
}

static int district_create(struct http_request *req, struct http_response *res)
{
	return district_write(req, res, true);
}

static int district_update(struct http_request *req, struct http_response *res)
{
	return district_write(req, res, false);
}

static int district_list(struct http_request *req, struct http_response *res, bool geojson)
{
	struct error err = ERROR_INIT;
	geojson = want_geojson(req, &err) || geojson;
	if (finish_validation(res, &err))
		return 1;
	struct place_load l = {0};
	if (load_place(req, res, &l)) {
		place_context_release(&l.ctx);
		return 1;
	}
	enum snapshot_lang lang = public_lang(req);
	json_t *items = json_array();
	for (size_t i = 0; i < l.ctx.ndistricts; i++) {
		const struct place_district *d = &l.ctx.districts[i];
		json_array_append_new(items, district_json(d->code, d->name_zh, d->name_en, d->kind,
							   d->boundary, lang));
	}
	place_context_release(&l.ctx);
	static const char notice[] = "Boundaries as the office has drawn them; the demo's are "
				     "approximate and not for surveying.";
	json_t *body =
	    geojson ? features(items, "boundary", "code") : json_pack("{s:o}", "districts", items);
	json_object_set_new(body, "notice", json_string(notice));
	reply_public(req, res, body, geojson);
	return 0;
}

static int districts_get(struct http_request *req, struct http_response *res)
{
	return district_list(req, res, false);
}

static int districts_geojson(struct http_request *req, struct http_response *res)
{
	return district_list(req, res, true);
}

/* ---------------------------------------------------------------- the road register */

struct register_op {
	const struct authz_caller *caller;
	day_t effective_from;
	struct road_row *roads;
	struct geo **lines;
	size_t n;
	int version;
	struct reply_out reply;
};

static void register_op_release(struct register_op *op)
{
	for (size_t i = 0; i < op->n; i++)
		geo_free(op->lines[i]);
	free(op->lines);
	store_roads_free(op->roads, op->n);
}

/* aliases: an optional list of names, as JSON text ("[]" when none). */
static char *read_aliases(const json_t *road, const char *prefix, struct error *err)
{
	json_t *a = json_object_get(road, "aliases");
	if (!a || json_is_null(a))
		return xstrdup("[]");
	bool ok = json_is_array(a) && json_array_size(a) <= MAX_ALIASES;
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
	{
		ok = ok && json_is_string(v) && json_string_length(v) >= 1 &&
		     json_string_length(v) <= 100;
	}
	if (!ok) {
		char *f = xasprintf("%saliases", prefix);
		error_add(err, f, "invalid",
			  "aliases is a list of at most %d names of 1 to 100 bytes", MAX_ALIASES);
		free(f);
		return xstrdup("[]");
	}
	return json_text(a);
}

static void read_road(struct register_op *op, size_t i, const json_t *road, enum geo_crs dflt,
		      struct error *err)
{
	static const char *const allowed[] = {"road_id",    "name_zh", "name_en",
					      "aliases",    "class",   "district",
					      "centreline", "crs",     NULL};
	char prefix[40];
	snprintf(prefix, sizeof(prefix), "roads[%zu].", i);
	struct road_row *r = &op->roads[i];
	if (!json_is_object(road)) {
		prefix[strlen(prefix) - 1] = 0;
		error_add(err, prefix, "wrong_type", "%s is an object", prefix);
		return;
	}
	http_reject_unknown(road, allowed, prefix, err);
	const char *id = code_at(road, prefix, "road_id", err);
	snprintf(r->road_id, sizeof(r->road_id), "%s", id ? id : "");
	for (size_t j = 0; id && j < i; j++)
		if (strcmp(op->roads[j].road_id, id) == 0) {
			char *f = xasprintf("%sroad_id", prefix);
			error_add(err, f, "duplicate", "road id %s is also roads[%zu]", id, j);
			free(f);
			break;
		}
	const char *zh = str_at(road, prefix, "name_zh", true, 100, err);
	const char *en = str_at(road, prefix, "name_en", true, 100, err);
	r->name_zh = xstrdup(zh ? zh : "");
	r->name_en = xstrdup(en ? en : "");
	r->aliases = read_aliases(road, prefix, err);
	const char *cls = enum_at(road, prefix, "class", road_classes, err);
	snprintf(r->road_class, sizeof(r->road_class), "%s", cls ? cls : "");
	const char *d = str_at(road, prefix, "district", true, 32, err);
	snprintf(r->district, sizeof(r->district), "%s", d ? d : "");
	enum geo_crs crs = crs_at(road, prefix, dflt, err);
	op->lines[i] = geom_at(road, prefix, "centreline", crs, GEO_LINESTRING, err);
	if (op->lines[i]) {
		r->wkt = geo_wkt(op->lines[i]);
		r->length_m = (int)lround(geo_length_m(op->lines[i]));
	}
}

/* Each road's district exists and holds most of its centreline. */
static void check_roads(const struct place_context *ctx, const struct register_op *op,
			struct error *err)
{
	for (size_t i = 0; i < op->n; i++)
		if (*op->roads[i].district)
			place_check_road(ctx, op->lines[i], op->roads[i].district, i, err);
}

static void read_register(struct register_op *op, const json_t *body, day_t today,
			  struct error *err)
{
	static const char *const allowed[] = {"effective_from", "roads", "crs", NULL};
	http_reject_unknown(body, allowed, "", err);
	if (date_at(body, "effective_from", true, &op->effective_from, err) &&
	    op->effective_from < today)
		error_add(
		    err, "effective_from", "in_the_past",
		    "a register takes effect today or later; published versions never change");
	enum geo_crs crs = crs_at(body, "", GEO_CRS_CGCS2000, err);
	json_t *roads = json_object_get(body, "roads");
	size_t n = json_array_size(roads);
	if (!json_is_array(roads) || n == 0 || n > MAX_ROADS) {
		error_add(err, "roads", roads ? "invalid" : "required",
			  "roads is a list of 1 to %d roads", MAX_ROADS);
		return;
	}
	op->roads = xcalloc(n, sizeof(*op->roads));
	op->lines = xcalloc(n, sizeof(*op->lines));
	op->n = n;
	for (size_t i = 0; i < n; i++)
		read_road(op, i, json_array_get(roads, i), crs, err);
}

static int register_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct register_op *op = ctx;
	int rc =
	    store_road_register_publish(c, op->caller->org_id, op->caller->user_id,
					op->effective_from, op->roads, op->n, &op->version, err);
	char ref[48];
	snprintf(ref, sizeof(ref), "%lld/%d", op->caller->org_id, op->version);
	if (!rc)
		rc = audit_record(c, op->caller, "road_register.publish", "road_register", ref,
				  json_pack("{s:i, s:o, s:i}", "version", op->version,
					    "effective_from", day_json(op->effective_from), "roads",
					    (int)op->n),
				  err);
	if (rc)
		return rc;
	json_t *roads = json_array();
	for (size_t i = 0; i < op->n; i++)
		json_array_append_new(roads,
				      json_pack("{s:s, s:i}", "road_id", op->roads[i].road_id,
						"length_m", op->roads[i].length_m));
	json_decref(op->reply.json); /* a retried transaction starts afresh */
	op->reply.json =
	    json_pack("{s:I, s:i, s:o, s:i, s:o}", "authority_id", (json_int_t)op->caller->org_id,
		      "version", op->version, "effective_from", day_json(op->effective_from),
		      "nroads", (int)op->n, "roads", roads);
	return 0;
}

static int register_publish(struct http_request *req, struct http_response *res)
{
	struct register_op op = {.caller = auth_caller(req)};
	if (require(req, res, ROLE_AUTHORITY, "road", "a road authority publishes a road register"))
		return 1;
	struct error err = ERROR_INIT;
	json_t *body = NULL;
	struct place_load l = {0};
	int rc = 1;
	if (http_parse_json(req, &body, &err))
		goto invalid;
	read_register(&op, body, snapshot_today(), &err);
	if (op.n) {
		if (load_place(req, res, &l))
			goto out;
		check_roads(&l.ctx, &op, &err);
	}
invalid:
	if (!finish_validation(res, &err))
		rc = reply_tx(req, res, 201, register_tx, &op, &op.reply);
out:
	error_release(&err);
	place_context_release(&l.ctx);
	json_decref(body);
	register_op_release(&op);
	return rc;
}

/* ---------------------------------------------------------------- reading the register */

/* A positive whole number from a query parameter; 0 when absent, -1 when bad. */
static long long query_id(struct http_request *req, const char *name)
{
	const char *s = http_query(req, name);
	if (!s || !*s)
		return 0;
	size_t n = strlen(s);
	if (n > 18 || strspn(s, "0123456789") != n)
		return -1;
	long long v = atoll(s);
	return v > 0 ? v : -1;
}

/* ?on=YYYY-MM-DD into *day (default today). */
static void query_day(struct http_request *req, const char *name, day_t *day, struct error *err)
{
	const char *s = http_query(req, name);
	*day = snapshot_today();
	if (s && *s && cal_day_parse(s, day, NULL)) {
		error_add(err, name, "invalid_date", "%s must be a real YYYY-MM-DD date", name);
		*day = snapshot_today();
	}
}

/* ?bbox=minlng,minlat,maxlng,maxlat as a polygon's text (caller frees), NULL when absent. */
static char *query_bbox(struct http_request *req, struct error *err)
{
	const char *s = http_query(req, "bbox");
	if (!s || !*s)
		return NULL;
	double v[4];
	char tail;
	bool ok = sscanf(s, "%lf,%lf,%lf,%lf%c", &v[0], &v[1], &v[2], &v[3], &tail) == 4;
	ok = ok && v[0] >= -180 && v[2] <= 180 && v[1] >= -90 && v[3] <= 90 && v[0] < v[2] &&
	     v[1] < v[3];
	if (!ok) {
		error_add(err, "bbox", "invalid",
			  "bbox is min_lng,min_lat,max_lng,max_lat in degrees, minima first");
		return NULL;
	}
	return xasprintf("POLYGON((%.7f %.7f,%.7f %.7f,%.7f %.7f,%.7f %.7f,%.7f %.7f))", v[0], v[1],
			 v[2], v[1], v[2], v[3], v[0], v[3], v[0], v[1]);
}

struct roads_read {
	struct road_query q;
	enum snapshot_lang lang;
	json_t *items;
};

static json_t *road_json(const struct road_row *r, enum snapshot_lang lang)
{
	json_t *aliases = json_loads(r->aliases ? r->aliases : "[]", 0, NULL);
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s, s:i, s:o, s:{s:I, s:i}}", "road_id",
			 r->road_id, "name_zh", r->name_zh, "name_en", r->name_en, "name",
			 pick(r->name_zh, r->name_en, lang), "aliases",
			 aliases ? aliases : json_array(), "class", r->road_class, "district",
			 r->district, "length_m", r->length_m, "centreline", geo_of_wkt(r->wkt),
			 "register", "authority_id", (json_int_t)r->org_id, "version", r->version);
}

static int roads_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct roads_read *rr = ctx;
	struct road_row *rows = NULL;
	size_t n = 0;
	int rc = store_roads_list(c, &rr->q, &rows, &n, err);
	if (rc)
		return rc;
	rr->items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(rr->items, road_json(&rows[i], rr->lang));
	store_roads_free(rows, n);
	return 0;
}

/* Reads ?authority= ?version= ?on= ?district= into rr (the path's road id when one). */
static void read_roads_query(struct http_request *req, struct roads_read *rr, struct error *err)
{
	rr->lang = public_lang(req);
	long long org = query_id(req, "authority"), version = query_id(req, "version");
	if (org < 0)
		error_add(err, "authority", "invalid", "authority is an organisation id");
	if (version < 0 || version > 1000000)
		error_add(err, "version", "invalid", "version is a positive whole number");
	if (version > 0 && org <= 0)
		error_add(err, "version", "requires_authority",
			  "each road authority numbers its own registers: name it with authority");
	rr->q.org_id = org > 0 ? org : 0;
	rr->q.version = version > 0 && version <= 1000000 ? (int)version : 0;
	query_day(req, "on", &rr->q.day, err);
	const char *d = http_query(req, "district");
	if (d && *d && !code_ok(d))
		error_add(err, "district", "invalid", "district is a district code");
	rr->q.district = d && *d ? d : NULL;
}

/* A read that may search a spatial index (roads and zones near a box): store_read_tx. */
static int run_read(struct http_request *req, struct http_response *res,
		    int (*fn)(struct store_conn *, void *, struct error *), void *ctx)
{
	struct error err = ERROR_INIT;
	int rc = store_read_tx(req->app->pool, fn, ctx, &err);
	if (rc)
		http_reply_error(res, &err);
	error_release(&err);
	return rc;
}

static int roads_get(struct http_request *req, struct http_response *res)
{
	struct roads_read rr = {0};
	struct error err = ERROR_INIT;
	read_roads_query(req, &rr, &err);
	bool geojson = want_geojson(req, &err);
	char *box = query_bbox(req, &err);
	rr.q.box_wkt = box;
	int rc = finish_validation(res, &err);
	if (!rc)
		rc = run_read(req, res, roads_tx, &rr);
	free(box);
	if (rc) {
		json_decref(rr.items);
		return 1;
	}
	json_t *body = geojson ? features(rr.items, "centreline", "road_id")
			       : json_pack("{s:o}", "roads", rr.items);
	json_object_set_new(body, "date", day_json(rr.q.day));
	reply_public(req, res, body, geojson);
	return 0;
}

static int road_get(struct http_request *req, struct http_response *res)
{
	struct roads_read rr = {0};
	struct error err = ERROR_INIT;
	if (!code_ok(req->params[0]))
		return http_fail(res, ERR_NOT_FOUND, "no such road");
	read_roads_query(req, &rr, &err);
	rr.q.road_id = req->params[0];
	if (finish_validation(res, &err) || run_read(req, res, roads_tx, &rr))
		return 1;
	json_t *first = json_array_get(rr.items, 0);
	if (!first) {
		json_decref(rr.items);
		return http_fail(res, ERR_NOT_FOUND, "no road %s in the register in force",
				 req->params[0]);
	}
	json_t *body = json_incref(first);
	json_decref(rr.items);
	reply_public(req, res, body, false);
	return 0;
}

struct registers_read {
	struct register_row *rows;
	size_t n;
};

static int registers_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct registers_read *rr = ctx;
	return store_road_registers(c, &rr->rows, &rr->n, err);
}

/* in_force, upcoming or superseded on today, among its authority's own versions. */
static const char *register_status(const struct registers_read *rr, size_t i, day_t today)
{
	const struct register_row *g = &rr->rows[i];
	if (g->effective_from > today)
		return "upcoming";
	for (size_t j = 0; j < rr->n; j++)
		if (rr->rows[j].org_id == g->org_id && rr->rows[j].version > g->version &&
		    rr->rows[j].effective_from <= today)
			return "superseded";
	return "in_force";
}

static int registers_get(struct http_request *req, struct http_response *res)
{
	struct registers_read rr = {0};
	if (run_read(req, res, registers_tx, &rr))
		return 1;
	day_t today = snapshot_today();
	json_t *items = json_array();
	for (size_t i = 0; i < rr.n; i++) {
		const struct register_row *g = &rr.rows[i];
		json_array_append_new(
		    items, json_pack("{s:I, s:s, s:i, s:o, s:i, s:s, s:s}", "authority_id",
				     (json_int_t)g->org_id, "authority", g->org_name, "version",
				     g->version, "effective_from", day_json(g->effective_from),
				     "nroads", g->nroads, "published_at", g->published_at, "status",
				     register_status(&rr, i, today)));
	}
	free(rr.rows);
	reply_public(req, res, json_pack("{s:o, s:o}", "registers", items, "date", day_json(today)),
		     false);
	return 0;
}

/* ---------------------------------------------------------------- risk zones */

struct zone_op {
	const struct authz_caller *caller;
	struct zone_row z;
	struct geo *area;
	int version;
	enum snapshot_lang lang;
	struct reply_out reply;
};

static json_t *zone_json(const struct zone_row *z, const struct geo *area, enum snapshot_lang lang)
{
	return json_pack(
	    "{s:s, s:i, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s}", "code", z->code, "version",
	    z->version, "name_zh", z->name_zh, "name_en", z->name_en, "name",
	    pick(z->name_zh, z->name_en, lang), "risk", z->risk, "effective_from",
	    day_json(z->effective_from), "effective_to", day_json(z->effective_to), "area",
	    area ? geo_geojson(area) : geo_of_wkt(z->wkt), "published_at", z->published_at);
}

static void read_zone(struct zone_op *op, const json_t *body, day_t today, struct error *err)
{
	static const char *const allowed[] = {
	    "code",	    "name_zh", "name_en", "risk", "effective_from",
	    "effective_to", "area",    "crs",	  NULL};
	struct zone_row *z = &op->z;
	http_reject_unknown(body, allowed, "", err);
	const char *code = code_at(body, "", "code", err);
	snprintf(z->code, sizeof(z->code), "%s", code ? code : "");
	const char *zh = input_str(body, "name_zh", true, 100, err);
	const char *en = input_str(body, "name_en", true, 100, err);
	z->name_zh = xstrdup(zh ? zh : "");
	z->name_en = xstrdup(en ? en : "");
	const char *risk = input_enum(body, "risk", true, risks, err);
	snprintf(z->risk, sizeof(z->risk), "%s", risk ? risk : "");
	z->effective_to = -1;
	bool from = date_at(body, "effective_from", true, &z->effective_from, err);
	bool to = date_at(body, "effective_to", false, &z->effective_to, err);
	if (from && z->effective_from < today)
		error_add(err, "effective_from", "in_the_past",
			  "a zone takes effect today or later; published versions never change");
	if (from && to && z->effective_to >= 0 && z->effective_to < z->effective_from)
		error_add(err, "effective_to", "invalid_range",
			  "effective_to is before effective_from");
	enum geo_crs crs = crs_at(body, "", GEO_CRS_CGCS2000, err);
	op->area = geom_at(body, "", "area", crs, GEO_POLYGON, err);
	if (op->area)
		z->wkt = geo_wkt(op->area);
}

static int zone_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct zone_op *op = ctx;
	int rc = store_risk_zone_publish(c, &op->z, op->caller->user_id, &op->version, err);
	char ref[48];
	snprintf(ref, sizeof(ref), "%s/%d", op->z.code, op->version);
	if (!rc)
		rc = audit_record(c, op->caller, "risk_zone.publish", "risk_zone", ref,
				  json_pack("{s:s, s:i, s:s, s:o, s:o, s:f}", "code", op->z.code,
					    "version", op->version, "risk", op->z.risk,
					    "effective_from", day_json(op->z.effective_from),
					    "effective_to", day_json(op->z.effective_to), "area_m2",
					    geo_area_m2(op->area)),
				  err);
	if (rc)
		return rc;
	op->z.version = op->version;
	json_decref(op->reply.json); /* a retried transaction starts afresh */
	op->reply.json = zone_json(&op->z, op->area, op->lang);
	json_object_set_new(op->reply.json, "published_at", json_null());
	return 0;
}

static int zone_publish(struct http_request *req, struct http_response *res)
{
	struct zone_op op = {.caller = auth_caller(req), .lang = public_lang(req)};
	if (require(req, res, ROLE_OFFICE, NULL, "the office publishes risk zones"))
		return 1;
	struct error err = ERROR_INIT;
	json_t *body = NULL;
	struct place_load l = {0};
	int rc = 1;
	if (http_parse_json(req, &body, &err))
		goto invalid;
	read_zone(&op, body, snapshot_today(), &err);
	if (op.area) {
		if (load_place(req, res, &l))
			goto out;
		if (!place_in_city(&l.ctx, op.area))
			error_add(&err, "area", "outside_city",
				  "the zone is not wholly within the city's districts");
	}
invalid:
	if (!finish_validation(res, &err))
		rc = reply_tx(req, res, 201, zone_tx, &op, &op.reply);
out:
	error_release(&err);
	place_context_release(&l.ctx);
	json_decref(body);
	geo_free(op.area);
	free(op.z.name_zh);
	free(op.z.name_en);
	free(op.z.wkt);
	return rc;
}

struct zones_read {
	day_t day;
	struct zone_row *rows;
	size_t n;
};

static int zones_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct zones_read *zr = ctx;
	return store_risk_zones_on(c, zr->day, &zr->rows, &zr->n, err);
}

static int zones_get(struct http_request *req, struct http_response *res)
{
	struct zones_read zr = {0};
	struct error err = ERROR_INIT;
	query_day(req, "on", &zr.day, &err);
	bool geojson = want_geojson(req, &err);
	if (finish_validation(res, &err) || run_read(req, res, zones_tx, &zr))
		return 1;
	enum snapshot_lang lang = public_lang(req);
	json_t *items = json_array();
	for (size_t i = 0; i < zr.n; i++)
		json_array_append_new(items, zone_json(&zr.rows[i], NULL, lang));
	store_zones_free(zr.rows, zr.n);
	json_t *body =
	    geojson ? features(items, "area", "code") : json_pack("{s:o}", "zones", items);
	json_object_set_new(body, "date", day_json(zr.day));
	reply_public(req, res, body, geojson);
	return 0;
}

/* ---------------------------------------------------------------- service areas */

struct areas_op {
	const struct authz_caller *caller;
	long long org_id;
	const char *kind;
	const char **districts;
	size_t ndistricts;
	struct geo **areas;
	char **wkts;
	size_t nareas;
	struct reply_out reply;
};

/* {"kind", "districts": [...], "areas": [GeoJSON...]} for each kind org has rows of. */
static json_t *areas_json(const struct place_context *ctx, const char *only_kind)
{
	json_t *list = json_array();
	for (int k = 0; k < UK_COUNT; k++) {
		if (only_kind && strcmp(only_kind, utility_kind_name(k)) != 0)
			continue;
		json_t *districts = json_array(), *areas = json_array();
		for (size_t i = 0; i < ctx->nareas; i++) {
			const struct place_area *a = &ctx->areas[i];
			if (a->kind != k)
				continue;
			if (a->area)
				json_array_append_new(areas, geo_geojson(a->area));
			else
				json_array_append_new(districts, json_string(a->district));
		}
		if (!only_kind && !json_array_size(districts) && !json_array_size(areas)) {
			json_decref(districts);
			json_decref(areas);
			continue;
		}
		json_array_append_new(list,
				      json_pack("{s:s, s:o, s:o}", "kind", utility_kind_name(k),
						"districts", districts, "areas", areas));
	}
	return list;
}

static void read_areas(struct areas_op *op, const json_t *body, const struct place_context *ctx,
		       struct error *err)
{
	static const char *const allowed[] = {"districts", "areas", "crs", NULL};
	http_reject_unknown(body, allowed, "", err);
	json_t *d = json_object_get(body, "districts"), *a = json_object_get(body, "areas");
	if (d && !json_is_array(d))
		error_add(err, "districts", "wrong_type", "districts is a list of district codes");
	if (a && (!json_is_array(a) || json_array_size(a) > MAX_AREAS))
		error_add(err, "areas", json_is_array(a) ? "too_many" : "wrong_type",
			  "areas is a list of at most %d GeoJSON polygons", MAX_AREAS);
	if (!d && !a)
		error_add(err, "districts", "required",
			  "give districts, areas or both (empty lists withdraw the service)");
	op->districts = xcalloc(json_array_size(d) + 1, sizeof(*op->districts));
	for (size_t i = 0; json_is_array(d) && i < json_array_size(d); i++) {
		const char *code = json_string_value(json_array_get(d, i));
		char f[40];
		snprintf(f, sizeof(f), "districts[%zu]", i);
		bool dup = false;
		for (size_t j = 0; code && j < op->ndistricts; j++)
			dup = dup || strcmp(op->districts[j], code) == 0;
		if (!code)
			error_add(err, f, "wrong_type", "a district code is a string");
		else if (!place_district_find(ctx, code))
			error_add(err, f, "unknown", "no district '%.40s'", code);
		else if (dup)
			error_add(err, f, "duplicate", "district %s is listed twice", code);
		else
			op->districts[op->ndistricts++] = code;
	}
	enum geo_crs crs = crs_at(body, "", GEO_CRS_CGCS2000, err);
	size_t na = json_is_array(a) && json_array_size(a) <= MAX_AREAS ? json_array_size(a) : 0;
	op->areas = xcalloc(na + 1, sizeof(*op->areas));
	op->wkts = xcalloc(na + 1, sizeof(*op->wkts));
	for (size_t i = 0; i < na; i++) {
		char f[40];
		snprintf(f, sizeof(f), "areas[%zu]", i);
		struct error local = ERROR_INIT;
		struct geo *g = NULL;
		geo_parse(json_array_get(a, i), crs, GEO_POLYGON, f, &g, &local);
		prefixed(err, "", &local);
		const struct place_district *most = NULL;
		if (g)
			place_district_of(ctx, g, &most);
		if (g && !most) {
			error_add(err, f, "outside_city", "the area lies wholly outside the city");
			geo_free(g);
			g = NULL;
		}
		if (g) {
			op->areas[op->nareas] = g;
			op->wkts[op->nareas++] = geo_wkt(g);
		}
	}
}

static int areas_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct areas_op *op = ctx;
	struct place_context own = {0};
	int rc = store_service_areas_replace(c, op->org_id, op->kind, op->districts, op->ndistricts,
					     (const char *const *)op->wkts, op->nareas, err);
	char ref[48];
	snprintf(ref, sizeof(ref), "%lld/%s", op->org_id, op->kind);
	json_t *codes = json_array();
	for (size_t i = 0; i < op->ndistricts; i++)
		json_array_append_new(codes, json_string(op->districts[i]));
	if (!rc)
		rc = audit_record(c, op->caller, "service_areas.replace", "service_areas", ref,
				  json_pack("{s:s, s:O, s:i}", "kind", op->kind, "districts", codes,
					    "areas", (int)op->nareas),
				  err);
	json_decref(codes);
	if (!rc)
		rc = store_place_areas(c, op->org_id, &own, err);
	if (!rc) {
		json_t *list = areas_json(&own, op->kind);
		json_decref(op->reply.json); /* a retried transaction starts afresh */
		op->reply.json = json_incref(json_array_get(list, 0));
		json_object_set_new(op->reply.json, "organisation_id", json_integer(op->org_id));
		json_decref(list);
	}
	place_context_release(&own);
	return rc;
}

static int areas_put(struct http_request *req, struct http_response *res)
{
	const struct authz_caller *caller = auth_caller(req);
	struct areas_op op = {.caller = caller, .org_id = caller->org_id};
	int kind = utility_kind_parse(req->params[0]);
	if (kind < 0)
		return http_fail(res, ERR_NOT_FOUND, "no utility kind '%.20s'", req->params[0]);
	op.kind = utility_kind_name(kind);
	if (require(req, res, ROLE_UTILITY, NULL, "a utility publishes its service areas"))
		return 1;
	if (strcmp(caller->subkind, op.kind) != 0)
		return http_fail(res, ERR_FORBIDDEN, "this organisation serves %s only, not %s",
				 caller->subkind, op.kind);
	struct error err = ERROR_INIT;
	json_t *body = NULL;
	struct place_load l = {0};
	int rc = 1;
	if (http_parse_json(req, &body, &err))
		goto invalid;
	if (load_place(req, res, &l))
		goto out;
	read_areas(&op, body, &l.ctx, &err);
invalid:
	if (!finish_validation(res, &err))
		rc = reply_tx(req, res, 200, areas_tx, &op, &op.reply);
out:
	error_release(&err);
	place_context_release(&l.ctx);
	json_decref(body); /* after the transaction: op.districts point into it */
	for (size_t i = 0; i < op.nareas; i++) {
		geo_free(op.areas[i]);
		free(op.wkts[i]);
	}
	free(op.areas);
	free(op.wkts);
	free(op.districts);
	return rc;
}

struct areas_read {
	long long org_id;
	struct place_context ctx;
};

static int areas_read_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct areas_read *ar = ctx;
	return store_place_areas(c, ar->org_id, &ar->ctx, err);
}

static int areas_get(struct http_request *req, struct http_response *res)
{
	const struct authz_caller *caller = auth_caller(req);
	struct areas_read ar = {.org_id = caller->org_id};
	long long org = query_id(req, "organisation_id");
	if (org < 0)
		return http_fail(res, ERR_INVALID, "organisation_id must be a positive id");
	if (org && org != caller->org_id) {
		/* the office reads anyone's; another organisation's do not exist for the rest */
		if (caller->kind != ROLE_OFFICE)
			return http_fail(res, ERR_NOT_FOUND, "no such organisation");
		ar.org_id = org;
	}
	int rc = run_read(req, res, areas_read_tx, &ar);
	if (!rc)
		http_reply_json(res, 200,
				json_pack("{s:I, s:o}", "organisation_id", (json_int_t)ar.org_id,
					  "service_areas", areas_json(&ar.ctx, NULL)));
	place_context_release(&ar.ctx);
	if (!rc)
		http_add_header(res, "Cache-Control", "no-store");
	return rc ? 1 : 0;
}

/* ---------------------------------------------------------------- providers */

/* A number from the query into *out; a detail when absent or not one. */
static bool query_number(struct http_request *req, const char *name, double *out, struct error *err)
{
	const char *s = http_query(req, name);
	char *end = NULL;
	if (s && *s)
		*out = strtod(s, &end);
	if (!s || !*s || *end || !isfinite(*out)) {
		error_add(err, name, s && *s ? "invalid" : "required", "%s is a number of degrees",
			  name);
		return false;
	}
	return true;
}

/* The schedule org has in force for kind today, items in force only; null when none. */
static json_t *fees_of(const struct published *p, long long org, const char *kind, day_t day)
{
	size_t i;
	if (!p || !snapshot_schedule_in_force(p, org, kind, day, &i))
		return json_null();
	const struct fee_schedule *s = p->schedules[i];
	json_t *o = fees_schedule_to_json(s);
	json_t *items = json_object_get(o, "items"), *kept = json_array();
	for (size_t k = 0; k < s->nitems; k++)
		if (s->items[k].effective_from <= day && day <= s->items[k].effective_to)
			json_array_append(kept, json_array_get(items, k));
	json_object_set_new(o, "items", kept);
	json_object_set_new(o, "published_at", json_string(p->schedule_info[i].published_at));
	return o;
}

static json_t *providers_json(const struct published *p, const struct place_context *ctx,
			      const struct geo *pt, const struct place_district *d, int only,
			      day_t day, enum snapshot_lang lang)
{
	json_t *kinds = json_array();
	for (int k = 0; k < UK_COUNT; k++) {
		if (only >= 0 && k != only)
			continue;
		size_t idx[64];
		size_t n = place_route(ctx, k, pt, d->code, idx, 64);
		json_t *list = json_array();
		for (size_t j = 0; j < n; j++) {
			const struct place_area *a = &ctx->areas[idx[j]];
			json_array_append_new(
			    list,
			    json_pack("{s:I, s:s, s:s, s:o}", "organisation_id",
				      (json_int_t)a->org_id, "organisation", a->org_name,
				      "served_by", a->area ? "area" : "district", "fee_schedule",
				      fees_of(p, a->org_id, utility_kind_name(k), day)));
		}
		const char *choice = n == 0 ? "none" : n == 1 ? "assigned" : "applicant_chooses";
		json_array_append_new(kinds, json_pack("{s:s, s:s, s:s, s:o}", "kind",
						       utility_kind_name(k), "kind_name",
						       html_kind_name(utility_kind_name(k), lang),
						       "choice", choice, "providers", list));
	}
	return json_pack("{s:o, s:{s:s, s:s, s:s, s:s, s:s}, s:o, s:o}", "point", geo_geojson(pt),
			 "district", "code", d->code, "name_zh", d->name_zh, "name_en", d->name_en,
			 "name", pick(d->name_zh, d->name_en, lang), "kind", d->kind, "date",
			 day_json(day), "kinds", kinds);
}

static int providers_get(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	double lng = 0, lat = 0;
	bool ok = query_number(req, "lng", &lng, &err);
	ok = query_number(req, "lat", &lat, &err) && ok;
	const char *crs_s = http_query(req, "crs"), *kind_s = http_query(req, "kind");
	json_t *q = json_object();
	if (crs_s && *crs_s)
		json_object_set_new(q, "crs", json_string(crs_s));
	enum geo_crs crs = crs_at(q, "", GEO_CRS_CGCS2000, &err);
	json_decref(q);
	int kind = kind_s && *kind_s ? utility_kind_parse(kind_s) : -1;
	if (kind_s && *kind_s && kind < 0)
		error_add(&err, "kind", "not_allowed",
			  "kind is one of water, power, gas, heat, network");
	struct geo *pt = NULL;
	if (ok) {
		json_t *g = json_pack("{s:s, s:[f, f]}", "type", "Point", "coordinates", lng, lat);
		struct error local = ERROR_INIT;
		geo_parse(g, crs, GEO_POINT, "lng/lat", &pt, &local);
		for (size_t i = 0; i < local.ndetails; i++)
			error_add(&err, "lng/lat", local.details[i].code, "%s",
				  local.details[i].message);
		error_release(&local);
		json_decref(g);
	}
	struct place_load l = {.areas = true};
	int rc = finish_validation(res, &err) ? 1 : load_place(req, res, &l);
	const struct place_district *d = rc ? NULL : place_district_of(&l.ctx, pt, NULL);
	if (!rc && !d) {
		error_add(&err, "lng/lat", "outside_city",
			  "the point lies outside the city's districts");
		rc = finish_validation(res, &err);
	}
	if (!rc) {
		const struct published *p = snapshot_get(req->app);
		json_t *body =
		    providers_json(p, &l.ctx, pt, d, kind, snapshot_today(), public_lang(req));
		if (p)
			snapshot_put(p);
		reply_public(req, res, body, false);
	}
	place_context_release(&l.ctx);
	geo_free(pt);
	return rc ? 1 : 0;
}

const struct route place_routes[] = {
    {"GET", "/v1/public/districts", districts_get, ROUTE_PUBLIC, 0, RUNS_ON_WORK},
    {"GET", "/v1/public/districts.geojson", districts_geojson, ROUTE_PUBLIC, 0, RUNS_ON_WORK},
    {"POST", "/v1/districts", district_create, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK},
    {"PUT", "/v1/districts/{code}", district_update, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK},
    {"POST", "/v1/road-registers", register_publish, ROUTE_AUTHENTICATED, 8u << 20, RUNS_ON_WORK},
    {"GET", "/v1/public/road-registers", registers_get, ROUTE_PUBLIC, 0, RUNS_ON_WORK},
    {"GET", "/v1/public/roads", roads_get, ROUTE_PUBLIC, 0, RUNS_ON_WORK},
    {"GET", "/v1/public/roads/{road_id}", road_get, ROUTE_PUBLIC, 0, RUNS_ON_WORK},
    {"POST", "/v1/risk-zones", zone_publish, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK},
    {"GET", "/v1/public/risk-zones", zones_get, ROUTE_PUBLIC, 0, RUNS_ON_WORK},
    {"PUT", "/v1/service-areas/{kind}", areas_put, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK},
    {"GET", "/v1/service-areas", areas_get, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK},
    {"GET", "/v1/public/providers", providers_get, ROUTE_PUBLIC, 0, RUNS_ON_WORK},
    {0},
};
