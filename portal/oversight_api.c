/*
 * Oversight endpoints: what is overdue and every clock pause (office), ratings and their
 * follow-ups, certificates anyone can verify and the keys that sign them; plus the daily digest
 * called by the sweeper.
 */
#define _GNU_SOURCE
#include "oversight_api.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "portal/audit.h"
#include "portal/auth.h"
#include "portal/input.h"
#include "portal/keys.h"
#include "store/endpoints.h"
#include "portal/router.h"
#include "portal/snapshot.h"
#include "portal/tracks.h"
#include "store/oversight.h"
#include "store/overruns.h"
#include "store/tasks.h"
#include "workflows/permit.h"
#include "workflows/standards.h"
#include "workflows/authz.h"
#include "workflows/certificate.h"
#include "workflows/feedback.h"
#include "workflows/clock.h"
#include "demo/sample_history.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"

#define OVERDUE_CAP 2000

static json_t *day_json(day_t d)
{
	char b[11];
	return d >= 0 ? json_string(cal_day_format(d, b)) : json_null();
}

/* --- certificates ---------------------------------------------------------------------- */

struct cert_read {
	const char *number;
	json_t *reply;
};

static int cert_read_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct cert_read *r = ctx;
	struct certificate_row row;
	int rc = store_certificate_get(c, r->number, &row, err);
	if (rc)
		return rc;
	enum certificate_status st =
	    certificate_status_of(tracks_today(), row.valid_to, row.object_state);
	json_t *doc = json_loads(row.document, 0, NULL);
	r->reply =
	    json_pack("{s:s, s:s, s:o, s:s, s:{s:s, s:s, s:s, s:s}}", "number", row.number,
		      "status", certificate_status_name(st), "certificate", doc ? doc : json_null(),
		      "document", row.document, "signature", "algorithm", "ed25519", "encoding",
		      "base64", "key_id", row.key_id, "value", row.signature);
	json_object_set_new(json_object_get(r->reply, "signature"), "public_key",
			    json_string(row.public_key));
	store_certificate_row_release(&row);
	return 0;
}

static int certificate_get(struct http_request *req, struct http_response *res)
{
	struct cert_read r = {req->params[0], NULL};
	if (strlen(r.number) > 23)
		return http_fail(res, ERR_NOT_FOUND, "no such certificate");
	struct error err = ERROR_INIT;
	int rc = store_with(req->app->pool, cert_read_tx, &r, &err);
	if (rc) {
		http_reply_error(res, &err);
	} else {
		http_add_header(res, "Cache-Control", "public, max-age=60");
		http_reply_json(res, 200, r.reply);
	}
	error_release(&err);
	return rc;
}

static int keys_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct signing_key k;
	int rc = keys_current(c, &k, err); /* the current key is published before it signs */
	sodium_memzero(&k, sizeof(k));
	if (!rc)
		rc = store_keys(c, (json_t **)ctx, err);
	/* and the keys v1a webhook endpoints are signed with (Standard Webhooks, §6) */
	return rc ? rc : store_endpoint_public_keys(c, *(json_t **)ctx, err);
}

static int keys_get(struct http_request *req, struct http_response *res)
{
	json_t *items = NULL;
	struct error err = ERROR_INIT;
	int rc = store_with(req->app->pool, keys_tx, &items, &err);
	if (rc) {
		http_reply_error(res, &err);
	} else {
		http_add_header(res, "Cache-Control", "public, max-age=300");
		http_reply_json(res, 200, json_pack("{s:o}", "keys", items));
	}
	error_release(&err);
	return rc;
}

/* --- supervision ----------------------------------------------------------------------- */

static json_t *overdue_json_at(const struct overdue_row *o, const struct calendar *cal,
				day_t today);

static json_t *overdue_json(const struct overdue_row *o, const struct calendar *cal, day_t today)
{
	if (o->answered_day >= 0) {
		/* guidance answered late (issue #20): how late it was when answered */
		json_t *j = overdue_json_at(o, cal, o->answered_day);
		json_object_set_new(j, "answered_on", day_json(o->answered_day));
		json_object_set_new(j, "answered_late", json_true());
		return j;
	}
	return overdue_json_at(o, cal, today);
}

static json_t *overdue_json_at(const struct overdue_row *o, const struct calendar *cal, day_t today)
{
	struct clock k = {.due_day = o->due_day};
	/* "sample": generated demo data (portal seed-demo), not a real case */
	return json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:{s:I, s:s}, s:s, s:o, s:o, s:i, "
			 "s:b}",
			 "object", o->object_type, "id", (json_int_t)o->id, "reference",
			 o->reference, "application", o->app_reference, "kind", o->kind, "state",
			 o->state, "stage", o->stage, "organisation", "id", (json_int_t)o->org_id,
			 "name", o->org_name, "district", o->district, "started_on",
			 day_json(o->started_day), "due_date", day_json(o->due_day), "days_overdue",
			 clock_days_overdue(&k, cal, today), "sample",
			 sample_reference(o->reference));
}

struct overdue {
	const struct published *pub;
	day_t today;
	json_t *items;
};

static int overdue_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct overdue *o = ctx;
	struct overdue_row *rows = NULL;
	size_t n = 0;
	int rc = store_overdue(c, o->today, &rows, &n, OVERDUE_CAP, err);
	o->items = json_array();
	for (size_t i = 0; !rc && i < n; i++)
		json_array_append_new(o->items, overdue_json(&rows[i], &o->pub->cal, o->today));
	free(rows);
	return rc;
}

static int supervision_overdue(struct http_request *req, struct http_response *res)
{
	if (auth_require(req, res, AZ_SUPERVISE, NULL))
		return 1;
	struct error err = ERROR_INIT;
	struct overdue o = {snapshot_get(req->app), tracks_today(), NULL};
	int rc = o.pub ? store_with(req->app->pool, overdue_tx, &o, &err)
		       : error_set(&err, ERR_UNAVAILABLE, "the calendar is not loaded yet");
	if (rc) {
		json_decref(o.items);
		http_reply_error(res, &err);
	} else {
		char d[11];
		size_t i, late = 0;
		json_t *it;
		json_array_foreach(o.items, i, it) late +=
		    json_is_true(json_object_get(it, "answered_late"));
		http_add_header(res, "Cache-Control", "no-store");
		http_reply_json(res, 200,
				json_pack("{s:s, s:i, s:i, s:o}", "as_of",
					  cal_day_format(o.today, d), "count",
					  (int)json_array_size(o.items), "answered_late", (int)late,
					  "items", o.items));
	}
	if (o.pub)
		snapshot_put(o.pub);
	error_release(&err);
	return rc;
}

/* --- overruns: dig-road work windows that ran out (issue #21) ---------------------------- */

static json_t *overrun_json(const struct overrun_row *o, const struct calendar *cal, day_t today)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:{s:I, s:s}, s:o, s:o, s:o, s:o, s:i, s:i, s:b}",
			 "permit_id", (json_int_t)o->permit_id, "reference", o->reference,
			 "application", o->app_reference, "state", o->state, "authority", "id",
			 (json_int_t)o->authority_org_id, "name", o->authority, "window_from",
			 day_json(o->window_from), "window_to", day_json(o->window_to),
			 "overrunning_from", day_json(o->overrunning_from), "detected_on",
			 day_json(o->detected_on), "days_at_detection", o->days_at_detection,
			 "days_overrun", calendar_working_days_between(cal, o->window_to, today),
			 "extension_pending", o->extension_pending);
}

static int overruns_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct overdue *o = ctx;
	struct overrun_row *rows = NULL;
	size_t n = 0;
	int rc = store_overruns_open(c, &rows, &n, OVERDUE_CAP, err);
	o->items = json_array();
	for (size_t i = 0; !rc && i < n; i++)
		json_array_append_new(o->items, overrun_json(&rows[i], &o->pub->cal, o->today));
	free(rows);
	return rc;
}

/* The office's list of dig-road permits whose work window ran out and that are not closed. */
static int supervision_overruns(struct http_request *req, struct http_response *res)
{
	if (auth_require(req, res, AZ_SUPERVISE, NULL))
		return 1;
	struct error err = ERROR_INIT;
	struct overdue o = {snapshot_get(req->app), tracks_today(), NULL};
	int rc = o.pub ? store_with(req->app->pool, overruns_tx, &o, &err)
		       : error_set(&err, ERR_UNAVAILABLE, "the calendar is not loaded yet");
	if (rc) {
		json_decref(o.items);
		http_reply_error(res, &err);
	} else {
		char d[11];
		http_add_header(res, "Cache-Control", "no-store");
		http_reply_json(res, 200,
				json_pack("{s:s, s:i, s:o}", "as_of", cal_day_format(o.today, d),
					  "count", (int)json_array_size(o.items), "items",
					  o.items));
	}
	if (o.pub)
		snapshot_put(o.pub);
	error_release(&err);
	return rc;
}

/* --- post-checks: the authority's queue of fast-tracked permits to check (issue #21) ------- */

struct post_checks {
	const struct published *pub;
	day_t today;
	long long org; /* 0: every organisation's (the office) */
	struct strbuf items; /* the items' JSON text, written as the rows come (store/tasks.h) */
	size_t count, overdue;
};

/* store/tasks.h's post_check_due_fn: the fast-track post-check stage of the standard in force. */
static bool post_check_due(void *ctx, const char *kind, day_t submitted_day, day_t opened_on,
			   day_t *due, int *limit_days, int *days_overdue)
{
	const struct post_checks *q = ctx;
	const struct service_standard *std =
		standards_in_force((const struct service_standard *const *)q->pub->standards,
				   q->pub->nstandards, kind, submitted_day);
	*limit_days = std && std->has_fast_track ? std->fast_track.post_check_days : 0;
	return permit_post_check_due(&q->pub->cal, *limit_days, opened_on, q->today, due,
				     days_overdue);
}

static int post_checks_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct post_checks *q = ctx;
	q->items.len = 0; /* a rerun starts over */
	return store_post_checks_open(c, q->org, OVERDUE_CAP, post_check_due, q, &q->items,
				      &q->count, &q->overdue, err);
}

/* The open post-checks: an authority's own, or every one for the office; overdue flagged. */
static int post_checks_list(struct http_request *req, struct http_response *res)
{
	if (auth_require(req, res, AZ_PERMIT_LIST, NULL))
		return 1;
	const struct authz_caller *caller = auth_caller(req);
	struct error err = ERROR_INIT;
	struct post_checks q = {.pub = snapshot_get(req->app),
				.today = tracks_today(),
				.org = caller->kind == ROLE_OFFICE ? 0 : caller->org_id};
	int rc = q.pub ? store_with(req->app->pool, post_checks_tx, &q, &err)
		       : error_set(&err, ERR_UNAVAILABLE, "the published standards are not loaded yet");
	if (rc) {
		http_reply_error(res, &err);
	} else {
		/* as json_pack("{s:s, s:i, s:i, s:o}", "as_of", ...) and json_text write it */
		char d[11];
		struct strbuf o = {0};
		strbuf_printf(&o, "{\"as_of\":\"%s\",\"count\":%zu,\"overdue\":%zu,\"items\":",
			      cal_day_format(q.today, d), q.count, q.overdue);
		strbuf_add(&o, q.items.p, q.items.len);
		strbuf_add(&o, "}", 1);
		http_add_header(res, "Cache-Control", "no-store");
		http_reply_json_text(res, 200, o.p, o.len); /* takes the text */
	}
	free(q.items.p);
	if (q.pub)
		snapshot_put(q.pub);
	error_release(&err);
	return rc;
}

struct page {
	int limit;
	long long after, org;
	json_t *reply;
};

static int pauses_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct page *p = ctx;
	json_t *items = NULL;
	long long last = 0;
	bool more = false;
	int rc = store_pauses(c, p->after, p->limit, &items, &last, &more, err);
	if (rc)
		return rc;
	p->reply = json_pack("{s:o}", "items", items);
	input_set_cursor(p->reply, more, last);
	return 0;
}

static int follow_ups_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct page *p = ctx;
	json_t *items = NULL;
	long long last = 0;
	bool more = false;
	int rc = store_follow_ups(c, p->org, p->after, p->limit, &items, &last, &more, err);
	if (rc)
		return rc;
	p->reply = json_pack("{s:o}", "items", items);
	input_set_cursor(p->reply, more, last);
	return 0;
}

static int list(struct http_request *req, struct http_response *res, struct page *p,
		int (*fn)(struct store_conn *, void *, struct error *))
{
	struct error err = ERROR_INIT;
	int rc = input_page(req, &p->limit, &p->after, &err);
	if (!rc && err.ndetails)
		rc = error_set(&err, ERR_INVALID, "bad paging");
	if (!rc)
		rc = store_with(req->app->pool, fn, p, &err);
	if (rc) {
		http_reply_error(res, &err);
	} else {
		http_add_header(res, "Cache-Control", "no-store");
		http_reply_json(res, 200, p->reply);
	}
	error_release(&err);
	return rc;
}

static int supervision_pauses(struct http_request *req, struct http_response *res)
{
	if (auth_require(req, res, AZ_SUPERVISE, NULL))
		return 1;
	struct page p = {0};
	return list(req, res, &p, pauses_tx);
}

static int follow_ups_list(struct http_request *req, struct http_response *res)
{
	const struct authz_caller *who = auth_caller(req);
	if (who->kind != ROLE_OFFICE && who->kind != ROLE_UTILITY && who->kind != ROLE_AUTHORITY)
		return http_fail(res, ERR_FORBIDDEN,
				 "follow-ups are for rated organisations and the office");
	struct page p = {.org = who->kind == ROLE_OFFICE ? 0 : who->org_id};
	return list(req, res, &p, follow_ups_tx);
}

/* --- ratings --------------------------------------------------------------------------- */

struct rate {
	const struct authz_caller *caller;
	const char *object, *score, *comment;
	long long id;
	json_t *reply;
};

static int rate_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct rate *r = ctx;
	struct rating_target t;
	int rc = store_rating_target(c, r->object, r->id, &t, err);
	if (rc)
		return rc;
	long long party[] = {t.rated_org_id};
	struct authz_object obj = {t.owner_org_id, party, 1};
	if ((rc = authz_check(r->caller, AZ_RATE, &obj, err)))
		return rc;
	if ((rc = feedback_rateable(r->object, t.state, t.decision, t.reference, err)))
		return rc;
	struct rating_new rn = {
	    r->object,		r->id,		t.application_id, r->caller->org_id,
	    r->caller->user_id, t.rated_org_id, r->score,	  r->comment};
	long long rating_id = 0, follow_up = 0;
	if ((rc = store_rating_insert(c, &rn, &rating_id, err)))
		return rc;
	if (feedback_opens_follow_up(r->score)) {
		rc = store_follow_up_open(c, rating_id, t.rated_org_id, &follow_up, err);
		if (!rc)
			rc = tracks_emit(c, t.rated_org_id, t.application_id, NULL,
					 "follow_up.opened",
					 json_pack("{s:I, s:s, s:s, s:s, s:s}", "follow_up_id",
						   (json_int_t)follow_up, "object", r->object,
						   "reference", t.reference, "score", r->score,
						   "comment", r->comment ? r->comment : ""),
					 err);
	}
	if (!rc)
		rc = audit_record(c, r->caller, "rating.create", r->object, t.reference,
				  json_pack("{s:s}", "score", r->score), err);
	if (rc)
		return rc;
	r->reply =
	    json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)rating_id, "object",
		      r->object, "object_id", (json_int_t)r->id, "reference", t.reference, "score",
		      r->score, "comment", r->comment ? r->comment : "", "follow_up_id",
		      follow_up ? json_integer(follow_up) : json_null());
	return 0;
}

static int rating_create(struct http_request *req, struct http_response *res)
{
	static const char *const keys[] = {"object", "id", "score", "comment", NULL};
	static const char *const objects[] = {"job", "permit", NULL};
	static const char *const scores[] = {"good", "average", "bad", NULL};
	struct error err = ERROR_INIT;
	json_t *body = NULL;
	struct rate r = {.caller = auth_caller(req)};
	int rc = http_parse_json(req, &body, &err);
	if (!rc) {
		http_reject_unknown(body, keys, "", &err);
		r.object = input_enum(body, "object", true, objects, &err);
		input_int(body, "id", true, 1, (1LL << 62), &r.id, &err);
		r.score = input_enum(body, "score", true, scores, &err);
		r.comment = input_str(body, "comment", false, 2000, &err);
		if (err.ndetails)
			rc = error_set(&err, ERR_INVALID, "the rating has %zu problem(s)",
				       err.ndetails);
	}
	if (!rc && r.caller->kind != ROLE_APPLICANT)
		rc =
		    error_set(&err, ERR_FORBIDDEN, "only the applicant rates its jobs and permits");
	if (!rc)
		rc = store_tx(req->app->pool, rate_tx, &r, &err);
	if (rc)
		http_reply_error(res, &err);
	else
		http_reply_json(res, 201, r.reply);
	json_decref(body);
	error_release(&err);
	return rc;
}

/* --- follow-ups ------------------------------------------------------------------------ */

struct settle {
	const struct authz_caller *caller;
	long long id;
	bool close;
	const char *text;
	json_t *reply;
};

static int settle_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct settle *s = ctx;
	long long org = 0;
	char status[16];
	int rc = store_follow_up_get(c, s->id, true, &org, status, err);
	if (rc)
		return rc;
	bool office = s->caller->kind == ROLE_OFFICE;
	if (!office && org != s->caller->org_id)
		return error_set(err, ERR_NOT_FOUND, "no such follow-up");
	if ((rc = feedback_settle(status, s->close, s->caller->kind, err)))
		return rc;
	rc = s->close ? store_follow_up_close(c, s->id, s->caller->user_id, s->text, err)
		      : store_follow_up_answer(c, s->id, s->caller->user_id, s->text, err);
	char ref[24];
	snprintf(ref, sizeof(ref), "%lld", s->id);
	if (!rc)
		rc = audit_record(c, s->caller, s->close ? "follow_up.close" : "follow_up.answer",
				  "follow_up", ref, NULL, err);
	if (!rc)
		rc = store_follow_up_json(c, s->id, &s->reply, err);
	return rc;
}

static int settle(struct http_request *req, struct http_response *res, bool close)
{
	static const char *const answer_keys[] = {"answer", NULL};
	static const char *const close_keys[] = {"note", NULL};
	struct settle s = {.caller = auth_caller(req), .close = close};
	if (input_path_id(req, 0, &s.id))
		return http_fail(res, ERR_NOT_FOUND, "no such follow-up");
	struct error err = ERROR_INIT;
	json_t *body = NULL;
	int rc = http_parse_json(req, &body, &err);
	if (!rc) {
		http_reject_unknown(body, close ? close_keys : answer_keys, "", &err);
		s.text = input_str(body, close ? "note" : "answer", !close, 4000, &err);
		if (err.ndetails)
			rc = error_set(&err, ERR_INVALID, "the request has %zu problem(s)",
				       err.ndetails);
	}
	if (!rc)
		rc = store_tx(req->app->pool, settle_tx, &s, &err);
	if (rc)
		http_reply_error(res, &err);
	else
		http_reply_json(res, 200, s.reply);
	json_decref(body);
	error_release(&err);
	return rc;
}

static int follow_up_answer(struct http_request *req, struct http_response *res)
{
	return settle(req, res, false);
}

static int follow_up_close(struct http_request *req, struct http_response *res)
{
	return settle(req, res, true);
}

/* --- the daily digest ------------------------------------------------------------------ */

struct digest {
	const struct published *pub;
	day_t today;
	int events;
};

static int digest_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct digest *d = ctx;
	d->events = 0;
	bool mine = false;
	int rc = store_digest_claim(c, d->today, &mine, err);
	if (rc || !mine)
		return rc;
	struct overdue_row *rows = NULL;
	size_t n = 0;
	if ((rc = store_overdue(c, d->today, &rows, &n, OVERDUE_CAP, err)))
		return rc;
	char day[11];
	cal_day_format(d->today, day);
	/* rows come by due day; gather each organisation's once, in order of first appearance */
	bool *done = xcalloc(n + 1, sizeof(bool));
	for (size_t i = 0; !rc && i < n; i++) {
		if (done[i])
			continue;
		json_t *items = json_array();
		for (size_t j = i; j < n; j++) {
			if (rows[j].org_id != rows[i].org_id)
				continue;
			done[j] = true;
			json_array_append_new(items,
					      overdue_json(&rows[j], &d->pub->cal, d->today));
		}
		rc = tracks_emit(c, rows[i].org_id, 0, NULL, "supervision.digest",
				 json_pack("{s:s, s:i, s:o}", "date", day, "overdue",
					   (int)json_array_size(items), "items", items),
				 err);
		d->events++;
	}
	free(done);
	free(rows);
	return rc;
}

int oversight_digest_run(struct app *app, int *events, struct error *err)
{
	static _Atomic day_t done_day = -1; /* spares the database a claim on every sweep */
	day_t today = tracks_today();
	if (events)
		*events = 0;
	if (done_day == today)
		return 0;
	struct digest d = {snapshot_get(app), today, 0};
	if (!d.pub)
		return 0; /* nothing to count days with yet: the next sweep tries again */
	int rc = store_tx(app->pool, digest_tx, &d, err);
	snapshot_put(d.pub);
	if (!rc)
		done_day = today;
	if (!rc && events)
		*events = d.events;
	return rc;
}

const struct route oversight_routes[] = {
    {"GET", "/v1/supervision/overdue", supervision_overdue, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK},
    {"GET", "/v1/supervision/overruns", supervision_overruns, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK},
    {"GET", "/v1/post-checks", post_checks_list, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK},
    {"GET", "/v1/supervision/pauses", supervision_pauses, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK},
    {"POST", "/v1/ratings", rating_create, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK},
    {"GET", "/v1/follow-ups", follow_ups_list, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK},
    {"POST", "/v1/follow-ups/{id}/answer", follow_up_answer, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK},
    {"POST", "/v1/follow-ups/{id}/close", follow_up_close, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK},
    {"GET", "/v1/public/certificates/{number}", certificate_get, ROUTE_PUBLIC, 0, RUNS_ON_WORK},
    {"GET", "/v1/public/keys", keys_get, ROUTE_PUBLIC, 0, RUNS_ON_WORK},
    {0},
};
