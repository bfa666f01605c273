/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dp_pkt suites' shared frames (tests/unit/dataplane/test_pkt*.c): addresses of a service
 * and a client, a builder of Ethernet/VLAN/IPv4/IPv6/UDP frames with their own RFC 1071
 * checksums (pkt_harness.c), and classification helpers that hand dp_pkt_classify() an
 * exact-size heap copy, so ASan sees a read one byte past the end.
 */
#ifndef PKT_HARNESS_H
#define PKT_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

uint32_t ref_add(uint32_t acc, const uint8_t *p, size_t n);

/* The checksum as a number (what get16() of the field reads). */
uint16_t ref_fold(uint32_t acc);

uint16_t get16(const uint8_t *p);

void put16(uint8_t *p, uint16_t v);

/* Pseudo-header plus the @p udp_len octets at @p l4, with the checksum field as it is. */
uint16_t ref_udp(const uint8_t *f, uint8_t ipver, uint16_t l3, uint16_t l4, uint16_t udp_len);

/* The UDP checksum to store: computed with the field zero, 0 sent as 0xffff. */
uint16_t ref_udp_store(const uint8_t *f, uint8_t ipver, uint16_t l3, uint16_t l4, uint16_t udp_len);

uint16_t ref_ip4_store(const uint8_t *ip);

/* The frame's stored checksums are right by the reference (and by DPDK when built with it). */
void assert_csums(const uint8_t *f, uint8_t ipver, uint16_t l3, uint16_t l4, bool udp_expected);

struct t_spec t_v4(void);

struct t_spec t_v6(void);

void build(const struct t_spec *s, struct t_frame *f);

struct t_frame *mk(const struct t_spec *s);

/* Recompute the UDP and IPv4 header checksums after a test edited the frame. */
void fix_csums(struct t_frame *f, uint8_t ipver);

struct dp_service svc_of(uint16_t port, const uint8_t *v4, const uint8_t *v6);

/* What the dataplane answers on. */
struct dp_service svc(void);

/* The client seen as a service: a reply to it classifies as DNS against this. */
struct dp_service svc_client(void);

/* dp_pkt_classify() on an exact-size heap copy of the first @p len octets. */
enum dp_pkt_verdict cls(const uint8_t *frame, uint16_t len, const struct dp_service *s, bool verify,
                        struct dp_pkt_info *info, enum dp_pkt_reason *reason);

/* Classify with and without checksum checks; both must give @p v and @p r. */
void expect(const struct t_frame *f, enum dp_pkt_verdict v, enum dp_pkt_reason r);

void expect_dns(const struct t_frame *f, uint8_t ipver, struct dp_pkt_info *out);

#endif /* PKT_HARNESS_H */
