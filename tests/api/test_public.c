/*
 * The public reads over real HTTP: ETag and 304 on each, languages, the 2026 calendar, the
 * estimate with known totals, and the HTML pages (prices with dates and basis, escaping).
 * Each test publishes under a fee kind no other test uses, dated years ahead, so tests running
 * in parallel on the shared database (and what is in force today) do not disturb each other.
 * The harness seeds the demo data first: the SAMPLE schedules are in force from today.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/harness.h"

static struct harness_server *srv;
static void setup(void) { srv = harness_server_start(); }
static void teardown(void) { harness_server_stop(srv); }
TestSuite(public, .init = setup, .fini = teardown);

/* A signed-in admin of a new utility (or authority) of that subkind; its id in *org. */
static char *publisher(const char *kind, const char *subkind, long long *org)
{
	char email[128];
	long long id = harness_make_user(kind, subkind, true, email);
	if (org)
		*org = id;
	return harness_login(email, HARNESS_PASSWORD);
}

/* Drafts and publishes a schedule document; returns the published version. */
static int publish_doc(const char *token, const char *path, const char *doc)
{
	struct reply r;
	char url[128];
	cr_assert_eq(http_call(&r, "POST", path, token, doc, NULL), 201, "%s", r.body);
	long long id = json_integer_value(json_object_get(r.json, "id"));
	reply_release(&r);
	snprintf(url, sizeof(url), "%s/%lld/publish", path, id);
	cr_assert_eq(http_call(&r, "POST", url, token, NULL, NULL), 200, "%s", r.body);
	int version = (int)json_integer_value(json_object_get(r.json, "version"));
	reply_release(&r);
	return version;
}

/* ---------------------------------------------------------------- ETag and 304 */

struct read_case {
	char path[96];
	char type[24];
};

ParameterizedTestParameters(public, etag_and_not_modified)
{
	static struct read_case cases[] = {
		{ "/v1/public/fees", "application/json" },
		{ "/v1/public/fees?utility=water&date=2030-01-01", "application/json" },
		{ "/v1/public/fees/history", "application/json" },
		{ "/v1/public/fees/history?utility=gas", "application/json" },
		{ "/v1/public/fees?utility=water&org=1", "application/json" },
		{ "/v1/public/service-standards", "application/json" },
		{ "/v1/public/service-standards?kind=dig_road&date=2031-02-03", "application/json" },
		{ "/v1/public/calendar", "application/json" },
		{ "/v1/public/calendar?year=2026", "application/json" },
		{ "/v1/public/calendar?year=2027", "application/json" },
		{ "/", "text/html" },
		{ "/fees", "text/html" },
		{ "/fees?utility=heat&date=2037-01-01", "text/html" },
		{ "/standards", "text/html" },
		{ "/standards?lang=en", "text/html" },
	};
	return cr_make_param_array(struct read_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct read_case *c, public, etag_and_not_modified)
{
	struct reply r;
	char etag[64], buf[128], inm[128];
	cr_assert_eq(http_call(&r, "GET", c->path, NULL, NULL, NULL), 200, "%s: %s", c->path,
		     r.body);
	cr_assert_not_null(reply_header(&r, "ETag", etag, sizeof(etag)), "%s: no ETag", c->path);
	cr_expect(etag[0] == '"' && etag[strlen(etag) - 1] == '"', "strong ETag: %s", etag);
	cr_expect_str_eq(reply_header(&r, "Cache-Control", buf, sizeof(buf)),
			 "public, max-age=60");
	cr_expect_str_eq(reply_header(&r, "Vary", buf, sizeof(buf)), "Accept-Language");
	cr_expect_not_null(reply_header(&r, "Content-Language", buf, sizeof(buf)));
	cr_expect(strstr(reply_header(&r, "Content-Type", buf, sizeof(buf)), c->type), "%s", buf);
	cr_expect_gt(r.len, 0);
	reply_release(&r);

	snprintf(inm, sizeof(inm), "If-None-Match: W/\"other\", %s", etag);
	const char *hdr[] = { inm, NULL };
	cr_assert_eq(http_call(&r, "GET", c->path, NULL, NULL, hdr), 304, "%s", c->path);
	cr_expect_eq(r.len, 0, "a 304 has no body");
	cr_expect_str_eq(reply_header(&r, "ETag", buf, sizeof(buf)), etag);
	reply_release(&r);

	const char *stale[] = { "If-None-Match: \"0123\"", NULL };
	cr_expect_eq(http_call(&r, "GET", c->path, NULL, NULL, stale), 200, "%s", c->path);
	reply_release(&r);
}

Test(public, language_follows_accept_language)
{
	struct reply zh, en;
	char a[64], b[64];
	const char *en_hdr[] = { "Accept-Language: fr;q=1, en-GB;q=0.8, zh-CN;q=0.5", NULL };
	cr_assert_eq(http_call(&zh, "GET", "/v1/public/calendar?year=2026", NULL, NULL, NULL), 200);
	cr_assert_eq(http_call(&en, "GET", "/v1/public/calendar?year=2026", NULL, NULL, en_hdr),
		     200);
	cr_expect_str_eq(reply_header(&zh, "Content-Language", a, sizeof(a)), "zh-CN");
	cr_expect_str_eq(reply_header(&en, "Content-Language", b, sizeof(b)), "en");
	json_t *h0 = json_array_get(json_object_get(zh.json, "holidays"), 0);
	json_t *h1 = json_array_get(json_object_get(en.json, "holidays"), 0);
	cr_expect_str_eq(json_string_value(json_object_get(h0, "name")), "元旦");
	cr_expect_str_eq(json_string_value(json_object_get(h1, "name")), "New Year's Day");
	cr_expect_str_eq(json_string_value(json_object_get(h1, "name_zh")), "元旦",
			 "both names are always there");
	cr_expect_str_neq(reply_header(&zh, "ETag", a, sizeof(a)),
			  reply_header(&en, "ETag", b, sizeof(b)), "each language its own ETag");
	reply_release(&zh);
	reply_release(&en);
}

/* ---------------------------------------------------------------- the calendar */

Test(public, calendar_2026_is_the_published_one)
{
	struct reply r;
	cr_assert_eq(http_call(&r, "GET", "/v1/public/calendar?year=2026", NULL, NULL, NULL), 200);
	static const char *const want[][4] = {
		{ "2026-01-01", "2026-01-03", "元旦", "3" },
		{ "2026-02-15", "2026-02-23", "春节", "9" },
		{ "2026-04-04", "2026-04-06", "清明节", "3" },
		{ "2026-05-01", "2026-05-05", "劳动节", "5" },
		{ "2026-06-19", "2026-06-21", "端午节", "3" },
		{ "2026-09-25", "2026-09-27", "中秋节", "3" },
		{ "2026-10-01", "2026-10-07", "国庆节", "7" },
	};
	json_t *h = json_object_get(r.json, "holidays");
	cr_assert_eq(json_array_size(h), 7, "%s", r.body);
	for (size_t i = 0; i < 7; i++) {
		json_t *x = json_array_get(h, i);
		cr_expect_str_eq(json_string_value(json_object_get(x, "from")), want[i][0]);
		cr_expect_str_eq(json_string_value(json_object_get(x, "to")), want[i][1]);
		cr_expect_str_eq(json_string_value(json_object_get(x, "name_zh")), want[i][2]);
		cr_expect_eq(json_integer_value(json_object_get(x, "days")), atoi(want[i][3]));
	}
	static const char *const makeup[] = { "2026-01-04", "2026-02-14", "2026-02-28",
					      "2026-05-09", "2026-09-20", "2026-10-10" };
	json_t *m = json_object_get(r.json, "makeup_working_days");
	cr_assert_eq(json_array_size(m), 6);
	for (size_t i = 0; i < 6; i++)
		cr_expect_str_eq(json_string_value(json_object_get(json_array_get(m, i), "date")),
				 makeup[i]);
	cr_expect_eq(json_integer_value(json_object_get(r.json, "working_days")), 248);
	cr_expect_str_eq(json_string_value(json_object_get(r.json, "cutoff")), "17:00");
	reply_release(&r);
	cr_expect_eq(http_call(&r, "GET", "/v1/public/calendar?year=abc", NULL, NULL, NULL), 422);
	reply_release(&r);
}

/* ---------------------------------------------------------------- the estimate */

static const char network_doc[] =
	"{\"utility_kind\":\"network\",\"effective_from\":\"2035-01-01\",\"items\":["
	"{\"code\":\"N-CONN\",\"name_zh\":\"接入\",\"name_en\":\"Connection\","
	"\"unit\":\"per_connection\",\"unit_price_fen\":0,\"legal_basis\":\"Doc 1\"},"
	"{\"code\":\"N-PORT\",\"name_zh\":\"端口\",\"name_en\":\"Port\",\"unit\":\"per_port\","
	"\"unit_price_fen\":20000,\"legal_basis\":\"Doc 1\"},"
	"{\"code\":\"N-LINE\",\"name_zh\":\"线路\",\"name_en\":\"Line\",\"unit\":\"per_metre\","
	"\"unit_price_fen\":1500,\"conditions\":{\"length_m_min\":1},\"legal_basis\":\"Doc 2\"}]}";

struct est_case {
	char body[300]; /* "@ORG" stands for the organisation that published network_doc */
	long status;
	char lines[120]; /* "CODE:quantity:amount,..." */
	long long total_fen;
	char details[200]; /* for 422: "field:code,..." in order */
};

ParameterizedTestParameters(public, estimate)
{
	static struct est_case cases[] = {
		{ "{\"utility_kinds\":[{\"kind\":\"network\",\"org_id\":@ORG},\"greening\"],"
		  "\"date\":\"2035-02-01\",\"params\":{\"ports\":4,\"length_m\":100}}",
		  200, "N-CONN:1:0,N-PORT:4:80000,N-LINE:100:150000", 230000, "" },
		/* no line to lay: the conditional item drops out */
		{ "{\"utility_kinds\":[{\"kind\":\"network\",\"org_id\":@ORG}],"
		  "\"date\":\"2035-02-01\",\"params\":{\"ports\":1,\"length_m\":0,"
		  "\"connections\":2}}",
		  200, "N-CONN:2:0,N-PORT:1:20000", 20000, "" },
		/* no organisation named: the lowest id with one in force, the sample (no line item) */
		{ "{\"utility_kinds\":[\"network\"],\"date\":\"2035-02-01\","
		  "\"params\":{\"ports\":2,\"length_m\":100}}",
		  200, "N-CONN:1:0,N-PORT:2:40000", 40000, "" },
		/* the day before it, ours has nothing in force: nothing to charge */
		{ "{\"utility_kinds\":[{\"kind\":\"network\",\"org_id\":@ORG}],"
		  "\"date\":\"2034-12-31\",\"params\":{\"ports\":2}}",
		  200, "", 0, "" },
		{ "{\"utility_kinds\":[{\"kind\":\"network\",\"org_id\":@ORG}],"
		  "\"date\":\"2035-02-01\",\"params\":{\"length_m\":5}}",
		  422, "", 0, "params.ports:required" },
		{ "{\"utility_kinds\":[{\"kind\":\"network\",\"org_id\":\"x\"},"
		  "{\"kind\":\"gas\",\"org_id\":@ORG,\"colour\":1},{\"kind\":\"sewer\"}]}",
		  422, "", 0,
		  "utility_kinds[0].org_id:wrong_type,utility_kinds[1].colour:unknown_field,"
		  "utility_kinds[1].org_id:not_published,utility_kinds[2].kind:not_allowed" },
		{ "{\"utility_kinds\":[\"sewer\",\"network\",\"network\"],\"date\":\"2035-02-30\","
		  "\"params\":{\"ports\":-1},\"colour\":1}",
		  422, "", 0,
		  "colour:unknown_field,utility_kinds[0]:not_allowed,utility_kinds[2]:duplicate,"
		  "date:invalid_date,params.ports:negative" },
	};
	return cr_make_param_array(struct est_case, cases, sizeof(cases) / sizeof(cases[0]));
}

/* The organisation that published network_doc: the first case to run publishes it. */
static long long network_publisher(void)
{
	struct reply r;
	cr_assert_eq(http_call(&r, "GET", "/v1/public/fees?utility=network&date=2035-01-01", NULL,
			       NULL, NULL),
		     200);
	long long org = 0;
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(r.json, "schedules"), i, s)
	{
		if (!strcmp(json_string_value(json_object_get(s, "effective_from")), "2035-01-01"))
			org = json_integer_value(json_object_get(s, "organisation_id"));
	}
	reply_release(&r);
	if (!org) {
		char *token = publisher("utility", "network", &org);
		publish_doc(token, "/v1/fee-schedules", network_doc);
		free(token);
	}
	return org;
}

ParameterizedTest(struct est_case *c, public, estimate)
{
	long long org = network_publisher();
	char body[400], num[24];
	snprintf(num, sizeof(num), "%lld", org);
	body[0] = 0;
	for (const char *at = c->body, *next; *at; at = next + 4) {
		next = strstr(at, "@ORG");
		if (!next) {
			strcat(body, at);
			break;
		}
		strncat(body, at, (size_t)(next - at));
		strcat(body, num);
	}
	struct reply r;
	cr_assert_eq(http_call(&r, "POST", "/v1/public/fee-estimate", NULL, body, NULL), c->status,
		     "%s", r.body);
	char got[400] = "";
	if (c->status == 200) {
		size_t i;
		json_t *l;
		json_array_foreach(json_object_get(r.json, "lines"), i, l)
		{
			char one[64];
			snprintf(one, sizeof(one), "%s%s:%lld:%lld", i ? "," : "",
				 json_string_value(json_object_get(l, "code")),
				 (long long)json_integer_value(json_object_get(l, "quantity")),
				 (long long)json_integer_value(json_object_get(l, "amount_fen")));
			strcat(got, one);
		}
		cr_expect_str_eq(got, c->lines);
		cr_expect_eq(json_integer_value(json_object_get(r.json, "total_fen")), c->total_fen);
		if (strstr(c->body, "greening"))
			cr_expect_str_eq(json_string_value(json_array_get(
						 json_object_get(r.json, "no_schedule_in_force"), 0)),
					 "greening");
		/* which organisation priced it: the one named, else the sample's (a lower id) */
		json_t *by = json_array_get(json_object_get(r.json, "organisations"), 0);
		if (c->total_fen == 0)
			cr_expect_null(by, "nothing in force, no organisation: %s", r.body);
		else if (strstr(c->body, "@ORG"))
			cr_expect_eq(json_integer_value(json_object_get(by, "organisation_id")), org);
		else
			cr_expect_lt(json_integer_value(json_object_get(by, "organisation_id")), org);
	} else {
		size_t i;
		json_t *d;
		json_array_foreach(json_object_get(json_object_get(r.json, "error"), "details"), i,
				   d)
		{
			char one[80];
			snprintf(one, sizeof(one), "%s%s:%s", i ? "," : "",
				 json_string_value(json_object_get(d, "field")),
				 json_string_value(json_object_get(d, "code")));
			strcat(got, one);
		}
		cr_expect_str_eq(got, c->details);
	}
	reply_release(&r);
}

/* ---------------------------------------------------------------- HTML pages */

static const char power_doc[] =
	"{\"utility_kind\":\"power\",\"effective_from\":\"2036-01-01\",\"items\":["
	"{\"code\":\"P-LV\",\"name_zh\":\"低压接入<script>alert(1)</script>\","
	"\"name_en\":\"Low voltage <script>alert(1)</script>\",\"unit\":\"per_kw\","
	"\"unit_price_fen\":123456,\"conditions\":{\"kw_min\":0,\"kw_max\":160},"
	"\"legal_basis\":\"Notice <b>No. 7</b> & \\\"annex\\\"\"}]}";

Test(public, fee_page_shows_price_date_and_basis_escaped)
{
	long long org = 0;
	char *token = publisher("utility", "power", &org);
	publish_doc(token, "/v1/fee-schedules", power_doc);
	struct reply r;
	char buf[200];
	cr_assert_eq(http_call(&r, "GET", "/fees?utility=power&date=2036-01-02&lang=en", NULL,
			       NULL, NULL),
		     200);
	cr_expect(strstr(r.body, "¥1,234.56"), "the price");
	cr_expect(strstr(r.body, "from 2036-01-01, no end date"), "the effective date");
	cr_expect(strstr(r.body, "Notice &lt;b&gt;No. 7&lt;/b&gt; &amp; &quot;annex&quot;"),
		  "the legal basis, escaped");
	cr_expect(strstr(r.body, "Low voltage &lt;script&gt;alert(1)&lt;/script&gt;"));
	cr_expect_null(strstr(r.body, "<script"), "no markup from the data gets through");
	cr_expect(strstr(r.body, "kW 0–160"), "the condition");
	cr_expect_str_eq(reply_header(&r, "Content-Security-Policy", buf, sizeof(buf)),
			 "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:");
	cr_expect_str_eq(reply_header(&r, "Referrer-Policy", buf, sizeof(buf)), "no-referrer");
	cr_expect_str_eq(reply_header(&r, "X-Content-Type-Options", buf, sizeof(buf)), "nosniff");
	reply_release(&r);

	/* before it takes effect the page does not show it; the JSON agrees */
	cr_assert_eq(http_call(&r, "GET", "/fees?utility=power&date=2035-12-31", NULL, NULL, NULL),
		     200);
	cr_expect_null(strstr(r.body, "1,234.56"));
	reply_release(&r);
	char path[128];
	snprintf(path, sizeof(path), "/v1/public/fees?utility=power&org=%lld&date=2036-01-02", org);
	cr_assert_eq(http_call(&r, "GET", path, NULL, NULL, NULL), 200);
	json_t *item = json_array_get(
		json_object_get(json_array_get(json_object_get(r.json, "schedules"), 0), "items"), 0);
	cr_expect_eq(json_integer_value(json_object_get(item, "unit_price_fen")), 123456);
	cr_expect_str_eq(json_string_value(json_object_get(item, "effective_from")), "2036-01-01");
	reply_release(&r);

	/* the pre-rendered pages answer too, in both languages */
	const char *zh[] = { "Accept-Language: zh-CN", NULL };
	cr_assert_eq(http_call(&r, "GET", "/standards", NULL, NULL, zh), 200);
	cr_expect(strstr(r.body, "<html lang=\"zh-CN\">"));
	cr_expect(strstr(r.body, "服务标准"));
	reply_release(&r);
	cr_assert_eq(http_call(&r, "GET", "/?lang=en", NULL, NULL, NULL), 200);
	cr_expect(strstr(r.body, "Working-day calendar"));
	reply_release(&r);
	free(token);
}

Test(public, bad_query_parameters_are_listed_together)
{
	struct reply r;
	cr_assert_eq(http_call(&r, "GET", "/v1/public/fees?utility=sewer&date=2026-13-01&org=x1",
			       NULL, NULL, NULL),
		     422);
	cr_expect_eq(json_array_size(json_object_get(json_object_get(r.json, "error"), "details")),
		     3, "%s", r.body);
	reply_release(&r);
}
