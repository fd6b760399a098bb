/* The portal binary: serve, migrate, version, seed-demo and admin subcommands. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
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
#include "store/db.h"
#include "store/migrate.h"
#include "store/seal.h"

/* The environment, in blocks shared by the commands' help texts. */
#define ENV_DB                                                                                    \
	"  PORTAL_DB             mariadb://user:pass@host:port/db or\n"                           \
	"                        mariadb://user@localhost/db?socket=/path/to.sock\n"              \
	"                        (default: root on the private server's socket under PORTAL_DATA_DIR);\n" \
	"                        several nodes: mariadb://user:pass@h1:3306,h2:3306,h3:3306/db\n" \
	"  PORTAL_DATA_DIR       data directory: materials, signing key (default var)\n"          \
	"  PORTAL_MIGRATIONS     directory of NNNN_name.sql files (default: the source tree's)\n"
#define ENV_HTTP                                                                                  \
	"  PORTAL_DB_READ        optional replica URL (same form as PORTAL_DB) for the published\n" \
	"                        data behind public reads; everything else uses PORTAL_DB\n"        \
	"  PORTAL_LISTEN         host:port to serve on (default 127.0.0.1:8080; port 0 = any)\n"   \
	"  PORTAL_THREADS        HTTP threads (default 1 per CPU)\n"                               \
	"  PORTAL_WORK_THREADS   threads that run signed-in requests and public database reads\n"  \
	"                        off the HTTP threads (default 2 per CPU; 0 = on them)\n"          \
	"  PORTAL_SLOW_THREADS   threads that hash passwords for sign-in and invitations, at a\n"  \
	"                        lower priority, off the HTTP threads (default 1 per 2 CPUs)\n"    \
	"  PORTAL_SLOW_QUEUE     sign-ins waiting for those threads before 503 (default 256)\n"    \
	"  PORTAL_DB_POOL        database connections (default all the threads above + 2)\n"      \
	"  PORTAL_MAX_BODY       request body cap in bytes (default 1048576)\n"                     \
	"  PORTAL_MAX_UPLOAD     upload cap in bytes (default 20971520)\n"                          \
	"  PORTAL_MAX_CONNECTIONS    open connections (default 1024)\n"                             \
	"  PORTAL_PER_IP_CONNECTIONS open connections per client address (default 512; 0 = no cap)\n" \
	"  PORTAL_TIMEOUT        idle connection timeout in seconds (default 30); a request that\n" \
	"                        waits longer for a work thread is answered 503, not run\n"        \
	"  PORTAL_RATE_PUBLIC    requests per second per client address on public routes,\n"        \
	"                        RATE or RATE:BURST (default 200:400; 0 = no limit)\n"             \
	"  PORTAL_RATE_LOGIN     sign-in attempts per second per address (default 20:100; 0 = off)\n" \
	"  PORTAL_RATE_PUBLIC_WRITE  public defect reports and feedback per second per address\n"  \
	"                        (default 0.1:20; 0 = off)\n"                                      \
	"  PORTAL_PUBLIC_PHOTO_BYTES  bytes of photos the public may send with defect reports in\n" \
	"                        one day (Asia/Shanghai), all told; past it 429 (default\n"        \
	"                        268435456; 0 = no public reports)\n"                              \
	"  PORTAL_LOGIN_ACCOUNT_FAILURES  failed sign-ins per account before a block (default 5)\n" \
	"  PORTAL_LOGIN_ADDRESS_FAILURES  failed sign-ins per address before a block (default 30)\n" \
	"  PORTAL_LOGIN_BLOCK_SECONDS     how long a block lasts, and the counting window (900)\n" \
	"  PORTAL_AUTH_CACHE_MS  how long a looked-up session or API key is remembered, in ms\n"  \
	"                        (default 1000; 0 = look up every request); revocations made\n"  \
	"                        through this process apply at once, through others within it\n" \
	"  PORTAL_TRUSTED_PROXIES  reverse proxies whose X-Forwarded-For names the client for\n"  \
	"                        the per-address limits: addresses or networks, comma separated\n" \
	"                        (e.g. 10.0.0.0/8,::1; default none: the socket's address counts)\n" \
	"  PORTAL_ACCESS_LOG     1 (default) logs one JSON line per request on stderr; 0 turns it off\n" \
	"  PORTAL_SIGNING_KEY    Ed25519 certificate key file (default $PORTAL_DATA_DIR/signing.key)\n" \
	"  PORTAL_OPENAPI        the file served at /v1/openapi.yaml (default: the source tree's\n" \
	"                        portal/openapi.yaml)\n"                                              \
	"  PORTAL_SWEEP_SECONDS  how often time limits and deemed decisions are swept (default 60)\n" \
	"  PORTAL_STATS_SECONDS  recompute public statistics at most this often (default 60)\n"    \
	"  PORTAL_ELICENCE_URL   the electronic licence lookup service (unset: licences are\n"     \
	"                        recorded unverified)\n"                                             \
	"  PORTAL_PASSWORD_COST  `minimum` only for test suites (cheap password hashing)\n"         \
	"  PORTAL_WEBHOOK_ROTATION_OVERLAP  seconds a rotated webhook key keeps signing (default 86400)\n"
#define ENV_DISPATCH                                                                              \
	"  PORTAL_SECRETS_KEY    the key that seals webhook secrets in the database; every portal\n" \
	"                        and dispatcher needs the same file (default\n"                     \
	"                        $PORTAL_DATA_DIR/secrets.key, created on first start)\n"           \
	"  PORTAL_DISPATCH_THREADS  delivery threads (default 2; in serve 0 = none)\n"              \
	"  PORTAL_RETRY_SCHEDULE seconds before each try (default 0,5,300,1800,7200,18000,36000,36000)\n" \
	"  PORTAL_WEBHOOK_TIMEOUT   seconds per delivery attempt (default 15)\n"                    \
	"  PORTAL_DISPATCH_LEASE    seconds an attempt holds its event (default 60)\n"              \
	"  PORTAL_DISPATCH_POLL_MS  idle polling interval (default 100)\n"                          \
	"  PORTAL_DISPATCH_BATCH    events claimed at once (default 32)\n"                          \
	"  PORTAL_ALLOW_PRIVATE_WEBHOOKS  1 lets endpoints be loopback/private addresses (local runs)\n"

static const char usage[] =
	"usage: portal <command> [options]\n"
	"\n"
	"Joint utility hookup portal: one application for water, power, gas, heat and network\n"
	"connections, with the permits they need processed in parallel.\n"
	"\n"
	"commands:\n"
	"  serve                 run the HTTP API (and the outbox dispatcher threads)\n"
	"  migrate               apply pending database migrations, then exit\n"
	"  dispatch [--once]     deliver outbox events only (scale-out)\n"
	"  seed-demo             load demo organisations, accounts, published data, history\n"
	"  admin create-office-user --email E   the first office account\n"
	"  admin audit-verify    check the audit log's hash chain (also: portal audit verify)\n"
	"  admin rotate-signing-key             a new certificate-signing key\n"
	"  version               print the version\n"
	"  help [command]        this text, or a command's own (also: portal <command> --help)\n"
	"\n"
	"Configuration is read from the environment; `portal <command> --help` lists what each\n"
	"command reads. Common to all:\n"
	ENV_DB;

/* `portal <command> --help`: every option and every variable the command reads. */
static const struct {
	const char *command;
	const char *text;
} help[] = {
	{ "serve",
	  "usage: portal serve\n\n"
	  "Serves the HTTP API on PORTAL_LISTEN, with outbox dispatcher threads and the sweeper of\n"
	  "time limits, until SIGINT or SIGTERM; then stops accepting, finishes requests in flight\n"
	  "(up to 10 s), lets the dispatchers finish their attempt, closes the database pool and\n"
	  "exits 0. Logs are JSON lines on stderr.\n\n"
	  "environment:\n" ENV_DB ENV_HTTP ENV_DISPATCH },
	{ "migrate",
	  "usage: portal migrate\n\n"
	  "Applies every migrations/NNNN_*.sql not yet applied, in order, recording each with its\n"
	  "checksum; refuses when an applied file changed. Run it once per upgrade, before the new\n"
	  "portals start. Shows each file on a terminal; quiet in logs.\n\n"
	  "environment:\n" ENV_DB },
	{ "dispatch",
	  "usage: portal dispatch [--once]\n\n"
	  "Delivers outbox events to the organisations' webhook endpoints until SIGINT or SIGTERM,\n"
	  "then finishes the attempts in flight and exits 0. Any number may run against one\n"
	  "database (they share the outbox with SELECT ... FOR UPDATE SKIP LOCKED).\n\n"
	  "options:\n"
	  "  --once    make one pass over the due events and exit\n\n"
	  "environment:\n" ENV_DB ENV_DISPATCH },
	{ "seed-demo",
	  "usage: portal seed-demo [--no-history]\n\n"
	  "Loads demo organisations, one account per role (emails *@demo.test, password\n"
	  "demo-password-1: demo only), the sample published fees, service standards and\n"
	  "calendar, and a sample history: the demo applicant's applications of the last\n"
	  "months (references SAMPLE-...), shown as sample data wherever they appear. The\n"
	  "sample fees and standards are then in force from the history's first day.\n"
	  "--no-history leaves the history out (the sample data is in force from today).\n"
	  "Safe to run twice. Shows its steps on a terminal; quiet in logs.\n\n"
	  "environment:\n" ENV_DB
	  "  PORTAL_SIGNING_KEY    Ed25519 certificate key file (default $PORTAL_DATA_DIR/signing.key)\n" },
	{ "admin",
	  "usage: portal admin <command> [options]\n\n"
	  "commands:\n"
	  "  create-office-user --email EMAIL   the first office account (password on stdin\n"
	  "                                      or PORTAL_ADMIN_PASSWORD)\n"
	  "  audit-verify                        check the audit log's hash chain from the start\n"
	  "  rotate-signing-key                  new certificate-signing key; old public keys stay\n\n"
	  "environment:\n" ENV_DB
	  "  PORTAL_ADMIN_PASSWORD the new office user's password (else read from standard input)\n"
	  "  PORTAL_SIGNING_KEY    Ed25519 certificate key file (default $PORTAL_DATA_DIR/signing.key)\n" },
	{ "admin create-office-user",
	  "usage: portal admin create-office-user --email EMAIL\n\n"
	  "Creates the reform office's organisation (if missing) and an admin account in it.\n\n"
	  "options:\n"
	  "  --email EMAIL   the account's email (required)\n\n"
	  "environment:\n" ENV_DB
	  "  PORTAL_ADMIN_PASSWORD the password (else the first line of standard input); at least\n"
	  "                        12 characters, not among the commonest passwords\n" },
	{ "admin audit-verify",
	  "usage: portal admin audit-verify   (or: portal audit verify)\n\n"
	  "Recomputes the audit log's hash chain from the first entry; exits 0 when intact, 1 with\n"
	  "the first broken entry otherwise.\n\n"
	  "environment:\n" ENV_DB },
	{ "audit",
	  "usage: portal audit verify\n\n"
	  "The same as `portal admin audit-verify`: recomputes the audit log's hash chain; exits 0\n"
	  "when intact, 1 with the first broken entry otherwise.\n\n"
	  "environment:\n" ENV_DB },
	{ "admin rotate-signing-key",
	  "usage: portal admin rotate-signing-key\n\n"
	  "Generates a new Ed25519 key for electronic certificates; earlier public keys stay\n"
	  "published so older certificates still verify.\n\n"
	  "environment:\n" ENV_DB
	  "  PORTAL_SIGNING_KEY    Ed25519 certificate key file (default $PORTAL_DATA_DIR/signing.key)\n" },
	{ "version", "usage: portal version\n\nPrints the version.\n" },
	{ "help", "usage: portal help [command]\n\nThe overview, or a command's own help.\n" },
};

static bool is_help(const char *s)
{
	return s && (strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0);
}

/* Prints the help of `cmd` (with its subcommand `sub`, may be NULL); false if there is none. */
static bool print_help(const char *cmd, const char *sub)
{
	char name[64];
	for (int pass = 0; pass < 2; pass++) {
		if (pass == 0 && !sub)
			continue;
		snprintf(name, sizeof(name), "%s%s%s", cmd, pass == 0 ? " " : "",
			 pass == 0 ? sub : "");
		for (size_t i = 0; i < sizeof(help) / sizeof(help[0]); i++)
			if (strcmp(help[i].command, name) == 0) {
				fputs(help[i].text, stdout);
				return true;
			}
	}
	return false;
}

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
	char *seal_path = store_seal_default_path();
	int sealed = store_seal_load(seal_path, &err);
	free(seal_path);
	if (sealed) {
		store_config_release(&db);
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
	if (store_library_init() != 0) {
		fputs("portal: the MariaDB client library failed to initialise\n", stderr);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	int rc = 2;
	const char *cmd = argc > 1 ? argv[1] : "help";
	/* `portal <command> [<subcommand>] --help`: answered here, before any set-up */
	if (argc > 2 && (is_help(argv[2]) || (argc > 3 && is_help(argv[3]))) &&
	    print_help(cmd, is_help(argv[2]) ? NULL : argv[2])) {
		store_library_end();
		return 0;
	}
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
		if (argc > 2 && print_help(argv[2], argc > 3 ? argv[3] : NULL)) {
			store_library_end();
			return 0;
		}
		if (argc > 2) {
			fprintf(stderr, "portal: no help for '%s'\n", argv[2]);
			store_library_end();
			return 2;
		}
		fputs(usage, stdout);
		rc = 0;
	} else {
		fprintf(stderr, "portal: unknown command '%s'\n\n%s", cmd, usage);
	}
	store_library_end();
	return rc;
}
