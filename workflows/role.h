/* The parties that act on jobs and permits, shared by every workflow's transition table. */
#ifndef WORKFLOWS_ROLE_H
#define WORKFLOWS_ROLE_H

#include <stddef.h>
#include <string.h>

#include "lib/error.h"

/* Who is acting. `system` is the portal itself (fast track, deemed approval, expiry). */
enum role {
	ROLE_APPLICANT,
	ROLE_UTILITY,
	ROLE_AUTHORITY,
	ROLE_OFFICE,
	ROLE_PUBLIC,
	ROLE_SYSTEM,
	ROLE_COUNT
};

/* A set of roles, for transition tables where more than one party may act. */
#define ROLE_BIT(r) (1u << (r))

/* The stable lower-case name of a role ("applicant"...); "unknown" when out of range. */
static inline const char *role_name(enum role r)
{
	static const char *const names[ROLE_COUNT] = {
	    [ROLE_APPLICANT] = "applicant", [ROLE_UTILITY] = "utility",
	    [ROLE_AUTHORITY] = "authority", [ROLE_OFFICE] = "office",
	    [ROLE_PUBLIC] = "public",	    [ROLE_SYSTEM] = "system",
	};
	return (unsigned)r < ROLE_COUNT ? names[r] : "unknown";
}

/* Parses a role name. Returns 0, or ERR_INVALID (message in err, which may be NULL). */
static inline int role_parse(const char *s, enum role *out, struct error *err)
{
	for (int r = 0; s && r < ROLE_COUNT; r++) {
		if (strcmp(s, role_name((enum role)r)) == 0) {
			*out = (enum role)r;
			return 0;
		}
	}
	return error_set(err, ERR_INVALID, "unknown role '%s'", s ? s : "(null)");
}

#endif
