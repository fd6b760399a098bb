/* Configuration from PORTAL_* environment variables, with defaults for a local run. */
#include "app.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/xalloc.h"

static char *env_str(const char *name, const char *dflt)
{
	const char *v = getenv(name);
	return xstrdup(v && *v ? v : dflt);
}

static unsigned long long env_num(const char *name, unsigned long long dflt,
				  unsigned long long min, unsigned long long max, struct error *err)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return dflt;
	char *end;
	unsigned long long n = strtoull(v, &end, 10);
	if (*end || v[0] == '-' || n < min || n > max) {
		error_add(err, name, "out_of_range", "%s must be a whole number from %llu to %llu",
			  name, min, max);
		return dflt;
	}
	return n;
}

static bool env_bool(const char *name, bool dflt)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return dflt;
	return strcmp(v, "0") != 0 && strcmp(v, "off") != 0 && strcmp(v, "false") != 0 &&
	       strcmp(v, "no") != 0;
}

int config_load(struct config *cfg, struct error *err)
{
	memset(cfg, 0, sizeof(*cfg));
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (cpus < 1)
		cpus = 1;
	cfg->data_dir = env_str("PORTAL_DATA_DIR", "var");
	char *dflt_db = xasprintf("mariadb://root@localhost/portal?socket=%s/run/mysqld.sock",
				  cfg->data_dir);
	cfg->db_url = env_str("PORTAL_DB", dflt_db);
	free(dflt_db);
	cfg->db_read_url = getenv("PORTAL_DB_READ") ? env_str("PORTAL_DB_READ", "") : NULL;
	cfg->listen = env_str("PORTAL_LISTEN", "127.0.0.1:8080");
	cfg->migrations_dir = env_str("PORTAL_MIGRATIONS", PORTAL_SOURCE_DIR "/migrations");
	char *dflt_key = xasprintf("%s/signing.key", cfg->data_dir);
	cfg->signing_key_path = env_str("PORTAL_SIGNING_KEY", dflt_key);
	free(dflt_key);
	/* one event loop per CPU: the HTTP threads never wait (see dispatch() in portal/http.c) */
	cfg->threads = (unsigned)env_num("PORTAL_THREADS", (unsigned long long)cpus, 1, 256, err);
	cfg->slow_threads = (unsigned)env_num("PORTAL_SLOW_THREADS",
					      cpus > 1 ? (unsigned long long)cpus / 2 : 1, 1, 64, err);
	cfg->slow_queue = (unsigned)env_num("PORTAL_SLOW_QUEUE", 256, 1, 100000, err);
	cfg->work_threads = (unsigned)env_num("PORTAL_WORK_THREADS", (unsigned long long)cpus * 2,
					      0, 256, err);
	struct error perr = ERROR_INIT;
	if (proxy_list_parse(getenv("PORTAL_TRUSTED_PROXIES"), &cfg->trusted_proxies, &perr) != 0)
		error_add(err, "PORTAL_TRUSTED_PROXIES", "invalid", "%s", perr.message);
	error_release(&perr);
	cfg->db_pool = (unsigned)env_num("PORTAL_DB_POOL",
					 cfg->threads + cfg->work_threads + cfg->slow_threads + 2, 1,
					 512, err);
	cfg->max_body = env_num("PORTAL_MAX_BODY", 1 << 20, 1024, 64ull << 20, err);
	cfg->max_upload = env_num("PORTAL_MAX_UPLOAD", 20 << 20, 1024, 1ull << 30, err);
	cfg->max_connections = (unsigned)env_num("PORTAL_MAX_CONNECTIONS", 1024, 1, 100000, err);
	cfg->per_ip_connections = (unsigned)env_num("PORTAL_PER_IP_CONNECTIONS", 512, 0, 100000, err);
	cfg->timeout_seconds = (unsigned)env_num("PORTAL_TIMEOUT", 30, 1, 3600, err);
	cfg->access_log = env_bool("PORTAL_ACCESS_LOG", true);
	cfg->allow_private_webhooks = env_bool("PORTAL_ALLOW_PRIVATE_WEBHOOKS", false);
	cfg->auth_cache_ms = (unsigned)env_num("PORTAL_AUTH_CACHE_MS", 1000, 0, 60000, err);
	cfg->login_account_failures =
		(unsigned)env_num("PORTAL_LOGIN_ACCOUNT_FAILURES", 5, 1, 1000000, err);
	cfg->login_address_failures =
		(unsigned)env_num("PORTAL_LOGIN_ADDRESS_FAILURES", 30, 1, 1000000, err);
	cfg->login_block_seconds = (unsigned)env_num("PORTAL_LOGIN_BLOCK_SECONDS", 900, 1, 86400, err);
	cfg->public_photo_bytes =
		env_num("PORTAL_PUBLIC_PHOTO_BYTES", 256ull << 20, 0, 1ull << 40, err);
	if (err && err->ndetails)
		return error_set(err, ERR_INVALID, "bad configuration");
	return 0;
}

void config_release(struct config *cfg)
{
	free(cfg->db_url);
	free(cfg->db_read_url);
	free(cfg->listen);
	free(cfg->data_dir);
	free(cfg->migrations_dir);
	free(cfg->signing_key_path);
	memset(cfg, 0, sizeof(*cfg));
}
