/*
 * The periodic sweep of time limits (deemed approval, rule 14; work windows that ran out, issue
 * #21) and the daily digest, run by one
 * process of all those serving: each pass first takes (or renews) the "sweeper" lease.
 */
#define _GNU_SOURCE
#include "sweeper.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "portal/audit.h"
#include "portal/credit_api.h"
#include "portal/postcheck_api.h"
#include "portal/oversight_api.h"
#include "portal/snapshot.h"
#include "portal/tracks.h"
#include "portal/transition.h"
#include "portal/transitions.h"
#include "store/credit.h"
#include "store/lease.h"
#include "store/overruns.h"
#include "store/permits.h"
#include "lib/xalloc.h"

#define BATCH 200

struct due {
	day_t today;
	long long ids[BATCH];
	size_t n;
};

static int find_due(struct store_conn *c, void *ctx, struct error *err)
{
	struct due *d = ctx;
	return store_permits_due(c, d->today, d->ids, BATCH, &d->n, err);
}

struct mark {
	const struct published *pub;
	long long id;
	day_t today;
	bool marked;
};

/* The overrun event: the permit as anyone may see it, plus what ran out and by how much. */
static json_t *overrun_event(const struct permit_row *p, const struct overrun_new *o)
{
	char a[11], b[11];
	json_t *j = tracks_permit_json(p, NULL, o->detected_on);
	json_object_set_new(j, "overrun",
			    json_pack("{s:s, s:s, s:i}", "window_to", cal_day_format(o->window_to, a),
				      "overrunning_from", cal_day_format(o->overrunning_from, b),
				      "days", o->days));
	return j;
}

/*
 * Marks one permit as overrunning when the rule says so today (locked, so a transition that
 * closes or extends it meanwhile wins): the record, an event to the authority and to every
 * utility whose works it covers, and the audit entry, in one transaction.
 */
static int mark_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct mark *m = ctx;
	struct permit_row p;
	m->marked = false;
	int rc = store_permit_get(c, m->id, true, &p, err);
	if (rc)
		return rc;
	enum permit_kind kind = PERMIT_KIND_COUNT;
	enum permit_state state = PERMIT_STATE_COUNT;
	permit_kind_parse(p.kind, &kind, NULL);
	permit_state_parse(p.state, &state, NULL);
	struct overrun_new o = { .permit_id = p.id, .window_to = p.window_to,
				 .detected_on = m->today };
	if (!permit_overrunning(&m->pub->cal, kind, state, p.window_to, m->today,
				&o.overrunning_from, &o.days))
		goto out;
	rc = store_overrun_record(c, &o, &m->marked, err);
	if (rc || !m->marked)
		goto out;
	long long parties[9];
	struct authz_object obj;
	rc = transition_permit_parties(c, &p, parties, &obj, err);
	for (int i = 0; !rc && i < obj.nparties; i++) {
		bool seen = false;
		for (int k = 0; k < i; k++)
			seen = seen || parties[k] == parties[i];
		if (!seen)
			rc = tracks_emit(c, parties[i], p.application_id, p.app_reference,
					 "permit.overrunning", overrun_event(&p, &o), err);
	}
	char d[11];
	if (!rc)
		rc = audit_record(c, NULL, "permit.overrunning", "permit", p.reference,
				  json_pack("{s:s, s:i}", "window_to", cal_day_format(p.window_to, d),
					    "days", o.days),
				  err);
	/* the credit entry, against each utility whose works the permit covers (they dig) */
	struct oversight_rules rules;
	if (!rc)
		rc = store_oversight_rules_load(c, 0, &rules, NULL, err);
	for (int i = 1; !rc && i < obj.nparties; i++) {
		bool seen = false;
		for (int k = 1; k < i; k++)
			seen = seen || parties[k] == parties[i];
		char b[11];
		if (!seen)
			rc = credit_api_write(c, NULL, &rules, CREDIT_OVERRUN, parties[i], p.id, 0,
					      m->today,
					      json_pack("{s:s, s:s, s:s, s:s, s:i}", "permit",
							p.reference, "application",
							p.app_reference, "window_to", d,
							"overrunning_from",
							cal_day_format(o.overrunning_from, b),
							"days", o.days),
					      NULL, err);
	}
out:
	store_permit_row_release(&p);
	return rc;
}

static int find_overruns(struct store_conn *c, void *ctx, struct error *err)
{
	struct due *d = ctx;
	return store_overrun_candidates(c, d->today, d->ids, BATCH, &d->n, err);
}

int sweeper_item_failed(const char *what, long long id, int rc, struct error *err)
{
	if (rc == ERR_UNAVAILABLE)
		return rc;
	json_t *line = json_pack("{s:s, s:s, s:s, s:I, s:s}", "level", "warn", "source", "sweeper",
				 "item", what, "id", (json_int_t)id, "message", err->message);
	char *text = line ? json_dumps(line, JSON_COMPACT) : NULL;
	if (text)
		fprintf(stderr, "%s\n", text);
	free(text);
	json_decref(line);
	error_release(err);
	return 0;
}

int sweeper_overruns_once(struct app *app, int *marked, struct error *err)
{
	struct due d = { .today = tracks_today() };
	int count = 0;
	const struct published *pub = snapshot_get(app);
	if (!pub)
		return error_set(err, ERR_UNAVAILABLE, "the calendar is not loaded yet");
	int rc = store_with(app->pool, find_overruns, &d, err);
	for (size_t i = 0; rc == 0 && i < d.n; i++) {
		struct mark m = { pub, d.ids[i], d.today, false };
		rc = store_tx(app->pool, mark_tx, &m, err);
		if (rc)
			rc = sweeper_item_failed("overrun", d.ids[i], rc, err);
		count += m.marked;
	}
	snapshot_put(pub);
	if (marked)
		*marked = count;
	return rc;
}

int sweeper_run_once(struct app *app, int *deemed, struct error *err)
{
	struct due d = { .today = tracks_today() };
	int count = 0;
	int rc = store_with(app->pool, find_due, &d, err);
	for (size_t i = 0; rc == 0 && i < d.n; i++) {
		struct error one = ERROR_INIT;
		int r = transitions_system(app, "deem", d.ids[i], &one);
		if (r == 0)
			count++;
		else if (r != ERR_CONFLICT && r != ERR_FORBIDDEN)
			rc = error_set(err, r, "deeming permit %lld: %s", d.ids[i], one.message);
		error_release(&one);
	}
	if (deemed)
		*deemed = count;
	/* work windows that ran out (a permit a batch leaves over is found by the next pass) */
	if (rc == 0)
		rc = sweeper_overruns_once(app, NULL, err);
	/* the day's supervision digest: a no-op after the first pass of the day */
	if (rc == 0)
		rc = oversight_digest_run(app, NULL, err);
	/* failed post-checks left unrectified past their due day: the permit is revoked */
	if (rc == 0)
		rc = postcheck_api_sweep(app, NULL, err);
	/* remedial work left undone past its due day: a credit entry against the utility */
	if (rc == 0)
		rc = credit_api_sweep(app, NULL, err);
	return rc;
}

static const char LEASE[] = "sweeper";

struct sweeper {
	struct app *app;
	unsigned seconds;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	char holder[100]; /* this process's name on the lease */
	bool held;	  /* it had the lease at its last pass */
	unsigned passes;  /* passes run (with the lease) */
};

/*
 * The lease lasts three intervals: a holder renews it every pass, and when it dies another
 * process takes over within three intervals of its last pass (at once after a clean stop).
 */
static bool lease(struct sweeper *s)
{
	struct error err = ERROR_INIT;
	bool held = false;
	int seconds = (int)s->seconds * 3;
	if (store_lease_take(s->app->pool, LEASE, s->holder, seconds, &held, &err) != 0)
		fprintf(stderr,
			"{\"level\":\"warn\",\"source\":\"sweeper\",\"message\":\"lease: %s\"}\n",
			err.message);
	error_release(&err);
	if (held != s->held)
		fprintf(stderr, "{\"level\":\"info\",\"source\":\"sweeper\",\"lease\":\"%s\"}\n",
			held ? "taken" : "held elsewhere");
	s->held = held;
	return held;
}

static void *loop(void *arg)
{
	struct sweeper *s = arg;
	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		pthread_mutex_unlock(&s->lock);
		struct error err = ERROR_INIT;
		int deemed = 0;
		bool mine = lease(s); /* else another portal sweeps */
		if (mine)
			__atomic_add_fetch(&s->passes, 1, __ATOMIC_RELAXED);
		if (mine && sweeper_run_once(s->app, &deemed, &err) != 0)
			fprintf(stderr, "{\"level\":\"warn\",\"source\":\"sweeper\",\"message\":\"%s\"}\n",
				err.message);
		else if (deemed)
			fprintf(stderr, "{\"level\":\"info\",\"source\":\"sweeper\",\"deemed\":%d}\n",
				deemed);
		error_release(&err);
		pthread_mutex_lock(&s->lock);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += s->seconds;
		while (!s->stop && pthread_cond_timedwait(&s->wake, &s->lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

struct sweeper *sweeper_start(struct app *app, unsigned seconds)
{
	struct sweeper *s = xcalloc(1, sizeof(*s));
	s->app = app;
	s->seconds = seconds ? seconds : 60;
	char host[64] = "";
	gethostname(host, sizeof(host) - 1);
	snprintf(s->holder, sizeof(s->holder), "%.60s pid %d %08x", host, (int)getpid(),
		 randombytes_random());
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	pthread_create(&s->thread, NULL, loop, s);
	return s;
}

void sweeper_stop(struct sweeper *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	if (s->held) {
		struct error err = ERROR_INIT;
		store_lease_release(s->app->pool, LEASE, s->holder, &err);
		error_release(&err);
	}
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->wake);
	free(s);
}

unsigned sweeper_passes(struct sweeper *s)
{
	return __atomic_load_n(&s->passes, __ATOMIC_RELAXED);
}
