/* Whole numbers as decimal text, without printf: the JSON writer's and the store's hot paths. */
#ifndef LIB_DECIMAL_H
#define LIB_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>

/* Room for the longest text decimal_format writes: a sign, 20 digits and the NUL. */
#define DECIMAL_MAX 22

/*
 * Writes v in decimal into out, NUL-terminated, as "%lld" would (as "%llu" of its bits when
 * is_unsigned); returns the length without the NUL. Cannot fail.
 */
size_t decimal_format(char out[DECIMAL_MAX], long long v, bool is_unsigned);

#endif
