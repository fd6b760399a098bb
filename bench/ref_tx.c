/*
 * Reference D of bench/run: the SQL transaction of one application submission, run straight
 * through Connector/C with prepared statements, by THREADS threads for SECONDS, and nothing
 * else (no HTTP, no JSON, no rules), with the spatial work the portal does on what it reads
 * (GEOS, PROJ). The statements have the text of store/ (sites.c, place.c, materials.c,
 * accounts.c, applications.c, jobs.c, permits.c, tasks.c, excavations.c, jointdigs.c,
 * history.c, outbox.c, oversight.c, audit.c, multirow.c) and come in the order
 * portal/applications_api.c runs them.
 *
 * What is written is a copy of a real submission of the portal, the template application APP
 * (bench/run's first submission): its jobs, permits, post-check tasks, job-permit links,
 * excavations with their extents, transitions and certificates, read once at the start; the
 * counts, the outbox payload size and the sizes of the stored request and estimate are also
 * passed in (bench/run measures them) and checked against the template. With TEMPLATES (a
 * comma-separated list of applications: the first submission of each of bench/submit.lua's
 * bodies, in their order), submission i copies template i mod N instead, as the portal's request
 * i sends body i mod N: each at its own site, on its own road piece, in its district, with its
 * own routing, zones and permits (its events counted from its outbox rows). Every submission
 * digs where its template digs, in the same windows: the trench-sharing search finds the
 * excavations of the open applications there, the portal's and D's alike, and a joint dig is
 * proposed for each (the search returns at most 50).
 *
 * The order, as in the portal:
 *   before the transaction: the excavations' extents parsed (the portal parses the request's
 *     GeoJSON there) and the reference number taken in its own autocommit statement;
 *   the site, its geometry; every district with its boundary, every service area; the register
 *     roads near the works' box (100 m around it), any road an excavation names that is not
 *     among them, the risk zones near the box; each excavation placed with GEOS (district
 *     covering it, road by corridor share and distance, length, zone covering it);
 *   the materials (one query, a JSON array of ids), the service areas routing each utility
 *     (covers, or the district), the organisations of every kind (one query), the oversight
 *     rules in force and the applicant's credit entries (store/credit.c, issue #21's fast-track
 *     rule); dig-once pairs;
 *   the application; multi-row INSERTs (chunks of at most 256 bound values and 16 rows, the
 *     text store/multirow.c builds) of materials, jobs and permits (RETURNING id), for each
 *     fast-tracked permit its post-check draw (post_check_samples, the template's values) and
 *     its post-check task when sampled, links, excavations (RETURNING id) and their extents;
 *   trench sharing: for each excavation, its 5 m buffer (made once) and that buffer's box, the
 *     search, and for each excavation found whose pair of permits is not yet found (an
 *     earlier one is the one kept): its extent parsed, the 5 m test, the shared
 *     extent (its buffer and the intersection with the first), its text and length; then all
 *     the proposals in multi-row INSERT IGNOREs;
 *   the transitions; the jobs and permits read back; the place and the segments (each extent
 *     parsed) read once for the events; the events;
 *   each fast-tracked permit's certificate (the checks, the key, the number, an Ed25519
 *     signature, the row, its audit entry), then the submission's audit entry: one chain per
 *     process (migration 0010), its head row locked, the entry appended, the head moved.
 *
 *   ref_tx SOCKET DB THREADS SECONDS ORG USER SITE MATERIALS PERMITS LINKS DIGS TASKS OUTBOX
 * PAYLOAD REQUEST ESTIMATE APP [TEMPLATES]
 *
 * MATERIALS is a comma-separated list of material ids. Prints one line:
 *   "tx_per_s=<n> p50_ms=<x> p99_ms=<y> retries=<n> near=<mean rows found per search>
 *    proposals=<mean per submission>"
 * Exit 1 when it cannot connect or a statement fails other than by deadlock/lock wait, 2 on bad
 * arguments or a template that does not match them.
 */
#define _GNU_SOURCE
#include <geos_c.h>
#include <math.h>
#include <mysql.h>
#include <proj.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
	S_SITE,
	S_SITE_GEOMETRY,
	S_DISTRICTS,
	S_AREAS,
	S_ROADS_NEAR,
	S_ROAD_NAMED,
	S_ZONES_NEAR,
	S_MATERIAL,
	S_ORG,
	S_RULES,
	S_CREDITS,
	S_SAMPLE,
	S_REF,
	S_APP,
	S_TASK,
	S_NEAR,
	S_JOBS_OF,
	S_PERMITS_OF,
	S_PLACE,
	S_SEGMENTS,
	S_CERT_OF,
	S_FACTS_PERMIT,
	S_KEY_REGISTER,
	S_CERT_NEXT,
	S_CERT_INSERT,
	S_AUDIT_HEAD,
	S_AUDIT,
	S_AUDIT_NEW_HEAD,
	S_AUDIT_MOVE,
	S_COUNT
};

#define SEGMENT_COLS                                                                               \
	"e.road, e.from_m, e.to_m, e.width_m, e.road_class, COALESCE(e.road_id, ''), "             \
	"COALESCE(e.length_m, e.to_m - e.from_m), COALESCE(e.area_m2, 0), "                        \
	"COALESCE(e.zone_code, ''), ST_AsText(x.extent) "

static const char *const sql[S_COUNT] = {
    /* store/sites.c */
    [S_SITE] = "SELECT id, org_id, name, address, district_code, lat, lng, plot_ref, zone_risk, "
	       "DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ') FROM sites WHERE id = ? AND "
	       "org_id = ?",
    [S_SITE_GEOMETRY] = "SELECT ST_AsText(geometry) FROM sites WHERE id = ?",
    /* store/place.c */
    [S_DISTRICTS] = "SELECT code, name_zh, name_en, kind, ST_AsText(boundary) FROM districts "
		    "ORDER BY code",
    [S_AREAS] = "SELECT a.org_id, o.name, a.utility_kind, COALESCE(a.district_code, ''), "
		"ST_AsText(a.area) FROM service_areas a JOIN organisations o ON o.id = a.org_id "
		"ORDER BY a.org_id, a.utility_kind, a.id",
    [S_ROADS_NEAR] = "SELECT r.road_id, r.name_zh, r.name_en, r.road_class, r.district_code, "
		     "ST_AsText(r.centreline), g.version, g.org_id FROM roads r "
		     "JOIN road_registers g ON g.id = r.register_id "
		     "WHERE MBRIntersects(r.centreline, ST_GeomFromText(?)) AND g.version = "
		     "(SELECT MAX(v.version) FROM road_registers v WHERE v.org_id = g.org_id AND "
		     "v.effective_from <= ?) ORDER BY r.road_id, g.org_id",
    [S_ROAD_NAMED] = "SELECT r.road_id, r.name_zh, r.name_en, r.road_class, r.district_code, "
		     "ST_AsText(r.centreline), g.version, g.org_id FROM roads r "
		     "JOIN road_registers g ON g.id = r.register_id "
		     "WHERE r.road_id = ? AND g.version = "
		     "(SELECT MAX(v.version) FROM road_registers v WHERE v.org_id = g.org_id AND "
		     "v.effective_from <= ?) ORDER BY g.org_id LIMIT 1",
    [S_ZONES_NEAR] = "SELECT z.code, z.version, z.risk, z.name_zh, z.name_en, ST_AsText(z.area) "
		     "FROM risk_zones z WHERE MBRIntersects(z.area, ST_GeomFromText(?)) "
		     "AND z.version = (SELECT MAX(v.version) FROM risk_zones v WHERE v.code = "
		     "z.code AND v.effective_from <= ?) AND (z.effective_to IS NULL OR "
		     "z.effective_to >= ?) ORDER BY z.code",
    /* store/materials.c, store/accounts.c, store/applications.c, store/tasks.c */
    [S_MATERIAL] =
	"SELECT j.n, m.id, m.org_id, m.material_type FROM JSON_TABLE(?, '$[*]' COLUMNS ("
	"n FOR ORDINALITY, id BIGINT PATH '$')) j JOIN materials m ON m.id = j.id ORDER BY j.n",
    [S_ORG] = "SELECT subkind, id FROM organisations WHERE kind IN ('utility', 'authority') "
	      "ORDER BY subkind, id",
    [S_REF] = "INSERT INTO reference_counters (year, next_value) VALUES (?, LAST_INSERT_ID(1)) "
	      "ON DUPLICATE KEY UPDATE next_value = LAST_INSERT_ID(next_value + 1)",
    [S_APP] = "INSERT INTO applications (reference, org_id, site_id, submitted_at, "
	      "submitted_day, request, estimate, estimate_total_fen, idempotency_key, "
	      "request_hash, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [S_TASK] = "INSERT INTO tasks (permit_id, kind, org_id) VALUES (?, ?, ?)",
    /* store/credit.c (issue #21): the rules in force, the applicant's credit entries (the
     * fast-track rule), each fast-tracked permit's post-check draw */
    [S_RULES] = "SELECT version, body, DATE_FORMAT(published_at, '%Y-%m-%dT%H:%i:%sZ') "
		"FROM oversight_rule_versions WHERE (? = 0 OR version = ?) ORDER BY version DESC "
		"LIMIT 1",
    [S_CREDITS] =
	"SELECT id, org_id, permit_id, task_id, rule, severity, status, decision, rules_version, "
	"occurred_on, expires_on, evidence, appeal_reason, decision_reason, "
	"DATE_FORMAT(appealed_at, '%Y-%m-%dT%H:%i:%sZ'), "
	"DATE_FORMAT(decided_at, '%Y-%m-%dT%H:%i:%sZ') FROM credit_entries "
	"WHERE (? = 0 OR org_id = ?) AND (? = 0 OR id = ?) ORDER BY occurred_on DESC, id DESC "
	"LIMIT 500",
    [S_SAMPLE] = "INSERT INTO post_check_samples (permit_id, rules_version, risk_class, "
		 "share_percent, draw, sampled) VALUES (?, ?, ?, ?, ?, ?)",
    /* store/excavations.c */
    [S_NEAR] = "SELECT e.permit_id, ST_AsText(x.extent) FROM excavation_extents x "
	       "JOIN excavations e ON e.id = x.excavation_id JOIN applications a ON a.id = "
	       "e.application_id WHERE MBRIntersects(x.extent, ST_GeomFromText(?)) AND "
	       "x.start_day <= ? AND x.end_day >= ? AND e.application_id <> ? AND a.status = "
	       "'open' AND e.permit_id IS NOT NULL ORDER BY e.id LIMIT 50",
    /* store/jobs.c, store/permits.c (STORE_CLOCK_COLS), store/applications.c */
    [S_JOBS_OF] = "SELECT x.id, x.application_id, a.org_id, a.reference, a.submitted_day, "
		  "x.reference, x.utility_kind, x.utility_org_id, x.state, x.version, x.params, "
		  "x.connection_point, x.quote, x.quote_total_fen, x.permits_needed, "
		  "DATE_FORMAT(x.updated_at, '%Y-%m-%dT%H:%i:%sZ'), x.stage, "
		  "x.stage_limit_days, x.started_day, x.due_day, x.paused, x.paused_day, "
		  "x.remaining_days FROM jobs x JOIN applications a ON a.id = "
		  "x.application_id WHERE x.application_id = ? ORDER BY x.id",
    [S_PERMITS_OF] = "SELECT x.id, x.application_id, a.org_id, a.reference, a.submitted_day, "
		     "x.reference, x.kind, x.authority_org_id, x.state, x.decision, "
		     "x.is_deemed, x.fast_track, x.post_checked, x.reinstatement_passed, "
		     "x.extension_pending, x.extension_to, x.window_from, x.window_to, "
		     "x.deadline_day, x.trigger_reason, x.conditions, x.decision_reason, "
		     "x.version, DATE_FORMAT(x.updated_at, '%Y-%m-%dT%H:%i:%sZ'), x.stage, "
		     "x.stage_limit_days, x.started_day, x.due_day, x.paused, x.paused_day, "
		     "x.remaining_days FROM permits x JOIN applications a ON a.id = "
		     "x.application_id WHERE x.application_id = ? ORDER BY x.id",
    [S_PLACE] = "SELECT a.reference, s.address, s.district_code, s.lat, s.lng, a.request FROM "
		"applications a JOIN sites s ON s.id = a.site_id WHERE a.id = ?",
    [S_SEGMENTS] = "SELECT e.permit_id, " SEGMENT_COLS "FROM excavations e "
		   "LEFT JOIN excavation_extents x ON x.excavation_id = e.id "
		   "WHERE e.application_id = ? AND e.permit_id IS NOT NULL ORDER BY e.id",
    /* store/oversight.c */
    [S_CERT_OF] = "SELECT number FROM certificates WHERE object_type = ? AND object_id = ?",
    [S_FACTS_PERMIT] = "SELECT p.application_id, p.reference, p.kind, p.state, p.decision, "
		       "p.is_deemed, p.window_from, p.window_to, o.name, s.district_code, NULL "
		       "FROM permits p JOIN applications a ON a.id = p.application_id JOIN "
		       "organisations o ON o.id = a.org_id JOIN sites s ON s.id = a.site_id "
		       "WHERE p.id = ?",
    [S_KEY_REGISTER] = "INSERT IGNORE INTO signing_keys (key_id, public_key) VALUES (?, ?)",
    [S_CERT_NEXT] = "INSERT INTO certificate_counters (year, next_value) VALUES (?, "
		    "LAST_INSERT_ID(1)) ON DUPLICATE KEY UPDATE next_value = "
		    "LAST_INSERT_ID(next_value + 1)",
    [S_CERT_INSERT] = "INSERT INTO certificates (number, object_type, object_id, "
		      "application_id, key_id, document, signature, valid_to, issued_at) "
		      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    /* store/audit.c: one chain per writer (migration 0010) */
    [S_AUDIT_HEAD] = "SELECT last_seq, last_hash FROM audit_writers WHERE writer_id = ? FOR UPDATE",
    [S_AUDIT] = "INSERT INTO audit_log (writer_id, seq, at, actor_user_id, actor_org_id, action, "
		"object_type, object_id, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
		"?, ?, ?)",
    [S_AUDIT_NEW_HEAD] = "INSERT INTO audit_writers (writer_id, last_seq, last_hash, label, "
			 "started_at) VALUES (?, ?, ?, ?, UTC_TIMESTAMP(6))",
    [S_AUDIT_MOVE] = "UPDATE audit_writers SET last_seq = ?, last_hash = ? WHERE writer_id = ?",
};

/* The multi-row INSERTs: statement start and one row's group, joined as store/multirow.c does. */
#define BINDS_MAX 256 /* STORE_MAX_PARAMS in store/db.h */
#define BATCH_ROWS_MAX 16
enum {
	B_JOBS,
	B_PERMITS,
	B_MATERIALS,
	B_LINKS,
	B_EXCAVATIONS,
	B_EXTENTS,
	B_TRANSITIONS,
	B_OUTBOX,
	B_PROPOSALS,
	B_COUNT
};
static const struct {
	const char *head, *row, *tail;
	int cols;
} batch[B_COUNT] = {
    [B_JOBS] = {"INSERT INTO jobs (application_id, reference, utility_kind, utility_org_id, "
		"state, params, stage, stage_limit_days, started_day, due_day) VALUES ",
		"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", " RETURNING id", 10},
    [B_PERMITS] = {"INSERT INTO permits (application_id, reference, kind, authority_org_id, "
		   "state, decision, trigger_reason, fast_track, window_from, window_to, "
		   "deadline_day, stage, stage_limit_days, started_day, due_day, "
		   "fast_track_basis) VALUES ",
		   "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", " RETURNING id", 16},
    [B_MATERIALS] = {"INSERT INTO application_materials (application_id, material_id) VALUES ",
		     "(?, ?)", "", 2},
    [B_LINKS] = {"INSERT INTO job_permits (job_id, permit_id) VALUES ", "(?, ?)", "", 2},
    [B_EXCAVATIONS] = {"INSERT INTO excavations (application_id, permit_id, utility_kind, "
		       "district_code, road, road_class, from_m, to_m, width_m, start_day, "
		       "end_day, road_id, register_version, length_m, area_m2, zone_code, "
		       "zone_risk) VALUES ",
		       "(?, ?, ?, ?, ?, ?, ?, ?, ? / 100, ?, ?, ?, ?, ?, ?, ?, ?)", " RETURNING id",
		       17},
    [B_EXTENTS] = {"INSERT INTO excavation_extents (excavation_id, extent, start_day, "
		   "end_day) VALUES ",
		   "(?, ST_GeomFromText(?), ?, ?)", "", 4},
    [B_TRANSITIONS] = {"INSERT INTO transitions (application_id, object_type, object_id, "
		       "action, from_state, to_state, actor_role, actor_org_id, "
		       "actor_user_id, payload, at, stage, due_day) VALUES ",
		       "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "", 13},
    [B_OUTBOX] = {"INSERT INTO outbox (org_id, application_id, event_type, payload) VALUES ",
		  "(?, ?, ?, ?)", "", 4},
    /* store/jointdigs.c, store_joint_digs_propose */
    [B_PROPOSALS] = {"INSERT IGNORE INTO joint_dig_proposals (permit_a, permit_b, "
		     "authority_org_id, shared_extent, shared_length_m) VALUES ",
		     "(?, ?, ?, ST_GeomFromText(?), ?)", "", 5},
};

/* Rows in the next chunk of a batch of kind k with `left` rows to go. */
static int chunk_rows(int k, int left)
{
	int max = BINDS_MAX / batch[k].cols;
	if (max > BATCH_ROWS_MAX)
		max = BATCH_ROWS_MAX;
	return left < max ? left : max;
}

static char *batch_text(int k, int n)
{
	size_t head = strlen(batch[k].head), row = strlen(batch[k].row);
	char *text = malloc(head + (size_t)n * (row + 2) + strlen(batch[k].tail) + 1), *at = text;
	if (!text)
		exit(1);
	at += sprintf(at, "%s", batch[k].head);
	for (int i = 0; i < n; i++)
		at += sprintf(at, "%s%s", i ? ", " : "", batch[k].row);
	sprintf(at, "%s", batch[k].tail);
	return text;
}

/* --- the template: what the portal wrote for bench/run's first submission ----------------- */

#define MAX_JOBS 5
#define MAX_PERMITS 64
#define MAX_DIGS 100
#define MAX_PROPOSALS (MAX_DIGS * 50) /* the search returns at most 50 a dig */
#define MAX_ROWS (MAX_PERMITS * MAX_JOBS)

enum { JC_KIND, JC_ORG, JC_STATE, JC_PARAMS, JC_STAGE, JC_LIMIT, JC_STARTED, JC_DUE, JC_N };
enum {
	PC_KIND,
	PC_ORG,
	PC_STATE,
	PC_DECISION,
	PC_REASON,
	PC_FAST,
	PC_FROM,
	PC_TO,
	PC_DEADLINE,
	PC_STAGE,
	PC_LIMIT,
	PC_STARTED,
	PC_DUE,
	PC_BASIS,
	PC_N
};
/* an excavation's columns after application_id and permit_id, in the INSERT's order */
enum {
	EC_UTILITY,
	EC_DISTRICT,
	EC_ROAD,
	EC_CLASS,
	EC_FROM,
	EC_TO,
	EC_WIDTH_CM,
	EC_START,
	EC_END,
	EC_ROAD_ID,
	EC_VERSION,
	EC_LENGTH,
	EC_AREA,
	EC_ZONE,
	EC_RISK,
	EC_N
};
enum { TC_TYPE, TC_ACTION, TC_FROM, TC_TO, TC_ROLE, TC_PAYLOAD, TC_STAGE, TC_DUE, TC_N };

struct tdig {
	int permit;		/* index among the permits */
	char *col[EC_N];	/* NULL for SQL NULL */
	char *wkt;		/* the extent */
	const char *road_asked; /* the road_id the request named, or NULL */
	int order;		/* its index in the request */
};

struct template
{
	long long app, site;
	int noutbox; /* the events its submission wrote */
	char day[11]; /* the submission's day, as the portal's calendar gives it */
	int njobs, npermits, nlinks, ndigs, ntasks, ntrans, ncerts;
	char *job[MAX_JOBS][JC_N];
	char *permit[MAX_PERMITS][PC_N];
	int link_job[MAX_ROWS], link_permit[MAX_ROWS];
	struct tdig dig[MAX_DIGS];
	int by_order[MAX_DIGS]; /* the digs in request order */
	int task_permit[MAX_PERMITS];
	char *task_kind[MAX_PERMITS], *task_org[MAX_PERMITS];
	int nsamples, sample_permit[MAX_PERMITS];
	char *sample[MAX_PERMITS][5]; /* rules_version, risk_class, share_percent, draw, sampled */
	char *trans[1 + MAX_JOBS + MAX_PERMITS][TC_N];
	int cert_permit[MAX_PERMITS];
	char *cert_document[MAX_PERMITS], *cert_key_id, *cert_public;
	char *road_asked[MAX_DIGS];
};

struct shape {
	long long org, user, site;
	long long materials[32];
	char materials_json[32 * 21 + 3]; /* "[id,id,...]" */
	int nmaterials, permits, links, digs, tasks, outbox;
	size_t payload, request, estimate; /* bytes */
};

static const char *sock_path, *db_name;
static struct shape shape;
/* The templates, one per body of bench/submit.lua in its order; submission i copies template
 * i mod ntpl (tpl is the one the calling thread works on). */
#define MAX_TPL 1024
static struct template tpls[MAX_TPL];
static int ntpl;
static __thread struct template *cur;
#define tpl (*cur)
static atomic_long next_tpl;
static int seconds;
static atomic_int stop;
static atomic_long retries, near_rows, near_searches, proposals, submissions;
static long long writer_id; /* this process's audit chain (store/audit.c) */
static unsigned char sign_sk[crypto_sign_SECRETKEYBYTES];
static char operation[512]; /* EPSG:4490 -> EPSG:4549, as workflows/geo.c finds it */

/* --- geometry: GEOS and PROJ, one context of each per thread, as workflows/geo.c ------------ */

struct geom {
	GEOSGeometry *ll; /* lon/lat */
	GEOSGeometry *xy; /* metres (EPSG:4549), made when a metric test needs it */
};

struct worker;
static int project_xy(double *x, double *y, void *userdata);

struct worker {
	pthread_t th;
	int index;
	MYSQL *my;
	MYSQL_STMT *st[S_COUNT];
	MYSQL_STMT *bst[B_COUNT][BATCH_ROWS_MAX + 1]; /* prepared on first use */
	char *btext[B_COUNT][BATCH_ROWS_MAX + 1];
	double *lat_ms;
	size_t nlat, cap;
	char *payload, *request, *estimate;
	unsigned long long ref_n;
	long long orgs[8]; /* water .. network, road, greening, planning: found once at start */
	GEOSContextHandle_t gh;
	GEOSWKTReader *reader;
	GEOSWKTWriter *writer;
	PJ_CONTEXT *pc;
	PJ *pj;
	PJ_DIRECTION dir;
	bool checked; /* the first placement was compared with the template's */
};

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("ref_tx: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static int project_xy(double *x, double *y, void *userdata)
{
	struct worker *w = userdata;
	PJ_COORD c = proj_trans(w->pj, w->dir, proj_coord(*x, *y, 0, 0));
	if (!isfinite(c.xy.x) || !isfinite(c.xy.y))
		return 0;
	*x = c.xy.x;
	*y = c.xy.y;
	return 1;
}

static GEOSGeometry *project(struct worker *w, const GEOSGeometry *g, PJ_DIRECTION dir)
{
	w->dir = dir;
	GEOSGeometry *out = GEOSGeom_transformXY_r(w->gh, g, project_xy, w);
	if (!out)
		die("PROJ cannot place a geometry");
	return out;
}

/* A geometry from stored text, projected at once when `metric`. ll NULL for SQL NULL. */
static struct geom geom_read(struct worker *w, const char *wkt, bool metric)
{
	struct geom g = {NULL, NULL};
	if (!wkt)
		return g;
	g.ll = GEOSWKTReader_read_r(w->gh, w->reader, wkt);
	if (!g.ll)
		die("stored geometry does not parse: %.60s", wkt);
	if (metric)
		g.xy = project(w, g.ll, PJ_FWD);
	return g;
}

static const GEOSGeometry *geom_xy(struct worker *w, struct geom *g)
{
	if (!g->xy)
		g->xy = project(w, g->ll, PJ_FWD);
	return g->xy;
}

static void geom_free(struct worker *w, struct geom *g)
{
	GEOSGeom_destroy_r(w->gh, g->ll);
	GEOSGeom_destroy_r(w->gh, g->xy);
	g->ll = g->xy = NULL;
}

static bool covers(struct worker *w, const GEOSGeometry *outer, const GEOSGeometry *inner)
{
	return GEOSCovers_r(w->gh, outer, inner) == 1;
}

static bool near_m(struct worker *w, const GEOSGeometry *a, const GEOSGeometry *b, double m)
{
	return GEOSDistanceWithin_r(w->gh, a, b, m) == 1;
}

static double length_m(struct worker *w, const GEOSGeometry *xy)
{
	double len = 0;
	GEOSLength_r(w->gh, xy, &len);
	return len;
}

/* The share of line a (metres) within m of b: the portal's geo_share_near. */
static double share_near(struct worker *w, const GEOSGeometry *a, const GEOSGeometry *b, double m)
{
	double whole = length_m(w, a);
	if (whole <= 0 || !near_m(w, a, b, m))
		return whole <= 0 && near_m(w, a, b, m) ? 1 : 0;
	GEOSGeometry *z = m > 0 ? GEOSBuffer_r(w->gh, b, m, 8) : GEOSGeom_clone_r(w->gh, b);
	GEOSGeometry *part = z ? GEOSIntersection_r(w->gh, a, z) : NULL;
	double shared = part ? length_m(w, part) : 0;
	GEOSGeom_destroy_r(w->gh, part);
	GEOSGeom_destroy_r(w->gh, z);
	return fmin(1, shared / whole);
}

static void bounds(struct worker *w, const GEOSGeometry *g, double b[4])
{
	GEOSGeom_getXMin_r(w->gh, g, &b[0]);
	GEOSGeom_getYMin_r(w->gh, g, &b[1]);
	GEOSGeom_getXMax_r(w->gh, g, &b[2]);
	GEOSGeom_getYMax_r(w->gh, g, &b[3]);
}

static char *box_text(const double b[4])
{
	char *s = NULL;
	if (asprintf(&s, "POLYGON((%.7f %.7f,%.7f %.7f,%.7f %.7f,%.7f %.7f,%.7f %.7f))", b[0], b[1],
		     b[2], b[1], b[2], b[3], b[0], b[3], b[0], b[1]) < 0)
		exit(1);
	return s;
}

/* store/place.c's box_wkt: the box widened by margin_m metres on every side. */
static char *box_wkt(const double box[4], double margin_m)
{
	double lat = fmax(fabs(box[1]), fabs(box[3]));
	double cosl = cos(fmin(lat, 89.0) * M_PI / 180.0);
	double dlat = margin_m / 111320.0, dlng = margin_m / (111320.0 * cosl);
	double b[4] = {box[0] - dlng, box[1] - dlat, box[2] + dlng, box[3] + dlat};
	return box_text(b);
}

static char *wkt_of(struct worker *w, const GEOSGeometry *g)
{
	char *t = GEOSWKTWriter_write_r(w->gh, w->writer, g);
	if (!t)
		die("GEOS cannot write a geometry");
	char *s = strdup(t);
	GEOSFree_r(w->gh, t);
	return s;
}

/* --- statements ----------------------------------------------------------------------------- */

/* A parameter list built per statement; strings and integers only, like store/db.c. */
struct binds {
	MYSQL_BIND b[BINDS_MAX];
	long long ints[BINDS_MAX];
	unsigned long lens[BINDS_MAX];
	int n;
};

static void b_int(struct binds *p, long long v)
{
	MYSQL_BIND *b = &p->b[p->n];
	memset(b, 0, sizeof(*b));
	p->ints[p->n] = v;
	b->buffer_type = MYSQL_TYPE_LONGLONG;
	b->buffer = &p->ints[p->n];
	p->n++;
}

static void b_str(struct binds *p, const char *s)
{
	MYSQL_BIND *b = &p->b[p->n];
	memset(b, 0, sizeof(*b));
	if (!s) {
		b->buffer_type = MYSQL_TYPE_NULL;
	} else {
		p->lens[p->n] = (unsigned long)strlen(s);
		b->buffer_type = MYSQL_TYPE_STRING;
		b->buffer = (void *)s;
		b->buffer_length = p->lens[p->n];
		b->length = &p->lens[p->n];
	}
	p->n++;
}

/* A template cell bound as the portal binds it: an integer, or text; NULL stays NULL. */
static void b_cell(struct binds *p, const char *s, bool integer)
{
	if (s && integer)
		b_int(p, atoll(s));
	else
		b_str(p, s);
}

/* A buffered result, every cell as text (NULL for SQL NULL), like store_exec's. */
struct res {
	int nrows, ncols;
	char **v;
};

static const char *cell(const struct res *r, int row, int col)
{
	return r->v[row * r->ncols + col];
}

static void res_free(struct res *r)
{
	for (int i = 0; r->v && i < r->nrows * r->ncols; i++)
		free(r->v[i]);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/*
 * Executes a statement and buffers its rows: into *res when not NULL, else the first column of
 * the first row into first_col and of every row into ids (when not NULL). Returns 0, 1 to
 * retry, -1 on failure.
 */
static int exec(MYSQL_STMT *st, const char *text, struct binds *p, unsigned long long *insert_id,
		long long *first_col, long long *ids, struct res *res)
{
	if (res)
		memset(res, 0, sizeof(*res));
	if ((p && p->n && mysql_stmt_bind_param(st, p->b)) || mysql_stmt_execute(st))
		goto fail;
	unsigned nf = mysql_stmt_field_count(st);
	if (nf) {
		/* like store_exec: buffer the whole result, every cell read as text */
		static _Thread_local char cells[40][2048];
		static _Thread_local unsigned long lens[40];
		static _Thread_local my_bool nulls[40], errs[40];
		MYSQL_BIND rb[40];
		memset(rb, 0, sizeof(rb));
		for (unsigned k = 0; k < nf && k < 40; k++) {
			rb[k].buffer_type = MYSQL_TYPE_STRING;
			rb[k].buffer = cells[k];
			rb[k].buffer_length = sizeof(cells[k]) - 1;
			rb[k].length = &lens[k];
			rb[k].is_null = &nulls[k];
			rb[k].error = &errs[k];
		}
		if (nf > 40 || mysql_stmt_bind_result(st, rb) || mysql_stmt_store_result(st))
			goto fail;
		int n = 0, f, cap = 0;
		if (res)
			res->ncols = (int)nf;
		while ((f = mysql_stmt_fetch(st)) == 0 || f == MYSQL_DATA_TRUNCATED) {
			if (res) {
				if (n == cap) {
					cap = cap ? cap * 2 : 16;
					res->v = realloc(res->v, (size_t)cap * nf * sizeof(char *));
					if (!res->v)
						exit(1);
				}
				for (unsigned k = 0; k < nf; k++) {
					char *c = NULL;
					if (!nulls[k]) {
						c = malloc(lens[k] + 1);
						if (!c)
							exit(1);
						if (lens[k] < sizeof(cells[k])) {
							memcpy(c, cells[k], lens[k]);
						} else { /* longer than the buffer: fetched again */
							MYSQL_BIND big;
							memset(&big, 0, sizeof(big));
							big.buffer_type = MYSQL_TYPE_STRING;
							big.buffer = c;
							big.buffer_length = lens[k] + 1;
							if (mysql_stmt_fetch_column(st, &big, k, 0))
								goto fail;
						}
						c[lens[k]] = 0;
					}
					res->v[(size_t)n * nf + k] = c;
				}
			} else {
				cells[0][lens[0] < 2047 ? lens[0] : 2047] = 0;
				long long v = nulls[0] ? 0 : atoll(cells[0]);
				if (n == 0 && first_col)
					*first_col = v;
				if (ids)
					ids[n] = v;
			}
			n++;
		}
		if (res)
			res->nrows = n;
		mysql_stmt_free_result(st);
	}
	if (insert_id)
		*insert_id = mysql_stmt_insert_id(st);
	return 0;
fail:;
	unsigned e = mysql_stmt_errno(st);
	if (res)
		res_free(res);
	if (e == 1213 || e == 1205)
		return 1;
	fprintf(stderr, "ref_tx: %s: %s\n", text, mysql_stmt_error(st));
	return -1;
}

static int run(struct worker *w, int i, struct binds *p, unsigned long long *insert_id,
	       long long *first_col)
{
	return exec(w->st[i], sql[i], p, insert_id, first_col, NULL, NULL);
}

/* Executes the n-row statement of batch kind k with the binds in p; ids gets what it returns. */
static int run_batch(struct worker *w, int k, int n, struct binds *p, long long *ids)
{
	if (!w->bst[k][n]) {
		w->btext[k][n] = batch_text(k, n);
		w->bst[k][n] = mysql_stmt_init(w->my);
		if (mysql_stmt_prepare(w->bst[k][n], w->btext[k][n],
				       (unsigned long)strlen(w->btext[k][n])))
			die("prepare %s: %s", w->btext[k][n], mysql_stmt_error(w->bst[k][n]));
	}
	return exec(w->bst[k][n], w->btext[k][n], p, NULL, NULL, ids, NULL);
}

static void utc_now(char *out, size_t n)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	size_t k = strftime(out, n, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(out + k, n - k, ".%06ld", ts.tv_nsec / 1000);
}

#define RUN(i, p, id, col)                                                                         \
	do {                                                                                       \
		int rc_ = run(w, (i), (p), (id), (col));                                           \
		if (rc_)                                                                           \
			return rc_;                                                                \
	} while (0)
#define RUN_RES(i, p, r)                                                                           \
	do {                                                                                       \
		int rc_ = exec(w->st[(i)], sql[(i)], (p), NULL, NULL, NULL, (r));                  \
		if (rc_)                                                                           \
			return rc_;                                                                \
	} while (0)

/*
 * A multi-row INSERT of `total` rows of batch kind k, in chunks: ROW binds row i's values
 * into p (it may use i, the row's index in the whole batch). IDS (NULL, or room for `total`)
 * receives the ids a RETURNING statement gives back.
 */
#define BATCH_IDS(k, total, i, IDS, ROW)                                                           \
	do {                                                                                       \
		long long *ids_ = (IDS);                                                           \
		for (int i = 0, end_; i < (total);) {                                              \
			int m_ = chunk_rows((k), (total)-i);                                       \
			long long *at_ = ids_ ? ids_ + i : NULL;                                   \
			p.n = 0;                                                                   \
			for (end_ = i + m_; i < end_; i++) {                                       \
				ROW;                                                               \
			}                                                                          \
			int rc_ = run_batch(w, (k), m_, &p, at_);                                  \
			if (rc_)                                                                   \
				return rc_;                                                        \
		}                                                                                  \
	} while (0)
#define BATCH(k, total, i, ROW) BATCH_IDS(k, total, i, NULL, ROW)

/* --- the place: what load_place reads and application_place computes ----------------------- */

struct place {
	struct res districts, areas, roads, zones;
	struct geom *district, *area, *road, *zone;
	int nroads_named; /* roads added by S_ROAD_NAMED, after roads.nrows */
	struct res named[MAX_DIGS];
	struct geom site;
	char site_district[33];
};

static void place_free(struct worker *w, struct place *pl)
{
	for (int i = 0; pl->district && i < pl->districts.nrows; i++)
		geom_free(w, &pl->district[i]);
	for (int i = 0; pl->area && i < pl->areas.nrows; i++)
		geom_free(w, &pl->area[i]);
	for (int i = 0; pl->road && i < pl->roads.nrows + pl->nroads_named; i++)
		geom_free(w, &pl->road[i]);
	for (int i = 0; pl->zone && i < pl->zones.nrows; i++)
		geom_free(w, &pl->zone[i]);
	free(pl->district), free(pl->area), free(pl->road), free(pl->zone);
	res_free(&pl->districts), res_free(&pl->areas), res_free(&pl->roads);
	res_free(&pl->zones);
	for (int i = 0; i < pl->nroads_named; i++)
		res_free(&pl->named[i]);
	geom_free(w, &pl->site);
	memset(pl, 0, sizeof(*pl));
}

/* Road i's row: among the roads near, or one added by name. */
static const struct res *road_row(const struct place *pl, int i, int *row)
{
	if (i < pl->roads.nrows) {
		*row = i;
		return &pl->roads;
	}
	*row = 0;
	return &pl->named[i - pl->roads.nrows];
}

static double corridor_m(const char *road_class)
{
	static const struct {
		const char *name;
		double m;
	} widths[] = {{"expressway", 30}, {"primary", 25}, {"secondary", 15}, {"branch", 10}};
	for (size_t i = 0; road_class && i < sizeof(widths) / sizeof(widths[0]); i++)
		if (strcmp(road_class, widths[i].name) == 0)
			return widths[i].m;
	return 10;
}

/* Places dig d (workflows/application.c place_dig): the district, the road, the zone. */
static void place_dig(struct worker *w, struct place *pl, struct geom *g, const char *road_asked,
		      const char **district, const char **road, const char **zone)
{
	*district = *road = *zone = NULL;
	double best = 0;
	for (int i = 0; i < pl->districts.nrows && !*district; i++) {
		if (!pl->district[i].ll)
			continue;
		if (covers(w, pl->district[i].ll, g->ll)) {
			*district = cell(&pl->districts, i, 0);
			break;
		}
		double s = share_near(w, g->xy, geom_xy(w, &pl->district[i]), 0);
		if (s > best)
			best = s;
	}
	int nroads = pl->roads.nrows + pl->nroads_named, row = 0;
	if (road_asked) {
		for (int i = 0; i < nroads; i++) {
			const struct res *r = road_row(pl, i, &row);
			if (strcmp(cell(r, row, 0), road_asked) != 0)
				continue;
			if (share_near(w, g->xy, pl->road[i].xy, corridor_m(cell(r, row, 3))) >=
			    0.5)
				*road = cell(r, row, 0);
			break;
		}
	} else {
		double best_share = 0, close_m = 0;
		for (int i = 0; i < nroads; i++) {
			const struct res *r = road_row(pl, i, &row);
			double s =
			    share_near(w, g->xy, pl->road[i].xy, corridor_m(cell(r, row, 3)));
			if (s > best_share) {
				best_share = s;
				*road = cell(r, row, 0);
			}
			double d = HUGE_VAL;
			GEOSDistance_r(w->gh, g->xy, pl->road[i].xy, &d);
			if (i == 0 || d < close_m)
				close_m = d;
		}
		if (best_share < 0.5)
			*road = NULL;
	}
	(void)length_m(w, g->xy);
	int risk = -1;
	static const char *const risks[] = {"low", "medium", "high"};
	for (int i = 0; i < pl->zones.nrows; i++) {
		if (!covers(w, pl->zone[i].ll, g->ll))
			continue;
		int k = 0;
		while (k < 3 && strcmp(cell(&pl->zones, i, 2), risks[k]) != 0)
			k++;
		if (k > risk) {
			risk = k;
			*zone = cell(&pl->zones, i, 0);
		}
	}
}

/* The statements of load_place, the placing, and the routing of every utility. */
static int load_place(struct worker *w, struct place *pl, struct geom *digs,
		      const char *site_district)
{
	struct binds p;
	struct res r;
	snprintf(pl->site_district, sizeof(pl->site_district), "%s", site_district);
	p.n = 0, b_int(&p, tpl.site);
	RUN_RES(S_SITE_GEOMETRY, &p, &r);
	pl->site = geom_read(w, r.nrows ? cell(&r, 0, 0) : NULL, false);
	res_free(&r);
	RUN_RES(S_DISTRICTS, NULL, &pl->districts);
	pl->district = calloc((size_t)pl->districts.nrows + 1, sizeof(*pl->district));
	for (int i = 0; i < pl->districts.nrows; i++)
		pl->district[i] = geom_read(w, cell(&pl->districts, i, 4), false);
	RUN_RES(S_AREAS, NULL, &pl->areas);
	pl->area = calloc((size_t)pl->areas.nrows + 1, sizeof(*pl->area));
	for (int i = 0; i < pl->areas.nrows; i++)
		pl->area[i] = geom_read(w, cell(&pl->areas, i, 4), false);
	/* the works' box: every excavation's */
	double box[4] = {0};
	for (int d = 0; d < tpl.ndigs; d++) {
		double b[4];
		bounds(w, digs[d].ll, b);
		if (d == 0)
			memcpy(box, b, sizeof(b));
		box[0] = fmin(box[0], b[0]), box[1] = fmin(box[1], b[1]);
		box[2] = fmax(box[2], b[2]), box[3] = fmax(box[3], b[3]);
	}
	char *near = box_wkt(box, 100);
	p.n = 0, b_str(&p, near), b_str(&p, tpl.day);
	int rc = exec(w->st[S_ROADS_NEAR], sql[S_ROADS_NEAR], &p, NULL, NULL, NULL, &pl->roads);
	free(near);
	if (rc)
		return rc;
	pl->road = calloc((size_t)pl->roads.nrows + MAX_DIGS + 1, sizeof(*pl->road));
	for (int i = 0; i < pl->roads.nrows; i++)
		pl->road[i] = geom_read(w, cell(&pl->roads, i, 5), true);
	/* a road an excavation names that is not among them (store_place_road_named) */
	for (int o = 0; o < tpl.ndigs; o++) {
		const char *asked = tpl.dig[tpl.by_order[o]].road_asked;
		if (!asked)
			continue;
		bool have = false;
		for (int i = 0, row = 0; i < pl->roads.nrows + pl->nroads_named && !have; i++)
			have = strcmp(cell(road_row(pl, i, &row), row, 0), asked) == 0;
		if (have)
			continue;
		struct res *named = &pl->named[pl->nroads_named];
		p.n = 0, b_str(&p, asked), b_str(&p, tpl.day);
		RUN_RES(S_ROAD_NAMED, &p, named);
		if (named->nrows == 0) {
			res_free(named);
			continue;
		}
		pl->road[pl->roads.nrows + pl->nroads_named++] =
		    geom_read(w, cell(named, 0, 5), true);
	}
	char *zbox = box_wkt(box, 0);
	p.n = 0, b_str(&p, zbox), b_str(&p, tpl.day), b_str(&p, tpl.day);
	rc = exec(w->st[S_ZONES_NEAR], sql[S_ZONES_NEAR], &p, NULL, NULL, NULL, &pl->zones);
	free(zbox);
	if (rc)
		return rc;
	pl->zone = calloc((size_t)pl->zones.nrows + 1, sizeof(*pl->zone));
	for (int i = 0; i < pl->zones.nrows; i++)
		pl->zone[i] = geom_read(w, cell(&pl->zones, i, 5), false);
	/* each excavation, in the request's order */
	for (int o = 0; o < tpl.ndigs; o++) {
		int d = tpl.by_order[o];
		const char *district, *road, *zone;
		place_dig(w, pl, &digs[d], tpl.dig[d].road_asked, &district, &road, &zone);
		if (!w->checked) {
			const char *want_zone = tpl.dig[d].col[EC_ZONE];
			if (!district || strcmp(district, tpl.dig[d].col[EC_DISTRICT]) != 0 ||
			    !road || strcmp(road, tpl.dig[d].col[EC_ROAD_ID]) != 0 ||
			    (want_zone ? !zone || strncmp(want_zone, zone, strlen(zone)) != 0
				       : !!zone))
				fprintf(stderr,
					"ref_tx: excavation %d placed in %s on %s in zone %s; the "
					"portal placed it in %s on %s in zone %s\n",
					d, district ? district : "-", road ? road : "-",
					zone ? zone : "-", tpl.dig[d].col[EC_DISTRICT],
					tpl.dig[d].col[EC_ROAD_ID] ? tpl.dig[d].col[EC_ROAD_ID]
								   : "-",
					want_zone ? want_zone : "-");
		}
	}
	return 0;
}

/* Who serves each utility at the site (workflows/place.c place_route), for every kind. */
static void route(struct worker *w, const struct place *pl)
{
	static const char *const kinds[] = {"water", "power", "gas", "heat", "network"};
	for (int k = 0; k < 5; k++) {
		int n = 0;
		for (int i = 0; i < pl->areas.nrows; i++) {
			if (strcmp(cell(&pl->areas, i, 2), kinds[k]) != 0)
				continue;
			n += pl->area[i].ll
				 ? pl->site.ll && covers(w, pl->area[i].ll, pl->site.ll)
				 : strcmp(cell(&pl->areas, i, 3), pl->site_district) == 0;
		}
		if (n == 0 && !w->checked)
			fprintf(stderr, "ref_tx: nobody serves %s at the site\n", kinds[k]);
	}
}

/* --- the submission ------------------------------------------------------------------------ */

/* One audit entry on this process's chain (store/audit.c store_audit_append). */
static int audit_append(struct worker *w, long long user, long long org, const char *action,
			const char *object_type, const char *object_id, const char *detail)
{
	struct binds p;
	struct res head;
	p.n = 0, b_int(&p, writer_id);
	RUN_RES(S_AUDIT_HEAD, &p, &head);
	bool first = head.nrows == 0;
	long long seq = first ? 1 : atoll(cell(&head, 0, 0)) + 1;
	char prev[65], hash[65], at[40], num[64];
	if (first) {
		char text[40];
		unsigned char h[32];
		int n = snprintf(text, sizeof(text), "audit writer %lld", writer_id);
		crypto_generichash(h, sizeof(h), (const unsigned char *)text, (unsigned long long)n,
				   NULL, 0);
		sodium_bin2hex(prev, sizeof(prev), h, sizeof(h));
	} else {
		snprintf(prev, sizeof(prev), "%s", cell(&head, 0, 1));
	}
	res_free(&head);
	utc_now(at, sizeof(at));
	/* the hash of the entry (store/audit.c audit_hash): every field and a newline */
	crypto_generichash_state hs;
	unsigned char h[32];
	crypto_generichash_init(&hs, NULL, 0, sizeof(h));
#define PART(s)                                                                                    \
	do {                                                                                       \
		crypto_generichash_update(&hs, (const unsigned char *)(s), strlen(s));             \
		crypto_generichash_update(&hs, (const unsigned char *)"\n", 1);                    \
	} while (0)
	PART(prev);
	snprintf(num, sizeof(num), "%lld", seq);
	PART(num);
	PART(at);
	snprintf(num, sizeof(num), "%lld", user);
	PART(num);
	snprintf(num, sizeof(num), "%lld", org);
	PART(num);
	PART(action);
	PART(object_type);
	PART(object_id);
	PART(detail);
#undef PART
	crypto_generichash_final(&hs, h, sizeof(h));
	sodium_bin2hex(hash, sizeof(hash), h, sizeof(h));
	p.n = 0, b_int(&p, writer_id), b_int(&p, seq), b_str(&p, at);
	user ? b_int(&p, user) : b_str(&p, NULL);
	org ? b_int(&p, org) : b_str(&p, NULL);
	b_str(&p, action), b_str(&p, object_type), b_str(&p, object_id), b_str(&p, detail);
	b_str(&p, prev), b_str(&p, hash);
	RUN(S_AUDIT, &p, NULL, NULL);
	if (first) {
		char label[100], host[64] = "";
		gethostname(host, sizeof(host) - 1);
		snprintf(label, sizeof(label), "%s pid %d", host, (int)getpid());
		p.n = 0, b_int(&p, writer_id), b_int(&p, seq), b_str(&p, hash), b_str(&p, label);
		RUN(S_AUDIT_NEW_HEAD, &p, NULL, NULL);
		return 0;
	}
	p.n = 0, b_int(&p, seq), b_str(&p, hash), b_int(&p, writer_id);
	RUN(S_AUDIT_MOVE, &p, NULL, NULL);
	return 0;
}

/* A fast-tracked permit's certificate (portal/certify.c certify_issue). */
static int certify(struct worker *w, long long permit_id, const char *document)
{
	struct binds p;
	struct res r;
	p.n = 0, b_str(&p, "permit"), b_int(&p, permit_id);
	RUN_RES(S_CERT_OF, &p, &r);
	bool issued = r.nrows > 0;
	res_free(&r);
	if (issued)
		return 0;
	p.n = 0, b_int(&p, permit_id);
	RUN_RES(S_FACTS_PERMIT, &p, &r);
	if (r.nrows == 0)
		die("no facts for permit %lld", permit_id);
	char reference[64], app[24], valid_to[11];
	snprintf(reference, sizeof(reference), "%s", cell(&r, 0, 1));
	snprintf(app, sizeof(app), "%s", cell(&r, 0, 0));
	snprintf(valid_to, sizeof(valid_to), "%s", cell(&r, 0, 7) ? cell(&r, 0, 7) : tpl.day);
	res_free(&r);
	p.n = 0, b_str(&p, tpl.cert_key_id), b_str(&p, tpl.cert_public);
	RUN(S_KEY_REGISTER, &p, NULL, NULL);
	unsigned long long n = 0;
	p.n = 0, b_int(&p, atoi(tpl.day));
	RUN(S_CERT_NEXT, &p, &n, NULL);
	char number[24], sig64[89], at[40];
	snprintf(number, sizeof(number), "EC-%04d-%06llu", atoi(tpl.day), n);
	unsigned char sig[crypto_sign_BYTES];
	crypto_sign_detached(sig, NULL, (const unsigned char *)document, strlen(document), sign_sk);
	sodium_bin2base64(sig64, sizeof(sig64), sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);
	utc_now(at, sizeof(at));
	p.n = 0, b_str(&p, number), b_str(&p, "permit"), b_int(&p, permit_id);
	b_int(&p, atoll(app)), b_str(&p, tpl.cert_key_id), b_str(&p, document), b_str(&p, sig64);
	b_str(&p, valid_to), b_str(&p, at);
	RUN(S_CERT_INSERT, &p, NULL, NULL);
	char detail[160];
	snprintf(detail, sizeof(detail), "{\"key_id\":\"%s\",\"number\":\"%s\"}", tpl.cert_key_id,
		 number);
	return audit_append(w, 0, 0, "certificate.issue", "permit", reference, detail);
}

/* A joint dig found, written with the others after the search of every excavation. */
struct proposal {
	long long permit_a, permit_b, authority;
	char *wkt;
	long long len;
};

/*
 * Trench sharing for the excavation with extent g (applications_api.c propose_joint_digs): the
 * search, and each joint dig found appended to props (*n of them).
 */
static int share(struct worker *w, long long app, long long permit, long long authority,
		 struct geom *g, const char *start, const char *end, struct proposal *props, int *n)
{
	struct binds p;
	struct res r;
	GEOSGeometry *buf = GEOSBuffer_r(w->gh, g->xy, 5.0, 8);
	GEOSGeometry *back = buf ? project(w, buf, PJ_INV) : NULL;
	if (!back)
		die("GEOS cannot buffer an excavation");
	double b[4];
	bounds(w, back, b);
	GEOSGeom_destroy_r(w->gh, back);
	char *box = box_text(b);
	p.n = 0, b_str(&p, box), b_str(&p, end), b_str(&p, start), b_int(&p, app);
	int rc = exec(w->st[S_NEAR], sql[S_NEAR], &p, NULL, NULL, NULL, &r);
	free(box);
	if (rc) {
		GEOSGeom_destroy_r(w->gh, buf);
		return rc;
	}
	atomic_fetch_add(&near_searches, 1);
	atomic_fetch_add(&near_rows, r.nrows);
	for (int o = 0; o < r.nrows; o++) {
		/* a pair already found is not measured again (the portal's proposed()) */
		long long theirs_permit = atoll(cell(&r, o, 0));
		bool known = false;
		for (int k = 0; k < *n && !known; k++)
			known = props[k].permit_a == theirs_permit && props[k].permit_b == permit;
		if (known)
			continue;
		struct geom theirs = geom_read(w, cell(&r, o, 1), true);
		GEOSGeometry *shared = NULL;
		if (near_m(w, g->xy, theirs.xy, 5.0) && near_m(w, g->xy, theirs.xy, 10.0)) {
			/* the excavation's own zone is the search's buffer, made once */
			GEOSGeometry *zb = GEOSBuffer_r(w->gh, theirs.xy, 5.0, 8);
			shared = zb ? GEOSIntersection_r(w->gh, buf, zb) : NULL;
			GEOSGeom_destroy_r(w->gh, zb);
			if (shared && GEOSGeomTypeId_r(w->gh, shared) != GEOS_POLYGON) {
				GEOSGeometry *hull = GEOSConvexHull_r(w->gh, shared);
				GEOSGeom_destroy_r(w->gh, shared);
				shared = hull;
			}
			if (shared && (GEOSisEmpty_r(w->gh, shared) != 0 ||
				       GEOSGeomTypeId_r(w->gh, shared) != GEOS_POLYGON)) {
				GEOSGeom_destroy_r(w->gh, shared);
				shared = NULL;
			}
		}
		if (shared) {
			/* its length: the long side of its minimum rotated rectangle */
			GEOSGeometry *rect = GEOSMinimumRotatedRectangle_r(w->gh, shared);
			double len = 0;
			if (rect && GEOSGeomTypeId_r(w->gh, rect) == GEOS_POLYGON) {
				const GEOSCoordSequence *s = GEOSGeom_getCoordSeq_r(
				    w->gh, GEOSGetExteriorRing_r(w->gh, rect));
				double x[3], y[3];
				for (unsigned i = 0; i < 3; i++)
					GEOSCoordSeq_getXY_r(w->gh, s, i, &x[i], &y[i]);
				len = fmax(hypot(x[1] - x[0], y[1] - y[0]),
					   hypot(x[2] - x[1], y[2] - y[1]));
			} else if (rect) {
				len = length_m(w, rect);
			}
			GEOSGeom_destroy_r(w->gh, rect);
			GEOSGeometry *ll = project(w, shared, PJ_INV);
			if (*n < MAX_PROPOSALS)
				props[(*n)++] = (struct proposal){theirs_permit, permit,
								  authority, wkt_of(w, ll),
								  (long long)(len + 0.5)};
			GEOSGeom_destroy_r(w->gh, ll);
			atomic_fetch_add(&proposals, 1);
		}
		GEOSGeom_destroy_r(w->gh, shared);
		geom_free(w, &theirs);
	}
	GEOSGeom_destroy_r(w->gh, buf);
	res_free(&r);
	return 0;
}

/* Transition t of the template's, with this submission's ids. */
static void transition_row(struct binds *p, int t, unsigned long long app, const long long *jobs,
			   const long long *pids, const char *at, int *nj, int *np)
{
	char *const *c = tpl.trans[t];
	long long object = (long long)app;
	if (strcmp(c[TC_TYPE], "job") == 0)
		object = jobs[(*nj)++];
	else if (strcmp(c[TC_TYPE], "permit") == 0)
		object = pids[(*np)++];
	b_int(p, (long long)app), b_str(p, c[TC_TYPE]), b_int(p, object);
	b_str(p, c[TC_ACTION]), b_str(p, c[TC_FROM]), b_str(p, c[TC_TO]), b_str(p, c[TC_ROLE]);
	b_int(p, shape.org), b_int(p, shape.user), b_str(p, c[TC_PAYLOAD]), b_str(p, at);
	b_str(p, c[TC_STAGE]), b_str(p, c[TC_DUE]);
}

/* One submission's statements, inside the caller's transaction; digs are its extents. */
static int submission(struct worker *w, struct geom *digs, struct place *pl)
{
	struct binds p;
	struct res r;
	const long long *orgs = w->orgs;
	char at[40], ref[32];
	utc_now(at, sizeof(at));
	long long mat = 0;

	/* load_place: the site, its geometry, districts, areas, roads, zones; the placing */
	p.n = 0, b_int(&p, tpl.site), b_int(&p, shape.org);
	RUN_RES(S_SITE, &p, &r);
	if (r.nrows == 0)
		die("the site %lld is not the applicant's", tpl.site);
	char district[33];
	snprintf(district, sizeof(district), "%s", cell(&r, 0, 4) ? cell(&r, 0, 4) : "");
	res_free(&r);
	int rc = load_place(w, pl, digs, district);
	if (rc)
		return rc;
	/* the materials in one query (a JSON array of ids) */
	p.n = 0, b_str(&p, shape.materials_json);
	RUN(S_MATERIAL, &p, NULL, &mat);
	/* make_plan: each utility routed by the service areas, the organisations in one query */
	route(w, pl);
	long long first_org = 0; /* the rows are read, as the portal reads them; w->orgs has them */
	p.n = 0;
	RUN(S_ORG, &p, NULL, &first_org);
	/* the credit rule (issue #21): the oversight rules in force, the applicant's entries */
	p.n = 0, b_int(&p, 0), b_int(&p, 0);
	RUN_RES(S_RULES, &p, &r);
	res_free(&r);
	p.n = 0, b_int(&p, shape.org), b_int(&p, shape.org), b_int(&p, 0), b_int(&p, 0);
	RUN_RES(S_CREDITS, &p, &r);
	res_free(&r);
	/* dig once: the excavations that meet in place and time (triggers_group_digs) */
	for (int i = 0; i < tpl.ndigs; i++)
		for (int j = i + 1; j < tpl.ndigs; j++)
			if (strcmp(tpl.dig[i].col[EC_START], tpl.dig[j].col[EC_END]) <= 0 &&
			    strcmp(tpl.dig[j].col[EC_START], tpl.dig[i].col[EC_END]) <= 0)
				(void)near_m(w, digs[i].xy, digs[j].xy, 5.0);
	w->checked = true;

	unsigned long long n = w->ref_n, app = 0;
	snprintf(ref, sizeof(ref), "BX-%d-%09llu", w->index, n);
	char hash[65];
	memset(hash, 'a', 64), hash[64] = 0;
	p.n = 0, b_str(&p, ref), b_int(&p, shape.org), b_int(&p, tpl.site), b_str(&p, at);
	b_str(&p, tpl.day), b_str(&p, w->request), b_str(&p, w->estimate);
	b_int(&p, 12345600), b_str(&p, NULL), b_str(&p, hash), b_int(&p, shape.user);
	RUN(S_APP, &p, &app, NULL);
	BATCH(B_MATERIALS, shape.nmaterials, i,
	      (b_int(&p, (long long)app), b_int(&p, shape.materials[i])));
	/* the jobs in one statement, then the permits in another, each returning their ids */
	char jref[MAX_JOBS][48], pref[MAX_PERMITS][48];
	long long jobs[MAX_JOBS] = {0};
	BATCH_IDS(B_JOBS, tpl.njobs, k, jobs,
		  (snprintf(jref[k], sizeof(jref[k]), "%s-%c", ref, "WPGHN"[k % 5]),
		   b_int(&p, (long long)app), b_str(&p, jref[k]), b_str(&p, tpl.job[k][JC_KIND]),
		   b_cell(&p, tpl.job[k][JC_ORG], true), b_str(&p, tpl.job[k][JC_STATE]),
		   b_str(&p, tpl.job[k][JC_PARAMS]), b_str(&p, tpl.job[k][JC_STAGE]),
		   b_cell(&p, tpl.job[k][JC_LIMIT], true), b_str(&p, tpl.job[k][JC_STARTED]),
		   b_str(&p, tpl.job[k][JC_DUE])));
	long long pids[MAX_PERMITS] = {0};
	BATCH_IDS(B_PERMITS, tpl.npermits, i, pids,
		  (snprintf(pref[i], sizeof(pref[i]), "%s-P%d", ref, i), b_int(&p, (long long)app),
		   b_str(&p, pref[i]), b_str(&p, tpl.permit[i][PC_KIND]),
		   b_cell(&p, tpl.permit[i][PC_ORG], true), b_str(&p, tpl.permit[i][PC_STATE]),
		   b_str(&p, tpl.permit[i][PC_DECISION]), b_str(&p, tpl.permit[i][PC_REASON]),
		   b_cell(&p, tpl.permit[i][PC_FAST], true), b_str(&p, tpl.permit[i][PC_FROM]),
		   b_str(&p, tpl.permit[i][PC_TO]), b_str(&p, tpl.permit[i][PC_DEADLINE]),
		   b_str(&p, tpl.permit[i][PC_STAGE]), b_cell(&p, tpl.permit[i][PC_LIMIT], true),
		   b_str(&p, tpl.permit[i][PC_STARTED]), b_str(&p, tpl.permit[i][PC_DUE]),
		   b_str(&p, tpl.permit[i][PC_BASIS])));
	/* after the permits, each fast-tracked one's post-check draw (the template's, as the
	 * portal's keyed draw gave it) and, when it was sampled, its post-check task */
	for (int i = 0; i < tpl.npermits; i++) {
		for (int k = 0; k < tpl.nsamples; k++) {
			if (tpl.sample_permit[k] != i)
				continue;
			p.n = 0, b_int(&p, pids[i]), b_cell(&p, tpl.sample[k][0], true);
			b_str(&p, tpl.sample[k][1]), b_cell(&p, tpl.sample[k][2], true);
			b_cell(&p, tpl.sample[k][3], true), b_cell(&p, tpl.sample[k][4], true);
			RUN(S_SAMPLE, &p, NULL, NULL);
		}
		for (int t = 0; t < tpl.ntasks; t++) {
			if (tpl.task_permit[t] != i)
				continue;
			p.n = 0, b_int(&p, pids[i]), b_str(&p, tpl.task_kind[t]);
			b_cell(&p, tpl.task_org[t], true);
			RUN(S_TASK, &p, NULL, NULL);
		}
	}
	BATCH(B_LINKS, tpl.nlinks, l,
	      (b_int(&p, jobs[tpl.link_job[l]]), b_int(&p, pids[tpl.link_permit[l]])));
	/* the excavations (their extents written as text first), then the extents */
	char *wkt[MAX_DIGS];
	for (int d = 0; d < tpl.ndigs; d++)
		wkt[d] = wkt_of(w, digs[d].ll);
	long long dig_ids[MAX_DIGS] = {0};
	static const bool dig_int[EC_N] = {
	    [EC_FROM] = true,	 [EC_TO] = true,     [EC_WIDTH_CM] = true,
	    [EC_VERSION] = true, [EC_LENGTH] = true, [EC_AREA] = true};
	rc = 0;
	for (int i = 0, end; !rc && i < tpl.ndigs;) {
		int m = chunk_rows(B_EXCAVATIONS, tpl.ndigs - i);
		p.n = 0;
		for (end = i + m; i < end; i++) {
			b_int(&p, (long long)app), b_int(&p, pids[tpl.dig[i].permit]);
			for (int c = 0; c < EC_N; c++)
				b_cell(&p, tpl.dig[i].col[c], dig_int[c]);
		}
		rc = run_batch(w, B_EXCAVATIONS, m, &p, dig_ids + i - m);
	}
	for (int i = 0, end; !rc && i < tpl.ndigs;) {
		int m = chunk_rows(B_EXTENTS, tpl.ndigs - i);
		p.n = 0;
		for (end = i + m; i < end; i++) {
			b_int(&p, dig_ids[i]), b_str(&p, wkt[i]);
			b_str(&p, tpl.dig[i].col[EC_START]), b_str(&p, tpl.dig[i].col[EC_END]);
		}
		rc = run_batch(w, B_EXTENTS, m, &p, NULL);
	}
	for (int d = 0; d < tpl.ndigs; d++)
		free(wkt[d]);
	if (rc)
		return rc;
	/* trench sharing: the others digging where and when each excavation is, then their rows */
	static _Thread_local struct proposal props[MAX_PROPOSALS];
	int nprops = 0;
	for (int d = 0; !rc && d < tpl.ndigs; d++)
		rc = share(w, (long long)app, pids[tpl.dig[d].permit],
			   atoll(tpl.permit[tpl.dig[d].permit][PC_ORG]), &digs[d],
			   tpl.dig[d].col[EC_START], tpl.dig[d].col[EC_END], props, &nprops);
	for (int i = 0, end; !rc && i < nprops;) {
		int m = chunk_rows(B_PROPOSALS, nprops - i);
		p.n = 0;
		for (end = i + m; i < end; i++) {
			b_int(&p, props[i].permit_a), b_int(&p, props[i].permit_b);
			b_int(&p, props[i].authority), b_str(&p, props[i].wkt);
			b_int(&p, props[i].len);
		}
		rc = run_batch(w, B_PROPOSALS, m, &p, NULL);
	}
	for (int i = 0; i < nprops; i++)
		free(props[i].wkt);
	if (rc)
		return rc;
	int tj = 0, tp = 0;
	BATCH(B_TRANSITIONS, tpl.ntrans, t, transition_row(&p, t, app, jobs, pids, at, &tj, &tp));
	p.n = 0, b_int(&p, (long long)app);
	RUN(S_JOBS_OF, &p, NULL, NULL);
	p.n = 0, b_int(&p, (long long)app);
	RUN(S_PERMITS_OF, &p, NULL, NULL);
	/* events: each party's carries the place (and a dig permit's its segments), read once */
	p.n = 0, b_int(&p, (long long)app);
	RUN(S_PLACE, &p, NULL, NULL);
	if (tpl.ndigs > 0) {
		p.n = 0, b_int(&p, (long long)app);
		RUN_RES(S_SEGMENTS, &p, &r);
		for (int i = 0; i < r.nrows; i++) { /* each segment's geometry, for the events */
			struct geom g = geom_read(w, cell(&r, i, 10), false);
			geom_free(w, &g);
		}
		res_free(&r);
	}
	BATCH(B_OUTBOX, tpl.noutbox, e,
	      (b_int(&p, orgs[e % 8]), b_int(&p, (long long)app), b_str(&p, "job.created"),
	       b_str(&p, w->payload)));
	/* seal: the fast-tracked permits' certificates, then the submission's audit entry */
	for (int c = 0; c < tpl.ncerts; c++)
		if ((rc = certify(w, pids[tpl.cert_permit[c]], tpl.cert_document[c])))
			return rc;
	char detail[128];
	snprintf(detail, sizeof(detail),
		 "{\"estimate_total_fen\":12345600,\"jobs\":%d,\"permits\":%d}", tpl.njobs,
		 tpl.npermits);
	return audit_append(w, shape.user, shape.org, "application.submit", "application", ref,
			    detail);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct geom digs[MAX_DIGS];
	struct place pl;
	memset(&pl, 0, sizeof(pl));
	while (!atomic_load(&stop)) {
		double t0 = now_ms();
		int rc;
		/* the next body of the sequence (bench/submit.lua's request i: body i mod N) */
		cur = &tpls[atomic_fetch_add(&next_tpl, 1) % ntpl];
		/* the request's excavations, parsed before the transaction as the portal does */
		for (int d = 0; d < tpl.ndigs; d++)
			digs[d] = geom_read(w, tpl.dig[d].wkt, true);
		/* the reference number: its own autocommit statement, as the portal takes it */
		struct binds p;
		p.n = 0, b_int(&p, atoi(tpl.day));
		if (run(w, S_REF, &p, &w->ref_n, NULL))
			exit(1);
		do {
			if (mysql_query(w->my, "START TRANSACTION"))
				die("%s", mysql_error(w->my));
			rc = submission(w, digs, &pl);
			place_free(w, &pl);
			if (rc == 0 && mysql_commit(w->my)) {
				unsigned e = mysql_errno(w->my);
				rc = e == 1213 || e == 1205 ? 1 : -1;
			}
			if (rc)
				mysql_rollback(w->my);
			if (rc < 0)
				exit(1);
			if (rc > 0)
				atomic_fetch_add(&retries, 1);
		} while (rc > 0);
		for (int d = 0; d < tpl.ndigs; d++)
			geom_free(w, &digs[d]);
		atomic_fetch_add(&submissions, 1);
		if (w->nlat == w->cap) {
			w->cap = w->cap ? w->cap * 2 : 4096;
			w->lat_ms = realloc(w->lat_ms, w->cap * sizeof(double));
			if (!w->lat_ms)
				exit(1);
		}
		w->lat_ms[w->nlat++] = now_ms() - t0;
	}
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static MYSQL *connect_db(void)
{
	MYSQL *my = mysql_init(NULL);
	if (!mysql_real_connect(my, NULL, "root", NULL, db_name, 0, sock_path, 0))
		die("connect: %s", mysql_error(my));
	mysql_autocommit(my, 1);
	return my;
}

static struct worker *worker_new(int index)
{
	struct worker *w = calloc(1, sizeof(*w));
	w->index = index;
	w->my = connect_db();
	for (int i = 0; i < S_COUNT; i++) {
		w->st[i] = mysql_stmt_init(w->my);
		if (mysql_stmt_prepare(w->st[i], sql[i], (unsigned long)strlen(sql[i])))
			die("prepare %s: %s", sql[i], mysql_stmt_error(w->st[i]));
	}
	/* which organisation is which kind, as the providers query in the transaction says */
	static const char *const subkinds[8] = {"water",   "power", "gas",	"heat",
						"network", "road",  "greening", "planning"};
	if (mysql_query(w->my, sql[S_ORG]) != 0)
		die("%s", mysql_error(w->my));
	MYSQL_RES *res = mysql_store_result(w->my);
	for (MYSQL_ROW row; res && (row = mysql_fetch_row(res));)
		for (int k = 0; k < 8; k++)
			if (row[0] && !strcmp(row[0], subkinds[k]) && !w->orgs[k])
				w->orgs[k] = atoll(row[1]);
	mysql_free_result(res);
	/* a request text and an estimate, and an event payload, as long as the portal's */
	w->request = malloc(shape.request + 1);
	memset(w->request, 'r', shape.request);
	w->request[shape.request] = 0;
	w->estimate = malloc(shape.estimate + 1);
	memset(w->estimate, 'e', shape.estimate);
	w->estimate[shape.estimate] = 0;
	w->payload = malloc(shape.payload + 1);
	memset(w->payload, 'p', shape.payload);
	w->payload[shape.payload] = 0;
	/* GEOS and PROJ, as workflows/geo.c sets them up for a thread */
	w->gh = GEOS_init_r();
	w->reader = GEOSWKTReader_create_r(w->gh);
	w->writer = GEOSWKTWriter_create_r(w->gh);
	GEOSWKTWriter_setRoundingPrecision_r(w->gh, w->writer, 7);
	GEOSWKTWriter_setTrim_r(w->gh, w->writer, 1);
	GEOSWKTWriter_setOutputDimension_r(w->gh, w->writer, 2);
	w->pc = proj_context_create();
	proj_log_level(w->pc, PJ_LOG_NONE);
	w->pj = proj_create(w->pc, operation);
	if (!w->gh || !w->reader || !w->writer || !w->pj)
		die("cannot set up GEOS or PROJ");
	return w;
}

/* --- reading the template ------------------------------------------------------------------ */

static MYSQL_RES *query(MYSQL *my, const char *fmt, ...)
{
	char *q = NULL;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&q, fmt, ap) < 0)
		exit(1);
	va_end(ap);
	if (mysql_query(my, q) != 0)
		die("%s: %s", q, mysql_error(my));
	free(q);
	MYSQL_RES *r = mysql_store_result(my);
	if (!r)
		die("no result: %s", mysql_error(my));
	return r;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int index_of(const long long *ids, int n, long long id)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return i;
	die("template row %lld not among its parents", id);
	return -1;
}

static void template_read(MYSQL *my, long long app)
{
	MYSQL_RES *r;
	MYSQL_ROW row;
	long long job_id[MAX_JOBS], permit_id[MAX_PERMITS];
	memset(&tpl, 0, sizeof(tpl)); /* a slot read again starts empty */
	tpl.app = app;
	r = query(my, "SELECT submitted_day FROM applications WHERE id = %lld", app);
	if (!(row = mysql_fetch_row(r)))
		die("no application %lld", app);
	snprintf(tpl.day, sizeof(tpl.day), "%s", row[0]);
	mysql_free_result(r);
	r = query(my, "SELECT site_id FROM applications WHERE id = %lld", app);
	if (!(row = mysql_fetch_row(r)) || !row[0])
		die("no site of application %lld", app);
	tpl.site = atoll(row[0]);
	mysql_free_result(r);
	r = query(my, "SELECT COUNT(*) FROM outbox WHERE application_id = %lld", app);
	tpl.noutbox = (row = mysql_fetch_row(r)) ? atoi(row[0]) : 0;
	mysql_free_result(r);
	r = query(my,
		  "SELECT id, utility_kind, utility_org_id, state, params, stage, "
		  "stage_limit_days, started_day, due_day FROM jobs WHERE application_id = %lld "
		  "ORDER BY id",
		  app);
	while ((row = mysql_fetch_row(r)) && tpl.njobs < MAX_JOBS) {
		job_id[tpl.njobs] = atoll(row[0]);
		for (int c = 0; c < JC_N; c++)
			tpl.job[tpl.njobs][c] = dup_or_null(row[1 + c]);
		tpl.njobs++;
	}
	mysql_free_result(r);
	r = query(my,
		  "SELECT id, kind, authority_org_id, state, decision, trigger_reason, "
		  "fast_track, window_from, window_to, deadline_day, stage, stage_limit_days, "
		  "started_day, due_day, fast_track_basis FROM permits WHERE application_id = "
		  "%lld ORDER BY id",
		  app);
	while ((row = mysql_fetch_row(r)) && tpl.npermits < MAX_PERMITS) {
		permit_id[tpl.npermits] = atoll(row[0]);
		for (int c = 0; c < PC_N; c++)
			tpl.permit[tpl.npermits][c] = dup_or_null(row[1 + c]);
		tpl.npermits++;
	}
	mysql_free_result(r);
	/* the links in the portal's order: by permit, then by job */
	r = query(my,
		  "SELECT jp.job_id, jp.permit_id FROM job_permits jp JOIN jobs j ON j.id = "
		  "jp.job_id WHERE j.application_id = %lld ORDER BY jp.permit_id, jp.job_id",
		  app);
	while ((row = mysql_fetch_row(r)) && tpl.nlinks < MAX_ROWS) {
		tpl.link_job[tpl.nlinks] = index_of(job_id, tpl.njobs, atoll(row[0]));
		tpl.link_permit[tpl.nlinks++] = index_of(permit_id, tpl.npermits, atoll(row[1]));
	}
	mysql_free_result(r);
	r = query(my,
		  "SELECT e.permit_id, e.utility_kind, e.district_code, e.road, e.road_class, "
		  "e.from_m, e.to_m, ROUND(e.width_m * 100), e.start_day, e.end_day, e.road_id, "
		  "e.register_version, e.length_m, e.area_m2, e.zone_code, e.zone_risk, "
		  "ST_AsText(x.extent) FROM excavations e JOIN excavation_extents x ON "
		  "x.excavation_id = e.id WHERE e.application_id = %lld ORDER BY e.id",
		  app);
	while ((row = mysql_fetch_row(r)) && tpl.ndigs < MAX_DIGS) {
		struct tdig *d = &tpl.dig[tpl.ndigs++];
		d->permit = index_of(permit_id, tpl.npermits, atoll(row[0]));
		for (int c = 0; c < EC_N; c++)
			d->col[c] = dup_or_null(row[1 + c]);
		d->wkt = strdup(row[1 + EC_N]);
		d->order = -1;
	}
	mysql_free_result(r);
	/* the request's excavations, in its order: which named a road; matched by utility */
	r = query(my,
		  "SELECT j.utility, j.road_id FROM applications a, JSON_TABLE(a.request, "
		  "'$.works.excavations[*]' COLUMNS (n FOR ORDINALITY, utility VARCHAR(32) "
		  "PATH '$.utility', road_id VARCHAR(64) PATH '$.road_id')) j WHERE a.id = "
		  "%lld ORDER BY j.n",
		  app);
	int nreq = 0;
	while ((row = mysql_fetch_row(r)) && nreq < MAX_DIGS) {
		tpl.road_asked[nreq] = dup_or_null(row[1]);
		for (int d = 0; d < tpl.ndigs; d++) {
			if (tpl.dig[d].order >= 0 || !row[0] ||
			    strcmp(tpl.dig[d].col[EC_UTILITY], row[0]) != 0)
				continue;
			tpl.dig[d].order = nreq;
			tpl.dig[d].road_asked = tpl.road_asked[nreq];
			tpl.by_order[nreq] = d;
			break;
		}
		nreq++;
	}
	mysql_free_result(r);
	for (int d = 0; d < tpl.ndigs; d++)
		if (tpl.dig[d].order < 0 || nreq != tpl.ndigs)
			die("the template's excavations do not match its request's");
	r = query(my,
		  "SELECT t.permit_id, t.kind, t.org_id FROM tasks t JOIN permits p ON p.id = "
		  "t.permit_id WHERE p.application_id = %lld ORDER BY t.id",
		  app);
	while ((row = mysql_fetch_row(r)) && tpl.ntasks < MAX_PERMITS) {
		tpl.task_permit[tpl.ntasks] = index_of(permit_id, tpl.npermits, atoll(row[0]));
		tpl.task_kind[tpl.ntasks] = strdup(row[1]);
		tpl.task_org[tpl.ntasks++] = dup_or_null(row[2]);
	}
	mysql_free_result(r);
	r = query(my,
		  "SELECT s.permit_id, s.rules_version, s.risk_class, s.share_percent, s.draw, "
		  "s.sampled FROM post_check_samples s JOIN permits p ON p.id = s.permit_id "
		  "WHERE p.application_id = %lld ORDER BY s.permit_id",
		  app);
	while ((row = mysql_fetch_row(r)) && tpl.nsamples < MAX_PERMITS) {
		tpl.sample_permit[tpl.nsamples] = index_of(permit_id, tpl.npermits, atoll(row[0]));
		for (int k = 0; k < 5; k++)
			tpl.sample[tpl.nsamples][k] = strdup(row[1 + k]);
		tpl.nsamples++;
	}
	mysql_free_result(r);
	r = query(my,
		  "SELECT object_type, action, from_state, to_state, actor_role, payload, "
		  "stage, due_day FROM transitions WHERE application_id = %lld ORDER BY id",
		  app);
	while ((row = mysql_fetch_row(r)) && tpl.ntrans < 1 + MAX_JOBS + MAX_PERMITS) {
		for (int c = 0; c < TC_N; c++)
			tpl.trans[tpl.ntrans][c] = dup_or_null(row[c]);
		tpl.ntrans++;
	}
	mysql_free_result(r);
	r = query(my,
		  "SELECT c.object_id, c.key_id, c.document, k.public_key FROM certificates c "
		  "JOIN signing_keys k ON k.key_id = c.key_id WHERE c.application_id = %lld "
		  "AND c.object_type = 'permit' ORDER BY c.id",
		  app);
	while ((row = mysql_fetch_row(r)) && tpl.ncerts < MAX_PERMITS) {
		tpl.cert_permit[tpl.ncerts] = index_of(permit_id, tpl.npermits, atoll(row[0]));
		tpl.cert_document[tpl.ncerts++] = strdup(row[2]);
		if (!tpl.cert_key_id) {
			tpl.cert_key_id = strdup(row[1]);
			tpl.cert_public = strdup(row[3]);
		}
	}
	mysql_free_result(r);
}

/* The operation EPSG:4490 -> EPSG:4549 as PROJ's database gives it (workflows/geo.c). */
static void operation_find(void)
{
	static const char tm120[] = "+proj=pipeline +step +proj=unitconvert +xy_in=deg "
				    "+xy_out=rad +step +proj=tmerc +lat_0=0 +lon_0=120 +k=1 "
				    "+x_0=500000 +y_0=0 +ellps=GRS80";
	PJ_CONTEXT *pc = proj_context_create();
	proj_log_level(pc, PJ_LOG_NONE);
	PJ *t = proj_create_crs_to_crs(pc, "EPSG:4490", "EPSG:4549", NULL);
	PJ *n = t ? proj_normalize_for_visualization(pc, t) : NULL;
	const char *text = n ? proj_as_proj_string(pc, n, PJ_PROJ_5, NULL) : NULL;
	snprintf(operation, sizeof(operation), "%s",
		 text && strlen(text) < sizeof(operation) ? text : tm120);
	proj_destroy(n);
	proj_destroy(t);
	proj_context_destroy(pc);
}

int main(int argc, char **argv)
{
	if (argc != 18 && argc != 19) {
		fputs(
		    "usage: ref_tx SOCKET DB THREADS SECONDS ORG USER SITE MATERIALS PERMITS LINKS "
		    "DIGS TASKS OUTBOX PAYLOAD REQUEST ESTIMATE APP [TEMPLATES]\n",
		    stderr);
		return 2;
	}
	sock_path = argv[1];
	db_name = argv[2];
	int threads = atoi(argv[3]);
	seconds = atoi(argv[4]);
	shape.org = atoll(argv[5]);
	shape.user = atoll(argv[6]);
	long long site_arg = atoll(argv[7]);
	for (char *s = argv[8], *tok; (tok = strsep(&s, ",")) && shape.nmaterials < 32;)
		if (*tok)
			shape.materials[shape.nmaterials++] = atoll(tok);
	size_t at = (size_t)sprintf(shape.materials_json, "[");
	for (int i = 0; i < shape.nmaterials; i++)
		at += (size_t)sprintf(shape.materials_json + at, "%s%lld", i ? "," : "",
				      shape.materials[i]);
	sprintf(shape.materials_json + at, "]");
	shape.permits = atoi(argv[9]);
	shape.links = atoi(argv[10]);
	shape.digs = atoi(argv[11]);
	shape.tasks = atoi(argv[12]);
	shape.outbox = atoi(argv[13]);
	shape.payload = (size_t)atol(argv[14]);
	shape.request = (size_t)atol(argv[15]);
	shape.estimate = (size_t)atol(argv[16]);
	long long app = atoll(argv[17]);
	if (threads < 1 || seconds < 1 || shape.permits < 1 || shape.permits > MAX_PERMITS ||
	    shape.digs < 0 || shape.digs > MAX_DIGS || shape.links < 0 || shape.links > MAX_ROWS ||
	    shape.payload < 1 || shape.request < 2 || shape.estimate < 2 || app < 1)
		return 2;
	if (sodium_init() < 0)
		return 1;
	mysql_library_init(0, NULL, NULL);
	MYSQL *my = connect_db();
	cur = &tpls[0];
	template_read(my, app);
	if (tpl.noutbox != shape.outbox)
		die("application %lld wrote %d events, the arguments say %d", app, tpl.noutbox,
		    shape.outbox);
	if (tpl.site != site_arg)
		die("application %lld is not on site %lld", app, site_arg);
	if (tpl.npermits != shape.permits || tpl.nlinks != shape.links || tpl.ndigs != shape.digs ||
	    tpl.ntasks != shape.tasks || tpl.ntrans != 1 + tpl.njobs + tpl.npermits ||
	    (tpl.ncerts && !tpl.cert_key_id)) {
		fprintf(stderr,
			"ref_tx: application %lld has %d permits, %d links, %d digs, %d tasks, %d "
			"transitions; the arguments say %d, %d, %d, %d\n",
			app, tpl.npermits, tpl.nlinks, tpl.ndigs, tpl.ntasks, tpl.ntrans,
			shape.permits, shape.links, shape.digs, shape.tasks);
		return 2;
	}
	/* the spread: the templates of bench/submit.lua's bodies, in their order, instead of APP */
	ntpl = 1;
	if (argc == 19) {
		ntpl = 0;
		for (char *s = argv[18], *tok; (tok = strsep(&s, ","));) {
			if (!*tok)
				continue;
			if (ntpl == MAX_TPL)
				die("more than %d templates", MAX_TPL);
			cur = &tpls[ntpl++];
			template_read(my, atoll(tok));
			if (tpl.ntrans != 1 + tpl.njobs + tpl.npermits ||
			    (tpl.ncerts && !tpl.cert_key_id) || tpl.ndigs > MAX_DIGS)
				die("template %s does not read as a submission", tok);
		}
		if (!ntpl)
			return 2;
	}
	mysql_close(my);
	/* this process's audit chain and a signing key of its own (the signature's cost) */
	unsigned long long rnd;
	randombytes_buf(&rnd, sizeof(rnd));
	writer_id = (long long)(rnd & ((1ull << 53) - 1)) | 1;
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	crypto_sign_keypair(pk, sign_sk);
	operation_find();
	struct worker **w = calloc((size_t)threads, sizeof(*w));
	for (int i = 0; i < threads; i++)
		w[i] = worker_new(i);
	double t0 = now_ms();
	for (int i = 0; i < threads; i++)
		pthread_create(&w[i]->th, NULL, work, w[i]);
	struct timespec d = {seconds, 0};
	nanosleep(&d, NULL);
	atomic_store(&stop, 1);
	size_t total = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(w[i]->th, NULL);
		total += w[i]->nlat;
	}
	double elapsed = (now_ms() - t0) / 1e3;
	double *all = malloc((total + 1) * sizeof(double));
	size_t k = 0;
	for (int i = 0; i < threads; i++) {
		memcpy(all + k, w[i]->lat_ms, w[i]->nlat * sizeof(double));
		k += w[i]->nlat;
		mysql_close(w[i]->my);
	}
	qsort(all, total, sizeof(double), cmp);
	long searches = atomic_load(&near_searches), subs = atomic_load(&submissions);
	printf("tx_per_s=%.1f p50_ms=%.2f p99_ms=%.2f retries=%ld near=%.1f proposals=%.1f\n",
	       (double)total / elapsed, total ? all[total / 2] : 0,
	       total ? all[(size_t)((double)total * 0.99)] : 0, atomic_load(&retries),
	       searches ? (double)atomic_load(&near_rows) / (double)searches : 0,
	       subs ? (double)atomic_load(&proposals) / (double)subs : 0);
	return 0;
}
