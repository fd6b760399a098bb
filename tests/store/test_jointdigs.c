/*
 * store/jointdigs.c against the real server: a pair of permits is proposed once however often
 * it is offered, listed for its authority by status, and decided once.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "store/jointdigs.h"
#include "support/harness.h"
#include "support/fixture.h"

/* The authority's proposals with status (NULL: any) that join permit a with permit b. */
static size_t listed(struct fixture *f, long long org, const char *status, long long a, long long b)
{
	json_t *items = NULL;
	struct error err = ERROR_INIT;
	cr_assert_eq(store_joint_dig_list(f->c, org, status, &items, &err), 0, "%s", err.message);
	size_t n = 0, i;
	json_t *it;
	json_array_foreach(items, i, it)
	{
		json_t *p = json_object_get(it, "permits");
		if (json_integer_value(json_object_get(json_array_get(p, 0), "id")) == a &&
		    json_integer_value(json_object_get(json_array_get(p, 1), "id")) == b)
			n++;
	}
	json_decref(items);
	return n;
}

Test(jointdigs, a_pair_is_proposed_once_and_decided_once, .timeout = 60)
{
	struct fixture x, y;
	fixture_make(&x, NULL);
	fixture_make(&y, NULL);
	long long a = fixture_permit(&x, "dig_road", "submitted");
	long long b = fixture_permit(&y, "dig_road", "submitted");
	struct error err = ERROR_INIT;
	cr_assert_eq(store_joint_dig_propose(x.c, a, b, x.org, NULL, 0, &err), 0, "%s", err.message);
	cr_assert_eq(store_joint_dig_propose(x.c, a, b, x.org, NULL, 0, &err), 0, "%s", err.message);
	cr_expect_eq(listed(&x, x.org, NULL, a, b), 1);
	cr_expect_eq(listed(&x, x.org, "proposed", a, b), 1);
	cr_expect_eq(listed(&x, x.org, "accepted", a, b), 0);
	cr_expect_eq(listed(&x, y.org, NULL, a, b), 0, "another authority's list");

	json_t *items = NULL;
	cr_assert_eq(store_joint_dig_list(x.c, x.org, NULL, &items, &err), 0, "%s", err.message);
	long long id = json_integer_value(json_object_get(json_array_get(items, 0), "id"));
	json_decref(items);

	cr_assert_eq(store_begin(x.c, &err), 0, "%s", err.message);
	struct joint_dig_row row;
	cr_assert_eq(store_joint_dig_get(x.c, id, &row, &err), 0, "%s", err.message);
	cr_expect_eq(row.permit_a, a);
	cr_expect_eq(row.permit_b, b);
	cr_expect_str_eq(row.status, "proposed");
	cr_assert_eq(store_joint_dig_decide(x.c, id, true, &err), 0, "%s", err.message);
	cr_assert_eq(store_commit(x.c, &err), 0, "%s", err.message);

	cr_expect_eq(store_joint_dig_decide(x.c, id, false, &err), ERR_CONFLICT);
	error_release(&err);
	cr_expect_eq(listed(&x, x.org, "accepted", a, b), 1);
	cr_expect_eq(store_joint_dig_get(x.c, 0, &row, &err), ERR_NOT_FOUND);
	error_release(&err);
	fixture_release(&x);
	fixture_release(&y);
}

/*
 * store_joint_digs_propose writes what one store_joint_dig_propose per row would: 40 rows (three
 * statements of at most 16) with a pair offered twice, in one call: every pair once, extents kept.
 */
Test(jointdigs, many_proposals_in_one_call_are_each_pair_once, .timeout = 60)
{
	struct fixture x, y;
	fixture_make(&x, NULL);
	fixture_make(&y, NULL);
	enum { N = 20 };
	long long a[N], b = fixture_permit(&y, "dig_road", "submitted");
	struct joint_dig_new rows[2 * N];
	const char *wkt = "POLYGON((119.3 26.08,119.3001 26.08,119.3001 26.0801,119.3 26.0801,"
			  "119.3 26.08))";
	for (int i = 0; i < N; i++) {
		a[i] = fixture_permit(&x, "dig_road", "submitted");
		rows[2 * i] = (struct joint_dig_new){ a[i], b, x.org, i % 2 ? wkt : NULL, 10 + i };
		rows[2 * i + 1] = rows[2 * i]; /* offered again in the same call */
	}
	struct error err = ERROR_INIT;
	cr_assert_eq(store_joint_digs_propose(x.c, rows, 2 * N, &err), 0, "%s", err.message);
	cr_assert_eq(store_joint_digs_propose(x.c, rows, 0, &err), 0, "none: %s", err.message);
	for (int i = 0; i < N; i++)
		cr_expect_eq(listed(&x, x.org, "proposed", a[i], b), 1, "pair %d", i);
	json_t *items = NULL;
	cr_assert_eq(store_joint_dig_list(x.c, x.org, NULL, &items, &err), 0, "%s", err.message);
	size_t i, extents = 0;
	json_t *it;
	json_array_foreach(items, i, it)
	{
		json_t *p = json_object_get(it, "permits");
		if (json_integer_value(json_object_get(json_array_get(p, 1), "id")) == b &&
		    json_is_object(json_object_get(it, "shared_extent")))
			extents++;
	}
	json_decref(items);
	cr_expect_eq(extents, N / 2, "the odd rows carry an extent");
	fixture_release(&x);
	fixture_release(&y);
}
