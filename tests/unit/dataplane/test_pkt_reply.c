/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of reply headers (dataplane/dp_pkt.c): turning a query around, the peer it is
 * sent to, reason names, and dp_csum.h against the reference sums at every length and
 * alignment.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "pkt_harness.h"

/* ---- Replies ---- */

/* The reply in @p r (length @p rlen) answers the query in @p q: everything turned around. */
static void
assert_reply(const struct t_frame *q, const struct t_spec *qs, const uint8_t *r, uint16_t rlen,
             const struct dp_pkt_info *ri, uint16_t dns_len, bool udp_csum)
{
	uint8_t ipver = qs->ipver;
	uint16_t l3 = q->l3, l4 = (uint16_t)(l3 + (ipver == 4 ? 20 : 40));
	const uint8_t *ip = r + l3;
	struct dp_service cs = svc_client();
	struct dp_pkt_info info;
	enum dp_pkt_reason reason;

	cr_assert_eq(ri->l4_off, l4);
	cr_assert_eq(rlen, l4 + 8 + dns_len, "reply length %u, want %u", rlen, l4 + 8 + dns_len);
	cr_assert_eq(memcmp(r, T_CMAC, 6), 0, "destination MAC is not the client's");
	cr_assert_eq(memcmp(r + 6, T_SMAC, 6), 0, "source MAC is not the server's");
	cr_assert_eq(memcmp(r + 12, q->b + 12, l3 - 12), 0, "VLAN tag or ethertype changed");
	if (ipver == 4) {
		cr_assert_eq(ip[0], 0x45);
		cr_assert_eq(ip[1], qs->tos & 0xfc, "TOS %#x: DSCP kept, ECN cleared", ip[1]);
		cr_assert_eq(get16(ip + 2), 20 + 8 + dns_len);
		cr_assert_eq(get16(ip + 6) & 0x3fff, 0, "reply is a fragment");
		cr_assert_eq(ip[8], DP_PKT_REPLY_TTL);
		cr_assert_eq(ip[9], 17);
		cr_assert_eq(memcmp(ip + 12, T_SV4, 4), 0);
		cr_assert_eq(memcmp(ip + 16, T_CV4, 4), 0);
	} else {
		cr_assert_eq(ip[0] >> 4, 6);
		cr_assert_eq((ip[0] << 4 | ip[1] >> 4) & 0xff, qs->tos & 0xfc,
		             "traffic class: DSCP kept, ECN cleared");
		cr_assert_eq(get16(ip + 4), 8 + dns_len);
		cr_assert_eq(ip[6], 17);
		cr_assert_eq(ip[7], DP_PKT_REPLY_TTL);
		cr_assert_eq(memcmp(ip + 8, T_SV6, 16), 0);
		cr_assert_eq(memcmp(ip + 24, T_CV6, 16), 0);
	}
	cr_assert_eq(get16(r + l4), T_SPORT);
	cr_assert_eq(get16(r + l4 + 2), T_CPORT);
	cr_assert_eq(get16(r + l4 + 4), 8 + dns_len);
	assert_csums(r, ipver, l3, l4, udp_csum || ipver == 6);

	/* As the client sees it: DNS to it, with every checksum right. */
	cr_assert_eq(cls(r, rlen, &cs, true, &info, &reason), DP_PKT_DNS, "reply: %s",
	             dp_pkt_reason_name(reason));
	cr_assert_eq(info.dns_off, ri->dns_off);
	cr_assert_eq(info.dns_len, dns_len);
}

/* Turn @p s's query around with a reply of @p dns_len octets; checks it and returns it. */
static struct t_frame *
turn(const struct t_spec *s, uint16_t dns_len, bool udp_csum, struct dp_pkt_info *info_out)
{
	struct t_frame *f = mk(s);
	struct t_frame *q = mk(s);
	struct dp_service sv = svc();
	struct dp_pkt_info info;
	enum dp_pkt_reason r;

	cr_assert_eq(dp_pkt_classify(f->b, f->len, &sv, DP_PKT_CHECK_ALL, &info, &r), DP_PKT_DNS);
	dp_pkt_strip_ipv4_options(f->b, &info);
	for (uint16_t i = 0; i < dns_len; i++)
		f->b[info.dns_off + i] = (uint8_t)(i * 7 + dns_len);
	f->len = dp_pkt_turn_around(f->b, &info, dns_len, udp_csum);
	assert_reply(q, s, f->b, f->len, &info, dns_len, udp_csum);
	free(q);
	if (info_out != NULL)
		*info_out = info;
	return f;
}

/* Nobody can be answered at a multicast or broadcast source: such "queries" only reflect. */
Test(dp_pkt, queries_from_sources_that_cannot_ask_are_dropped)
{
	static const uint8_t bad4[][4] = {
		{ 0, 0, 0, 0 }, { 0, 1, 2, 3 }, { 224, 0, 0, 251 }, { 239, 255, 255, 250 },
		{ 240, 0, 0, 1 }, { 255, 255, 255, 255 },
	};
	static const uint8_t bad6[][16] = {
		{ 0 },
		{ 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfb },
	};

	for (unsigned i = 0; i < sizeof(bad4) / sizeof(bad4[0]); i++) {
		struct t_spec s = t_v4();
		memcpy(s.src, bad4[i], 4);
		struct t_frame *f = mk(&s);
		expect(f, DP_PKT_DROP, DP_PKT_R_BAD_SRC);
		free(f);
	}
	for (unsigned i = 0; i < sizeof(bad6) / sizeof(bad6[0]); i++) {
		struct t_spec s = t_v6();
		memcpy(s.src, bad6[i], 16);
		struct t_frame *f = mk(&s);
		expect(f, DP_PKT_DROP, DP_PKT_R_BAD_SRC);
		free(f);
	}
	for (uint8_t ipver = 4; ipver <= 6; ipver += 2) {
		struct t_spec s = ipver == 4 ? t_v4() : t_v6();
		struct t_frame *f = mk(&s);
		f->b[6] |= 0x01; /* group bit of the source MAC */
		expect(f, DP_PKT_DROP, DP_PKT_R_BAD_SRC);
		f->b[6] &= (uint8_t)~0x01;
		expect_dns(f, ipver, NULL);
		f->b[0] |= 0x01; /* to a group MAC: not ours, whatever the IP says */
		expect(f, DP_PKT_KERNEL, DP_PKT_R_NOT_SERVICE);
		free(f);
	}
}

/* IPv4 replies are atomic datagrams (RFC 6864, RFC 8085 3.2): DF set, never fragmented. */
Test(dp_pkt, ipv4_replies_set_df)
{
	struct t_spec s = t_v4();
	struct t_frame *f = mk(&s);
	struct dp_service svc_ = svc();
	struct dp_pkt_peer peer;
	struct dp_pkt_info info;
	enum dp_pkt_reason r;
	uint8_t built[T_BUF];

	s.frag = 0; /* a query without DF still gets a reply with it */
	free(f);
	f = mk(&s);
	cr_assert_eq(dp_pkt_classify(f->b, f->len, &svc_, DP_PKT_CHECK_ALL, &info, &r), DP_PKT_DNS);
	dp_pkt_peer_from_query(f->b, &info, &peer);
	(void)dp_pkt_turn_around(f->b, &info, info.dns_len, true);
	cr_assert_eq(get16(f->b + info.l3_off + 6), 0x4000);
	memset(built, 0, sizeof(built));
	dp_pkt_write_headers(built, &peer, &info);
	(void)dp_pkt_finish(built, &info, 0, true);
	cr_assert_eq(get16(built + info.l3_off + 6), 0x4000);
	free(f);
}

Test(dp_pkt, turn_around_swaps_and_sums)
{
	const uint16_t lens[] = { 0, 1, 12, sizeof(T_QUERY), 100, 511, 1232, 1400 };

	for (uint8_t ipver = 4; ipver <= 6; ipver += 2) {
		for (int vlan = 0; vlan <= 2; vlan++) {
			for (unsigned i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
				for (int sw = 0; sw <= 1; sw++) {
					struct t_spec s = ipver == 4 ? t_v4() : t_v6();

					s.tpid = vlan == 1 ? T_VLAN : vlan == 2 ? T_QINQ : 0;
					s.tci = T_TCI;
					free(turn(&s, lens[i], sw, NULL));
				}
			}
		}
	}
}

Test(dp_pkt, turn_around_after_stripping_options)
{
	for (uint8_t ihl = 6; ihl <= 15; ihl++) {
		for (int sw = 0; sw <= 1; sw++) {
			struct t_spec s = t_v4();

			s.ihl = ihl;
			s.tpid = ihl & 1 ? T_VLAN : 0;
			free(turn(&s, 300, sw, NULL));
		}
	}
}

Test(dp_pkt, turn_around_clears_ecn_keeps_dscp)
{
	const uint8_t tos[] = { 0x00, 0x01, 0x02, 0x03, 0xb8, 0xbb, 0x2d };

	for (unsigned i = 0; i < sizeof(tos); i++) {
		for (uint8_t ipver = 4; ipver <= 6; ipver += 2) {
			struct t_spec s = ipver == 4 ? t_v4() : t_v6();

			s.tos = tos[i];
			free(turn(&s, 64, true, NULL));
		}
	}
}

Test(dp_pkt, turn_around_sends_ffff_not_zero)
{
	for (uint8_t ipver = 4; ipver <= 6; ipver += 2) {
		struct t_spec s = ipver == 4 ? t_v4() : t_v6();
		struct t_frame *f = mk(&s);
		struct dp_service sv = svc();
		struct dp_pkt_info info;
		enum dp_pkt_reason r;
		uint16_t dns_len = 40, len;
		uint8_t *w;

		cr_assert_eq(dp_pkt_classify(f->b, f->len, &sv, DP_PKT_CHECK_ALL, &info, &r), DP_PKT_DNS);
		memset(f->b + info.dns_off, 0xa5, dns_len);
		len = dp_pkt_turn_around(f->b, &info, dns_len, true);
		/* Choose the last payload word so that the sum comes out 0, and redo it. */
		w = f->b + info.dns_off + dns_len - 2;
		put16(w, 0);
		put16(f->b + info.l4_off + 6, 0);
		put16(w, ref_udp(f->b, ipver, info.l3_off, info.l4_off, 8 + dns_len));
		cr_assert_eq(ref_udp_store(f->b, ipver, info.l3_off, info.l4_off, 8 + dns_len),
		             0xffff);
		cr_assert_eq(dp_pkt_finish(f->b, &info, dns_len, true), len);
		cr_assert_eq(get16(f->b + info.l4_off + 6), 0xffff, "UDP checksum %#x",
		             get16(f->b + info.l4_off + 6));
		assert_csums(f->b, ipver, info.l3_off, info.l4_off, true);
		free(f);
	}
}

Test(dp_pkt, peer_from_query_fields)
{
	for (uint8_t ipver = 4; ipver <= 6; ipver += 2) {
		for (int vlan = 0; vlan <= 2; vlan++) {
			struct t_spec s = ipver == 4 ? t_v4() : t_v6();
			struct t_frame *f;
			struct dp_pkt_info info;
			struct dp_pkt_peer p;
			uint8_t zero[16] = { 0 };

			s.tpid = vlan == 1 ? T_VLAN : vlan == 2 ? T_QINQ : 0;
			s.tci = T_TCI;
			s.ihl = 7;
			f = mk(&s);
			expect_dns(f, ipver, &info);
			memset(&p, 0xee, sizeof(p));
			dp_pkt_peer_from_query(f->b, &info, &p);
			cr_assert_eq(memcmp(p.client_mac, T_CMAC, 6), 0);
			cr_assert_eq(memcmp(p.server_mac, T_SMAC, 6), 0);
			cr_assert_eq(p.has_vlan, vlan != 0);
			cr_assert_eq(p.vlan_tpid, vlan ? s.tpid : 0);
			cr_assert_eq(p.vlan_tci, vlan ? T_TCI : 0);
			cr_assert_eq(p.ipver, ipver);
			cr_assert_eq(p.client_port, T_CPORT);
			cr_assert_eq(p.server_port, T_SPORT);
			if (ipver == 4) {
				cr_assert_eq(memcmp(p.client_ip, T_CV4, 4), 0);
				cr_assert_eq(memcmp(p.server_ip, T_SV4, 4), 0);
				cr_assert_eq(memcmp(p.client_ip + 4, zero, 12), 0);
				cr_assert_eq(memcmp(p.server_ip + 4, zero, 12), 0);
			} else {
				cr_assert_eq(memcmp(p.client_ip, T_CV6, 16), 0);
				cr_assert_eq(memcmp(p.server_ip, T_SV6, 16), 0);
			}
			/* The same after stripping options (the worker strips first). */
			struct dp_pkt_peer p2;
			memset(&p2, 0xee, sizeof(p2));
			dp_pkt_strip_ipv4_options(f->b, &info);
			dp_pkt_peer_from_query(f->b, &info, &p2);
			cr_assert_eq(memcmp(&p, &p2, sizeof(p)), 0);
			free(f);
		}
	}
}

Test(dp_pkt, write_headers_equals_turn_around)
{
	for (uint8_t ipver = 4; ipver <= 6; ipver += 2) {
		for (int vlan = 0; vlan <= 2; vlan++) {
			for (int opts = 0; opts <= 1; opts++) {
				for (int sw = 0; sw <= 1; sw++) {
					struct t_spec s = ipver == 4 ? t_v4() : t_v6();
					struct t_frame *q, *t, *w;
					struct dp_pkt_info qi, ti, wi;
					struct dp_pkt_peer p;
					enum dp_pkt_reason r;
					struct dp_service sv = svc();
					uint16_t dns_len = 77, wlen;

					/* The fields a reply built from a peer cannot know. */
					s.id = 0;
					s.frag = 0;
					s.flow = 0;
					s.tos = 0;
					s.ihl = opts ? 9 : 5;
					s.tpid = vlan == 1 ? T_VLAN : vlan == 2 ? T_QINQ : 0;
					s.tci = T_TCI;
					q = mk(&s);
					cr_assert_eq(cls(q->b, q->len, &sv, true, &qi, &r),
					             DP_PKT_DNS);
					dp_pkt_peer_from_query(q->b, &qi, &p);
					free(q);

					t = turn(&s, dns_len, sw, &ti);
					w = calloc(1, sizeof(*w));
					cr_assert_not_null(w);
					memset(w->b, 0x5c, sizeof(w->b));
					dp_pkt_write_headers(w->b, &p, &wi);
					cr_assert_eq(wi.l3_off, ti.l3_off);
					cr_assert_eq(wi.l4_off, ti.l4_off);
					cr_assert_eq(wi.dns_off, ti.dns_off);
					cr_assert_eq(wi.ipver, ipver);
					cr_assert_eq(wi.ihl_extra, 0);
					memcpy(w->b + wi.dns_off, t->b + ti.dns_off, dns_len);
					wlen = dp_pkt_finish(w->b, &wi, dns_len, sw);
					cr_assert_eq(wlen, t->len);
					for (uint16_t i = 0; i < wlen; i++)
						cr_assert_eq(
							w->b[i], t->b[i],
							"IPv%u vlan %d opts %d sw %d: octet %u "
							"%#x, turned around %#x",
							ipver, vlan, opts, sw, i, w->b[i], t->b[i]);
					free(t);
					free(w);
				}
			}
		}
	}
}

Test(dp_pkt, reason_names)
{
	for (int r = 0; r < DP_PKT_R_COUNT; r++) {
		const char *n = dp_pkt_reason_name((enum dp_pkt_reason)r);

		cr_assert_not_null(n);
		cr_assert_neq(strcmp(n, "unknown"), 0, "reason %d has no name", r);
		for (int o = 0; o < r; o++)
			cr_assert_neq(strcmp(n, dp_pkt_reason_name((enum dp_pkt_reason)o)), 0);
	}
	cr_assert_str_eq(dp_pkt_reason_name(DP_PKT_R_OK), "ok");
	cr_assert_str_eq(dp_pkt_reason_name(DP_PKT_R_COUNT), "unknown");
}

/* ---- dp_csum.h against the reference, at every length and alignment ---- */

Test(dp_pkt, csum_matches_reference)
{
	static uint8_t buf[1600 + 8];
	uint32_t x = 0x12345678;

	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	for (size_t align = 0; align < 8; align++) {
		for (size_t n = 0; n <= 1600; n += n < 80 ? 1 : 61) {
			uint16_t want = ref_fold(ref_add(0, buf + align, n));
			uint16_t got = dp_csum_fold(dp_csum_add(0, buf + align, n));

			/* dp_csum stores in memory order; read it back as a number. */
			uint8_t b[2];
			memcpy(b, &got, 2);
			cr_assert_eq(get16(b), want, "len %zu at +%zu: %#x, want %#x", n, align,
			             get16(b), want);
		}
	}
	/* Chained even-length pieces sum as one. */
	for (size_t cut = 0; cut <= 200; cut += 2) {
		uint64_t s = dp_csum_add(dp_csum_add(0, buf + 3, cut), buf + 3 + cut, 200 - cut);
		cr_assert_eq(dp_csum_fold(s), dp_csum_fold(dp_csum_add(0, buf + 3, 200)));
	}
	/* All ones: the 64-bit accumulator carries on every word. */
	memset(buf, 0xff, sizeof(buf));
	for (size_t n = 0; n <= 1600; n += 2) {
		uint16_t got = dp_csum_fold(dp_csum_add(0, buf, n));
		cr_assert_eq(got, n == 0 ? 0xffff : 0, "len %zu of 0xff: %#x", n, got);
	}
}
