/* SQL for the follow-up work on a permit: tasks, inspections and extension requests. */
#include "tasks.h"

#include <stdio.h>
#include <stdlib.h>

#include "store/rows.h"
#include "lib/json_text.h"
#include "lib/strbuf.h"
#include "lib/xalloc.h"

static const char SQL_TASK[] = "INSERT INTO tasks (permit_id, kind, org_id) VALUES (?, ?, ?)";
static const char SQL_INSPECTION[] =
	"INSERT INTO inspections (permit_id, kind, result, comment, actor_org_id, actor_user_id, at) "
	"VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char SQL_EXT_INSERT[] =
	"INSERT INTO extensions (permit_id, old_window_to, requested_to, reason, requested_at) "
	"VALUES (?, ?, ?, ?, ?)";
static const char SQL_EXT_SETTLE[] =
	"UPDATE extensions SET status = ?, decided_at = ? WHERE permit_id = ? AND status = 'pending'";
static const char SQL_REMEDIAL[] =
	"INSERT INTO tasks (permit_id, kind, org_id) SELECT DISTINCT ?, 'remedial', j.utility_org_id "
	"FROM job_permits jp JOIN jobs j ON j.id = jp.job_id WHERE jp.permit_id = ?";

static const char SQL_POST_CHECKS[] =
	"SELECT t.id, t.permit_id, t.org_id, p.reference, a.reference, p.kind, p.state, "
	"DATE_FORMAT(t.created_at + INTERVAL 8 HOUR, '%Y-%m-%d'), a.submitted_day "
	"FROM tasks t JOIN permits p ON p.id = t.permit_id "
	"JOIN applications a ON a.id = p.application_id "
	"WHERE t.kind = 'post_check' AND t.status = 'open' AND (? = 0 OR t.org_id = ?) "
	"ORDER BY t.id LIMIT ?";

static const char SQL_TASKS_DONE[] =
	"UPDATE tasks SET status = 'done', done_at = ? WHERE permit_id = ? AND kind = ? "
	"AND status = 'open' AND (? = 0 OR org_id = ?)";

int store_tasks_done(struct store_conn *c, long long permit_id, const char *kind, long long org_id,
		     const char *at, struct error *err)
{
	struct store_param p[] = { P_STR(at), P_INT(permit_id), P_STR(kind), P_INT(org_id),
				   P_INT(org_id) };
	return store_run(c, SQL_TASKS_DONE, p, 5, NULL, NULL, err);
}

int store_task_insert(struct store_conn *c, long long permit_id, const char *kind, long long org_id,
		      struct error *err)
{
	struct store_param p[] = { P_INT(permit_id), P_STR(kind), P_INT(org_id) };
	return store_run(c, SQL_TASK, p, 3, NULL, NULL, err);
}

int store_inspection_insert(struct store_conn *c, long long permit_id, const char *kind,
			    const char *result, const char *comment, long long org_id,
			    long long user_id, const char *at, struct error *err)
{
	struct store_param p[] = { P_INT(permit_id), P_STR(kind), P_STR(result),
				   P_STR(comment ? comment : ""), org_id ? P_INT(org_id) : P_NULL,
				   user_id ? P_INT(user_id) : P_NULL, P_STR(at) };
	return store_run(c, SQL_INSPECTION, p, 7, NULL, NULL, err);
}

int store_extension_insert(struct store_conn *c, long long permit_id, day_t old_to, day_t new_to,
			   const char *reason, const char *at, struct error *err)
{
	char d1[11], d2[11];
	struct store_param p[] = { P_INT(permit_id), rows_day_param(old_to, d1),
				   rows_day_param(new_to, d2), P_STR(reason ? reason : ""),
				   P_STR(at) };
	return store_run(c, SQL_EXT_INSERT, p, 5, NULL, NULL, err);
}

int store_extension_settle(struct store_conn *c, long long permit_id, bool granted,
			   const char *at, struct error *err)
{
	struct store_param p[] = { P_STR(granted ? "granted" : "refused"), P_STR(at),
				   P_INT(permit_id) };
	return store_run(c, SQL_EXT_SETTLE, p, 3, NULL, NULL, err);
}

int store_remedial_tasks(struct store_conn *c, long long permit_id, struct error *err)
{
	struct store_param p[] = { P_INT(permit_id), P_INT(permit_id) };
	return store_run(c, SQL_REMEDIAL, p, 2, NULL, NULL, err);
}

int store_post_checks_open(struct store_conn *c, long long org_id, size_t cap,
			   post_check_due_fn due, void *ctx, struct strbuf *items, size_t *count,
			   size_t *overdue, struct error *err)
{
	struct store_param p[] = { P_INT(org_id), P_INT(org_id), P_INT((long long)cap) };
	struct store_result *r = NULL;
	*count = *overdue = 0;
	int rc = store_exec(c, SQL_POST_CHECKS, p, 3, &r, err);
	if (rc)
		return rc;
	/* the fields in the order the list has always shown them */
	strbuf_add(items, "[", 1);
	for (size_t i = 0; i < r->nrows; i++) {
		day_t d = -1;
		int limit = 0, late = 0;
		bool has_due = due(ctx, store_cell(r, i, 5), rows_day_cell(r, i, 8),
				   rows_day_cell(r, i, 7), &d, &limit, &late);
		char day[11];
		strbuf_add(items, i ? ",{" : "{", i ? 2 : 1);
		json_text_key(items, "task_id", true);
		rows_json_number(items, r, i, 0, "0");
		json_text_key(items, "permit_id", false);
		rows_json_number(items, r, i, 1, "0");
		json_text_key(items, "reference", false);
		json_text_string(items, store_cell(r, i, 3));
		json_text_key(items, "application", false);
		json_text_string(items, store_cell(r, i, 4));
		json_text_key(items, "kind", false);
		json_text_string(items, store_cell(r, i, 5));
		json_text_key(items, "permit_state", false);
		json_text_string(items, store_cell(r, i, 6));
		json_text_key(items, "org_id", false);
		rows_json_number(items, r, i, 2, "0");
		json_text_key(items, "opened_on", false);
		json_text_string(items, store_cell(r, i, 7));
		json_text_key(items, "due_date", false);
		json_text_string(items, has_due && d >= 0 ? cal_day_format(d, day) : NULL);
		json_text_key(items, "limit_days", false);
		if (has_due)
			json_text_integer(items, limit);
		else
			strbuf_add(items, "null", 4);
		json_text_key(items, "overdue", false);
		json_text_boolean(items, late > 0);
		json_text_key(items, "days_overdue", false);
		json_text_integer(items, late);
		strbuf_add(items, "}", 1);
		*overdue += late > 0;
	}
	strbuf_add(items, "]", 1);
	*count = r->nrows;
	store_result_free(r);
	return 0;
}
