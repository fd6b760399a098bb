/* Standard Webhooks signing and verification with libsodium (see webhook.h for the format). */
#include "webhook.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lib/xalloc.h"

#define PREFIX_SECRET "whsec_"
#define PREFIX_SIGNING "whsk_"
#define PREFIX_PUBLIC "whpk_"
#define HMAC_BYTES crypto_auth_hmacsha256_BYTES
#define SIG_BYTES crypto_sign_BYTES
/* Large enough for any key we accept plus slack, so an over-long key is reported as too long. */
#define DECODE_MAX 96
#define B64 sodium_base64_VARIANT_ORIGINAL

enum key_kind { KEY_SECRET, KEY_SIGNING, KEY_PUBLIC };

/* One parsed key string. For KEY_SIGNING, bytes is the 64-byte libsodium secret key. */
struct key {
	enum key_kind kind;
	unsigned char bytes[WEBHOOK_ED25519_SECRET_BYTES];
	size_t len;
};

static void crypto_ready(void);
static int b64_decode(const char *s, unsigned char *out, size_t *outlen);
static char *b64_encode(const char *prefix, const unsigned char *bin, size_t len);
static int key_parse(const char *s, struct key *k, struct error *err);
static bool id_ok(const char *id);
static int timestamp_parse(const char *s, int64_t *out);
static void hmac_content(const unsigned char *key, size_t keylen, const char *id, const char *ts,
			 const char *body, size_t bodylen, unsigned char mac[HMAC_BYTES]);
static char *content_join(const char *id, const char *ts, const char *body, size_t bodylen,
			  size_t *len);

/* libsodium must be initialised once before use; sodium_init is idempotent and thread-safe. */
static void crypto_ready(void)
{
	if (sodium_init() < 0) {
		fputs("fatal: libsodium failed to initialise\n", stderr);
		abort();
	}
}

/* Strict standard padded base64; 0 and the decoded length, or -1. */
static int b64_decode(const char *s, unsigned char *out, size_t *outlen)
{
	size_t n = strlen(s);
	const char *end = NULL;

	if (n == 0 || n > (DECODE_MAX / 3 + 1) * 4)
		return -1;
	if (sodium_base642bin(out, DECODE_MAX, s, n, NULL, outlen, &end, B64) != 0)
		return -1;
	return end == s + n ? 0 : -1;
}

static char *b64_encode(const char *prefix, const unsigned char *bin, size_t len)
{
	size_t plen = strlen(prefix);
	size_t cap = plen + sodium_base64_ENCODED_LEN(len, B64);
	char *s = xmalloc(cap);

	memcpy(s, prefix, plen);
	sodium_bin2base64(s + plen, cap - plen, bin, len, B64);
	return s;
}

int webhook_secret_decode(const char *secret, unsigned char out[WEBHOOK_SECRET_MAX], size_t *outlen,
			  struct error *err)
{
	unsigned char buf[DECODE_MAX];
	size_t n = 0;
	int rc = 0;

	crypto_ready();
	*outlen = 0;
	if (!secret || strncmp(secret, PREFIX_SECRET, strlen(PREFIX_SECRET)) != 0) {
		rc = error_set(err, ERR_INVALID, "webhook secret must start with \"whsec_\"");
		goto out;
	}
	if (b64_decode(secret + strlen(PREFIX_SECRET), buf, &n) != 0) {
		rc = error_set(err, ERR_INVALID, "webhook secret is not valid base64 or too long");
		goto out;
	}
	if (n < WEBHOOK_SECRET_MIN || n > WEBHOOK_SECRET_MAX) {
		rc = error_set(err, ERR_INVALID, "webhook secret is %zu bytes; %d to %d required",
			       n, WEBHOOK_SECRET_MIN, WEBHOOK_SECRET_MAX);
		goto out;
	}
	memcpy(out, buf, n);
	*outlen = n;
out:
	sodium_memzero(buf, sizeof(buf));
	if (rc)
		sodium_memzero(out, WEBHOOK_SECRET_MAX);
	return rc;
}

char *webhook_secret_new(void)
{
	unsigned char bytes[WEBHOOK_SECRET_NEW_BYTES];
	char *s;

	crypto_ready();
	randombytes_buf(bytes, sizeof(bytes));
	s = b64_encode(PREFIX_SECRET, bytes, sizeof(bytes));
	sodium_memzero(bytes, sizeof(bytes));
	return s;
}

void webhook_keypair_new(char **secret_key, char **public_key)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char sk[crypto_sign_SECRETKEYBYTES];

	crypto_ready();
	crypto_sign_keypair(pk, sk);
	*secret_key = b64_encode(PREFIX_SIGNING, sk, sizeof(sk));
	*public_key = b64_encode(PREFIX_PUBLIC, pk, sizeof(pk));
	sodium_memzero(sk, sizeof(sk));
}

int webhook_signing_key_decode(const char *s, unsigned char sk[WEBHOOK_ED25519_SECRET_BYTES],
			       struct error *err)
{
	unsigned char buf[DECODE_MAX];
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char derived[crypto_sign_SECRETKEYBYTES];
	size_t n = 0;
	int rc = 0;

	crypto_ready();
	if (!s || strncmp(s, PREFIX_SIGNING, strlen(PREFIX_SIGNING)) != 0) {
		rc = error_set(err, ERR_INVALID, "signing key must start with \"whsk_\"");
		goto out;
	}
	if (b64_decode(s + strlen(PREFIX_SIGNING), buf, &n) != 0 ||
	    (n != crypto_sign_SEEDBYTES && n != crypto_sign_SECRETKEYBYTES)) {
		rc = error_set(err, ERR_INVALID,
			       "signing key must be base64 of a 32-byte seed or a 64-byte key");
		goto out;
	}
	/* Re-derive from the seed so a 64-byte key whose public half was altered is refused. */
	crypto_sign_seed_keypair(pk, derived, buf);
	if (n == crypto_sign_SECRETKEYBYTES && sodium_memcmp(derived, buf, n) != 0) {
		rc = error_set(err, ERR_INVALID,
			       "signing key's public half does not match its seed");
		goto out;
	}
	memcpy(sk, derived, sizeof(derived));
out:
	sodium_memzero(buf, sizeof(buf));
	sodium_memzero(derived, sizeof(derived));
	return rc;
}

int webhook_public_key_decode(const char *s, unsigned char pk[WEBHOOK_ED25519_PUBLIC_BYTES],
			      struct error *err)
{
	unsigned char buf[DECODE_MAX];
	size_t n = 0;

	crypto_ready();
	if (!s || strncmp(s, PREFIX_PUBLIC, strlen(PREFIX_PUBLIC)) != 0)
		return error_set(err, ERR_INVALID, "public key must start with \"whpk_\"");
	if (b64_decode(s + strlen(PREFIX_PUBLIC), buf, &n) != 0 || n != crypto_sign_PUBLICKEYBYTES)
		return error_set(err, ERR_INVALID, "public key must be base64 of 32 bytes");
	memcpy(pk, buf, n);
	return 0;
}

/* Dispatches on the prefix; a signing key also yields its public half for verification. */
static int key_parse(const char *s, struct key *k, struct error *err)
{
	memset(k, 0, sizeof(*k));
	if (s && strncmp(s, PREFIX_SECRET, strlen(PREFIX_SECRET)) == 0) {
		k->kind = KEY_SECRET;
		return webhook_secret_decode(s, k->bytes, &k->len, err);
	}
	if (s && strncmp(s, PREFIX_SIGNING, strlen(PREFIX_SIGNING)) == 0) {
		k->kind = KEY_SIGNING;
		k->len = WEBHOOK_ED25519_SECRET_BYTES;
		return webhook_signing_key_decode(s, k->bytes, err);
	}
	if (s && strncmp(s, PREFIX_PUBLIC, strlen(PREFIX_PUBLIC)) == 0) {
		k->kind = KEY_PUBLIC;
		k->len = WEBHOOK_ED25519_PUBLIC_BYTES;
		return webhook_public_key_decode(s, k->bytes, err);
	}
	return error_set(err, ERR_INVALID, "key must start with whsec_, whsk_ or whpk_");
}

/* The public half of a parsed Ed25519 key (libsodium keeps it in the last 32 bytes). */
static const unsigned char *key_public(const struct key *k)
{
	return k->kind == KEY_SIGNING ? k->bytes + crypto_sign_SEEDBYTES : k->bytes;
}

static bool id_ok(const char *id)
{
	size_t n = 0;

	for (const char *p = id; *p; p++, n++)
		if (*p <= ' ' || *p > '~' || *p == '.')
			return false;
	return n >= 1 && n <= WEBHOOK_ID_MAX;
}

/* Decimal digits only, at most 18 of them so the value cannot overflow. */
static int timestamp_parse(const char *s, int64_t *out)
{
	size_t n = strlen(s);
	int64_t v = 0;

	if (n == 0 || n > 18)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static void hmac_content(const unsigned char *key, size_t keylen, const char *id, const char *ts,
			 const char *body, size_t bodylen, unsigned char mac[HMAC_BYTES])
{
	crypto_auth_hmacsha256_state st;

	/* The streaming API takes keys of any length; the one-shot call only takes 32 bytes. */
	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, bodylen);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
}

/* Ed25519 signs a whole message, so the signed content is built in one buffer. */
static char *content_join(const char *id, const char *ts, const char *body, size_t bodylen,
			  size_t *len)
{
	size_t idlen = strlen(id), tslen = strlen(ts);
	char *buf = xmalloc(idlen + tslen + bodylen + 2);

	memcpy(buf, id, idlen);
	buf[idlen] = '.';
	memcpy(buf + idlen + 1, ts, tslen);
	buf[idlen + 1 + tslen] = '.';
	if (bodylen)
		memcpy(buf + idlen + tslen + 2, body, bodylen);
	*len = idlen + tslen + bodylen + 2;
	return buf;
}

char *webhook_sign_v1(const unsigned char *secret, size_t secretlen, const char *id,
		      int64_t timestamp, const char *body, size_t bodylen)
{
	unsigned char mac[HMAC_BYTES];
	char ts[24];

	crypto_ready();
	snprintf(ts, sizeof(ts), "%" PRId64, timestamp);
	hmac_content(secret, secretlen, id, ts, body, bodylen, mac);
	return b64_encode("v1,", mac, sizeof(mac));
}

char *webhook_sign_v1a(const unsigned char sk[WEBHOOK_ED25519_SECRET_BYTES], const char *id,
		       int64_t timestamp, const char *body, size_t bodylen)
{
	unsigned char sig[SIG_BYTES];
	char ts[24];
	size_t len;
	char *content;

	crypto_ready();
	snprintf(ts, sizeof(ts), "%" PRId64, timestamp);
	content = content_join(id, ts, body, bodylen, &len);
	crypto_sign_detached(sig, NULL, (const unsigned char *)content, len, sk);
	free(content);
	return b64_encode("v1a,", sig, sizeof(sig));
}

void webhook_headers_release(struct webhook_headers *h)
{
	if (!h)
		return;
	free(h->id);
	free(h->timestamp);
	free(h->signature);
	memset(h, 0, sizeof(*h));
}

/* Appends one signature to the space-separated header value (taking ownership of sig). */
static void signature_append(char **header, char *sig)
{
	char *joined;

	if (!*header) {
		*header = sig;
		return;
	}
	joined = xasprintf("%s %s", *header, sig);
	free(*header);
	free(sig);
	*header = joined;
}

int webhook_headers_build(struct webhook_headers *out, const char *id, int64_t timestamp,
			  const char *body, size_t bodylen, const char *const *keys, size_t nkeys,
			  struct error *err)
{
	struct key k;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (!id || !id_ok(id))
		return error_set(
		    err, ERR_INVALID,
		    "webhook id must be 1..%d printable characters without '.' or spaces",
		    WEBHOOK_ID_MAX);
	if (nkeys == 0)
		return error_set(err, ERR_INVALID, "no signing key configured for this endpoint");
	for (size_t i = 0; i < nkeys; i++) {
		rc = key_parse(keys[i], &k, err);
		if (rc == 0 && k.kind == KEY_PUBLIC)
			rc = error_set(err, ERR_INVALID, "a whpk_ public key cannot sign");
		if (rc) {
			error_add(err, "keys", "invalid_key", "signing key %zu: %s", i + 1,
				  err ? err->message : "invalid");
			goto out;
		}
		signature_append(&out->signature,
				 k.kind == KEY_SECRET
				     ? webhook_sign_v1(k.bytes, k.len, id, timestamp, body, bodylen)
				     : webhook_sign_v1a(k.bytes, id, timestamp, body, bodylen));
	}
	out->id = xstrdup(id);
	out->timestamp = xasprintf("%" PRId64, timestamp);
out:
	sodium_memzero(&k, sizeof(k));
	if (rc)
		webhook_headers_release(out);
	return rc;
}

/* What verification compares against: the parsed keys and, computed once, the signed content. */
struct verifier {
	const struct key *keys;
	size_t nkeys;
	unsigned char (*macs)[HMAC_BYTES]; /* one per key; meaningful for KEY_SECRET only */
	char *content;			   /* id.timestamp.body for Ed25519 */
	size_t content_len;
};

/* True if one entry "version,base64" matches; otherwise reports why to report (may be NULL). */
static bool entry_matches(const struct verifier *v, const char *entry, size_t len, size_t index,
			  struct error *report)
{
	unsigned char sig[DECODE_MAX];
	char b64[(DECODE_MAX / 3 + 1) * 4 + 1];
	char field[48];
	const char *comma = memchr(entry, ',', len);
	size_t vlen, blen, n = 0;
	bool v1, v1a;

	snprintf(field, sizeof(field), "webhook-signature[%zu]", index);
	if (!comma) {
		error_add(report, field, "malformed", "entry has no \"version,\" prefix");
		return false;
	}
	vlen = (size_t)(comma - entry);
	v1 = vlen == 2 && memcmp(entry, "v1", 2) == 0;
	v1a = vlen == 3 && memcmp(entry, "v1a", 3) == 0;
	if (!v1 && !v1a) {
		error_add(report, field, "unknown_version",
			  "signature version \"%.*s\" is not v1 or v1a",
			  (int)(vlen > 16 ? 16 : vlen), entry);
		return false;
	}
	blen = len - vlen - 1;
	if (blen >= sizeof(b64)) {
		error_add(report, field, "malformed", "signature is too long");
		return false;
	}
	memcpy(b64, comma + 1, blen);
	b64[blen] = '\0';
	if (b64_decode(b64, sig, &n) != 0 || n != (v1 ? HMAC_BYTES : SIG_BYTES)) {
		error_add(report, field, "malformed", "signature is not base64 of %d bytes",
			  v1 ? HMAC_BYTES : SIG_BYTES);
		return false;
	}
	for (size_t i = 0; i < v->nkeys; i++) {
		const struct key *k = &v->keys[i];

		if (v1 && k->kind == KEY_SECRET && sodium_memcmp(sig, v->macs[i], HMAC_BYTES) == 0)
			return true;
		if (v1a && k->kind != KEY_SECRET &&
		    crypto_sign_verify_detached(sig, (const unsigned char *)v->content,
						v->content_len, key_public(k)) == 0)
			return true;
	}
	error_add(report, field, "no_match", "%s signature matches none of the trusted keys",
		  v1 ? "v1" : "v1a");
	return false;
}

/* Walks the space-separated list; true on the first match. */
static bool header_matches(const struct verifier *v, const char *header, struct error *report)
{
	const char *p = header;
	size_t index = 0;

	while (*p) {
		size_t len;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		len = strcspn(p, " ");
		if (index == WEBHOOK_SIGNATURES_MAX) {
			error_add(report, "webhook-signature", "too_many",
				  "only the first %d signatures are tried", WEBHOOK_SIGNATURES_MAX);
			break;
		}
		if (entry_matches(v, p, len, index++, report))
			return true;
		p += len;
	}
	return false;
}

/* Header checks that need no keys: presence, id charset, timestamp window. */
static int headers_check(const char *id, const char *timestamp, const char *signature, int64_t now,
			 struct error *err)
{
	int64_t ts;

	if (!id || !*id)
		return error_set(err, ERR_UNAUTHORIZED, "missing webhook-id header");
	if (!id_ok(id))
		return error_set(err, ERR_UNAUTHORIZED,
				 "webhook-id must be 1..%d printable characters without '.'",
				 WEBHOOK_ID_MAX);
	if (!timestamp || !*timestamp)
		return error_set(err, ERR_UNAUTHORIZED, "missing webhook-timestamp header");
	if (timestamp_parse(timestamp, &ts) != 0)
		return error_set(err, ERR_UNAUTHORIZED,
				 "webhook-timestamp must be integer Unix seconds");
	if (ts < now - WEBHOOK_TOLERANCE_SECONDS)
		return error_set(err, ERR_UNAUTHORIZED,
				 "webhook-timestamp is more than %d s in the past",
				 WEBHOOK_TOLERANCE_SECONDS);
	if (ts > now + WEBHOOK_TOLERANCE_SECONDS)
		return error_set(err, ERR_UNAUTHORIZED,
				 "webhook-timestamp is more than %d s in the future",
				 WEBHOOK_TOLERANCE_SECONDS);
	if (!signature || !signature[strspn(signature, " ")])
		return error_set(err, ERR_UNAUTHORIZED, "missing webhook-signature header");
	return 0;
}

int webhook_verify(const char *id, const char *timestamp, const char *signature, const char *body,
		   size_t bodylen, const char *const *keys, size_t nkeys, int64_t now,
		   struct error *err)
{
	struct verifier v = {0};
	struct key *parsed = NULL;
	int rc;

	crypto_ready();
	if (nkeys == 0)
		return error_set(err, ERR_INVALID,
				 "no verification key configured for this sender");
	rc = headers_check(id, timestamp, signature, now, err);
	if (rc)
		return rc;
	if (!body)
		body = "";
	parsed = xcalloc(nkeys, sizeof(*parsed));
	v.macs = xcalloc(nkeys, sizeof(*v.macs));
	for (size_t i = 0; i < nkeys; i++) {
		rc = key_parse(keys[i], &parsed[i], err);
		if (rc)
			goto out;
		if (parsed[i].kind == KEY_SECRET)
			hmac_content(parsed[i].bytes, parsed[i].len, id, timestamp, body, bodylen,
				     v.macs[i]);
	}
	v.keys = parsed;
	v.nkeys = nkeys;
	v.content = content_join(id, timestamp, body, bodylen, &v.content_len);
	if (header_matches(&v, signature, NULL))
		goto out;
	/* Second pass only to explain the refusal, entry by entry. */
	rc = error_set(err, ERR_UNAUTHORIZED, "no valid signature in webhook-signature");
	header_matches(&v, signature, err);
out:
	sodium_memzero(parsed, nkeys * sizeof(*parsed));
	sodium_memzero(v.macs, nkeys * sizeof(*v.macs));
	free(parsed);
	free(v.macs);
	free(v.content);
	return rc;
}
