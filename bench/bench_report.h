/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What every bench result is printed with (STYLE 3.7: machine, commit and build
 * flags), the human table, and the one-line JSON object that ends the output.
 *
 * Output shape: a header block of "key  value" lines, a blank line, the table,
 * and as the very last line one JSON object, so scripts can `tail -n 1`.
 */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vd_compiler.h"

struct bench_machine {
	char cpu[160];    /* "model name" of /proc/cpuinfo, or "unknown" */
	long nproc;       /* CPUs online */
	char kernel[200]; /* uname: sysname release machine */
	int pinned_cpu;   /* CPU this thread is pinned to, -1 if not */
	char load[64];    /* /proc/loadavg at start: others' work skews results */
};

/** Fill @p m from /proc/cpuinfo, sysconf and uname. */
void bench_machine_probe(struct bench_machine *m);

/**
 * Pin the calling thread to the highest-numbered CPU it may run on.
 * @return that CPU, or a negative errno.
 */
int bench_pin_last_cpu(void);

/** Build facts captured by meson: `git describe --always --dirty` at build time. */
const char *bench_build_commit(void);
/** Compiler id and version, e.g. "gcc 12.2.0". */
const char *bench_build_compiler(void);
/** Meson buildtype, e.g. "release". */
const char *bench_build_type(void);
/** Optimisation, NDEBUG, LTO, c_args and project flags in one line. */
const char *bench_build_flags(void);

/** Print the header block for @p mode. */
void bench_report_header(FILE *f, const struct bench_machine *m, const char *mode);

/** Print the table's title row. */
void bench_report_table_begin(FILE *f);

/** One table row: @p name, then the formatted value. */
void bench_report_row(FILE *f, const char *name, const char *fmt, ...) VD_PRINTF(3, 4);

/** A one-line JSON object written as it is built. */
struct bench_json {
	FILE *f;
	bool first;
};

void bench_json_begin(struct bench_json *j, FILE *f);
void bench_json_str(struct bench_json *j, const char *key, const char *val);
void bench_json_u64(struct bench_json *j, const char *key, uint64_t val);
/** A number with @p prec decimals; NaN and infinities are written as null. */
void bench_json_num(struct bench_json *j, const char *key, double val, int prec);
void bench_json_null(struct bench_json *j, const char *key);
/** Close the object and end the line. */
void bench_json_end(struct bench_json *j);

#endif /* BENCH_REPORT_H */
