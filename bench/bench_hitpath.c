/* SPDX-License-Identifier: BSD-3-Clause */
/* The timed loops: the hit path per burst, and parse and serve alone (see bench_hitpath.h). */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "dns_query.h"
#include "dns_serve.h"
#include "vd_compiler.h"
#include "vd_time.h"

#include "bench_hitpath.h"

/*
 * Slot stride: the 2 KiB of room plus headroom and an mbuf header, as in a DPDK
 * pool with RTE_MBUF_DEFAULT_BUF_SIZE. A plain 2048-byte stride would put every
 * slot's first lines in the same two L1 sets and measure conflict misses that
 * a real worker does not have.
 */
#define BENCH_OUT_STRIDE (BENCH_OUT_CAP + 128 + 128)

#define BENCH_ALWAYS_INLINE inline __attribute__((always_inline))
#define BENCH_NOINLINE      __attribute__((noinline))

/* One burst's working set, allocated once per run, cache-line aligned. */
struct bench_burst {
	struct dns_query q[DP_CACHE_BULK_MAX];
	const struct dns_key *keys[DP_CACHE_BULK_MAX]; /* keys[i] = &q[i].key */
	struct dp_cache_entry *hits[DP_CACHE_BULK_MAX];
	int len[DP_CACHE_BULK_MAX]; /* reply length per slot, 0 on a miss */
	unsigned n;                 /* queries parsed to ANSWER */
	unsigned n_fold;            /* slots not yet in the checksum */
	size_t first;               /* index of the burst's first packet */
	VD_ALIGNED(VD_CACHE_LINE) uint8_t out[DP_CACHE_BULK_MAX][BENCH_OUT_STRIDE];
};

/* Counters of one run of passes (warm-up, timed and stage passes each keep their own). */
struct bench_acc {
	uint64_t hits, misses, not_answer, serve_err, bytes, sum;
	uint64_t st_parse, st_lookup, st_serve;
	uint64_t prefetch_due; /* hits in a prefetch window (the worker would report them) */
};

static struct bench_burst *
bench_burst_new(void)
{
	struct bench_burst *b = aligned_alloc(VD_CACHE_LINE, sizeof(*b));

	if (b == NULL)
		return NULL;
	memset(b, 0, sizeof(*b));
	for (unsigned i = 0; i < DP_CACHE_BULK_MAX; i++)
		b->keys[i] = &b->q[i].key;
	return b;
}

/* Fold one reply into the checksum: its length and its last 8 bytes (TTLs, RDATA or OPT). */
static BENCH_ALWAYS_INLINE void
bench_acc_reply(struct bench_acc *acc, const uint8_t *r, int len)
{
	uint64_t w;

	memcpy(&w, r + len - 8, 8);
	acc->sum += w ^ (uint64_t)len;
}

/*
 * Fold the replies of the previous burst, one burst late on purpose: an 8-byte
 * load right after dns_serve() wrote those bytes one or two at a time cannot
 * be forwarded from the store buffer and stalls (it was 5% of the hit path),
 * a cost a worker handing the packet to the NIC does not have.
 */
static BENCH_ALWAYS_INLINE void
bench_fold_prev(struct bench_burst *b, struct bench_acc *acc)
{
	for (unsigned i = 0; i < b->n_fold; i++) {
		if (b->len[i] >= DNS_HEADER_LEN)
			bench_acc_reply(acc, b->out[i], b->len[i]);
	}
	b->n_fold = 0;
}

/*
 * One burst of @p n packets from @p first: parse, bulk lookup, serve. With
 * @p stages a TSC read separates the steps; callers pass a constant so each
 * variant compiles without the branches of the others.
 */
static BENCH_ALWAYS_INLINE void
bench_burst_run(struct dp_cache *c, struct bench_burst *b, const struct bench_queries *qs,
                size_t first, unsigned n, uint32_t now, struct bench_acc *acc, bool stages)
{
	const uint32_t *off = qs->off + first;
	unsigned nk = 0, nh;
	uint64_t t0 = 0, t1 = 0, t2 = 0;

	bench_fold_prev(b, acc);
	if (stages)
		t0 = vd_tsc();
	for (unsigned i = 0; i < n; i++) {
		if (likely(dns_query_parse(qs->buf + off[i], off[i + 1] - off[i], &b->q[nk]) ==
		           DNS_VERDICT_ANSWER))
			nk++;
		else
			acc->not_answer++;
	}
	if (stages)
		t1 = vd_tsc();
	nh = dp_cache_lookup_bulk(c, b->keys, nk, now, b->hits);
	if (stages)
		t2 = vd_tsc();
	acc->hits += nh;
	acc->misses += nk - nh;
	for (unsigned i = 0; i < nk; i++) {
		struct dp_cache_entry *e = b->hits[i];
		const struct dns_query *q = &b->q[i];
		int len;

		if (unlikely(e == NULL)) {
			b->len[i] = 0;
			continue;
		}
		len = dns_serve(dp_cache_entry_template(e), q, dp_cache_entry_age(e, now),
		                dp_cache_entry_next_rotation(e),
		                dns_query_udp_limit(q, DNS_EDNS_SIZE), b->out[i], BENCH_OUT_CAP);
		b->len[i] = len;
		/* The worker's prefetch test, as in dp_worker.c serve_hit(). */
		if (unlikely(dp_cache_entry_prefetch_due(e, now))) {
			acc->prefetch_due++;
			dp_cache_entry_prefetch_reported(e);
		}
		if (unlikely(len < DNS_HEADER_LEN)) {
			acc->serve_err++;
			continue;
		}
		acc->bytes += (uint64_t)len;
	}
	b->n = nk;
	b->n_fold = nk;
	b->first = first;
	if (stages) {
		uint64_t t3 = vd_tsc();

		acc->st_parse += t1 - t0;
		acc->st_lookup += t2 - t1;
		acc->st_serve += t3 - t2;
	}
}

/* Check every reply of the burst in @p b. @return 0, or -EPROTO with res->fail set. */
static int
bench_burst_check(const struct bench_burst *b, struct bench_run_result *res)
{
	for (unsigned i = 0; i < b->n; i++) {
		const char *why;

		if (b->hits[i] == NULL)
			continue;
		why = bench_reply_check(&b->q[i], b->hits[i], b->out[i], b->len[i]);
		res->checked++;
		if (why != NULL) {
			res->fail = why;
			res->fail_index = b->first + i;
			return -EPROTO;
		}
	}
	return 0;
}

static BENCH_ALWAYS_INLINE int
bench_pass(struct dp_cache *c, struct bench_burst *b, const struct bench_queries *qs,
           unsigned burst, uint32_t now, struct bench_acc *acc, bool stages,
           struct bench_run_result *check)
{
	for (size_t i = 0; i < qs->n; i += burst) {
		unsigned n = qs->n - i < burst ? (unsigned)(qs->n - i) : burst;

		bench_burst_run(c, b, qs, i, n, now, acc, stages);
		if (check != NULL && bench_burst_check(b, check) != 0)
			return -EPROTO;
	}
	bench_fold_prev(b, acc);
	return 0;
}

/* The three variants, each its own loop so the timed one carries no check or TSC code. */
static BENCH_NOINLINE void
bench_pass_timed(struct dp_cache *c, struct bench_burst *b, const struct bench_queries *qs,
                 unsigned burst, uint32_t now, struct bench_acc *acc)
{
	bench_pass(c, b, qs, burst, now, acc, false, NULL);
}

static BENCH_NOINLINE void
bench_pass_stages(struct dp_cache *c, struct bench_burst *b, const struct bench_queries *qs,
                  unsigned burst, uint32_t now, struct bench_acc *acc)
{
	bench_pass(c, b, qs, burst, now, acc, true, NULL);
}

static BENCH_NOINLINE int
bench_pass_checked(struct dp_cache *c, struct bench_burst *b, const struct bench_queries *qs,
                   unsigned burst, uint32_t now, struct bench_acc *acc,
                   struct bench_run_result *res)
{
	return bench_pass(c, b, qs, burst, now, acc, false, res);
}

static bool
bench_more_passes(const struct bench_run_cfg *cfg, unsigned passes, uint64_t t0)
{
	if (cfg->repeat > 0)
		return passes < cfg->repeat;
	return vd_now_ns() - t0 < cfg->min_ns;
}

/*
 * What the scheduler did to this thread: involuntary context switches and CPU
 * time so far. Over the timed part, CPU time well under wall time means the
 * core was shared and the numbers are pessimistic.
 */
static void
bench_sched_mark(uint64_t *ctxsw, uint64_t *cpu_ns)
{
	struct timespec ts;
	struct rusage ru;

	*ctxsw = getrusage(RUSAGE_THREAD, &ru) == 0 ? (uint64_t)ru.ru_nivcsw : 0;
	*cpu_ns = clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0
	                  ? (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec
	                  : 0;
}

static void
bench_sched_since(struct bench_run_result *res)
{
	uint64_t ctxsw, cpu_ns;

	bench_sched_mark(&ctxsw, &cpu_ns);
	res->ctxsw = ctxsw - res->ctxsw;
	res->cpu_ns = cpu_ns - res->cpu_ns;
}

static void
bench_acc_store(const struct bench_acc *acc, struct bench_run_result *res)
{
	res->hits = acc->hits;
	res->misses = acc->misses;
	res->not_answer = acc->not_answer;
	res->serve_err = acc->serve_err;
	res->reply_bytes = acc->bytes;
	res->checksum = acc->sum;
}

const char *
bench_reply_check(const struct dns_query *q, const struct dp_cache_entry *e, const uint8_t *r,
                  int len)
{
	const struct dns_template *t = dp_cache_entry_template(e);
	size_t want = q->question_end + t->body_len + (q->has_edns ? DNS_OPT_RR_LEN : 0);
	uint16_t flags;

	if (len < 0)
		return "dns_serve() failed";
	if ((size_t)len < q->question_end)
		return "reply shorter than the question";
	if ((size_t)len > dns_query_udp_limit(q, DNS_EDNS_SIZE))
		return "reply longer than the client's UDP limit";
	if (dns_get_u16(r) != q->id)
		return "ID differs from the query's";
	flags = dns_get_u16(r + 2);
	if ((flags & DNS_FLAG_QR) == 0)
		return "QR not set";
	if ((flags & DNS_FLAG_RD) != (q->flags & DNS_FLAG_RD))
		return "RD not copied from the query";
	if ((flags & DNS_RCODE_MASK) != (t->flags & DNS_RCODE_MASK))
		return "RCODE differs from the template's";
	if ((flags & DNS_FLAG_TC) != 0)
		return "TC set, yet every bench answer fits in 512 bytes";
	if (dns_get_u16(r + 4) != 1)
		return "QDCOUNT is not 1";
	if (memcmp(r + DNS_HEADER_LEN, q->wire + DNS_HEADER_LEN,
	           q->question_end - DNS_HEADER_LEN) != 0)
		return "question not echoed as the client spelt it";
	if (dns_get_u16(r + 6) != t->count[DNS_SECTION_ANSWER])
		return "ANCOUNT differs from the template's";
	if (dns_get_u16(r + 8) != t->count[DNS_SECTION_AUTHORITY])
		return "NSCOUNT differs from the template's";
	if (dns_get_u16(r + 10) != t->count[DNS_SECTION_ADDITIONAL] + (q->has_edns ? 1 : 0))
		return "ARCOUNT is not the template's plus OPT";
	if ((size_t)len != want)
		return "length is not header + question + template body (+ OPT)";
	if (q->has_edns && (r[len - DNS_OPT_RR_LEN] != 0 ||
	                    dns_get_u16(r + len - DNS_OPT_RR_LEN + 1) != DNS_TYPE_OPT))
		return "OPT record missing at the end";
	return NULL;
}

int
bench_hitpath_run(struct dp_cache *c, const struct bench_queries *qs,
                  const struct bench_run_cfg *cfg, struct bench_run_result *res)
{
	struct bench_burst *b = bench_burst_new();
	struct bench_acc warm = { 0 }, acc = { 0 }, st = { 0 };
	uint64_t t0, c0;
	int rc;

	memset(res, 0, sizeof(*res));
	if (b == NULL)
		return -ENOMEM;
	t0 = vd_now_ns();
	rc = bench_pass_checked(c, b, qs, cfg->burst, cfg->now, &warm, res);
	res->warm_ns = vd_now_ns() - t0;
	if (rc != 0)
		goto out;

	bench_sched_mark(&res->ctxsw, &res->cpu_ns);
	t0 = vd_now_ns();
	c0 = vd_tsc();
	do {
		bench_pass_timed(c, b, qs, cfg->burst, cfg->now, &acc);
		res->passes++;
	} while (bench_more_passes(cfg, res->passes, t0));
	res->tsc = vd_tsc() - c0;
	res->ns = vd_now_ns() - t0;
	bench_sched_since(res);
	res->queries = (uint64_t)res->passes * qs->n;
	bench_acc_store(&acc, res);
	/* The last timed burst is still in b: a sample from the timed code itself. */
	rc = bench_burst_check(b, res);
	if (rc != 0)
		goto out;

	if (cfg->stages) {
		bench_pass_stages(c, b, qs, cfg->burst, cfg->now, &st);
		res->st_parse = st.st_parse;
		res->st_lookup = st.st_lookup;
		res->st_serve = st.st_serve;
		res->st_queries = qs->n;
		rc = bench_burst_check(b, res);
	}
out:
	free(b);
	return rc;
}

/* parse alone: the same packets into the same burst-sized array. */
static BENCH_NOINLINE void
bench_parse_pass(struct bench_burst *b, const struct bench_queries *qs, unsigned burst,
                 struct bench_acc *acc)
{
	for (size_t i = 0; i < qs->n; i++) {
		struct dns_query *q = &b->q[i % burst];

		if (likely(dns_query_parse(bench_query(qs, i), bench_query_len(qs, i), q) ==
		           DNS_VERDICT_ANSWER)) {
			acc->hits++;
			acc->sum += q->key.len ^ q->id;
		} else {
			acc->not_answer++;
		}
	}
}

int
bench_parse_run(const struct bench_queries *qs, const struct bench_run_cfg *cfg,
                struct bench_run_result *res)
{
	struct bench_burst *b = bench_burst_new();
	struct bench_acc warm = { 0 }, acc = { 0 };
	uint64_t t0, c0;

	memset(res, 0, sizeof(*res));
	if (b == NULL)
		return -ENOMEM;
	t0 = vd_now_ns();
	bench_parse_pass(b, qs, cfg->burst, &warm);
	res->warm_ns = vd_now_ns() - t0;
	bench_sched_mark(&res->ctxsw, &res->cpu_ns);
	t0 = vd_now_ns();
	c0 = vd_tsc();
	do {
		bench_parse_pass(b, qs, cfg->burst, &acc);
		res->passes++;
	} while (bench_more_passes(cfg, res->passes, t0));
	res->tsc = vd_tsc() - c0;
	res->ns = vd_now_ns() - t0;
	bench_sched_since(res);
	res->queries = (uint64_t)res->passes * qs->n;
	bench_acc_store(&acc, res);
	free(b);
	return 0;
}

/* serve alone over a window of pre-parsed, pre-looked-up queries. */
static BENCH_NOINLINE void
bench_serve_pass(struct bench_burst *b, const struct dns_query *q, struct dp_cache_entry **e,
                 unsigned n, unsigned burst, uint32_t now, struct bench_acc *acc)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned slot = i % burst;
		int len = dns_serve(
			dp_cache_entry_template(e[i]), &q[i], dp_cache_entry_age(e[i], now),
			dp_cache_entry_next_rotation(e[i]),
			dns_query_udp_limit(&q[i], DNS_EDNS_SIZE), b->out[slot], BENCH_OUT_CAP);

		if (unlikely(len < DNS_HEADER_LEN)) {
			acc->serve_err++;
			continue;
		}
		acc->hits++;
		acc->bytes += (uint64_t)len;
		/* The slot written a burst ago: its stores have retired (see bench_fold_prev). */
		slot = (slot + 1) % burst;
		if (i + 1 >= burst)
			acc->sum += b->out[slot][DNS_HEADER_LEN] ^ (uint64_t)len;
	}
}

int
bench_serve_run(struct dp_cache *c, const struct bench_queries *qs, const struct bench_run_cfg *cfg,
                struct bench_run_result *res)
{
	size_t w = cfg->window < qs->n ? cfg->window : qs->n;
	struct bench_burst *b = bench_burst_new();
	struct dns_query *q = malloc((w > 0 ? w : 1) * sizeof(*q));
	struct dp_cache_entry **e = malloc((w > 0 ? w : 1) * sizeof(*e));
	struct bench_acc warm = { 0 }, acc = { 0 };
	uint64_t t0, c0, misses = 0, not_answer = 0;
	unsigned n = 0;
	int rc = -ENOMEM;

	memset(res, 0, sizeof(*res));
	if (b == NULL || q == NULL || e == NULL)
		goto out;
	for (size_t i = 0; i < w; i++) {
		if (dns_query_parse(bench_query(qs, i), bench_query_len(qs, i), &q[n]) !=
		    DNS_VERDICT_ANSWER) {
			not_answer++;
			continue;
		}
		e[n] = dp_cache_lookup(c, &q[n].key, cfg->now);
		if (e[n] == NULL) {
			misses++;
			continue;
		}
		n++;
	}
	/* Every reply of the window through the checker once, then an untimed warm-up pass. */
	for (unsigned i = 0; i < n; i++) {
		int len = dns_serve(
			dp_cache_entry_template(e[i]), &q[i], dp_cache_entry_age(e[i], cfg->now),
			dp_cache_entry_next_rotation(e[i]),
			dns_query_udp_limit(&q[i], DNS_EDNS_SIZE), b->out[0], BENCH_OUT_CAP);
		const char *why = bench_reply_check(&q[i], e[i], b->out[0], len);

		res->checked++;
		if (why != NULL) {
			res->fail = why;
			res->fail_index = i;
			rc = -EPROTO;
			goto out;
		}
	}
	t0 = vd_now_ns();
	bench_serve_pass(b, q, e, n, cfg->burst, cfg->now, &warm);
	res->warm_ns = vd_now_ns() - t0;
	bench_sched_mark(&res->ctxsw, &res->cpu_ns);
	t0 = vd_now_ns();
	c0 = vd_tsc();
	do {
		bench_serve_pass(b, q, e, n, cfg->burst, cfg->now, &acc);
		res->passes++;
	} while (n > 0 && bench_more_passes(cfg, res->passes, t0));
	res->tsc = vd_tsc() - c0;
	res->ns = vd_now_ns() - t0;
	bench_sched_since(res);
	res->queries = (uint64_t)res->passes * n;
	bench_acc_store(&acc, res);
	res->misses = misses;
	res->not_answer = not_answer;
	rc = 0;
out:
	free(e);
	free(q);
	free(b);
	return rc;
}
