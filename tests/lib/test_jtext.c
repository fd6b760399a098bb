/*
 * Stored JSON text embedded in a reply (lib/jtext.c): whatever the text, what jtext_stored
 * writes is json_text(json_loads(text)) or the fallback; the canonical check lets through only
 * text that this really is, and sends the rest to Jansson.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "lib/json_text.h"
#include "lib/jtext.h"
#include "lib/strbuf.h"

/* (text, whether it is already json_text's form) */
static const struct {
	const char *text;
	bool canonical;
} cases[] = {
	{ "{}", true },
	{ "[]", true },
	{ "{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}", true },
	{ "{\"n\":-12,\"z\":0,\"big\":123456789012345678}", true },
	{ "{\"r\":1.5,\"s\":-0.25,\"t\":1e-7,\"u\":1e20,\"v\":100.0,\"w\":-0.0}", true },
	{ "[\"\\\"\\\\\\b\\f\\n\\r\\t\"]", true },
	{ "[\"北京 ünïcode 😀\"]", true },
	{ "", false },
	{ "null", false },		/* json_loads wants an object or an array */
	{ "\"text\"", false },
	{ "12", false },
	{ "not json", false },
	{ "{\"a\": 1}", false },		/* whitespace */
	{ " {}", false },
	{ "{} ", false },
	{ "{}x", false },
	{ "{\"a\":1,\"a\":2}", false },	/* a repeated key keeps its first place, its last value */
	{ "[-0]", false },
	{ "[01]", false },
	{ "[1.50]", false },
	{ "[1E5]", false },
	{ "[1e+20]", false },
	{ "[1.0e2]", false },
	{ "[0.1000000000001]", false },
	{ "[1234567890123456789]", false }, /* loads the same, but not judged here */
	{ "[12345678901234567890]", false }, /* too big: does not load */
	{ "[1e999]", false },		     /* overflows: does not load */
	{ "[\"\\/\"]", false },
	{ "[\"\\u00e9\"]", false },
	{ "[\"\\u0001\"]", false },
	{ "[\"\\u0000\"]", false },
	{ "[\"\x01\"]", false },		/* a raw control does not load */
	{ "[\"\xc3\"]", false },		/* cut UTF-8 */
	{ "[\"\xc0\xaf\"]", false },		/* overlong */
	{ "[\"\xed\xa0\x80\"]", false },	/* a surrogate */
	{ "[\"\xf4\x90\x80\x80\"]", false }, /* past U+10FFFF */
	{ "[tru]", false },
	{ "[true,]", false },
	{ "{\"a\":}", false },
	{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	  "1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
	  false }, /* deeper than the check goes: Jansson's */
};

Test(jtext, stored_text_is_what_json_text_writes_of_what_loads)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *t = cases[i].text;
		cr_expect_eq(jtext_is_canonical(t), cases[i].canonical, "canonical? %s", t);
		json_t *j = json_loads(t, 0, NULL);
		char *want = j ? json_text(j) : NULL;
		if (cases[i].canonical)
			cr_expect_str_eq(want, t, "canonical text is its own json_text: %s", t);
		struct strbuf o = { 0 };
		jtext_stored(&o, t, "FALLBACK");
		cr_expect_str_eq(o.p, want ? want : "FALLBACK", "%s", t);
		free(o.p);
		free(want);
		json_decref(j);
	}
	struct strbuf o = { 0 };
	jtext_stored(&o, NULL, "null");
	cr_expect_str_eq(o.p, "null");
	free(o.p);
}

Test(jtext, keys_numbers_and_booleans)
{
	struct strbuf o = { 0 };
	strbuf_add(&o, "{", 1);
	json_text_key(&o, "a", true);
	json_text_integer(&o, -9223372036854775807LL - 1);
	json_text_key(&o, "b", false);
	json_text_boolean(&o, true);
	json_text_key(&o, "c", false);
	json_text_boolean(&o, false);
	json_text_key(&o, "d", false);
	json_text_integer(&o, 0);
	strbuf_add(&o, "}", 1);
	cr_expect_str_eq(o.p, "{\"a\":-9223372036854775808,\"b\":true,\"c\":false,\"d\":0}");
	free(o.p);
}
