/*
 * Builds and runs the multi-row INSERTs of store/multirow.h.
 *
 * store_exec binds at most STORE_MAX_PARAMS parameters (store/db.h), so a batch goes in chunks
 * of at most STORE_MAX_PARAMS / columns rows, and never more than MULTIROW_MAX_ROWS. The
 * statement cache of store/db.c knows a statement by the ADDRESS of its text: the text for each
 * row count is therefore built once per process and kept, so that every chunk of n rows finds
 * its statement already prepared on a warm connection and a batch takes at most one cache slot
 * per row count. The text depends on the row count only; every value is bound. The one-row
 * texts are the single-row statements the rest of the portal uses.
 */
#include "multirow.h"

#include <pthread.h>
#include <string.h>

#include "lib/xalloc.h"

/* Rows that others reference report their ids, in the order of the VALUES. */
static const char TAIL_RETURNING_ID[] = " RETURNING id";

/* Guards building the texts of every shape: once each, short, then never again. */
static pthread_mutex_t build_lock = PTHREAD_MUTEX_INITIALIZER;

static size_t rows_max(const struct multirow *m)
{
	size_t n = STORE_MAX_PARAMS / m->cols;
	return n < MULTIROW_MAX_ROWS ? n : MULTIROW_MAX_ROWS;
}

static void build(struct multirow *m)
{
	const char *tail_text = m->returns_ids ? TAIL_RETURNING_ID : "";
	size_t head = strlen(m->head), row = strlen(m->row), tail = strlen(tail_text);
	for (size_t n = 1; n <= rows_max(m); n++) {
		char *sql = xmalloc(head + n * (row + 2) + tail + 1), *at = sql;
		memcpy(at, m->head, head);
		at += head;
		for (size_t i = 0; i < n; i++) {
			if (i) {
				memcpy(at, ", ", 2);
				at += 2;
			}
			memcpy(at, m->row, row);
			at += row;
		}
		memcpy(at, tail_text, tail);
		at += tail;
		*at = 0;
		m->sql[n] = sql;
	}
}

/*
 * The lock (rather than a flag read outside it) also makes the texts another thread built
 * visible here; it is held for a pointer test once they are built.
 */
static void ensure_built(struct multirow *m)
{
	pthread_mutex_lock(&build_lock);
	if (!m->sql[1])
		build(m);
	pthread_mutex_unlock(&build_lock);
}

int multirow_insert(struct store_conn *c, struct multirow *m, const void *rows, size_t n,
		    multirow_fill_fn fill, long long *ids, struct error *err)
{
	ensure_built(m);
	size_t cols = m->cols, max = rows_max(m);
	struct store_param p[STORE_MAX_PARAMS];
	char days[STORE_MAX_PARAMS][11];
	for (size_t done = 0; done < n;) {
		size_t k = n - done < max ? n - done : max;
		for (size_t r = 0; r < k; r++)
			fill(rows, done + r, p + r * cols, days + r * cols);
		struct store_result *r = NULL;
		int rc = store_exec(c, m->sql[k], p, k * cols, ids ? &r : NULL, err);
		if (rc)
			return rc;
		if (ids) {
			if (r->nrows != k) {
				size_t got = r->nrows;
				store_result_free(r);
				return error_set(err, ERR_INTERNAL,
						 "an insert of %zu rows returned %zu ids", k, got);
			}
			for (size_t i = 0; i < k; i++)
				ids[done + i] = store_cell_ll(r, i, 0, 0);
			store_result_free(r);
		}
		done += k;
	}
	return 0;
}
