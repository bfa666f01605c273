/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-server infrastructure data for the iterator: smoothed RTT, timeout backoff,
 * EDNS support and lame-for-zone marks, and the choice of a server among the
 * addresses of a delegation (Unbound's infra cache, BIND's ADB).
 *
 * Owner: the control thread; no locks. Times are given by the caller in
 * milliseconds of a monotonic clock (now_ms), so tests replay any schedule.
 *
 * A server is keyed by its address and port (struct sockaddr_in / sockaddr_in6;
 * the IPv6 scope is ignored). The table holds at most params.max_servers; the
 * least recently used entry is evicted to make room. An entry not updated for
 * params.host_ttl_ms is forgotten (RTT, EDNS and lame marks start over), as
 * Unbound's infra-host-ttl does.
 *
 * RTT (RFC 6298 2, in microseconds): the first sample R gives SRTT = R,
 * RTTVAR = R/2; later ones RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|, SRTT = 7/8 SRTT
 * + 1/8 R. RTO = SRTT + 4 RTTVAR, clamped to [rto_min_ms, rto_max_ms]. A server
 * with no sample has RTO = rtt_unknown_ms (376 ms, Unbound's UNKNOWN_SERVER_NICENESS),
 * low enough to be tried against servers up to explore_band_ms slower than it.
 *
 * Timeouts (RFC 6298 5.5): each doubles the RTO up to rto_max_ms (12 s), but only
 * a timeout of a query sent with the current RTO: queries that were out together
 * and time out together (a burst to a server that drops some, as an authoritative
 * under response rate limiting does) double it once, not once each (Unbound's
 * rtt_lost() takes the query's original RTO the same way). Once it
 * reaches rto_max_ms the server is in backoff: skipped by the choice until
 * probe_interval_ms after its last timeout, then offered once as a probe (with
 * RTO rto_max_ms, so only when nothing better exists) and blocked again until the
 * probe's outcome or the next interval. A sample ends backoff.
 */
#ifndef CP_INFRA_H
#define CP_INFRA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct cp_infra;

enum cp_infra_edns {
	CP_INFRA_EDNS_UNKNOWN = 0, /* not seen yet: send EDNS */
	CP_INFRA_EDNS_YES,         /* answered with an OPT */
	CP_INFRA_EDNS_NO,          /* FORMERR/garbage to EDNS, answered without: send plain DNS */
};

/** Settings; cp_infra_params_init() fills the defaults. */
struct cp_infra_params {
	uint32_t max_servers;       /* entries kept, >= 1 (10000) */
	uint32_t rtt_unknown_ms;    /* RTO of a server never measured (376) */
	uint32_t rto_min_ms;        /* lower clamp of the RTO (50) */
	uint32_t rto_max_ms;        /* upper clamp; reaching it by timeouts means backoff (12000) */
	uint32_t probe_interval_ms; /* backoff: between probes (12000) */
	uint32_t explore_band_ms;   /* choose among servers within this of the best RTO (400) */
	uint64_t host_ttl_ms;       /* an entry unused this long is forgotten (900000) */
	uint32_t max_lame_per_server; /* lame marks per server, oldest expiry evicted (16) */
	uint64_t seed;              /* choice randomness; 0: from getrandom(2) */
};

/** What cp_infra_get() reports of one server. */
struct cp_infra_info {
	bool known;               /* an entry exists (else the defaults below) */
	bool measured;            /* at least one RTT sample */
	bool backoff;             /* RTO reached rto_max_ms by timeouts */
	uint32_t srtt_us;
	uint32_t rttvar_us;
	uint32_t rto_ms;          /* the timeout to use for the next query */
	uint32_t timeouts;        /* consecutive, reset by a sample */
	enum cp_infra_edns edns;
};

void cp_infra_params_init(struct cp_infra_params *p);

/**
 * @param p copied; NULL for the defaults
 * @return the table, or NULL with errno (EINVAL, ENOMEM). Free with cp_infra_destroy().
 */
struct cp_infra *cp_infra_create(const struct cp_infra_params *p);

/** Free @p in and every entry. NULL is accepted. */
void cp_infra_destroy(struct cp_infra *in);

/**
 * Record a reply from @p addr after @p rtt_us microseconds: RTT smoothing, RTO,
 * end of backoff.
 * @return 0, -EAFNOSUPPORT (not IPv4/IPv6) or -ENOMEM.
 */
int cp_infra_rtt(struct cp_infra *in, const struct sockaddr *addr, uint64_t rtt_us,
		 uint64_t now_ms);

/**
 * Record a timeout of a query to @p addr that was sent with an RTO of
 * @p sent_rto_ms (cp_infra_info.rto_ms when it left): the RTO is doubled up to the
 * cap unless it is already above @p sent_rto_ms (an earlier timeout of the same
 * round doubled it). @return as cp_infra_rtt().
 */
int cp_infra_timeout(struct cp_infra *in, const struct sockaddr *addr, uint32_t sent_rto_ms,
		     uint64_t now_ms);

/** Set what @p addr is known to do with EDNS. @return as cp_infra_rtt(). */
int cp_infra_set_edns(struct cp_infra *in, const struct sockaddr *addr, enum cp_infra_edns e,
		      uint64_t now_ms);

/**
 * Mark @p addr lame for @p zone (wire name, any case) until now_ms + @p ttl_ms
 * (REFUSED, not authoritative, or a referral upwards). A new mark for the same
 * zone replaces the old one. @return as cp_infra_rtt(), or -EINVAL for a bad name.
 */
int cp_infra_set_lame(struct cp_infra *in, const struct sockaddr *addr, const uint8_t *zone,
		      uint64_t ttl_ms, uint64_t now_ms);

/** True if @p addr has an unexpired lame mark for exactly @p zone. */
bool cp_infra_is_lame(const struct cp_infra *in, const struct sockaddr *addr,
		      const uint8_t *zone, uint64_t now_ms);

/** Fill @p out for @p addr (defaults when unknown or expired). */
void cp_infra_get(const struct cp_infra *in, const struct sockaddr *addr, uint64_t now_ms,
		  struct cp_infra_info *out);

/**
 * Choose the server to ask for @p zone among @p n candidates.
 * Tiers, the first non-empty one wins: (1) not lame for @p zone and not in backoff
 * (or due a probe); (2) not lame, in backoff; (3) all. Within the tier, with
 * best = the lowest RTO, one of the servers with RTO <= best + explore_band_ms is
 * drawn uniformly (the draw depends on params.seed only). A probe chosen this way
 * is not offered again until probe_interval_ms later.
 * @return the index in @p cands, or -EINVAL when n == 0.
 */
int cp_infra_select(struct cp_infra *in, const struct sockaddr_storage *cands, unsigned n,
		    const uint8_t *zone, uint64_t now_ms);

/** Number of servers in the table. */
size_t cp_infra_count(const struct cp_infra *in);

/* Most lame marks one server can hold (the bound of params.max_lame_per_server). */
#define CP_INFRA_MAX_LAME 255

/** One lame mark, as cp_infra_foreach() shows it. */
struct cp_infra_lame {
	const uint8_t *zone; /* lower-cased wire name; valid during the callback only */
	uint64_t expire_ms;
};

/** One server, as cp_infra_foreach() shows it. */
struct cp_infra_server {
	struct sockaddr_storage addr;  /* AF_INET or AF_INET6, with the port */
	struct cp_infra_info info;     /* as cp_infra_get() would report it */
	uint64_t updated_ms;           /* last sample, timeout or mark */
	uint64_t probe_at_ms;          /* backoff: earliest next probe */
	unsigned n_lame;               /* unexpired marks in lame[] */
	struct cp_infra_lame lame[CP_INFRA_MAX_LAME];
};

/**
 * Call @p fn on every server not forgotten at @p now_ms, most recently used first
 * (for the control socket's `infra`). @p fn must not change the table; @p s is
 * valid during the call only. Touches nothing.
 * @return 0, or the first non-zero @p fn result (which stops the walk).
 */
int cp_infra_foreach(const struct cp_infra *in, uint64_t now_ms,
		     int (*fn)(const struct cp_infra_server *s, void *arg), void *arg);

#endif /* CP_INFRA_H */
