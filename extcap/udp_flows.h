/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * UDP summaries: the kernel reports a flow's first datagram at once and
 * sums the rest per flow; once per interval we turn the growth of those
 * sums into UDP_Send/UDP_Recv records, so a busy DNS server costs one
 * record per flow per interval instead of one per datagram.
 */
#ifndef EBPFCAP_UDP_FLOWS_H
#define EBPFCAP_UDP_FLOWS_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "bpf/ebpf_maps.h"

struct udp_flows;

typedef int (*udp_emit_fn)(const struct ebpf_event *ev, void *ctx);

struct udp_flows *udp_flows_new(int map_fd, uint64_t interval_ns);
void udp_flows_free(struct udp_flows *uf);

/*
 * Emits one record per flow that grew since the last sweep and forgets
 * flows idle for three intervals. With final set (the capture is ending),
 * reports everything still pending. Returns emit's first error, or 0.
 */
int udp_flows_sweep(struct udp_flows *uf, uint64_t now_boot_ns, bool final,
		    udp_emit_fn emit, void *ctx);

uint64_t udp_flows_interval_ns(const struct udp_flows *uf);

#endif
