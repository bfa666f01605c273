/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: upstream response judging, with the query taken from the input itself. */
#include <stddef.h>
#include <stdint.h>

#include "cp_response.h"
#include "dns_name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t arena[CP_RESP_ARENA_MAX];
	static struct cp_response r;
	uint8_t qname[DNS_NAME_MAXLEN];
	const uint8_t *zone = qname;
	struct cp_resp_query q = {.qname = qname, .qtype = DNS_TYPE_A, .qclass = DNS_CLASS_IN};
	size_t wl = 0;

	/* Ask what the message says it answers, so the fuzzer gets past the ID/question match. */
	if (size < DNS_HEADER_LEN || dns_name_unpack(data, size, DNS_HEADER_LEN, qname, false,
						     &wl) < 0)
		qname[0] = 0;
	else if (size - DNS_HEADER_LEN - wl >= 4) {
		q.qtype = dns_get_u16(data + DNS_HEADER_LEN + wl);
		q.qclass = dns_get_u16(data + DNS_HEADER_LEN + wl + 2);
	}
	if (size >= 2)
		q.id = dns_get_u16(data);
	/* The zone asked: qname with the low bits of the ID's first octet worth of labels cut. */
	for (unsigned cut = size >= 1 ? data[0] & 3 : 0; cut > 0 && zone[0] != 0; cut--)
		zone += 1 + zone[0];
	q.zone = zone;
	q.forwarder = size >= 2 && (data[1] & 1) != 0;
	if (cp_response_parse(&q, data, size, arena, sizeof(arena), &r) != 0)
		__builtin_trap();
	for (unsigned i = 0, n = 0; i < r.n_rrsets; i++) {
		const struct dns_rrset_in *s = &r.rrsets[i];

		/* Nothing out of bailiwick, every RRset non-empty and inside the arrays. */
		if (!dns_name_in_zone(s->owner, zone) || s->n_rdata == 0 ||
		    s->rdata != &r.rdata[n] || (i > 0 && s->section < r.rrsets[i - 1].section))
			__builtin_trap();
		n += s->n_rdata;
		if (n > r.n_rdata)
			__builtin_trap();
	}
	if (r.verdict >= CP_RESP_LAME && r.n_rrsets != 0)
		__builtin_trap();
	return 0;
}
