/* SQL for utility jobs: their rows, batch inserts, updates and the permits that gate them. */
#include "jobs.h"

#include <stdlib.h>
#include <string.h>

#include "store/multirow.h"
#include "store/rows.h"
#include "lib/xalloc.h"

static const char HEAD_JOB[] =
	"INSERT INTO jobs (application_id, reference, utility_kind, utility_org_id, state, params, "
	"stage, stage_limit_days, started_day, due_day) VALUES ";
static const char ROW_JOB[] = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char HEAD_LINK[] = "INSERT INTO job_permits (job_id, permit_id) VALUES ";
static const char ROW_LINK[] = "(?, ?)";
#define JOB_COLS                                                                               \
	"SELECT x.id, x.application_id, a.org_id, a.reference, a.submitted_day, x.reference, "  \
	"x.utility_kind, x.utility_org_id, x.state, x.version, x.params, x.connection_point, "   \
	"x.quote, x.quote_total_fen, x.permits_needed, "                                         \
	"DATE_FORMAT(x.updated_at, '%Y-%m-%dT%H:%i:%sZ'), " STORE_CLOCK_COLS                      \
	" FROM jobs x JOIN applications a ON a.id = x.application_id "
static const char SQL_JOB_GET[] = JOB_COLS "WHERE x.id = ?";
static const char SQL_JOB_PERMITS_CLEAR[] = "DELETE FROM job_permits WHERE job_id = ?";
static const char SQL_JOB_GET_LOCK[] = JOB_COLS "WHERE x.id = ? FOR UPDATE";
static const char SQL_JOBS_OF_APP[] = JOB_COLS "WHERE x.application_id = ? ORDER BY x.id";
static const char SQL_JOB_UPDATE[] =
	"UPDATE jobs SET state = ?, version = version + 1, stage = ?, stage_limit_days = ?, "
	"started_day = ?, due_day = ?, paused = ?, paused_day = ?, remaining_days = ?, "
	"connection_point = COALESCE(?, connection_point), quote = COALESCE(?, quote), "
	"quote_total_fen = IF(? < 0, quote_total_fen, ?), "
	"permits_needed = COALESCE(?, permits_needed), updated_at = UTC_TIMESTAMP(6) "
	"WHERE id = ? AND version = ?";

/* The batch inserts' statements, built by row count on first use (store/multirow.h). */
static struct multirow job_batch = MULTIROW_INIT(HEAD_JOB, ROW_JOB, 10, true);
static struct multirow link_batch = MULTIROW_INIT(HEAD_LINK, ROW_LINK, 2, false);

void store_job_row_release(struct job_row *r)
{
	free(r->params);
	free(r->connection_point);
	free(r->quote);
	free(r->permits_needed);
	memset(r, 0, sizeof(*r));
}

static void job_fill(const void *rows, size_t i, struct store_param *p, char (*days)[11])
{
	const struct job_new *j = (const struct job_new *)rows + i;
	p[0] = P_INT(j->application_id);
	p[1] = P_STR(j->reference);
	p[2] = P_STR(j->utility_kind);
	p[3] = P_INT(j->utility_org_id);
	p[4] = P_STR(j->state);
	p[5] = P_STR(j->params);
	store_clock_bind(j->clock, p + 6, days[8], days[9]);
}

int store_jobs_insert_many(struct store_conn *c, const struct job_new *j, size_t n,
			   long long *ids, struct error *err)
{
	return multirow_insert(c, &job_batch, j, n, job_fill, ids, err);
}

int store_job_insert(struct store_conn *c, const struct job_new *j, long long *id, struct error *err)
{
	return store_jobs_insert_many(c, j, 1, id, err);
}

static void link_fill(const void *rows, size_t i, struct store_param *p, char (*days)[11])
{
	const struct job_permit *l = (const struct job_permit *)rows + i;
	(void)days;
	p[0] = P_INT(l->job_id);
	p[1] = P_INT(l->permit_id);
}

int store_job_permit_link(struct store_conn *c, long long job_id, long long permit_id,
			  struct error *err)
{
	struct job_permit l = { job_id, permit_id };
	return store_job_permit_links(c, &l, 1, err);
}

int store_job_permit_links(struct store_conn *c, const struct job_permit *links, size_t n,
			   struct error *err)
{
	return multirow_insert(c, &link_batch, links, n, link_fill, NULL, err);
}

int store_job_permits_replace(struct store_conn *c, long long job_id, const long long *permit_ids,
			      size_t n, struct error *err)
{
	struct store_param p[] = { P_INT(job_id) };
	int rc = store_run(c, SQL_JOB_PERMITS_CLEAR, p, 1, NULL, NULL, err);
	if (rc || n == 0)
		return rc;
	struct job_permit *links = xcalloc(n, sizeof(*links));
	for (size_t i = 0; i < n; i++)
		links[i] = (struct job_permit){ job_id, permit_ids[i] };
	rc = store_job_permit_links(c, links, n, err);
	free(links);
	return rc;
}

static void job_from(const struct store_result *r, size_t i, struct job_row *j)
{
	memset(j, 0, sizeof(*j));
	j->id = store_cell_ll(r, i, 0, 0);
	j->application_id = store_cell_ll(r, i, 1, 0);
	j->app_org_id = store_cell_ll(r, i, 2, 0);
	ROWS_COPY(j->app_reference, store_cell(r, i, 3));
	j->submitted_day = rows_day_cell(r, i, 4);
	ROWS_COPY(j->reference, store_cell(r, i, 5));
	ROWS_COPY(j->utility_kind, store_cell(r, i, 6));
	j->utility_org_id = store_cell_ll(r, i, 7, 0);
	ROWS_COPY(j->state, store_cell(r, i, 8));
	j->version = (int)store_cell_ll(r, i, 9, 1);
	j->params = rows_dup_cell(r, i, 10);
	j->connection_point = rows_dup_cell(r, i, 11);
	j->quote = rows_dup_cell(r, i, 12);
	j->quote_total_fen = store_cell_ll(r, i, 13, -1);
	j->permits_needed = rows_dup_cell(r, i, 14);
	ROWS_COPY(j->updated_at, store_cell(r, i, 15));
	store_clock_read(r, i, 16, &j->clock);
}

int store_job_get(struct store_conn *c, long long id, bool for_update, struct job_row *out,
		  struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(id) };
	int rc = store_exec(c, for_update ? SQL_JOB_GET_LOCK : SQL_JOB_GET, p, 1, &r, err);
	if (rc == 0 && r->nrows == 0)
		rc = error_set(err, ERR_NOT_FOUND, "no such job");
	if (rc == 0)
		job_from(r, 0, out);
	store_result_free(r);
	return rc;
}

int store_jobs_of_application(struct store_conn *c, long long app_id, struct job_row **rows,
			      size_t *n, struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(app_id) };
	int rc = store_exec(c, SQL_JOBS_OF_APP, p, 1, &r, err);
	*rows = NULL;
	*n = 0;
	if (rc == 0) {
		*rows = xcalloc(r->nrows + 1, sizeof(**rows));
		for (size_t i = 0; i < r->nrows; i++)
			job_from(r, i, &(*rows)[i]);
		*n = r->nrows;
	}
	store_result_free(r);
	return rc;
}

int store_job_update(struct store_conn *c, const struct job_update *u, struct error *err)
{
	char d[3][11];
	struct store_param p[16];
	p[0] = P_STR(u->state);
	store_clock_bind_all(u->clock, p + 1, d);
	p[8] = P_STR(u->connection_point);
	p[9] = P_STR(u->quote);
	p[10] = P_INT(u->quote_total_fen);
	p[11] = P_INT(u->quote_total_fen);
	p[12] = P_STR(u->permits_needed);
	p[13] = P_INT(u->id);
	p[14] = P_INT(u->version);
	unsigned long long n = 0;
	int rc = store_run(c, SQL_JOB_UPDATE, p, 15, &n, NULL, err);
	return rc ? rc : rows_changed_meanwhile(n, err);
}
