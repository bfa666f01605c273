/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shared by veloctl's files. veloctl is a client program, not control-thread code,
 * so its symbols carry their own prefix, vc_.
 */
#ifndef VELOCTL_H
#define VELOCTL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* Exit codes, for scripts. */
enum {
	VC_EXIT_OK = 0,
	VC_EXIT_FAILED = 1,  /* the daemon answered ok:false, or the exchange broke */
	VC_EXIT_USAGE = 2,
	VC_EXIT_CONNECT = 3,
	VC_EXIT_TIMEOUT = 4,
};

/* How results are printed. */
struct vc_fmt {
	bool json;           /* raw JSON: results pretty, streamed parts one per line */
	size_t width;        /* terminal width; 0: no limit. Wider tables are transposed. */
};

/**
 * Print one result (@p partial false) or one streamed part (true) on stdout, as
 * @p f says. Exits with VC_EXIT_FAILED when out of memory.
 */
void vc_print(json_t *v, const struct vc_fmt *f, bool partial);

/**
 * Display text of a scalar, strings with control characters escaped (\xNN);
 * objects and arrays as compact JSON, escaped alike.
 * @return a malloc'd string for the caller to free (exits when out of memory).
 */
char *vc_text(const json_t *v);

#endif /* VELOCTL_H */
