/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for dns_serve_error() of dns/dns_serve.c: FORMERR, NOTIMP, REFUSED, BADVERS and
 * other error replies, read back by libknot besides byte checks.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>
#include <libknot/libknot.h>

#include "dns_query.h"
#include "dns_serve.h"
#include "dns_test_util.h"

static uint8_t rbuf[65536 + 64];

static int
serve_err(const struct dns_query *q, uint16_t rcode)
{
	int len;

	memset(rbuf, 0xee, sizeof(rbuf));
	len = dns_serve_error(q, rcode, rbuf, sizeof(rbuf));
	cr_assert_gt(len, 0, "dns_serve_error: %d", len);
	dt_kparse(rbuf, len);
	cr_assert(dt_r.flags & DNS_FLAG_QR);
	cr_assert_not(dt_r.flags & DNS_FLAG_TC);
	cr_assert_not(dt_r.flags & DNS_FLAG_AA);
	cr_assert_eq(dt_r.n_rr, 0);
	cr_assert_eq(dt_r.id, q->id);
	cr_assert_eq(dt_r.qdcount, q->has_question ? 1 : 0);
	cr_assert_eq(dt_r.has_opt, q->has_edns || rcode > 15);
	cr_assert_eq((size_t)len, (q->has_question ? q->question_end : 12u) +
					  (dt_r.has_opt ? DNS_OPT_RR_LEN : 0));
	if (q->has_question)
		cr_assert_arr_eq(rbuf + 12, q->wire + 12, q->question_end - 12u,
				 "question not echoed as received");
	if (dt_r.has_opt) {
		cr_assert_eq(dt_r.opt_version, 0);
		cr_assert_eq(dt_r.opt_payload, DNS_EDNS_SIZE);
	}
	cr_assert_eq(dt_r.ext_rcode, rcode, "rcode %u read back as %u", rcode, dt_r.ext_rcode);
	cr_assert_eq(dt_r.flags & DNS_RCODE_MASK, rcode & 15);
	return len;
}

Test(dns_serve, formerr_with_question)
{
	/* A question and an A record where only OPT may be: FORMERR, question valid. */
	struct dns_query q;
	size_t len;
	enum dns_verdict v;

	len = dt_mkquery(dt_qbuf, &(struct dt_qspec){.id = 0x4242, .qname = "Www.Example.com"});
	dns_put_u16(dt_qbuf + 10, 1);
	memcpy(dt_qbuf + len, "\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\x0a\x00\x00\x01",
	       16);
	len += 16;
	v = dns_query_parse(dt_qbuf, len, &q);
	cr_assert_eq(v, DNS_VERDICT_FORMERR);
	cr_assert(q.has_question, "parser: the question of this query is valid");
	serve_err(&q, dns_verdict_rcode(v));
	cr_assert_eq(dt_r.flags & DNS_RCODE_MASK, DNS_RCODE_FORMERR);
	cr_assert_eq(dt_r.qdcount, 1);
	cr_assert_not(dt_r.has_opt);
}

Test(dns_serve, formerr_without_question)
{
	struct dns_query q;
	enum dns_verdict v;

	/* QDCOUNT 0. */
	memset(dt_qbuf, 0, 12);
	dns_put_u16(dt_qbuf, 0x1111);
	v = dns_query_parse(dt_qbuf, 12, &q);
	cr_assert_eq(v, DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_question);
	cr_assert_eq(serve_err(&q, DNS_RCODE_FORMERR), 12);
	cr_assert_eq(dt_r.qdcount, 0);

	/* A compression pointer in the question name. */
	memset(dt_qbuf, 0, 12);
	dns_put_u16(dt_qbuf, 0x2222);
	dns_put_u16(dt_qbuf + 4, 1);
	memcpy(dt_qbuf + 12, "\x03www\xc0\x0c\x00\x01\x00\x01", 10);
	v = dns_query_parse(dt_qbuf, 22, &q);
	cr_assert_eq(v, DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_question);
	cr_assert_eq(serve_err(&q, DNS_RCODE_FORMERR), 12);
	cr_assert_eq(dt_r.id, 0x2222);
}

Test(dns_serve, formerr_has_question_forced_off)
{
	/* Whatever the parser says, has_question decides the echo. */
	struct dns_query q;

	dt_query(&(struct dt_qspec){.id = 3, .qname = "www.example.com"}, &q);
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

		dt_query_verdict(&(struct dt_qspec){.id = (uint16_t)(100 + i), .flags = f,
						    .qname = "example.com", .qtype = DNS_TYPE_SOA},
				 &q, DNS_VERDICT_NOTIMP);
		serve_err(&q, dns_verdict_rcode(DNS_VERDICT_NOTIMP));
		cr_assert_eq(dt_r.flags & DNS_RCODE_MASK, DNS_RCODE_NOTIMP);
		cr_assert_eq(knot_wire_get_opcode(rbuf), ops[i], "opcode %u not echoed", ops[i]);
	}
}

Test(dns_serve, notimp_for_maila)
{
	struct dns_query q;

	dt_query_verdict(&(struct dt_qspec){.qname = "example.com", .qtype = DNS_TYPE_MAILA}, &q,
			 DNS_VERDICT_NOTIMP);
	serve_err(&q, DNS_RCODE_NOTIMP);
	cr_assert_eq(knot_wire_get_opcode(rbuf), 0);
	cr_assert_eq(dt_r.qdcount, 1);
	cr_assert_eq(dt_r.qtype, DNS_TYPE_MAILA);
}

Test(dns_serve, refused_for_axfr)
{
	struct dns_query q;

	dt_query_verdict(&(struct dt_qspec){.id = 0xabcd, .qname = "Example.COM",
					    .qtype = DNS_TYPE_AXFR},
			 &q, DNS_VERDICT_REFUSED);
	serve_err(&q, dns_verdict_rcode(DNS_VERDICT_REFUSED));
	cr_assert_eq(dt_r.flags & DNS_RCODE_MASK, DNS_RCODE_REFUSED);
	cr_assert_eq(dt_r.qdcount, 1);
	cr_assert_eq(dt_r.qtype, DNS_TYPE_AXFR);
	cr_assert_not(dt_r.has_opt);

	dt_query_verdict(&(struct dt_qspec){.qname = "example.com", .qtype = DNS_TYPE_IXFR,
					    .edns = true, .do_bit = true},
			 &q, DNS_VERDICT_REFUSED);
	serve_err(&q, DNS_RCODE_REFUSED);
	cr_assert(dt_r.has_opt);
}

Test(dns_serve, badvers_in_opt)
{
	struct dns_query q;

	dt_query_verdict(&(struct dt_qspec){.id = 7, .qname = "www.example.com", .edns = true,
					    .version = 1},
			 &q, DNS_VERDICT_BADVERS);
	cr_assert_eq(dns_verdict_rcode(DNS_VERDICT_BADVERS), DNS_RCODE_BADVERS);
	serve_err(&q, DNS_RCODE_BADVERS);
	cr_assert_eq(dt_r.flags & DNS_RCODE_MASK, 0, "BADVERS: header RCODE must be 0");
	cr_assert(dt_r.has_opt, "BADVERS without OPT");
	cr_assert_eq(dt_r.opt_ext_rcode, 1);
	cr_assert_eq(dt_r.opt_version, 0);
	cr_assert_eq(dt_r.ext_rcode, 16);
	cr_assert_eq(dns_get_u32(rbuf + dt_r.len - 6) >> 24, 1, "OPT TTL octet 0 is ext-rcode");
}

Test(dns_serve, badvers_without_edns_still_has_opt)
{
	struct dns_query q;

	dt_query(&(struct dt_qspec){.qname = "www.example.com"}, &q);
	serve_err(&q, DNS_RCODE_BADVERS);
	cr_assert(dt_r.has_opt);
	cr_assert_eq(dt_r.ext_rcode, 16);
}

Test(dns_serve, extended_rcode_split)
{
	/* 23 (BADCOOKIE) = ext 1, header 7; 4095 = ext 255, header 15. */
	const uint16_t rcodes[] = {23, 4095, 0x0f0};
	struct dns_query q;

	for (size_t i = 0; i < VD_ARRAY_SIZE(rcodes); i++) {
		dt_query(&(struct dt_qspec){.qname = "www.example.com", .edns = true}, &q);
		serve_err(&q, rcodes[i]);
		cr_assert_eq(dt_r.opt_ext_rcode, rcodes[i] >> 4);
	}
}

Test(dns_serve, error_opt_iff_edns)
{
	struct dns_query q;

	dt_query(&(struct dt_qspec){.qname = "www.example.com", .edns = true, .do_bit = true}, &q);
	serve_err(&q, DNS_RCODE_SERVFAIL);
	cr_assert(dt_r.has_opt);
	dt_query(&(struct dt_qspec){.qname = "www.example.com"}, &q);
	serve_err(&q, DNS_RCODE_SERVFAIL);
	cr_assert_not(dt_r.has_opt);
	serve_err(&q, DNS_RCODE_REFUSED);
	cr_assert_not(dt_r.has_opt);
}

Test(dns_serve, error_emsgsize)
{
	struct dns_query q;
	int need;

	dt_query(&(struct dt_qspec){.qname = "www.example.com", .edns = true}, &q);
	need = 12 + 17 + 4 + 11;
	cr_assert_eq(dns_serve_error(&q, DNS_RCODE_SERVFAIL, rbuf, (size_t)need), need);
	cr_assert_eq(dns_serve_error(&q, DNS_RCODE_SERVFAIL, rbuf, (size_t)need - 1), -EMSGSIZE);
	cr_assert_eq(dns_serve_error(&q, DNS_RCODE_SERVFAIL, rbuf, 11), -EMSGSIZE);
	cr_assert_eq(dns_serve_error(&q, DNS_RCODE_SERVFAIL, rbuf, 0), -EMSGSIZE);
}

Test(dns_serve, error_in_place)
{
	static uint8_t sep[4096];
	const struct dt_qspec s = {.id = 0x5151, .flags = DNS_FLAG_RD, .qname = "In.Place.Example",
				.edns = true, .version = 1};
	struct dns_query q1, q2;
	size_t qlen = dt_mkquery(dt_qbuf, &s);
	int l1, l2;

	memcpy(sep, dt_qbuf, qlen);
	cr_assert_eq(dns_query_parse(sep, qlen, &q1), DNS_VERDICT_BADVERS);
	cr_assert_eq(dns_query_parse(dt_qbuf, qlen, &q2), DNS_VERDICT_BADVERS);
	l1 = dns_serve_error(&q1, DNS_RCODE_BADVERS, rbuf, sizeof(rbuf));
	l2 = dns_serve_error(&q2, DNS_RCODE_BADVERS, dt_qbuf, sizeof(dt_qbuf));
	cr_assert_gt(l1, 0);
	cr_assert_eq(l1, l2);
	cr_assert_arr_eq(dt_qbuf, rbuf, (size_t)l1);
	dt_kparse(dt_qbuf, l2);
	cr_assert_eq(dt_r.ext_rcode, 16);
}
