/*
 * Multi-row INSERTs for the store's batch writers (store/ only): many rows in one statement, so
 * one round trip instead of one per row. A file that inserts in batches keeps its SQL at its
 * top as usual (the statement up to VALUES, one row's "(?, ...)" group) and names it in one
 * static struct multirow; multirow_insert builds and runs the statements by row count.
 */
#ifndef STORE_MULTIROW_H
#define STORE_MULTIROW_H

#include <stdbool.h>
#include <stddef.h>

#include "store/db.h"
#include "lib/error.h"

/* Never more rows in one statement than this, nor more than STORE_MAX_PARAMS / cols. */
#define MULTIROW_MAX_ROWS 16

/*
 * One batch insert's shape, and the statement text for each row count once built. Declare it
 * static (not const: the texts are built into it on first use and kept for the process) with
 * MULTIROW_INIT; never copy it, since the statement cache knows a text by its address.
 */
struct multirow {
	const char *head; /* "INSERT INTO t (a, b) VALUES " */
	const char *row;  /* "(?, ?)" */
	size_t cols;	  /* parameters in row */
	bool returns_ids; /* the statements end in RETURNING id */
	char *sql[MULTIROW_MAX_ROWS + 1]; /* sql[n]: n rows; built once, never freed */
};
#define MULTIROW_INIT(head, row, cols, returns_ids) { (head), (row), (cols), (returns_ids), { 0 } }

/*
 * Fills the parameters of row i (cols of them at p); a date parameter may point into days,
 * which has one 11-byte buffer per parameter. rows is the caller's array.
 */
typedef void (*multirow_fill_fn)(const void *rows, size_t i, struct store_param *p,
				 char (*days)[11]);

/*
 * Inserts n rows (n may be 0) in chunks of at most MULTIROW_MAX_ROWS, in the order given. For a
 * shape that returns ids, ids (n of them, or NULL when not wanted) receives them in that order.
 * The first failure stops it with store_exec's error (ERR_CONFLICT: a duplicate), and earlier
 * chunks stay written: use it inside a transaction, which the caller rolls back. ERR_INTERNAL
 * when the server returns another number of ids than rows.
 */
int multirow_insert(struct store_conn *c, struct multirow *m, const void *rows, size_t n,
		    multirow_fill_fn fill, long long *ids, struct error *err);

#endif
