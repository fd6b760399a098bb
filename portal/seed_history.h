/*
 * The demo's sample history step of `portal seed-demo` (workflows/sample_history.h generates,
 * store/sample_history.h writes): the months before today of the demo applicant's joint
 * applications, marked as sample data by their SAMPLE- references.
 */
#ifndef PORTAL_SEED_HISTORY_H
#define PORTAL_SEED_HISTORY_H

#include <stdio.h>

#include "workflows/calendar.h"
#include "lib/error.h"

struct store_pool;

/* How many months before today the sample history starts (on the 1st of that month). */
#define SEED_HISTORY_MONTHS 8

/* The first day of the sample history for today: the 1st of the month SEED_HISTORY_MONTHS ago. */
day_t seed_history_first_day(day_t today);

/*
 * Generates and stores the sample history from first_day to now, as the demo accounts, in one
 * transaction with one audit entry. Does nothing (0) when sample applications exist already.
 * ERR_INVALID when the demo accounts or standards in force on first_day are missing (run the
 * other seed steps first); store errors otherwise. Progress and timing go to progress (may be
 * NULL).
 */
int seed_history_run(struct store_pool *pool, day_t first_day, FILE *progress, struct error *err);

#endif
