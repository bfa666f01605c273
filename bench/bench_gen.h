/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Synthetic cache contents for the bench harness: distinct question names of
 * realistic shape and length, and the answer each name gets.
 *
 * A name is [prefix labels] registered-domain TLD, e.g. www.k3vzpe.com,
 * cdn-3.img.q9ab-tr.co.uk, login.mvrhxkwe.de: a prefix from a weighted list
 * (www, mail, cdn-N, api, random, ...; none for ~20%, two for ~20%), a random
 * second-level label of 5..15 characters, and a TLD from a weighted list.
 * Names shorter than BENCH_NAME_MIN or longer than BENCH_NAME_MAX octets in
 * wire form are drawn again; the mean lands near 21 octets.
 *
 * Answer mix (share of names): one A 60%, 2..4 A 15% (a rotated RRset), one
 * AAAA 10%, CNAME + 1..2 A 10%, NXDOMAIN with the zone's SOA in authority 5%.
 * TTLs are log-uniform in 60..86400 s.
 *
 * Owner: the thread that generates; nothing here is shared.
 */
#ifndef BENCH_GEN_H
#define BENCH_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "bench_rng.h"

#define BENCH_NAME_MIN 10 /* octets in wire form */
#define BENCH_NAME_MAX 40
#define BENCH_TTL_MIN  60
#define BENCH_TTL_MAX  86400

enum bench_answer {
	BENCH_ANS_A = 0,    /* one A */
	BENCH_ANS_MULTI_A,  /* 2..4 A, rotated when served */
	BENCH_ANS_AAAA,     /* one AAAA; the question is AAAA */
	BENCH_ANS_CNAME_A,  /* CNAME to a CDN or zone name, then 1..2 A of the target */
	BENCH_ANS_NXDOMAIN, /* rcode 3, SOA of the registered domain in authority */
	BENCH_ANS_COUNT,
};

/** Distinct lower-case names. Built by bench_names_generate(), freed by bench_names_free(). */
struct bench_names {
	uint32_t n;
	uint8_t *buf;      /* wire names back to back */
	uint32_t *off;     /* n + 1 offsets into buf: name i is buf[off[i] .. off[i+1]) */
	uint8_t *zone_off; /* per name: offset of the registered domain (after the prefix) */
	uint8_t *kind;     /* per name: enum bench_answer */
	uint64_t len_sum;  /* sum of wire lengths, for the mean */
	uint32_t len_min;
	uint32_t len_max;
	uint32_t kind_count[BENCH_ANS_COUNT];
};

static inline const uint8_t *
bench_name(const struct bench_names *nm, uint32_t i)
{
	return nm->buf + nm->off[i];
}

static inline uint32_t
bench_name_len(const struct bench_names *nm, uint32_t i)
{
	return nm->off[i + 1] - nm->off[i];
}

/**
 * Generate @p n distinct names and their answer kinds from @p rng.
 * @return 0, or -ENOMEM (then @p nm holds nothing to free).
 */
int bench_names_generate(struct bench_names *nm, uint32_t n, struct bench_rng *rng);

/** Free what bench_names_generate() allocated. Safe on a zeroed struct. */
void bench_names_free(struct bench_names *nm);

/** QTYPE of the question that name kinds @p k are asked with (AAAA or A). */
uint16_t bench_answer_qtype(enum bench_answer k);

/** Short name of an answer kind, for the report ("a", "multi_a", ...). */
const char *bench_answer_name(enum bench_answer k);

/**
 * Build the response template for name @p i with dns_template_build() into
 * @p out (@p cap bytes, 4-byte aligned). TTLs and addresses come from @p rng.
 * @return the template's length or the builder's negative errno.
 */
int bench_template_make(const struct bench_names *nm, uint32_t i, struct bench_rng *rng, void *out,
                        size_t cap);

#endif /* BENCH_GEN_H */
