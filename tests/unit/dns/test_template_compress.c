/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests for dns/dns_template.c: name compression in response templates. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dns_template.h"
#include "dns_test_util.h"
#include "template_harness.h"

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
