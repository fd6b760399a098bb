/* Allocation that aborts on failure, so callers need not check for NULL. */
#ifndef LIB_XALLOC_H
#define LIB_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

/* Each returns memory the caller owns and frees with free(); on exhaustion prints and aborts. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

#endif
