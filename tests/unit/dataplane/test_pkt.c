/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of frame classification and reply headers (dataplane/dp_pkt.c, dp_csum.h).
 * Frames are built here with their own RFC 1071 checksum (byte pairs, nothing shared
 * with dp_csum.h) and, when DPDK is there, cross-checked with rte_ip.h's inline sums.
 * Every frame handed to dp_pkt_classify() is an exact-size heap copy, so ASan sees a
 * read one byte past the end.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef T_HAVE_RTE_IP
#include <rte_ip.h>
#endif

#include <criterion/criterion.h>

#include "dp_csum.h"
#include "dp_pkt.h"

#define T_BUF   2048
#define T_SPORT 53
#define T_CPORT 40000
#define T_VLAN  0x8100
#define T_QINQ  0x88a8
#define T_TCI   0x2123 /* PCP 1, VID 0x123 */
#define T_TCP   6
#define T_ICMP  1
#define T_ICMP6 58

static const uint8_t T_SMAC[6] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x53 };
static const uint8_t T_CMAC[6] = { 0x02, 0x00, 0x5e, 0x10, 0x20, 0x07 };
static const uint8_t T_SV4[4] = { 192, 0, 2, 53 };
static const uint8_t T_CV4[4] = { 198, 51, 100, 7 };
static const uint8_t T_OTHER4[4] = { 192, 0, 2, 99 };
static const uint8_t T_SV6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53 };
static const uint8_t T_CV6[16] = {
	0x20, 0x01, 0x0d, 0xb8, 0xff, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 7
};
static const uint8_t T_OTHER6[16] = {
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x99
};
/* In no service list. */
static const uint8_t T_NONE4[4] = { 192, 0, 2, 54 };
static const uint8_t T_NONE6[16] = {
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x54
};

/* example.com A IN, RD: 29 octets, so an odd UDP length. */
static const uint8_t T_QUERY[] = {
	0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,    /* header */
	7,    'e',  'x',  'a',  'm',  'p',  'l',  'e',  3,    'c',  'o',  'm',  0, /* qname */
	0x00, 0x01, 0x00, 0x01,                                                    /* A IN */
};

/* What to build; t_v4() and t_v6() give a well-formed DNS query to the service. */
struct t_spec {
	uint16_t tpid; /* 0: untagged */
	uint16_t tci;
	uint16_t tpid2; /* a second tag inside the first; 0: none */
	uint8_t ipver;
	uint8_t ihl;   /* IPv4 header words, 5..15 */
	uint8_t proto; /* IPv4 protocol, or the IPv6 next header after ext[] */
	uint8_t tos;   /* IPv4 TOS, IPv6 traffic class */
	uint16_t id;   /* IPv4 */
	uint16_t frag; /* IPv4 flags and fragment offset */
	uint32_t flow; /* IPv6 flow label */
	uint8_t ttl;
	uint8_t src[16];
	uint8_t dst[16];
	uint16_t sport;
	uint16_t dport;
	const uint8_t *payload;
	uint16_t payload_len;
	uint16_t pad;     /* zero octets after the IP packet, as Ethernet padding */
	bool no_udp_csum; /* IPv4: leave the UDP checksum 0 */
	uint8_t n_ext;    /* IPv6 extension headers (8 octets each) before proto */
	uint8_t ext[4];
};

/* Where the builder put things. */
struct t_frame {
	uint8_t b[T_BUF];
	uint16_t len;
	uint16_t l3;
	uint16_t l4;
	uint16_t dns;
};

/* ---- Reference checksum: RFC 1071 over big-endian byte pairs, nothing clever. ---- */

static uint32_t
ref_add(uint32_t acc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 2)
		acc += (uint32_t)p[i] << 8 | (i + 1 < n ? p[i + 1] : 0u);
	return acc;
}

/* The checksum as a number (what get16() of the field reads). */
static uint16_t
ref_fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Pseudo-header plus the @p udp_len octets at @p l4, with the checksum field as it is. */
static uint16_t
ref_udp(const uint8_t *f, uint8_t ipver, uint16_t l3, uint16_t l4, uint16_t udp_len)
{
	uint32_t acc;

	if (ipver == 4)
		acc = ref_add(0, f + l3 + 12, 8);
	else
		acc = ref_add(0, f + l3 + 8, 32);
	acc += 17u + udp_len;
	return ref_fold(ref_add(acc, f + l4, udp_len));
}

/* The UDP checksum to store: computed with the field zero, 0 sent as 0xffff. */
static uint16_t
ref_udp_store(const uint8_t *f, uint8_t ipver, uint16_t l3, uint16_t l4, uint16_t udp_len)
{
	uint8_t tmp[T_BUF];
	uint16_t c;

	memcpy(tmp, f, (size_t)l4 + udp_len);
	put16(tmp + l4 + 6, 0);
	c = ref_udp(tmp, ipver, l3, l4, udp_len);
	return c == 0 ? 0xffff : c;
}

static uint16_t
ref_ip4_store(const uint8_t *ip)
{
	uint8_t tmp[60];
	unsigned ihl = (ip[0] & 0x0fu) * 4;

	memcpy(tmp, ip, ihl);
	put16(tmp + 10, 0);
	return ref_fold(ref_add(0, tmp, ihl));
}

#ifdef T_HAVE_RTE_IP
/* DPDK's view of the same sums; its helpers want the checksum fields zero. */
static uint16_t
rte_udp_store(const uint8_t *f, uint8_t ipver, uint16_t l3, uint16_t l4, uint16_t udp_len)
{
	uint8_t tmp[T_BUF];
	uint16_t c;

	memcpy(tmp, f, (size_t)l4 + udp_len);
	put16(tmp + l4 + 6, 0);
	if (ipver == 4)
		c = rte_ipv4_udptcp_cksum((const struct rte_ipv4_hdr *)(const void *)(tmp + l3),
		                          tmp + l4);
	else
		c = rte_ipv6_udptcp_cksum((const struct rte_ipv6_hdr *)(const void *)(tmp + l3),
		                          tmp + l4);
	return rte_be_to_cpu_16(c);
}

static uint16_t
rte_ip4_store(const uint8_t *ip)
{
	uint8_t tmp[60];

	memcpy(tmp, ip, (ip[0] & 0x0fu) * 4);
	put16(tmp + 10, 0);
	return rte_be_to_cpu_16(rte_ipv4_cksum((const struct rte_ipv4_hdr *)(const void *)tmp));
}
#endif

/* The frame's stored checksums are right by the reference (and by DPDK when built with it). */
static void
assert_csums(const uint8_t *f, uint8_t ipver, uint16_t l3, uint16_t l4, bool udp_expected)
{
	const uint8_t *ip = f + l3;
	uint16_t udp_len = get16(f + l4 + 4);
	uint16_t stored = get16(f + l4 + 6);

	if (ipver == 4) {
		cr_assert_eq(get16(ip + 10), ref_ip4_store(ip),
		             "IPv4 header checksum %#x, want %#x", get16(ip + 10),
		             ref_ip4_store(ip));
		cr_assert_eq(ref_fold(ref_add(0, ip, (ip[0] & 0x0fu) * 4)), 0);
#ifdef T_HAVE_RTE_IP
		cr_assert_eq(get16(ip + 10), rte_ip4_store(ip), "rte_ipv4_cksum disagrees");
#endif
	}
	if (!udp_expected) {
		cr_assert_eq(stored, 0, "UDP checksum %#x, want none", stored);
		return;
	}
	cr_assert_neq(stored, 0, "UDP checksum 0 on the wire");
	cr_assert_eq(stored, ref_udp_store(f, ipver, l3, l4, udp_len), "UDP checksum %#x, want %#x",
	             stored, ref_udp_store(f, ipver, l3, l4, udp_len));
	cr_assert_eq(ref_udp(f, ipver, l3, l4, udp_len), 0, "UDP datagram does not sum to 0xffff");
#ifdef T_HAVE_RTE_IP
	cr_assert_eq(stored, rte_udp_store(f, ipver, l3, l4, udp_len),
	             "rte_ipv%u_udptcp_cksum gives %#x, stored %#x", ipver,
	             rte_udp_store(f, ipver, l3, l4, udp_len), stored);
#endif
}

/* ---- Frame builders ---- */

static struct t_spec
t_v4(void)
{
	struct t_spec s = {
		.ipver = 4,
		.ihl = 5,
		.proto = 17,
		.ttl = 61,
		.id = 0xbeef,
		.frag = 0x4000,
		.sport = T_CPORT,
		.dport = T_SPORT,
		.payload = T_QUERY,
		.payload_len = sizeof(T_QUERY),
	};

	memcpy(s.src, T_CV4, 4);
	memcpy(s.dst, T_SV4, 4);
	return s;
}

static struct t_spec
t_v6(void)
{
	struct t_spec s = {
		.ipver = 6,
		.proto = 17,
		.ttl = 57,
		.flow = 0x5a5a5,
		.sport = T_CPORT,
		.dport = T_SPORT,
		.payload = T_QUERY,
		.payload_len = sizeof(T_QUERY),
	};

	memcpy(s.src, T_CV6, 16);
	memcpy(s.dst, T_SV6, 16);
	return s;
}

static void
build(const struct t_spec *s, struct t_frame *f)
{
	uint8_t *b = f->b;
	uint16_t off = 12, udp_len = (uint16_t)(8 + s->payload_len), l4;

	memset(f, 0, sizeof(*f));
	memcpy(b, T_SMAC, 6);
	memcpy(b + 6, T_CMAC, 6);
	if (s->tpid != 0) {
		put16(b + off, s->tpid);
		put16(b + off + 2, s->tci);
		off += 4;
	}
	if (s->tpid2 != 0) {
		put16(b + off, s->tpid2);
		put16(b + off + 2, 7);
		off += 4;
	}
	put16(b + off, s->ipver == 4 ? 0x0800 : 0x86dd);
	f->l3 = (uint16_t)(off + 2);
	uint8_t *ip = b + f->l3;

	if (s->ipver == 4) {
		unsigned ihl = s->ihl * 4u;

		ip[0] = (uint8_t)(0x40 | s->ihl);
		ip[1] = s->tos;
		put16(ip + 2, (uint16_t)(ihl + udp_len));
		put16(ip + 4, s->id);
		put16(ip + 6, s->frag);
		ip[8] = s->ttl;
		ip[9] = s->proto;
		memcpy(ip + 12, s->src, 4);
		memcpy(ip + 16, s->dst, 4);
		/* Options: four NOPs, filler, EOL last; dp_pkt does not parse them. */
		for (unsigned i = 20; i < ihl; i++)
			ip[i] = (uint8_t)(i + 1 < ihl ? (i < 24 ? 1 : 0x40 + i) : 0);
		put16(ip + 10, ref_ip4_store(ip));
		l4 = (uint16_t)(f->l3 + ihl);
	} else {
		uint16_t ext_len = (uint16_t)(8 * s->n_ext);

		ip[0] = (uint8_t)(0x60 | s->tos >> 4);
		ip[1] = (uint8_t)(s->tos << 4 | (s->flow >> 16 & 0x0f));
		put16(ip + 2, (uint16_t)s->flow);
		put16(ip + 4, (uint16_t)(ext_len + udp_len));
		ip[6] = s->n_ext > 0 ? s->ext[0] : s->proto;
		ip[7] = s->ttl;
		memcpy(ip + 8, s->src, 16);
		memcpy(ip + 24, s->dst, 16);
		for (unsigned i = 0; i < s->n_ext; i++) {
			uint8_t *e = ip + 40 + 8 * i;
			memset(e, 0, 8);
			e[0] = i + 1u < s->n_ext ? s->ext[i + 1] : s->proto;
			if (s->ext[i] == 0 || s->ext[i] == 60) {
				e[2] = 1; /* PadN over the rest */
				e[3] = 4;
			}
		}
		l4 = (uint16_t)(f->l3 + 40 + ext_len);
	}
	f->l4 = l4;
	f->dns = (uint16_t)(l4 + 8);
	put16(b + l4, s->sport);
	put16(b + l4 + 2, s->dport);
	put16(b + l4 + 4, udp_len);
	memcpy(b + f->dns, s->payload, s->payload_len);
	if (s->ipver == 6 || !s->no_udp_csum)
		put16(b + l4 + 6, ref_udp_store(b, s->ipver, f->l3, l4, udp_len));
	f->len = (uint16_t)(f->dns + s->payload_len + s->pad);
}

static struct t_frame *
mk(const struct t_spec *s)
{
	struct t_frame *f = malloc(sizeof(*f));

	cr_assert_not_null(f);
	build(s, f);
	return f;
}

/* Recompute the UDP and IPv4 header checksums after a test edited the frame. */
static void
fix_csums(struct t_frame *f, uint8_t ipver)
{
	if (ipver == 4)
		put16(f->b + f->l3 + 10, ref_ip4_store(f->b + f->l3));
	put16(f->b + f->l4 + 6, ref_udp_store(f->b, ipver, f->l3, f->l4, get16(f->b + f->l4 + 4)));
}

static struct dp_service
svc_of(uint16_t port, const uint8_t *v4, const uint8_t *v6)
{
	struct dp_service s;

	memset(&s, 0, sizeof(s));
	s.port = port;
	/* The match is not the first address of either family. */
	memcpy(&s.v4[0], T_OTHER4, 4);
	memcpy(&s.v4[1], v4, 4);
	memcpy(s.v6[0], T_OTHER6, 16);
	memcpy(s.v6[1], v6, 16);
	s.n_v4 = 2;
	s.n_v6 = 2;
	return s;
}

/* What the dataplane answers on. */
static struct dp_service
svc(void)
{
	return svc_of(T_SPORT, T_SV4, T_SV6);
}

/* The client seen as a service: a reply to it classifies as DNS against this. */
static struct dp_service
svc_client(void)
{
	return svc_of(T_CPORT, T_CV4, T_CV6);
}

/* dp_pkt_classify() on an exact-size heap copy of the first @p len octets. */
static enum dp_pkt_verdict
cls(const uint8_t *frame, uint16_t len, const struct dp_service *s, bool verify,
    struct dp_pkt_info *info, enum dp_pkt_reason *reason)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);
	enum dp_pkt_verdict v;

	cr_assert_not_null(copy);
	memcpy(copy, frame, len);
	v = dp_pkt_classify(copy, len, s, verify ? DP_PKT_CHECK_ALL : 0, info, reason);
	free(copy);
	return v;
}

/* Classify with and without checksum checks; both must give @p v and @p r. */
static void
expect(const struct t_frame *f, enum dp_pkt_verdict v, enum dp_pkt_reason r)
{
	struct dp_service s = svc();

	for (int verify = 0; verify <= 1; verify++) {
		struct dp_pkt_info info;
		enum dp_pkt_reason got_r;
		enum dp_pkt_verdict got = cls(f->b, f->len, &s, verify, &info, &got_r);

		cr_assert_eq(got, v, "verify %d: verdict %d (%s), want %d (%s)", verify, got,
		             dp_pkt_reason_name(got_r), v, dp_pkt_reason_name(r));
		cr_assert_eq(got_r, r, "verify %d: reason %s, want %s", verify,
		             dp_pkt_reason_name(got_r), dp_pkt_reason_name(r));
	}
}

static void
expect_dns(const struct t_frame *f, uint8_t ipver, struct dp_pkt_info *out)
{
	struct dp_service s = svc();

	for (int verify = 0; verify <= 1; verify++) {
		struct dp_pkt_info info;
		enum dp_pkt_reason r;
		enum dp_pkt_verdict v = cls(f->b, f->len, &s, verify, &info, &r);

		cr_assert_eq(v, DP_PKT_DNS, "verify %d: verdict %d, reason %s", verify, v,
		             dp_pkt_reason_name(r));
		cr_assert_eq(r, DP_PKT_R_OK);
		cr_assert_eq(info.ipver, ipver);
		cr_assert_eq(info.l3_off, f->l3);
		cr_assert_eq(info.l4_off, f->l4);
		cr_assert_eq(info.dns_off, f->dns);
		cr_assert_eq(info.dns_len, get16(f->b + f->l4 + 4) - 8);
		cr_assert_eq(info.ihl_extra, ipver == 4 ? (f->b[f->l3] & 0x0f) * 4 - 20 : 0);
		if (out != NULL)
			*out = info;
	}
}

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
