/*
 * store/idempotency.c against the real server: a stored reply is found again under its
 * organisation, route and key only, and a second reply for the same key is refused, the first
 * kept.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/idempotency.h"
#include "support/harness.h"

static const char H1[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
static const char H2[] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

Test(idempotency, a_reply_is_found_under_its_own_key_only, .timeout = 60)
{
	char email[128], key[32];
	long long org = harness_make_user("applicant", NULL, false, email);
	long long stranger = harness_make_user("applicant", NULL, false, email);
	snprintf(key, sizeof(key), "idem-%d", harness_unique());
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	struct error err = ERROR_INIT;
	cr_assert_eq(store_idem_put(c, org, "POST /v1/applications", key, H1, 201, "{\"id\":1}",
				    &err),
		     0, "%s", err.message);

	char hash[65] = "";
	int status = 0;
	char *response = NULL;
	cr_assert_eq(store_idem_get(c, org, "POST /v1/applications", key, hash, &status, &response,
				    &err),
		     0, "%s", err.message);
	cr_assert_not_null(response);
	cr_expect_str_eq(response, "{\"id\":1}");
	cr_expect_str_eq(hash, H1);
	cr_expect_eq(status, 201);
	free(response);

	/* another organisation, route or key has nothing stored, and hash and status are left */
	const struct {
		long long org;
		const char *route, *key;
	} misses[] = { { stranger, "POST /v1/applications", key },
		       { org, "POST /v1/jobs/1/actions", key },
		       { org, "POST /v1/applications", "idem-other" } };
	for (size_t i = 0; i < sizeof(misses) / sizeof(misses[0]); i++) {
		char h[65] = "left";
		int s = -1;
		response = (char *)"set";
		cr_assert_eq(store_idem_get(c, misses[i].org, misses[i].route, misses[i].key, h, &s,
					    &response, &err),
			     0, "%s", err.message);
		cr_expect_null(response, "miss %zu", i);
		cr_expect_str_eq(h, "left", "miss %zu", i);
		cr_expect_eq(s, -1, "miss %zu", i);
	}

	/* a second reply under the same key is refused; the first stays */
	cr_expect_eq(store_idem_put(c, org, "POST /v1/applications", key, H2, 200, "{}", &err),
		     ERR_CONFLICT);
	error_release(&err);
	cr_assert_eq(store_idem_get(c, org, "POST /v1/applications", key, hash, &status, &response,
				    &err),
		     0, "%s", err.message);
	cr_expect_str_eq(hash, H1);
	cr_expect_eq(status, 201);
	free(response);
	store_release(c);
}
