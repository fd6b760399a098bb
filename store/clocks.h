/*
 * The stage clock of a job or permit as the database keeps it: the struct the rows carry, and
 * how store/jobs.c and store/permits.c bind and read its columns (stage, stage_limit_days,
 * started_day, due_day, paused, paused_day, remaining_days).
 */
#ifndef STORE_CLOCKS_H
#define STORE_CLOCKS_H

#include "store/db.h"
#include "workflows/clock.h"

/* The stage clock as stored; stage[0] == 0 when no stage runs. */
struct stored_clock {
	char stage[33];
	struct clock clock;
};

/* The seven columns of the table aliased x, in the order store_clock_read reads them. */
#define STORE_CLOCK_COLS                                                                           \
	"x.stage, x.stage_limit_days, x.started_day, x.due_day, x.paused, x.paused_day, "          \
	"x.remaining_days"

/*
 * Binds the first four clock columns (stage .. due_day) at p[0..3]: all NULL when k is NULL or
 * no stage runs. The days are written into d1 and d2, which must outlive the statement, as
 * must k. Cannot fail.
 */
void store_clock_bind(const struct stored_clock *k, struct store_param *p, char d1[11],
		      char d2[11]);

/* The same for all seven columns at p[0..6]; the paused ones NULL unless the clock is paused. */
void store_clock_bind_all(const struct stored_clock *k, struct store_param *p, char d[3][11]);

/* Reads the seven columns starting at col of row i into *k (overwritten whole). Cannot fail. */
void store_clock_read(const struct store_result *r, size_t i, size_t col, struct stored_clock *k);

#endif
