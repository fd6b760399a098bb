/* Service standard drafts (POST/PUT /v1/service-standards): standards_from_json, and back. */
#include "fuzz_common.h"
#include "workflows/standards.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = fuzz_body(data, size);
	if (!j)
		return 0;
	struct service_standard *st = NULL;
	struct error err = ERROR_INIT;
	int rc = standards_from_json(j, &st, &err);
	fuzz_error_sane(&err, rc);
	error_release(&err);
	if (!rc) {
		json_t *again = standards_to_json(st);
		struct service_standard *st2 = NULL;
		if (standards_from_json(again, &st2, &err) != 0)
			abort();
		error_release(&err);
		standards_free(st2);
		json_decref(again);
	}
	standards_free(st);
	json_decref(j);
	return 0;
}
