/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the control-socket command files share (cp_commands.c and cp_cmd_*.c):
 * the handlers the table in cp_commands.c registers, and two helpers. Nothing
 * outside those files includes this. Control thread only.
 */
#ifndef CP_COMMANDS_INT_H
#define CP_COMMANDS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp_ctl.h"
#include "cp_daemon.h"

/* Handlers: (request, its arguments, the struct cp_daemon). */
void cp_cmd_stats(struct cp_ctl_req *req, json_t *args, void *ctx);         /* cp_cmd_stats.c */
void cp_cmd_cache_lookup(struct cp_ctl_req *req, json_t *args, void *ctx);  /* cp_cmd_cache.c */
void cp_cmd_cache_flush(struct cp_ctl_req *req, json_t *args, void *ctx);
void cp_cmd_cache_dump(struct cp_ctl_req *req, json_t *args, void *ctx);
void cp_cmd_local_data_add(struct cp_ctl_req *req, json_t *args, void *ctx); /* cp_cmd_local.c */
void cp_cmd_local_data_remove(struct cp_ctl_req *req, json_t *args, void *ctx);
void cp_cmd_local_data_list(struct cp_ctl_req *req, json_t *args, void *ctx);
void cp_cmd_infra(struct cp_ctl_req *req, json_t *args, void *ctx);         /* cp_cmd_resolver.c */
void cp_cmd_forward_list(struct cp_ctl_req *req, json_t *args, void *ctx);
void cp_cmd_forward_add(struct cp_ctl_req *req, json_t *args, void *ctx);
void cp_cmd_forward_remove(struct cp_ctl_req *req, json_t *args, void *ctx);

/** Answer every cache lookup still waiting for workers (at shutdown). cp_cmd_cache.c */
void cp_cmd_lookups_stop(void);

/**
 * "name" and "type" arguments as a lower-case wire name and a type number (0 if
 * absent and not @p type_required). On a bad argument the error is replied.
 * @return the name's length, or -EINVAL. cp_commands.c
 */
int cp_cmd_name_type_args(struct cp_ctl_req *req, json_t *args, uint8_t *name, uint16_t *type,
			  bool type_required);

/** Tell every worker to drop @p name (lower-case wire), or everything when NULL. cp_cmd_cache.c */
void cp_cmd_flush_workers(struct cp_daemon *d, const uint8_t *name, size_t len);

#endif /* CP_COMMANDS_INT_H */
