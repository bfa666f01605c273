/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for control/cp_rrcache.c: store and lookup, expiry, TTL clamps,
 * trust ranks, negative entries, the closest enclosing delegation, LRU
 * eviction, flushes, the walk and the counters.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cp_rrcache.h"
#include "dns_name.h"
#include "dns_present.h"
#include "dns_wire.h"

#define T0 1000000u /* an arbitrary "now" */

static struct cp_rrcache *rc;

static void
setup(void)
{
	rc = cp_rrcache_new(NULL);
	cr_assert_not_null(rc);
}

static void
teardown(void)
{
	cp_rrcache_free(rc);
	rc = NULL;
}

TestSuite(cp_rrcache, .init = setup, .fini = teardown);

/* Wire form of @p text in one of a few rotating buffers, so a test can hold several. */
static const uint8_t *
N(const char *text)
{
	static uint8_t buf[8][DNS_NAME_MAXLEN];
	static unsigned i;
	uint8_t *out = buf[i++ % 8];

	cr_assert_gt(dns_name_from_text(text, out, DNS_NAME_MAXLEN), 0, "name %s", text);
	return out;
}

static struct cp_rrc_stats
stats(void)
{
	struct cp_rrc_stats s;

	cp_rrcache_stats(rc, &s);
	return s;
}

/* Store an A RRset of @p n addresses 192.0.2.(last + i). */
static int
put_a(const char *owner, uint32_t ttl, unsigned n, uint8_t last, enum cp_rrc_rank rank,
      uint64_t now)
{
	uint8_t addr[8][4];
	struct dns_rdata rd[8];
	struct dns_rrset_in rr = {
		.owner = N(owner),
		.type = DNS_TYPE_A,
		.rclass = DNS_CLASS_IN,
		.ttl = ttl,
		.n_rdata = (uint16_t)n,
		.rdata = rd,
	};

	for (unsigned i = 0; i < n; i++) {
		addr[i][0] = 192, addr[i][1] = 0, addr[i][2] = 2, addr[i][3] = (uint8_t)(last + i);
		rd[i].data = addr[i];
		rd[i].len = 4;
	}
	return cp_rrcache_store(rc, &rr, rank, now);
}

static int
put_aaaa(const char *owner, uint32_t ttl, enum cp_rrc_rank rank, uint64_t now)
{
	static const uint8_t addr[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct dns_rdata rd = { addr, 16 };
	struct dns_rrset_in rr = {
		.owner = N(owner),
		.type = DNS_TYPE_AAAA,
		.rclass = DNS_CLASS_IN,
		.ttl = ttl,
		.n_rdata = 1,
		.rdata = &rd,
	};

	return cp_rrcache_store(rc, &rr, rank, now);
}

/* Store an NS RRset at @p zone with the given targets (up to 4). */
static int
put_ns(const char *zone, uint32_t ttl, const char *const *targets, unsigned n, uint64_t now)
{
	uint8_t wire[4][DNS_NAME_MAXLEN];
	struct dns_rdata rd[4];
	struct dns_rrset_in rr = {
		.owner = N(zone),
		.type = DNS_TYPE_NS,
		.rclass = DNS_CLASS_IN,
		.ttl = ttl,
		.n_rdata = (uint16_t)n,
		.rdata = rd,
	};

	for (unsigned i = 0; i < n; i++) {
		int len = dns_name_from_text(targets[i], wire[i], DNS_NAME_MAXLEN);

		cr_assert_gt(len, 0);
		rd[i].data = wire[i];
		rd[i].len = (uint16_t)len;
	}
	return cp_rrcache_store(rc, &rr, CP_RRC_RANK_NONAUTH_AUTHORITY, now);
}

/* An SOA RRset for @p zone with TTL @p ttl and MINIMUM @p minimum; rdata in @p buf. */
static struct dns_rrset_in
soa(const char *zone, uint32_t ttl, uint32_t minimum, uint8_t *buf, struct dns_rdata *rd)
{
	int a = dns_name_from_text("ns1.example.", buf, DNS_NAME_MAXLEN);
	int b = dns_name_from_text("hostmaster.example.", buf + a, DNS_NAME_MAXLEN);
	uint8_t *p = buf + a + b;

	dns_put_u32(p, 2024010101);
	dns_put_u32(p + 4, 7200);
	dns_put_u32(p + 8, 3600);
	dns_put_u32(p + 12, 1209600);
	dns_put_u32(p + 16, minimum);
	rd->data = buf;
	rd->len = (uint16_t)(a + b + 20);
	return (struct dns_rrset_in){
		.owner = N(zone),
		.type = DNS_TYPE_SOA,
		.rclass = DNS_CLASS_IN,
		.ttl = ttl,
		.n_rdata = 1,
		.rdata = rd,
	};
}

static int
put_neg(enum cp_rrc_kind kind, const char *name, uint16_t qtype, uint32_t ttl, uint32_t minimum,
        enum cp_rrc_rank rank, uint64_t now)
{
	uint8_t buf[600];
	struct dns_rdata rd;
	struct dns_rrset_in s = soa("example.", ttl, minimum, buf, &rd);

	return cp_rrcache_store_negative(rc, kind, N(name), qtype, DNS_CLASS_IN, &s, rank, now);
}

/* Look up (name, type, IN); @return the kind or -ENOENT, with the entry and TTL left. */
static int
get(const char *name, uint16_t type, uint64_t now, const struct cp_rrc_rrset **e, uint32_t *ttl)
{
	const struct cp_rrc_rrset *dummy;

	return cp_rrcache_lookup(rc, N(name), type, DNS_CLASS_IN, now, e != NULL ? e : &dummy, ttl);
}

/* Last octet of the first address of the A RRset at @p name, or -1. */
static int
a_last(const char *name, uint64_t now)
{
	const struct cp_rrc_rrset *e;

	if (get(name, DNS_TYPE_A, now, &e, NULL) != CP_RRC_POSITIVE)
		return -1;
	return e->rdata[0].data[3];
}

static void
use_conf(size_t max_bytes, uint32_t min_ttl, uint32_t max_ttl, uint32_t max_neg)
{
	struct cp_rrc_conf conf = { max_bytes, min_ttl, max_ttl, max_neg };

	cr_assert_eq(cp_rrcache_set_conf(rc, &conf), 0);
}

/* ---- store and lookup ---- */

Test(cp_rrcache, store_then_lookup_returns_copy)
{
	const struct cp_rrc_rrset *e;
	uint32_t ttl = 0;

	cr_assert_eq(put_a("www.example.", 300, 3, 10, CP_RRC_RANK_AUTH_ANSWER, T0), 0);
	cr_assert_eq(get("www.example.", DNS_TYPE_A, T0 + 100, &e, &ttl), CP_RRC_POSITIVE);
	cr_assert_eq(ttl, 200);
	cr_assert_eq(e->n_rdata, 3);
	cr_assert_eq(e->type, DNS_TYPE_A);
	cr_assert_eq(e->rclass, DNS_CLASS_IN);
	cr_assert_eq(e->ttl, 300);
	cr_assert_eq(e->expire, T0 + 300);
	cr_assert_eq(e->rank, CP_RRC_RANK_AUTH_ANSWER);
	cr_assert(dns_name_equal(e->owner, N("www.example.")));
	for (unsigned i = 0; i < 3; i++) {
		cr_assert_eq(e->rdata[i].len, 4);
		cr_assert_eq(e->rdata[i].data[3], 10 + i);
	}
	/* Other types, classes and names miss. */
	cr_assert_eq(get("www.example.", DNS_TYPE_AAAA, T0, NULL, NULL), -ENOENT);
	cr_assert_eq(get("example.", DNS_TYPE_A, T0, NULL, NULL), -ENOENT);
	cr_assert_eq(
		cp_rrcache_lookup(rc, N("www.example."), DNS_TYPE_A, DNS_CLASS_CH, T0, &e, NULL),
		-ENOENT);
}

Test(cp_rrcache, rrset_in_for_template)
{
	const struct cp_rrc_rrset *e;
	struct dns_rrset_in out;

	put_a("www.example.", 300, 2, 1, CP_RRC_RANK_AUTH_ANSWER, T0);
	cr_assert_eq(get("www.example.", DNS_TYPE_A, T0, &e, NULL), CP_RRC_POSITIVE);
	cp_rrcache_rrset_in(e, T0 + 50, DNS_SECTION_ANSWER, &out);
	cr_assert_eq(out.ttl, 250);
	cr_assert_eq(out.type, DNS_TYPE_A);
	cr_assert_eq(out.n_rdata, 2);
	cr_assert_eq(out.rdata, e->rdata);
	cr_assert_eq(out.owner, e->owner);
	cr_assert_eq(out.section, DNS_SECTION_ANSWER);
}

Test(cp_rrcache, duplicate_rdata_stored_once)
{
	static const uint8_t a[4] = { 192, 0, 2, 1 };
	struct dns_rdata rd[3] = { { a, 4 }, { a, 4 }, { a, 4 } };
	struct dns_rrset_in rr = { .owner = N("dup.example."),
		                   .type = DNS_TYPE_A,
		                   .rclass = DNS_CLASS_IN,
		                   .ttl = 60,
		                   .n_rdata = 3,
		                   .rdata = rd };
	const struct cp_rrc_rrset *e;

	cr_assert_eq(cp_rrcache_store(rc, &rr, CP_RRC_RANK_AUTH_ANSWER, T0), 0);
	cr_assert_eq(get("dup.example.", DNS_TYPE_A, T0, &e, NULL), CP_RRC_POSITIVE);
	cr_assert_eq(e->n_rdata, 1);
}

Test(cp_rrcache, rejects_bad_input)
{
	static const uint8_t bad_name[] = { 70, 'x', 0 };
	static const uint8_t a[4] = { 192, 0, 2, 1 };
	struct dns_rdata rd = { a, 4 };
	struct dns_rrset_in rr = { .owner = N("x.example."),
		                   .type = DNS_TYPE_A,
		                   .rclass = DNS_CLASS_IN,
		                   .ttl = 60,
		                   .n_rdata = 1,
		                   .rdata = &rd };
	const struct cp_rrc_rrset *e;

	rr.n_rdata = 0;
	cr_assert_eq(cp_rrcache_store(rc, &rr, CP_RRC_RANK_AUTH_ANSWER, T0), -EINVAL);
	rr.n_rdata = 1;
	rr.type = 0;
	cr_assert_eq(cp_rrcache_store(rc, &rr, CP_RRC_RANK_AUTH_ANSWER, T0), -EINVAL);
	rr.type = DNS_TYPE_ANY;
	cr_assert_eq(cp_rrcache_store(rc, &rr, CP_RRC_RANK_AUTH_ANSWER, T0), -EINVAL);
	rr.type = DNS_TYPE_A;
	rr.owner = bad_name;
	cr_assert_eq(cp_rrcache_store(rc, &rr, CP_RRC_RANK_AUTH_ANSWER, T0), -EINVAL);
	cr_assert_eq(cp_rrcache_lookup(rc, bad_name, DNS_TYPE_A, DNS_CLASS_IN, T0, &e, NULL),
	             -EINVAL);
	cr_assert_eq(stats().entries, 0);
}

Test(cp_rrcache, names_are_case_insensitive)
{
	const struct cp_rrc_rrset *e;

	put_a("WwW.ExAmPlE.", 300, 1, 7, CP_RRC_RANK_AUTH_ANSWER, T0);
	cr_assert_eq(get("www.example.", DNS_TYPE_A, T0, &e, NULL), CP_RRC_POSITIVE);
	cr_assert_eq(get("WWW.EXAMPLE.", DNS_TYPE_A, T0, NULL, NULL), CP_RRC_POSITIVE);
	/* The owner is kept lower-cased. */
	cr_assert_eq(memcmp(e->owner, "\3www\7example", 13), 0);
	/* A store in another case replaces the same RRset. */
	put_a("WWW.example.", 300, 1, 8, CP_RRC_RANK_AUTH_ANSWER, T0);
	cr_assert_eq(a_last("www.EXAMPLE.", T0), 8);
	cr_assert_eq(stats().entries, 1);
	cr_assert_eq(cp_rrcache_flush_name(rc, N("Www.Example.")), 1);
	cr_assert_eq(stats().entries, 0);
}

/* ---- expiry and TTLs ---- */

Test(cp_rrcache, expires_at_the_exact_second)
{
	uint32_t ttl;

	put_a("e.example.", 10, 1, 1, CP_RRC_RANK_AUTH_ANSWER, T0);
	cr_assert_eq(get("e.example.", DNS_TYPE_A, T0 + 9, NULL, &ttl), CP_RRC_POSITIVE);
	cr_assert_eq(ttl, 1);
	cr_assert_eq(get("e.example.", DNS_TYPE_A, T0 + 10, NULL, NULL), -ENOENT);
	cr_assert_eq(get("e.example.", DNS_TYPE_A, T0 + 11, NULL, NULL), -ENOENT);
	/* Lookups do not free it; a purge does. */
	cr_assert_eq(stats().entries, 1);
	cr_assert_eq(cp_rrcache_purge_expired(rc, T0 + 9), 0);
	cr_assert_eq(cp_rrcache_purge_expired(rc, T0 + 10), 1);
	cr_assert_eq(stats().entries, 0);
	cr_assert_eq(stats().bytes, 0);
	cr_assert_eq(stats().expired, 1);
}

Test(cp_rrcache, ttl_clamps)
{
	const struct cp_rrc_rrset *e;

	use_conf(1 << 20, 30, 3600, 900);
	put_a("low.example.", 5, 1, 1, CP_RRC_RANK_AUTH_ANSWER, T0);
	cr_assert_eq(get("low.example.", DNS_TYPE_A, T0, &e, NULL), CP_RRC_POSITIVE);
	cr_assert_eq(e->ttl, 30);
	put_a("high.example.", 604800, 1, 1, CP_RRC_RANK_AUTH_ANSWER, T0);
	cr_assert_eq(get("high.example.", DNS_TYPE_A, T0, &e, NULL), CP_RRC_POSITIVE);
	cr_assert_eq(e->ttl, 3600);
	put_a("mid.example.", 1234, 1, 1, CP_RRC_RANK_AUTH_ANSWER, T0);
	cr_assert_eq(get("mid.example.", DNS_TYPE_A, T0, &e, NULL), CP_RRC_POSITIVE);
	cr_assert_eq(e->ttl, 1234);
	/* Top bit set: read as 0 (RFC 2181 8), then raised to min-ttl; not to max-ttl. */
	put_a("top.example.", 0x80000001u, 1, 1, CP_RRC_RANK_AUTH_ANSWER, T0);
	cr_assert_eq(get("top.example.", DNS_TYPE_A, T0, &e, NULL), CP_RRC_POSITIVE);
	cr_assert_eq(e->ttl, 30);
	/* Max wins over a min above it. */
	use_conf(1 << 20, 500, 100, 900);
	put_a("odd.example.", 5, 1, 1, CP_RRC_RANK_AUTH_ANSWER, T0);
	cr_assert_eq(get("odd.example.", DNS_TYPE_A, T0, &e, NULL), CP_RRC_POSITIVE);
	cr_assert_eq(e->ttl, 100);
}

Test(cp_rrcache, top_bit_ttl_is_zero_and_not_cached)
{
	put_a("top.example.", 0xffffffffu, 1, 1, CP_RRC_RANK_AUTH_ANSWER, T0);
	cr_assert_eq(get("top.example.", DNS_TYPE_A, T0, NULL, NULL), -ENOENT);
	cr_assert_eq(stats().entries, 0);
	/* A TTL-0 store still removes older data it outranks. */
	put_a("z.example.", 300, 1, 1, CP_RRC_RANK_ADDITIONAL, T0);
	cr_assert_eq(put_a("z.example.", 0, 1, 2, CP_RRC_RANK_AUTH_ANSWER, T0), 0);
	cr_assert_eq(get("z.example.", DNS_TYPE_A, T0, NULL, NULL), -ENOENT);
	cr_assert_eq(stats().entries, 0);
}

/* ---- trust ranks ---- */

Test(cp_rrcache, glue_never_replaces_authoritative_answer)
{
	put_a("ns1.example.", 300, 1, 1, CP_RRC_RANK_AUTH_ANSWER, T0);
	cr_assert_eq(put_a("ns1.example.", 300, 1, 66, CP_RRC_RANK_ADDITIONAL, T0 + 1), -EEXIST);
	cr_assert_eq(put_a("ns1.example.", 300, 1, 66, CP_RRC_RANK_NONAUTH_ANSWER, T0 + 1),
	             -EEXIST);
	cr_assert_eq(put_a("ns1.example.", 300, 1, 66, CP_RRC_RANK_AUTH_AUTHORITY, T0 + 1),
	             -EEXIST);
	cr_assert_eq(a_last("ns1.example.", T0 + 2), 1);
	cr_assert_eq(stats().refused_rank, 3);
	cr_assert_eq(stats().replaced, 0);
}

Test(cp_rrcache, authoritative_replaces_glue)
{
	const struct cp_rrc_rrset *e;

	put_a("ns1.example.", 300, 1, 66, CP_RRC_RANK_ADDITIONAL, T0);
	cr_assert_eq(put_a("ns1.example.", 60, 1, 1, CP_RRC_RANK_AUTH_ANSWER, T0 + 1), 0);
	cr_assert_eq(get("ns1.example.", DNS_TYPE_A, T0 + 1, &e, NULL), CP_RRC_POSITIVE);
	cr_assert_eq(e->rdata[0].data[3], 1);
	cr_assert_eq(e->rank, CP_RRC_RANK_AUTH_ANSWER);
	cr_assert_eq(e->expire, T0 + 61);
	cr_assert_eq(stats().replaced, 1);
	cr_assert_eq(stats().entries, 1);
}

Test(cp_rrcache, equal_rank_replaces)
{
	cr_assert_eq(put_a("r.example.", 300, 1, 1, CP_RRC_RANK_NONAUTH_ANSWER, T0), 0);
	cr_assert_eq(put_a("r.example.", 300, 1, 2, CP_RRC_RANK_NONAUTH_ANSWER, T0 + 1), 0);
	cr_assert_eq(a_last("r.example.", T0 + 1), 2);
	cr_assert_eq(stats().replaced, 1);
}

Test(cp_rrcache, expired_is_always_replaceable)
{
	put_a("x.example.", 10, 1, 1, CP_RRC_RANK_AUTH_ANSWER, T0);
	cr_assert_eq(put_a("x.example.", 300, 1, 2, CP_RRC_RANK_ADDITIONAL, T0 + 10), 0);
	cr_assert_eq(a_last("x.example.", T0 + 10), 2);
	cr_assert_eq(stats().refused_rank, 0);
	cr_assert_eq(stats().expired, 1);
	cr_assert_eq(stats().entries, 1);
}

Test(cp_rrcache, ranks_are_ordered)
{
	cr_assert_lt(CP_RRC_RANK_ADDITIONAL, CP_RRC_RANK_NONAUTH_AUTHORITY);
	cr_assert_lt(CP_RRC_RANK_NONAUTH_AUTHORITY, CP_RRC_RANK_NONAUTH_ANSWER);
	cr_assert_lt(CP_RRC_RANK_NONAUTH_ANSWER, CP_RRC_RANK_AUTH_AUTHORITY);
	cr_assert_lt(CP_RRC_RANK_AUTH_AUTHORITY, CP_RRC_RANK_AUTH_ANSWER);
}

/* ---- negative entries ---- */

Test(cp_rrcache, nxdomain_covers_every_type)
{
	const struct cp_rrc_rrset *e;
	struct dns_rrset_in out;
	uint32_t ttl;

	/* SOA TTL 3600, MINIMUM 300: the negative TTL is 300. */
	cr_assert_eq(put_neg(CP_RRC_NXDOMAIN, "nope.example.", 0, 3600, 300,
	                     CP_RRC_RANK_AUTH_ANSWER, T0),
	             0);
	cr_assert_eq(get("nope.example.", DNS_TYPE_A, T0, &e, &ttl), CP_RRC_NXDOMAIN);
	cr_assert_eq(ttl, 300);
	cr_assert_eq(get("NOPE.example.", DNS_TYPE_MX, T0 + 299, NULL, &ttl), CP_RRC_NXDOMAIN);
	cr_assert_eq(ttl, 1);
	cr_assert_eq(get("nope.example.", DNS_TYPE_MX, T0 + 300, NULL, NULL), -ENOENT);
	/* The SOA for the authority section, with the remaining TTL. */
	cp_rrcache_rrset_in(e, T0 + 100, DNS_SECTION_AUTHORITY, &out);
	cr_assert_eq(out.type, DNS_TYPE_SOA);
	cr_assert_eq(out.ttl, 200);
	cr_assert(dns_name_equal(out.owner, N("example.")));
	cr_assert_eq(out.n_rdata, 1);
	cr_assert_eq(dns_get_u32(out.rdata[0].data + out.rdata[0].len - 4), 300);
	cr_assert_eq(stats().neg_hits, 2);
	cr_assert_eq(stats().hits, 0);
	cr_assert_eq(stats().misses, 1);
}

Test(cp_rrcache, nodata_is_per_type)
{
	uint32_t ttl;

	/* SOA TTL 120 < MINIMUM 900: the negative TTL is 120. */
	cr_assert_eq(put_neg(CP_RRC_NODATA, "www.example.", DNS_TYPE_AAAA, 120, 900,
	                     CP_RRC_RANK_AUTH_ANSWER, T0),
	             0);
	put_a("www.example.", 300, 1, 1, CP_RRC_RANK_AUTH_ANSWER, T0);
	cr_assert_eq(get("www.example.", DNS_TYPE_AAAA, T0, NULL, &ttl), CP_RRC_NODATA);
	cr_assert_eq(ttl, 120);
	cr_assert_eq(get("www.example.", DNS_TYPE_A, T0, NULL, NULL), CP_RRC_POSITIVE);
	cr_assert_eq(get("www.example.", DNS_TYPE_MX, T0, NULL, NULL), -ENOENT);
	/* Positive data later replaces the NODATA entry (same rank). */
	cr_assert_eq(put_aaaa("www.example.", 300, CP_RRC_RANK_AUTH_ANSWER, T0 + 1), 0);
	cr_assert_eq(get("www.example.", DNS_TYPE_AAAA, T0 + 1, NULL, NULL), CP_RRC_POSITIVE);
}

Test(cp_rrcache, negative_ttl_capped_and_top_bit)
{
	uint32_t ttl;

	use_conf(1 << 20, 0, 86400, 600);
	put_neg(CP_RRC_NXDOMAIN, "a.example.", 0, 86400, 86400, CP_RRC_RANK_AUTH_ANSWER, T0);
	cr_assert_eq(get("a.example.", DNS_TYPE_A, T0, NULL, &ttl), CP_RRC_NXDOMAIN);
	cr_assert_eq(ttl, 600);
	/* MINIMUM with the top bit set counts as 0: nothing is cached. */
	put_neg(CP_RRC_NXDOMAIN, "b.example.", 0, 3600, 0x80000100u, CP_RRC_RANK_AUTH_ANSWER, T0);
	cr_assert_eq(get("b.example.", DNS_TYPE_A, T0, NULL, NULL), -ENOENT);
	/* min-ttl does not raise negative TTLs. */
	use_conf(1 << 20, 1000, 86400, 3600);
	put_neg(CP_RRC_NODATA, "c.example.", DNS_TYPE_A, 60, 60, CP_RRC_RANK_AUTH_ANSWER, T0);
	cr_assert_eq(get("c.example.", DNS_TYPE_A, T0, NULL, &ttl), CP_RRC_NODATA);
	cr_assert_eq(ttl, 60);
}

Test(cp_rrcache, nxdomain_and_positive_data_replace_each_other)
{
	put_a("n.example.", 300, 1, 1, CP_RRC_RANK_NONAUTH_ANSWER, T0);
	put_aaaa("n.example.", 300, CP_RRC_RANK_NONAUTH_ANSWER, T0);
	cr_assert_eq(put_neg(CP_RRC_NXDOMAIN, "n.example.", 0, 300, 300, CP_RRC_RANK_AUTH_ANSWER,
	                     T0 + 1),
	             0);
	cr_assert_eq(stats().entries, 1);
	cr_assert_eq(get("n.example.", DNS_TYPE_A, T0 + 1, NULL, NULL), CP_RRC_NXDOMAIN);
	/* Glue cannot contradict an authoritative NXDOMAIN; an authoritative answer can. */
	cr_assert_eq(put_a("n.example.", 300, 1, 2, CP_RRC_RANK_ADDITIONAL, T0 + 2), -EEXIST);
	cr_assert_eq(put_a("n.example.", 300, 1, 2, CP_RRC_RANK_AUTH_ANSWER, T0 + 2), 0);
	cr_assert_eq(get("n.example.", DNS_TYPE_A, T0 + 2, NULL, NULL), CP_RRC_POSITIVE);
	cr_assert_eq(get("n.example.", DNS_TYPE_TXT, T0 + 2, NULL, NULL), -ENOENT);
	/* A non-authoritative NXDOMAIN cannot remove an authoritative answer. */
	cr_assert_eq(put_neg(CP_RRC_NXDOMAIN, "n.example.", 0, 300, 300, CP_RRC_RANK_NONAUTH_ANSWER,
	                     T0 + 3),
	             -EEXIST);
}

Test(cp_rrcache, negative_rejects_bad_soa)
{
	uint8_t buf[600];
	struct dns_rdata rd;
	struct dns_rrset_in s = soa("example.", 300, 300, buf, &rd);

	rd.len -= 1;
	cr_assert_eq(cp_rrcache_store_negative(rc, CP_RRC_NXDOMAIN, N("x.example."), 0,
	                                       DNS_CLASS_IN, &s, CP_RRC_RANK_AUTH_ANSWER, T0),
	             -EINVAL);
	rd.len += 1;
	s.type = DNS_TYPE_NS;
	cr_assert_eq(cp_rrcache_store_negative(rc, CP_RRC_NXDOMAIN, N("x.example."), 0,
	                                       DNS_CLASS_IN, &s, CP_RRC_RANK_AUTH_ANSWER, T0),
	             -EINVAL);
	s.type = DNS_TYPE_SOA;
	cr_assert_eq(cp_rrcache_store_negative(rc, CP_RRC_POSITIVE, N("x.example."), 1,
	                                       DNS_CLASS_IN, &s, CP_RRC_RANK_AUTH_ANSWER, T0),
	             -EINVAL);
	cr_assert_eq(cp_rrcache_store_negative(rc, CP_RRC_NODATA, N("x.example."), 0, DNS_CLASS_IN,
	                                       &s, CP_RRC_RANK_AUTH_ANSWER, T0),
	             -EINVAL);
	cr_assert_eq(stats().entries, 0);
}

/* ---- closest enclosing delegation ---- */

static const char *const root_ns[] = { "a.root-servers.net.", "b.root-servers.net." };
static const char *const com_ns[] = { "a.gtld-servers.net.", "ns.com." };
static const char *const ex_ns[] = { "ns1.example.com.", "ns2.example.com.", "ns.other.org." };

static const char *
deleg(const char *qname, uint64_t now, struct cp_rrc_deleg *d, const struct cp_rrc_rrset **glue,
      size_t cap)
{
	static char text[DNS_NAME_MAXLEN * 4];

	if (cp_rrcache_closest_ns(rc, N(qname), DNS_CLASS_IN, now, d, glue, cap) != 0)
		return "none";
	cr_assert_gt(dns_name_to_text(d->ns->owner, text, sizeof(text)), 0);
	return text;
}

Test(cp_rrcache, closest_ns_root_tld_deeper)
{
	const struct cp_rrc_rrset *glue[8];
	struct cp_rrc_deleg d;

	cr_assert_str_eq(deleg("www.example.com.", T0, &d, glue, 8), "none");
	put_ns(".", 518400, root_ns, 2, T0);
	cr_assert_str_eq(deleg("www.example.com.", T0, &d, glue, 8), ".");
	cr_assert_str_eq(deleg(".", T0, &d, glue, 8), ".");
	cr_assert_eq(d.ttl, 86400); /* clamped by the default max-ttl */
	put_ns("com.", 172800, com_ns, 2, T0);
	cr_assert_str_eq(deleg("www.example.com.", T0, &d, glue, 8), "com.");
	cr_assert_str_eq(deleg("example.org.", T0, &d, glue, 8), ".");
	put_ns("example.com.", 3600, ex_ns, 3, T0);
	cr_assert_str_eq(deleg("www.EXAMPLE.com.", T0, &d, glue, 8), "example.com.");
	cr_assert_str_eq(deleg("example.com.", T0, &d, glue, 8), "example.com.");
	cr_assert_str_eq(deleg("a.b.c.example.com.", T0, &d, glue, 8), "example.com.");
	cr_assert_str_eq(deleg("notexample.com.", T0, &d, glue, 8), "com.");
	cr_assert_eq(d.ns->n_rdata, 2);
	/* The hit/miss counters are for answers only. */
	cr_assert_eq(stats().hits + stats().misses, 0);
}

Test(cp_rrcache, closest_ns_skips_expired)
{
	const struct cp_rrc_rrset *glue[8];
	struct cp_rrc_deleg d;

	put_ns(".", 86400, root_ns, 2, T0);
	put_ns("com.", 600, com_ns, 2, T0);
	put_ns("example.com.", 60, ex_ns, 3, T0);
	cr_assert_str_eq(deleg("www.example.com.", T0 + 59, &d, glue, 8), "example.com.");
	cr_assert_eq(d.ttl, 1);
	cr_assert_str_eq(deleg("www.example.com.", T0 + 60, &d, glue, 8), "com.");
	cr_assert_str_eq(deleg("www.example.com.", T0 + 600, &d, glue, 8), ".");
	/* A NODATA entry for NS is not a delegation. */
	put_neg(CP_RRC_NODATA, "www.example.com.", DNS_TYPE_NS, 300, 300, CP_RRC_RANK_AUTH_ANSWER,
	        T0 + 600);
	cr_assert_str_eq(deleg("www.example.com.", T0 + 600, &d, glue, 8), ".");
}

Test(cp_rrcache, closest_ns_glue_only_in_bailiwick)
{
	const struct cp_rrc_rrset *glue[8];
	struct cp_rrc_deleg d;
	bool seen_a1 = false, seen_aaaa1 = false, seen_a2 = false;

	put_ns("example.com.", 3600, ex_ns, 3, T0);
	put_a("ns1.example.com.", 3600, 1, 1, CP_RRC_RANK_ADDITIONAL, T0);
	put_aaaa("ns1.example.com.", 3600, CP_RRC_RANK_ADDITIONAL, T0);
	put_a("ns2.example.com.", 3600, 1, 2, CP_RRC_RANK_ADDITIONAL, T0);
	/* ns.other.org is out of bailiwick: its address, though cached, is not glue. */
	put_a("ns.other.org.", 3600, 1, 3, CP_RRC_RANK_AUTH_ANSWER, T0);
	/* An address at an unrelated name in the zone, not an NS target: not glue either. */
	put_a("www.example.com.", 3600, 1, 4, CP_RRC_RANK_AUTH_ANSWER, T0);
	cr_assert_str_eq(deleg("www.example.com.", T0, &d, glue, 8), "example.com.");
	cr_assert_eq(d.n_glue, 3);
	for (size_t i = 0; i < d.n_glue; i++) {
		cr_assert(dns_name_in_zone(glue[i]->owner, N("example.com.")));
		cr_assert(!dns_name_equal(glue[i]->owner, N("www.example.com.")));
		if (glue[i]->type == DNS_TYPE_AAAA)
			seen_aaaa1 = true;
		else if (glue[i]->rdata[0].data[3] == 1)
			seen_a1 = true;
		else if (glue[i]->rdata[0].data[3] == 2)
			seen_a2 = true;
	}
	cr_assert(seen_a1 && seen_aaaa1 && seen_a2);
	/* The caller's array bounds the glue. */
	cr_assert_str_eq(deleg("www.example.com.", T0, &d, glue, 2), "example.com.");
	cr_assert_eq(d.n_glue, 2);
	cr_assert_str_eq(deleg("www.example.com.", T0, &d, NULL, 0), "example.com.");
	cr_assert_eq(d.n_glue, 0);
	/* Expired glue is left out. */
	put_a("ns2.example.com.", 10, 1, 2, CP_RRC_RANK_ADDITIONAL, T0);
	cr_assert_str_eq(deleg("www.example.com.", T0 + 10, &d, glue, 8), "example.com.");
	cr_assert_eq(d.n_glue, 2);
}

/* ---- memory budget ---- */

Test(cp_rrcache, lru_evicts_least_recently_used)
{
	char name[32];
	size_t one;

	put_a("probe.example.", 300, 1, 1, CP_RRC_RANK_AUTH_ANSWER, T0);
	one = stats().bytes;
	cr_assert_gt(one, 0);
	cp_rrcache_flush_all(rc);
	cr_assert_eq(stats().bytes, 0);
	/* Room for exactly 8 such entries (names of the same length). */
	use_conf(one * 8, 0, 86400, 3600);
	for (int i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "host%d.example.", i);
		cr_assert_eq(put_a(name, 300, 1, (uint8_t)i, CP_RRC_RANK_AUTH_ANSWER, T0), 0);
	}
	cr_assert_eq(stats().entries, 8);
	cr_assert_eq(stats().evictions, 0);
	/* Use host0 and host1: host2 and host3 become the oldest. */
	cr_assert_eq(a_last("host0.example.", T0), 0);
	cr_assert_eq(a_last("host1.example.", T0), 1);
	put_a("host8.example.", 300, 1, 8, CP_RRC_RANK_AUTH_ANSWER, T0);
	put_a("host9.example.", 300, 1, 9, CP_RRC_RANK_AUTH_ANSWER, T0);
	cr_assert_eq(stats().evictions, 2);
	cr_assert_eq(stats().entries, 8);
	cr_assert_leq(stats().bytes, one * 8);
	cr_assert_eq(a_last("host2.example.", T0), -1);
	cr_assert_eq(a_last("host3.example.", T0), -1);
	cr_assert_eq(a_last("host0.example.", T0), 0);
	cr_assert_eq(a_last("host1.example.", T0), 1);
	cr_assert_eq(a_last("host4.example.", T0), 4);
	cr_assert_eq(a_last("host9.example.", T0), 9);
	/* Shrinking the budget evicts at once. */
	use_conf(one * 3, 0, 86400, 3600);
	cr_assert_eq(stats().entries, 3);
	cr_assert_eq(a_last("host9.example.", T0), 9); /* among the three most recent */
	/* One RRset larger than the whole budget is refused. */
	use_conf(one, 0, 86400, 3600);
	cr_assert_eq(put_a("big.example.", 300, 8, 1, CP_RRC_RANK_AUTH_ANSWER, T0), -EMSGSIZE);
}

Test(cp_rrcache, bytes_return_to_zero)
{
	put_a("a.example.", 300, 3, 1, CP_RRC_RANK_AUTH_ANSWER, T0);
	put_aaaa("a.example.", 300, CP_RRC_RANK_AUTH_ANSWER, T0);
	put_neg(CP_RRC_NXDOMAIN, "b.example.", 0, 300, 300, CP_RRC_RANK_AUTH_ANSWER, T0);
	put_a("a.example.", 300, 1, 9, CP_RRC_RANK_AUTH_ANSWER, T0);
	cr_assert_eq(stats().entries, 3);
	cr_assert_eq(cp_rrcache_flush_all(rc), 3);
	cr_assert_eq(stats().entries, 0);
	cr_assert_eq(stats().bytes, 0);
}

/* ---- flushes and the walk ---- */

Test(cp_rrcache, flush_name_zone_all)
{
	put_a("example.com.", 300, 1, 1, CP_RRC_RANK_AUTH_ANSWER, T0);
	put_aaaa("example.com.", 300, CP_RRC_RANK_AUTH_ANSWER, T0);
	put_a("www.example.com.", 300, 1, 2, CP_RRC_RANK_AUTH_ANSWER, T0);
	put_a("a.b.example.com.", 300, 1, 3, CP_RRC_RANK_AUTH_ANSWER, T0);
	put_a("badexample.com.", 300, 1, 4, CP_RRC_RANK_AUTH_ANSWER, T0);
	put_a("www.example.org.", 300, 1, 5, CP_RRC_RANK_AUTH_ANSWER, T0);
	put_ns("com.", 300, com_ns, 2, T0);

	cr_assert_eq(cp_rrcache_flush_name(rc, N("nothing.here.")), 0);
	cr_assert_eq(cp_rrcache_flush_name(rc, N("EXAMPLE.com.")), 2);
	cr_assert_eq(get("example.com.", DNS_TYPE_A, T0, NULL, NULL), -ENOENT);
	cr_assert_eq(a_last("www.example.com.", T0), 2);

	cr_assert_eq(cp_rrcache_flush_zone(rc, N("example.com.")), 2);
	cr_assert_eq(a_last("www.example.com.", T0), -1);
	cr_assert_eq(a_last("a.b.example.com.", T0), -1);
	cr_assert_eq(a_last("badexample.com.", T0), 4); /* label-wise, not a suffix match */
	cr_assert_eq(get("com.", DNS_TYPE_NS, T0, NULL, NULL), CP_RRC_POSITIVE);

	cr_assert_eq(cp_rrcache_flush_zone(rc, N("com.")), 2);
	cr_assert_eq(stats().entries, 1);
	cr_assert_eq(cp_rrcache_flush_all(rc), 1);
	cr_assert_eq(stats().entries, 0);
	cr_assert_eq(stats().bytes, 0);

	put_a("x.example.", 300, 1, 1, CP_RRC_RANK_AUTH_ANSWER, T0);
	put_a("y.example.net.", 300, 1, 1, CP_RRC_RANK_AUTH_ANSWER, T0);
	cr_assert_eq(cp_rrcache_flush_zone(rc, N(".")), 2);
	cr_assert_eq(stats().bytes, 0);
}

struct walk_ctx {
	unsigned n, neg, stop_after;
};

static int
count_entry(const struct cp_rrc_rrset *e, void *arg)
{
	struct walk_ctx *w = arg;

	w->n++;
	if (e->kind != CP_RRC_POSITIVE) {
		w->neg++;
		cr_assert_not_null(e->soa_owner);
	}
	return w->stop_after != 0 && w->n == w->stop_after ? 42 : 0;
}

Test(cp_rrcache, walk_visits_every_entry)
{
	struct walk_ctx w = { 0 };

	put_a("a.example.", 300, 1, 1, CP_RRC_RANK_AUTH_ANSWER, T0);
	put_a("b.example.", 1, 1, 1, CP_RRC_RANK_AUTH_ANSWER, T0); /* expired ones too */
	put_neg(CP_RRC_NXDOMAIN, "c.example.", 0, 300, 300, CP_RRC_RANK_AUTH_ANSWER, T0);
	put_neg(CP_RRC_NODATA, "a.example.", DNS_TYPE_TXT, 300, 300, CP_RRC_RANK_AUTH_ANSWER, T0);
	cr_assert_eq(cp_rrcache_walk(rc, count_entry, &w), 0);
	cr_assert_eq(w.n, 4);
	cr_assert_eq(w.neg, 2);
	w = (struct walk_ctx){ .stop_after = 2 };
	cr_assert_eq(cp_rrcache_walk(rc, count_entry, &w), 42);
	cr_assert_eq(w.n, 2);
}

Test(cp_rrcache, counters)
{
	struct cp_rrc_stats s;

	put_a("a.example.", 300, 1, 1, CP_RRC_RANK_NONAUTH_ANSWER, T0);
	put_a("a.example.", 300, 1, 2, CP_RRC_RANK_AUTH_ANSWER, T0); /* replaced */
	put_a("a.example.", 300, 1, 3, CP_RRC_RANK_ADDITIONAL, T0);  /* refused */
	put_neg(CP_RRC_NODATA, "a.example.", DNS_TYPE_MX, 300, 300, CP_RRC_RANK_AUTH_ANSWER, T0);
	get("a.example.", DNS_TYPE_A, T0, NULL, NULL);       /* hit */
	get("a.example.", DNS_TYPE_A, T0 + 1, NULL, NULL);   /* hit */
	get("a.example.", DNS_TYPE_MX, T0, NULL, NULL);      /* negative hit */
	get("b.example.", DNS_TYPE_A, T0, NULL, NULL);       /* miss */
	get("a.example.", DNS_TYPE_A, T0 + 300, NULL, NULL); /* miss: expired */
	cp_rrcache_stats(rc, &s);
	cr_assert_eq(s.entries, 2);
	cr_assert_gt(s.bytes, 0);
	cr_assert_eq(s.hits, 2);
	cr_assert_eq(s.neg_hits, 1);
	cr_assert_eq(s.misses, 2);
	cr_assert_eq(s.replaced, 1);
	cr_assert_eq(s.refused_rank, 1);
	cr_assert_eq(s.evictions, 0);
}

Test(cp_rrcache, new_rejects_zero_budget)
{
	struct cp_rrc_conf conf;

	cp_rrcache_conf_default(&conf);
	cr_assert_eq(conf.max_ttl, CP_RRC_DEFAULT_MAX_TTL);
	conf.max_bytes = 0;
	cr_assert_null(cp_rrcache_new(&conf));
	cr_assert_eq(cp_rrcache_set_conf(rc, &conf), -EINVAL);
}

/* ---- serve-stale (RFC 8767) ---- */

static void
use_stale(uint32_t max_age)
{
	struct cp_rrc_conf conf;

	cp_rrcache_conf_default(&conf);
	conf.stale_max_age = max_age;
	cr_assert_eq(cp_rrcache_set_conf(rc, &conf), 0);
}

static int
get_stale(const char *name, uint16_t type, uint64_t now, const struct cp_rrc_rrset **e,
          bool *stale)
{
	const struct cp_rrc_rrset *dummy;

	return cp_rrcache_lookup_stale(rc, N(name), type, DNS_CLASS_IN, now,
	                               e != NULL ? e : &dummy, stale);
}

Test(cp_rrcache, stale_window_positive)
{
	const struct cp_rrc_rrset *e;
	bool stale = true;

	use_stale(100);
	cr_assert_eq(put_a("www.example.", 60, 1, 7, CP_RRC_RANK_AUTH_ANSWER, T0), 0);
	/* Alive: both lookups answer; the stale one says it is not stale. */
	cr_assert_eq(get_stale("www.example.", DNS_TYPE_A, T0 + 59, &e, &stale), CP_RRC_POSITIVE);
	cr_assert_not(stale);
	/* Expired: never for a normal lookup, still for a stale one, for exactly 100 s. */
	cr_assert_eq(get("www.example.", DNS_TYPE_A, T0 + 60, NULL, NULL), -ENOENT);
	cr_assert_eq(get_stale("www.example.", DNS_TYPE_A, T0 + 60, &e, &stale), CP_RRC_POSITIVE);
	cr_assert(stale);
	cr_assert_eq(e->rdata[0].data[3], 7);
	cr_assert_eq(get_stale("www.example.", DNS_TYPE_A, T0 + 159, &e, &stale), CP_RRC_POSITIVE);
	cr_assert_eq(get_stale("www.example.", DNS_TYPE_A, T0 + 160, &e, &stale), -ENOENT);
	cr_assert_eq(stats().stale_hits, 2);
	/* The RRset for a template has TTL 0 once expired: the caller sets the stale TTL. */
	get_stale("www.example.", DNS_TYPE_A, T0 + 100, &e, NULL);
	struct dns_rrset_in in;
	cp_rrcache_rrset_in(e, T0 + 100, DNS_SECTION_ANSWER, &in);
	cr_assert_eq(in.ttl, 0);
}

Test(cp_rrcache, stale_off_by_default)
{
	cr_assert_eq(put_a("www.example.", 60, 1, 7, CP_RRC_RANK_AUTH_ANSWER, T0), 0);
	cr_assert_eq(get_stale("www.example.", DNS_TYPE_A, T0 + 59, NULL, NULL), CP_RRC_POSITIVE);
	cr_assert_eq(get_stale("www.example.", DNS_TYPE_A, T0 + 60, NULL, NULL), -ENOENT);
}

Test(cp_rrcache, stale_negative_entries)
{
	const struct cp_rrc_rrset *e;
	bool stale;

	use_stale(1000);
	put_neg(CP_RRC_NXDOMAIN, "nx.example.", 0, 300, 300, CP_RRC_RANK_AUTH_AUTHORITY, T0);
	put_neg(CP_RRC_NODATA, "www.example.", DNS_TYPE_MX, 300, 300, CP_RRC_RANK_AUTH_AUTHORITY,
	        T0);
	cr_assert_eq(get("nx.example.", DNS_TYPE_A, T0 + 300, NULL, NULL), -ENOENT);
	cr_assert_eq(get_stale("nx.example.", DNS_TYPE_A, T0 + 300, &e, &stale), CP_RRC_NXDOMAIN);
	cr_assert(stale);
	cr_assert_not_null(e->soa_owner);
	cr_assert_eq(get_stale("www.example.", DNS_TYPE_MX, T0 + 1299, &e, &stale), CP_RRC_NODATA);
	cr_assert_eq(get_stale("www.example.", DNS_TYPE_MX, T0 + 1300, &e, &stale), -ENOENT);
}

/* Stale data never serves as a delegation, and a fresh store replaces it whatever the ranks. */
Test(cp_rrcache, stale_never_delegates_and_is_replaced)
{
	const struct cp_rrc_rrset *glue[8];
	struct cp_rrc_deleg d;
	bool stale;

	use_stale(86400);
	put_ns(".", 86400, root_ns, 2, T0);
	put_ns("example.com.", 60, ex_ns, 3, T0);
	put_a("ns1.example.com.", 60, 1, 1, CP_RRC_RANK_ADDITIONAL, T0);
	cr_assert_str_eq(deleg("www.example.com.", T0 + 59, &d, glue, 8), "example.com.");
	cr_assert_eq(d.n_glue, 1);
	cr_assert_str_eq(deleg("www.example.com.", T0 + 60, &d, glue, 8), ".");
	/* Stale AUTH_ANSWER data is replaced by glue: expired entries never refuse a store. */
	put_a("www.example.com.", 60, 1, 5, CP_RRC_RANK_AUTH_ANSWER, T0);
	cr_assert_eq(put_a("www.example.com.", 60, 1, 9, CP_RRC_RANK_ADDITIONAL, T0 + 61), 0);
	cr_assert_eq(get_stale("www.example.com.", DNS_TYPE_A, T0 + 62, NULL, &stale),
	             CP_RRC_POSITIVE);
	cr_assert_not(stale);
	cr_assert_eq(a_last("www.example.com.", T0 + 62), 9);
}

/* Purge keeps what is in its stale window; the byte budget still evicts stale data. */
Test(cp_rrcache, stale_purge_and_budget)
{
	use_stale(100);
	put_a("a.example.", 10, 1, 1, CP_RRC_RANK_AUTH_ANSWER, T0);
	put_a("b.example.", 500, 1, 2, CP_RRC_RANK_AUTH_ANSWER, T0);
	cr_assert_eq(cp_rrcache_purge_expired(rc, T0 + 50), 0);
	cr_assert_eq(get_stale("a.example.", DNS_TYPE_A, T0 + 50, NULL, NULL), CP_RRC_POSITIVE);
	cr_assert_eq(cp_rrcache_purge_expired(rc, T0 + 110), 1);
	cr_assert_eq(get_stale("a.example.", DNS_TYPE_A, T0 + 110, NULL, NULL), -ENOENT);
	cr_assert_eq(stats().entries, 1);

	/* A budget of a few entries: storing many names evicts the stale one first (LRU). */
	struct cp_rrc_conf conf;
	cp_rrcache_conf_default(&conf);
	conf.stale_max_age = 86400;
	conf.max_bytes = 4096;
	cr_assert_eq(cp_rrcache_set_conf(rc, &conf), 0);
	put_a("old.example.", 10, 1, 3, CP_RRC_RANK_AUTH_ANSWER, T0);
	for (unsigned i = 0; i < 64; i++) {
		char name[64];

		snprintf(name, sizeof(name), "n%u.example.", i);
		put_a(name, 3600, 1, 4, CP_RRC_RANK_AUTH_ANSWER, T0 + 20);
	}
	cr_assert_leq(stats().bytes, 4096);
	cr_assert_eq(get_stale("old.example.", DNS_TYPE_A, T0 + 20, NULL, NULL), -ENOENT);
}
