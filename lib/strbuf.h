/* A growing NUL-terminated text buffer, for building pages, CSV and JSON by hand. */
#ifndef LIB_STRBUF_H
#define LIB_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

/* Zero-initialise; p is NULL until something is added. The caller frees p. */
struct strbuf {
	char *p;
	size_t len, cap;
};

/* Appends n bytes of s. Cannot fail (aborts when memory is exhausted, like xmalloc). */
void strbuf_add(struct strbuf *b, const char *s, size_t n);

/*
 * Room for n more bytes and a NUL after the text: returns where the next byte goes. A caller
 * that writes there adds what it wrote to len and terminates the text itself (or leaves that to
 * the next strbuf_ call). Cannot fail (aborts like xmalloc).
 */
char *strbuf_reserve(struct strbuf *b, size_t n);

/* Appends the NUL-terminated s. */
void strbuf_puts(struct strbuf *b, const char *s);

/* Appends formatted text. */
void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void strbuf_vprintf(struct strbuf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#endif
