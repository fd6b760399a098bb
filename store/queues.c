/* SQL for the work queues: a utility's jobs and an authority's permits, as JSON summaries. */
#include "queues.h"

#include "lib/json_text.h"
#include "store/rows.h"
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
		 long long after, int limit, struct strbuf *o, long long *last, bool *more,
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
	*more = r->nrows > (size_t)limit;
	*last = 0;
	/* the fields in the order the lists have always shown them */
	strbuf_add(o, "[", 1);
	for (size_t i = 0; i < r->nrows && i < (size_t)limit; i++) {
		*last = store_cell_ll(r, i, 0, 0);
		strbuf_add(o, i ? ",{" : "{", i ? 2 : 1);
		json_text_key(o, "id", true);
		rows_json_number(o, r, i, 0, "0");
		json_text_key(o, "reference", false);
		json_text_string(o, store_cell(r, i, 1));
		json_text_key(o, "kind", false);
		json_text_string(o, store_cell(r, i, 2));
		json_text_key(o, "state", false);
		json_text_string(o, store_cell(r, i, 3));
		json_text_key(o, "application", false);
		json_text_string(o, store_cell(r, i, 7));
		json_text_key(o, "version", false);
		rows_json_number(o, r, i, 8, "1");
		json_text_key(o, "paused", false);
		rows_json_boolean(o, r, i, 6);
		json_text_key(o, "overdue", false);
		rows_json_boolean(o, r, i, 9);
		json_text_key(o, "stage", false);
		json_text_string(o, store_cell(r, i, 4));
		json_text_key(o, "due_date", false);
		json_text_string(o, store_cell(r, i, 5));
		if (permits) {
			if (store_cell(r, i, 10)) { /* a permit without a decision has no key */
				json_text_key(o, "decision", false);
				json_text_string(o, store_cell(r, i, 10));
			}
			json_text_key(o, "fast_track", false);
			rows_json_boolean(o, r, i, 11);
			json_text_key(o, "work_window", false);
			if (store_cell(r, i, 12)) {
				strbuf_add(o, "{", 1);
				json_text_key(o, "from", true);
				json_text_string(o, store_cell(r, i, 12));
				json_text_key(o, "to", false);
				json_text_string(o, store_cell(r, i, 13));
				strbuf_add(o, "}", 1);
			} else {
				strbuf_add(o, "null", 4);
			}
		}
		strbuf_add(o, "}", 1);
	}
	strbuf_add(o, "]", 1);
	store_result_free(r);
	return 0;
}

int store_job_queue(struct store_conn *c, long long org_id, const char *state, bool overdue,
		    day_t today, const struct geo_bbox *bbox, long long after, int limit,
		    struct strbuf *items, long long *last, bool *more, struct error *err)
{
	return queue(c, SQL_JOB_QUEUE, false, org_id, state, overdue, today, bbox, after, limit,
		     items, last, more, err);
}

int store_permit_queue(struct store_conn *c, long long org_id, const char *state, bool overdue,
		       day_t today, const struct geo_bbox *bbox, long long after, int limit,
		       struct strbuf *items, long long *last, bool *more, struct error *err)
{
	return queue(c, SQL_PERMIT_QUEUE, true, org_id, state, overdue, today, bbox, after, limit,
		     items, last, more, err);
}
