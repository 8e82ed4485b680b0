/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TCP connections already open when a capture starts. The kernel never saw
 * their connect() or accept(), so we learn their owners from /proc: socket
 * inodes from /proc/PID/fd, connections from /proc/PID/net/tcp{,6} once per
 * network namespace. They are reported as Flow_Snapshot records, and their
 * later events, which the kernel can only report without an owner, get the
 * owner from here. Listening sockets are kept too: packets of connections
 * not yet accept()ed belong to them.
 */
#ifndef EBPFCAP_SNAPSHOT_H
#define EBPFCAP_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "bpf/ebpf_record.h"

struct flow_snapshot;

struct flow_snapshot *flow_snapshot_take(const char *proc_root);
void flow_snapshot_free(struct flow_snapshot *fs);

/* Emits one Flow_Snapshot record per established connection, stamped now_ns. */
int flow_snapshot_emit(struct flow_snapshot *fs, uint64_t now_ns,
		       int (*emit)(const struct ebpf_event *ev, void *ctx), void *ctx);

/* Calls fn for each listening socket whose owner was found (tcp_state 10, no remote end). */
void flow_snapshot_each_listener(struct flow_snapshot *fs, void (*fn)(const struct ebpf_event *ev, void *ctx),
				  void *ctx);

/* Fills in the owner of an owner-less event of a snapshot flow; forgets the flow on close. */
bool flow_snapshot_attribute(struct flow_snapshot *fs, struct ebpf_event *ev);

unsigned flow_snapshot_size(const struct flow_snapshot *fs);

/* Parses one line of /proc/net/tcp{,6} into ev's flow; false for the header or junk. */
bool flow_snapshot_parse_line(const char *line, uint16_t family, struct ebpf_event *ev,
			      unsigned *state, unsigned long *inode);

#endif
