/* Trusted proxies and X-Forwarded-For. */
#define _GNU_SOURCE
#include "proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses a bare address (no brackets, no port) into family and bytes. */
static bool parse_addr(const char *s, int *family, unsigned char addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, s, addr) == 1) {
		*family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, addr) == 1) {
		*family = AF_INET6;
		return true;
	}
	return false;
}

static int parse_net(const char *entry, struct proxy_net *net)
{
	char buf[64];
	if (strlen(entry) >= sizeof(buf))
		return -1;
	strcpy(buf, entry);
	char *slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	if (!parse_addr(buf, &net->family, net->addr))
		return -1;
	int max = net->family == AF_INET ? 32 : 128;
	net->prefix = max;
	if (slash) {
		char *end;
		long p = strtol(slash + 1, &end, 10);
		if (!slash[1] || *end || p < 0 || p > max)
			return -1;
		net->prefix = (int)p;
	}
	return 0;
}

int proxy_list_parse(const char *text, struct proxy_list *out, struct error *err)
{
	memset(out, 0, sizeof(*out));
	if (!text)
		return 0;
	const char *p = text;
	while (*p) {
		p += strspn(p, ", \t");
		size_t n = strcspn(p, ", \t");
		if (!n)
			break;
		char entry[64];
		if (n >= sizeof(entry) || out->n == PROXY_MAX)
			return error_set(err, ERR_INVALID,
					 "PORTAL_TRUSTED_PROXIES: at most %d addresses or networks, "
					 "each like 10.0.0.1 or 10.0.0.0/8",
					 PROXY_MAX);
		memcpy(entry, p, n);
		entry[n] = 0;
		if (parse_net(entry, &out->nets[out->n]) != 0)
			return error_set(err, ERR_INVALID,
					 "PORTAL_TRUSTED_PROXIES: '%s' is not an IP address or a "
					 "network like 10.0.0.0/8",
					 entry);
		out->n++;
		p += n;
	}
	return 0;
}

static bool in_net(const struct proxy_net *net, int family, const unsigned char *addr)
{
	if (net->family != family)
		return false;
	int full = net->prefix / 8, rest = net->prefix % 8;
	if (memcmp(net->addr, addr, (size_t)full) != 0)
		return false;
	if (!rest)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (net->addr[full] & mask) == (addr[full] & mask);
}

bool proxy_trusted(const struct proxy_list *l, const char *addr)
{
	int family;
	unsigned char a[16];
	if (!l || !l->n || !addr || !parse_addr(addr, &family, a))
		return false;
	for (size_t i = 0; i < l->n; i++)
		if (in_net(&l->nets[i], family, a))
			return true;
	return false;
}

void proxy_client_addr(const struct proxy_list *l, const char *peer, const char *forwarded,
		       char *out, size_t len)
{
	snprintf(out, len, "%s", peer ? peer : "");
	if (!forwarded || !proxy_trusted(l, out))
		return;
	/* from the right: each hop appended the address it received the request from */
	size_t end = strlen(forwarded);
	while (end > 0) {
		size_t start = end;
		while (start > 0 && forwarded[start - 1] != ',')
			start--;
		size_t a = start, b = end;
		while (a < b && (forwarded[a] == ' ' || forwarded[a] == '\t'))
			a++;
		while (b > a && (forwarded[b - 1] == ' ' || forwarded[b - 1] == '\t'))
			b--;
		char hop[64];
		int family;
		unsigned char bytes[16];
		if (b - a == 0 || b - a >= sizeof(hop))
			return;
		memcpy(hop, forwarded + a, b - a);
		hop[b - a] = 0;
		if (!parse_addr(hop, &family, bytes))
			return; /* garbage: keep the last hop we could trust */
		snprintf(out, len, "%s", hop);
		if (!proxy_trusted(l, hop))
			return;
		end = start ? start - 1 : 0;
	}
}
