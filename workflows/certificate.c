/* Certificates: the canonical signed text, Ed25519 signatures, numbers and status. */
#include "certificate.h"
#include "permit.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* Only what both this code and any JSON library write identically may appear. */
static bool canonical_value(const json_t *v, struct error *err)
{
	const char *key;
	json_t *x;
	size_t i;
	switch (json_typeof(v)) {
	case JSON_STRING:
		for (const unsigned char *p = (const unsigned char *)json_string_value(v); *p; p++)
			if (*p < 0x20 || *p == 0x7f) {
				error_set(err, ERR_INVALID,
					  "a certificate text holds a control character");
				return false;
			}
		return true;
	case JSON_REAL:
		error_set(err, ERR_INVALID, "a certificate holds no fractions");
		return false;
	case JSON_OBJECT:
		json_object_foreach((json_t *)v, key, x)
		{
			for (const unsigned char *p = (const unsigned char *)key; *p; p++)
				if (*p < 0x20 || *p >= 0x7f) {
					error_set(err, ERR_INVALID,
						  "certificate keys are plain ASCII");
					return false;
				}
			if (!canonical_value(x, err))
				return false;
		}
		return true;
	case JSON_ARRAY:
		json_array_foreach(v, i, x) if (!canonical_value(x, err)) return false;
		return true;
	default:
		return true;
	}
}

char *certificate_canonical_json(const json_t *doc, struct error *err)
{
	if (!json_is_object(doc)) {
		error_set(err, ERR_INVALID, "a certificate is a JSON object");
		return NULL;
	}
	if (!canonical_value(doc, err))
		return NULL;
	/* JSON_COMPACT: "," and ":" with no spaces; keys sorted with strcmp (bytewise). */
	return json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
}

static json_t *day_or_null(day_t d)
{
	char b[11];
	return d >= 0 ? json_string(cal_day_format(d, b)) : json_null();
}

static json_t *str(const char *s)
{
	return s ? json_string(s) : NULL;
}

char *certificate_canonical(const struct certificate *c, struct error *err)
{
	const char *missing = !c->number	  ? "number"
			      : !c->object	  ? "object"
			      : !c->reference	  ? "reference"
			      : !c->holder	  ? "holder"
			      : !c->district	  ? "district"
			      : !c->issued_at	  ? "issued_at"
			      : !c->issuer	  ? "issuer"
			      : !c->key_id	  ? "key_id"
			      : c->valid_from < 0 ? "valid_from"
						  : NULL;
	if (missing) {
		error_set(err, ERR_INVALID, "a certificate needs %s", missing);
		return NULL;
	}
	json_t *doc = json_object();
	json_object_set_new(doc, "format", json_string(CERTIFICATE_FORMAT));
	json_object_set_new(doc, "number", str(c->number));
	json_object_set_new(doc, "object", str(c->object));
	json_object_set_new(doc, "reference", str(c->reference));
	json_object_set_new(doc, "holder", str(c->holder));
	json_object_set_new(doc, "site_district", str(c->district));
	if (c->scope)
		json_object_set(doc, "scope", c->scope);
	else
		json_object_set_new(doc, "scope", json_object());
	json_object_set_new(doc, "valid_from", day_or_null(c->valid_from));
	json_object_set_new(doc, "valid_to", day_or_null(c->valid_to));
	json_object_set_new(doc, "issued_at", str(c->issued_at));
	json_object_set_new(doc, "issuer", str(c->issuer));
	json_object_set_new(doc, "key_id", str(c->key_id));
	char *text = certificate_canonical_json(doc, err);
	json_decref(doc);
	return text;
}

void certificate_sign(const char *text, size_t len, const unsigned char secret_key[64],
		      char signature_b64[89])
{
	unsigned char sig[crypto_sign_BYTES];
	crypto_sign_detached(sig, NULL, (const unsigned char *)text, len, secret_key);
	sodium_bin2base64(signature_b64, 89, sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);
}

int certificate_verify(const char *text, size_t len, const char *signature_b64,
		       const unsigned char public_key[32], struct error *err)
{
	unsigned char sig[crypto_sign_BYTES];
	size_t n = 0;
	if (!signature_b64 ||
	    sodium_base642bin(sig, sizeof(sig), signature_b64, strlen(signature_b64), NULL, &n,
			      NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    n != sizeof(sig))
		return error_set(err, ERR_INVALID, "the signature is not 64 bytes of base64");
	if (crypto_sign_verify_detached(sig, (const unsigned char *)text, len, public_key) != 0)
		return error_set(err, ERR_INVALID, "the signature does not match the document");
	return 0;
}

void certificate_number(int year, long long n, char out[24])
{
	snprintf(out, 24, "EC-%04d-%06lld", year, n);
}

void certificate_key_id(const unsigned char public_key[32], char out[25])
{
	unsigned char h[32];
	crypto_generichash(h, sizeof(h), public_key, 32, NULL, 0);
	memcpy(out, "ed25519-", 8);
	sodium_bin2hex(out + 8, 17, h, 8);
}

enum certificate_status certificate_status(day_t today, day_t valid_to, bool revoked, bool expired)
{
	if (revoked)
		return CERT_REVOKED;
	if (expired || (valid_to >= 0 && today > valid_to))
		return CERT_EXPIRED;
	return CERT_VALID;
}

const char *certificate_status_name(enum certificate_status s)
{
	static const char *const names[] = {"valid", "expired", "revoked"};
	return (unsigned)s < 3 ? names[s] : "unknown";
}

enum certificate_status certificate_status_of(day_t today, day_t valid_to,
					      const char *object_state)
{
	enum permit_state st = PERMIT_STATE_COUNT;
	permit_state_parse(object_state, &st, NULL);
	return certificate_status(today, valid_to, st == PERMIT_REVOKED, st == PERMIT_EXPIRED);
}

json_t *certificate_scope(const char *object_type, const char *kind, const char *decision,
			  bool deemed, day_t window_from, day_t window_to)
{
	if (strcmp(object_type, "job") == 0)
		return json_pack("{s:s, s:s}", "utility_kind", kind, "certifies",
				 "connection completed");
	return json_pack("{s:s, s:s, s:b, s:o, s:o, s:s}", "permit_kind", kind, "decision",
			 decision, "deemed", deemed, "work_from", day_or_null(window_from),
			 "work_to", day_or_null(window_to), "certifies", "permit granted");
}

day_t certificate_valid_to(const char *object_type, day_t window_to)
{
	return strcmp(object_type, "permit") == 0 ? window_to : -1;
}
