/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Command line of velodns-bench: `velodns-bench MODE [options]`. A bad argument
 * prints what is wrong with which option, then the usage, and exits with 2.
 */
#ifndef BENCH_OPTS_H
#define BENCH_OPTS_H

#include <stdbool.h>
#include <stdint.h>

/* Most names one run may hold: keeps 32-bit offsets and the machine's RAM safe. */
#define BENCH_ENTRIES_MAX (1u << 26)

enum bench_mode {
	BENCH_MODE_HITPATH = 0,
	BENCH_MODE_PARSE,
	BENCH_MODE_SERVE,
};

struct bench_opts {
	enum bench_mode mode;
	const char *mode_name;
	uint32_t entries;     /* --entries: names in the cache */
	double zipf;          /* --zipf: popularity exponent */
	uint64_t queries;     /* --queries: pre-built packets */
	uint64_t seed;        /* --seed */
	uint64_t mem;         /* --mem: cache budget, bytes */
	uint32_t max_entries; /* --max-entries: table capacity */
	unsigned burst;       /* --burst */
	unsigned repeat;      /* --repeat, 0 = automatic */
	double min_time;      /* --min-time, seconds */
	unsigned window;      /* --window (serve) */
	bool stages;          /* not --no-stages */
	bool pin;             /* not --no-pin */
};

/** Parse argv into @p o, applying defaults. Exits 0 after --help, 2 on a bad argument. */
void bench_opts_parse(struct bench_opts *o, int argc, char **argv);

#endif /* BENCH_OPTS_H */
