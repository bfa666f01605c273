/* SPDX-License-Identifier: BSD-3-Clause */
/* Names of the worker's drop reasons, for the control socket. */
#include "dp_stats.h"

static const char *const drop_names[DP_DROP_COUNT] = {
	[DP_DROP_MULTISEG] = "multiseg",
	[DP_DROP_BAD_FRAME] = "bad_frame",
	[DP_DROP_DNS] = "dns",
	[DP_DROP_NO_EXCEPTION] = "no_exception",
	[DP_DROP_TX_FULL] = "tx_full",
	[DP_DROP_NO_MBUF] = "no_mbuf",
	[DP_DROP_REPLY_FAILED] = "reply_failed",
};

const char *
dp_drop_name(enum dp_drop d)
{
	return (unsigned)d < DP_DROP_COUNT ? drop_names[d] : "unknown";
}
