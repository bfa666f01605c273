/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside the DNS-over-TCP listener (cp_tcp.c: listening sockets, accept, the
 * connection limit, create/destroy; cp_tcp_conn.c: one connection's read,
 * pipelining, write, idle and close state machine). The public contract is cp_tcp.h.
 */
#ifndef CP_TCP_INT_H
#define CP_TCP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <uv.h>

#include "cp_tcp.h"

#define RBUF_INIT   4096  /* a connection's read buffer; grows to one whole message */

/*
 * A connection moves only forward through these states. Whatever happens (bytes
 * read, an answer, a timer), cp_tcp_conn_service() then decides the next step, so the
 * closing rules live in one place.
 */
enum conn_state {
	CONN_OPEN,     /* reading queries; paused while max_pending_per_conn are pending */
	CONN_DRAIN,    /* no more queries (limit reached or peer EOF): answering pending ones */
	CONN_SHUTDOWN, /* FIN queued after the last answer; input discarded until the peer's FIN */
	CONN_CLOSING,  /* uv_close() called; freed when both handles' callbacks have run */
};

struct cp_tcp_conn {
	uv_tcp_t handle;  /* .data = this */
	uv_timer_t timer; /* OPEN: idle timeout; SHUTDOWN: bound on the close; .data = this */
	uv_shutdown_t shutdown_req;
	struct cp_tcp *tcp;
	TAILQ_ENTRY(cp_tcp_conn) link;        /* tcp->conns */
	TAILQ_ENTRY(cp_tcp_conn) resume_link; /* tcp->resume, while on_resume */
	enum conn_state state;
	bool reading;     /* uv_read_start() in effect */
	bool paused;      /* backpressure: complete queries may wait in rbuf */
	bool peer_eof;    /* the peer's FIN was read */
	bool shut_done;   /* our FIN went out (shutdown callback ran) */
	bool in_dispatch; /* inside dispatch(): answers are batched, flushed at its end */
	bool on_resume;
	unsigned n_open;  /* handles (tcp, timer) whose close callback has not run */
	uint32_t pending; /* queries given to ops->query, not yet sent or done */
	uint32_t n_queries;
	uint8_t *rbuf; /* unparsed input: [0, rlen) */
	size_t rlen;
	size_t rcap;
	uint8_t *obuf; /* framed answers not yet handed to the kernel */
	size_t olen;
	size_t ocap;
	struct sockaddr_storage peer;
};

struct cp_tcp {
	uv_loop_t *loop;
	struct cp_tcp_params p; /* p.addrs is not kept */
	struct cp_tcp_ops ops;
	void *ctx;
	uint16_t port;
	bool destroying;
	unsigned n_handles; /* handles (listeners, idle, connections) not yet closed */
	unsigned n_listen;  /* listen[] handles initialised */
	unsigned n_conns;
	uv_idle_t resume_idle; /* runs resumes of paused connections on the next loop turn */
	TAILQ_HEAD(, cp_tcp_conn) conns;
	TAILQ_HEAD(, cp_tcp_conn) resume;
	struct cp_tcp_stats stats;
	uint8_t scratch[RBUF_INIT]; /* input read only to be discarded */
	uv_tcp_t listen[CP_TCP_MAX_LISTEN];
};

/* One handle of @p t (listener, idle, reject, connection) has closed: free t after the last. */
void cp_tcp_handle_release(struct cp_tcp *t);

/*
 * Start closing @p conn; @p reset sends RST. Never frees: conn stays valid until
 * its handles' close callbacks have run.
 */
void cp_tcp_conn_close(struct cp_tcp_conn *conn, bool reset);

/* Close @p conn after an error (counted in stats.errors). */
void cp_tcp_conn_fail(struct cp_tcp_conn *conn);

/* Next step after any event: flush, read or pause, arm the idle timer, drain or FIN. */
void cp_tcp_conn_service(struct cp_tcp_conn *conn);

#endif /* CP_TCP_INT_H */
