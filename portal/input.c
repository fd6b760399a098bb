/* Field validators that add one detail per problem, so a reply can list them all at once. */
#include "input.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
			return true;
	return false;
}

const char *input_str(const json_t *obj, const char *key, bool required, size_t maxlen,
		      struct error *err)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v)) {
		if (required)
			error_add(err, key, "required", "%s is required", key);
		return NULL;
	}
	if (!json_is_string(v)) {
		error_add(err, key, "wrong_type", "%s must be a string", key);
		return NULL;
	}
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	if (len != strlen(s) || has_control(s)) {
		error_add(err, key, "invalid_characters", "%s contains control characters", key);
		return NULL;
	}
	if (required && len == 0) {
		error_add(err, key, "required", "%s must not be empty", key);
		return NULL;
	}
	if (len > maxlen) {
		error_add(err, key, "too_long", "%s is longer than %zu bytes", key, maxlen);
		return NULL;
	}
	return s;
}

void input_int(const json_t *obj, const char *key, bool required, long long min, long long max,
	       long long *out, struct error *err)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v)) {
		if (required)
			error_add(err, key, "required", "%s is required", key);
		return;
	}
	if (!json_is_integer(v)) {
		error_add(err, key, "wrong_type", "%s must be a whole number", key);
		return;
	}
	long long n = json_integer_value(v);
	if (n < min || n > max) {
		error_add(err, key, "out_of_range", "%s must be between %lld and %lld", key, min, max);
		return;
	}
	*out = n;
}

void input_bool(const json_t *obj, const char *key, bool required, bool *out, struct error *err)
{
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v)) {
		if (required)
			error_add(err, key, "required", "%s is required", key);
		return;
	}
	if (!json_is_boolean(v)) {
		error_add(err, key, "wrong_type", "%s must be true or false", key);
		return;
	}
	*out = json_is_true(v);
}

const char *input_enum(const json_t *obj, const char *key, bool required,
		       const char *const *values, struct error *err)
{
	struct error local = ERROR_INIT;
	const char *s = input_str(obj, key, required, 64, err ? err : &local);
	error_release(&local);
	if (!s)
		return NULL;
	char list[256] = "";
	for (const char *const *v = values; *v; v++) {
		if (strcmp(*v, s) == 0)
			return s;
		if (strlen(list) + strlen(*v) + 3 < sizeof(list)) {
			if (list[0])
				strcat(list, ", ");
			strcat(list, *v);
		}
	}
	error_add(err, key, "not_allowed", "%s must be one of: %s", key, list);
	return NULL;
}

int input_path_id(struct http_request *req, int i, long long *id)
{
	if (i >= req->nparams)
		return ERR_NOT_FOUND;
	const char *s = req->params[i];
	char *end;
	if (!*s || strlen(s) > 18 || *s < '1' || *s > '9')
		return ERR_NOT_FOUND;
	long long v = strtoll(s, &end, 10);
	if (*end || v <= 0)
		return ERR_NOT_FOUND;
	*id = v;
	return 0;
}

int input_page(struct http_request *req, int *limit, long long *after, struct error *err)
{
	*limit = 50;
	*after = 0;
	const char *l = http_query(req, "limit");
	const char *c = http_query(req, "cursor");
	char *end;
	if (l) {
		long v = strtol(l, &end, 10);
		if (!*l || *end || v < 1 || v > 200)
			error_add(err, "limit", "out_of_range", "limit must be from 1 to 200");
		else
			*limit = (int)v;
	}
	if (c && *c) {
		long long v = strtoll(c, &end, 10);
		if (*end || v < 0)
			error_add(err, "cursor", "invalid", "cursor is not one this server gave");
		else
			*after = v;
	}
	if (err && err->ndetails)
		return error_set(err, ERR_INVALID, "bad pagination parameters");
	return 0;
}

void input_set_cursor(json_t *reply, bool more, long long last_id)
{
	if (more) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%lld", last_id);
		json_object_set_new(reply, "next_cursor", json_string(buf));
	} else {
		json_object_set_new(reply, "next_cursor", json_null());
	}
}

json_t *input_page_reply(const void *rows, size_t size, int n, int limit,
			 json_t *(*render)(const void *row))
{
	json_t *items = json_array();
	int shown = n > limit ? limit : n;
	long long last = 0;
	for (int i = 0; i < shown; i++) {
		const void *row = (const char *)rows + (size_t)i * size;
		json_array_append_new(items, render(row));
		memcpy(&last, row, sizeof(last));
	}
	json_t *reply = json_pack("{s:o}", "items", items);
	input_set_cursor(reply, n > limit, last);
	return reply;
}
