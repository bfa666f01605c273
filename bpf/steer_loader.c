/* SPDX-License-Identifier: BSD-3-Clause */
/* Loader for steer.bpf.c: find or load the program, fill its maps, read and detach it. */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_link.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "vd_compiler.h"
#include "vd_log.h"
#include "steer_loader.h"
#include "steer_paths.h"

/* bpftool's skeleton casts the const ELF bytes away (s->data = (void *)...). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-qual"
#include "steer.skel.h"
#pragma GCC diagnostic pop

/* Owner: the thread that created it; see steer_loader.h. */
struct steer_handle {
	char name[IF_NAMESIZE + 8]; /* interface name, or "steer" for steer_load(); for logs */
	int ifindex;                /* 0 while not attached */
	uint32_t mode_flags;        /* XDP_FLAGS_{DRV,SKB,HW}_MODE it is attached in */
	uint32_t prog_id;
	struct steer *skel; /* libbpf-owned: the fds below belong to it */
	int prog_fd;        /* PMD-owned: all fds below are ours to close */
	int xsks_fd;        /* -1 if the program has none (cannot happen for steer_xdp) */
	int v4_fd;
	int v6_fd;
	int conf_fd;
	int stats_fd;
};

/* What the loader requires of each map of steer.bpf.c (STEER_ABI). */
struct steer_map_spec {
	const char *name;
	uint32_t type;
	uint32_t key_size;
	uint32_t value_size;
	uint32_t max_entries;
	size_t fd_off; /* where its fd goes in struct steer_handle */
};

static const struct steer_map_spec steer_maps[] = {
	{ STEER_MAP_XSKS, BPF_MAP_TYPE_XSKMAP, 4, 4, STEER_XSKS_MAX,
	  offsetof(struct steer_handle, xsks_fd) },
	{ STEER_MAP_SERVICE_V4, BPF_MAP_TYPE_HASH, sizeof(struct steer_addr4), 1, STEER_SERVICE_MAX,
	  offsetof(struct steer_handle, v4_fd) },
	{ STEER_MAP_SERVICE_V6, BPF_MAP_TYPE_HASH, sizeof(struct steer_addr6), 1, STEER_SERVICE_MAX,
	  offsetof(struct steer_handle, v6_fd) },
	{ STEER_MAP_CONF, BPF_MAP_TYPE_ARRAY, 4, sizeof(struct steer_conf), 1,
	  offsetof(struct steer_handle, conf_fd) },
	{ STEER_MAP_STATS, BPF_MAP_TYPE_PERCPU_ARRAY, 4, sizeof(struct steer_stats), 1,
	  offsetof(struct steer_handle, stats_fd) },
};

static const char *const steer_counter_names[STEER_COUNTER_MAX] = {
	[STEER_RX] = "rx",
	[STEER_REDIRECT_V4] = "redirect_v4",
	[STEER_REDIRECT_V6] = "redirect_v6",
	[STEER_PASS_NOT_IP] = "pass_not_ip",
	[STEER_PASS_NOT_UDP] = "pass_not_udp",
	[STEER_PASS_NOT_DNS_PORT] = "pass_not_dns_port",
	[STEER_PASS_NOT_SERVICE_ADDR] = "pass_not_service_addr",
	[STEER_PASS_FRAGMENT] = "pass_fragment",
	[STEER_PASS_IPV6_EXT] = "pass_ipv6_ext",
	[STEER_PASS_RUNT] = "pass_runt",
	[STEER_PASS_NO_XSK] = "pass_no_xsk",
	[STEER_PASS_BAD_IP] = "pass_bad_ip",
};

/* Log "<name>: <step>: -N (text)" and hand the error back; err is a negative errno. */
static int
steer_fail(const char *name, const char *step, int err)
{
	VD_ERR("%s: %s: %d (%s)", name, step, err, strerror(-err));
	return err;
}

/* libbpf 1.x returns -errno from its wrappers; keep errno as the fallback for old ones. */
static int
steer_errno(int ret)
{
	return ret < 0 ? ret : (errno ? -errno : -EIO);
}

static const char *
steer_mode_name(uint32_t mode_flags)
{
	if (mode_flags & XDP_FLAGS_SKB_MODE)
		return "generic";
	if (mode_flags & XDP_FLAGS_HW_MODE)
		return "offload";
	return "native";
}

static struct steer_handle *
steer_handle_new(const char *name)
{
	struct steer_handle *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	snprintf(h->name, sizeof(h->name), "%s", name);
	h->prog_fd = h->xsks_fd = h->v4_fd = h->v6_fd = h->conf_fd = h->stats_fd = -1;
	return h;
}

static int
steer_ifindex(const char *ifname)
{
	unsigned idx = if_nametoindex(ifname);

	return idx ? (int)idx : steer_fail(ifname, "if_nametoindex", -ENODEV);
}

/* Program name for a log line; "?" if the program vanished meanwhile. */
static void
steer_prog_name(uint32_t id, char *buf, size_t len)
{
	struct bpf_prog_info info = { 0 };
	uint32_t info_len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id);

	snprintf(buf, len, "?");
	if (fd < 0)
		return;
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len) == 0)
		snprintf(buf, len, "%s", info.name);
	close(fd);
}

/* Check one map of the running program against steer_maps[]; store its fd if it is ours. */
static int
steer_adopt_map(struct steer_handle *h, uint32_t map_id)
{
	struct bpf_map_info info = { 0 };
	uint32_t info_len = sizeof(info);
	int fd = bpf_map_get_fd_by_id(map_id);

	if (fd < 0)
		return steer_fail(h->name, "bpf_map_get_fd_by_id", steer_errno(fd));
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len) != 0) {
		int err = -errno;

		close(fd);
		return steer_fail(h->name, "bpf_obj_get_info_by_fd(map)", err);
	}
	for (unsigned i = 0; i < VD_ARRAY_SIZE(steer_maps); i++) {
		const struct steer_map_spec *s = &steer_maps[i];
		int *slot = (int *)((char *)h + s->fd_off);

		if (strcmp(info.name, s->name) != 0)
			continue;
		if (info.type != s->type || info.key_size != s->key_size ||
		    info.value_size != s->value_size || info.max_entries != s->max_entries) {
			VD_ERR("%s: map %s: type/key/value/entries %u/%u/%u/%u, expected "
			       "%u/%u/%u/%u (steer.bpf.o from another build?)",
			       h->name, s->name, info.type, info.key_size, info.value_size,
			       info.max_entries, s->type, s->key_size, s->value_size,
			       s->max_entries);
			close(fd);
			return -EPROTO;
		}
		if (*slot >= 0)
			close(*slot);
		*slot = fd;
		return 0;
	}
	close(fd); /* .bss, .rodata or anything else: not part of the contract */
	return 0;
}

/* PMD-owned mode: take fds for the attached program @p prog_id and its maps. */
static int
steer_adopt_prog(struct steer_handle *h, uint32_t prog_id)
{
	uint32_t map_ids[16];
	struct bpf_prog_info info = { 0 };
	uint32_t info_len = sizeof(info);
	int err;

	h->prog_fd = bpf_prog_get_fd_by_id(prog_id);
	if (h->prog_fd < 0)
		return steer_fail(h->name, "bpf_prog_get_fd_by_id", steer_errno(h->prog_fd));
	info.nr_map_ids = VD_ARRAY_SIZE(map_ids);
	info.map_ids = (uint64_t)(uintptr_t)map_ids;
	if (bpf_obj_get_info_by_fd(h->prog_fd, &info, &info_len) != 0)
		return steer_fail(h->name, "bpf_obj_get_info_by_fd(prog)", -errno);
	if (strcmp(info.name, STEER_PROG_NAME) != 0) {
		VD_ERR("%s: the XDP program is '%s' (id %u), not %s: no xdp_prog= for the PMD?",
		       h->name, info.name, prog_id, STEER_PROG_NAME);
		return -ENOENT;
	}
	h->prog_id = prog_id;
	for (uint32_t i = 0; i < VD_MIN(info.nr_map_ids, VD_ARRAY_SIZE(map_ids)); i++) {
		err = steer_adopt_map(h, map_ids[i]);
		if (err < 0)
			return err;
	}
	for (unsigned i = 0; i < VD_ARRAY_SIZE(steer_maps); i++) {
		if (*(int *)((char *)h + steer_maps[i].fd_off) < 0) {
			VD_ERR("%s: program %u has no map %s", h->name, prog_id,
			       steer_maps[i].name);
			return -ENOENT;
		}
	}
	return 0;
}

static bool
steer_key_in(const void *key, const void *keys, unsigned n, size_t key_size)
{
	for (unsigned i = 0; i < n; i++)
		if (memcmp(key, (const char *)keys + i * key_size, key_size) == 0)
			return true;
	return false;
}

/* Make the hash map @p fd hold exactly @p keys: delete the others, then insert. */
static int
steer_sync_set(const struct steer_handle *h, const char *map, int fd, const void *keys, unsigned n,
               size_t key_size)
{
	uint8_t stale[STEER_SERVICE_MAX][sizeof(struct steer_addr6)];
	uint8_t cur[sizeof(struct steer_addr6)], next[sizeof(struct steer_addr6)];
	unsigned n_stale = 0;
	const uint8_t one = 1;
	const void *prev = NULL;
	int err;

	if (n > STEER_SERVICE_MAX) {
		VD_ERR("%s: %s: %u addresses, at most %u", h->name, map, n, STEER_SERVICE_MAX);
		return -E2BIG;
	}
	/* Collect first: deleting while walking with get_next_key may restart the walk. */
	while (n_stale < STEER_SERVICE_MAX && bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(cur, next, key_size);
		if (!steer_key_in(cur, keys, n, key_size))
			memcpy(stale[n_stale++], cur, key_size);
		prev = cur;
	}
	for (unsigned i = 0; i < n_stale; i++) {
		err = bpf_map_delete_elem(fd, stale[i]);
		if (err < 0 && steer_errno(err) != -ENOENT)
			return steer_fail(h->name, "bpf_map_delete_elem(service)",
			                  steer_errno(err));
	}
	for (unsigned i = 0; i < n; i++) {
		err = bpf_map_update_elem(fd, (const char *)keys + i * key_size, &one, BPF_ANY);
		if (err < 0)
			return steer_fail(h->name, "bpf_map_update_elem(service)",
			                  steer_errno(err));
	}
	return 0;
}

/* Which program ids @p opts reports per mode, as {mode flag, id} pairs. */
static void
steer_ids_by_mode(const struct bpf_xdp_query_opts *q, uint32_t modes[3], uint32_t ids[3])
{
	modes[0] = XDP_FLAGS_DRV_MODE, ids[0] = q->drv_prog_id;
	modes[1] = XDP_FLAGS_SKB_MODE, ids[1] = q->skb_prog_id;
	modes[2] = XDP_FLAGS_HW_MODE, ids[2] = q->hw_prog_id;
}

/*
 * Detach program @p id from @p mode, but only if it is still the one attached there
 * (XDP_FLAGS_REPLACE makes the kernel compare). @p prog_fd: its fd, or -1 to look it up.
 * @return 1 if removed, 0 if there was nothing of ours to remove, or -errno.
 */
static int
steer_detach_id(const char *name, int ifindex, uint32_t mode, uint32_t id, int prog_fd)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	uint32_t modes[3], ids[3], cur = 0;
	int fd, err;

	err = bpf_xdp_query(ifindex, 0, &q);
	if (err < 0) {
		err = steer_errno(err);
		return err == -ENODEV ? 0 : steer_fail(name, "bpf_xdp_query", err);
	}
	steer_ids_by_mode(&q, modes, ids);
	for (unsigned i = 0; i < 3; i++)
		if (modes[i] == mode)
			cur = ids[i];
	if (cur != id) {
		if (cur)
			VD_WARN("%s: program %u was replaced by %u; leaving that one", name, id,
			        cur);
		return 0;
	}
	fd = prog_fd >= 0 ? prog_fd : bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return steer_fail(name, "bpf_prog_get_fd_by_id", steer_errno(fd));
	opts.old_prog_fd = fd;
	err = bpf_xdp_detach(ifindex, mode | XDP_FLAGS_REPLACE, &opts);
	if (fd != prog_fd)
		close(fd);
	if (err < 0) {
		err = steer_errno(err);
		if (err == -EEXIST) { /* swapped between our query and the detach */
			VD_WARN("%s: program %u was replaced meanwhile; leaving the new one", name,
			        id);
			return 0;
		}
		return steer_fail(name, "bpf_xdp_detach", err);
	}
	return 1;
}

static int
steer_attach_mode(struct steer_handle *h, int ifindex, uint32_t mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	uint32_t modes[3], ids[3], cur = 0, flags = mode | XDP_FLAGS_UPDATE_IF_NOEXIST;
	char cur_name[BPF_OBJ_NAME_LEN];
	int err;

	err = bpf_xdp_query(ifindex, 0, &q);
	if (err < 0)
		return steer_fail(h->name, "bpf_xdp_query", steer_errno(err));
	steer_ids_by_mode(&q, modes, ids);
	for (unsigned i = 0; i < 3; i++)
		if (modes[i] == mode)
			cur = ids[i];
	if (cur) {
		/* Atomic swap; fails with -EEXIST if it changes again before we get there. */
		opts.old_prog_fd = bpf_prog_get_fd_by_id(cur);
		if (opts.old_prog_fd < 0)
			return steer_fail(h->name, "bpf_prog_get_fd_by_id",
			                  steer_errno(opts.old_prog_fd));
		steer_prog_name(cur, cur_name, sizeof(cur_name));
		VD_WARN("%s: replacing XDP program %u '%s' (%s mode)", h->name, cur, cur_name,
		        steer_mode_name(mode));
		flags = mode | XDP_FLAGS_REPLACE;
	}
	err = bpf_xdp_attach(ifindex, h->prog_fd, flags, &opts);
	if (cur)
		close(opts.old_prog_fd);
	return err < 0 ? steer_errno(err) : 0;
}

/* Public functions, in header order. */

const char *
steer_obj_path(void)
{
	const char *env = getenv("VELODNS_STEER_OBJ");

	if (env && *env)
		return env;
	if (access(STEER_OBJ_BUILD_PATH, R_OK) == 0)
		return STEER_OBJ_BUILD_PATH;
	return STEER_OBJ_INSTALL_PATH;
}

int
steer_obj_memfd(char *path, size_t len)
{
	size_t size, off = 0;
	const char *bytes = steer__elf_bytes(&size);
	int fd = memfd_create("steer.bpf.o", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return steer_fail("steer", "memfd_create", -errno);
	while (off < size) {
		ssize_t n = write(fd, bytes + off, size - off);

		if (n < 0) {
			int err = -errno;

			close(fd);
			return steer_fail("steer", "write(memfd)", err);
		}
		off += (size_t)n;
	}
	/* Sealed: the PMD parses exactly these bytes, whoever else holds the fd. */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
		int err = -errno;

		close(fd);
		return steer_fail("steer", "fcntl(F_ADD_SEALS)", err);
	}
	if ((size_t)snprintf(path, len, "/proc/self/fd/%d", fd) >= len) {
		close(fd);
		return steer_fail("steer", "steer_obj_memfd", -ENAMETOOLONG);
	}
	return fd;
}

int
steer_detach_stale(const char *ifname)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	uint32_t modes[3], ids[3];
	char prog_name[BPF_OBJ_NAME_LEN];
	int ifindex = steer_ifindex(ifname);
	int err, removed = 0;

	if (ifindex < 0)
		return ifindex;
	err = bpf_xdp_query(ifindex, 0, &q);
	if (err < 0)
		return steer_fail(ifname, "bpf_xdp_query", steer_errno(err));
	steer_ids_by_mode(&q, modes, ids);
	for (unsigned i = 0; i < 3; i++) {
		if (!ids[i])
			continue;
		steer_prog_name(ids[i], prog_name, sizeof(prog_name));
		VD_WARN("%s: removing stale XDP program %u '%s' (%s mode)", ifname, ids[i],
		        prog_name, steer_mode_name(modes[i]));
		err = steer_detach_id(ifname, ifindex, modes[i], ids[i], -1);
		if (err < 0)
			return err;
		removed += err;
	}
	return removed;
}

int
steer_attach_config(const char *ifname, const struct steer_config *cfg, struct steer_handle **out)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct steer_handle *h;
	int ifindex = steer_ifindex(ifname);
	int err;

	*out = NULL;
	if (ifindex < 0)
		return ifindex;
	h = steer_handle_new(ifname);
	if (!h)
		return steer_fail(ifname, "calloc", -ENOMEM);
	err = bpf_xdp_query(ifindex, 0, &q);
	if (err < 0) {
		err = steer_fail(ifname, "bpf_xdp_query", steer_errno(err));
		goto err_close;
	}
	/* The PMD attaches in native mode when it can, generic otherwise; never both. */
	if (q.drv_prog_id)
		h->mode_flags = XDP_FLAGS_DRV_MODE, h->prog_id = q.drv_prog_id;
	else if (q.skb_prog_id)
		h->mode_flags = XDP_FLAGS_SKB_MODE, h->prog_id = q.skb_prog_id;
	else if (q.hw_prog_id)
		h->mode_flags = XDP_FLAGS_HW_MODE, h->prog_id = q.hw_prog_id;
	if (!h->prog_id) {
		VD_ERR("%s: no XDP program attached: has the af_xdp port started?", ifname);
		err = -ENOENT;
		goto err_close;
	}
	err = steer_adopt_prog(h, h->prog_id);
	if (err < 0)
		goto err_close;
	h->ifindex = ifindex;
	err = steer_set_config(h, cfg);
	if (err < 0)
		goto err_close;
	VD_INFO("%s: steering %u IPv4 and %u IPv6 service addresses (program %u, %s mode)", ifname,
	        cfg->n_v4, cfg->n_v6, h->prog_id, steer_mode_name(h->mode_flags));
	*out = h;
	return 0;

err_close:
	h->ifindex = 0; /* not ours to detach: the PMD owns the attachment */
	steer_close(h);
	return err;
}

int
steer_load(const struct steer_config *cfg, struct steer_handle **out)
{
	struct bpf_prog_info info = { 0 };
	uint32_t info_len = sizeof(info);
	struct steer_handle *h;
	int err;

	*out = NULL;
	h = steer_handle_new("steer");
	if (!h)
		return steer_fail("steer", "calloc", -ENOMEM);
	h->skel = steer__open();
	if (!h->skel) {
		err = steer_fail(h->name, "steer__open", -errno);
		goto err_close;
	}
	err = steer__load(h->skel);
	if (err < 0) {
		err = steer_fail(h->name, "steer__load", steer_errno(err));
		goto err_close;
	}
	h->prog_fd = bpf_program__fd(h->skel->progs.steer_xdp);
	h->xsks_fd = bpf_map__fd(h->skel->maps.xsks_map);
	h->v4_fd = bpf_map__fd(h->skel->maps.service_v4);
	h->v6_fd = bpf_map__fd(h->skel->maps.service_v6);
	h->conf_fd = bpf_map__fd(h->skel->maps.steer_conf);
	h->stats_fd = bpf_map__fd(h->skel->maps.steer_stats);
	if (bpf_obj_get_info_by_fd(h->prog_fd, &info, &info_len) != 0) {
		err = steer_fail(h->name, "bpf_obj_get_info_by_fd(prog)", -errno);
		goto err_close;
	}
	h->prog_id = info.id;
	err = steer_set_config(h, cfg);
	if (err < 0)
		goto err_close;
	*out = h;
	return 0;

err_close:
	steer_close(h);
	return err;
}

int
steer_load_attach(const char *ifname, const struct steer_config *cfg, struct steer_handle **out)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct steer_handle *h;
	uint32_t mode = cfg->mode == STEER_MODE_GENERIC ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	int ifindex = steer_ifindex(ifname);
	int err;

	*out = NULL;
	if (ifindex < 0)
		return ifindex;
	err = steer_load(cfg, &h);
	if (err < 0)
		return err;
	snprintf(h->name, sizeof(h->name), "%s", ifname);

	/* AUTO and a generic program already there: replace it rather than fail -EEXIST. */
	if (cfg->mode == STEER_MODE_AUTO && bpf_xdp_query(ifindex, 0, &q) == 0 && q.skb_prog_id &&
	    !q.drv_prog_id)
		mode = XDP_FLAGS_SKB_MODE;
	err = steer_attach_mode(h, ifindex, mode);
	if (err == -EOPNOTSUPP && cfg->mode == STEER_MODE_AUTO && mode == XDP_FLAGS_DRV_MODE) {
		VD_INFO("%s: no native XDP in the driver; attaching in generic mode", ifname);
		mode = XDP_FLAGS_SKB_MODE;
		err = steer_attach_mode(h, ifindex, mode);
	}
	if (err < 0) {
		steer_fail(ifname, "bpf_xdp_attach", err);
		steer_close(h);
		return err;
	}
	h->ifindex = ifindex;
	h->mode_flags = mode;
	VD_INFO("%s: %s attached (program %u, %s mode)", ifname, STEER_PROG_NAME, h->prog_id,
	        steer_mode_name(mode));
	*out = h;
	return 0;
}

int
steer_set_config(struct steer_handle *h, const struct steer_config *cfg)
{
	struct steer_conf conf = { .dns_port = htons(cfg->port ? cfg->port : STEER_DNS_PORT) };
	uint32_t zero = 0;
	int err;

	/* Addresses first: the port of a new config only matters for its own addresses. */
	err = steer_sync_set(h, STEER_MAP_SERVICE_V4, h->v4_fd, cfg->v4, cfg->n_v4,
	                     sizeof(struct steer_addr4));
	if (err == 0)
		err = steer_sync_set(h, STEER_MAP_SERVICE_V6, h->v6_fd, cfg->v6, cfg->n_v6,
		                     sizeof(struct steer_addr6));
	if (err < 0)
		return err;
	err = bpf_map_update_elem(h->conf_fd, &zero, &conf, BPF_ANY);
	if (err < 0)
		return steer_fail(h->name, "bpf_map_update_elem(steer_conf)", steer_errno(err));
	return 0;
}

int
steer_read_stats(const struct steer_handle *h, uint64_t out[STEER_COUNTER_MAX])
{
	int n_cpus = libbpf_num_possible_cpus();
	struct steer_stats *per_cpu;
	uint32_t zero = 0;
	int err;

	memset(out, 0, sizeof(uint64_t) * STEER_COUNTER_MAX);
	if (n_cpus <= 0)
		return steer_fail(h->name, "libbpf_num_possible_cpus", n_cpus < 0 ? n_cpus : -EIO);
	/* Per-CPU lookups fill one value per possible CPU; steer_stats is 8-byte sized. */
	per_cpu = calloc((size_t)n_cpus, sizeof(*per_cpu));
	if (!per_cpu)
		return steer_fail(h->name, "calloc", -ENOMEM);
	err = bpf_map_lookup_elem(h->stats_fd, &zero, per_cpu);
	if (err < 0) {
		free(per_cpu);
		return steer_fail(h->name, "bpf_map_lookup_elem(steer_stats)", steer_errno(err));
	}
	for (int cpu = 0; cpu < n_cpus; cpu++)
		for (unsigned c = 0; c < STEER_COUNTER_MAX; c++)
			out[c] += per_cpu[cpu].count[c];
	free(per_cpu);
	return 0;
}

const char *
steer_counter_name(enum steer_counter c)
{
	return (unsigned)c < STEER_COUNTER_MAX ? steer_counter_names[c] : "?";
}

int
steer_prog_fd(const struct steer_handle *h)
{
	return h->prog_fd;
}

int
steer_xsks_map_fd(const struct steer_handle *h)
{
	return h->xsks_fd;
}

uint32_t
steer_prog_id(const struct steer_handle *h)
{
	return h->prog_id;
}

int
steer_detach(struct steer_handle *h)
{
	int err = 0;

	if (!h)
		return 0;
	if (h->ifindex > 0) {
		err = steer_detach_id(h->name, h->ifindex, h->mode_flags, h->prog_id, h->prog_fd);
		if (err == 1)
			VD_INFO("%s: %s detached (program %u)", h->name, STEER_PROG_NAME,
			        h->prog_id);
		else if (err == 0)
			VD_DEBUG("%s: program %u was no longer attached", h->name, h->prog_id);
		err = VD_MIN(err, 0);
	}
	steer_close(h);
	return err;
}

void
steer_close(struct steer_handle *h)
{
	if (!h)
		return;
	if (h->skel) {
		steer__destroy(h->skel); /* owns every fd in the handle */
	} else {
		int fds[] = { h->prog_fd, h->xsks_fd, h->v4_fd, h->v6_fd, h->conf_fd, h->stats_fd };

		for (unsigned i = 0; i < VD_ARRAY_SIZE(fds); i++)
			if (fds[i] >= 0)
				close(fds[i]);
	}
	free(h);
}
