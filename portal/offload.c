/* A small bounded job queue served by low-priority threads. */
#define _GNU_SOURCE
#include "offload.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "workflows/xalloc.h"

struct job {
	void (*fn)(void *);
	void *arg;
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
};

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
		struct job *j = o->head;
		if (!j)
			break; /* stopping, and nothing left to run */
		o->head = j->next;
		if (!o->head)
			o->tail = NULL;
		o->queued--;
		pthread_mutex_unlock(&o->lock);
		j->fn(j->arg);
		free(j);
		pthread_mutex_lock(&o->lock);
	}
	pthread_mutex_unlock(&o->lock);
	return NULL;
}

struct offload *offload_start(unsigned threads, int nice_increment, size_t max_queued)
{
	struct offload *o = xcalloc(1, sizeof(*o));
	pthread_mutex_init(&o->lock, NULL);
	pthread_cond_init(&o->ready, NULL);
	o->max_queued = max_queued;
	o->nice_increment = nice_increment;
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
	pthread_mutex_unlock(&o->lock);
	for (unsigned i = 0; i < o->nthreads; i++)
		pthread_join(o->threads[i], NULL);
	free(o->threads);
	pthread_mutex_destroy(&o->lock);
	pthread_cond_destroy(&o->ready);
	free(o);
}
