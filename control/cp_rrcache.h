/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The master cache: every RRset and negative answer the resolver has learnt,
 * held by the control thread, from which it answers and starts iterating.
 *
 * Layout. A hash map (cp_namemap) from lower-cased owner names to name nodes;
 * each node lists the entries at that name, one per (type, class): a positive
 * RRset, a NODATA entry for a type (RFC 2308 2.2), or one NXDOMAIN entry for
 * the whole name (RFC 2308 2.1, type 0). A name holds either an NXDOMAIN entry
 * or positive/NODATA entries of a class, never both. Every entry is also on
 * one LRU list (most recently stored or used at the head); when a store would
 * take the cache over its byte budget, entries are evicted from the tail.
 *
 * Credibility (RFC 2181 5.4.1): each entry carries the rank of the data it was
 * built from. A store replaces an unexpired entry only if its rank is >= the
 * entry's; an expired entry is always replaced. So glue never overwrites an
 * authoritative answer, and an authoritative answer always overwrites glue.
 *
 * Time: callers pass `now` in seconds on any clock that does not go backwards
 * (CLOCK_MONOTONIC is fine). An entry stored at t with TTL n lives while
 * now < t + n: at the exact second t + n it is expired and never returned.
 * Lookups do not free expired entries; stores, evictions, flushes and
 * cp_rrcache_purge_expired() do.
 *
 * Serve-stale (RFC 8767). An expired entry is stale while now < expire +
 * stale_max_age. Stale entries are never returned by cp_rrcache_lookup() or
 * cp_rrcache_closest_ns() (so never used for a normal answer nor as delegation
 * data); only cp_rrcache_lookup_stale() returns them, for an answer of last
 * resort when resolution failed. They stay on the LRU list like any entry, so
 * the byte budget bounds them too; a store over one replaces it whatever the
 * ranks, and cp_rrcache_purge_expired() keeps them until the window ends.
 *
 * Ownership: the cache copies everything a store passes in. Pointers returned
 * by lookups (entries, their owner and RDATA) belong to the cache and stay
 * valid until the next call that stores, evicts, purges or flushes; lookups
 * and the iterator never invalidate them.
 *
 * Owner: the control thread. Allocates with malloc; no locks, not thread-safe.
 */
#ifndef CP_RRCACHE_H
#define CP_RRCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_template.h"

/*
 * Trust ranks, lowest first (RFC 2181 5.4.1, simplified to five levels).
 * "Non-authoritative" means a reply without AA, such as a referral.
 */
enum cp_rrc_rank {
	CP_RRC_RANK_ADDITIONAL = 1,    /* additional section, glue included */
	CP_RRC_RANK_NONAUTH_AUTHORITY, /* authority section of a non-AA reply (referral NS) */
	CP_RRC_RANK_NONAUTH_ANSWER,    /* answer section of a non-AA reply */
	CP_RRC_RANK_AUTH_AUTHORITY,    /* authority section of an AA reply */
	CP_RRC_RANK_AUTH_ANSWER,       /* answer section of an AA reply */
};

/* What an entry says. */
enum cp_rrc_kind {
	CP_RRC_POSITIVE = 0, /* an RRset of (owner, type, class) */
	CP_RRC_NODATA = 1,   /* owner exists, no RRset of this type (RFC 2308 2.2) */
	CP_RRC_NXDOMAIN = 2, /* owner does not exist, no type at all (RFC 2308 2.1) */
};

/* Defaults for struct cp_rrc_conf, close to Unbound's. */
#define CP_RRC_DEFAULT_MAX_BYTES   (64u << 20) /* msg-cache + rrset-cache: 4m + 4m in Unbound */
#define CP_RRC_DEFAULT_MIN_TTL     0           /* cache-min-ttl */
#define CP_RRC_DEFAULT_MAX_TTL     86400       /* cache-max-ttl: one day */
#define CP_RRC_DEFAULT_MAX_NEG_TTL 3600        /* cache-max-negative-ttl: one hour */
#define CP_RRC_DEFAULT_STALE_MAX_AGE 0         /* the library keeps nothing stale unless asked;
						* the daemon's resolver.stale-max-age is 1 day */

/* Most RDATA in one stored RRset (same bound as a template's RRs). */
#define CP_RRC_MAX_RDATA DNS_TMPL_MAX_RR

struct cp_rrc_conf {
	size_t max_bytes;     /* budget for entries, name nodes and RDATA (not hash slots) */
	uint32_t min_ttl;     /* TTLs below are raised to this on store (positive data) */
	uint32_t max_ttl;     /* TTLs above are lowered to this; wins over min_ttl */
	uint32_t max_neg_ttl; /* cap of negative TTLs (RFC 2308 5) */
	uint32_t stale_max_age; /* seconds past expiry an entry may still serve stale; 0: none */
};

/*
 * One cached entry, as lookups and the iterator see it. Read-only for callers.
 * Positive: the RRset's RDATA. Negative: rdata[0] is the SOA's RDATA and
 * soa_owner its owner (the zone apex), to go into the authority section.
 */
struct cp_rrc_rrset {
	const uint8_t *owner; /* lower-cased, uncompressed */
	uint16_t type;        /* 0 for NXDOMAIN */
	uint16_t rclass;
	uint8_t kind; /* enum cp_rrc_kind */
	uint8_t rank; /* enum cp_rrc_rank */
	uint16_t n_rdata;
	uint32_t ttl;    /* TTL as stored, after clamps */
	uint64_t expire; /* absolute: now + ttl at store time */
	const struct dns_rdata *rdata;
	const uint8_t *soa_owner; /* negative entries only, else NULL */
};

/* Counters; entries and bytes are gauges, the others only grow (until reset). */
struct cp_rrc_stats {
	uint64_t entries;      /* positive and negative entries held */
	uint64_t bytes;        /* accounted against max_bytes */
	uint64_t hits;         /* cp_rrcache_lookup() answered from a positive RRset */
	uint64_t neg_hits;     /* ... from an NXDOMAIN or NODATA entry */
	uint64_t misses;       /* ... nothing unexpired */
	uint64_t evictions;    /* entries dropped for the byte budget */
	uint64_t replaced;     /* unexpired entries replaced by a store of rank >= theirs */
	uint64_t refused_rank; /* stores refused: an unexpired entry of higher rank */
	uint64_t expired;      /* expired entries freed by a store or a purge */
	uint64_t stale_hits;   /* cp_rrcache_lookup_stale() answered from an expired entry */
};

struct cp_rrcache;

/** Delegation found by cp_rrcache_closest_ns(). */
struct cp_rrc_deleg {
	const struct cp_rrc_rrset *ns; /* the NS RRset; its owner is the zone cut */
	uint32_t ttl;                  /* its remaining TTL */
	size_t n_glue;                 /* glue RRsets written to the caller's array */
};

/** Fill @p conf with the CP_RRC_DEFAULT_* values. */
void cp_rrcache_conf_default(struct cp_rrc_conf *conf);

/**
 * Create an empty cache with the limits of @p conf (copied; NULL: defaults).
 * Control thread only. Free with cp_rrcache_free().
 * @return the cache, or NULL on allocation failure or max_bytes == 0.
 */
struct cp_rrcache *cp_rrcache_new(const struct cp_rrc_conf *conf);

/** Free @p c and everything in it. NULL is fine. */
void cp_rrcache_free(struct cp_rrcache *c);

/**
 * Change the limits (config reload). TTL clamps apply to later stores only; a
 * smaller budget evicts at once (LRU first). Control thread only.
 * @return 0, or -EINVAL if max_bytes is 0.
 */
int cp_rrcache_set_conf(struct cp_rrcache *c, const struct cp_rrc_conf *conf);

/**
 * Store a positive RRset. @p rr's owner (any case), type, class, TTL and RDATA
 * are copied (@p rr->section is ignored); duplicate RDATA are stored once
 * (RFC 2181 5). The TTL is clamped: top bit set -> 0 (RFC 2181 8), then
 * min_ttl, then max_ttl. A TTL that ends up 0 still replaces what it may
 * replace but stores nothing. Storing at a name with an NXDOMAIN entry of the
 * same class replaces that entry under the same rank rule. May evict.
 * Control thread only; the caller keeps and frees @p rr.
 * @return 0 stored (or nothing to store), -EEXIST refused (an unexpired entry
 *         of higher rank is kept), -EINVAL bad input (name, type 0 or a
 *         meta type, no RDATA, more than CP_RRC_MAX_RDATA), -EMSGSIZE larger than
 *         the whole budget, -ENOMEM.
 */
int cp_rrcache_store(struct cp_rrcache *c, const struct dns_rrset_in *rr, enum cp_rrc_rank rank,
                     uint64_t now);

/**
 * Store a negative answer (RFC 2308): @p kind CP_RRC_NXDOMAIN for @p qname
 * (all types; @p qtype ignored; replaces every entry of that class at the name
 * it may replace) or CP_RRC_NODATA for (@p qname, @p qtype). @p soa is the SOA
 * RRset from the authority section (one RDATA; it is copied). The entry's TTL
 * is min(SOA TTL, SOA MINIMUM), each with the top-bit rule, capped by
 * max_neg_ttl (min_ttl does not apply). Same rank rule and return values as
 * cp_rrcache_store(); -EINVAL also for an SOA that does not parse.
 * Control thread only; the caller keeps @p qname and @p soa.
 */
int cp_rrcache_store_negative(struct cp_rrcache *c, enum cp_rrc_kind kind, const uint8_t *qname,
                              uint16_t qtype, uint16_t qclass, const struct dns_rrset_in *soa,
                              enum cp_rrc_rank rank, uint64_t now);

/**
 * Look up (@p name, @p type, @p rclass): the positive RRset if one is cached,
 * else a NODATA entry for the type, else an NXDOMAIN entry for the name;
 * expired entries do not count. A hit moves the entry to the LRU head and
 * counts in hits or neg_hits; otherwise misses. Control thread only.
 * @param[out] out the entry, valid until the next store/evict/purge/flush.
 * @param[out] ttl remaining TTL (expire - now, >= 1), may be NULL.
 * @return its enum cp_rrc_kind (>= 0), -ENOENT if nothing, -EINVAL bad name.
 */
int cp_rrcache_lookup(struct cp_rrcache *c, const uint8_t *name, uint16_t type, uint16_t rclass,
                      uint64_t now, const struct cp_rrc_rrset **out, uint32_t *ttl);

/**
 * Look up (@p name, @p type, @p rclass) for a serve-stale answer (RFC 8767): as
 * cp_rrcache_lookup(), but an entry expired less than stale_max_age seconds
 * ago counts too (an unexpired one is preferred: positive, NODATA, then
 * NXDOMAIN, each alive before stale). Touches the LRU; counts stale_hits when
 * the entry is expired, nothing otherwise. Control thread only.
 * @param[out] out the entry, valid like a lookup result.
 * @param[out] stale true if it is expired (may be NULL).
 * @return its enum cp_rrc_kind (>= 0), -ENOENT if nothing usable, -EINVAL bad name.
 */
int cp_rrcache_lookup_stale(struct cp_rrcache *c, const uint8_t *name, uint16_t type,
                            uint16_t rclass, uint64_t now, const struct cp_rrc_rrset **out,
                            bool *stale);

/**
 * The closest enclosing delegation for @p qname: the deepest unexpired NS
 * RRset of @p rclass at @p qname or an ancestor (the root included), and the
 * cached, unexpired A and AAAA RRsets of its NS names that lie in the delegated
 * zone (in-bailiwick glue; others are for the caller to resolve or look up).
 * Touches what it returns in the LRU; counts nothing. Control thread only.
 * @param glue caller's array for up to @p glue_cap glue RRsets (may be NULL if
 *        @p glue_cap is 0); entries valid like lookup results.
 * @return 0 and @p out filled, -ENOENT no NS cached at or above @p qname,
 *         -EINVAL bad name.
 */
int cp_rrcache_closest_ns(struct cp_rrcache *c, const uint8_t *qname, uint16_t rclass, uint64_t now,
                          struct cp_rrc_deleg *out, const struct cp_rrc_rrset **glue,
                          size_t glue_cap);

/**
 * An RRset ready for dns_template_build(): for a positive entry the RRset
 * itself, for a negative one its SOA; TTL = remaining TTL at @p now (0 if
 * expired). @p out points into @p e, so it is valid as long as @p e is.
 */
void cp_rrcache_rrset_in(const struct cp_rrc_rrset *e, uint64_t now, enum dns_section section,
                         struct dns_rrset_in *out);

/** Remove every entry at exactly @p name. @return entries removed, or -EINVAL. */
int cp_rrcache_flush_name(struct cp_rrcache *c, const uint8_t *name);

/** Remove every entry at or below @p zone ("." empties the cache). @return removed or -EINVAL. */
int cp_rrcache_flush_zone(struct cp_rrcache *c, const uint8_t *zone);

/** Remove everything (counters other than the gauges are kept). @return entries removed. */
size_t cp_rrcache_flush_all(struct cp_rrcache *c);

/**
 * Free every entry expired at @p now and past its stale window (expired for
 * stale_max_age seconds or more; with stale_max_age 0, every expired entry).
 * Walks the whole cache. @return entries freed.
 */
size_t cp_rrcache_purge_expired(struct cp_rrcache *c, uint64_t now);

/**
 * Callback of cp_rrcache_walk(): @p e is one entry (expired ones included;
 * compare e->expire with now). Must not change the cache. Return 0 to go on,
 * anything else to stop the walk with that value.
 */
typedef int (*cp_rrc_walk_fn)(const struct cp_rrc_rrset *e, void *arg);

/**
 * Call @p fn on every entry, most recently used first (for `cache dump`).
 * Does not touch the LRU order. @return 0, or the first non-zero @p fn result.
 */
int cp_rrcache_walk(const struct cp_rrcache *c, cp_rrc_walk_fn fn, void *arg);

/** Copy the counters to @p out. */
void cp_rrcache_stats(const struct cp_rrcache *c, struct cp_rrc_stats *out);

#endif /* CP_RRCACHE_H */
