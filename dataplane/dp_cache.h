/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The answer cache: one table per worker lcore, holding response templates
 * keyed by (qname, qtype, qclass, DO) (struct dns_key).
 *
 * Owner: one dataplane lcore. Only that lcore calls these functions after
 * launch; there are no locks and no atomics. The control thread never touches
 * a worker's cache: it sends fills and flushes through the worker's ring.
 *
 * Memory is fixed at creation (mem_bytes): a bucketed hash table sized for
 * max_entries, and an arena cut into 64 KiB pages that are handed to size
 * classes on demand (slab). When a class needs room and no page is free, an
 * entry of that class is evicted by its CLOCK hand (approximate LRU: a hit sets
 * the entry's referenced bit, the hand clears it and evicts the first entry
 * found unreferenced or expired); a class that owns no page takes one from the
 * class with the most, evicting what lived there. Expired entries are dropped
 * lazily: by the lookup that finds them, or by the hand that passes them.
 *
 * Buckets are one cache line: ten 16-bit tags, ten entry references and a count
 * of the keys that overflowed past the bucket (F14-style), so a lookup stops at
 * the first bucket that nothing overflowed from. The bucket is chosen by the
 * hash of the name alone, so every type of one name lives in one probe sequence
 * and dp_cache_flush_name() needs no scan.
 */
#ifndef DP_CACHE_H
#define DP_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_query.h"
#include "dns_template.h"

/* Smallest budget dp_cache_create() accepts. */
#define DP_CACHE_MIN_MEM (256u * 1024)
/* Largest entry (header + key + template) any size class holds. */
#define DP_CACHE_ENTRY_MAX 16384
/* Bulk lookups take at most this many keys at once (a burst). */
#define DP_CACHE_BULK_MAX 64

typedef void *(*dp_cache_alloc_fn)(size_t size, size_t align, void *ctx);
typedef void (*dp_cache_free_fn)(void *ptr, void *ctx);

struct dp_cache_params {
	size_t mem_bytes;        /* whole budget, table and entries; >= DP_CACHE_MIN_MEM */
	uint32_t max_entries;    /* table capacity; 0: mem_bytes / 128 */
	uint64_t seed;           /* hash seed; 0: one is drawn from getrandom(2) */
	dp_cache_alloc_fn alloc; /* zeroed, aligned memory; NULL: the C library's */
	dp_cache_free_fn free;   /* must match alloc; NULL with alloc NULL */
	void *alloc_ctx;         /* passed to alloc and free (e.g. a NUMA socket id) */
};

struct dp_cache_stats {
	uint64_t lookups;     /* keys looked up, single and bulk */
	uint64_t hits;
	uint64_t misses;      /* not found, expired included */
	uint64_t expired;     /* found but past expiry, then dropped */
	uint64_t inserts;     /* new keys */
	uint64_t replaces;    /* inserts over an existing key */
	uint64_t evictions;   /* live entries pushed out for room */
	uint64_t deletes;     /* dp_cache_delete() and flushes */
	uint64_t insert_fails;
	uint64_t entries;     /* live now */
	uint64_t bytes;       /* bytes of the slots the live entries occupy */
	uint64_t mem_bytes;   /* table plus every page handed to a size class */
	uint64_t mem_budget;  /* the mem_bytes given at creation */
	uint64_t capacity;    /* max_entries */
};

/*
 * One cached answer. Only dp_cache.c writes its fields, apart from the two the
 * accessors below bump on a hit (rotation, prefetch_window); the worker reads
 * them through the accessors. The key follows the header, then the template
 * (4-byte aligned, dp_cache_entry_tmpl_off()). 16 bytes: a one-A entry with a
 * 20-octet name fits the 96-byte slot class, and one more byte would not.
 */
struct dp_cache_entry {
	uint32_t inserted;   /* cache clock (seconds) at insertion */
	uint32_t expires;    /* first second at which it is no longer served */
	uint16_t key_len;
	uint16_t prefetch_window; /* prefetch: a hit this many seconds or less before expires
				   * reports it once (then 0); 0: never (see DP_CACHE_PREFETCH) */
	uint8_t rotation;    /* bumped once per reply: A/AAAA order for load distribution */
	uint8_t referenced;  /* CLOCK bit, set by hits */
	uint8_t size_class;
	uint8_t live;        /* 1 while in the table */
	uint8_t key[];
};

/**
 * Create a cache. Call on (or for) the lcore that will own it.
 * @return the cache, or NULL with errno EINVAL (bad params) or ENOMEM.
 */
struct dp_cache *dp_cache_create(const struct dp_cache_params *p);

/** Free the cache and every entry. NULL is a no-op. Entries handed out are invalid after. */
void dp_cache_destroy(struct dp_cache *c);

/*
 * Insert flag: the entry may be refreshed before it expires (prefetch). Its
 * prefetch window is the last tenth of its TTL, whole seconds (none below
 * 10 s; at most 65535 s, so TTLs over 7.5 days open it earlier than a tenth).
 */
#define DP_CACHE_PREFETCH 1u

/**
 * Insert a copy of template @p t under @p key, replacing any entry with the same key.
 * The entry is served until @p now + @p ttl (exclusive). No prefetch window.
 * @return 0; -EINVAL for a bad key, template or ttl 0; -EMSGSIZE if key and template
 *         exceed DP_CACHE_ENTRY_MAX; -ENOSPC if no room could be made.
 */
int dp_cache_insert(struct dp_cache *c, const struct dns_key *key, const struct dns_template *t,
		    uint32_t now, uint32_t ttl);

/** As dp_cache_insert(), with @p flags: 0 or DP_CACHE_PREFETCH. */
int dp_cache_insert_flags(struct dp_cache *c, const struct dns_key *key,
			  const struct dns_template *t, uint32_t now, uint32_t ttl, unsigned flags);

/**
 * Find the live entry for @p key at time @p now. An expired entry found is removed.
 * @return the entry (valid until the next insert, delete or flush on this cache) or NULL.
 */
struct dp_cache_entry *dp_cache_lookup(struct dp_cache *c, const struct dns_key *key,
				       uint32_t now);

/**
 * Look up @p n keys (n <= DP_CACHE_BULK_MAX) at once, prefetching buckets and
 * entries across the batch. Same result as @p n calls of dp_cache_lookup().
 * @param[out] hits hits[i] is the entry for keys[i] or NULL.
 * @return the number of hits.
 */
unsigned dp_cache_lookup_bulk(struct dp_cache *c, const struct dns_key *const keys[], unsigned n,
			      uint32_t now, struct dp_cache_entry *hits[]);

/** Remove the entry for @p key. @return 0 or -ENOENT. */
int dp_cache_delete(struct dp_cache *c, const struct dns_key *key);

/**
 * Remove every entry whose question name is @p name (lower-case wire form, any
 * type, class or DO). @return the number removed.
 */
unsigned dp_cache_flush_name(struct dp_cache *c, const uint8_t *name, size_t name_len);

/** Remove every entry. */
void dp_cache_flush_all(struct dp_cache *c);

/** Copy the counters. */
void dp_cache_get_stats(const struct dp_cache *c, struct dp_cache_stats *s);

typedef int (*dp_cache_walk_fn)(const struct dp_cache_entry *e, void *arg);

/**
 * Call @p fn on every live entry (expired ones included, in no order) until it
 * returns non-zero. @p fn must not modify the cache. @return fn's last result.
 */
int dp_cache_walk(const struct dp_cache *c, dp_cache_walk_fn fn, void *arg);

/** Offset of the template in an entry whose key is @p key_len bytes. */
static inline size_t
dp_cache_entry_tmpl_off(size_t key_len)
{
	return (offsetof(struct dp_cache_entry, key) + key_len + 3) & ~(size_t)3;
}

static inline const struct dns_template *
dp_cache_entry_template(const struct dp_cache_entry *e)
{
	return (const struct dns_template *)(const void *)((const uint8_t *)e +
							   dp_cache_entry_tmpl_off(e->key_len));
}

/**
 * Is a hit at @p now in @p e's prefetch window, not yet reported? One add and
 * one compare on the hit path: a live entry has now < expires, so a window of
 * 0 is never due.
 */
static inline bool
dp_cache_entry_prefetch_due(const struct dp_cache_entry *e, uint32_t now)
{
	return now + e->prefetch_window >= e->expires;
}

/** The report for @p e went out: never due again (a replacing insert opens a new window). */
static inline void
dp_cache_entry_prefetch_reported(struct dp_cache_entry *e)
{
	e->prefetch_window = 0;
}

/** Seconds since insertion, for dns_serve()'s age. */
static inline uint32_t
dp_cache_entry_age(const struct dp_cache_entry *e, uint32_t now)
{
	return now - e->inserted;
}

/** Rotation step for the next reply from @p e (then advanced). */
static inline uint32_t
dp_cache_entry_next_rotation(struct dp_cache_entry *e)
{
	return e->rotation++;
}

#endif /* DP_CACHE_H */
