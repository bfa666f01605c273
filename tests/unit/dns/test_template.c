/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for dns/dns_template.c: layout, compression and checks of response templates. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <libknot/libknot.h>

#include "dns_template.h"
#include "dns_test_util.h"

/* ---- helpers: look at a built template ---- */

static struct dns_tmpl_rrset *
t_sets(struct dns_template *t)
{
	return (struct dns_tmpl_rrset *)(void *)(t + 1);
}

static uint16_t *
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

/* One RR of a body, found by walking it independently of the template's tables. */
struct walk_rr {
	size_t owner;     /* body offset of the owner */
	size_t owner_len; /* bytes of the owner in the body */
	size_t ttl;       /* body offset of the TTL */
	uint16_t type;
	uint32_t ttl_val;
	uint16_t rdlen;
	size_t rdata;     /* body offset of the RDATA */
	size_t end;       /* body offset just past the RR */
};

static size_t
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
static void
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
static uint16_t
ptr_to_body(const struct dns_template *t, size_t body_off)
{
	return (uint16_t)(0xc000 | (dns_tmpl_body_base(t) + body_off));
}

/* ---- layout ---- */

Test(dns_template, single_a_answer_layout)
{
	struct dt_tb *b = dt_tb_init("www.example.com", DNS_TYPE_A);
	struct dns_template *t;
	const uint8_t *body;
	int rc;

	b->in.flags = DNS_FLAG_AA;
	dt_tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_A, 300);
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 1));
	rc = dt_tb_try(b, DNS_TMPL_MAXLEN);
	cr_assert_gt(rc, 0);
	t = dt_tb_template();

	cr_assert_eq(t->total_len, rc);
	cr_assert_eq(t->qname_len, 17);
	cr_assert_eq(t->qtype, DNS_TYPE_A);
	cr_assert_eq(t->flags, DNS_FLAG_AA);
	cr_assert_eq(t->count[DNS_SECTION_ANSWER], 1);
	cr_assert_eq(t->count[DNS_SECTION_AUTHORITY], 0);
	cr_assert_eq(t->count[DNS_SECTION_ADDITIONAL], 0);
	cr_assert_eq(t->n_rrset, 1);
	cr_assert_eq(t->n_rr, 1);
	cr_assert_eq(t->body_len, 2 + 10 + 4);
	cr_assert_eq(t->ttl_min, 300);
	cr_assert_eq(dns_tmpl_body_base(t), 12 + 17 + 4);

	/* The accessors of the header agree with the block. */
	cr_assert_eq((const void *)dns_tmpl_rrsets(t), (const void *)(t + 1));
	cr_assert_eq(dns_tmpl_ttl_offs(t)[0], 6);
	body = dns_tmpl_body(t);
	cr_assert_leq((size_t)(body - (const uint8_t *)t) + t->body_len, t->total_len);
	cr_assert_lt(t->total_len - ((size_t)(body - (const uint8_t *)t) + t->body_len), 4,
		     "more than alignment padding after the body");

	const uint8_t want[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x01, 0x2c, 0, 4, 192, 0, 2, 1};

	cr_assert_arr_eq(body, want, sizeof(want));
	cr_assert_eq(dns_tmpl_rrsets(t)[0].end, 16);
	cr_assert_eq(dns_tmpl_rrsets(t)[0].first_rr, 0);
	cr_assert_eq(dns_tmpl_rrsets(t)[0].n_rr, 1);
	cr_assert_eq(dns_tmpl_rrsets(t)[0].section, DNS_SECTION_ANSWER);
	cr_assert_eq(dns_tmpl_rrsets(t)[0].rotate, 0);
	check_against_input(t, b);
}

Test(dns_template, counts_per_section)
{
	struct dt_tb *b = dt_tb_init("www.example.com", DNS_TYPE_A);
	struct dns_template *t;

	dt_tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_CNAME, 600);
	dt_tb_rd(b, dt_rd_name("web.example.com"));
	dt_tb_set(b, DNS_SECTION_ANSWER, "web.example.com", DNS_TYPE_A, 60);
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 1));
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 2));
	dt_tb_set(b, DNS_SECTION_AUTHORITY, "example.com", DNS_TYPE_NS, 86400);
	dt_tb_rd(b, dt_rd_name("ns1.example.com"));
	dt_tb_rd(b, dt_rd_name("ns2.example.net"));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "ns1.example.com", DNS_TYPE_A, 3600);
	dt_tb_rd(b, dt_rd_a(198, 51, 100, 1));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "ns1.example.com", DNS_TYPE_AAAA, 3600);
	dt_tb_rd(b, dt_rd_aaaa(1));
	dt_tb_rd(b, dt_rd_aaaa(2));
	t = dt_tb_build(b);

	cr_assert_eq(t->count[DNS_SECTION_ANSWER], 3);
	cr_assert_eq(t->count[DNS_SECTION_AUTHORITY], 2);
	cr_assert_eq(t->count[DNS_SECTION_ADDITIONAL], 3);
	cr_assert_eq(t->n_rrset, 5);
	cr_assert_eq(t->n_rr, 8);
	cr_assert_eq(t->ttl_min, 60);
	check_against_input(t, b);
}

Test(dns_template, ttl_offsets_point_at_ttls)
{
	struct dt_tb *b = dt_tb_init("example.org", DNS_TYPE_MX);
	const uint32_t ttl[] = {1, 65535, 65536, 0x7fffffff, 0};
	struct dns_template *t;
	const uint8_t *body;
	const uint16_t *off;

	dt_tb_set(b, DNS_SECTION_ANSWER, "example.org", DNS_TYPE_MX, ttl[0]);
	dt_tb_rd(b, dt_rd_mx(10, "mx1.example.org"));
	dt_tb_rd(b, dt_rd_mx(20, "mx2.example.org"));
	dt_tb_set(b, DNS_SECTION_AUTHORITY, "example.org", DNS_TYPE_NS, ttl[1]);
	dt_tb_rd(b, dt_rd_name("a.iana-servers.net"));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "mx1.example.org", DNS_TYPE_A, ttl[2]);
	dt_tb_rd(b, dt_rd_a(10, 0, 0, 1));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "mx2.example.org", DNS_TYPE_AAAA, ttl[3]);
	dt_tb_rd(b, dt_rd_aaaa(7));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "a.iana-servers.net", DNS_TYPE_TXT, ttl[4]);
	dt_tb_rd(b, dt_rd_txt("hello"));
	t = dt_tb_build(b);

	body = dns_tmpl_body(t);
	off = dns_tmpl_ttl_offs(t);
	cr_assert_eq(t->n_rr, 6);
	cr_assert_eq(dns_get_u32(body + off[0]), ttl[0]);
	cr_assert_eq(dns_get_u32(body + off[1]), ttl[0]);
	cr_assert_eq(dns_get_u32(body + off[2]), ttl[1]);
	cr_assert_eq(dns_get_u32(body + off[3]), ttl[2]);
	cr_assert_eq(dns_get_u32(body + off[4]), ttl[3]);
	cr_assert_eq(dns_get_u32(body + off[5]), ttl[4]);
	/* Type and class sit just before each TTL, RDLENGTH just after. */
	cr_assert_eq(dns_get_u16(body + off[0] - 4), DNS_TYPE_MX);
	cr_assert_eq(dns_get_u16(body + off[0] - 2), DNS_CLASS_IN);
	cr_assert_eq(dns_get_u16(body + off[4] - 4), DNS_TYPE_AAAA);
	cr_assert_eq(dns_get_u16(body + off[4] + 4), 16);
	cr_assert_eq(dns_get_u16(body + off[3] + 4), 4);
	cr_assert_eq(t->ttl_min, 0);
	check_against_input(t, b);
}

Test(dns_template, ttl_min_of_empty_template)
{
	struct dt_tb *b = dt_tb_init("example.com", DNS_TYPE_A);
	struct dns_template *t;

	b->in.rcode = DNS_RCODE_SERVFAIL;
	t = dt_tb_build(b);
	cr_assert_eq(t->n_rrset, 0);
	cr_assert_eq(t->n_rr, 0);
	cr_assert_eq(t->body_len, 0);
	cr_assert_eq(t->ttl_min, UINT32_MAX);
	cr_assert_eq(t->flags & DNS_RCODE_MASK, DNS_RCODE_SERVFAIL);
	cr_assert_eq(dns_template_check(t, t->total_len), 0);
}

Test(dns_template, flags_carry_aa_ad_and_rcode)
{
	struct dt_tb *b = dt_tb_init("nx.example.com", DNS_TYPE_A);
	struct dns_template *t;

	b->in.flags = DNS_FLAG_AA | DNS_FLAG_AD;
	b->in.rcode = DNS_RCODE_NXDOMAIN;
	dt_tb_set(b, DNS_SECTION_AUTHORITY, "example.com", DNS_TYPE_SOA, 900);
	dt_tb_rd(b, dt_rd_soa("ns1.example.com", "hostmaster.example.com", 300));
	t = dt_tb_build(b);
	cr_assert_eq(t->flags, DNS_FLAG_AA | DNS_FLAG_AD | DNS_RCODE_NXDOMAIN);
	cr_assert_eq(t->count[DNS_SECTION_ANSWER], 0);
	cr_assert_eq(t->count[DNS_SECTION_AUTHORITY], 1);
	check_against_input(t, b);
}

Test(dns_template, rotate_only_address_sets_of_two_or_more)
{
	struct dt_tb *b = dt_tb_init("example.com", DNS_TYPE_ANY);
	struct dns_template *t;
	const struct dns_tmpl_rrset *s;

	dt_tb_set(b, DNS_SECTION_ANSWER, "example.com", DNS_TYPE_A, 60); /* 0: one A */
	dt_tb_rd(b, dt_rd_a(1, 1, 1, 1));
	dt_tb_set(b, DNS_SECTION_ANSWER, "a2.example.com", DNS_TYPE_A, 60); /* 1: two A */
	dt_tb_rd(b, dt_rd_a(1, 1, 1, 1));
	dt_tb_rd(b, dt_rd_a(1, 1, 1, 2));
	dt_tb_set(b, DNS_SECTION_ANSWER, "example.com", DNS_TYPE_AAAA, 60); /* 2: three AAAA */
	dt_tb_rd(b, dt_rd_aaaa(1));
	dt_tb_rd(b, dt_rd_aaaa(2));
	dt_tb_rd(b, dt_rd_aaaa(3));
	dt_tb_set(b, DNS_SECTION_ANSWER, "example.com", DNS_TYPE_NS, 60); /* 3: three NS */
	dt_tb_rd(b, dt_rd_name("a.example.com"));
	dt_tb_rd(b, dt_rd_name("b.example.com"));
	dt_tb_rd(b, dt_rd_name("c.example.com"));
	dt_tb_set(b, DNS_SECTION_ANSWER, "example.com", DNS_TYPE_TXT, 60); /* 4: two TXT */
	dt_tb_rd(b, dt_rd_txt("one"));
	dt_tb_rd(b, dt_rd_txt("two"));
	dt_tb_set(b, DNS_SECTION_ANSWER, "example.com", DNS_TYPE_MX, 60); /* 5: two MX */
	dt_tb_rd(b, dt_rd_mx(1, "a.example.com"));
	dt_tb_rd(b, dt_rd_mx(2, "b.example.com"));
	dt_tb_set(b, DNS_SECTION_ANSWER, "one.example.com", DNS_TYPE_AAAA, 60); /* 6: one AAAA */
	dt_tb_rd(b, dt_rd_aaaa(9));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "a.example.com", DNS_TYPE_A, 60); /* 7: glue, two A */
	dt_tb_rd(b, dt_rd_a(2, 2, 2, 1));
	dt_tb_rd(b, dt_rd_a(2, 2, 2, 2));
	t = dt_tb_build(b);
	s = dns_tmpl_rrsets(t);
	cr_assert_eq(s[0].rotate, 0);
	cr_assert_eq(s[1].rotate, 1);
	cr_assert_eq(s[2].rotate, 1);
	cr_assert_eq(s[3].rotate, 0);
	cr_assert_eq(s[4].rotate, 0);
	cr_assert_eq(s[5].rotate, 0);
	cr_assert_eq(s[6].rotate, 0);
	cr_assert_eq(s[7].rotate, 1);
	check_against_input(t, b);
}

/* ---- compression ---- */

Test(dns_template, owner_equal_to_qname_points_at_question)
{
	struct dt_tb *b = dt_tb_init("www.example.com", DNS_TYPE_A);
	struct dns_template *t;
	const uint8_t *body;
	const uint16_t *off;

	dt_tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_A, 60);
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 1));
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 2));
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 3));
	t = dt_tb_build(b);
	body = dns_tmpl_body(t);
	off = dns_tmpl_ttl_offs(t);
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(off[i], 6 + 16 * i);
		cr_assert_eq(dns_get_u16(body + off[i] - 6), 0xc00c, "RR %d owner", i);
	}
	cr_assert_eq(t->body_len, 48);
	check_against_input(t, b);
}

Test(dns_template, owner_matches_qname_case_insensitively)
{
	struct dt_tb *b = dt_tb_init("www.example.com", DNS_TYPE_A);
	struct dns_template *t;
	const uint8_t *body;

	dt_tb_set(b, DNS_SECTION_ANSWER, "WWW.ExAmple.COM", DNS_TYPE_A, 60);
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 1));
	t = dt_tb_build(b);
	body = dns_tmpl_body(t);
	cr_assert_eq(dns_get_u16(body), 0xc00c);
	cr_assert_eq(t->body_len, 16);
	check_against_input(t, b);
}

Test(dns_template, suffix_of_qname_is_compressed)
{
	/* "example.com" starts 4 octets into the question name: pointer to 12 + 4. */
	struct dt_tb *b = dt_tb_init("www.example.com", DNS_TYPE_A);
	struct dns_template *t;
	const uint8_t *body;

	dt_tb_set(b, DNS_SECTION_AUTHORITY, "EXAMPLE.com", DNS_TYPE_NS, 60);
	dt_tb_rd(b, dt_rd_name("ns1.Example.COM"));
	t = dt_tb_build(b);
	body = dns_tmpl_body(t);
	cr_assert_eq(dns_get_u16(body), 0xc010, "owner: %02x%02x", body[0], body[1]);
	/* RDATA: 3 "ns1" then a pointer to example.com; the label keeps its case. */
	const uint8_t rdata[] = {3, 'n', 's', '1', 0xc0, 0x10};

	cr_assert_eq(dns_get_u16(body + 2 + 8), sizeof(rdata));
	cr_assert_arr_eq(body + 12, rdata, sizeof(rdata));
	check_against_input(t, b);
}

Test(dns_template, rdata_names_of_rfc1035_types_are_compressed)
{
	struct dt_tb *b = dt_tb_init("www.example.com", DNS_TYPE_ANY);
	struct dns_template *t;
	struct walk_rr w[16];
	const uint8_t *body;
	size_t n;

	dt_tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_CNAME, 60);
	dt_tb_rd(b, dt_rd_name("www.example.com"));
	dt_tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_NS, 60);
	dt_tb_rd(b, dt_rd_name("ns.www.example.com"));
	dt_tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_MX, 60);
	dt_tb_rd(b, dt_rd_mx(10, "mail.example.com"));
	dt_tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_PTR, 60);
	dt_tb_rd(b, dt_rd_name("example.com"));
	dt_tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_SOA, 60);
	dt_tb_rd(b, dt_rd_soa("ns.www.example.com", "hostmaster.example.com", 60));
	t = dt_tb_build(b);
	body = dns_tmpl_body(t);
	n = walk_body(t, w, VD_ARRAY_SIZE(w));
	cr_assert_eq(n, 5);

	/* CNAME www.example.com: just the pointer to the question. */
	cr_assert_eq(w[0].rdlen, 2);
	cr_assert_eq(dns_get_u16(body + w[0].rdata), 0xc00c);
	/* NS ns.www.example.com: one label and the pointer. */
	cr_assert_eq(w[1].rdlen, 5);
	cr_assert_eq(body[w[1].rdata], 2);
	cr_assert_eq(dns_get_u16(body + w[1].rdata + 3), 0xc00c);
	/* MX 10 mail.example.com: preference, one label, pointer to example.com. */
	cr_assert_eq(w[2].rdlen, 2 + 5 + 2);
	cr_assert_eq(dns_get_u16(body + w[2].rdata), 10);
	cr_assert_eq(dns_get_u16(body + w[2].rdata + 7), 0xc010);
	/* PTR example.com: pointer only. */
	cr_assert_eq(w[3].rdlen, 2);
	cr_assert_eq(dns_get_u16(body + w[3].rdata), 0xc010);
	/*
	 * SOA: MNAME ns.www.example.com either points at the copy in the NS RDATA or is
	 * one label and a pointer to the question; RNAME is hostmaster + example.com.
	 */
	if (w[4].rdlen == 2 + (11 + 2) + 20) {
		cr_assert_eq(dns_get_u16(body + w[4].rdata), ptr_to_body(t, w[1].rdata));
		cr_assert_eq(dns_get_u16(body + w[4].rdata + 2 + 11), 0xc010);
	} else {
		cr_assert_eq(w[4].rdlen, 5 + (11 + 2) + 20, "SOA rdlen %u", w[4].rdlen);
		cr_assert_eq(dns_get_u16(body + w[4].rdata + 3), 0xc00c);
		cr_assert_eq(dns_get_u16(body + w[4].rdata + 5 + 11), 0xc010);
	}
	cr_assert_eq(dns_get_u32(body + w[4].rdata + w[4].rdlen - 4), 60);
	check_against_input(t, b);
}

Test(dns_template, earlier_names_in_body_are_reused)
{
	/* Glue owners point at the names written in the NS RDATA (RFC 1035 4.1.4). */
	struct dt_tb *b = dt_tb_init("example.com", DNS_TYPE_NS);
	struct dns_template *t;
	struct walk_rr w[16];
	const uint8_t *body;

	dt_tb_set(b, DNS_SECTION_ANSWER, "example.com", DNS_TYPE_NS, 60);
	dt_tb_rd(b, dt_rd_name("ns1.example.net"));
	dt_tb_rd(b, dt_rd_name("ns2.example.net"));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "ns1.example.net", DNS_TYPE_A, 60);
	dt_tb_rd(b, dt_rd_a(10, 0, 0, 1));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "NS2.EXAMPLE.NET", DNS_TYPE_A, 60);
	dt_tb_rd(b, dt_rd_a(10, 0, 0, 2));
	t = dt_tb_build(b);
	body = dns_tmpl_body(t);
	cr_assert_eq(walk_body(t, w, VD_ARRAY_SIZE(w)), 4);
	/* ns2.example.net reuses example.net of ns1's RDATA. */
	cr_assert_eq(w[1].rdlen, 4 + 2);
	cr_assert_eq(dns_get_u16(body + w[1].rdata + 4), ptr_to_body(t, w[0].rdata + 4));
	cr_assert_eq(w[2].owner_len, 2);
	cr_assert_eq(dns_get_u16(body + w[2].owner), ptr_to_body(t, w[0].rdata));
	cr_assert_eq(w[3].owner_len, 2);
	cr_assert_eq(dns_get_u16(body + w[3].owner), ptr_to_body(t, w[1].rdata));
	check_against_input(t, b);
}

Test(dns_template, srv_target_is_not_compressed)
{
	struct dt_tb *b = dt_tb_init("_sip._udp.example.com", DNS_TYPE_SRV);
	struct dns_template *t;
	struct walk_rr w[4];
	const uint8_t *body;
	const uint8_t *target = dt_name("_sip._udp.example.com");

	dt_tb_set(b, DNS_SECTION_ANSWER, "_sip._udp.example.com", DNS_TYPE_SRV, 60);
	dt_tb_rd(b, dt_rd_srv(0, 5, 5060, "_sip._udp.example.com"));
	t = dt_tb_build(b);
	body = dns_tmpl_body(t);
	cr_assert_eq(walk_body(t, w, VD_ARRAY_SIZE(w)), 1);
	cr_assert_eq(w[0].owner_len, 2);
	cr_assert_eq(w[0].rdlen, 6 + 23, "SRV rdlen %u", w[0].rdlen);
	cr_assert_arr_eq(body + w[0].rdata + 6, target, 23);
	check_against_input(t, b);
}

Test(dns_template, dname_target_is_not_compressed)
{
	/*
	 * RFC 6672 2.5 / RFC 3597 4: DNAME is not one of the RFC 1035 types whose RDATA
	 * names may be compressed. (dns_template.h lists DNAME among the compressed types;
	 * the RFCs win.)
	 */
	struct dt_tb *b = dt_tb_init("www.example.com", DNS_TYPE_A);
	struct dns_template *t;
	struct walk_rr w[4];

	dt_tb_set(b, DNS_SECTION_ANSWER, "example.com", DNS_TYPE_DNAME, 60);
	dt_tb_rd(b, dt_rd_name("www.example.com"));
	t = dt_tb_build(b);
	cr_assert_eq(walk_body(t, w, VD_ARRAY_SIZE(w)), 1);
	cr_assert_eq(w[0].owner_len, 2, "owner is still compressed");
	cr_assert_eq(w[0].rdlen, 17);
	cr_assert_arr_eq(dns_tmpl_body(t) + w[0].rdata, dt_name("www.example.com"), 17);
	check_against_input(t, b);
}

Test(dns_template, ttl_with_top_bit_set_is_zero)
{
	/* RFC 2181 8: a TTL of 2^31 or more is read as 0. */
	struct dt_tb *b = dt_tb_init("example.com", DNS_TYPE_A);
	struct dns_template *t;

	dt_tb_set(b, DNS_SECTION_ANSWER, "example.com", DNS_TYPE_A, 0x80000000u);
	dt_tb_rd(b, dt_rd_a(1, 2, 3, 4));
	dt_tb_set(b, DNS_SECTION_ANSWER, "example.com", DNS_TYPE_AAAA, 0x7fffffffu);
	dt_tb_rd(b, dt_rd_aaaa(1));
	t = dt_tb_build(b);
	cr_assert_eq(dns_get_u32(dns_tmpl_body(t) + dns_tmpl_ttl_offs(t)[0]), 0);
	cr_assert_eq(dns_get_u32(dns_tmpl_body(t) + dns_tmpl_ttl_offs(t)[1]), 0x7fffffffu);
	cr_assert_eq(t->ttl_min, 0);
}

Test(dns_template, unknown_type_rdata_is_copied_verbatim)
{
	/* RFC 3597 4: RDATA of other types is never compressed, even if it looks like a name. */
	struct dt_tb *b = dt_tb_init("www.example.com", 65280);
	const uint8_t *q = dt_name("www.example.com");
	struct dns_template *t;
	struct walk_rr w[4];

	dt_tb_set(b, DNS_SECTION_ANSWER, "www.example.com", 65280, 60);
	dt_tb_rd(b, dt_rd_bytes(q, 17));
	dt_tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_TXT, 60);
	dt_tb_rd(b, dt_rd_bytes("\003www\007example\003com\000", 17));
	t = dt_tb_build(b);
	cr_assert_eq(walk_body(t, w, VD_ARRAY_SIZE(w)), 2);
	cr_assert_eq(w[0].rdlen, 17);
	cr_assert_arr_eq(dns_tmpl_body(t) + w[0].rdata, q, 17);
	cr_assert_eq(w[1].rdlen, 17);
	cr_assert_arr_eq(dns_tmpl_body(t) + w[1].rdata, q, 17);
}

Test(dns_template, root_qname)
{
	struct dt_tb *b = dt_tb_init(".", DNS_TYPE_NS);
	struct dns_template *t;

	dt_tb_set(b, DNS_SECTION_ANSWER, ".", DNS_TYPE_NS, 518400);
	dt_tb_rd(b, dt_rd_name("a.root-servers.net"));
	dt_tb_rd(b, dt_rd_name("b.root-servers.net"));
	t = dt_tb_build(b);
	cr_assert_eq(t->qname_len, 1);
	cr_assert_eq(dns_tmpl_body_base(t), 17);
	check_against_input(t, b);
}

/* ---- bad input ---- */

Test(dns_template, rejects_sections_out_of_order)
{
	struct dt_tb *b = dt_tb_init("www.example.com", DNS_TYPE_A);

	dt_tb_set(b, DNS_SECTION_AUTHORITY, "example.com", DNS_TYPE_NS, 60);
	dt_tb_rd(b, dt_rd_name("ns1.example.com"));
	dt_tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_A, 60);
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 1));
	cr_assert_eq(dt_tb_try(b, DNS_TMPL_MAXLEN), -EINVAL);

	b = dt_tb_init("www.example.com", DNS_TYPE_A);
	dt_tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_A, 60);
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 1));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "ns1.example.com", DNS_TYPE_A, 60);
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 1));
	dt_tb_set(b, DNS_SECTION_AUTHORITY, "example.com", DNS_TYPE_NS, 60);
	dt_tb_rd(b, dt_rd_name("ns1.example.com"));
	cr_assert_eq(dt_tb_try(b, DNS_TMPL_MAXLEN), -EINVAL);
}

Test(dns_template, rejects_unknown_section)
{
	struct dt_tb *b = dt_tb_init("www.example.com", DNS_TYPE_A);

	dt_tb_set(b, DNS_SECTION_COUNT, "www.example.com", DNS_TYPE_A, 60);
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 1));
	cr_assert_eq(dt_tb_try(b, DNS_TMPL_MAXLEN), -EINVAL);
}

Test(dns_template, rejects_bad_owner_and_qname)
{
	static const uint8_t ptr_name[] = {3, 'w', 'w', 'w', 0xc0, 0x0c};
	static const uint8_t ext_label[] = {0x41, 'a', 0};
	uint8_t long_label[70];
	struct dt_tb *b;

	long_label[0] = 64;
	memset(long_label + 1, 'a', 64);
	long_label[65] = 0;

	b = dt_tb_init("www.example.com", DNS_TYPE_A);
	dt_tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_A, 60);
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 1));
	b->sets[0].owner = ptr_name;
	cr_assert_eq(dt_tb_try(b, DNS_TMPL_MAXLEN), -EINVAL);
	b->sets[0].owner = ext_label;
	cr_assert_eq(dt_tb_try(b, DNS_TMPL_MAXLEN), -EINVAL);
	b->sets[0].owner = long_label;
	cr_assert_eq(dt_tb_try(b, DNS_TMPL_MAXLEN), -EINVAL);

	b->sets[0].owner = dt_name("www.example.com");
	b->in.qname = long_label;
	cr_assert_eq(dt_tb_try(b, DNS_TMPL_MAXLEN), -EINVAL);
	b->in.qname = ptr_name;
	cr_assert_eq(dt_tb_try(b, DNS_TMPL_MAXLEN), -EINVAL);
}

Test(dns_template, rejects_bad_names_in_rdata)
{
	static const uint8_t overrun[] = "\007example\003com"; /* 13 octets with the NUL */
	static const uint8_t ptr[] = {3, 'f', 'o', 'o', 0xc0, 0x0c};
	static const uint8_t trailing[] = {3, 'f', 'o', 'o', 0, 0};
	static const uint8_t label80[] = {0x80, 'a', 0};
	const uint16_t types[] = {DNS_TYPE_NS, DNS_TYPE_CNAME, DNS_TYPE_PTR};

	for (size_t i = 0; i < VD_ARRAY_SIZE(types); i++) {
		struct dt_tb *b = dt_tb_init("www.example.com", types[i]);

		dt_tb_set(b, DNS_SECTION_ANSWER, "www.example.com", types[i], 60);
		/* The RDATA ends inside the name: rdlen 10 of a 13-octet name. */
		dt_tb_rd(b, dt_rd_bytes(overrun, 10));
		cr_assert_eq(dt_tb_try(b, DNS_TMPL_MAXLEN), -EINVAL, "type %u: truncated",
			     types[i]);
		b->rd[0] = dt_rd_bytes(ptr, sizeof(ptr));
		cr_assert_eq(dt_tb_try(b, DNS_TMPL_MAXLEN), -EINVAL, "type %u: pointer", types[i]);
		b->rd[0] = dt_rd_bytes(trailing, sizeof(trailing));
		cr_assert_eq(dt_tb_try(b, DNS_TMPL_MAXLEN), -EINVAL, "type %u: trailing", types[i]);
		b->rd[0] = dt_rd_bytes(label80, sizeof(label80));
		cr_assert_eq(dt_tb_try(b, DNS_TMPL_MAXLEN), -EINVAL, "type %u: label", types[i]);
		b->rd[0] = dt_rd_bytes(overrun, 0);
		cr_assert_eq(dt_tb_try(b, DNS_TMPL_MAXLEN), -EINVAL, "type %u: empty", types[i]);
	}
}

Test(dns_template, rejects_malformed_rdata_of_known_types)
{
	struct dt_tb *b = dt_tb_init("example.com", DNS_TYPE_MX);
	struct dns_rdata soa;

	/* MX: preference and at least the root name (3 octets). */
	dt_tb_set(b, DNS_SECTION_ANSWER, "example.com", DNS_TYPE_MX, 60);
	dt_tb_rd(b, dt_rd_bytes("\0\12", 2));
	cr_assert_eq(dt_tb_try(b, DNS_TMPL_MAXLEN), -EINVAL, "MX of 2 octets");
	b->rd[0] = dt_rd_bytes("\0\12\0", 3);
	cr_assert_gt(dt_tb_try(b, DNS_TMPL_MAXLEN), 0, "MX 10 . is valid");
	b->rd[0] = dt_rd_bytes("\0\12\0\0", 4);
	cr_assert_eq(dt_tb_try(b, DNS_TMPL_MAXLEN), -EINVAL, "MX with a trailing octet");

	/* SOA: two names and exactly 20 octets of counters. */
	b = dt_tb_init("example.com", DNS_TYPE_SOA);
	dt_tb_set(b, DNS_SECTION_ANSWER, "example.com", DNS_TYPE_SOA, 60);
	soa = dt_rd_soa("ns.example.com", "h.example.com", 60);
	dt_tb_rd(b, soa);
	cr_assert_gt(dt_tb_try(b, DNS_TMPL_MAXLEN), 0);
	b->rd[0].len = (uint16_t)(soa.len - 1);
	cr_assert_eq(dt_tb_try(b, DNS_TMPL_MAXLEN), -EINVAL, "SOA one octet short");
	b->rd[0] = dt_rd_name("ns.example.com");
	cr_assert_eq(dt_tb_try(b, DNS_TMPL_MAXLEN), -EINVAL, "SOA with one name only");

	/* A and AAAA: fixed sizes (rotation depends on equal RDATA lengths). */
	b = dt_tb_init("example.com", DNS_TYPE_A);
	dt_tb_set(b, DNS_SECTION_ANSWER, "example.com", DNS_TYPE_A, 60);
	dt_tb_rd(b, dt_rd_a(1, 2, 3, 4));
	dt_tb_rd(b, dt_rd_bytes("\1\2\3\4\5", 5));
	cr_assert_eq(dt_tb_try(b, DNS_TMPL_MAXLEN), -EINVAL, "A of 5 octets");
	b = dt_tb_init("example.com", DNS_TYPE_AAAA);
	dt_tb_set(b, DNS_SECTION_ANSWER, "example.com", DNS_TYPE_AAAA, 60);
	dt_tb_rd(b, dt_rd_aaaa(1));
	dt_tb_rd(b, dt_rd_a(1, 2, 3, 4));
	cr_assert_eq(dt_tb_try(b, DNS_TMPL_MAXLEN), -EINVAL, "AAAA of 4 octets");
}

Test(dns_template, rejects_rcode_over_15)
{
	struct dt_tb *b = dt_tb_init("example.com", DNS_TYPE_A);

	b->in.rcode = 16;
	cr_assert_eq(dt_tb_try(b, DNS_TMPL_MAXLEN), -EINVAL);
}

Test(dns_template, rr_count_limit)
{
	struct dt_tb *b = dt_tb_init("example.com", DNS_TYPE_A);

	dt_tb_set(b, DNS_SECTION_ANSWER, "example.com", DNS_TYPE_A, 60);
	for (int i = 0; i < DNS_TMPL_MAX_RR; i++)
		dt_tb_rd(b, dt_rd_a(10, 0, (uint8_t)(i >> 8), (uint8_t)i));
	cr_assert_gt(dt_tb_try(b, DNS_TMPL_MAXLEN), 0, "%d RRs must be accepted", DNS_TMPL_MAX_RR);
	check_against_input(dt_tb_template(), b);
	dt_tb_rd(b, dt_rd_a(10, 1, 0, 0));
	cr_assert_eq(dt_tb_try(b, DNS_TMPL_MAXLEN), -EINVAL);
}

Test(dns_template, emsgsize_when_cap_too_small)
{
	struct dt_tb *b = dt_tb_init("www.example.com", DNS_TYPE_A);
	int len;

	dt_tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_A, 60);
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 1));
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 2));
	len = dt_tb_try(b, DNS_TMPL_MAXLEN);
	cr_assert_gt(len, 0);
	cr_assert_eq(dt_tb_try(b, (size_t)len), len);
	cr_assert_eq(dt_tb_try(b, (size_t)len - 1), -EMSGSIZE);
	cr_assert_eq(dt_tb_try(b, sizeof(struct dns_template)), -EMSGSIZE);
	cr_assert_eq(dt_tb_try(b, 0), -EMSGSIZE);
}

Test(dns_template, emsgsize_over_maxlen)
{
	static uint32_t big[65536 / 4];
	struct dt_tb *b = dt_tb_init("example.com", DNS_TYPE_TXT);
	char s[256];
	int rc;

	memset(s, 'x', 255);
	s[255] = '\0';
	s[254] = '\0'; /* 254 characters, 255 octets of RDATA each */
	dt_tb_set(b, DNS_SECTION_ANSWER, "example.com", DNS_TYPE_TXT, 60);
	for (int i = 0; i < 70; i++) {
		s[0] = (char)('A' + i % 26);
		s[1] = (char)('a' + i / 26);
		dt_tb_rd(b, dt_rd_txt(s));
	}
	rc = dns_template_build(&b->in, big, sizeof(big));
	cr_assert_eq(rc, -EMSGSIZE, "%d", rc);
}

/* ---- dns_template_check ---- */

static struct dt_tb *
rich_input(void)
{
	struct dt_tb *b = dt_tb_init("www.example.com", DNS_TYPE_A);

	dt_tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_CNAME, 600);
	dt_tb_rd(b, dt_rd_name("web.example.com"));
	dt_tb_set(b, DNS_SECTION_ANSWER, "web.example.com", DNS_TYPE_A, 60);
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 1));
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 2));
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 3));
	dt_tb_set(b, DNS_SECTION_AUTHORITY, "example.com", DNS_TYPE_NS, 86400);
	dt_tb_rd(b, dt_rd_name("ns1.example.com"));
	dt_tb_rd(b, dt_rd_name("ns2.example.com"));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "ns1.example.com", DNS_TYPE_A, 3600);
	dt_tb_rd(b, dt_rd_a(198, 51, 100, 1));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "ns2.example.com", DNS_TYPE_AAAA, 3600);
	dt_tb_rd(b, dt_rd_aaaa(1));
	dt_tb_rd(b, dt_rd_aaaa(2));
	return b;
}

Test(dns_template, check_accepts_built_templates)
{
	struct dns_template *t = dt_tb_build(rich_input());
	struct dt_tb *b;

	cr_assert_eq(dns_template_check(t, t->total_len), 0);

	b = dt_tb_init("example.com", DNS_TYPE_A);
	t = dt_tb_build(b);
	cr_assert_eq(dns_template_check(t, t->total_len), 0, "empty template");

	b = dt_tb_init(".", DNS_TYPE_SOA);
	dt_tb_set(b, DNS_SECTION_ANSWER, ".", DNS_TYPE_SOA, 86400);
	dt_tb_rd(b, dt_rd_soa("a.root-servers.net", "nstld.verisign-grs.com", 86400));
	t = dt_tb_build(b);
	cr_assert_eq(dns_template_check(t, t->total_len), 0, "root SOA");

	b = dt_tb_init("example.com", DNS_TYPE_A);
	dt_tb_set(b, DNS_SECTION_ANSWER, "example.com", DNS_TYPE_A, 60);
	for (int i = 0; i < DNS_TMPL_MAX_RR; i++)
		dt_tb_rd(b, dt_rd_a(10, 0, (uint8_t)(i >> 8), (uint8_t)i));
	t = dt_tb_build(b);
	cr_assert_eq(dns_template_check(t, t->total_len), 0, "largest RR count");
}

Test(dns_template, check_rejects_short_buffer)
{
	struct dns_template *t = dt_tb_build(rich_input());

	cr_assert_eq(dns_template_check(t, (size_t)t->total_len - 1), -EINVAL);
	cr_assert_eq(dns_template_check(t, sizeof(*t) - 1), -EINVAL);
	cr_assert_eq(dns_template_check(t, 0), -EINVAL);
}

/* One way to break a template, applied to a fresh copy of rich_input()'s. */
struct corruption {
	const char *what;
	void (*apply)(struct dns_template *t);
};

static void
c_total_len_up(struct dns_template *t)
{
	t->total_len = (uint16_t)(t->total_len + 4);
}

static void
c_total_len_down(struct dns_template *t)
{
	t->total_len = (uint16_t)(t->total_len - 1);
}

static void
c_count_answer(struct dns_template *t)
{
	t->count[DNS_SECTION_ANSWER]++;
}

static void
c_count_authority(struct dns_template *t)
{
	t->count[DNS_SECTION_AUTHORITY]--;
}

static void
c_count_additional(struct dns_template *t)
{
	t->count[DNS_SECTION_ADDITIONAL] = 0;
}

static void
c_count_moved(struct dns_template *t)
{
	/* Same total, wrong split between sections. */
	t->count[DNS_SECTION_ANSWER]++;
	t->count[DNS_SECTION_ADDITIONAL]--;
}

static void
c_n_rrset_up(struct dns_template *t)
{
	t->n_rrset++;
}

static void
c_n_rrset_down(struct dns_template *t)
{
	t->n_rrset--;
}

static void
c_n_rr_up(struct dns_template *t)
{
	t->n_rr++;
}

static void
c_n_rr_down(struct dns_template *t)
{
	t->n_rr--;
}

static void
c_body_len_up(struct dns_template *t)
{
	t->body_len++;
}

static void
c_body_len_down(struct dns_template *t)
{
	t->body_len--;
}

static void
c_rrset_end_past_body(struct dns_template *t)
{
	t_sets(t)[t->n_rrset - 1].end = (uint16_t)(t->body_len + 1);
}

static void
c_last_rrset_end_short(struct dns_template *t)
{
	t_sets(t)[t->n_rrset - 1].end = (uint16_t)(t->body_len - 1);
}

static void
c_rrset_end_backwards(struct dns_template *t)
{
	t_sets(t)[2].end = (uint16_t)(t_sets(t)[0].end - 1);
}

static void
c_rrset_first_rr(struct dns_template *t)
{
	t_sets(t)[2].first_rr++;
}

static void
c_rrset_n_rr(struct dns_template *t)
{
	t_sets(t)[1].n_rr++;
}

static void
c_rrset_n_rr_zero(struct dns_template *t)
{
	t_sets(t)[1].n_rr = 0;
	t_sets(t)[2].first_rr = (uint16_t)(t_sets(t)[2].first_rr - 3);
}

static void
c_rrset_section_backwards(struct dns_template *t)
{
	t_sets(t)[3].section = DNS_SECTION_ANSWER; /* additional after authority -> answer */
}

static void
c_rrset_section_invalid(struct dns_template *t)
{
	t_sets(t)[t->n_rrset - 1].section = DNS_SECTION_COUNT;
}

static void
c_rrset_section_vs_count(struct dns_template *t)
{
	/* The NS set claims to be answer data while the counts say authority. */
	t_sets(t)[2].section = DNS_SECTION_ANSWER;
}

static void
c_ttl_off_outside_body(struct dns_template *t)
{
	t_ttls(t)[t->n_rr - 1] = t->body_len;
}

static void
c_ttl_off_in_next_rrset(struct dns_template *t)
{
	/* The CNAME's TTL offset points into the A set after it. */
	t_ttls(t)[0] = (uint16_t)(t_ttls(t)[1]);
}

static void
c_ttl_off_in_previous_rrset(struct dns_template *t)
{
	t_ttls(t)[4] = t_ttls(t)[0];
}

static void
c_ttl_off_straddles_end(struct dns_template *t)
{
	/* A TTL 2 octets before the CNAME set's end would run into the A set. */
	t_ttls(t)[0] = (uint16_t)(t_sets(t)[0].end - 2);
}

static void
c_ttl_off_huge(struct dns_template *t)
{
	t_ttls(t)[2] = 0xfffe;
}

static const struct corruption corruptions[] = {
	{"total_len + 4", c_total_len_up},
	{"total_len - 1", c_total_len_down},
	{"count[answer] + 1", c_count_answer},
	{"count[authority] - 1", c_count_authority},
	{"count[additional] = 0", c_count_additional},
	{"count moved between sections", c_count_moved},
	{"n_rrset + 1", c_n_rrset_up},
	{"n_rrset - 1", c_n_rrset_down},
	{"n_rr + 1", c_n_rr_up},
	{"n_rr - 1", c_n_rr_down},
	{"body_len + 1", c_body_len_up},
	{"body_len - 1", c_body_len_down},
	{"last rrset end past body", c_rrset_end_past_body},
	{"last rrset end before body end", c_last_rrset_end_short},
	{"rrset end going backwards", c_rrset_end_backwards},
	{"rrset first_rr", c_rrset_first_rr},
	{"rrset n_rr + 1", c_rrset_n_rr},
	{"rrset n_rr = 0", c_rrset_n_rr_zero},
	{"rrset sections out of order", c_rrset_section_backwards},
	{"rrset section 3", c_rrset_section_invalid},
	{"rrset section disagrees with counts", c_rrset_section_vs_count},
	{"ttl_off outside body", c_ttl_off_outside_body},
	{"ttl_off in the next rrset", c_ttl_off_in_next_rrset},
	{"ttl_off in a previous rrset", c_ttl_off_in_previous_rrset},
	{"ttl_off straddles rrset end", c_ttl_off_straddles_end},
	{"ttl_off 0xfffe", c_ttl_off_huge},
};

Test(dns_template, check_rejects_each_corrupted_field)
{
	static uint32_t good[(DNS_TMPL_MAXLEN + 64) / 4];
	static uint32_t bad[(DNS_TMPL_MAXLEN + 64) / 4];
	struct dns_template *t = dt_tb_build(rich_input());
	size_t len = t->total_len;

	memcpy(good, t, len);
	cr_assert_eq(dns_template_check(good, len), 0);
	for (size_t i = 0; i < VD_ARRAY_SIZE(corruptions); i++) {
		struct dns_template *c = (struct dns_template *)(void *)bad;

		memcpy(bad, good, sizeof(good));
		corruptions[i].apply(c);
		cr_expect_eq(dns_template_check(bad, len), -EINVAL, "not rejected: %s",
			     corruptions[i].what);
		/* With len following a corrupted total_len too. */
		if (c->total_len <= sizeof(bad) && c->total_len != len)
			cr_expect_eq(dns_template_check(bad, c->total_len), -EINVAL,
				     "not rejected with len = total_len: %s", corruptions[i].what);
	}
}

Test(dns_template, check_never_reads_past_len)
{
	/* Random garbage in every header field: check must answer, not crash (ASan watches). */
	struct dns_template *t = dt_tb_build(rich_input());
	size_t len = t->total_len;
	uint32_t seed = 12345;
	static uint32_t work[(DNS_TMPL_MAXLEN + 64) / 4];

	memcpy(work, t, len);
	for (int i = 0; i < 20000; i++) {
		uint8_t *copy;
		uint8_t *p;
		size_t n = len;

		seed = seed * 1103515245u + 12345u;
		copy = malloc(n);
		cr_assert_not_null(copy);
		memcpy(copy, work, n);
		p = copy + (seed >> 8) % (sizeof(struct dns_template) +
					   t->n_rrset * sizeof(struct dns_tmpl_rrset) +
					   2u * t->n_rr);
		*p = (uint8_t)(seed >> 24);
		(void)dns_template_check(copy, n);
		free(copy);
	}
}
