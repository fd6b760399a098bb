/*
 * Issue #20 done-when, over real HTTP on the demo city: guidance tasks per serving organisation
 * and kind with working-day due dates, one answered late in supervision; an application citing
 * its project starts its water job at the agreed connection point and skips the survey (stage
 * and timeline), its estimate from the guidance, the project's documents not asked again, a
 * change of the point only with a published reason code; planned digs on one register road six
 * weeks apart flagged for the road authority, on different roads not; and the refusals, each
 * with its status and the error envelope, writing nothing.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/db.h"
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
TestSuite(coordination, .init = setup, .fini = teardown, .timeout = 180);

/* One number from SQL with one bound integer. */
static long long count(const char *sql, long long a)
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

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* A point in Gulou (鼓楼区), where the city's water company and four carriers serve. */
#define GULOU "\"geometry\":{\"type\":\"Point\",\"coordinates\":[119.2914,26.0826]}"

static const char ANSWER[] =
    "{\"connection_point\":{\"geometry\":{\"type\":\"Point\",\"coordinates\":[119.2916,26.0827]},"
    "\"description\":\"DN300 main under Nanhou Street, chamber 12\"},"
    "\"capacity\":{\"status\":\"available\"},\"conditions\":[],\"length_m\":10}";

/* Registers a project of the applicant tok needing water (and extra members); returns it. */
static json_t *register_project(const char *tok, const char *needs, const char *extra)
{
	char *body = xasprintf("{\"name\":\"Coordinated block %d\"," GULOU ",\"needs\":{%s},"
			       "\"hookup_date\":\"%s\"%s}",
			       harness_unique(), needs, journey_day(200), extra ? extra : "");
	json_t *p = journey_call("POST", "/v1/projects", tok, body, 201);
	free(body);
	return p;
}

static json_t *guidance_of(json_t *project, const char *kind)
{
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(project, "guidance"), i, g) if (!strcmp(str(g, "kind"),
									       kind)) return g;
	return NULL;
}

static int weekday(const char *ymd)
{
	struct tm tm = {0};
	cr_assert(strptime(ymd, "%Y-%m-%d", &tm), "%s", ymd);
	tm.tm_isdst = -1;
	time_t t = timegm(&tm);
	gmtime_r(&t, &tm);
	return tm.tm_wday;
}

/* (a) one task per serving organisation and kind, due on a working day; answered late shows */
Test(coordination, guidance_per_organisation_due_on_working_days_and_late_answers_supervised)
{
	char *tok = journey_login("applicant"), *water = journey_login("water"), *office = journey_login("office");
	json_t *p = register_project(
	    tok, "\"water\":{\"m3_per_day\":80,\"dn\":50},\"network\":{\"lines\":2}", NULL);
	long long pid = json_integer_value(json_object_get(p, "id"));
	/* one per (kind, organisation): no pair twice, and each organisation serving Gulou asked */
	size_t i, j, nw = 0, nn = 0;
	json_t *g, *h;
	json_array_foreach(json_object_get(p, "guidance"), i, g)
	{
		nw += !strcmp(str(g, "kind"), "water");
		nn += !strcmp(str(g, "kind"), "network");
		json_array_foreach(json_object_get(p, "guidance"), j, h) if (j > i) cr_expect(
		    strcmp(str(g, "kind"), str(h, "kind")) ||
			json_integer_value(json_object_get(json_object_get(g, "organisation"),
							   "id")) !=
			    json_integer_value(
				json_object_get(json_object_get(h, "organisation"), "id")),
		    "two tasks for one organisation and kind: %s", json_dumps(p, 0));
		/* the due date is a working day at least limit_days after the start */
		const char *due = str(g, "due_date"), *start = str(g, "started_on");
		int wd = weekday(due);
		cr_expect(wd != 0 && wd != 6, "due on a weekend: %s", due);
		cr_expect_gt(strcmp(due, start), 0, "%s after %s", due, start);
		cr_expect_eq(count("SELECT COUNT(*) FROM guidance WHERE id = ? AND "
				   "DATEDIFF(due_day, started_day) >= stage_limit_days",
				   json_integer_value(json_object_get(g, "id"))),
			     1, "at least limit_days calendar days for %s", json_dumps(g, 0));
	}
	cr_expect_eq(nw, 1, "one water company serves Gulou");
	cr_expect_geq(nn, 2, "every carrier serving Gulou is asked: %s", json_dumps(p, 0));
	cr_expect_eq(count("SELECT COUNT(*) FROM outbox WHERE event_type = 'guidance.requested' "
			   "AND payload LIKE CONCAT('%\"id\":', ?, ',%')",
			   pid),
		     nw + nn, "one guidance.requested event per task");

	/* answered after its due day: listed and counted in supervision as late */
	json_t *w = guidance_of(p, "water");
	long long gid = json_integer_value(json_object_get(w, "id"));
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "UPDATE guidance SET due_day = UTC_DATE() - INTERVAL 3 DAY, started_day = "
		 "UTC_DATE() - INTERVAL 12 DAY WHERE id = %lld",
		 gid);
	harness_sql(harness_db_name(), sql);
	char *path = xasprintf("/v1/projects/%lld/guidance/water", pid);
	json_t *a = journey_call("POST", path, water, ANSWER, 200);
	cr_expect(json_is_true(json_object_get(a, "answered_late")), "%s", json_dumps(a, 0));
	json_decref(a);
	json_t *list = journey_call("GET", "/v1/supervision/overdue", office, NULL, 200);
	json_t *mine = NULL;
	json_array_foreach(json_object_get(list, "items"), i, g) if (!strcmp(str(g, "object"),
									     "guidance") &&
								     json_integer_value(json_object_get(
									 g, "id")) == gid) mine = g;
	cr_assert(mine, "the late answer is listed: %s", json_dumps(list, 0));
	cr_expect_str_eq(str(mine, "state"), "answered");
	cr_expect(json_is_true(json_object_get(mine, "answered_late")));
	cr_expect_str_eq(str(mine, "answered_on"), journey_day(0));
	cr_expect_gt(json_integer_value(json_object_get(mine, "days_overdue")), 0);
	cr_expect_geq(json_integer_value(json_object_get(list, "answered_late")), 1, "counted");
	json_decref(list);
	/* answered on time: not listed */
	json_t *q = register_project(tok, "\"water\":{\"m3_per_day\":5,\"dn\":25}", NULL);
	long long qg = json_integer_value(json_object_get(guidance_of(q, "water"), "id"));
	char *qpath = xasprintf("/v1/projects/%lld/guidance/water",
				json_integer_value(json_object_get(q, "id")));
	json_decref(journey_call("POST", qpath, water, ANSWER, 200));
	list = journey_call("GET", "/v1/supervision/overdue", office, NULL, 200);
	json_array_foreach(json_object_get(list, "items"), i, g) cr_expect(
	    strcmp(str(g, "object"), "guidance") || json_integer_value(json_object_get(g, "id")) != qg,
	    "an answer on time is not late");
	json_decref(list);
	json_decref(q);
	free(qpath);
	free(path);
	json_decref(p);
	free(tok);
	free(water);
	free(office);
}

static long long site_in_gulou(const char *tok)
{
	char *body = xasprintf("{\"name\":\"Planned site %d\",\"address\":\"A\"," GULOU "}",
			       harness_unique());
	json_t *j = journey_call("POST", "/v1/sites", tok, body, 201);
	long long id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	free(body);
	return id;
}

static json_t *job_of(json_t *app, const char *kind)
{
	size_t i;
	json_t *j;
	json_array_foreach(json_object_get(app, "jobs"), i, j) if (!strcmp(str(j, "utility_kind"),
									   kind)) return j;
	return NULL;
}

/* The timeline entries of the track with reference ref. */
static size_t timeline_of(json_t *app, const char *ref, json_t **out, size_t cap)
{
	size_t i, n = 0;
	json_t *e;
	json_array_foreach(json_object_get(app, "timeline"), i, e) if (!strcmp(str(e, "reference"),
									       ref) &&
								       n < cap) out[n++] = e;
	return n;
}

/* (b) the water job starts at the agreed point and skips the survey */
Test(coordination, citing_a_project_starts_at_the_agreed_point_and_skips_the_survey)
{
	char *tok = journey_login("applicant"), *water = journey_login("water");
	/* the documents are given once, on the project */
	json_t *materials = journey_upload_required(tok);
	char *m = json_dumps(materials, JSON_COMPACT);
	char *extra = xasprintf(",\"materials\":%s", m);
	json_t *p = register_project(tok, "\"water\":{\"m3_per_day\":120,\"dn\":50}", extra);
	long long pid = json_integer_value(json_object_get(p, "id"));
	char *path = xasprintf("/v1/projects/%lld/guidance/water", pid);
	json_t *ans = journey_call("POST", path, water, ANSWER, 200);
	long long guided_total = json_integer_value(json_object_get(ans, "estimate_total_fen"));
	cr_assert_gt(guided_total, 0);
	long long site = site_in_gulou(tok);

	/* without the project the same application lacks its documents */
	char *plain = xasprintf("{\"site_id\":%lld,\"utilities\":{\"water\":{\"dn\":50,"
				"\"use\":\"domestic\"}}}",
				site);
	json_t *e = journey_call("POST", "/v1/applications", tok, plain, 422);
	char *etext = json_dumps(e, 0);
	cr_expect(etext && strstr(etext, "material"), "documents asked for: %s", etext);
	free(etext);
	json_decref(e);

	char *body = xasprintf("{\"site_id\":%lld,\"project_id\":%lld,\"utilities\":{\"water\":{"
			       "\"dn\":50,\"use\":\"domestic\"}}}",
			       site, pid);
	json_t *app = journey_call("POST", "/v1/applications", tok, body, 201);
	cr_expect_str_eq(str(app, "project"), str(p, "reference"));
	json_t *job = job_of(app, "water");
	cr_assert(job, "%s", json_dumps(app, 0));
	json_t *cp = json_object_get(job, "connection_point");
	cr_expect_eq(json_integer_value(json_object_get(cp, "agreed_in_guidance")),
		     json_integer_value(json_object_get(guidance_of(p, "water"), "id")), "%s",
		     json_dumps(job, 0));
	cr_expect_str_eq(str(cp, "description"), "DN300 main under Nanhou Street, chamber 12");
	/* the estimate's water lines are the guidance's */
	long long water_fen = 0;
	size_t i;
	json_t *l;
	json_array_foreach(json_object_get(json_object_get(app, "estimate"), "lines"), i, l)
	{
		if (!strcmp(str(l, "utility_kind"), "water"))
			water_fen += json_integer_value(json_object_get(l, "amount_fen"));
	}
	cr_expect_eq(water_fen, guided_total, "%s", json_dumps(json_object_get(app, "estimate"), 0));
	/* the project's documents count as provided */
	long long app_id = json_integer_value(json_object_get(app, "id"));
	cr_expect_eq(count("SELECT COUNT(*) FROM application_materials WHERE application_id = ?",
			   app_id),
		     (long long)json_array_size(materials));

	/* the utility confirms the point: no survey stage, the plan runs next */
	long long jid = json_integer_value(json_object_get(job, "id"));
	char *tpath = xasprintf("/v1/jobs/%lld/transitions", jid);
	json_t *t = journey_call("POST", tpath, water, "{\"action\":\"confirm_point\"}", 200);
	cr_expect_str_eq(str(t, "state"), "surveyed", "%s", json_dumps(t, 0));
	cr_expect_str_eq(str(json_object_get(t, "clock"), "stage"), "plan", "%s", json_dumps(t, 0));
	json_decref(t);
	char *apath = xasprintf("/v1/applications/%lld", app_id);
	json_t *view = journey_call("GET", apath, tok, NULL, 200);
	cr_expect_str_eq(str(view, "project"), str(p, "reference"), "the application cites it");
	json_t *tl[16];
	size_t n = timeline_of(view, str(job, "reference"), tl, 16);
	cr_assert_eq(n, 2, "submit and confirm_point only: %s",
		     json_dumps(json_object_get(view, "timeline"), 0));
	cr_expect_str_eq(str(tl[0], "action"), "submit");
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(tl[0], "detail"),
							"guidance_id")),
		     json_integer_value(json_object_get(guidance_of(p, "water"), "id")), "%s",
		     json_dumps(tl[0], 0));
	cr_expect_str_eq(str(tl[1], "action"), "confirm_point");
	cr_expect_str_eq(str(tl[1], "from_state"), "submitted");
	cr_expect_str_eq(str(tl[1], "to_state"), "surveyed");
	cr_expect_str_eq(str(tl[1], "stage"), "plan");
	for (size_t k = 0; k < n; k++)
		cr_expect_str_neq(str(tl[k], "stage"), "survey", "no survey stage ran");
	json_decref(view);

	/* a second application: the utility surveys instead; changing the point needs a reason */
	json_t *app2 = journey_call("POST", "/v1/applications", tok, body, 201);
	long long j2 = json_integer_value(json_object_get(job_of(app2, "water"), "id"));
	char *t2 = xasprintf("/v1/jobs/%lld/transitions", j2);
	json_decref(journey_call("POST", t2, water, "{\"action\":\"accept\"}", 200));
	static const char MOVED[] = "\"connection_point\":{\"geometry\":{\"type\":\"Point\","
				    "\"coordinates\":[119.2918,26.0829]},\"description\":\"chamber 14\"}";
	char *b1 = xasprintf("{\"action\":\"survey\",%s}", MOVED);
	e = journey_call("POST", t2, water, b1, 422);
	cr_expect(has(e, "reason_code", "required"), "%s", json_dumps(e, 0));
	json_decref(e);
	char *b2 = xasprintf("{\"action\":\"survey\",\"reason_code\":\"DUPLICATE\",%s}", MOVED);
	e = journey_call("POST", t2, water, b2, 422);
	cr_expect(has(e, "reason_code", "unknown_code"), "a reject reason is not a point change: %s",
		  json_dumps(e, 0));
	json_decref(e);
	char *b3 = xasprintf("{\"action\":\"survey\",\"reason_code\":\"ROUTE_OBSTRUCTED\",%s}", MOVED);
	t = journey_call("POST", t2, water, b3, 200);
	cr_expect_str_eq(str(json_object_get(t, "connection_point"), "description"), "chamber 14");
	json_decref(t);
	/* the published list names the reasons */
	json_t *codes = journey_call("GET", "/v1/public/codes", NULL, NULL, 200);
	cr_expect_gt(json_array_size(json_object_get(codes, "point_change")), 0, "%s",
		     json_dumps(codes, 0));
	json_decref(codes);

	free(b1);
	free(b2);
	free(b3);
	free(t2);
	json_decref(app2);
	free(apath);
	free(tpath);
	json_decref(app);
	free(body);
	free(plain);
	json_decref(ans);
	free(path);
	json_decref(p);
	free(extra);
	free(m);
	json_decref(materials);
	free(tok);
	free(water);
}

/* Wusi Road (五四路, FZ-GL-0001) and Yangqiao Road (杨桥路, FZ-GL-0003) in Gulou. */
#define ON_WUSI "[[119.3051,26.0825],[119.3052,26.0845]]"
#define ON_YANGQIAO "[[119.2600,26.08371],[119.2650,26.08479]]"

static json_t *planned(const char *tok, const char *needs, const char *line, int from, int to)
{
	char *digs = xasprintf(",\"digs\":[{\"geometry\":{\"type\":\"LineString\",\"coordinates\":"
			       "%s},\"start_date\":\"%s\",\"end_date\":\"%s\",\"purpose\":"
			       "\"mains\"}]",
			       line, journey_day(from), journey_day(to));
	char *need = needs ? xasprintf(",\"needs\":{%s}", needs) : xstrdup("");
	char *body = xasprintf("{\"name\":\"Dig plan %d\"," GULOU "%s,\"hookup_date\":\"%s\"%s}",
			       harness_unique(), need, journey_day(300), digs);
	free(need);
	json_t *p = journey_call("POST", "/v1/projects", tok, body, 201);
	free(body);
	free(digs);
	return p;
}

/* Whether the plan flags a conflict between projects a and b (references). */
static bool flagged(json_t *plan, const char *a, const char *b)
{
	size_t i, k;
	json_t *road, *c;
	json_array_foreach(json_object_get(plan, "roads"), i, road)
	    json_array_foreach(json_object_get(road, "conflicts"), k, c)
	{
		json_t *pr = json_object_get(c, "projects");
		const char *x = json_string_value(json_array_get(pr, 0));
		const char *y = json_string_value(json_array_get(pr, 1));
		if ((!strcmp(x, a) && !strcmp(y, b)) || (!strcmp(x, b) && !strcmp(y, a)))
			return true;
	}
	return false;
}

/* Every page of the plan at path ("...?" or "...&" ready for the cursor): their roads as one. */
static json_t *whole_plan(const char *tok, const char *path)
{
	json_t *all = json_pack("{s:[], s:i}", "roads", "months", 0);
	char *cursor = xstrdup("");
	for (int page = 0; page < 1000; page++) {
		char *at = xasprintf("%scursor=%s", path, cursor);
		json_t *plan = journey_call("GET", at, tok, NULL, 200);
		free(at);
		json_array_extend(json_object_get(all, "roads"), json_object_get(plan, "roads"));
		json_object_set(all, "months", json_object_get(plan, "months"));
		const char *next = json_string_value(json_object_get(plan, "next_cursor"));
		free(cursor);
		cursor = next ? xstrdup(next) : NULL;
		json_decref(plan);
		if (!cursor)
			break;
	}
	cr_expect(!cursor, "the plan ends");
	free(cursor);
	return all;
}

/* (c) the same register road six weeks apart: a conflict; different roads: none */
Test(coordination, planned_digs_on_one_road_within_months_conflict)
{
	char *tok = journey_login("applicant"), *gas = journey_login("gas"), *road = journey_login("road");
	char *office = journey_login("office");
	json_t *a = planned(tok, "\"water\":{\"m3_per_day\":10,\"dn\":25}", ON_WUSI, 30, 40);
	/* a utility registers its own planned network works the same way, six weeks later */
	json_t *b = planned(gas, NULL, ON_WUSI, 72, 80);
	json_t *c = planned(tok, "\"water\":{\"m3_per_day\":10,\"dn\":25}", ON_YANGQIAO, 72, 80);
	const char *ra = str(a, "reference"), *rb = str(b, "reference"), *rc = str(c, "reference");
	json_t *da = json_array_get(json_object_get(a, "digs"), 0);
	cr_expect_str_eq(str(da, "road_id"), "FZ-GL-0001", "placed on the register: %s",
			 json_dumps(a, 0));
	cr_expect_str_eq(str(json_array_get(json_object_get(c, "digs"), 0), "road_id"),
			 "FZ-GL-0003");
	cr_expect_eq(json_array_size(json_object_get(b, "guidance")), 0, "works, not needs");

	json_t *plan = whole_plan(road, "/v1/coordination?");
	cr_expect(flagged(plan, ra, rb), "same road six weeks apart: %s", json_dumps(plan, 0));
	cr_expect(!flagged(plan, ra, rc) && !flagged(plan, rb, rc), "different roads: %s",
		  json_dumps(plan, 0));
	cr_expect_eq(json_integer_value(json_object_get(plan, "months")), 6);
	json_decref(plan);
	plan = journey_call("GET", "/v1/coordination?district=350102&road_id=FZ-GL-0001", office,
			    NULL, 200);
	cr_expect(flagged(plan, ra, rb), "%s", json_dumps(plan, 0));
	cr_expect_eq(json_array_size(json_object_get(plan, "roads")), 1);
	json_decref(plan);
	/* the road authority was told through its adapter */
	cr_expect_geq(count("SELECT COUNT(*) FROM outbox o JOIN organisations g ON g.id = o.org_id "
			    "WHERE o.event_type = 'coordination.conflict' AND g.kind = 'authority' "
			    "AND o.payload LIKE CONCAT('%', ?, '%')",
			    json_integer_value(json_object_get(b, "id"))),
		      1);
	/* GeoJSON and the map */
	json_t *fc = journey_call("GET", "/v1/coordination.geojson?road_id=FZ-GL-0001", road, NULL,
				  200);
	size_t i, conflicted = 0;
	json_t *f;
	json_array_foreach(json_object_get(fc, "features"), i, f) conflicted +=
	    json_is_true(json_object_get(json_object_get(f, "properties"), "conflict"));
	cr_expect_geq(conflicted, 2, "%s", json_dumps(fc, 0));
	json_decref(fc);
	struct reply rep;
	http_call(&rep, "GET", "/v1/coordination.svg", road, NULL, NULL);
	cr_expect_eq(rep.status, 200);
	cr_expect(rep.body && strstr(rep.body, "<svg") && strstr(rep.body, "conflict"), "%.300s",
		  rep.body);
	reply_release(&rep);
	/* another road authority sees only the roads of its own registers (none of these) */
	char email[128];
	harness_make_user("authority", "road", true, email);
	char *stranger = harness_login(email, "correct-horse-battery");
	plan = journey_call("GET", "/v1/coordination?road_id=FZ-GL-0001", stranger, NULL, 200);
	cr_expect_eq(json_integer_value(json_object_get(plan, "digs")), 0, "%s", json_dumps(plan, 0));
	cr_expect(!flagged(plan, ra, rb));
	json_decref(plan);
	/*
	 * ... and it is the register's organisation each dig keeps that decides, not a road id any
	 * register may list (another authority's register is not published here: the suites share
	 * the demo's roads)
	 */
	long long roads_org = journey_org("Urban Management Bureau, Roads (demo)");
	cr_expect_eq(count("SELECT COUNT(*) FROM planned_digs d JOIN projects p ON p.id = "
			   "d.project_id WHERE p.id IN (SELECT project_id FROM planned_digs WHERE "
			   "road_id = 'FZ-GL-0001') AND d.road_id = 'FZ-GL-0001' AND "
			   "(d.road_org_id IS NULL OR d.road_org_id <> ?)",
			   roads_org),
		     0, "every dig on the road keeps the register's authority");
	cr_expect_geq(count("SELECT COUNT(*) FROM planned_digs WHERE road_org_id = ?", roads_org),
		      2);
	free(stranger);
	/* an applicant does not see the plan */
	json_decref(journey_call("GET", "/v1/coordination", tok, NULL, 403));
	json_decref(a);
	json_decref(b);
	json_decref(c);
	free(tok);
	free(gas);
	free(road);
	free(office);
}

/* One registration a thread sends once both are ready. */
struct racer {
	pthread_barrier_t *go;
	const char *tok;
	char *body;
	struct reply rep;
};

static void *race(void *arg)
{
	struct racer *x = arg;
	pthread_barrier_wait(x->go);
	http_call(&x->rep, "POST", "/v1/projects", x->tok, x->body, NULL);
	return NULL;
}

/* The coordination.conflict events that pair projects a and b (references). */
static size_t conflict_events(const char *a, const char *b)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	struct store_result *r = NULL;
	struct store_param p[] = {P_STR(a), P_STR(b)};
	cr_assert_eq(store_exec(c,
				"SELECT payload FROM outbox WHERE event_type = "
				"'coordination.conflict' AND payload LIKE CONCAT('%', ?, '%') AND "
				"payload LIKE CONCAT('%', ?, '%')",
				p, 2, &r, NULL),
		     0);
	size_t found = 0;
	for (size_t i = 0; i < r->nrows; i++) {
		json_t *e = json_loads(store_cell(r, i, 0), 0, NULL);
		size_t k;
		json_t *pair;
		bool pairs = false;
		json_array_foreach(json_object_get(json_object_get(e, "object"), "conflicts"), k,
				   pair)
		{
			const char *x = json_string_value(json_array_get(json_object_get(pair, "projects"), 0));
			const char *y = json_string_value(json_array_get(json_object_get(pair, "projects"), 1));
			pairs = pairs || (x && y && ((!strcmp(x, a) && !strcmp(y, b)) ||
						     (!strcmp(x, b) && !strcmp(y, a))));
		}
		found += pairs;
		json_decref(e);
	}
	store_result_free(r);
	store_release(c);
	return found;
}

/*
 * Two registrations of digs on one road at the same moment: the road is locked while each
 * registers, so the later one sees the earlier one's dig and the conflict goes out once
 * (before, each read a snapshot without the other's dig and neither event was sent).
 */
Test(coordination, concurrent_digs_on_one_road_each_conflict_is_sent)
{
	char *tok = journey_login("applicant"), *gas = journey_login("gas");
	enum { ROUNDS = 6 };
	for (int round = 0; round < ROUNDS; round++) {
		pthread_barrier_t go;
		pthread_barrier_init(&go, NULL, 2);
		struct racer x[2] = {{.go = &go, .tok = tok}, {.go = &go, .tok = gas}};
		int day = 400 + 3 * round;
		for (int i = 0; i < 2; i++)
			x[i].body = xasprintf(
			    "{\"name\":\"Race %d.%d\"," GULOU "%s,\"hookup_date\":\"%s\",\"digs\":[{"
			    "\"geometry\":{\"type\":\"LineString\",\"coordinates\":" ON_WUSI "},"
			    "\"start_date\":\"%s\",\"end_date\":\"%s\"}]}",
			    harness_unique(), i, i ? "" : ",\"needs\":{\"water\":{\"m3_per_day\":5,\"dn\":25}}",
			    journey_day(500), journey_day(day + 40 * i), journey_day(day + 40 * i + 5));
		pthread_t t[2];
		for (int i = 0; i < 2; i++)
			cr_assert_eq(pthread_create(&t[i], NULL, race, &x[i]), 0);
		for (int i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
		pthread_barrier_destroy(&go);
		for (int i = 0; i < 2; i++)
			cr_assert_eq(x[i].rep.status, 201, "round %d: %s", round, x[i].rep.body);
		const char *ra = str(x[0].rep.json, "reference"), *rb = str(x[1].rep.json, "reference");
		cr_expect_eq(conflict_events(ra, rb), 1,
			     "round %d: one coordination.conflict pairs %s and %s", round, ra, rb);
		for (int i = 0; i < 2; i++) {
			reply_release(&x[i].rep);
			free(x[i].body);
		}
	}
	free(tok);
	free(gas);
}

/*
 * A new dig's conflicts are every dig of another project on its road within the window, however
 * many: 600 (before, only the first 500 digs of the road were read and 64 pairs kept).
 */
Test(coordination, every_conflict_on_a_crowded_road_is_sent)
{
	char *tok = journey_login("applicant"), *gas = journey_login("gas");
	enum { MANY = 600 };
	json_t *x = planned(gas, NULL, ON_YANGQIAO, 600, 605);
	long long xid = json_integer_value(json_object_get(x, "id"));
	/* the same works copied MANY times over (seq 2...), as if registered one by one */
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	struct store_param p[] = {P_INT(xid)};
	cr_assert_eq(store_run(c,
			       "INSERT INTO planned_digs (project_id, seq, org_id, purpose, "
			       "district_code, road_id, road_name, road_org_id, extent, start_day, "
			       "end_day) SELECT d.project_id, 1 + s.seq, d.org_id, d.purpose, "
			       "d.district_code, d.road_id, d.road_name, d.road_org_id, d.extent, "
			       "d.start_day + INTERVAL (s.seq % 30) DAY, d.end_day + INTERVAL "
			       "(s.seq % 30) DAY FROM planned_digs d JOIN seq_1_to_600 s "
			       "WHERE d.project_id = ?",
			       p, 1, NULL, NULL, NULL),
		     0);
	store_release(c);
	cr_assert_eq(count("SELECT COUNT(*) FROM planned_digs WHERE project_id = ?", xid),
		     MANY + 1);
	json_t *y = planned(tok, "\"water\":{\"m3_per_day\":5,\"dn\":25}", ON_YANGQIAO, 660, 665);
	const char *rx = str(x, "reference"), *ry = str(y, "reference");
	/* every one of the works' digs is paired with the new one, in events of 100 pairs */
	c = store_acquire(harness_pool(), 5000, NULL);
	struct store_result *r = NULL;
	struct store_param q[] = {P_STR(ry)};
	cr_assert_eq(store_exec(c,
				"SELECT payload FROM outbox WHERE event_type = "
				"'coordination.conflict' AND JSON_VALUE(payload, '$.object.project') = ?",
				q, 1, &r, NULL),
		     0);
	size_t pairs = 0, with_x = 0;
	long long parts = 0, total = 0;
	for (size_t i = 0; i < r->nrows; i++) {
		json_t *e = json_loads(store_cell(r, i, 0), 0, NULL);
		json_t *o = json_object_get(e, "object");
		size_t k;
		json_t *pair;
		json_array_foreach(json_object_get(o, "conflicts"), k, pair)
		{
			pairs++;
			const char *other = json_string_value(
			    json_array_get(json_object_get(pair, "projects"), 1));
			with_x += other && !strcmp(other, rx);
		}
		cr_expect_leq(json_array_size(json_object_get(o, "conflicts")), 100);
		parts = json_integer_value(json_object_get(o, "parts"));
		total = json_integer_value(json_object_get(o, "total"));
		json_decref(e);
	}
	cr_expect_eq((long long)r->nrows, parts, "every part sent");
	cr_expect_eq((long long)pairs, total, "the parts hold every pair");
	cr_expect_eq(with_x, (size_t)MANY + 1, "each of the works' %d digs paired: %zu", MANY + 1,
		     with_x);
	store_result_free(r);
	store_release(c);
	json_decref(x);
	json_decref(y);
	free(tok);
	free(gas);
}

/*
 * The plan comes in pages (a keyset cursor, ?limit=), each dig with every conflict it has, also
 * with digs on other pages; GeoJSON and the map page the same way and say more follow.
 */
Test(coordination, the_plan_pages_with_a_cursor_and_keeps_every_conflict)
{
	char *tok = journey_login("applicant"), *gas = journey_login("gas"), *road = journey_login("road");
	json_t *x = planned(gas, NULL, ON_YANGQIAO, 700, 705);
	long long xid = json_integer_value(json_object_get(x, "id"));
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	struct store_param p[] = {P_INT(xid)};
	cr_assert_eq(store_run(c,
			       "INSERT INTO planned_digs (project_id, seq, org_id, purpose, "
			       "district_code, road_id, road_name, road_org_id, extent, start_day, "
			       "end_day) SELECT d.project_id, 1 + s.seq, d.org_id, d.purpose, "
			       "d.district_code, d.road_id, d.road_name, d.road_org_id, d.extent, "
			       "d.start_day + INTERVAL s.seq DAY, d.end_day + INTERVAL s.seq DAY "
			       "FROM planned_digs d JOIN seq_1_to_30 s WHERE d.project_id = ?",
			       p, 1, NULL, NULL, NULL),
		     0);
	store_release(c);
	json_t *y = planned(tok, "\"water\":{\"m3_per_day\":5,\"dn\":25}", ON_YANGQIAO, 760, 765);
	long long ydig =
	    json_integer_value(json_object_get(json_array_get(json_object_get(y, "digs"), 0), "id"));
	/* page through Yangqiao Road seven digs at a time */
	char *cursor = xstrdup("");
	json_t *seen = json_object();
	size_t pages = 0, ywith = 0, ours = 0;
	const char *rx = str(x, "reference"), *ry = str(y, "reference");
	while (cursor) {
		char *path = xasprintf("/v1/coordination?road_id=FZ-GL-0003&limit=7&cursor=%s",
				       cursor);
		json_t *plan = journey_call("GET", path, road, NULL, 200);
		free(path);
		pages++;
		cr_expect_leq(json_integer_value(json_object_get(plan, "digs")), 7);
		cr_expect_eq(json_integer_value(json_object_get(plan, "limit")), 7);
		size_t i, k;
		json_t *r, *d;
		json_array_foreach(json_object_get(plan, "roads"), i, r)
		    json_array_foreach(json_object_get(r, "digs"), k, d)
		{
			char id[24];
			snprintf(id, sizeof(id), "%lld", json_integer_value(json_object_get(d, "id")));
			cr_expect(!json_object_get(seen, id), "dig %s on two pages", id);
			json_object_set_new(seen, id, json_true());
			ours += !strcmp(str(d, "project"), rx) || !strcmp(str(d, "project"), ry);
			if (json_integer_value(json_object_get(d, "id")) == ydig)
				ywith = json_array_size(json_object_get(d, "conflicts_with"));
		}
		const char *next = json_string_value(json_object_get(plan, "next_cursor"));
		free(cursor);
		cursor = next ? xstrdup(next) : NULL;
		json_decref(plan);
		cr_assert_lt(pages, 500u);
	}
	cr_expect_gt(pages, 4u, "31 digs and more in pages of 7");
	cr_expect_eq(ours, 32u, "each of the 32 digs of the two projects once");
	cr_expect_geq(ywith, 31u, "the new dig conflicts with each of the 31 works digs");
	/* GeoJSON and the map: a page, and say so */
	struct reply rep;
	http_call(&rep, "GET", "/v1/coordination.geojson?road_id=FZ-GL-0003&limit=5", road, NULL,
		  NULL);
	cr_expect_eq(rep.status, 200);
	cr_expect_eq(json_array_size(json_object_get(rep.json, "features")), 5);
	const char *next = json_string_value(json_object_get(rep.json, "next_cursor"));
	char hdr[32];
	cr_expect(next && reply_header(&rep, "X-Next-Cursor", hdr, sizeof(hdr)) &&
		      !strcmp(hdr, next),
		  "the next page named: %.200s", rep.body);
	reply_release(&rep);
	http_call(&rep, "GET", "/v1/coordination.svg?road_id=FZ-GL-0003&limit=2", road, NULL, NULL);
	cr_expect_eq(rep.status, 200);
	cr_expect(reply_header(&rep, "X-Next-Cursor", hdr, sizeof(hdr)), "%.200s", rep.headers);
	cr_expect(rep.body && strstr(rep.body, "data-next-cursor") &&
		      strstr(rep.body, "more digs follow"),
		  "%.400s", rep.body);
	reply_release(&rep);
	/* a cursor not given by the server, a limit out of range */
	json_t *e = journey_call("GET", "/v1/coordination?cursor=abc&limit=0", road, NULL, 422);
	cr_expect(has(e, "cursor", "invalid") && has(e, "limit", "out_of_range"), "%s",
		  json_dumps(e, 0));
	json_decref(e);
	e = journey_call("GET", "/v1/coordination?cursor=999999999", road, NULL, 422);
	cr_expect(has(e, "cursor", "invalid"), "%s", json_dumps(e, 0));
	json_decref(e);
	json_decref(seen);
	json_decref(x);
	json_decref(y);
	free(tok);
	free(gas);
	free(road);
}

/* (d) the refusals: status, the error envelope, nothing written */
Test(coordination, refusals_write_nothing)
{
	char *tok = journey_login("applicant"), *water = journey_login("water"), *power = journey_login("power");
	json_t *p = register_project(tok, "\"water\":{\"m3_per_day\":120,\"dn\":50}", NULL);
	long long pid = json_integer_value(json_object_get(p, "id"));
	char email[128];
	long long other_org = harness_make_user("applicant", NULL, true, email);
	char *other = harness_login(email, "correct-horse-battery");
	long long other_site = site_in_gulou(other);
	char *cite_other = xasprintf("{\"site_id\":%lld,\"project_id\":%lld,\"utilities\":{"
				     "\"water\":{\"dn\":50,\"use\":\"domestic\"}}}",
				     other_site, pid);
	char *cite_unknown = xasprintf("{\"site_id\":%lld,\"project_id\":2000000000,\"utilities\":{"
				       "\"water\":{\"dn\":50,\"use\":\"domestic\"}}}",
				       other_site);
	char *answer = xasprintf("/v1/projects/%lld/guidance/water", pid);
	static const char NO_POINT[] = "{\"capacity\":{\"status\":\"available\"}}";
	static const char BAD_FEE[] =
	    "{\"connection_point\":{\"geometry\":{\"type\":\"Point\",\"coordinates\":[119.2916,"
	    "26.0827]},\"description\":\"main\"},\"capacity\":{\"status\":\"available\"},"
	    "\"quote\":[{\"code\":\"NOT-AN-ITEM\",\"quantity\":1,\"unit_price_fen\":100}]}";
	const struct {
		const char *name, *who, *path, *body;
		long status;
		const char *field, *code;
	} table[] = {
	    {"citing someone else's project", other, "/v1/applications", cite_other, 422,
	     "project_id", "unknown"},
	    {"citing an unknown project", other, "/v1/applications", cite_unknown, 422,
	     "project_id", "unknown"},
	    {"answering a task that is not yours", power, answer, ANSWER, 404, NULL, NULL},
	    {"an answer missing its connection point", water, answer, NO_POINT, 422,
	     "connection_point", "required"},
	    {"a fee item not in the published schedule", water, answer, BAD_FEE, 422,
	     "quote[0].code", "not_published"},
	};
	static const char SQL_APPS[] = "SELECT COUNT(*) FROM applications WHERE org_id = ?";
	static const char SQL_ANSWERED[] =
	    "SELECT COUNT(*) FROM guidance WHERE project_id = ? AND state <> 'open'";
	static const char SQL_EVENTS[] =
	    "SELECT COUNT(*) FROM outbox WHERE event_type = 'guidance.answered' AND payload LIKE "
	    "CONCAT('%PJ-', LPAD(?, 6, '0'), '%')";
	static const char SQL_AUDIT[] =
	    "SELECT COUNT(*) FROM audit_log WHERE action = 'guidance.answer' AND detail LIKE "
	    "CONCAT('%PJ-', LPAD(?, 6, '0'), '%')";
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		long long apps = count(SQL_APPS, other_org), answered = count(SQL_ANSWERED, pid);
		long long events = count(SQL_EVENTS, pid), audit = count(SQL_AUDIT, pid);
		json_t *e = journey_call("POST", table[i].path, table[i].who, table[i].body,
					 table[i].status);
		json_t *env = json_object_get(e, "error");
		cr_expect(json_is_string(json_object_get(env, "code")) &&
			      json_is_string(json_object_get(env, "message")),
			  "%s: the error envelope: %s", table[i].name, json_dumps(e, 0));
		if (table[i].field)
			cr_expect(has(e, table[i].field, table[i].code), "%s: %s", table[i].name,
				  json_dumps(e, 0));
		cr_expect_eq(count(SQL_APPS, other_org), apps, "%s: no application", table[i].name);
		cr_expect_eq(count(SQL_ANSWERED, pid), answered, "%s: no answer", table[i].name);
		cr_expect_eq(count(SQL_EVENTS, pid), events, "%s: no event", table[i].name);
		cr_expect_eq(count(SQL_AUDIT, pid), audit, "%s: no audit entry", table[i].name);
		json_decref(e);
	}
	cr_expect_eq(count(SQL_ANSWERED, pid), 0);
	free(answer);
	free(cite_other);
	free(cite_unknown);
	free(other);
	json_decref(p);
	free(tok);
	free(water);
	free(power);
}
