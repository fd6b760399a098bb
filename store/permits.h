/*
 * Permits: one per authority whose consent an application needs (road, greening, planning),
 * their rows, batch inserts, optimistic updates, work windows and the sweep's list of late ones.
 */
#ifndef STORE_PERMITS_H
#define STORE_PERMITS_H

#include <stdbool.h>

#include "store/clocks.h"
#include "store/db.h"
#include "workflows/calendar.h"

struct permit_row {
	long long id;
	long long application_id;
	long long app_org_id;
	char app_reference[25];
	day_t submitted_day;
	char reference[33];
	char kind[16];
	long long authority_org_id;
	char state[25];
	char decision[33];
	bool is_deemed, fast_track, post_checked, reinstatement_passed, extension_pending;
	day_t extension_to;	     /* -1 when none */
	day_t window_from, window_to; /* -1 when none */
	day_t deadline_day;	     /* -1 when none */
	char *trigger_reason;	     /* owned */
	char *conditions;	     /* JSON or NULL, owned */
	char *decision_reason;	     /* JSON or NULL, owned */
	int version;
	struct stored_clock clock;
	char updated_at[32];
};

/* Frees the row's owned strings and zeroes it. */
void store_permit_row_release(struct permit_row *r);

/* A permit to insert. Strings and clock borrowed; clock NULL: no stage runs. */
struct permit_new {
	long long application_id;
	const char *reference, *kind, *state, *decision, *trigger_reason;
	long long authority_org_id;
	bool fast_track;
	day_t window_from, window_to; /* -1 when none */
	day_t deadline_day;	      /* -1 when none */
	const struct stored_clock *clock;
	const char *fast_track_basis; /* JSON: what decided the fast track, or NULL */
};
/*
 * Inserts n permits (n may be 0) with multi-row INSERTs, in the order given, and reports their
 * ids in that order (ids: n of them). Use it inside a transaction: a failure may leave earlier
 * chunks written (store/multirow.h). Errors as store_exec's (ERR_CONFLICT: a duplicate).
 */
int store_permits_insert_many(struct store_conn *c, const struct permit_new *p, size_t n,
			      long long *ids, struct error *err);
/* One permit (store_permits_insert_many with one row); *id its id. */
int store_permit_insert(struct store_conn *c, const struct permit_new *p, long long *id,
			struct error *err);

/*
 * Loads a permit (with its application's organisation and submission day) into *out, whose
 * strings are then the caller's (store_permit_row_release); for_update locks the row until the
 * transaction ends. ERR_NOT_FOUND when there is none; *out is untouched on any failure.
 */
int store_permit_get(struct store_conn *c, long long id, bool for_update, struct permit_row *out,
		     struct error *err);
/*
 * Every permit of an application, in id order: *rows is a new array of *n rows (the caller
 * releases each row, then frees the array; never NULL on success). On failure *rows is NULL and
 * *n 0.
 */
int store_permits_of_application(struct store_conn *c, long long app_id, struct permit_row **rows,
				 size_t *n, struct error *err);
/* The same for the permits linked to one job (the ones its works need). */
int store_permits_of_job(struct store_conn *c, long long job_id, struct permit_row **rows,
			 size_t *n, struct error *err);

/*
 * The ids of the permits that cover one of the job's own excavations (its utility's digs in its
 * application), into *ids (the caller frees; NULL when none) and *n. 0 or the database's error.
 */
int store_permits_dug_by_job(struct store_conn *c, long long job_id, long long **ids, size_t *n,
			     struct error *err);

/*
 * Saves a permit's new state with optimistic concurrency: only when the stored version is still
 * `version` (ERR_CONFLICT "changed meanwhile" otherwise, and nothing is changed). Every field is
 * written except conditions and decision_reason, which NULL leaves unchanged. Other errors as
 * store_exec's. Strings and clock borrowed.
 */
struct permit_update {
	long long id;
	int version;
	const char *state, *decision;
	bool is_deemed, post_checked, reinstatement_passed, extension_pending;
	day_t extension_to, window_from, window_to, deadline_day;
	const struct stored_clock *clock;
	const char *conditions, *decision_reason; /* NULL: unchanged */
};
int store_permit_update(struct store_conn *c, const struct permit_update *u, struct error *err);

/*
 * Sets a permit's work window (both bounds; -1: none), bumping its version without checking it
 * (lock the row first: store_permit_get for_update). Errors as store_exec's; no such permit is
 * no error.
 */
int store_permit_set_window(struct store_conn *c, long long id, day_t from, day_t to,
			    struct error *err);

/*
 * The organisations of the utilities whose jobs need a permit, in id order, at most cap of them
 * into orgs, *n how many. Errors as store_exec's (*n is then 0).
 */
int store_permit_utility_orgs(struct store_conn *c, long long permit_id, long long *orgs,
			      size_t cap, size_t *n, struct error *err);

/*
 * Up to cap permits still undecided whose running stage was due before today (for the sweep), in
 * id order, into ids; *n how many. Errors as store_exec's (*n is then 0).
 */
int store_permits_due(struct store_conn *c, day_t today, long long *ids, size_t cap, size_t *n,
		      struct error *err);

#endif
