/*
 * The router and path parameters: "METHOD /path" through router_match, then each captured
 * parameter through input_path_id as the handlers read ids.
 */
#include <stdio.h>

#include "fuzz_common.h"
#include "portal/input.h"
#include "portal/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = 0;
	char *sp = strchr(text, ' ');
	const char *method = "GET", *path = text;
	if (sp) {
		*sp = 0;
		method = text;
		path = sp + 1;
	}
	const struct route *route = NULL;
	int index = -1, nparams = 0;
	char *params[HTTP_MAX_PARAMS] = { 0 };
	char allow[64];
	int rc = router_match(method, path, &route, &index, params, &nparams, allow, sizeof(allow));
	if (rc == 0) {
		if (!route || router_at(index) != route || nparams < 0 || nparams > HTTP_MAX_PARAMS)
			abort();
		struct http_request req;
		memset(&req, 0, sizeof(req));
		memcpy(req.params, params, sizeof(params));
		req.nparams = nparams;
		for (int i = 0; i <= nparams; i++) {
			long long id = 0;
			if (input_path_id(&req, i, &id) == 0 && id <= 0)
				abort();
		}
		for (int i = 0; i < nparams; i++) {
			if (!params[i] || !*params[i] || strchr(params[i], '/'))
				abort(); /* one non-empty segment each */
			free(params[i]);
		}
	} else if (rc != ERR_NOT_FOUND && rc != ERR_CONFLICT) {
		abort();
	} else if (strnlen(allow, sizeof(allow)) == sizeof(allow)) {
		abort();
	}
	free(text);
	return 0;
}
