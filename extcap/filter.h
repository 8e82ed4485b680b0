/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The capture's filters: one struct, built once from the options, and one
 * meaning per option wherever events come from. The loader puts it into the
 * BPF programs (kernel_events.c, tls_secrets.c), which drop what it does not
 * want before anything is copied; records that never went through this
 * kernel (the /proc snapshot's, an exporter's on the ebpfremote interface)
 * are matched by filter_wants(), the same questions asked of a record.
 */
#ifndef EBPFCAP_FILTER_H
#define EBPFCAP_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "bpf/ebpf_record.h"
#include "interfaces.h"
#include "options.h"

/* The event types only the UDP programs make (they alone need the UDP path loaded). */
#define FILTER_UDP_TYPES (1u << EBPF_UDP_SEND | 1u << EBPF_UDP_RECV)

/* --cgroup, --container, a pod's containers, and the containers behind the interface. */
#define FILTER_MAX_POD_CONTAINERS 16
#define FILTER_MAX_CGROUPS (2 + FILTER_MAX_POD_CONTAINERS + MAX_IFACE_CGROUPS)

struct event_filter {
	uint32_t event_type_mask;  /* bit per enum ebpf_event_type */
	/*
	 * --pid (or -- COMMAND): that process and its descendants. The kernel
	 * follows every descendant as it forks (its map, descendants_fd, once
	 * loaded); a record says only its pid and its parent's, so where no
	 * such map exists (-1: a remote collector) a record matches when the
	 * process is pid or a direct child of it.
	 */
	uint32_t pid;              /* 0: every process */
	int descendants_fd;
	char comm[EBPF_COMM_LEN];  /* "": every name */
	bool by_uid;               /* only processes whose real uid is uid */
	uint32_t uid;
	uint64_t cgroup_ids[FILTER_MAX_CGROUPS]; /* these cgroups and those below them */
	size_t n_cgroups;
	uint16_t port;             /* local or remote; 0: every port */
	uint16_t family;           /* AF_INET or AF_INET6; 0: both */
};

/*
 * From the options: iface is the capture's interface (its containers'
 * cgroups join the filter; cgroup ids are inodes under cgroup_root), or
 * NULL for records from elsewhere, where cgroups mean nothing and are
 * refused. 0, or -1 after one line on stderr.
 */
int filter_from_options(const struct options *o, const struct capture_interface *iface, const char *cgroup_root,
			struct event_filter *f);

/* Does it choose processes (pid, name, user or cgroup), not only events and flows? */
bool filter_on_process(const struct event_filter *f);

/*
 * Does the capture want this record? Loss reports (Capture_Drops) always
 * pass; a record whose owner is unknown passes only a filter that chooses
 * no process, as in the kernel; a cgroup filter's "and below" needs the
 * kernel's hierarchy, so a record is never matched against one.
 */
bool filter_wants(const struct event_filter *f, const struct ebpf_event *ev);

#endif
