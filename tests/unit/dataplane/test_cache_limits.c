/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the answer cache's errors, limits, allocator, counters and prefetch windows, and
 * a random sequence of operations against a model (dataplane/dp_cache.c, dp_slab.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cache_harness.h"

/* ---- errors and limits ---- */

Test(dp_cache, oversized_entry_is_emsgsize)
{
	struct dp_cache *c = mk_cache(1 << 20, 0);
	static union tbuf b;
	struct dns_key k;
	size_t tmpl_off;

	mk_key(&k, "example.com", 1, 1, 0);
	tmpl_off = (16 + k.len + 3) & ~(size_t)3;
	mk_tmpl(&b, k.name_len, (uint16_t)(DP_CACHE_ENTRY_MAX - tmpl_off - sizeof(b.t)), 1);
	cr_assert_eq(dp_cache_insert(c, &k, &b.t, 1000, 60), 0, "exactly DP_CACHE_ENTRY_MAX");
	cr_assert(entry_is(dp_cache_lookup(c, &k, 1000), &k, &b.t));
	mk_tmpl(&b, k.name_len, (uint16_t)(DP_CACHE_ENTRY_MAX - tmpl_off - sizeof(b.t) + 1), 2);
	cr_assert_eq(dp_cache_insert(c, &k, &b.t, 1000, 60), -EMSGSIZE);
	cr_assert_eq(stats(c).insert_fails, 1);
	cr_assert_eq(stats(c).entries, 1, "the old entry stays");
	dp_cache_destroy(c);
}

Test(dp_cache, insert_rejects_bad_input)
{
	struct dp_cache *c = mk_cache(1 << 20, 0);
	struct dns_key k, bad;
	union tbuf b;
	const struct dns_template *t;

	mk_key(&k, "example.com", 1, 1, 0);
	t = mk_tmpl(&b, k.name_len, 8, 1);
	cr_assert_eq(dp_cache_insert(c, &k, t, 1000, 0), -EINVAL, "ttl 0");
	bad = k;
	bad.len++;
	cr_assert_eq(dp_cache_insert(c, &bad, t, 1000, 60), -EINVAL, "len != name_len + 5");
	bad = k;
	bad.name_len = 0;
	bad.len = 5;
	cr_assert_eq(dp_cache_insert(c, &bad, t, 1000, 60), -EINVAL, "empty name");
	b.t.qname_len++;
	cr_assert_eq(dp_cache_insert(c, &k, t, 1000, 60), -EINVAL, "built for another name");
	b.t.qname_len--;
	b.t.total_len--;
	cr_assert_eq(dp_cache_insert(c, &k, t, 1000, 60), -EINVAL, "parts overrun total_len");
	b.t.total_len++;
	b.t.n_rr = 3;
	cr_assert_eq(dp_cache_insert(c, &k, t, 1000, 60), -EINVAL, "counts overrun total_len");
	cr_assert_eq(stats(c).insert_fails, 6);
	cr_assert_eq(stats(c).entries, 0);
	dp_cache_destroy(c);
}

struct t_alloc {
	unsigned allocs, frees;
	size_t bytes;
};

static void *
t_alloc_fn(size_t size, size_t align, void *ctx)
{
	struct t_alloc *a = ctx;
	void *m = aligned_alloc(align, (size + align - 1) / align * align);

	cr_assert_not_null(m);
	memset(m, 0, size);
	a->allocs++;
	a->bytes += size;
	return m;
}

static void
t_free_fn(void *m, void *ctx)
{
	((struct t_alloc *)ctx)->frees++;
	free(m);
}

Test(dp_cache, create_rejects_bad_params)
{
	struct dp_cache_params p = { .mem_bytes = 1 << 20, .seed = 1 };
	struct dp_cache *c;

	errno = 0;
	cr_assert_null(dp_cache_create(NULL));
	cr_assert_eq(errno, EINVAL);
	p.mem_bytes = DP_CACHE_MIN_MEM - 1;
	errno = 0;
	cr_assert_null(dp_cache_create(&p));
	cr_assert_eq(errno, EINVAL, "below DP_CACHE_MIN_MEM");
	p.mem_bytes = 1 << 20;
	p.max_entries = 1 << 20; /* a 8 MiB table in 1 MiB */
	errno = 0;
	cr_assert_null(dp_cache_create(&p));
	cr_assert_eq(errno, EINVAL, "table over half the budget");
	p.max_entries = 0;
	p.free = t_free_fn;
	errno = 0;
	cr_assert_null(dp_cache_create(&p));
	cr_assert_eq(errno, EINVAL, "free without alloc");
	p.free = NULL;
	c = dp_cache_create(&p);
	cr_assert_not_null(c);
	cr_assert_eq(stats(c).capacity, (1 << 20) / 128, "default max_entries");
	dp_cache_destroy(c);
	dp_cache_destroy(NULL);
	p.mem_bytes = DP_CACHE_MIN_MEM;
	c = dp_cache_create(&p);
	cr_assert_not_null(c, "the smallest budget works");
	dp_cache_destroy(c);
}

Test(dp_cache, custom_allocator_and_drawn_seed)
{
	struct t_alloc a = { 0 };
	struct dp_cache_params p = {
		.mem_bytes = 1 << 20,
		.alloc = t_alloc_fn,
		.free = t_free_fn,
		.alloc_ctx = &a,
	};
	struct dp_cache *c = dp_cache_create(&p);
	struct dns_key k;
	union tbuf b;

	cr_assert_not_null(c, "seed 0 draws one");
	cr_assert_gt(a.allocs, 0);
	cr_assert_leq(a.bytes, p.mem_bytes, "everything comes out of the budget");
	mk_key(&k, "example.com", 1, 1, 0);
	cr_assert_eq(dp_cache_insert(c, &k, mk_tmpl(&b, k.name_len, 8, 1), 1000, 60), 0);
	cr_assert(entry_is(dp_cache_lookup(c, &k, 1000), &k, &b.t));
	dp_cache_destroy(c);
	cr_assert_eq(a.frees, a.allocs);
}

Test(dp_cache, stats_counters)
{
	const size_t mem = 1 << 20;
	struct dp_cache *c = mk_cache(mem, 1000);
	struct dp_cache_stats s;
	struct dns_key k1, k2, k3;
	union tbuf b;

	s = stats(c);
	cr_assert_eq(s.mem_budget, mem);
	cr_assert_eq(s.capacity, 1000);
	cr_assert_eq(s.mem_bytes, 128 * 64, "1000 / 8 rounded to 128 buckets, no page yet");
	mk_key(&k1, "a.example", 1, 1, 0);
	mk_key(&k2, "b.example", 1, 1, 0);
	mk_key(&k3, "c.example", 1, 1, 0);
	cr_assert_eq(dp_cache_insert(c, &k1, mk_tmpl(&b, k1.name_len, 8, 1), 1000, 60), 0);
	cr_assert_eq(dp_cache_insert(c, &k2, mk_tmpl(&b, k2.name_len, 8, 2), 1000, 10), 0);
	cr_assert_eq(dp_cache_insert(c, &k1, mk_tmpl(&b, k1.name_len, 8, 3), 1000, 60), 0);
	cr_assert_not_null(dp_cache_lookup(c, &k1, 1001));
	cr_assert_null(dp_cache_lookup(c, &k3, 1001));
	cr_assert_null(dp_cache_lookup(c, &k2, 1010));
	cr_assert_eq(dp_cache_delete(c, &k1), 0);
	cr_assert_eq(dp_cache_insert(c, &k3, mk_tmpl(&b, k3.name_len, 8, 4), 1000, 0), -EINVAL);
	cr_assert_eq(dp_cache_insert(c, &k3, mk_tmpl(&b, k3.name_len, 8, 4), 1000, 60), 0);
	s = stats(c);
	cr_assert_eq(s.lookups, 3);
	cr_assert_eq(s.hits, 1);
	cr_assert_eq(s.misses, 2);
	cr_assert_eq(s.expired, 1);
	cr_assert_eq(s.inserts, 3);
	cr_assert_eq(s.replaces, 1);
	cr_assert_eq(s.deletes, 1);
	cr_assert_eq(s.evictions, 0);
	cr_assert_eq(s.insert_fails, 1);
	cr_assert_eq(s.entries, 1);
	cr_assert_eq(s.bytes, 64, "16 header + 16 key + 32 template: the 64-byte class");
	cr_assert_eq(s.mem_bytes, 128 * 64 + 64 * 1024, "table and one page");
	dp_cache_destroy(c);
}

/*
 * The sizing target: a one-A answer for a 20-octet name lands in a slot of at
 * most 128 bytes, and a cache full of them costs at most 320 bytes per entry,
 * table included.
 */
Test(dp_cache, one_a_answer_size)
{
	const uint32_t n = 100000;
	struct dp_cache *c = mk_cache(12 << 20, n);
	struct dp_cache_stats s;
	struct dns_key k;
	union tbuf b;

	mk_key_n(&k, 0, 1);
	cr_assert_eq(k.name_len, 20);
	cr_assert_eq(mk_one_a(&b, k.name_len)->total_len, 50);
	for (unsigned i = 0; i < n; i++) {
		mk_key_n(&k, i, 1);
		cr_assert_eq(dp_cache_insert(c, &k, mk_one_a(&b, k.name_len), 1000, 300), 0);
	}
	s = stats(c);
	cr_assert_eq(s.entries, n);
	cr_assert_eq(s.evictions, 0);
	cr_assert_leq(s.bytes / n, 128, "slot %" PRIu64 " bytes", s.bytes / n);
	cr_assert_leq(s.mem_bytes / n, 320, "%" PRIu64 " bytes per entry", s.mem_bytes / n);
	cr_log_info("one A, 20-octet name: slot %" PRIu64 " B, all-in %.1f B/entry", s.bytes / n,
	            (double)s.mem_bytes / n);
	dp_cache_destroy(c);
}

/*
 * Random inserts, deletes, lookups and flushes over 30 names of 10 types each
 * (so every name crowds one home bucket) against a plain array. Nothing is
 * evicted or expires, so the cache must agree with the model exactly.
 */
Test(dp_cache, random_ops_match_model)
{
	enum { N_NAMES = 30, N_TYPES = 10, N_KEYS = N_NAMES * N_TYPES };
	struct dp_cache *c = mk_cache(1 << 20, N_KEYS);
	static struct dns_key keys[N_KEYS];
	uint32_t mark[N_KEYS] = { 0 };
	unsigned live = 0;
	uint64_t r = 99;
	union tbuf b;

	for (unsigned i = 0; i < N_KEYS; i++) {
		char name[32];

		snprintf(name, sizeof(name), "n%u.example", i / N_TYPES);
		mk_key(&keys[i], name, (uint16_t)(1 + i % N_TYPES), 1, 0);
	}
	for (uint32_t op = 1; op <= 30000; op++) {
		unsigned i = (unsigned)(rnd(&r) % N_KEYS);
		struct dp_cache_entry *e;
		unsigned expect;

		switch (rnd(&r) % 8) {
		case 0:
		case 1:
		case 2:
			cr_assert_eq(dp_cache_insert(c, &keys[i],
			                             mk_tmpl(&b, keys[i].name_len,
			                                     (uint16_t)(rnd(&r) % 100), op),
			                             1000, 100000),
			             0);
			live += mark[i] == 0;
			mark[i] = op;
			break;
		case 3:
		case 4:
			cr_assert_eq(dp_cache_delete(c, &keys[i]), mark[i] ? 0 : -ENOENT);
			live -= mark[i] != 0;
			mark[i] = 0;
			break;
		case 5:
			if (rnd(&r) % 16 != 0)
				continue;
			expect = 0;
			/* Keys of one name are N_TYPES consecutive indexes. */
			for (unsigned j = i - i % N_TYPES; j < i - i % N_TYPES + N_TYPES; j++) {
				expect += mark[j] != 0;
				live -= mark[j] != 0;
				mark[j] = 0;
			}
			cr_assert_eq(dp_cache_flush_name(c, keys[i].bytes, keys[i].name_len),
			             expect);
			break;
		default:
			e = dp_cache_lookup(c, &keys[i], 1000);
			cr_assert_eq(e != NULL, mark[i] != 0, "op %u key %u", op, i);
			if (e != NULL)
				cr_assert_eq(dp_cache_entry_template(e)->ttl_min, mark[i]);
			break;
		}
		cr_assert_eq(stats(c).entries, live);
	}
	cr_assert_eq(count_entries(c), live);
	for (unsigned i = 0; i < N_KEYS; i++)
		cr_assert_eq(dp_cache_lookup(c, &keys[i], 1000) != NULL, mark[i] != 0);
	cr_assert_eq(stats(c).evictions, 0);
	dp_cache_destroy(c);
}

/* ---- prefetch windows (the worker reports a hit in one once, dp_worker.c) ---- */

/* What the worker does with a hit: report if due, then never again for this entry. */
static bool
hit_reports(struct dp_cache *c, const struct dns_key *k, uint32_t now)
{
	struct dp_cache_entry *e = dp_cache_lookup(c, k, now);

	cr_assert_not_null(e, "hit expected at %u", now);
	if (!dp_cache_entry_prefetch_due(e, now))
		return false;
	dp_cache_entry_prefetch_reported(e);
	return true;
}

Test(dp_cache, prefetch_window_is_the_last_tenth_reported_once)
{
	struct dp_cache *c = mk_cache(1 << 20, 0);
	struct dns_key k;
	union tbuf b;

	mk_key(&k, "www.example.com", 1, 1, 0);
	cr_assert_eq(dp_cache_insert_flags(c, &k, mk_one_a(&b, k.name_len), 1000, 300,
	                                   DP_CACHE_PREFETCH),
	             0);
	/* TTL 300: expires at 1300, window [1270, 1300). */
	cr_assert_not(hit_reports(c, &k, 1000));
	cr_assert_not(hit_reports(c, &k, 1269));
	cr_assert(hit_reports(c, &k, 1270));
	cr_assert_not(hit_reports(c, &k, 1271), "one report per entry");
	cr_assert_not(hit_reports(c, &k, 1299));
	/* The refreshed answer replaces it: a new entry, a new window. */
	cr_assert_eq(dp_cache_insert_flags(c, &k, mk_one_a(&b, k.name_len), 1280, 100,
	                                   DP_CACHE_PREFETCH),
	             0);
	cr_assert_not(hit_reports(c, &k, 1369));
	cr_assert(hit_reports(c, &k, 1370));
	dp_cache_destroy(c);
}

Test(dp_cache, prefetch_never_without_flag_or_under_ten_seconds)
{
	struct dp_cache *c = mk_cache(1 << 20, 0);
	struct dns_key k, s, l;
	union tbuf b;

	mk_key(&k, "local.example", 1, 1, 0);
	mk_key(&s, "short.example", 1, 1, 0);
	mk_key(&l, "long.example", 1, 1, 0);
	/* Local data (no flag) never reports, however close to expiry. */
	cr_assert_eq(dp_cache_insert(c, &k, mk_one_a(&b, k.name_len), 1000, 3600), 0);
	cr_assert_not(hit_reports(c, &k, 4599));
	/* A 9 s TTL has no whole second in its last tenth. */
	cr_assert_eq(dp_cache_insert_flags(c, &s, mk_one_a(&b, s.name_len), 1000, 9,
	                                   DP_CACHE_PREFETCH),
	             0);
	cr_assert_not(hit_reports(c, &s, 1008));
	/* A TTL past 7.5 days: the window is capped at 65535 s before expiry. */
	cr_assert_eq(dp_cache_insert_flags(c, &l, mk_one_a(&b, l.name_len), 1000, 1000000,
	                                   DP_CACHE_PREFETCH),
	             0);
	cr_assert_not(hit_reports(c, &l, 1000 + 1000000 - 65536));
	cr_assert(hit_reports(c, &l, 1000 + 1000000 - 65535));
	dp_cache_destroy(c);
}

/* The window costs no entry byte: a one-A answer for a 20-octet name still fits 96 bytes. */
Test(dp_cache, prefetch_keeps_one_a_entry_in_its_slot)
{
	struct dp_cache *c = mk_cache(1 << 20, 0);
	struct dns_key k;
	union tbuf b;

	mk_key(&k, "abcdefghijk.example", 1, 1, 0); /* 1+11+1+7+1 = 21 octets with the root */
	cr_assert_eq(k.name_len, 21);
	cr_assert_eq(dp_cache_insert_flags(c, &k, mk_one_a(&b, k.name_len), 1000, 300,
	                                   DP_CACHE_PREFETCH),
	             0);
	cr_assert_eq(stats(c).bytes, 96);
	cr_assert_eq(sizeof(struct dp_cache_entry), 16);
	dp_cache_destroy(c);
}
