/*
 * Per-client token buckets for the public and sign-in endpoints: each client address may make
 * `rate` requests a second on average and `burst` at once. In memory, per process: a limit of
 * N per instance behind a load balancer is N times the number of instances.
 */
#ifndef PORTAL_RATELIMIT_H
#define PORTAL_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct ratelimit;

/*
 * A limiter remembering up to `slots` addresses (rounded up to a power of two). rate <= 0
 * makes a limiter that allows everything. burst < 1 is taken as 1. Cannot fail (aborts on OOM).
 */
struct ratelimit *ratelimit_new(double rate, double burst, unsigned slots);

/*
 * The bucket key of a client address: an IPv6 address stands for its /64 (one subscriber's
 * network: "2001:db8:1:2::/64"), an IPv4-mapped IPv6 address for its IPv4 address, anything
 * else (IPv4, or text that is no address) for itself. Truncated to len. Cannot fail.
 */
void ratelimit_key(const char *addr, char *out, size_t len);

/*
 * Takes one token for `addr` (a client address, keyed by ratelimit_key) at monotonic time
 * now_ns. 0 when allowed;
 * otherwise the whole seconds (at least 1) until a token is back, for Retry-After. When the
 * table is full the stalest address in the probe window is forgotten (it starts again full).
 * Thread-safe.
 */
unsigned ratelimit_take(struct ratelimit *rl, const char *addr, int64_t now_ns);

/* False for NULL or a limiter made with rate 0 (off): callers may skip finding the key. */
bool ratelimit_enabled(const struct ratelimit *rl);

/* Frees the limiter. Safe on NULL. */
void ratelimit_free(struct ratelimit *rl);

/*
 * Reads a rate variable: "200" (per second, burst twice that) or "200:50" (rate:burst), "0"
 * turns the limit off. dflt_rate/dflt_burst when unset. ERR_INVALID (a detail naming the
 * variable) on anything else.
 */
int ratelimit_parse_env(const char *name, double dflt_rate, double dflt_burst, double *rate,
			double *burst, struct error *err);

#endif
