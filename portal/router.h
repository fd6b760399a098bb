/* The static route table: method + path pattern -> handler, with 404 and 405 + Allow. */
#ifndef PORTAL_ROUTER_H
#define PORTAL_ROUTER_H

#include "portal/http.h"

/* Who may call a route at all; object-level checks happen in the handler via auth_check. */
enum route_access {
	ROUTE_PUBLIC = 0,	/* anyone, no credentials */
	ROUTE_AUTHENTICATED,	/* any signed-in person or API key */
};

/*
 * Which threads run a route's handler (dispatch() in portal/http.c). A handler on a work or
 * hashing thread has its connection suspended, so a wait on the database or a password hash
 * holds that thread only, never an HTTP thread and every other connection it serves.
 */
enum route_runs {
	RUNS_ON_WORK = 0, /* the work threads: every signed-in route (its credentials are read from
			     the database) and the public ones that read it, or may, to refresh a
			     cached view */
	RUNS_FROM_MEMORY, /* the HTTP thread: a public document answered from memory */
	RUNS_HASHING,	  /* the slow-work threads, at low priority: the handler hashes a password */
};

/*
 * One route. `pattern` segments in braces ("{id}") match one non-empty path segment and become
 * req->params in order. `name` labels metrics and logs ("GET /v1/jobs/{id}").
 */
struct route {
	const char *method;
	const char *pattern;
	http_handler handler;
	enum route_access access;
	size_t max_body; /* 0: the server's default cap; uploads set the upload cap */
	enum route_runs runs;
};

/* Each handler module exports a table ending with a zeroed entry; router.c lists the tables. */
extern const struct route ops_routes[];
extern const struct route auth_routes[];
extern const struct route accounts_routes[];
extern const struct route public_routes[];
extern const struct route publish_routes[];
extern const struct route sites_routes[];
extern const struct route materials_routes[];
extern const struct route applications_routes[];
extern const struct route projects_routes[];
extern const struct route coordination_routes[];
extern const struct route transitions_routes[];
extern const struct route codes_routes[];
extern const struct route jointdig_routes[];
extern const struct route integrations_routes[];
extern const struct route openapi_routes[];
extern const struct route oversight_routes[];
extern const struct route postcheck_routes[];
extern const struct route credit_routes[];
extern const struct route public_stats_routes[];
extern const struct route stats_html_routes[];
extern const struct route place_routes[];
extern const struct route works_routes[];
extern const struct route defects_routes[];
extern const struct route feedback_routes[];

/* Builds the flat route list once at start. Cannot fail. */
void router_init(void);

/* Number of routes and the route at index i (0 <= i < router_count()). */
int router_count(void);
const struct route *router_at(int i);

/*
 * Finds the route for method+path. 0 with *route, *index and params filled (params owned by the
 * caller: free each); ERR_NOT_FOUND when no pattern matches; ERR_CONFLICT when the path matches
 * but not the method, with the allowed methods written to `allow` ("GET, POST").
 */
int router_match(const char *method, const char *path, const struct route **route, int *index,
		 char *params[HTTP_MAX_PARAMS], int *nparams, char *allow, size_t allow_len);

#endif
