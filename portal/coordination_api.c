/*
 * The coordination plan of digs (issue #20): every planned excavation (from projects, and from
 * utilities' own planned network works) that has not ended, as one plan per register road and
 * district, with the conflicts dig-once could remove: two planned digs of different projects on
 * the same road within COORDINATION_MONTHS months. For the road authority (the roads of its
 * registers) and the office (all of them): JSON, GeoJSON and an SVG map.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/app.h"
#include "portal/auth.h"
#include "portal/input.h"
#include "portal/router.h"
#include "portal/tracks.h"
#include "store/coordination.h"
#include "workflows/coordination.h"
#include "workflows/geo.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"

#define PLAN_CAP 2000

struct plan {
	const struct authz_caller *caller;
	struct planned_dig_query q;
	char district[33], road[33];
	day_t today;
	struct planned_dig_row *rows;
	size_t n;
	struct dig_conflict *conflicts;
	size_t nconflicts;
};

static json_t *day_json(day_t d)
{
	char b[11];
	return d >= 0 ? json_string(cal_day_format(d, b)) : json_null();
}

static int plan_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct plan *p = ctx;
	store_planned_digs_free(p->rows, p->n);
	free(p->conflicts);
	p->rows = NULL;
	p->conflicts = NULL;
	p->nconflicts = 0;
	int rc = store_planned_digs(c, &p->q, PLAN_CAP, &p->rows, &p->n, err);
	if (rc)
		return rc;
	struct planned_dig *d = xcalloc(p->n + 1, sizeof(*d));
	for (size_t i = 0; i < p->n; i++)
		d[i] = (struct planned_dig){p->rows[i].id, p->rows[i].project_id, p->rows[i].road_id,
					    p->rows[i].start_day, p->rows[i].end_day};
	size_t total = coordination_conflicts(d, p->n, COORDINATION_MONTHS, NULL, 0);
	p->conflicts = xcalloc(total + 1, sizeof(*p->conflicts));
	p->nconflicts = coordination_conflicts(d, p->n, COORDINATION_MONTHS, p->conflicts, total);
	free(d);
	return 0;
}

/* Reads ?district=&road_id= and the caller's scope; replies 4xx itself when it fails. */
static int plan_load(struct http_request *req, struct http_response *res, struct plan *p)
{
	if (auth_require(req, res, AZ_COORDINATION_READ, NULL))
		return 1;
	p->caller = auth_caller(req);
	p->today = tracks_today();
	p->q.from_day = p->today;
	p->q.authority = p->caller->kind == ROLE_OFFICE ? 0 : p->caller->org_id;
	struct error err = ERROR_INIT;
	const char *d = http_query(req, "district"), *r = http_query(req, "road_id");
	if (d && (!*d || strlen(d) >= sizeof(p->district)))
		error_add(&err, "district", "wrong_type", "district is a district code");
	else if (d)
		p->q.district = strcpy(p->district, d);
	if (r && (!*r || strlen(r) >= sizeof(p->road)))
		error_add(&err, "road_id", "wrong_type", "road_id is a register road id");
	else if (r)
		p->q.road_id = strcpy(p->road, r);
	int rc = 0;
	if (err.ndetails)
		rc = error_set(&err, ERR_INVALID, "bad filter");
	else
		rc = store_with(req->app->pool, plan_tx, p, &err);
	if (rc)
		http_reply_error(res, &err);
	error_release(&err);
	return rc;
}

static void plan_release(struct plan *p)
{
	store_planned_digs_free(p->rows, p->n);
	free(p->conflicts);
}

/* The dig indices row i conflicts with, as dig ids. New reference. */
static json_t *conflicts_of(const struct plan *p, size_t i)
{
	json_t *a = json_array();
	for (size_t k = 0; k < p->nconflicts; k++) {
		if (p->conflicts[k].a == i)
			json_array_append_new(a, json_integer(p->rows[p->conflicts[k].b].id));
		else if (p->conflicts[k].b == i)
			json_array_append_new(a, json_integer(p->rows[p->conflicts[k].a].id));
	}
	return a;
}

static json_t *dig_json(const struct plan *p, size_t i, bool geometry)
{
	const struct planned_dig_row *r = &p->rows[i];
	json_t *j = json_pack("{s:I, s:s, s:s, s:{s:I, s:s}, s:s, s:s, s:o, s:o, s:o, s:o}", "id",
			      (json_int_t)r->id, "project", r->project_reference, "project_name",
			      r->project_name, "organisation", "id", (json_int_t)r->org_id, "name",
			      r->org_name, "purpose", r->purpose, "district", r->district,
			      "road_id", r->road_id[0] ? json_string(r->road_id) : json_null(),
			      "road_name", r->road_name[0] ? json_string(r->road_name) : json_null(),
			      "start_date", day_json(r->start_day), "end_date",
			      day_json(r->end_day));
	json_t *with = conflicts_of(p, i);
	json_object_set_new(j, "conflict", json_boolean(json_array_size(with) > 0));
	json_object_set_new(j, "conflicts_with", with);
	if (geometry) {
		struct geo *g = geo_from_wkt(r->extent_wkt);
		json_object_set_new(j, "geometry", g ? geo_geojson(g) : json_null());
		geo_free(g);
	}
	return j;
}

static json_t *conflict_json(const struct plan *p, const struct dig_conflict *c)
{
	const struct planned_dig_row *a = &p->rows[c->a], *b = &p->rows[c->b];
	return json_pack("{s:s, s:[I,I], s:[s,s], s:i, s:s}", "road_id", a->road_id, "digs",
			 (json_int_t)a->id, (json_int_t)b->id, "projects", a->project_reference,
			 b->project_reference, "gap_days", c->gap_days, "advice",
			 "combine the works in one dig before either applies");
}

/* One plan per road (rows come by road) and per district. */
static json_t *plan_json(const struct plan *p)
{
	json_t *roads = json_array(), *districts = json_object(), *off = json_array();
	json_t *road = NULL;
	for (size_t i = 0; i < p->n; i++) {
		const struct planned_dig_row *r = &p->rows[i];
		json_t *dj = json_object_get(districts, r->district);
		if (!dj) {
			dj = json_pack("{s:s, s:i, s:i}", "district", r->district, "digs", 0,
				       "conflicts", 0);
			json_object_set_new(districts, r->district, dj);
		}
		json_object_set_new(dj, "digs",
				    json_integer(json_integer_value(json_object_get(dj, "digs")) + 1));
		if (!r->road_id[0]) {
			json_array_append_new(off, dig_json(p, i, false));
			continue;
		}
		if (!road || strcmp(json_string_value(json_object_get(road, "road_id")), r->road_id)) {
			road = json_pack("{s:s, s:s, s:s, s:[], s:[]}", "road_id", r->road_id,
					 "road_name", r->road_name, "district", r->district, "digs",
					 "conflicts");
			json_array_append_new(roads, road);
		}
		json_array_append_new(json_object_get(road, "digs"), dig_json(p, i, false));
	}
	size_t ri;
	json_t *rj;
	for (size_t k = 0; k < p->nconflicts; k++) {
		const struct planned_dig_row *a = &p->rows[p->conflicts[k].a];
		json_array_foreach(roads, ri, rj) if (!strcmp(
		    json_string_value(json_object_get(rj, "road_id")),
		    a->road_id)) json_array_append_new(json_object_get(rj, "conflicts"),
						       conflict_json(p, &p->conflicts[k]));
		json_t *dj = json_object_get(districts, a->district);
		json_object_set_new(dj, "conflicts",
				    json_integer(json_integer_value(json_object_get(dj, "conflicts")) +
						 1));
	}
	json_t *dlist = json_array();
	const char *key;
	json_t *v;
	json_object_foreach(districts, key, v) json_array_append(dlist, v);
	json_decref(districts);
	return json_pack("{s:o, s:i, s:i, s:i, s:o, s:o, s:o}", "as_of", day_json(p->today),
			 "months", COORDINATION_MONTHS, "digs", (int)p->n, "conflicts",
			 (int)p->nconflicts, "roads", roads, "districts", dlist, "off_register",
			 off);
}

static int coordination_get(struct http_request *req, struct http_response *res)
{
	struct plan p = {0};
	int rc = plan_load(req, res, &p);
	if (!rc) {
		http_add_header(res, "Cache-Control", "no-store");
		http_reply_json(res, 200, plan_json(&p));
	}
	plan_release(&p);
	return rc;
}

static int coordination_geojson(struct http_request *req, struct http_response *res)
{
	struct plan p = {0};
	int rc = plan_load(req, res, &p);
	if (!rc) {
		json_t *features = json_array();
		for (size_t i = 0; i < p.n; i++) {
			json_t *props = dig_json(&p, i, true);
			json_t *g = json_incref(json_object_get(props, "geometry"));
			json_object_del(props, "geometry");
			json_array_append_new(features,
					      json_pack("{s:s, s:I, s:o, s:o}", "type", "Feature",
							"id", (json_int_t)p.rows[i].id, "geometry",
							g ? g : json_null(), "properties", props));
		}
		json_t *fc = json_pack("{s:s, s:o}", "type", "FeatureCollection", "features",
				       features);
		char *text = json_dumps(fc, JSON_COMPACT);
		http_add_header(res, "Cache-Control", "no-store");
		http_reply_text(res, 200, "application/geo+json", text, strlen(text));
		free(text);
		json_decref(fc);
	}
	plan_release(&p);
	return rc;
}

/* --- the SVG map ------------------------------------------------------------------------ */

#define MAP_W 800.0
#define MAP_H 600.0
#define MAP_PAD 30.0

struct frame {
	double min_lng, min_lat, scale;
};

static void bbox_add(json_t *coords, struct geo_bbox *b, bool *any)
{
	if (json_is_array(coords) && json_is_number(json_array_get(coords, 0))) {
		double x = json_number_value(json_array_get(coords, 0));
		double y = json_number_value(json_array_get(coords, 1));
		if (!*any)
			*b = (struct geo_bbox){x, y, x, y};
		b->min_lng = fmin(b->min_lng, x);
		b->max_lng = fmax(b->max_lng, x);
		b->min_lat = fmin(b->min_lat, y);
		b->max_lat = fmax(b->max_lat, y);
		*any = true;
		return;
	}
	size_t i;
	json_t *c;
	json_array_foreach(coords, i, c) bbox_add(c, b, any);
}

static void xy(const struct frame *f, json_t *pos, double *x, double *y)
{
	*x = MAP_PAD + (json_number_value(json_array_get(pos, 0)) - f->min_lng) * f->scale;
	*y = MAP_H - MAP_PAD - (json_number_value(json_array_get(pos, 1)) - f->min_lat) * f->scale;
}

/* A line (or a ring) as an SVG points list. */
static void points(struct strbuf *b, const struct frame *f, json_t *line)
{
	size_t i;
	json_t *pos;
	json_array_foreach(line, i, pos)
	{
		double x, y;
		xy(f, pos, &x, &y);
		strbuf_printf(b, "%s%.1f,%.1f", i ? " " : "", x, y);
	}
}

static void escape(struct strbuf *b, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '<')
			strbuf_puts(b, "&lt;");
		else if (*s == '>')
			strbuf_puts(b, "&gt;");
		else if (*s == '&')
			strbuf_puts(b, "&amp;");
		else if (*s == '"')
			strbuf_puts(b, "&quot;");
		else
			strbuf_add(b, s, 1);
	}
}

static char *plan_svg(const struct plan *p, size_t *len)
{
	json_t **geoms = xcalloc(p->n + 1, sizeof(*geoms));
	struct geo_bbox box = {0};
	bool any = false;
	for (size_t i = 0; i < p->n; i++) {
		struct geo *g = geo_from_wkt(p->rows[i].extent_wkt);
		geoms[i] = g ? geo_geojson(g) : NULL;
		geo_free(g);
		if (geoms[i])
			bbox_add(json_object_get(geoms[i], "coordinates"), &box, &any);
	}
	double w = fmax(box.max_lng - box.min_lng, 1e-4), h = fmax(box.max_lat - box.min_lat, 1e-4);
	struct frame f = {box.min_lng, box.min_lat,
			  fmin((MAP_W - 2 * MAP_PAD) / w, (MAP_H - 2 * MAP_PAD) / h)};
	struct strbuf b = {0};
	strbuf_printf(&b,
		      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		      "viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"planned digs\">\n"
		      "<title>Planned digs: %zu, conflicts within %d months: %zu</title>\n"
		      "<rect width=\"100%%\" height=\"100%%\" fill=\"#f8f8f4\"/>\n",
		      MAP_W, MAP_H, MAP_W, MAP_H, p->n, COORDINATION_MONTHS, p->nconflicts);
	for (size_t i = 0; i < p->n; i++) {
		if (!geoms[i])
			continue;
		json_t *with = conflicts_of(p, i);
		bool conflict = json_array_size(with) > 0;
		json_decref(with);
		const char *type = json_string_value(json_object_get(geoms[i], "type"));
		json_t *coords = json_object_get(geoms[i], "coordinates");
		const char *colour = conflict ? "#c0392b" : "#2471a3";
		strbuf_printf(&b, "<g class=\"dig%s\" data-id=\"%lld\"><title>", conflict ? " conflict" : "",
			      p->rows[i].id);
		escape(&b, p->rows[i].project_reference);
		strbuf_puts(&b, " ");
		escape(&b, p->rows[i].road_name[0] ? p->rows[i].road_name : p->rows[i].district);
		strbuf_puts(&b, conflict ? " (conflict)" : "");
		strbuf_puts(&b, "</title>");
		if (type && !strcmp(type, "Polygon")) {
			strbuf_puts(&b, "<polygon points=\"");
			points(&b, &f, json_array_get(coords, 0));
			strbuf_printf(&b, "\" fill=\"%s\" fill-opacity=\"0.4\" stroke=\"%s\"/>", colour,
				      colour);
		} else {
			strbuf_puts(&b, "<polyline points=\"");
			points(&b, &f, coords);
			strbuf_printf(&b, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"4\"/>",
				      colour);
		}
		strbuf_puts(&b, "</g>\n");
		json_decref(geoms[i]);
	}
	free(geoms);
	strbuf_puts(&b, "</svg>\n");
	*len = b.len;
	return b.p;
}

static int coordination_svg(struct http_request *req, struct http_response *res)
{
	struct plan p = {0};
	int rc = plan_load(req, res, &p);
	if (!rc) {
		size_t len = 0;
		char *svg = plan_svg(&p, &len);
		http_add_header(res, "Cache-Control", "no-store");
		http_reply_text(res, 200, "image/svg+xml", svg, len);
		free(svg);
	}
	plan_release(&p);
	return rc;
}

const struct route coordination_routes[] = {
    {"GET", "/v1/coordination", coordination_get, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK},
    {"GET", "/v1/coordination.geojson", coordination_geojson, ROUTE_AUTHENTICATED, 0,
     RUNS_ON_WORK},
    {"GET", "/v1/coordination.svg", coordination_svg, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK},
    {0},
};
