/* Binding and reading the seven stage-clock columns that jobs and permits share. */
#include "clocks.h"

#include <stdbool.h>
#include <string.h>

#include "store/rows.h"

void store_clock_bind(const struct stored_clock *k, struct store_param *p, char d1[11],
		      char d2[11])
{
	bool on = k && k->stage[0];
	p[0] = on ? P_STR(k->stage) : P_NULL;
	p[1] = on ? P_INT(k->clock.limit_days) : P_NULL;
	p[2] = on ? rows_day_param(k->clock.started_day, d1) : P_NULL;
	p[3] = on ? rows_day_param(k->clock.due_day, d2) : P_NULL;
}

void store_clock_bind_all(const struct stored_clock *k, struct store_param *p, char d[3][11])
{
	store_clock_bind(k, p, d[0], d[1]);
	bool on = k && k->stage[0];
	p[4] = P_INT(on && k->clock.paused);
	p[5] = on && k->clock.paused ? rows_day_param(k->clock.paused_day, d[2]) : P_NULL;
	p[6] = on && k->clock.paused ? P_INT(k->clock.remaining_days) : P_NULL;
}

void store_clock_read(const struct store_result *r, size_t i, size_t col, struct stored_clock *k)
{
	memset(k, 0, sizeof(*k));
	ROWS_COPY(k->stage, store_cell(r, i, col));
	k->clock.limit_days = (int)store_cell_ll(r, i, col + 1, 0);
	k->clock.started_day = rows_day_cell(r, i, col + 2);
	k->clock.due_day = rows_day_cell(r, i, col + 3);
	k->clock.paused = store_cell_ll(r, i, col + 4, 0) != 0;
	k->clock.paused_day = rows_day_cell(r, i, col + 5);
	k->clock.remaining_days = (int)store_cell_ll(r, i, col + 6, 0);
}
