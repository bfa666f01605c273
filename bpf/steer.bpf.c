/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-3-Clause) */
/*
 * XDP program for AF_XDP mode: UDP queries to port 53 of a service address are redirected
 * to the AF_XDP socket of the queue they arrived on; every other frame goes to the kernel.
 *
 * What is steered, in the order it is checked (first miss decides the PASS counter):
 *
 *   Ethernet [one 802.1Q or 802.1ad tag]            else STEER_PASS_NOT_IP (ARP, QinQ, ...)
 *   IPv4, IHL >= 5 (options allowed)                else STEER_PASS_BAD_IP
 *     protocol UDP                                  else STEER_PASS_NOT_UDP (ICMP, TCP 53)
 *     not a fragment (MF clear and offset 0)        else STEER_PASS_FRAGMENT (UDP only)
 *   IPv6, first next header UDP                     else STEER_PASS_IPV6_EXT / _NOT_UDP
 *   UDP destination port 53 (steer_conf.dns_port)   else STEER_PASS_NOT_DNS_PORT
 *   destination address in service_v4/service_v6    else STEER_PASS_NOT_SERVICE_ADDR
 *   a socket in xsks_map at ctx->rx_queue_index     else STEER_PASS_NO_XSK
 *
 * Only the DESTINATION port counts. The resolver's own upstream queries leave from the
 * kernel stack with an ephemeral source port, so their replies come back FROM port 53 to
 * that port and pass to the kernel. A query sent from source port 53 to port 53 (old
 * server-to-server style) is a query to us and is steered.
 *
 * Fragments are passed: the worker does not reassemble, and a non-first fragment has no
 * UDP header to match. The kernel reassembles and, with nothing bound to port 53 in the
 * kernel, answers ICMP port unreachable; clients then retry over TCP, which the kernel
 * also gets. Any frame shorter than the header being parsed is STEER_PASS_RUNT.
 *
 * Maps and counters: steer_shared.h (STEER_ABI). No global variables: DPDK's PMD loads
 * this object by itself, and the loader finds the maps by name on the attached program.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "steer_shared.h"

/* Kernel-internal definitions that no uapi header exports. */
#define STEER_IP_MF        0x2000 /* "more fragments" in iphdr.frag_off (host order) */
#define STEER_IP_OFFSET    0x1fff /* fragment offset mask */
#define STEER_ETH_P_8021AD 0x88A8

struct steer_vlan_hdr {
	__be16 tci;
	__be16 encap_proto;
};

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, STEER_XSKS_MAX);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, STEER_SERVICE_MAX);
	__type(key, struct steer_addr4);
	__type(value, __u8);
} service_v4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, STEER_SERVICE_MAX);
	__type(key, struct steer_addr6);
	__type(value, __u8);
} service_v6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct steer_conf);
} steer_conf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct steer_stats);
} steer_stats SEC(".maps");

/* Port check shared by both families; @udp is already bounds-checked by the caller. */
static __always_inline int
steer_is_dns_dport(const struct udphdr *udp)
{
	__u32 zero = 0;
	const struct steer_conf *conf = bpf_map_lookup_elem(&steer_conf, &zero);
	__be16 port = bpf_htons(STEER_DNS_PORT);

	/* An array lookup the verifier inlines: no helper call per packet. */
	if (conf && conf->dns_port)
		port = conf->dns_port;
	return udp->dest == port;
}

static __always_inline enum steer_counter
steer_classify_v4(void *l3, void *data_end)
{
	struct iphdr *ip = l3;
	struct udphdr *udp;
	struct steer_addr4 key;

	if ((void *)(ip + 1) > data_end)
		return STEER_PASS_RUNT;
	if (ip->version != 4 || ip->ihl < 5)
		return STEER_PASS_BAD_IP;
	if (ip->protocol != IPPROTO_UDP)
		return STEER_PASS_NOT_UDP;
	if (ip->frag_off & bpf_htons(STEER_IP_MF | STEER_IP_OFFSET))
		return STEER_PASS_FRAGMENT;

	/* ihl is 4 bits, so the offset is at most 60 and the verifier can bound it. */
	udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > data_end)
		return STEER_PASS_RUNT;
	if (!steer_is_dns_dport(udp))
		return STEER_PASS_NOT_DNS_PORT;

	key.addr = ip->daddr;
	if (!bpf_map_lookup_elem(&service_v4, &key))
		return STEER_PASS_NOT_SERVICE_ADDR;
	return STEER_REDIRECT_V4;
}

/* Next-header values that are IPv6 extension headers (RFC 8200 4, IANA registry). */
static __always_inline int
steer_is_ipv6_ext(__u8 nexthdr)
{
	switch (nexthdr) {
	case 0:   /* hop-by-hop options */
	case 43:  /* routing */
	case 44:  /* fragment */
	case 51:  /* authentication header */
	case 60:  /* destination options */
	case 135: /* mobility */
	case 139: /* HIP */
	case 140: /* shim6 */
	case 253: /* experimental */
	case 254:
		return 1;
	default:
		return 0;
	}
}

static __always_inline enum steer_counter
steer_classify_v6(void *l3, void *data_end)
{
	struct ipv6hdr *ip6 = l3;
	struct udphdr *udp;
	struct steer_addr6 key;

	if ((void *)(ip6 + 1) > data_end)
		return STEER_PASS_RUNT;
	if (ip6->version != 6)
		return STEER_PASS_BAD_IP;
	if (ip6->nexthdr != IPPROTO_UDP)
		return steer_is_ipv6_ext(ip6->nexthdr) ? STEER_PASS_IPV6_EXT : STEER_PASS_NOT_UDP;

	udp = (void *)(ip6 + 1);
	if ((void *)(udp + 1) > data_end)
		return STEER_PASS_RUNT;
	if (!steer_is_dns_dport(udp))
		return STEER_PASS_NOT_DNS_PORT;

	__builtin_memcpy(key.addr, &ip6->daddr, sizeof(key.addr));
	if (!bpf_map_lookup_elem(&service_v6, &key))
		return STEER_PASS_NOT_SERVICE_ADDR;
	return STEER_REDIRECT_V6;
}

/* Decide what to do with the frame: a STEER_REDIRECT_* (steer it) or a PASS reason. */
static __always_inline enum steer_counter
steer_classify(void *data, void *data_end)
{
	struct ethhdr *eth = data;
	void *l3 = eth + 1;
	__be16 proto;

	if (l3 > data_end)
		return STEER_PASS_RUNT;
	proto = eth->h_proto;

	/* At most one tag; a second one (QinQ) leaves proto at 0x8100 and is NOT_IP. */
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(STEER_ETH_P_8021AD)) {
		struct steer_vlan_hdr *vh = l3;

		if ((void *)(vh + 1) > data_end)
			return STEER_PASS_RUNT;
		proto = vh->encap_proto;
		l3 = vh + 1;
	}

	if (proto == bpf_htons(ETH_P_IP))
		return steer_classify_v4(l3, data_end);
	if (proto == bpf_htons(ETH_P_IPV6))
		return steer_classify_v6(l3, data_end);
	return STEER_PASS_NOT_IP;
}

SEC("xdp")
int
steer_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	enum steer_counter outcome = steer_classify(data, data_end);
	int action = XDP_PASS;
	__u32 zero = 0;
	struct steer_stats *st;

	if (outcome == STEER_REDIRECT_V4 || outcome == STEER_REDIRECT_V6) {
		/* The low bits of flags are the action when the queue has no socket. */
		action = bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
		if (action != XDP_REDIRECT)
			outcome = STEER_PASS_NO_XSK;
	}

	/* Per-CPU copy: this CPU is the only writer, so plain increments suffice. */
	st = bpf_map_lookup_elem(&steer_stats, &zero);
	if (st) {
		st->count[STEER_RX]++;
		if (outcome < STEER_COUNTER_MAX)
			st->count[outcome]++;
	}
	return action;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
