/*
 * Projects at the planning stage (issue #20) over HTTP on the demo city: who may register,
 * answer and list; every problem of a registration in one 422; one guidance task per serving
 * organisation and kind with a due date on the calendar; the answer with its estimate from the
 * published schedule; nobody else answers; overdue guidance in the office's supervision.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "integrations/dispatcher.h"
#include "integrations/webhook.h"
#include "store/db.h"
#include "workflows/calendar.h"
#include "lib/xalloc.h"
#include "support/harness.h"
#include "support/journey.h"

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
TestSuite(projects, .init = setup, .fini = teardown, .timeout = 120);

/* How many projects bear this name. */
static long long count_named(const char *name)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	struct store_result *r = NULL;
	struct store_param p[] = {P_STR(name)};
	cr_assert_eq(store_exec(c, "SELECT COUNT(*) FROM projects WHERE name = ?", p, 1, &r, NULL),
		     0);
	long long n = store_cell_ll(r, 0, 0, 0);
	store_result_free(r);
	store_release(c);
	return n;
}

/* One number from SQL with one bound integer. */
static long long count_of(const char *sql, long long a)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	struct store_result *r = NULL;
	struct store_param p[] = {P_INT(a)};
	cr_assert_eq(store_exec(c, sql, p, 1, &r, NULL), 0, "%s", sql);
	long long n = store_cell_ll(r, 0, 0, 0);
	store_result_free(r);
	store_release(c);
	return n;
}

/* A point in Gulou (鼓楼区), where the city's water company and four carriers serve. */
#define GULOU "\"geometry\":{\"type\":\"Point\",\"coordinates\":[119.2914,26.0826]}"
#define NEEDS "\"needs\":{\"water\":{\"m3_per_day\":120,\"dn\":50},\"network\":{\"lines\":4}}"

/* A registration body in Gulou needing water and network; extra members may follow. */
static char *project_body(const char *extra)
{
	return xasprintf("{\"name\":\"Planned block %d\"," GULOU "," NEEDS
			 ",\"hookup_date\":\"%s\"%s}",
			 harness_unique(), journey_day(200), extra ? extra : "");
}

static bool has(json_t *e, const char *field, const char *code)
{
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(json_object_get(e, "error"), "details"), i, d)
	{
		if (!strcmp(json_string_value(json_object_get(d, "field")), field) &&
		    !strcmp(json_string_value(json_object_get(d, "code")), code))
			return true;
	}
	return false;
}

/* The project's guidance of kind (for org, or any when 0): how many, and the first. */
static size_t guidance_of(json_t *project, const char *kind, long long org, json_t **first)
{
	size_t i, n = 0;
	json_t *g;
	if (first)
		*first = NULL;
	json_array_foreach(json_object_get(project, "guidance"), i, g)
	{
		long long o =
		    json_integer_value(json_object_get(json_object_get(g, "organisation"), "id"));
		if (strcmp(json_string_value(json_object_get(g, "kind")), kind) ||
		    (org && o != org))
			continue;
		if (first && !n)
			*first = g;
		n++;
	}
	return n;
}

static const char ANSWER[] =
    "{\"connection_point\":{\"geometry\":{\"type\":\"Point\",\"coordinates\":[119.2916,26.0827]},"
    "\"description\":\"DN300 main under Nanhou Street, chamber 12\"},"
    "\"capacity\":{\"status\":\"available\"},"
    "\"conditions\":[\"backflow preventer at the meter\"],\"length_m\":10,"
    "\"quote\":[{\"code\":\"W-CONN\",\"quantity\":1,\"unit_price_fen\":250000},"
    "{\"code\":\"W-PIPE\",\"quantity\":10,\"unit_price_fen\":18000}]}";

struct refusal {
	const char *who;	   /* demo account, NULL: anonymous */
	const char *method, *path; /* %lld: the project */
	const char *body;	   /* NULL: project_body(NULL) */
	long want;
};

Test(projects, who_may_register_list_and_answer)
{
	char *tok = journey_login("applicant");
	char *body = project_body(NULL);
	json_t *p = journey_call("POST", "/v1/projects", tok, body, 201);
	long long id = json_integer_value(json_object_get(p, "id"));
	static const struct refusal table[] = {
	    {NULL, "POST", "/v1/projects", NULL, 401},
	    /* a utility registers only its own planned works (digs), never needs */
	    {"water", "POST", "/v1/projects", NULL, 422},
	    {"road", "POST", "/v1/projects", NULL, 403},
	    /* the office registers for an applicant, which it must name */
	    {"office", "POST", "/v1/projects", NULL, 422},
	    {NULL, "GET", "/v1/guidance", NULL, 401},
	    {"applicant", "GET", "/v1/guidance", NULL, 403},
	    {"road", "GET", "/v1/guidance", NULL, 403},
	    {"water", "GET", "/v1/guidance", NULL, 200},
	    {"office", "GET", "/v1/guidance", NULL, 200},
	    {"applicant", "POST", "/v1/projects/%lld/guidance/water", ANSWER, 403},
	    {"road", "POST", "/v1/projects/%lld/guidance/water", ANSWER, 403},
	    {"office", "POST", "/v1/projects/%lld/guidance/water", ANSWER, 403},
	    /* a utility not guiding the project sees neither the project nor a task */
	    {"power", "POST", "/v1/projects/%lld/guidance/water", ANSWER, 404},
	    {"power", "POST", "/v1/projects/%lld/guidance/power", ANSWER, 404},
	    {"water", "POST", "/v1/projects/%lld/guidance/sewage", ANSWER, 404},
	    {"power", "GET", "/v1/projects/%lld", NULL, 404},
	    {"fuqing-water", "GET", "/v1/projects/%lld", NULL, 404},
	    {"water", "GET", "/v1/projects/%lld", NULL, 200},
	    {"office", "GET", "/v1/projects/%lld", NULL, 200},
	    {"applicant", "GET", "/v1/projects/%lld", NULL, 200},
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct refusal *r = &table[i];
		char *who = r->who ? journey_login(r->who) : NULL;
		char *path = xasprintf(r->path, id);
		char *b = r->body		? xstrdup(r->body)
			  : r->method[0] == 'P' ? project_body(NULL)
						: NULL;
		struct reply rep;
		http_call(&rep, r->method, path, who, b, NULL);
		cr_expect_eq(rep.status, r->want, "%s %s as %s: got %ld, want %ld: %.300s",
			     r->method, path, r->who ? r->who : "anonymous", rep.status, r->want,
			     rep.body);
		reply_release(&rep);
		free(who);
		free(path);
		free(b);
	}
	/* nothing was answered by any of them */
	json_t *again = journey_call("GET", "/v1/projects/0", tok, NULL, 404);
	json_decref(again);
	char *path = xasprintf("/v1/projects/%lld", id);
	again = journey_call("GET", path, tok, NULL, 200);
	json_t *w;
	guidance_of(again, "water", 0, &w);
	cr_expect_str_eq(json_string_value(json_object_get(w, "status")), "due");
	json_decref(again);
	free(path);
	json_decref(p);
	free(body);
	free(tok);
}

Test(projects, registration_lists_every_problem)
{
	char *tok = journey_login("applicant");
	long long other = journey_org("City Water Supply Co. (demo)");
	char *body = xasprintf(
	    "{\"name\":\"\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[117.02,36.66]},"
	    "\"needs\":{\"water\":{\"m3_per_day\":120},\"power\":{\"kva\":\"lots\"},"
	    "\"sewage\":{}},\"hookup_date\":\"2001-01-01\",\"materials\":[{\"material_id\":\"x\"}],"
	    "\"organisation_id\":%lld,\"colour\":\"red\"}",
	    other);
	json_t *e = journey_call("POST", "/v1/projects", tok, body, 422);
	static const char *const want[][2] = {
	    {"name", "required"},
	    {"geometry", "outside_city"},
	    {"needs.water.dn", "required"},
	    {"needs.power.kva", "wrong_type"},
	    {"needs.sewage", "unknown_kind"},
	    {"hookup_date", "in_the_past"},
	    {"materials[0]", "wrong_type"},
	    {"organisation_id", "not_allowed"},
	    {"colour", "unknown_field"},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_expect(has(e, want[i][0], want[i][1]), "%s %s missing in %s", want[i][0],
			  want[i][1], json_dumps(e, 0));
	json_decref(e);
	free(body);
	/* in the city, but in a county the demo's water company does not serve */
	body = xasprintf("{\"name\":\"Pingtan plan\",\"geometry\":{\"type\":\"Point\","
			 "\"coordinates\":[119.79,25.50]},\"needs\":{\"water\":{\"m3_per_day\":5,"
			 "\"dn\":25}},\"hookup_date\":\"%s\",\"providers\":{\"network\":%lld}}",
			 journey_day(100), other);
	e = journey_call("POST", "/v1/projects", tok, body, 422);
	cr_expect(has(e, "needs.water", "no_provider"), "%s", json_dumps(e, 0));
	json_decref(e);
	free(body);
	free(tok);
}

Test(projects, guidance_goes_to_whoever_serves_and_is_answered_with_the_schedule)
{
	char *tok = journey_login("applicant"), *water = journey_login("water"), *net = journey_login("network");
	char *body = project_body(NULL);
	json_t *p = journey_call("POST", "/v1/projects", tok, body, 201);
	long long id = json_integer_value(json_object_get(p, "id"));
	long long city = journey_org("City Water Supply Co. (demo)");
	long long radio = journey_org("Fuzhou Radio & TV Network (demo)");
	long long mobile = journey_org("China Mobile Fuzhou (demo)");
	json_t *g;
	cr_expect_eq(guidance_of(p, "water", 0, &g), 1, "one water guidance: %s", json_dumps(p, 0));
	cr_assert(g);
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(g, "organisation"), "id")),
		     city);
	cr_expect_eq(json_integer_value(json_object_get(g, "limit_days")), 5,
		     "the published guidance stage");
	const char *due = json_string_value(json_object_get(g, "due_date"));
	cr_expect(due && strcmp(due, journey_day(5)) >= 0 && strcmp(due, journey_day(20)) <= 0,
		  "five working days on: %s", due);
	/* every carrier serving Gulou is asked (none was chosen) */
	cr_expect_geq(guidance_of(p, "network", 0, NULL), 2, "%s", json_dumps(p, 0));
	cr_expect_eq(guidance_of(p, "network", radio, NULL), 1);
	cr_expect_eq(guidance_of(p, "network", mobile, NULL), 1);
	json_decref(p);
	free(body);

	/*
	 * the applicant may name its preferred carrier: it is kept on the project and marked on
	 * that carrier's task, and every carrier serving the site is asked all the same
	 */
	char *chosen = xasprintf(",\"providers\":{\"network\":%lld}", mobile);
	body = project_body(chosen);
	json_t *q = journey_call("POST", "/v1/projects", tok, body, 201);
	cr_expect_geq(guidance_of(q, "network", 0, NULL), 2, "%s", json_dumps(q, 0));
	cr_expect_eq(guidance_of(q, "network", radio, NULL), 1, "%s", json_dumps(q, 0));
	cr_expect_eq(guidance_of(q, "network", mobile, NULL), 1);
	cr_expect_eq(json_integer_value(
			 json_object_get(json_object_get(q, "providers"), "network")),
		     mobile, "the preferred carrier is kept: %s", json_dumps(q, 0));
	size_t k;
	json_t *t;
	json_array_foreach(json_object_get(q, "guidance"), k, t)
	{
		long long org =
		    json_integer_value(json_object_get(json_object_get(t, "organisation"), "id"));
		cr_expect_eq(json_is_true(json_object_get(t, "preferred")),
			     org == mobile && !strcmp(json_string_value(json_object_get(t, "kind")),
						      "network"),
			     "preferred only on the chosen carrier's task: %s", json_dumps(t, 0));
	}
	char *qp = xasprintf("/v1/projects/%lld", json_integer_value(json_object_get(q, "id")));
	json_t *qr = journey_call("GET", qp, tok, NULL, 200);
	cr_expect_eq(json_integer_value(
			 json_object_get(json_object_get(qr, "providers"), "network")),
		     mobile, "the read shows it: %s", json_dumps(qr, 0));
	json_decref(qr);
	free(qp);
	json_decref(q);
	free(body);
	free(chosen);
	/* one that does not serve the site is refused, and nothing is registered */
	chosen = xasprintf(",\"providers\":{\"network\":%lld}", city);
	body = project_body(chosen);
	json_t *sent = json_loads(body, 0, NULL);
	q = journey_call("POST", "/v1/projects", tok, body, 422);
	cr_expect(has(q, "providers.network", "not_serving"), "%s", json_dumps(q, 0));
	cr_expect_eq(count_named(json_string_value(json_object_get(sent, "name"))), 0,
		     "nothing registered");
	json_decref(sent);
	json_decref(q);
	free(body);
	free(chosen);

	/* the office registers for the applicant, who then sees it as its own */
	long long huaxin = journey_org("Huaxin Property Development Co. (demo)");
	char *office = journey_login("office");
	char *behalf = xasprintf(",\"organisation_id\":%lld", huaxin);
	body = project_body(behalf);
	q = journey_call("POST", "/v1/projects", office, body, 201);
	cr_expect_eq(json_integer_value(json_object_get(q, "organisation_id")), huaxin);
	char *qpath = xasprintf("/v1/projects/%lld", json_integer_value(json_object_get(q, "id")));
	json_decref(journey_call("GET", qpath, tok, NULL, 200));
	json_decref(q);
	free(qpath);
	free(body);
	free(behalf);
	free(office);

	/* the water company's queue shows it; another carrier cannot answer for water */
	json_t *queue = journey_call("GET", "/v1/guidance?limit=200", water, NULL, 200);
	size_t i, found = 0;
	json_array_foreach(json_object_get(queue, "items"), i, g) found +=
	    json_integer_value(json_object_get(g, "project_id")) == id;
	cr_expect_eq(found, 1, "%s", json_dumps(queue, 0));
	json_decref(queue);
	char *path = xasprintf("/v1/projects/%lld/guidance/water", id);
	json_t *e = journey_call("POST", path, net, ANSWER, 404);
	json_decref(e);
	/* an answer without its connection point lists that with every other problem */
	e = journey_call("POST", path, water,
			 "{\"capacity\":{\"status\":\"reinforcement\"},\"conditions\":[7]}", 422);
	cr_expect(has(e, "connection_point", "required"), "%s", json_dumps(e, 0));
	cr_expect(has(e, "capacity.ready_by", "required"), "%s", json_dumps(e, 0));
	cr_expect(has(e, "conditions[0]", "wrong_type"), "%s", json_dumps(e, 0));
	json_decref(e);

	/* a quote may name only items of the published schedule, at their price */
	e = journey_call("POST", path, water,
			 "{\"connection_point\":{\"geometry\":{\"type\":\"Point\",\"coordinates\":"
			 "[119.2916,26.0827]},\"description\":\"main\"},\"capacity\":{\"status\":"
			 "\"available\"},\"quote\":[{\"code\":\"W-SURVEY\",\"quantity\":1,"
			 "\"unit_price_fen\":50000},{\"code\":\"W-CONN\",\"quantity\":1,"
			 "\"unit_price_fen\":1}]}",
			 422);
	cr_expect(has(e, "quote[0].code", "not_published"), "%s", json_dumps(e, 0));
	cr_expect(has(e, "quote[1].unit_price_fen", "price_mismatch"), "%s", json_dumps(e, 0));
	json_decref(e);

	/* answered: DN 50 is the 26-50 band (2,500.00), 10 m of pipe at 180.00, the meter free */
	json_t *a = journey_call("POST", path, water, ANSWER, 200);
	cr_expect_str_eq(json_string_value(json_object_get(a, "status")), "answered");
	cr_expect_eq(json_integer_value(json_object_get(a, "estimate_total_fen")),
		     250000 + 10 * 18000, "%s", json_dumps(a, 0));
	json_t *ans = json_object_get(a, "answer");
	cr_expect_eq(json_integer_value(json_object_get(ans, "quote_total_fen")), 430000, "%s",
		     json_dumps(ans, 0));
	json_t *lines = json_object_get(json_object_get(ans, "estimate"), "lines");
	cr_expect_str_eq(json_string_value(json_object_get(json_array_get(lines, 0), "code")),
			 "W-CONN", "%s", json_dumps(a, 0));
	cr_expect_str_eq(
	    json_string_value(json_object_get(
		json_object_get(json_object_get(ans, "connection_point"), "geometry"), "type")),
	    "Point");
	json_decref(a);
	/* once only */
	e = journey_call("POST", path, water, ANSWER, 409);
	json_decref(e);
	/* the applicant sees it answered; the carrier sees its own task only */
	free(path);
	path = xasprintf("/v1/projects/%lld", id);
	json_t *view = journey_call("GET", path, tok, NULL, 200);
	guidance_of(view, "water", 0, &g);
	cr_expect_str_eq(json_string_value(json_object_get(g, "status")), "answered");
	cr_expect(json_is_false(json_object_get(g, "answered_late")));
	json_decref(view);
	view = journey_call("GET", path, net, NULL, 200);
	cr_expect_eq(json_array_size(json_object_get(view, "guidance")), 1, "%s",
		     json_dumps(view, 0));
	json_decref(view);
	free(path);
	free(tok);
	free(water);
	free(net);
}

Test(projects, overdue_guidance_is_supervised)
{
	char *tok = journey_login("applicant"), *office = journey_login("office"), *water = journey_login("water");
	char *body = project_body(NULL);
	json_t *p = journey_call("POST", "/v1/projects", tok, body, 201);
	json_t *g;
	guidance_of(p, "water", 0, &g);
	long long gid = json_integer_value(json_object_get(g, "id"));
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "UPDATE guidance SET due_day = UTC_DATE() - INTERVAL 10 DAY, started_day = "
		 "UTC_DATE() - INTERVAL 20 DAY WHERE id = %lld",
		 gid);
	harness_sql(harness_db_name(), sql);
	json_t *list = journey_call("GET", "/v1/supervision/overdue", office, NULL, 200);
	size_t i;
	json_t *it, *mine = NULL;
	json_array_foreach(json_object_get(list, "items"), i, it)
	{
		if (!strcmp(json_string_value(json_object_get(it, "object")), "guidance") &&
		    json_integer_value(json_object_get(it, "id")) == gid)
			mine = it;
	}
	cr_assert(mine, "the overdue guidance is listed for the office");
	cr_expect_str_eq(json_string_value(json_object_get(mine, "stage")), "guidance");
	cr_expect_gt(json_integer_value(json_object_get(mine, "days_overdue")), 0);
	json_decref(list);
	/* the utility's queue flags it */
	json_t *queue = journey_call("GET", "/v1/guidance?limit=200", water, NULL, 200);
	bool flagged = false;
	json_array_foreach(json_object_get(queue, "items"), i,
			   it) if (json_integer_value(json_object_get(it, "id")) == gid) flagged =
	    json_is_true(json_object_get(it, "overdue"));
	cr_expect(flagged, "%s", json_dumps(queue, 0));
	json_decref(queue);
	/* answered late: no longer overdue, but the project says it was late */
	char *path = xasprintf("/v1/projects/%lld/guidance/water",
			       json_integer_value(json_object_get(p, "id")));
	json_t *a = journey_call("POST", path, water, ANSWER, 200);
	cr_expect(json_is_true(json_object_get(a, "answered_late")), "%s", json_dumps(a, 0));
	json_decref(a);
	free(path);
	json_decref(p);
	free(body);
	free(tok);
	free(office);
	free(water);
}

/* One row of SQL with one bound integer: its first column as text (caller frees), or NULL. */
static char *cell_text(const char *sql, long long a, long long *id)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	struct store_result *r = NULL;
	struct store_param p[] = {P_INT(a)};
	cr_assert_eq(store_exec(c, sql, p, 1, &r, NULL), 0, "%s", sql);
	char *text = r->nrows && store_cell(r, 0, 0) ? strdup(store_cell(r, 0, 0)) : NULL;
	if (id)
		*id = r->nrows ? store_cell_ll(r, 0, 1, 0) : 0;
	store_result_free(r);
	store_release(c);
	return text;
}

/* Posts a signed callback to the kind's adapter with the API key. */
static long signed_callback(struct reply *r, const char *kind, const char *key,
			    const char *secret, const char *body)
{
	struct webhook_headers h = {0};
	const char *keys[] = {secret};
	struct error err = ERROR_INIT;
	char id[48];
	snprintf(id, sizeof(id), "msg_g_%d", harness_unique());
	cr_assert_eq(webhook_headers_build(&h, id, (int64_t)time(NULL), body, strlen(body), keys, 1,
					   &err),
		     0, "%s", err.message);
	char hid[300], hts[64], hsig[400], path[96];
	snprintf(hid, sizeof(hid), "webhook-id: %s", h.id);
	snprintf(hts, sizeof(hts), "webhook-timestamp: %s", h.timestamp);
	snprintf(hsig, sizeof(hsig), "webhook-signature: %s", h.signature);
	const char *headers[] = {hid, hts, hsig, NULL};
	snprintf(path, sizeof(path), "/v1/integrations/%s/callbacks", kind);
	long status = http_call(r, "POST", path, key, body, headers);
	webhook_headers_release(&h);
	return status;
}

/*
 * guidance.requested goes out through the utility's adapter in its own shape (the loads in its
 * field names), and the utility answers through its adapter as over the API: validated, every
 * problem listed, nothing written until it is right.
 */
Test(projects, guidance_through_the_adapters_both_ways)
{
	char *tok = journey_login("applicant");
	char *body = project_body(NULL);
	json_t *p = journey_call("POST", "/v1/projects", tok, body, 201);
	long long pid = json_integer_value(json_object_get(p, "id"));
	const char *ref = json_string_value(json_object_get(p, "reference"));
	long long city = journey_org("City Water Supply Co. (demo)");
	/* out: the water company's event as its adapter sends it */
	long long ev = 0;
	char *payload = cell_text("SELECT payload, id FROM outbox WHERE event_type = "
				  "'guidance.requested' AND JSON_VALUE(payload, '$.object.kind') = "
				  "'water' AND JSON_VALUE(payload, '$.object.project.id') = ?",
				  pid, &ev);
	cr_assert(payload, "the water guidance event");
	json_t *out = dispatcher_body(ev, payload);
	json_t *data = json_object_get(out, "data");
	cr_expect(!json_object_get(out, "object"), "the adapter's shape: %s", json_dumps(out, 0));
	cr_expect_str_eq(json_string_value(json_object_get(data, "reference")), ref);
	cr_expect_eq(json_integer_value(json_object_get(data, "pipe_diameter_dn")), 50, "%s",
		     json_dumps(out, 0));
	cr_expect_eq(json_number_value(json_object_get(data, "daily_demand_m3")), 120);
	cr_expect(json_is_integer(json_object_get(data, "guidance_id")));
	cr_expect(json_object_get(data, "due_date") &&
		  json_object_get(json_object_get(data, "site"), "geometry"));
	json_decref(out);
	free(payload);

	/* in: a second water company, with its schedule, an API key and an endpoint, is asked too */
	char email[128], path[128], *doc, today[11];
	long long org = harness_make_user("utility", "water", true, email);
	char *utok = harness_login(email, HARNESS_PASSWORD);
	cal_day_format(cal_day_of_instant((int64_t)time(NULL)), today);
	cr_assert(asprintf(&doc,
			   "{\"utility_kind\":\"water\",\"effective_from\":\"%s\",\"items\":["
			   "{\"code\":\"W-CONN\",\"name_zh\":\"供水接入\",\"name_en\":\"Water "
			   "connection\",\"unit\":\"per_dn_band\",\"unit_price_fen\":200000,"
			   "\"conditions\":{\"dn_min\":15,\"dn_max\":300},"
			   "\"legal_basis\":\"Notice 1\"}]}",
			   today) > 0);
	json_t *d = journey_call("POST", "/v1/fee-schedules", utok, doc, 201);
	snprintf(path, sizeof(path), "/v1/fee-schedules/%lld/publish",
		 (long long)json_integer_value(json_object_get(d, "id")));
	json_decref(journey_call("POST", path, utok, NULL, 200));
	json_decref(d);
	free(doc);
	snprintf(path, sizeof(path), "/v1/organisations/%lld/api-keys", org);
	json_t *k = journey_call("POST", path, utok, "{}", 201);
	char *key = strdup(json_string_value(json_object_get(k, "key")));
	json_decref(k);
	snprintf(path, sizeof(path), "/v1/organisations/%lld/endpoint", org);
	json_t *e = journey_call("PUT", path, utok, "{\"url\":\"http://127.0.0.1:9/hook\"}", 201);
	char *secret = strdup(json_string_value(json_object_get(e, "secret")));
	json_decref(e);
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	struct store_param q[] = {P_INT(org), P_INT(pid), P_INT(city)};
	cr_assert_eq(store_run(c,
			       "INSERT INTO guidance (project_id, utility_kind, org_id, stage, "
			       "stage_limit_days, started_day, due_day) SELECT project_id, "
			       "utility_kind, ?, stage, stage_limit_days, started_day, due_day FROM "
			       "guidance WHERE project_id = ? AND utility_kind = 'water' AND org_id = ?",
			       q, 3, NULL, NULL, NULL),
		     0);
	store_release(c);
	static const char SQL_OPEN[] = "SELECT COUNT(*) FROM guidance WHERE org_id = ? AND "
				       "state = 'open'";
	static const char SQL_ANSWERED[] = "SELECT COUNT(*) FROM outbox WHERE event_type = "
					   "'guidance.answered' AND JSON_VALUE(payload, "
					   "'$.object.organisation_id') = ?";
	/* what the adapter refuses: every problem at once, nothing written */
	char *bad = xasprintf("{\"action\":\"guidance\",\"reference\":\"%s\",\"capacity\":{"
			      "\"status\":\"reinforcement\"},\"quote_lines\":[{\"code\":\"W-CONN\","
			      "\"quantity\":0,\"unit_price_fen\":200000}],\"colour\":\"red\"}",
			      ref);
	struct reply r;
	cr_expect_eq(signed_callback(&r, "water", key, secret, bad), 422, "%s", r.body);
	cr_expect(has(r.json, "connection_point", "required") &&
		      has(r.json, "capacity.ready_by", "required") &&
		      has(r.json, "quote_lines[0].quantity", "out_of_range") &&
		      has(r.json, "colour", "unknown_field"),
		  "every problem: %s", r.body);
	reply_release(&r);
	/* what the portal refuses, as over the API: a fee item not in the published schedule */
	char *unpublished = xasprintf(
	    "{\"action\":\"guidance\",\"reference\":\"%s\",\"connection_point\":{\"lat\":26.0827,"
	    "\"lng\":119.2916,\"description\":\"DN300 main, chamber 4\"},\"capacity\":{\"status\":"
	    "\"available\"},\"quote_lines\":[{\"code\":\"W-NOPE\",\"quantity\":1,"
	    "\"unit_price_fen\":100}]}",
	    ref);
	cr_expect_eq(signed_callback(&r, "water", key, secret, unpublished), 422, "%s", r.body);
	cr_expect(has(r.json, "quote[0].code", "not_published"), "%s", r.body);
	reply_release(&r);
	cr_expect_eq(count_of(SQL_OPEN, org), 1, "still open");
	cr_expect_eq(count_of(SQL_ANSWERED, org), 0, "no answer sent");
	/* a project with no task of the caller's */
	cr_expect_eq(signed_callback(&r, "water", key, secret,
				     "{\"action\":\"guidance\",\"reference\":\"PJ-999999999\","
				     "\"connection_point\":{\"lat\":26.08,\"lng\":119.29,"
				     "\"description\":\"x\"},\"capacity\":{\"status\":\"available\"}}"),
		     404, "%s", r.body);
	reply_release(&r);
	/* a good answer is recorded as the API records it */
	char *good = xasprintf(
	    "{\"action\":\"guidance\",\"reference\":\"%s\",\"connection_point\":{\"lat\":26.0827,"
	    "\"lng\":119.2916,\"description\":\"DN300 main, chamber 4\"},\"capacity\":{\"status\":"
	    "\"available\"},\"conditions\":[\"meter chamber at the boundary\"],\"length_m\":10}",
	    ref);
	cr_assert_eq(signed_callback(&r, "water", key, secret, good), 200, "%s", r.body);
	json_t *g = json_object_get(r.json, "object");
	cr_expect_str_eq(json_string_value(json_object_get(g, "status")), "answered", "%s", r.body);
	cr_expect_eq(json_integer_value(json_object_get(g, "estimate_total_fen")), 200000, "%s",
		     r.body);
	json_t *pt = json_object_get(json_object_get(json_object_get(g, "answer"),
						     "connection_point"),
				     "geometry");
	cr_expect_eq(json_number_value(json_array_get(json_object_get(pt, "coordinates"), 0)),
		     119.2916, "%s", r.body);
	reply_release(&r);
	cr_expect_eq(count_of(SQL_OPEN, org), 0, "answered");
	cr_expect_eq(count_of(SQL_ANSWERED, org), 1, "guidance.answered sent once");
	free(good);
	free(unpublished);
	free(bad);
	free(secret);
	free(key);
	free(utok);
	json_decref(p);
	free(body);
	free(tok);
}
