/* Credentials by token hash in a direct-mapped table, lock-striped; a generation counter for
 * forgetting them all at once. */
#include "authcache.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

#define STRIPES 16

struct entry {
	unsigned char hash[32];
	struct authz_caller caller;
	uint64_t generation;
	int64_t until_ns; /* 0: empty */
};

struct authcache {
	int64_t ttl_ns;
	unsigned mask;
	struct entry *slots;
	_Atomic uint64_t generation;
	pthread_mutex_t locks[STRIPES];
};

struct authcache *authcache_new(unsigned ttl_ms, unsigned slots)
{
	struct authcache *ac = xcalloc(1, sizeof(*ac));
	ac->ttl_ns = (int64_t)ttl_ms * 1000000;
	unsigned n = STRIPES;
	while (n < slots)
		n *= 2;
	ac->mask = n - 1;
	ac->slots = xcalloc(n, sizeof(*ac->slots));
	atomic_init(&ac->generation, 1);
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_init(&ac->locks[i], NULL);
	return ac;
}

void authcache_free(struct authcache *ac)
{
	if (!ac)
		return;
	for (int i = 0; i < STRIPES; i++)
		pthread_mutex_destroy(&ac->locks[i]);
	sodium_memzero(ac->slots, (ac->mask + 1) * sizeof(*ac->slots));
	free(ac->slots);
	free(ac);
}

uint64_t authcache_generation(struct authcache *ac)
{
	return ac ? atomic_load(&ac->generation) : 0;
}

/* The hash is a BLAKE2b digest: its first bytes are as good an index as any. */
static unsigned slot_of(const struct authcache *ac, const unsigned char hash[32])
{
	uint32_t h;
	memcpy(&h, hash, sizeof(h));
	return h & ac->mask;
}

bool authcache_get(struct authcache *ac, const unsigned char hash[32], int64_t now_ns,
		   struct authz_caller *out)
{
	if (!ac || ac->ttl_ns == 0)
		return false;
	unsigned i = slot_of(ac, hash);
	pthread_mutex_t *lock = &ac->locks[i % STRIPES];
	bool hit = false;
	pthread_mutex_lock(lock);
	const struct entry *e = &ac->slots[i];
	if (e->until_ns > now_ns && e->generation == atomic_load(&ac->generation) &&
	    sodium_memcmp(e->hash, hash, 32) == 0) {
		*out = e->caller;
		hit = true;
	}
	pthread_mutex_unlock(lock);
	return hit;
}

void authcache_put(struct authcache *ac, const unsigned char hash[32], const struct authz_caller *c,
		   uint64_t generation, int64_t now_ns)
{
	if (!ac || ac->ttl_ns == 0)
		return;
	unsigned i = slot_of(ac, hash);
	pthread_mutex_t *lock = &ac->locks[i % STRIPES];
	pthread_mutex_lock(lock);
	struct entry *e = &ac->slots[i];
	memcpy(e->hash, hash, 32);
	e->caller = *c;
	e->generation = generation;
	e->until_ns = now_ns + ac->ttl_ns;
	pthread_mutex_unlock(lock);
}

void authcache_forget_all(struct authcache *ac)
{
	if (ac)
		atomic_fetch_add(&ac->generation, 1);
}
