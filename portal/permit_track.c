/* A permit's operations for the transition runner: load, decide, persist, emit. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/credit_api.h"
#include "portal/postcheck_api.h"
#include "portal/defects_api.h"
#include "portal/snapshot.h"
#include "portal/tracks.h"
#include "portal/transition.h"
#include "store/credit.h"
#include "store/defects.h"
#include "store/tasks.h"
#include "workflows/defects.h"
#include "workflows/application.h"
#include "lib/json_text.h"
#include "workflows/standards.h"
#include "lib/xalloc.h"

/* The permit's own state while a transition runs. */
struct permit_track {
	struct permit_row p;
	struct permit_outcome out;
	struct reinstatement_status works; /* reports, inspections, remedial tasks */
	struct reinstatement_share share;  /* who shares the trench, who reported (the caller's) */
	long long parties[9]; /* the authority, then the utilities whose jobs need the permit */
	bool rectification_open; /* a failed post-check's rectification is still open */
};

int transition_permit_parties(struct store_conn *c, const struct permit_row *p, long long ids[9],
			      struct authz_object *obj, struct error *err)
{
	size_t n = 0;
	ids[0] = p->authority_org_id;
	int rc = store_permit_utility_orgs(c, p->id, ids + 1, 8, &n, err);
	*obj = (struct authz_object){ p->app_org_id, ids, (int)n + 1 };
	return rc;
}

static int load(struct store_conn *c, struct transition_ctx *t, struct error *err)
{
	struct permit_track *pt = xcalloc(1, sizeof(*pt));
	t->kind = pt;
	int rc = store_permit_get(c, t->a->id, true, &pt->p, err);
	if (rc)
		return rc;
	const struct permit_row *p = &pt->p;
	*t = (struct transition_ctx){ .a = t->a, .kind = pt, .today = t->today, .type = "permit",
				      .id = p->id, .application_id = p->application_id,
				      .reference = p->reference, .state = p->state,
				      .standard_kind = p->kind, .version = p->version,
				      .submitted_day = p->submitted_day, .clock = p->clock };
	struct authz_object obj;
	rc = transition_permit_parties(c, p, pt->parties, &obj, err);
	if (!rc)
		rc = authz_check(t->a->caller, AZ_PERMIT_ACT, &obj, err);
	if (!rc)
		rc = store_reinstatement_status(c, p->id, &pt->works, err);
	if (!rc)
		rc = store_reinstatement_share(c, p->id, t->a->caller->org_id, &pt->share, err);
	if (!rc)
		rc = store_rectification_open_for(c, p->id, &pt->rectification_open, err);
	return rc;
}

/* The permit as it stands and the payload, as permit_apply reads them. */
static struct permit_facts facts_of(const struct transition_ctx *t, const struct permit_row *p,
				    const struct reinstatement_status *w,
				    const struct reinstatement_share *sh, bool rectification_open)
{
	const struct act *a = t->a;
	const struct published *pub = a->pub;
	const struct service_standard *std =
		standards_in_force((const struct service_standard *const *)pub->standards,
				   pub->nstandards, p->kind, p->submitted_day);
	bool silence = false;
	int days;
	application_stage_limit(std, p->clock.stage[0] ? p->clock.stage : "review", &days, &silence);
	enum permit_kind kind = PERMIT_KIND_COUNT;
	enum permit_decision decision = PERMIT_DECISION_NONE;
	permit_kind_parse(p->kind, &kind, NULL);
	permit_decision_parse(p->decision, &decision, NULL);
	return (struct permit_facts){
		.kind = kind, .decision = decision, .is_deemed = p->is_deemed,
		.post_checked = p->post_checked, .extension_pending = p->extension_pending,
		.window_from = p->window_from, .window_to = p->window_to,
		.reinstatement_passed = p->reinstatement_passed, .fast_track_eligible = p->fast_track,
		/* the acting utility's own reports: in a joint dig each reports its own dig */
		.works_started = w->works_started, .reinstatement_reports = sh->own_reports,
		.inspection_awaited = w->reports > w->inspections, .remedial_open = w->remedial_open,
		.own_remedial_open = sh->own_remedial_open, .utilities_sharing = sh->sharing,
		.utilities_reported = sh->reported,
		.rectification_open = rectification_open,
		.deemed_allowed = silence, .due_day = p->clock.clock.due_day, .today = t->today,
		.items = a->codes, .nitems = a->nitems, .conditions = a->conditions,
		.nconditions = a->nconditions, .reason_code = a->reason_code, .result = a->result,
		.extension_to = a->extension_to,
		.pending_extension_to = p->extension_pending ? p->extension_to : 0,
		.extension_decision = a->decision, .codes = a->pub ? &a->pub->codes : NULL,
		.result_codes = a->codes, .nresult_codes = a->nitems,
		.nphotos = json_array_size(json_object_get(a->body, "photos")),
	};
}

static int decide(struct store_conn *c, struct transition_ctx *t, struct error *err)
{
	struct permit_track *pt = t->kind;
	struct permit_facts f = facts_of(t, &pt->p, &pt->works, &pt->share, pt->rectification_open);
	enum permit_state from = PERMIT_STATE_COUNT;
	permit_state_parse(pt->p.state, &from, NULL);
	/* a post-check's photos not the caller's are listed with its codes' problems, at once */
	size_t before = err ? err->ndetails : 0;
	int rc = 0;
	if (!strcmp(t->a->action, "post_check"))
		rc = postcheck_api_photos_check(c, t->a->caller->org_id,
						json_object_get(t->a->body, "photos"), err);
	if (rc)
		return rc;
	size_t photos_bad = err ? err->ndetails - before : 0;
	rc = permit_apply(&f, from, t->a->action, transition_role(t->a), &pt->out, err);
	if (photos_bad && (rc == 0 || rc == ERR_INVALID))
		return error_set(err, ERR_INVALID, "the result has %zu problem(s); all listed",
				 err->ndetails - before);
	if (rc)
		return rc;
	t->to_state = permit_state_name(pt->out.state);
	t->event = pt->out.event;
	t->stage = pt->out.stage;
	t->clock_effect = pt->out.clock;
	t->certificate = pt->out.issue_certificate;
	return 0;
}

static size_t allowed(const struct transition_ctx *t, const char **names, size_t n)
{
	const struct permit_track *pt = t->kind;
	enum permit_state from = PERMIT_STATE_COUNT;
	permit_state_parse(pt->p.state, &from, NULL);
	return permit_allowed_actions(from, transition_role(t->a), names, n);
}

/*
 * A failed reinstatement: a remedial task for each utility digging, due after the published
 * remedial limit for the road's class (no due date when nothing is published).
 */
static int remedial_tasks(struct store_conn *c, const struct transition_ctx *t,
			  const struct permit_track *pt, struct error *err)
{
	struct reinstatement_standard std;
	bool found = false;
	int rc = store_reinstatement_standard_for(c, pt->p.id, t->today, &std, &found, err);
	if (rc)
		return rc;
	if (!found)
		return store_remedial_tasks(c, pt->p.id, err);
	day_t due = calendar_due(&t->a->pub->cal, tracks_now_us() / 1000000, std.remedial_days);
	return store_remedial_tasks_due(c, pt->p.id, due, err);
}

/* A dig-road permit closed: its guarantee period, published per road class, starts today. */
static int guarantee_start(struct store_conn *c, const struct transition_ctx *t,
			   const struct permit_track *pt, struct error *err)
{
	struct reinstatement_standard std;
	bool found = false;
	int rc = store_reinstatement_standard_for(c, pt->p.id, t->today, &std, &found, err);
	if (rc || !found)
		return rc;
	struct guarantee_row g = { .version = std.version, .months = std.guarantee_months,
				   .closed_on = t->today,
				   .guarantee_to = defects_guarantee_to(t->today,
									std.guarantee_months) };
	snprintf(g.road_class, sizeof(g.road_class), "%s", std.road_class);
	return store_guarantee_insert(c, pt->p.id, &g, err);
}

/*
 * A revocation, however it comes (the authority or the office through the transitions API, or
 * the sweep revoking an unrectified permit), writes the permit_revoked credit entry against the
 * applicant who held the permit, with the reason and, when a failed post-check's rectification
 * is still open, what it found; that rectification is settled as revoked and the post-check
 * leaves the queue (a revoked permit has nothing left to put right or check). The same permit
 * revoked twice cannot write two entries (the entry's key).
 */
static int revoked_effects(struct store_conn *c, const struct transition_ctx *t,
			   const struct permit_track *pt, struct error *err)
{
	const struct act *a = t->a;
	const struct permit_row *p = &pt->p;
	struct rectification_row *rows = NULL;
	size_t n = 0;
	int rc = store_rectifications(c, 0, p->id, 0, "open", false, 1, &rows, &n, err);
	struct oversight_rules rules;
	if (!rc)
		rc = store_oversight_rules_load(c, 0, &rules, NULL, err);
	if (rc == ERR_NOT_FOUND) { /* no rules published: no entry to write */
		error_release(err);
		rc = 0;
		goto out;
	}
	if (rc)
		goto out;
	json_t *ev = json_pack("{s:s, s:s, s:s, s:s, s:s}", "permit", p->reference, "application",
			       p->app_reference, "reason_code", a->reason_code ? a->reason_code : "",
			       "revoked_by", role_name(transition_role(a)), "comment",
			       a->comment ? a->comment : "");
	long long task = 0;
	if (n) {
		char due[11];
		json_t *codes = json_loads(rows[0].codes, 0, NULL);
		json_object_set_new(ev, "rectify_by",
				    json_string(cal_day_format(rows[0].due_day, due)));
		json_object_set_new(ev, "result_id", json_integer(rows[0].result_id));
		json_object_set_new(ev, "codes", codes ? codes : json_array());
		task = rows[0].task_id;
	}
	rc = credit_api_write(c, a->caller->kind == ROLE_SYSTEM ? NULL : a->caller, &rules,
			      CREDIT_PERMIT_REVOKED, p->app_org_id, p->id, task, t->today, ev, NULL,
			      err);
out:
	if (!rc && n)
		rc = store_rectification_settle(c, rows[0].task_id, "revoked",
						a->comment ? a->comment : a->reason_code, t->at,
						err);
	if (!rc)
		rc = store_tasks_done(c, p->id, "post_check", 0, t->at, err);
	store_rectification_rows_free(rows, n);
	return rc;
}

/* The inspection, tasks and extension records the outcome asks for. */
static int record_effects(struct store_conn *c, const struct transition_ctx *t,
			  const struct permit_track *pt, struct error *err)
{
	const struct act *a = t->a;
	const struct permit_outcome *o = &pt->out;
	int rc = 0;
	/* the result, its codes and photos, and a failure's rectification and credit entries */
	if (o->inspection && strcmp(o->inspection, "post_check") == 0)
		rc = postcheck_api_effects(c, t, &pt->p, o, err);
	if (!rc && o->inspection)
		rc = store_inspection_insert(c, pt->p.id, o->inspection,
					     a->result == PERMIT_RESULT_PASS ? "pass" : "fail",
					     a->comment, a->caller->org_id, a->caller->user_id, t->at,
					     err);
	if (!rc && (o->tasks & PERMIT_TASK_POST_CHECK))
		rc = store_task_insert(c, pt->p.id, "post_check", pt->p.authority_org_id, err);
	if (!rc && (o->tasks & PERMIT_TASK_REMEDIAL))
		rc = remedial_tasks(c, t, pt, err);
	if (!rc && o->report)
		rc = store_reinstatement_report(c, pt->p.id, o->report, a->caller->org_id,
						a->caller->user_id, a->comment, t->at, err);
	if (!rc && (o->records & PERMIT_RECORD_REMEDIAL_DONE))
		rc = store_tasks_done(c, pt->p.id, "remedial", a->caller->org_id, t->at, err);
	if (!rc && (o->records & PERMIT_RECORD_GUARANTEE))
		rc = guarantee_start(c, t, pt, err);
	if (!rc && (o->records & PERMIT_RECORD_EXTENSION_REQUEST))
		rc = store_extension_insert(c, pt->p.id, pt->p.window_to, o->extension_to,
					    a->comment, t->at, err);
	if (!rc && (o->records & PERMIT_RECORD_POST_CHECK_DONE))
		rc = store_tasks_done(c, pt->p.id, "post_check", 0, t->at, err);
	if (!rc && o->state == PERMIT_REVOKED)
		rc = revoked_effects(c, t, pt, err);
	if (!rc && (o->records & PERMIT_RECORD_EXTENSION_DECISION))
		rc = store_extension_settle(c, pt->p.id, a->decision == PERMIT_EXTENSION_GRANT,
					    t->at, err);
	return rc;
}

static int persist(struct store_conn *c, struct transition_ctx *t, struct error *err)
{
	struct permit_track *pt = t->kind;
	const struct act *a = t->a;
	const struct permit_outcome *o = &pt->out;
	int rc = record_effects(c, t, pt, err);
	char *conditions = a->nconditions ? json_text(json_object_get(t->payload, "conditions"))
					  : NULL;
	char *reason = a->reason_code ? json_text(t->payload) : NULL;
	struct permit_update u = {
		pt->p.id, pt->p.version, t->to_state, permit_decision_name(o->decision),
		o->is_deemed, o->post_checked, o->reinstatement_passed, o->extension_pending,
		o->extension_to, o->window_from, o->window_to, pt->p.deadline_day, &t->k,
		conditions, reason,
	};
	if (!rc)
		rc = store_permit_update(c, &u, err);
	free(conditions);
	free(reason);
	return rc;
}

static int emit(struct store_conn *c, struct transition_ctx *t, struct error *err)
{
	struct permit_track *pt = t->kind;
	struct permit_row fresh;
	int rc = store_permit_get(c, pt->p.id, false, &fresh, err);
	if (rc)
		return rc;
	rc = tracks_emit_party(c, fresh.authority_org_id, fresh.application_id,
			       fresh.app_reference, t->event, tracks_permit_adapter(fresh.kind),
			       tracks_permit_event(c, &fresh, t->today, err), err);
	if (!rc)
		rc = tracks_emit(c, fresh.app_org_id, fresh.application_id, fresh.app_reference,
				 t->event, tracks_permit_json(&fresh, NULL, t->today), err);
	/* the utilities digging learn of remedial work owed and of the guarantee starting */
	bool to_utilities = !strcmp(t->event, "permit.inspection_failed") ||
			    (pt->out.records & PERMIT_RECORD_GUARANTEE);
	for (int i = 1; !rc && to_utilities && i < 9 && pt->parties[i]; i++)
		rc = tracks_emit(c, pt->parties[i], fresh.application_id, fresh.app_reference,
				 t->event, tracks_permit_json(&fresh, NULL, t->today), err);
	t->a->reply = tracks_permit_json(&fresh, t->a->caller, t->today);
	if (!rc)
		rc = defects_permit_extras(c, fresh.id, t->a->reply, err);
	store_permit_row_release(&fresh);
	return rc;
}

static void release(struct transition_ctx *t)
{
	struct permit_track *pt = t->kind;
	store_permit_row_release(&pt->p);
	free(pt);
	t->kind = NULL;
}

const struct transition_ops transition_permit_ops = { load, decide, allowed,
						      persist, emit, release };
