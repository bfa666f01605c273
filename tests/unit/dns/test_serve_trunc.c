/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for dns/dns_serve.c: truncation to the client's limit (TC, whole RRsets of the
 * additional and authority sections dropped, negative answers kept whole). Replies are read
 * back by libknot besides byte checks.
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
