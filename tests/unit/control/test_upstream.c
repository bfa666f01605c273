/* SPDX-License-Identifier: BSD-3-Clause */
/* cp_upstream against a scripted UDP+TCP responder on loopback; cp_net with a fake. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <uv.h>

#include "cp_upstream.h"
#include "dns_name.h"
#include "dns_wire.h"

enum mode {
	MODE_ANSWER, /* one A record */
	MODE_SILENT, /* read, never answer */
	MODE_FORGE,  /* wrong ID, wrong question, QR=0, wrong source port; then the answer */
	MODE_TC,     /* TC=1 over UDP; three A records over TCP */
	MODE_FORGE_MORE, /* the flaws MODE_FORGE does not try, from MODE_FORGE's port; then the answer */
	MODE_TC_BADID,   /* TC=1 over UDP; over TCP the answer with a wrong ID */
};

struct tconn {
	uv_tcp_t h;
	uint8_t buf[600];
	size_t len;
	uv_write_t wreq;
	uint8_t out[600];
};

struct responder {
	uv_udp_t udp;
	uv_udp_t forger; /* same address, another port */
	uv_udp_t forger_addr; /* another loopback address, the same port */
	bool forger_addr_bound;
	uv_tcp_t listen;
	bool tcp_listening;
	enum mode mode;
	struct sockaddr_storage addr;
	unsigned n_seen;
	uint16_t ports[64];
	uint16_t ids[64];
	uint8_t last[600];
	size_t last_len;
	unsigned tcp_queries;
	uint16_t tcp_flags; /* header flags of the last TCP query */
};

static uv_loop_t loop;
static struct responder rsp;
static struct cp_upstream *up;

/* "www.example.com." */
static const uint8_t qname[] = "\3www\7example\3com";
static const uint8_t qname_mixed[] = "\3WwW\7ExAmple\3COM";

struct done {
	bool called;
	unsigned n_calls;
	struct cp_upq_result r;
	uint8_t msg[2048];
};

static void
on_done(void *arg, const struct cp_upq_result *r)
{
	struct done *d = arg;

	d->called = true;
	d->n_calls++;
	d->r = *r;
	if (r->msg != NULL && r->len <= sizeof(d->msg)) {
		memcpy(d->msg, r->msg, r->len);
		d->r.msg = d->msg;
	}
}

/* Build the reply to @p q (len @p qlen) into @p out; @return its length. */
static size_t
make_reply(const uint8_t *q, size_t qlen, uint8_t *out, unsigned n_a, bool tc, uint16_t id_xor,
	   uint16_t type_xor, bool qr)
{
	int nl = dns_name_scan(q + DNS_HEADER_LEN, qlen - DNS_HEADER_LEN, NULL);
	size_t qend = DNS_HEADER_LEN + (size_t)nl + 4;
	size_t off = qend;

	cr_assert(nl > 0);
	memcpy(out, q, qend);
	dns_put_u16(out, dns_get_u16(q) ^ id_xor);
	dns_put_u16(out + 2, (qr ? DNS_FLAG_QR : 0) | DNS_FLAG_AA | (tc ? DNS_FLAG_TC : 0));
	dns_put_u16(out + 6, (uint16_t)n_a);
	dns_put_u16(out + 8, 0);
	dns_put_u16(out + 10, 0);
	dns_put_u16(out + qend - 4, dns_get_u16(q + qend - 4) ^ type_xor);
	for (unsigned i = 0; i < n_a; i++) {
		static const uint8_t rr[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 192, 0, 2};

		memcpy(out + off, rr, sizeof(rr));
		out[off + sizeof(rr)] = (uint8_t)(i + 1);
		off += sizeof(rr) + 1;
	}
	return off;
}

static void
udp_send(uv_udp_t *h, const uint8_t *m, size_t len, const struct sockaddr *to)
{
	char copy[600];
	uv_buf_t b = uv_buf_init(copy, (unsigned)len);

	cr_assert_leq(len, sizeof(copy));
	memcpy(copy, m, len);

	cr_assert_eq(uv_udp_try_send(h, &b, 1, to), (int)len);
}

static void
r_alloc(uv_handle_t *h, size_t s, uv_buf_t *buf)
{
	static char mem[2048];

	(void)h;
	(void)s;
	*buf = uv_buf_init(mem, sizeof(mem));
}

/*
 * Replies with the right ID from the right address and port, each with one flaw the
 * matching must catch (beyond MODE_FORGE's), then from another address with the right
 * port, then the real answer. FORGE_MORE_N: the number of forgeries.
 */
#define FORGE_MORE_N 10
static void
forge_more(const uint8_t *q, size_t qlen, const struct sockaddr *from)
{
	uint8_t out[600];
	size_t len = make_reply(q, qlen, out, 1, false, 0, 0, true);
	size_t qend = DNS_HEADER_LEN + (size_t)dns_name_scan(q + DNS_HEADER_LEN,
							    qlen - DNS_HEADER_LEN, NULL);
	uint8_t m[600];

	memcpy(m, out, len);
	m[DNS_HEADER_LEN + 1] ^= 'w' ^ 'x'; /* another name: xww.example.com */
	udp_send(&rsp.udp, m, len, from);
	memcpy(m, out, len);
	dns_put_u16(m + qend + 2, 3); /* class CH */
	udp_send(&rsp.udp, m, len, from);
	memcpy(m, out, len);
	dns_put_u16(m + 2, dns_get_u16(m + 2) | (4 << 11)); /* opcode NOTIFY */
	udp_send(&rsp.udp, m, len, from);
	memcpy(m, out, len);
	dns_put_u16(m + 4, 0); /* no question */
	udp_send(&rsp.udp, m, DNS_HEADER_LEN, from);
	memcpy(m, out, len);
	dns_put_u16(m + 4, 2); /* two questions */
	udp_send(&rsp.udp, m, len, from);
	udp_send(&rsp.udp, out, 5, from);              /* shorter than a header */
	udp_send(&rsp.udp, out, DNS_HEADER_LEN, from); /* a header, the question cut off */
	udp_send(&rsp.udp, out, DNS_HEADER_LEN + 6, from); /* cut inside the name */
	udp_send(&rsp.udp, out, qend + 2, from);       /* cut inside type/class */
	if (rsp.forger_addr_bound)
		udp_send(&rsp.forger_addr, out, len, from); /* another address, our port */
	else
		udp_send(&rsp.forger, out, len, from);     /* (no 127.0.0.2: another port) */
	udp_send(&rsp.udp, out, len, from);             /* the real answer */
}

static void
r_recv(uv_udp_t *h, ssize_t n, const uv_buf_t *buf, const struct sockaddr *from, unsigned fl)
{
	const uint8_t *q = (const uint8_t *)buf->base;
	uint8_t out[600];
	size_t len;

	(void)h;
	(void)fl;
	if (n <= 0 || from == NULL)
		return;
	cr_assert_geq(n, DNS_HEADER_LEN);
	memcpy(rsp.last, q, (size_t)n);
	rsp.last_len = (size_t)n;
	if (rsp.n_seen < 64) {
		const struct sockaddr_in6 *f6 = (const struct sockaddr_in6 *)from;
		const struct sockaddr_in *f4 = (const struct sockaddr_in *)from;

		rsp.ports[rsp.n_seen] =
			ntohs(from->sa_family == AF_INET6 ? f6->sin6_port : f4->sin_port);
		rsp.ids[rsp.n_seen] = dns_get_u16(q);
	}
	rsp.n_seen++;
	switch (rsp.mode) {
	case MODE_SILENT:
		return;
	case MODE_FORGE:
		len = make_reply(q, (size_t)n, out, 1, false, 0x5a5a, 0, true);
		udp_send(&rsp.udp, out, len, from); /* wrong ID */
		len = make_reply(q, (size_t)n, out, 1, false, 0, 0x001d, true);
		udp_send(&rsp.udp, out, len, from); /* wrong type: AAAA for A */
		len = make_reply(q, (size_t)n, out, 1, false, 0, 0, false);
		udp_send(&rsp.udp, out, len, from); /* QR=0 */
		len = make_reply(q, (size_t)n, out, 1, false, 0, 0, true);
		udp_send(&rsp.forger, out, len, from); /* right message, wrong source port */
		udp_send(&rsp.udp, out, len, from);    /* the real answer */
		return;
	case MODE_TC:
	case MODE_TC_BADID:
		len = make_reply(q, (size_t)n, out, 0, true, 0, 0, true);
		udp_send(&rsp.udp, out, len, from);
		return;
	case MODE_FORGE_MORE:
		forge_more(q, (size_t)n, from);
		return;
	case MODE_ANSWER:
		len = make_reply(q, (size_t)n, out, 1, false, 0, 0, true);
		udp_send(&rsp.udp, out, len, from);
		return;
	}
}

static void
t_close_cb(uv_handle_t *h)
{
	free(h->data);
}

static void
t_write_cb(uv_write_t *w, int status)
{
	struct tconn *c = w->data;

	(void)status;
	uv_close((uv_handle_t *)&c->h, t_close_cb);
}

static void
t_alloc(uv_handle_t *h, size_t s, uv_buf_t *buf)
{
	struct tconn *c = h->data;

	(void)s;
	*buf = uv_buf_init((char *)c->buf + c->len, (unsigned)(sizeof(c->buf) - c->len));
}

static void
t_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct tconn *c = s->data;
	size_t need, len;
	uv_buf_t b;

	(void)buf;
	if (n < 0) {
		uv_close((uv_handle_t *)&c->h, t_close_cb);
		return;
	}
	c->len += (size_t)n;
	if (c->len < 2 || c->len < 2 + (size_t)dns_get_u16(c->buf))
		return;
	need = dns_get_u16(c->buf);
	rsp.tcp_queries++;
	rsp.tcp_flags = dns_get_u16(c->buf + 4);
	uv_read_stop(s);
	len = make_reply(c->buf + 2, need, c->out + 2, 3, false,
			 rsp.mode == MODE_TC_BADID ? 0x0101 : 0, 0, true);
	dns_put_u16(c->out, (uint16_t)len);
	b = uv_buf_init((char *)c->out, (unsigned)(len + 2));
	c->wreq.data = c;
	cr_assert_eq(uv_write(&c->wreq, s, &b, 1, t_write_cb), 0);
}

static void
t_accept(uv_stream_t *l, int status)
{
	struct tconn *c = calloc(1, sizeof(*c));

	cr_assert_eq(status, 0);
	cr_assert_not_null(c);
	uv_tcp_init(&loop, &c->h);
	c->h.data = c;
	cr_assert_eq(uv_accept(l, (uv_stream_t *)&c->h), 0);
	uv_read_start((uv_stream_t *)&c->h, t_alloc, t_read);
}

/* Start the responder on @p ip (UDP and, if @p tcp, TCP on the same port). */
static bool
responder_start(const char *ip, bool tcp)
{
	struct sockaddr_storage a = {0}, f = {0};
	int alen = sizeof(a);

	if (strchr(ip, ':') != NULL) {
		if (uv_ip6_addr(ip, 0, (struct sockaddr_in6 *)&a) != 0)
			return false;
	} else {
		cr_assert_eq(uv_ip4_addr(ip, 0, (struct sockaddr_in *)&a), 0);
	}
	f = a;
	uv_udp_init(&loop, &rsp.udp);
	uv_udp_init(&loop, &rsp.forger);
	uv_tcp_init(&loop, &rsp.listen);
	if (uv_udp_bind(&rsp.udp, (struct sockaddr *)&a, 0) != 0)
		return false;
	cr_assert_eq(uv_udp_bind(&rsp.forger, (struct sockaddr *)&f, 0), 0);
	cr_assert_eq(uv_udp_getsockname(&rsp.udp, (struct sockaddr *)&rsp.addr, &alen), 0);
	uv_udp_init(&loop, &rsp.forger_addr);
	if (a.ss_family == AF_INET) {
		/* 127.0.0.2 is local on Linux (all of 127/8 is): the same port, another address. */
		struct sockaddr_in o = *(struct sockaddr_in *)&rsp.addr;

		o.sin_addr.s_addr = htonl(0x7f000002);
		rsp.forger_addr_bound = uv_udp_bind(&rsp.forger_addr, (struct sockaddr *)&o, 0) == 0;
	}
	cr_assert_eq(uv_udp_recv_start(&rsp.udp, r_alloc, r_recv), 0);
	if (tcp) {
		cr_assert_eq(uv_tcp_bind(&rsp.listen, (struct sockaddr *)&rsp.addr, 0), 0);
		cr_assert_eq(uv_listen((uv_stream_t *)&rsp.listen, 16, t_accept), 0);
		rsp.tcp_listening = true;
	}
	return true;
}

static void
guard_cb(uv_timer_t *t)
{
	*(bool *)t->data = true;
}

/* Run the loop until *flag or @p ms have passed; @return *flag. */
static bool
run_until(const bool *flag, uint64_t ms)
{
	uv_timer_t guard;
	bool expired = false;

	uv_timer_init(&loop, &guard);
	guard.data = &expired;
	uv_timer_start(&guard, guard_cb, ms, 0);
	while (!*flag && !expired)
		uv_run(&loop, UV_RUN_ONCE);
	uv_close((uv_handle_t *)&guard, NULL);
	uv_run(&loop, UV_RUN_NOWAIT);
	return *flag;
}

static void
params(struct cp_upq_params *p, const uint8_t *name, bool edns, bool dnssec_ok)
{
	memset(p, 0, sizeof(*p));
	p->server = rsp.addr;
	p->qname = name;
	p->qtype = DNS_TYPE_A;
	p->qclass = DNS_CLASS_IN;
	p->edns = edns;
	p->dnssec_ok = dnssec_ok;
}

static void
setup_with(const struct cp_upstream_params *upp, const char *ip, bool tcp)
{
	memset(&rsp, 0, sizeof(rsp));
	cr_assert_eq(uv_loop_init(&loop), 0);
	cr_assert(responder_start(ip, tcp));
	up = cp_upstream_create(&loop, upp);
	cr_assert_not_null(up);
}

static void
setup(void)
{
	setup_with(NULL, "127.0.0.1", true);
}

static void
teardown(void)
{
	cp_upstream_destroy(up);
	uv_close((uv_handle_t *)&rsp.udp, NULL);
	uv_close((uv_handle_t *)&rsp.forger, NULL);
	uv_close((uv_handle_t *)&rsp.forger_addr, NULL);
	uv_close((uv_handle_t *)&rsp.listen, NULL);
	/* Everything is closed or closing: this returns once the close callbacks ran. */
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(uv_loop_close(&loop), 0);
}

static struct cp_upstream_stats
stats(void)
{
	struct cp_upstream_stats s;

	cp_upstream_get_stats(up, &s);
	return s;
}

TestSuite(cp_upstream, .fini = teardown, .timeout = 20);

Test(cp_upstream, answer_ok_rtt_and_query_shape)
{
	struct cp_upq_params p;
	struct done d = {0};
	struct cp_upq *h;
	const uint8_t *q = rsp.last;
	size_t opt;

	setup();
	params(&p, qname, true, true);
	cr_assert_eq(cp_upstream_query(up, &p, on_done, &d, &h), 0);
	cr_assert_not_null(h);
	cr_assert_not(d.called, "never called from inside the query call");
	cr_assert(run_until(&d.called, 5000));
	cr_assert_eq(d.r.status, CP_UPQ_OK);
	cr_assert_not(d.r.tcp);
	cr_assert_gt(d.r.rtt_us, 0);
	cr_assert_lt(d.r.rtt_us, 2000000);
	cr_assert_eq(dns_get_u16(d.msg + 6), 1);
	cr_assert_eq(stats().sent, 1);
	cr_assert_eq(stats().received, 1);
	cr_assert_eq(stats().outstanding, 0);
	cr_assert_eq(stats().mismatched, 0);
	/* The query as the server saw it: iterative, one question, OPT 1232 with DO. */
	cr_assert_eq(rsp.n_seen, 1);
	cr_assert_eq(dns_get_u16(q + 2) & (DNS_FLAG_QR | DNS_FLAG_RD | DNS_OPCODE_MASK), 0);
	cr_assert_eq(dns_get_u16(q + 4), 1);
	cr_assert_eq(dns_get_u16(q + 10), 1);
	cr_assert_eq(memcmp(q + DNS_HEADER_LEN, qname, sizeof(qname)), 0);
	opt = DNS_HEADER_LEN + sizeof(qname) + 4;
	cr_assert_eq(rsp.last_len, opt + DNS_OPT_RR_LEN);
	cr_assert_eq(q[opt], 0);
	cr_assert_eq(dns_get_u16(q + opt + 1), DNS_TYPE_OPT);
	cr_assert_eq(dns_get_u16(q + opt + 3), 1232);
	cr_assert_eq(dns_get_u32(q + opt + 5), DNS_EDNS_DO);
}

Test(cp_upstream, no_edns_when_asked)
{
	struct cp_upq_params p;
	struct done d = {0};

	setup();
	params(&p, qname, false, true);
	cr_assert_eq(cp_upstream_query(up, &p, on_done, &d, NULL), 0);
	cr_assert(run_until(&d.called, 5000));
	cr_assert_eq(d.r.status, CP_UPQ_OK);
	cr_assert_eq(dns_get_u16(rsp.last + 10), 0);
	cr_assert_eq(rsp.last_len, DNS_HEADER_LEN + sizeof(qname) + 4);
}

/* A forwarder is asked with RD=1, over UDP and again over TCP after TC. */
Test(cp_upstream, rd_set_for_a_forwarder)
{
	struct cp_upq_params p;
	struct done d = {0};

	setup();
	params(&p, qname, true, false);
	p.rd = true;
	cr_assert_eq(cp_upstream_query(up, &p, on_done, &d, NULL), 0);
	cr_assert(run_until(&d.called, 5000));
	cr_assert_eq(d.r.status, CP_UPQ_OK);
	cr_assert_eq(dns_get_u16(rsp.last + 2) & (DNS_FLAG_QR | DNS_FLAG_RD | DNS_OPCODE_MASK),
		     DNS_FLAG_RD);
	memset(&d, 0, sizeof(d));
	rsp.mode = MODE_TC;
	cr_assert_eq(cp_upstream_query(up, &p, on_done, &d, NULL), 0);
	cr_assert(run_until(&d.called, 5000));
	cr_assert_eq(d.r.status, CP_UPQ_OK);
	cr_assert(d.r.tcp);
	cr_assert_eq(rsp.tcp_queries, 1);
	cr_assert_eq(rsp.tcp_flags & DNS_FLAG_RD, DNS_FLAG_RD);
}

Test(cp_upstream, forged_replies_ignored_real_one_accepted)
{
	struct cp_upq_params p;
	struct done d = {0};

	setup();
	rsp.mode = MODE_FORGE;
	/* Mixed case in the query: the answer echoes it; matching ignores case. */
	params(&p, qname_mixed, true, false);
	cr_assert_eq(cp_upstream_query(up, &p, on_done, &d, NULL), 0);
	cr_assert(run_until(&d.called, 5000));
	cr_assert_eq(d.r.status, CP_UPQ_OK);
	cr_assert_eq(dns_get_u16(d.msg), rsp.ids[0]);
	cr_assert_eq(dns_get_u16(d.msg + 2) & DNS_FLAG_QR, DNS_FLAG_QR);
	cr_assert_eq(stats().mismatched, 4, "wrong ID, wrong type, QR=0, wrong port: %lu",
		     (unsigned long)stats().mismatched);
	cr_assert_eq(stats().received, 1);
	cr_assert_eq(d.n_calls, 1);
}

Test(cp_upstream, more_forgeries_ignored_real_one_accepted)
{
	struct cp_upq_params p;
	struct done d = {0};

	setup();
	rsp.mode = MODE_FORGE_MORE;
	params(&p, qname, true, false);
	cr_assert_eq(cp_upstream_query(up, &p, on_done, &d, NULL), 0);
	cr_assert(run_until(&d.called, 5000));
	cr_assert_eq(d.r.status, CP_UPQ_OK);
	cr_assert_eq(d.r.len, DNS_HEADER_LEN + sizeof(qname) + 4 + 16, "the real answer, whole");
	cr_assert_eq(dns_get_u16(d.msg + 4), 1);
	cr_assert_eq(stats().mismatched, FORGE_MORE_N,
		     "other name, class CH, NOTIFY, QDCOUNT 0 and 2, four cut short, other"
		     " source: %lu", (unsigned long)stats().mismatched);
	cr_assert_eq(stats().received, 1);
	cr_assert_eq(d.n_calls, 1);
}

Test(cp_upstream, tcp_reply_with_wrong_id_rejected)
{
	struct cp_upq_params p;
	struct done d = {0};

	setup();
	rsp.mode = MODE_TC_BADID;
	params(&p, qname, true, false);
	cr_assert_eq(cp_upstream_query(up, &p, on_done, &d, NULL), 0);
	cr_assert(run_until(&d.called, 5000));
	cr_assert_eq(d.r.status, CP_UPQ_TRUNCATED_TCP_FAILED);
	cr_assert_null(d.r.msg);
	cr_assert_eq(rsp.tcp_queries, 1);
	cr_assert_eq(stats().mismatched, 1);
	cr_assert_eq(stats().received, 0);
}

Test(cp_upstream, timeout_when_nobody_answers)
{
	struct cp_upq_params p;
	struct done d = {0};
	uint64_t t0 = uv_hrtime();

	setup();
	rsp.mode = MODE_SILENT;
	params(&p, qname, true, false);
	p.timeout_ms = 100;
	cr_assert_eq(cp_upstream_query(up, &p, on_done, &d, NULL), 0);
	cr_assert(run_until(&d.called, 5000));
	cr_assert_eq(d.r.status, CP_UPQ_TIMEOUT);
	cr_assert_null(d.r.msg);
	cr_assert_geq((uv_hrtime() - t0) / 1000000, 99);
	cr_assert_eq(stats().timeouts, 1);
	cr_assert_eq(stats().outstanding, 0);
	cr_assert_eq(rsp.n_seen, 1);
}

Test(cp_upstream, truncated_udp_retried_over_tcp)
{
	struct cp_upq_params p;
	struct done d = {0};

	setup();
	rsp.mode = MODE_TC;
	params(&p, qname, true, false);
	cr_assert_eq(cp_upstream_query(up, &p, on_done, &d, NULL), 0);
	cr_assert(run_until(&d.called, 5000));
	cr_assert_eq(d.r.status, CP_UPQ_OK);
	cr_assert(d.r.tcp);
	cr_assert_eq(dns_get_u16(d.msg + 2) & DNS_FLAG_TC, 0);
	cr_assert_eq(dns_get_u16(d.msg + 6), 3);
	cr_assert_gt(d.r.rtt_us, 0);
	cr_assert_eq(rsp.tcp_queries, 1);
	cr_assert_eq(stats().tcp_fallbacks, 1);
	cr_assert_eq(stats().received, 1);
}

Test(cp_upstream, truncated_and_tcp_refused)
{
	struct cp_upq_params p;
	struct done d = {0};

	setup_with(NULL, "127.0.0.1", false); /* no TCP listener on the port */
	rsp.mode = MODE_TC;
	params(&p, qname, true, false);
	cr_assert_eq(cp_upstream_query(up, &p, on_done, &d, NULL), 0);
	cr_assert(run_until(&d.called, 5000));
	cr_assert_eq(d.r.status, CP_UPQ_TRUNCATED_TCP_FAILED);
	cr_assert_null(d.r.msg);
	cr_assert_eq(stats().tcp_fallbacks, 1);
	cr_assert_eq(stats().outstanding, 0);
}

Test(cp_upstream, source_ports_and_ids_differ)
{
	struct cp_upq_params p;
	struct done d[20] = {0};
	struct cp_upq *h[20];
	uint16_t local[20];
	bool ports_differ = false, ids_differ = false;

	setup();
	params(&p, qname, true, false);
	for (int i = 0; i < 20; i++) {
		cr_assert_eq(cp_upstream_query(up, &p, on_done, &d[i], &h[i]), 0);
		local[i] = cp_upq_local_port(h[i]);
		cr_assert_neq(local[i], 0);
	}
	for (int i = 0; i < 20; i++)
		cr_assert(run_until(&d[i].called, 5000));
	cr_assert_eq(rsp.n_seen, 20);
	for (int i = 0; i < 20; i++) {
		cr_assert_eq(d[i].r.status, CP_UPQ_OK);
		ports_differ |= rsp.ports[i] != rsp.ports[0];
		ids_differ |= rsp.ids[i] != rsp.ids[0];
	}
	cr_assert(ports_differ);
	cr_assert(ids_differ);
	/* Ports as the server saw them are the ones bound (any order). */
	for (int i = 0; i < 20; i++) {
		bool found = false;

		for (int j = 0; j < 20; j++)
			found |= rsp.ports[i] == local[j];
		cr_assert(found);
	}
}

Test(cp_upstream, cancel_closes_and_never_calls_back)
{
	struct cp_upq_params p;
	struct done d = {0};
	struct cp_upq *h;
	bool never = false;

	setup();
	rsp.mode = MODE_SILENT;
	params(&p, qname, true, false);
	p.timeout_ms = 50;
	cr_assert_eq(cp_upstream_query(up, &p, on_done, &d, &h), 0);
	cp_upstream_cancel(h);
	cr_assert_eq(stats().outstanding, 0);
	cr_assert_eq(stats().cancelled, 1);
	cr_assert_not(run_until(&never, 200)); /* past the timeout: nothing comes */
	cr_assert_not(d.called);
	cr_assert_eq(stats().timeouts, 0);
}

Test(cp_upstream, destroy_can_deliver_cancelled)
{
	struct cp_upstream_params upp;
	struct cp_upq_params p;
	struct done d = {0};

	cp_upstream_params_init(&upp);
	upp.cancel_on_destroy = true;
	setup_with(&upp, "127.0.0.1", true);
	rsp.mode = MODE_SILENT;
	params(&p, qname, true, false);
	cr_assert_eq(cp_upstream_query(up, &p, on_done, &d, NULL), 0);
	cp_upstream_destroy(up);
	up = NULL;
	cr_assert(d.called);
	cr_assert_eq(d.n_calls, 1);
	cr_assert_eq(d.r.status, CP_UPQ_CANCELLED);
}

Test(cp_upstream, outstanding_limit)
{
	struct cp_upstream_params upp;
	struct cp_upq_params p;
	struct done d[3] = {0};

	cp_upstream_params_init(&upp);
	upp.max_outstanding = 2;
	setup_with(&upp, "127.0.0.1", true);
	rsp.mode = MODE_SILENT;
	params(&p, qname, true, false);
	p.timeout_ms = 50;
	cr_assert_eq(cp_upstream_query(up, &p, on_done, &d[0], NULL), 0);
	cr_assert_eq(cp_upstream_query(up, &p, on_done, &d[1], NULL), 0);
	cr_assert_eq(cp_upstream_query(up, &p, on_done, &d[2], NULL), -EBUSY);
	cr_assert_eq(stats().rejected, 1);
	cr_assert_eq(stats().outstanding, 2);
	cr_assert(run_until(&d[0].called, 5000));
	cr_assert(run_until(&d[1].called, 5000));
	cr_assert_not(d[2].called);
	/* Room again once they are done. */
	cr_assert_eq(cp_upstream_query(up, &p, on_done, &d[2], NULL), 0);
	cr_assert(run_until(&d[2].called, 5000));
	cr_assert_eq(d[2].r.status, CP_UPQ_TIMEOUT);
}

Test(cp_upstream, bad_params_rejected)
{
	struct cp_upq_params p;
	struct done d = {0};
	static const uint8_t bad[] = "\100aaaa"; /* label length 64 */

	setup();
	params(&p, qname, true, false);
	p.server.ss_family = AF_UNIX;
	cr_assert_eq(cp_upstream_query(up, &p, on_done, &d, NULL), -EINVAL);
	params(&p, bad, true, false);
	cr_assert_eq(cp_upstream_query(up, &p, on_done, &d, NULL), -EINVAL);
	cr_assert_eq(stats().outstanding, 0);
}

Test(cp_upstream, ipv6_loopback)
{
	struct cp_upq_params p;
	struct done d = {0};

	memset(&rsp, 0, sizeof(rsp));
	cr_assert_eq(uv_loop_init(&loop), 0);
	if (!responder_start("::1", true)) {
		up = cp_upstream_create(&loop, NULL);
		cr_skip_test("no IPv6 loopback");
	}
	up = cp_upstream_create(&loop, NULL);
	cr_assert_not_null(up);
	params(&p, qname, true, false);
	cr_assert_eq(cp_upstream_query(up, &p, on_done, &d, NULL), 0);
	cr_assert(run_until(&d.called, 5000));
	cr_assert_eq(d.r.status, CP_UPQ_OK);
}

/*
 * A scripted network behind struct cp_net, the way the iterator's tests will use
 * it: queries are recorded, the test answers them when it likes.
 */
struct fake_q {
	struct cp_upq_params p;
	uint8_t name[DNS_NAME_MAXLEN];
	cp_upq_done_fn cb;
	void *arg;
	bool live;
};

struct fake_net {
	struct fake_q q[8];
	unsigned n;
	unsigned cancels;
};

static int
fake_query(void *ctx, const struct cp_upq_params *p, cp_upq_done_fn cb, void *arg, void **handle)
{
	struct fake_net *f = ctx;
	struct fake_q *q;

	if (f->n == 8)
		return -EBUSY;
	q = &f->q[f->n++];
	q->p = *p;
	memcpy(q->name, p->qname, dns_name_length(p->qname));
	q->p.qname = q->name;
	q->cb = cb;
	q->arg = arg;
	q->live = true;
	if (handle != NULL)
		*handle = q;
	return 0;
}

static void
fake_cancel(void *ctx, void *handle)
{
	struct fake_net *f = ctx;
	struct fake_q *q = handle;

	q->live = false;
	f->cancels++;
}

static const struct cp_net_ops fake_ops = {.query = fake_query, .cancel = fake_cancel};

static void
fake_answer(struct fake_q *q, enum cp_upq_status st, const uint8_t *msg, uint16_t len)
{
	struct cp_upq_result r = {.status = st, .msg = msg, .len = len, .rtt_us = 1234};

	cr_assert(q->live);
	q->live = false;
	q->cb(q->arg, &r);
}

/* What an iterator does: ask through the interface, never knowing which network it is. */
static int
ask(const struct cp_net *net, const struct sockaddr_storage *srv, const uint8_t *name,
    struct done *d, void **h)
{
	struct cp_upq_params p = {.server = *srv, .qname = name, .qtype = DNS_TYPE_A,
				  .qclass = DNS_CLASS_IN, .edns = true};

	return cp_net_query(net, &p, on_done, d, h);
}

Test(cp_upstream, net_interface_with_scripted_fake)
{
	struct fake_net f = {0};
	struct cp_net net = {.ops = &fake_ops, .ctx = &f};
	struct done d1 = {0}, d2 = {0};
	void *h1, *h2;
	uint8_t reply[64];
	uint8_t query[64] = {0};
	size_t len;

	setup();
	cr_assert_eq(ask(&net, &rsp.addr, qname, &d1, &h1), 0);
	cr_assert_eq(ask(&net, &rsp.addr, qname_mixed, &d2, &h2), 0);
	cr_assert_eq(f.n, 2);
	cr_assert(dns_name_equal(f.q[0].p.qname, qname));
	cr_assert_eq(f.q[0].p.qtype, DNS_TYPE_A);
	cp_net_cancel(&net, h2);
	cr_assert_eq(f.cancels, 1);
	cr_assert_not(f.q[1].live);
	/* Script the first answer. */
	dns_put_u16(query + 4, 1);
	memcpy(query + DNS_HEADER_LEN, qname, sizeof(qname));
	dns_put_u16(query + DNS_HEADER_LEN + sizeof(qname), DNS_TYPE_A);
	dns_put_u16(query + DNS_HEADER_LEN + sizeof(qname) + 2, DNS_CLASS_IN);
	len = make_reply(query, DNS_HEADER_LEN + sizeof(qname) + 4, reply, 1, false, 0, 0, true);
	fake_answer(&f.q[0], CP_UPQ_OK, reply, (uint16_t)len);
	cr_assert(d1.called);
	cr_assert_eq(d1.r.status, CP_UPQ_OK);
	cr_assert_eq(d1.r.rtt_us, 1234);
	cr_assert_not(d2.called);

	/* The same caller on the real network. */
	struct cp_net real = cp_upstream_net(up);
	struct done d3 = {0}, d4 = {0};
	void *h3, *h4;

	cr_assert_eq(ask(&real, &rsp.addr, qname, &d3, &h3), 0);
	cr_assert_not_null(h3);
	cr_assert(run_until(&d3.called, 5000));
	cr_assert_eq(d3.r.status, CP_UPQ_OK);
	rsp.mode = MODE_SILENT;
	cr_assert_eq(ask(&real, &rsp.addr, qname, &d4, &h4), 0);
	cp_net_cancel(&real, h4);
	cr_assert_eq(stats().cancelled, 1);
	cr_assert_eq(stats().outstanding, 0);
}
