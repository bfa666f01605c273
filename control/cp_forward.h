/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The forward table: zones whose questions go to configured upstream resolvers
 * (an ISP's resolver farm) instead of being resolved iteratively. DESIGN.md
 * "The miss path", last point; the iterator side is cp_iter_forward.c.
 *
 * A zone maps to 1..CP_FWD_MAX_SERVERS forwarder addresses (IPv4 or IPv6, each
 * with its port). A name is forwarded by the deepest zone it is at or below
 * (longest suffix, label-wise); the root "." forwards everything no deeper zone
 * takes. At most CP_FWD_MAX_ZONES zones; each zone once.
 *
 * Address syntax (configuration and control socket alike), as Unbound's
 * forward-addr writes it:
 *
 *   ADDR          198.18.5.1, 2001:db8::1           port 53
 *   ADDR@PORT     127.0.0.1@5353, 2001:db8::1@5353  PORT 1..65535
 *
 * No brackets, no scope ids, no host names; unspecified and multicast addresses
 * are refused.
 *
 * Owner: the control thread (the resolver holds the table; the configuration
 * loader builds the first one). No locks. Pointers returned by lookups are
 * valid until the next cp_forward_set() or cp_forward_remove() on the table.
 */
#ifndef CP_FORWARD_H
#define CP_FORWARD_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "dns_wire.h"

#define CP_FWD_MAX_ZONES   256 /* zones in one table */
#define CP_FWD_MAX_SERVERS 16  /* forwarders of one zone (the iterator keeps 32 addresses) */
/* Room for any address as cp_fwd_addr_to_text() writes it: "ADDR@65535" and the NUL. */
#define CP_FWD_ADDR_TEXT_MAX (INET6_ADDRSTRLEN + 7)

/** One forward zone. Read only for callers. */
struct cp_fwd_zone {
	uint8_t name[DNS_NAME_MAXLEN]; /* lower-cased wire name */
	unsigned n_servers;            /* 1..CP_FWD_MAX_SERVERS */
	/* AF_INET or AF_INET6 with the port; bytes past the sockaddr are zero, so
	 * addresses compare with memcmp (as the iterator's delegations do). */
	struct sockaddr_storage servers[CP_FWD_MAX_SERVERS];
};

struct cp_forward;

/** An empty table, or NULL when out of memory. Free with cp_forward_free(). */
struct cp_forward *cp_forward_new(void);

/** Free @p f and its zones. NULL is fine. */
void cp_forward_free(struct cp_forward *f);

/**
 * Create zone @p zone (wire name, any case) with @p n servers, or replace the
 * servers of the zone if it exists (its place in the listing order is kept).
 * @p servers are copied and normalised (zero padding).
 * @return 0 created, 1 replaced; -EINVAL bad name, n == 0 or an address that is
 *         not IPv4/IPv6 or has port 0; -E2BIG n > CP_FWD_MAX_SERVERS; -EEXIST
 *         the same address and port twice; -ENOSPC CP_FWD_MAX_ZONES reached;
 *         -ENOMEM. On error the table is unchanged.
 */
int cp_forward_set(struct cp_forward *f, const uint8_t *zone,
                   const struct sockaddr_storage *servers, unsigned n);

/** Remove zone @p zone. @return 0, -ENOENT (not in the table) or -EINVAL (bad name). */
int cp_forward_remove(struct cp_forward *f, const uint8_t *zone);

/** The zone that is exactly @p zone, or NULL. */
const struct cp_fwd_zone *cp_forward_find(const struct cp_forward *f, const uint8_t *zone);

/**
 * The zone forwarding @p name: the deepest zone @p name is at or below, or NULL
 * when none is (name resolved iteratively). @p f may be NULL (no table).
 */
const struct cp_fwd_zone *cp_forward_lookup(const struct cp_forward *f, const uint8_t *name);

/** Number of zones. */
unsigned cp_forward_count(const struct cp_forward *f);

/** Zone @p i (0 <= i < count), in the order zones were first added. */
const struct cp_fwd_zone *cp_forward_get(const struct cp_forward *f, unsigned i);

/**
 * Parse one forwarder address (syntax at the top of this file) into @p out
 * (zeroed first).
 * @param[out] why on failure, a static message saying what is wrong ("not an
 *             IPv4 or IPv6 address", "the port after '@' must be 1..65535", ...)
 * @return 0 or -EINVAL.
 */
int cp_fwd_addr_parse(const char *text, struct sockaddr_storage *out, const char **why);

/** Write @p ss as the parser reads it: "ADDR", or "ADDR@PORT" when the port is not 53. */
int cp_fwd_addr_to_text(const struct sockaddr_storage *ss, char *out, size_t cap);

#endif /* CP_FORWARD_H */
