/*
 * After the decision (issue #21) over real HTTP against MariaDB: decision codes must be in the
 * published code list for their action (every bad one named in one 422), the code list is
 * versioned data served from the published snapshot, and the office publishes the next version;
 * work windows are enforced: construction outside the window is refused, and a window that ran
 * out is recorded by the sweep once, told to the utilities and the authority, and listed.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/snapshot.h"
#include "portal/sweeper.h"
#include "store/db.h"
#include "support/harness.h"
#include "support/journey.h"
#include "support/rules.h"
#include "workflows/calendar.h"

#define DEMO "demo-password-1"

static struct harness_server *srv;
static void setup(void) { srv = harness_server_start(); }
static void teardown(void) { harness_server_stop(srv); }
TestSuite(aftercare, .init = setup, .fini = teardown, .timeout = 120);

static const char *jstr(json_t *j, const char *key)
{
	return json_string_value(json_object_get(j, key));
}

static long long id_of(json_t *t)
{
	return json_integer_value(json_object_get(t, "id"));
}

static json_t *find(json_t *app, const char *list, const char *field, const char *value)
{
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(app, list), i, t)
	{
		if (!strcmp(jstr(t, field), value))
			return t;
	}
	cr_assert_fail("no %s with %s %s", list, field, value);
	return NULL;
}

/* A full five-utility application (the journey's), as the applicant sees it after submission. */
static json_t *submit(void)
{
	char *tok = journey_login("applicant");
	json_t *app = journey_submit(tok, "Aftercare");
	free(tok);
	return app;
}

/* ------------------------------------------------------------------ codes enforced */

struct code_case {
	const char *who;     /* demo account acting */
	const char *list;    /* "jobs" or "permits" */
	const char *field;   /* track field to find the object by */
	const char *value;   /* its value (a "%s" is the application reference) */
	const char *before;  /* an action to take first (NULL: none), e.g. accept */
	const char *body;    /* the transition with bad codes */
	const char *details; /* every "field:code" the 422 must list, comma-separated, in order */
	const char *named;   /* text the reply must contain (the bad code, the allowed ones) */
};

static const struct code_case code_cases[] = {
	{ "water", "jobs", "utility_kind", "water", NULL,
	  "{\"action\":\"return\",\"items\":[{\"code\":\"MATERIAL_MISSING\"},{\"code\":\"NO_SUCH_ITEM\"},"
	  "{\"code\":\"DUPLICATE\"}]}",
	  "items[1].code:unknown_code,items[2].code:unknown_code", "NO_SUCH_ITEM" },
	{ "gas", "jobs", "utility_kind", "gas", NULL,
	  "{\"action\":\"reject\",\"reason_code\":\"R03\"}", "reason_code:unknown_code",
	  "allowed: OUTSIDE_SERVICE_AREA" },
	{ "road", "permits", "reference", "%s-DR2", "accept",
	  "{\"action\":\"approve\",\"conditions\":[{\"code\":\"KEEP_ONE_LANE\"},{\"code\":\"BOGUS\"},"
	  "{\"code\":\"NIGHT_WORK_ONLY\"},{\"code\":\"MATERIAL_MISSING\"}]}",
	  "conditions[1].code:unknown_code,conditions[3].code:unknown_code", "'BOGUS'" },
	{ "greening", "permits", "reference", "%s-GR", NULL,
	  "{\"action\":\"return\",\"items\":[{\"code\":\"tree_survey\"}]}",
	  "items[0].code:unknown_code", "TREE_SURVEY_MISSING" },
	{ "planning", "permits", "reference", "%s-PL", "accept",
	  "{\"action\":\"reject\",\"reason_code\":\"KEEP_ONE_LANE\"}", "reason_code:unknown_code",
	  "unknown reject_reason code 'KEEP_ONE_LANE'" },
};

/* "field:code,..." of an error reply, in order. */
static char *details_of(json_t *j)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(json_object_get(j, "error"), "details"), i, d)
		fprintf(f, "%s%s:%s", i ? "," : "", jstr(d, "field"), jstr(d, "code"));
	fclose(f);
	return out;
}

Test(aftercare, an_unlisted_decision_code_gets_422_naming_every_bad_one)
{
	json_t *app = submit();
	char ref[40];
	snprintf(ref, sizeof(ref), "%s", jstr(app, "reference"));
	for (size_t i = 0; i < sizeof(code_cases) / sizeof(code_cases[0]); i++) {
		const struct code_case *c = &code_cases[i];
		char value[64], path[128];
		snprintf(value, sizeof(value), c->value, ref);
		long long id = id_of(find(app, c->list, c->field, value));
		snprintf(path, sizeof(path), "/v1/%s/%lld/transitions", c->list, id);
		char *tok = journey_login(c->who);
		if (c->before) {
			char b[64];
			snprintf(b, sizeof(b), "{\"action\":\"%s\"}", c->before);
			json_decref(journey_call("POST", path, tok, b, 200));
		}
		struct reply r;
		http_call(&r, "POST", path, tok, c->body, NULL);
		cr_expect_eq(r.status, 422, "case %zu: %s", i, r.body);
		char *got = details_of(r.json);
		cr_expect_str_eq(got, c->details, "case %zu: %s", i, r.body);
		cr_expect(r.body && strstr(r.body, c->named), "case %zu names %s: %s", i, c->named,
			  r.body);
		free(got);
		reply_release(&r);
		free(tok);
	}
	/* listed codes still pass */
	char path[128], value[64];
	snprintf(value, sizeof(value), "%s-DR2", ref);
	snprintf(path, sizeof(path), "/v1/permits/%lld/transitions",
		 id_of(find(app, "permits", "reference", value)));
	char *road = journey_login("road");
	json_t *p = journey_call("POST", path, road,
				 "{\"action\":\"approve\",\"conditions\":[{\"code\":\"KEEP_ONE_LANE\"},"
				 "{\"code\":\"REINSTATE_48H\"}]}",
				 200);
	cr_expect_str_eq(jstr(p, "state"), "approved");
	json_decref(p);
	free(road);
	json_decref(app);
}

/* ------------------------------------------------------------------ the list as data */

static bool has_code(json_t *lists, const char *list, const char *code)
{
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(lists, list), i, e)
	{
		if (!strcmp(jstr(e, "code"), code))
			return true;
	}
	return false;
}

Test(aftercare, the_codes_endpoint_serves_the_version_in_force_from_the_table)
{
	json_t *v1 = journey_call("GET", "/v1/public/codes", NULL, NULL, 200);
	int before = (int)json_integer_value(json_object_get(v1, "version"));
	cr_assert_geq(before, 1, "%s", json_dumps(v1, 0));
	cr_expect(has_code(v1, "condition", "KEEP_ONE_LANE"));
	cr_expect(has_code(v1, "reject_reason", "COMMITMENT_FALSE"));
	cr_expect(has_code(v1, "return_item", "MATERIAL_MISSING"));

	/* only the office publishes, and every problem of a new version is listed at once */
	char *office = journey_login("office");
	char *road = journey_login("road");
	struct reply r;
	http_call(&r, "POST", "/v1/codes", road, "{}", NULL);
	cr_expect_eq(r.status, 403, "%s", r.body);
	reply_release(&r);
	http_call(&r, "POST", "/v1/codes", office,
		  "{\"return_item\":[{\"code\":\"lower\",\"name_zh\":\"x\",\"name_en\":\"x\"},"
		  "{\"code\":\"A\",\"name_zh\":\"\",\"name_en\":\"x\"}],\"condition\":[],\"extra\":1}",
		  NULL);
	cr_expect_eq(r.status, 422, "%s", r.body);
	char *got = details_of(r.json);
	cr_expect_str_eq(got, "extra:unknown_field,return_item[0].code:invalid,"
			      "return_item[1].name_zh:invalid,reject_reason:required,"
			      "condition:required,post_check_result:required", "%s", r.body);
	free(got);
	reply_release(&r);

	/* the next version: everything of the last plus a new condition, in force at once */
	json_t *next = json_deep_copy(v1);
	json_object_del(next, "version");
	json_object_del(next, "published_at");
	char code[32];
	snprintf(code, sizeof(code), "NO_WORK_AT_SCHOOL_TIMES_%d", harness_unique());
	json_array_append_new(json_object_get(next, "condition"),
			      json_pack("{s:s, s:s, s:s}", "code", code, "name_zh", "上下学时段禁止施工",
					"name_en", "no works at school times"));
	char *body = json_dumps(next, 0);
	json_t *pub = journey_call("POST", "/v1/codes", office, body, 201);
	int after = (int)json_integer_value(json_object_get(pub, "version"));
	cr_expect_gt(after, before);
	json_t *v2 = journey_call("GET", "/v1/public/codes", NULL, NULL, 200);
	cr_expect_eq(json_integer_value(json_object_get(v2, "version")), after);
	cr_expect(has_code(v2, "condition", code), "%s", json_dumps(v2, 0));
	cr_expect(has_code(v2, "condition", "KEEP_ONE_LANE"));

	/* the version published is immutable in the database, whatever the caller */
	struct store_conn *c = store_acquire(harness_pool(), 2000, NULL);
	cr_assert(c);
	struct error e = ERROR_INIT;
	static const char upd[] = "UPDATE decision_codes SET name_en = 'changed' WHERE version = 1";
	cr_expect_neq(store_run(c, upd, NULL, 0, NULL, NULL, &e), 0, "a published code changed");
	error_release(&e);
	store_release(c);

	free(body);
	json_decref(next);
	json_decref(pub);
	json_decref(v2);
	json_decref(v1);
	free(office);
	free(road);
}

/* ------------------------------------------------------------------ work windows */

static void set_window(long long permit, int from, int to)
{
	char sql[200];
	snprintf(sql, sizeof(sql), "UPDATE permits SET window_from = '%s', ", journey_day(from));
	snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql),
		 "window_to = '%s' WHERE id = %lld", journey_day(to), permit);
	harness_sql(harness_db_name(), sql);
}

/* One number from a query (the first cell; -1 when no row). */
static long long sql_ll(const char *sql, long long id)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(id) };
	struct error e = ERROR_INIT;
	cr_assert_eq(store_exec(c, sql, p, 1, &r, &e), 0, "%s", e.message);
	long long v = r->nrows ? store_cell_ll(r, 0, 0, -1) : -1;
	store_result_free(r);
	store_release(c);
	error_release(&e);
	return v;
}

static const char SQL_OVERRUNS[] = "SELECT COUNT(*) FROM permit_overruns WHERE permit_id = ?";
static const char SQL_OVERRUN_DAYS[] =
	"SELECT days_at_detection FROM permit_overruns WHERE permit_id = ?";
static const char SQL_OVERRUN_CREDITS[] =
	"SELECT COUNT(DISTINCT org_id) FROM credit_entries WHERE rule = 'overrun' AND permit_id = ? "
	"AND JSON_VALUE(evidence, '$.window_to') IS NOT NULL";
static const char SQL_OVERRUN_CREDIT_ROAD[] =
	"SELECT COUNT(*) FROM credit_entries c JOIN permits p ON p.id = c.permit_id "
	"WHERE c.rule = 'overrun' AND c.permit_id = ? AND c.org_id = p.authority_org_id";
static const char SQL_EVENTS[] =
	"SELECT COUNT(*) FROM outbox WHERE event_type = 'permit.overrunning' AND application_id = ?";
static const char SQL_EVENT_ORGS[] =
	"SELECT GROUP_CONCAT(DISTINCT org_id ORDER BY org_id) FROM outbox "
	"WHERE event_type = 'permit.overrunning' AND application_id = ?";

/* Windows around today (days from today) and what start_construction gets. */
static const struct {
	int from, to;
	long want;
} windows[] = {
	{ -30, -20, 409 }, /* ran out */
	{ 5, 10, 409 },	   /* not begun */
	{ -1, -1, 409 },   /* ended yesterday */
	{ 0, 3, 200 },	   /* today inside: works start */
};

Test(aftercare, works_start_only_inside_the_window_and_a_window_that_ran_out_is_an_overrun)
{
	json_t *app = submit();
	long long app_id = id_of(app);
	char ref[40], dr[48];
	snprintf(ref, sizeof(ref), "%s", jstr(app, "reference"));
	snprintf(dr, sizeof(dr), "%s-DR", ref);
	json_t *permit = find(app, "permits", "reference", dr);
	cr_assert_str_eq(jstr(permit, "state"), "approved", "the joint dig is fast-tracked");
	long long pid = id_of(permit);

	/* water plans its works on the joint dig alone, and the applicant confirms */
	char *water = journey_login("water"), *tok = journey_login("applicant");
	char path[128];
	long long wj = id_of(find(app, "jobs", "utility_kind", "water"));
	snprintf(path, sizeof(path), "/v1/jobs/%lld/transitions", wj);
	json_decref(journey_call("POST", path, water, "{\"action\":\"accept\"}", 200));
	json_decref(journey_call("POST", path, water,
				 "{\"action\":\"survey\",\"connection_point\":{\"lat\":26.1081,"
				 "\"lng\":119.2521,\"description\":\"north gate\"}}",
				 200));
	char *q = journey_quote(app, "water"), *plan = NULL;
	cr_assert(asprintf(&plan, "{\"action\":\"plan\",\"quote\":%s,\"permits_needed\":[\"%s\"]}",
			   q, dr) > 0);
	json_decref(journey_call("POST", path, water, plan, 200));
	json_decref(journey_call("POST", path, tok, "{\"action\":\"confirm\"}", 200));

	for (size_t i = 0; i < sizeof(windows) / sizeof(windows[0]); i++) {
		set_window(pid, windows[i].from, windows[i].to);
		struct reply r;
		http_call(&r, "POST", path, water, "{\"action\":\"start_construction\"}", NULL);
		cr_expect_eq(r.status, windows[i].want, "window %d..%d: %s", windows[i].from,
			     windows[i].to, r.body);
		if (windows[i].want != 200) {
			json_t *d = json_array_get(
				json_object_get(json_object_get(r.json, "error"), "details"), 0);
			cr_expect_str_eq(jstr(d, "field"), dr, "%s", r.body);
			cr_expect_str_eq(jstr(d, "code"), "outside_work_window", "%s", r.body);
			cr_expect(strstr(jstr(d, "message"), journey_day(windows[i].to)),
				  "the message names the window: %s", r.body);
		}
		reply_release(&r);
	}

	/* the window ran out: one sweep records it, tells the parties, and the office sees it */
	set_window(pid, -30, -20);
	int marked = 0;
	struct error err = ERROR_INIT;
	cr_assert_eq(sweeper_overruns_once(harness_app(srv), &marked, &err), 0, "%s", err.message);
	cr_expect_eq(sql_ll(SQL_OVERRUNS, pid), 1);
	long long events = sql_ll(SQL_EVENTS, app_id);
	cr_expect_eq(events, 3, "the road authority, water and gas");
	char want_orgs[64];
	long long road = journey_org("Urban Management Bureau, Roads (demo)"),
		  w = journey_org("City Water Supply Co. (demo)"),
		  g = journey_org("City Gas Group (demo)");
	long long sorted[3] = { road, w, g };
	for (int a = 0; a < 3; a++)
		for (int b = a + 1; b < 3; b++)
			if (sorted[b] < sorted[a]) {
				long long t = sorted[a];
				sorted[a] = sorted[b];
				sorted[b] = t;
			}
	snprintf(want_orgs, sizeof(want_orgs), "%lld,%lld,%lld", sorted[0], sorted[1], sorted[2]);
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	struct store_result *res = NULL;
	struct store_param p[] = { P_INT(app_id) };
	cr_assert_eq(store_exec(c, SQL_EVENT_ORGS, p, 1, &res, &err), 0);
	cr_expect_str_eq(store_cell(res, 0, 0), want_orgs);
	store_result_free(res);
	store_release(c);

	/* a second sweep changes nothing */
	cr_assert_eq(sweeper_overruns_once(harness_app(srv), &marked, &err), 0, "%s", err.message);
	cr_expect_eq(sql_ll(SQL_OVERRUNS, pid), 1, "idempotent");
	cr_expect_eq(sql_ll(SQL_EVENTS, app_id), events, "no second event");
	/* each utility digging under it has one overrun credit entry, with its evidence */
	cr_expect_eq(sql_ll(SQL_OVERRUN_CREDITS, pid), 2, "water and gas, once each");
	cr_expect_eq(sql_ll(SQL_OVERRUN_CREDIT_ROAD, pid), 0, "not the authority");

	/* the supervision list: from the next working day, with the working days overrun */
	const struct published *pub = snapshot_get(harness_app(srv));
	cr_assert(pub);
	day_t to = 0, today = 0;
	cal_day_parse(journey_day(-20), &to, NULL);
	cal_day_parse(journey_day(0), &today, NULL);
	char from_text[11];
	cal_day_format(calendar_add_working_days(&pub->cal, to, 1), from_text);
	int days = calendar_working_days_between(&pub->cal, to, today);
	snapshot_put(pub);
	cr_expect_eq(sql_ll(SQL_OVERRUN_DAYS, pid), days);
	char *office = journey_login("office");
	json_t *list = journey_call("GET", "/v1/supervision/overruns", office, NULL, 200);
	json_t *item = find(list, "items", "reference", dr);
	cr_expect_str_eq(jstr(item, "overrunning_from"), from_text);
	cr_expect_str_eq(jstr(item, "window_to"), journey_day(-20));
	cr_expect_eq(json_integer_value(json_object_get(item, "days_overrun")), days);
	cr_expect_eq(json_integer_value(json_object_get(item, "days_at_detection")), days);
	struct reply r;
	http_call(&r, "GET", "/v1/supervision/overruns", water, NULL, NULL);
	cr_expect_eq(r.status, 403, "the office's list");
	reply_release(&r);

	json_decref(list);
	free(office);
	error_release(&err);
	free(q);
	free(plan);
	free(water);
	free(tok);
	json_decref(app);
}

/* ------------------------------------------------------------------ the post-check queue */

/* The queue item of reference as token sees it, or NULL (the list is kept in *list). */
static json_t *queued(const char *token, const char *reference, json_t **list)
{
	*list = journey_call("GET", "/v1/post-checks", token, NULL, 200);
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(*list, "items"), i, it)
	{
		if (!strcmp(jstr(it, "reference"), reference))
			return it;
	}
	return NULL;
}

Test(aftercare, a_fast_tracked_permit_is_queued_for_its_post_check_with_a_due_date)
{
	rules_check_every_fast_track(); /* queued whatever the sampling draw */
	json_t *app = submit();
	char dr[48];
	snprintf(dr, sizeof(dr), "%s-DR", jstr(app, "reference"));
	json_t *permit = find(app, "permits", "reference", dr);
	cr_assert_str_eq(jstr(permit, "decision"), "approved_on_commitment");
	long long pid = id_of(permit);

	const struct published *pub = snapshot_get(harness_app(srv));
	cr_assert(pub);
	day_t today = 0, opened = 0;
	cal_day_parse(journey_day(0), &today, NULL);
	cal_day_parse(journey_day(-40), &opened, NULL);
	char due_now[11], due_then[11];
	cal_day_format(calendar_add_working_days(&pub->cal, today, 10), due_now);
	day_t then = calendar_add_working_days(&pub->cal, opened, 10);
	cal_day_format(then, due_then);
	int late = calendar_working_days_between(&pub->cal, then, today);
	snapshot_put(pub);

	char *road = journey_login("road"), *office = journey_login("office"), *greening = journey_login("greening");
	json_t *list = NULL;
	json_t *it = queued(road, dr, &list);
	cr_assert(it, "the road authority's queue lists it");
	cr_expect_str_eq(jstr(it, "opened_on"), journey_day(0));
	cr_expect_str_eq(jstr(it, "due_date"), due_now, "10 working days, as the standard says");
	cr_expect_eq(json_integer_value(json_object_get(it, "limit_days")), 10);
	cr_expect(json_is_false(json_object_get(it, "overdue")));
	json_decref(list);

	/* opened 40 days ago: overdue, by the working days past the due date */
	char sql[200];
	snprintf(sql, sizeof(sql),
		 "UPDATE tasks SET created_at = created_at - INTERVAL 40 DAY "
		 "WHERE permit_id = %lld AND kind = 'post_check'", pid);
	harness_sql(harness_db_name(), sql);
	it = queued(road, dr, &list);
	cr_assert(it);
	cr_expect_str_eq(jstr(it, "due_date"), due_then);
	cr_expect(json_is_true(json_object_get(it, "overdue")), "%s", json_dumps(it, 0));
	cr_expect_eq(json_integer_value(json_object_get(it, "days_overdue")), late);
	cr_expect_geq(json_integer_value(json_object_get(list, "overdue")), 1);
	json_decref(list);

	/* the office sees every authority's; another authority does not see the road's */
	cr_expect(queued(office, dr, &list) != NULL);
	json_decref(list);
	cr_expect(queued(greening, dr, &list) == NULL);
	json_decref(list);

	/* the post-check recorded, it leaves the queue */
	char path[96];
	snprintf(path, sizeof(path), "/v1/permits/%lld/transitions", pid);
	/* a failure through the transitions route needs its evidence as at /v1/post-checks */
	struct reply fr;
	http_call(&fr, "POST", path, road,
		  "{\"action\":\"post_check\",\"result\":\"fail\",\"items\":[{\"code\":"
		  "\"SIGNAGE_MISSING\"}]}",
		  NULL);
	cr_expect_eq(fr.status, 422, "a failure without photos: %s", fr.body);
	cr_expect(fr.body && strstr(fr.body, "\"photos\""), "%s", fr.body);
	reply_release(&fr);
	json_decref(journey_call("POST", path, road, "{\"action\":\"post_check\",\"result\":\"pass\"}",
				 200));
	cr_expect(queued(road, dr, &list) == NULL, "done: %s", json_dumps(list, 0));
	json_decref(list);
	/* recorded: no second post-check through either route */
	http_call(&fr, "POST", path, road, "{\"action\":\"post_check\",\"result\":\"pass\"}",
		  NULL);
	cr_expect_eq(fr.status, 409, "%s", fr.body);
	reply_release(&fr);

	free(road);
	free(office);
	free(greening);
	json_decref(app);
}

/* ------------------------------------------------------------------ extensions and overruns */

static const char SQL_OVERRUN_WINDOW[] =
	"SELECT DATE_FORMAT(window_to, '%Y-%m-%d') FROM permit_overruns WHERE permit_id = ?";

/* The first error detail's code of a reply, "" when none. */
static const char *first_detail(json_t *j)
{
	json_t *d = json_array_get(json_object_get(json_object_get(j, "error"), "details"), 0);
	return jstr(d, "code") ? jstr(d, "code") : "";
}

/*
 * A road authority's rule: an extension is asked for while the window runs; a request the
 * authority has not decided does not stop the overrun from being recorded from the original
 * window end; a request after the window ended is refused (the overrun stands).
 */
Test(aftercare, a_pending_extension_hides_no_overrun_and_a_late_request_is_refused)
{
	json_t *app = submit();
	char dr[48], path[96], body[200];
	snprintf(dr, sizeof(dr), "%s-DR", jstr(app, "reference"));
	json_t *permit = find(app, "permits", "reference", dr);
	cr_assert_str_eq(jstr(permit, "state"), "approved", "the joint dig is fast-tracked");
	long long pid = id_of(permit);
	snprintf(path, sizeof(path), "/v1/permits/%lld/transitions", pid);
	char *gas = journey_login("gas"), *road = journey_login("road");

	/* asked in time: pending */
	set_window(pid, -20, 2);
	snprintf(body, sizeof(body),
		 "{\"action\":\"request_extension\",\"extension_to\":\"%s\",\"comment\":\"rock\"}",
		 journey_day(30));
	json_t *p = journey_call("POST", path, gas, body, 200);
	cr_expect(json_is_true(json_object_get(p, "extension_pending")));
	json_decref(p);

	/* the window ends while the authority has not decided: the sweep records the overrun */
	set_window(pid, -20, -5);
	struct error err = ERROR_INIT;
	cr_assert_eq(sweeper_overruns_once(harness_app(srv), NULL, &err), 0, "%s", err.message);
	cr_expect_eq(sql_ll(SQL_OVERRUNS, pid), 1, "a pending request hides no overrun");
	char *office = journey_login("office");
	json_t *list = journey_call("GET", "/v1/supervision/overruns", office, NULL, 200);
	size_t i;
	json_t *it, *mine = NULL;
	json_array_foreach(json_object_get(list, "items"), i, it)
	{
		if (!strcmp(jstr(it, "reference"), dr))
			mine = it;
	}
	cr_assert(mine, "listed in supervision");
	cr_expect_str_eq(jstr(mine, "window_to"), journey_day(-5), "from the original window end");
	cr_expect(json_is_true(json_object_get(mine, "extension_pending")));
	json_decref(list);

	/* refused; asked again after the window ended: 422 naming why, and nothing changes */
	json_decref(journey_call("POST", path, road,
				 "{\"action\":\"decide_extension\",\"decision\":\"refuse\"}", 200));
	struct reply r;
	http_call(&r, "POST", path, gas, body, NULL);
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect_str_eq(first_detail(r.json), "window_ended", "%s", r.body);
	cr_expect(strstr(r.body, journey_day(-5)) != NULL, "names the window's end: %s", r.body);
	reply_release(&r);
	cr_expect_eq(sql_ll(SQL_OVERRUNS, pid), 1, "the overrun stands");

	/* granted (a request made in time), the window moves: the record of the overrun stays */
	set_window(pid, -20, 2);
	json_decref(journey_call("POST", path, gas, body, 200));
	set_window(pid, -20, -5);
	p = journey_call("POST", path, road, "{\"action\":\"decide_extension\",\"decision\":\"grant\"}",
			 200);
	cr_expect_str_eq(jstr(json_object_get(p, "work_window"), "to"), journey_day(30));
	json_decref(p);
	cr_assert_eq(sweeper_overruns_once(harness_app(srv), NULL, &err), 0, "%s", err.message);
	cr_expect_eq(sql_ll(SQL_OVERRUNS, pid), 1, "recorded once, not undone by the grant");
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	struct store_result *res = NULL;
	struct store_param prm[] = { P_INT(pid) };
	cr_assert_eq(store_exec(c, SQL_OVERRUN_WINDOW, prm, 1, &res, &err), 0, "%s", err.message);
	cr_expect_str_eq(store_cell(res, 0, 0), journey_day(-5));
	store_result_free(res);
	store_release(c);

	error_release(&err);
	free(office);
	free(gas);
	free(road);
	json_decref(app);
}

/* ------------------------------------------------------------------ joint digs inspected once */

/* kind's job on the joint dig: accepted, surveyed, planned on dr, confirmed, started. */
static void dig_on(json_t *app, const char *kind, const char *dr)
{
	char *ut = journey_login(kind), *tok = journey_login("applicant"), path[96], *plan = NULL;
	snprintf(path, sizeof(path), "/v1/jobs/%lld/transitions",
		 id_of(find(app, "jobs", "utility_kind", kind)));
	json_decref(journey_call("POST", path, ut, "{\"action\":\"accept\"}", 200));
	json_decref(journey_call("POST", path, ut,
				 "{\"action\":\"survey\",\"connection_point\":{\"lat\":26.1081,"
				 "\"lng\":119.2521,\"description\":\"north gate\"}}",
				 200));
	char *q = journey_quote(app, kind);
	cr_assert(asprintf(&plan, "{\"action\":\"plan\",\"quote\":%s,\"permits_needed\":[\"%s\"]}",
			   q, dr) > 0);
	json_decref(journey_call("POST", path, ut, plan, 200));
	json_decref(journey_call("POST", path, tok, "{\"action\":\"confirm\"}", 200));
	json_decref(journey_call("POST", path, ut, "{\"action\":\"start_construction\"}", 200));
	free(q);
	free(plan);
	free(tok);
	free(ut);
}

/* One step of a joint dig's reinstatement: who acts, what, and what comes back. */
static const struct {
	const char *who, *body;
	long status;
	const char *detail; /* the first detail's code on a refusal */
} joint_steps[] = {
	{ "water", "{\"action\":\"report_reinstated\"}", 200, "" },
	/* gas has dug in the same trench and not reported: no inspection, no close */
	{ "road", "{\"action\":\"inspect\",\"result\":\"pass\"}", 409, "not_all_reported" },
	{ "road", "{\"action\":\"close\"}", 409, "not_passed" },
	/* each utility reports its own dig (water's report is not gas's) */
	{ "gas", "{\"action\":\"report_reinstated\"}", 200, "" },
	{ "gas", "{\"action\":\"report_reinstated\"}", 409, "already_reported" },
	{ "road", "{\"action\":\"inspect\",\"result\":\"fail\",\"comment\":\"sunk\"}", 200, "" },
	/* both owe remedial work: inspected again when both have reported it */
	{ "water", "{\"action\":\"report_remedied\"}", 200, "" },
	{ "water", "{\"action\":\"report_remedied\"}", 409, "" },
	{ "road", "{\"action\":\"inspect\",\"result\":\"pass\"}", 409, "open" },
	{ "gas", "{\"action\":\"report_remedied\"}", 200, "" },
	{ "road", "{\"action\":\"inspect\",\"result\":\"pass\"}", 200, "" },
	{ "road", "{\"action\":\"close\"}", 200, "" },
};

Test(aftercare, a_joint_dig_is_inspected_once_every_utility_that_dug_reported)
{
	json_t *app = submit();
	char dr[48], path[96];
	snprintf(dr, sizeof(dr), "%s-DR", jstr(app, "reference"));
	long long pid = id_of(find(app, "permits", "reference", dr));
	snprintf(path, sizeof(path), "/v1/permits/%lld/transitions", pid);
	set_window(pid, -1, 10);
	dig_on(app, "water", dr);
	dig_on(app, "gas", dr);
	for (size_t i = 0; i < sizeof(joint_steps) / sizeof(joint_steps[0]); i++) {
		char *tok = journey_login(joint_steps[i].who);
		struct reply r;
		http_call(&r, "POST", path, tok, joint_steps[i].body, NULL);
		cr_expect_eq(r.status, joint_steps[i].status, "step %zu (%s %s): %s", i,
			     joint_steps[i].who, joint_steps[i].body, r.body);
		if (r.status != 200 && *joint_steps[i].detail)
			cr_expect_str_eq(first_detail(r.json), joint_steps[i].detail, "step %zu: %s",
					 i, r.body);
		reply_release(&r);
		free(tok);
	}
	json_decref(app);
}
