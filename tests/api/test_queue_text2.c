/*
 * The guidance and post-check queues are written straight from the rows (store/projects.c,
 * store/tasks.c), not through Jansson (issue #23): over real HTTP on the demo city, each page is
 * the text json_text writes for the same value, byte for byte; every item has the fields the
 * Jansson reply had, in its order, with the same values (a guidance task as the project's own
 * read still writes it through Jansson, less "preferred"; a post-check as its rows and the
 * published calendar say); answered and done work is not listed; a walk by next_cursor shows
 * each task once.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/snapshot.h"
#include "store/db.h"
#include "workflows/calendar.h"
#include "lib/json_text.h"
#include "lib/xalloc.h"
#include "support/harness.h"
#include "support/journey.h"
#include "support/rules.h"

#define DEMO "demo-password-1"

static struct harness_server *srv;
static void setup(void)
{
	srv = harness_server_start();
}
static void teardown(void)
{
	harness_server_stop(srv);
}
TestSuite(queue_text2, .init = setup, .fini = teardown, .timeout = 180);

static long long num(json_t *j, const char *k)
{
	return json_integer_value(json_object_get(j, k));
}

static void sql(const char *fmt, long long a)
{
	char s[400];
	snprintf(s, sizeof(s), fmt, a);
	harness_sql(harness_db_name(), s);
}

/* Working days in (from, to], walked a day at a time on the published calendar. */
static int walked(day_t from, day_t to)
{
	const struct published *pub = snapshot_get(harness_app(srv));
	cr_assert(pub);
	int n = 0;
	for (day_t d = from + 1; d <= to; d++)
		n += calendar_is_working_day(&pub->cal, d);
	snapshot_put(pub);
	return n;
}

static day_t day_at(int offset)
{
	day_t d = 0;
	cal_day_parse(journey_day(offset), &d, NULL);
	return d;
}

/* The members of o are exactly keys, in that order (json_text keeps insertion order). */
static void keys_in_order(json_t *o, const char *const keys[], size_t n, const char *what)
{
	size_t k = 0;
	for (void *x = json_object_iter(o); x; x = json_object_iter_next(o, x), k++)
		cr_expect(k < n && !strcmp(json_object_iter_key(x), keys[k]), "%s: member %zu",
			  what, k);
	cr_expect_eq(k, n, "%s: every member", what);
}

/*
 * When wants (id as text -> item) holds the item with its id (member idk): true, and it must be
 * the same text, so every member in the same order with the same value.
 */
static bool same_as(json_t *it, json_t *wants, const char *idk, const char *what)
{
	char key[32];
	snprintf(key, sizeof(key), "%lld", num(it, idk));
	json_t *want = json_object_get(wants, key);
	if (!want)
		return false;
	char *a = json_text(it), *b = json_text(want);
	cr_expect_str_eq(a, b, "%s %s: as the Jansson reply wrote it", what, key);
	free(a);
	free(b);
	return true;
}

/*
 * GET path (a queue) page by page with limit and the cursor; every page must be json_text's
 * text of itself and every item id (field idk) new. Calls check(item) for each; returns how
 * many items there were.
 */
static size_t walk(const char *token, const char *path, int limit, const char *idk,
		   void (*check)(json_t *item, void *ctx), void *ctx)
{
	char p[200], cursor[32] = "";
	long long *seen = NULL;
	size_t nseen = 0;
	for (int page = 0; page < 10000; page++) {
		snprintf(p, sizeof(p), "%s%slimit=%d%s%s", path, strchr(path, '?') ? "&" : "?",
			 limit, cursor[0] ? "&cursor=" : "", cursor);
		struct reply r;
		cr_assert_eq(http_call(&r, "GET", p, token, NULL, NULL), 200, "%s: %s", p, r.body);
		cr_assert(r.json, "%s: JSON", p);
		char *again = json_text(r.json);
		cr_assert_str_eq(again, r.body, "%s: the text json_text writes", p);
		free(again);
		char cc[64];
		cr_expect_str_eq(reply_header(&r, "Cache-Control", cc, sizeof(cc)), "no-store");
		json_t *items = json_object_get(r.json, "items");
		cr_assert(json_is_array(items) && json_array_size(items) <= (size_t)limit, "%s", p);
		size_t i;
		json_t *it;
		json_array_foreach(items, i, it)
		{
			long long id = num(it, idk);
			for (size_t k = 0; k < nseen; k++)
				cr_assert_neq(seen[k], id, "%s: item %lld twice", p, id);
			seen = xrealloc(seen, (nseen + 1) * sizeof(*seen));
			seen[nseen++] = id;
			check(it, ctx);
		}
		json_t *next = json_object_get(r.json, "next_cursor");
		cr_assert(next, "%s: next_cursor is always there", p);
		cr_assert(json_is_null(next) || json_is_string(next), "%s", p);
		bool more = json_is_string(next);
		if (more)
			snprintf(cursor, sizeof(cursor), "%s", json_string_value(next));
		static const char *const keys[] = {"items", "next_cursor"};
		keys_in_order(r.json, keys, 2, p);
		reply_release(&r);
		if (!more)
			break;
	}
	free(seen);
	return nseen;
}

/* ------------------------------------------------------------------ guidance */

#define GULOU "\"geometry\":{\"type\":\"Point\",\"coordinates\":[119.2914,26.0826]}"
#define NEEDS "\"needs\":{\"water\":{\"m3_per_day\":120,\"dn\":50},\"network\":{\"lines\":4}}"
static const char ANSWER[] =
    "{\"connection_point\":{\"geometry\":{\"type\":\"Point\",\"coordinates\":[119.2916,26.0827]},"
    "\"description\":\"DN300 main\"},\"capacity\":{\"status\":\"available\"},"
    "\"quote\":[{\"code\":\"W-CONN\",\"quantity\":1,\"unit_price_fen\":250000}]}";

/* The fixture: projects whose tasks are due, overdue, long overdue, answered, preferred. */
struct fixture {
	long long project[3];
	json_t *oracle;		/* task id -> the item as GET /v1/projects/{id} writes it */
	long long answered;	/* a water task answered: in no queue */
	long long overdue, old; /* water tasks 10 and 400 days past their due date */
	size_t matched;		/* fixture items met in the walk */
	const char *who;	/* the walk's caller: "water", "office", "mobile" */
	long long org;		/* the organisation whose queue it is (0: all) */
};

static void guidance_item(json_t *it, void *ctx)
{
	struct fixture *f = ctx;
	/* open tasks only, of the queue's organisation */
	cr_expect_str_neq(json_string_value(json_object_get(it, "status")), "answered");
	long long org = num(json_object_get(it, "organisation"), "id");
	if (f->org)
		cr_expect_eq(org, f->org, "%s: another organisation's task", f->who);
	cr_expect_neq(num(it, "id"), f->answered, "the answered task is not queued");
	static const char *const fields[] = {
	    "id",    "project_id", "project",	 "kind",     "organisation", "status",
	    "stage", "limit_days", "started_on", "due_date", "overdue",	     "days_overdue"};
	keys_in_order(it, fields, 12, f->who);
	if (!same_as(it, f->oracle, "id", f->who))
		return;
	f->matched++;
	/* and the values of the fixture, reckoned here */
	long long id = num(it, "id");
	bool late = id == f->overdue || id == f->old;
	cr_expect_eq(json_is_true(json_object_get(it, "overdue")), late, "task %lld", id);
	cr_expect_str_eq(json_string_value(json_object_get(it, "status")),
			 late ? "overdue" : "due");
	int days = id == f->overdue ? walked(day_at(-10), day_at(0))
		   : id == f->old   ? walked(day_at(-400), day_at(0))
				    : 0;
	cr_expect_eq(num(it, "days_overdue"), days, "task %lld: working days overdue", id);
}

/* Registers a project in Gulou needing water and network (extra: more members). */
static long long project(const char *tok, const char *extra)
{
	char *body =
	    xasprintf("{\"name\":\"Queue text %d\"," GULOU "," NEEDS ",\"hookup_date\":\"%s\"%s}",
		      harness_unique(), journey_day(200), extra ? extra : "");
	json_t *p = journey_call("POST", "/v1/projects", tok, body, 201);
	long long id = num(p, "id");
	json_decref(p);
	free(body);
	return id;
}

Test(queue_text2, guidance_queue_is_json_text_with_every_field_and_pages)
{
	char *tok = journey_login("applicant"), *water = journey_login("water"), *office = journey_login("office");
	char *mobile = journey_login("mobile");
	long long city = journey_org("City Water Supply Co. (demo)");
	long long cmcc = journey_org("China Mobile Fuzhou (demo)");
	struct fixture f = {.oracle = json_object()};
	char *pref = xasprintf(",\"providers\":{\"network\":%lld}", cmcc);
	f.project[0] = project(tok, NULL);
	f.project[1] = project(tok, pref);
	f.project[2] = project(tok, NULL);
	free(pref);
	/* the first project's water task answered; the second's overdue; the third's long so */
	char path[96];
	snprintf(path, sizeof(path), "/v1/projects/%lld/guidance/water", f.project[0]);
	json_decref(journey_call("POST", path, water, ANSWER, 200));
	sql("UPDATE guidance SET due_day = UTC_DATE() - INTERVAL 10 DAY, started_day = UTC_DATE() "
	    "- INTERVAL 20 DAY WHERE project_id = %lld AND utility_kind = 'water'",
	    f.project[1]);
	sql("UPDATE guidance SET due_day = UTC_DATE() - INTERVAL 400 DAY, started_day = UTC_DATE() "
	    "- INTERVAL 410 DAY, stage_limit_days = 7 WHERE project_id = %lld AND "
	    "utility_kind = 'water'",
	    f.project[2]);
	/* the oracle: each open task as the project's read writes it, less "preferred" */
	for (int p = 0; p < 3; p++) {
		snprintf(path, sizeof(path), "/v1/projects/%lld", f.project[p]);
		json_t *view = journey_call("GET", path, office, NULL, 200);
		size_t i;
		json_t *g;
		json_array_foreach(json_object_get(view, "guidance"), i, g)
		{
			if (p == 1 && num(json_object_get(g, "organisation"), "id") == cmcc)
				cr_expect(json_is_true(json_object_get(g, "preferred")));
			if (p == 1 &&
			    !strcmp(json_string_value(json_object_get(g, "kind")), "water"))
				f.overdue = num(g, "id");
			if (p == 2 &&
			    !strcmp(json_string_value(json_object_get(g, "kind")), "water"))
				f.old = num(g, "id");
			if (!strcmp(json_string_value(json_object_get(g, "status")), "answered")) {
				f.answered = num(g, "id");
				continue;
			}
			json_object_del(g, "preferred");
			char key[32];
			snprintf(key, sizeof(key), "%lld", num(g, "id"));
			json_object_set(f.oracle, key, g);
		}
		json_decref(view);
	}
	cr_assert(f.overdue && f.old && f.answered);

	/* the water company's queue, two at a time: its two open water tasks */
	f.who = "water", f.org = city, f.matched = 0;
	walk(water, "/v1/guidance", 2, "id", guidance_item, &f);
	cr_expect_eq(f.matched, 2, "the water company's open fixture tasks");
	/* the preferred carrier's: its three network tasks */
	f.who = "mobile", f.org = cmcc, f.matched = 0;
	walk(mobile, "/v1/guidance", 3, "id", guidance_item, &f);
	cr_expect_eq(f.matched, 3);
	/* the office's view of one organisation, and of everyone's */
	f.who = "office org", f.org = city, f.matched = 0;
	char *op = xasprintf("/v1/guidance?organisation_id=%lld", city);
	walk(office, op, 1, "id", guidance_item, &f);
	free(op);
	cr_expect_eq(f.matched, 2);
	f.who = "office", f.org = 0, f.matched = 0;
	walk(office, "/v1/guidance", 50, "id", guidance_item, &f);
	cr_expect_eq(f.matched, json_object_size(f.oracle), "every open fixture task");

	json_decref(f.oracle);
	free(tok);
	free(water);
	free(office);
	free(mobile);
}

/* ------------------------------------------------------------------ post-checks */

/* A full application of the journey; its fast-tracked road permit's id into *permit. */
static void submit(long long *permit)
{
	char *tok = journey_login("applicant");
	json_t *app = journey_submit(tok, "Queue text");
	*permit = 0;
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(app, "permits"), i, p)
	{
		const char *d = json_string_value(json_object_get(p, "decision"));
		if (d && !strcmp(d, "approved_on_commitment"))
			*permit = num(p, "id");
	}
	cr_assert(*permit, "a fast-tracked permit: %s", json_dumps(app, 0));
	json_decref(app);
	free(tok);
}

static const char SQL_TASK_ROW[] =
    "SELECT t.id, t.permit_id, p.reference, a.reference, p.kind, p.state, t.org_id, "
    "DATE_FORMAT(t.created_at + INTERVAL 8 HOUR, '%Y-%m-%d') FROM tasks t "
    "JOIN permits p ON p.id = t.permit_id JOIN applications a ON a.id = p.application_id "
    "WHERE t.id = ?";

/* What the post-check queue showed of task id under Jansson, given its due date's fields. */
static json_t *post_check_expected(long long task, json_t *due, json_t *limit, int late)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	struct store_result *r = NULL;
	struct store_param p[] = {P_INT(task)};
	cr_assert_eq(store_exec(c, SQL_TASK_ROW, p, 1, &r, NULL), 0);
	cr_assert_eq(r->nrows, 1u);
	json_t *j = json_pack(
	    "{s:I, s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:o, s:o, s:b, s:i}", "task_id",
	    (json_int_t)task, "permit_id", (json_int_t)store_cell_ll(r, 0, 1, 0), "reference",
	    store_cell(r, 0, 2), "application", store_cell(r, 0, 3), "kind", store_cell(r, 0, 4),
	    "permit_state", store_cell(r, 0, 5), "org_id", (json_int_t)store_cell_ll(r, 0, 6, 0),
	    "opened_on", store_cell(r, 0, 7), "due_date", due, "limit_days", limit, "overdue",
	    late > 0, "days_overdue", late);
	store_result_free(r);
	store_release(c);
	return j;
}

struct post_fixture {
	json_t *want; /* task id -> expected item */
	size_t matched, overdue, count;
};

static void post_check_item(json_t *it, void *ctx)
{
	struct post_fixture *f = ctx;
	f->count++;
	f->overdue += json_is_true(json_object_get(it, "overdue"));
	f->matched += same_as(it, f->want, "task_id", "post-check");
}

/* The list once, as a page: json_text's text, envelope keys in order, each item checked. */
static void post_checks(const char *token, struct post_fixture *f)
{
	f->matched = f->overdue = f->count = 0;
	struct reply r;
	cr_assert_eq(http_call(&r, "GET", "/v1/post-checks", token, NULL, NULL), 200, "%s", r.body);
	char *again = json_text(r.json);
	cr_assert_str_eq(again, r.body, "the text json_text writes");
	free(again);
	static const char *const keys[] = {"as_of", "count", "overdue", "items"};
	keys_in_order(r.json, keys, 4, "/v1/post-checks");
	cr_expect_str_eq(json_string_value(json_object_get(r.json, "as_of")), journey_day(0));
	long long *seen = xcalloc(json_array_size(json_object_get(r.json, "items")) + 1, 8);
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(r.json, "items"), i, it)
	{
		for (size_t s = 0; s < i; s++)
			cr_expect_neq(seen[s], num(it, "task_id"), "a task twice");
		seen[i] = num(it, "task_id");
		post_check_item(it, f);
	}
	free(seen);
	cr_expect_eq(num(r.json, "count"), (long long)f->count);
	cr_expect_eq(num(r.json, "overdue"), (long long)f->overdue);
	reply_release(&r);
}

static long long task_of(long long permit)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	struct store_result *r = NULL;
	struct store_param p[] = {P_INT(permit)};
	cr_assert_eq(store_exec(c,
				"SELECT MAX(id) FROM tasks WHERE permit_id = ? AND "
				"kind = 'post_check' AND status = 'open'",
				p, 1, &r, NULL),
		     0);
	long long id = store_cell_ll(r, 0, 0, 0);
	store_result_free(r);
	store_release(c);
	return id;
}

Test(queue_text2, post_check_queue_is_json_text_with_every_field)
{
	rules_check_every_fast_track(); /* queued whatever the sampling draw */
	long long fresh, late, other;
	submit(&fresh);
	submit(&late);
	submit(&other);
	/* one opened 40 days ago (overdue); one whose permit's kind has no fast track: no due date
	 */
	sql("UPDATE tasks SET created_at = created_at - INTERVAL 40 DAY WHERE permit_id = %lld "
	    "AND kind = 'post_check'",
	    late);
	sql("UPDATE permits SET kind = 'greening' WHERE id = %lld", other);
	long long tf = task_of(fresh), tl = task_of(late), to = task_of(other);
	cr_assert(tf && tl && to);

	const struct published *pub = snapshot_get(harness_app(srv));
	cr_assert(pub);
	char d1[11], d2[11];
	day_t due_then = calendar_add_working_days(&pub->cal, day_at(-40), 10);
	cal_day_format(calendar_add_working_days(&pub->cal, day_at(0), 10), d1);
	cal_day_format(due_then, d2);
	snapshot_put(pub);
	int days = walked(due_then, day_at(0));
	cr_assert_gt(days, 0);

	struct post_fixture f = {.want = json_object()};
	char key[32];
	snprintf(key, sizeof(key), "%lld", tf);
	json_object_set_new(f.want, key,
			    post_check_expected(tf, json_string(d1), json_integer(10), 0));
	snprintf(key, sizeof(key), "%lld", tl);
	json_object_set_new(f.want, key,
			    post_check_expected(tl, json_string(d2), json_integer(10), days));
	snprintf(key, sizeof(key), "%lld", to);
	json_object_set_new(f.want, key, post_check_expected(to, json_null(), json_null(), 0));

	char *road = journey_login("road"), *office = journey_login("office"), *greening = journey_login("greening");
	post_checks(road, &f);
	cr_expect_eq(f.matched, 3, "the road authority's three");
	cr_expect_geq(f.overdue, 1);
	post_checks(office, &f);
	cr_expect_eq(f.matched, 3, "the office sees every authority's");
	post_checks(greening, &f);
	cr_expect_eq(f.matched, 0, "another authority's are not listed");
	/* recorded: it leaves the queue */
	char path[96];
	snprintf(path, sizeof(path), "/v1/permits/%lld/transitions", fresh);
	json_decref(journey_call("POST", path, road,
				 "{\"action\":\"post_check\",\"result\":\"pass\"}", 200));
	post_checks(road, &f);
	cr_expect_eq(f.matched, 2, "done: no longer queued");

	json_decref(f.want);
	free(road);
	free(office);
	free(greening);
}
