/* SQL for an application's project, a job's agreed point and planned digs (issue #20). */
#define _GNU_SOURCE
#include "coordination.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/projects.h"
#include "store/rows.h"
#include "lib/xalloc.h"

static const char SQL_APP_PROJECT[] = "UPDATE applications SET project_id = ? WHERE id = ?";
static const char SQL_JOB_AGREED[] =
    "UPDATE jobs SET guidance_id = ?, connection_point = ? WHERE id = ?";
static const char SQL_JOB_GUIDANCE[] = "SELECT COALESCE(guidance_id, 0) FROM jobs WHERE id = ?";
static const char SQL_DIG_INSERT[] =
    "INSERT INTO planned_digs (project_id, seq, org_id, purpose, district_code, road_id, "
    "road_name, road_org_id, extent, start_day, end_day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
    "ST_GeomFromText(?), ?, ?)";
/* keyset paging: after the dig whose key (no road, road, start day, id) the cursor names */
static const char SQL_DIGS[] =
    "SELECT d.id, d.project_id, d.org_id, d.seq, p.name, o.name, d.purpose, d.district_code, "
    "COALESCE(d.road_id, ''), COALESCE(d.road_name, ''), ST_AsText(d.extent), d.start_day, "
    "d.end_day, COALESCE(d.road_org_id, 0) FROM planned_digs d "
    "JOIN projects p ON p.id = d.project_id "
    "JOIN organisations o ON o.id = d.org_id WHERE d.end_day >= ? "
    "AND (? IS NULL OR d.district_code = ?) AND (? IS NULL OR d.road_id = ?) "
    "AND (? = 0 OR d.project_id = ?) "
    "AND (? = 0 OR d.road_org_id = ?) "
    "AND (? = 0 OR (d.road_id IS NULL, COALESCE(d.road_id, ''), d.start_day, d.id) > "
    "(?, ?, ?, ?)) "
    "ORDER BY d.road_id IS NULL, d.road_id, d.start_day, d.id LIMIT ?";
static const char SQL_DIG_KEY[] =
    "SELECT d.road_id IS NULL, COALESCE(d.road_id, ''), d.start_day FROM planned_digs d "
    "WHERE d.id = ? AND (? = 0 OR d.road_org_id = ?)";

/*
 * The road's turn for registering digs (coordination_locks, migration 0021): a write, so that
 * two registrations on one road take turns on one server (the row lock) and on a Galera cluster
 * too, where a locking read holds only on its own node but two writes of one row on different
 * nodes conflict at commit and one is rerun. The later one's conflict read (below, a locking
 * read: the latest committed rows, not the transaction's snapshot) sees the earlier one's digs.
 */
static const char SQL_ROAD_LOCK[] =
    "INSERT INTO coordination_locks (org_id, road_id, registrations) VALUES (?, ?, 1) "
    "ON DUPLICATE KEY UPDATE registrations = registrations + 1";
static const char SQL_DIGS_WINDOW[] =
    "SELECT id, project_id, start_day, end_day FROM planned_digs "
    "WHERE road_id = ? AND road_org_id = ? AND end_day >= ? AND start_day <= ? "
    "ORDER BY start_day, id";
static const char SQL_DIGS_WINDOW_LOCKED[] =
    "SELECT id, project_id, start_day, end_day FROM planned_digs "
    "WHERE road_id = ? AND road_org_id = ? AND end_day >= ? AND start_day <= ? "
    "ORDER BY start_day, id LOCK IN SHARE MODE";

int store_application_set_project(struct store_conn *c, long long app_id, long long project_id,
				  struct error *err)
{
	struct store_param p[] = {P_INT(project_id), P_INT(app_id)};
	return store_run(c, SQL_APP_PROJECT, p, 2, NULL, NULL, err);
}

int store_job_set_agreed(struct store_conn *c, long long job_id, long long guidance_id,
			 const char *connection_point, struct error *err)
{
	struct store_param p[] = {P_INT(guidance_id), P_STR(connection_point), P_INT(job_id)};
	return store_run(c, SQL_JOB_AGREED, p, 3, NULL, NULL, err);
}

int store_job_guidance(struct store_conn *c, long long job_id, long long *guidance_id,
		       struct error *err)
{
	struct store_param p[] = {P_INT(job_id)};
	struct store_result *r = NULL;
	*guidance_id = 0;
	int rc = store_exec(c, SQL_JOB_GUIDANCE, p, 1, &r, err);
	if (!rc && r->nrows)
		*guidance_id = store_cell_ll(r, 0, 0, 0);
	store_result_free(r);
	return rc;
}

int store_planned_dig_insert(struct store_conn *c, const struct planned_dig_new *d, long long *id,
			     struct error *err)
{
	char s[11], e[11];
	struct store_param p[] = {P_INT(d->project_id),
				  P_INT(d->seq),
				  P_INT(d->org_id),
				  P_STR(d->purpose),
				  P_STR(d->district),
				  d->road_id && *d->road_id ? P_STR(d->road_id) : P_NULL,
				  d->road_name && *d->road_name ? P_STR(d->road_name) : P_NULL,
				  d->road_org_id ? P_INT(d->road_org_id) : P_NULL,
				  P_STR(d->extent_wkt),
				  P_STR(cal_day_format(d->start_day, s)),
				  P_STR(cal_day_format(d->end_day, e))};
	unsigned long long insert_id = 0;
	int rc = store_run(c, SQL_DIG_INSERT, p, 11, NULL, &insert_id, err);
	*id = (long long)insert_id;
	return rc;
}

void store_planned_digs_free(struct planned_dig_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++)
		free(rows[i].extent_wkt);
	free(rows);
}

int store_planned_digs(struct store_conn *c, const struct planned_dig_query *q, size_t cap,
		       struct planned_dig_row **rows, size_t *n, struct error *err)
{
	char from[11], key_road[33] = "", key_day[11] = "";
	long long key_none = 0;
	*rows = NULL;
	*n = 0;
	if (q->after) {
		struct store_param k[] = {P_INT(q->after), P_INT(q->authority), P_INT(q->authority)};
		struct store_result *kr = NULL;
		int rc = store_exec(c, SQL_DIG_KEY, k, 3, &kr, err);
		if (rc)
			return rc;
		if (kr->nrows == 0) {
			store_result_free(kr);
			return error_set(err, ERR_NOT_FOUND, "no planned dig %lld", q->after);
		}
		key_none = store_cell_ll(kr, 0, 0, 0);
		snprintf(key_road, sizeof(key_road), "%s", store_cell(kr, 0, 1) ?: "");
		snprintf(key_day, sizeof(key_day), "%s", store_cell(kr, 0, 2) ?: "");
		store_result_free(kr);
	}
	struct store_param dist = q->district ? P_STR(q->district) : P_NULL;
	struct store_param road = q->road_id ? P_STR(q->road_id) : P_NULL;
	struct store_param p[] = {P_STR(cal_day_format(q->from_day, from)),
				  dist,
				  dist,
				  road,
				  road,
				  P_INT(q->project_id),
				  P_INT(q->project_id),
				  P_INT(q->authority),
				  P_INT(q->authority),
				  P_INT(q->after),
				  P_INT(key_none),
				  P_STR(key_road),
				  P_STR(key_day),
				  P_INT(q->after),
				  P_INT((long long)cap)};
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_DIGS, p, 15, &r, err);
	if (rc)
		return rc;
	*rows = xcalloc(r->nrows + 1, sizeof(**rows));
	for (size_t i = 0; i < r->nrows; i++) {
		struct planned_dig_row *d = &(*rows)[i];
		d->id = store_cell_ll(r, i, 0, 0);
		d->project_id = store_cell_ll(r, i, 1, 0);
		d->org_id = store_cell_ll(r, i, 2, 0);
		d->seq = (int)store_cell_ll(r, i, 3, 0);
		store_project_reference(d->project_id, d->project_reference);
		ROWS_COPY(d->project_name, store_cell(r, i, 4));
		ROWS_COPY(d->org_name, store_cell(r, i, 5));
		ROWS_COPY(d->purpose, store_cell(r, i, 6));
		ROWS_COPY(d->district, store_cell(r, i, 7));
		ROWS_COPY(d->road_id, store_cell(r, i, 8));
		ROWS_COPY(d->road_name, store_cell(r, i, 9));
		d->extent_wkt = rows_dup_cell(r, i, 10);
		d->start_day = rows_day_cell(r, i, 11);
		d->end_day = rows_day_cell(r, i, 12);
		d->road_org_id = store_cell_ll(r, i, 13, 0);
	}
	*n = r->nrows;
	store_result_free(r);
	return 0;
}


int store_road_lock(struct store_conn *c, const char *road_id, long long authority,
		    struct error *err)
{
	struct store_param p[] = {P_INT(authority), P_STR(road_id)};
	return store_run(c, SQL_ROAD_LOCK, p, 2, NULL, NULL, err);
}

int store_planned_digs_window(struct store_conn *c, const char *road_id, long long authority,
			      day_t ending_from, day_t starting_by, bool locking,
			      struct planned_dig_row **rows, size_t *n, struct error *err)
{
	char from[11], by[11];
	struct store_param p[] = {P_STR(road_id), P_INT(authority),
				  P_STR(cal_day_format(ending_from, from)),
				  P_STR(cal_day_format(starting_by, by))};
	struct store_result *r = NULL;
	*rows = NULL;
	*n = 0;
	int rc = store_exec(c, locking ? SQL_DIGS_WINDOW_LOCKED : SQL_DIGS_WINDOW, p, 4, &r, err);
	if (rc)
		return rc;
	*rows = xcalloc(r->nrows + 1, sizeof(**rows));
	for (size_t i = 0; i < r->nrows; i++) {
		struct planned_dig_row *d = &(*rows)[i];
		d->id = store_cell_ll(r, i, 0, 0);
		d->project_id = store_cell_ll(r, i, 1, 0);
		store_project_reference(d->project_id, d->project_reference);
		snprintf(d->road_id, sizeof(d->road_id), "%s", road_id);
		d->road_org_id = authority;
		d->start_day = rows_day_cell(r, i, 2);
		d->end_day = rows_day_cell(r, i, 3);
	}
	*n = r->nrows;
	store_result_free(r);
	return 0;
}
