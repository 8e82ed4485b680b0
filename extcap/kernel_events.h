/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kernel side as user space sees it: load, attach, read, count, detach. */
#ifndef EBPFCAP_KERNEL_EVENTS_H
#define EBPFCAP_KERNEL_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "bpf/ebpf_maps.h"
#include "filter.h"

struct kernel_events;

struct kernel_counters {
	uint64_t emitted;       /* put into the ring buffer */
	uint64_t lost;          /* ring buffer full: counted per CPU, summed here */
	uint64_t filtered;      /* dropped in the kernel by the capture's filters */
	uint64_t udp_untracked; /* UDP datagrams sent one by one: flow table full */
	uint64_t notes_lost;    /* exec notes lost: paths fall back to /proc */
	uint64_t skipped;       /* program runs the kernel skipped (recursion_misses): each may have been an event */
};

struct kernel_callbacks {
	/* Each event; a negative return stops kernel_events_consume(). */
	int (*event)(const struct ebpf_event *ev, void *ctx);
	/* Each execve(), before any event of the process after it. */
	void (*exec)(const struct ebpf_exec_note *note, void *ctx);
	void *ctx;
};

/*
 * 0 once tracefs is mounted (we mount it when we may); -1 after one line
 * saying how. kernel_events_open() checks too; call it first to fail
 * before anything else starts (and says something).
 */
int kernel_events_tracefs(void);
/*
 * Loads the programs with the filter in them, a ring buffer of ringbuf_kib
 * (rounded up to a power of two); debug lets libbpf speak. NULL after
 * printing one line that says why (privileges, BTF, tracefs).
 */
struct kernel_events *kernel_events_open(const struct event_filter *filter, uint32_t ringbuf_kib, bool debug,
					 const struct kernel_callbacks *cb);
/* The maps of the processes (--pid and descendants: filter.descendants_fd) and cgroups the capture follows. */
int kernel_events_pids_fd(const struct kernel_events *ke);
int kernel_events_cgroups_fd(const struct kernel_events *ke);
/* A per-CPU array's counter at key, summed over the CPUs (0 if unreadable). */
uint64_t bpf_sum_percpu(int map_fd, uint32_t key);
/* A descriptor that polls readable when events are waiting. */
int kernel_events_fd(const struct kernel_events *ke);
/* Hands every waiting note and event to the callbacks; their number or an error. */
int kernel_events_consume(struct kernel_events *ke);
void kernel_events_counters(const struct kernel_events *ke, struct kernel_counters *out);
/* The map of per-flow UDP counters (struct ebpf_udp_key -> struct ebpf_udp_flow). */
int kernel_events_udp_map_fd(const struct kernel_events *ke);
/* Where cgroup ids of events come from: ids are inode numbers of directories there. */
const char *kernel_events_cgroup_root(void);
/* Detaches every program and frees every map. */
void kernel_events_close(struct kernel_events *ke);

#endif
