/*
 * From plan to application and the coordination of digs (issue #20, migrations/0016): an
 * application's project, a job's agreed connection point, planned digs by road and district.
 */
#ifndef STORE_COORDINATION_H
#define STORE_COORDINATION_H

#include <stdbool.h>
#include <stddef.h>

#include "store/db.h"
#include "workflows/calendar.h"

/* The application cites project_id. */
int store_application_set_project(struct store_conn *c, long long app_id, long long project_id,
				  struct error *err);

/* The job starts with the connection point (JSON) agreed in guidance guidance_id. */
int store_job_set_agreed(struct store_conn *c, long long job_id, long long guidance_id,
			 const char *connection_point, struct error *err);

/* The guidance the job's connection point was agreed in, 0 when none. */
int store_job_guidance(struct store_conn *c, long long job_id, long long *guidance_id,
		       struct error *err);

/* A planned dig to insert (strings borrowed; road_id NULL when on no register road). */
struct planned_dig_new {
	long long project_id, org_id;
	int seq;
	const char *purpose, *district, *road_id, *road_name, *extent_wkt;
	long long road_org_id; /* the authority whose register the road is on; 0 with no road */
	day_t start_day, end_day;
};
int store_planned_dig_insert(struct store_conn *c, const struct planned_dig_new *d, long long *id,
			     struct error *err);

/* One planned dig as read (extent owned; release with store_planned_digs_free). */
struct planned_dig_row {
	long long id, project_id, org_id;
	int seq;
	char project_reference[24], project_name[201], org_name[201];
	char purpose[201], district[33], road_id[33], road_name[101];
	char *extent_wkt;
	day_t start_day, end_day;
	long long road_org_id; /* the authority whose register road_id is on; 0 with no road */
};
void store_planned_digs_free(struct planned_dig_row *rows, size_t n);

/* Which planned digs: every one ending on or after from_day, narrowed by the others. */
struct planned_dig_query {
	day_t from_day;
	const char *district; /* NULL: every district */
	const char *road_id;  /* NULL: every road */
	long long authority;  /* not 0: only digs on roads of this authority's registers (the one
				 each dig was placed on, so another register listing the id is not) */
	long long project_id; /* not 0: only this project's */
	long long after;      /* not 0: the page after this dig (a keyset cursor: its key, no road
				 last, road id, start day, id); ERR_NOT_FOUND when it is no dig of
				 the authority's */
};
/* By road (none last), then start day, then id; at most cap (a page: ask cap + 1 for more). */
int store_planned_digs(struct store_conn *c, const struct planned_dig_query *q, size_t cap,
		       struct planned_dig_row **rows, size_t *n, struct error *err);

/*
 * Takes the turn of the register road road_id of authority until the transaction ends (a write
 * of its row in coordination_locks): registrations of digs on one road are serialised by it, on
 * one server and across a Galera cluster. Errors as store_exec's (ERR_RETRY on a deadlock or a
 * cluster conflict: rerun the transaction).
 */
int store_road_lock(struct store_conn *c, const char *road_id, long long authority,
		    struct error *err);

/*
 * Every planned dig on register road road_id of authority that ends on or after ending_from and
 * starts on or before starting_by, by start day then id, with no cap; locking: a locking read
 * (the latest committed rows, in a registering transaction). Only id, project_id (and its
 * reference), road_id, road_org_id and the days are filled.
 */
int store_planned_digs_window(struct store_conn *c, const char *road_id, long long authority,
			      day_t ending_from, day_t starting_by, bool locking,
			      struct planned_dig_row **rows, size_t *n, struct error *err);

#endif
