/* Tests for workflows/certificate.c: the canonical form, signatures, numbers and status. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "workflows/certificate.h"

static struct certificate sample(json_t *scope)
{
	struct certificate c = {
	    .number = "EC-2026-000001",
	    .object = "permit",
	    .reference = "HK-2026-000007-DR",
	    .holder = "华信置业 Huaxin \"Property\"",
	    .district = "350102",
	    .scope = scope,
	    .valid_from = cal_day_from_ymd(2026, 3, 2),
	    .valid_to = cal_day_from_ymd(2026, 4, 30),
	    .issued_at = "2026-03-02T02:00:00Z",
	    .issuer = "Joint Utility Hookup Portal",
	    .key_id = "ed25519-0011223344556677",
	};
	return c;
}

Test(certificate, the_canonical_form_is_sorted_compact_utf8)
{
	json_t *scope = json_pack("{s:s, s:s}", "kind", "dig_road", "decision", "approved");
	struct certificate c = sample(scope);
	char *text = certificate_canonical(&c, NULL);
	cr_assert(text);
	const char *want =
	    "{\"format\":\"hkp-certificate-1\",\"holder\":\"华信置业 Huaxin \\\"Property\\\"\","
	    "\"issued_at\":\"2026-03-02T02:00:00Z\",\"issuer\":\"Joint Utility Hookup Portal\","
	    "\"key_id\":\"ed25519-0011223344556677\",\"number\":\"EC-2026-000001\","
	    "\"object\":\"permit\",\"reference\":\"HK-2026-000007-DR\","
	    "\"scope\":{\"decision\":\"approved\",\"kind\":\"dig_road\"},"
	    "\"site_district\":\"350102\",\"valid_from\":\"2026-03-02\","
	    "\"valid_to\":\"2026-04-30\"}";
	cr_expect_str_eq(text, want);
	/* parsing and re-canonicalising gives the same bytes */
	json_t *doc = json_loads(text, 0, NULL);
	char *again = certificate_canonical_json(doc, NULL);
	cr_expect_str_eq(again, text);
	json_decref(doc);
	free(again);
	free(text);
	c.valid_to = -1;
	text = certificate_canonical(&c, NULL);
	cr_expect(strstr(text, "\"valid_to\":null}"), "%s", text);
	free(text);
	json_decref(scope);
}

struct bad_case {
	char what[24];
	int field; /* 0 holder with a newline, 1 number missing, 2 a fraction in scope */
};

ParameterizedTestParameters(certificate, refuses)
{
	static struct bad_case cases[] = {
	    {"control character", 0}, {"missing number", 1}, {"fraction", 2}};
	return cr_make_param_array(struct bad_case, cases, 3);
}

ParameterizedTest(struct bad_case *b, certificate, refuses)
{
	json_t *scope = b->field == 2 ? json_pack("{s:f}", "length_m", 1.5) : NULL;
	struct certificate c = sample(scope);
	if (b->field == 0)
		c.holder = "two\nlines";
	if (b->field == 1)
		c.number = NULL;
	struct error err = ERROR_INIT;
	cr_expect_null(certificate_canonical(&c, &err), "%s", b->what);
	cr_expect_eq(err.code, ERR_INVALID);
	json_decref(scope);
}

Test(certificate, signatures_verify_and_fail_after_one_changed_byte)
{
	cr_assert(sodium_init() >= 0);
	unsigned char pk[32], sk[64];
	crypto_sign_keypair(pk, sk);
	struct certificate c = sample(NULL);
	char *text = certificate_canonical(&c, NULL);
	size_t len = strlen(text);
	char sig[89];
	certificate_sign(text, len, sk, sig);
	cr_expect_eq(strlen(sig), 88);
	cr_expect_eq(certificate_verify(text, len, sig, pk, NULL), 0);
	for (size_t i = 0; i < len; i += 7) {
		text[i] ^= 1;
		cr_expect_eq(certificate_verify(text, len, sig, pk, NULL), ERR_INVALID,
			     "byte %zu changed", i);
		text[i] ^= 1;
	}
	char bad[89];
	memcpy(bad, sig, sizeof(bad));
	bad[10] = bad[10] == 'A' ? 'B' : 'A';
	cr_expect_eq(certificate_verify(text, len, bad, pk, NULL), ERR_INVALID);
	cr_expect_eq(certificate_verify(text, len, "not base64!", pk, NULL), ERR_INVALID);
	unsigned char other_pk[32], other_sk[64];
	crypto_sign_keypair(other_pk, other_sk);
	cr_expect_eq(certificate_verify(text, len, sig, other_pk, NULL), ERR_INVALID,
		     "another key does not verify");
	free(text);
}

Test(certificate, numbers_and_key_ids)
{
	char n[24];
	certificate_number(2026, 1, n);
	cr_expect_str_eq(n, "EC-2026-000001");
	certificate_number(2027, 1234567, n);
	cr_expect_str_eq(n, "EC-2027-1234567");
	unsigned char pk[32] = {0};
	char id[25];
	certificate_key_id(pk, id);
	cr_expect_eq(strlen(id), 24);
	cr_expect_eq(strncmp(id, "ed25519-", 8), 0);
	pk[31] = 1;
	char id2[25];
	certificate_key_id(pk, id2);
	cr_expect_str_neq(id, id2);
}

struct status_case {
	int today_d, valid_to_d; /* March 2026 days; valid_to_d 0: no end */
	bool revoked, expired;
	char want[8]; /* arrays, not pointers: parameters are copied into another process */
};

ParameterizedTestParameters(certificate, status)
{
	static struct status_case cases[] = {
	    {10, 20, false, false, "valid"},   {20, 20, false, false, "valid"},
	    {21, 20, false, false, "expired"}, {21, 0, false, false, "valid"},
	    {10, 20, false, true, "expired"},  {10, 20, true, false, "revoked"},
	    {21, 20, true, true, "revoked"},
	};
	return cr_make_param_array(struct status_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct status_case *c, certificate, status)
{
	day_t today = cal_day_from_ymd(2026, 3, c->today_d);
	day_t to = c->valid_to_d ? cal_day_from_ymd(2026, 3, c->valid_to_d) : -1;
	cr_expect_str_eq(
	    certificate_status_name(certificate_status(today, to, c->revoked, c->expired)),
	    c->want);
}
