/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One DNS-over-TCP connection: read and frame queries, pipeline them to ops->query
 * within the limits, write answers, idle timeout, drain, FIN and close (cp_tcp.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <uv.h>

#include "cp_tcp.h"
#include "cp_tcp_frame.h"
#include "cp_tcp_int.h"
#include "vd_assert.h"
#include "vd_compiler.h"

#define DNS_HDR_LEN 12
#define OBUF_KEEP   65536 /* an output buffer larger than this is freed once flushed */

/* What the kernel did not take at once; freed by its write callback. */
struct wreq {
	uv_write_t req;
	size_t len;
	uint8_t data[];
};

static void on_resume_idle(uv_idle_t *idle);

static uint16_t
get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ---- Closing ---------------------------------------------------------------------- */

static void
on_conn_closed(uv_handle_t *h)
{
	struct cp_tcp_conn *conn = h->data;
	struct cp_tcp *t = conn->tcp;

	if (--conn->n_open > 0)
		return;
	/* Pending write and shutdown callbacks ran (UV_ECANCELED) before this one. */
	if (conn->pending > 0 && t->ops.closed != NULL)
		t->ops.closed(t->ctx, conn);
	TAILQ_REMOVE(&t->conns, conn, link);
	t->n_conns--;
	t->stats.active--;
	free(conn->rbuf);
	free(conn->obuf);
	free(conn);
	cp_tcp_handle_release(t);
}

/*
 * Start closing. @p reset sends RST (SO_LINGER 0) so the kernel drops what is
 * queued for a client we give up on; otherwise close(2) sends FIN after it.
 * Never frees: conn stays valid until on_conn_closed().
 */
void
cp_tcp_conn_close(struct cp_tcp_conn *conn, bool reset)
{
	struct cp_tcp *t = conn->tcp;

	if (conn->state == CONN_CLOSING)
		return;
	conn->state = CONN_CLOSING;
	if (conn->on_resume) {
		TAILQ_REMOVE(&t->resume, conn, resume_link);
		conn->on_resume = false;
	}
	uv_close((uv_handle_t *)&conn->timer, on_conn_closed);
	if (reset) {
		/* As uv_tcp_close_reset(), which refuses while a shutdown is queued. */
		struct linger l = { .l_onoff = 1, .l_linger = 0 };
		uv_os_fd_t fd;

		if (uv_fileno((uv_handle_t *)&conn->handle, &fd) == 0)
			(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	}
	uv_close((uv_handle_t *)&conn->handle, on_conn_closed);
}

void
cp_tcp_conn_fail(struct cp_tcp_conn *conn)
{
	conn->tcp->stats.errors++;
	cp_tcp_conn_close(conn, false);
}

/* ---- Output ------------------------------------------------------------------------- */

static void
on_write(uv_write_t *req, int status)
{
	struct wreq *w = (struct wreq *)req;
	struct cp_tcp_conn *conn = req->handle->data;
	size_t len = w->len;

	free(w);
	if (status == UV_ECANCELED || conn->state == CONN_CLOSING)
		return;
	if (status < 0) {
		cp_tcp_conn_fail(conn);
		return;
	}
	conn->tcp->stats.bytes_out += len;
}

/*
 * Hand obuf to the kernel: write(2) what it takes now, queue the rest in libuv
 * (uv_try_write refuses while earlier writes are queued, so order holds).
 */
static void
conn_flush(struct cp_tcp_conn *conn)
{
	uv_stream_t *s = (uv_stream_t *)&conn->handle;
	uv_buf_t b = uv_buf_init((char *)conn->obuf, (unsigned)conn->olen);
	struct wreq *w;
	size_t rest;
	int n;

	if (conn->olen == 0)
		return;
	n = uv_try_write(s, &b, 1);
	if (n == UV_EAGAIN || n == UV_ENOSYS) {
		n = 0;
	} else if (n < 0) {
		cp_tcp_conn_fail(conn);
		return;
	}
	conn->tcp->stats.bytes_out += (unsigned)n;
	rest = conn->olen - (size_t)n;
	conn->olen = 0;
	if (rest > 0) {
		w = malloc(sizeof(*w) + rest);
		if (w == NULL) {
			cp_tcp_conn_fail(conn);
			return;
		}
		w->len = rest;
		memcpy(w->data, conn->obuf + n, rest);
		b = uv_buf_init((char *)w->data, (unsigned)rest);
		if (uv_write(&w->req, s, &b, 1, on_write) != 0) {
			free(w);
			cp_tcp_conn_fail(conn);
			return;
		}
	}
	if (conn->ocap > OBUF_KEEP) {
		free(conn->obuf);
		conn->obuf = NULL;
		conn->ocap = 0;
	}
}

/* ---- Input -------------------------------------------------------------------------- */

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf);
static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf);

static int
set_reading(struct cp_tcp_conn *conn, bool on)
{
	if (on && !conn->reading) {
		if (uv_read_start((uv_stream_t *)&conn->handle, on_alloc, on_read) != 0) {
			cp_tcp_conn_fail(conn);
			return -EIO;
		}
	} else if (!on && conn->reading) {
		uv_read_stop((uv_stream_t *)&conn->handle);
	}
	conn->reading = on;
	return 0;
}

/*
 * Make room for the message at the start of rbuf (2 + its length), or shrink back
 * once a large one has gone. Only called when rbuf holds no complete message.
 */
static int
rbuf_fit(struct cp_tcp_conn *conn)
{
	size_t want = RBUF_INIT;
	uint8_t *nb;

	if (conn->rlen >= 2)
		want = VD_MAX(want, 2u + get_u16(conn->rbuf));
	if (want == conn->rcap)
		return 0;
	nb = realloc(conn->rbuf, want);
	if (nb == NULL)
		return want > conn->rcap ? -ENOMEM : 0;
	conn->rbuf = nb;
	conn->rcap = want;
	return 0;
}

/* Pass every complete message in rbuf to ops->query, as far as the limits allow. */
static void
dispatch(struct cp_tcp_conn *conn)
{
	struct cp_tcp *t = conn->tcp;
	size_t pos = 0;

	conn->in_dispatch = true;
	while (conn->state == CONN_OPEN && conn->rlen - pos >= 2) {
		uint16_t len = get_u16(conn->rbuf + pos);

		if (conn->pending >= t->p.max_pending_per_conn) {
			conn->paused = true;
			break;
		}
		if (len < DNS_HDR_LEN) {
			t->stats.malformed++;
			cp_tcp_conn_close(conn, true);
			break;
		}
		if (conn->rlen - pos < 2u + len)
			break;
		pos += 2u + len;
		conn->pending++;
		conn->n_queries++;
		t->stats.queries++;
		uv_timer_stop(&conn->timer);
		/* Before the call, so answers sent from inside it already say TIMEOUT 0. */
		if (t->p.max_queries_per_conn != 0 &&
		    conn->n_queries >= t->p.max_queries_per_conn) {
			conn->state = CONN_DRAIN;
			t->stats.limit_closed++;
		}
		t->ops.query(t->ctx, conn, conn->rbuf + pos - len, len,
			     (const struct sockaddr *)&conn->peer);
	}
	conn->in_dispatch = false;
	if (conn->state == CONN_CLOSING)
		return;
	if (conn->state == CONN_OPEN) {
		memmove(conn->rbuf, conn->rbuf + pos, conn->rlen - pos);
		conn->rlen -= pos;
		if (!conn->paused && rbuf_fit(conn) != 0) {
			cp_tcp_conn_fail(conn);
			return;
		}
	} else {
		conn->rlen = 0; /* past the limit: the rest is not read as queries */
	}
	cp_tcp_conn_service(conn);
}

static void
on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct cp_tcp_conn *conn = h->data;

	(void)suggested;
	if (conn->state != CONN_OPEN) {
		*buf = uv_buf_init((char *)conn->tcp->scratch, sizeof(conn->tcp->scratch));
		return;
	}
	if (conn->rbuf == NULL) {
		conn->rbuf = malloc(RBUF_INIT);
		conn->rcap = conn->rbuf != NULL ? RBUF_INIT : 0;
	}
	/* A zero-length buffer makes libuv report UV_ENOBUFS: the connection fails. */
	*buf = uv_buf_init((char *)conn->rbuf + conn->rlen, (unsigned)(conn->rcap - conn->rlen));
}

static void
on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct cp_tcp_conn *conn = s->data;

	(void)buf;
	if (conn->state == CONN_CLOSING || nread == 0)
		return;
	if (nread > 0) {
		conn->tcp->stats.bytes_in += (size_t)nread;
		if (conn->state != CONN_OPEN)
			return; /* draining or shut down: discarded */
		conn->rlen += (size_t)nread;
		dispatch(conn);
		return;
	}
	if (nread != UV_EOF) {
		cp_tcp_conn_fail(conn); /* ECONNRESET, ENOBUFS, ... */
		return;
	}
	conn->peer_eof = true;
	conn->reading = false; /* libuv stops reading at EOF */
	if (conn->state == CONN_SHUTDOWN && conn->shut_done) {
		cp_tcp_conn_close(conn, false);
		return;
	}
	cp_tcp_conn_service(conn);
}

/* ---- Connection state --------------------------------------------------------------- */

static void
on_shutdown(uv_shutdown_t *req, int status)
{
	struct cp_tcp_conn *conn = req->handle->data;

	if (status == UV_ECANCELED || conn->state == CONN_CLOSING)
		return;
	conn->shut_done = true;
	if (status < 0)
		cp_tcp_conn_fail(conn);
	else if (conn->peer_eof)
		cp_tcp_conn_close(conn, false);
}

static void
on_timer(uv_timer_t *tm)
{
	struct cp_tcp_conn *conn = tm->data;

	if (conn->state == CONN_OPEN) {
		conn->tcp->stats.idle_closed++;
		cp_tcp_conn_close(conn, false);
	} else if (conn->state == CONN_SHUTDOWN) {
		cp_tcp_conn_close(conn, true); /* the peer neither read nor closed in time */
	}
}

/* Everything answered and no more queries will be read: FIN, then wait for the peer's. */
static void
conn_shutdown(struct cp_tcp_conn *conn)
{
	conn_flush(conn);
	if (conn->state == CONN_CLOSING)
		return;
	conn->state = CONN_SHUTDOWN;
	if (uv_shutdown(&conn->shutdown_req, (uv_stream_t *)&conn->handle, on_shutdown) != 0) {
		cp_tcp_conn_fail(conn);
		return;
	}
	uv_timer_start(&conn->timer, on_timer, conn->tcp->p.idle_timeout_ms, 0);
	set_reading(conn, !conn->peer_eof); /* keep reading so close(2) sends no RST */
}

static void
schedule_resume(struct cp_tcp_conn *conn)
{
	struct cp_tcp *t = conn->tcp;

	if (conn->on_resume || t->destroying)
		return;
	TAILQ_INSERT_TAIL(&t->resume, conn, resume_link);
	conn->on_resume = true;
	uv_idle_start(&t->resume_idle, on_resume_idle);
}

/* Next step after any event; the only place that decides on reading and closing. */
void
cp_tcp_conn_service(struct cp_tcp_conn *conn)
{
	const struct cp_tcp_params *p = &conn->tcp->p;

	if (conn->state == CONN_CLOSING)
		return;
	conn_flush(conn);
	switch (conn->state) {
	case CONN_OPEN:
		if (conn->paused) {
			/* Resumed from the loop, not here: this may run inside ops->query. */
			if (conn->pending < p->max_pending_per_conn)
				schedule_resume(conn);
			set_reading(conn, false);
			return;
		}
		if (conn->peer_eof) {
			/* Every complete query was dispatched; a partial one cannot complete. */
			conn->rlen = 0;
			if (conn->pending == 0)
				conn_shutdown(conn);
			else
				conn->state = CONN_DRAIN;
			return;
		}
		if (set_reading(conn, true) != 0)
			return;
		/* Armed only when stopped, so a partial query does not restart it. */
		if (conn->pending == 0 && !uv_is_active((uv_handle_t *)&conn->timer))
			uv_timer_start(&conn->timer, on_timer, p->idle_timeout_ms, 0);
		return;
	case CONN_DRAIN:
		if (conn->pending == 0)
			conn_shutdown(conn);
		else
			set_reading(conn, !conn->peer_eof); /* discards */
		return;
	case CONN_SHUTDOWN:
	case CONN_CLOSING:
		return;
	}
}

static void
on_resume_idle(uv_idle_t *idle)
{
	struct cp_tcp *t = idle->data;
	struct cp_tcp_conn *conn;

	while ((conn = TAILQ_FIRST(&t->resume)) != NULL) {
		TAILQ_REMOVE(&t->resume, conn, resume_link);
		conn->on_resume = false;
		if (conn->state != CONN_OPEN || !conn->paused)
			continue;
		if (conn->pending >= t->p.max_pending_per_conn)
			continue;
		conn->paused = false;
		dispatch(conn); /* queries already buffered, then reading restarts */
	}
	uv_idle_stop(idle);
}

/* ---- Public ------------------------------------------------------------------------- */

/*
 * One pending query of @p conn is answered (send) or dropped (done). False when
 * there is nothing more to do: the connection is closing (the count still goes
 * down), or nothing was pending, a daemon bug that could also land after our FIN.
 */
static bool
take_pending(struct cp_tcp_conn *conn)
{
	if (VD_CHECK(conn != NULL))
		return false;
	if (conn->state == CONN_CLOSING) {
		if (conn->pending > 0)
			conn->pending--;
		return false;
	}
	if (VD_CHECK(conn->pending > 0))
		return false;
	conn->pending--;
	return true;
}

void
cp_tcp_send(struct cp_tcp_conn *conn, const uint8_t *msg, uint16_t len)
{
	struct cp_tcp *t;
	size_t need, queued;
	uint16_t timeout;

	if (!take_pending(conn))
		return;
	t = conn->tcp;
	need = (size_t)len + CP_TCP_FRAME_EXTRA;
	queued = conn->olen + uv_stream_get_write_queue_size((uv_stream_t *)&conn->handle);
	if (queued > 0 && queued + need > t->p.max_write_queue) {
		t->stats.wq_closed++;
		cp_tcp_conn_close(conn, true);
		return;
	}
	if (conn->olen + need > conn->ocap) {
		size_t cap = VD_MAX(VD_MAX(conn->olen + need, 2 * conn->ocap), (size_t)RBUF_INIT);
		uint8_t *nb = realloc(conn->obuf, cap);

		if (nb == NULL) {
			cp_tcp_conn_fail(conn);
			return;
		}
		conn->obuf = nb;
		conn->ocap = cap;
	}
	/* RFC 7828 TIMEOUT (100 ms units); 0 once draining: close when answered. */
	timeout = 0;
	if (conn->state == CONN_OPEN)
		timeout = (uint16_t)VD_MIN(t->p.idle_timeout_ms / 100, UINT16_MAX);
	conn->olen += cp_tcp_frame(conn->obuf + conn->olen, msg, len, t->p.keepalive, timeout);
	t->stats.replies++;
	if (!conn->in_dispatch)
		cp_tcp_conn_service(conn);
}

void
cp_tcp_done(struct cp_tcp_conn *conn)
{
	if (!take_pending(conn))
		return;
	conn->tcp->stats.dropped++;
	if (!conn->in_dispatch)
		cp_tcp_conn_service(conn);
}

const struct sockaddr *
cp_tcp_conn_peer(const struct cp_tcp_conn *conn)
{
	return (const struct sockaddr *)&conn->peer;
}

unsigned
cp_tcp_conn_pending(const struct cp_tcp_conn *conn)
{
	return conn->pending;
}
