/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for dns/dns_serve.c: replies from templates (TTLs, header, EDNS, truncation,
 * rotation); error replies are in test_serve_error.c. Queries go through the real parser
 * (dns_query_parse), templates through dns_template_build, and every reply is read back by
 * an independent parser (libknot) besides byte checks.
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
#include "dns_test_util.h"

/* ---- helpers: names ---- */

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
	dt_kparse(rbuf, len);
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
	dt_kparse(rbuf, len);
	cr_assert(dt_r.flags & DNS_FLAG_TC, "TC not set");
	cr_assert_eq(dt_r.qdcount, 1);
	cr_assert_eq(dt_r.count[0], 0);
	cr_assert_eq(dt_r.count[1], 0);
	cr_assert_eq(dt_r.count[2], 0);
	cr_assert_eq(dt_r.has_opt, q->has_edns, "OPT in a TC reply iff the query had one");
	cr_assert_arr_eq(rbuf + DNS_HEADER_LEN, q->wire + DNS_HEADER_LEN, q->question_end - 12u);
}

/* Every RR of the reply equals the template input's (same order), TTLs lowered by @p age. */
static void
expect_rrs(const struct dt_tb *b, uint32_t age, const bool keep[3])
{
	size_t i = 0;

	for (uint16_t s = 0; s < b->in.n_rrset; s++) {
		const struct dns_rrset_in *in = &b->sets[s];
		uint32_t ttl = in->ttl > age ? in->ttl - age : 0;

		if (!keep[in->section])
			continue;
		for (uint16_t j = 0; j < in->n_rdata; j++, i++) {
			const struct dt_rr *o = &dt_rrs[i];

			cr_assert_lt(i, dt_r.n_rr, "reply has too few RRs");
			cr_assert_eq(o->section, in->section, "RR %zu section", i);
			cr_assert(dt_name_eq_ci(o->owner, in->owner), "RR %zu owner", i);
			cr_assert_eq(o->type, in->type, "RR %zu type", i);
			cr_assert_eq(o->rclass, in->rclass, "RR %zu class", i);
			cr_assert_eq(o->ttl, ttl, "RR %zu TTL %u, want %u", i, o->ttl, ttl);
			cr_assert_eq(o->rdlen, in->rdata[j].len, "RR %zu RDLENGTH", i);
			if (in->type == DNS_TYPE_A || in->type == DNS_TYPE_AAAA)
				continue; /* may be rotated; checked by the rotation tests */
			for (uint16_t k = 0; k < o->rdlen; k++)
				cr_assert_eq(dt_lc(o->rdata[k]), dt_lc(in->rdata[j].data[k]),
					     "RR %zu RDATA octet %u", i, k);
		}
	}
	cr_assert_eq(i, dt_r.n_rr, "reply has more RRs than expected");
}

static const bool ALL[3] = {true, true, true};

/* ---- common templates ---- */

static struct dt_tb *
www_a(uint32_t ttl)
{
	struct dt_tb *b = dt_tb_init("www.example.com", DNS_TYPE_A);

	dt_tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_A, ttl);
	dt_tb_rd(b, dt_rd_a(192, 0, 2, 1));
	return b;
}

/* Answer, authority with two NS, one big glue AAAA set: 533 octets without OPT. */
static struct dt_tb *
www_with_big_glue(void)
{
	struct dt_tb *b = www_a(300);

	dt_tb_set(b, DNS_SECTION_AUTHORITY, "example.com", DNS_TYPE_NS, 86400);
	dt_tb_rd(b, dt_rd_name("ns1.example.com"));
	dt_tb_rd(b, dt_rd_name("ns2.example.com"));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "ns1.example.com", DNS_TYPE_AAAA, 3600);
	for (uint16_t i = 1; i <= 16; i++)
		dt_tb_rd(b, dt_rd_aaaa(i));
	return b;
}

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

/* ---- truncation ---- */

static char longbuf[4][300];

/* www.example.com-like name of 192 octets, answered with @p n A records. */
static struct dt_tb *
long_name_with_n_a(int n)
{
	const char *qn = long_name(longbuf[0], 3, 60, 'a', "example");
	struct dt_tb *b = dt_tb_init(qn, DNS_TYPE_A);

	cr_assert_eq(name_len(b->in.qname), 192);
	dt_tb_set(b, DNS_SECTION_ANSWER, qn, DNS_TYPE_A, 300);
	for (int i = 0; i < n; i++)
		dt_tb_rd(b, dt_rd_a(10, 0, 0, (uint8_t)(i + 1)));
	return b;
}

Test(dns_serve, tc_at_512_without_edns)
{
	const struct dns_template *t = dt_tb_build(long_name_with_n_a(20)); /* 208 + 320 octets */
	struct dns_query q;
	int len;

	dt_query(&(struct dt_qspec){.id = 77, .flags = DNS_FLAG_RD, .qname = longbuf[0]}, &q);
	cr_assert_eq(udp_limit(&q), 512);
	len = serve(t, &q, 0, 0, udp_limit(&q));
	expect_truncated(&q, len);
	cr_assert_eq(len, 208);
	cr_assert_eq(dt_r.id, 77);
	cr_assert_eq(dt_r.flags, DNS_FLAG_QR | DNS_FLAG_RA | DNS_FLAG_RD | DNS_FLAG_TC);
	/* Over TCP the same answer is whole. */
	len = serve_parse(t, &q, 0, 0, 65535);
	cr_assert_eq(len, 528);
	cr_assert_not(dt_r.flags & DNS_FLAG_TC);
	cr_assert_eq(dt_r.count[0], 20);
}

Test(dns_serve, fits_with_edns_that_did_not_fit_without)
{
	const struct dns_template *t = dt_tb_build(long_name_with_n_a(20));
	struct dns_query q;
	int len;

	dt_query(&(struct dt_qspec){.qname = longbuf[0], .edns = true, .udp = 1232}, &q);
	len = serve_parse(t, &q, 0, 0, udp_limit(&q));
	cr_assert_eq(len, 528 + 11);
	cr_assert_not(dt_r.flags & DNS_FLAG_TC);
	cr_assert_eq(dt_r.count[0], 20);
	cr_assert(dt_r.has_opt);

	/* EDNS with a size of 512 (or less, raised to 512): TC, OPT kept. */
	dt_query(&(struct dt_qspec){.qname = longbuf[0], .edns = true, .udp = 512}, &q);
	len = serve(t, &q, 0, 0, udp_limit(&q));
	expect_truncated(&q, len);
	cr_assert_eq(dt_r.opt_payload, DNS_EDNS_SIZE);
	dt_query(&(struct dt_qspec){.qname = longbuf[0], .edns = true, .udp = 100}, &q);
	len = serve(t, &q, 0, 0, udp_limit(&q));
	expect_truncated(&q, len);
}

Test(dns_serve, tc_at_edns_size)
{
	/* 208 + 70 * 16 + 11 = 1339 > 1232, whatever the client offers. */
	const struct dns_template *t = dt_tb_build(long_name_with_n_a(70));
	const uint16_t sizes[] = {1232, 1400, 4096, 65535};

	for (size_t i = 0; i < VD_ARRAY_SIZE(sizes); i++) {
		struct dns_query q;
		int len;

		dt_query(&(struct dt_qspec){.qname = longbuf[0], .edns = true, .udp = sizes[i],
					    .do_bit = true},
			 &q);
		cr_assert_eq(udp_limit(&q), DNS_EDNS_SIZE);
		len = serve(t, &q, 0, 0, udp_limit(&q));
		expect_truncated(&q, len);
		cr_assert(dt_r.opt_do);
	}
}

Test(dns_serve, limit_follows_client_size)
{
	/* Client offers 600: 23 records (587 octets) fit, 25 (619) do not. */
	struct dns_query q;
	int len;

	dt_query(&(struct dt_qspec){.qname = long_name(longbuf[1], 3, 60, 'a', "example"),
				    .edns = true, .udp = 600},
		 &q);
	cr_assert_eq(udp_limit(&q), 600);
	len = serve_parse(dt_tb_build(long_name_with_n_a(23)), &q, 0, 0, udp_limit(&q));
	cr_assert_eq(len, 587);
	cr_assert_eq(dt_r.count[0], 23);
	len = serve(dt_tb_build(long_name_with_n_a(25)), &q, 0, 0, udp_limit(&q));
	expect_truncated(&q, len);
}

Test(dns_serve, additional_dropped_without_tc)
{
	const struct dns_template *t = dt_tb_build(www_with_big_glue());
	const bool no_add[3] = {true, true, false};
	struct dns_query q;
	int len;

	dt_query(&(struct dt_qspec){.qname = "www.example.com"}, &q);
	cr_assert_gt(full_len(t, &q), 512);
	/* Answer and authority end where the NS set ends: 33 + 16 + 2 * 18. */
	cr_assert_eq(dns_tmpl_body_base(t) + dns_tmpl_rrsets(t)[1].end, 85);
	len = serve_parse(t, &q, 0, 0, udp_limit(&q));
	cr_assert_eq(len, 85);
	cr_assert_not(dt_r.flags & DNS_FLAG_TC, "TC set although the answer is whole");
	cr_assert_eq(dt_r.count[0], 1);
	cr_assert_eq(dt_r.count[1], 2);
	cr_assert_eq(dt_r.count[2], 0);
	expect_rrs(&dt_the_tb, 0, no_add);

	/* EDNS at 512: the same, plus OPT. */
	dt_query(&(struct dt_qspec){.qname = "www.example.com", .edns = true, .udp = 512}, &q);
	len = serve_parse(t, &q, 0, 0, udp_limit(&q));
	cr_assert_eq(len, 85 + 11);
	cr_assert_not(dt_r.flags & DNS_FLAG_TC);
	cr_assert(dt_r.has_opt);
	cr_assert_eq(dt_r.count[2], 0);
	expect_rrs(&dt_the_tb, 0, no_add);

	/* EDNS at 1232: all of it. */
	dt_query(&(struct dt_qspec){.qname = "www.example.com", .edns = true}, &q);
	len = serve_parse(t, &q, 0, 0, udp_limit(&q));
	cr_assert_eq((size_t)len, full_len(t, &q));
	expect_rrs(&dt_the_tb, 0, ALL);
}

Test(dns_serve, additional_dropped_by_whole_rrsets)
{
	/* 85 + 16 + 224 + 16 + 224 = 565 > 512: some trailing additional RRsets go. */
	struct dt_tb *b = www_a(300);
	const struct dns_template *t;
	struct dns_query q;
	uint16_t kept;
	bool whole = false;
	int len;

	dt_tb_set(b, DNS_SECTION_AUTHORITY, "example.com", DNS_TYPE_NS, 86400);
	dt_tb_rd(b, dt_rd_name("ns1.example.com"));
	dt_tb_rd(b, dt_rd_name("ns2.example.com"));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "ns1.example.com", DNS_TYPE_A, 3600);
	dt_tb_rd(b, dt_rd_a(10, 0, 0, 1));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "ns1.example.com", DNS_TYPE_AAAA, 3600);
	for (uint16_t i = 1; i <= 8; i++)
		dt_tb_rd(b, dt_rd_aaaa(i));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "ns2.example.com", DNS_TYPE_A, 3600);
	dt_tb_rd(b, dt_rd_a(10, 0, 0, 2));
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, "ns2.example.com", DNS_TYPE_AAAA, 3600);
	for (uint16_t i = 1; i <= 8; i++)
		dt_tb_rd(b, dt_rd_aaaa((uint16_t)(0x100 + i)));
	t = dt_tb_build(b);
	dt_query(&(struct dt_qspec){.qname = "www.example.com"}, &q);
	len = serve_parse(t, &q, 0, 0, 512);
	cr_assert_not(dt_r.flags & DNS_FLAG_TC);
	cr_assert_eq(dt_r.count[0], 1);
	cr_assert_eq(dt_r.count[1], 2);
	kept = dt_r.count[2];
	/* What is left of the additional section is a run of whole RRsets from its start. */
	for (uint16_t k = 0, sum = 0; k <= 4; k++) {
		if (kept == sum)
			whole = true;
		if (k < 4)
			sum = (uint16_t)(sum + b->sets[2 + k].n_rdata);
	}
	cr_assert(whole, "%u additional RRs kept: not whole RRsets", kept);
	cr_assert_lt(kept, 18);
	for (size_t i = 3; i < dt_r.n_rr; i++)
		cr_assert_eq(dt_rrs[i].section, KNOT_ADDITIONAL);
	cr_assert_leq(len, 512);
}

/* Answer of one A, authority of 10 NS with 40-octet labels (550 octets), one glue A. */
static struct dt_tb *
www_with_big_authority(void)
{
	struct dt_tb *b = www_a(300);
	char ns[80];

	dt_tb_set(b, DNS_SECTION_AUTHORITY, "example.com", DNS_TYPE_NS, 86400);
	for (int i = 0; i < 10; i++) {
		memset(ns, 'a' + i, 40);
		strcpy(ns + 40, ".example.com");
		dt_tb_rd(b, dt_rd_name(ns));
	}
	memset(ns, 'a', 40);
	strcpy(ns + 40, ".example.com");
	dt_tb_set(b, DNS_SECTION_ADDITIONAL, ns, DNS_TYPE_A, 3600);
	dt_tb_rd(b, dt_rd_a(10, 0, 0, 1));
	return b;
}

Test(dns_serve, authority_of_positive_answer_dropped)
{
	const struct dns_template *t = dt_tb_build(www_with_big_authority());
	const bool answer_only[3] = {true, false, false};
	struct dns_query q;
	int len;

	dt_query(&(struct dt_qspec){.qname = "www.example.com"}, &q);
	cr_assert_gt(full_len(t, &q), 512);
	len = serve_parse(t, &q, 0, 0, udp_limit(&q));
	cr_assert_eq(len, 12 + 17 + 4 + 16);
	cr_assert_not(dt_r.flags & DNS_FLAG_TC, "TC set although the answer is whole");
	cr_assert_eq(dt_r.count[0], 1);
	cr_assert_eq(dt_r.count[1], 0);
	cr_assert_eq(dt_r.count[2], 0);
	expect_rrs(&dt_the_tb, 0, answer_only);

	dt_query(&(struct dt_qspec){.qname = "www.example.com", .edns = true}, &q);
	len = serve_parse(t, &q, 0, 0, udp_limit(&q));
	cr_assert_eq((size_t)len, full_len(t, &q));
	expect_rrs(&dt_the_tb, 0, ALL);
}

/* SOA whose MNAME and RNAME (249 octets each) share nothing with the question. */
static struct dt_tb *
negative(uint8_t rcode)
{
	struct dt_tb *b = dt_tb_init("nx.example.com", DNS_TYPE_A);

	b->in.flags = DNS_FLAG_AA;
	b->in.rcode = rcode;
	dt_tb_set(b, DNS_SECTION_AUTHORITY, "example.com", DNS_TYPE_SOA, 900);
	dt_tb_rd(b, dt_rd_soa(long_name(longbuf[2], 4, 60, 'm', "net"),
			      long_name(longbuf[3], 4, 60, 'r', "org"), 300));
	return b;
}

Test(dns_serve, negative_answer_truncated_not_stripped)
{
	/* RFC 2308: the SOA is the answer of a negative reply; leaving it out is no reply. */
	for (int i = 0; i < 2; i++) {
		uint8_t rcode = i == 0 ? DNS_RCODE_NXDOMAIN : DNS_RCODE_NOERROR;
		const struct dns_template *t = dt_tb_build(negative(rcode));
		struct dns_query q;
		int len;

		dt_query(&(struct dt_qspec){.qname = "nx.example.com"}, &q);
		cr_assert_gt(full_len(t, &q), 512);
		len = serve(t, &q, 0, 0, udp_limit(&q));
		expect_truncated(&q, len);
		cr_assert_eq(dt_r.flags & DNS_RCODE_MASK, rcode);

		dt_query(&(struct dt_qspec){.qname = "nx.example.com", .edns = true}, &q);
		len = serve_parse(t, &q, 0, 0, udp_limit(&q));
		cr_assert_eq((size_t)len, full_len(t, &q));
		cr_assert_not(dt_r.flags & DNS_FLAG_TC);
		cr_assert_eq(dt_r.count[1], 1);
	}
}

/* An answer of one CNAME, then the SOA of negative() in the authority section. */
static struct dt_tb *
cname_then_negative(uint8_t rcode)
{
	struct dt_tb *b = dt_tb_init("www.example.com", DNS_TYPE_A);

	b->in.rcode = rcode;
	dt_tb_set(b, DNS_SECTION_ANSWER, "www.example.com", DNS_TYPE_CNAME, 300);
	dt_tb_rd(b, dt_rd_name("gone.example.org"));
	dt_tb_set(b, DNS_SECTION_AUTHORITY, "example.org", DNS_TYPE_SOA, 900);
	dt_tb_rd(b, dt_rd_soa(long_name(longbuf[2], 4, 60, 'm', "net"),
			      long_name(longbuf[3], 4, 60, 'r', "org"), 300));
	return b;
}

Test(dns_serve, nxdomain_after_cname_keeps_its_soa)
{
	/*
	 * RFC 2308 2.1: NXDOMAIN with a CNAME in the answer is a negative answer; its SOA
	 * is required (RFC 2308 5, RFC 2181 9), so the reply is truncated, not stripped.
	 */
	const struct dns_template *t = dt_tb_build(cname_then_negative(DNS_RCODE_NXDOMAIN));
	struct dns_query q;
	int len;

	dt_query(&(struct dt_qspec){.qname = "www.example.com"}, &q);
	cr_assert_gt(full_len(t, &q), 512);
	len = serve(t, &q, 0, 0, udp_limit(&q));
	expect_truncated(&q, len);
	cr_assert_eq(dt_r.flags & DNS_RCODE_MASK, DNS_RCODE_NXDOMAIN);
}

Test(dns_serve, nodata_after_cname_keeps_its_soa)
{
	/* RFC 2308 2.2: NOERROR, a CNAME, and the target's SOA is a NODATA answer. */
	const struct dns_template *t = dt_tb_build(cname_then_negative(DNS_RCODE_NOERROR));
	struct dns_query q;
	int len;

	dt_query(&(struct dt_qspec){.qname = "www.example.com"}, &q);
	len = serve(t, &q, 0, 0, udp_limit(&q));
	expect_truncated(&q, len);
}

Test(dns_serve, limit_equal_to_reply_size_fits)
{
	const struct dns_template *t = dt_tb_build(www_with_big_glue());
	struct dns_query q;
	size_t full;
	int len;

	dt_query(&(struct dt_qspec){.qname = "www.example.com", .edns = true, .udp = 4096}, &q);
	full = full_len(t, &q);
	len = serve_parse(t, &q, 0, 0, full);
	cr_assert_eq((size_t)len, full);
	cr_assert_eq(dt_r.count[2], 16);
	cr_assert_not(dt_r.flags & DNS_FLAG_TC);
	len = serve_parse(t, &q, 0, 0, full - 1);
	cr_assert_eq(len, 85 + 11, "one octet short: the additional section goes");
	cr_assert_eq(dt_r.count[2], 0);

	/* The same at the other steps: answer + authority, answer only, header + question. */
	t = dt_tb_build(www_with_big_authority());
	dt_query(&(struct dt_qspec){.qname = "www.example.com"}, &q);
	len = serve_parse(t, &q, 0, 0, 49);
	cr_assert_eq(len, 49);
	cr_assert_eq(dt_r.count[0], 1);
	cr_assert_not(dt_r.flags & DNS_FLAG_TC);
	len = serve(t, &q, 0, 0, 48);
	expect_truncated(&q, len);
}

Test(dns_serve, tcp_limit_never_truncates)
{
	const struct dns_template *t = dt_tb_build(long_name_with_n_a(500));
	struct dns_query q;
	int len;

	dt_query(&(struct dt_qspec){.qname = longbuf[0], .edns = true}, &q);
	len = serve_parse(t, &q, 0, 0, 65535);
	cr_assert_eq((size_t)len, full_len(t, &q));
	cr_assert_eq(dt_r.count[0], 500);
}

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
