/*
 * What one submission stores, row by row, now that it writes in batches: the materials, the
 * transitions in timeline order, the job-permit links, the excavations, the post-check tasks and
 * certificates of fast-tracked permits, the outbox events in delivery order with the snapshots
 * a per-event read of the store gives, and the audit entry last. A retry with the same
 * Idempotency-Key writes nothing more.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "portal/tracks.h"
#include "store/applications.h"
#include "store/jobs.h"
#include "store/permits.h"
#include "support/harness.h"
#include "support/journey.h"
#include "workflows/calendar.h"

static struct harness_server *srv;
static void setup(void) { srv = harness_server_start(); }
static void teardown(void) { harness_server_stop(srv); }
TestSuite(submit_batch, .init = setup, .fini = teardown, .timeout = 120);

static const char SQL_MATERIALS[] =
	"SELECT material_id FROM application_materials WHERE application_id = ? ORDER BY 1";
static const char SQL_TRANSITIONS[] =
	"SELECT object_type, object_id, action, from_state, to_state, actor_role, actor_org_id, "
	"actor_user_id, payload, stage, due_day FROM transitions WHERE application_id = ? "
	"ORDER BY id";
static const char SQL_LINKS[] =
	"SELECT p.reference, j.utility_kind FROM job_permits jp JOIN jobs j ON j.id = jp.job_id "
	"JOIN permits p ON p.id = jp.permit_id WHERE j.application_id = ? ORDER BY p.id, j.id";
static const char SQL_DIGS[] =
	"SELECT p.reference, e.utility_kind, e.road_id, e.length_m, e.zone_code FROM excavations e "
	"JOIN permits p ON p.id = e.permit_id WHERE e.application_id = ? ORDER BY e.id";
static const char SQL_SAMPLES[] =
	"SELECT COUNT(*), COALESCE(SUM(s.sampled), 0) FROM post_check_samples s "
	"JOIN permits p ON p.id = s.permit_id WHERE p.application_id = ?";
static const char SQL_TASKS[] =
	"SELECT t.permit_id, t.kind, t.org_id FROM tasks t JOIN permits p ON p.id = t.permit_id "
	"WHERE p.application_id = ? ORDER BY t.id";
static const char SQL_CERTIFICATES[] =
	"SELECT c.object_id FROM certificates c JOIN permits p ON c.object_type = 'permit' AND "
	"p.id = c.object_id WHERE p.application_id = ? ORDER BY c.id";
static const char SQL_EVENTS[] =
	"SELECT org_id, event_type, payload FROM outbox WHERE application_id = ? ORDER BY id";
static const char SQL_AUDIT[] =
	"SELECT id, action, object_id, detail FROM audit_log WHERE object_id LIKE ? ORDER BY id";

static const char *jstr(const json_t *j, const char *key)
{
	return json_string_value(json_object_get(j, key));
}

static long long jint(const json_t *j, const char *key)
{
	return json_integer_value(json_object_get(j, key));
}

static struct store_result *rows_of(struct store_conn *c, const char *sql, struct store_param p)
{
	struct store_result *r = NULL;
	struct error err = ERROR_INIT;
	cr_assert_eq(store_exec(c, sql, &p, 1, &r, &err), 0, "%s", err.message);
	error_release(&err);
	return r;
}

static bool cell_is(const struct store_result *r, size_t row, size_t col, const char *want)
{
	const char *got = store_cell(r, row, col);
	return want ? got && !strcmp(got, want) : !got;
}

/* The permit's reference suffix after the application's: "DR", "DR2", "GR", "PL". */
static const char *suffix(const char *permit_ref, const char *app_ref)
{
	size_t n = strlen(app_ref);
	return strncmp(permit_ref, app_ref, n) == 0 && permit_ref[n] == '-' ? permit_ref + n + 1
									   : "";
}

/* The utilities whose jobs need each permit: the diggers for a dig-road permit, all for others. */
static const char *linked_kinds(const char *sfx)
{
	if (!strcmp(sfx, "DR"))
		return "water,gas";
	if (!strcmp(sfx, "DR2"))
		return "power";
	return "water,power,gas,heat,network";
}

static void check_submission(const char *risk)
{
	char *tok = harness_login("applicant@demo.test", "demo-password-1");
	char body[512];
	snprintf(body, sizeof(body),
		 "{\"name\":\"Batch block %d-%d\",\"address\":\"88 Jingshi Road\","
		 "\"district\":\"350102\",\"lat\":26.108,\"lng\":119.252,\"plot_ref\":\"PLOT-7\","
		 "\"zone_risk\":\"low\"}",
		 (int)getpid(), harness_unique());
	json_t *site = journey_call("POST", "/v1/sites", tok, body, 201);
	json_t *materials = journey_upload_required(tok);
	char *sub = journey_submission(jint(site, "id"), materials);
	/* "medium": the same digs 230 m up Nanhou Street, past the published low-risk zone (the
	 * site claiming "low" all the same: a claim decides nothing) */
	bool low = !strcmp(risk, "low");
	if (!low) {
		static const char *const moves[][2] = {
			{ "[[119.2920,26.0830],[119.29202,26.0832]]",
			  "[[119.2918,26.0851],[119.29182,26.0853]]" },
			{ "[[119.29201,26.0831],[119.29203,26.08323]]",
			  "[[119.29183,26.0852],[119.29185,26.08533]]" },
		};
		for (size_t k = 0; k < 2; k++) {
			char *at = strstr(sub, moves[k][0]);
			cr_assert(at && strlen(moves[k][0]) == strlen(moves[k][1]));
			memcpy(at, moves[k][1], strlen(moves[k][1]));
		}
	}
	char key[80];
	snprintf(key, sizeof(key), "Idempotency-Key: batch-%d-%d", (int)getpid(), harness_unique());
	const char *const headers[] = { key, NULL };
	struct reply r;
	http_call(&r, "POST", "/v1/applications", tok, sub, headers);
	cr_assert_eq(r.status, 201, "%s", r.body);
	json_t *app = json_incref(r.json);
	reply_release(&r);
	/* the retry replays the first reply and stores nothing: every count below is one submission's */
	http_call(&r, "POST", "/v1/applications", tok, sub, headers);
	cr_assert(r.status == 201 || r.status == 200, "%s", r.body);
	cr_assert_str_eq(jstr(r.json, "reference"), jstr(app, "reference"));
	reply_release(&r);
	long long app_id = jint(app, "id");
	const char *ref = jstr(app, "reference");
	day_t today = tracks_today();

	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	struct error err = ERROR_INIT;
	struct job_row *jobs = NULL;
	struct permit_row *permits = NULL;
	size_t nj = 0, np = 0;
	cr_assert_eq(store_jobs_of_application(c, app_id, &jobs, &nj, &err), 0);
	cr_assert_eq(store_permits_of_application(c, app_id, &permits, &np, &err), 0);
	cr_assert_eq(nj, 5);
	cr_assert_eq(np, 4);
	struct application_row a;
	cr_assert_eq(store_application_get(c, app_id, &a, &err), 0);
	json_t *rj = json_object_get(app, "jobs"), *rp = json_object_get(app, "permits");
	for (size_t i = 0; i < nj; i++)
		cr_expect_eq(jint(json_array_get(rj, i), "id"), jobs[i].id, "reply lists jobs in id order");
	for (size_t i = 0; i < np; i++)
		cr_expect_eq(jint(json_array_get(rp, i), "id"), permits[i].id,
			     "reply lists permits in id order");
	size_t nfast = 0;
	for (size_t i = 0; i < np; i++)
		nfast += permits[i].fast_track;
	cr_expect_eq(nfast, low ? 1 : 0, "the joint dig is fast-tracked only in the low-risk zone");

	/* the materials, once each */
	struct store_result *res = rows_of(c, SQL_MATERIALS, P_INT(app_id));
	cr_expect_eq(res->nrows, json_array_size(materials));
	size_t i;
	json_t *m;
	json_array_foreach(materials, i, m)
	{
		bool found = false;
		for (size_t k = 0; k < res->nrows; k++)
			found |= store_cell_ll(res, k, 0, 0) == jint(m, "material_id");
		cr_expect(found, "material %lld", jint(m, "material_id"));
	}
	store_result_free(res);

	/* transitions: the application's, each job's, each permit's, in that order */
	res = rows_of(c, SQL_TRANSITIONS, P_INT(app_id));
	cr_assert_eq(res->nrows, 1 + nj + np);
	char num[32], day[11];
	snprintf(num, sizeof(num), "%lld", app_id);
	cr_expect(cell_is(res, 0, 0, "application") && cell_is(res, 0, 1, num) &&
		  cell_is(res, 0, 2, "submit") && cell_is(res, 0, 3, NULL) &&
		  cell_is(res, 0, 4, "open") && cell_is(res, 0, 5, "applicant") &&
		  cell_is(res, 0, 8, "{}") && cell_is(res, 0, 9, NULL) && cell_is(res, 0, 10, NULL));
	cr_expect(store_cell(res, 0, 6) && store_cell(res, 0, 7), "the applicant's org and user");
	for (size_t k = 0; k < nj; k++) {
		size_t row = 1 + k;
		snprintf(num, sizeof(num), "%lld", jobs[k].id);
		cr_expect(cell_is(res, row, 0, "job") && cell_is(res, row, 1, num) &&
				  cell_is(res, row, 2, "submit") && cell_is(res, row, 3, NULL) &&
				  cell_is(res, row, 4, "submitted") &&
				  cell_is(res, row, 5, "applicant") && cell_is(res, row, 8, "{}") &&
				  cell_is(res, row, 9, jobs[k].clock.stage) &&
				  cell_is(res, row, 10, cal_day_format(jobs[k].clock.clock.due_day, day)),
			  "transition %zu of job %s", row, jobs[k].reference);
	}
	for (size_t k = 0; k < np; k++) {
		size_t row = 1 + nj + k;
		const struct permit_row *p = &permits[k];
		snprintf(num, sizeof(num), "%lld", p->id);
		bool running = p->clock.stage[0] != 0;
		cr_expect(cell_is(res, row, 0, "permit") && cell_is(res, row, 1, num) &&
				  cell_is(res, row, 2, p->fast_track ? "fast_track" : "submit") &&
				  cell_is(res, row, 3, NULL) && cell_is(res, row, 4, p->state) &&
				  cell_is(res, row, 5, p->fast_track ? "system" : "applicant") &&
				  cell_is(res, row, 9, running ? p->clock.stage : NULL) &&
				  cell_is(res, row, 10, running ? cal_day_format(p->clock.clock.due_day, day)
								: NULL),
			  "transition %zu of permit %s", row, p->reference);
		json_t *why = json_loads(store_cell(res, row, 8), 0, NULL);
		cr_expect_str_eq(jstr(why, "trigger_reason"), p->trigger_reason);
		cr_expect(json_is_string(json_object_get(why, "fast_track")));
		json_decref(why);
	}
	store_result_free(res);

	/* links: each permit to the jobs whose works need it (13 in all) */
	res = rows_of(c, SQL_LINKS, P_INT(app_id));
	cr_expect_eq(res->nrows, 13);
	for (size_t k = 0; k < np; k++) {
		char got[128] = "";
		for (size_t row = 0; row < res->nrows; row++)
			if (!strcmp(store_cell(res, row, 0), permits[k].reference))
				snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
					 got[0] ? "," : "", store_cell(res, row, 1));
		const char *sfx = suffix(permits[k].reference, ref);
		cr_expect_str_eq(got, linked_kinds(sfx), "links of %s", permits[k].reference);
	}
	store_result_free(res);

	/* excavations, in the order planned, on their dig-road permits */
	res = rows_of(c, SQL_DIGS, P_INT(app_id));
	cr_assert_eq(res->nrows, 3);
	/* on the register roads they lie on, with lengths computed and the zone that covers them */
	const char *zone = low ? "LRZ-GL-0001 v1" : NULL;
	const char *const digs[3][5] = { { "DR", "water", "FZ-GL-0010", "22", zone },
					 { "DR", "gas", "FZ-GL-0010", "14", zone },
					 { "DR2", "power", "FZ-GL-0001", "399", NULL } };
	for (size_t row = 0; row < 3; row++) {
		cr_expect_str_eq(suffix(store_cell(res, row, 0), ref), digs[row][0]);
		for (size_t col = 1; col < 5; col++)
			if (col == 3)
				cr_expect(llabs(store_cell_ll(res, row, 3, 0) - atoll(digs[row][3])) <= 1,
					  "dig %zu length %s m", row, store_cell(res, row, 3));
			else
				cr_expect(digs[row][col] ? cell_is(res, row, col, digs[row][col])
							 : !store_cell(res, row, col),
					  "dig %zu col %zu: %s", row, col, store_cell(res, row, col));
	}
	store_result_free(res);

	/*
	 * every fast-tracked permit has its sampling draw recorded; a sampled one its post-check
	 * task (issue #21), and each its certificate
	 */
	res = rows_of(c, SQL_SAMPLES, P_INT(app_id));
	cr_expect_eq(store_cell_ll(res, 0, 0, -1), (long long)nfast, "one draw per fast track");
	long long nsampled = store_cell_ll(res, 0, 1, -1);
	store_result_free(res);
	res = rows_of(c, SQL_TASKS, P_INT(app_id));
	cr_expect_eq((long long)res->nrows, nsampled);
	for (size_t row = 0; row < res->nrows; row++) {
		cr_expect(cell_is(res, row, 1, "post_check"));
		for (size_t k = 0; k < np; k++)
			if (permits[k].id == store_cell_ll(res, row, 0, 0))
				cr_expect(permits[k].fast_track &&
					  permits[k].authority_org_id == store_cell_ll(res, row, 2, 0));
	}
	store_result_free(res);
	res = rows_of(c, SQL_CERTIFICATES, P_INT(app_id));
	cr_expect_eq(res->nrows, nfast);
	store_result_free(res);

	/*
	 * Events: each job's, each permit's, then the applicant's, in id order (the dispatcher
	 * delivers per organisation in that order), with the snapshot a per-event read gives.
	 */
	res = rows_of(c, SQL_EVENTS, P_INT(app_id));
	cr_assert_eq(res->nrows, nj + np + 1);
	for (size_t row = 0; row < res->nrows; row++) {
		json_t *ev = json_loads(store_cell(res, row, 2), 0, NULL);
		cr_assert(ev, "event %zu is JSON", row);
		cr_expect(cell_is(res, row, 1, jstr(ev, "type")));
		cr_expect_eq(jint(ev, "version"), 1);
		cr_expect_str_eq(jstr(ev, "application"), ref);
		cr_expect(json_is_string(json_object_get(ev, "occurred_at")));
		json_t *obj = json_object_get(ev, "object"), *fresh = NULL;
		if (row < nj) {
			const struct job_row *j = &jobs[row];
			cr_expect_eq(store_cell_ll(res, row, 0, 0), j->utility_org_id);
			cr_expect(cell_is(res, row, 1, "job.created"));
			cr_expect_str_eq(jstr(ev, "adapter"), j->utility_kind);
			fresh = tracks_job_event(c, j, today, &err);
		} else if (row < nj + np) {
			const struct permit_row *p = &permits[row - nj];
			cr_expect_eq(store_cell_ll(res, row, 0, 0), p->authority_org_id);
			cr_expect(cell_is(res, row, 1,
					  p->fast_track ? "permit.fast_tracked" : "permit.created"));
			cr_expect_str_eq(jstr(ev, "adapter"), tracks_permit_adapter(p->kind));
			fresh = tracks_permit_event(c, p, today, &err);
		} else {
			cr_expect(cell_is(res, row, 1, "application.submitted"));
			cr_expect_null(json_object_get(ev, "adapter"));
			fresh = json_pack("{s:s, s:i, s:i}", "reference", ref, "jobs", 5, "permits", 4);
			cr_expect_eq(store_cell_ll(res, row, 0, 0), a.org_id, "to the applicant");
		}
		cr_assert(fresh, "%s", err.message);
		char *st = json_dumps(obj, JSON_SORT_KEYS), *rd = json_dumps(fresh, JSON_SORT_KEYS);
		cr_expect(json_equal(obj, fresh), "event %zu:\n stored %s\n read   %s", row, st, rd);
		free(st);
		free(rd);
		json_decref(fresh);
		json_decref(ev);
	}
	store_result_free(res);
	/* and the fields the adapters map, spelled out */
	res = rows_of(c, SQL_EVENTS, P_INT(app_id));
	json_t *water = json_loads(store_cell(res, 0, 2), 0, NULL);
	json_t *wo = json_object_get(water, "object");
	cr_expect_eq(jint(json_object_get(wo, "params"), "pipe_dn"), 100);
	cr_expect_eq(jint(json_object_get(wo, "params"), "meter_count"), 1);
	json_t *site_j = json_object_get(json_object_get(wo, "application"), "site");
	cr_expect_str_eq(jstr(site_j, "address"), "88 Jingshi Road");
	cr_expect_str_eq(jstr(site_j, "district"), "350102");
	json_decref(water);
	for (size_t k = 0; k < np; k++) {
		json_t *ev = json_loads(store_cell(res, nj + k, 2), 0, NULL);
		json_t *works = json_object_get(json_object_get(ev, "object"), "works");
		const char *sfx = suffix(permits[k].reference, ref);
		json_t *segs = json_object_get(works, "segments");
		if (!strcmp(sfx, "DR")) {
			cr_expect_eq(json_array_size(segs), 2, "the joint dig's two segments");
			cr_expect_str_eq(jstr(json_array_get(segs, 0), "road"), "南后街");
			cr_expect_str_eq(jstr(json_array_get(segs, 0), "road_id"), "FZ-GL-0010");
			cr_expect_eq(jint(json_array_get(segs, 0), "from_chainage_m"), 0);
			cr_expect(llabs(jint(json_array_get(segs, 1), "to_chainage_m") - 14) <= 1);
			cr_expect_str_eq(jstr(json_object_get(json_array_get(segs, 0),
							       "works_coordinates"),
					      "type"),
					 "LineString", "the extent goes to the authority");
			cr_expect(json_real_value(json_object_get(json_array_get(segs, 1), "width_m")) ==
				  1.0);
		} else if (!strcmp(sfx, "DR2")) {
			cr_expect_eq(json_array_size(segs), 1);
			cr_expect_str_eq(jstr(json_array_get(segs, 0), "road_class"), "primary");
			cr_expect(llabs(jint(json_array_get(segs, 0), "to_chainage_m") - 399) <= 1);
		} else if (!strcmp(sfx, "GR")) {
			cr_expect_eq(jint(works, "green_area_m2"), 30);
			cr_expect_eq(jint(works, "trees_affected"), 1);
		} else {
			cr_expect_eq(jint(works, "lines_outside_plot_length_m"), 20);
		}
		json_decref(ev);
	}
	store_result_free(res);

	/* the audit: one entry for the submission, after any certificate it issued */
	char like[40];
	snprintf(like, sizeof(like), "%s%%", ref);
	res = rows_of(c, SQL_AUDIT, P_STR(like));
	size_t submits = 0, certs = 0;
	long long submit_id = 0, last_cert = 0;
	for (size_t row = 0; row < res->nrows; row++) {
		if (cell_is(res, row, 1, "application.submit") && cell_is(res, row, 2, ref)) {
			submits++;
			submit_id = store_cell_ll(res, row, 0, 0);
			json_t *d = json_loads(store_cell(res, row, 3), 0, NULL);
			cr_expect_eq(jint(d, "jobs"), 5);
			cr_expect_eq(jint(d, "permits"), 4);
			cr_expect_eq(jint(d, "estimate_total_fen"),
				     jint(json_object_get(app, "estimate"), "total_fen"));
			json_decref(d);
		} else if (cell_is(res, row, 1, "certificate.issue")) {
			certs++;
			last_cert = store_cell_ll(res, row, 0, 0);
		}
	}
	cr_expect_eq(submits, 1);
	cr_expect_eq(certs, nfast);
	cr_expect_lt(last_cert, submit_id, "the submission's own entry is appended last");
	store_result_free(res);

	for (size_t k = 0; k < nj; k++)
		store_job_row_release(&jobs[k]);
	for (size_t k = 0; k < np; k++)
		store_permit_row_release(&permits[k]);
	free(jobs);
	free(permits);
	store_application_row_release(&a);
	store_release(c);
	error_release(&err);
	json_decref(app);
	json_decref(site);
	json_decref(materials);
	free(sub);
	free(tok);
}

Test(submit_batch, a_low_risk_submission_stores_exactly_its_rows_and_events)
{
	check_submission("low");
}

Test(submit_batch, a_medium_risk_submission_stores_exactly_its_rows_and_events)
{
	check_submission("medium");
}
