/*
 * The demo with its sample history (portal/seed_history.c), on a database of its own so the
 * other suites keep the plain demo: `portal seed-demo` as the command runs it, then what a
 * visitor, the office and the demo accounts see. The statistics have real spread (medians above
 * zero, an on-time rate below 100 %, deemed and fast-tracked permits, months of data), say in
 * both languages that they include sample data, the supervision lists carry late stages and
 * pauses marked as sample, the audit chain stays whole, a second run adds nothing, and an open
 * sample job can be worked through the API like any other.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "portal/admin.h"
#include "portal/public_stats.h"
#include "portal/seed_history.h"
#include "portal/snapshot.h"
#include "store/audit.h"
#include "store/migrate.h"
#include "support/harness.h"
#include "support/journey.h"

#define DEMO "demo-password-1"

static char db[64];
static struct harness_server *srv;
static double seed_seconds;

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A database of this test's own, migrated and seeded as `portal seed-demo` does. */
static void setup(void)
{
	snprintf(db, sizeof(db), "t_hist_%d_%u", getpid(), randombytes_uniform(1000000));
	char sql[128], url[512];
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s CHARACTER SET utf8mb4", db);
	harness_sql(NULL, sql);
	snprintf(url, sizeof(url), "mariadb://root@localhost/%s?socket=%s", db,
		 getenv("PORTAL_TEST_SOCKET"));
	setenv("PORTAL_DB", url, 1);
	struct store_config cfg;
	struct error err = ERROR_INIT;
	cr_assert_eq(store_config_parse(url, &cfg, &err), 0);
	cr_assert_eq(store_migrate(&cfg, getenv("PORTAL_MIGRATIONS"), NULL, NULL, &err), 0, "%s",
		     err.message);
	struct store_pool *pool = store_pool_new(&cfg, 2);
	day_t today = snapshot_today();
	struct seed_options o = {seed_history_first_day(today), true};
	double t0 = now_s();
	cr_assert_eq(seed_demo_run_with(pool, NULL, &o, &err), 0, "%s", err.message);
	seed_seconds = now_s() - t0;
	store_pool_free(pool);
	store_config_release(&cfg);
	srv = harness_server_start();
}

static void teardown(void)
{
	harness_server_stop(srv);
	char sql[128];
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", db);
	harness_sql(NULL, sql);
}

TestSuite(demo_history, .init = setup, .fini = teardown, .timeout = 120);

static char *get_text(const char *path)
{
	struct reply r;
	http_call(&r, "GET", path, NULL, NULL, NULL);
	cr_assert_eq(r.status, 200, "%s: %s", path, r.body);
	char *b = strdup(r.body);
	reply_release(&r);
	return b;
}

static long long scalar(const char *sql)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	struct store_result *r = NULL;
	struct error err = ERROR_INIT;
	cr_assert_eq(store_exec(c, sql, NULL, 0, &r, &err), 0, "%s: %s", sql, err.message);
	long long v = store_cell_ll(r, 0, 0, -1);
	store_result_free(r);
	store_release(c);
	return v;
}

Test(demo_history, the_statistics_look_like_a_citys_and_say_they_are_sample)
{
	fprintf(stderr, "demo_history: seed-demo with the sample history took %.2f s\n",
		seed_seconds);
	json_t *s = journey_call("GET", "/v1/public/stats", NULL, NULL, 200);
	json_t *sum = json_object_get(s, "summary");
	cr_expect_gt(json_integer_value(json_object_get(sum, "count")), 500);
	cr_expect_gt(json_number_value(json_object_get(sum, "median_days")), 0,
		     "not every median is 0.0");
	double rate = json_number_value(json_object_get(sum, "on_time_rate"));
	cr_expect(rate > 0.6 && rate < 1.0, "an on-time rate below 100 %%: %.3f", rate);
	cr_expect_gt(json_number_value(json_object_get(sum, "deemed_share")), 0, "deemed permits");
	cr_expect_gt(json_number_value(json_object_get(sum, "fast_track_share")), 0);
	cr_expect_gt(json_integer_value(json_object_get(sum, "rated")), 100, "ratings");
	json_t *groups = json_object_get(s, "groups");
	cr_expect_geq(json_array_size(json_object_get(groups, "month")), 6, "months of history");
	cr_expect_eq(json_array_size(json_object_get(groups, "utility")), 5, "all five utilities");
	cr_expect_eq(json_array_size(json_object_get(groups, "authority")), 3,
		     "all three authorities");
	cr_expect_geq(json_array_size(json_object_get(groups, "district")), 4);
	/* the districts differ, as a city's do */
	double lo = 1, hi = 0;
	size_t i;
	json_t *row;
	json_array_foreach(json_object_get(groups, "district"), i, row)
	{
		double r = json_number_value(json_object_get(row, "on_time_rate"));
		lo = r < lo ? r : lo;
		hi = r > hi ? r : hi;
		cr_expect(json_string_value(json_object_get(row, "name_en")));
	}
	cr_expect_gt(hi - lo, 0.01, "districts rank apart: %.3f..%.3f", lo, hi);
	cr_expect_gt(json_integer_value(json_object_get(s, "sample_tracks")), 500);
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(s, "sample_data"),
							   "reference_prefix")),
			 "SAMPLE-");
	json_decref(s);

	char *en = get_text("/stats?lang=en"), *zh = get_text("/stats?lang=zh");
	cr_expect(strstr(en, "class=\"sample\"") && strstr(en, "Sample data"), "English notice");
	cr_expect(strstr(zh, "class=\"sample\"") && strstr(zh, "示例数据"), "Chinese notice");
	cr_expect(strstr(en, "State Grid City Power Supply Co. (demo)"));
	cr_expect(strstr(zh, ">鼓楼区<") && strstr(en, ">Gulou District<"));
	free(en);
	free(zh);

	char *open = get_text("/v1/public/open-data/applications.csv");
	cr_expect(strstr(open, ",deemed,sample\n"), "open data says which rows are sample");
	cr_expect(strstr(open, ",true\n"), "and some are");
	cr_expect_null(strstr(open, "SAMPLE-"), "no references in open data");
	free(open);
}

Test(demo_history, supervision_sees_late_stages_and_pauses_marked_as_sample)
{
	char *office = harness_login("office@demo.test", DEMO);
	json_t *o = journey_call("GET", "/v1/supervision/overdue", office, NULL, 200);
	size_t i, sample = 0;
	json_t *it;
	json_array_foreach(json_object_get(o, "items"), i, it)
	{
		bool is = json_is_true(json_object_get(it, "sample"));
		cr_expect_eq(is, !strncmp(json_string_value(json_object_get(it, "reference")),
					  "SAMPLE-", 7));
		sample += is;
		cr_expect_gt(json_integer_value(json_object_get(it, "days_overdue")), 0);
	}
	cr_expect_geq(sample, 1, "a few sample stages are late today: %s", json_dumps(o, 0));
	json_decref(o);
	json_t *p = journey_call("GET", "/v1/supervision/pauses?limit=50", office, NULL, 200);
	cr_expect_eq(json_array_size(json_object_get(p, "items")), 50);
	json_t *first = json_array_get(json_object_get(p, "items"), 0);
	cr_expect(json_is_true(json_object_get(first, "sample")));
	cr_expect_str_eq(json_string_value(json_object_get(first, "reason")), "supplement");
	cr_expect_geq(json_array_size(json_object_get(first, "items")), 1, "what was owed");
	json_decref(p);
	json_t *f = journey_call("GET", "/v1/follow-ups?limit=100", office, NULL, 200);
	cr_expect_geq(json_array_size(json_object_get(f, "items")), 1, "bad ratings followed up");
	json_decref(f);
	free(office);

	/* the audit chain is whole: the generation is one entry, and says what it wrote */
	long long checked = 0, bad = 0;
	struct error err = ERROR_INIT;
	cr_expect_eq(store_audit_verify(harness_pool(), &checked, &bad, &err), 0, "%s",
		     err.message);
	cr_expect_eq(scalar("SELECT COUNT(*) FROM audit_log WHERE action = "
			    "'sample_history.generate' AND detail LIKE '%\"applications\":%'"),
		     1);

	/* a second seed-demo adds nothing */
	long long apps = scalar("SELECT COUNT(*) FROM applications");
	struct store_config cfg;
	cr_assert_eq(store_config_parse(harness_db_url(), &cfg, &err), 0);
	struct store_pool *pool = store_pool_new(&cfg, 2);
	struct seed_options opts = {seed_history_first_day(snapshot_today()), true};
	cr_expect_eq(seed_demo_run_with(pool, NULL, &opts, &err), 0, "%s", err.message);
	store_pool_free(pool);
	store_config_release(&cfg);
	cr_expect_eq(scalar("SELECT COUNT(*) FROM applications"), apps);
}

Test(demo_history, an_open_sample_job_is_worked_like_any_other)
{
	/* the sample fees and standards are in force from the history's first day */
	long long job = scalar("SELECT j.id FROM jobs j WHERE j.reference LIKE 'SAMPLE-%' AND "
			       "j.state = 'accepted' AND j.paused = 0 ORDER BY j.id DESC LIMIT 1");
	cr_assert_gt(job, 0, "an open sample job");
	/* its handler is the demo utility of its kind: water@demo.test for a water job */
	char sql[200], who[64];
	snprintf(sql, sizeof(sql), "SELECT utility_kind FROM jobs WHERE id = %lld", job);
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	struct store_result *r = NULL;
	struct error err = ERROR_INIT;
	cr_assert_eq(store_exec(c, sql, NULL, 0, &r, &err), 0, "%s", err.message);
	snprintf(who, sizeof(who), "%s@demo.test", store_cell(r, 0, 0));
	store_result_free(r);
	store_release(c);
	char *token = harness_login(who, DEMO);
	char path[64];
	snprintf(path, sizeof(path), "/v1/jobs/%lld/transitions", job);
	json_t *j = journey_call("POST", path, token,
				 "{\"action\":\"survey\",\"connection_point\":{\"lat\":26.108,"
				 "\"lng\":119.252,\"description\":\"gate\"}}",
				 200);
	cr_expect_str_eq(json_string_value(json_object_get(j, "state")), "surveyed");
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(j, "clock"), "stage")),
			 "plan", "the next stage starts on its published limit");
	json_decref(j);
	free(token);
}

/* The first cell of sql's one row, or NULL. */
static char *text(const char *sql)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	struct store_result *r = NULL;
	struct error err = ERROR_INIT;
	cr_assert_eq(store_exec(c, sql, NULL, 0, &r, &err), 0, "%s: %s", sql, err.message);
	const char *v = r->nrows ? store_cell(r, 0, 0) : NULL;
	char *out = v ? strdup(v) : NULL;
	store_result_free(r);
	store_release(c);
	return out;
}

/*
 * The sample history's decisions use the published code list like any clerk's: every reason,
 * condition and return item code in its transitions is one of the list in force.
 */
Test(demo_history, every_sample_decision_code_is_in_the_published_list)
{
	/* the statement cache knows a statement by its text's address: one buffer each */
	static char count_sql[3][1024], bad_sql[3][1024];
	long long used = 0;
	static const char *const paths[] = { "$.reason_code", "$.conditions[*].code",
					     "$.items[*].code" };
	for (size_t p = 0; p < sizeof(paths) / sizeof(paths[0]); p++) {
		snprintf(count_sql[p], sizeof(count_sql[p]),
			 "SELECT COUNT(*) FROM %s.transitions t, JSON_TABLE(t.payload, '%s' "
			 "COLUMNS (code VARCHAR(64) PATH '$')) j WHERE j.code IS NOT NULL",
			 db, paths[p]);
		used += scalar(count_sql[p]);
		snprintf(bad_sql[p], sizeof(bad_sql[p]),
			 "SELECT CAST(GROUP_CONCAT(DISTINCT CONCAT(t.action, ':', j.code)) AS CHAR) "
			 "FROM %s.transitions t, JSON_TABLE(t.payload, '%s' COLUMNS (code "
			 "VARCHAR(64) PATH '$')) j WHERE j.code IS NOT NULL AND j.code NOT IN "
			 "(SELECT code FROM %s.decision_codes)",
			 db, paths[p], db);
		char *bad = text(bad_sql[p]);
		cr_expect(bad == NULL, "codes at %s that are not in the list: %s", paths[p],
			  bad ? bad : "");
		free(bad);
	}
	cr_expect_geq(used, 5, "the history decides with codes: %lld", used);
}
