/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket's forward commands (cp_ctl.h protocol; veloctl's
 * `forward list|add|remove`), kept apart from cp_commands.c so they run without
 * the daemon (tests plug in a table, a master cache and an infra table):
 *
 *   forward-list    {}                                   the zones and, per forwarder,
 *                   its state as the server choice sees it (cp_infra):
 *                   {"zones": N, "forwarders": [{"zone", "server", "state",
 *                   "srtt_ms", "rto_ms", "timeouts"}, ...]}, state one of
 *                   ok (answering, RTT measured), unknown (never asked or forgotten),
 *                   timeouts (its last queries timed out), backoff (skipped until a
 *                   probe), lame (REFUSED or did not recurse: used only when all are)
 *   forward-add     {"zone": s, "servers": [s, ...]}     create the zone or replace its
 *                   forwarders (ADDR or ADDR@PORT, cp_forward.h)
 *   forward-remove  {"zone": s}                          stop forwarding the zone
 *
 * A change drops every master-cache entry at or below the zone and every
 * worker's cached answers (workers can only drop names or everything): answers
 * learnt from the old servers must not outlive them. Resolutions in flight keep
 * the forwarders they started with. Bad input gets an error naming the field,
 * and the table is left as it was.
 *
 * Owner: the control thread (the handlers run on the control socket's loop).
 */
#ifndef CP_FORWARD_CMD_H
#define CP_FORWARD_CMD_H

#include <stdint.h>

#include <jansson.h>

#include "cp_ctl.h"

struct cp_forward;
struct cp_rrcache;
struct cp_infra;

#define CP_FWD_CMD_LIST_USAGE   "{}"
#define CP_FWD_CMD_ADD_USAGE    "{\"zone\": s, \"servers\": [s, ...]}"
#define CP_FWD_CMD_REMOVE_USAGE "{\"zone\": s}"

/** What the commands work on; the caller fills one per request. */
struct cp_fwd_cmd_env {
	struct cp_forward *forward;       /* NULL: no resolver (every command fails) */
	struct cp_rrcache *rrcache;       /* master cache, flushed under a changed zone */
	const struct cp_infra *infra;     /* server state for the listing */
	uint64_t now_ms;                  /* on the infra table's clock */
	void (*flush_workers)(void *arg); /* drop every worker's cached answers */
	void *flush_arg;
};

/** forward-list: complete @p req with the table and each forwarder's state. */
void cp_fwd_cmd_list(struct cp_ctl_req *req, json_t *args, const struct cp_fwd_cmd_env *e);

/** forward-add: create or replace a zone, flush, complete @p req. */
void cp_fwd_cmd_add(struct cp_ctl_req *req, json_t *args, const struct cp_fwd_cmd_env *e);

/** forward-remove: remove a zone, flush, complete @p req. */
void cp_fwd_cmd_remove(struct cp_ctl_req *req, json_t *args, const struct cp_fwd_cmd_env *e);

#endif /* CP_FORWARD_CMD_H */
