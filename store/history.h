/*
 * The history of an application and its tracks: one row per transition, the unified timeline
 * read from them, and the record of each clock pause.
 */
#ifndef STORE_HISTORY_H
#define STORE_HISTORY_H

#include <jansson.h>

#include "lib/strbuf.h"
#include "store/db.h"
#include "workflows/calendar.h"

/* One row of the transition history. Strings borrowed. */
struct transition_new {
	long long application_id;
	const char *object_type; /* application, job, permit */
	long long object_id;
	const char *action, *from_state, *to_state, *actor_role;
	long long actor_org_id, actor_user_id; /* 0: none */
	const char *payload; /* JSON; NULL: {} */
	const char *at;	     /* UTC "YYYY-MM-DD HH:MM:SS.ffffff" (store_format_utc) */
	const char *stage;
	day_t due_day; /* -1 when none */
};
/* One transition (store_transitions_insert_many with one row). */
int store_transition_insert(struct store_conn *c, const struct transition_new *t, struct error *err);
/*
 * Inserts n transitions (n may be 0) with multi-row INSERTs, in the order given. Use it inside
 * a transaction: a failure may leave earlier chunks written (store/multirow.h). Errors as
 * store_exec's.
 */
int store_transitions_insert_many(struct store_conn *c, const struct transition_new *t, size_t n,
				  struct error *err);
/*
 * The unified timeline of an application: every transition of every track, in order. *items is
 * a new JSON array (the caller's); on error nothing is returned.
 */
int store_timeline(struct store_conn *c, long long app_id, json_t **items, struct error *err);

/*
 * The same timeline as the text of a JSON array appended to o: byte for byte what json_text
 * writes of store_timeline's array, written straight from the rows. Errors as store_exec's, and
 * then nothing is appended.
 */
int store_timeline_text(struct store_conn *c, long long app_id, struct strbuf *o,
			struct error *err);

/* A pause to record: reason, items (JSON array; NULL: []), actor (0: none). Strings borrowed. */
struct pause_new {
	const char *object_type;
	long long object_id;
	const char *stage, *reason, *items, *actor_role;
	long long actor_org_id, actor_user_id;
	const char *at;
	day_t day;
	int remaining_days;
};
/* Records a pause. Errors as store_exec's. */
int store_pause_insert(struct store_conn *c, const struct pause_new *p, struct error *err);
/*
 * On resume, closes the object's open pause at `at`. Errors as store_exec's; no open pause is no
 * error.
 */
int store_pause_close(struct store_conn *c, const char *object_type, long long object_id,
		      const char *at, struct error *err);

#endif
