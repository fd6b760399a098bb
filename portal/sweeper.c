/*
 * The periodic sweep of time limits (deemed approval, rule 14) and the daily digest, run by one
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

#include "portal/oversight_api.h"
#include "portal/tracks.h"
#include "portal/transitions.h"
#include "store/lease.h"
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
	/* the day's supervision digest: a no-op after the first pass of the day */
	if (rc == 0)
		rc = oversight_digest_run(app, NULL, err);
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
