/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for dns/dns_serve.c: replies from templates (TTLs, header, question, EDNS, errors,
 * answers of every kind); truncation is in test_serve_trunc.c, rotation in test_serve_rotate.c,
 * error replies in test_serve_error.c. Queries go through the real parser (dns_query_parse),
 * templates through dns_template_build, and every reply is read back by an independent parser
 * (libknot) besides byte checks.
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

/* ---- TTLs ---- */

Test(dns_serve, ttl_lowered_by_age_at_exact_seconds)
{
	const uint32_t age[] = {0, 1, 299, 300, 301, 100000, UINT32_MAX};
	const uint32_t want[] = {300, 299, 1, 0, 0, 0, 0};
	const struct dns_template *t = dt_tb_build(www_a(300));
	struct dns_query q;

	dt_query(&(struct dt_qspec){.id = 1, .qname = "www.example.com"}, &q);
	for (size_t i = 0; i < VD_ARRAY_SIZE(age); i++) {
		int len = serve_parse(t, &q, age[i], 0, udp_limit(&q));

		cr_assert_eq(len, 12 + 17 + 4 + 16);
		cr_assert_eq(dt_r.n_rr, 1);
		cr_assert_eq(dt_rrs[0].ttl, want[i], "age %u: TTL %u, want %u", age[i],
			     dt_rrs[0].ttl, want[i]);
		/* The TTL field of the only RR: body base 33, owner pointer, type, class. */
		cr_assert_eq(dns_get_u32(rbuf + 33 + 6), want[i]);
	}
}

Test(dns_serve, ttl_of_every_rrset_lowered)
{
	struct dt_tb *b = dt_tb_init("www.example.com", DNS_TYPE_A);
	const struct dns_template *t;
	struct dns_query q;
	const uint32_t ages[] = {0, 7, 59, 60, 100, 3600, 86400};

	dt_tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_CNAME, 3600);
	dt_tb_rd(b, dt_rd_name("web.example.com"));
	dt_tb_set(b, DNS_SECTION_ANSWER, "web.example.com", DNS_TYPE_A, 60);
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 1));
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 2));
	dt_tb_set(b, DNS_SECTION_AUTHORITY, "example.com", DNS_TYPE_NS, 86400);
	dt_tb_rd(b, dt_rd_name("ns1.example.com"));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "ns1.example.com", DNS_TYPE_A, 120);
	dt_tb_rd(b, dt_rd_a(198, 51, 100, 1));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "ns1.example.com", DNS_TYPE_AAAA, 7);
	dt_tb_rd(b, dt_rd_aaaa(1));
	t = dt_tb_build(b);
	dt_query(&(struct dt_qspec){.qname = "www.example.com", .edns = true}, &q);
	for (size_t i = 0; i < VD_ARRAY_SIZE(ages); i++) {
		serve_parse(t, &q, ages[i], 0, udp_limit(&q));
		expect_rrs(b, ages[i], ALL);
		/* The OPT "TTL" carries flags, not a TTL: never aged. */
		cr_assert_eq(dt_r.opt_ttl, 0, "age %u touched the OPT TTL", ages[i]);
	}
}

Test(dns_serve, serving_leaves_template_intact)
{
	static uint32_t copy[(DNS_TMPL_MAXLEN + 64) / 4];
	const struct dns_template *t = dt_tb_build(www_with_big_glue());
	struct dns_query q;

	memcpy(copy, t, t->total_len);
	dt_query(&(struct dt_qspec){.qname = "WWW.example.com", .edns = true}, &q);
	serve_parse(t, &q, 100, 3, udp_limit(&q));
	serve_parse(t, &q, 100, 3, DNS_UDP_MINSIZE);
	serve_parse(t, &q, 1, 1, 40 + 11); /* TC */
	cr_assert_arr_eq(copy, t, t->total_len, "dns_serve modified the template");
	serve_parse(t, &q, 0, 0, udp_limit(&q));
	cr_assert_eq(dt_rrs[0].ttl, 300);
}

/* ---- header ---- */

Test(dns_serve, header_bits)
{
	for (int rd = 0; rd < 2; rd++)
	for (int cd = 0; cd < 2; cd++)
	for (int aa = 0; aa < 2; aa++)
	for (int ad = 0; ad < 2; ad++) {
		struct dt_tb *b = www_a(60);
		const struct dns_template *t;
		struct dns_query q;
		uint16_t qf = (uint16_t)((rd ? DNS_FLAG_RD : 0) | (cd ? DNS_FLAG_CD : 0));
		uint16_t want = DNS_FLAG_QR | DNS_FLAG_RA | qf | (aa ? DNS_FLAG_AA : 0) |
				(ad ? DNS_FLAG_AD : 0);

		b->in.flags = (uint16_t)((aa ? DNS_FLAG_AA : 0) | (ad ? DNS_FLAG_AD : 0));
		t = dt_tb_build(b);
		dt_query(&(struct dt_qspec){.id = 0xbeef, .flags = qf, .qname = "www.example.com"},
			 &q);
		serve_parse(t, &q, 0, 0, udp_limit(&q));
		cr_assert_eq(dt_r.id, 0xbeef);
		cr_assert_eq(dt_r.flags, want, "rd %d cd %d aa %d ad %d: flags %04x, want %04x", rd,
			     cd, aa, ad, dt_r.flags, want);
		cr_assert_eq(knot_wire_get_opcode(rbuf), KNOT_OPCODE_QUERY);
		cr_assert_eq(dt_r.qdcount, 1);
	}
}

Test(dns_serve, id_copied)
{
	const struct dns_template *t = dt_tb_build(www_a(60));
	const uint16_t ids[] = {0, 1, 0x00ff, 0xff00, 0xffff, 0x1234};

	for (size_t i = 0; i < VD_ARRAY_SIZE(ids); i++) {
		struct dns_query q;

		dt_query(&(struct dt_qspec){.id = ids[i], .qname = "www.example.com"}, &q);
		serve_parse(t, &q, 0, 0, udp_limit(&q));
		cr_assert_eq(dt_r.id, ids[i]);
		cr_assert_eq(dns_get_u16(rbuf), ids[i]);
	}
}

Test(dns_serve, query_only_bits_not_echoed)
{
	/* AA, TC, RA, Z and AD of a query say nothing about the reply. */
	const struct dns_template *t = dt_tb_build(www_a(60));
	struct dns_query q;
	uint16_t qf = DNS_FLAG_AA | DNS_FLAG_TC | DNS_FLAG_RA | DNS_FLAG_Z | DNS_FLAG_AD;

	dt_query(&(struct dt_qspec){.flags = qf, .qname = "www.example.com"}, &q);
	serve_parse(t, &q, 0, 0, udp_limit(&q));
	cr_assert_eq(dt_r.flags, DNS_FLAG_QR | DNS_FLAG_RA, "flags %04x", dt_r.flags);
}

Test(dns_serve, rcode_and_aa_from_template)
{
	struct dt_tb *b = dt_tb_init("www.example.com", DNS_TYPE_A);
	struct dns_query q;

	b->in.flags = DNS_FLAG_AA;
	b->in.rcode = DNS_RCODE_SERVFAIL;
	dt_query(&(struct dt_qspec){.flags = DNS_FLAG_RD, .qname = "www.example.com"}, &q);
	serve_parse(dt_tb_build(b), &q, 0, 0, udp_limit(&q));
	cr_assert_eq(dt_r.flags, DNS_FLAG_QR | DNS_FLAG_RA | DNS_FLAG_RD | DNS_FLAG_AA |
				      DNS_RCODE_SERVFAIL);
	cr_assert_eq(dt_r.n_rr, 0);
	cr_assert_eq(dt_r.len, 12 + 17 + 4);
}

/* ---- question ---- */

Test(dns_serve, question_spelt_as_the_client_did)
{
	struct dt_tb *b = www_a(60);
	const struct dns_template *t;
	struct dns_query q;
	const uint8_t *spelling = dt_name("WwW.ExAmPlE.CoM");

	dt_tb_set(b, DNS_SECTION_AUTHORITY, "example.com", DNS_TYPE_NS, 60);
	dt_tb_rd(b, dt_rd_name("ns1.example.com"));
	t = dt_tb_build(b);
	dt_query(&(struct dt_qspec){.qname = "WwW.ExAmPlE.CoM", .edns = true}, &q);
	serve_parse(t, &q, 0, 0, udp_limit(&q));
	cr_assert_arr_eq(rbuf + 12, spelling, 17, "question name not as the client spelt it");
	cr_assert_arr_eq(dt_r.qname, spelling, 17);
	cr_assert_eq(dt_r.qtype, DNS_TYPE_A);
	cr_assert_eq(dt_r.qclass, DNS_CLASS_IN);
	/* The answer's owner is a pointer to the question: the same spelling. */
	cr_assert_arr_eq(dt_rrs[0].owner, spelling, 17, "answer owner not as the client spelt it");
	/* The authority owner is a suffix of the question: ExAmPlE.CoM. */
	cr_assert_arr_eq(dt_rrs[1].owner, spelling + 4, 13);
	expect_rrs(b, 0, ALL);
}

/* ---- EDNS ---- */

Test(dns_serve, opt_echoed_with_our_size_and_do)
{
	const struct dns_template *t = dt_tb_build(www_a(60));
	const uint16_t sizes[] = {512, 1232, 1400, 4096, 65535, 100};

	for (size_t i = 0; i < VD_ARRAY_SIZE(sizes); i++)
	for (int d = 0; d < 2; d++) {
		struct dns_query q;
		int len;

		dt_query(&(struct dt_qspec){.qname = "www.example.com", .edns = true,
					    .udp = sizes[i], .do_bit = d != 0},
			 &q);
		len = serve_parse(t, &q, 0, 0, udp_limit(&q));
		cr_assert_eq((size_t)len, full_len(t, &q));
		cr_assert(dt_r.has_opt, "no OPT in the reply");
		cr_assert_eq(dt_r.opt_payload, DNS_EDNS_SIZE);
		cr_assert_eq(dt_r.opt_version, 0);
		cr_assert_eq(dt_r.opt_ext_rcode, 0);
		cr_assert_eq(dt_r.opt_do, d != 0, "DO not echoed (udp %u, do %d)", sizes[i], d);
		cr_assert_eq(dt_r.opt_ttl, d ? DNS_EDNS_DO : 0u, "Z bits of OPT must be 0");
		cr_assert_eq(dt_r.opt_rdlen, 0);
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
	const struct dns_template *t = dt_tb_build(www_a(60));
	struct dns_query q;

	dt_query(&(struct dt_qspec){.qname = "www.example.com", .edns = true, .do_bit = true,
				    .opts = cookie, .opts_len = sizeof(cookie)},
		 &q);
	serve_parse(t, &q, 0, 0, udp_limit(&q));
	cr_assert(dt_r.has_opt);
	cr_assert(dt_r.opt_do);
	cr_assert_eq(dt_r.opt_payload, DNS_EDNS_SIZE);
}

Test(dns_serve, no_opt_without_edns)
{
	const struct dns_template *t = dt_tb_build(www_with_big_glue());
	struct dns_query q;
	int len;

	dt_query(&(struct dt_qspec){.qname = "www.example.com"}, &q);
	len = serve_parse(t, &q, 0, 0, 65535);
	cr_assert_not(dt_r.has_opt);
	cr_assert_eq((size_t)len, full_len(t, &q));
	cr_assert_eq(knot_wire_get_arcount(rbuf), 16);
	expect_rrs(&dt_the_tb, 0, ALL);
}

/* ---- errors of dns_serve ---- */

Test(dns_serve, rejects_template_of_other_qname_length)
{
	const struct dns_template *t = dt_tb_build(www_a(60)); /* qname_len 17 */
	struct dns_query q;

	dt_query(&(struct dt_qspec){.qname = "ww.example.com"}, &q);
	cr_assert_eq(serve(t, &q, 0, 0, 512), -EINVAL);
	dt_query(&(struct dt_qspec){.qname = "wwww.example.com"}, &q);
	cr_assert_eq(serve(t, &q, 0, 0, 512), -EINVAL);
	dt_query(&(struct dt_qspec){.qname = "www.example.com"}, &q);
	cr_assert_gt(serve(t, &q, 0, 0, 512), 0);
}

Test(dns_serve, emsgsize_when_cap_too_small)
{
	const struct dns_template *t = dt_tb_build(www_a(60)); /* 49 octets, TC reply 33 */
	struct dns_query q;
	int len;

	dt_query(&(struct dt_qspec){.qname = "www.example.com"}, &q);
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

	dt_query(&(struct dt_qspec){.qname = "www.example.com", .edns = true}, &q);
	cr_assert_eq(dns_serve(t, &q, 0, 0, 1232, rbuf, 43), -EMSGSIZE);
	memset(rbuf, 0xee, sizeof(rbuf));
	len = dns_serve(t, &q, 0, 0, 1232, rbuf, 44);
	expect_truncated(&q, len);
	cr_assert_eq(rbuf[44], 0xee, "wrote past cap");
}

/* ---- answers of every kind ---- */

Test(dns_serve, nxdomain_template)
{
	struct dt_tb *b = dt_tb_init("nx.example.com", DNS_TYPE_A);
	struct dns_query q;

	b->in.flags = DNS_FLAG_AA;
	b->in.rcode = DNS_RCODE_NXDOMAIN;
	dt_tb_set(b, DNS_SECTION_AUTHORITY, "example.com", DNS_TYPE_SOA, 900);
	dt_tb_rd(b, dt_rd_soa("ns1.example.com", "hostmaster.example.com", 300));
	dt_query(&(struct dt_qspec){.id = 5, .flags = DNS_FLAG_RD, .qname = "NX.example.com"}, &q);
	serve_parse(dt_tb_build(b), &q, 100, 0, udp_limit(&q));
	cr_assert_eq(dt_r.flags, DNS_FLAG_QR | DNS_FLAG_AA | DNS_FLAG_RD | DNS_FLAG_RA |
				      DNS_RCODE_NXDOMAIN);
	cr_assert_eq(dt_r.count[0], 0);
	cr_assert_eq(dt_r.count[1], 1);
	cr_assert_eq(dt_r.count[2], 0);
	cr_assert_eq(dt_rrs[0].type, DNS_TYPE_SOA);
	cr_assert_eq(dt_rrs[0].ttl, 800);
	/* SOA MINIMUM is RDATA: not aged. */
	cr_assert_eq(dns_get_u32(dt_rrs[0].rdata + dt_rrs[0].rdlen - 4), 300);
	expect_rrs(b, 100, ALL);
}

Test(dns_serve, nodata_template)
{
	struct dt_tb *b = dt_tb_init("www.example.com", DNS_TYPE_AAAA);
	struct dns_query q;

	b->in.rcode = DNS_RCODE_NOERROR;
	dt_tb_set(b, DNS_SECTION_AUTHORITY, "example.com", DNS_TYPE_SOA, 60);
	dt_tb_rd(b, dt_rd_soa("ns1.example.com", "hostmaster.example.com", 60));
	dt_query(&(struct dt_qspec){.qname = "www.example.com", .qtype = DNS_TYPE_AAAA,
				    .edns = true},
		 &q);
	serve_parse(dt_tb_build(b), &q, 61, 0, udp_limit(&q));
	cr_assert_eq(dt_r.flags & DNS_RCODE_MASK, DNS_RCODE_NOERROR);
	cr_assert_not(dt_r.flags & DNS_FLAG_AA);
	cr_assert_eq(dt_r.count[0], 0);
	cr_assert_eq(dt_r.count[1], 1);
	cr_assert_eq(dt_r.qtype, DNS_TYPE_AAAA);
	cr_assert(dt_r.has_opt);
	expect_rrs(b, 61, ALL);
}

Test(dns_serve, cname_chain_and_a)
{
	struct dt_tb *b = dt_tb_init("www.example.com", DNS_TYPE_A);
	struct dns_query q;
	const uint8_t *spelling = dt_name("Www.Example.Com");

	dt_tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_CNAME, 3600);
	dt_tb_rd(b, dt_rd_name("web.example.com"));
	dt_tb_set(b, DNS_SECTION_ANSWER, "web.example.com", DNS_TYPE_CNAME, 600);
	dt_tb_rd(b, dt_rd_name("srv.example.net"));
	dt_tb_set(b, DNS_SECTION_ANSWER, "srv.example.net", DNS_TYPE_A, 30);
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 1));
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 2));
	dt_query(&(struct dt_qspec){.qname = "Www.Example.Com", .flags = DNS_FLAG_RD}, &q);
	serve_parse(dt_tb_build(b), &q, 10, 1, udp_limit(&q));
	cr_assert_eq(dt_r.count[0], 4);
	cr_assert_arr_eq(dt_rrs[0].owner, spelling, 17);
	cr_assert(dt_name_eq_ci(dt_rrs[0].rdata, dt_name("web.example.com")));
	cr_assert(dt_name_eq_ci(dt_rrs[1].owner, dt_name("web.example.com")));
	cr_assert(dt_name_eq_ci(dt_rrs[1].rdata, dt_name("srv.example.net")));
	cr_assert(dt_name_eq_ci(dt_rrs[2].owner, dt_name("srv.example.net")));
	cr_assert_eq(dt_rrs[0].ttl, 3590);
	cr_assert_eq(dt_rrs[1].ttl, 590);
	cr_assert_eq(dt_rrs[2].ttl, 20);
	cr_assert_eq(dt_rrs[3].ttl, 20);
	expect_rrs(b, 10, ALL);
}

Test(dns_serve, root_question)
{
	struct dt_tb *b = dt_tb_init(".", DNS_TYPE_NS);
	struct dns_query q;
	int len;

	dt_tb_set(b, DNS_SECTION_ANSWER, ".", DNS_TYPE_NS, 518400);
	dt_tb_rd(b, dt_rd_name("a.root-servers.net"));
	dt_tb_rd(b, dt_rd_name("b.root-servers.net"));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "a.root-servers.net", DNS_TYPE_A, 518400);
	dt_tb_rd(b, dt_rd_a(198, 41, 0, 4));
	dt_query(&(struct dt_qspec){.qname = ".", .qtype = DNS_TYPE_NS, .edns = true,
				    .do_bit = true},
		 &q);
	cr_assert_eq(q.question_end, 17);
	len = serve_parse(dt_tb_build(b), &q, 3600, 1, udp_limit(&q));
	cr_assert_eq((size_t)len, full_len(dt_tb_template(), &q));
	cr_assert_eq(dt_r.count[0], 2);
	cr_assert_eq(dt_r.count[2], 1);
	expect_rrs(b, 3600, ALL);
}
