/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests for control/cp_conf*.c and cp_yaml.c: the configuration file.
 * Good files load with the documented defaults; every bad value, key, type and
 * YAML error is refused with the exact "FILE:LINE:COL: FIELD: reason" message.
 * Most files are given as strings named "velodns.conf"; some go through real
 * files, and the annotated example in deploy/ must load as it is.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "conf_harness.h"
#include "cp_conf.h"
#include "cp_localdata.h"
#include "dns_present.h"

#ifndef VD_SOURCE_ROOT
#error "the build defines VD_SOURCE_ROOT (tests/unit/control/meson.build)"
#endif

TestSuite(cp_conf, .fini = conf_teardown);

static struct cp_addr
addr(const char *text)
{
	struct cp_addr a = { 0 };

	if (inet_pton(AF_INET, text, &a.v4) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, text, &a.v6) == 1)
		a.family = AF_INET6;
	else
		cr_assert_fail("bad test address %s", text);
	return a;
}

static enum cp_acl_action
acl(const char *text)
{
	struct cp_addr a = addr(text);

	return cp_acl_check(conf.acl, conf.n_acl, &a);
}

/* ---- good files ---- */

Test(cp_conf, minimal_file_gets_the_documented_defaults)
{
	load_ok(BASE);
	cr_assert_str_eq(conf.path, "velodns.conf");
	cr_assert_eq(conf.server.log_level, VD_LOG_INFO);
	cr_assert_str_eq(conf.server.control_socket, "/run/velodns/control.sock");
	cr_assert_eq(conf.server.n_addrs, 1);
	cr_assert_eq(conf.server.addrs[0].subnet_len, 24);
	cr_assert_eq(conf.server.port, 53);
	cr_assert_eq(conf.server.max_udp_size, 1232);
	cr_assert_eq(conf.server.tcp.idle_timeout_ms, 10000);
	cr_assert_eq(conf.server.tcp.max_connections, 256);
	cr_assert_eq(conf.server.tcp.max_queries_per_conn, 100);
	cr_assert_eq(conf.eal.n_args, 0);
	cr_assert(conf.eal.hugepages);
	cr_assert(conf.eal.in_memory);
	cr_assert_eq(conf.eal.memory, 1ull << 30);
	cr_assert_eq(conf.n_ports, 1);
	cr_assert_str_eq(conf.ports[0].name, "dp0");
	cr_assert_eq(conf.ports[0].mode, CP_PORT_AF_XDP);
	cr_assert_str_eq(conf.ports[0].interface, "veth-dp");
	cr_assert_null(conf.ports[0].devargs);
	cr_assert_null(conf.ports[0].pci);
	cr_assert_null(conf.ports[0].exception_interface);
	cr_assert_eq(conf.ports[0].queues, 1);
	cr_assert_eq(conf.ports[0].pos.line, 2);
	cr_assert_eq(conf.workers.n_lcores, 1);
	cr_assert_eq(conf.workers.lcores[0], 1);
	cr_assert_eq(conf.workers.control_lcore, 0);
	cr_assert_eq(conf.cache.memory_per_worker, 256ull << 20);
	cr_assert_eq(conf.cache.max_entries_per_worker, 0);
	cr_assert(!conf.cache.push_to_all_workers);
	cr_assert_eq(conf.cache.min_ttl, 0);
	cr_assert_eq(conf.cache.max_ttl, 86400);
	cr_assert_eq(conf.cache.max_negative_ttl, 3600);
	cr_assert(conf.acl_is_default);
	cr_assert_not_null(conf.localdata);
	cr_assert_eq(cp_localdata_count(conf.localdata), 0);
}

Test(cp_conf, every_key_set)
{
	load_ok("server:\n"
	        "  log-level: debug\n"
	        "  control-socket: /tmp/vd.sock\n"
	        "  service-addresses: [198.18.0.2/15, \"2001:db8::53\"]\n"
	        "  port: 5353\n"
	        "  max-udp-size: 4096\n"
	        "  tcp: { idle-timeout: 1m30s, max-connections: 10, max-queries-per-connection: 0 "
	        "}\n"
	        "eal:\n"
	        "  args: [--log-level=lib.eal:debug, --file-prefix=vd]\n"
	        "  hugepages: no\n"
	        "  in-memory: off\n"
	        "  memory: 512M\n"
	        "ports:\n"
	        "  - name: up-link_0\n"
	        "    mode: af_xdp\n"
	        "    interface: veth0\n"
	        "    devargs: busy_budget=0\n"
	        "    queues: 4\n"
	        "  - mode: full\n"
	        "    pci: 03:00.1\n"
	        "  - mode: full\n"
	        "    devargs: net_tap0,iface=dtap0\n"
	        "    exception-interface: exc-b\n"
	        "workers:\n"
	        "  lcores: [2, 3, 5]\n"
	        "  control-lcore: 1\n"
	        "cache:\n"
	        "  memory-per-worker: 1G\n"
	        "  max-entries-per-worker: 100000\n"
	        "  push-to-all-workers: YES\n"
	        "  min-ttl: 5\n"
	        "  max-ttl: 2d\n"
	        "  max-negative-ttl: 15m\n"
	        "acl:\n"
	        "  - allow: [10.0.0.0/8, \"2001:db8::/32\"]\n"
	        "  - deny: 10.1.0.0/16\n"
	        "  - allow: 10.1.2.3\n"
	        "local-zones:\n"
	        "  - { name: example.test, type: static }\n"
	        "local-data:\n"
	        "  - \"www.example.test. 300 IN A 198.18.1.10\"\n");
	cr_assert_eq(conf.server.log_level, VD_LOG_DEBUG);
	cr_assert_str_eq(conf.server.control_socket, "/tmp/vd.sock");
	cr_assert_eq(conf.server.n_addrs, 2);
	cr_assert_eq(conf.server.addrs[0].subnet_len, 15);
	cr_assert_eq(conf.server.addrs[1].addr.family, AF_INET6);
	cr_assert_eq(conf.server.addrs[1].subnet_len, 64);
	cr_assert_eq(conf.server.port, 5353);
	cr_assert_eq(conf.server.max_udp_size, 4096);
	cr_assert_eq(conf.server.tcp.idle_timeout_ms, 90000);
	cr_assert_eq(conf.server.tcp.max_connections, 10);
	cr_assert_eq(conf.server.tcp.max_queries_per_conn, 0);
	cr_assert_eq(conf.eal.n_args, 2);
	cr_assert_str_eq(conf.eal.args[1], "--file-prefix=vd");
	cr_assert(!conf.eal.hugepages);
	cr_assert(!conf.eal.in_memory);
	cr_assert_eq(conf.eal.memory, 512ull << 20);
	cr_assert_eq(conf.n_ports, 3);
	cr_assert_str_eq(conf.ports[0].name, "up-link_0");
	cr_assert_str_eq(conf.ports[0].devargs, "busy_budget=0");
	cr_assert_eq(conf.ports[0].queues, 4);
	cr_assert_eq(conf.ports[1].mode, CP_PORT_FULL);
	cr_assert_str_eq(conf.ports[1].name, "dp1");
	cr_assert_str_eq(conf.ports[1].pci, "0000:03:00.1");
	cr_assert_str_eq(conf.ports[1].exception_interface, "vdexc1");
	cr_assert_str_eq(conf.ports[2].devargs, "net_tap0,iface=dtap0");
	cr_assert_str_eq(conf.ports[2].exception_interface, "exc-b");
	cr_assert_str_eq(cp_port_mode_name(conf.ports[2].mode), "full");
	cr_assert_eq(conf.workers.n_lcores, 3);
	cr_assert_eq(conf.workers.lcores[2], 5);
	cr_assert_eq(conf.workers.control_lcore, 1);
	cr_assert_eq(conf.cache.memory_per_worker, 1ull << 30);
	cr_assert_eq(conf.cache.max_entries_per_worker, 100000);
	cr_assert(conf.cache.push_to_all_workers);
	cr_assert_eq(conf.cache.min_ttl, 5);
	cr_assert_eq(conf.cache.max_ttl, 172800);
	cr_assert_eq(conf.cache.max_negative_ttl, 900);
	cr_assert(!conf.acl_is_default);
	cr_assert_eq(conf.n_acl, 4);
	cr_assert_eq(cp_localdata_count(conf.localdata), 1);
}

Test(cp_conf, default_acl_is_loopback_and_service_subnets)
{
	load_ok("ports:\n"
	        "  - interface: veth-dp\n"
	        "server:\n"
	        "  service-addresses: [198.18.0.2, \"2001:db8::53/48\", 198.19.0.1/16]\n");
	cr_assert(conf.acl_is_default);
	cr_assert_eq(conf.n_acl, 5);
	cr_assert_eq(acl("127.0.0.1"), CP_ACL_ALLOW);
	cr_assert_eq(acl("127.255.0.9"), CP_ACL_ALLOW);
	cr_assert_eq(acl("::1"), CP_ACL_ALLOW);
	cr_assert_eq(acl("198.18.0.77"), CP_ACL_ALLOW);
	cr_assert_eq(acl("198.18.1.77"), CP_ACL_DENY);
	cr_assert_eq(acl("198.19.200.1"), CP_ACL_ALLOW);
	cr_assert_eq(acl("2001:db8:0:ffff::1"), CP_ACL_ALLOW);
	cr_assert_eq(acl("2001:db8:1::1"), CP_ACL_DENY);
	cr_assert_eq(acl("203.0.113.1"), CP_ACL_DENY);
	cr_assert_eq(acl("::2"), CP_ACL_DENY);
}

Test(cp_conf, explicit_acl_longest_prefix_wins)
{
	load_ok(BASE "acl:\n"
	             "  - allow: 198.18.0.0/15\n"
	             "  - deny: 198.18.5.0/24\n"
	             "  - allow: 198.18.5.7\n"
	             "  - deny: \"2001:db8::/32\"\n");
	cr_assert(!conf.acl_is_default);
	cr_assert_eq(acl("198.18.4.1"), CP_ACL_ALLOW);
	cr_assert_eq(acl("198.18.5.1"), CP_ACL_DENY);
	cr_assert_eq(acl("198.18.5.7"), CP_ACL_ALLOW);
	cr_assert_eq(acl("2001:db8::1"), CP_ACL_DENY);
	/* An explicit list replaces the default: loopback is not implied. */
	cr_assert_eq(acl("127.0.0.1"), CP_ACL_DENY);
}

Test(cp_conf, empty_sections_and_null_values_are_defaults)
{
	load_ok(BASE "eal:\n"
	             "  args:\n"
	             "acl:\n"
	             "local-zones:\n"
	             "local-data: []\n"
	             "cache: {}\n"
	             "workers:\n");
	cr_assert(conf.acl_is_default);
	cr_assert_eq(conf.eal.n_args, 0);
	cr_assert_eq(conf.workers.lcores[0], 1);
}

Test(cp_conf, sizes_and_durations)
{
	load_ok(BASE "  tcp:\n"
	             "    idle-timeout: 250ms\n"
	             "cache:\n"
	             "  memory-per-worker: 1048576\n"
	             "  max-ttl: 1h1m1s\n"
	             "  max-negative-ttl: 90\n");
	cr_assert_eq(conf.server.tcp.idle_timeout_ms, 250);
	cr_assert_eq(conf.cache.memory_per_worker, 1ull << 20);
	cr_assert_eq(conf.cache.max_ttl, 3661);
	cr_assert_eq(conf.cache.max_negative_ttl, 90);
}

Test(cp_conf, local_data_is_answered)
{
	uint8_t q[DNS_NAME_MAXLEN];
	struct cp_ld_answer ans;

	load_ok(BASE "local-data:\n"
	             "  - \"www.example.test. 300 IN A 198.18.1.10\"\n"
	             "  - \"web.example.test. CNAME www.example.test.\"\n"
	             "local-zones:\n"
	             "  - { name: example.test., type: static }\n");
	dns_name_from_text("web.example.test", q, sizeof(q));
	cr_assert_eq(cp_localdata_answer(conf.localdata, q, 1, 1, &ans), CP_LD_ANSWER);
	cr_assert_eq(ans.tmpl.n_rrset, 2);
	dns_name_from_text("nope.example.test", q, sizeof(q));
	cr_assert_eq(cp_localdata_answer(conf.localdata, q, 1, 1, &ans), CP_LD_NXDOMAIN);
}

Test(cp_conf, the_example_config_loads)
{
	const char *path = VD_SOURCE_ROOT "/deploy/velodns.conf.example";
	uint8_t q[DNS_NAME_MAXLEN];
	struct cp_ld_answer ans;
	int rc = cp_conf_load(path, &conf, conf_err, sizeof(conf_err));

	cr_assert_eq(rc, 0, "%s", conf_err);
	cr_assert_str_eq(conf.path, path);
	cr_assert_eq(conf.server.n_addrs, 2);
	cr_assert_eq(conf.n_ports, 1);
	cr_assert_eq(conf.ports[0].mode, CP_PORT_AF_XDP);
	cr_assert_eq(conf.workers.n_lcores, 1);
	cr_assert(!conf.acl_is_default);
	cr_assert_eq(acl("198.18.0.9"), CP_ACL_ALLOW);
	cr_assert_eq(acl("198.18.5.9"), CP_ACL_DENY);
	cr_assert_gt(cp_localdata_count(conf.localdata), 10);
	dns_name_from_text("www.example.test", q, sizeof(q));
	cr_assert_eq(cp_localdata_answer(conf.localdata, q, 1, 1, &ans), CP_LD_ANSWER);
	dns_name_from_text("x.blocked.test", q, sizeof(q));
	cr_assert_eq(cp_localdata_answer(conf.localdata, q, 1, 1, &ans), CP_LD_REFUSED);
}

Test(cp_conf, loads_from_a_file_and_names_it_in_errors)
{
	char dir[] = "/tmp/vdconf.XXXXXX", path[64];
	FILE *f;
	int rc;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/velodns.conf", dir);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(BASE "cache:\n  memory-per-worker: 25x6M\n", f);
	fclose(f);
	rc = cp_conf_load(path, &conf, conf_err, sizeof(conf_err));
	cr_assert_eq(rc, -EINVAL);
	cr_assert(strncmp(conf_err, path, strlen(path)) == 0, "%s", conf_err);
	cr_assert_str_eq(conf_err + strlen(path),
	                 ":6:22: cache.memory-per-worker: \"25x6M\" is not a size (use a number"
	                 " with optional K, M or G)");

	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(BASE, f);
	fclose(f);
	rc = cp_conf_load(path, &conf, conf_err, sizeof(conf_err));
	cr_assert_eq(rc, 0, "%s", conf_err);
	cr_assert_str_eq(conf.path, path);
	cp_conf_free(&conf);
	cp_conf_free(&conf); /* idempotent */
	unlink(path);
	rmdir(dir);
}

Test(cp_conf, missing_file_names_path_and_errno)
{
	int rc = cp_conf_load("/nonexistent/velodns.conf", &conf, conf_err, sizeof(conf_err));

	cr_assert_eq(rc, -ENOENT);
	cr_assert_str_eq(conf_err,
	                 "/nonexistent/velodns.conf: cannot open: No such file or directory");
}

Test(cp_conf, directory_is_not_a_file)
{
	int rc = cp_conf_load("/tmp", &conf, conf_err, sizeof(conf_err));

	cr_assert_eq(rc, -EISDIR);
	cr_assert_str_eq(conf_err, "/tmp: cannot read: Is a directory");
}

/* ---- YAML ---- */

Test(cp_conf, empty_files)
{
	static const char want[] =
		"velodns.conf: the file is empty (server.service-addresses and ports are required)";

	expect_error("", want);
	expect_error("# nothing but a comment\n\n", want);
	expect_error("---\n", want);
}

Test(cp_conf, yaml_syntax_error_reports_the_line)
{
	expect_error(BASE "cache:\n  memory-per-worker: [256M\n",
	             "velodns.conf:7:1: YAML syntax error: did not find expected ',' or ']' (while"
	             " parsing a flow sequence at line 6)");
	expect_error("server:\n  port: 53\n bad\n",
	             "velodns.conf:3:2: YAML syntax error: did not find expected key (while"
	             " parsing a block mapping at line 1)");
	expect_error("server:\n  port: 53\n  bad\n",
	             "velodns.conf:4:1: YAML syntax error: could not find expected ':' (while"
	             " scanning a simple key at line 3)");
	expect_error("server:\n\tport: 53\n",
	             "velodns.conf:2:1: YAML syntax error: found character that cannot start any"
	             " token (while scanning for the next token at line 2)");
}

Test(cp_conf, invalid_utf8_is_refused)
{
	int rc = load(BASE "  log-level: \xc3\x28\n");

	cr_assert_eq(rc, -EINVAL);
	cr_assert(strstr(conf_err, "velodns.conf: byte ") == conf_err, "%s", conf_err);
	cr_assert(strstr(conf_err, "UTF-8") != NULL, "%s", conf_err);
}

Test(cp_conf, unknown_keys_are_errors)
{
	expect_error("serverr:\n  port: 53\n",
	             "velodns.conf:1:1: serverr: unknown key (known here: server, eal, ports,"
	             " workers, cache, acl, local-zones, local-data, resolver)");
	expect_error_after_base("  prot: 53\n",
	                        "velodns.conf:5:3: server.prot: unknown key (known here: log-level,"
	                        " control-socket, service-addresses, port, max-udp-size, tcp)");
	expect_error_after_base("  tcp:\n    keepalive: 1\n",
	                        "velodns.conf:6:5: server.tcp.keepalive: unknown key (known here:"
	                        " idle-timeout, max-connections, max-queries-per-connection)");
	expect_error_after_base("eal:\n  huge-pages: true\n",
	                        "velodns.conf:6:3: eal.huge-pages: unknown key (known here: args,"
	                        " hugepages, in-memory, memory)");
	expect_error("server:\n  service-addresses: [198.18.0.2]\n"
	             "ports:\n  - interface: veth-dp\n    speed: 10G\n",
	             "velodns.conf:5:5: ports[0].speed: unknown key (known here: name, mode,"
	             " interface, devargs, pci, queues, exception-interface)");
	expect_error_after_base("workers:\n  lcore: [1]\n",
	                        "velodns.conf:6:3: workers.lcore: unknown key (known here: lcores,"
	                        " control-lcore, cpus, control-cpu)");
	expect_error_after_base("cache:\n  size: 1G\n",
	                        "velodns.conf:6:3: cache.size: unknown key (known here:"
	                        " memory-per-worker, max-entries-per-worker, push-to-all-workers,"
	                        " min-ttl, max-ttl, max-negative-ttl)");
	expect_error_after_base("acl:\n  - permit: 10.0.0.0/8\n",
	                        "velodns.conf:6:5: acl[0].permit: unknown key (known here: allow,"
	                        " deny)");
	expect_error_after_base("local-zones:\n  - { name: a.test, type: static, ttl: 5 }\n",
	                        "velodns.conf:6:35: local-zones[0].ttl: unknown key (known here:"
	                        " name, type)");
}

Test(cp_conf, duplicate_keys_are_errors)
{
	expect_error_after_base("  port: 53\n  port: 54\n",
	                        "velodns.conf:6:3: server.port: duplicate key (first at line 5)");
	expect_error_after_base("ports:\n  - interface: x\n",
	                        "velodns.conf:5:1: ports: duplicate key (first at line 1)");
	expect_error_after_base(
		"cache: { max-ttl: 1h, max-ttl: 2h }\n",
		"velodns.conf:5:23: cache.max-ttl: duplicate key (first at line 5)");
}

Test(cp_conf, wrong_yaml_types)
{
	expect_error("server: [a]\n",
	             "velodns.conf:1:9: server: expected a map (key: value lines), got a list");
	expect_error("ports:\n  - interface: veth-dp\nserver:\n  service-addresses: {a: b}\n",
	             "velodns.conf:4:22: server.service-addresses: expected a list ([a, b] or lines"
	             " starting with '- '), got a map");
	expect_error_after_base(
		"  port: [53]\n",
		"velodns.conf:5:9: server.port: expected a single value, got a list");
	expect_error_after_base(
		"  tcp: 10s\n",
		"velodns.conf:5:8: server.tcp: expected a map (key: value lines), got"
		" a scalar");
	expect_error_after_base(
		"eal: [a]\n",
		"velodns.conf:5:6: eal: expected a map (key: value lines), got a list");
	expect_error_after_base(
		"eal:\n  args: --log-level=8\n",
		"velodns.conf:6:9: eal.args: expected a list ([a, b] or lines starting"
		" with '- '), got a scalar");
	expect_error_after_base(
		"acl:\n  allow: 10.0.0.0/8\n",
		"velodns.conf:6:3: acl: expected a list ([a, b] or lines starting with"
		" '- '), got a map");
	expect_error(
		"server:\n  service-addresses: [198.18.0.2]\nports: {interface: x}\n",
		"velodns.conf:3:8: ports: expected a list ([a, b] or lines starting with '- '),"
		" got a map");
	expect_error("server:\n  service-addresses: [198.18.0.2]\nports:\n  - veth-dp\n",
	             "velodns.conf:4:5: ports[0]: expected a map (key: value lines), got a scalar");
	expect_error("- a\n",
	             "velodns.conf:1:1: (top level): expected a map of sections (server,"
	             " eal, ports, workers, cache, acl, local-zones, local-data, resolver), got a list");
	expect_error("hello\n",
	             "velodns.conf:1:1: (top level): expected a map of sections"
	             " (server, eal, ports, workers, cache, acl, local-zones, local-data, resolver),"
	             " got a scalar");
}

Test(cp_conf, yaml_features_outside_the_format)
{
	expect_error_after_base("eal:\n  args: &a [x]\ncache: *a\n",
	                        "velodns.conf:7:8: cache: aliases (*a) are not supported; write the"
	                        " value out");
	expect_error_after_base(
		"---\nserver: {}\n",
		"velodns.conf:5:1: only one YAML document is allowed (found a second"
		" '---')");
	expect_error("? [a]\n: b\n",
	             "velodns.conf:1:3: (top level): a key must be a plain word, not a list");
	expect_error_after_base(
		"  control-socket: \"a\\0b\"\n",
		"velodns.conf:5:19: server.control-socket: a value must not contain a"
		" NUL character");
}

Test(cp_conf, deep_nesting_is_refused)
{
	char yaml[256];
	int rc;

	snprintf(yaml, sizeof(yaml), BASE "eal:\n  args: %s%s\n",
	         "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
	         "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
	rc = load(yaml);
	cr_assert_eq(rc, -EINVAL);
	cr_assert(strstr(conf_err, "nested more than 32 levels deep") != NULL, "%s", conf_err);
}

/* ---- required settings ---- */

Test(cp_conf, required_settings)
{
	expect_error("ports:\n  - interface: veth-dp\n",
	             "velodns.conf:1:1: server.service-addresses: required: at least one IPv4 or"
	             " IPv6 address to answer on");
	expect_error("ports:\n  - interface: veth-dp\nserver:\n  port: 53\n",
	             "velodns.conf:4:3: server.service-addresses: required: at least one IPv4 or"
	             " IPv6 address to answer on");
	expect_error("ports:\n  - interface: veth-dp\nserver:\n  service-addresses: []\n",
	             "velodns.conf:4:3: server.service-addresses: required: at least one IPv4 or"
	             " IPv6 address to answer on");
	expect_error("server:\n  service-addresses: [198.18.0.2]\n",
	             "velodns.conf:1:1: ports: required: at least one port");
	expect_error("server:\n  service-addresses: [198.18.0.2]\nports: []\n",
	             "velodns.conf:3:8: ports: required: at least one port");
}

/* ---- server ---- */

Test(cp_conf, bad_server_values)
{
	expect_error_after_base(
		"  log-level: verbose\n",
		"velodns.conf:5:14: server.log-level: \"verbose\" is not a log level"
		" (use err, warn, info or debug)");
	expect_error_after_base("  port: 0\n",
	                        "velodns.conf:5:9: server.port: 0 is out of range (1..65535)");
	expect_error_after_base("  port: 65536\n",
	                        "velodns.conf:5:9: server.port: 65536 is out of range (1..65535)");
	expect_error_after_base("  port: http\n",
	                        "velodns.conf:5:9: server.port: \"http\" is not a whole number");
	expect_error_after_base("  port: 99999999999999999999999\n",
	                        "velodns.conf:5:9: server.port: 99999999999999999999999 is out of"
	                        " range (1..65535)");
	expect_error_after_base("  port: \"\"\n", "velodns.conf:5:9: server.port: has no value");
	expect_error_after_base("  max-udp-size: 511\n",
	                        "velodns.conf:5:17: server.max-udp-size: 511 is out of range"
	                        " (512..4096)");
	expect_error_after_base("  max-udp-size: 4097\n",
	                        "velodns.conf:5:17: server.max-udp-size: 4097 is out of range"
	                        " (512..4096)");
	expect_error_after_base(
		"  control-socket: /run/velodns/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock\n",
		"velodns.conf:5:19: server.control-socket: is too long for a Unix"
		" socket path (at most 107 bytes)");
	expect_error_after_base(
		"  tcp:\n    idle-timeout: 0\n",
		"velodns.conf:6:19: server.tcp.idle-timeout: 0 is too short (at least"
		" 1ms)");
	expect_error_after_base(
		"  tcp:\n    idle-timeout: 10x\n",
		"velodns.conf:6:19: server.tcp.idle-timeout: \"10x\" is not a duration"
		" (use seconds, or numbers with units ms, s, m, h, d: \"10s\", \"1m30s\")");
	expect_error_after_base(
		"  tcp:\n    idle-timeout: 2h\n",
		"velodns.conf:6:19: server.tcp.idle-timeout: 2h is too long (at most"
		" 1h)");
	expect_error_after_base(
		"  tcp:\n    idle-timeout: -5s\n",
		"velodns.conf:6:19: server.tcp.idle-timeout: \"-5s\" is not a duration"
		" (use seconds, or numbers with units ms, s, m, h, d: \"10s\", \"1m30s\")");
	expect_error_after_base("  tcp:\n    max-connections: 0\n",
	                        "velodns.conf:6:22: server.tcp.max-connections: 0 is out of range"
	                        " (1..65535)");
	expect_error_after_base(
		"  tcp:\n    max-queries-per-connection: -1\n",
		"velodns.conf:6:33: server.tcp.max-queries-per-connection: \"-1\" is"
		" not a whole number");
}

Test(cp_conf, null_scalar_has_no_value)
{
	int rc = load(BASE "  port:\n");

	cr_assert_eq(rc, -EINVAL);
	cr_assert(strstr(conf_err, ": server.port: has no value") != NULL, "%s", conf_err);
	cr_assert(strncmp(conf_err, "velodns.conf:", 13) == 0, "%s", conf_err);
}

Test(cp_conf, bad_service_addresses)
{
#define SA "ports:\n  - interface: veth-dp\nserver:\n  service-addresses: "
	expect_error(SA "[198.18.0.300]\n",
	             "velodns.conf:4:23: server.service-addresses[0]: \"198.18.0.300\" is not an"
	             " IPv4 or IPv6 address");
	expect_error(SA "[198.18.0.2, 198.18.0.2]\n",
	             "velodns.conf:4:35: server.service-addresses[1]: \"198.18.0.2\" is listed"
	             " twice (first at line 4)");
	expect_error(SA "[224.0.0.1]\n",
	             "velodns.conf:4:23: server.service-addresses[0]: \"224.0.0.1\" cannot be a"
	             " service address (unspecified or multicast)");
	expect_error(SA "[\"::\"]\n",
	             "velodns.conf:4:23: server.service-addresses[0]: \"::\" cannot be a service"
	             " address (unspecified or multicast)");
	expect_error(SA "[198.18.0.2/4]\n",
	             "velodns.conf:4:23: server.service-addresses[0]: \"198.18.0.2/4\": a service"
	             " subnet must be at least /8");
	expect_error(SA "[198.18.0.2/33]\n",
	             "velodns.conf:4:23: server.service-addresses[0]: \"198.18.0.2/33\": the"
	             " prefix length must be a number 0..32");
	expect_error(SA "[www.example.test]\n",
	             "velodns.conf:4:23: server.service-addresses[0]: \"www.example.test\" is not"
	             " an IPv4 or IPv6 address");
#undef SA
}

/* ---- eal ---- */

Test(cp_conf, bad_eal_values)
{
	expect_error_after_base("eal:\n  hugepages: maybe\n",
	                        "velodns.conf:6:14: eal.hugepages: \"maybe\" is not a boolean (use"
	                        " true or false)");
	expect_error_after_base("eal:\n  memory: 1M\n",
	                        "velodns.conf:6:11: eal.memory: 1M is out of range (64M..1024G)");
	expect_error_after_base(
		"eal:\n  memory: 1.5G\n",
		"velodns.conf:6:11: eal.memory: \"1.5G\" is not a size (use a number"
		" with optional K, M or G)");
	expect_error_after_base(
		"eal:\n  args: [--no-pci]\n",
		"velodns.conf:6:10: eal.args[0]: \"--no-pci\" is set by velodns from"
		" ports[].pci; set that instead");
	expect_error_after_base("eal:\n  args: [--file-prefix=x, \"--lcores=1-3\"]\n",
	                        "velodns.conf:6:27: eal.args[1]: \"--lcores=1-3\" is set by velodns"
	                        " from workers.lcores; set that instead");
	expect_error_after_base("eal:\n  args: [\"\"]\n",
	                        "velodns.conf:6:10: eal.args[0]: has no value");
}

/* ---- ports ---- */

Test(cp_conf, bad_ports)
{
#define PS "server:\n  service-addresses: [198.18.0.2]\nports:\n"
	expect_error(PS "  - interface: veth-dp\n    mode: turbo\n",
	             "velodns.conf:5:11: ports[0].mode: \"turbo\" is not a port mode (use af_xdp or"
	             " full)");
	expect_error(PS "  - mode: af_xdp\n",
	             "velodns.conf:4:5: ports[0].interface: required in af_xdp mode (the kernel"
	             " interface the XDP program attaches to)");
	expect_error(PS "  - interface: veth-dp\n    pci: 03:00.0\n",
	             "velodns.conf:5:5: ports[0].pci: only for mode: full (af_xdp runs on a kernel"
	             " interface)");
	expect_error(PS "  - interface: veth-dp\n    exception-interface: vdexc0\n",
	             "velodns.conf:5:5: ports[0].exception-interface: only for mode: full (in"
	             " af_xdp mode the kernel keeps the interface)");
	expect_error(PS "  - interface: veth-dp\n    devargs: iface=x\n",
	             "velodns.conf:5:14: ports[0].devargs: \"iface=x\": iface is set by velodns"
	             " (from interface and queues)");
	expect_error(PS "  - interface: veth-dp\n    devargs: net_af_xdp0\n",
	             "velodns.conf:5:14: ports[0].devargs: \"net_af_xdp0\": in af_xdp mode devargs"
	             " are extra key=value options separated by ',' (the device itself comes from"
	             " interface)");
	expect_error(PS "  - mode: full\n    devargs: net_tap0\n    pci: 03:00.0\n",
	             "velodns.conf:6:5: ports[0]: mode full takes exactly one of interface,"
	             " devargs or pci");
	expect_error(PS "  - mode: full\n",
	             "velodns.conf:4:5: ports[0]: mode full takes exactly one of interface,"
	             " devargs or pci");
	expect_error(PS "  - mode: full\n    devargs: eth0\n",
	             "velodns.conf:5:14: ports[0].devargs: \"eth0\" is not a virtual device"
	             " (\"net_tap0,iface=...\"); for a NIC use pci");
	expect_error(PS "  - mode: full\n    devargs: net_tap0, iface=x\n",
	             "velodns.conf:5:14: ports[0].devargs: \"net_tap0, iface=x\" must not contain"
	             " spaces or control characters");
	expect_error(PS "  - mode: full\n    pci: zz:00.0\n",
	             "velodns.conf:5:10: ports[0].pci: \"zz:00.0\" is not a PCI address (use"
	             " DDDD:BB:DD.F, e.g. 0000:03:00.0)");
	expect_error(PS "  - mode: full\n    pci: 0000:03:00.9\n",
	             "velodns.conf:5:10: ports[0].pci: \"0000:03:00.9\" is not a PCI address (use"
	             " DDDD:BB:DD.F, e.g. 0000:03:00.0)");
	expect_error(PS "  - interface: veth-dp\n    queues: 0\n",
	             "velodns.conf:5:13: ports[0].queues: 0 is out of range (1..64)");
	expect_error(PS "  - interface: veth-dp\n    queues: 65\n",
	             "velodns.conf:5:13: ports[0].queues: 65 is out of range (1..64)");
	expect_error(PS "  - interface: a-very-long-interface-name\n",
	             "velodns.conf:4:16: ports[0].interface: \"a-very-long-interface-name\" is"
	             " longer than an interface name can be (15 bytes)");
	expect_error(PS "  - interface: eth0/1\n",
	             "velodns.conf:4:16: ports[0].interface: \"eth0/1\" is not a valid interface"
	             " name");
	expect_error(PS "  - interface: veth-dp\n    name: dp 0\n",
	             "velodns.conf:5:11: ports[0].name: \"dp 0\": use letters, digits, '-' and '_'"
	             " only");
	expect_error(PS "  - interface: veth-dp\n  - interface: veth-dp\n",
	             "velodns.conf:5:16: ports[1].interface: \"veth-dp\" is already used by"
	             " ports[0] (line 4) as its interface");
	expect_error(PS "  - {name: a, interface: v0}\n  - {name: a, interface: v1}\n",
	             "velodns.conf:5:12: ports[1].name: \"a\" is already used by ports[0] (line 4)"
	             " as its name");
	expect_error(PS "  - {mode: full, pci: \"03:00.0\"}\n  - {mode: full, pci: 0000:03:00.0}\n",
	             "velodns.conf:5:23: ports[1].pci: \"0000:03:00.0\" is already used by"
	             " ports[0] (line 4) as its PCI address");
	expect_error(PS "  - {mode: full, interface: v0, exception-interface: v1}\n"
	                "  - {interface: v1}\n",
	             "velodns.conf:5:17: ports[1].interface: \"v1\" is already used by ports[0]"
	             " (line 4) as its exception interface");
	expect_error(PS "  - {interface: v1}\n"
	                "  - {mode: full, interface: v0, exception-interface: v1}\n",
	             "velodns.conf:5:54: ports[1].exception-interface: \"v1\" is already used by"
	             " ports[0] (line 4) as its interface");
#undef PS
}

/* ---- workers ---- */

Test(cp_conf, bad_workers)
{
	expect_error_after_base(
		"workers:\n  lcores: [1, 2, 1]\n",
		"velodns.conf:6:18: workers.lcores[2]: lcore 1 is listed twice (first"
		" at line 6)");
	expect_error_after_base(
		"workers:\n  lcores: [128]\n",
		"velodns.conf:6:12: workers.lcores[0]: 128 is out of range (0..127)");
	expect_error_after_base("workers:\n  lcores: []\n",
	                        "velodns.conf:6:11: workers.lcores: needs at least one lcore");
	expect_error_after_base(
		"workers:\n  lcores: [0]\n",
		"velodns.conf:6:12: workers.lcores: lcore 0 cannot be both the control"
		" lcore and a worker");
	expect_error_after_base(
		"workers:\n  lcores: [1]\n  control-lcore: 1\n",
		"velodns.conf:7:18: workers.control-lcore: lcore 1 cannot be both the"
		" control lcore and a worker");
	expect_error_after_base("workers:\n  control-lcore: 200\n",
	                        "velodns.conf:6:18: workers.control-lcore: 200 is out of range"
	                        " (0..127)");
	expect_error_after_base(
		"workers:\n  lcores: [1, 2]\n",
		"velodns.conf:6:11: workers.lcores: 2 worker lcores but only 1 (port,"
		" queue) pair to poll; give the ports more queues or list fewer lcores");
	expect_error_after_base("workers:\n  lcores: [1]\n  cpus: [1, 1]\n",
	                        "velodns.conf:7:9: workers.cpus: 2 CPUs for 1 lcores: give one"
	                        " CPU per lcore");
	expect_error_after_base("workers:\n  lcores: [1]\n  cpus: [1024]\n",
	                        "velodns.conf:7:10: workers.cpus[0]: 1024 is out of range"
	                        " (0..1023)");
	expect_error_after_base("workers:\n  control-cpu: 0\n",
	                        "velodns.conf:6:16: workers.control-cpu: needs workers.cpus as"
	                        " well");
}

/* Lcores mapped onto CPUs, e.g. two workers sharing CPU 1 of a 2-CPU test machine. */
Test(cp_conf, lcores_mapped_onto_cpus)
{
	load_ok("server:\n  service-addresses: [198.18.0.2]\n"
	        "ports:\n  - { interface: veth-dp, queues: 2 }\n"
	        "workers:\n  lcores: [1, 2]\n  cpus: [1, 1]\n");
	cr_assert(conf.workers.has_cpus);
	cr_assert_eq(conf.workers.cpus[0], 1);
	cr_assert_eq(conf.workers.cpus[1], 1);
	cr_assert_eq(conf.workers.control_cpu, 0, "the control lcore keeps CPU = its id");
	cp_conf_free(&conf);
	load_ok("server:\n  service-addresses: [198.18.0.2]\n"
	        "ports:\n  - { interface: veth-dp }\n"
	        "workers:\n  lcores: [3]\n  control-lcore: 2\n  cpus: [1]\n  control-cpu: 0\n");
	cr_assert_eq(conf.workers.control_cpu, 0);
	cr_assert_eq(conf.workers.cpus[0], 1);
}

Test(cp_conf, two_workers_on_two_queues)
{
	load_ok("server:\n  service-addresses: [198.18.0.2]\n"
	        "ports:\n  - { interface: veth-dp, queues: 2 }\n"
	        "workers:\n  lcores: [1, 2]\n");
	cr_assert_eq(conf.workers.n_lcores, 2);
}

/* ---- cache ---- */

Test(cp_conf, bad_cache_values)
{
	expect_error_after_base(
		"cache:\n  memory-per-worker: 25x6M\n",
		"velodns.conf:6:22: cache.memory-per-worker: \"25x6M\" is not a size"
		" (use a number with optional K, M or G)");
	expect_error_after_base("cache:\n  memory-per-worker: 512K\n",
	                        "velodns.conf:6:22: cache.memory-per-worker: 512K is out of range"
	                        " (1M..64G)");
	expect_error_after_base("cache:\n  memory-per-worker: 65G\n",
	                        "velodns.conf:6:22: cache.memory-per-worker: 65G is out of range"
	                        " (1M..64G)");
	expect_error_after_base(
		"cache:\n  memory-per-worker: 99999999999G\n",
		"velodns.conf:6:22: cache.memory-per-worker: 99999999999G is too large");
	expect_error_after_base(
		"cache:\n  max-entries-per-worker: -1\n",
		"velodns.conf:6:27: cache.max-entries-per-worker: \"-1\" is not a whole"
		" number");
	expect_error_after_base(
		"cache:\n  max-entries-per-worker: 4294967296\n",
		"velodns.conf:6:27: cache.max-entries-per-worker: 4294967296 is out of"
		" range (0..4294967295)");
	expect_error_after_base(
		"cache:\n  push-to-all-workers: sometimes\n",
		"velodns.conf:6:24: cache.push-to-all-workers: \"sometimes\" is not a"
		" boolean (use true or false)");
	expect_error_after_base(
		"cache:\n  min-ttl: 500ms\n",
		"velodns.conf:6:12: cache.min-ttl: \"500ms\": a TTL is whole seconds");
	expect_error_after_base("cache:\n  max-ttl: 0\n",
	                        "velodns.conf:6:12: cache.max-ttl: 0 is too short (at least 1s)");
	expect_error_after_base("cache:\n  min-ttl: 2h\n",
	                        "velodns.conf:6:12: cache.min-ttl: 2h is too long (at most 1h)");
	expect_error_after_base(
		"cache:\n  max-ttl: 10m\n  min-ttl: 20m\n",
		"velodns.conf:7:12: cache.min-ttl: 1200s is more than max-ttl (600s)");
	expect_error_after_base(
		"cache:\n  max-ttl: 10m\n",
		"velodns.conf:6:3: cache.max-negative-ttl: 3600s is more than max-ttl"
		" (600s)");
}

/* ---- acl ---- */

Test(cp_conf, bad_acl)
{
	expect_error_after_base(
		"acl:\n  - allow: 198.18.5.1/24\n",
		"velodns.conf:6:12: acl[0].allow: \"198.18.5.1/24\" has host bits set"
		" (did you mean 198.18.5.0/24?)");
	expect_error_after_base(
		"acl:\n  - allow: \"2001:db8::1/32\"\n",
		"velodns.conf:6:12: acl[0].allow: \"2001:db8::1/32\" has host bits set"
		" (did you mean 2001:db8::/32?)");
	expect_error_after_base(
		"acl:\n  - allow: 0.0.0.0/0\n",
		"velodns.conf:6:12: acl[0].allow: allowing every address makes velodns"
		" an open resolver; list the client networks instead");
	expect_error_after_base(
		"acl:\n  - allow: \"::/0\"\n",
		"velodns.conf:6:12: acl[0].allow: allowing every address makes velodns"
		" an open resolver; list the client networks instead");
	expect_error_after_base("acl:\n  - allow: 10.0.0.0/8\n    deny: 10.1.0.0/16\n",
	                        "velodns.conf:6:5: acl[0]: each rule is one map entry, \"allow:"
	                        " PREFIX\" or \"deny: PREFIX\"");
	expect_error_after_base(
		"acl:\n  - allow: 10.0.0.0/8\n  - deny: 10.0.0.0/8\n",
		"velodns.conf:7:11: acl[1].deny: \"10.0.0.0/8\" is already listed (rule"
		" 0)");
	expect_error_after_base(
		"acl:\n  - allow: [10.0.0.0/8, 10.0.0.300/32]\n",
		"velodns.conf:6:25: acl[0].allow[1]: \"10.0.0.300/32\" is not an IPv4 or"
		" IPv6 address");
	expect_error_after_base(
		"acl:\n  - allow: 10.0.0.0/40\n",
		"velodns.conf:6:12: acl[0].allow: \"10.0.0.0/40\": the prefix length"
		" must be a number 0..32");
	expect_error_after_base("acl:\n  - allow: []\n",
	                        "velodns.conf:6:12: acl[0].allow: an empty list of prefixes");
}

/* ---- local zones and data ---- */

Test(cp_conf, bad_local_zones)
{
	expect_error_after_base(
		"local-zones:\n  - { name: example.test., type: dynamic }\n",
		"velodns.conf:6:34: local-zones[0].type: \"dynamic\" is not a zone type"
		" (use static, transparent or refuse)");
	expect_error_after_base("local-zones:\n  - { name: example.test. }\n",
	                        "velodns.conf:6:5: local-zones[0].type: required");
	expect_error_after_base("local-zones:\n  - { type: static }\n",
	                        "velodns.conf:6:5: local-zones[0].name: required");
	expect_error_after_base(
		"local-zones:\n  - { name: \"bad..name\", type: static }\n",
		"velodns.conf:6:13: local-zones[0].name: \"bad..name\" is not a domain"
		" name");
	expect_error_after_base(
		"local-zones:\n  - { name: a.test, type: static }\n"
		"  - { name: A.TEST., type: refuse }\n",
		"velodns.conf:7:13: local-zones[1].name: zone A.TEST. is listed twice"
		" (first at line 6)");
	expect_error_after_base(
		"local-zones:\n  - example.test.\n",
		"velodns.conf:6:5: local-zones[0]: expected a map { name: ZONE, type:"
		" static|transparent|refuse }, got a scalar");
}

Test(cp_conf, bad_local_data)
{
	expect_error_after_base("local-data:\n  - \"www.example.test. 300 IN A 198.18.1.300\"\n",
	                        "velodns.conf:6:5: local-data[0]: \"www.example.test. 300 IN A"
	                        " 198.18.1.300\": invalid IPv4 address");
	expect_error_after_base(
		"local-data:\n  - \"x.test. A 198.18.0.1\"\n"
		"  - \"x.test. CNAME y.test.\"\n",
		"velodns.conf:7:5: local-data[1]: \"x.test. CNAME y.test.\": x.test. has"
		" a CNAME and other data; a CNAME must be the only record at its name"
		" (RFC 1034 3.6.2)");
	expect_error_after_base(
		"local-data:\n  - \"x.test. A 198.18.0.1\"\n"
		"  - \"X.test. A 198.18.0.1\"\n",
		"velodns.conf:7:5: local-data[1]: \"X.test. A 198.18.0.1\": x.test. A:"
		" this record is already present");
	expect_error_after_base(
		"local-data:\n  - \"x.test. 60 A 198.18.0.1\"\n"
		"  - \"x.test. 61 A 198.18.0.2\"\n",
		"velodns.conf:7:5: local-data[1]: \"x.test. 61 A 198.18.0.2\": x.test. A:"
		" TTL 61 differs from TTL 60 of the records already there; an RRset has"
		" one TTL (RFC 2181 5.2)");
	expect_error_after_base("local-data:\n  - [a, b]\n",
	                        "velodns.conf:6:5: local-data[0]: expected a record as one string"
	                        " (\"NAME [TTL] [IN] TYPE DATA\"), got a list");
	expect_error_after_base(
		"local-data:\n  - \"$TTL 5\"\n",
		"velodns.conf:6:5: local-data[0]: \"$TTL 5\": zone-file directives ($TTL,"
		" $ORIGIN, $INCLUDE) are not allowed here; give each record in full");
	expect_error_after_base(
		"local-data:\n  - \"x.test. TXT\"\n",
		"velodns.conf:6:5: local-data[0]: \"x.test. TXT\": invalid record data");
	expect_error_after_base(
		"local-data:\n  - \"x.test. 60 IN TYPE252 \\\\# 0\"\n",
		"velodns.conf:6:5: local-data[0]: \"x.test. 60 IN TYPE252 \\# 0\": x.test.:"
		" AXFR is a query or meta type, not data");
	expect_error_after_base("local-data: \"x.test. A 198.18.0.1\"\n",
	                        "velodns.conf:5:13: local-data: expected a list ([a, b] or lines"
	                        " starting with '- '), got a scalar");
	/* Local data is read after local zones, wherever the keys are. */
	load_ok(BASE "local-data:\n  - \"a.z.test. A 198.18.0.1\"\n"
	             "local-zones:\n  - { name: z.test, type: static }\n");
}
