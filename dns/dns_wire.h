/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DNS wire format: constants, big-endian access and a bounds-checked cursor.
 *
 * Header (RFC 1035 4.1.1), 12 octets:
 *
 *      0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
 *    +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *    |                      ID                       |   offset 0
 *    |QR|   Opcode  |AA|TC|RD|RA| Z|AD|CD|   RCODE   |   offset 2
 *    |                    QDCOUNT                    |   offset 4
 *    |                    ANCOUNT                    |   offset 6
 *    |                    NSCOUNT                    |   offset 8
 *    |                    ARCOUNT                    |   offset 10
 *    +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *
 * The cursor keeps the first error it meets (Knot's wire_ctx): reads past the
 * end return 0 and set err, so a parser reads a whole structure and checks once.
 */
#ifndef DNS_WIRE_H
#define DNS_WIRE_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vd_compiler.h"

#define DNS_HEADER_LEN   12
#define DNS_NAME_MAXLEN  255 /* octets in wire form, root label included */
#define DNS_LABEL_MAXLEN 63
#define DNS_UDP_MINSIZE  512  /* RFC 1035 limit without EDNS */
#define DNS_EDNS_SIZE    1232 /* what velodns advertises and answers up to (DNS flag day 2020) */
#define DNS_MSG_MAXLEN   65535
#define DNS_OPT_RR_LEN   11 /* root owner + type + class + ttl + rdlen */
#define DNS_PTR_MASK     0xc0
#define DNS_PTR_MAX      0x3fff /* largest offset a compression pointer can hold */

/* Header flag bits, in the 16-bit word at offset 2 */
#define DNS_FLAG_QR 0x8000
#define DNS_FLAG_AA 0x0400
#define DNS_FLAG_TC 0x0200
#define DNS_FLAG_RD 0x0100
#define DNS_FLAG_RA 0x0080
#define DNS_FLAG_Z  0x0040
#define DNS_FLAG_AD 0x0020
#define DNS_FLAG_CD 0x0010
#define DNS_OPCODE_SHIFT 11
#define DNS_OPCODE_MASK  0x7800
#define DNS_RCODE_MASK   0x000f

/* EDNS (RFC 6891): the OPT TTL field is ext-rcode(8) | version(8) | DO(1) | Z(15) */
#define DNS_EDNS_DO 0x8000

enum dns_opcode {
	DNS_OPCODE_QUERY = 0,
	DNS_OPCODE_IQUERY = 1,
	DNS_OPCODE_STATUS = 2,
	DNS_OPCODE_NOTIFY = 4,
	DNS_OPCODE_UPDATE = 5,
};

enum dns_rcode {
	DNS_RCODE_NOERROR = 0,
	DNS_RCODE_FORMERR = 1,
	DNS_RCODE_SERVFAIL = 2,
	DNS_RCODE_NXDOMAIN = 3,
	DNS_RCODE_NOTIMP = 4,
	DNS_RCODE_REFUSED = 5,
	DNS_RCODE_BADVERS = 16, /* extended: upper 8 bits travel in OPT */
};

enum dns_class {
	DNS_CLASS_IN = 1,
	DNS_CLASS_CH = 3,
	DNS_CLASS_NONE = 254,
	DNS_CLASS_ANY = 255,
};

enum dns_type {
	DNS_TYPE_A = 1,
	DNS_TYPE_NS = 2,
	DNS_TYPE_CNAME = 5,
	DNS_TYPE_SOA = 6,
	DNS_TYPE_PTR = 12,
	DNS_TYPE_HINFO = 13,
	DNS_TYPE_MX = 15,
	DNS_TYPE_TXT = 16,
	DNS_TYPE_AAAA = 28,
	DNS_TYPE_SRV = 33,
	DNS_TYPE_DNAME = 39,
	DNS_TYPE_OPT = 41,
	DNS_TYPE_DS = 43,
	DNS_TYPE_RRSIG = 46,
	DNS_TYPE_NSEC = 47,
	DNS_TYPE_DNSKEY = 48,
	DNS_TYPE_SVCB = 64,
	DNS_TYPE_HTTPS = 65,
	DNS_TYPE_TKEY = 249,
	DNS_TYPE_TSIG = 250,
	DNS_TYPE_IXFR = 251,
	DNS_TYPE_AXFR = 252,
	DNS_TYPE_MAILB = 253,
	DNS_TYPE_MAILA = 254,
	DNS_TYPE_ANY = 255,
};

static inline uint16_t
dns_get_u16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t
dns_get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void
dns_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
dns_put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/** Read cursor over [pos, end). err is 0 or the first negative errno, and sticks. */
struct dns_cursor {
	const uint8_t *pos;
	const uint8_t *end;
	int err;
};

static inline void
dns_cursor_init(struct dns_cursor *c, const uint8_t *buf, size_t len)
{
	c->pos = buf;
	c->end = buf + len;
	c->err = 0;
}

static inline size_t
dns_cursor_left(const struct dns_cursor *c)
{
	return (size_t)(c->end - c->pos);
}

/** Consume @p n bytes; returns their start, or NULL and sets -EMSGSIZE on underrun. */
static inline const uint8_t *
dns_read_bytes(struct dns_cursor *c, size_t n)
{
	const uint8_t *p = c->pos;

	if (unlikely(c->err != 0 || dns_cursor_left(c) < n)) {
		if (c->err == 0)
			c->err = -EMSGSIZE;
		return NULL;
	}
	c->pos += n;
	return p;
}

static inline uint8_t
dns_read_u8(struct dns_cursor *c)
{
	const uint8_t *p = dns_read_bytes(c, 1);

	return p != NULL ? p[0] : 0;
}

static inline uint16_t
dns_read_u16(struct dns_cursor *c)
{
	const uint8_t *p = dns_read_bytes(c, 2);

	return p != NULL ? dns_get_u16(p) : 0;
}

static inline uint32_t
dns_read_u32(struct dns_cursor *c)
{
	const uint8_t *p = dns_read_bytes(c, 4);

	return p != NULL ? dns_get_u32(p) : 0;
}

#endif /* DNS_WIRE_H */
