/* SPDX-License-Identifier: BSD-3-Clause */
/* The control socket's forward-list, forward-add and forward-remove (cp_forward_cmd.h). */
#include <errno.h>
#include <string.h>

#include "cp_forward.h"
#include "cp_forward_cmd.h"
#include "cp_infra.h"
#include "cp_rrcache.h"
#include "dns_name.h"
#include "dns_present.h"

static bool
have_table(struct cp_ctl_req *req, const struct cp_fwd_cmd_env *e)
{
	if (e->forward != NULL)
		return true;
	cp_ctl_reply_err(req, "no resolver configured");
	return false;
}

/* "zone" as a lower-case wire name. @return its length, or -EINVAL after replying. */
static int
zone_arg(struct cp_ctl_req *req, const char *text, uint8_t *zone)
{
	int n = dns_name_from_text(text, zone, DNS_NAME_MAXLEN);

	if (n < 0) {
		cp_ctl_reply_err(req, "zone \"%s\": not a domain name", text);
		return -EINVAL;
	}
	for (int i = 0; i < n; i++)
		zone[i] = dns_lower(zone[i]);
	return n;
}

/* Answers learnt under @p zone came from the servers that just changed: forget them. */
static json_int_t
flush(const struct cp_fwd_cmd_env *e, const uint8_t *zone)
{
	int removed = e->rrcache != NULL ? cp_rrcache_flush_zone(e->rrcache, zone) : 0;

	if (e->flush_workers != NULL)
		e->flush_workers(e->flush_arg);
	return removed > 0 ? removed : 0;
}

static const char *
state_of(const struct cp_fwd_cmd_env *e, const struct cp_fwd_zone *z, unsigned i,
         struct cp_infra_info *info)
{
	const struct sockaddr *sa = (const struct sockaddr *)&z->servers[i];

	memset(info, 0, sizeof(*info));
	if (e->infra == NULL)
		return "unknown";
	cp_infra_get(e->infra, sa, e->now_ms, info);
	if (cp_infra_is_lame(e->infra, sa, z->name, e->now_ms))
		return "lame";
	if (info->backoff)
		return "backoff";
	if (info->timeouts > 0)
		return "timeouts";
	return info->measured ? "ok" : "unknown";
}

void
cp_fwd_cmd_list(struct cp_ctl_req *req, json_t *args, const struct cp_fwd_cmd_env *e)
{
	json_t *rows;

	if (cp_ctl_args_unpack(req, args, "{!}") != 0 || !have_table(req, e))
		return;
	rows = json_array();
	for (unsigned k = 0; k < cp_forward_count(e->forward); k++) {
		const struct cp_fwd_zone *z = cp_forward_get(e->forward, k);
		char zone[DNS_NAME_TEXT_MAX];

		if (dns_name_to_text(z->name, zone, sizeof(zone)) < 0)
			continue;
		for (unsigned i = 0; i < z->n_servers; i++) {
			char addr[CP_FWD_ADDR_TEXT_MAX];
			struct cp_infra_info info;
			const char *state = state_of(e, z, i, &info);

			if (cp_fwd_addr_to_text(&z->servers[i], addr, sizeof(addr)) < 0)
				continue;
			json_array_append_new(
				rows, json_pack("{s:s, s:s, s:s, s:f, s:I, s:I}", "zone", zone,
			                        "server", addr, "state", state, "srtt_ms",
			                        info.measured ? info.srtt_us / 1000.0 : 0.0,
			                        "rto_ms", (json_int_t)info.rto_ms, "timeouts",
			                        (json_int_t)info.timeouts));
		}
	}
	cp_ctl_reply_ok(req,
	                json_pack("{s:I, s:o}", "zones", (json_int_t)cp_forward_count(e->forward),
	                          "forwarders", rows));
}

/* "servers": an array of 1..CP_FWD_MAX_SERVERS distinct addresses. @return count or -EINVAL. */
static int
servers_arg(struct cp_ctl_req *req, json_t *list, struct sockaddr_storage *out)
{
	size_t i, n = json_array_size(list);
	json_t *v;

	if (!json_is_array(list) || n == 0) {
		cp_ctl_reply_err(req, "servers: give at least one forwarder address (ADDR or"
		                      " ADDR@PORT)");
		return -EINVAL;
	}
	if (n > CP_FWD_MAX_SERVERS) {
		cp_ctl_reply_err(req, "servers: at most %d forwarders per zone",
		                 CP_FWD_MAX_SERVERS);
		return -EINVAL;
	}
	json_array_foreach(list, i, v)
	{
		const char *text = json_string_value(v), *why;

		if (text == NULL) {
			cp_ctl_reply_err(req, "servers[%zu]: not a string", i);
			return -EINVAL;
		}
		if (cp_fwd_addr_parse(text, &out[i], &why) != 0) {
			cp_ctl_reply_err(req, "servers[%zu]: \"%s\": %s", i, text, why);
			return -EINVAL;
		}
		for (size_t j = 0; j < i; j++) {
			if (memcmp(&out[j], &out[i], sizeof(out[i])) == 0) {
				cp_ctl_reply_err(req, "servers[%zu]: \"%s\" is listed twice", i,
				                 text);
				return -EINVAL;
			}
		}
	}
	return (int)n;
}

void
cp_fwd_cmd_add(struct cp_ctl_req *req, json_t *args, const struct cp_fwd_cmd_env *e)
{
	struct sockaddr_storage servers[CP_FWD_MAX_SERVERS];
	uint8_t zone[DNS_NAME_MAXLEN];
	char text_buf[DNS_NAME_TEXT_MAX];
	const char *text = NULL;
	json_t *list = NULL, *shown;
	int n, rc;

	if (cp_ctl_args_unpack(req, args, "{s:s, s:o !}", "zone", &text, "servers", &list) != 0 ||
	    !have_table(req, e) || zone_arg(req, text, zone) < 0)
		return;
	n = servers_arg(req, list, servers);
	if (n < 0)
		return;
	rc = cp_forward_set(e->forward, zone, servers, (unsigned)n);
	if (rc == -ENOSPC) {
		cp_ctl_reply_err(req, "zone \"%s\": the table is full (%d zones); remove one first",
		                 text, CP_FWD_MAX_ZONES);
		return;
	}
	if (rc < 0) {
		cp_ctl_reply_err(req, "zone \"%s\": %s", text, strerror(-rc));
		return;
	}
	(void)dns_name_to_text(zone, text_buf, sizeof(text_buf));
	shown = json_array();
	for (int i = 0; i < n; i++) {
		char addr[CP_FWD_ADDR_TEXT_MAX];

		if (cp_fwd_addr_to_text(&servers[i], addr, sizeof(addr)) > 0)
			json_array_append_new(shown, json_string(addr));
	}
	cp_ctl_reply_ok(req, json_pack("{s:s, s:o, s:b, s:I, s:s}", "zone", text_buf, "servers",
	                               shown, "replaced", rc == 1, "master_entries_flushed",
	                               flush(e, zone), "workers", "flushed"));
}

void
cp_fwd_cmd_remove(struct cp_ctl_req *req, json_t *args, const struct cp_fwd_cmd_env *e)
{
	uint8_t zone[DNS_NAME_MAXLEN];
	char text_buf[DNS_NAME_TEXT_MAX];
	const char *text = NULL;

	if (cp_ctl_args_unpack(req, args, "{s:s !}", "zone", &text) != 0 || !have_table(req, e) ||
	    zone_arg(req, text, zone) < 0)
		return;
	if (cp_forward_remove(e->forward, zone) != 0) {
		cp_ctl_reply_err(req, "zone \"%s\" is not forwarded (see forward-list)", text);
		return;
	}
	(void)dns_name_to_text(zone, text_buf, sizeof(text_buf));
	cp_ctl_reply_ok(req,
	                json_pack("{s:s, s:I, s:s}", "removed", text_buf, "master_entries_flushed",
	                          flush(e, zone), "workers", "flushed"));
}
