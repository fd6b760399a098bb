/*
 * store/permits.c against the real server: the permits a job digs under are those covering its
 * own utility's excavations in its own application; a permit's update is saved only at the
 * version read; the utilities that need a permit are each named once.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/jobs.h"
#include "store/permits.h"
#include "support/harness.h"
#include "support/fixture.h"

TestSuite(permits, .timeout = 60);

static void expect_ids(const long long *got, size_t n, const long long *want, size_t nwant,
		       const char *what)
{
	cr_assert_eq(n, nwant, "%s: %zu ids, want %zu", what, n, nwant);
	for (size_t i = 0; i < n; i++)
		cr_expect_eq(got[i], want[i], "%s: id %zu", what, i);
}

Test(permits, dug_by_job_is_the_permits_of_the_jobs_own_digs)
{
	struct fixture f, other;
	fixture_make(&f, NULL);
	fixture_make(&other, NULL);
	day_t from = cal_day_from_ymd(2026, 4, 1), to = cal_day_from_ymd(2026, 4, 20);
	long long water = fixture_job(&f, "water", "planning");
	long long power = fixture_job(&f, "power", "planning");
	long long gas = fixture_job(&f, "gas", "planning");
	long long p[3] = { fixture_permit(&f, "dig_road", "submitted"),
			   fixture_permit(&f, "dig_road", "submitted"),
			   fixture_permit(&f, "dig_road", "submitted") };
	/* the water job digs under p[1] (twice) and p[0], the power job under p[2] */
	fixture_dig(&f, p[1], "water", "Jing Shi Road", 0, 40, from, to);
	fixture_dig(&f, p[0], "water", "Jing Shi Road", 40, 80, from, to);
	fixture_dig(&f, p[1], "water", "Jing Shi Road", 80, 90, from, to);
	fixture_dig(&f, p[2], "power", "Jing Shi Road", 0, 40, from, to);
	fixture_dig(&f, 0, "water", "Jing Shi Road", 90, 99, from, to); /* no permit yet */
	/* another application's water digs are not this job's */
	long long elsewhere = fixture_permit(&other, "dig_road", "submitted");
	fixture_dig(&other, elsewhere, "water", "Jing Shi Road", 0, 40, from, to);

	struct error err = ERROR_INIT;
	long long *ids = NULL;
	size_t n = 0;
	cr_assert_eq(store_permits_dug_by_job(f.c, water, &ids, &n, &err), 0, "%s", err.message);
	expect_ids(ids, n, (long long[]){ p[0], p[1] }, 2, "water");
	free(ids);
	cr_assert_eq(store_permits_dug_by_job(f.c, power, &ids, &n, &err), 0, "%s", err.message);
	expect_ids(ids, n, (long long[]){ p[2] }, 1, "power");
	free(ids);
	long long stale = 0;
	ids = &stale; /* a job without digs resets both */
	n = 7;
	cr_assert_eq(store_permits_dug_by_job(f.c, gas, &ids, &n, &err), 0, "%s", err.message);
	cr_expect_null(ids);
	cr_expect_eq(n, 0);
	fixture_release(&f);
	fixture_release(&other);
}

Test(permits, an_update_is_saved_only_at_the_version_read)
{
	struct fixture f;
	fixture_make(&f, NULL);
	long long id = fixture_permit(&f, "dig_road", "submitted");
	struct error err = ERROR_INIT;
	struct permit_row p;
	cr_assert_eq(store_permit_get(f.c, id, true, &p, &err), 0, "%s", err.message);
	int read_at = p.version;
	store_permit_row_release(&p);

	day_t from = cal_day_from_ymd(2026, 5, 4), to = cal_day_from_ymd(2026, 5, 29);
	struct permit_update u = { .id = id,
				   .version = read_at,
				   .state = "approved",
				   .decision = "approved_with_conditions",
				   .extension_to = -1,
				   .window_from = from,
				   .window_to = to,
				   .deadline_day = -1,
				   .conditions = "[\"C-NIGHT\"]" };
	cr_assert_eq(store_permit_update(f.c, &u, &err), 0, "%s", err.message);

	struct permit_update stale = u;
	stale.state = "rejected";
	cr_expect_eq(store_permit_update(f.c, &stale, &err), ERR_CONFLICT);
	error_release(&err);

	/* the next version, with conditions NULL: they stay */
	struct permit_update next = u;
	next.version = read_at + 1;
	next.conditions = NULL;
	next.post_checked = true;
	cr_assert_eq(store_permit_update(f.c, &next, &err), 0, "%s", err.message);

	cr_assert_eq(store_permit_get(f.c, id, false, &p, &err), 0, "%s", err.message);
	cr_expect_eq(p.version, read_at + 2);
	cr_expect_str_eq(p.state, "approved");
	cr_expect_str_eq(p.decision, "approved_with_conditions");
	cr_expect(p.post_checked);
	cr_expect_eq(p.window_from, from);
	cr_expect_eq(p.window_to, to);
	cr_expect_eq(p.extension_to, -1);
	cr_assert_not_null(p.conditions);
	cr_expect(strstr(p.conditions, "C-NIGHT"), "%s", p.conditions);
	cr_expect_eq(p.clock.stage[0], 0, "no stage: NULL columns read as none");
	store_permit_row_release(&p);

	/* the window alone, without a version check, still counts as a change */
	cr_assert_eq(store_permit_set_window(f.c, id, from + 1, to + 1, &err), 0, "%s",
		     err.message);
	cr_assert_eq(store_permit_get(f.c, id, false, &p, &err), 0, "%s", err.message);
	cr_expect_eq(p.version, read_at + 3);
	cr_expect_eq(p.window_from, from + 1);
	store_permit_row_release(&p);
	fixture_release(&f);
}

Test(permits, the_utilities_that_need_a_permit_are_named_once)
{
	struct fixture f;
	fixture_make(&f, NULL);
	char email[128];
	long long second = harness_make_user("utility", "power", false, email);
	long long permit = fixture_permit(&f, "dig_road", "submitted");
	long long j1 = fixture_job(&f, "water", "planning"); /* both of f.org */
	long long j2 = fixture_job(&f, "heat", "planning");
	char ref[33];
	snprintf(ref, sizeof(ref), "%s-JP", f.ref);
	struct job_new jn = { f.app, ref, "power", "planning", "{}", second, NULL };
	long long j3 = 0;
	struct error err = ERROR_INIT;
	cr_assert_eq(store_job_insert(f.c, &jn, &j3, &err), 0, "%s", err.message);
	struct job_permit links[] = { { j1, permit }, { j2, permit }, { j3, permit } };
	cr_assert_eq(store_job_permit_links(f.c, links, 3, &err), 0, "%s", err.message);

	long long orgs[4];
	size_t n = 0;
	cr_assert_eq(store_permit_utility_orgs(f.c, permit, orgs, 4, &n, &err), 0, "%s",
		     err.message);
	long long want[2] = { f.org < second ? f.org : second, f.org < second ? second : f.org };
	expect_ids(orgs, n, want, 2, "utilities");
	cr_assert_eq(store_permit_utility_orgs(f.c, permit, orgs, 1, &n, &err), 0, "%s",
		     err.message);
	expect_ids(orgs, n, want, 1, "capped at one");
	fixture_release(&f);
}
