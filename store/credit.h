/*
 * SQL for what follows a fast-tracked decision (migrations/0014_postchecks_credit.sql): the
 * office's oversight rules, the sample drawn per permit, post-check results, rectifications and
 * the credit records with their appeals.
 */
#ifndef STORE_CREDIT_H
#define STORE_CREDIT_H

#include <stdbool.h>
#include <stddef.h>

#include "store/db.h"
#include "workflows/calendar.h"
#include "workflows/credit.h"
#include "lib/error.h"

/*
 * The oversight rules of version (0: the version in force, the highest) into *out, and its
 * publication time into published_at (21 bytes, may be NULL). ERR_NOT_FOUND when there is no
 * such version; ERR_INTERNAL when the stored body does not read. Errors as store_exec's.
 */
int store_oversight_rules_load(struct store_conn *c, int version, struct oversight_rules *out,
			       char *published_at, struct error *err);

/* Publishes body (checked by the caller) as the next version, by user `by`: *version. */
int store_oversight_rules_publish(struct store_conn *c, const char *body, long long by,
				  int *version, struct error *err);

/* The draw for a fast-tracked permit, recorded once. Errors as store_exec's. */
int store_sample_record(struct store_conn *c, long long permit_id, int rules_version,
			const char *risk, int share, int draw, bool sampled, struct error *err);

/* The samples per rule version and risk class. */
struct sample_group {
	int rules_version, share_percent;
	char risk[17];
	long long permits, sampled;
};

/* Every group, newest rule version first: *rows new (the caller frees). */
int store_sample_groups(struct store_conn *c, struct sample_group **rows, size_t *n,
			struct error *err);

/* A post-check result to record. codes and photos are JSON arrays as text. */
struct post_check_result_new {
	long long permit_id, task_id, org_id, user_id;
	const char *result, *codes, *photos, *comment, *at;
	int code_list_version;
};

/* Appends it: *id. Errors as store_exec's. */
int store_post_check_result_insert(struct store_conn *c, const struct post_check_result_new *r,
				   long long *id, struct error *err);

/* A remedial task left open past its due day (tasks of kind 'remedial', migration 0015). */
struct remedial_overdue {
	long long task_id, org_id, permit_id;
	day_t due_day;
};

/*
 * Up to max remedial tasks still open with a due day before today and no remedial_overdue
 * credit entry yet, oldest first, into rows (n set). With lock, the one task_id only, locked
 * (FOR UPDATE), to be sure it is still open and overdue before the entry is written.
 */
int store_remedial_overdue(struct store_conn *c, day_t today, long long task_id, bool lock,
			   struct remedial_overdue *rows, size_t max, size_t *n, struct error *err);

/* Opens a task of kind for org on a permit: *id. Errors as store_exec's. */
int store_task_open(struct store_conn *c, long long permit_id, const char *kind, long long org_id,
		    long long *id, struct error *err);

/* A rectification to open (the task is opened with it). */
struct rectification_new {
	long long permit_id, result_id, org_id;
	day_t opened_on, due_day;
	int limit_days;
};

/* Opens the applicant's task and its rectification: *task_id. */
int store_rectification_open(struct store_conn *c, const struct rectification_new *r,
			     long long *task_id, struct error *err);

/* One rectification with what its queue shows. */
struct rectification_row {
	long long task_id, permit_id, org_id, application_id, result_id;
	char reference[33], app_reference[25], status[12], permit_state[25];
	day_t opened_on, due_day;
	int limit_days;
	char *codes; /* the failed result's codes (JSON text), owned */
};

/* Frees the rows' contents and the array. Safe on NULL. */
void store_rectification_rows_free(struct rectification_row *rows, size_t n);

/*
 * Rectifications: org's (0: every one), of permit_id (0: any), status NULL for any, at most
 * cap, newest first; or the one of task_id (> 0, with lock: FOR UPDATE). *rows new
 * (store_rectification_rows_free).
 */
int store_rectifications(struct store_conn *c, long long org_id, long long permit_id,
			 long long task_id, const char *status, bool lock, size_t cap,
			 struct rectification_row **rows, size_t *n, struct error *err);

/*
 * One page of the rectifications list: org's (0: every one), status NULL for any, newest
 * first, task ids below `before` (0: from the newest), at most limit + 1 rows (one more than
 * shown says there are more). *rows new (store_rectification_rows_free).
 */
int store_rectification_page(struct store_conn *c, long long org_id, const char *status,
			     long long before, int limit, struct rectification_row **rows,
			     size_t *n, struct error *err);

/* The whole list's size under the same filter, and how many are open past their due day. */
int store_rectification_tally(struct store_conn *c, long long org_id, const char *status,
			      day_t today, long long *count, long long *overdue, struct error *err);

/* Whether the permit has an open rectification. */
int store_rectification_open_for(struct store_conn *c, long long permit_id, bool *open,
				 struct error *err);

/* Settles an open rectification (and its task) as "rectified" or "revoked" at `at`. */
int store_rectification_settle(struct store_conn *c, long long task_id, const char *status,
			       const char *note, const char *at, struct error *err);

/* Open rectifications past their due day whose permit is still approved: up to cap task ids. */
int store_rectifications_overdue(struct store_conn *c, day_t today, long long *ids, size_t cap,
				 size_t *n, struct error *err);

/* A credit entry to write. evidence is JSON text. */
struct credit_new {
	long long org_id, permit_id, task_id; /* permit_id, task_id 0: none */
	const char *rule, *severity, *evidence;
	int rules_version;
	day_t occurred_on, expires_on;
};

/* Writes it: *id (0 when the same event was recorded already). Errors as store_exec's. */
int store_credit_insert(struct store_conn *c, const struct credit_new *e, long long *id,
			struct error *err);

/* One entry as the record shows it. Strings owned by the row. */
struct credit_row {
	long long id, org_id, permit_id, task_id;
	char rule[33], severity[12], status[12], decision[12];
	int rules_version;
	day_t occurred_on, expires_on;
	char *evidence, *appeal_reason, *decision_reason;
	char appealed_at[32], decided_at[32];
};

void store_credit_rows_free(struct credit_row *rows, size_t n);

/*
 * org's entries newest first (or the one of id > 0, locked when lock): *rows new
 * (store_credit_rows_free). Errors as store_exec's.
 */
int store_credit_entries(struct store_conn *c, long long org_id, long long id, bool lock,
			 struct credit_row **rows, size_t *n, struct error *err);

/*
 * One page of org's record, newest first: entry ids below `before` (0: from the newest), at
 * most limit + 1 rows (one more than shown says there are more). *rows new
 * (store_credit_rows_free).
 */
int store_credit_page(struct store_conn *c, long long org_id, long long before, int limit,
		      struct credit_row **rows, size_t *n, struct error *err);

/* The whole record's size, and its entries in standing (not withdrawn, not expired by today). */
int store_credit_tally(struct store_conn *c, long long org_id, day_t today, long long *count,
		       long long *standing, struct error *err);

/* Marks an entry appealed by user `by` with reason at `at`. */
int store_credit_appeal(struct store_conn *c, long long id, const char *reason, long long by,
			const char *at, struct error *err);

/* The office's decision on an appeal: "upheld" (active again) or "withdrawn". */
int store_credit_decide(struct store_conn *c, long long id, const char *decision,
			const char *reason, long long by, const char *at, struct error *err);

/* A task as stored. */
struct stored_task {
	long long id, permit_id, org_id;
	char kind[16], status[8];
};

/* The task of id (locked): ERR_NOT_FOUND when there is none. */
int store_task_get(struct store_conn *c, long long id, struct stored_task *out, struct error *err);

/* The newest open task of kind on the permit: *id, 0 when none. */
int store_task_open_of(struct store_conn *c, long long permit_id, const char *kind, long long *id,
		       struct error *err);

/* Whether material id is org's and of type. */
int store_material_of(struct store_conn *c, long long id, long long org_id, const char *type,
		      bool *ok, struct error *err);

/* The applicant organisation of the permit's application. */
int store_permit_applicant_org(struct store_conn *c, long long permit_id, long long *org_id,
			       struct error *err);

#endif
