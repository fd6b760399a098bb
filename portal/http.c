/* libmicrohttpd glue: request lifecycle, limits, routing, replies, access log and metrics. */
#define _GNU_SOURCE
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <sodium.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "portal/app.h"
#include "portal/auth.h"
#include "portal/html.h"
#include "portal/metrics.h"
#include "portal/offload.h"
#include "portal/proxy.h"
#include "portal/ratelimit.h"
#include "portal/router.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"
#include "lib/json_text.h"

#define MAX_JSON_DEPTH 32

struct http_server {
	struct MHD_Daemon *daemon;
	struct app *app;
	struct http_limits limits;
	unsigned port;
	int listen_fd; /* ours, not libmicrohttpd's: see accept_main */
	pthread_t acceptor;
	atomic_bool stopping;
	/* connections handed to libmicrohttpd and not yet started, and those open */
	atomic_uint pending, open;
	struct ratelimit *rate_public; /* PORTAL_RATE_PUBLIC: public routes, per address */
	struct ratelimit *rate_login;  /* PORTAL_RATE_LOGIN: POST /v1/sessions, per address */
	struct ratelimit *rate_write;  /* PORTAL_RATE_PUBLIC_WRITE: public reports, per address */
	struct offload *work;	       /* RUNS_ON_WORK routes; NULL runs them inline */
	struct offload *slow;	       /* RUNS_HASHING routes; NULL runs them on work */
};

static atomic_ullong request_seq;
static atomic_int in_flight;
static unsigned request_prefix;

int64_t http_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int http_status_for(int code)
{
	switch (code) {
	case 0: return 200;
	case ERR_MALFORMED: return 400;
	case ERR_UNAUTHORIZED: return 401;
	case ERR_FORBIDDEN: return 403;
	case ERR_NOT_FOUND: return 404;
	case ERR_CONFLICT: return 409;
	case ERR_TOO_LARGE: return 413;
	case ERR_UNSUPPORTED: return 415;
	case ERR_INVALID: return 422;
	case ERR_RATE_LIMITED: return 429;
	case ERR_UNAVAILABLE:
	case ERR_RETRY: return 503;
	case ERR_IO: return 507; /* the data directory is full or unwritable */
	default: return 500;
	}
}

static void response_clear_body(struct http_response *res)
{
	if (!res->body_static)
		free(res->body);
	res->body = NULL;
	res->len = 0;
	res->body_static = false;
}

void http_reply_text(struct http_response *res, int status, const char *content_type,
		     const char *text, size_t len)
{
	response_clear_body(res);
	res->status = status;
	res->content_type = content_type;
	res->body = xmalloc(len + 1);
	memcpy(res->body, text, len);
	res->body[len] = 0;
	res->len = len;
}

void http_etag(const char *data, size_t len, char out[40])
{
	unsigned char h[16];
	char hex[33];
	crypto_generichash(h, sizeof(h), (const unsigned char *)data, len, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(out, 40, "\"%s\"", hex);
}

bool http_not_modified(struct http_request *req, const char *etag)
{
	const char *h = http_header(req, "If-None-Match");
	for (const char *s = h; s && *s;) {
		while (*s == ' ' || *s == ',')
			s++;
		size_t n = strcspn(s, ", ");
		if (n == 1 && *s == '*')
			return true;
		const char *t = s;
		if (n > 2 && strncmp(t, "W/", 2) == 0)
			t += 2, n -= 2;
		if (n == strlen(etag) && strncmp(t, etag, n) == 0)
			return true;
		s = t + n;
	}
	return false;
}

void http_reply_cacheable(struct http_request *req, struct http_response *res,
			  const char *content_type, const char *body, size_t len, int max_age)
{
	char etag[40], cc[48];
	http_etag(body, len, etag);
	if (http_not_modified(req, etag))
		res->status = 304;
	else
		http_reply_text(res, 200, content_type, body, len);
	http_add_header(res, "ETag", etag);
	snprintf(cc, sizeof(cc), "public, max-age=%d", max_age);
	http_add_header(res, "Cache-Control", cc);
}

void http_reply_static(struct http_response *res, int status, const char *content_type,
		       const char *body, size_t len)
{
	response_clear_body(res);
	res->status = status;
	res->content_type = content_type;
	res->body = (char *)body;
	res->len = len;
	res->body_static = true;
}

void http_reply_json(struct http_response *res, int status, json_t *j)
{
	response_clear_body(res);
	res->status = status;
	res->content_type = "application/json; charset=utf-8";
	res->body = json_text(j);
	res->len = res->body ? strlen(res->body) : 0;
	json_decref(j);
}

void http_reply_json_text(struct http_response *res, int status, char *text, size_t len)
{
	response_clear_body(res);
	res->status = status;
	res->content_type = "application/json; charset=utf-8";
	res->body = text;
	res->len = text ? len : 0;
}

void http_add_header(struct http_response *res, const char *name, const char *value)
{
	for (int i = 0; i < res->nheaders; i++)
		if (strcasecmp(res->headers[i].name, name) == 0) {
			free(res->headers[i].value);
			res->headers[i].value = xstrdup(value);
			return;
		}
	if (res->nheaders == HTTP_MAX_HEADERS)
		return;
	res->headers[res->nheaders].name = xstrdup(name);
	res->headers[res->nheaders].value = xstrdup(value);
	res->nheaders++;
}

int http_reply_error(struct http_response *res, const struct error *err)
{
	int code = err->code ? err->code : ERR_INTERNAL;
	int status = http_status_for(code);
	const char *msg = err->message[0] ? err->message : error_code_name(code);
	if (status == 500) {
		snprintf(res->internal, sizeof(res->internal), "%s", msg);
		msg = "internal error; the request id identifies it in the server log";
	}
	json_t *details = json_array();
	for (size_t i = 0; i < err->ndetails; i++)
		json_array_append_new(details, json_pack("{s:s, s:s, s:s}", "field",
							 err->details[i].field, "code",
							 err->details[i].code, "message",
							 err->details[i].message));
	json_t *body = json_pack("{s:{s:s, s:s, s:o}}", "error", "code", error_code_name(code),
				 "message", msg, "details", details);
	/* every 503 says when to come back (a database lost, a cluster busy), unless the handler
	 * named its own time already */
	bool has_retry = false;
	for (int i = 0; i < res->nheaders; i++)
		has_retry = has_retry || !strcasecmp(res->headers[i].name, "Retry-After");
	if (status == 503 && !has_retry)
		http_add_header(res, "Retry-After", "1");
	http_reply_json(res, status, body);
	return code;
}

int http_fail(struct http_response *res, int code, const char *fmt, ...)
{
	struct error err = ERROR_INIT;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err.message, sizeof(err.message), fmt, ap);
	va_end(ap);
	err.code = code;
	http_reply_error(res, &err);
	return code;
}

const char *http_header(struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_query(struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

void http_client_addr(struct http_request *req, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char peer[INET6_ADDRSTRLEN] = "";
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, peer, sizeof(peer));
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, peer,
			  sizeof(peer));
	const struct proxy_list *trusted = req->server ? req->server->limits.trusted_proxies : NULL;
	if (!trusted || !trusted->n) {
		snprintf(buf, len, "%s", peer);
		return;
	}
	proxy_client_addr(trusted, peer, http_header(req, "X-Forwarded-For"), buf, len);
}

/* Nesting depth of a JSON text outside strings; cheap guard before the real parse. */
static int json_depth(const char *s, size_t n)
{
	int depth = 0, max = 0, in_str = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (in_str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_str = 0;
		} else if (ch == '"') {
			in_str = 1;
		} else if (ch == '{' || ch == '[') {
			if (++depth > max)
				max = depth;
		} else if (ch == '}' || ch == ']') {
			depth--;
		}
	}
	return max;
}

int http_parse_json(struct http_request *req, json_t **out, struct error *err)
{
	*out = NULL;
	const char *ct = http_header(req, "Content-Type");
	if (!ct || strncasecmp(ct, "application/json", 16) != 0)
		return error_set(err, ERR_UNSUPPORTED,
				 "send the body as JSON with Content-Type: application/json");
	return http_json_object(req->body, req->body_len, out, err);
}

int http_json_object(const char *body, size_t len, json_t **out, struct error *err)
{
	*out = NULL;
	if (len == 0)
		return error_set(err, ERR_MALFORMED, "the request body is empty; a JSON object is expected");
	if (json_depth(body, len) > MAX_JSON_DEPTH)
		return error_set(err, ERR_MALFORMED, "JSON nested deeper than %d levels",
				 MAX_JSON_DEPTH);
	json_error_t je;
	json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		return error_set(err, ERR_MALFORMED, "malformed JSON at line %d, column %d: %s",
				 je.line, je.column, je.text);
	if (!json_is_object(j)) {
		json_decref(j);
		return error_set(err, ERR_MALFORMED, "the body must be a JSON object");
	}
	*out = j;
	return 0;
}

int http_reject_unknown(const json_t *obj, const char *const *allowed, const char *prefix,
			struct error *err)
{
	int n = 0;
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)obj, key, v)
	{
		int ok = 0;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = strcmp(*a, key) == 0;
		if (!ok) {
			char field[200];
			snprintf(field, sizeof(field), "%s%s", prefix ? prefix : "", key);
			error_add(err, field, "unknown_field", "unknown field '%s'", key);
			n++;
		}
	}
	return n;
}

static void json_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

static void log_request(struct http_request *req, int64_t dur_ns)
{
	char *line = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char when[40];
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(f, "{\"time\":\"%s.%03ldZ\",\"id\":\"%s\",\"method\":\"", when,
		ts.tv_nsec / 1000000, req->id);
	json_escape(f, req->method ? req->method : "");
	fputs("\",\"path\":\"", f);
	json_escape(f, req->path ? req->path : "");
	fprintf(f, "\",\"status\":%d,\"duration_ms\":%.3f}\n", req->status, (double)dur_ns / 1e6);
	fclose(f);
	fwrite(line, 1, len, stderr);
	free(line);
}

/* A 500's cause, with the request id the client was given: the only place it is told. */
static void log_internal(struct http_request *req, const struct http_response *res)
{
	char *line = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);
	fprintf(f, "{\"level\":\"error\",\"source\":\"httpd\",\"id\":\"%s\",\"method\":\"",
		req->id);
	json_escape(f, req->method ? req->method : "");
	fputs("\",\"path\":\"", f);
	json_escape(f, req->path ? req->path : "");
	fputs("\",\"message\":\"", f);
	json_escape(f, res->internal[0] ? res->internal : "internal error");
	fputs("\"}\n", f);
	fclose(f);
	fwrite(line, 1, len, stderr);
	free(line);
}

static void response_release(struct http_response *res)
{
	response_clear_body(res);
	for (int i = 0; i < res->nheaders; i++) {
		free(res->headers[i].name);
		free(res->headers[i].value);
	}
	res->nheaders = 0;
}

static void request_free(struct http_request *req)
{
	if (req->deferred_res) {
		response_release(req->deferred_res);
		free(req->deferred_res);
	}
	for (int i = 0; i < req->nparams; i++)
		free(req->params[i]);
	if (req->caller && req->caller_free)
		req->caller_free(req->caller);
	free(req->body);
	free(req);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct http_request *req = *con_cls;
	if (!req)
		return;
	int64_t dur = http_now_ns() - req->start_ns;
	if (!req->status) {
		req->status = 499; /* client went away before an answer */
		metrics_observe(req->route ? req->route_index : -1, req->status, dur);
	}
	if (s->limits.access_log)
		log_request(req, dur);
	request_free(req);
	*con_cls = NULL;
	atomic_fetch_sub(&in_flight, 1);
}

/*
 * Every HTML answer gets the page security headers, even from a handler that forgot them:
 * no script at all, no framing, no referrer leaking ids in URLs.
 */
static void html_headers(struct http_response *res)
{
	bool csp = false, ref = false;
	for (int i = 0; i < res->nheaders; i++) {
		csp |= !strcasecmp(res->headers[i].name, "Content-Security-Policy");
		ref |= !strcasecmp(res->headers[i].name, "Referrer-Policy");
	}
	if (!csp)
		http_add_header(res, "Content-Security-Policy", HTML_CSP);
	if (!ref)
		http_add_header(res, "Referrer-Policy", "no-referrer");
	http_add_header(res, "X-Frame-Options", "DENY");
}

static enum MHD_Result send_response(struct http_request *req, struct http_response *res)
{
	struct MHD_Response *r;
	if (res->body_static)
		r = MHD_create_response_from_buffer(res->len, res->body, MHD_RESPMEM_PERSISTENT);
	else
		r = MHD_create_response_from_buffer(res->len, res->body ? res->body : (char *)"",
						    res->body ? MHD_RESPMEM_MUST_FREE
							      : MHD_RESPMEM_PERSISTENT);
	if (!r) {
		response_release(res);
		return MHD_NO;
	}
	res->body = NULL;
	if (res->content_type)
		MHD_add_response_header(r, "Content-Type", res->content_type);
	MHD_add_response_header(r, "X-Request-Id", req->id);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (res->content_type && !strncmp(res->content_type, "text/html", 9))
		html_headers(res);
	for (int i = 0; i < res->nheaders; i++) {
		MHD_add_response_header(r, res->headers[i].name, res->headers[i].value);
		free(res->headers[i].name);
		free(res->headers[i].value);
	}
	res->nheaders = 0;
	req->status = res->status;
	if (res->status == 500)
		log_internal(req, res);
	enum MHD_Result ok = MHD_queue_response(req->conn, (unsigned)res->status, r);
	MHD_destroy_response(r);
	/* Counted when answered, so a client that reads /metrics next sees this request. */
	metrics_observe(req->route ? req->route_index : -1, req->status,
			http_now_ns() - req->start_ns);
	return ok;
}

/*
 * The public routes and sign-in are reachable without credentials, so they are what a flood
 * or a password-guessing run hits: a token bucket per client address answers 429 beyond it.
 */
static int rate_limited(struct http_server *s, struct http_request *req,
			struct http_response *res)
{
	const struct route *r = req->route;
	struct ratelimit *rl = NULL;
	if (!strcmp(r->method, "POST") && !strcmp(r->pattern, "/v1/sessions"))
		rl = s->rate_login;
	else if (r->access == ROUTE_PUBLIC && !strcmp(r->method, "POST") &&
		 r->runs == RUNS_ON_WORK) /* a public write to the database: defects, feedback */
		rl = s->rate_write;
	else if (r->access == ROUTE_PUBLIC)
		rl = s->rate_public;
	if (!ratelimit_enabled(rl))
		return 0;
	char addr[64];
	http_client_addr(req, addr, sizeof(addr));
	unsigned wait = ratelimit_take(rl, addr, http_now_ns());
	if (!wait)
		return 0;
	http_fail(res, ERR_RATE_LIMITED, "too many requests from this address; retry in %u s",
		  wait);
	char secs[16];
	snprintf(secs, sizeof(secs), "%u", wait);
	http_add_header(res, "Retry-After", secs);
	return 1;
}

/*
 * What the HTTP thread settles before the handler: 404, 405, 413 and rate limits. 1 when res
 * already holds the answer. Credentials are checked with the handler (run_handler), since
 * that reads the database.
 */
static int precheck(struct http_server *s, struct http_request *req, struct http_response *res)
{
	if (req->match_rc == ERR_NOT_FOUND) {
		http_fail(res, ERR_NOT_FOUND, "no such resource: %s", req->path);
		return 1;
	}
	if (req->match_rc == ERR_CONFLICT) {
		http_fail(res, ERR_CONFLICT, "method %s is not allowed here; allowed: %s",
			  req->method, req->allow);
		res->status = 405;
		http_add_header(res, "Allow", req->allow);
		return 1;
	}
	if (req->too_large) {
		http_fail(res, ERR_TOO_LARGE, "the body is larger than the %zu bytes allowed here",
			  req->body_cap);
		return 1;
	}
	return rate_limited(s, req, res);
}

/* Credentials, then the handler. */
static void run_handler(struct http_request *req, struct http_response *res)
{
	if (req->route->access != ROUTE_PUBLIC && auth_authenticate(req, res) != 0)
		return;
	res->status = 200;
	req->route->handler(req, res);
	if (!res->status)
		res->status = 200;
}

/* On a work or slow-work thread: answer, then hand the connection back to libmicrohttpd. */
static void run_deferred(void *arg)
{
	struct http_request *req = arg;
	run_handler(req, req->deferred_res);
	req->deferred = HTTP_DEFERRED_DONE;
	MHD_resume_connection(req->conn);
}

/*
 * The queue's deadline passed before a thread could start the request (offload_start):
 * it is answered 503 without running. libmicrohttpd does not time out a suspended connection,
 * its client has most likely given up, and a write it can no longer learn about is worse than
 * a clear "retry".
 */
static void expire_deferred(void *arg)
{
	struct http_request *req = arg;
	http_fail(req->deferred_res, ERR_UNAVAILABLE,
		  "the server was too busy to start this request within %u s; nothing was done; "
		  "retry in a second",
		  req->server->limits.timeout_seconds);
	http_add_header(req->deferred_res, "Retry-After", "1");
	req->deferred = HTTP_DEFERRED_DONE;
	MHD_resume_connection(req->conn);
}

/*
 * Suspends the connection and queues the handler on `pool`. When its queue is full the request
 * is answered 503 at once (the suspension undone), so a burst cannot pile up without bound.
 */
static void defer(struct offload *pool, struct http_request *req, const char *busy)
{
	req->deferred = HTTP_DEFERRED;
	req->deferred_res = xcalloc(1, sizeof(*req->deferred_res));
	MHD_suspend_connection(req->conn);
	if (offload_submit(pool, run_deferred, req) == 0)
		return;
	http_fail(req->deferred_res, ERR_UNAVAILABLE, "%s; retry in a second", busy);
	http_add_header(req->deferred_res, "Retry-After", "1");
	req->deferred = HTTP_DEFERRED_DONE;
	MHD_resume_connection(req->conn);
}

/*
 * Sends a routed request to the threads its route names (enum route_runs in portal/router.h).
 * Without a hashing pool a hashing route goes to the work threads, and without pools (the
 * demo seed's own short-lived server) everything runs on the HTTP thread. Returns 1 when
 * deferred.
 */
static int dispatch(struct http_server *s, struct http_request *req)
{
	if (req->route->runs == RUNS_HASHING && s->slow) {
		defer(s->slow, req, "too many sign-ins are being processed");
		return 1;
	}
	if (req->route->runs != RUNS_FROM_MEMORY && s->work) {
		defer(s->work, req, "the server is at its limit of requests in progress");
		return 1;
	}
	return 0;
}

/* The first call's setup (headers only): the request's context, its route and its body cap. */
static struct http_request *request_new(struct http_server *s, struct MHD_Connection *conn,
					const char *url, const char *method)
{
	struct http_request *req = xcalloc(1, sizeof(*req));
	req->app = s->app;
	req->server = s;
	req->conn = conn;
	req->method = method;
	req->path = url;
	req->start_ns = http_now_ns();
	req->route_index = -1;
	unsigned long long seq = atomic_fetch_add(&request_seq, 1);
	snprintf(req->id, sizeof(req->id), "%08x%08llx", request_prefix, seq);
	atomic_fetch_add(&in_flight, 1);
	req->match_rc = router_match(method, url, &req->route, &req->route_index, req->params,
				     &req->nparams, req->allow, sizeof(req->allow));
	if (req->match_rc != 0)
		req->route = NULL;
	req->body_cap = s->limits.max_body;
	if (req->route && req->route->max_body)
		req->body_cap = req->route->max_body == (size_t)-1 ? s->app->cfg.max_upload
								   : req->route->max_body;
	return req;
}

/* 413 at once for a body announced larger than allowed, before it is read; else nothing yet. */
static enum MHD_Result refuse_announced(struct http_request *req)
{
	const char *cl =
	    MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (!cl || strtoull(cl, NULL, 10) <= req->body_cap)
		return MHD_YES;
	struct http_response res = {0};
	http_fail(&res, ERR_TOO_LARGE, "the body is larger than the %zu bytes allowed here",
		  req->body_cap);
	return send_response(req, &res);
}

/* One chunk of the body, kept while it stays within the route's cap. */
static void take_chunk(struct http_request *req, const char *data, size_t n)
{
	if (req->status) /* already answered (413 up front): discard */
		return;
	if (req->too_large || req->body_len + n > req->body_cap) {
		req->too_large = true; /* keep reading and discarding; answer 413 at the end */
		return;
	}
	struct strbuf b = {req->body, req->body_len, req->body_alloc};
	strbuf_add(&b, data, n);
	req->body = b.p;
	req->body_len = b.len;
	req->body_alloc = b.cap;
}

/* The body is all in: send the deferred answer once it is ready, or check and run the handler. */
static enum MHD_Result answer(struct http_server *s, struct http_request *req)
{
	if (req->status)
		return MHD_YES;
	if (req->deferred == HTTP_DEFERRED_DONE)
		return send_response(req, req->deferred_res);
	if (req->deferred == HTTP_DEFERRED)
		return MHD_YES; /* still being worked on */
	if (!req->body)
		req->body = xcalloc(1, 1);
	struct http_response res = { 0 };
	if (!precheck(s, req, &res)) {
		if (dispatch(s, req))
			return MHD_YES;
		run_handler(req, &res);
	}
	return send_response(req, &res);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_size, void **con_cls)
{
	struct http_server *s = cls;
	struct http_request *req = *con_cls;
	if (!req) {
		/*
		 * First call: headers only. Route and set up, but answer nothing yet: a response
		 * queued now makes libmicrohttpd close the connection (no keep-alive). The one
		 * exception is a body announced larger than allowed, refused before it is read.
		 */
		*con_cls = request_new(s, conn, url, method);
		return refuse_announced(*con_cls);
	}
	if (*upload_size) {
		take_chunk(req, upload_data, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	return answer(s, req);
}

static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	return MHD_YES;
}

static void log_mhd(void *cls, const char *fmt, va_list ap)
{
	fputs("{\"level\":\"warn\",\"source\":\"httpd\",\"message\":\"", stderr);
	char buf[512];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = 0;
	for (char *p = buf; *p; p++)
		if (*p == '"' || *p == '\\')
			*p = '\'';
	fputs(buf, stderr);
	fputs("\"}\n", stderr);
}

/*
 * The listening socket is ours and this thread accepts on it, handing each connection to
 * libmicrohttpd (MHD_add_connection, which applies the per-address limit and closes what it
 * refuses). libmicrohttpd's own listening cannot be stopped safely with epoll: its
 * MHD_quiesce_daemon and the polling threads both take the socket out of the epoll sets, and
 * the one that loses that race aborts the process ("Failed to remove listen FD from epoll set";
 * 1 start-and-stop in about 17,000 here, once in CI). Stopping is now a shutdown() of this
 * socket: accept() returns and new connections are refused at once.
 *
 * The connection limit is kept here too: a connection past it is closed at once. In 0.9.75 a
 * connection added at a thread's own limit deadlocks that thread (new_connection_process_
 * keeps its cleanup mutex), so libmicrohttpd is given limits this count never reaches.
 */
static void *accept_main(void *arg)
{
	struct http_server *s = arg;
	for (;;) {
		struct sockaddr_storage addr;
		socklen_t len = sizeof(addr);
		int fd = accept4(s->listen_fd, (struct sockaddr *)&addr, &len,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			if (atomic_load(&s->open) + atomic_load(&s->pending) >=
			    s->limits.max_connections) {
				close(fd);
				continue;
			}
			atomic_fetch_add(&s->pending, 1);
			/* refused (per address limit, memory): closed by libmicrohttpd, never started */
			if (MHD_add_connection(s->daemon, fd, (struct sockaddr *)&addr, len) != MHD_YES)
				atomic_fetch_sub(&s->pending, 1);
			continue;
		}
		if (atomic_load(&s->stopping))
			break;
		if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN)
			continue;
		/* out of descriptors or memory: give the open connections time to close */
		fprintf(stderr,
			"{\"level\":\"warn\",\"source\":\"httpd\",\"message\":\"accept: %s\"}\n",
			strerror(errno));
		usleep(10000);
	}
	return NULL;
}

/* Counts the connections libmicrohttpd starts and closes, for accept_main's limit. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
			  enum MHD_ConnectionNotificationCode code)
{
	(void)c, (void)socket_ctx;
	struct http_server *s = cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		atomic_fetch_sub(&s->pending, 1);
		atomic_fetch_add(&s->open, 1);
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		atomic_fetch_sub(&s->open, 1);
	}
}

/* A blocking IPv4 listening socket on sa; -1 with errno set. */
static int listen_on(const struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int on = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) != 0 || listen(fd, 1024) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* The IPv4 address and port of PORTAL_LISTEN ("host:port"; "*" or no host: any address). */
static int parse_listen(const char *listen, struct sockaddr_in *sa, struct error *err)
{
	sa->sin_family = AF_INET;
	const char *colon = strrchr(listen, ':');
	if (!colon)
		return error_set(err, ERR_INVALID, "PORTAL_LISTEN must be host:port, got '%s'",
				 listen);
	char host[64];
	size_t hlen = (size_t)(colon - listen);
	if (hlen >= sizeof(host))
		return error_set(err, ERR_INVALID, "PORTAL_LISTEN host too long");
	memcpy(host, listen, hlen);
	host[hlen] = 0;
	if (!hlen || strcmp(host, "*") == 0)
		strcpy(host, "0.0.0.0");
	if (strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535 || inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return error_set(err, ERR_INVALID, "PORTAL_LISTEN '%s' is not an IPv4 host:port",
				 listen);
	sa->sin_port = htons((uint16_t)port);
	return 0;
}

/*
 * The pools are ready before the first request can arrive (the daemon's threads listen as
 * soon as MHD_start_daemon starts them), so they never see one half made. Hashing runs at
 * the lowest priority (nice 19): a request thread that wakes preempts a hash at once, and
 * on a saturated machine sign-ins still get a small share rather than none (SCHED_IDLE
 * could starve them).
 */
static void start_pools(struct http_server *s, const struct http_limits *limits)
{
	/* a request that cannot start within the connection timeout is answered 503 then */
	unsigned wait_ms = limits->timeout_seconds * 1000u;
	void (*expire)(void *) = limits->timeout_seconds ? expire_deferred : NULL;
	if (limits->slow_threads)
		s->slow =
		    offload_start(limits->slow_threads, 19, limits->slow_queue, wait_ms, expire);
	/* A connection has one request at a time: the connection limit bounds this queue. */
	if (limits->work_threads)
		s->work = offload_start(limits->work_threads, 0, limits->max_connections, wait_ms,
					expire);
}

/* libmicrohttpd with every limit set, fed by accept_main; NULL when it cannot start. */
static struct MHD_Daemon *start_daemon(struct http_server *s, const struct http_limits *limits)
{
	/* ITC wakes a polling thread for each connection accept_main adds */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
			 MHD_USE_TURBO | MHD_USE_ITC | MHD_USE_NO_LISTEN_SOCKET;
	if (limits->slow_threads || limits->work_threads)
		flags |= MHD_ALLOW_SUSPEND_RESUME;
	/* a pool of one is libmicrohttpd's own polling thread: asked for without the option */
	struct MHD_OptionItem pool[] = {
		{ MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)limits->threads, NULL },
		{ MHD_OPTION_END, 0, NULL },
	};
	if (limits->threads <= 1)
		pool[0].option = MHD_OPTION_END;
	/* each thread could hold every connection accept_main lets in (see there) */
	unsigned mhd_limit = limits->max_connections * (limits->threads > 1 ? limits->threads : 1);
	return MHD_start_daemon(flags, 0, on_accept, s, on_request, s, MHD_OPTION_EXTERNAL_LOGGER,
				log_mhd, NULL, MHD_OPTION_ARRAY, pool, MHD_OPTION_CONNECTION_LIMIT,
				mhd_limit, MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, limits->per_ip_connections,
				MHD_OPTION_CONNECTION_TIMEOUT, limits->timeout_seconds,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, limits->connection_memory,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
}

/*
 * Frees the server once nothing arrives any more: after http_server_stop's waiting, or a start
 * that failed (the daemon may be NULL then).
 */
static void server_free(struct http_server *s)
{
	/* finishes the queued requests: libmicrohttpd must not stop with connections suspended */
	offload_stop(s->work);
	offload_stop(s->slow);
	if (s->daemon)
		MHD_stop_daemon(s->daemon);
	close(s->listen_fd);
	ratelimit_free(s->rate_public);
	ratelimit_free(s->rate_login);
	ratelimit_free(s->rate_write);
	free(s);
}

struct http_server *http_server_start(struct app *app, const char *listen,
				      const struct http_limits *limits, struct error *err)
{
	struct sockaddr_in sa = {0};
	if (parse_listen(listen, &sa, err))
		return NULL;
	if (!request_prefix) {
		request_prefix = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
	}
	router_init();
	double pub_rate, pub_burst, login_rate, login_burst, write_rate, write_burst;
	if (ratelimit_parse_env("PORTAL_RATE_PUBLIC", 200, 400, &pub_rate, &pub_burst, err) ||
	    ratelimit_parse_env("PORTAL_RATE_LOGIN", 20, 100, &login_rate, &login_burst, err) ||
	    ratelimit_parse_env("PORTAL_RATE_PUBLIC_WRITE", 0.1, 20, &write_rate, &write_burst,
				err))
		return NULL;

	int lfd = listen_on(&sa);
	if (lfd < 0)
		return error_set(err, ERR_IO, "cannot listen on %s (in use, or not permitted)",
				 listen),
		       NULL;
	struct http_server *s = xcalloc(1, sizeof(*s));
	s->app = app;
	s->limits = *limits;
	s->listen_fd = lfd;
	s->rate_public = ratelimit_new(pub_rate, pub_burst, 65536);
	s->rate_login = ratelimit_new(login_rate, login_burst, 65536);
	s->rate_write = ratelimit_new(write_rate, write_burst, 65536);
	start_pools(s, limits);
	s->daemon = start_daemon(s, limits);
	if (!s->daemon || pthread_create(&s->acceptor, NULL, accept_main, s) != 0) {
		server_free(s);
		return error_set(err, ERR_IO, "cannot start serving on %s", listen), NULL;
	}
	struct sockaddr_in bound;
	socklen_t blen = sizeof(bound);
	s->port = getsockname(lfd, (struct sockaddr *)&bound, &blen) == 0 ? ntohs(bound.sin_port)
									  : ntohs(sa.sin_port);
	return s;
}

unsigned http_server_port(const struct http_server *s)
{
	return s->port;
}

void http_server_queued(struct http_server *s, size_t *work, size_t *slow)
{
	*work = s->work ? offload_queued(s->work) : 0;
	*slow = s->slow ? offload_queued(s->slow) : 0;
}

void http_server_stop(struct http_server *s)
{
	if (!s)
		return;
	/*
	 * Stop accepting, then give requests in flight up to ten seconds to finish. Shutting the
	 * listening socket down makes new connections fail at once instead of waiting in the
	 * kernel's backlog until the daemon stops, and returns the acceptor from accept().
	 */
	atomic_store(&s->stopping, true);
	shutdown(s->listen_fd, SHUT_RDWR);
	pthread_join(s->acceptor, NULL);
	for (int i = 0; i < 1000 && atomic_load(&in_flight) > 0; i++)
		usleep(10000);
	server_free(s);
}
