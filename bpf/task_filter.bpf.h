/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whose events (or TLS keys) the capture wants: the maps of the processes
 * and cgroups it follows, and the cgroup and name rules, shared by
 * bpf/ebpfcap.bpf.c and bpf/tls.bpf.c (whose maps are the former's, reused
 * by fd). The including file defines the read-only cgroup_v1 and filter_comm.
 */
#ifndef EBPFCAP_TASK_FILTER_BPF_H
#define EBPFCAP_TASK_FILTER_BPF_H

#define MAX_CGROUP_DEPTH 16

/* Processes the capture follows (--pid and their descendants). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} ebpfcap_pids SEC(".maps");

/* Cgroups the capture follows (--container, --cgroup): these and their descendants. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u8);
} ebpfcap_cgroups SEC(".maps");

/* kernfs_node.parent became __parent in 6.18. */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

/* The task's cgroup node: v2's, or v1's memory controller (docker's on v1). */
static __always_inline struct kernfs_node *task_cgroup_kn(struct task_struct *task)
{
	if (cgroup_v1) {
		int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);

		return BPF_CORE_READ(task, cgroups, subsys[id], cgroup, kn);
	}
	return BPF_CORE_READ(task, cgroups, dfl_cgrp, kn);
}

static __always_inline bool cgroup_wanted(struct kernfs_node *kn)
{
	for (int i = 0; i < MAX_CGROUP_DEPTH && kn; i++) {
		__u64 id = BPF_CORE_READ(kn, id);

		if (bpf_map_lookup_elem(&ebpfcap_cgroups, &id))
			return true;
		kn = kn_parent(kn);
	}
	return false;
}

static __always_inline bool comm_wanted(const char *comm)
{
	for (int i = 0; i < EBPF_COMM_LEN; i++) {
		if (filter_comm[i] != comm[i])
			return false;
		if (comm[i] == '\0')
			break;
	}
	return true;
}

#endif
