/* SPDX-License-Identifier: BSD-3-Clause */
/* Tests of control/veloctl.c: the built binary against a test control socket server. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "ctl_harness.h"

#ifndef VELOCTL_PATH
#error "VELOCTL_PATH: the built veloctl, defined by tests/unit/control/meson.build"
#endif

static struct th_server srv;

struct run {
	int status;                    /* exit code */
	char *out;
	char *err;
};

static void
setup(void)
{
	th_init(&srv);
	cr_assert_eq(th_start(&srv, NULL), 0);
}

static void
teardown(void)
{
	th_cleanup(&srv);
}

static char *
slurp(int fd)
{
	struct stat st;
	char *s;

	cr_assert_eq(fstat(fd, &st), 0);
	s = calloc(1, (size_t)st.st_size + 1);
	cr_assert_not_null(s);
	cr_assert_eq(pread(fd, s, (size_t)st.st_size, 0), st.st_size);
	close(fd);
	return s;
}

static int
tmpfile_in(const char *dir, const char *name)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	cr_assert_geq(fd, 0);
	return fd;
}

/*
 * Run veloctl with @p env (NULL-terminated "K=V" list; COLUMNS=0 unless given) and
 * the arguments after it (NULL-terminated). Only exec in the child: the parent has
 * the server thread.
 */
static struct run
veloctl(const char *const *env, ...)
{
	char *argv[32] = {strdup("veloctl")};
	char *envp[8] = {NULL};
	int n = 1, ne = 0, out = tmpfile_in(srv.dir, "out"), err = tmpfile_in(srv.dir, "err");
	struct run r = {0};
	va_list ap;
	pid_t pid;
	int st;

	va_start(ap, env);
	/* execve() wants char *: copies, made before fork(). */
	for (const char *a; (a = va_arg(ap, const char *)) != NULL && n < 31;)
		argv[n++] = strdup(a);
	va_end(ap);
	for (; env != NULL && env[ne] != NULL && ne < 6; ne++)
		envp[ne] = strdup(env[ne]);
	if (env == NULL || strncmp(envp[0], "COLUMNS=", 8) != 0)
		envp[ne++] = strdup("COLUMNS=0");
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		dup2(out, STDOUT_FILENO);
		dup2(err, STDERR_FILENO);
		execve(VELOCTL_PATH, argv, envp);
		_exit(127);
	}
	for (int i = 0; i < n; i++)
		free(argv[i]);
	for (int i = 0; i < ne; i++)
		free(envp[i]);
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st), "veloctl died");
	r.status = WEXITSTATUS(st);
	r.out = slurp(out);
	r.err = slurp(err);
	return r;
}

static void
run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

#define OUT_HAS(r, s) cr_assert(strstr((r).out, (s)) != NULL, "no \"%s\" in:\n%s", (s), (r).out)
#define ERR_HAS(r, s) cr_assert(strstr((r).err, (s)) != NULL, "no \"%s\" in:\n%s", (s), (r).err)

TestSuite(veloctl, .init = setup, .fini = teardown, .timeout = 30);

Test(veloctl, human_nested_output)
{
	struct run r = veloctl(NULL, "-s", srv.path, "nested", NULL);

	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	OUT_HAS(r, "state: running\n");
	OUT_HAS(r, "config:\n  workers: 2\n  xdp:     true\n");
	OUT_HAS(r, "ports: veth0, veth1\n");
	OUT_HAS(r, "empty: (none)\n");
	OUT_HAS(r, "mixed[0]:\n  a: b\nmixed[1]: 3\n");
	/* Control characters from the daemon never reach the terminal raw. */
	OUT_HAS(r, "bad\\x1b[31mred\\x0a");
	cr_assert_null(strchr(r.out, '\x1b'));
	run_free(&r);
}

Test(veloctl, stats_table_with_total_row)
{
	struct run r = veloctl(NULL, "-s", srv.path, "stats", NULL);

	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_log_info("%s", r.out);
	OUT_HAS(r, "workers:\n  worker  lcore    rx    tx  hits  misses  punts  drops.acl  "
		   "drops.malformed  cache_entries  cache_bytes  busy_cycles_per_pkt\n");
	OUT_HAS(r, "\n       0      1  1000   990   900     100    100          4"
		   "                6             50        40960                212.5\n");
	OUT_HAS(r, "\n       1      2  2000  1990  1800     200    200          3"
		   "                7             60        49152               198.25\n");
	OUT_HAS(r, "\n  -----");
	OUT_HAS(r, "\n   total      -  3000  2980  2700     300    300          7"
		   "               13            110        90112                203.6\n");
	OUT_HAS(r, "control:\n  punts_handled: 300\n  in_flight:     0\n"
		   "  uptime:        0:01:02\n");
	/* "total" became the last row of the table; it is not printed again on its own. */
	cr_assert_null(strstr(r.out, "total:"), "%s", r.out);
	run_free(&r);
}

Test(veloctl, stats_transposed_when_narrow)
{
	static const char *const env[] = {"COLUMNS=80", NULL};
	struct run r = veloctl(env, "-s", srv.path, "stats", NULL);

	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_log_info("%s", r.out);
	OUT_HAS(r, "workers:\n  worker                   0       1  total\n");
	OUT_HAS(r, "\n  rx                    1000    2000   3000\n");
	OUT_HAS(r, "\n  drops.malformed          6       7     13\n");
	OUT_HAS(r, "\n  busy_cycles_per_pkt  212.5  198.25  203.6\n");
	run_free(&r);
}

Test(veloctl, json_output)
{
	struct run r = veloctl(NULL, "-s", srv.path, "--json", "stats", NULL);
	json_t *v;

	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	v = json_loads(r.out, 0, NULL);
	cr_assert_not_null(v, "not JSON:\n%s", r.out);
	cr_assert_eq(json_array_size(json_object_get(v, "workers")), 2);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(v, "total"), "rx")), 3000);
	cr_assert(strchr(r.out, '\n') < r.out + strlen(r.out) - 1, "not pretty-printed");
	json_decref(v);
	run_free(&r);
}

Test(veloctl, help_and_empty_result)
{
	struct run r = veloctl(NULL, "-s", srv.path, "help", NULL);

	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	OUT_HAS(r, "commands:\n  name               usage\n");
	OUT_HAS(r, "\n  help               list the commands and their arguments\n");
	run_free(&r);
	r = veloctl(NULL, "-s", srv.path, "empty", NULL);
	cr_assert_eq(r.status, 0);
	cr_assert_str_eq(r.out, "ok\n");
	run_free(&r);
}

/* veloctl --json CMD...: the mirror's "args" for a daemon command name. */
static json_t *
mirrored(const char *cmd, ...)
{
	const char *argv[10] = {"-s", srv.path, "--json"};
	int n = 3;
	va_list ap;
	struct run r;
	json_t *v, *args;

	va_start(ap, cmd);
	for (const char *a; (a = va_arg(ap, const char *)) != NULL && n < 9;)
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	r = veloctl(NULL, argv[0], argv[1], argv[2], argv[3], argv[4], argv[5], argv[6], argv[7],
		    argv[8], NULL);
	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	v = json_loads(r.out, 0, NULL);
	cr_assert_not_null(v, "%s", r.out);
	cr_assert_str_eq(json_string_value(json_object_get(v, "cmd")), cmd);
	args = json_incref(json_object_get(v, "args"));
	json_decref(v);
	run_free(&r);
	return args;
}

static void
expect_args(json_t *args, const char *want)
{
	json_t *w = json_loads(want, 0, NULL);

	cr_assert_not_null(w);
	cr_assert(json_equal(args, w), "args %s, want %s", json_dumps(args, JSON_COMPACT), want);
	json_decref(w);
	json_decref(args);
}

Test(veloctl, command_mapping)
{
	expect_args(mirrored("status", "status", NULL), "{}");
	expect_args(mirrored("cache-lookup", "cache", "lookup", "www.example.", "AAAA", NULL),
		    "{\"name\":\"www.example.\",\"type\":\"AAAA\"}");
	expect_args(mirrored("cache-lookup", "cache", "lookup", "www.example.", NULL),
		    "{\"name\":\"www.example.\",\"type\":\"A\"}");
	expect_args(mirrored("cache-flush", "cache", "flush", NULL), "{}");
	expect_args(mirrored("cache-flush", "cache", "flush", "example.", NULL),
		    "{\"name\":\"example.\"}");
	expect_args(mirrored("local-data-add", "local-data", "add", "www.example. 300 A 192.0.2.1",
			     NULL),
		    "{\"rr\":\"www.example. 300 A 192.0.2.1\"}");
	expect_args(mirrored("local-data-add", "local-data", "add", "www.example.", "A",
			     "192.0.2.1", NULL),
		    "{\"rr\":\"www.example. A 192.0.2.1\"}");
	expect_args(mirrored("local-data-remove", "local-data", "remove",
			     "www.example. 300 A 192.0.2.1", NULL),
		    "{\"rr\":\"www.example. 300 A 192.0.2.1\"}");
	expect_args(mirrored("local-data-remove", "local-data", "remove", "www.example.", "A",
			     NULL),
		    "{\"name\":\"www.example.\",\"type\":\"A\"}");
	expect_args(mirrored("local-data-remove", "local-data", "remove", "www.example.", NULL),
		    "{\"name\":\"www.example.\"}");
	expect_args(mirrored("local-data-list", "local-data", "list", NULL), "{}");
	expect_args(mirrored("cache-flush", "cache", "flush", "zone", "example.", NULL),
		    "{\"zone\":\"example.\"}");
	/* "zone" alone is a name to flush. */
	expect_args(mirrored("cache-flush", "cache", "flush", "zone", NULL), "{\"name\":\"zone\"}");
	expect_args(mirrored("cache-dump", "cache", "dump", NULL), "{}");
	expect_args(mirrored("infra", "infra", NULL), "{}");
}

Test(veloctl, forward_command_mapping)
{
	expect_args(mirrored("forward-list", "forward", "list", NULL), "{}");
	expect_args(mirrored("forward-add", "forward", "add", ".", "198.18.5.1", NULL),
		    "{\"zone\":\".\",\"servers\":[\"198.18.5.1\"]}");
	expect_args(mirrored("forward-add", "forward", "add", "corp.example.", "198.18.5.1",
			     "2001:db8::1@5353", "127.0.0.1@5353", NULL),
		    "{\"zone\":\"corp.example.\",\"servers\":[\"198.18.5.1\","
		    "\"2001:db8::1@5353\",\"127.0.0.1@5353\"]}");
	expect_args(mirrored("forward-remove", "forward", "remove", "corp.example.", NULL),
		    "{\"zone\":\"corp.example.\"}");
}

Test(veloctl, generic_command_key_value)
{
	struct run r = veloctl(NULL, "-s", srv.path, "--json", "echo", "n=3", "s=text",
			       "o={\"a\":[1]}", "b=true", NULL);
	json_t *v, *want;

	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	v = json_loads(r.out, 0, NULL);
	want = json_loads("{\"n\":3,\"s\":\"text\",\"o\":{\"a\":[1]},\"b\":true}", 0, NULL);
	cr_assert(json_equal(v, want), "%s", r.out);
	json_decref(v);
	json_decref(want);
	run_free(&r);
}

Test(veloctl, streamed_parts)
{
	struct run r = veloctl(NULL, "-s", srv.path, "stream", "n=3", NULL);

	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_assert_str_eq(r.out, "i: 0\ni: 1\ni: 2\nn: 3\n");
	run_free(&r);
	r = veloctl(NULL, "-s", srv.path, "--json", "stream", "n=2", NULL);
	cr_assert_eq(r.status, 0);
	cr_assert_str_eq(r.out, "{\"i\":0}\n{\"i\":1}\n{\n  \"n\": 2\n}\n");
	run_free(&r);
}

/* A streamed {"records": [text...]} (cache dump) prints one record per line. */
Test(veloctl, streamed_records_as_lines)
{
	struct run r = veloctl(NULL, "-s", srv.path, "echo-partial",
			       "records=[\"a. 300 IN A 192.0.2.1\",\"; NXDOMAIN b. ttl 5 (x)\"]",
			       NULL);

	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_assert_str_eq(r.out, "a. 300 IN A 192.0.2.1\n; NXDOMAIN b. ttl 5 (x)\nok\n");
	run_free(&r);
}

Test(veloctl, exit_1_command_failed)
{
	struct run r = veloctl(NULL, "-s", srv.path, "fail", "msg=nope", NULL);

	cr_assert_eq(r.status, 1);
	ERR_HAS(r, "veloctl: failed on purpose: nope\n");
	cr_assert_str_eq(r.out, "");
	run_free(&r);
	r = veloctl(NULL, "-s", srv.path, "no-such-command", NULL);
	cr_assert_eq(r.status, 1);
	ERR_HAS(r, "unknown command \"no-such-command\"");
	run_free(&r);
	r = veloctl(NULL, "-s", srv.path, "--json", "later", "ms=soon", NULL);
	cr_assert_eq(r.status, 1);
	ERR_HAS(r, "later: bad arguments");
	run_free(&r);
}

Test(veloctl, exit_2_usage)
{
	static const char *const cases[][4] = {
		{NULL},
		{"--bogus", "stats"},
		{"stats", "extra"},
		{"cache"},
		{"cache", "lookup"},
		{"cache", "flush", "a", "b"},
		{"cache", "dump", "x"},
		{"infra", "x"},
		{"local-data", "add"},
		{"local-data", "frob"},
		{"forward"},
		{"forward", "list", "x"},
		{"forward", "add", "."},
		{"forward", "remove"},
		{"forward", "remove", "a.", "b."},
		{"forward", "frob"},
		{"--timeout", "abc", "stats"},
		{"--timeout", "-1", "stats"},
		{"Bad_Command"},
		{"echo", "novalue"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r = veloctl(NULL, "-s", srv.path, cases[i][0], cases[i][1], cases[i][2],
				       cases[i][3], NULL);

		cr_assert_eq(r.status, 2, "case %zu (%s): exit %d", i,
			     cases[i][0] ? cases[i][0] : "", r.status);
		cr_assert_neq(r.err[0], '\0', "case %zu: nothing on stderr", i);
		run_free(&r);
	}
	struct run r = veloctl(NULL, "--help", NULL);
	cr_assert_eq(r.status, 0);
	OUT_HAS(r, "usage: veloctl");
	run_free(&r);
}

Test(veloctl, exit_3_cannot_connect)
{
	char path[160], env[200];
	struct run r;

	snprintf(path, sizeof(path), "%s/absent.sock", srv.dir);
	r = veloctl(NULL, "-s", path, "stats", NULL);
	cr_assert_eq(r.status, 3);
	ERR_HAS(r, "cannot connect to ");
	ERR_HAS(r, path);
	ERR_HAS(r, "No such file or directory");
	run_free(&r);
	/* VELOCTL_SOCKET names the socket when -s does not. */
	snprintf(env, sizeof(env), "VELOCTL_SOCKET=%s", path);
	const char *const e1[] = {env, NULL};
	r = veloctl(e1, "status", NULL);
	cr_assert_eq(r.status, 3);
	ERR_HAS(r, path);
	run_free(&r);
	snprintf(env, sizeof(env), "VELOCTL_SOCKET=%s", srv.path);
	const char *const e2[] = {env, NULL};
	r = veloctl(e2, "status", NULL);
	cr_assert_eq(r.status, 0, "%s", r.err);
	run_free(&r);
}

Test(veloctl, exit_4_timeout)
{
	struct run r = veloctl(NULL, "-s", srv.path, "--timeout", "0.3", "hang", NULL);

	cr_assert_eq(r.status, 4);
	ERR_HAS(r, "no reply from");
	run_free(&r);
}

Test(veloctl, long_lists_one_item_per_line)
{
	struct run r = veloctl(NULL, "-s", srv.path, "echo",
			       "records=[\"www.example. 300 IN A 192.0.2.1\","
			       "\"www.example. 300 IN AAAA 2001:db8::1\","
			       "\"mail.example. 300 IN MX 10 mx.example.\"]",
			       "short=[1,2,3]", NULL);

	cr_assert_eq(r.status, 0, "exit %d: %s", r.status, r.err);
	cr_assert_str_eq(r.out, "records:\n"
				"  www.example. 300 IN A 192.0.2.1\n"
				"  www.example. 300 IN AAAA 2001:db8::1\n"
				"  mail.example. 300 IN MX 10 mx.example.\n"
				"short: 1, 2, 3\n");
	run_free(&r);
}
