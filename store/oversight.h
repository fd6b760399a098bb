/*
 * Oversight storage: ratings and follow-ups, certificates and signing keys, the supervision
 * lists (overdue stages, clock pauses), the daily digest guard and the history statistics read.
 */
#ifndef STORE_OVERSIGHT_H
#define STORE_OVERSIGHT_H

#include <jansson.h>
#include <stdbool.h>

#include "store/db.h"
#include "workflows/calendar.h"

/* --- ratings and follow-ups ----------------------------------------------------------- */

/* What a rating needs to know about the rated job or permit. */
struct rating_target {
	long long application_id;
	long long owner_org_id; /* the applicant */
	long long rated_org_id; /* the utility or authority */
	char state[25];
	char decision[33]; /* permits; "" for jobs */
	char reference[33];
};

/* Loads a job or permit ("job"/"permit") for rating. ERR_NOT_FOUND when absent. */
int store_rating_target(struct store_conn *c, const char *object_type, long long id,
			struct rating_target *out, struct error *err);

/* Inserts a rating; ERR_CONFLICT when the object was already rated. */
struct rating_new {
	const char *object_type;
	long long object_id, application_id, rater_org_id, rater_user_id, rated_org_id;
	const char *score, *comment;
};
int store_rating_insert(struct store_conn *c, const struct rating_new *r, long long *id,
			struct error *err);

/* Opens the follow-up of a (bad) rating for the rated organisation. */
int store_follow_up_open(struct store_conn *c, long long rating_id, long long org_id, long long *id,
			 struct error *err);

/* A follow-up's organisation and status, locked with for_update. ERR_NOT_FOUND when absent. */
int store_follow_up_get(struct store_conn *c, long long id, bool for_update, long long *org_id,
			char status[16], struct error *err);
int store_follow_up_answer(struct store_conn *c, long long id, long long user_id,
			   const char *answer, struct error *err);
int store_follow_up_close(struct store_conn *c, long long id, long long user_id, const char *note,
			  struct error *err);
/* One follow-up with its rating, as JSON (new reference). */
int store_follow_up_json(struct store_conn *c, long long id, json_t **out, struct error *err);
/* Follow-ups of org (0: all), keyset after id, ascending. */
int store_follow_ups(struct store_conn *c, long long org_id, long long after, int limit,
		     json_t **items, long long *last, bool *more, struct error *err);

/* --- certificates and keys ------------------------------------------------------------ */

/* Records a public key (idempotent). */
int store_key_register(struct store_conn *c, const char *key_id, const char *public_b64,
		       struct error *err);
/* Marks a key retired (it no longer signs; its public half stays published). */
int store_key_retire(struct store_conn *c, const char *key_id, struct error *err);
/* Every key, newest first: [{key_id, algorithm, public_key, created_at, retired_at}]. */
int store_keys(struct store_conn *c, json_t **items, struct error *err);

/* What a certificate of a job or permit says, read from its rows. Strings owned by the struct. */
struct certificate_facts {
	long long application_id;
	char reference[33];
	char kind[16]; /* utility kind or permit kind */
	char state[25];
	char decision[33]; /* permits */
	bool is_deemed;
	day_t window_from, window_to; /* permits; -1 when none */
	char holder[201];
	char district[33];
	char *connection_point; /* jobs: JSON or NULL */
};
int store_certificate_facts(struct store_conn *c, const char *object_type, long long id,
			    struct certificate_facts *out, struct error *err);
void store_certificate_facts_release(struct certificate_facts *f);

/* Whether the object already has a certificate (its number into number, else ""). */
int store_certificate_of(struct store_conn *c, const char *object_type, long long id,
			 char number[24], struct error *err);
/* The next number of the year's certificate counter, inside the transaction. */
int store_certificate_next(struct store_conn *c, int year, long long *n, struct error *err);

struct certificate_new {
	const char *number, *object_type;
	long long object_id, application_id;
	const char *key_id, *document, *signature, *issued_at; /* issued_at "YYYY-MM-DD HH:MM:SS" */
	day_t valid_to;					       /* -1: none */
};
int store_certificate_insert(struct store_conn *c, const struct certificate_new *n,
			     struct error *err);

/* A stored certificate with the current state of what it certifies. Strings owned. */
struct certificate_row {
	char number[24];
	char object_type[8];
	char key_id[33];
	char *document;
	char *signature;
	day_t valid_to;
	char object_state[25]; /* the job's or permit's state now */
	char public_key[64];   /* base64 of the signing key */
};
int store_certificate_get(struct store_conn *c, const char *number, struct certificate_row *out,
			  struct error *err);
void store_certificate_row_release(struct certificate_row *r);

/* --- supervision ---------------------------------------------------------------------- */

/* One running stage past its due day. */
struct overdue_row {
	char object_type[12]; /* job, permit, guidance (a project's) or task (remedial, defect) */
	long long id, application_id, org_id;
	char reference[33], app_reference[25];
	char kind[16], state[25], stage[33];
	char org_name[201], district[33];
	day_t due_day, started_day;
	day_t answered_day; /* guidance answered after its due day; -1 otherwise */
};
/*
 * Every unpaused running stage of a job or permit, every open guidance task and every open
 * remedial or defect task (kind "remedial"/"defect", organisation the one that owes the work),
 * due before today, and every guidance answered late in the last 90 days (at most cap, by due
 * day).
 */
int store_overdue(struct store_conn *c, day_t today, struct overdue_row **rows, size_t *n,
		  size_t cap, struct error *err);

/* Clock pauses after id, ascending, with the actor's organisation and the object's reference. */
int store_pauses(struct store_conn *c, long long after, int limit, json_t **items, long long *last,
		 bool *more, struct error *err);

/* Takes the day's digest run: *mine true when this caller is the first to claim `day`. */
int store_digest_claim(struct store_conn *c, day_t day, bool *mine, struct error *err);

/* --- statistics ----------------------------------------------------------------------- */

/* One job or permit as statistics see it. Strings owned by the history. */
struct history_track {
	char object_type[8];
	long long id;
	char *district, *org_name, *kind, *reference;
	char *district_zh, *district_en; /* the district's names (districts table) */
	char *segment; /* road and chainage of its excavations, "" when none */
	int materials;
	bool fast_tracked, deemed;
	int rating; /* enum stats_rating */
	day_t submitted_day;
	day_t valid_to;
	size_t first_event, nevents; /* into events[] */
	size_t first_pause, npauses; /* into pauses[] */
};
struct history_event {
	long long at; /* UTC seconds */
	char *stage;
	day_t due_day;
	char *action;
	char *to_state;
};
struct history_pause {
	long long paused_at, resumed_at; /* resumed_at -1 while paused */
};
struct history {
	struct history_track *tracks;
	size_t ntracks;
	struct history_event *events;
	size_t nevents;
	struct history_pause *pauses;
	size_t npauses;
};
/* Reads every job and permit with its transitions and pauses. Release with store_history_release.
 */
int store_history(struct store_conn *c, struct history *h, struct error *err);
void store_history_release(struct history *h);

#endif
