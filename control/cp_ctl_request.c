/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Control socket requests (see cp_ctl.h): the command table and the built-in "help",
 * checking a request line's JSON envelope, handing it to its handler, and what a
 * handler asks of its request (arguments, peer, cancellation).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cp_ctl.h"
#include "cp_ctl_int.h"
#include "vd_log.h"

static void cp_ctl_help(struct cp_ctl_req *req, json_t *args, void *ctx);

static const struct cp_ctl_command cp_ctl_builtin_help = {
	.name = "help",
	.usage = "list the commands and their arguments",
	.handler = cp_ctl_help,
};

/* ---- requests ---- */

void
cp_ctl_req_unlink(struct cp_ctl_req *req)
{
	struct cp_ctl_conn *conn = req->conn;

	if (conn == NULL)
		return;
	if (req->prev != NULL)
		req->prev->next = req->next;
	else
		conn->reqs = req->next;
	if (req->next != NULL)
		req->next->prev = req->prev;
	req->prev = req->next = NULL;
	req->conn = NULL;
	conn->n_reqs--;
}

static const struct cp_ctl_command *
cp_ctl_find(const struct cp_ctl *ctl, const char *name)
{
	if (strcmp(name, cp_ctl_builtin_help.name) == 0)
		return &cp_ctl_builtin_help;
	for (size_t i = 0; i < ctl->n_cmds; i++)
		if (strcmp(name, ctl->cmds[i].name) == 0)
			return &ctl->cmds[i];
	return NULL;
}

/* Check the envelope of one request line, then hand it to its command's handler. */
void
cp_ctl_dispatch(struct cp_ctl_conn *conn, const char *line, size_t len)
{
	struct cp_ctl *ctl = conn->ctl;
	const struct cp_ctl_command *cmd;
	json_t *msg, *id, *name, *args, *v;
	struct cp_ctl_req *req;
	json_error_t jerr;
	const char *key;

	ctl->stats.requests++;
	msg = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (msg == NULL) {
		cp_ctl_send_err(conn, NULL, "invalid JSON at column %d: %s", jerr.column,
				jerr.text);
		return;
	}
	if (!json_is_object(msg)) {
		cp_ctl_send_err(conn, NULL, "a request must be a JSON object");
		goto out;
	}
	id = json_object_get(msg, "id");
	if (id != NULL && !json_is_integer(id) && !json_is_string(id) && !json_is_null(id)) {
		cp_ctl_send_err(conn, NULL, "\"id\" must be an integer or a string");
		goto out;
	}
	json_object_foreach (msg, key, v) {
		if (strcmp(key, "id") != 0 && strcmp(key, "cmd") != 0 && strcmp(key, "args") != 0) {
			cp_ctl_send_err(conn, id, "unknown member \"%.32s\" (expected %s)", key,
					"cmd, args, id");
			goto out;
		}
	}
	name = json_object_get(msg, "cmd");
	if (!json_is_string(name)) {
		cp_ctl_send_err(conn, id, "\"cmd\" missing or not a string");
		goto out;
	}
	cmd = json_string_length(name) <= CP_CTL_MAX_CMD_LEN ?
		      cp_ctl_find(ctl, json_string_value(name)) : NULL;
	if (cmd == NULL) {
		cp_ctl_send_err(conn, id, "unknown command \"%.64s\" (try \"help\")",
				json_string_length(name) <= CP_CTL_MAX_CMD_LEN ?
					json_string_value(name) : "(too long)");
		goto out;
	}
	args = json_object_get(msg, "args");
	if (args == NULL || json_is_null(args)) {
		args = json_object();
		if (args == NULL || json_object_set_new(msg, "args", args) != 0) {
			cp_ctl_send_err(conn, id, "out of memory");
			goto out;
		}
	} else if (!json_is_object(args)) {
		cp_ctl_send_err(conn, id, "%s: \"args\" must be an object", cmd->name);
		goto out;
	}
	if (conn->n_reqs >= CP_CTL_MAX_PENDING) {
		cp_ctl_send_err(conn, id, "too many requests in progress on this connection");
		goto out;
	}
	req = calloc(1, sizeof(*req));
	if (req == NULL) {
		cp_ctl_send_err(conn, id, "out of memory");
		goto out;
	}
	req->conn = conn;
	req->cmd = cmd;
	req->id = id != NULL ? json_incref(id) : json_null();
	req->pid = conn->pid;
	req->uid = conn->uid;
	req->next = conn->reqs;
	if (conn->reqs != NULL)
		conn->reqs->prev = req;
	conn->reqs = req;
	conn->n_reqs++;
	VD_DEBUG("control socket: %s from pid %d uid %u", cmd->name, (int)req->pid,
		 (unsigned)req->uid);
	cmd->handler(req, args, cmd == &cp_ctl_builtin_help ? (void *)ctl : ctl->ctx);
out:
	json_decref(msg);
}

/* ---- built-in commands ---- */

static void
cp_ctl_help(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	const struct cp_ctl *ctl = ctx;
	json_t *list;

	if (cp_ctl_args_unpack(req, args, "{!}") != 0)
		return;
	list = json_array();
	json_array_append_new(list, json_pack("{s:s, s:s}", "name", cp_ctl_builtin_help.name,
					      "usage", cp_ctl_builtin_help.usage));
	for (size_t i = 0; i < ctl->n_cmds; i++)
		json_array_append_new(list, json_pack("{s:s, s:s}", "name", ctl->cmds[i].name,
						      "usage", ctl->cmds[i].usage != NULL ?
								       ctl->cmds[i].usage : ""));
	cp_ctl_reply_ok(req, json_pack("{s:o}", "commands", list));
}

/* ---- command table ---- */

static bool
cp_ctl_name_ok(const char *name)
{
	size_t n = name != NULL ? strlen(name) : 0;

	return n > 0 && n <= CP_CTL_MAX_CMD_LEN &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

int
cp_ctl_check_cmds(const struct cp_ctl_command *cmds, size_t n_cmds)
{
	for (size_t i = 0; i < n_cmds; i++) {
		if (!cp_ctl_name_ok(cmds[i].name) || cmds[i].handler == NULL)
			return -EINVAL;
		if (strcmp(cmds[i].name, cp_ctl_builtin_help.name) == 0)
			return -EEXIST;
		for (size_t j = 0; j < i; j++)
			if (strcmp(cmds[i].name, cmds[j].name) == 0)
				return -EEXIST;
	}
	return 0;
}

/* ---- public ---- */

int
cp_ctl_args_unpack(struct cp_ctl_req *req, json_t *args, const char *fmt, ...)
{
	json_error_t jerr;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = json_vunpack_ex(args, &jerr, 0, fmt, ap);
	va_end(ap);
	if (ret == 0)
		return 0;
	cp_ctl_reply_err(req, "%s: bad arguments: %s (usage: %s)", req->cmd->name, jerr.text,
			 req->cmd->usage != NULL ? req->cmd->usage : "");
	return -EINVAL;
}

bool
cp_ctl_req_orphaned(const struct cp_ctl_req *req)
{
	return req->conn == NULL;
}

void
cp_ctl_req_on_cancel(struct cp_ctl_req *req, cp_ctl_cancel_fn fn, void *arg)
{
	req->cancel = fn;
	req->cancel_arg = arg;
}

const char *
cp_ctl_req_cmd(const struct cp_ctl_req *req)
{
	return req->cmd->name;
}

void
cp_ctl_req_peer(const struct cp_ctl_req *req, pid_t *pid, uid_t *uid)
{
	if (pid != NULL)
		*pid = req->pid;
	if (uid != NULL)
		*uid = req->uid;
}
