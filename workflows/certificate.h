/*
 * Electronic certificates (rule 13): the canonical text that is signed, Ed25519 signing and
 * verification, numbers, key ids and the status a reader sees. Pure: no I/O, no clock.
 *
 * The canonical form (docs/CERTIFICATES.md): the certificate as one JSON object, UTF-8, keys
 * of every object sorted bytewise, no whitespace at all (separators "," and ":"), strings
 * escaped only where JSON requires it (\" and \\; control characters are refused), "/" and
 * non-ASCII left as they are, integers only (no fractions), absent values as null. This is
 * exactly Python's json.dumps(doc, sort_keys=True, separators=(",", ":"),
 * ensure_ascii=False).encode("utf-8").
 */
#ifndef WORKFLOWS_CERTIFICATE_H
#define WORKFLOWS_CERTIFICATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "calendar.h"
#include "lib/error.h"

/* The format name inside every document, so the form can change later without ambiguity. */
#define CERTIFICATE_FORMAT "hkp-certificate-1"

/* What a certificate says. Strings borrowed; scope is a JSON object (borrowed). */
struct certificate {
	const char *number;    /* "EC-2026-000001" */
	const char *object;    /* "permit" or "job" (a completed connection) */
	const char *reference; /* the permit's or job's reference */
	const char *holder;    /* the applicant organisation's name */
	const char *district;  /* the site's district code */
	json_t *scope;	       /* what is certified: kind, decision, work window... */
	day_t valid_from;
	day_t valid_to;	       /* -1: no end */
	const char *issued_at; /* RFC 3339 UTC */
	const char *issuer;
	const char *key_id;
};

/*
 * The canonical text of c (see above): a new NUL-terminated string the caller frees. NULL with
 * ERR_INVALID when a required field is missing or a string holds a control character.
 */
char *certificate_canonical(const struct certificate *c, struct error *err);

/* The same for an already parsed document (keys sorted, compact). NULL when it is not one. */
char *certificate_canonical_json(const json_t *doc, struct error *err);

/* Ed25519 detached signature of the text's bytes, standard base64 with padding (89 bytes). */
void certificate_sign(const char *text, size_t len, const unsigned char secret_key[64],
		      char signature_b64[89]);

/*
 * Checks a base64 signature of text with a 32-byte public key. 0 when it verifies, ERR_INVALID
 * (message in err, may be NULL) when the signature is malformed or does not match.
 */
int certificate_verify(const char *text, size_t len, const char *signature_b64,
		       const unsigned char public_key[32], struct error *err);

/* "EC-2026-000001". */
void certificate_number(int year, long long n, char out[24]);

/* A key's id: "ed25519-" and the hex of the first 8 bytes of BLAKE2b-256 of the public key. */
void certificate_key_id(const unsigned char public_key[32], char out[25]);

enum certificate_status { CERT_VALID, CERT_EXPIRED, CERT_REVOKED };

/* Revoked beats expired beats valid; expired once today is after valid_to (>= 0) or withdrawn. */
enum certificate_status certificate_status(day_t today, day_t valid_to, bool revoked, bool expired);
const char *certificate_status_name(enum certificate_status s);

/* certificate_status for an object now in object_state: a revoked or expired permit ends it. */
enum certificate_status certificate_status_of(day_t today, day_t valid_to,
					      const char *object_state);

/*
 * What a certificate of a "job" or a "permit" certifies, as its scope: a job's utility kind and
 * completed connection; a permit's kind, decision, deemed flag and work window. New reference.
 */
json_t *certificate_scope(const char *object_type, const char *kind, const char *decision,
			  bool deemed, day_t window_from, day_t window_to);

/* The last day a certificate of object_type is valid: a permit's work window end; -1: none. */
day_t certificate_valid_to(const char *object_type, day_t window_to);

#endif
