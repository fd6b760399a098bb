/* Route matching over the handler modules' static tables. */
#include "router.h"

#include <string.h>

#include "lib/xalloc.h"

#define MAX_ROUTES 256

/* Every handler module's table; adding a module is adding one line here. */
static const struct route *const tables[] = {
	ops_routes,
	auth_routes,
	accounts_routes,
	public_routes,
	publish_routes,
	sites_routes,
	materials_routes,
	applications_routes,
	projects_routes,
	coordination_routes,
	transitions_routes,
	codes_routes,
	jointdig_routes,
	integrations_routes,
	oversight_routes,
	postcheck_routes,
	credit_routes,
	public_stats_routes,
	stats_html_routes,
	place_routes,
	works_routes,
	defects_routes,
	feedback_routes,
	openapi_routes,
};

static const struct route *flat[MAX_ROUTES];
static int nflat;

void router_init(void)
{
	if (nflat)
		return;
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct route *r = tables[t]; r->method && nflat < MAX_ROUTES; r++)
			flat[nflat++] = r;
}

int router_count(void)
{
	return nflat;
}

const struct route *router_at(int i)
{
	return i >= 0 && i < nflat ? flat[i] : NULL;
}

/* Matches pattern against path; on success captures the {param} segments. */
static int match(const char *pat, const char *path, char *params[], int *np)
{
	int n = 0;
	while (*pat && *path) {
		if (*pat != '/' || *path != '/')
			goto fail;
		pat++, path++;
		const char *pe = strchr(pat, '/');
		size_t plen = pe ? (size_t)(pe - pat) : strlen(pat);
		const char *se = strchr(path, '/');
		size_t slen = se ? (size_t)(se - path) : strlen(path);
		if (plen >= 2 && pat[0] == '{') {
			if (slen == 0 || n == HTTP_MAX_PARAMS)
				goto fail;
			params[n++] = xstrndup(path, slen);
		} else if (plen != slen || memcmp(pat, path, plen) != 0) {
			goto fail;
		}
		pat += plen, path += slen;
	}
	if (*pat || *path)
		goto fail;
	*np = n;
	return 1;
fail:
	for (int i = 0; i < n; i++) {
		free(params[i]);
		params[i] = NULL;
	}
	return 0;
}

int router_match(const char *method, const char *path, const struct route **route, int *index,
		 char *params[HTTP_MAX_PARAMS], int *nparams, char *allow, size_t allow_len)
{
	router_init();
	int path_matched = 0;
	if (allow_len)
		allow[0] = 0;
	for (int i = 0; i < nflat; i++) {
		char *tmp[HTTP_MAX_PARAMS] = { 0 };
		int n = 0;
		if (!match(flat[i]->pattern, path, tmp, &n))
			continue;
		if (strcmp(flat[i]->method, method) == 0) {
			memcpy(params, tmp, sizeof(tmp));
			*nparams = n;
			*route = flat[i];
			*index = i;
			return 0;
		}
		for (int k = 0; k < n; k++)
			free(tmp[k]);
		/* Collect the methods this path does answer, for 405's Allow. */
		if (allow_len && !strstr(allow, flat[i]->method)) {
			size_t used = strlen(allow);
			if (used + strlen(flat[i]->method) + 3 < allow_len) {
				if (used)
					strcat(allow, ", ");
				strcat(allow, flat[i]->method);
			}
		}
		path_matched = 1;
	}
	return path_matched ? ERR_CONFLICT : ERR_NOT_FOUND;
}
