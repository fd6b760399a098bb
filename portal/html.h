/*
 * The public HTML pages (/, /fees, /standards) and the frame every public page shares, /stats
 * included (portal/stats_html.c): server-rendered, no JavaScript, printable, everything
 * HTML-escaped. Also the bilingual labels the public JSON shares with them.
 */
#ifndef PORTAL_HTML_H
#define PORTAL_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "portal/public_api.h"
#include "portal/snapshot.h"
#include "lib/strbuf.h"

/* The headers every page is sent with (besides Content-Type). */
#define HTML_CSP "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"

/* A page being written: the document so far and the language it is in. */
struct html_page {
	struct strbuf out;
	enum snapshot_lang lang;
};

/* A footer link: an address written as is (a literal path) and its text (NULL: the address). */
struct html_link {
	const char *href;
	const char *label;
};

/* Appends markup as is, formatted: the caller escapes what it puts in (html_escape). */
void html_rawf(struct html_page *pg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends s as text, escaped; NULL appends nothing. */
void html_text(struct html_page *pg, const char *s);

/*
 * Opens pg's document with the frame of every public page: doctype, head with the one
 * stylesheet, the header with the portal's name, the nav with `active` marked ("home",
 * "fees", "standards" or "stats"; also the page's title) and the switch to the other language
 * of the same page, then <main>. Cannot fail.
 */
void html_page_begin(struct html_page *pg, const char *active);

/*
 * Closes <main>, writes the footer (label, then the links separated by " · ") and ends the
 * document. Returns it, NUL-terminated, of *len bytes: the caller frees it; pg->out is left
 * empty. label and the links' texts are escaped.
 */
char *html_page_end(struct html_page *pg, const char *label, const struct html_link *links,
		    size_t nlinks, size_t *len);

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
