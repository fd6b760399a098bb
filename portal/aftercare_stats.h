/*
 * The aftercare figures of the public statistics (issue #21): post-checks done and done on
 * time, overruns, closed digs, defects reported and defects per 100 closures, public ratings
 * and complaints, for the whole city, per district and per organisation. Part of the cached
 * statistics document (portal/public_stats.c) and rendered on /stats (portal/stats_html.c).
 */
#ifndef PORTAL_AFTERCARE_STATS_H
#define PORTAL_AFTERCARE_STATS_H

#include <jansson.h>

#include "portal/html.h"
#include "portal/snapshot.h"
#include "store/db.h"
#include "lib/strbuf.h"

/*
 * Counts the figures from the database: *out a new object {"summary", "district": [...],
 * "organisation": [...]} (each row with key, post_checks, post_checks_on_time,
 * post_check_on_time_rate, overruns, closures, defects, defects_per_100_closures, ratings,
 * complaints). pub (may be NULL: every post-check counts as on time) gives the calendar and
 * the post-check limits. Errors as store_exec's; *out is then NULL.
 */
int aftercare_stats_build(struct store_conn *c, const struct published *pub, json_t **out,
			  struct error *err);

/*
 * Appends the figures' CSV rows to b: dimension "aftercare_all", "aftercare_district" or
 * "aftercare_organisation", the key, `skip` empty fields (the other figures' columns), then
 * the aftercare columns named by AFTERCARE_CSV_COLUMNS. Nothing when a is NULL.
 */
#define AFTERCARE_CSV_COLUMNS                                                                      \
	"post_checks,post_checks_on_time,overruns,closures,defects,defects_per_100_closures,"      \
	"ratings,complaints"
#define AFTERCARE_CSV_NCOLUMNS 8
void aftercare_stats_csv(const json_t *a, int skip, struct strbuf *b);

/* The /stats page's section for the figures (doc's "aftercare"; nothing when absent). */
void aftercare_stats_html(struct html_page *pg, const json_t *doc);

#endif
