/* SQL for fee schedules, service standards, the calendar and the publication sequence. */
#define _GNU_SOURCE
#include "published.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

/* The two tables differ only in their name and the name of the kind column. */
#define ROW_COLS(kindcol, table)                                                            \
	"SELECT d.id, d.org_id, o.name, d." kindcol ", COALESCE(d.version, 0), "           \
	"d.status = 'published', DATE_FORMAT(d.effective_from, '%Y-%m-%d'), d.body, "      \
	"DATE_FORMAT(d.created_at, '%Y-%m-%dT%H:%i:%sZ'), "                                 \
	"COALESCE(DATE_FORMAT(d.published_at, '%Y-%m-%dT%H:%i:%sZ'), '') FROM " table " d " \
	"JOIN organisations o ON o.id = d.org_id "

static const char SQL_FEE_INSERT[] =
	"INSERT INTO fee_schedules (org_id, utility_kind, effective_from, body, created_by) "
	"VALUES (?, ?, ?, ?, ?)";
static const char SQL_STD_INSERT[] =
	"INSERT INTO service_standards (org_id, kind, effective_from, body, created_by) "
	"VALUES (?, ?, ?, ?, ?)";
static const char SQL_FEE_GET[] = ROW_COLS("utility_kind", "fee_schedules") "WHERE d.id = ?";
static const char SQL_STD_GET[] = ROW_COLS("kind", "service_standards") "WHERE d.id = ?";
static const char SQL_FEE_GET_LOCK[] =
	ROW_COLS("utility_kind", "fee_schedules") "WHERE d.id = ? FOR UPDATE";
static const char SQL_STD_GET_LOCK[] =
	ROW_COLS("kind", "service_standards") "WHERE d.id = ? FOR UPDATE";
static const char SQL_FEE_UPDATE[] =
	"UPDATE fee_schedules SET utility_kind = ?, effective_from = ?, body = ?, "
	"updated_at = UTC_TIMESTAMP(6) WHERE id = ? AND status = 'draft'";
static const char SQL_STD_UPDATE[] =
	"UPDATE service_standards SET kind = ?, effective_from = ?, body = ?, "
	"updated_at = UTC_TIMESTAMP(6) WHERE id = ? AND status = 'draft'";
static const char SQL_FEE_LIST[] =
	ROW_COLS("utility_kind", "fee_schedules")
	"WHERE (? = 0 OR d.org_id = ?) AND (? IS NULL OR d.utility_kind = ?) AND d.id > ? "
	"ORDER BY d.id LIMIT ?";
static const char SQL_STD_LIST[] =
	ROW_COLS("kind", "service_standards")
	"WHERE (? = 0 OR d.org_id = ?) AND (? IS NULL OR d.kind = ?) AND d.id > ? "
	"ORDER BY d.id LIMIT ?";
/* per organisation and kind: two water companies number their schedules each on their own */
static const char SQL_FEE_NEXT[] =
	"SELECT COALESCE(MAX(version), 0) + 1 FROM fee_schedules WHERE org_id = ? AND "
	"utility_kind = ? FOR UPDATE";
static const char SQL_STD_NEXT[] =
	"SELECT COALESCE(MAX(version), 0) + 1 FROM service_standards WHERE kind = ? FOR UPDATE";
static const char SQL_FEE_PUBLISH[] =
	"UPDATE fee_schedules SET status = 'published', version = ?, body = ?, "
	"published_by = ?, published_at = UTC_TIMESTAMP(6) WHERE id = ? AND status = 'draft'";
static const char SQL_STD_PUBLISH[] =
	"UPDATE service_standards SET status = 'published', version = ?, body = ?, "
	"published_by = ?, published_at = UTC_TIMESTAMP(6) WHERE id = ? AND status = 'draft'";
static const char SQL_FEE_PUBLISHED[] =
	ROW_COLS("utility_kind", "fee_schedules")
	"WHERE d.status = 'published' ORDER BY d.utility_kind, d.org_id, d.version";
static const char SQL_STD_PUBLISHED[] =
	ROW_COLS("kind", "service_standards")
	"WHERE d.status = 'published' ORDER BY d.kind, d.version";
static const char SQL_SEQ[] = "SELECT seq FROM publication_state WHERE id = 1";
static const char SQL_SEQ_BUMP[] = "UPDATE publication_state SET seq = seq + 1 WHERE id = 1";
static const char SQL_CAL_DAYS[] =
	"SELECT DATE_FORMAT(day, '%Y-%m-%d'), kind, name_zh, name_en FROM calendar_days "
	"ORDER BY day";
static const char SQL_CAL_CUTOFF[] = "SELECT cutoff_seconds FROM calendar_settings WHERE id = 1";
static const char SQL_CAL_DELETE[] = "DELETE FROM calendar_days WHERE YEAR(day) = ?";
static const char SQL_CAL_INSERT[] =
	"INSERT INTO calendar_days (day, kind, name_zh, name_en) VALUES (?, ?, ?, ?)";
static const char SQL_CAL_SET_CUTOFF[] =
	"UPDATE calendar_settings SET cutoff_seconds = ? WHERE id = 1";

/* The statements of one table, indexed by enum pub_table. */
static const struct {
	const char *insert, *get, *get_lock, *update, *list, *next, *publish, *published;
} sql[] = {
	[PUB_FEES] = { SQL_FEE_INSERT, SQL_FEE_GET, SQL_FEE_GET_LOCK, SQL_FEE_UPDATE, SQL_FEE_LIST,
		       SQL_FEE_NEXT, SQL_FEE_PUBLISH, SQL_FEE_PUBLISHED },
	[PUB_STANDARDS] = { SQL_STD_INSERT, SQL_STD_GET, SQL_STD_GET_LOCK, SQL_STD_UPDATE,
			    SQL_STD_LIST, SQL_STD_NEXT, SQL_STD_PUBLISH, SQL_STD_PUBLISHED },
};

#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src) ? (src) : "")

void store_pub_row_release(struct pub_row *r)
{
	if (!r)
		return;
	free(r->body);
	r->body = NULL;
}

void store_pub_rows_free(struct pub_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++)
		store_pub_row_release(&rows[i]);
	free(rows);
}

/* Row i of a ROW_COLS result into *r. */
static void read_row(const struct store_result *res, size_t i, struct pub_row *r)
{
	memset(r, 0, sizeof(*r));
	r->id = store_cell_ll(res, i, 0, 0);
	r->org_id = store_cell_ll(res, i, 1, 0);
	COPY(r->org_name, store_cell(res, i, 2));
	COPY(r->kind, store_cell(res, i, 3));
	r->version = (int)store_cell_ll(res, i, 4, 0);
	r->published = store_cell_ll(res, i, 5, 0) != 0;
	COPY(r->effective_from, store_cell(res, i, 6));
	r->body = xstrdup(store_cell(res, i, 7) ? store_cell(res, i, 7) : "{}");
	COPY(r->created_at, store_cell(res, i, 8));
	COPY(r->published_at, store_cell(res, i, 9));
}

/* Every row of a ROW_COLS result as a new array. */
static void read_rows(const struct store_result *res, struct pub_row **rows, size_t *n)
{
	*n = res->nrows;
	*rows = xcalloc(res->nrows + 1, sizeof(**rows));
	for (size_t i = 0; i < res->nrows; i++)
		read_row(res, i, &(*rows)[i]);
}

int store_pub_draft_create(struct store_conn *c, enum pub_table t, long long org_id,
			   const char *kind, const char *effective_from, const char *body,
			   long long user_id, long long *id, struct error *err)
{
	struct store_param p[] = { P_INT(org_id), P_STR(kind), P_STR(effective_from), P_STR(body),
				   user_id ? P_INT(user_id) : P_NULL };
	unsigned long long insert_id = 0;
	int rc = store_run(c, sql[t].insert, p, 5, NULL, &insert_id, err);
	if (!rc)
		*id = (long long)insert_id;
	return rc;
}

int store_pub_get(struct store_conn *c, enum pub_table t, long long id, bool lock,
		  struct pub_row *out, struct error *err)
{
	struct store_param p[] = { P_INT(id) };
	struct store_result *res = NULL;
	int rc = store_exec(c, lock ? sql[t].get_lock : sql[t].get, p, 1, &res, err);
	if (rc)
		return rc;
	if (res->nrows == 0)
		rc = error_set(err, ERR_NOT_FOUND, "no such %s",
			       t == PUB_FEES ? "fee schedule" : "service standard");
	else
		read_row(res, 0, out);
	store_result_free(res);
	return rc;
}

int store_pub_draft_update(struct store_conn *c, enum pub_table t, long long id,
			   const char *kind, const char *effective_from, const char *body,
			   struct error *err)
{
	struct pub_row row;
	int rc = store_pub_get(c, t, id, true, &row, err);
	if (rc)
		return rc;
	bool published = row.published;
	store_pub_row_release(&row);
	if (published)
		return error_set(err, ERR_CONFLICT,
				 "version %d is published and cannot change; draft a new version",
				 row.version);
	struct store_param p[] = { P_STR(kind), P_STR(effective_from), P_STR(body), P_INT(id) };
	return store_run(c, sql[t].update, p, 4, NULL, NULL, err);
}

int store_pub_list(struct store_conn *c, enum pub_table t, long long org_id, const char *kind,
		   long long after, int limit, struct pub_row **rows, size_t *n,
		   struct error *err)
{
	struct store_param p[] = { P_INT(org_id), P_INT(org_id), P_STR(kind), P_STR(kind),
				   P_INT(after),  P_INT(limit) };
	struct store_result *res = NULL;
	int rc = store_exec(c, sql[t].list, p, 6, &res, err);
	if (rc)
		return rc;
	read_rows(res, rows, n);
	store_result_free(res);
	return 0;
}

int store_pub_next_version(struct store_conn *c, enum pub_table t, long long org_id,
			   const char *kind, int *version, struct error *err)
{
	/* standards are numbered per kind only (the office's, one per kind) */
	struct store_param fee[] = { P_INT(org_id), P_STR(kind) }, std[] = { P_STR(kind) };
	bool fees = t == PUB_FEES;
	struct store_result *res = NULL;
	int rc = store_exec(c, sql[t].next, fees ? fee : std, fees ? 2 : 1, &res, err);
	if (rc)
		return rc;
	*version = (int)store_cell_ll(res, 0, 0, 1);
	store_result_free(res);
	return 0;
}

int store_pub_publish(struct store_conn *c, enum pub_table t, long long id, int version,
		      const char *body, long long user_id, struct error *err)
{
	struct store_param p[] = { P_INT(version), P_STR(body), user_id ? P_INT(user_id) : P_NULL,
				   P_INT(id) };
	unsigned long long affected = 0;
	int rc = store_run(c, sql[t].publish, p, 4, &affected, NULL, err);
	if (rc)
		return rc;
	if (affected != 1)
		return error_set(err, ERR_CONFLICT, "it is already published");
	return store_publication_bump(c, err);
}

int store_pub_load_published(struct store_conn *c, enum pub_table t, struct pub_row **rows,
			     size_t *n, struct error *err)
{
	struct store_result *res = NULL;
	int rc = store_exec(c, sql[t].published, NULL, 0, &res, err);
	if (rc)
		return rc;
	read_rows(res, rows, n);
	store_result_free(res);
	return 0;
}

int store_publication_seq(struct store_conn *c, long long *seq, struct error *err)
{
	struct store_result *res = NULL;
	int rc = store_exec(c, SQL_SEQ, NULL, 0, &res, err);
	if (rc)
		return rc;
	*seq = res->nrows ? store_cell_ll(res, 0, 0, 0) : 0;
	store_result_free(res);
	return 0;
}

int store_publication_bump(struct store_conn *c, struct error *err)
{
	return store_run(c, SQL_SEQ_BUMP, NULL, 0, NULL, NULL, err);
}

/* Reads the named days; adds each to cal and, when wanted, to *days. */
static int load_days(struct store_conn *c, struct calendar *cal, struct calendar_day **days,
		     size_t *ndays, struct error *err)
{
	struct store_result *res = NULL;
	int rc = store_exec(c, SQL_CAL_DAYS, NULL, 0, &res, err);
	if (rc)
		return rc;
	if (days)
		*days = xcalloc(res->nrows + 1, sizeof(**days));
	for (size_t i = 0; i < res->nrows; i++) {
		struct calendar_day d = { 0 };
		if (cal_day_parse(store_cell(res, i, 0), &d.day, NULL) != 0)
			continue;
		d.holiday = strcmp(store_cell(res, i, 1), "holiday") == 0;
		COPY(d.name_zh, store_cell(res, i, 2));
		COPY(d.name_en, store_cell(res, i, 3));
		if (d.holiday)
			calendar_add_holiday(cal, d.day);
		else
			calendar_add_makeup(cal, d.day);
		if (days)
			(*days)[(*ndays)++] = d;
	}
	store_result_free(res);
	return 0;
}

int store_calendar_load(struct store_conn *c, struct calendar *cal, struct calendar_day **days,
			size_t *ndays, struct error *err)
{
	calendar_init(cal);
	if (days)
		*days = NULL;
	if (ndays)
		*ndays = 0;
	struct store_result *res = NULL;
	int rc = store_exec(c, SQL_CAL_CUTOFF, NULL, 0, &res, err);
	if (rc)
		return rc;
	if (res->nrows)
		cal->cutoff_seconds = (int)store_cell_ll(res, 0, 0, cal->cutoff_seconds);
	store_result_free(res);
	rc = load_days(c, cal, days, ndays, err);
	if (rc) {
		calendar_release(cal);
		if (days) {
			free(*days);
			*days = NULL;
			*ndays = 0;
		}
	}
	return rc;
}

int store_calendar_replace_year(struct store_conn *c, int year, const struct calendar_day *days,
				size_t n, int cutoff_seconds, struct error *err)
{
	struct store_param y[] = { P_INT(year) };
	int rc = store_run(c, SQL_CAL_DELETE, y, 1, NULL, NULL, err);
	for (size_t i = 0; !rc && i < n; i++) {
		char buf[11];
		struct store_param p[] = { P_STR(cal_day_format(days[i].day, buf)),
					   P_STR(days[i].holiday ? "holiday" : "makeup"),
					   P_STR(days[i].name_zh), P_STR(days[i].name_en) };
		rc = store_run(c, SQL_CAL_INSERT, p, 4, NULL, NULL, err);
	}
	struct store_param cut[] = { P_INT(cutoff_seconds) };
	if (!rc)
		rc = store_run(c, SQL_CAL_SET_CUTOFF, cut, 1, NULL, NULL, err);
	if (!rc)
		rc = store_publication_bump(c, err);
	return rc;
}
