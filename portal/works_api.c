/*
 * Works on the map: the open-data feed of works extents (RFC 7946 GeoJSON, filtered and paged)
 * and the /works page, an SVG map drawn on the server (districts, the road register in force and
 * the current works coloured by permit state) in the frame of the other public pages. Neither
 * names an applicant.
 */
#define _GNU_SOURCE
#include "works_api.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/app.h"
#include "portal/html.h"
#include "portal/input.h"
#include "portal/public_api.h"
#include "portal/router.h"
#include "portal/tracks.h"
#include "store/works.h"
#include "workflows/permit.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"

#define WORKS_LIMIT_DEFAULT 200
#define WORKS_LIMIT_MAX 1000
#define MAP_WORKS_MAX 1000 /* the map draws at most this many works (then says so) */

/* --- parameters ----------------------------------------------------------------------------- */

int works_bbox_parse(const char *text, const char *field, struct geo_bbox *out, struct error *err)
{
	double v[4];
	const char *s = text;
	int n = 0;
	const char *why = NULL;
	for (; n < 4; n++) {
		char *end;
		while (*s == ' ')
			s++;
		v[n] = strtod(s, &end);
		if (end == s || !isfinite(v[n]))
			break;
		s = end;
		while (*s == ' ')
			s++;
		if (n < 3 && *s++ != ',')
			break;
	}
	if (n < 4 || *s)
		why = "must be four numbers: minlng,minlat,maxlng,maxlat";
	else if (v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90)
		why = "longitudes must be within -180..180 and latitudes within -90..90";
	else if (v[0] > v[2] || v[1] > v[3])
		why = "the minimum must not exceed the maximum (minlng,minlat,maxlng,maxlat)";
	if (why) {
		error_add(err, field, "invalid", "bbox %s", why);
		return ERR_INVALID;
	}
	*out = (struct geo_bbox){v[0], v[1], v[2], v[3]};
	return 0;
}

/* A district code as the office writes them (350102, hitech): letters, digits, '-', '_'. */
static bool code_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 32)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
	return true;
}

/* The feed's query: filters and the page. */
struct feed {
	struct works_filter f;
	char district[33];
	char state[25];
	/* the answer */
	struct works_item *items;
	size_t n;
	bool more;
};

/* Reads every filter, listing all that are wrong at once (422). */
static int feed_parse(struct http_request *req, struct feed *q, struct error *err)
{
	struct works_filter *f = &q->f;
	f->from = f->to = -1;
	f->limit = WORKS_LIMIT_DEFAULT;
	f->today = tracks_today();
	const char *bbox = http_query(req, "bbox");
	if (bbox)
		f->has_bbox = works_bbox_parse(bbox, "bbox", &f->bbox, err) == 0;
	static const char *const days[] = {"from", "to"};
	for (int i = 0; i < 2; i++) {
		const char *d = http_query(req, days[i]);
		day_t *out = i ? &f->to : &f->from;
		if (d && cal_day_parse(d, out, NULL) != 0)
			error_add(err, days[i], "invalid", "%s must be a date YYYY-MM-DD", days[i]);
	}
	if (f->from >= 0 && f->to >= 0 && f->to < f->from)
		error_add(err, "to", "invalid", "to must not be before from");
	const char *d = http_query(req, "district");
	if (d && !code_ok(d))
		error_add(err, "district", "invalid", "not a district code");
	else if (d)
		f->district = strcpy(q->district, d);
	const char *st = http_query(req, "state");
	enum permit_state ps;
	if (st && permit_state_parse(st, &ps, NULL) != 0)
		error_add(err, "state", "invalid",
			  "state must be a permit state (submitted, under_review, returned, "
			  "approved, rejected, closed, expired, revoked)");
	else if (st)
		f->state = strcpy(q->state, permit_state_name(ps));
	const char *l = http_query(req, "limit");
	char *end;
	if (l) {
		long v = strtol(l, &end, 10);
		if (!*l || *end || v < 1 || v > WORKS_LIMIT_MAX)
			error_add(err, "limit", "out_of_range", "limit must be from 1 to %d",
				  WORKS_LIMIT_MAX);
		else
			f->limit = (int)v;
	}
	/* ?cursor= as every list of the API; ?after= is the same, for the excavation id */
	const char *names[] = {"cursor", "after"};
	for (int i = 0; i < 2; i++) {
		const char *c = http_query(req, names[i]);
		if (!c || !*c)
			continue;
		long long v = strtoll(c, &end, 10);
		if (*end || v < 0 || !isdigit((unsigned char)*c))
			error_add(err, names[i], "invalid", "%s is not one this server gave",
				  names[i]);
		else
			f->after = v;
	}
	if (err->ndetails)
		return error_set(err, ERR_INVALID, "bad filter: see details");
	return 0;
}

static int feed_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct feed *q = ctx;
	if (q->f.district) {
		bool exists = false;
		int rc = store_works_district_exists(c, q->f.district, &exists, err);
		if (rc)
			return rc;
		if (!exists) {
			error_add(err, "district", "unknown", "no district %s", q->f.district);
			return error_set(err, ERR_INVALID, "bad filter: see details");
		}
	}
	return store_works_list(c, &q->f, &q->items, &q->n, &q->more, err);
}

/* --- the feed ------------------------------------------------------------------------------- */

static json_t *day_json(day_t d)
{
	char buf[11];
	return d >= 0 ? json_string(cal_day_format(d, buf)) : json_null();
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/* One Feature: the extent (RFC 7946 orientation) and what the public may know of the works. */
static json_t *feature(const struct works_item *w)
{
	struct geo *g = geo_from_wkt(w->wkt);
	json_t *geometry = g ? geo_geojson(g) : json_null();
	geo_free(g);
	json_t *props = json_object();
	json_object_set_new(props, "permit_reference", str_or_null(w->permit_reference));
	json_object_set_new(props, "permit_state", str_or_null(w->permit_state));
	json_object_set_new(props, "utility_kind", json_string(w->utility_kind));
	json_object_set_new(props, "road_id", str_or_null(w->road_id));
	json_object_set_new(props, "road_name_zh", str_or_null(w->road_zh));
	json_object_set_new(props, "road_name_en", str_or_null(w->road_en));
	json_object_set_new(props, "window_start", day_json(w->start));
	json_object_set_new(props, "window_end", day_json(w->end));
	json_object_set_new(props, "district_code", json_string(w->district));
	return json_pack("{s:s, s:I, s:o, s:o}", "type", "Feature", "id", (json_int_t)w->id,
			 "geometry", geometry, "properties", props);
}

/* The Link to the next page: the same filters, normalised, after the last id. */
static void next_link(struct http_response *res, const struct feed *q, long long last)
{
	const struct works_filter *f = &q->f;
	struct strbuf b = {0};
	char d[11];
	strbuf_printf(&b, "</v1/public/works.geojson?limit=%d&cursor=%lld", f->limit, last);
	if (f->has_bbox)
		strbuf_printf(&b, "&bbox=%.7f,%.7f,%.7f,%.7f", f->bbox.min_lng, f->bbox.min_lat,
			      f->bbox.max_lng, f->bbox.max_lat);
	if (f->from >= 0)
		strbuf_printf(&b, "&from=%s", cal_day_format(f->from, d));
	if (f->to >= 0)
		strbuf_printf(&b, "&to=%s", cal_day_format(f->to, d));
	if (f->district)
		strbuf_printf(&b, "&district=%s", f->district);
	if (f->state)
		strbuf_printf(&b, "&state=%s", f->state);
	strbuf_printf(&b, ">; rel=\"next\"");
	http_add_header(res, "Link", b.p);
	free(b.p);
}

static int works_geojson(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	struct feed q = {0};
	int rc = feed_parse(req, &q, &err);
	if (!rc)
		rc = store_read_tx(req->app->pool, feed_tx, &q, &err);
	if (rc) {
		http_reply_error(res, &err);
		error_release(&err);
		store_works_free(q.items, q.n);
		return rc;
	}
	json_t *features = json_array();
	for (size_t i = 0; i < q.n; i++)
		json_array_append_new(features, feature(&q.items[i]));
	json_t *doc = json_pack("{s:s, s:o}", "type", "FeatureCollection", "features", features);
	long long last = q.n ? q.items[q.n - 1].id : 0;
	input_set_cursor(doc, q.more, last); /* a foreign member (RFC 7946 §6.1) */
	/* 7 decimals of a longitude are 10 significant digits */
	char *text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(10));
	json_decref(doc);
	http_reply_text(res, 200, "application/geo+json", text, strlen(text));
	free(text);
	http_add_header(res, "Cache-Control", "public, max-age=60");
	if (q.more)
		next_link(res, &q, last);
	store_works_free(q.items, q.n);
	return 0;
}

/* --- the map page --------------------------------------------------------------------------- */

#define L(zh, en) (pg->lang == SNAP_EN ? (en) : (zh))
#define MAP_W 1080.0
#define MAP_H_MAX 900.0
#define LEGEND_H 64

/* What a permit state looks like on the map; works with no permit yet are "none". */
static const struct state_style {
	const char *state, *colour, *zh, *en;
} styles[] = {
    {"none", "#6b6b6b", "尚无许可", "No permit yet"},
    {"submitted", "#1f6fd1", "已申请", "Submitted"},
    {"under_review", "#7b3fb8", "审查中", "Under review"},
    {"returned", "#e07b00", "退回补正", "Returned for supplement"},
    {"approved", "#1b8a3a", "已批准", "Approved"},
    {"rejected", "#b00020", "不予批准", "Rejected"},
    {"closed", "#444444", "已关闭", "Closed"},
    {"expired", "#444444", "已过期", "Expired"},
    {"revoked", "#b00020", "已撤销", "Revoked"},
};
#define LEGEND_STATES 5 /* the states current works can be in, shown in the legend */

static const struct state_style *style_of(const char *state)
{
	for (size_t i = 1; state && i < sizeof(styles) / sizeof(styles[0]); i++)
		if (!strcmp(styles[i].state, state))
			return &styles[i];
	return &styles[0];
}

/* Road widths by class (px), and how a label's priority follows them. */
static const struct {
	const char *cls, *zh, *en;
	double width;
} classes[] = {
    {"expressway", "快速路", "Expressway", 5.5},
    {"primary", "主干路", "Primary", 4},
    {"secondary", "次干路", "Secondary", 2.6},
    {"branch", "支路", "Branch", 1.6},
};

static int class_rank(const char *cls)
{
	for (int i = 0; i < (int)(sizeof(classes) / sizeof(classes[0])); i++)
		if (!strcmp(classes[i].cls, cls))
			return i;
	return 3;
}

/* Equirectangular: longitude scaled by cos(latitude) at the view's middle. */
struct proj {
	struct geo_bbox box;
	double kx, s, w, h;
};

static void proj_init(struct proj *p, struct geo_bbox b)
{
	double dlng = b.max_lng - b.min_lng, dlat = b.max_lat - b.min_lat;
	if (dlng < 1e-4)
		b.min_lng -= 0.005, b.max_lng += 0.005, dlng = b.max_lng - b.min_lng;
	if (dlat < 1e-4)
		b.min_lat -= 0.005, b.max_lat += 0.005, dlat = b.max_lat - b.min_lat;
	/* a margin of 4% on every side */
	b.min_lng -= dlng * 0.04, b.max_lng += dlng * 0.04;
	b.min_lat -= dlat * 0.04, b.max_lat += dlat * 0.04;
	p->box = b;
	p->kx = cos((b.min_lat + b.max_lat) / 2 * M_PI / 180);
	p->s = MAP_W / ((b.max_lng - b.min_lng) * p->kx);
	if ((b.max_lat - b.min_lat) * p->s > MAP_H_MAX)
		p->s = MAP_H_MAX / (b.max_lat - b.min_lat);
	p->w = ceil((b.max_lng - b.min_lng) * p->kx * p->s);
	p->h = ceil((b.max_lat - b.min_lat) * p->s);
}

static void project(const struct proj *p, double lng, double lat, double *x, double *y)
{
	*x = (lng - p->box.min_lng) * p->kx * p->s;
	*y = (p->box.max_lat - lat) * p->s;
}

/* The SVG path data of a GeoJSON geometry's lines or rings ("M x y L ..." / "... Z"). */
static void path_of(struct html_page *pg, const struct proj *p, json_t *geometry)
{
	const char *type = json_string_value(json_object_get(geometry, "type"));
	json_t *coords = json_object_get(geometry, "coordinates");
	bool polygon = type && !strcmp(type, "Polygon");
	size_t nrings = polygon ? json_array_size(coords) : 1;
	for (size_t r = 0; r < nrings; r++) {
		json_t *ring = polygon ? json_array_get(coords, r) : coords;
		size_t i;
		json_t *pos;
		json_array_foreach(ring, i, pos)
		{
			double x, y;
			project(p, json_number_value(json_array_get(pos, 0)),
				json_number_value(json_array_get(pos, 1)), &x, &y);
			html_rawf(pg, "%s%.1f %.1f", i ? " L" : (r ? " M" : "M"), x, y);
		}
		if (polygon)
			html_rawf(pg, " Z");
	}
}

/* A label's box on the map, for keeping labels apart. */
struct rect {
	double x0, y0, x1, y1;
};

struct labels {
	struct rect *r;
	size_t n, cap;
};

/* True (and the box taken) when box overlaps no label placed before and lies on the map. */
static bool label_place(struct labels *ls, const struct proj *p, struct rect b)
{
	if (b.x0 < 0 || b.y0 < 0 || b.x1 > p->w || b.y1 > p->h)
		return false;
	for (size_t i = 0; i < ls->n; i++)
		if (b.x0 < ls->r[i].x1 && ls->r[i].x0 < b.x1 && b.y0 < ls->r[i].y1 &&
		    ls->r[i].y0 < b.y1)
			return false;
	if (ls->n == ls->cap) {
		ls->cap = ls->cap ? 2 * ls->cap : 32;
		ls->r = xrealloc(ls->r, ls->cap * sizeof(*ls->r));
	}
	ls->r[ls->n++] = b;
	return true;
}

/* The width of UTF-8 text at size px, on the safe side (as /stats measures its labels). */
static double text_w(const char *s, double size)
{
	double w = 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x80)
			w += size * 0.62;
		else if (c >= 0xC0)
			w += size;
	}
	return w;
}

/* True when s has a character beyond ASCII (a Chinese name). */
static bool has_cjk(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0xC0)
			return true;
	return false;
}

/* A name in the page's language, else the other one, else the code. */
static const char *name_in(const struct html_page *pg, const char *zh, const char *en,
			   const char *code)
{
	const char *n = pg->lang == SNAP_EN ? en : zh;
	if (!n || !*n)
		n = pg->lang == SNAP_EN ? zh : en;
	return n && *n ? n : code;
}

/* Everything the page shows, loaded in one go. */
struct view {
	const char *district_code; /* NULL: the whole city */
	struct works_shape *shapes;
	size_t nshapes;
	struct works_item *items;
	size_t n;
	bool more;
	day_t today;
	bool unknown_district;
};

/* The district's boundary box, or false when it has none. */
static bool district_box(const struct works_shape *s, struct geo_bbox *b)
{
	struct geo *g = s->wkt ? geo_from_wkt(s->wkt) : NULL;
	if (!g)
		return false;
	geo_bounds(g, b);
	geo_free(g);
	return true;
}

static void box_add(struct geo_bbox *b, bool *any, const struct geo_bbox *o)
{
	if (!*any) {
		*b = *o;
		*any = true;
		return;
	}
	b->min_lng = fmin(b->min_lng, o->min_lng), b->min_lat = fmin(b->min_lat, o->min_lat);
	b->max_lng = fmax(b->max_lng, o->max_lng), b->max_lat = fmax(b->max_lat, o->max_lat);
}

static int map_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct view *v = ctx;
	int rc = store_works_base(c, v->district_code, v->today, &v->shapes, &v->nshapes, err);
	if (rc)
		return rc;
	struct works_filter f = {
	    .from = -1, .to = -1, .current = true, .today = v->today, .limit = MAP_WORKS_MAX};
	if (v->district_code) {
		const struct works_shape *d = NULL;
		for (size_t i = 0; i < v->nshapes && !d; i++)
			if (!v->shapes[i].road && !strcmp(v->shapes[i].code, v->district_code))
				d = &v->shapes[i];
		if (!d) {
			v->unknown_district = true;
			return 0;
		}
		/* the district's box (the works near its edge are on its map too), else its code */
		if (district_box(d, &f.bbox))
			f.has_bbox = true;
		else
			f.district = v->district_code;
	}
	return store_works_list(c, &f, &v->items, &v->n, &v->more, err);
}

/* The box the map shows: the district's, else the city's (every boundary), else what there is. */
static struct geo_bbox view_box(const struct view *v)
{
	struct geo_bbox b = {119.20, 25.98, 119.42, 26.12}, o; /* central Fuzhou, when empty */
	bool any = false;
	for (size_t i = 0; i < v->nshapes; i++) {
		const struct works_shape *s = &v->shapes[i];
		if (s->road || (v->district_code && strcmp(s->code, v->district_code) != 0))
			continue;
		if (district_box(s, &o))
			box_add(&b, &any, &o);
	}
	for (size_t i = 0; !any && i < v->nshapes + v->n; i++) {
		const char *wkt = i < v->nshapes ? v->shapes[i].wkt : v->items[i - v->nshapes].wkt;
		struct geo *g = wkt ? geo_from_wkt(wkt) : NULL;
		if (g) {
			geo_bounds(g, &o);
			box_add(&b, &any, &o);
			geo_free(g);
		}
	}
	return b;
}

static void draw_districts(struct html_page *pg, const struct proj *p, const struct view *v,
			   struct labels *ls)
{
	html_rawf(pg, "<g class=\"districts\">");
	for (size_t i = 0; i < v->nshapes; i++) {
		const struct works_shape *s = &v->shapes[i];
		struct geo *g = s->road || !s->wkt ? NULL : geo_from_wkt(s->wkt);
		if (!g)
			continue;
		bool own = v->district_code && !strcmp(s->code, v->district_code);
		json_t *gj = geo_geojson(g);
		html_rawf(pg, "<path fill=\"%s\" stroke=\"#8a8170\" stroke-width=\"%s\" d=\"",
			  own || !v->district_code ? "#f3efe4" : "#e9e6df", own ? "1.6" : "0.8");
		path_of(pg, p, gj);
		html_rawf(pg, "\"><title>");
		html_text(pg, name_in(pg, s->name_zh, s->name_en, s->code));
		html_rawf(pg, " (");
		html_text(pg, s->code);
		html_rawf(pg, ")</title></path>");
		json_decref(gj);
		geo_free(g);
	}
	html_rawf(pg, "</g>");
	/* the district names, after every boundary so no fill covers them */
	html_rawf(pg, "<g class=\"district-names\" font-size=\"13\" fill=\"#7a7264\" "
		      "text-anchor=\"middle\">");
	for (size_t i = 0; i < v->nshapes; i++) {
		const struct works_shape *s = &v->shapes[i];
		struct geo *g = s->road || !s->wkt ? NULL : geo_from_wkt(s->wkt);
		if (!g)
			continue;
		double lng, lat, x, y;
		geo_anchor(g, &lng, &lat);
		geo_free(g);
		project(p, lng, lat, &x, &y);
		const char *name = name_in(pg, s->name_zh, s->name_en, s->code);
		double w = text_w(name, 13);
		/* a district too small on this map for its name is named in the links above */
		struct geo_bbox b;
		double x0, y0, x1, y1;
		if (!district_box(s, &b))
			continue;
		project(p, b.min_lng, b.max_lat, &x0, &y0);
		project(p, b.max_lng, b.min_lat, &x1, &y1);
		if (x1 - x0 < 1.5 * w ||
		    !label_place(ls, p, (struct rect){x - w / 2, y - 12, x + w / 2, y + 3}))
			continue;
		html_rawf(pg, "<text x=\"%.1f\" y=\"%.1f\">", x, y);
		html_text(pg, name);
		html_rawf(pg, "</text>");
	}
	html_rawf(pg, "</g>");
}

/*
 * The point at `frac` of a projected line's length and the line's direction there, in degrees,
 * turned to read left to right.
 */
static double line_at(const struct proj *p, json_t *coords, double frac, double *mx, double *my)
{
	size_t n = json_array_size(coords);
	double *x = xcalloc(n + 1, sizeof(double)), *y = xcalloc(n + 1, sizeof(double));
	double total = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *pos = json_array_get(coords, i);
		project(p, json_number_value(json_array_get(pos, 0)),
			json_number_value(json_array_get(pos, 1)), &x[i], &y[i]);
		if (i)
			total += hypot(x[i] - x[i - 1], y[i] - y[i - 1]);
	}
	double angle = 0, run = 0, want = total * frac;
	*mx = n ? x[0] : 0, *my = n ? y[0] : 0;
	for (size_t i = 1; i < n; i++) {
		double seg = hypot(x[i] - x[i - 1], y[i] - y[i - 1]);
		if (run + seg >= want && seg > 0) {
			double t = (want - run) / seg;
			*mx = x[i - 1] + t * (x[i] - x[i - 1]);
			*my = y[i - 1] + t * (y[i] - y[i - 1]);
			angle = atan2(y[i] - y[i - 1], x[i] - x[i - 1]) * 180 / M_PI;
			break;
		}
		run += seg;
	}
	free(x);
	free(y);
	if (angle > 90)
		angle -= 180;
	else if (angle < -90)
		angle += 180;
	return angle;
}

/* Indices of the roads, most important class first (labels are placed in that order). */
static int by_class(const void *a, const void *b, void *arg)
{
	const struct works_shape *s = arg;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int d = class_rank(s[i].kind) - class_rank(s[j].kind);
	return d ? d : (i > j) - (i < j);
}

/* The register's roads as GeoJSON, most important class first (gj[k] NULL when unreadable). */
struct road_layer {
	size_t *order; /* into v->shapes */
	json_t **gj;
	size_t n;
};

static void roads_load(struct road_layer *r, const struct view *v)
{
	r->order = xcalloc(v->nshapes + 1, sizeof(*r->order));
	r->n = 0;
	for (size_t i = 0; i < v->nshapes; i++)
		if (v->shapes[i].road && v->shapes[i].wkt)
			r->order[r->n++] = i;
	qsort_r(r->order, r->n, sizeof(*r->order), by_class, v->shapes);
	r->gj = xcalloc(r->n + 1, sizeof(*r->gj));
	for (size_t k = 0; k < r->n; k++) {
		struct geo *g = geo_from_wkt(v->shapes[r->order[k]].wkt);
		r->gj[k] = g ? geo_geojson(g) : NULL;
		geo_free(g);
	}
}

static void roads_release(struct road_layer *r)
{
	for (size_t k = 0; k < r->n; k++)
		json_decref(r->gj[k]);
	free(r->gj);
	free(r->order);
}

/* The lines, the minor classes first so the major ones are drawn over them. */
static void draw_road_lines(struct html_page *pg, const struct proj *p, const struct view *v,
			    const struct road_layer *r)
{
	html_rawf(pg, "<g class=\"roads\" fill=\"none\" stroke-linecap=\"round\" "
		      "stroke-linejoin=\"round\">");
	for (size_t k = r->n; k-- > 0;) {
		const struct works_shape *s = &v->shapes[r->order[k]];
		int c = class_rank(s->kind);
		if (!r->gj[k])
			continue;
		html_rawf(pg, "<path stroke=\"%s\" stroke-width=\"%.1f\" d=\"",
			  c < 2 ? "#b9a27a" : "#a8a8a8", classes[c].width);
		path_of(pg, p, r->gj[k]);
		html_rawf(pg, "\"><title>");
		html_text(pg, name_in(pg, s->name_zh, s->name_en, s->code));
		html_rawf(pg, " · ");
		html_text(pg, s->code);
		html_rawf(pg, " · %s</title></path>", L(classes[c].zh, classes[c].en));
	}
	html_rawf(pg, "</g>");
}

/*
 * The names, along their roads, the major classes first: each at the first of a few points
 * along the road where it meets no name or works marker placed before; else left out (the
 * road's <title> still names it).
 */
static void draw_road_labels(struct html_page *pg, const struct proj *p, const struct view *v,
			     const struct road_layer *r, struct labels *ls)
{
	static const double fracs[] = {0.5, 0.3, 0.7, 0.15, 0.85};
	html_rawf(pg, "<g class=\"road-names\" font-size=\"11\" fill=\"#333\" "
		      "stroke=\"#fff\" stroke-width=\"5\" stroke-linejoin=\"round\" "
		      "paint-order=\"stroke\" text-anchor=\"middle\">");
	for (size_t k = 0; k < r->n; k++) {
		const struct works_shape *s = &v->shapes[r->order[k]];
		if (!r->gj[k])
			continue;
		const char *name = name_in(pg, s->name_zh, s->name_en, s->code);
		for (size_t f = 0; f < sizeof(fracs) / sizeof(fracs[0]); f++) {
			double x, y;
			double a =
			    line_at(p, json_object_get(r->gj[k], "coordinates"), fracs[f], &x, &y);
			/* the rotated label's box: half its length along the line, either way */
			double hw = text_w(name, 11) / 2 + 2, hh = 7, rad = a * M_PI / 180;
			/* Chinese along a steep road reads top to bottom, characters upright */
			bool upright = fabs(a) > 60 && has_cjk(name);
			double ex = upright ? hh : fabs(hw * cos(rad)) + fabs(hh * sin(rad));
			double ey = upright ? hw : fabs(hw * sin(rad)) + fabs(hh * cos(rad));
			if (!label_place(ls, p, (struct rect){x - ex, y - ey, x + ex, y + ey}))
				continue;
			if (upright)
				html_rawf(pg, "<text x=\"%.1f\" y=\"%.1f\" writing-mode=\"tb\">", x,
					  y);
			else
				html_rawf(pg,
					  "<text x=\"%.1f\" y=\"%.1f\" dy=\"4\" "
					  "transform=\"rotate(%.1f %.1f %.1f)\">",
					  x, y, a, x, y);
			html_text(pg, name);
			html_rawf(pg, "</text>");
			break;
		}
	}
	html_rawf(pg, "</g>");
}

/* A works item's road as people read it: its name from the register, else its id. */
static const char *road_of(const struct html_page *pg, const struct works_item *w)
{
	return name_in(pg, w->road_zh, w->road_en, *w->road_id ? w->road_id : "–");
}

/* The works, each with a marker whose place no road name may take. */
static void draw_works(struct html_page *pg, const struct proj *p, const struct view *v,
		       struct labels *ls)
{
	html_rawf(pg, "<g class=\"works\" stroke-linecap=\"round\" stroke-linejoin=\"round\">");
	for (size_t i = 0; i < v->n; i++) {
		const struct works_item *w = &v->items[i];
		struct geo *g = geo_from_wkt(w->wkt);
		if (!g)
			continue;
		const struct state_style *st = style_of(w->permit_state);
		json_t *gj = geo_geojson(g);
		double lng, lat, x, y;
		geo_anchor(g, &lng, &lat);
		project(p, lng, lat, &x, &y);
		label_place(ls, p, (struct rect){x - 7, y - 7, x + 7, y + 7});
		bool polygon = geo_kind_of(g) == GEO_POLYGON;
		geo_free(g);
		char from[11], to[11];
		html_rawf(pg, "<g class=\"work state-%s\"><title>", st->state);
		html_text(pg,
			  w->permit_reference ? w->permit_reference : L("（未编号）", "(no ref)"));
		html_rawf(pg, " · ");
		html_text(pg, road_of(pg, w));
		html_rawf(pg, " · %s – %s · %s</title><path d=\"", cal_day_format(w->start, from),
			  cal_day_format(w->end, to), L(st->zh, st->en));
		path_of(pg, p, gj);
		if (polygon)
			html_rawf(pg,
				  "\" fill=\"%s\" fill-opacity=\"0.45\" stroke=\"%s\" "
				  "stroke-width=\"1.5\"/>",
				  st->colour, st->colour);
		else
			html_rawf(pg, "\" fill=\"none\" stroke=\"%s\" stroke-width=\"4\"/>",
				  st->colour);
		/* a marker, so a trench of a few metres shows on the whole city's map too */
		html_rawf(pg,
			  "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\" stroke=\"#fff\" "
			  "stroke-width=\"1.5\"/></g>",
			  x, y, st->colour);
		json_decref(gj);
	}
	html_rawf(pg, "</g>");
}

/* The legend, in a band under the map: the states' colours, then the road classes. */
static void draw_legend(struct html_page *pg, const struct proj *p)
{
	double y = p->h + 20, x = 8;
	html_rawf(pg,
		  "<g class=\"legend\" font-size=\"12\" fill=\"#1a1a1a\">"
		  "<rect x=\"0\" y=\"%.0f\" width=\"%.0f\" height=\"%d\" fill=\"#fff\"/>",
		  p->h, p->w, LEGEND_H);
	for (size_t i = 0; i < LEGEND_STATES; i++) {
		const char *label = L(styles[i].zh, styles[i].en);
		html_rawf(pg,
			  "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"/>"
			  "<text x=\"%.1f\" y=\"%.1f\">",
			  x + 5, y - 4, styles[i].colour, x + 14, y);
		html_text(pg, label);
		html_rawf(pg, "</text>");
		x += 14 + text_w(label, 12) + 18;
	}
	y += 24, x = 8;
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		const char *label = L(classes[i].zh, classes[i].en);
		html_rawf(pg,
			  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
			  "stroke-width=\"%.1f\" stroke-linecap=\"round\"/><text x=\"%.1f\" "
			  "y=\"%.1f\">",
			  x, y - 4, x + 24, y - 4, i < 2 ? "#b9a27a" : "#a8a8a8", classes[i].width,
			  x + 32, y);
		html_text(pg, label);
		html_rawf(pg, "</text>");
		x += 32 + text_w(label, 12) + 18;
	}
	const char *d = L("区县界线", "District boundary");
	html_rawf(pg,
		  "<rect x=\"%.1f\" y=\"%.1f\" width=\"22\" height=\"12\" fill=\"#f3efe4\" "
		  "stroke=\"#8a8170\" stroke-width=\"0.8\"/><text x=\"%.1f\" y=\"%.1f\">",
		  x, y - 11, x + 30, y);
	html_text(pg, d);
	html_rawf(pg, "</text></g>");
}

static void map_svg(struct html_page *pg, const struct view *v, const char *title)
{
	struct proj p;
	proj_init(&p, view_box(v));
	struct labels ls = {0};
	html_rawf(pg,
		  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		  "viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"",
		  p.w, p.h + LEGEND_H, p.w, p.h + LEGEND_H);
	html_text(pg, title);
	html_rawf(pg, "\" font-family=\"system-ui,'Noto Sans CJK SC',sans-serif\"><title>");
	html_text(pg, title);
	html_rawf(pg, "</title><rect width=\"%.0f\" height=\"%.0f\" fill=\"#dfe9ef\"/>", p.w, p.h);
	struct road_layer roads;
	roads_load(&roads, v);
	draw_districts(pg, &p, v, &ls);
	draw_road_lines(pg, &p, v, &roads);
	draw_works(pg, &p, v, &ls);
	draw_road_labels(pg, &p, v, &roads, &ls);
	roads_release(&roads);
	draw_legend(pg, &p);
	html_rawf(pg, "</svg>");
	free(ls.r);
}

static void works_table(struct html_page *pg, const struct view *v)
{
	if (!v->n) {
		html_rawf(pg, "<p>%s</p>",
			  L("目前没有进行中或计划中的施工。", "No works under way or planned."));
		return;
	}
	html_rawf(pg,
		  "<table><caption>%s</caption><tr><th>%s</th><th>%s</th><th>%s</th>"
		  "<th>%s</th><th>%s</th></tr>",
		  L("图中所示施工", "Works shown on the map"), L("许可编号", "Permit"),
		  L("道路", "Road"), L("管线类别", "Utility"), L("工期", "Work window"),
		  L("许可状态", "Permit state"));
	for (size_t i = 0; i < v->n; i++) {
		const struct works_item *w = &v->items[i];
		const struct state_style *st = style_of(w->permit_state);
		char from[11], to[11];
		html_rawf(pg, "<tr><td class=\"code\">");
		html_text(pg, w->permit_reference ? w->permit_reference : "–");
		html_rawf(pg, "</td><td>");
		html_text(pg, road_of(pg, w));
		if (*w->road_id) {
			html_rawf(pg, " <small>(");
			html_text(pg, w->road_id);
			html_rawf(pg, ")</small>");
		}
		html_rawf(pg, "</td><td>");
		html_text(pg, html_kind_name(w->utility_kind, pg->lang));
		html_rawf(
		    pg,
		    "</td><td class=\"num\">%s – %s</td><td><span style=\"color:%s\">●</span> %s"
		    "</td></tr>",
		    cal_day_format(w->start, from), cal_day_format(w->end, to), st->colour,
		    L(st->zh, st->en));
	}
	html_rawf(pg, "</table>");
	if (v->more)
		html_rawf(pg, "<p class=\"meta\">%s</p>",
			  L("仅显示前 1000 项；全部数据见开放数据接口。",
			    "Only the first 1000 are shown; the open data has them all."));
}

/* Links to the whole city and to each district's view, in the page's language. */
static void district_links(struct html_page *pg, const struct view *v, const char *lang)
{
	html_rawf(pg, "<p class=\"districts\">");
	if (v->district_code)
		html_rawf(pg, "<a href=\"/works?lang=%s\">%s</a>", lang, L("全市", "Whole city"));
	else
		html_rawf(pg, "<strong>%s</strong>", L("全市", "Whole city"));
	for (size_t i = 0; i < v->nshapes; i++) {
		const struct works_shape *s = &v->shapes[i];
		if (s->road)
			continue;
		char *code = html_escape(s->code);
		bool on = v->district_code && !strcmp(s->code, v->district_code);
		if (on)
			html_rawf(pg, " · <strong>");
		else
			html_rawf(pg, " · <a href=\"/works?district=%s&amp;lang=%s\">", code, lang);
		html_text(pg, name_in(pg, s->name_zh, s->name_en, s->code));
		html_rawf(pg, on ? "</strong>" : "</a>");
		free(code);
	}
	html_rawf(pg, "</p>");
}

static char *render(const struct view *v, enum snapshot_lang lang, size_t *len)
{
	struct html_page page = {.lang = lang};
	struct html_page *pg = &page;
	const char *l = lang == SNAP_EN ? "en" : "zh";
	const struct works_shape *d = NULL;
	for (size_t i = 0; v->district_code && i < v->nshapes && !d; i++)
		if (!v->shapes[i].road && !strcmp(v->shapes[i].code, v->district_code))
			d = &v->shapes[i];
	html_page_begin(pg, "works");
	char title[256];
	snprintf(title, sizeof(title), "%s%s%s", L("施工地图", "Works map"), d ? " · " : "",
		 d ? name_in(pg, d->name_zh, d->name_en, d->code) : "");
	html_rawf(pg, "<h2>");
	html_text(pg, title);
	char *code = d ? html_escape(d->code) : NULL;
	html_rawf(pg, " <small><a href=\"/works?%s%s%slang=%s\">%s</a></small></h2>",
		  d ? "district=" : "", d ? code : "", d ? "&amp;" : "",
		  lang == SNAP_EN ? "zh" : "en", lang == SNAP_EN ? "中文" : "English");
	free(code);
	html_rawf(
	    pg, "<p class=\"meta\">%s</p>",
	    L("道路挖掘施工：工期未结束、许可未关闭的施工，按许可状态着色；道路取自现行道路名录。"
	      "区县界线和道路中心线为示意，不作为测绘成果。",
	      "Road works whose window has not ended and whose permit is not closed, "
	      "coloured by permit state; roads from the road register in force. District "
	      "boundaries and road centrelines are approximate, not survey data."));
	district_links(pg, v, l);
	map_svg(pg, v, title);
	works_table(pg, v);
	const struct html_link data[] = {
	    {"/v1/public/works.geojson", "GeoJSON"},
	};
	return html_page_end(pg, L("开放数据", "Open data"), data, 1, len);
}

static int works_page(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	struct view v = {.today = tracks_today()};
	const char *d = http_query(req, "district");
	if (d && *d && !code_ok(d))
		return http_fail(res, ERR_NOT_FOUND, "no such district");
	v.district_code = d && *d ? d : NULL;
	int rc = store_read_tx(req->app->pool, map_tx, &v, &err);
	if (!rc && v.unknown_district)
		rc = error_set(&err, ERR_NOT_FOUND, "no such district");
	if (rc) {
		http_reply_error(res, &err);
	} else {
		enum snapshot_lang lang = public_lang(req);
		size_t len = 0;
		char *body = render(&v, lang, &len);
		http_reply_text(res, 200, "text/html; charset=utf-8", body, len);
		free(body);
		http_add_header(res, "Cache-Control", "public, max-age=60");
		http_add_header(res, "Vary", "Accept-Language");
		http_add_header(res, "Content-Language", lang == SNAP_EN ? "en" : "zh-CN");
		http_add_header(res, "Content-Security-Policy", HTML_CSP);
		http_add_header(res, "Referrer-Policy", "no-referrer");
	}
	store_works_shapes_free(v.shapes, v.nshapes);
	store_works_free(v.items, v.n);
	error_release(&err);
	return rc;
}

const struct route works_routes[] = {
    {"GET", "/v1/public/works.geojson", works_geojson, ROUTE_PUBLIC, 0, RUNS_ON_WORK},
    {"GET", "/works", works_page, ROUTE_PUBLIC, 0, RUNS_ON_WORK},
    {0},
};
