/*
 * The outbox: events written in the transaction of the change they report (one per organisation
 * told), and read back as the polling feed and the office's list see them, with replays. The
 * dispatcher's side (claiming, recording attempts) is store/deliveries.h.
 */
#ifndef STORE_OUTBOX_H
#define STORE_OUTBOX_H

#include <jansson.h>
#include <stdbool.h>

#include "store/db.h"

/*
 * One event for one organisation (application_id 0: none), written with the change it reports.
 * Errors as store_exec's.
 */
int store_outbox_insert(struct store_conn *c, long long org_id, long long application_id,
			const char *event_type, const char *payload, struct error *err);
/* An event to insert (application_id 0: none). Strings borrowed. */
struct outbox_new {
	long long org_id, application_id;
	const char *event_type, *payload;
};
/*
 * Events in the order given (n may be 0), with multi-row INSERTs: the dispatcher delivers per
 * organisation in id order. Use it inside the transaction of the change: a failure may leave
 * earlier chunks written (store/multirow.h). Errors as store_exec's.
 */
int store_outbox_insert_many(struct store_conn *c, const struct outbox_new *rows, size_t n,
			     struct error *err);

/*
 * The event as receivers get it: the envelope plus "id" ("evt_<n>") and "sequence". New
 * reference, the caller's. Cannot fail: a payload that is not a JSON object reads as {}.
 */
json_t *store_outbox_event_json(long long id, const char *payload);

/*
 * The polling feed: org's events with id > after, in id order, at most limit; items as
 * store_outbox_event_json plus "delivery_status". *items is a new array (the caller's), *last
 * the last id returned (0 when none), *more whether there are more. Errors as store_exec's, and
 * then nothing is returned.
 */
int store_outbox_feed(struct store_conn *c, long long org_id, long long after, int limit,
		      json_t **items, long long *last, bool *more, struct error *err);

/*
 * Office list: by status (NULL any) and organisation (0 any), id order after `after`, at most
 * limit; items, *last and *more as the feed's, and failures too.
 */
int store_outbox_list(struct store_conn *c, const char *status, long long org_id,
		      long long after, int limit, json_t **items, long long *last, bool *more,
		      struct error *err);

/*
 * One event with its attempts (newest last) and the event body: *out a new object (the
 * caller's), NULL on failure. ERR_NOT_FOUND when absent, other errors as store_exec's.
 */
int store_outbox_get(struct store_conn *c, long long id, json_t **out, struct error *err);

/*
 * Makes a delivered, dead or no_endpoint event pending again, due now, with its attempts
 * counted from zero. ERR_NOT_FOUND when absent; ERR_CONFLICT when it is still pending.
 */
int store_outbox_replay(struct store_conn *c, long long id, struct error *err);

/*
 * Replays every dead event of org created at or after since ("YYYY-MM-DD HH:MM:SS" UTC); *count
 * how many. Errors as store_exec's.
 */
int store_outbox_replay_dead(struct store_conn *c, long long org_id, const char *since,
			     long long *count, struct error *err);

#endif
