/* `portal serve`: the HTTP server plus background workers, stopped cleanly on SIGINT/SIGTERM. */
#define _GNU_SOURCE
#include "serve.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "integrations/dispatcher.h"
#include "portal/authcache.h"
#include "portal/http.h"
#include "portal/sweeper.h"
#include "portal/snapshot.h"
#include "store/migrate.h"
#include "store/seal.h"
#include "lib/xalloc.h"

int app_new(struct app **out, struct error *err)
{
	struct app *app = xcalloc(1, sizeof(*app));
	struct store_config db;
	if (config_load(&app->cfg, err) != 0) {
		free(app);
		return err->code;
	}
	if (store_config_parse(app->cfg.db_url, &db, err) != 0) {
		config_release(&app->cfg);
		free(app);
		return err->code;
	}
	app->pool = store_pool_new(&db, (int)app->cfg.db_pool);
	store_config_release(&db);
	if (app->cfg.db_read_url && *app->cfg.db_read_url) {
		if (store_config_parse(app->cfg.db_read_url, &db, err) != 0) {
			char why[sizeof(err->message)];
			snprintf(why, sizeof(why), "%s", err->message);
			error_set(err, err->code, "PORTAL_DB_READ: %s", why);
			app_free(app);
			return err->code;
		}
		/* one poller reads it; a second connection covers a reconnect */
		app->read_pool = store_pool_new(&db, 2);
		store_config_release(&db);
	}
	if (store_migrations_latest(app->cfg.migrations_dir, &app->migrations_latest, err) != 0) {
		app_free(app);
		return err->code;
	}
	/*
	 * Webhook endpoint secrets are sealed at rest with this key (store/seal.h). Loaded now so
	 * the key file exists from the first start; when the data directory is unusable the
	 * portal still serves (reads, and 507 for uploads), and endpoint operations say why.
	 */
	char *seal_path = store_seal_default_path();
	struct error kerr = ERROR_INIT;
	if (store_seal_load(seal_path, &kerr) != 0)
		fprintf(stderr, "{\"level\":\"warn\",\"message\":\"secrets key: %s\"}\n",
			kerr.message);
	error_release(&kerr);
	free(seal_path);
	app->auth_cache = authcache_new(app->cfg.auth_cache_ms, 4096);
	snapshot_start(app);
	*out = app;
	return 0;
}

void app_free(struct app *app)
{
	if (!app)
		return;
	snapshot_stop(app->snapshot);
	authcache_free(app->auth_cache);
	if (app->read_pool)
		store_pool_free(app->read_pool);
	store_pool_free(app->pool);
	config_release(&app->cfg);
	free(app);
}

struct http_limits app_http_limits(const struct app *app)
{
	struct http_limits l = {
		.max_body = app->cfg.max_body,
		.max_connections = app->cfg.max_connections,
		.per_ip_connections = app->cfg.per_ip_connections,
		.timeout_seconds = app->cfg.timeout_seconds,
		.connection_memory = 64 * 1024,
		.threads = app->cfg.threads,
		.work_threads = app->cfg.work_threads,
		.slow_threads = app->cfg.slow_threads,
		.slow_queue = app->cfg.slow_queue,
		.trusted_proxies = &app->cfg.trusted_proxies,
		.access_log = app->cfg.access_log,
	};
	return l;
}

/*
 * Block the signals before any thread starts (app_new starts the snapshot poller): threads
 * inherit the mask, so only the sigwait in serve_main receives them. A thread started earlier
 * could take SIGTERM with its default action and kill the process mid-request.
 */
static void block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, set, NULL);
}

/* Why serve cannot start, with each detail, on stderr. Releases err. */
static void report(struct error *err)
{
	fprintf(stderr, "portal serve: %s\n", err->message);
	for (size_t i = 0; i < err->ndetails; i++)
		fprintf(stderr, "  %s\n", err->details[i].message);
	error_release(err);
}

/* The application context and the dispatcher's settings; 1 (reported) when either is bad. */
static int prepare(struct app **app, struct dispatcher_config *dcfg)
{
	struct error err = ERROR_INIT;
	if (app_new(app, &err) != 0) {
		report(&err);
		return 1;
	}
	if (dispatcher_config_load(dcfg, (*app)->cfg.allow_private_webhooks, &err) != 0) {
		report(&err);
		app_free(*app);
		return 1;
	}
	return 0;
}

/* The background workers beside srv until SIGINT or SIGTERM, then everything stopped. */
static void serve_until_signal(struct app *app, struct http_server *srv,
			       const struct dispatcher_config *dcfg, const sigset_t *set,
			       unsigned threads)
{
	const char *sweep = getenv("PORTAL_SWEEP_SECONDS");
	struct sweeper *sw = sweeper_start(app, sweep ? (unsigned)atoi(sweep) : 60);
	/* PORTAL_DISPATCH_THREADS=0 leaves delivery to separate `portal dispatch` processes */
	struct dispatcher *disp = dcfg->threads ? dispatcher_start(app->pool, dcfg) : NULL;
	fprintf(stderr,
		"{\"level\":\"info\",\"message\":\"serving\",\"listen\":\"%s\",\"port\":%u,"
		"\"threads\":%u}\n",
		app->cfg.listen, http_server_port(srv), threads);
	int sig = 0;
	sigwait(set, &sig);
	fprintf(stderr, "{\"level\":\"info\",\"message\":\"stopping\",\"signal\":%d}\n", sig);
	http_server_stop(srv);
	sweeper_stop(sw);
	dispatcher_stop(disp);
	app_free(app);
	fprintf(stderr, "{\"level\":\"info\",\"message\":\"stopped\"}\n");
}

int serve_main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		puts("usage: portal serve\n\nServes the HTTP API on PORTAL_LISTEN until SIGINT or "
		     "SIGTERM,\nthen stops accepting, finishes requests in flight and exits 0.\n"
		     "See `portal help` for the environment variables.");
		return 0;
	}
	sigset_t set;
	block_signals(&set);
	struct app *app = NULL;
	struct dispatcher_config dcfg;
	if (prepare(&app, &dcfg) != 0)
		return 1;
	struct error err = ERROR_INIT;
	struct http_limits limits = app_http_limits(app);
	struct http_server *srv = http_server_start(app, app->cfg.listen, &limits, &err);
	if (!srv) {
		report(&err); /* names the setting that is wrong */
		app_free(app);
		return 1;
	}
	serve_until_signal(app, srv, &dcfg, &set, limits.threads);
	return 0;
}
