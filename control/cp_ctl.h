/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket: a Unix stream socket on which veloctl (or a script) sends
 * commands to the running daemon and reads their results, as newline-delimited JSON.
 *
 * Owner: the control thread. Everything here runs on the libuv loop passed to
 * cp_ctl_start() and must be called on that loop's thread only; nothing is locked.
 *
 * Protocol (one JSON object per line, UTF-8, '\n' terminated, at most
 * CP_CTL_MAX_LINE bytes per request line):
 *
 *   request   {"cmd": "stats", "args": {...}, "id": 7}
 *             "cmd" a string; "args" an object (optional, {} when absent);
 *             "id" an integer or a string (optional, null when absent), echoed back.
 *   partial   {"id": 7, "partial": <any JSON>}          zero or more, streamed output
 *   final     {"id": 7, "ok": true, "result": {...}}    exactly one per request
 *             {"id": 7, "ok": false, "error": "message"}
 *
 * A client may send several requests without waiting (pipelining); asynchronous
 * commands may then answer out of order, so a client matches lines by "id". A bad
 * request (invalid JSON, not an object, unknown command, missing or ill-typed
 * args) gets an error line and the connection stays usable. A line longer than
 * CP_CTL_MAX_LINE gets an error line and the connection is closed. So does a peer
 * that is not allowed (below), a client beyond the connection limit, and (without
 * an error line) a client that does not read while its queued output exceeds the
 * output limit. A client may shut down its sending side after its last request
 * (a last line without '\n' counts): what it asked is answered, then the server
 * closes. Output left when closing waits at most the linger time to be read.
 *
 * Who may connect: the socket file is created mode 0660 (owner and group), and the
 * server also checks the peer's credentials (SO_PEERCRED, as OpenBSD unwind's
 * control.c does): uid 0, the daemon's own effective uid, or a peer whose primary
 * or supplementary group (SO_PEERGROUPS) is the socket file's group.
 *
 * Requests: a handler receives a struct cp_ctl_req and must complete it exactly once,
 * with cp_ctl_reply_ok() or cp_ctl_reply_err(), either before it returns or later
 * from any callback on the same loop (asynchronous commands, e.g. one that asks the
 * workers through their rings and answers when they reply or a timer fires). Before
 * completing, it may stream any number of cp_ctl_reply_partial() lines. A request
 * outlives its connection: if the client goes away first the request is marked
 * orphaned, its cancel callback (if set) runs, and the handler still completes it
 * (which then just frees it). Completing frees the request; do not touch it after.
 */
#ifndef CP_CTL_H
#define CP_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>
#include <uv.h>

#include "vd_compiler.h"

#define CP_CTL_MAX_LINE        (64u * 1024)        /* longest request line, without '\n' */
#define CP_CTL_MAX_CLIENTS     16u                 /* default concurrent connections */
#define CP_CTL_MAX_OUTPUT      (16u * 1024 * 1024) /* default output queued per connection */
#define CP_CTL_MAX_PENDING     64u                 /* requests in progress per connection */
#define CP_CTL_MAX_CMD_LEN     64u                 /* longest command name */
#define CP_CTL_LINGER_MS       30000u              /* default wait for a last line to be read */
#define CP_CTL_DEFAULT_SOCKET  "/run/velodns/control.sock"

struct cp_ctl;
struct cp_ctl_req;

/**
 * A command handler. Called on the loop thread when a well-formed request for its
 * command arrives. It must complete @p req exactly once (now or later).
 * @param req   the request; owned by the handler until it completes it.
 * @param args  the request's "args" object (an empty object when absent); borrowed,
 *              valid until the handler returns: json_incref() it to keep it longer.
 * @param ctx   the ctx given to cp_ctl_start().
 */
typedef void (*cp_ctl_handler_fn)(struct cp_ctl_req *req, json_t *args, void *ctx);

/**
 * Called once when the client of a request still in progress goes away (the
 * request is then orphaned). The handler may stop work early, but must still
 * complete the request. Must not complete the request from inside this callback
 * (it may schedule that).
 */
typedef void (*cp_ctl_cancel_fn)(struct cp_ctl_req *req, void *arg);

/**
 * Called once when a connection's queued output has fallen to the low-water mark
 * (an eighth of the output limit) after cp_ctl_req_wait_writable(), or when the
 * request was orphaned meanwhile (@p orphaned true). A streaming handler continues
 * from here.
 */
typedef void (*cp_ctl_drain_fn)(struct cp_ctl_req *req, bool orphaned, void *arg);

/** One command the daemon offers. The table passed to cp_ctl_start() must outlive it. */
struct cp_ctl_command {
	const char *name;          /* e.g. "cache-lookup": [a-z0-9-], at most CP_CTL_MAX_CMD_LEN */
	const char *usage;         /* one line for "help", e.g. "{\"name\": s, \"type\": s}" */
	cp_ctl_handler_fn handler;
};

/** Settings. Zero fields take the defaults. */
struct cp_ctl_opts {
	const char *path;          /* socket path; NULL: CP_CTL_DEFAULT_SOCKET */
	gid_t group;               /* chown the socket to this group; 0 or (gid_t)-1: keep */
	unsigned max_clients;      /* 0: CP_CTL_MAX_CLIENTS */
	size_t max_output;         /* bytes queued per connection; 0: CP_CTL_MAX_OUTPUT */
	unsigned linger_ms;        /* a closing connection's output waits this long to be
	                            * read (then dropped); 0: CP_CTL_LINGER_MS */
};

/** Counters of the control socket, for the daemon's "stats" (control section). */
struct cp_ctl_stats {
	uint64_t accepted;         /* connections accepted and allowed */
	uint64_t refused_peer;     /* closed: peer credentials not allowed */
	uint64_t refused_busy;     /* closed: over the connection limit */
	uint64_t requests;         /* request lines parsed */
	uint64_t errors;           /* error responses sent (any cause) */
	uint64_t overflows;        /* closed: line too long or output over the limit */
	unsigned clients;          /* connections open now */
};

/**
 * Create the socket and start listening on @p loop.
 *
 * A socket file already at the path is removed only if nothing listens on it (a
 * connect() test); any other kind of file there is left alone. The socket is
 * created mode 0660 (umask around bind(), then chmod before listen()). The parent
 * directory must exist. SIGPIPE is set to be ignored if it has its default action
 * (a client leaving with output queued would kill the process). Control thread, at
 * start-up (umask and signal dispositions are process-wide).
 *
 * @param loop    the control thread's loop; the server's handles live on it.
 * @param opts    settings (copied; the path string too).
 * @param cmds    the daemon's commands; kept by pointer, must outlive the server.
 *                "help" is built in and may not be redefined.
 * @param n_cmds  number of entries in @p cmds.
 * @param ctx     passed to every handler.
 * @param out     the server, on success.
 * @return 0; -EADDRINUSE when another daemon listens on the path; -EEXIST when the
 *         path is a file but not a socket, or a command is defined twice; -EINVAL
 *         for a bad command name; -ENAMETOOLONG; or the -errno of socket(), bind(),
 *         chmod(), chown() or listen().
 */
int cp_ctl_start(uv_loop_t *loop, const struct cp_ctl_opts *opts,
		 const struct cp_ctl_command *cmds, size_t n_cmds, void *ctx,
		 struct cp_ctl **out);

/**
 * Stop: close the listener and every connection (their requests in progress become
 * orphaned) and remove the socket file if it is still ours. Memory is released
 * from close callbacks, so run the loop afterwards until it has no more handles.
 * NULL is a no-op.
 */
void cp_ctl_stop(struct cp_ctl *ctl);

/** Copy the counters into @p st. */
void cp_ctl_get_stats(const struct cp_ctl *ctl, struct cp_ctl_stats *st);

/**
 * Complete @p req successfully and free it.
 * @param result  the result; the reference is stolen (NULL: an empty object).
 * If the encoded line would exceed the output limit, the client gets an error
 * instead. Safe on an orphaned request.
 */
void cp_ctl_reply_ok(struct cp_ctl_req *req, json_t *result);

/** Complete @p req with an error message (printf format) and free it. */
void cp_ctl_reply_err(struct cp_ctl_req *req, const char *fmt, ...) VD_PRINTF(2, 3);

/**
 * Stream one line of output for @p req before its final reply.
 * @param data  any JSON value; the reference is stolen.
 * @return 0; -EPIPE when the request is orphaned (data dropped; still complete it);
 *         -ENOMEM when it could not be encoded; -EMSGSIZE when the line alone exceeds
 *         the output limit (dropped). When the connection's queued output exceeds the
 *         limit the connection is closed and -EPIPE returned.
 *
 * A handler that streams much output (e.g. a cache dump) paces itself:
 *
 *	static void
 *	dump_more(struct cp_ctl_req *req, bool orphaned, void *arg)
 *	{
 *		struct dump *d = arg;
 *
 *		while (!orphaned && d->pos < d->end) {
 *			cp_ctl_reply_partial(req, next_chunk(d));
 *			if (cp_ctl_req_wait_writable(req, dump_more, d) != -EALREADY)
 *				return;    (0: called again when drained; -EPIPE: client gone)
 *		}
 *		cp_ctl_reply_ok(req, json_pack("{s:I}", "entries", d->n));
 *		free(d);
 *	}
 */
int cp_ctl_reply_partial(struct cp_ctl_req *req, json_t *data);

/**
 * Decode @p args with jansson's json_unpack() format @p fmt (use "{s:s, s?:i !}"
 * style; '!' rejects unknown keys). On failure completes @p req with an error that
 * names the problem and the command's usage, and returns -EINVAL: the handler then
 * just returns. Strings unpacked point into @p args (valid while it is).
 */
int cp_ctl_args_unpack(struct cp_ctl_req *req, json_t *args, const char *fmt, ...);

/** True once the client of @p req has gone away. */
bool cp_ctl_req_orphaned(const struct cp_ctl_req *req);

/** Set (or clear with NULL) the callback run if the request is orphaned before completion. */
void cp_ctl_req_on_cancel(struct cp_ctl_req *req, cp_ctl_cancel_fn fn, void *arg);

/**
 * Ask to be called back when the connection can take more output.
 * @return 0 (@p fn will run once, later); -EALREADY when the queued output is
 *         already at or below the low-water mark (go on now, @p fn will not run);
 *         -EPIPE when orphaned; -EBUSY when a callback is already waiting.
 */
int cp_ctl_req_wait_writable(struct cp_ctl_req *req, cp_ctl_drain_fn fn, void *arg);

/** The command name of @p req (valid until it completes). */
const char *cp_ctl_req_cmd(const struct cp_ctl_req *req);

/** Peer credentials of the client that sent @p req (kept after it left), for logging. */
void cp_ctl_req_peer(const struct cp_ctl_req *req, pid_t *pid, uid_t *uid);

#endif /* CP_CTL_H */
