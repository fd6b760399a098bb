/* Glue shared by the application, job and permit handlers: time, JSON views, events. */
#ifndef PORTAL_TRACKS_H
#define PORTAL_TRACKS_H

#include <jansson.h>

#include "store/applications.h"
#include "store/jobs.h"
#include "store/permits.h"
#include "workflows/authz.h"
#include "workflows/calendar.h"

/* Now, UTC microseconds since the epoch. */
long long tracks_now_us(void);
/* Today in Asia/Shanghai. */
day_t tracks_today(void);

/*
 * Starts `stage` on k, from now_us, with the limit std publishes for it, on cal: what a new
 * track and a transition into a new stage both do. ERR_INTERNAL when std has no such stage
 * (k is then cleared); clock_start's errors otherwise.
 */
struct service_standard;
int tracks_clock_start(struct stored_clock *k, const struct service_standard *std,
		       const char *stage, const struct calendar *cal, long long now_us,
		       struct error *err);

/* The JSON view of a job / permit, with the actions `caller` may take now. New reference. */
json_t *tracks_job_json(const struct job_row *j, const struct authz_caller *caller, day_t today);
json_t *tracks_permit_json(const struct permit_row *p, const struct authz_caller *caller,
			   day_t today);

/*
 * The same views as JSON text appended to o: byte for byte what json_text writes of
 * tracks_job_json's / tracks_permit_json's tree, written without building it. Cannot fail.
 */
struct strbuf;
void tracks_job_text(struct strbuf *o, const struct job_row *j, const struct authz_caller *caller,
		     day_t today);
void tracks_permit_text(struct strbuf *o, const struct permit_row *p,
			const struct authz_caller *caller, day_t today);

/*
 * The snapshot a party's event carries: the view plus what its adapter maps (DESIGN.md §6):
 * "kind", "application": {"reference", "site": {address, district, lat, lng}}, and for a job
 * "params" under the names the utilities use (pipe_dn, capacity_kw, ...), for a permit
 * "works" (road segments and window, green space, lines outside the plot). New reference, or
 * NULL with err set when the application cannot be read.
 */
json_t *tracks_job_event(struct store_conn *c, const struct job_row *j, day_t today,
			 struct error *err);
json_t *tracks_permit_event(struct store_conn *c, const struct permit_row *p, day_t today,
			    struct error *err);
/* An event's "application": {"reference", "site": {address, district, lat, lng}}. New reference. */
json_t *tracks_place_json(const struct application_place *pl);
/*
 * The same snapshots from what the caller already read and built, so that the events of one
 * application cost one read of its place (store_application_place) and of its segments
 * (store_application_segments), and no second view of a track it also answers with. view is
 * the track's view for any caller (tracks_job_json / tracks_permit_json; the event carries the
 * actions anyone may take instead of that caller's); application is tracks_place_json's, one for
 * all the events; segments is the dig-road permit's list (NULL: none), ignored for other kinds;
 * request is the application's request as parsed (its green space and lines outside the plot),
 * read by the other kinds. All borrowed; the event shares the members it does not change with
 * view, so neither may be changed afterwards. New reference.
 */
json_t *tracks_job_event_from(const struct job_row *j, const json_t *view,
			      const json_t *application);
json_t *tracks_permit_event_from(const struct permit_row *p, const json_t *view,
				 const json_t *application, const json_t *segments,
				 const json_t *request);

/*
 * Writes one event to the outbox for an organisation: the versioned envelope {"type",
 * "version": 1, "occurred_at", "application", "object": snapshot}. Steals `object`.
 */
int tracks_emit(struct store_conn *c, long long org_id, long long application_id,
		const char *app_reference, const char *type, json_t *object, struct error *err);

/*
 * The same for the utility or authority doing the work: the envelope also names the adapter
 * ("water" … "road", "greening", "planning") the dispatcher maps the event through. object is
 * from tracks_job_event / tracks_permit_event; NULL (their failure) returns err's code.
 */
int tracks_emit_party(struct store_conn *c, long long org_id, long long application_id,
		      const char *app_reference, const char *type, const char *adapter,
		      json_t *object, struct error *err);

/*
 * Events collected, then written together in the order added (one multi-row INSERT per chunk,
 * store_outbox_insert_many) with the same envelopes as tracks_emit and tracks_emit_party.
 * Made by tracks_events_new, freed (with any events not written) by tracks_events_free.
 */
struct tracks_events;
struct tracks_events *tracks_events_new(void);
/* Adds one event; steals object; adapter NULL for tracks_emit's envelope. Cannot fail. */
void tracks_events_add(struct tracks_events *ev, long long org_id, long long application_id,
		       const char *app_reference, const char *type, const char *adapter,
		       json_t *object);
/* Writes the events added so far and empties the list, written or not. */
int tracks_events_flush(struct store_conn *c, struct tracks_events *ev, struct error *err);
void tracks_events_free(struct tracks_events *ev);

/* The adapter kind of a permit kind: dig_road -> road; greening, planning as they are. */
const char *tracks_permit_adapter(const char *permit_kind);

#endif
