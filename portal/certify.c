/* Issuing a signed certificate for an approved permit or a completed connection. */
#define _GNU_SOURCE
#include "portal/certify.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "portal/audit.h"
#include "portal/keys.h"
#include "portal/tracks.h"
#include "store/oversight.h"
#include "workflows/certificate.h"

#define ISSUER "Joint Utility Hookup Portal (reform office)"

static void rfc3339(long long utc_us, char out[32])
{
	time_t s = (time_t)(utc_us / 1000000);
	struct tm tm;
	gmtime_r(&s, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Signs the canonical text and stores the certificate; audits its issue. */
static int sign_and_store(struct store_conn *c, const struct certificate *cert, long long id,
			  const struct certificate_facts *f, const struct signing_key *key,
			  const char *at, struct error *err)
{
	char *text = certificate_canonical(cert, err);
	if (!text)
		return err && err->code ? err->code : ERR_INTERNAL;
	char sig[89];
	certificate_sign(text, strlen(text), key->sk, sig);
	struct certificate_new cn = { cert->number, cert->object, id, f->application_id,
				      key->key_id, text, sig, at, cert->valid_to };
	int rc = store_certificate_insert(c, &cn, err);
	free(text);
	if (!rc)
		rc = audit_record(c, NULL, "certificate.issue", cert->object, f->reference,
				  json_pack("{s:s, s:s}", "number", cert->number, "key_id",
					    key->key_id),
				  err);
	return rc;
}

int certify_issue(struct store_conn *c, const char *object_type, long long id,
		  struct error *err)
{
	char number[24];
	int rc = store_certificate_of(c, object_type, id, number, err);
	if (rc || number[0])
		return rc;
	struct certificate_facts f;
	struct signing_key key;
	memset(&key, 0, sizeof(key));
	if ((rc = store_certificate_facts(c, object_type, id, &f, err)))
		return rc;
	json_t *scope = NULL;
	long long now = tracks_now_us(), n = 0;
	day_t today = cal_day_of_instant(now / 1000000);
	int year;
	cal_day_to_ymd(today, &year, NULL, NULL);
	if ((rc = keys_current(c, &key, err)) || (rc = store_certificate_next(c, year, &n, err)))
		goto out;
	certificate_number(year, n, number);
	char issued[32], at[32];
	rfc3339(now, issued);
	store_format_utc(now, at);
	scope = certificate_scope(object_type, f.kind, f.decision, f.is_deemed, f.window_from,
				  f.window_to);
	struct certificate cert = { number,	 object_type, f.reference,
				    f.holder,	 f.district,  scope,
				    today,	 certificate_valid_to(object_type, f.window_to),
				    issued,	 ISSUER,      key.key_id };
	rc = sign_and_store(c, &cert, id, &f, &key, at, err);
out:
	sodium_memzero(&key, sizeof(key));
	json_decref(scope);
	store_certificate_facts_release(&f);
	return rc;
}
