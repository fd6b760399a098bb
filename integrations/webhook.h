/* Standard Webhooks signing and verification: v1 (HMAC-SHA256) and v1a (Ed25519) signatures. */
#ifndef INTEGRATIONS_WEBHOOK_H
#define INTEGRATIONS_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

/*
 * The signed content is "<webhook-id>.<webhook-timestamp>.<body>"; the signature header is a
 * space-separated list of "v1,<base64 HMAC-SHA256>" and "v1a,<base64 Ed25519>" entries, so a
 * sender can sign with an old and a new key while a secret is being rotated. Base64 is the
 * standard alphabet with padding.
 *
 * Key strings follow the spec's prefixes:
 *   "whsec_<base64>"  symmetric secret of 24..64 random bytes (v1);
 *   "whsk_<base64>"   Ed25519 secret key (v1a signing): the 64-byte libsodium key (seed||public)
 *                     or the bare 32-byte seed;
 *   "whpk_<base64>"   Ed25519 public key, 32 bytes (v1a verification).
 */

#define WEBHOOK_SECRET_MIN 24
#define WEBHOOK_SECRET_MAX 64
#define WEBHOOK_SECRET_NEW_BYTES 32
#define WEBHOOK_ED25519_SECRET_BYTES 64
#define WEBHOOK_ED25519_PUBLIC_BYTES 32
/* Receivers refuse a webhook-timestamp further than this from their clock, either way. */
#define WEBHOOK_TOLERANCE_SECONDS 300
/* Entries tried per signature header, so a padded header cannot make us verify without end. */
#define WEBHOOK_SIGNATURES_MAX 16
/* Longest webhook-id accepted; ids are ours (outbox event ids), never user input. */
#define WEBHOOK_ID_MAX 255

/*
 * Decodes "whsec_<base64>" into out (WEBHOOK_SECRET_MAX bytes) and sets *outlen. Fails with
 * ERR_INVALID (message says why) on a missing prefix, bad base64, or a length outside
 * 24..64 bytes. out is wiped on failure.
 */
int webhook_secret_decode(const char *secret, unsigned char out[WEBHOOK_SECRET_MAX], size_t *outlen,
			  struct error *err);

/* A fresh "whsec_" secret of 32 random bytes. Caller frees. Cannot fail (aborts on OOM). */
char *webhook_secret_new(void);

/*
 * A fresh Ed25519 key pair as "whsk_" (64-byte key) and "whpk_" strings. Caller frees both.
 * Cannot fail.
 */
void webhook_keypair_new(char **secret_key, char **public_key);

/* Decodes "whsk_<base64>" (64-byte key or 32-byte seed) into sk. ERR_INVALID on any problem. */
int webhook_signing_key_decode(const char *s, unsigned char sk[WEBHOOK_ED25519_SECRET_BYTES],
			       struct error *err);

/* Decodes "whpk_<base64>" (32 bytes) into pk. ERR_INVALID on any problem. */
int webhook_public_key_decode(const char *s, unsigned char pk[WEBHOOK_ED25519_PUBLIC_BYTES],
			      struct error *err);

/*
 * "v1,<base64 HMAC-SHA256(secret, id.timestamp.body)>". The secret may be any length (the
 * caller has checked it with webhook_secret_decode). Caller frees. Cannot fail.
 */
char *webhook_sign_v1(const unsigned char *secret, size_t secretlen, const char *id,
		      int64_t timestamp, const char *body, size_t bodylen);

/* "v1a,<base64 Ed25519 signature of id.timestamp.body>". Caller frees. Cannot fail. */
char *webhook_sign_v1a(const unsigned char sk[WEBHOOK_ED25519_SECRET_BYTES], const char *id,
		       int64_t timestamp, const char *body, size_t bodylen);

/* The three header values of one delivery attempt; every string is owned by the struct. */
struct webhook_headers {
	char *id;	 /* webhook-id */
	char *timestamp; /* webhook-timestamp: decimal Unix seconds */
	char *signature; /* webhook-signature: one entry per signing key, space-separated */
};

/*
 * Signs one attempt with every key in keys ("whsec_" -> v1, "whsk_" -> v1a), in order, and
 * fills out. id must be 1..255 printable characters without '.' or spaces (the spec forbids
 * '.' so the signed content cannot be split two ways). Fails with ERR_INVALID on a bad id, no
 * keys, or a key that cannot sign (a "whpk_" public key, a malformed key); out is then empty.
 * Release out with webhook_headers_release.
 */
int webhook_headers_build(struct webhook_headers *out, const char *id, int64_t timestamp,
			  const char *body, size_t bodylen, const char *const *keys, size_t nkeys,
			  struct error *err);

/* Frees the strings and empties h. Safe on an empty or zeroed struct. */
void webhook_headers_release(struct webhook_headers *h);

/*
 * Verifies a received webhook. id, timestamp and signature are the raw header values (NULL when
 * absent); keys are the candidates trusted for this sender: "whsec_" secrets (v1), "whpk_"
 * public keys and "whsk_" secret keys (v1a). Succeeds when the timestamp is within
 * WEBHOOK_TOLERANCE_SECONDS of now and any one signature in the list matches any key of its
 * kind; comparisons are constant-time. Unknown versions and malformed entries are skipped, so
 * a future version next to a valid v1 still passes; only the first WEBHOOK_SIGNATURES_MAX
 * entries are tried.
 * Fails with ERR_UNAUTHORIZED (message says why; details list each malformed entry) on missing
 * or malformed headers, a stale or future timestamp, or no matching signature; with
 * ERR_INVALID when keys is empty or a key string is malformed (a configuration problem).
 */
int webhook_verify(const char *id, const char *timestamp, const char *signature, const char *body,
		   size_t bodylen, const char *const *keys, size_t nkeys, int64_t now,
		   struct error *err);

#endif
