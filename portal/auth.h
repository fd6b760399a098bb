/* Authentication (sessions, API keys) and the one authorisation function every handler uses. */
#ifndef PORTAL_AUTH_H
#define PORTAL_AUTH_H

#include "portal/http.h"

/*
 * Reads the bearer credential, loads the caller into req->caller, and returns 0; on a missing,
 * unknown, expired or revoked credential replies 401 (or 503 when the database is down) and
 * returns non-zero.
 */
int auth_authenticate(struct http_request *req, struct http_response *res);

struct authz_caller;
/* The authenticated caller of an authenticated route (never NULL there), NULL on public ones. */
const struct authz_caller *auth_caller(const struct http_request *req);

/*
 * authz_check for the request's caller; on denial writes the error reply (404 for objects the
 * caller may not see) and returns non-zero. obj may be NULL for collection actions.
 */
struct authz_object;
int auth_require(struct http_request *req, struct http_response *res, int action,
		 const struct authz_object *obj);

/* Session lifetime and idle timeout, in seconds. */
#define AUTH_SESSION_TTL (12 * 3600)
#define AUTH_SESSION_IDLE (30 * 60)
/* Prefix that makes API keys recognisable (in logs, secret scanners). */
#define AUTH_API_KEY_PREFIX "hkp_"



#endif
