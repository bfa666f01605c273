/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Just enough rtnetlink to give the kernel side of an exception interface what
 * it needs to answer for the service addresses: link up, and addresses.
 * Setup code (main thread).
 */
#ifndef CP_NETLINK_H
#define CP_NETLINK_H

#include <stdint.h>

#include "cp_conf.h"

/** Set interface @p ifname up. @return 0 or -errno. */
int cp_nl_link_up(const char *ifname);

/**
 * Add @p addr/@p prefix_len to @p ifname (IPv6 without duplicate address
 * detection, so it is usable at once). An address already there is not an error.
 * @return 0 or -errno.
 */
int cp_nl_addr_add(const char *ifname, const struct cp_addr *addr, uint8_t prefix_len);

#endif /* CP_NETLINK_H */
