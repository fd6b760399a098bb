/*
 * Token buckets keyed by client address in a fixed open-addressing table, lock-striped. An IPv6
 * client counts by its /64, the network one subscriber holds.
 */
#define _GNU_SOURCE
#include "ratelimit.h"

#include <arpa/inet.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

#define KEY_MAX 52  /* an IPv6 address in text is at most 45 bytes, "/64" after it */
#define PROBE 8     /* slots looked at per key before one is recycled */
#define STRIPES 16

struct bucket {
	char key[KEY_MAX];
	double tokens;
	int64_t last_ns; /* 0: empty slot */
};

struct ratelimit {
	double rate, burst;
	unsigned mask;
	struct bucket *slots;
	pthread_mutex_t locks[STRIPES];
};

struct ratelimit *ratelimit_new(double rate, double burst, unsigned slots)
{
	struct ratelimit *rl = xcalloc(1, sizeof(*rl));
	rl->rate = rate;
	rl->burst = burst < 1 ? 1 : burst;
	unsigned n = STRIPES * PROBE;
	while (n < slots)
		n *= 2;
	rl->mask = n - 1;
	rl->slots = xcalloc(n, sizeof(*rl->slots));
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&rl->locks[i], NULL);
	return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&rl->locks[i]);
	free(rl->slots);
	free(rl);
}

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The bucket for key within its probe window, claimed or recycled; caller holds the stripe. */
static struct bucket *find(struct ratelimit *rl, const char *key, unsigned start, int64_t now)
{
	struct bucket *stalest = NULL;
	for (unsigned i = 0; i < PROBE; i++) {
		struct bucket *b = &rl->slots[(start + i) & rl->mask];
		if (b->last_ns && strcmp(b->key, key) == 0)
			return b;
		if (!stalest || b->last_ns < stalest->last_ns)
			stalest = b;
	}
	snprintf(stalest->key, sizeof(stalest->key), "%s", key);
	stalest->tokens = rl->burst;
	stalest->last_ns = now;
	return stalest;
}

void ratelimit_key(const char *addr, char *out, size_t len)
{
	struct in6_addr a6;
	struct in_addr a4;
	if (len == 0)
		return;
	if (inet_pton(AF_INET6, addr, &a6) != 1) {
		snprintf(out, len, "%s", addr);
		return;
	}
	if (IN6_IS_ADDR_V4MAPPED(&a6)) { /* ::ffff:192.0.2.1 is the IPv4 client 192.0.2.1 */
		memcpy(&a4, &a6.s6_addr[12], sizeof(a4));
		char v4[INET_ADDRSTRLEN];
		snprintf(out, len, "%s", inet_ntop(AF_INET, &a4, v4, sizeof(v4)));
		return;
	}
	/* one subscriber is given a whole /64 and picks any address in it: one bucket for all */
	memset(&a6.s6_addr[8], 0, 8);
	char v6[INET6_ADDRSTRLEN];
	snprintf(out, len, "%s/64", inet_ntop(AF_INET6, &a6, v6, sizeof(v6)));
}

unsigned ratelimit_take(struct ratelimit *rl, const char *addr, int64_t now_ns)
{
	if (!rl || rl->rate <= 0)
		return 0;
	if (now_ns <= 0)
		now_ns = 1;
	char key[KEY_MAX];
	ratelimit_key(addr, key, sizeof(key));
	/* Windows start on a multiple of PROBE so one stripe lock covers a whole window. */
	unsigned start = (hash(key) * PROBE) & rl->mask;
	pthread_mutex_t *lock = &rl->locks[(start / PROBE) % STRIPES];
	pthread_mutex_lock(lock);
	struct bucket *b = find(rl, key, start, now_ns);
	double elapsed = now_ns > b->last_ns ? (double)(now_ns - b->last_ns) / 1e9 : 0;
	b->tokens = fmin(rl->burst, b->tokens + elapsed * rl->rate);
	b->last_ns = now_ns;
	unsigned wait = 0;
	if (b->tokens >= 1) {
		b->tokens -= 1;
	} else {
		double secs = ceil((1 - b->tokens) / rl->rate);
		wait = secs < 1 ? 1 : secs > 3600 ? 3600 : (unsigned)secs;
	}
	pthread_mutex_unlock(lock);
	return wait;
}

int ratelimit_parse_env(const char *name, double dflt_rate, double dflt_burst, double *rate,
			double *burst, struct error *err)
{
	*rate = dflt_rate;
	*burst = dflt_burst;
	const char *v = getenv(name);
	if (!v || !*v)
		return 0;
	char *end;
	double r = strtod(v, &end), b = r * 2;
	if (end != v && *end == ':') {
		const char *bs = end + 1;
		b = strtod(bs, &end);
		if (end == bs)
			end = (char *)"x";
	}
	if (end == v || *end || !isfinite(r) || !isfinite(b) || r < 0 || r > 1e6 || b < 0 ||
	    b > 1e7 || (r > 0 && b < 1)) {
		error_add(err, name, "invalid",
			  "%s must be requests per second per address, optionally :burst "
			  "(\"200\", \"5:20\"; 0 turns the limit off)", name);
		return error_set(err, ERR_INVALID, "bad configuration");
	}
	*rate = r;
	*burst = b;
	return 0;
}

bool ratelimit_enabled(const struct ratelimit *rl)
{
	return rl && rl->rate > 0;
}
