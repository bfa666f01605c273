/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of frame classification (dataplane/dp_pkt.c): what is DNS for the service and
 * what goes to the kernel. Frames come from pkt_harness.c; every frame handed to
 * dp_pkt_classify() is an exact-size heap copy, so ASan sees a read one byte past the end.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "pkt_harness.h"

/* ---- Classification ---- */

Test(dp_pkt, ipv4_query_is_dns)
{
	struct t_spec s = t_v4();
	struct t_frame *f = mk(&s);
	struct dp_pkt_info info;

	assert_csums(f->b, 4, f->l3, f->l4, true);
	expect_dns(f, 4, &info);
	cr_assert_eq(info.l3_off, 14);
	cr_assert_eq(info.l4_off, 34);
	cr_assert_eq(info.dns_off, 42);
	cr_assert_eq(info.dns_len, sizeof(T_QUERY));
	cr_assert_eq(memcmp(f->b + info.dns_off, T_QUERY, sizeof(T_QUERY)), 0);
	free(f);
}

Test(dp_pkt, ipv6_query_is_dns)
{
	struct t_spec s = t_v6();
	struct t_frame *f = mk(&s);
	struct dp_pkt_info info;

	assert_csums(f->b, 6, f->l3, f->l4, true);
	expect_dns(f, 6, &info);
	cr_assert_eq(info.l3_off, 14);
	cr_assert_eq(info.l4_off, 54);
	cr_assert_eq(info.dns_off, 62);
	cr_assert_eq(info.dns_len, sizeof(T_QUERY));
	free(f);
}

Test(dp_pkt, vlan_tagged_queries_are_dns)
{
	const uint16_t tpids[] = { T_VLAN, T_QINQ };

	for (unsigned i = 0; i < 2; i++) {
		for (uint8_t ipver = 4; ipver <= 6; ipver += 2) {
			struct t_spec s = ipver == 4 ? t_v4() : t_v6();
			struct t_frame *f;
			struct dp_pkt_info info;

			s.tpid = tpids[i];
			s.tci = T_TCI;
			f = mk(&s);
			expect_dns(f, ipver, &info);
			cr_assert_eq(info.l3_off, 18);
			cr_assert_eq(info.l4_off, ipver == 4 ? 38 : 58);
			free(f);
		}
	}
}

Test(dp_pkt, two_vlan_tags_go_to_the_kernel)
{
	struct t_spec s = t_v4();
	struct t_frame *f;

	s.tpid = T_QINQ;
	s.tci = T_TCI;
	s.tpid2 = T_VLAN;
	f = mk(&s);
	expect(f, DP_PKT_KERNEL, DP_PKT_R_NOT_IP);
	free(f);
}

Test(dp_pkt, queries_with_ethernet_padding_are_dns)
{
	for (uint8_t ipver = 4; ipver <= 6; ipver += 2) {
		struct t_spec s = ipver == 4 ? t_v4() : t_v6();
		struct t_frame *f;

		s.payload_len = 12; /* a bare header: 54 octets of IPv4, padded to 60 */
		s.pad = ipver == 4 ? 6 : 4;
		f = mk(&s);
		expect_dns(f, ipver, NULL);
		free(f);
	}
}

Test(dp_pkt, ipv4_options_are_classified_and_stripped)
{
	for (uint8_t ihl = 5; ihl <= 15; ihl++) {
		for (int vlan = 0; vlan <= 1; vlan++) {
			struct t_spec s = t_v4();
			struct t_frame *f;
			struct dp_pkt_info info;
			uint8_t udp[8 + sizeof(T_QUERY)];
			uint16_t extra = (uint16_t)((ihl - 5) * 4);

			s.ihl = ihl;
			s.tpid = vlan ? T_VLAN : 0;
			f = mk(&s);
			assert_csums(f->b, 4, f->l3, f->l4, true);
			expect_dns(f, 4, &info);
			cr_assert_eq(info.ihl_extra, extra);
			cr_assert_eq(info.l4_off, f->l3 + 20 + extra);
			memcpy(udp, f->b + f->l4, sizeof(udp));

			dp_pkt_strip_ipv4_options(f->b, &info);
			cr_assert_eq(info.ihl_extra, 0);
			cr_assert_eq(info.l3_off, f->l3);
			cr_assert_eq(info.l4_off, f->l3 + 20, "ihl %u: l4_off %u", ihl,
			             info.l4_off);
			cr_assert_eq(info.dns_off, info.l4_off + 8);
			cr_assert_eq(info.dns_len, sizeof(T_QUERY));
			cr_assert_eq(f->b[f->l3], 0x45);
			cr_assert_eq(memcmp(f->b + info.l4_off, udp, sizeof(udp)), 0,
			             "ihl %u: UDP header and payload not moved intact", ihl);
			/* Addresses and the rest of the fixed header stay where they were. */
			cr_assert_eq(memcmp(f->b + f->l3 + 12, T_CV4, 4), 0);
			cr_assert_eq(memcmp(f->b + f->l3 + 16, T_SV4, 4), 0);
			free(f);
		}
	}
}

Test(dp_pkt, not_a_service_address_or_port)
{
	for (uint8_t ipver = 4; ipver <= 6; ipver += 2) {
		struct t_spec base = ipver == 4 ? t_v4() : t_v6();
		struct t_spec s;
		struct t_frame *f;

		s = base; /* another destination address */
		memcpy(s.dst, ipver == 4 ? T_NONE4 : T_NONE6, ipver == 4 ? 4 : 16);
		f = mk(&s);
		expect(f, DP_PKT_KERNEL, DP_PKT_R_NOT_SERVICE);
		free(f);

		s = base; /* another destination port */
		s.dport = 5353;
		f = mk(&s);
		expect(f, DP_PKT_KERNEL, DP_PKT_R_NOT_SERVICE);
		free(f);

		s = base; /* from port 53, to another: a reply to someone else's query */
		s.sport = T_SPORT;
		s.dport = T_CPORT;
		f = mk(&s);
		expect(f, DP_PKT_KERNEL, DP_PKT_R_NOT_SERVICE);
		free(f);

		s = base; /* from a service address, to the client: our own reply */
		memcpy(s.src, base.dst, 16);
		memcpy(s.dst, base.src, 16);
		f = mk(&s);
		expect(f, DP_PKT_KERNEL, DP_PKT_R_NOT_SERVICE);
		free(f);
	}
}

Test(dp_pkt, empty_service_matches_nothing)
{
	struct dp_service none;

	memset(&none, 0, sizeof(none));
	none.port = T_SPORT;
	for (uint8_t ipver = 4; ipver <= 6; ipver += 2) {
		struct t_spec s = ipver == 4 ? t_v4() : t_v6();
		struct t_frame *f = mk(&s);
		struct dp_pkt_info info;
		enum dp_pkt_reason r;

		cr_assert_eq(cls(f->b, f->len, &none, true, &info, &r), DP_PKT_KERNEL);
		cr_assert_eq(r, DP_PKT_R_NOT_SERVICE);
		free(f);
	}
}

Test(dp_pkt, other_protocols_go_to_the_kernel)
{
	struct t_spec s;
	struct t_frame *f;

	s = t_v4();
	s.proto = T_TCP;
	f = mk(&s);
	expect(f, DP_PKT_KERNEL, DP_PKT_R_NOT_UDP);
	free(f);

	s = t_v4();
	s.proto = T_ICMP;
	f = mk(&s);
	expect(f, DP_PKT_KERNEL, DP_PKT_R_NOT_UDP);
	free(f);

	s = t_v6();
	s.proto = T_TCP;
	f = mk(&s);
	expect(f, DP_PKT_KERNEL, DP_PKT_R_NOT_UDP);
	free(f);

	s = t_v6();
	s.proto = T_ICMP6; /* NDP among them */
	f = mk(&s);
	expect(f, DP_PKT_KERNEL, DP_PKT_R_NOT_UDP);
	free(f);

	s = t_v6();
	s.proto = 59; /* no next header */
	f = mk(&s);
	expect(f, DP_PKT_KERNEL, DP_PKT_R_NOT_UDP);
	free(f);
}

Test(dp_pkt, non_ip_goes_to_the_kernel)
{
	/* ARP request, padded to 60, untagged and tagged; LLDP. */
	const uint16_t types[] = { 0x0806, 0x0806, 0x88cc, 0x8035 };

	for (unsigned i = 0; i < 4; i++) {
		struct t_frame *f = calloc(1, sizeof(*f));
		uint16_t off = 12;

		cr_assert_not_null(f);
		memset(f->b, 0xff, 6);
		memcpy(f->b + 6, T_CMAC, 6);
		if (i == 1) {
			put16(f->b + off, T_VLAN);
			put16(f->b + off + 2, T_TCI);
			off += 4;
		}
		put16(f->b + off, types[i]);
		put16(f->b + off + 2, 1); /* htype Ethernet, ptype IPv4, ... */
		put16(f->b + off + 4, 0x0800);
		f->len = 60;
		expect(f, DP_PKT_KERNEL, DP_PKT_R_NOT_IP);
		f->len = (uint16_t)(off + 2); /* the bare Ethernet header */
		expect(f, DP_PKT_KERNEL, DP_PKT_R_NOT_IP);
		free(f);
	}
}

Test(dp_pkt, ipv6_extension_headers_go_to_the_kernel)
{
	/* Hop-by-hop, routing, fragment, destination options, AH, ESP, mobility, HIP, shim6. */
	const uint8_t ext[] = { 0, 43, 44, 60, 51, 50, 135, 139, 140 };

	for (unsigned i = 0; i < sizeof(ext); i++) {
		struct t_spec s = t_v6();
		struct t_frame *f;

		s.n_ext = 1;
		s.ext[0] = ext[i];
		f = mk(&s);
		expect(f, DP_PKT_KERNEL, DP_PKT_R_IPV6_EXT);
		free(f);
	}
	/* A chain: hop-by-hop, destination options, fragment, then UDP. */
	struct t_spec s = t_v6();
	struct t_frame *f;

	s.n_ext = 3;
	s.ext[0] = 0;
	s.ext[1] = 60;
	s.ext[2] = 44;
	f = mk(&s);
	expect(f, DP_PKT_KERNEL, DP_PKT_R_IPV6_EXT);
	free(f);
}

Test(dp_pkt, ipv4_fragments_go_to_the_kernel)
{
	/* First fragment (MF), a middle one, the last one (offset, no MF); evil bit set too. */
	const uint16_t frags[] = { 0x2000, 0x2000 | 185, 185, 0x1fff, 0x8000 | 0x2000 };

	for (unsigned i = 0; i < sizeof(frags) / sizeof(frags[0]); i++) {
		struct t_spec s = t_v4();
		struct t_frame *f;

		s.frag = frags[i];
		f = mk(&s);
		expect(f, DP_PKT_KERNEL, DP_PKT_R_FRAGMENT);
		free(f);
	}
	/* DF alone, or nothing, is a whole datagram. */
	for (uint16_t frag = 0; frag <= 0x4000; frag += 0x4000) {
		struct t_spec s = t_v4();
		struct t_frame *f;

		s.frag = frag;
		f = mk(&s);
		expect_dns(f, 4, NULL);
		free(f);
	}
}
