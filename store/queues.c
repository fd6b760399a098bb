/* SQL for the work queues: a utility's jobs and an authority's permits, as JSON summaries. */
#include "queues.h"

#include "store/works.h"

/*
 * ?bbox= on a queue: a job or permit whose works have an extent whose box meets the box (the
 * spatial index on excavation_extents answers). A job's works are its application's
 * excavations of its kind; a permit's are the excavations it covers.
 */
#define JOB_IN_BOX                                                                                 \
	"AND (? IS NULL OR EXISTS (SELECT 1 FROM excavations ex JOIN excavation_extents ee "       \
	"ON ee.excavation_id = ex.id WHERE ex.application_id = x.application_id "                 \
	"AND ex.utility_kind = x.utility_kind AND MBRIntersects(ee.extent, ST_GeomFromText(?)))) "
#define PERMIT_IN_BOX                                                                              \
	"AND (? IS NULL OR EXISTS (SELECT 1 FROM excavations ex JOIN excavation_extents ee "       \
	"ON ee.excavation_id = ex.id WHERE ex.permit_id = x.id "                                  \
	"AND MBRIntersects(ee.extent, ST_GeomFromText(?)))) "

static const char SQL_JOB_QUEUE[] =
	"SELECT x.id, x.reference, x.utility_kind, x.state, x.stage, x.due_day, x.paused, "
	"a.reference, x.version, (x.paused = 0 AND x.due_day < ?) FROM jobs x "
	"JOIN applications a ON a.id = x.application_id WHERE x.utility_org_id = ? "
	"AND (? IS NULL OR x.state = ?) AND (? = 0 OR (x.paused = 0 AND x.due_day < ?)) AND x.id > ? "
	JOB_IN_BOX "ORDER BY x.id LIMIT ?";
static const char SQL_PERMIT_QUEUE[] =
	"SELECT x.id, x.reference, x.kind, x.state, x.stage, x.due_day, x.paused, a.reference, "
	"x.version, (x.paused = 0 AND x.due_day < ?), x.decision, x.fast_track, x.window_from, "
	"x.window_to FROM permits x JOIN applications a ON a.id = x.application_id "
	"WHERE x.authority_org_id = ? AND (? IS NULL OR x.state = ?) "
	"AND (? = 0 OR (x.paused = 0 AND x.due_day < ?)) AND x.id > ? " PERMIT_IN_BOX
	"ORDER BY x.id LIMIT ?";

static int queue(struct store_conn *c, const char *sql, bool permits, long long org_id,
		 const char *state, bool overdue, day_t today, const struct geo_bbox *bbox,
		 long long after, int limit, json_t **items, long long *last, bool *more,
		 struct error *err)
{
	char t[11], box[256];
	const char *wkt = NULL;
	cal_day_format(today, t);
	if (bbox) {
		store_works_box_wkt(bbox, box, sizeof(box));
		wkt = box;
	}
	struct store_param p[] = { P_STR(t),	  P_INT(org_id), P_STR(state), P_STR(state),
				   P_INT(overdue), P_STR(t),	 P_INT(after), P_STR(wkt),
				   P_STR(wkt),	  P_INT(limit + 1) };
	struct store_result *r = NULL;
	int rc = store_exec(c, sql, p, 10, &r, err);
	if (rc)
		return rc;
	*items = json_array();
	*more = r->nrows > (size_t)limit;
	*last = 0;
	for (size_t i = 0; i < r->nrows && i < (size_t)limit; i++) {
		*last = store_cell_ll(r, i, 0, 0);
		json_t *e = json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, s:b, s:b}", "id",
				      (json_int_t)*last, "reference", store_cell(r, i, 1), "kind",
				      store_cell(r, i, 2), "state", store_cell(r, i, 3), "application",
				      store_cell(r, i, 7), "version",
				      (json_int_t)store_cell_ll(r, i, 8, 1), "paused",
				      store_cell_ll(r, i, 6, 0) != 0, "overdue",
				      store_cell_ll(r, i, 9, 0) != 0);
		json_object_set_new(e, "stage", store_cell(r, i, 4) ? json_string(store_cell(r, i, 4))
								    : json_null());
		json_object_set_new(e, "due_date", store_cell(r, i, 5)
							   ? json_string(store_cell(r, i, 5))
							   : json_null());
		if (permits) {
			json_object_set_new(e, "decision", json_string(store_cell(r, i, 10)));
			json_object_set_new(e, "fast_track", json_boolean(store_cell_ll(r, i, 11, 0)));
			json_object_set_new(e, "work_window",
					    store_cell(r, i, 12)
						    ? json_pack("{s:s, s:s}", "from", store_cell(r, i, 12),
								"to", store_cell(r, i, 13))
						    : json_null());
		}
		json_array_append_new(*items, e);
	}
	store_result_free(r);
	return 0;
}

int store_job_queue(struct store_conn *c, long long org_id, const char *state, bool overdue,
		    day_t today, const struct geo_bbox *bbox, long long after, int limit,
		    json_t **items, long long *last, bool *more, struct error *err)
{
	return queue(c, SQL_JOB_QUEUE, false, org_id, state, overdue, today, bbox, after, limit,
		     items, last, more, err);
}

int store_permit_queue(struct store_conn *c, long long org_id, const char *state, bool overdue,
		       day_t today, const struct geo_bbox *bbox, long long after, int limit,
		       json_t **items, long long *last, bool *more, struct error *err)
{
	return queue(c, SQL_PERMIT_QUEUE, true, org_id, state, overdue, today, bbox, after, limit,
		     items, last, more, err);
}
