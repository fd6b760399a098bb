/*
 * Readiness follows the database: a private MariaDB is stopped under a running portal (503,
 * quickly) and started again (200 within seconds, without restarting the portal).
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "store/migrate.h"
#include "support/harness.h"

static char datadir[256], sock[128];

static double now(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static void db_start(void)
{
	char cmd[1400], log[300];
	snprintf(log, sizeof(log), "%s.start.log", datadir);
	snprintf(cmd, sizeof(cmd),
		 "bash -c 'source %s/scripts/lib.sh && mariadb_start %s %s && "
		 "mariadb_sql %s \"CREATE DATABASE IF NOT EXISTS portal\"' >>%s 2>&1",
		 PORTAL_SOURCE_DIR, datadir, sock, sock, log);
	/* a loaded machine can make a first start fail: try again before giving up */
	int rc = -1;
	for (int attempt = 0; attempt < 3 && rc != 0; attempt++) {
		if (attempt) {
			char clean[400];
			snprintf(clean, sizeof(clean), "rm -rf '%s'", datadir);
			if (system(clean) != 0)
				break;
			sleep(2);
		}
		rc = system(cmd);
	}
	if (rc != 0) {
		char tail[1200] = "";
		FILE *f = fopen(log, "r");
		if (f) {
			fseek(f, 0, SEEK_END);
			long n = ftell(f);
			fseek(f, n > 1000 ? n - 1000 : 0, SEEK_SET);
			size_t got = fread(tail, 1, sizeof(tail) - 1, f);
			tail[got] = 0;
			fclose(f);
		}
		cr_assert_fail("private MariaDB did not start; its log ends:\n%s", tail);
	}
}

static void db_stop(void)
{
	char path[300], buf[32] = "";
	snprintf(path, sizeof(path), "%s/mariadbd.pid", datadir);
	FILE *f = fopen(path, "r");
	cr_assert(f, "no pid file");
	cr_assert(fgets(buf, sizeof(buf), f));
	fclose(f);
	pid_t pid = (pid_t)atoi(buf);
	kill(pid, SIGTERM);
	for (int i = 0; i < 300 && kill(pid, 0) == 0; i++)
		usleep(50000);
	cr_assert_neq(kill(pid, 0), 0, "MariaDB did not stop");
}

static long readyz(void)
{
	struct reply r;
	long s = http_call(&r, "GET", "/readyz", NULL, NULL, NULL);
	reply_release(&r);
	return s;
}

Test(readyz, follows_the_database_without_a_restart, .timeout = 120)
{
	int u = harness_unique();
	const char *tmp = getenv("PORTAL_TEST_TMP") ? getenv("PORTAL_TEST_TMP") : "/tmp";
	snprintf(datadir, sizeof(datadir), "%s/ready%d", tmp, u);
	snprintf(sock, sizeof(sock), "/tmp/rz%d.sock", u);
	db_start();
	char url[300];
	snprintf(url, sizeof(url), "mariadb://root@localhost/portal?socket=%s", sock);
	struct store_config cfg;
	struct error err = ERROR_INIT;
	cr_assert_eq(store_config_parse(url, &cfg, &err), 0);
	cr_assert_eq(store_migrate(&cfg, getenv("PORTAL_MIGRATIONS"), NULL, NULL, &err), 0, "%s",
		     err.message);
	store_config_release(&cfg);
	setenv("PORTAL_DB", url, 1);
	struct harness_server *srv = harness_server_start();
	cr_assert_eq(readyz(), 200);

	db_stop();
	double t0 = now();
	cr_assert_eq(readyz(), 503, "database down means not ready");
	struct reply r;
	cr_assert_eq(http_call(&r, "GET", "/v1/me", "pts_whatever", NULL, NULL), 503,
		     "a request needing the database gets 503: %s", r.body);
	cr_assert(strstr(r.body, "service_unavailable"));
	reply_release(&r);
	cr_assert_lt(now() - t0, 5.0, "503 answers come quickly, not after a hang");
	cr_assert_eq(readyz(), 503);
	cr_assert_eq(http_call(&r, "GET", "/healthz", NULL, NULL, NULL), 200, "the process is alive");
	reply_release(&r);

	db_start();
	double back = now();
	long s = 0;
	while (now() - back < 5.0 && (s = readyz()) != 200)
		usleep(100000);
	cr_assert_eq(s, 200, "ready again within 5 s of the database's return");
	harness_server_stop(srv);
	db_stop();
	char log[300];
	harness_remove_tree(datadir);
	snprintf(log, sizeof(log), "%s.start.log", datadir);
	harness_remove_tree(log);
	snprintf(log, sizeof(log), "%s.install.log", datadir); /* written by mariadb_start */
	harness_remove_tree(log);
}
