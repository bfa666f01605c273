/* SPDX-License-Identifier: BSD-3-Clause */
/* The control socket server: newline-delimited JSON commands over a Unix socket (see cp_ctl.h). */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <uv.h>

#include "cp_ctl.h"
#include "cp_ctl_sock.h"
#include "vd_log.h"

#define CP_CTL_BACKLOG    16
#define CP_CTL_MAX_ERRMSG 1024

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

struct cp_ctl_wreq {
	uv_write_t w;
	char *line;                        /* from json_dumps(), freed with free() */
};

static char cp_ctl_newline[] = "\n";

static void cp_ctl_help(struct cp_ctl_req *req, json_t *args, void *ctx);

static const struct cp_ctl_command cp_ctl_builtin_help = {
	.name = "help",
	.usage = "list the commands and their arguments",
	.handler = cp_ctl_help,
};

/* ---- server memory ---- */

static void
cp_ctl_handle_gone(struct cp_ctl *ctl)
{
	if (--ctl->n_handles == 0) {
		free(ctl);
	}
}

static void
cp_ctl_own_handle_closed(uv_handle_t *h)
{
	cp_ctl_handle_gone(h->data);
}

static void cp_ctl_conn_close(struct cp_ctl_conn *conn);

/*
 * A connection being closed after its last output waits for the client to read
 * that output; one that does not is closed after the linger time.
 */
static void
cp_ctl_sweep(uv_timer_t *t)
{
	struct cp_ctl *ctl = t->data;
	uint64_t now = uv_now(ctl->loop);

	for (struct cp_ctl_conn *c = ctl->conns; c != NULL; c = c->next)
		if (c->closing && !c->closed && now - c->flush_since >= ctl->linger_ms)
			cp_ctl_conn_close(c);
}

/* ---- output ---- */

static size_t
cp_ctl_queued(const struct cp_ctl_conn *conn)
{
	return uv_stream_get_write_queue_size((const uv_stream_t *)&conn->pipe);
}

/* Run the drain callbacks waiting on @p conn while its queue stays low. */
static void
cp_ctl_conn_drained(struct cp_ctl_conn *conn)
{
	size_t low = conn->ctl->max_output / 8;
	struct cp_ctl_req *r;

	while (!conn->closing && cp_ctl_queued(conn) <= low) {
		for (r = conn->reqs; r != NULL && r->drain == NULL; r = r->next)
			;
		if (r == NULL)
			return;
		cp_ctl_drain_fn fn = r->drain;
		r->drain = NULL;
		fn(r, false, r->drain_arg); /* may write, complete r or close conn */
	}
}

static void
cp_ctl_written(uv_write_t *w, int status)
{
	struct cp_ctl_wreq *wr = (struct cp_ctl_wreq *)w;
	struct cp_ctl_conn *conn = w->handle->data;

	free(wr->line);
	free(wr);
	if (status < 0) {
		/* EPIPE and friends: the client is gone. ECANCELED: we are closing. */
		cp_ctl_conn_close(conn);
		return;
	}
	cp_ctl_conn_drained(conn);
}

/*
 * Queue one line (@p line, malloc'd, without its '\n'; always consumed). A client
 * whose queued output then exceeds the limit is not reading: close it.
 * @return 0 or -EPIPE (connection closing or closed here).
 */
static int
cp_ctl_conn_write(struct cp_ctl_conn *conn, char *line, size_t len)
{
	struct cp_ctl_wreq *wr;
	uv_buf_t bufs[2];

	if (conn->closing) {
		free(line);
		return -EPIPE;
	}
	wr = malloc(sizeof(*wr));
	if (wr == NULL) {
		free(line);
		cp_ctl_conn_close(conn);
		return -EPIPE;
	}
	wr->line = line;
	bufs[0] = uv_buf_init(line, (unsigned)len);
	bufs[1] = uv_buf_init(cp_ctl_newline, 1);
	if (uv_write(&wr->w, (uv_stream_t *)&conn->pipe, bufs, 2, cp_ctl_written) != 0) {
		free(line);
		free(wr);
		cp_ctl_conn_close(conn);
		return -EPIPE;
	}
	if (cp_ctl_queued(conn) > conn->ctl->max_output) {
		conn->ctl->stats.overflows++;
		VD_WARN("control socket: client pid %d not reading, %zu bytes queued: closed",
			(int)conn->pid, cp_ctl_queued(conn));
		cp_ctl_conn_close(conn);
		return -EPIPE;
	}
	return 0;
}

/* Encode @p msg (reference stolen) as one line. @return the text or NULL. */
static char *
cp_ctl_encode(json_t *msg, size_t *len)
{
	char *s = json_dumps(msg, JSON_COMPACT | JSON_ENCODE_ANY);

	json_decref(msg);
	if (s != NULL)
		*len = strlen(s);
	return s;
}

/*
 * A JSON string for an error message: jansson refuses invalid UTF-8 (a message
 * cut inside a character, or bytes a handler echoed), so fall back to ASCII.
 */
static json_t *
cp_ctl_errstr(char *msg)
{
	json_t *s = json_string(msg);

	if (s == NULL) {
		for (char *p = msg; *p != '\0'; p++)
			if ((unsigned char)*p >= 0x80)
				*p = '?';
		s = json_string(msg);
	}
	return s;
}

/* Send a final error line with @p id (borrowed; NULL: null). */
static void VD_PRINTF(3, 0)
cp_ctl_send_verr(struct cp_ctl_conn *conn, json_t *id, const char *fmt, va_list ap)
{
	char msg[CP_CTL_MAX_ERRMSG];
	json_t *o;
	char *line;
	size_t len;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	conn->ctl->stats.errors++;
	o = json_pack("{s:O?, s:b, s:o?}", "id", id, "ok", 0, "error", cp_ctl_errstr(msg));
	if (o == NULL || (line = cp_ctl_encode(o, &len)) == NULL) {
		cp_ctl_conn_close(conn);
		return;
	}
	cp_ctl_conn_write(conn, line, len);
}

static void VD_PRINTF(3, 4)
cp_ctl_send_err(struct cp_ctl_conn *conn, json_t *id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cp_ctl_send_verr(conn, id, fmt, ap);
	va_end(ap);
}

/* ---- connections ---- */

static void
cp_ctl_req_unlink(struct cp_ctl_req *req)
{
	struct cp_ctl_conn *conn = req->conn;

	if (conn == NULL)
		return;
	if (req->prev != NULL)
		req->prev->next = req->next;
	else
		conn->reqs = req->next;
	if (req->next != NULL)
		req->next->prev = req->prev;
	req->prev = req->next = NULL;
	req->conn = NULL;
	conn->n_reqs--;
}

static void
cp_ctl_conn_closed(uv_handle_t *h)
{
	struct cp_ctl_conn *conn = h->data;
	struct cp_ctl *ctl = conn->ctl;

	if (conn->prev != NULL)
		conn->prev->next = conn->next;
	else
		ctl->conns = conn->next;
	if (conn->next != NULL)
		conn->next->prev = conn->prev;
	free(conn->in);
	free(conn);
	cp_ctl_handle_gone(ctl);
}

/*
 * Stop taking input and output and orphan the requests in progress. Their
 * callbacks run here; one may complete its own request (it is unlinked first)
 * but every write on this connection now fails with -EPIPE.
 */
static void
cp_ctl_conn_begin_close(struct cp_ctl_conn *conn)
{
	struct cp_ctl_req *r;

	if (conn->closing)
		return;
	conn->closing = true;
	uv_read_stop((uv_stream_t *)&conn->pipe);
	if (conn->counted) {
		conn->counted = false;
		conn->ctl->stats.clients--;
	}
	while ((r = conn->reqs) != NULL) {
		cp_ctl_cancel_fn cancel = r->cancel;
		cp_ctl_drain_fn drain = r->drain;

		cp_ctl_req_unlink(r);
		r->cancel = NULL;
		r->drain = NULL;
		if (cancel != NULL)
			cancel(r, r->cancel_arg);
		if (drain != NULL)
			drain(r, true, r->drain_arg);
	}
}

/* Close now; queued output is dropped. */
static void
cp_ctl_conn_close(struct cp_ctl_conn *conn)
{
	cp_ctl_conn_begin_close(conn);
	if (!conn->closed) {
		conn->closed = true;
		uv_close((uv_handle_t *)&conn->pipe, cp_ctl_conn_closed);
	}
}

static void
cp_ctl_shut(uv_shutdown_t *sreq, int status)
{
	struct cp_ctl_conn *conn = sreq->handle->data;

	(void)status;
	free(sreq);
	cp_ctl_conn_close(conn);
}

/* Close once what is queued (e.g. a last error line) has been written. */
static void
cp_ctl_conn_close_flush(struct cp_ctl_conn *conn)
{
	uv_shutdown_t *sreq;

	if (conn->closing)
		return;
	conn->flush_since = uv_now(conn->ctl->loop);
	cp_ctl_conn_begin_close(conn);
	sreq = malloc(sizeof(*sreq));
	if (sreq == NULL || conn->closed ||
	    uv_shutdown(sreq, (uv_stream_t *)&conn->pipe, cp_ctl_shut) != 0) {
		free(sreq);
		cp_ctl_conn_close(conn);
	}
}

/* A half-closed connection is closed once its last request is answered. */
static void
cp_ctl_conn_idle(struct cp_ctl_conn *conn)
{
	if (conn->eof && conn->n_reqs == 0)
		cp_ctl_conn_close_flush(conn);
}

/* ---- requests ---- */

static const struct cp_ctl_command *
cp_ctl_find(const struct cp_ctl *ctl, const char *name)
{
	if (strcmp(name, cp_ctl_builtin_help.name) == 0)
		return &cp_ctl_builtin_help;
	for (size_t i = 0; i < ctl->n_cmds; i++)
		if (strcmp(name, ctl->cmds[i].name) == 0)
			return &ctl->cmds[i];
	return NULL;
}

static bool
cp_ctl_blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
}

/* Check the envelope of one request line, then hand it to its command's handler. */
static void
cp_ctl_dispatch(struct cp_ctl_conn *conn, const char *line, size_t len)
{
	struct cp_ctl *ctl = conn->ctl;
	const struct cp_ctl_command *cmd;
	json_t *msg, *id, *name, *args, *v;
	struct cp_ctl_req *req;
	json_error_t jerr;
	const char *key;

	ctl->stats.requests++;
	msg = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (msg == NULL) {
		cp_ctl_send_err(conn, NULL, "invalid JSON at column %d: %s", jerr.column,
				jerr.text);
		return;
	}
	if (!json_is_object(msg)) {
		cp_ctl_send_err(conn, NULL, "a request must be a JSON object");
		goto out;
	}
	id = json_object_get(msg, "id");
	if (id != NULL && !json_is_integer(id) && !json_is_string(id) && !json_is_null(id)) {
		cp_ctl_send_err(conn, NULL, "\"id\" must be an integer or a string");
		goto out;
	}
	json_object_foreach (msg, key, v) {
		if (strcmp(key, "id") != 0 && strcmp(key, "cmd") != 0 && strcmp(key, "args") != 0) {
			cp_ctl_send_err(conn, id, "unknown member \"%.32s\" (expected %s)", key,
					"cmd, args, id");
			goto out;
		}
	}
	name = json_object_get(msg, "cmd");
	if (!json_is_string(name)) {
		cp_ctl_send_err(conn, id, "\"cmd\" missing or not a string");
		goto out;
	}
	cmd = json_string_length(name) <= CP_CTL_MAX_CMD_LEN ?
		      cp_ctl_find(ctl, json_string_value(name)) : NULL;
	if (cmd == NULL) {
		cp_ctl_send_err(conn, id, "unknown command \"%.64s\" (try \"help\")",
				json_string_length(name) <= CP_CTL_MAX_CMD_LEN ?
					json_string_value(name) : "(too long)");
		goto out;
	}
	args = json_object_get(msg, "args");
	if (args == NULL || json_is_null(args)) {
		args = json_object();
		if (args == NULL || json_object_set_new(msg, "args", args) != 0) {
			cp_ctl_send_err(conn, id, "out of memory");
			goto out;
		}
	} else if (!json_is_object(args)) {
		cp_ctl_send_err(conn, id, "%s: \"args\" must be an object", cmd->name);
		goto out;
	}
	if (conn->n_reqs >= CP_CTL_MAX_PENDING) {
		cp_ctl_send_err(conn, id, "too many requests in progress on this connection");
		goto out;
	}
	req = calloc(1, sizeof(*req));
	if (req == NULL) {
		cp_ctl_send_err(conn, id, "out of memory");
		goto out;
	}
	req->conn = conn;
	req->cmd = cmd;
	req->id = id != NULL ? json_incref(id) : json_null();
	req->pid = conn->pid;
	req->uid = conn->uid;
	req->next = conn->reqs;
	if (conn->reqs != NULL)
		conn->reqs->prev = req;
	conn->reqs = req;
	conn->n_reqs++;
	VD_DEBUG("control socket: %s from pid %d uid %u", cmd->name, (int)req->pid,
		 (unsigned)req->uid);
	cmd->handler(req, args, cmd == &cp_ctl_builtin_help ? (void *)ctl : ctl->ctx);
out:
	json_decref(msg);
}

static void
cp_ctl_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct cp_ctl_conn *conn = h->data;

	(void)suggested;
	if (conn->in == NULL)
		conn->in = malloc(CP_CTL_MAX_LINE + 1);
	if (conn->in == NULL) {
		*buf = uv_buf_init(NULL, 0); /* libuv reports UV_ENOBUFS to cp_ctl_read */
		return;
	}
	*buf = uv_buf_init(conn->in + conn->in_len, (unsigned)(CP_CTL_MAX_LINE + 1 - conn->in_len));
}

/*
 * The client shut down its sending side. A last line without '\n' still counts. If
 * it is gone altogether (POLLHUP: both directions shut), orphan what is in progress;
 * if it only half-closed (`socat`, `nc -N`), answer what it asked, then close.
 */
static void
cp_ctl_eof(struct cp_ctl_conn *conn)
{
	struct pollfd pfd = {.events = POLLOUT};
	uv_os_fd_t fd;

	uv_read_stop((uv_stream_t *)&conn->pipe);
	if (conn->in_len > 0 && !cp_ctl_blank(conn->in, conn->in_len)) {
		size_t n = conn->in_len;

		conn->in_len = 0;
		cp_ctl_dispatch(conn, conn->in, n);
	}
	if (conn->closing)
		return;
	conn->eof = true;
	if (uv_fileno((uv_handle_t *)&conn->pipe, &fd) == 0) {
		pfd.fd = fd;
		if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLHUP) != 0)
			conn->eof = false; /* not waiting for anyone */
	}
	if (!conn->eof || conn->n_reqs == 0)
		cp_ctl_conn_close_flush(conn);
}

static void
cp_ctl_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct cp_ctl_conn *conn = s->data;
	size_t start = 0, scan;

	(void)buf;
	if (nread == UV_EOF) {
		cp_ctl_eof(conn);
		return;
	}
	if (nread < 0) {
		cp_ctl_conn_close(conn);
		return;
	}
	scan = conn->in_len;
	conn->in_len += (size_t)nread;
	for (size_t i = scan; i < conn->in_len && !conn->closing; i++) {
		if (conn->in[i] != '\n')
			continue;
		size_t end = i;

		if (end > start && conn->in[end - 1] == '\r')
			end--;
		if (!cp_ctl_blank(conn->in + start, end - start))
			cp_ctl_dispatch(conn, conn->in + start, end - start);
		start = i + 1;
	}
	if (conn->closing)
		return;
	memmove(conn->in, conn->in + start, conn->in_len - start);
	conn->in_len -= start;
	if (conn->in_len > CP_CTL_MAX_LINE) {
		conn->ctl->stats.overflows++;
		cp_ctl_send_err(conn, NULL, "request line longer than %u bytes", CP_CTL_MAX_LINE);
		cp_ctl_conn_close_flush(conn);
	}
}

static void
cp_ctl_refuse(struct cp_ctl_conn *conn, const char *why)
{
	cp_ctl_send_err(conn, NULL, "%s", why);
	cp_ctl_conn_close_flush(conn);
}

static void
cp_ctl_accept(uv_stream_t *server, int status)
{
	struct cp_ctl *ctl = server->data;
	struct cp_ctl_conn *conn;
	uv_os_fd_t fd;

	if (status < 0) {
		VD_WARN("control socket %s: accept: %s", ctl->sock.path, uv_strerror(status));
		return;
	}
	conn = calloc(1, sizeof(*conn));
	if (conn == NULL || uv_pipe_init(ctl->loop, &conn->pipe, 0) != 0) {
		/* The pending connection stays in the backlog; libuv retries on the next one. */
		VD_ERR("control socket %s: out of memory", ctl->sock.path);
		free(conn);
		return;
	}
	conn->ctl = ctl;
	conn->pipe.data = conn;
	conn->pid = -1;
	conn->uid = (uid_t)-1;
	ctl->n_handles++;
	conn->next = ctl->conns;
	if (ctl->conns != NULL)
		ctl->conns->prev = conn;
	ctl->conns = conn;
	if (uv_accept(server, (uv_stream_t *)&conn->pipe) != 0 ||
	    uv_fileno((uv_handle_t *)&conn->pipe, &fd) != 0) {
		cp_ctl_conn_close(conn);
		return;
	}
	if (!cp_ctl_sock_peer_allowed(&ctl->sock, fd, &conn->pid, &conn->uid)) {
		ctl->stats.refused_peer++;
		VD_WARN("control socket: refused pid %d uid %d", (int)conn->pid, (int)conn->uid);
		cp_ctl_refuse(conn, "permission denied");
		return;
	}
	if (ctl->stats.clients >= ctl->max_clients) {
		ctl->stats.refused_busy++;
		cp_ctl_refuse(conn, "too many control connections");
		return;
	}
	conn->counted = true;
	ctl->stats.clients++;
	ctl->stats.accepted++;
	if (uv_read_start((uv_stream_t *)&conn->pipe, cp_ctl_alloc, cp_ctl_read) != 0)
		cp_ctl_conn_close(conn);
}

/* ---- built-in commands ---- */

static void
cp_ctl_help(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	const struct cp_ctl *ctl = ctx;
	json_t *list;

	if (cp_ctl_args_unpack(req, args, "{!}") != 0)
		return;
	list = json_array();
	json_array_append_new(list, json_pack("{s:s, s:s}", "name", cp_ctl_builtin_help.name,
					      "usage", cp_ctl_builtin_help.usage));
	for (size_t i = 0; i < ctl->n_cmds; i++)
		json_array_append_new(list, json_pack("{s:s, s:s}", "name", ctl->cmds[i].name,
						      "usage", ctl->cmds[i].usage != NULL ?
								       ctl->cmds[i].usage : ""));
	cp_ctl_reply_ok(req, json_pack("{s:o}", "commands", list));
}

/* ---- command table ---- */

static bool
cp_ctl_name_ok(const char *name)
{
	size_t n = name != NULL ? strlen(name) : 0;

	return n > 0 && n <= CP_CTL_MAX_CMD_LEN &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

static int
cp_ctl_check_cmds(const struct cp_ctl_command *cmds, size_t n_cmds)
{
	for (size_t i = 0; i < n_cmds; i++) {
		if (!cp_ctl_name_ok(cmds[i].name) || cmds[i].handler == NULL)
			return -EINVAL;
		if (strcmp(cmds[i].name, cp_ctl_builtin_help.name) == 0)
			return -EEXIST;
		for (size_t j = 0; j < i; j++)
			if (strcmp(cmds[i].name, cmds[j].name) == 0)
				return -EEXIST;
	}
	return 0;
}

/* ---- public ---- */

int
cp_ctl_start(uv_loop_t *loop, const struct cp_ctl_opts *opts,
	     const struct cp_ctl_command *cmds, size_t n_cmds, void *ctx,
	     struct cp_ctl **out)
{
	const char *path = opts->path != NULL ? opts->path : CP_CTL_DEFAULT_SOCKET;
	struct cp_ctl *ctl;
	int fd, ret;

	ret = cp_ctl_check_cmds(cmds, n_cmds);
	if (ret != 0)
		return ret;
	ctl = calloc(1, sizeof(*ctl));
	if (ctl == NULL)
		return -ENOMEM;
	fd = cp_ctl_sock_open(path, opts->group, CP_CTL_BACKLOG, &ctl->sock);
	if (fd < 0) {
		free(ctl);
		return fd;
	}
	ctl->loop = loop;
	ctl->max_clients = opts->max_clients != 0 ? opts->max_clients : CP_CTL_MAX_CLIENTS;
	ctl->max_output = opts->max_output != 0 ? opts->max_output : CP_CTL_MAX_OUTPUT;
	ctl->linger_ms = opts->linger_ms != 0 ? opts->linger_ms : CP_CTL_LINGER_MS;
	ctl->cmds = cmds;
	ctl->n_cmds = n_cmds;
	ctl->ctx = ctx;
	ret = uv_pipe_init(loop, &ctl->listener, 0);
	if (ret != 0) {
		close(fd);
		cp_ctl_sock_close(&ctl->sock);
		free(ctl);
		return ret;
	}
	ctl->listener.data = ctl;
	ctl->n_handles = 1;
	ret = uv_pipe_open(&ctl->listener, fd);
	if (ret != 0)
		close(fd); /* not the handle's yet */
	else
		ret = uv_listen((uv_stream_t *)&ctl->listener, CP_CTL_BACKLOG, cp_ctl_accept);
	if (ret != 0) {
		/* Only a handle on the loop is left to undo: freed when the loop runs. */
		cp_ctl_sock_close(&ctl->sock);
		ctl->stopping = true;
		uv_close((uv_handle_t *)&ctl->listener, cp_ctl_own_handle_closed);
		return ret;
	}
	uv_timer_init(loop, &ctl->sweep);
	ctl->sweep.data = ctl;
	ctl->n_handles++;
	uv_timer_start(&ctl->sweep, cp_ctl_sweep, VD_MIN(ctl->linger_ms, 1000),
		       VD_MIN(ctl->linger_ms, 1000));
	uv_unref((uv_handle_t *)&ctl->sweep); /* never what keeps the loop running */
	VD_INFO("control socket listening on %s", path);
	*out = ctl;
	return 0;
}

void
cp_ctl_stop(struct cp_ctl *ctl)
{
	if (ctl == NULL || ctl->stopping)
		return;
	ctl->stopping = true;
	cp_ctl_sock_close(&ctl->sock);
	for (struct cp_ctl_conn *c = ctl->conns; c != NULL; c = c->next)
		cp_ctl_conn_close(c);
	uv_close((uv_handle_t *)&ctl->sweep, cp_ctl_own_handle_closed);
	uv_close((uv_handle_t *)&ctl->listener, cp_ctl_own_handle_closed);
}

void
cp_ctl_get_stats(const struct cp_ctl *ctl, struct cp_ctl_stats *st)
{
	*st = ctl->stats;
}

void
cp_ctl_reply_ok(struct cp_ctl_req *req, json_t *result)
{
	struct cp_ctl_conn *conn = req->conn;
	json_t *msg;
	char *line;
	size_t len;

	/* Unlink first: the write may close the connection, which orphans what is linked. */
	cp_ctl_req_unlink(req);
	if (result == NULL)
		result = json_object();
	if (conn == NULL) {
		json_decref(result);
		goto out;
	}
	msg = json_pack("{s:O, s:b, s:o}", "id", req->id, "ok", 1, "result", result);
	line = msg != NULL ? cp_ctl_encode(msg, &len) : NULL;
	if (line == NULL)
		cp_ctl_send_err(conn, req->id, "%s: result cannot be encoded", req->cmd->name);
	else if (len > conn->ctl->max_output) {
		free(line);
		cp_ctl_send_err(conn, req->id, "%s: result of %zu bytes exceeds the output limit",
				req->cmd->name, len);
	} else {
		cp_ctl_conn_write(conn, line, len);
	}
	cp_ctl_conn_idle(conn);
out:
	json_decref(req->id);
	free(req);
}

void
cp_ctl_reply_err(struct cp_ctl_req *req, const char *fmt, ...)
{
	struct cp_ctl_conn *conn = req->conn;
	va_list ap;

	cp_ctl_req_unlink(req);
	if (conn != NULL) {
		va_start(ap, fmt);
		cp_ctl_send_verr(conn, req->id, fmt, ap);
		va_end(ap);
		cp_ctl_conn_idle(conn);
	}
	json_decref(req->id);
	free(req);
}

int
cp_ctl_reply_partial(struct cp_ctl_req *req, json_t *data)
{
	json_t *msg;
	char *line;
	size_t len;

	if (req->conn == NULL) {
		json_decref(data);
		return -EPIPE;
	}
	msg = json_pack("{s:O, s:o}", "id", req->id, "partial", data);
	line = msg != NULL ? cp_ctl_encode(msg, &len) : NULL;
	if (line == NULL)
		return -ENOMEM;
	if (len > req->conn->ctl->max_output) {
		free(line);
		return -EMSGSIZE;
	}
	return cp_ctl_conn_write(req->conn, line, len);
}

int
cp_ctl_args_unpack(struct cp_ctl_req *req, json_t *args, const char *fmt, ...)
{
	json_error_t jerr;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = json_vunpack_ex(args, &jerr, 0, fmt, ap);
	va_end(ap);
	if (ret == 0)
		return 0;
	cp_ctl_reply_err(req, "%s: bad arguments: %s (usage: %s)", req->cmd->name, jerr.text,
			 req->cmd->usage != NULL ? req->cmd->usage : "");
	return -EINVAL;
}

bool
cp_ctl_req_orphaned(const struct cp_ctl_req *req)
{
	return req->conn == NULL;
}

void
cp_ctl_req_on_cancel(struct cp_ctl_req *req, cp_ctl_cancel_fn fn, void *arg)
{
	req->cancel = fn;
	req->cancel_arg = arg;
}

int
cp_ctl_req_wait_writable(struct cp_ctl_req *req, cp_ctl_drain_fn fn, void *arg)
{
	if (req->conn == NULL)
		return -EPIPE;
	if (req->drain != NULL)
		return -EBUSY;
	if (cp_ctl_queued(req->conn) <= req->conn->ctl->max_output / 8)
		return -EALREADY;
	req->drain = fn;
	req->drain_arg = arg;
	return 0;
}

const char *
cp_ctl_req_cmd(const struct cp_ctl_req *req)
{
	return req->cmd->name;
}

void
cp_ctl_req_peer(const struct cp_ctl_req *req, pid_t *pid, uid_t *uid)
{
	if (pid != NULL)
		*pid = req->pid;
	if (uid != NULL)
		*uid = req->uid;
}
