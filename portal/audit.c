/* The audit entries the handlers write. */
#include "audit.h"

#include <stdio.h>
#include <stdlib.h>

#include "store/audit.h"
#include "lib/json_text.h"

int audit_record(struct store_conn *c, const struct authz_caller *caller, const char *action,
		 const char *object_type, const char *object_ref, json_t *detail,
		 struct error *err)
{
	char *d = detail ? json_text_sorted(detail) : NULL;
	struct audit_entry e = { caller ? caller->user_id : 0, caller ? caller->org_id : 0, action,
				 object_type, object_ref, d };
	int rc = store_audit_append(c, &e, err);
	free(d);
	json_decref(detail);
	return rc;
}

int audit_record_id(struct store_conn *c, const struct authz_caller *caller, const char *action,
		    const char *object_type, long long object_id, json_t *detail,
		    struct error *err)
{
	char ref[24];
	snprintf(ref, sizeof(ref), "%lld", object_id);
	return audit_record(c, caller, action, object_type, ref, detail, err);
}
