/* SQL for applications, jobs, permits, their history, pauses, tasks and the outbox. */
#define _GNU_SOURCE
#include "tracks.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "workflows/xalloc.h"

static const char SQL_REF_NEXT[] =
	"INSERT INTO reference_counters (year, next_value) VALUES (?, LAST_INSERT_ID(1)) "
	"ON DUPLICATE KEY UPDATE next_value = LAST_INSERT_ID(next_value + 1)";
static const char SQL_APP_INSERT[] =
	"INSERT INTO applications (reference, org_id, site_id, submitted_at, submitted_day, request, "
	"estimate, estimate_total_fen, idempotency_key, request_hash, created_by) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
/*
 * The inserts that go many rows at a time: the statement up to VALUES and one row's group.
 * The statements themselves are built from these by row count (see batch_sql below).
 */
static const char HEAD_APP_MATERIAL[] =
	"INSERT INTO application_materials (application_id, material_id) VALUES ";
static const char ROW_APP_MATERIAL[] = "(?, ?)";
static const char SQL_APP_GET[] =
	"SELECT id, reference, org_id, site_id, status, DATE_FORMAT(submitted_at, "
	"'%Y-%m-%dT%H:%i:%sZ'), submitted_day, estimate_total_fen, version, request, estimate "
	"FROM applications WHERE id = ?";
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
static const char HEAD_JOB[] =
	"INSERT INTO jobs (application_id, reference, utility_kind, utility_org_id, state, params, "
	"stage, stage_limit_days, started_day, due_day) VALUES ";
static const char ROW_JOB[] = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char HEAD_PERMIT[] =
	"INSERT INTO permits (application_id, reference, kind, authority_org_id, state, decision, "
	"trigger_reason, fast_track, window_from, window_to, deadline_day, stage, stage_limit_days, "
	"started_day, due_day) VALUES ";
static const char ROW_PERMIT[] = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
/* Rows that others reference report their ids, in the order of the VALUES. */
static const char TAIL_RETURNING_ID[] = " RETURNING id";
static const char HEAD_LINK[] = "INSERT INTO job_permits (job_id, permit_id) VALUES ";
static const char ROW_LINK[] = "(?, ?)";
static const char HEAD_EXCAVATION[] =
	"INSERT INTO excavations (application_id, permit_id, utility_kind, district_code, road, "
	"road_class, from_m, to_m, width_m, start_day, end_day) "
	"VALUES ";
static const char ROW_EXCAVATION[] = "(?, ?, ?, ?, ?, ?, ?, ?, ? / 100, ?, ?)";
#define CLOCK_COLS "x.stage, x.stage_limit_days, x.started_day, x.due_day, x.paused, " \
		   "x.paused_day, x.remaining_days"
#define JOB_COLS                                                                               \
	"SELECT x.id, x.application_id, a.org_id, a.reference, a.submitted_day, x.reference, "  \
	"x.utility_kind, x.utility_org_id, x.state, x.version, x.params, x.connection_point, "   \
	"x.quote, x.quote_total_fen, x.permits_needed, "                                         \
	"DATE_FORMAT(x.updated_at, '%Y-%m-%dT%H:%i:%sZ'), " CLOCK_COLS                            \
	" FROM jobs x JOIN applications a ON a.id = x.application_id "
static const char SQL_JOB_GET[] = JOB_COLS "WHERE x.id = ?";
static const char SQL_JOB_PERMITS_CLEAR[] = "DELETE FROM job_permits WHERE job_id = ?";
static const char SQL_PERMITS_DUG_BY_JOB[] =
	"SELECT DISTINCT e.permit_id FROM excavations e JOIN jobs j "
	"ON j.application_id = e.application_id AND j.utility_kind = e.utility_kind "
	"WHERE j.id = ? AND e.permit_id IS NOT NULL ORDER BY e.permit_id";
static const char SQL_APP_CUSTOMER_CLASS[] =
	"SELECT JSON_VALUE(request, '$.customer_class') FROM applications WHERE id = ?";

static const char SQL_JOB_GET_LOCK[] = JOB_COLS "WHERE x.id = ? FOR UPDATE";
static const char SQL_JOBS_OF_APP[] = JOB_COLS "WHERE x.application_id = ? ORDER BY x.id";
#define PERMIT_COLS                                                                            \
	"SELECT x.id, x.application_id, a.org_id, a.reference, a.submitted_day, x.reference, "  \
	"x.kind, x.authority_org_id, x.state, x.decision, x.is_deemed, x.fast_track, "           \
	"x.post_checked, x.reinstatement_passed, x.extension_pending, x.extension_to, "          \
	"x.window_from, x.window_to, x.deadline_day, x.trigger_reason, x.conditions, "           \
	"x.decision_reason, x.version, DATE_FORMAT(x.updated_at, '%Y-%m-%dT%H:%i:%sZ'), "        \
	CLOCK_COLS " FROM permits x JOIN applications a ON a.id = x.application_id "
static const char SQL_PERMIT_GET[] = PERMIT_COLS "WHERE x.id = ?";
static const char SQL_PERMIT_GET_LOCK[] = PERMIT_COLS "WHERE x.id = ? FOR UPDATE";
static const char SQL_PERMITS_OF_APP[] = PERMIT_COLS "WHERE x.application_id = ? ORDER BY x.id";
static const char SQL_PERMITS_OF_JOB[] =
	PERMIT_COLS "JOIN job_permits jp ON jp.permit_id = x.id WHERE jp.job_id = ? ORDER BY x.id";
static const char SQL_JOB_UPDATE[] =
	"UPDATE jobs SET state = ?, version = version + 1, stage = ?, stage_limit_days = ?, "
	"started_day = ?, due_day = ?, paused = ?, paused_day = ?, remaining_days = ?, "
	"connection_point = COALESCE(?, connection_point), quote = COALESCE(?, quote), "
	"quote_total_fen = IF(? < 0, quote_total_fen, ?), "
	"permits_needed = COALESCE(?, permits_needed), updated_at = UTC_TIMESTAMP(6) "
	"WHERE id = ? AND version = ?";
static const char SQL_PERMIT_UPDATE[] =
	"UPDATE permits SET state = ?, decision = ?, is_deemed = ?, post_checked = ?, "
	"reinstatement_passed = ?, extension_pending = ?, extension_to = ?, window_from = ?, "
	"window_to = ?, deadline_day = ?, stage = ?, stage_limit_days = ?, started_day = ?, "
	"due_day = ?, paused = ?, paused_day = ?, remaining_days = ?, "
	"conditions = COALESCE(?, conditions), decision_reason = COALESCE(?, decision_reason), "
	"version = version + 1, updated_at = UTC_TIMESTAMP(6) WHERE id = ? AND version = ?";
static const char HEAD_TRANSITION[] =
	"INSERT INTO transitions (application_id, object_type, object_id, action, from_state, "
	"to_state, actor_role, actor_org_id, actor_user_id, payload, at, stage, due_day) "
	"VALUES ";
static const char ROW_TRANSITION[] = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_TIMELINE[] =
	"SELECT t.id, t.object_type, COALESCE(j.reference, p.reference, a.reference), t.action, "
	"t.from_state, t.to_state, t.actor_role, DATE_FORMAT(t.at, '%Y-%m-%dT%H:%i:%sZ'), t.stage, "
	"t.due_day, t.payload FROM transitions t JOIN applications a ON a.id = t.application_id "
	"LEFT JOIN jobs j ON t.object_type = 'job' AND j.id = t.object_id "
	"LEFT JOIN permits p ON t.object_type = 'permit' AND p.id = t.object_id "
	"WHERE t.application_id = ? ORDER BY t.id";
static const char SQL_PAUSE[] =
	"INSERT INTO clock_pauses (object_type, object_id, stage, reason, items, actor_role, "
	"actor_org_id, actor_user_id, paused_at, paused_day, remaining_days) "
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_PAUSE_CLOSE[] =
	"UPDATE clock_pauses SET resumed_at = ? WHERE object_type = ? AND object_id = ? "
	"AND resumed_at IS NULL";
static const char SQL_TASK[] = "INSERT INTO tasks (permit_id, kind, org_id) VALUES (?, ?, ?)";
static const char SQL_INSPECTION[] =
	"INSERT INTO inspections (permit_id, kind, result, comment, actor_org_id, actor_user_id, at) "
	"VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char SQL_EXT_INSERT[] =
	"INSERT INTO extensions (permit_id, old_window_to, requested_to, reason, requested_at) "
	"VALUES (?, ?, ?, ?, ?)";
static const char SQL_EXT_SETTLE[] =
	"UPDATE extensions SET status = ?, decided_at = ? WHERE permit_id = ? AND status = 'pending'";
static const char HEAD_OUTBOX[] =
	"INSERT INTO outbox (org_id, application_id, event_type, payload) VALUES ";
static const char ROW_OUTBOX[] = "(?, ?, ?, ?)";
static const char SQL_JOB_QUEUE[] =
	"SELECT x.id, x.reference, x.utility_kind, x.state, x.stage, x.due_day, x.paused, "
	"a.reference, x.version, (x.paused = 0 AND x.due_day < ?) FROM jobs x "
	"JOIN applications a ON a.id = x.application_id WHERE x.utility_org_id = ? "
	"AND (? IS NULL OR x.state = ?) AND (? = 0 OR (x.paused = 0 AND x.due_day < ?)) AND x.id > ? "
	"ORDER BY x.id LIMIT ?";
static const char SQL_PERMIT_QUEUE[] =
	"SELECT x.id, x.reference, x.kind, x.state, x.stage, x.due_day, x.paused, a.reference, "
	"x.version, (x.paused = 0 AND x.due_day < ?), x.decision, x.fast_track, x.window_from, "
	"x.window_to FROM permits x JOIN applications a ON a.id = x.application_id "
	"WHERE x.authority_org_id = ? AND (? IS NULL OR x.state = ?) "
	"AND (? = 0 OR (x.paused = 0 AND x.due_day < ?)) AND x.id > ? ORDER BY x.id LIMIT ?";
static const char SQL_IDEM_GET[] =
	"SELECT request_hash, status, response FROM idempotency_keys WHERE org_id = ? AND route = ? "
	"AND idem_key = ?";
static const char SQL_IDEM_PUT[] =
	"INSERT INTO idempotency_keys (org_id, route, idem_key, request_hash, status, response) "
	"VALUES (?, ?, ?, ?, ?, ?)";

static const char SQL_PERMIT_UTILITIES[] =
	"SELECT DISTINCT j.utility_org_id FROM job_permits jp JOIN jobs j ON j.id = jp.job_id "
	"WHERE jp.permit_id = ? ORDER BY 1";
static const char SQL_REMEDIAL[] =
	"INSERT INTO tasks (permit_id, kind, org_id) SELECT DISTINCT ?, 'remedial', j.utility_org_id "
	"FROM job_permits jp JOIN jobs j ON j.id = jp.job_id WHERE jp.permit_id = ?";
static const char SQL_APP_REFRESH[] =
	"UPDATE applications a SET a.status = IF((SELECT COUNT(*) FROM jobs j WHERE "
	"j.application_id = a.id AND j.state <> 'withdrawn') = 0, 'withdrawn', 'completed'), "
	"a.version = a.version + 1 WHERE a.id = ? AND a.status = 'open' AND NOT EXISTS "
	"(SELECT 1 FROM jobs j WHERE j.application_id = a.id AND j.state NOT IN "
	"('completed', 'rejected', 'withdrawn'))";

static const char SQL_PERMITS_DUE[] =
	"SELECT id FROM permits WHERE state IN ('submitted', 'under_review') AND paused = 0 "
	"AND due_day < ? ORDER BY id LIMIT ?";

static const char SQL_OVERLAPS[] =
	"SELECT DISTINCT e.permit_id FROM excavations e JOIN applications a ON a.id = e.application_id "
	"WHERE e.district_code = ? AND e.road = ? AND e.from_m <= ? AND e.to_m >= ? "
	"AND e.start_day <= ? AND e.end_day >= ? AND e.application_id <> ? AND a.status = 'open' "
	"AND e.permit_id IS NOT NULL ORDER BY 1 LIMIT 20";
static const char SQL_JD_PROPOSE[] =
	"INSERT IGNORE INTO joint_dig_proposals (permit_a, permit_b, authority_org_id) VALUES (?, ?, ?)";
static const char SQL_JD_LIST[] =
	"SELECT j.id, j.status, pa.id, pa.reference, pa.window_from, pa.window_to, pb.id, pb.reference, "
	"pb.window_from, pb.window_to, DATE_FORMAT(j.created_at, '%Y-%m-%dT%H:%i:%sZ') "
	"FROM joint_dig_proposals j JOIN permits pa ON pa.id = j.permit_a "
	"JOIN permits pb ON pb.id = j.permit_b WHERE j.authority_org_id = ? "
	"AND (? IS NULL OR j.status = ?) ORDER BY j.id LIMIT 500";
static const char SQL_JD_GET[] =
	"SELECT id, permit_a, permit_b, authority_org_id, status FROM joint_dig_proposals "
	"WHERE id = ? FOR UPDATE";
static const char SQL_JD_DECIDE[] =
	"UPDATE joint_dig_proposals SET status = ?, decided_at = UTC_TIMESTAMP(6) WHERE id = ? "
	"AND status = 'proposed'";
static const char SQL_PERMIT_WINDOW[] =
	"UPDATE permits SET window_from = ?, window_to = ?, version = version + 1, "
	"updated_at = UTC_TIMESTAMP(6) WHERE id = ?";

static const char SQL_APP_PLACE[] =
	"SELECT a.reference, s.address, s.district_code, s.lat, s.lng, a.request FROM applications a "
	"JOIN sites s ON s.id = a.site_id WHERE a.id = ?";
static const char SQL_SEGMENTS[] =
	"SELECT road, from_m, to_m, width_m, road_class FROM excavations WHERE permit_id = ? "
	"ORDER BY id";
static const char SQL_APP_SEGMENTS[] =
	"SELECT permit_id, road, from_m, to_m, width_m, road_class FROM excavations "
	"WHERE application_id = ? AND permit_id IS NOT NULL ORDER BY id";

#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src) ? (src) : "")

static struct store_param day_param(day_t d, char buf[11])
{
	if (d < 0)
		return P_NULL;
	cal_day_format(d, buf);
	return P_STR(buf);
}

static day_t day_cell(const struct store_result *r, size_t row, size_t col)
{
	const char *s = store_cell(r, row, col);
	day_t d;
	if (!s || cal_day_parse(s, &d, NULL) != 0)
		return -1;
	return d;
}

static char *dup_cell(const struct store_result *r, size_t row, size_t col)
{
	const char *s = store_cell(r, row, col);
	return s ? xstrdup(s) : NULL;
}

/*
 * Multi-row INSERTs: many rows in one statement, so one round trip instead of one per row.
 * store_exec binds at most STORE_MAX_PARAMS parameters (store/db.h), so a batch
 * goes in chunks of at most BINDS_MAX / columns rows, and never more than BATCH_ROWS_MAX. The
 * statement cache of store/db.c knows a statement by the ADDRESS of its text: the text for
 * each row count is therefore built once per process, under pthread_once, and kept, so that
 * every chunk of n rows finds its statement already prepared on a warm connection and a batch
 * takes at most one cache slot per row count. The text depends on the row count only; every
 * value is bound. The one-row texts are the single-row statements the rest of the portal uses.
 */
#define BINDS_MAX STORE_MAX_PARAMS
#define BATCH_ROWS_MAX 16

enum batch_kind {
	B_JOBS,
	B_PERMITS,
	B_MATERIALS,
	B_LINKS,
	B_EXCAVATIONS,
	B_TRANSITIONS,
	B_OUTBOX,
	B_COUNT
};

static const struct {
	const char *head, *row, *tail;
	size_t cols;
} batch_shape[B_COUNT] = {
	[B_JOBS] = { HEAD_JOB, ROW_JOB, TAIL_RETURNING_ID, 10 },
	[B_PERMITS] = { HEAD_PERMIT, ROW_PERMIT, TAIL_RETURNING_ID, 15 },
	[B_MATERIALS] = { HEAD_APP_MATERIAL, ROW_APP_MATERIAL, "", 2 },
	[B_LINKS] = { HEAD_LINK, ROW_LINK, "", 2 },
	[B_EXCAVATIONS] = { HEAD_EXCAVATION, ROW_EXCAVATION, "", 11 },
	[B_TRANSITIONS] = { HEAD_TRANSITION, ROW_TRANSITION, "", 13 },
	[B_OUTBOX] = { HEAD_OUTBOX, ROW_OUTBOX, "", 4 },
};

/* batch_sql[k][n]: the statement inserting n rows of kind k; built once, never freed. */
static char *batch_sql[B_COUNT][BATCH_ROWS_MAX + 1];
static pthread_once_t batch_once = PTHREAD_ONCE_INIT;

static size_t batch_rows_max(enum batch_kind k)
{
	size_t n = BINDS_MAX / batch_shape[k].cols;
	return n < BATCH_ROWS_MAX ? n : BATCH_ROWS_MAX;
}

static void batch_build(void)
{
	for (int k = 0; k < B_COUNT; k++) {
		size_t head = strlen(batch_shape[k].head), row = strlen(batch_shape[k].row);
		size_t tail = strlen(batch_shape[k].tail);
		for (size_t n = 1; n <= batch_rows_max(k); n++) {
			char *sql = xmalloc(head + n * (row + 2) + tail + 1), *at = sql;
			memcpy(at, batch_shape[k].head, head);
			at += head;
			for (size_t i = 0; i < n; i++) {
				if (i) {
					memcpy(at, ", ", 2);
					at += 2;
				}
				memcpy(at, batch_shape[k].row, row);
				at += row;
			}
			memcpy(at, batch_shape[k].tail, tail);
			at += tail;
			*at = 0;
			batch_sql[k][n] = sql;
		}
	}
}

/*
 * Fills the parameters of row i (cols of them at p); a date parameter may point into days,
 * which has one 11-byte buffer per parameter. rows is the caller's array.
 */
typedef void (*row_fill_fn)(const void *rows, size_t i, struct store_param *p, char (*days)[11]);

/*
 * Inserts n rows in chunks, in order. The first failure stops it; the caller rolls back. For
 * the kinds whose statement returns the ids, ids (n of them) receives them.
 */
static int insert_rows(struct store_conn *c, enum batch_kind k, const void *rows, size_t n,
		       row_fill_fn fill, long long *ids, struct error *err)
{
	pthread_once(&batch_once, batch_build);
	size_t cols = batch_shape[k].cols, max = batch_rows_max(k);
	struct store_param p[BINDS_MAX];
	char days[BINDS_MAX][11];
	for (size_t done = 0; done < n;) {
		size_t m = n - done < max ? n - done : max;
		for (size_t r = 0; r < m; r++)
			fill(rows, done + r, p + r * cols, days + r * cols);
		struct store_result *r = NULL;
		int rc = store_exec(c, batch_sql[k][m], p, m * cols, ids ? &r : NULL, err);
		if (rc)
			return rc;
		if (ids) {
			if (r->nrows != m) {
				size_t got = r->nrows;
				store_result_free(r);
				return error_set(err, ERR_INTERNAL,
						 "an insert of %zu rows returned %zu ids", m, got);
			}
			for (size_t i = 0; i < m; i++)
				ids[done + i] = store_cell_ll(r, i, 0, 0);
			store_result_free(r);
		}
		done += m;
	}
	return 0;
}

void store_format_utc(long long utc_us, char out[32])
{
	time_t secs = (time_t)(utc_us / 1000000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	size_t n = strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%06lld", utc_us % 1000000);
}

void store_application_row_release(struct application_row *r)
{
	free(r->request);
	free(r->estimate);
	memset(r, 0, sizeof(*r));
}

void store_job_row_release(struct job_row *r)
{
	free(r->params);
	free(r->connection_point);
	free(r->quote);
	free(r->permits_needed);
	memset(r, 0, sizeof(*r));
}

void store_permit_row_release(struct permit_row *r)
{
	free(r->trigger_reason);
	free(r->conditions);
	free(r->decision_reason);
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
		P_STR(a->submitted_at),	    day_param(a->submitted_day, d), P_STR(a->request),
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
	return insert_rows(c, B_MATERIALS, &m, n, material_fill, NULL, err);
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
		memset(out, 0, sizeof(*out));
		out->id = store_cell_ll(r, 0, 0, 0);
		COPY(out->reference, store_cell(r, 0, 1));
		out->org_id = store_cell_ll(r, 0, 2, 0);
		out->site_id = store_cell_ll(r, 0, 3, 0);
		COPY(out->status, store_cell(r, 0, 4));
		COPY(out->submitted_at, store_cell(r, 0, 5));
		out->submitted_day = day_cell(r, 0, 6);
		out->estimate_total_fen = store_cell_ll(r, 0, 7, 0);
		out->version = (int)store_cell_ll(r, 0, 8, 1);
		out->request = dup_cell(r, 0, 9);
		out->estimate = dup_cell(r, 0, 10);
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

static void clock_params(const struct stored_clock *k, struct store_param *p, char d1[11],
			 char d2[11])
{
	bool on = k && k->stage[0];
	p[0] = on ? P_STR(k->stage) : P_NULL;
	p[1] = on ? P_INT(k->clock.limit_days) : P_NULL;
	p[2] = on ? day_param(k->clock.started_day, d1) : P_NULL;
	p[3] = on ? day_param(k->clock.due_day, d2) : P_NULL;
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
	clock_params(j->clock, p + 6, days[8], days[9]);
}

int store_jobs_insert_many(struct store_conn *c, const struct job_new *j, size_t n,
			   long long *ids, struct error *err)
{
	return insert_rows(c, B_JOBS, j, n, job_fill, ids, err);
}

int store_job_insert(struct store_conn *c, const struct job_new *j, long long *id, struct error *err)
{
	return store_jobs_insert_many(c, j, 1, id, err);
}

static void permit_fill(const void *rows, size_t i, struct store_param *p, char (*days)[11])
{
	const struct permit_new *x = (const struct permit_new *)rows + i;
	p[0] = P_INT(x->application_id);
	p[1] = P_STR(x->reference);
	p[2] = P_STR(x->kind);
	p[3] = P_INT(x->authority_org_id);
	p[4] = P_STR(x->state);
	p[5] = P_STR(x->decision);
	p[6] = P_STR(x->trigger_reason);
	p[7] = P_INT(x->fast_track);
	p[8] = day_param(x->window_from, days[8]);
	p[9] = day_param(x->window_to, days[9]);
	p[10] = day_param(x->deadline_day, days[10]);
	clock_params(x->clock, p + 11, days[13], days[14]);
}

int store_permits_insert_many(struct store_conn *c, const struct permit_new *x, size_t n,
			      long long *ids, struct error *err)
{
	return insert_rows(c, B_PERMITS, x, n, permit_fill, ids, err);
}

int store_permit_insert(struct store_conn *c, const struct permit_new *x, long long *id,
			struct error *err)
{
	return store_permits_insert_many(c, x, 1, id, err);
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
	return insert_rows(c, B_LINKS, links, n, link_fill, NULL, err);
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

int store_permits_dug_by_job(struct store_conn *c, long long job_id, long long **ids, size_t *n,
			     struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(job_id) };
	*ids = NULL;
	*n = 0;
	int rc = store_exec(c, SQL_PERMITS_DUG_BY_JOB, p, 1, &r, err);
	if (rc == 0 && r->nrows) {
		*ids = xcalloc(r->nrows, sizeof(**ids));
		for (size_t i = 0; i < r->nrows; i++)
			(*ids)[(*n)++] = store_cell_ll(r, i, 0, 0);
	}
	store_result_free(r);
	return rc;
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

static void excavation_fill(const void *rows, size_t i, struct store_param *p, char (*days)[11])
{
	const struct excavation_new *e = (const struct excavation_new *)rows + i;
	p[0] = P_INT(e->application_id);
	p[1] = e->permit_id ? P_INT(e->permit_id) : P_NULL;
	p[2] = P_STR(e->utility_kind);
	p[3] = P_STR(e->district);
	p[4] = P_STR(e->road);
	p[5] = P_STR(e->road_class);
	p[6] = P_INT(e->from_m);
	p[7] = P_INT(e->to_m);
	p[8] = P_INT(e->width_cm);
	p[9] = day_param(e->start_day, days[9]);
	p[10] = day_param(e->end_day, days[10]);
}

int store_excavation_insert(struct store_conn *c, const struct excavation_new *e, struct error *err)
{
	return store_excavations_insert_many(c, e, 1, err);
}

int store_excavations_insert_many(struct store_conn *c, const struct excavation_new *e, size_t n,
				  struct error *err)
{
	return insert_rows(c, B_EXCAVATIONS, e, n, excavation_fill, NULL, err);
}

static void clock_from(const struct store_result *r, size_t i, size_t col, struct stored_clock *k)
{
	memset(k, 0, sizeof(*k));
	COPY(k->stage, store_cell(r, i, col));
	k->clock.limit_days = (int)store_cell_ll(r, i, col + 1, 0);
	k->clock.started_day = day_cell(r, i, col + 2);
	k->clock.due_day = day_cell(r, i, col + 3);
	k->clock.paused = store_cell_ll(r, i, col + 4, 0) != 0;
	k->clock.paused_day = day_cell(r, i, col + 5);
	k->clock.remaining_days = (int)store_cell_ll(r, i, col + 6, 0);
}

static void job_from(const struct store_result *r, size_t i, struct job_row *j)
{
	memset(j, 0, sizeof(*j));
	j->id = store_cell_ll(r, i, 0, 0);
	j->application_id = store_cell_ll(r, i, 1, 0);
	j->app_org_id = store_cell_ll(r, i, 2, 0);
	COPY(j->app_reference, store_cell(r, i, 3));
	j->submitted_day = day_cell(r, i, 4);
	COPY(j->reference, store_cell(r, i, 5));
	COPY(j->utility_kind, store_cell(r, i, 6));
	j->utility_org_id = store_cell_ll(r, i, 7, 0);
	COPY(j->state, store_cell(r, i, 8));
	j->version = (int)store_cell_ll(r, i, 9, 1);
	j->params = dup_cell(r, i, 10);
	j->connection_point = dup_cell(r, i, 11);
	j->quote = dup_cell(r, i, 12);
	j->quote_total_fen = store_cell_ll(r, i, 13, -1);
	j->permits_needed = dup_cell(r, i, 14);
	COPY(j->updated_at, store_cell(r, i, 15));
	clock_from(r, i, 16, &j->clock);
}

static void permit_from(const struct store_result *r, size_t i, struct permit_row *p)
{
	memset(p, 0, sizeof(*p));
	p->id = store_cell_ll(r, i, 0, 0);
	p->application_id = store_cell_ll(r, i, 1, 0);
	p->app_org_id = store_cell_ll(r, i, 2, 0);
	COPY(p->app_reference, store_cell(r, i, 3));
	p->submitted_day = day_cell(r, i, 4);
	COPY(p->reference, store_cell(r, i, 5));
	COPY(p->kind, store_cell(r, i, 6));
	p->authority_org_id = store_cell_ll(r, i, 7, 0);
	COPY(p->state, store_cell(r, i, 8));
	COPY(p->decision, store_cell(r, i, 9));
	p->is_deemed = store_cell_ll(r, i, 10, 0) != 0;
	p->fast_track = store_cell_ll(r, i, 11, 0) != 0;
	p->post_checked = store_cell_ll(r, i, 12, 0) != 0;
	p->reinstatement_passed = store_cell_ll(r, i, 13, 0) != 0;
	p->extension_pending = store_cell_ll(r, i, 14, 0) != 0;
	p->extension_to = day_cell(r, i, 15);
	p->window_from = day_cell(r, i, 16);
	p->window_to = day_cell(r, i, 17);
	p->deadline_day = day_cell(r, i, 18);
	p->trigger_reason = dup_cell(r, i, 19);
	p->conditions = dup_cell(r, i, 20);
	p->decision_reason = dup_cell(r, i, 21);
	p->version = (int)store_cell_ll(r, i, 22, 1);
	COPY(p->updated_at, store_cell(r, i, 23));
	clock_from(r, i, 24, &p->clock);
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

int store_permit_get(struct store_conn *c, long long id, bool for_update, struct permit_row *out,
		     struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(id) };
	int rc = store_exec(c, for_update ? SQL_PERMIT_GET_LOCK : SQL_PERMIT_GET, p, 1, &r, err);
	if (rc == 0 && r->nrows == 0)
		rc = error_set(err, ERR_NOT_FOUND, "no such permit");
	if (rc == 0)
		permit_from(r, 0, out);
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

static int permits_query(struct store_conn *c, const char *sql, long long id,
			 struct permit_row **rows, size_t *n, struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(id) };
	int rc = store_exec(c, sql, p, 1, &r, err);
	*rows = NULL;
	*n = 0;
	if (rc == 0) {
		*rows = xcalloc(r->nrows + 1, sizeof(**rows));
		for (size_t i = 0; i < r->nrows; i++)
			permit_from(r, i, &(*rows)[i]);
		*n = r->nrows;
	}
	store_result_free(r);
	return rc;
}

int store_permits_of_application(struct store_conn *c, long long app_id, struct permit_row **rows,
				 size_t *n, struct error *err)
{
	return permits_query(c, SQL_PERMITS_OF_APP, app_id, rows, n, err);
}

int store_permits_of_job(struct store_conn *c, long long job_id, struct permit_row **rows,
			 size_t *n, struct error *err)
{
	return permits_query(c, SQL_PERMITS_OF_JOB, job_id, rows, n, err);
}

/* Binds the seven clock columns (stage .. remaining_days). */
static void clock_params_full(const struct stored_clock *k, struct store_param *p, char d[3][11])
{
	clock_params(k, p, d[0], d[1]);
	bool on = k && k->stage[0];
	p[4] = P_INT(on && k->clock.paused);
	p[5] = on && k->clock.paused ? day_param(k->clock.paused_day, d[2]) : P_NULL;
	p[6] = on && k->clock.paused ? P_INT(k->clock.remaining_days) : P_NULL;
}

static int changed_meanwhile(unsigned long long affected, struct error *err)
{
	if (affected == 0)
		return error_set(err, ERR_CONFLICT,
				 "it changed meanwhile (stale version): reload and try again");
	return 0;
}

int store_job_update(struct store_conn *c, const struct job_update *u, struct error *err)
{
	char d[3][11];
	struct store_param p[16];
	p[0] = P_STR(u->state);
	clock_params_full(u->clock, p + 1, d);
	p[8] = P_STR(u->connection_point);
	p[9] = P_STR(u->quote);
	p[10] = P_INT(u->quote_total_fen);
	p[11] = P_INT(u->quote_total_fen);
	p[12] = P_STR(u->permits_needed);
	p[13] = P_INT(u->id);
	p[14] = P_INT(u->version);
	unsigned long long n = 0;
	int rc = store_run(c, SQL_JOB_UPDATE, p, 15, &n, NULL, err);
	return rc ? rc : changed_meanwhile(n, err);
}

int store_permit_update(struct store_conn *c, const struct permit_update *u, struct error *err)
{
	char d[3][11], e[4][11];
	struct store_param p[21];
	p[0] = P_STR(u->state);
	p[1] = P_STR(u->decision);
	p[2] = P_INT(u->is_deemed);
	p[3] = P_INT(u->post_checked);
	p[4] = P_INT(u->reinstatement_passed);
	p[5] = P_INT(u->extension_pending);
	p[6] = day_param(u->extension_to, e[0]);
	p[7] = day_param(u->window_from, e[1]);
	p[8] = day_param(u->window_to, e[2]);
	p[9] = day_param(u->deadline_day, e[3]);
	clock_params_full(u->clock, p + 10, d);
	p[17] = P_STR(u->conditions);
	p[18] = P_STR(u->decision_reason);
	p[19] = P_INT(u->id);
	p[20] = P_INT(u->version);
	unsigned long long n = 0;
	int rc = store_run(c, SQL_PERMIT_UPDATE, p, 21, &n, NULL, err);
	return rc ? rc : changed_meanwhile(n, err);
}

static void transition_fill(const void *rows, size_t i, struct store_param *p, char (*days)[11])
{
	const struct transition_new *t = (const struct transition_new *)rows + i;
	p[0] = P_INT(t->application_id);
	p[1] = P_STR(t->object_type);
	p[2] = P_INT(t->object_id);
	p[3] = P_STR(t->action);
	p[4] = P_STR(t->from_state);
	p[5] = P_STR(t->to_state);
	p[6] = P_STR(t->actor_role);
	p[7] = t->actor_org_id ? P_INT(t->actor_org_id) : P_NULL;
	p[8] = t->actor_user_id ? P_INT(t->actor_user_id) : P_NULL;
	p[9] = P_STR(t->payload ? t->payload : "{}");
	p[10] = P_STR(t->at);
	p[11] = P_STR(t->stage);
	p[12] = day_param(t->due_day, days[12]);
}

int store_transition_insert(struct store_conn *c, const struct transition_new *t, struct error *err)
{
	return store_transitions_insert_many(c, t, 1, err);
}

int store_transitions_insert_many(struct store_conn *c, const struct transition_new *t, size_t n,
				  struct error *err)
{
	return insert_rows(c, B_TRANSITIONS, t, n, transition_fill, NULL, err);
}

int store_timeline(struct store_conn *c, long long app_id, json_t **items, struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(app_id) };
	int rc = store_exec(c, SQL_TIMELINE, p, 1, &r, err);
	if (rc)
		return rc;
	*items = json_array();
	for (size_t i = 0; i < r->nrows; i++) {
		json_t *payload = json_loads(store_cell(r, i, 10), 0, NULL);
		json_t *e = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "id",
				      (json_int_t)store_cell_ll(r, i, 0, 0), "track",
				      store_cell(r, i, 1), "reference", store_cell(r, i, 2), "action",
				      store_cell(r, i, 3), "to_state", store_cell(r, i, 5), "actor",
				      store_cell(r, i, 6), "at", store_cell(r, i, 7), "detail",
				      payload ? payload : json_object());
		json_object_set_new(e, "from_state", store_cell(r, i, 4)
							     ? json_string(store_cell(r, i, 4))
							     : json_null());
		if (store_cell(r, i, 8))
			json_object_set_new(e, "stage", json_string(store_cell(r, i, 8)));
		if (store_cell(r, i, 9))
			json_object_set_new(e, "due_date", json_string(store_cell(r, i, 9)));
		json_array_append_new(*items, e);
	}
	store_result_free(r);
	return 0;
}

int store_pause_insert(struct store_conn *c, const struct pause_new *x, struct error *err)
{
	char d[11];
	struct store_param p[] = {
		P_STR(x->object_type), P_INT(x->object_id), P_STR(x->stage), P_STR(x->reason),
		P_STR(x->items ? x->items : "[]"), P_STR(x->actor_role),
		x->actor_org_id ? P_INT(x->actor_org_id) : P_NULL,
		x->actor_user_id ? P_INT(x->actor_user_id) : P_NULL, P_STR(x->at),
		day_param(x->day, d), P_INT(x->remaining_days),
	};
	return store_run(c, SQL_PAUSE, p, 11, NULL, NULL, err);
}

int store_pause_close(struct store_conn *c, const char *object_type, long long object_id,
		      const char *at, struct error *err)
{
	struct store_param p[] = { P_STR(at), P_STR(object_type), P_INT(object_id) };
	return store_run(c, SQL_PAUSE_CLOSE, p, 3, NULL, NULL, err);
}

int store_task_insert(struct store_conn *c, long long permit_id, const char *kind, long long org_id,
		      struct error *err)
{
	struct store_param p[] = { P_INT(permit_id), P_STR(kind), P_INT(org_id) };
	return store_run(c, SQL_TASK, p, 3, NULL, NULL, err);
}

int store_inspection_insert(struct store_conn *c, long long permit_id, const char *kind,
			    const char *result, const char *comment, long long org_id,
			    long long user_id, const char *at, struct error *err)
{
	struct store_param p[] = { P_INT(permit_id), P_STR(kind), P_STR(result),
				   P_STR(comment ? comment : ""), org_id ? P_INT(org_id) : P_NULL,
				   user_id ? P_INT(user_id) : P_NULL, P_STR(at) };
	return store_run(c, SQL_INSPECTION, p, 7, NULL, NULL, err);
}

int store_extension_insert(struct store_conn *c, long long permit_id, day_t old_to, day_t new_to,
			   const char *reason, const char *at, struct error *err)
{
	char d1[11], d2[11];
	struct store_param p[] = { P_INT(permit_id), day_param(old_to, d1), day_param(new_to, d2),
				   P_STR(reason ? reason : ""), P_STR(at) };
	return store_run(c, SQL_EXT_INSERT, p, 5, NULL, NULL, err);
}

int store_extension_settle(struct store_conn *c, long long permit_id, bool granted,
			   const char *at, struct error *err)
{
	struct store_param p[] = { P_STR(granted ? "granted" : "refused"), P_STR(at),
				   P_INT(permit_id) };
	return store_run(c, SQL_EXT_SETTLE, p, 3, NULL, NULL, err);
}

static void outbox_fill(const void *rows, size_t i, struct store_param *p, char (*days)[11])
{
	const struct outbox_new *o = (const struct outbox_new *)rows + i;
	(void)days;
	p[0] = P_INT(o->org_id);
	p[1] = o->application_id ? P_INT(o->application_id) : P_NULL;
	p[2] = P_STR(o->event_type);
	p[3] = P_STR(o->payload);
}

int store_outbox_insert(struct store_conn *c, long long org_id, long long application_id,
			const char *event_type, const char *payload, struct error *err)
{
	struct outbox_new o = { org_id, application_id, event_type, payload };
	return store_outbox_insert_many(c, &o, 1, err);
}

int store_outbox_insert_many(struct store_conn *c, const struct outbox_new *rows, size_t n,
			     struct error *err)
{
	return insert_rows(c, B_OUTBOX, rows, n, outbox_fill, NULL, err);
}

static int queue(struct store_conn *c, const char *sql, bool permits, long long org_id,
		 const char *state, bool overdue, day_t today, long long after, int limit,
		 json_t **items, long long *last, bool *more, struct error *err)
{
	char t[11];
	cal_day_format(today, t);
	struct store_param p[] = { P_STR(t),	 P_INT(org_id),	   P_STR(state), P_STR(state),
				   P_INT(overdue), P_STR(t),	   P_INT(after), P_INT(limit + 1) };
	struct store_result *r = NULL;
	int rc = store_exec(c, sql, p, 8, &r, err);
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
		    day_t today, long long after, int limit, json_t **items, long long *last,
		    bool *more, struct error *err)
{
	return queue(c, SQL_JOB_QUEUE, false, org_id, state, overdue, today, after, limit, items,
		     last, more, err);
}

int store_permit_queue(struct store_conn *c, long long org_id, const char *state, bool overdue,
		       day_t today, long long after, int limit, json_t **items, long long *last,
		       bool *more, struct error *err)
{
	return queue(c, SQL_PERMIT_QUEUE, true, org_id, state, overdue, today, after, limit, items,
		     last, more, err);
}

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
		*response = dup_cell(r, 0, 2);
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

int store_permit_utility_orgs(struct store_conn *c, long long permit_id, long long *orgs,
			      size_t cap, size_t *n, struct error *err)
{
	struct store_result *r = NULL;
	struct store_param p[] = { P_INT(permit_id) };
	int rc = store_exec(c, SQL_PERMIT_UTILITIES, p, 1, &r, err);
	*n = 0;
	for (size_t i = 0; rc == 0 && i < r->nrows && *n < cap; i++)
		orgs[(*n)++] = store_cell_ll(r, i, 0, 0);
	store_result_free(r);
	return rc;
}

int store_remedial_tasks(struct store_conn *c, long long permit_id, struct error *err)
{
	struct store_param p[] = { P_INT(permit_id), P_INT(permit_id) };
	return store_run(c, SQL_REMEDIAL, p, 2, NULL, NULL, err);
}

int store_application_refresh_status(struct store_conn *c, long long app_id, struct error *err)
{
	struct store_param p[] = { P_INT(app_id) };
	return store_run(c, SQL_APP_REFRESH, p, 1, NULL, NULL, err);
}

int store_permits_due(struct store_conn *c, day_t today, long long *ids, size_t cap, size_t *n,
		      struct error *err)
{
	char t[11];
	struct store_param p[] = { P_STR(cal_day_format(today, t)), P_INT((long long)cap) };
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_PERMITS_DUE, p, 2, &r, err);
	*n = 0;
	for (size_t i = 0; rc == 0 && i < r->nrows && *n < cap; i++)
		ids[(*n)++] = store_cell_ll(r, i, 0, 0);
	store_result_free(r);
	return rc;
}

int store_overlapping_permits(struct store_conn *c, long long app_id, const char *district,
			      const char *road, int from_m, int to_m, day_t start, day_t end,
			      long long *permits, size_t cap, size_t *n, struct error *err)
{
	char d1[11], d2[11];
	struct store_param p[] = { P_STR(district), P_STR(road),	P_INT(to_m),
				   P_INT(from_m),   day_param(end, d1), day_param(start, d2),
				   P_INT(app_id) };
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_OVERLAPS, p, 7, &r, err);
	*n = 0;
	for (size_t i = 0; rc == 0 && i < r->nrows && *n < cap; i++)
		permits[(*n)++] = store_cell_ll(r, i, 0, 0);
	store_result_free(r);
	return rc;
}

int store_joint_dig_propose(struct store_conn *c, long long permit_a, long long permit_b,
			    long long authority_org_id, struct error *err)
{
	struct store_param p[] = { P_INT(permit_a), P_INT(permit_b), P_INT(authority_org_id) };
	return store_run(c, SQL_JD_PROPOSE, p, 3, NULL, NULL, err);
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
		json_array_append_new(*items, json_pack("{s:I, s:s, s:[o, o], s:s}", "id",
							(json_int_t)store_cell_ll(r, i, 0, 0), "status",
							store_cell(r, i, 1), "permits", side[0], side[1],
							"proposed_at", store_cell(r, i, 10)));
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
		COPY(out->status, store_cell(r, 0, 4));
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

int store_permit_set_window(struct store_conn *c, long long id, day_t from, day_t to,
			    struct error *err)
{
	char d1[11], d2[11];
	struct store_param p[] = { day_param(from, d1), day_param(to, d2), P_INT(id) };
	return store_run(c, SQL_PERMIT_WINDOW, p, 3, NULL, NULL, err);
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
		COPY(out->reference, store_cell(r, 0, 0));
		COPY(out->address, store_cell(r, 0, 1));
		COPY(out->district, store_cell(r, 0, 2));
		out->lat = dup_cell(r, 0, 3);
		out->lng = dup_cell(r, 0, 4);
		out->request = dup_cell(r, 0, 5);
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

/* One segment of a result whose road, from_m, to_m, width_m, road_class start at col. */
static json_t *segment_json(const struct store_result *r, size_t i, size_t col)
{
	return json_pack("{s:s, s:I, s:I, s:f, s:s}", "road", store_cell(r, i, col), "from_m",
			 (json_int_t)store_cell_ll(r, i, col + 1, 0), "to_m",
			 (json_int_t)store_cell_ll(r, i, col + 2, 0), "width_m",
			 atof(store_cell(r, i, col + 3)), "road_class", store_cell(r, i, col + 4));
}

int store_permit_segments(struct store_conn *c, long long permit_id, json_t **out,
			  struct error *err)
{
	struct store_param p[] = { P_INT(permit_id) };
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_SEGMENTS, p, 1, &r, err);
	if (rc)
		return rc;
	*out = json_array();
	for (size_t i = 0; i < r->nrows; i++)
		json_array_append_new(*out, segment_json(r, i, 0));
	store_result_free(r);
	return 0;
}

int store_application_segments(struct store_conn *c, long long app_id, json_t **by_permit,
			       struct error *err)
{
	struct store_param p[] = { P_INT(app_id) };
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_APP_SEGMENTS, p, 1, &r, err);
	if (rc)
		return rc;
	*by_permit = json_object();
	for (size_t i = 0; i < r->nrows; i++) {
		const char *permit = store_cell(r, i, 0);
		json_t *list = json_object_get(*by_permit, permit);
		if (!list) {
			list = json_array();
			json_object_set_new(*by_permit, permit, list);
		}
		json_array_append_new(list, segment_json(r, i, 1));
	}
	store_result_free(r);
	return 0;
}
