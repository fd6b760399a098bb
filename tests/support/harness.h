/* Test support: a fresh migrated database per test run, a portal on an ephemeral port, a client. */
#ifndef TESTS_HARNESS_H
#define TESTS_HARNESS_H

#include <jansson.h>
#include <stdbool.h>

#include "store/db.h"

/*
 * The database of this test executable: created and migrated once before all tests (a Criterion
 * PRE_ALL hook), dropped after. Its URL is also exported as PORTAL_DB.
 */
const char *harness_db_url(void);

/* The database name alone. */
const char *harness_db_name(void);

/* A pool on that database; created on first use in this process. */
struct store_pool *harness_pool(void);

/* Runs a statement as root on the test server's socket (database may be NULL). Aborts on error. */
void harness_sql(const char *database, const char *sql);

/* A portal serving on 127.0.0.1 with an ephemeral port, in this process. */
struct harness_server;
struct harness_server *harness_server_start(void);
void harness_server_stop(struct harness_server *s);
/* The application context of a started server (for calling sweeps directly). */
struct app *harness_app(struct harness_server *s);
/* The base URL of the last started server, e.g. "http://127.0.0.1:40123". */
const char *harness_base(void);

/* One HTTP exchange. Free with reply_release. */
struct reply {
	long status;
	char *body;
	size_t len;
	json_t *json; /* parsed body when it is JSON, else NULL */
	char *headers;/* raw response headers */
};
void reply_release(struct reply *r);
/* The value of a response header (case-insensitive), copied into buf; NULL when absent. */
const char *reply_header(const struct reply *r, const char *name, char *buf, size_t len);

/*
 * Sends method path (relative to harness_base) with an optional bearer token and JSON body
 * (Content-Type application/json when body is not NULL), plus extra "Name: value" headers
 * (NULL-terminated list, may be NULL). Fills r and returns r->status.
 */
long http_call(struct reply *r, const char *method, const char *path, const char *token,
	       const char *body, const char *const *headers);

/* The same with a raw body of len bytes and its content type (either may be NULL). */
long http_call_raw(struct reply *r, const char *method, const char *path, const char *token,
		   const void *body, size_t len, const char *content_type,
		   const char *const *headers);

/*
 * Creates an organisation of kind/subkind (subkind may be NULL) and one user in it with the
 * password "correct-horse-battery" and a unique email. Returns the user's email in email_out
 * (at least 128 bytes) and the organisation id.
 */
long long harness_make_user(const char *kind, const char *subkind, bool admin, char *email_out);

/* Signs in; returns a new token string (caller frees) or aborts the test. */
char *harness_login(const char *email, const char *password);

/* A unique small integer per call in this process (for unique names). */
int harness_unique(void);

/* Removes a scratch file or directory tree a test made (nothing when path is empty). */
void harness_remove_tree(const char *path);

#define HARNESS_PASSWORD "correct-horse-battery"

#endif
