/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hot-path query parser. It gives every datagram one verdict:
 *
 *   DROP     not even a header, or a response (QR=1): never answered, so velodns
 *            cannot be made to talk to itself or to reflect garbage
 *   NOTIMP   opcode other than QUERY
 *   FORMERR  QDCOUNT != 1, ANCOUNT or NSCOUNT != 0, ARCOUNT > 1, a bad question
 *            name (compression, label type, length, truncation), question type
 *            OPT/TSIG/TKEY or class 0/NONE, an additional record that is not a
 *            well-formed OPT with the root owner, options that overrun the OPT,
 *            a malformed COOKIE, or bytes after the last declared record
 *   REFUSED  zone transfer (AXFR, IXFR) over this transport
 *   NOTIMP   question type MAILA/MAILB or class ANY
 *   BADVERS  a well-formed OPT with EDNS version > 0
 *   ANSWER   everything else: look it up
 *
 * Checks run in the order header, question name, additional record, question
 * type, question class (so that REFUSED and NOTIMP replies can still echo a valid
 * OPT), and the first that fails decides; a datagram over 65535 bytes is dropped.
 * For an opcode other than QUERY the question and OPT are still read when
 * present, only so the NOTIMP reply can echo them. The parser reads at most len bytes, writes only *q, allocates
 * nothing and logs nothing.
 */
#ifndef DNS_QUERY_H
#define DNS_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns_wire.h"

enum dns_verdict {
	DNS_VERDICT_ANSWER = 0,
	DNS_VERDICT_FORMERR,
	DNS_VERDICT_NOTIMP,
	DNS_VERDICT_REFUSED,
	DNS_VERDICT_BADVERS,
	DNS_VERDICT_DROP,
	DNS_VERDICT_COUNT,
};

/* EDNS options noticed in a query (dns_query.edns_opts) */
#define DNS_EDNS_OPT_NSID      0x01 /* code 3 */
#define DNS_EDNS_OPT_ECS       0x02 /* code 8 */
#define DNS_EDNS_OPT_COOKIE    0x04 /* code 10 */
#define DNS_EDNS_OPT_KEEPALIVE 0x08 /* code 11 */
#define DNS_EDNS_OPT_PADDING   0x10 /* code 12 */
#define DNS_EDNS_OPT_OTHER     0x80 /* any other code */

/*
 * Cache key: the lower-cased question name in wire form, then QTYPE and QCLASS
 * (big-endian) and one octet for the DO bit. DNS_KEY_ABI: the answer cache and
 * the control thread's punt/fill messages depend on this layout.
 */
#define DNS_KEY_MAXLEN (DNS_NAME_MAXLEN + 5)

struct dns_key {
	uint16_t len;      /* name_len + 5 */
	uint16_t name_len; /* 1..255 */
	uint8_t bytes[DNS_KEY_MAXLEN];
};

/** What the parser learnt about one query. Pointers point into the caller's packet. */
struct dns_query {
	const uint8_t *wire;     /* the message, as given to dns_query_parse() */
	uint16_t wire_len;
	uint16_t id;
	uint16_t flags;          /* header word at offset 2, as received */
	uint16_t qtype;
	uint16_t qclass;
	uint16_t qname_len;      /* wire length of the question name */
	uint16_t question_end;   /* offset just past QCLASS: 12 + qname_len + 4 */
	bool has_question;       /* question is valid and may be echoed in a reply */
	bool has_edns;           /* a well-formed OPT was present: echo OPT in the reply */
	bool edns_do;            /* DNSSEC OK bit */
	uint8_t edns_version;
	uint8_t edns_opts;       /* DNS_EDNS_OPT_* seen */
	uint16_t edns_udp_size;  /* requestor's payload size, raised to 512 if lower */
	struct dns_key key;      /* valid when has_question */
};

/**
 * Parse the DNS message @p msg of @p len bytes.
 * @param[out] q filled as far as parsing got; q->wire = msg.
 * @return the verdict (see the top of this file).
 */
enum dns_verdict dns_query_parse(const uint8_t *msg, size_t len, struct dns_query *q);

/* Longest output of dns_query_compact(): header, question, OPT without options. */
#define DNS_QUERY_COMPACT_MAX (DNS_HEADER_LEN + DNS_NAME_MAXLEN + 4 + DNS_OPT_RR_LEN)

/**
 * Write the answerable query @p q (has_question) in its shortest equivalent form:
 * its header (counts set to 1 question, 0 or 1 additional), its question as the
 * client spelt it and, if it had EDNS, an OPT with its payload size, version and
 * DO but no options. Parsing the result gives the same key and reply. For queries
 * kept while they wait (punts, TCP). @p out has DNS_QUERY_COMPACT_MAX bytes.
 * @return the length written.
 */
uint16_t dns_query_compact(const struct dns_query *q, uint8_t *out);

/** Short lower-case name of a verdict ("answer", "formerr", ...), for counters and logs. */
const char *dns_verdict_name(enum dns_verdict v);

/** The rcode a reply to a query with verdict @p v carries (BADVERS is 16). */
uint16_t dns_verdict_rcode(enum dns_verdict v);

/**
 * UDP payload limit for a reply to @p q: 512 without EDNS, else the client's
 * size clamped to [512, @p max_udp].
 */
static inline uint16_t
dns_query_udp_limit(const struct dns_query *q, uint16_t max_udp)
{
	uint16_t lim;

	if (!q->has_edns)
		return DNS_UDP_MINSIZE;
	lim = q->edns_udp_size < max_udp ? q->edns_udp_size : max_udp;
	return lim < DNS_UDP_MINSIZE ? DNS_UDP_MINSIZE : lim;
}

#endif /* DNS_QUERY_H */
