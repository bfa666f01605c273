/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the DNS-over-TCP listener (control/cp_tcp.c) over loopback sockets. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <uv.h>

#include "cp_tcp.h"

/*
 * The test drives the loop itself (UV_RUN_NOWAIT, waiting in poll(2) on the
 * loop's backend fd and the client socket together), so everything runs in one
 * thread: no locks, and the listener's counters can be read at any time.
 * Clients are ordinary blocking sockets; every wait for them is a bounded poll.
 */

#define WAIT_MS 3000 /* upper bound on any wait for something that should happen */
#define QLEN    24   /* header + "a.test" A IN */
#define QLEN_E  (QLEN + 11)

/* An answer the test ops will send later (timer), for the asynchronous cases. */
struct pend {
	uv_timer_t timer;
	struct pend *next;
	struct cp_tcp_conn *conn; /* NULL once ops->closed said it is gone */
	uint16_t len;
	uint8_t msg[];
};

static struct env {
	uv_loop_t loop;
	struct cp_tcp *tcp;
	struct cp_tcp_params p;
	struct sockaddr_storage addrs[2];
	/* what the ops does */
	unsigned delay_ms; /* 0: answer inside ops->query */
	bool delay_even;   /* delay only queries with an even ID */
	bool drop;         /* cp_tcp_done() instead of an answer */
	size_t answer_len; /* pad answers with zeros to this length */
	/* what it saw */
	unsigned n_query;
	unsigned n_sent;        /* cp_tcp_send calls */
	unsigned n_closed;
	unsigned n_dead_timers; /* answers not sent because their conn was closed */
	unsigned max_pending;
	struct pend *pends;
	struct cp_tcp_conn *last_conn;
	uint8_t buf[65536 + 16];
} e;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- Test ops ----------------------------------------------------------------------- */

static void
answer(struct cp_tcp_conn *conn, const uint8_t *msg, uint16_t len)
{
	size_t n = len > e.answer_len ? len : e.answer_len;

	memset(e.buf, 0, n);
	memcpy(e.buf, msg, len);
	e.buf[2] |= 0x80; /* QR */
	e.n_sent++;
	cp_tcp_send(conn, e.buf, (uint16_t)n);
}

static void
pend_free(uv_handle_t *h)
{
	free(h);
}

static void
on_pend(uv_timer_t *tm)
{
	struct pend *p = (struct pend *)tm, **pp = &e.pends;

	while (*pp != p)
		pp = &(*pp)->next;
	*pp = p->next;
	if (p->conn != NULL)
		answer(p->conn, p->msg, p->len);
	else
		e.n_dead_timers++;
	uv_close((uv_handle_t *)&p->timer, pend_free);
}

static void
t_query(void *ctx, struct cp_tcp_conn *conn, const uint8_t *msg, uint16_t len,
	const struct sockaddr *peer)
{
	(void)ctx;
	cr_assert_geq(len, 12);
	cr_assert(peer->sa_family == AF_INET || peer->sa_family == AF_INET6);
	e.n_query++;
	e.last_conn = conn;
	if (cp_tcp_conn_pending(conn) > e.max_pending)
		e.max_pending = cp_tcp_conn_pending(conn);
	if (e.drop) {
		cp_tcp_done(conn);
		return;
	}
	if (e.delay_ms == 0 || (e.delay_even && (msg[1] & 1) != 0)) {
		answer(conn, msg, len);
		return;
	}
	struct pend *p = malloc(sizeof(*p) + len);
	cr_assert_not_null(p);
	p->conn = conn;
	p->len = len;
	memcpy(p->msg, msg, len);
	p->next = e.pends;
	e.pends = p;
	uv_timer_init(&e.loop, &p->timer);
	uv_timer_start(&p->timer, on_pend, e.delay_ms, 0);
}

static void
t_closed(void *ctx, struct cp_tcp_conn *conn)
{
	(void)ctx;
	e.n_closed++;
	cr_assert_gt(cp_tcp_conn_pending(conn), 0);
	for (struct pend *p = e.pends; p != NULL; p = p->next) {
		if (p->conn == conn)
			p->conn = NULL;
	}
}

static const struct cp_tcp_ops t_ops = { .query = t_query, .closed = t_closed };

/* ---- Loop and listener -------------------------------------------------------------- */

/* Wait up to @p max_ms for loop events, then run what is ready. */
static void
step(int max_ms)
{
	struct pollfd p = { .fd = uv_backend_fd(&e.loop), .events = POLLIN };
	int t = uv_backend_timeout(&e.loop);

	if (t < 0 || t > max_ms)
		t = max_ms;
	(void)poll(&p, 1, t);
	uv_run(&e.loop, UV_RUN_NOWAIT);
}

/* Run the loop until @p expr holds or @p ms pass. @return whether it holds. */
#define PUMP_UNTIL(expr, ms)                                                                       \
	({                                                                                         \
		uint64_t end_ = now_ms() + (ms);                                                   \
		bool ok_;                                                                          \
		while (!(ok_ = (expr)) && now_ms() < end_)                                         \
			step(10);                                                                  \
		ok_;                                                                               \
	})

static void
pump_for(int ms)
{
	uint64_t end = now_ms() + (uint64_t)ms;

	while (now_ms() < end)
		step((int)(end - now_ms()));
}

static struct cp_tcp_stats
stats(void)
{
	struct cp_tcp_stats s;

	cp_tcp_get_stats(e.tcp, &s);
	return s;
}

static void
set_addr(struct sockaddr_storage *ss, int family)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}
}

static bool
have_ipv6(void)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	bool ok = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;

	if (fd >= 0)
		close(fd);
	return ok;
}

static void
setup(void)
{
	memset(&e, 0, sizeof(e));
	cr_assert_eq(uv_loop_init(&e.loop), 0);
	cp_tcp_params_init(&e.p);
	set_addr(&e.addrs[0], AF_INET);
	e.p.addrs = e.addrs;
	e.p.n_addrs = 1;
	e.p.port = 0;
}

static void
start(void)
{
	e.tcp = cp_tcp_create(&e.loop, &e.p, &t_ops, NULL);
	cr_assert_not_null(e.tcp, "cp_tcp_create: %s", strerror(errno));
	cr_assert_neq(cp_tcp_port(e.tcp), 0);
}

/* Destroy everything and check that no handle is left behind. */
static void
teardown(void)
{
	cp_tcp_destroy(e.tcp);
	e.tcp = NULL;
	while (e.pends != NULL) {
		struct pend *p = e.pends;
		e.pends = p->next;
		uv_close((uv_handle_t *)&p->timer, pend_free);
	}
	uv_run(&e.loop, UV_RUN_DEFAULT);
	cr_assert_eq(uv_loop_close(&e.loop), 0, "handles left open");
}

/* ---- Client ------------------------------------------------------------------------- */

static int
client(int family)
{
	struct sockaddr_storage ss;
	socklen_t len = family == AF_INET6 ? sizeof(struct sockaddr_in6)
					   : sizeof(struct sockaddr_in);
	int fd = socket(family, SOCK_STREAM, 0);

	cr_assert_geq(fd, 0);
	set_addr(&ss, family);
	((struct sockaddr_in *)&ss)->sin_port = htons(cp_tcp_port(e.tcp)); /* same offset in v6 */
	cr_assert_eq(connect(fd, (struct sockaddr *)&ss, len), 0, "connect: %s", strerror(errno));
	return fd;
}

/* Wait (running the loop) until @p fd has @p ev. */
static bool
wait_fd(int fd, short ev, int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;

	for (;;) {
		struct pollfd c = { .fd = fd, .events = ev };
		struct pollfd p[2] = {
			{ .fd = fd, .events = ev },
			{ .fd = uv_backend_fd(&e.loop), .events = POLLIN },
		};
		uint64_t now;
		int t;

		uv_run(&e.loop, UV_RUN_NOWAIT);
		if (poll(&c, 1, 0) > 0)
			return true;
		now = now_ms();
		if (now >= end)
			return false;
		t = uv_backend_timeout(&e.loop);
		if (t < 0 || (uint64_t)t > end - now)
			t = (int)(end - now);
		(void)poll(p, 2, t);
	}
}

/* Send all of @p buf without ever blocking the (single) thread that runs the server. */
static void
send_all(int fd, const void *buf, size_t len)
{
	const uint8_t *b = buf;

	while (len > 0) {
		ssize_t n = send(fd, b, len, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			cr_assert(errno == EAGAIN || errno == EWOULDBLOCK, "send: %s",
				  strerror(errno));
			cr_assert(wait_fd(fd, POLLOUT, WAIT_MS));
			continue;
		}
		b += n;
		len -= (size_t)n;
	}
}

/* @return n, 0 at EOF, -ETIMEDOUT, or -errno (ECONNRESET). */
static ssize_t
recv_exact(int fd, uint8_t *buf, size_t n, int timeout_ms)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r;

		if (!wait_fd(fd, POLLIN, timeout_ms))
			return -ETIMEDOUT;
		r = recv(fd, buf + got, n - got, MSG_DONTWAIT);
		if (r == 0)
			return 0;
		if (r < 0) {
			if (errno == EAGAIN)
				continue;
			return -errno;
		}
		got += (size_t)r;
	}
	return (ssize_t)n;
}

/* One framed message into @p buf. @return its length, or <= 0 as recv_exact(). */
static ssize_t
recv_msg(int fd, uint8_t *buf, int timeout_ms)
{
	uint8_t h[2];
	ssize_t r = recv_exact(fd, h, 2, timeout_ms);

	if (r <= 0)
		return r == 0 ? -EPIPE : r;
	r = recv_exact(fd, buf, (size_t)(h[0] << 8 | h[1]), timeout_ms);
	return r == 0 ? -EPIPE : r;
}

/* The server closed: EOF (or a reset, for the abortive closes). */
static bool
closed_by_server(int fd, int timeout_ms)
{
	uint8_t b[256];

	for (;;) {
		ssize_t r;

		if (!wait_fd(fd, POLLIN, timeout_ms))
			return false;
		r = recv(fd, b, sizeof(b), MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno == ECONNRESET))
			return true;
		if (r < 0 && errno != EAGAIN)
			return false;
		/* data: an answer still in flight, read past it */
	}
}

/* A query for a.test A IN with ID @p id, framed; EDNS (OPT, 1232) if @p edns. */
static size_t
make_query(uint8_t *out, uint16_t id, bool edns)
{
	static const uint8_t q[] = { 1, 'a', 4, 't', 'e', 's', 't', 0, 0, 1, 0, 1 };
	static const uint8_t opt[] = { 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0 };
	uint8_t *m = out + 2;
	size_t len = QLEN + (edns ? sizeof(opt) : 0);

	memset(m, 0, 12);
	m[0] = (uint8_t)(id >> 8);
	m[1] = (uint8_t)id;
	m[2] = 0x01; /* RD */
	m[5] = 1;    /* QDCOUNT */
	m[11] = edns ? 1 : 0;
	memcpy(m + 12, q, sizeof(q));
	if (edns)
		memcpy(m + QLEN, opt, sizeof(opt));
	out[0] = 0;
	out[1] = (uint8_t)len;
	return len + 2;
}

static void
send_query(int fd, uint16_t id)
{
	uint8_t b[64];

	send_all(fd, b, make_query(b, id, false));
}

/* Receive one answer and check it echoes query @p id. */
static void
expect_answer(int fd, uint16_t id)
{
	uint8_t b[512];
	ssize_t n = recv_msg(fd, b, WAIT_MS);

	cr_assert_eq(n, QLEN, "answer length %zd", n);
	cr_assert_eq(b[0] << 8 | b[1], id);
	cr_assert(b[2] & 0x80, "QR set");
}

/* ---- Framing and pipelining --------------------------------------------------------- */

TestSuite(cp_tcp, .init = setup, .fini = teardown, .timeout = 30);

Test(cp_tcp, one_query_one_answer)
{
	start();
	int fd = client(AF_INET);

	send_query(fd, 0x1234);
	expect_answer(fd, 0x1234);
	struct cp_tcp_stats s = stats();
	cr_assert_eq(s.accepted, 1);
	cr_assert_eq(s.active, 1);
	cr_assert_eq(s.queries, 1);
	cr_assert_eq(s.replies, 1);
	cr_assert_eq(s.bytes_in, QLEN + 2);
	cr_assert_eq(s.bytes_out, QLEN + 2);
	close(fd);
	cr_assert(PUMP_UNTIL(stats().active == 0, WAIT_MS));
	cr_assert_eq(e.n_closed, 0, "nothing pending: no closed call");
}

Test(cp_tcp, several_queries_on_one_connection)
{
	start();
	int fd = client(AF_INET);

	for (uint16_t id = 1; id <= 5; id++) {
		send_query(fd, id);
		expect_answer(fd, id);
	}
	cr_assert_eq(stats().accepted, 1);
	cr_assert_eq(stats().queries, 5);
	close(fd);
}

Test(cp_tcp, pipelined_answers_out_of_order)
{
	uint8_t b[10 * 64], m[512];
	size_t len = 0;
	unsigned seen = 0, order[10];

	e.delay_ms = 60;
	e.delay_even = true; /* even IDs answered later than the odd ones after them */
	start();
	int fd = client(AF_INET);
	for (uint16_t id = 1; id <= 10; id++)
		len += make_query(b + len, id, false);
	send_all(fd, b, len); /* one write */
	for (unsigned i = 0; i < 10; i++) {
		cr_assert_eq(recv_msg(fd, m, WAIT_MS), QLEN);
		unsigned id = (unsigned)(m[0] << 8 | m[1]);
		cr_assert(id >= 1 && id <= 10);
		cr_assert_eq(seen & (1u << id), 0, "ID %u answered twice", id);
		seen |= 1u << id;
		order[i] = id;
	}
	cr_assert_eq(seen, 0x7feu);
	for (unsigned i = 0; i < 5; i++)
		cr_assert(order[i] & 1, "answer %u is ID %u: delayed ones come last", i,
			  order[i]);
	cr_assert_eq(e.max_pending, 5, "four delayed + the one being dispatched");
	close(fd);
}

Test(cp_tcp, query_split_into_one_byte_writes)
{
	uint8_t b[64];
	size_t len;
	int one = 1;

	start();
	int fd = client(AF_INET);
	cr_assert_eq(setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)), 0);
	len = make_query(b, 77, false);
	for (size_t i = 0; i < len; i++) {
		send_all(fd, b + i, 1);
		pump_for(2);
		if (i + 1 < len)
			cr_assert_eq(stats().queries, 0, "complete after byte %zu of %zu?",
				     i + 1, len);
	}
	expect_answer(fd, 77);
	cr_assert_eq(stats().bytes_in, len);
	close(fd);
}

Test(cp_tcp, two_queries_in_one_segment)
{
	uint8_t b[128];
	size_t len;

	start();
	int fd = client(AF_INET);
	len = make_query(b, 1, false);
	len += make_query(b + len, 2, false);
	send_all(fd, b, len);
	expect_answer(fd, 1);
	expect_answer(fd, 2);
	close(fd);
}

Test(cp_tcp, large_query_grows_the_buffer)
{
	uint8_t *b = calloc(1, 65537), m[2];

	start();
	int fd = client(AF_INET);
	make_query(b, 0x4242, false);
	b[0] = b[1] = 0xff; /* 65535 bytes: the question, then zeros */
	send_all(fd, b, 65537);
	cr_assert_eq(recv_exact(fd, m, 2, WAIT_MS), 2);
	cr_assert_eq(m[0] << 8 | m[1], 65535);
	cr_assert_eq(recv_exact(fd, b, 65535, WAIT_MS), 65535);
	cr_assert_eq(b[0] << 8 | b[1], 0x4242);
	send_query(fd, 5); /* and small ones still work after it */
	expect_answer(fd, 5);
	free(b);
	close(fd);
}

/* ---- Malformed input ---------------------------------------------------------------- */

Test(cp_tcp, zero_length_message_closes)
{
	start();
	int fd = client(AF_INET);

	send_all(fd, "\0\0", 2);
	cr_assert(closed_by_server(fd, WAIT_MS));
	cr_assert_eq(stats().malformed, 1);
	cr_assert_eq(stats().queries, 0);
	cr_assert(PUMP_UNTIL(stats().active == 0, WAIT_MS));
	close(fd);
}

Test(cp_tcp, short_message_closes)
{
	start();
	int fd = client(AF_INET);

	send_query(fd, 9);
	expect_answer(fd, 9);
	send_all(fd, "\0\5abcde", 7);
	cr_assert(closed_by_server(fd, WAIT_MS));
	cr_assert_eq(stats().malformed, 1);
	cr_assert_eq(stats().queries, 1);
	close(fd);
}

/* ---- Timeouts ----------------------------------------------------------------------- */

Test(cp_tcp, idle_timeout_closes)
{
	e.p.idle_timeout_ms = 200;
	start();
	int fd = client(AF_INET);

	send_query(fd, 1);
	expect_answer(fd, 1);
	uint64_t t0 = now_ms();
	cr_assert(closed_by_server(fd, WAIT_MS));
	uint64_t dt = now_ms() - t0;
	cr_assert(dt >= 150 && dt < 2000, "closed after %llu ms", (unsigned long long)dt);
	cr_assert_eq(stats().idle_closed, 1);
	close(fd);
}

Test(cp_tcp, idle_timeout_reset_by_each_query)
{
	e.p.idle_timeout_ms = 400;
	start();
	int fd = client(AF_INET);
	uint64_t t0 = now_ms();

	/* Queries 250 ms apart keep it open well past one timeout. */
	for (uint16_t id = 1; id <= 4; id++) {
		send_query(fd, id);
		expect_answer(fd, id);
		if (id < 4)
			pump_for(250);
	}
	cr_assert_geq(now_ms() - t0, 700);
	cr_assert_eq(stats().idle_closed, 0);
	cr_assert(closed_by_server(fd, WAIT_MS));
	cr_assert_eq(stats().idle_closed, 1);
	close(fd);
}

Test(cp_tcp, partial_query_does_not_keep_it_open)
{
	uint8_t b[64];

	e.p.idle_timeout_ms = 200;
	start();
	int fd = client(AF_INET);
	make_query(b, 1, false);
	send_all(fd, b, 5);
	pump_for(120);
	send_all(fd, b + 5, 5); /* still incomplete: not activity */
	uint64_t t0 = now_ms();
	cr_assert(closed_by_server(fd, WAIT_MS));
	/* About 80 ms here; 200 or more had the bytes restarted the timer. */
	cr_assert_lt(now_ms() - t0, 190, "the timer ran from the connect, not the last byte");
	cr_assert_eq(stats().idle_closed, 1);
	close(fd);
}

Test(cp_tcp, dropped_query_counts_and_idles_out)
{
	e.drop = true;
	e.p.idle_timeout_ms = 200;
	start();
	int fd = client(AF_INET);

	send_query(fd, 1);
	cr_assert(closed_by_server(fd, WAIT_MS), "pending back to 0 after cp_tcp_done");
	cr_assert_eq(stats().dropped, 1);
	cr_assert_eq(stats().replies, 0);
	cr_assert_eq(stats().idle_closed, 1);
	cr_assert_eq(e.n_closed, 0);
	close(fd);
}

/* ---- Limits ------------------------------------------------------------------------- */

Test(cp_tcp, max_connections_enforced)
{
	e.p.max_connections = 2;
	start();
	int a = client(AF_INET), b = client(AF_INET);

	send_query(a, 1);
	expect_answer(a, 1);
	send_query(b, 2);
	expect_answer(b, 2);
	int c = client(AF_INET);
	cr_assert(closed_by_server(c, WAIT_MS), "third connection accepted and closed");
	cr_assert_eq(stats().rejected_full, 1);
	cr_assert_eq(stats().accepted, 2);
	send_query(a, 3);
	expect_answer(a, 3);
	close(a);
	cr_assert(PUMP_UNTIL(stats().active == 1, WAIT_MS));
	int d = client(AF_INET);
	send_query(d, 4);
	expect_answer(d, 4);
	cr_assert_eq(stats().accepted, 3);
	close(b);
	close(c);
	close(d);
}

Test(cp_tcp, max_queries_per_connection)
{
	uint8_t b[5 * 64];
	size_t len = 0;

	e.p.max_queries_per_conn = 3;
	start();
	int fd = client(AF_INET);
	for (uint16_t id = 1; id <= 5; id++)
		len += make_query(b + len, id, false);
	send_all(fd, b, len);
	for (uint16_t id = 1; id <= 3; id++)
		expect_answer(fd, id);
	uint8_t m[64];
	cr_assert_eq(recv_msg(fd, m, WAIT_MS), -EPIPE, "EOF after the third answer");
	cr_assert_eq(stats().queries, 3);
	cr_assert_eq(stats().limit_closed, 1);
	close(fd);
	cr_assert(PUMP_UNTIL(stats().active == 0, WAIT_MS));
}

Test(cp_tcp, max_queries_waits_for_async_answers)
{
	uint8_t m[64];

	e.p.max_queries_per_conn = 2;
	e.delay_ms = 80;
	start();
	int fd = client(AF_INET);
	send_query(fd, 1);
	send_query(fd, 2);
	send_query(fd, 3); /* past the limit: read and discarded */
	expect_answer(fd, 1);
	expect_answer(fd, 2);
	cr_assert_eq(recv_msg(fd, m, WAIT_MS), -EPIPE);
	cr_assert_eq(stats().queries, 2);
	cr_assert_eq(e.n_closed, 0);
	close(fd);
}

Test(cp_tcp, backpressure_max_pending)
{
	uint8_t b[8 * 64], m[64];
	size_t len = 0;
	unsigned seen = 0;

	e.p.max_pending_per_conn = 2;
	e.delay_ms = 40;
	start();
	int fd = client(AF_INET);
	for (uint16_t id = 1; id <= 8; id++)
		len += make_query(b + len, id, false);
	send_all(fd, b, len);
	for (unsigned i = 0; i < 8; i++) {
		cr_assert_eq(recv_msg(fd, m, WAIT_MS), QLEN);
		seen |= 1u << (m[0] << 8 | m[1]);
	}
	cr_assert_eq(seen, 0x1feu);
	cr_assert_eq(e.max_pending, 2, "never more than 2 pending (saw %u)", e.max_pending);
	cr_assert_eq(stats().queries, 8);
	close(fd);
}

Test(cp_tcp, write_queue_bound_closes_non_reader)
{
	uint8_t q[64];
	size_t qlen;
	int small = 4096;
	uint64_t end;

	e.p.max_write_queue = 64 * 1024;
	e.answer_len = 16 * 1024;
	e.p.max_queries_per_conn = 0;
	start();
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_eq(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(cp_tcp_port(e.tcp)),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	qlen = make_query(q, 1, false);
	/* Ask for 16 KiB answers and never read them. */
	end = now_ms() + 10000;
	while (stats().wq_closed == 0 && now_ms() < end) {
		if (send(fd, q, qlen, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno != EAGAIN)
			break;
		step(0);
	}
	cr_assert_eq(stats().wq_closed, 1);
	cr_assert(PUMP_UNTIL(stats().active == 0, WAIT_MS));
	cr_assert(closed_by_server(fd, WAIT_MS));
	close(fd);
}

Test(cp_tcp, close_from_inside_query_is_safe)
{
	uint8_t b[3 * 64];
	size_t len = 0;

	/* The second synchronous answer overflows the queue inside ops->query. */
	e.p.max_write_queue = 100;
	e.answer_len = 80;
	start();
	int fd = client(AF_INET);
	for (uint16_t id = 1; id <= 3; id++)
		len += make_query(b + len, id, false);
	send_all(fd, b, len);
	cr_assert(closed_by_server(fd, WAIT_MS));
	cr_assert_eq(stats().wq_closed, 1);
	cr_assert_eq(stats().queries, 2, "nothing dispatched after the close");
	cr_assert(PUMP_UNTIL(stats().active == 0, WAIT_MS));
	cr_assert_eq(e.n_closed, 0, "both ended by cp_tcp_send");
	close(fd);
}

Test(cp_tcp, answer_with_nothing_pending_is_ignored)
{
	uint8_t m[64];

	start();
	int fd = client(AF_INET);
	send_query(fd, 1);
	expect_answer(fd, 1);
	cp_tcp_send(e.last_conn, m, 20); /* a daemon bug: logged, not sent */
	cp_tcp_done(e.last_conn);
	cr_assert_eq(stats().replies, 1);
	cr_assert_eq(stats().dropped, 0);
	send_query(fd, 2);
	expect_answer(fd, 2); /* and the stream is still in step */
	close(fd);
}

/* ---- Clients that go away ----------------------------------------------------------- */

Test(cp_tcp, client_reset_with_pending_calls_closed_once)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	e.delay_ms = 200;
	start();
	int fd = client(AF_INET);
	send_query(fd, 1);
	send_query(fd, 2);
	send_query(fd, 3);
	cr_assert(PUMP_UNTIL(e.n_query == 3, WAIT_MS));
	cr_assert_eq(setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)), 0);
	close(fd); /* RST */
	cr_assert(PUMP_UNTIL(e.n_closed == 1, WAIT_MS));
	cr_assert(PUMP_UNTIL(e.n_dead_timers == 3, WAIT_MS), "the answers found conn gone");
	pump_for(50);
	cr_assert_eq(e.n_closed, 1);
	cr_assert_eq(stats().replies, 0);
	cr_assert_eq(stats().active, 0);
	cr_assert_eq(stats().errors, 1);
}

Test(cp_tcp, client_close_with_pending_is_clean)
{
	e.delay_ms = 100;
	start();
	int fd = client(AF_INET);
	send_query(fd, 1);
	send_query(fd, 2);
	send_query(fd, 3);
	cr_assert(PUMP_UNTIL(e.n_query == 3, WAIT_MS));
	close(fd); /* FIN: answers still go out; the peer's RST then ends it */
	cr_assert(PUMP_UNTIL(stats().active == 0, WAIT_MS));
	cr_assert(PUMP_UNTIL(e.pends == NULL, WAIT_MS));
	cr_assert_leq(e.n_closed, 1);
	cr_assert_eq(e.n_dead_timers + e.n_sent, 3, "each answer sent or cancelled");
	cr_assert_leq(stats().replies, e.n_sent);
}

Test(cp_tcp, half_closed_client_still_answered)
{
	uint8_t m[64];

	e.delay_ms = 80;
	start();
	int fd = client(AF_INET);
	send_query(fd, 1);
	send_query(fd, 2);
	cr_assert(PUMP_UNTIL(e.n_query == 2, WAIT_MS));
	cr_assert_eq(shutdown(fd, SHUT_WR), 0);
	expect_answer(fd, 1);
	expect_answer(fd, 2);
	cr_assert_eq(recv_msg(fd, m, WAIT_MS), -EPIPE);
	cr_assert(PUMP_UNTIL(stats().active == 0, WAIT_MS));
	cr_assert_eq(e.n_closed, 0);
	close(fd);
}

Test(cp_tcp, destroy_calls_closed_for_pending)
{
	e.delay_ms = 10000;
	start();
	int a = client(AF_INET), b = client(AF_INET), c = client(AF_INET);
	send_query(a, 1);
	send_query(b, 2);
	cr_assert(PUMP_UNTIL(e.n_query == 2 && stats().accepted == 3, WAIT_MS));
	cp_tcp_destroy(e.tcp);
	e.tcp = NULL;
	cr_assert_eq(e.n_closed, 2, "synchronously, for the two with a query pending");
	for (struct pend *p = e.pends; p != NULL; p = p->next)
		cr_assert_null(p->conn);
	cr_assert(closed_by_server(a, WAIT_MS));
	cr_assert(closed_by_server(c, WAIT_MS));
	close(a);
	close(b);
	close(c);
}

/* ---- Addresses ---------------------------------------------------------------------- */

Test(cp_tcp, ipv6)
{
	if (!have_ipv6())
		cr_skip_test("no IPv6 loopback");
	set_addr(&e.addrs[0], AF_INET6);
	start();
	int fd = client(AF_INET6);
	send_query(fd, 6);
	expect_answer(fd, 6);
	close(fd);
}

Test(cp_tcp, v4_and_v6_share_the_chosen_port)
{
	if (!have_ipv6())
		cr_skip_test("no IPv6 loopback");
	set_addr(&e.addrs[1], AF_INET6);
	e.p.n_addrs = 2;
	start();
	int a = client(AF_INET), b = client(AF_INET6);
	send_query(a, 4);
	send_query(b, 6);
	expect_answer(a, 4);
	expect_answer(b, 6);
	close(a);
	close(b);
}

Test(cp_tcp, port_in_use_fails)
{
	start();
	struct cp_tcp_params p = e.p;
	p.port = cp_tcp_port(e.tcp);
	errno = 0;
	cr_assert_null(cp_tcp_create(&e.loop, &p, &t_ops, NULL));
	cr_assert_eq(errno, EADDRINUSE);
}

Test(cp_tcp, freebind_accepts_an_address_not_yet_configured)
{
	struct sockaddr_in *a = (struct sockaddr_in *)&e.addrs[0];

	a->sin_addr.s_addr = htonl(0xc612fffe); /* 198.18.255.254: test range, on no interface */
	start();
}

Test(cp_tcp, bad_params_rejected)
{
	struct cp_tcp_params p = e.p;

	p.n_addrs = 0;
	cr_assert_null(cp_tcp_create(&e.loop, &p, &t_ops, NULL));
	cr_assert_eq(errno, EINVAL);
	p = e.p;
	p.max_pending_per_conn = 0;
	cr_assert_null(cp_tcp_create(&e.loop, &p, &t_ops, NULL));
	p = e.p;
	e.addrs[1].ss_family = AF_UNIX;
	p.n_addrs = 2;
	cr_assert_null(cp_tcp_create(&e.loop, &p, &t_ops, NULL));
	struct cp_tcp_ops no_query = { .closed = t_closed };
	cr_assert_null(cp_tcp_create(&e.loop, &e.p, &no_query, NULL));
}

/* ---- RFC 7828 ----------------------------------------------------------------------- */

/* Offset of the keepalive TIMEOUT in an echoed EDNS answer, after the OPT's 11 bytes. */
#define KA_AT (QLEN_E + 4)

Test(cp_tcp, keepalive_added_to_edns_answers)
{
	uint8_t b[128], m[128];

	e.p.idle_timeout_ms = 2500;
	start();
	int fd = client(AF_INET);
	send_all(fd, b, make_query(b, 1, true));
	cr_assert_eq(recv_msg(fd, m, WAIT_MS), QLEN_E + 6);
	cr_assert_eq(m[QLEN_E - 2] << 8 | m[QLEN_E - 1], 6, "OPT RDLENGTH");
	cr_assert_eq(m[QLEN_E] << 8 | m[QLEN_E + 1], 11, "edns-tcp-keepalive");
	cr_assert_eq(m[QLEN_E + 2] << 8 | m[QLEN_E + 3], 2);
	cr_assert_eq(m[KA_AT] << 8 | m[KA_AT + 1], 25, "TIMEOUT in 100 ms units");
	send_query(fd, 2); /* no EDNS: no option */
	expect_answer(fd, 2);
	close(fd);
}

Test(cp_tcp, keepalive_zero_on_last_query)
{
	uint8_t b[128], m[128];

	e.p.max_queries_per_conn = 1;
	start();
	int fd = client(AF_INET);
	send_all(fd, b, make_query(b, 1, true));
	cr_assert_eq(recv_msg(fd, m, WAIT_MS), QLEN_E + 6);
	cr_assert_eq(m[KA_AT] << 8 | m[KA_AT + 1], 0, "TIMEOUT 0: the server closes");
	cr_assert(closed_by_server(fd, WAIT_MS));
	close(fd);
}

Test(cp_tcp, keepalive_off)
{
	uint8_t b[128], m[128];

	e.p.keepalive = false;
	start();
	int fd = client(AF_INET);
	send_all(fd, b, make_query(b, 1, true));
	cr_assert_eq(recv_msg(fd, m, WAIT_MS), QLEN_E);
	close(fd);
}
