/* SQL for claiming, recording, listing and replaying outbox events. */
#define _GNU_SOURCE
#include "outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workflows/xalloc.h"

#define RFC3339(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%sZ')"

static const char SQL_CLAIM[] =
	"SELECT id, org_id, application_id, event_type, payload FROM outbox "
	"WHERE status = 'pending' AND next_attempt_at <= UTC_TIMESTAMP(6) "
	"ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED";
/* A plain consistent read: an earlier event locked by another claimer still counts. */
static const char SQL_EARLIER[] =
	"SELECT id, DATE_FORMAT(next_attempt_at, '%Y-%m-%d %H:%i:%s.%f') FROM outbox "
	"WHERE org_id = ? AND application_id = ? AND status = 'pending' AND id < ? "
	"ORDER BY id LIMIT 1";
static const char SQL_DEFER[] =
	"UPDATE outbox SET next_attempt_at = GREATEST(CAST(? AS DATETIME(6)), UTC_TIMESTAMP(6) + INTERVAL 1 SECOND) "
	"WHERE id = ?";
static const char SQL_NO_ENDPOINT[] =
	"UPDATE outbox SET status = 'no_endpoint', last_error = 'the organisation has no endpoint' "
	"WHERE id = ?";
static const char SQL_LEASE[] =
	"UPDATE outbox SET attempts = attempts + 1, "
	"next_attempt_at = UTC_TIMESTAMP(6) + INTERVAL ? SECOND WHERE id = ?";
static const char SQL_ATTEMPT[] =
	"INSERT INTO delivery_attempts (event_id, org_id, attempt, url, status_code, duration_ms, "
	"response_excerpt, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_DELIVERED[] =
	"UPDATE outbox SET status = 'delivered', delivered_at = UTC_TIMESTAMP(6), last_error = NULL "
	"WHERE id = ? AND attempts = ? AND status = 'pending'";
static const char SQL_RETRY[] =
	"UPDATE outbox SET next_attempt_at = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND, "
	"last_error = ? WHERE id = ? AND attempts = ? AND status = 'pending'";
static const char SQL_DEAD[] =
	"UPDATE outbox SET status = 'dead', dead_at = UTC_TIMESTAMP(6), last_error = ? "
	"WHERE id = ? AND attempts = ? AND status = 'pending'";
static const char SQL_DEAD_NOW[] =
	"UPDATE outbox SET status = 'dead', dead_at = UTC_TIMESTAMP(6), last_error = ? WHERE id = ?";
static const char SQL_WAKE[] =
	"UPDATE outbox SET next_attempt_at = UTC_TIMESTAMP(6) WHERE org_id = ? AND "
	"application_id = ? AND status = 'pending' AND attempts = 0 AND id > ? ORDER BY id LIMIT 1";
static const char SQL_UNCLAIM[] =
	"UPDATE outbox SET attempts = attempts - 1, next_attempt_at = UTC_TIMESTAMP(6) "
	"WHERE id = ? AND attempts = ? AND status = 'pending'";
static const char SQL_FEED[] =
	"SELECT id, payload, status FROM outbox WHERE org_id = ? AND id > ? ORDER BY id LIMIT ?";
static const char SQL_LIST[] =
	"SELECT id, org_id, application_id, event_type, status, attempts, " RFC3339("created_at")
	", " RFC3339("next_attempt_at") ", " RFC3339("delivered_at") ", " RFC3339("dead_at")
	", last_error FROM outbox WHERE (? IS NULL OR status = ?) AND (? = 0 OR org_id = ?) "
	"AND id > ? ORDER BY id LIMIT ?";
static const char SQL_GET[] =
	"SELECT id, org_id, application_id, event_type, status, attempts, " RFC3339("created_at")
	", " RFC3339("next_attempt_at") ", " RFC3339("delivered_at") ", " RFC3339("dead_at")
	", last_error, payload FROM outbox WHERE id = ?";
static const char SQL_ATTEMPTS[] =
	"SELECT attempt, url, status_code, duration_ms, response_excerpt, error, " RFC3339("at")
	" FROM delivery_attempts WHERE event_id = ? ORDER BY id";
static const char SQL_REPLAY[] =
	"UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = UTC_TIMESTAMP(6), "
	"dead_at = NULL, last_error = NULL WHERE id = ? AND status <> 'pending'";
static const char SQL_EXISTS[] = "SELECT status FROM outbox WHERE id = ?";
static const char SQL_REPLAY_DEAD[] =
	"UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = UTC_TIMESTAMP(6), "
	"dead_at = NULL, last_error = NULL WHERE org_id = ? AND status = 'dead' AND created_at >= ?";

void store_outbox_claims_free(struct outbox_claim *claims, size_t n)
{
	for (size_t i = 0; claims && i < n; i++) {
		free(claims[i].payload);
		store_endpoint_release(&claims[i].ep);
	}
	free(claims);
}

static int wake_next(struct store_conn *c, long long org_id, long long app_id, long long id,
		     struct error *err)
{
	if (!app_id)
		return 0;
	struct store_param p[] = { P_INT(org_id), P_INT(app_id), P_INT(id) };
	return store_run(c, SQL_WAKE, p, 3, NULL, NULL, err);
}

/* True (and the event deferred) when an earlier event of its application is still pending. */
static int defer_behind_earlier(struct store_conn *c, long long id, long long org_id,
				long long app_id, bool *deferred, struct error *err)
{
	*deferred = false;
	if (!app_id)
		return 0;
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(org_id), P_INT(app_id), P_INT(id) };
	int rc = store_exec(c, SQL_EARLIER, p, 3, &r, err);
	if (rc)
		return rc;
	if (r->nrows) {
		struct store_param d[] = { P_STR(store_cell(r, 0, 1)), P_INT(id) };
		rc = store_run(c, SQL_DEFER, d, 2, NULL, NULL, err);
		*deferred = true;
	}
	store_result_free(r);
	return rc;
}

/* Decides what to do with one candidate; *take when it is to be delivered now. */
static int settle_candidate(struct store_conn *c, struct outbox_claim *cl, int lease_seconds,
			    bool *take, struct error *err)
{
	*take = false;
	bool deferred;
	int rc = defer_behind_earlier(c, cl->id, cl->org_id, cl->application_id, &deferred, err);
	if (rc || deferred)
		return rc;
	rc = store_endpoint_get(c, cl->org_id, false, &cl->ep, err);
	if (rc == ERR_NOT_FOUND) {
		error_release(err);
		struct store_param p[] = { P_INT(cl->id) };
		rc = store_run(c, SQL_NO_ENDPOINT, p, 1, NULL, NULL, err);
		return rc ? rc : wake_next(c, cl->org_id, cl->application_id, cl->id, err);
	}
	if (rc)
		return rc;
	if (cl->ep.disabled) {
		char why[400];
		snprintf(why, sizeof(why), "endpoint disabled: %.300s",
			 cl->ep.disabled_reason ? cl->ep.disabled_reason : "by the receiver");
		struct store_param p[] = { P_STR(why), P_INT(cl->id) };
		rc = store_run(c, SQL_DEAD_NOW, p, 2, NULL, NULL, err);
		return rc ? rc : wake_next(c, cl->org_id, cl->application_id, cl->id, err);
	}
	struct store_param p[] = { P_INT(lease_seconds), P_INT(cl->id) };
	rc = store_run(c, SQL_LEASE, p, 2, NULL, NULL, err);
	*take = rc == 0;
	return rc;
}

int store_outbox_claim(struct store_conn *c, int max, int lease_seconds,
		       struct outbox_claim **claims, size_t *n, struct error *err)
{
	*claims = NULL;
	*n = 0;
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(max) };
	int rc = store_exec(c, SQL_CLAIM, p, 1, &r, err);
	if (rc)
		return rc;
	struct outbox_claim *out = xcalloc(r->nrows + 1, sizeof(*out));
	size_t taken = 0;
	for (size_t i = 0; i < r->nrows && !rc; i++) {
		struct outbox_claim *cl = &out[taken];
		memset(cl, 0, sizeof(*cl));
		cl->id = store_cell_ll(r, i, 0, 0);
		cl->org_id = store_cell_ll(r, i, 1, 0);
		cl->application_id = store_cell_ll(r, i, 2, 0);
		snprintf(cl->event_type, sizeof(cl->event_type), "%s", store_cell(r, i, 3));
		bool take = false;
		rc = settle_candidate(c, cl, lease_seconds, &take, err);
		if (take) {
			cl->payload = xstrdup(store_cell(r, i, 4));
			taken++;
		} else {
			store_endpoint_release(&cl->ep);
		}
	}
	store_result_free(r);
	if (rc) {
		store_outbox_claims_free(out, taken);
		return rc;
	}
	/* attempt numbers: read back after the lease counted them */
	for (size_t i = 0; i < taken; i++) {
		struct store_result *a = NULL;
		struct store_param q[] = { P_INT(out[i].id) };
		rc = store_exec(c, SQL_GET, q, 1, &a, err);
		if (rc) {
			store_outbox_claims_free(out, taken);
			return rc;
		}
		out[i].attempt = a->nrows ? (int)store_cell_ll(a, 0, 5, 1) : 1;
		store_result_free(a);
	}
	*claims = out;
	*n = taken;
	return 0;
}

int store_outbox_record(struct store_conn *c, const struct outbox_attempt *a,
			enum outbox_outcome outcome, long long delay_ms, struct error *err)
{
	char excerpt[1001], why[501];
	snprintf(excerpt, sizeof(excerpt), "%s", a->excerpt ? a->excerpt : "");
	snprintf(why, sizeof(why), "%s", a->error ? a->error : "");
	struct store_param p[] = { P_INT(a->event_id),
				   P_INT(a->org_id),
				   P_INT(a->attempt),
				   P_STR(a->url),
				   a->status_code ? P_INT(a->status_code) : P_NULL,
				   P_INT(a->duration_ms),
				   a->excerpt ? P_STR(excerpt) : P_NULL,
				   a->error ? P_STR(why) : P_NULL };
	int rc = store_run(c, SQL_ATTEMPT, p, 8, NULL, NULL, err);
	if (rc)
		return rc;
	unsigned long long moved = 0;
	switch (outcome) {
	case OUTBOX_DELIVERED: {
		struct store_param q[] = { P_INT(a->event_id), P_INT(a->attempt) };
		rc = store_run(c, SQL_DELIVERED, q, 2, &moved, NULL, err);
		break;
	}
	case OUTBOX_RETRY: {
		struct store_param q[] = { P_INT(delay_ms * 1000), P_STR(why), P_INT(a->event_id),
					   P_INT(a->attempt) };
		rc = store_run(c, SQL_RETRY, q, 4, &moved, NULL, err);
		break;
	}
	case OUTBOX_GONE:
	case OUTBOX_DEAD: {
		struct store_param q[] = { P_STR(why), P_INT(a->event_id), P_INT(a->attempt) };
		rc = store_run(c, SQL_DEAD, q, 3, &moved, NULL, err);
		if (!rc && outcome == OUTBOX_GONE)
			rc = store_endpoint_disable(c, a->org_id, "the receiver answered 410 Gone",
						    err);
		break;
	}
	}
	if (rc || !moved || outcome == OUTBOX_RETRY)
		return rc;
	struct store_result *r = NULL;
	struct store_param q[] = { P_INT(a->event_id) };
	rc = store_exec(c, SQL_GET, q, 1, &r, err);
	if (!rc && r->nrows)
		rc = wake_next(c, a->org_id, store_cell_ll(r, 0, 2, 0), a->event_id, err);
	store_result_free(r);
	return rc;
}

int store_outbox_unclaim(struct store_conn *c, long long id, int attempt, struct error *err)
{
	struct store_param p[] = { P_INT(id), P_INT(attempt) };
	return store_run(c, SQL_UNCLAIM, p, 2, NULL, NULL, err);
}

json_t *store_outbox_event_json(long long id, const char *payload)
{
	json_t *ev = payload ? json_loads(payload, 0, NULL) : NULL;
	if (!json_is_object(ev)) {
		json_decref(ev);
		ev = json_object();
	}
	char buf[32];
	snprintf(buf, sizeof(buf), "evt_%lld", id);
	json_object_set_new(ev, "id", json_string(buf));
	json_object_set_new(ev, "sequence", json_integer(id));
	return ev;
}

int store_outbox_feed(struct store_conn *c, long long org_id, long long after, int limit,
		      json_t **items, long long *last, bool *more, struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(org_id), P_INT(after), P_INT(limit + 1) };
	int rc = store_exec(c, SQL_FEED, p, 3, &r, err);
	if (rc)
		return rc;
	*items = json_array();
	*more = r->nrows > (size_t)limit;
	*last = 0;
	for (size_t i = 0; i < r->nrows && i < (size_t)limit; i++) {
		*last = store_cell_ll(r, i, 0, 0);
		json_t *ev = store_outbox_event_json(*last, store_cell(r, i, 1));
		json_object_set_new(ev, "delivery_status", json_string(store_cell(r, i, 2)));
		json_array_append_new(*items, ev);
	}
	store_result_free(r);
	return 0;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *summary_json(const struct store_result *r, size_t i)
{
	char ev[32];
	long long id = store_cell_ll(r, i, 0, 0);
	snprintf(ev, sizeof(ev), "evt_%lld", id);
	long long app = store_cell_ll(r, i, 2, 0);
	return json_pack("{s:s, s:I, s:I, s:o, s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:o}", "event_id",
			 ev, "sequence", (json_int_t)id, "org_id",
			 (json_int_t)store_cell_ll(r, i, 1, 0), "application_id",
			 app ? json_integer(app) : json_null(), "type", store_cell(r, i, 3),
			 "status", store_cell(r, i, 4), "attempts",
			 (json_int_t)store_cell_ll(r, i, 5, 0), "created_at",
			 str_or_null(store_cell(r, i, 6)), "next_attempt_at",
			 !strcmp(store_cell(r, i, 4), "pending") ? str_or_null(store_cell(r, i, 7))
								 : json_null(),
			 "delivered_at", str_or_null(store_cell(r, i, 8)), "dead_at",
			 str_or_null(store_cell(r, i, 9)), "last_error",
			 str_or_null(store_cell(r, i, 10)));
}

int store_outbox_list(struct store_conn *c, const char *status, long long org_id,
		      long long after, int limit, json_t **items, long long *last, bool *more,
		      struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_STR(status),  P_STR(status), P_INT(org_id),
				   P_INT(org_id), P_INT(after),	 P_INT(limit + 1) };
	int rc = store_exec(c, SQL_LIST, p, 6, &r, err);
	if (rc)
		return rc;
	*items = json_array();
	*more = r->nrows > (size_t)limit;
	*last = 0;
	for (size_t i = 0; i < r->nrows && i < (size_t)limit; i++) {
		*last = store_cell_ll(r, i, 0, 0);
		json_array_append_new(*items, summary_json(r, i));
	}
	store_result_free(r);
	return 0;
}

int store_outbox_get(struct store_conn *c, long long id, json_t **out, struct error *err)
{
	*out = NULL;
	struct store_result *r = NULL, *a = NULL;
	struct store_param p[] = { P_INT(id) };
	int rc = store_exec(c, SQL_GET, p, 1, &r, err);
	if (rc)
		return rc;
	if (!r->nrows) {
		store_result_free(r);
		return error_set(err, ERR_NOT_FOUND, "no event %lld", id);
	}
	rc = store_exec(c, SQL_ATTEMPTS, p, 1, &a, err);
	if (rc) {
		store_result_free(r);
		return rc;
	}
	json_t *ev = summary_json(r, 0);
	json_object_set_new(ev, "event", store_outbox_event_json(id, store_cell(r, 0, 11)));
	json_t *list = json_array();
	for (size_t i = 0; i < a->nrows; i++) {
		const char *code = store_cell(a, i, 2);
		json_array_append_new(
			list, json_pack("{s:I, s:s, s:o, s:I, s:o, s:o, s:o}", "attempt",
					(json_int_t)store_cell_ll(a, i, 0, 0), "url",
					store_cell(a, i, 1), "status_code",
					code ? json_integer(atoll(code)) : json_null(), "duration_ms",
					(json_int_t)store_cell_ll(a, i, 3, 0), "response_excerpt",
					str_or_null(store_cell(a, i, 4)), "error",
					str_or_null(store_cell(a, i, 5)), "at",
					str_or_null(store_cell(a, i, 6))));
	}
	json_object_set_new(ev, "attempts_log", list);
	store_result_free(r);
	store_result_free(a);
	*out = ev;
	return 0;
}

int store_outbox_replay(struct store_conn *c, long long id, struct error *err)
{
	unsigned long long n = 0;
	struct store_param p[] = { P_INT(id) };
	int rc = store_run(c, SQL_REPLAY, p, 1, &n, NULL, err);
	if (rc || n)
		return rc;
	struct store_result *r = NULL;
	rc = store_exec(c, SQL_EXISTS, p, 1, &r, err);
	if (!rc)
		rc = r->nrows ? error_set(err, ERR_CONFLICT, "event %lld is still pending", id)
			      : error_set(err, ERR_NOT_FOUND, "no event %lld", id);
	store_result_free(r);
	return rc;
}

int store_outbox_replay_dead(struct store_conn *c, long long org_id, const char *since,
			     long long *count, struct error *err)
{
	unsigned long long n = 0;
	struct store_param p[] = { P_INT(org_id), P_STR(since) };
	int rc = store_run(c, SQL_REPLAY_DEAD, p, 2, &n, NULL, err);
	*count = (long long)n;
	return rc;
}
