/*
 * portal/openapi.yaml against the router: every routed method + path is described, and every
 * described one is routed. The document's `paths:` section is read by a small purpose-built
 * reader (path keys at two spaces, method keys at four), tested here on its own first.
 * Also: GET /v1/openapi.yaml serves the file with an ETag and answers 304 to it.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/router.h"
#include "support/harness.h"
#include "support/journey.h"
#include "lib/xalloc.h"

#define MAX_OPS 512

/* "METHOD /path" strings, as the router names routes. */
struct ops {
	char *op[MAX_OPS];
	int n;
};

static void ops_release(struct ops *o)
{
	for (int i = 0; i < o->n; i++)
		free(o->op[i]);
	o->n = 0;
}

static bool ops_has(const struct ops *o, const char *op)
{
	for (int i = 0; i < o->n; i++)
		if (!strcmp(o->op[i], op))
			return true;
	return false;
}

static const char *const http_methods[] = { "get", "put", "post", "delete", "patch",
					    "head", "options", "trace", NULL };

/* Leading spaces of a line, or -1 for a blank or comment-only line. */
static int indent_of(const char *line, size_t len)
{
	size_t i = 0;
	while (i < len && line[i] == ' ')
		i++;
	if (i == len || line[i] == '#' || line[i] == '\r')
		return -1;
	return (int)i;
}

/* The key of a "key:" line (after the indentation), unquoted, into out; false if none. */
static bool key_of(const char *s, size_t len, char *out, size_t outlen)
{
	const char *colon = NULL;
	char q = (*s == '\'' || *s == '"') ? *s : 0;
	if (q) {
		const char *end = memchr(s + 1, q, len - 1);
		if (!end || (size_t)(end - s) + 1 >= len || end[1] != ':')
			return false;
		snprintf(out, outlen, "%.*s", (int)(end - s - 1), s + 1);
		return true;
	}
	for (size_t i = 0; i < len; i++)
		if (s[i] == ':' && (i + 1 == len || s[i + 1] == ' ' || s[i + 1] == '\r')) {
			colon = s + i;
			break;
		}
	if (!colon)
		return false;
	snprintf(out, outlen, "%.*s", (int)(colon - s), s);
	return true;
}

/*
 * Reads the operations of the `paths:` section of an OpenAPI YAML text: a path key is a line
 * indented by exactly two spaces, a method key one indented by exactly four whose key is an
 * HTTP method (so path-level `parameters:` is skipped). The section ends at the next line
 * indented by zero. Fills o with "GET /path" entries; returns how many.
 */
static int read_paths(const char *text, struct ops *o)
{
	bool in_paths = false;
	char path[512] = "";
	for (const char *line = text; line && *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		int ind = indent_of(line, len);
		char key[512];
		if (ind == 0) {
			in_paths = key_of(line, len, key, sizeof(key)) && !strcmp(key, "paths");
			path[0] = 0;
		} else if (in_paths && ind == 2 && key_of(line + 2, len - 2, key, sizeof(key))) {
			snprintf(path, sizeof(path), "%s", key);
		} else if (in_paths && ind == 4 && path[0] &&
			   key_of(line + 4, len - 4, key, sizeof(key))) {
			for (const char *const *m = http_methods; *m; m++) {
				if (strcmp(*m, key) != 0 || o->n == MAX_OPS)
					continue;
				char *op = xasprintf("%s %s", key, path);
				for (char *p = op; *p != ' '; p++)
					*p = (char)(*p - 'a' + 'A');
				o->op[o->n++] = op;
			}
		}
		line = eol ? eol + 1 : NULL;
	}
	return o->n;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	cr_assert(f, "cannot open %s", path);
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(f);
	fclose(m);
	return buf;
}

static char *document(void)
{
	return slurp(PORTAL_SOURCE_DIR "/portal/openapi.yaml");
}

/* ---------------------------------------------------------------- the reader itself */

/* Inline arrays, not pointers: Criterion runs each case in a new process image. */
struct reader_case {
	char yaml[160];
	char want[64]; /* the operations found, joined with ';' */
};

static struct reader_case reader_cases[] = {
	{ "paths:\n  /a:\n    get:\n      x: 1\n    post:\n", "GET /a;POST /a" },
	{ "openapi: 3.1.0\npaths:\n  /a/{id}:\n    parameters:\n      - $ref: x\n    delete:\n",
	  "DELETE /a/{id}" },
	{ "paths:\n  '/quoted':\n    put:\n  \"/dq\":\n    patch:\n", "PUT /quoted;PATCH /dq" },
	{ "paths:\n  # a comment\n\n  /a:\n    get:\ncomponents:\n  /b:\n    get:\n", "GET /a" },
	{ "info:\n  /x:\n    get:\npaths:\n  /:\n    get: { }\n", "GET /" },
	{ "paths:\n  /a:\n      get:\n    summary: not a method\n", "" },
	{ "paths: {}\n", "" },
};

ParameterizedTestParameters(openapi, reader)
{
	return cr_make_param_array(struct reader_case, reader_cases,
				   sizeof(reader_cases) / sizeof(reader_cases[0]));
}

ParameterizedTest(struct reader_case *c, openapi, reader)
{
	struct ops o = { 0 };
	read_paths(c->yaml, &o);
	char got[512] = "";
	for (int i = 0; i < o.n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? ";" : "",
			 o.op[i]);
	cr_assert_str_eq(got, c->want, "yaml:\n%s", c->yaml);
	ops_release(&o);
}

/* ---------------------------------------------------------------- document vs router */

Test(openapi, every_routed_route_is_described)
{
	char *text = document();
	struct ops doc = { 0 };
	cr_assert_gt(read_paths(text, &doc), 50, "the reader found too few operations");
	router_init();
	char missing[8192] = "";
	int nmissing = 0;
	for (int i = 0; i < router_count(); i++) {
		const struct route *r = router_at(i);
		char op[600];
		snprintf(op, sizeof(op), "%s %s", r->method, r->pattern);
		if (!ops_has(&doc, op)) {
			nmissing++;
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing),
				 "\n  %s", op);
		}
	}
	cr_assert_eq(nmissing, 0, "%d route(s) of the router are not in portal/openapi.yaml:%s",
		     nmissing, missing);
	ops_release(&doc);
	free(text);
}

Test(openapi, every_described_route_is_routed)
{
	char *text = document();
	struct ops doc = { 0 };
	read_paths(text, &doc);
	struct ops routed = { 0 };
	router_init();
	for (int i = 0; i < router_count() && routed.n < MAX_OPS; i++)
		routed.op[routed.n++] =
			xasprintf("%s %s", router_at(i)->method, router_at(i)->pattern);
	char extra[8192] = "";
	int nextra = 0;
	for (int i = 0; i < doc.n; i++)
		if (!ops_has(&routed, doc.op[i])) {
			nextra++;
			snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra), "\n  %s",
				 doc.op[i]);
		}
	cr_assert_eq(nextra, 0, "portal/openapi.yaml describes %d route(s) the router lacks:%s",
		     nextra, extra);
	ops_release(&doc);
	ops_release(&routed);
	free(text);
}

Test(openapi, no_operation_is_described_twice)
{
	char *text = document();
	struct ops doc = { 0 };
	read_paths(text, &doc);
	for (int i = 0; i < doc.n; i++)
		for (int j = i + 1; j < doc.n; j++)
			cr_assert_str_neq(doc.op[i], doc.op[j], "described twice: %s", doc.op[i]);
	ops_release(&doc);
	free(text);
}

/* ---------------------------------------------------------------- serving it */

Test(openapi, served_with_etag_and_304, .timeout = 30)
{
	struct harness_server *srv = harness_server_start();
	struct reply r;
	http_call(&r, "GET", "/v1/openapi.yaml", NULL, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s", r.body);
	char *text = document();
	cr_assert_eq(r.len, strlen(text), "the file as it is");
	cr_assert(!memcmp(r.body, text, r.len));
	free(text);
	char etag[80], cc[80], ct[80];
	cr_assert(reply_header(&r, "ETag", etag, sizeof(etag)));
	cr_assert(reply_header(&r, "Cache-Control", cc, sizeof(cc)) && strstr(cc, "public"));
	cr_assert(reply_header(&r, "Content-Type", ct, sizeof(ct)) && strstr(ct, "yaml"));
	reply_release(&r);

	char inm[120];
	snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
	const char *const h[] = { inm, NULL };
	http_call(&r, "GET", "/v1/openapi.yaml", NULL, NULL, h);
	cr_assert_eq(r.status, 304);
	cr_assert_eq(r.len, 0);
	reply_release(&r);
	harness_server_stop(srv);
}

/* ---------------------------------------------------------------- what replies say */

/*
 * The documented statuses of the operation with operationId `op`: the quoted keys under its
 * `responses:`, joined with ','. The operation's block ends at the next line indented no deeper
 * than its method key (four spaces).
 */
static void documented_statuses(const char *text, const char *op, char *out, size_t len)
{
	char needle[128];
	snprintf(needle, sizeof(needle), "operationId: %s\n", op);
	const char *at = strstr(text, needle);
	cr_assert(at, "no operation %s", op);
	out[0] = '\0';
	int responses_indent = -1;
	for (const char *line = strchr(at, '\n') + 1; *line;) {
		const char *eol = strchr(line, '\n');
		size_t n = eol ? (size_t)(eol - line) : strlen(line);
		int indent = indent_of(line, n);
		if (indent >= 0 && indent <= 4)
			break;
		char key[64];
		if (indent >= 0 && key_of(line + indent, n - indent, key, sizeof(key))) {
			if (!strcmp(key, "responses"))
				responses_indent = indent;
			else if (responses_indent >= 0 && indent <= responses_indent)
				responses_indent = -1;
			else if (responses_indent >= 0 && indent == responses_indent + 2)
				snprintf(out + strlen(out), len - strlen(out), "%s%s", out[0] ? "," : "",
					 key);
		}
		line = eol ? eol + 1 : line + n;
	}
}

/*
 * A replayed submission answers what the document says: the first result's status (201, the
 * only success listed) with Idempotent-Replayed: true, also documented there.
 */
Test(openapi, an_idempotent_replay_answers_the_documented_status, .timeout = 60)
{
	char *text = document();
	char statuses[256];
	documented_statuses(text, "submitApplication", statuses, sizeof(statuses));
	cr_assert(strstr(statuses, "201"), "%s", statuses);
	for (char *p = statuses; *p; p++)
		cr_expect(!(p[0] == '2' && (p == statuses || p[-1] == ',') && strncmp(p, "201", 3)),
			  "a second success status is documented: %s", statuses);
	const char *op = strstr(text, "operationId: submitApplication");
	const char *created = strstr(op, "'201':");
	const char *next = strstr(created, "'400':");
	const char *hdr = strstr(created, "Idempotent-Replayed:");
	cr_expect(hdr && hdr < next, "the 201 documents the Idempotent-Replayed header");

	struct harness_server *srv = harness_server_start();
	char *tok = harness_login("applicant@demo.test", "demo-password-1");
	json_t *site = journey_call("POST", "/v1/sites", tok,
				    "{\"name\":\"Replay\",\"address\":\"1 Road\",\"district\":"
				    "\"350102\",\"lat\":26.1,\"lng\":119.25,\"zone_risk\":\"medium\"}",
				    201);
	json_t *materials = journey_upload_required(tok);
	char *m = json_dumps(materials, JSON_COMPACT);
	char *body = xasprintf("{\"site_id\":%lld,\"utilities\":{\"network\":{\"bandwidth_mbps\":"
			       "100,\"ports\":2}},\"providers\":{\"network\":%lld},\"materials\":%s}",
			       (long long)json_integer_value(json_object_get(site, "id")),
			       journey_org(JOURNEY_CARRIER), m);
	char key[64];
	snprintf(key, sizeof(key), "Idempotency-Key: replay-%d", harness_unique());
	const char *const headers[] = { key, NULL };
	struct reply first, again;
	http_call(&first, "POST", "/v1/applications", tok, body, headers);
	http_call(&again, "POST", "/v1/applications", tok, body, headers);
	char flag[16];
	cr_expect_eq(first.status, 201, "%s", first.body);
	cr_expect_null(reply_header(&first, "Idempotent-Replayed", flag, sizeof(flag)));
	cr_expect_eq(again.status, 201, "the replay answers the documented status: %s", again.body);
	cr_expect(reply_header(&again, "Idempotent-Replayed", flag, sizeof(flag)) &&
			  !strcmp(flag, "true"),
		  "marked as a replay");
	cr_expect_str_eq(again.body, first.body, "the same body");
	reply_release(&first);
	reply_release(&again);
	free(body);
	free(m);
	json_decref(materials);
	json_decref(site);
	free(tok);
	free(text);
	harness_server_stop(srv);
}
