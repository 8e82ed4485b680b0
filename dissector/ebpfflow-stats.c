/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Statistics > eBPFFlow > Processes: events, bytes and connections per
 * process and per container or pod; from tshark:
 *     tshark -r capture.pcapng -q -z ebpfflow_proc,tree
 * and an eBPFFlow tab in Conversations and Endpoints:
 *     tshark -r capture.pcapng -q -z conv,ebpf    (or endpoints,ebpf)
 */
#define WS_BUILD_DLL
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/conversation_table.h>
#include <epan/stats_tree.h>

#include "packet-ebpfflow.h"

/* 4.3 made "//" the submenu separator, so that "/" can appear in names. */
#ifdef STATS_TREE_MENU_SEPARATOR
#define PROCESSES_MENU "eBPFFlow" STATS_TREE_MENU_SEPARATOR "Processes"
#else
#define PROCESSES_MENU "eBPFFlow/Processes"
#endif

/* What is counted, each per process ("comm(pid)") and per container or pod. */
enum counter { EVENTS, BYTES, CONNECTIONS, N_COUNTERS };

static const char *const by_process[N_COUNTERS] = {
	"Events by process", "Bytes by process", "Connections by process",
};
static const char *const by_container[N_COUNTERS] = {
	"Events by container or pod", "Bytes by container or pod", "Connections by container or pod",
};
static int process_node[N_COUNTERS], container_node[N_COUNTERS];

static void stats_init(stats_tree *st)
{
	for (int c = 0; c < N_COUNTERS; c++)
		process_node[c] = stats_tree_create_node(st, by_process[c], 0, STAT_DT_INT, TRUE);
	for (int c = 0; c < N_COUNTERS; c++)
		container_node[c] = stats_tree_create_node(st, by_container[c], 0, STAT_DT_INT, TRUE);
}

/* Stats trees and conversation tables count in int. */
static int clamp(guint64 n)
{
	return (int)MIN(n, (guint64)G_MAXINT);
}

static void count(stats_tree *st, enum counter c, const char *process, const char *container, guint64 n)
{
	int value = clamp(n);

	increase_stat_node(st, by_process[c], 0, FALSE, value);
	increase_stat_node(st, process, process_node[c], FALSE, value);
	increase_stat_node(st, by_container[c], 0, FALSE, value);
	increase_stat_node(st, container, container_node[c], FALSE, value);
}

static tap_packet_status stats_packet(stats_tree *st, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
				      const void *data, tap_flags_t flags _U_)
{
	const struct ebpfflow_tap_info *info = data;

	/* A loss report is nobody's event. */
	if (info->type == EBPF_CAPTURE_DROPS)
		return TAP_PACKET_DONT_REDRAW;
	count(st, EVENTS, info->process, info->container, 1);
	if (info->bytes_sent + info->bytes_received > 0)
		count(st, BYTES, info->process, info->container, info->bytes_sent + info->bytes_received);
	/* Connections made or taken during the capture, not those a snapshot found open. */
	if (info->type == EBPF_TCP_CONNECT || info->type == EBPF_TCP_ACCEPT)
		count(st, CONNECTIONS, info->process, info->container, 1);
	return TAP_PACKET_REDRAW;
}

static const char *conv_filter(conv_item_t *conv, conv_filter_type_e filter)
{
	gboolean v6 = conv->src_address.type == AT_IPv6;

	switch (filter) {
	case CONV_FT_SRC_ADDRESS: return v6 ? "ebpf.src6" : "ebpf.src";
	case CONV_FT_DST_ADDRESS: return v6 ? "ebpf.dst6" : "ebpf.dst";
	case CONV_FT_SRC_PORT: return "ebpf.srcport";
	case CONV_FT_DST_PORT: return "ebpf.dstport";
	default: return CONV_FILTER_INVALID;
	}
}

static const char *endpoint_filter(endpoint_item_t *e, conv_filter_type_e filter)
{
	if (filter == CONV_FT_SRC_ADDRESS || filter == CONV_FT_ANY_ADDRESS)
		return e->myaddress.type == AT_IPv6 ? "ebpf.src6" : "ebpf.src";
	if (filter == CONV_FT_SRC_PORT || filter == CONV_FT_ANY_PORT)
		return "ebpf.srcport";
	return CONV_FILTER_INVALID;
}

static ct_dissector_info_t conv_info = { &conv_filter };
static et_dissector_info_t endpoint_info = { &endpoint_filter };

/*
 * One event counts as one frame from the process's side to the peer, with
 * the bytes the process sent; the bytes it received count the other way,
 * with no frame of their own.
 */
static tap_packet_status conv_packet(void *pct, packet_info *pinfo, epan_dissect_t *edt _U_,
				     const void *data, tap_flags_t flags _U_)
{
	const struct ebpfflow_tap_info *info = data;
	conversation_type type = info->udp ? CONVERSATION_UDP : CONVERSATION_TCP;

	if (info->src.type == AT_NONE)
		return TAP_PACKET_DONT_REDRAW;
	add_conversation_table_data((conv_hash_t *)pct, &info->src, &info->dst, info->sport, info->dport, 1,
				    clamp(info->bytes_sent), &pinfo->rel_ts, &pinfo->abs_ts, &conv_info, type);
	if (info->bytes_received)
		add_conversation_table_data((conv_hash_t *)pct, &info->dst, &info->src, info->dport, info->sport, 0,
					    clamp(info->bytes_received), &pinfo->rel_ts, &pinfo->abs_ts, &conv_info, type);
	return TAP_PACKET_REDRAW;
}

static tap_packet_status endpoint_packet(void *pit, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
					 const void *data, tap_flags_t flags _U_)
{
	const struct ebpfflow_tap_info *info = data;
	conv_hash_t *hash = (conv_hash_t *)pit;
	endpoint_type type = info->udp ? ENDPOINT_UDP : ENDPOINT_TCP;

	if (info->src.type == AT_NONE)
		return TAP_PACKET_DONT_REDRAW;
	add_endpoint_table_data(hash, &info->src, info->sport, TRUE, 1, clamp(info->bytes_sent), &endpoint_info, type);
	add_endpoint_table_data(hash, &info->dst, info->dport, FALSE, 1, clamp(info->bytes_sent), &endpoint_info, type);
	if (info->bytes_received) {
		add_endpoint_table_data(hash, &info->dst, info->dport, TRUE, 0, clamp(info->bytes_received),
					&endpoint_info, type);
		add_endpoint_table_data(hash, &info->src, info->sport, FALSE, 0, clamp(info->bytes_received),
					&endpoint_info, type);
	}
	return TAP_PACKET_REDRAW;
}

void ebpfflow_register_stats(int proto)
{
	register_conversation_table(proto, FALSE, conv_packet, endpoint_packet);
	stats_tree_register_plugin(EBPFFLOW_TAP, "ebpfflow_proc", PROCESSES_MENU, 0,
				   stats_packet, stats_init, NULL);
}
