/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The iterator: iterative resolution of one question (RFC 1034 5.3.3), root ->
 * TLD -> authoritative, asynchronous on the completions of a struct cp_net.
 * DESIGN.md "The miss path"; the machine is drawn after Unbound's iterator.
 *
 * States (enum cp_iter_state), one static function each in cp_iter.c:
 *
 *   INIT             answer from the master cache: positive or negative entry for
 *                    (sname, qtype) -> FINISH; a cached CNAME -> follow it (bound,
 *                    loop check) and stay in INIT; nothing -> FIND_DELEGATION
 *   FIND_DELEGATION  a forward zone enclosing sname (its forwarders), else the
 *                    closest enclosing NS in the cache, else the root hints (and
 *                    a priming round is due)
 *   QUERY_TARGETS    the next minimised name if a step is due; choose an untried
 *                    address (cp_infra_select) -> SEND; none left: resolve a
 *                    glueless NS name by a sub-resolution -> WAIT_TARGET; nothing
 *                    left at all -> SERVFAIL
 *   SEND             cp_net_query() to the chosen server for (sname, qtype), or
 *                    while minimising (a suffix of sname, A)
 *   WAIT_REPLY       a query is out; the net's completion moves on
 *   WAIT_TARGET      a sub-resolution for an NS address is out; its end moves on
 *   PROCESS_RESPONSE cp_response_parse() with the delegation's zone, store what it
 *                    kept, then: answer/CNAME/negative -> INIT (which assembles the
 *                    result from the cache), referral -> QUERY_TARGETS (downwards),
 *                    lame/error -> mark, QUERY_TARGETS (next server); a reply to
 *                    a minimised query -> QUERY_TARGETS (one step longer, or the
 *                    full name after a refusal of the shortened one)
 *   FINISH           build the result, call the done callback, free
 *
 * Results are assembled from the master cache: every RRset an answer needs is
 * stored before FINISH and read back from the cache there. An answer RRset the
 * cache did not take (TTL 0, or no memory) is held by the iterator instead (a
 * copy, cp_iter_result.c) and returned as it came, TTL 0 included, so it is
 * answered once and never cached; so is the SOA of a negative answer whose
 * negative TTL is 0.
 *
 * Sub-resolutions: an NS name without address is resolved by a child cp_iter
 * (A, then AAAA if A gave nothing), one at a time per iterator. The child shares
 * the client question's budgets (queries sent, glueless lookups, start time) with
 * its ancestors. A (name, type) already being resolved by the iterator or any of
 * its ancestors is never asked again (dependency loop, e.g. ns.example.com for
 * example.com without glue).
 *
 * QNAME minimisation (RFC 9156, on unless env->qname_minimisation is false): a
 * server of zone Z is asked (Z plus one label, A) until the name reaches sname,
 * in Unbound's relaxed mode: NXDOMAIN, errors or silence for a shortened name
 * make the iterator ask the full name instead. cp_iter_qmin.c has the rules.
 *
 * Priming (RFC 8109, cp_iter_prime.c): ". NS" to a hint at start and whenever an
 * iterator has to fall back to the hints (no root NS set cached, or one without
 * addresses); a good answer puts the root's NS and their addresses in the cache,
 * where FIND_DELEGATION takes them like any delegation. Failed rounds back off.
 *
 * Bounds (struct cp_iter_limits, cp_iter_limits.h, where each default is traced
 * to Unbound's and BIND's sources; configurable in the resolver section): 30
 * referrals per iterator, 11 CNAMEs, 50 upstream queries per question (NS
 * lookups and CNAME targets included), 5 glueless NS lookups per delegation and
 * 16 per question (5 of them may end in NXDOMAIN), lookups nested 4 deep, 8 s,
 * lame marks for 15 minutes. Fixed: 10 minimisation steps per delegation (4 of
 * one label), 3 silent minimised queries, 2 parent fallbacks per question.
 *
 * Fallback to the parent: when every server of a delegation found in the cache
 * failed (silent, lame, errors), the iterator goes up once to the next enclosing
 * cached delegation (or the hints, also for a primed root) before it gives up
 * with NO_SERVERS; a referral back to the same zone does not get the servers
 * that failed asked again.
 *
 * Retries: a server that timed out is asked once more per delegation, at its
 * doubled RTO, after the servers not asked yet (CP_ITER_ADDR_SENDS).
 *
 * Serve-stale is the caller's, from the master cache when a resolution fails
 * (cp_stale.h); prefetch starts an iterator in refresh mode (cp_iter_start_refresh).
 *
 * Forwarding (cp_iter_forward.c): a name at or below a zone of env->forward is
 * sent, whole and with RD=1, to that zone's forwarders (recursive resolvers)
 * instead: the delegation is the forward zone with the forwarders as its
 * servers, chosen by cp_infra_select() like any others, never minimised, never
 * falling back to a parent, each query given at least CP_ITER_FWD_MIN_TIMEOUT_MS.
 * Their answer, CNAME or negative answer is the result (cached at
 * non-authoritative ranks; TTL 0 held, as above); timeout,
 * SERVFAIL, REFUSED, a referral or garbage moves to the next forwarder, and one
 * that timed out is asked once more after the others (CP_ITER_ADDR_SENDS, as for
 * authoritative servers). The bounds above apply.
 * A CNAME out of the forward zone is followed like any other: its target
 * starts again at INIT (another forward zone, or iteration).
 *
 * Not done in this pass: DNSSEC (DS
 * questions still go to the child's servers), 0x20, aggressive use of NSEC and
 * of cached NXDOMAIN (RFC 8198, RFC 8020: relaxed minimisation asks the full
 * name), re-trying a minimisation stopped for a name at a later delegation, a
 * per-delegation query cap like Unbound's max-sent-count (each address is asked
 * at most twice per delegation instead), a timer to re-prime before the root NS expires.
 *
 * Time: one clock, env->now_ms(), in milliseconds, monotonic; the cache gets it
 * in seconds. There is no timer of its own: the total-time bound is checked at
 * every event and each query's timeout is cut to the time left, so the net's
 * timeout completion is the latest point where the bound is noticed.
 *
 * Owner: the control thread. No locks. Memory: malloc per iterator (about 23
 * KiB, plus a copy of each RRset held outside the cache) and one response arena
 * per env, reused by every response and priming (parsing, storing and deciding
 * happen in one completion, so nothing keeps it across events).
 */
#ifndef CP_ITER_H
#define CP_ITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "cp_infra.h"
#include "cp_iter_limits.h"
#include "cp_rrcache.h"
#include "cp_upstream.h"
#include "dns_template.h"

/*
 * Least time a forwarder is given to answer: a recursive resolver answering a
 * miss first iterates itself, so the RTO learnt from its cache hits (a few ms)
 * would time out its misses. Unbound's documentation gives the same advice for
 * forwarders (raise infra-cache-min-rtt). Chosen; the question's time bound
 * still cuts it.
 */
#define CP_ITER_FWD_MIN_TIMEOUT_MS 1000

/** Why a resolution ended in SERVFAIL (CP_ITER_OK for any other rcode). */
enum cp_iter_cause {
	CP_ITER_OK = 0,
	CP_ITER_FAIL_REFERRALS,      /* max_referrals */
	CP_ITER_FAIL_CNAMES,         /* max_cnames */
	CP_ITER_FAIL_CNAME_LOOP,     /* a CNAME came back to a name of the chain */
	CP_ITER_FAIL_SENT,           /* max_sent */
	CP_ITER_FAIL_GLUELESS_DELEG, /* max_glueless_deleg, and no server left */
	CP_ITER_FAIL_GLUELESS,       /* max_glueless, and no server left */
	CP_ITER_FAIL_DEPTH,          /* max_depth, and no server left */
	CP_ITER_FAIL_TIME,           /* max_time_ms */
	CP_ITER_FAIL_NO_SERVERS,     /* every server tried failed (dead, lame, errors) */
	CP_ITER_FAIL_CACHE,          /* the answer was neither in the cache nor held */
	CP_ITER_FAIL_NOMEM,
	CP_ITER_CAUSE_COUNT,
};

/** One root hint: an NS name of "." and one of its addresses (port included). */
struct cp_iter_hint {
	const uint8_t *name; /* uncompressed wire name */
	struct sockaddr_storage addr;
};

/** Counters; only grow. */
struct cp_iter_stats {
	uint64_t started;            /* client questions (cp_iter_start) */
	uint64_t sub_started;        /* sub-resolutions for NS addresses */
	uint64_t sent;               /* upstream queries */
	uint64_t timeouts;           /* queries without an acceptable reply */
	uint64_t cache_answers;      /* client questions answered without a query */
	uint64_t qmin_sent;          /* minimised queries (of sent) */
	uint64_t qmin_fallbacks;     /* names whose minimisation stopped: full name asked */
	uint64_t prime_sent;         /* priming queries (". NS" to a hint; not in sent) */
	uint64_t prime_ok;           /* ... answered well: root NS and addresses cached */
	uint64_t prime_failed;       /* priming rounds that ended without a good answer */
	uint64_t parent_fallbacks;   /* dead cached delegations retried from their parent */
	uint64_t forwarded;          /* names sent to forwarders (questions, CNAME targets) */
	uint64_t fwd_failovers;      /* a forwarder failed and another one was asked */
	uint64_t servfail[CP_ITER_CAUSE_COUNT]; /* client questions, by cause */
	uint64_t verdicts[16];       /* responses by enum cp_resp_verdict */
};

struct cp_iter_scratch; /* the shared response arena (cp_iter.c) */
struct cp_forward;      /* cp_forward.h */

/**
 * Everything iterators share. The caller fills the public fields (after
 * cp_iter_env_init()) and keeps the env, the cache, the infra table, the net,
 * the hints and the forward table alive while any iterator runs. The forward
 * table may change between events (control socket): an iterator copies the
 * forwarders it uses when it builds its delegation.
 */
struct cp_iter_env {
	struct cp_rrcache *rrcache;
	struct cp_infra *infra;
	struct cp_net net;
	const struct cp_iter_hint *hints; /* root hints; none (0) only with a forward table */
	size_t n_hints;
	const struct cp_forward *forward; /* forward zones, or NULL (none) */
	struct cp_iter_limits limits;     /* CP_ITER_DEFAULT_* after init */
	bool qname_minimisation;          /* RFC 9156, relaxed (cp_iter_qmin.c); true after init */
	bool priming;                     /* RFC 8109 when the hints are used (cp_iter_prime.c);
	                                     true after init */
	uint64_t (*now_ms)(void *ctx);    /* monotonic milliseconds */
	void *now_ctx;
	struct cp_iter_stats stats;
	struct cp_iter_scratch *scratch;  /* private */
};

/**
 * The outcome of one resolution, valid only during the done callback (and only
 * until the callback stores into, evicts from or flushes the master cache: the
 * RDATA points into it). tmpl is ready for dns_template_build(): qname (as the
 * client asked), qtype, qclass, rcode, and the RRsets in section order: the CNAME
 * chain in order and the final RRset in answer; for NXDOMAIN/NODATA the SOA in
 * authority; for an MX answer the cached A/AAAA of its targets in additional.
 * SERVFAIL carries no RRsets and a cause.
 */
struct cp_iter_result {
	uint8_t rcode;             /* DNS_RCODE_*: NOERROR, NXDOMAIN or SERVFAIL */
	enum cp_iter_cause cause;  /* CP_ITER_OK unless SERVFAIL */
	uint32_t ttl_min;          /* smallest TTL of tmpl's RRsets; UINT32_MAX if none */
	uint16_t count[DNS_SECTION_COUNT];
	struct dns_tmpl_in tmpl;
};

struct cp_iter;

/** Completion of cp_iter_start(); called exactly once unless cancelled. */
typedef void (*cp_iter_done_fn)(void *arg, const struct cp_iter_result *res);

/**
 * Fill @p env with its defaults: the limits, a zero counter block; allocates the
 * response arena. The caller then sets rrcache, infra, net, hints and now_ms.
 * @return 0 or -ENOMEM. Free with cp_iter_env_fini().
 */
int cp_iter_env_init(struct cp_iter_env *env);

/** Free what cp_iter_env_init() allocated (a priming query out is cancelled). No
 *  iterator may still run. */
void cp_iter_env_fini(struct cp_iter_env *env);

/**
 * Start a priming round now (RFC 8109: ". NS" to the hints, the answer's root NS
 * and addresses cached as the root delegation), unless one is out. Call once
 * the env is set up (resolver start); later rounds start by themselves when an
 * iterator needs the hints (env->priming), with backoff after failures.
 * Control thread only; needs hints, now_ms and the net.
 */
void cp_iter_prime(struct cp_iter_env *env);

/**
 * Start resolving (@p qname, @p qtype, @p qclass). @p cb is called exactly once
 * with the result, unless cp_iter_cancel() is called first. It may be called
 * before this function returns (answer in the cache, or an immediate failure);
 * *@p out is then NULL. Otherwise *@p out is the handle, valid until @p cb runs.
 * The iterator copies @p qname. Control thread only.
 * @return 0 (cb called or to come), -EINVAL (bad name, neither hints nor a forward
 *         table, no now_ms) or
 *         -ENOMEM; on error cb is never called.
 */
int cp_iter_start(struct cp_iter_env *env, const uint8_t *qname, uint16_t qtype,
		  uint16_t qclass, cp_iter_done_fn cb, void *arg, struct cp_iter **out);

/**
 * As cp_iter_start(), in refresh mode (prefetch): for the client question's own
 * names (the question and the CNAMEs it leads to, not NS address lookups), a
 * cached entry in the last tenth of its TTL (one second of slack for the
 * workers' clock) that was stored before this call counts as missing, so it is
 * asked again before it expires. Entries with more left answer as usual.
 */
int cp_iter_start_refresh(struct cp_iter_env *env, const uint8_t *qname, uint16_t qtype,
			  uint16_t qclass, cp_iter_done_fn cb, void *arg, struct cp_iter **out);

/**
 * Stop @p it: its upstream query and sub-resolutions are cancelled, everything
 * freed, the callback never called. @p it must be a live handle (its callback
 * has not run); calling this from inside its own callback is a bug.
 */
void cp_iter_cancel(struct cp_iter *it);

/** Short lower-case name of a cause ("referrals", "no_servers", ...). */
const char *cp_iter_cause_name(enum cp_iter_cause c);

#endif /* CP_ITER_H */
