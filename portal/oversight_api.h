/*
 * Oversight: supervision lists for the office, ratings and follow-ups, signed certificates and
 * the public keys, and the daily supervision digest. Routes: oversight_routes (router.h).
 */
#ifndef PORTAL_OVERSIGHT_API_H
#define PORTAL_OVERSIGHT_API_H

#include "portal/app.h"
#include "store/db.h"

/*
 * Issues the certificate of an approved permit or a completed job ("permit"/"job") inside the
 * caller's transaction: numbered, signed with the current key, audited. Does nothing when the
 * object already has one. Errors from the store or the key file (ERR_IO).
 */
int oversight_certificate_issue(struct store_conn *c, const char *object_type, long long id,
				struct error *err);

/*
 * Writes the day's supervision digest: one "supervision.digest" outbox event per organisation
 * with overdue stages, listing them. At most once per Asia/Shanghai day across all instances
 * (a digest_runs row); later calls that day do nothing. *events (may be NULL) counts events.
 */
int oversight_digest_run(struct app *app, int *events, struct error *err);

#endif
