/* A utility job's operations for the transition runner: load, decide, persist, emit. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "portal/snapshot.h"
#include "portal/tracks.h"
#include "portal/transition.h"
#include "store/applications.h"
#include "store/coordination.h"
#include "store/jobs.h"
#include "workflows/application.h"
#include "lib/json_text.h"
#include "lib/xalloc.h"

#define MAX_GATES 16

/* The permits a plan says the works need: the ids that replace the construction gate. */
struct plan_links {
	long long *ids;
	size_t n;
};

/* The job's own state while a transition runs. */
struct job_track {
	struct job_row j;
	struct permit_row *permits; /* those gating construction now */
	size_t npermits;
	struct job_outcome out;
	long long quote_total; /* -1: unchanged */
	struct plan_links plan;
	long long guidance_id; /* the guidance its connection point was agreed in (#20), 0: none */
};

static int load(struct store_conn *c, struct transition_ctx *t, struct error *err)
{
	struct job_track *jt = xcalloc(1, sizeof(*jt));
	t->kind = jt;
	jt->quote_total = -1;
	int rc = store_job_get(c, t->a->id, true, &jt->j, err);
	if (rc)
		return rc;
	const struct job_row *j = &jt->j;
	*t = (struct transition_ctx){ .a = t->a, .kind = jt, .today = t->today, .type = "job",
				      .id = j->id, .application_id = j->application_id,
				      .reference = j->reference, .state = j->state,
				      .standard_kind = j->utility_kind, .version = j->version,
				      .submitted_day = j->submitted_day, .clock = j->clock };
	long long party[] = { j->utility_org_id };
	struct authz_object obj = { j->app_org_id, party, 1 };
	rc = authz_check(t->a->caller, AZ_JOB_ACT, &obj, err);
	if (!rc)
		rc = store_permits_of_job(c, j->id, &jt->permits, &jt->npermits, err);
	if (!rc)
		rc = store_job_guidance(c, j->id, &jt->guidance_id, err);
	return rc;
}

/*
 * Rule 9: a plan's quote uses only published items in force on the submission date, of this
 * job's own utility (fee schedules are per organisation), in the band the job's own parameters
 * fall in, at that band's price.
 */
static int check_quote(struct store_conn *c, const struct act *a, struct job_track *jt,
		       struct error *err)
{
	const struct job_row *j = &jt->j;
	const struct fee_schedule **own = xcalloc(a->pub->nschedules + 1, sizeof(*own));
	size_t nown = snapshot_schedules_of(a->pub, j->utility_org_id, own, a->pub->nschedules);
	const struct fee_schedule *s =
		fees_schedule_in_force(own, nown, j->utility_kind, j->submitted_day);
	free(own); /* s points into the snapshot, not into own */
	if (!s && a->nquote) {
		error_add(err, "quote", "not_published",
			  "no fee schedule was in force for %s on the submission date",
			  j->utility_kind);
		return error_set(err, ERR_INVALID, "the quote uses unpublished fees");
	}
	char cls[32];
	int rc = store_application_customer_class(c, j->application_id, cls, err);
	if (rc)
		return rc;
	json_t *params = json_loads(j->params ? j->params : "{}", 0, NULL);
	struct fee_params fp;
	application_job_fee_params(utility_kind_parse(j->utility_kind), params, cls, &fp);
	int64_t sum = 0;
	if (s && (rc = fees_check_quote(s, j->submitted_day, &fp, a->quote, a->nquote, &sum, err)))
		error_set(err, ERR_INVALID, "the quote has lines that are not on the published "
					    "schedule for this job");
	json_decref(params);
	jt->quote_total = sum;
	return rc;
}

/* Checks the plan's permit list against the application's permits (job_plan_permits). */
static int plan_permits(struct store_conn *c, const struct act *a, struct job_track *jt,
			struct error *err)
{
	struct permit_row *all = NULL;
	size_t nall = 0, ndug = 0, nlisted = json_array_size(a->permits_needed);
	long long *dug = NULL;
	int rc = store_permits_of_application(c, jt->j.application_id, &all, &nall, err);
	if (!rc)
		rc = store_permits_dug_by_job(c, jt->j.id, &dug, &ndug, err);
	struct job_permit_option *opts = xcalloc(nall + 1, sizeof(*opts));
	const char **listed = xcalloc(nlisted + 1, sizeof(*listed));
	bool *need = xcalloc(nall + 1, sizeof(*need));
	for (size_t k = 0; k < nall; k++) {
		opts[k] = (struct job_permit_option){ all[k].reference, all[k].kind, false };
		for (size_t d = 0; d < ndug; d++)
			opts[k].dug_by_job |= dug[d] == all[k].id;
	}
	for (size_t i = 0; i < nlisted; i++)
		listed[i] = json_string_value(json_array_get(a->permits_needed, i));
	if (!rc)
		rc = job_plan_permits(opts, nall, listed, nlisted, need, err);
	jt->plan.ids = xcalloc(nall + 1, sizeof(*jt->plan.ids));
	for (size_t k = 0; !rc && k < nall; k++)
		if (need[k])
			jt->plan.ids[jt->plan.n++] = all[k].id;
	for (size_t k = 0; k < nall; k++)
		store_permit_row_release(&all[k]);
	free(all);
	free(dug);
	free(opts);
	free(listed);
	free(need);
	return rc;
}

static int decide(struct store_conn *c, struct transition_ctx *t, struct error *err)
{
	struct job_track *jt = t->kind;
	const struct act *a = t->a;
	struct job_permit_need needs[MAX_GATES];
	size_t n = jt->npermits < MAX_GATES ? jt->npermits : MAX_GATES;
	for (size_t i = 0; i < n; i++) {
		const struct permit_row *p = &jt->permits[i];
		enum permit_state st = PERMIT_STATE_COUNT;
		permit_state_parse(p->state, &st, NULL);
		needs[i] = (struct job_permit_need){ p->reference, permit_state_allows_works(st),
						     p->window_from,
						     p->window_to >= 0 ? p->window_to : 1 << 30 };
	}
	struct job_facts f = { .items = a->items, .nitems = a->nitems, .reason_code = a->reason_code,
			       .has_connection_point = a->connection_point != NULL,
			       .agreed_point = jt->guidance_id != 0,
			       .nquote_lines = a->nquote, .permits_listed = a->permits_needed != NULL,
			       .permits = needs, .npermits = n, .today = t->today,
			       .codes = a->pub ? &a->pub->codes : NULL };
	enum job_state from;
	job_state_parse(jt->j.state, &from, NULL);
	int rc = job_apply(&f, from, a->action, transition_role(a), &jt->out, err);
	if (!rc && (jt->out.effects & JOB_EFFECT_QUOTE))
		rc = check_quote(c, a, jt, err);
	if (!rc && (jt->out.effects & JOB_EFFECT_PERMITS))
		rc = plan_permits(c, a, jt, err);
	if (rc)
		return rc;
	t->to_state = job_state_name(jt->out.state);
	t->event = jt->out.event;
	t->stage = jt->out.stage;
	t->clock_effect = jt->out.clock;
	t->certificate = jt->out.issue_certificate;
	return 0;
}

static size_t allowed(const struct transition_ctx *t, const char **names, size_t n)
{
	const struct job_track *jt = t->kind;
	enum job_state from;
	job_state_parse(jt->j.state, &from, NULL);
	size_t all = job_allowed_actions(from, transition_role(t->a), names, n), keep = 0;
	/* confirm_point only where a point was agreed at guidance (issue #20) */
	for (size_t i = 0; i < all && i < n; i++)
		if (jt->guidance_id || strcmp(names[i], job_action_name(JOB_CONFIRM_POINT)))
			names[keep++] = names[i];
	return keep + (all > n ? all - n : 0);
}

static int persist(struct store_conn *c, struct transition_ctx *t, struct error *err)
{
	struct job_track *jt = t->kind;
	const struct act *a = t->a;
	unsigned fx = jt->out.effects;
	char *cp = fx & JOB_EFFECT_CONNECTION_POINT ? json_text(a->connection_point) : NULL;
	char *quote = fx & JOB_EFFECT_QUOTE ? json_text(json_object_get(a->body, "quote")) : NULL;
	char *needed = fx & JOB_EFFECT_PERMITS ? json_text(a->permits_needed) : NULL;
	struct job_update u = { jt->j.id, jt->j.version, t->to_state, &t->k, cp, quote, needed,
				jt->quote_total };
	int rc = store_job_update(c, &u, err);
	/* From now on the plan's list is what gates construction (rule 4). */
	if (!rc && (fx & JOB_EFFECT_PERMITS))
		rc = store_job_permits_replace(c, jt->j.id, jt->plan.ids, jt->plan.n, err);
	free(cp);
	free(quote);
	free(needed);
	return rc;
}

static int emit(struct store_conn *c, struct transition_ctx *t, struct error *err)
{
	struct job_track *jt = t->kind;
	struct job_row fresh;
	int rc = store_job_get(c, jt->j.id, false, &fresh, err);
	if (rc)
		return rc;
	rc = tracks_emit_party(c, fresh.utility_org_id, fresh.application_id, fresh.app_reference,
			       t->event, fresh.utility_kind,
			       tracks_job_event(c, &fresh, t->today, err), err);
	if (!rc)
		rc = tracks_emit(c, fresh.app_org_id, fresh.application_id, fresh.app_reference,
				 t->event, tracks_job_json(&fresh, NULL, t->today), err);
	if (!rc && job_state_is_terminal(jt->out.state))
		rc = store_application_refresh_status(c, fresh.application_id, err);
	t->a->reply = tracks_job_json(&fresh, t->a->caller, t->today);
	store_job_row_release(&fresh);
	return rc;
}

static void release(struct transition_ctx *t)
{
	struct job_track *jt = t->kind;
	for (size_t i = 0; i < jt->npermits; i++)
		store_permit_row_release(&jt->permits[i]);
	free(jt->permits);
	free(jt->plan.ids);
	store_job_row_release(&jt->j);
	free(jt);
	t->kind = NULL;
}

const struct transition_ops transition_job_ops = { load, decide, allowed, persist, emit, release };
