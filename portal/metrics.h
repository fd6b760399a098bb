/* Request counters and latency histograms by route and status, in Prometheus text format. */
#ifndef PORTAL_METRICS_H
#define PORTAL_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct store_pool;

/* Records one finished request. route_index -1 means "no route matched". Lock-free. */
void metrics_observe(int route_index, int status, int64_t duration_ns);

/* Requests waiting (suspended, not yet running) for a work thread and for a slow thread. */
struct metrics_queues {
	size_t work, slow;
};

/* Renders every metric plus pool usage and, when q is not NULL, the queues; caller frees. */
char *metrics_render(struct store_pool *pool, const struct metrics_queues *q, size_t *len);

#endif
