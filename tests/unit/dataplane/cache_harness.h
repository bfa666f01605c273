/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the dp_cache suites (tests/unit/dataplane/test_cache*.c). */
#ifndef CACHE_HARNESS_H
#define CACHE_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp_cache.h"

#define T_SEED 0x5eed5eed5eedull

/* A template block of any size, aligned as the cache and dns_serve() expect. */
union tbuf {
	struct dns_template t;
	uint8_t raw[DNS_TMPL_MAXLEN + 64];
};

/* "a.b.c" to wire form; "" is the root. @return the wire length. */
uint16_t wire_name(uint8_t *out, const char *dotted);

/* Key of @p name (dotted) with the given type, class and DO bit. */
void mk_key(struct dns_key *k, const char *name, uint16_t qtype, uint16_t qclass, uint8_t do_bit);

/* Key number @p i: a 20-octet name (h + 9 digits, then "example"), type A, IN. */
void mk_key_n(struct dns_key *k, unsigned i, uint16_t qtype);

/*
 * A template with no RRs and @p body_len body bytes, told apart by @p mark
 * (in ttl_min and the body): enough for the cache, which copies it whole.
 */
const struct dns_template *mk_tmpl(union tbuf *b, uint16_t qname_len, uint16_t body_len,
                                   uint32_t mark);

/* What dns_template_build() makes of one A record for a question name of @p qname_len. */
const struct dns_template *mk_one_a(union tbuf *b, uint16_t qname_len);

/* A cache of @p mem bytes and @p max_entries entries, seeded with T_SEED. */
struct dp_cache *mk_cache(size_t mem, uint32_t max_entries);

/* dp_cache_stats() of @p c. */
struct dp_cache_stats stats(const struct dp_cache *c);

/* @p e holds key @p k and a copy of template @p t. */
bool entry_is(const struct dp_cache_entry *e, const struct dns_key *k,
              const struct dns_template *t);

/* dp_cache_walk() callback counting entries in *(unsigned *)@p arg. */
int count_cb(const struct dp_cache_entry *e, void *arg);

/* How many entries dp_cache_walk() visits. */
unsigned count_entries(const struct dp_cache *c);

/* The next number of a reproducible xorshift64* stream in *@p s. */
uint64_t rnd(uint64_t *s);

#endif /* CACHE_HARNESS_H */
