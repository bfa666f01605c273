/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of what dp_pkt_classify() drops (dataplane/dp_pkt.c): truncated frames, bad IP
 * and UDP headers, bad checksums when they are verified, and the checksum values accepted.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "pkt_harness.h"

/*
 * Every prefix of a DNS frame: a crash or a read past the copy fails under ASan;
 * a prefix is DNS only when it still holds the whole IP packet (the frame had
 * Ethernet padding), and otherwise it is dropped as a runt or a bad IP length.
 */
static void
check_truncations(const struct t_spec *s)
{
	struct t_frame *f = mk(s);
	struct dp_service sv = svc();
	uint16_t ip_end = (uint16_t)(f->dns + s->payload_len);

	for (uint16_t n = 0; n <= f->len; n++) {
		for (int verify = 0; verify <= 1; verify++) {
			struct dp_pkt_info info;
			enum dp_pkt_reason r;
			enum dp_pkt_verdict v = cls(f->b, n, &sv, verify, &info, &r);

			if (n >= ip_end) {
				cr_assert_eq(v, DP_PKT_DNS, "len %u of %u: verdict %d (%s)", n,
				             f->len, v, dp_pkt_reason_name(r));
				cr_assert_leq(info.dns_off + info.dns_len, n);
				continue;
			}
			cr_assert_eq(v, DP_PKT_DROP,
			             "len %u of %u (IP ends at %u): verdict %d (%s)", n, f->len,
			             ip_end, v, dp_pkt_reason_name(r));
			cr_assert(r == DP_PKT_R_RUNT || r == DP_PKT_R_BAD_IP, "len %u: reason %s",
			          n, dp_pkt_reason_name(r));
			if (n < f->l3)
				cr_assert_eq(r, DP_PKT_R_RUNT, "len %u: reason %s", n,
				             dp_pkt_reason_name(r));
		}
	}
	free(f);
}

Test(dp_pkt, every_truncation_is_dropped)
{
	for (uint8_t ipver = 4; ipver <= 6; ipver += 2) {
		for (int vlan = 0; vlan <= 1; vlan++) {
			struct t_spec s = ipver == 4 ? t_v4() : t_v6();

			s.tpid = vlan ? T_QINQ : 0;
			check_truncations(&s);
			s.payload_len = 12;
			s.pad = 8;
			check_truncations(&s);
			if (ipver == 4) {
				s = t_v4();
				s.tpid = vlan ? T_VLAN : 0;
				s.ihl = 15;
				check_truncations(&s);
			}
		}
	}
}

Test(dp_pkt, bad_ipv4_headers_are_dropped)
{
	for (uint8_t ihl = 0; ihl < 5; ihl++) {
		struct t_spec s = t_v4();
		struct t_frame *f = mk(&s);

		f->b[f->l3] = (uint8_t)(0x40 | ihl);
		fix_csums(f, 4);
		expect(f, DP_PKT_DROP, DP_PKT_R_BAD_IP);
		free(f);
	}

	struct t_spec s = t_v4();
	struct t_frame *f = mk(&s);
	uint8_t *ip = f->b + f->l3;

	ip[0] = 0x65; /* IPv6 version behind the IPv4 ethertype */
	expect(f, DP_PKT_DROP, DP_PKT_R_BAD_IP);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(f->len - f->l3 + 1)); /* total length beyond the frame */
	fix_csums(f, 4);
	expect(f, DP_PKT_DROP, DP_PKT_R_BAD_IP);
	put16(ip + 2, 19); /* total length below the header */
	fix_csums(f, 4);
	expect(f, DP_PKT_DROP, DP_PKT_R_BAD_IP);
	ip[0] = 0x4f; /* IHL 60 > total 57 */
	put16(ip + 2, (uint16_t)(20 + 8 + sizeof(T_QUERY)));
	fix_csums(f, 4);
	expect(f, DP_PKT_DROP, DP_PKT_R_BAD_IP);
	ip[0] = 0x45; /* IP payload shorter than a UDP header */
	put16(ip + 2, 27);
	fix_csums(f, 4);
	expect(f, DP_PKT_DROP, DP_PKT_R_RUNT);
	free(f);
}

Test(dp_pkt, bad_ipv6_headers_are_dropped)
{
	struct t_spec s = t_v6();
	struct t_frame *f = mk(&s);
	uint8_t *ip = f->b + f->l3;
	uint16_t plen = get16(ip + 4);

	ip[0] = 0x40 | (ip[0] & 0x0f); /* IPv4 version behind the IPv6 ethertype */
	expect(f, DP_PKT_DROP, DP_PKT_R_BAD_IP);
	ip[0] = 0x60 | (ip[0] & 0x0f);
	put16(ip + 4, (uint16_t)(plen + 1)); /* payload beyond the frame */
	expect(f, DP_PKT_DROP, DP_PKT_R_BAD_IP);
	put16(ip + 4, 0xffff);
	expect(f, DP_PKT_DROP, DP_PKT_R_BAD_IP);
	put16(ip + 4, 7); /* payload shorter than a UDP header */
	expect(f, DP_PKT_DROP, DP_PKT_R_RUNT);
	put16(ip + 4, 0); /* a jumbogram would need a hop-by-hop header */
	expect(f, DP_PKT_DROP, DP_PKT_R_RUNT);
	free(f);
}

Test(dp_pkt, inconsistent_udp_lengths_are_dropped)
{
	for (uint8_t ipver = 4; ipver <= 6; ipver += 2) {
		const uint16_t bad[] = { 0, 1, 7, 8 + sizeof(T_QUERY) + 1, 0xffff };

		for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			struct t_spec s = ipver == 4 ? t_v4() : t_v6();
			struct t_frame *f = mk(&s);

			/* Checked before the checksum, which is left as it was. */
			put16(f->b + f->l4 + 4, bad[i]);
			expect(f, DP_PKT_DROP, DP_PKT_R_BAD_UDP);
			free(f);
		}
	}
}

Test(dp_pkt, udp_shorter_than_ip_payload_is_dns)
{
	/* Some stacks pad inside IP: the UDP length decides where DNS ends. */
	for (uint8_t ipver = 4; ipver <= 6; ipver += 2) {
		struct t_spec s = ipver == 4 ? t_v4() : t_v6();
		struct t_frame *f = mk(&s);
		struct dp_pkt_info info;

		put16(f->b + f->l4 + 4, 8 + 12);
		fix_csums(f, ipver);
		expect_dns(f, ipver, &info);
		cr_assert_eq(info.dns_len, 12);
		free(f);
	}
}

Test(dp_pkt, bad_udp_checksum_is_dropped_when_verified)
{
	for (uint8_t ipver = 4; ipver <= 6; ipver += 2) {
		for (unsigned pos = 0; pos < 8 + sizeof(T_QUERY); pos++) {
			struct t_spec s = ipver == 4 ? t_v4() : t_v6();
			struct t_frame *f;
			struct dp_service sv = svc();
			struct dp_pkt_info info;
			enum dp_pkt_reason r;

			if (pos >= 2 && pos <= 5)
				continue; /* the port and length decide other things first */
			f = mk(&s);
			f->b[f->l4 + pos] ^= 0x10;
			cr_assert_eq(cls(f->b, f->len, &sv, true, &info, &r), DP_PKT_DROP,
			             "IPv%u, octet %u flipped", ipver, pos);
			cr_assert_eq(r, DP_PKT_R_BAD_CSUM);
			cr_assert_eq(cls(f->b, f->len, &sv, false, &info, &r), DP_PKT_DNS);
			free(f);
		}
		/* Flipped addresses change the pseudo-header (the source is not matched). */
		struct t_spec s = ipver == 4 ? t_v4() : t_v6();
		struct t_frame *f = mk(&s);
		struct dp_service sv = svc();
		struct dp_pkt_info info;
		enum dp_pkt_reason r;

		f->b[f->l3 + (ipver == 4 ? 12 : 8)] ^= 0x01;
		if (ipver == 4) /* keep the IPv4 header right, so the UDP sum is what fails */
			put16(f->b + f->l3 + 10, ref_ip4_store(f->b + f->l3));
		cr_assert_eq(cls(f->b, f->len, &sv, true, &info, &r), DP_PKT_DROP);
		cr_assert_eq(r, DP_PKT_R_BAD_CSUM);
		cr_assert_eq(cls(f->b, f->len, &sv, false, &info, &r), DP_PKT_DNS);
		free(f);
	}
}

Test(dp_pkt, ipv4_without_udp_checksum_is_accepted)
{
	struct t_spec s = t_v4();
	struct t_frame *f;

	s.no_udp_csum = true;
	f = mk(&s);
	cr_assert_eq(get16(f->b + f->l4 + 6), 0);
	expect_dns(f, 4, NULL);
	free(f);
}

/*
 * Make the UDP checksum of @p f compute to 0 (so 0xffff goes on the wire) by
 * choosing the last two octets of an even-length payload.
 */
static void
force_zero_udp_csum(struct t_frame *f, uint8_t ipver, uint16_t payload_len)
{
	uint8_t *w = f->b + f->dns + payload_len - 2;
	uint16_t udp_len = (uint16_t)(8 + payload_len);

	cr_assert_eq(payload_len % 2, 0);
	put16(w, 0);
	put16(f->b + f->l4 + 6, 0);
	put16(w, ref_udp(f->b, ipver, f->l3, f->l4, udp_len));
	cr_assert_eq(ref_udp_store(f->b, ipver, f->l3, f->l4, udp_len), 0xffff);
	put16(f->b + f->l4 + 6, 0xffff);
}

Test(dp_pkt, udp_checksum_ffff_is_accepted)
{
	uint8_t payload[30];

	memcpy(payload, T_QUERY, sizeof(T_QUERY));
	payload[29] = 0;
	for (uint8_t ipver = 4; ipver <= 6; ipver += 2) {
		struct t_spec s = ipver == 4 ? t_v4() : t_v6();
		struct t_frame *f;

		s.payload = payload;
		s.payload_len = sizeof(payload);
		f = mk(&s);
		force_zero_udp_csum(f, ipver, sizeof(payload));
		assert_csums(f->b, ipver, f->l3, f->l4, true);
		expect_dns(f, ipver, NULL);
		free(f);
	}
}

Test(dp_pkt, ipv6_udp_checksum_zero_is_dropped_when_verified)
{
	uint8_t payload[30];

	memcpy(payload, T_QUERY, sizeof(T_QUERY));
	payload[29] = 0;
	/* A plain 0, and a 0 where the right checksum is 0xffff (RFC 8200 8.1: discard). */
	for (int forced = 0; forced <= 1; forced++) {
		struct t_spec s = t_v6();
		struct t_frame *f;
		struct dp_service sv = svc();
		struct dp_pkt_info info;
		enum dp_pkt_reason r;

		s.payload = payload;
		s.payload_len = sizeof(payload);
		f = mk(&s);
		if (forced)
			force_zero_udp_csum(f, 6, sizeof(payload));
		put16(f->b + f->l4 + 6, 0);
		cr_assert_eq(cls(f->b, f->len, &sv, true, &info, &r), DP_PKT_DROP,
		             "forced %d: reason %s", forced, dp_pkt_reason_name(r));
		cr_assert_eq(r, DP_PKT_R_BAD_CSUM);
		cr_assert_eq(cls(f->b, f->len, &sv, false, &info, &r), DP_PKT_DNS);
		free(f);
	}
}

Test(dp_pkt, bad_ipv4_header_checksum_is_dropped_when_verified)
{
	for (uint8_t ihl = 5; ihl <= 15; ihl += 10) {
		for (unsigned pos = 0; pos < ihl * 4u; pos++) {
			struct t_spec s = t_v4();
			struct t_frame *f;
			struct dp_service sv = svc();
			struct dp_pkt_info info;
			enum dp_pkt_reason r;

			/* Version, IHL and total length are checked before the sum. */
			if (pos == 0 || pos == 2 || pos == 3)
				continue;
			s.ihl = ihl;
			s.no_udp_csum = true;
			f = mk(&s);
			f->b[f->l3 + pos] ^= 0x04;
			cr_assert_eq(cls(f->b, f->len, &sv, true, &info, &r), DP_PKT_DROP,
			             "ihl %u, octet %u flipped", ihl, pos);
			cr_assert_eq(r, DP_PKT_R_BAD_CSUM);
			free(f);
		}
	}
	struct t_spec s = t_v4();
	struct t_frame *f = mk(&s);
	struct dp_service sv = svc();
	struct dp_pkt_info info;
	enum dp_pkt_reason r;

	f->b[f->l3 + 10] ^= 0xff;
	cr_assert_eq(cls(f->b, f->len, &sv, true, &info, &r), DP_PKT_DROP);
	cr_assert_eq(r, DP_PKT_R_BAD_CSUM);
	cr_assert_eq(cls(f->b, f->len, &sv, false, &info, &r), DP_PKT_DNS);
	free(f);
}

/* A NIC that vouched for UDP only (L4 good, IP unknown): the header is still summed. */
Test(dp_pkt, ipv4_header_checked_when_only_l4_was_verified)
{
	struct t_spec s = t_v4();
	struct t_frame *f = mk(&s);
	struct dp_service sv = svc();
	struct dp_pkt_info info;
	enum dp_pkt_reason r;

	f->b[f->l3 + 10] ^= 0xff;
	cr_assert_eq(dp_pkt_classify(f->b, f->len, &sv, DP_PKT_CHECK_IP4, &info, &r), DP_PKT_DROP);
	cr_assert_eq(r, DP_PKT_R_BAD_CSUM);
	cr_assert_eq(dp_pkt_classify(f->b, f->len, &sv, DP_PKT_CHECK_UDP, &info, &r), DP_PKT_DNS,
	             "the IP sum is the NIC's word here");
	free(f);
}
