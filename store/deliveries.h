/*
 * The dispatcher's side of the outbox: claiming the events that are due, with their
 * organisations' endpoints, and recording how each attempt went (store/outbox.h writes them).
 */
#ifndef STORE_DELIVERIES_H
#define STORE_DELIVERIES_H

#include <stdbool.h>

#include "store/db.h"
#include "store/endpoints.h"

/* One event claimed for delivery. */
struct outbox_claim {
	long long id;
	long long org_id;
	long long application_id; /* 0 when none */
	char event_type[65];
	char *payload; /* the envelope JSON, owned */
	int attempt;   /* this attempt's number, from 1 */
	const struct endpoint_row *ep; /* its organisation's endpoint, borrowed from the batch */
};

/*
 * What one claim took: the events, and one copy of the endpoint of each of their
 * organisations (the claims point into it). Zero it before first use; release with
 * store_outbox_batch_release.
 */
struct outbox_batch {
	struct outbox_claim *claims;
	size_t n;
	struct endpoint_row *endpoints;
	size_t nendpoints;
};

/* Frees the batch's contents and leaves it empty, ready for another claim. */
void store_outbox_batch_release(struct outbox_batch *b);

/*
 * Inside a transaction: takes up to max pending events that are due (FOR UPDATE SKIP LOCKED, so
 * concurrent dispatchers on any node take different ones), and for each:
 *  - an earlier event of the same organisation and application is still pending: leaves it,
 *    due again when that one is (order per organisation and application); earlier events this
 *    claim marks no_endpoint or dead do not count, so a run of them is settled at once;
 *  - the organisation has no endpoint: marks it no_endpoint (it stays in the polling feed);
 *  - the endpoint is disabled: marks it dead with the reason;
 *  - otherwise counts the attempt and leases it for lease_seconds (next_attempt_at moves on,
 *    so if this dispatcher dies the event is simply due again later) and returns it.
 * Commit before delivering: no lock is held during HTTP. *out is released at the start, so the
 * function may be rerun by store_tx; the caller releases it afterwards. Errors as store_exec's
 * (ERR_RETRY on a deadlock: rerun), and *out is then empty.
 */
int store_outbox_claim(struct store_conn *c, int max, int lease_seconds, struct outbox_batch *out,
		       struct error *err);

/* What came of one attempt. */
enum outbox_outcome {
	OUTBOX_DELIVERED, /* 2xx */
	OUTBOX_RETRY,	  /* failed; due again after delay_ms */
	OUTBOX_DEAD,	  /* failed and that was the last try */
	OUTBOX_GONE,	  /* 410: the endpoint is disabled and the event dead */
};

/* One attempt as the claim handed it out (ids and attempt number), as it went and what came of it. */
struct outbox_attempt {
	long long event_id, org_id;
	long long application_id; /* 0 when none; whose next event delivering or killing wakes */
	int attempt;
	const char *url;
	int status_code; /* 0 when no HTTP answer */
	int duration_ms;
	const char *excerpt; /* start of the response body, may be NULL */
	const char *error;   /* why it failed, NULL on success */
	enum outbox_outcome outcome;
	long long delay_ms; /* OUTBOX_RETRY: due again after this long */
};

/*
 * Records n attempts and moves their events on, in the caller's transaction (one commit for a
 * dispatcher's pass). An event is only moved if it is still at that attempt (a dispatcher whose
 * lease ran out does not overwrite a newer attempt). Delivering or killing an event makes the
 * next pending event of the same organisation and application due now. Excerpts and errors are
 * kept as valid UTF-8 (a byte that does not begin a whole character becomes '?'), so no response
 * body can fail the record. On failure nothing should be committed: the events stay leased and
 * are tried again when their leases run out.
 */
int store_outbox_record(struct store_conn *c, const struct outbox_attempt *attempts, size_t n,
			struct error *err);

/*
 * Gives back a claimed event that was not attempted (the dispatcher is stopping, its
 * organisation's receiver failed earlier in the pass, or too little of the lease is left): due
 * now, the attempt uncounted. Does nothing if the event moved on meanwhile. Errors as
 * store_exec's.
 */
int store_outbox_unclaim(struct store_conn *c, long long id, int attempt, struct error *err);

#endif
