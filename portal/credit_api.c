/*
 * Credit records over HTTP: GET /v1/organisations/{id}/credit (the organisation its own, the
 * office every one), POST /v1/credit-entries/{id}/appeal, POST /v1/credit-entries/{id}/decision
 * (the office), the oversight rules (GET /v1/public/oversight-rules, POST /v1/oversight-rules)
 * and the sampling the office supervises (GET /v1/supervision/post-check-sampling). No entry is
 * written or changed here without its audit record.
 */
#define _GNU_SOURCE
#include "credit_api.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/app.h"
#include "portal/audit.h"
#include "portal/auth.h"
#include "portal/http.h"
#include "portal/input.h"
#include "portal/router.h"
#include "portal/sweeper.h"
#include "portal/tracks.h"
#include "store/credit.h"
#include "lib/json_text.h"
#include "lib/xalloc.h"

static json_t *day_json(day_t d)
{
	char b[11];
	return d >= 0 ? json_string(cal_day_format(d, b)) : json_null();
}

int credit_api_write(struct store_conn *c, const struct authz_caller *caller,
		     const struct oversight_rules *rules, const char *rule, long long org_id,
		     long long permit_id, long long task_id, day_t occurred, json_t *evidence,
		     long long *id, struct error *err)
{
	if (id)
		*id = 0;
	const struct credit_rule *r = credit_rule_find(rules, rule);
	if (!r || !org_id) {
		json_decref(evidence);
		return 0;
	}
	if (!evidence)
		evidence = json_object();
	char d[11];
	json_object_set_new(evidence, "occurred_on", json_string(cal_day_format(occurred, d)));
	if (permit_id)
		json_object_set_new(evidence, "permit_id", json_integer(permit_id));
	if (task_id)
		json_object_set_new(evidence, "task_id", json_integer(task_id));
	char *text = json_text_sorted(evidence);
	struct credit_new e = { .org_id = org_id, .permit_id = permit_id, .task_id = task_id,
				.rule = rule, .severity = credit_severity_name(r->severity),
				.evidence = text, .rules_version = rules->version,
				.occurred_on = occurred,
				.expires_on = credit_expiry(occurred, r->months) };
	long long got = 0;
	int rc = store_credit_insert(c, &e, &got, err);
	if (!rc && got)
		rc = audit_record_id(c, caller, "credit.entry_written", "credit_entry", got,
				     json_pack("{s:s, s:i, s:I, s:s, s:O}", "rule", rule,
					       "rules_version", rules->version, "org_id",
					       (json_int_t)org_id, "why",
					       caller ? "recorded by the caller's action"
						      : "recorded by the sweep",
					       "evidence", evidence),
				     err);
	if (id)
		*id = got;
	free(text);
	json_decref(evidence);
	return rc;
}

#define REMEDIAL_BATCH 64

struct remedial_one {
	struct remedial_overdue row;
	day_t today;
	bool written;
};

/* One overdue remedial task, locked and checked again, and its entry. */
static int remedial_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct remedial_one *o = ctx;
	o->written = false;
	struct remedial_overdue now;
	size_t n = 0;
	int rc = store_remedial_overdue(c, o->today, o->row.task_id, true, &now, 1, &n, err);
	if (rc || n == 0)
		return rc; /* done or written meanwhile */
	struct oversight_rules rules;
	rc = store_oversight_rules_load(c, 0, &rules, NULL, err);
	if (rc)
		return rc == ERR_NOT_FOUND ? 0 : rc;
	char d[11];
	long long id = 0;
	rc = credit_api_write(c, NULL, &rules, CREDIT_REMEDIAL_OVERDUE, now.org_id, now.permit_id,
			      now.task_id, now.due_day + 1,
			      json_pack("{s:s}", "due_day", cal_day_format(now.due_day, d)), &id,
			      err);
	o->written = !rc && id != 0;
	return rc;
}

struct remedial_batch {
	day_t today;
	struct remedial_overdue rows[REMEDIAL_BATCH];
	size_t n;
};

static int remedial_find(struct store_conn *c, void *ctx, struct error *err)
{
	struct remedial_batch *b = ctx;
	return store_remedial_overdue(c, b->today, 0, false, b->rows, REMEDIAL_BATCH, &b->n, err);
}

int credit_api_sweep(struct app *app, int *written, struct error *err)
{
	struct remedial_batch b = { .today = tracks_today() };
	int count = 0;
	int rc = store_with(app->pool, remedial_find, &b, err);
	for (size_t i = 0; rc == 0 && i < b.n; i++) {
		struct remedial_one o = { .row = b.rows[i], .today = b.today };
		rc = store_tx(app->pool, remedial_tx, &o, err);
		if (rc)
			rc = sweeper_item_failed("remedial credit entry", b.rows[i].task_id, rc, err);
		count += o.written;
	}
	if (written)
		*written = count;
	return rc;
}

int credit_api_standing(struct store_conn *c, long long org_id, day_t today,
			const struct oversight_rules *rules, bool *lost, char *why, size_t len,
			struct error *err)
{
	struct credit_row *rows = NULL;
	size_t n = 0;
	*lost = false;
	int rc = store_credit_entries(c, org_id, 0, false, &rows, &n, err);
	if (rc)
		return rc;
	struct credit_fact *f = xcalloc(n + 1, sizeof(*f));
	for (size_t i = 0; i < n; i++) {
		enum credit_severity s = CREDIT_MINOR;
		credit_severity_parse(rows[i].severity, &s);
		f[i] = (struct credit_fact){ rows[i].id, rows[i].rule, s, rows[i].occurred_on,
					     rows[i].expires_on,
					     !strcmp(rows[i].status, "withdrawn") };
	}
	*lost = credit_fast_track_lost(rules, f, n, today, why, len);
	free(f);
	store_credit_rows_free(rows, n);
	return 0;
}

static json_t *entry_json(const struct credit_row *r, day_t today)
{
	json_t *ev = r->evidence ? json_loads(r->evidence, 0, NULL) : NULL;
	json_t *j = json_pack("{s:I, s:I, s:s, s:i, s:s, s:o, s:o, s:o, s:s, s:b, s:o}", "id",
			      (json_int_t)r->id, "org_id", (json_int_t)r->org_id, "rule", r->rule,
			      "rules_version", r->rules_version, "severity", r->severity,
			      "occurred_on", day_json(r->occurred_on), "expires_on",
			      day_json(r->expires_on), "evidence", ev ? ev : json_object(),
			      "status", r->status, "expired", r->expires_on <= today, "permit_id",
			      r->permit_id ? json_integer(r->permit_id) : json_null());
	if (r->appeal_reason)
		json_object_set_new(j, "appeal", json_pack("{s:s, s:s}", "reason", r->appeal_reason,
							   "at", r->appealed_at));
	if (r->decision[0])
		json_object_set_new(j, "decision",
				    json_pack("{s:s, s:s, s:s}", "decision", r->decision, "reason",
					      r->decision_reason ? r->decision_reason : "", "at",
					      r->decided_at));
	return j;
}

/* --- reading a record ---------------------------------------------------------------------- */

struct record {
	long long org;
	day_t today;
	int limit;
	long long cursor; /* the last entry id of the page before (0: the first page) */
	json_t *reply;
};

static int record_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct record *r = ctx;
	json_decref(r->reply);
	r->reply = NULL;
	struct oversight_rules rules;
	int rc = store_oversight_rules_load(c, 0, &rules, NULL, err);
	struct credit_row *rows = NULL;
	size_t n = 0;
	long long count = 0, standing = 0;
	if (!rc)
		rc = store_credit_page(c, r->org, r->cursor, r->limit, &rows, &n, err);
	if (!rc)
		rc = store_credit_tally(c, r->org, r->today, &count, &standing, err);
	bool lost = false;
	char why[300] = "";
	if (!rc)
		rc = credit_api_standing(c, r->org, r->today, &rules, &lost, why, sizeof(why), err);
	if (!rc) {
		/* the page's entries; count and standing are the whole record's */
		json_t *items = json_array();
		long long last = 0;
		for (size_t i = 0; i < n && i < (size_t)r->limit; i++) {
			json_array_append_new(items, entry_json(&rows[i], r->today));
			last = rows[i].id;
		}
		r->reply = json_pack("{s:I, s:i, s:I, s:I, s:{s:b, s:s?}, s:o}", "org_id",
				     (json_int_t)r->org, "rules_version", rules.version, "count",
				     (json_int_t)count, "standing", (json_int_t)standing,
				     "fast_track", "lost", lost, "reason", lost ? why : NULL,
				     "items", items);
		input_set_cursor(r->reply, n > (size_t)r->limit, last);
	}
	store_credit_rows_free(rows, n);
	return rc;
}

static int credit_record(struct http_request *req, struct http_response *res)
{
	struct record r = { .today = tracks_today() };
	if (input_path_id(req, 0, &r.org))
		return http_fail(res, ERR_NOT_FOUND, "no such organisation");
	struct authz_object obj = { r.org, NULL, 0 };
	if (auth_require(req, res, AZ_CREDIT_READ, &obj))
		return 1;
	struct error err = ERROR_INIT;
	int rc = input_page(req, &r.limit, &r.cursor, &err);
	if (!rc)
		rc = store_with(req->app->pool, record_tx, &r, &err);
	if (rc) {
		json_decref(r.reply);
		http_reply_error(res, &err);
	} else {
		http_add_header(res, "Cache-Control", "no-store");
		http_reply_json(res, 200, r.reply);
	}
	error_release(&err);
	return rc;
}

/* --- appeals ------------------------------------------------------------------------------ */

struct appeal {
	const struct authz_caller *caller;
	long long id;
	const char *reason, *decision;
	bool decide;
	char at[32];
	day_t today;
	json_t *reply;
};

static int appeal_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct appeal *a = ctx;
	json_decref(a->reply); /* a rerun starts afresh */
	a->reply = NULL;
	struct credit_row *rows = NULL;
	size_t n = 0;
	int rc = store_credit_entries(c, 0, a->id, true, &rows, &n, err);
	if (!rc && !n)
		rc = error_set(err, ERR_NOT_FOUND, "no such credit entry");
	if (!rc) {
		struct authz_object obj = { rows[0].org_id, NULL, 0 };
		rc = authz_check(a->caller, a->decide ? AZ_CREDIT_DECIDE : AZ_CREDIT_APPEAL, &obj,
				 err);
	}
	if (!rc && a->decide)
		rc = store_credit_decide(c, a->id, a->decision, a->reason, a->caller->user_id, a->at,
					 err);
	else if (!rc)
		rc = store_credit_appeal(c, a->id, a->reason, a->caller->user_id, a->at, err);
	if (!rc)
		rc = audit_record_id(c, a->caller,
				     a->decide ? "credit.appeal_decided" : "credit.appealed",
				     "credit_entry", a->id,
				     a->decide ? json_pack("{s:s, s:s}", "decision", a->decision,
							   "reason", a->reason)
					       : json_pack("{s:s}", "reason", a->reason),
				     err);
	store_credit_rows_free(rows, n);
	rows = NULL;
	if (!rc)
		rc = store_credit_entries(c, 0, a->id, false, &rows, &n, err);
	if (!rc && n)
		a->reply = entry_json(&rows[0], a->today);
	store_credit_rows_free(rows, n);
	return rc;
}

static int appeal_run(struct http_request *req, struct http_response *res, bool decide)
{
	struct appeal a = { .caller = auth_caller(req), .decide = decide, .today = tracks_today() };
	if (input_path_id(req, 0, &a.id))
		return http_fail(res, ERR_NOT_FOUND, "no such credit entry");
	if (auth_require(req, res, decide ? AZ_CREDIT_DECIDE : AZ_CREDIT_APPEAL, NULL))
		return 1;
	struct error err = ERROR_INIT;
	json_t *body = NULL;
	int rc = http_parse_json(req, &body, &err);
	if (!rc) {
		static const char *const decisions[] = { "upheld", "withdrawn", NULL };
		const char *key;
		json_t *v;
		json_object_foreach(body, key, v)
		{
			if (strcmp(key, "reason") && (!decide || strcmp(key, "decision")))
				error_add(&err, key, "unknown_field", "unknown member '%.60s'", key);
		}
		a.reason = input_str(body, "reason", true, 2000, &err);
		if (decide)
			a.decision = input_enum(body, "decision", true, decisions, &err);
		if (a.reason && !*a.reason)
			error_add(&err, "reason", "required", "say why");
		if (err.ndetails)
			rc = error_set(&err, ERR_INVALID, "%zu problem(s); all are listed",
				       err.ndetails);
	}
	store_format_utc(tracks_now_us(), a.at);
	if (!rc)
		rc = store_tx(req->app->pool, appeal_tx, &a, &err);
	if (rc) {
		json_decref(a.reply);
		http_reply_error(res, &err);
	} else {
		http_reply_json(res, 200, a.reply);
	}
	json_decref(body);
	error_release(&err);
	return rc;
}

static int credit_appeal(struct http_request *req, struct http_response *res)
{
	return appeal_run(req, res, false);
}

static int credit_decide(struct http_request *req, struct http_response *res)
{
	return appeal_run(req, res, true);
}

/* --- the oversight rules ----------------------------------------------------------------- */

struct rules_io {
	const struct authz_caller *caller;
	const char *body;
	int version;
	json_t *reply;
	bool public_view; /* the sampling key as its hash only */
};

/*
 * The public sees a commitment to the sampling key, not the key: with the key and the next
 * permit ids anyone could tell which digs will be checked on site and time a dig to escape its
 * post-check. The office keeps the key and can reveal it later; its hash shows it unchanged.
 */
static void key_to_hash(json_t *rules)
{
	json_t *s = json_object_get(rules, "sampling");
	const char *key = json_string_value(json_object_get(s, "key"));
	if (!key)
		return;
	unsigned char h[32];
	char hex[65];
	crypto_generichash(h, sizeof(h), (const unsigned char *)key, strlen(key), NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	json_object_set_new(s, "key_hash", json_string(hex));
	json_object_del(s, "key");
}

static int rules_read_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct rules_io *r = ctx;
	struct oversight_rules rules;
	char at[21] = "";
	int rc = store_oversight_rules_load(c, r->version, &rules, at, err);
	if (!rc) {
		r->reply = oversight_rules_to_json(&rules);
		json_object_set_new(r->reply, "version", json_integer(rules.version));
		json_object_set_new(r->reply, "published_at", json_string(at));
		if (r->public_view)
			key_to_hash(r->reply);
	}
	return rc;
}

static int rules_public(struct http_request *req, struct http_response *res)
{
	struct rules_io r = { .public_view = true };
	struct error err = ERROR_INIT;
	int rc = store_with(req->app->pool, rules_read_tx, &r, &err);
	if (rc) {
		json_decref(r.reply);
		http_reply_error(res, &err);
	} else {
		http_reply_json(res, 200, r.reply);
	}
	error_release(&err);
	return rc;
}

static int rules_publish_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct rules_io *r = ctx;
	json_decref(r->reply); /* a rerun starts afresh */
	r->reply = NULL;
	int rc = store_oversight_rules_publish(c, r->body, r->caller->user_id, &r->version, err);
	char ref[16];
	snprintf(ref, sizeof(ref), "%d", r->version);
	if (!rc)
		rc = audit_record(c, r->caller, "oversight_rules.publish", "oversight_rules", ref,
				  NULL, err);
	int v = r->version;
	if (!rc)
		rc = rules_read_tx(c, r, err);
	r->version = v;
	return rc;
}

static int rules_publish(struct http_request *req, struct http_response *res)
{
	if (auth_require(req, res, AZ_OVERSIGHT_PUBLISH, NULL))
		return 1;
	struct error err = ERROR_INIT;
	json_t *body = NULL;
	struct oversight_rules rules;
	int rc = http_parse_json(req, &body, &err);
	if (!rc)
		rc = oversight_rules_from_json(body, 0, &rules, &err);
	struct rules_io r = { auth_caller(req), NULL, 0, NULL, false };
	char *text = NULL;
	if (!rc) {
		json_t *canon = oversight_rules_to_json(&rules);
		text = json_text_sorted(canon);
		json_decref(canon);
		r.body = text;
		rc = store_tx(req->app->pool, rules_publish_tx, &r, &err);
	}
	if (rc) {
		json_decref(r.reply);
		http_reply_error(res, &err);
	} else {
		http_reply_json(res, 201, r.reply);
	}
	free(text);
	json_decref(body);
	error_release(&err);
	return rc;
}

/* --- sampling, as supervision sees it ------------------------------------------------------- */

struct sampling {
	json_t *reply;
};

static int sampling_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct sampling *s = ctx;
	json_decref(s->reply);
	s->reply = NULL;
	struct sample_group *g = NULL;
	size_t n = 0;
	int rc = store_sample_groups(c, &g, &n, err);
	json_t *items = json_array();
	for (size_t i = 0; !rc && i < n; i++) {
		struct oversight_rules rules;
		int tol = 0;
		struct error e = ERROR_INIT;
		if (store_oversight_rules_load(c, g[i].rules_version, &rules, NULL, &e) == 0)
			tol = rules.tolerance_percent;
		error_release(&e);
		double got = g[i].permits ? 100.0 * (double)g[i].sampled / (double)g[i].permits : 0;
		double off = got - g[i].share_percent;
		json_array_append_new(
			items, json_pack("{s:i, s:s, s:i, s:I, s:I, s:f, s:i, s:b}", "rules_version",
					 g[i].rules_version, "risk_class", g[i].risk,
					 "share_percent", g[i].share_percent, "permits",
					 (json_int_t)g[i].permits, "sampled",
					 (json_int_t)g[i].sampled, "sampled_percent", got,
					 "tolerance_percent", tol, "within_tolerance",
					 off <= tol && off >= -tol));
	}
	free(g);
	s->reply = json_pack("{s:o}", "items", items);
	return rc;
}

static int sampling_list(struct http_request *req, struct http_response *res)
{
	if (auth_require(req, res, AZ_SUPERVISE, NULL))
		return 1;
	struct sampling s = { NULL };
	struct error err = ERROR_INIT;
	int rc = store_with(req->app->pool, sampling_tx, &s, &err);
	if (rc) {
		json_decref(s.reply);
		http_reply_error(res, &err);
	} else {
		http_add_header(res, "Cache-Control", "no-store");
		http_reply_json(res, 200, s.reply);
	}
	error_release(&err);
	return rc;
}

const struct route credit_routes[] = {
	{ "GET", "/v1/organisations/{id}/credit", credit_record, ROUTE_AUTHENTICATED, 0,
	  RUNS_ON_WORK },
	{ "POST", "/v1/credit-entries/{id}/appeal", credit_appeal, ROUTE_AUTHENTICATED, 0,
	  RUNS_ON_WORK },
	{ "POST", "/v1/credit-entries/{id}/decision", credit_decide, ROUTE_AUTHENTICATED, 0,
	  RUNS_ON_WORK },
	{ "GET", "/v1/public/oversight-rules", rules_public, ROUTE_PUBLIC, 0, RUNS_ON_WORK },
	{ "POST", "/v1/oversight-rules", rules_publish, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "GET", "/v1/supervision/post-check-sampling", sampling_list, ROUTE_AUTHENTICATED, 0,
	  RUNS_ON_WORK },
	{ 0 },
};
