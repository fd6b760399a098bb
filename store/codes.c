/* SQL for the published decision code lists: the version in force, and publishing the next. */
#define _GNU_SOURCE
#include "codes.h"

#include <stdio.h>
#include <string.h>

#include "store/published.h"

static const char SQL_LATEST[] =
	"SELECT version, DATE_FORMAT(published_at, '%Y-%m-%dT%H:%i:%sZ') FROM code_list_versions "
	"ORDER BY version DESC LIMIT 1";
static const char SQL_CODES[] =
	"SELECT list, code, name_zh, name_en FROM decision_codes WHERE version = ? "
	"ORDER BY list, seq";
static const char SQL_NEXT[] =
	"SELECT COALESCE(MAX(version), 0) + 1 FROM code_list_versions FOR UPDATE";
static const char SQL_INSERT_VERSION[] =
	"INSERT INTO code_list_versions (version, published_by) VALUES (?, ?)";
static const char SQL_INSERT_CODE[] =
	"INSERT INTO decision_codes (version, list, seq, code, name_zh, name_en) "
	"VALUES (?, ?, ?, ?, ?, ?)";

int store_codes_load(struct store_conn *c, struct code_lists *out, struct error *err)
{
	*out = (struct code_lists){ 0 };
	struct store_result *res = NULL;
	int rc = store_exec(c, SQL_LATEST, NULL, 0, &res, err);
	if (rc)
		return rc;
	if (res->nrows) {
		out->version = (int)store_cell_ll(res, 0, 0, 0);
		snprintf(out->published_at, sizeof(out->published_at), "%s",
			 store_cell(res, 0, 1) ? store_cell(res, 0, 1) : "");
	}
	store_result_free(res);
	if (!out->version)
		return 0;
	struct store_param v[] = { P_INT(out->version) };
	rc = store_exec(c, SQL_CODES, v, 1, &res, err);
	if (rc)
		return rc;
	for (size_t i = 0; i < res->nrows; i++) {
		enum code_list_kind k;
		if (codes_list_parse(store_cell(res, i, 0), &k) == 0)
			codes_add(out, k, store_cell(res, i, 1), store_cell(res, i, 2),
				  store_cell(res, i, 3));
	}
	store_result_free(res);
	return 0;
}

int store_codes_publish(struct store_conn *c, const struct code_lists *cl, long long by,
			int *version, struct error *err)
{
	struct store_result *res = NULL;
	int rc = store_exec(c, SQL_NEXT, NULL, 0, &res, err);
	if (rc)
		return rc;
	int v = (int)store_cell_ll(res, 0, 0, 1);
	store_result_free(res);
	struct store_param pv[] = { P_INT(v), by ? P_INT(by) : P_NULL };
	rc = store_run(c, SQL_INSERT_VERSION, pv, 2, NULL, NULL, err);
	if (rc == ERR_CONFLICT)
		return error_set(err, ERR_RETRY, "code list version %d was taken meanwhile", v);
	int seq[CODES_NLISTS] = { 0 };
	for (size_t i = 0; !rc && i < cl->n; i++) {
		const struct code_entry *e = &cl->entries[i];
		struct store_param p[] = { P_INT(v), P_STR(codes_list_name(e->list)),
					   P_INT(++seq[e->list]), P_STR(e->code),
					   P_STR(e->name_zh), P_STR(e->name_en) };
		rc = store_run(c, SQL_INSERT_CODE, p, 6, NULL, NULL, err);
	}
	if (!rc)
		rc = store_publication_bump(c, err);
	if (!rc)
		*version = v;
	return rc;
}
