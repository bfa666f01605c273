/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * User-space side of the XDP steering program (steer.bpf.c): find or load it, fill its
 * service-address maps, read its counters, and make sure nothing is left on an interface.
 *
 * Two ways to run, one handle type:
 *
 *   PMD-owned (the daemon today). DPDK's af_xdp PMD loads and attaches the object itself
 *   from the devarg `xdp_prog=<path>` and inserts its sockets into xsks_map:
 *
 *       steer_detach_stale(ifname);              before the port starts: clear a crashed run
 *       fd = steer_obj_memfd(path, sizeof(path)); or steer_obj_path(): what xdp_prog= names
 *       rte_eal_init(... "net_af_xdp0,iface=IF,xdp_prog=PATH" ...)
 *       rte_eth_rx_queue_setup(), rte_eth_dev_start()  the PMD loads and attaches here
 *       steer_attach_config(ifname, &cfg, &h);   find the program, fill service_v4/v6
 *       ... steer_read_stats(h, counts) from the control thread ...
 *       rte_eth_dev_close(port);                 22.11: the PMD detaches the program here
 *       steer_detach(h); close(fd);              make sure; free h
 *
 *   Seen with DPDK 22.11 on kernel 6.18 (veth, native mode): the PMD attaches with
 *   "update if no program exists", so a program left by a killed run makes the port fail
 *   to start ("XDP program already attached"); hence steer_detach_stale(). At close the
 *   PMD detaches whatever program is on the interface; after SIGKILL the program stays.
 *   Between attach and steer_attach_config() the service maps are empty and every packet
 *   goes to the kernel.
 *
 *   libbpf-owned (tests, and a future mode without the PMD's loader):
 *
 *       steer_load(&cfg, &h);                    load only: bpf_prog_test_run_opts() on it
 *       steer_load_attach(ifname, &cfg, &h);     load and attach (native, else generic)
 *
 * Errors: every function returns 0 (or a count) or a negative errno, and logs one line
 * naming the interface and the step that failed ("veth-dp: bpf_xdp_attach: -16 (...)").
 *
 * Threads: a handle is not locked. Create and destroy it on one thread at start-up and
 * exit; steer_read_stats() and steer_set_config() may then be called from one thread at a
 * time (the control thread). None of this is for a worker lcore: every call is a syscall.
 */
#ifndef STEER_LOADER_H
#define STEER_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "steer_shared.h"

/* How steer_load_attach() attaches. The PMD-owned path ignores it. */
enum steer_mode {
	STEER_MODE_AUTO = 0, /* native (driver) mode; generic (skb) if the driver has no XDP */
	STEER_MODE_NATIVE,   /* native only: fail with -EOPNOTSUPP rather than fall back */
	STEER_MODE_GENERIC,  /* generic only (testing, or drivers with broken native XDP) */
};

/*
 * What the program should steer. The arrays are copied into the maps and not kept.
 * No address of a family (n_v4 == 0) means: steer nothing of that family.
 */
struct steer_config {
	const struct steer_addr4 *v4; /* network byte order; n_v4 <= STEER_SERVICE_MAX */
	unsigned n_v4;
	const struct steer_addr6 *v6; /* n_v6 <= STEER_SERVICE_MAX */
	unsigned n_v6;
	uint16_t port;        /* UDP port queries go to (host order); 0: 53 */
	enum steer_mode mode; /* steer_load_attach() only */
};

/* Opaque. Owner: the thread that created it (see the banner). */
struct steer_handle;

/**
 * Path of steer.bpf.o for `xdp_prog=`: $VELODNS_STEER_OBJ if set, else the build tree's
 * object if it is readable (a binary run from the build tree), else the installed one
 * (<libdir>/velodns/steer.bpf.o).
 * @return a static string; never NULL. Any thread.
 */
const char *steer_obj_path(void);

/**
 * Write the object this loader was built with (embedded in the skeleton) to a sealed
 * memfd and put "/proc/self/fd/N" in @p path, for `xdp_prog=`. Unlike a path on disk, the
 * PMD then loads exactly the ABI this loader checks for, whatever is installed.
 * @param path   buffer for the path, @p len >= 32.
 * @return the memfd (>= 0), or -errno. The PMD opens the path when the port's rx queues
 *         are set up, not at probe; keep the fd open until the port is closed.
 */
int steer_obj_memfd(char *path, size_t len);

/**
 * Remove every XDP program attached to @p ifname (native, generic and offloaded), e.g. one
 * left by a crashed run, so that the PMD can attach its own. Logs each one it removes
 * (id, name, mode) as a warning. Start-up only, before the PMD probes the interface.
 * @return number of programs removed (0: the interface was clean), or -errno
 *         (-ENODEV: no such interface).
 */
int steer_detach_stale(const char *ifname);

/**
 * PMD-owned mode: find the steering program the PMD attached to @p ifname, check that
 * its maps match steer_shared.h (names, types, sizes), and fill the service maps from
 * @p cfg. Call after the port has started (the PMD attaches when it creates its sockets).
 * @param out  receives the handle on success; free with steer_detach() or steer_close().
 * @return 0, -ENOENT (no program, or not steer_xdp: was xdp_prog= given?), -EPROTO (map
 *         layout differs: a steer.bpf.o from another build), -E2BIG (too many addresses),
 *         or another -errno.
 */
int steer_attach_config(const char *ifname, const struct steer_config *cfg,
                        struct steer_handle **out);

/**
 * Load the program from the embedded skeleton and fill its maps, without attaching it.
 * For bpf_prog_test_run_opts() on steer_prog_fd(), and the first half of
 * steer_load_attach(). Needs CAP_BPF (root).
 * @param out  receives the handle; free with steer_close() (or steer_detach()).
 * @return 0 or -errno.
 */
int steer_load(const struct steer_config *cfg, struct steer_handle **out);

/**
 * libbpf-owned mode: steer_load(), then attach to @p ifname in cfg->mode. A program
 * already attached in the chosen mode is replaced atomically (XDP_FLAGS_REPLACE, logged);
 * otherwise the attach fails rather than overwrite one that appears concurrently.
 * The program redirects only to sockets the caller puts in steer_xsks_map_fd().
 * @param out  receives the handle; steer_detach() removes the program and frees it.
 * @return 0 or -errno (e.g. -EOPNOTSUPP: STEER_MODE_NATIVE on a driver without XDP).
 */
int steer_load_attach(const char *ifname, const struct steer_config *cfg,
                      struct steer_handle **out);

/**
 * Replace the service addresses and port with those of @p cfg (cfg->mode is ignored). Stale
 * addresses are deleted first, then new ones inserted, so for a moment only the
 * intersection is steered; packets in that moment go to the kernel, none are lost.
 * @return 0, -E2BIG (more than STEER_SERVICE_MAX of a family), or -errno.
 */
int steer_set_config(struct steer_handle *h, const struct steer_config *cfg);

/**
 * Sum the per-CPU counters into @p out (STEER_COUNTER_MAX entries, indexed by enum
 * steer_counter). Counters start at 0 when the program is loaded and never reset.
 * @return 0 or -errno (out is then zeroed).
 */
int steer_read_stats(const struct steer_handle *h, uint64_t out[STEER_COUNTER_MAX]);

/** Name of a counter for logs and the control socket ("redirect_v4"); "?" if unknown. */
const char *steer_counter_name(enum steer_counter c);

/** Program fd (for bpf_prog_test_run_opts); owned by the handle. */
int steer_prog_fd(const struct steer_handle *h);

/** xsks_map fd (for a libbpf-owned mode inserting its own sockets); owned by the handle. */
int steer_xsks_map_fd(const struct steer_handle *h);

/** Kernel id of the program (as bpf_xdp_query_id() reports it). */
uint32_t steer_prog_id(const struct steer_handle *h);

/**
 * Remove the program from the interface, but only if it is still the one this handle
 * refers to (compare-and-detach with XDP_FLAGS_REPLACE), then free the handle. Nothing
 * attached any more (the PMD removed it, or the interface is gone) is not an error.
 * NULL is a no-op. Call at exit, after rte_eth_dev_close() of the port.
 * @return 0, or -errno if the detach failed (the handle is freed in every case).
 */
int steer_detach(struct steer_handle *h);

/** Free the handle without touching the interface. NULL is a no-op. */
void steer_close(struct steer_handle *h);

#endif /* STEER_LOADER_H */
