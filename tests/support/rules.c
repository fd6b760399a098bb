/* Published rules API tests set before they rely on them (see rules.h). */
#include "rules.h"

#include <stdlib.h>

#include "support/harness.h"
#include "support/journey.h"

void rules_check_every_fast_track(void)
{
	static const char *const classes[] = { "low", "medium", "high", NULL };
	json_t *now = journey_call("GET", "/v1/public/oversight-rules", NULL, NULL, 200);
	json_t *pc = json_object_get(json_object_get(now, "sampling"), "percent");
	bool all = true;
	for (int i = 0; classes[i]; i++) {
		all = all && json_integer_value(json_object_get(pc, classes[i])) == 100;
		json_object_set_new(pc, classes[i], json_integer(100));
	}
	if (!all) {
		char *office = harness_login("office@demo.test", "demo-password-1");
		json_object_del(now, "version");
		json_object_del(now, "published_at");
		/* the public sees the key's hash only: a new key of its own */
		json_t *s = json_object_get(now, "sampling");
		json_object_del(s, "key_hash");
		json_object_set_new(s, "key", json_string("5eed5eed5eed5eed5eed5eed5eed5eed"));
		char *body = json_dumps(now, 0);
		json_decref(journey_call("POST", "/v1/oversight-rules", office, body, 201));
		free(body);
		free(office);
	}
	json_decref(now);
}
