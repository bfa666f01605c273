/* SPDX-License-Identifier: BSD-3-Clause */
/* Frame classification and reply headers for the hit path (Ethernet, VLAN, IPv4/6, UDP). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dp_csum.h"
#include "dp_pkt.h"
#include "vd_compiler.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define IPPROTO_UDP_   17
#define IPV4_DF        0x4000
#define IPV4_MF        0x2000
#define IPV4_OFFMASK   0x1fff

static const char *const reason_names[DP_PKT_R_COUNT] = {
	[DP_PKT_R_OK] = "ok",
	[DP_PKT_R_NOT_IP] = "not_ip",
	[DP_PKT_R_NOT_UDP] = "not_udp",
	[DP_PKT_R_NOT_SERVICE] = "not_service",
	[DP_PKT_R_FRAGMENT] = "fragment",
	[DP_PKT_R_IPV6_EXT] = "ipv6_ext",
	[DP_PKT_R_RUNT] = "runt",
	[DP_PKT_R_BAD_IP] = "bad_ip",
	[DP_PKT_R_BAD_UDP] = "bad_udp",
	[DP_PKT_R_BAD_CSUM] = "bad_csum",
	[DP_PKT_R_BAD_SRC] = "bad_src",
};

static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static bool
is_zero16(const uint8_t *a)
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

static bool
service_v4(const struct dp_service *svc, const uint8_t *addr)
{
	uint32_t a;

	memcpy(&a, addr, 4);
	for (unsigned i = 0; i < svc->n_v4; i++) {
		if (svc->v4[i] == a)
			return true;
	}
	return false;
}

static bool
service_v6(const struct dp_service *svc, const uint8_t *addr)
{
	for (unsigned i = 0; i < svc->n_v6; i++) {
		if (memcmp(svc->v6[i], addr, 16) == 0)
			return true;
	}
	return false;
}

/* UDP checksum over the pseudo-header and the datagram at @p l4 of @p udp_len bytes. */
static uint16_t
udp_csum(const uint8_t *frame, const struct dp_pkt_info *info, uint16_t udp_len)
{
	const uint8_t *l3 = frame + info->l3_off;
	uint8_t tail[4] = { 0, 0, 0, IPPROTO_UDP_ };
	uint64_t sum;

	/* Pseudo-header: addresses, zero, protocol, UDP length (RFC 768, RFC 8200 8.1). */
	if (info->ipver == 4)
		sum = dp_csum_add(0, l3 + 12, 8);
	else
		sum = dp_csum_add(0, l3 + 8, 32);
	sum = dp_csum_add(sum, tail, 4);
	put16(tail, udp_len);
	sum = dp_csum_add(sum, tail, 2);
	return dp_csum_fold(dp_csum_add(sum, frame + info->l4_off, udp_len));
}

static enum dp_pkt_verdict
verdict(enum dp_pkt_reason *reason, enum dp_pkt_reason r, enum dp_pkt_verdict v)
{
	*reason = r;
	return v;
}

enum dp_pkt_verdict
dp_pkt_classify(const uint8_t *frame, uint16_t len, const struct dp_service *svc,
		unsigned checks, struct dp_pkt_info *info, enum dp_pkt_reason *reason)
{
	uint16_t off = DP_PKT_ETH_LEN, ethertype, udp_len, ip_end;
	const uint8_t *ip, *udp;

	if (unlikely(len < DP_PKT_ETH_LEN))
		return verdict(reason, DP_PKT_R_RUNT, DP_PKT_DROP);
	ethertype = get16(frame + 12);
	if (ethertype == ETHERTYPE_VLAN || ethertype == ETHERTYPE_QINQ) {
		if (unlikely(len < DP_PKT_ETH_LEN + DP_PKT_VLAN_LEN))
			return verdict(reason, DP_PKT_R_RUNT, DP_PKT_DROP);
		ethertype = get16(frame + 16);
		off += DP_PKT_VLAN_LEN;
	}
	/* A multicast or broadcast source: nobody to answer, or someone to flood. */
	if (unlikely(frame[6] & 0x01))
		return verdict(reason, DP_PKT_R_BAD_SRC, DP_PKT_DROP);
	info->l3_off = off;
	ip = frame + off;

	if (ethertype == ETHERTYPE_IPV4) {
		if (unlikely(len - off < DP_PKT_IPV4_LEN))
			return verdict(reason, DP_PKT_R_RUNT, DP_PKT_DROP);
		unsigned ihl = (ip[0] & 0x0f) * 4u;
		uint16_t total = get16(ip + 2);
		if (unlikely((ip[0] >> 4) != 4 || ihl < DP_PKT_IPV4_LEN || total < ihl ||
			     total > len - off))
			return verdict(reason, DP_PKT_R_BAD_IP, DP_PKT_DROP);
		if ((checks & DP_PKT_CHECK_IP4) &&
		    unlikely(dp_csum_fold(dp_csum_add(0, ip, ihl)) != 0))
			return verdict(reason, DP_PKT_R_BAD_CSUM, DP_PKT_DROP);
		if (get16(ip + 6) & (IPV4_MF | IPV4_OFFMASK))
			return verdict(reason, DP_PKT_R_FRAGMENT, DP_PKT_KERNEL);
		if (ip[9] != IPPROTO_UDP_)
			return verdict(reason, DP_PKT_R_NOT_UDP, DP_PKT_KERNEL);
		/* 0.0.0.0/8, 224.0.0.0/4 (multicast), 240.0.0.0/4 and broadcast cannot ask. */
		if (unlikely(ip[12] == 0 || ip[12] >= 224))
			return verdict(reason, DP_PKT_R_BAD_SRC, DP_PKT_DROP);
		info->ipver = 4;
		info->ihl_extra = (uint8_t)(ihl - DP_PKT_IPV4_LEN);
		info->l4_off = (uint16_t)(off + ihl);
		ip_end = (uint16_t)(off + total);
		if (unlikely(ip_end - info->l4_off < DP_PKT_UDP_LEN))
			return verdict(reason, DP_PKT_R_RUNT, DP_PKT_DROP);
		udp = frame + info->l4_off;
		if (get16(udp + 2) != svc->port || !service_v4(svc, ip + 16))
			return verdict(reason, DP_PKT_R_NOT_SERVICE, DP_PKT_KERNEL);
	} else if (ethertype == ETHERTYPE_IPV6) {
		if (unlikely(len - off < DP_PKT_IPV6_LEN))
			return verdict(reason, DP_PKT_R_RUNT, DP_PKT_DROP);
		uint16_t plen = get16(ip + 4);
		if (unlikely((ip[0] >> 4) != 6 || plen > len - off - DP_PKT_IPV6_LEN))
			return verdict(reason, DP_PKT_R_BAD_IP, DP_PKT_DROP);
		if (ip[6] != IPPROTO_UDP_) {
			/* Anything but UDP first: TCP and ICMPv6 go to the kernel, and so do
			 * extension headers, which the worker does not walk. */
			bool ext = ip[6] == 0 || ip[6] == 43 || ip[6] == 44 || ip[6] == 60 ||
				   ip[6] == 51 || ip[6] == 50 || ip[6] == 135 || ip[6] == 139 ||
				   ip[6] == 140;
			return verdict(reason, ext ? DP_PKT_R_IPV6_EXT : DP_PKT_R_NOT_UDP,
				       DP_PKT_KERNEL);
		}
		/* Multicast (ff00::/8) or unspecified (::) sources cannot ask. */
		if (unlikely(ip[8] == 0xff || is_zero16(ip + 8)))
			return verdict(reason, DP_PKT_R_BAD_SRC, DP_PKT_DROP);
		info->ipver = 6;
		info->ihl_extra = 0;
		info->l4_off = (uint16_t)(off + DP_PKT_IPV6_LEN);
		ip_end = (uint16_t)(info->l4_off + plen);
		if (unlikely(plen < DP_PKT_UDP_LEN))
			return verdict(reason, DP_PKT_R_RUNT, DP_PKT_DROP);
		udp = frame + info->l4_off;
		if (get16(udp + 2) != svc->port || !service_v6(svc, ip + 24))
			return verdict(reason, DP_PKT_R_NOT_SERVICE, DP_PKT_KERNEL);
	} else {
		return verdict(reason, DP_PKT_R_NOT_IP, DP_PKT_KERNEL);
	}

	/* Sent to a group: not a query to us, and a reply would come from the group's MAC. */
	if (unlikely(frame[0] & 0x01))
		return verdict(reason, DP_PKT_R_NOT_SERVICE, DP_PKT_KERNEL);
	udp_len = get16(udp + 4);
	if (unlikely(udp_len < DP_PKT_UDP_LEN || udp_len > ip_end - info->l4_off))
		return verdict(reason, DP_PKT_R_BAD_UDP, DP_PKT_DROP);
	info->dns_off = (uint16_t)(info->l4_off + DP_PKT_UDP_LEN);
	info->dns_len = (uint16_t)(udp_len - DP_PKT_UDP_LEN);
	if (checks & DP_PKT_CHECK_UDP) {
		uint16_t stored;
		memcpy(&stored, udp + 6, 2);
		/* IPv4 may leave it out (0); IPv6 may not (RFC 8200 8.1), and a sum that
		 * comes out 0 is sent as 0xffff, so a stored 0 is never right there. */
		if (unlikely(stored == 0 && info->ipver == 6))
			return verdict(reason, DP_PKT_R_BAD_CSUM, DP_PKT_DROP);
		/* Summed with the stored checksum, a good datagram folds to 0. */
		if (stored != 0 && unlikely(udp_csum(frame, info, udp_len) != 0))
			return verdict(reason, DP_PKT_R_BAD_CSUM, DP_PKT_DROP);
	}
	return verdict(reason, DP_PKT_R_OK, DP_PKT_DNS);
}

void
dp_pkt_peer_from_query(const uint8_t *frame, const struct dp_pkt_info *info,
		       struct dp_pkt_peer *peer)
{
	const uint8_t *ip = frame + info->l3_off;
	const uint8_t *udp = frame + info->l4_off;

	memcpy(peer->client_mac, frame + 6, 6);
	memcpy(peer->server_mac, frame, 6);
	peer->has_vlan = info->l3_off > DP_PKT_ETH_LEN;
	peer->vlan_tpid = peer->has_vlan ? get16(frame + 12) : 0;
	peer->vlan_tci = peer->has_vlan ? get16(frame + 14) : 0;
	peer->ipver = info->ipver;
	peer->client_port = get16(udp);
	peer->server_port = get16(udp + 2);
	memset(peer->client_ip, 0, sizeof(peer->client_ip));
	memset(peer->server_ip, 0, sizeof(peer->server_ip));
	if (info->ipver == 4) {
		memcpy(peer->client_ip, ip + 12, 4);
		memcpy(peer->server_ip, ip + 16, 4);
	} else {
		memcpy(peer->client_ip, ip + 8, 16);
		memcpy(peer->server_ip, ip + 24, 16);
	}
}

void
dp_pkt_strip_ipv4_options(uint8_t *frame, struct dp_pkt_info *info)
{
	uint16_t extra = info->ihl_extra;

	if (extra == 0)
		return;
	memmove(frame + info->l3_off + DP_PKT_IPV4_LEN, frame + info->l4_off,
		DP_PKT_UDP_LEN + (size_t)info->dns_len);
	frame[info->l3_off] = 0x45;
	info->l4_off = (uint16_t)(info->l4_off - extra);
	info->dns_off = (uint16_t)(info->dns_off - extra);
	info->ihl_extra = 0;
}

uint16_t
dp_pkt_finish(uint8_t *frame, const struct dp_pkt_info *info, uint16_t dns_len, bool udp_csum_sw)
{
	uint8_t *ip = frame + info->l3_off;
	uint8_t *udp = frame + info->l4_off;
	uint16_t udp_len = (uint16_t)(DP_PKT_UDP_LEN + dns_len);
	uint16_t zero = 0;

	put16(udp + 4, udp_len);
	memcpy(udp + 6, &zero, 2);
	if (info->ipver == 4) {
		uint16_t c;
		put16(ip + 2, (uint16_t)(DP_PKT_IPV4_LEN + udp_len));
		memcpy(ip + 10, &zero, 2);
		c = dp_csum_fold(dp_csum_add(0, ip, DP_PKT_IPV4_LEN));
		memcpy(ip + 10, &c, 2);
	} else {
		put16(ip + 4, udp_len);
	}
	if (udp_csum_sw || info->ipver == 6) {
		uint16_t c = udp_csum(frame, info, udp_len);
		if (c == 0)
			c = 0xffff; /* 0 means "no checksum" in IPv4 and is invalid in IPv6 */
		memcpy(udp + 6, &c, 2);
	}
	return (uint16_t)(info->l4_off + udp_len);
}

uint16_t
dp_pkt_turn_around(uint8_t *frame, const struct dp_pkt_info *info, uint16_t dns_len,
		   bool udp_csum_sw)
{
	uint8_t *ip = frame + info->l3_off;
	uint8_t *udp = frame + info->l4_off;
	uint8_t tmp[16];

	memcpy(tmp, frame, 6);
	memcpy(frame, frame + 6, 6);
	memcpy(frame + 6, tmp, 6);
	if (info->ipver == 4) {
		memcpy(tmp, ip + 12, 4);
		memcpy(ip + 12, ip + 16, 4);
		memcpy(ip + 16, tmp, 4);
		ip[1] &= 0xfc; /* ECN to Not-ECT: our UDP does not do ECN (RFC 3168 5) */
		ip[8] = DP_PKT_REPLY_TTL;
		put16(ip + 6, IPV4_DF); /* atomic datagram (RFC 6864): no fragments, ID unused */
	} else {
		memcpy(tmp, ip + 8, 16);
		memcpy(ip + 8, ip + 24, 16);
		memcpy(ip + 24, tmp, 16);
		ip[1] &= 0xcf; /* ECN, the low 2 bits of the traffic class: Not-ECT */
		ip[7] = DP_PKT_REPLY_TTL;
	}
	memcpy(tmp, udp, 2);
	memcpy(udp, udp + 2, 2);
	memcpy(udp + 2, tmp, 2);
	return dp_pkt_finish(frame, info, dns_len, udp_csum_sw);
}

void
dp_pkt_write_headers(uint8_t *frame, const struct dp_pkt_peer *peer, struct dp_pkt_info *info)
{
	uint16_t off = DP_PKT_ETH_LEN;
	uint8_t *ip;

	memcpy(frame, peer->client_mac, 6);
	memcpy(frame + 6, peer->server_mac, 6);
	if (peer->has_vlan) {
		put16(frame + 12, peer->vlan_tpid);
		put16(frame + 14, peer->vlan_tci);
		off += DP_PKT_VLAN_LEN;
	}
	put16(frame + off - 2, peer->ipver == 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6);
	info->l3_off = off;
	info->ipver = peer->ipver;
	info->ihl_extra = 0;
	ip = frame + off;
	if (peer->ipver == 4) {
		memset(ip, 0, DP_PKT_IPV4_LEN);
		ip[0] = 0x45;
		put16(ip + 6, IPV4_DF);
		ip[8] = DP_PKT_REPLY_TTL;
		ip[9] = IPPROTO_UDP_;
		memcpy(ip + 12, peer->server_ip, 4);
		memcpy(ip + 16, peer->client_ip, 4);
		info->l4_off = (uint16_t)(off + DP_PKT_IPV4_LEN);
	} else {
		memset(ip, 0, DP_PKT_IPV6_LEN);
		ip[0] = 0x60;
		ip[6] = IPPROTO_UDP_;
		ip[7] = DP_PKT_REPLY_TTL;
		memcpy(ip + 8, peer->server_ip, 16);
		memcpy(ip + 24, peer->client_ip, 16);
		info->l4_off = (uint16_t)(off + DP_PKT_IPV6_LEN);
	}
	put16(frame + info->l4_off, peer->server_port);
	put16(frame + info->l4_off + 2, peer->client_port);
	info->dns_off = (uint16_t)(info->l4_off + DP_PKT_UDP_LEN);
	info->dns_len = 0;
}

const char *
dp_pkt_reason_name(enum dp_pkt_reason r)
{
	return (unsigned)r < DP_PKT_R_COUNT ? reason_names[r] : "unknown";
}
