/* The migration runner against the real server: order, idempotence, changed and missing files. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/credit.h"
#include "store/migrate.h"
#include "support/harness.h"

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs(text, f);
	fclose(f);
}

/* This test's scratch database and directory, dropped and removed after it, pass or fail. */
static char scratch_db[64], scratch_dir[512];

static void cleanup(void)
{
	if (*scratch_db) {
		char sql[128];
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", scratch_db);
		harness_sql(NULL, sql);
	}
	harness_remove_tree(scratch_dir);
}

TestSuite(migrate, .fini = cleanup);

/* A scratch database and migrations directory for one test. */
static void scratch(char *dir, size_t dlen, struct store_config *cfg)
{
	char name[64], sql[128], url[512];
	int u = harness_unique();
	snprintf(name, sizeof(name), "mig_%d", u);
	snprintf(scratch_db, sizeof(scratch_db), "%s", name);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	harness_sql(NULL, sql);
	snprintf(url, sizeof(url), "mariadb://root@localhost/%s?socket=%s", name,
		 getenv("PORTAL_TEST_SOCKET"));
	cr_assert_eq(store_config_parse(url, cfg, NULL), 0);
	snprintf(dir, dlen, "%s/mig_%d", getenv("PORTAL_TEST_TMP") ? getenv("PORTAL_TEST_TMP") : "/tmp", u);
	mkdir(dir, 0700);
	snprintf(scratch_dir, sizeof(scratch_dir), "%s", dir);
	write_file(dir, "0001_first.sql", "CREATE TABLE a (id INT PRIMARY KEY);\n"
					  "INSERT INTO a VALUES (1), (2);\n");
	write_file(dir, "0002_second.sql", "CREATE TABLE b (id INT PRIMARY KEY);\n");
	write_file(dir, "README.txt", "not a migration");
}

Test(migrate, applies_in_order_once_then_nothing)
{
	char dir[512];
	struct store_config cfg;
	scratch(dir, sizeof(dir), &cfg);
	struct error err = ERROR_INIT;
	int applied = -1;
	cr_assert_eq(store_migrate(&cfg, dir, NULL, &applied, &err), 0, "%s", err.message);
	cr_assert_eq(applied, 2);
	cr_assert_eq(store_migrate(&cfg, dir, NULL, &applied, &err), 0, "%s", err.message);
	cr_assert_eq(applied, 0, "a second run applies nothing");
	write_file(dir, "0003_third.sql", "ALTER TABLE b ADD COLUMN c INT;\n");
	cr_assert_eq(store_migrate(&cfg, dir, NULL, &applied, &err), 0, "%s", err.message);
	cr_assert_eq(applied, 1, "only the new file");
	int latest = 0;
	cr_assert_eq(store_migrations_latest(dir, &latest, &err), 0);
	cr_assert_eq(latest, 3);
	store_config_release(&cfg);
}

Test(migrate, a_changed_applied_file_is_refused)
{
	char dir[512];
	struct store_config cfg;
	scratch(dir, sizeof(dir), &cfg);
	struct error err = ERROR_INIT;
	cr_assert_eq(store_migrate(&cfg, dir, NULL, NULL, &err), 0, "%s", err.message);
	write_file(dir, "0001_first.sql", "CREATE TABLE a (id INT PRIMARY KEY); -- edited\n");
	cr_assert_eq(store_migrate(&cfg, dir, NULL, NULL, &err), ERR_CONFLICT);
	cr_assert(strstr(err.message, "0001_first.sql"), "names the file: %s", err.message);
	error_release(&err);
	store_config_release(&cfg);
}

Test(migrate, a_missing_applied_file_is_refused)
{
	char dir[512], path[600];
	struct store_config cfg;
	scratch(dir, sizeof(dir), &cfg);
	struct error err = ERROR_INIT;
	cr_assert_eq(store_migrate(&cfg, dir, NULL, NULL, &err), 0, "%s", err.message);
	snprintf(path, sizeof(path), "%s/0002_second.sql", dir);
	unlink(path);
	cr_assert_eq(store_migrate(&cfg, dir, NULL, NULL, &err), ERR_CONFLICT);
	cr_assert(strstr(err.message, "0002"), "%s", err.message);
	error_release(&err);
	store_config_release(&cfg);
}

Test(migrate, a_failing_file_stops_and_is_not_recorded)
{
	char dir[512];
	struct store_config cfg;
	scratch(dir, sizeof(dir), &cfg);
	write_file(dir, "0003_broken.sql", "CREATE TABLE c (id INT PRIMARY KEY);\nTHIS IS NOT SQL;\n");
	struct error err = ERROR_INIT;
	int applied = 0;
	cr_assert_neq(store_migrate(&cfg, dir, NULL, &applied, &err), 0);
	cr_assert(strstr(err.message, "0003_broken.sql"), "%s", err.message);
	error_release(&err);
	struct store_pool *pool = store_pool_new(&cfg, 1);
	int version = -1;
	cr_assert_eq(store_migrations_applied(pool, &version, &err), 0);
	cr_assert_eq(version, 2, "the broken file is not recorded as applied");
	store_pool_free(pool);
	store_config_release(&cfg);
}

Test(migrate, the_real_migrations_apply_twice)
{
	struct store_config cfg;
	struct error err = ERROR_INIT;
	cr_assert_eq(store_config_parse(harness_db_url(), &cfg, &err), 0);
	int applied = -1;
	cr_assert_eq(store_migrate(&cfg, getenv("PORTAL_MIGRATIONS"), NULL, &applied, &err), 0,
		     "%s", err.message);
	cr_assert_eq(applied, 0, "already applied before the tests");
	store_config_release(&cfg);
}

Test(migrate, duplicate_numbers_are_refused)
{
	char dir[512];
	struct store_config cfg;
	scratch(dir, sizeof(dir), &cfg);
	write_file(dir, "0002_again.sql", "SELECT 1;\n");
	struct error err = ERROR_INIT;
	cr_assert_eq(store_migrate(&cfg, dir, NULL, NULL, &err), ERR_CONFLICT);
	error_release(&err);
	store_config_release(&cfg);
}

Test(db, config_urls_parse)
{
	static const struct {
		const char *url;
		int rc;
		const char *user, *password, *host, *db, *socket;
		unsigned port;
	} cases[] = {
		{ "mariadb://u:p%40ss@db.example:3307/portal", 0, "u", "p@ss", "db.example", "portal", NULL, 3307 },
		{ "mariadb://root@localhost/portal?socket=/tmp/x.sock", 0, "root", NULL, "localhost", "portal", "/tmp/x.sock", 0 },
		{ "mariadb://h/db", 0, NULL, NULL, "h", "db", NULL, 0 },
		{ "mysql://h/db", ERR_INVALID, 0, 0, 0, 0, 0, 0 },
		{ "mariadb://h", ERR_INVALID, 0, 0, 0, 0, 0, 0 },
		{ "mariadb://h:99999/db", ERR_INVALID, 0, 0, 0, 0, 0, 0 },
		{ "mariadb://h/", ERR_INVALID, 0, 0, 0, 0, 0, 0 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct store_config c;
		struct error err = ERROR_INIT;
		int rc = store_config_parse(cases[i].url, &c, &err);
		cr_expect_eq(rc, cases[i].rc, "%s", cases[i].url);
		if (rc == 0) {
#define SAME(a, b) ((a) == NULL ? (b) == NULL : (b) != NULL && strcmp((a), (b)) == 0)
			cr_expect(SAME(cases[i].user, c.user), "user of %s", cases[i].url);
			cr_expect(SAME(cases[i].password, c.password), "password of %s", cases[i].url);
			cr_expect(SAME(cases[i].host, c.host), "host of %s", cases[i].url);
			cr_expect(SAME(cases[i].db, c.database), "db of %s", cases[i].url);
			cr_expect(SAME(cases[i].socket, c.socket), "socket of %s", cases[i].url);
			cr_expect_eq(cases[i].port, c.port);
			store_config_release(&c);
		}
		error_release(&err);
	}
}

Test(db, duplicate_keys_and_sql_metacharacters_are_safe)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	static const char SQL_ECHO[] = "SELECT ?, LENGTH(?)";
	const char *evil = "'; DROP TABLE users; -- \\ \" %s";
	struct store_param p[] = { P_STR(evil), P_STR(evil) };
	struct store_result *r = NULL;
	cr_assert_eq(store_exec(c, SQL_ECHO, p, 2, &r, NULL), 0);
	cr_assert_str_eq(store_cell(r, 0, 0), evil, "bound, not interpreted");
	cr_assert_eq(store_cell_ll(r, 0, 1, 0), (long long)strlen(evil));
	store_result_free(r);
	static const char SQL_DUP[] = "INSERT INTO districts (code, name_zh, name_en, kind) VALUES (?, 'x', 'x', 'district')";
	struct store_param d[] = { P_STR("350102") };
	struct error err = ERROR_INIT;
	cr_assert_eq(store_run(c, SQL_DUP, d, 1, NULL, NULL, &err), ERR_CONFLICT);
	/* a long value comes back whole (past the 128-byte inline buffer) */
	char big[5000];
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	static const char SQL_BIG[] = "SELECT ?";
	struct store_param b[] = { P_STR(big) };
	cr_assert_eq(store_exec(c, SQL_BIG, b, 1, &r, NULL), 0);
	cr_assert_str_eq(store_cell(r, 0, 0), big);
	store_result_free(r);
	store_release(c);
}

/* ------------------------------------------------------------ 0018: one credit entry per event */

/* Copies the real migrations numbered from..below-1 into dir. */
static void copy_migrations(const char *dir, int from, int below)
{
	const char *src = getenv("PORTAL_MIGRATIONS");
	cr_assert(src);
	DIR *d = opendir(src);
	cr_assert(d, "%s", src);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		int n = atoi(e->d_name);
		size_t len = strlen(e->d_name);
		if (n < from || n >= below || len < 5 || strcmp(e->d_name + len - 4, ".sql"))
			continue;
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", src, e->d_name);
		FILE *f = fopen(path, "r");
		cr_assert(f, "%s", path);
		char *text = NULL;
		size_t cap = 0;
		ssize_t got = getdelim(&text, &cap, '\0', f);
		fclose(f);
		cr_assert(got > 0, "%s", path);
		write_file(dir, e->d_name, text);
		free(text);
	}
	closedir(d);
}

/* Copies the real migrations numbered below `below` into a fresh scratch dir and database. */
static void scratch_real(char *dir, size_t dlen, struct store_config *cfg, int below)
{
	char url[512], sql[128];
	int u = harness_unique();
	snprintf(scratch_db, sizeof(scratch_db), "mig_%d", u);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", scratch_db);
	harness_sql(NULL, sql);
	snprintf(url, sizeof(url), "mariadb://root@localhost/%s?socket=%s", scratch_db,
		 getenv("PORTAL_TEST_SOCKET"));
	cr_assert_eq(store_config_parse(url, cfg, NULL), 0);
	snprintf(dir, dlen, "%s/mig_%d", getenv("PORTAL_TEST_TMP") ? getenv("PORTAL_TEST_TMP") : "/tmp",
		 u);
	mkdir(dir, 0700);
	snprintf(scratch_dir, sizeof(scratch_dir), "%s", dir);
	copy_migrations(dir, 1, below);
}

Test(migrate, credit_entries_hold_one_entry_per_event_from_0018)
{
	char dir[512];
	struct store_config cfg;
	struct error err = ERROR_INIT;
	scratch_real(dir, sizeof(dir), &cfg, 18);
	cr_assert_eq(store_migrate(&cfg, dir, NULL, NULL, &err), 0, "%s", err.message);
	/* before 0018: the same event (no permit, no task) written three times, and another */
	harness_sql(scratch_db, "INSERT INTO organisations (name, kind, district_code) "
				"SELECT 'Twice Written Co', 'applicant', MIN(code) FROM districts");
	static const char ins[] =
		"INSERT INTO credit_entries (org_id, rule, rules_version, severity, evidence, "
		"occurred_on, expires_on) SELECT id, 'overrun', 1, 'minor', '{}', '%s', '2027-05-01' "
		"FROM organisations WHERE name = 'Twice Written Co'";
	char sql[512];
	static const char *const days[] = { "2026-05-01", "2026-05-01", "2026-05-01", "2026-05-04" };
	for (int i = 0; i < 4; i++) {
		snprintf(sql, sizeof(sql), ins, days[i]);
		harness_sql(scratch_db, sql);
	}

	copy_migrations(dir, 18, 19);
	int applied = 0;
	cr_assert_eq(store_migrate(&cfg, dir, NULL, &applied, &err), 0, "%s", err.message);
	cr_assert_eq(applied, 1, "0018 alone");

	struct store_pool *pool = store_pool_new(&cfg, 1);
	struct store_conn *c = store_acquire(pool, 5000, &err);
	cr_assert(c, "%s", err.message);
	struct store_result *r = NULL;
	/* nothing deleted: the two copies withdrawn, naming the entry they repeat */
	cr_assert_eq(store_exec(c,
				"SELECT COUNT(*), SUM(status = 'withdrawn'), "
				"SUM(status = 'withdrawn' AND decision_reason LIKE CONCAT('%entry ', "
				"(SELECT MIN(id) FROM credit_entries), ' %')), "
				"SUM(status = 'active' AND occurred_on = '2026-05-01'), MIN(org_id) "
				"FROM credit_entries",
				NULL, 0, &r, &err),
		     0, "%s", err.message);
	cr_expect_eq(store_cell_ll(r, 0, 0, -1), 4, "no entry is deleted");
	cr_expect_eq(store_cell_ll(r, 0, 1, -1), 2, "the two copies are withdrawn");
	cr_expect_eq(store_cell_ll(r, 0, 2, -1), 2, "each names the first entry");
	cr_expect_eq(store_cell_ll(r, 0, 3, -1), 1, "the first entry of the event stands");
	long long org = store_cell_ll(r, 0, 4, 0);
	store_result_free(r);

	/* the same event, no permit and no task, cannot be written again: through the store ... */
	day_t day = 0, exp = 0;
	cal_day_parse("2026-05-01", &day, NULL);
	cal_day_parse("2027-05-01", &exp, NULL);
	static const struct {
		long long permit, task;
		const char *day;
		bool written;
	} cases[] = {
		{ 0, 0, "2026-05-01", false }, /* the event recorded before 0018 */
		{ 0, 0, "2026-05-05", true },  /* a new one */
		{ 0, 0, "2026-05-05", false }, /* ... once */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cal_day_parse(cases[i].day, &day, NULL);
		struct credit_new e = { .org_id = org, .permit_id = cases[i].permit,
					.task_id = cases[i].task, .rule = "overrun",
					.severity = "minor", .evidence = "{}", .rules_version = 1,
					.occurred_on = day, .expires_on = exp };
		long long id = -1;
		cr_assert_eq(store_credit_insert(c, &e, &id, &err), 0, "%s", err.message);
		cr_expect_eq(id != 0, cases[i].written, "case %zu: id %lld", i, id);
	}
	/* ... or by hand */
	snprintf(sql, sizeof(sql), ins, "2026-05-05");
	cr_expect_neq(store_run(c, sql, NULL, 0, NULL, NULL, &err), 0,
		      "a second entry of the same event was written");
	error_release(&err);
	store_release(c);
	store_pool_free(pool);
	store_config_release(&cfg);
}
