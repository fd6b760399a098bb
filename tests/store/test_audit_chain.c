/*
 * The audit log as one chain per writer (store/audit.c): chains of two processes verify side by
 * side, and each way of tampering with them (a changed entry, one removed from the middle of a
 * chain, a removed tail, a removed writer, an entry moved to another chain) is found and named.
 * Entries written before migration 0010 (the single chain under audit_head) still verify.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <mysql.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/audit.h"
#include "store/migrate.h"
#include "support/harness.h"

static char db[64];
static char url[512];

/* A database of this test's own (tampering must not break the suite's), migrated up to `below`. */
static struct store_pool *fresh_db(int below)
{
	snprintf(db, sizeof(db), "t_chain_%d_%u", getpid(), randombytes_uniform(1000000));
	char sql[128];
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s CHARACTER SET utf8mb4", db);
	harness_sql(NULL, sql);
	snprintf(url, sizeof(url), "mariadb://root@localhost/%s?socket=%s", db,
		 getenv("PORTAL_TEST_SOCKET"));
	const char *all = getenv("PORTAL_MIGRATIONS");
	char dir[300] = "";
	if (below) {
		/* the migrations before `below`, linked into a directory of their own */
		snprintf(dir, sizeof(dir), "%s/chain-mig-%d", getenv("PORTAL_TEST_TMP"), getpid());
		mkdir(dir, 0700);
		DIR *d = opendir(all);
		cr_assert(d);
		struct dirent *e;
		while ((e = readdir(d)))
			if (atoi(e->d_name) > 0 && atoi(e->d_name) < below) {
				char from[600], to[600];
				snprintf(from, sizeof(from), "%s/%s", all, e->d_name);
				snprintf(to, sizeof(to), "%s/%s", dir, e->d_name);
				cr_assert_eq(symlink(from, to), 0);
			}
		closedir(d);
	}
	struct store_config cfg;
	struct error err = ERROR_INIT;
	cr_assert_eq(store_config_parse(url, &cfg, &err), 0);
	cr_assert_eq(store_migrate(&cfg, below ? dir : all, NULL, NULL, &err), 0, "%s",
		     err.message);
	struct store_pool *pool = store_pool_new(&cfg, 2);
	store_config_release(&cfg);
	if (below)
		harness_remove_tree(dir);
	return pool;
}

static void drop_db(struct store_pool *pool)
{
	store_pool_free(pool);
	char sql[128];
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", db);
	harness_sql(NULL, sql);
}

static int append_one(struct store_conn *c, void *ctx, struct error *err)
{
	struct audit_entry e = { 0, 0, "test.append", "test", ctx, "{}" };
	return store_audit_append(c, &e, err);
}

static void append(struct store_pool *pool, int n, const char *tag)
{
	for (int i = 0; i < n; i++) {
		struct error err = ERROR_INIT;
		cr_assert_eq(store_tx(pool, append_one, (void *)tag, &err), 0, "%s", err.message);
	}
}

/* n entries appended by another process: another writer, on a pool of its own. */
static void append_elsewhere(int n, const char *tag)
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct store_config cfg;
		struct error err = ERROR_INIT;
		if (store_config_parse(url, &cfg, &err) != 0)
			_exit(2);
		struct store_pool *pool = store_pool_new(&cfg, 1);
		for (int i = 0; i < n; i++)
			if (store_tx(pool, append_one, (void *)tag, &err) != 0)
				_exit(1);
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the other writer failed");
}

/* The first cell of a query (%s in it is the database) as a number; -1 when none. */
static long long num(const char *fmt)
{
	char sql[1200];
	snprintf(sql, sizeof(sql), fmt, db);
	MYSQL *m = mysql_init(NULL);
	cr_assert(mysql_real_connect(m, NULL, "root", NULL, db, 0, getenv("PORTAL_TEST_SOCKET"), 0),
		  "%s", mysql_error(m));
	cr_assert_eq(mysql_query(m, sql), 0, "%s: %s", sql, mysql_error(m));
	MYSQL_RES *r = mysql_store_result(m);
	MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
	long long v = row && row[0] ? atoll(row[0]) : -1;
	if (r)
		mysql_free_result(r);
	mysql_close(m);
	return v;
}

Test(audit_chain, chains_of_two_writers_verify_side_by_side)
{
	struct store_pool *pool = fresh_db(0);
	append(pool, 3, "parent");
	append_elsewhere(4, "child");
	append(pool, 2, "parent");
	long long checked = 0, bad = 0;
	struct error err = ERROR_INIT;
	cr_expect_eq(store_audit_verify(pool, &checked, &bad, &err), 0, "%s", err.message);
	cr_expect_eq(checked, 9);
	cr_expect_eq(num("SELECT COUNT(*) FROM %s.audit_writers"), 2, "one head per writer");
	cr_expect_eq(num("SELECT COUNT(DISTINCT writer_id) FROM %s.audit_log"), 2);
	cr_expect_eq(num("SELECT MAX(seq) FROM %s.audit_log"), 5, "positions count per writer");
	drop_db(pool);
}

/* One way of tampering: SQL run as root (%1$s is the database), and what verify must name. */
struct tamper {
	const char *what;
	const char *sql;
	const char *bad_id; /* a query for the id verify must name; NULL: 0 */
	const char *message; /* a part of the message */
};

#define CHILD "(SELECT writer_id FROM %1$s.audit_log WHERE object_id = 'child' LIMIT 1)"
#define PARENT "(SELECT writer_id FROM %1$s.audit_log WHERE object_id = 'parent' LIMIT 1)"

static struct tamper cases[] = {
	{ "a changed entry in the middle of a chain",
	  "UPDATE %1$s.audit_log SET detail = '{\"forged\":true}' WHERE object_id = 'child' "
	  "AND seq = 3",
	  "SELECT id FROM %1$s.audit_log WHERE object_id = 'child' AND seq = 3", "was changed" },
	{ "an entry removed from the middle of a chain",
	  "DELETE FROM %1$s.audit_log WHERE object_id = 'child' AND seq = 2",
	  "SELECT id FROM %1$s.audit_log WHERE object_id = 'child' AND seq = 3", "is missing" },
	{ "the first entry of a chain removed",
	  "DELETE FROM %1$s.audit_log WHERE object_id = 'parent' AND seq = 1",
	  "SELECT id FROM %1$s.audit_log WHERE object_id = 'parent' AND seq = 2", "is missing" },
	{ "the last entry of a chain removed",
	  "DELETE FROM %1$s.audit_log WHERE object_id = 'child' AND seq = 4",
	  "SELECT id FROM %1$s.audit_log WHERE object_id = 'child' AND seq = 3", "were removed" },
	{ "every entry of a writer removed", "DELETE FROM %1$s.audit_log WHERE object_id = 'child'",
	  NULL, "were removed" },
	{ "an entry moved to the end of another chain (both heads made to agree)",
	  "UPDATE %1$s.audit_log SET writer_id = " PARENT ", seq = 6 WHERE object_id = 'child' "
	  "AND seq = 4;"
	  "UPDATE %1$s.audit_writers SET last_seq = 6, last_hash = (SELECT hash FROM "
	  "%1$s.audit_log WHERE object_id = 'child' AND seq = 6) WHERE writer_id = " PARENT ";"
	  "UPDATE %1$s.audit_writers SET last_seq = 3, last_hash = (SELECT hash FROM "
	  "%1$s.audit_log WHERE object_id = 'child' AND seq = 3) WHERE writer_id = " CHILD,
	  "SELECT id FROM %1$s.audit_log WHERE object_id = 'child' AND seq = 4", "link" },
	{ "a head row rewritten",
	  "UPDATE %1$s.audit_writers SET last_hash = REPEAT('f', 64) WHERE writer_id = " CHILD,
	  "SELECT id FROM %1$s.audit_log WHERE object_id = 'child' AND seq = 4", "were removed" },
};

/* Rows by index: the worker process does not share the runner's addresses. */
ParameterizedTestParameters(audit_chain, each_tampering_is_found_and_named)
{
	static size_t rows[sizeof(cases) / sizeof(cases[0])];
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		rows[i] = i;
	return cr_make_param_array(size_t, rows, sizeof(rows) / sizeof(rows[0]));
}

ParameterizedTest(size_t *row, audit_chain, each_tampering_is_found_and_named)
{
	const struct tamper *t = &cases[*row];
	struct store_pool *pool = fresh_db(0);
	append(pool, 3, "parent");
	append_elsewhere(4, "child");
	append(pool, 2, "parent");
	long long checked = 0, bad = -1;
	struct error err = ERROR_INIT;
	cr_assert_eq(store_audit_verify(pool, &checked, &bad, &err), 0, "%s", err.message);
	/* the id to name is read before the tampering (the row may be the one removed or moved) */
	long long want = t->bad_id ? num(t->bad_id) : 0;
	char sql[1200];
	snprintf(sql, sizeof(sql), t->sql, db);
	harness_sql(NULL, sql);
	cr_expect_eq(store_audit_verify(pool, &checked, &bad, &err), ERR_CONFLICT, "%s: not found",
		     t->what);
	cr_expect_eq(bad, want, "%s: names entry %lld, not %lld (%s)", t->what, bad, want,
		     err.message);
	cr_expect(strstr(err.message, t->message), "%s: \"%s\" lacks \"%s\"", t->what,
		  err.message, t->message);
	error_release(&err);
	drop_db(pool);
}

/* The chain of one head row, written as the portal did before migration 0010. */
static const char SQL_OLD_HEAD[] = "SELECT last_id, last_hash FROM audit_head WHERE id = 1";
static const char SQL_OLD_INSERT[] =
	"INSERT INTO audit_log (id, at, actor_user_id, actor_org_id, action, object_type, "
	"object_id, detail, prev_hash, hash) VALUES (?, '2026-01-02 03:04:05.000006', NULL, NULL, "
	"'old.append', 'test', 'old', '{}', ?, ?)";
static const char SQL_OLD_MOVE[] = "UPDATE audit_head SET last_id = ?, last_hash = ? WHERE id = 1";

static int append_old(struct store_conn *c, void *ctx, struct error *err)
{
	(void)ctx;
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_OLD_HEAD, NULL, 0, &r, err);
	if (rc)
		return rc;
	long long id = store_cell_ll(r, 0, 0, 0) + 1;
	char prev[65], hash[65];
	snprintf(prev, sizeof(prev), "%s", store_cell(r, 0, 1));
	store_result_free(r);
	audit_hash(prev, id, "2026-01-02 03:04:05.000006", 0, 0, "old.append", "test", "old", "{}",
		   hash);
	struct store_param p[] = { P_INT(id), P_STR(prev), P_STR(hash) };
	rc = store_run(c, SQL_OLD_INSERT, p, 3, NULL, NULL, err);
	struct store_param h[] = { P_INT(id), P_STR(hash) };
	return rc ? rc : store_run(c, SQL_OLD_MOVE, h, 2, NULL, NULL, err);
}

Test(audit_chain, entries_from_before_the_writers_still_verify)
{
	struct store_pool *pool = fresh_db(10);
	struct error err = ERROR_INIT;
	for (int i = 0; i < 4; i++)
		cr_assert_eq(store_tx(pool, append_old, NULL, &err), 0, "%s", err.message);
	store_pool_free(pool);
	struct store_config cfg;
	cr_assert_eq(store_config_parse(url, &cfg, &err), 0);
	cr_assert_eq(store_migrate(&cfg, getenv("PORTAL_MIGRATIONS"), NULL, NULL, &err), 0, "%s",
		     err.message);
	pool = store_pool_new(&cfg, 2);
	store_config_release(&cfg);
	append(pool, 2, "parent");
	long long checked = 0, bad = 0;
	cr_expect_eq(store_audit_verify(pool, &checked, &bad, &err), 0, "%s", err.message);
	cr_expect_eq(checked, 6);
	char sql[200];
	snprintf(sql, sizeof(sql), "DELETE FROM %s.audit_log WHERE id = 2", db);
	harness_sql(NULL, sql);
	cr_expect_eq(store_audit_verify(pool, &checked, &bad, &err), ERR_CONFLICT);
	cr_expect_eq(bad, 2, "the old chain names the removed id: %s", err.message);
	error_release(&err);
	drop_db(pool);
}
