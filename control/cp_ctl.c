/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket server (see cp_ctl.h): the Unix socket, accepting clients and
 * checking their credentials, reading newline-delimited requests, closing. Requests
 * are checked and dispatched in cp_ctl_request.c, answered in cp_ctl_reply.c.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "cp_ctl.h"
#include "cp_ctl_int.h"
#include "cp_ctl_sock.h"
#include "vd_log.h"

#define CP_CTL_BACKLOG    16

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

/* ---- connections ---- */

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
void
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
void
cp_ctl_conn_idle(struct cp_ctl_conn *conn)
{
	if (conn->eof && conn->n_reqs == 0)
		cp_ctl_conn_close_flush(conn);
}

/* ---- input ---- */

static bool
cp_ctl_blank(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
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
