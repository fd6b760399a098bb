/*
 * Slow work off the request threads. Password hashing (Argon2id, 64 MiB, about half a second of
 * CPU) would otherwise hold a libmicrohttpd thread, and with it every other connection that
 * thread serves. A request that hashes is suspended, its handler runs here, and the connection
 * is resumed with the answer. The threads run at a lower scheduling priority, so on a busy
 * machine sign-ins wait for CPU rather than every other request.
 */
#ifndef PORTAL_OFFLOAD_H
#define PORTAL_OFFLOAD_H

#include <stddef.h>

struct offload;

/*
 * Starts `threads` threads (at least 1) at `nice_increment` below the process's priority
 * (0 keeps it), accepting at most `max_queued` jobs waiting beyond those running. With
 * `expired` (NULL: no deadline), a job that has waited max_wait_ms without starting gets
 * expired(arg) instead of fn(arg): a timer thread of the pool takes it off the queue when its
 * time is up, so it need not wait for a free thread, and a thread that takes a job past its
 * deadline expires it too. Aborts if a thread cannot be created.
 */
struct offload *offload_start(unsigned threads, int nice_increment, size_t max_queued,
			      unsigned max_wait_ms, void (*expired)(void *));

/*
 * Queues fn(arg) to run on one of the threads. 0 when queued; -1 when max_queued jobs are
 * already waiting or the pool is stopping (fn is then not called: the caller answers "busy").
 */
int offload_submit(struct offload *o, void (*fn)(void *), void *arg);

/* Jobs waiting (not yet running). */
size_t offload_queued(struct offload *o);

/*
 * Runs every job already queued (expiring those past a deadline), then joins the threads and
 * frees. Safe on NULL.
 */
void offload_stop(struct offload *o);

#endif
