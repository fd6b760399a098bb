/* The portal binary: serve, migrate, version, seed-demo and admin subcommands. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <mysql.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "integrations/dispatcher.h"
#include "portal/admin.h"
#include "portal/app.h"
#include "portal/http.h"
#include "portal/serve.h"
#include "store/migrate.h"

static const char usage[] =
	"usage: portal <command> [options]\n"
	"\n"
	"Joint utility hookup portal: one application for water, power, gas, heat and network\n"
	"connections, with the permits they need processed in parallel.\n"
	"\n"
	"commands:\n"
	"  serve                 run the HTTP API (and the outbox dispatcher threads)\n"
	"  migrate               apply pending database migrations, then exit\n"
	"  dispatch [--once]     deliver outbox events only (scale-out; see `portal help dispatch`)\n"
	"  seed-demo             load demo organisations, accounts and published data\n"
	"  admin create-office-user --email E   the first office account\n"
	"  admin audit-verify    check the audit log's hash chain\n"
	"  audit verify          the same: names the first broken entry\n"
	"  admin rotate-signing-key   a new certificate-signing key (old public keys stay)\n"
	"  version               print the version\n"
	"  help [command]        this text, or a command's own\n"
	"\n"
	"environment:\n"
	"  PORTAL_DB             mariadb://user:pass@host:port/db or\n"
	"                        mariadb://user@localhost/db?socket=/path/to.sock\n"
	"                        (default: root on the private server's socket under PORTAL_DATA_DIR)\n"
	"  PORTAL_DB_READ        optional replica URL for public reads\n"
	"  PORTAL_LISTEN         host:port to serve on (default 127.0.0.1:8080; port 0 = any)\n"
	"  PORTAL_DATA_DIR       data directory: materials, signing key (default var)\n"
	"  PORTAL_MIGRATIONS     directory of NNNN_name.sql files (default: the source tree's)\n"
	"  PORTAL_SIGNING_KEY    Ed25519 key file (default $PORTAL_DATA_DIR/signing.key)\n"
	"  PORTAL_THREADS        HTTP worker threads (default 2 per CPU)\n"
	"  PORTAL_DB_POOL        database connections (default threads + 2)\n"
	"  PORTAL_MAX_BODY       request body cap in bytes (default 1048576)\n"
	"  PORTAL_MAX_UPLOAD     upload cap in bytes (default 20971520)\n"
	"  PORTAL_MAX_CONNECTIONS, PORTAL_PER_IP_CONNECTIONS, PORTAL_TIMEOUT (seconds)\n"
	"  PORTAL_DISPATCH_THREADS  webhook delivery threads in serve (default 2; 0 = none)\n"
	"  PORTAL_RETRY_SCHEDULE seconds before each try (default 0,5,300,1800,7200,18000,36000,36000)\n"
	"  PORTAL_ALLOW_PRIVATE_WEBHOOKS  1 lets endpoints be loopback/private addresses (local runs)\n"
	"  PORTAL_ACCESS_LOG     1 (default) logs one JSON line per request on stderr; 0 turns it off\n";

static int die_err(const char *what, struct error *err)
{
	fprintf(stderr, "portal %s: %s\n", what, err->message);
	for (size_t i = 0; i < err->ndetails; i++)
		fprintf(stderr, "  %s: %s\n", err->details[i].field, err->details[i].message);
	error_release(err);
	return 1;
}

static int cmd_migrate(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		puts("usage: portal migrate\n\nApplies every migrations/NNNN_*.sql not yet applied, in\n"
		     "order, recording each with its checksum; refuses when an applied file changed.\n"
		     "Uses PORTAL_DB and PORTAL_MIGRATIONS.");
		return 0;
	}
	struct error err = ERROR_INIT;
	struct config cfg;
	struct store_config db;
	if (config_load(&cfg, &err) != 0)
		return die_err("migrate", &err);
	if (store_config_parse(cfg.db_url, &db, &err) != 0) {
		config_release(&cfg);
		return die_err("migrate", &err);
	}
	int applied = 0;
	int rc = store_migrate(&db, cfg.migrations_dir, isatty(2) ? stderr : NULL, &applied, &err);
	store_config_release(&db);
	config_release(&cfg);
	if (rc != 0)
		return die_err("migrate", &err);
	printf("migrations up to date (%d applied now)\n", applied);
	return 0;
}

/* The dispatcher alone, for running delivery on other machines than the HTTP servers. */
static int cmd_dispatch(int argc, char **argv)
{
	bool once = argc > 1 && strcmp(argv[1], "--once") == 0;
	if (argc > 1 && !once) {
		puts("usage: portal dispatch [--once]\n\nDelivers outbox events to the organisations'\n"
		     "webhook endpoints with PORTAL_DISPATCH_THREADS threads (at least 1) until SIGINT\n"
		     "or SIGTERM, then finishes the attempts in flight and exits 0. --once makes one\n"
		     "pass and exits. Any number may run against one database. Also reads\n"
		     "PORTAL_RETRY_SCHEDULE, PORTAL_WEBHOOK_TIMEOUT, PORTAL_DISPATCH_LEASE,\n"
		     "PORTAL_DISPATCH_POLL_MS, PORTAL_DISPATCH_BATCH.");
		return strcmp(argv[1], "--help") == 0 ? 0 : 2;
	}
	struct error err = ERROR_INIT;
	struct config cfg;
	struct store_config db;
	struct dispatcher_config dcfg;
	if (config_load(&cfg, &err) != 0)
		return die_err("dispatch", &err);
	if (dispatcher_config_load(&dcfg, cfg.allow_private_webhooks, &err) != 0 ||
	    store_config_parse(cfg.db_url, &db, &err) != 0) {
		config_release(&cfg);
		return die_err("dispatch", &err);
	}
	struct store_pool *pool = store_pool_new(&db, (int)(dcfg.threads ? dcfg.threads : 1) + 1);
	store_config_release(&db);
	config_release(&cfg);
	int rc = 0;
	if (once) {
		int handled = 0;
		rc = dispatcher_run_once(pool, &dcfg, &handled, &err);
		if (!rc)
			printf("%d attempt(s) made\n", handled);
	} else {
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGINT);
		sigaddset(&set, SIGTERM);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
		struct dispatcher *d = dispatcher_start(pool, &dcfg);
		fprintf(stderr, "{\"level\":\"info\",\"message\":\"dispatching\",\"threads\":%u}\n",
			dcfg.threads ? dcfg.threads : 1);
		int sig = 0;
		sigwait(&set, &sig);
		dispatcher_stop(d);
		fprintf(stderr, "{\"level\":\"info\",\"message\":\"stopped\",\"signal\":%d}\n", sig);
	}
	store_pool_free(pool);
	return rc ? die_err("dispatch", &err) : 0;
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fputs("portal: libsodium failed to initialise\n", stderr);
		return 1;
	}
	mysql_library_init(0, NULL, NULL);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	int rc = 2;
	const char *cmd = argc > 1 ? argv[1] : "help";
	if (strcmp(cmd, "serve") == 0)
		rc = serve_main(argc - 1, argv + 1);
	else if (strcmp(cmd, "admin") == 0)
		rc = admin_main(argc - 1, argv + 1);
	else if (strcmp(cmd, "audit") == 0 && argc > 2 && strcmp(argv[2], "verify") == 0)
		rc = admin_main(2, (char *[]){ argv[0], (char *)"audit-verify", NULL });
	else if (strcmp(cmd, "seed-demo") == 0)
		rc = seed_demo_main(argc - 1, argv + 1);
	else if (strcmp(cmd, "dispatch") == 0)
		rc = cmd_dispatch(argc - 1, argv + 1);
	else if (strcmp(cmd, "migrate") == 0)
		rc = cmd_migrate(argc - 1, argv + 1);
	else if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
		printf("portal %s\n", PORTAL_VERSION);
		rc = 0;
	} else if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		if (argc > 2)
			return main(3, (char *[]){ argv[0], argv[2], (char *)"--help", NULL });
		fputs(usage, stdout);
		rc = 0;
	} else {
		fprintf(stderr, "portal: unknown command '%s'\n\n%s", cmd, usage);
	}
	mysql_library_end();
	return rc;
}
