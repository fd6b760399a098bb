/*
 * Outbox delivery: claim in a short transaction (SKIP LOCKED + lease, committed before any HTTP),
 * deliver with libcurl on a per-thread handle, record the attempt and schedule the next one.
 */
#define _GNU_SOURCE
#include "dispatcher.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "integrations/adapter.h"
#include "integrations/urlguard.h"
#include "integrations/webhook.h"
#include "store/deliveries.h"
#include "store/outbox.h"
#include "lib/xalloc.h"
#include "lib/json_text.h"
#include "lib/timespec.h"

#define MAX_DELAY_MS (7LL * 24 * 3600 * 1000)

struct dispatcher {
	struct store_pool *pool;
	struct dispatcher_config cfg;
	pthread_t *threads;
	unsigned nthreads;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	atomic_bool stop;
	struct dispatcher_stats stats;
};

/* One delivering thread's state: its own libcurl handle keeps its connections alive. */
struct worker {
	struct store_pool *pool;
	const struct dispatcher_config *cfg;
	CURL *curl;
	struct dispatcher *d; /* NULL when run once from a test */
};

/* What one HTTP attempt came to. */
struct result {
	int status; /* HTTP status, 0 when there was no answer */
	int duration_ms;
	char excerpt[DISPATCHER_EXCERPT_MAX + 1];
	size_t excerpt_len;
	char error[300]; /* empty on success */
	long long retry_after_ms; /* -1 when not given */
};

/* ---- configuration ---------------------------------------------------------------------- */

int dispatcher_schedule_parse(const char *text, struct dispatcher_config *cfg, struct error *err)
{
	long long ms[DISPATCHER_SCHEDULE_MAX];
	size_t n = 0;
	const char *p = text ? text : "";
	for (;;) {
		char *end;
		while (*p == ' ')
			p++;
		errno = 0;
		double v = strtod(p, &end);
		if (end == p || errno || v < 0 || v * 1000 > (double)MAX_DELAY_MS ||
		    n == DISPATCHER_SCHEDULE_MAX)
			return error_set(err, ERR_INVALID,
					 "PORTAL_RETRY_SCHEDULE must be 1 to %d comma-separated "
					 "delays in seconds, each from 0 to 7 days",
					 DISPATCHER_SCHEDULE_MAX);
		ms[n++] = (long long)(v * 1000 + 0.5);
		p = end;
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (*p++ != ',')
			return error_set(err, ERR_INVALID,
					 "PORTAL_RETRY_SCHEDULE: unexpected '%c'", p[-1]);
	}
	memcpy(cfg->schedule_ms, ms, n * sizeof(ms[0]));
	cfg->nschedule = n;
	cfg->retry_after_max_ms = 1000;
	for (size_t i = 0; i < n; i++)
		if (ms[i] > cfg->retry_after_max_ms)
			cfg->retry_after_max_ms = ms[i];
	return 0;
}

static long long env_num(const char *name, long long dflt, long long min, long long max,
			 struct error *err)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return dflt;
	char *end;
	long long n = strtoll(v, &end, 10);
	if (*end || n < min || n > max) {
		error_add(err, name, "out_of_range", "%s must be a whole number from %lld to %lld",
			  name, min, max);
		return dflt;
	}
	return n;
}

int dispatcher_config_load(struct dispatcher_config *cfg, bool allow_private, struct error *err)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->allow_private = allow_private;
	cfg->jitter_percent = 20;
	cfg->threads = (unsigned)env_num("PORTAL_DISPATCH_THREADS", 2, 0, 64, err);
	cfg->lease_seconds = (int)env_num("PORTAL_DISPATCH_LEASE", 60, 2, 3600, err);
	cfg->timeout_ms = env_num("PORTAL_WEBHOOK_TIMEOUT", 15, 1, 120, err) * 1000;
	cfg->poll_ms = (int)env_num("PORTAL_DISPATCH_POLL_MS", 100, 10, 60000, err);
	/*
	 * 32: a pass costs two commits and one endpoint read per organisation whatever its size,
	 * so twice the batch of 16 spreads them over twice the deliveries (about a fifth more
	 * deliveries/s measured); the lease guard in pass() and the per-organisation back-off
	 * bound how long a pass can run.
	 */
	cfg->batch = (int)env_num("PORTAL_DISPATCH_BATCH", 32, 1, 200, err);
	const char *s = getenv("PORTAL_RETRY_SCHEDULE");
	struct error local = ERROR_INIT;
	if (dispatcher_schedule_parse(s && *s ? s : DISPATCHER_DEFAULT_SCHEDULE, cfg, &local)) {
		error_add(err, "PORTAL_RETRY_SCHEDULE", "invalid", "%s", local.message);
		dispatcher_schedule_parse(DISPATCHER_DEFAULT_SCHEDULE, cfg, NULL);
	}
	error_release(&local);
	if ((long long)cfg->lease_seconds * 1000 <= cfg->timeout_ms)
		error_add(err, "PORTAL_DISPATCH_LEASE", "too_short",
			  "the lease must outlast PORTAL_WEBHOOK_TIMEOUT, or a slow delivery would "
			  "be claimed twice");
	if (err && err->ndetails)
		return error_set(err, ERR_INVALID, "bad dispatcher configuration");
	return 0;
}

long long dispatcher_delay_ms(const struct dispatcher_config *cfg, int tries,
			      long long retry_after_ms, uint32_t random)
{
	if (tries < 1 || (size_t)tries >= cfg->nschedule)
		return -1;
	if (retry_after_ms >= 0)
		return retry_after_ms < cfg->retry_after_max_ms ? retry_after_ms
								: cfg->retry_after_max_ms;
	long long base = cfg->schedule_ms[tries];
	long long span = base * (long long)cfg->jitter_percent / 100;
	if (span <= 0)
		return base;
	/* uniform in [base - span, base + span] */
	return base - span + (long long)(random % (uint32_t)(2 * span + 1));
}

/* ---- one HTTP attempt ------------------------------------------------------------------- */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct result *r = ud;
	size_t len = size * n, room = DISPATCHER_EXCERPT_MAX - r->excerpt_len;
	size_t take = len < room ? len : room;
	memcpy(r->excerpt + r->excerpt_len, p, take);
	r->excerpt_len += take;
	r->excerpt[r->excerpt_len] = 0;
	return len; /* the rest is read and dropped */
}

/* Retry-After: delta-seconds or an HTTP date. */
static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct result *r = ud;
	size_t len = size * n;
	static const char name[] = "retry-after:";
	if (len > sizeof(name) && len < 200 && !strncasecmp(p, name, sizeof(name) - 1)) {
		char v[200];
		size_t vl = len - (sizeof(name) - 1);
		memcpy(v, p + sizeof(name) - 1, vl);
		v[vl] = 0;
		char *s = v;
		while (*s == ' ' || *s == '\t')
			s++;
		s[strcspn(s, "\r\n")] = 0;
		char *end;
		long long secs = strtoll(s, &end, 10);
		if (end != s && !*end && secs >= 0) {
			r->retry_after_ms = secs * 1000;
		} else {
			time_t at = curl_getdate(s, NULL);
			if (at != (time_t)-1)
				r->retry_after_ms = at > time(NULL) ? (long long)(at - time(NULL)) * 1000
								    : 0;
		}
	}
	return len;
}

/* The keys that sign this attempt: the current one, and during a rotation the previous one. */
static size_t signing_keys(const struct endpoint_row *ep, const char *keys[2])
{
	bool v1a = !strcmp(ep->mode, "v1a");
	size_t n = 0;
	const char *cur = v1a ? ep->signing_key : ep->secret;
	const char *prev = v1a ? ep->previous_signing_key : ep->previous_secret;
	if (cur)
		keys[n++] = cur;
	if (ep->previous_active && prev)
		keys[n++] = prev;
	return n;
}

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void post(struct worker *w, const struct outbox_claim *cl, const char *body,
		 const struct webhook_headers *h, const struct urlguard_target *t,
		 struct result *r)
{
	CURL *c = w->curl;
	struct curl_slist *hl = NULL, *pin = NULL;
	char line[600];
	hl = curl_slist_append(hl, "Content-Type: application/json");
	snprintf(line, sizeof(line), "webhook-id: %s", h->id);
	hl = curl_slist_append(hl, line);
	snprintf(line, sizeof(line), "webhook-timestamp: %s", h->timestamp);
	hl = curl_slist_append(hl, line);
	char *sig = xasprintf("webhook-signature: %s", h->signature);
	hl = curl_slist_append(hl, sig);
	free(sig);
	hl = curl_slist_append(hl, "User-Agent: hookup-portal-webhooks/1");
	hl = curl_slist_append(hl, "Expect:");
	if (t->resolve[0]) {
		pin = curl_slist_append(pin, t->unresolve);
		pin = curl_slist_append(pin, t->resolve);
	}
	/* reset drops the previous request's options but keeps the open connections */
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, cl->ep->url);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	if (pin)
		curl_easy_setopt(c, CURLOPT_RESOLVE, pin);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROXY, ""); /* a proxy would defeat the address pin */
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)w->cfg->timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(w->cfg->timeout_ms < 10000 ? w->cfg->timeout_ms : 10000));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	long long t0 = mono_ms();
	CURLcode rc = curl_easy_perform(c);
	r->duration_ms = (int)(mono_ms() - t0);
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	r->status = rc == CURLE_OK ? (int)code : 0;
	if (rc != CURLE_OK)
		snprintf(r->error, sizeof(r->error), "%s", curl_easy_strerror(rc));
	else if (code < 200 || code > 299)
		snprintf(r->error, sizeof(r->error), "the receiver answered %ld", code);
	curl_slist_free_all(hl);
	curl_slist_free_all(pin);
}

json_t *dispatcher_body(long long id, const char *payload)
{
	json_t *ev = store_outbox_event_json(id, payload);
	const char *kind = json_string_value(json_object_get(ev, "adapter"));
	const struct adapter *a = kind ? adapter_find(kind) : NULL;
	if (!a)
		return ev;
	json_t *out = NULL;
	struct error err = ERROR_INIT;
	if (a->build_payload(ev, &out, &err) == 0) {
		/* the party's own shape, keeping the id receivers deduplicate by */
		json_object_set(out, "id", json_object_get(ev, "id"));
		json_decref(ev);
		ev = out;
	} else {
		/* an event the adapter cannot map still goes out, in the portal's own shape */
		fprintf(stderr,
			"{\"level\":\"warn\",\"source\":\"dispatcher\",\"event\":%lld,"
			"\"message\":\"adapter %s could not map the event; sent as is\"}\n",
			id, kind);
		json_object_del(ev, "adapter");
	}
	error_release(&err);
	return ev;
}

char *dispatcher_body_text(long long id, const char *payload)
{
	json_t *ev = dispatcher_body(id, payload);
	char *body = json_text(ev);
	json_decref(ev);
	return body;
}

/* Builds, signs (afresh, with this attempt's timestamp) and posts one event. */
static void attempt(struct worker *w, const struct outbox_claim *cl, struct result *r)
{
	memset(r, 0, sizeof(*r));
	r->retry_after_ms = -1;
	struct error err = ERROR_INIT;
	struct webhook_headers h = { 0 };
	struct urlguard_target t;
	char *body = dispatcher_body_text(cl->id, cl->payload);
	const char *keys[2];
	size_t nkeys = signing_keys(cl->ep, keys);
	char id[32];
	snprintf(id, sizeof(id), "evt_%lld", cl->id);
	if (webhook_headers_build(&h, id, (int64_t)time(NULL), body, strlen(body), keys, nkeys,
				  &err) != 0)
		snprintf(r->error, sizeof(r->error), "cannot sign: %s", err.message);
	else if (urlguard_resolve(cl->ep->url, w->cfg->allow_private, &t, &err) != 0)
		snprintf(r->error, sizeof(r->error), "%s", err.message);
	else
		post(w, cl, body, &h, &t, r);
	webhook_headers_release(&h);
	error_release(&err);
	free(body);
}

/* ---- claiming and recording --------------------------------------------------------------- */

struct claim_ctx {
	int max, lease;
	struct outbox_batch *batch;
};

static int claim_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct claim_ctx *cc = ctx;
	return store_outbox_claim(c, cc->max, cc->lease, cc->batch, err);
}

/*
 * What a pass has done and not yet recorded: the attempts it made (their strings live in
 * results) and the claims it gives back untried. One transaction records them all, so a pass
 * costs two durable commits (claim and record) whatever its size, not one per event.
 */
struct records {
	struct outbox_attempt *attempts;
	struct result *results;
	size_t n;
	const struct outbox_claim **unclaims;
	size_t nunclaims;
};

static void records_init(struct records *rec, size_t capacity)
{
	memset(rec, 0, sizeof(*rec));
	rec->attempts = xcalloc(capacity + 1, sizeof(*rec->attempts));
	rec->results = xcalloc(capacity + 1, sizeof(*rec->results));
	rec->unclaims = xcalloc(capacity + 1, sizeof(*rec->unclaims));
}

static void records_release(struct records *rec)
{
	free(rec->attempts);
	free(rec->results);
	free(rec->unclaims);
}

static int record_tx(struct store_conn *c, void *ctx, struct error *err)
{
	const struct records *rec = ctx;
	int rc = store_outbox_record(c, rec->attempts, rec->n, err);
	for (size_t i = 0; i < rec->nunclaims && !rc; i++)
		rc = store_outbox_unclaim(c, rec->unclaims[i]->id, rec->unclaims[i]->attempt, err);
	return rc;
}

static void count(struct worker *w, enum outbox_outcome o)
{
	if (!w->d)
		return;
	pthread_mutex_lock(&w->d->lock);
	w->d->stats.attempts++;
	if (o == OUTBOX_DELIVERED)
		w->d->stats.delivered++;
	else if (o == OUTBOX_RETRY)
		w->d->stats.retried++;
	else
		w->d->stats.dead++;
	pthread_mutex_unlock(&w->d->lock);
}

static void log_line(const char *level, const char *message, long long id, const char *detail)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:s}", "level", level, "component",
			      "dispatcher", "message", message, "event", (json_int_t)id, "detail",
			      detail ? detail : "");
	char *s = json_text(j);
	fprintf(stderr, "%s\n", s);
	free(s);
	json_decref(j);
}

/* Records what the pass has done so far in one transaction, and starts afresh. */
static void flush(struct worker *w, struct records *rec)
{
	if (!rec->n && !rec->nunclaims)
		return;
	struct error err = ERROR_INIT;
	if (store_tx(w->pool, record_tx, rec, &err) != 0) {
		/*
		 * The leases run out and the events are tried again: at least once, not lost. (The
		 * claims given back stay leased too, and come back the same way.)
		 */
		for (size_t i = 0; i < rec->n; i++)
			log_line("error", "cannot record a delivery attempt",
				 rec->attempts[i].event_id, err.message);
	} else {
		for (size_t i = 0; i < rec->n; i++)
			if (rec->attempts[i].outcome == OUTBOX_DEAD ||
			    rec->attempts[i].outcome == OUTBOX_GONE)
				log_line("warning",
					 rec->attempts[i].outcome == OUTBOX_GONE
						 ? "endpoint gone (410), disabled"
						 : "event dead after its last try",
					 rec->attempts[i].event_id, rec->attempts[i].error);
	}
	error_release(&err);
	rec->n = 0;
	rec->nunclaims = 0;
}

/* Attempts one claim and adds what came of it to rec (recorded later, with the rest). */
static enum outbox_outcome deliver_one(struct worker *w, const struct outbox_claim *cl,
				       struct records *rec)
{
	size_t k = rec->n++;
	struct result *r = &rec->results[k];
	attempt(w, cl, r);
	struct outbox_attempt *a = &rec->attempts[k];
	*a = (struct outbox_attempt){ .event_id = cl->id,
				      .org_id = cl->org_id,
				      .application_id = cl->application_id,
				      .attempt = cl->attempt,
				      .url = cl->ep->url,
				      .status_code = r->status,
				      .duration_ms = r->duration_ms,
				      .excerpt = r->excerpt_len ? r->excerpt : NULL,
				      .error = r->error[0] ? r->error : NULL };
	if (r->status >= 200 && r->status <= 299) {
		a->outcome = OUTBOX_DELIVERED;
	} else if (r->status == 410) {
		a->outcome = OUTBOX_GONE;
	} else {
		a->delay_ms = dispatcher_delay_ms(w->cfg, cl->attempt, r->retry_after_ms,
						  randombytes_random());
		a->outcome = a->delay_ms < 0 ? OUTBOX_DEAD : OUTBOX_RETRY;
	}
	count(w, a->outcome);
	return a->outcome;
}

static bool stopping(const struct worker *w)
{
	return w->d && atomic_load(&w->d->stop);
}

static int pass(struct worker *w, int *handled, struct error *err)
{
	struct outbox_batch batch = { 0 };
	struct claim_ctx cc = { w->cfg->batch, w->cfg->lease_seconds, &batch };
	if (handled)
		*handled = 0;
	/* taken before the claim: the leases cannot have started earlier than this */
	long long claimed_at = mono_ms(), lease_ms = (long long)w->cfg->lease_seconds * 1000;
	int rc = store_tx(w->pool, claim_tx, &cc, err);
	if (rc) {
		store_outbox_batch_release(&batch);
		return rc;
	}
	struct records rec;
	records_init(&rec, batch.n);
	/*
	 * An organisation whose receiver failed in this batch (410, an error, a timeout, a hang)
	 * gets no more requests from it: its other events go back untried, due at once, and the
	 * next pass tries one again. Otherwise one hanging receiver would hold this thread for a
	 * timeout per event and delay every other organisation's deliveries behind it.
	 */
	long long *failing = xcalloc(batch.n + 1, sizeof(*failing));
	size_t nfailing = 0, tried = 0;
	for (size_t i = 0; i < batch.n; i++) {
		const struct outbox_claim *cl = &batch.claims[i];
		long long elapsed = mono_ms() - claimed_at;
		/*
		 * A claim whose lease could run out during its request goes back untried: another
		 * dispatcher may take it then, and two deliveries of one event at once could
		 * overtake the next event of its application. (The first of a pass always goes, so
		 * a pass makes progress whatever the configuration.)
		 */
		bool skip = stopping(w) || (tried && elapsed + w->cfg->timeout_ms >= lease_ms);
		for (size_t g = 0; g < nfailing && !skip; g++)
			skip = failing[g] == cl->org_id;
		if (skip) {
			rec.unclaims[rec.nunclaims++] = cl;
			continue;
		}
		/* a slow pass records what it has done before those leases could run out */
		if (elapsed > lease_ms / 2)
			flush(w, &rec);
		enum outbox_outcome o = deliver_one(w, cl, &rec);
		if (o == OUTBOX_GONE || o == OUTBOX_RETRY)
			failing[nfailing++] = cl->org_id;
		tried++;
	}
	if (handled)
		*handled = (int)tried;
	flush(w, &rec);
	free(failing);
	records_release(&rec);
	store_outbox_batch_release(&batch);
	return 0;
}

int dispatcher_run_once(struct store_pool *pool, const struct dispatcher_config *cfg,
			int *handled, struct error *err)
{
	struct worker w = { pool, cfg, curl_easy_init(), NULL };
	int rc = pass(&w, handled, err);
	curl_easy_cleanup(w.curl);
	return rc;
}

/* ---- threads ---------------------------------------------------------------------------- */

static void idle(struct dispatcher *d, int ms)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct timespec until = timespec_add_ms(now, ms);
	pthread_mutex_lock(&d->lock);
	if (!atomic_load(&d->stop))
		pthread_cond_timedwait(&d->wake, &d->lock, &until);
	pthread_mutex_unlock(&d->lock);
}

static void *thread_main(void *arg)
{
	struct dispatcher *d = arg;
	struct worker w = { d->pool, &d->cfg, curl_easy_init(), d };
	while (!atomic_load(&d->stop)) {
		int handled = 0;
		struct error err = ERROR_INIT;
		int rc = pass(&w, &handled, &err);
		if (rc && rc != ERR_UNAVAILABLE)
			log_line("error", "claiming failed", 0, err.message);
		error_release(&err);
		if (rc || handled == 0)
			idle(d, d->cfg.poll_ms);
	}
	curl_easy_cleanup(w.curl);
	return NULL;
}

struct dispatcher *dispatcher_start(struct store_pool *pool, const struct dispatcher_config *cfg)
{
	/* once, before any thread: libcurl's global set-up is not for concurrent callers */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	struct dispatcher *d = xcalloc(1, sizeof(*d));
	d->pool = pool;
	d->cfg = *cfg;
	d->nthreads = cfg->threads ? cfg->threads : 1;
	d->threads = xcalloc(d->nthreads, sizeof(*d->threads));
	atomic_init(&d->stop, false);
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->wake, NULL);
	for (unsigned i = 0; i < d->nthreads; i++)
		if (pthread_create(&d->threads[i], NULL, thread_main, d) != 0) {
			fputs("dispatcher: cannot create a thread\n", stderr);
			abort();
		}
	return d;
}

void dispatcher_stop(struct dispatcher *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	atomic_store(&d->stop, true);
	pthread_cond_broadcast(&d->wake);
	pthread_mutex_unlock(&d->lock);
	for (unsigned i = 0; i < d->nthreads; i++)
		pthread_join(d->threads[i], NULL);
	free(d->threads);
	pthread_mutex_destroy(&d->lock);
	pthread_cond_destroy(&d->wake);
	free(d);
	curl_global_cleanup();
}

void dispatcher_stats_get(struct dispatcher *d, struct dispatcher_stats *out)
{
	pthread_mutex_lock(&d->lock);
	*out = d->stats;
	pthread_mutex_unlock(&d->lock);
}
