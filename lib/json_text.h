/*
 * How the portal writes JSON text: replies, events, webhook bodies and the documents it stores.
 * Compact, and reals to 12 significant digits: Jansson's default of 17 prints the coordinate
 * 36.66 as 36.659999999999997, which no one wrote. 12 digits keep every coordinate to a
 * millionth of a degree and every published rate; money is integer fen and never a real.
 * Every JSON text in portal/, store/ and integrations/ is written with json_text() or
 * json_text_sorted(). The one exception is the signed text of a certificate
 * (workflows/certificate.c), whose form is fixed by its signature and stays Jansson's own.
 */
#ifndef PORTAL_JSON_TEXT_H
#define PORTAL_JSON_TEXT_H

#include <jansson.h>
#include <stdbool.h>

/* The Jansson flags whose output json_text() reproduces byte for byte. */
#define JSON_TEXT (JSON_COMPACT | JSON_REAL_PRECISION(12))

/*
 * The text json_dumps(j, JSON_TEXT) writes, byte for byte, at a fraction of its cost: Jansson
 * formats every number with snprintf and, for every object and array, formats its address with
 * snprintf and enters it in a hash table to detect cycles; at a submission's ten events and
 * 8 KB reply that was a third of the portal's CPU. Like json_dumps, it returns NULL when j is
 * NULL or neither an object nor an array, or nests deeper than 4096 levels (which is also how a
 * cycle ends). Cannot fail otherwise (allocation failure aborts). The caller frees the result.
 */
char *json_text(const json_t *j);

/* The same, with every object's keys in byte order: json_dumps(j, JSON_TEXT|JSON_SORT_KEYS). */
char *json_text_sorted(const json_t *j);

/*
 * For the few hot replies written straight from database rows, without a Jansson tree: s (valid
 * UTF-8, as the database's utf8mb4 text is) as a JSON string escaped as json_text escapes it,
 * or null when s is NULL.
 */
struct strbuf;
void json_text_string(struct strbuf *o, const char *s);

/* The same writers' other pieces. None can fail. */
/* "key": after a comma unless it is an object's first; k is written as it is (no escapes). */
void json_text_key(struct strbuf *o, const char *k, bool first);
/* A whole number as json_text writes json_integer(v). */
void json_text_integer(struct strbuf *o, long long v);
/* true or false. */
void json_text_boolean(struct strbuf *o, bool v);
/* A real as json_text writes it (12 significant digits, shaped as Jansson shapes them) into buf. */
void json_real_text(double v, char buf[40]);

#endif
