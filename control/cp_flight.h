/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Resolutions in flight, one per cache key (qname, qtype, qclass, DO), with
 * every client waiting for it: however many clients ask the same question
 * while it is being answered, it is answered once (coalescing).
 *
 * Owner: the control thread. Nothing here is touched by a worker.
 */
#ifndef CP_FLIGHT_H
#define CP_FLIGHT_H

#include <stdbool.h>
#include <stdint.h>

#include "dns_query.h"
#include "dp_msg.h"
#include "dp_pkt.h"

/* Bits for every worker a flight may have waiters on (lcore ids are < 128). */
#define CP_FLIGHT_MASK_WORDS 2
#define CP_FLIGHT_MAX_WORKERS (64 * CP_FLIGHT_MASK_WORDS)

/** Did worker @p i punt a client waiting on @p mask? */
static inline bool
cp_flight_mask_has(const uint64_t *mask, unsigned i)
{
	return i < CP_FLIGHT_MAX_WORKERS && (mask[i / 64] >> (i % 64)) & 1;
}

/* How a waiting client is answered. */
enum cp_waiter_kind {
	CP_WAITER_UDP = 0, /* through the fill ring of the worker that punted it */
	CP_WAITER_TCP,     /* on a TCP connection of the control thread */
};

struct cp_tcp_conn;

/** One client waiting for an answer: enough to send it long after it asked. */
struct cp_waiter {
	struct cp_waiter *next;
	enum cp_waiter_kind kind;
	uint16_t worker;             /* UDP: worker index */
	uint16_t port_id;            /* UDP: the port the query came in on */
	struct dp_pkt_peer peer;     /* UDP: addresses */
	struct cp_tcp_conn *conn;    /* TCP: the connection; it cancels its waiters on close */
	uint16_t dns_len;
	uint8_t dns[DP_MSG_DNS_MAX]; /* the query as the client sent it (header, question, OPT) */
};

/** One question being answered. */
struct cp_flight {
	struct cp_flight *hash_next;
	struct dns_key key;
	uint64_t started_ns;
	uint64_t worker_mask[CP_FLIGHT_MASK_WORDS]; /* workers with a UDP waiter, one bit each */
	unsigned n_waiters;
	struct cp_waiter *waiters;
};

struct cp_flight_table;

/**
 * Create a table for at most @p max_flights questions in flight and
 * @p max_waiters clients waiting on one question.
 * @return the table or NULL (ENOMEM).
 */
struct cp_flight_table *cp_flight_table_create(unsigned max_flights, unsigned max_waiters);

/** Free the table, its flights and their waiters. */
void cp_flight_table_destroy(struct cp_flight_table *t);

/**
 * Add @p w (copied) as a waiter for @p key.
 * @param[out] started true if this created the flight (the caller starts the resolution)
 * @return the flight, or NULL when a limit is reached (errno ENOSPC: too many
 *         flights, EMLINK: too many waiters on this one) or on ENOMEM.
 */
struct cp_flight *cp_flight_join(struct cp_flight_table *t, const struct dns_key *key,
				 const struct cp_waiter *w, uint64_t now_ns, bool *started);

/**
 * The flight for @p key, created without a waiter if there is none (a refresh
 * no client waits for; clients asking meanwhile join it). Worker @p worker's
 * bit is set in its mask, so the answer is pushed to that worker's cache.
 * @param[out] started true if this created the flight
 * @return the flight, or NULL (errno ENOSPC: too many flights, or ENOMEM).
 */
struct cp_flight *cp_flight_open(struct cp_flight_table *t, const struct dns_key *key,
				 unsigned worker, uint64_t now_ns, bool *started);

/** The flight for @p key, or NULL. */
struct cp_flight *cp_flight_find(struct cp_flight_table *t, const struct dns_key *key);

/**
 * Take @p f out of the table; the caller answers its waiters and then frees
 * it with cp_flight_free().
 */
void cp_flight_remove(struct cp_flight_table *t, struct cp_flight *f);

/** Free a removed flight and its waiters. */
void cp_flight_free(struct cp_flight *f);

/** Drop every TCP waiter of @p conn (the connection is closing). @return how many. */
unsigned cp_flight_cancel_conn(struct cp_flight_table *t, const struct cp_tcp_conn *conn);

/** Flights now in the table. */
unsigned cp_flight_count(const struct cp_flight_table *t);

#endif /* CP_FLIGHT_H */
