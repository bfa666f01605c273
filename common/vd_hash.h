/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A fast non-cryptographic hash for short keys (DNS names of 1..255 octets).
 * Eight bytes per step, each folded with a 64x64->128 multiply; the tail is
 * read without crossing the key's end. Seeded, so each table can pick its own
 * seed and an attacker cannot precompute colliding names for every process.
 */
#ifndef VD_HASH_H
#define VD_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define VD_HASH_K1 0x9e3779b97f4a7c15ULL
#define VD_HASH_K2 0xd6e8feb86659fd93ULL

static inline uint64_t
vd_hash_mix(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t
vd_hash_load_tail(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	/* n is 1..7: three overlapping loads cover it without a loop. */
	if (n >= 4) {
		uint32_t lo, hi;
		memcpy(&lo, p, 4);
		memcpy(&hi, p + n - 4, 4);
		v = ((uint64_t)hi << 32) | lo;
	} else {
		v = ((uint64_t)p[0] << 16) | ((uint64_t)p[n >> 1] << 8) | p[n - 1];
	}
	return v;
}

/** Hash @p len bytes at @p key with @p seed. */
static inline uint64_t
vd_hash_bytes(const void *key, size_t len, uint64_t seed)
{
	const uint8_t *p = key;
	uint64_t h = seed ^ (len * VD_HASH_K1);

	while (len >= 8) {
		uint64_t v;
		memcpy(&v, p, 8);
		h = vd_hash_mix(h ^ v, VD_HASH_K2);
		p += 8;
		len -= 8;
	}
	if (len > 0)
		h = vd_hash_mix(h ^ vd_hash_load_tail(p, len), VD_HASH_K2);
	return vd_hash_mix(h, VD_HASH_K1);
}

#endif /* VD_HASH_H */
