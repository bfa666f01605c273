/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The query stream of the bench harness: Q DNS query packets, built before any
 * timing, asking for the names of a struct bench_names with Zipf(S) popularity.
 *
 * Popularity: rank k (1..N) has weight 1/k^S. The CDF is computed once and
 * sampled by binary search; rank k maps to name perm[k], a random permutation,
 * so the popular names are spread over the cache's table instead of being the
 * first ones inserted.
 *
 * Each packet is a header (random ID, RD), the question with the name's QTYPE
 * and class IN, and on ~80% an OPT record (UDP 1232, version 0, DO clear). On
 * ~20% the letters of the name get random case (0x20), so replies must echo
 * the client's spelling. Packets lie back to back in one buffer with an offset
 * table, so building them allocates twice, not per query.
 */
#ifndef BENCH_STREAM_H
#define BENCH_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench_gen.h"
#include "bench_rng.h"

#define BENCH_EDNS_PCT    80
#define BENCH_MIXCASE_PCT 20
#define BENCH_QUERY_UDP   1232
/* Largest query packet: header, longest name, QTYPE/QCLASS, OPT. */
#define BENCH_QUERY_MAXLEN (12 + BENCH_NAME_MAX + 4 + 11)
/* Refuse a query set whose buffer would pass this (offsets are 32-bit). */
#define BENCH_QUERY_BYTES_MAX (4ULL << 30)

/** Zipf(S) over ranks 0..n-1 (rank 0 most popular). */
struct bench_zipf {
	uint32_t n;
	double s;
	double *cdf; /* cdf[k] = P(rank <= k); cdf[n-1] = 1 */
};

/** @return 0 or -ENOMEM. */
int bench_zipf_init(struct bench_zipf *z, uint32_t n, double s);
void bench_zipf_free(struct bench_zipf *z);

/** A rank drawn from @p z: the first k with cdf[k] > u for a uniform u. */
uint32_t bench_zipf_sample(const struct bench_zipf *z, struct bench_rng *r);

/** The packets. Built by bench_queries_generate(), freed by bench_queries_free(). */
struct bench_queries {
	size_t n;
	uint8_t *buf;    /* packets back to back */
	uint32_t *off;   /* n + 1 offsets: packet i is buf[off[i] .. off[i+1]) */
	uint64_t bytes;  /* off[n] */
	uint64_t n_edns; /* packets with OPT */
	uint64_t n_mixcase;
	uint64_t n_distinct; /* distinct names asked for */
	double top1_share;   /* share of queries for the most popular name (expected) */
};

static inline const uint8_t *
bench_query(const struct bench_queries *qs, size_t i)
{
	return qs->buf + qs->off[i];
}

static inline size_t
bench_query_len(const struct bench_queries *qs, size_t i)
{
	return qs->off[i + 1] - qs->off[i];
}

/**
 * Write one query for @p name (lower case, wire form) to @p out
 * (BENCH_QUERY_MAXLEN bytes of room). @p rng is used only when @p mixcase.
 * @return the packet's length.
 */
size_t bench_query_write(uint8_t *out, const uint8_t *name, size_t name_len, uint16_t qtype,
                         uint16_t id, bool edns, bool mixcase, struct bench_rng *rng);

/**
 * Build @p q packets over the names of @p nm with Zipf(@p s) popularity.
 * @return 0, -E2BIG if the buffer would exceed BENCH_QUERY_BYTES_MAX, or -ENOMEM.
 */
int bench_queries_generate(struct bench_queries *qs, const struct bench_names *nm, double s,
                           size_t q, struct bench_rng *rng);

/** Free what bench_queries_generate() allocated. Safe on a zeroed struct. */
void bench_queries_free(struct bench_queries *qs);

#endif /* BENCH_STREAM_H */
