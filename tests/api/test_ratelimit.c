/* The token buckets of portal/ratelimit.c with a pinned clock: known answers, no server. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>

#include "portal/ratelimit.h"

#define S 1000000000LL /* one second in ns */

struct step {
	long long at_ms;
	const char *key;
	unsigned want; /* 0 allowed, else Retry-After seconds */
};

Test(ratelimit, burst_then_refill_per_address)
{
	struct ratelimit *rl = ratelimit_new(2, 3, 64); /* 2/s, burst 3 */
	static const struct step steps[] = {
		{ 0, "10.0.0.1", 0 },	 { 0, "10.0.0.1", 0 },	  { 0, "10.0.0.1", 0 },
		{ 0, "10.0.0.1", 1 },	 /* burst spent */
		{ 0, "10.0.0.2", 0 },	 /* another address has its own bucket */
		{ 400, "10.0.0.1", 1 },	 /* 0.8 token back: not yet */
		{ 500, "10.0.0.1", 0 },	 /* one token after 0.5 s */
		{ 500, "10.0.0.1", 1 },
		{ 10000, "10.0.0.1", 0 }, /* refilled, but never above the burst */
		{ 10000, "10.0.0.1", 0 }, { 10000, "10.0.0.1", 0 }, { 10000, "10.0.0.1", 1 },
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		cr_expect_eq(ratelimit_take(rl, steps[i].key, 1 + steps[i].at_ms * (S / 1000)),
			     steps[i].want, "step %zu (%s at %lld ms)", i, steps[i].key,
			     steps[i].at_ms);
	ratelimit_free(rl);
}

Test(ratelimit, retry_after_rounds_up_to_whole_seconds)
{
	struct ratelimit *rl = ratelimit_new(0.1, 1, 64); /* one per 10 s */
	cr_expect_eq(ratelimit_take(rl, "a", 1), 0);
	cr_expect_eq(ratelimit_take(rl, "a", 1), 10);
	cr_expect_eq(ratelimit_take(rl, "a", 1 + 5 * S), 5);
	cr_expect_eq(ratelimit_take(rl, "a", 1 + 10 * S), 0);
	ratelimit_free(rl);
}

Test(ratelimit, off_and_a_full_table)
{
	struct ratelimit *off = ratelimit_new(0, 0, 64);
	for (int i = 0; i < 1000; i++)
		cr_expect_eq(ratelimit_take(off, "a", 1), 0);
	ratelimit_free(off);
	/* More addresses than slots: old ones are forgotten, nobody is wrongly refused. */
	struct ratelimit *rl = ratelimit_new(1, 1, 1);
	char key[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "192.0.2.%d/%d", i % 250, i);
		cr_expect_eq(ratelimit_take(rl, key, 1 + i), 0, "%s", key);
	}
	ratelimit_free(rl);
}

struct env_case {
	char value[16];
	int rc;
	double rate, burst;
};

ParameterizedTestParameters(ratelimit, parse_env)
{
	static struct env_case cases[] = {
		{ "", 0, 200, 400 },   { "5", 0, 5, 10 },   { "5:20", 0, 5, 20 },
		{ "0.5:3", 0, 0.5, 3 }, { "0", 0, 0, 0 },    { "fast", ERR_INVALID, 200, 400 },
		{ "-1", ERR_INVALID, 200, 400 }, { "5:0", ERR_INVALID, 200, 400 },
		{ "5:", ERR_INVALID, 200, 400 }, { "1e9", ERR_INVALID, 200, 400 },
		{ "nan", ERR_INVALID, 200, 400 }, { "5x", ERR_INVALID, 200, 400 },
	};
	return cr_make_param_array(struct env_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct env_case *c, ratelimit, parse_env)
{
	setenv("PORTAL_RATE_TEST", c->value, 1);
	struct error err = ERROR_INIT;
	double rate, burst;
	int rc = ratelimit_parse_env("PORTAL_RATE_TEST", 200, 400, &rate, &burst, &err);
	cr_expect_eq(rc, c->rc, "'%s': %d", c->value, rc);
	if (!rc) {
		cr_expect_float_eq(rate, c->rate, 1e-9, "'%s'", c->value);
		cr_expect_float_eq(burst, c->burst, 1e-9, "'%s'", c->value);
	} else {
		cr_expect_eq(err.ndetails, 1);
	}
	error_release(&err);
}

/* The key a client address is counted by: an IPv6 client by its /64, so one subscriber cannot
 * take a fresh bucket per address of its network. */
Test(ratelimit, keys)
{
	static const struct {
		const char *addr, *key;
	} cases[] = {
		{ "192.0.2.7", "192.0.2.7" },
		{ "2001:db8:1:2::1", "2001:db8:1:2::/64" },
		{ "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64" },
		{ "2001:db8:1:2:a:b:c:d", "2001:db8:1:2::/64" },
		{ "2001:db8:1:3::1", "2001:db8:1:3::/64" }, /* the next /64 is another client */
		{ "2001:DB8:0:0:1::", "2001:db8::/64" },      /* one spelling per network */
		{ "::1", "::/64" },
		{ "::ffff:192.0.2.7", "192.0.2.7" }, /* IPv4-mapped: the IPv4 client */
		{ "not an address", "not an address" },
		{ "", "" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[64];
		ratelimit_key(cases[i].addr, out, sizeof(out));
		cr_expect_str_eq(out, cases[i].key, "%s", cases[i].addr);
	}
}

Test(ratelimit, one_bucket_per_ipv6_64)
{
	struct ratelimit *rl = ratelimit_new(0.1, 2, 64); /* burst 2, then one per 10 s */
	cr_expect_eq(ratelimit_take(rl, "2001:db8:7:7::1", 1), 0);
	cr_expect_eq(ratelimit_take(rl, "2001:db8:7:7::2", 1), 0);
	cr_expect_eq(ratelimit_take(rl, "2001:db8:7:7:dead:beef:0:1", 1), 10,
		     "a third address of the same /64 shares its bucket");
	cr_expect_eq(ratelimit_take(rl, "2001:db8:7:8::1", 1), 0, "the next /64 has its own");
	ratelimit_free(rl);
}
