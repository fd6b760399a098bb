/*
 * Oversight: supervision lists for the office, ratings and follow-ups, reading signed
 * certificates (portal/certify.c issues them) and the public keys, and the daily supervision
 * digest. Routes: oversight_routes (router.h).
 */
#ifndef PORTAL_OVERSIGHT_API_H
#define PORTAL_OVERSIGHT_API_H

#include "portal/app.h"
#include "store/db.h"

/*
 * Writes the day's supervision digest: one "supervision.digest" outbox event per organisation
 * with overdue stages, listing them. At most once per Asia/Shanghai day across all instances
 * (a digest_runs row); later calls that day do nothing. *events (may be NULL) counts events.
 */
int oversight_digest_run(struct app *app, int *events, struct error *err);

#endif
