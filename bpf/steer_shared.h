/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The contract between steer.bpf.c (kernel) and steer_loader.c (user space): map names,
 * key and value layouts, and counter indices. Nothing else is shared, and nothing else
 * may be: DPDK's af_xdp PMD loads steer.bpf.o itself from `xdp_prog=`, so the loader
 * finds these maps on the running program by NAME and checks their sizes against the
 * definitions below before it trusts them.
 *
 * Maps (all names are at most 15 characters: the kernel truncates longer ones):
 *
 *   name          type                  key                   value               entries
 *   xsks_map      XSKMAP                __u32 rx queue index  AF_XDP socket fd    STEER_XSKS_MAX
 *   service_v4    HASH                  struct steer_addr4    __u8 (1 = member)   STEER_SERVICE_MAX
 *   service_v6    HASH                  struct steer_addr6    __u8 (1 = member)   STEER_SERVICE_MAX
 *   steer_conf    ARRAY                 __u32 (always 0)      struct steer_conf   1
 *   steer_stats   PERCPU_ARRAY          __u32 (always 0)      struct steer_stats  1
 *
 * - xsks_map: the name is fixed by the PMD, which looks it up by name and inserts the
 *   socket of each queue it owns at key = absolute queue index (start_queue + i).
 * - service_v4/service_v6: the addresses this resolver answers on. Empty means "no
 *   service address configured": the program then passes every packet to the kernel.
 *   It never redirects "all of port 53", so a program whose maps are not filled yet
 *   (the window between the PMD attaching it and steer_attach_config()) is harmless.
 * - steer_conf: the UDP port queries are steered on (the resolver's server.port); zero
 *   (as loaded) means STEER_DNS_PORT.
 * - steer_stats: one entry; each CPU has its own copy of struct steer_stats (single
 *   writer per CPU, no atomics). User space sums the copies of all possible CPUs.
 *
 * Every packet the program sees adds 1 to STEER_RX and 1 to exactly one outcome
 * counter (a REDIRECT or a PASS reason), so for a snapshot summed over CPUs
 * count[STEER_RX] == sum of all other counters (modulo packets in flight).
 *
 * Changing anything here is an ABI change between the .o and the loader: append new
 * counters before STEER_COUNTER_MAX (the loader rejects a stats map whose value size
 * differs), never renumber. Grep tag: STEER_ABI.
 */
#ifndef STEER_SHARED_H
#define STEER_SHARED_H

#include <linux/types.h>

/* STEER_ABI */
#define STEER_XSKS_MAX    64 /* rx queues per interface that can have a socket */
#define STEER_SERVICE_MAX 64 /* service addresses per family */
#define STEER_DNS_PORT    53 /* destination port steered while steer_conf says 0 */

#define STEER_MAP_XSKS       "xsks_map"
#define STEER_MAP_SERVICE_V4 "service_v4"
#define STEER_MAP_SERVICE_V6 "service_v6"
#define STEER_MAP_CONF       "steer_conf"
#define STEER_MAP_STATS      "steer_stats"
#define STEER_PROG_NAME      "steer_xdp"

/* STEER_ABI: key of service_v4. */
struct steer_addr4 {
	__u32 addr; /* IPv4 address in network byte order, exactly as in the header */
};

/* STEER_ABI: key of service_v6. */
struct steer_addr6 {
	__u8 addr[16]; /* IPv6 address as in the header (struct in6_addr layout) */
};

/* STEER_ABI: value of steer_conf. */
struct steer_conf {
	__be16 dns_port;   /* UDP destination port in network byte order; 0: STEER_DNS_PORT */
	__u16 reserved[3]; /* zero */
};

/* STEER_ABI: counter indices into struct steer_stats. Append only. */
enum steer_counter {
	STEER_RX = 0,                /* every packet the program ran on */
	STEER_REDIRECT_V4,           /* IPv4 UDP query redirected to the queue's socket */
	STEER_REDIRECT_V6,           /* IPv6 UDP query redirected to the queue's socket */
	STEER_PASS_NOT_IP,           /* ARP, LLDP, QinQ (a second VLAN tag), ... */
	STEER_PASS_NOT_UDP,          /* ICMP, ICMPv6/NDP, TCP (including TCP 53), ... */
	STEER_PASS_NOT_DNS_PORT,     /* UDP to another port, e.g. upstream replies FROM 53 */
	STEER_PASS_NOT_SERVICE_ADDR, /* UDP 53 to an address not in service_v4/v6 */
	STEER_PASS_FRAGMENT,         /* IPv4 UDP fragment (MF set or offset != 0) */
	STEER_PASS_IPV6_EXT,         /* IPv6 with any extension header (incl. fragment) */
	STEER_PASS_RUNT,             /* frame ends inside a header the program needs */
	STEER_PASS_NO_XSK,           /* steerable, but no socket in xsks_map for the queue */
	STEER_PASS_BAD_IP,           /* IPv4 IHL < 5, or IP version field disagrees */
	STEER_COUNTER_MAX
};

/* STEER_ABI: value of steer_stats (per CPU). */
struct steer_stats {
	__u64 count[STEER_COUNTER_MAX];
};

#endif /* STEER_SHARED_H */
