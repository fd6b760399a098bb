/* The SSRF guard: URL shape, address classes, and resolution pinned for the delivery. */
#define _GNU_SOURCE
#include "urlguard.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* Network prefix in host byte order with its length. */
struct net4 {
	uint32_t net;
	int bits;
};

#define V4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

/* Addresses no webhook should reach: this host, the local networks, and non-unicast. */
static const struct net4 refused4[] = {
	{ V4(0, 0, 0, 0), 8 },	     /* "this network", incl. the unspecified 0.0.0.0 */
	{ V4(10, 0, 0, 0), 8 },	     /* private */
	{ V4(100, 64, 0, 0), 10 },   /* carrier-grade NAT */
	{ V4(127, 0, 0, 0), 8 },     /* loopback */
	{ V4(169, 254, 0, 0), 16 },  /* link-local, incl. cloud metadata 169.254.169.254 */
	{ V4(172, 16, 0, 0), 12 },   /* private */
	{ V4(192, 0, 0, 0), 24 },    /* IETF protocol assignments */
	{ V4(192, 168, 0, 0), 16 },  /* private */
	{ V4(198, 18, 0, 0), 15 },   /* benchmarking */
	{ V4(224, 0, 0, 0), 4 },     /* multicast */
	{ V4(240, 0, 0, 0), 4 },     /* reserved, incl. broadcast */
};

static bool v4_refused(uint32_t a)
{
	for (size_t i = 0; i < sizeof(refused4) / sizeof(refused4[0]); i++) {
		uint32_t mask = refused4[i].bits ? ~0u << (32 - refused4[i].bits) : 0;
		if ((a & mask) == refused4[i].net)
			return true;
	}
	return false;
}

static uint32_t v4_at(const unsigned char *b)
{
	return V4(b[0], b[1], b[2], b[3]);
}

static bool v6_refused(const unsigned char b[16])
{
	static const unsigned char zero[16];
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };
	if (!memcmp(b, zero, 15) && b[15] <= 1)
		return true; /* :: and ::1 */
	if (!memcmp(b, mapped, 12) || !memcmp(b, zero, 12) || !memcmp(b, nat64, 12))
		return v4_refused(v4_at(b + 12)); /* an IPv4 address in IPv6 clothing */
	if ((b[0] & 0xfe) == 0xfc)
		return true; /* unique local fc00::/7 */
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return true; /* link-local fe80::/10 */
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)
		return true; /* old site-local fec0::/10 */
	if (b[0] == 0xff)
		return true; /* multicast */
	if (b[0] == 0x20 && b[1] == 0x02)
		return v4_refused(v4_at(b + 2)); /* 6to4 wraps an IPv4 address */
	return false;
}

static bool sockaddr_refused(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return v4_refused(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr));
	if (sa->sa_family == AF_INET6)
		return v6_refused(((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr);
	return true;
}

bool urlguard_address_refused(const char *addr)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST }, *res = NULL;
	if (!addr || getaddrinfo(addr, NULL, &hints, &res) != 0)
		return true;
	bool refused = false;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
		refused = refused || sockaddr_refused(ai->ai_addr);
	freeaddrinfo(res);
	return refused;
}

static int bad(struct error *err, const char *code, const char *msg)
{
	error_add(err, "url", code, "%s", msg);
	return error_set(err, ERR_INVALID, "the endpoint URL is refused: %s", msg);
}

/* Splits url into host (brackets removed) and port; checks everything but the addresses. */
static int parse(const char *url, char host[256], unsigned *port, struct error *err)
{
	if (!url || !*url || strlen(url) > URLGUARD_URL_MAX)
		return bad(err, "invalid", "a URL of 1 to 2000 characters is required");
	if (strncasecmp(url, "https://", 8) != 0 && strncasecmp(url, "http://", 7) != 0)
		return bad(err, "scheme", "only http:// and https:// URLs are accepted");
	CURLU *u = curl_url();
	char *scheme = NULL, *h = NULL, *p = NULL, *user = NULL, *pass = NULL;
	int rc = 0;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) != CURLUE_OK) {
		rc = bad(err, "invalid", "not a valid URL");
		goto out;
	}
	if (strcasecmp(scheme, "https") != 0 && strcasecmp(scheme, "http") != 0) {
		rc = bad(err, "scheme", "only http:// and https:// URLs are accepted");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) == CURLUE_OK) {
		rc = bad(err, "credentials", "a URL may not carry a user name or password");
		goto out;
	}
	size_t hl = strlen(h);
	if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
		memmove(h, h + 1, hl - 2);
		h[hl - 2] = 0;
	}
	char *pct = strchr(h, '%'); /* an IPv6 zone id only makes sense on this host */
	if (!h[0] || strlen(h) > 253 || pct) {
		rc = bad(err, "invalid", "the URL's host is not acceptable");
		goto out;
	}
	long pn = strtol(p, NULL, 10);
	if (pn < 1 || pn > 65535) {
		rc = bad(err, "invalid", "the port must be from 1 to 65535");
		goto out;
	}
	snprintf(host, 256, "%s", h);
	*port = (unsigned)pn;
out:
	curl_free(scheme);
	curl_free(h);
	curl_free(p);
	curl_free(user);
	curl_free(pass);
	curl_url_cleanup(u);
	return rc;
}

static bool is_numeric(const char *host)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST }, *res = NULL;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return false;
	freeaddrinfo(res);
	return true;
}

static bool is_local_name(const char *host)
{
	size_t n = strlen(host);
	while (n && host[n - 1] == '.')
		n--; /* "localhost." is the same name */
	return (n == 9 && !strncasecmp(host, "localhost", 9)) ||
	       (n > 10 && !strncasecmp(host + n - 10, ".localhost", 10));
}

static int check_host(const char *host, bool allow_private, struct error *err)
{
	if (allow_private)
		return 0;
	if (is_local_name(host))
		return bad(err, "private_address", "localhost is not reachable from the portal");
	if (is_numeric(host) && urlguard_address_refused(host))
		return bad(err, "private_address",
			   "loopback, private, link-local, multicast and unspecified addresses are "
			   "refused");
	return 0;
}

int urlguard_check(const char *url, bool allow_private, struct error *err)
{
	char host[256];
	unsigned port;
	int rc = parse(url, host, &port, err);
	return rc ? rc : check_host(host, allow_private, err);
}

int urlguard_resolve(const char *url, bool allow_private, struct urlguard_target *out,
		     struct error *err)
{
	memset(out, 0, sizeof(*out));
	int rc = parse(url, out->host, &out->port, err);
	if (!rc)
		rc = check_host(out->host, allow_private, err);
	if (rc)
		return rc;
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	int g = getaddrinfo(out->host, NULL, &hints, &res);
	if (g != 0)
		return error_set(err, ERR_UNAVAILABLE, "cannot resolve %s: %s", out->host,
				 gai_strerror(g));
	for (struct addrinfo *ai = res; ai && !rc; ai = ai->ai_next)
		if (!allow_private && sockaddr_refused(ai->ai_addr))
			rc = bad(err, "private_address", "the host resolves to a refused address");
	if (!rc && is_numeric(out->host)) {
		/* nothing to resolve, so nothing to pin */
		snprintf(out->addr, sizeof(out->addr), "%.63s", out->host);
	} else if (!rc) {
		const void *a = res->ai_family == AF_INET
					? (const void *)&((struct sockaddr_in *)res->ai_addr)->sin_addr
					: (const void *)&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr;
		inet_ntop(res->ai_family, a, out->addr, sizeof(out->addr));
		bool v6 = res->ai_family == AF_INET6;
		snprintf(out->resolve, sizeof(out->resolve), "%s:%u:%s%s%s", out->host, out->port,
			 v6 ? "[" : "", out->addr, v6 ? "]" : "");
		snprintf(out->unresolve, sizeof(out->unresolve), "-%s:%u", out->host, out->port);
	}
	freeaddrinfo(res);
	return rc;
}
