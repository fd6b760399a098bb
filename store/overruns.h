/* SQL for work windows that ran out (migrations/0012_overruns.sql): the sweep's and the list's. */
#ifndef STORE_OVERRUNS_H
#define STORE_OVERRUNS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "store/db.h"
#include "workflows/calendar.h"
#include "lib/error.h"

/*
 * Approved dig-road permits whose window ended before `today` (an extension pending or not:
 * only a granted one moves the end) and that have no overrun recorded for that window end: at
 * most cap ids in ids, in id order, their count in *n. The caller decides with the calendar (the
 * next working day may be later). Errors as store_exec's.
 */
int store_overrun_candidates(struct store_conn *c, day_t today, long long *ids, size_t cap,
			     size_t *n, struct error *err);

/* An overrun to record. */
struct overrun_new {
	long long permit_id;
	day_t window_to, overrunning_from, detected_on;
	int days;
};

/*
 * Records it once: *inserted false when that permit and window end were recorded already (so a
 * second sweep changes nothing). Errors as store_exec's.
 */
int store_overrun_record(struct store_conn *c, const struct overrun_new *o, bool *inserted,
			 struct error *err);

/* One recorded overrun with what the list shows of its permit. */
struct overrun_row {
	long long permit_id, application_id, authority_org_id;
	char reference[33], app_reference[25], state[25], authority[201];
	day_t window_from, window_to, overrunning_from, detected_on;
	int days_at_detection;
	bool extension_pending;
};

/*
 * The recorded overruns whose permit is still approved (works not closed), newest detection
 * first, at most cap: *rows a new array of *n (the caller frees). Errors as store_exec's.
 */
int store_overruns_open(struct store_conn *c, struct overrun_row **rows, size_t *n, size_t cap,
			struct error *err);

#endif
