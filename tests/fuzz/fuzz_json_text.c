/*
 * The portal's JSON writer (workflows/json_text.c) against Jansson's own: any document Jansson
 * reads, NUL bytes in strings included, must come out of json_text and json_text_sorted as the
 * same bytes json_dumps writes with the same flags. And any text, stored JSON as the timeline
 * embeds it (lib/jtext.c, jtext_stored: copied as it is when it judges the text already in
 * json_text's form), must come out as json_text(json_loads(text, 0)) does, or as the fallback
 * when it does not load. A difference is a finding.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json_text.h"
#include "lib/jtext.h"
#include "lib/strbuf.h"

static void same(const json_t *j, size_t flags, char *ours)
{
	char *theirs = json_dumps(j, flags);
	if ((ours == NULL) != (theirs == NULL) || (ours && strcmp(ours, theirs) != 0))
		abort();
	free(ours);
	free(theirs);
}

/* jtext_stored against the tree: the input up to its first NUL as a stored text. */
static void stored(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = 0;
	struct strbuf o = { 0 };
	jtext_stored(&o, text, "null");
	json_t *v = json_loads(text, 0, NULL);
	char *want = v ? json_text(v) : strdup("null");
	if (!want || o.len != strlen(want) || memcmp(o.p, want, o.len) != 0)
		abort();
	json_decref(v);
	free(want);
	free(o.p);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	stored(data, size);
	json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	if (!j)
		return 0;
	same(j, JSON_TEXT, json_text(j));
	same(j, JSON_TEXT | JSON_SORT_KEYS, json_text_sorted(j));
	json_decref(j);
	return 0;
}
