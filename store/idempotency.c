/* SQL for idempotency keys: the reply stored for a request, so that a retry gets it again. */
#include "idempotency.h"

#include <stdio.h>

#include "store/rows.h"

static const char SQL_IDEM_GET[] =
	"SELECT request_hash, status, response FROM idempotency_keys WHERE org_id = ? AND route = ? "
	"AND idem_key = ?";
static const char SQL_IDEM_PUT[] =
	"INSERT INTO idempotency_keys (org_id, route, idem_key, request_hash, status, response) "
	"VALUES (?, ?, ?, ?, ?, ?)";

int store_idem_get(struct store_conn *c, long long org_id, const char *route, const char *key,
		   char hash[65], int *status, char **response, struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(org_id), P_STR(route), P_STR(key) };
	int rc = store_exec(c, SQL_IDEM_GET, p, 3, &r, err);
	*response = NULL;
	if (rc == 0 && r->nrows) {
		snprintf(hash, 65, "%s", store_cell(r, 0, 0));
		*status = (int)store_cell_ll(r, 0, 1, 200);
		*response = rows_dup_cell(r, 0, 2);
	}
	store_result_free(r);
	return rc;
}

int store_idem_put(struct store_conn *c, long long org_id, const char *route, const char *key,
		   const char *hash, int status, const char *response, struct error *err)
{
	struct store_param p[] = { P_INT(org_id), P_STR(route), P_STR(key),
				   P_STR(hash),	  P_INT(status), P_STR(response) };
	return store_run(c, SQL_IDEM_PUT, p, 6, NULL, NULL, err);
}
