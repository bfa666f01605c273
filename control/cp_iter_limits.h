/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bounds of one client question's resolution (struct cp_iter_limits), their
 * defaults and the ranges the configuration accepts (resolver: section). A header
 * of its own so the configuration loader needs nothing else of the iterator.
 *
 * Defaults, checked against the sources (Unbound's git at 7fb79b0, BIND 9's at
 * bf74540); each is no looser than the stricter of the two where both bound the
 * same thing:
 *
 *   max_referrals 30       Unbound MAX_REFERRAL_COUNT 130 (iterator/iterator.h);
 *                          BIND has no referral count (max-recursion-queries
 *                          bounds it). The deepest real names have ~10 cuts.
 *   max_cnames 11          CNAMEs followed for the client's name. Unbound
 *                          max-query-restarts 11 (util/config_file.c),
 *                          BIND max-query-restarts 11 (bin/include/defaultconfig.h,
 *                          lib/dns/view.c DEFAULT_MAX_RESTARTS).
 *   max_sent 50            per client question, sub-resolutions and CNAME
 *                          targets included, never reset. BIND max-recursion-
 *                          queries 50 (per name, lib/dns/resolver.c
 *                          DEFAULT_MAX_QUERIES) and max-query-count 200 (whole
 *                          question); Unbound max-global-quota 200 (whole
 *                          question) and max-sent-count 32 (one qstate, reset at
 *                          each referral and CNAME: velodns asks each of at most
 *                          CP_ITER_MAX_ADDRS = 32 addresses of a delegation once,
 *                          and once more after a timeout, CP_ITER_ADDR_SENDS).
 *   max_glueless_deleg 5   NS names without glue resolved for one delegation.
 *                          Unbound MAX_DP_TARGET_COUNT 16; BIND starts at most 3
 *                          address fetches per pass at depth 0 (2, 1, 0 deeper;
 *                          fctx_getaddresses_allowed in lib/dns/resolver.c) and
 *                          uses at most max-delegation-servers 13 names and
 *                          addresses. Chosen 5: under both totals, and velodns
 *                          resolves one name at a time.
 *   max_glueless 16        for the whole question: Unbound MAX_TARGET_COUNT 64.
 *                          Also fixed (not configurable): CP_ITER_MAX_GLUELESS_NX
 *                          = 5 such lookups may end in NXDOMAIN, Unbound
 *                          MAX_TARGET_NX 5.
 *   max_depth 4            nesting of NS-address lookups: Unbound's
 *                          max_dependency_depth is the length of target-fetch-
 *                          policy "3 2 1 0 0" minus one = 4 (iter_utils.c
 *                          read_fetch_policy); BIND max-recursion-depth 7.
 *   max_time_ms 8000       BIND resolver-query-timeout 10000 ms; Unbound has no
 *                          total bound. Under the 10 s many stubs wait in all.
 *   lame_ttl_ms 900000     Unbound keeps lameness in its host cache for
 *                          infra-host-ttl 900 s (infra-lame-ttl no longer exists);
 *                          BIND's lame-ttl is fixed at 0 since CVE-2021-25219
 *                          (a lame cache an attacker can fill). Kept at Unbound's:
 *                          a mark is per (server, zone) and at most
 *                          cp_infra max_lame_per_server are kept per server.
 *
 * QNAME minimisation (RFC 9156 2.3): CP_ITER_MAX_MINIMISE_COUNT 10 and
 * CP_ITER_MINIMISE_ONE_LAB 4 are the RFC's recommended values and Unbound's
 * MAX_MINIMISE_COUNT / MINIMISE_ONE_LAB; CP_ITER_MAX_MINIMISE_TIMEOUTS 3 is
 * Unbound's MAX_MINIMISE_TIMEOUT_COUNT.
 */
#ifndef CP_ITER_LIMITS_H
#define CP_ITER_LIMITS_H

#include <stdint.h>

#define CP_ITER_DEFAULT_MAX_REFERRALS      30
#define CP_ITER_DEFAULT_MAX_CNAMES         11
#define CP_ITER_DEFAULT_MAX_SENT           50
#define CP_ITER_DEFAULT_MAX_GLUELESS_DELEG 5
#define CP_ITER_DEFAULT_MAX_GLUELESS       16
#define CP_ITER_DEFAULT_MAX_DEPTH          4
#define CP_ITER_DEFAULT_MAX_TIME_MS        8000
#define CP_ITER_DEFAULT_LAME_TTL_MS        900000

/*
 * What the configuration accepts (cp_conf_resolver.c). Upper ends are the
 * looser of Unbound's and BIND's ceilings or defaults, or what the iterator's
 * arrays hold (CNAME chain, NS names per delegation).
 */
#define CP_ITER_LIMIT_REFERRALS_MAX      130     /* Unbound MAX_REFERRAL_COUNT */
#define CP_ITER_LIMIT_CNAMES_MAX         23      /* CP_ITER_MAX_CHAIN - 1 names */
#define CP_ITER_LIMIT_SENT_MAX           200     /* Unbound max-global-quota, BIND max-query-count */
#define CP_ITER_LIMIT_GLUELESS_DELEG_MAX 16      /* CP_ITER_MAX_NS, Unbound MAX_DP_TARGET_COUNT */
#define CP_ITER_LIMIT_GLUELESS_MAX       64      /* Unbound MAX_TARGET_COUNT */
#define CP_ITER_LIMIT_DEPTH_MAX          7       /* BIND max-recursion-depth */
#define CP_ITER_LIMIT_TIME_MIN_MS        301     /* BIND resolver-query-timeout's minimum */
#define CP_ITER_LIMIT_TIME_MAX_MS        30000   /* ... and its maximum */
#define CP_ITER_LIMIT_LAME_TTL_MAX_MS    3600000 /* one hour */

/* Fixed bounds (not configurable). */
#define CP_ITER_MAX_GLUELESS_NX       5  /* NS-address lookups ending in NXDOMAIN, per question */
#define CP_ITER_MAX_MINIMISE_COUNT    10 /* RFC 9156 MAX_MINIMISE_COUNT */
#define CP_ITER_MINIMISE_ONE_LAB      4  /* RFC 9156 MINIMISE_ONE_LAB */
#define CP_ITER_MAX_MINIMISE_TIMEOUTS 3  /* Unbound MAX_MINIMISE_TIMEOUT_COUNT */
#define CP_ITER_MAX_PARENT_FALLBACKS  2  /* dead cached delegations retried from their parent,
                                            per client question (each iterator once) */

/** Bounds of one client question; over any -> SERVFAIL with its cause. */
struct cp_iter_limits {
	uint32_t max_referrals;      /* referrals followed by one iterator */
	uint32_t max_cnames;         /* CNAMEs followed from the client's qname */
	uint32_t max_sent;           /* upstream queries, sub-resolutions included */
	uint32_t max_glueless_deleg; /* sub-resolutions started for one delegation */
	uint32_t max_glueless;       /* sub-resolutions for the whole question */
	uint32_t max_depth;          /* nesting of sub-resolutions (client question: 0) */
	uint32_t max_time_ms;        /* from cp_iter_start() of the client question */
	uint32_t lame_ttl_ms;        /* how long a lame mark lasts */
};

/** Fill @p l with the CP_ITER_DEFAULT_* values. */
static inline void
cp_iter_limits_default(struct cp_iter_limits *l)
{
	l->max_referrals = CP_ITER_DEFAULT_MAX_REFERRALS;
	l->max_cnames = CP_ITER_DEFAULT_MAX_CNAMES;
	l->max_sent = CP_ITER_DEFAULT_MAX_SENT;
	l->max_glueless_deleg = CP_ITER_DEFAULT_MAX_GLUELESS_DELEG;
	l->max_glueless = CP_ITER_DEFAULT_MAX_GLUELESS;
	l->max_depth = CP_ITER_DEFAULT_MAX_DEPTH;
	l->max_time_ms = CP_ITER_DEFAULT_MAX_TIME_MS;
	l->lame_ttl_ms = CP_ITER_DEFAULT_LAME_TTL_MS;
}

#endif /* CP_ITER_LIMITS_H */
