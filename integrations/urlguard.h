/*
 * The SSRF guard for webhook URLs: only http(s), and no loopback, private, link-local,
 * multicast or unspecified address unless the server is configured to allow them.
 */
#ifndef INTEGRATIONS_URLGUARD_H
#define INTEGRATIONS_URLGUARD_H

#include <stdbool.h>

#include "lib/error.h"

#define URLGUARD_URL_MAX 2000

/*
 * Checks a URL's shape without touching the network: scheme http or https, a host, no user
 * name or password, a port from 1 to 65535, at most URLGUARD_URL_MAX bytes. A host that is an
 * IP address (any form the resolver accepts) or "localhost" must be a public address unless
 * allow_private. ERR_INVALID with a detail on "url" saying what is wrong.
 */
int urlguard_check(const char *url, bool allow_private, struct error *err);

/* Where a delivery goes: the address it was resolved to, pinned for libcurl. */
struct urlguard_target {
	char host[256];	    /* as in the URL, without brackets */
	unsigned port;
	char addr[64];	    /* the address text, e.g. "93.184.216.34" or "2606:2800::1" */
	char resolve[340];  /* "host:port:addr" for CURLOPT_RESOLVE */
	char unresolve[270]; /* "-host:port", to drop an earlier pin from libcurl's cache */
};

/*
 * urlguard_check, then resolves the host and checks EVERY address it resolves to (one private
 * address refuses the lot, so a name cannot mix a public and a private answer); fills out with
 * the first. Delivering with out->resolve pinned means a second lookup (DNS rebinding) cannot
 * send the request elsewhere. ERR_INVALID when refused, ERR_UNAVAILABLE when the name does not
 * resolve.
 */
int urlguard_resolve(const char *url, bool allow_private, struct urlguard_target *out,
		     struct error *err);

/* True when the numeric address text (IPv4 or IPv6) is one the guard refuses. */
bool urlguard_address_refused(const char *addr);

#endif
