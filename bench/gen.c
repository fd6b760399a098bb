/*
 * The benchmark's data generator: grows the database to TARGET joint applications, each with
 * all its tracks (five utility jobs, three permits with their job links and excavations with
 * their extents in western Gulou, and the transition history), owned by the demo applicant and handled by the demo utilities and
 * authorities that `portal seed-demo` creates. Rows are written as tab-separated chunks under
 * TMPDIR and loaded with LOAD DATA INFILE (the private server runs on this machine), so a
 * million applications (about 28 million rows) take minutes, not hours.
 *
 *   gen SOCKET DB TARGET TMPDIR
 *
 * Safe to run again with a larger TARGET: it continues after the rows already there (ids from
 * MAX(id) + 1 of each table). Shows progress on stderr (one updating line on a terminal).
 * Exit 1 on any database error, with the server's message.
 */
#define _GNU_SOURCE
#include <mysql.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 20000
#define SITES 500

/* The first CURRENT generated applications dig now (a window of years that holds today), the
 * works map's current works; older ones dug in 2024-2026 only. A fixed number, whatever the
 * size: the works under way depend on the rate of submissions, not on the history's length. */
#define CURRENT 100
/* The first QUEUED generated applications have a fast-tracked road permit with an open
 * post-check task, and a project of theirs open guidance for every utility kind: the queues
 * GET /v1/post-checks and GET /v1/guidance hold QUEUED items at every size (the benchmark reads
 * pages of 50). */
#define QUEUED 60

enum { T_APP, T_JOB, T_PERMIT, T_LINK, T_DIG, T_EXTENT, T_TASK, T_TRANSITION, T_COUNT };
static const char *const tables[T_COUNT] = { "applications", "jobs",	 "permits",
					     "job_permits",  "excavations", "excavation_extents",
					     "tasks",	     "transitions" };
static const char *const columns[T_COUNT] = {
	"(id, reference, org_id, site_id, status, submitted_at, submitted_day, request, estimate, "
	"estimate_total_fen, request_hash, created_by)",
	"(id, application_id, reference, utility_kind, utility_org_id, state, params, stage, "
	"stage_limit_days, started_day, due_day, created_at, updated_at)",
	"(id, application_id, reference, kind, authority_org_id, state, decision, trigger_reason, "
	"fast_track, window_from, window_to, deadline_day, stage, stage_limit_days, started_day, "
	"due_day, created_at, updated_at)",
	"(job_id, permit_id)",
	"(id, application_id, permit_id, utility_kind, district_code, road, road_class, from_m, "
	"to_m, width_m, start_day, end_day, length_m, area_m2)",
	/* a short trench in Gulou (350102), as WKT */
	"(excavation_id, @wkt, start_day, end_day) SET extent = ST_GeomFromText(@wkt)",
	"(permit_id, kind, org_id)",
	"(id, application_id, object_type, object_id, action, from_state, to_state, actor_role, "
	"actor_org_id, actor_user_id, payload, at, stage, due_day)",
};

static MYSQL *my;
static const char *tmpdir;

static void die(const char *what)
{
	fprintf(stderr, "\ngen: %s: %s\n", what, mysql_error(my));
	exit(1);
}

static void sql(const char *fmt, ...)
{
	char *q;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&q, fmt, ap) < 0)
		exit(1);
	va_end(ap);
	if (mysql_query(my, q))
		die(q);
	MYSQL_RES *r = mysql_store_result(my);
	mysql_free_result(r);
	free(q);
}

static long long scalar(const char *q)
{
	if (mysql_query(my, q))
		die(q);
	MYSQL_RES *r = mysql_store_result(my);
	MYSQL_ROW row = r ? mysql_fetch_row(r) : NULL;
	long long v = row && row[0] ? atoll(row[0]) : 0;
	mysql_free_result(r);
	return v;
}

static long long org(const char *kind, const char *subkind)
{
	char q[200];
	snprintf(q, sizeof(q),
		 "SELECT id FROM organisations WHERE kind = '%s' AND subkind %s%s%s ORDER BY id "
		 "LIMIT 1",
		 kind, subkind ? "= '" : "IS NULL", subkind ? subkind : "", subkind ? "'" : "");
	long long id = scalar(q);
	if (!id) {
		fprintf(stderr, "gen: no %s organisation %s; run `portal seed-demo` first\n", kind,
			subkind ? subkind : "");
		exit(1);
	}
	return id;
}

/* A date string for day `d` counted from 2024-01-01. */
static const char *day(int d, char buf[11])
{
	struct tm tm = { .tm_year = 124, .tm_mon = 0, .tm_mday = 1 + d, .tm_hour = 12 };
	time_t t = timegm(&tm);
	gmtime_r(&t, &tm);
	strftime(buf, 11, "%Y-%m-%d", &tm);
	return buf;
}

static unsigned long long rng = 88172645463325252ULL;
static unsigned rnd(unsigned n)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return (unsigned)(rng % n);
}

struct ids {
	long long app, job, permit, dig, transition;
};

struct ctx {
	long long applicant, user, site0, utility[5], authority[3];
	FILE *f[T_COUNT];
	char path[T_COUNT][512];
};

static const char *const ukinds[5] = { "water", "power", "gas", "heat", "network" };
static const char *const pkinds[3] = { "dig_road", "greening", "planning" };
static const char *const jstates[] = { "submitted", "accepted", "surveyed", "planned",
				       "confirmed", "constructing", "connected", "completed" };
static const char *const pstates[] = { "submitted", "under_review", "approved", "closed" };

static void transition(struct ctx *c, struct ids *id, long long app, const char *type,
		       long long obj, const char *action, const char *from, const char *to,
		       const char *at, const char *stage, const char *due)
{
	fprintf(c->f[T_TRANSITION], "%lld\t%lld\t%s\t%lld\t%s\t%s\t%s\tapplicant\t%lld\t%lld\t{}\t%s\t%s\t%s\n",
		id->transition++, app, type, obj, action, from ? from : "\\N", to, c->applicant,
		c->user, at, stage ? stage : "\\N", due ? due : "\\N");
}

/* One application and all its tracks, as rows in the chunk files; n counts the generated ones
 * from 0. */
static void application(struct ctx *c, struct ids *id, long long n)
{
	long long app = id->app++;
	int d = (int)rnd(800);
	char d0[11], d1[11], d2[11], at[40], ref[24];
	day(d, d0), day(d + 3, d1), day(d + 20, d2);
	snprintf(at, sizeof(at), "%s %02u:%02u:%02u.000000", d0, 1 + rnd(10), rnd(60), rnd(60));
	snprintf(ref, sizeof(ref), "GN-%lld", app);
	bool current = n < CURRENT, queued = n < QUEUED;
	bool done = !current && d < 400 && rnd(4) != 0;
	/* the digs' window: a current one from 2025 to 2035 */
	char w0[11], w1[11];
	if (current)
		day(366, w0), day(4383, w1);
	else
		strcpy(w0, d0), strcpy(w1, d2);
	fprintf(c->f[T_APP],
		"%lld\t%s\t%lld\t%lld\t%s\t%s\t%s\t{\"commitment\":true,\"customer_class\":"
		"\"commercial\",\"site_id\":%lld,\"utilities\":{\"gas\":{\"flow_m3h\":40,"
		"\"pressure_class\":\"low\"},\"heat\":{\"load_kw\":500},\"network\":{"
		"\"bandwidth_mbps\":1000,\"ports\":8},\"power\":{\"kw\":250,\"voltage_level\":"
		"\"10kV\"},\"water\":{\"dn\":100,\"meters\":1,\"use\":\"commercial\"}},\"works\":{"
		"\"green_space\":{\"area_m2\":30,\"trees_affected\":1},\"lines_outside_plot_m\":20}}"
		"\t{\"lines\":[{\"item\":\"water connection\",\"fen\":%u}],\"total_fen\":%u}\t%u\t"
		"%064llx\t%lld\n",
		app, ref, c->applicant, c->site0 + app % SITES, done ? "completed" : "open", at, d0,
		c->site0 + app % SITES, 100000 + rnd(900000), 100000 + rnd(900000),
		100000 + rnd(900000), (unsigned long long)app, c->user);
	transition(c, id, app, "application", app, "submit", NULL, "open", at, NULL, NULL);
	long long jobs[5];
	for (int k = 0; k < 5; k++) {
		jobs[k] = id->job++;
		const char *st = done ? "completed" : jstates[rnd(7)];
		fprintf(c->f[T_JOB],
			"%lld\t%lld\t%s-%c\t%s\t%lld\t%s\t{\"kind\":\"%s\"}\tacceptance\t2\t%s\t%s\t%s\t%s\n",
			jobs[k], app, ref, "WPGHN"[k], ukinds[k], c->utility[k], st, ukinds[k], d0,
			d1, at, at);
		transition(c, id, app, "job", jobs[k], "submit", NULL, "submitted", at,
			   "acceptance", d1);
		if (strcmp(st, "submitted") != 0)
			transition(c, id, app, "job", jobs[k], "accept", "submitted", "accepted", at,
				   "survey", d2);
	}
	for (int k = 0; k < 3; k++) {
		long long pid = id->permit++;
		const char *st = done ? "closed" : pstates[rnd(3)];
		bool fast = k == 0 && queued;
		if (k == 0 && current)
			st = "approved"; /* works on the map: a permit neither closed nor refused */
		fprintf(c->f[T_PERMIT],
			"%lld\t%lld\t%s-%c\t%s\t%lld\t%s\t%s\tworks need it\t%d\t%s\t%s\t%s\tacceptance\t2\t%s\t%s\t%s\t%s\n",
			pid, app, ref, "DGP"[k], pkinds[k], c->authority[k], st,
			strcmp(st, "approved") == 0 || done ? "approved" : "none", fast, w0, w1, d2,
			d0, d1, at, at);
		if (fast) /* fast-tracked and drawn for a post-check by its road authority */
			fprintf(c->f[T_TASK], "%lld\tpost_check\t%lld\n", pid, c->authority[k]);
		transition(c, id, app, "permit", pid, "submit", NULL, "submitted", at, "acceptance",
			   d1);
		if (k == 0) { /* the joint dig: water and gas share the trench; power digs alone */
			fprintf(c->f[T_LINK], "%lld\t%lld\n%lld\t%lld\n%lld\t%lld\n", jobs[0], pid,
				jobs[2], pid, jobs[1], pid);
			for (int e = 0; e < 3; e++) {
				/* a trench of about 20 m running north, somewhere in western Gulou:
				 * outside bench/run's permit-queue box (119.28,26.07,119.32,26.10), whose
				 * reads then find scenario 2's submissions only, as before */
				double lng = 119.252 + rnd(25000) / 1e6, lat = 26.085 + rnd(25000) / 1e6;
				long long dig = id->dig++;
				fprintf(c->f[T_DIG],
					"%lld\t%lld\t%lld\t%s\t350102\tRoad %u\tbranch\t%d\t%d\t1.00\t%s\t%s\t20\t20\n",
					dig, app, pid, ukinds[e], rnd(2000), e * 100, e * 100 + 20,
					w0, w1);
				fprintf(c->f[T_EXTENT],
					"%lld\tLINESTRING(%.6f %.6f,%.6f %.6f)\t%s\t%s\n", dig, lng,
					lat, lng + 0.00002, lat + 0.00018, w0, w1);
			}
		} else {
			fprintf(c->f[T_LINK], "%lld\t%lld\n", jobs[k == 1 ? 3 : 4], pid);
		}
	}
}

static void open_chunk(struct ctx *c)
{
	for (int t = 0; t < T_COUNT; t++) {
		snprintf(c->path[t], sizeof(c->path[t]), "%s/gen-%s.tsv", tmpdir, tables[t]);
		c->f[t] = fopen(c->path[t], "w");
		if (!c->f[t]) {
			perror(c->path[t]);
			exit(1);
		}
		setvbuf(c->f[t], NULL, _IOFBF, 1 << 20);
	}
}

static void load_chunk(struct ctx *c)
{
	for (int t = 0; t < T_COUNT; t++) {
		fclose(c->f[t]);
		sql("LOAD DATA INFILE '%s' INTO TABLE %s CHARACTER SET utf8mb4 %s", c->path[t],
		    tables[t], columns[t]);
		unlink(c->path[t]);
	}
	sql("COMMIT");
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(long long done, long long total, long long start, double t0, bool last)
{
	double el = now_s() - t0;
	double rate = el > 0 ? (double)(done - start) / el : 0;
	fprintf(stderr, "%sgen: %lld / %lld applications (%3.0f%%), %.0f/s, %s %.0f s%s",
		isatty(2) ? "\r" : "", done, total, 100.0 * (double)done / (double)total, rate,
		last ? "took" : "eta", last ? el : (rate > 0 ? (double)(total - done) / rate : 0),
		isatty(2) && !last ? "   " : "\n");
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fputs("usage: gen SOCKET DB TARGET TMPDIR\n", stderr);
		return 2;
	}
	long long target = atoll(argv[3]);
	tmpdir = argv[4];
	my = mysql_init(NULL);
	if (!mysql_real_connect(my, NULL, "root", NULL, argv[2], 0, argv[1], 0))
		die("connect");
	struct ctx c = { 0 };
	c.applicant = org("applicant", NULL);
	for (int k = 0; k < 5; k++)
		c.utility[k] = org("utility", ukinds[k]);
	c.authority[0] = org("authority", "road");
	c.authority[1] = org("authority", "greening");
	c.authority[2] = org("authority", "planning");
	char q[200];
	snprintf(q, sizeof(q), "SELECT MIN(id) FROM users WHERE org_id = %lld", c.applicant);
	c.user = scalar(q);
	/* The generated applications' sites: SITES of them, made once. */
	snprintf(q, sizeof(q), "SELECT MIN(id) FROM sites WHERE plot_ref = 'GEN' AND org_id = %lld",
		 c.applicant);
	c.site0 = scalar(q);
	if (!c.site0) {
		sql("INSERT INTO sites (org_id, name, address, district_code, plot_ref) "
		    "SELECT %lld, CONCAT('Generated block ', seq), CONCAT(seq, ' Jingshi Road'), "
		    "'350102', 'GEN' FROM seq_1_to_%d ORDER BY seq",
		    c.applicant, SITES);
		c.site0 = scalar(q);
	}
	/* QUEUED planned projects of the applicant, each with open guidance for every kind */
	if (!scalar("SELECT COUNT(*) FROM projects WHERE name LIKE 'Generated project %'")) {
		sql("INSERT INTO projects (org_id, name, district_code, geometry, needs, hookup_day, "
		    "materials, created_by_org, created_by_user) SELECT %lld, "
		    "CONCAT('Generated project ', seq), '350102', ST_GeomFromText(CONCAT('POINT(', "
		    "119.27 + seq / 10000, ' 26.09)')), '{}', '2027-06-01', '[]', %lld, %lld "
		    "FROM seq_1_to_%d ORDER BY seq",
		    c.applicant, c.applicant, c.user, QUEUED);
		for (int k = 0; k < 5; k++)
			sql("INSERT INTO guidance (project_id, utility_kind, org_id, stage_limit_days, "
			    "started_day, due_day) SELECT id, '%s', %lld, 10, '2026-01-05', "
			    "'2026-01-19' FROM projects WHERE name LIKE 'Generated project %%' "
			    "ORDER BY id",
			    ukinds[k], c.utility[k]);
		sql("COMMIT");
	}
	long long have = scalar("SELECT COUNT(*) FROM applications WHERE reference LIKE 'GN-%'");
	if (have >= target) {
		fprintf(stderr, "gen: %lld generated applications already there\n", have);
		return 0;
	}
	struct ids id = {
		scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM applications"),
		scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM jobs"),
		scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM permits"),
		scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM excavations"),
		scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM transitions"),
	};
	rng ^= (unsigned long long)id.app * 0x9E3779B97F4A7C15ULL;
	/* Bulk-load settings for this session only; the rows are generated consistent. */
	sql("SET SESSION foreign_key_checks = 0");
	sql("SET SESSION unique_checks = 0");
	sql("SET SESSION autocommit = 0");
	double t0 = now_s();
	long long start = have;
	while (have < target) {
		long long n = target - have < CHUNK ? target - have : CHUNK;
		open_chunk(&c);
		for (long long i = 0; i < n; i++)
			application(&c, &id, have + i);
		load_chunk(&c);
		have += n;
		progress(have, target, start, t0, have >= target);
	}
	mysql_close(my);
	return 0;
}
