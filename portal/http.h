/* The HTTP server: libmicrohttpd daemon, per-request context, JSON replies and the error envelope. */
#ifndef PORTAL_HTTP_H
#define PORTAL_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct app;
struct route;
struct MHD_Connection;

#define HTTP_MAX_PARAMS 4
#define HTTP_MAX_HEADERS 8

/* One request, alive from the first access-handler call until the response is sent. */
struct http_request {
	struct app *app;
	struct MHD_Connection *conn;
	const char *method; /* borrowed from libmicrohttpd */
	const char *path;
	char *body; /* NUL-terminated, owned */
	size_t body_len;
	size_t body_cap; /* the cap for this route */
	size_t body_alloc; /* the allocation behind body (a struct strbuf while it arrives) */
	bool too_large;
	const struct route *route;
	int route_index;
	int match_rc;	 /* router_match's answer: 0, ERR_NOT_FOUND or ERR_CONFLICT (405) */
	char allow[64]; /* methods this path answers, for 405 */
	char *params[HTTP_MAX_PARAMS]; /* path parameters in pattern order, owned */
	int nparams;
	char id[24]; /* request id, also sent as X-Request-Id */
	int64_t start_ns;
	int status; /* what was answered, for the log */
	void *caller; /* set by auth; owned by auth, freed via caller_free */
	void (*caller_free)(void *);
	/*
	 * A route run off the HTTP threads (RUNS_ON_WORK on the work threads, RUNS_HASHING on the
	 * slow ones): its answer, sent when the connection is resumed.
	 */
	enum { HTTP_INLINE, HTTP_DEFERRED, HTTP_DEFERRED_DONE } deferred;
	struct http_response *deferred_res;
	struct http_server *server;
};

/* What a handler answers. Body owned by the response unless body_static. */
struct http_response {
	int status;
	char *body;
	size_t len;
	bool body_static;
	const char *content_type;
	struct {
		char *name;
		char *value;
	} headers[HTTP_MAX_HEADERS];
	int nheaders;
	/* why a 500 is a 500 (the error's own message), logged with the request id, never sent */
	char internal[256];
};

/* A handler fills res and returns 0; a non-zero return means it already set an error reply. */
typedef int (*http_handler)(struct http_request *req, struct http_response *res);

/* Server limits; every one set explicitly on the daemon. */
struct http_limits {
	size_t max_body;	    /* bytes; larger bodies get 413 */
	unsigned max_connections;   /* total */
	unsigned per_ip_connections;
	unsigned timeout_seconds;   /* idle connection timeout */
	size_t connection_memory;   /* per-connection buffer for headers */
	unsigned threads;	    /* worker threads (thread pool size) */
	/*
	 * Threads that run the signed-in routes (credentials and handler: the database work) with
	 * the connection suspended; 0 runs them on the HTTP threads.
	 */
	unsigned work_threads;
	unsigned slow_threads;	    /* threads for handlers that hash passwords; 0 = inline */
	unsigned slow_queue;	    /* such requests waiting beyond those running; more get 503 */
	const struct proxy_list *trusted_proxies; /* whose X-Forwarded-For is believed; may be NULL */
	bool access_log;	    /* one JSON line per request on stderr */
};

struct http_server;

/*
 * Starts listening on `listen` ("127.0.0.1:8080", "0.0.0.0:80", port 0 for an ephemeral one)
 * and serves requests with the router. NULL with err set when the socket cannot be bound.
 * Stop and free with http_server_stop().
 */
struct http_server *http_server_start(struct app *app, const char *listen,
				      const struct http_limits *limits, struct error *err);
/* The port actually bound (useful after port 0). */
unsigned http_server_port(const struct http_server *s);
/* Requests waiting (suspended, not yet running) for a work thread and for a slow thread. */
void http_server_queued(struct http_server *s, size_t *work, size_t *slow);
/* Stops accepting, waits for requests in flight, frees everything. Safe on NULL. */
void http_server_stop(struct http_server *s);

/* Header and query-string lookups; borrowed strings valid during the request, NULL if absent. */
const char *http_header(struct http_request *req, const char *name);
const char *http_query(struct http_request *req, const char *name);
/*
 * The client's address as text into buf: the socket's peer, or behind a trusted proxy
 * (PORTAL_TRUSTED_PROXIES) the address X-Forwarded-For gives for it (portal/proxy.h).
 */
void http_client_addr(struct http_request *req, char *buf, size_t len);

/* Replies. Each replaces any earlier body. http_reply_json steals the reference to j. */
void http_reply_json(struct http_response *res, int status, json_t *j);
/* The same for JSON text already written (json_text's form); takes text, which must be malloc'd. */
void http_reply_json_text(struct http_response *res, int status, char *text, size_t len);
void http_reply_text(struct http_response *res, int status, const char *content_type,
		     const char *text, size_t len);
/* Points at a buffer that outlives the response (snapshots): no copy. */
void http_reply_static(struct http_response *res, int status, const char *content_type,
		       const char *body, size_t len);
/* A strong entity tag for a body: a quoted 32-hex-digit BLAKE2b digest, into out. */
void http_etag(const char *data, size_t len, char out[40]);
/* True when If-None-Match names etag or "*" (weak comparison, as RFC 9110 says for it). */
bool http_not_modified(struct http_request *req, const char *etag);
/*
 * A public read: 304 when the client holds the body (If-None-Match), else the body (copied);
 * either way with its ETag and "Cache-Control: public, max-age=<max_age>".
 */
void http_reply_cacheable(struct http_request *req, struct http_response *res,
			  const char *content_type, const char *body, size_t len, int max_age);
/* Adds a response header (both strings copied). At most HTTP_MAX_HEADERS. */
void http_add_header(struct http_response *res, const char *name, const char *value);

/* The HTTP status for an error code. */
int http_status_for(int code);
/*
 * The error envelope {"error":{"code","message","details":[...]}} with the status mapped from
 * err->code. Returns err->code (non-zero) so handlers can `return http_reply_error(res, &err)`.
 */
int http_reply_error(struct http_response *res, const struct error *err);
/* Shorthand: envelope from a code and a message. Returns code. */
int http_fail(struct http_response *res, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Parses the body as a JSON object: 415 unless Content-Type is application/json, 400 with the
 * line and column on malformed JSON, invalid UTF-8 or a non-object; nesting deeper than 32 is
 * refused. On success *out is a new reference the caller releases.
 */
int http_parse_json(struct http_request *req, json_t **out, struct error *err);
/* The body checks of http_parse_json alone (no headers): pure, for fuzzing and tests. */
int http_json_object(const char *body, size_t len, json_t **out, struct error *err);

/*
 * Checks that obj has only the listed keys (NULL-terminated) and adds an "unknown_field" detail
 * for each other key. Returns the number of unknown keys.
 */
int http_reject_unknown(const json_t *obj, const char *const *allowed, const char *prefix,
			struct error *err);

/* Monotonic nanoseconds. */
int64_t http_now_ns(void);

#endif
