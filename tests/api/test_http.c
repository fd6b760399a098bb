/* The HTTP layer end to end: routing, limits, envelopes, operations endpoints, keep-alive. */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "support/harness.h"

static struct harness_server *srv;
static void setup(void) { srv = harness_server_start(); }
static void teardown(void) { harness_server_stop(srv); }

TestSuite(http, .init = setup, .fini = teardown);

static void assert_envelope(const struct reply *r, const char *code)
{
	cr_assert(r->json, "body is not JSON: %s", r->body);
	json_t *e = json_object_get(r->json, "error");
	cr_assert(json_is_object(e), "no error object: %s", r->body);
	cr_assert_str_eq(json_string_value(json_object_get(e, "code")), code, "%s", r->body);
	cr_assert(json_is_string(json_object_get(e, "message")));
	cr_assert(json_is_array(json_object_get(e, "details")));
}

Test(http, healthz_answers_without_database_work)
{
	struct reply r;
	cr_assert_eq(http_call(&r, "GET", "/healthz", NULL, NULL, NULL), 200);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "ok");
	char id[64];
	cr_assert(reply_header(&r, "X-Request-Id", id, sizeof(id)), "every reply carries an id");
	reply_release(&r);
}

Test(http, readyz_is_ready_when_migrated)
{
	struct reply r;
	cr_assert_eq(http_call(&r, "GET", "/readyz", NULL, NULL, NULL), 200, "%s", r.body);
	cr_assert_str_eq(json_string_value(json_object_get(r.json, "status")), "ready");
	reply_release(&r);
}

Test(http, unknown_route_is_404_with_envelope)
{
	struct reply r;
	cr_assert_eq(http_call(&r, "GET", "/v1/no-such-thing", NULL, NULL, NULL), 404);
	assert_envelope(&r, "not_found");
	reply_release(&r);
}

Test(http, wrong_method_is_405_with_allow)
{
	struct reply r;
	char allow[64];
	cr_assert_eq(http_call(&r, "DELETE", "/healthz", NULL, NULL, NULL), 405);
	cr_assert(reply_header(&r, "Allow", allow, sizeof(allow)));
	cr_assert_str_eq(allow, "GET");
	assert_envelope(&r, "conflict");
	reply_release(&r);
}

Test(http, body_over_the_cap_is_413)
{
	size_t n = 2u << 20; /* default cap is 1 MiB */
	char *big = malloc(n + 1);
	memset(big, 'x', n);
	big[n] = 0;
	struct reply r;
	cr_assert_eq(http_call(&r, "POST", "/v1/sessions", NULL, big, NULL), 413);
	assert_envelope(&r, "payload_too_large");
	reply_release(&r);
	free(big);
}

Test(http, malformed_json_is_400_with_position)
{
	struct reply r;
	cr_assert_eq(http_call(&r, "POST", "/v1/sessions", NULL, "{\"email\": ", NULL), 400);
	assert_envelope(&r, "malformed_request");
	const char *msg = json_string_value(json_object_get(json_object_get(r.json, "error"), "message"));
	cr_assert(strstr(msg, "line"), "message names the position: %s", msg);
	reply_release(&r);
}

Test(http, bad_bodies_are_refused_clearly)
{
	static const struct {
		const char *body;
		long status;
		const char *code;
	} cases[] = {
		{ "[1,2]", 400, "malformed_request" },
		{ "\"just a string\"", 400, "malformed_request" },
		{ "{\"a\":1,\"a\":2}", 400, "malformed_request" },
		{ "{\"email\":\"\xff\xfe\"}", 400, "malformed_request" },
		{ "{\"n\":123456789012345678901234567890}", 400, "malformed_request" },
		{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
		  400, "malformed_request" },
		{ "{\"email\":1,\"password\":[]}", 422, "validation_failed" },
		{ "{\"email\":\"x@y\",\"password\":\"p\",\"admin\":true}", 422, "validation_failed" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct reply r;
		http_call(&r, "POST", "/v1/sessions", NULL, cases[i].body, NULL);
		cr_expect_eq(r.status, cases[i].status, "case %zu: %ld %s", i, r.status, r.body);
		assert_envelope(&r, cases[i].code);
		reply_release(&r);
	}
}

Test(http, validation_lists_every_problem)
{
	struct reply r;
	http_call(&r, "POST", "/v1/sessions", NULL, "{\"email\":1,\"password\":[],\"x\":0}", NULL);
	cr_assert_eq(r.status, 422);
	json_t *d = json_object_get(json_object_get(r.json, "error"), "details");
	cr_assert_eq(json_array_size(d), 3, "all three problems listed: %s", r.body);
	reply_release(&r);
}

Test(http, wrong_content_type_is_415)
{
	struct reply r;
	static const char *const h[] = { "Content-Type: text/plain", NULL };
	/* body sent without our JSON header: the harness only adds it for JSON bodies */
	http_call(&r, "POST", "/v1/sessions", NULL, NULL, h);
	cr_assert_eq(r.status, 415, "%s", r.body);
	assert_envelope(&r, "unsupported_media_type");
	reply_release(&r);
}

Test(http, metrics_count_requests_by_route)
{
	struct reply r;
	http_call(&r, "GET", "/healthz", NULL, NULL, NULL);
	reply_release(&r);
	cr_assert_eq(http_call(&r, "GET", "/metrics", NULL, NULL, NULL), 200);
	cr_assert(strstr(r.body, "portal_http_requests_total{route=\"GET /healthz\",status=\"200\"}"),
		  "%s", r.body);
	cr_assert(strstr(r.body, "portal_http_request_duration_seconds_bucket"));
	cr_assert(strstr(r.body, "portal_db_pool_connections"));
	cr_assert(strstr(r.body, "portal_queued_requests{pool=\"work\"}"), "%s", r.body);
	reply_release(&r);
}

static size_t discard(char *p, size_t s, size_t n, void *u)
{
	(void)p, (void)u;
	return s * n;
}

Test(http, connections_are_kept_alive)
{
	CURL *c = curl_easy_init();
	char url[128];
	snprintf(url, sizeof(url), "%s/healthz", harness_base());
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	long connects = -1;
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(curl_easy_perform(c), CURLE_OK);
		curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
		if (i > 0)
			cr_assert_eq(connects, 0, "request %d opened a new connection", i);
	}
	curl_easy_cleanup(c);
}
