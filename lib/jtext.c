/* JSON text written straight from values, and stored JSON text embedded without a tree. */
#include "jtext.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_text.h"

/* Deeper stored text is rare enough to leave to Jansson. */
#define FAST_DEPTH 64
/* An object with more keys than this is left to Jansson (the repeated-key check is quadratic). */
#define FAST_KEYS 32

/*
 * The length of the UTF-8 sequence at p that Jansson accepts (no overlong forms, surrogates or
 * code points past U+10FFFF), 0 when it is not one.
 */
static size_t utf8_len(const unsigned char *p)
{
	unsigned c = p[0];
	size_t n;
	uint32_t v;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		v = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		v = c & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80) /* also stops at the text's NUL */
			return 0;
		v = (v << 6) | (p[i] & 0x3F);
	}
	if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || (n == 3 && v < 0x800) ||
	    (n == 4 && v < 0x10000))
		return 0;
	return n;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * The canonical check, a recursive descent that says no to anything json_text would not write
 * back the same way: whitespace, escapes other than the seven short ones json_text uses, "-0",
 * integers that might not fit, reals not in json_text's form, repeated keys.
 */
struct scan {
	const char *p;
	int depth;
};

static bool value(struct scan *s);

/* A string at s->p ('"'); s->p then just after its closing quote. */
static bool string(struct scan *s)
{
	const unsigned char *p = (const unsigned char *)s->p + 1;
	for (;;) {
		unsigned c = *p;
		if (c == '"')
			break;
		if (c < 0x20) /* a control Jansson refuses, or the end of the text */
			return false;
		if (c == '\\') {
			if (!p[1] || !strchr("\"\\bfnrt", p[1]))
				return false;
			p += 2;
		} else if (c < 0x80) {
			p++;
		} else {
			size_t n = utf8_len(p);
			if (!n)
				return false;
			p += n;
		}
	}
	s->p = (const char *)p + 1;
	return true;
}

static bool number(struct scan *s)
{
	const char *b = s->p, *p = b;
	if (*p == '-')
		p++;
	const char *digits = p;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (is_digit(*p))
			p++;
	else
		return false;
	if (*p != '.' && *p != 'e' && *p != 'E') {
		/* an integer: at most 18 digits always fits; "-0" loads as 0 */
		if (p - digits > 18 || (b[0] == '-' && p - b == 2 && b[1] == '0'))
			return false;
		s->p = p;
		return true;
	}
	if (*p == '.') {
		if (!is_digit(*++p))
			return false;
		while (is_digit(*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!is_digit(*p))
			return false;
		while (is_digit(*p))
			p++;
	}
	size_t n = (size_t)(p - b);
	char tok[40], again[40];
	if (n >= sizeof(tok))
		return false;
	memcpy(tok, b, n);
	tok[n] = 0;
	double v = strtod(tok, NULL);
	if (isinf(v)) /* Jansson refuses an overflow */
		return false;
	json_real_text(v, again);
	if (strcmp(tok, again))
		return false;
	s->p = p;
	return true;
}

static bool object(struct scan *s)
{
	const char *key[FAST_KEYS];
	size_t len[FAST_KEYS], n = 0;
	s->p++;
	if (*s->p == '}') {
		s->p++;
		return true;
	}
	for (;;) {
		if (*s->p != '"' || n == FAST_KEYS)
			return false;
		const char *k = s->p + 1;
		if (!string(s))
			return false;
		size_t kl = (size_t)(s->p - 1 - k);
		/* the short escapes are the only ones let through, so equal text is an equal key */
		for (size_t i = 0; i < n; i++)
			if (len[i] == kl && !memcmp(key[i], k, kl))
				return false;
		key[n] = k;
		len[n++] = kl;
		if (*s->p != ':')
			return false;
		s->p++;
		if (!value(s))
			return false;
		if (*s->p == ',') {
			s->p++;
			continue;
		}
		if (*s->p != '}')
			return false;
		s->p++;
		return true;
	}
}

static bool array(struct scan *s)
{
	s->p++;
	if (*s->p == ']') {
		s->p++;
		return true;
	}
	for (;;) {
		if (!value(s))
			return false;
		if (*s->p == ',') {
			s->p++;
			continue;
		}
		if (*s->p != ']')
			return false;
		s->p++;
		return true;
	}
}

static bool literal(struct scan *s, const char *word, size_t n)
{
	if (strncmp(s->p, word, n))
		return false;
	s->p += n;
	return true;
}

static bool value(struct scan *s)
{
	bool ok;
	if (++s->depth > FAST_DEPTH)
		return false;
	switch (*s->p) {
	case '{': ok = object(s); break;
	case '[': ok = array(s); break;
	case '"': ok = string(s); break;
	case 't': ok = literal(s, "true", 4); break;
	case 'f': ok = literal(s, "false", 5); break;
	case 'n': ok = literal(s, "null", 4); break;
	default: ok = number(s);
	}
	s->depth--;
	return ok;
}

bool jtext_is_canonical(const char *text)
{
	if (!text || (*text != '{' && *text != '['))
		return false; /* json_loads takes only an object or an array */
	struct scan s = { text, 0 };
	return value(&s) && *s.p == '\0';
}

void jtext_stored(struct strbuf *o, const char *text, const char *otherwise)
{
	if (jtext_is_canonical(text)) {
		strbuf_puts(o, text);
		return;
	}
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	char *t = j ? json_text(j) : NULL;
	strbuf_puts(o, t ? t : otherwise);
	free(t);
	json_decref(j);
}
