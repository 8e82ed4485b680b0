/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The interfaces ebpfcap offers Wireshark: "eBPF Events", then one per veth
 * whose peer lives in a container or pod, named the way people know them
 * ("Pod kube-dns-6bfbdd666c-5jbmx, Namespace kube-system (veth73d654ec)"),
 * then the host's other interfaces. Capturing on a veth or host interface
 * gives its packets and, in the same pcapng, the events of the processes
 * behind it.
 */
#ifndef EBPFCAP_INTERFACES_H
#define EBPFCAP_INTERFACES_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#define IFACE_PREFIX "ebpf_"
#define MAX_IFACE_CGROUPS 16

struct capture_interface {
	char value[IF_NAMESIZE + 8];   /* IFACE_PREFIX + the kernel's name */
	char display[320];
	char ifname[IF_NAMESIZE];
	uint64_t cgroups[MAX_IFACE_CGROUPS]; /* the containers behind it; none: every process */
	int n_cgroups;
	int peer_netnsid;   /* a veth's peer namespace, as ours numbers it; -1 if none */
};

/* Container and pod veths first, then host interfaces; their number (at most max). */
int interfaces_list(struct capture_interface *out, int max);
/* The inode of a veth's peer network namespace (by its ip-netns or docker name, or a process in it); 0 if none. */
uint32_t interfaces_peer_netns(const struct capture_interface *iface);
/*
 * The interface whose value is value (an interface the list leaves out,
 * such as one that is down, by its value too); false if there is none.
 */
bool interfaces_find(const char *value, struct capture_interface *out);
/*
 * What a person may give -i: a value as listed (ebpf_lo), a kernel interface name, or
 * a pod (NAME[.NAMESPACE]) or container (name or id) whose veth it is.
 */
bool interfaces_resolve(const char *name, struct capture_interface *out);

#endif
