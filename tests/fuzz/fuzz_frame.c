/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer target: frame classification, and the reply a DNS frame is turned into. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dp_pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Service 192.0.2.53 and 2001:db8::53 port 53 (as make-corpus.py's frames); or the client. */
static void
service(struct dp_service *s, uint16_t port, const uint8_t *v4, const uint8_t *v6)
{
	memset(s, 0, sizeof(*s));
	s->port = port;
	s->n_v4 = s->n_v6 = 1;
	memcpy(&s->v4[0], v4, 4);
	memcpy(s->v6[0], v6, 16);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x53 };
	static uint8_t f[UINT16_MAX], g[UINT16_MAX];
	struct dp_service svc, back;
	struct dp_pkt_info qi, ri, wi;
	struct dp_pkt_peer peer, mirror, rp;
	enum dp_pkt_reason r;
	uint16_t dns_off;

	if (size > UINT16_MAX)
		return 0;
	service(&svc, 53, (const uint8_t *)"\xc0\x00\x02\x35", v6);
	for (unsigned checks = 0; checks <= DP_PKT_CHECK_ALL; checks++) {
		if (dp_pkt_classify(data, (uint16_t)size, &svc, checks, &qi, &r) != DP_PKT_DNS)
			continue;
		dns_off = qi.dns_off;
		if (r != DP_PKT_R_OK || qi.l3_off >= qi.l4_off || qi.dns_off != qi.l4_off + 8 ||
		    (size_t)qi.dns_off + qi.dns_len > size)
			__builtin_trap();
		/* The reply carries the query's own payload, so the copy has room for it. */
		memcpy(f, data, size);
		dp_pkt_peer_from_query(f, &qi, &peer);
		dp_pkt_strip_ipv4_options(f, &qi);
		uint16_t n = dp_pkt_turn_around(f, &qi, qi.dns_len, true);
		service(&back, peer.client_port, peer.client_ip, peer.client_ip);
		if (n > size || dp_pkt_classify(f, n, &back, DP_PKT_CHECK_ALL, &ri, &r) != DP_PKT_DNS ||
		    ri.dns_off != qi.dns_off || ri.dns_len != qi.dns_len ||
		    memcmp(f + ri.dns_off, data + dns_off, qi.dns_len) != 0 ||
		    (f[ri.l4_off + 6] | f[ri.l4_off + 7]) == 0)
			__builtin_trap();
		/* Seen from the reply, the peer is the query's with both ends swapped. */
		mirror = peer;
		memcpy(mirror.client_mac, peer.server_mac, 6);
		memcpy(mirror.server_mac, peer.client_mac, 6);
		memcpy(mirror.client_ip, peer.server_ip, 16);
		memcpy(mirror.server_ip, peer.client_ip, 16);
		mirror.client_port = peer.server_port;
		mirror.server_port = peer.client_port;
		dp_pkt_peer_from_query(f, &ri, &rp);
		if (memcmp(&rp, &mirror, sizeof(rp)) != 0)
			__builtin_trap();
		/* Built from the peer, the reply differs only in IP fields a peer does not hold. */
		dp_pkt_write_headers(g, &peer, &wi);
		memcpy(g + wi.dns_off, data + dns_off, qi.dns_len);
		if (dp_pkt_finish(g, &wi, qi.dns_len, true) != n || wi.l3_off != ri.l3_off ||
		    wi.dns_off != ri.dns_off || memcmp(g, f, wi.l3_off) != 0 ||
		    memcmp(g + wi.l4_off, f + wi.l4_off, n - wi.l4_off) ||
		    dp_pkt_classify(g, n, &back, DP_PKT_CHECK_ALL, &ri, &r) != DP_PKT_DNS)
			__builtin_trap();
	}
	return 0;
}
