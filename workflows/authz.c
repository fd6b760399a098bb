/* The authorisation table: who may do what, and to whose objects. */
#include "authz.h"

#define K(r) ROLE_BIT(r)
#define ANYONE (K(ROLE_APPLICANT) | K(ROLE_UTILITY) | K(ROLE_AUTHORITY) | K(ROLE_OFFICE))
#define PARTIES (K(ROLE_APPLICANT) | K(ROLE_UTILITY) | K(ROLE_AUTHORITY))

/* Where an object must stand relative to the caller's organisation. */
enum scope {
	SCOPE_ANY,	/* office-wide actions: no object scope */
	SCOPE_OWN,	/* the caller's own organisation (owner) */
	SCOPE_PARTY,	/* owner or party (the utility of a job, the authority of a permit) */
	SCOPE_ASSIGNED, /* a party other than the owner: the utility or authority doing the work */
};

struct rule {
	const char *name;
	unsigned kinds;	    /* organisation kinds allowed */
	enum scope scope;
	bool admin_only;    /* needs an organisation admin (the office's people are exempt) */
	bool people_only;   /* refused for API keys */
};

/* The table: read it top to bottom. The office may do everything listed for it, on any object. */
static const struct rule rules[AZ_ACTION_COUNT] = {
	[AZ_ORG_CREATE] = { "org.create", K(ROLE_OFFICE), SCOPE_ANY, false, true },
	[AZ_ORG_LIST] = { "org.list", K(ROLE_OFFICE), SCOPE_ANY, false, false },
	[AZ_ORG_READ] = { "org.read", ANYONE, SCOPE_OWN, false, false },
	[AZ_USER_INVITE] = { "user.invite", ANYONE, SCOPE_OWN, true, true },
	[AZ_USER_LIST] = { "user.list", ANYONE, SCOPE_OWN, true, true },
	[AZ_USER_UPDATE] = { "user.update", ANYONE, SCOPE_OWN, true, true },
	[AZ_APIKEY_CREATE] = { "api_key.create", ANYONE, SCOPE_OWN, true, true },
	[AZ_APIKEY_LIST] = { "api_key.list", ANYONE, SCOPE_OWN, true, true },
	[AZ_APIKEY_REVOKE] = { "api_key.revoke", ANYONE, SCOPE_OWN, true, true },
	[AZ_SESSION_READ] = { "session.read", ANYONE, SCOPE_OWN, false, false },
	[AZ_FEES_DRAFT] = { "fees.draft", K(ROLE_UTILITY) | K(ROLE_AUTHORITY) | K(ROLE_OFFICE),
			    SCOPE_OWN, false, false },
	[AZ_FEES_PUBLISH] = { "fees.publish", K(ROLE_UTILITY) | K(ROLE_AUTHORITY) | K(ROLE_OFFICE),
			      SCOPE_OWN, true, true },
	[AZ_STANDARDS_PUBLISH] = { "standards.publish", K(ROLE_OFFICE), SCOPE_ANY, false, true },
	[AZ_CALENDAR_PUBLISH] = { "calendar.publish", K(ROLE_OFFICE), SCOPE_ANY, false, true },
	[AZ_CODES_PUBLISH] = { "codes.publish", K(ROLE_OFFICE), SCOPE_ANY, false, true },
	[AZ_SITE_CREATE] = { "site.create", K(ROLE_APPLICANT), SCOPE_OWN, false, false },
	[AZ_SITE_READ] = { "site.read", K(ROLE_APPLICANT) | K(ROLE_OFFICE), SCOPE_OWN, false, false },
	[AZ_MATERIAL_UPLOAD] = { "material.upload", K(ROLE_APPLICANT), SCOPE_OWN, false, false },
	[AZ_MATERIAL_READ] = { "material.read", ANYONE, SCOPE_PARTY, false, false },
	[AZ_APP_CREATE] = { "application.create", K(ROLE_APPLICANT), SCOPE_OWN, false, false },
	[AZ_APP_LIST] = { "application.list", K(ROLE_APPLICANT) | K(ROLE_OFFICE), SCOPE_OWN, false,
			  false },
	[AZ_APP_READ] = { "application.read", ANYONE, SCOPE_PARTY, false, false },
	[AZ_JOB_LIST] = { "job.list", K(ROLE_UTILITY) | K(ROLE_OFFICE), SCOPE_ASSIGNED, false,
			  false },
	[AZ_JOB_READ] = { "job.read", ANYONE, SCOPE_PARTY, false, false },
	[AZ_JOB_ACT] = { "job.act", PARTIES | K(ROLE_OFFICE), SCOPE_PARTY, false, false },
	[AZ_PERMIT_LIST] = { "permit.list", K(ROLE_AUTHORITY) | K(ROLE_OFFICE), SCOPE_ASSIGNED,
			     false, false },
	[AZ_PERMIT_READ] = { "permit.read", ANYONE, SCOPE_PARTY, false, false },
	[AZ_PERMIT_ACT] = { "permit.act", PARTIES | K(ROLE_OFFICE), SCOPE_PARTY, false, false },
	[AZ_ENDPOINT_MANAGE] = { "endpoint.manage", K(ROLE_UTILITY) | K(ROLE_AUTHORITY) |
							    K(ROLE_OFFICE),
				 SCOPE_OWN, true, true },
	[AZ_EVENTS_READ] = { "events.read", ANYONE, SCOPE_OWN, false, false },
	[AZ_DELIVERY_ADMIN] = { "delivery.admin", K(ROLE_OFFICE), SCOPE_ANY, false, false },
	[AZ_SUPERVISE] = { "supervise", K(ROLE_OFFICE), SCOPE_ANY, false, false },
	[AZ_RATE] = { "rate", K(ROLE_APPLICANT), SCOPE_OWN, false, true },
	/* projects at the planning stage: the office may register one on an applicant's behalf;
	 * the utilities guiding it are its parties, and only they answer their own task */
	[AZ_PROJECT_CREATE] = { "project.create", K(ROLE_APPLICANT) | K(ROLE_UTILITY) | K(ROLE_OFFICE),
				SCOPE_OWN, false, false }, /* a utility: its own planned works */
	[AZ_PROJECT_READ] = { "project.read", ANYONE, SCOPE_PARTY, false, false },
	[AZ_GUIDANCE_LIST] = { "guidance.list", K(ROLE_UTILITY) | K(ROLE_OFFICE), SCOPE_ASSIGNED,
			       false, false },
	[AZ_GUIDANCE_ANSWER] = { "guidance.answer", K(ROLE_UTILITY), SCOPE_ASSIGNED, false, false },
	/* after a fast-tracked decision (issue #21): the authority records its post-check; the
	 * applicant who committed puts right what failed; an organisation reads and appeals its own
	 * credit record, the office reads every one, decides appeals and publishes the rules */
	[AZ_POST_CHECK_RECORD] = { "post_check.record", K(ROLE_AUTHORITY), SCOPE_ASSIGNED, false,
				   false },
	[AZ_RECTIFICATION_LIST] = { "rectification.list", K(ROLE_APPLICANT) | K(ROLE_OFFICE),
				    SCOPE_OWN, false, false },
	[AZ_RECTIFICATION_REPORT] = { "rectification.report", K(ROLE_APPLICANT), SCOPE_OWN, false,
				      false },
	[AZ_CREDIT_READ] = { "credit.read", ANYONE, SCOPE_OWN, false, false },
	[AZ_CREDIT_APPEAL] = { "credit.appeal", PARTIES, SCOPE_OWN, false, true },
	[AZ_CREDIT_DECIDE] = { "credit.decide", K(ROLE_OFFICE), SCOPE_ANY, false, true },
	[AZ_OVERSIGHT_PUBLISH] = { "oversight_rules.publish", K(ROLE_OFFICE), SCOPE_ANY, false,
				   true },
	/* after the works (issue #21): the follow-up tasks of the utilities and authorities (post-
	 * checks, remedial work, defects); defects the road authority or the office report (the
	 * public reports without an account), read by the reporter and the organisation they went
	 * to, repaired by the latter; public feedback followed up by the office */
	[AZ_TASK_LIST] = { "task.list", K(ROLE_UTILITY) | K(ROLE_AUTHORITY) | K(ROLE_OFFICE),
			   SCOPE_OWN, false, false },
	[AZ_DEFECT_REPORT] = { "defect.report", K(ROLE_AUTHORITY) | K(ROLE_OFFICE), SCOPE_OWN,
			       false, false },
	[AZ_DEFECT_LIST] = { "defect.list", K(ROLE_UTILITY) | K(ROLE_AUTHORITY) | K(ROLE_OFFICE),
			     SCOPE_OWN, false, false },
	[AZ_DEFECT_READ] = { "defect.read", K(ROLE_UTILITY) | K(ROLE_AUTHORITY) | K(ROLE_OFFICE),
			     SCOPE_PARTY, false, false },
	[AZ_DEFECT_REPAIR] = { "defect.repair", K(ROLE_UTILITY) | K(ROLE_AUTHORITY),
			       SCOPE_ASSIGNED, false, false },
	[AZ_FEEDBACK_LIST] = { "feedback.list", K(ROLE_OFFICE), SCOPE_ANY, false, false },
	[AZ_FEEDBACK_ANSWER] = { "feedback.answer", K(ROLE_OFFICE), SCOPE_ANY, false, true },
	/* the plan of planned digs: the road authority (the roads of its registers) and the office */
	[AZ_COORDINATION_READ] = { "coordination.read", K(ROLE_AUTHORITY) | K(ROLE_OFFICE),
				   SCOPE_OWN, false, false },
};

const char *authz_action_name(enum authz_action action)
{
	return (unsigned)action < AZ_ACTION_COUNT ? rules[action].name : "unknown";
}

static bool is_party(const struct authz_caller *c, const struct authz_object *obj)
{
	for (int i = 0; i < obj->nparties; i++)
		if (obj->party_org_ids[i] == c->org_id)
			return true;
	return false;
}

bool authz_can_see(const struct authz_caller *c, const struct authz_object *obj)
{
	if (!c)
		return false;
	if (c->kind == ROLE_OFFICE)
		return true;
	return obj->owner_org_id == c->org_id || is_party(c, obj);
}

int authz_check(const struct authz_caller *c, enum authz_action action,
		const struct authz_object *obj, struct error *err)
{
	if (!c)
		return error_set(err, ERR_UNAUTHORIZED, "sign in first");
	if ((unsigned)action >= AZ_ACTION_COUNT || !rules[action].name)
		return error_set(err, ERR_FORBIDDEN, "unknown action");
	const struct rule *r = &rules[action];
	/* The portal's own sweeps act as the system; no request ever carries this role. */
	if (c->kind == ROLE_SYSTEM)
		return 0;
	/* Visibility first: an object the caller may not see does not exist for it. */
	if (obj && !authz_can_see(c, obj))
		return error_set(err, ERR_NOT_FOUND, "not found");
	if (!(r->kinds & ROLE_BIT(c->kind)))
		return error_set(err, ERR_FORBIDDEN, "a %s organisation may not do %s",
				 role_name(c->kind), r->name);
	if (r->people_only && c->api_key)
		return error_set(err, ERR_FORBIDDEN, "%s needs a signed-in person, not an API key",
				 r->name);
	if (r->admin_only && !c->admin && c->kind != ROLE_OFFICE)
		return error_set(err, ERR_FORBIDDEN, "%s needs an organisation admin", r->name);
	if (c->kind == ROLE_OFFICE || !obj)
		return 0;
	switch (r->scope) {
	case SCOPE_ANY:
		return 0;
	case SCOPE_OWN:
		if (obj->owner_org_id == c->org_id)
			return 0;
		break;
	case SCOPE_PARTY:
		return 0; /* visible means owner or party */
	case SCOPE_ASSIGNED:
		if (is_party(c, obj))
			return 0;
		break;
	}
	return error_set(err, ERR_FORBIDDEN, "%s is not allowed on this object", r->name);
}
