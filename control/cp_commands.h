/* SPDX-License-Identifier: BSD-3-Clause */
/* The daemon's control-socket commands (status, stats, cache, local data). Control thread. */
#ifndef CP_COMMANDS_H
#define CP_COMMANDS_H

#include "cp_daemon.h"

/** Open the control socket of d->conf and register the commands. @return 0 or -errno. */
int cp_commands_start(struct cp_daemon *d);

/** Answer pending lookups and close the control socket. */
void cp_commands_stop(struct cp_daemon *d);

#endif /* CP_COMMANDS_H */
