/* SQL for excavations: the road segments each permit digs, and where they overlap. */
#include "excavations.h"

#include <stdlib.h>

#include "store/multirow.h"
#include "store/rows.h"

static const char HEAD_EXCAVATION[] =
	"INSERT INTO excavations (application_id, permit_id, utility_kind, district_code, road, "
	"road_class, from_m, to_m, width_m, start_day, end_day) "
	"VALUES ";
static const char ROW_EXCAVATION[] = "(?, ?, ?, ?, ?, ?, ?, ?, ? / 100, ?, ?)";
static const char SQL_OVERLAPS[] =
	"SELECT DISTINCT e.permit_id FROM excavations e JOIN applications a ON a.id = e.application_id "
	"WHERE e.district_code = ? AND e.road = ? AND e.from_m <= ? AND e.to_m >= ? "
	"AND e.start_day <= ? AND e.end_day >= ? AND e.application_id <> ? AND a.status = 'open' "
	"AND e.permit_id IS NOT NULL ORDER BY 1 LIMIT 20";
static const char SQL_SEGMENTS[] =
	"SELECT road, from_m, to_m, width_m, road_class FROM excavations WHERE permit_id = ? "
	"ORDER BY id";
static const char SQL_APP_SEGMENTS[] =
	"SELECT permit_id, road, from_m, to_m, width_m, road_class FROM excavations "
	"WHERE application_id = ? AND permit_id IS NOT NULL ORDER BY id";

/* The batch inserts' statements, built by row count on first use (store/multirow.h). */
static struct multirow excavation_batch = MULTIROW_INIT(HEAD_EXCAVATION, ROW_EXCAVATION, 11, false);

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
}

int store_excavation_insert(struct store_conn *c, const struct excavation_new *e, struct error *err)
{
	return store_excavations_insert_many(c, e, 1, err);
}

int store_excavations_insert_many(struct store_conn *c, const struct excavation_new *e, size_t n,
				  struct error *err)
{
	return multirow_insert(c, &excavation_batch, e, n, excavation_fill, NULL, err);
}

int store_overlapping_permits(struct store_conn *c, long long app_id, const char *district,
			      const char *road, int from_m, int to_m, day_t start, day_t end,
			      long long *permits, size_t cap, size_t *n, struct error *err)
{
	char d1[11], d2[11];
	struct store_param p[] = { P_STR(district), P_STR(road),	P_INT(to_m),
				   P_INT(from_m),   rows_day_param(end, d1), rows_day_param(start, d2),
				   P_INT(app_id) };
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_OVERLAPS, p, 7, &r, err);
	*n = 0;
	for (size_t i = 0; rc == 0 && i < r->nrows && *n < cap; i++)
		permits[(*n)++] = store_cell_ll(r, i, 0, 0);
	store_result_free(r);
	return rc;
}

/* One segment of a result whose road, from_m, to_m, width_m, road_class start at col. */
static json_t *segment_json(const struct store_result *r, size_t i, size_t col)
{
	return json_pack("{s:s, s:I, s:I, s:f, s:s}", "road", store_cell(r, i, col), "from_m",
			 (json_int_t)store_cell_ll(r, i, col + 1, 0), "to_m",
			 (json_int_t)store_cell_ll(r, i, col + 2, 0), "width_m",
			 atof(store_cell(r, i, col + 3)), "road_class", store_cell(r, i, col + 4));
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
