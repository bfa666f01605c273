/* SPDX-License-Identifier: BSD-3-Clause */
/* Domain names in wire form: validation, lower-casing, decompression and comparison. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "dns_name.h"

const uint8_t dns_lower_table[256] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
	0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
	0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c,
	0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b,
	0x3c, 0x3d, 0x3e, 0x3f, 0x40, 'a',  'b',  'c',  'd',  'e',  'f',  'g',  'h',  'i',  'j',
	'k',  'l',  'm',  'n',  'o',  'p',  'q',  'r',  's',  't',  'u',  'v',  'w',  'x',  'y',
	'z',  0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
	0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77,
	0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86,
	0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90, 0x91, 0x92, 0x93, 0x94, 0x95,
	0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4,
	0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb1, 0xb2, 0xb3,
	0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf, 0xc0, 0xc1, 0xc2,
	0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1,
	0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0,
	0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef,
	0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe,
	0xff,
};

/* The label type in the top two bits of a length octet (RFC 1035 4.1.4, RFC 6891 5). */
static inline int
label_type_error(uint8_t len)
{
	if ((len & DNS_PTR_MASK) == DNS_PTR_MASK)
		return DNS_NAME_EPTR;
	return DNS_NAME_ELABEL;
}

/*
 * Lower-case 8 octets at once (SWAR): an octet gets 0x20 added when it is in
 * 'A'..'Z'. Label length octets of a valid name are at most 63, below 'A', so
 * a whole wire name can be folded without looking at its labels.
 */
static inline uint64_t
lower8(uint64_t v)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t high = 0x8080808080808080ULL;
	uint64_t low7 = v & ~high;
	uint64_t ge_a = low7 + (0x80 - 'A') * ones; /* top bit set where octet >= 'A' */
	uint64_t gt_z = low7 + (0x7f - 'Z') * ones; /* top bit set where octet > 'Z' */
	uint64_t upper = (ge_a ^ gt_z) & ~v & high; /* ASCII and in 'A'..'Z' */

	return v | (upper >> 2);
}

static inline void
fold8(uint8_t *dst, const uint8_t *src)
{
	uint64_t v;

	memcpy(&v, src, 8);
	v = lower8(v);
	memcpy(dst, &v, 8);
}

static inline void
fold4(uint8_t *dst, const uint8_t *src)
{
	uint32_t v;

	memcpy(&v, src, 4);
	v = (uint32_t)lower8(v);
	memcpy(dst, &v, 4);
}

/*
 * Copy @p len octets folded. Only fixed-size loads and stores, so no call to
 * memcpy: the tail is an overlapping last chunk, read and written again (folding
 * is idempotent), never past @p len.
 */
static void
lower_copy(uint8_t *dst, const uint8_t *src, size_t len)
{
	size_t i = 0;

	if (len >= 8) {
		for (; i + 8 <= len; i += 8)
			fold8(dst + i, src + i);
		if (i < len)
			fold8(dst + len - 8, src + len - 8);
	} else if (len >= 4) {
		fold4(dst, src);
		fold4(dst + len - 4, src + len - 4);
	} else {
		for (; i < len; i++)
			dst[i] = dns_lower(src[i]);
	}
}

int
dns_name_scan(const uint8_t *p, size_t avail, uint8_t *lower)
{
	size_t off = 0;

	/* Hop over the labels to check the structure; fold the case in one pass after. */
	for (;;) {
		if (unlikely(off >= avail))
			return DNS_NAME_ETRUNC;
		uint8_t len = p[off];
		if (len == 0)
			break;
		if (unlikely(len > DNS_LABEL_MAXLEN))
			return label_type_error(len);
		if (unlikely(off + 1 + len + 1 > DNS_NAME_MAXLEN))
			return DNS_NAME_ETOOLONG;
		if (unlikely(off + 1 + len >= avail))
			return DNS_NAME_ETRUNC;
		off += 1u + len;
	}
	if (lower != NULL)
		lower_copy(lower, p, off + 1);
	return (int)(off + 1);
}

int
dns_name_unpack(const uint8_t *msg, size_t msg_len, size_t pos, uint8_t *out, bool fold,
		size_t *wire_len)
{
	size_t out_len = 0;
	size_t consumed = 0; /* bytes at the original position, up to the first pointer */
	bool jumped = false;
	size_t limit = pos; /* a pointer must point strictly before where it was read */

	for (;;) {
		if (unlikely(pos >= msg_len))
			return DNS_NAME_ETRUNC;
		uint8_t len = msg[pos];
		if ((len & DNS_PTR_MASK) == DNS_PTR_MASK) {
			if (unlikely(pos + 1 >= msg_len))
				return DNS_NAME_ETRUNC;
			size_t target = ((size_t)(len & 0x3f) << 8) | msg[pos + 1];
			if (unlikely(target >= limit))
				return DNS_NAME_EPTR;
			if (!jumped)
				consumed += 2;
			jumped = true;
			limit = target;
			pos = target;
			continue;
		}
		if (unlikely(len > DNS_LABEL_MAXLEN))
			return DNS_NAME_ELABEL;
		if (unlikely(out_len + 1 + len > DNS_NAME_MAXLEN - (len != 0)))
			return DNS_NAME_ETOOLONG;
		if (unlikely(pos + 1 + len > msg_len))
			return DNS_NAME_ETRUNC;
		out[out_len++] = len;
		for (size_t i = 0; i < len; i++) {
			uint8_t c = msg[pos + 1 + i];
			out[out_len++] = fold ? dns_lower(c) : c;
		}
		if (!jumped)
			consumed += 1u + len;
		if (len == 0)
			break;
		pos += 1u + len;
		if (!jumped)
			limit = pos;
	}
	if (wire_len != NULL)
		*wire_len = consumed;
	return (int)out_len;
}

size_t
dns_name_length(const uint8_t *name)
{
	const uint8_t *p = name;

	while (*p != 0)
		p += 1u + *p;
	return (size_t)(p - name) + 1;
}

unsigned
dns_name_labels(const uint8_t *name)
{
	unsigned n = 0;

	for (; *name != 0; name += 1u + *name)
		n++;
	return n;
}

static bool
labels_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (dns_lower(a[i]) != dns_lower(b[i]))
			return false;
	}
	return true;
}

bool
dns_name_equal(const uint8_t *a, const uint8_t *b)
{
	size_t la = dns_name_length(a);

	return la == dns_name_length(b) && labels_equal(a, b, la);
}

bool
dns_name_in_zone(const uint8_t *name, const uint8_t *zone)
{
	unsigned nl = dns_name_labels(name);
	unsigned zl = dns_name_labels(zone);

	if (nl < zl)
		return false;
	/* Skip the labels of name that zone lacks, then the rest must be equal. */
	for (unsigned i = 0; i < nl - zl; i++)
		name += 1u + *name;
	return dns_name_equal(name, zone);
}
