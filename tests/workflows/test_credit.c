/*
 * The oversight rules (workflows/credit.c): reading a published version (every problem listed),
 * the reproducible sampling draw, expiry by months, false commitments, and the fast-track rule
 * as a table.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "workflows/credit.h"

static const char RULES[] =
	"{\"sampling\":{\"key\":\"5f1c0e0a4b3d2c19a8e7f6d5c4b3a291\",\"tolerance_percent\":5,"
	"\"percent\":{\"low\":20,\"medium\":100,\"high\":100}},"
	"\"credit\":{\"rules\":[{\"rule\":\"post_check_failed\",\"severity\":\"minor\",\"months\":12},"
	"{\"rule\":\"false_commitment\",\"severity\":\"serious\",\"months\":24},"
	"{\"rule\":\"permit_revoked\",\"severity\":\"serious\",\"months\":24},"
	"{\"rule\":\"overrun\",\"severity\":\"minor\",\"months\":12},"
	"{\"rule\":\"remedial_overdue\",\"severity\":\"minor\",\"months\":12}],"
	"\"false_commitment_codes\":[\"WORKS_EXCEED_COMMITMENT\"],"
	"\"fast_track_loss\":{\"severity\":\"serious\",\"months\":12}}}";

static void load(struct oversight_rules *r, int version)
{
	json_t *j = json_loads(RULES, 0, NULL);
	cr_assert(j);
	struct error e = ERROR_INIT;
	cr_assert_eq(oversight_rules_from_json(j, version, r, &e), 0, "%s", e.message);
	json_decref(j);
	error_release(&e);
}

Test(credit, a_published_version_reads_and_writes_back_the_same)
{
	struct oversight_rules r, again;
	load(&r, 3);
	cr_expect_eq(r.version, 3);
	cr_expect_eq(r.percent[ZONE_RISK_LOW], 20);
	cr_expect_eq(r.percent[ZONE_RISK_MEDIUM], 100);
	cr_expect_eq(r.nrules, 5);
	cr_expect_eq(credit_rule_find(&r, "false_commitment")->severity, CREDIT_SERIOUS);
	cr_expect_eq(credit_rule_find(&r, "overrun")->months, 12);
	cr_expect_null(credit_rule_find(&r, "nothing"));
	json_t *back = oversight_rules_to_json(&r);
	struct error e = ERROR_INIT;
	cr_assert_eq(oversight_rules_from_json(back, 3, &again, &e), 0, "%s", e.message);
	cr_expect(memcmp(&r, &again, sizeof(r)) == 0, "the round trip changes nothing");
	json_decref(back);
}

Test(credit, every_problem_of_a_version_is_listed)
{
	json_t *j = json_loads("{\"sampling\":{\"key\":\"xyz\",\"tolerance_percent\":101,"
			       "\"percent\":{\"low\":120,\"medium\":100}},"
			       "\"credit\":{\"rules\":[{\"rule\":\"overrun\",\"severity\":\"grave\","
			       "\"months\":0}],\"false_commitment_codes\":[],"
			       "\"fast_track_loss\":{\"severity\":\"serious\",\"months\":0}},"
			       "\"extra\":1}",
			       0, NULL);
	struct oversight_rules r;
	struct error e = ERROR_INIT;
	cr_assert_eq(oversight_rules_from_json(j, 1, &r, &e), ERR_INVALID);
	char got[1024] = "";
	for (size_t i = 0; i < e.ndetails; i++) {
		strcat(got, e.details[i].field);
		strcat(got, ":");
		strcat(got, e.details[i].code);
		strcat(got, ",");
	}
	cr_expect_str_eq(got,
			 "extra:unknown_field,sampling.key:invalid,sampling.tolerance_percent:invalid,"
			 "sampling.percent.low:invalid,sampling.percent.high:invalid,"
			 "credit.rules[0]:invalid,credit.rules[0]:invalid,credit.rules:missing,"
			 "credit.rules:missing,credit.rules:missing,credit.rules:missing,"
			 "credit.rules:missing,credit.fast_track_loss.months:invalid,");
	cr_expect_eq(r.version, 0);
	json_decref(j);
	error_release(&e);
}

Test(credit, the_draw_is_reproducible_and_keyed_by_permit_and_version)
{
	struct oversight_rules a, b;
	load(&a, 1);
	load(&b, 2);
	int same = 0, differ = 0;
	for (long long id = 1; id <= 200; id++) {
		int d = credit_sample_draw(&a, id);
		cr_assert(d >= 0 && d < 10000);
		cr_expect_eq(d, credit_sample_draw(&a, id), "the same permit draws the same");
		same += d == credit_sample_draw(&b, id);
		differ += d != credit_sample_draw(&a, id + 1);
	}
	cr_expect_lt(same, 5, "another rule version draws afresh");
	cr_expect_gt(differ, 195);
	/* the share decides: 100 % always, 0 % never, else below share * 100 */
	int draw = 0, share = 0;
	cr_expect(credit_sampled(&a, ZONE_RISK_MEDIUM, 42, &draw, &share));
	cr_expect_eq(share, 100);
	cr_expect_eq(credit_sampled(&a, ZONE_RISK_LOW, 42, &draw, &share), draw < 2000);
	a.percent[ZONE_RISK_HIGH] = 0;
	cr_expect_not(credit_sampled(&a, ZONE_RISK_HIGH, 42, NULL, NULL));
	/* the key is published: changing it changes the draws */
	b = a;
	b.key[0] ^= 1;
	int changed = 0;
	for (long long id = 1; id <= 100; id++)
		changed += credit_sample_draw(&a, id) != credit_sample_draw(&b, id);
	cr_expect_gt(changed, 95);
}

Test(credit, expiry_adds_months_and_clamps_the_day)
{
	static const struct {
		int y, m, d, months, ey, em, ed;
	} rows[] = {
		{ 2026, 1, 15, 12, 2027, 1, 15 }, { 2026, 1, 31, 1, 2026, 2, 28 },
		{ 2027, 12, 31, 2, 2028, 2, 29 }, { 2026, 11, 30, 3, 2027, 2, 28 },
		{ 2026, 3, 10, -12, 2025, 3, 10 }, { 2026, 5, 31, 24, 2028, 5, 31 },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		cr_expect_eq(credit_expiry(cal_day_from_ymd(rows[i].y, rows[i].m, rows[i].d),
					   rows[i].months),
			     cal_day_from_ymd(rows[i].ey, rows[i].em, rows[i].ed), "row %zu", i);
}

Test(credit, only_the_published_codes_make_a_commitment_false)
{
	struct oversight_rules r;
	load(&r, 1);
	const char *a[] = { "LANE_NOT_KEPT", "WORKS_EXCEED_COMMITMENT" };
	const char *b[] = { "LANE_NOT_KEPT", "SITE_UNTIDY" };
	cr_expect(credit_false_commitment(&r, a, 2));
	cr_expect_not(credit_false_commitment(&r, b, 2));
	cr_expect_not(credit_false_commitment(&r, a, 0));
}

/* The fast-track rule: one entry each, as of TODAY; plain ints for Criterion's copies. */
struct loss_case {
	int severity;
	int occurred_ago; /* days before TODAY */
	int expires_in;	  /* days after TODAY (<= 0: expired) */
	bool withdrawn;
	bool lost;
};

#define TODAY (cal_day_from_ymd(2026, 6, 15))

ParameterizedTestParameters(credit, fast_track_loss)
{
	static struct loss_case cases[] = {
		{ CREDIT_SERIOUS, 10, 700, false, true },   /* recent and serious: lost */
		{ CREDIT_MINOR, 10, 300, false, false },    /* not severe enough */
		{ CREDIT_SERIOUS, 10, 700, true, false },   /* withdrawn on appeal */
		{ CREDIT_SERIOUS, 400, 300, false, false }, /* more than 12 months ago */
		{ CREDIT_SERIOUS, 360, 370, false, true },  /* within the 12 months */
		{ CREDIT_SERIOUS, 10, 0, false, false },    /* expired today */
		{ CREDIT_SERIOUS, -1, 700, false, false },  /* not yet happened */
	};
	return cr_make_param_array(struct loss_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct loss_case *c, credit, fast_track_loss)
{
	struct oversight_rules r;
	load(&r, 4);
	struct credit_fact f = { 77, "permit_revoked", c->severity, TODAY - c->occurred_ago,
				 TODAY + c->expires_in, c->withdrawn };
	char why[240] = "";
	cr_expect_eq(credit_fast_track_lost(&r, &f, 1, TODAY, why, sizeof(why)), c->lost);
	if (c->lost) {
		cr_expect(strstr(why, "credit entry 77"), "%s", why);
		cr_expect(strstr(why, "permit_revoked"), "%s", why);
		cr_expect(strstr(why, "version 4"), "%s", why);
	}
	cr_expect_not(credit_fast_track_lost(&r, &f, 0, TODAY, NULL, 0), "no entries: kept");
}
