/* SQL for work windows that ran out: the sweep's candidates and records, the supervision list. */
#define _GNU_SOURCE
#include "overruns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/rows.h"
#include "lib/xalloc.h"

static const char SQL_CANDIDATES[] =
	"SELECT p.id FROM permits p WHERE p.kind = 'dig_road' AND p.state = 'approved' "
	"AND p.window_to IS NOT NULL AND p.window_to < ? "
	"AND NOT EXISTS (SELECT 1 FROM permit_overruns o WHERE o.permit_id = p.id "
	"AND o.window_to = p.window_to) ORDER BY p.id LIMIT ?";
static const char SQL_RECORD[] =
	"INSERT IGNORE INTO permit_overruns (permit_id, window_to, overrunning_from, detected_on, "
	"days_at_detection) VALUES (?, ?, ?, ?, ?)";
static const char SQL_OPEN[] =
	"SELECT p.id, p.application_id, p.authority_org_id, p.reference, a.reference, p.state, "
	"org.name, DATE_FORMAT(p.window_from, '%Y-%m-%d'), DATE_FORMAT(o.window_to, '%Y-%m-%d'), "
	"DATE_FORMAT(o.overrunning_from, '%Y-%m-%d'), DATE_FORMAT(o.detected_on, '%Y-%m-%d'), "
	"o.days_at_detection, p.extension_pending "
	"FROM permit_overruns o JOIN permits p ON p.id = o.permit_id "
	"JOIN applications a ON a.id = p.application_id "
	"JOIN organisations org ON org.id = p.authority_org_id "
	"WHERE p.state = 'approved' AND p.window_to = o.window_to "
	"ORDER BY o.detected_on DESC, o.permit_id DESC LIMIT ?";

int store_overrun_candidates(struct store_conn *c, day_t today, long long *ids, size_t cap,
			     size_t *n, struct error *err)
{
	char t[11];
	struct store_param p[] = { rows_day_param(today, t), P_INT((long long)cap) };
	struct store_result *r = NULL;
	*n = 0;
	int rc = store_exec(c, SQL_CANDIDATES, p, 2, &r, err);
	for (size_t i = 0; rc == 0 && i < r->nrows && *n < cap; i++)
		ids[(*n)++] = store_cell_ll(r, i, 0, 0);
	store_result_free(r);
	return rc;
}

int store_overrun_record(struct store_conn *c, const struct overrun_new *o, bool *inserted,
			 struct error *err)
{
	char a[11], b[11], d[11];
	struct store_param p[] = { P_INT(o->permit_id), rows_day_param(o->window_to, a),
				   rows_day_param(o->overrunning_from, b),
				   rows_day_param(o->detected_on, d), P_INT(o->days) };
	unsigned long long affected = 0;
	int rc = store_run(c, SQL_RECORD, p, 5, &affected, NULL, err);
	*inserted = rc == 0 && affected == 1;
	return rc;
}

int store_overruns_open(struct store_conn *c, struct overrun_row **rows, size_t *n, size_t cap,
			struct error *err)
{
	struct store_param p[] = { P_INT((long long)cap) };
	struct store_result *r = NULL;
	*rows = NULL;
	*n = 0;
	int rc = store_exec(c, SQL_OPEN, p, 1, &r, err);
	if (rc)
		return rc;
	*rows = xcalloc(r->nrows + 1, sizeof(**rows));
	for (size_t i = 0; i < r->nrows; i++) {
		struct overrun_row *o = &(*rows)[i];
		o->permit_id = store_cell_ll(r, i, 0, 0);
		o->application_id = store_cell_ll(r, i, 1, 0);
		o->authority_org_id = store_cell_ll(r, i, 2, 0);
		snprintf(o->reference, sizeof(o->reference), "%s", store_cell(r, i, 3));
		snprintf(o->app_reference, sizeof(o->app_reference), "%s", store_cell(r, i, 4));
		snprintf(o->state, sizeof(o->state), "%s", store_cell(r, i, 5));
		snprintf(o->authority, sizeof(o->authority), "%s", store_cell(r, i, 6));
		o->window_from = rows_day_cell(r, i, 7);
		o->window_to = rows_day_cell(r, i, 8);
		o->overrunning_from = rows_day_cell(r, i, 9);
		o->detected_on = rows_day_cell(r, i, 10);
		o->days_at_detection = (int)store_cell_ll(r, i, 11, 0);
		o->extension_pending = store_cell_ll(r, i, 12, 0) != 0;
	}
	*n = r->nrows;
	store_result_free(r);
	return 0;
}
