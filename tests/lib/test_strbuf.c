/* The growing text buffer: appends of every kind, across many reallocations, stay exact. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strbuf.h"

Test(strbuf, appends_stay_exact_and_terminated)
{
	struct strbuf b = { 0 };
	strbuf_puts(&b, "");
	cr_expect_eq(b.len, 0);
	cr_expect_str_eq(b.p, "");
	strbuf_puts(&b, "fees");
	strbuf_add(&b, ",x,yz", 2);
	strbuf_printf(&b, "|%d|%s|%.1f", 42, "中文", 2.25);
	cr_expect_str_eq(b.p, "fees,x|42|中文|2.2");
	cr_expect_eq(b.len, strlen(b.p));
	free(b.p);
}

Test(strbuf, grows_over_many_doublings)
{
	struct strbuf b = { 0 };
	for (int i = 0; i < 100000; i++)
		strbuf_printf(&b, "%05d", i % 100000);
	cr_expect_eq(b.len, 500000);
	cr_expect_eq(strlen(b.p), 500000);
	cr_expect_eq(strncmp(b.p + 5 * 12345, "12345", 5), 0);
	cr_expect_geq(b.cap, b.len + 1);
	free(b.p);
}
