/*
 * How store_exec hands back rows: whole-number columns, fetched as numbers and written out by
 * store/db.c, read exactly as the server writes them (CAST(... AS CHAR)) at every width,
 * signed and unsigned, at their extremes and as NULL; text and decimals as they are; and rows
 * wider than the fetch state kept on the stack.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "store/db.h"
#include "support/harness.h"

static const char SQL_TABLE[] =
	"CREATE TEMPORARY TABLE fetch_kinds (n INT PRIMARY KEY, t TINYINT, tu TINYINT UNSIGNED,"
	" s SMALLINT, su SMALLINT UNSIGNED, m MEDIUMINT, mu MEDIUMINT UNSIGNED, i INT,"
	" iu INT UNSIGNED, b BIGINT, bu BIGINT UNSIGNED, flag BOOLEAN, d DECIMAL(9,6),"
	" txt VARCHAR(300))";
static const char SQL_ROWS[] =
	"INSERT INTO fetch_kinds VALUES"
	" (1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, 0,"
	"  -0.5, ''),"
	" (2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295,"
	"  9223372036854775807, 18446744073709551615, 1, 117.023456, REPEAT('x', 300)),"
	" (3, 0, 1, -1, 1, 10, 10, -10, 10, -1, 9223372036854775808, 1, 0, '''; --'),"
	" (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)";
/* every column, then every column as the server writes it */
static const char SQL_READ[] =
	"SELECT n, t, tu, s, su, m, mu, i, iu, b, bu, flag, d, txt, COUNT(*) OVER (),"
	" CAST(n AS CHAR), CAST(t AS CHAR), CAST(tu AS CHAR), CAST(s AS CHAR), CAST(su AS CHAR),"
	" CAST(m AS CHAR), CAST(mu AS CHAR), CAST(i AS CHAR), CAST(iu AS CHAR), CAST(b AS CHAR),"
	" CAST(bu AS CHAR), CAST(flag AS CHAR), CAST(d AS CHAR), txt, CAST(COUNT(*) OVER () AS CHAR)"
	" FROM fetch_kinds ORDER BY n";
static const char SQL_DROP[] = "DROP TEMPORARY TABLE fetch_kinds";

Test(fetch, whole_numbers_read_as_the_server_writes_them)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	struct error err = ERROR_INIT;
	cr_assert_eq(store_run(c, SQL_TABLE, NULL, 0, NULL, NULL, &err), 0, "%s", err.message);
	cr_assert_eq(store_run(c, SQL_ROWS, NULL, 0, NULL, NULL, &err), 0, "%s", err.message);
	struct store_result *r = NULL;
	cr_assert_eq(store_exec(c, SQL_READ, NULL, 0, &r, &err), 0, "%s", err.message);
	cr_assert_eq(r->nrows, 4);
	cr_assert_eq(r->ncols, 30);
	for (size_t row = 0; row < r->nrows; row++)
		for (size_t col = 0; col < 15; col++) {
			const char *got = store_cell(r, row, col), *want = store_cell(r, row, col + 15);
			if (!want) {
				cr_expect_null(got, "row %zu column %zu is NULL", row, col);
				continue;
			}
			cr_assert_not_null(got, "row %zu column %zu", row, col);
			cr_expect_str_eq(got, want, "row %zu column %zu", row, col);
			cr_expect_eq(r->lens[row * r->ncols + col], strlen(want), "row %zu column %zu",
				     row, col);
		}
	/* spelled out, so the comparison above cannot pass on two identical mistakes */
	cr_expect_str_eq(store_cell(r, 0, 9), "-9223372036854775808");
	cr_expect_str_eq(store_cell(r, 1, 10), "18446744073709551615");
	cr_expect_str_eq(store_cell(r, 1, 2), "255");
	cr_expect_str_eq(store_cell(r, 0, 1), "-128");
	cr_expect_eq(store_cell_ll(r, 2, 9, 0), -1);
	cr_expect_eq(strlen(store_cell(r, 1, 13)), 300, "a long text is fetched whole");
	store_result_free(r);
	cr_assert_eq(store_run(c, SQL_DROP, NULL, 0, NULL, NULL, &err), 0, "%s", err.message);
	store_release(c);
}

/* more columns than store/db.c keeps on its stack: the same answers from the heap */
static const char SQL_WIDE[] =
	"SELECT REPEAT('c', 0), -7, -14, REPEAT('c', 15), -28, -35, REPEAT('c', 30), -49, "
	"-56, REPEAT('c', 45), -70, -77, REPEAT('c', 60), -91, -98, REPEAT('c', 75), -112, "
	"-119, REPEAT('c', 90), -133, -140, REPEAT('c', 105), -154, -161, REPEAT('c', 120), "
	"-175, -182, REPEAT('c', 135), -196, -203, REPEAT('c', 150), -217, -224, "
	"REPEAT('c', 165), -238, -245, REPEAT('c', 180), -259, -266, REPEAT('c', 195), "
	"-280, -287, REPEAT('c', 210), -301, -308, REPEAT('c', 225), -322, -329, "
	"REPEAT('c', 240), -343, -350, REPEAT('c', 255), -364, -371, REPEAT('c', 270), "
	"-385, -392, REPEAT('c', 285), -406, -413";

Test(fetch, a_row_wider_than_the_stack_state)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	struct error err = ERROR_INIT;
	struct store_result *r = NULL;
	cr_assert_eq(store_exec(c, SQL_WIDE, NULL, 0, &r, &err), 0, "%s", err.message);
	cr_assert_eq(r->nrows, 1);
	cr_assert_eq(r->ncols, 60);
	for (int i = 0; i < 60; i++) {
		char want[400];
		if (i % 3) {
			snprintf(want, sizeof(want), "%d", i * -7);
		} else {
			memset(want, 'c', (size_t)i * 5);
			want[i * 5] = 0;
		}
		cr_expect_str_eq(store_cell(r, 0, (size_t)i), want, "column %d", i);
	}
	store_result_free(r);
	store_release(c);
}
