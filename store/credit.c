/* SQL for post-check results, rectifications, the oversight rules, samples and credit entries. */
#define _GNU_SOURCE
#include "credit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/published.h"
#include "store/rows.h"
#include "lib/xalloc.h"

static const char SQL_RULES[] =
	"SELECT version, body, DATE_FORMAT(published_at, '%Y-%m-%dT%H:%i:%sZ') "
	"FROM oversight_rule_versions WHERE (? = 0 OR version = ?) ORDER BY version DESC LIMIT 1";
static const char SQL_RULES_NEXT[] =
	"SELECT COALESCE(MAX(version), 0) + 1 FROM oversight_rule_versions FOR UPDATE";
static const char SQL_RULES_INSERT[] =
	"INSERT INTO oversight_rule_versions (version, body, published_by) VALUES (?, ?, ?)";
static const char SQL_SAMPLE[] =
	"INSERT INTO post_check_samples (permit_id, rules_version, risk_class, share_percent, "
	"draw, sampled) VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_SAMPLE_GROUPS[] =
	"SELECT rules_version, risk_class, MAX(share_percent), COUNT(*), SUM(sampled) "
	"FROM post_check_samples GROUP BY rules_version, risk_class "
	"ORDER BY rules_version DESC, risk_class";
static const char SQL_RESULT[] =
	"INSERT INTO post_check_results (permit_id, task_id, result, codes, photos, comment, "
	"code_list_version, actor_org_id, actor_user_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
#define REMEDIAL_OVERDUE                                                                     \
	"SELECT t.id, t.org_id, t.permit_id, t.due_day FROM tasks t WHERE t.kind = 'remedial' "    \
	"AND t.status = 'open' AND t.due_day < ? AND (? = 0 OR t.id = ?) AND NOT EXISTS (SELECT 1 " \
	"FROM credit_entries e WHERE e.task_id = t.id AND e.rule = 'remedial_overdue') "         \
	"ORDER BY t.id LIMIT ?"
static const char SQL_REMEDIAL_OVERDUE[] = REMEDIAL_OVERDUE;
static const char SQL_REMEDIAL_OVERDUE_LOCK[] = REMEDIAL_OVERDUE " FOR UPDATE";
static const char SQL_TASK[] = "INSERT INTO tasks (permit_id, kind, org_id) VALUES (?, ?, ?)";
static const char SQL_RECT[] =
	"INSERT INTO rectifications (task_id, permit_id, result_id, org_id, opened_on, due_day, "
	"limit_days) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char SQL_RECTS[] =
	"SELECT r.task_id, r.permit_id, r.org_id, p.application_id, r.result_id, p.reference, "
	"a.reference, r.status, p.state, r.opened_on, r.due_day, r.limit_days, pr.codes "
	"FROM rectifications r JOIN permits p ON p.id = r.permit_id "
	"JOIN applications a ON a.id = p.application_id "
	"JOIN post_check_results pr ON pr.id = r.result_id "
	"WHERE (? = 0 OR r.org_id = ?) AND (? = 0 OR r.permit_id = ?) AND (? = 0 OR r.task_id = ?) "
	"AND (? IS NULL OR r.status = ?) ORDER BY r.task_id DESC LIMIT ?";
static const char SQL_RECTS_LOCK[] =
	"SELECT r.task_id, r.permit_id, r.org_id, p.application_id, r.result_id, p.reference, "
	"a.reference, r.status, p.state, r.opened_on, r.due_day, r.limit_days, pr.codes "
	"FROM rectifications r JOIN permits p ON p.id = r.permit_id "
	"JOIN applications a ON a.id = p.application_id "
	"JOIN post_check_results pr ON pr.id = r.result_id "
	"WHERE (? = 0 OR r.org_id = ?) AND (? = 0 OR r.permit_id = ?) AND (? = 0 OR r.task_id = ?) "
	"AND (? IS NULL OR r.status = ?) ORDER BY r.task_id DESC LIMIT ? FOR UPDATE";
static const char SQL_RECT_OPEN_FOR[] =
	"SELECT COUNT(*) FROM rectifications WHERE permit_id = ? AND status = 'open'";
static const char SQL_RECT_SETTLE[] =
	"UPDATE rectifications SET status = ?, note = ?, settled_at = ? "
	"WHERE task_id = ? AND status = 'open'";
static const char SQL_TASK_DONE[] =
	"UPDATE tasks SET status = 'done', done_at = ? WHERE id = ? AND status = 'open'";
/* a permit closed or ended meanwhile has nothing left to revoke: not a candidate */
static const char SQL_RECT_OVERDUE[] =
	"SELECT r.task_id FROM rectifications r JOIN permits p ON p.id = r.permit_id "
	"WHERE r.status = 'open' AND r.due_day < ? AND p.state = 'approved' "
	"ORDER BY r.due_day, r.task_id LIMIT ?";
static const char SQL_CREDIT[] =
	"INSERT INTO credit_entries (org_id, rule, rules_version, severity, permit_id, "
	"task_id, evidence, occurred_on, expires_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
	"ON DUPLICATE KEY UPDATE id = id"; /* the same event: nothing (migration 0018's key) */
static const char SQL_CREDITS[] =
	"SELECT id, org_id, permit_id, task_id, rule, severity, status, decision, rules_version, "
	"occurred_on, expires_on, evidence, appeal_reason, decision_reason, "
	"DATE_FORMAT(appealed_at, '%Y-%m-%dT%H:%i:%sZ'), "
	"DATE_FORMAT(decided_at, '%Y-%m-%dT%H:%i:%sZ') FROM credit_entries "
	"WHERE (? = 0 OR org_id = ?) AND (? = 0 OR id = ?) ORDER BY occurred_on DESC, id DESC "
	"LIMIT 500";
static const char SQL_CREDITS_LOCK[] =
	"SELECT id, org_id, permit_id, task_id, rule, severity, status, decision, rules_version, "
	"occurred_on, expires_on, evidence, appeal_reason, decision_reason, "
	"DATE_FORMAT(appealed_at, '%Y-%m-%dT%H:%i:%sZ'), "
	"DATE_FORMAT(decided_at, '%Y-%m-%dT%H:%i:%sZ') FROM credit_entries "
	"WHERE (? = 0 OR org_id = ?) AND (? = 0 OR id = ?) ORDER BY occurred_on DESC, id DESC "
	"LIMIT 500 FOR UPDATE";
static const char SQL_APPEAL[] =
	"UPDATE credit_entries SET status = 'appealed', appeal_reason = ?, appealed_by = ?, "
	"appealed_at = ? WHERE id = ? AND status = 'active' AND decision IS NULL";
static const char SQL_DECIDE[] =
	"UPDATE credit_entries SET status = IF(? = 'withdrawn', 'withdrawn', 'active'), "
	"decision = ?, decision_reason = ?, decided_by = ?, decided_at = ? "
	"WHERE id = ? AND status = 'appealed'";
static const char SQL_TASK_GET[] =
	"SELECT id, permit_id, org_id, kind, status FROM tasks WHERE id = ? FOR UPDATE";
static const char SQL_TASK_OPEN_OF[] =
	"SELECT MAX(id) FROM tasks WHERE permit_id = ? AND kind = ? AND status = 'open'";
static const char SQL_MATERIAL_OF[] =
	"SELECT COUNT(*) FROM materials WHERE id = ? AND org_id = ? AND material_type = ?";
static const char SQL_APP_ORG[] =
	"SELECT a.org_id FROM permits p JOIN applications a ON a.id = p.application_id "
	"WHERE p.id = ?";
/* the signed-in lists, newest first, a page at a time: a cursor is the last id shown */
static const char SQL_RECTS_PAGE[] =
	"SELECT r.task_id, r.permit_id, r.org_id, p.application_id, r.result_id, p.reference, "
	"a.reference, r.status, p.state, r.opened_on, r.due_day, r.limit_days, pr.codes "
	"FROM rectifications r JOIN permits p ON p.id = r.permit_id "
	"JOIN applications a ON a.id = p.application_id "
	"JOIN post_check_results pr ON pr.id = r.result_id "
	"WHERE (? = 0 OR r.org_id = ?) AND (? IS NULL OR r.status = ?) "
	"AND (? = 0 OR r.task_id < ?) ORDER BY r.task_id DESC LIMIT ?";
static const char SQL_RECTS_TALLY[] =
	"SELECT COUNT(*), COALESCE(SUM(status = 'open' AND due_day < ?), 0) FROM rectifications "
	"WHERE (? = 0 OR org_id = ?) AND (? IS NULL OR status = ?)";
static const char SQL_CREDITS_PAGE[] =
	"SELECT id, org_id, permit_id, task_id, rule, severity, status, decision, rules_version, "
	"occurred_on, expires_on, evidence, appeal_reason, decision_reason, "
	"DATE_FORMAT(appealed_at, '%Y-%m-%dT%H:%i:%sZ'), "
	"DATE_FORMAT(decided_at, '%Y-%m-%dT%H:%i:%sZ') FROM credit_entries "
	"WHERE org_id = ? AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?";
static const char SQL_CREDITS_TALLY[] =
	"SELECT COUNT(*), COALESCE(SUM(status <> 'withdrawn' AND expires_on > ?), 0) "
	"FROM credit_entries WHERE org_id = ?";

int store_oversight_rules_load(struct store_conn *c, int version, struct oversight_rules *out,
			       char *published_at, struct error *err)
{
	struct store_param p[] = { P_INT(version), P_INT(version) };
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_RULES, p, 2, &r, err);
	if (rc)
		return rc;
	if (!r->nrows) {
		store_result_free(r);
		return error_set(err, ERR_NOT_FOUND, "no oversight rules of version %d", version);
	}
	int v = (int)store_cell_ll(r, 0, 0, 0);
	json_error_t je;
	json_t *body = json_loads(store_cell(r, 0, 1), 0, &je);
	if (published_at)
		snprintf(published_at, 21, "%s", store_cell(r, 0, 2) ? store_cell(r, 0, 2) : "");
	store_result_free(r);
	struct error bad = ERROR_INIT;
	rc = oversight_rules_from_json(body, v, out, &bad);
	json_decref(body);
	if (rc)
		rc = error_set(err, ERR_INTERNAL, "oversight rules version %d do not read: %s", v,
			       bad.message);
	error_release(&bad);
	return rc;
}

int store_oversight_rules_publish(struct store_conn *c, const char *body, long long by,
				  int *version, struct error *err)
{
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_RULES_NEXT, NULL, 0, &r, err);
	if (rc)
		return rc;
	int v = (int)store_cell_ll(r, 0, 0, 1);
	store_result_free(r);
	struct store_param p[] = { P_INT(v), P_STR(body), by ? P_INT(by) : P_NULL };
	rc = store_run(c, SQL_RULES_INSERT, p, 3, NULL, NULL, err);
	if (rc == ERR_CONFLICT)
		return error_set(err, ERR_RETRY, "oversight rules version %d was taken meanwhile", v);
	if (!rc)
		*version = v;
	return rc;
}

int store_sample_record(struct store_conn *c, long long permit_id, int rules_version,
			const char *risk, int share, int draw, bool sampled, struct error *err)
{
	struct store_param p[] = { P_INT(permit_id), P_INT(rules_version), P_STR(risk),
				   P_INT(share), P_INT(draw), P_INT(sampled) };
	return store_run(c, SQL_SAMPLE, p, 6, NULL, NULL, err);
}

int store_sample_groups(struct store_conn *c, struct sample_group **rows, size_t *n,
			struct error *err)
{
	struct store_result *r = NULL;
	*rows = NULL;
	*n = 0;
	int rc = store_exec(c, SQL_SAMPLE_GROUPS, NULL, 0, &r, err);
	if (rc)
		return rc;
	*rows = xcalloc(r->nrows + 1, sizeof(**rows));
	for (size_t i = 0; i < r->nrows; i++) {
		struct sample_group *g = &(*rows)[i];
		g->rules_version = (int)store_cell_ll(r, i, 0, 0);
		ROWS_COPY(g->risk, store_cell(r, i, 1));
		g->share_percent = (int)store_cell_ll(r, i, 2, 0);
		g->permits = store_cell_ll(r, i, 3, 0);
		g->sampled = store_cell_ll(r, i, 4, 0);
	}
	*n = r->nrows;
	store_result_free(r);
	return 0;
}

int store_post_check_result_insert(struct store_conn *c, const struct post_check_result_new *x,
				   long long *id, struct error *err)
{
	struct store_param p[] = { P_INT(x->permit_id),	      x->task_id ? P_INT(x->task_id) : P_NULL,
				   P_STR(x->result),	      P_STR(x->codes),
				   P_STR(x->photos),	      P_STR(x->comment ? x->comment : ""),
				   P_INT(x->code_list_version),
				   x->org_id ? P_INT(x->org_id) : P_NULL,
				   x->user_id ? P_INT(x->user_id) : P_NULL,
				   P_STR(x->at) };
	unsigned long long got = 0;
	int rc = store_run(c, SQL_RESULT, p, 10, NULL, &got, err);
	*id = (long long)got;
	return rc;
}

int store_task_open(struct store_conn *c, long long permit_id, const char *kind, long long org_id,
		    long long *id, struct error *err)
{
	struct store_param p[] = { P_INT(permit_id), P_STR(kind), P_INT(org_id) };
	unsigned long long got = 0;
	int rc = store_run(c, SQL_TASK, p, 3, NULL, &got, err);
	*id = (long long)got;
	return rc;
}

int store_rectification_open(struct store_conn *c, const struct rectification_new *x,
			     long long *task_id, struct error *err)
{
	int rc = store_task_open(c, x->permit_id, "rectification", x->org_id, task_id, err);
	if (rc)
		return rc;
	char d1[11], d2[11];
	struct store_param p[] = { P_INT(*task_id),	 P_INT(x->permit_id),
				   P_INT(x->result_id),	 P_INT(x->org_id),
				   rows_day_param(x->opened_on, d1),
				   rows_day_param(x->due_day, d2), P_INT(x->limit_days) };
	return store_run(c, SQL_RECT, p, 7, NULL, NULL, err);
}

void store_rectification_rows_free(struct rectification_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++)
		free(rows[i].codes);
	free(rows);
}

/* The rows of a rectification query (SQL_RECTS' columns) into a new *rows; frees r. */
static void rect_rows(struct store_result *r, struct rectification_row **rows, size_t *n)
{
	*rows = xcalloc(r->nrows + 1, sizeof(**rows));
	for (size_t i = 0; i < r->nrows; i++) {
		struct rectification_row *o = &(*rows)[i];
		o->task_id = store_cell_ll(r, i, 0, 0);
		o->permit_id = store_cell_ll(r, i, 1, 0);
		o->org_id = store_cell_ll(r, i, 2, 0);
		o->application_id = store_cell_ll(r, i, 3, 0);
		o->result_id = store_cell_ll(r, i, 4, 0);
		ROWS_COPY(o->reference, store_cell(r, i, 5));
		ROWS_COPY(o->app_reference, store_cell(r, i, 6));
		ROWS_COPY(o->status, store_cell(r, i, 7));
		ROWS_COPY(o->permit_state, store_cell(r, i, 8));
		o->opened_on = rows_day_cell(r, i, 9);
		o->due_day = rows_day_cell(r, i, 10);
		o->limit_days = (int)store_cell_ll(r, i, 11, 0);
		o->codes = xstrdup(store_cell(r, i, 12) ? store_cell(r, i, 12) : "[]");
	}
	*n = r->nrows;
	store_result_free(r);
}

int store_rectifications(struct store_conn *c, long long org_id, long long permit_id,
			 long long task_id, const char *status, bool lock, size_t cap,
			 struct rectification_row **rows, size_t *n, struct error *err)
{
	struct store_param p[] = { P_INT(org_id),    P_INT(org_id),  P_INT(permit_id),
				   P_INT(permit_id), P_INT(task_id), P_INT(task_id),
				   P_STR(status),    P_STR(status),  P_INT((long long)cap) };
	struct store_result *r = NULL;
	*rows = NULL;
	*n = 0;
	int rc = store_exec(c, lock ? SQL_RECTS_LOCK : SQL_RECTS, p, 9, &r, err);
	if (rc)
		return rc;
	rect_rows(r, rows, n);
	return 0;
}

int store_rectification_open_for(struct store_conn *c, long long permit_id, bool *open,
				 struct error *err)
{
	struct store_param p[] = { P_INT(permit_id) };
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_RECT_OPEN_FOR, p, 1, &r, err);
	if (rc)
		return rc;
	*open = store_cell_ll(r, 0, 0, 0) > 0;
	store_result_free(r);
	return 0;
}

int store_rectification_settle(struct store_conn *c, long long task_id, const char *status,
			       const char *note, const char *at, struct error *err)
{
	struct store_param p[] = { P_STR(status), P_STR(note), P_STR(at), P_INT(task_id) };
	unsigned long long n = 0;
	int rc = store_run(c, SQL_RECT_SETTLE, p, 4, &n, NULL, err);
	if (!rc && n == 0)
		return error_set(err, ERR_CONFLICT, "the rectification is not open");
	struct store_param t[] = { P_STR(at), P_INT(task_id) };
	if (!rc)
		rc = store_run(c, SQL_TASK_DONE, t, 2, NULL, NULL, err);
	return rc;
}

int store_rectifications_overdue(struct store_conn *c, day_t today, long long *ids, size_t cap,
				 size_t *n, struct error *err)
{
	char d[11];
	struct store_param p[] = { rows_day_param(today, d), P_INT((long long)cap) };
	struct store_result *r = NULL;
	*n = 0;
	int rc = store_exec(c, SQL_RECT_OVERDUE, p, 2, &r, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < r->nrows && i < cap; i++)
		ids[(*n)++] = store_cell_ll(r, i, 0, 0);
	store_result_free(r);
	return 0;
}

int store_credit_insert(struct store_conn *c, const struct credit_new *e, long long *id,
			struct error *err)
{
	char d1[11], d2[11];
	struct store_param p[] = { P_INT(e->org_id),
				   P_STR(e->rule),
				   P_INT(e->rules_version),
				   P_STR(e->severity),
				   e->permit_id ? P_INT(e->permit_id) : P_NULL,
				   e->task_id ? P_INT(e->task_id) : P_NULL,
				   P_STR(e->evidence),
				   rows_day_param(e->occurred_on, d1),
				   rows_day_param(e->expires_on, d2) };
	unsigned long long got = 0, n = 0;
	int rc = store_run(c, SQL_CREDIT, p, 9, &n, &got, err);
	if (id)
		*id = n ? (long long)got : 0;
	return rc;
}

void store_credit_rows_free(struct credit_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++) {
		free(rows[i].evidence);
		free(rows[i].appeal_reason);
		free(rows[i].decision_reason);
	}
	free(rows);
}

static char *dup_cell(const struct store_result *r, size_t i, size_t col)
{
	return store_cell(r, i, col) ? xstrdup(store_cell(r, i, col)) : NULL;
}

/* The rows of a credit entry query (SQL_CREDITS' columns) into a new *rows; frees r. */
static void credit_rows(struct store_result *r, struct credit_row **rows, size_t *n)
{
	*rows = xcalloc(r->nrows + 1, sizeof(**rows));
	for (size_t i = 0; i < r->nrows; i++) {
		struct credit_row *o = &(*rows)[i];
		o->id = store_cell_ll(r, i, 0, 0);
		o->org_id = store_cell_ll(r, i, 1, 0);
		o->permit_id = store_cell_ll(r, i, 2, 0);
		o->task_id = store_cell_ll(r, i, 3, 0);
		ROWS_COPY(o->rule, store_cell(r, i, 4));
		ROWS_COPY(o->severity, store_cell(r, i, 5));
		ROWS_COPY(o->status, store_cell(r, i, 6));
		ROWS_COPY(o->decision, store_cell(r, i, 7));
		o->rules_version = (int)store_cell_ll(r, i, 8, 0);
		o->occurred_on = rows_day_cell(r, i, 9);
		o->expires_on = rows_day_cell(r, i, 10);
		o->evidence = dup_cell(r, i, 11);
		o->appeal_reason = dup_cell(r, i, 12);
		o->decision_reason = dup_cell(r, i, 13);
		ROWS_COPY(o->appealed_at, store_cell(r, i, 14));
		ROWS_COPY(o->decided_at, store_cell(r, i, 15));
	}
	*n = r->nrows;
	store_result_free(r);
}

int store_credit_entries(struct store_conn *c, long long org_id, long long id, bool lock,
			 struct credit_row **rows, size_t *n, struct error *err)
{
	struct store_param p[] = { P_INT(org_id), P_INT(org_id), P_INT(id), P_INT(id) };
	struct store_result *r = NULL;
	*rows = NULL;
	*n = 0;
	int rc = store_exec(c, lock ? SQL_CREDITS_LOCK : SQL_CREDITS, p, 4, &r, err);
	if (rc)
		return rc;
	credit_rows(r, rows, n);
	return 0;
}

int store_credit_appeal(struct store_conn *c, long long id, const char *reason, long long by,
			const char *at, struct error *err)
{
	struct store_param p[] = { P_STR(reason), by ? P_INT(by) : P_NULL, P_STR(at), P_INT(id) };
	unsigned long long n = 0;
	int rc = store_run(c, SQL_APPEAL, p, 4, &n, NULL, err);
	if (!rc && n == 0)
		rc = error_set(err, ERR_CONFLICT, "only an active entry not appealed before is appealed");
	return rc;
}

int store_credit_decide(struct store_conn *c, long long id, const char *decision,
			const char *reason, long long by, const char *at, struct error *err)
{
	struct store_param p[] = { P_STR(decision), P_STR(decision), P_STR(reason),
				   by ? P_INT(by) : P_NULL, P_STR(at), P_INT(id) };
	unsigned long long n = 0;
	int rc = store_run(c, SQL_DECIDE, p, 6, &n, NULL, err);
	if (!rc && n == 0)
		rc = error_set(err, ERR_CONFLICT, "only an appealed entry is decided");
	return rc;
}

int store_permit_applicant_org(struct store_conn *c, long long permit_id, long long *org_id,
			       struct error *err)
{
	struct store_param p[] = { P_INT(permit_id) };
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_APP_ORG, p, 1, &r, err);
	if (rc)
		return rc;
	*org_id = r->nrows ? store_cell_ll(r, 0, 0, 0) : 0;
	store_result_free(r);
	return *org_id ? 0 : error_set(err, ERR_NOT_FOUND, "no such permit");
}

int store_task_get(struct store_conn *c, long long id, struct stored_task *out, struct error *err)
{
	struct store_param p[] = { P_INT(id) };
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_TASK_GET, p, 1, &r, err);
	if (rc)
		return rc;
	if (!r->nrows) {
		store_result_free(r);
		return error_set(err, ERR_NOT_FOUND, "no such task");
	}
	out->id = store_cell_ll(r, 0, 0, 0);
	out->permit_id = store_cell_ll(r, 0, 1, 0);
	out->org_id = store_cell_ll(r, 0, 2, 0);
	ROWS_COPY(out->kind, store_cell(r, 0, 3));
	ROWS_COPY(out->status, store_cell(r, 0, 4));
	store_result_free(r);
	return 0;
}

int store_task_open_of(struct store_conn *c, long long permit_id, const char *kind, long long *id,
		       struct error *err)
{
	struct store_param p[] = { P_INT(permit_id), P_STR(kind) };
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_TASK_OPEN_OF, p, 2, &r, err);
	if (rc)
		return rc;
	*id = store_cell_ll(r, 0, 0, 0);
	store_result_free(r);
	return 0;
}

int store_material_of(struct store_conn *c, long long id, long long org_id, const char *type,
		      bool *ok, struct error *err)
{
	struct store_param p[] = { P_INT(id), P_INT(org_id), P_STR(type) };
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_MATERIAL_OF, p, 3, &r, err);
	if (rc)
		return rc;
	*ok = store_cell_ll(r, 0, 0, 0) > 0;
	store_result_free(r);
	return 0;
}

int store_remedial_overdue(struct store_conn *c, day_t today, long long task_id, bool lock,
			   struct remedial_overdue *rows, size_t max, size_t *n, struct error *err)
{
	char d[11];
	*n = 0;
	struct store_param p[] = { rows_day_param(today, d), P_INT(task_id), P_INT(task_id),
				   P_INT((long long)max) };
	struct store_result *r = NULL;
	int rc = store_exec(c, lock ? SQL_REMEDIAL_OVERDUE_LOCK : SQL_REMEDIAL_OVERDUE, p, 4, &r,
			    err);
	if (rc)
		return rc;
	for (size_t i = 0; i < r->nrows && i < max; i++) {
		rows[i].task_id = store_cell_ll(r, i, 0, 0);
		rows[i].org_id = store_cell_ll(r, i, 1, 0);
		rows[i].permit_id = store_cell_ll(r, i, 2, 0);
		rows[i].due_day = rows_day_cell(r, i, 3);
		(*n)++;
	}
	store_result_free(r);
	return 0;
}

int store_rectification_page(struct store_conn *c, long long org_id, const char *status,
			     long long before, int limit, struct rectification_row **rows,
			     size_t *n, struct error *err)
{
	struct store_param p[] = { P_INT(org_id), P_INT(org_id), P_STR(status), P_STR(status),
				   P_INT(before), P_INT(before), P_INT((long long)limit + 1) };
	struct store_result *r = NULL;
	*rows = NULL;
	*n = 0;
	int rc = store_exec(c, SQL_RECTS_PAGE, p, 7, &r, err);
	if (!rc)
		rect_rows(r, rows, n);
	return rc;
}

int store_rectification_tally(struct store_conn *c, long long org_id, const char *status,
			      day_t today, long long *count, long long *overdue, struct error *err)
{
	char d[11];
	struct store_param p[] = { rows_day_param(today, d), P_INT(org_id), P_INT(org_id),
				   P_STR(status), P_STR(status) };
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_RECTS_TALLY, p, 5, &r, err);
	if (rc)
		return rc;
	*count = store_cell_ll(r, 0, 0, 0);
	*overdue = store_cell_ll(r, 0, 1, 0);
	store_result_free(r);
	return 0;
}

int store_credit_page(struct store_conn *c, long long org_id, long long before, int limit,
		      struct credit_row **rows, size_t *n, struct error *err)
{
	struct store_param p[] = { P_INT(org_id), P_INT(before), P_INT(before),
				   P_INT((long long)limit + 1) };
	struct store_result *r = NULL;
	*rows = NULL;
	*n = 0;
	int rc = store_exec(c, SQL_CREDITS_PAGE, p, 4, &r, err);
	if (!rc)
		credit_rows(r, rows, n);
	return rc;
}

int store_credit_tally(struct store_conn *c, long long org_id, day_t today, long long *count,
		       long long *standing, struct error *err)
{
	char d[11];
	struct store_param p[] = { rows_day_param(today, d), P_INT(org_id) };
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_CREDITS_TALLY, p, 2, &r, err);
	if (rc)
		return rc;
	*count = store_cell_ll(r, 0, 0, 0);
	*standing = store_cell_ll(r, 0, 1, 0);
	store_result_free(r);
	return 0;
}
