/*
 * Utility jobs: one per utility an application needs (water, power, gas, ...), their rows,
 * batch inserts, optimistic updates, and the links to the permits that gate their works.
 */
#ifndef STORE_JOBS_H
#define STORE_JOBS_H

#include <stdbool.h>

#include "store/clocks.h"
#include "store/db.h"
#include "workflows/calendar.h"

struct job_row {
	long long id;
	long long application_id;
	long long app_org_id; /* the applicant's organisation */
	char app_reference[25];
	day_t submitted_day;
	char reference[33];
	char utility_kind[16];
	long long utility_org_id;
	char state[25];
	int version;
	struct stored_clock clock;
	char *params;		/* JSON, owned */
	char *connection_point; /* JSON or NULL, owned */
	char *quote;		/* JSON or NULL, owned */
	long long quote_total_fen; /* -1 when none */
	char *permits_needed;	/* JSON or NULL, owned */
	char updated_at[32];
};

/* Frees the row's owned strings and zeroes it. */
void store_job_row_release(struct job_row *r);

/* A job to insert. Strings and clock borrowed; clock NULL: no stage runs. */
struct job_new {
	long long application_id;
	const char *reference, *utility_kind, *state, *params;
	long long utility_org_id;
	const struct stored_clock *clock;
};
/*
 * Inserts n jobs (n may be 0) with multi-row INSERTs, in the order given, and reports their ids
 * in that order (ids: n of them). Use it inside a transaction: a failure may leave earlier
 * chunks written (store/multirow.h). Errors as store_exec's (ERR_CONFLICT: a duplicate).
 */
int store_jobs_insert_many(struct store_conn *c, const struct job_new *j, size_t n,
			   long long *ids, struct error *err);
/* One job (store_jobs_insert_many with one row); *id its id. */
int store_job_insert(struct store_conn *c, const struct job_new *j, long long *id, struct error *err);

/* A job's works need a permit. */
struct job_permit {
	long long job_id, permit_id;
};
/* Links one job to one permit (store_job_permit_links with one row). */
int store_job_permit_link(struct store_conn *c, long long job_id, long long permit_id,
			  struct error *err);
/*
 * Inserts n links (n may be 0) with multi-row INSERTs, in the order given; inside a transaction,
 * as store_jobs_insert_many. ERR_CONFLICT when a link exists already.
 */
int store_job_permit_links(struct store_conn *c, const struct job_permit *links, size_t n,
			   struct error *err);

/*
 * Replaces the permits that gate a job's construction with permit_ids[0..n) (the plan's list):
 * every other link of the job is removed. Inside the caller's transaction; 0 or the database's
 * error (nothing is half-done once the transaction rolls back).
 */
int store_job_permits_replace(struct store_conn *c, long long job_id, const long long *permit_ids,
			      size_t n, struct error *err);

/*
 * Loads a job (with its application's organisation and submission day) into *out, whose strings
 * are then the caller's (store_job_row_release); for_update locks the row until the transaction
 * ends. ERR_NOT_FOUND when there is none; *out is untouched on any failure.
 */
int store_job_get(struct store_conn *c, long long id, bool for_update, struct job_row *out,
		  struct error *err);
/*
 * Every job of an application, in id order: *rows is a new array of *n rows (the caller releases
 * each row, then frees the array; never NULL on success). On failure *rows is NULL and *n 0.
 */
int store_jobs_of_application(struct store_conn *c, long long app_id, struct job_row **rows,
			      size_t *n, struct error *err);

/*
 * Saves a job's new state with optimistic concurrency: only when the stored version is still
 * `version` (ERR_CONFLICT "changed meanwhile" otherwise, and nothing is changed). NULL text
 * fields are left unchanged. Other errors as store_exec's. Strings and clock borrowed.
 */
struct job_update {
	long long id;
	int version;
	const char *state;
	const struct stored_clock *clock;
	const char *connection_point, *quote, *permits_needed;
	long long quote_total_fen; /* -1: unchanged */
};
int store_job_update(struct store_conn *c, const struct job_update *u, struct error *err);

#endif
