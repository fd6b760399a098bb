/* POST /v1/applications: the body through http_json_object and application_parse. */
#include "fuzz_common.h"
#include "workflows/application.h"
#include "workflows/calendar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = fuzz_body(data, size);
	if (!j)
		return 0;
	day_t today = 0;
	cal_day_parse("2024-03-01", &today, NULL);
	struct app_request ar;
	memset(&ar, 0, sizeof(ar));
	struct error err = ERROR_INIT;
	int rc = application_parse(j, today, &ar, &err);
	fuzz_error_sane(&err, rc);
	error_release(&err);
	application_request_release(&ar);
	json_decref(j);
	return 0;
}
