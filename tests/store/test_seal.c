/*
 * Secrets at rest (store/seal.c): sealing round trips, legacy clear text, the wrong key and
 * damaged text refused, key files, and endpoint keys that reach the database only sealed.
 */
#include <criterion/criterion.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/endpoints.h"
#include "store/seal.h"
#include "support/harness.h"
#include "lib/xalloc.h"

static const char SECRET[] = "whsec_c2VhbGVkLXNlY3JldC1mb3ItdGhlLXRlc3Qtb25seQ==";

static char *tmp_path(const char *name)
{
	const char *t = getenv("PORTAL_TEST_TMP");
	return xasprintf("%s/%s.%d.%u", t && *t ? t : "/tmp", name, (int)getpid(),
			 randombytes_random());
}

Test(seal, round_trip_hides_the_text_and_never_repeats)
{
	char *a = NULL, *b = NULL, *back = NULL;
	struct error err = ERROR_INIT;
	cr_assert_eq(store_seal(SECRET, &a, &err), 0, "%s", err.message);
	cr_assert_eq(store_seal(SECRET, &b, &err), 0, "%s", err.message);
	cr_expect_eq(strncmp(a, SEAL_PREFIX, strlen(SEAL_PREFIX)), 0, "%s", a);
	cr_expect_null(strstr(a, "c2VhbGVk"), "the secret shows through: %s", a);
	cr_expect_str_neq(a, b, "a fresh nonce each time");
	cr_expect_lt(strlen(a), 200, "fits the VARCHAR(200) columns: %zu", strlen(a));
	cr_assert_eq(store_unseal(a, &back, &err), 0, "%s", err.message);
	cr_expect_str_eq(back, SECRET);
	free(a);
	free(b);
	free(back);
	/* NULL stays NULL both ways */
	cr_expect_eq(store_seal(NULL, &a, &err), 0);
	cr_expect_null(a);
	cr_expect_eq(store_unseal(NULL, &a, &err), 0);
	cr_expect_null(a);
}

Test(seal, clear_text_from_before_sealing_is_read_as_it_is)
{
	char *back = NULL;
	struct error err = ERROR_INIT;
	cr_assert_eq(store_unseal(SECRET, &back, &err), 0);
	cr_expect_str_eq(back, SECRET);
	free(back);
}

Test(seal, another_key_or_damaged_text_is_refused_not_garbled)
{
	char *sealed = NULL, *back = NULL;
	struct error err = ERROR_INIT;
	cr_assert_eq(store_seal(SECRET, &sealed, &err), 0);
	/* damaged: a character of the box changed, the base64 cut short, nothing after the prefix */
	char *flipped = xstrdup(sealed);
	size_t mid = strlen(flipped) - 5;
	flipped[mid] = flipped[mid] == 'A' ? 'B' : 'A';
	const char *damaged[] = { flipped, SEAL_PREFIX "AAAA", SEAL_PREFIX, SEAL_PREFIX "!!!" };
	for (size_t i = 0; i < sizeof(damaged) / sizeof(damaged[0]); i++) {
		cr_expect_eq(store_unseal(damaged[i], &back, &err), ERR_INTERNAL, "case %zu", i);
		cr_expect_null(back);
		error_release(&err);
	}
	/* another key: this process switches keys (each test runs in its own process) */
	unsigned char other[32];
	randombytes_buf(other, sizeof(other));
	store_seal_key_set(other);
	cr_expect_eq(store_unseal(sealed, &back, &err), ERR_INTERNAL);
	cr_expect(strstr(err.message, "same key file"), "%s", err.message);
	cr_expect_null(back);
	error_release(&err);
	free(flipped);
	free(sealed);
}

Test(seal, key_files_are_created_private_and_then_kept)
{
	char *path = tmp_path("seal-key");
	struct error err = ERROR_INIT;
	cr_assert_eq(store_seal_load(path, &err), 0, "%s", err.message);
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
	char *sealed = NULL, *back = NULL;
	cr_assert_eq(store_seal(SECRET, &sealed, &err), 0);
	/* another key in between, then the file again: the same key comes back */
	unsigned char other[32] = { 1 };
	store_seal_key_set(other);
	cr_assert_eq(store_seal_load(path, &err), 0, "%s", err.message);
	cr_assert_eq(store_unseal(sealed, &back, &err), 0, "%s", err.message);
	cr_expect_str_eq(back, SECRET);
	unlink(path);
	free(path);
	free(sealed);
	free(back);
}

Test(seal, a_key_file_of_the_wrong_kind_is_refused)
{
	char *path = tmp_path("seal-bad");
	const char *bodies[] = { "ed25519 AAAA\n", "secretbox not-base64!\n", "secretbox QUJD\n", "" };
	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		FILE *f = fopen(path, "w");
		cr_assert(f);
		fputs(bodies[i], f);
		fclose(f);
		struct error err = ERROR_INIT;
		cr_expect_eq(store_seal_load(path, &err), ERR_IO, "body %zu", i);
		cr_expect(strstr(err.message, path), "%s", err.message);
		error_release(&err);
	}
	unlink(path);
	free(path);
}

Test(seal, endpoint_keys_reach_the_database_only_sealed)
{
	char email[128];
	long long org = harness_make_user("utility", "gas", true, email);
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	struct error err = ERROR_INIT;
	const char *sk = "whsk_c2lnbmluZy1rZXktZm9yLXRoZS10ZXN0";
	cr_assert_eq(store_endpoint_put(c, org, "https://example.org/hook", "v1a", SECRET, sk,
					"whpk_cHVibGlj", &err),
		     0, "%s", err.message);
	cr_assert_eq(store_endpoint_rotate(c, org, "whsec_bmV3LXNlY3JldA==", sk, "whpk_cHVibGlj",
					   3600, &err),
		     0, "%s", err.message);
	/* what a copy of the database would show */
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(org) };
	cr_assert_eq(store_exec(c,
				"SELECT secret, signing_key, previous_secret, previous_signing_key "
				"FROM endpoints WHERE org_id = ?",
				p, 1, &r, &err),
		     0, "%s", err.message);
	cr_assert_eq(r->nrows, 1);
	for (size_t col = 0; col < 4; col++) {
		const char *v = store_cell(r, 0, col);
		cr_assert(v, "column %zu", col);
		cr_expect_eq(strncmp(v, SEAL_PREFIX, strlen(SEAL_PREFIX)), 0, "column %zu: %s", col,
			     v);
		cr_expect_null(strstr(v, "whsec_"), "column %zu", col);
		cr_expect_null(strstr(v, "whsk_"), "column %zu", col);
	}
	store_result_free(r);
	/* and what the dispatcher gets */
	struct endpoint_row ep;
	cr_assert_eq(store_endpoint_get(c, org, false, &ep, &err), 0, "%s", err.message);
	cr_expect_str_eq(ep.secret, "whsec_bmV3LXNlY3JldA==");
	cr_expect_str_eq(ep.previous_secret, SECRET);
	cr_expect_str_eq(ep.signing_key, sk);
	cr_expect_str_eq(ep.public_key, "whpk_cHVibGlj");
	store_endpoint_release(&ep);
	/* a process with another key reads no garbage: it is told why */
	unsigned char other[32] = { 7 };
	store_seal_key_set(other);
	cr_expect_eq(store_endpoint_get(c, org, false, &ep, &err), ERR_INTERNAL);
	cr_expect(strstr(err.message, "same key file"), "%s", err.message);
	error_release(&err);
	store_release(c);
}
