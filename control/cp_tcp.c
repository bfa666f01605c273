/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The DNS-over-TCP listener: listening sockets, accept and the connection limit,
 * create and destroy (cp_tcp.h). One connection's life is in cp_tcp_conn.c.
 */
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
#include "cp_tcp_int.h"
#include "vd_assert.h"
#include "vd_log.h"

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

void
cp_tcp_handle_release(struct cp_tcp *t)
{
	VD_REQUIRE(t->n_handles > 0);
	if (--t->n_handles == 0 && t->destroying)
		free(t);
}

static void
on_handle_closed(uv_handle_t *h)
{
	cp_tcp_handle_release(h->data);
}

static void
on_reject_closed(uv_handle_t *h)
{
	struct cp_tcp *t = h->data;

	free(h);
	cp_tcp_handle_release(t);
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
		cp_tcp_conn_fail(conn);
		return;
	}
	/* Answers are whole messages, batched per read: Nagle would only add delay. */
	uv_tcp_nodelay(&conn->handle, 1);
	t->stats.accepted++;
	cp_tcp_conn_service(conn);
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
	 * cp_tcp_conn_close() only starts closing: the list stays intact while we walk it.
	 * All are closing before the first ops->closed, so sends it makes do nothing.
	 */
	TAILQ_FOREACH(conn, &t->conns, link)
		cp_tcp_conn_close(conn, false);
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
