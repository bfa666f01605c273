/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside the control socket server (cp_ctl.c: the socket, accepting clients, reading
 * their lines, closing; cp_ctl_request.c: the command table, checking and dispatching
 * a request; cp_ctl_reply.c: replies, streamed partial results, output limits).
 * The public contract is cp_ctl.h.
 */
#ifndef CP_CTL_INT_H
#define CP_CTL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>
#include <uv.h>

#include "cp_ctl.h"
#include "cp_ctl_sock.h"
#include "vd_compiler.h"

/*
 * Lifetimes: the server lives until its listener and every connection handle have
 * been closed (n_handles reaches 0 in a close callback). A connection lives until
 * its handle's close callback; its write and shutdown callbacks always run before
 * that. A request lives until its handler completes it, whether its connection is
 * still there (conn != NULL) or not (orphaned).
 */
struct cp_ctl {
	uv_loop_t *loop;
	uv_pipe_t listener;
	uv_timer_t sweep;                  /* closes connections that linger (unref'd) */
	struct cp_ctl_sock sock;           /* the socket file, and who may connect */
	unsigned max_clients;
	size_t max_output;
	uint64_t linger_ms;
	const struct cp_ctl_command *cmds;
	size_t n_cmds;
	void *ctx;
	unsigned n_handles;                /* listener, sweep + connections not yet closed */
	bool stopping;
	struct cp_ctl_conn *conns;
	struct cp_ctl_stats stats;
};

struct cp_ctl_conn {
	uv_pipe_t pipe;                    /* pipe.data = this */
	struct cp_ctl *ctl;
	struct cp_ctl_conn *prev, *next;
	struct cp_ctl_req *reqs;           /* requests in progress */
	unsigned n_reqs;
	bool counted;                      /* counted in ctl->stats.clients */
	bool closing;                      /* no more input or output; handle closes soon */
	bool closed;                       /* uv_close() called */
	bool eof;                          /* half-closed by the client: close when idle */
	uint64_t flush_since;              /* loop time cp_ctl_conn_close_flush() began */
	pid_t pid;
	uid_t uid;
	size_t in_len;
	char *in;                          /* CP_CTL_MAX_LINE + 1 bytes, allocated on first read */
};

struct cp_ctl_req {
	struct cp_ctl_conn *conn;          /* NULL once orphaned */
	struct cp_ctl_req *prev, *next;
	const struct cp_ctl_command *cmd;
	json_t *id;                        /* own reference */
	pid_t pid;
	uid_t uid;
	cp_ctl_cancel_fn cancel;
	void *cancel_arg;
	cp_ctl_drain_fn drain;
	void *drain_arg;
};

/* Close @p conn now; queued output is dropped, its requests are orphaned. */
void cp_ctl_conn_close(struct cp_ctl_conn *conn);

/* A half-closed connection is closed once its last request is answered. */
void cp_ctl_conn_idle(struct cp_ctl_conn *conn);

/* Take @p req off its connection's list: it is orphaned (req->conn = NULL). */
void cp_ctl_req_unlink(struct cp_ctl_req *req);

/* Send a final error line with @p id (borrowed; NULL: null). */
void cp_ctl_send_err(struct cp_ctl_conn *conn, json_t *id, const char *fmt, ...) VD_PRINTF(3, 4);

/* Check the envelope of one request line, then hand it to its command's handler. */
void cp_ctl_dispatch(struct cp_ctl_conn *conn, const char *line, size_t len);

/* Check a command table: -EINVAL (bad name or no handler), -EEXIST (duplicate), or 0. */
int cp_ctl_check_cmds(const struct cp_ctl_command *cmds, size_t n_cmds);

#endif /* CP_CTL_INT_H */
