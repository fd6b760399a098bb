/*
 * The per-connection prepared-statement cache of store/db.c: more distinct statements than it
 * holds, used over and over, each still answering its own result after evictions; and a
 * statement with the largest number of parameters allowed.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "support/harness.h"
#include "lib/xalloc.h"

#define NSQL 500 /* more than the cache's 320 */

Test(stmt_cache, more_statements_than_slots_each_keep_their_answer)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	/*
	 * The cache knows a statement by the address of its text: NSQL copies of one constant
	 * text are NSQL statements to it. Each is told apart by the value bound to it.
	 */
	static char *sql[NSQL];
	for (int i = 0; i < NSQL; i++)
		sql[i] = xstrdup("SELECT ? + ?");
	struct error err = ERROR_INIT;
	/* three rounds, the last one backwards: hits, evictions and re-preparations mixed */
	for (int round = 0; round < 3; round++)
		for (int k = 0; k < NSQL; k++) {
			int i = round == 2 ? NSQL - 1 - k : (k * 7) % NSQL;
			struct store_result *r = NULL;
			struct store_param p[] = { P_INT(i * 10), P_INT(round) };
			cr_assert_eq(store_exec(c, sql[i], p, 2, &r, &err), 0, "%s", err.message);
			cr_assert_eq(store_cell_ll(r, 0, 0, -1), i * 10 + round, "statement %d, round %d",
				     i, round);
			store_result_free(r);
		}
	store_release(c);
	for (int i = 0; i < NSQL; i++)
		free(sql[i]);
}

Test(stmt_cache, the_largest_parameter_count_binds_and_one_more_is_refused)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	static char text[STORE_MAX_PARAMS * 4 + 64], text2[STORE_MAX_PARAMS * 4 + 128];
	struct store_param p[STORE_MAX_PARAMS + 1];
	/* "SELECT 0+?+?...": constant pieces only, every value bound */
	strcpy(text, "SELECT 0");
	for (int i = 0; i < STORE_MAX_PARAMS; i++) {
		strcat(text, "+?");
		p[i] = P_INT(i);
	}
	p[STORE_MAX_PARAMS] = P_INT(STORE_MAX_PARAMS);
	strcpy(text2, text);
	strcat(text2, "+?");
	struct error err = ERROR_INIT;
	struct store_result *r = NULL;
	cr_assert_eq(store_exec(c, text, p, STORE_MAX_PARAMS, &r, &err), 0, "%s", err.message);
	cr_expect_eq(store_cell_ll(r, 0, 0, -1), (long long)STORE_MAX_PARAMS * (STORE_MAX_PARAMS - 1) / 2);
	store_result_free(r);
	cr_expect_eq(store_exec(c, text2, p, STORE_MAX_PARAMS + 1, &r, &err), ERR_INTERNAL);
	error_release(&err);
	store_release(c);
}
