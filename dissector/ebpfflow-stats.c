/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Statistics > eBPFFlow > Processes: events, bytes and connections per
 * process and per container or pod (tshark -z ebpfflow_proc,tree), and an
 * eBPFFlow tab in Conversations and Endpoints (tshark -z conv,ebpf).
 */
#define WS_BUILD_DLL
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/conversation_table.h>
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

/* One event counts as one frame of its flow, with the payload bytes it reports. */
static tap_packet_status conv_packet(void *pct, packet_info *pinfo, epan_dissect_t *edt _U_,
				     const void *data, tap_flags_t flags _U_)
{
	const struct ebpfflow_tap_info *info = data;

	if (info->src.type == AT_NONE)
		return TAP_PACKET_DONT_REDRAW;
	add_conversation_table_data((conv_hash_t *)pct, &info->src, &info->dst, info->sport, info->dport, 1,
				    (int)MIN(info->bytes, G_MAXINT), &pinfo->rel_ts, &pinfo->abs_ts, &conv_info,
				    info->udp ? CONVERSATION_UDP : CONVERSATION_TCP);
	return TAP_PACKET_REDRAW;
}

static tap_packet_status endpoint_packet(void *pit, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
					 const void *data, tap_flags_t flags _U_)
{
	const struct ebpfflow_tap_info *info = data;
	int bytes = (int)MIN(info->bytes, G_MAXINT);
	endpoint_type type = info->udp ? ENDPOINT_UDP : ENDPOINT_TCP;

	if (info->src.type == AT_NONE)
		return TAP_PACKET_DONT_REDRAW;
	add_endpoint_table_data((conv_hash_t *)pit, &info->src, info->sport, TRUE, 1, bytes, &endpoint_info, type);
	add_endpoint_table_data((conv_hash_t *)pit, &info->dst, info->dport, FALSE, 1, bytes, &endpoint_info, type);
	return TAP_PACKET_REDRAW;
}

void ebpfflow_register_stats(int proto)
{
	register_conversation_table(proto, FALSE, conv_packet, endpoint_packet);
	stats_tree_register_plugin(EBPFFLOW_TAP, "ebpfflow_proc", "eBPFFlow/Processes", 0,
				   stats_packet, stats_init, NULL);
}
