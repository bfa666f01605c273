/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-worker counters. W: the owning worker only, plain increments. R: the
 * control thread, with relaxed 64-bit loads (aligned 64-bit loads do not tear on
 * the targets DPDK supports); totals are sums across workers taken when read.
 */
#ifndef DP_STATS_H
#define DP_STATS_H

#include <stdint.h>

#include "dns_query.h"
#include "dp_pkt.h"

enum dp_drop {
	DP_DROP_MULTISEG = 0,  /* chained mbuf: never from the PMDs we use, counted anyway */
	DP_DROP_BAD_FRAME,     /* dp_pkt verdict DROP (see pkt[] for the reason) */
	DP_DROP_DNS,           /* DNS verdict DROP: shorter than a header, or a response */
	DP_DROP_NO_EXCEPTION,  /* not ours, and no exception path to hand it to */
	DP_DROP_TX_FULL,       /* TX queue full */
	DP_DROP_NO_MBUF,       /* no mbuf to build a reply to a punted query */
	DP_DROP_REPLY_FAILED,  /* a reply could not be built (cap, bad template) */
	DP_DROP_COUNT,
};

struct dp_stats {
	uint64_t rx;             /* frames received from the NIC queue */
	uint64_t tx;             /* frames sent on the NIC queue (replies, exception traffic) */
	uint64_t queries;        /* DNS queries that reached the parser */
	uint64_t hits;           /* answered from the cache */
	uint64_t misses;         /* looked up, not found */
	uint64_t punts;          /* misses sent to the control thread */
	uint64_t punt_full;      /* punt ring full: answered SERVFAIL instead */
	uint64_t prefetch_reports; /* hits in an entry's prefetch window, reported once each */
	uint64_t prefetch_full;  /* reports the full punt ring refused (tried again next hit) */
	uint64_t truncated;      /* replies sent with TC */
	uint64_t acl_refused;    /* REFUSED by the ACL */
	uint64_t to_kernel;      /* handed to the exception path */
	uint64_t from_kernel;    /* sent out for the exception path */
	uint64_t fills;          /* fill messages processed */
	uint64_t cp_replies;     /* replies sent for the control thread */
	uint64_t busy_cycles;    /* TSC cycles spent in bursts that carried frames */
	uint64_t busy_frames;    /* frames in those bursts */
	uint64_t tx_cycles;      /* of busy_cycles, those inside rte_eth_tx_burst (the PMD and,
				  * for AF_XDP, the kernel's transmit path) */
	uint64_t verdict[DNS_VERDICT_COUNT];
	uint64_t pkt[DP_PKT_R_COUNT];
	uint64_t drop[DP_DROP_COUNT];
};

/** Name of a drop reason ("multiseg", ...), for veloctl and logs. */
const char *dp_drop_name(enum dp_drop d);

#endif /* DP_STATS_H */
