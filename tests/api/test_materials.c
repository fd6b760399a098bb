/* Materials over real HTTP: uploads (raw and multipart), sniffing, dedup, caps, disk failures,
 * licences. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <curl/curl.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/db.h"
#include "store/materials.h"
#include "support/harness.h"
#include "lib/xalloc.h"

#define ROW_PARAMS(table)                                                                          \
	do {                                                                                       \
		static size_t rows[sizeof(table) / sizeof(table[0])];                              \
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)                        \
			rows[i] = i;                                                               \
		return cr_make_param_array(size_t, rows, sizeof(rows) / sizeof(rows[0]));          \
	} while (0)

static struct harness_server *srv;
static char data_dir[128];

/* Each test process gets its own data directory, so files on disk can be counted. */
static void setup(void)
{
	snprintf(data_dir, sizeof(data_dir), "/tmp/portal-mat-XXXXXX");
	cr_assert(mkdtemp(data_dir));
	setenv("PORTAL_DATA_DIR", data_dir, 1);
	unsetenv("PORTAL_ELICENCE_URL");
	srv = harness_server_start();
}

static void teardown(void)
{
	harness_server_stop(srv);
	harness_remove_tree(data_dir);
}

TestSuite(materials, .init = setup, .fini = teardown, .timeout = 60);

static void restart(void)
{
	harness_server_stop(srv);
	srv = harness_server_start();
}

/* A new applicant organisation and a signed-in person in it. */
static char *applicant(long long *org)
{
	char email[128];
	long long o = harness_make_user("applicant", NULL, true, email);
	if (org)
		*org = o;
	return harness_login(email, HARNESS_PASSWORD);
}

struct sink {
	char *data;
	size_t len;
};

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
	struct sink *s = ud;
	s->data = xrealloc(s->data, s->len + size * n + 1);
	memcpy(s->data + s->len, p, size * n);
	s->len += size * n;
	s->data[s->len] = 0;
	return size * n;
}

/* Finishes a request built on c: performs it and fills r as http_call does. */
static long perform(CURL *c, const char *path, const char *token, struct curl_slist *hl,
		    struct reply *r)
{
	memset(r, 0, sizeof(*r));
	char url[1024], auth[256];
	snprintf(url, sizeof(url), "%s%s", harness_base(), path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	hl = curl_slist_append(hl, auth);
	hl = curl_slist_append(hl, "Expect:");
	struct sink b = {0}, h = {0};
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	CURLcode rc = curl_easy_perform(c);
	cr_assert_eq(rc, CURLE_OK, "%s: %s", path, curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	r->body = b.data ? b.data : xcalloc(1, 1);
	r->len = b.len;
	r->headers = h.data;
	r->json = json_loadb(r->body, r->len, 0, NULL);
	return r->status;
}

/* POST /v1/materials?<query> with a raw binary body and an optional Content-Type. */
static long upload_raw(struct reply *r, const char *token, const char *query,
		       const char *content_type, const void *data, size_t len)
{
	CURL *c = curl_easy_init();
	char path[512], ct[256];
	snprintf(path, sizeof(path), "/v1/materials%s%s", query ? "?" : "", query ? query : "");
	snprintf(ct, sizeof(ct), "Content-Type:%s%s", content_type ? " " : "",
		 content_type ? content_type : "");
	struct curl_slist *hl = curl_slist_append(NULL, ct);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, data);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	return perform(c, path, token, hl, r);
}

/* The same through multipart/form-data, encoded by libcurl as a browser would. */
static long upload_form(struct reply *r, const char *token, const char *type, const char *filename,
			const char *file_type, const void *data, size_t len)
{
	CURL *c = curl_easy_init();
	curl_mime *mime = curl_mime_init(c);
	curl_mimepart *part = curl_mime_addpart(mime);
	curl_mime_name(part, "type");
	curl_mime_data(part, type, CURL_ZERO_TERMINATED);
	part = curl_mime_addpart(mime);
	curl_mime_name(part, "file");
	curl_mime_data(part, data, len);
	curl_mime_filename(part, filename);
	if (file_type)
		curl_mime_type(part, file_type);
	curl_easy_setopt(c, CURLOPT_MIMEPOST, mime);
	long status = perform(c, "/v1/materials", token, NULL, r);
	curl_mime_free(mime);
	return status;
}

/* Bytes that sniff as the given kind, made unique by n so tests do not share content. */
static size_t sample(char *buf, size_t cap, const char *magic, size_t mlen, int n)
{
	memcpy(buf, magic, mlen);
	int k = snprintf(buf + mlen, cap - mlen, " sample %d\n", n);
	return mlen + (size_t)k;
}
#define PDF "%PDF-1.7\n"
#define PNG "\x89PNG\r\n\x1a\n"
#define JPEG "\xff\xd8\xff\xe0"
#define ZIP "PK\x03\x04"

static long long count_sql(const char *sql, long long a)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	cr_assert(c);
	struct store_result *res = NULL;
	struct store_param p[] = {P_INT(a)};
	cr_assert_eq(store_exec(c, sql, p, 1, &res, NULL), 0);
	long long n = store_cell_ll(res, 0, 0, 0);
	store_result_free(res);
	store_release(c);
	return n;
}
static const char SQL_ORG_MATERIALS[] = "SELECT COUNT(*) FROM materials WHERE org_id = ?";

/* Regular files under dir (recursively) whose name contains `needle` ("" for all). */
/* Documents live under <data dir>/materials; the key files beside it are not documents. */
static int documents_under(const char *data, const char *needle);

static int files_under(const char *dir, const char *needle)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char *p = xasprintf("%s/%s", dir, e->d_name);
		struct stat st;
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			n += files_under(p, needle);
		else if (strstr(e->d_name, needle))
			n++;
		free(p);
	}
	closedir(d);
	return n;
}

static int documents_under(const char *data, const char *needle)
{
	char *dir = xasprintf("%s/materials", data);
	int n = files_under(dir, needle);
	free(dir);
	return n;
}

static const char *str(const struct reply *r, const char *key)
{
	return json_string_value(json_object_get(r->json, key));
}

static long long id_of(const struct reply *r)
{
	return json_integer_value(json_object_get(r->json, "id"));
}

/* Whether the error details name `field` with `code`. */
static bool has_detail(const struct reply *r, const char *field, const char *code)
{
	json_t *d = json_object_get(json_object_get(r->json, "error"), "details");
	for (size_t i = 0; i < json_array_size(d); i++) {
		json_t *x = json_array_get(d, i);
		if (!strcmp(json_string_value(json_object_get(x, "field")), field) &&
		    (!code || !strcmp(json_string_value(json_object_get(x, "code")), code)))
			return true;
	}
	return false;
}

Test(materials, the_same_bytes_twice_give_the_same_material_and_one_file)
{
	char *token = applicant(NULL);
	char buf[256];
	size_t n = sample(buf, sizeof(buf), PDF, strlen(PDF), harness_unique());
	struct reply a, b, c;
	cr_assert_eq(
	    upload_raw(&a, token, "type=site_plan&filename=plan.pdf", "application/pdf", buf, n),
	    201, "%s", a.body);
	cr_assert_eq(upload_raw(&b, token, "type=site_plan", "application/pdf", buf, n), 200, "%s",
		     b.body);
	cr_expect_eq(id_of(&a), id_of(&b));
	cr_expect_str_eq(str(&a, "content_type"), "application/pdf");
	cr_expect_str_eq(str(&a, "filename"), "plan.pdf");
	cr_expect_eq(json_integer_value(json_object_get(a.json, "size_bytes")), (json_int_t)n);
	char hash[65];
	store_blob_hash(buf, n, hash);
	cr_expect_str_eq(str(&a, "content_hash"), hash);

	/* another type is another material, but the content is still stored once */
	cr_assert_eq(upload_raw(&c, token, "type=other", NULL, buf, n), 201, "%s", c.body);
	cr_expect_neq(id_of(&c), id_of(&a));
	cr_expect_str_eq(str(&c, "content_hash"), hash);
	cr_expect_str_eq(str(&c, "filename"), "other.pdf", "a default name from type and kind");
	char *dir = xasprintf("%s/materials/%.2s/%.2s", data_dir, hash, hash + 2);
	cr_expect_eq(files_under(dir, hash), 1, "one file for the content");
	cr_expect_eq(files_under(data_dir, ".tmp."), 0, "no temporary file left");
	free(dir);
	reply_release(&a);
	reply_release(&b);
	reply_release(&c);
	free(token);
}

static const struct {
	const char *magic;
	size_t mlen;
	const char *declared;
	long status;
	const char *why;
} sniffing[] = {
    {PDF, 9, "application/pdf", 201, "pdf"},
    {PNG, 8, "image/png", 201, "png"},
    {JPEG, 4, "image/jpeg", 201, "jpeg"},
    {JPEG, 4, "image/jpg", 201, "jpeg under a common alias"},
    {ZIP, 4, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", 201,
     "docx"},
    {ZIP, 4, "application/zip", 201, "xlsx or other zip"},
    {PDF, 9, "application/octet-stream", 201, "octet-stream declares nothing"},
    {PDF, 9, NULL, 201, "no Content-Type at all"},
    {"Hello, plain text", 17, "text/plain", 415, "text"},
    {"<!DOCTYPE html><html>", 21, "text/html", 415, "html"},
    {"MZ\x90\x00\x03\x00", 6, "application/octet-stream", 415, "windows exe"},
    {"\x7f"
     "ELF\x02\x01",
     6, "application/octet-stream", 415, "elf binary"},
    {"GIF89a", 6, "image/gif", 415, "gif is not accepted"},
    {PDF, 9, "image/png", 415, "a pdf declared as png"},
    {PNG, 8, "application/pdf", 415, "a png declared as pdf"},
    {PDF, 9, "text/html", 415, "a pdf declared as html"},
};

ParameterizedTestParameters(materials, sniffing)
{
	ROW_PARAMS(sniffing);
}
ParameterizedTest(size_t *row, materials, sniffing)
{
	long long org;
	char *token = applicant(&org);
	char buf[256];
	size_t n =
	    sample(buf, sizeof(buf), sniffing[*row].magic, sniffing[*row].mlen, harness_unique());
	struct reply r;
	upload_raw(&r, token, "type=other", sniffing[*row].declared, buf, n);
	cr_expect_eq(r.status, sniffing[*row].status, "%s: %s", sniffing[*row].why, r.body);
	if (sniffing[*row].status == 415) {
		cr_expect(strstr(r.body, "application/pdf") && strstr(r.body, "image/jpeg"),
			  "the accepted kinds are listed: %s", r.body);
		cr_expect_eq(count_sql(SQL_ORG_MATERIALS, org), 0);
		cr_expect_eq(documents_under(data_dir, ""), 0, "nothing stored for refused content");
	}
	reply_release(&r);
	free(token);
}

Test(materials, uploads_over_the_cap_are_413_and_large_ones_under_it_pass)
{
	char *token = applicant(NULL);
	/* bigger than the 1 MiB JSON cap: the route has the upload cap */
	size_t big = (1u << 20) + 4096;
	char *buf = xcalloc(1, big);
	memcpy(buf, PDF, strlen(PDF));
	struct reply r;
	cr_expect_eq(upload_raw(&r, token, "type=site_plan", "application/pdf", buf, big), 201,
		     "%s", r.body);
	reply_release(&r);

	setenv("PORTAL_MAX_UPLOAD", "65536", 1);
	restart();
	cr_expect_eq(upload_raw(&r, token, "type=site_plan", "application/pdf", buf, 65537), 413,
		     "%s", r.body);
	cr_expect_str_eq(
	    json_string_value(json_object_get(json_object_get(r.json, "error"), "code")),
	    "payload_too_large");
	reply_release(&r);
	cr_expect_eq(files_under(data_dir, ".tmp."), 0);
	free(buf);
	free(token);
}

Test(materials, a_data_dir_that_cannot_exist_is_507_with_no_row)
{
	long long org;
	char *token = applicant(&org);
	/* mkdir under a regular file fails with ENOTDIR, even for root */
	char *blocker = xasprintf("%s/not-a-directory", data_dir);
	FILE *f = fopen(blocker, "w");
	cr_assert(f);
	fclose(f);
	char *dir = xasprintf("%s/data", blocker);
	setenv("PORTAL_DATA_DIR", dir, 1);
	restart();
	char buf[64];
	size_t n = sample(buf, sizeof(buf), PDF, strlen(PDF), harness_unique());
	struct reply r;
	cr_assert_eq(upload_raw(&r, token, "type=site_plan", "application/pdf", buf, n), 507, "%s",
		     r.body);
	cr_expect(strstr(r.body, "cannot store the document"), "%s", r.body);
	cr_expect(strstr(r.body, "missing or not a directory"), "%s", r.body);
	cr_expect_null(strstr(r.body, data_dir), "the server's path leaked: %s", r.body);
	cr_expect_eq(count_sql(SQL_ORG_MATERIALS, org), 0, "no row");
	reply_release(&r);
	free(dir);
	free(blocker);
	free(token);
}

Test(materials, a_write_that_fails_midway_is_507_and_leaves_no_temporary_file)
{
	long long org;
	char *token = applicant(&org);
	/*
	 * The server runs in this process: a file size limit makes write() fail with EFBIG after
	 * the temporary file exists, which root cannot bypass (unlike permissions).
	 */
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit old, lim;
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 1024;
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	char *buf = xcalloc(1, 8192);
	memcpy(buf, PDF, strlen(PDF));
	snprintf(buf + 100, 64, "%d", harness_unique());
	struct reply r;
	upload_raw(&r, token, "type=site_plan", "application/pdf", buf, 8192);
	setrlimit(RLIMIT_FSIZE, &old);
	cr_expect_eq(r.status, 507, "%s", r.body);
	cr_expect(strstr(r.body, "larger than the file system allows"), "%s", r.body);
	cr_expect_null(strstr(r.body, data_dir), "the server's path leaked: %s", r.body);
	cr_expect_eq(count_sql(SQL_ORG_MATERIALS, org), 0, "no row");
	cr_expect_eq(documents_under(data_dir, ""), 0, "no partial or temporary file");
	reply_release(&r);
	free(buf);
	free(token);
}

Test(materials, multipart_uploads_work_and_the_content_comes_back)
{
	char *token = applicant(NULL);
	char buf[256];
	size_t n = sample(buf, sizeof(buf), PNG, 8, harness_unique());
	struct reply r;
	cr_assert_eq(
	    upload_form(&r, token, "tree_survey", "树木调查 survey.png", "image/png", buf, n), 201,
	    "%s", r.body);
	cr_expect_str_eq(str(&r, "type"), "tree_survey");
	cr_expect_str_eq(str(&r, "filename"), "树木调查 survey.png");
	cr_expect_str_eq(str(&r, "source"), "upload");
	char path[128];
	snprintf(path, sizeof(path), "%s", str(&r, "content_url"));
	reply_release(&r);

	cr_assert_eq(http_call(&r, "GET", path, token, NULL, NULL), 200);
	cr_expect_eq(r.len, n);
	cr_expect(memcmp(r.body, buf, n) == 0, "the same bytes");
	char h[256];
	cr_expect_str_eq(reply_header(&r, "Content-Type", h, sizeof(h)), "image/png");
	cr_assert(reply_header(&r, "Content-Disposition", h, sizeof(h)));
	cr_expect(strncmp(h, "attachment; filename=\"", 22) == 0, "%s", h);
	cr_expect(strstr(h, "filename*=UTF-8''%E6%A0%91"), "%s", h);
	reply_release(&r);
	free(token);
}

Test(materials, every_upload_problem_is_listed_at_once)
{
	char *token = applicant(NULL);
	struct reply r;
	/* raw: bad type, bad filename, empty body */
	cr_assert_eq(
	    upload_raw(&r, token, "type=passport&filename=a%01b", "application/pdf", "", 0), 422,
	    "%s", r.body);
	cr_expect(has_detail(&r, "type", "not_allowed"), "%s", r.body);
	cr_expect(has_detail(&r, "filename", "invalid_characters"), "%s", r.body);
	cr_expect(has_detail(&r, "file", "required"), "%s", r.body);
	cr_expect(strstr(r.body, "land_use_certificate"), "the types are named: %s", r.body);
	reply_release(&r);

	/* multipart: an unknown field, no type, no file */
	static const char body[] =
	    "--XyZ\r\nContent-Disposition: form-data; name=\"colour\"\r\n\r\n"
	    "red\r\n--XyZ--\r\n";
	cr_assert_eq(
	    upload_raw(&r, token, NULL, "multipart/form-data; boundary=XyZ", body, strlen(body)),
	    422, "%s", r.body);
	cr_expect(has_detail(&r, "colour", "unknown_field"), "%s", r.body);
	cr_expect(has_detail(&r, "type", "required"), "%s", r.body);
	cr_expect(has_detail(&r, "file", "required"), "%s", r.body);
	reply_release(&r);

	/* broken framing is 400 */
	cr_expect_eq(upload_raw(&r, token, NULL, "multipart/form-data", body, strlen(body)), 400);
	reply_release(&r);
	static const char cut[] =
	    "--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n%PDF";
	cr_expect_eq(
	    upload_raw(&r, token, NULL, "multipart/form-data; boundary=XyZ", cut, strlen(cut)),
	    400);
	reply_release(&r);
	free(token);
}

Test(materials, another_organisations_material_is_404)
{
	char *mine = applicant(NULL), *theirs = applicant(NULL);
	char buf[64];
	size_t n = sample(buf, sizeof(buf), JPEG, 4, harness_unique());
	struct reply r;
	cr_assert_eq(upload_raw(&r, theirs, "type=site_plan", "image/jpeg", buf, n), 201);
	long long id = id_of(&r);
	reply_release(&r);
	char path[96];
	snprintf(path, sizeof(path), "/v1/materials/%lld", id);
	cr_expect_eq(http_call(&r, "GET", path, mine, NULL, NULL), 404);
	reply_release(&r);
	strcat(path, "/content");
	cr_expect_eq(http_call(&r, "GET", path, mine, NULL, NULL), 404);
	cr_expect(!memmem(r.body, r.len, buf, n), "no content leaks");
	reply_release(&r);
	cr_expect_eq(http_call(&r, "GET", path, theirs, NULL, NULL), 200);
	reply_release(&r);
	/* the same bytes uploaded by me are my own material, not theirs */
	cr_assert_eq(upload_raw(&r, mine, "type=site_plan", "image/jpeg", buf, n), 201);
	cr_expect_neq(id_of(&r), id);
	reply_release(&r);
	free(mine);
	free(theirs);
}

static const char SQL_APP[] =
    "INSERT INTO applications (reference, org_id, site_id, submitted_at, submitted_day, "
    "request, estimate, estimate_total_fen, request_hash) SELECT CONCAT('HK-T-', ?), org_id, "
    "id, UTC_TIMESTAMP(6), CURDATE(), '{}', '{}', 0, REPEAT('0', 64) FROM sites WHERE id = ?";

/* A utility working on an application that uses a material may read it; other utilities not. */
Test(materials, parties_to_an_application_using_it_may_read_it)
{
	long long org;
	char *token = applicant(&org);
	char email[128];
	long long water = harness_make_user("utility", "water", true, email);
	char *wtoken = harness_login(email, HARNESS_PASSWORD);
	long long gas = harness_make_user("utility", "gas", true, email);
	char *gtoken = harness_login(email, HARNESS_PASSWORD);
	char buf[64];
	size_t n = sample(buf, sizeof(buf), PDF, strlen(PDF), harness_unique());
	struct reply r;
	cr_assert_eq(upload_raw(&r, token, "type=site_plan", NULL, buf, n), 201);
	long long mid = id_of(&r);
	reply_release(&r);
	cr_assert_eq(
	    http_call(&r, "POST", "/v1/sites", token,
		      "{\"name\":\"S\",\"address\":\"A\",\"district\":\"350102\",\"lat\":26.1,"
		      "\"lng\":119.25,\"zone_risk\":\"low\"}",
		      NULL),
	    201, "%s", r.body);
	long long site = id_of(&r);
	reply_release(&r);

	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	unsigned long long app = 0;
	struct store_param p1[] = {P_INT(harness_unique()), P_INT(site)};
	cr_assert_eq(store_run(c, SQL_APP, p1, 2, NULL, &app, NULL), 0);
	static const char job[] = "INSERT INTO jobs (application_id, reference, utility_kind, "
				  "utility_org_id, state, params) VALUES (?, CONCAT('J-', ?), "
				  "'water', ?, 'submitted', '{}')";
	struct store_param p2[] = {P_INT(app), P_INT(app), P_INT(water)};
	cr_assert_eq(store_run(c, job, p2, 3, NULL, NULL, NULL), 0);
	static const char link[] =
	    "INSERT INTO application_materials (application_id, material_id) VALUES (?, ?)";
	struct store_param p3[] = {P_INT(app), P_INT(mid)};
	cr_assert_eq(store_run(c, link, p3, 2, NULL, NULL, NULL), 0);
	store_release(c);

	char path[96];
	snprintf(path, sizeof(path), "/v1/materials/%lld/content", mid);
	cr_expect_eq(http_call(&r, "GET", path, wtoken, NULL, NULL), 200, "%s", r.body);
	reply_release(&r);
	cr_expect_eq(http_call(&r, "GET", path, gtoken, NULL, NULL), 404, "gas %lld is no party",
		     gas);
	reply_release(&r);
	free(token);
	free(wtoken);
	free(gtoken);
}

Test(materials, electronic_licences_are_referenced_by_number)
{
	char *token = applicant(NULL);
	struct reply r;
	static const char body[] =
	    "{\"type\":\"business_licence\",\"elicence_no\":\"91350100M000100Y43\"}";
	cr_assert_eq(http_call(&r, "POST", "/v1/materials/elicence", token, body, NULL), 201, "%s",
		     r.body);
	long long id = id_of(&r);
	cr_expect_str_eq(str(&r, "source"), "elicence");
	json_t *lic = json_object_get(r.json, "elicence");
	cr_expect_str_eq(json_string_value(json_object_get(lic, "holder")), "unverified (offline)");
	cr_expect(json_is_false(json_object_get(lic, "verified")));
	reply_release(&r);
	cr_assert_eq(http_call(&r, "POST", "/v1/materials/elicence", token, body, NULL), 200);
	cr_expect_eq(id_of(&r), id, "referenced once");
	reply_release(&r);

	/* no file behind a licence */
	char path[96];
	snprintf(path, sizeof(path), "/v1/materials/%lld/content", id);
	cr_expect_eq(http_call(&r, "GET", path, token, NULL, NULL), 404);
	reply_release(&r);

	/* a bad check character, a bad type and an unknown field, all at once */
	cr_assert_eq(http_call(&r, "POST", "/v1/materials/elicence", token,
			       "{\"type\":\"passport\",\"elicence_no\":\"\",\"x\":1}", NULL),
		     422);
	cr_expect(has_detail(&r, "type", "not_allowed") && has_detail(&r, "elicence_no", NULL) &&
		      has_detail(&r, "x", "unknown_field"),
		  "%s", r.body);
	reply_release(&r);
	cr_assert_eq(
	    http_call(&r, "POST", "/v1/materials/elicence", token,
		      "{\"type\":\"business_licence\",\"elicence_no\":\"91350100M000100Y44\"}",
		      NULL),
	    422);
	cr_expect(has_detail(&r, "elicence_no", "unknown"), "%s", r.body);
	reply_release(&r);
	free(token);
}

Test(materials, a_licence_service_that_is_down_is_503_and_stores_nothing)
{
	long long org;
	char *token = applicant(&org);
	setenv("PORTAL_ELICENCE_URL", "http://127.0.0.1:1/licences", 1);
	struct reply r;
	cr_expect_eq(
	    http_call(&r, "POST", "/v1/materials/elicence", token,
		      "{\"type\":\"land_use_certificate\",\"elicence_no\":\"91350100M000100Y43\"}",
		      NULL),
	    503, "%s", r.body);
	cr_expect(strstr(r.body, "licence service"), "%s", r.body);
	cr_expect_eq(count_sql(SQL_ORG_MATERIALS, org), 0);
	reply_release(&r);
	free(token);
}

Test(materials, the_library_lists_own_materials_by_pages)
{
	char *token = applicant(NULL), *other = applicant(NULL);
	char buf[64];
	struct reply r;
	for (int i = 0; i < 3; i++) {
		size_t n = sample(buf, sizeof(buf), PDF, strlen(PDF), harness_unique());
		cr_assert_eq(upload_raw(&r, token, "type=other", NULL, buf, n), 201);
		reply_release(&r);
	}
	size_t n = sample(buf, sizeof(buf), PDF, strlen(PDF), harness_unique());
	cr_assert_eq(upload_raw(&r, other, "type=other", NULL, buf, n), 201);
	reply_release(&r);

	cr_assert_eq(http_call(&r, "GET", "/v1/materials?limit=2", token, NULL, NULL), 200);
	cr_expect_eq(json_array_size(json_object_get(r.json, "items")), 2);
	char path[128];
	snprintf(path, sizeof(path), "/v1/materials?limit=2&cursor=%s", str(&r, "next_cursor"));
	reply_release(&r);
	cr_assert_eq(http_call(&r, "GET", path, token, NULL, NULL), 200);
	cr_expect_eq(json_array_size(json_object_get(r.json, "items")), 1, "%s", r.body);
	cr_expect(json_is_null(json_object_get(r.json, "next_cursor")));
	reply_release(&r);
	free(token);
	free(other);
}
