/*
 * Why spatial reads go through store_read_tx: MariaDB 10.11 fails an autocommit read that
 * searches a spatial index after another index in the same statement (MDEV-26123, error 1207).
 * The plan is forced here (STRAIGHT_JOIN, FORCE INDEX) as the optimizer picks it on some data:
 * through store_with the read fails; through store_read_tx the same read answers. When the
 * first expectation fails, MariaDB is fixed and store_read_tx may become store_with again.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "store/db.h"
#include "support/harness.h"

static const char SQL_JOINED[] =
    "SELECT COUNT(*) FROM t_spatial_a a STRAIGHT_JOIN t_spatial_g g FORCE INDEX (ix_p) ON "
    "g.a_id = a.id WHERE a.k = 3 AND MBRIntersects(g.p, ST_GeomFromText(?))";

struct joined {
	long long n;
};

static int joined(struct store_conn *c, void *arg, struct error *err)
{
	struct joined *j = arg;
	struct store_param p[] = {P_STR("POLYGON((0 0,10 0,10 10,0 10,0 0))")};
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_JOINED, p, 1, &r, err);
	if (!rc)
		j->n = store_cell_ll(r, 0, 0, -1);
	store_result_free(r);
	return rc;
}

static void setup(void)
{
	harness_sql(harness_db_name(), "DROP TABLE IF EXISTS t_spatial_g, t_spatial_a");
	harness_sql(harness_db_name(),
		    "CREATE TABLE t_spatial_a (id INT PRIMARY KEY, k INT, KEY (k)) "
		    "ENGINE=InnoDB");
	harness_sql(harness_db_name(),
		    "CREATE TABLE t_spatial_g (id INT PRIMARY KEY, a_id INT, p GEOMETRY "
		    "NOT NULL, SPATIAL INDEX ix_p (p), KEY (a_id)) ENGINE=InnoDB");
	harness_sql(harness_db_name(),
		    "INSERT INTO t_spatial_a SELECT seq, seq % 10 FROM seq_1_to_2000");
	harness_sql(harness_db_name(),
		    "INSERT INTO t_spatial_g SELECT seq, seq, ST_GeomFromText(CONCAT("
		    "'POINT(', seq % 100, ' ', seq DIV 100, ')')) FROM seq_1_to_2000");
}

static void teardown(void)
{
	harness_sql(harness_db_name(), "DROP TABLE IF EXISTS t_spatial_g, t_spatial_a");
}

Test(spatial_read, a_spatial_search_after_another_index_answers_only_in_a_transaction,
     .init = setup, .fini = teardown)
{
	struct error err = ERROR_INIT;
	struct joined j = {-1};
	int rc = store_with(harness_pool(), joined, &j, &err);
	cr_expect_neq(rc, 0, "autocommit: MariaDB's error 1207 (if this passes, it is fixed)");
	cr_expect(strstr(err.message, "1207") != NULL, "%s", err.message);
	error_release(&err);
	j.n = -1;
	rc = store_read_tx(harness_pool(), joined, &j, &err);
	cr_expect_eq(rc, 0, "in a transaction: %s", err.message);
	cr_expect_eq(j.n, 11, "the points of k = 3 in the box");
	error_release(&err);
}
