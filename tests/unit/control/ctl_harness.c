/* SPDX-License-Identifier: BSD-3-Clause */
/* Test harness for the control socket: a server thread with test commands, and a line client. */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "ctl_harness.h"

/* ---- test commands (loop thread) ---- */

struct th_hung {
	struct th_hung *next;
	struct cp_ctl_req *req;
};

struct th_timer {
	uv_timer_t t;
	struct th_server *s;
	struct cp_ctl_req *req;
	int ms;
	int left;                      /* stream-later: partials still to send */
	int n;
};

static void
th_cancelled(struct cp_ctl_req *req, void *arg)
{
	struct th_server *s = arg;

	(void)req;
	atomic_fetch_add(&s->cancelled, 1);
}

static void
th_timer_closed(uv_handle_t *h)
{
	free(h->data);
}

static void
th_finish(struct th_server *s, struct cp_ctl_req *req, json_t *result)
{
	if (cp_ctl_req_orphaned(req))
		atomic_fetch_add(&s->orphan_done, 1);
	cp_ctl_reply_ok(req, result);
}

static void
th_later_fire(uv_timer_t *t)
{
	struct th_timer *tm = t->data;

	th_finish(tm->s, tm->req, json_pack("{s:i}", "later", tm->ms));
	uv_close((uv_handle_t *)t, th_timer_closed);
}

static void
th_stream_tick(uv_timer_t *t)
{
	struct th_timer *tm = t->data;

	if (tm->left > 0) {
		tm->left--;
		if (cp_ctl_reply_partial(tm->req, json_pack("{s:i}", "i", tm->n - tm->left - 1)) ==
		    -EPIPE)
			atomic_fetch_add(&tm->s->partial_epipe, 1);
		return;
	}
	th_finish(tm->s, tm->req, json_pack("{s:i}", "n", tm->n));
	uv_timer_stop(t);
	uv_close((uv_handle_t *)t, th_timer_closed);
}

static struct th_timer *
th_timer_new(struct th_server *s, struct cp_ctl_req *req, int ms)
{
	struct th_timer *tm = calloc(1, sizeof(*tm));

	cr_assert_not_null(tm);
	uv_timer_init(&s->loop, &tm->t);
	tm->t.data = tm;
	tm->s = s;
	tm->req = req;
	tm->ms = ms;
	cp_ctl_req_on_cancel(req, th_cancelled, s);
	return tm;
}

static void
th_echo(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	(void)ctx;
	cp_ctl_reply_ok(req, json_incref(args));
}

static void
th_fail(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	const char *msg = "no reason";

	(void)ctx;
	if (cp_ctl_args_unpack(req, args, "{s?s !}", "msg", &msg) != 0)
		return;
	cp_ctl_reply_err(req, "failed on purpose: %s", msg);
}

static void
th_later(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	struct th_timer *tm;
	int ms;

	if (cp_ctl_args_unpack(req, args, "{s:i !}", "ms", &ms) != 0)
		return;
	tm = th_timer_new(ctx, req, ms);
	uv_timer_start(&tm->t, th_later_fire, (uint64_t)ms, 0);
}

static void
th_stream(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	int n;

	(void)ctx;
	if (cp_ctl_args_unpack(req, args, "{s:i !}", "n", &n) != 0)
		return;
	for (int i = 0; i < n; i++)
		cp_ctl_reply_partial(req, json_pack("{s:i}", "i", i));
	cp_ctl_reply_ok(req, json_pack("{s:i}", "n", n));
}

static void
th_stream_later(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	struct th_timer *tm;
	int n, ms;

	if (cp_ctl_args_unpack(req, args, "{s:i, s:i !}", "n", &n, "ms", &ms) != 0)
		return;
	tm = th_timer_new(ctx, req, ms);
	tm->n = tm->left = n;
	uv_timer_start(&tm->t, th_stream_tick, (uint64_t)ms, (uint64_t)ms);
}

struct th_big {
	json_int_t left, chunk, sent;
	int waits;
	char *pad;
};

static void
th_big_more(struct cp_ctl_req *req, bool orphaned, void *arg)
{
	struct th_big *b = arg;

	while (!orphaned && b->left > 0) {
		json_int_t n = b->left < b->chunk ? b->left : b->chunk;

		if (cp_ctl_reply_partial(req, json_pack("{s:I, s:s#}", "off", b->sent, "data",
							b->pad, (int)n)) != 0)
			break;
		b->left -= n;
		b->sent += n;
		int ret = cp_ctl_req_wait_writable(req, th_big_more, b);

		if (ret == 0) {
			b->waits++;
			return;
		}
		if (ret != -EALREADY)
			break;
	}
	cp_ctl_reply_ok(req, json_pack("{s:I, s:i}", "bytes", b->sent, "waits", b->waits));
	free(b->pad);
	free(b);
}

static void
th_bigstream(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	struct th_big *b = calloc(1, sizeof(*b));

	(void)ctx;
	cr_assert_not_null(b);
	if (cp_ctl_args_unpack(req, args, "{s:I, s:I !}", "bytes", &b->left, "chunk", &b->chunk) !=
	    0) {
		free(b);
		return;
	}
	b->pad = malloc((size_t)b->chunk);
	cr_assert_not_null(b->pad);
	memset(b->pad, 'z', (size_t)b->chunk);
	th_big_more(req, false, b);
}

static void
th_hang(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	struct th_server *s = ctx;
	struct th_hung *h = calloc(1, sizeof(*h));

	(void)args;
	cr_assert_not_null(h);
	h->req = req;
	h->next = s->hung;
	s->hung = h;
}

static void
th_huge(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	json_int_t bytes;
	char *pad;

	(void)ctx;
	if (cp_ctl_args_unpack(req, args, "{s:I !}", "bytes", &bytes) != 0)
		return;
	pad = malloc((size_t)bytes);
	cr_assert_not_null(pad);
	memset(pad, 'h', (size_t)bytes);
	cp_ctl_reply_ok(req, json_pack("{s:s#}", "pad", pad, (int)bytes));
	free(pad);
}

static void
th_probe(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	struct th_server *s = ctx;
	struct cp_ctl_stats st;
	pid_t pid;
	uid_t uid;

	(void)args;
	cp_ctl_get_stats(s->ctl, &st);
	cp_ctl_req_peer(req, &pid, &uid);
	cp_ctl_reply_ok(req, json_pack("{s:i, s:i, s:i, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:i},"
				       " s:i, s:i, s:s}",
				       "cancelled", atomic_load(&s->cancelled), "orphan_done",
				       atomic_load(&s->orphan_done), "partial_epipe",
				       atomic_load(&s->partial_epipe), "ctl", "accepted",
				       (json_int_t)st.accepted, "refused_peer",
				       (json_int_t)st.refused_peer, "refused_busy",
				       (json_int_t)st.refused_busy, "requests",
				       (json_int_t)st.requests, "errors", (json_int_t)st.errors,
				       "overflows", (json_int_t)st.overflows, "clients",
				       (int)st.clients, "pid", (int)pid, "uid", (int)uid, "cmd",
				       cp_ctl_req_cmd(req)));
}

/* Shaped like the daemon's stats: per-worker objects, a total, control counters. */
static void
th_stats(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	(void)args;
	(void)ctx;
	cp_ctl_reply_ok(
		req,
		json_pack("{s:[{s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I}, s:I, s:I, s:f},"
			  "{s:i, s:i, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I}, s:I, s:I, s:f}],"
			  " s:{s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I}, s:I, s:I, s:f},"
			  " s:{s:I, s:I, s:s}}",
			  "workers",
			  "worker", 0, "lcore", 1, "rx", (json_int_t)1000, "tx", (json_int_t)990,
			  "hits", (json_int_t)900, "misses", (json_int_t)100, "punts",
			  (json_int_t)100, "drops", "acl", (json_int_t)4, "malformed",
			  (json_int_t)6, "cache_entries", (json_int_t)50, "cache_bytes",
			  (json_int_t)40960, "busy_cycles_per_pkt", 212.5,
			  "worker", 1, "lcore", 2, "rx", (json_int_t)2000, "tx", (json_int_t)1990,
			  "hits", (json_int_t)1800, "misses", (json_int_t)200, "punts",
			  (json_int_t)200, "drops", "acl", (json_int_t)3, "malformed",
			  (json_int_t)7, "cache_entries", (json_int_t)60, "cache_bytes",
			  (json_int_t)49152, "busy_cycles_per_pkt", 198.25,
			  "total",
			  "rx", (json_int_t)3000, "tx", (json_int_t)2980, "hits", (json_int_t)2700,
			  "misses", (json_int_t)300, "punts", (json_int_t)300, "drops", "acl",
			  (json_int_t)7, "malformed", (json_int_t)13, "cache_entries",
			  (json_int_t)110, "cache_bytes", (json_int_t)90112, "busy_cycles_per_pkt",
			  203.6,
			  "control", "punts_handled", (json_int_t)300, "in_flight", (json_int_t)0,
			  "uptime", "0:01:02"));
}

static void
th_nested(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	(void)args;
	(void)ctx;
	cp_ctl_reply_ok(req, json_pack("{s:s, s:{s:i, s:b}, s:[s, s], s:[], s:[{s:s}, i],"
				       " s:s}",
				       "state", "running", "config", "workers", 2, "xdp", 1,
				       "ports", "veth0", "veth1", "empty", "mixed", "a", "b", 3,
				       "evil", "bad\x1b[31mred\n"));
}

/* The daemon's command names, answering what they were asked: veloctl's mapping. */
static void
th_mirror(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	(void)ctx;
	cp_ctl_reply_ok(req, json_pack("{s:s, s:O}", "cmd", cp_ctl_req_cmd(req), "args", args));
}

static void
th_empty(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	(void)args;
	(void)ctx;
	cp_ctl_reply_ok(req, NULL);
}

/* The args back as one streamed line, then an empty result. */
static void
th_echo_partial(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	(void)ctx;
	cp_ctl_reply_partial(req, json_incref(args));
	cp_ctl_reply_ok(req, NULL);
}

static const struct cp_ctl_command th_cmds[] = {
	{"status", "mirror", th_mirror},
	{"cache-lookup", "mirror", th_mirror},
	{"cache-flush", "mirror", th_mirror},
	{"cache-dump", "mirror", th_mirror},
	{"infra", "mirror", th_mirror},
	{"local-data-add", "mirror", th_mirror},
	{"local-data-remove", "mirror", th_mirror},
	{"local-data-list", "mirror", th_mirror},
	{"forward-list", "mirror", th_mirror},
	{"forward-add", "mirror", th_mirror},
	{"forward-remove", "mirror", th_mirror},
	{"empty", "an empty result", th_empty},
	{"echo", "{any}: the args back", th_echo},
	{"echo-partial", "{any}: the args back as a streamed line", th_echo_partial},
	{"fail", "{\"msg\"?: s}: always fails", th_fail},
	{"later", "{\"ms\": i}: answer after ms", th_later},
	{"stream", "{\"n\": i}: n partial lines", th_stream},
	{"stream-later", "{\"n\": i, \"ms\": i}: one partial per ms", th_stream_later},
	{"bigstream", "{\"bytes\": i, \"chunk\": i}: paced output", th_bigstream},
	{"hang", "never answers", th_hang},
	{"huge", "{\"bytes\": i}: a large result", th_huge},
	{"probe", "harness counters", th_probe},
	{"stats", "sample stats", th_stats},
	{"nested", "sample nested result", th_nested},
};

/* ---- server thread ---- */

static void
th_stop_cb(uv_async_t *a)
{
	struct th_server *s = a->data;

	cp_ctl_stop(s->ctl);
	while (s->hung != NULL) {
		struct th_hung *h = s->hung;

		s->hung = h->next;
		cp_ctl_reply_err(h->req, "server stopped");
		free(h);
	}
	uv_close((uv_handle_t *)a, NULL);
}

static void *
th_main(void *arg)
{
	struct th_server *s = arg;

	uv_run(&s->loop, UV_RUN_DEFAULT);
	return NULL;
}

void
th_init(struct th_server *s)
{
	memset(s, 0, sizeof(*s));
	strcpy(s->dir, "/tmp/velodns-ctl-test.XXXXXX");
	cr_assert_not_null(mkdtemp(s->dir));
	snprintf(s->path, sizeof(s->path), "%s/ctl.sock", s->dir);
}

int
th_start(struct th_server *s, const struct cp_ctl_opts *opts)
{
	return th_start_with(s, opts, th_cmds, sizeof(th_cmds) / sizeof(th_cmds[0]), s);
}

int
th_start_with(struct th_server *s, const struct cp_ctl_opts *opts,
	      const struct cp_ctl_command *cmds, size_t n_cmds, void *ctx)
{
	struct cp_ctl_opts o = opts != NULL ? *opts : (struct cp_ctl_opts){0};
	int ret;

	cr_assert_eq(uv_loop_init(&s->loop), 0);
	o.path = s->path;
	ret = cp_ctl_start(&s->loop, &o, cmds, n_cmds, ctx, &s->ctl);
	if (ret != 0) {
		uv_run(&s->loop, UV_RUN_DEFAULT);
		uv_loop_close(&s->loop);
		return ret;
	}
	uv_async_init(&s->loop, &s->stop, th_stop_cb);
	s->stop.data = s;
	cr_assert_eq(pthread_create(&s->thread, NULL, th_main, s), 0);
	s->running = true;
	return 0;
}

void
th_stop(struct th_server *s)
{
	if (!s->running)
		return;
	uv_async_send(&s->stop);
	pthread_join(s->thread, NULL);
	cr_assert_eq(uv_loop_close(&s->loop), 0, "handles left on the loop");
	s->running = false;
}

static int
th_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void
th_cleanup(struct th_server *s)
{
	th_stop(s);
	nftw(s->dir, th_rm, 8, FTW_DEPTH | FTW_PHYS);
}

/* ---- client ---- */

int
tc_open(struct tc *c, const char *path)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 5};

	c->len = 0;
	if (c->buf == NULL)
		c->buf = malloc(TC_BUF);
	cr_assert_not_null(c->buf);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(c->fd, 0);
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		int err = errno;

		close(c->fd);
		c->fd = -1;
		return -err;
	}
	return 0;
}

void
tc_close(struct tc *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
}

int
tc_send(struct tc *c, const char *line)
{
	size_t len = strlen(line), off = 0;
	char *l = malloc(len + 1);

	cr_assert_not_null(l);
	memcpy(l, line, len);
	l[len++] = '\n';
	while (off < len) {
		ssize_t n = send(c->fd, l + off, len - off, MSG_NOSIGNAL);

		if (n < 0) {
			int err = errno;

			free(l);
			return -err;
		}
		off += (size_t)n;
	}
	free(l);
	return 0;
}

json_t *
tc_recv(struct tc *c)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);

		if (nl != NULL) {
			size_t n = (size_t)(nl - c->buf);
			json_t *v = json_loadb(c->buf, n, 0, NULL);

			memmove(c->buf, nl + 1, c->len - n - 1);
			c->len -= n + 1;
			cr_assert_not_null(v, "server sent a line that is not JSON");
			return v;
		}
		cr_assert_lt(c->len, TC_BUF, "server line too long for the test client");
		ssize_t r = read(c->fd, c->buf + c->len, TC_BUF - c->len);

		if (r <= 0) {
			if (r == 0)
				errno = 0;
			return NULL;
		}
		c->len += (size_t)r;
	}
}

json_t *
tc_rpc(struct tc *c, const char *line)
{
	cr_assert_eq(tc_send(c, line), 0, "send: %s", strerror(errno));
	return tc_recv(c);
}

long
tc_drain(struct tc *c)
{
	long total = (long)c->len;

	c->len = 0;
	for (;;) {
		ssize_t r = read(c->fd, c->buf, TC_BUF);

		if (r == 0 || (r < 0 && errno == ECONNRESET))
			return total;
		if (r < 0)
			return -1;
		total += r;
	}
}
