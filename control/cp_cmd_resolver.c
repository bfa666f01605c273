/* SPDX-License-Identifier: BSD-3-Clause */
/* `infra` (the servers the resolver knows) and the forward-zone commands (cp_forward_cmd.c). Control thread. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp_commands_int.h"
#include "cp_forward_cmd.h"
#include "cp_resolver.h"
#include "dns_name.h"
#include "dns_present.h"

static const char *
edns_name(enum cp_infra_edns e)
{
	return e == CP_INFRA_EDNS_YES ? "yes" : e == CP_INFRA_EDNS_NO ? "no" : "unknown";
}

struct infra_list {
	json_t *servers;
	uint64_t now_ms;
};

static int
infra_one(const struct cp_infra_server *s, void *arg)
{
	struct infra_list *il = arg;
	char addr[INET6_ADDRSTRLEN + 16], ip[INET6_ADDRSTRLEN] = "?", zone[DNS_NAME_TEXT_MAX];
	json_t *o = json_object(), *lame = json_array();
	unsigned port;

	if (s->addr.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&s->addr;

		inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
		port = ntohs(a->sin_port);
		snprintf(addr, sizeof(addr), "%s#%u", ip, port);
	} else {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&s->addr;

		inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
		port = ntohs(a->sin6_port);
		snprintf(addr, sizeof(addr), "%s#%u", ip, port);
	}
	for (unsigned i = 0; i < s->n_lame; i++)
		if (dns_name_to_text(s->lame[i].zone, zone, sizeof(zone)) >= 0)
			json_array_append_new(lame, json_string(zone));
	json_object_set_new(o, "address", json_string(addr));
	json_object_set_new(o, "srtt_ms", json_real(s->info.srtt_us / 1000.0));
	json_object_set_new(o, "rttvar_ms", json_real(s->info.rttvar_us / 1000.0));
	json_object_set_new(o, "rto_ms", json_integer(s->info.rto_ms));
	json_object_set_new(o, "measured", json_boolean(s->info.measured));
	json_object_set_new(o, "timeouts", json_integer(s->info.timeouts));
	json_object_set_new(o, "edns", json_string(edns_name(s->info.edns)));
	json_object_set_new(o, "backoff", json_boolean(s->info.backoff));
	json_object_set_new(o, "probe_in_ms",
			    json_integer(s->info.backoff && s->probe_at_ms > il->now_ms
						 ? (json_int_t)(s->probe_at_ms - il->now_ms)
						 : 0));
	json_object_set_new(o, "lame", lame);
	json_array_append_new(il->servers, o);
	return 0;
}

void
cp_cmd_infra(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	struct cp_daemon *d = ctx;
	struct infra_list il;

	if (cp_ctl_args_unpack(req, args, "{!}") != 0)
		return;
	if (d->resolver == NULL) {
		cp_ctl_reply_err(req, "no resolver configured");
		return;
	}
	il.servers = json_array();
	il.now_ms = cp_resolver_now_ms(d->resolver);
	if (cp_infra_foreach(cp_resolver_infra(d->resolver), il.now_ms, infra_one, &il) != 0) {
		json_decref(il.servers);
		cp_ctl_reply_err(req, "out of memory");
		return;
	}
	cp_ctl_reply_ok(req, json_pack("{s:I, s:o}", "count",
				       (json_int_t)json_array_size(il.servers), "servers", il.servers));
}

/* ---- forward zones: cp_forward_cmd.c on the resolver's table ---- */

static void
flush_all_workers(void *arg)
{
	cp_cmd_flush_workers(arg, NULL, 0);
}

static void
forward_env(struct cp_daemon *d, struct cp_fwd_cmd_env *e)
{
	memset(e, 0, sizeof(*e));
	if (d->resolver == NULL)
		return;
	e->forward = cp_resolver_forward(d->resolver);
	e->rrcache = cp_resolver_rrcache(d->resolver);
	e->infra = cp_resolver_infra(d->resolver);
	e->now_ms = cp_resolver_now_ms(d->resolver);
	e->flush_workers = flush_all_workers;
	e->flush_arg = d;
}

void
cp_cmd_forward_list(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	struct cp_fwd_cmd_env e;

	forward_env(ctx, &e);
	cp_fwd_cmd_list(req, args, &e);
}

void
cp_cmd_forward_add(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	struct cp_fwd_cmd_env e;

	forward_env(ctx, &e);
	cp_fwd_cmd_add(req, args, &e);
}

void
cp_cmd_forward_remove(struct cp_ctl_req *req, json_t *args, void *ctx)
{
	struct cp_fwd_cmd_env e;

	forward_env(ctx, &e);
	cp_fwd_cmd_remove(req, args, &e);
}
