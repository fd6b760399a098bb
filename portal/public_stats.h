/*
 * Public statistics from the status history (rule 11) and the anonymised open-data export,
 * computed from transitions and pauses at most every PORTAL_STATS_SECONDS (default 60) and
 * kept in memory, so a public read serves a rendered copy. Routes: public_stats_routes.
 */
#ifndef PORTAL_PUBLIC_STATS_H
#define PORTAL_PUBLIC_STATS_H

#include <jansson.h>
#include <stddef.h>

#include "portal/app.h"

/* One computed generation; read-only for everyone, alive while a reference is held. */
struct stats_view {
	json_t *json;	       /* the /v1/public/stats document */
	char *json_text;       /* its compact text */
	char *csv;	       /* the same figures as CSV */
	char *open_data;       /* one anonymised row per track, CSV */
	char etag[40];	       /* of json_text */
	long long computed_us; /* when, UTC microseconds */
	int refs;	       /* private */
};

/*
 * The current generation with a reference taken, recomputing first when it is older than the
 * refresh interval (one caller recomputes; the others keep reading the previous generation).
 * NULL with err set only when nothing has ever been computed and the database fails.
 */
const struct stats_view *public_stats_get(struct app *app, struct error *err);
void public_stats_put(const struct stats_view *v);

/* Drops the cached generation so the next read recomputes (tests, after seeding). */
void public_stats_invalidate(void);

#endif
