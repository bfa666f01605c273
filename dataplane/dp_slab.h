/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The answer cache's slab allocator: a fixed arena cut into 64 KiB pages, each
 * page handed on first need to one size class and cut into equal slots.
 *
 * Owner: the struct dp_cache that embeds it, hence one dataplane lcore. Only
 * dp_cache.c calls these functions; nothing here allocates, locks or logs.
 *
 * Slots hold a struct dp_cache_entry. The slab owns the entry's live and
 * size_class fields; a free slot (live == 0) reuses inserted and expires as the
 * next and prev links of its class's free list, so free-list bookkeeping costs
 * no memory. A slot is named by a 32-bit reference, its arena offset / 8
 * (slots are 8-byte aligned), which is what the hash table stores: 32 bits
 * reach 32 GiB of arena.
 *
 * Each class keeps its pages on a ring and a CLOCK hand (page, slot) over
 * them. The hand is the only eviction order there is: dp_slab_clock_victim()
 * clears the referenced bit of each live entry it passes and stops at the first
 * one that is unreferenced or expired. A class that owns no page when none is
 * free takes one from the class with the most pages (dp_slab_steal()).
 */
#ifndef DP_SLAB_H
#define DP_SLAB_H

#include <stddef.h>
#include <stdint.h>

#include "dp_cache.h"

#define DP_SLAB_PAGE_SHIFT 16
#define DP_SLAB_PAGE_SIZE  (1u << DP_SLAB_PAGE_SHIFT)
/* Refs are arena offset / 8 in 32 bits, and UINT32_MAX means none. */
#define DP_SLAB_MAX_PAGES ((1u << (32 + 3 - DP_SLAB_PAGE_SHIFT)) - 1)
#define DP_SLAB_N_CLASSES 28
#define DP_SLAB_NONE      UINT32_MAX /* no page, no slot */
#define DP_SLAB_NO_CLASS  0xff

struct dp_slab_page {
	uint32_t next; /* in its class's ring, or in the free-page list */
	uint32_t prev; /* in its class's ring */
	uint8_t cls;   /* owning class, DP_SLAB_NO_CLASS while free */
};

struct dp_slab_class {
	uint32_t slot_size; /* bytes, multiple of 8 */
	uint32_t per_page;  /* slots per page */
	uint32_t n_pages;
	uint32_t n_live;    /* slots handed out and not yet freed */
	uint32_t free_head; /* ref of the first free slot, or DP_SLAB_NONE */
	uint32_t ring;      /* some page of the ring, or DP_SLAB_NONE */
	uint32_t hand_page; /* CLOCK hand: next slot to examine */
	uint32_t hand_slot;
};

struct dp_slab {
	uint8_t *arena;             /* n_pages * DP_SLAB_PAGE_SIZE bytes */
	struct dp_slab_page *pages; /* n_pages descriptors */
	uint32_t n_pages;
	uint32_t n_free_pages;
	uint32_t free_pages; /* head of the free-page list */
	struct dp_slab_class cls[DP_SLAB_N_CLASSES];
};

/** Called on each live entry of a stolen page; must end with dp_slab_free(e). */
typedef void (*dp_slab_drop_fn)(struct dp_cache_entry *e, void *ctx);

/** Entry at reference @p ref. */
static inline struct dp_cache_entry *
dp_slab_entry(const struct dp_slab *s, uint32_t ref)
{
	return (struct dp_cache_entry *)(void *)(s->arena + ((size_t)ref << 3));
}

/** Reference of the slot holding @p e. */
static inline uint32_t
dp_slab_ref(const struct dp_slab *s, const struct dp_cache_entry *e)
{
	return (uint32_t)(((const uint8_t *)e - s->arena) >> 3);
}

/**
 * Set up @p s over @p arena (@p n_pages pages, 8-byte aligned) and @p pages
 * (n_pages descriptors), every page free. The caller owns both blocks.
 */
void dp_slab_init(struct dp_slab *s, void *arena, struct dp_slab_page *pages, uint32_t n_pages);

/** Give every page back and empty every class, as after dp_slab_init(). */
void dp_slab_reset(struct dp_slab *s);

/** @return the smallest class whose slots hold @p size bytes, or -1 if none does. */
int dp_slab_class_of(size_t size);

/**
 * A free slot of class @p cls, from its free list or from a free page.
 * @return the slot (live = 1, other header fields unset) or NULL: the class has
 *         no free slot and no page is free; evict or steal, then try again.
 */
struct dp_cache_entry *dp_slab_alloc(struct dp_slab *s, unsigned cls);

/** Return @p e's slot to its class. */
void dp_slab_free(struct dp_slab *s, struct dp_cache_entry *e);

/**
 * Advance the CLOCK hand of class @p cls to the next eviction victim: the first
 * live entry that is unreferenced or expired at @p now, clearing the referenced
 * bits it passes. The entry is not freed. @return it, or NULL if nothing is live.
 */
struct dp_cache_entry *dp_slab_clock_victim(struct dp_slab *s, unsigned cls, uint32_t now);

/**
 * Move one page from the class with the most pages to class @p cls: @p drop is
 * called on each live entry of the page, then the page is cut into @p cls slots.
 * @return 0, or -ENOSPC if no other class owns a page.
 */
int dp_slab_steal(struct dp_slab *s, unsigned cls, dp_slab_drop_fn drop, void *ctx);

/** Pages handed to classes. */
static inline uint32_t
dp_slab_pages_used(const struct dp_slab *s)
{
	return s->n_pages - s->n_free_pages;
}

#endif /* DP_SLAB_H */
