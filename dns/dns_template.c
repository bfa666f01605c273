/* SPDX-License-Identifier: BSD-3-Clause */
/* Building response templates from RRsets (with name compression), and checking them. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns_name.h"
#include "dns_template.h"

/* Label starts remembered as compression targets; past this, names are written in full. */
#define MAX_TARGETS 256
/* RFC 2181 8: a TTL with the top bit set is treated as zero. */
#define TTL_MAX 0x7fffffffu

struct builder {
	const uint8_t *qname;
	size_t qname_len;
	size_t base;       /* message offset of body[0] */
	uint8_t *body;
	size_t cap;        /* bytes available for the body */
	size_t len;        /* bytes written to the body */
	int err;           /* first error, sticky */
	unsigned n_targets;
	uint16_t targets[MAX_TARGETS]; /* message offsets of labels a pointer may name */
};

/* The byte at message offset @p off of the reply being built (the question, then the body). */
static uint8_t
msg_byte(const struct builder *b, size_t off)
{
	if (off < DNS_HEADER_LEN + b->qname_len)
		return b->qname[off - DNS_HEADER_LEN];
	return b->body[off - b->base];
}

/*
 * Does the (possibly compressed) name at message offset @p off equal the
 * uncompressed @p name? Pointers we wrote only point backwards, so this ends.
 */
static bool
name_at_equals(const struct builder *b, size_t off, const uint8_t *name)
{
	for (;;) {
		uint8_t len = msg_byte(b, off);
		if ((len & DNS_PTR_MASK) == DNS_PTR_MASK) {
			off = ((size_t)(len & 0x3f) << 8) | msg_byte(b, off + 1);
			continue;
		}
		if (len != *name)
			return false;
		if (len == 0)
			return true;
		for (size_t i = 1; i <= len; i++) {
			if (dns_lower(msg_byte(b, off + i)) != dns_lower(name[i]))
				return false;
		}
		off += 1u + len;
		name += 1u + len;
	}
}

static int
find_target(const struct builder *b, const uint8_t *suffix)
{
	for (unsigned i = 0; i < b->n_targets; i++) {
		if (name_at_equals(b, b->targets[i], suffix))
			return b->targets[i];
	}
	return -1;
}

static void
add_target(struct builder *b, size_t off)
{
	if (off <= DNS_PTR_MAX && b->n_targets < MAX_TARGETS)
		b->targets[b->n_targets++] = (uint16_t)off;
}

static uint8_t *
body_reserve(struct builder *b, size_t n)
{
	uint8_t *p;

	if (b->err != 0)
		return NULL;
	if (b->cap - b->len < n) {
		b->err = -EMSGSIZE;
		return NULL;
	}
	p = b->body + b->len;
	b->len += n;
	return p;
}

static void
put_bytes(struct builder *b, const void *src, size_t n)
{
	uint8_t *p = body_reserve(b, n);

	if (p != NULL)
		memcpy(p, src, n);
}

static void
put_u16(struct builder *b, uint16_t v)
{
	uint8_t *p = body_reserve(b, 2);

	if (p != NULL)
		dns_put_u16(p, v);
}

/*
 * Write the valid uncompressed @p name, pointing at the longest suffix already
 * in the message when @p compress is true. The labels written in full become
 * targets for later names.
 */
static void
put_name(struct builder *b, const uint8_t *name, bool compress)
{
	const uint8_t *label = name;

	while (*label != 0) {
		int target = compress ? find_target(b, label) : -1;
		if (target >= 0) {
			put_u16(b, (uint16_t)(0xc000 | target));
			return;
		}
		add_target(b, b->base + b->len);
		put_bytes(b, label, 1u + *label);
		label += 1u + *label;
	}
	put_bytes(b, label, 1);
}

/* Length of the valid name at the start of [p, p+avail), or -EINVAL. */
static int
rdata_name(const uint8_t *p, size_t avail)
{
	int n = dns_name_scan(p, avail, NULL);

	return n < 0 ? -EINVAL : n;
}

/*
 * Write one RDATA, compressing the names of the types RFC 3597 4 allows
 * (NS, CNAME, PTR, MX, SOA) and checking the layout of the types we know.
 */
static void
put_rdata(struct builder *b, uint16_t type, const struct dns_rdata *rd)
{
	const uint8_t *p = rd->data;
	size_t len = rd->len;
	int n, m;

	switch (type) {
	case DNS_TYPE_A:
	case DNS_TYPE_AAAA:
		if (len != (type == DNS_TYPE_A ? 4u : 16u))
			goto invalid;
		put_bytes(b, p, len);
		return;
	case DNS_TYPE_NS:
	case DNS_TYPE_CNAME:
	case DNS_TYPE_PTR:
		n = rdata_name(p, len);
		if (n < 0 || (size_t)n != len)
			goto invalid;
		put_name(b, p, true);
		return;
	case DNS_TYPE_DNAME: /* RFC 6672 2.5: the target is never compressed */
		n = rdata_name(p, len);
		if (n < 0 || (size_t)n != len)
			goto invalid;
		put_bytes(b, p, len);
		return;
	case DNS_TYPE_MX:
		if (len < 3)
			goto invalid;
		n = rdata_name(p + 2, len - 2);
		if (n < 0 || (size_t)n != len - 2)
			goto invalid;
		put_bytes(b, p, 2);
		put_name(b, p + 2, true);
		return;
	case DNS_TYPE_SOA:
		n = rdata_name(p, len);
		if (n < 0)
			goto invalid;
		m = rdata_name(p + n, len - (size_t)n);
		if (m < 0 || (size_t)n + (size_t)m + 20 != len)
			goto invalid;
		put_name(b, p, true);
		put_name(b, p + n, true);
		put_bytes(b, p + n + m, 20);
		return;
	default:
		put_bytes(b, p, len);
		return;
	}
invalid:
	if (b->err == 0)
		b->err = -EINVAL;
}

static bool
rrsets_valid(const struct dns_tmpl_in *in, size_t *n_rr)
{
	uint8_t section = DNS_SECTION_ANSWER;

	*n_rr = 0;
	for (uint16_t i = 0; i < in->n_rrset; i++) {
		const struct dns_rrset_in *s = &in->rrsets[i];
		if (s->section >= DNS_SECTION_COUNT || s->section < section)
			return false;
		if (s->n_rdata == 0 || s->owner == NULL || s->rdata == NULL)
			return false;
		if (dns_name_scan(s->owner, DNS_NAME_MAXLEN, NULL) < 0)
			return false;
		section = s->section;
		*n_rr += s->n_rdata;
	}
	return *n_rr <= DNS_TMPL_MAX_RR;
}

int
dns_template_build(const struct dns_tmpl_in *in, void *out, size_t cap)
{
	struct dns_template *t = out;
	struct dns_tmpl_rrset *sets;
	uint16_t *ttl_off;
	struct builder b;
	size_t n_rr, fixed;
	int qlen;
	uint16_t rr = 0;

	if (in == NULL || out == NULL || in->qname == NULL || in->rcode > DNS_RCODE_MASK ||
	    (in->n_rrset > 0 && in->rrsets == NULL) || ((uintptr_t)out & 3) != 0)
		return -EINVAL;
	qlen = dns_name_scan(in->qname, DNS_NAME_MAXLEN, NULL);
	if (qlen < 0 || !rrsets_valid(in, &n_rr))
		return -EINVAL;

	cap = VD_MIN(cap, (size_t)DNS_TMPL_MAXLEN);
	fixed = sizeof(*t) + in->n_rrset * sizeof(*sets) + n_rr * sizeof(*ttl_off);
	if (cap < fixed)
		return -EMSGSIZE;
	memset(t, 0, sizeof(*t));
	sets = (struct dns_tmpl_rrset *)(t + 1);
	ttl_off = (uint16_t *)(sets + in->n_rrset);

	b.qname = in->qname;
	b.qname_len = (size_t)qlen;
	b.base = DNS_HEADER_LEN + (size_t)qlen + 4;
	b.body = (uint8_t *)(ttl_off + n_rr);
	/* The whole reply must stay addressable by 16-bit offsets. */
	b.cap = VD_MIN(cap - fixed, (size_t)DNS_MSG_MAXLEN - b.base - DNS_OPT_RR_LEN);
	b.len = 0;
	b.err = 0;
	b.n_targets = 0;
	for (size_t off = 0; in->qname[off] != 0; off += 1u + in->qname[off])
		add_target(&b, DNS_HEADER_LEN + off);

	t->ttl_min = UINT32_MAX;
	for (uint16_t i = 0; i < in->n_rrset && b.err == 0; i++) {
		const struct dns_rrset_in *s = &in->rrsets[i];
		uint32_t ttl = s->ttl > TTL_MAX ? 0 : s->ttl;

		sets[i].first_rr = rr;
		sets[i].n_rr = s->n_rdata;
		sets[i].section = s->section;
		sets[i].rotate = (s->type == DNS_TYPE_A || s->type == DNS_TYPE_AAAA) &&
				 s->n_rdata >= 2;
		for (uint16_t j = 0; j < s->n_rdata && b.err == 0; j++) {
			put_name(&b, s->owner, true);
			put_u16(&b, s->type);
			put_u16(&b, s->rclass);
			ttl_off[rr++] = (uint16_t)b.len;
			put_u16(&b, (uint16_t)(ttl >> 16));
			put_u16(&b, (uint16_t)ttl);
			size_t rdlen_at = b.len;
			put_u16(&b, 0);
			put_rdata(&b, s->type, &s->rdata[j]);
			if (b.err == 0)
				dns_put_u16(b.body + rdlen_at, (uint16_t)(b.len - rdlen_at - 2));
		}
		sets[i].end = (uint16_t)b.len;
		t->count[s->section] += s->n_rdata;
		if (ttl < t->ttl_min)
			t->ttl_min = ttl;
	}
	if (b.err != 0)
		return b.err;

	t->total_len = (uint16_t)(fixed + b.len);
	t->flags = (uint16_t)((in->flags & (DNS_FLAG_AA | DNS_FLAG_AD)) | in->rcode);
	t->qname_len = (uint16_t)qlen;
	t->qtype = in->qtype;
	t->n_rrset = in->n_rrset;
	t->n_rr = (uint16_t)n_rr;
	t->body_len = (uint16_t)b.len;
	return t->total_len;
}

/* Is RR k of set s laid out inside the set, before the next RR, and are its lengths sane? */
static bool
rr_valid(const struct dns_template *t, const struct dns_tmpl_rrset *s, uint16_t k, size_t start,
	 uint16_t *rdlen)
{
	const uint16_t *ttl_off = dns_tmpl_ttl_offs(t);
	const uint8_t *body = dns_tmpl_body(t);
	size_t off = ttl_off[k];
	size_t next;

	bool last = k + 1u == s->first_rr + s->n_rr;

	/* An owner (>= 1 octet), TYPE and CLASS (4) come before the TTL. */
	if (off < start + 5 || off + 6 > s->end || (!last && ttl_off[k + 1] < 5))
		return false;
	*rdlen = dns_get_u16(body + off + 4);
	/* The RDATA ends where the next RR's owner begins, or exactly at the set's end. */
	next = last ? s->end : ttl_off[k + 1] - 5u;
	return last ? off + 6 + *rdlen == next : off + 6 + *rdlen <= next;
}

int
dns_template_check(const void *buf, size_t len)
{
	const struct dns_template *t = buf;
	const struct dns_tmpl_rrset *sets;
	uint16_t counts[DNS_SECTION_COUNT] = { 0 };
	size_t start = 0;
	uint16_t rr = 0;
	uint8_t section = DNS_SECTION_ANSWER;

	if (buf == NULL || ((uintptr_t)buf & 3) != 0 || len < sizeof(*t) || t->total_len != len)
		return -EINVAL;
	if (t->n_rr > DNS_TMPL_MAX_RR || t->n_rrset > t->n_rr || t->qname_len == 0 ||
	    t->qname_len > DNS_NAME_MAXLEN)
		return -EINVAL;
	if (sizeof(*t) + t->n_rrset * sizeof(*sets) + t->n_rr * sizeof(uint16_t) + t->body_len != len)
		return -EINVAL;
	if (dns_tmpl_body_base(t) + t->body_len + DNS_OPT_RR_LEN > DNS_MSG_MAXLEN)
		return -EINVAL;
	if ((t->flags & ~(DNS_FLAG_AA | DNS_FLAG_AD | DNS_RCODE_MASK)) != 0)
		return -EINVAL;

	sets = dns_tmpl_rrsets(t);
	for (uint16_t i = 0; i < t->n_rrset; i++) {
		const struct dns_tmpl_rrset *s = &sets[i];
		uint16_t rdlen0 = 0;

		if (s->section >= DNS_SECTION_COUNT || s->section < section || s->n_rr == 0 ||
		    s->first_rr != rr || s->n_rr > t->n_rr - rr || s->end <= start ||
		    s->end > t->body_len || s->rotate > 1)
			return -EINVAL;
		for (uint16_t k = s->first_rr; k < s->first_rr + s->n_rr; k++) {
			uint16_t rdlen;
			if (!rr_valid(t, s, k, k == s->first_rr ? start : dns_tmpl_ttl_offs(t)[k - 1] + 6u,
				      &rdlen))
				return -EINVAL;
			if (k == s->first_rr)
				rdlen0 = rdlen;
			else if (s->rotate && rdlen != rdlen0)
				return -EINVAL; /* rotation swaps RDATA of equal length only */
		}
		if (s->rotate && s->n_rr < 2)
			return -EINVAL;
		section = s->section;
		counts[section] += s->n_rr;
		rr += s->n_rr;
		start = s->end;
	}
	if (rr != t->n_rr || start != t->body_len)
		return -EINVAL;
	for (unsigned i = 0; i < DNS_SECTION_COUNT; i++) {
		if (counts[i] != t->count[i])
			return -EINVAL;
	}
	return 0;
}
