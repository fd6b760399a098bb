/*
 * Geometry of place: GeoJSON and WKT in and out, validity, buffers, intersections and metric
 * measures, on GEOS (reentrant API) and PROJ, with one GEOS and one PROJ context per thread.
 */
#include "workflows/geo.h"

#include <geos_c.h>
#include <math.h>
#include <proj.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

struct geo {
	enum geo_kind kind;
	GEOSGeometry *ll; /* lon/lat, CGCS2000 (EPSG:4490) */
	GEOSGeometry *xy; /* easting/northing in metres, EPSG:4549 */
};

/* One thread's libraries. */
struct ctx {
	GEOSContextHandle_t gh;
	GEOSWKTReader *reader;
	GEOSWKTWriter *writer;
	PJ_CONTEXT *pc;
	PJ *pj;		/* EPSG:4490 -> EPSG:4549, lon/lat in, easting/northing out */
	char last[256]; /* GEOS's last error or notice, for messages */
};

/*
 * EPSG:4549 spelt out, used only when PROJ's database cannot be read: the CGCS2000 ellipsoid
 * differs from GRS80 by 1e-4 mm in the semi-minor axis.
 */
static const char tm120[] = "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
			    "+step +proj=tmerc +lat_0=0 +lon_0=120 +k=1 +x_0=500000 +y_0=0 "
			    "+ellps=GRS80";

/*
 * The operation EPSG:4490 -> EPSG:4549 as PROJ's database gives it, found once: asking the
 * database takes 30 ms, making the operation from its text in a new thread's context 0.4 ms.
 */
static char operation[512];
static pthread_once_t operation_once = PTHREAD_ONCE_INIT;

static void operation_find(void)
{
	PJ_CONTEXT *pc = proj_context_create();
	proj_log_level(pc, PJ_LOG_NONE);
	PJ *t = proj_create_crs_to_crs(pc, "EPSG:4490", "EPSG:4549", NULL);
	PJ *n = t ? proj_normalize_for_visualization(pc, t) : NULL;
	const char *text = n ? proj_as_proj_string(pc, n, PJ_PROJ_5, NULL) : NULL;
	snprintf(operation, sizeof(operation), "%s",
		 text && strlen(text) < sizeof(operation) ? text : tm120);
	proj_destroy(n);
	proj_destroy(t);
	proj_context_destroy(pc);
}

static _Thread_local struct ctx *tls;
static pthread_key_t key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void ctx_free(void *p)
{
	struct ctx *c = p;
	if (!c)
		return;
	GEOSWKTReader_destroy_r(c->gh, c->reader);
	GEOSWKTWriter_destroy_r(c->gh, c->writer);
	GEOS_finish_r(c->gh);
	proj_destroy(c->pj);
	proj_context_destroy(c->pc);
	free(c);
	if (tls == c)
		tls = NULL;
}

static void key_make(void)
{
	if (pthread_key_create(&key, ctx_free) != 0)
		abort();
}

/* GEOS would print to stderr; keep the text for the caller's message instead. */
static void geos_message(const char *message, void *userdata)
{
	struct ctx *c = userdata;
	snprintf(c->last, sizeof(c->last), "%s", message);
}

static struct ctx *ctx(void)
{
	if (tls)
		return tls;
	pthread_once(&key_once, key_make);
	struct ctx *c = xcalloc(1, sizeof(*c));
	c->gh = GEOS_init_r();
	if (!c->gh) {
		fprintf(stderr, "geo: GEOS cannot start\n");
		abort();
	}
	GEOSContext_setNoticeMessageHandler_r(c->gh, geos_message, c);
	GEOSContext_setErrorMessageHandler_r(c->gh, geos_message, c);
	c->reader = GEOSWKTReader_create_r(c->gh);
	c->writer = GEOSWKTWriter_create_r(c->gh);
	GEOSWKTWriter_setRoundingPrecision_r(c->gh, c->writer, 7);
	GEOSWKTWriter_setTrim_r(c->gh, c->writer, 1);
	GEOSWKTWriter_setOutputDimension_r(c->gh, c->writer, 2);
	pthread_once(&operation_once, operation_find);
	c->pc = proj_context_create();
	proj_log_level(c->pc, PJ_LOG_NONE);
	c->pj = proj_create(c->pc, operation);
	if (!c->reader || !c->writer || !c->pj) {
		fprintf(stderr, "geo: cannot set up GEOS or PROJ (EPSG:4490 to EPSG:4549)\n");
		abort();
	}
	tls = c;
	pthread_setspecific(key, c);
	return c;
}

void geo_thread_end(void)
{
	if (!tls)
		return;
	pthread_setspecific(key, NULL);
	ctx_free(tls);
}

/* --- projection ---------------------------------------------------------------------------- */

static int project_xy(double *x, double *y, void *userdata)
{
	PJ_DIRECTION *dir = userdata;
	PJ_COORD c = proj_coord(*x, *y, 0, 0);
	c = proj_trans(ctx()->pj, *dir, c);
	if (!isfinite(c.xy.x) || !isfinite(c.xy.y))
		return 0;
	*x = c.xy.x;
	*y = c.xy.y;
	return 1;
}

/* A new geometry: g projected forward (lon/lat to metres) or back. NULL when PROJ fails. */
static GEOSGeometry *project(const GEOSGeometry *g, PJ_DIRECTION dir)
{
	return GEOSGeom_transformXY_r(ctx()->gh, g, project_xy, &dir);
}

static void point_back(double x, double y, double *lng, double *lat)
{
	PJ_COORD c = proj_trans(ctx()->pj, PJ_INV, proj_coord(x, y, 0, 0));
	*lng = c.lp.lam;
	*lat = c.lp.phi;
}

/* --- making a struct geo ------------------------------------------------------------------- */

/* A clone of ring, reversed when its orientation is not the wanted one. NULL on failure. */
static GEOSGeometry *ring_oriented(const GEOSGeometry *ring, bool ccw)
{
	GEOSContextHandle_t h = ctx()->gh;
	const GEOSCoordSequence *s = GEOSGeom_getCoordSeq_r(h, ring);
	char is_ccw = 0;
	if (!s || !GEOSCoordSeq_isCCW_r(h, s, &is_ccw))
		return NULL;
	return (bool)is_ccw == ccw ? GEOSGeom_clone_r(h, ring) : GEOSReverse_r(h, ring);
}

/* RFC 7946 orientation (exterior counter-clockwise, holes clockwise) of a polygon. */
static GEOSGeometry *polygon_oriented(const GEOSGeometry *g)
{
	GEOSContextHandle_t h = ctx()->gh;
	int nholes = GEOSGetNumInteriorRings_r(h, g);
	if (nholes < 0)
		return NULL;
	GEOSGeometry *shell = ring_oriented(GEOSGetExteriorRing_r(h, g), true);
	GEOSGeometry **holes = xcalloc((size_t)nholes + 1, sizeof(*holes));
	bool ok = shell != NULL;
	for (int i = 0; ok && i < nholes; i++) {
		holes[i] = ring_oriented(GEOSGetInteriorRingN_r(h, g, i), false);
		ok = holes[i] != NULL;
	}
	GEOSGeometry *out = NULL;
	if (ok) {
		out = GEOSGeom_createPolygon_r(h, shell, holes, (unsigned)nholes);
	} else {
		GEOSGeom_destroy_r(h, shell);
		for (int i = 0; i < nholes; i++)
			GEOSGeom_destroy_r(h, holes[i]);
	}
	free(holes);
	return out;
}

static enum geo_kind kind_of_geos(const GEOSGeometry *g)
{
	switch (GEOSGeomTypeId_r(ctx()->gh, g)) {
	case GEOS_POINT:
		return GEO_POINT;
	case GEOS_LINESTRING:
		return GEO_LINESTRING;
	case GEOS_POLYGON:
		return GEO_POLYGON;
	default:
		return 0;
	}
}

/*
 * A struct geo from a lon/lat geometry (taken over, destroyed on failure): polygons oriented,
 * the projected copy made. NULL when the kind is not ours, it is empty or PROJ cannot place it.
 */
static struct geo *geo_make(GEOSGeometry *ll)
{
	GEOSContextHandle_t h = ctx()->gh;
	if (!ll)
		return NULL;
	enum geo_kind kind = kind_of_geos(ll);
	if (!kind || GEOSisEmpty_r(h, ll) != 0) {
		GEOSGeom_destroy_r(h, ll);
		return NULL;
	}
	if (kind == GEO_POLYGON) {
		GEOSGeometry *o = polygon_oriented(ll);
		GEOSGeom_destroy_r(h, ll);
		if (!o)
			return NULL;
		ll = o;
	}
	GEOSGeometry *xy = project(ll, PJ_FWD);
	if (!xy) {
		GEOSGeom_destroy_r(h, ll);
		return NULL;
	}
	struct geo *g = xmalloc(sizeof(*g));
	g->kind = kind;
	g->ll = ll;
	g->xy = xy;
	return g;
}

/* The same from a projected geometry (taken over): projected back, then as geo_make. */
static struct geo *geo_make_xy(GEOSGeometry *xy)
{
	if (!xy)
		return NULL;
	GEOSGeometry *ll = project(xy, PJ_INV);
	GEOSGeom_destroy_r(ctx()->gh, xy);
	return geo_make(ll);
}

struct geo *geo_clone(const struct geo *g)
{
	GEOSContextHandle_t h = ctx()->gh;
	struct geo *c = xmalloc(sizeof(*c));
	c->kind = g->kind;
	c->ll = GEOSGeom_clone_r(h, g->ll);
	c->xy = GEOSGeom_clone_r(h, g->xy);
	if (!c->ll || !c->xy) {
		fprintf(stderr, "geo: GEOS cannot copy a geometry: %s\n", ctx()->last);
		abort();
	}
	return c;
}

void geo_free(struct geo *g)
{
	if (!g)
		return;
	GEOSContextHandle_t h = ctx()->gh;
	GEOSGeom_destroy_r(h, g->ll);
	GEOSGeom_destroy_r(h, g->xy);
	free(g);
}

enum geo_kind geo_kind_of(const struct geo *g)
{
	return g->kind;
}

const char *geo_kind_name(enum geo_kind kind)
{
	switch (kind) {
	case GEO_POINT:
		return "Point";
	case GEO_LINESTRING:
		return "LineString";
	case GEO_POLYGON:
		return "Polygon";
	}
	return "Geometry";
}

/* True when every coordinate of g is a longitude and a latitude. */
static bool in_range(const GEOSGeometry *g)
{
	GEOSContextHandle_t h = ctx()->gh;
	double x0, y0, x1, y1;
	if (!GEOSGeom_getXMin_r(h, g, &x0) || !GEOSGeom_getYMin_r(h, g, &y0) ||
	    !GEOSGeom_getXMax_r(h, g, &x1) || !GEOSGeom_getYMax_r(h, g, &y1))
		return false;
	return x0 >= -180 && x1 <= 180 && y0 >= -90 && y1 <= 90;
}

struct geo *geo_from_wkt(const char *wkt)
{
	struct ctx *c = ctx();
	if (!wkt)
		return NULL;
	GEOSGeometry *g = GEOSWKTReader_read_r(c->gh, c->reader, wkt);
	if (g && (GEOSisEmpty_r(c->gh, g) != 0 || !in_range(g))) {
		GEOSGeom_destroy_r(c->gh, g);
		return NULL;
	}
	return geo_make(g);
}

/* --- GCJ-02 -------------------------------------------------------------------------------- */

/*
 * The published GCJ-02 offset: on the Krasovsky ellipsoid, a polynomial and sine series in the
 * distance from (105E, 35N) gives the shift in metres, turned into degrees at the latitude.
 */
static const double kras_a = 6378245.0;
static const double kras_ee = 0.00669342162296594323;

static bool in_china(double lng, double lat)
{
	return lng >= 72.004 && lng <= 137.8347 && lat >= 0.8293 && lat <= 55.8271;
}

static double shift_lat(double x, double y)
{
	double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(fabs(x));
	r += (20.0 * sin(6.0 * x * M_PI) + 20.0 * sin(2.0 * x * M_PI)) * 2.0 / 3.0;
	r += (20.0 * sin(y * M_PI) + 40.0 * sin(y / 3.0 * M_PI)) * 2.0 / 3.0;
	r += (160.0 * sin(y / 12.0 * M_PI) + 320.0 * sin(y * M_PI / 30.0)) * 2.0 / 3.0;
	return r;
}

static double shift_lng(double x, double y)
{
	double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(fabs(x));
	r += (20.0 * sin(6.0 * x * M_PI) + 20.0 * sin(2.0 * x * M_PI)) * 2.0 / 3.0;
	r += (20.0 * sin(x * M_PI) + 40.0 * sin(x / 3.0 * M_PI)) * 2.0 / 3.0;
	r += (150.0 * sin(x / 12.0 * M_PI) + 300.0 * sin(x / 30.0 * M_PI)) * 2.0 / 3.0;
	return r;
}

static void offset(double lng, double lat, double *dlng, double *dlat)
{
	double dy = shift_lat(lng - 105.0, lat - 35.0);
	double dx = shift_lng(lng - 105.0, lat - 35.0);
	double rad = lat / 180.0 * M_PI;
	double m = 1.0 - kras_ee * sin(rad) * sin(rad);
	double sm = sqrt(m);
	*dlat = dy * 180.0 / ((kras_a * (1.0 - kras_ee)) / (m * sm) * M_PI);
	*dlng = dx * 180.0 / (kras_a / sm * cos(rad) * M_PI);
}

void geo_wgs84_to_gcj02(double lng, double lat, double *out_lng, double *out_lat)
{
	double dlng = 0, dlat = 0;
	if (in_china(lng, lat))
		offset(lng, lat, &dlng, &dlat);
	*out_lng = lng + dlng;
	*out_lat = lat + dlat;
}

/*
 * The inverse has no closed form. The offset changes by under 1e-5 of a degree per degree, so
 * the fixed point w = g - offset(w) converges by about five digits a step; stop under 1e-9
 * degree (0.1 mm) or after 20 steps.
 */
void geo_gcj02_to_wgs84(double lng, double lat, double *out_lng, double *out_lat)
{
	double wl = lng, wp = lat;
	if (in_china(lng, lat)) {
		for (int i = 0; i < 20; i++) {
			double gl, gp;
			geo_wgs84_to_gcj02(wl, wp, &gl, &gp);
			double el = lng - gl, ep = lat - gp;
			wl += el;
			wp += ep;
			if (fabs(el) < 1e-9 && fabs(ep) < 1e-9)
				break;
		}
	}
	*out_lng = wl;
	*out_lat = wp;
}

/* --- crs and GeoJSON in -------------------------------------------------------------------- */

int geo_crs_parse(const json_t *value, const char *field, enum geo_crs *out, struct error *err)
{
	static const char *const cgcs[] = {"CGCS2000", "EPSG:4490", "WGS84", "EPSG:4326"};
	*out = GEO_CRS_CGCS2000;
	if (!value || json_is_null(value))
		return 0;
	const char *s = json_string_value(value);
	if (s) {
		for (size_t i = 0; i < sizeof(cgcs) / sizeof(cgcs[0]); i++)
			if (strcmp(s, cgcs[i]) == 0)
				return 0;
		if (strcmp(s, "GCJ-02") == 0) {
			*out = GEO_CRS_GCJ02;
			return 0;
		}
	}
	error_add(err, field, s ? "not_allowed" : "wrong_type",
		  "%s must be one of: CGCS2000, EPSG:4490, WGS84, EPSG:4326, GCJ-02", field);
	if (err) {
		err->code = ERR_INVALID;
		if (!err->message[0])
			snprintf(err->message, sizeof(err->message), "%s is not a known crs",
				 field);
	}
	return ERR_INVALID;
}

/* What one geo_parse call has found so far. */
struct parse {
	struct error *err;
	const char *field;
	enum geo_crs crs;
	size_t problems;
};

/* Adds a detail at the parse's field followed by the suffix (printf, e.g. ".coordinates[%zu]"). */
static void problem(struct parse *p, const char *code, const char *suffix, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void problem(struct parse *p, const char *code, const char *suffix, const char *fmt, ...)
{
	char text[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	char *f = xasprintf("%s%s", p->field, suffix);
	error_add(p->err, f, code, "%s", text);
	free(f);
	p->problems++;
}

/*
 * Reads one position [lng, lat] (a third number, the altitude, is allowed and ignored) into
 * the coordinate sequence at i, converted to CGCS2000. False after adding a detail.
 */
static bool position(struct parse *p, const json_t *v, const char *where, GEOSCoordSequence *seq,
		     unsigned i)
{
	size_t n = json_array_size(v);
	if (!json_is_array(v) || n < 2 || n > 3 || !json_is_number(json_array_get(v, 0)) ||
	    !json_is_number(json_array_get(v, 1)) ||
	    (n == 3 && !json_is_number(json_array_get(v, 2)))) {
		problem(p, "wrong_type", where, "a position is [longitude, latitude] in numbers");
		return false;
	}
	double lng = json_number_value(json_array_get(v, 0));
	double lat = json_number_value(json_array_get(v, 1));
	bool lng_ok = lng >= -180 && lng <= 180, lat_ok = lat >= -90 && lat <= 90;
	if (!lng_ok || !lat_ok) {
		if (!lng_ok && !lat_ok)
			problem(p, "out_of_range", where,
				"longitude %g is outside -180..180 and latitude %g outside -90..90",
				lng, lat);
		else if (!lng_ok)
			problem(p, "out_of_range", where, "longitude %g is outside -180..180", lng);
		else
			problem(p, "out_of_range", where, "latitude %g is outside -90..90", lat);
		return false;
	}
	if (p->crs == GEO_CRS_GCJ02)
		geo_gcj02_to_wgs84(lng, lat, &lng, &lat);
	GEOSCoordSeq_setXY_r(ctx()->gh, seq, i, lng, lat);
	return true;
}

/*
 * The positions of a list (a line's, or a ring's) into a new coordinate sequence; `where` is the
 * list's field suffix. NULL after adding details.
 */
static GEOSCoordSequence *positions(struct parse *p, const json_t *list, const char *where)
{
	GEOSContextHandle_t h = ctx()->gh;
	if (!json_is_array(list)) {
		problem(p, "wrong_type", where,
			"expected a list of positions [longitude, latitude]");
		return NULL;
	}
	size_t n = json_array_size(list);
	if (n == 0) {
		problem(p, "empty", where, "the list of positions is empty");
		return NULL;
	}
	if (n > 100000) {
		problem(p, "too_many_points", where, "at most 100000 positions");
		return NULL;
	}
	GEOSCoordSequence *seq = GEOSCoordSeq_create_r(h, (unsigned)n, 2);
	bool ok = seq != NULL;
	for (size_t i = 0; seq && i < n; i++) {
		char *w = xasprintf("%s[%zu]", where, i);
		ok &= position(p, json_array_get(list, i), w, seq, (unsigned)i);
		free(w);
	}
	if (!ok) {
		GEOSCoordSeq_destroy_r(h, seq);
		return NULL;
	}
	return seq;
}

/* How many distinct positions the sequence has, counting up to `enough`. */
static size_t distinct(const GEOSCoordSequence *seq, size_t enough)
{
	GEOSContextHandle_t h = ctx()->gh;
	unsigned n = 0;
	GEOSCoordSeq_getSize_r(h, seq, &n);
	size_t found = 0;
	for (unsigned i = 0; i < n && found < enough; i++) {
		double x, y;
		GEOSCoordSeq_getXY_r(h, seq, i, &x, &y);
		bool seen = false;
		for (unsigned j = 0; j < i && !seen; j++) {
			double a, b;
			GEOSCoordSeq_getXY_r(h, seq, j, &a, &b);
			seen = a == x && b == y;
		}
		found += !seen;
	}
	return found;
}

/* A location in the coordinates the request used, for messages. */
static void as_given(struct parse *p, double *lng, double *lat)
{
	if (p->crs == GEO_CRS_GCJ02)
		geo_wgs84_to_gcj02(*lng, *lat, lng, lat);
}

/*
 * Where a line meets itself, found by GEOS's noding: the pieces of the noded line meet in twos
 * along the line, so a point that ends three or more pieces is a crossing or a touch. False when
 * none is found.
 */
static bool line_crossing(const GEOSGeometry *line, double *lng, double *lat)
{
	GEOSContextHandle_t h = ctx()->gh;
	GEOSGeometry *noded = GEOSNode_r(h, line);
	if (!noded)
		return false;
	int n = GEOSGetNumGeometries_r(h, noded);
	double *ends = xcalloc((size_t)(n > 0 ? n : 1) * 4, sizeof(*ends));
	size_t nends = 0;
	for (int i = 0; i < n; i++) {
		const GEOSCoordSequence *s =
		    GEOSGeom_getCoordSeq_r(h, GEOSGetGeometryN_r(h, noded, i));
		unsigned size = 0;
		if (!s || !GEOSCoordSeq_getSize_r(h, s, &size) || size < 2)
			continue;
		GEOSCoordSeq_getXY_r(h, s, 0, &ends[nends * 2], &ends[nends * 2 + 1]);
		nends++;
		GEOSCoordSeq_getXY_r(h, s, size - 1, &ends[nends * 2], &ends[nends * 2 + 1]);
		nends++;
	}
	bool found = false;
	for (size_t i = 0; i < nends && !found; i++) {
		int count = 0;
		for (size_t j = 0; j < nends; j++)
			count += ends[j * 2] == ends[i * 2] && ends[j * 2 + 1] == ends[i * 2 + 1];
		if (count >= 3) {
			*lng = ends[i * 2];
			*lat = ends[i * 2 + 1];
			found = true;
		}
	}
	free(ends);
	GEOSGeom_destroy_r(h, noded);
	return found;
}

static GEOSGeometry *parse_point(struct parse *p, const json_t *coords)
{
	GEOSContextHandle_t h = ctx()->gh;
	if (json_is_array(coords) && json_array_size(coords) == 0) {
		problem(p, "empty", ".coordinates", "the point has no position");
		return NULL;
	}
	GEOSCoordSequence *seq = GEOSCoordSeq_create_r(h, 1, 2);
	if (!seq || !position(p, coords, ".coordinates", seq, 0)) {
		GEOSCoordSeq_destroy_r(h, seq);
		return NULL;
	}
	return GEOSGeom_createPoint_r(h, seq);
}

static GEOSGeometry *parse_line(struct parse *p, const json_t *coords)
{
	GEOSContextHandle_t h = ctx()->gh;
	GEOSCoordSequence *seq = positions(p, coords, ".coordinates");
	if (!seq)
		return NULL;
	if (distinct(seq, 2) < 2) {
		problem(p, "too_few_points", ".coordinates",
			"a line needs at least two distinct positions");
		GEOSCoordSeq_destroy_r(h, seq);
		return NULL;
	}
	GEOSGeometry *g = GEOSGeom_createLineString_r(h, seq);
	if (g && GEOSisSimple_r(h, g) == 0) {
		double lng, lat;
		if (line_crossing(g, &lng, &lat)) {
			as_given(p, &lng, &lat);
			problem(p, "self_intersecting", ".coordinates",
				"the line crosses or touches itself at %.7f, %.7f", lng, lat);
		} else {
			problem(p, "self_intersecting", ".coordinates",
				"the line crosses or touches itself");
		}
		GEOSGeom_destroy_r(h, g);
		return NULL;
	}
	return g;
}

/* One ring of a polygon, checked for closure and size; NULL after adding details. */
static GEOSGeometry *parse_ring(struct parse *p, const json_t *ring, size_t r)
{
	GEOSContextHandle_t h = ctx()->gh;
	char where[48];
	snprintf(where, sizeof(where), ".coordinates[%zu]", r);
	GEOSCoordSequence *seq = positions(p, ring, where);
	if (!seq)
		return NULL;
	unsigned n = 0;
	GEOSCoordSeq_getSize_r(h, seq, &n);
	double x0, y0, x1, y1;
	GEOSCoordSeq_getXY_r(h, seq, 0, &x0, &y0);
	GEOSCoordSeq_getXY_r(h, seq, n - 1, &x1, &y1);
	bool ok = true;
	if (n < 4 || distinct(seq, 3) < 3) {
		problem(p, "too_few_points", where,
			"a ring needs at least four positions, three of them distinct, the last "
			"repeating the first");
		ok = false;
	}
	if (x0 != x1 || y0 != y1) {
		problem(p, "not_closed", where, "a ring's last position must repeat its first");
		ok = false;
	}
	if (!ok) {
		GEOSCoordSeq_destroy_r(h, seq);
		return NULL;
	}
	return GEOSGeom_createLinearRing_r(h, seq);
}

static GEOSGeometry *parse_polygon(struct parse *p, const json_t *coords)
{
	GEOSContextHandle_t h = ctx()->gh;
	if (!json_is_array(coords)) {
		problem(p, "wrong_type", ".coordinates",
			"a polygon's coordinates are a list of rings");
		return NULL;
	}
	size_t n = json_array_size(coords);
	if (n == 0) {
		problem(p, "empty", ".coordinates", "the polygon has no ring");
		return NULL;
	}
	if (n > 1000) {
		problem(p, "too_many_points", ".coordinates", "at most 1000 rings");
		return NULL;
	}
	GEOSGeometry **rings = xcalloc(n, sizeof(*rings));
	bool ok = true;
	for (size_t r = 0; r < n; r++) {
		rings[r] = parse_ring(p, json_array_get(coords, r), r);
		ok &= rings[r] != NULL;
	}
	GEOSGeometry *g = NULL;
	if (ok) {
		g = GEOSGeom_createPolygon_r(h, rings[0], rings + 1, (unsigned)(n - 1));
	} else {
		for (size_t r = 0; r < n; r++)
			GEOSGeom_destroy_r(h, rings[r]);
	}
	free(rings);
	if (!g)
		return NULL;
	char *reason = NULL;
	GEOSGeometry *location = NULL;
	if (GEOSisValidDetail_r(h, g, 0, &reason, &location) == 0) {
		double lng = 0, lat = 0;
		bool at = location && GEOSGeomGetX_r(h, location, &lng) &&
			  GEOSGeomGetY_r(h, location, &lat);
		const char *why = reason ? reason : "invalid";
		const char *code =
		    strstr(why, "elf-intersection") ? "self_intersecting" : "invalid";
		if (at) {
			as_given(p, &lng, &lat);
			problem(p, code, ".coordinates",
				"the polygon is not valid at %.7f, %.7f: %s", lng, lat, why);
		} else {
			problem(p, code, ".coordinates", "the polygon is not valid: %s", why);
		}
		GEOSFree_r(h, reason);
		GEOSGeom_destroy_r(h, location);
		GEOSGeom_destroy_r(h, g);
		return NULL;
	}
	GEOSFree_r(h, reason);
	GEOSGeom_destroy_r(h, location);
	return g;
}

static const struct {
	enum geo_kind kind;
	const char *name;
	GEOSGeometry *(*parse)(struct parse *p, const json_t *coords);
} kinds[] = {
    {GEO_POINT, "Point", parse_point},
    {GEO_LINESTRING, "LineString", parse_line},
    {GEO_POLYGON, "Polygon", parse_polygon},
};

int geo_parse(const json_t *geometry, enum geo_crs crs, unsigned allowed, const char *field,
	      struct geo **out, struct error *err)
{
	struct parse p = {err, field ? field : "geometry", crs, 0};
	*out = NULL;
	char names[64] = "";
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (allowed & kinds[i].kind)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 names[0] ? ", " : "", kinds[i].name);
	if (!geometry || json_is_null(geometry)) {
		problem(&p, "required", "", "a GeoJSON geometry (%s) is required", names);
		goto out;
	}
	if (!json_is_object(geometry)) {
		problem(&p, "wrong_type", "",
			"a GeoJSON geometry is an object with type and coordinates");
		goto out;
	}
	json_t *type = json_object_get(geometry, "type");
	json_t *coords = json_object_get(geometry, "coordinates");
	int k = -1;
	if (!type) {
		problem(&p, "required", ".type", "type is required: one of %s", names);
	} else if (!json_is_string(type)) {
		problem(&p, "wrong_type", ".type", "type is text: one of %s", names);
	} else {
		for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if ((allowed & kinds[i].kind) &&
			    strcmp(json_string_value(type), kinds[i].name) == 0)
				k = (int)i;
		if (k < 0)
			problem(&p, "not_allowed", ".type", "type '%.40s' is not one of: %s",
				json_string_value(type), names);
	}
	if (!coords || json_is_null(coords)) {
		problem(&p, "required", ".coordinates", "coordinates are required");
		goto out;
	}
	if (k < 0)
		goto out;
	GEOSGeometry *g = kinds[k].parse(&p, coords);
	if (!g)
		goto out;
	*out = geo_make(g);
	if (!*out)
		problem(&p, "out_of_range", ".coordinates",
			"the geometry cannot be placed in CGCS2000 / 3-degree Gauss-Kruger 120E");
out:
	if (p.problems == 0)
		return 0;
	geo_free(*out);
	*out = NULL;
	if (err) {
		err->code = ERR_INVALID;
		if (!err->message[0])
			snprintf(err->message, sizeof(err->message), "%s is not a valid geometry",
				 p.field);
	}
	return ERR_INVALID;
}

/* --- out ----------------------------------------------------------------------------------- */

char *geo_wkt(const struct geo *g)
{
	struct ctx *c = ctx();
	char *w = GEOSWKTWriter_write_r(c->gh, c->writer, g->ll);
	if (!w) {
		fprintf(stderr, "geo: GEOS cannot write a geometry: %s\n", c->last);
		abort();
	}
	char *s = xstrdup(w);
	GEOSFree_r(c->gh, w);
	return s;
}

static json_t *seven(double v)
{
	return json_real(round(v * 1e7) / 1e7);
}

static json_t *seq_json(const GEOSCoordSequence *s, bool single)
{
	GEOSContextHandle_t h = ctx()->gh;
	unsigned n = 0;
	GEOSCoordSeq_getSize_r(h, s, &n);
	json_t *list = json_array();
	for (unsigned i = 0; i < n; i++) {
		double x = 0, y = 0;
		GEOSCoordSeq_getXY_r(h, s, i, &x, &y);
		json_t *pos = json_pack("[oo]", seven(x), seven(y));
		if (single) {
			json_decref(list);
			return pos;
		}
		json_array_append_new(list, pos);
	}
	return list;
}

json_t *geo_geojson(const struct geo *g)
{
	GEOSContextHandle_t h = ctx()->gh;
	json_t *coords;
	if (g->kind == GEO_POLYGON) {
		coords = json_array();
		json_array_append_new(
		    coords,
		    seq_json(GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, g->ll)), false));
		int n = GEOSGetNumInteriorRings_r(h, g->ll);
		for (int i = 0; i < n; i++)
			json_array_append_new(
			    coords,
			    seq_json(GEOSGeom_getCoordSeq_r(h, GEOSGetInteriorRingN_r(h, g->ll, i)),
				     false));
	} else {
		coords = seq_json(GEOSGeom_getCoordSeq_r(h, g->ll), g->kind == GEO_POINT);
	}
	return json_pack("{s:s,s:o}", "type", geo_kind_name(g->kind), "coordinates", coords);
}

void geo_bounds(const struct geo *g, struct geo_bbox *out)
{
	GEOSContextHandle_t h = ctx()->gh;
	GEOSGeom_getXMin_r(h, g->ll, &out->min_lng);
	GEOSGeom_getYMin_r(h, g->ll, &out->min_lat);
	GEOSGeom_getXMax_r(h, g->ll, &out->max_lng);
	GEOSGeom_getYMax_r(h, g->ll, &out->max_lat);
}

void geo_anchor(const struct geo *g, double *lng, double *lat)
{
	GEOSContextHandle_t h = ctx()->gh;
	GEOSGeometry *p = NULL;
	*lng = *lat = 0;
	switch (g->kind) {
	case GEO_POINT:
		GEOSGeomGetX_r(h, g->ll, lng);
		GEOSGeomGetY_r(h, g->ll, lat);
		return;
	case GEO_LINESTRING: /* the middle by length, found in metres */
		p = GEOSInterpolateNormalized_r(h, g->xy, 0.5);
		if (p) {
			double x = 0, y = 0;
			GEOSGeomGetX_r(h, p, &x);
			GEOSGeomGetY_r(h, p, &y);
			point_back(x, y, lng, lat);
		}
		break;
	case GEO_POLYGON:
		p = GEOSPointOnSurface_r(h, g->ll);
		if (p) {
			GEOSGeomGetX_r(h, p, lng);
			GEOSGeomGetY_r(h, p, lat);
		}
		break;
	}
	GEOSGeom_destroy_r(h, p);
}

/* --- measures ------------------------------------------------------------------------------ */

double geo_length_m(const struct geo *g)
{
	GEOSContextHandle_t h = ctx()->gh;
	double len = 0;
	if (g->kind == GEO_LINESTRING) {
		GEOSLength_r(h, g->xy, &len);
	} else if (g->kind == GEO_POLYGON) {
		GEOSGeometry *r = GEOSMinimumRotatedRectangle_r(h, g->xy);
		if (r && GEOSGeomTypeId_r(h, r) == GEOS_POLYGON) {
			const GEOSCoordSequence *s =
			    GEOSGeom_getCoordSeq_r(h, GEOSGetExteriorRing_r(h, r));
			double x[3], y[3];
			for (unsigned i = 0; i < 3; i++)
				GEOSCoordSeq_getXY_r(h, s, i, &x[i], &y[i]);
			len =
			    fmax(hypot(x[1] - x[0], y[1] - y[0]), hypot(x[2] - x[1], y[2] - y[1]));
		} else if (r) { /* a degenerate polygon's rectangle is a line */
			GEOSLength_r(h, r, &len);
		}
		GEOSGeom_destroy_r(h, r);
	}
	return len;
}

double geo_area_m2(const struct geo *g)
{
	double area = 0;
	if (g->kind == GEO_POLYGON)
		GEOSArea_r(ctx()->gh, g->xy, &area);
	return area;
}

double geo_distance_m(const struct geo *a, const struct geo *b)
{
	double d = HUGE_VAL;
	GEOSDistance_r(ctx()->gh, a->xy, b->xy, &d);
	return d;
}

bool geo_within(const struct geo *a, const struct geo *b)
{
	return GEOSCovers_r(ctx()->gh, b->ll, a->ll) == 1;
}

bool geo_near(const struct geo *a, const struct geo *b, double buffer_m)
{
	return GEOSDistanceWithin_r(ctx()->gh, a->xy, b->xy, buffer_m > 0 ? buffer_m : 0) == 1;
}

/* b's surroundings within buffer_m, in metres (b itself when buffer_m is 0). */
static GEOSGeometry *zone(const struct geo *b, double buffer_m)
{
	GEOSContextHandle_t h = ctx()->gh;
	if (buffer_m <= 0)
		return GEOSGeom_clone_r(h, b->xy);
	return GEOSBuffer_r(h, b->xy, buffer_m, 8);
}

double geo_share_near(const struct geo *a, const struct geo *b, double buffer_m)
{
	GEOSContextHandle_t h = ctx()->gh;
	if (a->kind == GEO_POINT)
		return geo_near(a, b, buffer_m) ? 1 : 0;
	double whole = a->kind == GEO_POLYGON ? geo_area_m2(a) : geo_length_m(a);
	if (whole <= 0)
		return geo_near(a, b, buffer_m) ? 1 : 0;
	if (!geo_near(a, b, buffer_m))
		return 0;
	GEOSGeometry *z = zone(b, buffer_m);
	GEOSGeometry *part = z ? GEOSIntersection_r(h, a->xy, z) : NULL;
	double shared = 0;
	if (part) {
		if (a->kind == GEO_POLYGON)
			GEOSArea_r(h, part, &shared);
		else
			GEOSLength_r(h, part, &shared);
	}
	GEOSGeom_destroy_r(h, part);
	GEOSGeom_destroy_r(h, z);
	return fmin(1, shared / whole);
}

/* geo_shared_extent with a's buffer already made (za, in metres; NULL: none). */
static struct geo *shared_extent(const struct geo *a, const GEOSGeometry *za, const struct geo *b,
				 double buffer_m)
{
	GEOSContextHandle_t h = ctx()->gh;
	if (buffer_m <= 0 || !za || !geo_near(a, b, 2 * buffer_m))
		return NULL;
	GEOSGeometry *zb = GEOSBuffer_r(h, b->xy, buffer_m, 8);
	GEOSGeometry *x = zb ? GEOSIntersection_r(h, za, zb) : NULL;
	GEOSGeom_destroy_r(h, zb);
	if (x && GEOSGeomTypeId_r(h, x) != GEOS_POLYGON) {
		/* several places (or a sliver): their convex hull, one polygon */
		GEOSGeometry *hull = GEOSConvexHull_r(h, x);
		GEOSGeom_destroy_r(h, x);
		x = hull;
	}
	if (x && (GEOSisEmpty_r(h, x) != 0 || GEOSGeomTypeId_r(h, x) != GEOS_POLYGON)) {
		GEOSGeom_destroy_r(h, x);
		x = NULL;
	}
	return geo_make_xy(x);
}

struct geo *geo_shared_extent(const struct geo *a, const struct geo *b, double buffer_m)
{
	if (buffer_m <= 0)
		return NULL;
	GEOSGeometry *za = GEOSBuffer_r(ctx()->gh, a->xy, buffer_m, 8);
	struct geo *x = shared_extent(a, za, b, buffer_m);
	GEOSGeom_destroy_r(ctx()->gh, za);
	return x;
}

struct geo *geo_shared_extent_in(const struct geo *a, const struct geo *zone_a,
				 const struct geo *b, double buffer_m)
{
	return shared_extent(a, zone_a ? zone_a->xy : NULL, b, buffer_m);
}

struct geo *geo_buffer(const struct geo *g, double metres)
{
	GEOSGeometry *x = GEOSBuffer_r(ctx()->gh, g->xy, metres, 8);
	if (x && GEOSGeomTypeId_r(ctx()->gh, x) != GEOS_POLYGON) {
		GEOSGeom_destroy_r(ctx()->gh, x);
		x = NULL;
	}
	return geo_make_xy(x);
}
