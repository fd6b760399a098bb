/*
 * The client's address behind trusted reverse proxies. Rate limits and sign-in throttling count
 * per address; behind nginx every request comes from nginx's address, so they would either
 * throttle everybody together or, if X-Forwarded-For were believed from anyone, nobody (a client
 * can write any X-Forwarded-For it likes). PORTAL_TRUSTED_PROXIES names the proxies whose word
 * is taken; the header is read from the right, skipping those proxies, and the first address
 * that is not one of them is the client.
 */
#ifndef PORTAL_PROXY_H
#define PORTAL_PROXY_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/error.h"

#define PROXY_MAX 32

/* One network: an IPv4 or IPv6 address and a prefix length. */
struct proxy_net {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	int prefix;
};

struct proxy_list {
	struct proxy_net nets[PROXY_MAX];
	size_t n;
};

/*
 * Parses "10.0.0.1, 10.1.0.0/16, ::1" (addresses or CIDR networks, comma or space separated;
 * empty = none). ERR_INVALID naming the first bad entry; at most PROXY_MAX entries.
 */
int proxy_list_parse(const char *text, struct proxy_list *out, struct error *err);

/* Whether the textual address lies in one of the networks. False for anything unparsable. */
bool proxy_trusted(const struct proxy_list *l, const char *addr);

/*
 * The client's address into out: `peer` (the socket's address) unless peer is trusted and
 * `forwarded` (X-Forwarded-For, may be NULL) names others; then, reading it from the right, the
 * first address that is not trusted, or the leftmost when all are. An entry that is not an IP
 * address ends the walk at the hop before it: nothing written by the client is taken on trust.
 */
void proxy_client_addr(const struct proxy_list *l, const char *peer, const char *forwarded,
		       char *out, size_t len);

#endif
