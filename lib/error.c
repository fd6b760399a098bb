/* The error record shared by every module. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void error_init(struct error *err)
{
	memset(err, 0, sizeof(*err));
}

void error_release(struct error *err)
{
	if (!err)
		return;
	for (size_t i = 0; i < err->ndetails; i++) {
		free(err->details[i].field);
		free(err->details[i].code);
		free(err->details[i].message);
	}
	free(err->details);
	error_init(err);
}

int error_set(struct error *err, int code, const char *fmt, ...)
{
	if (!err)
		return code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	err->code = code;
	return code;
}

void error_add(struct error *err, const char *field, const char *code, const char *fmt, ...)
{
	if (!err)
		return;
	if (err->ndetails == err->cap) {
		err->cap = err->cap ? err->cap * 2 : 8;
		err->details = xrealloc(err->details, err->cap * sizeof(*err->details));
	}
	va_list ap;
	va_start(ap, fmt);
	struct error_detail *d = &err->details[err->ndetails++];
	d->field = xstrdup(field ? field : "");
	d->code = xstrdup(code ? code : "invalid");
	d->message = xvasprintf(fmt, ap);
	va_end(ap);
}

const char *error_code_name(int code)
{
	switch (code) {
	case ERR_OK: return "ok";
	case ERR_MALFORMED: return "malformed_request";
	case ERR_UNAUTHORIZED: return "unauthorized";
	case ERR_FORBIDDEN: return "forbidden";
	case ERR_NOT_FOUND: return "not_found";
	case ERR_CONFLICT: return "conflict";
	case ERR_TOO_LARGE: return "payload_too_large";
	case ERR_UNSUPPORTED: return "unsupported_media_type";
	case ERR_INVALID: return "validation_failed";
	case ERR_RATE_LIMITED: return "rate_limited";
	case ERR_UNAVAILABLE: return "service_unavailable";
	case ERR_RETRY: return "retry";
	case ERR_IO: return "io_error";
	default: return "internal_error";
	}
}
