/* Pure entry points of the transitions endpoints (portal/transitions_api.c), for fuzzing. */
#ifndef PORTAL_TRANSITIONS_H
#define PORTAL_TRANSITIONS_H

#include <jansson.h>

#include "workflows/error.h"

/*
 * Reads a transition body {"action": ..., ...} exactly as POST /v1/jobs/{id}/transitions and
 * /v1/permits/{id}/transitions do, without touching anything else: 0, or ERR_INVALID listing
 * every problem. body is borrowed.
 */
int transitions_parse_body(json_t *body, struct error *err);

#endif
