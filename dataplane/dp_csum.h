/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internet checksum (RFC 1071) in software, for ports without offload (AF_XDP).
 * Sums are kept in the host's byte order over words read straight from memory;
 * by RFC 1071 2(B) the folded result, stored back the same way, is the checksum
 * in network order on any host.
 */
#ifndef DP_CSUM_H
#define DP_CSUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/** Add @p len bytes at @p p to the running 64-bit sum @p sum. */
static inline uint64_t
dp_csum_add(uint64_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t carry = 0;

	while (len >= 8) {
		uint64_t v;
		memcpy(&v, b, 8);
		sum += v;
		carry += sum < v;
		b += 8;
		len -= 8;
	}
	if (len > 0) {
		uint64_t v = 0;
		memcpy(&v, b, len); /* zero-padded, as RFC 1071 pads an odd byte */
		sum += v;
		carry += sum < v;
	}
	/* Fold the carries in; adding them cannot carry again more than once. */
	sum += carry;
	return sum + (sum < carry);
}

/** Fold a 64-bit sum to 16 bits and complement it: the bytes to store in the packet. */
static inline uint16_t
dp_csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

#endif /* DP_CSUM_H */
