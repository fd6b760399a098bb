/* Glue shared by the application, job and permit handlers: time, JSON views, events. */
#ifndef PORTAL_TRACKS_H
#define PORTAL_TRACKS_H

#include <jansson.h>

#include "store/tracks.h"
#include "workflows/authz.h"
#include "workflows/calendar.h"

/* Now, UTC microseconds since the epoch. */
long long tracks_now_us(void);
/* Today in Asia/Shanghai. */
day_t tracks_today(void);

/* The JSON view of a job / permit, with the actions `caller` may take now. New reference. */
json_t *tracks_job_json(const struct job_row *j, const struct authz_caller *caller, day_t today);
json_t *tracks_permit_json(const struct permit_row *p, const struct authz_caller *caller,
			   day_t today);

/*
 * Writes one event to the outbox for an organisation: the versioned envelope {"type",
 * "version": 1, "occurred_at", "application", "object": snapshot}. Steals `object`.
 */
int tracks_emit(struct store_conn *c, long long org_id, long long application_id,
		const char *app_reference, const char *type, json_t *object, struct error *err);

/* Appends an audit entry for a track change (detail steals `detail`, may be NULL). */
int tracks_audit(struct store_conn *c, const struct authz_caller *caller, const char *action,
		 const char *object_type, const char *object_ref, json_t *detail,
		 struct error *err);

#endif
