/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the answer cache (dataplane/dp_cache.c and its slab, dp_slab.c): hits, keys,
 * expiry and eviction.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cache_harness.h"

/* ---- basics ---- */

Test(dp_cache, hit_after_insert)
{
	struct dp_cache *c = mk_cache(1 << 20, 0);
	struct dp_cache_entry *e;
	struct dns_key k;
	union tbuf b;
	const struct dns_template *t;

	mk_key(&k, "www.example.com", 1, 1, 0);
	t = mk_one_a(&b, k.name_len);
	cr_assert_eq(dp_cache_insert(c, &k, t, 1000, 300), 0);
	e = dp_cache_lookup(c, &k, 1010);
	cr_assert(entry_is(e, &k, t));
	cr_assert_eq(dp_cache_entry_age(e, 1010), 10);
	cr_assert_eq(e->inserted, 1000);
	cr_assert_eq(e->expires, 1300);
	cr_assert_eq(e->referenced, 1);
	cr_assert_eq(dp_cache_entry_next_rotation(e), 0);
	cr_assert_eq(dp_cache_entry_next_rotation(e), 1);
	dp_cache_destroy(c);
}

Test(dp_cache, miss_on_absent_key)
{
	struct dp_cache *c = mk_cache(1 << 20, 0);
	struct dns_key k, other;
	union tbuf b;

	mk_key(&k, "example.com", 1, 1, 0);
	cr_assert_null(dp_cache_lookup(c, &k, 1000), "empty cache");
	cr_assert_eq(dp_cache_insert(c, &k, mk_tmpl(&b, k.name_len, 8, 1), 1000, 60), 0);
	mk_key(&other, "example.net", 1, 1, 0);
	cr_assert_null(dp_cache_lookup(c, &other, 1000));
	cr_assert_eq(stats(c).misses, 2);
	dp_cache_destroy(c);
}

Test(dp_cache, qtype_qclass_do_are_part_of_the_key)
{
	struct dp_cache *c = mk_cache(1 << 20, 0);
	struct dns_key k[4];
	union tbuf b[4];
	const struct dns_template *t[4];

	mk_key(&k[0], "example.com", 1, 1, 0);
	mk_key(&k[1], "example.com", 28, 1, 0); /* AAAA */
	mk_key(&k[2], "example.com", 1, 3, 0);  /* CH */
	mk_key(&k[3], "example.com", 1, 1, 1);  /* DO */
	for (unsigned i = 0; i < 4; i++)
		t[i] = mk_tmpl(&b[i], k[i].name_len, 12, 100 + i);
	cr_assert_eq(dp_cache_insert(c, &k[0], t[0], 1000, 60), 0);
	for (unsigned i = 1; i < 4; i++)
		cr_assert_null(dp_cache_lookup(c, &k[i], 1000), "variant %u must miss", i);
	for (unsigned i = 1; i < 4; i++)
		cr_assert_eq(dp_cache_insert(c, &k[i], t[i], 1000, 60), 0);
	for (unsigned i = 0; i < 4; i++)
		cr_assert(entry_is(dp_cache_lookup(c, &k[i], 1000), &k[i], t[i]), "variant %u", i);
	cr_assert_eq(stats(c).entries, 4);
	dp_cache_destroy(c);
}

Test(dp_cache, distinct_names_are_distinct)
{
	/* The parser lower-cases; the cache only has to tell different octets apart. */
	static const char *const names[] = {
		"example.com", "example.org", "www.example.com", "exampl.ecom",           "",
		"com",         "a.b.c.d.e.f", "a.b.c.d.e.g",     "xn--bcher-kva.example",
	};
	struct dp_cache *c = mk_cache(1 << 20, 0);
	struct dns_key k[VD_ARRAY_SIZE(names)];
	union tbuf b[VD_ARRAY_SIZE(names)];
	const struct dns_template *t[VD_ARRAY_SIZE(names)];

	for (unsigned i = 0; i < VD_ARRAY_SIZE(names); i++) {
		mk_key(&k[i], names[i], 1, 1, 0);
		t[i] = mk_tmpl(&b[i], k[i].name_len, 4, i);
		cr_assert_eq(dp_cache_insert(c, &k[i], t[i], 1000, 60), 0);
	}
	for (unsigned i = 0; i < VD_ARRAY_SIZE(names); i++)
		cr_assert(entry_is(dp_cache_lookup(c, &k[i], 1000), &k[i], t[i]), "%s", names[i]);
	dp_cache_destroy(c);
}

Test(dp_cache, replace_keeps_one_entry_and_serves_new_template)
{
	struct dp_cache *c = mk_cache(1 << 20, 0);
	struct dns_key k;
	union tbuf b1, b2, b3;
	const struct dns_template *t1, *t2, *t3;
	struct dp_cache_stats s;

	mk_key(&k, "example.com", 1, 1, 0);
	t1 = mk_tmpl(&b1, k.name_len, 8, 1);
	t2 = mk_tmpl(&b2, k.name_len, 8, 2);
	t3 = mk_tmpl(&b3, k.name_len, 3000, 3); /* another size class */
	cr_assert_eq(dp_cache_insert(c, &k, t1, 1000, 60), 0);
	cr_assert_eq(dp_cache_insert(c, &k, t2, 1010, 60), 0);
	s = stats(c);
	cr_assert_eq(s.entries, 1);
	cr_assert_eq(s.inserts, 1);
	cr_assert_eq(s.replaces, 1);
	cr_assert(entry_is(dp_cache_lookup(c, &k, 1065), &k, t2), "new template, new expiry");
	cr_assert_eq(dp_cache_lookup(c, &k, 1065)->inserted, 1010);
	cr_assert_eq(dp_cache_insert(c, &k, t3, 1020, 60), 0);
	cr_assert(entry_is(dp_cache_lookup(c, &k, 1020), &k, t3));
	cr_assert_eq(stats(c).entries, 1);
	cr_assert_eq(stats(c).replaces, 2);
	s = stats(c);
	cr_assert_eq(s.bytes, 3120, "only the new slot counts, got %" PRIu64, s.bytes);
	cr_assert_eq(count_entries(c), 1);
	dp_cache_destroy(c);
}

/* ---- expiry ---- */

Test(dp_cache, expiry_boundary)
{
	struct dp_cache *c = mk_cache(1 << 20, 0);
	struct dns_key k;
	union tbuf b;
	const struct dns_template *t;
	struct dp_cache_stats s;

	mk_key(&k, "example.com", 1, 1, 0);
	t = mk_tmpl(&b, k.name_len, 8, 1);
	cr_assert_eq(dp_cache_insert(c, &k, t, 1000, 300), 0);
	cr_assert(entry_is(dp_cache_lookup(c, &k, 1299), &k, t), "last second served");
	cr_assert_null(dp_cache_lookup(c, &k, 1300), "expires is exclusive");
	s = stats(c);
	cr_assert_eq(s.expired, 1);
	cr_assert_eq(s.misses, 1);
	cr_assert_eq(s.hits, 1);
	cr_assert_eq(s.entries, 0, "an expired entry found is removed");
	cr_assert_eq(s.bytes, 0);
	cr_assert_eq(count_entries(c), 0);
	/* Gone, not merely hidden: going back in time does not bring it back. */
	cr_assert_null(dp_cache_lookup(c, &k, 1299));
	cr_assert_eq(stats(c).expired, 1);
	dp_cache_destroy(c);
}

Test(dp_cache, huge_ttl_saturates)
{
	struct dp_cache *c = mk_cache(1 << 20, 0);
	struct dns_key k;
	union tbuf b;

	mk_key(&k, "example.com", 1, 1, 0);
	cr_assert_eq(dp_cache_insert(c, &k, mk_tmpl(&b, k.name_len, 0, 1), 4000000000u, UINT32_MAX),
	             0);
	cr_assert_eq(dp_cache_lookup(c, &k, 4000000001u)->expires, UINT32_MAX);
	dp_cache_destroy(c);
}

/* ---- eviction ---- */

Test(dp_cache, eviction_under_memory_pressure)
{
	const size_t mem = 512 * 1024;
	struct dp_cache *c = mk_cache(mem, 8192);
	uint64_t r = 1;
	struct dp_cache_stats s;
	union tbuf b;

	for (unsigned i = 0; i < 20000; i++) {
		struct dns_key k;
		/* Mostly small answers, some large ones: several classes compete. */
		uint16_t body = (uint16_t)(i % 10 == 0 ? rnd(&r) % 4000 : rnd(&r) % 200);

		mk_key_n(&k, i, 1);
		cr_assert_eq(dp_cache_insert(c, &k, mk_tmpl(&b, k.name_len, body, i), 1000, 3600),
		             0, "insert %u", i);
		cr_assert(entry_is(dp_cache_lookup(c, &k, 1000), &k, &b.t), "fresh entry %u", i);
		s = stats(c);
		cr_assert_leq(s.mem_bytes, mem);
		cr_assert_leq(s.entries, 8192);
		cr_assert_leq(s.bytes, s.mem_bytes);
	}
	s = stats(c);
	cr_assert_eq(s.insert_fails, 0);
	cr_assert_eq(s.inserts, 20000);
	cr_assert_gt(s.evictions, 0);
	cr_assert_eq(s.inserts - s.evictions, s.entries, "every key still out was evicted");
	cr_assert_eq(count_entries(c), s.entries);
	dp_cache_destroy(c);
}

/*
 * Deterministic CLOCK check. Fill one size class to exactly its capacity C
 * (found by filling until the first eviction, then starting over), hit the
 * first quarter, insert C/2 new keys. The hand needs C/2 unreferenced entries
 * and passes at most C/4 referenced ones on the way, so it never comes round
 * twice: every hit entry survives, exactly C/4 untouched old ones do.
 */
Test(dp_cache, clock_keeps_recently_hit_entries)
{
	struct dp_cache *c = mk_cache(512 * 1024, 16384);
	unsigned cap = 0, hit_alive = 0, cold_alive = 0;
	uint64_t ev0;
	struct dns_key k;
	union tbuf b;

	for (;; cap++) {
		mk_key_n(&k, cap, 1);
		cr_assert_eq(dp_cache_insert(c, &k, mk_one_a(&b, k.name_len), 1000, 3600), 0);
		if (stats(c).evictions > 0)
			break;
	}
	cr_assert_gt(cap, 1000);
	cr_assert_lt(cap, 16384, "memory, not the table, must be the limit");
	dp_cache_flush_all(c);
	for (unsigned i = 0; i < cap; i++) {
		mk_key_n(&k, i, 1);
		cr_assert_eq(dp_cache_insert(c, &k, mk_one_a(&b, k.name_len), 1000, 3600), 0);
	}
	ev0 = stats(c).evictions;
	cr_assert_eq(stats(c).entries, cap);
	for (unsigned i = 0; i < cap / 4; i++) {
		mk_key_n(&k, i, 1);
		cr_assert_not_null(dp_cache_lookup(c, &k, 1001));
	}
	for (unsigned i = 0; i < cap / 2; i++) {
		mk_key_n(&k, 1000000 + i, 1);
		cr_assert_eq(dp_cache_insert(c, &k, mk_one_a(&b, k.name_len), 1002, 3600), 0);
	}
	cr_assert_eq(stats(c).evictions - ev0, cap / 2);
	for (unsigned i = 0; i < cap; i++) {
		mk_key_n(&k, i, 1);
		if (dp_cache_lookup(c, &k, 1003) != NULL)
			*(i < cap / 4 ? &hit_alive : &cold_alive) += 1;
	}
	cr_assert_eq(hit_alive, cap / 4, "hit entries survive the sweep");
	cr_assert_eq(cold_alive, cap - cap / 4 - cap / 2);
	for (unsigned i = 0; i < cap / 2; i++) {
		mk_key_n(&k, 1000000 + i, 1);
		cr_assert_not_null(dp_cache_lookup(c, &k, 1003), "new key %u", i);
	}
	dp_cache_destroy(c);
}

Test(dp_cache, expired_entries_go_before_live_ones)
{
	struct dp_cache *c = mk_cache(1 << 20, 100);
	struct dns_key k;
	union tbuf b;
	struct dp_cache_stats s;

	/* Even keys expire at 1010, odd ones live long, and all were hit. */
	for (unsigned i = 0; i < 100; i++) {
		mk_key_n(&k, i, 1);
		cr_assert_eq(
			dp_cache_insert(c, &k, mk_one_a(&b, k.name_len), 1000, i % 2 ? 3600 : 10),
			0);
		cr_assert_not_null(dp_cache_lookup(c, &k, 1000));
	}
	for (unsigned i = 0; i < 50; i++) {
		mk_key_n(&k, 500 + i, 1);
		cr_assert_eq(dp_cache_insert(c, &k, mk_one_a(&b, k.name_len), 1020, 3600), 0);
	}
	s = stats(c);
	cr_assert_eq(s.expired, 50, "the hand drops the expired ones, counted as expired");
	cr_assert_eq(s.evictions, 0);
	for (unsigned i = 1; i < 100; i += 2) {
		mk_key_n(&k, i, 1);
		cr_assert_not_null(dp_cache_lookup(c, &k, 1020), "live key %u", i);
	}
	dp_cache_destroy(c);
}

Test(dp_cache, table_full_evicts)
{
	struct dp_cache *c = mk_cache(1 << 20, 100);
	struct dns_key k;
	union tbuf b;
	struct dp_cache_stats s;

	for (unsigned i = 0; i < 1000; i++) {
		mk_key_n(&k, i, 1);
		/* Two classes, so the table limit is met with entries of either. */
		cr_assert_eq(dp_cache_insert(c, &k, mk_tmpl(&b, k.name_len, i % 3 ? 0 : 500, i),
		                             1000, 3600),
		             0);
		cr_assert_leq(stats(c).entries, 100);
		cr_assert(entry_is(dp_cache_lookup(c, &k, 1000), &k, &b.t));
	}
	s = stats(c);
	cr_assert_eq(s.capacity, 100);
	cr_assert_eq(s.entries, 100);
	cr_assert_eq(s.evictions, 900);
	cr_assert_eq(s.insert_fails, 0);
	cr_assert_eq(count_entries(c), 100);
	dp_cache_destroy(c);
}

Test(dp_cache, page_stealing)
{
	const size_t mem = 512 * 1024;
	struct dp_cache *c = mk_cache(mem, 16384);
	struct dp_cache_stats s0, s1;
	struct dns_key k, big;
	union tbuf b;
	const struct dns_template *t;
	unsigned i, alive = 0;

	/* One class takes every page... */
	for (i = 0; stats(c).evictions == 0; i++) {
		mk_key_n(&k, i, 1);
		cr_assert_eq(dp_cache_insert(c, &k, mk_one_a(&b, k.name_len), 1000, 3600), 0);
	}
	/* The first eviction: no page was left. */
	s0 = stats(c);
	cr_assert_leq(s0.mem_bytes, mem);
	/* ...then an entry of another class needs one. */
	mk_key(&big, "big.example", 16, 1, 0);
	t = mk_tmpl(&b, big.name_len, 8000, 77);
	cr_assert_eq(dp_cache_insert(c, &big, t, 1001, 3600), 0);
	cr_assert(entry_is(dp_cache_lookup(c, &big, 1001), &big, t));
	s1 = stats(c);
	cr_assert_eq(s1.mem_bytes, s0.mem_bytes, "a page moved, none was added");
	cr_assert_gt(s1.evictions, s0.evictions, "the stolen page's entries were evicted");
	cr_assert_eq(s1.entries, s0.entries + 1 - (s1.evictions - s0.evictions));
	cr_assert_eq(count_entries(c), s1.entries);
	/* The small class keeps working on the pages it has left. */
	for (unsigned j = 0; j < i; j++) {
		mk_key_n(&k, j, 1);
		alive += dp_cache_lookup(c, &k, 1002) != NULL;
	}
	cr_assert_eq(alive, s1.entries - 1);
	mk_key_n(&k, 999999, 1);
	cr_assert_eq(dp_cache_insert(c, &k, mk_one_a(&b, k.name_len), 1003, 3600), 0);
	cr_assert_not_null(dp_cache_lookup(c, &k, 1003));
	cr_assert_not_null(dp_cache_lookup(c, &big, 1003));
	dp_cache_destroy(c);
}
