/* Atomic counters per (route, status) and a latency histogram per route. */
#define _GNU_SOURCE
#include "metrics.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "portal/router.h"
#include "store/db.h"

#define MAX_ROUTES 256
#define SLOT_UNMATCHED MAX_ROUTES

static const int statuses[] = { 200, 201, 204, 304, 400, 401, 403, 404, 405,
				409, 413, 415, 422, 429, 431, 500, 503 };
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]) + 1) /* last slot: other */
static const double bucket_le[] = { 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
				    0.1,   0.25,   0.5,   1.0,  2.5 };
#define NBUCKET (sizeof(bucket_le) / sizeof(bucket_le[0]))

static atomic_ullong counts[MAX_ROUTES + 1][NSTATUS];
static atomic_ullong buckets[MAX_ROUTES + 1][NBUCKET + 1];
static atomic_ullong sum_us[MAX_ROUTES + 1];

static int status_slot(int status)
{
	for (size_t i = 0; i < NSTATUS - 1; i++)
		if (statuses[i] == status)
			return (int)i;
	return (int)NSTATUS - 1;
}

void metrics_observe(int route_index, int status, int64_t duration_ns)
{
	int r = route_index >= 0 && route_index < MAX_ROUTES ? route_index : SLOT_UNMATCHED;
	atomic_fetch_add_explicit(&counts[r][status_slot(status)], 1, memory_order_relaxed);
	double s = (double)duration_ns / 1e9;
	size_t b = 0;
	while (b < NBUCKET && s > bucket_le[b])
		b++;
	atomic_fetch_add_explicit(&buckets[r][b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&sum_us[r], (unsigned long long)(duration_ns / 1000),
				  memory_order_relaxed);
}

static void route_label(int r, char *buf, size_t len)
{
	const struct route *rt = router_at(r);
	if (r == SLOT_UNMATCHED || !rt)
		snprintf(buf, len, "unmatched");
	else
		snprintf(buf, len, "%s %s", rt->method, rt->pattern);
}

/* Whether slot r is one to report: a route of the table, or the unmatched requests. */
static bool slot_used(int r)
{
	return r == MAX_ROUTES || r < router_count();
}

/* portal_http_requests_total: a counter per route and status seen. */
static void write_counts(FILE *f)
{
	fputs("# HELP portal_http_requests_total HTTP requests by route and status.\n"
	      "# TYPE portal_http_requests_total counter\n",
	      f);
	char label[300];
	for (int r = 0; r <= MAX_ROUTES; r++) {
		if (!slot_used(r))
			continue;
		route_label(r, label, sizeof(label));
		for (size_t s = 0; s < NSTATUS; s++) {
			unsigned long long v = atomic_load(&counts[r][s]);
			if (!v)
				continue;
			if (s == NSTATUS - 1)
				fprintf(f,
					"portal_http_requests_total{route=\"%s\","
					"status=\"other\"} %llu\n",
					label, v);
			else
				fprintf(f,
					"portal_http_requests_total{route=\"%s\","
					"status=\"%d\"} %llu\n",
					label, statuses[s], v);
		}
	}
}

/* One route's latency histogram: cumulative buckets, sum and count. */
static void write_histogram(FILE *f, int r, unsigned long long total)
{
	char label[300];
	route_label(r, label, sizeof(label));
	unsigned long long cum = 0;
	for (size_t b = 0; b < NBUCKET; b++) {
		cum += atomic_load(&buckets[r][b]);
		fprintf(f,
			"portal_http_request_duration_seconds_bucket{route=\"%s\","
			"le=\"%g\"} %llu\n",
			label, bucket_le[b], cum);
	}
	fprintf(f,
		"portal_http_request_duration_seconds_bucket{route=\"%s\","
		"le=\"+Inf\"} %llu\n",
		label, total);
	fprintf(f, "portal_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", label,
		(double)atomic_load(&sum_us[r]) / 1e6);
	fprintf(f, "portal_http_request_duration_seconds_count{route=\"%s\"} %llu\n", label, total);
}

/* portal_http_request_duration_seconds: a histogram per route that has answered. */
static void write_latencies(FILE *f)
{
	fputs("# HELP portal_http_request_duration_seconds Request latency by route.\n"
	      "# TYPE portal_http_request_duration_seconds histogram\n",
	      f);
	for (int r = 0; r <= MAX_ROUTES; r++) {
		if (!slot_used(r))
			continue;
		unsigned long long total = 0;
		for (size_t b = 0; b <= NBUCKET; b++)
			total += atomic_load(&buckets[r][b]);
		if (total)
			write_histogram(f, r, total);
	}
}

char *metrics_render(struct store_pool *pool, const struct metrics_queues *q, size_t *len)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	write_counts(f);
	write_latencies(f);
	if (pool) {
		int in_use = 0, open = 0, size = 0;
		store_pool_usage(pool, &in_use, &open, &size);
		fprintf(f,
			"# HELP portal_db_pool_connections Database pool connections.\n"
			"# TYPE portal_db_pool_connections gauge\n"
			"portal_db_pool_connections{state=\"in_use\"} %d\n"
			"portal_db_pool_connections{state=\"open\"} %d\n"
			"portal_db_pool_connections{state=\"max\"} %d\n",
			in_use, open, size);
	}
	if (q)
		fprintf(f,
			"# HELP portal_queued_requests Requests waiting for a thread of a pool "
			"(work: signed-in requests; slow: password hashing).\n"
			"# TYPE portal_queued_requests gauge\n"
			"portal_queued_requests{pool=\"work\"} %zu\n"
			"portal_queued_requests{pool=\"slow\"} %zu\n",
			q->work, q->slow);
	fclose(f);
	*len = n;
	return out;
}
