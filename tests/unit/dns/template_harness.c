/* SPDX-License-Identifier: BSD-3-Clause */
/* Views of a built template and the core check, for the dns_template suites. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>
#include <libknot/libknot.h>

#include "dns_template.h"
#include "dns_test_util.h"
#include "template_harness.h"

struct dns_tmpl_rrset *
t_sets(struct dns_template *t)
{
	return (struct dns_tmpl_rrset *)(void *)(t + 1);
}

uint16_t *
t_ttls(struct dns_template *t)
{
	return (uint16_t *)(void *)(t_sets(t) + t->n_rrset);
}

static uint8_t *
t_body(struct dns_template *t)
{
	return (uint8_t *)(t_ttls(t) + t->n_rr);
}

/* Length of the (possibly compressed) name at @p p in the body: up to its end or first pointer. */
static size_t
body_name_len(const uint8_t *p, size_t avail)
{
	size_t n = 0;

	while (n < avail) {
		if ((p[n] & DNS_PTR_MASK) == DNS_PTR_MASK)
			return n + 2;
		if (p[n] == 0)
			return n + 1;
		cr_assert_lt(p[n], 64, "label type in body");
		n += 1 + p[n];
	}
	cr_assert_fail("name runs off the body");
	return 0;
}

size_t
walk_body(struct dns_template *t, struct walk_rr *rr, size_t max)
{
	const uint8_t *b = t_body(t);
	size_t off = 0, n = 0;

	while (off < t->body_len) {
		cr_assert_lt(n, max);
		rr[n].owner = off;
		rr[n].owner_len = body_name_len(b + off, t->body_len - off);
		off += rr[n].owner_len;
		cr_assert_leq(off + 10, t->body_len, "RR header runs off the body");
		rr[n].type = dns_get_u16(b + off);
		rr[n].ttl = off + 4;
		rr[n].ttl_val = dns_get_u32(b + off + 4);
		rr[n].rdlen = dns_get_u16(b + off + 8);
		rr[n].rdata = off + 10;
		off += 10 + rr[n].rdlen;
		cr_assert_leq(off, t->body_len, "RDATA runs off the body");
		rr[n].end = off;
		n++;
	}
	cr_assert_eq(off, t->body_len);
	return n;
}

/* The message a client would get: header, the template's question, the body. */
static uint8_t msgbuf[DNS_TMPL_MAXLEN + 600];

static size_t
tmpl_message(struct dns_template *t, const uint8_t *qname)
{
	size_t n = DNS_HEADER_LEN;

	memset(msgbuf, 0, DNS_HEADER_LEN);
	dns_put_u16(msgbuf + 2, DNS_FLAG_QR);
	dns_put_u16(msgbuf + 4, 1);
	dns_put_u16(msgbuf + 6, t->count[0]);
	dns_put_u16(msgbuf + 8, t->count[1]);
	dns_put_u16(msgbuf + 10, t->count[2]);
	memcpy(msgbuf + n, qname, t->qname_len);
	n += t->qname_len;
	dns_put_u16(msgbuf + n, t->qtype);
	dns_put_u16(msgbuf + n + 2, DNS_CLASS_IN);
	n += 4;
	cr_assert_eq(n, dns_tmpl_body_base(t));
	memcpy(msgbuf + n, t_body(t), t->body_len);
	return n + t->body_len;
}

/* Every RR but OPT that libknot sees in the message, in order, section by section (case kept). */
static struct dt_rr flat[600];

static size_t
knot_flatten(const uint8_t *msg, size_t len)
{
	static struct dt_reply r;

	dt_kparse_into(msg, (int)len, &r, flat, VD_ARRAY_SIZE(flat));
	return r.n_rr;
}

/*
 * The core check: the template is consistent with the input. Walks the body on its own,
 * compares it with the RRset table, the TTL offsets and the counts, and has libknot
 * decode the whole message to the input's owners, types, TTLs and RDATA.
 */
void
check_against_input(struct dns_template *t, const struct dt_tb *b)
{
	struct walk_rr w[600];
	size_t n_w = walk_body(t, w, VD_ARRAY_SIZE(w));
	const struct dns_tmpl_rrset *sets = t_sets(t);
	const uint16_t *ttls = t_ttls(t);
	uint16_t cnt[3] = {0, 0, 0};
	size_t rr = 0, n_flat, len;
	uint32_t ttl_min = UINT32_MAX;

	cr_assert_eq(t->n_rrset, b->in.n_rrset);
	cr_assert_eq(t->n_rr, n_w);
	cr_assert_eq(t->qtype, b->in.qtype);
	cr_assert_eq(t->flags, (uint16_t)(b->in.flags | b->in.rcode));
	for (uint16_t s = 0; s < t->n_rrset; s++) {
		const struct dns_rrset_in *in = &b->sets[s];
		bool addr = in->type == DNS_TYPE_A || in->type == DNS_TYPE_AAAA;
		bool rot = addr && in->n_rdata >= 2;

		cr_assert_eq(sets[s].section, in->section, "rrset %u", s);
		cr_assert_eq(sets[s].first_rr, rr, "rrset %u", s);
		cr_assert_eq(sets[s].n_rr, in->n_rdata, "rrset %u", s);
		cr_assert_eq(sets[s].rotate, rot ? 1 : 0, "rrset %u (type %u, %u RRs)", s, in->type,
			     in->n_rdata);
		for (uint16_t i = 0; i < in->n_rdata; i++, rr++) {
			cr_assert_eq(ttls[rr], w[rr].ttl, "ttl_off[%zu]", rr);
			cr_assert_eq(w[rr].type, in->type, "RR %zu", rr);
			cr_assert_eq(w[rr].ttl_val, in->ttl, "RR %zu", rr);
		}
		cr_assert_eq(sets[s].end, w[rr - 1].end, "rrset %u end", s);
		cnt[in->section] = (uint16_t)(cnt[in->section] + in->n_rdata);
		if (in->n_rdata > 0 && in->ttl < ttl_min)
			ttl_min = in->ttl;
	}
	cr_assert_eq(t->count[0], cnt[0]);
	cr_assert_eq(t->count[1], cnt[1]);
	cr_assert_eq(t->count[2], cnt[2]);
	cr_assert_eq(t->ttl_min, ttl_min);

	len = tmpl_message(t, b->in.qname);
	n_flat = knot_flatten(msgbuf, len);
	cr_assert_eq(n_flat, t->n_rr);
	rr = 0;
	for (uint16_t s = 0; s < t->n_rrset; s++) {
		const struct dns_rrset_in *in = &b->sets[s];

		for (uint16_t i = 0; i < in->n_rdata; i++, rr++) {
			cr_assert_eq(flat[rr].section, in->section);
			cr_assert(dt_name_eq_ci(flat[rr].owner, in->owner), "owner of RR %zu", rr);
			cr_assert_eq(flat[rr].type, in->type);
			cr_assert_eq(flat[rr].ttl, in->ttl);
			/* libknot decompresses the names of the types it knows. */
			cr_assert_eq(flat[rr].rdlen, in->rdata[i].len, "RDATA length, RR %zu", rr);
			for (uint16_t k = 0; k < flat[rr].rdlen; k++)
				cr_assert_eq(dt_lc(flat[rr].rdata[k]), dt_lc(in->rdata[i].data[k]),
					     "RDATA octet %u of RR %zu", k, rr);
		}
	}
}

/* Offset of a name in the body as a compression pointer would carry it. */
uint16_t
ptr_to_body(const struct dns_template *t, size_t body_off)
{
	return (uint16_t)(0xc000 | (dns_tmpl_body_base(t) + body_off));
}
