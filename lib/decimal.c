/* Decimal text of whole numbers. */
#include "decimal.h"

#include <string.h>

size_t decimal_format(char out[DECIMAL_MAX], long long v, bool is_unsigned)
{
	char buf[DECIMAL_MAX], *p = buf + sizeof(buf);
	bool negative = !is_unsigned && v < 0;
	/* negated in unsigned arithmetic, so the most negative value has a magnitude too */
	unsigned long long u = negative ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	*--p = 0;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (negative)
		*--p = '-';
	size_t len = (size_t)(buf + sizeof(buf) - p) - 1;
	memcpy(out, p, len + 1);
	return len;
}
