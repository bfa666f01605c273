/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Answers leaving the control thread: to the workers (cache fills and replies to
 * punted clients, through cp_push) and to TCP clients (through cp_tcp).
 * Control thread only.
 */
#ifndef CP_ANSWER_H
#define CP_ANSWER_H

#include <stdint.h>

#include "cp_daemon.h"
#include "cp_flight.h"
#include "dns_template.h"

/**
 * Finish flight @p f: remove it from the table, push template @p t (if not NULL)
 * to the caches of the workers that asked (or all, per configuration) for
 * @p cache_ttl seconds (0: not cached), answer every waiter from @p t, or with
 * @p rcode when @p t is NULL, and free @p f.
 */
void cp_answer_flight(struct cp_daemon *d, struct cp_flight *f, const struct dns_template *t,
		      uint32_t cache_ttl, uint16_t rcode);

/* Options of cp_answer_flight_opts() and cp_answer_push(). */
#define CP_ANSWER_PREFETCH    1u /* resolver data: workers may prefetch it (DP_BLOB_PREFETCH) */
#define CP_ANSWER_ALL_WORKERS 2u /* push to every worker, whatever the flight's mask */

/** As cp_answer_flight(), with CP_ANSWER_* @p opts. */
void cp_answer_flight_opts(struct cp_daemon *d, struct cp_flight *f,
			   const struct dns_template *t, uint32_t cache_ttl, uint16_t rcode,
			   unsigned opts);

/**
 * Push template @p t for @p key to the workers' caches for @p cache_ttl seconds
 * (> 0), outside any flight (a resolution that went on after its clients were
 * answered): to the workers in @p mask (CP_FLIGHT_MASK_WORDS words), or to all
 * with CP_ANSWER_ALL_WORKERS or cache.push-to-all-workers. @return 0 or -ENOMEM.
 */
int cp_answer_push(struct cp_daemon *d, const struct dns_key *key, const struct dns_template *t,
		   uint32_t cache_ttl, const uint64_t *mask, unsigned opts);

/** Answer one client at once with @p rcode, outside any flight (errors, limits). */
void cp_answer_now(struct cp_daemon *d, const struct cp_waiter *w, uint16_t rcode);

/**
 * How long workers may cache @p t: its smallest TTL, capped by max-negative-ttl for
 * a negative answer, within [min-ttl, max-ttl]; 0 (serve, do not cache) without RRs.
 */
uint32_t cp_answer_cache_ttl(const struct cp_cache_conf *c, const struct dns_template *t);

/** Take a query from a worker's punt or a TCP connection (copied). */
void cp_query_submit(struct cp_daemon *d, const struct cp_waiter *w);

/** A worker's prefetch report (DP_PUNT_PREFETCH). Defined in cp_prefetch.c. */
void cp_prefetch_report(struct cp_daemon *d, const struct dp_punt *p);

/** A worker's answer to a cache-lookup request (control socket). Defined in cp_commands.c. */
void cp_answer_lookup_result(struct cp_daemon *d, const struct dp_punt *p);

#endif /* CP_ANSWER_H */
