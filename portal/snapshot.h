/*
 * The in-memory snapshot of everything published (fee schedules, service standards, the
 * calendar), so public reads and submissions never touch the database for it. A snapshot is
 * immutable and reference-counted; a new one replaces it after each local publication, and a
 * background thread polls publication_state.seq once a second so that publications made by
 * other portal instances show up too (and rebuilds when the Asia/Shanghai date changes).
 * With PORTAL_DB_READ the poller reads a replica (falling back to PORTAL_DB while it is
 * unreachable) and never goes back to an older sequence than it shows; the reload after a
 * local publication reads the primary, so the publisher's next read sees its change at once.
 *
 * Memory: the parsed data of a superseded snapshot is freed when its last reference is put
 * back. Its pre-rendered response bodies are NOT freed until snapshot_stop: a response sent
 * with http_reply_static may still be reading them after the handler put its reference back,
 * and publications are rare. Identical bodies are shared between snapshots (interned by
 * content), so a daily rebuild that changes nothing costs nothing.
 */
#ifndef PORTAL_SNAPSHOT_H
#define PORTAL_SNAPSHOT_H

#include <stdatomic.h>
#include <stddef.h>

#include "store/published.h"
#include "workflows/calendar.h"
#include "workflows/codes.h"
#include "workflows/fees.h"
#include "workflows/standards.h"

struct app;

/* The parameterless public reads, pre-rendered per language. */
enum snapshot_doc {
	SNAP_FEES_JSON,
	SNAP_HISTORY_JSON,
	SNAP_STANDARDS_JSON,
	SNAP_CALENDAR_JSON,
	SNAP_HOME_HTML,
	SNAP_FEES_HTML,
	SNAP_STANDARDS_HTML,
	SNAP_NDOCS
};
enum snapshot_lang { SNAP_ZH, SNAP_EN, SNAP_NLANGS };

/* A pre-rendered body; the bytes live until snapshot_stop (see above). */
struct snapshot_body {
	const char *data;
	size_t len;
	char etag[40]; /* "\"<hex>\"", strong */
};

/* Where a published document came from (parallel to schedules[] and standards[]). */
struct published_info {
	long long id;
	long long org_id;
	char org_name[201];
	char published_at[21];
};

/* Everything published, as of publication sequence `seq`. Read-only for everyone. */
struct published {
	struct fee_schedule **schedules; /* every published version, by kind then version */
	size_t nschedules;
	struct published_info *schedule_info;
	struct service_standard **standards; /* likewise */
	size_t nstandards;
	struct published_info *standard_info;
	struct calendar cal; /* with the cut-off */
	struct calendar_day *days; /* the named holidays and make-up days, ascending */
	size_t ndays;
	struct code_lists codes; /* the decision code lists in force (version 0: none published) */
	long long seq;
	day_t today; /* the Asia/Shanghai date the bodies were rendered for */
	struct snapshot_body bodies[SNAP_NDOCS][SNAP_NLANGS];
	atomic_int refs; /* private */
};

struct snapshot;

/*
 * Creates the holder for app->pool, tries a first load (an unreachable database leaves it
 * empty) and starts the poller thread. Never fails. Stop with snapshot_stop.
 */
struct snapshot *snapshot_start(struct app *app);

/* Stops the poller and frees every snapshot and body. Call after the HTTP server stopped. */
void snapshot_stop(struct snapshot *s);

/*
 * The current snapshot with a reference taken, or NULL while none could be loaded yet (the
 * database has not answered since start). Never touches the database. Every non-NULL result
 * must be given back with snapshot_put.
 */
const struct published *snapshot_get(struct app *app);
void snapshot_put(const struct published *p);

/*
 * Rebuilds now if the publication sequence or the date moved (call after committing a
 * publication, so the next read sees it). Returns 0, or the store error (the old snapshot stays).
 */
int snapshot_refresh(struct app *app, struct error *err);

/* Today's date in Asia/Shanghai from the wall clock. */
day_t snapshot_today(void);

/*
 * Fee schedules are per organisation (two water companies each publish their own; neither
 * supersedes the other). These pick from p->schedules[] by schedule_info[].org_id; every
 * pointer returned is borrowed from p (valid while it is held). Cannot fail.
 */

/*
 * Every published version of organisation org_id's schedules, in snapshot order: stores at
 * most cap pointers in out and returns how many it stored (cap >= p->nschedules gets them all).
 */
size_t snapshot_schedules_of(const struct published *p, long long org_id,
			     const struct fee_schedule **out, size_t cap);

/* The same, of one kind only (kind NULL: every kind). */
size_t snapshot_schedules_of_kind(const struct published *p, long long org_id, const char *kind,
				  const struct fee_schedule **out, size_t cap);

/*
 * Organisation org_id's schedule in force for kind on day (fees_schedule_in_force among its
 * own), or NULL. Its index in p->schedules[] in *index when found (index may be NULL).
 */
const struct fee_schedule *snapshot_schedule_in_force(const struct published *p,
						      long long org_id, const char *kind,
						      day_t day, size_t *index);

/*
 * The organisations that have published a schedule of kind (any version), ascending ids:
 * stores at most cap in out and returns how many it stored.
 */
size_t snapshot_fee_orgs(const struct published *p, const char *kind, long long *out, size_t cap);

#endif
