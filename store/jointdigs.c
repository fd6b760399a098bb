/* SQL for joint-dig proposals: two permits that could share one trench, and the decision. */
#include "jointdigs.h"

#include <stdio.h>

#include "store/multirow.h"
#include "store/rows.h"
#include "workflows/geo.h"

/* many proposals in one statement: a pair already proposed is skipped, as with one */
static struct multirow proposal_batch =
	MULTIROW_INIT("INSERT IGNORE INTO joint_dig_proposals (permit_a, permit_b, authority_org_id, "
		      "shared_extent, shared_length_m) VALUES ",
		      "(?, ?, ?, ST_GeomFromText(?), ?)", 5, false);
static const char SQL_JD_LIST[] =
	"SELECT j.id, j.status, pa.id, pa.reference, pa.window_from, pa.window_to, pb.id, pb.reference, "
	"pb.window_from, pb.window_to, DATE_FORMAT(j.created_at, '%Y-%m-%dT%H:%i:%sZ'), "
	"ST_AsText(j.shared_extent), j.shared_length_m "
	"FROM joint_dig_proposals j JOIN permits pa ON pa.id = j.permit_a "
	"JOIN permits pb ON pb.id = j.permit_b WHERE j.authority_org_id = ? "
	"AND (? IS NULL OR j.status = ?) ORDER BY j.id LIMIT 500";
static const char SQL_JD_GET[] =
	"SELECT id, permit_a, permit_b, authority_org_id, status FROM joint_dig_proposals "
	"WHERE id = ? FOR UPDATE";
static const char SQL_JD_DECIDE[] =
	"UPDATE joint_dig_proposals SET status = ?, decided_at = UTC_TIMESTAMP(6) WHERE id = ? "
	"AND status = 'proposed'";

static void proposal_fill(const void *rows, size_t i, struct store_param *p, char (*days)[11])
{
	(void)days;
	const struct joint_dig_new *j = (const struct joint_dig_new *)rows + i;
	p[0] = P_INT(j->permit_a);
	p[1] = P_INT(j->permit_b);
	p[2] = P_INT(j->authority_org_id);
	p[3] = j->shared_wkt ? P_STR(j->shared_wkt) : P_NULL;
	p[4] = j->shared_wkt ? P_INT(j->shared_m) : P_NULL;
}

int store_joint_digs_propose(struct store_conn *c, const struct joint_dig_new *rows, size_t n,
			     struct error *err)
{
	return multirow_insert(c, &proposal_batch, rows, n, proposal_fill, NULL, err);
}

int store_joint_dig_propose(struct store_conn *c, long long permit_a, long long permit_b,
			    long long authority_org_id, const char *shared_wkt, int shared_m,
			    struct error *err)
{
	struct joint_dig_new j = { permit_a, permit_b, authority_org_id, shared_wkt, shared_m };
	return store_joint_digs_propose(c, &j, 1, err);
}

int store_joint_dig_list(struct store_conn *c, long long org_id, const char *status,
			 json_t **items, struct error *err)
{
	struct store_param p[] = { P_INT(org_id), P_STR(status), P_STR(status) };
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_JD_LIST, p, 3, &r, err);
	if (rc)
		return rc;
	*items = json_array();
	for (size_t i = 0; i < r->nrows; i++) {
		json_t *side[2];
		for (int k = 0; k < 2; k++) {
			size_t o = 2 + (size_t)k * 4;
			side[k] = json_pack("{s:I, s:s, s:{s:s?, s:s?}}", "id",
					    (json_int_t)store_cell_ll(r, i, o, 0), "reference",
					    store_cell(r, i, o + 1), "work_window", "from",
					    store_cell(r, i, o + 2), "to", store_cell(r, i, o + 3));
		}
		const char *wkt = store_cell(r, i, 11);
		struct geo *g = wkt ? geo_from_wkt(wkt) : NULL;
		json_array_append_new(
		    *items, json_pack("{s:I, s:s, s:[o, o], s:s, s:o, s:o}", "id",
				      (json_int_t)store_cell_ll(r, i, 0, 0), "status", store_cell(r, i, 1),
				      "permits", side[0], side[1], "proposed_at", store_cell(r, i, 10),
				      "shared_extent", g ? geo_geojson(g) : json_null(),
				      "shared_length_m",
				      store_cell(r, i, 12) ? json_integer(store_cell_ll(r, i, 12, 0))
							   : json_null()));
		geo_free(g);
	}
	store_result_free(r);
	return 0;
}

int store_joint_dig_get(struct store_conn *c, long long id, struct joint_dig_row *out,
			struct error *err)
{
	struct store_param p[] = { P_INT(id) };
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_JD_GET, p, 1, &r, err);
	if (rc == 0 && r->nrows == 0)
		rc = error_set(err, ERR_NOT_FOUND, "no such joint dig proposal");
	if (rc == 0) {
		out->id = store_cell_ll(r, 0, 0, 0);
		out->permit_a = store_cell_ll(r, 0, 1, 0);
		out->permit_b = store_cell_ll(r, 0, 2, 0);
		out->authority_org_id = store_cell_ll(r, 0, 3, 0);
		ROWS_COPY(out->status, store_cell(r, 0, 4));
	}
	store_result_free(r);
	return rc;
}

int store_joint_dig_decide(struct store_conn *c, long long id, bool accepted, struct error *err)
{
	struct store_param p[] = { P_STR(accepted ? "accepted" : "declined"), P_INT(id) };
	unsigned long long n = 0;
	int rc = store_run(c, SQL_JD_DECIDE, p, 2, &n, NULL, err);
	if (rc == 0 && n == 0)
		rc = error_set(err, ERR_CONFLICT, "the proposal was already decided");
	return rc;
}
