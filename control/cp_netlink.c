/* SPDX-License-Identifier: BSD-3-Clause */
/* rtnetlink requests (link up, address add) for the exception interface. */
#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "cp_netlink.h"

struct nl_req {
	struct nlmsghdr nh;
	union {
		struct ifinfomsg ifi;
		struct ifaddrmsg ifa;
	};
	char attrs[64];
};

static void
add_attr(struct nl_req *r, uint16_t type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* Send one request and wait for its acknowledgement. @return 0 or -errno from the kernel. */
static int
nl_transact(struct nl_req *r)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[4096];
	int fd, rc = -EPROTO;
	ssize_t n;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	r->nh.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	r->nh.nlmsg_seq = 1;
	if (sendto(fd, r, r->nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		goto out;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0) {
		rc = -errno;
		goto out;
	}
	for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)n);
	     h = NLMSG_NEXT(h, n)) {
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(h);
			rc = e->error;
			break;
		}
	}
out:
	close(fd);
	return rc;
}

int
cp_nl_link_up(const char *ifname)
{
	struct nl_req r;
	unsigned idx = if_nametoindex(ifname);

	if (idx == 0)
		return -errno;
	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(r.ifi));
	r.nh.nlmsg_type = RTM_NEWLINK;
	r.ifi.ifi_family = AF_UNSPEC;
	r.ifi.ifi_index = (int)idx;
	r.ifi.ifi_flags = IFF_UP;
	r.ifi.ifi_change = IFF_UP;
	return nl_transact(&r);
}

int
cp_nl_addr_add(const char *ifname, const struct cp_addr *addr, uint8_t prefix_len)
{
	struct nl_req r;
	unsigned idx = if_nametoindex(ifname);
	size_t alen = addr->family == AF_INET ? 4 : 16;
	uint32_t flags = IFA_F_NODAD;
	int rc;

	if (idx == 0)
		return -errno;
	memset(&r, 0, sizeof(r));
	r.nh.nlmsg_len = NLMSG_LENGTH(sizeof(r.ifa));
	r.nh.nlmsg_type = RTM_NEWADDR;
	r.nh.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	r.ifa.ifa_family = (unsigned char)addr->family;
	r.ifa.ifa_prefixlen = prefix_len;
	r.ifa.ifa_index = idx;
	r.ifa.ifa_flags = addr->family == AF_INET6 ? IFA_F_NODAD : 0;
	add_attr(&r, IFA_LOCAL, addr->bytes, alen);
	add_attr(&r, IFA_ADDRESS, addr->bytes, alen);
	if (addr->family == AF_INET6)
		add_attr(&r, IFA_FLAGS, &flags, sizeof(flags));
	rc = nl_transact(&r);
	return rc == -EEXIST ? 0 : rc;
}
