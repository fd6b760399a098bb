/* Shared views and events of applications, jobs and permits. */
#define _GNU_SOURCE
#include "tracks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/audit.h"
#include "workflows/job.h"
#include "workflows/permit.h"

long long tracks_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

day_t tracks_today(void)
{
	return cal_day_of_instant(tracks_now_us() / 1000000);
}

static json_t *day_json(day_t d)
{
	char buf[11];
	return d >= 0 ? json_string(cal_day_format(d, buf)) : json_null();
}

static json_t *clock_json(const struct stored_clock *k, day_t today)
{
	if (!k->stage[0])
		return json_null();
	json_t *c = json_pack("{s:s, s:i, s:o, s:b}", "stage", k->stage, "limit_days",
			      k->clock.limit_days, "started_on", day_json(k->clock.started_day),
			      "paused", k->clock.paused);
	if (k->clock.paused) {
		json_object_set_new(c, "remaining_days", json_integer(k->clock.remaining_days));
		json_object_set_new(c, "paused_on", day_json(k->clock.paused_day));
		json_object_set_new(c, "due_date", json_null());
	} else {
		json_object_set_new(c, "due_date", day_json(k->clock.due_day));
	}
	json_object_set_new(c, "overdue", json_boolean(clock_overdue(&k->clock, today)));
	return c;
}

static json_t *text_json(const char *s)
{
	json_t *j = s ? json_loads(s, 0, NULL) : NULL;
	return j ? j : json_null();
}

static enum role caller_role(const struct authz_caller *c)
{
	return c ? c->kind : ROLE_PUBLIC;
}

json_t *tracks_job_json(const struct job_row *j, const struct authz_caller *caller, day_t today)
{
	enum job_state st = JOB_SUBMITTED;
	job_state_parse(j->state, &st, NULL);
	const char *names[JOB_ACTION_COUNT];
	size_t n = job_allowed_actions(st, caller_role(caller), names, JOB_ACTION_COUNT);
	json_t *allowed = json_array();
	for (size_t i = 0; i < n && i < JOB_ACTION_COUNT; i++)
		json_array_append_new(allowed, json_string(names[i]));
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s}",
			      "id", (json_int_t)j->id, "reference", j->reference, "application",
			      j->app_reference, "utility_kind", j->utility_kind, "utility_org_id",
			      (json_int_t)j->utility_org_id, "state", j->state, "version", j->version,
			      "clock", clock_json(&j->clock, today), "params", text_json(j->params),
			      "connection_point", text_json(j->connection_point), "quote",
			      text_json(j->quote), "quote_total_fen",
			      j->quote_total_fen >= 0 ? json_integer(j->quote_total_fen) : json_null(),
			      "permits_needed", text_json(j->permits_needed), "allowed_actions",
			      allowed, "updated_at", j->updated_at);
	return o;
}

json_t *tracks_permit_json(const struct permit_row *p, const struct authz_caller *caller,
			   day_t today)
{
	enum permit_state st = PERMIT_SUBMITTED;
	permit_state_parse(p->state, &st, NULL);
	const char *names[PERMIT_ACTION_COUNT];
	size_t n = permit_allowed_actions(st, caller_role(caller), names, PERMIT_ACTION_COUNT);
	json_t *allowed = json_array();
	for (size_t i = 0; i < n && i < PERMIT_ACTION_COUNT; i++)
		json_array_append_new(allowed, json_string(names[i]));
	json_t *window = p->window_from >= 0
				 ? json_pack("{s:o, s:o}", "from", day_json(p->window_from), "to",
					     day_json(p->window_to))
				 : json_null();
	json_t *o = json_pack(
		"{s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:b, s:o, s:b, s:s, s:o, s:b, s:b, s:i, s:o, s:o, s:o, s:o, s:s}",
		"id", (json_int_t)p->id, "reference", p->reference, "application", p->app_reference,
		"kind", p->kind, "authority_org_id", (json_int_t)p->authority_org_id, "state",
		p->state, "decision", p->decision, "is_deemed", p->is_deemed, "deadline_date",
		p->deadline_day >= 0 ? day_json(p->deadline_day)
				     : (p->clock.stage[0] && !p->clock.clock.paused
						? day_json(p->clock.clock.due_day)
						: json_null()),
		"fast_track", p->fast_track, "trigger_reason", p->trigger_reason ? p->trigger_reason : "",
		"work_window", window, "reinstatement_passed", p->reinstatement_passed,
		"extension_pending", p->extension_pending, "version", p->version, "clock",
		clock_json(&p->clock, today), "conditions", text_json(p->conditions),
		"decision_reason", text_json(p->decision_reason), "allowed_actions", allowed,
		"updated_at", p->updated_at);
	if (p->extension_pending)
		json_object_set_new(o, "extension_requested_to", day_json(p->extension_to));
	return o;
}

int tracks_emit(struct store_conn *c, long long org_id, long long application_id,
		const char *app_reference, const char *type, json_t *object, struct error *err)
{
	char at[32];
	long long now = tracks_now_us();
	time_t secs = (time_t)(now / 1000000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_t *env = json_pack("{s:s, s:i, s:s, s:s, s:o}", "type", type, "version", 1,
				"occurred_at", at, "application", app_reference ? app_reference : "",
				"object", object);
	char *payload = json_dumps(env, JSON_COMPACT);
	json_decref(env);
	int rc = store_outbox_insert(c, org_id, application_id, type, payload, err);
	free(payload);
	return rc;
}

int tracks_audit(struct store_conn *c, const struct authz_caller *caller, const char *action,
		 const char *object_type, const char *object_ref, json_t *detail,
		 struct error *err)
{
	char *d = detail ? json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	struct audit_entry e = { caller ? caller->user_id : 0, caller ? caller->org_id : 0, action,
				 object_type, object_ref, d };
	int rc = store_audit_append(c, &e, err);
	free(d);
	json_decref(detail);
	return rc;
}
