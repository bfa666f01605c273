/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The timed loops of the bench harness.
 *
 * hitpath: the worker's hit path without the NIC, burst by burst as DESIGN.md
 * draws it: dns_query_parse() each packet of the burst into a struct dns_query
 * array, one dp_cache_lookup_bulk() over the burst's keys, then dns_serve()
 * each hit into a per-slot output buffer (limit dns_query_udp_limit(q, 1232),
 * age and rotation from the entry accessors). Order of a run:
 *
 *   1. warm-up: one pass over the whole query set, untimed, every reply checked
 *   2. timed: whole passes until min_ns has gone by (or exactly `repeat`)
 *   3. stages (optional): one more pass with a TSC read between the three steps
 *      of each burst, for a breakdown; its total is reported apart
 *
 * The timed loop folds the length and the last 8 bytes of every reply into a
 * checksum (one burst later, see bench_fold_prev()), so the compiler cannot
 * drop the serving; the last burst of the timed passes is checked after the
 * clock stops.
 *
 * parse, serve: each step alone (see the functions).
 *
 * Owner: the calling thread, pinned by the caller; the cache must be this
 * thread's. Nothing here allocates after setup.
 */
#ifndef BENCH_HITPATH_H
#define BENCH_HITPATH_H

#include <stdbool.h>
#include <stdint.h>

#include "dp_cache.h"

#include "bench_stream.h"

/* Output room per burst slot, as an mbuf's data room. */
#define BENCH_OUT_CAP 2048

struct bench_run_cfg {
	uint32_t now;    /* cache clock of the lookups */
	unsigned burst;  /* 1..DP_CACHE_BULK_MAX */
	unsigned repeat; /* timed passes; 0: as many as min_ns needs */
	uint64_t min_ns; /* with repeat 0: time the passes take at least */
	bool stages;     /* run the stage-breakdown pass */
	unsigned window; /* serve: queries in the pre-parsed window */
};

struct bench_run_result {
	uint64_t queries; /* timed: packets processed */
	unsigned passes;
	uint64_t ns;  /* timed: CLOCK_MONOTONIC */
	uint64_t tsc; /* timed: TSC ticks */
	uint64_t hits;
	uint64_t misses;
	uint64_t not_answer; /* parse verdict other than ANSWER */
	uint64_t serve_err;  /* dns_serve() < 0 */
	uint64_t reply_bytes;
	uint64_t checksum;
	uint64_t checked; /* replies checked (warm-up and samples) */
	uint64_t warm_ns; /* warm-up pass */
	uint64_t ctxsw;   /* timed: involuntary context switches of this thread */
	uint64_t cpu_ns;  /* timed: CPU time of this thread */
	/* Stage pass: TSC ticks per step, and its packets. */
	uint64_t st_parse, st_lookup, st_serve, st_queries;
	/* Set when a check failed: which query and what. */
	const char *fail;
	uint64_t fail_index;
};

/**
 * Run the hit path over @p qs against @p c.
 * @return 0, or -EPROTO with res->fail set if a reply failed its check.
 */
int bench_hitpath_run(struct dp_cache *c, const struct bench_queries *qs,
                      const struct bench_run_cfg *cfg, struct bench_run_result *res);

/**
 * Time dns_query_parse() alone over @p qs (passes as in the hit path; hits
 * counts ANSWER verdicts). @return 0.
 */
int bench_parse_run(const struct bench_queries *qs, const struct bench_run_cfg *cfg,
                    struct bench_run_result *res);

/**
 * Time dns_serve() alone: the first cfg->window queries of @p qs are parsed and
 * looked up once, then served round and round (templates stay in the CPU's
 * caches, so this is serve's own cost). queries counts replies written.
 * @return 0, -ENOMEM, or -EPROTO with res->fail set.
 */
int bench_serve_run(struct dp_cache *c, const struct bench_queries *qs,
                    const struct bench_run_cfg *cfg, struct bench_run_result *res);

/**
 * Check one reply @p r of @p len bytes to @p q served from @p e.
 * @return NULL if it is right, else what is wrong.
 */
const char *bench_reply_check(const struct dns_query *q, const struct dp_cache_entry *e,
                              const uint8_t *r, int len);

#endif /* BENCH_HITPATH_H */
