/* Oversight storage: ratings, follow-ups, certificates, keys, supervision lists, history. */
#define _GNU_SOURCE
#include "oversight.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo/sample_history.h"
#include "workflows/stats.h"
#include "lib/xalloc.h"

static const char SQL_RATE_JOB[] =
    "SELECT j.application_id, a.org_id, j.utility_org_id, j.state, '', j.reference "
    "FROM jobs j JOIN applications a ON a.id = j.application_id WHERE j.id = ?";
static const char SQL_RATE_PERMIT[] =
    "SELECT p.application_id, a.org_id, p.authority_org_id, p.state, p.decision, p.reference "
    "FROM permits p JOIN applications a ON a.id = p.application_id WHERE p.id = ?";
static const char SQL_RATING_INSERT[] =
    "INSERT INTO ratings (object_type, object_id, application_id, rater_org_id, rater_user_id, "
    "rated_org_id, score, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_FOLLOW_UP_OPEN[] = "INSERT INTO follow_ups (rating_id, org_id) VALUES (?, ?)";
static const char SQL_FOLLOW_UP_LOCK[] =
    "SELECT org_id, status FROM follow_ups WHERE id = ? FOR UPDATE";
static const char SQL_FOLLOW_UP_READ[] = "SELECT org_id, status FROM follow_ups WHERE id = ?";
static const char SQL_FOLLOW_UP_ANSWER[] =
    "UPDATE follow_ups SET status = 'answered', answer = ?, answered_by = ?, "
    "answered_at = UTC_TIMESTAMP(6) WHERE id = ?";
static const char SQL_FOLLOW_UP_CLOSE[] =
    "UPDATE follow_ups SET status = 'closed', close_note = ?, closed_by = ?, "
    "closed_at = UTC_TIMESTAMP(6) WHERE id = ?";
#define FOLLOW_UP_COLUMNS                                                                          \
	"SELECT f.id, f.status, f.org_id, o.name, f.answer, "                                      \
	"DATE_FORMAT(f.answered_at, '%Y-%m-%dT%H:%i:%sZ'), f.close_note, "                         \
	"DATE_FORMAT(f.closed_at, '%Y-%m-%dT%H:%i:%sZ'), "                                         \
	"DATE_FORMAT(f.created_at, '%Y-%m-%dT%H:%i:%sZ'), r.object_type, r.object_id, r.score, "   \
	"r.comment, COALESCE(j.reference, p.reference) "                                           \
	"FROM follow_ups f JOIN ratings r ON r.id = f.rating_id "                                  \
	"JOIN organisations o ON o.id = f.org_id "                                                 \
	"LEFT JOIN jobs j ON r.object_type = 'job' AND j.id = r.object_id "                        \
	"LEFT JOIN permits p ON r.object_type = 'permit' AND p.id = r.object_id "
static const char SQL_FOLLOW_UP_ONE[] = FOLLOW_UP_COLUMNS "WHERE f.id = ?";
static const char SQL_FOLLOW_UPS[] =
    FOLLOW_UP_COLUMNS "WHERE (? = 0 OR f.org_id = ?) AND f.id > ? ORDER BY f.id LIMIT ?";

static const char SQL_KEY_REGISTER[] =
    "INSERT IGNORE INTO signing_keys (key_id, public_key) VALUES (?, ?)";
static const char SQL_KEY_RETIRE[] =
    "UPDATE signing_keys SET retired_at = UTC_TIMESTAMP(6) WHERE key_id = ? "
    "AND retired_at IS NULL";
static const char SQL_KEYS[] =
    "SELECT key_id, algorithm, public_key, DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ'), "
    "DATE_FORMAT(retired_at, '%Y-%m-%dT%H:%i:%sZ') FROM signing_keys "
    "ORDER BY created_at DESC, key_id";

static const char SQL_FACTS_PERMIT[] =
    "SELECT p.application_id, p.reference, p.kind, p.state, p.decision, p.is_deemed, "
    "p.window_from, p.window_to, o.name, s.district_code, NULL FROM permits p "
    "JOIN applications a ON a.id = p.application_id JOIN organisations o ON o.id = a.org_id "
    "JOIN sites s ON s.id = a.site_id WHERE p.id = ?";
static const char SQL_FACTS_JOB[] =
    "SELECT j.application_id, j.reference, j.utility_kind, j.state, '', 0, NULL, NULL, o.name, "
    "s.district_code, j.connection_point FROM jobs j "
    "JOIN applications a ON a.id = j.application_id JOIN organisations o ON o.id = a.org_id "
    "JOIN sites s ON s.id = a.site_id WHERE j.id = ?";
static const char SQL_CERT_OF[] =
    "SELECT number FROM certificates WHERE object_type = ? AND object_id = ?";
static const char SQL_CERT_NEXT[] =
    "INSERT INTO certificate_counters (year, next_value) VALUES (?, LAST_INSERT_ID(1)) "
    "ON DUPLICATE KEY UPDATE next_value = LAST_INSERT_ID(next_value + 1)";
static const char SQL_CERT_INSERT[] =
    "INSERT INTO certificates (number, object_type, object_id, application_id, key_id, "
    "document, signature, valid_to, issued_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_CERT_GET[] =
    "SELECT c.number, c.object_type, c.key_id, c.document, c.signature, c.valid_to, "
    "COALESCE(j.state, p.state, ''), k.public_key FROM certificates c "
    "LEFT JOIN jobs j ON c.object_type = 'job' AND j.id = c.object_id "
    "LEFT JOIN permits p ON c.object_type = 'permit' AND p.id = c.object_id "
    "JOIN signing_keys k ON k.key_id = c.key_id WHERE c.number = ?";

static const char SQL_OVERDUE[] =
    "SELECT 'job', j.id, j.application_id, j.utility_org_id, j.reference, a.reference, "
    "j.utility_kind, j.state, j.stage, o.name, s.district_code, j.due_day, j.started_day, "
    "NULL FROM jobs j JOIN applications a ON a.id = j.application_id "
    "JOIN sites s ON s.id = a.site_id JOIN organisations o ON o.id = j.utility_org_id "
    "WHERE j.stage IS NOT NULL AND j.paused = 0 AND j.due_day < ? "
    "UNION ALL "
    "SELECT 'permit', p.id, p.application_id, p.authority_org_id, p.reference, a.reference, "
    "p.kind, p.state, p.stage, o.name, s.district_code, p.due_day, p.started_day, "
    "NULL FROM permits p JOIN applications a ON a.id = p.application_id "
    "JOIN sites s ON s.id = a.site_id JOIN organisations o ON o.id = p.authority_org_id "
    "WHERE p.stage IS NOT NULL AND p.paused = 0 AND p.due_day < ? "
    "UNION ALL "
    /* planning-stage guidance (issue #20): no application yet, the project's reference; open
     * past its due day, or answered after it (listed for OVERDUE_ANSWERED_DAYS days after the
     * answer, like a late stage) */
    "SELECT 'guidance', g.id, 0, g.org_id, CONCAT('PJ-', LPAD(g.project_id, 6, '0')), '', "
    "g.utility_kind, g.state, g.stage, o.name, pr.district_code, g.due_day, g.started_day, "
    "g.answered_day FROM guidance g JOIN projects pr ON pr.id = g.project_id "
    "JOIN organisations o ON o.id = g.org_id WHERE (g.state = 'open' AND g.due_day < ?) OR "
    "(g.state = 'answered' AND g.answered_day > g.due_day AND "
    "g.answered_day >= ? - INTERVAL 90 DAY) "
    "UNION ALL "
    /* aftercare (issue #21): remedial work after a failed inspection and defect repairs, open
     * past their due day; the reference is the defect's, else the permit's */
    "SELECT 'task', t.id, COALESCE(p.application_id, 0), t.org_id, "
    "COALESCE(d.reference, p.reference, ''), COALESCE(a.reference, ''), t.kind, t.status, "
    "t.kind, o.name, COALESCE(d.district_code, s.district_code, ''), t.due_day, "
    "DATE(t.created_at + INTERVAL 8 HOUR), NULL FROM tasks t "
    "JOIN organisations o ON o.id = t.org_id LEFT JOIN permits p ON p.id = t.permit_id "
    "LEFT JOIN applications a ON a.id = p.application_id LEFT JOIN sites s ON s.id = a.site_id "
    "LEFT JOIN defects d ON d.id = t.defect_id "
    "WHERE t.kind IN ('remedial', 'defect') AND t.status = 'open' AND t.due_day < ? "
    "ORDER BY 12, 1, 2 LIMIT ?";
static const char SQL_PAUSES[] =
    "SELECT c.id, c.object_type, c.object_id, COALESCE(j.reference, p.reference, ''), c.stage, "
    "c.reason, c.items, c.actor_role, c.actor_org_id, o.name, c.actor_user_id, "
    "DATE_FORMAT(c.paused_at, '%Y-%m-%dT%H:%i:%sZ'), c.paused_day, c.remaining_days, "
    "DATE_FORMAT(c.resumed_at, '%Y-%m-%dT%H:%i:%sZ') FROM clock_pauses c "
    "LEFT JOIN jobs j ON c.object_type = 'job' AND j.id = c.object_id "
    "LEFT JOIN permits p ON c.object_type = 'permit' AND p.id = c.object_id "
    "LEFT JOIN organisations o ON o.id = c.actor_org_id WHERE c.id > ? ORDER BY c.id LIMIT ?";
static const char SQL_DIGEST_CLAIM[] = "INSERT IGNORE INTO digest_runs (day) VALUES (?)";

#define MATERIALS_OF(t)                                                                            \
	"(SELECT COUNT(*) FROM application_materials am WHERE am.application_id = " t              \
	".application_id)"
static const char SQL_HISTORY_TRACKS[] =
    "SELECT 'job', j.id, s.district_code, o.name, j.utility_kind, j.reference, " MATERIALS_OF(
	"j") ", 0, 0, r.score, a.submitted_day, NULL, "
	     "(SELECT CONCAT(e.road, ' ', e.from_m, '-', e.to_m, ' m') FROM excavations e "
	     "WHERE e.application_id = j.application_id AND e.utility_kind = j.utility_kind "
	     "ORDER BY e.id LIMIT 1), d.name_zh, d.name_en "
	     "FROM jobs j JOIN applications a ON a.id = j.application_id "
	     "JOIN sites s ON s.id = a.site_id JOIN districts d ON d.code = s.district_code "
	     "JOIN organisations o ON o.id = j.utility_org_id "
	     "LEFT JOIN ratings r ON r.object_type = 'job' AND r.object_id = j.id "
	     "UNION ALL "
	     "SELECT 'permit', p.id, s.district_code, o.name, p.kind, p.reference, " MATERIALS_OF(
		 "p") ", p.fast_track, p.is_deemed, r.score, a.submitted_day, p.window_to, "
		      "(SELECT GROUP_CONCAT(DISTINCT CONCAT(e.road, ' ', e.from_m, '-', e.to_m, "
		      "' m') SEPARATOR '; ') FROM excavations e WHERE e.permit_id = p.id), "
		      "d.name_zh, d.name_en "
		      "FROM permits p JOIN applications a ON a.id = p.application_id "
		      "JOIN sites s ON s.id = a.site_id "
		      "JOIN districts d ON d.code = s.district_code "
		      "JOIN organisations o ON o.id = p.authority_org_id "
		      "LEFT JOIN ratings r ON r.object_type = 'permit' AND r.object_id = p.id "
		      "ORDER BY 1, 2";
static const char SQL_HISTORY_EVENTS[] =
    "SELECT IF(object_type = 'job', 'job', 'permit'), object_id, "
    "TIMESTAMPDIFF(SECOND, '1970-01-01', at), stage, due_day, action, to_state FROM transitions "
    "WHERE object_type IN ('job', 'permit') ORDER BY 1, object_id, id";
static const char SQL_HISTORY_PAUSES[] =
    "SELECT IF(object_type = 'job', 'job', 'permit'), object_id, "
    "TIMESTAMPDIFF(SECOND, '1970-01-01', paused_at), "
    "IF(resumed_at IS NULL, -1, TIMESTAMPDIFF(SECOND, '1970-01-01', resumed_at)) "
    "FROM clock_pauses ORDER BY 1, object_id, id";

#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src) ? (src) : "")

static day_t day_cell(const struct store_result *r, size_t row, size_t col)
{
	const char *s = store_cell(r, row, col);
	day_t d;
	return s && cal_day_parse(s, &d, NULL) == 0 ? d : -1;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* --- ratings and follow-ups --- */

int store_rating_target(struct store_conn *c, const char *object_type, long long id,
			struct rating_target *out, struct error *err)
{
	bool job = strcmp(object_type, "job") == 0;
	struct store_param p[] = {P_INT(id)};
	struct store_result *r = NULL;
	int rc = store_exec(c, job ? SQL_RATE_JOB : SQL_RATE_PERMIT, p, 1, &r, err);
	if (rc)
		return rc;
	if (r->nrows == 0) {
		store_result_free(r);
		return error_set(err, ERR_NOT_FOUND, "no such %s", object_type);
	}
	out->application_id = store_cell_ll(r, 0, 0, 0);
	out->owner_org_id = store_cell_ll(r, 0, 1, 0);
	out->rated_org_id = store_cell_ll(r, 0, 2, 0);
	COPY(out->state, store_cell(r, 0, 3));
	COPY(out->decision, store_cell(r, 0, 4));
	COPY(out->reference, store_cell(r, 0, 5));
	store_result_free(r);
	return 0;
}

int store_rating_insert(struct store_conn *c, const struct rating_new *n, long long *id,
			struct error *err)
{
	struct store_param p[] = {
	    P_STR(n->object_type),
	    P_INT(n->object_id),
	    P_INT(n->application_id),
	    P_INT(n->rater_org_id),
	    n->rater_user_id ? P_INT(n->rater_user_id) : P_NULL,
	    P_INT(n->rated_org_id),
	    P_STR(n->score),
	    P_STR(n->comment ? n->comment : ""),
	};
	unsigned long long insert_id = 0;
	int rc = store_run(c, SQL_RATING_INSERT, p, 8, NULL, &insert_id, err);
	if (rc == ERR_CONFLICT)
		return error_set(err, ERR_CONFLICT, "this %s was already rated", n->object_type);
	*id = (long long)insert_id;
	return rc;
}

int store_follow_up_open(struct store_conn *c, long long rating_id, long long org_id, long long *id,
			 struct error *err)
{
	struct store_param p[] = {P_INT(rating_id), P_INT(org_id)};
	unsigned long long insert_id = 0;
	int rc = store_run(c, SQL_FOLLOW_UP_OPEN, p, 2, NULL, &insert_id, err);
	*id = (long long)insert_id;
	return rc;
}

int store_follow_up_get(struct store_conn *c, long long id, bool for_update, long long *org_id,
			char status[16], struct error *err)
{
	struct store_param p[] = {P_INT(id)};
	struct store_result *r = NULL;
	int rc = store_exec(c, for_update ? SQL_FOLLOW_UP_LOCK : SQL_FOLLOW_UP_READ, p, 1, &r, err);
	if (rc)
		return rc;
	if (r->nrows == 0)
		rc = error_set(err, ERR_NOT_FOUND, "no such follow-up");
	else {
		*org_id = store_cell_ll(r, 0, 0, 0);
		snprintf(status, 16, "%s", store_cell(r, 0, 1));
	}
	store_result_free(r);
	return rc;
}

int store_follow_up_answer(struct store_conn *c, long long id, long long user_id,
			   const char *answer, struct error *err)
{
	struct store_param p[] = {P_STR(answer), user_id ? P_INT(user_id) : P_NULL, P_INT(id)};
	return store_run(c, SQL_FOLLOW_UP_ANSWER, p, 3, NULL, NULL, err);
}

int store_follow_up_close(struct store_conn *c, long long id, long long user_id, const char *note,
			  struct error *err)
{
	struct store_param p[] = {P_STR(note), user_id ? P_INT(user_id) : P_NULL, P_INT(id)};
	return store_run(c, SQL_FOLLOW_UP_CLOSE, p, 3, NULL, NULL, err);
}

static json_t *follow_up_json(const struct store_result *r, size_t i)
{
	return json_pack("{s:I, s:s, s:{s:I, s:s}, s:o, s:o, s:o, s:o, s:s, s:{s:s, s:I, s:s, "
			 "s:s, s:s}}",
			 "id", (json_int_t)store_cell_ll(r, i, 0, 0), "status", store_cell(r, i, 1),
			 "organisation", "id", (json_int_t)store_cell_ll(r, i, 2, 0), "name",
			 store_cell(r, i, 3), "answer", str_or_null(store_cell(r, i, 4)),
			 "answered_at", str_or_null(store_cell(r, i, 5)), "close_note",
			 str_or_null(store_cell(r, i, 6)), "closed_at",
			 str_or_null(store_cell(r, i, 7)), "created_at", store_cell(r, i, 8),
			 "rating", "object", store_cell(r, i, 9), "id",
			 (json_int_t)store_cell_ll(r, i, 10, 0), "reference", store_cell(r, i, 13),
			 "score", store_cell(r, i, 11), "comment", store_cell(r, i, 12));
}

int store_follow_up_json(struct store_conn *c, long long id, json_t **out, struct error *err)
{
	struct store_param p[] = {P_INT(id)};
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_FOLLOW_UP_ONE, p, 1, &r, err);
	if (rc)
		return rc;
	if (r->nrows == 0)
		rc = error_set(err, ERR_NOT_FOUND, "no such follow-up");
	else
		*out = follow_up_json(r, 0);
	store_result_free(r);
	return rc;
}

int store_follow_ups(struct store_conn *c, long long org_id, long long after, int limit,
		     json_t **items, long long *last, bool *more, struct error *err)
{
	struct store_param p[] = {P_INT(org_id), P_INT(org_id), P_INT(after), P_INT(limit + 1)};
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_FOLLOW_UPS, p, 4, &r, err);
	if (rc)
		return rc;
	*items = json_array();
	*more = r->nrows > (size_t)limit;
	*last = 0;
	for (size_t i = 0; i < r->nrows && i < (size_t)limit; i++) {
		json_array_append_new(*items, follow_up_json(r, i));
		*last = store_cell_ll(r, i, 0, 0);
	}
	store_result_free(r);
	return 0;
}

/* --- keys and certificates --- */

int store_key_register(struct store_conn *c, const char *key_id, const char *public_b64,
		       struct error *err)
{
	struct store_param p[] = {P_STR(key_id), P_STR(public_b64)};
	return store_run(c, SQL_KEY_REGISTER, p, 2, NULL, NULL, err);
}

int store_key_retire(struct store_conn *c, const char *key_id, struct error *err)
{
	struct store_param p[] = {P_STR(key_id)};
	return store_run(c, SQL_KEY_RETIRE, p, 1, NULL, NULL, err);
}

int store_keys(struct store_conn *c, json_t **items, struct error *err)
{
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_KEYS, NULL, 0, &r, err);
	if (rc)
		return rc;
	*items = json_array();
	for (size_t i = 0; i < r->nrows; i++)
		json_array_append_new(
		    *items,
		    json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:s}", "key_id", store_cell(r, i, 0),
			      "use", "certificate", "algorithm", store_cell(r, i, 1), "public_key",
			      store_cell(r, i, 2), "created_at", store_cell(r, i, 3), "retired_at",
			      str_or_null(store_cell(r, i, 4)), "status",
			      store_cell(r, i, 4) ? "retired" : "current"));
	store_result_free(r);
	return 0;
}

int store_certificate_facts(struct store_conn *c, const char *object_type, long long id,
			    struct certificate_facts *out, struct error *err)
{
	memset(out, 0, sizeof(*out));
	bool job = strcmp(object_type, "job") == 0;
	struct store_param p[] = {P_INT(id)};
	struct store_result *r = NULL;
	int rc = store_exec(c, job ? SQL_FACTS_JOB : SQL_FACTS_PERMIT, p, 1, &r, err);
	if (rc)
		return rc;
	if (r->nrows == 0) {
		store_result_free(r);
		return error_set(err, ERR_NOT_FOUND, "no such %s", object_type);
	}
	out->application_id = store_cell_ll(r, 0, 0, 0);
	COPY(out->reference, store_cell(r, 0, 1));
	COPY(out->kind, store_cell(r, 0, 2));
	COPY(out->state, store_cell(r, 0, 3));
	COPY(out->decision, store_cell(r, 0, 4));
	out->is_deemed = store_cell_ll(r, 0, 5, 0) != 0;
	out->window_from = day_cell(r, 0, 6);
	out->window_to = day_cell(r, 0, 7);
	COPY(out->holder, store_cell(r, 0, 8));
	COPY(out->district, store_cell(r, 0, 9));
	out->connection_point = store_cell(r, 0, 10) ? xstrdup(store_cell(r, 0, 10)) : NULL;
	store_result_free(r);
	return 0;
}

void store_certificate_facts_release(struct certificate_facts *f)
{
	free(f->connection_point);
	f->connection_point = NULL;
}

int store_certificate_of(struct store_conn *c, const char *object_type, long long id,
			 char number[24], struct error *err)
{
	struct store_param p[] = {P_STR(object_type), P_INT(id)};
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_CERT_OF, p, 2, &r, err);
	if (rc)
		return rc;
	snprintf(number, 24, "%s", r->nrows ? store_cell(r, 0, 0) : "");
	store_result_free(r);
	return 0;
}

int store_certificate_next(struct store_conn *c, int year, long long *n, struct error *err)
{
	struct store_param p[] = {P_INT(year)};
	unsigned long long id = 0;
	int rc = store_run(c, SQL_CERT_NEXT, p, 1, NULL, &id, err);
	*n = (long long)id;
	return rc;
}

int store_certificate_insert(struct store_conn *c, const struct certificate_new *n,
			     struct error *err)
{
	char to[11];
	struct store_param p[] = {
	    P_STR(n->number),	 P_STR(n->object_type),
	    P_INT(n->object_id), P_INT(n->application_id),
	    P_STR(n->key_id),	 P_STR(n->document),
	    P_STR(n->signature), n->valid_to >= 0 ? P_STR(cal_day_format(n->valid_to, to)) : P_NULL,
	    P_STR(n->issued_at),
	};
	return store_run(c, SQL_CERT_INSERT, p, 9, NULL, NULL, err);
}

int store_certificate_get(struct store_conn *c, const char *number, struct certificate_row *out,
			  struct error *err)
{
	memset(out, 0, sizeof(*out));
	struct store_param p[] = {P_STR(number)};
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_CERT_GET, p, 1, &r, err);
	if (rc)
		return rc;
	if (r->nrows == 0) {
		store_result_free(r);
		return error_set(err, ERR_NOT_FOUND, "no certificate %s", number);
	}
	COPY(out->number, store_cell(r, 0, 0));
	COPY(out->object_type, store_cell(r, 0, 1));
	COPY(out->key_id, store_cell(r, 0, 2));
	out->document = xstrdup(store_cell(r, 0, 3));
	out->signature = xstrdup(store_cell(r, 0, 4));
	out->valid_to = day_cell(r, 0, 5);
	COPY(out->object_state, store_cell(r, 0, 6));
	COPY(out->public_key, store_cell(r, 0, 7));
	store_result_free(r);
	return 0;
}

void store_certificate_row_release(struct certificate_row *r)
{
	free(r->document);
	free(r->signature);
	r->document = r->signature = NULL;
}

/* --- supervision --- */

int store_overdue(struct store_conn *c, day_t today, struct overdue_row **rows, size_t *n,
		  size_t cap, struct error *err)
{
	char t[11];
	cal_day_format(today, t);
	struct store_param p[] = {P_STR(t), P_STR(t), P_STR(t), P_STR(t), P_STR(t),
				  P_INT((long long)cap)};
	struct store_result *r = NULL;
	*rows = NULL;
	*n = 0;
	int rc = store_exec(c, SQL_OVERDUE, p, 6, &r, err);
	if (rc)
		return rc;
	*rows = xcalloc(r->nrows ? r->nrows : 1, sizeof(**rows));
	for (size_t i = 0; i < r->nrows; i++) {
		struct overdue_row *o = &(*rows)[i];
		COPY(o->object_type, store_cell(r, i, 0));
		o->id = store_cell_ll(r, i, 1, 0);
		o->application_id = store_cell_ll(r, i, 2, 0);
		o->org_id = store_cell_ll(r, i, 3, 0);
		COPY(o->reference, store_cell(r, i, 4));
		COPY(o->app_reference, store_cell(r, i, 5));
		COPY(o->kind, store_cell(r, i, 6));
		COPY(o->state, store_cell(r, i, 7));
		COPY(o->stage, store_cell(r, i, 8));
		COPY(o->org_name, store_cell(r, i, 9));
		COPY(o->district, store_cell(r, i, 10));
		o->due_day = day_cell(r, i, 11);
		o->started_day = day_cell(r, i, 12);
		o->answered_day = day_cell(r, i, 13);
	}
	*n = r->nrows;
	store_result_free(r);
	return 0;
}

int store_pauses(struct store_conn *c, long long after, int limit, json_t **items, long long *last,
		 bool *more, struct error *err)
{
	struct store_param p[] = {P_INT(after), P_INT(limit + 1)};
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_PAUSES, p, 2, &r, err);
	if (rc)
		return rc;
	*items = json_array();
	*more = r->nrows > (size_t)limit;
	*last = 0;
	for (size_t i = 0; i < r->nrows && i < (size_t)limit; i++) {
		json_t *its = json_loads(store_cell(r, i, 6), 0, NULL);
		json_t *actor = json_pack(
		    "{s:s, s:o, s:o, s:o}", "role", store_cell(r, i, 7), "org_id",
		    store_cell(r, i, 8) ? json_integer(store_cell_ll(r, i, 8, 0)) : json_null(),
		    "org_name", str_or_null(store_cell(r, i, 9)), "user_id",
		    store_cell(r, i, 10) ? json_integer(store_cell_ll(r, i, 10, 0)) : json_null());
		json_array_append_new(
		    *items,
		    json_pack(
			"{s:I, s:s, s:I, s:s, s:o, s:s, s:o, s:o, s:s, s:s, s:i, s:o, s:b, s:b}",
			"id",
			(json_int_t)store_cell_ll(r, i, 0, 0), "object", store_cell(r, i, 1),
			"object_id", (json_int_t)store_cell_ll(r, i, 2, 0), "reference",
			store_cell(r, i, 3), "stage", str_or_null(store_cell(r, i, 4)), "reason",
			store_cell(r, i, 5), "items", its ? its : json_array(), "actor", actor,
			"paused_at", store_cell(r, i, 11), "paused_on", store_cell(r, i, 12),
			"remaining_days", (int)store_cell_ll(r, i, 13, 0), "resumed_at",
			str_or_null(store_cell(r, i, 14)), "open", !store_cell(r, i, 14), "sample",
			sample_reference(store_cell(r, i, 3))));
		*last = store_cell_ll(r, i, 0, 0);
	}
	store_result_free(r);
	return 0;
}

int store_digest_claim(struct store_conn *c, day_t day, bool *mine, struct error *err)
{
	char d[11];
	struct store_param p[] = {P_STR(cal_day_format(day, d))};
	unsigned long long affected = 0;
	int rc = store_run(c, SQL_DIGEST_CLAIM, p, 1, &affected, NULL, err);
	*mine = rc == 0 && affected == 1;
	return rc;
}

/* --- history --- */

static int rating_value(const char *s)
{
	if (!s)
		return STATS_UNRATED;
	return !strcmp(s, "good") ? STATS_GOOD : !strcmp(s, "average") ? STATS_AVERAGE : STATS_BAD;
}

/* Index of the track (type, id) at or after *pos, both lists being in the same order. */
static struct history_track *track_at(struct history *h, size_t *pos, const char *type,
				      long long id)
{
	while (*pos < h->ntracks) {
		struct history_track *t = &h->tracks[*pos];
		int c = strcmp(t->object_type, type);
		if (c == 0 && t->id == id)
			return t;
		if (c > 0 || (c == 0 && t->id > id))
			return NULL; /* a transition of a track that is gone: skip it */
		(*pos)++;
	}
	return NULL;
}

int store_history(struct store_conn *c, struct history *h, struct error *err)
{
	memset(h, 0, sizeof(*h));
	struct store_result *tr = NULL, *ev = NULL, *pa = NULL;
	int rc = store_exec(c, SQL_HISTORY_TRACKS, NULL, 0, &tr, err);
	if (!rc)
		rc = store_exec(c, SQL_HISTORY_EVENTS, NULL, 0, &ev, err);
	if (!rc)
		rc = store_exec(c, SQL_HISTORY_PAUSES, NULL, 0, &pa, err);
	if (rc)
		goto out;
	h->tracks = xcalloc(tr->nrows + 1, sizeof(*h->tracks));
	h->ntracks = tr->nrows;
	for (size_t i = 0; i < tr->nrows; i++) {
		struct history_track *t = &h->tracks[i];
		COPY(t->object_type, store_cell(tr, i, 0));
		t->id = store_cell_ll(tr, i, 1, 0);
		t->district = xstrdup(store_cell(tr, i, 2));
		t->org_name = xstrdup(store_cell(tr, i, 3));
		t->kind = xstrdup(store_cell(tr, i, 4));
		t->reference = xstrdup(store_cell(tr, i, 5));
		t->materials = (int)store_cell_ll(tr, i, 6, 0);
		t->fast_tracked = store_cell_ll(tr, i, 7, 0) != 0;
		t->deemed = store_cell_ll(tr, i, 8, 0) != 0;
		t->rating = rating_value(store_cell(tr, i, 9));
		t->submitted_day = day_cell(tr, i, 10);
		t->valid_to = day_cell(tr, i, 11);
		t->segment = xstrdup(store_cell(tr, i, 12) ? store_cell(tr, i, 12) : "");
		t->district_zh = xstrdup(store_cell(tr, i, 13));
		t->district_en = xstrdup(store_cell(tr, i, 14));
	}
	h->events = xcalloc(ev->nrows + 1, sizeof(*h->events));
	size_t pos = 0;
	for (size_t i = 0; i < ev->nrows; i++) {
		struct history_track *t =
		    track_at(h, &pos, store_cell(ev, i, 0), store_cell_ll(ev, i, 1, 0));
		if (!t)
			continue;
		if (t->nevents == 0)
			t->first_event = h->nevents;
		struct history_event *e = &h->events[h->nevents++];
		t->nevents++;
		e->at = store_cell_ll(ev, i, 2, 0);
		e->stage = store_cell(ev, i, 3) ? xstrdup(store_cell(ev, i, 3)) : NULL;
		e->due_day = day_cell(ev, i, 4);
		e->action = xstrdup(store_cell(ev, i, 5));
		e->to_state = xstrdup(store_cell(ev, i, 6));
	}
	h->pauses = xcalloc(pa->nrows + 1, sizeof(*h->pauses));
	pos = 0;
	for (size_t i = 0; i < pa->nrows; i++) {
		struct history_track *t =
		    track_at(h, &pos, store_cell(pa, i, 0), store_cell_ll(pa, i, 1, 0));
		if (!t)
			continue;
		if (t->npauses == 0)
			t->first_pause = h->npauses;
		h->pauses[h->npauses].paused_at = store_cell_ll(pa, i, 2, 0);
		h->pauses[h->npauses].resumed_at = store_cell_ll(pa, i, 3, -1);
		h->npauses++;
		t->npauses++;
	}
out:
	store_result_free(tr);
	store_result_free(ev);
	store_result_free(pa);
	if (rc)
		store_history_release(h);
	return rc;
}

void store_history_release(struct history *h)
{
	for (size_t i = 0; i < h->ntracks; i++) {
		free(h->tracks[i].district);
		free(h->tracks[i].org_name);
		free(h->tracks[i].kind);
		free(h->tracks[i].reference);
		free(h->tracks[i].segment);
		free(h->tracks[i].district_zh);
		free(h->tracks[i].district_en);
	}
	for (size_t i = 0; i < h->nevents; i++) {
		free(h->events[i].stage);
		free(h->events[i].action);
		free(h->events[i].to_state);
	}
	free(h->tracks);
	free(h->events);
	free(h->pauses);
	memset(h, 0, sizeof(*h));
}
