/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loading configuration text for the cp_conf suites (tests/unit/control/test_conf*.c). Every
 * file is a string named "velodns.conf" loaded into conf; a failed load must give exactly the
 * expected "FILE:LINE:COL: FIELD: reason" message in conf_err and leave nothing to free.
 */
#ifndef CONF_HARNESS_H
#define CONF_HARNESS_H

#include "cp_conf.h"

/* Lines 1-4 of most test files: the two required settings. */
#define BASE                                                                                       \
	"ports:\n"                                                                                 \
	"  - interface: veth-dp\n"                                                                 \
	"server:\n"                                                                                \
	"  service-addresses: [198.18.0.2]\n"

/* The configuration loaded last and its error message (empty after a good load). */
extern struct cp_conf conf;
extern char conf_err[CP_CONF_ERRLEN];

/* Frees conf: each suite's .fini. */
void conf_teardown(void);

/* Loads @p yaml; returns what cp_conf_load_string() returned. */
int load(const char *yaml);

/* load() of @p yaml succeeds. */
void load_ok(const char *yaml);

/* load() of @p yaml fails with -EINVAL and exactly the message @p want. */
void expect_error(const char *yaml, const char *want);

/* expect_error() of BASE followed by @p extra, which starts at line 5. */
void expect_error_after_base(const char *extra, const char *want);

/* BASE, "resolver:" (line 5), then @p keys (from line 6) load. */
void load_resolver_ok(const char *keys);

/* expect_error() of BASE, "resolver:" (line 5), then @p keys (from line 6). */
void expect_resolver_error(const char *keys, const char *want);

#endif /* CONF_HARNESS_H */
