/*
 * The submission's one-query look-ups against the real server: store_providers agrees with
 * store_org_find for every kind, and store_materials_owners answers ids in the order asked,
 * with unknown ids and repeats.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "store/accounts.h"
#include "store/materials.h"
#include "support/harness.h"

static struct store_conn *conn(void)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	return c;
}

Test(lookups, providers_match_the_first_of_each_kind)
{
	static const char *const utility[] = { "water", "power", "gas", "heat", "network" };
	static const char *const authority[] = { "road", "greening", "planning" };
	const char *names[9];
	long long ids[9];
	for (int i = 0; i < 5; i++)
		names[i] = utility[i];
	for (int i = 0; i < 3; i++)
		names[5 + i] = authority[i];
	names[8] = "plumbing"; /* nobody offers it */
	struct store_conn *c = conn();
	struct error err = ERROR_INIT;
	cr_assert_eq(store_providers(c, names, 9, ids, &err), 0, "%s", err.message);
	for (int i = 0; i < 8; i++) {
		long long want = 0;
		cr_assert_eq(store_org_find(c, i < 5 ? "utility" : "authority", names[i], &want, &err),
			     0, "%s: %s", names[i], err.message);
		cr_expect_eq(ids[i], want, "%s", names[i]);
		cr_expect_gt(ids[i], 0, "%s", names[i]);
	}
	cr_expect_eq(ids[8], 0, "an unknown kind has nobody");
	store_release(c);
}

Test(lookups, material_owners_in_the_order_asked)
{
	char email[128];
	long long org = harness_make_user("applicant", NULL, false, email);
	struct store_conn *c = conn();
	struct error err = ERROR_INIT;
	long long made[2];
	for (int i = 0; i < 2; i++) {
		struct material_row m;
		memset(&m, 0, sizeof(m));
		m.org_id = org;
		snprintf(m.type, sizeof(m.type), "%s", i ? "site_plan" : "licence");
		snprintf(m.filename, sizeof(m.filename), "m%d.pdf", i);
		snprintf(m.content_type, sizeof(m.content_type), "application/pdf");
		m.size_bytes = 10;
		snprintf(m.content_hash, sizeof(m.content_hash), "%064d", harness_unique());
		cr_assert_eq(store_material_insert(c, &m, &made[i], &err), 0, "%s", err.message);
	}
	long long ids[] = { made[1], 999999999, made[0], made[1] };
	long long owners[4];
	char types[4][65];
	cr_assert_eq(store_materials_owners(c, ids, 4, owners, types, &err), 0, "%s", err.message);
	cr_expect_eq(owners[0], org);
	cr_expect_str_eq(types[0], "site_plan");
	cr_expect_eq(owners[1], 0, "an unknown id has no owner");
	cr_expect_str_eq(types[1], "");
	cr_expect_eq(owners[2], org);
	cr_expect_str_eq(types[2], "licence");
	cr_expect_eq(owners[3], org, "a repeated id is answered again");
	cr_expect_str_eq(types[3], "site_plan");
	cr_expect_eq(store_materials_owners(c, ids, 0, owners, types, &err), 0, "none asked");
	store_release(c);
}
