/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DNS over TCP (RFC 7766) for the control thread: kernel listening sockets on a
 * libuv loop, 2-byte length framing, several pipelined queries per connection,
 * answers in any order, and the limits that keep a resolver's TCP side from being
 * exhausted by slow, idle or abusive clients.
 *
 * Owner: the control thread. Every function here, and every callback in
 * struct cp_tcp_ops, runs on the thread that runs the loop given to cp_tcp_create().
 *
 * How a query travels
 *   The listener reads a complete message (length prefix removed) and calls
 *   ops->query(ctx, conn, msg, len, peer). From then on the query is *pending* on
 *   conn until the daemon calls exactly one of
 *     cp_tcp_send(conn, answer, len)   the answer (any order; answers carry the ID)
 *     cp_tcp_done(conn)                the query is dropped without an answer
 *   either inside ops->query (synchronous answers, the common case) or later from
 *   any loop callback (a call with nothing pending is a bug: logged by VD_CHECK and
 *   ignored). Both are safe to call re-entrantly from ops->query; neither
 *   ever calls back into ops->query (resuming a connection paused by backpressure
 *   is deferred to the next loop turn).
 *
 * Process-wide side effect: cp_tcp_create() sets SIGPIPE to SIG_IGN if it is still
 * SIG_DFL (libuv writes with write(2); a reset peer must not kill the daemon).
 *
 * Access control is not done here: the daemon applies its ACL inside ops->query
 * (answering REFUSED, or cp_tcp_done()) because it knows the policy; peer is given
 * for that. Connection limits are per listener, not per client address.
 *
 * Lifetime of a connection (the contract with the daemon)
 *   - conn stays valid while it has pending queries. When it closes for any reason
 *     (peer reset, error, idle, a limit, cp_tcp_destroy) with queries still pending,
 *     ops->closed(ctx, conn) is called exactly once, after which the daemon must
 *     drop every reference to conn: the memory is freed right after it returns.
 *   - A connection that closes with nothing pending is freed without a call: the
 *     daemon holds no reference to it (this saves a cp_flight_cancel_conn() scan
 *     per ordinary close).
 *   - ops->closed comes from a uv_close callback, never from inside cp_tcp_send,
 *     cp_tcp_done or ops->query. Between the moment a connection starts closing and
 *     that callback, cp_tcp_send/cp_tcp_done on it are accepted and do nothing, so
 *     code that answers several waiters in a loop may hit a connection that one of
 *     its own earlier sends closed.
 *
 * Closing rules (counters in struct cp_tcp_stats)
 *   - a message shorter than a DNS header (12 bytes, including length 0): reset.
 *   - nothing pending and no complete query for idle_timeout_ms: close (idle_closed).
 *     A partial query does not count as activity (slow-drip clients time out).
 *   - max_queries_per_conn queries read: nothing more is read as queries; pending
 *     ones are answered, then FIN (limit_closed).
 *   - more than max_write_queue bytes waiting for a client that does not read:
 *     reset (wq_closed).
 *   - peer half-close (EOF) with queries pending: they are still answered, then
 *     FIN, as Unbound does; a reset or read/write error closes at once (errors).
 *   - max_connections open: a new connection is accepted and closed at once
 *     (rejected_full), so clients fail fast instead of waiting in the backlog.
 *   After its FIN the listener keeps reading (and discarding) until the peer's FIN,
 *   bounded by idle_timeout_ms, so unread client data never turns the close into a
 *   reset that would destroy answers still in flight.
 *
 * RFC 7828 (edns-tcp-keepalive), when params.keepalive: an answer that carries an
 * OPT RR (so its query did) and has no keepalive option gets one, with TIMEOUT =
 * idle_timeout_ms / 100, or 0 once the connection is draining (limit reached);
 * see cp_tcp_frame.h.
 */
#ifndef CP_TCP_H
#define CP_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <uv.h>

/* Listening addresses per listener. */
#define CP_TCP_MAX_LISTEN 16

struct cp_tcp;
struct cp_tcp_conn;

/** Settings; cp_tcp_params_init() fills the defaults. */
struct cp_tcp_params {
	/*
	 * Addresses to listen on (AF_INET or AF_INET6; their port is ignored). Each
	 * socket gets SO_REUSEADDR (restart while old connections sit in TIME_WAIT),
	 * IPV6_V6ONLY on v6 (a v6 and a v4 service address never collide), and
	 * IP_FREEBIND/IPV6_FREEBIND: a service address can be bound before an
	 * interface carries it (the exception TAP or XDP interface comes up later, or
	 * the address moves between hosts) and the kernel starts delivering once it
	 * does. The flip side: a typo in an address is not reported by bind(2).
	 */
	const struct sockaddr_storage *addrs;
	unsigned n_addrs;              /* 1..CP_TCP_MAX_LISTEN */
	uint16_t port;                 /* 53; 0: a free port, the same on every address */
	int backlog;                   /* listen(2) backlog */
	uint64_t idle_timeout_ms;      /* > 0 */
	uint32_t max_connections;      /* open at once, >= 1 */
	uint32_t max_queries_per_conn; /* 0: unlimited */
	uint32_t max_pending_per_conn; /* queries awaiting an answer before reading pauses, >= 1 */
	size_t max_write_queue;        /* bytes queued for one client before it is reset */
	int fastopen_qlen;             /* TCP_FASTOPEN queue (RFC 7766 §5); 0: off; best effort */
	bool keepalive;                /* add RFC 7828 edns-tcp-keepalive to EDNS answers */
};

/**
 * A complete query arrived on @p conn. @p msg (@p len >= 12 bytes, without the
 * length prefix) and @p peer are valid only during the call: copy what you keep.
 * The query is pending until cp_tcp_send() or cp_tcp_done() on @p conn.
 */
typedef void (*cp_tcp_query_fn)(void *ctx, struct cp_tcp_conn *conn, const uint8_t *msg,
				uint16_t len, const struct sockaddr *peer);

/** @p conn closes with queries pending; forget it (it is freed on return). */
typedef void (*cp_tcp_closed_fn)(void *ctx, struct cp_tcp_conn *conn);

struct cp_tcp_ops {
	cp_tcp_query_fn query;   /* required */
	cp_tcp_closed_fn closed; /* may be NULL if the daemon never keeps a conn */
};

/** Counters. W and R: the control thread. */
struct cp_tcp_stats {
	uint64_t accepted;      /* connections accepted and served */
	uint64_t rejected_full; /* accepted and closed at once: max_connections open */
	uint64_t active;        /* open now (gauge), including ones still closing */
	uint64_t queries;       /* complete messages passed to ops->query */
	uint64_t replies;       /* answers queued by cp_tcp_send() */
	uint64_t dropped;       /* queries ended by cp_tcp_done() */
	uint64_t idle_closed;   /* closed by the idle timeout */
	uint64_t limit_closed;  /* closed after max_queries_per_conn */
	uint64_t wq_closed;     /* reset: write queue over max_write_queue */
	uint64_t malformed;     /* reset: a message shorter than 12 bytes */
	uint64_t errors;        /* accept, read or write errors, peer resets */
	uint64_t bytes_in;      /* TCP payload read, length prefixes included */
	uint64_t bytes_out;     /* TCP payload handed to the kernel */
};

/** Fill @p p with the defaults (port 53, 10 s idle, 256 connections, ...); no addresses. */
void cp_tcp_params_init(struct cp_tcp_params *p);

/**
 * Create the listening sockets and start accepting on @p loop.
 * @param p copied; p->addrs may be freed after the call
 * @param ops copied
 * @param ctx passed to every op
 * @return the listener, or NULL with errno set (EINVAL: bad params; a bind(2) or
 *         listen(2) errno, logged with the address; ENOMEM). On a failure after
 *         loop handles were made, they are closed and freed by the loop's next run.
 */
struct cp_tcp *cp_tcp_create(uv_loop_t *loop, const struct cp_tcp_params *p,
			     const struct cp_tcp_ops *ops, void *ctx);

/**
 * Close the listeners and every connection. ops->closed is called, before this
 * returns, for each connection with queries pending; no op is called afterwards.
 * @p t must not be used again; its memory is released by the uv_close callbacks,
 * so run the loop (uv_run) until they have finished before closing the loop.
 * NULL is accepted.
 */
void cp_tcp_destroy(struct cp_tcp *t);

/** Port the listeners are bound to (host order): p->port, or the one chosen for 0. */
uint16_t cp_tcp_port(const struct cp_tcp *t);

/** Copy the counters into @p out. */
void cp_tcp_get_stats(const struct cp_tcp *t, struct cp_tcp_stats *out);

/**
 * Answer a pending query of @p conn: @p msg (@p len bytes, no length prefix) is
 * copied and queued with its prefix; the caller keeps @p msg. Ends one pending
 * query. Safe inside ops->query; a no-op on a connection already closing.
 */
void cp_tcp_send(struct cp_tcp_conn *conn, const uint8_t *msg, uint16_t len);

/** End a pending query of @p conn without an answer (dropped). Safe inside ops->query. */
void cp_tcp_done(struct cp_tcp_conn *conn);

/** Peer address of @p conn (valid as long as @p conn). */
const struct sockaddr *cp_tcp_conn_peer(const struct cp_tcp_conn *conn);

/** Queries of @p conn passed to ops->query and not yet ended by send or done. */
unsigned cp_tcp_conn_pending(const struct cp_tcp_conn *conn);

#endif /* CP_TCP_H */
