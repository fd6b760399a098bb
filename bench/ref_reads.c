/*
 * Reference R of bench/run: the statements of one signed-in read, run straight through
 * Connector/C prepared statements by THREADS threads (each with its own connection) for SECONDS,
 * and nothing else: no HTTP, no JSON, no access rules. Every row and column the portal fetches
 * is fetched, bound as store/db.c binds it (whole-number columns as integers, the rest as text,
 * a long text fetched again whole), and then dropped.
 *
 * One read is, in this order, with the SQL text of store/ and the parameters the portal binds:
 *   the caller (portal/auth.c, auth_authenticate): the token's BLAKE2b-256 hash (libsodium's
 *     crypto_generichash, as secret_token_hash; computed once here) looked up by
 *     store_session_caller (store/accounts.c: SQL_SESSION_CALLER with the idle limit
 *     AUTH_SESSION_IDLE, 1800 s), or store_apikey_caller (SQL_KEY_CALLER) for an "hkp_" API
 *     key; then its "touch" (SQL_SESSION_TOUCH or SQL_KEY_TOUCH) when the last one is a minute
 *     old or more, as the portal writes it;
 *   then the handler's statements:
 *   queue         GET /v1/jobs?limit=LIMIT (portal/transitions_api.c, queue_get): store_job_queue
 *                 (store/queues.c: SQL_JOB_QUEUE) for the caller's organisation, no state, not
 *                 overdue-only, no box, from the start, LIMIT + 1 rows;
 *   permits-bbox  GET /v1/permits?bbox=BBOX&limit=LIMIT: store_permit_queue (SQL_PERMIT_QUEUE)
 *                 with the box as the WKT polygon store_works_box_wkt writes;
 *   timeline      GET /v1/applications/{id} (portal/applications_api.c, app_get_tx), id random
 *                 in [MIN, MAX]: store_application_view (store/applications.c:
 *                 SQL_APP_VIEW, the application with its site's name, district and zone
 *                 risk, and the project it cites), store_jobs_of_application (store/jobs.c:
 *                 SQL_JOBS_OF_APP), store_permits_of_application (store/permits.c:
 *                 SQL_PERMITS_OF_APP), store_timeline_text (store/history.c: SQL_TIMELINE).
 *                 An id with no application stops after the first statement
 *                 (the portal's 404) and counts as an error, as bench/reads.lua counts the 404;
 *   guidance      GET /v1/guidance?limit=LIMIT as a utility (portal/projects_api.c, queue_tx):
 *                 store_guidance_queue (store/projects.c: SQL_GUIDANCE_QUEUE) for the caller's
 *                 organisation, from the start, LIMIT + 1 rows;
 *   post-checks   GET /v1/post-checks as a road authority (portal/oversight_api.c,
 *                 post_checks_tx): store_post_checks_open (store/tasks.c: SQL_POST_CHECKS) for
 *                 the caller's organisation, at most OVERDUE_CAP (2000) rows.
 * The office's views of these queues (organisation 0) are not modelled: give a utility's or an
 * authority's token.
 * Like the portal's store_with, every statement runs in autocommit (no transaction), except the
 * box query, which the portal runs in a transaction (store_read_tx: START TRANSACTION, COMMIT).
 *
 *   ref_reads SOCKET DB THREADS SECONDS queue TOKEN LIMIT
 *   ref_reads SOCKET DB THREADS SECONDS permits-bbox TOKEN LIMIT MINLNG,MINLAT,MAXLNG,MAXLAT
 *   ref_reads SOCKET DB THREADS SECONDS timeline TOKEN MIN MAX
 *   ref_reads SOCKET DB THREADS SECONDS guidance TOKEN LIMIT
 *   ref_reads SOCKET DB THREADS SECONDS post-checks TOKEN
 *
 * Prints one line, like bench/reads.lua's RESULT line without its "RESULT":
 *   "rps=<n> p50_ms=<x> p99_ms=<y> errors=<n> rows=<mean rows fetched per read>"
 * Exit 1 when it cannot connect, a statement fails or the token is unknown, expired or signed
 * out (the portal's 401), 2 on bad arguments.
 */
#define _GNU_SOURCE
#include <math.h>
#include <mysql.h>
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
	S_SESSION_CALLER,
	S_SESSION_TOUCH,
	S_KEY_CALLER,
	S_KEY_TOUCH,
	S_JOB_QUEUE,
	S_PERMIT_QUEUE,
	S_APP_GET,
	S_JOBS_OF_APP,
	S_PERMITS_OF_APP,
	S_TIMELINE,
	S_GUIDANCE_QUEUE,
	S_POST_CHECKS,
	S_COUNT
};

/* store/clocks.h */
#define STORE_CLOCK_COLS                                                                           \
	"x.stage, x.stage_limit_days, x.started_day, x.due_day, x.paused, x.paused_day, "          \
	"x.remaining_days"
/* store/queues.c */
#define JOB_IN_BOX                                                                                 \
	"AND (? IS NULL OR EXISTS (SELECT 1 FROM excavations ex JOIN excavation_extents ee "       \
	"ON ee.excavation_id = ex.id WHERE ex.application_id = x.application_id "                 \
	"AND ex.utility_kind = x.utility_kind AND MBRIntersects(ee.extent, ST_GeomFromText(?)))) "
#define PERMIT_IN_BOX                                                                              \
	"AND (? IS NULL OR EXISTS (SELECT 1 FROM excavations ex JOIN excavation_extents ee "       \
	"ON ee.excavation_id = ex.id WHERE ex.permit_id = x.id "                                  \
	"AND MBRIntersects(ee.extent, ST_GeomFromText(?)))) "
/* store/jobs.c */
#define JOB_COLS                                                                               \
	"SELECT x.id, x.application_id, a.org_id, a.reference, a.submitted_day, x.reference, "  \
	"x.utility_kind, x.utility_org_id, x.state, x.version, x.params, x.connection_point, "   \
	"x.quote, x.quote_total_fen, x.permits_needed, "                                         \
	"DATE_FORMAT(x.updated_at, '%Y-%m-%dT%H:%i:%sZ'), " STORE_CLOCK_COLS                      \
	" FROM jobs x JOIN applications a ON a.id = x.application_id "
/* store/permits.c */
#define PERMIT_COLS                                                                            \
	"SELECT x.id, x.application_id, a.org_id, a.reference, a.submitted_day, x.reference, "  \
	"x.kind, x.authority_org_id, x.state, x.decision, x.is_deemed, x.fast_track, "           \
	"x.post_checked, x.reinstatement_passed, x.extension_pending, x.extension_to, "          \
	"x.window_from, x.window_to, x.deadline_day, x.trigger_reason, x.conditions, "           \
	"x.decision_reason, x.version, DATE_FORMAT(x.updated_at, '%Y-%m-%dT%H:%i:%sZ'), "        \
	STORE_CLOCK_COLS " FROM permits x JOIN applications a ON a.id = x.application_id "
/* store/projects.c */
#define GUIDANCE_COLS                                                                              \
	"SELECT g.id, g.project_id, g.org_id, p.name, p.district_code, g.utility_kind, o.name, "   \
	"g.state, g.stage, g.stage_limit_days, g.started_day, g.due_day, 0, NULL, NULL, "          \
	"g.answer, g.estimate_total_fen, g.answered_day, g.version FROM guidance g "               \
	"JOIN projects p ON p.id = g.project_id JOIN organisations o ON o.id = g.org_id "

static const char *const sql[S_COUNT] = {
    /* store/accounts.c */
    [S_SESSION_CALLER] =
	"SELECT s.id, u.id, u.org_id, u.role, o.kind, COALESCE(o.subkind, ''), o.district_code, "
	"TIMESTAMPDIFF(SECOND, s.last_seen_at, UTC_TIMESTAMP(6)) FROM sessions s "
	"JOIN users u ON u.id = s.user_id JOIN organisations o ON o.id = u.org_id "
	"WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > UTC_TIMESTAMP(6) "
	"AND s.last_seen_at > UTC_TIMESTAMP(6) - INTERVAL ? SECOND AND u.active = 1",
    [S_SESSION_TOUCH] = "UPDATE sessions SET last_seen_at = UTC_TIMESTAMP(6) WHERE id = ?",
    [S_KEY_CALLER] = "SELECT k.id, k.org_id, o.kind, COALESCE(o.subkind, ''), o.district_code, "
		     "COALESCE(TIMESTAMPDIFF(SECOND, k.last_used_at, UTC_TIMESTAMP(6)), 999999) "
		     "FROM api_keys k JOIN organisations o ON o.id = k.org_id "
		     "WHERE k.key_hash = ? AND k.revoked_at IS NULL",
    [S_KEY_TOUCH] = "UPDATE api_keys SET last_used_at = UTC_TIMESTAMP(6) WHERE id = ?",
    /* store/queues.c */
    [S_JOB_QUEUE] =
	"SELECT x.id, x.reference, x.utility_kind, x.state, x.stage, x.due_day, x.paused, "
	"a.reference, x.version, (x.paused = 0 AND x.due_day < ?) FROM jobs x "
	"JOIN applications a ON a.id = x.application_id WHERE x.utility_org_id = ? "
	"AND (? IS NULL OR x.state = ?) AND (? = 0 OR (x.paused = 0 AND x.due_day < ?)) AND x.id > ? "
	JOB_IN_BOX "ORDER BY x.id LIMIT ?",
    [S_PERMIT_QUEUE] =
	"SELECT x.id, x.reference, x.kind, x.state, x.stage, x.due_day, x.paused, a.reference, "
	"x.version, (x.paused = 0 AND x.due_day < ?), x.decision, x.fast_track, x.window_from, "
	"x.window_to FROM permits x JOIN applications a ON a.id = x.application_id "
	"WHERE x.authority_org_id = ? AND (? IS NULL OR x.state = ?) "
	"AND (? = 0 OR (x.paused = 0 AND x.due_day < ?)) AND x.id > ? " PERMIT_IN_BOX
	"ORDER BY x.id LIMIT ?",
    /* store/applications.c, jobs.c, permits.c, history.c */
    [S_APP_GET] =
	"SELECT a.id, a.reference, a.org_id, a.site_id, a.status, DATE_FORMAT(a.submitted_at, "
	"'%Y-%m-%dT%H:%i:%sZ'), a.submitted_day, a.estimate_total_fen, a.version, a.estimate, "
	"COALESCE(a.project_id, 0), s.name, s.district_code, s.zone_risk FROM applications a "
	"JOIN sites s ON s.id = a.site_id WHERE a.id = ?",
    [S_JOBS_OF_APP] = JOB_COLS "WHERE x.application_id = ? ORDER BY x.id",
    [S_PERMITS_OF_APP] = PERMIT_COLS "WHERE x.application_id = ? ORDER BY x.id",
    [S_TIMELINE] =
	"SELECT t.id, t.object_type, COALESCE(j.reference, p.reference, a.reference), t.action, "
	"t.from_state, t.to_state, t.actor_role, DATE_FORMAT(t.at, '%Y-%m-%dT%H:%i:%sZ'), t.stage, "
	"t.due_day, t.payload FROM transitions t JOIN applications a ON a.id = t.application_id "
	"LEFT JOIN jobs j ON t.object_type = 'job' AND j.id = t.object_id "
	"LEFT JOIN permits p ON t.object_type = 'permit' AND p.id = t.object_id "
	"WHERE t.application_id = ? ORDER BY t.id",
    /* store/projects.c */
    [S_GUIDANCE_QUEUE] = GUIDANCE_COLS
    "WHERE g.state = 'open' AND g.org_id = ? AND g.id > ? ORDER BY g.id LIMIT ?",
    /* store/tasks.c */
    [S_POST_CHECKS] =
	"SELECT t.id, t.permit_id, t.org_id, p.reference, a.reference, p.kind, p.state, "
	"DATE_FORMAT(t.created_at + INTERVAL 8 HOUR, '%Y-%m-%d'), a.submitted_day "
	"FROM tasks t JOIN permits p ON p.id = t.permit_id "
	"JOIN applications a ON a.id = p.application_id "
	"WHERE t.kind = 'post_check' AND t.status = 'open' AND (? = 0 OR t.org_id = ?) "
	"ORDER BY t.id LIMIT ?",
};

#define SESSION_IDLE 1800 /* AUTH_SESSION_IDLE in portal/auth.h */
#define API_KEY_PREFIX "hkp_" /* AUTH_API_KEY_PREFIX */
#define TZ_OFFSET (8 * 3600) /* CAL_TZ_OFFSET_SECONDS: the day is Asia/Shanghai's */
#define MAX_COLS 48	     /* STACK_COLS in store/db.c: more than any of these statements */
#define MAX_PARAMS 10

enum mode { M_QUEUE, M_PERMITS_BBOX, M_TIMELINE, M_GUIDANCE, M_POST_CHECKS };
#define OVERDUE_CAP 2000 /* portal/oversight_api.c: the post-check queue's most rows */

static const char *sock_path, *db_name;
static enum mode mode;
static unsigned char token_hash[32];
static bool api_key;
static int limit;
static long long id_min, id_max;
static char box_wkt[256];
static atomic_int stop;
static atomic_long errors, rows_total;

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("ref_reads: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* One prepared statement and its result binds, set up once (the portal caches both). */
struct col {
	unsigned long len;
	my_bool null, error;
	long long i;
	char buf[128]; /* store/db.c's column buffer: a longer text is fetched again whole */
};

struct stmt {
	MYSQL_STMT *st;
	unsigned ncols;
	MYSQL_BIND rb[MAX_COLS];
	struct col cols[MAX_COLS];
};

struct worker {
	pthread_t th;
	MYSQL *my;
	struct stmt s[S_COUNT];
	unsigned seed;
	char *big; /* a long column's value */
	size_t big_cap;
	double *lat_ms;
	size_t nlat, cap;
};

/* Parameters as store_exec binds them: integers as LONGLONG, text (and blobs) as STRING. */
struct binds {
	MYSQL_BIND b[MAX_PARAMS];
	long long ints[MAX_PARAMS];
	unsigned long lens[MAX_PARAMS];
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

static void b_bytes(struct binds *p, const void *s, size_t n)
{
	MYSQL_BIND *b = &p->b[p->n];
	memset(b, 0, sizeof(*b));
	if (!s) {
		b->buffer_type = MYSQL_TYPE_NULL;
	} else {
		p->lens[p->n] = (unsigned long)n;
		b->buffer_type = MYSQL_TYPE_STRING;
		b->buffer = (void *)s;
		b->buffer_length = p->lens[p->n];
		b->length = &p->lens[p->n];
	}
	p->n++;
}

static void b_str(struct binds *p, const char *s)
{
	b_bytes(p, s, s ? strlen(s) : 0);
}

/* store/db.c's integer_column: these are fetched as numbers, the rest as text */
static bool integer_column(const MYSQL_FIELD *f)
{
	switch (f->type) {
	case MYSQL_TYPE_TINY:
	case MYSQL_TYPE_SHORT:
	case MYSQL_TYPE_INT24:
	case MYSQL_TYPE_LONG:
	case MYSQL_TYPE_LONGLONG:
		return !(f->flags & ZEROFILL_FLAG);
	default:
		return false;
	}
}

static void prepare(struct worker *w, int i)
{
	struct stmt *s = &w->s[i];
	s->st = mysql_stmt_init(w->my);
	if (!s->st || mysql_stmt_prepare(s->st, sql[i], (unsigned long)strlen(sql[i])))
		die("prepare %s: %s", sql[i], s->st ? mysql_stmt_error(s->st) : "out of memory");
	MYSQL_RES *meta = mysql_stmt_result_metadata(s->st);
	if (!meta)
		return; /* an UPDATE */
	s->ncols = mysql_num_fields(meta);
	if (s->ncols > MAX_COLS)
		die("%s: %u columns", sql[i], s->ncols);
	memset(s->rb, 0, sizeof(s->rb));
	for (unsigned k = 0; k < s->ncols; k++) {
		MYSQL_BIND *b = &s->rb[k];
		struct col *c = &s->cols[k];
		const MYSQL_FIELD *f = mysql_fetch_field_direct(meta, k);
		if (integer_column(f)) {
			b->buffer_type = MYSQL_TYPE_LONGLONG;
			b->buffer = &c->i;
			b->is_unsigned = (f->flags & UNSIGNED_FLAG) != 0;
		} else {
			b->buffer_type = MYSQL_TYPE_STRING;
			b->buffer = c->buf;
			b->buffer_length = sizeof(c->buf);
		}
		b->length = &c->len;
		b->is_null = &c->null;
		b->error = &c->error;
	}
	mysql_free_result(meta);
}

/*
 * Executes statement i with p, buffers the result (mysql_stmt_store_result, as store_exec) and
 * fetches every row; with first set, the first row's integer columns are left in s->cols for
 * the caller to read (the lookup's ids). Returns the row count; exits on a failure.
 */
static long exec(struct worker *w, int i, struct binds *p, long long *first, int nfirst,
		 const int *first_cols)
{
	struct stmt *s = &w->s[i];
	if ((p->n && mysql_stmt_bind_param(s->st, p->b)) || mysql_stmt_execute(s->st))
		die("%s: %s", sql[i], mysql_stmt_error(s->st));
	if (!s->ncols)
		return 0;
	if (mysql_stmt_bind_result(s->st, s->rb) || mysql_stmt_store_result(s->st))
		die("%s: %s", sql[i], mysql_stmt_error(s->st));
	long n = 0;
	int f;
	while ((f = mysql_stmt_fetch(s->st)) == 0 || f == MYSQL_DATA_TRUNCATED) {
		for (unsigned k = 0; k < s->ncols; k++) {
			struct col *c = &s->cols[k];
			if (c->null || s->rb[k].buffer_type != MYSQL_TYPE_STRING ||
			    c->len <= sizeof(c->buf))
				continue;
			/* truncated: fetched again whole, as store/db.c does */
			if (c->len + 1 > w->big_cap) {
				w->big_cap = c->len + 1;
				w->big = realloc(w->big, w->big_cap);
				if (!w->big)
					exit(1);
			}
			MYSQL_BIND one;
			unsigned long got = 0;
			memset(&one, 0, sizeof(one));
			one.buffer_type = MYSQL_TYPE_STRING;
			one.buffer = w->big;
			one.buffer_length = c->len + 1;
			one.length = &got;
			if (mysql_stmt_fetch_column(s->st, &one, k, 0))
				die("%s: %s", sql[i], mysql_stmt_error(s->st));
		}
		for (int k = 0; n == 0 && k < nfirst; k++) {
			const struct col *c = &s->cols[first_cols[k]];
			char text[32];
			if (c->null) {
				first[k] = 0;
			} else if (s->rb[first_cols[k]].buffer_type == MYSQL_TYPE_LONGLONG) {
				first[k] = c->i;
			} else { /* a number the server typed otherwise: read from its text */
				snprintf(text, sizeof(text), "%.*s", (int)c->len, c->buf);
				first[k] = atoll(text);
			}
		}
		n++;
	}
	if (f == 1)
		die("%s: %s", sql[i], mysql_stmt_error(s->st));
	mysql_stmt_free_result(s->st);
	return n;
}

/* The caller: the lookup and its once-a-minute touch; 0 with the organisation, or -1 (401). */
static int caller(struct worker *w, long long *org, long *rows)
{
	struct binds p = {.n = 0};
	long long v[3];
	long n;
	if (api_key) {
		b_bytes(&p, token_hash, sizeof(token_hash));
		n = exec(w, S_KEY_CALLER, &p, v, 3, (const int[]){0, 1, 5});
	} else {
		b_bytes(&p, token_hash, sizeof(token_hash));
		b_int(&p, SESSION_IDLE);
		n = exec(w, S_SESSION_CALLER, &p, v, 3, (const int[]){0, 2, 7});
	}
	*rows += n;
	if (n == 0)
		return -1;
	*org = v[1];
	if (v[2] >= 60) {
		p.n = 0;
		b_int(&p, v[0]);
		exec(w, api_key ? S_KEY_TOUCH : S_SESSION_TOUCH, &p, NULL, 0, NULL);
	}
	return 0;
}

/* Today as the portal's tracks_today gives it (the local day), as YYYY-MM-DD. */
static void today(char out[11])
{
	time_t t = time(NULL) + TZ_OFFSET;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* One read; returns the rows fetched, or -1 for what the portal answers with an error. */
static long one_read(struct worker *w)
{
	long rows = 0;
	long long org = 0;
	if (caller(w, &org, &rows))
		return -1;
	struct binds p = {.n = 0};
	if (mode == M_GUIDANCE) {
		/* projects_api.c queue_tx: store_guidance_queue(org, after 0, limit), limit + 1 */
		b_int(&p, org);
		b_int(&p, 0);
		b_int(&p, limit + 1);
		return rows + exec(w, S_GUIDANCE_QUEUE, &p, NULL, 0, NULL);
	}
	if (mode == M_POST_CHECKS) {
		/* oversight_api.c post_checks_tx: store_post_checks_open(org, OVERDUE_CAP) */
		b_int(&p, org);
		b_int(&p, org);
		b_int(&p, OVERDUE_CAP);
		return rows + exec(w, S_POST_CHECKS, &p, NULL, 0, NULL);
	}
	if (mode != M_TIMELINE) {
		/* store/queues.c's queue(): today, org, state x2, overdue, today, after, box x2, limit+1 */
		char t[11];
		today(t);
		const char *wkt = mode == M_PERMITS_BBOX ? box_wkt : NULL;
		b_str(&p, t);
		b_int(&p, org);
		b_str(&p, NULL);
		b_str(&p, NULL);
		b_int(&p, 0);
		b_str(&p, t);
		b_int(&p, 0);
		b_str(&p, wkt);
		b_str(&p, wkt);
		b_int(&p, limit + 1);
		if (mode == M_QUEUE)
			return rows + exec(w, S_JOB_QUEUE, &p, NULL, 0, NULL);
		/* with a box the portal reads in a transaction (store_read_tx, MDEV-26123) */
		if (mysql_query(w->my, "START TRANSACTION"))
			die("START TRANSACTION: %s", mysql_error(w->my));
		rows += exec(w, S_PERMIT_QUEUE, &p, NULL, 0, NULL);
		if (mysql_commit(w->my))
			die("COMMIT: %s", mysql_error(w->my));
		return rows;
	}
	long long id = id_min + (long long)(rand_r(&w->seed) % (unsigned)(id_max - id_min + 1));
	long long app[2]; /* id, site_id */
	b_int(&p, id);
	long n = exec(w, S_APP_GET, &p, app, 2, (const int[]){0, 3});
	if (n == 0)
		return -1; /* the portal's 404 */
	rows += n;
	p.n = 0;
	b_int(&p, app[0]);
	rows += exec(w, S_JOBS_OF_APP, &p, NULL, 0, NULL);
	rows += exec(w, S_PERMITS_OF_APP, &p, NULL, 0, NULL);
	rows += exec(w, S_TIMELINE, &p, NULL, 0, NULL);
	return rows;
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
	while (!atomic_load(&stop)) {
		double t0 = now_ms();
		long rows = one_read(w);
		double t1 = now_ms();
		if (rows < 0) {
			atomic_fetch_add(&errors, 1);
			continue; /* like wrk's non-2xx: counted, not timed */
		}
		atomic_fetch_add(&rows_total, rows);
		if (w->nlat == w->cap) {
			w->cap = w->cap ? w->cap * 2 : 4096;
			w->lat_ms = realloc(w->lat_ms, w->cap * sizeof(double));
			if (!w->lat_ms)
				exit(1);
		}
		w->lat_ms[w->nlat++] = t1 - t0;
	}
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* A connection set up as store/db.c's open_node sets the portal's up. */
static MYSQL *connect_db(void)
{
	MYSQL *my = mysql_init(NULL);
	if (!my)
		die("out of memory");
	mysql_optionsv(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_optionsv(my, MYSQL_INIT_COMMAND,
		       "SET time_zone='+00:00', sql_mode='STRICT_ALL_TABLES,NO_ZERO_DATE,"
		       "NO_ENGINE_SUBSTITUTION,ERROR_FOR_DIVISION_BY_ZERO'");
	if (!mysql_real_connect(my, NULL, "root", NULL, db_name, 0, sock_path, 0))
		die("connect: %s", mysql_error(my));
	return my;
}

/* minlng,minlat,maxlng,maxlat as portal/works_api.c's works_bbox_parse reads it. */
static bool parse_bbox(const char *text, double v[4])
{
	const char *s = text;
	for (int n = 0; n < 4; n++) {
		char *end;
		v[n] = strtod(s, &end);
		if (end == s || !isfinite(v[n]))
			return false;
		s = end;
		if (n < 3 && *s++ != ',')
			return false;
	}
	return !*s && v[0] >= -180 && v[2] <= 180 && v[1] >= -90 && v[3] <= 90 && v[0] <= v[2] &&
	       v[1] <= v[3];
}

static int usage(void)
{
	fputs("usage: ref_reads SOCKET DB THREADS SECONDS queue TOKEN LIMIT\n"
	      "       ref_reads SOCKET DB THREADS SECONDS permits-bbox TOKEN LIMIT "
	      "MINLNG,MINLAT,MAXLNG,MAXLAT\n"
	      "       ref_reads SOCKET DB THREADS SECONDS timeline TOKEN MIN MAX\n"
	      "       ref_reads SOCKET DB THREADS SECONDS guidance TOKEN LIMIT\n"
	      "       ref_reads SOCKET DB THREADS SECONDS post-checks TOKEN\n",
	      stderr);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 7)
		return usage();
	sock_path = argv[1];
	db_name = argv[2];
	int threads = atoi(argv[3]);
	int seconds = atoi(argv[4]);
	const char *m = argv[5], *token = argv[6];
	if (!strcmp(m, "queue") && argc == 8) {
		mode = M_QUEUE;
		limit = atoi(argv[7]);
	} else if (!strcmp(m, "permits-bbox") && argc == 9) {
		mode = M_PERMITS_BBOX;
		limit = atoi(argv[7]);
		double b[4];
		if (!parse_bbox(argv[8], b))
			return usage();
		/* store_works_box_wkt's text */
		snprintf(box_wkt, sizeof(box_wkt),
			 "POLYGON((%.7f %.7f,%.7f %.7f,%.7f %.7f,%.7f %.7f,%.7f %.7f))", b[0], b[1],
			 b[2], b[1], b[2], b[3], b[0], b[3], b[0], b[1]);
	} else if (!strcmp(m, "guidance") && argc == 8) {
		mode = M_GUIDANCE;
		limit = atoi(argv[7]);
	} else if (!strcmp(m, "post-checks") && argc == 7) {
		mode = M_POST_CHECKS;
		limit = 1; /* unused: the queue is read whole, up to OVERDUE_CAP */
	} else if (!strcmp(m, "timeline") && argc == 9) {
		mode = M_TIMELINE;
		id_min = atoll(argv[7]);
		id_max = atoll(argv[8]);
		if (id_min < 1 || id_max < id_min)
			return usage();
	} else {
		return usage();
	}
	if (threads < 1 || seconds < 1 || (mode != M_TIMELINE && (limit < 1 || limit > 200)) ||
	    !*token)
		return usage();
	if (sodium_init() < 0)
		return 1;
	/* secret_token_hash (portal/secrets.c) */
	crypto_generichash(token_hash, sizeof(token_hash), (const unsigned char *)token,
			   strlen(token), NULL, 0);
	api_key = strncmp(token, API_KEY_PREFIX, strlen(API_KEY_PREFIX)) == 0;
	mysql_library_init(0, NULL, NULL);
	struct worker **w = calloc((size_t)threads, sizeof(*w));
	for (int i = 0; i < threads; i++) {
		w[i] = calloc(1, sizeof(*w[i]));
		w[i]->my = connect_db();
		w[i]->seed = (unsigned)time(NULL) ^ (unsigned)getpid() ^ (unsigned)(i * 2654435761u);
		for (int k = 0; k < S_COUNT; k++)
			prepare(w[i], k);
	}
	/* the token must be one the portal would take */
	long long org;
	long rows = 0;
	if (caller(w[0], &org, &rows))
		die("the token is unknown, expired or signed out");
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
		for (int s = 0; s < S_COUNT; s++)
			mysql_stmt_close(w[i]->s[s].st);
		mysql_close(w[i]->my);
	}
	qsort(all, total, sizeof(double), cmp);
	long e = atomic_load(&errors);
	printf("rps=%.1f p50_ms=%.3f p99_ms=%.3f errors=%ld rows=%.1f\n",
	       (double)(total + (size_t)e) / elapsed, total ? all[total / 2] : 0,
	       total ? all[(size_t)((double)total * 0.99)] : 0, e,
	       total ? (double)atomic_load(&rows_total) / (double)total : 0);
	return 0;
}
