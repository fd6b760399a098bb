/* Tests for integrations/webhook.c: the Standard Webhooks vector, tampering, windows, keys. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "integrations/webhook.h"

/*
 * Criterion hands parameters to a test process where the program's addresses differ, so
 * pointers in a parameter would dangle: tests take a row number into a static table instead.
 */
#define ROW_PARAMS(table)                                                                          \
	do {                                                                                       \
		static size_t rows[sizeof(table) / sizeof(table[0])];                              \
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)                        \
			rows[i] = i;                                                               \
		return cr_make_param_array(size_t, rows, sizeof(rows) / sizeof(rows[0]));          \
	} while (0)

/* The Standard Webhooks specification's published test vector. */
#define SPEC_SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define SPEC_ID "msg_p5jXN8AQM9LWM0D4loKWxJek"
#define SPEC_TS 1614265330
#define SPEC_TS_STR "1614265330"
#define SPEC_BODY "{\"test\": 2432232314}"
#define SPEC_SIG "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
/* A well-formed v1 entry that matches nothing: base64 of 32 zero bytes. */
#define WRONG_SIG "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

static const char *const spec_keys[] = {SPEC_SECRET};

static int verify_spec(const char *id, const char *ts, const char *sig, const char *body,
		       int64_t now, struct error *err)
{
	return webhook_verify(id, ts, sig, body, body ? strlen(body) : 0, spec_keys, 1, now, err);
}

Test(webhook, spec_vector_signs_exactly)
{
	unsigned char secret[WEBHOOK_SECRET_MAX];
	size_t len = 0;
	struct error err = ERROR_INIT;

	cr_assert_eq(webhook_secret_decode(SPEC_SECRET, secret, &len, &err), 0, "%s", err.message);
	cr_assert_eq(len, 24);
	char *sig = webhook_sign_v1(secret, len, SPEC_ID, SPEC_TS, SPEC_BODY, strlen(SPEC_BODY));
	cr_assert_str_eq(sig, SPEC_SIG);
	free(sig);
}

Test(webhook, spec_vector_headers_and_verify)
{
	struct webhook_headers h;
	struct error err = ERROR_INIT;

	cr_assert_eq(webhook_headers_build(&h, SPEC_ID, SPEC_TS, SPEC_BODY, strlen(SPEC_BODY),
					   spec_keys, 1, &err),
		     0, "%s", err.message);
	cr_assert_str_eq(h.id, SPEC_ID);
	cr_assert_str_eq(h.timestamp, SPEC_TS_STR);
	cr_assert_str_eq(h.signature, SPEC_SIG);
	cr_assert_eq(verify_spec(h.id, h.timestamp, h.signature, SPEC_BODY, SPEC_TS, &err), 0, "%s",
		     err.message);
	webhook_headers_release(&h);
	cr_assert_null(h.signature);
}

/* Each row changes one thing the signature covers, or the clock, against the spec signature. */
struct verify_case {
	const char *name;
	const char *id;
	const char *ts;
	const char *sig;
	const char *body;
	int64_t now;
	int expect;
};

static const struct verify_case verify_table_rows[] = {
    {"untouched", SPEC_ID, SPEC_TS_STR, SPEC_SIG, SPEC_BODY, SPEC_TS, 0},
    {"body changed", SPEC_ID, SPEC_TS_STR, SPEC_SIG, "{\"test\": 2432232315}", SPEC_TS,
     ERR_UNAUTHORIZED},
    {"body reserialised", SPEC_ID, SPEC_TS_STR, SPEC_SIG, "{\"test\":2432232314}", SPEC_TS,
     ERR_UNAUTHORIZED},
    {"id changed", "msg_p5jXN8AQM9LWM0D4loKWxJeK", SPEC_TS_STR, SPEC_SIG, SPEC_BODY, SPEC_TS,
     ERR_UNAUTHORIZED},
    {"timestamp changed", SPEC_ID, "1614265331", SPEC_SIG, SPEC_BODY, SPEC_TS, ERR_UNAUTHORIZED},
    {"now 300 s later", SPEC_ID, SPEC_TS_STR, SPEC_SIG, SPEC_BODY, SPEC_TS + 300, 0},
    {"now 300 s earlier", SPEC_ID, SPEC_TS_STR, SPEC_SIG, SPEC_BODY, SPEC_TS - 300, 0},
    {"too old by 1 s", SPEC_ID, SPEC_TS_STR, SPEC_SIG, SPEC_BODY, SPEC_TS + 301, ERR_UNAUTHORIZED},
    {"too new by 1 s", SPEC_ID, SPEC_TS_STR, SPEC_SIG, SPEC_BODY, SPEC_TS - 301, ERR_UNAUTHORIZED},
    {"a day old", SPEC_ID, SPEC_TS_STR, SPEC_SIG, SPEC_BODY, SPEC_TS + 86400, ERR_UNAUTHORIZED},
    {"second of two matches", SPEC_ID, SPEC_TS_STR, WRONG_SIG " " SPEC_SIG, SPEC_BODY, SPEC_TS, 0},
    {"first of two matches", SPEC_ID, SPEC_TS_STR, SPEC_SIG " " WRONG_SIG, SPEC_BODY, SPEC_TS, 0},
    {"neither of two matches", SPEC_ID, SPEC_TS_STR, WRONG_SIG " " WRONG_SIG, SPEC_BODY, SPEC_TS,
     ERR_UNAUTHORIZED},
    {"extra spaces around", SPEC_ID, SPEC_TS_STR, "  " WRONG_SIG "   " SPEC_SIG "  ", SPEC_BODY,
     SPEC_TS, 0},
    {"unknown version then match", SPEC_ID, SPEC_TS_STR, "v9,abcd " SPEC_SIG, SPEC_BODY, SPEC_TS,
     0},
    {"garbage then match", SPEC_ID, SPEC_TS_STR, "garbage " SPEC_SIG, SPEC_BODY, SPEC_TS, 0},
    {"v1 mac labelled v1a", SPEC_ID, SPEC_TS_STR,
     "v1a,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", SPEC_BODY, SPEC_TS, ERR_UNAUTHORIZED},
    /* Malformed headers: refused with a message, never a crash. */
    {"signature absent", SPEC_ID, SPEC_TS_STR, NULL, SPEC_BODY, SPEC_TS, ERR_UNAUTHORIZED},
    {"signature empty", SPEC_ID, SPEC_TS_STR, "", SPEC_BODY, SPEC_TS, ERR_UNAUTHORIZED},
    {"signature blank", SPEC_ID, SPEC_TS_STR, "   ", SPEC_BODY, SPEC_TS, ERR_UNAUTHORIZED},
    {"no comma", SPEC_ID, SPEC_TS_STR, "v1g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", SPEC_BODY,
     SPEC_TS, ERR_UNAUTHORIZED},
    {"version only", SPEC_ID, SPEC_TS_STR, "v1,", SPEC_BODY, SPEC_TS, ERR_UNAUTHORIZED},
    {"comma only", SPEC_ID, SPEC_TS_STR, ",", SPEC_BODY, SPEC_TS, ERR_UNAUTHORIZED},
    {"bad base64", SPEC_ID, SPEC_TS_STR,
     "v1,g0hM9SsE*OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", SPEC_BODY, SPEC_TS, ERR_UNAUTHORIZED},
    {"unpadded base64", SPEC_ID, SPEC_TS_STR, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE",
     SPEC_BODY, SPEC_TS, ERR_UNAUTHORIZED},
    {"short mac", SPEC_ID, SPEC_TS_STR, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ", SPEC_BODY,
     SPEC_TS, ERR_UNAUTHORIZED},
    {"very long entry", SPEC_ID, SPEC_TS_STR,
     "v1,QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"
     "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"
     "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB",
     SPEC_BODY, SPEC_TS, ERR_UNAUTHORIZED},
    {"unknown version only", SPEC_ID, SPEC_TS_STR,
     "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", SPEC_BODY, SPEC_TS, ERR_UNAUTHORIZED},
    {"id absent", NULL, SPEC_TS_STR, SPEC_SIG, SPEC_BODY, SPEC_TS, ERR_UNAUTHORIZED},
    {"id empty", "", SPEC_TS_STR, SPEC_SIG, SPEC_BODY, SPEC_TS, ERR_UNAUTHORIZED},
    {"id with a dot", "msg.1", SPEC_TS_STR, SPEC_SIG, SPEC_BODY, SPEC_TS, ERR_UNAUTHORIZED},
    {"timestamp absent", SPEC_ID, NULL, SPEC_SIG, SPEC_BODY, SPEC_TS, ERR_UNAUTHORIZED},
    {"timestamp empty", SPEC_ID, "", SPEC_SIG, SPEC_BODY, SPEC_TS, ERR_UNAUTHORIZED},
    {"timestamp not a number", SPEC_ID, "yesterday", SPEC_SIG, SPEC_BODY, SPEC_TS,
     ERR_UNAUTHORIZED},
    {"timestamp negative", SPEC_ID, "-1614265330", SPEC_SIG, SPEC_BODY, SPEC_TS, ERR_UNAUTHORIZED},
    {"timestamp fractional", SPEC_ID, "1614265330.0", SPEC_SIG, SPEC_BODY, SPEC_TS,
     ERR_UNAUTHORIZED},
    {"timestamp overflowing", SPEC_ID, "99999999999999999999999", SPEC_SIG, SPEC_BODY, SPEC_TS,
     ERR_UNAUTHORIZED},
    {"timestamp in milliseconds", SPEC_ID, "1614265330000", SPEC_SIG, SPEC_BODY, SPEC_TS,
     ERR_UNAUTHORIZED},
};

ParameterizedTestParameters(webhook, verify_table)
{
	ROW_PARAMS(verify_table_rows);
}

ParameterizedTest(size_t *row, webhook, verify_table)
{
	const struct verify_case *c = &verify_table_rows[*row];
	struct error err = ERROR_INIT;
	int rc = verify_spec(c->id, c->ts, c->sig, c->body, c->now, &err);

	cr_assert_eq(rc, c->expect, "%s: rc %d, expected %d (%s)", c->name, rc, c->expect,
		     err.message);
	if (rc)
		cr_assert_neq(err.message[0], '\0', "%s: refusal without a message", c->name);
	error_release(&err);
}

Test(webhook, refusal_details_name_each_entry)
{
	struct error err = ERROR_INIT;
	int rc = verify_spec(SPEC_ID, SPEC_TS_STR, "nocomma v7,abc " WRONG_SIG, SPEC_BODY, SPEC_TS,
			     &err);

	cr_assert_eq(rc, ERR_UNAUTHORIZED);
	cr_assert_eq(err.ndetails, 3);
	cr_assert_str_eq(err.details[0].field, "webhook-signature[0]");
	cr_assert_str_eq(err.details[0].code, "malformed");
	cr_assert_str_eq(err.details[1].code, "unknown_version");
	cr_assert_str_eq(err.details[2].code, "no_match");
	error_release(&err);
}

/* base64 "whsec_" secret of n bytes, each byte its index. */
static char *secret_of(size_t n)
{
	unsigned char bytes[128];
	size_t cap = 6 + sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	char *s = malloc(cap);

	for (size_t i = 0; i < n; i++)
		bytes[i] = (unsigned char)i;
	memcpy(s, "whsec_", 6);
	sodium_bin2base64(s + 6, cap - 6, bytes, n, sodium_base64_VARIANT_ORIGINAL);
	return s;
}

struct secret_case {
	size_t bytes;
	int expect;
};

static const struct secret_case secret_decode_bounds_rows[] = {
    {1, ERR_INVALID},  {23, ERR_INVALID},  {24, 0}, {32, 0}, {64, 0},
    {65, ERR_INVALID}, {100, ERR_INVALID},
};

ParameterizedTestParameters(webhook, secret_decode_bounds)
{
	ROW_PARAMS(secret_decode_bounds_rows);
}

ParameterizedTest(size_t *row, webhook, secret_decode_bounds)
{
	const struct secret_case *c = &secret_decode_bounds_rows[*row];
	unsigned char out[WEBHOOK_SECRET_MAX];
	size_t len = 99;
	struct error err = ERROR_INIT;
	char *s = secret_of(c->bytes);
	int rc = webhook_secret_decode(s, out, &len, &err);

	cr_assert_eq(rc, c->expect, "%zu bytes: rc %d (%s)", c->bytes, rc, err.message);
	if (rc == 0) {
		cr_assert_eq(len, c->bytes);
		for (size_t i = 0; i < len; i++)
			cr_assert_eq(out[i], (unsigned char)i);
	} else {
		cr_assert_eq(len, 0);
	}
	free(s);
}

Test(webhook, secret_decode_refuses_bad_strings)
{
	static const char *const bad[] = {
	    NULL,
	    "",
	    "whsec_",
	    "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",	       /* no prefix */
	    "whsk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",   /* wrong prefix */
	    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS!",  /* bad character */
	    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw ", /* trailing space */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned char out[WEBHOOK_SECRET_MAX];
		size_t len;
		struct error err = ERROR_INIT;

		cr_assert_eq(webhook_secret_decode(bad[i], out, &len, &err), ERR_INVALID, "row %zu",
			     i);
		cr_assert_neq(err.message[0], '\0');
	}
}

Test(webhook, secret_new_is_fresh_32_bytes)
{
	char *a = webhook_secret_new(), *b = webhook_secret_new();
	unsigned char out[WEBHOOK_SECRET_MAX];
	size_t len = 0;

	cr_assert_eq(strncmp(a, "whsec_", 6), 0);
	cr_assert_eq(webhook_secret_decode(a, out, &len, NULL), 0);
	cr_assert_eq(len, 32);
	cr_assert_str_neq(a, b);
	free(a);
	free(b);
}

Test(webhook, rotation_signs_with_old_and_new)
{
	char *old_secret = webhook_secret_new(), *new_secret = webhook_secret_new();
	const char *both[] = {old_secret, new_secret};
	const char *only_new[] = {new_secret};
	const char *only_old[] = {old_secret};
	const char *unrelated[] = {SPEC_SECRET};
	struct webhook_headers h;
	const char *body = "{\"type\":\"job.created\"}";
	size_t n = strlen(body);

	cr_assert_eq(webhook_headers_build(&h, "evt_1", 1700000000, body, n, both, 2, NULL), 0);
	cr_assert_not_null(strchr(h.signature, ' '), "two signatures expected: %s", h.signature);
	cr_assert_eq(
	    webhook_verify(h.id, h.timestamp, h.signature, body, n, only_new, 1, 1700000000, NULL),
	    0);
	cr_assert_eq(
	    webhook_verify(h.id, h.timestamp, h.signature, body, n, only_old, 1, 1700000000, NULL),
	    0);
	cr_assert_eq(
	    webhook_verify(h.id, h.timestamp, h.signature, body, n, unrelated, 1, 1700000000, NULL),
	    ERR_UNAUTHORIZED);
	webhook_headers_release(&h);
	free(old_secret);
	free(new_secret);
}

Test(webhook, v1a_round_trip_and_one_byte_changes)
{
	char *sk_str, *pk_str;
	unsigned char sk[WEBHOOK_ED25519_SECRET_BYTES];
	struct error err = ERROR_INIT;
	char body[] = "{\"type\":\"permit.approved\",\"sequence\":7}";
	size_t n = strlen(body);

	webhook_keypair_new(&sk_str, &pk_str);
	cr_assert_eq(strncmp(sk_str, "whsk_", 5), 0);
	cr_assert_eq(strncmp(pk_str, "whpk_", 5), 0);
	cr_assert_eq(webhook_signing_key_decode(sk_str, sk, &err), 0, "%s", err.message);

	char *sig = webhook_sign_v1a(sk, "evt_9", 1700000000, body, n);
	const char *pub[] = {pk_str};
	const char *sec[] = {sk_str};

	cr_assert_eq(strncmp(sig, "v1a,", 4), 0);
	cr_assert_eq(webhook_verify("evt_9", "1700000000", sig, body, n, pub, 1, 1700000000, &err),
		     0, "%s", err.message);
	cr_assert_eq(webhook_verify("evt_9", "1700000000", sig, body, n, sec, 1, 1700000000, NULL),
		     0, "a signing key verifies through its public half");

	body[3] ^= 1;
	cr_assert_eq(webhook_verify("evt_9", "1700000000", sig, body, n, pub, 1, 1700000000, NULL),
		     ERR_UNAUTHORIZED, "body byte changed");
	body[3] ^= 1;

	/* Change one byte of the signature itself and re-encode it. */
	unsigned char raw[64];
	size_t rawlen;
	char tampered[128] = "v1a,";
	cr_assert_eq(sodium_base642bin(raw, sizeof(raw), sig + 4, strlen(sig + 4), NULL, &rawlen,
				       NULL, sodium_base64_VARIANT_ORIGINAL),
		     0);
	raw[10] ^= 0x80;
	sodium_bin2base64(tampered + 4, sizeof(tampered) - 4, raw, rawlen,
			  sodium_base64_VARIANT_ORIGINAL);
	cr_assert_eq(
	    webhook_verify("evt_9", "1700000000", tampered, body, n, pub, 1, 1700000000, NULL),
	    ERR_UNAUTHORIZED, "signature byte changed");

	/* Another key pair's public key does not verify. */
	char *sk2, *pk2;
	webhook_keypair_new(&sk2, &pk2);
	const char *other[] = {pk2};
	cr_assert_eq(
	    webhook_verify("evt_9", "1700000000", sig, body, n, other, 1, 1700000000, NULL),
	    ERR_UNAUTHORIZED);

	free(sig);
	free(sk_str);
	free(pk_str);
	free(sk2);
	free(pk2);
}

Test(webhook, mixed_v1_and_v1a_header)
{
	char *sk_str, *pk_str;
	const char *keys[] = {SPEC_SECRET, NULL};
	struct webhook_headers h;
	struct error err = ERROR_INIT;

	webhook_keypair_new(&sk_str, &pk_str);
	keys[1] = sk_str;
	cr_assert_eq(webhook_headers_build(&h, SPEC_ID, SPEC_TS, SPEC_BODY, strlen(SPEC_BODY), keys,
					   2, &err),
		     0, "%s", err.message);
	cr_assert_eq(strncmp(h.signature, SPEC_SIG " v1a,", strlen(SPEC_SIG) + 5), 0, "%s",
		     h.signature);
	const char *pub[] = {pk_str};
	cr_assert_eq(webhook_verify(h.id, h.timestamp, h.signature, SPEC_BODY, strlen(SPEC_BODY),
				    pub, 1, SPEC_TS, &err),
		     0, "%s", err.message);
	webhook_headers_release(&h);
	free(sk_str);
	free(pk_str);
}

Test(webhook, signing_key_accepts_seed_and_checks_public_half)
{
	unsigned char seed[32], pk[32], sk[64], out[64];
	char seed_str[64] = "whsk_", full[128] = "whsk_";

	for (int i = 0; i < 32; i++)
		seed[i] = (unsigned char)(i * 7);
	crypto_sign_seed_keypair(pk, sk, seed);
	sodium_bin2base64(seed_str + 5, sizeof(seed_str) - 5, seed, 32,
			  sodium_base64_VARIANT_ORIGINAL);
	cr_assert_eq(webhook_signing_key_decode(seed_str, out, NULL), 0);
	cr_assert_eq(memcmp(out, sk, 64), 0);

	sk[40] ^= 1; /* the public half no longer matches the seed */
	sodium_bin2base64(full + 5, sizeof(full) - 5, sk, 64, sodium_base64_VARIANT_ORIGINAL);
	cr_assert_eq(webhook_signing_key_decode(full, out, NULL), ERR_INVALID);
}

struct build_case {
	const char *name;
	const char *id;
	const char *key;
	int expect;
};

static const struct build_case headers_build_refusals_rows[] = {
    {"good", "evt_1", SPEC_SECRET, 0},
    {"id with dot", "evt.1", SPEC_SECRET, ERR_INVALID},
    {"id with space", "evt 1", SPEC_SECRET, ERR_INVALID},
    {"empty id", "", SPEC_SECRET, ERR_INVALID},
    {"null id", NULL, SPEC_SECRET, ERR_INVALID},
    {"public key cannot sign", "evt_1",
     "whpk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", ERR_INVALID},
    {"unprefixed key", "evt_1", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", ERR_INVALID},
    {"short secret", "evt_1", "whsec_AAAA", ERR_INVALID},
};

ParameterizedTestParameters(webhook, headers_build_refusals)
{
	ROW_PARAMS(headers_build_refusals_rows);
}

ParameterizedTest(size_t *row, webhook, headers_build_refusals)
{
	const struct build_case *c = &headers_build_refusals_rows[*row];
	struct webhook_headers h;
	struct error err = ERROR_INIT;
	const char *keys[] = {c->key};
	int rc = webhook_headers_build(&h, c->id, 1, "{}", 2, keys, 1, &err);

	cr_assert_eq(rc, c->expect, "%s: rc %d (%s)", c->name, rc, err.message);
	if (rc)
		cr_assert_null(h.signature, "%s: headers left behind on failure", c->name);
	webhook_headers_release(&h);
	error_release(&err);
}

Test(webhook, verify_refuses_bad_key_configuration)
{
	const char *bad[] = {"whsec_short"};

	cr_assert_eq(webhook_verify(SPEC_ID, SPEC_TS_STR, SPEC_SIG, SPEC_BODY, strlen(SPEC_BODY),
				    NULL, 0, SPEC_TS, NULL),
		     ERR_INVALID);
	cr_assert_eq(webhook_verify(SPEC_ID, SPEC_TS_STR, SPEC_SIG, SPEC_BODY, strlen(SPEC_BODY),
				    bad, 1, SPEC_TS, NULL),
		     ERR_INVALID);
}

Test(webhook, only_the_first_signatures_are_tried)
{
	char header[2048] = "";
	struct error err = ERROR_INIT;

	for (int i = 0; i < WEBHOOK_SIGNATURES_MAX - 1; i++)
		strcat(header, WRONG_SIG " ");
	strcat(header, SPEC_SIG);
	cr_assert_eq(verify_spec(SPEC_ID, SPEC_TS_STR, header, SPEC_BODY, SPEC_TS, NULL), 0,
		     "the last allowed entry matches");

	strcpy(header, WRONG_SIG " ");
	for (int i = 0; i < WEBHOOK_SIGNATURES_MAX - 1; i++)
		strcat(header, WRONG_SIG " ");
	strcat(header, SPEC_SIG);
	cr_assert_eq(verify_spec(SPEC_ID, SPEC_TS_STR, header, SPEC_BODY, SPEC_TS, &err),
		     ERR_UNAUTHORIZED, "an entry past the cap is not tried");
	cr_assert_str_eq(err.details[err.ndetails - 1].code, "too_many");
	error_release(&err);
}
