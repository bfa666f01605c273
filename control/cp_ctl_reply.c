/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control socket output (see cp_ctl.h): one JSON line per reply, error or streamed
 * partial result, the per-client output limit and the wait for a client to read.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <uv.h>

#include "cp_ctl.h"
#include "cp_ctl_int.h"
#include "vd_log.h"

#define CP_CTL_MAX_ERRMSG 1024

struct cp_ctl_wreq {
	uv_write_t w;
	char *line;                        /* from json_dumps(), freed with free() */
};

static char cp_ctl_newline[] = "\n";

/* ---- output ---- */

static size_t
cp_ctl_queued(const struct cp_ctl_conn *conn)
{
	return uv_stream_get_write_queue_size((const uv_stream_t *)&conn->pipe);
}

/* Run the drain callbacks waiting on @p conn while its queue stays low. */
static void
cp_ctl_conn_drained(struct cp_ctl_conn *conn)
{
	size_t low = conn->ctl->max_output / 8;
	struct cp_ctl_req *r;

	while (!conn->closing && cp_ctl_queued(conn) <= low) {
		for (r = conn->reqs; r != NULL && r->drain == NULL; r = r->next)
			;
		if (r == NULL)
			return;
		cp_ctl_drain_fn fn = r->drain;
		r->drain = NULL;
		fn(r, false, r->drain_arg); /* may write, complete r or close conn */
	}
}

static void
cp_ctl_written(uv_write_t *w, int status)
{
	struct cp_ctl_wreq *wr = (struct cp_ctl_wreq *)w;
	struct cp_ctl_conn *conn = w->handle->data;

	free(wr->line);
	free(wr);
	if (status < 0) {
		/* EPIPE and friends: the client is gone. ECANCELED: we are closing. */
		cp_ctl_conn_close(conn);
		return;
	}
	cp_ctl_conn_drained(conn);
}

/*
 * Queue one line (@p line, malloc'd, without its '\n'; always consumed). A client
 * whose queued output then exceeds the limit is not reading: close it.
 * @return 0 or -EPIPE (connection closing or closed here).
 */
static int
cp_ctl_conn_write(struct cp_ctl_conn *conn, char *line, size_t len)
{
	struct cp_ctl_wreq *wr;
	uv_buf_t bufs[2];

	if (conn->closing) {
		free(line);
		return -EPIPE;
	}
	wr = malloc(sizeof(*wr));
	if (wr == NULL) {
		free(line);
		cp_ctl_conn_close(conn);
		return -EPIPE;
	}
	wr->line = line;
	bufs[0] = uv_buf_init(line, (unsigned)len);
	bufs[1] = uv_buf_init(cp_ctl_newline, 1);
	if (uv_write(&wr->w, (uv_stream_t *)&conn->pipe, bufs, 2, cp_ctl_written) != 0) {
		free(line);
		free(wr);
		cp_ctl_conn_close(conn);
		return -EPIPE;
	}
	if (cp_ctl_queued(conn) > conn->ctl->max_output) {
		conn->ctl->stats.overflows++;
		VD_WARN("control socket: client pid %d not reading, %zu bytes queued: closed",
			(int)conn->pid, cp_ctl_queued(conn));
		cp_ctl_conn_close(conn);
		return -EPIPE;
	}
	return 0;
}

/* Encode @p msg (reference stolen) as one line. @return the text or NULL. */
static char *
cp_ctl_encode(json_t *msg, size_t *len)
{
	char *s = json_dumps(msg, JSON_COMPACT | JSON_ENCODE_ANY);

	json_decref(msg);
	if (s != NULL)
		*len = strlen(s);
	return s;
}

/*
 * A JSON string for an error message: jansson refuses invalid UTF-8 (a message
 * cut inside a character, or bytes a handler echoed), so fall back to ASCII.
 */
static json_t *
cp_ctl_errstr(char *msg)
{
	json_t *s = json_string(msg);

	if (s == NULL) {
		for (char *p = msg; *p != '\0'; p++)
			if ((unsigned char)*p >= 0x80)
				*p = '?';
		s = json_string(msg);
	}
	return s;
}

/* Send a final error line with @p id (borrowed; NULL: null). */
static void VD_PRINTF(3, 0)
cp_ctl_send_verr(struct cp_ctl_conn *conn, json_t *id, const char *fmt, va_list ap)
{
	char msg[CP_CTL_MAX_ERRMSG];
	json_t *o;
	char *line;
	size_t len;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	conn->ctl->stats.errors++;
	o = json_pack("{s:O?, s:b, s:o?}", "id", id, "ok", 0, "error", cp_ctl_errstr(msg));
	if (o == NULL || (line = cp_ctl_encode(o, &len)) == NULL) {
		cp_ctl_conn_close(conn);
		return;
	}
	cp_ctl_conn_write(conn, line, len);
}

void VD_PRINTF(3, 4)
cp_ctl_send_err(struct cp_ctl_conn *conn, json_t *id, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cp_ctl_send_verr(conn, id, fmt, ap);
	va_end(ap);
}

/* ---- public ---- */

void
cp_ctl_reply_ok(struct cp_ctl_req *req, json_t *result)
{
	struct cp_ctl_conn *conn = req->conn;
	json_t *msg;
	char *line;
	size_t len;

	/* Unlink first: the write may close the connection, which orphans what is linked. */
	cp_ctl_req_unlink(req);
	if (result == NULL)
		result = json_object();
	if (conn == NULL) {
		json_decref(result);
		goto out;
	}
	msg = json_pack("{s:O, s:b, s:o}", "id", req->id, "ok", 1, "result", result);
	line = msg != NULL ? cp_ctl_encode(msg, &len) : NULL;
	if (line == NULL)
		cp_ctl_send_err(conn, req->id, "%s: result cannot be encoded", req->cmd->name);
	else if (len > conn->ctl->max_output) {
		free(line);
		cp_ctl_send_err(conn, req->id, "%s: result of %zu bytes exceeds the output limit",
				req->cmd->name, len);
	} else {
		cp_ctl_conn_write(conn, line, len);
	}
	cp_ctl_conn_idle(conn);
out:
	json_decref(req->id);
	free(req);
}

void
cp_ctl_reply_err(struct cp_ctl_req *req, const char *fmt, ...)
{
	struct cp_ctl_conn *conn = req->conn;
	va_list ap;

	cp_ctl_req_unlink(req);
	if (conn != NULL) {
		va_start(ap, fmt);
		cp_ctl_send_verr(conn, req->id, fmt, ap);
		va_end(ap);
		cp_ctl_conn_idle(conn);
	}
	json_decref(req->id);
	free(req);
}

int
cp_ctl_reply_partial(struct cp_ctl_req *req, json_t *data)
{
	json_t *msg;
	char *line;
	size_t len;

	if (req->conn == NULL) {
		json_decref(data);
		return -EPIPE;
	}
	msg = json_pack("{s:O, s:o}", "id", req->id, "partial", data);
	line = msg != NULL ? cp_ctl_encode(msg, &len) : NULL;
	if (line == NULL)
		return -ENOMEM;
	if (len > req->conn->ctl->max_output) {
		free(line);
		return -EMSGSIZE;
	}
	return cp_ctl_conn_write(req->conn, line, len);
}

int
cp_ctl_req_wait_writable(struct cp_ctl_req *req, cp_ctl_drain_fn fn, void *arg)
{
	if (req->conn == NULL)
		return -EPIPE;
	if (req->drain != NULL)
		return -EBUSY;
	if (cp_ctl_queued(req->conn) <= req->conn->ctl->max_output / 8)
		return -EALREADY;
	req->drain = fn;
	req->drain_arg = arg;
	return 0;
}
