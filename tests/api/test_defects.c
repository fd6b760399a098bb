/*
 * After the works (issue #21) over real HTTP against MariaDB: the reinstatement inspection
 * follows the utility's report (never before anyone dug), a failed one opens a remedial task
 * due after the published limit, in the utility's queue and the authority's, re-inspected once
 * the utility reports it done; closing starts the published guarantee period; a public defect
 * report (no account, a point and a photo) on the closed dig inside its guarantee becomes a
 * task of the utility that dug, outside it goes to the road authority; reports are
 * rate-limited per address; public feedback is followed up by the office.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/credit_api.h"
#include "portal/public_stats.h"
#include "portal/snapshot.h"
#include "store/db.h"
#include "support/harness.h"
#include "support/journey.h"
#include "workflows/calendar.h"

#define DEMO "demo-password-1"
/* A JPEG's first bytes (SOI, JFIF APP0) and end: enough to be recognised as one. */
#define JPEG_B64 "/9j/4AAQSkZJRgABAQAAAQABAAD/2Q=="
/* Where this suite digs: Nanhou Street north of the journey's trench (its own place). */
#define WATER_LINE "[[119.291873,26.0844],[119.29186,26.0846]]"
#define GAS_LINE "[[119.29187,26.08445],[119.291858,26.08462]]"
#define ON_WATER "{\"type\":\"Point\",\"coordinates\":[119.291872,26.08441]}"

static struct harness_server *srv;
static void setup(void) { srv = harness_server_start(); }
static void teardown(void) { harness_server_stop(srv); }
TestSuite(defects, .init = setup, .fini = teardown, .timeout = 180);

static const char *jstr(json_t *j, const char *key)
{
	return json_string_value(json_object_get(j, key));
}

static long long jint(json_t *j, const char *key)
{
	return json_integer_value(json_object_get(j, key));
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
	return NULL;
}

/* Replaces the first `from` in *s by `to`. */
static void replace(char **s, const char *from, const char *to)
{
	char *at = strstr(*s, from);
	cr_assert(at, "no %s in the body", from);
	char *out = NULL;
	cr_assert(asprintf(&out, "%.*s%s%s", (int)(at - *s), *s, to, at + strlen(from)) > 0);
	free(*s);
	*s = out;
}

/* The journey's application with water and gas digging this suite's own stretch of road. */
static json_t *submit(void)
{
	char *tok = journey_login("applicant");
	char site[512];
	snprintf(site, sizeof(site),
		 "{\"name\":\"Defects %d\",\"address\":\"88 Jingshi Road\",\"district\":\"350102\","
		 "\"lat\":26.108,\"lng\":119.252,\"plot_ref\":\"PLOT-9\",\"zone_risk\":\"low\"}",
		 harness_unique());
	json_t *s = journey_call("POST", "/v1/sites", tok, site, 201);
	json_t *materials = journey_upload_required(tok);
	char *body = journey_submission(jint(s, "id"), materials);
	replace(&body, "[[119.2920,26.0830],[119.29202,26.0832]]", WATER_LINE);
	replace(&body, "[[119.29201,26.0831],[119.29203,26.08323]]", GAS_LINE);
	json_t *app = journey_call("POST", "/v1/applications", tok, body, 201);
	free(body);
	json_decref(s);
	json_decref(materials);
	free(tok);
	return app;
}

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

/* The same with two parameters. */
static long long sql_ll2(const char *sql, long long a, long long b)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(a), P_INT(b) };
	struct error e = ERROR_INIT;
	cr_assert_eq(store_exec(c, sql, p, 2, &r, &e), 0, "%s", e.message);
	long long v = r->nrows ? store_cell_ll(r, 0, 0, -1) : -1;
	store_result_free(r);
	store_release(c);
	error_release(&e);
	return v;
}

static const char SQL_FAILED_EVENTS[] =
	"SELECT COUNT(*) FROM outbox WHERE event_type = 'permit.inspection_failed' "
	"AND application_id = ? AND org_id = ?";
static const char SQL_DEFECT_EVENTS[] =
	"SELECT COUNT(*) FROM outbox WHERE event_type = 'defect.reported' AND org_id = ? "
	"AND payload LIKE CONCAT('%', (SELECT reference FROM defects WHERE id = ?), '%')";

/* A call whose reply must have `status`; the reply body's JSON (caller releases). */
static json_t *call_at(int line, const char *method, const char *path, const char *tok,
		       const char *body, long status)
{
	struct reply r;
	http_call(&r, method, path, tok, body, NULL);
	cr_assert_eq(r.status, status, "line %d: %s %s: %ld %s", line, method, path, r.status,
		     r.body);
	json_t *j = json_incref(r.json);
	reply_release(&r);
	return j;
}

#define call(...) call_at(__LINE__, __VA_ARGS__)

/* The first detail's code of an error reply. */
static const char *detail(json_t *j)
{
	return jstr(json_array_get(json_object_get(json_object_get(j, "error"), "details"), 0),
		    "code");
}

/* The caller's open task of kind on permit reference (NULL when none; *list kept). */
static json_t *task_of(const char *tok, const char *kind, const char *permit, json_t **list)
{
	char path[96];
	snprintf(path, sizeof(path), "/v1/tasks?kind=%s&status=open", kind);
	*list = call("GET", path, tok, NULL, 200);
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(*list, "items"), i, t)
	{
		json_t *p = json_object_get(t, "permit");
		if (json_is_object(p) && !strcmp(jstr(p, "reference"), permit))
			return t;
	}
	return NULL;
}

static char *day_after_working_days(int n)
{
	const struct published *pub = snapshot_get(harness_app(srv));
	cr_assert(pub);
	day_t today;
	cal_day_parse(journey_day(0), &today, NULL);
	static char out[11];
	cal_day_format(calendar_add_working_days(&pub->cal, today, n), out);
	snapshot_put(pub);
	return out;
}

Test(defects, inspections_follow_the_works_and_a_defect_goes_to_who_dug_in_guarantee)
{
	json_t *app = submit();
	char dr[48], ppath[96], jpath[96];
	snprintf(dr, sizeof(dr), "%s-DR", jstr(app, "reference"));
	json_t *permit = find(app, "permits", "reference", dr);
	cr_assert(permit, "a joint dig-road permit");
	cr_assert_str_eq(jstr(permit, "state"), "approved", "fast-tracked");
	long long pid = jint(permit, "id");
	snprintf(ppath, sizeof(ppath), "/v1/permits/%lld/transitions", pid);
	char *water = journey_login("water"), *road = journey_login("road"), *appl = journey_login("applicant");
	char *greening = journey_login("greening"), *gas = journey_login("gas");

	/* nobody dug yet: no report, no inspection, no close */
	json_t *r = call("POST", ppath, water, "{\"action\":\"report_reinstated\"}", 409);
	cr_expect_str_eq(detail(r), "not_started");
	json_decref(r);
	r = call("POST", ppath, road, "{\"action\":\"inspect\",\"result\":\"pass\"}", 409);
	cr_expect_str_eq(detail(r), "not_reported");
	char *rtext = json_dumps(r, 0);
	cr_expect(rtext && strstr(rtext, "nobody has dug yet") != NULL, "%s", rtext);
	free(rtext);
	json_decref(r);
	json_decref(call("POST", ppath, road, "{\"action\":\"close\"}", 409));

	/* water plans on the joint dig and starts its works */
	long long wj = jint(find(app, "jobs", "utility_kind", "water"), "id");
	snprintf(jpath, sizeof(jpath), "/v1/jobs/%lld/transitions", wj);
	json_decref(call("POST", jpath, water, "{\"action\":\"accept\"}", 200));
	json_decref(call("POST", jpath, water,
			 "{\"action\":\"survey\",\"connection_point\":{\"lat\":26.1081,"
			 "\"lng\":119.2521,\"description\":\"north gate\"}}",
			 200));
	char *q = journey_quote(app, "water"), *plan = NULL;
	cr_assert(asprintf(&plan, "{\"action\":\"plan\",\"quote\":%s,\"permits_needed\":[\"%s\"]}",
			   q, dr) > 0);
	json_decref(call("POST", jpath, water, plan, 200));
	json_decref(call("POST", jpath, appl, "{\"action\":\"confirm\"}", 200));
	json_decref(call("POST", jpath, water, "{\"action\":\"start_construction\"}", 200));

	/* dug but not reported: still no inspection; the report comes from a party that dug */
	r = call("POST", ppath, road, "{\"action\":\"inspect\",\"result\":\"pass\"}", 409);
	cr_expect_str_eq(detail(r), "not_reported");
	json_decref(r);
	json_decref(call("POST", ppath, road, "{\"action\":\"report_reinstated\"}", 403));
	json_decref(call("POST", ppath, greening, "{\"action\":\"report_reinstated\"}", 404));
	r = call("POST", ppath, water, "{\"action\":\"report_reinstated\",\"comment\":\"backfilled\"}",
		 200);
	cr_expect(json_is_true(json_object_get(json_object_get(r, "reinstatement"),
					       "awaiting_inspection")), "%s", json_dumps(r, 0));
	json_decref(r);
	r = call("POST", ppath, water, "{\"action\":\"report_reinstated\"}", 409);
	cr_expect_str_eq(detail(r), "already_reported");
	json_decref(r);

	/* the inspection fails: a remedial task for water, due after the branch road's 10 days */
	r = call("POST", ppath, road,
		 "{\"action\":\"inspect\",\"result\":\"fail\",\"comment\":\"surface sunk\"}", 200);
	cr_expect_str_eq(jstr(r, "state"), "approved");
	json_decref(r);
	long long water_org = journey_org("City Water Supply Co. (demo)");
	cr_expect_eq(sql_ll2(SQL_FAILED_EVENTS, jint(app, "id"), water_org), 1,
		     "water is told of the remedial work");
	json_t *list;
	json_t *t = task_of(water, "remedial", dr, &list);
	cr_assert(t, "water's queue lists the remedial task: %s", json_dumps(list, 0));
	long long rtask = (long long)json_integer_value(json_object_get(t, "id"));
	char *due = day_after_working_days(10);
	cr_expect_str_eq(jstr(t, "due_date"), due, "%s", json_dumps(t, 0));
	cr_expect(json_is_false(json_object_get(t, "overdue")));
	json_decref(list);
	t = task_of(road, "remedial", dr, &list);
	cr_expect(t != NULL, "and the road authority's: %s", json_dumps(list, 0));
	json_decref(list);
	cr_expect(task_of(greening, "remedial", dr, &list) == NULL, "not another authority's");
	json_decref(list);
	cr_expect(task_of(gas, "remedial", dr, &list) == NULL,
		  "gas shares the permit but has not dug: no remedial work of its own");
	json_decref(list);

	/* left undone past its due day, the remedial work costs water a credit entry, once */
	char due_sql[200];
	snprintf(due_sql, sizeof(due_sql), "UPDATE tasks SET due_day = '%s' WHERE id = %lld",
		 journey_day(-3), rtask);
	harness_sql(harness_db_name(), due_sql);
	/* two passes (the server's own sweeper thread may run one too): one entry */
	struct error err = ERROR_INIT;
	cr_assert_eq(credit_api_sweep(harness_app(srv), NULL, &err), 0, "%s", err.message);
	cr_assert_eq(credit_api_sweep(harness_app(srv), NULL, &err), 0, "%s", err.message);
	cr_expect_eq(sql_ll("SELECT COUNT(*) FROM credit_entries WHERE task_id = ? AND rule = "
			    "'remedial_overdue'",
			    rtask),
		     1, "one remedial_overdue entry for the task");
	char *clerk = journey_login("office");
	char cpath[64];
	snprintf(cpath, sizeof(cpath), "/v1/organisations/%lld/credit", water_org);
	json_t *rec = call("GET", cpath, clerk, NULL, 200);
	char *text = json_dumps(rec, 0);
	cr_expect(strstr(text, "\"remedial_overdue\"") != NULL, "water's record: %s", text);
	free(text);
	json_decref(rec);
	free(clerk);

	/* no second inspection before the remedial work is reported; then re-inspected */
	r = call("POST", ppath, road, "{\"action\":\"inspect\",\"result\":\"pass\"}", 409);
	cr_expect_str_eq(detail(r), "not_reported");
	json_decref(r);
	json_decref(call("POST", ppath, road, "{\"action\":\"close\"}", 409));
	json_decref(call("POST", ppath, water, "{\"action\":\"report_remedied\"}", 200));
	cr_expect(task_of(water, "remedial", dr, &list) == NULL, "done: %s", json_dumps(list, 0));
	json_decref(list);
	json_decref(call("POST", ppath, road, "{\"action\":\"inspect\",\"result\":\"pass\"}", 200));

	/* closing starts the branch road's published 12-month guarantee, served on the permit */
	r = call("POST", ppath, road, "{\"action\":\"close\"}", 200);
	cr_expect_str_eq(jstr(r, "state"), "closed");
	json_t *g = json_object_get(r, "guarantee");
	cr_assert(json_is_object(g), "%s", json_dumps(r, 0));
	day_t today, to;
	cal_day_parse(journey_day(0), &today, NULL);
	int y, m, d;
	cal_day_to_ymd(today, &y, &m, &d);
	char want_to[11];
	to = cal_day_from_ymd(y + 1, m, m == 2 && d == 29 ? 28 : d);
	cal_day_format(to, want_to);
	cr_expect_str_eq(jstr(g, "road_class"), "branch");
	cr_expect_eq(jint(g, "months"), 12);
	cr_expect_str_eq(jstr(g, "closed_on"), journey_day(0));
	cr_expect_str_eq(jstr(g, "guarantee_to"), want_to);
	cr_expect(json_is_true(json_object_get(g, "in_guarantee")));
	json_decref(r);
	char gpath[64];
	snprintf(gpath, sizeof(gpath), "/v1/permits/%lld", pid);
	r = call("GET", gpath, appl, NULL, 200);
	cr_expect_str_eq(jstr(json_object_get(r, "guarantee"), "guarantee_to"), want_to);
	json_decref(r);

	/* a passer-by reports a sunk patch on the trench: the utility that dug repairs it */
	json_t *rep = call("POST", "/v1/public/defects", NULL,
			   "{\"location\":" ON_WATER ",\"description\":\"the patch has sunk 3 cm\","
			   "\"photo\":{\"content_type\":\"image/jpeg\",\"data_base64\":\"" JPEG_B64
			   "\"}}",
			   201);
	cr_expect_str_eq(jstr(rep, "routed_to"), "utility", "%s", json_dumps(rep, 0));
	cr_expect_str_eq(jstr(json_object_get(rep, "assigned_to"), "name"),
			 "City Water Supply Co. (demo)");
	cr_expect_null(json_object_get(json_object_get(rep, "assigned_to"), "id"),
		       "no internal ids in the public view");
	cr_expect_str_eq(jstr(rep, "permit"), dr);
	cr_expect_str_eq(jstr(rep, "guarantee_to"), want_to);
	cr_expect_null(json_object_get(rep, "reported_by"), "the public view names no reporter");
	char ref[32], path[96];
	snprintf(ref, sizeof(ref), "%s", jstr(rep, "reference"));
	json_decref(rep);
	snprintf(path, sizeof(path), "/v1/public/defects/%s", ref);
	rep = call("GET", path, NULL, NULL, 200);
	cr_expect_str_eq(jstr(rep, "status"), "open");
	cr_expect_str_eq(jstr(rep, "due_date"), day_after_working_days(7), "branch: 7 days");
	json_decref(rep);
	t = task_of(water, "defect", dr, &list);
	cr_assert(t, "a defect task of the utility: %s", json_dumps(list, 0));
	cr_expect_str_eq(jstr(json_object_get(t, "defect"), "reference"), ref);
	long long defect_id = jint(json_object_get(t, "defect"), "id");
	json_decref(list);
	cr_expect_eq(sql_ll2(SQL_DEFECT_EVENTS, water_org, defect_id), 1, "water gets the event");

	/* the utility reads it with its photo, and repairs it; others do not see it */
	snprintf(path, sizeof(path), "/v1/defects/%lld", defect_id);
	rep = call("GET", path, water, NULL, 200);
	cr_expect_str_eq(jstr(rep, "reported_by"), "public");
	cr_expect(json_is_true(json_object_get(rep, "has_photo")));
	json_decref(rep);
	json_decref(call("GET", path, greening, NULL, 404));
	snprintf(path, sizeof(path), "/v1/defects/%lld/photo", defect_id);
	struct reply ph;
	http_call(&ph, "GET", path, water, NULL, NULL);
	cr_expect_eq(ph.status, 200);
	cr_expect(ph.len >= 4 && (unsigned char)ph.body[0] == 0xFF && (unsigned char)ph.body[1] == 0xD8);
	reply_release(&ph);
	snprintf(path, sizeof(path), "/v1/defects/%lld/repaired", defect_id);
	json_decref(call("POST", path, road, "{\"note\":\"x\"}", 404)); /* not its defect */
	char *office = journey_login("office");
	json_decref(call("POST", path, office, "{\"note\":\"x\"}", 403)); /* sees, repairs not */
	free(office);
	json_decref(call("POST", path, water, "{\"note\":\"patched again\"}", 200));
	json_decref(call("POST", path, water, "{\"note\":\"twice\"}", 409));
	snprintf(path, sizeof(path), "/v1/public/defects/%s", ref);
	rep = call("GET", path, NULL, NULL, 200);
	cr_expect_str_eq(jstr(rep, "status"), "repaired");
	json_decref(rep);

	/* the guarantee over: the same report goes to the road authority of the road there */
	char sql[160], yesterday[11];
	snprintf(yesterday, sizeof(yesterday), "%s", journey_day(-1));
	snprintf(sql, sizeof(sql), "UPDATE permit_guarantees SET guarantee_to = '%s' "
		 "WHERE permit_id = %lld", yesterday, pid);
	harness_sql(harness_db_name(), sql);
	rep = call("POST", "/v1/public/defects", NULL,
		   "{\"location\":" ON_WATER ",\"description\":\"cracks again\","
		   "\"photo\":{\"content_type\":\"image/jpeg\",\"data_base64\":\"" JPEG_B64 "\"}}",
		   201);
	cr_expect_str_eq(jstr(rep, "routed_to"), "authority", "%s", json_dumps(rep, 0));
	cr_expect_str_eq(jstr(json_object_get(rep, "assigned_to"), "name"),
			 "Urban Management Bureau, Roads (demo)");
	cr_expect_str_eq(jstr(rep, "road_id"), "FZ-GL-0010");
	cr_expect(strstr(jstr(rep, "route_reason"), yesterday), "%s", jstr(rep, "route_reason"));
	snprintf(ref, sizeof(ref), "%s", jstr(rep, "reference"));
	json_decref(rep);
	list = call("GET", "/v1/tasks?kind=defect", road, NULL, 200);
	bool listed = false;
	size_t i;
	json_array_foreach(json_object_get(list, "items"), i, t)
		listed = listed || !strcmp(jstr(json_object_get(t, "defect"), "reference"), ref);
	cr_expect(listed, "the road authority's queue: %s", json_dumps(list, 0));
	json_decref(list);
	list = call("GET", "/v1/defects", water, NULL, 200);
	json_array_foreach(json_object_get(list, "items"), i, t)
		cr_expect_str_neq(jstr(t, "reference"), ref, "not water's any more");
	json_decref(list);

	/* the authority reports one itself, signed in, without a photo; a utility may not */
	rep = call("POST", "/v1/defects", road,
		   "{\"location\":" ON_WATER ",\"description\":\"seen on patrol\"}", 201);
	cr_expect_str_eq(jstr(rep, "reported_by"), "authority");
	json_decref(rep);
	json_decref(call("POST", "/v1/defects", water,
			 "{\"location\":" ON_WATER ",\"description\":\"x\"}", 403));
	cr_expect_eq(sql_ll("SELECT COUNT(*) FROM defects WHERE permit_id = ?", pid), 3);

	/* the statistics count the closure, the post-check-free dig and its defects */
	public_stats_invalidate();
	json_t *st = call("GET", "/v1/public/stats", NULL, NULL, 200);
	json_t *after = json_object_get(st, "aftercare");
	cr_assert(json_is_object(after), "%s", json_dumps(st, 0));
	json_t *sum = json_object_get(after, "summary");
	long long closures = jint(sum, "closures"), defects = jint(sum, "defects");
	cr_expect_geq(closures, 1);
	cr_expect_geq(defects, 3);
	cr_expect(fabs(json_number_value(json_object_get(sum, "defects_per_100_closures")) -
		       100.0 * defects / closures) < 0.01, "%s", json_dumps(sum, 0));
	json_t *row = NULL, *it;
	json_array_foreach(json_object_get(after, "organisation"), i, it)
		if (!strcmp(jstr(it, "key"), "City Water Supply Co. (demo)"))
			row = it;
	cr_assert(row, "water's row: %s", json_dumps(after, 0));
	cr_expect_geq(jint(row, "closures"), 1);
	cr_expect_geq(jint(row, "defects"), 1, "the defect sent to water");
	json_decref(st);
	struct reply csv;
	http_call(&csv, "GET", "/v1/public/stats?format=csv", NULL, NULL, NULL);
	cr_expect(strstr(csv.body, "rank,post_checks,post_checks_on_time,overruns,closures,defects,"
			 "defects_per_100_closures,ratings,complaints\n") != NULL, "%.300s", csv.body);
	cr_expect(strstr(csv.body, "\naftercare_district,\"350102\",,,,,,,,,,,") != NULL,
		  "a district row with the other columns empty");
	reply_release(&csv);
	http_call(&csv, "GET", "/stats?lang=en", NULL, NULL, NULL);
	cr_expect(strstr(csv.body, "After the works") != NULL);
	cr_expect_null(strstr(csv.body, ">350102<"), "districts read as names, not codes");
	cr_expect(strstr(csv.body, "<tr><td>Gulou District</td>") != NULL, "the aftercare row");
	reply_release(&csv);

	free(q);
	free(plan);
	free(water);
	free(road);
	free(appl);
	free(greening);
	free(gas);
	json_decref(app);
}

/* Every problem of a public report at once, and nothing stored. */
Test(defects, a_bad_public_report_lists_every_problem)
{
	/* its own reports only: the suite's other tests report defects meanwhile */
	long long before = sql_ll("SELECT COUNT(*) FROM defects WHERE id > ? AND description IN "
				  "('', 'hole')",
				  0);
	json_t *r = call("POST", "/v1/public/defects", NULL,
			 "{\"location\":{\"type\":\"LineString\",\"coordinates\":[[1,2],[3,4]]},"
			 "\"photo\":{\"content_type\":\"image/gif\",\"data_base64\":\"R0lGODlh\"},"
			 "\"who\":1}",
			 422);
	char got[512] = "";
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(json_object_get(r, "error"), "details"), i, d)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s:%s", i ? "," : "",
			 jstr(d, "field"), jstr(d, "code"));
	cr_expect_str_eq(got, "who:unknown_field,location.type:not_allowed,description:required,"
			      "photo.content_type:not_allowed", "%s", got);
	json_decref(r);
	r = call("POST", "/v1/public/defects", NULL,
		 "{\"location\":" ON_WATER ",\"description\":\"hole\","
		 "\"photo\":{\"content_type\":\"image/png\",\"data_base64\":\"" JPEG_B64 "\"}}",
		 422);
	cr_expect_str_eq(detail(r), "type_mismatch");
	json_decref(r);
	r = call("POST", "/v1/public/defects", NULL,
		 "{\"location\":" ON_WATER ",\"description\":\"hole\"}", 422);
	cr_expect_str_eq(detail(r), "required", "the public sends a photo");
	json_decref(r);
	/* a photo over the limit */
	size_t n = 360 * 1024; /* decodes to more than 256 KiB */
	char *big = malloc(n + 256);
	strcpy(big, "{\"location\":" ON_WATER ",\"description\":\"hole\",\"photo\":{\"content_type\":"
		    "\"image/jpeg\",\"data_base64\":\"/9j/");
	size_t at = strlen(big);
	memset(big + at, 'A', n);
	strcpy(big + at + n, "\"}}");
	r = call("POST", "/v1/public/defects", NULL, big, 422);
	cr_expect_str_eq(detail(r), "too_large", "%s", json_dumps(r, 0));
	json_decref(r);
	free(big);
	cr_expect_eq(sql_ll("SELECT COUNT(*) FROM defects WHERE id > ? AND description IN "
			    "('', 'hole')",
			    0),
		     before, "nothing written");
	json_decref(call("GET", "/v1/public/defects/DF-NOSUCHREF1", NULL, NULL, 404));
}

/* Public reports share a per-address bucket of their own (PORTAL_RATE_PUBLIC_WRITE). */
Test(defects, public_reports_are_rate_limited_per_address)
{
	harness_server_stop(srv);
	setenv("PORTAL_RATE_PUBLIC_WRITE", "0.01:2", 1);
	srv = harness_server_start();
	unsetenv("PORTAL_RATE_PUBLIC_WRITE");
	const char *body = "{\"location\":{\"type\":\"Point\",\"coordinates\":[119.30,26.09]},"
			   "\"description\":\"pothole\",\"photo\":{\"content_type\":\"image/jpeg\","
			   "\"data_base64\":\"" JPEG_B64 "\"}}";
	json_decref(call("POST", "/v1/public/defects", NULL, body, 201));
	json_decref(call("POST", "/v1/public/feedback", NULL,
			 "{\"kind\":\"complaint\",\"text\":\"noise at night\",\"location\":"
			 "{\"type\":\"Point\",\"coordinates\":[119.30,26.09]}}",
			 201));
	struct reply r;
	http_call(&r, "POST", "/v1/public/defects", NULL, body, NULL);
	cr_expect_eq(r.status, 429, "%s", r.body);
	char ra[16];
	cr_expect(reply_header(&r, "Retry-After", ra, sizeof(ra)) != NULL);
	reply_release(&r);
	/* reading is not a write: the public reads on */
	json_decref(call("GET", "/v1/public/reinstatement-standards", NULL, NULL, 200));
}

Test(defects, the_reinstatement_standards_are_published)
{
	json_t *s = call("GET", "/v1/public/reinstatement-standards", NULL, NULL, 200);
	cr_expect_geq(jint(s, "version"), 1);
	size_t i;
	json_t *c;
	int seen = 0;
	json_array_foreach(json_object_get(s, "road_classes"), i, c)
	{
		if (!strcmp(jstr(c, "road_class"), "primary")) {
			cr_expect_eq(jint(c, "guarantee_months"), 24);
			seen++;
		}
		if (!strcmp(jstr(c, "road_class"), "branch")) {
			cr_expect_eq(jint(c, "guarantee_months"), 12);
			seen++;
		}
	}
	cr_expect_eq(seen, 2, "%s", json_dumps(s, 0));
	/* the office publishes the next version (in force from a later day); every problem of a
	 * bad one is listed at once; nobody else publishes */
	char *office = journey_login("office"), *road = journey_login("road");
	static const char next[] =
		"{\"effective_from\":\"2099-01-01\",\"road_classes\":["
		"{\"road_class\":\"expressway\",\"guarantee_months\":36,\"remedial_days\":5,"
		"\"defect_days\":3},{\"road_class\":\"primary\",\"guarantee_months\":24,"
		"\"remedial_days\":5,\"defect_days\":3},{\"road_class\":\"secondary\","
		"\"guarantee_months\":18,\"remedial_days\":7,\"defect_days\":5},{\"road_class\":"
		"\"branch\",\"guarantee_months\":12,\"remedial_days\":10,\"defect_days\":7}]}";
	json_decref(call("POST", "/v1/reinstatement-standards", road, next, 403));
	json_t *pub = call("POST", "/v1/reinstatement-standards", office, next, 201);
	cr_expect_gt(jint(pub, "version"), jint(s, "version"));
	json_decref(pub);
	json_t *again = call("GET", "/v1/public/reinstatement-standards", NULL, NULL, 200);
	cr_expect_eq(jint(again, "version"), jint(s, "version"), "not in force before 2099");
	json_decref(again);
	json_t *bad = call("POST", "/v1/reinstatement-standards", office,
			   "{\"effective_from\":\"2020-01-01\",\"road_classes\":["
			   "{\"road_class\":\"lane\",\"guarantee_months\":0,\"remedial_days\":5,"
			   "\"defect_days\":3}]}",
			   422);
	char *txt = json_dumps(bad, 0);
	static const char *const want[] = { "road_classes[0].road_class", "guarantee_months",
					    "no limits for branch", "effective_from" };
	for (size_t k = 0; k < 4; k++)
		cr_expect(strstr(txt, want[k]) != NULL, "names %s: %s", want[k], txt);
	free(txt);
	json_decref(bad);
	free(office);
	free(road);
	/* immutable once published */
	struct store_conn *conn = store_acquire(harness_pool(), 2000, NULL);
	struct error e = ERROR_INIT;
	cr_expect_neq(store_run(conn, "UPDATE reinstatement_standards SET guarantee_months = 1",
				NULL, 0, NULL, NULL, &e), 0);
	error_release(&e);
	store_release(conn);
	json_decref(s);
}

/* Public feedback on a certificate or a place; the office lists and answers it. */
Test(defects, public_feedback_is_answered_by_the_office)
{
	struct store_conn *conn = store_acquire(harness_pool(), 2000, NULL);
	struct store_result *res = NULL;
	struct error e = ERROR_INIT;
	cr_assert_eq(store_exec(conn, "SELECT number FROM certificates ORDER BY id LIMIT 1", NULL,
				0, &res, &e), 0);
	cr_assert_eq(res->nrows, 1, "the demo history has certificates");
	char number[32], body[256];
	snprintf(number, sizeof(number), "%s", store_cell(res, 0, 0));
	store_result_free(res);
	store_release(conn);

	snprintf(body, sizeof(body),
		 "{\"kind\":\"rating\",\"score\":\"bad\",\"text\":\"slow\",\"certificate_number\":"
		 "\"%s\"}", number);
	json_t *f = call("POST", "/v1/public/feedback", NULL, body, 201);
	cr_expect_str_eq(jstr(f, "status"), "open");
	cr_expect_str_eq(jstr(f, "certificate_number"), number);
	cr_expect(json_is_string(json_object_get(f, "organisation")), "%s", json_dumps(f, 0));
	char ref[32], path[96];
	snprintf(ref, sizeof(ref), "%s", jstr(f, "reference"));
	json_decref(f);
	f = call("POST", "/v1/public/feedback", NULL,
		 "{\"kind\":\"rating\",\"certificate_number\":\"NOPE-1\"}", 422);
	char *txt = json_dumps(f, 0);
	cr_expect(strstr(txt, "score") && strstr(txt, "not_found") == NULL,
		  "the score is missing; the certificate is checked only for valid feedback: %s",
		  txt);
	free(txt);
	json_decref(f);
	f = call("POST", "/v1/public/feedback", NULL,
		 "{\"kind\":\"rating\",\"score\":\"good\",\"certificate_number\":\"NOPE-1\"}", 422);
	cr_expect_str_eq(detail(f), "not_found");
	json_decref(f);

	char *office = journey_login("office"), *road = journey_login("road");
	json_decref(call("GET", "/v1/feedback", road, NULL, 403));
	json_t *list = call("GET", "/v1/feedback?status=open", office, NULL, 200);
	long long id = 0;
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(list, "items"), i, it)
		if (!strcmp(jstr(it, "reference"), ref))
			id = jint(it, "id");
	cr_assert(id, "the office's list: %s", json_dumps(list, 0));
	json_decref(list);
	snprintf(path, sizeof(path), "/v1/feedback/%lld/answer", id);
	json_decref(call("POST", path, office, "{}", 422));
	json_decref(call("POST", path, office, "{\"answer\":\"we have spoken to the team\"}", 200));
	json_decref(call("POST", path, office, "{\"answer\":\"again\"}", 409));
	snprintf(path, sizeof(path), "/v1/public/feedback/%s", ref);
	f = call("GET", path, NULL, NULL, 200);
	cr_expect_str_eq(jstr(f, "status"), "answered");
	cr_expect_str_eq(jstr(f, "answer"), "we have spoken to the team");
	json_decref(f);
	free(office);
	free(road);
}

/* A defect where no register road lies goes to the office, which can close it (and only it). */
Test(defects, a_defect_off_every_road_goes_to_the_office_which_repairs_it)
{
	json_t *rep = call("POST", "/v1/public/defects", NULL,
			   "{\"location\":{\"type\":\"Point\",\"coordinates\":[119.52,26.45]},"
			   "\"description\":\"a hole in a village lane\",\"photo\":{\"content_type\":"
			   "\"image/jpeg\",\"data_base64\":\"" JPEG_B64 "\"}}",
			   201);
	cr_assert_str_eq(jstr(rep, "routed_to"), "office", "%s", json_dumps(rep, 0));
	char ref[48];
	snprintf(ref, sizeof(ref), "%s", jstr(rep, "reference"));
	json_decref(rep);
	char *office = journey_login("office"), *water = journey_login("water"), *road = journey_login("road");
	json_t *list = call("GET", "/v1/defects", office, NULL, 200);
	long long id = 0;
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(list, "items"), i, d)
	{
		if (!strcmp(jstr(d, "reference"), ref))
			id = jint(d, "id");
	}
	json_decref(list);
	cr_assert(id, "the office lists it");
	char path[64];
	snprintf(path, sizeof(path), "/v1/defects/%lld/repaired", id);
	json_decref(call("POST", path, water, "{\"note\":\"x\"}", 404));
	json_decref(call("POST", path, road, "{\"note\":\"x\"}", 404));
	rep = call("POST", path, office, "{\"note\":\"filled by the district\"}", 200);
	cr_expect_str_eq(jstr(rep, "status"), "repaired");
	json_decref(rep);
	free(office);
	free(water);
	free(road);
}
