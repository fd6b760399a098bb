/* Shared error codes and the error record every module fills on failure. */
#ifndef LIB_ERROR_H
#define LIB_ERROR_H

#include <stddef.h>

/*
 * Every function that can fail returns int: 0 on success, one of these (negative) on failure.
 * The portal maps each code to one HTTP status (see http_status_for_error in portal/http.h).
 */
enum err_code {
	ERR_OK = 0,
	ERR_MALFORMED = -1,	  /* input cannot be parsed: 400 */
	ERR_UNAUTHORIZED = -2,	  /* no or bad credentials: 401 */
	ERR_FORBIDDEN = -3,	  /* known caller, action not allowed: 403 */
	ERR_NOT_FOUND = -4,	  /* absent, or not visible to the caller: 404 */
	ERR_CONFLICT = -5,	  /* illegal transition, stale version, duplicate: 409 */
	ERR_TOO_LARGE = -6,	  /* body or upload over the cap: 413 */
	ERR_UNSUPPORTED = -7,	  /* unsupported media type: 415 */
	ERR_INVALID = -8,	  /* well-formed but breaks rules; details list every problem: 422 */
	ERR_RATE_LIMITED = -9,	  /* too many attempts: 429 */
	ERR_UNAVAILABLE = -10,	  /* database unreachable: 503 */
	ERR_RETRY = -11,	  /* deadlock or lock wait: the transaction may be retried */
	ERR_INTERNAL = -12,	  /* a bug or an unexpected failure: 500 */
	ERR_IO = -13,		  /* file system failure (full disk, permissions) */
};

/* One problem with one field, as listed in the error envelope's details. */
struct error_detail {
	char *field;
	char *code;
	char *message;
};

/*
 * What went wrong. Initialise with ERROR_INIT or error_init(); release with error_release().
 * `message` is for people; `details` lists every problem found (rule 2: tell everything at once).
 */
struct error {
	int code;
	char message[256];
	struct error_detail *details;
	size_t ndetails;
	size_t cap;
};

#define ERROR_INIT { 0, { 0 }, NULL, 0, 0 }

/* Sets up an empty error record. Cannot fail. */
void error_init(struct error *err);

/* Frees the details; leaves the record empty and reusable. Safe on NULL. */
void error_release(struct error *err);

/*
 * Sets code and message (printf format) and returns code, so a caller can write
 * `return error_set(err, ERR_NOT_FOUND, "no job %lld", id);`. err may be NULL.
 */
int error_set(struct error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Appends one detail (strings are copied). err may be NULL. Cannot fail (aborts on OOM). */
void error_add(struct error *err, const char *field, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A short stable name for a code ("not_found", "validation_failed", ...). Never NULL. */
const char *error_code_name(int code);

#endif
