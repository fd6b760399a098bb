/* SQL for permits: their rows, batch inserts, updates, windows and the sweep's due list. */
#include "permits.h"

#include <stdlib.h>
#include <string.h>

#include "store/multirow.h"
#include "store/rows.h"
#include "lib/xalloc.h"

static const char HEAD_PERMIT[] =
	"INSERT INTO permits (application_id, reference, kind, authority_org_id, state, decision, "
	"trigger_reason, fast_track, window_from, window_to, deadline_day, stage, stage_limit_days, "
	"started_day, due_day, fast_track_basis) VALUES ";
static const char ROW_PERMIT[] = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_PERMITS_DUG_BY_JOB[] =
	"SELECT DISTINCT e.permit_id FROM excavations e JOIN jobs j "
	"ON j.application_id = e.application_id AND j.utility_kind = e.utility_kind "
	"WHERE j.id = ? AND e.permit_id IS NOT NULL ORDER BY e.permit_id";
#define PERMIT_COLS                                                                            \
	"SELECT x.id, x.application_id, a.org_id, a.reference, a.submitted_day, x.reference, "  \
	"x.kind, x.authority_org_id, x.state, x.decision, x.is_deemed, x.fast_track, "           \
	"x.post_checked, x.reinstatement_passed, x.extension_pending, x.extension_to, "          \
	"x.window_from, x.window_to, x.deadline_day, x.trigger_reason, x.conditions, "           \
	"x.decision_reason, x.version, DATE_FORMAT(x.updated_at, '%Y-%m-%dT%H:%i:%sZ'), "        \
	STORE_CLOCK_COLS " FROM permits x JOIN applications a ON a.id = x.application_id "
static const char SQL_PERMIT_GET[] = PERMIT_COLS "WHERE x.id = ?";
static const char SQL_PERMIT_GET_LOCK[] = PERMIT_COLS "WHERE x.id = ? FOR UPDATE";
static const char SQL_PERMITS_OF_APP[] = PERMIT_COLS "WHERE x.application_id = ? ORDER BY x.id";
static const char SQL_PERMITS_OF_JOB[] =
	PERMIT_COLS "JOIN job_permits jp ON jp.permit_id = x.id WHERE jp.job_id = ? ORDER BY x.id";
static const char SQL_PERMIT_UPDATE[] =
	"UPDATE permits SET state = ?, decision = ?, is_deemed = ?, post_checked = ?, "
	"reinstatement_passed = ?, extension_pending = ?, extension_to = ?, window_from = ?, "
	"window_to = ?, deadline_day = ?, stage = ?, stage_limit_days = ?, started_day = ?, "
	"due_day = ?, paused = ?, paused_day = ?, remaining_days = ?, "
	"conditions = COALESCE(?, conditions), decision_reason = COALESCE(?, decision_reason), "
	"version = version + 1, updated_at = UTC_TIMESTAMP(6) WHERE id = ? AND version = ?";
static const char SQL_PERMIT_UTILITIES[] =
	"SELECT DISTINCT j.utility_org_id FROM job_permits jp JOIN jobs j ON j.id = jp.job_id "
	"WHERE jp.permit_id = ? ORDER BY 1";
static const char SQL_PERMITS_DUE[] =
	"SELECT id FROM permits WHERE state IN ('submitted', 'under_review') AND paused = 0 "
	"AND due_day < ? ORDER BY id LIMIT ?";
static const char SQL_PERMIT_WINDOW[] =
	"UPDATE permits SET window_from = ?, window_to = ?, version = version + 1, "
	"updated_at = UTC_TIMESTAMP(6) WHERE id = ?";

/* The batch inserts' statements, built by row count on first use (store/multirow.h). */
static struct multirow permit_batch = MULTIROW_INIT(HEAD_PERMIT, ROW_PERMIT, 16, true);

void store_permit_row_release(struct permit_row *r)
{
	free(r->trigger_reason);
	free(r->conditions);
	free(r->decision_reason);
	memset(r, 0, sizeof(*r));
}

static void permit_fill(const void *rows, size_t i, struct store_param *p, char (*days)[11])
{
	const struct permit_new *x = (const struct permit_new *)rows + i;
	p[0] = P_INT(x->application_id);
	p[1] = P_STR(x->reference);
	p[2] = P_STR(x->kind);
	p[3] = P_INT(x->authority_org_id);
	p[4] = P_STR(x->state);
	p[5] = P_STR(x->decision);
	p[6] = P_STR(x->trigger_reason);
	p[7] = P_INT(x->fast_track);
	p[8] = rows_day_param(x->window_from, days[8]);
	p[9] = rows_day_param(x->window_to, days[9]);
	p[10] = rows_day_param(x->deadline_day, days[10]);
	store_clock_bind(x->clock, p + 11, days[13], days[14]);
	p[15] = x->fast_track_basis ? P_STR(x->fast_track_basis) : P_NULL;
}

int store_permits_insert_many(struct store_conn *c, const struct permit_new *x, size_t n,
			      long long *ids, struct error *err)
{
	return multirow_insert(c, &permit_batch, x, n, permit_fill, ids, err);
}

int store_permit_insert(struct store_conn *c, const struct permit_new *x, long long *id,
			struct error *err)
{
	return store_permits_insert_many(c, x, 1, id, err);
}

int store_permits_dug_by_job(struct store_conn *c, long long job_id, long long **ids, size_t *n,
			     struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(job_id) };
	*ids = NULL;
	*n = 0;
	int rc = store_exec(c, SQL_PERMITS_DUG_BY_JOB, p, 1, &r, err);
	if (rc == 0 && r->nrows) {
		*ids = xcalloc(r->nrows, sizeof(**ids));
		for (size_t i = 0; i < r->nrows; i++)
			(*ids)[(*n)++] = store_cell_ll(r, i, 0, 0);
	}
	store_result_free(r);
	return rc;
}

static void permit_from(const struct store_result *r, size_t i, struct permit_row *p)
{
	memset(p, 0, sizeof(*p));
	p->id = store_cell_ll(r, i, 0, 0);
	p->application_id = store_cell_ll(r, i, 1, 0);
	p->app_org_id = store_cell_ll(r, i, 2, 0);
	ROWS_COPY(p->app_reference, store_cell(r, i, 3));
	p->submitted_day = rows_day_cell(r, i, 4);
	ROWS_COPY(p->reference, store_cell(r, i, 5));
	ROWS_COPY(p->kind, store_cell(r, i, 6));
	p->authority_org_id = store_cell_ll(r, i, 7, 0);
	ROWS_COPY(p->state, store_cell(r, i, 8));
	ROWS_COPY(p->decision, store_cell(r, i, 9));
	p->is_deemed = store_cell_ll(r, i, 10, 0) != 0;
	p->fast_track = store_cell_ll(r, i, 11, 0) != 0;
	p->post_checked = store_cell_ll(r, i, 12, 0) != 0;
	p->reinstatement_passed = store_cell_ll(r, i, 13, 0) != 0;
	p->extension_pending = store_cell_ll(r, i, 14, 0) != 0;
	p->extension_to = rows_day_cell(r, i, 15);
	p->window_from = rows_day_cell(r, i, 16);
	p->window_to = rows_day_cell(r, i, 17);
	p->deadline_day = rows_day_cell(r, i, 18);
	p->trigger_reason = rows_dup_cell(r, i, 19);
	p->conditions = rows_dup_cell(r, i, 20);
	p->decision_reason = rows_dup_cell(r, i, 21);
	p->version = (int)store_cell_ll(r, i, 22, 1);
	ROWS_COPY(p->updated_at, store_cell(r, i, 23));
	store_clock_read(r, i, 24, &p->clock);
}

int store_permit_get(struct store_conn *c, long long id, bool for_update, struct permit_row *out,
		     struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(id) };
	int rc = store_exec(c, for_update ? SQL_PERMIT_GET_LOCK : SQL_PERMIT_GET, p, 1, &r, err);
	if (rc == 0 && r->nrows == 0)
		rc = error_set(err, ERR_NOT_FOUND, "no such permit");
	if (rc == 0)
		permit_from(r, 0, out);
	store_result_free(r);
	return rc;
}

static int permits_query(struct store_conn *c, const char *sql, long long id,
			 struct permit_row **rows, size_t *n, struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(id) };
	int rc = store_exec(c, sql, p, 1, &r, err);
	*rows = NULL;
	*n = 0;
	if (rc == 0) {
		*rows = xcalloc(r->nrows + 1, sizeof(**rows));
		for (size_t i = 0; i < r->nrows; i++)
			permit_from(r, i, &(*rows)[i]);
		*n = r->nrows;
	}
	store_result_free(r);
	return rc;
}

int store_permits_of_application(struct store_conn *c, long long app_id, struct permit_row **rows,
				 size_t *n, struct error *err)
{
	return permits_query(c, SQL_PERMITS_OF_APP, app_id, rows, n, err);
}

int store_permits_of_job(struct store_conn *c, long long job_id, struct permit_row **rows,
			 size_t *n, struct error *err)
{
	return permits_query(c, SQL_PERMITS_OF_JOB, job_id, rows, n, err);
}

int store_permit_update(struct store_conn *c, const struct permit_update *u, struct error *err)
{
	char d[3][11], e[4][11];
	struct store_param p[21];
	p[0] = P_STR(u->state);
	p[1] = P_STR(u->decision);
	p[2] = P_INT(u->is_deemed);
	p[3] = P_INT(u->post_checked);
	p[4] = P_INT(u->reinstatement_passed);
	p[5] = P_INT(u->extension_pending);
	p[6] = rows_day_param(u->extension_to, e[0]);
	p[7] = rows_day_param(u->window_from, e[1]);
	p[8] = rows_day_param(u->window_to, e[2]);
	p[9] = rows_day_param(u->deadline_day, e[3]);
	store_clock_bind_all(u->clock, p + 10, d);
	p[17] = P_STR(u->conditions);
	p[18] = P_STR(u->decision_reason);
	p[19] = P_INT(u->id);
	p[20] = P_INT(u->version);
	unsigned long long n = 0;
	int rc = store_run(c, SQL_PERMIT_UPDATE, p, 21, &n, NULL, err);
	return rc ? rc : rows_changed_meanwhile(n, err);
}

int store_permit_utility_orgs(struct store_conn *c, long long permit_id, long long *orgs,
			      size_t cap, size_t *n, struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(permit_id) };
	int rc = store_exec(c, SQL_PERMIT_UTILITIES, p, 1, &r, err);
	*n = 0;
	for (size_t i = 0; rc == 0 && i < r->nrows && *n < cap; i++)
		orgs[(*n)++] = store_cell_ll(r, i, 0, 0);
	store_result_free(r);
	return rc;
}

int store_permits_due(struct store_conn *c, day_t today, long long *ids, size_t cap, size_t *n,
		      struct error *err)
{
	char t[11];
	struct store_param p[] = { P_STR(cal_day_format(today, t)), P_INT((long long)cap) };
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_PERMITS_DUE, p, 2, &r, err);
	*n = 0;
	for (size_t i = 0; rc == 0 && i < r->nrows && *n < cap; i++)
		ids[(*n)++] = store_cell_ll(r, i, 0, 0);
	store_result_free(r);
	return rc;
}

int store_permit_set_window(struct store_conn *c, long long id, day_t from, day_t to,
			    struct error *err)
{
	char d1[11], d2[11];
	struct store_param p[] = { rows_day_param(from, d1), rows_day_param(to, d2), P_INT(id) };
	return store_run(c, SQL_PERMIT_WINDOW, p, 3, NULL, NULL, err);
}
