/* Shared bits of the libFuzzer harnesses: the request body path every JSON write takes. */
#ifndef TESTS_FUZZ_COMMON_H
#define TESTS_FUZZ_COMMON_H

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "portal/http.h"
#include "lib/error.h"

/* A crash here is a finding: an error must always carry a code and a terminated message. */
static inline void fuzz_error_sane(const struct error *err, int rc)
{
	if (rc && !err->code)
		abort();
	if (rc && strnlen(err->message, sizeof(err->message)) == sizeof(err->message))
		abort();
	for (size_t i = 0; i < err->ndetails; i++)
		if (!err->details[i].field || !err->details[i].code || !err->details[i].message)
			abort();
}

/* The body as the server parses it (depth guard, duplicates refused, object only). */
static inline json_t *fuzz_body(const uint8_t *data, size_t size)
{
	struct error err = ERROR_INIT;
	json_t *j = NULL;
	int rc = http_json_object((const char *)data, size, &j, &err);
	fuzz_error_sane(&err, rc);
	error_release(&err);
	return j;
}

#endif
