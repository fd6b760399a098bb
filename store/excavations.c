/* SQL for excavations: the road segments each permit digs, and where they overlap. */
#include "excavations.h"

#include <stdlib.h>

#include <string.h>

#include "store/multirow.h"
#include "store/rows.h"
#include "workflows/geo.h"
#include "lib/xalloc.h"

static const char HEAD_EXCAVATION[] =
	"INSERT INTO excavations (application_id, permit_id, utility_kind, district_code, road, "
	"road_class, from_m, to_m, width_m, start_day, end_day, road_id, register_version, "
	"length_m, area_m2, zone_code, zone_risk) "
	"VALUES ";
static const char ROW_EXCAVATION[] = "(?, ?, ?, ?, ?, ?, ?, ?, ? / 100, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char HEAD_EXTENT[] =
	"INSERT INTO excavation_extents (excavation_id, extent, start_day, end_day) VALUES ";
static const char ROW_EXTENT[] = "(?, ST_GeomFromText(?), ?, ?)";
static const char SQL_NEAR[] =
	"SELECT e.permit_id, ST_AsText(x.extent) FROM excavation_extents x "
	"JOIN excavations e ON e.id = x.excavation_id JOIN applications a ON a.id = e.application_id "
	"WHERE MBRIntersects(x.extent, ST_GeomFromText(?)) AND x.start_day <= ? AND x.end_day >= ? "
	"AND e.application_id <> ? AND a.status = 'open' AND e.permit_id IS NOT NULL "
	"ORDER BY e.id LIMIT 50";
#define SEGMENT_COLS                                                                               \
	"e.road, e.from_m, e.to_m, e.width_m, e.road_class, COALESCE(e.road_id, ''), "             \
	"COALESCE(e.length_m, e.to_m - e.from_m), COALESCE(e.area_m2, 0), "                        \
	"COALESCE(e.zone_code, ''), ST_AsText(x.extent) "
static const char SQL_SEGMENTS[] =
	"SELECT " SEGMENT_COLS "FROM excavations e "
	"LEFT JOIN excavation_extents x ON x.excavation_id = e.id WHERE e.permit_id = ? "
	"ORDER BY e.id";
static const char SQL_APP_SEGMENTS[] =
	"SELECT e.permit_id, " SEGMENT_COLS "FROM excavations e "
	"LEFT JOIN excavation_extents x ON x.excavation_id = e.id "
	"WHERE e.application_id = ? AND e.permit_id IS NOT NULL ORDER BY e.id";

/* The batch inserts' statements, built by row count on first use (store/multirow.h). */
static struct multirow excavation_batch = MULTIROW_INIT(HEAD_EXCAVATION, ROW_EXCAVATION, 17, true);
static struct multirow extent_batch = MULTIROW_INIT(HEAD_EXTENT, ROW_EXTENT, 4, false);

static void excavation_fill(const void *rows, size_t i, struct store_param *p, char (*days)[11])
{
	const struct excavation_new *e = (const struct excavation_new *)rows + i;
	p[0] = P_INT(e->application_id);
	p[1] = e->permit_id ? P_INT(e->permit_id) : P_NULL;
	p[2] = P_STR(e->utility_kind);
	p[3] = P_STR(e->district);
	p[4] = P_STR(e->road);
	p[5] = P_STR(e->road_class);
	p[6] = P_INT(e->from_m);
	p[7] = P_INT(e->to_m);
	p[8] = P_INT(e->width_cm);
	p[9] = rows_day_param(e->start_day, days[9]);
	p[10] = rows_day_param(e->end_day, days[10]);
	p[11] = e->road_id ? P_STR(e->road_id) : P_NULL;
	p[12] = e->register_version ? P_INT(e->register_version) : P_NULL;
	p[13] = e->length_m > 0 ? P_INT(e->length_m) : P_NULL;
	p[14] = e->area_m2 > 0 ? P_INT(e->area_m2) : P_NULL;
	p[15] = e->zone_code && *e->zone_code ? P_STR(e->zone_code) : P_NULL;
	p[16] = e->zone_risk ? P_STR(e->zone_risk) : P_NULL;
}

/* One extent row: the excavation's id (set by the caller) and the source row. */
struct extent_row {
	long long id;
	const struct excavation_new *e;
};

static void extent_fill(const void *rows, size_t i, struct store_param *p, char (*days)[11])
{
	const struct extent_row *x = (const struct extent_row *)rows + i;
	p[0] = P_INT(x->id);
	p[1] = P_STR(x->e->extent_wkt);
	p[2] = rows_day_param(x->e->start_day, days[2]);
	p[3] = rows_day_param(x->e->end_day, days[3]);
}

int store_excavation_insert(struct store_conn *c, const struct excavation_new *e, struct error *err)
{
	return store_excavations_insert_many(c, e, 1, err);
}

int store_excavations_insert_many(struct store_conn *c, const struct excavation_new *e, size_t n,
				  struct error *err)
{
	long long *ids = xcalloc(n + 1, sizeof(*ids));
	struct extent_row *x = xcalloc(n + 1, sizeof(*x));
	size_t nx = 0;
	int rc = multirow_insert(c, &excavation_batch, e, n, excavation_fill, ids, err);
	for (size_t i = 0; !rc && i < n; i++)
		if (e[i].extent_wkt)
			x[nx++] = (struct extent_row){ ids[i], &e[i] };
	if (!rc)
		rc = multirow_insert(c, &extent_batch, x, nx, extent_fill, NULL, err);
	free(ids);
	free(x);
	return rc;
}

int store_excavations_near(struct store_conn *c, long long app_id, const char *box_wkt,
			   day_t start, day_t end, struct excavation_near **out, size_t *n,
			   struct error *err)
{
	char d1[11], d2[11];
	struct store_param p[] = { P_STR(box_wkt), rows_day_param(end, d1),
				   rows_day_param(start, d2), P_INT(app_id) };
	struct store_result *r = NULL;
	*out = NULL;
	*n = 0;
	int rc = store_exec(c, SQL_NEAR, p, 4, &r, err);
	if (rc)
		return rc;
	*out = xcalloc(r->nrows + 1, sizeof(**out));
	for (size_t i = 0; i < r->nrows; i++)
		(*out)[(*n)++] = (struct excavation_near){ store_cell_ll(r, i, 0, 0),
							   xstrdup(store_cell(r, i, 1)) };
	store_result_free(r);
	return 0;
}

void store_excavations_near_free(struct excavation_near *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rows[i].extent_wkt);
	free(rows);
}

/* One excavation of a result whose SEGMENT_COLS start at col. */
static json_t *segment_json(const struct store_result *r, size_t i, size_t col)
{
	const char *wkt = store_cell(r, i, col + 9);
	struct geo *g = wkt ? geo_from_wkt(wkt) : NULL;
	json_t *j = json_pack("{s:s, s:I, s:I, s:f, s:s, s:s, s:I, s:I, s:s, s:o}", "road",
			      store_cell(r, i, col), "from_m",
			      (json_int_t)store_cell_ll(r, i, col + 1, 0), "to_m",
			      (json_int_t)store_cell_ll(r, i, col + 2, 0), "width_m",
			      atof(store_cell(r, i, col + 3)), "road_class", store_cell(r, i, col + 4),
			      "road_id", store_cell(r, i, col + 5), "length_m",
			      (json_int_t)store_cell_ll(r, i, col + 6, 0), "area_m2",
			      (json_int_t)store_cell_ll(r, i, col + 7, 0), "zone",
			      store_cell(r, i, col + 8), "geometry", g ? geo_geojson(g) : json_null());
	geo_free(g);
	return j;
}

int store_permit_segments(struct store_conn *c, long long permit_id, json_t **out,
			  struct error *err)
{
	struct store_param p[] = { P_INT(permit_id) };
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_SEGMENTS, p, 1, &r, err);
	if (rc)
		return rc;
	*out = json_array();
	for (size_t i = 0; i < r->nrows; i++)
		json_array_append_new(*out, segment_json(r, i, 0));
	store_result_free(r);
	return 0;
}

int store_application_segments(struct store_conn *c, long long app_id, json_t **by_permit,
			       struct error *err)
{
	struct store_param p[] = { P_INT(app_id) };
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_APP_SEGMENTS, p, 1, &r, err);
	if (rc)
		return rc;
	*by_permit = json_object();
	for (size_t i = 0; i < r->nrows; i++) {
		const char *permit = store_cell(r, i, 0);
		json_t *list = json_object_get(*by_permit, permit);
		if (!list) {
			list = json_array();
			json_object_set_new(*by_permit, permit, list);
		}
		json_array_append_new(list, segment_json(r, i, 1));
	}
	store_result_free(r);
	return 0;
}
