/*
 * GET /v1/openapi.yaml: the API description, read once from PORTAL_OPENAPI (default: the source
 * tree's portal/openapi.yaml, as PORTAL_MIGRATIONS defaults to the source tree's migrations) and
 * served from memory with a strong ETag. Read at run time rather than embedded so that the
 * document served is always the file the tests checked; the Docker image copies it and sets
 * PORTAL_OPENAPI.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/http.h"
#include "portal/router.h"
#include "lib/xalloc.h"

#define MAX_DOCUMENT (4u << 20)

static char *doc;
static size_t doc_len;
static char etag[40];
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Loads the file; on failure doc stays NULL and the reason is logged once. */
static void load(void)
{
	const char *path = getenv("PORTAL_OPENAPI");
	if (!path || !*path)
		path = PORTAL_SOURCE_DIR "/portal/openapi.yaml";
	FILE *f = fopen(path, "rb");
	char *data = xmalloc(MAX_DOCUMENT + 1);
	size_t n = f ? fread(data, 1, MAX_DOCUMENT + 1, f) : 0;
	if (!f || n == 0 || n > MAX_DOCUMENT) {
		fprintf(stderr,
			"{\"level\":\"error\",\"message\":\"cannot serve the OpenAPI document: %s "
			"is missing, empty or over 4 MiB (set PORTAL_OPENAPI)\"}\n",
			path);
		free(data);
		if (f)
			fclose(f);
		return;
	}
	fclose(f);
	data[n] = 0;
	unsigned char h[16];
	char hex[33];
	crypto_generichash(h, sizeof(h), (const unsigned char *)data, n, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(etag, sizeof(etag), "\"%s\"", hex);
	doc = data;
	doc_len = n;
}

static int get_openapi(struct http_request *req, struct http_response *res)
{
	pthread_once(&once, load);
	if (!doc)
		return http_fail(res, ERR_UNAVAILABLE, "the API description is not installed on "
						       "this server");
	http_add_header(res, "ETag", etag);
	http_add_header(res, "Cache-Control", "public, max-age=300");
	const char *inm = http_header(req, "If-None-Match");
	if (inm && strstr(inm, etag)) {
		res->status = 304;
		return 0;
	}
	http_reply_static(res, 200, "application/yaml; charset=utf-8", doc, doc_len);
	return 0;
}

const struct route openapi_routes[] = {
	{ "GET", "/v1/openapi.yaml", get_openapi, ROUTE_PUBLIC, 0, RUNS_FROM_MEMORY },
	{ 0 },
};
