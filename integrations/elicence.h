/* Electronic licence lookup: resolves a government-issued licence number to its holder and
 * validity. */
#ifndef INTEGRATIONS_ELICENCE_H
#define INTEGRATIONS_ELICENCE_H

#include <stdbool.h>

#include "lib/error.h"

/* Longest licence number accepted (the materials table holds 64). */
#define ELICENCE_NUMBER_MAX 64

/* Holder recorded when no government endpoint is configured and only the format was checked. */
#define ELICENCE_OFFLINE_HOLDER "unverified (offline)"

/*
 * Where to ask. url NULL or "" selects the built-in offline mode. Strings are borrowed.
 * timeout_ms bounds the whole exchange (connect + reply); 0 means the default of 5 s.
 */
struct elicence_config {
	const char *url;
	long timeout_ms;
};

/* What the government system says about a licence. */
struct elicence_info {
	char number[ELICENCE_NUMBER_MAX + 1];
	char holder[201];
	char valid_to[11]; /* "YYYY-MM-DD", or "" when unknown (offline mode) */
	char status[16];   /* "valid", "revoked" or "expired" */
	bool verified;	   /* false in offline mode: only the format was checked */
};

/* Fills cfg from PORTAL_ELICENCE_URL (borrowed from the environment) with the default timeout. */
void elicence_config_from_env(struct elicence_config *cfg);

/*
 * Looks a licence number up. Online: GET <url>/<number> (no redirects followed, reply capped at
 * 64 KiB), expecting 200 with {"number","holder","valid_to":"YYYY-MM-DD","status"}.
 * Offline: accepts a well-formed unified social credit code (elicence_uscc_valid) as valid with
 * holder ELICENCE_OFFLINE_HOLDER and verified false.
 * Fails with ERR_INVALID and a detail on field "elicence_no" when the number is malformed or
 * unknown (404 from the endpoint); ERR_UNAVAILABLE when the endpoint cannot be reached, times out,
 * answers anything but 200/404, or replies with something unreadable. A revoked or expired
 * licence is NOT an error here: the caller decides from out->status.
 */
int elicence_lookup(const struct elicence_config *cfg, const char *number,
		    struct elicence_info *out, struct error *err);

/*
 * The GB 32100-2015 check character for the first 17 characters of a unified social credit
 * code, or 0 when one of them is outside the code's alphabet (digits and upper-case letters
 * except I, O, S, V, Z).
 */
char elicence_uscc_check_char(const char *first17);

/* Whether code is exactly 18 characters of the alphabet with a correct check character. */
bool elicence_uscc_valid(const char *code);

#endif
