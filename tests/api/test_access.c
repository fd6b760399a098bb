/*
 * The access matrix: every route in the router x every caller x own and foreign objects, each
 * with the status it must get. A route without a row here fails the test, so nobody adds an
 * endpoint without saying who may use it.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "portal/router.h"
#include "store/published.h"
#include "store/applications.h"
#include "store/jobs.h"
#include "store/jointdigs.h"
#include "store/outbox.h"
#include "store/permits.h"
#include "workflows/calendar.h"
#include "store/materials.h"
#include "store/sites.h"
#include "support/harness.h"

enum caller { ANON, APPLICANT, UTILITY, UTILITY_KEY, AUTHORITY, MEMBER, OFFICE, NCALLERS };
static const char *const caller_names[NCALLERS] = { "anonymous", "applicant admin",
						    "utility admin", "utility API key",
						    "authority admin", "applicant member",
						    "office" };

/* What each caller gets; index by enum caller. 0 means "same as the row's default". */
struct expect {
	const char *method;
	const char *pattern;
	const char *body;	   /* %d in it is replaced by a unique number */
	int own[NCALLERS];	   /* the object belongs to the caller's organisation */
	int foreign[NCALLERS];	   /* it belongs to another organisation of the same kind */
};

#define ALL(s) { s, s, s, s, s, s, s }

/* Valid draft documents (dated far ahead, so nothing in force today changes). */
#define FEE_DOC                                                                              \
	"{\"utility_kind\":\"water\",\"effective_from\":\"2030-01-01\",\"items\":[{\"code\":"  \
	"\"A%d\",\"name_zh\":\"x\",\"unit\":\"per_connection\",\"unit_price_fen\":1,"          \
	"\"legal_basis\":\"b\"}]}"
#define STD_DOC                                                                              \
	"{\"kind\":\"greening\",\"effective_from\":\"2030-01-01\",\"name_zh\":\"x%d\","        \
	"\"stages\":[{\"code\":\"accept\",\"name_zh\":\"a\",\"limit_days\":1},"                \
	"{\"code\":\"review\",\"name_zh\":\"b\",\"limit_days\":5}]}"

static const struct expect table[] = {
	/* oversight: supervision for the office; ratings by the applicant (no such job: 404) */
	{ "GET", "/v1/supervision/overdue", NULL, { 401, 403, 403, 403, 403, 403, 200 },
	  { 401, 403, 403, 403, 403, 403, 200 } },
	{ "GET", "/v1/supervision/overruns", NULL, { 401, 403, 403, 403, 403, 403, 200 },
	  { 401, 403, 403, 403, 403, 403, 200 } },
	/* the post-check queue: authorities (their own) and the office */
	{ "GET", "/v1/post-checks", NULL, { 401, 403, 403, 403, 200, 403, 200 },
	  { 401, 403, 403, 403, 200, 403, 200 } },
	/* post-check results (issue #21): the road authority on its own task; an empty body gets
	 * past authorisation to the 422. Rectification: the applicant who committed. */
	{ "POST", "/v1/post-checks/{id}/result", "{}", { 401, 403, 403, 403, 422, 403, 403 },
	  { 401, 403, 403, 403, 422, 403, 403 } },
	{ "GET", "/v1/rectifications", NULL, { 401, 200, 403, 403, 403, 200, 200 },
	  { 401, 200, 403, 403, 403, 200, 200 } },
	{ "POST", "/v1/rectifications/{id}/done", "{}", { 401, 422, 403, 403, 403, 422, 403 },
	  { 401, 422, 403, 403, 403, 422, 403 } },
	/* credit records: an organisation reads its own, the office every one; a person of the
	 * organisation appeals, the office decides; the office publishes the oversight rules */
	{ "GET", "/v1/organisations/{id}/credit", NULL, { 401, 200, 200, 200, 200, 200, 200 },
	  { 401, 404, 404, 404, 404, 404, 200 } },
	{ "POST", "/v1/credit-entries/{id}/appeal", "{}", { 401, 422, 422, 403, 422, 422, 403 },
	  { 401, 422, 422, 403, 422, 422, 403 } },
	{ "POST", "/v1/credit-entries/{id}/decision", "{}", { 401, 403, 403, 403, 403, 403, 422 },
	  { 401, 403, 403, 403, 403, 403, 422 } },
	{ "GET", "/v1/public/oversight-rules", NULL, ALL(200), ALL(200) },
	{ "POST", "/v1/oversight-rules", "{}", { 401, 403, 403, 403, 403, 403, 422 },
	  { 401, 403, 403, 403, 403, 403, 422 } },
	{ "GET", "/v1/supervision/post-check-sampling", NULL, { 401, 403, 403, 403, 403, 403, 200 },
	  { 401, 403, 403, 403, 403, 403, 200 } },
	/* after the works (issue #21): defect reports by anyone (public, no account) or by the road
	 * authority and the office signed in; the defect queue and task queue of utilities and
	 * authorities; public feedback answered by the office. Missing objects: 404 for every
	 * signed-in caller (found first, then authorised). */
	{ "POST", "/v1/public/defects", "{}", ALL(422), ALL(422) },
	{ "GET", "/v1/public/defects/{reference}", NULL, ALL(404), ALL(404) },
	{ "GET", "/v1/public/reinstatement-standards", NULL, ALL(200), ALL(200) },
	{ "POST", "/v1/reinstatement-standards", "{}", { 401, 403, 403, 403, 403, 403, 422 },
	  { 401, 403, 403, 403, 403, 403, 422 } },
	{ "POST", "/v1/defects", "{}", { 401, 403, 403, 403, 422, 403, 422 },
	  { 401, 403, 403, 403, 422, 403, 422 } },
	{ "GET", "/v1/defects", NULL, { 401, 403, 200, 200, 200, 403, 200 },
	  { 401, 403, 200, 200, 200, 403, 200 } },
	{ "GET", "/v1/defects/{id}", NULL, { 401, 404, 404, 404, 404, 404, 404 },
	  { 401, 404, 404, 404, 404, 404, 404 } },
	{ "GET", "/v1/defects/{id}/photo", NULL, { 401, 404, 404, 404, 404, 404, 404 },
	  { 401, 404, 404, 404, 404, 404, 404 } },
	{ "POST", "/v1/defects/{id}/repaired", "{\"note\":\"done\"}",
	  { 401, 404, 404, 404, 404, 404, 404 }, { 401, 404, 404, 404, 404, 404, 404 } },
	{ "GET", "/v1/tasks", NULL, { 401, 403, 200, 200, 200, 403, 200 },
	  { 401, 403, 200, 200, 200, 403, 200 } },
	{ "POST", "/v1/public/feedback", "{}", ALL(422), ALL(422) },
	{ "GET", "/v1/public/feedback/{reference}", NULL, ALL(404), ALL(404) },
	{ "GET", "/v1/feedback", NULL, { 401, 403, 403, 403, 403, 403, 200 },
	  { 401, 403, 403, 403, 403, 403, 200 } },
	{ "POST", "/v1/feedback/{id}/answer", "{\"answer\":\"x\"}",
	  { 401, 403, 403, 403, 403, 403, 404 }, { 401, 403, 403, 403, 403, 403, 404 } },
	{ "GET", "/v1/supervision/pauses", NULL, { 401, 403, 403, 403, 403, 403, 200 },
	  { 401, 403, 403, 403, 403, 403, 200 } },
	{ "POST", "/v1/ratings", "{\"object\":\"job\",\"id\":999999999,\"score\":\"good\"}",
	  { 401, 404, 403, 403, 403, 404, 403 }, { 401, 404, 403, 403, 403, 404, 403 } },
	{ "GET", "/v1/follow-ups", NULL, { 401, 403, 200, 200, 200, 403, 200 },
	  { 401, 403, 200, 200, 200, 403, 200 } },
	{ "POST", "/v1/follow-ups/{id}/answer", "{\"answer\":\"fixed\"}",
	  { 401, 404, 404, 404, 404, 404, 404 }, { 401, 404, 404, 404, 404, 404, 404 } },
	{ "POST", "/v1/follow-ups/{id}/close", "{}", { 401, 404, 404, 404, 404, 404, 404 },
	  { 401, 404, 404, 404, 404, 404, 404 } },
	{ "GET", "/v1/public/certificates/{number}", NULL, ALL(404), ALL(404) },
	/* place: districts and zones by the office, registers by road authorities, service areas
	 * by each utility for its own kind; the public reads all of it */
	{ "GET", "/v1/public/districts", NULL, ALL(200), ALL(200) },
	{ "GET", "/v1/public/districts.geojson", NULL, ALL(200), ALL(200) },
	{ "POST", "/v1/districts",
	  /* the office may, but a district needs its boundary drawn */
	  "{\"code\":\"T%d\",\"name_zh\":\"x\",\"name_en\":\"x\",\"kind\":\"development_zone\"}",
	  { 401, 403, 403, 403, 403, 403, 422 }, { 401, 403, 403, 403, 403, 403, 422 } },
	{ "PUT", "/v1/districts/{code}", "{\"name_zh\":\"x\",\"name_en\":\"x\",\"kind\":\"district\"}",
	  { 401, 403, 403, 403, 403, 403, 404 }, { 401, 403, 403, 403, 403, 403, 404 } },
	{ "POST", "/v1/road-registers", "{}", { 401, 403, 403, 403, 422, 403, 403 },
	  { 401, 403, 403, 403, 422, 403, 403 } },
	{ "GET", "/v1/public/road-registers", NULL, ALL(200), ALL(200) },
	{ "GET", "/v1/public/roads", NULL, ALL(200), ALL(200) },
	{ "GET", "/v1/public/roads/{road_id}", NULL, ALL(404), ALL(404) },
	{ "POST", "/v1/risk-zones", "{}", { 401, 403, 403, 403, 403, 403, 422 },
	  { 401, 403, 403, 403, 403, 403, 422 } },
	{ "GET", "/v1/public/risk-zones", NULL, ALL(200), ALL(200) },
	/* an empty set: a test utility must not start serving the demo's districts */
	{ "PUT", "/v1/service-areas/{kind}", "{\"districts\":[]}",
	  { 401, 403, 200, 200, 403, 403, 403 }, { 401, 403, 200, 200, 403, 403, 403 } },
	/* each organisation reads its own (none but a utility has any) */
	{ "GET", "/v1/service-areas", NULL, { 401, 200, 200, 200, 200, 200, 200 },
	  { 401, 200, 200, 200, 200, 200, 200 } },
	{ "GET", "/v1/public/providers", NULL, ALL(422), ALL(422) },
	{ "GET", "/v1/public/works.geojson", NULL, ALL(200), ALL(200) },
	{ "GET", "/works", NULL, ALL(200), ALL(200) },
	{ "GET", "/v1/public/keys", NULL, ALL(200), ALL(200) },
	{ "GET", "/v1/public/stats", NULL, ALL(200), ALL(200) },
	{ "GET", "/v1/public/open-data/applications.csv", NULL, ALL(200), ALL(200) },
	{ "GET", "/stats", NULL, ALL(200), ALL(200) },
	{ "GET", "/healthz", NULL, ALL(200), ALL(200) },
	{ "GET", "/readyz", NULL, ALL(200), ALL(200) },
	{ "GET", "/metrics", NULL, ALL(200), ALL(200) },
	{ "POST", "/v1/sessions", "{\"email\":\"x%d@y.test\",\"password\":\"not-the-right-one\"}",
	  ALL(401), ALL(401) },
	{ "DELETE", "/v1/sessions/current", NULL,
	  /* an API key is not a session: it is revoked by an admin, not signed out */
	  { 401, 204, 204, 409, 204, 204, 204 }, { 401, 204, 204, 409, 204, 204, 204 } },
	{ "GET", "/v1/me", NULL, { 401, 200, 200, 200, 200, 200, 200 },
	  { 401, 200, 200, 200, 200, 200, 200 } },
	{ "POST", "/v1/organisations",
	  "{\"name\":\"Org %d\",\"kind\":\"applicant\",\"district\":\"350102\"}",
	  { 401, 403, 403, 403, 403, 403, 201 }, { 401, 403, 403, 403, 403, 403, 201 } },
	{ "GET", "/v1/organisations", NULL, { 401, 403, 403, 403, 403, 403, 200 },
	  { 401, 403, 403, 403, 403, 403, 200 } },
	{ "GET", "/v1/organisations/{id}", NULL, { 401, 200, 200, 200, 200, 200, 200 },
	  { 401, 404, 404, 404, 404, 404, 200 } },
	{ "POST", "/v1/organisations/{id}/users", "{\"email\":\"new%d@x.test\"}",
	  { 401, 201, 201, 403, 201, 403, 201 }, { 401, 404, 404, 404, 404, 404, 201 } },
	{ "GET", "/v1/organisations/{id}/users", NULL, { 401, 200, 200, 403, 200, 403, 200 },
	  { 401, 404, 404, 404, 404, 404, 200 } },
	{ "PATCH", "/v1/users/{id}", "{\"role\":\"member\"}",
	  { 401, 200, 200, 403, 200, 403, 200 }, { 401, 404, 404, 404, 404, 404, 200 } },
	{ "POST", "/v1/invitations/accept", "{\"token\":\"inv_bogus\",\"password\":\"long-enough-pass\"}",
	  ALL(404), ALL(404) },
	{ "POST", "/v1/organisations/{id}/api-keys", "{\"label\":\"k%d\"}",
	  { 401, 201, 201, 403, 201, 403, 201 }, { 401, 404, 404, 404, 404, 404, 201 } },
	{ "GET", "/v1/organisations/{id}/api-keys", NULL, { 401, 200, 200, 403, 200, 403, 200 },
	  { 401, 404, 404, 404, 404, 404, 200 } },
	{ "DELETE", "/v1/organisations/{id}/api-keys/{key_id}", NULL,
	  { 401, 204, 204, 403, 204, 403, 204 }, { 401, 404, 404, 404, 404, 404, 204 } },
	{ "POST", "/v1/sites",
	  "{\"name\":\"Site %d\",\"address\":\"1 Road\",\"district\":\"350102\",\"lat\":26.1,"
	  "\"lng\":119.25,\"zone_risk\":\"low\"}",
	  { 401, 201, 403, 403, 403, 201, 403 }, { 401, 201, 403, 403, 403, 201, 403 } },
	{ "GET", "/v1/sites", NULL, { 401, 200, 403, 403, 403, 200, 200 },
	  { 401, 200, 403, 403, 403, 200, 200 } },
	{ "GET", "/v1/sites/{id}", NULL, { 401, 200, 403, 403, 403, 200, 200 },
	  { 401, 404, 404, 404, 404, 404, 200 } },
	/* no body: the caller gets past authorisation to the validation (type and file missing) */
	{ "POST", "/v1/materials", NULL, { 401, 422, 403, 403, 403, 422, 403 },
	  { 401, 422, 403, 403, 403, 422, 403 } },
	/* the same licence again (the "foreign" pass comes second) is the existing material: 200 */
	{ "POST", "/v1/materials/elicence",
	  "{\"type\":\"business_licence\",\"elicence_no\":\"91350100M000100Y43\"}",
	  { 401, 201, 403, 403, 403, 201, 403 }, { 401, 200, 403, 403, 403, 200, 403 } },
	{ "GET", "/v1/materials", NULL, { 401, 200, 200, 200, 200, 200, 200 },
	  { 401, 200, 200, 200, 200, 200, 200 } },
	{ "GET", "/v1/materials/{id}", NULL, { 401, 200, 200, 200, 200, 200, 200 },
	  { 401, 404, 404, 404, 404, 404, 200 } },
	{ "GET", "/v1/materials/{id}/content", NULL, { 401, 200, 200, 200, 200, 200, 200 },
	  { 401, 404, 404, 404, 404, 404, 200 } },
	/* applications: an empty body gets past authorisation to the one-time notice (422) */
	{ "POST", "/v1/applications", "{}", { 401, 422, 403, 403, 403, 422, 403 },
	  { 401, 422, 403, 403, 403, 422, 403 } },
	/* projects (issue #20): an empty body gets past authorisation to the 422; no project has
	 * the ids the matrix names (404); only a utility answers, and only its own task */
	{ "POST", "/v1/projects", "{}", { 401, 422, 422, 422, 403, 422, 422 },
	  { 401, 422, 422, 422, 403, 422, 422 } },
	/* the coordination plan of planned digs: the road authority (its roads) and the office */
	{ "GET", "/v1/coordination", NULL, { 401, 403, 403, 403, 200, 403, 200 },
	  { 401, 403, 403, 403, 200, 403, 200 } },
	{ "GET", "/v1/coordination.geojson", NULL, { 401, 403, 403, 403, 200, 403, 200 },
	  { 401, 403, 403, 403, 200, 403, 200 } },
	{ "GET", "/v1/coordination.svg", NULL, { 401, 403, 403, 403, 200, 403, 200 },
	  { 401, 403, 403, 403, 200, 403, 200 } },
	{ "GET", "/v1/projects/{id}", NULL, { 401, 404, 404, 404, 404, 404, 404 },
	  { 401, 404, 404, 404, 404, 404, 404 } },
	{ "POST", "/v1/projects/{id}/guidance/{kind}", "{}", { 401, 403, 404, 404, 403, 403, 403 },
	  { 401, 403, 404, 404, 403, 403, 403 } },
	{ "GET", "/v1/guidance", NULL, { 401, 403, 200, 200, 403, 403, 200 },
	  { 401, 403, 200, 200, 403, 403, 200 } },
	{ "GET", "/v1/applications", NULL, { 401, 200, 403, 403, 403, 200, 200 },
	  { 401, 200, 403, 403, 403, 200, 200 } },
	/* the utility and the authority are parties to the applicant's application */
	{ "GET", "/v1/applications/{id}", NULL, { 401, 200, 200, 200, 200, 200, 200 },
	  { 401, 404, 404, 404, 404, 404, 200 } },
	{ "GET", "/v1/jobs", NULL, { 401, 403, 200, 200, 403, 403, 200 },
	  { 401, 403, 200, 200, 403, 403, 200 } },
	{ "GET", "/v1/jobs/{id}", NULL, { 401, 200, 200, 200, 404, 200, 200 },
	  { 401, 404, 404, 404, 404, 404, 200 } },
	/* accept: the utility may (200); then it is accepted, so the key's accept conflicts */
	{ "POST", "/v1/jobs/{id}/transitions", "{\"action\":\"accept\"}",
	  { 401, 403, 200, 409, 404, 403, 409 }, { 401, 404, 404, 404, 404, 404, 403 } },
	{ "GET", "/v1/permits", NULL, { 401, 403, 403, 403, 200, 403, 200 },
	  { 401, 403, 403, 403, 200, 403, 200 } },
	/* the utility whose job needs the permit may read it */
	{ "GET", "/v1/permits/{id}", NULL, { 401, 200, 200, 200, 200, 200, 200 },
	  { 401, 404, 404, 404, 404, 404, 200 } },
	{ "POST", "/v1/permits/{id}/transitions", "{\"action\":\"accept\"}",
	  { 401, 403, 403, 403, 200, 403, 409 }, { 401, 404, 404, 404, 404, 404, 403 } },
	{ "GET", "/v1/public/codes", NULL, ALL(200), ALL(200) },
	{ "GET", "/v1/openapi.yaml", NULL, ALL(200), ALL(200) },
	/* joint digs belong to the road authority; each call gets a fresh proposal */
	{ "GET", "/v1/joint-digs", NULL, { 401, 403, 403, 403, 200, 403, 200 },
	  { 401, 403, 403, 403, 200, 403, 200 } },
	{ "POST", "/v1/joint-digs/{id}/accept", NULL, { 401, 404, 404, 404, 200, 404, 200 },
	  { 401, 404, 404, 404, 404, 404, 200 } },
	{ "POST", "/v1/joint-digs/{id}/decline", NULL, { 401, 404, 404, 404, 200, 404, 200 },
	  { 401, 404, 404, 404, 404, 404, 200 } },
	/* published fees, standards and calendar: public reads, then the publishing side */
	{ "GET", "/v1/public/fees", NULL, ALL(200), ALL(200) },
	{ "GET", "/v1/public/fees/history", NULL, ALL(200), ALL(200) },
	{ "GET", "/v1/public/service-standards", NULL, ALL(200), ALL(200) },
	{ "GET", "/v1/public/calendar", NULL, ALL(200), ALL(200) },
	{ "POST", "/v1/public/fee-estimate",
	  "{\"utility_kinds\":[\"water\"],\"params\":{\"dn\":20,\"kw\":10,\"meters\":1,"
	  "\"length_m\":%d,\"ports\":1}}",
	  ALL(200), ALL(200) },
	{ "GET", "/", NULL, ALL(200), ALL(200) },
	{ "GET", "/fees", NULL, ALL(200), ALL(200) },
	{ "GET", "/standards", NULL, ALL(200), ALL(200) },
	/* a water schedule: the road authority may draft road fees only (422) */
	{ "POST", "/v1/fee-schedules", FEE_DOC, { 401, 403, 201, 201, 422, 403, 201 },
	  { 401, 403, 201, 201, 422, 403, 201 } },
	{ "GET", "/v1/fee-schedules", NULL, { 401, 403, 200, 200, 200, 403, 200 },
	  { 401, 403, 200, 200, 200, 403, 200 } },
	{ "GET", "/v1/fee-schedules/{id}", NULL, { 401, 403, 200, 200, 200, 403, 200 },
	  { 401, 404, 404, 404, 404, 404, 200 } },
	{ "PUT", "/v1/fee-schedules/{id}", FEE_DOC, { 401, 403, 200, 200, 422, 403, 200 },
	  { 401, 404, 404, 404, 404, 404, 200 } },
	/* publishing needs a signed-in admin: not an API key */
	{ "POST", "/v1/fee-schedules/{id}/publish", NULL, { 401, 403, 200, 403, 200, 403, 200 },
	  { 401, 404, 404, 404, 404, 404, 200 } },
	{ "POST", "/v1/service-standards", STD_DOC, { 401, 403, 403, 403, 403, 403, 201 },
	  { 401, 403, 403, 403, 403, 403, 201 } },
	{ "GET", "/v1/service-standards", NULL, { 401, 403, 403, 403, 403, 403, 200 },
	  { 401, 403, 403, 403, 403, 403, 200 } },
	{ "GET", "/v1/service-standards/{id}", NULL, { 401, 403, 403, 403, 403, 403, 200 },
	  { 401, 404, 404, 404, 404, 404, 200 } },
	{ "PUT", "/v1/service-standards/{id}", STD_DOC, { 401, 403, 403, 403, 403, 403, 200 },
	  { 401, 404, 404, 404, 404, 404, 200 } },
	{ "POST", "/v1/service-standards/{id}/publish", NULL,
	  { 401, 403, 403, 403, 403, 403, 200 }, { 401, 404, 404, 404, 404, 404, 200 } },
	{ "PUT", "/v1/calendar/{year}",
	  "{\"holidays\":[{\"from\":\"2031-01-01\",\"to\":\"2031-01-01\",\"name_zh\":\"元旦\"}],"
	  "\"cutoff\":\"17:00\"}",
	  { 401, 403, 403, 403, 403, 403, 200 }, { 401, 403, 403, 403, 403, 403, 200 } },
	/* the office publishes the next decision code list (an empty one is refused: 422) */
	{ "POST", "/v1/codes", "{}", { 401, 403, 403, 403, 403, 403, 422 },
	  { 401, 403, 403, 403, 403, 403, 422 } },
	/* webhook endpoints: utilities', authorities' and the office's admins (201 creates) */
	{ "PUT", "/v1/organisations/{id}/endpoint", "{\"url\":\"https://example.com/h%d\"}",
	  { 401, 403, 201, 403, 201, 403, 201 }, { 401, 404, 404, 404, 404, 404, 201 } },
	{ "GET", "/v1/organisations/{id}/endpoint", NULL, { 401, 403, 200, 403, 200, 403, 200 },
	  { 401, 404, 404, 404, 404, 404, 200 } },
	{ "POST", "/v1/organisations/{id}/endpoint/rotate", NULL,
	  { 401, 403, 200, 403, 200, 403, 200 }, { 401, 404, 404, 404, 404, 404, 200 } },
	{ "POST", "/v1/organisations/{id}/endpoint/replay", "{\"since\":\"2000-01-01T00:00:00Z\"}",
	  { 401, 403, 403, 403, 403, 403, 200 }, { 401, 404, 404, 404, 404, 404, 200 } },
	{ "GET", "/v1/events", NULL, { 401, 200, 200, 200, 200, 200, 200 },
	  { 401, 200, 200, 200, 200, 200, 200 } },
	{ "GET", "/v1/deliveries", NULL, { 401, 403, 403, 403, 403, 403, 200 },
	  { 401, 403, 403, 403, 403, 403, 200 } },
	{ "GET", "/v1/deliveries/{event_id}", NULL, { 401, 403, 403, 403, 403, 403, 200 },
	  { 401, 403, 403, 403, 403, 403, 200 } },
	{ "POST", "/v1/deliveries/{event_id}/replay", NULL, { 401, 403, 403, 403, 403, 403, 200 },
	  { 401, 403, 403, 403, 403, 403, 200 } },
	/* only a water utility's API key may call back as water; unsigned, it gets 401 */
	{ "POST", "/v1/integrations/{kind}/callbacks", "{\"action\":\"accept\",\"reference\":\"X%d\"}",
	  { 401, 403, 403, 401, 403, 403, 403 }, { 401, 403, 403, 401, 403, 403, 403 } },
};

static const char SQL_LAST_EVENT[] = "SELECT MAX(id) FROM outbox WHERE org_id = ?";

/* A dead outbox event of org, for /v1/deliveries/{event_id} (replayable each time). */
static long long dead_event(long long org)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	struct error err = ERROR_INIT;
	cr_assert(c);
	cr_assert_eq(store_outbox_insert(c, org, 0, "job.accepted", "{\"type\":\"job.accepted\"}",
					 &err),
		     0, "%s", err.message);
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(org) };
	cr_assert_eq(store_exec(c, SQL_LAST_EVENT, p, 1, &r, &err), 0, "%s", err.message);
	long long id = store_cell_ll(r, 0, 0, 0);
	store_result_free(r);
	static const char SQL_KILL[] = "UPDATE outbox SET status = 'dead' WHERE id = ?";
	struct store_param k[] = { P_INT(id) };
	cr_assert_eq(store_run(c, SQL_KILL, k, 1, NULL, NULL, &err), 0, "%s", err.message);
	store_release(c);
	return id;
}

/* The organisations and objects each caller acts on. */
struct world {
	char *token[NCALLERS];
	long long org[NCALLERS];      /* the caller's own organisation */
	long long other[NCALLERS];    /* another organisation of the same kind */
	long long other_user[NCALLERS];
	/* applications with one job and one permit: the applicant's, the member's, a foreign one */
	long long app[3], job[3], permit[3];
};

static long long make_key(const char *admin_token, long long org, char **key_out)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/organisations/%lld/api-keys", org);
	struct reply r;
	cr_assert_eq(http_call(&r, "POST", path, admin_token, "{}", NULL), 201, "%s", r.body);
	long long id = json_integer_value(json_object_get(r.json, "id"));
	if (key_out)
		*key_out = strdup(json_string_value(json_object_get(r.json, "key")));
	reply_release(&r);
	return id;
}

static long long invite(const char *token, long long org)
{
	char path[128], body[128];
	snprintf(path, sizeof(path), "/v1/organisations/%lld/users", org);
	snprintf(body, sizeof(body), "{\"email\":\"m%d@x.test\"}", harness_unique());
	struct reply r;
	cr_assert_eq(http_call(&r, "POST", path, token, body, NULL), 201, "%s", r.body);
	long long id = json_integer_value(json_object_get(r.json, "id"));
	reply_release(&r);
	return id;
}

/* An application of `owner` with a water job for `utility` and a dig-road permit for `authority`
 * that the job needs, written straight through the store. */
static void track_fixture(struct world *w, int slot, long long owner, long long utility,
			  long long authority)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	struct error err = ERROR_INIT;
	cr_assert(c);
	struct site_row site = { .org_id = owner, .name = "Track site", .address = "2 Road",
				 .district = "350102", .zone_risk = "medium" };
	long long site_id;
	cr_assert_eq(store_site_create(c, &site, &site_id, &err), 0, "%s", err.message);
	char ref[32], jref[40], pref[40];
	snprintf(ref, sizeof(ref), "HK-ACC-%d", harness_unique());
	snprintf(jref, sizeof(jref), "%s-W", ref);
	snprintf(pref, sizeof(pref), "%s-DR", ref);
	day_t today = cal_day_of_instant(time(NULL));
	struct application_new a = { ref, owner, site_id, 0, "2026-11-29 10:00:00.000000", today, "{}",
				     "{\"lines\":[],\"total_fen\":0}", NULL, "h", 0 };
	cr_assert_eq(store_application_insert(c, &a, &w->app[slot], &err), 0, "%s", err.message);
	struct stored_clock k = { .stage = "acceptance" };
	k.clock.limit_days = 1;
	k.clock.started_day = today;
	k.clock.due_day = today + 1;
	struct job_new j = { w->app[slot], jref, "water", "submitted", "{}", utility, &k };
	cr_assert_eq(store_job_insert(c, &j, &w->job[slot], &err), 0, "%s", err.message);
	struct permit_new p = { w->app[slot], pref, "dig_road", "submitted", "none", "test dig",
				authority, false, today, today + 5, today + 6, &k, NULL };
	cr_assert_eq(store_permit_insert(c, &p, &w->permit[slot], &err), 0, "%s", err.message);
	cr_assert_eq(store_job_permit_link(c, w->job[slot], w->permit[slot], &err), 0);
	store_release(c);
}

/* A fresh joint-dig proposal between the slot's permit and a new one, for `authority`. */
static long long joint_dig_fixture(const struct world *w, int slot, long long authority)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	struct error err = ERROR_INIT;
	cr_assert(c);
	char ref[40];
	snprintf(ref, sizeof(ref), "HK-JD-%d-DR", harness_unique());
	day_t today = cal_day_of_instant(time(NULL));
	struct permit_new p = { w->app[slot], ref, "dig_road", "submitted", "none", "test dig",
				authority, false, today + 2, today + 9, today + 6, NULL, NULL };
	long long pid;
	cr_assert_eq(store_permit_insert(c, &p, &pid, &err), 0, "%s", err.message);
	cr_assert_eq(store_joint_dig_propose(c, w->permit[slot], pid, authority, NULL, 0, &err), 0);
	static const char SQL_MINE[] = "SELECT id FROM joint_dig_proposals WHERE permit_b = ?";
	struct store_result *r = NULL;
	struct store_param pp[] = { P_INT(pid) };
	cr_assert_eq(store_exec(c, SQL_MINE, pp, 1, &r, &err), 0);
	long long id = store_cell_ll(r, 0, 0, 0);
	store_result_free(r);
	store_release(c);
	return id;
}

static void build_world(struct world *w)
{
	static const char *kinds[NCALLERS][2] = {
		{ NULL, NULL },		   { "applicant", NULL }, { "utility", "water" },
		{ "utility", "water" },	   { "authority", "road" }, { "applicant", NULL },
		{ "office", NULL },
	};
	char email[128], other_email[128];
	char *office_token = NULL;
	for (int c = NCALLERS - 1; c > ANON; c--) {
		w->org[c] = harness_make_user(kinds[c][0], kinds[c][1], c != MEMBER, email);
		w->token[c] = harness_login(email, HARNESS_PASSWORD);
		if (c == OFFICE)
			office_token = w->token[c];
		long long other = harness_make_user(kinds[c][0], kinds[c][1], true, other_email);
		w->other[c] = other;
		w->other_user[c] = invite(office_token, other);
	}
	/* the API key belongs to the utility's own organisation */
	char *key;
	w->org[UTILITY_KEY] = w->org[UTILITY];
	w->other[UTILITY_KEY] = w->other[UTILITY];
	w->other_user[UTILITY_KEY] = w->other_user[UTILITY];
	make_key(w->token[UTILITY], w->org[UTILITY], &key);
	w->token[UTILITY_KEY] = key;
	track_fixture(w, 0, w->org[APPLICANT], w->org[UTILITY], w->org[AUTHORITY]);
	track_fixture(w, 1, w->org[MEMBER], w->org[UTILITY], w->org[AUTHORITY]);
	track_fixture(w, 2, w->other[APPLICANT], w->other[UTILITY], w->other[AUTHORITY]);
}

/*
 * For /v1/sites/{id} and /v1/materials/{id}...: creates a site or an uploaded material of org
 * straight through the store (utilities cannot create them over HTTP) and sets *id.
 */
static bool owned_object(const char *pattern, long long org, long long *id)
{
	bool site = !strncmp(pattern, "/v1/sites/{", 11);
	if (!site && strncmp(pattern, "/v1/materials/{", 15) != 0)
		return false;
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	struct error err = ERROR_INIT;
	cr_assert(c);
	if (site) {
		struct site_row s = { .org_id = org, .name = "Access site", .address = "1 Road",
				      .district = "350102", .zone_risk = "low" };
		cr_assert_eq(store_site_create(c, &s, id, &err), 0, "%s", err.message);
	} else {
		/* the same directory the portal under test uses (see config_load) */
		const char *dir = getenv("PORTAL_DATA_DIR");
		struct material_row m = { .org_id = org, .type = "other", .filename = "a.pdf",
					  .content_type = "application/pdf" };
		char data[64];
		m.size_bytes = snprintf(data, sizeof(data), "%%PDF-1.4 access %d", harness_unique());
		bool created;
		cr_assert_eq(store_blob_put(dir && *dir ? dir : "var", data, (size_t)m.size_bytes,
					    m.content_hash, &created, &err),
			     0, "%s", err.message);
		cr_assert_eq(store_material_insert(c, &m, id, &err), 0, "%s", err.message);
	}
	store_release(c);
	return true;
}

/*
 * For /v1/fee-schedules/{id} and /v1/service-standards/{id}: a valid draft of org, straight
 * through the store (an applicant cannot draft one over HTTP); a road authority's is for road
 * fees, everyone else's for water.
 */
static bool published_object(const char *pattern, long long org, int caller, long long *id)
{
	bool fees = !strncmp(pattern, "/v1/fee-schedules/{", 19);
	if (!fees && strncmp(pattern, "/v1/service-standards/{", 23) != 0)
		return false;
	const char *kind = fees ? (caller == AUTHORITY ? "road" : "water") : "greening";
	char doc[1024];
	snprintf(doc, sizeof(doc), fees ? FEE_DOC : STD_DOC, harness_unique());
	json_t *j = json_loads(doc, 0, NULL);
	json_object_set_new(j, fees ? "utility_kind" : "kind", json_string(kind));
	char *body = json_dumps(j, JSON_COMPACT);
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	struct error err = ERROR_INIT;
	cr_assert(c);
	cr_assert_eq(store_pub_draft_create(c, fees ? PUB_FEES : PUB_STANDARDS, org, kind,
					    "2030-01-01", body, 0, id, &err),
		     0, "%s", err.message);
	store_release(c);
	json_decref(j);
	free(body);
	return true;
}

/* Fills the path's {params} for caller c acting on its own (or a foreign) object. */
static void fill_path(const struct world *w, const struct expect *e, int c, bool own,
		      char *out, size_t len)
{
	long long org = own ? w->org[c] : w->other[c];
	if (c == ANON)
		org = w->org[APPLICANT];
	char tmp[512];
	snprintf(tmp, sizeof(tmp), "%s", e->pattern);
	out[0] = 0;
	for (char *p = tmp; *p;) {
		char *open = strchr(p, '{');
		if (!open) {
			strncat(out, p, len - strlen(out) - 1);
			break;
		}
		*open = 0;
		strncat(out, p, len - strlen(out) - 1);
		char *close = strchr(open + 1, '}');
		*close = 0;
		const char *name = open + 1;
		char val[32];
		long long v = 0;
		if (!strcmp(name, "id") && strstr(e->pattern, "/v1/users/")) {
			/* a user of that organisation other than the caller */
			v = own ? invite(w->token[OFFICE], org) : w->other_user[c == ANON ? APPLICANT : c];
		} else if (!strcmp(name, "id") && !strncmp(e->pattern, "/v1/joint-digs/", 15)) {
			v = joint_dig_fixture(w, own ? 0 : 2, own ? w->org[AUTHORITY] : w->other[AUTHORITY]);
		} else if (!strcmp(name, "id") && (!strncmp(e->pattern, "/v1/applications/", 17) ||
						   !strncmp(e->pattern, "/v1/jobs/", 9) ||
						   !strncmp(e->pattern, "/v1/permits/", 12))) {
			int slot = own ? (c == MEMBER ? 1 : 0) : 2;
			v = e->pattern[4] == 'a' ? w->app[slot]
			    : e->pattern[4] == 'j' ? w->job[slot]
						   : w->permit[slot];
		} else if (!strcmp(name, "id") && (!strncmp(e->pattern, "/v1/defects/", 12) ||
						   !strncmp(e->pattern, "/v1/feedback/", 13))) {
			v = 999999999; /* none: other suites' reports share the database */
		} else if (!strcmp(name, "id") && published_object(e->pattern, org, c, &v)) {
			/* v is a draft fee schedule or service standard of org */
		} else if (!strcmp(name, "id") && owned_object(e->pattern, org, &v)) {
			/* v is a site or material of org */
		} else if (!strcmp(name, "id")) {
			v = org;
		} else if (!strcmp(name, "year")) {
			v = 2031;
		} else if (!strcmp(name, "key_id")) {
			v = make_key(w->token[OFFICE], org, NULL);
		} else if (!strcmp(name, "event_id")) {
			v = dead_event(org);
		}
		snprintf(val, sizeof(val), "%lld", v);
		if (!strcmp(name, "kind"))
			snprintf(val, sizeof(val), "water");
		strncat(out, val, len - strlen(out) - 1);
		p = close + 1;
	}
}

Test(access, every_route_has_a_row)
{
	router_init();
	for (int i = 0; i < router_count(); i++) {
		const struct route *r = router_at(i);
		bool found = false;
		for (size_t t = 0; t < sizeof(table) / sizeof(table[0]) && !found; t++)
			found = !strcmp(table[t].method, r->method) && !strcmp(table[t].pattern, r->pattern);
		cr_expect(found, "route %s %s has no row in the access matrix", r->method, r->pattern);
	}
	for (size_t t = 0; t < sizeof(table) / sizeof(table[0]); t++) {
		bool found = false;
		for (int i = 0; i < router_count() && !found; i++)
			found = !strcmp(table[t].method, router_at(i)->method) &&
				!strcmp(table[t].pattern, router_at(i)->pattern);
		cr_expect(found, "the matrix names %s %s, which the router lacks", table[t].method,
			  table[t].pattern);
	}
}

/* A signed-in route reads its credentials from the database: none may run on an HTTP thread. */
Test(access, no_signed_in_route_runs_from_memory)
{
	router_init();
	int signed_in = 0;
	for (int i = 0; i < router_count(); i++) {
		const struct route *r = router_at(i);
		if (r->access != ROUTE_AUTHENTICATED)
			continue;
		signed_in++;
		cr_expect_neq(r->runs, RUNS_FROM_MEMORY, "%s %s is signed-in but runs from memory",
			      r->method, r->pattern);
	}
	cr_expect_gt(signed_in, 0);
}

Test(access, matrix, .timeout = 240)
{
	/* every caller twice per route: more public writes than the per-address bucket holds */
	setenv("PORTAL_RATE_PUBLIC_WRITE", "0", 1);
	struct harness_server *srv = harness_server_start();
	unsetenv("PORTAL_RATE_PUBLIC_WRITE");
	struct world w = { 0 };
	build_world(&w);
	int failures = 0;
	for (size_t t = 0; t < sizeof(table) / sizeof(table[0]); t++) {
		const struct expect *e = &table[t];
		for (int own = 1; own >= 0; own--) {
			for (int c = 0; c < NCALLERS; c++) {
				/* sign-out ends the session: use a fresh one */
				char *token = w.token[c];
				char *fresh = NULL;
				if (!strcmp(e->pattern, "/v1/sessions/current") && c != ANON &&
				    c != UTILITY_KEY) {
					/* re-login is not possible without the email: mint a key-free session */
					char email[128];
					harness_make_user(c == OFFICE ? "office" : "applicant", NULL,
							  true, email);
					fresh = harness_login(email, HARNESS_PASSWORD);
					token = fresh;
				}
				char path[512], body[512];
				fill_path(&w, e, c, own, path, sizeof(path));
				if (e->body)
					snprintf(body, sizeof(body), e->body, harness_unique());
				struct reply r;
				http_call(&r, e->method, path, c == ANON ? NULL : token,
					  e->body ? body : NULL, NULL);
				int want = own ? e->own[c] : e->foreign[c];
				if (r.status != want) {
					failures++;
					cr_log_error("%s %s as %s on %s object: got %ld, want %d: %.200s",
						     e->method, path, caller_names[c],
						     own ? "own" : "foreign", r.status, want, r.body);
				}
				reply_release(&r);
				free(fresh);
			}
		}
	}
	for (int c = 0; c < NCALLERS; c++)
		free(w.token[c]);
	cr_assert_eq(failures, 0, "%d access matrix cells differ (see the log)", failures);
	harness_server_stop(srv);
}
