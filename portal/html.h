/*
 * The public HTML pages (/, /fees, /standards): server-rendered, no JavaScript, printable,
 * everything HTML-escaped. Also the bilingual labels the public JSON shares with them.
 */
#ifndef PORTAL_HTML_H
#define PORTAL_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "portal/public_api.h"
#include "portal/snapshot.h"

/* The headers every page is sent with (besides Content-Type). */
#define HTML_CSP "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"

/* The pages; each returns a new NUL-terminated buffer of *len bytes (caller frees). */
char *html_home(const struct published *p, const struct public_query *q,
		enum snapshot_lang lang, size_t *len);
char *html_fees(const struct published *p, const struct public_query *q,
		enum snapshot_lang lang, size_t *len);
char *html_standards(const struct published *p, const struct public_query *q,
		     enum snapshot_lang lang, size_t *len);

/* Escapes &, <, >, " and ' for text and attribute values. New string, caller frees. */
char *html_escape(const char *s);

/* "¥1,234.56" for 123456 fen (negative with a leading '-'). Writes at most n bytes. */
void html_format_fen(int64_t fen, char *buf, size_t n);

/* Labels in lang: a utility/permit kind ("water" -> "供水" / "Water supply"), a unit. */
const char *html_kind_name(const char *kind, enum snapshot_lang lang);
const char *html_unit_name(const char *unit, enum snapshot_lang lang);

#endif
