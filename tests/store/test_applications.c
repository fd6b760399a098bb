/*
 * store/applications.c against the real server: an open application is completed (or withdrawn)
 * only when none of its jobs is still open, and never reopened; reference numbers count up per
 * year; the declared customer class and the idempotency key read back.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store/applications.h"
#include "support/harness.h"
#include "support/fixture.h"

struct refresh_case {
	const char *jobs[3]; /* the jobs' states, NULL-ended */
	const char *before;  /* the application's status */
	const char *after;
};

static const struct refresh_case refresh_cases[] = {
	{ { "completed", "rejected", NULL }, "open", "completed" },
	{ { "completed", "withdrawn", NULL }, "open", "completed" },
	{ { "withdrawn", "withdrawn", NULL }, "open", "withdrawn" },
	{ { "completed", "construction", NULL }, "open", "open" },
	{ { "submitted", NULL }, "open", "open" },
	{ { "completed", NULL }, "withdrawn", "withdrawn" },
	{ { "construction", NULL }, "completed", "completed" },
};

/* One table, looped: Criterion's parameters cannot carry the strings (see test_webhook.c). */
Test(applications, refresh_completes_only_an_open_application_without_open_jobs, .timeout = 60)
{
	for (size_t c = 0; c < sizeof(refresh_cases) / sizeof(refresh_cases[0]); c++) {
		const struct refresh_case *k = &refresh_cases[c];
		struct fixture f;
		fixture_make(&f, NULL);
		for (int i = 0; k->jobs[i]; i++)
			fixture_job(&f, "water", k->jobs[i]);
		struct error err = ERROR_INIT;
		if (strcmp(k->before, "open"))
			cr_assert_eq(store_application_set_status(f.c, f.app, k->before, &err), 0,
				     "%s", err.message);
		cr_assert_eq(store_application_refresh_status(f.c, f.app, &err), 0, "%s",
			     err.message);
		struct application_row a;
		cr_assert_eq(store_application_get(f.c, f.app, &a, &err), 0, "%s", err.message);
		cr_expect_str_eq(a.status, k->after, "case %zu (%s, jobs %s, %s): %s, want %s", c,
				 k->before, k->jobs[0], k->jobs[1] ? k->jobs[1] : "-", a.status,
				 k->after);
		store_application_row_release(&a);
		fixture_release(&f);
	}
}

Test(applications, references_count_up_per_year)
{
	struct fixture f;
	fixture_make(&f, NULL);
	/* a year of its own per run, so that parallel runs do not share the counter */
	int year = 3000 + (int)(getpid() % 20000);
	struct error err = ERROR_INIT;
	long long a = 0, b = 0, other = 0;
	cr_assert_eq(store_begin(f.c, &err), 0, "%s", err.message);
	cr_assert_eq(store_next_reference(f.c, year, &a, &err), 0, "%s", err.message);
	cr_assert_eq(store_next_reference(f.c, year, &b, &err), 0, "%s", err.message);
	cr_assert_eq(store_next_reference(f.c, year + 1, &other, &err), 0, "%s", err.message);
	cr_assert_eq(store_commit(f.c, &err), 0, "%s", err.message);
	cr_expect_eq(b, a + 1);
	cr_expect_geq(other, 1);
	fixture_release(&f);
}

Test(applications, the_customer_class_and_the_key_read_back, .timeout = 60)
{
	struct fixture declared, silent;
	fixture_make(&declared, "{\"customer_class\": \"industrial\"}");
	fixture_make(&silent, NULL);
	struct error err = ERROR_INIT;
	char cls[32] = "x";
	cr_assert_eq(store_application_customer_class(declared.c, declared.app, cls, &err), 0, "%s",
		     err.message);
	cr_expect_str_eq(cls, "industrial");
	cr_assert_eq(store_application_customer_class(silent.c, silent.app, cls, &err), 0, "%s",
		     err.message);
	cr_expect_str_eq(cls, "");
	cr_expect_eq(store_application_customer_class(silent.c, 0, cls, &err), ERR_NOT_FOUND);
	error_release(&err);

	/* the fixture's application has no key; one with a key is found by it, for its org only */
	char ref[24], key[32], hash[65];
	snprintf(ref, sizeof(ref), "TK-%d-%d", (int)getpid(), harness_unique());
	snprintf(key, sizeof(key), "key-%d", harness_unique());
	static const char H[] = "1111111111111111111111111111111111111111111111111111111111111111";
	struct application_new an = { ref, silent.org, silent.site, 0, "2026-03-02 08:00:00.000000",
				      cal_day_from_ymd(2026, 3, 2), "{}", "{}", key, H, 0 };
	long long id = 0, found = -1;
	cr_assert_eq(store_application_insert(silent.c, &an, &id, &err), 0, "%s", err.message);
	cr_assert_eq(store_application_by_key(silent.c, silent.org, key, &found, hash, &err), 0);
	cr_expect_eq(found, id);
	cr_expect_str_eq(hash, H);
	cr_assert_eq(store_application_by_key(silent.c, declared.org, key, &found, hash, &err), 0);
	cr_expect_eq(found, 0);
	/* the same key again for the same org is a conflict */
	snprintf(ref, sizeof(ref), "TK-%d-%d", (int)getpid(), harness_unique());
	cr_expect_eq(store_application_insert(silent.c, &an, &id, &err), ERR_CONFLICT);
	error_release(&err);
	fixture_release(&declared);
	fixture_release(&silent);
}
