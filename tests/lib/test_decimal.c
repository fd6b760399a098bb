/* Decimal text of whole numbers: the same as printf's at every edge. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>

#include "lib/decimal.h"

Test(decimal, as_printf_writes_it)
{
	static const long long values[] = { 0, 1, -1, 9, 10, -10, 99, 100, 1234567890,
					    -1234567890, INT_MAX, INT_MIN, LLONG_MAX, LLONG_MIN,
					    LLONG_MAX - 1, LLONG_MIN + 1 };
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		for (int uns = 0; uns < 2; uns++) {
			char want[32], got[DECIMAL_MAX];
			if (uns)
				snprintf(want, sizeof(want), "%llu", (unsigned long long)values[i]);
			else
				snprintf(want, sizeof(want), "%lld", values[i]);
			size_t n = decimal_format(got, values[i], uns);
			cr_expect_str_eq(got, want, "value %zu, unsigned %d", i, uns);
			cr_expect_eq(n, strlen(want), "value %zu, unsigned %d", i, uns);
		}
	char max[DECIMAL_MAX];
	cr_expect_eq(decimal_format(max, -1, true), 20, "the longest: 2^64 - 1");
	cr_expect_str_eq(max, "18446744073709551615");
}
