/* SPDX-License-Identifier: BSD-3-Clause */
/* The dp_cache suites' keys, templates and cache helpers (see cache_harness.h). */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cache_harness.h"

/* "a.b.c" to wire form; "" is the root. @return the wire length. */
uint16_t
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

void
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
void
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
const struct dns_template *
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
const struct dns_template *
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

struct dp_cache *
mk_cache(size_t mem, uint32_t max_entries)
{
	struct dp_cache_params p = { .mem_bytes = mem, .max_entries = max_entries, .seed = T_SEED };
	struct dp_cache *c = dp_cache_create(&p);

	cr_assert_not_null(c, "dp_cache_create(%zu, %u): errno %d", mem, max_entries, errno);
	return c;
}

struct dp_cache_stats
stats(const struct dp_cache *c)
{
	struct dp_cache_stats s;

	dp_cache_get_stats(c, &s);
	return s;
}

bool
entry_is(const struct dp_cache_entry *e, const struct dns_key *k, const struct dns_template *t)
{
	const struct dns_template *et;

	if (e == NULL || e->key_len != k->len || memcmp(e->key, k->bytes, k->len) != 0)
		return false;
	et = dp_cache_entry_template(e);
	return ((uintptr_t)et & 3) == 0 && et->total_len == t->total_len &&
	       memcmp(et, t, t->total_len) == 0;
}

int
count_cb(const struct dp_cache_entry *e, void *arg)
{
	(void)e;
	++*(unsigned *)arg;
	return 0;
}

unsigned
count_entries(const struct dp_cache *c)
{
	unsigned n = 0;

	cr_assert_eq(dp_cache_walk(c, count_cb, &n), 0);
	return n;
}

uint64_t
rnd(uint64_t *s)
{
	/* xorshift64*: reproducible without libc's rand() state. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}
