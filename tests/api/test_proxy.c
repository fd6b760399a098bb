/*
 * The client's address behind trusted proxies: portal/proxy.c as tables, then the per-address
 * rate limit of a real server counting X-Forwarded-For only when the peer is trusted.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/proxy.h"
#include "support/harness.h"

/* Criterion copies parameters into the test's process: strings inline, not pointers. */
struct parse_case {
	char text[64];
	int rc;
	size_t n;
};

ParameterizedTestParameters(proxy, parse)
{
	static struct parse_case cases[] = {
		{ "", 0, 0 },
		{ "10.0.0.1", 0, 1 },
		{ "10.0.0.0/8, 192.168.1.0/24,::1", 0, 3 },
		{ " 10.0.0.1 ,, 10.0.0.2 ", 0, 2 },
		{ "fd00::/8", 0, 1 },
		{ "10.0.0.0/33", ERR_INVALID, 0 },
		{ "::/129", ERR_INVALID, 0 },
		{ "10.0.0.0/", ERR_INVALID, 0 },
		{ "10.0.0.0/x", ERR_INVALID, 0 },
		{ "nginx", ERR_INVALID, 0 },
		{ "10.0.0.1; DROP TABLE users", ERR_INVALID, 0 },
		{ "300.1.1.1", ERR_INVALID, 0 },
	};
	return cr_make_param_array(struct parse_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct parse_case *c, proxy, parse)
{
	struct proxy_list l;
	struct error err = ERROR_INIT;
	int rc = proxy_list_parse(c->text, &l, &err);
	cr_expect_eq(rc, c->rc, "'%s': rc %d", c->text, rc);
	if (!rc)
		cr_expect_eq(l.n, c->n, "'%s': %zu entries", c->text, l.n);
	else
		cr_expect(strstr(err.message, "PORTAL_TRUSTED_PROXIES"), "message: %s", err.message);
	error_release(&err);
}

Test(proxy, unset_means_nobody)
{
	struct proxy_list l;
	struct error err = ERROR_INIT;
	cr_expect_eq(proxy_list_parse(NULL, &l, &err), 0);
	cr_expect_eq(l.n, 0);
	cr_expect_not(proxy_trusted(&l, "127.0.0.1"));
}

Test(proxy, too_many_entries_are_refused)
{
	char text[2000] = "";
	for (int i = 0; i <= PROXY_MAX; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "10.0.0.%d,", i);
	struct proxy_list l;
	struct error err = ERROR_INIT;
	cr_expect_eq(proxy_list_parse(text, &l, &err), ERR_INVALID);
	error_release(&err);
}

struct addr_case {
	char trusted[48], peer[24], forwarded[48], want[24]; /* forwarded "-": no header */
};

ParameterizedTestParameters(proxy, client_addr)
{
	static struct addr_case cases[] = {
		/* nobody trusted: the header is ignored */
		{ "", "127.0.0.1", "203.0.113.7", "127.0.0.1" },
		/* an untrusted peer cannot name another address */
		{ "10.0.0.1", "198.51.100.4", "203.0.113.7", "198.51.100.4" },
		/* the trusted proxy's word is taken */
		{ "10.0.0.1", "10.0.0.1", "203.0.113.7", "203.0.113.7" },
		{ "10.0.0.1", "10.0.0.1", "-", "10.0.0.1" },
		/* the client wrote its own header: only the hop nginx appended counts */
		{ "10.0.0.1", "10.0.0.1", "1.2.3.4, 203.0.113.7", "203.0.113.7" },
		/* two trusted layers (CDN network, then nginx) */
		{ "10.0.0.1, 192.0.2.0/24", "10.0.0.1", "203.0.113.7, 192.0.2.9", "203.0.113.7" },
		{ "10.0.0.0/8", "10.9.8.7", "203.0.113.7,10.1.1.1", "203.0.113.7" },
		/* everybody in the chain trusted: the leftmost */
		{ "10.0.0.0/8", "10.0.0.1", "10.0.0.2, 10.0.0.3", "10.0.0.2" },
		/* garbage ends the walk at the last hop that could be trusted */
		{ "10.0.0.1", "10.0.0.1", "not-an-ip", "10.0.0.1" },
		{ "10.0.0.1, 192.0.2.0/24", "10.0.0.1", "junk, 192.0.2.9", "192.0.2.9" },
		{ "10.0.0.1", "10.0.0.1", "203.0.113.7:5555", "10.0.0.1" },
		{ "10.0.0.1", "10.0.0.1", "", "10.0.0.1" },
		{ "10.0.0.1", "10.0.0.1", " , ", "10.0.0.1" },
		{ "10.0.0.1", "10.0.0.1", "'; DROP TABLE users; --", "10.0.0.1" },
		/* IPv6 */
		{ "::1", "::1", "2001:db8::5", "2001:db8::5" },
		{ "fd00::/8", "fd12::1", "2001:db8::5, fd00::2", "2001:db8::5" },
		{ "fd00::/8", "fe80::1", "2001:db8::5", "fe80::1" },
		/* a prefix that is not a whole byte */
		{ "10.0.0.0/12", "10.15.255.1", "203.0.113.7", "203.0.113.7" },
		{ "10.0.0.0/12", "10.16.0.1", "203.0.113.7", "10.16.0.1" },
	};
	return cr_make_param_array(struct addr_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct addr_case *c, proxy, client_addr)
{
	struct proxy_list l;
	struct error err = ERROR_INIT;
	cr_assert_eq(proxy_list_parse(c->trusted, &l, &err), 0, "%s", err.message);
	char out[64];
	bool none = !strcmp(c->forwarded, "-");
	proxy_client_addr(&l, c->peer, none ? NULL : c->forwarded, out, sizeof(out));
	cr_expect_str_eq(out, c->want, "trusted '%s', peer %s, X-Forwarded-For '%s'", c->trusted,
			 c->peer, c->forwarded);
}

/* ---- through a real server ------------------------------------------------------------- */

static long fees_from(const char *forwarded)
{
	char h[100];
	snprintf(h, sizeof(h), "X-Forwarded-For: %s", forwarded);
	const char *headers[] = { h, NULL };
	struct reply r = { 0 };
	long st = http_call(&r, "GET", "/v1/public/fees", NULL, NULL, headers);
	reply_release(&r);
	return st;
}

Test(proxy, behind_a_trusted_proxy_each_client_has_its_own_bucket)
{
	setenv("PORTAL_RATE_PUBLIC", "0.01:2", 1);
	setenv("PORTAL_TRUSTED_PROXIES", "127.0.0.1", 1);
	struct harness_server *srv = harness_server_start();
	cr_expect_eq(fees_from("203.0.113.1"), 200);
	cr_expect_eq(fees_from("203.0.113.1"), 200);
	cr_expect_eq(fees_from("203.0.113.1"), 429, "client 1 spent its burst");
	cr_expect_eq(fees_from("203.0.113.2"), 200, "client 2 is another address");
	/* a forged left part does not buy a fresh bucket: nginx appended the real one */
	cr_expect_eq(fees_from("198.51.100.99, 203.0.113.1"), 429);
	harness_server_stop(srv);
}

Test(proxy, without_trusted_proxies_the_header_is_ignored)
{
	setenv("PORTAL_RATE_PUBLIC", "0.01:2", 1);
	unsetenv("PORTAL_TRUSTED_PROXIES");
	struct harness_server *srv = harness_server_start();
	cr_expect_eq(fees_from("203.0.113.1"), 200);
	cr_expect_eq(fees_from("203.0.113.2"), 200);
	cr_expect_eq(fees_from("203.0.113.3"), 429,
		     "a client must not escape the limit by writing X-Forwarded-For");
	harness_server_stop(srv);
}

/* Whether the sign-in scope (e.g. "ip:<address key>") is blocked now. */
static long long blocked(const char *scope)
{
	struct store_conn *c = store_acquire(harness_pool(), 5000, NULL);
	struct store_result *r = NULL;
	static const char sql[] = "SELECT COUNT(*) FROM login_throttle WHERE scope = ? "
				  "AND blocked_until > UTC_TIMESTAMP(6)";
	struct store_param p[] = { P_STR(scope) };
	cr_assert_eq(store_exec(c, sql, p, 1, &r, NULL), 0);
	long long n = store_cell_ll(r, 0, 0, 0);
	store_result_free(r);
	store_release(c);
	return n;
}

static long signin_from(const char *client, const char *email)
{
	char h[128], body[256];
	snprintf(h, sizeof(h), "X-Forwarded-For: %s", client);
	snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"wrong-password-42\"}", email);
	const char *headers[] = { h, NULL };
	struct reply r = { 0 };
	long st = http_call(&r, "POST", "/v1/sessions", NULL, body, headers);
	reply_release(&r);
	return st;
}

/* Failed sign-ins of an IPv6 client count against its /64: new addresses in it buy nothing. */
Test(proxy, failed_signins_from_one_ipv6_64_count_together, .timeout = 120)
{
	setenv("PORTAL_TRUSTED_PROXIES", "127.0.0.1", 1);
	setenv("PORTAL_LOGIN_ADDRESS_FAILURES", "3", 1);
	struct harness_server *srv = harness_server_start();
	int u = harness_unique() & 0x7fff; /* an IPv6 group holds four hex digits */
	char client[64], email[64];
	/* (address within 2001:db8:77:<u>::/64, expected status) */
	static const struct { const char *host; long want; } cases[] = {
		{ "a", 401 }, { "b", 401 }, { "c", 401 }, { "d", 429 }, { "ffff:1:2", 429 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(client, sizeof(client), "2001:db8:77:%x::%s", u, cases[i].host);
		snprintf(email, sizeof(email), "nobody%zu-%d@demo.test", i, u);
		cr_expect_eq(signin_from(client, email), cases[i].want, "attempt %zu from %s", i,
			     client);
	}
	char scope[80];
	snprintf(scope, sizeof(scope), "ip:2001:db8:77:%x::/64", u);
	cr_expect_eq(blocked(scope), 1, "the block is on %s", scope);
	/* another /64 is another client */
	snprintf(client, sizeof(client), "2001:db8:77:%x::a", u | 0x8000);
	long fresh = signin_from(client, "nobody-else@demo.test");
	cr_expect_eq(fresh, 401, "a fresh /64 (%s): %ld", client, fresh);
	harness_server_stop(srv);
	unsetenv("PORTAL_LOGIN_ADDRESS_FAILURES");
	unsetenv("PORTAL_TRUSTED_PROXIES");
}
