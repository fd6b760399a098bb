/* POST /v1/jobs|permits/{id}/transitions: the body through transitions_parse_body. */
#include "fuzz_common.h"
#include "portal/transitions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = fuzz_body(data, size);
	if (!j)
		return 0;
	struct error err = ERROR_INIT;
	int rc = transitions_parse_body(j, &err);
	fuzz_error_sane(&err, rc);
	error_release(&err);
	json_decref(j);
	return 0;
}
