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

/* A page of the plan: this many digs unless ?limit= says otherwise (at most PLAN_MAX_LIMIT). */
#define PLAN_LIMIT 500
#define PLAN_MAX_LIMIT 1000

struct plan {
	const struct authz_caller *caller;
	struct planned_dig_query q;
	char district[33], road[33];
	day_t today;
	int limit;
	bool more;		     /* digs follow this page: next_cursor is rows[n - 1]'s id */
	struct planned_dig_row *rows; /* the page's digs, then the neighbours (not shown) */
	size_t n, nall;
	struct dig_conflict *conflicts; /* every pair involving one of the page's digs */
	size_t nconflicts;
	size_t *with_start, *with; /* the digs each page dig conflicts with (rows indices) */
};

static json_t *day_json(day_t d)
{
	char b[11];
	return d >= 0 ? json_string(cal_day_format(d, b)) : json_null();
}

/* The rule's road key of a row: its register road on its authority's register ("" none). */
static char (*road_keys(const struct planned_dig_row *rows, size_t n))[56]
{
	char(*keys)[56] = xcalloc(n + 1, sizeof(*keys));
	for (size_t i = 0; i < n; i++)
		if (rows[i].road_id[0])
			snprintf(keys[i], sizeof(keys[i]), "%lld/%s", rows[i].road_org_id,
				 rows[i].road_id);
	return keys;
}

static int id_cmp(const void *pa, const void *pb)
{
	long long a = *(const long long *)pa, b = *(const long long *)pb;
	return a < b ? -1 : a > b;
}

static int row_id_cmp(const void *pa, const void *pb)
{
	return id_cmp(&((const struct planned_dig_row *)pa)->id,
		      &((const struct planned_dig_row *)pb)->id);
}

/*
 * The neighbours of the page: the digs on its roads (on the same register) that are not on the
 * page and whose dates fall within COORDINATION_MONTHS of one of its digs there, appended to
 * rows after the page's n (nall in all), each once.
 */
static int plan_neighbours(struct store_conn *c, struct plan *p, struct error *err)
{
	int rc = 0;
	struct planned_dig_row *cand = NULL;
	size_t ncand = 0;
	for (size_t i = 0; !rc && i < p->n; i++) {
		const struct planned_dig_row *r = &p->rows[i];
		if (!r->road_id[0] || !r->road_org_id)
			continue;
		bool done = false; /* this road of this register's window was read already */
		for (size_t k = i; !done && k > 0 && !strcmp(p->rows[k - 1].road_id, r->road_id);
		     k--)
			done = p->rows[k - 1].road_org_id == r->road_org_id;
		if (done)
			continue;
		day_t from = -1, by = -1;
		for (size_t k = i; k < p->n && !strcmp(p->rows[k].road_id, r->road_id); k++) {
			if (p->rows[k].road_org_id != r->road_org_id)
				continue;
			day_t f = coordination_add_months(p->rows[k].start_day,
							  -COORDINATION_MONTHS) -
				  4;
			day_t b = coordination_add_months(p->rows[k].end_day, COORDINATION_MONTHS);
			from = from < 0 || f < from ? f : from;
			by = b > by ? b : by;
		}
		if (from < p->q.from_day)
			from = p->q.from_day;
		struct planned_dig_row *more = NULL;
		size_t nm = 0;
		rc = store_planned_digs_window(c, r->road_id, r->road_org_id, from, by, false, &more,
					       &nm, err);
		if (!rc && nm) {
			cand = xrealloc(cand, (ncand + nm) * sizeof(*cand));
			memcpy(cand + ncand, more, nm * sizeof(*more));
			ncand += nm;
			free(more); /* the window's rows own no extent */
		} else {
			store_planned_digs_free(more, nm);
		}
	}
	/* each once, and none of the page's */
	long long *page = xcalloc(p->n + 1, sizeof(*page));
	for (size_t i = 0; i < p->n; i++)
		page[i] = p->rows[i].id;
	qsort(page, p->n, sizeof(*page), id_cmp);
	if (ncand)
		qsort(cand, ncand, sizeof(*cand), row_id_cmp);
	size_t keep = 0;
	for (size_t k = 0; !rc && k < ncand; k++) {
		if ((k > 0 && cand[k].id == cand[k - 1].id) ||
		    bsearch(&cand[k].id, page, p->n, sizeof(*page), id_cmp))
			continue;
		cand[keep++] = cand[k];
	}
	if (!rc && keep) {
		p->rows = xrealloc(p->rows, (p->n + keep + 1) * sizeof(*p->rows));
		memcpy(p->rows + p->n, cand, keep * sizeof(*cand));
		p->nall = p->n + keep;
	}
	free(page);
	free(cand);
	return rc;
}

static int plan_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct plan *p = ctx;
	int rc = store_planned_digs(c, &p->q, (size_t)p->limit + 1, &p->rows, &p->n, err);
	if (rc)
		return rc;
	p->more = p->n > (size_t)p->limit;
	if (p->more) {
		free(p->rows[p->n - 1].extent_wkt);
		p->n--;
	}
	p->nall = p->n;
	rc = plan_neighbours(c, p, err);
	if (rc)
		return rc;
	/* every conflicting pair among the page and its neighbours, in one sorted pass */
	char(*keys)[56] = road_keys(p->rows, p->nall);
	struct planned_dig *d = xcalloc(p->nall + 1, sizeof(*d));
	for (size_t i = 0; i < p->nall; i++)
		d[i] = (struct planned_dig){p->rows[i].id, p->rows[i].project_id, keys[i],
					    p->rows[i].start_day, p->rows[i].end_day};
	size_t total = coordination_conflicts(d, p->nall, COORDINATION_MONTHS, NULL, 0);
	struct dig_conflict *all = xcalloc(total + 1, sizeof(*all));
	coordination_conflicts(d, p->nall, COORDINATION_MONTHS, all, total);
	/* those involving a page dig (a < b: a is on the page), and each page dig's partners */
	p->conflicts = xcalloc(total + 1, sizeof(*p->conflicts));
	p->with_start = xcalloc(p->n + 2, sizeof(*p->with_start));
	for (size_t k = 0; k < total; k++) {
		if (all[k].a >= p->n)
			continue;
		p->conflicts[p->nconflicts++] = all[k];
		p->with_start[all[k].a + 1]++;
		if (all[k].b < p->n)
			p->with_start[all[k].b + 1]++;
	}
	for (size_t i = 0; i < p->n; i++)
		p->with_start[i + 1] += p->with_start[i];
	p->with = xcalloc(p->with_start[p->n] + 1, sizeof(*p->with));
	size_t *fill = xcalloc(p->n + 1, sizeof(*fill));
	for (size_t k = 0; k < p->nconflicts; k++) {
		size_t a = p->conflicts[k].a, b = p->conflicts[k].b;
		p->with[p->with_start[a] + fill[a]++] = b;
		if (b < p->n)
			p->with[p->with_start[b] + fill[b]++] = a;
	}
	free(fill);
	free(all);
	free(d);
	free(keys);
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
	p->limit = PLAN_LIMIT;
	struct error err = ERROR_INIT;
	const char *l = http_query(req, "limit"), *cur = http_query(req, "cursor");
	char *end;
	if (l) {
		long v = strtol(l, &end, 10);
		if (!*l || *end || v < 1 || v > PLAN_MAX_LIMIT)
			error_add(&err, "limit", "out_of_range", "limit must be from 1 to %d",
				  PLAN_MAX_LIMIT);
		else
			p->limit = (int)v;
	}
	if (cur && *cur) {
		long long v = strtoll(cur, &end, 10);
		if (*end || v <= 0)
			error_add(&err, "cursor", "invalid", "cursor is not one this server gave");
		else
			p->q.after = v;
	}
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
	if (rc == ERR_NOT_FOUND) { /* the cursor's dig is not one of this plan's */
		error_release(&err);
		error_add(&err, "cursor", "invalid", "cursor is not one this server gave");
		rc = error_set(&err, ERR_INVALID, "bad cursor");
	}
	if (rc)
		http_reply_error(res, &err);
	error_release(&err);
	return rc;
}

static void plan_release(struct plan *p)
{
	store_planned_digs_free(p->rows, p->nall > p->n ? p->nall : p->n);
	free(p->conflicts);
	free(p->with_start);
	free(p->with);
}

/* The digs page row i conflicts with, as dig ids (its list built by plan_tx). New reference. */
static json_t *conflicts_of(const struct plan *p, size_t i)
{
	json_t *a = json_array();
	for (size_t k = p->with_start[i]; k < p->with_start[i + 1]; k++)
		json_array_append_new(a, json_integer(p->rows[p->with[k]].id));
	return a;
}

/* The page's cursor members: limit, and next_cursor (null on the last page). */
static void page_members(const struct plan *p, json_t *j)
{
	json_object_set_new(j, "limit", json_integer(p->limit));
	input_set_cursor(j, p->more, p->n ? p->rows[p->n - 1].id : 0);
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

/*
 * One plan per road (rows come by road) and per district, of this page's digs: each road's
 * conflicts are the pairs involving one of them (the other may be on another page).
 */
static json_t *plan_json(const struct plan *p)
{
	json_t *roads = json_array(), *districts = json_object(), *off = json_array();
	json_t *road = NULL;
	json_t **road_of = xcalloc(p->n + 1, sizeof(*road_of));
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
		road_of[i] = road;
		json_array_append_new(json_object_get(road, "digs"), dig_json(p, i, false));
	}
	for (size_t k = 0; k < p->nconflicts; k++) {
		size_t a = p->conflicts[k].a; /* on the page */
		if (road_of[a])
			json_array_append_new(json_object_get(road_of[a], "conflicts"),
					      conflict_json(p, &p->conflicts[k]));
		json_t *dj = json_object_get(districts, p->rows[a].district);
		json_object_set_new(dj, "conflicts",
				    json_integer(json_integer_value(json_object_get(dj, "conflicts")) +
						 1));
	}
	free(road_of);
	json_t *dlist = json_array();
	const char *key;
	json_t *v;
	json_object_foreach(districts, key, v) json_array_append(dlist, v);
	json_decref(districts);
	json_t *j = json_pack("{s:o, s:i, s:i, s:i, s:o, s:o, s:o}", "as_of", day_json(p->today),
			      "months", COORDINATION_MONTHS, "digs", (int)p->n, "conflicts",
			      (int)p->nconflicts, "roads", roads, "districts", dlist,
			      "off_register", off);
	page_members(p, j);
	return j;
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
		page_members(&p, fc); /* foreign members: the page, as the JSON plan's */
		char *text = json_dumps(fc, JSON_COMPACT);
		http_add_header(res, "Cache-Control", "no-store");
		if (p.more) {
			char next[32];
			snprintf(next, sizeof(next), "%lld", p.rows[p.n - 1].id);
			http_add_header(res, "X-Next-Cursor", next);
		}
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
		      "viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"planned digs\"",
		      MAP_W, MAP_H, MAP_W, MAP_H);
	if (p->more)
		strbuf_printf(&b, " data-next-cursor=\"%lld\"", p->rows[p->n - 1].id);
	strbuf_printf(&b,
		      ">\n<title>Planned digs: %zu, conflicts within %d months: %zu%s</title>\n"
		      "<rect width=\"100%%\" height=\"100%%\" fill=\"#f8f8f4\"/>\n",
		      p->n, COORDINATION_MONTHS, p->nconflicts,
		      p->more ? " (one page: more digs follow, see X-Next-Cursor)" : "");
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
		if (p.more) {
			char next[32];
			snprintf(next, sizeof(next), "%lld", p.rows[p.n - 1].id);
			http_add_header(res, "X-Next-Cursor", next);
		}
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
