/* SPDX-License-Identifier: BSD-3-Clause */
/* The hot-path query parser: one verdict per datagram, and the cache key of a good one. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns_name.h"
#include "dns_query.h"

#define EDNS_OPT_CODE_NSID      3
#define EDNS_OPT_CODE_ECS       8
#define EDNS_OPT_CODE_COOKIE    10
#define EDNS_OPT_CODE_KEEPALIVE 11
#define EDNS_OPT_CODE_PADDING   12

/* RFC 7873 4: a client cookie alone is 8 octets; with a server cookie 16 to 40. */
#define COOKIE_CLIENT_LEN 8
#define COOKIE_MIN_LEN    16
#define COOKIE_MAX_LEN    40

static const char *const verdict_names[DNS_VERDICT_COUNT] = {
	[DNS_VERDICT_ANSWER] = "answer",   [DNS_VERDICT_FORMERR] = "formerr",
	[DNS_VERDICT_NOTIMP] = "notimp",   [DNS_VERDICT_REFUSED] = "refused",
	[DNS_VERDICT_BADVERS] = "badvers", [DNS_VERDICT_DROP] = "drop",
};

static const uint16_t verdict_rcodes[DNS_VERDICT_COUNT] = {
	[DNS_VERDICT_ANSWER] = DNS_RCODE_NOERROR,  [DNS_VERDICT_FORMERR] = DNS_RCODE_FORMERR,
	[DNS_VERDICT_NOTIMP] = DNS_RCODE_NOTIMP,   [DNS_VERDICT_REFUSED] = DNS_RCODE_REFUSED,
	[DNS_VERDICT_BADVERS] = DNS_RCODE_BADVERS, [DNS_VERDICT_DROP] = DNS_RCODE_NOERROR,
};

/* Parse the question at offset 12 into q and its key; false if it is malformed. */
static bool
parse_question(const uint8_t *msg, size_t len, struct dns_query *q)
{
	int n = dns_name_scan(msg + DNS_HEADER_LEN, len - DNS_HEADER_LEN, q->key.bytes);
	size_t pos;

	if (unlikely(n < 0))
		return false;
	pos = DNS_HEADER_LEN + (size_t)n;
	if (unlikely(pos + 4 > len))
		return false;
	q->qtype = dns_get_u16(msg + pos);
	q->qclass = dns_get_u16(msg + pos + 2);
	q->qname_len = (uint16_t)n;
	q->question_end = (uint16_t)(pos + 4);
	/* Key: lower-cased name, then QTYPE, QCLASS and DO as on the wire. DNS_KEY_ABI */
	q->key.name_len = (uint16_t)n;
	q->key.len = (uint16_t)(n + 5);
	q->key.bytes[n] = msg[pos];
	q->key.bytes[n + 1] = msg[pos + 1];
	q->key.bytes[n + 2] = msg[pos + 2];
	q->key.bytes[n + 3] = msg[pos + 3];
	q->key.bytes[n + 4] = 0;
	q->has_question = true;
	return true;
}

static uint8_t
option_bit(uint16_t code)
{
	switch (code) {
	case EDNS_OPT_CODE_NSID:
		return DNS_EDNS_OPT_NSID;
	case EDNS_OPT_CODE_ECS:
		return DNS_EDNS_OPT_ECS;
	case EDNS_OPT_CODE_COOKIE:
		return DNS_EDNS_OPT_COOKIE;
	case EDNS_OPT_CODE_KEEPALIVE:
		return DNS_EDNS_OPT_KEEPALIVE;
	case EDNS_OPT_CODE_PADDING:
		return DNS_EDNS_OPT_PADDING;
	default:
		return DNS_EDNS_OPT_OTHER;
	}
}

/* Walk the options of an OPT RDATA; false if one overruns it or a cookie is malformed. */
static bool
walk_options(const uint8_t *p, const uint8_t *end, uint8_t *seen)
{
	while (p < end) {
		if (unlikely(end - p < 4))
			return false;
		uint16_t code = dns_get_u16(p);
		uint16_t olen = dns_get_u16(p + 2);
		p += 4;
		if (unlikely(olen > end - p))
			return false;
		if (code == EDNS_OPT_CODE_COOKIE && olen != COOKIE_CLIENT_LEN &&
		    (olen < COOKIE_MIN_LEN || olen > COOKIE_MAX_LEN))
			return false;
		*seen |= option_bit(code);
		p += olen;
	}
	return true;
}

/*
 * The one additional record a query may carry: an OPT with the root owner that
 * ends exactly at the end of the message (RFC 6891 6.1.1).
 */
static enum dns_verdict
parse_opt(const uint8_t *msg, size_t len, size_t pos, struct dns_query *q)
{
	const uint8_t *rr = msg + pos;
	size_t rdlen;
	uint32_t ttl;

	if (unlikely(len - pos < DNS_OPT_RR_LEN || rr[0] != 0))
		return DNS_VERDICT_FORMERR;
	if (unlikely(dns_get_u16(rr + 1) != DNS_TYPE_OPT))
		return DNS_VERDICT_FORMERR;
	rdlen = dns_get_u16(rr + 9);
	if (unlikely(len - pos - DNS_OPT_RR_LEN != rdlen))
		return DNS_VERDICT_FORMERR;
	if (unlikely(!walk_options(rr + DNS_OPT_RR_LEN, rr + DNS_OPT_RR_LEN + rdlen,
				   &q->edns_opts)))
		return DNS_VERDICT_FORMERR;

	ttl = dns_get_u32(rr + 5);
	q->has_edns = true;
	q->edns_udp_size = dns_get_u16(rr + 3);
	if (q->edns_udp_size < DNS_UDP_MINSIZE)
		q->edns_udp_size = DNS_UDP_MINSIZE; /* RFC 6891 6.2.3 */
	q->edns_version = (uint8_t)(ttl >> 16);
	q->edns_do = (ttl & DNS_EDNS_DO) != 0;
	q->key.bytes[q->key.name_len + 4] = q->edns_do;
	if (unlikely(q->edns_version != 0))
		return DNS_VERDICT_BADVERS;
	return DNS_VERDICT_ANSWER;
}

/* Meta types and classes a resolver does not answer from a cache (RFC 6895 3.1). */
static enum dns_verdict
check_type_class(const struct dns_query *q)
{
	switch (q->qtype) {
	case DNS_TYPE_OPT:
	case DNS_TYPE_TSIG:
	case DNS_TYPE_TKEY:
		return DNS_VERDICT_FORMERR; /* only ever in the additional section */
	case DNS_TYPE_AXFR:
	case DNS_TYPE_IXFR:
		return DNS_VERDICT_REFUSED; /* zone transfers are for authoritative servers */
	case DNS_TYPE_MAILA:
	case DNS_TYPE_MAILB:
		return DNS_VERDICT_NOTIMP;
	default:
		break;
	}
	switch (q->qclass) {
	case 0:
	case DNS_CLASS_NONE:
		return DNS_VERDICT_FORMERR; /* NONE only appears in UPDATE */
	case DNS_CLASS_ANY:
		return DNS_VERDICT_NOTIMP;
	default:
		return DNS_VERDICT_ANSWER;
	}
}

enum dns_verdict
dns_query_parse(const uint8_t *msg, size_t len, struct dns_query *q)
{
	enum dns_verdict v;

	q->wire = msg;
	q->wire_len = (uint16_t)VD_MIN(len, (size_t)DNS_MSG_MAXLEN);
	q->qtype = 0;
	q->qclass = 0;
	q->qname_len = 0;
	q->question_end = DNS_HEADER_LEN;
	q->has_question = false;
	q->has_edns = false;
	q->edns_do = false;
	q->edns_version = 0;
	q->edns_opts = 0;
	q->edns_udp_size = 0;
	q->key.len = 0;
	q->key.name_len = 0;

	if (unlikely(len < DNS_HEADER_LEN || len > DNS_MSG_MAXLEN))
		return DNS_VERDICT_DROP;
	q->id = dns_get_u16(msg);
	q->flags = dns_get_u16(msg + 2);
	if (unlikely(q->flags & DNS_FLAG_QR))
		return DNS_VERDICT_DROP;

	uint16_t qdcount = dns_get_u16(msg + 4);
	uint16_t ancount = dns_get_u16(msg + 6);
	uint16_t nscount = dns_get_u16(msg + 8);
	uint16_t arcount = dns_get_u16(msg + 10);

	if (unlikely((q->flags & DNS_OPCODE_MASK) != (DNS_OPCODE_QUERY << DNS_OPCODE_SHIFT))) {
		/* Echo the question if there is one that parses; the verdict stands anyway. */
		if (qdcount == 1 && parse_question(msg, len, q) && arcount == 1)
			(void)parse_opt(msg, len, q->question_end, q); /* so the reply carries OPT */
		return DNS_VERDICT_NOTIMP;
	}
	if (unlikely(qdcount != 1 || ancount != 0 || nscount != 0 || arcount > 1))
		return DNS_VERDICT_FORMERR;
	if (unlikely(!parse_question(msg, len, q)))
		return DNS_VERDICT_FORMERR;

	if (arcount == 1) {
		v = parse_opt(msg, len, q->question_end, q);
		if (unlikely(v != DNS_VERDICT_ANSWER))
			return v;
	} else if (unlikely(q->question_end != len)) {
		return DNS_VERDICT_FORMERR; /* bytes beyond what the header declares */
	}
	return check_type_class(q);
}

const char *
dns_verdict_name(enum dns_verdict v)
{
	return (unsigned)v < DNS_VERDICT_COUNT ? verdict_names[v] : "unknown";
}

uint16_t
dns_verdict_rcode(enum dns_verdict v)
{
	return (unsigned)v < DNS_VERDICT_COUNT ? verdict_rcodes[v] : DNS_RCODE_SERVFAIL;
}

uint16_t
dns_query_compact(const struct dns_query *q, uint8_t *out)
{
	uint16_t n = q->question_end;

	memcpy(out, q->wire, n);
	dns_put_u16(out + 4, 1);
	dns_put_u16(out + 6, 0);
	dns_put_u16(out + 8, 0);
	dns_put_u16(out + 10, q->has_edns ? 1 : 0);
	if (q->has_edns) {
		out[n] = 0;
		dns_put_u16(out + n + 1, DNS_TYPE_OPT);
		dns_put_u16(out + n + 3, q->edns_udp_size);
		dns_put_u32(out + n + 5, (uint32_t)q->edns_version << 16 |
						 (q->edns_do ? DNS_EDNS_DO : 0));
		dns_put_u16(out + n + 9, 0);
		n += DNS_OPT_RR_LEN;
	}
	return n;
}
