/* SPDX-License-Identifier: BSD-3-Clause */
/* The per-worker answer cache: a bucketed hash table over slab-allocated entries. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "dp_cache.h"
#include "dp_slab.h"
#include "vd_assert.h"
#include "vd_compiler.h"
#include "vd_hash.h"

#define DP_CACHE_BUCKET_SLOTS 10
/* Saturated overflow counts stay put: a lookup then probes further than it must, never less. */
#define DP_CACHE_OVERFLOW_MAX UINT16_MAX
#define DP_CACHE_KEY_TAIL     5 /* qtype, qclass, DO after the name */
#define DP_CACHE_HUGE_PAGE    (2u << 20)

/* One cache line. tag 0 marks an empty slot; ref is a dp_slab reference. */
struct dp_cache_bucket {
	uint16_t tag[DP_CACHE_BUCKET_SLOTS];
	uint32_t ref[DP_CACHE_BUCKET_SLOTS];
	uint16_t overflow; /* keys whose probe passed this bucket because it was full */
	uint16_t pad;
};

_Static_assert(sizeof(struct dp_cache_bucket) == VD_CACHE_LINE, "a bucket is one cache line");

struct dp_cache {
	/* What every lookup reads, first. */
	struct dp_cache_bucket *table;
	uint32_t mask; /* n_buckets - 1 */
	uint32_t max_entries;
	uint64_t seed;
	struct dp_slab slab;
	struct dp_cache_stats st; /* lookups and mem_bytes are derived when read */
	size_t table_bytes;
	dp_cache_free_fn free;
	void *alloc_ctx;
	struct dp_slab_page pages[]; /* the slab's page descriptors */
};

/* Where an entry sits in the table: its home bucket, its bucket and slot. */
struct dp_cache_pos {
	uint32_t home;
	uint32_t b;
	unsigned i;
};

struct dp_cache_evict_ctx {
	struct dp_cache *c;
	uint32_t now;
};

/* ---- hashing and buckets ---- */

static inline uint64_t
cache_name_hash(const struct dp_cache *c, const uint8_t *key, size_t name_len)
{
	return vd_hash_bytes(key, name_len, c->seed);
}

/* The bucket comes from the name alone; the tag folds in type, class and DO too. */
static inline uint16_t
cache_tag(uint64_t name_hash, const uint8_t *key, size_t name_len)
{
	uint64_t tail = 0;
	uint16_t tag;

	memcpy(&tail, key + name_len, DP_CACHE_KEY_TAIL);
	tag = (uint16_t)(vd_hash_mix(name_hash ^ tail, VD_HASH_K2) >> 48);
	return tag != 0 ? tag : 1;
}

/* Slots of @p b holding @p tag, as bit 2*i for slot i (movemask's layout). */
static inline uint32_t
bucket_match(const struct dp_cache_bucket *b, uint16_t tag)
{
#ifdef __SSE2__
	__m128i t = _mm_set1_epi16((short)tag);
	/* Tags 0..7, then 2..9: two loads cover ten tags without a third. */
	__m128i lo = _mm_load_si128((const __m128i *)(const void *)b->tag);
	__m128i hi = _mm_loadu_si128((const __m128i *)(const void *)(b->tag + 2));
	uint32_t m = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi16(lo, t));

	m |= (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi16(hi, t)) << 4;
	return m & 0x55555;
#else
	uint32_t m = 0;

	for (unsigned i = 0; i < DP_CACHE_BUCKET_SLOTS; i++)
		m |= (uint32_t)(b->tag[i] == tag) << (2 * i);
	return m;
#endif
}

static inline unsigned
match_first(uint32_t m)
{
	return (unsigned)__builtin_ctz(m) >> 1;
}

/*
 * Probe from @p pos->home for @p key: linear, bucket by bucket, stopping after
 * the first bucket nothing overflowed from. Fills pos->b and pos->i on a find.
 */
static inline struct dp_cache_entry *
cache_probe(const struct dp_cache *c, const uint8_t *key, uint16_t key_len, uint16_t tag,
            struct dp_cache_pos *pos)
{
	uint32_t b = pos->home;

	for (uint32_t n = 0; n <= c->mask; n++) {
		const struct dp_cache_bucket *bk = &c->table[b];

		for (uint32_t m = bucket_match(bk, tag); m != 0; m &= m - 1) {
			unsigned i = match_first(m);
			struct dp_cache_entry *e = dp_slab_entry(&c->slab, bk->ref[i]);

			if (likely(e->key_len == key_len && memcmp(e->key, key, key_len) == 0)) {
				pos->b = b;
				pos->i = i;
				return e;
			}
		}
		if (likely(bk->overflow == 0))
			break;
		b = (b + 1) & c->mask;
	}
	return NULL;
}

/* Take slot @p pos out of the table, undoing the overflow counts its insertion added. */
static void
cache_unlink(struct dp_cache *c, const struct dp_cache_pos *pos)
{
	for (uint32_t x = pos->home; x != pos->b; x = (x + 1) & c->mask)
		if (c->table[x].overflow != DP_CACHE_OVERFLOW_MAX)
			c->table[x].overflow--;
	c->table[pos->b].tag[pos->i] = 0;
}

static void
cache_link(struct dp_cache *c, uint32_t home, uint16_t tag, uint32_t ref)
{
	uint32_t b = home;

	/* Load stays under 80% of the slots, so an empty one is always ahead. */
	for (;;) {
		struct dp_cache_bucket *bk = &c->table[b];
		uint32_t m = bucket_match(bk, 0);

		if (m != 0) {
			unsigned i = match_first(m);

			bk->tag[i] = tag;
			bk->ref[i] = ref;
			return;
		}
		if (bk->overflow != DP_CACHE_OVERFLOW_MAX)
			bk->overflow++;
		b = (b + 1) & c->mask;
	}
}

/* ---- removal and eviction ---- */

/* Remove @p e, found at @p pos, from the table and give its slot back. */
static void
cache_drop(struct dp_cache *c, struct dp_cache_entry *e, const struct dp_cache_pos *pos)
{
	cache_unlink(c, pos);
	c->st.entries--;
	c->st.bytes -= c->slab.cls[e->size_class].slot_size;
	dp_slab_free(&c->slab, e);
}

/* Find where a live entry known only by its address sits in the table. */
static void
cache_locate(const struct dp_cache *c, const struct dp_cache_entry *e, struct dp_cache_pos *pos)
{
	size_t name_len = (size_t)e->key_len - DP_CACHE_KEY_TAIL;
	uint64_t h = cache_name_hash(c, e->key, name_len);
	uint16_t tag = cache_tag(h, e->key, name_len);
	uint32_t ref = dp_slab_ref(&c->slab, e);
	uint32_t b = (uint32_t)h & c->mask;

	pos->home = b;
	for (uint32_t n = 0; n <= c->mask; n++) {
		const struct dp_cache_bucket *bk = &c->table[b];

		for (uint32_t m = bucket_match(bk, tag); m != 0; m &= m - 1) {
			if (bk->ref[match_first(m)] == ref) {
				pos->b = b;
				pos->i = match_first(m);
				return;
			}
		}
		b = (b + 1) & c->mask;
	}
	/* A live slot the table does not know: freeing it would corrupt both. */
	VD_REQUIRE(!"live entry missing from the table");
}

/* Push @p e out for room: counted as expired if it was, else as an eviction. */
static void
cache_evict(struct dp_cache *c, struct dp_cache_entry *e, uint32_t now)
{
	struct dp_cache_pos pos;

	if (now >= e->expires)
		c->st.expired++;
	else
		c->st.evictions++;
	cache_locate(c, e, &pos);
	cache_drop(c, e, &pos);
}

static void
cache_evict_cb(struct dp_cache_entry *e, void *arg)
{
	struct dp_cache_evict_ctx *x = arg;

	cache_evict(x->c, e, x->now);
}

/*
 * The table holds max_entries: make room for one. The entry's own class goes
 * first, since that also frees the slot the insert needs; a class with nothing
 * live yields to the class with the most live entries.
 */
static int
cache_evict_for_table(struct dp_cache *c, unsigned cls, uint32_t now)
{
	struct dp_cache_entry *e;

	if (c->slab.cls[cls].n_live == 0) {
		for (unsigned i = 0; i < DP_SLAB_N_CLASSES; i++)
			if (c->slab.cls[i].n_live > c->slab.cls[cls].n_live)
				cls = i;
	}
	e = dp_slab_clock_victim(&c->slab, cls, now);
	if (e == NULL)
		return -ENOSPC;
	cache_evict(c, e, now);
	return 0;
}

/* A slot of class @p cls: a free one, a new page, the class's CLOCK victim, or a stolen page. */
static struct dp_cache_entry *
cache_alloc(struct dp_cache *c, unsigned cls, uint32_t now)
{
	struct dp_cache_evict_ctx x = { .c = c, .now = now };
	struct dp_cache_entry *e = dp_slab_alloc(&c->slab, cls);

	if (likely(e != NULL))
		return e;
	if (c->slab.cls[cls].n_pages > 0) {
		e = dp_slab_clock_victim(&c->slab, cls, now);
		if (e == NULL)
			return NULL;
		cache_evict(c, e, now);
	} else if (dp_slab_steal(&c->slab, cls, cache_evict_cb, &x) != 0) {
		return NULL;
	}
	return dp_slab_alloc(&c->slab, cls);
}

/* ---- allocation of the cache itself ---- */

/*
 * The C library path (tests, bench, no-DPDK runs). Blocks of a huge page or
 * more are huge-page aligned and advised for transparent huge pages: a table
 * and arena far larger than the TLB's reach cost a page walk per lookup
 * otherwise (measured: bulk lookups at 1M entries a quarter faster or more).
 * The advice may be ignored; that is only slower. Zeroing then faults every
 * page in now, not on a worker's first touch.
 */
static void *
cache_mem_alloc(const struct dp_cache_params *p, size_t size, size_t align)
{
	size_t len;
	void *m;

	if (p->alloc != NULL)
		return p->alloc(size, align, p->alloc_ctx);
	if (size >= DP_CACHE_HUGE_PAGE)
		align = DP_CACHE_HUGE_PAGE;
	len = (size + align - 1) & ~(align - 1);
	m = aligned_alloc(align, len);
	if (m == NULL)
		return NULL;
	if (align == DP_CACHE_HUGE_PAGE)
		(void)madvise(m, len, MADV_HUGEPAGE);
	memset(m, 0, size);
	return m;
}

static void
cache_mem_free(dp_cache_free_fn fn, void *ctx, void *m)
{
	if (m == NULL)
		return;
	if (fn != NULL)
		fn(m, ctx);
	else
		free(m);
}

static int
cache_draw_seed(uint64_t *seed)
{
	ssize_t n;

	do
		n = getrandom(seed, sizeof(*seed), 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(*seed))
		return n < 0 ? -errno : -EIO;
	return 0;
}

/* ---- public API ---- */

/*
 * Params whose table alone would take more than half of mem_bytes are refused
 * (EINVAL) rather than max_entries being cut down behind the operator's back:
 * a capacity silently smaller than configured is the harder surprise to debug.
 * The cache struct and page descriptors come out of mem_bytes too, so the
 * pages are what is left after them and the table. A budget whose pages would
 * pass the 32 GiB that 32-bit slot references reach is refused the same way.
 */
struct dp_cache *
dp_cache_create(const struct dp_cache_params *p)
{
	struct dp_cache *c = NULL;
	uint64_t max_entries, n_buckets = 1, seed;
	size_t table_bytes, head_bytes, rest, n_pages;
	int err = EINVAL;

	if (p == NULL || p->mem_bytes < DP_CACHE_MIN_MEM || (p->alloc == NULL) != (p->free == NULL))
		goto err_out;
	max_entries = p->max_entries != 0 ? p->max_entries : p->mem_bytes / 128;
	if (max_entries > UINT32_MAX)
		max_entries = UINT32_MAX;
	while (n_buckets * 8 < max_entries)
		n_buckets <<= 1;
	table_bytes = (size_t)n_buckets * sizeof(struct dp_cache_bucket);
	if (n_buckets > (1ull << 31) || table_bytes > p->mem_bytes / 2)
		goto err_out;
	head_bytes = sizeof(*c);
	rest = p->mem_bytes - table_bytes - head_bytes;
	n_pages = rest / (DP_SLAB_PAGE_SIZE + sizeof(struct dp_slab_page));
	if (n_pages == 0 || n_pages > DP_SLAB_MAX_PAGES)
		goto err_out;
	seed = p->seed;
	if (seed == 0) {
		err = -cache_draw_seed(&seed);
		if (err != 0)
			goto err_out;
	}

	err = ENOMEM;
	c = cache_mem_alloc(p, head_bytes + n_pages * sizeof(struct dp_slab_page), VD_CACHE_LINE);
	if (c == NULL)
		goto err_out;
	c->free = p->free;
	c->alloc_ctx = p->alloc_ctx;
	c->table = cache_mem_alloc(p, table_bytes, VD_CACHE_LINE);
	if (c->table == NULL)
		goto err_free;
	c->slab.arena = cache_mem_alloc(p, n_pages * DP_SLAB_PAGE_SIZE, 4096);
	if (c->slab.arena == NULL)
		goto err_free;
	dp_slab_init(&c->slab, c->slab.arena, c->pages, (uint32_t)n_pages);
	c->mask = (uint32_t)(n_buckets - 1);
	c->max_entries = (uint32_t)max_entries;
	c->seed = seed;
	c->table_bytes = table_bytes;
	c->st.mem_budget = p->mem_bytes;
	c->st.capacity = max_entries;
	return c;

err_free:
	dp_cache_destroy(c);
err_out:
	errno = err;
	return NULL;
}

void
dp_cache_destroy(struct dp_cache *c)
{
	if (c == NULL)
		return;
	cache_mem_free(c->free, c->alloc_ctx, c->slab.arena);
	cache_mem_free(c->free, c->alloc_ctx, c->table);
	cache_mem_free(c->free, c->alloc_ctx, c);
}

static bool
cache_key_ok(const struct dns_key *key)
{
	return key->name_len >= 1 && key->name_len <= DNS_NAME_MAXLEN &&
	       key->len == key->name_len + DP_CACHE_KEY_TAIL;
}

/*
 * The sizes a template declares must fit in the bytes it says it has, or
 * dns_serve() would read past the copy; and it must have been built for a
 * question name of the key's length, or its compression pointers are off.
 */
static bool
cache_template_ok(const struct dns_template *t, const struct dns_key *key)
{
	size_t need = sizeof(*t) + (size_t)t->n_rrset * sizeof(struct dns_tmpl_rrset) +
	              (size_t)t->n_rr * sizeof(uint16_t) + t->body_len;

	return t->total_len >= need && t->qname_len == key->name_len;
}

/* The last tenth of @p ttl, whole seconds, within the 16-bit field. */
static uint16_t
prefetch_window_of(uint32_t ttl, unsigned flags)
{
	uint32_t w = ttl / 10;

	if ((flags & DP_CACHE_PREFETCH) == 0)
		return 0;
	return w > UINT16_MAX ? UINT16_MAX : (uint16_t)w;
}

int
dp_cache_insert(struct dp_cache *c, const struct dns_key *key, const struct dns_template *t,
                uint32_t now, uint32_t ttl)
{
	return dp_cache_insert_flags(c, key, t, now, ttl, 0);
}

int
dp_cache_insert_flags(struct dp_cache *c, const struct dns_key *key,
                      const struct dns_template *t, uint32_t now, uint32_t ttl, unsigned flags)
{
	struct dp_cache_entry *e;
	struct dp_cache_pos pos;
	size_t tmpl_off, size;
	bool replaced;
	uint16_t tag;
	uint64_t h;
	int cls, err;

	if (!cache_key_ok(key) || !cache_template_ok(t, key) || ttl == 0) {
		err = -EINVAL;
		goto err_count;
	}
	tmpl_off = dp_cache_entry_tmpl_off(key->len);
	size = tmpl_off + t->total_len;
	cls = dp_slab_class_of(size);
	if (cls < 0) {
		err = -EMSGSIZE;
		goto err_count;
	}
	h = cache_name_hash(c, key->bytes, key->name_len);
	tag = cache_tag(h, key->bytes, key->name_len);
	pos.home = (uint32_t)h & c->mask;

	/*
	 * @p t is copied after evictions, so it must not lie in this cache: a
	 * stolen page is re-cut under it. Fills come from rings, never from here.
	 *
	 * Replace by remove-then-add: the new entry may need another class
	 * anyway, and allocation below cannot fail while any page is owned.
	 */
	e = cache_probe(c, key->bytes, key->len, tag, &pos);
	replaced = e != NULL;
	if (replaced)
		cache_drop(c, e, &pos);
	while (c->st.entries >= c->max_entries) {
		err = cache_evict_for_table(c, (unsigned)cls, now);
		if (err != 0)
			goto err_count;
	}
	e = cache_alloc(c, (unsigned)cls, now);
	if (e == NULL) {
		err = -ENOSPC;
		goto err_count;
	}
	e->inserted = now;
	e->expires = now > UINT32_MAX - ttl ? UINT32_MAX : now + ttl;
	e->key_len = key->len;
	e->prefetch_window = prefetch_window_of(ttl, flags);
	e->rotation = 0;
	/* Unreferenced until hit: a name asked once (random subdomains) is the first to go. */
	e->referenced = 0;
	memcpy(e->key, key->bytes, key->len);
	memcpy((uint8_t *)e + tmpl_off, t, t->total_len);
	cache_link(c, pos.home, tag, dp_slab_ref(&c->slab, e));
	c->st.entries++;
	c->st.bytes += c->slab.cls[cls].slot_size;
	if (replaced)
		c->st.replaces++;
	else
		c->st.inserts++;
	return 0;

err_count:
	c->st.insert_fails++;
	return err;
}

/*
 * Settle one lookup whose probe gave @p e: drop it if expired, mark it if not.
 * Hits and misses are counted by the callers (the bulk path once per burst);
 * lookups is their sum, so it is never counted at all.
 */
static inline struct dp_cache_entry *
cache_settle(struct dp_cache *c, struct dp_cache_entry *e, const struct dp_cache_pos *pos,
             uint32_t now)
{
	if (e == NULL)
		return NULL;
	if (unlikely(now >= e->expires)) {
		cache_drop(c, e, pos);
		c->st.expired++;
		return NULL;
	}
	/* Written only when it changes: a hit on a hot entry should not dirty its line. */
	if (!e->referenced)
		e->referenced = 1;
	return e;
}

struct dp_cache_entry *
dp_cache_lookup(struct dp_cache *c, const struct dns_key *key, uint32_t now)
{
	uint64_t h = cache_name_hash(c, key->bytes, key->name_len);
	uint16_t tag = cache_tag(h, key->bytes, key->name_len);
	struct dp_cache_pos pos = { .home = (uint32_t)h & c->mask };
	struct dp_cache_entry *e = cache_probe(c, key->bytes, key->len, tag, &pos);

	e = cache_settle(c, e, &pos, now);
	if (e != NULL)
		c->st.hits++;
	else
		c->st.misses++;
	return e;
}

/*
 * Stages 1 and 2 only read and prefetch; stage 3 runs the very probe of
 * dp_cache_lookup() per key, in order, so an entry an earlier key of the burst
 * dropped as expired is gone for the later ones too, as with single lookups.
 * By then bucket and entry are in L1, and re-matching the tags costs a few
 * instructions.
 */
unsigned
dp_cache_lookup_bulk(struct dp_cache *c, const struct dns_key *const keys[], unsigned n,
                     uint32_t now, struct dp_cache_entry *hits[])
{
	uint32_t home[DP_CACHE_BULK_MAX];
	uint16_t tag[DP_CACHE_BULK_MAX];
	unsigned n_hits = 0;

	if (unlikely(n > DP_CACHE_BULK_MAX)) {
		n_hits = dp_cache_lookup_bulk(c, keys, DP_CACHE_BULK_MAX, now, hits);
		return n_hits + dp_cache_lookup_bulk(c, keys + DP_CACHE_BULK_MAX,
		                                     n - DP_CACHE_BULK_MAX, now,
		                                     hits + DP_CACHE_BULK_MAX);
	}
	for (unsigned k = 0; k < n; k++) {
		uint64_t h = cache_name_hash(c, keys[k]->bytes, keys[k]->name_len);

		tag[k] = cache_tag(h, keys[k]->bytes, keys[k]->name_len);
		home[k] = (uint32_t)h & c->mask;
		vd_prefetch0(&c->table[home[k]]);
	}
	for (unsigned k = 0; k < n; k++) {
		const struct dp_cache_bucket *bk = &c->table[home[k]];
		uint32_t m = bucket_match(bk, tag[k]);

		/* No candidate at home: the key, if anywhere, overflowed to the next bucket. */
		if (m == 0 && bk->overflow != 0)
			vd_prefetch0(&c->table[(home[k] + 1) & c->mask]);
		for (; m != 0; m &= m - 1) {
			const uint8_t *e =
				(const uint8_t *)dp_slab_entry(&c->slab, bk->ref[match_first(m)]);

			/*
			 * Key in the first line; the template the reply copies follows.
			 * Slots are 8-byte aligned, so a typical entry (96-160 bytes)
			 * spans up to four lines: fetch every line of its first 192.
			 */
			vd_prefetch0(e);
			vd_prefetch0(e + VD_CACHE_LINE);
			vd_prefetch0(e + 2 * VD_CACHE_LINE);
			vd_prefetch0(e + 3 * VD_CACHE_LINE - 1);
		}
	}
	for (unsigned k = 0; k < n; k++) {
		struct dp_cache_pos pos = { .home = home[k] };
		struct dp_cache_entry *e =
			cache_probe(c, keys[k]->bytes, keys[k]->len, tag[k], &pos);

		hits[k] = cache_settle(c, e, &pos, now);
		n_hits += hits[k] != NULL;
	}
	c->st.hits += n_hits;
	c->st.misses += n - n_hits;
	return n_hits;
}

int
dp_cache_delete(struct dp_cache *c, const struct dns_key *key)
{
	uint64_t h = cache_name_hash(c, key->bytes, key->name_len);
	uint16_t tag = cache_tag(h, key->bytes, key->name_len);
	struct dp_cache_pos pos = { .home = (uint32_t)h & c->mask };
	struct dp_cache_entry *e = cache_probe(c, key->bytes, key->len, tag, &pos);

	if (e == NULL)
		return -ENOENT;
	cache_drop(c, e, &pos);
	c->st.deletes++;
	return 0;
}

/*
 * Every key of the name shares its home bucket, so the walk covers the name's
 * probe sequence only. Dropping an entry lowers the overflow counts of the
 * buckets before its own, never of the one being looked at or those ahead, so
 * the stop test stays right while entries go.
 */
unsigned
dp_cache_flush_name(struct dp_cache *c, const uint8_t *name, size_t name_len)
{
	struct dp_cache_pos pos;
	unsigned removed = 0;

	if (name_len == 0 || name_len > DNS_NAME_MAXLEN)
		return 0;
	pos.home = (uint32_t)cache_name_hash(c, name, name_len) & c->mask;
	pos.b = pos.home;
	for (uint32_t n = 0; n <= c->mask; n++) {
		struct dp_cache_bucket *bk = &c->table[pos.b];

		for (pos.i = 0; pos.i < DP_CACHE_BUCKET_SLOTS; pos.i++) {
			struct dp_cache_entry *e;

			if (bk->tag[pos.i] == 0)
				continue;
			e = dp_slab_entry(&c->slab, bk->ref[pos.i]);
			if (e->key_len == name_len + DP_CACHE_KEY_TAIL &&
			    memcmp(e->key, name, name_len) == 0) {
				cache_drop(c, e, &pos);
				removed++;
			}
		}
		if (bk->overflow == 0)
			break;
		pos.b = (pos.b + 1) & c->mask;
	}
	c->st.deletes += removed;
	return removed;
}

void
dp_cache_flush_all(struct dp_cache *c)
{
	memset(c->table, 0, c->table_bytes);
	dp_slab_reset(&c->slab);
	c->st.deletes += c->st.entries;
	c->st.entries = 0;
	c->st.bytes = 0;
}

void
dp_cache_get_stats(const struct dp_cache *c, struct dp_cache_stats *s)
{
	*s = c->st;
	s->lookups = c->st.hits + c->st.misses;
	s->mem_bytes = c->table_bytes + (uint64_t)dp_slab_pages_used(&c->slab) * DP_SLAB_PAGE_SIZE;
}

int
dp_cache_walk(const struct dp_cache *c, dp_cache_walk_fn fn, void *arg)
{
	int ret = 0;

	for (uint32_t b = 0; b <= c->mask; b++) {
		const struct dp_cache_bucket *bk = &c->table[b];

		for (unsigned i = 0; i < DP_CACHE_BUCKET_SLOTS; i++) {
			if (bk->tag[i] == 0)
				continue;
			ret = fn(dp_slab_entry(&c->slab, bk->ref[i]), arg);
			if (ret != 0)
				return ret;
		}
	}
	return ret;
}
