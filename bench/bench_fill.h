/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Filling one answer cache with the bench names: build each name's template,
 * derive its key with the real query parser (so the key is exactly what a
 * lookup will use), insert with ttl = template ttl_min at a fixed clock.
 *
 * Memory accounting. dp_cache_stats gives mem_bytes (the table plus every
 * 64 KiB page handed to a size class) and bytes (the slots live entries
 * occupy). Right after creation no page is handed out, so mem_bytes then is the
 * table alone. We report
 *
 *   bytes/entry = (table bytes + slot bytes of live entries) / live entries
 *
 * i.e. what an entry costs in the table plus its own slot, without the slack of
 * partly used pages (that is reported apart, as committed bytes/entry). The
 * slot size of single entries is measured from the change of stats.bytes over
 * one insert, on a sample, per answer kind.
 */
#ifndef BENCH_FILL_H
#define BENCH_FILL_H

#include <stdint.h>

#include "dp_cache.h"

#include "bench_gen.h"

struct bench_fill_result {
	double seconds;       /* template build + key + insert, all names */
	uint64_t inserted;    /* dp_cache_insert() returned 0 */
	uint64_t failed;      /* returned an error */
	int first_error;      /* first error returned, 0 if none */
	uint32_t bad_name;    /* on -EINVAL: the name that failed */
	const char *bad_what; /* on -EINVAL: which step ("template", "key", ...) */
	uint64_t table_bytes; /* stats.mem_bytes before the first insert */
	uint64_t tmpl_bytes;  /* sum of template lengths */
	/* Slot bytes per kind, sampled: sum and count of single-insert deltas. */
	uint64_t slot_sum[BENCH_ANS_COUNT];
	uint64_t slot_n[BENCH_ANS_COUNT];
	/* The same for one-A answers of 20-octet names (the memory target's case). */
	uint64_t a20_slot_sum;
	uint64_t a20_slot_n;
	uint64_t a20_tmpl_sum;
	struct dp_cache_stats stats; /* after the fill */
};

/**
 * Insert every name of @p nm into @p c at cache clock @p now. Stops at no
 * error: failed inserts are counted (and make misses later).
 * @return 0, or -EINVAL if a template could not be built or a key not parsed
 *         (a harness bug: the names and answers are ours).
 */
int bench_fill(struct dp_cache *c, const struct bench_names *nm, struct bench_rng *rng,
               uint32_t now, struct bench_fill_result *res);

#endif /* BENCH_FILL_H */
