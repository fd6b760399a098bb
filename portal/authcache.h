/*
 * A short memory of who a bearer credential belongs to, so that a signed-in read does not pay a
 * database round trip for the caller on every request. Keyed by the token's hash (never the
 * token). Revocation-safe in this process: every sign-out, key revocation and user change made
 * here calls authcache_forget_all() after it commits, and an answer looked up before that call
 * is never served after it. A revocation made by another process (a second portal on the same
 * database, the CLI) is seen here within ttl_ms: the most a cached entry lives.
 */
#ifndef PORTAL_AUTHCACHE_H
#define PORTAL_AUTHCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "workflows/authz.h"

struct authcache;

/* A cache of up to `slots` credentials (rounded up to a power of two) kept ttl_ms each; ttl_ms
 * 0 makes one that remembers nothing. Cannot fail (aborts on OOM). */
struct authcache *authcache_new(unsigned ttl_ms, unsigned slots);
void authcache_free(struct authcache *ac);

/* The generation to pass to authcache_put for a lookup that starts now. */
uint64_t authcache_generation(struct authcache *ac);

/* True and *out filled when hash was put less than ttl_ms before now_ns (monotonic) and no
 * authcache_forget_all came after the lookup it was put from. Thread-safe; NULL: false. */
bool authcache_get(struct authcache *ac, const unsigned char hash[32], int64_t now_ns,
		   struct authz_caller *out);

/* Remembers a caller the database answered for hash, looked up from `generation` on. */
void authcache_put(struct authcache *ac, const unsigned char hash[32], const struct authz_caller *c,
		   uint64_t generation, int64_t now_ns);

/* Forgets every credential: called after a change that may revoke one has committed. */
void authcache_forget_all(struct authcache *ac);

#endif
