/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of control/cp_ctl.c: the control socket's protocol, limits and lifetimes. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "ctl_harness.h"

static struct th_server srv;
static struct tc cl = {.fd = -1};

static void
setup_default(void)
{
	th_init(&srv);
	cr_assert_eq(th_start(&srv, NULL), 0);
	cr_assert_eq(tc_open(&cl, srv.path), 0);
}

static void
teardown(void)
{
	tc_close(&cl);
	th_cleanup(&srv);
}

static void
setup_dir(void)
{
	th_init(&srv);
}

static void
msleep(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

/* The reply is final, with this id, and ok as expected. */
static void
expect_final(json_t *r, json_int_t id, bool ok)
{
	cr_assert_not_null(r, "no reply (errno %d)", errno);
	cr_assert(json_is_integer(json_object_get(r, "id")), "id not echoed");
	cr_assert_eq(json_integer_value(json_object_get(r, "id")), id);
	cr_assert_eq(json_is_true(json_object_get(r, "ok")), ok, "ok is not %d", ok);
	if (!ok)
		cr_assert(json_is_string(json_object_get(r, "error")));
}

static const char *
err_of(json_t *r)
{
	return json_string_value(json_object_get(r, "error"));
}

static json_t *
probe(void)
{
	struct tc p = {.fd = -1};
	json_t *r, *res;

	cr_assert_eq(tc_open(&p, srv.path), 0);
	r = tc_rpc(&p, "{\"cmd\":\"probe\",\"id\":99}");
	expect_final(r, 99, true);
	res = json_incref(json_object_get(r, "result"));
	json_decref(r);
	tc_close(&p);
	return res;
}

static json_int_t
probe_int(json_t *p, const char *k)
{
	json_t *v = json_object_get(p, k);

	if (v == NULL)
		v = json_object_get(json_object_get(p, "ctl"), k);
	cr_assert(json_is_integer(v), "probe has no %s", k);
	return json_integer_value(v);
}

TestSuite(cp_ctl, .timeout = 30);

Test(cp_ctl, request_response_id_echoed, .init = setup_default, .fini = teardown)
{
	json_t *r = tc_rpc(&cl, "{\"cmd\":\"echo\",\"args\":{\"x\":1,\"s\":\"t\"},\"id\":42}");

	expect_final(r, 42, true);
	json_t *res = json_object_get(r, "result");
	cr_assert_eq(json_integer_value(json_object_get(res, "x")), 1);
	cr_assert_str_eq(json_string_value(json_object_get(res, "s")), "t");
	json_decref(r);

	/* A string id is echoed as it came; no id gives null; no args gives {}. */
	r = tc_rpc(&cl, "{\"id\":\"abc\",\"cmd\":\"echo\"}");
	cr_assert_str_eq(json_string_value(json_object_get(r, "id")), "abc");
	cr_assert_eq(json_object_size(json_object_get(r, "result")), 0);
	json_decref(r);
	r = tc_rpc(&cl, "{\"cmd\":\"echo\"}\r");
	cr_assert(json_is_null(json_object_get(r, "id")));
	cr_assert(json_is_true(json_object_get(r, "ok")));
	json_decref(r);
}

Test(cp_ctl, handler_error, .init = setup_default, .fini = teardown)
{
	json_t *r = tc_rpc(&cl, "{\"cmd\":\"fail\",\"args\":{\"msg\":\"boom\"},\"id\":3}");

	expect_final(r, 3, false);
	cr_assert_str_eq(err_of(r), "failed on purpose: boom");
	json_decref(r);
}

Test(cp_ctl, help_lists_commands, .init = setup_default, .fini = teardown)
{
	json_t *r = tc_rpc(&cl, "{\"cmd\":\"help\",\"id\":1}"), *list, *e;
	bool help = false, later = false;
	size_t i;

	expect_final(r, 1, true);
	list = json_object_get(json_object_get(r, "result"), "commands");
	cr_assert(json_is_array(list));
	json_array_foreach (list, i, e) {
		const char *n = json_string_value(json_object_get(e, "name"));

		cr_assert(json_is_string(json_object_get(e, "usage")));
		help = help || strcmp(n, "help") == 0;
		later = later || strcmp(n, "later") == 0;
	}
	cr_assert(help && later);
	json_decref(r);
	r = tc_rpc(&cl, "{\"cmd\":\"help\",\"args\":{\"x\":1},\"id\":2}");
	expect_final(r, 2, false);
	json_decref(r);
}

Test(cp_ctl, unknown_command_keeps_connection, .init = setup_default, .fini = teardown)
{
	json_t *r = tc_rpc(&cl, "{\"cmd\":\"no-such\",\"id\":5}");

	expect_final(r, 5, false);
	cr_assert(strstr(err_of(r), "unknown command \"no-such\"") != NULL, "%s", err_of(r));
	json_decref(r);
	r = tc_rpc(&cl, "{\"cmd\":\"echo\",\"id\":6}");
	expect_final(r, 6, true);
	json_decref(r);
}

Test(cp_ctl, invalid_json_keeps_connection, .init = setup_default, .fini = teardown)
{
	static const char *bad[] = {
		"{not json",
		"[1, 2]",
		"\"cmd\"",
		"{\"cmd\":\"echo\",\"cmd\":\"echo\"}",  /* duplicate key */
		"{\"cmd\":7}",
		"{\"args\":{}}",
		"{\"cmd\":\"echo\",\"args\":[1]}",
		"{\"cmd\":\"echo\",\"id\":{}}",
		"{\"cmd\":\"echo\",\"extra\":1}",
		"{\"cmd\":\"later\",\"args\":{\"ms\":\"soon\"}}",  /* ill-typed arg */
		"{\"cmd\":\"later\",\"args\":{}}",             /* missing arg */
		"{\"cmd\":\"later\",\"args\":{\"ms\":1,\"x\":2}}", /* unknown arg */
		"{\"cmd\":\"e\\u0000cho\"}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *r = tc_rpc(&cl, bad[i]);

		cr_assert_not_null(r, "no reply to %s", bad[i]);
		cr_assert(json_is_false(json_object_get(r, "ok")), "ok for %s", bad[i]);
		cr_assert(json_is_string(json_object_get(r, "error")));
		json_decref(r);
		r = tc_rpc(&cl, "{\"cmd\":\"echo\",\"id\":8}");
		expect_final(r, 8, true);
		json_decref(r);
	}
	/* Argument errors name the command's usage. */
	json_t *r = tc_rpc(&cl, "{\"cmd\":\"later\",\"args\":{\"ms\":\"soon\"},\"id\":9}");
	expect_final(r, 9, false);
	cr_assert(strstr(err_of(r), "later: bad arguments") != NULL, "%s", err_of(r));
	cr_assert(strstr(err_of(r), "answer after ms") != NULL, "%s", err_of(r));
	json_decref(r);
	/* Blank lines are ignored. */
	cr_assert_eq(tc_send(&cl, "\n  \n"), 0);
	r = tc_rpc(&cl, "{\"cmd\":\"echo\",\"id\":10}");
	expect_final(r, 10, true);
	json_decref(r);
}

/* A request line padded with spaces to @p len bytes (without '\n'). */
static char *
padded(size_t len)
{
	static const char head[] = "{\"cmd\":\"echo\",\"id\":1}";
	char *s = malloc(len + 1);

	cr_assert_not_null(s);
	memcpy(s, head, sizeof(head) - 1);
	memset(s + sizeof(head) - 1, ' ', len - (sizeof(head) - 1));
	s[len] = '\0';
	return s;
}

Test(cp_ctl, line_of_max_length_accepted, .init = setup_default, .fini = teardown)
{
	char *s = padded(CP_CTL_MAX_LINE);
	json_t *r = tc_rpc(&cl, s);

	expect_final(r, 1, true);
	json_decref(r);
	free(s);
}

Test(cp_ctl, oversize_line_error_then_close, .init = setup_default, .fini = teardown)
{
	char *s = padded(CP_CTL_MAX_LINE + 1);
	json_t *r;

	tc_send(&cl, s);
	r = tc_recv(&cl);
	cr_assert_not_null(r);
	cr_assert(json_is_false(json_object_get(r, "ok")));
	cr_assert(strstr(err_of(r), "longer than 65536") != NULL, "%s", err_of(r));
	json_decref(r);
	cr_assert_geq(tc_drain(&cl), 0, "connection not closed");
	free(s);
	r = probe();
	cr_assert_eq(probe_int(r, "overflows"), 1);
	json_decref(r);
}

Test(cp_ctl, socket_mode_0660, .init = setup_dir, .fini = teardown)
{
	struct stat st;
	mode_t old = umask(0); /* the server must not depend on the process umask */

	cr_assert_eq(th_start(&srv, NULL), 0);
	umask(old);
	cr_assert_eq(lstat(srv.path, &st), 0);
	cr_assert(S_ISSOCK(st.st_mode));
	cr_assert_eq(st.st_mode & 07777, 0660, "mode %o", st.st_mode & 07777);
	/* Stopping removes the file. */
	th_stop(&srv);
	cr_assert_neq(lstat(srv.path, &st), 0);
}

Test(cp_ctl, stale_socket_replaced, .init = setup_dir, .fini = teardown)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	json_t *r;

	/* What a daemon that was killed leaves: a socket file nobody listens on. */
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", srv.path);
	cr_assert_eq(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	close(fd);
	cr_assert_eq(access(srv.path, F_OK), 0);
	cr_assert_eq(th_start(&srv, NULL), 0);
	cr_assert_eq(tc_open(&cl, srv.path), 0);
	r = tc_rpc(&cl, "{\"cmd\":\"echo\",\"id\":1}");
	expect_final(r, 1, true);
	json_decref(r);
}

Test(cp_ctl, not_a_socket_left_alone, .init = setup_dir, .fini = teardown)
{
	int fd = open(srv.path, O_CREAT | O_WRONLY, 0600);
	struct stat st;

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "keep", 4), 4);
	close(fd);
	cr_assert_eq(th_start(&srv, NULL), -EEXIST);
	cr_assert_eq(stat(srv.path, &st), 0);
	cr_assert_eq(st.st_size, 4);
}

Test(cp_ctl, second_server_refused, .init = setup_default, .fini = teardown)
{
	struct th_server two;
	struct stat before, after;
	json_t *r;

	memset(&two, 0, sizeof(two));
	strcpy(two.path, srv.path);
	cr_assert_eq(stat(srv.path, &before), 0);
	cr_assert_eq(th_start(&two, NULL), -EADDRINUSE);
	/* The running server's socket is untouched and still answers. */
	cr_assert_eq(stat(srv.path, &after), 0);
	cr_assert_eq(before.st_ino, after.st_ino);
	r = tc_rpc(&cl, "{\"cmd\":\"echo\",\"id\":2}");
	expect_final(r, 2, true);
	json_decref(r);
}

static void
noop(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	(void)args;
	(void)ctx;
	cp_ctl_reply_ok(req, NULL);
}

Test(cp_ctl, bad_tables_and_paths, .init = setup_dir, .fini = teardown)
{
	static const struct cp_ctl_command dup[] = {{"a", "", noop}, {"a", "", noop}};
	static const struct cp_ctl_command help[] = {{"help", "", noop}};
	static const struct cp_ctl_command upper[] = {{"Bad_Name", "", noop}};
	static const struct cp_ctl_command nohandler[] = {{"x", "", NULL}};
	struct cp_ctl_opts o = {.path = srv.path};
	struct cp_ctl *ctl = NULL;
	char longpath[200];
	uv_loop_t loop;

	uv_loop_init(&loop);
	cr_assert_eq(cp_ctl_start(&loop, &o, dup, 2, NULL, &ctl), -EEXIST);
	cr_assert_eq(cp_ctl_start(&loop, &o, help, 1, NULL, &ctl), -EEXIST);
	cr_assert_eq(cp_ctl_start(&loop, &o, upper, 1, NULL, &ctl), -EINVAL);
	cr_assert_eq(cp_ctl_start(&loop, &o, nohandler, 1, NULL, &ctl), -EINVAL);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	o.path = longpath;
	cr_assert_eq(cp_ctl_start(&loop, &o, NULL, 0, NULL, &ctl), -ENAMETOOLONG);
	o.path = "/nonexistent-dir-velodns/ctl.sock";
	cr_assert_eq(cp_ctl_start(&loop, &o, NULL, 0, NULL, &ctl), -ENOENT);
	/* A server with no commands but help works, and stops cleanly. */
	o.path = srv.path;
	cr_assert_eq(cp_ctl_start(&loop, &o, NULL, 0, NULL, &ctl), 0);
	cp_ctl_stop(ctl);
	uv_run(&loop, UV_RUN_DEFAULT);
	cr_assert_eq(uv_loop_close(&loop), 0);
}

Test(cp_ctl, async_reply_and_pipelining, .init = setup_default, .fini = teardown)
{
	json_t *r;

	/* Two requests in one write: the slow one answers after the fast one. */
	cr_assert_eq(tc_send(&cl, "{\"cmd\":\"later\",\"args\":{\"ms\":150},\"id\":1}\n"
				  "{\"cmd\":\"echo\",\"id\":2}"),
		     0);
	r = tc_recv(&cl);
	expect_final(r, 2, true);
	json_decref(r);
	r = tc_recv(&cl);
	expect_final(r, 1, true);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(r, "result"), "later")),
		     150);
	json_decref(r);
}

Test(cp_ctl, reply_after_client_left, .init = setup_default, .fini = teardown)
{
	json_t *p;

	cr_assert_eq(tc_send(&cl, "{\"cmd\":\"later\",\"args\":{\"ms\":200},\"id\":1}"), 0);
	cr_assert_eq(tc_send(&cl, "{\"cmd\":\"stream-later\",\"args\":{\"n\":5,\"ms\":50},"
				  "\"id\":2}"),
		     0);
	msleep(30);
	tc_close(&cl);
	msleep(450);
	p = probe();
	cr_assert_eq(probe_int(p, "cancelled"), 2);
	cr_assert_eq(probe_int(p, "orphan_done"), 2);
	cr_assert_geq(probe_int(p, "partial_epipe"), 4);
	cr_assert_eq(probe_int(p, "clients"), 1); /* only the probe */
	json_decref(p);
}

Test(cp_ctl, partial_lines_before_final, .init = setup_default, .fini = teardown)
{
	const char *reqs[] = {
		"{\"cmd\":\"stream\",\"args\":{\"n\":5},\"id\":7}",
		"{\"cmd\":\"stream-later\",\"args\":{\"n\":3,\"ms\":20},\"id\":7}",
	};

	for (size_t k = 0; k < 2; k++) {
		int n = k == 0 ? 5 : 3;
		json_t *r;

		cr_assert_eq(tc_send(&cl, reqs[k]), 0);
		for (int i = 0; i < n; i++) {
			r = tc_recv(&cl);
			cr_assert_not_null(r);
			cr_assert_eq(json_integer_value(json_object_get(r, "id")), 7);
			cr_assert_null(json_object_get(r, "ok"), "final before partial %d", i);
			json_t *part = json_object_get(r, "partial");

			cr_assert_eq(json_integer_value(json_object_get(part, "i")), i);
			json_decref(r);
		}
		r = tc_recv(&cl);
		expect_final(r, 7, true);
		cr_assert_eq(json_integer_value(json_object_get(json_object_get(r, "result"), "n")),
			     n);
		json_decref(r);
	}
}

Test(cp_ctl, paced_stream_is_not_cut, .init = setup_dir, .fini = teardown)
{
	struct cp_ctl_opts o = {.max_output = 256 * 1024};
	long got = 0, expect_off = 0;
	json_t *r;

	cr_assert_eq(th_start(&srv, &o), 0);
	cr_assert_eq(tc_open(&cl, srv.path), 0);
	/* 4 MiB through a 256 KiB output limit: the handler waits for the client. */
	cr_assert_eq(tc_send(&cl, "{\"cmd\":\"bigstream\",\"args\":{\"bytes\":4194304,"
				  "\"chunk\":4096},\"id\":1}"),
		     0);
	for (int i = 0;; i++) {
		if (i % 128 == 0)
			msleep(2); /* a slow reader */
		r = tc_recv(&cl);
		cr_assert_not_null(r, "stream cut after %ld bytes", got);
		if (json_object_get(r, "ok") != NULL)
			break;
		json_t *part = json_object_get(r, "partial");
		cr_assert_eq(json_integer_value(json_object_get(part, "off")), expect_off);
		got += (long)json_string_length(json_object_get(part, "data"));
		expect_off = got;
		json_decref(r);
	}
	expect_final(r, 1, true);
	cr_assert_eq(got, 4194304);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(r, "result"), "bytes")),
		     4194304);
	cr_assert_gt(json_integer_value(json_object_get(json_object_get(r, "result"), "waits")),
		     0, "the handler never had to wait");
	json_decref(r);
}

Test(cp_ctl, client_not_reading_is_closed, .init = setup_dir, .fini = teardown)
{
	struct cp_ctl_opts o = {.max_output = 64 * 1024};
	char line[2200];
	long total;
	int sent = 0;
	json_t *p;

	cr_assert_eq(th_start(&srv, &o), 0);
	cr_assert_eq(tc_open(&cl, srv.path), 0);
	snprintf(line, sizeof(line), "{\"cmd\":\"echo\",\"args\":{\"p\":\"%02000d\"}}", 0);
	/* 4 MB of answers that the client never reads while it sends. */
	while (sent < 2000 && tc_send(&cl, line) == 0)
		sent++;
	total = tc_drain(&cl);
	cr_assert_geq(total, 0, "not closed");
	cr_assert_lt(total, 2000L * 2000, "all %ld bytes arrived", total);
	p = probe();
	cr_assert_eq(probe_int(p, "overflows"), 1);
	json_decref(p);
}

Test(cp_ctl, result_over_output_limit_is_an_error, .init = setup_dir, .fini = teardown)
{
	struct cp_ctl_opts o = {.max_output = 64 * 1024};
	json_t *r;

	cr_assert_eq(th_start(&srv, &o), 0);
	cr_assert_eq(tc_open(&cl, srv.path), 0);
	r = tc_rpc(&cl, "{\"cmd\":\"huge\",\"args\":{\"bytes\":100000},\"id\":4}");
	expect_final(r, 4, false);
	cr_assert(strstr(err_of(r), "exceeds the output limit") != NULL, "%s", err_of(r));
	json_decref(r);
	r = tc_rpc(&cl, "{\"cmd\":\"huge\",\"args\":{\"bytes\":1000},\"id\":5}");
	expect_final(r, 5, true);
	json_decref(r);
}

Test(cp_ctl, clients_over_limit_refused, .init = setup_dir, .fini = teardown)
{
	struct cp_ctl_opts o = {.max_clients = 3};
	struct tc c[4];
	json_t *r;

	cr_assert_eq(th_start(&srv, &o), 0);
	for (int i = 0; i < 3; i++) {
		c[i].buf = NULL;
		cr_assert_eq(tc_open(&c[i], srv.path), 0);
		r = tc_rpc(&c[i], "{\"cmd\":\"echo\",\"id\":1}");
		expect_final(r, 1, true);
		json_decref(r);
	}
	c[3].buf = NULL;
	cr_assert_eq(tc_open(&c[3], srv.path), 0);
	r = tc_recv(&c[3]);
	cr_assert_not_null(r);
	cr_assert(json_is_false(json_object_get(r, "ok")));
	cr_assert(json_is_null(json_object_get(r, "id")));
	cr_assert_str_eq(err_of(r), "too many control connections");
	json_decref(r);
	cr_assert_geq(tc_drain(&c[3]), 0);
	tc_close(&c[3]);
	/* A slot freed is a slot for the next client. */
	tc_close(&c[0]);
	for (int tries = 0;; tries++) {
		cr_assert_lt(tries, 100, "slot never freed");
		c[0].buf = NULL;
		cr_assert_eq(tc_open(&c[0], srv.path), 0);
		r = tc_rpc(&c[0], "{\"cmd\":\"echo\",\"id\":2}");
		if (json_is_true(json_object_get(r, "ok"))) {
			json_decref(r);
			break;
		}
		json_decref(r);
		tc_close(&c[0]);
		msleep(10);
	}
	for (int i = 0; i < 3; i++)
		tc_close(&c[i]);
}

Test(cp_ctl, too_many_requests_in_progress, .init = setup_default, .fini = teardown)
{
	json_t *r;
	char line[64];

	for (unsigned i = 0; i < CP_CTL_MAX_PENDING; i++)
		cr_assert_eq(tc_send(&cl, "{\"cmd\":\"hang\"}"), 0);
	snprintf(line, sizeof(line), "{\"cmd\":\"echo\",\"id\":%u}", CP_CTL_MAX_PENDING);
	r = tc_rpc(&cl, line);
	expect_final(r, CP_CTL_MAX_PENDING, false);
	cr_assert(strstr(err_of(r), "too many requests") != NULL, "%s", err_of(r));
	json_decref(r);
}

Test(cp_ctl, peer_gets_request_credentials, .init = setup_default, .fini = teardown)
{
	json_t *p = probe();

	cr_assert_eq(probe_int(p, "uid"), (json_int_t)geteuid());
	cr_assert_eq(probe_int(p, "pid"), (json_int_t)getpid());
	cr_assert_str_eq(json_string_value(json_object_get(p, "cmd")), "probe");
	json_decref(p);
}

/*
 * Fork a child that drops to uid/gid 65534 with the given groups, connects and sends
 * an echo. Exit status: 0 answered ok, 1 refused with "permission denied", 2 other.
 * The child avoids malloc: the parent has a second thread.
 */
static int
as_nobody(gid_t primary, const gid_t *groups, size_t n_groups)
{
	pid_t pid = fork();
	int st;

	cr_assert_geq(pid, 0);
	if (pid == 0) {
		struct sockaddr_un addr = {.sun_family = AF_UNIX};
		static const char req[] = "{\"cmd\":\"echo\",\"id\":1}\n";
		char buf[512];
		size_t len = 0;
		int fd;

		if (setgroups(n_groups, groups) != 0 || setgid(primary) != 0 || setuid(65534) != 0)
			_exit(3);
		strcpy(addr.sun_path, srv.path);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0)
			_exit(errno == EACCES ? 4 : 5);
		(void)!send(fd, req, sizeof(req) - 1, MSG_NOSIGNAL);
		for (;;) {
			ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);

			if (n <= 0)
				break;
			len += (size_t)n;
			if (memchr(buf, '\n', len) != NULL)
				break;
		}
		buf[len] = '\0';
		if (strstr(buf, "\"ok\":true") != NULL)
			_exit(0);
		if (strstr(buf, "permission denied") != NULL)
			_exit(1);
		_exit(2);
	}
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

Test(cp_ctl, peer_credentials_checked, .init = setup_dir, .fini = teardown)
{
	struct cp_ctl_opts o = {.group = 4242};
	gid_t g = 4242;
	json_t *p;

	if (geteuid() != 0)
		cr_skip_test("needs root to switch users");
	cr_assert_eq(th_start(&srv, &o), 0);
	chmod(srv.dir, 0755);
	/* The file mode alone keeps a stranger out. */
	cr_assert_eq(as_nobody(65534, NULL, 0), 4);
	/* With the mode loosened by mistake, the credential check still does. */
	cr_assert_eq(chmod(srv.path, 0666), 0);
	cr_assert_eq(as_nobody(65534, NULL, 0), 1);
	/* The socket's group is enough: as primary or as a supplementary group. */
	cr_assert_eq(as_nobody(4242, NULL, 0), 0);
	cr_assert_eq(as_nobody(65534, &g, 1), 0);
	p = probe();
	cr_assert_eq(probe_int(p, "refused_peer"), 1);
	json_decref(p);
}

Test(cp_ctl, half_closed_client_still_answered, .init = setup_default, .fini = teardown)
{
	json_t *r;

	/* As `socat` or `nc -N` do: send, shut the sending side, read to the end. */
	cr_assert_eq(tc_send(&cl, "{\"cmd\":\"later\",\"args\":{\"ms\":100},\"id\":1}"), 0);
	cr_assert_eq(send(cl.fd, "{\"cmd\":\"echo\",\"id\":2}", 21, MSG_NOSIGNAL), 21);
	cr_assert_eq(shutdown(cl.fd, SHUT_WR), 0);
	r = tc_recv(&cl); /* the last line had no '\n': still a request */
	expect_final(r, 2, true);
	json_decref(r);
	r = tc_recv(&cl);
	expect_final(r, 1, true);
	json_decref(r);
	cr_assert_null(tc_recv(&cl));
	cr_assert_eq(errno, 0, "not a clean EOF");
	r = probe();
	cr_assert_eq(probe_int(r, "cancelled"), 0);
	json_decref(r);
}

Test(cp_ctl, closing_client_that_does_not_read_lingers_then_closed, .init = setup_dir,
     .fini = teardown)
{
	struct cp_ctl_opts o = {.linger_ms = 200};
	struct pollfd pfd;
	char line[2200];
	char *big = padded(CP_CTL_MAX_LINE + 1);

	cr_assert_eq(th_start(&srv, &o), 0);
	cr_assert_eq(tc_open(&cl, srv.path), 0);
	/* About 1 MB of answers, more than the socket buffers hold, never read... */
	snprintf(line, sizeof(line), "{\"cmd\":\"echo\",\"args\":{\"p\":\"%02000d\"}}", 0);
	for (int i = 0; i < 500; i++)
		cr_assert_eq(tc_send(&cl, line), 0);
	msleep(100);
	/* ...then a line too long: the error line queues behind them. */
	cr_assert_eq(send(cl.fd, big, CP_CTL_MAX_LINE + 1, MSG_NOSIGNAL),
		     (ssize_t)CP_CTL_MAX_LINE + 1);
	free(big);
	pfd = (struct pollfd){.fd = cl.fd, .events = POLLRDHUP};
	msleep(100);
	cr_assert_eq(poll(&pfd, 1, 0), 0, "closed before the linger time: %x", pfd.revents);
	/* The server gives up waiting for the client to read. */
	for (int i = 0; i < 50 && poll(&pfd, 1, 0) == 0; i++)
		msleep(20);
	cr_assert(pfd.revents & POLLHUP, "never closed (revents %x)", pfd.revents);
}

Test(cp_ctl, client_leaving_with_output_queued, .init = setup_dir, .fini = teardown)
{
	struct cp_ctl_opts o = {.linger_ms = 60000};
	char line[2200];
	char *big = padded(CP_CTL_MAX_LINE + 1);
	json_t *p;

	cr_assert_eq(th_start(&srv, &o), 0);
	cr_assert_eq(tc_open(&cl, srv.path), 0);
	snprintf(line, sizeof(line), "{\"cmd\":\"echo\",\"args\":{\"p\":\"%02000d\"}}", 0);
	for (int i = 0; i < 500; i++)
		cr_assert_eq(tc_send(&cl, line), 0);
	msleep(100);
	cr_assert_eq(send(cl.fd, big, CP_CTL_MAX_LINE + 1, MSG_NOSIGNAL),
		     (ssize_t)CP_CTL_MAX_LINE + 1);
	free(big);
	msleep(100);
	/* The queued writes now fail with EPIPE: no SIGPIPE may kill the server. */
	tc_close(&cl);
	msleep(100);
	p = probe();
	cr_assert_eq(probe_int(p, "clients"), 1);
	json_decref(p);
	/* A server stopped with output queued to a client stops cleanly. */
	cr_assert_eq(tc_open(&cl, srv.path), 0);
	for (int i = 0; i < 500; i++)
		cr_assert_eq(tc_send(&cl, line), 0);
	msleep(100);
	th_stop(&srv);
}
