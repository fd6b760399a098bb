/*
 * What several portals on one database (one Galera cluster) share: a document uploaded through
 * one is read through another whose disk never saw it, sign-in throttling counts the failures
 * made through either, and the sweeper runs in one of them at a time.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "portal/serve.h"
#include "portal/sweeper.h"
#include "store/materials.h"
#include "support/harness.h"

/* A portal with a data directory of its own (its file cache of materials). */
static struct harness_server *portal_with_dir(const char *label, char *dir, size_t len)
{
	snprintf(dir, len, "%s/cluster-%s-%d-%d", getenv("PORTAL_TEST_TMP"), label, getpid(),
		 harness_unique());
	mkdir(dir, 0700);
	setenv("PORTAL_DATA_DIR", dir, 1);
	return harness_server_start();
}

Test(cluster, a_document_uploaded_through_one_portal_is_read_through_another)
{
	char dir_a[300], dir_b[300];
	const char *data_dir = getenv("PORTAL_DATA_DIR");
	char *saved = data_dir ? strdup(data_dir) : NULL;
	struct harness_server *a = portal_with_dir("a", dir_a, sizeof(dir_a));
	char email[128];
	harness_make_user("applicant", NULL, true, email);
	char *token = harness_login(email, HARNESS_PASSWORD);
	/* more than one chunk (512 KiB each), so the pieces must come back in order */
	size_t len = 1300 * 1024;
	char *doc = malloc(len);
	int n = snprintf(doc, len, "%%PDF-1.7\n%% cluster %d\n", harness_unique());
	for (size_t i = (size_t)n; i < len; i++)
		doc[i] = (char)('a' + i % 23);
	memcpy(doc + len - 6, "%%EOF\n", 6);
	struct reply r;
	cr_assert_eq(http_call_raw(&r, "POST", "/v1/materials?type=site_plan&filename=p.pdf", token,
				   doc, len, "application/pdf", NULL),
		     201, "%s", r.body);
	long long id = (long long)json_integer_value(json_object_get(r.json, "id"));
	reply_release(&r);
	char hash[65];
	store_blob_hash(doc, len, hash);
	char *in_b = NULL;

	struct harness_server *b = portal_with_dir("b", dir_b, sizeof(dir_b));
	in_b = store_blob_path(dir_b, hash);
	cr_expect_neq(access(in_b, F_OK), 0, "portal b's disk never saw the upload");
	char path[80];
	snprintf(path, sizeof(path), "/v1/materials/%lld/content", id);
	/* read from the database only for those who may read it */
	char other_email[128];
	harness_make_user("applicant", NULL, true, other_email);
	char *other = harness_login(other_email, HARNESS_PASSWORD);
	cr_expect_eq(http_call(&r, "GET", path, other, NULL, NULL), 404,
		     "another organisation's reader gets 404 through portal b too");
	cr_expect(r.len < len, "and none of the content");
	reply_release(&r);
	free(other);
	cr_expect_neq(access(in_b, F_OK), 0, "nor did that read leave a copy");
	cr_assert_eq(http_call(&r, "GET", path, token, NULL, NULL), 200, "%s", r.body);
	cr_expect_eq(r.len, len);
	cr_expect(r.len == len && memcmp(r.body, doc, len) == 0, "the same bytes, in order");
	reply_release(&r);
	cr_expect_eq(access(in_b, F_OK), 0, "portal b keeps a copy");
	harness_server_stop(b);
	harness_server_stop(a);
	if (saved)
		setenv("PORTAL_DATA_DIR", saved, 1);
	free(saved);
	free(in_b);
	free(doc);
	free(token);
	harness_remove_tree(dir_a);
	harness_remove_tree(dir_b);
}

static long sign_in(const char *email, const char *password)
{
	char body[512];
	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
	struct reply r;
	long s = http_call(&r, "POST", "/v1/sessions", NULL, body, NULL);
	reply_release(&r);
	return s;
}

Test(cluster, failed_sign_ins_through_two_portals_count_together)
{
	setenv("PORTAL_LOGIN_ACCOUNT_FAILURES", "4", 1);
	char email[128];
	harness_make_user("applicant", NULL, false, email);
	struct harness_server *a = harness_server_start();
	for (int i = 0; i < 2; i++)
		cr_assert_eq(sign_in(email, "wrong-password-123"), 401, "through a, attempt %d", i);
	struct harness_server *b = harness_server_start(); /* calls go to b from here */
	for (int i = 0; i < 2; i++)
		cr_assert_eq(sign_in(email, "wrong-password-123"), 401, "through b, attempt %d", i);
	cr_expect_eq(sign_in(email, HARNESS_PASSWORD), 429,
		     "two failures through a and two through b reach the limit of four");
	harness_server_stop(b);
	harness_server_stop(a);
	unsetenv("PORTAL_LOGIN_ACCOUNT_FAILURES");
}

Test(cluster, one_sweeper_runs_across_portals_and_another_takes_over_when_it_stops,
     .timeout = 60)
{
	struct app *a = NULL, *b = NULL;
	struct error err = ERROR_INIT;
	cr_assert_eq(app_new(&a, &err), 0, "%s", err.message);
	cr_assert_eq(app_new(&b, &err), 0, "%s", err.message);
	struct sweeper *sa = sweeper_start(a, 1);
	usleep(300000); /* a first */
	struct sweeper *sb = sweeper_start(b, 1);
	sleep(3);
	unsigned pa = sweeper_passes(sa), pb = sweeper_passes(sb);
	cr_expect_geq(pa, 3, "the first portal sweeps every second (%u)", pa);
	cr_expect_eq(pb, 0, "the second does not while the first holds the lease (%u)", pb);
	sweeper_stop(sa); /* gives the lease up */
	for (int i = 0; i < 30 && sweeper_passes(sb) == 0; i++)
		usleep(100000);
	cr_expect_gt(sweeper_passes(sb), 0, "the second takes over within a pass");
	sweeper_stop(sb);
	app_free(a);
	app_free(b);
}
