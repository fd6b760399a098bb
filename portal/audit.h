/* The audit entries the handlers write, with their detail as sorted JSON text. */
#ifndef PORTAL_AUDIT_H
#define PORTAL_AUDIT_H

#include <jansson.h>

#include "store/db.h"
#include "workflows/authz.h"
#include "lib/error.h"

/*
 * Appends an audit entry by caller (NULL: the system) in c's transaction. detail is stolen
 * (NULL: none) and stored as JSON text with its keys sorted, so equal details read equal.
 */
int audit_record(struct store_conn *c, const struct authz_caller *caller, const char *action,
		 const char *object_type, const char *object_ref, json_t *detail,
		 struct error *err);

/* The same for an object named by its numeric id. */
int audit_record_id(struct store_conn *c, const struct authz_caller *caller, const char *action,
		    const char *object_type, long long object_id, json_t *detail,
		    struct error *err);

#endif
