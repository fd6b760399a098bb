/* Test harness: per-run database, in-process portal on an ephemeral port, libcurl client. */
#define _GNU_SOURCE
#include "harness.h"

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <curl/curl.h>
#include <ftw.h>
#include <mysql.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "portal/admin.h"
#include "portal/http.h"
#include "portal/secrets.h"
#include "portal/serve.h"
#include "store/accounts.h"
#include "store/migrate.h"
#include "store/seal.h"
#include "lib/xalloc.h"

static char db_name[64];
static char db_url[512];
static struct store_pool *pool;

void harness_sql(const char *database, const char *sql)
{
	const char *sock = getenv("PORTAL_TEST_SOCKET");
	if (!sock) {
		fprintf(stderr, "PORTAL_TEST_SOCKET is not set: run the tests with scripts/test\n");
		abort();
	}
	MYSQL *m = mysql_init(NULL);
	if (!mysql_real_connect(m, NULL, "root", NULL, database, 0, sock, CLIENT_MULTI_STATEMENTS)) {
		fprintf(stderr, "harness: connect: %s\n", mysql_error(m));
		abort();
	}
	if (mysql_query(m, sql) != 0) {
		fprintf(stderr, "harness: %s: %s\n", sql, mysql_error(m));
		abort();
	}
	do {
		MYSQL_RES *r = mysql_store_result(m);
		if (r)
			mysql_free_result(r);
	} while (mysql_next_result(m) == 0);
	mysql_close(m);
}

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
	(void)set;
	if (sodium_init() < 0)
		abort();
	/*
	 * The secrets key the portals of this run load too (from PORTAL_DATA_DIR), so endpoints
	 * written directly through the store open in a server and the other way round.
	 */
	const char *data = getenv("PORTAL_DATA_DIR"), *tmp = getenv("PORTAL_TEST_TMP");
	if (!(data && *data) && !getenv("PORTAL_SECRETS_KEY")) {
		char kp[300];
		snprintf(kp, sizeof(kp), "%s/harness-secrets.key", tmp && *tmp ? tmp : "/tmp");
		setenv("PORTAL_SECRETS_KEY", kp, 0);
	}
	/* Tests run in processes of their own, which load the same file (store_seal's default). */
	struct error kerr = ERROR_INIT;
	char *kp = store_seal_default_path();
	if (store_seal_load(kp, &kerr) != 0) {
		fprintf(stderr, "harness: %s\n", kerr.message);
		abort();
	}
	free(kp);
	const char *sock = getenv("PORTAL_TEST_SOCKET");
	if (!sock)
		return; /* harness_db_url() will say what is wrong */
	snprintf(db_name, sizeof(db_name), "t_%d_%u", getpid(), randombytes_uniform(1000000));
	char sql[200];
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s CHARACTER SET utf8mb4", db_name);
	harness_sql(NULL, sql);
	snprintf(db_url, sizeof(db_url), "mariadb://root@localhost/%s?socket=%s", db_name, sock);
	setenv("PORTAL_DB", db_url, 1);
	setenv("PORTAL_ACCESS_LOG", "0", 0);
	setenv("PORTAL_PASSWORD_COST", "minimum", 0);
	/* every test signs in from 127.0.0.1: only tests that probe the address block lower it */
	setenv("PORTAL_LOGIN_ADDRESS_FAILURES", "100000", 0);
	setenv("PORTAL_ALLOW_PRIVATE_WEBHOOKS", "1", 0);
	struct store_config cfg;
	struct error err = ERROR_INIT;
	if (store_config_parse(db_url, &cfg, &err) != 0 ||
	    store_migrate(&cfg, getenv("PORTAL_MIGRATIONS"), NULL, NULL, &err) != 0) {
		fprintf(stderr, "harness: migrate: %s\n", err.message);
		abort();
	}
	/* Every suite starts from the demo organisations, accounts and published data. */
	struct store_pool *seed_pool = store_pool_new(&cfg, 2);
	if (seed_demo_run(seed_pool, NULL, &err) != 0) {
		fprintf(stderr, "harness: seed-demo: %s\n", err.message);
		abort();
	}
	store_pool_free(seed_pool);
	store_config_release(&cfg);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
	(void)stats;
	if (!db_name[0])
		return;
	char sql[200];
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", db_name);
	harness_sql(NULL, sql);
}

const char *harness_db_url(void)
{
	const char *u = getenv("PORTAL_DB");
	cr_assert(u, "PORTAL_DB unset: run the tests through scripts/test");
	return u;
}

const char *harness_db_name(void)
{
	static char name[64];
	const char *url = harness_db_url();
	const char *p = strstr(url, "://");
	p = p ? strchr(p + 3, '/') : NULL;
	cr_assert(p, "bad PORTAL_DB");
	sscanf(p + 1, "%63[^?]", name);
	return name;
}

struct store_pool *harness_pool(void)
{
	if (!pool) {
		struct store_config cfg;
		struct error err = ERROR_INIT;
		cr_assert_eq(store_config_parse(harness_db_url(), &cfg, &err), 0);
		pool = store_pool_new(&cfg, 4);
		store_config_release(&cfg);
	}
	return pool;
}

struct harness_server {
	struct app *app;
	struct http_server *srv;
};
static char base[64];

struct harness_server *harness_server_start(void)
{
	harness_db_url();
	setenv("PORTAL_THREADS", "4", 0);
	struct harness_server *s = xcalloc(1, sizeof(*s));
	struct error err = ERROR_INIT;
	cr_assert_eq(app_new(&s->app, &err), 0, "app_new: %s", err.message);
	struct http_limits limits = app_http_limits(s->app);
	s->srv = http_server_start(s->app, "127.0.0.1:0", &limits, &err);
	cr_assert(s->srv, "server: %s", err.message);
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", http_server_port(s->srv));
	return s;
}

void harness_server_stop(struct harness_server *s)
{
	if (!s)
		return;
	http_server_stop(s->srv);
	app_free(s->app);
	free(s);
}

struct app *harness_app(struct harness_server *s)
{
	return s->app;
}

const char *harness_base(void)
{
	return base;
}

void reply_release(struct reply *r)
{
	free(r->body);
	free(r->headers);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

const char *reply_header(const struct reply *r, const char *name, char *buf, size_t len)
{
	size_t nlen = strlen(name);
	for (const char *line = r->headers; line && *line;) {
		const char *eol = strstr(line, "\r\n");
		size_t llen = eol ? (size_t)(eol - line) : strlen(line);
		if (llen > nlen && strncasecmp(line, name, nlen) == 0 && line[nlen] == ':') {
			const char *v = line + nlen + 1;
			while (*v == ' ')
				v++;
			size_t vlen = llen - (size_t)(v - line);
			snprintf(buf, len, "%.*s", (int)vlen, v);
			return buf;
		}
		line = eol ? eol + 2 : NULL;
	}
	return NULL;
}

struct sink {
	char *data;
	size_t len;
};

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
	struct sink *s = ud;
	size_t add = size * n;
	s->data = xrealloc(s->data, s->len + add + 1);
	memcpy(s->data + s->len, p, add);
	s->len += add;
	s->data[s->len] = 0;
	return add;
}

long http_call(struct reply *r, const char *method, const char *path, const char *token,
	       const char *body, const char *const *headers)
{
	return http_call_raw(r, method, path, token, body, body ? strlen(body) : 0,
			     body ? "application/json" : NULL, headers);
}

long http_call_raw(struct reply *r, const char *method, const char *path, const char *token,
		   const void *body, size_t len, const char *content_type,
		   const char *const *headers)
{
	memset(r, 0, sizeof(*r));
	CURL *c = curl_easy_init();
	char url[2048];
	snprintf(url, sizeof(url), "%s%s", base, path);
	struct sink b = { 0 }, h = { 0 };
	struct curl_slist *hl = NULL;
	char auth[512];
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		hl = curl_slist_append(hl, auth);
	}
	char ct[200];
	if (content_type) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", content_type);
		hl = curl_slist_append(hl, ct);
	}
	for (const char *const *x = headers; x && *x; x++)
		hl = curl_slist_append(hl, *x);
	hl = curl_slist_append(hl, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	}
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	CURLcode rc = curl_easy_perform(c);
	cr_assert_eq(rc, CURLE_OK, "%s %s: %s", method, path, curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	r->body = b.data ? b.data : xcalloc(1, 1);
	r->len = b.len;
	r->headers = h.data;
	r->json = json_loadb(r->body, r->len, 0, NULL);
	return r->status;
}

int harness_unique(void)
{
	static int n;
	return (int)(randombytes_uniform(1000000) * 100 + (unsigned)(++n % 100));
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

void harness_remove_tree(const char *path)
{
	if (path && *path)
		nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

long long harness_make_user(const char *kind, const char *subkind, bool admin, char *email_out)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	struct error err = ERROR_INIT;
	int u = harness_unique();
	char name[128];
	snprintf(name, sizeof(name), "%s %s org %d", kind, subkind ? subkind : "", u);
	long long org = 0, uid = 0;
	cr_assert_eq(store_org_create(c, name, kind, subkind, "350102", &org, &err), 0, "%s",
		     err.message);
	snprintf(email_out, 128, "user%d@%s.test", u, subkind ? subkind : kind);
	char *hash = secret_password_hash(HARNESS_PASSWORD);
	cr_assert_eq(store_user_create(c, org, email_out, "Test User", hash, admin, &uid, &err), 0,
		     "%s", err.message);
	free(hash);
	store_release(c);
	return org;
}

char *harness_login(const char *email, const char *password)
{
	char body[512];
	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
	struct reply r;
	http_call(&r, "POST", "/v1/sessions", NULL, body, NULL);
	cr_assert_eq(r.status, 201, "login %s: %ld %s", email, r.status, r.body);
	char *t = xstrdup(json_string_value(json_object_get(r.json, "token")));
	reply_release(&r);
	return t;
}
