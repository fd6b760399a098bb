/* SQL for the follow-up work on a permit: tasks, inspections and extension requests. */
#include "tasks.h"

#include "store/rows.h"

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
