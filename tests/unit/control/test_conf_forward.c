/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for control/cp_conf_forward.c: resolver.forward-zones, and the
 * resolver section's rule for root-hints beside them (IANA's by default, none
 * when "." is forwarded).
 * Every bad entry is refused with the exact "FILE:LINE:COL: FIELD: reason".
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "conf_harness.h"
#include "cp_conf.h"
#include "cp_forward.h"
#include "dns_present.h"

#ifndef VD_SOURCE_ROOT
#error "the build defines VD_SOURCE_ROOT (tests/unit/control/meson.build)"
#endif

TestSuite(cp_conf_forward, .fini = conf_teardown);

static const char *
zone_name(unsigned i)
{
	static char text[DNS_NAME_TEXT_MAX];
	const struct cp_fwd_zone *z = cp_forward_get(conf.resolver.forward, i);

	cr_assert_not_null(z);
	cr_assert_geq(dns_name_to_text(z->name, text, sizeof(text)), 0);
	return text;
}

static const char *
server(unsigned zone, unsigned i)
{
	static char text[CP_FWD_ADDR_TEXT_MAX];
	const struct cp_fwd_zone *z = cp_forward_get(conf.resolver.forward, zone);

	cr_assert_lt(i, z->n_servers);
	cr_assert_gt(cp_fwd_addr_to_text(&z->servers[i], text, sizeof(text)), 0);
	return text;
}

Test(cp_conf_forward, pure_forwarder_without_root_hints)
{
	load_resolver_ok("  forward-zones:\n"
	                 "    - name: \".\"\n"
	                 "      servers: [198.18.5.1, \"2001:db8::53@5353\", 127.0.0.1@5353]\n");
	cr_assert(cp_resolver_conf_enabled(&conf.resolver), "a resolver without root hints");
	cr_assert_null(conf.resolver.root_hints);
	cr_assert_eq(cp_forward_count(conf.resolver.forward), 1);
	cr_assert_str_eq(zone_name(0), ".");
	cr_assert_eq(cp_forward_get(conf.resolver.forward, 0)->n_servers, 3);
	cr_assert_str_eq(server(0, 0), "198.18.5.1");
	cr_assert_str_eq(server(0, 1), "2001:db8::53@5353");
	cr_assert_str_eq(server(0, 2), "127.0.0.1@5353");
}

Test(cp_conf_forward, zones_beside_root_hints)
{
	load_resolver_ok(
		"  root-hints: /tmp/root.hints\n"
		"  forward-zones:\n"
		"    - { name: Corp.Example, servers: [198.18.5.1] }\n"
		"    - { name: 10.in-addr.arpa., servers: [198.18.5.2, 198.18.5.3@53] }\n");
	cr_assert_str_eq(conf.resolver.root_hints, "/tmp/root.hints");
	cr_assert_eq(cp_forward_count(conf.resolver.forward), 2);
	cr_assert_str_eq(zone_name(0), "corp.example.", "lower-cased, absolute");
	cr_assert_str_eq(zone_name(1), "10.in-addr.arpa.");
	cr_assert_str_eq(server(1, 1), "198.18.5.3");
}

/* Hints default to IANA's unless "." is forwarded (a pure forwarder needs none). */
Test(cp_conf_forward, default_hints_unless_root_forwarded)
{
	load_resolver_ok("  forward-zones: []\n");
	cr_assert_str_eq(conf.resolver.root_hints, "/usr/share/dns/root.hints");
	cp_conf_free(&conf);
	load_resolver_ok(
		"  forward-zones:\n    - { name: corp.example., servers: [198.18.5.1] }\n");
	cr_assert_str_eq(conf.resolver.root_hints, "/usr/share/dns/root.hints",
	                 "names outside corp.example. are resolved from the root");
	cp_conf_free(&conf);
	load_resolver_ok("  forward-zones:\n    - { name: \".\", servers: [198.18.5.1] }\n");
	cr_assert_null(conf.resolver.root_hints, "\".\" forwarded: no hints needed");
	cp_conf_free(&conf);
	load_resolver_ok("  root-hints: /tmp/root.hints\n  forward-zones: []\n");
	cr_assert_eq(cp_forward_count(conf.resolver.forward), 0);
}

Test(cp_conf_forward, bad_entries)
{
	expect_resolver_error(
		"  forward-zones: 198.18.5.1\n",
		"velodns.conf:6:18: resolver.forward-zones: expected a list ([a, b] or lines"
		" starting with '- '), got a scalar");
	expect_resolver_error(
		"  forward-zones: [198.18.5.1]\n",
		"velodns.conf:6:19: resolver.forward-zones[0]: expected a map { name: ZONE,"
		" servers: [ADDR, ...] }, got a scalar");
	expect_resolver_error(
		"  forward-zones:\n    - { name: ., servers: [198.18.5.1], port: 53 }\n",
		"velodns.conf:7:41: resolver.forward-zones[0].port: unknown key (known here:"
		" name, servers)");
	expect_resolver_error("  forward-zones:\n    - { servers: [198.18.5.1] }\n",
	                      "velodns.conf:7:7: resolver.forward-zones[0].name: required");
	expect_resolver_error("  forward-zones:\n    - { name: . }\n",
	                      "velodns.conf:7:7: resolver.forward-zones[0].servers: required");
	expect_resolver_error(
		"  forward-zones:\n    - { name: \"a..b\", servers: [198.18.5.1] }\n",
		"velodns.conf:7:15: resolver.forward-zones[0].name: \"a..b\" is not a domain"
		" name");
	expect_resolver_error("  forward-zones:\n    - { name: \"\", servers: [198.18.5.1] }\n",
	                      "velodns.conf:7:15: resolver.forward-zones[0].name: has no value");
	expect_resolver_error(
		"  forward-zones:\n"
		"    - { name: example., servers: [198.18.5.1] }\n"
		"    - { name: EXAMPLE, servers: [198.18.5.2] }\n",
		"velodns.conf:8:15: resolver.forward-zones[1].name: zone EXAMPLE is listed"
		" twice (first at line 7)");
}

Test(cp_conf_forward, bad_servers)
{
	expect_resolver_error(
		"  forward-zones:\n    - { name: ., servers: [] }\n",
		"velodns.conf:7:27: resolver.forward-zones[0].servers: needs at least one"
		" forwarder address (ADDR or ADDR@PORT)");
	expect_resolver_error(
		"  forward-zones:\n    - { name: ., servers: 198.18.5.1 }\n",
		"velodns.conf:7:27: resolver.forward-zones[0].servers: expected a list ([a,"
		" b] or lines starting with '- '), got a scalar");
	expect_resolver_error(
		"  forward-zones:\n    - { name: ., servers: [198.18.5.1, resolver.isp] }\n",
		"velodns.conf:7:40: resolver.forward-zones[0].servers[1]: \"resolver.isp\": not"
		" an IPv4 or IPv6 address");
	expect_resolver_error(
		"  forward-zones:\n    - { name: ., servers: [198.18.5.1@0] }\n",
		"velodns.conf:7:28: resolver.forward-zones[0].servers[0]: \"198.18.5.1@0\":"
		" the port after '@' must be a number 1..65535");
	expect_resolver_error(
		"  forward-zones:\n    - { name: ., servers: [\"198.18.5.1:5353\"] }\n",
		"velodns.conf:7:28: resolver.forward-zones[0].servers[0]: \"198.18.5.1:5353\":"
		" not an IPv4 or IPv6 address (a port is written ADDR@PORT)");
	expect_resolver_error(
		"  forward-zones:\n    - { name: ., servers: [\"[2001:db8::1]:53\"] }\n",
		"velodns.conf:7:28: resolver.forward-zones[0].servers[0]:"
		" \"[2001:db8::1]:53\": no brackets: write ADDR@PORT (2001:db8::1@5353)");
	expect_resolver_error(
		"  forward-zones:\n    - { name: ., servers: [224.0.0.53] }\n",
		"velodns.conf:7:28: resolver.forward-zones[0].servers[0]: \"224.0.0.53\": an"
		" unspecified, broadcast or multicast address cannot be a forwarder");
	expect_resolver_error(
		"  forward-zones:\n    - { name: ., servers: [[198.18.5.1]] }\n",
		"velodns.conf:7:28: resolver.forward-zones[0].servers[0]: expected a single"
		" value, got a list");
	expect_resolver_error(
		"  forward-zones:\n"
		"    - name: .\n"
		"      servers:\n"
		"        - 198.18.5.1\n"
		"        - 198.18.5.1@53\n",
		"velodns.conf:10:11: resolver.forward-zones[0].servers[1]: \"198.18.5.1@53\" is"
		" listed twice (first at line 9)");
}

Test(cp_conf_forward, bounded_lists)
{
	char yaml[16384];
	size_t o;

	o = (size_t)snprintf(yaml, sizeof(yaml),
	                     "  forward-zones:\n    - name: .\n      servers:\n");
	for (int i = 1; i <= CP_FWD_MAX_SERVERS + 1; i++)
		o += (size_t)snprintf(yaml + o, sizeof(yaml) - o, "        - 198.18.5.%d\n", i);
	expect_resolver_error(yaml,
	                      "velodns.conf:9:9: resolver.forward-zones[0].servers: at most 16"
	                      " forwarders per zone");
	o = (size_t)snprintf(yaml, sizeof(yaml), "  forward-zones:\n");
	for (int i = 0; i <= CP_FWD_MAX_ZONES; i++)
		o += (size_t)snprintf(yaml + o, sizeof(yaml) - o,
		                      "    - { name: z%d., servers: [198.18.5.1] }\n", i);
	cr_assert_lt(o, sizeof(yaml) - 1);
	expect_resolver_error(
		yaml, "velodns.conf:7:5: resolver.forward-zones: at most 256 forward zones");
}

/* The commented-out resolver block of deploy/velodns.conf.example, uncommented, loads. */
Test(cp_conf_forward, example_resolver_block_loads)
{
	static char text[65536];
	const char *path = VD_SOURCE_ROOT "/deploy/velodns.conf.example";
	FILE *f = fopen(path, "r");
	size_t len, o;
	char *block;
	int rc;

	cr_assert_not_null(f, "%s", path);
	len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = '\0';
	block = strstr(text, "\n#resolver:\n");
	cr_assert_not_null(block, "no #resolver: block in the example");
	/* Drop the '#' of the block's lines, up to the first line that is not commented. */
	o = (size_t)(block + 1 - text);
	while (o < len && text[o] == '#') {
		memmove(text + o, text + o + 1, len - o);
		len--;
		while (o < len && text[o] != '\n')
			o++;
		o++;
	}
	memset(conf_err, 0, sizeof(conf_err));
	rc = cp_conf_load_string(text, len, "velodns.conf.example", &conf, conf_err,
	                         sizeof(conf_err));
	cr_assert_eq(rc, 0, "%s", conf_err);
	cr_assert_str_eq(conf.resolver.root_hints, "/usr/share/dns/root.hints");
	cr_assert_eq(cp_forward_count(conf.resolver.forward), 2);
	cr_assert_str_eq(zone_name(0), "corp.example.");
	cr_assert_str_eq(server(0, 1), "2001:db8:5::53@5353");
	cr_assert_str_eq(zone_name(1), "10.in-addr.arpa.");
}
