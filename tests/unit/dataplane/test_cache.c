/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the answer cache (dataplane/dp_cache.c and its slab, dp_slab.c). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dp_cache.h"

#define T_SEED 0x5eed5eed5eedull

/* A template block of any size, aligned as the cache and dns_serve() expect. */
union tbuf {
	struct dns_template t;
	uint8_t raw[DNS_TMPL_MAXLEN + 64];
};

/* "a.b.c" to wire form; "" is the root. @return the wire length. */
static uint16_t
wire_name(uint8_t *out, const char *dotted)
{
	uint16_t n = 0;

	while (*dotted != '\0') {
		const char *dot = strchr(dotted, '.');
		size_t len = dot != NULL ? (size_t)(dot - dotted) : strlen(dotted);

		out[n++] = (uint8_t)len;
		memcpy(out + n, dotted, len);
		n += (uint16_t)len;
		dotted += len;
		if (*dotted == '.')
			dotted++;
	}
	out[n++] = 0;
	return n;
}

static void
mk_key(struct dns_key *k, const char *name, uint16_t qtype, uint16_t qclass, uint8_t do_bit)
{
	memset(k, 0, sizeof(*k));
	k->name_len = wire_name(k->bytes, name);
	k->bytes[k->name_len] = (uint8_t)(qtype >> 8);
	k->bytes[k->name_len + 1] = (uint8_t)qtype;
	k->bytes[k->name_len + 2] = (uint8_t)(qclass >> 8);
	k->bytes[k->name_len + 3] = (uint8_t)qclass;
	k->bytes[k->name_len + 4] = do_bit;
	k->len = k->name_len + 5;
}

/* Key number @p i: a 20-octet name (h + 9 digits, then "example"), type A, IN. */
static void
mk_key_n(struct dns_key *k, unsigned i, uint16_t qtype)
{
	char name[32];

	snprintf(name, sizeof(name), "h%09u.example", i);
	mk_key(k, name, qtype, 1, 0);
}

/*
 * A template with no RRs and @p body_len body bytes, told apart by @p mark
 * (in ttl_min and the body): enough for the cache, which copies it whole.
 */
static const struct dns_template *
mk_tmpl(union tbuf *b, uint16_t qname_len, uint16_t body_len, uint32_t mark)
{
	uint8_t *body = b->raw + sizeof(struct dns_template);

	memset(&b->t, 0, sizeof(b->t));
	b->t.total_len = (uint16_t)(sizeof(struct dns_template) + body_len);
	b->t.qname_len = qname_len;
	b->t.body_len = body_len;
	b->t.ttl_min = mark;
	for (unsigned i = 0; i < body_len; i++)
		body[i] = (uint8_t)(mark * 31 + i);
	return &b->t;
}

/* What dns_template_build() makes of one A record for a question name of @p qname_len. */
static const struct dns_template *
mk_one_a(union tbuf *b, uint16_t qname_len)
{
	static const uint8_t rr[16] = {
		0xc0, 0x0c,             /* owner: pointer to the question name */
		0x00, 0x01, 0x00, 0x01, /* A, IN */
		0x00, 0x00, 0x01, 0x2c, /* TTL 300 */
		0x00, 0x04, 192,  0,    2, 1,
	};
	struct dns_tmpl_rrset *rs = (struct dns_tmpl_rrset *)(void *)(b->raw + sizeof(b->t));
	uint16_t *ttl_off = (uint16_t *)(void *)(rs + 1);

	memset(b->raw, 0, 128);
	b->t.qname_len = qname_len;
	b->t.qtype = 1;
	b->t.count[DNS_SECTION_ANSWER] = 1;
	b->t.n_rrset = 1;
	b->t.n_rr = 1;
	b->t.body_len = sizeof(rr);
	b->t.ttl_min = 300;
	rs->end = sizeof(rr);
	rs->n_rr = 1;
	ttl_off[0] = 6;
	memcpy(ttl_off + 1, rr, sizeof(rr));
	b->t.total_len = (uint16_t)((const uint8_t *)(ttl_off + 1) + sizeof(rr) - b->raw);
	return &b->t;
}

static struct dp_cache *
mk_cache(size_t mem, uint32_t max_entries)
{
	struct dp_cache_params p = { .mem_bytes = mem, .max_entries = max_entries, .seed = T_SEED };
	struct dp_cache *c = dp_cache_create(&p);

	cr_assert_not_null(c, "dp_cache_create(%zu, %u): errno %d", mem, max_entries, errno);
	return c;
}

static struct dp_cache_stats
stats(const struct dp_cache *c)
{
	struct dp_cache_stats s;

	dp_cache_get_stats(c, &s);
	return s;
}

static bool
entry_is(const struct dp_cache_entry *e, const struct dns_key *k, const struct dns_template *t)
{
	const struct dns_template *et;

	if (e == NULL || e->key_len != k->len || memcmp(e->key, k->bytes, k->len) != 0)
		return false;
	et = dp_cache_entry_template(e);
	return ((uintptr_t)et & 3) == 0 && et->total_len == t->total_len &&
	       memcmp(et, t, t->total_len) == 0;
}

static int
count_cb(const struct dp_cache_entry *e, void *arg)
{
	(void)e;
	++*(unsigned *)arg;
	return 0;
}

static unsigned
count_entries(const struct dp_cache *c)
{
	unsigned n = 0;

	cr_assert_eq(dp_cache_walk(c, count_cb, &n), 0);
	return n;
}

static uint64_t
rnd(uint64_t *s)
{
	/* xorshift64*: reproducible without libc's rand() state. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

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
