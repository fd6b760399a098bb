/*
 * The portal's JSON writer (workflows/json_text.c) against Jansson's own: any document Jansson
 * reads, NUL bytes in strings included, must come out of json_text and json_text_sorted as the
 * same bytes json_dumps writes with the same flags. A difference is a finding.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json_text.h"

static void same(const json_t *j, size_t flags, char *ours)
{
	char *theirs = json_dumps(j, flags);
	if ((ours == NULL) != (theirs == NULL) || (ours && strcmp(ours, theirs) != 0))
		abort();
	free(ours);
	free(theirs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (!j)
		return 0;
	same(j, JSON_TEXT, json_text(j));
	same(j, JSON_TEXT | JSON_SORT_KEYS, json_text_sorted(j));
	json_decref(j);
	return 0;
}
