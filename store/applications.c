/* SQL for applications: their rows, reference numbers, materials, lists, status and place. */
#include "applications.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/multirow.h"
#include "store/rows.h"
#include "store/sites.h"

static const char SQL_REF_NEXT[] =
	"INSERT INTO reference_counters (year, next_value) VALUES (?, LAST_INSERT_ID(1)) "
	"ON DUPLICATE KEY UPDATE next_value = LAST_INSERT_ID(next_value + 1)";
static const char SQL_APP_INSERT[] =
	"INSERT INTO applications (reference, org_id, site_id, submitted_at, submitted_day, request, "
	"estimate, estimate_total_fen, idempotency_key, request_hash, created_by) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char HEAD_APP_MATERIAL[] =
	"INSERT INTO application_materials (application_id, material_id) VALUES ";
static const char ROW_APP_MATERIAL[] = "(?, ?)";
static const char SQL_APP_GET[] =
	"SELECT id, reference, org_id, site_id, status, DATE_FORMAT(submitted_at, "
	"'%Y-%m-%dT%H:%i:%sZ'), submitted_day, estimate_total_fen, version, request, estimate, "
	"COALESCE(project_id, 0) FROM applications WHERE id = ?";
/* the application's read (GET /v1/applications/{id}): its row and what it shows of its site */
static const char SQL_APP_VIEW[] =
	"SELECT a.id, a.reference, a.org_id, a.site_id, a.status, DATE_FORMAT(a.submitted_at, "
	"'%Y-%m-%dT%H:%i:%sZ'), a.submitted_day, a.estimate_total_fen, a.version, a.estimate, "
	"COALESCE(a.project_id, 0), s.name, s.district_code, s.zone_risk FROM applications a "
	"JOIN sites s ON s.id = a.site_id WHERE a.id = ?";
static const char SQL_APP_BY_KEY[] =
	"SELECT id, request_hash FROM applications WHERE org_id = ? AND idempotency_key = ?";
static const char SQL_APP_LIST[] =
	"SELECT a.id, a.reference, a.status, DATE_FORMAT(a.submitted_at, '%Y-%m-%dT%H:%i:%sZ'), "
	"a.estimate_total_fen, s.name, s.district_code, "
	"(SELECT COUNT(*) FROM jobs j WHERE j.application_id = a.id), "
	"(SELECT COUNT(*) FROM permits p WHERE p.application_id = a.id) "
	"FROM applications a JOIN sites s ON s.id = a.site_id "
	"WHERE a.org_id = ? AND (? IS NULL OR a.status = ?) AND (? = 0 OR a.id < ?) "
	"ORDER BY a.id DESC LIMIT ?";
static const char SQL_APP_STATUS[] =
	"UPDATE applications SET status = ?, version = version + 1 WHERE id = ?";
static const char SQL_APP_CUSTOMER_CLASS[] =
	"SELECT JSON_VALUE(request, '$.customer_class') FROM applications WHERE id = ?";
static const char SQL_APP_REFRESH[] =
	"UPDATE applications a SET a.status = IF((SELECT COUNT(*) FROM jobs j WHERE "
	"j.application_id = a.id AND j.state <> 'withdrawn') = 0, 'withdrawn', 'completed'), "
	"a.version = a.version + 1 WHERE a.id = ? AND a.status = 'open' AND NOT EXISTS "
	"(SELECT 1 FROM jobs j WHERE j.application_id = a.id AND j.state NOT IN "
	"('completed', 'rejected', 'withdrawn'))";
static const char SQL_APP_PLACE[] =
	"SELECT a.reference, s.address, s.district_code, s.lat, s.lng, a.request FROM applications a "
	"JOIN sites s ON s.id = a.site_id WHERE a.id = ?";

/* The batch inserts' statements, built by row count on first use (store/multirow.h). */
static struct multirow material_batch =
	MULTIROW_INIT(HEAD_APP_MATERIAL, ROW_APP_MATERIAL, 2, false);

void store_application_row_release(struct application_row *r)
{
	free(r->request);
	free(r->estimate);
	memset(r, 0, sizeof(*r));
}

int store_next_reference(struct store_conn *c, int year, long long *n, struct error *err)
{
	struct store_param p[] = { P_INT(year) };
	unsigned long long id = 0;
	int rc = store_run(c, SQL_REF_NEXT, p, 1, NULL, &id, err);
	*n = (long long)id;
	return rc;
}

int store_application_insert(struct store_conn *c, const struct application_new *a, long long *id,
			     struct error *err)
{
	char d[11];
	struct store_param p[] = {
		P_STR(a->reference),	    P_INT(a->org_id),	     P_INT(a->site_id),
		P_STR(a->submitted_at),	    rows_day_param(a->submitted_day, d), P_STR(a->request),
		P_STR(a->estimate),	    P_INT(a->estimate_total_fen), P_STR(a->idempotency_key),
		P_STR(a->request_hash),	    a->created_by ? P_INT(a->created_by) : P_NULL,
	};
	unsigned long long insert_id = 0;
	int rc = store_run(c, SQL_APP_INSERT, p, 11, NULL, &insert_id, err);
	*id = (long long)insert_id;
	return rc;
}

struct material_rows {
	long long app_id;
	const long long *ids;
};

static void material_fill(const void *rows, size_t i, struct store_param *p, char (*days)[11])
{
	const struct material_rows *m = rows;
	(void)days;
	p[0] = P_INT(m->app_id);
	p[1] = P_INT(m->ids[i]);
}

int store_application_material(struct store_conn *c, long long app_id, long long material_id,
			       struct error *err)
{
	return store_application_materials(c, app_id, &material_id, 1, err);
}

int store_application_materials(struct store_conn *c, long long app_id,
				const long long *material_ids, size_t n, struct error *err)
{
	struct material_rows m = { app_id, material_ids };
	return multirow_insert(c, &material_batch, &m, n, material_fill, NULL, err);
}

/*
 * The columns SQL_APP_GET and SQL_APP_VIEW share, the first nine, then the estimate and the
 * project from column e on (SQL_APP_GET has the request before them).
 */
static void application_cells(const struct store_result *r, struct application_row *out,
			      size_t e)
{
	memset(out, 0, sizeof(*out));
	out->id = store_cell_ll(r, 0, 0, 0);
	ROWS_COPY(out->reference, store_cell(r, 0, 1));
	out->org_id = store_cell_ll(r, 0, 2, 0);
	out->site_id = store_cell_ll(r, 0, 3, 0);
	ROWS_COPY(out->status, store_cell(r, 0, 4));
	ROWS_COPY(out->submitted_at, store_cell(r, 0, 5));
	out->submitted_day = rows_day_cell(r, 0, 6);
	out->estimate_total_fen = store_cell_ll(r, 0, 7, 0);
	out->version = (int)store_cell_ll(r, 0, 8, 1);
	out->estimate = rows_dup_cell(r, 0, e);
	out->project_id = store_cell_ll(r, 0, e + 1, 0);
}

int store_application_get(struct store_conn *c, long long id, struct application_row *out,
			  struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(id) };
	int rc = store_exec(c, SQL_APP_GET, p, 1, &r, err);
	if (rc == 0 && r->nrows == 0)
		rc = error_set(err, ERR_NOT_FOUND, "no such application");
	if (rc == 0) {
		application_cells(r, out, 10);
		out->request = rows_dup_cell(r, 0, 9);
	}
	store_result_free(r);
	return rc;
}

int store_application_view(struct store_conn *c, long long id, struct application_row *out,
			   struct site_row *site, struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(id) };
	int rc = store_exec(c, SQL_APP_VIEW, p, 1, &r, err);
	if (rc == 0 && r->nrows == 0)
		rc = error_set(err, ERR_NOT_FOUND, "no such application");
	if (rc == 0) {
		application_cells(r, out, 9);
		memset(site, 0, sizeof(*site));
		site->id = out->site_id;
		ROWS_COPY(site->name, store_cell(r, 0, 11));
		ROWS_COPY(site->district, store_cell(r, 0, 12));
		ROWS_COPY(site->zone_risk, store_cell(r, 0, 13));
	}
	store_result_free(r);
	return rc;
}

int store_application_by_key(struct store_conn *c, long long org_id, const char *key, long long *id,
			      char request_hash[65], struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(org_id), P_STR(key) };
	int rc = store_exec(c, SQL_APP_BY_KEY, p, 2, &r, err);
	*id = 0;
	if (rc == 0 && r->nrows) {
		*id = store_cell_ll(r, 0, 0, 0);
		snprintf(request_hash, 65, "%s", store_cell(r, 0, 1));
	}
	store_result_free(r);
	return rc;
}

int store_application_list(struct store_conn *c, long long org_id, const char *status,
			   long long after, int limit, json_t **items, long long *last, bool *more,
			   struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(org_id), P_STR(status), P_STR(status), P_INT(after),
				   P_INT(after), P_INT(limit + 1) };
	int rc = store_exec(c, SQL_APP_LIST, p, 6, &r, err);
	if (rc)
		return rc;
	*items = json_array();
	*more = r->nrows > (size_t)limit;
	*last = 0;
	for (size_t i = 0; i < r->nrows && i < (size_t)limit; i++) {
		*last = store_cell_ll(r, i, 0, 0);
		json_array_append_new(
			*items,
			json_pack("{s:I, s:s, s:s, s:s, s:I, s:{s:s, s:s}, s:I, s:I}", "id",
				  (json_int_t)*last, "reference", store_cell(r, i, 1), "status",
				  store_cell(r, i, 2), "submitted_at", store_cell(r, i, 3),
				  "estimate_total_fen", (json_int_t)store_cell_ll(r, i, 4, 0), "site",
				  "name", store_cell(r, i, 5), "district", store_cell(r, i, 6), "jobs",
				  (json_int_t)store_cell_ll(r, i, 7, 0), "permits",
				  (json_int_t)store_cell_ll(r, i, 8, 0)));
	}
	store_result_free(r);
	return 0;
}

int store_application_set_status(struct store_conn *c, long long id, const char *status,
				 struct error *err)
{
	struct store_param p[] = { P_STR(status), P_INT(id) };
	return store_run(c, SQL_APP_STATUS, p, 2, NULL, NULL, err);
}

int store_application_customer_class(struct store_conn *c, long long app_id, char out[32],
				     struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(app_id) };
	out[0] = '\0';
	int rc = store_exec(c, SQL_APP_CUSTOMER_CLASS, p, 1, &r, err);
	if (rc == 0 && r->nrows == 0)
		rc = error_set(err, ERR_NOT_FOUND, "no such application");
	if (rc == 0 && store_cell(r, 0, 0))
		snprintf(out, 32, "%s", store_cell(r, 0, 0));
	store_result_free(r);
	return rc;
}

int store_application_refresh_status(struct store_conn *c, long long app_id, struct error *err)
{
	struct store_param p[] = { P_INT(app_id) };
	return store_run(c, SQL_APP_REFRESH, p, 1, NULL, NULL, err);
}

int store_application_place(struct store_conn *c, long long app_id, struct application_place *out,
			    struct error *err)
{
	struct store_param p[] = { P_INT(app_id) };
	struct store_result *r = NULL;
	memset(out, 0, sizeof(*out));
	int rc = store_exec(c, SQL_APP_PLACE, p, 1, &r, err);
	if (rc == 0 && r->nrows == 0)
		rc = error_set(err, ERR_NOT_FOUND, "no such application");
	if (rc == 0) {
		ROWS_COPY(out->reference, store_cell(r, 0, 0));
		ROWS_COPY(out->address, store_cell(r, 0, 1));
		ROWS_COPY(out->district, store_cell(r, 0, 2));
		out->lat = rows_dup_cell(r, 0, 3);
		out->lng = rows_dup_cell(r, 0, 4);
		out->request = rows_dup_cell(r, 0, 5);
	}
	store_result_free(r);
	return rc;
}

void store_application_place_release(struct application_place *p)
{
	free(p->lat);
	free(p->lng);
	free(p->request);
	memset(p, 0, sizeof(*p));
}
