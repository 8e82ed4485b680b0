/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the kernel says about links and network namespaces, over rtnetlink:
 * which host veth leads into which namespace. No helper scripts, no ip(8).
 */
#ifndef EBPFCAP_NETLINK_H
#define EBPFCAP_NETLINK_H

#include <net/if.h>
#include <stdbool.h>

struct link_info {
	char name[IF_NAMESIZE];
	int index;
	bool is_veth;
	bool is_loopback;
	int peer_netnsid; /* the namespace its peer lives in, as our namespace numbers it; -1 if none */
};

/*
 * Walks a run of netlink attributes (rtnetlink's struct rtattr and every
 * other family's struct nlattr share one layout), calling fn for each that
 * fits in len; nested ones are walked by calling it again on their payload.
 */
struct rtattr;
void netlink_each_attr(const void *attrs, int len, void (*fn)(const struct rtattr *a, void *ctx), void *ctx);

/* Lists our namespace's links; returns their number (at most max) or -1. */
int netlink_links(struct link_info *links, int max);

/* Our namespace's id for the namespace of netns_fd; -1 if it has none. */
int netlink_netnsid(int netns_fd);

#endif
