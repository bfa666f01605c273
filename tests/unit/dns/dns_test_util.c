/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the dns/ unit suites, built into each of their binaries. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <libknot/libknot.h>

#include "dns_query.h"
#include "dns_template.h"
#include "dns_test_util.h"

static uint8_t arena[1 << 18];
static size_t arena_used;

struct dt_tb dt_the_tb;
static uint32_t tbuf[(DNS_TMPL_MAXLEN + 64) / 4];

/* libknot parses a copy, so the message under test is never touched. */
static uint8_t kbuf[65536];

uint8_t dt_qbuf[65536];
struct dt_reply dt_r;
struct dt_rr dt_rrs[700];

/* ---- names and RDATA from text ---- */

size_t
dt_wire(const char *text, uint8_t *out)
{
	size_t n = 0;

	while (*text != '\0' && strcmp(text, ".") != 0) {
		const char *dot = strchr(text, '.');
		size_t len = dot != NULL ? (size_t)(dot - text) : strlen(text);

		cr_assert(len >= 1 && len <= 63, "bad test name \"%s\"", text);
		out[n++] = (uint8_t)len;
		memcpy(out + n, text, len);
		n += len;
		text += len;
		if (*text == '.')
			text++;
	}
	out[n++] = 0;
	return n;
}

void *
dt_alloc(size_t n)
{
	void *p;

	cr_assert_leq(arena_used + n, sizeof(arena), "test arena full");
	p = arena + arena_used;
	arena_used += n;
	return p;
}

const uint8_t *
dt_name(const char *text)
{
	uint8_t tmp[512];
	size_t n = dt_wire(text, tmp);
	uint8_t *p = dt_alloc(n);

	memcpy(p, tmp, n);
	return p;
}

uint8_t
dt_lc(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

bool
dt_name_eq_ci(const uint8_t *a, const uint8_t *b)
{
	for (;;) {
		if (*a != *b)
			return false;
		if (*a == 0)
			return true;
		for (uint8_t i = 1; i <= *a; i++)
			if (dt_lc(a[i]) != dt_lc(b[i]))
				return false;
		a += *a + 1;
		b += *b + 1;
	}
}

struct dns_rdata
dt_rd_bytes(const void *data, size_t len)
{
	uint8_t *p = dt_alloc(len > 0 ? len : 1);

	memcpy(p, data, len);
	return (struct dns_rdata){.data = p, .len = (uint16_t)len};
}

struct dns_rdata
dt_rd_a(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	const uint8_t ip[4] = {a, b, c, d};

	return dt_rd_bytes(ip, 4);
}

struct dns_rdata
dt_rd_aaaa(uint16_t last)
{
	uint8_t ip[16] = {0x20, 0x01, 0x0d, 0xb8};

	ip[14] = (uint8_t)(last >> 8);
	ip[15] = (uint8_t)last;
	return dt_rd_bytes(ip, 16);
}

struct dns_rdata
dt_rd_name(const char *text)
{
	uint8_t tmp[512];

	return dt_rd_bytes(tmp, dt_wire(text, tmp));
}

struct dns_rdata
dt_rd_mx(uint16_t pref, const char *text)
{
	uint8_t tmp[512];

	dns_put_u16(tmp, pref);
	return dt_rd_bytes(tmp, 2 + dt_wire(text, tmp + 2));
}

struct dns_rdata
dt_rd_srv(uint16_t prio, uint16_t weight, uint16_t port, const char *text)
{
	uint8_t tmp[512];

	dns_put_u16(tmp, prio);
	dns_put_u16(tmp + 2, weight);
	dns_put_u16(tmp + 4, port);
	return dt_rd_bytes(tmp, 6 + dt_wire(text, tmp + 6));
}

struct dns_rdata
dt_rd_soa(const char *mname, const char *rname, uint32_t minimum)
{
	uint8_t tmp[600];
	size_t n = dt_wire(mname, tmp);

	n += dt_wire(rname, tmp + n);
	dns_put_u32(tmp + n, 2024010101u);
	dns_put_u32(tmp + n + 4, 7200);
	dns_put_u32(tmp + n + 8, 3600);
	dns_put_u32(tmp + n + 12, 1209600);
	dns_put_u32(tmp + n + 16, minimum);
	return dt_rd_bytes(tmp, n + 20);
}

struct dns_rdata
dt_rd_txt(const char *s)
{
	uint8_t tmp[256];
	size_t l = strlen(s);

	cr_assert_leq(l, 255, "TXT string too long");
	tmp[0] = (uint8_t)l;
	memcpy(tmp + 1, s, l);
	return dt_rd_bytes(tmp, l + 1);
}

/* ---- templates ---- */

struct dt_tb *
dt_tb_init(const char *qname, uint16_t qtype)
{
	struct dt_tb *b = &dt_the_tb;

	memset(b, 0, sizeof(*b));
	b->in.qname = dt_name(qname);
	b->in.qtype = qtype;
	b->in.qclass = DNS_CLASS_IN;
	b->in.rrsets = b->sets;
	return b;
}

void
dt_tb_set(struct dt_tb *b, uint8_t section, const char *owner, uint16_t type, uint32_t ttl)
{
	struct dns_rrset_in *s;

	cr_assert_lt(b->in.n_rrset, DT_TB_MAX_SETS);
	s = &b->sets[b->in.n_rrset++];
	s->owner = dt_name(owner);
	s->type = type;
	s->rclass = DNS_CLASS_IN;
	s->ttl = ttl;
	s->section = section;
	s->n_rdata = 0;
	s->rdata = &b->rd[b->n_rd];
}

void
dt_tb_rd(struct dt_tb *b, struct dns_rdata rd)
{
	cr_assert_lt(b->n_rd, DT_TB_MAX_RD);
	b->rd[b->n_rd++] = rd;
	b->sets[b->in.n_rrset - 1].n_rdata++;
}

int
dt_tb_try(struct dt_tb *b, size_t cap)
{
	memset(tbuf, 0xa5, sizeof(tbuf));
	return dns_template_build(&b->in, tbuf, cap);
}

struct dns_template *
dt_tb_build(struct dt_tb *b)
{
	int rc = dt_tb_try(b, DNS_TMPL_MAXLEN);

	cr_assert_gt(rc, 0, "dns_template_build: %d", rc);
	return dt_tb_template();
}

struct dns_template *
dt_tb_template(void)
{
	return (struct dns_template *)(void *)tbuf;
}

/* ---- queries ---- */

size_t
dt_mkquery(uint8_t *buf, const struct dt_qspec *s)
{
	size_t n = DNS_HEADER_LEN;

	memset(buf, 0, DNS_HEADER_LEN);
	dns_put_u16(buf, s->id);
	dns_put_u16(buf + 2, s->flags);
	dns_put_u16(buf + 4, 1);
	n += dt_wire(s->qname, buf + n);
	dns_put_u16(buf + n, s->qtype != 0 ? s->qtype : DNS_TYPE_A);
	dns_put_u16(buf + n + 2, s->qclass != 0 ? s->qclass : DNS_CLASS_IN);
	n += 4;
	if (s->edns) {
		dns_put_u16(buf + 10, 1);
		buf[n++] = 0;
		dns_put_u16(buf + n, DNS_TYPE_OPT);
		dns_put_u16(buf + n + 2, s->udp != 0 ? s->udp : 1232);
		dns_put_u32(buf + n + 4,
			    (uint32_t)s->version << 16 | (s->do_bit ? DNS_EDNS_DO : 0));
		dns_put_u16(buf + n + 8, s->opts_len);
		n += 10;
		if (s->opts_len > 0)
			memcpy(buf + n, s->opts, s->opts_len);
		n += s->opts_len;
	}
	return n;
}

void
dt_query_verdict(const struct dt_qspec *s, struct dns_query *q, enum dns_verdict want)
{
	size_t len = dt_mkquery(dt_qbuf, s);
	enum dns_verdict v = dns_query_parse(dt_qbuf, len, q);

	cr_assert_eq(v, want, "query %s: verdict %d (%s), want %d", s->qname, v,
		     dns_verdict_name(v), want);
}

void
dt_query(const struct dt_qspec *s, struct dns_query *q)
{
	dt_query_verdict(s, q, DNS_VERDICT_ANSWER);
}

/* ---- packets byte by byte ---- */

void
dt_put_bytes(struct dt_pkt *p, const void *b, size_t n)
{
	cr_assert_leq(p->len + n, sizeof(p->buf));
	memcpy(p->buf + p->len, b, n);
	p->len += n;
}

void
dt_put_u8(struct dt_pkt *p, uint8_t v)
{
	dt_put_bytes(p, &v, 1);
}

void
dt_put_u16(struct dt_pkt *p, uint16_t v)
{
	uint8_t b[2];

	dns_put_u16(b, v);
	dt_put_bytes(p, b, 2);
}

void
dt_put_u32(struct dt_pkt *p, uint32_t v)
{
	uint8_t b[4];

	dns_put_u32(b, v);
	dt_put_bytes(p, b, 4);
}

void
dt_put_name(struct dt_pkt *p, const char *text)
{
	uint8_t tmp[sizeof(p->buf)];

	dt_put_bytes(p, tmp, dt_wire(text, tmp));
}

void
dt_put_header(struct dt_pkt *p, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns,
	      uint16_t ar)
{
	p->len = 0;
	dt_put_u16(p, DT_TEST_ID);
	dt_put_u16(p, flags);
	dt_put_u16(p, qd);
	dt_put_u16(p, an);
	dt_put_u16(p, ns);
	dt_put_u16(p, ar);
}

void
dt_put_question(struct dt_pkt *p, const char *name, uint16_t qtype, uint16_t qclass)
{
	dt_put_name(p, name);
	dt_put_u16(p, qtype);
	dt_put_u16(p, qclass);
}

void
dt_put_query(struct dt_pkt *p, const char *name, uint16_t qtype, uint16_t qclass, uint16_t ar)
{
	dt_put_header(p, DNS_FLAG_RD, 1, 0, 0, ar);
	dt_put_question(p, name, qtype, qclass);
}

void
dt_put_a_rr(struct dt_pkt *p, const char *owner)
{
	dt_put_name(p, owner);
	dt_put_u16(p, DNS_TYPE_A);
	dt_put_u16(p, DNS_CLASS_IN);
	dt_put_u32(p, 300);
	dt_put_u16(p, 4);
	dt_put_bytes(p, "\xc0\x00\x02\x01", 4);
}

size_t
dt_opt_begin(struct dt_pkt *p, uint16_t udp, uint32_t ttl)
{
	size_t rdlen_off;

	dt_put_u8(p, 0);
	dt_put_u16(p, DNS_TYPE_OPT);
	dt_put_u16(p, udp);
	dt_put_u32(p, ttl);
	rdlen_off = p->len;
	dt_put_u16(p, 0);
	return rdlen_off;
}

void
dt_opt_option(struct dt_pkt *p, uint16_t code, uint16_t len, const void *data)
{
	dt_put_u16(p, code);
	dt_put_u16(p, len);
	if (len > 0)
		dt_put_bytes(p, data, len);
}

void
dt_opt_end(struct dt_pkt *p, size_t rdlen_off)
{
	dns_put_u16(p->buf + rdlen_off, (uint16_t)(p->len - rdlen_off - 2));
}

void
dt_put_opt(struct dt_pkt *p, uint16_t udp, uint32_t ttl)
{
	dt_opt_end(p, dt_opt_begin(p, udp, ttl));
}

enum dns_verdict
dt_parse_n(struct dt_pkt *p, size_t len, struct dns_query *q)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);
	enum dns_verdict v;

	cr_assert_not_null(copy);
	memcpy(copy, p->buf, len);
	memset(q, 0x5a, sizeof(*q));
	v = dns_query_parse(copy, len, q);
	cr_assert(len == 0 || memcmp(copy, p->buf, len) == 0, "parser wrote to the packet");
	if (q->wire == copy)
		q->wire = p->buf;
	free(copy);
	return v;
}

enum dns_verdict
dt_parse(struct dt_pkt *p, struct dns_query *q)
{
	return dt_parse_n(p, p->len, q);
}

void
dt_assert_key(const struct dns_query *q, const uint8_t *lname, size_t name_len, uint16_t qtype,
	      uint16_t qclass, uint8_t do_octet)
{
	cr_assert_eq(q->key.name_len, name_len);
	cr_assert_eq(q->key.len, name_len + 5);
	cr_assert_eq(memcmp(q->key.bytes, lname, name_len), 0, "key name");
	cr_assert_eq(dns_get_u16(q->key.bytes + name_len), qtype, "key qtype");
	cr_assert_eq(dns_get_u16(q->key.bytes + name_len + 2), qclass, "key qclass");
	cr_assert_eq(q->key.bytes[name_len + 4], do_octet, "key DO octet");
}

/* ---- reading replies with libknot ---- */

void
dt_kparse_into(const uint8_t *msg, int len, struct dt_reply *r, struct dt_rr *rr_out,
	       size_t max_rr)
{
	knot_pkt_t *pkt;
	int rc;

	cr_assert_gt(len, 0, "reply length %d", len);
	cr_assert_leq((size_t)len, sizeof(kbuf), "reply length %d", len);
	memset(r, 0, sizeof(*r));
	memcpy(kbuf, msg, (size_t)len);
	pkt = knot_pkt_new(kbuf, (uint16_t)len, NULL);
	cr_assert_not_null(pkt);
	rc = knot_pkt_parse(pkt, KNOT_PF_NOCANON);
	cr_assert_eq(rc, KNOT_EOK, "libknot cannot parse the reply: %s", knot_strerror(rc));
	r->len = (size_t)len;
	r->id = knot_wire_get_id(kbuf);
	r->flags = dns_get_u16(kbuf + 2);
	r->qdcount = knot_wire_get_qdcount(kbuf);
	if (r->qdcount > 0) {
		cr_assert_gt(knot_dname_store(r->qname, knot_pkt_wire_qname(pkt)), 0);
		r->qtype = knot_pkt_qtype(pkt);
		r->qclass = knot_pkt_qclass(pkt);
	}
	for (int s = KNOT_ANSWER; s <= KNOT_ADDITIONAL; s++) {
		const knot_pktsection_t *sec = knot_pkt_section(pkt, (knot_section_t)s);

		for (uint16_t i = 0; i < sec->count; i++) {
			const knot_rrset_t *rr = knot_pkt_rr(sec, i);

			if (rr->type == KNOT_RRTYPE_OPT)
				continue;
			for (uint16_t j = 0; j < rr->rrs.count; j++) {
				const knot_rdata_t *rd = knot_rdataset_at(&rr->rrs, j);
				struct dt_rr *o = &rr_out[r->n_rr];

				cr_assert_lt(r->n_rr, max_rr);
				o->section = s;
				cr_assert_gt(knot_dname_store(o->owner, rr->owner), 0);
				o->type = rr->type;
				o->rclass = rr->rclass;
				o->ttl = rr->ttl;
				o->rdlen = rd->len;
				memcpy(o->rdata, rd->data, rd->len);
				r->count[s]++;
				r->n_rr++;
			}
		}
	}
	cr_assert_eq(knot_wire_get_ancount(kbuf), r->count[0]);
	cr_assert_eq(knot_wire_get_nscount(kbuf), r->count[1]);
	if (pkt->opt_rr != NULL) {
		r->has_opt = true;
		r->opt_payload = knot_edns_get_payload(pkt->opt_rr);
		r->opt_version = knot_edns_get_version(pkt->opt_rr);
		r->opt_ext_rcode = knot_edns_get_ext_rcode(pkt->opt_rr);
		r->opt_do = knot_edns_do(pkt->opt_rr);
		r->opt_ttl = pkt->opt_rr->ttl;
		r->opt_rdlen = knot_rdataset_at(&pkt->opt_rr->rrs, 0)->len;
		cr_assert(knot_dname_is_equal(pkt->opt_rr->owner, (const knot_dname_t *)""),
			  "OPT owner is not the root");
	}
	cr_assert_eq(knot_wire_get_arcount(kbuf), r->count[2] + (r->has_opt ? 1 : 0));
	r->ext_rcode = knot_pkt_ext_rcode(pkt);
	knot_pkt_free(pkt);
}

void
dt_kparse(const uint8_t *msg, int len)
{
	dt_kparse_into(msg, len, &dt_r, dt_rrs, VD_ARRAY_SIZE(dt_rrs));
}
