/* SPDX-License-Identifier: BSD-3-Clause */
/* Upstream queries: UDP from a fresh port, strict matching, TCP on TC (rules in cp_upstream.h). */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <uv.h>

#include "cp_upstream.h"
#include "dns_name.h"
#include "dns_wire.h"
#include "vd_assert.h"
#include "vd_compiler.h"
#include "vd_rng.h"

#define RBUF_LEN         65536  /* shared UDP receive buffer: one datagram at a time */
#define QMSG_MAX (2 + DNS_HEADER_LEN + DNS_NAME_MAXLEN + 4 + DNS_OPT_RR_LEN)

enum upq_phase {
	PHASE_UDP, /* waiting for a datagram */
	PHASE_TCP, /* TC=1 seen: connecting, writing, reading */
};

struct cp_upq {
	struct cp_upstream *up;
	LIST_ENTRY(cp_upq) link; /* up->active while !done */
	uv_udp_t udp;            /* .data = this */
	uv_timer_t timer;        /* .data = this; the current phase's timeout */
	uv_tcp_t tcp;            /* .data = this; initialised in PHASE_TCP only */
	uv_connect_t connect_req;
	uv_write_t write_req;
	enum upq_phase phase;
	bool done;      /* finished or cancelled: no callback any more */
	bool udp_open;  /* udp initialised and not yet closed */
	bool tcp_open;
	unsigned n_open; /* handles whose close callback has not run */
	cp_upq_done_fn cb;
	void *arg;
	struct sockaddr_storage server;
	uint16_t id;
	uint16_t qtype;
	uint16_t qclass;
	uint16_t qname_len;
	uint16_t msg_len;   /* query length, without the TCP prefix */
	uint64_t t_sent_ns;
	uint64_t rtt_us;
	uint8_t *tbuf;      /* TCP input: [0, tlen) */
	size_t tlen;
	size_t tcap;
	uint8_t qname[DNS_NAME_MAXLEN]; /* lower-cased, for matching */
	uint8_t msg[QMSG_MAX];          /* 2-byte length prefix, then the query */
};

struct cp_upstream {
	uv_loop_t *loop;
	struct cp_upstream_params p;
	struct cp_upstream_stats st;
	LIST_HEAD(, cp_upq) active;
	unsigned n_alive; /* cp_upq structs not yet freed */
	bool destroying;
	struct vd_rng rng;
	uint8_t rbuf[RBUF_LEN];
};

/* Matching */

static bool
same_source(const struct sockaddr_storage *srv, const struct sockaddr *from)
{
	if (from == NULL || from->sa_family != srv->ss_family)
		return false;
	if (from->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)srv;
		const struct sockaddr_in *b = (const struct sockaddr_in *)from;

		return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
	}
	if (from->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)srv;
		const struct sockaddr_in6 *b = (const struct sockaddr_in6 *)from;

		return a->sin6_port == b->sin6_port &&
		       memcmp(&a->sin6_addr, &b->sin6_addr, sizeof(a->sin6_addr)) == 0;
	}
	return false;
}

/* A reply to our query: QR=1, QUERY, our ID, exactly our question. */
static bool
reply_matches(const struct cp_upq *q, const uint8_t *m, size_t len)
{
	uint8_t name[DNS_NAME_MAXLEN];
	size_t wire_len;
	uint16_t flags;
	int nl;

	if (len < DNS_HEADER_LEN || dns_get_u16(m) != q->id)
		return false;
	flags = dns_get_u16(m + 2);
	if (!(flags & DNS_FLAG_QR) || (flags & DNS_OPCODE_MASK) != 0 || dns_get_u16(m + 4) != 1)
		return false;
	nl = dns_name_unpack(m, len, DNS_HEADER_LEN, name, true, &wire_len);
	if (nl != q->qname_len || memcmp(name, q->qname, (size_t)nl) != 0)
		return false;
	if (len < DNS_HEADER_LEN + wire_len + 4)
		return false;
	return dns_get_u16(m + DNS_HEADER_LEN + wire_len) == q->qtype &&
	       dns_get_u16(m + DNS_HEADER_LEN + wire_len + 2) == q->qclass;
}

/* Lifetime */

static void
on_close(uv_handle_t *h)
{
	struct cp_upq *q = h->data;
	struct cp_upstream *up = q->up;

	if (--q->n_open > 0)
		return;
	free(q->tbuf);
	free(q);
	if (--up->n_alive == 0 && up->destroying)
		free(up);
}

static void
close_handles(struct cp_upq *q)
{
	if (q->udp_open) {
		q->udp_open = false;
		uv_udp_recv_stop(&q->udp);
		uv_close((uv_handle_t *)&q->udp, on_close);
	}
	if (q->tcp_open) {
		q->tcp_open = false;
		uv_close((uv_handle_t *)&q->tcp, on_close);
	}
	if (!uv_is_closing((uv_handle_t *)&q->timer)) {
		uv_timer_stop(&q->timer);
		uv_close((uv_handle_t *)&q->timer, on_close);
	}
}

/* Take q off the active list; it gets no callback after this. */
static void
retire(struct cp_upq *q)
{
	q->done = true;
	LIST_REMOVE(q, link);
	q->up->st.outstanding--;
}

static void
finish(struct cp_upq *q, enum cp_upq_status status, const uint8_t *msg, uint16_t len)
{
	struct cp_upq_result r = {.status = status, .tcp = q->phase == PHASE_TCP};

	if (q->done)
		return;
	retire(q);
	if (status == CP_UPQ_OK) {
		r.msg = msg;
		r.len = len;
		q->up->st.received++;
	}
	if (status == CP_UPQ_OK || status == CP_UPQ_TRUNCATED_TCP_FAILED)
		r.rtt_us = q->rtt_us;
	/* Handles close first; q (and msg, if in tbuf) live until the close callbacks. */
	close_handles(q);
	q->cb(q->arg, &r);
}

/* TCP retry */

static void
tcp_fail(struct cp_upq *q)
{
	q->up->st.errors++;
	finish(q, CP_UPQ_TRUNCATED_TCP_FAILED, NULL, 0);
}

static void
on_tcp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct cp_upq *q = h->data;
	size_t want = q->tlen + (suggested < 4096 ? 4096 : suggested);

	(void)suggested;
	if (want > 2 + DNS_MSG_MAXLEN)
		want = 2 + DNS_MSG_MAXLEN;
	if (want > q->tcap) {
		uint8_t *n = realloc(q->tbuf, want);

		if (n == NULL) {
			*buf = uv_buf_init(NULL, 0); /* libuv reports UV_ENOBUFS */
			return;
		}
		q->tbuf = n;
		q->tcap = want;
	}
	*buf = uv_buf_init((char *)q->tbuf + q->tlen, (unsigned)(q->tcap - q->tlen));
}

static void
on_tcp_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct cp_upq *q = s->data;
	size_t need;

	(void)buf;
	if (q->done)
		return;
	if (nread < 0) {
		tcp_fail(q); /* EOF before a whole reply, reset, ENOBUFS */
		return;
	}
	q->tlen += (size_t)nread;
	if (q->tlen < 2)
		return;
	need = 2 + (size_t)dns_get_u16(q->tbuf);
	if (q->tlen < need) {
		if (q->tlen == q->tcap && q->tcap >= 2 + DNS_MSG_MAXLEN)
			tcp_fail(q);
		return;
	}
	if (!reply_matches(q, q->tbuf + 2, need - 2)) {
		/* Our own connection to the server: a wrong reply is not worth waiting past. */
		q->up->st.mismatched++;
		finish(q, CP_UPQ_TRUNCATED_TCP_FAILED, NULL, 0);
		return;
	}
	finish(q, CP_UPQ_OK, q->tbuf + 2, (uint16_t)(need - 2));
}

static void
on_tcp_write(uv_write_t *req, int status)
{
	struct cp_upq *q = req->data;

	if (status < 0 && !q->done)
		tcp_fail(q);
}

static void
on_tcp_connect(uv_connect_t *req, int status)
{
	struct cp_upq *q = req->data;
	uv_buf_t b = uv_buf_init((char *)q->msg, (unsigned)(2 + q->msg_len));

	if (q->done)
		return;
	if (status < 0 || uv_read_start((uv_stream_t *)&q->tcp, on_tcp_alloc, on_tcp_read) != 0 ||
	    uv_write(&q->write_req, (uv_stream_t *)&q->tcp, &b, 1, on_tcp_write) != 0)
		tcp_fail(q);
}

static void on_timeout(uv_timer_t *t);

static void
start_tcp(struct cp_upq *q)
{
	struct cp_upstream *up = q->up;

	q->phase = PHASE_TCP;
	up->st.tcp_fallbacks++;
	uv_udp_recv_stop(&q->udp);
	q->udp_open = false;
	uv_close((uv_handle_t *)&q->udp, on_close);
	uv_timer_stop(&q->timer);
	if (uv_tcp_init(up->loop, &q->tcp) != 0) {
		tcp_fail(q);
		return;
	}
	q->tcp.data = q;
	q->tcp_open = true;
	q->n_open++;
	q->connect_req.data = q;
	q->write_req.data = q;
	if (uv_tcp_connect(&q->connect_req, &q->tcp, (const struct sockaddr *)&q->server,
			   on_tcp_connect) != 0) {
		tcp_fail(q);
		return;
	}
	uv_timer_start(&q->timer, on_timeout, up->p.tcp_timeout_ms, 0);
}

/* UDP */

static void
on_timeout(uv_timer_t *t)
{
	struct cp_upq *q = t->data;

	q->up->st.timeouts++;
	finish(q, q->phase == PHASE_TCP ? CP_UPQ_TRUNCATED_TCP_FAILED : CP_UPQ_TIMEOUT, NULL, 0);
}

static void
on_udp_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct cp_upq *q = h->data;

	/* libuv reads a datagram and handles it before the next alloc: one buffer serves all. */
	(void)suggested;
	*buf = uv_buf_init((char *)q->up->rbuf, sizeof(q->up->rbuf));
}

static void
on_udp_recv(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf, const struct sockaddr *from,
	    unsigned flags)
{
	struct cp_upq *q = h->data;
	const uint8_t *m = (const uint8_t *)buf->base;

	if (q->done || q->phase != PHASE_UDP || (nread == 0 && from == NULL))
		return;
	if (nread < 0) {
		q->up->st.errors++;
		finish(q, CP_UPQ_NETWORK_ERROR, NULL, 0);
		return;
	}
	if ((flags & UV_UDP_PARTIAL) || !same_source(&q->server, from) ||
	    !reply_matches(q, m, (size_t)nread)) {
		q->up->st.mismatched++;
		return;
	}
	q->rtt_us = (uv_hrtime() - q->t_sent_ns) / 1000;
	if (dns_get_u16(m + 2) & DNS_FLAG_TC) {
		start_tcp(q);
		return;
	}
	finish(q, CP_UPQ_OK, m, (uint16_t)nread);
}

static uint16_t
build_query(struct cp_upq *q, const struct cp_upq_params *p, size_t name_len)
{
	uint8_t *m = q->msg + 2;
	size_t off = DNS_HEADER_LEN;

	memset(m, 0, DNS_HEADER_LEN);
	dns_put_u16(m, q->id);
	dns_put_u16(m + 2, p->rd ? DNS_FLAG_RD : 0); /* QUERY; RD=0 iterative, RD=1 forwarded */
	dns_put_u16(m + 4, 1);
	dns_put_u16(m + 10, p->edns ? 1 : 0);
	memcpy(m + off, p->qname, name_len);
	off += name_len;
	dns_put_u16(m + off, p->qtype);
	dns_put_u16(m + off + 2, p->qclass);
	off += 4;
	if (p->edns) {
		m[off] = 0; /* root owner */
		dns_put_u16(m + off + 1, DNS_TYPE_OPT);
		dns_put_u16(m + off + 3, DNS_EDNS_SIZE);
		dns_put_u32(m + off + 5, p->dnssec_ok ? DNS_EDNS_DO : 0);
		dns_put_u16(m + off + 9, 0);
		off += DNS_OPT_RR_LEN;
	}
	dns_put_u16(q->msg, (uint16_t)off);
	return (uint16_t)off;
}

static void
upq_net_cancel(void *ctx, void *handle)
{
	(void)ctx;
	cp_upstream_cancel(handle);
}

static int
upq_net_query(void *ctx, const struct cp_upq_params *p, cp_upq_done_fn cb, void *arg,
	      void **handle)
{
	struct cp_upq *q = NULL;
	int rc = cp_upstream_query(ctx, p, cb, arg, &q);

	if (handle != NULL)
		*handle = q;
	return rc;
}

static const struct cp_net_ops upstream_net_ops = {
	.query = upq_net_query,
	.cancel = upq_net_cancel,
};

/* Public API */

void
cp_upstream_params_init(struct cp_upstream_params *p)
{
	memset(p, 0, sizeof(*p));
	p->max_outstanding = 1000;
	p->timeout_ms = 1500;
	p->tcp_timeout_ms = 3000;
	p->cancel_on_destroy = false;
}

struct cp_upstream *
cp_upstream_create(uv_loop_t *loop, const struct cp_upstream_params *p)
{
	struct cp_upstream *up;
	int rc;

	if (loop == NULL || (p != NULL && (p->max_outstanding == 0 || p->timeout_ms == 0 ||
					   p->tcp_timeout_ms == 0))) {
		errno = EINVAL;
		return NULL;
	}
	up = calloc(1, sizeof(*up));
	if (up == NULL)
		return NULL;
	up->loop = loop;
	if (p != NULL)
		up->p = *p;
	else
		cp_upstream_params_init(&up->p);
	LIST_INIT(&up->active);
	rc = vd_rng_rekey(&up->rng);
	if (rc != 0) {
		free(up);
		errno = -rc;
		return NULL;
	}
	return up;
}

void
cp_upstream_destroy(struct cp_upstream *up)
{
	struct cp_upq *q;

	if (up == NULL)
		return;
	while ((q = LIST_FIRST(&up->active)) != NULL) {
		if (up->p.cancel_on_destroy)
			finish(q, CP_UPQ_CANCELLED, NULL, 0);
		else
			cp_upstream_cancel(q);
	}
	up->destroying = true;
	if (up->n_alive == 0)
		free(up);
}

int
cp_upstream_query(struct cp_upstream *up, const struct cp_upq_params *p, cp_upq_done_fn cb,
		  void *arg, struct cp_upq **handle)
{
	struct sockaddr_storage any = {0};
	unsigned int bind_flags = 0;
	struct cp_upq *q;
	uv_buf_t b;
	int nl, rc;

	if (handle != NULL)
		*handle = NULL;
	if (up == NULL || p == NULL || cb == NULL || p->qname == NULL || up->destroying)
		return -EINVAL;
	if (p->server.ss_family == AF_INET) {
		((struct sockaddr_in *)&any)->sin_family = AF_INET;
	} else if (p->server.ss_family == AF_INET6) {
		((struct sockaddr_in6 *)&any)->sin6_family = AF_INET6;
		bind_flags = UV_UDP_IPV6ONLY;
	} else {
		return -EINVAL;
	}
	if (up->st.outstanding >= up->p.max_outstanding) {
		up->st.rejected++;
		return -EBUSY;
	}
	q = calloc(1, sizeof(*q));
	if (q == NULL)
		return -ENOMEM;
	nl = dns_name_scan(p->qname, DNS_NAME_MAXLEN, q->qname);
	if (nl < 0) {
		free(q);
		return -EINVAL;
	}
	q->up = up;
	q->cb = cb;
	q->arg = arg;
	q->server = p->server;
	q->qtype = p->qtype;
	q->qclass = p->qclass;
	q->qname_len = (uint16_t)nl;
	vd_rng_bytes(&up->rng, &q->id, sizeof(q->id));
	q->msg_len = build_query(q, p, (size_t)nl);

	/* From here q is freed by the close callbacks of its handles. */
	up->n_alive++;
	q->done = true; /* no callback until the query has really started */
	uv_timer_init(up->loop, &q->timer);
	q->timer.data = q;
	q->n_open = 1;
	rc = uv_udp_init_ex(up->loop, &q->udp, p->server.ss_family);
	if (rc != 0)
		goto err_close;
	q->udp.data = q;
	q->udp_open = true;
	q->n_open++;
	rc = uv_udp_bind(&q->udp, (const struct sockaddr *)&any, bind_flags);
	if (rc != 0)
		goto err_close;
	rc = uv_udp_recv_start(&q->udp, on_udp_alloc, on_udp_recv);
	if (rc != 0)
		goto err_close;
	b = uv_buf_init((char *)q->msg + 2, q->msg_len);
	q->t_sent_ns = uv_hrtime();
	rc = uv_udp_try_send(&q->udp, &b, 1, (const struct sockaddr *)&q->server);
	if (rc < 0)
		goto err_close;
	uv_timer_start(&q->timer, on_timeout, p->timeout_ms != 0 ? p->timeout_ms : up->p.timeout_ms,
		       0);
	q->done = false;
	LIST_INSERT_HEAD(&up->active, q, link);
	up->st.outstanding++;
	up->st.sent++;
	if (handle != NULL)
		*handle = q;
	return 0;

err_close:
	up->st.errors++;
	close_handles(q);
	return rc;
}

void
cp_upstream_cancel(struct cp_upq *q)
{
	if (q == NULL || VD_CHECK(!q->done))
		return;
	retire(q);
	q->up->st.cancelled++;
	close_handles(q);
}

/* Asked for only by tests and tools: no getsockname() on the query path. */
uint16_t
cp_upq_local_port(const struct cp_upq *q)
{
	struct sockaddr_storage local;
	int len = sizeof(local);

	if (!q->udp_open || uv_udp_getsockname(&q->udp, (struct sockaddr *)&local, &len) != 0)
		return 0;
	return ntohs(local.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&local)->sin6_port
						 : ((struct sockaddr_in *)&local)->sin_port);
}

void
cp_upstream_get_stats(const struct cp_upstream *up, struct cp_upstream_stats *out)
{
	*out = up->st;
}

struct cp_net
cp_upstream_net(struct cp_upstream *up)
{
	return (struct cp_net){.ops = &upstream_net_ops, .ctx = up};
}

void
cp_upstream_random(struct cp_upstream *up, void *out, size_t n)
{
	vd_rng_bytes(&up->rng, out, n);
}
