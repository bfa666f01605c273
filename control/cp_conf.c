/* SPDX-License-Identifier: BSD-3-Clause */
/* Loading the configuration: defaults, the server/eal/workers/cache sections, cross-checks. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "cp_conf_int.h"
#include "cp_forward.h"
#include "cp_localdata.h"

#define MAX_SERVICE_ADDRS 64
#define MAX_EAL_ARGS      64

#define ROOT_KEYS    "server, eal, ports, workers, cache, acl, local-zones, local-data, resolver"
#define SERVER_KEYS  "log-level, control-socket, service-addresses, port, max-udp-size, tcp"
#define TCP_KEYS     "idle-timeout, max-connections, max-queries-per-connection"
#define EAL_KEYS     "args, hugepages, in-memory, memory"
#define WORKERS_KEYS "lcores, control-lcore, cpus, control-cpu"
#define CPU_ID_MAX   1023 /* CPU_SETSIZE - 1 */
#define CACHE_KEYS                                                                                 \
	"memory-per-worker, max-entries-per-worker, push-to-all-workers, min-ttl, max-ttl, "       \
	"max-negative-ttl"

#define KEY_IS(k, name) (strcmp((k)->str, (name)) == 0)

static int
defaults(struct cp_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->server.log_level = VD_LOG_INFO;
	conf->server.control_socket = strdup("/run/velodns/control.sock");
	conf->server.port = 53;
	conf->server.max_udp_size = 1232;
	conf->server.tcp.idle_timeout_ms = 10000;
	conf->server.tcp.max_connections = 256;
	conf->server.tcp.max_queries_per_conn = 100;
	conf->eal.hugepages = true;
	conf->eal.in_memory = true;
	conf->eal.memory = 1ull << 30;
	conf->workers.lcores[0] = 1;
	conf->workers.n_lcores = 1;
	conf->workers.control_lcore = 0;
	conf->cache.memory_per_worker = 256ull << 20;
	conf->cache.max_entries_per_worker = 0;
	conf->cache.push_to_all_workers = false;
	conf->cache.min_ttl = 0;
	conf->cache.max_ttl = 86400;
	conf->cache.max_negative_ttl = 3600;
	cp_conf_resolver_defaults(&conf->resolver);
	conf->localdata = cp_localdata_new();
	if (conf->server.control_socket == NULL || conf->localdata == NULL)
		return -ENOMEM;
	return 0;
}

/* ---- server ---- */

static int
read_service_addrs(struct cp_cctx *c, const struct cp_ynode *n)
{
	struct cp_server_conf *s = &c->conf->server;
	int rc = cp_want_seq(c, n);

	if (rc != 0)
		return rc;
	if (cp_ynode_count(n) > MAX_SERVICE_ADDRS)
		return cp_cerr(c, n, "at most %d addresses", MAX_SERVICE_ADDRS);
	free(s->addrs);
	s->n_addrs = 0;
	s->addrs = calloc(cp_ynode_count(n) + 1, sizeof(*s->addrs));
	if (s->addrs == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < cp_ynode_count(n) && rc == 0; i++) {
		const struct cp_ynode *v = n->items[i];
		struct cp_service_addr *a = &s->addrs[i];
		size_t saved = cp_path_index(c, i);
		bool v4;
		int len;

		rc = cp_get_addr(c, v, &a->addr, &len);
		if (rc != 0)
			break;
		v4 = a->addr.family == AF_INET;
		if ((v4 && (a->addr.v4.s_addr == 0 || IN_MULTICAST(ntohl(a->addr.v4.s_addr)))) ||
		    (!v4 &&
		     (IN6_IS_ADDR_UNSPECIFIED(&a->addr.v6) || IN6_IS_ADDR_MULTICAST(&a->addr.v6))))
			return cp_cerr(c, v,
			               "\"%s\" cannot be a service address (unspecified or"
			               " multicast)",
			               v->str);
		if (len >= 0 && len < (v4 ? 8 : 32))
			return cp_cerr(c, v, "\"%s\": a service subnet must be at least /%d",
			               v->str, v4 ? 8 : 32);
		a->subnet_len = (uint8_t)(len >= 0 ? len : v4 ? 24 : 64);
		for (size_t j = 0; j < i; j++) {
			if (cp_addr_equal(&s->addrs[j].addr, &a->addr))
				return cp_cerr(c, v, "\"%s\" is listed twice (first at line %u)",
				               v->str, n->items[j]->line);
		}
		s->n_addrs++;
		cp_path_restore(c, saved);
	}
	return rc;
}

static int
read_tcp(struct cp_cctx *c, const struct cp_ynode *n)
{
	struct cp_tcp_conf *t = &c->conf->server.tcp;
	int rc = cp_want_map(c, n);

	for (size_t i = 0; i < cp_ynode_count(n) && rc == 0; i++) {
		const struct cp_ynode *k = n->keys[i], *v = n->items[i];
		size_t saved = cp_path_key(c, k->str);
		uint64_t x;

		if (KEY_IS(k, "idle-timeout")) {
			rc = cp_get_duration_ms(c, v, 1, 3600000, &t->idle_timeout_ms);
		} else if (KEY_IS(k, "max-connections")) {
			rc = cp_get_uint(c, v, 1, 65535, &x);
			t->max_connections = (uint32_t)x;
		} else if (KEY_IS(k, "max-queries-per-connection")) {
			rc = cp_get_uint(c, v, 0, 65535, &x);
			t->max_queries_per_conn = (uint32_t)x;
		} else {
			rc = cp_unknown_key(c, k, TCP_KEYS);
		}
		if (rc == 0)
			cp_path_restore(c, saved);
	}
	return rc;
}

static int
read_server(struct cp_cctx *c, const struct cp_ynode *n)
{
	struct cp_server_conf *s = &c->conf->server;
	bool have_addrs = false;
	int rc = cp_want_map(c, n);

	for (size_t i = 0; i < cp_ynode_count(n) && rc == 0; i++) {
		const struct cp_ynode *k = n->keys[i], *v = n->items[i];
		size_t saved = cp_path_key(c, k->str);
		const char *text;
		uint64_t x;

		if (KEY_IS(k, "log-level")) {
			rc = cp_get_text(c, v, &text);
			if (rc == 0 && vd_log_level_parse(text, &s->log_level) != 0)
				rc = cp_cerr(c, v,
				             "\"%s\" is not a log level (use err, warn, info or"
				             " debug)",
				             text);
		} else if (KEY_IS(k, "control-socket")) {
			rc = cp_get_text(c, v, &text);
			if (rc == 0 && strlen(text) >= sizeof(((struct sockaddr_un *)0)->sun_path))
				rc = cp_cerr(c, v,
				             "is too long for a Unix socket path (at most %zu"
				             " bytes)",
				             sizeof(((struct sockaddr_un *)0)->sun_path) - 1);
			if (rc == 0) {
				free(s->control_socket);
				s->control_socket = strdup(text);
				rc = s->control_socket != NULL ? 0 : -ENOMEM;
			}
		} else if (KEY_IS(k, "service-addresses")) {
			rc = read_service_addrs(c, v);
			have_addrs = true;
		} else if (KEY_IS(k, "port")) {
			rc = cp_get_uint(c, v, 1, 65535, &x);
			s->port = (uint16_t)x;
		} else if (KEY_IS(k, "max-udp-size")) {
			rc = cp_get_uint(c, v, 512, 4096, &x);
			s->max_udp_size = (uint16_t)x;
		} else if (KEY_IS(k, "tcp")) {
			rc = read_tcp(c, v);
		} else {
			rc = cp_unknown_key(c, k, SERVER_KEYS);
		}
		if (rc == 0)
			cp_path_restore(c, saved);
	}
	if (rc == 0 && (!have_addrs || s->n_addrs == 0)) {
		size_t saved = cp_path_key(c, "service-addresses");

		rc = cp_cerr(c, n, "required: at least one IPv4 or IPv6 address to answer on");
		cp_path_restore(c, saved);
	}
	return rc;
}

/* ---- eal ---- */

/* EAL options velodns derives from other settings: giving them twice would contradict. */
static const char *
eal_arg_owner(const char *arg)
{
	static const struct {
		const char *opt;
		const char *key;
	} owned[] = {
		{ "-l", "workers.lcores" },
		{ "--lcores", "workers.lcores" },
		{ "-c", "workers.lcores" },
		{ "--main-lcore", "workers.control-lcore" },
		{ "--vdev", "ports" },
		{ "-a", "ports[].pci" },
		{ "--allow", "ports[].pci" },
		{ "--no-pci", "ports[].pci" },
		{ "--no-huge", "eal.hugepages" },
		{ "-m", "eal.memory" },
		{ "--in-memory", "eal.in-memory" },
	};

	for (size_t i = 0; i < VD_ARRAY_SIZE(owned); i++) {
		size_t n = strlen(owned[i].opt);

		if (strncmp(arg, owned[i].opt, n) == 0 && (arg[n] == '\0' || arg[n] == '='))
			return owned[i].key;
	}
	return NULL;
}

static int
read_eal_args(struct cp_cctx *c, const struct cp_ynode *n)
{
	struct cp_eal_conf *e = &c->conf->eal;
	int rc = cp_want_seq(c, n);

	if (rc != 0)
		return rc;
	if (cp_ynode_count(n) > MAX_EAL_ARGS)
		return cp_cerr(c, n, "at most %d arguments", MAX_EAL_ARGS);
	e->args = calloc(cp_ynode_count(n) + 1, sizeof(*e->args));
	if (e->args == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < cp_ynode_count(n) && rc == 0; i++) {
		size_t saved = cp_path_index(c, i);
		const char *owner;

		rc = cp_get_str(c, n->items[i], &e->args[i]);
		if (rc != 0)
			break;
		e->n_args++;
		owner = eal_arg_owner(e->args[i]);
		if (owner != NULL)
			return cp_cerr(c, n->items[i],
			               "\"%s\" is set by velodns from %s; set that"
			               " instead",
			               e->args[i], owner);
		cp_path_restore(c, saved);
	}
	return rc;
}

static int
read_eal(struct cp_cctx *c, const struct cp_ynode *n)
{
	struct cp_eal_conf *e = &c->conf->eal;
	int rc = cp_want_map(c, n);

	for (size_t i = 0; i < cp_ynode_count(n) && rc == 0; i++) {
		const struct cp_ynode *k = n->keys[i], *v = n->items[i];
		size_t saved = cp_path_key(c, k->str);

		if (KEY_IS(k, "args"))
			rc = read_eal_args(c, v);
		else if (KEY_IS(k, "hugepages"))
			rc = cp_get_bool(c, v, &e->hugepages);
		else if (KEY_IS(k, "in-memory"))
			rc = cp_get_bool(c, v, &e->in_memory);
		else if (KEY_IS(k, "memory"))
			rc = cp_get_size(c, v, 64ull << 20, 1ull << 40, &e->memory);
		else
			rc = cp_unknown_key(c, k, EAL_KEYS);
		if (rc == 0)
			cp_path_restore(c, saved);
	}
	return rc;
}

/* ---- workers ---- */

static int
read_lcores(struct cp_cctx *c, const struct cp_ynode *n)
{
	struct cp_workers_conf *w = &c->conf->workers;
	int rc = cp_want_seq(c, n);

	if (rc != 0)
		return rc;
	if (cp_ynode_count(n) == 0)
		return cp_cerr(c, n, "needs at least one lcore");
	if (cp_ynode_count(n) >= CP_CONF_MAX_LCORE)
		return cp_cerr(c, n, "at most %d lcores (one is the control lcore)",
		               CP_CONF_MAX_LCORE - 1);
	w->n_lcores = 0;
	for (size_t i = 0; i < n->n && rc == 0; i++) {
		size_t saved = cp_path_index(c, i);
		uint64_t x;

		rc = cp_get_uint(c, n->items[i], 0, CP_CONF_MAX_LCORE - 1, &x);
		if (rc != 0)
			break;
		for (unsigned j = 0; j < w->n_lcores; j++) {
			if (w->lcores[j] == x)
				return cp_cerr(c, n->items[i],
				               "lcore %u is listed twice (first at"
				               " line %u)",
				               (unsigned)x, n->items[j]->line);
		}
		w->lcores[w->n_lcores++] = (uint16_t)x;
		cp_path_restore(c, saved);
	}
	c->lcores = n;
	return rc;
}

static int
read_cpus(struct cp_cctx *c, const struct cp_ynode *n, unsigned *count)
{
	struct cp_workers_conf *w = &c->conf->workers;
	int rc = cp_want_seq(c, n);

	if (rc != 0)
		return rc;
	if (cp_ynode_count(n) >= CP_CONF_MAX_LCORE)
		return cp_cerr(c, n, "at most %d CPUs, one per lcore", CP_CONF_MAX_LCORE - 1);
	for (size_t i = 0; i < n->n && rc == 0; i++) {
		size_t saved = cp_path_index(c, i);
		uint64_t x;

		rc = cp_get_uint(c, n->items[i], 0, CPU_ID_MAX, &x);
		if (rc == 0) {
			w->cpus[i] = (uint16_t)x;
			cp_path_restore(c, saved);
		}
	}
	*count = (unsigned)n->n;
	w->has_cpus = true;
	return rc;
}

static int
read_workers(struct cp_cctx *c, const struct cp_ynode *n)
{
	struct cp_workers_conf *w = &c->conf->workers;
	const struct cp_ynode *ctl = NULL, *cpus = NULL, *ctl_cpu = NULL;
	unsigned n_cpus = 0;
	int rc = cp_want_map(c, n);

	for (size_t i = 0; i < cp_ynode_count(n) && rc == 0; i++) {
		const struct cp_ynode *k = n->keys[i], *v = n->items[i];
		size_t saved = cp_path_key(c, k->str);
		uint64_t x;

		if (KEY_IS(k, "lcores")) {
			rc = read_lcores(c, v);
		} else if (KEY_IS(k, "control-lcore")) {
			rc = cp_get_uint(c, v, 0, CP_CONF_MAX_LCORE - 1, &x);
			w->control_lcore = (uint16_t)x;
			ctl = v;
		} else if (KEY_IS(k, "cpus")) {
			rc = read_cpus(c, v, &n_cpus);
			cpus = v;
		} else if (KEY_IS(k, "control-cpu")) {
			rc = cp_get_uint(c, v, 0, CPU_ID_MAX, &x);
			w->control_cpu = (uint16_t)x;
			ctl_cpu = v;
		} else {
			rc = cp_unknown_key(c, k, WORKERS_KEYS);
		}
		if (rc == 0)
			cp_path_restore(c, saved);
	}
	if (rc == 0 && cpus != NULL && n_cpus != w->n_lcores) {
		size_t saved = cp_path_key(c, "cpus");

		rc = cp_cerr(c, cpus, "%u CPUs for %u lcores: give one CPU per lcore", n_cpus,
		             w->n_lcores);
		cp_path_restore(c, saved);
	}
	if (rc == 0 && ctl_cpu != NULL && cpus == NULL) {
		size_t saved = cp_path_key(c, "control-cpu");

		rc = cp_cerr(c, ctl_cpu, "needs workers.cpus as well");
		cp_path_restore(c, saved);
	}
	if (rc == 0 && cpus != NULL && ctl_cpu == NULL)
		w->control_cpu = w->control_lcore;
	for (unsigned j = 0; j < w->n_lcores && rc == 0; j++) {
		if (w->lcores[j] == w->control_lcore) {
			const struct cp_ynode *at = ctl != NULL ? ctl : c->lcores->items[j];
			size_t saved = cp_path_key(c, ctl != NULL ? "control-lcore" : "lcores");

			rc = cp_cerr(c, at,
			             "lcore %u cannot be both the control lcore and a worker",
			             w->control_lcore);
			cp_path_restore(c, saved);
		}
	}
	return rc;
}

/* ---- cache ---- */

static int
read_ttl(struct cp_cctx *c, const struct cp_ynode *v, uint64_t min_s, uint64_t max_s, uint32_t *out)
{
	uint64_t ms;
	int rc = cp_get_duration_ms(c, v, min_s * 1000, max_s * 1000, &ms);

	if (rc != 0)
		return rc;
	if (ms % 1000 != 0)
		return cp_cerr(c, v, "\"%s\": a TTL is whole seconds", v->str);
	*out = (uint32_t)(ms / 1000);
	return 0;
}

static int
read_cache(struct cp_cctx *c, const struct cp_ynode *n)
{
	struct cp_cache_conf *k0 = &c->conf->cache;
	const struct cp_ynode *neg = NULL, *min = NULL;
	int rc = cp_want_map(c, n);

	for (size_t i = 0; i < cp_ynode_count(n) && rc == 0; i++) {
		const struct cp_ynode *k = n->keys[i], *v = n->items[i];
		size_t saved = cp_path_key(c, k->str);
		uint64_t x;

		if (KEY_IS(k, "memory-per-worker")) {
			rc = cp_get_size(c, v, 1ull << 20, 64ull << 30, &k0->memory_per_worker);
		} else if (KEY_IS(k, "max-entries-per-worker")) {
			rc = cp_get_uint(c, v, 0, UINT32_MAX, &x);
			k0->max_entries_per_worker = (uint32_t)x;
		} else if (KEY_IS(k, "push-to-all-workers")) {
			rc = cp_get_bool(c, v, &k0->push_to_all_workers);
		} else if (KEY_IS(k, "min-ttl")) {
			rc = read_ttl(c, v, 0, 3600, &k0->min_ttl);
			min = v;
		} else if (KEY_IS(k, "max-ttl")) {
			rc = read_ttl(c, v, 1, INT32_MAX, &k0->max_ttl);
		} else if (KEY_IS(k, "max-negative-ttl")) {
			rc = read_ttl(c, v, 1, INT32_MAX, &k0->max_negative_ttl);
			neg = v;
		} else {
			rc = cp_unknown_key(c, k, CACHE_KEYS);
		}
		if (rc == 0)
			cp_path_restore(c, saved);
	}
	if (rc == 0 && k0->min_ttl > k0->max_ttl) {
		cp_path_key(c, "min-ttl");
		rc = cp_cerr(c, min, "%us is more than max-ttl (%us)", k0->min_ttl, k0->max_ttl);
	}
	if (rc == 0 && k0->max_negative_ttl > k0->max_ttl) {
		cp_path_key(c, "max-negative-ttl");
		rc = cp_cerr(c, neg != NULL ? neg : n, "%us is more than max-ttl (%us)",
		             k0->max_negative_ttl, k0->max_ttl);
	}
	return rc;
}

/* ---- the whole file ---- */

/* Checks that need more than one section. */
static int
cross_check(struct cp_cctx *c)
{
	struct cp_conf *conf = c->conf;
	unsigned pairs = 0;

	for (unsigned i = 0; i < conf->n_ports; i++)
		pairs += conf->ports[i].queues;
	if (pairs < conf->workers.n_lcores) {
		cp_path_restore(c, 0);
		cp_path_key(c, "workers.lcores");
		return cp_cerr(c, c->lcores != NULL ? c->lcores : c->root,
		               "%u worker lcores but only %u (port, queue) pair%s to poll; give the"
		               " ports more queues or list fewer lcores",
		               conf->workers.n_lcores, pairs, pairs == 1 ? "" : "s");
	}
	return 0;
}

static int
read_root(struct cp_cctx *c, const struct cp_ynode *root)
{
	const struct cp_ynode *ports = NULL, *server = NULL;
	int rc;

	if (root == NULL || cp_ynode_is_null(root)) {
		snprintf(c->err, c->errlen,
		         "%s: the file is empty (server.service-addresses and"
		         " ports are required)",
		         c->file);
		return -EINVAL;
	}
	if (root->kind != CP_YNODE_MAP)
		return cp_cerr(c, root, "expected a map of sections (%s), got %s", ROOT_KEYS,
		               cp_ynode_kind_name(root->kind));
	c->root = root;
	rc = 0;
	/* local-zones before local-data, whatever their order in the file. */
	for (int pass = 0; pass < 2 && rc == 0; pass++) {
		for (size_t i = 0; i < root->n && rc == 0; i++) {
			const struct cp_ynode *k = root->keys[i], *v = root->items[i];
			bool data = KEY_IS(k, "local-data");
			size_t saved;

			if ((pass == 0) == data)
				continue;
			saved = cp_path_key(c, k->str);
			if (KEY_IS(k, "server")) {
				rc = read_server(c, v);
				server = v;
			} else if (KEY_IS(k, "eal")) {
				rc = read_eal(c, v);
			} else if (KEY_IS(k, "ports")) {
				rc = cp_conf_read_ports(c, v);
				ports = v;
			} else if (KEY_IS(k, "workers")) {
				rc = read_workers(c, v);
			} else if (KEY_IS(k, "cache")) {
				rc = read_cache(c, v);
			} else if (KEY_IS(k, "resolver")) {
				rc = cp_conf_read_resolver(c, v);
			} else if (KEY_IS(k, "acl")) {
				rc = cp_conf_read_acl(c, v);
			} else if (KEY_IS(k, "local-zones")) {
				rc = cp_conf_read_local_zones(c, v);
			} else if (data) {
				rc = cp_conf_read_local_data(c, v);
			} else {
				rc = cp_unknown_key(c, k, ROOT_KEYS);
			}
			cp_path_restore(c, saved);
		}
	}
	if (rc == 0 && server == NULL) {
		cp_path_key(c, "server.service-addresses");
		rc = cp_cerr(c, root, "required: at least one IPv4 or IPv6 address to answer on");
	}
	if (rc == 0 && (ports == NULL || c->conf->n_ports == 0)) {
		cp_path_restore(c, 0);
		cp_path_key(c, "ports");
		rc = cp_cerr(c, ports != NULL ? ports : root, "required: at least one port");
	}
	if (rc == 0)
		rc = cross_check(c);
	if (rc == 0 && c->conf->acl == NULL)
		rc = cp_conf_default_acl(c->conf);
	return rc;
}

static int
load(struct cp_ynode *root, int rc, const char *name, struct cp_conf *conf, char *err,
     size_t errlen)
{
	struct cp_cctx c = { .file = name, .err = err, .errlen = errlen, .conf = conf };

	if (rc == 0)
		rc = defaults(conf);
	if (rc == 0) {
		conf->path = strdup(name);
		rc = conf->path != NULL ? 0 : -ENOMEM;
	}
	if (rc == 0)
		rc = read_root(&c, root);
	cp_yaml_free(root);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", name);
	if (rc != 0)
		cp_conf_free(conf);
	return rc;
}

int
cp_conf_load(const char *path, struct cp_conf *conf, char *err, size_t errlen)
{
	struct cp_ynode *root;
	int rc;

	memset(conf, 0, sizeof(*conf));
	rc = cp_yaml_load_file(path, &root, err, errlen);
	if (rc != 0)
		return rc;
	return load(root, rc, path, conf, err, errlen);
}

int
cp_conf_load_string(const char *text, size_t len, const char *name, struct cp_conf *conf, char *err,
                    size_t errlen)
{
	struct cp_ynode *root;
	int rc;

	memset(conf, 0, sizeof(*conf));
	rc = cp_yaml_load_string(text, len, name, &root, err, errlen);
	if (rc != 0)
		return rc;
	return load(root, rc, name, conf, err, errlen);
}

void
cp_conf_free(struct cp_conf *conf)
{
	free(conf->path);
	free(conf->server.control_socket);
	free(conf->server.addrs);
	for (unsigned i = 0; i < conf->eal.n_args; i++)
		free(conf->eal.args[i]);
	free(conf->eal.args);
	for (unsigned i = 0; i < conf->n_ports; i++) {
		struct cp_port_conf *p = &conf->ports[i];

		free(p->name);
		free(p->interface);
		free(p->devargs);
		free(p->pci);
		free(p->exception_interface);
	}
	free(conf->ports);
	free(conf->acl);
	free(conf->resolver.root_hints);
	cp_forward_free(conf->resolver.forward);
	cp_localdata_free(conf->localdata);
	memset(conf, 0, sizeof(*conf));
}

const char *
cp_port_mode_name(enum cp_port_mode mode)
{
	return mode == CP_PORT_FULL ? "full" : "af_xdp";
}

enum cp_acl_action
cp_acl_check(const struct cp_acl_rule *rules, unsigned n, const struct cp_addr *a)
{
	enum cp_acl_action act = CP_ACL_DENY;
	int best = -1;

	for (unsigned i = 0; i < n; i++) {
		if ((int)rules[i].prefix.len > best && cp_prefix_contains(&rules[i].prefix, a)) {
			best = rules[i].prefix.len;
			act = rules[i].action;
		}
	}
	return act;
}
