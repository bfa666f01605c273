/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The daemon's resolver: what answers the flights local data cannot. It owns
 * the master cache, the server infrastructure data, the upstream sockets, the
 * root hints and the forward table, and runs one iterator (cp_iter) per flight.
 *
 * Serve-stale (RFC 8767, cp_stale.h): a flight whose resolution ends in
 * SERVFAIL is answered from stale master-cache data if there is any; with
 * resolver.stale-client-timeout, clients still waiting when it fires get that
 * answer early while the resolution goes on, and its fresh answer, if it comes,
 * is pushed to the workers over the stale copies. Prefetch (cp_prefetch.c):
 * cp_resolver_refresh() re-asks what a worker reported in its last tenth.
 *
 * Owner: the control thread; runs on its libuv loop.
 */
#ifndef CP_RESOLVER_H
#define CP_RESOLVER_H

#include <uv.h>

#include "cp_daemon.h"
#include "cp_flight.h"
#include "cp_iter.h"

struct cp_resolver;

/**
 * Load the root hints (a zone file: NS records of "." and the A/AAAA of those
 * names) from @p path into @p hints (@p cap entries) and @p names.
 * @return the number of hints (> 0), or -errno with a message naming the file
 *         (and line) in @p err.
 */
int cp_hints_load(const char *path, struct cp_iter_hint *hints, size_t cap,
		  uint8_t (*names)[DNS_NAME_MAXLEN], char *err, size_t errlen);

/**
 * Create the resolver for d->conf.resolver on d->loop: root hints if given, and
 * the forward zones (it takes d->conf.resolver.forward and leaves NULL there).
 * @return the resolver, or NULL after logging why.
 */
struct cp_resolver *cp_resolver_create(struct cp_daemon *d);

/** Cancel every resolution (their flights stay in the table) and free everything. */
void cp_resolver_destroy(struct cp_resolver *r);

/**
 * Resolve the question of flight @p f (key and @p q). When it ends, the flight
 * is answered through cp_answer_flight(). @return 0, or -errno (the caller
 * answers SERVFAIL).
 */
int cp_resolver_start(struct cp_resolver *r, struct cp_flight *f, const struct dns_query *q);

/**
 * Resolve flight @p f's question in refresh mode (prefetch: cp_iter_start_refresh()),
 * so entries in their last tenth of TTL are asked upstream again. Counted in
 * prefetch_started. Same contract as cp_resolver_start().
 */
int cp_resolver_refresh(struct cp_resolver *r, struct cp_flight *f, const struct dns_query *q);

/** Serve-stale and prefetch counters; only grow. W and R: the control thread. */
struct cp_resolver_stats {
	uint64_t stale_answers;      /* clients answered with stale data (RFC 8767) */
	uint64_t stale_early;        /* flights answered stale by the client-response timer */
	uint64_t prefetch_reports;   /* prefetch reports taken from the workers */
	uint64_t prefetch_coalesced; /* ... for a question already in flight */
	uint64_t prefetch_ignored;   /* ... malformed, or prefetch off */
	uint64_t prefetch_started;   /* refresh resolutions started */
	uint64_t prefetch_done;      /* ... ended with an answer pushed to the workers */
	uint64_t prefetch_failed;    /* ... ended in SERVFAIL (stale data, if any, pushed) */
};

/** The serve-stale and prefetch counters (cp_prefetch.c counts the reports). */
struct cp_resolver_stats *cp_resolver_counters(struct cp_resolver *r);

/** Counters of the iterator. */
const struct cp_iter_stats *cp_resolver_stats(const struct cp_resolver *r);

/** The master cache (for the control socket's cache commands). */
struct cp_rrcache *cp_resolver_rrcache(const struct cp_resolver *r);

/** The upstream's counters (mismatched: forged or stray datagrams ignored) into @p out. */
void cp_resolver_upstream_stats(const struct cp_resolver *r, struct cp_upstream_stats *out);

/** The server infrastructure data (for the control socket's `infra`). */
struct cp_infra *cp_resolver_infra(const struct cp_resolver *r);

/**
 * The forward table (for the control socket's forward commands, which may change
 * it between events; resolutions in flight keep the forwarders they started with).
 */
struct cp_forward *cp_resolver_forward(const struct cp_resolver *r);

/** The resolver's clock: monotonic milliseconds (the master cache takes it / 1000). */
uint64_t cp_resolver_now_ms(const struct cp_resolver *r);

#endif /* CP_RESOLVER_H */
