/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the answer cache's delete, flushes, bulk lookup and walk (dataplane/dp_cache.c). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cache_harness.h"

/* ---- delete and flushes ---- */

Test(dp_cache, delete)
{
	struct dp_cache *c = mk_cache(1 << 20, 0);
	struct dns_key k, k2;
	union tbuf b;

	mk_key(&k, "example.com", 1, 1, 0);
	mk_key(&k2, "example.com", 28, 1, 0);
	cr_assert_eq(dp_cache_insert(c, &k, mk_tmpl(&b, k.name_len, 8, 1), 1000, 60), 0);
	cr_assert_eq(dp_cache_insert(c, &k2, mk_tmpl(&b, k.name_len, 8, 2), 1000, 60), 0);
	cr_assert_eq(dp_cache_delete(c, &k), 0);
	cr_assert_null(dp_cache_lookup(c, &k, 1000));
	cr_assert_not_null(dp_cache_lookup(c, &k2, 1000));
	cr_assert_eq(dp_cache_delete(c, &k), -ENOENT);
	cr_assert_eq(stats(c).deletes, 1);
	cr_assert_eq(stats(c).entries, 1);
	dp_cache_destroy(c);
}

Test(dp_cache, flush_name_removes_every_type_of_that_name_only)
{
	/* 8 buckets for 60 keys: probe sequences overlap and overflow everywhere. */
	static const uint16_t types[] = { 1, 28, 15, 16, 1 };
	static const uint8_t dos[] = { 0, 0, 0, 0, 1 };
	struct dp_cache *c = mk_cache(1 << 20, 64);
	char names[12][32];
	struct dns_key k;
	union tbuf b;

	for (unsigned n = 0; n < 12; n++) {
		/* Prefixes and suffixes of each other, to catch a sloppy compare. */
		snprintf(names[n], sizeof(names[n]), n % 2 ? "www.n%u.example" : "n%u.example",
		         n / 2);
		for (unsigned i = 0; i < VD_ARRAY_SIZE(types); i++) {
			mk_key(&k, names[n], types[i], 1, dos[i]);
			cr_assert_eq(
				dp_cache_insert(c, &k, mk_tmpl(&b, k.name_len, 4, n), 1000, 60), 0);
		}
	}
	cr_assert_eq(stats(c).entries, 60);
	for (unsigned f = 0; f < 12; f++) {
		uint8_t wire[DNS_NAME_MAXLEN];
		uint16_t len = wire_name(wire, names[f]);

		cr_assert_eq(dp_cache_flush_name(c, wire, len), 5, "flush %s", names[f]);
		cr_assert_eq(dp_cache_flush_name(c, wire, len), 0);
		for (unsigned n = 0; n < 12; n++) {
			for (unsigned i = 0; i < VD_ARRAY_SIZE(types); i++) {
				mk_key(&k, names[n], types[i], 1, dos[i]);
				cr_assert_eq(dp_cache_lookup(c, &k, 1000) != NULL, n > f,
				             "%s type %u after flushing %s", names[n], types[i],
				             names[f]);
			}
		}
		cr_assert_eq(stats(c).entries, 5 * (11 - f));
	}
	cr_assert_eq(stats(c).deletes, 60);
	dp_cache_destroy(c);
}

Test(dp_cache, flush_all)
{
	struct dp_cache *c = mk_cache(4 << 20, 0);
	struct dp_cache_stats s;
	struct dns_key k;
	union tbuf b;

	for (unsigned i = 0; i < 3000; i++) {
		mk_key_n(&k, i, 1);
		cr_assert_eq(dp_cache_insert(c, &k, mk_tmpl(&b, k.name_len, (uint16_t)(i % 700), i),
		                             1000, 60),
		             0);
	}
	cr_assert_gt(stats(c).mem_bytes, 4096 * 64);
	dp_cache_flush_all(c);
	s = stats(c);
	cr_assert_eq(s.entries, 0);
	cr_assert_eq(s.bytes, 0);
	cr_assert_eq(s.mem_bytes, 4096 * 64, "every page given back: only the table is left");
	cr_assert_eq(s.inserts, 3000, "cumulative counters are kept");
	cr_assert_eq(s.evictions, 0);
	cr_assert_eq(s.deletes, 3000);
	cr_assert_eq(count_entries(c), 0);
	for (unsigned i = 0; i < 3000; i += 7) {
		mk_key_n(&k, i, 1);
		cr_assert_null(dp_cache_lookup(c, &k, 1000));
	}
	mk_key_n(&k, 5, 1);
	cr_assert_eq(dp_cache_insert(c, &k, mk_tmpl(&b, k.name_len, 8, 5), 1000, 60), 0);
	cr_assert(entry_is(dp_cache_lookup(c, &k, 1000), &k, &b.t));
	dp_cache_destroy(c);
}

/* ---- bulk and walk ---- */

/*
 * Two caches with one seed, fed the same operations, stay identical; one is
 * read in bursts, the other key by key. Bursts mix present, absent, expired
 * and repeated keys, so a key dropped as expired by an earlier key of the same
 * burst is seen to be gone.
 */
Test(dp_cache, bulk_lookup_agrees_with_single_lookups)
{
	struct dp_cache *bulk = mk_cache(2 << 20, 4096), *one = mk_cache(2 << 20, 4096);
	static struct dns_key keys[3000];
	uint64_t r = 12345;
	unsigned total_hits = 0, total_expired;
	struct dp_cache_stats sb, so;
	union tbuf b;

	for (unsigned i = 0; i < VD_ARRAY_SIZE(keys); i++)
		mk_key_n(&keys[i], i / 3, (uint16_t[]){ 1, 28, 15 }[i % 3]);
	for (uint32_t now = 1000; now < 1400; now += 2) {
		const struct dns_key *batch[DP_CACHE_BULK_MAX];
		struct dp_cache_entry *hits[DP_CACHE_BULK_MAX];
		unsigned n = 1 + (unsigned)(rnd(&r) % DP_CACHE_BULK_MAX), nh;

		/* Keys 0..1999 get inserted over time; 2000.. never are. */
		for (unsigned j = 0; j < 20; j++) {
			unsigned i = (unsigned)(rnd(&r) % 2000);
			uint32_t ttl = 1 + (uint32_t)(rnd(&r) % 120);
			const struct dns_template *t =
				mk_tmpl(&b, keys[i].name_len, (uint16_t)(rnd(&r) % 300), i);

			cr_assert_eq(dp_cache_insert(bulk, &keys[i], t, now, ttl), 0);
			cr_assert_eq(dp_cache_insert(one, &keys[i], t, now, ttl), 0);
		}
		for (unsigned j = 0; j < n; j++) {
			unsigned i = (unsigned)(rnd(&r) % VD_ARRAY_SIZE(keys));

			batch[j] = j > 0 && rnd(&r) % 8 == 0 ? batch[j - 1] : &keys[i];
		}
		nh = dp_cache_lookup_bulk(bulk, batch, n, now, hits);
		for (unsigned j = 0; j < n; j++) {
			struct dp_cache_entry *e = dp_cache_lookup(one, batch[j], now);

			cr_assert_eq(hits[j] == NULL, e == NULL, "now %u key %u", now, j);
			if (e != NULL) {
				cr_assert_eq(hits[j]->key_len, e->key_len);
				cr_assert_eq(memcmp(hits[j]->key, e->key, e->key_len), 0);
				cr_assert_eq(hits[j]->expires, e->expires);
				cr_assert_eq(memcmp(dp_cache_entry_template(hits[j]),
				                    dp_cache_entry_template(e),
				                    dp_cache_entry_template(e)->total_len),
				             0);
				nh--;
				total_hits++;
			}
		}
		cr_assert_eq(nh, 0, "return value is the number of hits");
	}
	dp_cache_get_stats(bulk, &sb);
	dp_cache_get_stats(one, &so);
	cr_assert_eq(memcmp(&sb, &so, sizeof(sb)), 0, "same counters");
	total_expired = (unsigned)sb.expired;
	cr_assert_gt(total_hits, 500, "the mix has hits (%u)", total_hits);
	cr_assert_gt(total_expired, 50, "the mix has expired keys (%u)", total_expired);
	cr_assert_gt(sb.misses - sb.expired, 500, "the mix has absent keys");
	dp_cache_destroy(bulk);
	dp_cache_destroy(one);
}

Test(dp_cache, bulk_lookup_takes_more_than_a_burst)
{
	struct dp_cache *c = mk_cache(1 << 20, 0);
	static struct dns_key keys[150];
	const struct dns_key *batch[150];
	struct dp_cache_entry *hits[150];
	union tbuf b;

	for (unsigned i = 0; i < 150; i++) {
		mk_key_n(&keys[i], i, 1);
		batch[i] = &keys[i];
		if (i % 2 == 0)
			cr_assert_eq(dp_cache_insert(c, &keys[i], mk_one_a(&b, keys[i].name_len),
			                             1000, 60),
			             0);
	}
	cr_assert_eq(dp_cache_lookup_bulk(c, batch, 150, 1000, hits), 75);
	for (unsigned i = 0; i < 150; i++)
		cr_assert_eq(hits[i] != NULL, i % 2 == 0, "key %u", i);
	cr_assert_eq(dp_cache_lookup_bulk(c, batch, 0, 1000, hits), 0);
	dp_cache_destroy(c);
}

struct seen {
	unsigned n;
	uint8_t count[5000];
	unsigned stop_after;
};

static int
seen_cb(const struct dp_cache_entry *e, void *arg)
{
	struct seen *s = arg;

	s->count[dp_cache_entry_template(e)->ttl_min]++;
	return ++s->n == s->stop_after ? 42 : 0;
}

Test(dp_cache, walk_visits_every_live_entry_once)
{
	struct dp_cache *c = mk_cache(4 << 20, 0);
	static struct seen s;
	struct dns_key k;
	union tbuf b;

	for (unsigned i = 0; i < 5000; i++) {
		mk_key_n(&k, i, 1);
		cr_assert_eq(dp_cache_insert(c, &k, mk_tmpl(&b, k.name_len, (uint16_t)(i % 90), i),
		                             1000, i % 5 == 0 ? 5 : 60),
		             0);
	}
	for (unsigned i = 0; i < 5000; i += 3) {
		mk_key_n(&k, i, 1);
		/* Replace every third with the same mark, delete every ninth. */
		cr_assert_eq(dp_cache_insert(c, &k, mk_tmpl(&b, k.name_len, 200, i), 1000, 60), 0);
		if (i % 9 == 0)
			cr_assert_eq(dp_cache_delete(c, &k), 0);
	}
	cr_assert_eq(stats(c).evictions, 0);
	cr_assert_eq(dp_cache_walk(c, seen_cb, &s), 0);
	cr_assert_eq(s.n, stats(c).entries);
	for (unsigned i = 0; i < 5000; i++)
		cr_assert_eq(s.count[i], i % 9 == 0 ? 0 : 1, "entry %u seen %u times", i,
		             s.count[i]);
	/* The entries with ttl 5 would be expired at 1005, but nothing looked them up. */
	memset(&s, 0, sizeof(s));
	s.stop_after = 10;
	cr_assert_eq(dp_cache_walk(c, seen_cb, &s), 42, "fn's result stops the walk");
	cr_assert_eq(s.n, 10);
	dp_cache_destroy(c);
}
