/*
 * Hostile clients over real HTTP: slowloris, a flood past the connection limit, huge headers,
 * deep JSON, invalid UTF-8, numbers out of range and SQL meta-characters, garbage at every
 * write route; rate limits with 429 and Retry-After; the HTML security headers; and the real
 * binary's logs, after a scenario with passwords, tokens, API keys and webhook secrets, hold
 * none of them. Each test starts its own server with the limits it needs (Criterion runs each
 * test in its own process, so the environment set here is the test's alone).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "portal/router.h"
#include "portal/serve.h"
#include "support/harness.h"
#include "support/journey.h"

#define DEMO "demo-password-1"

static struct harness_server *srv;

/* Starts this test's server after setting "NAME=value" pairs (NULL-terminated). */
static void start_with(const char *const *env)
{
	for (; env && *env; env++) {
		char *kv = strdup(*env), *eq = strchr(kv, '=');
		*eq = 0;
		setenv(kv, eq + 1, 1);
		free(kv);
	}
	srv = harness_server_start();
}

static void stop(void)
{
	harness_server_stop(srv);
	srv = NULL;
}

TestSuite(hostile, .fini = stop, .timeout = 120);

static unsigned port(void)
{
	return (unsigned)atoi(strrchr(harness_base(), ':') + 1);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int connect_to(unsigned p)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)p) };
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends what it can; false when the server has closed the connection. */
static bool send_some(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
		if (w <= 0)
			return false;
		s += w;
		n -= (size_t)w;
	}
	return true;
}

/*
 * Reads for up to ms: the bytes received into buf (NUL-terminated), and in *closed whether the
 * server closed (EOF or reset) within that time.
 */
static size_t read_for(int fd, char *buf, size_t len, int ms, bool *closed)
{
	size_t got = 0;
	*closed = false;
	double until = now_s() + ms / 1000.0;
	struct pollfd pfd = { fd, POLLIN, 0 };
	while (got + 1 < len) {
		int left = (int)((until - now_s()) * 1000);
		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			break;
		ssize_t n = recv(fd, buf + got, len - 1 - got, 0);
		if (n <= 0) {
			*closed = true;
			break;
		}
		got += (size_t)n;
	}
	buf[got] = 0;
	return got;
}

/* The error envelope's code, or "" (copied into a static buffer). */
static const char *error_code(const struct reply *r)
{
	static char code[64];
	json_t *e = json_object_get(r->json, "error");
	snprintf(code, sizeof(code), "%s", e ? json_string_value(json_object_get(e, "code")) : "");
	return code;
}

/* ---- calls from another address ----------------------------------------------------- */

struct child {
	pid_t pid;
	unsigned port;
	char log[256];
};

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
	struct reply *r = ud;
	size_t len = size * n;
	r->body = realloc(r->body, r->len + len + 1);
	memcpy(r->body + r->len, p, len);
	r->len += len;
	r->body[r->len] = 0;
	return len;
}

/*
 * One call to 127.0.0.1:p from the source address `from` (another loopback address, so failed
 * sign-ins here do not count against 127.0.0.1, which every other test signs in from). *out
 * gets the JSON reply (new reference or NULL), *retry the Retry-After value (or -1).
 */
static long call_from(const char *from, unsigned p, const char *method, const char *path,
		      const char *token, const char *body, json_t **out, long *retry)
{
	CURL *c = curl_easy_init();
	char url[512], auth[600];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", p, path);
	struct reply hdr = { 0 };
	curl_easy_setopt(c, CURLOPT_INTERFACE, from);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hdr);
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h = curl_slist_append(h, auth);
	}
	struct reply r = { 0 };
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	long status = 0;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (out)
		*out = r.body ? json_loads(r.body, 0, NULL) : NULL;
	if (retry) {
		const char *ra = hdr.body ? strcasestr(hdr.body, "\nRetry-After:") : NULL;
		*retry = ra ? atol(ra + 13) : -1;
	}
	free(hdr.body);
	free(r.body);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return status;
}

#define FROM_LOGS "127.0.0.5"

/* One call to the child portal, from FROM_LOGS. */
static long child_call(const struct child *ch, const char *method, const char *path,
		       const char *token, const char *body, json_t **out)
{
	return call_from(FROM_LOGS, ch->port, method, path, token, body, out, NULL);
}

/* ---- slow and many clients ------------------------------------------------------------ */

Test(hostile, slowloris_connections_time_out_and_others_are_served)
{
	start_with((const char *const[]){ "PORTAL_TIMEOUT=2", NULL });
	enum { SLOW = 60 };
	int fds[SLOW];
	for (int i = 0; i < SLOW; i++) {
		fds[i] = connect_to(port());
		cr_assert_geq(fds[i], 0);
		const char *partial = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
		cr_assert(send_some(fds[i], partial, strlen(partial)));
	}
	/* While they hang on, everyone else is answered promptly. */
	for (int i = 0; i < 20; i++) {
		struct reply r;
		double t0 = now_s();
		cr_assert_eq(http_call(&r, "GET", "/v1/public/fees", NULL, NULL, NULL), 200);
		cr_expect_lt(now_s() - t0, 1.0, "a normal request took %.2f s", now_s() - t0);
		reply_release(&r);
	}
	/* The idle timeout (2 s) closes every stalled connection. */
	usleep(2500 * 1000);
	int closed_n = 0;
	for (int i = 0; i < SLOW; i++) {
		char buf[512];
		bool closed;
		read_for(fds[i], buf, sizeof(buf), 2000, &closed);
		closed_n += closed;
		close(fds[i]);
	}
	cr_expect_eq(closed_n, SLOW, "%d of %d stalled connections closed by the timeout", closed_n,
		     SLOW);
}

Test(hostile, flood_past_the_connection_limit_is_refused_and_the_server_survives)
{
	start_with((const char *const[]){ "PORTAL_MAX_CONNECTIONS=16",
					  "PORTAL_PER_IP_CONNECTIONS=0", "PORTAL_TIMEOUT=60", NULL });
	enum { FLOOD = 64 };
	int fds[FLOOD];
	const char *req = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	for (int i = 0; i < FLOOD; i++) {
		fds[i] = connect_to(port());
		if (fds[i] >= 0)
			send_some(fds[i], req, strlen(req));
	}
	/* Answers come at once; connections past the limit are reset or wait in the backlog. */
	usleep(1000 * 1000);
	int answered = 0, refused = 0;
	for (int i = 0; i < FLOOD; i++) {
		char buf[1024];
		bool closed;
		if (fds[i] < 0) {
			refused++;
			continue;
		}
		size_t n = read_for(fds[i], buf, sizeof(buf), 50, &closed);
		if (n && strstr(buf, " 200 "))
			answered++;
		else
			refused++;
	}
	cr_expect_leq(answered, 16, "%d connections answered past a limit of 16", answered);
	cr_expect_geq(answered, 1);
	cr_expect_geq(refused, FLOOD - 16, "%d refused", refused);
	for (int i = 0; i < FLOOD; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	usleep(200 * 1000);
	struct reply r;
	cr_expect_eq(http_call(&r, "GET", "/healthz", NULL, NULL, NULL), 200,
		     "the server serves again once the flood is gone");
	reply_release(&r);
}

/* ---- huge headers --------------------------------------------------------------------- */

struct huge_case {
	char name[24];
	int kind; /* 0: one 100 KB header, 1: 3000 small headers, 2: a 100 KB URL */
};

ParameterizedTestParameters(hostile, huge_headers_are_refused)
{
	static struct huge_case cases[] = {
		{ "one 100 KB header", 0 }, { "3000 headers", 1 }, { "100 KB URL", 2 }
	};
	return cr_make_param_array(struct huge_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct huge_case *c, hostile, huge_headers_are_refused)
{
	start_with(NULL);
	size_t cap = 200 * 1024, n = 0;
	char *req = malloc(cap);
	if (c->kind == 2) {
		n += (size_t)sprintf(req, "GET /v1/public/fees?x=");
		memset(req + n, 'a', 100 * 1024);
		n += 100 * 1024;
		n += (size_t)sprintf(req + n, " HTTP/1.1\r\nHost: x\r\n\r\n");
	} else {
		n += (size_t)sprintf(req, "GET /healthz HTTP/1.1\r\nHost: x\r\n");
		if (c->kind == 0) {
			n += (size_t)sprintf(req + n, "X-Big: ");
			memset(req + n, 'b', 100 * 1024);
			n += 100 * 1024;
			n += (size_t)sprintf(req + n, "\r\n");
		} else {
			for (int i = 0; i < 3000; i++)
				n += (size_t)sprintf(req + n, "X-H%d: %d\r\n", i, i);
		}
		n += (size_t)sprintf(req + n, "\r\n");
	}
	int fd = connect_to(port());
	cr_assert_geq(fd, 0);
	send_some(fd, req, n); /* the server may close before all of it is sent */
	char buf[2048];
	bool closed;
	read_for(fd, buf, sizeof(buf), 5000, &closed);
	close(fd);
	free(req);
	bool refused = strstr(buf, " 431 ") || strstr(buf, " 413 ") || strstr(buf, " 414 ") ||
		       strstr(buf, " 400 ") || (closed && !strstr(buf, " 200 "));
	cr_expect(refused, "%s: answered '%.60s' (closed %d)", c->name, buf, closed);
	cr_expect(!strstr(buf, " 500 "), "%s: never a 500", c->name);
	struct reply r;
	cr_expect_eq(http_call(&r, "GET", "/healthz", NULL, NULL, NULL), 200, "still serving");
	reply_release(&r);
}

/* ---- bodies --------------------------------------------------------------------------- */

static char *nested(int depth)
{
	char *s = malloc((size_t)depth * 2 + 1);
	memset(s, '[', (size_t)depth);
	memset(s + depth, ']', (size_t)depth);
	s[depth * 2] = 0;
	return s;
}

struct body_case {
	char name[40];
	char route[40];
	int kind;	   /* 0: literal body, 1: nested arrays of `depth`, 2: {"a": nested} */
	int depth;
	char body[200];
	long want;	   /* expected status */
	char code[24];	   /* expected error code */
};

ParameterizedTestParameters(hostile, bad_bodies_get_a_clear_refusal)
{
	static struct body_case cases[] = {
		{ "nesting 100000 deep", "/v1/sites", 1, 100000, "", 400, "malformed_request" },
		{ "object nesting 33 deep", "/v1/sites", 2, 33, "", 400, "malformed_request" },
		{ "nesting, public route", "/v1/public/fee-estimate", 1, 5000, "", 400, "malformed_request" },
		{ "nesting, application", "/v1/applications", 2, 2000, "", 400, "malformed_request" },
		{ "invalid UTF-8 byte", "/v1/sites", 0, 0,
		  "{\"name\":\"\xff\xfe\",\"address\":\"a\",\"district\":\"350102\",\"zone_risk\":\"low\"}",
		  400, "malformed_request" },
		{ "overlong UTF-8", "/v1/sites", 0, 0, "{\"name\":\"\xc0\xaf\"}", 400, "malformed_request" },
		{ "lone surrogate escape", "/v1/sites", 0, 0, "{\"name\":\"\\ud800\"}", 400,
		  "malformed_request" },
		{ "NUL escape in a string", "/v1/sites", 0, 0,
		  "{\"name\":\"a\\u0000b\",\"address\":\"a\",\"district\":\"350102\",\"zone_risk\":"
		  "\"low\"}", 400, "malformed_request" },
		{ "real overflow", "/v1/sites", 0, 0,
		  "{\"name\":\"n\",\"address\":\"a\",\"district\":\"350102\",\"zone_risk\":\"low\","
		  "\"lat\":1e400,\"lng\":1}", 400, "malformed_request" },
		{ "integer overflow", "/v1/applications", 0, 0,
		  "{\"site_id\":99999999999999999999999}", 400, "malformed_request" },
		{ "latitude out of range", "/v1/sites", 0, 0,
		  "{\"name\":\"n\",\"address\":\"a\",\"district\":\"350102\",\"zone_risk\":\"low\","
		  "\"lat\":91,\"lng\":-181}", 422, "validation_failed" },
		{ "negative and huge numbers", "/v1/applications", 0, 0,
		  "{\"site_id\":-1,\"commitment\":true,\"utilities\":{\"water\":{\"dn\":-100,"
		  "\"use\":\"commercial\",\"meters\":9223372036854775807}},\"materials\":[]}", 422,
		  "validation_failed" },
		{ "version beyond int", "/v1/jobs/1/transitions", 0, 0,
		  "{\"action\":\"accept\",\"version\":4294967297}", 422, "validation_failed" },
		{ "duplicate keys", "/v1/sites", 0, 0, "{\"name\":\"a\",\"name\":\"b\"}", 400,
		  "malformed_request" },
		{ "not an object", "/v1/sites", 0, 0, "[1,2,3]", 400, "malformed_request" },
		{ "truncated", "/v1/sites", 0, 0, "{\"name\":", 400, "malformed_request" },
	};
	return cr_make_param_array(struct body_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct body_case *c, hostile, bad_bodies_get_a_clear_refusal)
{
	start_with(NULL);
	char *token = journey_login(strstr(c->route, "/jobs/") ? "water" : "applicant");
	char *body = NULL;
	if (c->kind == 0) {
		body = strdup(c->body);
	} else if (c->kind == 1) {
		body = nested(c->depth);
	} else {
		size_t n = (size_t)c->depth * 6 + 8, k = 0;
		body = malloc(n);
		for (int i = 0; i < c->depth; i++)
			k += (size_t)sprintf(body + k, "{\"a\":");
		k += (size_t)sprintf(body + k, "1");
		for (int i = 0; i < c->depth; i++)
			body[k++] = '}';
		body[k] = 0;
	}
	struct reply r;
	http_call(&r, "POST", c->route, token, body, NULL);
	cr_expect_eq(r.status, c->want, "%s: %ld %s", c->name, r.status, r.body);
	cr_expect_str_eq(error_code(&r), c->code, "%s: %s", c->name, r.body);
	reply_release(&r);
	free(body);
	free(token);
}

Test(hostile, bad_query_and_path_values_are_refused)
{
	start_with(NULL);
	char *token = journey_login("applicant");
	static const struct {
		const char *path;
		long want;
	} cases[] = {
		{ "/v1/sites?limit=99999999999999999999", 422 },
		{ "/v1/sites?limit=-1", 422 },
		{ "/v1/sites?cursor=%27%20OR%201%3D1%20--%20", 422 },
		{ "/v1/applications/1%27%20OR%20%271%27%3D%271", 404 },
		{ "/v1/jobs/99999999999999999999999", 404 },
		{ "/v1/jobs/%ff%fe", 404 },
		{ "/v1/sites/-1", 404 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct reply r;
		http_call(&r, "GET", cases[i].path, token, NULL, NULL);
		cr_expect_eq(r.status, cases[i].want, "%s: %ld %s", cases[i].path, r.status, r.body);
		reply_release(&r);
	}
	/* An upload whose file name is not UTF-8 is refused with the field named. */
	struct reply r;
	const char pdf[] = "%PDF-1.4\n%%EOF\n";
	http_call_raw(&r, "POST", "/v1/materials?type=site_plan&filename=%ff%fe.pdf", token, pdf,
		      sizeof(pdf) - 1, "application/pdf", NULL);
	cr_expect_eq(r.status, 422, "%ld %s", r.status, r.body);
	reply_release(&r);
	free(token);
}

/* SQL meta-characters are data: stored and read back verbatim, or refused as invalid. */
Test(hostile, sql_metacharacters_are_plain_data)
{
	start_with(NULL);
	char email[128];
	harness_make_user("applicant", NULL, true, email); /* its own organisation: nothing shared */
	char *token = harness_login(email, HARNESS_PASSWORD);
	static const char *const evil[] = {
		"Robert'); DROP TABLE sites; --",
		"\\' OR 1=1 -- ",
		"\" OR \"\"=\"",
		"100% _wild_ %' AND SLEEP(5) #",
		"x'; UPDATE users SET admin=1 WHERE '1'='1",
		"/* comment */ UNION SELECT password_hash FROM users --",
	};
	for (size_t i = 0; i < sizeof(evil) / sizeof(evil[0]); i++) {
		json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:f}", "name", evil[i],
				      "address", evil[i], "plot_ref", evil[i], "district", "350102",
				      "zone_risk", "low", "lat", 26.108, "lng", 119.252);
		char *body = json_dumps(b, JSON_COMPACT);
		struct reply r;
		double t0 = now_s();
		http_call(&r, "POST", "/v1/sites", token, body, NULL);
		cr_expect_lt(now_s() - t0, 4.0, "no SLEEP() ran");
		cr_assert_eq(r.status, 201, "%s: %ld %s", evil[i], r.status, r.body);
		long long id = json_integer_value(json_object_get(r.json, "id"));
		reply_release(&r);
		char path[64];
		snprintf(path, sizeof(path), "/v1/sites/%lld", id);
		http_call(&r, "GET", path, token, NULL, NULL);
		cr_assert_eq(r.status, 200);
		cr_expect_str_eq(json_string_value(json_object_get(r.json, "name")), evil[i]);
		cr_expect_str_eq(json_string_value(json_object_get(r.json, "address")), evil[i]);
		cr_expect_str_eq(json_string_value(json_object_get(r.json, "plot_ref")), evil[i]);
		reply_release(&r);
		/* In a field with a closed set of values it is a validation error. */
		json_object_set_new(b, "district", json_string(evil[i]));
		free(body);
		body = json_dumps(b, JSON_COMPACT);
		http_call(&r, "POST", "/v1/sites", token, body, NULL);
		cr_expect_eq(r.status, 422, "%s as district: %ld %s", evil[i], r.status, r.body);
		reply_release(&r);
		/* As credentials: a plain 401. */
		json_t *cred = json_pack("{s:s, s:s}", "email", evil[i], "password", evil[i]);
		char *cb = json_dumps(cred, JSON_COMPACT);
		long st = call_from("127.0.0.3", port(), "POST", "/v1/sessions", NULL, cb, NULL, NULL);
		cr_expect(st == 401 || st == 422, "%s as email: %ld", evil[i], st);
		free(cb);
		json_decref(cred);
		free(body);
		json_decref(b);
	}
	struct reply r;
	http_call(&r, "GET", "/v1/sites?limit=200", token, NULL, NULL);
	cr_expect_eq(r.status, 200, "the sites table is still there");
	reply_release(&r);
	free(token);
}

/* Every write route in the table, fed garbage as two roles: a 4xx (or a 2xx), never a 5xx. */
Test(hostile, every_write_route_refuses_garbage_without_a_500)
{
	start_with(NULL);
	char *tokens[] = { journey_login("office"), journey_login("applicant") };
	char *deep = nested(3000);
	const char *bodies[] = {
		deep,
		"{\"name\":\"\xff\"}",
		"{\"id\":1e999}",
		"{\"x\":\"' OR 1=1 --\",\"name\":\"'; DROP TABLE users; --\"}",
		"[]",
		"{",
		"{\"action\":\"accept\",\"version\":-1,\"items\":[{\"code\":\"'\"}]}",
	};
	int routes = 0;
	for (int i = 0; i < router_count(); i++) {
		const struct route *rt = router_at(i);
		if (strcmp(rt->method, "POST") && strcmp(rt->method, "PUT") &&
		    strcmp(rt->method, "PATCH"))
			continue;
		/* every {param} names nothing, so no shared object can change */
		char path[256];
		size_t k = 0;
		for (const char *p = rt->pattern; *p && k + 12 < sizeof(path);) {
			if (*p == '{') {
				memcpy(path + k, "999999999", 9);
				k += 9;
				p = strchr(p, '}') + 1;
			} else {
				path[k++] = *p++;
			}
		}
		path[k] = 0;
		routes++;
		for (size_t t = 0; t < 2; t++)
			for (size_t b = 0; b < sizeof(bodies) / sizeof(bodies[0]); b++) {
				struct reply r;
				http_call(&r, rt->method, path, tokens[t], bodies[b], NULL);
				cr_expect(r.status >= 200 && r.status < 500 && r.status != 0,
					  "%s %s body #%zu: %ld %.200s", rt->method, path, b,
					  r.status, r.body);
				if (r.status >= 400)
					cr_expect(json_object_get(r.json, "error"),
						  "%s %s: the error envelope", rt->method, path);
				reply_release(&r);
			}
	}
	cr_expect_geq(routes, 20, "the write routes were found in the table (%d)", routes);
	free(deep);
	free(tokens[0]);
	free(tokens[1]);
}

/* ---- rate limits ---------------------------------------------------------------------- */

static long retry_after(const struct reply *r)
{
	char buf[32];
	return reply_header(r, "Retry-After", buf, sizeof(buf)) ? atol(buf) : -1;
}

Test(hostile, public_routes_are_rate_limited_per_address)
{
	start_with((const char *const[]){ "PORTAL_RATE_PUBLIC=2:5", NULL });
	struct reply r;
	for (int i = 0; i < 5; i++) {
		cr_expect_eq(http_call(&r, "GET", "/v1/public/fees", NULL, NULL, NULL), 200,
			     "request %d within the burst", i + 1);
		reply_release(&r);
	}
	cr_assert_eq(http_call(&r, "GET", "/v1/public/fees", NULL, NULL, NULL), 429);
	cr_expect_str_eq(error_code(&r), "rate_limited");
	long wait = retry_after(&r);
	cr_expect(wait >= 1 && wait <= 2, "Retry-After: %ld", wait);
	reply_release(&r);
	/* HTML pages are public too. */
	cr_expect_eq(http_call(&r, "GET", "/fees", NULL, NULL, NULL), 429);
	reply_release(&r);
	/* Signed-in routes are not limited by it. */
	char *token = journey_login("applicant");
	for (int i = 0; i < 10; i++) {
		cr_expect_eq(http_call(&r, "GET", "/v1/me", token, NULL, NULL), 200);
		reply_release(&r);
	}
	free(token);
	sleep((unsigned)wait);
	cr_expect_eq(http_call(&r, "GET", "/v1/public/fees", NULL, NULL, NULL), 200,
		     "served again after Retry-After");
	reply_release(&r);
}

Test(hostile, sign_in_is_rate_limited_per_address)
{
	start_with((const char *const[]){ "PORTAL_RATE_LOGIN=0.5:3", NULL });
	/* a different unknown account each time, so no per-account throttle is involved */
	char wrong[128];
	for (int i = 0; i < 3; i++) {
		snprintf(wrong, sizeof(wrong), "{\"email\":\"nobody%d@demo.test\",\"password\":\"x\"}",
			 i);
		long st = call_from("127.0.0.4", port(), "POST", "/v1/sessions", NULL, wrong, NULL,
				    NULL);
		cr_expect_eq(st, 401, "attempt %d within the burst: %ld", i + 1, st);
	}
	json_t *j = NULL;
	long wait = 0;
	long st = call_from("127.0.0.4", port(), "POST", "/v1/sessions", NULL, wrong, &j, &wait);
	cr_expect_eq(st, 429);
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(j, "error"), "code")),
			 "rate_limited");
	json_decref(j);
	cr_expect(wait >= 1 && wait <= 2, "Retry-After: %ld", wait);
	/* Even the right password waits: the limit is on attempts from the address. */
	st = call_from("127.0.0.4", port(), "POST", "/v1/sessions", NULL,
		       "{\"email\":\"office@demo.test\",\"password\":\"" DEMO "\"}", NULL, NULL);
	cr_expect_eq(st, 429);
	/* Another address is not affected. */
	char *token = journey_login("office");
	free(token);
}

Test(hostile, rate_limit_configuration_is_checked)
{
	static const char *const bad[] = { "fast", "-1", "5:0", "5:x", "1e9", "nan" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("PORTAL_RATE_PUBLIC", bad[i], 1);
		struct error err = ERROR_INIT;
		struct app *app = NULL;
		cr_assert_eq(app_new(&app, &err), 0);
		struct http_limits limits = app_http_limits(app);
		struct http_server *s = http_server_start(app, "127.0.0.1:0", &limits, &err);
		cr_expect_null(s, "PORTAL_RATE_PUBLIC=%s accepted", bad[i]);
		cr_expect_eq(err.code, ERR_INVALID);
		http_server_stop(s);
		error_release(&err);
		app_free(app);
	}
	unsetenv("PORTAL_RATE_PUBLIC");
}

/* ---- HTML ----------------------------------------------------------------------------- */

Test(hostile, html_pages_carry_the_security_headers_and_no_script)
{
	start_with(NULL);
	int pages = 0;
	for (int i = 0; i < router_count(); i++) {
		const struct route *rt = router_at(i);
		if (strcmp(rt->method, "GET") || rt->access != ROUTE_PUBLIC || strchr(rt->pattern, '{'))
			continue;
		for (int lang = 0; lang < 2; lang++) {
			char path[200];
			snprintf(path, sizeof(path), "%s%s", rt->pattern, lang ? "?lang=en" : "");
			struct reply r;
			http_call(&r, "GET", path, NULL, NULL, NULL);
			char ct[128] = "", csp[512] = "", buf[128];
			reply_header(&r, "Content-Type", ct, sizeof(ct));
			if (strncmp(ct, "text/html", 9) != 0) {
				reply_release(&r);
				continue;
			}
			pages++;
			cr_expect(reply_header(&r, "Content-Security-Policy", csp, sizeof(csp)), "%s",
				  path);
			cr_expect(strstr(csp, "default-src 'none'"), "%s: CSP %s", path, csp);
			cr_expect(!strstr(csp, "script-src"), "%s: no script source allowed: %s",
				  path, csp);
			cr_expect(reply_header(&r, "X-Content-Type-Options", buf, sizeof(buf)) &&
					  !strcmp(buf, "nosniff"),
				  "%s", path);
			cr_expect(reply_header(&r, "Referrer-Policy", buf, sizeof(buf)), "%s", path);
			cr_expect(reply_header(&r, "X-Frame-Options", buf, sizeof(buf)), "%s", path);
			cr_expect(!strcasestr(r.body, "<script"), "%s has a script", path);
			cr_expect(!strcasestr(r.body, "javascript:"), "%s has a javascript: URL", path);
			for (const char *p = r.body; (p = strcasestr(p, " on")); p += 3) {
				const char *q = p + 3;
				while (*q >= 'a' && *q <= 'z')
					q++;
				cr_expect(!(q > p + 3 && *q == '=' && strchr(r.body, '<') < p),
					  "%s: an inline event handler near '%.30s'", path, p);
			}
			reply_release(&r);
		}
	}
	cr_expect_geq(pages, 6, "HTML pages checked: %d", pages);
}

/* ---- no secrets in the logs ----------------------------------------------------------- */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return strdup("");
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(m);
	fclose(f);
	return buf;
}

static void child_start(struct child *ch)
{
	memset(ch, 0, sizeof(*ch)); /* the wait below polls until the port is known */
	const char *bin = getenv("PORTAL_PORTAL_BIN");
	cr_assert(bin && access(bin, X_OK) == 0,
		  "PORTAL_PORTAL_BIN must name the built portal binary (scripts/test sets it)");
	harness_db_url();
	const char *tmp = getenv("PORTAL_TEST_TMP");
	snprintf(ch->log, sizeof(ch->log), "%s/hostile-log-%d.txt", tmp ? tmp : "/tmp", getpid());
	ch->pid = fork();
	cr_assert_geq(ch->pid, 0);
	if (ch->pid == 0) {
		int fd = open(ch->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
		setenv("PORTAL_LISTEN", "127.0.0.1:0", 1);
		setenv("PORTAL_THREADS", "2", 1);
		setenv("PORTAL_DISPATCH_THREADS", "1", 1);
		setenv("PORTAL_ACCESS_LOG", "1", 1);
		setenv("PORTAL_ALLOW_PRIVATE_WEBHOOKS", "1", 1);
		setenv("PORTAL_RETRY_SCHEDULE", "0,0.2,0.2", 1);
		execl(bin, "portal", "serve", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200 && !ch->port; i++) {
		usleep(50000);
		char *log = slurp(ch->log);
		const char *s = strstr(log, "\"message\":\"serving\"");
		const char *p = s ? strstr(s, "\"port\":") : NULL;
		if (p)
			ch->port = (unsigned)atoi(p + 7);
		free(log);
	}
	cr_assert(ch->port, "portal serve did not start");
}

static char *child_login(const struct child *ch, const char *email, const char *password)
{
	json_t *b = json_pack("{s:s, s:s}", "email", email, "password", password), *j = NULL;
	char *body = json_dumps(b, JSON_COMPACT);
	long s = child_call(ch, "POST", "/v1/sessions", NULL, body, &j);
	char *token = s == 201 || s == 200 ? strdup(json_string_value(json_object_get(j, "token")))
					   : NULL;
	json_decref(j);
	free(body);
	json_decref(b);
	return token;
}

Test(hostile, logs_hold_no_password_token_key_or_secret)
{
	struct child ch;
	child_start(&ch);
	const char *secrets[32];
	char *owned[32];
	size_t ns = 0, no = 0;
	secrets[ns++] = DEMO;
	secrets[ns++] = "Wrong-But-Secret-9";
	secrets[ns++] = "Invited-Person-Pass-7";

	/* People sign in (and one fails), an API key is made and used. A utility of its own. */
	char email[128];
	long long water_org = harness_make_user("utility", "water", true, email);
	secrets[ns++] = HARNESS_PASSWORD;
	char *office = child_login(&ch, "office@demo.test", DEMO);
	char *water = child_login(&ch, email, HARNESS_PASSWORD);
	cr_assert(office && water);
	cr_expect_null(child_login(&ch, email, "Wrong-But-Secret-9"));
	secrets[ns++] = owned[no++] = office;
	secrets[ns++] = owned[no++] = water;
	json_t *j = NULL;
	char path[128];
	snprintf(path, sizeof(path), "/v1/organisations/%lld/api-keys", water_org);
	cr_assert_eq(child_call(&ch, "POST", path, office, "{\"label\":\"scada\"}", &j), 201);
	char *key = strdup(json_string_value(json_object_get(j, "key")));
	json_decref(j);
	secrets[ns++] = owned[no++] = key;
	cr_expect_eq(child_call(&ch, "GET", "/v1/jobs", key, NULL, NULL), 200);
	cr_expect_eq(child_call(&ch, "GET", "/v1/jobs", "pak_not-a-real-key-but-secret", NULL, NULL),
		     401);
	secrets[ns++] = "pak_not-a-real-key-but-secret";

	/* A webhook endpoint (its secret), a rotation (another), a delivery attempt. */
	snprintf(path, sizeof(path), "/v1/organisations/%lld/endpoint", water_org);
	long put = child_call(&ch, "PUT", path, water, "{\"url\":\"http://127.0.0.1:9/hook\"}", &j);
	cr_assert(put == 200 || put == 201, "endpoint: %ld", put);
	const char *sec = json_string_value(json_object_get(j, "secret"));
	if (sec)
		secrets[ns++] = owned[no++] = strdup(sec);
	json_decref(j);
	snprintf(path, sizeof(path), "/v1/organisations/%lld/endpoint/rotate", water_org);
	if (child_call(&ch, "POST", path, water, "{}", &j) == 200) {
		sec = json_string_value(json_object_get(j, "secret"));
		if (sec)
			secrets[ns++] = owned[no++] = strdup(sec);
	}
	json_decref(j);

	/* An invitation (its token) accepted with a password. */
	snprintf(path, sizeof(path), "/v1/organisations/%lld/users", water_org);
	char invite[200];
	snprintf(invite, sizeof(invite), "{\"email\":\"invitee%d@demo.test\",\"name\":\"I\"}",
		 getpid());
	if (child_call(&ch, "POST", path, water, invite, &j) == 201) {
		const char *t = json_string_value(json_object_get(j, "invitation_token"));
		if (t) {
			secrets[ns++] = owned[no++] = strdup(t);
			char acc[300];
			snprintf(acc, sizeof(acc),
				 "{\"token\":\"%s\",\"password\":\"Invited-Person-Pass-7\"}", t);
			child_call(&ch, "POST", "/v1/invitations/accept", NULL, acc, NULL);
		}
	}
	json_decref(j);
	child_call(&ch, "DELETE", "/v1/sessions/current", office, NULL, NULL);
	usleep(500 * 1000);
	kill(ch.pid, SIGTERM);
	int status;
	waitpid(ch.pid, &status, 0);

	char *log = slurp(ch.log);
	cr_assert(strstr(log, "/v1/sessions"), "the access log was written");
	for (size_t i = 0; i < ns; i++)
		cr_expect(!strstr(log, secrets[i]), "the log contains secret #%zu (%.6s...)", i,
			  secrets[i]);
	cr_expect(!strcasestr(log, "bearer "), "the log contains an Authorization value");
	cr_expect(!strstr(log, "whsec_") && !strstr(log, "whsk_"), "the log contains a webhook key");
	free(log);
	unlink(ch.log);
	for (size_t i = 0; i < no; i++)
		free(owned[i]);
}
