/* `portal admin ...` and `portal seed-demo`. */
#define _GNU_SOURCE
#include "admin.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "portal/keys.h"
#include "portal/secrets.h"
#include "portal/seed_history.h"
#include "portal/seed_oversight.h"
#include "portal/seed_place.h"
#include "portal/snapshot.h"
#include "portal/serve.h"
#include "store/accounts.h"
#include "store/audit.h"

#define DEMO_PASSWORD "demo-password-1"

static int fail(const char *what, struct error *err)
{
	fprintf(stderr, "portal %s: %s\n", what, err->message);
	for (size_t i = 0; i < err->ndetails; i++)
		fprintf(stderr, "  %s: %s\n", err->details[i].field, err->details[i].message);
	error_release(err);
	return 1;
}

/* Finds or creates an organisation and a user in it; idempotent. */
static int ensure_account(struct store_conn *c, const char *org_name, const char *kind,
			  const char *subkind, const char *district, const char *email,
			  const char *password, bool admin, bool check_policy, struct error *err)
{
	struct user_row u;
	int rc = store_user_by_email(c, email, &u, err);
	if (rc == 0)
		return 0;
	if (rc != ERR_NOT_FOUND)
		return rc;
	error_release(err);
	if (check_policy && secret_password_policy(password, email, "password", err))
		return error_set(err, ERR_INVALID, "the password is too weak");
	long long org = 0, uid = 0;
	rc = store_org_by_name(c, org_name, &org, err);
	if (rc == ERR_NOT_FOUND) {
		error_release(err);
		rc = store_org_create(c, org_name, kind, subkind, district, &org, err);
	}
	if (rc)
		return rc;
	char *hash = secret_password_hash(password);
	rc = store_user_create(c, org, email, org_name, hash, admin, &uid, err);
	free(hash);
	if (rc)
		return rc;
	char idbuf[24];
	snprintf(idbuf, sizeof(idbuf), "%lld", uid);
	struct audit_entry e = { 0, 0, "user.create", "user", idbuf, "{\"via\":\"command line\"}" };
	return store_audit_append(c, &e, err);
}

struct office_user {
	const char *email;
	const char *password;
};

static int office_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct office_user *o = ctx;
	return ensure_account(c, "Reform Office", "office", NULL, "350102", o->email, o->password,
			      true, true, err);
}

static int create_office_user(int argc, char **argv)
{
	static const struct option opts[] = { { "email", required_argument, 0, 'e' },
					      { "help", no_argument, 0, 'h' },
					      { 0, 0, 0, 0 } };
	struct office_user o = { 0 };
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "e:h", opts, NULL)) != -1) {
		if (ch == 'e')
			o.email = optarg;
		else {
			puts("usage: portal admin create-office-user --email EMAIL\n\n"
			     "Creates the reform office's organisation (if missing) and an admin\n"
			     "account in it. The password is read from PORTAL_ADMIN_PASSWORD or,\n"
			     "when unset, from the first line of standard input. At least 12\n"
			     "characters, not among the commonest passwords.");
			return ch == 'h' ? 0 : 2;
		}
	}
	if (!o.email) {
		fputs("portal admin create-office-user: --email is required\n", stderr);
		return 2;
	}
	char line[300] = "";
	o.password = getenv("PORTAL_ADMIN_PASSWORD");
	if (!o.password) {
		if (isatty(0))
			fputs("password: ", stderr);
		if (!fgets(line, sizeof(line), stdin)) {
			fputs("portal admin create-office-user: no password given\n", stderr);
			return 2;
		}
		line[strcspn(line, "\r\n")] = 0;
		o.password = line;
	}
	struct error err = ERROR_INIT;
	struct app *app = NULL;
	if (app_new(&app, &err))
		return fail("admin", &err);
	int rc = store_tx(app->pool, office_tx, &o, &err);
	app_free(app);
	if (rc)
		return fail("admin create-office-user", &err);
	printf("office user %s is ready\n", o.email);
	return 0;
}

int admin_main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "create-office-user") == 0)
		return create_office_user(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "audit-verify") == 0) {
		struct error err = ERROR_INIT;
		struct app *app = NULL;
		if (app_new(&app, &err))
			return fail("admin", &err);
		long long checked = 0, bad = 0;
		int rc = store_audit_verify(app->pool, &checked, &bad, &err);
		app_free(app);
		if (rc) {
			fprintf(stderr, "audit chain BROKEN at entry %lld: %s\n", bad, err.message);
			error_release(&err);
			return 1;
		}
		printf("audit chain intact: %lld entries verified\n", checked);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "rotate-signing-key") == 0) {
		struct error err = ERROR_INIT;
		struct app *app = NULL;
		char id[25];
		if (app_new(&app, &err))
			return fail("admin", &err);
		int rc = keys_rotate(app->pool, keys_path(), id, &err);
		app_free(app);
		if (rc)
			return fail("admin rotate-signing-key", &err);
		printf("certificates are now signed with %s (the old public key stays published)\n", id);
		return 0;
	}
	puts("usage: portal admin <command>\n\n"
	     "commands:\n"
	     "  create-office-user --email EMAIL   the first office account (password on stdin\n"
	     "                                      or PORTAL_ADMIN_PASSWORD)\n"
	     "  audit-verify                        check the audit log's hash chain from the start\n"
	     "  rotate-signing-key                  new certificate-signing key; old public keys stay");
	return argc >= 2 && strcmp(argv[1], "--help") != 0 ? 2 : 0;
}

/* One demo organisation and account per role; all share the demo-only password. */
static const struct {
	const char *org, *kind, *subkind, *district, *email;
} demo[] = {
	{ "Reform Office (demo)", "office", NULL, "350102", "office@demo.test" },
	{ "Huaxin Property Development Co. (demo)", "applicant", NULL, "350102",
	  "applicant@demo.test" },
	{ "City Water Supply Co. (demo)", "utility", "water", "350102", "water@demo.test" },
	{ "Fuqing Water Supply Co. (demo)", "utility", "water", "350181",
	  "fuqing-water@demo.test" },
	{ "State Grid City Power Supply Co. (demo)", "utility", "power", "350102",
	  "power@demo.test" },
	{ "City Gas Group (demo)", "utility", "gas", "350103", "gas@demo.test" },
	{ "City Heating Co. (demo)", "utility", "heat", "350111", "heat@demo.test" },
	{ "Fuzhou Radio & TV Network (demo)", "utility", "network", "350102",
	  "network@demo.test" },
	{ "China Telecom Fuzhou (demo)", "utility", "network", "350102", "telecom@demo.test" },
	{ "China Mobile Fuzhou (demo)", "utility", "network", "350102", "mobile@demo.test" },
	{ "China Unicom Fuzhou (demo)", "utility", "network", "350102", "unicom@demo.test" },
	{ "Urban Management Bureau, Roads (demo)", "authority", "road", "350102",
	  "road@demo.test" },
	{ "Parks and Greening Centre (demo)", "authority", "greening", "350102",
	  "greening@demo.test" },
	{ "Natural Resources and Planning Bureau (demo)", "authority", "planning", "350102",
	  "planning@demo.test" },
};

static int demo_tx(struct store_conn *c, void *ctx, struct error *err)
{
	for (size_t i = 0; i < sizeof(demo) / sizeof(demo[0]); i++) {
		int rc = ensure_account(c, demo[i].org, demo[i].kind, demo[i].subkind,
					demo[i].district, demo[i].email, DEMO_PASSWORD, true,
					false, err);
		if (rc)
			return rc;
	}
	return 0;
}

/* Further demo data (published fees, standards, calendar, applications) registers here. */
extern const seed_step seed_steps[];

int seed_demo_run_with(struct store_pool *pool, FILE *progress, const struct seed_options *o,
		       struct error *err)
{
	if (progress)
		fputs("seed-demo: accounts\n", progress);
	int rc = store_tx(pool, demo_tx, NULL, err);
	for (int i = 0; rc == 0 && seed_steps[i]; i++)
		if ((rc = seed_steps[i](pool, progress, o)) != 0)
			error_set(err, rc, "a seed step failed (see above)");
	return rc;
}

int seed_demo_run(struct store_pool *pool, FILE *progress, struct error *err)
{
	struct seed_options o = { .published_from = snapshot_today(), .history = false };
	return seed_demo_run_with(pool, progress, &o, err);
}

/* The sample history step: only when asked for, from the day the sample data is in force. */
static int seed_history_step(struct store_pool *pool, FILE *progress, const struct seed_options *o)
{
	if (!o->history)
		return 0;
	struct error err = ERROR_INIT;
	int rc = seed_history_run(pool, o->published_from, progress, &err);
	if (rc)
		fprintf(stderr, "seed-demo: the sample history: %s\n", err.message);
	error_release(&err);
	return rc;
}

int seed_demo_main(int argc, char **argv)
{
	bool history = true;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-history") == 0) {
			history = false;
			continue;
		}
		puts("usage: portal seed-demo [--no-history]\n\nLoads demo organisations, one "
		     "account per role (emails *@demo.test,\npassword " DEMO_PASSWORD ": demo "
		     "only), the sample published fees, service standards\nand calendar, and a "
		     "sample history: the applications of the last months,\nwith references "
		     "SAMPLE-..., shown as sample data wherever they appear.\n--no-history leaves "
		     "the history out. Safe to run twice.");
		return strcmp(argv[i], "--help") == 0 ? 0 : 2;
	}
	struct error err = ERROR_INIT;
	struct app *app = NULL;
	if (app_new(&app, &err))
		return fail("seed-demo", &err);
	/* a history needs the sample standards and fees in force from its first day */
	day_t today = snapshot_today();
	struct seed_options o = { history ? seed_history_first_day(today) : today, history };
	int rc = seed_demo_run_with(app->pool, isatty(2) ? stderr : NULL, &o, &err);
	app_free(app);
	if (rc)
		return fail("seed-demo", &err);
	printf("demo data loaded: sign in as applicant@demo.test (and office@, water@, power@, "
	       "gas@, heat@, network@, road@, greening@, planning@demo.test) with password "
	       "%s\n",
	       DEMO_PASSWORD);
	return 0;
}

const seed_step seed_steps[] = { seed_published, seed_place, seed_oversight, seed_history_step,
				  NULL };
