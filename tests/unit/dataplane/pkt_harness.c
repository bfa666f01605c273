/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dp_pkt suites' frame builder and reference checksums (see pkt_harness.h). The sums are
 * RFC 1071 over byte pairs, nothing shared with dp_csum.h; with DPDK, rte_ip.h's inline sums
 * cross-check them.
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

#include "pkt_harness.h"

/* ---- Reference checksum: RFC 1071 over big-endian byte pairs, nothing clever. ---- */

uint32_t
ref_add(uint32_t acc, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 2)
		acc += (uint32_t)p[i] << 8 | (i + 1 < n ? p[i + 1] : 0u);
	return acc;
}

/* The checksum as a number (what get16() of the field reads). */
uint16_t
ref_fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Pseudo-header plus the @p udp_len octets at @p l4, with the checksum field as it is. */
uint16_t
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
uint16_t
ref_udp_store(const uint8_t *f, uint8_t ipver, uint16_t l3, uint16_t l4, uint16_t udp_len)
{
	uint8_t tmp[T_BUF];
	uint16_t c;

	memcpy(tmp, f, (size_t)l4 + udp_len);
	put16(tmp + l4 + 6, 0);
	c = ref_udp(tmp, ipver, l3, l4, udp_len);
	return c == 0 ? 0xffff : c;
}

uint16_t
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
void
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

struct t_spec
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

struct t_spec
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

void
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

struct t_frame *
mk(const struct t_spec *s)
{
	struct t_frame *f = malloc(sizeof(*f));

	cr_assert_not_null(f);
	build(s, f);
	return f;
}

/* Recompute the UDP and IPv4 header checksums after a test edited the frame. */
void
fix_csums(struct t_frame *f, uint8_t ipver)
{
	if (ipver == 4)
		put16(f->b + f->l3 + 10, ref_ip4_store(f->b + f->l3));
	put16(f->b + f->l4 + 6, ref_udp_store(f->b, ipver, f->l3, f->l4, get16(f->b + f->l4 + 4)));
}

struct dp_service
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
struct dp_service
svc(void)
{
	return svc_of(T_SPORT, T_SV4, T_SV6);
}

/* The client seen as a service: a reply to it classifies as DNS against this. */
struct dp_service
svc_client(void)
{
	return svc_of(T_CPORT, T_CV4, T_CV6);
}

/* dp_pkt_classify() on an exact-size heap copy of the first @p len octets. */
enum dp_pkt_verdict
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
void
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

void
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
