/* Deadlines as struct timespec: milliseconds added with the carry, and their order. */
#include <criterion/criterion.h>

#include "lib/timespec.h"

Test(timespec, adds_milliseconds_and_carries_the_second)
{
	static const struct {
		long long sec, nsec, ms, want_sec, want_nsec;
	} cases[] = {
		{ 10, 0, 0, 10, 0 },
		{ 10, 0, 1, 10, 1000000 },
		{ 10, 0, 999, 10, 999000000 },
		{ 10, 0, 1000, 11, 0 },
		{ 10, 0, 5250, 15, 250000000 },
		{ 10, 999000000, 1, 11, 0 },
		{ 10, 999999999, 1, 11, 999999 },
		{ 10, 500000000, 500, 11, 0 },
		{ 10, 500000000, 499, 10, 999000000 },
		{ 10, 900000000, 1100, 12, 0 },
		{ 0, 999999999, 999, 1, 998999999 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct timespec t = { (time_t)cases[i].sec, (long)cases[i].nsec };
		struct timespec got = timespec_add_ms(t, cases[i].ms);
		cr_expect_eq((long long)got.tv_sec, cases[i].want_sec, "case %zu: seconds %lld", i,
			     (long long)got.tv_sec);
		cr_expect_eq((long long)got.tv_nsec, cases[i].want_nsec, "case %zu: nanoseconds %ld",
			     i, got.tv_nsec);
	}
}

Test(timespec, orders_by_second_then_nanosecond)
{
	static const struct {
		long long a_sec, a_nsec, b_sec, b_nsec;
		bool before;
	} cases[] = {
		{ 1, 0, 2, 0, true },	  { 2, 0, 1, 0, false },
		{ 1, 5, 1, 6, true },	  { 1, 6, 1, 5, false },
		{ 1, 5, 1, 5, false },	  { 1, 999999999, 2, 0, true },
		{ 2, 0, 1, 999999999, false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct timespec a = { (time_t)cases[i].a_sec, (long)cases[i].a_nsec };
		struct timespec b = { (time_t)cases[i].b_sec, (long)cases[i].b_nsec };
		cr_expect_eq(timespec_before(a, b), cases[i].before, "case %zu", i);
	}
}
