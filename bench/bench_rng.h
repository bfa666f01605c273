/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bench harness's random numbers: xoshiro256** seeded through splitmix64.
 * Deterministic for a given seed, so two runs with the same --seed build the
 * same names, answers and query stream. Not for anything that needs secrecy.
 */
#ifndef BENCH_RNG_H
#define BENCH_RNG_H

#include <stdint.h>

struct bench_rng {
	uint64_t s[4];
};

static inline uint64_t
bench_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/** Seed @p r from @p seed (any value, 0 included). */
static inline void
bench_rng_seed(struct bench_rng *r, uint64_t seed)
{
	for (unsigned i = 0; i < 4; i++)
		r->s[i] = bench_splitmix64(&seed);
}

static inline uint64_t
bench_rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/** Next 64 random bits. */
static inline uint64_t
bench_rng_next(struct bench_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = bench_rotl64(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = bench_rotl64(s[3], 45);
	return out;
}

/** Uniform in [0, @p n), n >= 1 (Lemire's multiply-shift; bias < n / 2^64). */
static inline uint32_t
bench_rng_below(struct bench_rng *r, uint32_t n)
{
	return (uint32_t)(((__uint128_t)bench_rng_next(r) * n) >> 64);
}

/** Uniform in [@p lo, @p hi], lo <= hi. */
static inline uint32_t
bench_rng_range(struct bench_rng *r, uint32_t lo, uint32_t hi)
{
	return lo + bench_rng_below(r, hi - lo + 1);
}

/** Uniform double in [0, 1), 53 random bits. */
static inline double
bench_rng_unit(struct bench_rng *r)
{
	return (double)(bench_rng_next(r) >> 11) * 0x1.0p-53;
}

/** True with probability @p percent / 100. */
static inline int
bench_rng_percent(struct bench_rng *r, uint32_t percent)
{
	return bench_rng_below(r, 100) < percent;
}

#endif /* BENCH_RNG_H */
