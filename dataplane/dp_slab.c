/* SPDX-License-Identifier: BSD-3-Clause */
/* Slab allocator of the answer cache: pages, size classes, free lists and CLOCK hands. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "dp_slab.h"
#include "vd_compiler.h"

/*
 * Slot sizes, 8-byte aligned. Steps of 32 up to 256, where the common answers
 * are (one A for a 20-octet name takes 94 bytes, in a 96-byte slot), then about
 * x1.25 up to 3120; above that one class per whole number of slots per page
 * (65536 / n rounded down to 8), so that a page never wastes more than 0.7%
 * and the step between classes stays at or under 1.25. Every size is the
 * largest with its slots-per-page count, since a bigger slot that fits as
 * many times in a page costs nothing.
 */
static const uint16_t dp_slab_sizes[DP_SLAB_N_CLASSES] = {
	64,   96,   128,  160,  192,  224,  256,  320,  400,  504,  632,  792,   992,   1256,
	1560, 1984, 2520, 3120, 3640, 4096, 4680, 5456, 6552, 8192, 9360, 10920, 13104, 16384,
};

_Static_assert(DP_CACHE_ENTRY_MAX == 16384, "the last size class must be DP_CACHE_ENTRY_MAX");
_Static_assert(sizeof(struct dp_cache_entry) == 16, "entry header layout");

static inline struct dp_cache_entry *
slab_slot(const struct dp_slab *s, uint32_t page, uint32_t slot, uint32_t slot_size)
{
	return (struct dp_cache_entry *)(void *)(s->arena + ((size_t)page << DP_SLAB_PAGE_SHIFT) +
	                                         (size_t)slot * slot_size);
}

/* A free slot's free-list links live in the header fields it does not use. */
static inline uint32_t *
slab_next(struct dp_cache_entry *e)
{
	return &e->inserted;
}

static inline uint32_t *
slab_prev(struct dp_cache_entry *e)
{
	return &e->expires;
}

static void
slab_push_free(struct dp_slab *s, struct dp_slab_class *k, struct dp_cache_entry *e)
{
	uint32_t ref = dp_slab_ref(s, e);

	e->live = 0;
	*slab_prev(e) = DP_SLAB_NONE;
	*slab_next(e) = k->free_head;
	if (k->free_head != DP_SLAB_NONE)
		*slab_prev(dp_slab_entry(s, k->free_head)) = ref;
	k->free_head = ref;
}

static void
slab_unlink_free(struct dp_slab *s, struct dp_slab_class *k, struct dp_cache_entry *e)
{
	uint32_t next = *slab_next(e), prev = *slab_prev(e);

	if (prev != DP_SLAB_NONE)
		*slab_next(dp_slab_entry(s, prev)) = next;
	else
		k->free_head = next;
	if (next != DP_SLAB_NONE)
		*slab_prev(dp_slab_entry(s, next)) = prev;
}

/* Put @p page on class @p cls's ring (behind the hand's sweep) and cut it into free slots. */
static void
slab_carve(struct dp_slab *s, uint32_t page, unsigned cls)
{
	struct dp_slab_class *k = &s->cls[cls];
	struct dp_slab_page *pg = &s->pages[page];

	pg->cls = (uint8_t)cls;
	if (k->ring == DP_SLAB_NONE) {
		pg->next = pg->prev = page;
		k->ring = k->hand_page = page;
		k->hand_slot = 0;
	} else {
		/* Before ring's head, so the hand meets the page after the older ones. */
		pg->next = k->ring;
		pg->prev = s->pages[k->ring].prev;
		s->pages[pg->prev].next = page;
		s->pages[k->ring].prev = page;
	}
	k->n_pages++;
	/* Pushed in reverse so the list hands slots out in address order. */
	for (uint32_t i = k->per_page; i-- > 0;) {
		struct dp_cache_entry *e = slab_slot(s, page, i, k->slot_size);

		e->size_class = (uint8_t)cls;
		e->referenced = 0;
		slab_push_free(s, k, e);
	}
}

static void
slab_ring_remove(struct dp_slab *s, struct dp_slab_class *k, uint32_t page)
{
	struct dp_slab_page *pg = &s->pages[page];

	if (pg->next == page) {
		k->ring = k->hand_page = DP_SLAB_NONE;
		k->hand_slot = 0;
	} else {
		s->pages[pg->prev].next = pg->next;
		s->pages[pg->next].prev = pg->prev;
		if (k->ring == page)
			k->ring = pg->next;
		if (k->hand_page == page) {
			k->hand_page = pg->next;
			k->hand_slot = 0;
		}
	}
	k->n_pages--;
	pg->cls = DP_SLAB_NO_CLASS;
}

void
dp_slab_init(struct dp_slab *s, void *arena, struct dp_slab_page *pages, uint32_t n_pages)
{
	s->arena = arena;
	s->pages = pages;
	s->n_pages = n_pages;
	for (unsigned i = 0; i < DP_SLAB_N_CLASSES; i++) {
		s->cls[i].slot_size = dp_slab_sizes[i];
		s->cls[i].per_page = DP_SLAB_PAGE_SIZE / dp_slab_sizes[i];
	}
	dp_slab_reset(s);
}

void
dp_slab_reset(struct dp_slab *s)
{
	for (uint32_t i = 0; i < s->n_pages; i++) {
		s->pages[i].next = i + 1 < s->n_pages ? i + 1 : DP_SLAB_NONE;
		s->pages[i].prev = DP_SLAB_NONE;
		s->pages[i].cls = DP_SLAB_NO_CLASS;
	}
	s->free_pages = s->n_pages > 0 ? 0 : DP_SLAB_NONE;
	s->n_free_pages = s->n_pages;
	for (unsigned i = 0; i < DP_SLAB_N_CLASSES; i++) {
		struct dp_slab_class *k = &s->cls[i];

		k->n_pages = k->n_live = 0;
		k->free_head = k->ring = k->hand_page = DP_SLAB_NONE;
		k->hand_slot = 0;
	}
}

int
dp_slab_class_of(size_t size)
{
	unsigned lo = 0, hi = DP_SLAB_N_CLASSES;

	if (size > dp_slab_sizes[DP_SLAB_N_CLASSES - 1])
		return -1;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (dp_slab_sizes[mid] < size)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (int)lo;
}

struct dp_cache_entry *
dp_slab_alloc(struct dp_slab *s, unsigned cls)
{
	struct dp_slab_class *k = &s->cls[cls];
	struct dp_cache_entry *e;

	if (k->free_head == DP_SLAB_NONE) {
		uint32_t page = s->free_pages;

		if (page == DP_SLAB_NONE)
			return NULL;
		s->free_pages = s->pages[page].next;
		s->n_free_pages--;
		slab_carve(s, page, cls);
	}
	e = dp_slab_entry(s, k->free_head);
	slab_unlink_free(s, k, e);
	e->live = 1;
	k->n_live++;
	return e;
}

void
dp_slab_free(struct dp_slab *s, struct dp_cache_entry *e)
{
	struct dp_slab_class *k = &s->cls[e->size_class];

	slab_push_free(s, k, e);
	k->n_live--;
}

struct dp_cache_entry *
dp_slab_clock_victim(struct dp_slab *s, unsigned cls, uint32_t now)
{
	struct dp_slab_class *k = &s->cls[cls];
	/* One sweep clears every bit, the next finds a victim; more means a broken ring. */
	uint64_t budget = 2 * (uint64_t)k->n_pages * k->per_page + 1;

	if (k->n_live == 0)
		return NULL;
	while (budget-- > 0) {
		struct dp_cache_entry *e = slab_slot(s, k->hand_page, k->hand_slot, k->slot_size);

		if (++k->hand_slot == k->per_page) {
			k->hand_slot = 0;
			k->hand_page = s->pages[k->hand_page].next;
		}
		if (!e->live)
			continue;
		if (!e->referenced || now >= e->expires)
			return e;
		e->referenced = 0;
	}
	return NULL;
}

int
dp_slab_steal(struct dp_slab *s, unsigned cls, dp_slab_drop_fn drop, void *ctx)
{
	struct dp_slab_class *v = NULL;
	uint32_t page;

	for (unsigned i = 0; i < DP_SLAB_N_CLASSES; i++)
		if (i != cls && s->cls[i].n_pages > 0 &&
		    (v == NULL || s->cls[i].n_pages > v->n_pages))
			v = &s->cls[i];
	if (v == NULL)
		return -ENOSPC;
	/*
	 * The page under the victim class's hand: the hand was about to sweep
	 * it, so its entries are the ones that class has gone longest without
	 * looking at.
	 */
	page = v->hand_page;
	for (uint32_t i = 0; i < v->per_page; i++) {
		struct dp_cache_entry *e = slab_slot(s, page, i, v->slot_size);

		if (e->live)
			drop(e, ctx);
	}
	for (uint32_t i = 0; i < v->per_page; i++)
		slab_unlink_free(s, v, slab_slot(s, page, i, v->slot_size));
	slab_ring_remove(s, v, page);
	slab_carve(s, page, cls);
	return 0;
}
