/*
 * SQL for what the portal publishes: fee schedule and service standard drafts and versions,
 * the working-day calendar, and the publication sequence other instances poll.
 */
#ifndef STORE_PUBLISHED_H
#define STORE_PUBLISHED_H

#include <stdbool.h>
#include <stddef.h>

#include "store/db.h"
#include "workflows/calendar.h"

/* The two versioned documents; both tables have the same shape. */
enum pub_table { PUB_FEES, PUB_STANDARDS };

/* One row of fee_schedules or service_standards. Release with store_pub_row_release. */
struct pub_row {
	long long id;
	long long org_id;
	char org_name[201];
	char kind[16];	     /* utility_kind (fees) or kind (standards) */
	int version;	     /* 0 while a draft */
	bool published;
	char effective_from[11];
	char *body;	     /* the document's JSON text, owned */
	char created_at[21]; /* RFC 3339 UTC */
	char published_at[21]; /* "" while a draft */
};

void store_pub_row_release(struct pub_row *r);
/* Releases n rows and frees the array. Safe on NULL. */
void store_pub_rows_free(struct pub_row *rows, size_t n);

/* Inserts a draft; its id in *id. ERR_INTERNAL for an unknown kind (the enum refuses it). */
int store_pub_draft_create(struct store_conn *c, enum pub_table t, long long org_id,
			   const char *kind, const char *effective_from, const char *body,
			   long long user_id, long long *id, struct error *err);

/*
 * Loads one row (draft or published); with lock, FOR UPDATE (inside a transaction).
 * ERR_NOT_FOUND when there is none.
 */
int store_pub_get(struct store_conn *c, enum pub_table t, long long id, bool lock,
		  struct pub_row *out, struct error *err);

/*
 * Replaces a draft's kind, date and body. ERR_CONFLICT when the row is published (published
 * rows never change; the database's triggers refuse it too), ERR_NOT_FOUND when absent.
 */
int store_pub_draft_update(struct store_conn *c, enum pub_table t, long long id,
			   const char *kind, const char *effective_from, const char *body,
			   struct error *err);

/*
 * Rows with id > after, ascending, at most limit; org_id 0 means every organisation's,
 * kind NULL every kind. *rows is the caller's (store_pub_rows_free).
 */
int store_pub_list(struct store_conn *c, enum pub_table t, long long org_id, const char *kind,
		   long long after, int limit, struct pub_row **rows, size_t *n,
		   struct error *err);

/*
 * The next version (max + 1), locking those versions until commit: of a fee schedule, per
 * organisation and kind (each utility numbers its own); of a service standard, per kind
 * (org_id is ignored: the office's, one per kind).
 */
int store_pub_next_version(struct store_conn *c, enum pub_table t, long long org_id,
			   const char *kind, int *version, struct error *err);

/*
 * Turns a draft into version `version` with the final body, stamped now, and bumps the
 * publication sequence. ERR_CONFLICT when it is no longer a draft (or the version is taken).
 */
int store_pub_publish(struct store_conn *c, enum pub_table t, long long id, int version,
		      const char *body, long long user_id, struct error *err);

/*
 * Every published row of the table, by kind then version (fees: by kind, organisation id,
 * version). *rows is the caller's.
 */
int store_pub_load_published(struct store_conn *c, enum pub_table t, struct pub_row **rows,
			     size_t *n, struct error *err);

/* The publication sequence: bumped by every publication of anything. */
int store_publication_seq(struct store_conn *c, long long *seq, struct error *err);
int store_publication_bump(struct store_conn *c, struct error *err);

/* One named day of the calendar. */
struct calendar_day {
	day_t day;
	bool holiday; /* false: a make-up working day */
	char name_zh[101];
	char name_en[101];
};

/*
 * The whole calendar: *cal filled with calendar_add_* (release with calendar_release) including
 * the cut-off; *days (may be NULL if not wanted) every named day in order, the caller's to free.
 */
int store_calendar_load(struct store_conn *c, struct calendar *cal, struct calendar_day **days,
			size_t *ndays, struct error *err);

/*
 * Replaces every day of `year` with days[0..n) (all inside that year) and sets the daily
 * cut-off, then bumps the publication sequence. Run it inside a transaction.
 */
int store_calendar_replace_year(struct store_conn *c, int year, const struct calendar_day *days,
				size_t n, int cutoff_seconds, struct error *err);

#endif
