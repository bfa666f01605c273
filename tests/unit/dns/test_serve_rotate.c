/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for dns/dns_serve.c: rotation of address sets, and serving in place into the
 * query's own buffer.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>
#include <libknot/libknot.h>

#include "dns_query.h"
#include "dns_serve.h"
#include "dns_template.h"
#include "dns_test_util.h"
#include "serve_harness.h"

/* ---- rotation ---- */

/* Shift s such that reply RR (first + j) holds RDATA (j + s) % n of @p set, or -1. */
static int
shift_of(const struct dns_rrset_in *set, size_t first)
{
	int n = set->n_rdata, s = -1;

	for (int j = 0; j < n; j++) {
		const struct dt_rr *o = &dt_rrs[first + (size_t)j];
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

static struct dt_tb *
a_set_of_four(void)
{
	struct dt_tb *b = dt_tb_init("www.example.com", DNS_TYPE_A);

	dt_tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_A, 60);
	for (uint8_t i = 1; i <= 4; i++)
		dt_tb_rd(b, dt_rd_a(10, 0, 0, i));
	return b;
}

Test(dns_serve, rotation_gives_every_cyclic_order)
{
	const struct dns_template *t = dt_tb_build(a_set_of_four());
	struct dns_query q;
	int seen[4] = {0, 0, 0, 0};
	int shift[8];

	dt_query(&(struct dt_qspec){.qname = "www.example.com"}, &q);
	for (uint32_t r = 0; r < 8; r++) {
		serve_parse(t, &q, 0, r, udp_limit(&q));
		cr_assert_eq(dt_r.count[0], 4);
		shift[r] = shift_of(&dt_the_tb.sets[0], 0);
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
	cr_assert_eq(shift_of(&dt_the_tb.sets[0], 0), (int)((shift[1] * (UINT32_MAX % 4)) % 4));
}

/* A CNAME, an AAAA set of 3, authority NS, glue: A x2, AAAA x1, A x5. */
static struct dt_tb *
rotation_mix(void)
{
	struct dt_tb *b = dt_tb_init("www.example.com", DNS_TYPE_AAAA);

	dt_tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_CNAME, 300);
	dt_tb_rd(b, dt_rd_name("v6.example.com"));
	dt_tb_set(b, DNS_SECTION_ANSWER, "v6.example.com", DNS_TYPE_AAAA, 300);
	for (uint16_t i = 1; i <= 3; i++)
		dt_tb_rd(b, dt_rd_aaaa(i));
	dt_tb_set(b, DNS_SECTION_AUTHORITY, "example.com", DNS_TYPE_NS, 3600);
	dt_tb_rd(b, dt_rd_name("ns1.example.com"));
	dt_tb_rd(b, dt_rd_name("ns2.example.com"));
	dt_tb_rd(b, dt_rd_name("ns3.example.com"));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "ns1.example.com", DNS_TYPE_A, 3600);
	dt_tb_rd(b, dt_rd_a(10, 0, 1, 1));
	dt_tb_rd(b, dt_rd_a(10, 0, 1, 2));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "ns1.example.com", DNS_TYPE_AAAA, 3600);
	dt_tb_rd(b, dt_rd_aaaa(0x101));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "ns2.example.com", DNS_TYPE_A, 3600);
	for (uint8_t i = 1; i <= 5; i++)
		dt_tb_rd(b, dt_rd_a(10, 0, 2, i));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "ns3.example.com", DNS_TYPE_MX, 3600);
	dt_tb_rd(b, dt_rd_mx(10, "ns1.example.com"));
	dt_tb_rd(b, dt_rd_mx(20, "ns2.example.com"));
	return b;
}

Test(dns_serve, rotation_of_aaaa_and_every_address_set)
{
	const struct dns_template *t = dt_tb_build(rotation_mix());
	const struct dns_tmpl_rrset *sets = dns_tmpl_rrsets(t);
	struct dns_query q;
	int dir = 0;

	dt_query(&(struct dt_qspec){.qname = "www.example.com", .qtype = DNS_TYPE_AAAA,
				    .edns = true},
		 &q);
	for (uint32_t r = 0; r < 30; r++) {
		serve_parse(t, &q, 0, r, udp_limit(&q));
		expect_rrs(&dt_the_tb, 0, ALL);
		for (uint16_t s = 0; s < t->n_rrset; s++) {
			const struct dns_rrset_in *in = &dt_the_tb.sets[s];
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
	struct dt_tb *b = dt_tb_init("example.com", DNS_TYPE_ANY);
	const struct dns_template *t;
	struct dns_query q;

	dt_tb_set(b, DNS_SECTION_ANSWER, "example.com", DNS_TYPE_NS, 60);
	dt_tb_rd(b, dt_rd_name("a.example.com"));
	dt_tb_rd(b, dt_rd_name("b.example.com"));
	dt_tb_rd(b, dt_rd_name("c.example.com"));
	dt_tb_set(b, DNS_SECTION_ANSWER, "example.com", DNS_TYPE_MX, 60);
	dt_tb_rd(b, dt_rd_mx(1, "a.example.com"));
	dt_tb_rd(b, dt_rd_mx(2, "b.example.com"));
	dt_tb_set(b, DNS_SECTION_ANSWER, "example.com", DNS_TYPE_TXT, 60);
	dt_tb_rd(b, dt_rd_txt("first"));
	dt_tb_rd(b, dt_rd_txt("second"));
	dt_tb_set(b, DNS_SECTION_ANSWER, "example.com", DNS_TYPE_A, 60);
	dt_tb_rd(b, dt_rd_a(10, 9, 9, 9));
	dt_tb_set(b, DNS_SECTION_ANSWER, "example.com", 65280, 60);
	dt_tb_rd(b, dt_rd_bytes("\1\2\3\4", 4));
	dt_tb_rd(b, dt_rd_bytes("\5\6\7\10", 4));
	t = dt_tb_build(b);
	dt_query(&(struct dt_qspec){.qname = "example.com", .qtype = DNS_TYPE_ANY}, &q);
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
	struct dt_tb *b = dt_tb_init("www.example.com", DNS_TYPE_A);
	const struct dns_template *t;
	struct dns_query q;

	dt_tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_CNAME, 300);
	dt_tb_rd(b, dt_rd_name("edge.cdn.example.net"));
	dt_tb_set(b, DNS_SECTION_ANSWER, "edge.cdn.example.net", DNS_TYPE_A, 20);
	for (uint8_t i = 1; i <= 4; i++)
		dt_tb_rd(b, dt_rd_a(203, 0, 113, i));
	dt_tb_set(b, DNS_SECTION_AUTHORITY, "cdn.example.net", DNS_TYPE_NS, 3600);
	dt_tb_rd(b, dt_rd_name("ns1.cdn.example.net"));
	dt_tb_rd(b, dt_rd_name("ns2.cdn.example.net"));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "ns1.cdn.example.net", DNS_TYPE_A, 3600);
	dt_tb_rd(b, dt_rd_a(198, 51, 100, 1));
	dt_tb_rd(b, dt_rd_a(198, 51, 100, 2));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "ns2.cdn.example.net", DNS_TYPE_AAAA, 3600);
	for (uint16_t i = 1; i <= 3; i++)
		dt_tb_rd(b, dt_rd_aaaa(i));
	t = dt_tb_build(b);
	dt_query(&(struct dt_qspec){.qname = "WWW.Example.COM", .edns = true, .do_bit = true}, &q);
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
check_in_place(const struct dns_template *t, const struct dt_qspec *s, uint32_t age, uint32_t rot,
	       bool use_udp_limit, size_t limit)
{
	static uint8_t sep[65536];
	struct dns_query q1, q2;
	size_t qlen = dt_mkquery(dt_qbuf, s);
	int l1, l2;

	memcpy(sep, dt_qbuf, qlen);
	cr_assert_eq(dns_query_parse(sep, qlen, &q1), DNS_VERDICT_ANSWER);
	cr_assert_eq(dns_query_parse(dt_qbuf, qlen, &q2), DNS_VERDICT_ANSWER);
	if (use_udp_limit)
		limit = udp_limit(&q1);
	l1 = dns_serve(t, &q1, age, rot, limit, rbuf, sizeof(rbuf));
	cr_assert_gt(l1, 0);
	l2 = dns_serve(t, &q2, age, rot, limit, dt_qbuf, sizeof(dt_qbuf));
	cr_assert_eq(l2, l1, "in place: %d octets, separately: %d", l2, l1);
	cr_assert_arr_eq(dt_qbuf, rbuf, (size_t)l1, "in-place reply differs");
	dt_kparse(dt_qbuf, l2);
}

Test(dns_serve, in_place_equals_separate_buffer)
{
	static const uint8_t cookie[] = {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};
	const struct dt_qspec plain = {.id = 9, .flags = DNS_FLAG_RD, .qname = "wWw.example.COM"};
	const struct dt_qspec edns = {.id = 10, .flags = DNS_FLAG_RD | DNS_FLAG_CD,
				   .qname = "www.EXAMPLE.com", .edns = true, .do_bit = true,
				   .opts = cookie, .opts_len = sizeof(cookie)};
	struct dt_qspec edns512 = edns;
	const struct dns_template *t;

	edns512.udp = 512;
	t = dt_tb_build(www_with_big_glue());
	check_in_place(t, &plain, 0, 0, true, 0);     /* additional dropped */
	check_in_place(t, &edns, 17, 5, true, 0);     /* whole, rotated, aged */
	check_in_place(t, &edns512, 17, 5, true, 0);  /* additional dropped, OPT */
	check_in_place(t, &edns, 0, 0, false, 50);    /* TC */
	check_in_place(t, &plain, 0, 0, false, 65535);
	t = dt_tb_build(rotation_mix());
	for (uint32_t r = 0; r < 6; r++) {
		struct dt_qspec s = edns;

		s.qtype = DNS_TYPE_AAAA;
		check_in_place(t, &s, r * 3, r, true, 0);
	}
}
