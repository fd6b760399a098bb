/*
 * Post-check results and rectification over HTTP: POST /v1/post-checks/{task}/result (the road
 * authority, on its own task), GET /v1/rectifications (the applicant's own; the office every
 * one), POST /v1/rectifications/{task}/done (the applicant), and the sweep that revokes a permit
 * left unrectified. The state change itself is the permit's transition (workflows/permit.c);
 * this file records what comes with it.
 */
#define _GNU_SOURCE
#include "postcheck_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/audit.h"
#include "portal/auth.h"
#include "portal/credit_api.h"
#include "portal/http.h"
#include "portal/input.h"
#include "portal/router.h"
#include "portal/snapshot.h"
#include "portal/sweeper.h"
#include "portal/tracks.h"
#include "store/credit.h"
#include "store/tasks.h"
#include "workflows/standards.h"
#include "lib/json_text.h"
#include "lib/xalloc.h"

#define PHOTO_TYPE "post_check_photo"
#define MAX_PHOTOS 20
#define BATCH 200

static json_t *day_json(day_t d)
{
	char b[11];
	return d >= 0 ? json_string(cal_day_format(d, b)) : json_null();
}

/* The rectification limit of the permit's standard: its own, else the post-check's. */
static int rectification_limit(const struct published *pub, const struct permit_row *p)
{
	const struct service_standard *std = standards_in_force(
		(const struct service_standard *const *)pub->standards, pub->nstandards, p->kind,
		p->submitted_day);
	if (!std || !std->has_fast_track)
		return 0;
	return std->fast_track.rectification_days > 0 ? std->fast_track.rectification_days
						       : std->fast_track.post_check_days;
}

int postcheck_api_effects(struct store_conn *c, const struct transition_ctx *t,
			  const struct permit_row *p, const struct permit_outcome *o,
			  struct error *err)
{
	const struct act *a = t->a;
	bool open = false;
	int rc = store_rectification_open_for(c, p->id, &open, err);
	if (rc)
		return rc;
	if (open) {
		error_add(err, "rectification", "open",
			  "the failed post-check's rectification is still open");
		return error_set(err, ERR_CONFLICT, "the permit does not allow post_check now");
	}
	bool failed = a->result == PERMIT_RESULT_FAIL;
	json_t *codes = json_array();
	const char *names[TRANSITION_MAX_ITEMS];
	for (size_t i = 0; i < a->nitems; i++) {
		json_array_append_new(codes, json_string(a->codes[i].code));
		names[i] = a->codes[i].code;
	}
	json_t *photos = json_object_get(a->body, "photos");
	photos = json_is_array(photos) ? json_incref(photos) : json_array();
	char *ct = json_text(codes), *pt = json_text(photos);
	long long task = 0, result_id = 0, rect_task = 0;
	rc = store_task_open_of(c, p->id, "post_check", &task, err);
	/*
	 * Through either route (this one or /v1/permits/{id}/transitions): only a post-check the
	 * sampling opened, and a failure only with what it found, so no route records a check the
	 * published draw did not ask for, or a failure (and its credit entry) without evidence.
	 */
	if (!rc && !task)
		rc = error_set(err, ERR_CONFLICT,
			       "no post-check is open for this permit (the published sampling did "
			       "not draw it, or it was recorded already)");
	if (!rc && failed && !json_array_size(photos)) {
		error_add(err, "photos", "required", "a failed post-check shows what it found");
		rc = error_set(err, ERR_INVALID, "the result has 1 problem(s); all listed");
	}
	struct post_check_result_new r = { p->id,
					   task,
					   a->caller->org_id,
					   a->caller->user_id,
					   failed ? "fail" : "pass",
					   ct,
					   pt,
					   a->comment,
					   t->at,
					   a->pub ? a->pub->codes.version : 0 };
	if (!rc)
		rc = store_post_check_result_insert(c, &r, &result_id, err);
	if (rc || !failed || !(o->tasks & PERMIT_TASK_RECTIFICATION))
		goto out;
	int limit = rectification_limit(a->pub, p);
	if (limit <= 0) {
		rc = error_set(err, ERR_INTERNAL, "no published rectification limit for %s", p->kind);
		goto out;
	}
	struct rectification_new rn = { p->id, result_id, p->app_org_id, t->today,
					 calendar_due(&a->pub->cal, tracks_now_us() / 1000000, limit),
					 limit };
	rc = store_rectification_open(c, &rn, &rect_task, err);
	struct oversight_rules rules;
	if (!rc)
		rc = store_oversight_rules_load(c, 0, &rules, NULL, err);
	char due[11];
	cal_day_format(rn.due_day, due);
	if (!rc)
		rc = credit_api_write(c, a->caller, &rules, CREDIT_POST_CHECK_FAILED, p->app_org_id,
				      p->id, task, t->today,
				      json_pack("{s:s, s:s, s:I, s:O, s:I, s:s}", "permit",
						p->reference, "application", p->app_reference,
						"result_id", (json_int_t)result_id, "codes", codes,
						"rectification_task_id", (json_int_t)rect_task,
						"rectify_by", due),
				      NULL, err);
	if (!rc && credit_false_commitment(&rules, names, a->nitems))
		rc = credit_api_write(c, a->caller, &rules, CREDIT_FALSE_COMMITMENT, p->app_org_id,
				      p->id, task, t->today,
				      json_pack("{s:s, s:s, s:I, s:O}", "permit", p->reference,
						"application", p->app_reference, "result_id",
						(json_int_t)result_id, "codes", codes),
				      NULL, err);
out:
	free(ct);
	free(pt);
	json_decref(codes);
	json_decref(photos);
	return rc;
}

int postcheck_api_photos_check(struct store_conn *c, long long org_id, const json_t *photos,
			       struct error *err)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_is_array(photos) ? photos : NULL, i, v)
	{
		if (!json_is_integer(v) || json_integer_value(v) <= 0)
			continue; /* its type is the reader's problem */
		bool ok = false;
		int rc = store_material_of(c, json_integer_value(v), org_id, PHOTO_TYPE, &ok, err);
		if (rc)
			return rc;
		if (!ok) {
			char f[32];
			snprintf(f, sizeof(f), "photos[%zu]", i);
			error_add(err, f, "not_found",
				  "material %lld is not a %s your organisation uploaded",
				  (long long)json_integer_value(v), PHOTO_TYPE);
		}
	}
	return 0;
}

static json_t *rect_json(const struct rectification_row *r, day_t today)
{
	json_t *codes = json_loads(r->codes, 0, NULL);
	bool open = !strcmp(r->status, "open");
	return json_pack("{s:I, s:I, s:s, s:s, s:I, s:s, s:s, s:o, s:o, s:i, s:b, s:o}", "task_id",
			 (json_int_t)r->task_id, "permit_id", (json_int_t)r->permit_id,
			 "reference", r->reference, "application", r->app_reference, "org_id",
			 (json_int_t)r->org_id, "status", r->status, "permit_state",
			 r->permit_state, "opened_on", day_json(r->opened_on), "due_date",
			 day_json(r->due_day), "limit_days", r->limit_days, "overdue",
			 open && today > r->due_day, "codes", codes ? codes : json_array());
}

/* --- recording a result ----------------------------------------------------------------------- */

struct record {
	struct act *a;
	long long task_id;
	json_t *photos;
	struct error pre; /* what the body's own reading found (then nothing runs) */
	json_t *reply;
};

static int record_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct record *r = ctx;
	struct stored_task task = { 0 };
	/* a transaction rerun starts afresh */
	json_decref(r->a->reply);
	r->a->reply = NULL;
	json_decref(r->reply);
	r->reply = NULL;
	/*
	 * Every problem at once, before anything is written: a body that did not read (checked
	 * first, as ever) is listed with its photos that are not the caller's; else the transition
	 * checks the codes, the photos required and their owner together (permit_track.c).
	 */
	if (r->pre.ndetails) {
		for (size_t i = 0; i < r->pre.ndetails; i++)
			error_add(err, r->pre.details[i].field, r->pre.details[i].code, "%s",
				  r->pre.details[i].message);
		int rc = postcheck_api_photos_check(c, r->a->caller->org_id, r->photos, err);
		return rc ? rc
			  : error_set(err, ERR_INVALID, "the result has %zu problem(s); all listed",
				      err->ndetails);
	}
	int rc = store_task_get(c, r->task_id, &task, err);
	if (!rc && strcmp(task.kind, "post_check"))
		rc = error_set(err, ERR_NOT_FOUND, "no such post-check");
	long long parties[1] = { task.org_id };
	struct authz_object obj = { 0, parties, 1 };
	if (!rc)
		rc = authz_check(r->a->caller, AZ_POST_CHECK_RECORD, &obj, err);
	if (!rc && strcmp(task.status, "open"))
		rc = error_set(err, ERR_CONFLICT, "the post-check is recorded already");
	if (rc)
		return rc;
	r->a->id = task.permit_id;
	rc = transition_run(c, &transition_permit_ops, r->a, err);
	struct rectification_row *rows = NULL;
	size_t n = 0;
	if (!rc)
		rc = store_rectifications(c, 0, task.permit_id, 0, "open", false, 1, &rows, &n, err);
	if (!rc)
		r->reply = json_pack("{s:I, s:s, s:O, s:O, s:o}", "task_id", (json_int_t)task.id,
				     "result", r->a->result == PERMIT_RESULT_PASS ? "pass" : "fail",
				     "permit", r->a->reply, "photos", r->photos, "rectification",
				     n ? rect_json(&rows[0], tracks_today()) : json_null());
	store_rectification_rows_free(rows, n);
	return rc;
}

/* Reads {result, codes: ["CODE"...], photos: [material ids], comment}; every problem listed. */
static void read_result(json_t *body, struct act *a, json_t **photos, struct error *err)
{
	static const char *const results[] = { "pass", "fail", NULL };
	const char *key;
	json_t *v;
	json_object_foreach(body, key, v)
	{
		if (strcmp(key, "result") && strcmp(key, "codes") && strcmp(key, "photos") &&
		    strcmp(key, "comment"))
			error_add(err, key, "unknown_field",
				  "unknown member '%.60s' (result, codes, photos, comment)", key);
	}
	const char *res = input_enum(body, "result", true, results, err);
	a->result = !res ? PERMIT_RESULT_NONE
		    : !strcmp(res, "pass") ? PERMIT_RESULT_PASS
					   : PERMIT_RESULT_FAIL;
	a->comment = input_str(body, "comment", false, 2000, err);
	json_t *codes = json_object_get(body, "codes");
	if (codes && (!json_is_array(codes) || json_array_size(codes) > TRANSITION_MAX_ITEMS))
		error_add(err, "codes", "wrong_type", "codes is a list of result codes");
	size_t i;
	json_array_foreach(json_is_array(codes) ? codes : NULL, i, v)
	{
		if (i >= TRANSITION_MAX_ITEMS)
			break;
		char f[32];
		snprintf(f, sizeof(f), "codes[%zu]", i);
		if (!json_is_string(v))
			error_add(err, f, "wrong_type", "a result code is text");
		else
			a->codes[a->nitems++] = (struct permit_code){ json_string_value(v), NULL };
	}
	if (a->result == PERMIT_RESULT_PASS && a->nitems)
		error_add(err, "codes", "not_allowed", "a pass names no failure codes");
	if (a->result == PERMIT_RESULT_FAIL && !a->nitems)
		error_add(err, "codes", "required",
			  "a failed post-check names what it found from the published list");
	json_t *ph = json_object_get(body, "photos");
	if (ph && (!json_is_array(ph) || json_array_size(ph) > MAX_PHOTOS))
		error_add(err, "photos", "wrong_type", "photos is a list of at most %d material ids",
			  MAX_PHOTOS);
	*photos = json_array();
	json_array_foreach(json_is_array(ph) ? ph : NULL, i, v)
	{
		char f[32];
		snprintf(f, sizeof(f), "photos[%zu]", i);
		if (!json_is_integer(v) || json_integer_value(v) <= 0)
			error_add(err, f, "wrong_type", "a photo is a material id");
		else
			json_array_append(*photos, v);
	}
	if (a->result == PERMIT_RESULT_FAIL && !json_array_size(*photos))
		error_add(err, "photos", "required", "a failed post-check shows what it found");
}

static int post_check_result(struct http_request *req, struct http_response *res)
{
	struct record r = { 0 };
	if (input_path_id(req, 0, &r.task_id))
		return http_fail(res, ERR_NOT_FOUND, "no such post-check");
	if (auth_require(req, res, AZ_POST_CHECK_RECORD, NULL))
		return 1;
	struct error err = ERROR_INIT;
	struct act *a = xcalloc(1, sizeof(*a));
	a->caller = auth_caller(req);
	a->action = "post_check";
	a->extension_to = -1;
	json_t *body = NULL;
	error_init(&r.pre);
	int rc = http_parse_json(req, &body, &err);
	a->body = body;
	if (!rc)
		read_result(body, a, &r.photos, &r.pre);
	a->pub = rc ? NULL : snapshot_get(req->app);
	if (!rc && !a->pub)
		rc = error_set(&err, ERR_UNAVAILABLE, "the published standards are not loaded yet");
	/* a body that did not read names its bad codes too (the transition would have) */
	for (size_t i = 0; !rc && r.pre.ndetails && a->result == PERMIT_RESULT_FAIL && i < a->nitems;
	     i++) {
		char f[48];
		snprintf(f, sizeof(f), "codes[%zu].code", i);
		codes_check(&a->pub->codes, CODES_POST_CHECK_RESULT, f, a->codes[i].code, &r.pre);
	}
	r.a = a;
	if (!rc)
		rc = store_tx(req->app->pool, record_tx, &r, &err);
	if (rc) {
		json_decref(r.reply);
		http_reply_error(res, &err);
	} else {
		http_reply_json(res, 200, r.reply);
	}
	if (a->pub)
		snapshot_put(a->pub);
	json_decref(a->reply);
	json_decref(r.photos);
	json_decref(body);
	free(a);
	error_release(&r.pre);
	error_release(&err);
	return rc;
}

/* --- the applicant's rectifications ---------------------------------------------------------- */

struct rect_list {
	long long org;
	const char *status;
	int limit;
	long long cursor; /* the last task id of the page before (0: the first page) */
	json_t *reply;
};

/* A page of the list, newest first, with the whole list's count and overdue. */
static int rect_list_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct rect_list *l = ctx;
	struct rectification_row *rows = NULL;
	size_t n = 0;
	long long count = 0, overdue = 0;
	day_t today = tracks_today();
	json_decref(l->reply);
	l->reply = NULL;
	int rc = store_rectification_page(c, l->org, l->status, l->cursor, l->limit, &rows, &n,
					  err);
	if (!rc)
		rc = store_rectification_tally(c, l->org, l->status, today, &count, &overdue, err);
	if (!rc) {
		json_t *items = json_array();
		long long last = 0;
		for (size_t i = 0; i < n && i < (size_t)l->limit; i++) {
			json_array_append_new(items, rect_json(&rows[i], today));
			last = rows[i].task_id;
		}
		l->reply = json_pack("{s:I, s:I, s:o}", "count", (json_int_t)count, "overdue",
				     (json_int_t)overdue, "items", items);
		input_set_cursor(l->reply, n > (size_t)l->limit, last);
	}
	store_rectification_rows_free(rows, n);
	return rc;
}

static int rectifications_list(struct http_request *req, struct http_response *res)
{
	if (auth_require(req, res, AZ_RECTIFICATION_LIST, NULL))
		return 1;
	const struct authz_caller *caller = auth_caller(req);
	static const char *const statuses[] = { "open", "rectified", "revoked", NULL };
	struct rect_list l = { .org = caller->kind == ROLE_OFFICE ? 0 : caller->org_id,
			       .status = http_query(req, "status") };
	struct error err = ERROR_INIT;
	if (l.status) {
		bool known = false;
		for (int i = 0; statuses[i]; i++)
			known = known || !strcmp(statuses[i], l.status);
		if (!known)
			error_add(&err, "status", "invalid", "open, rectified or revoked");
	}
	input_page(req, &l.limit, &l.cursor, &err);
	int rc = err.ndetails ? error_set(&err, ERR_INVALID, "bad query") : 0;
	if (!rc)
		rc = store_with(req->app->pool, rect_list_tx, &l, &err);
	if (rc) {
		http_reply_error(res, &err);
	} else {
		http_add_header(res, "Cache-Control", "no-store");
		http_reply_json(res, 200, l.reply);
		l.reply = NULL;
	}
	json_decref(l.reply);
	error_release(&err);
	return rc;
}

struct rectified {
	const struct authz_caller *caller;
	long long task_id;
	const char *note;
	char at[32];
	day_t today;
	json_t *reply;
};

static int rectified_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct rectified *r = ctx;
	json_decref(r->reply); /* a rerun starts afresh */
	r->reply = NULL;
	struct rectification_row *rows = NULL;
	size_t n = 0;
	struct permit_row p = { 0 };
	bool have_p = false;
	long long recheck = 0;
	int rc = store_rectifications(c, 0, 0, r->task_id, NULL, true, 1, &rows, &n, err);
	if (!rc && !n)
		rc = error_set(err, ERR_NOT_FOUND, "no such rectification");
	if (!rc) {
		struct authz_object obj = { rows[0].org_id, NULL, 0 };
		rc = authz_check(r->caller, AZ_RECTIFICATION_REPORT, &obj, err);
	}
	if (!rc && strcmp(rows[0].status, "open"))
		rc = error_set(err, ERR_CONFLICT, "the rectification is %s", rows[0].status);
	if (!rc && r->today > rows[0].due_day) {
		char d[11];
		error_add(err, "due_date", "past",
			  "the rectification was due on %s; the permit is being revoked",
			  cal_day_format(rows[0].due_day, d));
		rc = error_set(err, ERR_CONFLICT, "too late to report it rectified");
	}
	if (!rc)
		rc = store_permit_get(c, rows[0].permit_id, true, &p, err);
	have_p = !rc;
	if (!rc)
		rc = store_rectification_settle(c, r->task_id, "rectified", r->note, r->at, err);
	/* the post-check opens again for the authority: the re-check */
	if (!rc)
		rc = store_task_open(c, p.id, "post_check", p.authority_org_id, &recheck, err);
	if (!rc)
		rc = tracks_emit(c, p.authority_org_id, p.application_id, p.app_reference,
				 "permit.rectified",
				 json_pack("{s:I, s:s, s:I, s:s}", "permit_id", (json_int_t)p.id,
					   "reference", p.reference, "recheck_task_id",
					   (json_int_t)recheck, "note", r->note ? r->note : ""),
				 err);
	if (!rc)
		rc = audit_record_id(c, r->caller, "rectification.reported", "task", r->task_id,
				     json_pack("{s:s, s:I}", "permit", p.reference, "recheck_task_id",
					       (json_int_t)recheck),
				     err);
	store_rectification_rows_free(rows, n);
	rows = NULL;
	n = 0;
	if (!rc)
		rc = store_rectifications(c, 0, 0, r->task_id, NULL, false, 1, &rows, &n, err);
	if (!rc && n) {
		r->reply = rect_json(&rows[0], r->today);
		json_object_set_new(r->reply, "recheck_task_id", json_integer(recheck));
	}
	store_rectification_rows_free(rows, n);
	if (have_p)
		store_permit_row_release(&p);
	return rc;
}

static int rectification_done(struct http_request *req, struct http_response *res)
{
	struct rectified r = { .caller = auth_caller(req), .today = tracks_today() };
	if (input_path_id(req, 0, &r.task_id))
		return http_fail(res, ERR_NOT_FOUND, "no such rectification");
	if (auth_require(req, res, AZ_RECTIFICATION_REPORT, NULL))
		return 1;
	struct error err = ERROR_INIT;
	json_t *body = NULL;
	int rc = http_parse_json(req, &body, &err);
	if (!rc) {
		const char *key;
		json_t *v;
		json_object_foreach(body, key, v)
		{
			if (strcmp(key, "note"))
				error_add(&err, key, "unknown_field", "unknown member '%.60s' (note)",
					  key);
		}
		r.note = input_str(body, "note", true, 2000, &err);
		if (err.ndetails)
			rc = error_set(&err, ERR_INVALID, "%zu problem(s); all are listed",
				       err.ndetails);
	}
	store_format_utc(tracks_now_us(), r.at);
	if (!rc)
		rc = store_tx(req->app->pool, rectified_tx, &r, &err);
	if (rc) {
		json_decref(r.reply);
		http_reply_error(res, &err);
	} else {
		http_reply_json(res, 200, r.reply);
	}
	json_decref(body);
	error_release(&err);
	return rc;
}

/* --- the sweep ---------------------------------------------------------------------------- */

struct overdue {
	day_t today;
	long long ids[BATCH];
	size_t n;
};

static int find_overdue(struct store_conn *c, void *ctx, struct error *err)
{
	struct overdue *o = ctx;
	return store_rectifications_overdue(c, o->today, o->ids, BATCH, &o->n, err);
}

struct revoke {
	const struct published *pub;
	long long task_id;
	day_t today;
	bool revoked;
};

static int revoke_tx(struct store_conn *c, void *ctx, struct error *err)
{
	static const struct authz_caller system = { .kind = ROLE_SYSTEM };
	struct revoke *v = ctx;
	struct rectification_row *rows = NULL;
	size_t n = 0;
	v->revoked = false;
	int rc = store_rectifications(c, 0, 0, v->task_id, "open", true, 1, &rows, &n, err);
	if (rc || !n || rows[0].due_day >= v->today)
		goto out;
	char due[11], note[120];
	cal_day_format(rows[0].due_day, due);
	snprintf(note, sizeof(note), "not rectified by %s", due);
	struct act *a = xcalloc(1, sizeof(*a));
	a->caller = &system;
	a->pub = v->pub;
	a->action = "revoke";
	a->id = rows[0].permit_id;
	a->reason_code = "RECTIFICATION_OVERDUE";
	a->comment = note;
	a->extension_to = -1;
	struct error one = ERROR_INIT;
	rc = transition_run(c, &transition_permit_ops, a, &one);
	json_decref(a->reply);
	free(a);
	if (rc == ERR_CONFLICT) { /* closed or ended meanwhile: nothing to revoke */
		error_release(&one);
		rc = 0;
		goto out;
	}
	if (rc) {
		rc = error_set(err, rc, "revoking permit %lld: %s", rows[0].permit_id, one.message);
		error_release(&one);
		goto out;
	}
	error_release(&one);
	/*
	 * the transition settled the rectification as revoked (with the note), closed the
	 * post-check and wrote the permit_revoked credit entry (permit_track.c), as for any
	 */
	/* the runner told the authority and the applicant; the utilities digging hear it too */
	struct permit_row p;
	if (!rc)
		rc = store_permit_get(c, rows[0].permit_id, false, &p, err);
	if (!rc) {
		long long parties[9];
		struct authz_object obj;
		rc = transition_permit_parties(c, &p, parties, &obj, err);
		for (int i = 1; !rc && i < obj.nparties; i++) {
			bool seen = parties[i] == p.app_org_id;
			for (int k = 1; k < i; k++)
				seen = seen || parties[k] == parties[i];
			if (!seen)
				rc = tracks_emit(c, parties[i], p.application_id, p.app_reference,
						 "permit.revoked",
						 tracks_permit_json(&p, NULL, v->today), err);
		}
		store_permit_row_release(&p);
	}
	v->revoked = !rc;
out:
	store_rectification_rows_free(rows, n);
	return rc;
}

int postcheck_api_sweep(struct app *app, int *revoked, struct error *err)
{
	struct overdue o = { .today = tracks_today() };
	int count = 0;
	const struct published *pub = snapshot_get(app);
	if (!pub)
		return error_set(err, ERR_UNAVAILABLE, "the published data is not loaded yet");
	int rc = store_with(app->pool, find_overdue, &o, err);
	for (size_t i = 0; rc == 0 && i < o.n; i++) {
		struct revoke v = { pub, o.ids[i], o.today, false };
		rc = store_tx(app->pool, revoke_tx, &v, err);
		if (rc)
			rc = sweeper_item_failed("rectification revocation", o.ids[i], rc, err);
		count += v.revoked;
	}
	snapshot_put(pub);
	if (revoked)
		*revoked = count;
	return rc;
}

const struct route postcheck_routes[] = {
	{ "POST", "/v1/post-checks/{id}/result", post_check_result, ROUTE_AUTHENTICATED, 0,
	  RUNS_ON_WORK },
	{ "GET", "/v1/rectifications", rectifications_list, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "POST", "/v1/rectifications/{id}/done", rectification_done, ROUTE_AUTHENTICATED, 0,
	  RUNS_ON_WORK },
	{ 0 },
};
