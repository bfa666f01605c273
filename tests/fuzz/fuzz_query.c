/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: the hot-path query parser and the replies built from its verdict. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns_name.h"
#include "dns_query.h"
#include "dns_serve.h"
#include "dns_template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* example.com A: two rotated addresses, an NS in authority, its glue in additional. */
static const struct dns_template *
fuzz_template(void)
{
	static uint32_t buf[1024]; /* templates are 4-byte aligned */
	static int len;
	static const uint8_t apex[] = "\7example\3com", ns[] = "\3ns1\7example\3com";
	static const struct dns_rdata a[] = {{(const uint8_t *)"\xc0\x00\x02\x01", 4},
					     {(const uint8_t *)"\xc0\x00\x02\x02", 4}};
	static const struct dns_rdata ns_rd[] = {{ns, sizeof(ns)}};
	static const struct dns_rrset_in sets[] = {
		{apex, DNS_TYPE_A, DNS_CLASS_IN, 300, DNS_SECTION_ANSWER, 2, a},
		{apex, DNS_TYPE_NS, DNS_CLASS_IN, 3600, DNS_SECTION_AUTHORITY, 1, ns_rd},
		{ns, DNS_TYPE_A, DNS_CLASS_IN, 3600, DNS_SECTION_ADDITIONAL, 1, a},
	};
	static const struct dns_tmpl_in in = {.qname = apex, .qtype = DNS_TYPE_A,
					      .qclass = DNS_CLASS_IN, .flags = DNS_FLAG_AA,
					      .n_rrset = 3, .rrsets = sets};

	if (len == 0)
		len = dns_template_build(&in, buf, sizeof(buf));
	if (len <= 0)
		__builtin_trap();
	return (const struct dns_template *)(const void *)buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[DNS_MSG_MAXLEN];
	const struct dns_template *t = fuzz_template();
	struct dns_query q;
	enum dns_verdict v = dns_query_parse(data, size, &q);
	int n;

	if (v == DNS_VERDICT_DROP)
		return 0;
	if (v == DNS_VERDICT_ANSWER) {
		size_t limit = dns_query_udp_limit(&q, DNS_EDNS_SIZE);

		if (q.key.len != q.qname_len + 5u || q.key.name_len != q.qname_len)
			__builtin_trap();
		for (size_t i = 0; i < q.qname_len; i++)
			if (q.key.bytes[i] != dns_lower(data[DNS_HEADER_LEN + i]))
				__builtin_trap();
		n = dns_serve(t, &q, 7, (uint32_t)size, limit, out, sizeof(out));
		if ((n == -EINVAL) != (q.qname_len != t->qname_len) || (n > 0 && (size_t)n > limit))
			__builtin_trap();
	} else {
		n = dns_serve_error(&q, dns_verdict_rcode(v), out, sizeof(out));
	}
	if (v == DNS_VERDICT_ANSWER && n == -EINVAL)
		return 0; /* a question of another length than the template's */
	if (n < DNS_HEADER_LEN || (size_t)n > sizeof(out))
		__builtin_trap();
	if (memcmp(out, data, 2) != 0 || !(out[2] & 0x80))
		__builtin_trap(); /* reply keeps the ID and has QR set */
	return 0;
}
