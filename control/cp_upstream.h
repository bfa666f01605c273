/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Upstream queries for the iterator: one question to one server over UDP from a
 * fresh socket, TCP when the answer comes back truncated, on the control thread's
 * libuv loop.
 *
 * Owner: the control thread. Every function here and every completion callback
 * runs on the thread that runs the loop given to cp_upstream_create().
 *
 * The interface the iterator calls is struct cp_net (a vtable and its context),
 * not cp_upstream directly, so tests and replay tools can plug in a scripted
 * upstream (Unbound testbound, Knot send_mock); cp_upstream_net() gives the real
 * one. DESIGN.md "The miss path".
 *
 * One query (cp_upstream_query)
 *   - message: random 16-bit ID (ChaCha20 keystream keyed from getrandom(2),
 *     rekeyed from getrandom every 1024 blocks), opcode QUERY, QR=0, RD=0 (iterative;
 *     RD=1 with params.rd, for a forwarder), one question; with params.edns an OPT RR with UDP size 1232 and DO as asked.
 *   - UDP from a new socket bound to port 0 of the server's family, so the kernel
 *     gives every query its own random ephemeral port (Linux randomises the
 *     search start for port-0 binds), connected to nothing: every datagram that
 *     arrives on it is read and checked.
 *   - a datagram is accepted only when its source address and port are the
 *     server's, QR=1, the opcode is QUERY, the ID is ours and the question is ours
 *     (one question; name compared case-insensitively, type, class). Anything else
 *     is counted in stats.mismatched and ignored: the query keeps waiting.
 *   - TC=1 on an accepted reply: the same message is sent again over one new TCP
 *     connection (2-byte length prefix, RFC 7766) and the TCP reply is checked the
 *     same way (ID and question; the address is the connected peer). The TCP
 *     exchange gets its own timeout (params.tcp_timeout_ms).
 *
 * Completion: the callback is called exactly once per query that was started
 * (cp_upstream_query() returned 0) and not cancelled, always from a loop callback
 * (never from inside cp_upstream_query()). After it returns the handle is gone.
 *
 * Cancellation: cp_upstream_cancel() closes the query's sockets at once and the
 * callback is NEVER called for it (the caller may free arg right away). Status
 * CP_UPQ_CANCELLED is delivered only by cp_upstream_destroy() with
 * params.cancel_on_destroy set, so an owner can release its state uniformly.
 */
#ifndef CP_UPSTREAM_H
#define CP_UPSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <uv.h>

struct cp_upstream;
struct cp_upq; /* one query in flight (opaque handle) */

enum cp_upq_status {
	CP_UPQ_OK = 0,               /* a matching reply: r->msg, r->len */
	CP_UPQ_TIMEOUT,              /* nothing acceptable before the timeout */
	CP_UPQ_NETWORK_ERROR,        /* send, receive or socket error after the start */
	CP_UPQ_TRUNCATED_TCP_FAILED, /* TC=1 over UDP, TCP retry failed or timed out */
	CP_UPQ_CANCELLED,            /* only from cp_upstream_destroy(), see above */
};

/** What to ask and whom. Everything is copied by the query call. */
struct cp_upq_params {
	struct sockaddr_storage server; /* AF_INET or AF_INET6, with the port (53) */
	const uint8_t *qname;           /* uncompressed wire name, any case; sent as given */
	uint16_t qtype;
	uint16_t qclass;
	bool edns;          /* add an OPT RR (false for servers known not to support EDNS) */
	bool dnssec_ok;     /* DO bit in the OPT; ignored without edns */
	bool rd;            /* RD=1: ask a recursive resolver (forwarding), not an authority */
	uint32_t timeout_ms; /* UDP wait; 0: the upstream's default (e.g. the server's RTO) */
};

/** The outcome, valid only during the callback: copy msg if you keep it. */
struct cp_upq_result {
	enum cp_upq_status status;
	const uint8_t *msg; /* the reply (OK only, else NULL), as received */
	uint16_t len;
	bool tcp;           /* the reply came over TCP after TC=1 */
	uint64_t rtt_us;    /* first send to the accepted UDP reply (OK / TC); 0 otherwise */
};

/** Completion of one query; see "Completion" above. */
typedef void (*cp_upq_done_fn)(void *arg, const struct cp_upq_result *r);

/* The network as the iterator sees it. */

/**
 * Start one query. @p handle (may be NULL) receives an opaque handle to cancel it.
 * @return 0, the callback will follow; or -errno and no callback ever.
 */
typedef int (*cp_net_query_fn)(void *ctx, const struct cp_upq_params *p, cp_upq_done_fn cb,
			       void *arg, void **handle);

/** Cancel a started query whose callback has not run: the callback is never called. */
typedef void (*cp_net_cancel_fn)(void *ctx, void *handle);

struct cp_net_ops {
	cp_net_query_fn query;
	cp_net_cancel_fn cancel;
};

/** A network: ops plus the context they get. Copied by value; owns nothing. */
struct cp_net {
	const struct cp_net_ops *ops;
	void *ctx;
};

static inline int
cp_net_query(const struct cp_net *n, const struct cp_upq_params *p, cp_upq_done_fn cb, void *arg,
	     void **handle)
{
	return n->ops->query(n->ctx, p, cb, arg, handle);
}

static inline void
cp_net_cancel(const struct cp_net *n, void *handle)
{
	n->ops->cancel(n->ctx, handle);
}

/* The real network. */

/** Settings; cp_upstream_params_init() fills the defaults. */
struct cp_upstream_params {
	uint32_t max_outstanding;  /* queries started and not finished; over it -EBUSY (1000) */
	uint32_t timeout_ms;       /* UDP wait when the query gives 0 (1500) */
	uint32_t tcp_timeout_ms;   /* connect + write + read of the TCP retry (3000) */
	bool cancel_on_destroy;    /* destroy delivers CANCELLED to queries in flight (false) */
};

/** Counters. W and R: the control thread. */
struct cp_upstream_stats {
	uint64_t sent;          /* UDP queries sent */
	uint64_t received;      /* replies accepted (UDP and TCP) */
	uint64_t timeouts;      /* queries ended by a timeout (UDP or TCP) */
	uint64_t mismatched;    /* datagrams ignored: wrong source, ID, question or malformed */
	uint64_t tcp_fallbacks; /* TCP retries started after TC=1 */
	uint64_t errors;        /* socket, send, connect, read errors; also rejected starts */
	uint64_t rejected;      /* starts refused: max_outstanding reached (-EBUSY) */
	uint64_t cancelled;     /* queries cancelled */
	uint64_t outstanding;   /* gauge: started, not finished */
};

void cp_upstream_params_init(struct cp_upstream_params *p);

/**
 * Create the upstream on @p loop (which must outlive it).
 * @param p copied; NULL for the defaults
 * @return the upstream, or NULL with errno (EINVAL, ENOMEM, or getrandom's errno).
 */
struct cp_upstream *cp_upstream_create(uv_loop_t *loop, const struct cp_upstream_params *p);

/**
 * Stop every query in flight (callbacks: see params.cancel_on_destroy, delivered
 * before this returns) and release the upstream. Memory of closing sockets is
 * freed by uv_close callbacks: run the loop until they finish before closing it.
 * NULL is accepted.
 */
void cp_upstream_destroy(struct cp_upstream *up);

/**
 * Start one query (see the top of this file).
 * @param handle may be NULL; else receives the query's handle, valid until its
 *        callback returns or it is cancelled.
 * @return 0; -EINVAL (bad family, name or params), -EBUSY (max_outstanding), or the
 *         socket/bind/send errno; on error nothing was started and cb is never called.
 */
int cp_upstream_query(struct cp_upstream *up, const struct cp_upq_params *p, cp_upq_done_fn cb,
		      void *arg, struct cp_upq **handle);

/**
 * Cancel @p q: sockets closed, its callback never called. @p q must be a handle
 * whose callback has not run; calling this from inside that callback is a bug.
 */
void cp_upstream_cancel(struct cp_upq *q);

/** Local port (host order) the UDP socket of @p q is bound to; 0 once it is closed. */
uint16_t cp_upq_local_port(const struct cp_upq *q);

/** Copy the counters into @p out. */
void cp_upstream_get_stats(const struct cp_upstream *up, struct cp_upstream_stats *out);

/** The struct cp_net whose ops are this upstream's query and cancel. */
struct cp_net cp_upstream_net(struct cp_upstream *up);

/** Fill @p out with @p n random bytes from the upstream's generator (IDs come from it too). */
void cp_upstream_random(struct cp_upstream *up, void *out, size_t n);

#endif /* CP_UPSTREAM_H */
