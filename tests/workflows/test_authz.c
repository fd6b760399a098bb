/* The authorisation table: callers x actions x own/party/foreign objects. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "workflows/authz.h"

enum rel { NONE, OWN, PARTY, FOREIGN };

struct row {
	enum role kind;
	bool admin;
	bool key;
	enum authz_action action;
	enum rel rel;
	int want;
};

/* Each caller's organisation is 10; a foreign object belongs to 20, a party object to 20 with 10 as party. */
static const struct row rows[] = {
	/* organisations: only the office creates and lists */
	{ ROLE_OFFICE, false, false, AZ_ORG_CREATE, NONE, 0 },
	{ ROLE_APPLICANT, true, false, AZ_ORG_CREATE, NONE, ERR_FORBIDDEN },
	{ ROLE_UTILITY, true, false, AZ_ORG_LIST, NONE, ERR_FORBIDDEN },
	{ ROLE_AUTHORITY, true, false, AZ_ORG_READ, OWN, 0 },
	{ ROLE_AUTHORITY, true, false, AZ_ORG_READ, FOREIGN, ERR_NOT_FOUND },
	{ ROLE_OFFICE, false, false, AZ_ORG_READ, FOREIGN, 0 },
	/* users: admins of the organisation, never an API key */
	{ ROLE_APPLICANT, true, false, AZ_USER_INVITE, OWN, 0 },
	{ ROLE_APPLICANT, false, false, AZ_USER_INVITE, OWN, ERR_FORBIDDEN },
	{ ROLE_APPLICANT, true, false, AZ_USER_INVITE, FOREIGN, ERR_NOT_FOUND },
	{ ROLE_UTILITY, false, true, AZ_USER_LIST, OWN, ERR_FORBIDDEN },
	{ ROLE_OFFICE, false, false, AZ_USER_INVITE, FOREIGN, 0 },
	/* API keys */
	{ ROLE_UTILITY, true, false, AZ_APIKEY_CREATE, OWN, 0 },
	{ ROLE_UTILITY, false, true, AZ_APIKEY_CREATE, OWN, ERR_FORBIDDEN },
	{ ROLE_UTILITY, true, false, AZ_APIKEY_REVOKE, FOREIGN, ERR_NOT_FOUND },
	/* after the works (issue #21): task queues; defects reported by the road authority or the
	 * office, read by the reporter and the organisation they went to, repaired by the latter;
	 * public feedback followed up by the office alone */
	{ ROLE_UTILITY, false, true, AZ_TASK_LIST, NONE, 0 },
	{ ROLE_AUTHORITY, false, false, AZ_TASK_LIST, NONE, 0 },
	{ ROLE_APPLICANT, true, false, AZ_TASK_LIST, NONE, ERR_FORBIDDEN },
	{ ROLE_AUTHORITY, false, false, AZ_DEFECT_REPORT, NONE, 0 },
	{ ROLE_OFFICE, false, false, AZ_DEFECT_REPORT, NONE, 0 },
	{ ROLE_UTILITY, true, false, AZ_DEFECT_REPORT, NONE, ERR_FORBIDDEN },
	{ ROLE_APPLICANT, true, false, AZ_DEFECT_REPORT, NONE, ERR_FORBIDDEN },
	{ ROLE_UTILITY, false, false, AZ_DEFECT_READ, PARTY, 0 },
	{ ROLE_UTILITY, false, false, AZ_DEFECT_READ, FOREIGN, ERR_NOT_FOUND },
	{ ROLE_AUTHORITY, false, false, AZ_DEFECT_READ, OWN, 0 },
	{ ROLE_UTILITY, false, true, AZ_DEFECT_REPAIR, PARTY, 0 },
	{ ROLE_AUTHORITY, false, false, AZ_DEFECT_REPAIR, OWN, ERR_FORBIDDEN },
	{ ROLE_OFFICE, false, false, AZ_DEFECT_REPAIR, PARTY, ERR_FORBIDDEN },
	{ ROLE_OFFICE, false, false, AZ_FEEDBACK_LIST, NONE, 0 },
	{ ROLE_AUTHORITY, true, false, AZ_FEEDBACK_LIST, NONE, ERR_FORBIDDEN },
	{ ROLE_OFFICE, false, false, AZ_FEEDBACK_ANSWER, NONE, 0 },
	{ ROLE_UTILITY, true, false, AZ_FEEDBACK_ANSWER, NONE, ERR_FORBIDDEN },
	/* projects (issue #20): the applicant or the office registers; the guiding utilities read
	 * and answer their own; nobody else sees them */
	{ ROLE_APPLICANT, false, false, AZ_PROJECT_CREATE, NONE, 0 },
	{ ROLE_OFFICE, false, false, AZ_PROJECT_CREATE, NONE, 0 },
	{ ROLE_UTILITY, true, false, AZ_PROJECT_CREATE, NONE, 0 }, /* its own planned works */
	{ ROLE_AUTHORITY, false, false, AZ_COORDINATION_READ, NONE, 0 },
	{ ROLE_OFFICE, false, false, AZ_COORDINATION_READ, NONE, 0 },
	{ ROLE_APPLICANT, true, false, AZ_COORDINATION_READ, NONE, ERR_FORBIDDEN },
	{ ROLE_UTILITY, true, false, AZ_COORDINATION_READ, NONE, ERR_FORBIDDEN },
	{ ROLE_AUTHORITY, true, false, AZ_PROJECT_CREATE, NONE, ERR_FORBIDDEN },
	{ ROLE_UTILITY, false, true, AZ_PROJECT_READ, PARTY, 0 },
	{ ROLE_UTILITY, false, false, AZ_PROJECT_READ, FOREIGN, ERR_NOT_FOUND },
	{ ROLE_APPLICANT, false, false, AZ_PROJECT_READ, FOREIGN, ERR_NOT_FOUND },
	{ ROLE_UTILITY, false, true, AZ_GUIDANCE_ANSWER, PARTY, 0 },
	{ ROLE_UTILITY, false, false, AZ_GUIDANCE_ANSWER, FOREIGN, ERR_NOT_FOUND },
	{ ROLE_APPLICANT, false, false, AZ_GUIDANCE_ANSWER, OWN, ERR_FORBIDDEN },
	{ ROLE_OFFICE, false, false, AZ_GUIDANCE_ANSWER, PARTY, ERR_FORBIDDEN },
	{ ROLE_UTILITY, false, false, AZ_GUIDANCE_LIST, NONE, 0 },
	{ ROLE_APPLICANT, false, false, AZ_GUIDANCE_LIST, NONE, ERR_FORBIDDEN },
	/* applications: the applicant's own, parties may read */
	{ ROLE_APPLICANT, false, false, AZ_APP_CREATE, NONE, 0 },
	{ ROLE_UTILITY, false, true, AZ_APP_CREATE, NONE, ERR_FORBIDDEN },
	{ ROLE_APPLICANT, false, false, AZ_APP_READ, OWN, 0 },
	{ ROLE_APPLICANT, false, false, AZ_APP_READ, FOREIGN, ERR_NOT_FOUND },
	{ ROLE_UTILITY, false, true, AZ_APP_READ, PARTY, 0 },
	{ ROLE_UTILITY, false, true, AZ_APP_READ, FOREIGN, ERR_NOT_FOUND },
	/* jobs: the utility doing it, the applicant owning it */
	{ ROLE_UTILITY, false, true, AZ_JOB_ACT, PARTY, 0 },
	{ ROLE_UTILITY, false, true, AZ_JOB_ACT, FOREIGN, ERR_NOT_FOUND },
	{ ROLE_APPLICANT, false, false, AZ_JOB_ACT, OWN, 0 },
	{ ROLE_AUTHORITY, false, true, AZ_JOB_ACT, FOREIGN, ERR_NOT_FOUND },
	{ ROLE_UTILITY, false, true, AZ_JOB_LIST, NONE, 0 },
	{ ROLE_APPLICANT, false, false, AZ_JOB_LIST, NONE, ERR_FORBIDDEN },
	/* permits: the authority deciding it */
	{ ROLE_AUTHORITY, false, true, AZ_PERMIT_ACT, PARTY, 0 },
	{ ROLE_AUTHORITY, false, true, AZ_PERMIT_ACT, FOREIGN, ERR_NOT_FOUND },
	{ ROLE_AUTHORITY, false, true, AZ_PERMIT_LIST, NONE, 0 },
	{ ROLE_UTILITY, false, true, AZ_PERMIT_LIST, NONE, ERR_FORBIDDEN },
	/* publishing */
	{ ROLE_UTILITY, true, false, AZ_FEES_PUBLISH, OWN, 0 },
	{ ROLE_UTILITY, false, false, AZ_FEES_PUBLISH, OWN, ERR_FORBIDDEN },
	{ ROLE_UTILITY, true, false, AZ_FEES_PUBLISH, FOREIGN, ERR_NOT_FOUND },
	{ ROLE_APPLICANT, true, false, AZ_FEES_DRAFT, OWN, ERR_FORBIDDEN },
	{ ROLE_OFFICE, false, false, AZ_STANDARDS_PUBLISH, NONE, 0 },
	{ ROLE_UTILITY, true, false, AZ_STANDARDS_PUBLISH, NONE, ERR_FORBIDDEN },
	{ ROLE_OFFICE, false, false, AZ_CALENDAR_PUBLISH, NONE, 0 },
	/* supervision and deliveries: the office only */
	{ ROLE_OFFICE, false, false, AZ_SUPERVISE, NONE, 0 },
	{ ROLE_AUTHORITY, true, false, AZ_SUPERVISE, NONE, ERR_FORBIDDEN },
	{ ROLE_UTILITY, true, false, AZ_DELIVERY_ADMIN, NONE, ERR_FORBIDDEN },
	/* ratings by the applicant that owns the object, in person */
	{ ROLE_APPLICANT, false, false, AZ_RATE, OWN, 0 },
	{ ROLE_APPLICANT, false, true, AZ_RATE, OWN, ERR_FORBIDDEN },
	{ ROLE_UTILITY, false, false, AZ_RATE, PARTY, ERR_FORBIDDEN },
};

ParameterizedTestParameters(authz, table)
{
	return cr_make_param_array(struct row, rows, sizeof(rows) / sizeof(rows[0]));
}

ParameterizedTest(const struct row *r, authz, table)
{
	struct authz_caller c = { .user_id = r->key ? 0 : 1, .org_id = 10, .kind = r->kind,
				  .admin = r->admin, .api_key = r->key };
	static const long long party[] = { 10 };
	struct authz_object own = { .owner_org_id = 10 };
	struct authz_object foreign = { .owner_org_id = 20 };
	struct authz_object as_party = { .owner_org_id = 20, .party_org_ids = party, .nparties = 1 };
	const struct authz_object *obj = r->rel == OWN	   ? &own
					 : r->rel == FOREIGN ? &foreign
					 : r->rel == PARTY   ? &as_party
							     : NULL;
	int got = authz_check(&c, r->action, obj, NULL);
	cr_assert_eq(got, r->want, "%s %s as %s%s%s: got %d want %d", authz_action_name(r->action),
		     r->rel == OWN ? "own" : r->rel == FOREIGN ? "foreign" : r->rel == PARTY ? "party" : "-",
		     role_name(r->kind), r->admin ? " admin" : "", r->key ? " key" : "", got, r->want);
}

Test(authz, no_caller_is_unauthorized)
{
	cr_assert_eq(authz_check(NULL, AZ_APP_READ, NULL, NULL), ERR_UNAUTHORIZED);
}

Test(authz, every_action_has_a_rule)
{
	for (int a = 0; a < AZ_ACTION_COUNT; a++)
		cr_expect_str_neq(authz_action_name((enum authz_action)a), "unknown", "action %d", a);
}
