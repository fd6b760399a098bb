/* Applications, utility jobs and permits: rows, the transition history, pauses and the outbox. */
#ifndef STORE_TRACKS_H
#define STORE_TRACKS_H

#include <jansson.h>
#include <stdbool.h>

#include "store/db.h"
#include "workflows/calendar.h"
#include "workflows/clock.h"

/* The stage clock as stored; stage[0] == 0 when no stage runs. */
struct stored_clock {
	char stage[33];
	struct clock clock;
};

struct application_row {
	long long id;
	char reference[25];
	long long org_id;
	long long site_id;
	char status[16];
	char submitted_at[32];
	day_t submitted_day;
	long long estimate_total_fen;
	int version;
	char *request;	/* JSON text, owned */
	char *estimate; /* JSON text, owned */
};

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

void store_application_row_release(struct application_row *r);
void store_job_row_release(struct job_row *r);
void store_permit_row_release(struct permit_row *r);

/* The next number of the year's reference counter (HK-YYYY-NNNNNN), inside the transaction. */
int store_next_reference(struct store_conn *c, int year, long long *n, struct error *err);

/* An application to insert. Strings borrowed. */
struct application_new {
	const char *reference;
	long long org_id, site_id, created_by;
	const char *submitted_at; /* "YYYY-MM-DD HH:MM:SS.ffffff" UTC */
	day_t submitted_day;
	const char *request, *estimate, *idempotency_key, *request_hash;
	long long estimate_total_fen;
};
int store_application_insert(struct store_conn *c, const struct application_new *a, long long *id,
			     struct error *err);
int store_application_material(struct store_conn *c, long long app_id, long long material_id,
			       struct error *err);

/*
 * Batch inserts (this one, store_jobs_insert_many, store_permits_insert_many,
 * store_job_permit_links, store_excavations_insert_many, store_transitions_insert_many,
 * store_outbox_insert_many) write n rows (n may be 0) with multi-row INSERTs, a few statements
 * instead of one per row, in the order given. Use them inside a transaction: a failure may
 * leave earlier chunks written. Jobs and permits, which other rows reference, report their ids
 * (INSERT ... RETURNING) in that order. Errors as store_exec's (ERR_CONFLICT: duplicate).
 */
int store_application_materials(struct store_conn *c, long long app_id,
				const long long *material_ids, size_t n, struct error *err);
/* By id; with for_update the row is locked. ERR_NOT_FOUND when absent. */
int store_application_get(struct store_conn *c, long long id, struct application_row *out,
			  struct error *err);
/* The application created with this idempotency key by org, if any (*id 0 when none). */
int store_application_by_key(struct store_conn *c, long long org_id, const char *key, long long *id,
			     char request_hash[65], struct error *err);
/* Own organisation's applications after `after`, newest first when after == 0. JSON array. */
int store_application_list(struct store_conn *c, long long org_id, const char *status,
			   long long after, int limit, json_t **items, long long *last,
			   bool *more, struct error *err);
int store_application_set_status(struct store_conn *c, long long id, const char *status,
				 struct error *err);

struct job_new {
	long long application_id;
	const char *reference, *utility_kind, *state, *params;
	long long utility_org_id;
	const struct stored_clock *clock;
};
/* ids: n of them, in the order of j. */
int store_jobs_insert_many(struct store_conn *c, const struct job_new *j, size_t n,
			   long long *ids, struct error *err);
int store_job_insert(struct store_conn *c, const struct job_new *j, long long *id, struct error *err);

struct permit_new {
	long long application_id;
	const char *reference, *kind, *state, *decision, *trigger_reason;
	long long authority_org_id;
	bool fast_track;
	day_t window_from, window_to; /* -1 when none */
	day_t deadline_day;	      /* -1 when none */
	const struct stored_clock *clock;
};
/* ids: n of them, in the order of p. */
int store_permits_insert_many(struct store_conn *c, const struct permit_new *p, size_t n,
			      long long *ids, struct error *err);
int store_permit_insert(struct store_conn *c, const struct permit_new *p, long long *id,
			struct error *err);
int store_job_permit_link(struct store_conn *c, long long job_id, long long permit_id,
			  struct error *err);
struct job_permit {
	long long job_id, permit_id;
};
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
 * The ids of the permits that cover one of the job's own excavations (its utility's digs in its
 * application), into *ids (the caller frees; NULL when none) and *n. 0 or the database's error.
 */
int store_permits_dug_by_job(struct store_conn *c, long long job_id, long long **ids, size_t *n,
			     struct error *err);

/* The customer class the application declared, into out ("" when none). 0, ERR_NOT_FOUND. */
int store_application_customer_class(struct store_conn *c, long long app_id, char out[32],
				     struct error *err);

struct excavation_new {
	long long application_id, permit_id;
	const char *utility_kind, *district, *road, *road_class;
	int from_m, to_m, width_cm;
	day_t start_day, end_day;
};
int store_excavation_insert(struct store_conn *c, const struct excavation_new *e, struct error *err);
int store_excavations_insert_many(struct store_conn *c, const struct excavation_new *e, size_t n,
				  struct error *err);

/* Loads a job (with its application's organisation and submission day); lock with for_update. */
int store_job_get(struct store_conn *c, long long id, bool for_update, struct job_row *out,
		  struct error *err);
int store_permit_get(struct store_conn *c, long long id, bool for_update, struct permit_row *out,
		     struct error *err);
/* Every job / permit of an application, in id order. Arrays owned by the caller (release each). */
int store_jobs_of_application(struct store_conn *c, long long app_id, struct job_row **rows,
			      size_t *n, struct error *err);
int store_permits_of_application(struct store_conn *c, long long app_id, struct permit_row **rows,
				 size_t *n, struct error *err);
/* The permits linked to one job (the ones its works need). */
int store_permits_of_job(struct store_conn *c, long long job_id, struct permit_row **rows,
			 size_t *n, struct error *err);

/*
 * Saves a job's new state with optimistic concurrency: only when the stored version is still
 * `version` (ERR_CONFLICT "changed meanwhile" otherwise). NULL text fields are left unchanged.
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

/* One row of the transition history. */
struct transition_new {
	long long application_id;
	const char *object_type; /* application, job, permit */
	long long object_id;
	const char *action, *from_state, *to_state, *actor_role;
	long long actor_org_id, actor_user_id;
	const char *payload; /* JSON */
	const char *at;	     /* UTC "YYYY-MM-DD HH:MM:SS.ffffff" */
	const char *stage;
	day_t due_day; /* -1 when none */
};
int store_transition_insert(struct store_conn *c, const struct transition_new *t, struct error *err);
int store_transitions_insert_many(struct store_conn *c, const struct transition_new *t, size_t n,
				  struct error *err);
/* The unified timeline of an application: every transition of every track, in order. */
int store_timeline(struct store_conn *c, long long app_id, json_t **items, struct error *err);

/* Records a pause (reason, items, actor) and, on resume, closes the open one. */
struct pause_new {
	const char *object_type;
	long long object_id;
	const char *stage, *reason, *items, *actor_role;
	long long actor_org_id, actor_user_id;
	const char *at;
	day_t day;
	int remaining_days;
};
int store_pause_insert(struct store_conn *c, const struct pause_new *p, struct error *err);
int store_pause_close(struct store_conn *c, const char *object_type, long long object_id,
		      const char *at, struct error *err);

int store_task_insert(struct store_conn *c, long long permit_id, const char *kind, long long org_id,
		      struct error *err);
int store_inspection_insert(struct store_conn *c, long long permit_id, const char *kind,
			    const char *result, const char *comment, long long org_id,
			    long long user_id, const char *at, struct error *err);
int store_extension_insert(struct store_conn *c, long long permit_id, day_t old_to, day_t new_to,
			   const char *reason, const char *at, struct error *err);
int store_extension_settle(struct store_conn *c, long long permit_id, bool granted,
			   const char *at, struct error *err);

/* One event for one organisation, written with the change it reports. */
int store_outbox_insert(struct store_conn *c, long long org_id, long long application_id,
			const char *event_type, const char *payload, struct error *err);
/* An event to insert (application_id 0: none). Strings borrowed. */
struct outbox_new {
	long long org_id, application_id;
	const char *event_type, *payload;
};
/* Events in the order given: the dispatcher delivers per organisation in id order. */
int store_outbox_insert_many(struct store_conn *c, const struct outbox_new *rows, size_t n,
			     struct error *err);

/*
 * Queues for a utility (jobs) or an authority (permits): state filter (NULL any), overdue only
 * (due before today, running), keyset after id, ascending. JSON arrays of summaries.
 */
int store_job_queue(struct store_conn *c, long long org_id, const char *state, bool overdue,
		    day_t today, long long after, int limit, json_t **items, long long *last,
		    bool *more, struct error *err);
int store_permit_queue(struct store_conn *c, long long org_id, const char *state, bool overdue,
		       day_t today, long long after, int limit, json_t **items, long long *last,
		       bool *more, struct error *err);

/* Stored idempotent replies. */
int store_idem_get(struct store_conn *c, long long org_id, const char *route, const char *key,
		   char hash[65], int *status, char **response, struct error *err);
int store_idem_put(struct store_conn *c, long long org_id, const char *route, const char *key,
		   const char *hash, int status, const char *response, struct error *err);

/* The organisations of the utilities whose jobs need a permit (at most cap). */
int store_permit_utility_orgs(struct store_conn *c, long long permit_id, long long *orgs,
			      size_t cap, size_t *n, struct error *err);
/* Opens a remedial task for every utility whose job needs the permit. */
int store_remedial_tasks(struct store_conn *c, long long permit_id, struct error *err);
/*
 * Marks an application completed when none of its jobs is still open (withdrawn when every
 * job was withdrawn). Cannot make an open application of one that still has work.
 */
int store_application_refresh_status(struct store_conn *c, long long app_id, struct error *err);

/* The organisations of the utilities whose jobs need a permit (at most cap). */
int store_permit_utility_orgs(struct store_conn *c, long long permit_id, long long *orgs,
			      size_t cap, size_t *n, struct error *err);
/* Opens a remedial task for every utility whose job needs the permit. */
int store_remedial_tasks(struct store_conn *c, long long permit_id, struct error *err);
/*
 * Marks an application completed when none of its jobs is still open (withdrawn when every
 * job was withdrawn). Cannot make an open application of one that still has work.
 */
int store_application_refresh_status(struct store_conn *c, long long app_id, struct error *err);

/* Up to cap permits still undecided whose running stage was due before today (for the sweep). */
int store_permits_due(struct store_conn *c, day_t today, long long *ids, size_t cap, size_t *n,
		      struct error *err);

/*
 * Trench sharing across applications: the dig-road permits of OTHER open applications whose
 * excavations on this road segment overlap in chainage and window (at most cap).
 */
int store_overlapping_permits(struct store_conn *c, long long app_id, const char *district,
			      const char *road, int from_m, int to_m, day_t start, day_t end,
			      long long *permits, size_t cap, size_t *n, struct error *err);
/* Records a proposed joint dig between two permits (once per pair). */
int store_joint_dig_propose(struct store_conn *c, long long permit_a, long long permit_b,
			    long long authority_org_id, struct error *err);
/* The proposals for an authority (status NULL: all), as JSON with both permits' windows. */
int store_joint_dig_list(struct store_conn *c, long long org_id, const char *status,
			 json_t **items, struct error *err);
struct joint_dig_row {
	long long id, permit_a, permit_b, authority_org_id;
	char status[16];
};
int store_joint_dig_get(struct store_conn *c, long long id, struct joint_dig_row *out,
			struct error *err);
int store_joint_dig_decide(struct store_conn *c, long long id, bool accepted, struct error *err);
/* Sets a permit's work window (both bounds), bumping its version. */
int store_permit_set_window(struct store_conn *c, long long id, day_t from, day_t to,
			    struct error *err);

/* Where an application's works are, for the parties' event payloads. Strings owned. */
struct application_place {
	char reference[25];
	char address[401];
	char district[33];
	char *lat, *lng; /* decimal text or NULL */
	char *request;	 /* the submitted JSON */
};
int store_application_place(struct store_conn *c, long long app_id, struct application_place *out,
			    struct error *err);
void store_application_place_release(struct application_place *p);
/* The road segments a dig-road permit covers, as [{road, from_m, to_m, width_m, road_class}]. */
int store_permit_segments(struct store_conn *c, long long permit_id, json_t **out,
			  struct error *err);
/*
 * The same for every permit of an application in one read: *by_permit is a new object whose
 * keys are permit ids in decimal, each holding that permit's segments as above. A permit
 * without excavations has no key.
 */
int store_application_segments(struct store_conn *c, long long app_id, json_t **by_permit,
			       struct error *err);

/* "YYYY-MM-DD HH:MM:SS.ffffff" for a UTC instant given in microseconds. */
void store_format_utc(long long utc_us, char out[32]);

#endif
