/*
 * Jobs and permits: the queues, one track's view, and every state change through one
 * transitions endpoint per aggregate, with optimistic concurrency and the stage clock.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/app.h"
#include "portal/audit.h"
#include "portal/auth.h"
#include "portal/input.h"
#include "portal/oversight_api.h"
#include "portal/router.h"
#include "portal/snapshot.h"
#include "portal/sweeper.h"
#include "portal/tracks.h"
#include "portal/transitions.h"
#include "store/tracks.h"
#include "workflows/application.h"
#include "workflows/fees.h"
#include "workflows/job.h"
#include "workflows/permit.h"
#include "workflows/standards.h"
#include "workflows/xalloc.h"
#include "workflows/json_text.h"

#define MAX_ITEMS 100

/* A parsed transition request: the action and whatever payload it carries. */
struct act {
	struct http_request *req;
	const struct authz_caller *caller;
	const struct published *pub;
	json_t *body;
	long long id;
	const char *action;
	int version; /* 0: not given */
	struct job_item items[MAX_ITEMS];
	struct permit_code codes[MAX_ITEMS];
	size_t nitems;
	struct permit_code conditions[MAX_ITEMS];
	size_t nconditions;
	const char *reason_code;
	const char *comment;
	json_t *connection_point;
	struct fee_quote_line quote[MAX_ITEMS];
	size_t nquote;
	json_t *permits_needed;
	enum permit_result result;
	day_t extension_to;
	enum permit_extension_decision decision;
	json_t *reply;
};

static const char *const allowed_keys[] = { "action", "version", "items", "reason_code",
					    "comment", "connection_point", "quote",
					    "permits_needed", "conditions", "result",
					    "extension_to", "decision", NULL };

/* {code, comment} lists (return items, approval conditions). */
static size_t parse_codes(json_t *arr, const char *field, struct permit_code *out,
			  struct error *err)
{
	if (!arr)
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > MAX_ITEMS) {
		error_add(err, field, "wrong_type", "%s must be a list of at most %d {code, comment}",
			  field, MAX_ITEMS);
		return 0;
	}
	size_t n = 0;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *e = json_array_get(arr, i);
		const char *code = json_string_value(json_object_get(e, "code"));
		json_t *cm = json_object_get(e, "comment");
		if (!code || !*code || strlen(code) > 64 || (cm && !json_is_string(cm))) {
			char f[64];
			snprintf(f, sizeof(f), "%s[%zu]", field, i);
			error_add(err, f, "invalid", "each entry needs a code (text) and may have a comment");
			continue;
		}
		out[n].code = code;
		out[n].comment = json_string_value(cm);
		n++;
	}
	return n;
}

static void parse_quote(json_t *arr, struct act *a, struct error *err)
{
	if (!arr)
		return;
	if (!json_is_array(arr) || json_array_size(arr) > MAX_ITEMS) {
		error_add(err, "quote", "wrong_type", "quote must be a list of {code, quantity, unit_price_fen}");
		return;
	}
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *e = json_array_get(arr, i);
		json_t *q = json_object_get(e, "quantity"), *p = json_object_get(e, "unit_price_fen");
		const char *code = json_string_value(json_object_get(e, "code"));
		if (!code || !json_is_integer(q) || !json_is_integer(p)) {
			char f[64];
			snprintf(f, sizeof(f), "quote[%zu]", i);
			error_add(err, f, "invalid",
				  "each line needs code (text), quantity and unit_price_fen (whole numbers)");
			continue;
		}
		a->quote[a->nquote].code = code;
		a->quote[a->nquote].quantity = json_integer_value(q);
		a->quote[a->nquote].unit_price_fen = json_integer_value(p);
		a->nquote++;
	}
}

/* Reads a transition body (already parsed) into a, listing every problem at once. */
static int parse_act_body(struct act *a, struct error *err)
{
	http_reject_unknown(a->body, allowed_keys, "", err);
	a->action = input_str(a->body, "action", true, 32, err);
	long long v = a->version;
	input_int(a->body, "version", false, 1, 1 << 30, &v, err);
	a->version = (int)v;
	a->nitems = parse_codes(json_object_get(a->body, "items"), "items", a->codes, err);
	for (size_t i = 0; i < a->nitems; i++) {
		a->items[i].code = a->codes[i].code;
		a->items[i].comment = a->codes[i].comment;
	}
	a->nconditions = parse_codes(json_object_get(a->body, "conditions"), "conditions",
				     a->conditions, err);
	a->reason_code = input_str(a->body, "reason_code", false, 64, err);
	a->comment = input_str(a->body, "comment", false, 2000, err);
	a->connection_point = json_object_get(a->body, "connection_point");
	if (a->connection_point && !json_is_object(a->connection_point))
		error_add(err, "connection_point", "wrong_type",
			  "connection_point must be an object {lat, lng, description}");
	parse_quote(json_object_get(a->body, "quote"), a, err);
	a->permits_needed = json_object_get(a->body, "permits_needed");
	if (a->permits_needed && (!json_is_array(a->permits_needed) ||
				  json_array_size(a->permits_needed) > MAX_ITEMS))
		error_add(err, "permits_needed", "wrong_type",
			  "permits_needed must be a list of at most %d permit references", MAX_ITEMS);
	for (size_t i = 0; json_is_array(a->permits_needed) &&
			   i < json_array_size(a->permits_needed) && i < MAX_ITEMS; i++) {
		if (json_is_string(json_array_get(a->permits_needed, i)))
			continue;
		char f[40];
		snprintf(f, sizeof(f), "permits_needed[%zu]", i);
		error_add(err, f, "wrong_type", "each entry is a permit reference (text)");
	}
	static const char *const results[] = { "pass", "fail", NULL };
	const char *r = input_enum(a->body, "result", false, results, err);
	a->result = !r ? PERMIT_RESULT_NONE : !strcmp(r, "pass") ? PERMIT_RESULT_PASS
								  : PERMIT_RESULT_FAIL;
	static const char *const decisions[] = { "grant", "refuse", NULL };
	const char *d = input_enum(a->body, "decision", false, decisions, err);
	a->decision = !d ? PERMIT_EXTENSION_NONE : !strcmp(d, "grant") ? PERMIT_EXTENSION_GRANT
								      : PERMIT_EXTENSION_REFUSE;
	a->extension_to = -1;
	const char *ext = input_str(a->body, "extension_to", false, 10, err);
	if (ext && cal_day_parse(ext, &a->extension_to, NULL) != 0)
		error_add(err, "extension_to", "invalid", "extension_to must be YYYY-MM-DD");
	if (err->ndetails)
		return error_set(err, ERR_INVALID, "the request has %zu problem(s); all are listed",
				 err->ndetails);
	return 0;
}

int transitions_parse_body(json_t *body, struct error *err)
{
	struct act *a = xcalloc(1, sizeof(*a)); /* large: the item arrays */
	a->body = body;
	int rc = parse_act_body(a, err);
	free(a);
	return rc;
}

/* Reads the request; replies and returns non-zero when it is malformed or invalid. */
static int parse_act(struct http_request *req, struct http_response *res, struct act *a)
{
	struct error err = ERROR_INIT;
	if (input_path_id(req, 0, &a->id))
		return http_fail(res, ERR_NOT_FOUND, "no such object");
	const char *im = http_header(req, "If-Match");
	if (im) {
		while (*im == '"' || *im == 'W' || *im == '/')
			im++;
		a->version = atoi(im);
	}
	int rc = http_parse_json(req, &a->body, &err);
	if (!rc)
		rc = parse_act_body(a, &err);
	if (rc) {
		http_reply_error(res, &err);
		error_release(&err);
	}
	return rc;
}

/* The 409 for an action the state does not allow, listing what is allowed. */
static int not_allowed(struct error *err, const char *const *names, size_t n, const char *state)
{
	char list[256] = "";
	for (size_t i = 0; i < n; i++) {
		error_add(err, "action", "allowed", "%s", names[i]);
		if (strlen(list) + strlen(names[i]) + 3 < sizeof(list)) {
			if (list[0])
				strcat(list, ", ");
			strcat(list, names[i]);
		}
	}
	return error_set(err, ERR_CONFLICT, "not allowed in state %s; allowed now: %s", state,
			 list[0] ? list : "nothing");
}

static enum role role_of(const struct authz_caller *c)
{
	return c->kind;
}

/* Applies a clock effect; pause records are written by the caller. */
static int clock_effect(enum clock_effect effect, const char *stage,
			const struct service_standard *std, const struct calendar *cal,
			long long now_us, enum role actor, struct stored_clock *k,
			struct clock_pause *pause, bool *paused_now, struct error *err)
{
	*paused_now = false;
	switch (effect) {
	case CLOCK_KEEP:
		return 0;
	case CLOCK_STOP:
		memset(k, 0, sizeof(*k));
		return 0;
	case CLOCK_START: {
		int days = 0;
		if (application_stage_limit(std, stage, &days, NULL) != 0)
			return error_set(err, ERR_INTERNAL, "no published limit for stage %s", stage);
		memset(k, 0, sizeof(*k));
		snprintf(k->stage, sizeof(k->stage), "%s", stage);
		return clock_start(&k->clock, cal, days, now_us / 1000000, err);
	}
	case CLOCK_PAUSE:
		if (!k->stage[0])
			return 0;
		*paused_now = true;
		return clock_pause(&k->clock, cal, now_us / 1000000, CLOCK_REASON_SUPPLEMENT, actor,
				   pause, err);
	case CLOCK_RESUME:
		if (!k->stage[0] || !k->clock.paused)
			return 0;
		return clock_resume(&k->clock, cal, now_us / 1000000, err);
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
 * Puts a clock pause on the record (who paused, why, which items are owed) or closes the open
 * one when the supplement arrived. pause is NULL when the clock did not pause now.
 */
static int record_pause(struct store_conn *c, const struct act *a, const char *type, long long id,
			const struct stored_clock *k, const struct clock_pause *pause, bool resumed,
			json_t *payload, const char *at, struct error *err)
{
	if (resumed)
		return store_pause_close(c, type, id, at, err);
	if (!pause)
		return 0;
	char *items = json_text(json_object_get(payload, "items"));
	struct pause_new pn = { type, id, k->stage, CLOCK_REASON_SUPPLEMENT, items,
				role_name(role_of(a->caller)), a->caller->org_id, a->caller->user_id,
				at, pause->day, pause->remaining_days };
	int rc = store_pause_insert(c, &pn, err);
	free(items);
	return rc;
}

/* --- jobs ----------------------------------------------------------------------------- */

/*
 * Rule 9: a plan's quote uses only published items in force on the submission date, of this
 * job's own utility (fee schedules are per organisation), in the band the job's own parameters
 * fall in, at that band's price. *total is the quote's total.
 */
static int check_quote(struct store_conn *c, const struct act *a, const struct job_row *j,
		       long long *total, struct error *err)
{
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
	*total = sum;
	return rc;
}

/* The permits a plan says the works need: the ids to link in place of the submission's. */
struct plan_links {
	bool listed;
	long long *ids;
	size_t n;
};

/* Checks the plan's permit list against the application's permits (job_plan_permits). */
static int plan_permits(struct store_conn *c, const struct act *a, const struct job_row *j,
			struct plan_links *out, struct error *err)
{
	struct permit_row *all = NULL;
	size_t nall = 0, ndug = 0, nlisted = json_array_size(a->permits_needed);
	long long *dug = NULL;
	int rc = store_permits_of_application(c, j->application_id, &all, &nall, err);
	if (!rc)
		rc = store_permits_dug_by_job(c, j->id, &dug, &ndug, err);
	struct job_permit_option *opts = xcalloc(nall + 1, sizeof(*opts));
	const char **listed = xcalloc(nlisted + 1, sizeof(*listed));
	bool *need = xcalloc(nall + 1, sizeof(*need));
	for (size_t k = 0; k < nall; k++) {
		opts[k].ref = all[k].reference;
		opts[k].kind = all[k].kind;
		for (size_t d = 0; d < ndug; d++)
			opts[k].dug_by_job |= dug[d] == all[k].id;
	}
	for (size_t i = 0; i < nlisted; i++)
		listed[i] = json_string_value(json_array_get(a->permits_needed, i));
	if (!rc)
		rc = job_plan_permits(opts, nall, listed, nlisted, need, err);
	out->listed = !rc;
	out->ids = xcalloc(nall + 1, sizeof(*out->ids));
	for (size_t k = 0; !rc && k < nall; k++)
		if (need[k])
			out->ids[out->n++] = all[k].id;
	for (size_t k = 0; k < nall; k++)
		store_permit_row_release(&all[k]);
	free(all);
	free(dug);
	free(opts);
	free(listed);
	free(need);
	return rc;
}


static int job_act_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct act *a = ctx;
	struct job_row j;
	struct permit_row *permits = NULL;
	size_t npermits = 0;
	struct job_permit_need needs[16];
	char *quote_text = NULL, *cp_text = NULL, *pn_text = NULL;
	long long quote_total = -1;
	struct plan_links plan = { false, NULL, 0 };
	int rc = store_job_get(c, a->id, true, &j, err);
	if (rc)
		return rc;
	long long party[] = { j.utility_org_id };
	struct authz_object obj = { j.app_org_id, party, 1 };
	if ((rc = authz_check(a->caller, AZ_JOB_ACT, &obj, err)))
		goto out;
	if (a->version && a->version != j.version) {
		rc = error_set(err, ERR_CONFLICT, "version %d is stale; the job is at version %d",
			       a->version, j.version);
		goto out;
	}
	day_t today = tracks_today();
	rc = store_permits_of_job(c, j.id, &permits, &npermits, err);
	if (rc)
		goto out;
	for (size_t i = 0; i < npermits && i < 16; i++) {
		needs[i].ref = permits[i].reference;
		needs[i].approved = !strcmp(permits[i].state, "approved");
		needs[i].window_from = permits[i].window_from;
		needs[i].window_to = permits[i].window_to >= 0 ? permits[i].window_to : 1 << 30;
	}
	struct job_facts f = { .items = a->items, .nitems = a->nitems, .reason_code = a->reason_code,
			       .has_connection_point = a->connection_point != NULL,
			       .nquote_lines = a->nquote, .permits_listed = a->permits_needed != NULL,
			       .permits = needs, .npermits = npermits < 16 ? npermits : 16,
			       .today = today };
	enum job_state from;
	job_state_parse(j.state, &from, NULL);
	struct job_outcome out;
	rc = job_apply(&f, from, a->action, role_of(a->caller), &out, err);
	if (rc == ERR_CONFLICT && !err->ndetails) {
		const char *names[JOB_ACTION_COUNT];
		size_t n = job_allowed_actions(from, role_of(a->caller), names, JOB_ACTION_COUNT);
		rc = not_allowed(err, names, n, j.state);
	}
	if (rc)
		goto out;
	const struct service_standard *std =
		standards_in_force((const struct service_standard *const *)a->pub->standards,
				   a->pub->nstandards, j.utility_kind, j.submitted_day);
	if (!strcmp(a->action, "plan")) {
		rc = check_quote(c, a, &j, &quote_total, err);
		if (!rc)
			rc = plan_permits(c, a, &j, &plan, err);
		if (rc)
			goto out;
		quote_text = json_text(json_object_get(a->body, "quote"));
		pn_text = json_text(a->permits_needed);
	}
	if (!strcmp(a->action, "survey"))
		cp_text = json_text(a->connection_point);
	struct stored_clock k = j.clock;
	struct clock_pause pause;
	bool paused_now;
	long long now = tracks_now_us();
	rc = clock_effect(out.clock, out.stage, std, &a->pub->cal, now, role_of(a->caller), &k, &pause,
			  &paused_now, err);
	if (rc)
		goto out;
	char at[32];
	store_format_utc(now, at);
	json_t *payload = act_payload(a);
	char *payload_text = json_text(payload);
	rc = record_pause(c, a, "job", j.id, &k, paused_now ? &pause : NULL,
			  out.clock == CLOCK_RESUME, payload, at, err);
	struct job_update u = { j.id, j.version, job_state_name(out.state), &k, cp_text, quote_text,
				pn_text, quote_total };
	if (!rc)
		rc = store_job_update(c, &u, err);
	struct transition_new t = { j.application_id, "job", j.id, a->action, j.state,
				    job_state_name(out.state), role_name(role_of(a->caller)),
				    a->caller->org_id, a->caller->user_id, payload_text, at,
				    k.stage[0] ? k.stage : NULL,
				    k.stage[0] && !k.clock.paused ? k.clock.due_day : -1 };
	if (!rc)
		rc = store_transition_insert(c, &t, err);
	free(payload_text);
	json_decref(payload);
	if (!rc)
		rc = audit_record(c, a->caller, out.event, "job", j.reference,
				  json_pack("{s:s, s:s}", "from", j.state, "to", job_state_name(out.state)),
				  err);
	if (!rc && out.issue_certificate)
		rc = oversight_certificate_issue(c, "job", j.id, err);
	/* From now on the plan's list is what gates construction (rule 4). */
	if (!rc && plan.listed)
		rc = store_job_permits_replace(c, j.id, plan.ids, plan.n, err);
	struct job_row fresh;
	if (!rc)
		rc = store_job_get(c, j.id, false, &fresh, err);
	if (!rc) {
		rc = tracks_emit_party(c, fresh.utility_org_id, fresh.application_id,
				       fresh.app_reference, out.event, fresh.utility_kind,
				       tracks_job_event(c, &fresh, today, err), err);
		if (!rc)
			rc = tracks_emit(c, fresh.app_org_id, fresh.application_id,
					 fresh.app_reference, out.event,
					 tracks_job_json(&fresh, NULL, today), err);
		if (!rc && job_state_is_terminal(out.state))
			rc = store_application_refresh_status(c, fresh.application_id, err);
		a->reply = tracks_job_json(&fresh, a->caller, today);
		store_job_row_release(&fresh);
	}
out:
	for (size_t i = 0; i < npermits; i++)
		store_permit_row_release(&permits[i]);
	free(permits);
	free(quote_text);
	free(cp_text);
	free(pn_text);
	free(plan.ids);
	store_job_row_release(&j);
	return rc;
}

static int run_act(struct http_request *req, struct http_response *res, struct act *a,
		   int (*fn)(struct store_conn *, void *, struct error *))
{
	struct error err = ERROR_INIT;
	a->pub = snapshot_get(req->app);
	int rc = a->pub ? store_tx(req->app->pool, fn, a, &err)
			: error_set(&err, ERR_UNAVAILABLE, "published standards are not loaded yet");
	if (rc) {
		json_decref(a->reply);
		http_reply_error(res, &err);
	} else {
		http_add_header(res, "Cache-Control", "no-store");
		http_reply_json(res, 200, a->reply);
	}
	if (a->pub)
		snapshot_put(a->pub);
	json_decref(a->body);
	error_release(&err);
	return rc;
}

/* A transition request on a job or a permit: parse the action, then fn in one transaction. */
static int act_route(struct http_request *req, struct http_response *res,
		     int (*fn)(struct store_conn *, void *, struct error *))
{
	struct act *a = xcalloc(1, sizeof(*a));
	a->req = req;
	a->caller = auth_caller(req);
	int rc = parse_act(req, res, a);
	if (!rc)
		rc = run_act(req, res, a, fn); /* releases a->body */
	else
		json_decref(a->body);
	free(a);
	return rc;
}

static int job_transition(struct http_request *req, struct http_response *res)
{
	return act_route(req, res, job_act_tx);
}

struct read {
	const struct authz_caller *caller;
	long long id;
	json_t *reply;
};

static int job_read_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct read *r = ctx;
	struct job_row j;
	int rc = store_job_get(c, r->id, false, &j, err);
	if (rc)
		return rc;
	long long party[] = { j.utility_org_id };
	struct authz_object obj = { j.app_org_id, party, 1 };
	rc = authz_check(r->caller, AZ_JOB_READ, &obj, err);
	if (!rc)
		r->reply = tracks_job_json(&j, r->caller, tracks_today());
	store_job_row_release(&j);
	return rc;
}

static int reply_read(struct http_request *req, struct http_response *res,
		      int (*fn)(struct store_conn *, void *, struct error *))
{
	struct read r = { .caller = auth_caller(req) };
	if (input_path_id(req, 0, &r.id))
		return http_fail(res, ERR_NOT_FOUND, "no such object");
	struct error err = ERROR_INIT;
	int rc = store_with(req->app->pool, fn, &r, &err);
	if (rc)
		http_reply_error(res, &err);
	else
		http_reply_json(res, 200, r.reply);
	error_release(&err);
	return rc;
}

static int job_get(struct http_request *req, struct http_response *res)
{
	return reply_read(req, res, job_read_tx);
}

/* --- queues ----------------------------------------------------------------------------- */

struct queue {
	const struct authz_caller *caller;
	long long org;
	const char *state;
	bool overdue;
	int limit;
	long long after;
	bool permits;
	json_t *reply;
};

static int queue_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct queue *q = ctx;
	json_t *items = NULL;
	long long last = 0;
	bool more = false;
	int rc = q->permits ? store_permit_queue(c, q->org, q->state, q->overdue, tracks_today(),
						 q->after, q->limit, &items, &last, &more, err)
			    : store_job_queue(c, q->org, q->state, q->overdue, tracks_today(),
					      q->after, q->limit, &items, &last, &more, err);
	if (rc)
		return rc;
	q->reply = json_pack("{s:o}", "items", items);
	input_set_cursor(q->reply, more, last);
	return 0;
}

static int queue_get(struct http_request *req, struct http_response *res, bool permits)
{
	struct error err = ERROR_INIT;
	struct queue q = { .caller = auth_caller(req), .permits = permits };
	if (auth_require(req, res, permits ? AZ_PERMIT_LIST : AZ_JOB_LIST, NULL))
		return 1;
	q.org = q.caller->org_id;
	const char *org = http_query(req, "org");
	if (org && q.caller->kind == ROLE_OFFICE)
		q.org = atoll(org); /* the office may look at any organisation's queue */
	q.state = http_query(req, "state");
	const char *od = http_query(req, "overdue");
	q.overdue = od && (!strcmp(od, "true") || !strcmp(od, "1"));
	if (q.state && strlen(q.state) > 24)
		error_add(&err, "state", "invalid", "no such state");
	int rc = input_page(req, &q.limit, &q.after, &err);
	if (!rc && err.ndetails)
		rc = error_set(&err, ERR_INVALID, "bad filter");
	if (!rc)
		rc = store_with(req->app->pool, queue_tx, &q, &err);
	if (rc)
		http_reply_error(res, &err);
	else
		http_reply_json(res, 200, q.reply);
	error_release(&err);
	return rc;
}

static int job_queue(struct http_request *req, struct http_response *res)
{
	return queue_get(req, res, false);
}

static int permit_queue(struct http_request *req, struct http_response *res)
{
	return queue_get(req, res, true);
}

/* --- permits ---------------------------------------------------------------------------- */

/* Who a permit concerns: the authority deciding it and the utilities whose jobs need it. */
struct permit_parties {
	long long ids[9];
	struct authz_object obj;
};

static int permit_parties(struct store_conn *c, const struct permit_row *p,
			  struct permit_parties *out, struct error *err)
{
	size_t n = 0;
	out->ids[0] = p->authority_org_id;
	int rc = store_permit_utility_orgs(c, p->id, out->ids + 1, 8, &n, err);
	out->obj = (struct authz_object){ p->app_org_id, out->ids, (int)n + 1 };
	return rc;
}

static int permit_read_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct read *r = ctx;
	struct permit_row p;
	int rc = store_permit_get(c, r->id, false, &p, err);
	if (rc)
		return rc;
	/* the utilities whose jobs need the permit may read it too */
	struct permit_parties pp;
	rc = permit_parties(c, &p, &pp, err);
	if (!rc)
		rc = authz_check(r->caller, AZ_PERMIT_READ, &pp.obj, err);
	if (!rc)
		r->reply = tracks_permit_json(&p, r->caller, tracks_today());
	store_permit_row_release(&p);
	return rc;
}

static int permit_get(struct http_request *req, struct http_response *res)
{
	return reply_read(req, res, permit_read_tx);
}

static int permit_act_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct act *a = ctx;
	struct permit_row p;
	int rc = store_permit_get(c, a->id, true, &p, err);
	if (rc)
		return rc;
	struct permit_parties pp;
	if ((rc = permit_parties(c, &p, &pp, err)) ||
	    (rc = authz_check(a->caller, AZ_PERMIT_ACT, &pp.obj, err)))
		goto out;
	if (a->version && a->version != p.version) {
		rc = error_set(err, ERR_CONFLICT, "version %d is stale; the permit is at version %d",
			       a->version, p.version);
		goto out;
	}
	day_t today = tracks_today();
	enum permit_kind kind;
	enum permit_decision decision;
	enum permit_state from;
	permit_kind_parse(p.kind, &kind, NULL);
	permit_decision_parse(p.decision, &decision, NULL);
	permit_state_parse(p.state, &from, NULL);
	const struct service_standard *std =
		standards_in_force((const struct service_standard *const *)a->pub->standards,
				   a->pub->nstandards, p.kind, p.submitted_day);
	bool silence = false;
	int days;
	application_stage_limit(std, p.clock.stage[0] ? p.clock.stage : "review", &days, &silence);
	struct permit_facts f = {
		.kind = kind, .decision = decision, .is_deemed = p.is_deemed,
		.post_checked = p.post_checked, .extension_pending = p.extension_pending,
		.window_from = p.window_from, .window_to = p.window_to,
		.reinstatement_passed = p.reinstatement_passed, .fast_track_eligible = p.fast_track,
		.deemed_allowed = silence, .due_day = p.clock.clock.due_day, .today = today,
		.items = a->codes, .nitems = a->nitems, .conditions = a->conditions,
		.nconditions = a->nconditions, .reason_code = a->reason_code, .result = a->result,
		.extension_to = !strcmp(a->action, "decide_extension") ? p.extension_to
								      : a->extension_to,
		.extension_decision = a->decision,
	};
	struct permit_outcome out;
	rc = permit_apply(&f, from, a->action, role_of(a->caller), &out, err);
	if (rc == ERR_CONFLICT && !err->ndetails) {
		const char *names[PERMIT_ACTION_COUNT];
		size_t n = permit_allowed_actions(from, role_of(a->caller), names, PERMIT_ACTION_COUNT);
		rc = not_allowed(err, names, n, p.state);
	}
	if (rc)
		goto out;
	struct stored_clock k = p.clock;
	struct clock_pause pause;
	bool paused_now;
	long long now = tracks_now_us();
	rc = clock_effect(out.clock, out.stage, std, &a->pub->cal, now, role_of(a->caller), &k, &pause,
			  &paused_now, err);
	if (rc)
		goto out;
	char at[32];
	store_format_utc(now, at);
	json_t *payload = act_payload(a);
	char *payload_text = json_text(payload);
	char *conditions = a->nconditions ? json_text(json_object_get(payload, "conditions"))
					  : NULL;
	char *reason = a->reason_code ? json_text(payload) : NULL;
	rc = record_pause(c, a, "permit", p.id, &k, paused_now ? &pause : NULL,
			  out.clock == CLOCK_RESUME, payload, at, err);
	bool reinstated = p.reinstatement_passed;
	if (!rc && (!strcmp(a->action, "inspect") || !strcmp(a->action, "post_check"))) {
		const char *kind_name = !strcmp(a->action, "post_check") ? "post_check" : "reinstatement";
		rc = store_inspection_insert(c, p.id, kind_name,
					     a->result == PERMIT_RESULT_PASS ? "pass" : "fail",
					     a->comment, a->caller->org_id, a->caller->user_id, at, err);
		if (!strcmp(a->action, "inspect"))
			reinstated = a->result == PERMIT_RESULT_PASS;
	}
	if (!rc && (out.tasks & PERMIT_TASK_POST_CHECK))
		rc = store_task_insert(c, p.id, "post_check", p.authority_org_id, err);
	if (!rc && (out.tasks & PERMIT_TASK_REMEDIAL))
		rc = store_remedial_tasks(c, p.id, err);
	if (!rc && !strcmp(a->action, "request_extension"))
		rc = store_extension_insert(c, p.id, p.window_to, a->extension_to, a->comment, at, err);
	if (!rc && !strcmp(a->action, "decide_extension"))
		rc = store_extension_settle(c, p.id, a->decision == PERMIT_EXTENSION_GRANT, at, err);
	struct permit_update u = {
		p.id, p.version, permit_state_name(out.state), permit_decision_name(out.decision),
		out.is_deemed, out.post_checked, reinstated, out.extension_pending,
		out.extension_pending ? (a->extension_to >= 0 ? a->extension_to : p.extension_to) : -1,
		out.window_from, out.window_to, p.deadline_day, &k, conditions, reason,
	};
	if (!rc)
		rc = store_permit_update(c, &u, err);
	struct transition_new t = { p.application_id, "permit", p.id, a->action, p.state,
				    permit_state_name(out.state), role_name(role_of(a->caller)),
				    a->caller->org_id, a->caller->user_id, payload_text, at,
				    k.stage[0] ? k.stage : NULL,
				    k.stage[0] && !k.clock.paused ? k.clock.due_day : -1 };
	if (!rc)
		rc = store_transition_insert(c, &t, err);
	free(payload_text);
	free(conditions);
	free(reason);
	json_decref(payload);
	if (!rc)
		rc = audit_record(c, a->caller, out.event, "permit", p.reference,
				  json_pack("{s:s, s:s}", "from", p.state, "to",
					    permit_state_name(out.state)),
				  err);
	if (!rc && out.issue_certificate)
		rc = oversight_certificate_issue(c, "permit", p.id, err);
	struct permit_row fresh;
	if (!rc)
		rc = store_permit_get(c, p.id, false, &fresh, err);
	if (!rc) {
		rc = tracks_emit_party(c, fresh.authority_org_id, fresh.application_id,
				       fresh.app_reference, out.event, tracks_permit_adapter(fresh.kind),
				       tracks_permit_event(c, &fresh, today, err), err);
		if (!rc)
			rc = tracks_emit(c, fresh.app_org_id, fresh.application_id,
					 fresh.app_reference, out.event,
					 tracks_permit_json(&fresh, NULL, today), err);
		a->reply = tracks_permit_json(&fresh, a->caller, today);
		store_permit_row_release(&fresh);
	}
out:
	store_permit_row_release(&p);
	return rc;
}

static int permit_transition(struct http_request *req, struct http_response *res)
{
	return act_route(req, res, permit_act_tx);
}

int transitions_system(struct app *app, const char *action, long long permit_id,
		       struct error *err)
{
	static const struct authz_caller system = { .kind = ROLE_SYSTEM };
	struct act *a = xcalloc(1, sizeof(*a));
	a->caller = &system;
	a->action = action;
	a->id = permit_id;
	a->extension_to = -1;
	a->pub = snapshot_get(app);
	int rc = a->pub ? store_tx(app->pool, permit_act_tx, a, err)
			: error_set(err, ERR_UNAVAILABLE, "published standards are not loaded yet");
	if (a->pub)
		snapshot_put(a->pub);
	json_decref(a->reply);
	free(a);
	return rc;
}

int transitions_apply(struct app *app, const struct authz_caller *caller, bool permit,
		      long long id, json_t *body, json_t **reply, struct error *err)
{
	struct act *a = xcalloc(1, sizeof(*a));
	a->caller = caller;
	a->id = id;
	a->body = body;
	*reply = NULL;
	int rc = parse_act_body(a, err);
	if (!rc) {
		a->pub = snapshot_get(app);
		rc = a->pub ? store_tx(app->pool, permit ? permit_act_tx : job_act_tx, a, err)
			    : error_set(err, ERR_UNAVAILABLE, "published standards are not loaded yet");
		if (a->pub)
			snapshot_put(a->pub);
	}
	if (rc)
		json_decref(a->reply);
	else
		*reply = a->reply;
	free(a);
	return rc;
}

const struct route transitions_routes[] = {
	{ "GET", "/v1/jobs", job_queue, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "GET", "/v1/jobs/{id}", job_get, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "POST", "/v1/jobs/{id}/transitions", job_transition, ROUTE_AUTHENTICATED,
	  0, RUNS_ON_WORK },
	{ "GET", "/v1/permits", permit_queue, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "GET", "/v1/permits/{id}", permit_get, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "POST", "/v1/permits/{id}/transitions", permit_transition, ROUTE_AUTHENTICATED,
	  0, RUNS_ON_WORK },
	{ 0 },
};
