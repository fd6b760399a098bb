/* A small bounded job queue served by low-priority threads. */
#define _GNU_SOURCE
#include "offload.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/timespec.h"
#include "lib/xalloc.h"

struct job {
	void (*fn)(void *);
	void *arg;
	struct timespec queued; /* CLOCK_MONOTONIC */
	struct job *next;
};

struct offload {
	pthread_mutex_t lock;
	pthread_cond_t ready;
	struct job *head, *tail;
	size_t queued, max_queued;
	bool stopping;
	int nice_increment;
	unsigned nthreads;
	pthread_t *threads;
	/* with a deadline (expired set): a timer thread expires the jobs that waited max_wait_ms */
	unsigned max_wait_ms;
	void (*expired)(void *);
	pthread_cond_t timer; /* on CLOCK_MONOTONIC; signalled when a job joins an empty queue */
	pthread_t timer_thread;
};

/* Takes the head job off the queue: the lock is held and the queue is not empty. */
static struct job *take(struct offload *o)
{
	struct job *j = o->head;
	o->head = j->next;
	if (!o->head)
		o->tail = NULL;
	o->queued--;
	return j;
}

/* When j's wait ends; only meaningful with a deadline set. */
static struct timespec due(const struct offload *o, const struct job *j)
{
	return timespec_add_ms(j->queued, o->max_wait_ms);
}

/*
 * Runs a job taken off the queue, outside the lock, and frees it: expired(arg) when it waited
 * past the deadline, whichever thread took it, else fn(arg).
 */
static void finish(struct offload *o, struct job *j)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (o->expired && !timespec_before(now, due(o, j)))
		o->expired(j->arg);
	else
		j->fn(j->arg);
	free(j);
}

static void *worker(void *arg)
{
	struct offload *o = arg;
	/* Linux keeps a nice value per thread: this lowers only the pool's threads. */
	if (o->nice_increment) {
		pid_t tid = (pid_t)syscall(SYS_gettid);
		int now = getpriority(PRIO_PROCESS, (id_t)tid);
		setpriority(PRIO_PROCESS, (id_t)tid, now + o->nice_increment);
	}
	pthread_mutex_lock(&o->lock);
	for (;;) {
		while (!o->head && !o->stopping)
			pthread_cond_wait(&o->ready, &o->lock);
		if (!o->head)
			break; /* stopping, and nothing left to run */
		struct job *j = take(o);
		pthread_mutex_unlock(&o->lock);
		finish(o, j);
		pthread_mutex_lock(&o->lock);
	}
	pthread_mutex_unlock(&o->lock);
	return NULL;
}

/*
 * The queue is first in, first out, so the job at its head is the one that has waited longest:
 * the timer sleeps until that job's deadline and expires jobs from the head, so that a job is
 * answered when its time is up even while every thread is busy.
 */
static void *timer_main(void *arg)
{
	struct offload *o = arg;
	pthread_mutex_lock(&o->lock);
	while (!o->stopping) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (!o->head) {
			/*
			 * Nothing waits: look again one wait from now. A job queued meanwhile is
			 * due after that, so submitting never wakes this thread (it did, once per
			 * request on an idle queue: a context switch each).
			 */
			struct timespec again = timespec_add_ms(now, o->max_wait_ms ? o->max_wait_ms
										   : 1000);
			pthread_cond_timedwait(&o->timer, &o->lock, &again);
			continue;
		}
		struct timespec when = due(o, o->head);
		if (timespec_before(now, when)) {
			pthread_cond_timedwait(&o->timer, &o->lock, &when);
			continue;
		}
		struct job *j = take(o);
		pthread_mutex_unlock(&o->lock);
		finish(o, j);
		pthread_mutex_lock(&o->lock);
	}
	pthread_mutex_unlock(&o->lock);
	return NULL;
}

struct offload *offload_start(unsigned threads, int nice_increment, size_t max_queued,
			      unsigned max_wait_ms, void (*expired)(void *))
{
	struct offload *o = xcalloc(1, sizeof(*o));
	pthread_mutex_init(&o->lock, NULL);
	pthread_cond_init(&o->ready, NULL);
	o->max_queued = max_queued;
	o->nice_increment = nice_increment;
	o->max_wait_ms = max_wait_ms;
	o->expired = expired;
	if (expired) {
		pthread_condattr_t attr;
		pthread_condattr_init(&attr);
		pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		pthread_cond_init(&o->timer, &attr);
		pthread_condattr_destroy(&attr);
		if (pthread_create(&o->timer_thread, NULL, timer_main, o) != 0) {
			fputs("offload: cannot create the timer thread\n", stderr);
			abort();
		}
	}
	o->nthreads = threads ? threads : 1;
	o->threads = xcalloc(o->nthreads, sizeof(*o->threads));
	for (unsigned i = 0; i < o->nthreads; i++)
		if (pthread_create(&o->threads[i], NULL, worker, o) != 0) {
			fputs("offload: cannot create a thread\n", stderr);
			abort();
		}
	return o;
}

int offload_submit(struct offload *o, void (*fn)(void *), void *arg)
{
	pthread_mutex_lock(&o->lock);
	if (o->stopping || o->queued >= o->max_queued) {
		pthread_mutex_unlock(&o->lock);
		return -1;
	}
	struct job *j = xmalloc(sizeof(*j));
	j->fn = fn;
	j->arg = arg;
	clock_gettime(CLOCK_MONOTONIC, &j->queued);
	j->next = NULL;
	if (o->tail)
		o->tail->next = j;
	else
		o->head = j;
	o->tail = j;
	o->queued++;
	pthread_cond_signal(&o->ready);
	pthread_mutex_unlock(&o->lock);
	return 0;
}

size_t offload_queued(struct offload *o)
{
	pthread_mutex_lock(&o->lock);
	size_t n = o->queued;
	pthread_mutex_unlock(&o->lock);
	return n;
}

void offload_stop(struct offload *o)
{
	if (!o)
		return;
	pthread_mutex_lock(&o->lock);
	o->stopping = true;
	pthread_cond_broadcast(&o->ready);
	if (o->expired)
		pthread_cond_signal(&o->timer);
	pthread_mutex_unlock(&o->lock);
	if (o->expired) {
		pthread_join(o->timer_thread, NULL);
		pthread_cond_destroy(&o->timer);
	}
	for (unsigned i = 0; i < o->nthreads; i++)
		pthread_join(o->threads[i], NULL);
	free(o->threads);
	pthread_mutex_destroy(&o->lock);
	pthread_cond_destroy(&o->ready);
	free(o);
}
