/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for dns/dns_template.c: layout of response templates and bad input;
 * compression is in test_template_compress.c, dns_template_check() in test_template_check.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dns_template.h"
#include "dns_test_util.h"
#include "template_harness.h"

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
