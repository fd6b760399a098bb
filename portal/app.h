/* The process-wide context handlers reach through req->app. */
#ifndef PORTAL_APP_H
#define PORTAL_APP_H

#include "portal/proxy.h"
#include <stdbool.h>

#include "store/db.h"

struct snapshot;
struct authcache;

/* Configuration from the environment (see config_load). Strings owned by the struct. */
struct config {
	char *db_url;
	char *db_read_url;
	char *listen;
	char *data_dir;
	char *migrations_dir;
	char *signing_key_path;
	unsigned threads;
	unsigned work_threads; /* signed-in requests (the database work), off the HTTP threads */
	unsigned slow_threads; /* sign-in hashing, off the HTTP threads */
	struct proxy_list trusted_proxies; /* PORTAL_TRUSTED_PROXIES */
	unsigned slow_queue;
	unsigned db_pool;
	size_t max_body;
	size_t max_upload;
	unsigned max_connections;
	unsigned per_ip_connections;
	unsigned timeout_seconds;
	bool access_log;
	bool allow_private_webhooks;
	unsigned login_account_failures; /* failed sign-ins per account before a block */
	unsigned login_address_failures; /* ... per client address */
	unsigned login_block_seconds;	 /* how long a block lasts (also the counting window) */
	unsigned auth_cache_ms;		 /* how long a looked-up credential is remembered */
	unsigned long long public_photo_bytes; /* public defect photos per city day, all told */
};

struct app {
	struct config cfg;
	struct store_pool *pool;
	/*
	 * PORTAL_DB_READ: a replica for the published data (the snapshot poller reads it), or
	 * NULL. Everything else, and the reload right after a local publication, uses pool.
	 */
	struct store_pool *read_pool;
	int migrations_latest; /* highest migration file number, for /readyz */
	struct snapshot *snapshot; /* what is published, in memory (portal/snapshot.h) */
	struct authcache *auth_cache; /* credentials recently looked up (portal/authcache.h) */
};

/*
 * Reads PORTAL_* variables into cfg with working defaults for a local run. ERR_INVALID listing
 * every bad variable. Release with config_release.
 */
int config_load(struct config *cfg, struct error *err);
void config_release(struct config *cfg);

#endif
