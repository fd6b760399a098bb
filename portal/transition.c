/* The one runner of job and permit transitions: the steps every state change takes. */
#define _GNU_SOURCE
#include "portal/transition.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/audit.h"
#include "portal/certify.h"
#include "portal/snapshot.h"
#include "portal/tracks.h"
#include "store/history.h"
#include "lib/json_text.h"
#include "workflows/standards.h"

enum role transition_role(const struct act *a)
{
	return a->caller->kind;
}

/* The 409 for an action the state does not allow, listing what is allowed. */
static int not_allowed(const struct transition_ops *ops, const struct transition_ctx *t,
		       struct error *err)
{
	const char *names[32];
	size_t n = ops->allowed(t, names, 32);
	char list[256] = "";
	for (size_t i = 0; i < n && i < 32; i++) {
		error_add(err, "action", "allowed", "%s", names[i]);
		if (strlen(list) + strlen(names[i]) + 3 < sizeof(list))
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 list[0] ? ", " : "", names[i]);
	}
	return error_set(err, ERR_CONFLICT, "not allowed in state %s; allowed now: %s", t->state,
			 list[0] ? list : "nothing");
}

/* Applies the outcome's clock effect to t->k; *pause is set when the clock paused now. */
static int clock_effect(struct transition_ctx *t, long long now_us, struct clock_pause *pause,
			bool *paused_now, struct error *err)
{
	const struct published *pub = t->a->pub;
	struct stored_clock *k = &t->k;
	*paused_now = false;
	switch (t->clock_effect) {
	case CLOCK_KEEP:
		return 0;
	case CLOCK_STOP:
		memset(k, 0, sizeof(*k));
		return 0;
	case CLOCK_START: {
		const struct service_standard *std = standards_in_force(
			(const struct service_standard *const *)pub->standards, pub->nstandards,
			t->standard_kind, t->submitted_day);
		return tracks_clock_start(k, std, t->stage, &pub->cal, now_us, err);
	}
	case CLOCK_PAUSE:
		if (!k->stage[0])
			return 0;
		*paused_now = true;
		return clock_pause(&k->clock, &pub->cal, now_us / 1000000, CLOCK_REASON_SUPPLEMENT,
				   transition_role(t->a), pause, err);
	case CLOCK_RESUME:
		if (!k->stage[0] || !k->clock.paused)
			return 0;
		return clock_resume(&k->clock, &pub->cal, now_us / 1000000, err);
	}
	return 0;
}

static json_t *codes_json(const struct permit_code *c, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "code", c[i].code, "comment",
						   c[i].comment ? c[i].comment : ""));
	return a;
}

/* What a transition carried, for the history: the action and the fields it had. */
static json_t *act_payload(const struct act *a)
{
	json_t *payload = json_pack("{s:s}", "action", a->action);
	if (a->nitems)
		json_object_set_new(payload, "items", codes_json(a->codes, a->nitems));
	if (a->nconditions)
		json_object_set_new(payload, "conditions", codes_json(a->conditions, a->nconditions));
	if (a->reason_code)
		json_object_set_new(payload, "reason_code", json_string(a->reason_code));
	if (a->comment)
		json_object_set_new(payload, "comment", json_string(a->comment));
	if (a->result != PERMIT_RESULT_NONE)
		json_object_set_new(payload, "result",
				    json_string(a->result == PERMIT_RESULT_PASS ? "pass" : "fail"));
	return payload;
}

/*
 * Puts a clock pause on the record (who paused, why, which items are owed), or closes the open
 * one when the supplement arrived.
 */
static int record_pause(struct store_conn *c, const struct transition_ctx *t,
			const struct clock_pause *pause, struct error *err)
{
	if (t->clock_effect == CLOCK_RESUME)
		return store_pause_close(c, t->type, t->id, t->at, err);
	if (!pause)
		return 0;
	const struct act *a = t->a;
	char *items = json_text(json_object_get(t->payload, "items"));
	struct pause_new pn = { t->type, t->id, t->k.stage, CLOCK_REASON_SUPPLEMENT, items,
				role_name(transition_role(a)), a->caller->org_id,
				a->caller->user_id, t->at, pause->day, pause->remaining_days };
	int rc = store_pause_insert(c, &pn, err);
	free(items);
	return rc;
}

/* The history row and the audit entry of the change. */
static int record_history(struct store_conn *c, const struct transition_ctx *t, struct error *err)
{
	const struct act *a = t->a;
	char *payload_text = json_text(t->payload);
	bool running = t->k.stage[0];
	struct transition_new h = { t->application_id, t->type, t->id, a->action, t->state,
				    t->to_state, role_name(transition_role(a)), a->caller->org_id,
				    a->caller->user_id, payload_text, t->at,
				    running ? t->k.stage : NULL,
				    running && !t->k.clock.paused ? t->k.clock.due_day : -1 };
	int rc = store_transition_insert(c, &h, err);
	free(payload_text);
	if (!rc)
		rc = audit_record(c, a->caller, t->event, t->type, t->reference,
				  json_pack("{s:s, s:s}", "from", t->state, "to", t->to_state), err);
	return rc;
}

/* Loads, authorises, checks the version and decides: nothing is written yet. */
static int prepare(struct store_conn *c, const struct transition_ops *ops,
		   struct transition_ctx *t, struct error *err)
{
	int rc = ops->load(c, t, err);
	if (rc)
		return rc;
	if (t->a->version && t->a->version != t->version)
		return error_set(err, ERR_CONFLICT, "version %d is stale; the %s is at version %d",
				 t->a->version, t->type, t->version);
	rc = ops->decide(c, t, err);
	if (rc == ERR_CONFLICT && !err->ndetails)
		rc = not_allowed(ops, t, err);
	return rc;
}

int transition_run(struct store_conn *c, const struct transition_ops *ops, struct act *a,
		   struct error *err)
{
	struct transition_ctx t = { .a = a, .today = tracks_today() };
	struct clock_pause pause;
	bool paused_now = false;
	int rc = prepare(c, ops, &t, err);
	if (rc)
		goto out;
	long long now = tracks_now_us();
	t.k = t.clock;
	store_format_utc(now, t.at);
	t.payload = act_payload(a);
	rc = clock_effect(&t, now, &pause, &paused_now, err);
	if (!rc)
		rc = record_pause(c, &t, paused_now ? &pause : NULL, err);
	if (!rc)
		rc = ops->persist(c, &t, err);
	if (!rc)
		rc = record_history(c, &t, err);
	if (!rc && t.certificate)
		rc = certify_issue(c, t.type, t.id, err);
	if (!rc)
		rc = ops->emit(c, &t, err);
out:
	json_decref(t.payload);
	if (t.kind)
		ops->release(&t);
	return rc;
}
