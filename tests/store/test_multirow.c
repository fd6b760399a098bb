/*
 * store/multirow.c against the real server, on a table of its own: n rows go in
 * ceil(n / rows per statement) statements, where a statement binds at most STORE_MAX_PARAMS
 * parameters and MULTIROW_MAX_ROWS rows; every row is stored in the order given, the ids come
 * back in that order, and a failing chunk stops the batch after the chunks before it.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "store/multirow.h"
#include "support/harness.h"

static const char SQL_TABLE[] =
	"CREATE TABLE IF NOT EXISTS multirow_probe (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
	"tag INT NOT NULL, seq INT NOT NULL, "
	"c1 INT, c2 INT, c3 INT, c4 INT, c5 INT, c6 INT, c7 INT, c8 INT, c9 INT, c10 INT, c11 INT, "
	"c12 INT, c13 INT, c14 INT, c15 INT, c16 INT, c17 INT, c18 INT, UNIQUE KEY (tag, seq))";
/* twenty columns: twelve rows a statement (256 / 20) */
static const char HEAD_WIDE[] =
	"INSERT INTO multirow_probe (tag, seq, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, "
	"c13, c14, c15, c16, c17, c18) VALUES ";
static const char ROW_WIDE[] = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
/* two columns: MULTIROW_MAX_ROWS rows a statement */
static const char HEAD_NARROW[] = "INSERT INTO multirow_probe (tag, seq) VALUES ";
static const char ROW_NARROW[] = "(?, ?)";
static const char SQL_EXECUTED[] = "SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS "
				   "WHERE VARIABLE_NAME = 'COM_STMT_EXECUTE'";
static const char SQL_ROWS[] =
	"SELECT id, seq, c1, c18 FROM multirow_probe WHERE tag = ? ORDER BY id";

static struct multirow wide = MULTIROW_INIT(HEAD_WIDE, ROW_WIDE, 20, true);
static struct multirow narrow = MULTIROW_INIT(HEAD_NARROW, ROW_NARROW, 2, false);

struct probe {
	int tag;
	const int *seq;
};

static void fill(const void *rows, size_t i, struct store_param *p, char (*days)[11], size_t cols)
{
	const struct probe *pr = rows;
	(void)days;
	p[0] = P_INT(pr->tag);
	p[1] = P_INT(pr->seq[i]);
	for (size_t k = 2; k < cols; k++)
		p[k] = P_INT(pr->seq[i] * 100 + (int)k - 1);
}

static void fill_wide(const void *rows, size_t i, struct store_param *p, char (*days)[11])
{
	fill(rows, i, p, days, 20);
}

static void fill_narrow(const void *rows, size_t i, struct store_param *p, char (*days)[11])
{
	fill(rows, i, p, days, 2);
}

/* Statements this connection has executed so far (counting this one). */
static long long executed(struct store_conn *c)
{
	struct store_result *r = NULL;
	cr_assert_eq(store_exec(c, SQL_EXECUTED, NULL, 0, &r, NULL), 0);
	long long n = store_cell_ll(r, 0, 0, 0);
	store_result_free(r);
	return n;
}

/* The table (made by the first test to need it) and a connection. */
static struct store_conn *setup(void)
{
	harness_sql(harness_db_name(), SQL_TABLE);
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	return c;
}

struct size_case {
	size_t n, statements;
};

Test(multirow, rows_go_in_order_in_as_few_statements_as_the_binds_allow, .timeout = 60)
{
	struct store_conn *c = setup();
	/* wide: 12 rows a statement */
	static const struct size_case cases[] = {
		{ 0, 0 }, { 1, 1 }, { 12, 1 }, { 13, 2 }, { 30, 3 },
	};
	int seq[40];
	long long ids[30];
	for (int i = 0; i < 40; i++)
		seq[i] = 40 - i; /* not the order of the ids */
	long long counting = executed(c);
	counting = executed(c) - counting; /* what one count costs */
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct probe pr = { harness_unique() + 1000000, seq };
		struct error err = ERROR_INIT;
		memset(ids, 0, sizeof(ids));
		long long before = executed(c);
		cr_assert_eq(multirow_insert(c, &wide, &pr, cases[k].n, fill_wide, ids, &err), 0,
			     "%s", err.message);
		cr_expect_eq(executed(c) - before - counting, (long long)cases[k].statements,
			     "%zu rows", cases[k].n);
		struct store_result *r = NULL;
		struct store_param p[] = { P_INT(pr.tag) };
		cr_assert_eq(store_exec(c, SQL_ROWS, p, 1, &r, &err), 0, "%s", err.message);
		cr_assert_eq(r->nrows, cases[k].n);
		for (size_t i = 0; i < r->nrows; i++) {
			cr_expect_eq(store_cell_ll(r, i, 0, 0), ids[i], "%zu rows: id %zu",
				     cases[k].n, i);
			cr_expect_eq(store_cell_ll(r, i, 1, 0), seq[i]);
			cr_expect_eq(store_cell_ll(r, i, 2, 0), seq[i] * 100 + 1);
			cr_expect_eq(store_cell_ll(r, i, 3, 0), seq[i] * 100 + 18);
		}
		store_result_free(r);
	}
	/* narrow: never more than MULTIROW_MAX_ROWS rows, however few binds they take */
	struct probe pr = { harness_unique() + 1000000, seq };
	long long before = executed(c);
	cr_assert_eq(multirow_insert(c, &narrow, &pr, 2 * MULTIROW_MAX_ROWS + 1, fill_narrow, NULL,
				     NULL),
		     0);
	cr_expect_eq(executed(c) - before - counting, 3);
	store_release(c);
}

Test(multirow, a_failing_chunk_stops_the_batch_after_the_chunks_before_it, .timeout = 60)
{
	struct store_conn *c = setup();
	int seq[40];
	for (int i = 0; i < 40; i++)
		seq[i] = i;
	seq[MULTIROW_MAX_ROWS + 3] = 0; /* the second chunk repeats the first row */
	struct probe pr = { harness_unique() + 1000000, seq };
	struct error err = ERROR_INIT;
	cr_expect_eq(multirow_insert(c, &narrow, &pr, 40, fill_narrow, NULL, &err), ERR_CONFLICT);
	error_release(&err);
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(pr.tag) };
	cr_assert_eq(store_exec(c, SQL_ROWS, p, 1, &r, &err), 0, "%s", err.message);
	cr_expect_eq(r->nrows, MULTIROW_MAX_ROWS, "the first chunk stays, the rest is not written");
	store_result_free(r);
	store_release(c);
}
