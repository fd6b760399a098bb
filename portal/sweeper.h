/* The periodic sweep: deemed approvals where a standard says silence means approval, overruns. */
#ifndef PORTAL_SWEEPER_H
#define PORTAL_SWEEPER_H

#include <jansson.h>
#include <stdbool.h>

#include "portal/app.h"

/*
 * One pass: every undecided permit whose stage is past due is deemed approved when its standard
 * says so; then overruns (sweeper_overruns_once, each with its credit entries), the day's digest,
 * and permits whose failed post-check was not rectified by its due day revoked
 * (postcheck_api_sweep). Idempotent (a second pass finds nothing). *deemed (may be NULL) counts
 * the deemed approvals.
 */
int sweeper_run_once(struct app *app, int *deemed, struct error *err);

/*
 * After one item of a sweep failed with rc (err filled): logs it (what, the id, the message) and
 * releases err. Returns rc when the sweep must stop (the database is unavailable), else 0: one
 * bad row (a code the office no longer lists, a rule not published) never stops the rest, nor
 * the later stages of the pass.
 */
int sweeper_item_failed(const char *what, long long id, int rc, struct error *err);

/*
 * Part of each pass: every dig-road permit still approved, with no extension pending, whose work
 * window ended before the last working day (permit_overrunning) is recorded as overrunning once
 * per window end, and the authority and the utilities whose works it covers get a
 * "permit.overrunning" event; each of those utilities gets an "overrun" credit entry under the
 * oversight rules in force (issue #21). Idempotent. *marked (may be NULL) counts the new records.
 * ERR_UNAVAILABLE while the calendar is not loaded; store errors.
 */
int sweeper_overruns_once(struct app *app, int *marked, struct error *err);

/*
 * A thread running a pass every `seconds`, when it holds the database lease "sweeper": of all
 * the portals on one database (one cluster), one sweeps at a time. Stop with sweeper_stop, which
 * gives the lease up.
 */
struct sweeper;
struct sweeper *sweeper_start(struct app *app, unsigned seconds);
void sweeper_stop(struct sweeper *s);

/* The passes this sweeper ran (holding the lease). */
unsigned sweeper_passes(struct sweeper *s);

#endif
