/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * velodns's configuration: the YAML file's schema, its parsed form and the
 * loader that validates it.
 *
 * The file (deploy/velodns.conf.example is the annotated reference) has these
 * top-level sections; every key is optional unless marked "required".
 *
 *   server:                               (map)
 *     log-level           err|warn|info|debug               default info
 *     control-socket      path, < 108 bytes                 default /run/velodns/control.sock
 *     service-addresses   list of ADDR or ADDR/LEN          required, IPv4 and/or IPv6
 *                         LEN is the subnet (default /24, /64); it seeds the default ACL
 *                         and is the prefix given to the exception interface
 *     port                1..65535                          default 53
 *     max-udp-size        512..4096                         default 1232
 *     tcp:                (map)
 *       idle-timeout                duration, 1ms..1h       default 10s
 *       max-connections             1..65535                default 256
 *       max-queries-per-connection  0..65535 (0: no limit)  default 100
 *   eal:                                  (map)
 *     args                list of strings, appended to velodns's own EAL arguments
 *     hugepages           bool                              default true (false: --no-huge)
 *     in-memory           bool                              default true (--in-memory)
 *     memory              size, 64M..1024G                  default 1G (EAL -m)
 *   ports:                                (list of maps, required, 1..32 entries)
 *     name                [A-Za-z0-9_-]{1,31}, unique       default dp<index>
 *     mode                af_xdp|full                       default af_xdp
 *     interface           kernel interface name (< 16 bytes)
 *     devargs             PMD device arguments
 *     pci                 PCI address [DDDD:]BB:DD.F
 *     queues              1..64                             default 1
 *     exception-interface full mode: TAP name (< 16 bytes)  default vdexc<index>
 *       af_xdp: interface required; pci not allowed; devargs are extra net_af_xdp
 *               key=value options (not iface/start_queue/queue_count/xdp_prog).
 *       full:   exactly one of interface (net_af_packet on it), devargs (a whole
 *               --vdev string, "net_..."), pci (EAL probes that device only).
 *   workers:                              (map)
 *     lcores              1..127 distinct lcore ids < 128   default [1]
 *     control-lcore       lcore id < 128, not a worker's    default 0
 *     cpus                list of CPU ids < 1024, one per lcore   default: CPU = lcore id
 *     control-cpu         CPU id < 1024 for the control lcore     default: control-lcore
 *       With cpus, lcores are mapped onto CPUs (EAL --lcores L@C), so several
 *       workers may share a CPU (tests on small machines; never for speed).
 *       (port, queue) pairs, ports in order then queues, go round-robin onto the
 *       lcores; there must be at least as many pairs as lcores.
 *   cache:                                (map)
 *     memory-per-worker       size, 1M..64G                 default 256M
 *     max-entries-per-worker  0..4294967295 (0: derived)    default 0
 *     push-to-all-workers     bool                          default false
 *     min-ttl                 duration, whole s, 0..1h      default 0
 *     max-ttl                 duration, whole s, 1s..2^31-1 default 1d
 *     max-negative-ttl        duration, whole s, 1s..max-ttl default 1h
 *   acl:                                  (list; absent or empty: allow 127.0.0.0/8,
 *                                          ::1 and the service subnets, deny the rest;
 *                                          a list given replaces that default)
 *     - allow: PREFIX | [PREFIX, ...]      longest prefix wins; no match: deny
 *     - deny:  PREFIX | [PREFIX, ...]      (deny answers REFUSED); host bits zero;
 *                                          allow of /0 refused (no open resolver)
 *   local-zones:                          (list of maps)
 *     - name: NAME   type: static|transparent|refuse   (both required, names unique)
 *   resolver:                             (map; without it, questions local data does
 *                                          not answer get REFUSED)
 *     root-hints          path of a zone file: NS records of "." and their A/AAAA;
 *                         default /usr/share/dns/root.hints (IANA's, Debian package
 *                         dns-root-data) unless a forward zone "." makes velodns a pure
 *                         forwarder; tests always give the private root; primed with
 *                         ". NS" at start (RFC 8109)
 *     forward-zones:      (list of maps, at most 256; see cp_forward.h)
 *       - name: ZONE      required, unique; "." forwards every name no deeper zone takes
 *         servers: [ADDR, ...]   required, 1..16 distinct upstream resolvers, each ADDR
 *                         (port 53) or ADDR@PORT: 198.18.5.1, 2001:db8::1@5353
 *       A name under a forward zone is sent (RD=1, never minimised) to its servers
 *       instead of being resolved iteratively; without root-hints, names under no
 *       forward zone get SERVFAIL. The control socket's forward-add/-remove change
 *       the list at run time.
 *     qname-minimisation  bool (RFC 9156, relaxed)          default true
 *     Bounds per client question (SERVFAIL past any; cp_iter_limits.h says where
 *     each default comes from):
 *     max-referrals               1..130                    default 30
 *     max-cname-chain             0..23                     default 11
 *     max-upstream-queries        1..200                    default 50
 *     max-glueless-per-delegation 0..16                     default 5
 *     max-glueless                0..64                     default 16
 *     max-depth                   0..7 (NS lookups nested)  default 4
 *     max-time                    duration, 301ms..30s      default 8s
 *     lame-ttl                    duration, 0..1h           default 15m
 *     max-in-flight               1..100000                 default 1024
 *                                 distinct questions the control thread works on at
 *                                 once (local data and TCP included); more: SERVFAIL,
 *                                 counted as control.servfail_limits. Unbound's
 *                                 num-queries-per-thread is 1024 (512 without libevent),
 *                                 BIND's recursive-clients 1000.
 *     (The master cache's TTL clamps are cache.min-ttl and cache.max-ttl.)
 *     serve-stale         bool                              default on
 *                         RFC 8767: when resolving fails (SERVFAIL) or takes longer than
 *                         stale-client-timeout, answer from expired master-cache data
 *     stale-max-age       duration, whole s, 1s..7d         default 1d
 *                         how long past expiry data is kept for that; RFC 8767 5 suggests
 *                         1 to 3 days (and caps at 7): 1 day, as Unbound's serve-expired-ttl
 *                         86400 and Knot Resolver's serve_stale, covers an outage of a
 *                         working day without serving week-old addresses
 *     stale-answer-ttl    duration, whole s, 1s..1h         default 30s (RFC 8767 4); also
 *                         how long workers cache a stale answer, and so how often a stale
 *                         name is tried upstream again (RFC 8767's failure-recheck timer)
 *     stale-client-timeout  duration 0..10s, or off          default 1.8s (RFC 8767 5's
 *                         client-response timer): a client still waiting then gets the stale
 *                         answer while resolution goes on; 0/off: stale only on failure
 *     prefetch            bool                              default on
 *                         a worker hit in the last tenth of a resolver answer's TTL (10 s
 *                         or more) makes the control thread resolve it again before it
 *                         expires; local data is never prefetched (it does not expire)
 *   local-data:                           (list of strings, one RR each in zone-file
 *                                          syntax; default TTL 3600, class IN; read
 *                                          after local-zones; see cp_localdata.h)
 *
 * Value syntax: sizes are a number of bytes with an optional K, M or G suffix
 * (powers of 1024). Durations are a number of seconds, or numbers each with a
 * unit ms, s, m, h, d ("1m30s"). Booleans: true/false/yes/no/on/off. A key
 * with no value (YAML null) leaves a list or map empty; for a scalar it is an
 * error. Unknown keys are errors. Every error reads
 *   FILE:LINE:COL: FIELD.PATH: what is wrong
 */
#ifndef CP_CONF_H
#define CP_CONF_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "cp_iter_limits.h"
#include "vd_log.h"

struct cp_localdata;

/* Room for any cp_conf_load() message. */
#define CP_CONF_ERRLEN     512
#define CP_CONF_MAX_LCORE  128 /* lcore ids are < this (DPDK's default RTE_MAX_LCORE) */
#define CP_CONF_MAX_PORTS  32
#define CP_CONF_MAX_QUEUES 64
#define CP_CONF_IFNAME_MAX 16 /* IFNAMSIZ, NUL included */

/** Where a value was in the file (1-based), for messages about it after loading. */
struct cp_conf_pos {
	uint32_t line;
	uint32_t col;
};

/** An IPv4 or IPv6 address, in network byte order. */
struct cp_addr {
	sa_family_t family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t bytes[16];
	};
};

/** An address prefix; host bits are zero. */
struct cp_prefix {
	struct cp_addr addr;
	uint8_t len; /* 0..32 or 0..128 */
};

/** A service address and the subnet it lives in. */
struct cp_service_addr {
	struct cp_addr addr;
	uint8_t subnet_len; /* /24 or /64 unless the file says ADDR/LEN */
};

struct cp_tcp_conf {
	uint64_t idle_timeout_ms;
	uint32_t max_connections;
	uint32_t max_queries_per_conn; /* 0: unlimited */
};

struct cp_server_conf {
	enum vd_log_level log_level;
	char *control_socket;
	struct cp_service_addr *addrs;
	unsigned n_addrs;
	uint16_t port;
	uint16_t max_udp_size;
	struct cp_tcp_conf tcp;
};

struct cp_eal_conf {
	char **args; /* extra EAL arguments, after velodns's own */
	unsigned n_args;
	bool hugepages;
	bool in_memory;
	uint64_t memory; /* bytes, for -m */
};

enum cp_port_mode {
	CP_PORT_AF_XDP = 0, /* net_af_xdp on a kernel interface, XDP steering */
	CP_PORT_FULL = 1,   /* the PMD owns the port; exception interface for the kernel */
};

struct cp_port_conf {
	char *name;
	enum cp_port_mode mode;
	char *interface; /* NULL if not given */
	char *devargs;   /* NULL if not given; see the top of this file */
	char *pci;       /* NULL, or normalised "DDDD:BB:DD.F" */
	uint16_t queues;
	char *exception_interface; /* full mode only (defaulted); NULL in af_xdp mode */
	struct cp_conf_pos pos;
};

struct cp_workers_conf {
	uint16_t lcores[CP_CONF_MAX_LCORE];
	unsigned n_lcores;
	uint16_t control_lcore;
	bool has_cpus;                     /* cpus given: lcores run on those CPUs */
	uint16_t cpus[CP_CONF_MAX_LCORE];  /* cpus[i]: the CPU of lcores[i] */
	uint16_t control_cpu;              /* with has_cpus; default: control_lcore */
};

struct cp_cache_conf {
	uint64_t memory_per_worker;      /* bytes */
	uint32_t max_entries_per_worker; /* 0: derived from the memory */
	bool push_to_all_workers;
	uint32_t min_ttl; /* seconds */
	uint32_t max_ttl;
	uint32_t max_negative_ttl;
};

enum cp_acl_action {
	CP_ACL_DENY = 0,
	CP_ACL_ALLOW = 1,
};

struct cp_acl_rule {
	struct cp_prefix prefix;
	enum cp_acl_action action;
};

struct cp_forward;

/* resolver.root-hints when the section names neither hints nor a forward zone for ".":
 * IANA's, as Debian's dns-root-data package installs them. Never used by the tests. */
#define CP_DEFAULT_ROOT_HINTS "/usr/share/dns/root.hints"

/* Questions the control thread works on at once (resolver.max-in-flight). */
#define CP_RESOLVER_DEFAULT_MAX_IN_FLIGHT 1024
#define CP_RESOLVER_MAX_IN_FLIGHT_MAX     100000

/* Iterative resolution of what local data does not answer; off without this section. */
struct cp_resolver_conf {
	char *root_hints; /* zone file with the root's NS and their addresses, or NULL */
	/* forward-zones, or NULL if none were given. Owned by the conf; the resolver takes
	 * it (and sets this to NULL), as with localdata. */
	struct cp_forward *forward;
	bool forward_given;          /* forward-zones listed at least one zone */
	bool qname_minimisation;     /* RFC 9156, relaxed; default on */
	uint32_t max_in_flight;      /* questions being answered by the control thread at once */
	struct cp_iter_limits limits; /* CP_ITER_DEFAULT_* unless set */
	bool serve_stale;                 /* RFC 8767 */
	uint32_t stale_max_age;           /* seconds past expiry data may still be served */
	uint32_t stale_answer_ttl;        /* seconds, the TTL of stale RRsets in answers */
	uint32_t stale_client_timeout_ms; /* client-response timer; 0: stale only on failure */
	bool prefetch;                    /* refresh hot entries in their last tenth of TTL */
};

/** True when the configuration asks for a resolver (root hints or forward zones). */
static inline bool
cp_resolver_conf_enabled(const struct cp_resolver_conf *r)
{
	return r->root_hints != NULL || r->forward_given;
}

struct cp_conf {
	char *path; /* as given to cp_conf_load() */
	struct cp_server_conf server;
	struct cp_eal_conf eal;
	struct cp_port_conf *ports;
	unsigned n_ports;
	struct cp_workers_conf workers;
	struct cp_cache_conf cache;
	struct cp_resolver_conf resolver;
	struct cp_acl_rule *acl;
	unsigned n_acl;
	bool acl_is_default; /* no acl section: loopback + service subnets */
	/* Local zones and data, ready to answer from. Owned by the conf; a caller
	 * that keeps it past cp_conf_free() takes it and sets this to NULL. */
	struct cp_localdata *localdata;
};

/**
 * Read, parse and validate the configuration file at @p path into @p conf.
 * Control thread / start-up only.
 * @param err  receives one line naming file, line, column and field on failure
 *             (CP_CONF_ERRLEN is always enough)
 * @return 0 (free @p conf with cp_conf_free()), or -errno: the file's open/read
 *         error, -EINVAL for invalid content, -ENOMEM. On failure @p conf holds
 *         nothing to free.
 */
int cp_conf_load(const char *path, struct cp_conf *conf, char *err, size_t errlen);

/**
 * As cp_conf_load(), from @p len bytes of YAML at @p text; @p name stands for
 * the file name in messages (and is copied to conf->path).
 */
int cp_conf_load_string(const char *text, size_t len, const char *name, struct cp_conf *conf,
                        char *err, size_t errlen);

/** Free what cp_conf_load() allocated in @p conf (not @p conf itself). Idempotent. */
void cp_conf_free(struct cp_conf *conf);

/**
 * Which ACL rule decides for @p a: the matching rule with the longest prefix.
 * Linear in the rule count; for the control thread's own listeners (TCP), the
 * workers use DPDK's LPM built from the same rules.
 * @return CP_ACL_ALLOW or CP_ACL_DENY (also when nothing matches).
 */
enum cp_acl_action cp_acl_check(const struct cp_acl_rule *rules, unsigned n,
                                const struct cp_addr *a);

/** "af_xdp" or "full". */
const char *cp_port_mode_name(enum cp_port_mode mode);

/** Write @p a as text ("198.18.0.2", "2001:db8::53"). @return length or -ENOSPC. */
int cp_addr_to_text(const struct cp_addr *a, char *out, size_t cap);

#endif /* CP_CONF_H */
