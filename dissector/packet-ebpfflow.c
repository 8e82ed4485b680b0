/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * eBPFFlow: records of kernel network events written by ebpfcap (who
 * connected, accepted, closed, retransmitted, sent UDP) with the process,
 * container and pod behind them. Byte layout: docs/FORMAT.md; the offsets
 * come from the one record definition, bpf/ebpf_record.h.
 *
 * Records reach us through the exported-PDU dissector, which calls the
 * dissector registered as "ebpfflow" by name.
 */
#define WS_BUILD_DLL
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/expert.h>
#include <epan/tap.h>
#include <epan/to_str.h>
#include <wsutil/utf8_entities.h>

#include <stddef.h>
#include <linux/types.h>
#include "bpf/ebpf_record.h"
#include "packet-ebpfflow.h"

#define FIXED_LEN_1_0 ((int)sizeof(struct ebpf_event))
#define OFF(field) (EBPF_RECORD_HEADER_LEN + (int)offsetof(struct ebpf_event, field))
#define SIZE(field) ((int)sizeof(((struct ebpf_event *)0)->field))
#define AF_INET_ 2
#define AF_INET6_ 10

static int proto_ebpfflow = -1;
static int ebpfflow_tap = -1;
static dissector_handle_t ebpfflow_handle;

static int hf_major = -1, hf_minor = -1, hf_fixed_len = -1, hf_length = -1;
static int hf_timestamp = -1, hf_type = -1, hf_flags = -1, hf_flag_reset = -1, hf_flag_no_owner = -1;
static int hf_pid = -1, hf_tid = -1, hf_ppid = -1, hf_uid = -1, hf_gid = -1;
static int hf_comm = -1, hf_parent_comm = -1, hf_exe = -1, hf_cgroup = -1;
static int hf_container_id = -1, hf_container_name = -1, hf_container_runtime = -1;
static int hf_pod = -1, hf_namespace = -1, hf_k8s_container = -1;
static int hf_family = -1, hf_proto = -1, hf_src = -1, hf_dst = -1, hf_src6 = -1, hf_dst6 = -1;
static int hf_srcport = -1, hf_dstport = -1, hf_netns = -1, hf_ifindex = -1, hf_ifname = -1;
static int hf_tcp_state = -1;
static int hf_latency = -1, hf_duration = -1, hf_bytes_sent = -1, hf_bytes_received = -1;
static int hf_packets = -1, hf_retransmits = -1, hf_srtt = -1, hf_error = -1, hf_drops = -1;
static int hf_host = -1, hf_machine_id = -1, hf_undecoded = -1;

static int ett_ebpfflow = -1, ett_header = -1, ett_process = -1, ett_container = -1;
static int ett_flow = -1, ett_metrics = -1, ett_flags = -1;

static expert_field ei_malformed = EI_INIT;
static expert_field ei_undecoded = EI_INIT;
static expert_field ei_connect_failed = EI_INIT;
static expert_field ei_retransmit = EI_INIT;
static expert_field ei_reset = EI_INIT;
static expert_field ei_drops = EI_INIT;

static const value_string type_names[] = {
	{ EBPF_TCP_CONNECT, "TCP_Connect" },
	{ EBPF_TCP_CONNECT_FAILED, "TCP_Connect_Failed" },
	{ EBPF_TCP_ACCEPT, "TCP_Accept" },
	{ EBPF_TCP_CLOSE, "TCP_Close" },
	{ EBPF_TCP_RETRANSMIT, "TCP_Retransmit" },
	{ EBPF_UDP_SEND, "UDP_Send" },
	{ EBPF_UDP_RECV, "UDP_Recv" },
	{ EBPF_FLOW_SNAPSHOT, "Flow_Snapshot" },
	{ EBPF_CAPTURE_DROPS, "Capture_Drops" },
	{ 0, NULL }
};

static const value_string family_names[] = {
	{ AF_INET_, "IPv4" },
	{ AF_INET6_, "IPv6" },
	{ 0, NULL }
};

static const value_string proto_names[] = {
	{ 6, "TCP" },
	{ 17, "UDP" },
	{ 0, NULL }
};

/* Linux TCP states (include/net/tcp_states.h). */
static const value_string tcp_state_names[] = {
	{ 1, "ESTABLISHED" }, { 2, "SYN_SENT" }, { 3, "SYN_RECV" }, { 4, "FIN_WAIT1" },
	{ 5, "FIN_WAIT2" }, { 6, "TIME_WAIT" }, { 7, "CLOSE" }, { 8, "CLOSE_WAIT" },
	{ 9, "LAST_ACK" }, { 10, "LISTEN" }, { 11, "CLOSING" }, { 12, "NEW_SYN_RECV" },
	{ 0, NULL }
};

static const value_string errno_names[] = {
	{ 0, "none" },
	{ 101, "ENETUNREACH" }, { 103, "ECONNABORTED" }, { 104, "ECONNRESET" },
	{ 110, "ETIMEDOUT" }, { 111, "ECONNREFUSED" }, { 112, "EHOSTDOWN" },
	{ 113, "EHOSTUNREACH" }, { 32, "EPIPE" }, { 99, "EADDRNOTAVAIL" },
	{ 0, NULL }
};

/* Numeric fields of the fixed part, decoded alike. */
struct fixed_field {
	int *hf;
	int offset;
	int size;
};

#define FIELD(hf, f) { &hf, OFF(f), SIZE(f) }

static const struct fixed_field process_fields[] = {
	FIELD(hf_pid, pid), FIELD(hf_tid, tid), FIELD(hf_ppid, ppid),
	FIELD(hf_uid, uid), FIELD(hf_gid, gid), FIELD(hf_cgroup, cgroup_id),
};

static const struct fixed_field flow_fields[] = {
	FIELD(hf_family, family), FIELD(hf_proto, proto),
	FIELD(hf_srcport, sport), FIELD(hf_dstport, dport),
	FIELD(hf_netns, netns), FIELD(hf_ifindex, ifindex), FIELD(hf_tcp_state, tcp_state),
};

static const struct fixed_field metric_fields[] = {
	FIELD(hf_latency, latency_us), FIELD(hf_duration, duration_us),
	FIELD(hf_bytes_sent, bytes_sent), FIELD(hf_bytes_received, bytes_received),
	FIELD(hf_packets, packets), FIELD(hf_retransmits, retransmits),
	FIELD(hf_srtt, srtt_us), FIELD(hf_error, error), FIELD(hf_drops, drops),
};

/* Subtrees a TLV's field is shown under. */
enum subtree { IN_RECORD, IN_PROCESS, IN_CONTAINER, IN_FLOW, N_SUBTREES };

/* TLV tags and the string fields they carry. */
static const struct {
	guint16 tag;
	int *hf;
	enum subtree where;
} tlv_fields[] = {
	{ EBPF_TLV_EXE, &hf_exe, IN_PROCESS },
	{ EBPF_TLV_CONTAINER_ID, &hf_container_id, IN_CONTAINER },
	{ EBPF_TLV_CONTAINER_NAME, &hf_container_name, IN_CONTAINER },
	{ EBPF_TLV_CONTAINER_RUNTIME, &hf_container_runtime, IN_CONTAINER },
	{ EBPF_TLV_POD, &hf_pod, IN_CONTAINER },
	{ EBPF_TLV_NAMESPACE, &hf_namespace, IN_CONTAINER },
	{ EBPF_TLV_K8S_CONTAINER, &hf_k8s_container, IN_CONTAINER },
	{ EBPF_TLV_HOST, &hf_host, IN_RECORD },
	{ EBPF_TLV_IFNAME, &hf_ifname, IN_FLOW },
	{ EBPF_TLV_MACHINE_ID, &hf_machine_id, IN_RECORD },
};

/* What one record says, gathered while decoding, for the Info column and the tap. */
struct record_view {
	guint16 type, family, sport, dport;
	guint8 proto, flags;
	guint32 pid, latency_us, retransmits;
	gint32 error;
	guint64 duration_us, bytes_sent, bytes_received, packets, drops;
	const char *comm;
	const char *exe, *container_name, *pod, *pod_namespace, *host;
	address src, dst;
	proto_tree *subtrees[N_SUBTREES];
};

static void add_fields(proto_tree *tree, tvbuff_t *tvb, const struct fixed_field *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		proto_tree_add_item(tree, *f[i].hf, tvb, f[i].offset, f[i].size, ENC_LITTLE_ENDIAN);
}

static gboolean malformed(proto_item *ti, packet_info *pinfo, const char *why)
{
	expert_add_info_format(pinfo, ti, &ei_malformed, "Malformed eBPFFlow record: %s", why);
	col_append_fstr(pinfo->cinfo, COL_INFO, " [Malformed: %s]", why);
	return FALSE;
}

static void undecoded(proto_tree *tree, packet_info *pinfo, tvbuff_t *tvb, int offset, int len, const char *what)
{
	proto_item *ti;

	if (len <= 0)
		return;
	ti = proto_tree_add_item(tree, hf_undecoded, tvb, offset, len, ENC_NA);
	expert_add_info_format(pinfo, ti, &ei_undecoded, "%d bytes of %s this version does not know", len, what);
}

/* Header checks: everything needed before any byte of the fixed part is read. */
static gboolean dissect_header(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *ti,
			       int *fixed_len, int *total_len)
{
	int captured = tvb_captured_length(tvb);
	proto_tree *hdr;

	if (captured < EBPF_RECORD_HEADER_LEN)
		return malformed(ti, pinfo, "shorter than the 8-byte header");
	hdr = proto_tree_add_subtree(tree, tvb, 0, EBPF_RECORD_HEADER_LEN, ett_header, NULL, "Header");
	proto_tree_add_item(hdr, hf_major, tvb, 0, 1, ENC_NA);
	proto_tree_add_item(hdr, hf_minor, tvb, 1, 1, ENC_NA);
	proto_tree_add_item(hdr, hf_fixed_len, tvb, 2, 2, ENC_LITTLE_ENDIAN);
	proto_tree_add_item(hdr, hf_length, tvb, 4, 4, ENC_LITTLE_ENDIAN);
	*fixed_len = tvb_get_letohs(tvb, 2);
	*total_len = (int)MIN(tvb_get_letohl(tvb, 4), (guint32)G_MAXINT);

	if (tvb_get_guint8(tvb, 0) != EBPF_RECORD_MAJOR)
		return malformed(ti, pinfo, "unknown major version");
	if (*fixed_len < FIXED_LEN_1_0)
		return malformed(ti, pinfo, "fixed part shorter than version 1.0's");
	if (*total_len < EBPF_RECORD_HEADER_LEN + *fixed_len)
		return malformed(ti, pinfo, "length shorter than the fixed part");
	if (*total_len > captured)
		return malformed(ti, pinfo, "length beyond the captured bytes");
	return TRUE;
}

/* A NUL-padded string of the fixed part; it must hold its NUL. */
static gboolean add_fixed_string(proto_tree *tree, int hf, tvbuff_t *tvb, packet_info *pinfo,
				 proto_item *ti, int offset, int len, const char **out)
{
	if (tvb_find_guint8(tvb, offset, len, 0) < 0)
		return malformed(ti, pinfo, "string without its terminating NUL");
	proto_tree_add_item_ret_string(tree, hf, tvb, offset, len, ENC_UTF_8, pinfo->pool,
				       (const guint8 **)out);
	return TRUE;
}

static void add_addresses(proto_tree *flow, tvbuff_t *tvb, packet_info *pinfo, struct record_view *v)
{
	if (v->family == AF_INET_) {
		proto_tree_add_item(flow, hf_src, tvb, OFF(saddr), 4, ENC_BIG_ENDIAN);
		proto_tree_add_item(flow, hf_dst, tvb, OFF(daddr), 4, ENC_BIG_ENDIAN);
		set_address_tvb(&v->src, AT_IPv4, 4, tvb, OFF(saddr));
		set_address_tvb(&v->dst, AT_IPv4, 4, tvb, OFF(daddr));
	} else if (v->family == AF_INET6_) {
		proto_tree_add_item(flow, hf_src6, tvb, OFF(saddr), 16, ENC_NA);
		proto_tree_add_item(flow, hf_dst6, tvb, OFF(daddr), 16, ENC_NA);
		set_address_tvb(&v->src, AT_IPv6, 16, tvb, OFF(saddr));
		set_address_tvb(&v->dst, AT_IPv6, 16, tvb, OFF(daddr));
	} else {
		return;
	}
	/* Source/Destination columns, Conversations and Endpoints work on events too. */
	copy_address_shallow(&pinfo->src, &v->src);
	copy_address_shallow(&pinfo->dst, &v->dst);
	copy_address_shallow(&pinfo->net_src, &v->src);
	copy_address_shallow(&pinfo->net_dst, &v->dst);
	pinfo->ptype = v->proto == 17 ? PT_UDP : PT_TCP;
	pinfo->srcport = v->sport;
	pinfo->destport = v->dport;
}

static gboolean dissect_fixed(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *ti,
			      struct record_view *v)
{
	static int *const flag_bits[] = { &hf_flag_reset, &hf_flag_no_owner, NULL };
	guint64 ts_ns = tvb_get_letoh64(tvb, OFF(timestamp_ns));
	nstime_t ts = { (time_t)(ts_ns / 1000000000), (int)(ts_ns % 1000000000) };
	proto_tree *proc, *flow, *metrics;

	v->type = tvb_get_letohs(tvb, OFF(type));
	v->family = tvb_get_letohs(tvb, OFF(family));
	v->sport = tvb_get_letohs(tvb, OFF(sport));
	v->dport = tvb_get_letohs(tvb, OFF(dport));
	v->proto = tvb_get_guint8(tvb, OFF(proto));
	v->flags = tvb_get_guint8(tvb, OFF(flags));
	v->pid = tvb_get_letohl(tvb, OFF(pid));
	v->latency_us = tvb_get_letohl(tvb, OFF(latency_us));
	v->retransmits = tvb_get_letohl(tvb, OFF(retransmits));
	v->error = (gint32)tvb_get_letohl(tvb, OFF(error));
	v->duration_us = tvb_get_letoh64(tvb, OFF(duration_us));
	v->bytes_sent = tvb_get_letoh64(tvb, OFF(bytes_sent));
	v->bytes_received = tvb_get_letoh64(tvb, OFF(bytes_received));
	v->packets = tvb_get_letoh64(tvb, OFF(packets));
	v->drops = tvb_get_letoh64(tvb, OFF(drops));

	proto_tree_add_item(tree, hf_type, tvb, OFF(type), SIZE(type), ENC_LITTLE_ENDIAN);
	proto_tree_add_time(tree, hf_timestamp, tvb, OFF(timestamp_ns), SIZE(timestamp_ns), &ts);
	proto_tree_add_bitmask(tree, tvb, OFF(flags), hf_flags, ett_flags, flag_bits, ENC_NA);

	proc = proto_tree_add_subtree(tree, tvb, OFF(pid), SIZE(pid), ett_process, NULL, "Process");
	v->subtrees[IN_RECORD] = tree;
	v->subtrees[IN_PROCESS] = proc;
	if (!add_fixed_string(proc, hf_comm, tvb, pinfo, ti, OFF(comm), SIZE(comm), &v->comm))
		return FALSE;
	add_fields(proc, tvb, process_fields, G_N_ELEMENTS(process_fields));
	{
		const char *parent;

		if (!add_fixed_string(proc, hf_parent_comm, tvb, pinfo, ti, OFF(parent_comm),
				      SIZE(parent_comm), &parent))
			return FALSE;
	}

	flow = proto_tree_add_subtree(tree, tvb, OFF(family), SIZE(family), ett_flow, NULL, "Flow");
	v->subtrees[IN_FLOW] = flow;
	add_fields(flow, tvb, flow_fields, G_N_ELEMENTS(flow_fields));
	add_addresses(flow, tvb, pinfo, v);

	metrics = proto_tree_add_subtree(tree, tvb, OFF(duration_us), SIZE(duration_us), ett_metrics, NULL, "Measured by the kernel");
	add_fields(metrics, tvb, metric_fields, G_N_ELEMENTS(metric_fields));
	return TRUE;
}

static const char **view_slot(struct record_view *v, guint16 tag)
{
	switch (tag) {
	case EBPF_TLV_EXE: return &v->exe;
	case EBPF_TLV_CONTAINER_NAME: return &v->container_name;
	case EBPF_TLV_POD: return &v->pod;
	case EBPF_TLV_NAMESPACE: return &v->pod_namespace;
	case EBPF_TLV_HOST: return &v->host;
	default: return NULL;
	}
}

/* One TLV; returns FALSE when it is malformed. */
static gboolean dissect_tlv(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *ti,
			    guint16 tag, int offset, int len, struct record_view *v)
{
	for (size_t i = 0; i < G_N_ELEMENTS(tlv_fields); i++) {
		const char *s, **slot;

		if (tlv_fields[i].tag != tag)
			continue;
		if (len == 0 || tvb_get_guint8(tvb, offset + len - 1) != 0)
			return malformed(ti, pinfo, "string without its terminating NUL");
		proto_tree_add_item_ret_string(v->subtrees[tlv_fields[i].where], *tlv_fields[i].hf,
					       tvb, offset, len, ENC_UTF_8, pinfo->pool, (const guint8 **)&s);
		slot = view_slot(v, tag);
		if (slot)
			*slot = s;
		return TRUE;
	}
	undecoded(tree, pinfo, tvb, offset, len, "a TLV");
	return TRUE;
}

static gboolean dissect_tlvs(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, proto_item *ti,
			     int offset, int end, struct record_view *v)
{
	v->subtrees[IN_CONTAINER] = proto_tree_add_subtree(tree, tvb, offset, end - offset, ett_container,
							   NULL, "Container");
	while (offset < end) {
		guint16 tag, len;

		if (end - offset < EBPF_TLV_HEADER_LEN)
			return malformed(ti, pinfo, "truncated TLV header");
		tag = tvb_get_letohs(tvb, offset);
		len = tvb_get_letohs(tvb, offset + 2);
		offset += EBPF_TLV_HEADER_LEN;
		if (len > end - offset)
			return malformed(ti, pinfo, "TLV runs past the record");
		if (!dissect_tlv(tvb, pinfo, tree, ti, tag, offset, len, v))
			return FALSE;
		offset += len;
	}
	return TRUE;
}

static const char *endpoint(packet_info *pinfo, const address *a, guint16 port)
{
	const char *s = address_to_str(pinfo->pool, a);

	return a->type == AT_IPv6 ? wmem_strdup_printf(pinfo->pool, "[%s]:%u", s, port)
				  : wmem_strdup_printf(pinfo->pool, "%s:%u", s, port);
}

/* The Info column reads like a sentence, starting with the event type. */
static void set_info(packet_info *pinfo, const struct record_view *v)
{
	const char *type = val_to_str_const(v->type, type_names, "Unknown");

	if (v->type == EBPF_CAPTURE_DROPS) {
		col_add_fstr(pinfo->cinfo, COL_INFO, "%s %" G_GUINT64_FORMAT " events lost", type, v->drops);
		return;
	}
	col_add_fstr(pinfo->cinfo, COL_INFO, "%s %s(%u) %s %s %s", type,
		     (v->flags & EBPF_FLAG_NO_OWNER) ? "?" : v->comm, v->pid,
		     endpoint(pinfo, &v->src, v->sport), v->type == EBPF_TCP_ACCEPT ? UTF8_LEFTWARDS_ARROW : UTF8_RIGHTWARDS_ARROW,
		     endpoint(pinfo, &v->dst, v->dport));
	switch (v->type) {
	case EBPF_TCP_CONNECT:
		col_append_fstr(pinfo->cinfo, COL_INFO, " latency %u " UTF8_MICRO_SIGN "s", v->latency_us);
		break;
	case EBPF_TCP_CONNECT_FAILED:
		col_append_fstr(pinfo->cinfo, COL_INFO, " %s", val_to_str(v->error, errno_names, "errno %d"));
		break;
	case EBPF_TCP_CLOSE:
		col_append_fstr(pinfo->cinfo, COL_INFO, " after %.3f s, %" G_GUINT64_FORMAT " B out, %"
				G_GUINT64_FORMAT " B in, %u retrans%s", v->duration_us / 1e6, v->bytes_sent,
				v->bytes_received, v->retransmits, (v->flags & EBPF_FLAG_RESET) ? ", RST" : "");
		break;
	case EBPF_TCP_RETRANSMIT:
		col_append_fstr(pinfo->cinfo, COL_INFO, " retransmission %u", v->retransmits);
		break;
	case EBPF_UDP_SEND:
	case EBPF_UDP_RECV:
		col_append_fstr(pinfo->cinfo, COL_INFO, " %" G_GUINT64_FORMAT " datagrams, %" G_GUINT64_FORMAT " B",
				v->packets, v->type == EBPF_UDP_SEND ? v->bytes_sent : v->bytes_received);
		break;
	}
	if (v->pod)
		col_append_fstr(pinfo->cinfo, COL_INFO, " [pod %s/%s]", v->pod_namespace ? v->pod_namespace : "", v->pod);
	else if (v->container_name)
		col_append_fstr(pinfo->cinfo, COL_INFO, " [container %s]", v->container_name);
}

static void add_expert_notes(packet_info *pinfo, proto_item *ti, const struct record_view *v)
{
	if (v->type == EBPF_TCP_CONNECT_FAILED)
		expert_add_info_format(pinfo, ti, &ei_connect_failed, "Connection failed: %s",
				       val_to_str(v->error, errno_names, "errno %d"));
	else if (v->type == EBPF_TCP_RETRANSMIT)
		expert_add_info_format(pinfo, ti, &ei_retransmit, "Retransmission (%u so far)", v->retransmits);
	else if (v->type == EBPF_CAPTURE_DROPS)
		expert_add_info_format(pinfo, ti, &ei_drops, "%" G_GUINT64_FORMAT " events lost: the kernel buffer was full",
				       v->drops);
	if (v->flags & EBPF_FLAG_RESET)
		expert_add_info(pinfo, ti, &ei_reset);
}

static void queue_tap(packet_info *pinfo, const struct record_view *v)
{
	struct ebpfflow_tap_info *info = wmem_new0(pinfo->pool, struct ebpfflow_tap_info);

	info->type = v->type;
	info->pid = v->pid;
	info->comm = v->comm ? v->comm : "";
	if (v->pod)
		info->container = wmem_strdup_printf(pinfo->pool, "pod %s/%s", v->pod_namespace ? v->pod_namespace : "", v->pod);
	else
		info->container = v->container_name ? v->container_name : "host";
	info->bytes = v->bytes_sent + v->bytes_received;
	copy_address_shallow(&info->src, &v->src);
	copy_address_shallow(&info->dst, &v->dst);
	info->sport = v->sport;
	info->dport = v->dport;
	info->udp = v->proto == 17;
	tap_queue_packet(ebpfflow_tap, pinfo, info);
}

static int dissect_ebpfflow(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
	struct record_view v = { 0 };
	int fixed_len, total_len, captured = tvb_captured_length(tvb);
	proto_item *ti;
	proto_tree *rec;

	col_set_str(pinfo->cinfo, COL_PROTOCOL, "eBPFFlow");
	col_clear(pinfo->cinfo, COL_INFO);
	col_set_str(pinfo->cinfo, COL_INFO, "eBPFFlow record");
	ti = proto_tree_add_item(tree, proto_ebpfflow, tvb, 0, -1, ENC_NA);
	rec = proto_item_add_subtree(ti, ett_ebpfflow);

	if (!dissect_header(tvb, pinfo, rec, ti, &fixed_len, &total_len) ||
	    !dissect_fixed(tvb, pinfo, rec, ti, &v))
		return captured;
	/* A newer minor version: known fields decoded, the rest shown as such. */
	undecoded(rec, pinfo, tvb, EBPF_RECORD_HEADER_LEN + FIXED_LEN_1_0, fixed_len - FIXED_LEN_1_0,
		  "fixed part");
	if (!dissect_tlvs(tvb, pinfo, rec, ti, EBPF_RECORD_HEADER_LEN + fixed_len, total_len, &v))
		return captured;
	undecoded(rec, pinfo, tvb, total_len, captured - total_len, "trailing data");
	set_info(pinfo, &v);
	proto_item_append_text(ti, ", %s", val_to_str_const(v.type, type_names, "Unknown"));
	add_expert_notes(pinfo, ti, &v);
	queue_tap(pinfo, &v);
	return captured;
}

#define UINT_FIELD(id, name, abbrev, type, base, vals, blurb) \
	{ &id, { name, abbrev, type, base, vals, 0x0, blurb, HFILL } }

void proto_register_ebpfflow(void)
{
	static hf_register_info hf[] = {
		UINT_FIELD(hf_major, "Major version", "ebpf.version.major", FT_UINT8, BASE_DEC, NULL, NULL),
		UINT_FIELD(hf_minor, "Minor version", "ebpf.version.minor", FT_UINT8, BASE_DEC, NULL, NULL),
		UINT_FIELD(hf_fixed_len, "Fixed part length", "ebpf.fixed_len", FT_UINT16, BASE_DEC, NULL, "Bytes of the fixed part"),
		UINT_FIELD(hf_length, "Record length", "ebpf.length", FT_UINT32, BASE_DEC, NULL, "Bytes of the whole record"),
		{ &hf_timestamp, { "Event time", "ebpf.timestamp", FT_ABSOLUTE_TIME, ABSOLUTE_TIME_LOCAL, NULL, 0x0, "When the kernel saw it", HFILL } },
		UINT_FIELD(hf_type, "Event", "ebpf.type", FT_UINT16, BASE_DEC, VALS(type_names), "Event type"),
		UINT_FIELD(hf_flags, "Flags", "ebpf.flags", FT_UINT8, BASE_HEX, NULL, NULL),
		{ &hf_flag_reset, { "Ended by RST", "ebpf.flags.reset", FT_BOOLEAN, 8, NULL, EBPF_FLAG_RESET, NULL, HFILL } },
		{ &hf_flag_no_owner, { "Owner unknown", "ebpf.flags.no_owner", FT_BOOLEAN, 8, NULL, EBPF_FLAG_NO_OWNER,
			"The socket predates the capture and no process holds it", HFILL } },
		UINT_FIELD(hf_pid, "PID", "ebpf.pid", FT_UINT32, BASE_DEC, NULL, "Process (thread group) that did it"),
		UINT_FIELD(hf_tid, "TID", "ebpf.tid", FT_UINT32, BASE_DEC, NULL, "Thread that did it"),
		UINT_FIELD(hf_ppid, "Parent PID", "ebpf.ppid", FT_UINT32, BASE_DEC, NULL, NULL),
		UINT_FIELD(hf_uid, "UID", "ebpf.uid", FT_UINT32, BASE_DEC, NULL, "Real user id"),
		UINT_FIELD(hf_gid, "GID", "ebpf.gid", FT_UINT32, BASE_DEC, NULL, "Real group id"),
		{ &hf_comm, { "Process", "ebpf.comm", FT_STRINGZPAD, BASE_NONE, NULL, 0x0, "Process name (comm)", HFILL } },
		{ &hf_parent_comm, { "Parent process", "ebpf.parent.comm", FT_STRINGZPAD, BASE_NONE, NULL, 0x0, NULL, HFILL } },
		{ &hf_exe, { "Executable", "ebpf.exe", FT_STRINGZ, BASE_NONE, NULL, 0x0, "Path of the program", HFILL } },
		UINT_FIELD(hf_cgroup, "Cgroup id", "ebpf.cgroup", FT_UINT64, BASE_DEC, NULL, NULL),
		{ &hf_container_id, { "Container id", "ebpf.container.id", FT_STRINGZ, BASE_NONE, NULL, 0x0, NULL, HFILL } },
		{ &hf_container_name, { "Container", "ebpf.container.name", FT_STRINGZ, BASE_NONE, NULL, 0x0, NULL, HFILL } },
		{ &hf_container_runtime, { "Runtime", "ebpf.container.runtime", FT_STRINGZ, BASE_NONE, NULL, 0x0, "docker, containerd, cri-o, podman", HFILL } },
		{ &hf_pod, { "Pod", "ebpf.pod", FT_STRINGZ, BASE_NONE, NULL, 0x0, NULL, HFILL } },
		{ &hf_namespace, { "Namespace", "ebpf.namespace", FT_STRINGZ, BASE_NONE, NULL, 0x0, "Kubernetes namespace of the pod", HFILL } },
		{ &hf_k8s_container, { "Kubernetes container", "ebpf.k8s.container", FT_STRINGZ, BASE_NONE, NULL, 0x0, NULL, HFILL } },
		UINT_FIELD(hf_family, "Family", "ebpf.family", FT_UINT16, BASE_DEC, VALS(family_names), NULL),
		UINT_FIELD(hf_proto, "Protocol", "ebpf.proto", FT_UINT8, BASE_DEC, VALS(proto_names), NULL),
		/*
		 * IPv4 and IPv6 under different names, as ip.src and ipv6.src: given
		 * two fields of one name and two address types, Wireshark 4.0's
		 * display filters parse values for only one of them.
		 */
		{ &hf_src, { "Source", "ebpf.src", FT_IPv4, BASE_NONE, NULL, 0x0, "Local IPv4 address of the process", HFILL } },
		{ &hf_dst, { "Destination", "ebpf.dst", FT_IPv4, BASE_NONE, NULL, 0x0, "Remote IPv4 address", HFILL } },
		{ &hf_src6, { "Source", "ebpf.src6", FT_IPv6, BASE_NONE, NULL, 0x0, "Local IPv6 address of the process", HFILL } },
		{ &hf_dst6, { "Destination", "ebpf.dst6", FT_IPv6, BASE_NONE, NULL, 0x0, "Remote IPv6 address", HFILL } },
		UINT_FIELD(hf_srcport, "Source port", "ebpf.srcport", FT_UINT16, BASE_DEC, NULL, "Local port"),
		UINT_FIELD(hf_dstport, "Destination port", "ebpf.dstport", FT_UINT16, BASE_DEC, NULL, "Remote port"),
		UINT_FIELD(hf_netns, "Network namespace", "ebpf.netns", FT_UINT32, BASE_DEC, NULL, "Inode of the network namespace"),
		UINT_FIELD(hf_ifindex, "Interface index", "ebpf.ifindex", FT_UINT32, BASE_DEC, NULL, "0 where the kernel does not know it"),
		{ &hf_ifname, { "Interface", "ebpf.ifname", FT_STRINGZ, BASE_NONE, NULL, 0x0, NULL, HFILL } },
		UINT_FIELD(hf_tcp_state, "TCP state", "ebpf.tcp_state", FT_UINT8, BASE_DEC, VALS(tcp_state_names), "State the socket was in"),
		UINT_FIELD(hf_latency, "Connect latency (us)", "ebpf.latency", FT_UINT32, BASE_DEC, NULL, "Microseconds from SYN sent to established"),
		UINT_FIELD(hf_duration, "Duration (us)", "ebpf.duration", FT_UINT64, BASE_DEC, NULL, "Microseconds from established to closed"),
		UINT_FIELD(hf_bytes_sent, "Bytes sent", "ebpf.bytes_sent", FT_UINT64, BASE_DEC, NULL, "TCP: payload acknowledged by the peer; UDP: payload"),
		UINT_FIELD(hf_bytes_received, "Bytes received", "ebpf.bytes_received", FT_UINT64, BASE_DEC, NULL, "Payload bytes"),
		UINT_FIELD(hf_packets, "Datagrams", "ebpf.packets", FT_UINT64, BASE_DEC, NULL, "UDP datagrams this record sums up"),
		UINT_FIELD(hf_retransmits, "Retransmissions", "ebpf.retransmits", FT_UINT32, BASE_DEC, NULL, "Segments retransmitted on this connection"),
		UINT_FIELD(hf_srtt, "Smoothed RTT (us)", "ebpf.srtt", FT_UINT32, BASE_DEC, NULL, "Microseconds"),
		UINT_FIELD(hf_error, "Error", "ebpf.error", FT_INT32, BASE_DEC, VALS(errno_names), "errno"),
		UINT_FIELD(hf_drops, "Events lost", "ebpf.drops", FT_UINT64, BASE_DEC, NULL, "Events lost since the previous Capture_Drops record"),
		{ &hf_host, { "Host", "ebpf.host", FT_STRINGZ, BASE_NONE, NULL, 0x0, "Host that captured the event", HFILL } },
		{ &hf_machine_id, { "Machine id", "ebpf.machine_id", FT_STRINGZ, BASE_NONE, NULL, 0x0, NULL, HFILL } },
		{ &hf_undecoded, { "Undecoded", "ebpf.undecoded", FT_BYTES, BASE_NONE, NULL, 0x0, "Bytes a newer version of the record added", HFILL } },
	};
	static int *ett[] = {
		&ett_ebpfflow, &ett_header, &ett_process, &ett_container, &ett_flow, &ett_metrics, &ett_flags,
	};
	static ei_register_info ei[] = {
		{ &ei_malformed, { "ebpf.malformed", PI_MALFORMED, PI_ERROR, "Malformed eBPFFlow record", EXPFILL } },
		{ &ei_undecoded, { "ebpf.undecoded.note", PI_UNDECODED, PI_NOTE, "Fields of a newer record version", EXPFILL } },
		{ &ei_connect_failed, { "ebpf.connect_failed", PI_RESPONSE_CODE, PI_WARN, "Connection failed", EXPFILL } },
		{ &ei_retransmit, { "ebpf.retransmission", PI_SEQUENCE, PI_NOTE, "TCP retransmission", EXPFILL } },
		{ &ei_reset, { "ebpf.reset", PI_SEQUENCE, PI_WARN, "Connection ended by RST", EXPFILL } },
		{ &ei_drops, { "ebpf.drops.expert", PI_SEQUENCE, PI_WARN, "Events lost", EXPFILL } },
	};
	expert_module_t *expert;

	proto_ebpfflow = proto_register_protocol("eBPFFlow: kernel network events", "eBPFFlow", "ebpf");
	proto_register_field_array(proto_ebpfflow, hf, array_length(hf));
	proto_register_subtree_array(ett, array_length(ett));
	expert = expert_register_protocol(proto_ebpfflow);
	expert_register_field_array(expert, ei, array_length(ei));
	ebpfflow_handle = register_dissector("ebpfflow", dissect_ebpfflow, proto_ebpfflow);
	ebpfflow_tap = register_tap(EBPFFLOW_TAP);
	ebpfflow_register_stats(proto_ebpfflow);
}

void proto_reg_handoff_ebpfflow(void)
{
	/* Nothing to hook: the exported-PDU dissector finds us by name. */
}
