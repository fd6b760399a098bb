/*
 * More than one server process, without Docker: the test starts a MariaDB primary and a
 * replica on loopback TCP ports (GTID replication), two `portal serve` processes on the primary
 * (PORTAL_PORTAL_BIN), the second reading published data from the replica (PORTAL_DB_READ).
 * It shows that a publication on portal A reaches portal B through the replica, that B's public
 * reads really come from the replica (they stop moving while replication is stopped), and that
 * both processes serve signed-in users from one database.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "support/harness.h"
#include "lib/xalloc.h"

#define USER_PW "scale-out-pw-1"

struct db {
	char dir[300], sock[160];
	unsigned port;
	pid_t pid;
};

struct portal {
	pid_t pid;
	int err_fd;
	unsigned port;
	char log[8192];
	size_t log_len;
};

static char work[200], sockdir[64];
static struct db primary, replica;
static struct portal pa, pb;

/* ---------------------------------------------------------------- processes */

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *cmd = xvasprintf(fmt, ap);
	va_end(ap);
	int rc = system(cmd);
	free(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void sql(const struct db *d, const char *stmt)
{
	int rc = sh("mariadb --no-defaults -uroot --socket='%s' -e \"%s\" >>'%s/sql.log' 2>&1",
		    d->sock, stmt, work);
	cr_assert_eq(rc, 0, "SQL failed on %s: %s (see %s/sql.log)", d->sock, stmt, work);
}

/* The first column of the first row of a query, as text (caller frees). */
static char *sql_value(const struct db *d, const char *stmt)
{
	char *cmd = xasprintf("mariadb --no-defaults -uroot --socket='%s' -N -B -e \"%s\" 2>&1",
			      d->sock, stmt);
	FILE *p = popen(cmd, "r");
	char line[512] = "";
	if (p && !fgets(line, sizeof(line), p))
		line[0] = 0;
	if (p)
		pclose(p);
	free(cmd);
	line[strcspn(line, "\n")] = 0;
	return xstrdup(line);
}

static unsigned free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET };
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	socklen_t len = sizeof(sa);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sa, len), 0);
	getsockname(fd, (struct sockaddr *)&sa, &len);
	close(fd);
	return ntohs(sa.sin_port);
}

/* mariadb-install-db into dir; a loaded machine can make one attempt fail, so try three times. */
static void install(const char *dir)
{
	int rc = -1;
	for (int attempt = 0; attempt < 3 && rc != 0; attempt++) {
		if (attempt)
			sh("rm -rf '%s'; sleep 2", dir);
		rc = sh("flock /tmp/portal-mariadb-install.lock mariadb-install-db --no-defaults --datadir='%s' "
			"--auth-root-authentication-method=normal --skip-test-db "
			"--user=\"$(id -un)\" >>'%s.install.log' 2>&1",
			dir, dir);
	}
	if (rc != 0)
		sh("tail -30 '%s.install.log' >&2", dir);
	cr_assert_eq(rc, 0, "mariadb-install-db failed: see %s.install.log", dir);
}

/* A TCP variant of scripts/lib.sh mariadb_start: loopback port plus a socket for root. */
static void db_start(struct db *d, const char *name, int server_id, const char *template_dir)
{
	snprintf(d->dir, sizeof(d->dir), "%s/%s", work, name);
	snprintf(d->sock, sizeof(d->sock), "%s/%s.sock", sockdir, name);
	d->port = free_port();
	if (template_dir)
		cr_assert_eq(sh("cp -a '%s' '%s'", template_dir, d->dir), 0);
	else
		install(d->dir);
	d->pid = fork();
	cr_assert_geq(d->pid, 0);
	if (d->pid == 0) {
		char a[8][400];
		snprintf(a[0], 400, "--datadir=%s", d->dir);
		snprintf(a[1], 400, "--socket=%s", d->sock);
		snprintf(a[2], 400, "--port=%u", d->port);
		snprintf(a[3], 400, "--server-id=%d", server_id);
		snprintf(a[4], 400, "--log-error=%s/mariadbd.err", d->dir);
		snprintf(a[5], 400, "--pid-file=%s/mariadbd.pid", d->dir);
		snprintf(a[6], 400, "--log-bin=%s/binlog", d->dir);
		snprintf(a[7], 400, server_id == 1 ? "--binlog-format=ROW" : "--read-only=1");
		char user[300];
		struct passwd *pw = getpwuid(getuid());
		snprintf(user, sizeof(user), "--user=%s", pw ? pw->pw_name : "root");
		int null = open("/dev/null", 1);
		dup2(null, 1);
		dup2(null, 2);
		execlp("mariadbd", "mariadbd", "--no-defaults", a[0], a[1], a[2],
		       "--bind-address=127.0.0.1", "--skip-name-resolve", user, a[3], a[4], a[5], a[6],
		       a[7], "--innodb-buffer-pool-size=64M", "--log-bin-trust-function-creators=1",
		       "--character-set-server=utf8mb4",
		       "--collation-server=utf8mb4_unicode_ci", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 150; i++) {
		if (sh("mariadb-admin --no-defaults --socket='%s' -uroot ping >/dev/null 2>&1",
		       d->sock) == 0)
			return;
		cr_assert_eq(waitpid(d->pid, NULL, WNOHANG), 0, "mariadbd %s exited; see %s", name,
			     d->dir);
		usleep(100000);
	}
	cr_assert_fail("mariadbd %s did not answer within 15 s", name);
}

static void stop_pid(pid_t *pid, int seconds)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGTERM);
	for (int i = 0; i < seconds * 50; i++) {
		if (waitpid(*pid, NULL, WNOHANG) == *pid) {
			*pid = 0;
			return;
		}
		usleep(20000);
	}
	kill(*pid, SIGKILL);
	waitpid(*pid, NULL, 0);
	*pid = 0;
}

static void drain(struct portal *p, int ms)
{
	struct pollfd pfd = { p->err_fd, POLLIN, 0 };
	while (p->err_fd > 0 && poll(&pfd, 1, ms) > 0) {
		char buf[4096];
		ssize_t n = read(p->err_fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		size_t room = sizeof(p->log) - 1 - p->log_len;
		size_t k = (size_t)n < room ? (size_t)n : room;
		memcpy(p->log + p->log_len, buf, k);
		p->log_len += k;
		p->log[p->log_len] = 0;
		ms = 0;
	}
}

static char *url_of(const struct db *d)
{
	return xasprintf("mariadb://portal:" USER_PW "@127.0.0.1:%u/portal", d->port);
}

/* Runs `portal <args>` to completion against the primary, as root (migrations create users). */
static void portal_run(const char *args)
{
	char *db = xasprintf("mariadb://root@localhost/portal?socket=%s", primary.sock);
	int rc = sh("PORTAL_DB='%s' PORTAL_DATA_DIR='%s/data' '%s' %s >>'%s/portal-cmd.log' 2>&1", db,
		    work, getenv("PORTAL_PORTAL_BIN"), args, work);
	free(db);
	if (rc == 0)
		return;
	/* the temporary directory goes with the run: put the log's end in the failure itself */
	char *path = xasprintf("%s/portal-cmd.log", work);
	FILE *f = fopen(path, "r");
	char tail[2048] = "";
	if (f) {
		fseek(f, 0, SEEK_END);
		long size = ftell(f);
		fseek(f, size > (long)sizeof(tail) - 1 ? size - (long)sizeof(tail) + 1 : 0, SEEK_SET);
		tail[fread(tail, 1, sizeof(tail) - 1, f)] = '\0';
		fclose(f);
	}
	free(path);
	cr_assert_fail("portal %s failed (%d); the end of its log:\n%s", args, rc, tail);
}

static void portal_start(struct portal *p, const char *read_url)
{
	int fds[2];
	cr_assert_eq(pipe(fds), 0);
	memset(p, 0, sizeof(*p));
	char *db = url_of(&primary);
	p->pid = fork();
	cr_assert_geq(p->pid, 0);
	if (p->pid == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		setenv("PORTAL_DB", db, 1);
		if (read_url)
			setenv("PORTAL_DB_READ", read_url, 1);
		else
			unsetenv("PORTAL_DB_READ");
		setenv("PORTAL_LISTEN", "127.0.0.1:0", 1);
		setenv("PORTAL_THREADS", "2", 1);
		setenv("PORTAL_DISPATCH_THREADS", "1", 1);
		setenv("PORTAL_ACCESS_LOG", "0", 1);
		char data[300];
		snprintf(data, sizeof(data), "%s/data", work);
		setenv("PORTAL_DATA_DIR", data, 1);
		execl(getenv("PORTAL_PORTAL_BIN"), "portal", "serve", (char *)NULL);
		_exit(127);
	}
	free(db);
	close(fds[1]);
	p->err_fd = fds[0];
	for (int i = 0; i < 100 && !p->port; i++) {
		drain(p, 100);
		const char *s = strstr(p->log, "\"message\":\"serving\"");
		const char *port = s ? strstr(s, "\"port\":") : NULL;
		if (port)
			p->port = (unsigned)atoi(port + 7);
	}
	cr_assert(p->port, "portal serve did not start:\n%s", p->log);
}

/* ---------------------------------------------------------------- HTTP */

struct sink {
	char *data;
	size_t len;
};

static size_t collect(char *ptr, size_t size, size_t n, void *ud)
{
	struct sink *s = ud;
	s->data = xrealloc(s->data, s->len + size * n + 1);
	memcpy(s->data + s->len, ptr, size * n);
	s->len += size * n;
	s->data[s->len] = 0;
	return size * n;
}

/* One exchange with portal p; the parsed JSON body (or NULL) and the status in *status. */
static json_t *call(const struct portal *p, const char *method, const char *path,
		    const char *token, const char *body, long *status)
{
	CURL *c = curl_easy_init();
	char url[256], auth[300];
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", p->port, path);
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h = curl_slist_append(h, auth);
	}
	struct sink s = { 0 };
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	CURLcode rc = curl_easy_perform(c);
	cr_assert_eq(rc, CURLE_OK, "%s %s: %s", method, url, curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	json_t *j = s.data ? json_loads(s.data, 0, NULL) : NULL;
	free(s.data);
	return j;
}

static json_t *ok(const struct portal *p, const char *method, const char *path,
		  const char *token, const char *body, long want)
{
	long status = 0;
	json_t *j = call(p, method, path, token, body, &status);
	cr_assert_eq(status, want, "%s %s on :%u answered %ld: %s", method, path, p->port, status,
		     j ? json_dumps(j, JSON_COMPACT) : "(not JSON)");
	return j;
}

static char *login(const struct portal *p, const char *who)
{
	char body[128];
	snprintf(body, sizeof(body), "{\"email\":\"%s@demo.test\",\"password\":\"demo-password-1\"}",
		 who);
	json_t *j = ok(p, "POST", "/v1/sessions", NULL, body, 201);
	char *t = xstrdup(json_string_value(json_object_get(j, "token")));
	json_decref(j);
	return t;
}

/* The name of the first 2031 holiday that portal p shows publicly ("" when none). */
static char *holiday_on(const struct portal *p)
{
	json_t *j = ok(p, "GET", "/v1/public/calendar?year=2031&lang=en", NULL, NULL, 200);
	const char *n = json_string_value(
		json_object_get(json_array_get(json_object_get(j, "holidays"), 0), "name_en"));
	char *out = xstrdup(n ? n : "");
	json_decref(j);
	return out;
}

static void publish_holiday(const struct portal *p, const char *token, const char *name)
{
	char body[256];
	snprintf(body, sizeof(body),
		 "{\"holidays\":[{\"from\":\"2031-10-01\",\"to\":\"2031-10-03\",\"name_zh\":\"测试\","
		 "\"name_en\":\"%s\"}]}",
		 name);
	json_decref(ok(p, "PUT", "/v1/calendar/2031", token, body, 200));
}

/* Waits up to ms for portal p to show holiday `name`. */
static bool shows_within(const struct portal *p, const char *name, int ms)
{
	for (int waited = 0; waited <= ms; waited += 200) {
		char *now = holiday_on(p);
		bool same = !strcmp(now, name);
		free(now);
		if (same)
			return true;
		usleep(200000);
	}
	return false;
}

/* ---------------------------------------------------------------- the suite */

static void setup(void)
{
	const char *tmp = getenv("PORTAL_TEST_TMP");
	snprintf(work, sizeof(work), "%s/scaleout-%d", tmp ? tmp : "/tmp", getpid());
	snprintf(sockdir, sizeof(sockdir), "/tmp/so.XXXXXX"); /* sockets need short paths */
	cr_assert(mkdtemp(sockdir));
	cr_assert_eq(sh("mkdir -p '%s/data'", work), 0);
	cr_assert(getenv("PORTAL_PORTAL_BIN"), "PORTAL_PORTAL_BIN (set by scripts/test)");
}

static void teardown(void)
{
	if (pa.err_fd > 0)
		close(pa.err_fd);
	if (pb.err_fd > 0)
		close(pb.err_fd);
	stop_pid(&pa.pid, 15);
	stop_pid(&pb.pid, 15);
	stop_pid(&replica.pid, 30);
	stop_pid(&primary.pid, 30);
	if (!getenv("PORTAL_TEST_KEEP")) /* keep the logs and data directories to look into */
		sh("rm -rf '%s' '%s'", work, sockdir);
}

TestSuite(scaleout, .init = setup, .fini = teardown, .timeout = 180);

Test(scaleout, two_portals_a_primary_and_a_replica)
{
	/* the servers: one installation, copied for the replica before either starts */
	db_start(&primary, "primary", 1, NULL);
	char template_dir[300];
	snprintf(template_dir, sizeof(template_dir), "%s/template", work);
	/* the replica starts from a clean copy of a fresh installation, then replays everything */
	install(template_dir);
	db_start(&replica, "replica", 2, template_dir);
	sql(&primary, "CREATE USER 'repl'@'127.0.0.1' IDENTIFIED BY 'repl-pw-1';"
		      "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1';"
		      "CREATE USER 'portal'@'127.0.0.1' IDENTIFIED BY '" USER_PW "';"
		      "CREATE DATABASE portal CHARACTER SET utf8mb4;"
		      "GRANT ALL ON portal.* TO 'portal'@'127.0.0.1';");
	char change[400];
	snprintf(change, sizeof(change),
		 "CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=%u, MASTER_USER='repl', "
		 "MASTER_PASSWORD='repl-pw-1', MASTER_USE_GTID=slave_pos; START SLAVE;",
		 primary.port);
	sql(&replica, change);

	/* migrations and demo data run once, on the primary */
	portal_run("migrate");
	portal_run("seed-demo --no-history"); /* the accounts; the history is test_demo_history's */
	char *rb = url_of(&replica);
	portal_start(&pa, NULL);
	portal_start(&pb, rb);
	free(rb);

	/* both serve; a session made on B works on A: one database behind both */
	json_decref(ok(&pa, "GET", "/readyz", NULL, NULL, 200));
	json_decref(ok(&pb, "GET", "/readyz", NULL, NULL, 200));
	char *office = login(&pa, "office");
	char *applicant_b = login(&pb, "applicant");
	json_decref(ok(&pa, "GET", "/v1/me", applicant_b, NULL, 200));
	json_t *site = ok(&pb, "POST", "/v1/sites", applicant_b,
			  "{\"name\":\"Scale-out block\",\"address\":\"1 Test Road\",\"district\":"
			  "\"350102\",\"lat\":26.1,\"lng\":119.25,\"zone_risk\":\"low\"}",
			  201);
	char path[64];
	snprintf(path, sizeof(path), "/v1/sites/%lld",
		 (long long)json_integer_value(json_object_get(site, "id")));
	json_decref(site);
	json_decref(ok(&pa, "GET", path, applicant_b, NULL, 200));

	/* a publication on A: A shows it at once, B through the replica within seconds */
	publish_holiday(&pa, office, "First Test Day");
	char *a_now = holiday_on(&pa);
	cr_assert_str_eq(a_now, "First Test Day");
	free(a_now);
	cr_assert(shows_within(&pb, "First Test Day", 15000), "B never saw A's publication:\n%s",
		  pb.log);

	/* B reads the replica: with replication stopped, A's next publication does not reach B */
	sql(&replica, "STOP SLAVE;");
	publish_holiday(&pa, office, "Second Test Day");
	cr_assert(shows_within(&pa, "Second Test Day", 0));
	cr_assert(!shows_within(&pb, "Second Test Day", 3000),
		  "B saw the publication although the replica did not have it");
	char *b_now = holiday_on(&pb);
	cr_assert_str_eq(b_now, "First Test Day", "B keeps serving what the replica has");
	free(b_now);
	sql(&replica, "START SLAVE;");
	cr_assert(shows_within(&pb, "Second Test Day", 15000), "B did not catch up with the replica");

	/* the replica really holds the data, and is read-only for the portal's user */
	char *sites = sql_value(&replica, "SELECT COUNT(*) FROM portal.sites WHERE name = 'Scale-out block'");
	cr_assert_str_eq(sites, "1", "replicated site rows: %s", sites);
	free(sites);
	char *ro = sql_value(&replica, "SELECT @@read_only");
	cr_assert_str_eq(ro, "1");
	free(ro);

	/* both stop cleanly */
	kill(pa.pid, SIGTERM);
	kill(pb.pid, SIGTERM);
	int sa = 0, sb = 0;
	cr_assert_eq(waitpid(pa.pid, &sa, 0), pa.pid);
	cr_assert_eq(waitpid(pb.pid, &sb, 0), pb.pid);
	pa.pid = pb.pid = 0;
	drain(&pb, 50);
	cr_assert(WIFEXITED(sa) && WEXITSTATUS(sa) == 0, "portal A exit status %d", sa);
	cr_assert(WIFEXITED(sb) && WEXITSTATUS(sb) == 0, "portal B exit status %d:\n%s", sb, pb.log);
	free(office);
	free(applicant_b);
}
