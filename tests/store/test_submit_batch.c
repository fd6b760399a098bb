/*
 * The batch inserts of store/ (store/multirow.c, as each module uses it) against the real
 * server: every row stored, in the order given, across chunk boundaries (at most 16 rows a
 * statement), NULLs where the single row inserts put them, the ids that job and permit inserts
 * return matching their rows, and one read of an application's road segments equal to the
 * per-permit reads it replaces.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/applications.h"
#include "store/excavations.h"
#include "store/history.h"
#include "store/jobs.h"
#include "store/outbox.h"
#include "store/permits.h"
#include "support/fixture.h"
#include "support/harness.h"

static const char SQL_MATERIAL[] =
	"INSERT INTO materials (org_id, material_type, content_hash) VALUES (?, 'plan', ?)";
static const char SQL_TRANSITIONS[] =
	"SELECT object_type, object_id, action, from_state, to_state, actor_role, actor_org_id, "
	"actor_user_id, payload, DATE_FORMAT(at, '%Y-%m-%d %H:%i:%s.%f'), stage, due_day "
	"FROM transitions WHERE application_id = ? ORDER BY id";
static const char SQL_LINKS[] =
	"SELECT jp.job_id, jp.permit_id FROM job_permits jp JOIN jobs j ON j.id = jp.job_id "
	"WHERE j.application_id = ? ORDER BY jp.job_id, jp.permit_id";
static const char SQL_MATERIALS[] =
	"SELECT material_id FROM application_materials WHERE application_id = ? ORDER BY 1";
static const char SQL_DIGS[] =
	"SELECT permit_id, utility_kind, road, road_class, from_m, to_m, width_m, start_day, end_day "
	"FROM excavations WHERE application_id = ? ORDER BY id";
static const char SQL_EVENTS[] =
	"SELECT org_id, application_id, event_type, payload FROM outbox WHERE org_id = ? ORDER BY id";

/* The fixture's applicant, site and application (support/fixture.h), 5 jobs and 4 permits. */
struct world {
	struct store_conn *c;
	long long org, site, app;
	long long job[5], permit[4];
	struct fixture f;
};

static void world_make(struct world *w)
{
	memset(w, 0, sizeof(*w));
	fixture_make(&w->f, NULL);
	w->c = w->f.c;
	w->org = w->f.org;
	w->site = w->f.site;
	w->app = w->f.app;
	for (int k = 0; k < 5; k++)
		w->job[k] = fixture_job(&w->f, "water", "submitted");
	for (int k = 0; k < 4; k++)
		w->permit[k] = fixture_permit(&w->f, "dig_road", "submitted");
}

static void world_release(struct world *w)
{
	fixture_release(&w->f);
}

static struct store_result *rows_of(struct world *w, const char *sql, long long key)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(key) };
	struct error err = ERROR_INIT;
	cr_assert_eq(store_exec(w->c, sql, p, 1, &r, &err), 0, "%s", err.message);
	error_release(&err);
	return r;
}

static void expect_cell(const struct store_result *r, size_t row, size_t col, const char *want)
{
	const char *got = store_cell(r, row, col);
	if (!want)
		cr_expect_null(got, "row %zu col %zu: want NULL, got %s", row, col, got);
	else
		cr_expect(got && !strcmp(got, want), "row %zu col %zu: want %s, got %s", row, col,
			  want, got ? got : "NULL");
}

TestSuite(submit_batch_store, .timeout = 60);

Test(submit_batch_store, transitions_are_stored_in_order_across_chunks)
{
	struct world w;
	world_make(&w);
	struct error err = ERROR_INIT;
	/* 0, 1, 2, 3 and 7 rows: none, a lone row, one full chunk, a chunk and a half, several */
	static const size_t sizes[] = { 0, 1, 2, 3, 7 };
	struct transition_new t[13];
	char actions[13][16], payloads[13][32];
	size_t total = 0;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (size_t i = 0; i < sizes[s]; i++) {
			size_t k = total + i;
			snprintf(actions[k], sizeof(actions[k]), "act%zu", k);
			snprintf(payloads[k], sizeof(payloads[k]), "{\"n\":%zu}", k);
			bool odd = k % 2;
			t[i] = (struct transition_new){
				w.app, odd ? "permit" : "job", odd ? w.permit[k % 4] : w.job[k % 5],
				actions[k], odd ? "submitted" : NULL, "next", odd ? "system" : "applicant",
				odd ? 0 : w.org, 0, odd ? NULL : payloads[k], "2026-03-02 08:00:00.123456",
				odd ? NULL : "acceptance", odd ? -1 : cal_day_from_ymd(2026, 3, 4)
			};
		}
		int rc = sizes[s] == 1 ? store_transition_insert(w.c, &t[0], &err)
				       : store_transitions_insert_many(w.c, t, sizes[s], &err);
		cr_assert_eq(rc, 0, "%zu rows: %s", sizes[s], err.message);
		total += sizes[s];
	}
	struct store_result *r = rows_of(&w, SQL_TRANSITIONS, w.app);
	cr_assert_eq(r->nrows, total);
	char num[32];
	for (size_t k = 0; k < total; k++) {
		bool odd = k % 2;
		expect_cell(r, k, 0, odd ? "permit" : "job");
		snprintf(num, sizeof(num), "%lld", odd ? w.permit[k % 4] : w.job[k % 5]);
		expect_cell(r, k, 1, num);
		snprintf(num, sizeof(num), "act%zu", k);
		expect_cell(r, k, 2, num);
		expect_cell(r, k, 3, odd ? "submitted" : NULL);
		expect_cell(r, k, 4, "next");
		expect_cell(r, k, 5, odd ? "system" : "applicant");
		snprintf(num, sizeof(num), "%lld", w.org);
		expect_cell(r, k, 6, odd ? NULL : num);
		expect_cell(r, k, 7, NULL);
		snprintf(num, sizeof(num), "{\"n\":%zu}", k);
		expect_cell(r, k, 8, odd ? "{}" : num);
		expect_cell(r, k, 9, "2026-03-02 08:00:00.123456");
		expect_cell(r, k, 10, odd ? NULL : "acceptance");
		expect_cell(r, k, 11, odd ? NULL : "2026-03-04");
	}
	store_result_free(r);
	error_release(&err);
	world_release(&w);
}

Test(submit_batch_store, links_materials_excavations_and_events_keep_every_row)
{
	struct world w;
	world_make(&w);
	struct error err = ERROR_INIT;

	/* 20 links: a chunk of 16 and one of 4 */
	struct job_permit links[20];
	size_t nl = 0;
	for (int p = 0; p < 4; p++)
		for (int j = 0; j < 5; j++)
			links[nl++] = (struct job_permit){ w.job[j], w.permit[p] };
	cr_assert_eq(store_job_permit_links(w.c, links, nl, &err), 0, "%s", err.message);
	struct store_result *r = rows_of(&w, SQL_LINKS, w.app);
	cr_assert_eq(r->nrows, 20);
	for (size_t i = 0; i < r->nrows; i++) {
		cr_expect_eq(store_cell_ll(r, i, 0, 0), w.job[i / 4]);
		cr_expect_eq(store_cell_ll(r, i, 1, 0), w.permit[i % 4]);
	}
	store_result_free(r);

	/* 17 materials of the applicant's library: 16 and 1 */
	long long mats[17];
	for (int i = 0; i < 17; i++) {
		char hash[65];
		snprintf(hash, sizeof(hash), "%064d", harness_unique());
		unsigned long long id = 0;
		struct store_param p[] = { P_INT(w.org), P_STR(hash) };
		cr_assert_eq(store_run(w.c, SQL_MATERIAL, p, 2, NULL, &id, &err), 0, "%s",
			     err.message);
		mats[i] = (long long)id;
	}
	cr_assert_eq(store_application_materials(w.c, w.app, mats, 17, &err), 0, "%s", err.message);
	r = rows_of(&w, SQL_MATERIALS, w.app);
	cr_assert_eq(r->nrows, 17);
	for (size_t i = 0; i < 17; i++)
		cr_expect_eq(store_cell_ll(r, i, 0, 0), mats[i]);
	store_result_free(r);

	/* 5 excavations: 2, 2 and 1; one planned before it has a permit (NULL) */
	struct excavation_new digs[5];
	static const char *const kinds[] = { "water", "gas", "power", "heat", "network" };
	for (int i = 0; i < 5; i++)
		digs[i] = (struct excavation_new){ w.app, i == 4 ? 0 : w.permit[i % 2], kinds[i],
						   "350102", "Batch Road", i ? "branch" : "primary",
						   10 * i, 10 * i + 5, 100 + 25 * i,
						   cal_day_from_ymd(2026, 3, 2 + i),
						   cal_day_from_ymd(2026, 3, 10 + i), NULL, 0, 0, 0, NULL, NULL, NULL };
	cr_assert_eq(store_excavations_insert_many(w.c, digs, 5, &err), 0, "%s", err.message);
	r = rows_of(&w, SQL_DIGS, w.app);
	cr_assert_eq(r->nrows, 5);
	static const char *const widths[] = { "1.00", "1.25", "1.50", "1.75", "2.00" };
	char num[32];
	for (size_t i = 0; i < 5; i++) {
		snprintf(num, sizeof(num), "%lld", w.permit[i % 2]);
		expect_cell(r, i, 0, i == 4 ? NULL : num);
		expect_cell(r, i, 1, kinds[i]);
		expect_cell(r, i, 2, "Batch Road");
		expect_cell(r, i, 3, i ? "branch" : "primary");
		cr_expect_eq(store_cell_ll(r, i, 4, -1), 10 * (long long)i);
		cr_expect_eq(store_cell_ll(r, i, 5, -1), 10 * (long long)i + 5);
		expect_cell(r, i, 6, widths[i]);
		snprintf(num, sizeof(num), "2026-03-%02zu", 2 + i);
		expect_cell(r, i, 7, num);
		snprintf(num, sizeof(num), "2026-03-%02zu", 10 + i);
		expect_cell(r, i, 8, num);
	}
	store_result_free(r);

	/* 19 events: 8, 8 and 3, one without an application */
	struct outbox_new ev[19];
	char types[19][32], payloads[19][64];
	for (int i = 0; i < 19; i++) {
		snprintf(types[i], sizeof(types[i]), "test.e%d", i);
		snprintf(payloads[i], sizeof(payloads[i]), "{\"type\":\"test.e%d\",\"n\":%d}", i, i);
		ev[i] = (struct outbox_new){ w.org, i == 7 ? 0 : w.app, types[i], payloads[i] };
	}
	cr_assert_eq(store_outbox_insert_many(w.c, ev, 19, &err), 0, "%s", err.message);
	r = rows_of(&w, SQL_EVENTS, w.org);
	cr_assert_eq(r->nrows, 19, "exactly the events given, in the order given");
	for (size_t i = 0; i < 19; i++) {
		snprintf(num, sizeof(num), "%lld", w.app);
		expect_cell(r, i, 1, i == 7 ? NULL : num);
		expect_cell(r, i, 2, types[i]);
		expect_cell(r, i, 3, payloads[i]);
	}
	store_result_free(r);
	error_release(&err);
	world_release(&w);
}

Test(submit_batch_store, a_duplicate_fails_its_whole_statement_as_a_conflict)
{
	struct world w;
	world_make(&w);
	struct error err = ERROR_INIT;
	struct job_permit links[] = { { w.job[0], w.permit[0] },
				      { w.job[1], w.permit[0] },
				      { w.job[0], w.permit[0] } };
	cr_assert_eq(store_job_permit_links(w.c, links, 3, &err), ERR_CONFLICT);
	struct store_result *r = rows_of(&w, SQL_LINKS, w.app);
	cr_expect_eq(r->nrows, 0, "a statement is all or nothing");
	store_result_free(r);
	error_release(&err);
	world_release(&w);
}

Test(submit_batch_store, one_read_of_the_segments_equals_the_reads_per_permit)
{
	struct world w;
	world_make(&w);
	struct error err = ERROR_INIT;
	struct excavation_new digs[] = {
		{ w.app, w.permit[1], "water", "350102", "Jingshi Road", "branch", 100, 120, 100,
		  cal_day_from_ymd(2026, 3, 2), cal_day_from_ymd(2026, 3, 7), NULL, 0, 0, 0, NULL, NULL, NULL },
		{ w.app, w.permit[0], "power", "350102", "Lishan Road", "primary", 0, 400, 133,
		  cal_day_from_ymd(2026, 3, 2), cal_day_from_ymd(2026, 3, 30), NULL, 0, 0, 0, NULL, NULL, NULL },
		{ w.app, w.permit[1], "gas", "350102", "Jingshi Road", "branch", 110, 125, 80,
		  cal_day_from_ymd(2026, 3, 2), cal_day_from_ymd(2026, 3, 6), NULL, 0, 0, 0, NULL, NULL, NULL },
		{ w.app, 0, "heat", "350102", "Unpermitted Road", "branch", 0, 10, 50,
		  cal_day_from_ymd(2026, 3, 2), cal_day_from_ymd(2026, 3, 6), NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	cr_assert_eq(store_excavations_insert_many(w.c, digs, 4, &err), 0, "%s", err.message);
	json_t *all = NULL;
	cr_assert_eq(store_application_segments(w.c, w.app, &all, &err), 0, "%s", err.message);
	cr_expect_eq(json_object_size(all), 2, "only permits with excavations: %s",
		     json_dumps(all, 0));
	for (int p = 0; p < 4; p++) {
		char key[24];
		snprintf(key, sizeof(key), "%lld", w.permit[p]);
		json_t *one = NULL;
		cr_assert_eq(store_permit_segments(w.c, w.permit[p], &one, &err), 0);
		json_t *got = json_object_get(all, key);
		if (json_array_size(one))
			cr_expect(json_equal(got, one), "permit %d: %s vs %s", p,
				  json_dumps(got, 0), json_dumps(one, 0));
		else
			cr_expect_null(got);
		json_decref(one);
	}
	json_decref(all);
	error_release(&err);
	world_release(&w);
}

static const char SQL_JOB_REFS[] =
	"SELECT id, reference, stage, due_day FROM jobs WHERE application_id = ? ORDER BY id";
static const char SQL_PERMIT_REFS[] =
	"SELECT id, reference, window_from, deadline_day FROM permits WHERE application_id = ? "
	"ORDER BY id";

/*
 * Jobs and permits report their ids (INSERT ... RETURNING): each id returned is the row given
 * at that place, across chunk boundaries (16 rows a statement), with each row's own values.
 */
Test(submit_batch_store, jobs_and_permits_report_their_ids_in_order_across_chunks)
{
	struct world w;
	world_make(&w); /* its own 5 jobs and 4 permits come first */
	struct error err = ERROR_INIT;
	enum { NJ = 17, NP = 40 };
	static const size_t job_sizes[] = { 1, 16 }, permit_sizes[] = { 3, 37 };
	char jref[NJ][40], pref[NP][40];
	struct stored_clock clk = { 0 };
	snprintf(clk.stage, sizeof(clk.stage), "acceptance");
	clk.clock.limit_days = 2;
	clk.clock.started_day = cal_day_from_ymd(2026, 3, 2);
	clk.clock.due_day = cal_day_from_ymd(2026, 3, 4);
	struct job_new jn[NJ];
	struct permit_new pn[NP];
	for (int i = 0; i < NJ; i++) {
		snprintf(jref[i], sizeof(jref[i]), "J-%d-%d", harness_unique(), i);
		jn[i] = (struct job_new){ w.app, jref[i], "gas", "submitted", "{}", w.org,
					  i % 2 ? &clk : NULL };
	}
	for (int i = 0; i < NP; i++) {
		snprintf(pref[i], sizeof(pref[i]), "P-%d-%d", harness_unique(), i);
		pn[i] = (struct permit_new){ w.app, pref[i], "greening", "submitted", "none", "t",
					     w.org, false, i % 3 ? -1 : cal_day_from_ymd(2026, 4, i % 28 + 1),
					     -1, cal_day_from_ymd(2026, 5, i % 28 + 1), NULL, NULL };
	}
	long long jid[NJ] = { 0 }, pid[NP] = { 0 };
	for (size_t s = 0, at = 0; s < 2; at += job_sizes[s++])
		cr_assert_eq(store_jobs_insert_many(w.c, jn + at, job_sizes[s], jid + at, &err), 0,
			     "%s", err.message);
	for (size_t s = 0, at = 0; s < 2; at += permit_sizes[s++])
		cr_assert_eq(store_permits_insert_many(w.c, pn + at, permit_sizes[s], pid + at, &err),
			     0, "%s", err.message);

	struct store_result *r = rows_of(&w, SQL_JOB_REFS, w.app);
	cr_assert_eq(r->nrows, 5 + NJ);
	char num[32];
	for (int i = 0; i < NJ; i++) {
		snprintf(num, sizeof(num), "%lld", jid[i]);
		expect_cell(r, 5 + i, 0, num);
		expect_cell(r, 5 + i, 1, jref[i]);
		expect_cell(r, 5 + i, 2, i % 2 ? "acceptance" : NULL);
		expect_cell(r, 5 + i, 3, i % 2 ? "2026-03-04" : NULL);
	}
	store_result_free(r);
	r = rows_of(&w, SQL_PERMIT_REFS, w.app);
	cr_assert_eq(r->nrows, 4 + NP);
	for (int i = 0; i < NP; i++) {
		char from[11], deadline[11];
		snprintf(num, sizeof(num), "%lld", pid[i]);
		snprintf(from, sizeof(from), "2026-04-%02d", i % 28 + 1);
		snprintf(deadline, sizeof(deadline), "2026-05-%02d", i % 28 + 1);
		expect_cell(r, 4 + i, 0, num);
		expect_cell(r, 4 + i, 1, pref[i]);
		expect_cell(r, 4 + i, 2, i % 3 ? NULL : from);
		expect_cell(r, 4 + i, 3, deadline);
	}
	store_result_free(r);
	error_release(&err);
	world_release(&w);
}
