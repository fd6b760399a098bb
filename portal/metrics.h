/* Request counters and latency histograms by route and status, in Prometheus text format. */
#ifndef PORTAL_METRICS_H
#define PORTAL_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct store_pool;

/* Records one finished request. route_index -1 means "no route matched". Lock-free. */
void metrics_observe(int route_index, int status, int64_t duration_ns);

/* Renders every metric plus pool usage; caller frees. */
char *metrics_render(struct store_pool *pool, size_t *len);

#endif
