/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NIC ports: probing (a vdev string or a PCI device), configuring queues, RSS
 * and checksum offloads, starting and closing. Setup code, run by the main
 * thread before workers launch and after they stop.
 */
#ifndef DP_PORT_H
#define DP_PORT_H

#include <stdbool.h>
#include <stdint.h>

struct rte_mempool;

/** What dp_port_open() needs to know about one port. */
struct dp_port_params {
	const char *devargs;     /* "net_af_xdp0,iface=veth-dp,..." or a PCI address */
	bool is_pci;             /* devargs names a PCI device, already probed by EAL */
	uint16_t n_rxq;          /* RX queues: one per worker on this port */
	uint16_t n_txq;          /* TX queues: one per worker on this port */
	uint16_t n_desc;         /* descriptors per queue, 0: 1024 */
	struct rte_mempool *const *pools; /* RX buffers: pools[s] for a port on NUMA socket s */
	unsigned n_pools;        /* a socket without its own pool uses pools[0] */
};

/** What the port turned out to support. */
struct dp_port_info {
	uint16_t port_id;
	uint8_t mac[6];
	bool tx_udp_csum;        /* TX UDP checksum offload enabled */
	bool rx_csum;            /* RX checksum offload enabled */
	bool rss;                /* RSS spreads flows across the RX queues */
	char driver[32];
};

/**
 * Probe (unless PCI), configure and start a port.
 * @return 0, or -errno after logging "port <devargs>: <step>: <error>".
 */
int dp_port_open(const struct dp_port_params *p, struct dp_port_info *info);

/** Stop and close the port, removing a vdev (AF_XDP detaches its program then). */
void dp_port_close(uint16_t port_id);

#endif /* DP_PORT_H */
