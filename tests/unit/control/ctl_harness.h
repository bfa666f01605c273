/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test harness for control/cp_ctl.c: a control socket server with test commands on a
 * libuv loop in its own thread, and a small blocking line client.
 *
 * Test commands: echo (result = args), fail, later {ms} (answers from a timer),
 * stream {n} (n partial lines, then the result), stream-later {n, ms} (one partial
 * per tick), bigstream {bytes, chunk} (paced with cp_ctl_req_wait_writable), hang
 * (answers only when the server stops), huge {bytes} (a result too large), probe
 * (the harness counters and cp_ctl_get_stats), stats and nested (results shaped as
 * the daemon's, for veloctl's renderer), empty (no result), and the daemon's own
 * names (status, cache-lookup, cache-flush, local-data-add|remove|list,
 * forward-list|add|remove) answering
 * {"cmd": name, "args": args}, to check veloctl's mapping.
 */
#ifndef TEST_CTL_HARNESS_H
#define TEST_CTL_HARNESS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include <jansson.h>
#include <uv.h>

#include "cp_ctl.h"

struct th_server {
	uv_loop_t loop;
	uv_async_t stop;
	pthread_t thread;
	bool running;
	struct cp_ctl *ctl;
	char dir[64];
	char path[108];
	struct th_hung *hung;          /* loop thread only */
	atomic_int cancelled;          /* cancel callbacks run */
	atomic_int orphan_done;        /* requests completed after their client left */
	atomic_int partial_epipe;      /* cp_ctl_reply_partial() == -EPIPE seen */
};

/** Make a fresh temporary directory and set s->path to "<dir>/ctl.sock". */
void th_init(struct th_server *s);

/**
 * Start a server on s->path (opts->path is ignored) and its loop thread.
 * @return cp_ctl_start()'s result; on failure nothing runs.
 */
int th_start(struct th_server *s, const struct cp_ctl_opts *opts);

/**
 * As th_start(), with the caller's commands (and @p ctx for them) instead of the
 * test commands: for suites of real command handlers (e.g. test_forward_cmd.c).
 * The handlers run on the server's loop thread.
 */
int th_start_with(struct th_server *s, const struct cp_ctl_opts *opts,
		  const struct cp_ctl_command *cmds, size_t n_cmds, void *ctx);

/** Stop the server, join the thread, close the loop. Leaves s->dir (see th_cleanup). */
void th_stop(struct th_server *s);

/** Remove s->dir and whatever is left in it. */
void th_cleanup(struct th_server *s);

struct tc {
	int fd;
	size_t len;
	char *buf;                     /* TC_BUF bytes */
};

#define TC_BUF (8u * 1024 * 1024)

/** Connect to @p path (5 s receive timeout). @return 0 or -errno. */
int tc_open(struct tc *c, const char *path);

void tc_close(struct tc *c);

/** Send @p line, adding '\n'. @return 0 or -errno. */
int tc_send(struct tc *c, const char *line);

/** Next line, parsed; NULL on EOF, error or timeout (errno 0 on EOF). */
json_t *tc_recv(struct tc *c);

/** Send and receive the next line. */
json_t *tc_rpc(struct tc *c, const char *line);

/** Read until EOF or error. @return bytes read, -1 if it timed out. */
long tc_drain(struct tc *c);

#endif /* TEST_CTL_HARNESS_H */
