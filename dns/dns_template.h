/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Response templates: a cached answer in wire form, ready to be copied after a
 * client's header and question.
 *
 * A template is one contiguous, pointer-free block (so it can travel through a
 * ring and be copied into a worker's cache as it is) laid out as
 *
 *   struct dns_template                 fixed part, 4-byte aligned
 *   struct dns_tmpl_rrset [n_rrset]     RRset boundaries, in section order
 *   uint16_t ttl_off      [n_rr]        offset in body of each RR's TTL field
 *   uint8_t  body         [body_len]    answer, authority, additional RRs
 *
 * The body is what follows the question in the reply. Its compression pointers
 * are absolute message offsets; they stay valid for every client because the
 * question always starts at offset 12 and the question name of a hit always has
 * the length of the template's (the cache key holds the same name). Owner names
 * equal to the question name point at offset 12, so answers carry the client's
 * spelling of the name.
 *
 * An A or AAAA RRset of two or more records is marked for rotation: serving
 * permutes its RDATA only (owner, type, class and TTL are the same for every
 * record of an RRset once TTLs are made equal), so offsets never move.
 *
 * DNS_TMPL_ABI: the layout is shared by the builder, dns_serve() and the cache.
 */
#ifndef DNS_TEMPLATE_H
#define DNS_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

#include "dns_wire.h"

enum dns_section {
	DNS_SECTION_ANSWER = 0,
	DNS_SECTION_AUTHORITY = 1,
	DNS_SECTION_ADDITIONAL = 2,
	DNS_SECTION_COUNT = 3,
};

/* Largest template accepted by the builder (bytes, all parts). */
#define DNS_TMPL_MAXLEN 16384
/* Most RRs one template may hold. */
#define DNS_TMPL_MAX_RR 512

struct dns_template {
	uint16_t total_len;          /* bytes of the whole block, all parts */
	uint16_t flags;              /* header bits this answer sets: AA, AD, RCODE (low 4) */
	uint16_t qname_len;          /* wire length of the question name it was built for */
	uint16_t qtype;
	uint16_t count[DNS_SECTION_COUNT]; /* RRs per section */
	uint16_t n_rrset;
	uint16_t n_rr;
	uint16_t body_len;
	uint32_t ttl_min;            /* smallest TTL in the body; UINT32_MAX if no RR */
};

struct dns_tmpl_rrset {
	uint16_t end;      /* body offset just past this RRset's last RR */
	uint16_t first_rr; /* index of its first RR in ttl_off[] */
	uint16_t n_rr;
	uint8_t section;   /* enum dns_section */
	uint8_t rotate;    /* 1: A/AAAA set of >= 2 RRs, RDATA rotated when served */
};

static inline const struct dns_tmpl_rrset *
dns_tmpl_rrsets(const struct dns_template *t)
{
	return (const struct dns_tmpl_rrset *)(const void *)(t + 1);
}

static inline const uint16_t *
dns_tmpl_ttl_offs(const struct dns_template *t)
{
	return (const uint16_t *)(const void *)(dns_tmpl_rrsets(t) + t->n_rrset);
}

static inline const uint8_t *
dns_tmpl_body(const struct dns_template *t)
{
	return (const uint8_t *)(dns_tmpl_ttl_offs(t) + t->n_rr);
}

/** Message offset at which the body starts in a reply built from @p t. */
static inline size_t
dns_tmpl_body_base(const struct dns_template *t)
{
	return DNS_HEADER_LEN + (size_t)t->qname_len + 4;
}

/* ---- building (control thread, tests, bench) ---- */

/** One RDATA in uncompressed wire form. */
struct dns_rdata {
	const uint8_t *data;
	uint16_t len;
};

/** One RRset to put into a template. All its records share owner, type, class and TTL. */
struct dns_rrset_in {
	const uint8_t *owner;  /* uncompressed wire name, any case */
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint8_t section;       /* enum dns_section; RRsets must come in section order */
	uint16_t n_rdata;
	const struct dns_rdata *rdata;
};

/** The answer to build: the canonical question and the RRsets of every section. */
struct dns_tmpl_in {
	const uint8_t *qname;  /* uncompressed; its length fixes the body's offsets */
	uint16_t qtype;
	uint16_t qclass;
	uint16_t flags;        /* DNS_FLAG_AA / DNS_FLAG_AD to set in replies */
	uint8_t rcode;         /* 0..15 */
	uint16_t n_rrset;
	const struct dns_rrset_in *rrsets;
};

/**
 * Build a template into @p out (@p cap bytes, 4-byte aligned). Names are
 * compressed: owners always, names inside the RDATA of NS, CNAME, PTR, MX and SOA
 * only (RFC 3597 4); the targets of SRV (RFC 2782) and DNAME (RFC 6672 2.5) never.
 * Callable from any thread; allocates nothing.
 * @return the template's total length, -EINVAL for bad input (a name or RDATA
 *         that does not parse, sections out of order, counts over the limits),
 *         or -EMSGSIZE if it does not fit in @p cap or DNS_TMPL_MAXLEN.
 */
int dns_template_build(const struct dns_tmpl_in *in, void *out, size_t cap);

/**
 * Check that @p len bytes at @p buf are a self-consistent template (sizes,
 * offsets and counts agree, every TTL offset lies inside its RRset). For
 * templates that crossed a trust boundary, and for tests and fuzzing.
 * @return 0 or -EINVAL.
 */
int dns_template_check(const void *buf, size_t len);

#endif /* DNS_TEMPLATE_H */
