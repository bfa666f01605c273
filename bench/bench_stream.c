/* SPDX-License-Identifier: BSD-3-Clause */
/* The bench harness's query stream: Zipf popularity and pre-built query packets. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dns_wire.h"

#include "bench_stream.h"

int
bench_zipf_init(struct bench_zipf *z, uint32_t n, double s)
{
	double sum = 0;

	z->n = n;
	z->s = s;
	z->cdf = malloc((size_t)(n > 0 ? n : 1) * sizeof(z->cdf[0]));
	if (z->cdf == NULL)
		return -ENOMEM;
	for (uint32_t k = 0; k < n; k++) {
		sum += pow((double)k + 1, -s);
		z->cdf[k] = sum;
	}
	for (uint32_t k = 0; k < n; k++)
		z->cdf[k] /= sum;
	if (n > 0)
		z->cdf[n - 1] = 1.0; /* rounding must not leave a gap above the last rank */
	return 0;
}

void
bench_zipf_free(struct bench_zipf *z)
{
	free(z->cdf);
	z->cdf = NULL;
}

uint32_t
bench_zipf_sample(const struct bench_zipf *z, struct bench_rng *r)
{
	double u = bench_rng_unit(r);
	uint32_t lo = 0, hi = z->n - 1;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (z->cdf[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Random case for the letters of a wire name (length octets left alone). */
static void
bench_mix_case(uint8_t *name, struct bench_rng *r)
{
	uint64_t bits = bench_rng_next(r);
	unsigned used = 0;

	for (uint8_t *p = name; *p != 0; p += 1 + *p) {
		for (unsigned i = 1; i <= *p; i++) {
			uint8_t c = p[i];

			if (used == 64) {
				bits = bench_rng_next(r);
				used = 0;
			}
			if (c >= 'a' && c <= 'z' && ((bits >> used++) & 1))
				p[i] = (uint8_t)(c - 'a' + 'A');
		}
	}
}

size_t
bench_query_write(uint8_t *out, const uint8_t *name, size_t name_len, uint16_t qtype, uint16_t id,
                  bool edns, bool mixcase, struct bench_rng *rng)
{
	uint8_t *p = out + DNS_HEADER_LEN;

	dns_put_u16(out, id);
	dns_put_u16(out + 2, DNS_FLAG_RD);
	dns_put_u16(out + 4, 1);
	dns_put_u16(out + 6, 0);
	dns_put_u16(out + 8, 0);
	dns_put_u16(out + 10, edns ? 1 : 0);
	memcpy(p, name, name_len);
	if (mixcase)
		bench_mix_case(p, rng);
	p += name_len;
	dns_put_u16(p, qtype);
	dns_put_u16(p + 2, DNS_CLASS_IN);
	p += 4;
	if (edns) {
		/* OPT: root owner, type 41, class = UDP size, TTL 0 (version 0, DO 0), no RDATA */
		p[0] = 0;
		dns_put_u16(p + 1, DNS_TYPE_OPT);
		dns_put_u16(p + 3, BENCH_QUERY_UDP);
		dns_put_u32(p + 5, 0);
		dns_put_u16(p + 9, 0);
		p += DNS_OPT_RR_LEN;
	}
	return (size_t)(p - out);
}

/* A random permutation of 0..n-1 (Fisher-Yates). */
static uint32_t *
bench_permutation(uint32_t n, struct bench_rng *r)
{
	uint32_t *perm = malloc((size_t)(n > 0 ? n : 1) * sizeof(*perm));

	if (perm == NULL)
		return NULL;
	for (uint32_t i = 0; i < n; i++)
		perm[i] = i;
	for (uint32_t i = n; i > 1; i--) {
		uint32_t j = bench_rng_below(r, i);
		uint32_t t = perm[i - 1];

		perm[i - 1] = perm[j];
		perm[j] = t;
	}
	return perm;
}

int
bench_queries_generate(struct bench_queries *qs, const struct bench_names *nm, double s, size_t q,
                       struct bench_rng *rng)
{
	uint64_t bound = (uint64_t)q * (DNS_HEADER_LEN + 4 + DNS_OPT_RR_LEN + nm->len_max);
	struct bench_zipf z;
	uint32_t *perm = NULL;
	uint64_t *seen = NULL;
	uint64_t pos = 0;
	int rc = -ENOMEM;

	memset(qs, 0, sizeof(*qs));
	if (bound >= BENCH_QUERY_BYTES_MAX || q >= UINT32_MAX)
		return -E2BIG;
	if (bench_zipf_init(&z, nm->n, s) != 0)
		return -ENOMEM;
	perm = bench_permutation(nm->n, rng);
	seen = calloc((size_t)nm->n / 64 + 1, sizeof(*seen));
	qs->buf = malloc(bound > 0 ? bound : 1);
	qs->off = malloc((q + 1) * sizeof(qs->off[0]));
	if (perm == NULL || seen == NULL || qs->buf == NULL || qs->off == NULL)
		goto out;
	qs->n = q;
	qs->top1_share = z.cdf[0];
	for (size_t i = 0; i < q; i++) {
		uint32_t name = perm[bench_zipf_sample(&z, rng)];
		bool edns = bench_rng_percent(rng, BENCH_EDNS_PCT);
		bool mixcase = bench_rng_percent(rng, BENCH_MIXCASE_PCT);
		uint16_t id = (uint16_t)bench_rng_next(rng);

		qs->off[i] = (uint32_t)pos;
		pos += bench_query_write(qs->buf + pos, bench_name(nm, name),
		                         bench_name_len(nm, name),
		                         bench_answer_qtype((enum bench_answer)nm->kind[name]), id,
		                         edns, mixcase, rng);
		qs->n_edns += edns;
		qs->n_mixcase += mixcase;
		if ((seen[name / 64] & (1ULL << (name % 64))) == 0) {
			seen[name / 64] |= 1ULL << (name % 64);
			qs->n_distinct++;
		}
	}
	qs->off[q] = (uint32_t)pos;
	qs->bytes = pos;
	rc = 0;
out:
	if (rc != 0)
		bench_queries_free(qs);
	free(seen);
	free(perm);
	bench_zipf_free(&z);
	return rc;
}

void
bench_queries_free(struct bench_queries *qs)
{
	free(qs->buf);
	free(qs->off);
	memset(qs, 0, sizeof(*qs));
}
