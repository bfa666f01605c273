/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * L2-L4 of the hit path: classify a received frame (is it a DNS query to one of
 * our service addresses?), and turn a query frame around into its reply in place,
 * or write the headers of a reply to a client known only by its addresses.
 *
 * Frames are plain byte buffers (the data of a single-segment mbuf), so this file
 * builds and tests without EAL. Accepted: Ethernet II, at most one 802.1Q or
 * 802.1ad tag, IPv4 with or without options, IPv6 without extension headers,
 * UDP. Everything else is someone else's (the kernel's) or malformed.
 */
#ifndef DP_PKT_H
#define DP_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DP_SERVICE_MAX_ADDRS 16
#define DP_PKT_ETH_LEN       14
#define DP_PKT_VLAN_LEN      4
#define DP_PKT_IPV4_LEN      20
#define DP_PKT_IPV6_LEN      40
#define DP_PKT_UDP_LEN       8
#define DP_PKT_REPLY_TTL     64
/* Longest L2-L4 header a reply can have: Ethernet, VLAN, IPv6, UDP. */
#define DP_PKT_HDR_MAX (DP_PKT_ETH_LEN + DP_PKT_VLAN_LEN + DP_PKT_IPV6_LEN + DP_PKT_UDP_LEN)

/** The addresses and port the dataplane answers on. Immutable once workers run. */
struct dp_service {
	uint16_t port;                /* host order, normally 53 */
	uint8_t n_v4;
	uint8_t n_v6;
	uint32_t v4[DP_SERVICE_MAX_ADDRS];     /* network order */
	uint8_t v6[DP_SERVICE_MAX_ADDRS][16];
};

enum dp_pkt_verdict {
	DP_PKT_DNS = 0, /* UDP to a service address and port: the worker answers it */
	DP_PKT_KERNEL,  /* well-formed but not ours: ARP, NDP, ICMP, TCP, other UDP, fragments */
	DP_PKT_DROP,    /* malformed, or ours but unusable (bad checksum, runt) */
};

/* Why a frame got its verdict; one counter each in dp_stats. */
enum dp_pkt_reason {
	DP_PKT_R_OK = 0,
	DP_PKT_R_NOT_IP,        /* ARP, LLDP, ... */
	DP_PKT_R_NOT_UDP,       /* ICMP, TCP, ... */
	DP_PKT_R_NOT_SERVICE,   /* UDP to another address or port */
	DP_PKT_R_FRAGMENT,      /* IPv4 fragment: left to the kernel to reassemble */
	DP_PKT_R_IPV6_EXT,      /* IPv6 extension header */
	DP_PKT_R_RUNT,          /* shorter than its headers say */
	DP_PKT_R_BAD_IP,        /* IPv4 IHL < 5, version mismatch, lengths beyond the frame */
	DP_PKT_R_BAD_UDP,       /* UDP length inconsistent with IP */
	DP_PKT_R_BAD_CSUM,      /* UDP checksum wrong */
	DP_PKT_R_BAD_SRC,       /* multicast/broadcast source MAC, or a source IP that cannot ask */
	DP_PKT_R_COUNT,
};

/** Offsets into a classified frame, valid when the verdict is DP_PKT_DNS. */
struct dp_pkt_info {
	uint16_t l3_off;
	uint16_t l4_off;
	uint16_t dns_off;
	uint16_t dns_len;
	uint8_t ipver;     /* 4 or 6 */
	uint8_t ihl_extra; /* bytes of IPv4 options */
};

/*
 * A client as a reply needs it: what the punt message carries to the control
 * thread and back, so a reply can be sent long after the query's mbuf is gone.
 * DP_MSG_ABI
 */
struct dp_pkt_peer {
	uint8_t client_mac[6];
	uint8_t server_mac[6];
	uint16_t vlan_tci;       /* host order; with has_vlan */
	uint16_t vlan_tpid;      /* 0x8100 or 0x88a8 */
	uint8_t has_vlan;
	uint8_t ipver;
	uint16_t client_port;    /* host order */
	uint16_t server_port;
	uint8_t client_ip[16];   /* IPv4 in the first 4 octets, network order */
	uint8_t server_ip[16];
};

/* What dp_pkt_classify() checks in software (what the NIC did not check). */
#define DP_PKT_CHECK_IP4 0x1u /* the IPv4 header checksum */
#define DP_PKT_CHECK_UDP 0x2u /* the UDP checksum */
#define DP_PKT_CHECK_ALL (DP_PKT_CHECK_IP4 | DP_PKT_CHECK_UDP)

/**
 * Classify @p len bytes at @p frame against @p svc.
 * @param checks DP_PKT_CHECK_* flags: the checksums to verify
 * @param[out] info offsets, valid for DP_PKT_DNS
 * @param[out] reason why (DP_PKT_R_OK for DP_PKT_DNS)
 */
enum dp_pkt_verdict dp_pkt_classify(const uint8_t *frame, uint16_t len,
				    const struct dp_service *svc, unsigned checks,
				    struct dp_pkt_info *info, enum dp_pkt_reason *reason);

/** Copy the addresses of the query frame @p frame (verdict DP_PKT_DNS) into @p peer. */
void dp_pkt_peer_from_query(const uint8_t *frame, const struct dp_pkt_info *info,
			    struct dp_pkt_peer *peer);

/**
 * Remove the IPv4 options of a query frame, moving UDP header and payload up,
 * so the reply goes out without them (they describe the query's path).
 * Updates @p info. No-op without options.
 */
void dp_pkt_strip_ipv4_options(uint8_t *frame, struct dp_pkt_info *info);

/**
 * Turn the query frame around: swap MAC, IP addresses and UDP ports, set TTL or
 * hop limit, clear the ECN bits (DSCP stays), then lengths and checksums for a DNS payload of @p dns_len bytes
 * already written at info->dns_off. IPv4 options must have been stripped.
 * @param udp_csum compute the UDP checksum in software (no offload)
 * @return the reply frame's length.
 */
uint16_t dp_pkt_turn_around(uint8_t *frame, const struct dp_pkt_info *info, uint16_t dns_len,
			    bool udp_csum);

/**
 * Write the L2-L4 headers of a reply to @p peer at @p frame and fill @p info;
 * the DNS payload goes at info->dns_off. Call dp_pkt_finish() once it is there.
 */
void dp_pkt_write_headers(uint8_t *frame, const struct dp_pkt_peer *peer,
			  struct dp_pkt_info *info);

/**
 * Set lengths and checksums of a reply frame whose headers are in place.
 * @return the frame's length.
 */
uint16_t dp_pkt_finish(uint8_t *frame, const struct dp_pkt_info *info, uint16_t dns_len,
		       bool udp_csum);

/** Short name of a reason ("not_ip", ...), for counters. */
const char *dp_pkt_reason_name(enum dp_pkt_reason r);

#endif /* DP_PKT_H */
