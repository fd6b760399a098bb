/*
 * Small helpers the store's row modules share for binding days and reading cells (store/ only:
 * the portal never sees a row's columns).
 */
#ifndef STORE_ROWS_H
#define STORE_ROWS_H

#include <stdio.h>
#include <string.h>

#include "store/db.h"
#include "workflows/calendar.h"
#include "lib/error.h"

/*
 * Copies a cell (NULL reads as "") into a char array, cut to its size, as snprintf("%s") would
 * (without its formatting machinery: a row of a job or a permit copies a dozen cells).
 */
static inline void rows_copy(char *dst, size_t size, const char *src)
{
	const char *end = src ? memchr(src, '\0', size - 1) : src;
	size_t n = !src ? 0 : end ? (size_t)(end - src) : size - 1;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}
#define ROWS_COPY(dst, src) rows_copy((dst), sizeof(dst), (src))

/*
 * A day as a parameter: "YYYY-MM-DD" written into buf (which must outlive the statement), or
 * SQL NULL when d < 0. Cannot fail.
 */
struct store_param rows_day_param(day_t d, char buf[11]);

/* A DATE cell as a day; -1 for NULL or text that is not a date. Cannot fail. */
day_t rows_day_cell(const struct store_result *r, size_t row, size_t col);

/* A copy of a cell, NULL for SQL NULL; the caller frees it. Cannot fail (xalloc aborts). */
char *rows_dup_cell(const struct store_result *r, size_t row, size_t col);

/*
 * For replies written as JSON text straight from the rows (lib/json_text.h): a whole-number
 * cell as it came (store/db.c writes them in decimal), or dflt when NULL; a cell as true when
 * it is a non-zero number. Cannot fail.
 */
struct strbuf;
void rows_json_number(struct strbuf *o, const struct store_result *r, size_t row, size_t col,
		      const char *dflt);
void rows_json_boolean(struct strbuf *o, const struct store_result *r, size_t row, size_t col);

/*
 * The answer to an UPDATE ... WHERE version = ?: 0 when it changed a row, else ERR_CONFLICT
 * ("changed meanwhile") in err.
 */
int rows_changed_meanwhile(unsigned long long affected, struct error *err);

#endif
