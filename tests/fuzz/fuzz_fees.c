/* Fee schedule drafts (POST/PUT /v1/fee-schedules): fees_schedule_from_json, and back. */
#include "fuzz_common.h"
#include "workflows/fees.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = fuzz_body(data, size);
	if (!j)
		return 0;
	struct fee_schedule *fs = NULL;
	struct error err = ERROR_INIT;
	int rc = fees_schedule_from_json(j, &fs, &err);
	fuzz_error_sane(&err, rc);
	error_release(&err);
	if (!rc) {
		/* What was accepted must survive a round trip through its own JSON. */
		json_t *again = fees_schedule_to_json(fs);
		struct fee_schedule *fs2 = NULL;
		if (fees_schedule_from_json(again, &fs2, &err) != 0)
			abort();
		error_release(&err);
		fees_schedule_free(fs2);
		json_decref(again);
	}
	fees_schedule_free(fs);
	json_decref(j);
	return 0;
}
