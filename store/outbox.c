/* SQL for writing outbox events, and for reading them as the polling feed and the office do. */
#include "outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/multirow.h"

#define RFC3339(col) "DATE_FORMAT(" col ", '%Y-%m-%dT%H:%i:%sZ')"

static const char HEAD_OUTBOX[] =
	"INSERT INTO outbox (org_id, application_id, event_type, payload) VALUES ";
static const char ROW_OUTBOX[] = "(?, ?, ?, ?)";
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

/* The events' statements, built by row count on first use (store/multirow.h). */
static struct multirow event_batch = MULTIROW_INIT(HEAD_OUTBOX, ROW_OUTBOX, 4, false);

static void outbox_fill(const void *rows, size_t i, struct store_param *p, char (*days)[11])
{
	const struct outbox_new *o = (const struct outbox_new *)rows + i;
	(void)days;
	p[0] = P_INT(o->org_id);
	p[1] = o->application_id ? P_INT(o->application_id) : P_NULL;
	p[2] = P_STR(o->event_type);
	p[3] = P_STR(o->payload);
}

int store_outbox_insert(struct store_conn *c, long long org_id, long long application_id,
			const char *event_type, const char *payload, struct error *err)
{
	struct outbox_new o = { org_id, application_id, event_type, payload };
	return store_outbox_insert_many(c, &o, 1, err);
}

int store_outbox_insert_many(struct store_conn *c, const struct outbox_new *rows, size_t n,
			     struct error *err)
{
	return multirow_insert(c, &event_batch, rows, n, outbox_fill, NULL, err);
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
