/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The daemon as the control thread sees it: the configuration, the workers and
 * their rings, and the control-thread services (in-flight table, pushes to the
 * workers, local data, TCP listener, control socket).
 *
 * Owner: the control thread (the EAL main lcore). Workers reach none of this;
 * they know the control thread only through their rings.
 */
#ifndef CP_DAEMON_H
#define CP_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "cp_conf.h"
#include "dp_doorbell.h"
#include "dp_msg.h"
#include "dp_worker.h"

struct cp_flight_table;
struct cp_push;
struct cp_localdata;
struct cp_tcp;
struct cp_ctl;
struct cp_resolver;
struct steer_handle;
struct rte_mempool;

#define CP_MAX_SOCKETS 8

/** A configured port once running. */
struct cp_port_rt {
	uint16_t port_id;
	uint16_t exc_port_id;            /* full mode: the exception TAP port, else DP_NO_PORT */
	struct steer_handle *steer;      /* AF_XDP mode: the steering program's maps */
	uint8_t mac[6];
};

/* Why a question was not answered from the cache or local data; one counter each. */
enum cp_fail {
	CP_FAIL_NOT_LOCAL = 0,   /* REFUSED: no local data and no resolver configured */
	CP_FAIL_FLIGHTS_FULL,    /* SERVFAIL: too many questions in flight */
	CP_FAIL_WAITERS_FULL,    /* SERVFAIL: too many clients waiting on one question */
	CP_FAIL_BAD_PUNT,        /* a punt message that does not parse (a bug if ever seen) */
	CP_FAIL_TEMPLATE,        /* the answer could not be built into a template */
	CP_FAIL_NO_MEMORY,
	CP_FAIL_RESOLVE,         /* SERVFAIL: the resolver could not answer (cause in its stats) */
	CP_FAIL_COUNT,
};

/** Counters of the control thread. W and R: the control thread only. */
struct cp_stats {
	uint64_t punts;          /* queries punted by workers */
	uint64_t tcp_queries;
	uint64_t coalesced;      /* queries that joined a question already in flight */
	uint64_t local_answers;  /* questions answered from local data */
	uint64_t udp_replies;    /* replies sent through workers */
	uint64_t tcp_replies;
	uint64_t pushed_entries; /* cache entries pushed to workers */
	uint64_t tcp_refused;    /* TCP queries from clients outside the ACL */
	uint64_t fail[CP_FAIL_COUNT];
};

struct cp_daemon {
	struct cp_conf conf;
	uv_loop_t *loop;
	unsigned n_workers;
	struct dp_worker **workers;      /* [n_workers], allocated on each worker's socket */
	struct dp_shared *shared;        /* immutable while workers run */
	struct cp_port_rt *ports;        /* [conf.n_ports] */
	struct rte_mempool *pools[CP_MAX_SOCKETS]; /* mbufs, one pool per NUMA socket in use */
	bool eal_ready;
	bool launched;
	struct cp_flight_table *flights;
	struct cp_push *push;
	struct cp_localdata *local;
	struct cp_resolver *resolver;    /* NULL without a resolver section */
	struct cp_tcp *tcp;
	struct cp_ctl *ctl;
	struct cp_stats stats;
	uint64_t start_ns;
	uint32_t lookup_cookie;          /* numbers cache-lookup requests to the workers */
	uint32_t tcp_rotation;           /* rotates the RRsets of answers sent over TCP */
	struct dp_doorbell doorbell;     /* workers wake the loop after punting (velodns.c) */
};

/**
 * Take a punted or TCP query: answer errors at once, else join or start the
 * flight for its question. Defined in cp_query.c.
 */
void cp_query_punt(struct cp_daemon *d, const struct dp_punt *p);

/** Drain every worker's punt ring (bounded per call). @return messages handled. */
unsigned cp_query_poll(struct cp_daemon *d);

#endif /* CP_DAEMON_H */
