/*
 * After a fast-tracked decision (issue #21) over real HTTP against MariaDB: the post-check in
 * the road authority's queue with its due date, the result with codes and photos, the
 * rectification it opens, revocation by the sweep when unrectified, the credit entry that
 * writes, the applicant's next low-risk dig going to ordinary review with the notice saying
 * why; appeals decided by the office with their audit records; a rectified failure checked
 * again; the oversight rules published as versions.
 *
 * Each test applies as an applicant organisation of its own, so the entries it causes never
 * touch the demo applicant other suites use.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "portal/postcheck_api.h"
#include "portal/snapshot.h"
#include "portal/sweeper.h"
#include "store/db.h"
#include "support/harness.h"
#include "support/journey.h"
#include "support/rules.h"
#include "workflows/calendar.h"

#define DEMO "demo-password-1"
#define HARNESS_PASSWORD "correct-horse-battery"

static struct harness_server *srv;
static void setup(void) { srv = harness_server_start(); }
static void teardown(void) { harness_server_stop(srv); }
TestSuite(credit, .init = setup, .fini = teardown, .timeout = 180);

static const char *jstr(json_t *j, const char *key)
{
	return json_string_value(json_object_get(j, key));
}

static long long jint(json_t *j, const char *key)
{
	return json_integer_value(json_object_get(j, key));
}

static json_t *find(json_t *list, const char *field, const char *value)
{
	size_t i;
	json_t *t;
	json_array_foreach(list, i, t)
	{
		if (jstr(t, field) && !strcmp(jstr(t, field), value))
			return t;
	}
	return NULL;
}

/* One number from a query with one id parameter (-1 when no row). */
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

/* A full application by the applicant of token: the journey's five utilities and its dig. */
static json_t *submit(const char *tok)
{
	char site[512];
	snprintf(site, sizeof(site),
		 "{\"name\":\"Credit %d\",\"address\":\"88 Jingshi Road\",\"district\":\"350102\","
		 "\"lat\":26.108,\"lng\":119.252,\"plot_ref\":\"PLOT-9\",\"zone_risk\":\"low\"}",
		 harness_unique());
	json_t *s = journey_call("POST", "/v1/sites", tok, site, 201);
	json_t *materials = journey_upload_required(tok);
	char *body = journey_submission(jint(s, "id"), materials);
	json_t *app = journey_call("POST", "/v1/applications", tok, body, 201);
	free(body);
	json_decref(s);
	return app;
}

static json_t *dig_permit(json_t *app, char ref[48])
{
	snprintf(ref, 48, "%s-DR", jstr(app, "reference"));
	json_t *p = find(json_object_get(app, "permits"), "reference", ref);
	cr_assert(p, "the application has its dig-road permit");
	return p;
}

/* A photo the road authority uploads: its material id. */
static long long photo(const char *road)
{
	char png[64];
	int n = snprintf(png, sizeof(png), "\x89PNG\r\n\x1a\n post-check %d-%d", (int)getpid(),
			 harness_unique());
	struct reply r;
	http_call_raw(&r, "POST", "/v1/materials?type=post_check_photo&filename=site.png", road,
		      png, (size_t)n, "image/png", NULL);
	cr_assert(r.status == 201 || r.status == 200, "%ld %s", r.status, r.body);
	long long id = jint(r.json, "id");
	reply_release(&r);
	return id;
}

static char *new_applicant(long long *org)
{
	char email[128];
	*org = harness_make_user("applicant", NULL, true, email);
	return harness_login(email, HARNESS_PASSWORD);
}

static json_t *record_of(const char *office, long long org)
{
	char path[64];
	snprintf(path, sizeof(path), "/v1/organisations/%lld/credit", org);
	return journey_call("GET", path, office, NULL, 200);
}

static char *day_plus(int working_days)
{
	static char out[11];
	const struct published *pub = snapshot_get(harness_app(srv));
	cr_assert(pub);
	day_t today = 0;
	cal_day_parse(journey_day(0), &today, NULL);
	cal_day_format(calendar_add_working_days(&pub->cal, today, working_days), out);
	snapshot_put(pub);
	return out;
}

static const char SQL_SAMPLE_VERSION[] =
	"SELECT rules_version FROM post_check_samples WHERE permit_id = ?";
static const char SQL_REVOKED_EVENTS[] =
	"SELECT COUNT(DISTINCT org_id) FROM outbox WHERE event_type = 'permit.revoked' "
	"AND application_id = ?";
static const char SQL_AUDIT[] =
	"SELECT COUNT(*) FROM audit_log WHERE object_type = 'credit_entry' AND object_id = ?";
static const char SQL_SAMPLE[] = "SELECT sampled FROM post_check_samples WHERE permit_id = ?";

/* "field:code,..." of an error reply, in order (caller frees). */
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

/*
 * Bad post-check results (%lld: a photo the authority uploaded) and every problem their one 422
 * must list: the bad codes with the missing or foreign photos and the body's own problems.
 */
static const struct {
	const char *body, *details;
} all_at_once[] = {
	{ "{\"result\":\"fail\",\"codes\":[\"NOT_A_CODE\"]}",
	  "photos:required,codes[0].code:unknown_code" },
	{ "{\"result\":\"fail\",\"codes\":[\"BOGUS\",\"LANE_NOT_KEPT\",\"NOPE\"]}",
	  "photos:required,codes[0].code:unknown_code,codes[2].code:unknown_code" },
	{ "{\"result\":\"fail\",\"codes\":[]}", "codes:required,photos:required" },
	{ "{\"result\":\"fail\",\"photos\":[%lld]}", "codes:required" },
	{ "{\"result\":\"fail\",\"codes\":[\"NOT_A_CODE\"],\"photos\":[%lld, 999999999]}",
	  "photos[1]:not_found,codes[0].code:unknown_code" },
	{ "{\"result\":\"fail\",\"codes\":[\"NOT_A_CODE\"],\"photos\":[999999999],\"colour\":\"red\"}",
	  "colour:unknown_field,codes[0].code:unknown_code,photos[0]:not_found" },
};

Test(credit, an_unrectified_post_check_revokes_writes_an_entry_and_costs_the_fast_track)
{
	rules_check_every_fast_track();
	long long org = 0;
	char *tok = new_applicant(&org);
	char *road = journey_login("road"), *office = journey_login("office");
	json_t *app = submit(tok);
	char dr[48];
	json_t *permit = dig_permit(app, dr);
	long long pid = jint(permit, "id");
	cr_assert_str_eq(jstr(permit, "decision"), "approved_on_commitment");
	json_t *notice = find(json_object_get(json_object_get(app, "notice"), "fast_track"),
			      "permit", dr);
	cr_assert(notice);
	cr_expect(json_is_true(json_object_get(notice, "fast_track")));
	cr_expect_eq(sql_ll(SQL_SAMPLE, pid), 1, "the draw is recorded with the permit");
	/*
	 * supervision shows the rule followed: under 100 % every low-risk fast track was drawn. The
	 * group is the version the permit was drawn under (the other test of this suite may have
	 * published an equal one since).
	 */
	long long drawn_under = sql_ll(SQL_SAMPLE_VERSION, pid);
	json_t *groups = journey_call("GET", "/v1/supervision/post-check-sampling", office, NULL, 200);
	size_t gi;
	json_t *g, *mine = NULL;
	json_array_foreach(json_object_get(groups, "items"), gi, g)
	{
		if (jint(g, "rules_version") == drawn_under && !strcmp(jstr(g, "risk_class"), "low"))
			mine = g;
	}
	cr_assert(mine, "%s", json_dumps(groups, 0));
	cr_expect_eq(jint(mine, "share_percent"), 100);
	cr_expect_geq(jint(mine, "permits"), 1);
	cr_expect_eq(jint(mine, "sampled"), jint(mine, "permits"));
	cr_expect(json_is_true(json_object_get(mine, "within_tolerance")));
	json_decref(groups);

	/* the road authority's queue shows it with its due date */
	json_t *q = journey_call("GET", "/v1/post-checks", road, NULL, 200);
	json_t *item = find(json_object_get(q, "items"), "reference", dr);
	cr_assert(item, "queued for the post-check");
	cr_expect_str_eq(jstr(item, "due_date"), day_plus(10));
	long long task = jint(item, "task_id");
	json_decref(q);

	/* a failure names its codes from the published list and shows photos: all problems at once */
	char path[96], body[256];
	snprintf(path, sizeof(path), "/v1/post-checks/%lld/result", task);
	struct reply r;
	long long ph = photo(road);
	for (size_t i = 0; i < sizeof(all_at_once) / sizeof(all_at_once[0]); i++) {
		snprintf(body, sizeof(body), all_at_once[i].body, ph);
		http_call(&r, "POST", path, road, body, NULL);
		cr_expect_eq(r.status, 422, "case %zu: %s", i, r.body);
		char *got = details_of(r.json);
		cr_expect_str_eq(got, all_at_once[i].details, "case %zu: %s", i, r.body);
		free(got);
		reply_release(&r);
	}
	cr_expect_eq(sql_ll("SELECT COUNT(*) FROM post_check_results WHERE permit_id = ?", pid), 0,
		     "nothing recorded");
	snprintf(body, sizeof(body), "{\"result\":\"fail\",\"codes\":[\"NOT_A_CODE\"],\"photos\":[%lld]}",
		 ph);
	http_call(&r, "POST", path, road, body, NULL);
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect(r.body && strstr(r.body, "NOT_A_CODE") && strstr(r.body, "LANE_NOT_KEPT"),
		  "names the bad code and the allowed ones: %s", r.body);
	reply_release(&r);
	/* another authority's task does not exist for it; the applicant may not record one */
	char *greening = journey_login("greening");
	http_call(&r, "POST", path, greening, "{\"result\":\"pass\"}", NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	reply_release(&r);
	http_call(&r, "POST", path, tok, "{\"result\":\"pass\"}", NULL);
	cr_expect_eq(r.status, 403, "%s", r.body);
	reply_release(&r);
	free(greening);

	snprintf(body, sizeof(body),
		 "{\"result\":\"fail\",\"codes\":[\"LANE_NOT_KEPT\"],\"photos\":[%lld],"
		 "\"comment\":\"no lane kept on the east side\"}", ph);
	json_t *res = journey_call("POST", path, road, body, 200);
	cr_expect_str_eq(jstr(json_object_get(res, "permit"), "state"), "approved");
	json_t *rect = json_object_get(res, "rectification");
	cr_assert(json_is_object(rect), "%s", json_dumps(res, 0));
	cr_expect_str_eq(jstr(rect, "due_date"), day_plus(5), "the standard's 5 working days");
	cr_expect_eq(jint(rect, "limit_days"), 5);
	long long rtask = jint(rect, "task_id");
	json_decref(res);
	q = journey_call("GET", "/v1/post-checks", road, NULL, 200);
	cr_expect_null(find(json_object_get(q, "items"), "reference", dr), "checked: off the queue");
	json_decref(q);
	/* recorded once: the same task again conflicts */
	http_call(&r, "POST", path, road, body, NULL);
	cr_expect_eq(r.status, 409, "%s", r.body);
	reply_release(&r);

	/* the applicant's queue shows the rectification; the office sees the entry */
	q = journey_call("GET", "/v1/rectifications?status=open", tok, NULL, 200);
	item = find(json_object_get(q, "items"), "reference", dr);
	cr_assert(item);
	cr_expect_str_eq(jstr(item, "due_date"), day_plus(5));
	cr_expect(json_is_false(json_object_get(item, "overdue")));
	json_decref(q);
	json_t *rec = record_of(office, org);
	cr_expect_eq(jint(rec, "count"), 1, "%s", json_dumps(rec, 0));
	cr_expect_str_eq(jstr(json_array_get(json_object_get(rec, "items"), 0), "rule"),
			 "post_check_failed");
	cr_expect(json_is_false(json_object_get(json_object_get(rec, "fast_track"), "lost")),
		  "a minor entry keeps the fast track");
	json_decref(rec);

	/* the clock moves past the due day: too late to report, and the sweep revokes */
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "UPDATE rectifications SET opened_on = opened_on - INTERVAL 30 DAY, "
		 "due_day = '%s' WHERE task_id = %lld", journey_day(-2), rtask);
	harness_sql(harness_db_name(), sql);
	snprintf(path, sizeof(path), "/v1/rectifications/%lld/done", rtask);
	http_call(&r, "POST", path, tok, "{\"note\":\"lane reopened\"}", NULL);
	cr_expect_eq(r.status, 409, "%s", r.body);
	reply_release(&r);
	int revoked = 0;
	struct error err = ERROR_INIT;
	/* this pass or the server's own sweeper thread, whichever comes first, revokes it */
	cr_assert_eq(postcheck_api_sweep(harness_app(srv), &revoked, &err), 0, "%s", err.message);
	snprintf(path, sizeof(path), "/v1/permits/%lld", pid);
	json_t *p = journey_call("GET", path, road, NULL, 200);
	cr_expect_str_eq(jstr(p, "state"), "revoked");
	char *reason = json_dumps(json_object_get(p, "decision_reason"), JSON_ENCODE_ANY);
	cr_expect(reason && strstr(reason, "RECTIFICATION_OVERDUE"), "%s", reason);
	free(reason);
	json_decref(p);
	cr_expect_eq(sql_ll(SQL_REVOKED_EVENTS, jint(app, "id")), 4,
		     "the authority, the applicant, water and gas hear of it");
	/* the sweep is idempotent */
	cr_assert_eq(postcheck_api_sweep(harness_app(srv), &revoked, &err), 0, "%s", err.message);
	cr_expect_eq(sql_ll(SQL_REVOKED_EVENTS, jint(app, "id")), 4);

	rec = record_of(office, org);
	cr_expect_eq(jint(rec, "count"), 2, "%s", json_dumps(rec, 0));
	json_t *entry = find(json_object_get(rec, "items"), "rule", "permit_revoked");
	cr_assert(entry);
	cr_expect_str_eq(jstr(entry, "severity"), "serious");
	cr_expect_str_eq(jstr(json_object_get(entry, "evidence"), "permit"), dr);
	cr_expect_eq(jint(json_object_get(entry, "evidence"), "permit_id"), pid);
	long long eid = jint(entry, "id");
	cr_expect_eq(sql_ll(SQL_AUDIT, eid), 1, "written with its audit record");
	/* never deleted, whoever asks: withdrawn on appeal at most */
	struct store_conn *c = store_acquire(harness_pool(), 2000, NULL);
	struct store_param del[] = { P_INT(eid) };
	cr_expect_neq(store_run(c, "DELETE FROM credit_entries WHERE id = ?", del, 1, NULL, NULL,
				&err), 0, "a credit entry was deleted");
	error_release(&err);
	store_release(c);
	cr_expect_eq(sql_ll(SQL_AUDIT, eid), 1);
	json_t *ft = json_object_get(rec, "fast_track");
	cr_expect(json_is_true(json_object_get(ft, "lost")));
	json_decref(rec);

	/* the next low-risk dig goes to ordinary review, and the notice says why */
	json_t *app2 = submit(tok);
	char dr2[48];
	json_t *p2 = dig_permit(app2, dr2);
	cr_expect_str_eq(jstr(p2, "state"), "submitted");
	cr_expect_str_eq(jstr(p2, "decision"), "none");
	notice = find(json_object_get(json_object_get(app2, "notice"), "fast_track"), "permit", dr2);
	cr_assert(notice, "%s", json_dumps(app2, 0));
	cr_expect(json_is_false(json_object_get(notice, "fast_track")));
	char want[64];
	snprintf(want, sizeof(want), "credit entry %lld (permit_revoked", eid);
	cr_expect(strstr(jstr(notice, "reason"), "fast track withdrawn") &&
			  strstr(jstr(notice, "reason"), want),
		  "%s", jstr(notice, "reason"));
	json_decref(app2);

	/* an appeal: only the organisation's own; the office withdraws it, and the track is back */
	snprintf(path, sizeof(path), "/v1/credit-entries/%lld/appeal", eid);
	char *demo = journey_login("applicant");
	http_call(&r, "POST", path, demo, "{\"reason\":\"not ours\"}", NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	reply_release(&r);
	http_call(&r, "POST", path, tok, "{}", NULL);
	cr_expect_eq(r.status, 422, "%s", r.body);
	reply_release(&r);
	json_t *ap = journey_call("POST", path, tok,
				  "{\"reason\":\"the lane was closed by the police, not by us\"}", 200);
	cr_expect_str_eq(jstr(ap, "status"), "appealed");
	json_decref(ap);
	snprintf(path, sizeof(path), "/v1/credit-entries/%lld/decision", eid);
	http_call(&r, "POST", path, tok, "{\"decision\":\"withdrawn\",\"reason\":\"x\"}", NULL);
	cr_expect_eq(r.status, 403, "%s", r.body);
	reply_release(&r);
	json_t *dec = journey_call("POST", path, office,
				   "{\"decision\":\"withdrawn\",\"reason\":\"police closure shown\"}",
				   200);
	cr_expect_str_eq(jstr(dec, "status"), "withdrawn");
	json_decref(dec);
	cr_expect_eq(sql_ll(SQL_AUDIT, eid), 3, "written, appealed, decided: each audited");
	rec = record_of(office, org);
	cr_expect(json_is_false(json_object_get(json_object_get(rec, "fast_track"), "lost")));
	json_decref(rec);
	json_t *app3 = submit(tok);
	char dr3[48];
	cr_expect_str_eq(jstr(dig_permit(app3, dr3), "decision"), "approved_on_commitment");
	json_decref(app3);

	error_release(&err);
	free(demo);
	free(tok);
	free(road);
	free(office);
	json_decref(app);
}

static const char SQL_REVOKED_ENTRIES[] =
	"SELECT COUNT(*) FROM credit_entries WHERE rule = 'permit_revoked' AND permit_id = ?";

/*
 * A revocation through the transitions API (the authority's or the office's decision) writes
 * the same permit_revoked entry as the sweep's, with its reason and audit record, once.
 */
struct manual_revocation {
	char who[12];
	char reason[24];
	char revoked_by[12];
};

ParameterizedTestParameters(credit, a_manual_revocation_writes_its_entry_once)
{
	static struct manual_revocation cases[] = {
		{ "road", "COMMITMENT_FALSE", "authority" },
		{ "office", "PLAN_CONFLICT", "office" },
	};
	return cr_make_param_array(struct manual_revocation, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct manual_revocation *c, credit, a_manual_revocation_writes_its_entry_once)
{
	long long org = 0;
	char *tok = new_applicant(&org);
	char *who = journey_login(c->who), *office = journey_login("office");
	json_t *app = submit(tok);
	char dr[48], path[96], body[200];
	json_t *permit = dig_permit(app, dr);
	long long pid = jint(permit, "id");
	cr_assert_str_eq(jstr(permit, "state"), "approved", "fast-tracked");
	snprintf(path, sizeof(path), "/v1/permits/%lld/transitions", pid);
	snprintf(body, sizeof(body),
		 "{\"action\":\"revoke\",\"reason_code\":\"%s\",\"comment\":\"seen on site\"}",
		 c->reason);
	json_t *p = journey_call("POST", path, who, body, 200);
	cr_expect_str_eq(jstr(p, "state"), "revoked");
	json_decref(p);
	/* revoked once: a second revocation is refused and writes nothing */
	json_decref(journey_call("POST", path, who, body, 409));
	cr_expect_eq(sql_ll(SQL_REVOKED_ENTRIES, pid), 1, "one permit_revoked entry");

	json_t *rec = record_of(office, org);
	json_t *entry = find(json_object_get(rec, "items"), "rule", "permit_revoked");
	cr_assert(entry, "the applicant's record: %s", json_dumps(rec, 0));
	cr_expect_eq(jint(entry, "org_id"), org, "against the applicant who held the permit");
	cr_expect_str_eq(jstr(entry, "severity"), "serious");
	json_t *ev = json_object_get(entry, "evidence");
	cr_expect_str_eq(jstr(ev, "permit"), dr);
	cr_expect_eq(jint(ev, "permit_id"), pid);
	cr_expect_str_eq(jstr(ev, "reason_code"), c->reason);
	cr_expect_str_eq(jstr(ev, "revoked_by"), c->revoked_by);
	cr_expect_str_eq(jstr(ev, "comment"), "seen on site");
	cr_expect_eq(sql_ll(SQL_AUDIT, jint(entry, "id")), 1, "written with its audit record");
	cr_expect(json_is_true(json_object_get(json_object_get(rec, "fast_track"), "lost")),
		  "a serious entry costs the fast track: %s", json_dumps(rec, 0));
	json_decref(rec);
	free(tok);
	free(who);
	free(office);
	json_decref(app);
}

/*
 * Revoked by hand while a failed post-check's rectification is open: the entry carries what the
 * check found, the rectification is settled as revoked (not left open and overdue for ever), and
 * the sweep that would have revoked it finds nothing more to do.
 */
Test(credit, a_manual_revocation_settles_the_open_rectification)
{
	rules_check_every_fast_track();
	long long org = 0;
	char *tok = new_applicant(&org);
	char *road = journey_login("road"), *office = journey_login("office");
	json_t *app = submit(tok);
	char dr[48], path[96], body[256];
	long long pid = jint(dig_permit(app, dr), "id");
	json_t *q = journey_call("GET", "/v1/post-checks", road, NULL, 200);
	json_t *item = find(json_object_get(q, "items"), "reference", dr);
	cr_assert(item, "queued for the post-check");
	snprintf(path, sizeof(path), "/v1/post-checks/%lld/result", jint(item, "task_id"));
	json_decref(q);
	snprintf(body, sizeof(body),
		 "{\"result\":\"fail\",\"codes\":[\"SIGNAGE_MISSING\"],\"photos\":[%lld]}",
		 photo(road));
	json_decref(journey_call("POST", path, road, body, 200));

	snprintf(path, sizeof(path), "/v1/permits/%lld/transitions", pid);
	json_decref(journey_call("POST", path, road,
				 "{\"action\":\"revoke\",\"reason_code\":\"COMMITMENT_FALSE\"}",
				 200));
	q = journey_call("GET", "/v1/rectifications", tok, NULL, 200);
	item = find(json_object_get(q, "items"), "reference", dr);
	cr_assert(item, "%s", json_dumps(q, 0));
	cr_expect_str_eq(jstr(item, "status"), "revoked");
	cr_expect(json_is_false(json_object_get(item, "overdue")));
	json_decref(q);
	json_t *rec = record_of(office, org);
	json_t *entry = find(json_object_get(rec, "items"), "rule", "permit_revoked");
	cr_assert(entry, "%s", json_dumps(rec, 0));
	json_t *ev = json_object_get(entry, "evidence");
	cr_expect_str_eq(jstr(ev, "reason_code"), "COMMITMENT_FALSE");
	cr_expect_str_eq(json_string_value(json_array_get(json_object_get(ev, "codes"), 0)),
			 "SIGNAGE_MISSING");
	cr_expect_str_eq(jstr(ev, "rectify_by"), day_plus(5));
	json_decref(rec);
	struct error err = ERROR_INIT;
	int revoked = -1;
	cr_assert_eq(postcheck_api_sweep(harness_app(srv), &revoked, &err), 0, "%s", err.message);
	cr_expect_eq(sql_ll(SQL_REVOKED_ENTRIES, pid), 1, "one permit_revoked entry");
	free(tok);
	free(road);
	free(office);
	json_decref(app);
}

Test(credit, a_rectified_failure_is_checked_again_and_a_false_commitment_weighs_serious)
{
	rules_check_every_fast_track();
	long long org = 0;
	char *tok = new_applicant(&org);
	char *road = journey_login("road"), *office = journey_login("office");
	json_t *app = submit(tok);
	char dr[48];
	long long pid = jint(dig_permit(app, dr), "id");
	json_t *q = journey_call("GET", "/v1/post-checks", road, NULL, 200);
	json_t *item = find(json_object_get(q, "items"), "reference", dr);
	cr_assert(item);
	long long task = jint(item, "task_id");
	json_decref(q);
	char path[96], body[256];
	snprintf(path, sizeof(path), "/v1/post-checks/%lld/result", task);
	snprintf(body, sizeof(body),
		 "{\"result\":\"fail\",\"codes\":[\"WORKS_EXCEED_COMMITMENT\",\"SITE_UNTIDY\"],"
		 "\"photos\":[%lld]}", photo(road));
	json_t *res = journey_call("POST", path, road, body, 200);
	long long rtask = jint(json_object_get(res, "rectification"), "task_id");
	json_decref(res);

	/* the false commitment is serious: the fast track is lost at once */
	json_t *rec = record_of(office, org);
	cr_expect_eq(jint(rec, "count"), 2, "%s", json_dumps(rec, 0));
	json_t *e = find(json_object_get(rec, "items"), "rule", "false_commitment");
	cr_assert(e);
	cr_expect_str_eq(jstr(e, "severity"), "serious");
	cr_expect(json_is_true(json_object_get(json_object_get(rec, "fast_track"), "lost")));
	json_decref(rec);
	/* the organisation reads its own record, not another's */
	char own[64];
	snprintf(own, sizeof(own), "/v1/organisations/%lld/credit", org);
	json_decref(journey_call("GET", own, tok, NULL, 200));
	char *demo = journey_login("applicant");
	struct reply r;
	http_call(&r, "GET", own, demo, NULL, NULL);
	cr_expect_eq(r.status, 404, "%s", r.body);
	reply_release(&r);

	/* no re-check while the rectification is open, through the transitions route either */
	char tpath[96];
	snprintf(tpath, sizeof(tpath), "/v1/permits/%lld/transitions", pid);
	http_call(&r, "POST", tpath, road, "{\"action\":\"post_check\",\"result\":\"pass\"}", NULL);
	cr_expect_eq(r.status, 409, "%s", r.body);
	reply_release(&r);

	/* rectified in time: the post-check opens again, and a pass checks the permit */
	snprintf(path, sizeof(path), "/v1/rectifications/%lld/done", rtask);
	http_call(&r, "POST", path, demo, "{\"note\":\"x\"}", NULL);
	cr_expect_eq(r.status, 404, "another applicant's: %s", r.body);
	reply_release(&r);
	json_t *done = journey_call("POST", path, tok, "{\"note\":\"site cleared\"}", 200);
	cr_expect_str_eq(jstr(done, "status"), "rectified");
	long long recheck = jint(done, "recheck_task_id");
	cr_expect_gt(recheck, task);
	json_decref(done);
	q = journey_call("GET", "/v1/post-checks", road, NULL, 200);
	item = find(json_object_get(q, "items"), "reference", dr);
	cr_assert(item, "the re-check is queued");
	cr_expect_eq(jint(item, "task_id"), recheck);
	json_decref(q);
	snprintf(path, sizeof(path), "/v1/post-checks/%lld/result", recheck);
	res = journey_call("POST", path, road, "{\"result\":\"pass\"}", 200);
	cr_expect_null(json_object_get(json_object_get(res, "permit"), "rectification"));
	cr_expect(json_is_null(json_object_get(res, "rectification")));
	json_decref(res);
	int revoked = 0;
	struct error err = ERROR_INIT;
	cr_assert_eq(postcheck_api_sweep(harness_app(srv), &revoked, &err), 0, "%s", err.message);
	snprintf(path, sizeof(path), "/v1/permits/%lld", pid);
	json_t *p = journey_call("GET", path, road, NULL, 200);
	cr_expect_str_eq(jstr(p, "state"), "approved", "rectified: not revoked");
	json_decref(p);

	error_release(&err);
	free(demo);
	free(tok);
	free(road);
	free(office);
	json_decref(app);
}

Test(credit, the_office_publishes_oversight_rules_as_versions)
{
	char *office = journey_login("office"), *road = journey_login("road");
	json_t *now = journey_call("GET", "/v1/public/oversight-rules", NULL, NULL, 200);
	int before = (int)jint(now, "version");
	cr_expect_geq(before, 1);
	cr_expect(json_is_object(json_object_get(now, "credit")));
	/* the draw's key stays the office's: the public sees a commitment to it */
	json_t *sampling = json_object_get(now, "sampling");
	cr_expect_null(json_object_get(sampling, "key"), "no sampling key in public");
	cr_expect_eq(json_string_length(json_object_get(sampling, "key_hash")), 64);
	struct reply r;
	http_call(&r, "POST", "/v1/oversight-rules", road, "{}", NULL);
	cr_expect_eq(r.status, 403, "%s", r.body);
	reply_release(&r);
	http_call(&r, "POST", "/v1/oversight-rules", office,
		  "{\"sampling\":{\"key\":\"zz\",\"tolerance_percent\":5,\"percent\":{\"low\":20,"
		  "\"medium\":100,\"high\":300}},\"credit\":{}}",
		  NULL);
	cr_expect_eq(r.status, 422, "%s", r.body);
	cr_expect(r.body && strstr(r.body, "sampling.key") && strstr(r.body, "sampling.percent.high") &&
			  strstr(r.body, "credit.rules"),
		  "every problem listed: %s", r.body);
	reply_release(&r);
	/* the published version is immutable in the database */
	char sql[128];
	snprintf(sql, sizeof(sql), "UPDATE oversight_rule_versions SET body = '{}' WHERE version = 1");
	struct store_conn *c = store_acquire(harness_pool(), 2000, NULL);
	struct error e = ERROR_INIT;
	cr_expect_neq(store_run(c, sql, NULL, 0, NULL, NULL, &e), 0, "a published version changed");
	error_release(&e);
	store_release(c);
	/* supervision sees the draws per rule version */
	json_t *s = journey_call("GET", "/v1/supervision/post-check-sampling", office, NULL, 200);
	cr_expect(json_is_array(json_object_get(s, "items")));
	json_decref(s);
	http_call(&r, "GET", "/v1/supervision/post-check-sampling", road, NULL, NULL);
	cr_expect_eq(r.status, 403);
	reply_release(&r);
	json_decref(now);
	free(office);
	free(road);
}

/* One bad item of a sweep is logged and passed over; an unavailable database stops the pass. */
Test(sweeper_items, a_bad_item_is_skipped_a_lost_database_stops)
{
	struct error e = ERROR_INIT;
	error_set(&e, ERR_INVALID, "reason_code: RECTIFICATION_OVERDUE is not in the list");
	cr_expect_eq(sweeper_item_failed("rectification revocation", 7, ERR_INVALID, &e), 0);
	cr_expect_eq(e.code, 0, "released: the next item starts clean");
	error_set(&e, ERR_UNAVAILABLE, "database connection lost");
	cr_expect_eq(sweeper_item_failed("overrun", 8, ERR_UNAVAILABLE, &e), ERR_UNAVAILABLE);
	cr_expect_eq(e.code, ERR_UNAVAILABLE, "kept for the caller");
	error_release(&e);
}
