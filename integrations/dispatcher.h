/*
 * The outbox dispatcher: threads that claim due events, deliver them as signed Standard
 * Webhooks over HTTP(S), record every attempt and schedule retries. Any number of dispatchers,
 * in any number of processes and machines, may share one database.
 */
#ifndef INTEGRATIONS_DISPATCHER_H
#define INTEGRATIONS_DISPATCHER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"
#include "lib/error.h"

#define DISPATCHER_SCHEDULE_MAX 32
#define DISPATCHER_DEFAULT_SCHEDULE "0,5,300,1800,7200,18000,36000,36000"
#define DISPATCHER_EXCERPT_MAX 512

struct dispatcher_config {
	unsigned threads;	/* PORTAL_DISPATCH_THREADS, default 2; 0 = none in `serve` */
	/*
	 * PORTAL_RETRY_SCHEDULE: seconds (decimals allowed) before each try; the first entry is
	 * the first try (0 = at once), and the event is dead after as many tries as entries.
	 */
	long long schedule_ms[DISPATCHER_SCHEDULE_MAX];
	size_t nschedule;
	unsigned jitter_percent;  /* each delay varies by up to this much either way; 20 */
	long long retry_after_max_ms; /* Retry-After is honoured up to this; the longest delay */
	int lease_seconds;	  /* PORTAL_DISPATCH_LEASE: a claim's hold, > timeout; 60 */
	long long timeout_ms;	  /* PORTAL_WEBHOOK_TIMEOUT (seconds): whole request; 15 s */
	int poll_ms;		  /* PORTAL_DISPATCH_POLL_MS: idle wait between claims; 100 */
	int batch;		  /* PORTAL_DISPATCH_BATCH: events claimed per pass; 32 */
	bool allow_private;	  /* PORTAL_ALLOW_PRIVATE_WEBHOOKS: loopback/private targets */
};

/*
 * Parses "0,5,300" (seconds, decimals allowed, 1..DISPATCHER_SCHEDULE_MAX entries, each 0 to
 * 7 days) into cfg->schedule_ms and sets retry_after_max_ms to the longest (at least 1 s).
 * ERR_INVALID on anything else; cfg is then unchanged.
 */
int dispatcher_schedule_parse(const char *text, struct dispatcher_config *cfg, struct error *err);

/* Defaults, then the PORTAL_* variables above. ERR_INVALID listing every bad variable. */
int dispatcher_config_load(struct dispatcher_config *cfg, bool allow_private, struct error *err);

/*
 * The wait before the next try after `tries` failed tries (tries >= 1), or -1 when that was the
 * last. retry_after_ms >= 0 is the receiver's Retry-After, used instead of the schedule within
 * [0, retry_after_max_ms]. `random` (any 32-bit value) picks the jitter, so tests can pin it.
 */
long long dispatcher_delay_ms(const struct dispatcher_config *cfg, int tries,
			      long long retry_after_ms, uint32_t random);

/*
 * One pass on the calling thread: claims up to cfg->batch due events, attempts each, and records
 * the attempts (and gives back the claims it did not try) in one transaction at the end; a pass
 * that runs past half the lease records what it has done before going on. If recording fails
 * the events stay leased and are tried again when the leases run out. *handled (may be NULL)
 * counts the attempts made. ERR_UNAVAILABLE when the database is down. For tests and
 * `portal dispatch --once`; the threads below loop on the same code.
 */
int dispatcher_run_once(struct store_pool *pool, const struct dispatcher_config *cfg,
			int *handled, struct error *err);

struct dispatcher;

/*
 * Starts cfg->threads threads (at least one) on pool. The config is copied. Cannot fail
 * (aborts if a thread cannot be created). Stop with dispatcher_stop.
 */
struct dispatcher *dispatcher_start(struct store_pool *pool, const struct dispatcher_config *cfg);

/*
 * Asks the threads to stop, lets each finish the attempt it is making, record the attempts of
 * its pass and give back the events it claimed but did not try, joins and frees. Safe on NULL.
 */
void dispatcher_stop(struct dispatcher *d);

struct dispatcher_stats {
	long long attempts, delivered, retried, dead;
};
/* Totals since start (threads add as they go). */
void dispatcher_stats_get(struct dispatcher *d, struct dispatcher_stats *out);

/*
 * The body delivered for outbox event `id`: the envelope with "id" and "sequence", mapped
 * through the kind's adapter when the event names one (the utility's or authority's shape);
 * the envelope as it is otherwise, or when the adapter cannot map it. New reference.
 */
json_t *dispatcher_body(long long id, const char *payload);
/* That body as the bytes delivered and signed (workflows/json_text.h). The caller frees. */
char *dispatcher_body_text(long long id, const char *payload);

#endif
