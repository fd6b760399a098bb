/* The JSON writer: the same bytes as json_dumps(JSON_TEXT), pinned and against Jansson itself. */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json_text.h"

static json_t *J(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
	cr_assert(j, "bad test JSON %s: %s", text, e.text);
	return j;
}

/* Both writers, both orders: ours must equal Jansson's, byte for byte. */
static void same_as_jansson(const json_t *j)
{
	char *ours = json_text(j), *theirs = json_dumps(j, JSON_TEXT);
	cr_assert_str_eq(ours, theirs);
	free(ours);
	free(theirs);
	ours = json_text_sorted(j);
	theirs = json_dumps(j, JSON_TEXT | JSON_SORT_KEYS);
	cr_assert_str_eq(ours, theirs);
	free(ours);
	free(theirs);
}

Test(json_text, pinned_texts)
{
	static const struct {
		const char *in, *out, *sorted;
	} cases[] = {
		{ "{}", "{}", "{}" },
		{ "[]", "[]", "[]" },
		{ "{\"b\": 1, \"a\": [true, false, null]}", "{\"b\":1,\"a\":[true,false,null]}",
		  "{\"a\":[true,false,null],\"b\":1}" },
		{ "[26.108, 119.252, -0.5, 2.0, 1e20, 1.5e-7, 123456789012345.0]",
		  "[26.108,119.252,-0.5,2.0,1e20,1.5e-7,1.23456789012e14]",
		  "[26.108,119.252,-0.5,2.0,1e20,1.5e-7,1.23456789012e14]" },
		{ "[9223372036854775807, -9223372036854775808, 0, -1]",
		  "[9223372036854775807,-9223372036854775808,0,-1]",
		  "[9223372036854775807,-9223372036854775808,0,-1]" },
		{ "[\"q\\\"b\\\\s/t\\tn\\nr\\rb\\bf\\f\\u0001\\u001f\\u007f\"]",
		  "[\"q\\\"b\\\\s/t\\tn\\nr\\rb\\bf\\f\\u0001\\u001F\x7f\"]",
		  "[\"q\\\"b\\\\s/t\\tn\\nr\\rb\\bf\\f\\u0001\\u001F\x7f\"]" },
		{ "{\"地址\": \"济南市历下区\", \"\\u00e9\": \"😀\"}",
		  "{\"地址\":\"济南市历下区\",\"é\":\"😀\"}", "{\"é\":\"😀\",\"地址\":\"济南市历下区\"}" },
		{ "{\"z\": {\"y\": 1, \"x\": {\"w\": [], \"v\": {}}}, \"'; DROP TABLE x; --\": \"\"}",
		  "{\"z\":{\"y\":1,\"x\":{\"w\":[],\"v\":{}}},\"'; DROP TABLE x; --\":\"\"}",
		  "{\"'; DROP TABLE x; --\":\"\",\"z\":{\"x\":{\"v\":{},\"w\":[]},\"y\":1}}" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *j = J(cases[i].in);
		char *t = json_text(j), *s = json_text_sorted(j);
		cr_assert_str_eq(t, cases[i].out, "case %zu", i);
		cr_assert_str_eq(s, cases[i].sorted, "case %zu", i);
		same_as_jansson(j);
		free(t);
		free(s);
		json_decref(j);
	}
}

Test(json_text, reals_at_their_edges)
{
	const double v[] = { 0.0, -0.0, 1.0, -1.0, 0.1, 1.0 / 3, 100.0, 1e11, 1e12, 1e15,
			     123456789012.5, 1e-4, 1e-5, 1e-300, 5e-324, DBL_MAX, -DBL_MAX,
			     DBL_MIN, 36.659999999999997, 117.023456789, 0.000123456789012345 };
	json_t *arr = json_array();
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		json_array_append_new(arr, json_real(v[i]));
	same_as_jansson(arr);
	char *t = json_text(arr);
	cr_assert(strstr(t, "[0.0,-0.0,1.0,-1.0,0.1,0.333333333333,100.0,100000000000.0,1e12,"),
		  "%s", t);
	free(t);
	json_decref(arr);
}

Test(json_text, strings_with_nul_and_every_control_byte)
{
	char s[64];
	for (int i = 0; i < 32; i++)
		s[i] = (char)i;
	memcpy(s + 32, "\"\\/<>&'", 7);
	json_t *o = json_object();
	json_object_set_new(o, "all", json_stringn(s, 39));
	json_object_set_new(o, "nul", json_stringn("a\0b", 3));
	same_as_jansson(o);
	char *t = json_text(o);
	cr_assert(strstr(t, "\"nul\":\"a\\u0000b\""), "%s", t);
	free(t);
	json_decref(o);
}

Test(json_text, refuses_what_json_dumps_refuses)
{
	cr_assert_null(json_text(NULL));
	cr_assert_null(json_text_sorted(NULL));
	json_t *scalars[] = { json_integer(1), json_string("x"), json_true(), json_null(),
			      json_real(1.5) };
	for (size_t i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++) {
		cr_assert_null(json_text(scalars[i]), "scalar %zu", i);
		cr_assert_null(json_dumps(scalars[i], JSON_TEXT), "scalar %zu", i);
		json_decref(scalars[i]);
	}
	/* a cycle ends at the depth limit instead of running out of stack */
	json_t *a = json_array(), *b = json_array();
	json_array_append(a, b);
	json_array_append(b, a);
	cr_assert_null(json_text(a));
	cr_assert_null(json_text_sorted(a));
	json_array_clear(b);
	json_decref(a);
	json_decref(b);
}

/* A small deterministic generator (xorshift), so a failure can be replayed. */
static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static json_t *random_string(void)
{
	static const char *const pieces[] = { "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t",
					      "\x01", "\x1f", "\x7f", "é", "济南", "😀", "{", "}",
					      ":", ",", "'", "%s", "%n" };
	char buf[128];
	size_t len = 0, n = next() % 12;
	for (size_t i = 0; i < n; i++) {
		const char *p = pieces[next() % (sizeof(pieces) / sizeof(pieces[0]))];
		size_t l = strlen(p);
		memcpy(buf + len, p, l);
		len += l;
	}
	return json_stringn(buf, len);
}

static json_t *random_value(int depth)
{
	switch (next() % (depth > 4 ? 6 : 8)) {
	case 0:
		return json_integer((json_int_t)next());
	case 1:
		return json_integer((json_int_t)(next() % 2001) - 1000);
	case 2: {
		double d;
		do {
			uint64_t bits = next();
			memcpy(&d, &bits, sizeof(d));
		} while (!isfinite(d));
		return json_real(next() % 2 ? d : (double)(next() % 100000) / 1000.0);
	}
	case 3:
		return random_string();
	case 4:
		return next() % 2 ? json_true() : json_false();
	case 5:
		return json_null();
	case 6: {
		json_t *o = json_object();
		for (size_t i = 0, n = next() % 6; i < n; i++) {
			json_t *k = random_string();
			json_object_set_new(o, json_string_value(k), random_value(depth + 1));
			json_decref(k);
		}
		return o;
	}
	default: {
		json_t *a = json_array();
		for (size_t i = 0, n = next() % 6; i < n; i++)
			json_array_append_new(a, random_value(depth + 1));
		return a;
	}
	}
}

Test(json_text, random_documents_match_jansson)
{
	for (int i = 0; i < 3000; i++) {
		json_t *doc = next() % 2 ? json_object() : json_array();
		for (size_t k = 0, n = 1 + next() % 8; k < n; k++) {
			json_t *v = random_value(1);
			if (json_is_object(doc)) {
				json_t *key = random_string();
				json_object_set_new(doc, json_string_value(key), v);
				json_decref(key);
			} else {
				json_array_append_new(doc, v);
			}
		}
		same_as_jansson(doc);
		json_decref(doc);
	}
}
