/* Shared views and events of applications, jobs and permits. */
#define _GNU_SOURCE
#include "tracks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/excavations.h"
#include "store/outbox.h"
#include "lib/xalloc.h"
#include "workflows/application.h"
#include "workflows/clock.h"
#include "workflows/job.h"
#include "workflows/permit.h"
#include "lib/json_text.h"
#include "lib/jtext.h"
#include "lib/strbuf.h"

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

int tracks_clock_start(struct stored_clock *k, const struct service_standard *std,
		       const char *stage, const struct calendar *cal, long long now_us,
		       struct error *err)
{
	int days = 0;
	memset(k, 0, sizeof(*k));
	if (application_stage_limit(std, stage, &days, NULL) != 0)
		return error_set(err, ERR_INTERNAL, "no published limit for stage %s", stage);
	snprintf(k->stage, sizeof(k->stage), "%s", stage);
	return clock_start(&k->clock, cal, days, now_us / 1000000, err);
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

/* The first n of names (at most cap, the room they were written in) as a JSON array. */
static json_t *names_json(const char *const *names, size_t n, size_t cap)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n && i < cap; i++)
		json_array_append_new(a, json_string(names[i]));
	return a;
}

/* The actions role may take on the job now, into names; how many. */
static size_t job_actions(const struct job_row *j, enum role role,
			  const char *names[JOB_ACTION_COUNT])
{
	enum job_state st = JOB_SUBMITTED;
	job_state_parse(j->state, &st, NULL);
	size_t n = job_allowed_actions(st, role, names, JOB_ACTION_COUNT), keep = 0;
	/* confirm_point only where a point was agreed at guidance (issue #20) */
	bool agreed = j->connection_point && strstr(j->connection_point, "\"agreed_in_guidance\"");
	for (size_t i = 0; i < n && i < JOB_ACTION_COUNT; i++)
		if (agreed || strcmp(names[i], job_action_name(JOB_CONFIRM_POINT)))
			names[keep++] = names[i];
	return keep;
}

static size_t permit_actions(const struct permit_row *p, enum role role,
			     const char *names[PERMIT_ACTION_COUNT])
{
	enum permit_state st = PERMIT_SUBMITTED;
	permit_state_parse(p->state, &st, NULL);
	return permit_allowed_actions(st, role, names, PERMIT_ACTION_COUNT);
}

static json_t *job_actions_json(const struct job_row *j, enum role role)
{
	const char *names[JOB_ACTION_COUNT];
	return names_json(names, job_actions(j, role, names), JOB_ACTION_COUNT);
}

static json_t *permit_actions_json(const struct permit_row *p, enum role role)
{
	const char *names[PERMIT_ACTION_COUNT];
	return names_json(names, permit_actions(p, role, names), PERMIT_ACTION_COUNT);
}

json_t *tracks_job_json(const struct job_row *j, const struct authz_caller *caller, day_t today)
{
	json_t *allowed = job_actions_json(j, caller_role(caller));
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
	json_t *allowed = permit_actions_json(p, caller_role(caller));
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

/*
 * The same two views as JSON text, written straight from the rows: what json_text writes of
 * tracks_job_json's and tracks_permit_json's trees, field for field in the same order, without
 * building them (the application read answers with every track of an application).
 */

/* day_json's value as text: "YYYY-MM-DD" as cal_day_format writes it, or null. */
static void day_text(struct strbuf *o, day_t d)
{
	if (d < 0) {
		strbuf_add(o, "null", 4);
		return;
	}
	int y, m, dd;
	cal_day_to_ymd(d, &y, &m, &dd);
	unsigned uy = y < 0 ? 0u : y > 9999 ? 9999u : (unsigned)y;
	unsigned um = (unsigned)m % 100u, ud = (unsigned)dd % 100u;
	char *w = strbuf_reserve(o, 12);
	w[0] = '"';
	w[1] = (char)('0' + uy / 1000);
	w[2] = (char)('0' + uy / 100 % 10);
	w[3] = (char)('0' + uy / 10 % 10);
	w[4] = (char)('0' + uy % 10);
	w[5] = '-';
	w[6] = (char)('0' + um / 10);
	w[7] = (char)('0' + um % 10);
	w[8] = '-';
	w[9] = (char)('0' + ud / 10);
	w[10] = (char)('0' + ud % 10);
	w[11] = '"';
	o->len += 12;
}

static void clock_text(struct strbuf *o, const struct stored_clock *k, day_t today)
{
	if (!k->stage[0]) {
		strbuf_add(o, "null", 4);
		return;
	}
	strbuf_add(o, "{", 1);
	json_text_key(o, "stage", true);
	json_text_string(o, k->stage);
	json_text_key(o, "limit_days", false);
	json_text_integer(o, k->clock.limit_days);
	json_text_key(o, "started_on", false);
	day_text(o, k->clock.started_day);
	json_text_key(o, "paused", false);
	json_text_boolean(o, k->clock.paused);
	if (k->clock.paused) {
		json_text_key(o, "remaining_days", false);
		json_text_integer(o, k->clock.remaining_days);
		json_text_key(o, "paused_on", false);
		day_text(o, k->clock.paused_day);
		json_text_key(o, "due_date", false);
		strbuf_add(o, "null", 4);
	} else {
		json_text_key(o, "due_date", false);
		day_text(o, k->clock.due_day);
	}
	json_text_key(o, "overdue", false);
	json_text_boolean(o, clock_overdue(&k->clock, today));
	strbuf_add(o, "}", 1);
}

static void names_text(struct strbuf *o, const char *const *names, size_t n, size_t cap)
{
	strbuf_add(o, "[", 1);
	for (size_t i = 0; i < n && i < cap; i++) {
		if (i)
			strbuf_add(o, ",", 1);
		json_text_string(o, names[i]);
	}
	strbuf_add(o, "]", 1);
}

void tracks_job_text(struct strbuf *o, const struct job_row *j, const struct authz_caller *caller,
		     day_t today)
{
	const char *names[JOB_ACTION_COUNT];
	size_t n = job_actions(j, caller_role(caller), names);
	strbuf_add(o, "{", 1);
	json_text_key(o, "id", true);
	json_text_integer(o, j->id);
	json_text_key(o, "reference", false);
	json_text_string(o, j->reference);
	json_text_key(o, "application", false);
	json_text_string(o, j->app_reference);
	json_text_key(o, "utility_kind", false);
	json_text_string(o, j->utility_kind);
	json_text_key(o, "utility_org_id", false);
	json_text_integer(o, j->utility_org_id);
	json_text_key(o, "state", false);
	json_text_string(o, j->state);
	json_text_key(o, "version", false);
	json_text_integer(o, j->version);
	json_text_key(o, "clock", false);
	clock_text(o, &j->clock, today);
	json_text_key(o, "params", false);
	jtext_stored(o, j->params, "null");
	json_text_key(o, "connection_point", false);
	jtext_stored(o, j->connection_point, "null");
	json_text_key(o, "quote", false);
	jtext_stored(o, j->quote, "null");
	json_text_key(o, "quote_total_fen", false);
	if (j->quote_total_fen >= 0)
		json_text_integer(o, j->quote_total_fen);
	else
		strbuf_add(o, "null", 4);
	json_text_key(o, "permits_needed", false);
	jtext_stored(o, j->permits_needed, "null");
	json_text_key(o, "allowed_actions", false);
	names_text(o, names, n, JOB_ACTION_COUNT);
	json_text_key(o, "updated_at", false);
	json_text_string(o, j->updated_at);
	strbuf_add(o, "}", 1);
}

void tracks_permit_text(struct strbuf *o, const struct permit_row *p,
			const struct authz_caller *caller, day_t today)
{
	const char *names[PERMIT_ACTION_COUNT];
	size_t n = permit_actions(p, caller_role(caller), names);
	strbuf_add(o, "{", 1);
	json_text_key(o, "id", true);
	json_text_integer(o, p->id);
	json_text_key(o, "reference", false);
	json_text_string(o, p->reference);
	json_text_key(o, "application", false);
	json_text_string(o, p->app_reference);
	json_text_key(o, "kind", false);
	json_text_string(o, p->kind);
	json_text_key(o, "authority_org_id", false);
	json_text_integer(o, p->authority_org_id);
	json_text_key(o, "state", false);
	json_text_string(o, p->state);
	json_text_key(o, "decision", false);
	json_text_string(o, p->decision);
	json_text_key(o, "is_deemed", false);
	json_text_boolean(o, p->is_deemed);
	json_text_key(o, "deadline_date", false);
	if (p->deadline_day >= 0)
		day_text(o, p->deadline_day);
	else if (p->clock.stage[0] && !p->clock.clock.paused)
		day_text(o, p->clock.clock.due_day);
	else
		strbuf_add(o, "null", 4);
	json_text_key(o, "fast_track", false);
	json_text_boolean(o, p->fast_track);
	json_text_key(o, "trigger_reason", false);
	json_text_string(o, p->trigger_reason ? p->trigger_reason : "");
	json_text_key(o, "work_window", false);
	if (p->window_from >= 0) {
		strbuf_add(o, "{", 1);
		json_text_key(o, "from", true);
		day_text(o, p->window_from);
		json_text_key(o, "to", false);
		day_text(o, p->window_to);
		strbuf_add(o, "}", 1);
	} else {
		strbuf_add(o, "null", 4);
	}
	json_text_key(o, "reinstatement_passed", false);
	json_text_boolean(o, p->reinstatement_passed);
	json_text_key(o, "extension_pending", false);
	json_text_boolean(o, p->extension_pending);
	json_text_key(o, "version", false);
	json_text_integer(o, p->version);
	json_text_key(o, "clock", false);
	clock_text(o, &p->clock, today);
	json_text_key(o, "conditions", false);
	jtext_stored(o, p->conditions, "null");
	json_text_key(o, "decision_reason", false);
	jtext_stored(o, p->decision_reason, "null");
	json_text_key(o, "allowed_actions", false);
	names_text(o, names, n, PERMIT_ACTION_COUNT);
	json_text_key(o, "updated_at", false);
	json_text_string(o, p->updated_at);
	if (p->extension_pending) {
		json_text_key(o, "extension_requested_to", false);
		day_text(o, p->extension_to);
	}
	strbuf_add(o, "}", 1);
}

static int emit(struct store_conn *c, long long org_id, long long application_id,
		const char *app_reference, const char *type, const char *adapter, json_t *object,
		struct error *err);

int tracks_emit(struct store_conn *c, long long org_id, long long application_id,
		const char *app_reference, const char *type, json_t *object, struct error *err)
{
	return emit(c, org_id, application_id, app_reference, type, NULL, object, err);
}

int tracks_emit_party(struct store_conn *c, long long org_id, long long application_id,
		      const char *app_reference, const char *type, const char *adapter,
		      json_t *object, struct error *err)
{
	if (!object)
		return err && err->code ? err->code : ERR_INTERNAL;
	return emit(c, org_id, application_id, app_reference, type, adapter, object, err);
}

/* The event's text: the versioned envelope around object (stolen). The caller frees it. */
static char *envelope(const char *app_reference, const char *type, const char *adapter,
		      json_t *object)
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
	if (adapter)
		json_object_set_new(env, "adapter", json_string(adapter));
	char *payload = json_text(env);
	json_decref(env);
	return payload;
}

static int emit(struct store_conn *c, long long org_id, long long application_id,
		const char *app_reference, const char *type, const char *adapter, json_t *object,
		struct error *err)
{
	char *payload = envelope(app_reference, type, adapter, object);
	int rc = store_outbox_insert(c, org_id, application_id, type, payload, err);
	free(payload);
	return rc;
}

struct tracks_events {
	struct outbox_new *rows; /* event_type and payload owned */
	size_t n, cap;
};

struct tracks_events *tracks_events_new(void)
{
	return xcalloc(1, sizeof(struct tracks_events));
}

void tracks_events_add(struct tracks_events *ev, long long org_id, long long application_id,
		       const char *app_reference, const char *type, const char *adapter,
		       json_t *object)
{
	if (ev->n == ev->cap) {
		ev->cap = ev->cap ? ev->cap * 2 : 16;
		ev->rows = xrealloc(ev->rows, ev->cap * sizeof(*ev->rows));
	}
	ev->rows[ev->n++] = (struct outbox_new){ org_id, application_id, xstrdup(type),
						 envelope(app_reference, type, adapter, object) };
}

static void events_clear(struct tracks_events *ev)
{
	for (size_t i = 0; i < ev->n; i++) {
		free((char *)ev->rows[i].event_type);
		free((char *)ev->rows[i].payload);
	}
	ev->n = 0;
}

int tracks_events_flush(struct store_conn *c, struct tracks_events *ev, struct error *err)
{
	int rc = store_outbox_insert_many(c, ev->rows, ev->n, err);
	events_clear(ev);
	return rc;
}

void tracks_events_free(struct tracks_events *ev)
{
	if (!ev)
		return;
	events_clear(ev);
	free(ev->rows);
	free(ev);
}

json_t *tracks_place_json(const struct application_place *pl)
{
	json_t *site = json_pack("{s:s, s:s}", "address", pl->address, "district", pl->district);
	json_object_set_new(site, "lat", pl->lat ? json_real(atof(pl->lat)) : json_null());
	json_object_set_new(site, "lng", pl->lng ? json_real(atof(pl->lng)) : json_null());
	return json_pack("{s:s, s:o}", "reference", pl->reference, "site", site);
}

/* Copies src[from] to dst[to] when present. */
static void rename_field(json_t *dst, const json_t *src, const char *from, const char *to)
{
	json_t *v = json_object_get(src, from);
	if (v)
		json_object_set(dst, to, v);
}

json_t *tracks_job_event(struct store_conn *c, const struct job_row *j, day_t today,
			 struct error *err)
{
	struct application_place pl;
	if (store_application_place(c, j->application_id, &pl, err) != 0)
		return NULL;
	json_t *view = tracks_job_json(j, NULL, today), *app = tracks_place_json(&pl);
	json_t *o = tracks_job_event_from(j, view, app);
	json_decref(view);
	json_decref(app);
	store_application_place_release(&pl);
	return o;
}

/* The view's members, shared, with the actions anyone may take in place of the caller's. */
static json_t *public_copy(const json_t *view, json_t *public_actions)
{
	json_t *o = json_copy((json_t *)view);
	json_object_set_new(o, "allowed_actions", public_actions);
	return o;
}

json_t *tracks_job_event_from(const struct job_row *j, const json_t *view,
			      const json_t *application)
{
	json_t *o = public_copy(view, job_actions_json(j, ROLE_PUBLIC));
	json_t *given = json_object_get(o, "params");
	json_t *params = json_is_object(given) ? json_deep_copy(given) : json_object();
	/* the names the utilities' systems use (integrations/adapter.h) */
	rename_field(params, given, "dn", "pipe_dn");
	rename_field(params, given, "use", "meter_use");
	rename_field(params, given, "kw", "capacity_kw");
	rename_field(params, given, "load_kw", "heat_load_kw");
	if (!strcmp(j->utility_kind, "water") || !strcmp(j->utility_kind, "gas"))
		json_object_set_new(params, "meter_count",
				    json_integer(json_integer_value(json_object_get(given, "meters"))
							 ?: 1));
	json_object_set_new(o, "params", params);
	json_object_set_new(o, "kind", json_string(j->utility_kind));
	json_object_set(o, "application", (json_t *)application);
	json_object_set_new(o, "due_date", json_incref(json_object_get(
						   json_object_get(o, "clock"), "due_date"))
						   ?: json_null());
	return o;
}

json_t *tracks_permit_event(struct store_conn *c, const struct permit_row *p, day_t today,
			    struct error *err)
{
	struct application_place pl;
	if (store_application_place(c, p->application_id, &pl, err) != 0)
		return NULL;
	json_t *segs = NULL;
	if (!strcmp(p->kind, "dig_road") && store_permit_segments(c, p->id, &segs, err) != 0) {
		store_application_place_release(&pl);
		return NULL;
	}
	json_t *req = strcmp(p->kind, "dig_road") && pl.request ? json_loads(pl.request, 0, NULL)
								: NULL;
	json_t *view = tracks_permit_json(p, NULL, today), *app = tracks_place_json(&pl);
	json_t *o = tracks_permit_event_from(p, view, app, segs, req);
	json_decref(view);
	json_decref(app);
	json_decref(req);
	json_decref(segs);
	store_application_place_release(&pl);
	return o;
}

json_t *tracks_permit_event_from(const struct permit_row *p, const json_t *view,
				 const json_t *application, const json_t *segments,
				 const json_t *request)
{
	json_t *o = public_copy(view, permit_actions_json(p, ROLE_PUBLIC));
	json_t *works = json_object();
	if (!strcmp(p->kind, "dig_road")) {
		json_t *out = json_array();
		size_t i;
		json_t *s;
		json_array_foreach(segments, i, s)
		{
			/* chainage runs along the dig itself (0 to its length); the extent is in
			 * works_coordinates (GeoJSON, CGCS2000), as Street Manager's works carry it */
			json_t *seg = json_pack("{s:O, s:O, s:O, s:O, s:O}", "road",
						json_object_get(s, "road"), "from_chainage_m",
						json_object_get(s, "from_m"), "to_chainage_m",
						json_object_get(s, "to_m"), "width_m",
						json_object_get(s, "width_m"), "road_class",
						json_object_get(s, "road_class"));
			static const char *const extra[] = { "road_id", "area_m2", "zone" };
			for (size_t k = 0; k < 3; k++) {
				const char *v = json_string_value(json_object_get(s, extra[k]));
				if ((v && *v) || json_is_integer(json_object_get(s, extra[k])))
					json_object_set(seg, extra[k], json_object_get(s, extra[k]));
			}
			json_t *g = json_object_get(s, "geometry");
			if (json_is_object(g))
				json_object_set(seg, "works_coordinates", g);
			json_array_append_new(out, seg);
		}
		json_object_set_new(works, "segments", out);
		json_t *w = json_object_get(o, "work_window");
		rename_field(works, w, "from", "window_start");
		rename_field(works, w, "to", "window_end");
	} else {
		json_t *rw = json_object_get(request, "works");
		json_t *g = json_object_get(rw, "green_space");
		json_object_set_new(works, "green_area_m2",
				    json_integer(json_integer_value(json_object_get(g, "area_m2"))));
		json_object_set_new(works, "trees_affected",
				    json_integer(json_integer_value(json_object_get(g, "trees_affected"))));
		json_int_t out_m = json_integer_value(json_object_get(rw, "lines_outside_plot_m"));
		json_object_set_new(works, "lines_outside_plot_length_m", json_integer(out_m));
		json_object_set_new(works, "lines_outside_plot",
				    json_string(p->trigger_reason ? p->trigger_reason : ""));
	}
	json_object_set_new(o, "works", works);
	json_object_set_new(o, "permit_kind", json_string(p->kind));
	json_object_set_new(o, "kind", json_string(tracks_permit_adapter(p->kind)));
	json_object_set(o, "application", (json_t *)application);
	json_object_set_new(o, "due_date", json_incref(json_object_get(o, "deadline_date")) ?: json_null());
	return o;
}

const char *tracks_permit_adapter(const char *permit_kind)
{
	return !strcmp(permit_kind, "dig_road") ? "road" : permit_kind;
}
