/* SQL for publishing place: districts, road register versions, risk zones, service areas. */
#define _GNU_SOURCE
#include "place_publish.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/multirow.h"
#include "store/rows.h"
#include "workflows/application.h"
#include "lib/xalloc.h"

static const char SQL_DISTRICT_INSERT[] =
    "INSERT INTO districts (code, name_zh, name_en, kind, boundary) "
    "VALUES (?, ?, ?, ?, ST_GeomFromText(?))";
static const char SQL_DISTRICT_LOCK[] = "SELECT code FROM districts WHERE code = ? FOR UPDATE";
static const char SQL_DISTRICT_UPDATE[] =
    "UPDATE districts SET name_zh = ?, name_en = ?, kind = ?, boundary = ST_GeomFromText(?), "
    "updated_at = UTC_TIMESTAMP(6) WHERE code = ?";

static const char SQL_REGISTER_NEXT[] =
    "SELECT COALESCE(MAX(version), 0) + 1 FROM road_registers WHERE org_id = ? FOR UPDATE";
static const char SQL_REGISTER_INSERT[] =
    "INSERT INTO road_registers (org_id, version, effective_from, nroads, published_by) "
    "VALUES (?, ?, ?, ?, ?)";
static struct multirow road_insert =
    MULTIROW_INIT("INSERT INTO roads (register_id, road_id, name_zh, name_en, aliases, road_class, "
		  "district_code, length_m, centreline) VALUES ",
		  "(?, ?, ?, ?, ?, ?, ?, ?, ST_GeomFromText(?))", 9, false);
static const char SQL_REGISTERS[] =
    "SELECT g.version, g.org_id, o.name, DATE_FORMAT(g.effective_from, '%Y-%m-%d'), g.nroads, "
    "DATE_FORMAT(g.published_at, '%Y-%m-%dT%H:%i:%sZ') FROM road_registers g "
    "JOIN organisations o ON o.id = g.org_id ORDER BY g.org_id, g.version";
/* a version named, or per authority the register in force on the day */
static const char SQL_ROADS[] =
    "SELECT r.road_id, r.name_zh, r.name_en, r.aliases, r.road_class, r.district_code, "
    "r.length_m, ST_AsText(r.centreline), g.org_id, g.version FROM roads r "
    "JOIN road_registers g ON g.id = r.register_id WHERE (? = 0 OR g.org_id = ?) "
    "AND g.version = IF(? > 0, ?, (SELECT MAX(v.version) FROM road_registers v "
    "WHERE v.org_id = g.org_id AND v.effective_from <= ?)) "
    "AND (? IS NULL OR r.district_code = ?) AND (? IS NULL OR r.road_id = ?) "
    "AND (? IS NULL OR MBRIntersects(r.centreline, ST_GeomFromText(?))) "
    "ORDER BY r.road_id, g.org_id";

static const char SQL_ZONE_NEXT[] =
    "SELECT COALESCE(MAX(version), 0) + 1 FROM risk_zones WHERE code = ? FOR UPDATE";
static const char SQL_ZONE_INSERT[] =
    "INSERT INTO risk_zones (code, version, name_zh, name_en, risk, effective_from, "
    "effective_to, area, published_by) VALUES (?, ?, ?, ?, ?, ?, ?, ST_GeomFromText(?), ?)";
static const char SQL_ZONES_ON[] =
    "SELECT z.code, z.version, z.name_zh, z.name_en, z.risk, "
    "DATE_FORMAT(z.effective_from, '%Y-%m-%d'), DATE_FORMAT(z.effective_to, '%Y-%m-%d'), "
    "ST_AsText(z.area), DATE_FORMAT(z.published_at, '%Y-%m-%dT%H:%i:%sZ') FROM risk_zones z "
    "WHERE z.version = (SELECT MAX(v.version) FROM risk_zones v WHERE v.code = z.code "
    "AND v.effective_from <= ?) AND (z.effective_to IS NULL OR z.effective_to >= ?) "
    "ORDER BY z.code";

static const char SQL_AREAS_DELETE[] =
    "DELETE FROM service_areas WHERE org_id = ? AND utility_kind = ?";
static const char SQL_AREA_DISTRICT[] =
    "INSERT INTO service_areas (org_id, utility_kind, district_code) VALUES (?, ?, ?)";
static const char SQL_AREA_DRAWN[] =
    "INSERT INTO service_areas (org_id, utility_kind, area) VALUES (?, ?, ST_GeomFromText(?))";
#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src) ? (src) : "")

/* A user id as a parameter: NULL for an API key (0). */
static struct store_param user_param(long long user_id)
{
	return user_id ? P_INT(user_id) : P_NULL;
}

/* ---------------------------------------------------------------- districts */

int store_district_create(struct store_conn *c, const struct district_in *d, struct error *err)
{
	struct store_param p[] = {P_STR(d->code), P_STR(d->name_zh), P_STR(d->name_en),
				  P_STR(d->kind), P_STR(d->wkt)};
	int rc = store_run(c, SQL_DISTRICT_INSERT, p, 5, NULL, NULL, err);
	if (rc == ERR_CONFLICT)
		return error_set(err, ERR_CONFLICT, "district %s already exists", d->code);
	return rc;
}

int store_district_update(struct store_conn *c, const struct district_in *d, struct error *err)
{
	struct store_param key[] = {P_STR(d->code)};
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_DISTRICT_LOCK, key, 1, &r, err);
	bool found = !rc && r->nrows > 0;
	store_result_free(r);
	if (rc)
		return rc;
	if (!found)
		return error_set(err, ERR_NOT_FOUND, "no district %s", d->code);
	struct store_param p[] = {P_STR(d->name_zh), P_STR(d->name_en), P_STR(d->kind),
				  P_STR(d->wkt), P_STR(d->code)};
	return store_run(c, SQL_DISTRICT_UPDATE, p, 5, NULL, NULL, err);
}

/* ---------------------------------------------------------------- the road register */

void store_roads_free(struct road_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++) {
		free(rows[i].name_zh);
		free(rows[i].name_en);
		free(rows[i].aliases);
		free(rows[i].wkt);
	}
	free(rows);
}

/* One road to insert with the register it belongs to. */
struct road_ins {
	long long register_id;
	const struct road_row *road;
};

static void fill_road(const void *rows, size_t i, struct store_param *p, char (*days)[11])
{
	(void)days;
	const struct road_ins *in = &((const struct road_ins *)rows)[i];
	const struct road_row *r = in->road;
	p[0] = P_INT(in->register_id);
	p[1] = P_STR(r->road_id);
	p[2] = P_STR(r->name_zh);
	p[3] = P_STR(r->name_en);
	p[4] = P_STR(r->aliases ? r->aliases : "[]");
	p[5] = P_STR(r->road_class);
	p[6] = P_STR(r->district);
	p[7] = P_INT(r->length_m);
	p[8] = P_STR(r->wkt);
}

int store_road_register_publish(struct store_conn *c, long long org_id, long long user_id,
				day_t effective_from, const struct road_row *roads, size_t n,
				int *version, struct error *err)
{
	struct store_result *r = NULL;
	struct store_param key[] = {P_INT(org_id)};
	int rc = store_exec(c, SQL_REGISTER_NEXT, key, 1, &r, err);
	if (rc)
		return rc;
	*version = (int)store_cell_ll(r, 0, 0, 1);
	store_result_free(r);
	char dbuf[11];
	unsigned long long reg = 0;
	struct store_param p[] = {P_INT(org_id), P_INT(*version),
				  rows_day_param(effective_from, dbuf), P_INT((long long)n),
				  user_param(user_id)};
	rc = store_run(c, SQL_REGISTER_INSERT, p, 5, NULL, &reg, err);
	if (rc)
		return rc;
	struct road_ins *ins = xcalloc(n + 1, sizeof(*ins));
	for (size_t i = 0; i < n; i++)
		ins[i] = (struct road_ins){(long long)reg, &roads[i]};
	rc = multirow_insert(c, &road_insert, ins, n, fill_road, NULL, err);
	free(ins);
	if (rc == ERR_CONFLICT)
		return error_set(err, ERR_CONFLICT, "a road id is given twice");
	return rc;
}

int store_road_registers(struct store_conn *c, struct register_row **rows, size_t *n,
			 struct error *err)
{
	struct store_result *r = NULL;
	*rows = NULL;
	*n = 0;
	int rc = store_exec(c, SQL_REGISTERS, NULL, 0, &r, err);
	if (rc)
		return rc;
	*rows = xcalloc(r->nrows + 1, sizeof(**rows));
	for (size_t i = 0; i < r->nrows; i++) {
		struct register_row *g = &(*rows)[i];
		g->version = (int)store_cell_ll(r, i, 0, 0);
		g->org_id = store_cell_ll(r, i, 1, 0);
		COPY(g->org_name, store_cell(r, i, 2));
		g->effective_from = rows_day_cell(r, i, 3);
		g->nroads = (int)store_cell_ll(r, i, 4, 0);
		COPY(g->published_at, store_cell(r, i, 5));
	}
	*n = r->nrows;
	store_result_free(r);
	return 0;
}

int store_roads_list(struct store_conn *c, const struct road_query *q, struct road_row **rows,
		     size_t *n, struct error *err)
{
	char dbuf[11];
	struct store_param p[] = {P_INT(q->org_id),
				  P_INT(q->org_id),
				  P_INT(q->version),
				  P_INT(q->version),
				  rows_day_param(q->day, dbuf),
				  P_STR(q->district),
				  P_STR(q->district),
				  P_STR(q->road_id),
				  P_STR(q->road_id),
				  P_STR(q->box_wkt),
				  P_STR(q->box_wkt)};
	struct store_result *r = NULL;
	*rows = NULL;
	*n = 0;
	int rc = store_exec(c, SQL_ROADS, p, 11, &r, err);
	if (rc)
		return rc;
	*rows = xcalloc(r->nrows + 1, sizeof(**rows));
	for (size_t i = 0; i < r->nrows; i++) {
		struct road_row *d = &(*rows)[i];
		COPY(d->road_id, store_cell(r, i, 0));
		d->name_zh = rows_dup_cell(r, i, 1);
		d->name_en = rows_dup_cell(r, i, 2);
		d->aliases = rows_dup_cell(r, i, 3);
		COPY(d->road_class, store_cell(r, i, 4));
		COPY(d->district, store_cell(r, i, 5));
		d->length_m = (int)store_cell_ll(r, i, 6, 0);
		d->wkt = rows_dup_cell(r, i, 7);
		d->org_id = store_cell_ll(r, i, 8, 0);
		d->version = (int)store_cell_ll(r, i, 9, 0);
	}
	*n = r->nrows;
	store_result_free(r);
	return 0;
}

/* ---------------------------------------------------------------- risk zones */

void store_zones_free(struct zone_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++) {
		free(rows[i].name_zh);
		free(rows[i].name_en);
		free(rows[i].wkt);
	}
	free(rows);
}

int store_risk_zone_publish(struct store_conn *c, const struct zone_row *z, long long user_id,
			    int *version, struct error *err)
{
	struct store_param key[] = {P_STR(z->code)};
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_ZONE_NEXT, key, 1, &r, err);
	if (rc)
		return rc;
	*version = (int)store_cell_ll(r, 0, 0, 1);
	store_result_free(r);
	char from[11], to[11];
	struct store_param p[] = {P_STR(z->code),
				  P_INT(*version),
				  P_STR(z->name_zh),
				  P_STR(z->name_en),
				  P_STR(z->risk),
				  rows_day_param(z->effective_from, from),
				  rows_day_param(z->effective_to, to),
				  P_STR(z->wkt),
				  user_param(user_id)};
	return store_run(c, SQL_ZONE_INSERT, p, 9, NULL, NULL, err);
}

int store_risk_zones_on(struct store_conn *c, day_t day, struct zone_row **rows, size_t *n,
			struct error *err)
{
	char dbuf[11];
	struct store_param p[] = {rows_day_param(day, dbuf), P_STR(dbuf)};
	struct store_result *r = NULL;
	*rows = NULL;
	*n = 0;
	int rc = store_exec(c, SQL_ZONES_ON, p, 2, &r, err);
	if (rc)
		return rc;
	*rows = xcalloc(r->nrows + 1, sizeof(**rows));
	for (size_t i = 0; i < r->nrows; i++) {
		struct zone_row *z = &(*rows)[i];
		COPY(z->code, store_cell(r, i, 0));
		z->version = (int)store_cell_ll(r, i, 1, 0);
		z->name_zh = rows_dup_cell(r, i, 2);
		z->name_en = rows_dup_cell(r, i, 3);
		COPY(z->risk, store_cell(r, i, 4));
		z->effective_from = rows_day_cell(r, i, 5);
		z->effective_to = rows_day_cell(r, i, 6);
		z->wkt = rows_dup_cell(r, i, 7);
		COPY(z->published_at, store_cell(r, i, 8));
	}
	*n = r->nrows;
	store_result_free(r);
	return 0;
}

/* ---------------------------------------------------------------- service areas */

int store_service_areas_replace(struct store_conn *c, long long org_id, const char *kind,
				const char *const *districts, size_t ndistricts,
				const char *const *areas, size_t nareas, struct error *err)
{
	struct store_param key[] = {P_INT(org_id), P_STR(kind)};
	int rc = store_run(c, SQL_AREAS_DELETE, key, 2, NULL, NULL, err);
	for (size_t i = 0; !rc && i < ndistricts; i++) {
		struct store_param p[] = {P_INT(org_id), P_STR(kind), P_STR(districts[i])};
		rc = store_run(c, SQL_AREA_DISTRICT, p, 3, NULL, NULL, err);
		if (rc == ERR_INTERNAL) {
			/* the foreign key: the handler checks the codes first, so this is a race */
			error_add(err, "districts", "unknown", "no district '%s'", districts[i]);
			rc = error_set(err, ERR_INVALID, "unknown district");
		}
	}
	for (size_t i = 0; !rc && i < nareas; i++) {
		struct store_param p[] = {P_INT(org_id), P_STR(kind), P_STR(areas[i])};
		rc = store_run(c, SQL_AREA_DRAWN, p, 3, NULL, NULL, err);
	}
	return rc;
}
