/*
 * Demo history for the statistics page and the certificate check: one small application of the
 * demo applicant, driven to completion through the real API (an in-process server on a loopback
 * port), so its fast-tracked dig-road permit and its completed water connection carry signed
 * certificates and /stats has demo district figures. Skipped when the demo already has one.
 */
#define _GNU_SOURCE
#include "seed_oversight.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "portal/app.h"
#include "portal/http.h"
#include "portal/public_api.h"
#include "portal/snapshot.h"
#include "store/db.h"
#include "workflows/calendar.h"
#include "demo/fuzhou.h"
#include "lib/xalloc.h"
#include "workflows/geo.h"
#include "lib/json_text.h"

#define DEMO_PASSWORD "demo-password-1"

static const char SQL_DONE[] =
    "SELECT COUNT(*) FROM applications a JOIN users u ON u.org_id = a.org_id "
    "WHERE u.email = 'applicant@demo.test' AND a.status = 'completed'";

struct client {
	char base[64];
	int failed;
};

struct sink {
	char *p;
	size_t n;
};

static size_t collect(char *d, size_t size, size_t n, void *ud)
{
	struct sink *s = ud;
	s->p = xrealloc(s->p, s->n + size * n + 1);
	memcpy(s->p + s->n, d, size * n);
	s->n += size * n;
	s->p[s->n] = 0;
	return size * n;
}

/* One exchange; the parsed JSON reply (caller releases), or NULL and failed set. */
static json_t *call(struct client *cl, const char *method, const char *path, const char *token,
		    const char *ctype, const char *body, size_t len)
{
	if (cl->failed)
		return NULL;
	CURL *c = curl_easy_init();
	char url[512], auth[300], ct[120];
	snprintf(url, sizeof(url), "%s%s", cl->base, path);
	struct curl_slist *h = curl_slist_append(NULL, "Expect:");
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		h = curl_slist_append(h, auth);
	}
	if (ctype) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
		h = curl_slist_append(h, ct);
	}
	struct sink s = {0};
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	}
	long status = 0;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	json_t *j = s.p ? json_loads(s.p, 0, NULL) : NULL;
	if (status < 200 || status > 299) {
		fprintf(stderr, "seed-demo: %s %s: %ld %s\n", method, path, status, s.p ? s.p : "");
		cl->failed = 1;
		json_decref(j);
		j = NULL;
	}
	free(s.p);
	return j;
}

static json_t *post(struct client *cl, const char *path, const char *token, const char *body)
{
	return call(cl, "POST", path, token, "application/json", body, strlen(body));
}

static char *login(struct client *cl, const char *who)
{
	char body[200];
	snprintf(body, sizeof(body), "{\"email\":\"%s@demo.test\",\"password\":\"%s\"}", who,
		 DEMO_PASSWORD);
	json_t *j = post(cl, "/v1/sessions", NULL, body);
	char *t = j ? xstrdup(json_string_value(json_object_get(j, "token"))) : NULL;
	json_decref(j);
	return t;
}

/* One PDF per material type any published standard asks for. */
static json_t *upload_materials(struct client *cl, const char *token)
{
	json_t *std = call(cl, "GET", "/v1/public/service-standards", NULL, NULL, NULL, 0);
	json_t *types = public_standards_material_types(std), *ids = json_array(), *t;
	size_t i;
	json_array_foreach(types, i, t)
	{
		const char *type = json_string_value(t);
		char path[200], pdf[200];
		snprintf(path, sizeof(path), "/v1/materials?type=%s&filename=%s.pdf", type, type);
		snprintf(pdf, sizeof(pdf), "%%PDF-1.4\n%% demo %s\n%%%%EOF\n", type);
		json_t *r = call(cl, "POST", path, token, "application/pdf", pdf, strlen(pdf));
		if (r)
			json_array_append_new(ids, json_pack("{s:O}", "material_id",
							     json_object_get(r, "id")));
		json_decref(r);
	}
	json_decref(types);
	json_decref(std);
	return ids;
}

static const char *day_str(int offset, char buf[11])
{
	return cal_day_format(cal_day_of_instant(time(NULL)) + offset, buf);
}

static void act(struct client *cl, const char *kind, long long id, const char *token,
		const char *body)
{
	char path[128];
	snprintf(path, sizeof(path), "/v1/%s/%lld/transitions", kind, id);
	json_decref(post(cl, path, token, body));
}

/* The water lines of the application's estimate: the band its DN falls in, at its price. */
static char *water_quote(json_t *app)
{
	json_t *q = json_array(), *line;
	size_t i;
	json_array_foreach(json_object_get(json_object_get(app, "estimate"), "lines"), i, line)
	{
		if (strcmp(json_string_value(json_object_get(line, "utility_kind")), "water") != 0 ||
		    json_integer_value(json_object_get(line, "quantity")) < 1)
			continue;
		json_array_append_new(q, json_pack("{s:O, s:O, s:O}", "code",
						   json_object_get(line, "code"), "quantity",
						   json_object_get(line, "quantity"), "unit_price_fen",
						   json_object_get(line, "unit_price_fen")));
	}
	char *text = json_text(q);
	json_decref(q);
	return text;
}

static void journey(struct client *cl)
{
	char *app_t = login(cl, "applicant"), *water = login(cl, "water");
	/* the Nanhou Street plot: a short dig on a branch road inside a published low-risk zone */
	const struct fz_site *fs = &fz_sites[1];
	char *site_body = xasprintf("{\"name\":\"%s\",\"address\":\"%s\",\"district\":\"%s\","
				    "\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.7f,%.7f]},"
				    "\"plot_ref\":\"DEMO-1\"}",
				    fs->name_en, fs->address_zh, fs->district, fs->lng, fs->lat);
	json_t *site = post(cl, "/v1/sites", app_t, site_body);
	free(site_body);
	json_t *mats = upload_materials(cl, app_t);
	char *m = json_text(mats), d0[11], d5[11];
	struct geo *dig = geo_from_wkt(fs->dig);
	json_t *dig_j = dig ? geo_geojson(dig) : json_null();
	char *dig_t = json_text(dig_j);
	json_decref(dig_j);
	geo_free(dig);
	char *body = xasprintf(
	    "{\"site_id\":%lld,\"commitment\":true,\"utilities\":{\"water\":{\"dn\":50,"
	    "\"use\":\"domestic\",\"meters\":1}},\"works\":{\"excavations\":[{\"utility\":"
	    "\"water\",\"geometry\":%s,\"road_id\":\"%s\",\"width_m\":1,"
	    "\"start_date\":\"%s\",\"end_date\":\"%s\"}]},\"materials\":%s}",
	    (long long)json_integer_value(json_object_get(site, "id")), dig_t, fs->road_id,
	    day_str(0, d0), day_str(5, d5), m);
	free(dig_t);
	json_t *app = post(cl, "/v1/applications", app_t, body);
	long long job = json_integer_value(
	    json_object_get(json_array_get(json_object_get(app, "jobs"), 0), "id"));
	json_t *permits = json_object_get(app, "permits");
	char *needed = xstrdup("[]");
	if (json_array_size(permits)) {
		free(needed);
		needed = xasprintf("[\"%s\"]", json_string_value(json_object_get(
						   json_array_get(permits, 0), "reference")));
	}
	char *q = water_quote(app), *plan = xasprintf("{\"action\":\"plan\",\"quote\":%s,"
						     "\"permits_needed\":%s}",
						     q, needed);
	act(cl, "jobs", job, water, "{\"action\":\"accept\"}");
	act(cl, "jobs", job, water,
	    "{\"action\":\"survey\",\"connection_point\":{\"lat\":26.1081,\"lng\":119.2521,"
	    "\"description\":\"north gate\"}}");
	act(cl, "jobs", job, water, plan);
	act(cl, "jobs", job, app_t, "{\"action\":\"confirm\"}");
	act(cl, "jobs", job, water, "{\"action\":\"start_construction\"}");
	act(cl, "jobs", job, water, "{\"action\":\"connect\"}");
	act(cl, "jobs", job, water, "{\"action\":\"complete\"}");
	free(plan);
	free(q);
	free(needed);
	json_decref(app);
	free(body);
	free(m);
	json_decref(mats);
	json_decref(site);
	free(app_t);
	free(water);
}

struct done_check {
	long long n;
};

static int count_done(struct store_conn *c, void *ctx, struct error *err)
{
	struct store_result *r = NULL;
	int rc = store_exec(c, SQL_DONE, NULL, 0, &r, err);
	if (!rc)
		((struct done_check *)ctx)->n = store_cell_ll(r, 0, 0, 0);
	store_result_free(r);
	return rc;
}

int seed_oversight(struct store_pool *pool, FILE *progress, const struct seed_options *o)
{
	(void)o;
	struct error err = ERROR_INIT;
	struct done_check d = {0};
	if (store_with(pool, count_done, &d, &err) != 0) {
		fprintf(stderr, "seed-demo: %s\n", err.message);
		error_release(&err);
		return ERR_UNAVAILABLE;
	}
	if (d.n > 0)
		return 0;
	if (progress)
		fputs("seed-demo: one completed demo application (statistics, certificates)\n",
		      progress);
	struct app app = {0};
	if (config_load(&app.cfg, &err) != 0) {
		fprintf(stderr, "seed-demo: %s\n", err.message);
		error_release(&err);
		return ERR_INVALID;
	}
	app.pool = pool;
	snapshot_start(&app);
	struct http_limits limits = {.max_body = app.cfg.max_body,
				     .max_connections = 16,
				     .per_ip_connections = 16,
				     .timeout_seconds = 30,
				     .connection_memory = 64 * 1024,
				     .threads = 2};
	struct http_server *srv = http_server_start(&app, "127.0.0.1:0", &limits, &err);
	int rc = 0;
	if (!srv) {
		fprintf(stderr, "seed-demo: %s\n", err.message);
		rc = ERR_UNAVAILABLE;
	} else {
		struct client cl = {.failed = 0};
		snprintf(cl.base, sizeof(cl.base), "http://127.0.0.1:%u", http_server_port(srv));
		journey(&cl);
		rc = cl.failed ? ERR_INTERNAL : 0;
		http_server_stop(srv);
	}
	snapshot_stop(app.snapshot);
	config_release(&app.cfg);
	error_release(&err);
	return rc;
}
