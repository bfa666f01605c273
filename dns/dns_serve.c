/* SPDX-License-Identifier: BSD-3-Clause */
/* Replies on the hot path: a cached template turned into an answer, or an error. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns_serve.h"

/* Header bits of the query that every reply copies (RFC 1035 4.1.1, RFC 4035 3.2.2). */
#define COPIED_FLAGS (DNS_OPCODE_MASK | DNS_FLAG_RD | DNS_FLAG_CD)

/* An OPT with our payload size, extended rcode bits and the client's DO bit (RFC 6891 6.1.3). */
static void
put_opt(uint8_t *p, const struct dns_query *q, uint16_t rcode)
{
	p[0] = 0;
	dns_put_u16(p + 1, DNS_TYPE_OPT);
	dns_put_u16(p + 3, DNS_EDNS_SIZE);
	dns_put_u32(p + 5, (uint32_t)(rcode >> 4) << 24 | (q->edns_do ? DNS_EDNS_DO : 0));
	dns_put_u16(p + 9, 0);
}

static void
put_header(uint8_t *out, const struct dns_query *q, uint16_t flags, uint16_t qdcount,
	   const uint16_t count[DNS_SECTION_COUNT])
{
	dns_put_u16(out + 2, (uint16_t)(DNS_FLAG_QR | DNS_FLAG_RA | (q->flags & COPIED_FLAGS) | flags));
	dns_put_u16(out + 4, qdcount);
	dns_put_u16(out + 6, count[DNS_SECTION_ANSWER]);
	dns_put_u16(out + 8, count[DNS_SECTION_AUTHORITY]);
	dns_put_u16(out + 10, (uint16_t)(count[DNS_SECTION_ADDITIONAL] + (q->has_edns ? 1 : 0)));
}

/*
 * How many RRsets of @p t fit in @p room body bytes: all of them; else without
 * the additional RRsets that do not fit (RFC 2181 9: no TC for those); else, for
 * a positive answer, the answer section alone; else none, and *tc is set.
 * Positive means NOERROR with no SOA in the authority section: NXDOMAIN and
 * NODATA need their SOA even after a CNAME (RFC 2308 2.1, 2.2, 5).
 */
static uint16_t
rrsets_that_fit(const struct dns_template *t, size_t room, bool *tc)
{
	const struct dns_tmpl_rrset *sets = dns_tmpl_rrsets(t);
	const uint16_t *ttl_off = dns_tmpl_ttl_offs(t);
	const uint8_t *body = dns_tmpl_body(t);
	uint16_t n = t->n_rrset;

	*tc = false;
	if (likely(t->body_len <= room))
		return n;
	while (n > 0 && sets[n - 1].section == DNS_SECTION_ADDITIONAL) {
		n--;
		if ((n > 0 ? sets[n - 1].end : 0) <= room)
			return n;
	}
	if (t->count[DNS_SECTION_ANSWER] > 0 && (t->flags & DNS_RCODE_MASK) == DNS_RCODE_NOERROR) {
		bool soa = false;

		while (sets[n - 1].section == DNS_SECTION_AUTHORITY) {
			n--;
			/* TYPE sits 4 octets before the TTL */
			if (dns_get_u16(body + ttl_off[sets[n].first_rr] - 4) == DNS_TYPE_SOA)
				soa = true;
		}
		if (!soa && sets[n - 1].end <= room)
			return n;
	}
	*tc = true;
	return 0;
}

static void
lower_ttls(uint8_t *body, const uint16_t *ttl_off, uint16_t n_rr, uint32_t age)
{
	for (uint16_t i = 0; i < n_rr; i++) {
		uint8_t *p = body + ttl_off[i];
		uint32_t ttl = dns_get_u32(p);
		dns_put_u32(p, ttl > age ? ttl - age : 0);
	}
}

/* Turn the RDATA of a rotatable RRset by @p rotate places, reading from the template. */
static void
rotate_rrset(uint8_t *body, const struct dns_template *t, const struct dns_tmpl_rrset *s,
	     uint32_t rotate)
{
	const uint16_t *ttl_off = dns_tmpl_ttl_offs(t) + s->first_rr;
	const uint8_t *src = dns_tmpl_body(t);
	uint32_t k = rotate % s->n_rr;
	size_t rdlen;

	if (k == 0)
		return;
	rdlen = dns_get_u16(src + ttl_off[0] + 4);
	for (uint16_t j = 0; j < s->n_rr; j++) {
		uint16_t from = (uint16_t)((j + k) % s->n_rr);
		memcpy(body + ttl_off[j] + 6, src + ttl_off[from] + 6, rdlen);
	}
}

int
dns_serve(const struct dns_template *t, const struct dns_query *q, uint32_t age,
	  uint32_t rotate, size_t limit, uint8_t *out, size_t cap)
{
	const struct dns_tmpl_rrset *sets = dns_tmpl_rrsets(t);
	size_t qend = q->question_end;
	size_t opt_len = q->has_edns ? DNS_OPT_RR_LEN : 0;
	size_t room, body_len;
	uint16_t count[DNS_SECTION_COUNT] = { 0 };
	uint16_t n_sets, flags;
	uint8_t *body;
	bool tc;

	if (unlikely(!q->has_question || t->qname_len != q->qname_len))
		return -EINVAL;
	if (unlikely(qend + opt_len > cap))
		return -EMSGSIZE;
	limit = VD_MIN(limit, cap);
	room = limit > qend + opt_len ? limit - qend - opt_len : 0;

	n_sets = rrsets_that_fit(t, room, &tc);
	if (likely(n_sets == t->n_rrset)) {
		memcpy(count, t->count, sizeof(count));
		body_len = t->body_len;
	} else {
		for (uint16_t i = 0; i < n_sets; i++)
			count[sets[i].section] += sets[i].n_rr;
		body_len = n_sets > 0 ? sets[n_sets - 1].end : 0;
	}

	if (out != q->wire)
		memcpy(out, q->wire, qend);
	flags = t->flags;
	if (tc)
		flags |= DNS_FLAG_TC;
	put_header(out, q, flags, 1, count);

	body = out + qend;
	memcpy(body, dns_tmpl_body(t), body_len);
	if (n_sets > 0) {
		uint16_t n_rr = (uint16_t)(sets[n_sets - 1].first_rr + sets[n_sets - 1].n_rr);
		for (uint16_t i = 0; i < n_sets; i++) {
			if (sets[i].rotate)
				rotate_rrset(body, t, &sets[i], rotate);
		}
		lower_ttls(body, dns_tmpl_ttl_offs(t), n_rr, age);
	}
	if (q->has_edns)
		put_opt(body + body_len, q, 0);
	return (int)(qend + body_len + opt_len);
}

int
dns_serve_error(const struct dns_query *q, uint16_t rcode, uint8_t *out, size_t cap)
{
	static const uint16_t none[DNS_SECTION_COUNT] = { 0 };
	size_t qlen = q->has_question ? q->question_end : DNS_HEADER_LEN;
	bool opt = q->has_edns || rcode == DNS_RCODE_BADVERS; /* BADVERS travels in OPT */

	if (unlikely(q->wire_len < DNS_HEADER_LEN || rcode > 0xfff || (rcode > 15 && !opt)))
		return -EINVAL;
	if (unlikely(qlen + (opt ? DNS_OPT_RR_LEN : 0) > cap))
		return -EMSGSIZE;
	if (out != q->wire)
		memcpy(out, q->wire, qlen);
	put_header(out, q, rcode & DNS_RCODE_MASK, q->has_question ? 1 : 0, none);
	dns_put_u16(out + 10, opt ? 1 : 0); /* ARCOUNT: the OPT, even one BADVERS added */
	if (opt)
		put_opt(out + qlen, q, rcode);
	return (int)(qlen + (opt ? DNS_OPT_RR_LEN : 0));
}
