/* SPDX-License-Identifier: BSD-3-Clause */
/* Dataplane bring-up and tear-down from the configuration (main thread). */
#define _GNU_SOURCE /* sched_getaffinity, CPU_* */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_lpm.h>
#include <rte_lpm6.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "cp_dataplane.h"
#include "cp_netlink.h"
#include "dp_msg.h"
#include "dp_port.h"
#include "steer_loader.h"
#include "vd_log.h"

#define MAX_EAL_ARGS   64
#define RING_SIZE      4096  /* punt and fill ring elements per worker */
#define POOL_CACHE     256
#define ACL_MAX_RULES  1024
#define DESC_PER_QUEUE 1024
#define LOCK_DIR       "/run/velodns"

/* The port locks this process holds; closing one releases it, and its file goes first. */
static struct {
	int fd;
	char path[256];
} the_port_locks[CP_CONF_MAX_PORTS];
static unsigned the_n_port_locks;

#define LOCK_TRIES 5 /* a lock file removed under us by its exiting owner: open it again */

/* EAL arguments from the configuration; strings live in @p store. */
static int
eal_args(const struct cp_conf *c, char **argv, char *store, size_t cap)
{
	int argc = 0;
	size_t used = 0;
	bool any_pci = false;

#define ARG(...)                                                                                   \
	do {                                                                                       \
		int n_ = snprintf(store + used, cap - used, __VA_ARGS__);                         \
		if (n_ < 0 || (size_t)n_ >= cap - used || argc >= MAX_EAL_ARGS - 1)               \
			return -E2BIG;                                                             \
		argv[argc++] = store + used;                                                       \
		used += (size_t)n_ + 1;                                                            \
	} while (0)

	ARG("velodns");
	{
		/* -l L,L,... runs lcore L on CPU L; --lcores L@C,... maps them (workers.cpus). */
		const struct cp_workers_conf *w = &c->workers;
		char list[2048];
		int n;

		if (w->has_cpus) {
			n = snprintf(list, sizeof(list), "%u@%u", w->control_lcore, w->control_cpu);
			for (unsigned i = 0; i < w->n_lcores && n > 0 && (size_t)n < sizeof(list); i++)
				n += snprintf(list + n, sizeof(list) - (size_t)n, ",%u@%u", w->lcores[i],
					      w->cpus[i]);
		} else {
			n = snprintf(list, sizeof(list), "%u", w->control_lcore);
			for (unsigned i = 0; i < w->n_lcores && n > 0 && (size_t)n < sizeof(list); i++)
				n += snprintf(list + n, sizeof(list) - (size_t)n, ",%u", w->lcores[i]);
		}
		if (n < 0 || (size_t)n >= sizeof(list))
			return -E2BIG;
		ARG(w->has_cpus ? "--lcores" : "-l");
		ARG("%s", list);
	}
	ARG("--main-lcore");
	ARG("%u", c->workers.control_lcore);
	ARG("--no-telemetry");
	if (!c->eal.hugepages) {
		ARG("--no-huge");
		ARG("-m");
		ARG("%llu", (unsigned long long)(c->eal.memory >> 20));
		ARG("--no-shconf");
	} else if (c->eal.in_memory) {
		ARG("--in-memory");
	}
	for (unsigned i = 0; i < c->n_ports; i++) {
		if (c->ports[i].pci != NULL) {
			ARG("-a");
			ARG("%s", c->ports[i].pci);
			any_pci = true;
		}
	}
	/* Without a configured PCI device EAL must not probe the machine's own NIC. */
	if (!any_pci)
		ARG("--no-pci");
	for (unsigned i = 0; i < c->eal.n_args; i++)
		ARG("%s", c->eal.args[i]);
#undef ARG
	argv[argc] = NULL;
	return argc;
}

static int
make_pools(struct cp_daemon *d)
{
	unsigned per_port = 0;
	unsigned lcore;

	for (unsigned i = 0; i < d->conf.n_ports; i++)
		per_port += d->conf.ports[i].queues * 2u * DESC_PER_QUEUE * 2u;
	per_port += d->conf.workers.n_lcores * 4096u + 8192u;

	RTE_LCORE_FOREACH(lcore) {
		unsigned s = rte_lcore_to_socket_id(lcore);
		char name[RTE_MEMPOOL_NAMESIZE];
		if (s >= CP_MAX_SOCKETS || d->pools[s] != NULL)
			continue;
		snprintf(name, sizeof(name), "vd_mbuf_s%u", s);
		d->pools[s] = rte_pktmbuf_pool_create(name, per_port, POOL_CACHE, 0,
						      RTE_MBUF_DEFAULT_BUF_SIZE, (int)s);
		if (d->pools[s] == NULL) {
			VD_ERR("mbuf pool on socket %u (%u mbufs): %s", s, per_port,
			       rte_strerror(rte_errno));
			return -ENOMEM;
		}
	}
	if (d->pools[0] == NULL) {
		/* Ports on a socket without lcores fall back to pools[0]. */
		for (unsigned s = 1; s < CP_MAX_SOCKETS && d->pools[0] == NULL; s++)
			d->pools[0] = d->pools[s];
	}
	return 0;
}

static int
make_acl(struct cp_daemon *d, struct dp_shared *sh)
{
	struct rte_lpm_config c4 = { .max_rules = ACL_MAX_RULES, .number_tbl8s = 256 };
	struct rte_lpm6_config c6 = { .max_rules = ACL_MAX_RULES, .number_tbl8s = 1 << 12 };

	sh->acl4 = rte_lpm_create("vd_acl4", SOCKET_ID_ANY, &c4);
	sh->acl6 = rte_lpm6_create("vd_acl6", SOCKET_ID_ANY, &c6);
	if (sh->acl4 == NULL || sh->acl6 == NULL) {
		VD_ERR("ACL tables: %s", rte_strerror(rte_errno));
		return -ENOMEM;
	}
	for (unsigned i = 0; i < d->conf.n_acl; i++) {
		const struct cp_acl_rule *r = &d->conf.acl[i];
		uint32_t hop = r->action == CP_ACL_ALLOW ? DP_ACL_ALLOW : DP_ACL_DENY;
		int rc;
		if (r->prefix.addr.family == AF_INET)
			rc = rte_lpm_add(sh->acl4, rte_be_to_cpu_32(r->prefix.addr.v4.s_addr),
					 r->prefix.len, hop);
		else
			rc = rte_lpm6_add(sh->acl6, r->prefix.addr.bytes, r->prefix.len, hop);
		if (rc < 0) {
			VD_ERR("ACL rule %u: %s", i, strerror(-rc));
			return rc;
		}
	}
	return 0;
}

static void
make_service(const struct cp_conf *c, struct dp_service *svc, struct steer_addr4 *v4,
	     struct steer_addr6 *v6)
{
	svc->port = c->server.port;
	for (unsigned i = 0; i < c->server.n_addrs; i++) {
		const struct cp_addr *a = &c->server.addrs[i].addr;
		if (a->family == AF_INET && svc->n_v4 < DP_SERVICE_MAX_ADDRS) {
			v4[svc->n_v4].addr = a->v4.s_addr;
			svc->v4[svc->n_v4++] = a->v4.s_addr;
		} else if (a->family == AF_INET6 && svc->n_v6 < DP_SERVICE_MAX_ADDRS) {
			memcpy(v6[svc->n_v6].addr, a->bytes, 16);
			memcpy(svc->v6[svc->n_v6++], a->bytes, 16);
		}
	}
}

/* The exception TAP of a full port: same MAC as the port, the service addresses, up. */
static int
open_exception(struct cp_daemon *d, unsigned i, uint16_t n_queues)
{
	const struct cp_port_conf *pc = &d->conf.ports[i];
	struct cp_port_rt *rt = &d->ports[i];
	const uint8_t *m = rt->mac;
	char devargs[128];
	struct dp_port_params pp = { .devargs = devargs, .n_rxq = n_queues, .n_txq = n_queues,
				     .pools = d->pools, .n_pools = CP_MAX_SOCKETS };
	struct dp_port_info info;
	int rc;

	snprintf(devargs, sizeof(devargs), "net_tap%u,iface=%s,mac=%02x:%02x:%02x:%02x:%02x:%02x", i,
		 pc->exception_interface, m[0], m[1], m[2], m[3], m[4], m[5]);
	rc = dp_port_open(&pp, &info);
	if (rc < 0)
		return rc;
	rt->exc_port_id = info.port_id;
	rc = cp_nl_link_up(pc->exception_interface);
	for (unsigned a = 0; rc == 0 && a < d->conf.server.n_addrs; a++)
		rc = cp_nl_addr_add(pc->exception_interface, &d->conf.server.addrs[a].addr,
				    d->conf.server.addrs[a].subnet_len);
	if (rc < 0)
		VD_ERR("exception interface %s: %s", pc->exception_interface, strerror(-rc));
	return rc;
}

static int
open_port(struct cp_daemon *d, unsigned i, const struct steer_config *scfg)
{
	const struct cp_port_conf *pc = &d->conf.ports[i];
	struct cp_port_rt *rt = &d->ports[i];
	char devargs[512];
	struct dp_port_params pp = { .devargs = devargs, .n_rxq = pc->queues, .n_txq = pc->queues,
				     .pools = d->pools, .n_pools = CP_MAX_SOCKETS };
	struct dp_port_info info;
	int rc;

	rt->exc_port_id = DP_NO_PORT;
	if (pc->mode == CP_PORT_AF_XDP) {
		snprintf(devargs, sizeof(devargs),
			 "net_af_xdp%u,iface=%s,start_queue=0,queue_count=%u,xdp_prog=%s%s%s", i,
			 pc->interface, pc->queues, steer_obj_path(), pc->devargs ? "," : "",
			 pc->devargs ? pc->devargs : "");
	} else if (pc->pci != NULL) {
		snprintf(devargs, sizeof(devargs), "%s", pc->pci);
		pp.is_pci = true;
	} else if (pc->devargs != NULL) {
		snprintf(devargs, sizeof(devargs), "%s", pc->devargs);
	} else {
		snprintf(devargs, sizeof(devargs), "net_af_packet%u,iface=%s,qpairs=%u", i,
			 pc->interface, pc->queues);
	}
	rc = dp_port_open(&pp, &info);
	if (rc < 0)
		return rc;
	rt->port_id = info.port_id;
	memcpy(rt->mac, info.mac, sizeof(rt->mac));
	if (pc->mode == CP_PORT_AF_XDP) {
		rc = steer_attach_config(pc->interface, scfg, &rt->steer);
		if (rc < 0) {
			VD_ERR("port %s: steering program on %s: %s", pc->name, pc->interface,
			       strerror(-rc));
			return rc;
		}
		return 0;
	}
	return open_exception(d, i, pc->queues);
}

static void *
cache_alloc(size_t size, size_t align, void *ctx)
{
	return rte_zmalloc_socket("vd_cache", size, (unsigned)align, (int)(intptr_t)ctx);
}

static void
cache_free(void *p, void *ctx)
{
	(void)ctx;
	rte_free(p);
}

static struct dp_cache *
make_cache(const struct cp_conf *c, int socket)
{
	struct dp_cache_params p = {
		.mem_bytes = c->cache.memory_per_worker,
		.max_entries = c->cache.max_entries_per_worker,
		.alloc = cache_alloc,
		.free = cache_free,
		.alloc_ctx = (void *)(intptr_t)socket,
	};

	return dp_cache_create(&p);
}

/* Workers, one per lcore, with the (port, queue) pairs dealt round-robin onto them. */
static int
make_workers(struct cp_daemon *d)
{
	const struct cp_conf *c = &d->conf;
	unsigned pair = 0;

	d->n_workers = c->workers.n_lcores;
	d->workers = calloc(d->n_workers, sizeof(*d->workers));
	if (d->workers == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < d->n_workers; i++) {
		unsigned lcore = c->workers.lcores[i];
		int socket = (int)rte_lcore_to_socket_id(lcore);
		struct dp_worker *w = rte_zmalloc_socket("vd_worker", sizeof(*w), RTE_CACHE_LINE_SIZE,
							 socket);
		char name[RTE_RING_NAMESIZE];

		if (w == NULL)
			return -ENOMEM;
		d->workers[i] = w;
		w->index = (uint16_t)i;
		w->lcore_id = (uint16_t)lcore;
		w->shared = d->shared;
		w->pool = d->pools[(unsigned)socket < CP_MAX_SOCKETS ? (unsigned)socket : 0];
		if (w->pool == NULL)
			w->pool = d->pools[0];
		w->tsc_hz = rte_get_tsc_hz();
		w->tsc_start = rte_rdtsc();
		w->cache = make_cache(c, socket);
		snprintf(name, sizeof(name), "vd_punt%u", i);
		w->punt = rte_ring_create_elem(name, sizeof(struct dp_punt), RING_SIZE, socket,
					       RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "vd_fill%u", i);
		w->fill = rte_ring_create_elem(name, sizeof(struct dp_fill), RING_SIZE, socket,
					       RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (w->cache == NULL || w->punt == NULL || w->fill == NULL) {
			VD_ERR("worker %u (lcore %u): cache of %llu bytes or rings: out of memory", i,
			       lcore, (unsigned long long)c->cache.memory_per_worker);
			return -ENOMEM;
		}
	}
	for (unsigned p = 0; p < c->n_ports; p++) {
		for (uint16_t q = 0; q < c->ports[p].queues; q++, pair++) {
			struct dp_worker *w = d->workers[pair % d->n_workers];
			struct dp_rxq *rq;
			if (w->n_rxq >= DP_MAX_RXQ) {
				VD_ERR("worker %u: more than %u (port, queue) pairs", w->index,
				       DP_MAX_RXQ);
				return -E2BIG;
			}
			rq = &w->rxq[w->n_rxq++];
			rq->port_id = d->ports[p].port_id;
			rq->queue_id = q;
			rq->exc_port_id = d->ports[p].exc_port_id;
			rq->exc_queue_id = q;
			rq->exc_rx = d->ports[p].exc_port_id != DP_NO_PORT && q == 0;
			/* AF_XDP, af_packet and TAP have no checksum offload; a NIC may. */
			rq->udp_csum_tx_sw = true;
		}
	}
	return 0;
}

/* Is every lcore's CPU one this process may run on? Says which is not, and what to do. */
static int
check_cpus(const struct cp_workers_conf *w)
{
	cpu_set_t allowed;
	unsigned n = w->n_lcores + 1;

	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
		return 0; /* let EAL judge */
	for (unsigned i = 0; i < n; i++) {
		unsigned lcore = i < w->n_lcores ? w->lcores[i] : w->control_lcore;
		unsigned cpu = !w->has_cpus ? lcore : i < w->n_lcores ? w->cpus[i] : w->control_cpu;

		if (cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &allowed)) {
			VD_ERR("workers: lcore %u would run on CPU %u, which this process may not use"
			       " (%d CPUs allowed); %s",
			       lcore, cpu, CPU_COUNT(&allowed),
			       w->has_cpus ? "change workers.cpus"
					   : "choose other lcores or map them with workers.cpus");
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Take an exclusive lock per interface (or PCI device), so that a second velodns
 * started on the same ports fails before it touches them: otherwise it would
 * remove the first one's XDP program as "stale" and leave it deaf. Interface
 * names are per network namespace, so the namespace is part of the lock's name.
 */
static int
lock_port(const struct cp_port_conf *pc)
{
	const char *what = pc->pci != NULL ? pc->pci : pc->interface;
	char path[256], owner[32] = "";
	struct stat ns;
	int fd;

	if (what == NULL)
		return 0; /* a devargs vdev names no shared device */
	if (stat("/proc/self/ns/net", &ns) != 0)
		ns.st_ino = 0;
	(void)mkdir(LOCK_DIR, 0755);
	snprintf(path, sizeof(path), LOCK_DIR "/port-%lu-%s.lock", (unsigned long)ns.st_ino, what);
	for (int tries = 0;; tries++) {
		struct stat held, named;

		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0) {
			VD_ERR("port %s: lock %s: %s", pc->name, path, strerror(errno));
			return -errno;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			ssize_t n = pread(fd, owner, sizeof(owner) - 1, 0);
			owner[n > 0 ? n : 0] = '\0';
			owner[strcspn(owner, "\n")] = '\0';
			VD_ERR("port %s: %s is in use by another velodns (pid %s); stop it first",
			       pc->name, what, owner[0] ? owner : "?");
			close(fd);
			return -EBUSY;
		}
		/* Locked; but is it still the file at that path (not one its owner removed)? */
		if (fstat(fd, &held) == 0 && stat(path, &named) == 0 && held.st_ino == named.st_ino)
			break;
		close(fd);
		if (tries + 1 == LOCK_TRIES) {
			VD_ERR("port %s: lock %s keeps changing under us", pc->name, path);
			return -EAGAIN;
		}
	}
	snprintf(owner, sizeof(owner), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, owner, strlen(owner), 0) < 0)
		VD_WARN("port %s: could not record our pid in %s", pc->name, path);
	the_port_locks[the_n_port_locks].fd = fd;
	snprintf(the_port_locks[the_n_port_locks].path, sizeof(the_port_locks[0].path), "%s", path);
	the_n_port_locks++;
	return 0;
}

static void
unlock_ports(void)
{
	/* Remove the file while still holding the lock, so nobody inherits a stale one. */
	while (the_n_port_locks > 0) {
		the_n_port_locks--;
		(void)unlink(the_port_locks[the_n_port_locks].path);
		close(the_port_locks[the_n_port_locks].fd);
	}
}

int
cp_dataplane_init(struct cp_daemon *d)
{
	static char store[8192];
	char *argv[MAX_EAL_ARGS];
	struct steer_addr4 v4[DP_SERVICE_MAX_ADDRS];
	struct steer_addr6 v6[DP_SERVICE_MAX_ADDRS];
	struct steer_config scfg = { .v4 = v4, .v6 = v6 };
	int argc, rc;

	argc = eal_args(&d->conf, argv, store, sizeof(store));
	if (argc < 0) {
		VD_ERR("EAL arguments: too many or too long");
		return argc;
	}
	rc = check_cpus(&d->conf.workers);
	if (rc < 0)
		return rc;
	for (unsigned i = 0; i < d->conf.n_ports; i++) {
		rc = lock_port(&d->conf.ports[i]);
		if (rc < 0) {
			unlock_ports();
			return rc;
		}
	}
	for (unsigned i = 0; i < d->conf.n_ports; i++) {
		if (d->conf.ports[i].mode == CP_PORT_AF_XDP &&
		    steer_detach_stale(d->conf.ports[i].interface) < 0)
			VD_WARN("port %s: could not check %s for a stale XDP program",
				d->conf.ports[i].name, d->conf.ports[i].interface);
	}
	rc = rte_eal_init(argc, argv);
	if (rc < 0) {
		VD_ERR("rte_eal_init: %s", rte_strerror(rte_errno));
		return -rte_errno;
	}
	d->eal_ready = true;

	d->shared = rte_zmalloc("vd_shared", sizeof(*d->shared), RTE_CACHE_LINE_SIZE);
	d->ports = calloc(d->conf.n_ports, sizeof(*d->ports));
	if (d->shared == NULL || d->ports == NULL)
		return -ENOMEM;
	d->shared->max_udp = d->conf.server.max_udp_size;
	d->shared->doorbell = &d->doorbell;
	make_service(&d->conf, &d->shared->service, v4, v6);
	scfg.n_v4 = d->shared->service.n_v4;
	scfg.n_v6 = d->shared->service.n_v6;
	scfg.port = d->conf.server.port;
	for (unsigned i = 0; i < d->conf.n_ports; i++)
		d->ports[i].exc_port_id = DP_NO_PORT;

	rc = make_pools(d);
	if (rc == 0)
		rc = make_acl(d, d->shared);
	for (unsigned i = 0; rc == 0 && i < d->conf.n_ports; i++)
		rc = open_port(d, i, &scfg);
	if (rc == 0)
		rc = make_workers(d);
	return rc;
}

int
cp_dataplane_launch(struct cp_daemon *d)
{
	atomic_store(&dp_quit, false);
	for (unsigned i = 0; i < d->n_workers; i++) {
		int rc = rte_eal_remote_launch(dp_worker_main, d->workers[i], d->workers[i]->lcore_id);
		if (rc != 0) {
			VD_ERR("worker %u: launch on lcore %u: %s", i, d->workers[i]->lcore_id,
			       strerror(-rc));
			return rc;
		}
	}
	d->launched = true;
	return 0;
}

void
cp_dataplane_stop(struct cp_daemon *d)
{
	if (!d->launched)
		return;
	atomic_store(&dp_quit, true);
	rte_eal_mp_wait_lcore();
	d->launched = false;
}

void
cp_dataplane_fini(struct cp_daemon *d)
{
	if (!d->eal_ready) {
		unlock_ports();
		return;
	}
	cp_dataplane_stop(d);
	for (unsigned i = 0; d->ports != NULL && i < d->conf.n_ports; i++) {
		dp_port_close(d->ports[i].port_id);
		if (d->ports[i].exc_port_id != DP_NO_PORT)
			dp_port_close(d->ports[i].exc_port_id);
		if (d->ports[i].steer != NULL)
			steer_detach(d->ports[i].steer);
	}
	for (unsigned i = 0; d->workers != NULL && i < d->n_workers; i++) {
		struct dp_worker *w = d->workers[i];
		if (w == NULL)
			continue;
		dp_cache_destroy(w->cache);
		rte_ring_free(w->punt);
		rte_ring_free(w->fill);
		rte_free(w);
	}
	free(d->workers);
	d->workers = NULL;
	free(d->ports);
	d->ports = NULL;
	if (d->shared != NULL) {
		rte_lpm_free(d->shared->acl4);
		rte_lpm6_free(d->shared->acl6);
		rte_free(d->shared);
		d->shared = NULL;
	}
	for (unsigned s = 0; s < CP_MAX_SOCKETS; s++) {
		if (d->pools[s] != NULL && (s == 0 || d->pools[s] != d->pools[0]))
			rte_mempool_free(d->pools[s]);
		d->pools[s] = NULL;
	}
	rte_eal_cleanup();
	d->eal_ready = false;
	unlock_ports();
}
