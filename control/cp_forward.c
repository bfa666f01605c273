/* SPDX-License-Identifier: BSD-3-Clause */
/* The forward table (zone -> forwarders, longest-suffix match) and forwarder addresses. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp_forward.h"
#include "dns_name.h"

/*
 * A plain array in insertion order: at most CP_FWD_MAX_ZONES zones, looked up
 * once per delegation the iterator builds, so a linear scan costs less than
 * keeping a tree right.
 */
struct cp_forward {
	unsigned n;
	struct cp_fwd_zone *zones[CP_FWD_MAX_ZONES];
};

struct cp_forward *
cp_forward_new(void)
{
	return calloc(1, sizeof(struct cp_forward));
}

void
cp_forward_free(struct cp_forward *f)
{
	if (f == NULL)
		return;
	for (unsigned i = 0; i < f->n; i++)
		free(f->zones[i]);
	free(f);
}

static int
index_of(const struct cp_forward *f, const uint8_t *zone)
{
	for (unsigned i = 0; i < f->n; i++)
		if (dns_name_equal(f->zones[i]->name, zone))
			return (int)i;
	return -1;
}

/* Copy @p in into @p out with the padding zeroed: the address and port only. */
static int
normalise(const struct sockaddr_storage *in, struct sockaddr_storage *out)
{
	memset(out, 0, sizeof(*out));
	if (in->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)in;
		struct sockaddr_in *b = (struct sockaddr_in *)out;

		b->sin_family = AF_INET;
		b->sin_port = a->sin_port;
		b->sin_addr = a->sin_addr;
		return a->sin_port != 0 ? 0 : -EINVAL;
	}
	if (in->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)in;
		struct sockaddr_in6 *b = (struct sockaddr_in6 *)out;

		b->sin6_family = AF_INET6;
		b->sin6_port = a->sin6_port;
		b->sin6_addr = a->sin6_addr;
		return a->sin6_port != 0 ? 0 : -EINVAL;
	}
	return -EINVAL;
}

int
cp_forward_set(struct cp_forward *f, const uint8_t *zone, const struct sockaddr_storage *servers,
               unsigned n)
{
	uint8_t low[DNS_NAME_MAXLEN];
	struct cp_fwd_zone *z;
	int len = dns_name_scan(zone, DNS_NAME_MAXLEN, low), at;

	if (len < 0 || n == 0)
		return -EINVAL;
	if (n > CP_FWD_MAX_SERVERS)
		return -E2BIG;
	at = index_of(f, low);
	if (at < 0 && f->n == CP_FWD_MAX_ZONES)
		return -ENOSPC;
	z = calloc(1, sizeof(*z));
	if (z == NULL)
		return -ENOMEM;
	memcpy(z->name, low, (size_t)len);
	for (unsigned i = 0; i < n; i++) {
		if (normalise(&servers[i], &z->servers[i]) != 0) {
			free(z);
			return -EINVAL;
		}
		for (unsigned j = 0; j < i; j++) {
			if (memcmp(&z->servers[j], &z->servers[i], sizeof(z->servers[i])) == 0) {
				free(z);
				return -EEXIST;
			}
		}
	}
	z->n_servers = n;
	if (at >= 0) {
		free(f->zones[at]);
		f->zones[at] = z;
		return 1;
	}
	f->zones[f->n++] = z;
	return 0;
}

int
cp_forward_remove(struct cp_forward *f, const uint8_t *zone)
{
	int at;

	if (dns_name_scan(zone, DNS_NAME_MAXLEN, NULL) < 0)
		return -EINVAL;
	at = index_of(f, zone);
	if (at < 0)
		return -ENOENT;
	free(f->zones[at]);
	memmove(&f->zones[at], &f->zones[at + 1], (f->n - (unsigned)at - 1) * sizeof(f->zones[0]));
	f->n--;
	return 0;
}

const struct cp_fwd_zone *
cp_forward_find(const struct cp_forward *f, const uint8_t *zone)
{
	int at;

	if (f == NULL || dns_name_scan(zone, DNS_NAME_MAXLEN, NULL) < 0)
		return NULL;
	at = index_of(f, zone);
	return at >= 0 ? f->zones[at] : NULL;
}

const struct cp_fwd_zone *
cp_forward_lookup(const struct cp_forward *f, const uint8_t *name)
{
	const struct cp_fwd_zone *best = NULL;
	unsigned best_labels = 0;

	if (f == NULL || dns_name_scan(name, DNS_NAME_MAXLEN, NULL) < 0)
		return NULL;
	for (unsigned i = 0; i < f->n; i++) {
		const struct cp_fwd_zone *z = f->zones[i];
		unsigned labels;

		if (!dns_name_in_zone(name, z->name))
			continue;
		labels = dns_name_labels(z->name);
		if (best == NULL || labels > best_labels) {
			best = z;
			best_labels = labels;
		}
	}
	return best;
}

unsigned
cp_forward_count(const struct cp_forward *f)
{
	return f != NULL ? f->n : 0;
}

const struct cp_fwd_zone *
cp_forward_get(const struct cp_forward *f, unsigned i)
{
	return f != NULL && i < f->n ? f->zones[i] : NULL;
}

/* Decimal 1..65535 and nothing after it. */
static int
parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;

	if (*s == '\0')
		return -EINVAL;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 65535)
			return -EINVAL;
	}
	if (v == 0)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

int
cp_fwd_addr_parse(const char *text, struct sockaddr_storage *out, const char **why)
{
	char buf[INET6_ADDRSTRLEN + 1];
	const char *at = strchr(text, '@');
	size_t alen = at != NULL ? (size_t)(at - text) : strlen(text);
	struct sockaddr_in *s4 = (struct sockaddr_in *)out;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)out;
	uint16_t port = 53;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (alen == 0) {
		*why = "no address (ADDR or ADDR@PORT)";
		return -EINVAL;
	}
	if (text[0] == '[') {
		*why = "no brackets: write ADDR@PORT (2001:db8::1@5353)";
		return -EINVAL;
	}
	if (at != NULL && parse_port(at + 1, &port) != 0) {
		*why = "the port after '@' must be a number 1..65535";
		return -EINVAL;
	}
	if (alen >= sizeof(buf)) {
		*why = "not an IPv4 or IPv6 address";
		return -EINVAL;
	}
	memcpy(buf, text, alen);
	buf[alen] = '\0';
	if (inet_pton(AF_INET, buf, &s4->sin_addr) == 1) {
		uint32_t a = ntohl(s4->sin_addr.s_addr);

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		if (a == 0 || IN_MULTICAST(a) || a == INADDR_BROADCAST)
			*why = "an unspecified, broadcast or multicast address cannot be a "
			       "forwarder";
	} else if (inet_pton(AF_INET6, buf, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		if (IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr) ||
		    IN6_IS_ADDR_MULTICAST(&s6->sin6_addr))
			*why = "an unspecified or multicast address cannot be a forwarder";
	} else {
		/* One colon: "198.18.5.1:5353", the port written the other way. */
		bool one_colon = strchr(buf, ':') != NULL && strchr(buf, ':') == strrchr(buf, ':');

		*why = one_colon ? "not an IPv4 or IPv6 address (a port is written ADDR@PORT)"
		                 : "not an IPv4 or IPv6 address";
	}
	if (*why != NULL) {
		memset(out, 0, sizeof(*out));
		return -EINVAL;
	}
	return 0;
}

int
cp_fwd_addr_to_text(const struct sockaddr_storage *ss, char *out, size_t cap)
{
	char ip[INET6_ADDRSTRLEN];
	unsigned port;
	int n;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
		port = ntohs(a->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
		port = ntohs(a->sin6_port);
	} else {
		return -EINVAL;
	}
	n = port == 53 ? snprintf(out, cap, "%s", ip) : snprintf(out, cap, "%s@%u", ip, port);
	return n >= 0 && (size_t)n < cap ? n : -ENOSPC;
}
