/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Statistics > eBPFFlow > Processes: events, bytes and connections per
 * process and per container or pod. From tshark: -z ebpfflow_proc,tree
 */
#define WS_BUILD_DLL
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/stats_tree.h>

#include <linux/types.h>
#include "bpf/ebpf_record.h"
#include "packet-ebpfflow.h"

static int st_events = -1, st_bytes = -1, st_connections = -1, st_by_container = -1;

static const char *const N_EVENTS = "Events by process";
static const char *const N_BYTES = "Bytes by process";
static const char *const N_CONNECTIONS = "Connections by process";
static const char *const N_CONTAINERS = "Events by container or pod";

static void stats_init(stats_tree *st)
{
	st_events = stats_tree_create_node(st, N_EVENTS, 0, STAT_DT_INT, TRUE);
	st_bytes = stats_tree_create_node(st, N_BYTES, 0, STAT_DT_INT, TRUE);
	st_connections = stats_tree_create_node(st, N_CONNECTIONS, 0, STAT_DT_INT, TRUE);
	st_by_container = stats_tree_create_node(st, N_CONTAINERS, 0, STAT_DT_INT, TRUE);
}

static tap_packet_status stats_packet(stats_tree *st, packet_info *pinfo, epan_dissect_t *edt _U_,
				      const void *data, tap_flags_t flags _U_)
{
	const struct ebpfflow_tap_info *info = data;
	char *process;

	if (info->type == EBPF_CAPTURE_DROPS)
		return TAP_PACKET_DONT_REDRAW;
	process = wmem_strdup_printf(pinfo->pool, "%s(%u)", info->comm, info->pid);
	tick_stat_node(st, N_EVENTS, 0, FALSE);
	tick_stat_node(st, process, st_events, FALSE);
	tick_stat_node(st, N_CONTAINERS, 0, FALSE);
	tick_stat_node(st, info->container, st_by_container, FALSE);
	if (info->type == EBPF_TCP_CLOSE || info->type == EBPF_UDP_SEND || info->type == EBPF_UDP_RECV) {
		increase_stat_node(st, N_BYTES, 0, FALSE, (int)MIN(info->bytes, G_MAXINT));
		increase_stat_node(st, process, st_bytes, FALSE, (int)MIN(info->bytes, G_MAXINT));
	}
	if (info->type == EBPF_TCP_CONNECT || info->type == EBPF_TCP_ACCEPT) {
		tick_stat_node(st, N_CONNECTIONS, 0, FALSE);
		tick_stat_node(st, process, st_connections, FALSE);
	}
	return TAP_PACKET_REDRAW;
}

void ebpfflow_register_stats(void)
{
	stats_tree_register_plugin("ebpfflow", "ebpfflow_proc", "eBPFFlow/Processes", 0,
				   stats_packet, stats_init, NULL);
}
