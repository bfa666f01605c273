/* SPDX-License-Identifier: BSD-3-Clause */
/* velodns-bench's command line: modes, options, defaults and their bounds. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dp_cache.h"
#include "vd_compiler.h"

#include "bench_opts.h"
#include "bench_stream.h"

/* Per-entry room of the default --mem, and the floor under it. */
#define BENCH_MEM_PER_ENTRY 256u
#define BENCH_MEM_FLOOR     (16u << 20)
/* Share of physical memory one run may plan to use. */
#define BENCH_RAM_SHARE 0.75

static const char bench_usage[] =
	"usage: velodns-bench MODE [options]\n"
	"\n"
	"modes:\n"
	"  hitpath   per burst: dns_query_parse, dp_cache_lookup_bulk, dns_serve (the hit path)\n"
	"  parse     dns_query_parse alone over the query stream\n"
	"  serve     dns_serve alone, over a window of pre-parsed cache hits\n"
	"\n"
	"options (counts take k/M/G = 10^3/10^6/10^9, --mem takes k/M/G = KiB/MiB/GiB):\n"
	"  --entries N       distinct names in the cache (default 1M, at most 64Mi)\n"
	"  --zipf S          popularity exponent, 0 = uniform (default 0.9)\n"
	"  --queries Q       query packets pre-built before timing (default 4M)\n"
	"  --seed X          random seed for names, answers and queries (default 1)\n"
	"  --mem BYTES       cache budget (default N * 256 + 16 MiB)\n"
	"  --max-entries M   cache table capacity (default N rounded up to 1024)\n"
	"  --burst B         packets per burst, 1..64 (default 32)\n"
	"  --repeat R        timed passes over the query set (default: enough for --min-time)\n"
	"  --min-time SEC    without --repeat, time at least this long (default 1.0)\n"
	"  --window W        serve: queries served round and round (default 1024)\n"
	"  --no-stages       hitpath: skip the per-stage TSC breakdown pass\n"
	"  --no-pin          do not pin to the last CPU\n"
	"  -h, --help        this text\n"
	"\n"
	"Output: machine/commit/build header, a table, and one JSON object as the last line.\n";

static VD_NORETURN VD_PRINTF(1, 2) void bench_bad_arg(const char *fmt, ...)
{
	va_list ap;

	fputs("velodns-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n\n", stderr);
	fputs(bench_usage, stderr);
	exit(2);
}

/* Strict unsigned: digits, then at most one suffix k/M/G meaning @p unit^1..3. */
static uint64_t
bench_arg_u64(const char *opt, const char *s, uint64_t unit, uint64_t max)
{
	static const char suffixes[] = "kKmMgG";
	unsigned long long v;
	uint64_t mult = 1;
	char *end;

	if (s[0] < '0' || s[0] > '9')
		bench_bad_arg("%s: '%s' is not a number", opt, s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		bench_bad_arg("%s: '%s' is out of range", opt, s);
	if (*end != '\0') {
		const char *sfx = strchr(suffixes, *end);

		if (sfx == NULL || end[1] != '\0')
			bench_bad_arg("%s: '%s' has an unknown suffix (k, M, G)", opt, s);
		for (int i = 0; i <= (int)(sfx - suffixes) / 2; i++)
			mult *= unit;
	}
	if (v > max / mult)
		bench_bad_arg("%s: '%s' is over the limit of %llu", opt, s,
		              (unsigned long long)max);
	return (uint64_t)v * mult;
}

static double
bench_arg_double(const char *opt, const char *s, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || errno != 0 || !isfinite(v))
		bench_bad_arg("%s: '%s' is not a number", opt, s);
	if (v < lo || v > hi)
		bench_bad_arg("%s: %s is outside %g..%g", opt, s, lo, hi);
	return v;
}

static void
bench_need(const char *opt, uint64_t v, uint64_t lo, uint64_t hi)
{
	if (v < lo || v > hi)
		bench_bad_arg("%s: %llu is outside %llu..%llu", opt, (unsigned long long)v,
		              (unsigned long long)lo, (unsigned long long)hi);
}

/* Refuse runs whose buffers would not fit: the query buffer bound, then total RAM. */
static void
bench_check_memory(const struct bench_opts *o)
{
	uint64_t qbytes = o->queries * BENCH_QUERY_MAXLEN;
	/* Per name: wire name, offset, zone offset, kind, CDF, permutation, dedup set. */
	uint64_t nbytes = (uint64_t)o->entries * (BENCH_NAME_MAX + 4 + 2 + 8 + 4 + 16);
	uint64_t need = o->mem + nbytes + qbytes + o->queries * 4;
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	double ram = pages > 0 && psize > 0 ? (double)pages * (double)psize : 0;

	if (qbytes >= BENCH_QUERY_BYTES_MAX)
		bench_bad_arg("--queries: %llu packets need up to %.1f GiB of buffer, over the "
		              "%llu GiB bound",
		              (unsigned long long)o->queries, (double)qbytes / (1 << 30),
		              BENCH_QUERY_BYTES_MAX >> 30);
	if (ram > 0 && (double)need > ram * BENCH_RAM_SHARE)
		bench_bad_arg(
			"--entries/--queries/--mem: this run needs about %.1f GiB, over %.0f%% "
			"of the machine's %.1f GiB",
			(double)need / (1 << 30), BENCH_RAM_SHARE * 100, ram / (1 << 30));
}

void
bench_opts_parse(struct bench_opts *o, int argc, char **argv)
{
	enum {
		O_ENTRIES = 256,
		O_ZIPF,
		O_QUERIES,
		O_SEED,
		O_MEM,
		O_MAXENT,
		O_BURST,
		O_REPEAT,
		O_MINTIME,
		O_WINDOW,
		O_NOSTAGES,
		O_NOPIN
	};
	static const struct option longopts[] = {
		{ "entries", required_argument, NULL, O_ENTRIES },
		{ "zipf", required_argument, NULL, O_ZIPF },
		{ "queries", required_argument, NULL, O_QUERIES },
		{ "seed", required_argument, NULL, O_SEED },
		{ "mem", required_argument, NULL, O_MEM },
		{ "max-entries", required_argument, NULL, O_MAXENT },
		{ "burst", required_argument, NULL, O_BURST },
		{ "repeat", required_argument, NULL, O_REPEAT },
		{ "min-time", required_argument, NULL, O_MINTIME },
		{ "window", required_argument, NULL, O_WINDOW },
		{ "no-stages", no_argument, NULL, O_NOSTAGES },
		{ "no-pin", no_argument, NULL, O_NOPIN },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool mem_set = false, maxent_set = false;
	int c;

	*o = (struct bench_opts){
		.entries = 1000000,
		.zipf = 0.9,
		.queries = 4000000,
		.seed = 1,
		.burst = 32,
		.min_time = 1.0,
		.window = 1024,
		.stages = true,
		.pin = true,
	};
	if (argc < 2)
		bench_bad_arg("no mode given");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(bench_usage, stdout);
		exit(0);
	}
	o->mode_name = argv[1];
	if (strcmp(argv[1], "hitpath") == 0)
		o->mode = BENCH_MODE_HITPATH;
	else if (strcmp(argv[1], "parse") == 0)
		o->mode = BENCH_MODE_PARSE;
	else if (strcmp(argv[1], "serve") == 0)
		o->mode = BENCH_MODE_SERVE;
	else
		bench_bad_arg("unknown mode '%s'", argv[1]);

	opterr = 0;
	optind = 2;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		const char *opt = argv[optind - 1];

		switch (c) {
		case O_ENTRIES:
			o->entries = (uint32_t)bench_arg_u64("--entries", optarg, 1000,
			                                     BENCH_ENTRIES_MAX);
			bench_need("--entries", o->entries, 1, BENCH_ENTRIES_MAX);
			break;
		case O_ZIPF:
			o->zipf = bench_arg_double("--zipf", optarg, 0, 10);
			break;
		case O_QUERIES:
			o->queries = bench_arg_u64("--queries", optarg, 1000, UINT32_MAX - 1);
			bench_need("--queries", o->queries, 1, UINT32_MAX - 1);
			break;
		case O_SEED:
			o->seed = bench_arg_u64("--seed", optarg, 1000, UINT64_MAX);
			break;
		case O_MEM:
			o->mem = bench_arg_u64("--mem", optarg, 1024, UINT64_MAX);
			if (o->mem < DP_CACHE_MIN_MEM)
				bench_bad_arg(
					"--mem: %llu is below the cache's minimum of %u bytes",
					(unsigned long long)o->mem, DP_CACHE_MIN_MEM);
			mem_set = true;
			break;
		case O_MAXENT:
			o->max_entries =
				(uint32_t)bench_arg_u64("--max-entries", optarg, 1000, UINT32_MAX);
			bench_need("--max-entries", o->max_entries, 1, UINT32_MAX);
			maxent_set = true;
			break;
		case O_BURST:
			o->burst =
				(unsigned)bench_arg_u64("--burst", optarg, 1000, DP_CACHE_BULK_MAX);
			bench_need("--burst", o->burst, 1, DP_CACHE_BULK_MAX);
			break;
		case O_REPEAT:
			o->repeat = (unsigned)bench_arg_u64("--repeat", optarg, 1000, 1000000);
			bench_need("--repeat", o->repeat, 1, 1000000);
			break;
		case O_MINTIME:
			o->min_time = bench_arg_double("--min-time", optarg, 0.001, 600);
			break;
		case O_WINDOW:
			o->window = (unsigned)bench_arg_u64("--window", optarg, 1000, 1u << 20);
			bench_need("--window", o->window, 1, 1u << 20);
			break;
		case O_NOSTAGES:
			o->stages = false;
			break;
		case O_NOPIN:
			o->pin = false;
			break;
		case 'h':
			fputs(bench_usage, stdout);
			exit(0);
		case ':':
			bench_bad_arg("%s: needs a value", opt);
		default:
			bench_bad_arg("unknown option '%s'", opt);
		}
	}
	if (optind < argc)
		bench_bad_arg("unexpected argument '%s'", argv[optind]);
	if (!mem_set) {
		o->mem = (uint64_t)o->entries * BENCH_MEM_PER_ENTRY + BENCH_MEM_FLOOR;
		if (o->mem < DP_CACHE_MIN_MEM)
			o->mem = DP_CACHE_MIN_MEM;
	}
	if (!maxent_set)
		o->max_entries = (o->entries + 1023u) & ~1023u;
	bench_check_memory(o);
}
