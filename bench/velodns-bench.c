/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * velodns-bench: the project's benchmark harness, no NIC and no DPDK. It builds
 * a cache and a query stream, times the worker's hit path (or one step of it)
 * on one pinned core, and prints machine, commit and build with the result.
 * See bench_hitpath.h for what is timed and bench_fill.h for the memory figures.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp_cache.h"
#include "vd_time.h"

#include "bench_fill.h"
#include "bench_gen.h"
#include "bench_hitpath.h"
#include "bench_opts.h"
#include "bench_report.h"
#include "bench_stream.h"

/* Cache clock of the fill; lookups run BENCH_AGE seconds later, so TTLs get rewritten. */
#define BENCH_NOW_FILL 1000000u
#define BENCH_AGE      7u

/* Everything one run builds before timing. Owner: main's thread. */
struct bench_ctx {
	struct bench_opts o;
	struct bench_machine m;
	struct bench_names names;
	struct bench_queries qs;
	struct dp_cache *cache;
	struct bench_fill_result fill;
	double names_s;
	double queries_s;
};

static VD_NORETURN VD_PRINTF(1, 2) void bench_die(const char *fmt, ...)
{
	va_list ap;

	fputs("velodns-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
bench_note(const char *what)
{
	fprintf(stderr, "velodns-bench: %s\n", what);
}

/* Independent streams for names, answers and queries, so --queries does not change names. */
static void
bench_rng_stream(struct bench_rng *r, uint64_t seed, uint64_t stream)
{
	bench_rng_seed(r, seed ^ (stream * 0xa0761d6478bd642fULL));
}

static void
bench_setup_names(struct bench_ctx *x)
{
	struct bench_rng r;
	uint64_t t0 = vd_now_ns();

	bench_note("generating names");
	bench_rng_stream(&r, x->o.seed, 1);
	if (bench_names_generate(&x->names, x->o.entries, &r) != 0)
		bench_die("names: out of memory for %u names", x->o.entries);
	x->names_s = (double)(vd_now_ns() - t0) / 1e9;
}

static void
bench_setup_cache(struct bench_ctx *x)
{
	struct dp_cache_params p = {
		.mem_bytes = x->o.mem,
		.max_entries = x->o.max_entries,
		.seed = bench_splitmix64(&(uint64_t){ x->o.seed }) | 1,
	};
	struct bench_rng r;
	int rc;

	x->cache = dp_cache_create(&p);
	if (x->cache == NULL)
		bench_die("dp_cache_create(mem %llu, max_entries %u): %s",
		          (unsigned long long)p.mem_bytes, p.max_entries, strerror(errno));
	bench_note("filling the cache");
	bench_rng_stream(&r, x->o.seed, 2);
	rc = bench_fill(x->cache, &x->names, &r, BENCH_NOW_FILL, &x->fill);
	if (rc != 0)
		bench_die("fill: %s failed for name %u (harness bug)", x->fill.bad_what,
		          x->fill.bad_name);
	if (x->fill.failed > 0)
		fprintf(stderr, "velodns-bench: warning: %llu of %u inserts failed (first: %s)\n",
		        (unsigned long long)x->fill.failed, x->o.entries,
		        strerror(-x->fill.first_error));
	if (x->fill.stats.entries < x->o.entries)
		fprintf(stderr,
		        "velodns-bench: warning: only %llu of %u entries live after the fill "
		        "(%llu evicted): raise --mem or --max-entries\n",
		        (unsigned long long)x->fill.stats.entries, x->o.entries,
		        (unsigned long long)x->fill.stats.evictions);
}

static void
bench_setup_queries(struct bench_ctx *x)
{
	struct bench_rng r;
	uint64_t t0 = vd_now_ns();
	int rc;

	bench_note("building query packets");
	bench_rng_stream(&r, x->o.seed, 3);
	rc = bench_queries_generate(&x->qs, &x->names, x->o.zipf, x->o.queries, &r);
	if (rc == -E2BIG)
		bench_die("--queries: %llu packets exceed the %llu GiB buffer bound",
		          (unsigned long long)x->o.queries, BENCH_QUERY_BYTES_MAX >> 30);
	if (rc != 0)
		bench_die("queries: out of memory for %llu packets",
		          (unsigned long long)x->o.queries);
	x->queries_s = (double)(vd_now_ns() - t0) / 1e9;
}

static double
bench_pct(uint64_t part, uint64_t whole)
{
	return whole > 0 ? 100.0 * (double)part / (double)whole : 0;
}

static void
bench_print_workload(const struct bench_ctx *x)
{
	const struct bench_names *nm = &x->names;
	const struct bench_queries *qs = &x->qs;

	printf("%-10s %u, wire length mean %.1f octets (min %u, max %u); answers", "names", nm->n,
	       (double)nm->len_sum / nm->n, nm->len_min, nm->len_max);
	for (unsigned k = 0; k < BENCH_ANS_COUNT; k++)
		printf("%s %s %.1f%%", k == 0 ? "" : ",", bench_answer_name((enum bench_answer)k),
		       bench_pct(nm->kind_count[k], nm->n));
	printf("\n%-10s %zu packets, mean %.1f bytes, EDNS %.1f%%, 0x20 %.1f%%, zipf %.2f: "
	       "%llu distinct names, top name %.2f%%\n",
	       "queries", qs->n, (double)qs->bytes / (double)qs->n, bench_pct(qs->n_edns, qs->n),
	       bench_pct(qs->n_mixcase, qs->n), x->o.zipf, (unsigned long long)qs->n_distinct,
	       100 * qs->top1_share);
	if (x->cache != NULL)
		printf("%-10s one dp_cache, mem budget %.1f MiB, max_entries %u, "
		       "lookups at age %u s\n",
		       "cache", (double)x->o.mem / (1 << 20), x->o.max_entries, BENCH_AGE);
}

/* Below this share of the timed wall time on CPU, the run says its core was shared. */
#define BENCH_ON_CPU_MIN 0.98

static double
bench_on_cpu(const struct bench_run_result *r)
{
	return r->ns > 0 ? (double)r->cpu_ns / (double)r->ns : 0;
}

/* Rows and JSON keys every mode shares: size of the run and its speed. */
static void
bench_print_speed(const struct bench_ctx *x, const struct bench_run_result *r, size_t set,
                  const char *unit)
{
	double nq = (double)r->queries;

	bench_report_row(stdout, "entries", "%u", x->o.entries);
	bench_report_row(stdout, "zipf", "%.2f", x->o.zipf);
	bench_report_row(stdout, "queries timed", "%llu (%u passes over %zu %s, burst %u)",
	                 (unsigned long long)r->queries, r->passes, set, unit, x->o.burst);
	bench_report_row(stdout, "ns/query", "%.1f", (double)r->ns / nq);
	bench_report_row(stdout, "million queries/s", "%.2f", nq / (double)r->ns * 1e3);
	bench_report_row(stdout, "TSC cycles/query",
	                 "%.1f (TSC %.3f GHz; reference cycles, not core cycles)",
	                 (double)r->tsc / nq, (double)r->tsc / (double)r->ns);
	bench_report_row(stdout, "timed wall time",
	                 "%.3f s, on CPU %.1f%% of it (%.1f ns/query of CPU time), "
	                 "%llu involuntary context switches%s",
	                 (double)r->ns / 1e9, 100 * bench_on_cpu(r), (double)r->cpu_ns / nq,
	                 (unsigned long long)r->ctxsw,
	                 bench_on_cpu(r) < BENCH_ON_CPU_MIN ? " (CPU SHARED: numbers pessimistic)"
	                                                    : "");
}

static void
bench_json_speed(struct bench_json *j, const struct bench_ctx *x, const struct bench_run_result *r)
{
	double nq = (double)r->queries;

	bench_json_str(j, "mode", x->o.mode_name);
	bench_json_u64(j, "entries", x->o.entries);
	bench_json_num(j, "zipf", x->o.zipf, 3);
	bench_json_num(j, "ns_per_query", (double)r->ns / nq, 2);
	bench_json_num(j, "mqps", nq / (double)r->ns * 1e3, 3);
	bench_json_num(j, "cycles_per_query", (double)r->tsc / nq, 1);
}

static void
bench_json_build(struct bench_json *j, const struct bench_ctx *x, const struct bench_run_result *r)
{
	char sum[24];

	snprintf(sum, sizeof(sum), "%016llx", (unsigned long long)r->checksum);
	bench_json_u64(j, "queries", r->queries);
	bench_json_u64(j, "query_set", x->qs.n);
	bench_json_u64(j, "passes", r->passes);
	bench_json_u64(j, "burst", x->o.burst);
	bench_json_u64(j, "seed", x->o.seed);
	bench_json_num(j, "tsc_ghz", (double)r->tsc / (double)r->ns, 3);
	bench_json_str(j, "checksum", sum);
	bench_json_str(j, "commit", bench_build_commit());
	bench_json_str(j, "compiler", bench_build_compiler());
	bench_json_str(j, "buildtype", bench_build_type());
	bench_json_u64(j, "ctxsw", r->ctxsw);
	bench_json_num(j, "on_cpu", bench_on_cpu(r), 4);
	bench_json_str(j, "loadavg", x->m.load);
	bench_json_str(j, "cpu", x->m.cpu);
	bench_json_num(j, "cpu_pinned", x->m.pinned_cpu, 0);
}

static void
bench_report_hitpath(const struct bench_ctx *x, const struct bench_run_result *r)
{
	const struct bench_fill_result *f = &x->fill;
	uint64_t live = f->stats.entries > 0 ? f->stats.entries : 1;
	double share = (double)f->table_bytes / (double)live;
	/* What one entry costs: its share of the table plus its slot (see bench_fill.h). */
	double bpe = ((double)f->table_bytes + (double)f->stats.bytes) / (double)live;
	double hit_ratio = (double)r->hits / (double)r->queries;
	double a20 = f->a20_slot_n > 0 ? (double)f->a20_slot_sum / (double)f->a20_slot_n : 0;
	double stq = r->st_queries > 0 ? (double)r->st_queries : 1;
	struct bench_json j;

	bench_print_speed(x, r, x->qs.n, "packets");
	bench_report_row(stdout, "cache bytes/entry",
	                 "%.1f (table share %.1f + slots %.1f); committed %.1f", bpe, share,
	                 (double)f->stats.bytes / (double)live,
	                 (double)f->stats.mem_bytes / (double)live);
	bench_report_row(stdout, "  table bytes", "%llu", (unsigned long long)f->table_bytes);
	bench_report_row(stdout, "  slot bytes", "%llu (live entries' slots; templates alone %llu)",
	                 (unsigned long long)f->stats.bytes, (unsigned long long)f->tmpl_bytes);
	bench_report_row(
		stdout, "  committed bytes", "%llu of budget %llu (table + pages handed out)",
		(unsigned long long)f->stats.mem_bytes, (unsigned long long)f->stats.mem_budget);
	printf("%-26s", "  slot bytes by answer");
	for (unsigned k = 0; k < BENCH_ANS_COUNT; k++)
		printf("%s %s %.0f", k == 0 ? "" : ",", bench_answer_name((enum bench_answer)k),
		       f->slot_n[k] > 0 ? (double)f->slot_sum[k] / (double)f->slot_n[k] : 0);
	printf(" (sampled)\n");
	bench_report_row(stdout, "  one A, 20-octet name",
	                 "%.1f bytes/entry (slot %.1f + table share %.1f; "
	                 "template %.1f; n=%llu)",
	                 a20 + share, a20, share,
	                 f->a20_slot_n > 0 ? (double)f->a20_tmpl_sum / (double)f->a20_slot_n : 0,
	                 (unsigned long long)f->a20_slot_n);
	bench_report_row(stdout, "entries live", "%llu (%llu inserted, %llu failed, %llu evicted)",
	                 (unsigned long long)f->stats.entries, (unsigned long long)f->inserted,
	                 (unsigned long long)f->failed, (unsigned long long)f->stats.evictions);
	bench_report_row(stdout, "hit ratio",
	                 "%.6f (%llu hits, %llu misses, "
	                 "%llu not parsed to ANSWER, %llu serve errors)",
	                 hit_ratio, (unsigned long long)r->hits, (unsigned long long)r->misses,
	                 (unsigned long long)r->not_answer, (unsigned long long)r->serve_err);
	bench_report_row(stdout, "fill time",
	                 "%.3f s (%.2f us/name: template build + key parse + insert)", f->seconds,
	                 f->seconds * 1e6 / (double)x->o.entries);
	bench_report_row(stdout, "  name generation", "%.3f s", x->names_s);
	bench_report_row(stdout, "  query generation", "%.3f s", x->queries_s);
	bench_report_row(stdout, "replies checked",
	                 "%llu (all of the warm-up pass, %.3f s; "
	                 "the last burst of the timed and stage passes)",
	                 (unsigned long long)r->checked, r->warm_ns / 1e9);
	if (r->st_queries > 0)
		bench_report_row(stdout, "stage cycles/query",
		                 "parse %.1f, lookup %.1f, serve %.1f "
		                 "(separate pass with TSC reads between steps)",
		                 r->st_parse / stq, r->st_lookup / stq, r->st_serve / stq);
	bench_report_row(stdout, "reply bytes/query", "%.1f (checksum %016llx)",
	                 (double)r->reply_bytes / (double)r->queries,
	                 (unsigned long long)r->checksum);

	bench_json_begin(&j, stdout);
	bench_json_speed(&j, x, r);
	bench_json_num(&j, "bytes_per_entry", bpe, 1);
	bench_json_num(&j, "hit_ratio", hit_ratio, 6);
	bench_json_u64(&j, "entries_live", f->stats.entries);
	bench_json_u64(&j, "table_bytes", f->table_bytes);
	bench_json_u64(&j, "slot_bytes", f->stats.bytes);
	bench_json_u64(&j, "mem_bytes", f->stats.mem_bytes);
	bench_json_num(&j, "a20_bytes_per_entry", a20 + share, 1);
	bench_json_num(&j, "fill_s", f->seconds, 3);
	if (r->st_queries > 0) {
		bench_json_num(&j, "parse_cycles", r->st_parse / stq, 1);
		bench_json_num(&j, "lookup_cycles", r->st_lookup / stq, 1);
		bench_json_num(&j, "serve_cycles", r->st_serve / stq, 1);
	}
	bench_json_build(&j, x, r);
	bench_json_end(&j);
}

static void
bench_report_step(const struct bench_ctx *x, const struct bench_run_result *r)
{
	bool parse = x->o.mode == BENCH_MODE_PARSE;
	size_t set = parse ? x->qs.n : (x->o.window < x->qs.n ? x->o.window : x->qs.n);
	struct bench_json j;

	bench_print_speed(x, r, set, parse ? "packets" : "window queries (pre-parsed hits)");
	bench_report_row(stdout, "answered",
	                 "%llu (%llu not ANSWER, %llu misses, %llu serve errors)",
	                 (unsigned long long)r->hits, (unsigned long long)r->not_answer,
	                 (unsigned long long)r->misses, (unsigned long long)r->serve_err);
	bench_report_row(stdout, "checksum", "%016llx", (unsigned long long)r->checksum);
	bench_json_begin(&j, stdout);
	bench_json_speed(&j, x, r);
	bench_json_null(&j, "bytes_per_entry");
	bench_json_num(&j, "hit_ratio", (double)r->hits / (double)r->queries, 6);
	bench_json_build(&j, x, r);
	bench_json_end(&j);
}

int
main(int argc, char **argv)
{
	static struct bench_ctx x;
	struct bench_run_result r;
	struct bench_run_cfg cfg;
	int rc;

	bench_opts_parse(&x.o, argc, argv);
	bench_machine_probe(&x.m);
	if (x.o.pin) {
		rc = bench_pin_last_cpu();
		if (rc < 0)
			fprintf(stderr,
			        "velodns-bench: warning: sched_setaffinity: %s; not pinned\n",
			        strerror(-rc));
		x.m.pinned_cpu = rc;
	}
	cfg = (struct bench_run_cfg){
		.now = BENCH_NOW_FILL + BENCH_AGE,
		.burst = x.o.burst,
		.repeat = x.o.repeat,
		.min_ns = (uint64_t)(x.o.min_time * 1e9),
		.stages = x.o.stages,
		.window = x.o.window,
	};

	bench_setup_names(&x);
	if (x.o.mode != BENCH_MODE_PARSE)
		bench_setup_cache(&x);
	bench_setup_queries(&x);
	bench_note("timing");
	switch (x.o.mode) {
	case BENCH_MODE_HITPATH:
		rc = bench_hitpath_run(x.cache, &x.qs, &cfg, &r);
		break;
	case BENCH_MODE_PARSE:
		rc = bench_parse_run(&x.qs, &cfg, &r);
		break;
	case BENCH_MODE_SERVE:
	default:
		rc = bench_serve_run(x.cache, &x.qs, &cfg, &r);
		break;
	}
	if (rc == -EPROTO)
		bench_die("%s: reply to query %llu is wrong: %s", x.o.mode_name,
		          (unsigned long long)r.fail_index, r.fail);
	if (rc != 0)
		bench_die("%s: %s", x.o.mode_name, strerror(-rc));
	if (r.queries == 0)
		bench_die("%s: nothing was timed (every query missed?)", x.o.mode_name);

	bench_report_header(stdout, &x.m, x.o.mode_name);
	bench_print_workload(&x);
	bench_report_table_begin(stdout);
	if (x.o.mode == BENCH_MODE_HITPATH)
		bench_report_hitpath(&x, &r);
	else
		bench_report_step(&x, &r);
	if (x.o.mode == BENCH_MODE_HITPATH && (double)r.hits < 0.999 * (double)r.queries)
		fprintf(stderr,
		        "velodns-bench: warning: hit ratio %.4f with %llu of %u names cached\n",
		        (double)r.hits / (double)r.queries,
		        (unsigned long long)x.fill.stats.entries, x.o.entries);
	dp_cache_destroy(x.cache);
	bench_queries_free(&x.qs);
	bench_names_free(&x.names);
	return 0;
}
