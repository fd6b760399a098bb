/* The portal's JSON writer: Jansson's compact text, without Jansson's per-value overheads. */
#include "json_text.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"
#include "strbuf.h"
#include "xalloc.h"

#define MAX_DEPTH 4096

/* Room for n more bytes: the capacity check inline, the growth in strbuf_reserve. */
static inline char *reserve(struct strbuf *o, size_t n)
{
	return o->len + n + 1 <= o->cap ? o->p + o->len : strbuf_reserve(o, n);
}

static inline void put(struct strbuf *o, const char *s, size_t n)
{
	memcpy(reserve(o, n), s, n);
	o->len += n;
}

static inline void put_char(struct strbuf *o, char c)
{
	*reserve(o, 1) = c;
	o->len++;
}

/*
 * Controls, '"' and '\' are escaped as Jansson escapes them; every other byte, UTF-8 included
 * (Jansson's strings are valid UTF-8 by construction), stands for itself.
 */
static void put_string(struct strbuf *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char *w = reserve(o, 6 * n + 2), *start = w;
	*w++ = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\') {
			*w++ = (char)c;
			continue;
		}
		*w++ = '\\';
		switch (c) {
		case '"': *w++ = '"'; break;
		case '\\': *w++ = '\\'; break;
		case '\b': *w++ = 'b'; break;
		case '\f': *w++ = 'f'; break;
		case '\n': *w++ = 'n'; break;
		case '\r': *w++ = 'r'; break;
		case '\t': *w++ = 't'; break;
		default: /* \u00XX, upper-case hex as Jansson writes it */
			memcpy(w, "u00", 3);
			w[3] = hex[c >> 4];
			w[4] = hex[c & 15];
			w += 5;
		}
	}
	*w++ = '"';
	o->len += (size_t)(w - start);
}

void json_text_string(struct strbuf *o, const char *s)
{
	if (s)
		put_string(o, s, strlen(s));
	else
		put(o, "null", 4);
}

static void put_integer(struct strbuf *o, json_int_t v)
{
	char buf[DECIMAL_MAX];
	put(o, buf, decimal_format(buf, v, false));
}

void json_text_key(struct strbuf *o, const char *k, bool first)
{
	if (!first)
		put_char(o, ',');
	put_char(o, '"');
	put(o, k, strlen(k));
	put(o, "\":", 2);
}

void json_text_integer(struct strbuf *o, long long v)
{
	put_integer(o, (json_int_t)v);
}

void json_text_boolean(struct strbuf *o, bool v)
{
	if (v)
		put(o, "true", 4);
	else
		put(o, "false", 5);
}

/*
 * 12 significant digits as %g writes them in the C locale (the portal never calls setlocale),
 * then as Jansson shapes them: ".0" appended when neither a point nor an exponent would tell a
 * reader it is a real, and the exponent without its '+' and leading zeros ("1e+20" is "1e20").
 */
void json_real_text(double v, char buf[40])
{
	int n = snprintf(buf, 40 - 3, "%.12g", v);
	if (n < 0 || n >= 40 - 3)
		n = 0;
	buf[n] = 0;
	char *e = strchr(buf, 'e');
	if (!e && !strchr(buf, '.')) {
		memcpy(buf + n, ".0", 3);
	} else if (e) {
		char *out = e + 1, *in = e + 1;
		if (*in == '-')
			out = ++in;
		else if (*in == '+')
			in++;
		while (*in == '0' && in[1])
			in++;
		memmove(out, in, strlen(in) + 1);
	}
}

static void put_real(struct strbuf *o, double v)
{
	char buf[40];
	json_real_text(v, buf);
	put(o, buf, strlen(buf));
}

static int compare_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int put_value(struct strbuf *o, const json_t *j, bool sorted, int depth);

static int put_object(struct strbuf *o, const json_t *j, bool sorted, int depth)
{
	size_t n = json_object_size(j);
	put_char(o, '{');
	if (sorted && n > 1) {
		const char **keys = xmalloc(n * sizeof(*keys));
		size_t k = 0;
		const char *key;
		json_t *v;
		json_object_foreach((json_t *)j, key, v)
			keys[k++] = key;
		qsort(keys, k, sizeof(*keys), compare_keys);
		for (size_t i = 0; i < k; i++) {
			if (i)
				put_char(o, ',');
			put_string(o, keys[i], strlen(keys[i]));
			put_char(o, ':');
			if (put_value(o, json_object_get(j, keys[i]), sorted, depth + 1)) {
				free(keys);
				return -1;
			}
		}
		free(keys);
	} else {
		json_t *obj = (json_t *)j; /* Jansson's iterators take no const */
		bool first = true;
		for (void *it = json_object_iter(obj); it; it = json_object_iter_next(obj, it)) {
			if (!first)
				put_char(o, ',');
			first = false;
			put_string(o, json_object_iter_key(it), json_object_iter_key_len(it));
			put_char(o, ':');
			if (put_value(o, json_object_iter_value(it), sorted, depth + 1))
				return -1;
		}
	}
	put_char(o, '}');
	return 0;
}

static int put_value(struct strbuf *o, const json_t *j, bool sorted, int depth)
{
	if (depth > MAX_DEPTH)
		return -1;
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		return put_object(o, j, sorted, depth);
	case JSON_ARRAY:
		put_char(o, '[');
		for (size_t i = 0; i < json_array_size(j); i++) {
			if (i)
				put_char(o, ',');
			if (put_value(o, json_array_get(j, i), sorted, depth + 1))
				return -1;
		}
		put_char(o, ']');
		return 0;
	case JSON_STRING:
		put_string(o, json_string_value(j), json_string_length(j));
		return 0;
	case JSON_INTEGER:
		put_integer(o, json_integer_value(j));
		return 0;
	case JSON_REAL:
		put_real(o, json_real_value(j));
		return 0;
	case JSON_TRUE:
		put(o, "true", 4);
		return 0;
	case JSON_FALSE:
		put(o, "false", 5);
		return 0;
	case JSON_NULL:
		put(o, "null", 4);
		return 0;
	}
	return -1;
}

static char *text(const json_t *j, bool sorted)
{
	if (!json_is_object(j) && !json_is_array(j))
		return NULL;
	struct strbuf o = { 0 };
	if (put_value(&o, j, sorted, 0)) {
		free(o.p);
		return NULL;
	}
	o.p[o.len] = 0; /* reserve() always leaves room for it */
	return o.p;
}

char *json_text(const json_t *j)
{
	return text(j, false);
}

char *json_text_sorted(const json_t *j)
{
	return text(j, true);
}
