/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for dns/dns_serve.c: replies from templates and error replies. Queries go
 * through the real parser (dns_query_parse), templates through dns_template_build, and
 * every reply is read back by an independent parser (libknot) besides byte checks.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>
#include <libknot/libknot.h>

#include "dns_query.h"
#include "dns_serve.h"
#include "dns_template.h"

/* ---- helpers: names and RDATA from text ---- */

static uint8_t arena[1 << 18];
static size_t arena_used;

static void *
arena_alloc(size_t n)
{
	void *p;

	cr_assert_leq(arena_used + n, sizeof(arena), "test arena full");
	p = arena + arena_used;
	arena_used += n;
	return p;
}

/* Wire name from dotted text without escapes ("." is the root), written to @p out. */
static size_t
wire_into(const char *text, uint8_t *out)
{
	size_t n = 0;
	const char *p = text;

	if (strcmp(text, ".") == 0) {
		out[0] = 0;
		return 1;
	}
	while (*p != '\0') {
		const char *dot = strchr(p, '.');
		size_t l = dot != NULL ? (size_t)(dot - p) : strlen(p);

		out[n++] = (uint8_t)l;
		memcpy(out + n, p, l);
		n += l;
		p += l;
		if (*p == '.')
			p++;
	}
	out[n++] = 0;
	return n;
}

static const uint8_t *
nm(const char *text)
{
	uint8_t tmp[512];
	size_t n = wire_into(text, tmp);
	uint8_t *p = arena_alloc(n);

	memcpy(p, tmp, n);
	return p;
}

static size_t
name_len(const uint8_t *n)
{
	size_t l = 0;

	while (n[l] != 0)
		l += 1u + n[l];
	return l + 1;
}

/* "<n labels of len octets of ch>.<suffix>" in static storage (one buffer per call site). */
static const char *
long_name(char *out, int n_labels, int len, char ch, const char *suffix)
{
	size_t o = 0;

	for (int i = 0; i < n_labels; i++) {
		memset(out + o, ch, (size_t)len);
		o += (size_t)len;
		out[o++] = '.';
	}
	strcpy(out + o, suffix);
	return out;
}

static struct dns_rdata
rd_bytes(const void *data, size_t len)
{
	uint8_t *p = arena_alloc(len > 0 ? len : 1);

	memcpy(p, data, len);
	return (struct dns_rdata){.data = p, .len = (uint16_t)len};
}

static struct dns_rdata
rd_a(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	const uint8_t ip[4] = {a, b, c, d};

	return rd_bytes(ip, 4);
}

static struct dns_rdata
rd_aaaa(uint16_t last)
{
	uint8_t ip[16] = {0x20, 0x01, 0x0d, 0xb8};

	ip[14] = (uint8_t)(last >> 8);
	ip[15] = (uint8_t)last;
	return rd_bytes(ip, 16);
}

static struct dns_rdata
rd_name(const char *text)
{
	uint8_t tmp[512];

	return rd_bytes(tmp, wire_into(text, tmp));
}

static struct dns_rdata
rd_mx(uint16_t pref, const char *text)
{
	uint8_t tmp[512];

	dns_put_u16(tmp, pref);
	return rd_bytes(tmp, 2 + wire_into(text, tmp + 2));
}

static struct dns_rdata
rd_soa(const char *mname, const char *rname, uint32_t minimum)
{
	uint8_t tmp[600];
	size_t n = wire_into(mname, tmp);

	n += wire_into(rname, tmp + n);
	dns_put_u32(tmp + n, 2024010101u);
	dns_put_u32(tmp + n + 4, 7200);
	dns_put_u32(tmp + n + 8, 3600);
	dns_put_u32(tmp + n + 12, 1209600);
	dns_put_u32(tmp + n + 16, minimum);
	return rd_bytes(tmp, n + 20);
}

static struct dns_rdata
rd_txt(const char *s)
{
	uint8_t tmp[256];
	size_t l = strlen(s);

	tmp[0] = (uint8_t)l;
	memcpy(tmp + 1, s, l);
	return rd_bytes(tmp, l + 1);
}

/* ---- helpers: templates ---- */

#define TB_MAX_SETS 64
#define TB_MAX_RD   700

struct tb {
	struct dns_tmpl_in in;
	struct dns_rrset_in sets[TB_MAX_SETS];
	struct dns_rdata rd[TB_MAX_RD];
	size_t n_rd;
};

static struct tb the_tb;

static struct tb *
tb_init(const char *qname, uint16_t qtype)
{
	struct tb *b = &the_tb;

	memset(b, 0, sizeof(*b));
	b->in.qname = nm(qname);
	b->in.qtype = qtype;
	b->in.qclass = DNS_CLASS_IN;
	b->in.rrsets = b->sets;
	return b;
}

static void
tb_set(struct tb *b, uint8_t section, const char *owner, uint16_t type, uint32_t ttl)
{
	struct dns_rrset_in *s;

	cr_assert_lt(b->in.n_rrset, TB_MAX_SETS);
	s = &b->sets[b->in.n_rrset++];
	s->owner = nm(owner);
	s->type = type;
	s->rclass = DNS_CLASS_IN;
	s->ttl = ttl;
	s->section = section;
	s->n_rdata = 0;
	s->rdata = &b->rd[b->n_rd];
}

static void
tb_rd(struct tb *b, struct dns_rdata rd)
{
	cr_assert_lt(b->n_rd, TB_MAX_RD);
	b->rd[b->n_rd++] = rd;
	b->sets[b->in.n_rrset - 1].n_rdata++;
}

static uint32_t tbuf[(DNS_TMPL_MAXLEN + 64) / 4];

static const struct dns_template *
tb_build(struct tb *b)
{
	int rc = dns_template_build(&b->in, tbuf, DNS_TMPL_MAXLEN);

	cr_assert_gt(rc, 0, "dns_template_build: %d", rc);
	return (const struct dns_template *)(const void *)tbuf;
}

/* ---- helpers: queries ---- */

struct qspec {
	uint16_t id;
	uint16_t flags;        /* header word at offset 2 */
	const char *qname;     /* any case */
	uint16_t qtype;        /* 0: A */
	uint16_t qclass;       /* 0: IN */
	bool edns;
	uint16_t udp;          /* 0: 1232 */
	bool do_bit;
	uint8_t version;
	const uint8_t *opts;   /* OPT RDATA */
	uint16_t opts_len;
};

static size_t
mkquery(uint8_t *buf, const struct qspec *s)
{
	size_t n = DNS_HEADER_LEN;

	memset(buf, 0, DNS_HEADER_LEN);
	dns_put_u16(buf, s->id);
	dns_put_u16(buf + 2, s->flags);
	dns_put_u16(buf + 4, 1);
	n += wire_into(s->qname, buf + n);
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

/* The query packet lives here so that replies can be written over it in place. */
static uint8_t qbuf[65536];

static void
query_verdict(const struct qspec *s, struct dns_query *q, enum dns_verdict want)
{
	size_t len = mkquery(qbuf, s);
	enum dns_verdict v = dns_query_parse(qbuf, len, q);

	cr_assert_eq(v, want, "query %s: verdict %d (%s), want %d", s->qname, v,
		     dns_verdict_name(v), want);
}

static void
query(const struct qspec *s, struct dns_query *q)
{
	query_verdict(s, q, DNS_VERDICT_ANSWER);
}

/* ---- helpers: reading replies with libknot ---- */

struct rrec {
	int section;
	knot_dname_storage_t owner; /* as decompressed, case kept */
	uint16_t type;
	uint16_t rclass;
	uint32_t ttl;
	uint16_t rdlen;
	uint8_t rdata[1024];
};

struct reply {
	size_t len;
	uint16_t id;
	uint16_t flags;
	uint16_t qdcount;
	uint16_t count[3];      /* per section, OPT not counted */
	knot_dname_storage_t qname; /* as on the wire */
	uint16_t qtype;
	uint16_t qclass;
	size_t n_rr;            /* RRs other than OPT, in wire order */
	bool has_opt;
	uint16_t opt_payload;
	uint8_t opt_version;
	uint8_t opt_ext_rcode;
	bool opt_do;
	uint16_t opt_rdlen;
	uint32_t opt_ttl;
	uint16_t ext_rcode;     /* knot_pkt_ext_rcode() */
};

static struct rrec rr_out[700];
static struct reply R;
static uint8_t kbuf[65536];

static void
kparse(const uint8_t *msg, int len)
{
	knot_pkt_t *pkt;
	int rc;

	cr_assert_gt(len, 0, "reply length %d", len);
	memset(&R, 0, sizeof(R));
	memcpy(kbuf, msg, (size_t)len);
	pkt = knot_pkt_new(kbuf, (uint16_t)len, NULL);
	cr_assert_not_null(pkt);
	rc = knot_pkt_parse(pkt, KNOT_PF_NOCANON);
	cr_assert_eq(rc, KNOT_EOK, "libknot cannot parse the reply: %s", knot_strerror(rc));
	R.len = (size_t)len;
	R.id = knot_wire_get_id(kbuf);
	R.flags = dns_get_u16(kbuf + 2);
	R.qdcount = knot_wire_get_qdcount(kbuf);
	if (R.qdcount > 0) {
		cr_assert_gt(knot_dname_store(R.qname, knot_pkt_wire_qname(pkt)), 0);
		R.qtype = knot_pkt_qtype(pkt);
		R.qclass = knot_pkt_qclass(pkt);
	}
	for (int s = KNOT_ANSWER; s <= KNOT_ADDITIONAL; s++) {
		const knot_pktsection_t *sec = knot_pkt_section(pkt, (knot_section_t)s);

		for (uint16_t i = 0; i < sec->count; i++) {
			const knot_rrset_t *rr = knot_pkt_rr(sec, i);

			if (rr->type == KNOT_RRTYPE_OPT)
				continue;
			for (uint16_t j = 0; j < rr->rrs.count; j++) {
				const knot_rdata_t *rd = knot_rdataset_at(&rr->rrs, j);
				struct rrec *o = &rr_out[R.n_rr];

				cr_assert_lt(R.n_rr, VD_ARRAY_SIZE(rr_out));
				o->section = s;
				cr_assert_gt(knot_dname_store(o->owner, rr->owner), 0);
				o->type = rr->type;
				o->rclass = rr->rclass;
				o->ttl = rr->ttl;
				o->rdlen = rd->len;
				memcpy(o->rdata, rd->data, rd->len);
				R.count[s]++;
				R.n_rr++;
			}
		}
	}
	cr_assert_eq(knot_wire_get_ancount(kbuf), R.count[0]);
	cr_assert_eq(knot_wire_get_nscount(kbuf), R.count[1]);
	if (pkt->opt_rr != NULL) {
		R.has_opt = true;
		R.opt_payload = knot_edns_get_payload(pkt->opt_rr);
		R.opt_version = knot_edns_get_version(pkt->opt_rr);
		R.opt_ext_rcode = knot_edns_get_ext_rcode(pkt->opt_rr);
		R.opt_do = knot_edns_do(pkt->opt_rr);
		R.opt_ttl = pkt->opt_rr->ttl;
		R.opt_rdlen = knot_rdataset_at(&pkt->opt_rr->rrs, 0)->len;
		cr_assert(knot_dname_is_equal(pkt->opt_rr->owner, (const knot_dname_t *)""),
			  "OPT owner is not the root");
	}
	cr_assert_eq(knot_wire_get_arcount(kbuf), R.count[2] + (R.has_opt ? 1 : 0));
	R.ext_rcode = knot_pkt_ext_rcode(pkt);
	knot_pkt_free(pkt);
}

static uint8_t rbuf[65536 + 64];

static int
serve(const struct dns_template *t, const struct dns_query *q, uint32_t age, uint32_t rot,
      size_t limit)
{
	memset(rbuf, 0xee, sizeof(rbuf));
	return dns_serve(t, q, age, rot, limit, rbuf, sizeof(rbuf));
}

/* Serve and read back; returns the reply length. */
static int
serve_parse(const struct dns_template *t, const struct dns_query *q, uint32_t age, uint32_t rot,
	    size_t limit)
{
	int len = serve(t, q, age, rot, limit);

	cr_assert_gt(len, 0, "dns_serve: %d", len);
	cr_assert_leq((size_t)len, limit, "reply of %d over the limit %zu", len, limit);
	kparse(rbuf, len);
	return len;
}

static size_t
full_len(const struct dns_template *t, const struct dns_query *q)
{
	return dns_tmpl_body_base(t) + t->body_len + (q->has_edns ? DNS_OPT_RR_LEN : 0);
}

static size_t
tc_len(const struct dns_query *q)
{
	return q->question_end + (q->has_edns ? DNS_OPT_RR_LEN : 0);
}

static uint16_t
udp_limit(const struct dns_query *q)
{
	return dns_query_udp_limit(q, DNS_EDNS_SIZE);
}

static void
expect_truncated(const struct dns_query *q, int len)
{
	cr_assert_eq((size_t)len, tc_len(q), "TC reply of %d octets, want %zu", len, tc_len(q));
	kparse(rbuf, len);
	cr_assert(R.flags & DNS_FLAG_TC, "TC not set");
	cr_assert_eq(R.qdcount, 1);
	cr_assert_eq(R.count[0], 0);
	cr_assert_eq(R.count[1], 0);
	cr_assert_eq(R.count[2], 0);
	cr_assert_eq(R.has_opt, q->has_edns, "OPT in a TC reply iff the query had one");
	cr_assert_arr_eq(rbuf + DNS_HEADER_LEN, q->wire + DNS_HEADER_LEN, q->question_end - 12u);
}

static bool
name_eq_ci(const uint8_t *a, const uint8_t *b)
{
	for (;;) {
		if (*a != *b)
			return false;
		if (*a == 0)
			return true;
		for (uint8_t i = 1; i <= *a; i++) {
			uint8_t x = a[i], y = b[i];

			if (x >= 'A' && x <= 'Z')
				x = (uint8_t)(x + 32);
			if (y >= 'A' && y <= 'Z')
				y = (uint8_t)(y + 32);
			if (x != y)
				return false;
		}
		a += *a + 1;
		b += *b + 1;
	}
}

/* Every RR of the reply equals the template input's (same order), TTLs lowered by @p age. */
static void
expect_rrs(const struct tb *b, uint32_t age, const bool keep[3])
{
	size_t i = 0;

	for (uint16_t s = 0; s < b->in.n_rrset; s++) {
		const struct dns_rrset_in *in = &b->sets[s];
		uint32_t ttl = in->ttl > age ? in->ttl - age : 0;

		if (!keep[in->section])
			continue;
		for (uint16_t j = 0; j < in->n_rdata; j++, i++) {
			const struct rrec *o = &rr_out[i];

			cr_assert_lt(i, R.n_rr, "reply has too few RRs");
			cr_assert_eq(o->section, in->section, "RR %zu section", i);
			cr_assert(name_eq_ci(o->owner, in->owner), "RR %zu owner", i);
			cr_assert_eq(o->type, in->type, "RR %zu type", i);
			cr_assert_eq(o->rclass, in->rclass, "RR %zu class", i);
			cr_assert_eq(o->ttl, ttl, "RR %zu TTL %u, want %u", i, o->ttl, ttl);
			cr_assert_eq(o->rdlen, in->rdata[j].len, "RR %zu RDLENGTH", i);
			if (in->type == DNS_TYPE_A || in->type == DNS_TYPE_AAAA)
				continue; /* may be rotated; checked by the rotation tests */
			for (uint16_t k = 0; k < o->rdlen; k++) {
				uint8_t x = o->rdata[k], y = in->rdata[j].data[k];

				if (x >= 'A' && x <= 'Z')
					x = (uint8_t)(x + 32);
				if (y >= 'A' && y <= 'Z')
					y = (uint8_t)(y + 32);
				cr_assert_eq(x, y, "RR %zu RDATA octet %u", i, k);
			}
		}
	}
	cr_assert_eq(i, R.n_rr, "reply has more RRs than expected");
}

static const bool ALL[3] = {true, true, true};

/* ---- common templates ---- */

static struct tb *
www_a(uint32_t ttl)
{
	struct tb *b = tb_init("www.example.com", DNS_TYPE_A);

	tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_A, ttl);
	tb_rd(b, rd_a(192, 0, 2, 1));
	return b;
}

/* Answer, authority with two NS, one big glue AAAA set: 533 octets without OPT. */
static struct tb *
www_with_big_glue(void)
{
	struct tb *b = www_a(300);

	tb_set(b, DNS_SECTION_AUTHORITY, "example.com", DNS_TYPE_NS, 86400);
	tb_rd(b, rd_name("ns1.example.com"));
	tb_rd(b, rd_name("ns2.example.com"));
	tb_set(b, DNS_SECTION_ADDITIONAL, "ns1.example.com", DNS_TYPE_AAAA, 3600);
	for (uint16_t i = 1; i <= 16; i++)
		tb_rd(b, rd_aaaa(i));
	return b;
}

/* ---- TTLs ---- */

Test(dns_serve, ttl_lowered_by_age_at_exact_seconds)
{
	const uint32_t age[] = {0, 1, 299, 300, 301, 100000, UINT32_MAX};
	const uint32_t want[] = {300, 299, 1, 0, 0, 0, 0};
	const struct dns_template *t = tb_build(www_a(300));
	struct dns_query q;

	query(&(struct qspec){.id = 1, .qname = "www.example.com"}, &q);
	for (size_t i = 0; i < VD_ARRAY_SIZE(age); i++) {
		int len = serve_parse(t, &q, age[i], 0, udp_limit(&q));

		cr_assert_eq(len, 12 + 17 + 4 + 16);
		cr_assert_eq(R.n_rr, 1);
		cr_assert_eq(rr_out[0].ttl, want[i], "age %u: TTL %u, want %u", age[i],
			     rr_out[0].ttl, want[i]);
		/* The TTL field of the only RR: body base 33, owner pointer, type, class. */
		cr_assert_eq(dns_get_u32(rbuf + 33 + 6), want[i]);
	}
}

Test(dns_serve, ttl_of_every_rrset_lowered)
{
	struct tb *b = tb_init("www.example.com", DNS_TYPE_A);
	const struct dns_template *t;
	struct dns_query q;
	const uint32_t ages[] = {0, 7, 59, 60, 100, 3600, 86400};

	tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_CNAME, 3600);
	tb_rd(b, rd_name("web.example.com"));
	tb_set(b, DNS_SECTION_ANSWER, "web.example.com", DNS_TYPE_A, 60);
	tb_rd(b, rd_a(192, 0, 2, 1));
	tb_rd(b, rd_a(192, 0, 2, 2));
	tb_set(b, DNS_SECTION_AUTHORITY, "example.com", DNS_TYPE_NS, 86400);
	tb_rd(b, rd_name("ns1.example.com"));
	tb_set(b, DNS_SECTION_ADDITIONAL, "ns1.example.com", DNS_TYPE_A, 120);
	tb_rd(b, rd_a(198, 51, 100, 1));
	tb_set(b, DNS_SECTION_ADDITIONAL, "ns1.example.com", DNS_TYPE_AAAA, 7);
	tb_rd(b, rd_aaaa(1));
	t = tb_build(b);
	query(&(struct qspec){.qname = "www.example.com", .edns = true}, &q);
	for (size_t i = 0; i < VD_ARRAY_SIZE(ages); i++) {
		serve_parse(t, &q, ages[i], 0, udp_limit(&q));
		expect_rrs(b, ages[i], ALL);
		/* The OPT "TTL" carries flags, not a TTL: never aged. */
		cr_assert_eq(R.opt_ttl, 0, "age %u touched the OPT TTL", ages[i]);
	}
}

Test(dns_serve, serving_leaves_template_intact)
{
	static uint32_t copy[(DNS_TMPL_MAXLEN + 64) / 4];
	const struct dns_template *t = tb_build(www_with_big_glue());
	struct dns_query q;

	memcpy(copy, t, t->total_len);
	query(&(struct qspec){.qname = "WWW.example.com", .edns = true}, &q);
	serve_parse(t, &q, 100, 3, udp_limit(&q));
	serve_parse(t, &q, 100, 3, DNS_UDP_MINSIZE);
	serve_parse(t, &q, 1, 1, 40 + 11); /* TC */
	cr_assert_arr_eq(copy, t, t->total_len, "dns_serve modified the template");
	serve_parse(t, &q, 0, 0, udp_limit(&q));
	cr_assert_eq(rr_out[0].ttl, 300);
}

/* ---- header ---- */

Test(dns_serve, header_bits)
{
	for (int rd = 0; rd < 2; rd++)
	for (int cd = 0; cd < 2; cd++)
	for (int aa = 0; aa < 2; aa++)
	for (int ad = 0; ad < 2; ad++) {
		struct tb *b = www_a(60);
		const struct dns_template *t;
		struct dns_query q;
		uint16_t qf = (uint16_t)((rd ? DNS_FLAG_RD : 0) | (cd ? DNS_FLAG_CD : 0));
		uint16_t want = DNS_FLAG_QR | DNS_FLAG_RA | qf | (aa ? DNS_FLAG_AA : 0) |
				(ad ? DNS_FLAG_AD : 0);

		b->in.flags = (uint16_t)((aa ? DNS_FLAG_AA : 0) | (ad ? DNS_FLAG_AD : 0));
		t = tb_build(b);
		query(&(struct qspec){.id = 0xbeef, .flags = qf, .qname = "www.example.com"}, &q);
		serve_parse(t, &q, 0, 0, udp_limit(&q));
		cr_assert_eq(R.id, 0xbeef);
		cr_assert_eq(R.flags, want, "rd %d cd %d aa %d ad %d: flags %04x, want %04x", rd,
			     cd, aa, ad, R.flags, want);
		cr_assert_eq(knot_wire_get_opcode(rbuf), KNOT_OPCODE_QUERY);
		cr_assert_eq(R.qdcount, 1);
	}
}

Test(dns_serve, id_copied)
{
	const struct dns_template *t = tb_build(www_a(60));
	const uint16_t ids[] = {0, 1, 0x00ff, 0xff00, 0xffff, 0x1234};

	for (size_t i = 0; i < VD_ARRAY_SIZE(ids); i++) {
		struct dns_query q;

		query(&(struct qspec){.id = ids[i], .qname = "www.example.com"}, &q);
		serve_parse(t, &q, 0, 0, udp_limit(&q));
		cr_assert_eq(R.id, ids[i]);
		cr_assert_eq(dns_get_u16(rbuf), ids[i]);
	}
}

Test(dns_serve, query_only_bits_not_echoed)
{
	/* AA, TC, RA, Z and AD of a query say nothing about the reply. */
	const struct dns_template *t = tb_build(www_a(60));
	struct dns_query q;
	uint16_t qf = DNS_FLAG_AA | DNS_FLAG_TC | DNS_FLAG_RA | DNS_FLAG_Z | DNS_FLAG_AD;

	query(&(struct qspec){.flags = qf, .qname = "www.example.com"}, &q);
	serve_parse(t, &q, 0, 0, udp_limit(&q));
	cr_assert_eq(R.flags, DNS_FLAG_QR | DNS_FLAG_RA, "flags %04x", R.flags);
}

Test(dns_serve, rcode_and_aa_from_template)
{
	struct tb *b = tb_init("www.example.com", DNS_TYPE_A);
	struct dns_query q;

	b->in.flags = DNS_FLAG_AA;
	b->in.rcode = DNS_RCODE_SERVFAIL;
	query(&(struct qspec){.flags = DNS_FLAG_RD, .qname = "www.example.com"}, &q);
	serve_parse(tb_build(b), &q, 0, 0, udp_limit(&q));
	cr_assert_eq(R.flags, DNS_FLAG_QR | DNS_FLAG_RA | DNS_FLAG_RD | DNS_FLAG_AA |
				      DNS_RCODE_SERVFAIL);
	cr_assert_eq(R.n_rr, 0);
	cr_assert_eq(R.len, 12 + 17 + 4);
}

/* ---- question ---- */

Test(dns_serve, question_spelt_as_the_client_did)
{
	struct tb *b = www_a(60);
	const struct dns_template *t;
	struct dns_query q;
	const uint8_t *spelling = nm("WwW.ExAmPlE.CoM");

	tb_set(b, DNS_SECTION_AUTHORITY, "example.com", DNS_TYPE_NS, 60);
	tb_rd(b, rd_name("ns1.example.com"));
	t = tb_build(b);
	query(&(struct qspec){.qname = "WwW.ExAmPlE.CoM", .edns = true}, &q);
	serve_parse(t, &q, 0, 0, udp_limit(&q));
	cr_assert_arr_eq(rbuf + 12, spelling, 17, "question name not as the client spelt it");
	cr_assert_arr_eq(R.qname, spelling, 17);
	cr_assert_eq(R.qtype, DNS_TYPE_A);
	cr_assert_eq(R.qclass, DNS_CLASS_IN);
	/* The answer's owner is a pointer to the question: the same spelling. */
	cr_assert_arr_eq(rr_out[0].owner, spelling, 17, "answer owner not as the client spelt it");
	/* The authority owner is a suffix of the question: ExAmPlE.CoM. */
	cr_assert_arr_eq(rr_out[1].owner, spelling + 4, 13);
	expect_rrs(b, 0, ALL);
}

/* ---- EDNS ---- */

Test(dns_serve, opt_echoed_with_our_size_and_do)
{
	const struct dns_template *t = tb_build(www_a(60));
	const uint16_t sizes[] = {512, 1232, 1400, 4096, 65535, 100};

	for (size_t i = 0; i < VD_ARRAY_SIZE(sizes); i++)
	for (int d = 0; d < 2; d++) {
		struct dns_query q;
		int len;

		query(&(struct qspec){.qname = "www.example.com", .edns = true, .udp = sizes[i],
				      .do_bit = d != 0},
		      &q);
		len = serve_parse(t, &q, 0, 0, udp_limit(&q));
		cr_assert_eq((size_t)len, full_len(t, &q));
		cr_assert(R.has_opt, "no OPT in the reply");
		cr_assert_eq(R.opt_payload, DNS_EDNS_SIZE);
		cr_assert_eq(R.opt_version, 0);
		cr_assert_eq(R.opt_ext_rcode, 0);
		cr_assert_eq(R.opt_do, d != 0, "DO not echoed (udp %u, do %d)", sizes[i], d);
		cr_assert_eq(R.opt_ttl, d ? DNS_EDNS_DO : 0u, "Z bits of OPT must be 0");
		cr_assert_eq(R.opt_rdlen, 0);
		/* The OPT RR is the last 11 octets. */
		const uint8_t *o = rbuf + len - DNS_OPT_RR_LEN;

		cr_assert_eq(o[0], 0);
		cr_assert_eq(dns_get_u16(o + 1), DNS_TYPE_OPT);
		cr_assert_eq(dns_get_u16(o + 3), DNS_EDNS_SIZE);
		cr_assert_eq(dns_get_u16(o + 9), 0);
	}
}

Test(dns_serve, opt_echoed_when_query_had_options)
{
	/* A client COOKIE (code 10, 8 octets): the reply still carries a plain OPT. */
	static const uint8_t cookie[] = {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};
	const struct dns_template *t = tb_build(www_a(60));
	struct dns_query q;

	query(&(struct qspec){.qname = "www.example.com", .edns = true, .do_bit = true,
			      .opts = cookie, .opts_len = sizeof(cookie)},
	      &q);
	serve_parse(t, &q, 0, 0, udp_limit(&q));
	cr_assert(R.has_opt);
	cr_assert(R.opt_do);
	cr_assert_eq(R.opt_payload, DNS_EDNS_SIZE);
}

Test(dns_serve, no_opt_without_edns)
{
	const struct dns_template *t = tb_build(www_with_big_glue());
	struct dns_query q;
	int len;

	query(&(struct qspec){.qname = "www.example.com"}, &q);
	len = serve_parse(t, &q, 0, 0, 65535);
	cr_assert_not(R.has_opt);
	cr_assert_eq((size_t)len, full_len(t, &q));
	cr_assert_eq(knot_wire_get_arcount(rbuf), 16);
	expect_rrs(&the_tb, 0, ALL);
}

/* ---- truncation ---- */

static char longbuf[4][300];

/* www.example.com-like name of 192 octets, answered with @p n A records. */
static struct tb *
long_name_with_n_a(int n)
{
	const char *qn = long_name(longbuf[0], 3, 60, 'a', "example");
	struct tb *b = tb_init(qn, DNS_TYPE_A);

	cr_assert_eq(name_len(b->in.qname), 192);
	tb_set(b, DNS_SECTION_ANSWER, qn, DNS_TYPE_A, 300);
	for (int i = 0; i < n; i++)
		tb_rd(b, rd_a(10, 0, 0, (uint8_t)(i + 1)));
	return b;
}

Test(dns_serve, tc_at_512_without_edns)
{
	const struct dns_template *t = tb_build(long_name_with_n_a(20)); /* 208 + 320 octets */
	struct dns_query q;
	int len;

	query(&(struct qspec){.id = 77, .flags = DNS_FLAG_RD, .qname = longbuf[0]}, &q);
	cr_assert_eq(udp_limit(&q), 512);
	len = serve(t, &q, 0, 0, udp_limit(&q));
	expect_truncated(&q, len);
	cr_assert_eq(len, 208);
	cr_assert_eq(R.id, 77);
	cr_assert_eq(R.flags, DNS_FLAG_QR | DNS_FLAG_RA | DNS_FLAG_RD | DNS_FLAG_TC);
	/* Over TCP the same answer is whole. */
	len = serve_parse(t, &q, 0, 0, 65535);
	cr_assert_eq(len, 528);
	cr_assert_not(R.flags & DNS_FLAG_TC);
	cr_assert_eq(R.count[0], 20);
}

Test(dns_serve, fits_with_edns_that_did_not_fit_without)
{
	const struct dns_template *t = tb_build(long_name_with_n_a(20));
	struct dns_query q;
	int len;

	query(&(struct qspec){.qname = longbuf[0], .edns = true, .udp = 1232}, &q);
	len = serve_parse(t, &q, 0, 0, udp_limit(&q));
	cr_assert_eq(len, 528 + 11);
	cr_assert_not(R.flags & DNS_FLAG_TC);
	cr_assert_eq(R.count[0], 20);
	cr_assert(R.has_opt);

	/* EDNS with a size of 512 (or less, raised to 512): TC, OPT kept. */
	query(&(struct qspec){.qname = longbuf[0], .edns = true, .udp = 512}, &q);
	len = serve(t, &q, 0, 0, udp_limit(&q));
	expect_truncated(&q, len);
	cr_assert_eq(R.opt_payload, DNS_EDNS_SIZE);
	query(&(struct qspec){.qname = longbuf[0], .edns = true, .udp = 100}, &q);
	len = serve(t, &q, 0, 0, udp_limit(&q));
	expect_truncated(&q, len);
}

Test(dns_serve, tc_at_edns_size)
{
	/* 208 + 70 * 16 + 11 = 1339 > 1232, whatever the client offers. */
	const struct dns_template *t = tb_build(long_name_with_n_a(70));
	const uint16_t sizes[] = {1232, 1400, 4096, 65535};

	for (size_t i = 0; i < VD_ARRAY_SIZE(sizes); i++) {
		struct dns_query q;
		int len;

		query(&(struct qspec){.qname = longbuf[0], .edns = true, .udp = sizes[i],
				      .do_bit = true},
		      &q);
		cr_assert_eq(udp_limit(&q), DNS_EDNS_SIZE);
		len = serve(t, &q, 0, 0, udp_limit(&q));
		expect_truncated(&q, len);
		cr_assert(R.opt_do);
	}
}

Test(dns_serve, limit_follows_client_size)
{
	/* Client offers 600: 23 records (587 octets) fit, 25 (619) do not. */
	struct dns_query q;
	int len;

	query(&(struct qspec){.qname = long_name(longbuf[1], 3, 60, 'a', "example"), .edns = true,
			      .udp = 600},
	      &q);
	cr_assert_eq(udp_limit(&q), 600);
	len = serve_parse(tb_build(long_name_with_n_a(23)), &q, 0, 0, udp_limit(&q));
	cr_assert_eq(len, 587);
	cr_assert_eq(R.count[0], 23);
	len = serve(tb_build(long_name_with_n_a(25)), &q, 0, 0, udp_limit(&q));
	expect_truncated(&q, len);
}

Test(dns_serve, additional_dropped_without_tc)
{
	const struct dns_template *t = tb_build(www_with_big_glue());
	const bool no_add[3] = {true, true, false};
	struct dns_query q;
	int len;

	query(&(struct qspec){.qname = "www.example.com"}, &q);
	cr_assert_gt(full_len(t, &q), 512);
	/* Answer and authority end where the NS set ends: 33 + 16 + 2 * 18. */
	cr_assert_eq(dns_tmpl_body_base(t) + dns_tmpl_rrsets(t)[1].end, 85);
	len = serve_parse(t, &q, 0, 0, udp_limit(&q));
	cr_assert_eq(len, 85);
	cr_assert_not(R.flags & DNS_FLAG_TC, "TC set although the answer is whole");
	cr_assert_eq(R.count[0], 1);
	cr_assert_eq(R.count[1], 2);
	cr_assert_eq(R.count[2], 0);
	expect_rrs(&the_tb, 0, no_add);

	/* EDNS at 512: the same, plus OPT. */
	query(&(struct qspec){.qname = "www.example.com", .edns = true, .udp = 512}, &q);
	len = serve_parse(t, &q, 0, 0, udp_limit(&q));
	cr_assert_eq(len, 85 + 11);
	cr_assert_not(R.flags & DNS_FLAG_TC);
	cr_assert(R.has_opt);
	cr_assert_eq(R.count[2], 0);
	expect_rrs(&the_tb, 0, no_add);

	/* EDNS at 1232: all of it. */
	query(&(struct qspec){.qname = "www.example.com", .edns = true}, &q);
	len = serve_parse(t, &q, 0, 0, udp_limit(&q));
	cr_assert_eq((size_t)len, full_len(t, &q));
	expect_rrs(&the_tb, 0, ALL);
}

Test(dns_serve, additional_dropped_by_whole_rrsets)
{
	/* 85 + 16 + 224 + 16 + 224 = 565 > 512: some trailing additional RRsets go. */
	struct tb *b = www_a(300);
	const struct dns_template *t;
	struct dns_query q;
	uint16_t kept;
	bool whole = false;
	int len;

	tb_set(b, DNS_SECTION_AUTHORITY, "example.com", DNS_TYPE_NS, 86400);
	tb_rd(b, rd_name("ns1.example.com"));
	tb_rd(b, rd_name("ns2.example.com"));
	tb_set(b, DNS_SECTION_ADDITIONAL, "ns1.example.com", DNS_TYPE_A, 3600);
	tb_rd(b, rd_a(10, 0, 0, 1));
	tb_set(b, DNS_SECTION_ADDITIONAL, "ns1.example.com", DNS_TYPE_AAAA, 3600);
	for (uint16_t i = 1; i <= 8; i++)
		tb_rd(b, rd_aaaa(i));
	tb_set(b, DNS_SECTION_ADDITIONAL, "ns2.example.com", DNS_TYPE_A, 3600);
	tb_rd(b, rd_a(10, 0, 0, 2));
	tb_set(b, DNS_SECTION_ADDITIONAL, "ns2.example.com", DNS_TYPE_AAAA, 3600);
	for (uint16_t i = 1; i <= 8; i++)
		tb_rd(b, rd_aaaa((uint16_t)(0x100 + i)));
	t = tb_build(b);
	query(&(struct qspec){.qname = "www.example.com"}, &q);
	len = serve_parse(t, &q, 0, 0, 512);
	cr_assert_not(R.flags & DNS_FLAG_TC);
	cr_assert_eq(R.count[0], 1);
	cr_assert_eq(R.count[1], 2);
	kept = R.count[2];
	/* What is left of the additional section is a run of whole RRsets from its start. */
	for (uint16_t k = 0, sum = 0; k <= 4; k++) {
		if (kept == sum)
			whole = true;
		if (k < 4)
			sum = (uint16_t)(sum + b->sets[2 + k].n_rdata);
	}
	cr_assert(whole, "%u additional RRs kept: not whole RRsets", kept);
	cr_assert_lt(kept, 18);
	for (size_t i = 3; i < R.n_rr; i++)
		cr_assert_eq(rr_out[i].section, KNOT_ADDITIONAL);
	cr_assert_leq(len, 512);
}

/* Answer of one A, authority of 10 NS with 40-octet labels (550 octets), one glue A. */
static struct tb *
www_with_big_authority(void)
{
	struct tb *b = www_a(300);
	char ns[80];

	tb_set(b, DNS_SECTION_AUTHORITY, "example.com", DNS_TYPE_NS, 86400);
	for (int i = 0; i < 10; i++) {
		memset(ns, 'a' + i, 40);
		strcpy(ns + 40, ".example.com");
		tb_rd(b, rd_name(ns));
	}
	memset(ns, 'a', 40);
	strcpy(ns + 40, ".example.com");
	tb_set(b, DNS_SECTION_ADDITIONAL, ns, DNS_TYPE_A, 3600);
	tb_rd(b, rd_a(10, 0, 0, 1));
	return b;
}

Test(dns_serve, authority_of_positive_answer_dropped)
{
	const struct dns_template *t = tb_build(www_with_big_authority());
	const bool answer_only[3] = {true, false, false};
	struct dns_query q;
	int len;

	query(&(struct qspec){.qname = "www.example.com"}, &q);
	cr_assert_gt(full_len(t, &q), 512);
	len = serve_parse(t, &q, 0, 0, udp_limit(&q));
	cr_assert_eq(len, 12 + 17 + 4 + 16);
	cr_assert_not(R.flags & DNS_FLAG_TC, "TC set although the answer is whole");
	cr_assert_eq(R.count[0], 1);
	cr_assert_eq(R.count[1], 0);
	cr_assert_eq(R.count[2], 0);
	expect_rrs(&the_tb, 0, answer_only);

	query(&(struct qspec){.qname = "www.example.com", .edns = true}, &q);
	len = serve_parse(t, &q, 0, 0, udp_limit(&q));
	cr_assert_eq((size_t)len, full_len(t, &q));
	expect_rrs(&the_tb, 0, ALL);
}

/* SOA whose MNAME and RNAME (249 octets each) share nothing with the question. */
static struct tb *
negative(uint8_t rcode)
{
	struct tb *b = tb_init("nx.example.com", DNS_TYPE_A);

	b->in.flags = DNS_FLAG_AA;
	b->in.rcode = rcode;
	tb_set(b, DNS_SECTION_AUTHORITY, "example.com", DNS_TYPE_SOA, 900);
	tb_rd(b, rd_soa(long_name(longbuf[2], 4, 60, 'm', "net"),
			long_name(longbuf[3], 4, 60, 'r', "org"), 300));
	return b;
}

Test(dns_serve, negative_answer_truncated_not_stripped)
{
	/* RFC 2308: the SOA is the answer of a negative reply; leaving it out is no reply. */
	for (int i = 0; i < 2; i++) {
		uint8_t rcode = i == 0 ? DNS_RCODE_NXDOMAIN : DNS_RCODE_NOERROR;
		const struct dns_template *t = tb_build(negative(rcode));
		struct dns_query q;
		int len;

		query(&(struct qspec){.qname = "nx.example.com"}, &q);
		cr_assert_gt(full_len(t, &q), 512);
		len = serve(t, &q, 0, 0, udp_limit(&q));
		expect_truncated(&q, len);
		cr_assert_eq(R.flags & DNS_RCODE_MASK, rcode);

		query(&(struct qspec){.qname = "nx.example.com", .edns = true}, &q);
		len = serve_parse(t, &q, 0, 0, udp_limit(&q));
		cr_assert_eq((size_t)len, full_len(t, &q));
		cr_assert_not(R.flags & DNS_FLAG_TC);
		cr_assert_eq(R.count[1], 1);
	}
}

/* An answer of one CNAME, then the SOA of negative() in the authority section. */
static struct tb *
cname_then_negative(uint8_t rcode)
{
	struct tb *b = tb_init("www.example.com", DNS_TYPE_A);

	b->in.rcode = rcode;
	tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_CNAME, 300);
	tb_rd(b, rd_name("gone.example.org"));
	tb_set(b, DNS_SECTION_AUTHORITY, "example.org", DNS_TYPE_SOA, 900);
	tb_rd(b, rd_soa(long_name(longbuf[2], 4, 60, 'm', "net"),
			long_name(longbuf[3], 4, 60, 'r', "org"), 300));
	return b;
}

Test(dns_serve, nxdomain_after_cname_keeps_its_soa)
{
	/*
	 * RFC 2308 2.1: NXDOMAIN with a CNAME in the answer is a negative answer; its SOA
	 * is required (RFC 2308 5, RFC 2181 9), so the reply is truncated, not stripped.
	 */
	const struct dns_template *t = tb_build(cname_then_negative(DNS_RCODE_NXDOMAIN));
	struct dns_query q;
	int len;

	query(&(struct qspec){.qname = "www.example.com"}, &q);
	cr_assert_gt(full_len(t, &q), 512);
	len = serve(t, &q, 0, 0, udp_limit(&q));
	expect_truncated(&q, len);
	cr_assert_eq(R.flags & DNS_RCODE_MASK, DNS_RCODE_NXDOMAIN);
}

Test(dns_serve, nodata_after_cname_keeps_its_soa)
{
	/* RFC 2308 2.2: NOERROR, a CNAME, and the target's SOA is a NODATA answer. */
	const struct dns_template *t = tb_build(cname_then_negative(DNS_RCODE_NOERROR));
	struct dns_query q;
	int len;

	query(&(struct qspec){.qname = "www.example.com"}, &q);
	len = serve(t, &q, 0, 0, udp_limit(&q));
	expect_truncated(&q, len);
}

Test(dns_serve, limit_equal_to_reply_size_fits)
{
	const struct dns_template *t = tb_build(www_with_big_glue());
	struct dns_query q;
	size_t full;
	int len;

	query(&(struct qspec){.qname = "www.example.com", .edns = true, .udp = 4096}, &q);
	full = full_len(t, &q);
	len = serve_parse(t, &q, 0, 0, full);
	cr_assert_eq((size_t)len, full);
	cr_assert_eq(R.count[2], 16);
	cr_assert_not(R.flags & DNS_FLAG_TC);
	len = serve_parse(t, &q, 0, 0, full - 1);
	cr_assert_eq(len, 85 + 11, "one octet short: the additional section goes");
	cr_assert_eq(R.count[2], 0);

	/* The same at the other steps: answer + authority, answer only, header + question. */
	t = tb_build(www_with_big_authority());
	query(&(struct qspec){.qname = "www.example.com"}, &q);
	len = serve_parse(t, &q, 0, 0, 49);
	cr_assert_eq(len, 49);
	cr_assert_eq(R.count[0], 1);
	cr_assert_not(R.flags & DNS_FLAG_TC);
	len = serve(t, &q, 0, 0, 48);
	expect_truncated(&q, len);
}

Test(dns_serve, tcp_limit_never_truncates)
{
	const struct dns_template *t = tb_build(long_name_with_n_a(500));
	struct dns_query q;
	int len;

	query(&(struct qspec){.qname = longbuf[0], .edns = true}, &q);
	len = serve_parse(t, &q, 0, 0, 65535);
	cr_assert_eq((size_t)len, full_len(t, &q));
	cr_assert_eq(R.count[0], 500);
}

/* ---- rotation ---- */

/* Shift s such that reply RR (first + j) holds RDATA (j + s) % n of @p set, or -1. */
static int
shift_of(const struct dns_rrset_in *set, size_t first)
{
	int n = set->n_rdata, s = -1;

	for (int j = 0; j < n; j++) {
		const struct rrec *o = &rr_out[first + (size_t)j];
		int k;

		for (k = 0; k < n; k++)
			if (o->rdlen == set->rdata[k].len &&
			    memcmp(o->rdata, set->rdata[k].data, o->rdlen) == 0)
				break;
		cr_assert_lt(k, n, "reply RR %zu has RDATA not in the set", first + (size_t)j);
		if (j == 0)
			s = k;
		else if (k != (j + s) % n)
			return -1;
	}
	return s;
}

static struct tb *
a_set_of_four(void)
{
	struct tb *b = tb_init("www.example.com", DNS_TYPE_A);

	tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_A, 60);
	for (uint8_t i = 1; i <= 4; i++)
		tb_rd(b, rd_a(10, 0, 0, i));
	return b;
}

Test(dns_serve, rotation_gives_every_cyclic_order)
{
	const struct dns_template *t = tb_build(a_set_of_four());
	struct dns_query q;
	int seen[4] = {0, 0, 0, 0};
	int shift[8];

	query(&(struct qspec){.qname = "www.example.com"}, &q);
	for (uint32_t r = 0; r < 8; r++) {
		serve_parse(t, &q, 0, r, udp_limit(&q));
		cr_assert_eq(R.count[0], 4);
		shift[r] = shift_of(&the_tb.sets[0], 0);
		cr_assert_geq(shift[r], 0, "rotate %u: not a cyclic order", r);
		if (r < 4)
			seen[shift[r]]++;
		/* Owners stay pointers to the question. */
		for (int i = 0; i < 4; i++)
			cr_assert_eq(dns_get_u16(rbuf + 33 + 16 * i), 0xc00c);
	}
	cr_assert_eq(shift[0], 0, "rotate 0 must keep the template's order");
	cr_assert(shift[1] == 1 || shift[1] == 3, "rotate 1 is not one position");
	for (int r = 0; r < 4; r++) {
		cr_assert_eq(seen[r], 1, "order %d given %d times by rotate 0..3", r, seen[r]);
		cr_assert_eq(shift[r + 4], shift[r], "rotate %d != rotate %d", r + 4, r);
		cr_assert_eq(shift[r], (shift[1] * r) % 4, "rotate %d is not %d steps", r, r);
	}
	/* Large rotate values wrap too. */
	serve_parse(t, &q, 0, UINT32_MAX, udp_limit(&q));
	cr_assert_eq(shift_of(&the_tb.sets[0], 0), (int)((shift[1] * (UINT32_MAX % 4)) % 4));
}

/* A CNAME, an AAAA set of 3, authority NS, glue: A x2, AAAA x1, A x5. */
static struct tb *
rotation_mix(void)
{
	struct tb *b = tb_init("www.example.com", DNS_TYPE_AAAA);

	tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_CNAME, 300);
	tb_rd(b, rd_name("v6.example.com"));
	tb_set(b, DNS_SECTION_ANSWER, "v6.example.com", DNS_TYPE_AAAA, 300);
	for (uint16_t i = 1; i <= 3; i++)
		tb_rd(b, rd_aaaa(i));
	tb_set(b, DNS_SECTION_AUTHORITY, "example.com", DNS_TYPE_NS, 3600);
	tb_rd(b, rd_name("ns1.example.com"));
	tb_rd(b, rd_name("ns2.example.com"));
	tb_rd(b, rd_name("ns3.example.com"));
	tb_set(b, DNS_SECTION_ADDITIONAL, "ns1.example.com", DNS_TYPE_A, 3600);
	tb_rd(b, rd_a(10, 0, 1, 1));
	tb_rd(b, rd_a(10, 0, 1, 2));
	tb_set(b, DNS_SECTION_ADDITIONAL, "ns1.example.com", DNS_TYPE_AAAA, 3600);
	tb_rd(b, rd_aaaa(0x101));
	tb_set(b, DNS_SECTION_ADDITIONAL, "ns2.example.com", DNS_TYPE_A, 3600);
	for (uint8_t i = 1; i <= 5; i++)
		tb_rd(b, rd_a(10, 0, 2, i));
	tb_set(b, DNS_SECTION_ADDITIONAL, "ns3.example.com", DNS_TYPE_MX, 3600);
	tb_rd(b, rd_mx(10, "ns1.example.com"));
	tb_rd(b, rd_mx(20, "ns2.example.com"));
	return b;
}

Test(dns_serve, rotation_of_aaaa_and_every_address_set)
{
	const struct dns_template *t = tb_build(rotation_mix());
	const struct dns_tmpl_rrset *sets = dns_tmpl_rrsets(t);
	struct dns_query q;
	int dir = 0;

	query(&(struct qspec){.qname = "www.example.com", .qtype = DNS_TYPE_AAAA, .edns = true},
	      &q);
	for (uint32_t r = 0; r < 30; r++) {
		serve_parse(t, &q, 0, r, udp_limit(&q));
		expect_rrs(&the_tb, 0, ALL);
		for (uint16_t s = 0; s < t->n_rrset; s++) {
			const struct dns_rrset_in *in = &the_tb.sets[s];
			int n = in->n_rdata, sh = shift_of(in, sets[s].first_rr);

			cr_assert_geq(sh, 0, "rotate %u, rrset %u: not a cyclic order", r, s);
			if (!sets[s].rotate) {
				cr_assert_eq(sh, 0, "rotate %u moved rrset %u (type %u)", r, s,
					     in->type);
				continue;
			}
			if (dir == 0 && n == 3 && r == 1)
				dir = sh == 1 ? 1 : -1;
			if (dir != 0)
				cr_assert_eq(sh, (int)(((dir * (int)r) % n + n) % n),
					     "rotate %u, rrset %u of %d: shift %d", r, s, n, sh);
		}
	}
	cr_assert_neq(dir, 0);
}

Test(dns_serve, rotation_leaves_other_sets_alone)
{
	struct tb *b = tb_init("example.com", DNS_TYPE_ANY);
	const struct dns_template *t;
	struct dns_query q;

	tb_set(b, DNS_SECTION_ANSWER, "example.com", DNS_TYPE_NS, 60);
	tb_rd(b, rd_name("a.example.com"));
	tb_rd(b, rd_name("b.example.com"));
	tb_rd(b, rd_name("c.example.com"));
	tb_set(b, DNS_SECTION_ANSWER, "example.com", DNS_TYPE_MX, 60);
	tb_rd(b, rd_mx(1, "a.example.com"));
	tb_rd(b, rd_mx(2, "b.example.com"));
	tb_set(b, DNS_SECTION_ANSWER, "example.com", DNS_TYPE_TXT, 60);
	tb_rd(b, rd_txt("first"));
	tb_rd(b, rd_txt("second"));
	tb_set(b, DNS_SECTION_ANSWER, "example.com", DNS_TYPE_A, 60);
	tb_rd(b, rd_a(10, 9, 9, 9));
	tb_set(b, DNS_SECTION_ANSWER, "example.com", 65280, 60);
	tb_rd(b, rd_bytes("\1\2\3\4", 4));
	tb_rd(b, rd_bytes("\5\6\7\10", 4));
	t = tb_build(b);
	query(&(struct qspec){.qname = "example.com", .qtype = DNS_TYPE_ANY}, &q);
	static uint8_t ref[4096];
	int ref_len = serve_parse(t, &q, 0, 0, 65535);

	memcpy(ref, rbuf, (size_t)ref_len); /* rotate 0 as the reference */
	expect_rrs(b, 0, ALL);
	for (uint32_t r = 1; r < 7; r++) {
		int len = serve_parse(t, &q, 0, r, 65535);

		cr_assert_eq(len, ref_len);
		cr_assert_arr_eq(rbuf, ref, (size_t)len, "rotate %u changed the reply", r);
	}
}

Test(dns_serve, rotated_replies_stay_parseable)
{
	/* Names after a rotated set point into it and before it; every order must decode. */
	struct tb *b = tb_init("www.example.com", DNS_TYPE_A);
	const struct dns_template *t;
	struct dns_query q;

	tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_CNAME, 300);
	tb_rd(b, rd_name("edge.cdn.example.net"));
	tb_set(b, DNS_SECTION_ANSWER, "edge.cdn.example.net", DNS_TYPE_A, 20);
	for (uint8_t i = 1; i <= 4; i++)
		tb_rd(b, rd_a(203, 0, 113, i));
	tb_set(b, DNS_SECTION_AUTHORITY, "cdn.example.net", DNS_TYPE_NS, 3600);
	tb_rd(b, rd_name("ns1.cdn.example.net"));
	tb_rd(b, rd_name("ns2.cdn.example.net"));
	tb_set(b, DNS_SECTION_ADDITIONAL, "ns1.cdn.example.net", DNS_TYPE_A, 3600);
	tb_rd(b, rd_a(198, 51, 100, 1));
	tb_rd(b, rd_a(198, 51, 100, 2));
	tb_set(b, DNS_SECTION_ADDITIONAL, "ns2.cdn.example.net", DNS_TYPE_AAAA, 3600);
	for (uint16_t i = 1; i <= 3; i++)
		tb_rd(b, rd_aaaa(i));
	t = tb_build(b);
	query(&(struct qspec){.qname = "WWW.Example.COM", .edns = true, .do_bit = true}, &q);
	for (uint32_t r = 0; r < 24; r++)
	for (uint32_t age = 0; age < 30; age += 10) {
		serve_parse(t, &q, age, r, udp_limit(&q));
		expect_rrs(b, age, ALL);
		for (uint16_t s = 0; s < t->n_rrset; s++)
			cr_assert_geq(shift_of(&b->sets[s], dns_tmpl_rrsets(t)[s].first_rr), 0);
	}
}

/* ---- in place ---- */

static void
check_in_place(const struct dns_template *t, const struct qspec *s, uint32_t age, uint32_t rot,
	       bool use_udp_limit, size_t limit)
{
	static uint8_t sep[65536];
	struct dns_query q1, q2;
	size_t qlen = mkquery(qbuf, s);
	int l1, l2;

	memcpy(sep, qbuf, qlen);
	cr_assert_eq(dns_query_parse(sep, qlen, &q1), DNS_VERDICT_ANSWER);
	cr_assert_eq(dns_query_parse(qbuf, qlen, &q2), DNS_VERDICT_ANSWER);
	if (use_udp_limit)
		limit = udp_limit(&q1);
	l1 = dns_serve(t, &q1, age, rot, limit, rbuf, sizeof(rbuf));
	cr_assert_gt(l1, 0);
	l2 = dns_serve(t, &q2, age, rot, limit, qbuf, sizeof(qbuf));
	cr_assert_eq(l2, l1, "in place: %d octets, separately: %d", l2, l1);
	cr_assert_arr_eq(qbuf, rbuf, (size_t)l1, "in-place reply differs");
	kparse(qbuf, l2);
}

Test(dns_serve, in_place_equals_separate_buffer)
{
	static const uint8_t cookie[] = {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};
	const struct qspec plain = {.id = 9, .flags = DNS_FLAG_RD, .qname = "wWw.example.COM"};
	const struct qspec edns = {.id = 10, .flags = DNS_FLAG_RD | DNS_FLAG_CD,
				   .qname = "www.EXAMPLE.com", .edns = true, .do_bit = true,
				   .opts = cookie, .opts_len = sizeof(cookie)};
	struct qspec edns512 = edns;
	const struct dns_template *t;

	edns512.udp = 512;
	t = tb_build(www_with_big_glue());
	check_in_place(t, &plain, 0, 0, true, 0);     /* additional dropped */
	check_in_place(t, &edns, 17, 5, true, 0);     /* whole, rotated, aged */
	check_in_place(t, &edns512, 17, 5, true, 0);  /* additional dropped, OPT */
	check_in_place(t, &edns, 0, 0, false, 50);    /* TC */
	check_in_place(t, &plain, 0, 0, false, 65535);
	t = tb_build(rotation_mix());
	for (uint32_t r = 0; r < 6; r++) {
		struct qspec s = edns;

		s.qtype = DNS_TYPE_AAAA;
		check_in_place(t, &s, r * 3, r, true, 0);
	}
}

/* ---- errors of dns_serve ---- */

Test(dns_serve, rejects_template_of_other_qname_length)
{
	const struct dns_template *t = tb_build(www_a(60)); /* qname_len 17 */
	struct dns_query q;

	query(&(struct qspec){.qname = "ww.example.com"}, &q);
	cr_assert_eq(serve(t, &q, 0, 0, 512), -EINVAL);
	query(&(struct qspec){.qname = "wwww.example.com"}, &q);
	cr_assert_eq(serve(t, &q, 0, 0, 512), -EINVAL);
	query(&(struct qspec){.qname = "www.example.com"}, &q);
	cr_assert_gt(serve(t, &q, 0, 0, 512), 0);
}

Test(dns_serve, emsgsize_when_cap_too_small)
{
	const struct dns_template *t = tb_build(www_a(60)); /* 49 octets, TC reply 33 */
	struct dns_query q;
	int len;

	query(&(struct qspec){.qname = "www.example.com"}, &q);
	cr_assert_eq(dns_serve(t, &q, 0, 0, 512, rbuf, 32), -EMSGSIZE);
	cr_assert_eq(dns_serve(t, &q, 0, 0, 512, rbuf, 12), -EMSGSIZE);
	cr_assert_eq(dns_serve(t, &q, 0, 0, 512, rbuf, 0), -EMSGSIZE);
	/* Room for the TC reply but not the answer: a TC reply, never an overrun. */
	memset(rbuf, 0xee, sizeof(rbuf));
	len = dns_serve(t, &q, 0, 0, 512, rbuf, 33);
	expect_truncated(&q, len);
	cr_assert_eq(rbuf[33], 0xee, "wrote past cap");
	len = dns_serve(t, &q, 0, 0, 512, rbuf, 48);
	expect_truncated(&q, len);
	cr_assert_eq(dns_serve(t, &q, 0, 0, 512, rbuf, 49), 49);

	query(&(struct qspec){.qname = "www.example.com", .edns = true}, &q);
	cr_assert_eq(dns_serve(t, &q, 0, 0, 1232, rbuf, 43), -EMSGSIZE);
	memset(rbuf, 0xee, sizeof(rbuf));
	len = dns_serve(t, &q, 0, 0, 1232, rbuf, 44);
	expect_truncated(&q, len);
	cr_assert_eq(rbuf[44], 0xee, "wrote past cap");
}

/* ---- answers of every kind ---- */

Test(dns_serve, nxdomain_template)
{
	struct tb *b = tb_init("nx.example.com", DNS_TYPE_A);
	struct dns_query q;

	b->in.flags = DNS_FLAG_AA;
	b->in.rcode = DNS_RCODE_NXDOMAIN;
	tb_set(b, DNS_SECTION_AUTHORITY, "example.com", DNS_TYPE_SOA, 900);
	tb_rd(b, rd_soa("ns1.example.com", "hostmaster.example.com", 300));
	query(&(struct qspec){.id = 5, .flags = DNS_FLAG_RD, .qname = "NX.example.com"}, &q);
	serve_parse(tb_build(b), &q, 100, 0, udp_limit(&q));
	cr_assert_eq(R.flags, DNS_FLAG_QR | DNS_FLAG_AA | DNS_FLAG_RD | DNS_FLAG_RA |
				      DNS_RCODE_NXDOMAIN);
	cr_assert_eq(R.count[0], 0);
	cr_assert_eq(R.count[1], 1);
	cr_assert_eq(R.count[2], 0);
	cr_assert_eq(rr_out[0].type, DNS_TYPE_SOA);
	cr_assert_eq(rr_out[0].ttl, 800);
	/* SOA MINIMUM is RDATA: not aged. */
	cr_assert_eq(dns_get_u32(rr_out[0].rdata + rr_out[0].rdlen - 4), 300);
	expect_rrs(b, 100, ALL);
}

Test(dns_serve, nodata_template)
{
	struct tb *b = tb_init("www.example.com", DNS_TYPE_AAAA);
	struct dns_query q;

	b->in.rcode = DNS_RCODE_NOERROR;
	tb_set(b, DNS_SECTION_AUTHORITY, "example.com", DNS_TYPE_SOA, 60);
	tb_rd(b, rd_soa("ns1.example.com", "hostmaster.example.com", 60));
	query(&(struct qspec){.qname = "www.example.com", .qtype = DNS_TYPE_AAAA, .edns = true},
	      &q);
	serve_parse(tb_build(b), &q, 61, 0, udp_limit(&q));
	cr_assert_eq(R.flags & DNS_RCODE_MASK, DNS_RCODE_NOERROR);
	cr_assert_not(R.flags & DNS_FLAG_AA);
	cr_assert_eq(R.count[0], 0);
	cr_assert_eq(R.count[1], 1);
	cr_assert_eq(R.qtype, DNS_TYPE_AAAA);
	cr_assert(R.has_opt);
	expect_rrs(b, 61, ALL);
}

Test(dns_serve, cname_chain_and_a)
{
	struct tb *b = tb_init("www.example.com", DNS_TYPE_A);
	struct dns_query q;
	const uint8_t *spelling = nm("Www.Example.Com");

	tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_CNAME, 3600);
	tb_rd(b, rd_name("web.example.com"));
	tb_set(b, DNS_SECTION_ANSWER, "web.example.com", DNS_TYPE_CNAME, 600);
	tb_rd(b, rd_name("srv.example.net"));
	tb_set(b, DNS_SECTION_ANSWER, "srv.example.net", DNS_TYPE_A, 30);
	tb_rd(b, rd_a(192, 0, 2, 1));
	tb_rd(b, rd_a(192, 0, 2, 2));
	query(&(struct qspec){.qname = "Www.Example.Com", .flags = DNS_FLAG_RD}, &q);
	serve_parse(tb_build(b), &q, 10, 1, udp_limit(&q));
	cr_assert_eq(R.count[0], 4);
	cr_assert_arr_eq(rr_out[0].owner, spelling, 17);
	cr_assert(name_eq_ci(rr_out[0].rdata, nm("web.example.com")));
	cr_assert(name_eq_ci(rr_out[1].owner, nm("web.example.com")));
	cr_assert(name_eq_ci(rr_out[1].rdata, nm("srv.example.net")));
	cr_assert(name_eq_ci(rr_out[2].owner, nm("srv.example.net")));
	cr_assert_eq(rr_out[0].ttl, 3590);
	cr_assert_eq(rr_out[1].ttl, 590);
	cr_assert_eq(rr_out[2].ttl, 20);
	cr_assert_eq(rr_out[3].ttl, 20);
	expect_rrs(b, 10, ALL);
}

Test(dns_serve, root_question)
{
	struct tb *b = tb_init(".", DNS_TYPE_NS);
	struct dns_query q;
	int len;

	tb_set(b, DNS_SECTION_ANSWER, ".", DNS_TYPE_NS, 518400);
	tb_rd(b, rd_name("a.root-servers.net"));
	tb_rd(b, rd_name("b.root-servers.net"));
	tb_set(b, DNS_SECTION_ADDITIONAL, "a.root-servers.net", DNS_TYPE_A, 518400);
	tb_rd(b, rd_a(198, 41, 0, 4));
	query(&(struct qspec){.qname = ".", .qtype = DNS_TYPE_NS, .edns = true, .do_bit = true},
	      &q);
	cr_assert_eq(q.question_end, 17);
	len = serve_parse(tb_build(b), &q, 3600, 1, udp_limit(&q));
	cr_assert_eq((size_t)len, full_len((const struct dns_template *)(const void *)tbuf, &q));
	cr_assert_eq(R.count[0], 2);
	cr_assert_eq(R.count[2], 1);
	expect_rrs(b, 3600, ALL);
}

/* ---- dns_serve_error ---- */

static int
serve_err(const struct dns_query *q, uint16_t rcode)
{
	int len;

	memset(rbuf, 0xee, sizeof(rbuf));
	len = dns_serve_error(q, rcode, rbuf, sizeof(rbuf));
	cr_assert_gt(len, 0, "dns_serve_error: %d", len);
	kparse(rbuf, len);
	cr_assert(R.flags & DNS_FLAG_QR);
	cr_assert_not(R.flags & DNS_FLAG_TC);
	cr_assert_not(R.flags & DNS_FLAG_AA);
	cr_assert_eq(R.n_rr, 0);
	cr_assert_eq(R.id, q->id);
	cr_assert_eq(R.qdcount, q->has_question ? 1 : 0);
	cr_assert_eq(R.has_opt, q->has_edns || rcode > 15);
	cr_assert_eq((size_t)len, (q->has_question ? q->question_end : 12u) +
					  (R.has_opt ? DNS_OPT_RR_LEN : 0));
	if (q->has_question)
		cr_assert_arr_eq(rbuf + 12, q->wire + 12, q->question_end - 12u,
				 "question not echoed as received");
	if (R.has_opt) {
		cr_assert_eq(R.opt_version, 0);
		cr_assert_eq(R.opt_payload, DNS_EDNS_SIZE);
	}
	cr_assert_eq(R.ext_rcode, rcode, "rcode %u read back as %u", rcode, R.ext_rcode);
	cr_assert_eq(R.flags & DNS_RCODE_MASK, rcode & 15);
	return len;
}

Test(dns_serve, formerr_with_question)
{
	/* A question and an A record where only OPT may be: FORMERR, question valid. */
	struct dns_query q;
	size_t len;
	enum dns_verdict v;

	len = mkquery(qbuf, &(struct qspec){.id = 0x4242, .qname = "Www.Example.com"});
	dns_put_u16(qbuf + 10, 1);
	memcpy(qbuf + len, "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x0a\x00\x00\x01",
	       16);
	len += 16;
	v = dns_query_parse(qbuf, len, &q);
	cr_assert_eq(v, DNS_VERDICT_FORMERR);
	cr_assert(q.has_question, "parser: the question of this query is valid");
	serve_err(&q, dns_verdict_rcode(v));
	cr_assert_eq(R.flags & DNS_RCODE_MASK, DNS_RCODE_FORMERR);
	cr_assert_eq(R.qdcount, 1);
	cr_assert_not(R.has_opt);
}

Test(dns_serve, formerr_without_question)
{
	struct dns_query q;
	enum dns_verdict v;

	/* QDCOUNT 0. */
	memset(qbuf, 0, 12);
	dns_put_u16(qbuf, 0x1111);
	v = dns_query_parse(qbuf, 12, &q);
	cr_assert_eq(v, DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_question);
	cr_assert_eq(serve_err(&q, DNS_RCODE_FORMERR), 12);
	cr_assert_eq(R.qdcount, 0);

	/* A compression pointer in the question name. */
	memset(qbuf, 0, 12);
	dns_put_u16(qbuf, 0x2222);
	dns_put_u16(qbuf + 4, 1);
	memcpy(qbuf + 12, "\x03www\xc0\x0c\x00\x01\x00\x01", 10);
	v = dns_query_parse(qbuf, 22, &q);
	cr_assert_eq(v, DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_question);
	cr_assert_eq(serve_err(&q, DNS_RCODE_FORMERR), 12);
	cr_assert_eq(R.id, 0x2222);
}

Test(dns_serve, formerr_has_question_forced_off)
{
	/* Whatever the parser says, has_question decides the echo. */
	struct dns_query q;

	query(&(struct qspec){.id = 3, .qname = "www.example.com"}, &q);
	q.has_question = false;
	cr_assert_eq(serve_err(&q, DNS_RCODE_FORMERR), 12);
}

Test(dns_serve, notimp_echoes_opcode)
{
	const uint8_t ops[] = {DNS_OPCODE_IQUERY, DNS_OPCODE_STATUS, 3, DNS_OPCODE_NOTIFY,
			       DNS_OPCODE_UPDATE, 15};

	for (size_t i = 0; i < VD_ARRAY_SIZE(ops); i++) {
		struct dns_query q;
		uint16_t f = (uint16_t)(ops[i] << DNS_OPCODE_SHIFT | DNS_FLAG_RD);

		query_verdict(&(struct qspec){.id = (uint16_t)(100 + i), .flags = f,
					      .qname = "example.com", .qtype = DNS_TYPE_SOA},
			      &q, DNS_VERDICT_NOTIMP);
		serve_err(&q, dns_verdict_rcode(DNS_VERDICT_NOTIMP));
		cr_assert_eq(R.flags & DNS_RCODE_MASK, DNS_RCODE_NOTIMP);
		cr_assert_eq(knot_wire_get_opcode(rbuf), ops[i], "opcode %u not echoed", ops[i]);
	}
}

Test(dns_serve, notimp_for_maila)
{
	struct dns_query q;

	query_verdict(&(struct qspec){.qname = "example.com", .qtype = DNS_TYPE_MAILA}, &q,
		      DNS_VERDICT_NOTIMP);
	serve_err(&q, DNS_RCODE_NOTIMP);
	cr_assert_eq(knot_wire_get_opcode(rbuf), 0);
	cr_assert_eq(R.qdcount, 1);
	cr_assert_eq(R.qtype, DNS_TYPE_MAILA);
}

Test(dns_serve, refused_for_axfr)
{
	struct dns_query q;

	query_verdict(&(struct qspec){.id = 0xabcd, .qname = "Example.COM", .qtype = DNS_TYPE_AXFR},
		      &q, DNS_VERDICT_REFUSED);
	serve_err(&q, dns_verdict_rcode(DNS_VERDICT_REFUSED));
	cr_assert_eq(R.flags & DNS_RCODE_MASK, DNS_RCODE_REFUSED);
	cr_assert_eq(R.qdcount, 1);
	cr_assert_eq(R.qtype, DNS_TYPE_AXFR);
	cr_assert_not(R.has_opt);

	query_verdict(&(struct qspec){.qname = "example.com", .qtype = DNS_TYPE_IXFR, .edns = true,
				      .do_bit = true},
		      &q, DNS_VERDICT_REFUSED);
	serve_err(&q, DNS_RCODE_REFUSED);
	cr_assert(R.has_opt);
}

Test(dns_serve, badvers_in_opt)
{
	struct dns_query q;

	query_verdict(&(struct qspec){.id = 7, .qname = "www.example.com", .edns = true,
				      .version = 1},
		      &q, DNS_VERDICT_BADVERS);
	cr_assert_eq(dns_verdict_rcode(DNS_VERDICT_BADVERS), DNS_RCODE_BADVERS);
	serve_err(&q, DNS_RCODE_BADVERS);
	cr_assert_eq(R.flags & DNS_RCODE_MASK, 0, "BADVERS: header RCODE must be 0");
	cr_assert(R.has_opt, "BADVERS without OPT");
	cr_assert_eq(R.opt_ext_rcode, 1);
	cr_assert_eq(R.opt_version, 0);
	cr_assert_eq(R.ext_rcode, 16);
	cr_assert_eq(dns_get_u32(rbuf + R.len - 6) >> 24, 1, "OPT TTL octet 0 is ext-rcode");
}

Test(dns_serve, badvers_without_edns_still_has_opt)
{
	struct dns_query q;

	query(&(struct qspec){.qname = "www.example.com"}, &q);
	serve_err(&q, DNS_RCODE_BADVERS);
	cr_assert(R.has_opt);
	cr_assert_eq(R.ext_rcode, 16);
}

Test(dns_serve, extended_rcode_split)
{
	/* 23 (BADCOOKIE) = ext 1, header 7; 4095 = ext 255, header 15. */
	const uint16_t rcodes[] = {23, 4095, 0x0f0};
	struct dns_query q;

	for (size_t i = 0; i < VD_ARRAY_SIZE(rcodes); i++) {
		query(&(struct qspec){.qname = "www.example.com", .edns = true}, &q);
		serve_err(&q, rcodes[i]);
		cr_assert_eq(R.opt_ext_rcode, rcodes[i] >> 4);
	}
}

Test(dns_serve, error_opt_iff_edns)
{
	struct dns_query q;

	query(&(struct qspec){.qname = "www.example.com", .edns = true, .do_bit = true}, &q);
	serve_err(&q, DNS_RCODE_SERVFAIL);
	cr_assert(R.has_opt);
	query(&(struct qspec){.qname = "www.example.com"}, &q);
	serve_err(&q, DNS_RCODE_SERVFAIL);
	cr_assert_not(R.has_opt);
	serve_err(&q, DNS_RCODE_REFUSED);
	cr_assert_not(R.has_opt);
}

Test(dns_serve, error_emsgsize)
{
	struct dns_query q;
	int need;

	query(&(struct qspec){.qname = "www.example.com", .edns = true}, &q);
	need = 12 + 17 + 4 + 11;
	cr_assert_eq(dns_serve_error(&q, DNS_RCODE_SERVFAIL, rbuf, (size_t)need), need);
	cr_assert_eq(dns_serve_error(&q, DNS_RCODE_SERVFAIL, rbuf, (size_t)need - 1), -EMSGSIZE);
	cr_assert_eq(dns_serve_error(&q, DNS_RCODE_SERVFAIL, rbuf, 11), -EMSGSIZE);
	cr_assert_eq(dns_serve_error(&q, DNS_RCODE_SERVFAIL, rbuf, 0), -EMSGSIZE);
}

Test(dns_serve, error_in_place)
{
	static uint8_t sep[4096];
	const struct qspec s = {.id = 0x5151, .flags = DNS_FLAG_RD, .qname = "In.Place.Example",
				.edns = true, .version = 1};
	struct dns_query q1, q2;
	size_t qlen = mkquery(qbuf, &s);
	int l1, l2;

	memcpy(sep, qbuf, qlen);
	cr_assert_eq(dns_query_parse(sep, qlen, &q1), DNS_VERDICT_BADVERS);
	cr_assert_eq(dns_query_parse(qbuf, qlen, &q2), DNS_VERDICT_BADVERS);
	l1 = dns_serve_error(&q1, DNS_RCODE_BADVERS, rbuf, sizeof(rbuf));
	l2 = dns_serve_error(&q2, DNS_RCODE_BADVERS, qbuf, sizeof(qbuf));
	cr_assert_gt(l1, 0);
	cr_assert_eq(l1, l2);
	cr_assert_arr_eq(qbuf, rbuf, (size_t)l1);
	kparse(qbuf, l2);
	cr_assert_eq(R.ext_rcode, 16);
}
