/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of dns/dns_query.c: one verdict per datagram, the parsed fields and the cache key.
 * EDNS has its own file, test_query_edns.c.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dns_name.h"
#include "dns_query.h"
#include "dns_test_util.h"
#include "dns_wire.h"

/* Verdict of a query for example.com/@p qtype/@p qclass without EDNS. */
static enum dns_verdict
verdict_of(uint16_t qtype, uint16_t qclass, struct dns_query *q)
{
	struct dt_pkt p;

	dt_put_query(&p, "example.com", qtype, qclass, 0);
	return dt_parse(&p, q);
}

/* ---- good queries ---- */

Test(dns_query, plain_query_answer)
{
	struct dt_pkt p;
	struct dns_query q;
	static const uint8_t lname[] = "\3www\7example\3com";

	dt_put_query(&p, "www.example.com", DNS_TYPE_A, DNS_CLASS_IN, 0);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_ANSWER);
	cr_assert_eq(q.wire, p.buf);
	cr_assert_eq(q.wire_len, p.len);
	cr_assert_eq(q.id, DT_TEST_ID);
	cr_assert_eq(q.flags, DNS_FLAG_RD);
	cr_assert_eq(q.qtype, DNS_TYPE_A);
	cr_assert_eq(q.qclass, DNS_CLASS_IN);
	cr_assert_eq(q.qname_len, 17);
	cr_assert_eq(q.question_end, 12 + 17 + 4);
	cr_assert_eq(q.question_end, p.len);
	cr_assert(q.has_question);
	cr_assert_not(q.has_edns);
	cr_assert_not(q.edns_do);
	cr_assert_eq(q.edns_opts, 0);
	dt_assert_key(&q, lname, 17, DNS_TYPE_A, DNS_CLASS_IN, 0);
}

Test(dns_query, wire_is_the_message)
{
	struct dt_pkt p;
	struct dns_query q;

	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 0);
	memset(&q, 0, sizeof(q));
	cr_assert_eq(dns_query_parse(p.buf, p.len, &q), DNS_VERDICT_ANSWER);
	cr_assert_eq(q.wire, p.buf);
	cr_assert_eq(q.wire_len, p.len);
}

Test(dns_query, root_question)
{
	struct dt_pkt p;
	struct dns_query q;
	const uint8_t root[1] = {0};

	dt_put_query(&p, ".", DNS_TYPE_NS, DNS_CLASS_IN, 0);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_ANSWER);
	cr_assert_eq(q.qname_len, 1);
	cr_assert_eq(q.question_end, 17);
	dt_assert_key(&q, root, 1, DNS_TYPE_NS, DNS_CLASS_IN, 0);
}

/* A 255-octet question name of labels 63, 63, 63, 61 (or 62 for 256 octets). */
static void
long_query(struct dt_pkt *p, unsigned last)
{
	dt_put_header(p, 0, 1, 0, 0, 0);
	for (unsigned i = 0; i < 4; i++) {
		unsigned l = i < 3 ? 63 : last;

		dt_put_u8(p, (uint8_t)l);
		for (unsigned j = 0; j < l; j++)
			dt_put_u8(p, (uint8_t)('A' + (i + j) % 26));
	}
	dt_put_u8(p, 0);
	dt_put_u16(p, DNS_TYPE_AAAA);
	dt_put_u16(p, DNS_CLASS_IN);
}

Test(dns_query, name_255_answer_256_formerr)
{
	struct dt_pkt p;
	struct dns_query q;
	uint8_t lname[DNS_NAME_MAXLEN];

	long_query(&p, 61);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_ANSWER);
	cr_assert_eq(q.qname_len, 255);
	cr_assert_eq(q.key.len, 260);
	for (size_t i = 0; i < 255; i++)
		lname[i] = dns_lower(p.buf[12 + i]);
	dt_assert_key(&q, lname, 255, DNS_TYPE_AAAA, DNS_CLASS_IN, 0);

	long_query(&p, 62);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_question);
}

Test(dns_query, header_flags_kept_and_ignored)
{
	struct dt_pkt p;
	struct dns_query q;
	/* Everything but QR and opcode: AA TC RD RA Z AD CD and an rcode. None decides. */
	const uint16_t flags = DNS_FLAG_AA | DNS_FLAG_TC | DNS_FLAG_RD | DNS_FLAG_RA | DNS_FLAG_Z |
			       DNS_FLAG_AD | DNS_FLAG_CD | 0x5;

	dt_put_header(&p, flags, 1, 0, 0, 0);
	dt_put_question(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_ANSWER);
	cr_assert_eq(q.flags, flags);

	dt_put_header(&p, 0, 1, 0, 0, 0);
	dt_put_question(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_ANSWER);
	cr_assert_eq(q.flags, 0);
}

Test(dns_query, other_types_and_classes_answer)
{
	struct dns_query q;
	const uint16_t types[] = {DNS_TYPE_A, DNS_TYPE_NS, DNS_TYPE_SOA, DNS_TYPE_MX,
				  DNS_TYPE_TXT, DNS_TYPE_AAAA, DNS_TYPE_DS, DNS_TYPE_DNSKEY,
				  DNS_TYPE_HTTPS, DNS_TYPE_ANY, 40, 42, 248, 256, 65535};
	const uint16_t classes[] = {DNS_CLASS_IN, DNS_CLASS_CH, 2, 4, 253, 256, 65535};

	static const uint8_t lname[] = "\7example\3com";

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		cr_assert_eq(verdict_of(types[i], DNS_CLASS_IN, &q), DNS_VERDICT_ANSWER, "type %u",
			     types[i]);
		cr_assert_eq(q.qtype, types[i]);
		dt_assert_key(&q, lname, sizeof(lname), types[i], DNS_CLASS_IN, 0);
	}
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		cr_assert_eq(verdict_of(DNS_TYPE_A, classes[i], &q), DNS_VERDICT_ANSWER,
			     "class %u", classes[i]);
		cr_assert_eq(q.qclass, classes[i]);
		dt_assert_key(&q, lname, sizeof(lname), DNS_TYPE_A, classes[i], 0);
	}
}

Test(dns_query, chaos_class_answerable)
{
	struct dt_pkt p;
	struct dns_query q;
	static const uint8_t lname[] = "\7version\4bind";

	dt_put_query(&p, "VERSION.BIND", DNS_TYPE_TXT, DNS_CLASS_CH, 0);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_ANSWER);
	cr_assert(q.has_question);
	dt_assert_key(&q, lname, sizeof(lname), DNS_TYPE_TXT, DNS_CLASS_CH, 0);
}

/* ---- DROP ---- */

Test(dns_query, short_packets_dropped)
{
	struct dt_pkt p;
	struct dns_query q;

	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 0);
	for (size_t n = 0; n < DNS_HEADER_LEN; n++)
		cr_assert_eq(dt_parse_n(&p, n, &q), DNS_VERDICT_DROP, "len %zu", n);
}

Test(dns_query, responses_dropped)
{
	struct dt_pkt p;
	struct dns_query q;

	dt_put_header(&p, DNS_FLAG_QR | DNS_FLAG_RD | DNS_FLAG_RA, 1, 0, 0, 0);
	dt_put_question(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_DROP);

	/* QR decides before anything else: bad opcode, counts or question. */
	dt_put_header(&p, DNS_FLAG_QR | (DNS_OPCODE_UPDATE << DNS_OPCODE_SHIFT), 0, 0, 0, 0);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_DROP);
	dt_put_header(&p, DNS_FLAG_QR, 2, 1, 1, 5);
	dt_put_bytes(&p, "\xc0\x0c", 2);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_DROP);
	dt_put_header(&p, DNS_FLAG_QR | DNS_RCODE_FORMERR, 0, 0, 0, 0);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_DROP);
}

Test(dns_query, oversize_datagram_dropped)
{
	/*
	 * Not in the header's list, but no DNS message exceeds 65535 octets
	 * (wire_len is 16 bits): a larger "datagram" is dropped, not answered.
	 */
	struct dt_pkt p;
	struct dns_query q;
	uint8_t *big = calloc(1, DNS_MSG_MAXLEN + 1);

	cr_assert_not_null(big);
	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 0);
	memcpy(big, p.buf, p.len);
	cr_assert_eq(dns_query_parse(big, DNS_MSG_MAXLEN + 1, &q), DNS_VERDICT_DROP);
	/* 65535 octets is a (trailing-garbage) message like any other. */
	cr_assert_eq(dns_query_parse(big, DNS_MSG_MAXLEN, &q), DNS_VERDICT_FORMERR);
	cr_assert_eq(q.wire_len, DNS_MSG_MAXLEN);
	free(big);
}

/* ---- NOTIMP: opcode ---- */

Test(dns_query, non_query_opcodes_notimp)
{
	struct dt_pkt p;
	struct dns_query q;

	for (uint16_t op = 1; op < 16; op++) {
		uint16_t flags = (uint16_t)(op << DNS_OPCODE_SHIFT) | DNS_FLAG_RD;

		dt_put_header(&p, flags, 1, 0, 0, 0);
		dt_put_question(&p, "example.com", DNS_TYPE_SOA, DNS_CLASS_IN);
		cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_NOTIMP, "opcode %u", op);
		cr_assert_eq(q.id, DT_TEST_ID);
		cr_assert_eq(q.flags, flags);

		/* The opcode is checked before the counts and the question. */
		dt_put_header(&p, flags, 0, 0, 0, 0);
		cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_NOTIMP, "opcode %u, header only", op);
		cr_assert_not(q.has_question);
		cr_assert_not(q.has_edns);
	}
}

/* ---- FORMERR: header counts ---- */

Test(dns_query, qdcount_0_formerr)
{
	struct dt_pkt p;
	struct dns_query q;

	dt_put_header(&p, DNS_FLAG_RD, 0, 0, 0, 0);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_question);
	cr_assert_not(q.has_edns);
	cr_assert_eq(q.id, DT_TEST_ID);

	/* A question present but not declared is trailing garbage at best. */
	dt_put_header(&p, DNS_FLAG_RD, 0, 0, 0, 0);
	dt_put_question(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_question);
}

Test(dns_query, qdcount_2_formerr)
{
	struct dt_pkt p;
	struct dns_query q;

	dt_put_header(&p, DNS_FLAG_RD, 2, 0, 0, 0);
	dt_put_question(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN);
	dt_put_question(&p, "example.net", DNS_TYPE_A, DNS_CLASS_IN);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_question);

	dt_put_header(&p, DNS_FLAG_RD, 0xffff, 0, 0, 0);
	dt_put_question(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);
}

Test(dns_query, answer_or_authority_records_formerr)
{
	struct dt_pkt p;
	struct dns_query q;

	dt_put_header(&p, DNS_FLAG_RD, 1, 1, 0, 0);
	dt_put_question(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN);
	dt_put_a_rr(&p, "example.com");
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR, "ANCOUNT 1");

	dt_put_header(&p, DNS_FLAG_RD, 1, 0, 1, 0);
	dt_put_question(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN);
	dt_put_a_rr(&p, "example.com");
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR, "NSCOUNT 1");

	dt_put_header(&p, DNS_FLAG_RD, 1, 0xffff, 0xffff, 0);
	dt_put_question(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR, "counts without records");
}

Test(dns_query, arcount_over_1_formerr)
{
	struct dt_pkt p;
	struct dns_query q;

	/* Two OPTs. */
	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 2);
	dt_put_opt(&p, 1232, 0);
	dt_put_opt(&p, 1232, 0);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_edns);

	/* OPT and an A record. */
	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 2);
	dt_put_opt(&p, 1232, 0);
	dt_put_a_rr(&p, ".");
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);

	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 0xffff);
	dt_put_opt(&p, 1232, 0);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);

	/* The count alone decides, with no records behind it. */
	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 2);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);
	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR, "ARCOUNT 1, no record");

	/* A header check: it decides before the question type (AXFR would be REFUSED). */
	dt_put_query(&p, "example.com", DNS_TYPE_AXFR, DNS_CLASS_IN, 2);
	dt_put_opt(&p, 1232, 0);
	dt_put_opt(&p, 1232, 0);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);
}

/* ---- FORMERR: question name ---- */

Test(dns_query, compression_pointer_in_question_formerr)
{
	struct dt_pkt p;
	struct dns_query q;

	dt_put_header(&p, DNS_FLAG_RD, 1, 0, 0, 0);
	dt_put_bytes(&p, "\xc0\x0c", 2);
	dt_put_u16(&p, DNS_TYPE_A);
	dt_put_u16(&p, DNS_CLASS_IN);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_question);

	/* www + pointer back to the header: a valid pointer in a message, not in a question. */
	dt_put_header(&p, DNS_FLAG_RD, 1, 0, 0, 0);
	dt_put_bytes(&p, "\3www\xc0\x00", 6);
	dt_put_u16(&p, DNS_TYPE_A);
	dt_put_u16(&p, DNS_CLASS_IN);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_question);
}

Test(dns_query, bad_labels_in_question_formerr)
{
	struct dt_pkt p;
	struct dns_query q;
	const uint8_t types[] = {0x40, 0x7f, 0x80, 0xbf};

	for (size_t i = 0; i < sizeof(types); i++) {
		dt_put_header(&p, DNS_FLAG_RD, 1, 0, 0, 0);
		dt_put_bytes(&p, "\7example", 8);
		dt_put_u8(&p, types[i]);
		for (unsigned j = 0; j < 70; j++)
			dt_put_u8(&p, 'a');
		dt_put_u8(&p, 0);
		dt_put_u16(&p, DNS_TYPE_A);
		dt_put_u16(&p, DNS_CLASS_IN);
		cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR, "label octet 0x%02x", types[i]);
		cr_assert_not(q.has_question);
	}
}

Test(dns_query, truncated_question_formerr)
{
	struct dt_pkt p;
	struct dns_query q;

	/* Every cut inside the name, QTYPE or QCLASS. */
	dt_put_query(&p, "www.example.com", DNS_TYPE_A, DNS_CLASS_IN, 0);
	for (size_t n = DNS_HEADER_LEN; n < p.len; n++) {
		cr_assert_eq(dt_parse_n(&p, n, &q), DNS_VERDICT_FORMERR, "len %zu", n);
		cr_assert_not(q.has_question, "len %zu", n);
	}
}

/* ---- question type and class ---- */

Test(dns_query, meta_types_in_question_formerr)
{
	struct dns_query q;

	cr_assert_eq(verdict_of(DNS_TYPE_OPT, DNS_CLASS_IN, &q), DNS_VERDICT_FORMERR);
	cr_assert_eq(verdict_of(DNS_TYPE_TSIG, DNS_CLASS_IN, &q), DNS_VERDICT_FORMERR);
	cr_assert_eq(verdict_of(DNS_TYPE_TKEY, DNS_CLASS_IN, &q), DNS_VERDICT_FORMERR);
}

Test(dns_query, class_0_and_none_formerr)
{
	struct dns_query q;

	cr_assert_eq(verdict_of(DNS_TYPE_A, 0, &q), DNS_VERDICT_FORMERR);
	cr_assert_eq(verdict_of(DNS_TYPE_A, DNS_CLASS_NONE, &q), DNS_VERDICT_FORMERR);
}

Test(dns_query, zone_transfer_refused)
{
	struct dns_query q;

	cr_assert_eq(verdict_of(DNS_TYPE_AXFR, DNS_CLASS_IN, &q), DNS_VERDICT_REFUSED);
	cr_assert(q.has_question, "a valid question is echoed with REFUSED");
	cr_assert_eq(q.qtype, DNS_TYPE_AXFR);
	cr_assert_eq(verdict_of(DNS_TYPE_IXFR, DNS_CLASS_IN, &q), DNS_VERDICT_REFUSED);
	cr_assert(q.has_question);
}

Test(dns_query, maila_mailb_notimp)
{
	struct dns_query q;

	cr_assert_eq(verdict_of(DNS_TYPE_MAILA, DNS_CLASS_IN, &q), DNS_VERDICT_NOTIMP);
	cr_assert(q.has_question);
	cr_assert_eq(verdict_of(DNS_TYPE_MAILB, DNS_CLASS_IN, &q), DNS_VERDICT_NOTIMP);
	cr_assert(q.has_question);
}

Test(dns_query, class_any_notimp)
{
	struct dns_query q;

	cr_assert_eq(verdict_of(DNS_TYPE_A, DNS_CLASS_ANY, &q), DNS_VERDICT_NOTIMP);
	cr_assert(q.has_question);
	cr_assert_eq(q.qclass, DNS_CLASS_ANY);
}

Test(dns_query, refused_and_notimp_echo_valid_opt)
{
	struct dt_pkt p;
	struct dns_query q;

	/* The OPT is read before the question type decides, so the reply can carry OPT. */
	dt_put_query(&p, "example.com", DNS_TYPE_AXFR, DNS_CLASS_IN, 1);
	dt_put_opt(&p, 4096, DNS_EDNS_DO);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_REFUSED);
	cr_assert(q.has_edns);
	cr_assert(q.edns_do);
	cr_assert_eq(q.edns_udp_size, 4096);

	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_ANY, 1);
	dt_put_opt(&p, 1400, 0);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_NOTIMP);
	cr_assert(q.has_edns);
	cr_assert_eq(q.edns_udp_size, 1400);
}

Test(dns_query, malformed_opt_beats_question_type)
{
	struct dt_pkt p;
	struct dns_query q;

	size_t rd;

	/* The additional record is checked before the question type and class. */
	dt_put_query(&p, "example.com", DNS_TYPE_AXFR, DNS_CLASS_IN, 1);
	rd = dt_opt_begin(&p, 4096, 0);
	dt_put_u16(&p, 3);
	dt_put_u16(&p, 9); /* NSID claiming 9 octets, none there */
	dt_opt_end(&p, rd);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);

	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_ANY, 1);
	dt_put_a_rr(&p, ".");
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);
}

/* ---- trailing bytes ---- */

Test(dns_query, trailing_garbage_formerr)
{
	struct dt_pkt p;
	struct dns_query q;

	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 0);
	dt_put_u8(&p, 0);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);

	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 0);
	for (unsigned i = 0; i < 100; i++)
		dt_put_u8(&p, (uint8_t)i);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);

	/* An OPT present but not declared in ARCOUNT. */
	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 0);
	dt_put_opt(&p, 1232, 0);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_edns);
}

/* ---- the cache key ---- */

Test(dns_query, key_is_lower_case_name_type_class_do)
{
	struct dt_pkt p;
	struct dns_query q;
	static const uint8_t orig[] = "\3WwW\7ExAmPlE\3CoM";
	static const uint8_t lname[] = "\3www\7example\3com";

	dt_put_query(&p, "WwW.ExAmPlE.CoM", DNS_TYPE_AAAA, DNS_CLASS_IN, 1);
	dt_put_opt(&p, 1232, DNS_EDNS_DO);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_ANSWER);
	dt_assert_key(&q, lname, sizeof(lname), DNS_TYPE_AAAA, DNS_CLASS_IN, 1);
	cr_assert_eq(q.key.len, 17 + 5);
	cr_assert_eq(q.key.len, q.qname_len + 5);
	/* The client's spelling stays in the packet for the reply. */
	cr_assert_eq(memcmp(q.wire + DNS_HEADER_LEN, orig, sizeof(orig)), 0);
	cr_assert_eq(q.qname_len, sizeof(orig));
}

Test(dns_query, key_same_for_any_spelling)
{
	struct dt_pkt p;
	struct dns_query a, b;

	dt_put_query(&p, "WWW.EXAMPLE.COM", DNS_TYPE_MX, DNS_CLASS_IN, 0);
	cr_assert_eq(dt_parse(&p, &a), DNS_VERDICT_ANSWER);
	dt_put_query(&p, "www.example.com", DNS_TYPE_MX, DNS_CLASS_IN, 0);
	cr_assert_eq(dt_parse(&p, &b), DNS_VERDICT_ANSWER);
	cr_assert_eq(a.key.len, b.key.len);
	cr_assert_eq(memcmp(a.key.bytes, b.key.bytes, a.key.len), 0);

	/* DO, type and class each change the key. */
	dt_put_query(&p, "www.example.com", DNS_TYPE_MX, DNS_CLASS_IN, 1);
	dt_put_opt(&p, 1232, DNS_EDNS_DO);
	cr_assert_eq(dt_parse(&p, &b), DNS_VERDICT_ANSWER);
	cr_assert_neq(memcmp(a.key.bytes, b.key.bytes, a.key.len), 0);
	dt_put_query(&p, "www.example.com", DNS_TYPE_A, DNS_CLASS_IN, 0);
	cr_assert_eq(dt_parse(&p, &b), DNS_VERDICT_ANSWER);
	cr_assert_neq(memcmp(a.key.bytes, b.key.bytes, a.key.len), 0);
	dt_put_query(&p, "www.example.com", DNS_TYPE_MX, DNS_CLASS_CH, 0);
	cr_assert_eq(dt_parse(&p, &b), DNS_VERDICT_ANSWER);
	cr_assert_neq(memcmp(a.key.bytes, b.key.bytes, a.key.len), 0);
}

Test(dns_query, key_folds_ascii_only)
{
	struct dt_pkt p;
	struct dns_query q;
	static const uint8_t name[] = {4, 0xc0, 'Q', 0x00, '.', 3, 'C', 'O', 'M', 0};
	static const uint8_t lname[] = {4, 0xc0, 'q', 0x00, '.', 3, 'c', 'o', 'm', 0};

	dt_put_header(&p, DNS_FLAG_RD, 1, 0, 0, 0);
	dt_put_bytes(&p, name, sizeof(name));
	dt_put_u16(&p, DNS_TYPE_A);
	dt_put_u16(&p, DNS_CLASS_IN);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_ANSWER);
	dt_assert_key(&q, lname, sizeof(lname), DNS_TYPE_A, DNS_CLASS_IN, 0);
	cr_assert_eq(memcmp(q.wire + 12, name, sizeof(name)), 0);
}

/* ---- verdict names and rcodes ---- */

Test(dns_query, verdict_names)
{
	cr_assert_str_eq(dns_verdict_name(DNS_VERDICT_ANSWER), "answer");
	cr_assert_str_eq(dns_verdict_name(DNS_VERDICT_FORMERR), "formerr");
	cr_assert_str_eq(dns_verdict_name(DNS_VERDICT_NOTIMP), "notimp");
	cr_assert_str_eq(dns_verdict_name(DNS_VERDICT_REFUSED), "refused");
	cr_assert_str_eq(dns_verdict_name(DNS_VERDICT_BADVERS), "badvers");
	cr_assert_str_eq(dns_verdict_name(DNS_VERDICT_DROP), "drop");
	cr_assert_not_null(dns_verdict_name(DNS_VERDICT_COUNT));
	cr_assert_not_null(dns_verdict_name((enum dns_verdict)200));
}

Test(dns_query, verdict_rcodes)
{
	cr_assert_eq(dns_verdict_rcode(DNS_VERDICT_ANSWER), DNS_RCODE_NOERROR);
	cr_assert_eq(dns_verdict_rcode(DNS_VERDICT_FORMERR), DNS_RCODE_FORMERR);
	cr_assert_eq(dns_verdict_rcode(DNS_VERDICT_NOTIMP), DNS_RCODE_NOTIMP);
	cr_assert_eq(dns_verdict_rcode(DNS_VERDICT_REFUSED), DNS_RCODE_REFUSED);
	cr_assert_eq(dns_verdict_rcode(DNS_VERDICT_BADVERS), 16);
}

/* ---- dns_query_udp_limit ---- */

Test(dns_query, udp_limit)
{
	struct dns_query q;

	memset(&q, 0, sizeof(q));
	q.has_edns = false;
	q.edns_udp_size = 4096;
	cr_assert_eq(dns_query_udp_limit(&q, DNS_EDNS_SIZE), 512, "no EDNS: 512");
	q.has_edns = true;
	cr_assert_eq(dns_query_udp_limit(&q, DNS_EDNS_SIZE), 1232, "clamped to max");
	q.edns_udp_size = 1000;
	cr_assert_eq(dns_query_udp_limit(&q, DNS_EDNS_SIZE), 1000);
	q.edns_udp_size = 512;
	cr_assert_eq(dns_query_udp_limit(&q, DNS_EDNS_SIZE), 512);
	q.edns_udp_size = 100;
	cr_assert_eq(dns_query_udp_limit(&q, DNS_EDNS_SIZE), 512, "never below 512");
	q.edns_udp_size = 65535;
	cr_assert_eq(dns_query_udp_limit(&q, 65535), 65535);
	q.edns_udp_size = 4096;
	cr_assert_eq(dns_query_udp_limit(&q, 300), 512, "a max under 512 still gives 512");
}

Test(dns_query, udp_limit_after_parse)
{
	struct dt_pkt p;
	struct dns_query q;

	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 0);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_ANSWER);
	cr_assert_eq(dns_query_udp_limit(&q, DNS_EDNS_SIZE), 512);
	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	dt_put_opt(&p, 100, 0);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_ANSWER);
	cr_assert_eq(dns_query_udp_limit(&q, DNS_EDNS_SIZE), 512);
	dt_put_query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	dt_put_opt(&p, 4096, 0);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_ANSWER);
	cr_assert_eq(dns_query_udp_limit(&q, DNS_EDNS_SIZE), 1232);
}

/* ---- literal packets, as a dig(1) would send them ---- */

Test(dns_query, literal_dig_query)
{
	/* dig +cookie example.com A: RD, AD, OPT 1232 with an 8-octet COOKIE. */
	static const uint8_t pkt[] = {
		0x12, 0x34, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
		0x07, 'e',  'x',  'a',  'm',  'p',  'l',  'e',  0x03, 'c',  'o',  'm',
		0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x0c, 0x00, 0x0a, 0x00, 0x08, 0x5f, 0x8e, 0x1e, 0x3c,
		0x94, 0x22, 0x7b, 0x01,
	};
	struct dt_pkt p;
	struct dns_query q;

	memcpy(p.buf, pkt, sizeof(pkt));
	p.len = sizeof(pkt);
	cr_assert_eq(dt_parse(&p, &q), DNS_VERDICT_ANSWER);
	cr_assert_eq(q.id, 0x1234);
	cr_assert_eq(q.flags, DNS_FLAG_RD | DNS_FLAG_AD);
	cr_assert_eq(q.edns_udp_size, 1232);
	cr_assert_eq(q.edns_opts, DNS_EDNS_OPT_COOKIE);
	cr_assert_not(q.edns_do);
}
