/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A dataplane worker: one lcore polling one (port, queue), answering cache hits
 * in place, punting misses to the control thread and serving what it sends back.
 */
#ifndef DP_WORKER_H
#define DP_WORKER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include "dp_cache.h"
#include "dp_pkt.h"
#include "dp_stats.h"

#define DP_BURST_MAX      32
#define DP_CTL_POLL_MASK  7    /* drain the fill ring every 8 loop turns */
#define DP_FILL_BURST     32
#define DP_NO_PORT        UINT16_MAX

struct dp_doorbell;
struct rte_lpm;
struct rte_lpm6;
struct rte_mempool;
struct rte_ring;

/** What every worker reads and nobody writes once workers run. Owner: nobody (immutable). */
struct dp_shared {
	struct dp_service service;
	struct rte_lpm *acl4;    /* next hop DP_ACL_ALLOW or DP_ACL_DENY; no match: deny */
	struct rte_lpm6 *acl6;
	uint16_t max_udp;        /* largest UDP reply, DNS_EDNS_SIZE unless configured */
	struct dp_doorbell *doorbell; /* rung after a burst that punted; NULL: none */
};

/** Set by the signal handler; every worker leaves its loop at the next turn. */
extern atomic_bool dp_quit;

/** One (port, queue) pair a worker polls, with where its replies and exceptions go. */
struct dp_rxq {
	uint16_t port_id;        /* the NIC port */
	uint16_t queue_id;       /* RX queue polled and TX queue used, on that port */
	uint16_t exc_port_id;    /* full-port mode: the exception (TAP) port, else DP_NO_PORT */
	uint16_t exc_queue_id;   /* TX queue on the exception port for this pair */
	bool exc_rx;             /* also forward what the kernel sends (queue 0 of the TAP) */
	bool udp_csum_tx_sw;     /* compute UDP checksums in software (no TX offload) */
};

#define DP_MAX_RXQ 8

/* Owner: one dataplane lcore. Only dp_worker_main() on that lcore touches it after launch,
 * except stats, which the control thread reads (see dp_stats.h). */
struct __rte_cache_aligned dp_worker {
	uint16_t index;          /* 0..n_workers-1, names it in messages and stats */
	uint16_t lcore_id;
	uint16_t n_rxq;
	struct dp_rxq rxq[DP_MAX_RXQ]; /* (port, queue) pairs polled by this lcore only */
	const struct dp_shared *shared;
	struct dp_cache *cache;  /* this lcore's shard; no locks */
	struct rte_ring *punt;   /* SP: this lcore -> SC: control thread */
	struct rte_ring *fill;   /* SP: control thread -> SC: this lcore */
	struct rte_mempool *pool; /* mbufs for replies built from scratch */
	uint32_t now;            /* cache clock, seconds since start */
	uint32_t fill_rotation;  /* rotates the RRsets of replies the control thread sent */
	uint64_t tsc_hz;
	uint64_t tsc_start;
	struct dp_stats stats;   /* W: this lcore; R: control thread */
};

/* ACL next hops stored in the LPM tables. */
#define DP_ACL_ALLOW 1
#define DP_ACL_DENY  2

/**
 * The worker loop; pass the worker as the launch argument of rte_eal_remote_launch().
 * Returns when dp_quit is set.
 */
int dp_worker_main(void *arg);

/** Cache clock of a worker: seconds since @p tsc_start at @p tsc_hz. */
static inline uint32_t
dp_worker_clock(uint64_t tsc, uint64_t tsc_start, uint64_t tsc_hz)
{
	return (uint32_t)((tsc - tsc_start) / tsc_hz);
}

#endif /* DP_WORKER_H */
