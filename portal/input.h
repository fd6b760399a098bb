/* Declared validators for JSON bodies, path parameters and pagination; every problem is listed. */
#ifndef PORTAL_INPUT_H
#define PORTAL_INPUT_H

#include <jansson.h>
#include <stdbool.h>

#include "portal/http.h"

/*
 * Reads a string field. Adds a detail to err (missing, wrong type, empty, too long, invalid
 * UTF-8 or control characters) and returns NULL when absent or bad; the string is borrowed from
 * obj. Optional fields that are absent return NULL without a detail.
 */
const char *input_str(const json_t *obj, const char *key, bool required, size_t maxlen,
		      struct error *err);

/* Reads an integer field within [min, max]; *out untouched (keep your default) when absent. */
void input_int(const json_t *obj, const char *key, bool required, long long min, long long max,
	       long long *out, struct error *err);

/* Reads a boolean field; *out untouched when absent. */
void input_bool(const json_t *obj, const char *key, bool required, bool *out, struct error *err);

/* One of the listed values (NULL-terminated); NULL with a detail naming them when not. */
const char *input_enum(const json_t *obj, const char *key, bool required,
		       const char *const *values, struct error *err);

/* Path parameter i as a positive id; ERR_NOT_FOUND (nothing to see) when it is not one. */
int input_path_id(struct http_request *req, int i, long long *id);

/*
 * ?limit= (1..200, default 50) and ?cursor= (opaque, from a previous next_cursor). Bad values
 * give ERR_INVALID details. *after is the id to continue after (0 from the start).
 */
int input_page(struct http_request *req, int *limit, long long *after, struct error *err);

/*
 * The reply of a keyset-paginated list: {"items": [...], "next_cursor"} from n rows fetched with
 * limit + 1 (a row past the limit means there are more). Each row, `size` bytes apart, must
 * start with its `long long id` (the cursor); render makes one item. New reference.
 */
json_t *input_page_reply(const void *rows, size_t size, int n, int limit,
			 json_t *(*render)(const void *row));

/* Adds "next_cursor" (string or null) to a list reply. */
void input_set_cursor(json_t *reply, bool more, long long last_id);

#endif
