/*
 * The work queues: a utility's jobs and an authority's permits, filtered and paged, as the JSON
 * summaries their lists show.
 */
#ifndef STORE_QUEUES_H
#define STORE_QUEUES_H

#include <jansson.h>
#include <stdbool.h>

#include "lib/strbuf.h"
#include "store/db.h"
#include "workflows/calendar.h"
#include "workflows/geo.h"

/*
 * Queues for a utility (jobs) or an authority (permits): state filter (NULL any), overdue only
 * (due before today, running), only those whose works' extents meet bbox (NULL: any; a job's
 * works are its application's excavations of its kind, a permit's those it covers), keyset after
 * id, ascending, at most limit. The summaries are appended to *items as the text of a JSON array
 * (written straight from the rows: the busiest signed-in read builds no Jansson tree), *last is
 * the last id in it (0 when empty), *more whether more follow. Errors as store_exec's, and then
 * nothing is appended.
 */
int store_job_queue(struct store_conn *c, long long org_id, const char *state, bool overdue,
		    day_t today, const struct geo_bbox *bbox, long long after, int limit,
		    struct strbuf *items, long long *last, bool *more, struct error *err);
int store_permit_queue(struct store_conn *c, long long org_id, const char *state, bool overdue,
		       day_t today, const struct geo_bbox *bbox, long long after, int limit,
		       struct strbuf *items, long long *last, bool *more, struct error *err);

#endif
