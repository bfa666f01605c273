/* SPDX-License-Identifier: BSD-3-Clause */
/* Records written as text for the scripted upstreams of the control-plane tests (msg_spec.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_wire.h"
#include "msg_spec.h"

static void
die(const char *what, const char *text)
{
	fprintf(stderr, "msg_spec: %s: '%s'\n", what, text);
	abort();
}

void
ms_text_of(const uint8_t *name, char *out)
{
	size_t o = 0;

	if (*name == 0) {
		strcpy(out, ".");
		return;
	}
	while (*name != 0) {
		memcpy(out + o, name + 1, *name);
		o += *name;
		out[o++] = '.';
		name += *name + 1;
	}
	out[o] = '\0';
}

uint16_t
ms_type_of(const char *t)
{
	static const struct {
		const char *n;
		uint16_t t;
	} types[] = { { "A", DNS_TYPE_A },   { "AAAA", DNS_TYPE_AAAA },
		      { "NS", DNS_TYPE_NS }, { "CNAME", DNS_TYPE_CNAME },
		      { "MX", DNS_TYPE_MX }, { "SOA", DNS_TYPE_SOA } };

	for (unsigned i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(types[i].n, t) == 0)
			return types[i].t;
	die("unknown type", t);
	return 0;
}

static void
rr_ttl(struct mb *m, const char *owner, uint16_t type, const char *rdata, uint32_t ttl)
{
	char a[320], b[320];
	unsigned pref;
	size_t at = mb_rr_begin(m, owner, type, DNS_CLASS_IN, ttl);

	switch (type) {
	case DNS_TYPE_A:
	case DNS_TYPE_AAAA:
		if (inet_pton(type == DNS_TYPE_A ? AF_INET : AF_INET6, rdata, m->b + m->len) != 1)
			die("bad address", rdata);
		m->len += type == DNS_TYPE_A ? 4 : 16;
		break;
	case DNS_TYPE_MX:
		if (sscanf(rdata, "%u %299s", &pref, a) != 2)
			die("bad MX", rdata);
		mb_put16(m, (uint16_t)pref);
		mb_name(m, a);
		break;
	case DNS_TYPE_SOA:
		snprintf(a, sizeof(a), "ns1.%s", strcmp(owner, ".") == 0 ? "" : owner);
		snprintf(b, sizeof(b), "hostmaster.%s", strcmp(owner, ".") == 0 ? "" : owner);
		mb_name(m, a);
		mb_name(m, b);
		mb_put32(m, 1);
		mb_put32(m, 3600);
		mb_put32(m, 600);
		mb_put32(m, 86400);
		mb_put32(m, 60);
		break;
	default: /* NS, CNAME */
		mb_name(m, rdata);
		break;
	}
	mb_end_rr(m, at);
}

void
ms_rr(struct mb *m, const char *owner, uint16_t type, const char *rdata)
{
	rr_ttl(m, owner, type, rdata, 3600);
}

void
ms_records(struct mb *m, const char *qname, const char *spec)
{
	char buf[2048], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *rec = strtok_r(buf, ";", &save); rec != NULL; rec = strtok_r(NULL, ";", &save)) {
		char sec[16], owner[300], type[16], rdata[300] = "";
		int n = sscanf(rec, " %15s %299s %15s %299[^;]", sec, owner, type, rdata);
		char *slash = strchr(sec, '/');
		uint32_t ttl = 3600;

		if (n < 3)
			die("bad spec record", rec);
		if (slash != NULL) {
			*slash = '\0';
			ttl = (uint32_t)strtoul(slash + 1, NULL, 10);
		}
		m->sec = strcmp(sec, "AN") == 0 ? 0 : strcmp(sec, "AU") == 0 ? 1 : 2;
		rr_ttl(m, strcmp(owner, "@") == 0 ? qname : owner, ms_type_of(type), rdata, ttl);
	}
}
