/* The periodic sweep: deemed approvals where a standard says silence means approval. */
#ifndef PORTAL_SWEEPER_H
#define PORTAL_SWEEPER_H

#include <jansson.h>
#include <stdbool.h>

#include "portal/app.h"

/*
 * Applies the system action `action` ("deem", "expire") to one permit, in one transaction, with
 * the same history, audit and events as a person's transition. ERR_CONFLICT when the permit's
 * state or standard does not allow it (nothing changes).
 */
int transitions_system(struct app *app, const char *action, long long permit_id,
		       struct error *err);

/*
 * Applies a transition body ({"action", "version", payload...}) to a job or permit as `caller`,
 * exactly as POST /v1/{jobs|permits}/{id}/transitions does: used by inbound callbacks. On
 * success *reply is the new view (caller releases). body is borrowed.
 */
struct authz_caller;
int transitions_apply(struct app *app, const struct authz_caller *caller, bool permit,
		      long long id, json_t *body, json_t **reply, struct error *err);

/*
 * One pass: every undecided permit whose stage is past due is deemed approved when its standard
 * says so. Idempotent (a second pass finds nothing). *deemed (may be NULL) counts the changes.
 */
int sweeper_run_once(struct app *app, int *deemed, struct error *err);

/* A thread running a pass every `seconds`; stop with sweeper_stop. */
struct sweeper;
struct sweeper *sweeper_start(struct app *app, unsigned seconds);
void sweeper_stop(struct sweeper *s);

#endif
