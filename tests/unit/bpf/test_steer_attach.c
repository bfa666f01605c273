/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Attach tests of bpf/steer_loader.c on a veth pair. Needs root: suite 'root'.
 *
 * Isolation: each test runs in its own process (criterion), which first moves into a
 * fresh, anonymous network namespace (unshare(CLONE_NEWNET)) and creates the pair
 * vdt<pid>-dp / vdt<pid>-cl there, with 198.18.0.0/15 addresses only. The fixture's fini
 * deletes the pair; and because the namespace belongs to this process alone, the kernel
 * deletes it with every interface in it when the process exits, even if the test crashed.
 * The machine's own interfaces are never looked at.
 */
#define _GNU_SOURCE /* unshare */
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>

#include "steer_loader.h"
#include "vd_compiler.h"

static char the_dp[IF_NAMESIZE]; /* the end the program goes on */
static char the_cl[IF_NAMESIZE]; /* the client end, where test frames are sent */
static int the_dp_index;

static int sh(const char *fmt, ...) VD_PRINTF(1, 2);

static int
sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static void
setup(void)
{
	if (geteuid() != 0)
		cr_skip_test("needs root (netns, veth, BPF)");
	cr_assert_eq(unshare(CLONE_NEWNET), 0, "unshare(CLONE_NEWNET): %s", strerror(errno));
	snprintf(the_dp, sizeof(the_dp), "vdt%d-dp", (int)getpid());
	snprintf(the_cl, sizeof(the_cl), "vdt%d-cl", (int)getpid());
	cr_assert_eq(sh("ip link add %s type veth peer name %s", the_dp, the_cl), 0);
	cr_assert_eq(sh("ip addr add 198.18.0.2/24 dev %s && ip link set %s up", the_dp, the_dp),
	             0);
	cr_assert_eq(sh("ip addr add 198.18.0.1/24 dev %s && ip link set %s up", the_cl, the_cl),
	             0);
	the_dp_index = (int)if_nametoindex(the_dp);
	cr_assert_gt(the_dp_index, 0);
}

static void
teardown(void)
{
	if (the_dp[0])
		sh("ip link del %s 2>/dev/null", the_dp); /* takes the peer with it */
}

TestSuite(steer_attach, .init = setup, .fini = teardown, .timeout = 60);

static uint32_t
attached_id(uint32_t mode)
{
	uint32_t id = 0;

	cr_assert_eq(bpf_xdp_query_id(the_dp_index, (int)mode, &id), 0);
	return id;
}

static void
service_cfg(struct steer_config *cfg, struct steer_addr4 *v4)
{
	inet_pton(AF_INET, "198.18.0.2", &v4->addr);
	*cfg = (struct steer_config){ .v4 = v4, .n_v4 = 1 };
}

Test(steer_attach, load_attach_is_seen_and_detach_removes_it)
{
	struct steer_handle *h;
	struct steer_addr4 v4;
	struct steer_config cfg;

	service_cfg(&cfg, &v4);
	cr_assert_eq(steer_load_attach(the_dp, &cfg, &h), 0);
	/* veth has native XDP: AUTO must not have fallen back to generic. */
	cr_expect_eq(attached_id(XDP_FLAGS_DRV_MODE), steer_prog_id(h));
	cr_expect_eq(attached_id(XDP_FLAGS_SKB_MODE), 0);
	cr_expect_eq(steer_detach(h), 0);
	cr_expect_eq(attached_id(0), 0, "program left behind");
}

Test(steer_attach, generic_mode_attach_and_detach)
{
	struct steer_handle *h;
	struct steer_addr4 v4;
	struct steer_config cfg;

	service_cfg(&cfg, &v4);
	cfg.mode = STEER_MODE_GENERIC;
	cr_assert_eq(steer_load_attach(the_dp, &cfg, &h), 0);
	cr_expect_eq(attached_id(XDP_FLAGS_SKB_MODE), steer_prog_id(h));
	cr_expect_eq(attached_id(XDP_FLAGS_DRV_MODE), 0);
	cr_expect_eq(steer_detach(h), 0);
	cr_expect_eq(attached_id(0), 0, "program left behind");
}

Test(steer_attach, detach_stale_removes_a_leftover_program)
{
	struct steer_handle *h;
	struct steer_addr4 v4;
	struct steer_config cfg;
	uint32_t id;

	service_cfg(&cfg, &v4);
	cr_assert_eq(steer_load_attach(the_dp, &cfg, &h), 0);
	id = steer_prog_id(h);
	steer_close(h); /* a crashed run: the attachment keeps the program alive */
	cr_assert_eq(attached_id(0), id);
	cr_expect_eq(steer_detach_stale(the_dp), 1);
	cr_expect_eq(attached_id(0), 0, "stale program still attached");
	cr_expect_eq(steer_detach_stale(the_dp), 0);

	cfg.mode = STEER_MODE_GENERIC; /* stale in generic mode too */
	cr_assert_eq(steer_load_attach(the_dp, &cfg, &h), 0);
	steer_close(h);
	cr_expect_eq(steer_detach_stale(the_dp), 1);
	cr_expect_eq(attached_id(0), 0);
}

Test(steer_attach, detach_stale_of_unknown_interface_fails)
{
	cr_expect_eq(steer_detach_stale("vdt-nonexistent"), -ENODEV);
}

Test(steer_attach, second_attach_replaces_first_and_first_detach_leaves_it)
{
	struct steer_handle *h1, *h2;
	struct steer_addr4 v4;
	struct steer_config cfg;

	service_cfg(&cfg, &v4);
	cr_assert_eq(steer_load_attach(the_dp, &cfg, &h1), 0);
	cr_assert_eq(steer_load_attach(the_dp, &cfg, &h2), 0);
	cr_expect_neq(steer_prog_id(h1), steer_prog_id(h2));
	cr_expect_eq(attached_id(0), steer_prog_id(h2));
	cr_expect_eq(steer_detach(h1), 0); /* not attached any more: must not remove h2's */
	cr_expect_eq(attached_id(0), steer_prog_id(h2));
	cr_expect_eq(steer_detach(h2), 0);
	cr_expect_eq(attached_id(0), 0);
}

Test(steer_attach, detach_after_interface_is_gone_is_ok)
{
	struct steer_handle *h;
	struct steer_addr4 v4;
	struct steer_config cfg;

	service_cfg(&cfg, &v4);
	cr_assert_eq(steer_load_attach(the_dp, &cfg, &h), 0);
	cr_assert_eq(sh("ip link del %s", the_dp), 0);
	cr_expect_eq(steer_detach(h), 0);
}

Test(steer_attach, attach_config_without_program_fails)
{
	struct steer_handle *h = (void *)1;
	struct steer_addr4 v4;
	struct steer_config cfg;

	service_cfg(&cfg, &v4);
	cr_expect_eq(steer_attach_config(the_dp, &cfg, &h), -ENOENT);
	cr_expect_null(h);
	cr_expect_eq(steer_attach_config("vdt-nonexistent", &cfg, &h), -ENODEV);
}

Test(steer_attach, attach_config_rejects_a_foreign_program)
{
	const struct bpf_insn pass[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct steer_handle *h;
	struct steer_addr4 v4;
	struct steer_config cfg;
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "other_xdp", "GPL", pass, 2, NULL);

	cr_assert_geq(fd, 0, "bpf_prog_load: %d", fd);
	cr_assert_eq(bpf_xdp_attach(the_dp_index, fd, XDP_FLAGS_DRV_MODE, NULL), 0);
	close(fd);
	service_cfg(&cfg, &v4);
	cr_expect_eq(steer_attach_config(the_dp, &cfg, &h), -ENOENT);
	/* and a start-up clean-up removes it whatever it is */
	cr_expect_eq(steer_detach_stale(the_dp), 1);
	cr_expect_eq(attached_id(0), 0);
}

/* An IPv4 UDP frame 198.18.0.1:40000 -> @p dst:53, sent raw out of the client end. */
static void
send_query(int sock, const char *dst)
{
	uint8_t f[ETH_HLEN + 20 + 8 + 12] = { 0 };
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = (int)if_nametoindex(the_cl),
		.sll_halen = ETH_ALEN,
	};
	uint8_t *ip = f + ETH_HLEN, *udp = ip + 20;
	uint32_t sum = 0;

	memset(f, 0xff, 6); /* broadcast: XDP runs before any MAC filter anyway */
	f[12] = 0x08;
	ip[0] = 0x45, ip[3] = 40, ip[8] = 64, ip[9] = 17;
	inet_pton(AF_INET, "198.18.0.1", ip + 12);
	inet_pton(AF_INET, dst, ip + 16);
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = ~((sum & 0xffff) + (sum >> 16)) & 0xffff;
	ip[10] = (uint8_t)(sum >> 8), ip[11] = (uint8_t)sum;
	udp[0] = 40000 >> 8, udp[1] = 40000 & 0xff, udp[3] = 53, udp[5] = 20;
	memset(sll.sll_addr, 0xff, ETH_ALEN);
	cr_assert_eq(sendto(sock, f, sizeof(f), 0, (struct sockaddr *)&sll, sizeof(sll)),
	             (ssize_t)sizeof(f), "sendto: %s", strerror(errno));
}

/* Wait up to a second for counter @p c of @p h to reach @p want. */
static uint64_t
wait_counter(const struct steer_handle *h, enum steer_counter c, uint64_t want)
{
	uint64_t s[STEER_COUNTER_MAX] = { 0 };

	for (int i = 0; i < 100; i++) {
		cr_assert_eq(steer_read_stats(h, s), 0);
		if (s[c] >= want)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 10 * 1000 * 1000 }, NULL);
	}
	return s[c];
}

/*
 * The PMD-owned path: something else (here steer_load_attach with no addresses, as the
 * PMD would leave it) attached the program; steer_attach_config finds it by the
 * interface, fills its maps, and reads its counters while real frames cross the veth.
 */
Test(steer_attach, attach_config_adopts_program_fills_maps_and_counts_traffic)
{
	struct steer_handle *pmd, *h;
	struct steer_addr4 v4;
	struct steer_config none = { 0 }, cfg;
	int sock;

	cr_assert_eq(steer_load_attach(the_dp, &none, &pmd), 0);
	service_cfg(&cfg, &v4);
	cr_assert_eq(steer_attach_config(the_dp, &cfg, &h), 0);
	cr_expect_eq(steer_prog_id(h), steer_prog_id(pmd));

	sock = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	cr_assert_geq(sock, 0, "socket(AF_PACKET): %s", strerror(errno));
	send_query(sock, "198.18.0.2");  /* service address; no AF_XDP socket on queue 0 */
	send_query(sock, "198.18.0.77"); /* not a service address */
	cr_expect_eq(wait_counter(h, STEER_PASS_NO_XSK, 1), 1);
	cr_expect_eq(wait_counter(h, STEER_PASS_NOT_SERVICE_ADDR, 1), 1);

	/* The maps are shared: a change through one handle shows in the other's counters. */
	cr_assert_eq(steer_set_config(h, &none), 0);
	send_query(sock, "198.18.0.2");
	cr_expect_eq(wait_counter(pmd, STEER_PASS_NOT_SERVICE_ADDR, 2), 2);
	close(sock);

	cr_expect_eq(steer_detach(h), 0);
	cr_expect_eq(attached_id(0), 0, "program left behind");
	cr_expect_eq(steer_detach(pmd), 0); /* already gone: nothing to do, no error */
}
