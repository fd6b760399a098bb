/* The rows store tests build on (tests/support/fixture.h), made through the store itself. */
#define _GNU_SOURCE
#include "fixture.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store/applications.h"
#include "store/excavations.h"
#include "store/jobs.h"
#include "store/permits.h"
#include "support/harness.h"

static const char SQL_SITE[] =
	"INSERT INTO sites (org_id, name, address, district_code) VALUES (?, ?, '1 Test Road', "
	"'350102')";

static const char NO_HASH[] = "0000000000000000000000000000000000000000000000000000000000000000";

void fixture_make(struct fixture *f, const char *request_json)
{
	char email[128], name[64];
	memset(f, 0, sizeof(*f));
	f->org = harness_make_user("applicant", NULL, false, email);
	f->c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(f->c);
	struct error err = ERROR_INIT;
	unsigned long long id = 0;
	snprintf(name, sizeof(name), "Fixture site %d-%d", (int)getpid(), harness_unique());
	struct store_param sp[] = { P_INT(f->org), P_STR(name) };
	cr_assert_eq(store_run(f->c, SQL_SITE, sp, 2, NULL, &id, &err), 0, "%s", err.message);
	f->site = (long long)id;
	snprintf(f->ref, sizeof(f->ref), "TW-%d-%d", (int)getpid(), harness_unique());
	struct application_new an = {
		.reference = f->ref,
		.org_id = f->org,
		.site_id = f->site,
		.submitted_at = "2026-03-02 08:00:00.000000",
		.submitted_day = cal_day_from_ymd(2026, 3, 2),
		.request = request_json ? request_json : "{}",
		.estimate = "{}",
		.request_hash = NO_HASH,
	};
	cr_assert_eq(store_application_insert(f->c, &an, &f->app, &err), 0, "%s", err.message);
	error_release(&err);
}

void fixture_release(struct fixture *f)
{
	store_release(f->c);
	f->c = NULL;
}

long long fixture_job(struct fixture *f, const char *utility_kind, const char *state)
{
	char ref[33];
	snprintf(ref, sizeof(ref), "%s-J%d", f->ref, harness_unique());
	struct job_new jn = { f->app, ref, utility_kind, state, "{}", f->org, NULL };
	struct error err = ERROR_INIT;
	long long id = 0;
	cr_assert_eq(store_job_insert(f->c, &jn, &id, &err), 0, "%s", err.message);
	return id;
}

long long fixture_permit(struct fixture *f, const char *kind, const char *state)
{
	char ref[33];
	snprintf(ref, sizeof(ref), "%s-P%d", f->ref, harness_unique());
	struct permit_new pn = { .application_id = f->app, .reference = ref, .kind = kind,
				 .state = state, .decision = "none", .trigger_reason = "test",
				 .authority_org_id = f->org, .window_from = -1, .window_to = -1,
				 .deadline_day = -1 };
	struct error err = ERROR_INIT;
	long long id = 0;
	cr_assert_eq(store_permit_insert(f->c, &pn, &id, &err), 0, "%s", err.message);
	return id;
}

void fixture_dig(struct fixture *f, long long permit_id, const char *utility_kind,
		 const char *road, int from_m, int to_m, day_t start, day_t end)
{
	struct excavation_new e = { f->app, permit_id, utility_kind, "350102", road, "branch",
				    from_m, to_m, 150, start, end, NULL, 0, 0, 0, NULL, NULL, NULL };
	struct error err = ERROR_INIT;
	cr_assert_eq(store_excavation_insert(f->c, &e, &err), 0, "%s", err.message);
}
