/* SPDX-License-Identifier: BSD-3-Clause */
/* Port bring-up: probe, configure queues/RSS/offloads, start; and shutdown. */
#include <errno.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "dp_port.h"
#include "vd_log.h"

#define DEFAULT_DESC 1024

/* The name a vdev's ethdev gets: its devargs up to the first comma. */
static void
vdev_name(const char *devargs, char *out, size_t cap)
{
	size_t n = strcspn(devargs, ",");

	if (n >= cap)
		n = cap - 1;
	memcpy(out, devargs, n);
	out[n] = '\0';
}

static int
find_port(const struct dp_port_params *p, uint16_t *port_id)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	int rc;

	vdev_name(p->devargs, name, sizeof(name));
	if (!p->is_pci) {
		rc = rte_dev_probe(p->devargs);
		if (rc < 0) {
			VD_ERR("port %s: rte_dev_probe: %s", p->devargs, strerror(-rc));
			return rc;
		}
	}
	rc = rte_eth_dev_get_port_by_name(name, port_id);
	if (rc < 0)
		VD_ERR("port %s: no ethdev named %s after probing", p->devargs, name);
	return rc;
}

static int
configure(const struct dp_port_params *p, struct dp_port_info *info)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info dev;
	uint16_t nb_rxd = p->n_desc ? p->n_desc : DEFAULT_DESC;
	uint16_t nb_txd = nb_rxd;
	uint16_t port = info->port_id;
	int socket = rte_eth_dev_socket_id(port);
	struct rte_mempool *pool;
	const char *step = "rte_eth_dev_info_get";
	int rc;

	if (socket < 0)
		socket = 0;
	pool = (unsigned)socket < p->n_pools && p->pools[socket] != NULL ? p->pools[socket]
									 : p->pools[0];
	rc = rte_eth_dev_info_get(port, &dev);
	if (rc != 0)
		goto fail;
	snprintf(info->driver, sizeof(info->driver), "%s", dev.driver_name);
	if (p->n_rxq > dev.max_rx_queues || p->n_txq > dev.max_tx_queues) {
		VD_ERR("port %s: %u RX / %u TX queues asked, driver %s has %u / %u", p->devargs,
		       p->n_rxq, p->n_txq, dev.driver_name, dev.max_rx_queues, dev.max_tx_queues);
		return -EINVAL;
	}
	if (p->n_rxq > 1 && dev.flow_type_rss_offloads != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
			dev.flow_type_rss_offloads & (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP);
		info->rss = true;
	}
	if (dev.rx_offload_capa & RTE_ETH_RX_OFFLOAD_UDP_CKSUM) {
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
		info->rx_csum = true;
	}
	if ((dev.tx_offload_capa & RTE_ETH_TX_OFFLOAD_UDP_CKSUM) &&
	    (dev.tx_offload_capa & RTE_ETH_TX_OFFLOAD_IPV4_CKSUM)) {
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_UDP_CKSUM | RTE_ETH_TX_OFFLOAD_IPV4_CKSUM;
		info->tx_udp_csum = true;
	}
	rc = rte_eth_dev_configure(port, p->n_rxq, p->n_txq, &conf);
	if (rc != 0)
		{
		step = "rte_eth_dev_configure";
		goto fail;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
	if (rc != 0)
		{
		step = "rte_eth_dev_adjust_nb_rx_tx_desc";
		goto fail;
	}
	for (uint16_t q = 0; q < p->n_rxq; q++) {
		rc = rte_eth_rx_queue_setup(port, q, nb_rxd, (unsigned)socket, NULL, pool);
		if (rc != 0)
			{
		step = "rte_eth_rx_queue_setup";
		goto fail;
	}
	}
	for (uint16_t q = 0; q < p->n_txq; q++) {
		struct rte_eth_txconf txc = dev.default_txconf;
		txc.offloads = conf.txmode.offloads;
		rc = rte_eth_tx_queue_setup(port, q, nb_txd, (unsigned)socket, &txc);
		if (rc != 0)
			{
		step = "rte_eth_tx_queue_setup";
		goto fail;
	}
	}
	return 0;
fail:
	VD_ERR("port %s: %s: %s", p->devargs, step, strerror(rc < 0 ? -rc : rc));
	return rc < 0 ? rc : -rc;
}

int
dp_port_open(const struct dp_port_params *p, struct dp_port_info *info)
{
	struct rte_ether_addr mac;
	int rc;

	memset(info, 0, sizeof(*info));
	rc = find_port(p, &info->port_id);
	if (rc < 0)
		return rc;
	rc = configure(p, info);
	if (rc < 0)
		goto err_close;
	rc = rte_eth_macaddr_get(info->port_id, &mac);
	if (rc != 0) {
		VD_ERR("port %s: rte_eth_macaddr_get: %s", p->devargs, strerror(-rc));
		goto err_close;
	}
	memcpy(info->mac, mac.addr_bytes, sizeof(info->mac));
	rc = rte_eth_dev_start(info->port_id);
	if (rc != 0) {
		VD_ERR("port %s: rte_eth_dev_start: %s", p->devargs, strerror(-rc));
		goto err_close;
	}
	VD_INFO("port %u (%s, driver %s): %u RX / %u TX queues%s%s%s", info->port_id, p->devargs,
		info->driver, p->n_rxq, p->n_txq, info->rss ? ", RSS" : "",
		info->rx_csum ? ", RX checksum offload" : "",
		info->tx_udp_csum ? ", TX checksum offload" : "");
	return 0;
err_close:
	dp_port_close(info->port_id);
	return rc;
}

void
dp_port_close(uint16_t port_id)
{
	struct rte_eth_dev_info dev;
	int rc;

	if (!rte_eth_dev_is_valid_port(port_id))
		return;
	rc = rte_eth_dev_stop(port_id);
	if (rc != 0)
		VD_WARN("port %u: rte_eth_dev_stop: %s", port_id, strerror(-rc));
	/* A vdev is removed altogether, so its resources (an XDP program) go with it. */
	if (rte_eth_dev_info_get(port_id, &dev) == 0 && dev.device != NULL &&
	    strcmp(rte_bus_name(rte_dev_bus(dev.device)), "vdev") == 0) {
		rc = rte_dev_remove(dev.device);
		if (rc != 0)
			VD_WARN("port %u: rte_dev_remove: %s", port_id, strerror(-rc));
		return;
	}
	rc = rte_eth_dev_close(port_id);
	if (rc != 0)
		VD_WARN("port %u: rte_eth_dev_close: %s", port_id, strerror(-rc));
}
