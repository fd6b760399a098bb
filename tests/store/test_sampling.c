/*
 * The post-check sample against the real server (issue #21): over 1,000 generated fast-tracked
 * permits the share drawn by the published rule meets the published share for their risk class
 * within the rule's stated tolerance, every draw is recorded with the rule version, and
 * recomputing a draw from the published rules gives the recorded one.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/credit.h"
#include "support/fixture.h"
#include "support/harness.h"
#include "workflows/credit.h"

TestSuite(sampling, .timeout = 300);

#define N 1000

static const char SQL_DRAWS[] =
	"SELECT s.permit_id, s.draw, s.sampled, s.rules_version FROM post_check_samples s "
	"JOIN permits p ON p.id = s.permit_id WHERE p.application_id = ? ORDER BY s.permit_id";

Test(sampling, the_published_share_is_met_within_its_tolerance_over_1000_permits)
{
	struct fixture f;
	fixture_make(&f, NULL);
	struct store_conn *c = f.c;
	struct oversight_rules rules;
	struct error e = ERROR_INIT;
	cr_assert_eq(store_oversight_rules_load(c, 0, &rules, NULL, &e), 0, "%s", e.message);
	int share = rules.percent[ZONE_RISK_LOW];
	cr_assert(share > 0 && share < 100, "the published low-risk share samples (%d %%)", share);
	cr_assert_gt(rules.tolerance_percent, 0, "the rule states its tolerance");

	/* the low-risk fast track, as the submission draws it (portal/applications_api.c) */
	int sampled = 0;
	for (int i = 0; i < N; i++) {
		long long pid = fixture_permit(&f, "dig_road", "approved");
		int draw = 0, s = 0;
		bool in = credit_sampled(&rules, ZONE_RISK_LOW, pid, &draw, &s);
		cr_assert_eq(store_sample_record(c, pid, rules.version, "low", s, draw, in, &e), 0,
			     "%s", e.message);
		sampled += in;
	}
	double got = 100.0 * sampled / N;
	cr_log_info("sampled %d of %d low-risk fast tracks (%.1f %%), published %d %% +- %d", sampled,
		    N, got, share, rules.tolerance_percent);
	cr_expect(got >= share - rules.tolerance_percent && got <= share + rules.tolerance_percent,
		  "sampled %.1f %% of %d, published %d %% +- %d", got, N, share,
		  rules.tolerance_percent);

	/* supervision's figures are the recorded draws, and each draw recomputes the same */
	struct sample_group *g = NULL;
	size_t ng = 0;
	cr_assert_eq(store_sample_groups(c, &g, &ng, &e), 0, "%s", e.message);
	bool found = false;
	for (size_t i = 0; i < ng; i++)
		if (g[i].rules_version == rules.version && !strcmp(g[i].risk, "low")) {
			found = true;
			cr_expect_geq(g[i].permits, N);
			cr_expect_eq(g[i].share_percent, share);
		}
	cr_expect(found);
	free(g);
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(f.app) };
	cr_assert_eq(store_exec(c, SQL_DRAWS, p, 1, &r, &e), 0, "%s", e.message);
	cr_assert_eq(r->nrows, N);
	for (size_t i = 0; i < r->nrows; i++) {
		long long pid = store_cell_ll(r, i, 0, 0);
		struct oversight_rules again;
		cr_assert_eq(store_oversight_rules_load(c, (int)store_cell_ll(r, i, 3, 0), &again,
							NULL, &e), 0);
		cr_expect_eq(credit_sample_draw(&again, pid), store_cell_ll(r, i, 1, -1),
			     "permit %lld", pid);
	}
	store_result_free(r);

	/* a medium-risk permit is always checked under the published 100 % */
	cr_expect_eq(rules.percent[ZONE_RISK_MEDIUM], 100);
	for (long long pid = 1; pid <= 200; pid++)
		cr_expect(credit_sampled(&rules, ZONE_RISK_MEDIUM, pid, NULL, NULL));
	error_release(&e);
	fixture_release(&f);
}
