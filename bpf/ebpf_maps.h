/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the BPF programs and their loader (extcap/kernel_events.c) share
 * through maps, and nothing else reads: counter slots, the remembered
 * owner of a socket or flow, the kernel's UDP flow sums and exec notes.
 * The record itself, which every reader shares, is in ebpf_record.h.
 */
#ifndef EBPF_MAPS_H
#define EBPF_MAPS_H

#include "bpf/ebpf_record.h"

/* Kernel <-> loader only (not part of the record): per-CPU counter slots. */
enum ebpf_counter {
	EBPF_CNT_EMITTED,  /* events put into the ring buffer */
	EBPF_CNT_LOST,     /* ring buffer full */
	EBPF_CNT_FILTERED, /* rejected by the capture's filters before reserving */
	EBPF_CNT_UDP_UNTRACKED, /* UDP flow table full: sent per datagram instead */
	EBPF_CNT_NOTES_LOST, /* exec notes lost: paths fall back to /proc */
	EBPF_CNT_MAX,
};

/* Who owns a socket or flow, remembered from process context. */
struct ebpf_owner {
	__u64 start_ns;   /* SYN sent (connect), established (accept), first datagram */
	__u64 cgroup_id;
	__u32 pid, tid, ppid, uid, gid;
	__u8 reset;       /* an RST was received */
	__u8 known;       /* pid & co. are filled in */
	__u8 wanted;      /* passed the process filters (pid, comm, cgroup) */
	__u8 active;      /* we saw its connect(): its SYN is in bytes_acked */
	char comm[EBPF_COMM_LEN];        /* the process's (thread-group leader's) name */
	char parent_comm[EBPF_COMM_LEN];
	char thread_comm[EBPF_COMM_LEN]; /* the thread that did it */
	__u64 mm;         /* the holder's address space: a new one after exec, same pid */
	__u32 acceptor_pid;
	char acceptor_comm[EBPF_COMM_LEN];
};

/* UDP flows are summed in the kernel per (process, direction, 5-tuple). */
struct ebpf_udp_key {
	__u32 pid;
	__u16 type;      /* EBPF_UDP_SEND or EBPF_UDP_RECV */
	__u16 family;
	__u16 sport, dport;
	__u32 netns;
	__u8 saddr[16], daddr[16];
};

struct ebpf_udp_flow {
	struct ebpf_owner owner;
	__u64 packets;   /* cumulative; user space reports the increase */
	__u64 bytes;
	__u64 last_ns;   /* last datagram, CLOCK_BOOTTIME */
};

/* Exec notes (kernel -> loader, own ring buffer): where a process's code came from. */
#define EBPF_EXE_LEN 256
struct ebpf_exec_note {
	__u32 pid;
	__u32 ppid;              /* a relative path is most likely relative to the parent's directory */
	char path[EBPF_EXE_LEN]; /* as given to execve(): absolute when found on PATH */
};

#endif /* EBPF_MAPS_H */
