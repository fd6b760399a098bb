/*
 * Reference D of bench/run: the SQL transaction of one application submission, run straight
 * through Connector/C with prepared statements, by THREADS threads for SECONDS, and nothing
 * else (no HTTP, no JSON, no rules). The statements have the shapes of store/ (jobs.c, permits.c, multirow.c),
 * store/audit.c, store/sites.c, store/materials.c and store/accounts.c, in the order
 * portal/applications_api.c runs them; the counts (permits, links, excavations, tasks, outbox
 * rows), the outbox payload size and the sizes of the stored request and estimate come from a
 * real submission of the portal (bench/run measures them and passes them in). Like bench/submit.lua, each submission digs on a road of
 * its own, so the trench-sharing search finds nobody.
 *
 * As in the portal, the materials are read in one query (a JSON array of their ids) and the
 * organisations of every kind in another; the application and tasks are inserted one row at a
 * time, and jobs and permits (INSERT ... RETURNING id, for the rows that reference them),
 * materials, job-permit links, excavations, transitions and outbox events with multi-row
 * INSERTs: chunks of at most 256 bound values (STORE_MAX_PARAMS) and 16 rows, the SQL text the
 * same as store/multirow.c builds for that row count. The application's place and its road segments are read once for all its
 * events.
 *
 *   ref_tx SOCKET DB THREADS SECONDS ORG USER SITE MATERIALS PERMITS LINKS DIGS TASKS OUTBOX PAYLOAD
 *          REQUEST ESTIMATE
 *
 * MATERIALS is a comma-separated list of material ids. Prints one line:
 *   "tx_per_s=<n> p50_ms=<x> p99_ms=<y> retries=<n>"
 * Exit 1 when it cannot connect or a statement fails other than by deadlock/lock wait.
 */
#define _GNU_SOURCE
#include <mysql.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
	S_SITE,
	S_MATERIAL,
	S_ORG,
	S_REF,
	S_APP,
	S_TASK,
	S_OVERLAPS,
	S_AUDIT_HEAD,
	S_AUDIT,
	S_AUDIT_MOVE,
	S_JOBS_OF,
	S_PERMITS_OF,
	S_PLACE,
	S_SEGMENTS,
	S_COUNT
};

static const char *const sql[S_COUNT] = {
	[S_SITE] = "SELECT id, org_id, name, address, district_code, lat, lng, plot_ref, zone_risk, "
		   "DATE_FORMAT(created_at, '%Y-%m-%dT%H:%i:%sZ') FROM sites WHERE id = ? AND "
		   "org_id = ?",
	[S_MATERIAL] = "SELECT j.n, m.id, m.org_id, m.material_type FROM JSON_TABLE(?, '$[*]' COLUMNS ("
		       "n FOR ORDINALITY, id BIGINT PATH '$')) j JOIN materials m ON m.id = j.id ORDER BY j.n",
	[S_ORG] = "SELECT subkind, id FROM organisations WHERE kind IN ('utility', 'authority') "
		  "ORDER BY subkind, id",
	[S_REF] = "INSERT INTO reference_counters (year, next_value) VALUES (?, LAST_INSERT_ID(1)) "
		  "ON DUPLICATE KEY UPDATE next_value = LAST_INSERT_ID(next_value + 1)",
	[S_APP] = "INSERT INTO applications (reference, org_id, site_id, submitted_at, "
		  "submitted_day, request, estimate, estimate_total_fen, idempotency_key, "
		  "request_hash, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[S_TASK] = "INSERT INTO tasks (permit_id, kind, org_id) VALUES (?, ?, ?)",
	[S_OVERLAPS] = "SELECT DISTINCT e.permit_id FROM excavations e JOIN applications a ON a.id "
		       "= e.application_id WHERE e.district_code = ? AND e.road = ? AND e.from_m "
		       "<= ? AND e.to_m >= ? AND e.start_day <= ? AND e.end_day >= ? AND "
		       "e.application_id <> ? AND a.status = 'open' AND e.permit_id IS NOT NULL "
		       "ORDER BY 1 LIMIT 20",
	[S_AUDIT_HEAD] = "SELECT last_id, last_hash FROM audit_head WHERE id = 1 FOR UPDATE",
	[S_AUDIT] = "INSERT INTO audit_log (id, at, actor_user_id, actor_org_id, action, "
		    "object_type, object_id, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, "
		    "?, ?, ?)",
	[S_AUDIT_MOVE] = "UPDATE audit_head SET last_id = ?, last_hash = ? WHERE id = 1",
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
	[S_SEGMENTS] = "SELECT permit_id, road, from_m, to_m, width_m, road_class FROM excavations "
		       "WHERE application_id = ? AND permit_id IS NOT NULL ORDER BY id",
};

/* The multi-row INSERTs: statement start and one row's group, joined as store/multirow.c does. */
#define BINDS_MAX 256 /* STORE_MAX_PARAMS in store/db.h */
#define BATCH_ROWS_MAX 16
enum { B_JOBS, B_PERMITS, B_MATERIALS, B_LINKS, B_EXCAVATIONS, B_TRANSITIONS, B_OUTBOX, B_COUNT };
static const struct {
	const char *head, *row, *tail;
	int cols;
} batch[B_COUNT] = {
	[B_JOBS] = { "INSERT INTO jobs (application_id, reference, utility_kind, utility_org_id, "
		     "state, params, stage, stage_limit_days, started_day, due_day) VALUES ",
		     "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", " RETURNING id", 10 },
	[B_PERMITS] = { "INSERT INTO permits (application_id, reference, kind, authority_org_id, "
			"state, decision, trigger_reason, fast_track, window_from, window_to, "
			"deadline_day, stage, stage_limit_days, started_day, due_day) VALUES ",
			"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", " RETURNING id", 15 },
	[B_MATERIALS] = { "INSERT INTO application_materials (application_id, material_id) VALUES ",
			  "(?, ?)", "", 2 },
	[B_LINKS] = { "INSERT INTO job_permits (job_id, permit_id) VALUES ", "(?, ?)", "", 2 },
	[B_EXCAVATIONS] = { "INSERT INTO excavations (application_id, permit_id, utility_kind, "
			    "district_code, road, road_class, from_m, to_m, width_m, start_day, "
			    "end_day) VALUES ",
			    "(?, ?, ?, ?, ?, ?, ?, ?, ? / 100, ?, ?)", "", 11 },
	[B_TRANSITIONS] = { "INSERT INTO transitions (application_id, object_type, object_id, "
			    "action, from_state, to_state, actor_role, actor_org_id, "
			    "actor_user_id, payload, at, stage, due_day) VALUES ",
			    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "", 13 },
	[B_OUTBOX] = { "INSERT INTO outbox (org_id, application_id, event_type, payload) VALUES ",
		       "(?, ?, ?, ?)", "", 4 },
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

struct shape {
	long long org, user, site;
	long long materials[32];
	char materials_json[32 * 21 + 3]; /* "[id,id,...]" */
	int nmaterials, permits, links, digs, tasks, outbox;
	size_t payload, request, estimate; /* bytes */
};

static const char *sock_path, *db_name;
static struct shape shape;
static int seconds;
static atomic_int stop;
static atomic_long retries;

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
};

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

/*
 * Executes a statement; reads any rows, keeping the first column of the first row in first_col
 * and of every row in ids (when not NULL). Returns 0, 1 to retry, -1 on failure.
 */
static int exec(MYSQL_STMT *st, const char *text, struct binds *p, unsigned long long *insert_id,
		long long *first_col, long long *ids)
{
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
		int n = 0, f;
		while ((f = mysql_stmt_fetch(st)) == 0 || f == MYSQL_DATA_TRUNCATED) {
			cells[0][lens[0] < 2047 ? lens[0] : 2047] = 0;
			long long v = nulls[0] ? 0 : atoll(cells[0]);
			if (n == 0 && first_col)
				*first_col = v;
			if (ids)
				ids[n] = v;
			n++;
		}
		mysql_stmt_free_result(st);
	}
	if (insert_id)
		*insert_id = mysql_stmt_insert_id(st);
	return 0;
fail:;
	unsigned e = mysql_stmt_errno(st);
	if (e == 1213 || e == 1205)
		return 1;
	fprintf(stderr, "ref_tx: %s: %s\n", text, mysql_stmt_error(st));
	return -1;
}

static int run(struct worker *w, int i, struct binds *p, unsigned long long *insert_id,
	       long long *first_col)
{
	return exec(w->st[i], sql[i], p, insert_id, first_col, NULL);
}

/* Executes the n-row statement of batch kind k with the binds in p; ids gets what it returns. */
static int run_batch(struct worker *w, int k, int n, struct binds *p, long long *ids)
{
	if (!w->bst[k][n]) {
		w->btext[k][n] = batch_text(k, n);
		w->bst[k][n] = mysql_stmt_init(w->my);
		if (mysql_stmt_prepare(w->bst[k][n], w->btext[k][n],
				       (unsigned long)strlen(w->btext[k][n]))) {
			fprintf(stderr, "ref_tx: prepare %s: %s\n", w->btext[k][n],
				mysql_stmt_error(w->bst[k][n]));
			exit(1);
		}
	}
	return exec(w->bst[k][n], w->btext[k][n], p, NULL, NULL, ids);
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

#define RUN(i, p, id, col)                                    \
	do {                                                  \
		int rc_ = run(w, (i), (p), (id), (col));      \
		if (rc_)                                      \
			return rc_;                           \
	} while (0)

/*
 * A multi-row INSERT of `total` rows of batch kind k, in chunks: ROW binds row i's values
 * into p (it may use i, the row's index in the whole batch). IDS (NULL, or room for `total`)
 * receives the ids a RETURNING statement gives back.
 */
#define BATCH_IDS(k, total, i, IDS, ROW)                                              \
	do {                                                                          \
		long long *ids_ = (IDS);                                              \
		for (int i = 0, end_; i < (total);) {                                 \
			int m_ = chunk_rows((k), (total) - i);                        \
			long long *at_ = ids_ ? ids_ + i : NULL;                      \
			p.n = 0;                                                      \
			for (end_ = i + m_; i < end_; i++) {                          \
				ROW;                                                  \
			}                                                             \
			int rc_ = run_batch(w, (k), m_, &p, at_);                     \
			if (rc_)                                                      \
				return rc_;                                           \
		}                                                                     \
	} while (0)
#define BATCH(k, total, i, ROW) BATCH_IDS(k, total, i, NULL, ROW)

#define MAX_PERMITS 64
#define MAX_DIGS 256

/* Transition t of a submission: the application's, then each job's, then each permit's. */
static void transition_row(struct binds *p, int t, unsigned long long app,
			   const long long *jobs, const long long *pids,
			   const char *at)
{
	bool is_app = t == 0, is_job = t >= 1 && t <= 5;
	b_int(p, (long long)app);
	b_str(p, is_app ? "application" : is_job ? "job" : "permit");
	b_int(p, is_app ? (long long)app : is_job ? jobs[t - 1] : pids[t - 6]);
	b_str(p, "submit"), b_str(p, NULL), b_str(p, is_app ? "open" : "submitted");
	b_str(p, "applicant"), b_int(p, shape.org), b_int(p, shape.user);
	b_str(p, "{}"), b_str(p, at), b_str(p, is_app ? NULL : "acceptance");
	b_str(p, is_app ? NULL : "2026-03-04");
}

/* One submission's statements, inside the caller's transaction. */
static int submission(struct worker *w)
{
	static const char *const kinds[] = { "water", "power", "gas", "heat", "network" };
	struct binds p;
	const long long *orgs = w->orgs;
	char at[40], ref[32], road[48];
	utc_now(at, sizeof(at));
	long long mat = 0;

	p.n = 0, b_int(&p, shape.site), b_int(&p, shape.org);
	RUN(S_SITE, &p, NULL, NULL);
	/* the materials in one query (a JSON array of ids), the organisations in another */
	p.n = 0, b_str(&p, shape.materials_json);
	RUN(S_MATERIAL, &p, NULL, &mat);
	long long first_org = 0; /* the rows are read, as the portal reads them; w->orgs has them */
	p.n = 0;
	RUN(S_ORG, &p, NULL, &first_org);
	unsigned long long n = w->ref_n, app = 0;
	/* a road of its own, as bench/submit.lua gives every submission */
	snprintf(road, sizeof(road), "Bench Road %llu", n % 100000);
	snprintf(ref, sizeof(ref), "BX-%d-%09llu", w->index, n);
	char hash[65];
	memset(hash, 'a', 64), hash[64] = 0;
	p.n = 0, b_str(&p, ref), b_int(&p, shape.org), b_int(&p, shape.site), b_str(&p, at);
	b_str(&p, "2026-03-02"), b_str(&p, w->request), b_str(&p, w->estimate);
	b_int(&p, 12345600), b_str(&p, NULL), b_str(&p, hash), b_int(&p, shape.user);
	RUN(S_APP, &p, &app, NULL);
	BATCH(B_MATERIALS, shape.nmaterials, i,
	      (b_int(&p, (long long)app), b_int(&p, shape.materials[i])));
	/* the jobs in one statement, then the permits in another, each returning their ids */
	char jref[5][48], pref[MAX_PERMITS][48];
	long long jobs[5] = { 0 };
	BATCH_IDS(B_JOBS, 5, k, jobs,
		  (snprintf(jref[k], sizeof(jref[k]), "%s-%c", ref, "WPGHN"[k]),
		   b_int(&p, (long long)app), b_str(&p, jref[k]), b_str(&p, kinds[k]),
		   b_int(&p, orgs[k]), b_str(&p, "submitted"),
		   b_str(&p, "{\"dn\":100,\"meters\":1,\"use\":\"commercial\"}"),
		   b_str(&p, "acceptance"), b_int(&p, 2), b_str(&p, "2026-03-02"),
		   b_str(&p, "2026-03-04")));
	long long pids[MAX_PERMITS] = { 0 };
	BATCH_IDS(B_PERMITS, shape.permits, i, pids,
		  (snprintf(pref[i], sizeof(pref[i]), "%s-P%d", ref, i),
		   b_int(&p, (long long)app), b_str(&p, pref[i]), b_str(&p, "dig_road"),
		   b_int(&p, orgs[5 + i % 3]), b_str(&p, "submitted"), b_str(&p, "none"),
		   b_str(&p, "excavation on a branch road, 20 m"), b_int(&p, 0),
		   b_str(&p, "2026-03-02"), b_str(&p, "2026-03-07"), b_str(&p, "2026-03-20"),
		   b_str(&p, "acceptance"), b_int(&p, 2), b_str(&p, "2026-03-02"),
		   b_str(&p, "2026-03-04")));
	/* the post-check tasks of fast-tracked permits, after the permits */
	for (int t = 0; t < shape.tasks; t++) {
		p.n = 0, b_int(&p, pids[shape.permits - 1]), b_str(&p, "post_check");
		b_int(&p, orgs[5]);
		RUN(S_TASK, &p, NULL, NULL);
	}
	/* the links and excavations, spread over the permits */
	int links = shape.links, digs = shape.digs;
	long long link_job[MAX_PERMITS * 5], link_permit[MAX_PERMITS * 5];
	long long dig_permit[MAX_DIGS];
	int nlinks = 0, ndigs = 0;
	for (int i = 0; i < shape.permits; i++) {
		int left = shape.permits - i;
		for (int l = 0, nl = (links + left - 1) / left; l < nl; l++, links--) {
			link_job[nlinks] = jobs[l % 5];
			link_permit[nlinks++] = pids[i];
		}
		for (int d = 0, nd = (digs + left - 1) / left; d < nd; d++, digs--)
			dig_permit[ndigs++] = pids[i];
	}
	BATCH(B_LINKS, nlinks, l,
	      (b_int(&p, link_job[l]), b_int(&p, link_permit[l])));
	BATCH(B_EXCAVATIONS, ndigs, d,
	      (b_int(&p, (long long)app), b_int(&p, dig_permit[d]), b_str(&p, "water"),
	       b_str(&p, "350102"), b_str(&p, road), b_str(&p, "branch"), b_int(&p, 100),
	       b_int(&p, 120), b_int(&p, 100), b_str(&p, "2026-03-02"), b_str(&p, "2026-03-07")));
	/* trench sharing: the portal looks for others digging where each excavation is */
	for (int d = 0; d < ndigs; d++) {
		p.n = 0, b_str(&p, "350102"), b_str(&p, road), b_int(&p, 120), b_int(&p, 100);
		b_str(&p, "2026-03-07"), b_str(&p, "2026-03-02"), b_int(&p, (long long)app);
		RUN(S_OVERLAPS, &p, NULL, NULL);
	}
	BATCH(B_TRANSITIONS, 1 + 5 + shape.permits, t, transition_row(&p, t, app, jobs, pids, at));
	p.n = 0, b_int(&p, (long long)app);
	RUN(S_JOBS_OF, &p, NULL, NULL);
	p.n = 0, b_int(&p, (long long)app);
	RUN(S_PERMITS_OF, &p, NULL, NULL);
	/* events: each party's carries the place (and a dig permit's its segments), read once */
	p.n = 0, b_int(&p, (long long)app);
	RUN(S_PLACE, &p, NULL, NULL);
	if (shape.digs > 0) {
		p.n = 0, b_int(&p, (long long)app);
		RUN(S_SEGMENTS, &p, NULL, NULL);
	}
	BATCH(B_OUTBOX, shape.outbox, e,
	      (b_int(&p, orgs[e % 8]), b_int(&p, (long long)app), b_str(&p, "job.created"),
	       b_str(&p, w->payload)));
	/* the audit chain: lock the head, append, move the head */
	long long last = 0;
	RUN(S_AUDIT_HEAD, NULL, NULL, &last);
	char prev[65], next[65];
	memset(prev, 'b', 64), prev[64] = 0;
	memset(next, 'c', 64), next[64] = 0;
	p.n = 0, b_int(&p, last + 1), b_str(&p, at), b_int(&p, shape.user), b_int(&p, shape.org);
	b_str(&p, "application.submit"), b_str(&p, "application"), b_str(&p, ref);
	b_str(&p, "{\"estimate_total_fen\":12345600,\"jobs\":5,\"permits\":3}");
	b_str(&p, prev), b_str(&p, next);
	RUN(S_AUDIT, &p, NULL, NULL);
	p.n = 0, b_int(&p, last + 1), b_str(&p, next);
	RUN(S_AUDIT_MOVE, &p, NULL, NULL);
	return 0;
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
		int rc;
		/* the reference number: its own autocommit statement, as the portal takes it */
		struct binds p;
		p.n = 0, b_int(&p, 2026);
		if (run(w, S_REF, &p, &w->ref_n, NULL))
			exit(1);
		do {
			if (mysql_query(w->my, "START TRANSACTION")) {
				fprintf(stderr, "ref_tx: %s\n", mysql_error(w->my));
				exit(1);
			}
			rc = submission(w);
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

static struct worker *worker_new(int index)
{
	struct worker *w = calloc(1, sizeof(*w));
	w->index = index;
	w->my = mysql_init(NULL);
	if (!mysql_real_connect(w->my, NULL, "root", NULL, db_name, 0, sock_path, 0)) {
		fprintf(stderr, "ref_tx: connect: %s\n", mysql_error(w->my));
		exit(1);
	}
	mysql_autocommit(w->my, 1);
	for (int i = 0; i < S_COUNT; i++) {
		w->st[i] = mysql_stmt_init(w->my);
		if (mysql_stmt_prepare(w->st[i], sql[i], (unsigned long)strlen(sql[i]))) {
			fprintf(stderr, "ref_tx: prepare %s: %s\n", sql[i], mysql_stmt_error(w->st[i]));
			exit(1);
		}
	}
	/* which organisation is which kind, as the providers query in the transaction says */
	static const char *const subkinds[8] = { "water", "power", "gas", "heat", "network",
						 "road", "greening", "planning" };
	if (mysql_query(w->my, sql[S_ORG]) != 0) {
		fprintf(stderr, "ref_tx: %s\n", mysql_error(w->my));
		exit(1);
	}
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
	return w;
}

int main(int argc, char **argv)
{
	if (argc != 17) {
		fputs("usage: ref_tx SOCKET DB THREADS SECONDS ORG USER SITE MATERIALS PERMITS LINKS "
		      "DIGS TASKS OUTBOX PAYLOAD REQUEST ESTIMATE\n",
		      stderr);
		return 2;
	}
	sock_path = argv[1];
	db_name = argv[2];
	int threads = atoi(argv[3]);
	seconds = atoi(argv[4]);
	shape.org = atoll(argv[5]);
	shape.user = atoll(argv[6]);
	shape.site = atoll(argv[7]);
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
	if (threads < 1 || seconds < 1 || shape.permits < 1 || shape.permits > MAX_PERMITS ||
	    shape.digs < 0 || shape.digs > MAX_DIGS || shape.links < 0 ||
	    shape.links > MAX_PERMITS * 5 || shape.payload < 1 || shape.request < 2 ||
	    shape.estimate < 2)
		return 2;
	mysql_library_init(0, NULL, NULL);
	struct worker **w = calloc((size_t)threads, sizeof(*w));
	for (int i = 0; i < threads; i++)
		w[i] = worker_new(i);
	double t0 = now_ms();
	for (int i = 0; i < threads; i++)
		pthread_create(&w[i]->th, NULL, work, w[i]);
	struct timespec d = { seconds, 0 };
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
	printf("tx_per_s=%.1f p50_ms=%.2f p99_ms=%.2f retries=%ld\n", (double)total / elapsed,
	       total ? all[total / 2] : 0, total ? all[(size_t)((double)total * 0.99)] : 0,
	       atomic_load(&retries));
	return 0;
}
