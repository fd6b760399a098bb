/*
 * store/jobs.c against the real server: replacing the permits that gate a job leaves exactly the
 * plan's list (and a failed replacement nothing once rolled back), and a job's update is saved
 * only at the version it was read at.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "store/jobs.h"
#include "store/permits.h"
#include "support/harness.h"
#include "support/fixture.h"

/* The ids of the permits linked to job, in id order, into ids (at most 8); how many. */
static size_t links_of(struct fixture *f, long long job, long long ids[8])
{
	struct permit_row *rows = NULL;
	size_t n = 0;
	struct error err = ERROR_INIT;
	cr_assert_eq(store_permits_of_job(f->c, job, &rows, &n, &err), 0, "%s", err.message);
	cr_assert_leq(n, 8);
	for (size_t i = 0; i < n; i++) {
		ids[i] = rows[i].id;
		store_permit_row_release(&rows[i]);
	}
	free(rows);
	return n;
}

TestSuite(jobs, .timeout = 60);

Test(jobs, replacing_the_permits_keeps_exactly_the_plans_list)
{
	struct fixture f;
	fixture_make(&f, NULL);
	long long job = fixture_job(&f, "water", "planning");
	long long other = fixture_job(&f, "power", "planning");
	long long p[3] = { fixture_permit(&f, "dig_road", "submitted"),
			   fixture_permit(&f, "greening", "submitted"),
			   fixture_permit(&f, "planning", "submitted") };
	struct job_permit before[] = { { job, p[0] }, { job, p[1] }, { other, p[0] } };
	struct error err = ERROR_INIT;
	cr_assert_eq(store_job_permit_links(f.c, before, 3, &err), 0, "%s", err.message);

	long long plan[] = { p[2], p[1] };
	cr_assert_eq(store_job_permits_replace(f.c, job, plan, 2, &err), 0, "%s", err.message);
	long long got[8];
	cr_assert_eq(links_of(&f, job, got), 2);
	cr_expect_eq(got[0], p[1]);
	cr_expect_eq(got[1], p[2]);
	/* another job's links are its own */
	cr_assert_eq(links_of(&f, other, got), 1);
	cr_expect_eq(got[0], p[0]);

	/* an empty plan removes every link of the job */
	cr_assert_eq(store_job_permits_replace(f.c, job, NULL, 0, &err), 0, "%s", err.message);
	cr_expect_eq(links_of(&f, job, got), 0);
	cr_expect_eq(links_of(&f, other, got), 1);
	fixture_release(&f);
}

Test(jobs, a_failed_replacement_leaves_the_links_once_rolled_back)
{
	struct fixture f;
	fixture_make(&f, NULL);
	long long job = fixture_job(&f, "water", "planning");
	long long p[2] = { fixture_permit(&f, "dig_road", "submitted"),
			   fixture_permit(&f, "greening", "submitted") };
	struct error err = ERROR_INIT;
	cr_assert_eq(store_job_permit_link(f.c, job, p[0], &err), 0, "%s", err.message);

	cr_assert_eq(store_begin(f.c, &err), 0, "%s", err.message);
	long long twice[] = { p[1], p[1] }; /* the second link is a duplicate key */
	cr_expect_eq(store_job_permits_replace(f.c, job, twice, 2, &err), ERR_CONFLICT);
	error_release(&err);
	store_rollback(f.c);

	long long got[8];
	cr_assert_eq(links_of(&f, job, got), 1);
	cr_expect_eq(got[0], p[0]);
	fixture_release(&f);
}

Test(jobs, an_update_is_saved_only_at_the_version_read)
{
	struct fixture f;
	fixture_make(&f, NULL);
	long long id = fixture_job(&f, "water", "submitted");
	struct error err = ERROR_INIT;
	struct job_row j;
	cr_assert_eq(store_job_get(f.c, id, false, &j, &err), 0, "%s", err.message);
	int read_at = j.version;
	store_job_row_release(&j);

	struct stored_clock k = { .stage = "design" };
	k.clock.limit_days = 5;
	k.clock.started_day = cal_day_from_ymd(2026, 3, 2);
	k.clock.due_day = cal_day_from_ymd(2026, 3, 9);
	struct job_update u = { id, read_at, "quoted", &k, NULL, "{\"lines\":[]}", NULL, 1200 };
	cr_assert_eq(store_job_update(f.c, &u, &err), 0, "%s", err.message);

	/* the same version again: someone changed it meanwhile, and nothing is written */
	struct job_update stale = { id, read_at, "accepted", NULL, NULL, NULL, NULL, 99 };
	cr_expect_eq(store_job_update(f.c, &stale, &err), ERR_CONFLICT);
	error_release(&err);

	cr_assert_eq(store_job_get(f.c, id, false, &j, &err), 0, "%s", err.message);
	cr_expect_eq(j.version, read_at + 1);
	cr_expect_str_eq(j.state, "quoted");
	cr_expect_str_eq(j.clock.stage, "design");
	cr_expect_eq(j.clock.clock.due_day, k.clock.due_day);
	cr_expect_eq(j.quote_total_fen, 1200);
	cr_expect_str_eq(j.quote, "{\"lines\":[]}");
	cr_expect_null(j.connection_point);
	store_job_row_release(&j);

	/* NULL text fields and a negative total leave what is stored */
	struct job_update later = { id, read_at + 1, "quoted", &k, NULL, NULL, NULL, -1 };
	cr_assert_eq(store_job_update(f.c, &later, &err), 0, "%s", err.message);
	cr_assert_eq(store_job_get(f.c, id, false, &j, &err), 0, "%s", err.message);
	cr_expect_eq(j.quote_total_fen, 1200);
	cr_expect_not_null(j.quote);
	store_job_row_release(&j);
	fixture_release(&f);
}

Test(jobs, an_absent_job_is_not_found_and_out_untouched)
{
	struct fixture f;
	fixture_make(&f, NULL);
	struct error err = ERROR_INIT;
	struct job_row j;
	memset(&j, 0x5a, sizeof(j));
	cr_expect_eq(store_job_get(f.c, 0, true, &j, &err), ERR_NOT_FOUND);
	error_release(&err);
	cr_expect_eq(j.id, 0x5a5a5a5a5a5a5a5aLL);
	fixture_release(&f);
}
