/*
 * The publishing side: utilities and authorities draft and publish their fee schedules, the
 * office its service standards and the working-day calendar. A published version never
 * changes; a new version supersedes it from its effective date. Every publication is audited
 * and refreshes the in-memory snapshot before the reply, so the next public read sees it.
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
#include "portal/public_api.h"
#include "portal/reply.h"
#include "portal/router.h"
#include "portal/snapshot.h"
#include "store/accounts.h"
#include "store/published.h"
#include "workflows/authz.h"
#include "workflows/fees.h"
#include "workflows/standards.h"
#include "lib/xalloc.h"
#include "lib/json_text.h"

/* What each kind of document needs from this file. */
struct doc_kind {
	enum pub_table table;
	int draft_action, publish_action;
	const char *noun;	 /* for messages */
	const char *audit_type;	 /* audit object_type */
	const char *audit_prefix; /* "fees" -> "fees.draft", "fees.publish" */
	const char *kind_field;	 /* "utility_kind" or "kind" */
};

static const struct doc_kind FEES = { PUB_FEES,	      AZ_FEES_DRAFT, AZ_FEES_PUBLISH,
				      "fee schedule", "fee_schedule", "fees",
				      "utility_kind" };
static const struct doc_kind STANDARDS = { PUB_STANDARDS,	  AZ_STANDARDS_PUBLISH,
					   AZ_STANDARDS_PUBLISH,  "service standard",
					   "service_standard",	  "standards",
					   "kind" };

/* Everything a handler hands to its transaction. */
struct op {
	const struct doc_kind *dk;
	const struct authz_caller *caller;
	json_t *doc;	       /* the document as it will be stored (without version) */
	const char *kind;      /* borrowed from doc */
	char effective_from[11];
	long long org_id;      /* POST: the owner (caller's org unless the office names one) */
	long long id;	       /* path id */
	int limit;
	long long after;
	day_t today;
	struct reply_out reply;
	struct calendar_day *days; /* calendar */
	size_t ndays;
	int year, cutoff;
};

static int audit(struct store_conn *c, const struct op *op, const char *verb, const char *type,
		 const char *id, json_t *detail, struct error *err)
{
	char action[48];
	snprintf(action, sizeof(action), "%s.%s", op->dk ? op->dk->audit_prefix : "calendar",
		 verb);
	return audit_record(c, op->caller, action, type, id, detail, err);
}

static int audit_row(struct store_conn *c, const struct op *op, const char *verb, long long id,
		     json_t *detail, struct error *err)
{
	char idbuf[24];
	snprintf(idbuf, sizeof(idbuf), "%lld", id);
	return audit(c, op, verb, op->dk->audit_type, idbuf, detail, err);
}

/* ---------------------------------------------------------------- documents */

/*
 * Parses a stored or submitted document with `version` (0: a draft). Returns 0 and the parsed
 * document in *fs or *st, or the errors (every problem listed).
 */
static int parse_doc(const struct doc_kind *dk, const json_t *doc, int version,
		     struct fee_schedule **fs, struct service_standard **st, struct error *err)
{
	json_t *copy = json_deep_copy(doc);
	/* fees_schedule_from_json wants a version; a draft has none yet, so lend it 1 */
	json_object_set_new(copy, "version", json_integer(dk == &FEES && !version ? 1 : version));
	int rc = dk == &FEES ? fees_schedule_from_json(copy, fs, err)
			     : standards_from_json(copy, st, err);
	json_decref(copy);
	return rc;
}

/* The problems publishing it today would meet (as a JSON list, possibly empty). */
static json_t *problems_json(const struct doc_kind *dk, const json_t *doc, day_t today)
{
	struct error err = ERROR_INIT;
	struct fee_schedule *fs = NULL;
	struct service_standard *st = NULL;
	if (parse_doc(dk, doc, 1, &fs, &st, &err) == 0) {
		if (fs)
			fees_validate_schedule(fs, today, &err);
		else
			standards_validate_publish(st, today, &err);
	}
	json_t *list = json_array();
	for (size_t i = 0; i < err.ndetails; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "field",
						      err.details[i].field, "code",
						      err.details[i].code, "message",
						      err.details[i].message));
	fees_schedule_free(fs);
	standards_free(st);
	error_release(&err);
	return list;
}

static json_t *row_json(const struct doc_kind *dk, const struct pub_row *r, day_t today)
{
	json_t *doc = json_loads(r->body, 0, NULL);
	if (!doc)
		doc = json_object();
	json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:o, s:s, s:s, s:o}", "id", (json_int_t)r->id,
			      "organisation_id", (json_int_t)r->org_id, dk->kind_field, r->kind,
			      "status", r->published ? "published" : "draft", "version",
			      r->published ? json_integer(r->version) : json_null(),
			      "effective_from", r->effective_from, "created_at", r->created_at,
			      "published_at",
			      r->published ? json_string(r->published_at) : json_null());
	if (!r->published)
		json_object_set_new(o, "problems", problems_json(dk, doc, today));
	json_object_del(doc, "version");
	json_object_set_new(o, "document", doc);
	return o;
}

/*
 * Reads a submitted document: shape and rules of the document type (every problem listed), no
 * "version" (the server numbers versions at publication). On success op->doc is the canonical
 * document without a version, op->kind and op->effective_from set.
 */
static void read_doc(struct op *op, json_t *body, struct error *err)
{
	if (json_object_get(body, "version"))
		error_add(err, "version", "not_allowed", "versions are numbered at publication");
	json_t *doc = json_deep_copy(body);
	json_object_del(doc, "version");
	json_object_del(doc, "org_id");
	struct fee_schedule *fs = NULL;
	struct service_standard *st = NULL;
	if (parse_doc(op->dk, doc, 0, &fs, &st, err) == 0) {
		op->doc = fs ? fees_schedule_to_json(fs) : standards_to_json(st);
		json_object_del(op->doc, "version");
		op->kind = json_string_value(json_object_get(op->doc, op->dk->kind_field));
		cal_day_format(fs ? fs->effective_from : st->effective_from, op->effective_from);
	}
	fees_schedule_free(fs);
	standards_free(st);
	json_decref(doc);
}

/* A fee kind an organisation may publish: its own subkind; the office any. */
static int check_fee_kind(const struct op *op, const char *org_kind, const char *subkind,
			  struct error *err)
{
	if (op->dk != &FEES || strcmp(org_kind, "office") == 0)
		return 0;
	if (strcmp(subkind, op->kind) == 0)
		return 0;
	error_add(err, "utility_kind", "not_allowed", "this organisation publishes %s fees only",
		  *subkind ? subkind : "no");
	return error_set(err, ERR_INVALID, "the schedule is for another kind");
}

/* ---------------------------------------------------------------- handlers' plumbing */

/*
 * Runs fn in a transaction and answers (reply_tx); after a publication, refreshes the snapshot
 * before the reply leaves, so the next public read sees it.
 */
static int run(struct http_request *req, struct http_response *res, int status,
	       int (*fn)(struct store_conn *, void *, struct error *), struct op *op,
	       bool published)
{
	op->today = snapshot_today();
	int rc = reply_tx(req, res, status, fn, op, &op->reply);
	if (!rc && published) {
		/* committed; the poller would catch it within a second anyway */
		struct error ignored = ERROR_INIT;
		snapshot_refresh(req->app, &ignored);
		error_release(&ignored);
	}
	json_decref(op->doc);
	free(op->days);
	return rc;
}

static int finish_validation(struct http_response *res, struct error *err, struct op *op,
			     json_t *body)
{
	json_decref(body);
	if (!err->ndetails && !err->code)
		return 0;
	if (!err->code || err->code == ERR_INVALID)
		error_set(err, ERR_INVALID, "the request has %zu problem(s); see details",
			  err->ndetails);
	http_reply_error(res, err);
	error_release(err);
	json_decref(op->doc);
	op->doc = NULL;
	return ERR_INVALID;
}

/* ---------------------------------------------------------------- drafts */

static int create_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	json_decref(op->reply.json); /* a retried transaction starts afresh */
	op->reply.json = NULL;
	struct org_row org;
	int rc = store_org_get(c, op->org_id, &org, err);
	if (rc)
		return rc == ERR_NOT_FOUND ? error_set(err, ERR_NOT_FOUND, "no such organisation")
					   : rc;
	rc = check_fee_kind(op, org.kind, org.subkind, err);
	char *body = json_text(op->doc);
	long long id = 0;
	if (!rc)
		rc = store_pub_draft_create(c, op->dk->table, op->org_id, op->kind,
					    op->effective_from, body, op->caller->user_id, &id,
					    err);
	free(body);
	struct pub_row row;
	if (!rc)
		rc = audit_row(c, op, "draft", id,
			       json_pack("{s:s, s:s}", "kind", op->kind, "effective_from",
					 op->effective_from),
			       err);
	if (!rc)
		rc = store_pub_get(c, op->dk->table, id, false, &row, err);
	if (!rc) {
		op->reply.json = row_json(op->dk, &row, op->today);
		store_pub_row_release(&row);
	}
	return rc;
}

static int create(struct http_request *req, struct http_response *res, const struct doc_kind *dk)
{
	struct error err = ERROR_INIT;
	struct op op = { .dk = dk, .caller = auth_caller(req) };
	if (auth_require(req, res, dk->draft_action, NULL))
		return 1;
	op.org_id = op.caller->org_id;
	json_t *body = NULL;
	if (http_parse_json(req, &body, &err) == 0) {
		long long org = 0;
		input_int(body, "org_id", false, 1, (1LL << 62), &org, &err);
		read_doc(&op, body, &err);
		if (org && org != op.org_id) {
			struct authz_object obj = { .owner_org_id = org };
			if (auth_require(req, res, dk->draft_action, &obj)) {
				json_decref(body);
				json_decref(op.doc);
				error_release(&err);
				return 1;
			}
			op.org_id = org;
		}
	}
	if (finish_validation(res, &err, &op, body))
		return 1;
	return run(req, res, 201, create_tx, &op, false);
}

/* Loads the path's row and checks the caller may do `action` to it (404 when not visible). */
static int load_authorised(struct store_conn *c, struct op *op, int action, struct pub_row *row,
			   struct error *err)
{
	int rc = store_pub_get(c, op->dk->table, op->id, true, row, err);
	if (rc)
		return rc;
	struct authz_object obj = { .owner_org_id = row->org_id };
	rc = authz_check(op->caller, action, &obj, err);
	if (rc)
		store_pub_row_release(row);
	return rc;
}

static int get_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	struct pub_row row;
	json_decref(op->reply.json); /* a retried transaction starts afresh */
	op->reply.json = NULL;
	int rc = load_authorised(c, op, op->dk->draft_action, &row, err);
	if (!rc) {
		op->reply.json = row_json(op->dk, &row, op->today);
		store_pub_row_release(&row);
	}
	return rc;
}

static int get_one(struct http_request *req, struct http_response *res, const struct doc_kind *dk)
{
	struct op op = { .dk = dk, .caller = auth_caller(req) };
	if (input_path_id(req, 0, &op.id))
		return http_fail(res, ERR_NOT_FOUND, "no such %s", dk->noun);
	return run(req, res, 200, get_tx, &op, false);
}

static int update_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	struct pub_row row;
	json_decref(op->reply.json); /* a retried transaction starts afresh */
	op->reply.json = NULL;
	int rc = load_authorised(c, op, op->dk->draft_action, &row, err);
	if (rc)
		return rc;
	bool published = row.published;
	int version = row.version;
	store_pub_row_release(&row);
	if (published)
		return error_set(err, ERR_CONFLICT,
				 "version %d is published and immutable; draft a new version",
				 version);
	struct org_row org;
	rc = store_org_get(c, row.org_id, &org, err);
	if (!rc)
		rc = check_fee_kind(op, org.kind, org.subkind, err);
	char *body = json_text(op->doc);
	if (!rc)
		rc = store_pub_draft_update(c, op->dk->table, op->id, op->kind, op->effective_from,
					    body, err);
	free(body);
	if (!rc)
		rc = audit_row(c, op, "update", op->id,
			       json_pack("{s:s, s:s}", "kind", op->kind, "effective_from",
					 op->effective_from),
			       err);
	if (!rc)
		rc = store_pub_get(c, op->dk->table, op->id, false, &row, err);
	if (!rc) {
		op->reply.json = row_json(op->dk, &row, op->today);
		store_pub_row_release(&row);
	}
	return rc;
}

static int update(struct http_request *req, struct http_response *res, const struct doc_kind *dk)
{
	struct error err = ERROR_INIT;
	struct op op = { .dk = dk, .caller = auth_caller(req) };
	if (input_path_id(req, 0, &op.id))
		return http_fail(res, ERR_NOT_FOUND, "no such %s", dk->noun);
	json_t *body = NULL;
	if (http_parse_json(req, &body, &err) == 0) {
		if (json_object_get(body, "org_id"))
			error_add(&err, "org_id", "not_allowed", "a draft keeps its organisation");
		read_doc(&op, body, &err);
	}
	if (finish_validation(res, &err, &op, body))
		return 1;
	return run(req, res, 200, update_tx, &op, false);
}

static int list_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	struct pub_row *rows = NULL;
	size_t n = 0;
	json_decref(op->reply.json); /* a retried transaction starts afresh */
	op->reply.json = NULL;
	long long org = op->caller->kind == ROLE_OFFICE ? op->org_id : op->caller->org_id;
	int rc = store_pub_list(c, op->dk->table, org, op->kind, op->after, op->limit + 1, &rows,
				&n, err);
	if (rc)
		return rc;
	size_t shown = n > (size_t)op->limit ? (size_t)op->limit : n;
	json_t *items = json_array();
	for (size_t i = 0; i < shown; i++)
		json_array_append_new(items, row_json(op->dk, &rows[i], op->today));
	op->reply.json = json_pack("{s:o}", "items", items);
	input_set_cursor(op->reply.json, n > shown, shown ? rows[shown - 1].id : 0);
	store_pub_rows_free(rows, n);
	return 0;
}

static int list(struct http_request *req, struct http_response *res, const struct doc_kind *dk)
{
	struct error err = ERROR_INIT;
	struct op op = { .dk = dk, .caller = auth_caller(req) };
	if (auth_require(req, res, dk->draft_action, NULL))
		return 1;
	input_page(req, &op.limit, &op.after, &err);
	op.kind = http_query(req, dk->kind_field);
	const char *org = http_query(req, "org_id");
	if (org && *org)
		op.org_id = strtoll(org, NULL, 10);
	if (finish_validation(res, &err, &op, NULL))
		return 1;
	return run(req, res, 200, list_tx, &op, false);
}

/* ---------------------------------------------------------------- publication */

static int publish_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	struct pub_row row;
	json_decref(op->reply.json); /* a retried transaction starts afresh */
	op->reply.json = NULL;
	int rc = load_authorised(c, op, op->dk->publish_action, &row, err);
	if (rc)
		return rc;
	int version = 0;
	struct fee_schedule *fs = NULL;
	struct service_standard *st = NULL;
	json_t *doc = json_loads(row.body, 0, NULL);
	char *body = NULL;
	if (row.published) {
		rc = error_set(err, ERR_CONFLICT, "version %d is already published", row.version);
		goto out;
	}
	rc = store_pub_next_version(c, op->dk->table, row.org_id, row.kind, &version, err);
	if (!rc)
		rc = parse_doc(op->dk, doc, version, &fs, &st, err);
	if (!rc)
		rc = fs ? fees_validate_schedule(fs, op->today, err)
			: standards_validate_publish(st, op->today, err);
	if (rc)
		goto out;
	json_t *final = fs ? fees_schedule_to_json(fs) : standards_to_json(st);
	body = json_text(final);
	json_decref(final);
	rc = store_pub_publish(c, op->dk->table, op->id, version, body, op->caller->user_id, err);
	if (!rc)
		rc = audit_row(c, op, "publish", op->id,
			       json_pack("{s:s, s:i, s:s}", "kind", row.kind, "version", version,
					 "effective_from", row.effective_from),
			       err);
	store_pub_row_release(&row);
	if (!rc)
		rc = store_pub_get(c, op->dk->table, op->id, false, &row, err);
	if (!rc)
		op->reply.json = row_json(op->dk, &row, op->today);
out:
	store_pub_row_release(&row);
	json_decref(doc);
	free(body);
	fees_schedule_free(fs);
	standards_free(st);
	return rc;
}

static int publish(struct http_request *req, struct http_response *res,
		   const struct doc_kind *dk)
{
	struct op op = { .dk = dk, .caller = auth_caller(req) };
	if (input_path_id(req, 0, &op.id))
		return http_fail(res, ERR_NOT_FOUND, "no such %s", dk->noun);
	return run(req, res, 200, publish_tx, &op, true);
}

static int fee_create(struct http_request *q, struct http_response *r) { return create(q, r, &FEES); }
static int fee_list(struct http_request *q, struct http_response *r) { return list(q, r, &FEES); }
static int fee_get(struct http_request *q, struct http_response *r) { return get_one(q, r, &FEES); }
static int fee_update(struct http_request *q, struct http_response *r) { return update(q, r, &FEES); }
static int fee_publish(struct http_request *q, struct http_response *r) { return publish(q, r, &FEES); }
static int std_create(struct http_request *q, struct http_response *r) { return create(q, r, &STANDARDS); }
static int std_list(struct http_request *q, struct http_response *r) { return list(q, r, &STANDARDS); }
static int std_get(struct http_request *q, struct http_response *r) { return get_one(q, r, &STANDARDS); }
static int std_update(struct http_request *q, struct http_response *r) { return update(q, r, &STANDARDS); }
static int std_publish(struct http_request *q, struct http_response *r) { return publish(q, r, &STANDARDS); }

/* ---------------------------------------------------------------- the calendar */

/* A date of `year` from obj[key] (or the string v itself when key is NULL). */
static bool read_year_day(const json_t *v, const char *field, int year, day_t *out,
			  struct error *err)
{
	int y;
	if (!json_is_string(v) || cal_day_parse(json_string_value(v), out, NULL)) {
		error_add(err, field, v ? "invalid_date" : "required", "a YYYY-MM-DD date");
		return false;
	}
	cal_day_to_ymd(*out, &y, NULL, NULL);
	if (y != year) {
		error_add(err, field, "out_of_range", "the date is not in %d", year);
		return false;
	}
	return true;
}

static void add_day(struct op *op, day_t d, bool holiday, const char *zh, const char *en)
{
	op->days = xrealloc(op->days, (op->ndays + 1) * sizeof(*op->days));
	struct calendar_day *cd = &op->days[op->ndays++];
	memset(cd, 0, sizeof(*cd));
	cd->day = d;
	cd->holiday = holiday;
	snprintf(cd->name_zh, sizeof(cd->name_zh), "%s", zh ? zh : "");
	snprintf(cd->name_en, sizeof(cd->name_en), "%s", en ? en : "");
}

/* The day already listed (holiday or make-up), or NULL. */
static const struct calendar_day *listed(const struct op *op, day_t d)
{
	for (size_t i = 0; i < op->ndays; i++)
		if (op->days[i].day == d)
			return &op->days[i];
	return NULL;
}

static void read_holidays(struct op *op, const json_t *body, struct error *err)
{
	json_t *a = json_object_get(body, "holidays");
	if (!json_is_array(a)) {
		error_add(err, "holidays", a ? "wrong_type" : "required", "holidays is an array");
		return;
	}
	static const char *const allowed[] = { "from", "to", "name_zh", "name_en", NULL };
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *h = json_array_get(a, i);
		char at[32], f[48], t[48];
		snprintf(at, sizeof(at), "holidays[%zu]", i);
		snprintf(f, sizeof(f), "%s.from", at);
		snprintf(t, sizeof(t), "%s.to", at);
		if (!json_is_object(h)) {
			error_add(err, at, "wrong_type", "a holiday is an object");
			continue;
		}
		char prefix[40];
		snprintf(prefix, sizeof(prefix), "%s.", at);
		http_reject_unknown(h, allowed, prefix, err);
		char zf[48];
		snprintf(zf, sizeof(zf), "%s.name_zh", at);
		const char *zh = json_string_value(json_object_get(h, "name_zh"));
		const char *en = json_string_value(json_object_get(h, "name_en"));
		if (!zh || !*zh || strlen(zh) > 100)
			error_add(err, zf, "required", "a holiday has a Chinese name (100 bytes at most)");
		day_t from, to;
		bool ok = read_year_day(json_object_get(h, "from"), f, op->year, &from, err);
		ok = read_year_day(json_object_get(h, "to"), t, op->year, &to, err) && ok;
		if (ok && to < from) {
			error_add(err, t, "invalid_range", "ends before it starts");
			continue;
		}
		for (day_t d = from; ok && d <= to; d++) {
			if (listed(op, d)) {
				error_add(err, at, "overlap", "overlaps an earlier holiday");
				break;
			}
			add_day(op, d, true, zh, en && strlen(en) <= 100 ? en : "");
		}
	}
}

static void read_makeup(struct op *op, const json_t *body, struct error *err)
{
	json_t *a = json_object_get(body, "makeup_working_days");
	if (a && !json_is_array(a)) {
		error_add(err, "makeup_working_days", "wrong_type", "an array of dates");
		return;
	}
	for (size_t i = 0; a && i < json_array_size(a); i++) {
		char at[48];
		day_t d;
		snprintf(at, sizeof(at), "makeup_working_days[%zu]", i);
		if (!read_year_day(json_array_get(a, i), at, op->year, &d, err))
			continue;
		if (cal_weekday(d) < 5)
			error_add(err, at, "not_weekend", "a make-up working day is a Saturday or "
							  "Sunday (weekdays are worked anyway)");
		else if (listed(op, d))
			error_add(err, at, "overlap", "the day is already listed");
		else
			add_day(op, d, false, "调休上班日", "Make-up working day");
	}
}

static void read_cutoff(struct op *op, const json_t *body, struct error *err)
{
	const char *s = input_str(body, "cutoff", false, 5, err);
	unsigned h, m;
	char tail;
	if (!s)
		return;
	if (sscanf(s, "%2u:%2u%c", &h, &m, &tail) != 2 || strlen(s) != 5 || h > 23 || m > 59)
		error_add(err, "cutoff", "invalid", "cutoff is HH:MM (00:00 to 23:59)");
	else
		op->cutoff = (int)(h * 3600 + m * 60);
}

static int cmp_day(const void *a, const void *b)
{
	const struct calendar_day *x = a, *y = b;
	return (x->day > y->day) - (x->day < y->day);
}

static int calendar_tx(struct store_conn *c, void *ctx, struct error *err)
{
	struct op *op = ctx;
	int rc = store_calendar_replace_year(c, op->year, op->days, op->ndays, op->cutoff, err);
	char year[8];
	snprintf(year, sizeof(year), "%d", op->year);
	if (!rc)
		rc = audit(c, op, "publish", "calendar", year,
			   json_pack("{s:i, s:i}", "days", (int)op->ndays, "cutoff_seconds",
				     op->cutoff),
			   err);
	return rc;
}

static int calendar_put(struct http_request *req, struct http_response *res)
{
	struct error err = ERROR_INIT;
	struct op op = { .caller = auth_caller(req) };
	if (auth_require(req, res, AZ_CALENDAR_PUBLISH, NULL))
		return 1;
	char *end;
	long y = strtol(req->params[0], &end, 10);
	if (*end || y < 2000 || y > 2100)
		return http_fail(res, ERR_NOT_FOUND, "the calendar covers the years 2000 to 2100");
	op.year = (int)y;
	json_t *body = NULL;
	const struct published *cur = snapshot_get(req->app);
	op.cutoff = cur ? cur->cal.cutoff_seconds : 17 * 3600;
	snapshot_put(cur);
	if (http_parse_json(req, &body, &err) == 0) {
		static const char *const allowed[] = { "holidays", "makeup_working_days", "cutoff",
						       NULL };
		http_reject_unknown(body, allowed, "", &err);
		read_holidays(&op, body, &err);
		read_makeup(&op, body, &err);
		read_cutoff(&op, body, &err);
	}
	if (finish_validation(res, &err, &op, body)) {
		free(op.days);
		return 1;
	}
	qsort(op.days, op.ndays, sizeof(*op.days), cmp_day);
	int rc = store_tx(req->app->pool, calendar_tx, &op, &err);
	free(op.days);
	if (rc) {
		http_reply_error(res, &err);
		error_release(&err);
		return rc;
	}
	snapshot_refresh(req->app, &err);
	error_release(&err);
	const struct published *p = snapshot_get(req->app);
	struct public_query q = { .year = op.year };
	if (p)
		http_reply_json(res, 200, public_calendar_json(p, &q, public_lang(req)));
	else
		res->status = 204;
	snapshot_put(p);
	http_add_header(res, "Cache-Control", "no-store");
	return 0;
}

const struct route publish_routes[] = {
	{ "POST", "/v1/fee-schedules", fee_create, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "GET", "/v1/fee-schedules", fee_list, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "GET", "/v1/fee-schedules/{id}", fee_get, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "PUT", "/v1/fee-schedules/{id}", fee_update, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "POST", "/v1/fee-schedules/{id}/publish", fee_publish, ROUTE_AUTHENTICATED,
	  0, RUNS_ON_WORK },
	{ "POST", "/v1/service-standards", std_create, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "GET", "/v1/service-standards", std_list, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "GET", "/v1/service-standards/{id}", std_get, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "PUT", "/v1/service-standards/{id}", std_update, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ "POST", "/v1/service-standards/{id}/publish", std_publish, ROUTE_AUTHENTICATED,
	  0, RUNS_ON_WORK },
	{ "PUT", "/v1/calendar/{year}", calendar_put, ROUTE_AUTHENTICATED, 0, RUNS_ON_WORK },
	{ 0 },
};
