/* SPDX-License-Identifier: BSD-3-Clause */
/* The DNS-over-TCP listener: accept, frame, dispatch, answer and close by the rules of cp_tcp.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <unistd.h>

#include <uv.h>

#include "cp_tcp.h"
#include "cp_tcp_frame.h"
#include "vd_assert.h"
#include "vd_compiler.h"
#include "vd_log.h"

#define DNS_HDR_LEN 12
#define RBUF_INIT   4096  /* a connection's read buffer; grows to one whole message */
#define OBUF_KEEP   65536 /* an output buffer larger than this is freed once flushed */

/*
 * A connection moves only forward through these states. Whatever happens (bytes
 * read, an answer, a timer), conn_service() then decides the next step, so the
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

/* What the kernel did not take at once; freed by its write callback. */
struct wreq {
	uv_write_t req;
	size_t len;
	uint8_t data[];
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

static void conn_service(struct cp_tcp_conn *conn);
static void on_resume_idle(uv_idle_t *idle);

static uint16_t
get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static const char *
addr_str(const struct sockaddr_storage *ss, uint16_t port, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, a, sizeof(a));
		snprintf(buf, size, "[%s]:%u", a, port);
	} else {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, a, sizeof(a));
		snprintf(buf, size, "%s:%u", a, port);
	}
	return buf;
}

/* ---- Handle lifetime --------------------------------------------------------------- */

static void
handle_release(struct cp_tcp *t)
{
	VD_REQUIRE(t->n_handles > 0);
	if (--t->n_handles == 0 && t->destroying)
		free(t);
}

static void
on_handle_closed(uv_handle_t *h)
{
	handle_release(h->data);
}

static void
on_reject_closed(uv_handle_t *h)
{
	struct cp_tcp *t = h->data;

	free(h);
	handle_release(t);
}

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
	handle_release(t);
}

/*
 * Start closing. @p reset sends RST (SO_LINGER 0) so the kernel drops what is
 * queued for a client we give up on; otherwise close(2) sends FIN after it.
 * Never frees: conn stays valid until on_conn_closed().
 */
static void
conn_close(struct cp_tcp_conn *conn, bool reset)
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

static void
conn_fail(struct cp_tcp_conn *conn)
{
	conn->tcp->stats.errors++;
	conn_close(conn, false);
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
		conn_fail(conn);
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
		conn_fail(conn);
		return;
	}
	conn->tcp->stats.bytes_out += (unsigned)n;
	rest = conn->olen - (size_t)n;
	conn->olen = 0;
	if (rest > 0) {
		w = malloc(sizeof(*w) + rest);
		if (w == NULL) {
			conn_fail(conn);
			return;
		}
		w->len = rest;
		memcpy(w->data, conn->obuf + n, rest);
		b = uv_buf_init((char *)w->data, (unsigned)rest);
		if (uv_write(&w->req, s, &b, 1, on_write) != 0) {
			free(w);
			conn_fail(conn);
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
			conn_fail(conn);
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
			conn_close(conn, true);
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
			conn_fail(conn);
			return;
		}
	} else {
		conn->rlen = 0; /* past the limit: the rest is not read as queries */
	}
	conn_service(conn);
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
		conn_fail(conn); /* ECONNRESET, ENOBUFS, ... */
		return;
	}
	conn->peer_eof = true;
	conn->reading = false; /* libuv stops reading at EOF */
	if (conn->state == CONN_SHUTDOWN && conn->shut_done) {
		conn_close(conn, false);
		return;
	}
	conn_service(conn);
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
		conn_fail(conn);
	else if (conn->peer_eof)
		conn_close(conn, false);
}

static void
on_timer(uv_timer_t *tm)
{
	struct cp_tcp_conn *conn = tm->data;

	if (conn->state == CONN_OPEN) {
		conn->tcp->stats.idle_closed++;
		conn_close(conn, false);
	} else if (conn->state == CONN_SHUTDOWN) {
		conn_close(conn, true); /* the peer neither read nor closed in time */
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
		conn_fail(conn);
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
static void
conn_service(struct cp_tcp_conn *conn)
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

/* ---- Listening ---------------------------------------------------------------------- */

static void
reject(struct cp_tcp *t, uv_stream_t *server)
{
	uv_tcp_t *h = malloc(sizeof(*h));

	/*
	 * Out of memory: without uv_accept() libuv stops watching this listener until
	 * the next uv_accept() on it. Nothing better to do with 200 bytes unavailable.
	 */
	if (h == NULL || uv_tcp_init(t->loop, h) != 0) {
		free(h);
		t->stats.errors++;
		return;
	}
	h->data = t;
	t->n_handles++;
	if (uv_accept(server, (uv_stream_t *)h) == 0)
		t->stats.rejected_full++;
	else
		t->stats.errors++;
	uv_close((uv_handle_t *)h, on_reject_closed);
}

static void
on_connection(uv_stream_t *server, int status)
{
	struct cp_tcp *t = server->data;
	struct cp_tcp_conn *conn;
	int len = sizeof(conn->peer);

	if (status < 0) {
		t->stats.errors++; /* EMFILE is absorbed by libuv's reserve descriptor */
		VD_DEBUG("tcp: accept: %s", uv_strerror(status));
		return;
	}
	if (t->n_conns >= t->p.max_connections) {
		reject(t, server);
		return;
	}
	conn = calloc(1, sizeof(*conn));
	if (conn == NULL) {
		reject(t, server);
		return;
	}
	conn->tcp = t;
	uv_tcp_init(t->loop, &conn->handle);
	uv_timer_init(t->loop, &conn->timer);
	conn->handle.data = conn;
	conn->timer.data = conn;
	conn->n_open = 2;
	t->n_handles++;
	TAILQ_INSERT_TAIL(&t->conns, conn, link);
	t->n_conns++;
	t->stats.active++;
	if (uv_accept(server, (uv_stream_t *)&conn->handle) != 0 ||
	    uv_tcp_getpeername(&conn->handle, (struct sockaddr *)&conn->peer, &len) != 0) {
		conn_fail(conn);
		return;
	}
	/* Answers are whole messages, batched per read: Nagle would only add delay. */
	uv_tcp_nodelay(&conn->handle, 1);
	t->stats.accepted++;
	conn_service(conn);
}

/* A bound, listening, non-blocking socket for @p ss at @p port. @return fd or -errno. */
static int
open_listener(const struct sockaddr_storage *ss, uint16_t port, const struct cp_tcp_params *p)
{
	struct sockaddr_storage a = *ss;
	socklen_t alen;
	char name[INET6_ADDRSTRLEN + 10];
	const char *what = "socket";
	int one = 1, fd, rc;

	if (a.ss_family == AF_INET6) {
		((struct sockaddr_in6 *)&a)->sin6_port = htons(port);
		alen = sizeof(struct sockaddr_in6);
	} else {
		((struct sockaddr_in *)&a)->sin_port = htons(port);
		alen = sizeof(struct sockaddr_in);
	}
	fd = socket(a.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto err;
	what = "setsockopt";
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0)
		goto err;
	if (a.ss_family == AF_INET6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0)
			goto err;
		/* IPV6_FREEBIND is Linux 4.15+; IP_FREEBIND covers v6 sockets before it. */
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one)) != 0 &&
		    setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one)) != 0)
			goto err;
	} else if (setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one)) != 0) {
		goto err;
	}
	what = "bind";
	if (bind(fd, (struct sockaddr *)&a, alen) != 0)
		goto err;
	what = "listen";
	if (listen(fd, p->backlog) != 0)
		goto err;
	/* Best effort: the kernel serves it only if net.ipv4.tcp_fastopen has bit 2 set. */
	if (p->fastopen_qlen > 0)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN, &p->fastopen_qlen,
				 sizeof(p->fastopen_qlen));
	return fd;
err:
	rc = -errno;
	VD_ERR("tcp: %s %s: %s", what, addr_str(&a, port, name, sizeof(name)), strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

static uint16_t
bound_port(int fd)
{
	struct sockaddr_storage a;
	socklen_t alen = sizeof(a);

	if (getsockname(fd, (struct sockaddr *)&a, &alen) != 0)
		return 0;
	if (a.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&a)->sin6_port);
	return ntohs(((struct sockaddr_in *)&a)->sin_port);
}

/*
 * libuv writes with write(2), so a write to a connection the peer has reset
 * raises SIGPIPE, whose default action kills the daemon. Ignore it (EPIPE is
 * handled), unless the process already installed a disposition of its own.
 */
static void
ignore_sigpipe(void)
{
	struct sigaction sa;

	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL &&
	    !(sa.sa_flags & SA_SIGINFO))
		(void)signal(SIGPIPE, SIG_IGN);
}

static bool
params_valid(const struct cp_tcp_params *p)
{
	if (p->addrs == NULL || p->n_addrs == 0 || p->n_addrs > CP_TCP_MAX_LISTEN ||
	    p->idle_timeout_ms == 0 || p->max_connections == 0 || p->max_pending_per_conn == 0 ||
	    p->max_write_queue == 0 || p->backlog <= 0)
		return false;
	for (unsigned i = 0; i < p->n_addrs; i++) {
		if (p->addrs[i].ss_family != AF_INET && p->addrs[i].ss_family != AF_INET6)
			return false;
	}
	return true;
}

/* ---- Public ------------------------------------------------------------------------- */

void
cp_tcp_params_init(struct cp_tcp_params *p)
{
	memset(p, 0, sizeof(*p));
	p->port = 53;
	p->backlog = 256;
	p->idle_timeout_ms = 10000; /* RFC 7766 §6.2.3: "on the order of seconds" */
	p->max_connections = 256;
	p->max_queries_per_conn = 100;
	p->max_pending_per_conn = 32; /* as Unbound's TCP_MAX_REQ_SIMULTANEOUS */
	p->max_write_queue = 1u << 20;
	p->fastopen_qlen = 64;
	p->keepalive = true;
}

struct cp_tcp *
cp_tcp_create(uv_loop_t *loop, const struct cp_tcp_params *p, const struct cp_tcp_ops *ops,
	      void *ctx)
{
	int fds[CP_TCP_MAX_LISTEN];
	uint16_t port;
	struct cp_tcp *t;
	unsigned i;
	int rc = 0;

	if (loop == NULL || p == NULL || ops == NULL || ops->query == NULL || !params_valid(p)) {
		errno = EINVAL;
		return NULL;
	}
	ignore_sigpipe();
	/* Every socket first, so a bind error needs no loop run to clean up. */
	port = p->port;
	for (i = 0; i < p->n_addrs; i++) {
		fds[i] = open_listener(&p->addrs[i], port, p);
		if (fds[i] < 0) {
			rc = fds[i];
			break;
		}
		if (port == 0)
			port = bound_port(fds[i]); /* the others take the same port */
	}
	t = rc == 0 ? calloc(1, sizeof(*t)) : NULL;
	if (t == NULL) {
		while (i-- > 0)
			close(fds[i]);
		errno = rc != 0 ? -rc : ENOMEM;
		return NULL;
	}
	t->loop = loop;
	t->p = *p;
	t->p.addrs = NULL;
	t->ops = *ops;
	t->ctx = ctx;
	t->port = port;
	TAILQ_INIT(&t->conns);
	TAILQ_INIT(&t->resume);
	uv_idle_init(loop, &t->resume_idle);
	t->resume_idle.data = t;
	t->n_handles = 1;
	for (i = 0; i < p->n_addrs; i++) {
		uv_tcp_t *l = &t->listen[i];

		uv_tcp_init(loop, l);
		l->data = t;
		t->n_handles++;
		t->n_listen++;
		rc = uv_tcp_open(l, fds[i]);
		if (rc != 0) {
			close(fds[i]);
		} else {
			fds[i] = -1;
			rc = uv_listen((uv_stream_t *)l, p->backlog, on_connection);
		}
		if (rc != 0)
			break;
	}
	if (rc != 0) {
		VD_ERR("tcp: listen: %s", uv_strerror(rc));
		while (++i < p->n_addrs)
			close(fds[i]);
		cp_tcp_destroy(t);
		errno = -rc;
		return NULL;
	}
	return t;
}

void
cp_tcp_destroy(struct cp_tcp *t)
{
	struct cp_tcp_conn *conn;

	if (t == NULL || t->destroying)
		return;
	t->destroying = true;
	uv_close((uv_handle_t *)&t->resume_idle, on_handle_closed);
	for (unsigned i = 0; i < t->n_listen; i++)
		uv_close((uv_handle_t *)&t->listen[i], on_handle_closed);
	/*
	 * conn_close() only starts closing: the list stays intact while we walk it.
	 * All are closing before the first ops->closed, so sends it makes do nothing.
	 */
	TAILQ_FOREACH(conn, &t->conns, link)
		conn_close(conn, false);
	TAILQ_FOREACH(conn, &t->conns, link) {
		if (conn->pending > 0 && t->ops.closed != NULL)
			t->ops.closed(t->ctx, conn);
		conn->pending = 0;
	}
}

uint16_t
cp_tcp_port(const struct cp_tcp *t)
{
	return t->port;
}

void
cp_tcp_get_stats(const struct cp_tcp *t, struct cp_tcp_stats *out)
{
	*out = t->stats;
}

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
		conn_close(conn, true);
		return;
	}
	if (conn->olen + need > conn->ocap) {
		size_t cap = VD_MAX(VD_MAX(conn->olen + need, 2 * conn->ocap), (size_t)RBUF_INIT);
		uint8_t *nb = realloc(conn->obuf, cap);

		if (nb == NULL) {
			conn_fail(conn);
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
		conn_service(conn);
}

void
cp_tcp_done(struct cp_tcp_conn *conn)
{
	if (!take_pending(conn))
		return;
	conn->tcp->stats.dropped++;
	if (!conn->in_dispatch)
		conn_service(conn);
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
