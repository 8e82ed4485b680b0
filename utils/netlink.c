/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "utils/netlink.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_SIZE 65536

static int open_and_send(void *req, size_t len)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct timeval timeout = { .tv_sec = 2 };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	if (sendto(fd, req, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

void netlink_each_attr(const void *attrs, int len, void (*fn)(const struct rtattr *a, void *ctx), void *ctx)
{
	for (const struct rtattr *a = attrs; RTA_OK(a, len); a = RTA_NEXT(a, len))
		fn(a, ctx);
}

static void on_linkinfo_attr(const struct rtattr *a, void *ctx)
{
	struct link_info *l = ctx;

	if (a->rta_type == IFLA_INFO_KIND && RTA_PAYLOAD(a) >= 4 && strncmp(RTA_DATA(a), "veth", 4) == 0)
		l->is_veth = true;
}

static void on_link_attr(const struct rtattr *a, void *ctx)
{
	struct link_info *l = ctx;
	size_t n = RTA_PAYLOAD(a);

	if (a->rta_type == IFLA_IFNAME && n > 0) {
		n = n < sizeof(l->name) ? n : sizeof(l->name);
		memcpy(l->name, RTA_DATA(a), n);
		l->name[n - 1] = '\0';
	} else if (a->rta_type == IFLA_LINK_NETNSID && n >= 4) {
		memcpy(&l->peer_netnsid, RTA_DATA(a), 4);
	} else if (a->rta_type == IFLA_LINKINFO) {
		netlink_each_attr(RTA_DATA(a), (int)n, on_linkinfo_attr, l);
	}
}

int netlink_links(struct link_info *links, int max)
{
	struct {
		struct nlmsghdr nh;
		struct ifinfomsg ifi;
	} req = {
		.nh = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETLINK, .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.ifi = { .ifi_family = AF_UNSPEC },
	};
	static char buf[BUF_SIZE];
	int fd = open_and_send(&req, sizeof(req)), n = 0;

	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t got = recv(fd, buf, sizeof(buf), 0);
		int len = (int)got;

		if (got <= 0)
			break;
		for (struct nlmsghdr *nh = (void *)buf; NLMSG_OK(nh, (unsigned)len); nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_type == NLMSG_DONE || nh->nlmsg_type == NLMSG_ERROR) {
				close(fd);
				return nh->nlmsg_type == NLMSG_DONE ? n : -1;
			}
			if (nh->nlmsg_type != RTM_NEWLINK || n == max)
				continue;
			struct ifinfomsg *ifi = NLMSG_DATA(nh);
			struct link_info *l = &links[n++];

			memset(l, 0, sizeof(*l));
			l->index = ifi->ifi_index;
			l->is_loopback = ifi->ifi_flags & IFF_LOOPBACK;
			l->peer_netnsid = -1;
			netlink_each_attr(IFLA_RTA(ifi), (int)IFLA_PAYLOAD(nh), on_link_attr, l);
		}
	}
	close(fd);
	return -1;
}

int netlink_netnsid(int netns_fd)
{
	struct {
		struct nlmsghdr nh;
		struct rtgenmsg g;
		char pad[3];
		struct rtattr fd_attr;
		uint32_t fd;
	} req = {
		.nh = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETNSID, .nlmsg_flags = NLM_F_REQUEST },
		.g = { .rtgen_family = AF_UNSPEC },
		.fd_attr = { .rta_len = RTA_LENGTH(sizeof(uint32_t)), .rta_type = NETNSA_FD },
		.fd = (uint32_t)netns_fd,
	};
	char buf[1024];
	int fd = open_and_send(&req, sizeof(req)), id = -1;
	ssize_t got;

	if (fd < 0)
		return -1;
	got = recv(fd, buf, sizeof(buf), 0);
	close(fd);
	if (got <= 0)
		return -1;
	struct nlmsghdr *nh = (void *)buf;

	if (!NLMSG_OK(nh, (unsigned)got) || nh->nlmsg_type != RTM_NEWNSID)
		return -1;
	struct rtattr *a = (void *)((char *)NLMSG_DATA(nh) + NLMSG_ALIGN(sizeof(struct rtgenmsg)));
	int len = (int)(nh->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct rtgenmsg))));

	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == NETNSA_NSID && RTA_PAYLOAD(a) >= 4)
			memcpy(&id, RTA_DATA(a), 4);
	return id;
}
