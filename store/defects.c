/* SQL for reinstatement reports, guarantees, defects, task queues, public feedback and figures. */
#include "defects.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/rows.h"
#include "workflows/defects.h"
#include "lib/xalloc.h"

static const char SQL_STATUS[] =
	"SELECT "
	"EXISTS (SELECT 1 FROM job_permits jp JOIN jobs j ON j.id = jp.job_id WHERE jp.permit_id = ? "
	"AND j.state IN ('constructing', 'connected', 'completed')), "
	"(SELECT COUNT(*) FROM reinstatement_reports WHERE permit_id = ?), "
	"(SELECT COUNT(*) FROM inspections WHERE permit_id = ? AND kind = 'reinstatement'), "
	"EXISTS (SELECT 1 FROM tasks WHERE permit_id = ? AND kind = 'remedial' AND status = 'open')";
#define SHARING_ORGS                                                                      \
	"SELECT j.utility_org_id FROM job_permits jp JOIN jobs j ON j.id = jp.job_id "    \
	"WHERE jp.permit_id = ? AND j.state IN ('constructing', 'connected', 'completed')"
static const char SQL_SHARE[] =
	"SELECT (SELECT COUNT(DISTINCT s.utility_org_id) FROM (" SHARING_ORGS ") s), "
	"(SELECT COUNT(DISTINCT r.org_id) FROM reinstatement_reports r WHERE r.permit_id = ? "
	"AND r.kind = 'reinstated' AND r.org_id IN (" SHARING_ORGS ")), "
	"(SELECT COUNT(*) FROM reinstatement_reports WHERE permit_id = ? AND org_id = ? "
	"AND kind = 'reinstated'), "
	"EXISTS (SELECT 1 FROM tasks WHERE permit_id = ? AND kind = 'remedial' AND status = 'open' "
	"AND org_id = ?)";
static const char SQL_REPORT[] =
	"INSERT INTO reinstatement_reports (permit_id, kind, org_id, user_id, comment, at) "
	"VALUES (?, ?, ?, ?, ?, ?)";
#define STD_COLS "s.version, v.effective_from, s.road_class, s.guarantee_months, " \
		 "s.remedial_days, s.defect_days "
#define STD_IN_FORCE                                                                       \
	"s.version = (SELECT MAX(version) FROM reinstatement_standard_versions "           \
	"WHERE effective_from <= ?) "
static const char SQL_STD_FOR[] =
	"SELECT " STD_COLS "FROM reinstatement_standards s "
	"JOIN reinstatement_standard_versions v ON v.version = s.version WHERE " STD_IN_FORCE
	"ORDER BY (s.road_class IN (SELECT road_class FROM excavations WHERE permit_id = ?)) DESC, "
	"s.guarantee_months DESC, s.remedial_days LIMIT 1";
static const char SQL_STDS[] =
	"SELECT " STD_COLS "FROM reinstatement_standards s "
	"JOIN reinstatement_standard_versions v ON v.version = s.version WHERE " STD_IN_FORCE
	"ORDER BY s.road_class";
static const char SQL_STD_NEXT[] =
	"SELECT COALESCE(MAX(version), 0) + 1 FROM reinstatement_standard_versions FOR UPDATE";
static const char SQL_STD_VERSION[] =
	"INSERT INTO reinstatement_standard_versions (version, effective_from, published_by) "
	"VALUES (?, ?, ?)";
static const char SQL_STD_ROW[] =
	"INSERT INTO reinstatement_standards (version, road_class, guarantee_months, "
	"remedial_days, defect_days) VALUES (?, ?, ?, ?, ?)";
static const char SQL_REMEDIAL_DUE[] =
	"INSERT INTO tasks (permit_id, kind, org_id, due_day) SELECT DISTINCT ?, 'remedial', "
	"j.utility_org_id, ? FROM job_permits jp JOIN jobs j ON j.id = jp.job_id "
	"WHERE jp.permit_id = ? AND j.state IN ('constructing', 'connected', 'completed')";
static const char SQL_GUARANTEE_INSERT[] =
	"INSERT INTO permit_guarantees (permit_id, road_class, standard_version, months, closed_on, "
	"guarantee_to) VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_GUARANTEE_GET[] =
	"SELECT road_class, standard_version, months, closed_on, guarantee_to "
	"FROM permit_guarantees WHERE permit_id = ?";
static const char SQL_DIGS_NEAR[] =
	"SELECT e.permit_id, COALESCE(j.utility_org_id, 0), p.authority_org_id, p.state, "
	"e.district_code, ST_AsText(x.extent), g.guarantee_to FROM excavation_extents x "
	"JOIN excavations e ON e.id = x.excavation_id JOIN permits p ON p.id = e.permit_id "
	"LEFT JOIN jobs j ON j.application_id = e.application_id AND j.utility_kind = e.utility_kind "
	"LEFT JOIN permit_guarantees g ON g.permit_id = p.id "
	"WHERE MBRIntersects(x.extent, ST_GeomFromText(?)) AND p.kind = 'dig_road' "
	"AND (? = 0 OR p.state = 'closed') ORDER BY e.id DESC LIMIT 100";
static const char SQL_ROADS_NEAR[] =
	"SELECT g.org_id, r.road_id, r.road_class, r.district_code, ST_AsText(r.centreline) "
	"FROM roads r JOIN road_registers g ON g.id = r.register_id "
	"WHERE MBRIntersects(r.centreline, ST_GeomFromText(?)) AND g.version = "
	"(SELECT MAX(v.version) FROM road_registers v WHERE v.org_id = g.org_id AND "
	"v.effective_from <= ?) ORDER BY r.road_id, g.org_id LIMIT 100";
static const char SQL_OFFICE[] =
	"SELECT COALESCE(MIN(id), 0) FROM organisations WHERE kind = 'office'";
static const char SQL_DEFECT_INSERT[] =
	"INSERT INTO defects (reference, location, lng, lat, description, photo, photo_type, "
	"photo_hash, reported_by, reporter_org_id, reporter_user_id, routed_to, route_reason, "
	"org_id, permit_id, guarantee_to, road_id, district_code, due_day) VALUES "
	"(?, ST_GeomFromText(?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char SQL_DEFECT_TASK[] =
	"INSERT INTO tasks (permit_id, kind, org_id, due_day, defect_id) VALUES (?, 'defect', ?, ?, ?)";
#define DEFECT_COLS                                                                                \
	"d.id, d.org_id, COALESCE(d.permit_id, 0), COALESCE(d.reporter_org_id, 0), d.reference, "  \
	"d.reported_by, d.routed_to, d.status, o.name, COALESCE(p.reference, ''), "                \
	"COALESCE(d.road_id, ''), COALESCE(d.district_code, ''), COALESCE(d.photo_type, ''), "     \
	"d.description, d.route_reason, d.repair_note, d.lng, d.lat, d.photo_hash IS NOT NULL, "   \
	"d.guarantee_to, d.due_day, DATE_FORMAT(d.created_at, '%Y-%m-%dT%H:%i:%sZ'), "            \
	"DATE_FORMAT(d.repaired_at, '%Y-%m-%dT%H:%i:%sZ') FROM defects d "                         \
	"JOIN organisations o ON o.id = d.org_id LEFT JOIN permits p ON p.id = d.permit_id "
static const char SQL_DEFECT_GET[] =
	"SELECT " DEFECT_COLS "WHERE (? = 0 AND d.reference = ?) OR d.id = ?";
static const char SQL_DEFECTS_LIST[] =
	"SELECT " DEFECT_COLS "WHERE (? = 0 OR d.org_id = ?) AND (? IS NULL OR d.status = ?) "
	"AND (? = 0 OR d.id < ?) ORDER BY d.id DESC LIMIT ?";
/* the city's day (UTC+8) starts at 16:00 UTC the day before */
static const char SQL_PUBLIC_PHOTO_BYTES[] =
	"SELECT COALESCE(SUM(photo_bytes), 0) FROM defects WHERE reported_by = 'public' "
	"AND created_at >= ? - INTERVAL 8 HOUR";
static const char SQL_DEFECT_PHOTO[] = "SELECT photo, photo_type FROM defects WHERE id = ?";
static const char SQL_DEFECT_REPAIRED[] =
	"UPDATE defects SET status = 'repaired', repaired_at = ?, repair_note = ? "
	"WHERE id = ? AND status = 'open'";
static const char SQL_DEFECT_TASK_DONE[] =
	"UPDATE tasks SET status = 'done', done_at = ? WHERE defect_id = ? AND status = 'open'";
static const char SQL_TASKS[] =
	"SELECT t.id, COALESCE(t.permit_id, 0), t.org_id, COALESCE(t.defect_id, 0), "
	"COALESCE(p.authority_org_id, 0), t.kind, t.status, COALESCE(p.reference, ''), "
	"COALESCE(d.reference, ''), o.name, DATE_FORMAT(t.created_at + INTERVAL 8 HOUR, '%Y-%m-%d'), "
	"t.due_day FROM tasks t JOIN organisations o ON o.id = t.org_id "
	"LEFT JOIN permits p ON p.id = t.permit_id LEFT JOIN defects d ON d.id = t.defect_id "
	"WHERE (? = 0 OR t.org_id = ? OR p.authority_org_id = ?) AND (? IS NULL OR t.kind = ?) "
	"AND (? IS NULL OR t.status = ?) AND t.id > ? ORDER BY t.id LIMIT ?";
static const char SQL_CERT_SUBJECT[] =
	"SELECT c.object_type, c.object_id, COALESCE(j.utility_org_id, p.authority_org_id, 0), "
	"s.district_code FROM certificates c JOIN applications a ON a.id = c.application_id "
	"JOIN sites s ON s.id = a.site_id "
	"LEFT JOIN jobs j ON c.object_type = 'job' AND j.id = c.object_id "
	"LEFT JOIN permits p ON c.object_type = 'permit' AND p.id = c.object_id WHERE c.number = ?";
static const char SQL_FEEDBACK_INSERT[] =
	"INSERT INTO public_feedback (reference, kind, score, body, certificate_number, lng, lat, "
	"permit_id, org_id, district_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
#define FEEDBACK_COLS                                                                              \
	"f.id, COALESCE(f.permit_id, 0), COALESCE(f.org_id, 0), f.reference, f.kind, "             \
	"COALESCE(f.score, ''), f.status, COALESCE(f.certificate_number, ''), "                    \
	"COALESCE(f.district_code, ''), COALESCE(o.name, ''), COALESCE(p.reference, ''), f.body, " \
	"f.answer, f.lng IS NOT NULL, COALESCE(f.lng, 0), COALESCE(f.lat, 0), "                     \
	"DATE_FORMAT(f.created_at, '%Y-%m-%dT%H:%i:%sZ'), "                                        \
	"DATE_FORMAT(f.answered_at, '%Y-%m-%dT%H:%i:%sZ') FROM public_feedback f "                 \
	"LEFT JOIN organisations o ON o.id = f.org_id LEFT JOIN permits p ON p.id = f.permit_id "
static const char SQL_FEEDBACK_GET[] =
	"SELECT " FEEDBACK_COLS "WHERE (? = 0 AND f.reference = ?) OR f.id = ?";
static const char SQL_FEEDBACK_LIST[] =
	"SELECT " FEEDBACK_COLS "WHERE (? IS NULL OR f.status = ?) AND (? = 0 OR f.id < ?) "
	"ORDER BY f.id DESC LIMIT ?";
static const char SQL_FEEDBACK_ANSWER[] =
	"UPDATE public_feedback SET status = 'answered', answer = ?, answered_by = ?, "
	"answered_at = ? WHERE id = ? AND status = 'open'";

/* The aftercare figures' events: id, district, organisation id and name, kind, three days. */
#define SITE_OF_PERMIT                                                                             \
	"JOIN applications a ON a.id = p.application_id JOIN sites s ON s.id = a.site_id "
static const char *const SQL_EVENTS[AFTERCARE_NFIGURES] = {
	[AFTERCARE_POST_CHECKS] =
		"SELECT t.id, s.district_code, o.id, o.name, p.kind, "
		"DATE_FORMAT(t.created_at + INTERVAL 8 HOUR, '%Y-%m-%d'), "
		"DATE_FORMAT(t.done_at + INTERVAL 8 HOUR, '%Y-%m-%d'), a.submitted_day "
		"FROM tasks t JOIN permits p ON p.id = t.permit_id " SITE_OF_PERMIT
		"JOIN organisations o ON o.id = p.authority_org_id "
		"WHERE t.kind = 'post_check' AND t.status = 'done' ORDER BY t.id LIMIT 200000",
	[AFTERCARE_OVERRUNS] =
		"SELECT r.permit_id * 100000 + DATEDIFF(r.window_to, '2000-01-01'), s.district_code, "
		"o.id, o.name, 'overrun', NULL, NULL, NULL FROM permit_overruns r "
		"JOIN permits p ON p.id = r.permit_id " SITE_OF_PERMIT
		"LEFT JOIN job_permits jp ON jp.permit_id = p.id LEFT JOIN jobs j ON j.id = jp.job_id "
		"LEFT JOIN organisations o ON o.id = j.utility_org_id "
		"ORDER BY 1, o.id LIMIT 200000",
	[AFTERCARE_CLOSURES] =
		"SELECT p.id, s.district_code, o.id, o.name, 'closure', NULL, NULL, NULL "
		"FROM permits p " SITE_OF_PERMIT
		"LEFT JOIN job_permits jp ON jp.permit_id = p.id LEFT JOIN jobs j ON j.id = jp.job_id "
		"LEFT JOIN organisations o ON o.id = j.utility_org_id "
		"WHERE p.kind = 'dig_road' AND p.state = 'closed' ORDER BY p.id, o.id LIMIT 200000",
	[AFTERCARE_DEFECTS] =
		"SELECT d.id, COALESCE(d.district_code, s.district_code, ''), o.id, o.name, "
		"d.routed_to, NULL, NULL, NULL FROM defects d JOIN organisations o ON o.id = d.org_id "
		"LEFT JOIN permits p ON p.id = d.permit_id "
		"LEFT JOIN applications a ON a.id = p.application_id "
		"LEFT JOIN sites s ON s.id = a.site_id ORDER BY d.id LIMIT 200000",
	[AFTERCARE_FEEDBACK] =
		"SELECT f.id, COALESCE(f.district_code, ''), o.id, o.name, f.kind, NULL, NULL, NULL "
		"FROM public_feedback f LEFT JOIN organisations o ON o.id = f.org_id "
		"ORDER BY f.id LIMIT 200000",
};

static const char SQL_DISTRICT_NAMES[] = "SELECT code, name_zh, name_en FROM districts";

static double cell_double(const struct store_result *r, size_t i, size_t j)
{
	const char *s = store_cell(r, i, j);
	return s ? strtod(s, NULL) : 0;
}

int store_reinstatement_status(struct store_conn *c, long long permit_id,
			       struct reinstatement_status *out, struct error *err)
{
	struct store_param p[] = { P_INT(permit_id), P_INT(permit_id), P_INT(permit_id),
				   P_INT(permit_id) };
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_STATUS, p, 4, &r, err);
	if (rc)
		return rc;
	*out = (struct reinstatement_status){
		.works_started = store_cell_ll(r, 0, 0, 0) != 0,
		.reports = (int)store_cell_ll(r, 0, 1, 0),
		.inspections = (int)store_cell_ll(r, 0, 2, 0),
		.remedial_open = store_cell_ll(r, 0, 3, 0) != 0,
	};
	store_result_free(r);
	return 0;
}

int store_reinstatement_share(struct store_conn *c, long long permit_id, long long org_id,
			      struct reinstatement_share *out, struct error *err)
{
	struct store_param p[] = { P_INT(permit_id), P_INT(permit_id), P_INT(permit_id),
				   P_INT(permit_id), P_INT(org_id),  P_INT(permit_id),
				   P_INT(org_id) };
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_SHARE, p, 7, &r, err);
	if (rc)
		return rc;
	*out = (struct reinstatement_share){
		.sharing = (int)store_cell_ll(r, 0, 0, 0),
		.reported = (int)store_cell_ll(r, 0, 1, 0),
		.own_reports = (int)store_cell_ll(r, 0, 2, 0),
		.own_remedial_open = store_cell_ll(r, 0, 3, 0) != 0,
	};
	store_result_free(r);
	return 0;
}

int store_reinstatement_report(struct store_conn *c, long long permit_id, const char *kind,
			       long long org_id, long long user_id, const char *comment,
			       const char *at, struct error *err)
{
	struct store_param p[] = { P_INT(permit_id), P_STR(kind), P_INT(org_id),
				   user_id ? P_INT(user_id) : P_NULL, P_STR(comment ? comment : ""),
				   P_STR(at) };
	return store_run(c, SQL_REPORT, p, 6, NULL, NULL, err);
}

static void std_row(const struct store_result *r, size_t i, struct reinstatement_standard *o)
{
	o->version = (int)store_cell_ll(r, i, 0, 0);
	o->effective_from = rows_day_cell(r, i, 1);
	ROWS_COPY(o->road_class, store_cell(r, i, 2));
	o->guarantee_months = (int)store_cell_ll(r, i, 3, 0);
	o->remedial_days = (int)store_cell_ll(r, i, 4, 0);
	o->defect_days = (int)store_cell_ll(r, i, 5, 0);
}

int store_reinstatement_standard_for(struct store_conn *c, long long permit_id, day_t day,
				     struct reinstatement_standard *out, bool *found,
				     struct error *err)
{
	char d[11];
	struct store_param p[] = { rows_day_param(day, d), P_INT(permit_id) };
	struct store_result *r = NULL;
	*found = false;
	int rc = store_exec(c, SQL_STD_FOR, p, 2, &r, err);
	if (rc)
		return rc;
	if (r->nrows) {
		std_row(r, 0, out);
		*found = true;
	}
	store_result_free(r);
	return 0;
}

int store_reinstatement_standards(struct store_conn *c, day_t day,
				  struct reinstatement_standard **rows, size_t *n,
				  struct error *err)
{
	char d[11];
	struct store_param p[] = { rows_day_param(day, d) };
	struct store_result *r = NULL;
	*rows = NULL;
	*n = 0;
	int rc = store_exec(c, SQL_STDS, p, 1, &r, err);
	if (rc)
		return rc;
	*rows = xcalloc(r->nrows + 1, sizeof(**rows));
	for (size_t i = 0; i < r->nrows; i++)
		std_row(r, i, &(*rows)[i]);
	*n = r->nrows;
	store_result_free(r);
	return 0;
}

int store_reinstatement_publish(struct store_conn *c, day_t effective_from,
				const struct defects_class_limits *rows, size_t n,
				long long user_id, int *version, struct error *err)
{
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_STD_NEXT, NULL, 0, &r, err);
	if (rc)
		return rc;
	*version = (int)store_cell_ll(r, 0, 0, 1);
	store_result_free(r);
	char d[11];
	struct store_param v[] = { P_INT(*version), rows_day_param(effective_from, d),
				   user_id ? P_INT(user_id) : P_NULL };
	rc = store_run(c, SQL_STD_VERSION, v, 3, NULL, NULL, err);
	for (size_t i = 0; !rc && i < n; i++) {
		struct store_param p[] = { P_INT(*version), P_STR(rows[i].road_class),
					   P_INT(rows[i].guarantee_months),
					   P_INT(rows[i].remedial_days), P_INT(rows[i].defect_days) };
		rc = store_run(c, SQL_STD_ROW, p, 5, NULL, NULL, err);
	}
	return rc;
}

int store_remedial_tasks_due(struct store_conn *c, long long permit_id, day_t due_day,
			     struct error *err)
{
	char d[11];
	struct store_param p[] = { P_INT(permit_id), rows_day_param(due_day, d), P_INT(permit_id) };
	return store_run(c, SQL_REMEDIAL_DUE, p, 3, NULL, NULL, err);
}

int store_guarantee_insert(struct store_conn *c, long long permit_id,
			   const struct guarantee_row *g, struct error *err)
{
	char d1[11], d2[11];
	struct store_param p[] = { P_INT(permit_id), P_STR(g->road_class), P_INT(g->version),
				   P_INT(g->months), rows_day_param(g->closed_on, d1),
				   rows_day_param(g->guarantee_to, d2) };
	return store_run(c, SQL_GUARANTEE_INSERT, p, 6, NULL, NULL, err);
}

int store_guarantee_get(struct store_conn *c, long long permit_id, struct guarantee_row *out,
			bool *found, struct error *err)
{
	struct store_param p[] = { P_INT(permit_id) };
	struct store_result *r = NULL;
	*found = false;
	int rc = store_exec(c, SQL_GUARANTEE_GET, p, 1, &r, err);
	if (rc)
		return rc;
	if (r->nrows) {
		ROWS_COPY(out->road_class, store_cell(r, 0, 0));
		out->version = (int)store_cell_ll(r, 0, 1, 0);
		out->months = (int)store_cell_ll(r, 0, 2, 0);
		out->closed_on = rows_day_cell(r, 0, 3);
		out->guarantee_to = rows_day_cell(r, 0, 4);
		*found = true;
	}
	store_result_free(r);
	return 0;
}

int store_digs_near(struct store_conn *c, const char *box_wkt, bool closed_only,
		    struct dig_near_row **rows, size_t *n, struct error *err)
{
	struct store_param p[] = { P_STR(box_wkt), P_INT(closed_only ? 1 : 0) };
	struct store_result *r = NULL;
	*rows = NULL;
	*n = 0;
	int rc = store_exec(c, SQL_DIGS_NEAR, p, 2, &r, err);
	if (rc)
		return rc;
	*rows = xcalloc(r->nrows + 1, sizeof(**rows));
	for (size_t i = 0; i < r->nrows; i++) {
		struct dig_near_row *o = &(*rows)[i];
		o->permit_id = store_cell_ll(r, i, 0, 0);
		o->utility_org_id = store_cell_ll(r, i, 1, 0);
		o->authority_org_id = store_cell_ll(r, i, 2, 0);
		ROWS_COPY(o->permit_state, store_cell(r, i, 3));
		ROWS_COPY(o->district, store_cell(r, i, 4));
		o->wkt = rows_dup_cell(r, i, 5);
		o->guarantee_to = rows_day_cell(r, i, 6);
	}
	*n = r->nrows;
	store_result_free(r);
	return 0;
}

void store_digs_near_free(struct dig_near_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++)
		free(rows[i].wkt);
	free(rows);
}

int store_roads_near_point(struct store_conn *c, const char *box_wkt, day_t day,
			   struct road_near_row **rows, size_t *n, struct error *err)
{
	char d[11];
	struct store_param p[] = { P_STR(box_wkt), rows_day_param(day, d) };
	struct store_result *r = NULL;
	*rows = NULL;
	*n = 0;
	int rc = store_exec(c, SQL_ROADS_NEAR, p, 2, &r, err);
	if (rc)
		return rc;
	*rows = xcalloc(r->nrows + 1, sizeof(**rows));
	for (size_t i = 0; i < r->nrows; i++) {
		struct road_near_row *o = &(*rows)[i];
		o->org_id = store_cell_ll(r, i, 0, 0);
		ROWS_COPY(o->road_id, store_cell(r, i, 1));
		ROWS_COPY(o->road_class, store_cell(r, i, 2));
		ROWS_COPY(o->district, store_cell(r, i, 3));
		o->wkt = rows_dup_cell(r, i, 4);
	}
	*n = r->nrows;
	store_result_free(r);
	return 0;
}

void store_roads_near_free(struct road_near_row *rows, size_t n)
{
	for (size_t i = 0; rows && i < n; i++)
		free(rows[i].wkt);
	free(rows);
}

int store_office_org(struct store_conn *c, long long *org_id, struct error *err)
{
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_OFFICE, NULL, 0, &r, err);
	if (rc)
		return rc;
	*org_id = store_cell_ll(r, 0, 0, 0);
	store_result_free(r);
	return 0;
}

int store_defect_insert(struct store_conn *c, const struct defect_new *d, long long *id,
			struct error *err)
{
	char wkt[96], lng[32], lat[32], g[11], due[11];
	snprintf(wkt, sizeof(wkt), "POINT(%.7f %.7f)", d->lng, d->lat);
	snprintf(lng, sizeof(lng), "%.7f", d->lng);
	snprintf(lat, sizeof(lat), "%.7f", d->lat);
	struct store_param p[] = {
		P_STR(d->reference), P_STR(wkt), P_STR(lng), P_STR(lat), P_STR(d->description),
		d->photo ? P_BLOB(d->photo, d->photo_len) : P_NULL, P_STR(d->photo_type),
		P_STR(d->photo_hash), P_STR(d->reported_by),
		d->reporter_org_id ? P_INT(d->reporter_org_id) : P_NULL,
		d->reporter_user_id ? P_INT(d->reporter_user_id) : P_NULL, P_STR(d->routed_to),
		P_STR(d->route_reason), P_INT(d->org_id),
		d->permit_id ? P_INT(d->permit_id) : P_NULL, rows_day_param(d->guarantee_to, g),
		P_STR(d->road_id), P_STR(d->district), rows_day_param(d->due_day, due),
	};
	unsigned long long new_id = 0;
	int rc = store_run(c, SQL_DEFECT_INSERT, p, 19, NULL, &new_id, err);
	if (rc)
		return rc;
	*id = (long long)new_id;
	/* the task is charged to the permit only when the utility that dug repairs it */
	bool charged = d->routed_to && !strcmp(d->routed_to, "utility");
	struct store_param t[] = { charged && d->permit_id ? P_INT(d->permit_id) : P_NULL,
				   P_INT(d->org_id), rows_day_param(d->due_day, due), P_INT(*id) };
	return store_run(c, SQL_DEFECT_TASK, t, 4, NULL, NULL, err);
}

int store_public_photo_bytes(struct store_conn *c, day_t day, unsigned long long *bytes,
			     struct error *err)
{
	char d[11];
	struct store_param p[] = { rows_day_param(day, d) };
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_PUBLIC_PHOTO_BYTES, p, 1, &r, err);
	if (rc)
		return rc;
	*bytes = (unsigned long long)store_cell_ll(r, 0, 0, 0);
	store_result_free(r);
	return 0;
}

void store_defect_row_release(struct defect_row *r)
{
	free(r->description);
	free(r->route_reason);
	free(r->repair_note);
	memset(r, 0, sizeof(*r));
}

static void defect_row(const struct store_result *r, size_t i, struct defect_row *o)
{
	memset(o, 0, sizeof(*o));
	o->id = store_cell_ll(r, i, 0, 0);
	o->org_id = store_cell_ll(r, i, 1, 0);
	o->permit_id = store_cell_ll(r, i, 2, 0);
	o->reporter_org_id = store_cell_ll(r, i, 3, 0);
	ROWS_COPY(o->reference, store_cell(r, i, 4));
	ROWS_COPY(o->reported_by, store_cell(r, i, 5));
	ROWS_COPY(o->routed_to, store_cell(r, i, 6));
	ROWS_COPY(o->status, store_cell(r, i, 7));
	ROWS_COPY(o->org_name, store_cell(r, i, 8));
	ROWS_COPY(o->permit_reference, store_cell(r, i, 9));
	ROWS_COPY(o->road_id, store_cell(r, i, 10));
	ROWS_COPY(o->district, store_cell(r, i, 11));
	ROWS_COPY(o->photo_type, store_cell(r, i, 12));
	o->description = rows_dup_cell(r, i, 13);
	o->route_reason = rows_dup_cell(r, i, 14);
	o->repair_note = rows_dup_cell(r, i, 15);
	o->lng = cell_double(r, i, 16);
	o->lat = cell_double(r, i, 17);
	o->has_photo = store_cell_ll(r, i, 18, 0) != 0;
	o->guarantee_to = rows_day_cell(r, i, 19);
	o->due_day = rows_day_cell(r, i, 20);
	ROWS_COPY(o->created_at, store_cell(r, i, 21));
	ROWS_COPY(o->repaired_at, store_cell(r, i, 22));
}

int store_defect_get(struct store_conn *c, const char *reference, long long id,
		     struct defect_row *out, struct error *err)
{
	struct store_param p[] = { P_INT(id), P_STR(reference ? reference : ""), P_INT(id) };
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_DEFECT_GET, p, 3, &r, err);
	if (rc)
		return rc;
	if (!r->nrows)
		rc = error_set(err, ERR_NOT_FOUND, "no such defect report");
	else
		defect_row(r, 0, out);
	store_result_free(r);
	return rc;
}

int store_defect_photo(struct store_conn *c, long long id, unsigned char **photo, size_t *len,
		       char type[33], struct error *err)
{
	struct store_param p[] = { P_INT(id) };
	struct store_result *r = NULL;
	*photo = NULL;
	*len = 0;
	type[0] = 0;
	int rc = store_exec(c, SQL_DEFECT_PHOTO, p, 1, &r, err);
	if (rc)
		return rc;
	if (r->nrows && store_cell(r, 0, 0)) {
		*len = r->lens[0];
		*photo = xmalloc(*len + 1);
		memcpy(*photo, store_cell(r, 0, 0), *len);
		snprintf(type, 33, "%s", store_cell(r, 0, 1) ? store_cell(r, 0, 1) : "");
	}
	store_result_free(r);
	return 0;
}

int store_defects_list(struct store_conn *c, long long org_id, const char *status,
		       long long before, size_t cap, struct defect_row **rows, size_t *n,
		       struct error *err)
{
	struct store_param p[] = { P_INT(org_id), P_INT(org_id), P_STR(status), P_STR(status),
				   P_INT(before),   P_INT(before),  P_INT((long long)cap) };
	struct store_result *r = NULL;
	*rows = NULL;
	*n = 0;
	int rc = store_exec(c, SQL_DEFECTS_LIST, p, 7, &r, err);
	if (rc)
		return rc;
	*rows = xcalloc(r->nrows + 1, sizeof(**rows));
	for (size_t i = 0; i < r->nrows; i++)
		defect_row(r, i, &(*rows)[i]);
	*n = r->nrows;
	store_result_free(r);
	return 0;
}

int store_defect_repaired(struct store_conn *c, long long id, const char *note, const char *at,
			  struct error *err)
{
	struct store_param p[] = { P_STR(at), P_STR(note ? note : ""), P_INT(id) };
	unsigned long long affected = 0;
	int rc = store_run(c, SQL_DEFECT_REPAIRED, p, 3, &affected, NULL, err);
	if (!rc && !affected)
		return error_set(err, ERR_CONFLICT, "the defect is repaired already");
	struct store_param t[] = { P_STR(at), P_INT(id) };
	return rc ? rc : store_run(c, SQL_DEFECT_TASK_DONE, t, 2, NULL, NULL, err);
}

int store_tasks_list(struct store_conn *c, long long org_id, const char *kind, const char *status,
		     long long after, size_t cap, struct task_row **rows, size_t *n,
		     struct error *err)
{
	struct store_param p[] = { P_INT(org_id), P_INT(org_id), P_INT(org_id),
				   P_STR(kind),	  P_STR(kind),	 P_STR(status),
				   P_STR(status), P_INT(after),	 P_INT((long long)cap) };
	struct store_result *r = NULL;
	*rows = NULL;
	*n = 0;
	int rc = store_exec(c, SQL_TASKS, p, 9, &r, err);
	if (rc)
		return rc;
	*rows = xcalloc(r->nrows + 1, sizeof(**rows));
	for (size_t i = 0; i < r->nrows; i++) {
		struct task_row *o = &(*rows)[i];
		o->id = store_cell_ll(r, i, 0, 0);
		o->permit_id = store_cell_ll(r, i, 1, 0);
		o->org_id = store_cell_ll(r, i, 2, 0);
		o->defect_id = store_cell_ll(r, i, 3, 0);
		o->authority_org_id = store_cell_ll(r, i, 4, 0);
		ROWS_COPY(o->kind, store_cell(r, i, 5));
		ROWS_COPY(o->status, store_cell(r, i, 6));
		ROWS_COPY(o->permit_reference, store_cell(r, i, 7));
		ROWS_COPY(o->defect_reference, store_cell(r, i, 8));
		ROWS_COPY(o->org_name, store_cell(r, i, 9));
		o->opened_on = rows_day_cell(r, i, 10);
		o->due_day = rows_day_cell(r, i, 11);
	}
	*n = r->nrows;
	store_result_free(r);
	return 0;
}

int store_certificate_subject(struct store_conn *c, const char *number, long long *permit_id,
			      long long *org_id, char district[33], bool *found,
			      struct error *err)
{
	struct store_param p[] = { P_STR(number) };
	struct store_result *r = NULL;
	*found = false;
	*permit_id = *org_id = 0;
	district[0] = 0;
	int rc = store_exec(c, SQL_CERT_SUBJECT, p, 1, &r, err);
	if (rc)
		return rc;
	if (r->nrows) {
		*found = true;
		if (!strcmp(store_cell(r, 0, 0), "permit"))
			*permit_id = store_cell_ll(r, 0, 1, 0);
		*org_id = store_cell_ll(r, 0, 2, 0);
		snprintf(district, 33, "%s", store_cell(r, 0, 3) ? store_cell(r, 0, 3) : "");
	}
	store_result_free(r);
	return 0;
}

int store_feedback_insert(struct store_conn *c, const struct feedback_new *f, long long *id,
			  struct error *err)
{
	char lng[32], lat[32];
	snprintf(lng, sizeof(lng), "%.7f", f->lng);
	snprintf(lat, sizeof(lat), "%.7f", f->lat);
	struct store_param p[] = {
		P_STR(f->reference), P_STR(f->kind), P_STR(f->score), P_STR(f->body ? f->body : ""),
		P_STR(f->certificate_number), f->has_location ? P_STR(lng) : P_NULL,
		f->has_location ? P_STR(lat) : P_NULL, f->permit_id ? P_INT(f->permit_id) : P_NULL,
		f->org_id ? P_INT(f->org_id) : P_NULL, P_STR(f->district),
	};
	unsigned long long new_id = 0;
	int rc = store_run(c, SQL_FEEDBACK_INSERT, p, 10, NULL, &new_id, err);
	*id = (long long)new_id;
	return rc;
}

void store_feedback_row_release(struct feedback_row *r)
{
	free(r->body);
	free(r->answer);
	memset(r, 0, sizeof(*r));
}

static void feedback_row(const struct store_result *r, size_t i, struct feedback_row *o)
{
	memset(o, 0, sizeof(*o));
	o->id = store_cell_ll(r, i, 0, 0);
	o->permit_id = store_cell_ll(r, i, 1, 0);
	o->org_id = store_cell_ll(r, i, 2, 0);
	ROWS_COPY(o->reference, store_cell(r, i, 3));
	ROWS_COPY(o->kind, store_cell(r, i, 4));
	ROWS_COPY(o->score, store_cell(r, i, 5));
	ROWS_COPY(o->status, store_cell(r, i, 6));
	ROWS_COPY(o->certificate_number, store_cell(r, i, 7));
	ROWS_COPY(o->district, store_cell(r, i, 8));
	ROWS_COPY(o->org_name, store_cell(r, i, 9));
	ROWS_COPY(o->permit_reference, store_cell(r, i, 10));
	o->body = rows_dup_cell(r, i, 11);
	o->answer = rows_dup_cell(r, i, 12);
	o->has_location = store_cell_ll(r, i, 13, 0) != 0;
	o->lng = cell_double(r, i, 14);
	o->lat = cell_double(r, i, 15);
	ROWS_COPY(o->created_at, store_cell(r, i, 16));
	ROWS_COPY(o->answered_at, store_cell(r, i, 17));
}

int store_feedback_get(struct store_conn *c, const char *reference, long long id,
		       struct feedback_row *out, struct error *err)
{
	struct store_param p[] = { P_INT(id), P_STR(reference ? reference : ""), P_INT(id) };
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_FEEDBACK_GET, p, 3, &r, err);
	if (rc)
		return rc;
	if (!r->nrows)
		rc = error_set(err, ERR_NOT_FOUND, "no such feedback");
	else
		feedback_row(r, 0, out);
	store_result_free(r);
	return rc;
}

int store_feedback_list(struct store_conn *c, const char *status, long long before, size_t cap,
			struct feedback_row **rows, size_t *n, struct error *err)
{
	struct store_param p[] = { P_STR(status), P_STR(status), P_INT(before), P_INT(before),
				   P_INT((long long)cap) };
	struct store_result *r = NULL;
	*rows = NULL;
	*n = 0;
	int rc = store_exec(c, SQL_FEEDBACK_LIST, p, 5, &r, err);
	if (rc)
		return rc;
	*rows = xcalloc(r->nrows + 1, sizeof(**rows));
	for (size_t i = 0; i < r->nrows; i++)
		feedback_row(r, i, &(*rows)[i]);
	*n = r->nrows;
	store_result_free(r);
	return 0;
}

int store_feedback_answer(struct store_conn *c, long long id, const char *answer,
			  long long user_id, const char *at, struct error *err)
{
	struct store_param p[] = { P_STR(answer), user_id ? P_INT(user_id) : P_NULL, P_STR(at),
				   P_INT(id) };
	unsigned long long affected = 0;
	int rc = store_run(c, SQL_FEEDBACK_ANSWER, p, 4, &affected, NULL, err);
	if (!rc && !affected)
		rc = error_set(err, ERR_CONFLICT, "the feedback is answered already");
	return rc;
}

int store_aftercare_events(struct store_conn *c, enum aftercare_figure f,
			   struct aftercare_event **rows, size_t *n, struct error *err)
{
	struct store_result *r = NULL;
	*rows = NULL;
	*n = 0;
	int rc = store_exec(c, SQL_EVENTS[f], NULL, 0, &r, err);
	if (rc)
		return rc;
	*rows = xcalloc(r->nrows + 1, sizeof(**rows));
	for (size_t i = 0; i < r->nrows; i++) {
		struct aftercare_event *o = &(*rows)[i];
		o->id = store_cell_ll(r, i, 0, 0);
		ROWS_COPY(o->district, store_cell(r, i, 1));
		o->org_id = store_cell_ll(r, i, 2, 0);
		ROWS_COPY(o->org_name, store_cell(r, i, 3));
		ROWS_COPY(o->kind, store_cell(r, i, 4));
		o->opened_on = rows_day_cell(r, i, 5);
		o->done_on = rows_day_cell(r, i, 6);
		o->submitted_day = rows_day_cell(r, i, 7);
	}
	*n = r->nrows;
	store_result_free(r);
	return 0;
}

int store_district_names(struct store_conn *c, struct district_names **rows, size_t *n,
			 struct error *err)
{
	struct store_result *r = NULL;
	*rows = NULL;
	*n = 0;
	int rc = store_exec(c, SQL_DISTRICT_NAMES, NULL, 0, &r, err);
	if (rc)
		return rc;
	*rows = xcalloc(r->nrows + 1, sizeof(**rows));
	for (size_t i = 0; i < r->nrows; i++) {
		ROWS_COPY((*rows)[i].code, store_cell(r, i, 0));
		ROWS_COPY((*rows)[i].zh, store_cell(r, i, 1));
		ROWS_COPY((*rows)[i].en, store_cell(r, i, 2));
	}
	*n = r->nrows;
	store_result_free(r);
	return 0;
}
