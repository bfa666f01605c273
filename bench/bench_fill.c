/* SPDX-License-Identifier: BSD-3-Clause */
/* Filling the answer cache with the bench names (see bench_fill.h for the accounting). */
#include <errno.h>
#include <string.h>

#include "dns_query.h"
#include "dns_template.h"
#include "vd_time.h"

#include "bench_fill.h"
#include "bench_stream.h"

/* Templates checked with dns_template_check() before insert; the rest trust the builder. */
#define BENCH_FILL_CHECKED 4096
/* Every 16th insert measures its slot size; one-A 20-octet names up to this many. */
#define BENCH_FILL_SAMPLE_MASK 15
#define BENCH_FILL_A20_MAX     4096

static int
bench_fill_fail(struct bench_fill_result *res, uint32_t i, const char *what)
{
	res->bad_name = i;
	res->bad_what = what;
	return -EINVAL;
}

int
bench_fill(struct dp_cache *c, const struct bench_names *nm, struct bench_rng *rng, uint32_t now,
           struct bench_fill_result *res)
{
	union {
		struct dns_template t;
		uint8_t bytes[DNS_TMPL_MAXLEN];
	} tb;
	uint8_t qbuf[BENCH_QUERY_MAXLEN];
	struct dp_cache_stats s0, s1;
	struct dns_query q;
	uint64_t t0;

	memset(res, 0, sizeof(*res));
	dp_cache_get_stats(c, &s0);
	res->table_bytes = s0.mem_bytes;
	t0 = vd_now_ns();
	for (uint32_t i = 0; i < nm->n; i++) {
		enum bench_answer kind = (enum bench_answer)nm->kind[i];
		uint32_t len = bench_name_len(nm, i);
		bool a20 = kind == BENCH_ANS_A && len == 20 && res->a20_slot_n < BENCH_FILL_A20_MAX;
		bool sample = (i & BENCH_FILL_SAMPLE_MASK) == 0 || a20;
		int tl, rc;
		size_t ql;

		tl = bench_template_make(nm, i, rng, &tb, sizeof(tb));
		if (tl < 0)
			return bench_fill_fail(res, i, "dns_template_build");
		if (i < BENCH_FILL_CHECKED && dns_template_check(&tb, (size_t)tl) != 0)
			return bench_fill_fail(res, i, "dns_template_check");
		/* The key as a lookup will see it: a canonical query through the real parser. */
		ql = bench_query_write(qbuf, bench_name(nm, i), len, bench_answer_qtype(kind), 0,
		                       false, false, NULL);
		if (dns_query_parse(qbuf, ql, &q) != DNS_VERDICT_ANSWER || !q.has_question)
			return bench_fill_fail(res, i, "dns_query_parse");
		if (sample)
			dp_cache_get_stats(c, &s0);
		/* Resolver answers, as the worker inserts them: with a prefetch window. */
		rc = dp_cache_insert_flags(c, &q.key, &tb.t, now, tb.t.ttl_min, DP_CACHE_PREFETCH);
		if (rc != 0) {
			if (res->first_error == 0)
				res->first_error = rc;
			res->failed++;
			continue;
		}
		res->inserted++;
		res->tmpl_bytes += (uint64_t)tl;
		if (!sample)
			continue;
		dp_cache_get_stats(c, &s1);
		/* Only a clean insert tells one entry's size: no eviction, no replace. */
		if (s1.evictions != s0.evictions || s1.inserts != s0.inserts + 1 ||
		    s1.bytes < s0.bytes)
			continue;
		res->slot_sum[kind] += s1.bytes - s0.bytes;
		res->slot_n[kind]++;
		if (a20) {
			res->a20_slot_sum += s1.bytes - s0.bytes;
			res->a20_slot_n++;
			res->a20_tmpl_sum += (uint64_t)tl;
		}
	}
	res->seconds = (double)(vd_now_ns() - t0) / 1e9;
	dp_cache_get_stats(c, &res->stats);
	return 0;
}
