/*
 * Publishing over real HTTP: drafts, validation listing every problem, immutability (API and
 * database triggers), supersession from the effective date, history, audit, other
 * organisations' drafts, the calendar, and snapshots refreshed from another instance.
 * Each test uses a fee kind no other test publishes, dated years ahead (see test_public.c).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/db.h"
#include "store/published.h"
#include "support/harness.h"
#include "workflows/calendar.h"

static struct harness_server *srv;
static void setup(void) { srv = harness_server_start(); }
static void teardown(void) { harness_server_stop(srv); }
TestSuite(publish, .init = setup, .fini = teardown);

static char *admin_of(const char *kind, const char *subkind, long long *org)
{
	char email[128];
	long long o = harness_make_user(kind, subkind, true, email);
	if (org)
		*org = o;
	return harness_login(email, HARNESS_PASSWORD);
}

/* A one-item schedule of kind from `from`, at price fen. Caller frees. */
static char *schedule(const char *kind, const char *from, long long fen)
{
	char *s;
	cr_assert(asprintf(&s,
			   "{\"utility_kind\":\"%s\",\"effective_from\":\"%s\",\"items\":["
			   "{\"code\":\"C-1\",\"name_zh\":\"接入费\",\"name_en\":\"Connection\","
			   "\"unit\":\"per_connection\",\"unit_price_fen\":%lld,"
			   "\"legal_basis\":\"Notice %lld\"}]}",
			   kind, from, fen, fen) > 0);
	return s;
}

static long long draft(const char *token, const char *doc)
{
	struct reply r;
	cr_assert_eq(http_call(&r, "POST", "/v1/fee-schedules", token, doc, NULL), 201, "%s",
		     r.body);
	long long id = json_integer_value(json_object_get(r.json, "id"));
	cr_expect_str_eq(json_string_value(json_object_get(r.json, "status")), "draft");
	cr_expect(json_is_null(json_object_get(r.json, "version")));
	reply_release(&r);
	return id;
}

static long publish(const char *token, long long id, struct reply *r)
{
	char path[96];
	snprintf(path, sizeof(path), "/v1/fee-schedules/%lld/publish", id);
	return http_call(r, "POST", path, token, NULL, NULL);
}

static int publish_ok(const char *token, const char *doc)
{
	struct reply r;
	long long id = draft(token, doc);
	cr_assert_eq(publish(token, id, &r), 200, "%s", r.body);
	int v = (int)json_integer_value(json_object_get(r.json, "version"));
	reply_release(&r);
	return v;
}

/*
 * The unit price organisation org has in force for kind on date, or -1 when nothing is (fee
 * schedules are per organisation: another's of the same kind does not count).
 */
static long long price_on(const char *kind, long long org, const char *date)
{
	char path[160];
	struct reply r;
	snprintf(path, sizeof(path), "/v1/public/fees?utility=%s&org=%lld&date=%s", kind, org,
		 date);
	cr_assert_eq(http_call(&r, "GET", path, NULL, NULL, NULL), 200, "%s", r.body);
	json_t *s = json_array_get(json_object_get(r.json, "schedules"), 0);
	json_t *it = json_array_get(json_object_get(s, "items"), 0);
	long long fen = it ? json_integer_value(json_object_get(it, "unit_price_fen")) : -1;
	reply_release(&r);
	return fen;
}

static void day_string(int offset, char out[11])
{
	cal_day_format(cal_day_of_instant((int64_t)time(NULL)) + offset, out);
}

Test(publish, a_future_schedule_changes_the_public_fees_from_its_date_on)
{
	long long org = 0;
	char *token = admin_of("utility", "gas", &org);
	char d1[11], d2[11], before1[11], before2[11];
	day_string(400, d1);
	day_string(430, d2);
	day_string(399, before1);
	day_string(429, before2);
	char *a = schedule("gas", d1, 1000), *b = schedule("gas", d2, 2000);
	cr_expect_eq(publish_ok(token, a), 1, "this company's first version");
	cr_expect_eq(price_on("gas", org, before1), -1, "nothing of ours the day before");
	cr_expect_eq(price_on("gas", org, d1), 1000);
	cr_expect_eq(price_on("gas", org, d2), 1000, "the second version is not published yet");
	cr_expect_eq(publish_ok(token, b), 2);
	cr_expect_eq(price_on("gas", org, before2), 1000, "the day before it takes effect");
	cr_expect_eq(price_on("gas", org, d2), 2000, "from its effective date on");
	cr_expect_eq(price_on("gas", org, "2099-01-01"), 2000);

	/* the harness's sample gas company is another organisation: its schedule stays in force */
	char path[128];
	struct reply r;
	snprintf(path, sizeof(path), "/v1/public/fees?utility=gas&date=%s", d2);
	cr_assert_eq(http_call(&r, "GET", path, NULL, NULL, NULL), 200);
	json_t *list = json_object_get(r.json, "schedules");
	cr_assert_eq(json_array_size(list), 2, "%s", r.body);
	json_t *sample = json_array_get(list, 0), *ours = json_array_get(list, 1);
	cr_expect_lt(json_integer_value(json_object_get(sample, "organisation_id")), org,
		     "organisations by id");
	cr_expect_eq(json_integer_value(json_object_get(ours, "organisation_id")), org);
	cr_expect_eq(json_integer_value(json_object_get(ours, "version")), 2);
	cr_expect_neq(json_integer_value(json_object_get(
			      json_array_get(json_object_get(sample, "items"), 0), "unit_price_fen")),
		      2000);
	reply_release(&r);
	free(a);
	free(b);
	free(token);
}

Test(publish, supersession_follows_the_effective_date_and_history_keeps_every_version)
{
	long long org = 0;
	char *token = admin_of("utility", "heat", &org);
	char *v1 = schedule("heat", "2037-01-01", 100), *v2 = schedule("heat", "2037-06-01", 200),
	     *v3 = schedule("heat", "2037-03-01", 300);
	int n1 = publish_ok(token, v1), n2 = publish_ok(token, v2), n3 = publish_ok(token, v3);
	cr_expect_eq(n1, 1, "numbered per organisation: the sample heat company's do not count");
	cr_expect_eq(n2, n1 + 1);
	cr_expect_eq(n3, n1 + 2, "versions are numbered in publication order");
	/* the latest effective date on or before the day wins, whatever the version number */
	cr_expect_eq(price_on("heat", org, "2037-02-28"), 100);
	cr_expect_eq(price_on("heat", org, "2037-03-01"), 300);
	cr_expect_eq(price_on("heat", org, "2037-05-31"), 300);
	cr_expect_eq(price_on("heat", org, "2037-06-01"), 200);

	struct reply r;
	cr_assert_eq(http_call(&r, "GET", "/v1/public/fees/history?utility=heat", NULL, NULL, NULL),
		     200);
	json_t *list = json_object_get(r.json, "schedules");
	/* the sample version the harness seeded (a lower organisation id), then ours newest first */
	cr_assert_eq(json_array_size(list), 4, "%s", r.body);
	cr_expect_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "status")),
			 "in_force");
	int want[] = { n3, n2, n1 };
	for (size_t i = 0; i < 3; i++) {
		json_t *s = json_array_get(list, i + 1);
		cr_expect_eq(json_integer_value(json_object_get(s, "version")), want[i]);
		cr_expect_str_eq(json_string_value(json_object_get(s, "status")), "upcoming");
		cr_expect_str_eq(json_string_value(json_object_get(s, "utility_kind")), "heat");
		cr_expect_eq(json_integer_value(json_object_get(s, "organisation_id")), org);
	}
	reply_release(&r);
	/* on 2037-06-01, statuses among our own versions; the sample company's stays in force */
	char path[128];
	snprintf(path, sizeof(path), "/v1/public/fees/history?utility=heat&org=%lld&date=2037-06-01",
		 org);
	cr_assert_eq(http_call(&r, "GET", path, NULL, NULL, NULL), 200);
	list = json_object_get(r.json, "schedules");
	cr_assert_eq(json_array_size(list), 3, "%s", r.body);
	const char *status[] = { "superseded", "in_force", "superseded" };
	for (size_t i = 0; i < 3; i++)
		cr_expect_str_eq(json_string_value(json_object_get(json_array_get(list, i), "status")),
				 status[i], "version %d", want[i]);
	reply_release(&r);
	cr_assert_eq(http_call(&r, "GET", "/v1/public/fees/history?utility=heat&date=2037-06-01",
			       NULL, NULL, NULL),
		     200);
	cr_expect_str_eq(json_string_value(json_object_get(
				 json_array_get(json_object_get(r.json, "schedules"), 0), "status")),
			 "in_force", "%s", r.body);
	reply_release(&r);
	free(v1);
	free(v2);
	free(v3);
	free(token);
}

static const char SQL_UPDATE_BODY[] = "UPDATE fee_schedules SET body = '{}' WHERE id = ?";
static const char SQL_DELETE[] = "DELETE FROM fee_schedules WHERE id = ?";
static const char SQL_BODY[] = "SELECT body FROM fee_schedules WHERE id = ?";
static const char SQL_AUDIT[] =
	"SELECT COUNT(*) FROM audit_log WHERE action = 'fees.publish' AND object_id = ?";

Test(publish, a_published_schedule_is_immutable)
{
	long long org = 0;
	char *token = admin_of("authority", "planning", &org);
	char *doc = schedule("planning", "2038-01-01", 500);
	long long id = draft(token, doc);
	struct reply r;
	char path[96];
	snprintf(path, sizeof(path), "/v1/fee-schedules/%lld", id);
	char *changed = schedule("planning", "2038-01-01", 600);
	cr_assert_eq(http_call(&r, "PUT", path, token, changed, NULL), 200, "a draft may change");
	reply_release(&r);
	cr_assert_eq(publish(token, id, &r), 200, "%s", r.body);
	reply_release(&r);
	cr_expect_eq(price_on("planning", org, "2038-01-01"), 600);

	cr_expect_eq(http_call(&r, "PUT", path, token, doc, NULL), 409, "%s", r.body);
	reply_release(&r);
	cr_expect_eq(publish(token, id, &r), 409, "published once only");
	reply_release(&r);

	/* the database refuses too, whoever asks */
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	struct store_param p[] = { P_INT(id) };
	struct error err = ERROR_INIT;
	cr_expect_neq(store_run(c, SQL_UPDATE_BODY, p, 1, NULL, NULL, &err), 0);
	cr_expect(strstr(err.message, "immutable"), "%s", err.message);
	error_release(&err);
	cr_expect_neq(store_run(c, SQL_DELETE, p, 1, NULL, NULL, &err), 0);
	error_release(&err);
	struct store_result *res = NULL;
	cr_assert_eq(store_exec(c, SQL_BODY, p, 1, &res, NULL), 0);
	cr_expect(strstr(store_cell(res, 0, 0), "\"unit_price_fen\":600"), "unchanged");
	store_result_free(res);
	char idbuf[24];
	snprintf(idbuf, sizeof(idbuf), "%lld", id);
	struct store_param a[] = { P_STR(idbuf) };
	cr_assert_eq(store_exec(c, SQL_AUDIT, a, 1, &res, NULL), 0);
	cr_expect_eq(store_cell_ll(res, 0, 0, 0), 1, "the publication is in the audit log");
	store_result_free(res);
	store_release(c);
	free(doc);
	free(changed);
	free(token);
}

/* Field:code of every detail of an error reply, in order. */
static void details(const struct reply *r, char *out, size_t n)
{
	size_t i;
	json_t *d;
	out[0] = 0;
	json_array_foreach(json_object_get(json_object_get(r->json, "error"), "details"), i, d)
	{
		char one[120];
		snprintf(one, sizeof(one), "%s%s:%s", i ? "," : "",
			 json_string_value(json_object_get(d, "field")),
			 json_string_value(json_object_get(d, "code")));
		strncat(out, one, n - strlen(out) - 1);
	}
}

Test(publish, every_problem_is_listed_at_once)
{
	char *token = admin_of("utility", "water", NULL);
	struct reply r;
	char got[1024];
	/* shape: several problems in one request */
	cr_assert_eq(http_call(&r, "POST", "/v1/fee-schedules", token,
			       "{\"utility_kind\":\"power\",\"version\":3,\"effective_from\":\"x\","
			       "\"items\":[{\"code\":\"A\",\"unit_price_fen\":\"1\"}]}",
			       NULL),
		     422);
	details(&r, got, sizeof(got));
	cr_expect_str_eq(got,
			 "version:not_allowed,effective_from:invalid_date,items[0].name_zh:required,"
			 "items[0].unit:required,items[0].unit_price_fen:wrong_type,"
			 "items[0].legal_basis:required",
			 "%s", got);
	reply_release(&r);

	/* rules: a draft may have problems (listed on it); publishing refuses and lists them all */
	long long id = draft(token,
			     "{\"utility_kind\":\"water\",\"effective_from\":\"2020-01-01\",\"items\":["
			     "{\"code\":\"A\",\"name_zh\":\"a\",\"unit\":\"per_litre\","
			     "\"unit_price_fen\":-5,\"legal_basis\":\"b\"},"
			     "{\"code\":\"B\",\"name_zh\":\"b\",\"unit\":\"per_dn_band\","
			     "\"unit_price_fen\":5,\"legal_basis\":\"b\"}]}");
	cr_assert_eq(publish(token, id, &r), 422);
	details(&r, got, sizeof(got));
	cr_expect_str_eq(got,
			 "effective_from:in_the_past,items[0].unit:unknown_unit,"
			 "items[0].unit_price_fen:negative,items[0].effective_from:in_the_past,"
			 "items[1].effective_from:in_the_past,items[1].conditions:band_missing",
			 "%s", got);
	reply_release(&r);
	char path[64];
	snprintf(path, sizeof(path), "/v1/fee-schedules/%lld", id);
	cr_assert_eq(http_call(&r, "GET", path, token, NULL, NULL), 200);
	cr_expect_eq(json_array_size(json_object_get(r.json, "problems")), 6);
	cr_expect_str_eq(json_string_value(json_object_get(r.json, "status")), "draft");
	reply_release(&r);
	free(token);
}

Test(publish, another_organisations_draft_is_not_there)
{
	long long org_a = 0;
	char *a = admin_of("utility", "water", &org_a), *b = admin_of("utility", "water", NULL);
	char *doc = schedule("water", "2039-01-01", 1);
	long long id = draft(a, doc);
	char path[96];
	struct reply r;
	snprintf(path, sizeof(path), "/v1/fee-schedules/%lld", id);
	cr_expect_eq(http_call(&r, "GET", path, b, NULL, NULL), 404);
	reply_release(&r);
	cr_expect_eq(http_call(&r, "PUT", path, b, doc, NULL), 404);
	reply_release(&r);
	cr_expect_eq(publish(b, id, &r), 404);
	reply_release(&r);
	/* nor may it draft in the other's name */
	char *named;
	cr_assert(asprintf(&named, "{\"org_id\":%lld,%s", org_a, doc + 1) > 0);
	cr_expect_eq(http_call(&r, "POST", "/v1/fee-schedules", b, named, NULL), 404, "%s", r.body);
	reply_release(&r);
	/* its list holds only its own */
	cr_assert_eq(http_call(&r, "GET", "/v1/fee-schedules", b, NULL, NULL), 200);
	cr_expect_eq(json_array_size(json_object_get(r.json, "items")), 0);
	reply_release(&r);
	cr_assert_eq(http_call(&r, "GET", "/v1/fee-schedules", a, NULL, NULL), 200);
	cr_expect_eq(json_array_size(json_object_get(r.json, "items")), 1);
	reply_release(&r);
	/* a utility publishes its own kind only */
	char *power = schedule("power", "2039-01-01", 1);
	cr_expect_eq(http_call(&r, "POST", "/v1/fee-schedules", a, power, NULL), 422);
	reply_release(&r);
	free(power);
	free(named);
	free(doc);
	free(a);
	free(b);
}

static const char standard_doc[] =
	"{\"kind\":\"network\",\"effective_from\":\"2040-01-01\",\"name_zh\":\"网络\","
	"\"stages\":[{\"code\":\"accept\",\"name_zh\":\"受理\",\"limit_days\":1},"
	"{\"code\":\"survey\",\"name_zh\":\"勘察\",\"limit_days\":2},"
	"{\"code\":\"plan\",\"name_zh\":\"方案\",\"limit_days\":2},"
	"{\"code\":\"construct\",\"name_zh\":\"施工\",\"limit_days\":%d},"
	"{\"code\":\"complete\",\"name_zh\":\"竣工\",\"limit_days\":1}]}";

Test(publish, the_office_publishes_service_standards)
{
	char *office = admin_of("office", NULL, NULL);
	char doc[1024];
	snprintf(doc, sizeof(doc), standard_doc, 7);
	struct reply r;
	cr_assert_eq(http_call(&r, "POST", "/v1/service-standards", office, doc, NULL), 201, "%s",
		     r.body);
	long long id = json_integer_value(json_object_get(r.json, "id"));
	reply_release(&r);
	char path[96];
	snprintf(path, sizeof(path), "/v1/service-standards/%lld/publish", id);
	cr_assert_eq(http_call(&r, "POST", path, office, NULL, NULL), 200, "%s", r.body);
	reply_release(&r);
	cr_expect_eq(http_call(&r, "POST", path, office, NULL, NULL), 409);
	reply_release(&r);
	cr_assert_eq(http_call(&r, "GET", "/v1/public/service-standards?kind=network&date=2040-01-01",
			       NULL, NULL, NULL),
		     200);
	json_t *s = json_array_get(json_object_get(r.json, "standards"), 0);
	json_t *construct = json_array_get(json_object_get(s, "stages"), 3);
	cr_expect_eq(json_integer_value(json_object_get(construct, "limit_days")), 7, "%s", r.body);
	reply_release(&r);
	/* a standard without the stages the applications rely on is refused, all listed */
	cr_assert_eq(http_call(&r, "POST", "/v1/service-standards", office,
			       "{\"kind\":\"dig_road\",\"effective_from\":\"2040-01-01\","
			       "\"name_zh\":\"x\",\"stages\":[{\"code\":\"accept\","
			       "\"name_zh\":\"a\",\"limit_days\":-1}]}",
			       NULL),
		     422);
	char got[512];
	details(&r, got, sizeof(got));
	cr_expect_str_eq(got, "stages[0].limit_days:negative,stages:missing_stage");
	reply_release(&r);
	free(office);
}

Test(publish, a_publication_elsewhere_reaches_this_instance_within_seconds)
{
	/* straight through the store, as another portal instance would */
	char doc[1024];
	snprintf(doc, sizeof(doc), standard_doc, 9);
	char email[128];
	long long org = harness_make_user("office", NULL, true, email);
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	struct error err = ERROR_INIT;
	long long id = 0;
	int version = 0;
	cr_assert_eq(store_begin(c, &err), 0);
	cr_assert_eq(store_pub_next_version(c, PUB_STANDARDS, org, "network", &version, &err), 0);
	json_t *j = json_loads(doc, 0, NULL);
	json_object_set_new(j, "effective_from", json_string("2041-01-01"));
	json_object_set_new(j, "version", json_integer(version));
	char *body = json_dumps(j, JSON_COMPACT);
	cr_assert_eq(store_pub_draft_create(c, PUB_STANDARDS, org, "network", "2041-01-01", body,
					    0, &id, &err),
		     0, "%s", err.message);
	cr_assert_eq(store_pub_publish(c, PUB_STANDARDS, id, version, body, 0, &err), 0, "%s",
		     err.message);
	cr_assert_eq(store_commit(c, &err), 0);
	store_release(c);
	free(body);
	json_decref(j);
	bool seen = false;
	for (int i = 0; i < 50 && !seen; i++) {
		struct reply r;
		http_call(&r, "GET", "/v1/public/service-standards?kind=network&date=2041-01-02",
			  NULL, NULL, NULL);
		json_t *s = json_array_get(json_object_get(r.json, "standards"), 0);
		seen = s && json_integer_value(json_object_get(s, "version")) == version;
		reply_release(&r);
		if (!seen)
			usleep(100 * 1000);
	}
	cr_expect(seen, "the poller picked up the publication");
}

Test(publish, the_office_publishes_a_calendar_year)
{
	char *office = admin_of("office", NULL, NULL);
	struct reply r;
	cr_assert_eq(http_call(&r, "PUT", "/v1/calendar/2032", office,
			       "{\"holidays\":[{\"from\":\"2032-01-01\",\"to\":\"2032-01-03\","
			       "\"name_zh\":\"元旦\",\"name_en\":\"New Year\"}],"
			       "\"makeup_working_days\":[\"2032-01-04\"],\"cutoff\":\"17:00\"}",
			       NULL),
		     200, "%s", r.body);
	reply_release(&r);
	cr_assert_eq(http_call(&r, "GET", "/v1/public/calendar?year=2032", NULL, NULL, NULL), 200);
	json_t *h = json_array_get(json_object_get(r.json, "holidays"), 0);
	cr_expect_str_eq(json_string_value(json_object_get(h, "to")), "2032-01-03");
	cr_expect_eq(json_array_size(json_object_get(r.json, "makeup_working_days")), 1);
	reply_release(&r);
	/* every problem at once */
	cr_assert_eq(http_call(&r, "PUT", "/v1/calendar/2032", office,
			       "{\"holidays\":[{\"from\":\"2031-12-31\",\"to\":\"2032-01-02\"},"
			       "{\"from\":\"2032-05-03\",\"to\":\"2032-05-01\",\"name_zh\":\"x\","
			       "\"day\":1}],\"makeup_working_days\":[\"2032-01-05\"],"
			       "\"cutoff\":\"25:00\"}",
			       NULL),
		     422);
	char got[512];
	details(&r, got, sizeof(got));
	cr_expect_str_eq(got,
			 "holidays[0].name_zh:required,holidays[0].from:out_of_range,"
			 "holidays[1].day:unknown_field,holidays[1].to:invalid_range,"
			 "makeup_working_days[0]:not_weekend,cutoff:invalid",
			 "%s", got);
	reply_release(&r);
	free(office);
}
