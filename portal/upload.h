/* Upload parsing: multipart/form-data or a raw body, content sniffing and declared-type checks. */
#ifndef PORTAL_UPLOAD_H
#define PORTAL_UPLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"

/*
 * Nothing here touches the network, the disk or the clock, so every function can be fed
 * arbitrary bytes (and fuzzed).
 */

/* A kind of content we accept, recognised by its first bytes. */
struct upload_kind {
	const char *mime; /* what we store and serve: "application/pdf" ... */
	const char *ext;  /* default file name extension */
};

/* The accepted kinds in words, for 415 messages. Static string. */
extern const char upload_accepted_kinds[];

/* The kind of data by its signature, or NULL when it is none we accept (text, HTML, exe...). */
const struct upload_kind *upload_sniff(const void *data, size_t len);

/*
 * Whether a declared Content-Type (parameters ignored, case-insensitive) is compatible with the
 * sniffed kind. Absent, empty and application/octet-stream declare nothing and are compatible;
 * aliases (image/jpg, OOXML types for ZIP) are accepted.
 */
bool upload_declared_fits(const char *declared, const struct upload_kind *kind);

/* One parsed upload. Strings owned (free with upload_release); data borrowed from the body. */
struct upload {
	char *type;	  /* material type as sent, or NULL */
	char *filename;	  /* as sent, or NULL */
	char *declared;	  /* the file's declared Content-Type, or NULL */
	const char *data; /* the file's bytes, inside the request body */
	size_t len;
};

void upload_release(struct upload *u);

/*
 * Splits a request into an upload. content_type is the request's Content-Type header (may be
 * NULL). multipart/form-data: fields "type" and "file" (with its filename and Content-Type);
 * any other part name gets an "unknown_field" detail. Otherwise the body is the file, its type
 * and filename come from query_type and query_filename, and the header is its declared type.
 * ERR_MALFORMED when the multipart framing is broken (no boundary, unterminated part, a field
 * twice); details go to err. On failure u is released.
 */
int upload_parse(const char *content_type, const char *body, size_t len, const char *query_type,
		 const char *query_filename, struct upload *u, struct error *err);

/*
 * The last path component of a client's file name, checked: 1..255 bytes, valid UTF-8, no
 * control characters. NULL (with a detail on `field`) when unacceptable. Caller frees.
 */
char *upload_clean_filename(const char *name, const char *field, struct error *err);

/*
 * A Content-Disposition value for serving a file as an attachment: an ASCII fallback
 * filename plus RFC 5987 filename*=UTF-8''... for the real name. Caller frees.
 */
char *upload_content_disposition(const char *filename);

#endif
