/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for the resolver section of the configuration (control/cp_conf_resolver.c):
 * root hints, qname-minimisation and every bound of struct cp_iter_limits, good
 * values and bad ones with their exact "FILE:LINE:COL: FIELD: reason" message.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "conf_harness.h"
#include "cp_conf.h"

#ifndef VD_SOURCE_ROOT
#error "the build defines VD_SOURCE_ROOT (tests/unit/control/meson.build)"
#endif

#define HINTS "  root-hints: /tmp/root.hints\n"

TestSuite(cp_conf_resolver, .fini = conf_teardown);

Test(cp_conf_resolver, root_hints_and_defaults)
{
	load_resolver_ok(HINTS);
	cr_assert_str_eq(conf.resolver.root_hints, "/tmp/root.hints");
	cr_assert(conf.resolver.qname_minimisation, "on by default");
	cr_assert_eq(conf.resolver.limits.max_referrals, CP_ITER_DEFAULT_MAX_REFERRALS);
	cr_assert_eq(conf.resolver.limits.max_cnames, CP_ITER_DEFAULT_MAX_CNAMES);
	cr_assert_eq(conf.resolver.limits.max_sent, CP_ITER_DEFAULT_MAX_SENT);
	cr_assert_eq(conf.resolver.limits.max_glueless_deleg, CP_ITER_DEFAULT_MAX_GLUELESS_DELEG);
	cr_assert_eq(conf.resolver.limits.max_glueless, CP_ITER_DEFAULT_MAX_GLUELESS);
	cr_assert_eq(conf.resolver.limits.max_depth, CP_ITER_DEFAULT_MAX_DEPTH);
	cr_assert_eq(conf.resolver.limits.max_time_ms, CP_ITER_DEFAULT_MAX_TIME_MS);
	cr_assert_eq(conf.resolver.limits.lame_ttl_ms, CP_ITER_DEFAULT_LAME_TTL_MS);
	cr_assert_eq(conf.resolver.max_in_flight, 1024);
	cp_conf_free(&conf);
	load_resolver_ok("  qname-minimisation: off\n");
	cr_assert_str_eq(conf.resolver.root_hints, "/usr/share/dns/root.hints",
	                 "no root-hints: IANA's, as dns-root-data installs them");
	cp_conf_free(&conf);
	cr_assert_eq(load(BASE), 0, "%s", conf_err);
	cr_assert_null(conf.resolver.root_hints, "no resolver section: no resolver");
	cr_assert_eq(conf.resolver.limits.max_sent, CP_ITER_DEFAULT_MAX_SENT);
}

Test(cp_conf_resolver, every_key_set)
{
	load_resolver_ok(HINTS "  qname-minimisation: off\n"
	                       "  max-referrals: 12\n"
	                       "  max-cname-chain: 0\n"
	                       "  max-upstream-queries: 200\n"
	                       "  max-glueless-per-delegation: 16\n"
	                       "  max-glueless: 0\n"
	                       "  max-depth: 7\n"
	                       "  max-time: 2500ms\n"
	                       "  lame-ttl: 0\n"
	                       "  max-in-flight: 100000\n");
	cr_assert_not(conf.resolver.qname_minimisation);
	cr_assert_eq(conf.resolver.limits.max_referrals, 12);
	cr_assert_eq(conf.resolver.limits.max_cnames, 0);
	cr_assert_eq(conf.resolver.limits.max_sent, 200);
	cr_assert_eq(conf.resolver.limits.max_glueless_deleg, 16);
	cr_assert_eq(conf.resolver.limits.max_glueless, 0);
	cr_assert_eq(conf.resolver.limits.max_depth, 7);
	cr_assert_eq(conf.resolver.limits.max_time_ms, 2500);
	cr_assert_eq(conf.resolver.limits.lame_ttl_ms, 0);
	cr_assert_eq(conf.resolver.max_in_flight, 100000);
	cp_conf_free(&conf);
	load_resolver_ok(HINTS "  qname-minimisation: yes\n  lame-ttl: 1h\n  max-time: 30s\n");
	cr_assert(conf.resolver.qname_minimisation);
	cr_assert_eq(conf.resolver.limits.lame_ttl_ms, 3600000);
	cr_assert_eq(conf.resolver.limits.max_time_ms, 30000);
}

Test(cp_conf_resolver, bad_values)
{
	expect_resolver_error("  hints: x\n",
	                      "velodns.conf:6:3: resolver.hints: unknown key (known here:"
	                      " root-hints, forward-zones, qname-minimisation, max-referrals,"
	                      " max-cname-chain, max-upstream-queries, max-glueless-per-delegation,"
	                      " max-glueless, max-depth, max-time, lame-ttl, max-in-flight,"
	                      " serve-stale,"
	                      " stale-max-age, stale-answer-ttl, stale-client-timeout, prefetch)");
	expect_resolver_error(HINTS "  max-in-flight: 0\n",
	                      "velodns.conf:7:18: resolver.max-in-flight: 0 is out of range"
	                      " (1..100000)");
	expect_resolver_error("  root-hints: \"\"\n",
	                      "velodns.conf:6:15: resolver.root-hints: has no value");
	expect_resolver_error(HINTS "  qname-minimisation: maybe\n",
	                      "velodns.conf:7:23: resolver.qname-minimisation: \"maybe\" is not a"
	                      " boolean (use true or false)");
	expect_resolver_error(HINTS "  max-referrals: 0\n",
	                      "velodns.conf:7:18: resolver.max-referrals: 0 is out of range"
	                      " (1..130)");
	expect_resolver_error(HINTS "  max-referrals: 131\n",
	                      "velodns.conf:7:18: resolver.max-referrals: 131 is out of range"
	                      " (1..130)");
	expect_resolver_error(HINTS "  max-cname-chain: 24\n",
	                      "velodns.conf:7:20: resolver.max-cname-chain: 24 is out of range"
	                      " (0..23)");
	expect_resolver_error(HINTS "  max-upstream-queries: 0\n",
	                      "velodns.conf:7:25: resolver.max-upstream-queries: 0 is out of range"
	                      " (1..200)");
	expect_resolver_error(HINTS "  max-upstream-queries: -1\n",
	                      "velodns.conf:7:25: resolver.max-upstream-queries: \"-1\" is not a"
	                      " whole number");
	expect_resolver_error(HINTS "  max-glueless-per-delegation: 17\n",
	                      "velodns.conf:7:32: resolver.max-glueless-per-delegation: 17 is out"
	                      " of range (0..16)");
	expect_resolver_error(HINTS "  max-glueless: 65\n",
	                      "velodns.conf:7:17: resolver.max-glueless: 65 is out of range"
	                      " (0..64)");
	expect_resolver_error(HINTS "  max-depth: 8\n",
	                      "velodns.conf:7:14: resolver.max-depth: 8 is out of range (0..7)");
	expect_resolver_error(HINTS "  max-depth: [1]\n",
	                      "velodns.conf:7:14: resolver.max-depth: expected a single value, got a"
	                      " list");
	expect_resolver_error(HINTS "  max-time: 300ms\n",
	                      "velodns.conf:7:13: resolver.max-time: 300ms is too short (at least"
	                      " 301ms)");
	expect_resolver_error(HINTS "  max-time: 31s\n",
	                      "velodns.conf:7:13: resolver.max-time: 31s is too long (at most"
	                      " 30s)");
	expect_resolver_error(HINTS "  max-time: soon\n",
	                      "velodns.conf:7:13: resolver.max-time: \"soon\" is not a duration"
	                      " (use seconds, or numbers with units ms, s, m, h, d: \"10s\","
	                      " \"1m30s\")");
	expect_resolver_error(HINTS "  lame-ttl: 2h\n",
	                      "velodns.conf:7:13: resolver.lame-ttl: 2h is too long (at most"
	                      " 1h)");
	expect_resolver_error(HINTS "  max-glueless:\n",
	                      "velodns.conf:7:16: resolver.max-glueless: has no value");
}

/* deploy/velodns.conf.example's resolver block, uncommented, is a valid section. */
/* Serve-stale (RFC 8767) and prefetch: defaults, every key, and each bad value's message. */
Test(cp_conf_resolver, stale_and_prefetch)
{
	load_resolver_ok("  root-hints: /tmp/root.hints\n");
	cr_assert(conf.resolver.serve_stale);
	cr_assert_eq(conf.resolver.stale_max_age, 86400);
	cr_assert_eq(conf.resolver.stale_answer_ttl, 30);
	cr_assert_eq(conf.resolver.stale_client_timeout_ms, 1800);
	cr_assert(conf.resolver.prefetch);
	cp_conf_free(&conf);
	load_resolver_ok("  root-hints: /tmp/root.hints\n  serve-stale: off\n"
	        "  stale-max-age: 3d\n  stale-answer-ttl: 1m\n  stale-client-timeout: 500ms\n"
	        "  prefetch: no\n");
	cr_assert_not(conf.resolver.serve_stale);
	cr_assert_eq(conf.resolver.stale_max_age, 3 * 86400);
	cr_assert_eq(conf.resolver.stale_answer_ttl, 60);
	cr_assert_eq(conf.resolver.stale_client_timeout_ms, 500);
	cr_assert_not(conf.resolver.prefetch);
	cp_conf_free(&conf);
	load_resolver_ok("  root-hints: /tmp/root.hints\n  stale-client-timeout: off\n");
	cr_assert_eq(conf.resolver.stale_client_timeout_ms, 0);
	cp_conf_free(&conf);
	expect_resolver_error("  root-hints: r\n  stale-max-age: 8d\n",
	                        "velodns.conf:7:18: resolver.stale-max-age: 8d is too long"
	                        " (at most 7d)");
	expect_resolver_error("  root-hints: r\n  stale-answer-ttl: 1500ms\n",
	                        "velodns.conf:7:21: resolver.stale-answer-ttl: \"1500ms\": whole"
	                        " seconds only");
	expect_resolver_error("  root-hints: r\n  stale-answer-ttl: 0\n",
	                        "velodns.conf:7:21: resolver.stale-answer-ttl: 0 is too short"
	                        " (at least 1s)");
	expect_resolver_error("  root-hints: r\n  stale-client-timeout: 11s\n",
	                        "velodns.conf:7:25: resolver.stale-client-timeout: 11s is too"
	                        " long (at most 10s)");
	expect_resolver_error("  root-hints: r\n  serve-stale: maybe\n",
	                        "velodns.conf:7:16: resolver.serve-stale: \"maybe\" is not a"
	                        " boolean (use true or false)");
}

Test(cp_conf_resolver, the_example_block_loads_uncommented)
{
	char path[512], line[512], keys[2048] = "";
	bool in_block = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/deploy/velodns.conf.example", VD_SOURCE_ROOT);
	f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strcmp(line, "#resolver:\n") == 0) {
			in_block = true;
			continue;
		}
		if (in_block && strncmp(line, "#  ", 3) == 0)
			strncat(keys, line + 1, sizeof(keys) - strlen(keys) - 1);
		else if (in_block)
			break;
	}
	fclose(f);
	cr_assert(strstr(keys, "root-hints") != NULL, "block found: %s", keys);
	load_resolver_ok(keys);
	cr_assert(conf.resolver.qname_minimisation);
	cr_assert_eq(conf.resolver.limits.max_sent, CP_ITER_DEFAULT_MAX_SENT,
	             "the example shows the defaults");
	cr_assert_eq(conf.resolver.limits.max_depth, CP_ITER_DEFAULT_MAX_DEPTH);
	cr_assert_eq(conf.resolver.limits.max_time_ms, CP_ITER_DEFAULT_MAX_TIME_MS);
	cr_assert_eq(conf.resolver.limits.lame_ttl_ms, CP_ITER_DEFAULT_LAME_TTL_MS);
}
