/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of dns/dns_query.c on EDNS: the OPT record, its options, cookies and BADVERS. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dns_query.h"
#include "dns_test_util.h"
#include "dns_wire.h"

Test(dns_query, opt_valid)
{
	struct dt_pkt p;
	struct dns_query q;
	static const uint8_t lname[] = "\7example\3com";

	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	dt_put_opt(&p, 4096, DNS_EDNS_DO);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_ANSWER);
	cr_assert(q.has_question);
	cr_assert(q.has_edns);
	cr_assert(q.edns_do);
	cr_assert_eq(q.edns_version, 0);
	cr_assert_eq(q.edns_udp_size, 4096);
	cr_assert_eq(q.edns_opts, 0);
	cr_assert_eq(q.question_end, 12 + 13 + 4);
	dt_assert_key(&q, lname, 13, DNS_TYPE_A, DNS_CLASS_IN, 1);

	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	dt_put_opt(&p, 1232, 0);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_ANSWER);
	cr_assert(q.has_edns);
	cr_assert_not(q.edns_do);
	cr_assert_eq(q.edns_udp_size, 1232);
	dt_assert_key(&q, lname, 13, DNS_TYPE_A, DNS_CLASS_IN, 0);
}

Test(dns_query, opt_z_bits_ignored)
{
	struct dt_pkt p;
	struct dns_query q;

	/* RFC 6891 6.1.4: Z is ignored by receivers. */
	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	dt_put_opt(&p, 1232, 0x7fff);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_ANSWER);
	cr_assert(q.has_edns);
	cr_assert_not(q.edns_do);
	cr_assert_eq(q.key.bytes[q.key.name_len + 4], 0);
}

Test(dns_query, opt_small_udp_size_raised_to_512)
{
	const uint16_t in[] = {0, 1, 100, 511, 512, 513, 1232, 65535};
	const uint16_t want[] = {512, 512, 512, 512, 512, 513, 1232, 65535};
	struct dt_pkt p;
	struct dns_query q;

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
		dt_put_opt(&p, in[i], 0);
		cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_ANSWER, "size %u", in[i]);
		cr_assert_eq(q.edns_udp_size, want[i], "size %u", in[i]);
	}
}

Test(dns_query, opt_version_over_0_badvers)
{
	struct dt_pkt p;
	struct dns_query q;

	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	dt_put_opt(&p, 1232, DT_TTL_VERSION(1));
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_BADVERS);
	cr_assert(q.has_edns);
	cr_assert(q.has_question);
	cr_assert_eq(q.edns_version, 1);
	cr_assert_eq(q.qname_len, 13);

	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	dt_put_opt(&p, 1232, DT_TTL_VERSION(255) | DNS_EDNS_DO);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_BADVERS);
	cr_assert(q.has_edns);
	cr_assert_eq(q.edns_version, 255);
}

Test(dns_query, badvers_needs_well_formed_opt)
{
	struct dt_pkt p;
	struct dns_query q;
	size_t rd;

	/* Version 1, but RDLEN runs past the packet: not a well-formed OPT. */
	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	rd = dt_opt_begin(&p, 1232, DT_TTL_VERSION(1));
	dns_put_u16(p.buf + rd, 8);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_edns);

	/* A bad question name decides before the OPT. */
	dt_put_header(&p, DNS_FLAG_RD, 1, 0, 0, 1);
	dt_put_bytes(&p, "\xc0\x0c", 2);
	dt_put_u16(&p, DNS_TYPE_A);
	dt_put_u16(&p, DNS_CLASS_IN);
	dt_put_opt(&p, 1232, DT_TTL_VERSION(1));
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_question);
}

Test(dns_query, opt_followed_by_garbage_formerr)
{
	struct dt_pkt p;
	struct dns_query q;

	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	dt_put_opt(&p, 1232, 0);
	dt_put_u8(&p, 0);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);

	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	dt_put_opt(&p, 1232, 0);
	dt_put_question(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);
}

Test(dns_query, opt_non_root_owner_formerr)
{
	struct dt_pkt p;
	struct dns_query q;

	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	dt_put_name(&p, "a");
	dt_put_u16(&p, DNS_TYPE_OPT);
	dt_put_u16(&p, 1232);
	dt_put_u32(&p, 0);
	dt_put_u16(&p, 0);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_edns);
	cr_assert(q.has_question, "the question was fine");

	/* One owner octet that is not 0, then what would be a perfect OPT. */
	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	dt_put_bytes(&p, "\x01\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00", 11);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_edns);

	/* Owner as a pointer to the question name. */
	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	dt_put_bytes(&p, "\xc0\x0c", 2);
	dt_put_u16(&p, DNS_TYPE_OPT);
	dt_put_u16(&p, 1232);
	dt_put_u32(&p, 0);
	dt_put_u16(&p, 0);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_edns);
}

Test(dns_query, non_opt_additional_formerr)
{
	struct dt_pkt p;
	struct dns_query q;

	/* An A record with the root owner (same shape as an OPT but for the type). */
	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	dt_put_a_rr(&p, ".");
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_edns);

	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	dt_put_a_rr(&p, "ns.example.com");
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);

	/* A TSIG record (key name, type 250, class ANY, ttl 0, some RDATA). */
	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	dt_put_name(&p, "key.example");
	dt_put_u16(&p, DNS_TYPE_TSIG);
	dt_put_u16(&p, DNS_CLASS_ANY);
	dt_put_u32(&p, 0);
	dt_put_u16(&p, 8);
	dt_put_bytes(&p, "\x0bhmac-sha2", 8);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_edns);
}

Test(dns_query, truncated_opt_formerr)
{
	struct dt_pkt p;
	struct dns_query q;
	const uint8_t cookie[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	size_t rd, qend;

	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	qend = p.len;
	rd = dt_opt_begin(&p, 1232, DNS_EDNS_DO);
	dt_opt_option(&p, 10, sizeof(cookie), cookie);
	dt_opt_option(&p, 3, 0, NULL);
	dt_opt_end(&p, rd);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_ANSWER);
	for (size_t n = qend; n < p.len; n++) {
		cr_assert_eq(dt_parse_n(&p, n, &q), DNS_VERDICT_FORMERR, "len %zu", n);
		cr_assert_not(q.has_edns, "len %zu", n);
	}
}

Test(dns_query, options_recorded)
{
	struct dt_pkt p;
	struct dns_query q;
	const uint8_t cookie[8] = {0xc0, 0x0c, 0, 0, 0xff, 1, 2, 3};
	const uint8_t ecs[7] = {0, 1, 24, 0, 192, 0, 2}; /* IPv4, /24, scope 0 */
	const uint8_t pad[16] = {0};
	const uint8_t dau[3] = {8, 13, 15};
	size_t rd;

	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	rd = dt_opt_begin(&p, 1232, 0);
	dt_opt_option(&p, 3, 0, NULL);
	dt_opt_option(&p, 8, sizeof(ecs), ecs);
	dt_opt_option(&p, 10, sizeof(cookie), cookie);
	dt_opt_option(&p, 11, 0, NULL);
	dt_opt_option(&p, 12, sizeof(pad), pad);
	dt_opt_option(&p, 5, sizeof(dau), dau);
	dt_opt_option(&p, 65001, 2, "xy");
	dt_opt_end(&p, rd);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_ANSWER);
	cr_assert(q.has_edns);
	cr_assert_eq(q.edns_opts, DNS_EDNS_OPT_NSID | DNS_EDNS_OPT_ECS | DNS_EDNS_OPT_COOKIE |
					  DNS_EDNS_OPT_KEEPALIVE | DNS_EDNS_OPT_PADDING |
					  DNS_EDNS_OPT_OTHER);
}

Test(dns_query, each_option_its_bit)
{
	const struct {
		uint16_t code;
		uint16_t len;
		uint8_t bit;
	} cases[] = {
		{3, 0, DNS_EDNS_OPT_NSID},     {8, 7, DNS_EDNS_OPT_ECS},
		{10, 8, DNS_EDNS_OPT_COOKIE},  {11, 0, DNS_EDNS_OPT_KEEPALIVE},
		{12, 5, DNS_EDNS_OPT_PADDING}, {0, 0, DNS_EDNS_OPT_OTHER},
		{5, 1, DNS_EDNS_OPT_OTHER},    {65535, 4, DNS_EDNS_OPT_OTHER},
	};
	const uint8_t data[8] = {0, 1, 24, 0, 192, 0, 2, 0};
	struct dt_pkt p;
	struct dns_query q;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t rd;

		dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
		rd = dt_opt_begin(&p, 1232, 0);
		dt_opt_option(&p, cases[i].code, cases[i].len, data);
		dt_opt_end(&p, rd);
		cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_ANSWER, "code %u", cases[i].code);
		cr_assert_eq(q.edns_opts, cases[i].bit, "code %u", cases[i].code);
	}
}

Test(dns_query, option_overruns_rdlen_formerr)
{
	struct dt_pkt p;
	struct dns_query q;
	size_t rd;

	/* RDLEN 6: an option header claiming 4 octets, and 2 of them. */
	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	rd = dt_opt_begin(&p, 1232, 0);
	dt_put_u16(&p, 3);
	dt_put_u16(&p, 4);
	dt_put_u16(&p, 0);
	dt_opt_end(&p, rd);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_edns);

	/* A second option overruns after a good first. */
	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	rd = dt_opt_begin(&p, 1232, 0);
	dt_opt_option(&p, 3, 0, NULL);
	dt_put_u16(&p, 12);
	dt_put_u16(&p, 100);
	dt_put_bytes(&p, "abcd", 4);
	dt_opt_end(&p, rd);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);

	/* Fewer than 4 octets left for an option header: 1, 2, 3. */
	for (unsigned n = 1; n < 4; n++) {
		dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
		rd = dt_opt_begin(&p, 1232, 0);
		dt_put_bytes(&p, "\0\3\0", n);
		dt_opt_end(&p, rd);
		cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR, "%u stray octets", n);
	}
}

Test(dns_query, option_overruns_packet_within_rdlen_formerr)
{
	struct dt_pkt p;
	struct dns_query q;
	size_t rd;

	/* The option length fits RDLEN, but RDLEN claims more than the packet has. */
	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	rd = dt_opt_begin(&p, 1232, 0);
	dt_opt_option(&p, 12, 4, "\0\0\0\0");
	dns_put_u16(p.buf + rd, 200);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_edns);
}

Test(dns_query, rdlen_overruns_packet_formerr)
{
	struct dt_pkt p;
	struct dns_query q;
	size_t rd;

	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	rd = dt_opt_begin(&p, 1232, 0);
	dns_put_u16(p.buf + rd, 1);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);

	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	rd = dt_opt_begin(&p, 1232, 0);
	dns_put_u16(p.buf + rd, 0xffff);
	dt_put_bytes(&p, "\0\3\0\0", 4);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_edns);
}

/* A query whose OPT holds one COOKIE option of @p len octets. */
static enum dns_verdict
cookie_verdict(uint16_t len, struct dns_query *q)
{
	static struct dt_pkt p;
	uint8_t data[64];
	size_t rd;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(0xa0 + i);
	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	rd = dt_opt_begin(&p, 1232, 0);
	dt_opt_option(&p, 10, len, data);
	dt_opt_end(&p, rd);
	return dt_parse(&p, q);
}

Test(dns_query, cookie_lengths)
{
	struct dns_query q;

	/* RFC 7873 4: client cookie 8 octets, optionally a server cookie of 8..32. */
	for (uint16_t len = 0; len <= 48; len++) {
		bool ok = len == 8 || (len >= 16 && len <= 40);
		enum dns_verdict v = cookie_verdict(len, &q);

		if (ok) {
			cr_assert_eq(v, DNS_VERDICT_ANSWER, "cookie of %u", len);
			cr_assert(q.has_edns);
			cr_assert_eq(q.edns_opts, DNS_EDNS_OPT_COOKIE);
		} else {
			cr_assert_eq(v, DNS_VERDICT_FORMERR, "cookie of %u", len);
			cr_assert_not(q.has_edns, "cookie of %u", len);
		}
	}
}

Test(dns_query, bad_cookie_among_good_options_formerr)
{
	struct dt_pkt p;
	struct dns_query q;
	const uint8_t data[12] = {0};
	size_t rd;

	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	rd = dt_opt_begin(&p, 1232, DNS_EDNS_DO);
	dt_opt_option(&p, 3, 0, NULL);
	dt_opt_option(&p, 10, 12, data);
	dt_opt_option(&p, 12, 4, data);
	dt_opt_end(&p, rd);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_edns);
}
