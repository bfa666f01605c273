/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * velodns: the daemon. Reads the configuration, brings the dataplane up, runs
 * the control thread's event loop on the EAL main lcore until SIGTERM/SIGINT,
 * then takes everything down again (no XDP program, TAP or socket left behind).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "cp_answer.h"
#include "cp_commands.h"
#include "cp_daemon.h"
#include "cp_dataplane.h"
#include "cp_flight.h"
#include "cp_localdata.h"
#include "cp_push.h"
#include "cp_resolver.h"
#include "cp_tcp.h"
#include "dns_serve.h"
#include "dp_doorbell.h"
#include "vd_log.h"
#include "vd_time.h"

#define TICK_MS          1     /* punt rings are polled at least this often */
#define MAX_WAITERS      1024  /* clients waiting on one question */
#define FILL_BACKLOG     65536 /* fills kept per worker while its ring is full */

struct loop_state {
	struct cp_daemon *d;
	uv_timer_t tick;
	uv_idle_t busy;          /* runs while punts keep coming, so misses wait no tick */
	uv_prepare_t before_block; /* raises the doorbell's asleep flag */
	uv_check_t after_block;    /* lowers it */
	uv_async_t wake;           /* rung by a worker that punted while we slept */
	uv_signal_t sigterm;
	uv_signal_t sigint;
	bool busy_on;
};

static void on_busy(uv_idle_t *h);

static void
poll_rings(struct loop_state *ls)
{
	unsigned n = cp_query_poll(ls->d);

	cp_push_tick(ls->d->push);
	if (n > 0 && !ls->busy_on) {
		uv_idle_start(&ls->busy, on_busy);
		ls->busy_on = true;
	} else if (n == 0 && ls->busy_on) {
		uv_idle_stop(&ls->busy);
		ls->busy_on = false;
	}
}

static void
on_tick(uv_timer_t *t)
{
	poll_rings(t->data);
}

static void
on_busy(uv_idle_t *h)
{
	poll_rings(h->data);
}

/* Right before the loop may block: ask the workers to ring, then look once more. */
static void
on_before_block(uv_prepare_t *h)
{
	struct loop_state *ls = h->data;

	if (ls->busy_on)
		return; /* the idle handle keeps the loop from blocking */
	dp_doorbell_sleep(&ls->d->doorbell);
	poll_rings(ls);
}

static void
on_after_block(uv_check_t *h)
{
	struct loop_state *ls = h->data;

	dp_doorbell_awake(&ls->d->doorbell);
}

static void
on_wake(uv_async_t *h)
{
	poll_rings(h->data);
}

/* dp_doorbell.wake, called on a worker lcore: uv_async_send is thread-safe. */
static void
wake_loop(void *ctx)
{
	(void)uv_async_send(ctx);
}

static void
on_signal(uv_signal_t *s, int signum)
{
	struct loop_state *ls = s->data;

	VD_INFO("signal %d: shutting down", signum);
	uv_stop(ls->d->loop);
}

static bool
tcp_peer_allowed(const struct cp_daemon *d, const struct sockaddr *peer)
{
	struct cp_addr a = { .family = peer->sa_family };

	if (peer->sa_family == AF_INET)
		a.v4 = ((const struct sockaddr_in *)(const void *)peer)->sin_addr;
	else
		a.v6 = ((const struct sockaddr_in6 *)(const void *)peer)->sin6_addr;
	return cp_acl_check(d->conf.acl, d->conf.n_acl, &a) == CP_ACL_ALLOW;
}

/* A TCP query: errors and ACL refusals are answered here, the rest joins a flight. */
static void
tcp_query(void *ctx, struct cp_tcp_conn *conn, const uint8_t *msg, uint16_t len,
	  const struct sockaddr *peer)
{
	struct cp_daemon *d = ctx;
	struct cp_waiter w = { .kind = CP_WAITER_TCP, .conn = conn };
	uint8_t reply[DNS_QUERY_COMPACT_MAX + DNS_OPT_RR_LEN];
	struct dns_query q;
	enum dns_verdict v = dns_query_parse(msg, len, &q);
	uint16_t rcode;
	int n;

	d->stats.tcp_queries++;
	if (v == DNS_VERDICT_DROP) {
		cp_tcp_done(conn);
		return;
	}
	if (!tcp_peer_allowed(d, peer)) {
		d->stats.tcp_refused++;
		rcode = DNS_RCODE_REFUSED;
	} else if (v != DNS_VERDICT_ANSWER) {
		rcode = dns_verdict_rcode(v);
	} else {
		w.dns_len = dns_query_compact(&q, w.dns);
		cp_query_submit(d, &w);
		return;
	}
	n = dns_serve_error(&q, rcode, reply, sizeof(reply));
	if (n > 0)
		cp_tcp_send(conn, reply, (uint16_t)n);
	else
		cp_tcp_done(conn);
}

static void
tcp_closed(void *ctx, struct cp_tcp_conn *conn)
{
	struct cp_daemon *d = ctx;

	(void)cp_flight_cancel_conn(d->flights, conn);
}

static const struct cp_tcp_ops tcp_ops = {
	.query = tcp_query,
	.closed = tcp_closed,
};

static int
start_tcp(struct cp_daemon *d)
{
	struct sockaddr_storage addrs[CP_TCP_MAX_LISTEN];
	struct cp_tcp_params p;
	unsigned n = 0;

	cp_tcp_params_init(&p);
	for (unsigned i = 0; i < d->conf.server.n_addrs && n < CP_TCP_MAX_LISTEN; i++) {
		const struct cp_addr *a = &d->conf.server.addrs[i].addr;
		memset(&addrs[n], 0, sizeof(addrs[n]));
		if (a->family == AF_INET) {
			struct sockaddr_in *s = (struct sockaddr_in *)&addrs[n];
			s->sin_family = AF_INET;
			s->sin_addr = a->v4;
			s->sin_port = htons(d->conf.server.port);
		} else {
			struct sockaddr_in6 *s = (struct sockaddr_in6 *)&addrs[n];
			s->sin6_family = AF_INET6;
			s->sin6_addr = a->v6;
			s->sin6_port = htons(d->conf.server.port);
		}
		n++;
	}
	p.addrs = addrs;
	p.n_addrs = n;
	p.port = d->conf.server.port;
	p.idle_timeout_ms = d->conf.server.tcp.idle_timeout_ms;
	p.max_connections = d->conf.server.tcp.max_connections;
	p.max_queries_per_conn = d->conf.server.tcp.max_queries_per_conn;
	d->tcp = cp_tcp_create(d->loop, &p, &tcp_ops, d);
	return d->tcp != NULL ? 0 : -errno;
}

static void
close_walk(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

static int
run(struct cp_daemon *d)
{
	struct loop_state ls = { .d = d };
	int rc;

	uv_timer_init(d->loop, &ls.tick);
	uv_idle_init(d->loop, &ls.busy);
	uv_prepare_init(d->loop, &ls.before_block);
	uv_check_init(d->loop, &ls.after_block);
	uv_async_init(d->loop, &ls.wake, on_wake);
	uv_signal_init(d->loop, &ls.sigterm);
	uv_signal_init(d->loop, &ls.sigint);
	ls.tick.data = ls.busy.data = ls.sigterm.data = ls.sigint.data = &ls;
	ls.before_block.data = ls.after_block.data = ls.wake.data = &ls;
	d->doorbell.wake = wake_loop;
	d->doorbell.ctx = &ls.wake;
	uv_prepare_start(&ls.before_block, on_before_block);
	uv_check_start(&ls.after_block, on_after_block);
	uv_signal_start(&ls.sigterm, on_signal, SIGTERM);
	uv_signal_start(&ls.sigint, on_signal, SIGINT);
	uv_timer_start(&ls.tick, on_tick, TICK_MS, TICK_MS);

	rc = cp_dataplane_launch(d);
	if (rc == 0) {
		VD_INFO("velodns running: %u worker(s), control socket %s", d->n_workers,
			d->conf.server.control_socket);
		uv_run(d->loop, UV_RUN_DEFAULT);
	}
	cp_dataplane_stop(d); /* no worker rings the doorbell once its handle closes */
	cp_commands_stop(d);
	if (d->tcp != NULL)
		cp_tcp_destroy(d->tcp);
	d->tcp = NULL;
	cp_resolver_destroy(d->resolver);
	d->resolver = NULL;
	uv_walk(d->loop, close_walk, NULL);
	uv_run(d->loop, UV_RUN_DEFAULT);
	return rc;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: velodns -c CONFIG [--check]\n"
		   "  -c, --config FILE  configuration (see deploy/velodns.conf.example)\n"
		   "  -t, --check        validate the configuration and exit\n"
		   "  -V, --version      print the version\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct cp_daemon the_daemon;
	struct cp_daemon *d = &the_daemon;
	char err[CP_CONF_ERRLEN];
	const char *path = NULL;
	bool check = false;
	int c, rc;

	while ((c = getopt_long(argc, argv, "c:tVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 't':
			check = true;
			break;
		case 'V':
			printf("velodns %s\n", VELODNS_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (path == NULL || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (cp_conf_load(path, &d->conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "velodns: %s\n", err);
		return 1;
	}
	if (check) {
		printf("%s: configuration OK\n", path);
		cp_conf_free(&d->conf);
		return 0;
	}
	vd_log_set_level(d->conf.server.log_level);
	d->start_ns = vd_now_ns();
	d->local = d->conf.localdata;
	d->conf.localdata = NULL;
	d->loop = uv_default_loop();
	d->flights = cp_flight_table_create(d->conf.resolver.max_in_flight, MAX_WAITERS);

	rc = d->flights != NULL ? cp_dataplane_init(d) : -ENOMEM;
	if (rc == 0) {
		struct rte_ring **rings = calloc(d->n_workers, sizeof(*rings));
		for (unsigned i = 0; rings != NULL && i < d->n_workers; i++)
			rings[i] = d->workers[i]->fill;
		d->push = rings != NULL ? cp_push_create(d->n_workers, rings, FILL_BACKLOG) : NULL;
		free(rings);
		rc = d->push != NULL ? 0 : -ENOMEM;
	}
	if (rc == 0 && cp_resolver_conf_enabled(&d->conf.resolver)) {
		d->resolver = cp_resolver_create(d);
		if (d->resolver == NULL)
			rc = -EINVAL;
	}
	if (rc == 0 && (rc = start_tcp(d)) != 0)
		VD_ERR("TCP listener on port %u: %s", d->conf.server.port, strerror(-rc));
	if (rc == 0 && (rc = cp_commands_start(d)) != 0)
		VD_ERR("control socket %s: %s", d->conf.server.control_socket, strerror(-rc));
	if (rc == 0)
		rc = run(d);

	cp_dataplane_fini(d);
	cp_push_destroy(d->push);
	cp_flight_table_destroy(d->flights);
	cp_localdata_free(d->local);
	cp_conf_free(&d->conf);
	if (rc != 0)
		VD_ERR("velodns: exiting after an error (%s)", strerror(rc < 0 ? -rc : rc));
	return rc == 0 ? 0 : 1;
}
