/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tests of bpf/steer.bpf.c: crafted frames through bpf_prog_test_run_opts() on the
 * skeleton-loaded program (steer_load(), no interface). Needs root: suite 'root'.
 *
 * Without an AF_XDP socket in xsks_map at the frame's queue, bpf_redirect_map() returns
 * its fallback, XDP_PASS, and the program counts STEER_PASS_NO_XSK. So a steerable frame
 * is checked twice: with an (unbound) AF_XDP socket at queue 0 the program returns
 * XDP_REDIRECT and counts STEER_REDIRECT_V4/V6; without one it passes, counted NO_XSK.
 * test_run does not perform the redirect, so an unbound socket is enough. Every check
 * also compares the counter deltas: RX +1 and exactly one outcome +1.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_xdp.h>
#include <linux/in.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>

#include "steer_loader.h"
#include "vd_compiler.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif

#define ETH_P_8021AD_ 0x88A8
#define SERVICE_V4    "198.18.0.2"
#define OTHER_V4      "198.18.0.99"
#define SERVICE_V6    "2001:db8::53"
#define OTHER_V6      "2001:db8::99"

static struct steer_handle *the_h;
static int the_xsk = -1;

/* What to build; zero is an untagged IPv4 UDP query from port 40000 to SERVICE_V4:53. */
struct spec {
	uint16_t tpid;      /* 0: untagged; else the outer tag's TPID */
	uint16_t tpid2;     /* a second (inner) tag: QinQ */
	uint16_t ethertype; /* 0: from family */
	int v6;             /* IPv6 instead of IPv4 */
	uint8_t proto;      /* 0: UDP */
	uint8_t ihl;        /* 0: 5 */
	uint8_t version;    /* 0: 4 or 6 */
	uint16_t frag;      /* host-order flags|offset of the IPv4 header */
	uint8_t v6_ext;     /* nonzero: put an 8-byte extension header of this type first */
	bool v6_hbh;        /* put a hop-by-hop header (type 0) first */
	const char *dst;    /* NULL: the family's service address */
	uint16_t sport;     /* 0: 40000 */
	uint16_t dport;     /* 0: 53 */
};

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Build the frame of @p s into @p buf (>= 256 bytes); returns its length. */
static size_t
build(const struct spec *s, uint8_t *buf)
{
	uint8_t proto = s->proto ? s->proto : IPPROTO_UDP;
	uint8_t ihl = s->ihl ? s->ihl : 5;
	const char *dst = s->dst ? s->dst : (s->v6 ? SERVICE_V6 : SERVICE_V4);
	size_t n = 12, l4;

	memset(buf, 0, 256);
	memcpy(buf, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02", 12);
	if (s->tpid) {
		put16(buf + n, s->tpid), put16(buf + n + 2, 100), n += 4;
		if (s->tpid2)
			put16(buf + n, s->tpid2), put16(buf + n + 2, 200), n += 4;
	}
	put16(buf + n, s->ethertype ? s->ethertype : (s->v6 ? ETH_P_IPV6 : ETH_P_IP));
	n += 2;
	if (s->ethertype == ETH_P_ARP) {
		memcpy(buf + n, "\x00\x01\x08\x00\x06\x04\x00\x01", 8); /* request, rest zero */
		return n + 28;
	}
	if (!s->v6) {
		uint8_t *ip = buf + n;

		ip[0] = (uint8_t)((s->version ? s->version : 4) << 4 | (ihl & 0xf));
		put16(ip + 6, s->frag);
		ip[8] = 64, ip[9] = proto;
		inet_pton(AF_INET, "198.18.0.1", ip + 12);
		cr_assert_eq(inet_pton(AF_INET, dst, ip + 16), 1);
		for (unsigned i = 20; i < ihl * 4u; i++)
			ip[i] = 1; /* NOP options */
		l4 = n + (ihl >= 5 ? ihl * 4u : 20);
		put16(ip + 2, (uint16_t)(l4 - n + 8 + 12));
	} else {
		uint8_t *ip6 = buf + n;
		uint8_t nh = s->v6_hbh ? 0 : s->v6_ext ? s->v6_ext : proto;

		ip6[0] = (uint8_t)((s->version ? s->version : 6) << 4);
		ip6[6] = nh, ip6[7] = 64;
		inet_pton(AF_INET6, "2001:db8::1", ip6 + 8);
		cr_assert_eq(inet_pton(AF_INET6, dst, ip6 + 24), 1);
		l4 = n + 40;
		if (s->v6_hbh || s->v6_ext) {
			buf[l4] = proto; /* next header; length 0 = 8 bytes; PadN */
			buf[l4 + 2] = 1, buf[l4 + 3] = 4;
			l4 += 8;
		}
		put16(ip6 + 4, (uint16_t)(l4 - n - 40 + 8 + 12));
	}
	put16(buf + l4, s->sport ? s->sport : 40000);
	put16(buf + l4 + 2, s->dport ? s->dport : 53);
	put16(buf + l4 + 4, 8 + 12);
	buf[l4 + 8] = 0x12, buf[l4 + 9] = 0x34; /* a DNS header's id; the rest is zero */
	return l4 + 8 + 12;
}

/* Run one frame; returns test_run's error (0 or -errno) and the XDP action in *act. */
static int
run(const uint8_t *pkt, size_t len, uint32_t *act)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = (uint32_t)len,
	            .repeat = 1);
	int err = bpf_prog_test_run_opts(steer_prog_fd(the_h), &opts);

	*act = opts.retval;
	return err < 0 ? -errno : 0;
}

static void
read_stats(uint64_t c[STEER_COUNTER_MAX])
{
	cr_assert_eq(steer_read_stats(the_h, c), 0);
}

/* Run @p len bytes of @p pkt; assert the action and that exactly RX and @p want moved. */
static void
expect_len(const uint8_t *pkt, size_t len, uint32_t action, enum steer_counter want)
{
	uint64_t before[STEER_COUNTER_MAX], after[STEER_COUNTER_MAX];
	uint32_t act = ~0u;

	read_stats(before);
	cr_assert_eq(run(pkt, len, &act), 0, "test_run failed at length %zu", len);
	read_stats(after);
	cr_expect_eq(act, action, "length %zu: action %u, expected %u", len, act, action);
	for (unsigned c = 0; c < STEER_COUNTER_MAX; c++) {
		uint64_t d = after[c] - before[c];
		uint64_t exp = (c == STEER_RX || c == (unsigned)want) ? 1 : 0;

		cr_expect_eq(d, exp, "length %zu: counter %s moved by %llu, expected %llu", len,
		             steer_counter_name((enum steer_counter)c), (unsigned long long)d,
		             (unsigned long long)exp);
	}
}

static void
expect(const struct spec *s, uint32_t action, enum steer_counter want)
{
	uint8_t buf[256];

	expect_len(buf, build(s, buf), action, want);
}

static void
load(void)
{
	struct steer_addr4 v4[2];
	struct steer_addr6 v6[1];
	struct steer_config cfg = { .v4 = v4, .n_v4 = 2, .v6 = v6, .n_v6 = 1 };

	if (the_h)
		return; /* criterion runs the suite's .init and then the test's */
	if (geteuid() != 0)
		cr_skip_test("needs root (BPF)");
	inet_pton(AF_INET, SERVICE_V4, &v4[0].addr);
	inet_pton(AF_INET, "198.19.255.1", &v4[1].addr);
	inet_pton(AF_INET6, SERVICE_V6, v6[0].addr);
	cr_assert_eq(steer_load(&cfg, &the_h), 0, "steer_load (verifier) failed");
}

/* Put an AF_XDP socket at xsks_map[@p queue], so that redirects to that queue succeed. */
static void
add_xsk(uint32_t queue)
{
	the_xsk = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	cr_assert_geq(the_xsk, 0, "socket(AF_XDP): %s", strerror(errno));
	cr_assert_eq(bpf_map_update_elem(steer_xsks_map_fd(the_h), &queue, &the_xsk, BPF_ANY), 0,
	             "xsks_map update: %s", strerror(errno));
}

static void
setup_xsk(void)
{
	load();
	add_xsk(0);
}

static void
teardown(void)
{
	steer_close(the_h);
	the_h = NULL;
	if (the_xsk >= 0)
		close(the_xsk);
	the_xsk = -1;
}

TestSuite(steer, .init = load, .fini = teardown);

/* Steered frames: redirect with a socket, counted fallback without. */

Test(steer, ipv4_query_without_socket_passes_counted_no_xsk)
{
	expect(&(struct spec){ 0 }, XDP_PASS, STEER_PASS_NO_XSK);
}

Test(steer, ipv4_query_redirects_to_socket, .init = setup_xsk)
{
	expect(&(struct spec){ 0 }, XDP_REDIRECT, STEER_REDIRECT_V4);
	expect(&(struct spec){ .dst = "198.19.255.1" }, XDP_REDIRECT, STEER_REDIRECT_V4);
}

Test(steer, socket_of_another_queue_does_not_count)
{
	add_xsk(1); /* test_run delivers on queue 0 */
	expect(&(struct spec){ 0 }, XDP_PASS, STEER_PASS_NO_XSK);
}

Test(steer, ipv6_query_redirects_to_socket, .init = setup_xsk)
{
	expect(&(struct spec){ .v6 = 1 }, XDP_REDIRECT, STEER_REDIRECT_V6);
}

Test(steer, ipv6_query_without_socket_passes_counted_no_xsk)
{
	expect(&(struct spec){ .v6 = 1 }, XDP_PASS, STEER_PASS_NO_XSK);
}

Test(steer, vlan_tagged_queries_redirect, .init = setup_xsk)
{
	expect(&(struct spec){ .tpid = ETH_P_8021Q }, XDP_REDIRECT, STEER_REDIRECT_V4);
	expect(&(struct spec){ .tpid = ETH_P_8021AD_ }, XDP_REDIRECT, STEER_REDIRECT_V4);
	expect(&(struct spec){ .tpid = ETH_P_8021Q, .v6 = 1 }, XDP_REDIRECT, STEER_REDIRECT_V6);
}

Test(steer, qinq_is_not_parsed, .init = setup_xsk)
{
	expect(&(struct spec){ .tpid = ETH_P_8021AD_, .tpid2 = ETH_P_8021Q }, XDP_PASS,
	       STEER_PASS_NOT_IP);
}

Test(steer, ipv4_options_of_every_length_redirect, .init = setup_xsk)
{
	for (uint8_t ihl = 5; ihl <= 15; ihl++)
		expect(&(struct spec){ .ihl = ihl }, XDP_REDIRECT, STEER_REDIRECT_V4);
	expect(&(struct spec){ .ihl = 15, .tpid = ETH_P_8021Q }, XDP_REDIRECT, STEER_REDIRECT_V4);
}

Test(steer, query_from_source_port_53_is_still_a_query, .init = setup_xsk)
{
	expect(&(struct spec){ .sport = 53 }, XDP_REDIRECT, STEER_REDIRECT_V4);
}

/* Everything else goes to the kernel, each with its reason. */

Test(steer, other_destination_address_passes, .init = setup_xsk)
{
	expect(&(struct spec){ .dst = OTHER_V4 }, XDP_PASS, STEER_PASS_NOT_SERVICE_ADDR);
	expect(&(struct spec){ .v6 = 1, .dst = OTHER_V6 }, XDP_PASS, STEER_PASS_NOT_SERVICE_ADDR);
	/* The source address does not matter: 198.18.0.1 -> service is steered above. */
	expect(&(struct spec){ .dst = "198.18.0.1" }, XDP_PASS, STEER_PASS_NOT_SERVICE_ADDR);
}

Test(steer, tcp_53_passes, .init = setup_xsk)
{
	expect(&(struct spec){ .proto = IPPROTO_TCP }, XDP_PASS, STEER_PASS_NOT_UDP);
	expect(&(struct spec){ .proto = IPPROTO_TCP, .v6 = 1 }, XDP_PASS, STEER_PASS_NOT_UDP);
}

Test(steer, upstream_reply_from_port_53_passes, .init = setup_xsk)
{
	expect(&(struct spec){ .sport = 53, .dport = 40000 }, XDP_PASS, STEER_PASS_NOT_DNS_PORT);
	expect(&(struct spec){ .sport = 53, .dport = 40000, .v6 = 1 }, XDP_PASS,
	       STEER_PASS_NOT_DNS_PORT);
	/* Byte order: 53 << 8 is 13568, not 53. */
	expect(&(struct spec){ .dport = 13568 }, XDP_PASS, STEER_PASS_NOT_DNS_PORT);
}

Test(steer, arp_passes, .init = setup_xsk)
{
	expect(&(struct spec){ .ethertype = ETH_P_ARP }, XDP_PASS, STEER_PASS_NOT_IP);
	expect(&(struct spec){ .ethertype = ETH_P_ARP, .tpid = ETH_P_8021Q }, XDP_PASS,
	       STEER_PASS_NOT_IP);
}

Test(steer, icmp_and_ndp_pass, .init = setup_xsk)
{
	expect(&(struct spec){ .proto = IPPROTO_ICMP }, XDP_PASS, STEER_PASS_NOT_UDP);
	expect(&(struct spec){ .proto = IPPROTO_ICMPV6, .v6 = 1 }, XDP_PASS, STEER_PASS_NOT_UDP);
}

Test(steer, ipv4_fragments_pass, .init = setup_xsk)
{
	expect(&(struct spec){ .frag = 0x2000 }, XDP_PASS, STEER_PASS_FRAGMENT); /* first, MF */
	expect(&(struct spec){ .frag = 0x0001 }, XDP_PASS, STEER_PASS_FRAGMENT); /* last */
	expect(&(struct spec){ .frag = 0x2000 | 185 }, XDP_PASS, STEER_PASS_FRAGMENT); /* middle */
	expect(&(struct spec){ .frag = 0x4000 }, XDP_REDIRECT, STEER_REDIRECT_V4);     /* DF only */
	expect(&(struct spec){ .frag = 0x2000, .proto = IPPROTO_TCP }, XDP_PASS,
	       STEER_PASS_NOT_UDP);
}

Test(steer, ipv6_extension_headers_pass, .init = setup_xsk)
{
	expect(&(struct spec){ .v6 = 1, .v6_hbh = true }, XDP_PASS, STEER_PASS_IPV6_EXT);
	expect(&(struct spec){ .v6 = 1, .v6_ext = 44 }, XDP_PASS, STEER_PASS_IPV6_EXT); /* frag */
	expect(&(struct spec){ .v6 = 1, .v6_ext = 43 }, XDP_PASS, STEER_PASS_IPV6_EXT); /* route */
	expect(&(struct spec){ .v6 = 1, .v6_ext = 60 }, XDP_PASS, STEER_PASS_IPV6_EXT); /* dst */
}

Test(steer, bad_ip_headers_pass, .init = setup_xsk)
{
	expect(&(struct spec){ .ihl = 4 }, XDP_PASS, STEER_PASS_BAD_IP);
	expect(&(struct spec){ .version = 6 }, XDP_PASS, STEER_PASS_BAD_IP);
	expect(&(struct spec){ .v6 = 1, .version = 4 }, XDP_PASS, STEER_PASS_BAD_IP);
}

/*
 * Truncated at every length up to the last header byte the program needs: RUNT, and the
 * first complete length is steered. The kernel refuses test_run below ETH_HLEN (-EINVAL);
 * if a kernel accepts such a frame, the program must pass it as a runt.
 */
static void
expect_runts(const struct spec *s, enum steer_counter full)
{
	uint8_t buf[256];
	size_t full_len = build(s, buf) - 12; /* minus the 12-byte DNS stub */

	for (size_t len = 0; len < full_len; len++) {
		uint32_t act;

		if (len < ETH_HLEN) {
			int err = run(buf, len, &act);

			cr_expect(err == -EINVAL || (err == 0 && act == XDP_PASS),
			          "length %zu: err %d action %u", len, err, act);
			continue;
		}
		expect_len(buf, len, XDP_PASS, STEER_PASS_RUNT);
	}
	expect_len(buf, full_len, XDP_REDIRECT, full);
}

Test(steer, runts_of_every_length_pass, .init = setup_xsk)
{
	expect_runts(&(struct spec){ 0 }, STEER_REDIRECT_V4);
	expect_runts(&(struct spec){ .ihl = 15 }, STEER_REDIRECT_V4);
	expect_runts(&(struct spec){ .tpid = ETH_P_8021Q }, STEER_REDIRECT_V4);
	expect_runts(&(struct spec){ .v6 = 1 }, STEER_REDIRECT_V6);
	expect_runts(&(struct spec){ .v6 = 1, .tpid = ETH_P_8021AD_ }, STEER_REDIRECT_V6);
}

/* Configuration through the loader. */

Test(steer, empty_service_set_passes_everything, .init = setup_xsk)
{
	struct steer_config none = { 0 };

	cr_assert_eq(steer_set_config(the_h, &none), 0);
	expect(&(struct spec){ 0 }, XDP_PASS, STEER_PASS_NOT_SERVICE_ADDR);
	expect(&(struct spec){ .v6 = 1 }, XDP_PASS, STEER_PASS_NOT_SERVICE_ADDR);
}

Test(steer, set_config_replaces_addresses, .init = setup_xsk)
{
	struct steer_addr4 v4;
	struct steer_config cfg = { .v4 = &v4, .n_v4 = 1 };

	inet_pton(AF_INET, OTHER_V4, &v4.addr);
	cr_assert_eq(steer_set_config(the_h, &cfg), 0);
	expect(&(struct spec){ .dst = OTHER_V4 }, XDP_REDIRECT, STEER_REDIRECT_V4);
	expect(&(struct spec){ 0 }, XDP_PASS, STEER_PASS_NOT_SERVICE_ADDR);
	expect(&(struct spec){ .dst = "198.19.255.1" }, XDP_PASS, STEER_PASS_NOT_SERVICE_ADDR);
	expect(&(struct spec){ .v6 = 1 }, XDP_PASS, STEER_PASS_NOT_SERVICE_ADDR);
	/* Idempotent. */
	cr_assert_eq(steer_set_config(the_h, &cfg), 0);
	expect(&(struct spec){ .dst = OTHER_V4 }, XDP_REDIRECT, STEER_REDIRECT_V4);
}

Test(steer, configured_port_replaces_53, .init = setup_xsk)
{
	struct steer_addr4 v4;
	struct steer_config cfg = { .v4 = &v4, .n_v4 = 1, .port = 5353 };

	inet_pton(AF_INET, SERVICE_V4, &v4.addr);
	cr_assert_eq(steer_set_config(the_h, &cfg), 0);
	expect(&(struct spec){ .dport = 5353 }, XDP_REDIRECT, STEER_REDIRECT_V4);
	expect(&(struct spec){ 0 }, XDP_PASS, STEER_PASS_NOT_DNS_PORT);
	expect(&(struct spec){ .sport = 5353, .dport = 40000 }, XDP_PASS, STEER_PASS_NOT_DNS_PORT);
	cfg.port = 0; /* back to the default */
	cr_assert_eq(steer_set_config(the_h, &cfg), 0);
	expect(&(struct spec){ 0 }, XDP_REDIRECT, STEER_REDIRECT_V4);
	expect(&(struct spec){ .dport = 5353 }, XDP_PASS, STEER_PASS_NOT_DNS_PORT);
}

Test(steer, set_config_rejects_too_many_addresses)
{
	static struct steer_addr4 v4[STEER_SERVICE_MAX + 1];
	struct steer_config cfg = { .v4 = v4, .n_v4 = STEER_SERVICE_MAX + 1 };

	for (unsigned i = 0; i < VD_ARRAY_SIZE(v4); i++)
		v4[i].addr = htonl(0xc6120000u + i); /* 198.18.0.i */
	cr_assert_eq(steer_set_config(the_h, &cfg), -E2BIG);
	cfg.n_v4 = STEER_SERVICE_MAX;
	cr_assert_eq(steer_set_config(the_h, &cfg), 0);
}

Test(steer, counters_add_up_over_a_mixed_run, .init = setup_xsk)
{
	uint64_t c[STEER_COUNTER_MAX], sum = 0;
	uint8_t buf[256];
	const struct spec mix[] = {
		{ 0 },
		{ .v6 = 1 },
		{ .proto = IPPROTO_TCP },
		{ .ethertype = ETH_P_ARP },
		{ .dst = OTHER_V4 },
		{ .frag = 0x2000 },
		{ .v6 = 1, .v6_hbh = true },
	};

	for (int round = 0; round < 100; round++) {
		for (unsigned i = 0; i < VD_ARRAY_SIZE(mix); i++) {
			uint32_t act;
			size_t len = build(&mix[i], buf);

			/* Round 0: Ethernet header only, a runt for all but ARP. */
			cr_assert_eq(run(buf, round == 0 ? ETH_HLEN : len, &act), 0);
		}
	}
	read_stats(c);
	for (unsigned i = 1; i < STEER_COUNTER_MAX; i++)
		sum += c[i];
	cr_expect_eq(c[STEER_RX], 700);
	cr_expect_eq(sum, c[STEER_RX]);
	cr_expect_eq(c[STEER_PASS_RUNT], 6);
	cr_expect_eq(c[STEER_PASS_NOT_IP], 100);
	cr_expect_eq(c[STEER_REDIRECT_V4], 99);
	cr_expect_eq(c[STEER_REDIRECT_V6], 99);
}

Test(steer_obj, counter_names_are_all_set)
{
	for (unsigned c = 0; c < STEER_COUNTER_MAX; c++)
		cr_expect_neq(strcmp(steer_counter_name((enum steer_counter)c), "?"), 0, "%u", c);
	cr_expect_str_eq(steer_counter_name(STEER_COUNTER_MAX), "?");
}

/* The object handed to the PMD: no root needed to build and open it. */

Test(steer_obj, memfd_holds_an_object_libbpf_opens_like_the_pmd)
{
	char path[64];
	int fd = steer_obj_memfd(path, sizeof(path));
	struct bpf_object *obj;
	char magic[4] = { 0 };

	cr_assert_geq(fd, 0);
	cr_expect_eq(pread(fd, magic, sizeof(magic), 0), 4);
	cr_expect_eq(memcmp(magic, "\177ELF", 4), 0);
	cr_expect_lt(write(fd, "x", 1), 0, "memfd is not sealed");
	/* What the af_xdp PMD does with xdp_prog=: open by path, find xsks_map by name. */
	obj = bpf_object__open_file(path, NULL);
	cr_assert_not_null(obj, "bpf_object__open_file(%s): %s", path, strerror(errno));
	cr_expect_not_null(bpf_object__find_map_by_name(obj, STEER_MAP_XSKS));
	cr_expect_not_null(bpf_object__find_program_by_name(obj, STEER_PROG_NAME));
	bpf_object__close(obj);
	close(fd);
}

Test(steer_obj, path_prefers_the_environment_then_the_build_tree)
{
	struct bpf_object *obj;

	cr_assert_eq(setenv("VELODNS_STEER_OBJ", "/nonexistent/steer.bpf.o", 1), 0);
	cr_expect_str_eq(steer_obj_path(), "/nonexistent/steer.bpf.o");
	cr_assert_eq(unsetenv("VELODNS_STEER_OBJ"), 0);
	/* Run from the build tree, so the object built next to the loader is found. */
	cr_expect_eq(access(steer_obj_path(), R_OK), 0, "%s", steer_obj_path());
	obj = bpf_object__open_file(steer_obj_path(), NULL);
	cr_assert_not_null(obj);
	cr_expect_not_null(bpf_object__find_map_by_name(obj, STEER_MAP_STATS));
	bpf_object__close(obj);
}
