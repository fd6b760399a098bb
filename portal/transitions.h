/*
 * The transitions of jobs and permits from outside their endpoints (portal/transitions_api.c):
 * the sweeper's system actions, inbound callbacks, and the pure body parser for fuzzing.
 */
#ifndef PORTAL_TRANSITIONS_H
#define PORTAL_TRANSITIONS_H

#include <jansson.h>
#include <stdbool.h>

#include "portal/app.h"
#include "lib/error.h"

/*
 * Reads a transition body {"action": ..., ...} exactly as POST /v1/jobs/{id}/transitions and
 * /v1/permits/{id}/transitions do, without touching anything else: 0, or ERR_INVALID listing
 * every problem. body is borrowed.
 */
int transitions_parse_body(json_t *body, struct error *err);

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

#endif
