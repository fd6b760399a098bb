/*
 * SQL for what the place rules read: districts, the road register and risk zones in force near
 * a box (MariaDB's spatial indexes find the candidates by bounding box), and service areas.
 * Geometry comes back as well-known text (ST_AsText) and is parsed with geo_from_wkt.
 */
#define _GNU_SOURCE
#include "place.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/rows.h"
#include "workflows/application.h"
#include "workflows/triggers.h"
#include "lib/xalloc.h"

static const char SQL_DISTRICTS[] =
    "SELECT code, name_zh, name_en, kind, ST_AsText(boundary) FROM districts ORDER BY code";
/* per road authority, its register of the highest version whose effective_from is not after
 * the day */
static const char SQL_REGISTER_IN_FORCE[] =
    "SELECT COALESCE(MAX(version), 0) FROM road_registers WHERE org_id = ? AND "
    "effective_from <= ?";
static const char SQL_ROADS_NEAR[] =
    "SELECT r.road_id, r.name_zh, r.name_en, r.road_class, r.district_code, "
    "ST_AsText(r.centreline), g.version, g.org_id FROM roads r "
    "JOIN road_registers g ON g.id = r.register_id "
    "WHERE MBRIntersects(r.centreline, ST_GeomFromText(?)) AND g.version = "
    "(SELECT MAX(v.version) FROM road_registers v WHERE v.org_id = g.org_id AND "
    "v.effective_from <= ?) ORDER BY r.road_id, g.org_id";
static const char SQL_ROAD_NAMED[] =
    "SELECT r.road_id, r.name_zh, r.name_en, r.road_class, r.district_code, "
    "ST_AsText(r.centreline), g.version, g.org_id FROM roads r "
    "JOIN road_registers g ON g.id = r.register_id "
    "WHERE r.road_id = ? AND g.version = "
    "(SELECT MAX(v.version) FROM road_registers v WHERE v.org_id = g.org_id AND "
    "v.effective_from <= ?) ORDER BY g.org_id LIMIT 1";
/* per code, the highest version in effect by the day, unless it has ended by then */
static const char SQL_ZONES_NEAR[] =
    "SELECT z.code, z.version, z.risk, z.name_zh, z.name_en, ST_AsText(z.area) "
    "FROM risk_zones z WHERE MBRIntersects(z.area, ST_GeomFromText(?)) "
    "AND z.version = (SELECT MAX(v.version) FROM risk_zones v WHERE v.code = z.code "
    "AND v.effective_from <= ?) AND (z.effective_to IS NULL OR z.effective_to >= ?) "
    "ORDER BY z.code";
static const char SQL_AREAS[] =
    "SELECT a.org_id, o.name, a.utility_kind, COALESCE(a.district_code, ''), "
    "ST_AsText(a.area) FROM service_areas a JOIN organisations o ON o.id = a.org_id "
    "WHERE (? = 0 OR a.org_id = ?) ORDER BY a.org_id, a.utility_kind, a.id";

#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src) ? (src) : "")

/* A stored geometry's text parsed; NULL for SQL NULL. ERR_INTERNAL when it does not parse. */
static int read_geo(const struct store_result *r, size_t row, size_t col, struct geo **out,
		    struct error *err)
{
	const char *wkt = store_cell(r, row, col);
	*out = wkt ? geo_from_wkt(wkt) : NULL;
	if (wkt && !*out)
		return error_set(err, ERR_INTERNAL, "stored geometry does not parse: %.60s", wkt);
	return 0;
}

static void free_districts(struct place_context *ctx)
{
	for (size_t i = 0; i < ctx->ndistricts; i++) {
		free(ctx->districts[i].name_zh);
		free(ctx->districts[i].name_en);
		free(ctx->districts[i].kind);
		geo_free(ctx->districts[i].boundary);
	}
	free(ctx->districts);
	ctx->districts = NULL;
	ctx->ndistricts = 0;
}

static void free_roads(struct place_context *ctx)
{
	for (size_t i = 0; i < ctx->nroads; i++) {
		free(ctx->roads[i].name_zh);
		free(ctx->roads[i].name_en);
		geo_free(ctx->roads[i].centreline);
	}
	free(ctx->roads);
	ctx->roads = NULL;
	ctx->nroads = 0;
}

static void free_zones(struct place_context *ctx)
{
	for (size_t i = 0; i < ctx->nzones; i++) {
		free(ctx->zones[i].name_zh);
		free(ctx->zones[i].name_en);
		geo_free(ctx->zones[i].area);
	}
	free(ctx->zones);
	ctx->zones = NULL;
	ctx->nzones = 0;
}

static void free_areas(struct place_context *ctx)
{
	for (size_t i = 0; i < ctx->nareas; i++) {
		free(ctx->areas[i].org_name);
		geo_free(ctx->areas[i].area);
	}
	free(ctx->areas);
	ctx->areas = NULL;
	ctx->nareas = 0;
}

int store_place_districts(struct store_conn *c, struct place_context *ctx, struct error *err)
{
	struct store_result *r = NULL;
	free_districts(ctx);
	int rc = store_exec(c, SQL_DISTRICTS, NULL, 0, &r, err);
	if (rc)
		return rc;
	ctx->districts = xcalloc(r->nrows + 1, sizeof(*ctx->districts));
	for (size_t i = 0; i < r->nrows && !rc; i++) {
		struct place_district *d = &ctx->districts[ctx->ndistricts++];
		COPY(d->code, store_cell(r, i, 0));
		d->name_zh = xstrdup(store_cell(r, i, 1));
		d->name_en = xstrdup(store_cell(r, i, 2));
		d->kind = xstrdup(store_cell(r, i, 3));
		rc = read_geo(r, i, 4, &d->boundary, err);
	}
	store_result_free(r);
	if (rc)
		free_districts(ctx);
	return rc;
}

/* The polygon text of box widened by margin_m metres on every side (about: 1 degree of
 * latitude is 111.32 km; a degree of longitude shrinks with the cosine of the latitude). */
static char *box_wkt(const struct geo_bbox *box, double margin_m)
{
	double lat = fmax(fabs(box->min_lat), fabs(box->max_lat));
	double cosl = cos(fmin(lat, 89.0) * M_PI / 180.0);
	double dlat = margin_m / 111320.0, dlng = margin_m / (111320.0 * cosl);
	double x0 = box->min_lng - dlng, y0 = box->min_lat - dlat;
	double x1 = box->max_lng + dlng, y1 = box->max_lat + dlat;
	return xasprintf("POLYGON((%.7f %.7f,%.7f %.7f,%.7f %.7f,%.7f %.7f,%.7f %.7f))", x0, y0, x1,
			 y0, x1, y1, x0, y1, x0, y0);
}

int store_place_roads_near(struct store_conn *c, const struct geo_bbox *box, double margin_m,
			   day_t day, struct place_context *ctx, struct error *err)
{
	char dbuf[11];
	char *wkt = box_wkt(box, margin_m);
	struct store_param p[] = {P_STR(wkt), rows_day_param(day, dbuf)};
	struct store_result *r = NULL;
	free_roads(ctx);
	int rc = store_exec(c, SQL_ROADS_NEAR, p, 2, &r, err);
	free(wkt);
	if (rc)
		return rc;
	ctx->roads = xcalloc(r->nrows + 1, sizeof(*ctx->roads));
	for (size_t i = 0; i < r->nrows && !rc; i++) {
		struct place_road *d = &ctx->roads[ctx->nroads++];
		COPY(d->road_id, store_cell(r, i, 0));
		d->name_zh = xstrdup(store_cell(r, i, 1));
		d->name_en = xstrdup(store_cell(r, i, 2));
		COPY(d->road_class, store_cell(r, i, 3));
		COPY(d->district, store_cell(r, i, 4));
		rc = read_geo(r, i, 5, &d->centreline, err);
		d->register_version = (int)store_cell_ll(r, i, 6, 0);
		d->org_id = store_cell_ll(r, i, 7, 0);
	}
	store_result_free(r);
	if (rc)
		free_roads(ctx);
	return rc;
}

int store_place_road_named(struct store_conn *c, const char *road_id, day_t day,
			   struct place_context *ctx, struct error *err)
{
	if (place_road_find(ctx, road_id))
		return 0;
	char dbuf[11];
	struct store_param p[] = {P_STR(road_id), rows_day_param(day, dbuf)};
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_ROAD_NAMED, p, 2, &r, err);
	if (rc || r->nrows == 0) {
		store_result_free(r);
		return rc;
	}
	ctx->roads = xrealloc(ctx->roads, (ctx->nroads + 2) * sizeof(*ctx->roads));
	struct place_road *d = &ctx->roads[ctx->nroads];
	memset(d, 0, sizeof(*d));
	COPY(d->road_id, store_cell(r, 0, 0));
	d->name_zh = xstrdup(store_cell(r, 0, 1));
	d->name_en = xstrdup(store_cell(r, 0, 2));
	COPY(d->road_class, store_cell(r, 0, 3));
	COPY(d->district, store_cell(r, 0, 4));
	d->register_version = (int)store_cell_ll(r, 0, 6, 0);
	d->org_id = store_cell_ll(r, 0, 7, 0);
	rc = read_geo(r, 0, 5, &d->centreline, err);
	if (rc == 0)
		ctx->nroads++;
	else {
		free(d->name_zh);
		free(d->name_en);
	}
	store_result_free(r);
	return rc;
}

int store_place_zones_near(struct store_conn *c, const struct geo_bbox *box, day_t day,
			   struct place_context *ctx, struct error *err)
{
	char dbuf[11];
	char *wkt = box_wkt(box, 0);
	struct store_param p[] = {P_STR(wkt), rows_day_param(day, dbuf), P_STR(dbuf)};
	struct store_result *r = NULL;
	free_zones(ctx);
	int rc = store_exec(c, SQL_ZONES_NEAR, p, 3, &r, err);
	free(wkt);
	if (rc)
		return rc;
	ctx->zones = xcalloc(r->nrows + 1, sizeof(*ctx->zones));
	for (size_t i = 0; i < r->nrows && !rc; i++) {
		struct place_zone *z = &ctx->zones[ctx->nzones++];
		COPY(z->code, store_cell(r, i, 0));
		z->version = (int)store_cell_ll(r, i, 1, 0);
		if (triggers_risk_parse(store_cell(r, i, 2), &z->risk, NULL))
			z->risk = ZONE_RISK_HIGH; /* the column's ENUM allows no other */
		z->name_zh = xstrdup(store_cell(r, i, 3));
		z->name_en = xstrdup(store_cell(r, i, 4));
		rc = read_geo(r, i, 5, &z->area, err);
	}
	store_result_free(r);
	if (rc)
		free_zones(ctx);
	return rc;
}

int store_place_areas(struct store_conn *c, long long org_id, struct place_context *ctx,
		      struct error *err)
{
	struct store_param p[] = {P_INT(org_id), P_INT(org_id)};
	struct store_result *r = NULL;
	free_areas(ctx);
	int rc = store_exec(c, SQL_AREAS, p, 2, &r, err);
	if (rc)
		return rc;
	ctx->areas = xcalloc(r->nrows + 1, sizeof(*ctx->areas));
	for (size_t i = 0; i < r->nrows && !rc; i++) {
		struct place_area *a = &ctx->areas[ctx->nareas++];
		a->org_id = store_cell_ll(r, i, 0, 0);
		a->org_name = xstrdup(store_cell(r, i, 1));
		a->kind = utility_kind_parse(store_cell(r, i, 2));
		COPY(a->district, store_cell(r, i, 3));
		rc = read_geo(r, i, 4, &a->area, err);
	}
	store_result_free(r);
	if (rc)
		free_areas(ctx);
	return rc;
}

int store_place_register_version(struct store_conn *c, long long org_id, day_t day, int *version,
				 struct error *err)
{
	char dbuf[11];
	struct store_param p[] = {P_INT(org_id), rows_day_param(day, dbuf)};
	struct store_result *r = NULL;
	*version = 0;
	int rc = store_exec(c, SQL_REGISTER_IN_FORCE, p, 2, &r, err);
	if (!rc && r->nrows)
		*version = (int)store_cell_ll(r, 0, 0, 0);
	store_result_free(r);
	return rc;
}
