/* The portal's JSON writer: Jansson's compact text, without Jansson's per-value overheads. */
#include "json_text.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "workflows/strbuf.h"
#include "workflows/xalloc.h"

#define MAX_DEPTH 4096

/* Bytes that cannot stand for themselves inside a JSON string: controls, '"' and '\'. */
static bool needs_escape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

static void put_string(struct strbuf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	strbuf_add(b, "\"", 1);
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!needs_escape(c))
			continue;
		strbuf_add(b, s + run, i - run);
		run = i + 1;
		char esc[6] = { '\\', 0 };
		size_t len = 2;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default: /* \u00XX, upper-case hex as Jansson writes it */
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			len = 6;
		}
		strbuf_add(b, esc, len);
	}
	strbuf_add(b, s + run, n - run);
	strbuf_add(b, "\"", 1);
}

static void put_integer(struct strbuf *b, json_int_t v)
{
	char buf[24], *p = buf + sizeof(buf);
	/* negate in unsigned arithmetic, so the most negative value has a magnitude too */
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	strbuf_add(b, p, (size_t)(buf + sizeof(buf) - p));
}

/*
 * 12 significant digits as %g writes them in the C locale (the portal never calls setlocale),
 * then as Jansson shapes them: ".0" appended when neither a point nor an exponent would tell a
 * reader it is a real, and the exponent without its '+' and leading zeros ("1e+20" is "1e20").
 */
static void put_real(struct strbuf *b, double v)
{
	char buf[40];
	int n = snprintf(buf, sizeof(buf) - 3, "%.12g", v);
	if (n < 0 || (size_t)n >= sizeof(buf) - 3)
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
	strbuf_puts(b, buf);
}

static int compare_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int put_value(struct strbuf *b, const json_t *j, bool sorted, int depth);

static int put_object(struct strbuf *b, const json_t *j, bool sorted, int depth)
{
	size_t n = json_object_size(j);
	strbuf_add(b, "{", 1);
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
				strbuf_add(b, ",", 1);
			put_string(b, keys[i], strlen(keys[i]));
			strbuf_add(b, ":", 1);
			if (put_value(b, json_object_get(j, keys[i]), sorted, depth + 1)) {
				free(keys);
				return -1;
			}
		}
		free(keys);
	} else {
		bool first = true;
		const char *key;
		json_t *v;
		json_object_foreach((json_t *)j, key, v)
		{
			if (!first)
				strbuf_add(b, ",", 1);
			first = false;
			put_string(b, key, strlen(key));
			strbuf_add(b, ":", 1);
			if (put_value(b, v, sorted, depth + 1))
				return -1;
		}
	}
	strbuf_add(b, "}", 1);
	return 0;
}

static int put_value(struct strbuf *b, const json_t *j, bool sorted, int depth)
{
	if (depth > MAX_DEPTH)
		return -1;
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		return put_object(b, j, sorted, depth);
	case JSON_ARRAY:
		strbuf_add(b, "[", 1);
		for (size_t i = 0; i < json_array_size(j); i++) {
			if (i)
				strbuf_add(b, ",", 1);
			if (put_value(b, json_array_get(j, i), sorted, depth + 1))
				return -1;
		}
		strbuf_add(b, "]", 1);
		return 0;
	case JSON_STRING:
		put_string(b, json_string_value(j), json_string_length(j));
		return 0;
	case JSON_INTEGER:
		put_integer(b, json_integer_value(j));
		return 0;
	case JSON_REAL:
		put_real(b, json_real_value(j));
		return 0;
	case JSON_TRUE:
		strbuf_add(b, "true", 4);
		return 0;
	case JSON_FALSE:
		strbuf_add(b, "false", 5);
		return 0;
	case JSON_NULL:
		strbuf_add(b, "null", 4);
		return 0;
	}
	return -1;
}

static char *text(const json_t *j, bool sorted)
{
	if (!json_is_object(j) && !json_is_array(j))
		return NULL;
	struct strbuf b = { 0 };
	if (put_value(&b, j, sorted, 0)) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

char *json_text(const json_t *j)
{
	return text(j, false);
}

char *json_text_sorted(const json_t *j)
{
	return text(j, true);
}
