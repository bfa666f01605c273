/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The daemon's control-socket commands: the table, `status`, and what the groups
 * share. Each group has its file: stats (cp_cmd_stats.c), cache lookup, flush and
 * dump (cp_cmd_cache.c), local data (cp_cmd_local.c), infra and forward zones
 * (cp_cmd_resolver.c). Handlers run in the control thread.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cp_commands.h"
#include "cp_commands_int.h"
#include "cp_forward_cmd.h"
#include "cp_localdata.h"
#include "dns_name.h"
#include "dns_present.h"
#include "vd_time.h"

static void
cmd_status(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	struct cp_daemon *d = ctx;
	json_t *res = json_object(), *ports = json_array();

	(void)args;
	json_object_set_new(res, "version", json_string(VELODNS_VERSION));
	json_object_set_new(res, "uptime_s",
			    json_integer((json_int_t)((vd_now_ns() - d->start_ns) / 1000000000ULL)));
	json_object_set_new(res, "config", json_string(d->conf.path));
	json_object_set_new(res, "workers", json_integer(d->n_workers));
	json_object_set_new(res, "local_records",
			    json_integer((json_int_t)cp_localdata_count(d->local)));
	for (unsigned i = 0; i < d->conf.n_ports; i++) {
		const struct cp_port_conf *pc = &d->conf.ports[i];
		json_t *p = json_object();
		json_object_set_new(p, "name", json_string(pc->name));
		json_object_set_new(p, "mode", json_string(cp_port_mode_name(pc->mode)));
		json_object_set_new(p, "interface", json_string(pc->interface ? pc->interface : ""));
		json_object_set_new(p, "queues", json_integer(pc->queues));
		json_object_set_new(p, "port_id", json_integer(d->ports[i].port_id));
		json_array_append_new(ports, p);
	}
	json_object_set_new(res, "ports", ports);
	cp_ctl_reply_ok(req, res);
}

/* "NAME" and "TYPE" arguments as a lower-case wire name and a type number. */
int
cp_cmd_name_type_args(struct cp_ctl_req *req, json_t *args, uint8_t *name, uint16_t *type,
	       bool type_required)
{
	const char *text = NULL, *ttext = NULL;
	int n;

	if (cp_ctl_args_unpack(req, args, type_required ? "{s:s, s:s}" : "{s:s, s?s}", "name", &text,
			       "type", &ttext) != 0)
		return -EINVAL;
	n = dns_name_from_text(text, name, DNS_NAME_MAXLEN);
	if (n < 0) {
		cp_ctl_reply_err(req, "%s: not a domain name", text);
		return -EINVAL;
	}
	for (int i = 0; i < n; i++)
		name[i] = dns_lower(name[i]);
	*type = 0;
	if (ttext != NULL && dns_type_from_text(ttext, type) != 0) {
		cp_ctl_reply_err(req, "%s: not an RR type", ttext);
		return -EINVAL;
	}
	return n;
}

static const struct cp_ctl_command commands[] = {
	{ "status", "{}", cmd_status },
	{ "stats", "{}", cp_cmd_stats },
	{ "cache-lookup", "{\"name\": s, \"type\": s}", cp_cmd_cache_lookup },
	{ "cache-flush", "{\"name\"?: s} or {\"zone\": s}", cp_cmd_cache_flush },
	{ "cache-dump", "{}", cp_cmd_cache_dump },
	{ "infra", "{}", cp_cmd_infra },
	{ "local-data-add", "{\"rr\": s}", cp_cmd_local_data_add },
	{ "local-data-remove", "{\"rr\": s} or {\"name\": s, \"type\"?: s}", cp_cmd_local_data_remove },
	{ "local-data-list", "{\"name\"?: s}", cp_cmd_local_data_list },
	{ "forward-list", CP_FWD_CMD_LIST_USAGE, cp_cmd_forward_list },
	{ "forward-add", CP_FWD_CMD_ADD_USAGE, cp_cmd_forward_add },
	{ "forward-remove", CP_FWD_CMD_REMOVE_USAGE, cp_cmd_forward_remove },
};

int
cp_commands_start(struct cp_daemon *d)
{
	struct cp_ctl_opts o = { .path = d->conf.server.control_socket };

	return cp_ctl_start(d->loop, &o, commands, sizeof(commands) / sizeof(commands[0]), d,
			    &d->ctl);
}

void
cp_commands_stop(struct cp_daemon *d)
{
	cp_cmd_lookups_stop();
	if (d->ctl != NULL)
		cp_ctl_stop(d->ctl);
	d->ctl = NULL;
}
