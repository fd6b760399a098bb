/*
 * Pieces for writing a reply's JSON text straight from rows, byte for byte as json_text would
 * write the Jansson tree the same values make (lib/json_text.h): keys, numbers, booleans, and
 * JSON text kept in the database, embedded as json_text(json_loads(text)) would write it.
 */
#ifndef LIB_JTEXT_H
#define LIB_JTEXT_H

#include <stdbool.h>

#include "lib/strbuf.h"

/* Keys, integers and booleans: json_text_key, json_text_integer, json_text_boolean. */

/*
 * Stored JSON text as the value json_loads(text, 0, NULL) makes, written as json_text writes
 * it; `otherwise` (itself JSON text, e.g. "null" or "{}") when text is NULL or does not load.
 * Text already in that form (what json_text wrote: compact, canonical numbers and escapes, no
 * repeated keys) is checked and copied as it is; anything else goes through Jansson. Cannot
 * fail (allocation failure aborts).
 */
void jtext_stored(struct strbuf *o, const char *text, const char *otherwise);

/*
 * Whether text is exactly what json_text(json_loads(text, 0, NULL)) writes, judged without
 * building the tree (false also for text that does not load, or is too deep to judge here).
 * jtext_stored's fast path; exposed for its tests.
 */
bool jtext_is_canonical(const char *text);

#endif
