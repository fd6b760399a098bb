/* Authorisation: one table-driven function deciding (caller, action, object) -> allow or deny. */
#ifndef WORKFLOWS_AUTHZ_H
#define WORKFLOWS_AUTHZ_H

#include <stdbool.h>

#include "lib/error.h"
#include "role.h"

/* Who is calling: a signed-in person or an organisation's API key. */
struct authz_caller {
	long long user_id; /* 0 for an API key */
	long long org_id;
	enum role kind;	   /* the organisation's kind: applicant, utility, authority, office */
	char subkind[16];  /* water, power, gas, heat, network, road, greening, planning, or "" */
	bool admin;	   /* organisation admin (API keys are never admin) */
	bool api_key;
	char district[33];
};

/* Every action an endpoint performs; each has one row in the table in authz.c. */
enum authz_action {
	AZ_ORG_CREATE,
	AZ_ORG_LIST,
	AZ_ORG_READ,
	AZ_USER_INVITE,
	AZ_USER_LIST,
	AZ_USER_UPDATE,
	AZ_APIKEY_CREATE,
	AZ_APIKEY_LIST,
	AZ_APIKEY_REVOKE,
	AZ_SESSION_READ,
	AZ_FEES_DRAFT,
	AZ_FEES_PUBLISH,
	AZ_STANDARDS_PUBLISH,
	AZ_CALENDAR_PUBLISH,
	AZ_CODES_PUBLISH,
	AZ_SITE_CREATE,
	AZ_SITE_READ,
	AZ_MATERIAL_UPLOAD,
	AZ_MATERIAL_READ,
	AZ_APP_CREATE,
	AZ_APP_LIST,
	AZ_APP_READ,
	AZ_JOB_LIST,
	AZ_JOB_READ,
	AZ_JOB_ACT,
	AZ_PERMIT_LIST,
	AZ_PERMIT_READ,
	AZ_PERMIT_ACT,
	AZ_ENDPOINT_MANAGE,
	AZ_EVENTS_READ,
	AZ_DELIVERY_ADMIN,
	AZ_SUPERVISE,
	AZ_RATE,
	AZ_PROJECT_CREATE,
	AZ_PROJECT_READ,
	AZ_GUIDANCE_LIST,
	AZ_GUIDANCE_ANSWER,
	AZ_POST_CHECK_RECORD,
	AZ_RECTIFICATION_LIST,
	AZ_RECTIFICATION_REPORT,
	AZ_CREDIT_READ,
	AZ_CREDIT_APPEAL,
	AZ_CREDIT_DECIDE,
	AZ_OVERSIGHT_PUBLISH,
	AZ_TASK_LIST,
	AZ_DEFECT_REPORT,
	AZ_DEFECT_LIST,
	AZ_DEFECT_READ,
	AZ_DEFECT_REPAIR,
	AZ_FEEDBACK_LIST,
	AZ_FEEDBACK_ANSWER,
	AZ_COORDINATION_READ,
	AZ_ACTION_COUNT
};

/*
 * The object acted on, when there is one: the organisation that owns it and the organisations
 * that are parties to it (the utility of a job, the authority of a permit).
 */
struct authz_object {
	long long owner_org_id;
	const long long *party_org_ids;
	int nparties;
};

/*
 * Decides. obj NULL for collection-level actions (list, create), which then apply to the
 * caller's own organisation. Returns 0 when allowed; ERR_NOT_FOUND when the object exists but
 * the caller may not see it (so its existence is not revealed); ERR_FORBIDDEN when the caller
 * sees it (or the collection) but may not do this; ERR_UNAUTHORIZED for a NULL caller.
 * Message set in err (may be NULL).
 */
int authz_check(const struct authz_caller *caller, enum authz_action action,
		const struct authz_object *obj, struct error *err);

/* Whether the caller may see obj at all (owner, party, or office). */
bool authz_can_see(const struct authz_caller *caller, const struct authz_object *obj);

/* The action's stable name ("job.act"), for logs and tests. */
const char *authz_action_name(enum authz_action action);

#endif
