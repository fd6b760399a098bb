/* SQL for works on the map: excavation extents as open data, and the map's base layer. */
#define _GNU_SOURCE
#include "works.h"

#include <stdio.h>
#include <stdlib.h>

#include "store/rows.h"
#include "lib/xalloc.h"

/* The register in force on a day: the highest version whose effective_from is not after it. */
/* Every road authority's register in force on the day (its highest version effective by then);
 * the day is bound twice. */
#define REGISTER_IN_FORCE                                                                          \
	"(SELECT g.id FROM road_registers g WHERE g.version = (SELECT MAX(v.version) FROM "        \
	"road_registers v WHERE v.org_id = g.org_id AND v.effective_from <= ?) "                  \
	"AND g.effective_from <= ?)"

/*
 * Keyset over the extents' primary key; the box test is MBRIntersects, which the spatial index
 * on extent answers. The page of extents is taken first (a derived table with its own ORDER BY
 * and LIMIT, which MariaDB materialises), and only its rows are given road names: with the road
 * lookup in the same join, MariaDB named every extent that passed the filters before it sorted
 * and cut the page (540,019 lookups and 2 s for a page of 10,000 generated applications' works).
 * Road names come from the register in force, not the one the excavation was planned against,
 * so a renamed road shows its name of today.
 */
/*
 * The page is chosen first, by id alone (the derived table holds only the ids, so it stays an
 * in-memory table: with the extents in it, MariaDB 10.11 built an Aria table on disk and once
 * crashed dropping it, bench/run 2026-12-08), then its rows are read by key.
 */
static const char SQL_WORKS_LIST[] =
    "SELECT w.excavation_id, p.reference, p.state, x.utility_kind, x.road_id, r.name_zh, "
    "r.name_en, x.district_code, e.start_day, e.end_day, ST_AsText(e.extent) FROM ("
    "SELECT e.excavation_id FROM excavation_extents e JOIN excavations x ON x.id = e.excavation_id "
    "LEFT JOIN permits p ON p.id = x.permit_id "
    "WHERE e.excavation_id > ? "
    "AND (? IS NULL OR MBRIntersects(e.extent, ST_GeomFromText(?))) "
    "AND (? IS NULL OR e.end_day >= ?) AND (? IS NULL OR e.start_day <= ?) "
    "AND (? IS NULL OR x.district_code = ?) AND (? IS NULL OR p.state = ?) "
    "AND (? = 0 OR (e.end_day >= ? AND (p.id IS NULL "
    "OR p.state NOT IN ('rejected', 'closed', 'expired', 'revoked')))) "
    "ORDER BY e.excavation_id LIMIT ?) w "
    "JOIN excavation_extents e ON e.excavation_id = w.excavation_id "
    "JOIN excavations x ON x.id = w.excavation_id LEFT JOIN permits p ON p.id = x.permit_id "
    /* one road per excavation even when two authorities' registers list the same id */
    "LEFT JOIN roads r ON (r.register_id, r.road_id) = (SELECT r2.register_id, r2.road_id "
    "FROM roads r2 WHERE r2.road_id = x.road_id AND r2.register_id IN " REGISTER_IN_FORCE " "
    "ORDER BY r2.register_id DESC LIMIT 1) "
    "ORDER BY w.excavation_id";

/*
 * Districts first (their boundaries may be NULL), then the register's roads; for a district's
 * view only those whose box meets the box of its boundary (MBRIntersects compares the boxes).
 */
static const char SQL_WORKS_BASE[] =
    "SELECT 0, d.code, d.name_zh, d.name_en, d.kind, d.code, ST_AsText(d.boundary) "
    "FROM districts d "
    "UNION ALL "
    "SELECT 1, r.road_id, r.name_zh, r.name_en, r.road_class, r.district_code, "
    "ST_AsText(r.centreline) FROM roads r WHERE r.register_id IN " REGISTER_IN_FORCE " "
    "AND (? IS NULL OR MBRIntersects(r.centreline, "
    "(SELECT d2.boundary FROM districts d2 WHERE d2.code = ?))) "
    "ORDER BY 1, 2";

static const char SQL_DISTRICT_EXISTS[] = "SELECT 1 FROM districts WHERE code = ?";

void store_works_box_wkt(const struct geo_bbox *b, char *buf, size_t n)
{
	snprintf(buf, n, "POLYGON((%.7f %.7f,%.7f %.7f,%.7f %.7f,%.7f %.7f,%.7f %.7f))", b->min_lng,
		 b->min_lat, b->max_lng, b->min_lat, b->max_lng, b->max_lat, b->min_lng, b->max_lat,
		 b->min_lng, b->min_lat);
}

int store_works_list(struct store_conn *c, const struct works_filter *f, struct works_item **items,
		     size_t *n, bool *more, struct error *err)
{
	char today[11], from[11], to[11], box[256];
	*items = NULL;
	*n = 0;
	*more = false;
	const char *wkt = NULL;
	if (f->has_bbox) {
		store_works_box_wkt(&f->bbox, box, sizeof(box));
		wkt = box;
	}
	struct store_param fromp = rows_day_param(f->from, from);
	struct store_param top = rows_day_param(f->to, to);
	struct store_param todayp = rows_day_param(f->today, today);
	struct store_param p[] = {
	    P_INT(f->after),
	    P_STR(wkt),
	    P_STR(wkt),
	    fromp,
	    fromp,
	    top,
	    top,
	    P_STR(f->district),
	    P_STR(f->district),
	    P_STR(f->state),
	    P_STR(f->state),
	    P_INT(f->current),
	    todayp,
	    P_INT(f->limit + 1),
	    todayp, /* the registers in force, for the page's road names */
	    todayp,
	};
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_WORKS_LIST, p, sizeof(p) / sizeof(p[0]), &r, err);
	if (rc)
		return rc;
	size_t m = r->nrows > (size_t)f->limit ? (size_t)f->limit : r->nrows;
	*more = r->nrows > (size_t)f->limit;
	struct works_item *v = xcalloc(m ? m : 1, sizeof(*v));
	for (size_t i = 0; i < m; i++) {
		v[i].id = store_cell_ll(r, i, 0, 0);
		v[i].permit_reference = rows_dup_cell(r, i, 1);
		v[i].permit_state = rows_dup_cell(r, i, 2);
		ROWS_COPY(v[i].utility_kind, store_cell(r, i, 3));
		ROWS_COPY(v[i].road_id, store_cell(r, i, 4));
		v[i].road_zh = rows_dup_cell(r, i, 5);
		v[i].road_en = rows_dup_cell(r, i, 6);
		ROWS_COPY(v[i].district, store_cell(r, i, 7));
		v[i].start = rows_day_cell(r, i, 8);
		v[i].end = rows_day_cell(r, i, 9);
		v[i].wkt = rows_dup_cell(r, i, 10);
	}
	store_result_free(r);
	*items = v;
	*n = m;
	return 0;
}

void store_works_free(struct works_item *items, size_t n)
{
	for (size_t i = 0; items && i < n; i++) {
		free(items[i].permit_reference);
		free(items[i].permit_state);
		free(items[i].road_zh);
		free(items[i].road_en);
		free(items[i].wkt);
	}
	free(items);
}

int store_works_base(struct store_conn *c, const char *district, day_t day,
		     struct works_shape **shapes, size_t *n, struct error *err)
{
	char d[11];
	*shapes = NULL;
	*n = 0;
	struct store_param p[] = {rows_day_param(day, d), P_STR(d), P_STR(district), P_STR(district)};
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_WORKS_BASE, p, 4, &r, err);
	if (rc)
		return rc;
	struct works_shape *v = xcalloc(r->nrows ? r->nrows : 1, sizeof(*v));
	for (size_t i = 0; i < r->nrows; i++) {
		v[i].road = store_cell_ll(r, i, 0, 0) != 0;
		ROWS_COPY(v[i].code, store_cell(r, i, 1));
		v[i].name_zh = rows_dup_cell(r, i, 2);
		v[i].name_en = rows_dup_cell(r, i, 3);
		ROWS_COPY(v[i].kind, store_cell(r, i, 4));
		ROWS_COPY(v[i].district, store_cell(r, i, 5));
		v[i].wkt = rows_dup_cell(r, i, 6);
	}
	*shapes = v;
	*n = r->nrows;
	store_result_free(r);
	return 0;
}

void store_works_shapes_free(struct works_shape *shapes, size_t n)
{
	for (size_t i = 0; shapes && i < n; i++) {
		free(shapes[i].name_zh);
		free(shapes[i].name_en);
		free(shapes[i].wkt);
	}
	free(shapes);
}

int store_works_district_exists(struct store_conn *c, const char *code, bool *exists,
				struct error *err)
{
	struct store_param p[] = {P_STR(code)};
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_DISTRICT_EXISTS, p, 1, &r, err);
	if (rc)
		return rc;
	*exists = r->nrows > 0;
	store_result_free(r);
	return 0;
}
