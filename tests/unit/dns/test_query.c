/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of dns/dns_query.c: one verdict per datagram, the parsed fields and the cache key. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dns_name.h"
#include "dns_query.h"
#include "dns_test_util.h"
#include "dns_wire.h"

#define TEST_ID 0xbeef

/* ---- a small packet builder ---- */

struct pkt {
	uint8_t buf[1024];
	size_t len;
};

static void
put_bytes(struct pkt *p, const void *b, size_t n)
{
	cr_assert_leq(p->len + n, sizeof(p->buf));
	memcpy(p->buf + p->len, b, n);
	p->len += n;
}

static void
put_u8(struct pkt *p, uint8_t v)
{
	put_bytes(p, &v, 1);
}

static void
put_u16(struct pkt *p, uint16_t v)
{
	uint8_t b[2];

	dns_put_u16(b, v);
	put_bytes(p, b, 2);
}

static void
put_u32(struct pkt *p, uint32_t v)
{
	uint8_t b[4];

	dns_put_u32(b, v);
	put_bytes(p, b, 4);
}

/* Plain text name ("www.example.com", "." for the root, no escapes) in wire form. */
static void
put_name(struct pkt *p, const char *text)
{
	uint8_t tmp[sizeof(p->buf)];

	put_bytes(p, tmp, dt_wire(text, tmp));
}

/* Start a message: ID, flags and the four counts. */
static void
put_header(struct pkt *p, uint16_t flags, uint16_t qd, uint16_t an, uint16_t ns, uint16_t ar)
{
	p->len = 0;
	put_u16(p, TEST_ID);
	put_u16(p, flags);
	put_u16(p, qd);
	put_u16(p, an);
	put_u16(p, ns);
	put_u16(p, ar);
}

static void
put_question(struct pkt *p, const char *name, uint16_t qtype, uint16_t qclass)
{
	put_name(p, name);
	put_u16(p, qtype);
	put_u16(p, qclass);
}

/* A plain query: RD set, one question, @p ar additional records to follow. */
static void
query(struct pkt *p, const char *name, uint16_t qtype, uint16_t qclass, uint16_t ar)
{
	put_header(p, DNS_FLAG_RD, 1, 0, 0, ar);
	put_question(p, name, qtype, qclass);
}

/*
 * Start an OPT RR (root owner): @p ttl is ext-rcode | version | DO | Z.
 * Returns the offset of RDLEN; opt_end() fills it in after the options.
 */
static size_t
opt_begin(struct pkt *p, uint16_t udp, uint32_t ttl)
{
	size_t rdlen_off;

	put_u8(p, 0);
	put_u16(p, DNS_TYPE_OPT);
	put_u16(p, udp);
	put_u32(p, ttl);
	rdlen_off = p->len;
	put_u16(p, 0);
	return rdlen_off;
}

static void
opt_option(struct pkt *p, uint16_t code, uint16_t len, const void *data)
{
	put_u16(p, code);
	put_u16(p, len);
	if (len > 0)
		put_bytes(p, data, len);
}

static void
opt_end(struct pkt *p, size_t rdlen_off)
{
	dns_put_u16(p->buf + rdlen_off, (uint16_t)(p->len - rdlen_off - 2));
}

/* An option-less OPT. */
static void
put_opt(struct pkt *p, uint16_t udp, uint32_t ttl)
{
	opt_end(p, opt_begin(p, udp, ttl));
}

/* EDNS version @p v in the OPT TTL */
#define TTL_VERSION(v) ((uint32_t)(v) << 16)

/*
 * Parse an exact-size heap copy of the first @p len bytes, so ASan catches any
 * read past len, and check the input is left alone. *q starts as garbage, so a
 * field the parser forgets to set does not pass by luck. Afterwards q->wire is
 * moved back to p->buf, which holds the same bytes.
 */
static enum dns_verdict
parse_n(struct pkt *p, size_t len, struct dns_query *q)
{
	uint8_t *copy = malloc(len > 0 ? len : 1);
	enum dns_verdict v;

	cr_assert_not_null(copy);
	memcpy(copy, p->buf, len);
	memset(q, 0x5a, sizeof(*q));
	v = dns_query_parse(copy, len, q);
	cr_assert(len == 0 || memcmp(copy, p->buf, len) == 0, "parser wrote to the packet");
	if (q->wire == copy)
		q->wire = p->buf;
	free(copy);
	return v;
}

static enum dns_verdict
parse(struct pkt *p, struct dns_query *q)
{
	return parse_n(p, p->len, q);
}

/* Verdict of a query for example.com/@p qtype/@p qclass without EDNS. */
static enum dns_verdict
verdict_of(uint16_t qtype, uint16_t qclass, struct dns_query *q)
{
	struct pkt p;

	query(&p, "example.com", qtype, qclass, 0);
	return parse(&p, q);
}

static void
assert_key(const struct dns_query *q, const uint8_t *lname, size_t name_len, uint16_t qtype,
	   uint16_t qclass, uint8_t do_octet)
{
	cr_assert_eq(q->key.name_len, name_len);
	cr_assert_eq(q->key.len, name_len + 5);
	cr_assert_eq(memcmp(q->key.bytes, lname, name_len), 0, "key name");
	cr_assert_eq(dns_get_u16(q->key.bytes + name_len), qtype, "key qtype");
	cr_assert_eq(dns_get_u16(q->key.bytes + name_len + 2), qclass, "key qclass");
	cr_assert_eq(q->key.bytes[name_len + 4], do_octet, "key DO octet");
}

/* ---- good queries ---- */

Test(dns_query, plain_query_answer)
{
	struct pkt p;
	struct dns_query q;
	static const uint8_t lname[] = "\3www\7example\3com";

	query(&p, "www.example.com", DNS_TYPE_A, DNS_CLASS_IN, 0);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_ANSWER);
	cr_assert_eq(q.wire, p.buf);
	cr_assert_eq(q.wire_len, p.len);
	cr_assert_eq(q.id, TEST_ID);
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
	assert_key(&q, lname, 17, DNS_TYPE_A, DNS_CLASS_IN, 0);
}

Test(dns_query, wire_is_the_message)
{
	struct pkt p;
	struct dns_query q;

	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 0);
	memset(&q, 0, sizeof(q));
	cr_assert_eq(dns_query_parse(p.buf, p.len, &q), DNS_VERDICT_ANSWER);
	cr_assert_eq(q.wire, p.buf);
	cr_assert_eq(q.wire_len, p.len);
}

Test(dns_query, root_question)
{
	struct pkt p;
	struct dns_query q;
	const uint8_t root[1] = {0};

	query(&p, ".", DNS_TYPE_NS, DNS_CLASS_IN, 0);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_ANSWER);
	cr_assert_eq(q.qname_len, 1);
	cr_assert_eq(q.question_end, 17);
	assert_key(&q, root, 1, DNS_TYPE_NS, DNS_CLASS_IN, 0);
}

/* A 255-octet question name of labels 63, 63, 63, 61 (or 62 for 256 octets). */
static void
long_query(struct pkt *p, unsigned last)
{
	put_header(p, 0, 1, 0, 0, 0);
	for (unsigned i = 0; i < 4; i++) {
		unsigned l = i < 3 ? 63 : last;

		put_u8(p, (uint8_t)l);
		for (unsigned j = 0; j < l; j++)
			put_u8(p, (uint8_t)('A' + (i + j) % 26));
	}
	put_u8(p, 0);
	put_u16(p, DNS_TYPE_AAAA);
	put_u16(p, DNS_CLASS_IN);
}

Test(dns_query, name_255_answer_256_formerr)
{
	struct pkt p;
	struct dns_query q;
	uint8_t lname[DNS_NAME_MAXLEN];

	long_query(&p, 61);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_ANSWER);
	cr_assert_eq(q.qname_len, 255);
	cr_assert_eq(q.key.len, 260);
	for (size_t i = 0; i < 255; i++)
		lname[i] = dns_lower(p.buf[12 + i]);
	assert_key(&q, lname, 255, DNS_TYPE_AAAA, DNS_CLASS_IN, 0);

	long_query(&p, 62);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_question);
}

Test(dns_query, header_flags_kept_and_ignored)
{
	struct pkt p;
	struct dns_query q;
	/* Everything but QR and opcode: AA TC RD RA Z AD CD and an rcode. None decides. */
	const uint16_t flags = DNS_FLAG_AA | DNS_FLAG_TC | DNS_FLAG_RD | DNS_FLAG_RA | DNS_FLAG_Z |
			       DNS_FLAG_AD | DNS_FLAG_CD | 0x5;

	put_header(&p, flags, 1, 0, 0, 0);
	put_question(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_ANSWER);
	cr_assert_eq(q.flags, flags);

	put_header(&p, 0, 1, 0, 0, 0);
	put_question(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_ANSWER);
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
		assert_key(&q, lname, sizeof(lname), types[i], DNS_CLASS_IN, 0);
	}
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		cr_assert_eq(verdict_of(DNS_TYPE_A, classes[i], &q), DNS_VERDICT_ANSWER,
			     "class %u", classes[i]);
		cr_assert_eq(q.qclass, classes[i]);
		assert_key(&q, lname, sizeof(lname), DNS_TYPE_A, classes[i], 0);
	}
}

Test(dns_query, chaos_class_answerable)
{
	struct pkt p;
	struct dns_query q;
	static const uint8_t lname[] = "\7version\4bind";

	query(&p, "VERSION.BIND", DNS_TYPE_TXT, DNS_CLASS_CH, 0);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_ANSWER);
	cr_assert(q.has_question);
	assert_key(&q, lname, sizeof(lname), DNS_TYPE_TXT, DNS_CLASS_CH, 0);
}

/* ---- DROP ---- */

Test(dns_query, short_packets_dropped)
{
	struct pkt p;
	struct dns_query q;

	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 0);
	for (size_t n = 0; n < DNS_HEADER_LEN; n++)
		cr_assert_eq(parse_n(&p, n, &q), DNS_VERDICT_DROP, "len %zu", n);
}

Test(dns_query, responses_dropped)
{
	struct pkt p;
	struct dns_query q;

	put_header(&p, DNS_FLAG_QR | DNS_FLAG_RD | DNS_FLAG_RA, 1, 0, 0, 0);
	put_question(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_DROP);

	/* QR decides before anything else: bad opcode, counts or question. */
	put_header(&p, DNS_FLAG_QR | (DNS_OPCODE_UPDATE << DNS_OPCODE_SHIFT), 0, 0, 0, 0);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_DROP);
	put_header(&p, DNS_FLAG_QR, 2, 1, 1, 5);
	put_bytes(&p, "\xc0\x0c", 2);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_DROP);
	put_header(&p, DNS_FLAG_QR | DNS_RCODE_FORMERR, 0, 0, 0, 0);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_DROP);
}

Test(dns_query, oversize_datagram_dropped)
{
	/*
	 * Not in the header's list, but no DNS message exceeds 65535 octets
	 * (wire_len is 16 bits): a larger "datagram" is dropped, not answered.
	 */
	struct pkt p;
	struct dns_query q;
	uint8_t *big = calloc(1, DNS_MSG_MAXLEN + 1);

	cr_assert_not_null(big);
	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 0);
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
	struct pkt p;
	struct dns_query q;

	for (uint16_t op = 1; op < 16; op++) {
		uint16_t flags = (uint16_t)(op << DNS_OPCODE_SHIFT) | DNS_FLAG_RD;

		put_header(&p, flags, 1, 0, 0, 0);
		put_question(&p, "example.com", DNS_TYPE_SOA, DNS_CLASS_IN);
		cr_assert_eq(parse(&p, &q), DNS_VERDICT_NOTIMP, "opcode %u", op);
		cr_assert_eq(q.id, TEST_ID);
		cr_assert_eq(q.flags, flags);

		/* The opcode is checked before the counts and the question. */
		put_header(&p, flags, 0, 0, 0, 0);
		cr_assert_eq(parse(&p, &q), DNS_VERDICT_NOTIMP, "opcode %u, header only", op);
		cr_assert_not(q.has_question);
		cr_assert_not(q.has_edns);
	}
}

/* ---- FORMERR: header counts ---- */

Test(dns_query, qdcount_0_formerr)
{
	struct pkt p;
	struct dns_query q;

	put_header(&p, DNS_FLAG_RD, 0, 0, 0, 0);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_question);
	cr_assert_not(q.has_edns);
	cr_assert_eq(q.id, TEST_ID);

	/* A question present but not declared is trailing garbage at best. */
	put_header(&p, DNS_FLAG_RD, 0, 0, 0, 0);
	put_question(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_question);
}

Test(dns_query, qdcount_2_formerr)
{
	struct pkt p;
	struct dns_query q;

	put_header(&p, DNS_FLAG_RD, 2, 0, 0, 0);
	put_question(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN);
	put_question(&p, "example.net", DNS_TYPE_A, DNS_CLASS_IN);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_question);

	put_header(&p, DNS_FLAG_RD, 0xffff, 0, 0, 0);
	put_question(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);
}

/* An A record for example.com, as a query should never carry one. */
static void
put_a_rr(struct pkt *p, const char *owner)
{
	put_name(p, owner);
	put_u16(p, DNS_TYPE_A);
	put_u16(p, DNS_CLASS_IN);
	put_u32(p, 300);
	put_u16(p, 4);
	put_bytes(p, "\xc0\x00\x02\x01", 4);
}

Test(dns_query, answer_or_authority_records_formerr)
{
	struct pkt p;
	struct dns_query q;

	put_header(&p, DNS_FLAG_RD, 1, 1, 0, 0);
	put_question(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN);
	put_a_rr(&p, "example.com");
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR, "ANCOUNT 1");

	put_header(&p, DNS_FLAG_RD, 1, 0, 1, 0);
	put_question(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN);
	put_a_rr(&p, "example.com");
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR, "NSCOUNT 1");

	put_header(&p, DNS_FLAG_RD, 1, 0xffff, 0xffff, 0);
	put_question(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR, "counts without records");
}

Test(dns_query, arcount_over_1_formerr)
{
	struct pkt p;
	struct dns_query q;

	/* Two OPTs. */
	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 2);
	put_opt(&p, 1232, 0);
	put_opt(&p, 1232, 0);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_edns);

	/* OPT and an A record. */
	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 2);
	put_opt(&p, 1232, 0);
	put_a_rr(&p, ".");
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);

	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 0xffff);
	put_opt(&p, 1232, 0);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);

	/* The count alone decides, with no records behind it. */
	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 2);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);
	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR, "ARCOUNT 1, no record");

	/* A header check: it decides before the question type (AXFR would be REFUSED). */
	query(&p, "example.com", DNS_TYPE_AXFR, DNS_CLASS_IN, 2);
	put_opt(&p, 1232, 0);
	put_opt(&p, 1232, 0);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);
}

/* ---- FORMERR: question name ---- */

Test(dns_query, compression_pointer_in_question_formerr)
{
	struct pkt p;
	struct dns_query q;

	put_header(&p, DNS_FLAG_RD, 1, 0, 0, 0);
	put_bytes(&p, "\xc0\x0c", 2);
	put_u16(&p, DNS_TYPE_A);
	put_u16(&p, DNS_CLASS_IN);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_question);

	/* www + pointer back to the header: a valid pointer in a message, not in a question. */
	put_header(&p, DNS_FLAG_RD, 1, 0, 0, 0);
	put_bytes(&p, "\3www\xc0\x00", 6);
	put_u16(&p, DNS_TYPE_A);
	put_u16(&p, DNS_CLASS_IN);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_question);
}

Test(dns_query, bad_labels_in_question_formerr)
{
	struct pkt p;
	struct dns_query q;
	const uint8_t types[] = {0x40, 0x7f, 0x80, 0xbf};

	for (size_t i = 0; i < sizeof(types); i++) {
		put_header(&p, DNS_FLAG_RD, 1, 0, 0, 0);
		put_bytes(&p, "\7example", 8);
		put_u8(&p, types[i]);
		for (unsigned j = 0; j < 70; j++)
			put_u8(&p, 'a');
		put_u8(&p, 0);
		put_u16(&p, DNS_TYPE_A);
		put_u16(&p, DNS_CLASS_IN);
		cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR, "label octet 0x%02x", types[i]);
		cr_assert_not(q.has_question);
	}
}

Test(dns_query, truncated_question_formerr)
{
	struct pkt p;
	struct dns_query q;

	/* Every cut inside the name, QTYPE or QCLASS. */
	query(&p, "www.example.com", DNS_TYPE_A, DNS_CLASS_IN, 0);
	for (size_t n = DNS_HEADER_LEN; n < p.len; n++) {
		cr_assert_eq(parse_n(&p, n, &q), DNS_VERDICT_FORMERR, "len %zu", n);
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
	struct pkt p;
	struct dns_query q;

	/* The OPT is read before the question type decides, so the reply can carry OPT. */
	query(&p, "example.com", DNS_TYPE_AXFR, DNS_CLASS_IN, 1);
	put_opt(&p, 4096, DNS_EDNS_DO);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_REFUSED);
	cr_assert(q.has_edns);
	cr_assert(q.edns_do);
	cr_assert_eq(q.edns_udp_size, 4096);

	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_ANY, 1);
	put_opt(&p, 1400, 0);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_NOTIMP);
	cr_assert(q.has_edns);
	cr_assert_eq(q.edns_udp_size, 1400);
}

Test(dns_query, malformed_opt_beats_question_type)
{
	struct pkt p;
	struct dns_query q;

	size_t rd;

	/* The additional record is checked before the question type and class. */
	query(&p, "example.com", DNS_TYPE_AXFR, DNS_CLASS_IN, 1);
	rd = opt_begin(&p, 4096, 0);
	put_u16(&p, 3);
	put_u16(&p, 9); /* NSID claiming 9 octets, none there */
	opt_end(&p, rd);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);

	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_ANY, 1);
	put_a_rr(&p, ".");
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);
}

/* ---- trailing bytes ---- */

Test(dns_query, trailing_garbage_formerr)
{
	struct pkt p;
	struct dns_query q;

	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 0);
	put_u8(&p, 0);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);

	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 0);
	for (unsigned i = 0; i < 100; i++)
		put_u8(&p, (uint8_t)i);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);

	/* An OPT present but not declared in ARCOUNT. */
	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 0);
	put_opt(&p, 1232, 0);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_edns);
}

/* ---- EDNS ---- */

Test(dns_query, opt_valid)
{
	struct pkt p;
	struct dns_query q;
	static const uint8_t lname[] = "\7example\3com";

	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	put_opt(&p, 4096, DNS_EDNS_DO);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_ANSWER);
	cr_assert(q.has_question);
	cr_assert(q.has_edns);
	cr_assert(q.edns_do);
	cr_assert_eq(q.edns_version, 0);
	cr_assert_eq(q.edns_udp_size, 4096);
	cr_assert_eq(q.edns_opts, 0);
	cr_assert_eq(q.question_end, 12 + 13 + 4);
	assert_key(&q, lname, 13, DNS_TYPE_A, DNS_CLASS_IN, 1);

	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	put_opt(&p, 1232, 0);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_ANSWER);
	cr_assert(q.has_edns);
	cr_assert_not(q.edns_do);
	cr_assert_eq(q.edns_udp_size, 1232);
	assert_key(&q, lname, 13, DNS_TYPE_A, DNS_CLASS_IN, 0);
}

Test(dns_query, opt_z_bits_ignored)
{
	struct pkt p;
	struct dns_query q;

	/* RFC 6891 6.1.4: Z is ignored by receivers. */
	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	put_opt(&p, 1232, 0x7fff);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_ANSWER);
	cr_assert(q.has_edns);
	cr_assert_not(q.edns_do);
	cr_assert_eq(q.key.bytes[q.key.name_len + 4], 0);
}

Test(dns_query, opt_small_udp_size_raised_to_512)
{
	const uint16_t in[] = {0, 1, 100, 511, 512, 513, 1232, 65535};
	const uint16_t want[] = {512, 512, 512, 512, 512, 513, 1232, 65535};
	struct pkt p;
	struct dns_query q;

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
		put_opt(&p, in[i], 0);
		cr_assert_eq(parse(&p, &q), DNS_VERDICT_ANSWER, "size %u", in[i]);
		cr_assert_eq(q.edns_udp_size, want[i], "size %u", in[i]);
	}
}

Test(dns_query, opt_version_over_0_badvers)
{
	struct pkt p;
	struct dns_query q;

	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	put_opt(&p, 1232, TTL_VERSION(1));
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_BADVERS);
	cr_assert(q.has_edns);
	cr_assert(q.has_question);
	cr_assert_eq(q.edns_version, 1);
	cr_assert_eq(q.qname_len, 13);

	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	put_opt(&p, 1232, TTL_VERSION(255) | DNS_EDNS_DO);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_BADVERS);
	cr_assert(q.has_edns);
	cr_assert_eq(q.edns_version, 255);
}

Test(dns_query, badvers_needs_well_formed_opt)
{
	struct pkt p;
	struct dns_query q;
	size_t rd;

	/* Version 1, but RDLEN runs past the packet: not a well-formed OPT. */
	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	rd = opt_begin(&p, 1232, TTL_VERSION(1));
	dns_put_u16(p.buf + rd, 8);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_edns);

	/* A bad question name decides before the OPT. */
	put_header(&p, DNS_FLAG_RD, 1, 0, 0, 1);
	put_bytes(&p, "\xc0\x0c", 2);
	put_u16(&p, DNS_TYPE_A);
	put_u16(&p, DNS_CLASS_IN);
	put_opt(&p, 1232, TTL_VERSION(1));
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_question);
}

Test(dns_query, opt_followed_by_garbage_formerr)
{
	struct pkt p;
	struct dns_query q;

	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	put_opt(&p, 1232, 0);
	put_u8(&p, 0);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);

	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	put_opt(&p, 1232, 0);
	put_question(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);
}

Test(dns_query, opt_non_root_owner_formerr)
{
	struct pkt p;
	struct dns_query q;

	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	put_name(&p, "a");
	put_u16(&p, DNS_TYPE_OPT);
	put_u16(&p, 1232);
	put_u32(&p, 0);
	put_u16(&p, 0);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_edns);
	cr_assert(q.has_question, "the question was fine");

	/* One owner octet that is not 0, then what would be a perfect OPT. */
	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	put_bytes(&p, "\x01\x00\x29\x04\xd0\x00\x00\x00\x00\x00\x00", 11);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_edns);

	/* Owner as a pointer to the question name. */
	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	put_bytes(&p, "\xc0\x0c", 2);
	put_u16(&p, DNS_TYPE_OPT);
	put_u16(&p, 1232);
	put_u32(&p, 0);
	put_u16(&p, 0);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_edns);
}

Test(dns_query, non_opt_additional_formerr)
{
	struct pkt p;
	struct dns_query q;

	/* An A record with the root owner (same shape as an OPT but for the type). */
	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	put_a_rr(&p, ".");
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_edns);

	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	put_a_rr(&p, "ns.example.com");
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);

	/* A TSIG record (key name, type 250, class ANY, ttl 0, some RDATA). */
	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	put_name(&p, "key.example");
	put_u16(&p, DNS_TYPE_TSIG);
	put_u16(&p, DNS_CLASS_ANY);
	put_u32(&p, 0);
	put_u16(&p, 8);
	put_bytes(&p, "\x0bhmac-sha2", 8);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_edns);
}

Test(dns_query, truncated_opt_formerr)
{
	struct pkt p;
	struct dns_query q;
	const uint8_t cookie[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	size_t rd, qend;

	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	qend = p.len;
	rd = opt_begin(&p, 1232, DNS_EDNS_DO);
	opt_option(&p, 10, sizeof(cookie), cookie);
	opt_option(&p, 3, 0, NULL);
	opt_end(&p, rd);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_ANSWER);
	for (size_t n = qend; n < p.len; n++) {
		cr_assert_eq(parse_n(&p, n, &q), DNS_VERDICT_FORMERR, "len %zu", n);
		cr_assert_not(q.has_edns, "len %zu", n);
	}
}

Test(dns_query, options_recorded)
{
	struct pkt p;
	struct dns_query q;
	const uint8_t cookie[8] = {0xc0, 0x0c, 0, 0, 0xff, 1, 2, 3};
	const uint8_t ecs[7] = {0, 1, 24, 0, 192, 0, 2}; /* IPv4, /24, scope 0 */
	const uint8_t pad[16] = {0};
	const uint8_t dau[3] = {8, 13, 15};
	size_t rd;

	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	rd = opt_begin(&p, 1232, 0);
	opt_option(&p, 3, 0, NULL);
	opt_option(&p, 8, sizeof(ecs), ecs);
	opt_option(&p, 10, sizeof(cookie), cookie);
	opt_option(&p, 11, 0, NULL);
	opt_option(&p, 12, sizeof(pad), pad);
	opt_option(&p, 5, sizeof(dau), dau);
	opt_option(&p, 65001, 2, "xy");
	opt_end(&p, rd);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_ANSWER);
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
	struct pkt p;
	struct dns_query q;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t rd;

		query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
		rd = opt_begin(&p, 1232, 0);
		opt_option(&p, cases[i].code, cases[i].len, data);
		opt_end(&p, rd);
		cr_assert_eq(parse(&p, &q), DNS_VERDICT_ANSWER, "code %u", cases[i].code);
		cr_assert_eq(q.edns_opts, cases[i].bit, "code %u", cases[i].code);
	}
}

Test(dns_query, option_overruns_rdlen_formerr)
{
	struct pkt p;
	struct dns_query q;
	size_t rd;

	/* RDLEN 6: an option header claiming 4 octets, and 2 of them. */
	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	rd = opt_begin(&p, 1232, 0);
	put_u16(&p, 3);
	put_u16(&p, 4);
	put_u16(&p, 0);
	opt_end(&p, rd);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_edns);

	/* A second option overruns after a good first. */
	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	rd = opt_begin(&p, 1232, 0);
	opt_option(&p, 3, 0, NULL);
	put_u16(&p, 12);
	put_u16(&p, 100);
	put_bytes(&p, "abcd", 4);
	opt_end(&p, rd);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);

	/* Fewer than 4 octets left for an option header: 1, 2, 3. */
	for (unsigned n = 1; n < 4; n++) {
		query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
		rd = opt_begin(&p, 1232, 0);
		put_bytes(&p, "\0\3\0", n);
		opt_end(&p, rd);
		cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR, "%u stray octets", n);
	}
}

Test(dns_query, option_overruns_packet_within_rdlen_formerr)
{
	struct pkt p;
	struct dns_query q;
	size_t rd;

	/* The option length fits RDLEN, but RDLEN claims more than the packet has. */
	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	rd = opt_begin(&p, 1232, 0);
	opt_option(&p, 12, 4, "\0\0\0\0");
	dns_put_u16(p.buf + rd, 200);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_edns);
}

Test(dns_query, rdlen_overruns_packet_formerr)
{
	struct pkt p;
	struct dns_query q;
	size_t rd;

	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	rd = opt_begin(&p, 1232, 0);
	dns_put_u16(p.buf + rd, 1);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);

	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	rd = opt_begin(&p, 1232, 0);
	dns_put_u16(p.buf + rd, 0xffff);
	put_bytes(&p, "\0\3\0\0", 4);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_edns);
}

/* A query whose OPT holds one COOKIE option of @p len octets. */
static enum dns_verdict
cookie_verdict(uint16_t len, struct dns_query *q)
{
	static struct pkt p;
	uint8_t data[64];
	size_t rd;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(0xa0 + i);
	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	rd = opt_begin(&p, 1232, 0);
	opt_option(&p, 10, len, data);
	opt_end(&p, rd);
	return parse(&p, q);
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
	struct pkt p;
	struct dns_query q;
	const uint8_t data[12] = {0};
	size_t rd;

	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	rd = opt_begin(&p, 1232, DNS_EDNS_DO);
	opt_option(&p, 3, 0, NULL);
	opt_option(&p, 10, 12, data);
	opt_option(&p, 12, 4, data);
	opt_end(&p, rd);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_FORMERR);
	cr_assert_not(q.has_edns);
}

/* ---- the cache key ---- */

Test(dns_query, key_is_lower_case_name_type_class_do)
{
	struct pkt p;
	struct dns_query q;
	static const uint8_t orig[] = "\3WwW\7ExAmPlE\3CoM";
	static const uint8_t lname[] = "\3www\7example\3com";

	query(&p, "WwW.ExAmPlE.CoM", DNS_TYPE_AAAA, DNS_CLASS_IN, 1);
	put_opt(&p, 1232, DNS_EDNS_DO);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_ANSWER);
	assert_key(&q, lname, sizeof(lname), DNS_TYPE_AAAA, DNS_CLASS_IN, 1);
	cr_assert_eq(q.key.len, 17 + 5);
	cr_assert_eq(q.key.len, q.qname_len + 5);
	/* The client's spelling stays in the packet for the reply. */
	cr_assert_eq(memcmp(q.wire + DNS_HEADER_LEN, orig, sizeof(orig)), 0);
	cr_assert_eq(q.qname_len, sizeof(orig));
}

Test(dns_query, key_same_for_any_spelling)
{
	struct pkt p;
	struct dns_query a, b;

	query(&p, "WWW.EXAMPLE.COM", DNS_TYPE_MX, DNS_CLASS_IN, 0);
	cr_assert_eq(parse(&p, &a), DNS_VERDICT_ANSWER);
	query(&p, "www.example.com", DNS_TYPE_MX, DNS_CLASS_IN, 0);
	cr_assert_eq(parse(&p, &b), DNS_VERDICT_ANSWER);
	cr_assert_eq(a.key.len, b.key.len);
	cr_assert_eq(memcmp(a.key.bytes, b.key.bytes, a.key.len), 0);

	/* DO, type and class each change the key. */
	query(&p, "www.example.com", DNS_TYPE_MX, DNS_CLASS_IN, 1);
	put_opt(&p, 1232, DNS_EDNS_DO);
	cr_assert_eq(parse(&p, &b), DNS_VERDICT_ANSWER);
	cr_assert_neq(memcmp(a.key.bytes, b.key.bytes, a.key.len), 0);
	query(&p, "www.example.com", DNS_TYPE_A, DNS_CLASS_IN, 0);
	cr_assert_eq(parse(&p, &b), DNS_VERDICT_ANSWER);
	cr_assert_neq(memcmp(a.key.bytes, b.key.bytes, a.key.len), 0);
	query(&p, "www.example.com", DNS_TYPE_MX, DNS_CLASS_CH, 0);
	cr_assert_eq(parse(&p, &b), DNS_VERDICT_ANSWER);
	cr_assert_neq(memcmp(a.key.bytes, b.key.bytes, a.key.len), 0);
}

Test(dns_query, key_folds_ascii_only)
{
	struct pkt p;
	struct dns_query q;
	static const uint8_t name[] = {4, 0xc0, 'Q', 0x00, '.', 3, 'C', 'O', 'M', 0};
	static const uint8_t lname[] = {4, 0xc0, 'q', 0x00, '.', 3, 'c', 'o', 'm', 0};

	put_header(&p, DNS_FLAG_RD, 1, 0, 0, 0);
	put_bytes(&p, name, sizeof(name));
	put_u16(&p, DNS_TYPE_A);
	put_u16(&p, DNS_CLASS_IN);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_ANSWER);
	assert_key(&q, lname, sizeof(lname), DNS_TYPE_A, DNS_CLASS_IN, 0);
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
	struct pkt p;
	struct dns_query q;

	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 0);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_ANSWER);
	cr_assert_eq(dns_query_udp_limit(&q, DNS_EDNS_SIZE), 512);
	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	put_opt(&p, 100, 0);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_ANSWER);
	cr_assert_eq(dns_query_udp_limit(&q, DNS_EDNS_SIZE), 512);
	query(&p, "example.com", DNS_TYPE_A, DNS_CLASS_IN, 1);
	put_opt(&p, 4096, 0);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_ANSWER);
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
	struct pkt p;
	struct dns_query q;

	memcpy(p.buf, pkt, sizeof(pkt));
	p.len = sizeof(pkt);
	cr_assert_eq(parse(&p, &q), DNS_VERDICT_ANSWER);
	cr_assert_eq(q.id, 0x1234);
	cr_assert_eq(q.flags, DNS_FLAG_RD | DNS_FLAG_AD);
	cr_assert_eq(q.edns_udp_size, 1232);
	cr_assert_eq(q.edns_opts, DNS_EDNS_OPT_COOKIE);
	cr_assert_not(q.edns_do);
}
