/* SQL for projects and their guidance tasks. */
#define _GNU_SOURCE
#include "projects.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/rows.h"
#include "workflows/clock.h"
#include "workflows/project.h"
#include "lib/json_text.h"
#include "lib/xalloc.h"

static const char SQL_PROJECT_INSERT[] =
    "INSERT INTO projects (org_id, name, district_code, geometry, needs, hookup_day, materials, "
    "created_by_org, created_by_user, providers) VALUES (?, ?, ?, ST_GeomFromText(?), ?, ?, ?, "
    "?, ?, ?)";
static const char SQL_PROJECT_GET[] =
    "SELECT id, org_id, name, district_code, ST_AsText(geometry), needs, hookup_day, materials, "
    "DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ'), providers FROM projects WHERE id = ?";
static const char SQL_GUIDANCE_INSERT[] =
    "INSERT INTO guidance (project_id, utility_kind, org_id, stage, stage_limit_days, "
    "started_day, due_day) VALUES (?, ?, ?, ?, ?, ?, ?)";
#define GUIDANCE_COLS                                                                              \
	"SELECT g.id, g.project_id, g.org_id, p.name, p.district_code, g.utility_kind, o.name, "   \
	"g.state, g.stage, g.stage_limit_days, g.started_day, g.due_day, 0, NULL, NULL, "          \
	"g.answer, g.estimate_total_fen, g.answered_day, g.version FROM guidance g "               \
	"JOIN projects p ON p.id = g.project_id JOIN organisations o ON o.id = g.org_id "
static const char SQL_GUIDANCE_OF_PROJECT[] = GUIDANCE_COLS "WHERE g.project_id = ? ORDER BY g.id";
static const char SQL_GUIDANCE_QUEUE[] =
    GUIDANCE_COLS "WHERE g.state = 'open' AND g.org_id = ? AND g.id > ? ORDER BY g.id LIMIT ?";
static const char SQL_GUIDANCE_QUEUE_ALL[] =
    GUIDANCE_COLS "WHERE g.state = 'open' AND g.id > ? ORDER BY g.id LIMIT ?";
static const char SQL_GUIDANCE_FOR[] =
    GUIDANCE_COLS "WHERE g.project_id = ? AND g.utility_kind = ? AND g.org_id = ? FOR UPDATE";
static const char SQL_GUIDANCE_ANSWER[] =
    "UPDATE guidance SET state = 'answered', answer = ?, estimate_total_fen = ?, "
    "answered_day = ?, answered_at = UTC_TIMESTAMP(6), answered_by = ?, version = version + 1 "
    "WHERE id = ? AND version = ? AND state = 'open'";

void store_project_reference(long long id, char buf[24])
{
	if (id < 0 || id > 999999999999LL) { /* never an id: as printf would write it */
		snprintf(buf, 24, "PJ-%06lld", id);
		return;
	}
	/* "PJ-%06lld" without printf, which a queue's every row would pay for */
	char d[20];
	int n = 0;
	do
		d[n++] = (char)('0' + id % 10);
	while ((id /= 10) > 0);
	int w = 0;
	buf[w++] = 'P', buf[w++] = 'J', buf[w++] = '-';
	for (int pad = n; pad < 6; pad++)
		buf[w++] = '0';
	while (n > 0)
		buf[w++] = d[--n];
	buf[w] = 0;
}

void store_project_row_release(struct project_row *p)
{
	free(p->geometry_wkt);
	free(p->needs);
	free(p->materials);
	free(p->providers);
	memset(p, 0, sizeof(*p));
}

void store_guidance_row_release(struct guidance_row *g)
{
	free(g->answer);
	memset(g, 0, sizeof(*g));
}

int store_project_insert(struct store_conn *c, const struct project_new *p, long long *id,
			 struct error *err)
{
	char d[11];
	struct store_param ps[] = {P_INT(p->org_id),
				   P_STR(p->name),
				   P_STR(p->district),
				   P_STR(p->geometry_wkt),
				   P_STR(p->needs),
				   rows_day_param(p->hookup_day, d),
				   P_STR(p->materials),
				   P_INT(p->created_by_org),
				   p->created_by_user ? P_INT(p->created_by_user) : P_NULL,
				   p->providers ? P_STR(p->providers) : P_NULL};
	unsigned long long insert_id = 0;
	int rc = store_run(c, SQL_PROJECT_INSERT, ps, 10, NULL, &insert_id, err);
	*id = (long long)insert_id;
	return rc;
}

int store_project_get(struct store_conn *c, long long id, struct project_row *out,
		      struct error *err)
{
	struct store_param p[] = {P_INT(id)};
	struct store_result *r = NULL;
	memset(out, 0, sizeof(*out));
	int rc = store_exec(c, SQL_PROJECT_GET, p, 1, &r, err);
	if (rc)
		return rc;
	if (r->nrows == 0) {
		store_result_free(r);
		return error_set(err, ERR_NOT_FOUND, "no project %lld", id);
	}
	out->id = store_cell_ll(r, 0, 0, 0);
	out->org_id = store_cell_ll(r, 0, 1, 0);
	store_project_reference(out->id, out->reference);
	ROWS_COPY(out->name, store_cell(r, 0, 2));
	ROWS_COPY(out->district, store_cell(r, 0, 3));
	out->geometry_wkt = rows_dup_cell(r, 0, 4);
	out->needs = rows_dup_cell(r, 0, 5);
	out->hookup_day = rows_day_cell(r, 0, 6);
	out->materials = rows_dup_cell(r, 0, 7);
	ROWS_COPY(out->created_at, store_cell(r, 0, 8));
	out->providers = rows_dup_cell(r, 0, 9);
	store_result_free(r);
	return 0;
}

int store_guidance_insert(struct store_conn *c, long long project_id, const char *kind,
			  long long org_id, const struct stored_clock *k, long long *id,
			  struct error *err)
{
	char d1[11], d2[11];
	struct store_param p[7] = {P_INT(project_id), P_STR(kind), P_INT(org_id)};
	store_clock_bind(k, p + 3, d1, d2);
	unsigned long long insert_id = 0;
	int rc = store_run(c, SQL_GUIDANCE_INSERT, p, 7, NULL, &insert_id, err);
	*id = (long long)insert_id;
	return rc;
}

static void guidance_from(const struct store_result *r, size_t i, struct guidance_row *g)
{
	memset(g, 0, sizeof(*g));
	g->id = store_cell_ll(r, i, 0, 0);
	g->project_id = store_cell_ll(r, i, 1, 0);
	g->org_id = store_cell_ll(r, i, 2, 0);
	store_project_reference(g->project_id, g->project_reference);
	ROWS_COPY(g->project_name, store_cell(r, i, 3));
	ROWS_COPY(g->district, store_cell(r, i, 4));
	ROWS_COPY(g->utility_kind, store_cell(r, i, 5));
	ROWS_COPY(g->org_name, store_cell(r, i, 6));
	ROWS_COPY(g->state, store_cell(r, i, 7));
	store_clock_read(r, i, 8, &g->clock);
	g->answer = rows_dup_cell(r, i, 15);
	g->estimate_total_fen = store_cell_ll(r, i, 16, -1);
	g->answered_day = rows_day_cell(r, i, 17);
	g->version = (int)store_cell_ll(r, i, 18, 1);
}

static int read_rows(struct store_conn *c, const char *sql, struct store_param *p, size_t np,
		     struct guidance_row **rows, size_t *n, struct error *err)
{
	struct store_result *r = NULL;
	*rows = NULL;
	*n = 0;
	int rc = store_exec(c, sql, p, np, &r, err);
	if (rc)
		return rc;
	*rows = xcalloc(r->nrows + 1, sizeof(**rows));
	for (size_t i = 0; i < r->nrows; i++)
		guidance_from(r, i, &(*rows)[i]);
	*n = r->nrows;
	store_result_free(r);
	return 0;
}

int store_guidance_of_project(struct store_conn *c, long long project_id,
			      struct guidance_row **rows, size_t *n, struct error *err)
{
	struct store_param p[] = {P_INT(project_id)};
	return read_rows(c, SQL_GUIDANCE_OF_PROJECT, p, 1, rows, n, err);
}

/* The last due day's working days overdue: a queue's rows share a few due days. */
struct overdue_memo {
	day_t due;
	int days;
};

/* One open task of SQL_GUIDANCE_QUEUE as its queue shows it (projects_api.c's view's fields). */
static void guidance_text(struct strbuf *o, const struct store_result *r, size_t i,
			  const struct calendar *cal, day_t today, struct overdue_memo *memo)
{
	char ref[24];
	day_t due = rows_day_cell(r, i, 11);
	const char *status = guidance_status(false, due, today); /* the queue holds open ones */
	store_project_reference(store_cell_ll(r, i, 1, 0), ref);
	json_text_key(o, "id", true);
	rows_json_number(o, r, i, 0, "0");
	json_text_key(o, "project_id", false);
	rows_json_number(o, r, i, 1, "0");
	json_text_key(o, "project", false);
	json_text_string(o, ref);
	json_text_key(o, "kind", false);
	json_text_string(o, store_cell(r, i, 5));
	json_text_key(o, "organisation", false);
	strbuf_add(o, "{", 1);
	json_text_key(o, "id", true);
	rows_json_number(o, r, i, 2, "0");
	json_text_key(o, "name", false);
	json_text_string(o, store_cell(r, i, 6));
	strbuf_add(o, "}", 1);
	json_text_key(o, "status", false);
	json_text_string(o, status);
	json_text_key(o, "stage", false);
	json_text_string(o, store_cell(r, i, 8));
	json_text_key(o, "limit_days", false);
	rows_json_number(o, r, i, 9, "0");
	json_text_key(o, "started_on", false);
	json_text_string(o, store_cell(r, i, 10));
	json_text_key(o, "due_date", false);
	json_text_string(o, store_cell(r, i, 11));
	json_text_key(o, "overdue", false);
	json_text_boolean(o, !strcmp(status, "overdue"));
	if (cal) {
		struct clock k = {.due_day = due};
		if (memo->due != due)
			*memo = (struct overdue_memo){due, clock_days_overdue(&k, cal, today)};
		json_text_key(o, "days_overdue", false);
		json_text_integer(o, memo->days);
	}
}

int store_guidance_queue(struct store_conn *c, long long org_id, long long after, int limit,
			 const struct calendar *cal, day_t today, struct strbuf *items,
			 long long *last, bool *more, struct error *err)
{
	struct store_param p[] = {P_INT(org_id), P_INT(after), P_INT(limit + 1)};
	struct store_result *r = NULL;
	int rc = org_id ? store_exec(c, SQL_GUIDANCE_QUEUE, p, 3, &r, err)
			: store_exec(c, SQL_GUIDANCE_QUEUE_ALL, p + 1, 2, &r, err);
	if (rc)
		return rc;
	*more = r->nrows > (size_t)limit;
	*last = 0;
	struct overdue_memo memo = {-1, 0};
	strbuf_add(items, "[", 1);
	for (size_t i = 0; i < r->nrows && i < (size_t)limit; i++) {
		*last = store_cell_ll(r, i, 0, 0);
		strbuf_add(items, i ? ",{" : "{", i ? 2 : 1);
		guidance_text(items, r, i, cal, today, &memo);
		strbuf_add(items, "}", 1);
	}
	strbuf_add(items, "]", 1);
	store_result_free(r);
	return 0;
}

int store_guidance_for(struct store_conn *c, long long project_id, const char *kind,
		       long long org_id, struct guidance_row *out, struct error *err)
{
	struct store_param p[] = {P_INT(project_id), P_STR(kind), P_INT(org_id)};
	struct guidance_row *rows = NULL;
	size_t n = 0;
	int rc = read_rows(c, SQL_GUIDANCE_FOR, p, 3, &rows, &n, err);
	if (!rc && n == 0)
		rc = error_set(err, ERR_NOT_FOUND, "no %s guidance of project %lld for you", kind,
			       project_id);
	if (!rc)
		*out = rows[0];
	else if (n)
		store_guidance_row_release(&rows[0]);
	free(rows);
	return rc;
}

int store_guidance_answer(struct store_conn *c, long long id, int version, const char *answer,
			  long long estimate_total_fen, day_t day, long long user_id,
			  struct error *err)
{
	char d[11];
	struct store_param p[] = {P_STR(answer),
				  P_INT(estimate_total_fen),
				  rows_day_param(day, d),
				  user_id ? P_INT(user_id) : P_NULL,
				  P_INT(id),
				  P_INT(version)};
	unsigned long long affected = 0;
	int rc = store_run(c, SQL_GUIDANCE_ANSWER, p, 6, &affected, NULL, err);
	return rc ? rc : rows_changed_meanwhile(affected, err);
}
