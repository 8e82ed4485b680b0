/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * eBPFFlow: records of kernel network events written by ebpfcap (who
 * connected, accepted, closed, retransmitted, sent UDP) with the process,
 * container and pod behind them. Byte layout: docs/FORMAT.md; the offsets
 * come from the one record definition, bpf/ebpf_record.h.
 *
 * Records reach us through the exported-PDU dissector (LINKTYPE_WIRESHARK_
 * UPPER_PDU), which calls the dissector registered as "ebpfflow" by name:
 * there is nothing to hook up in the handoff.
 *
 * Every length in a record comes from whoever wrote it, so each one is
 * checked against the captured bytes before anything it covers is read; a
 * record that fails a check is marked malformed with the reason, and what
 * was decoded before it stays in the tree.
 */
#define WS_BUILD_DLL
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/expert.h>
#include <epan/tap.h>
#include <epan/to_str.h>
#include <wsutil/utf8_entities.h>

#include <stddef.h>
#include "packet-ebpfflow.h"

#define FIXED_LEN_1_0 EBPF_FIXED_LEN_1_0
#define FIXED_LEN_1_1 ((int)sizeof(struct ebpf_event))
#define OFF(field) (EBPF_RECORD_HEADER_LEN + (int)offsetof(struct ebpf_event, field))
#define SIZE(field) ((int)sizeof(((struct ebpf_event *)0)->field))
#define AF_INET_ 2
#define AF_INET6_ 10
#define PROTO_TCP 6
#define PROTO_UDP 17

/* tvb_get_guint8 is deprecated from 4.6 on, and tvb_get_uint8 is missing from 4.0. */
#if EBPFFLOW_WS_AT_LEAST(4, 6)
#define get_u8 tvb_get_uint8
#else
#define get_u8 tvb_get_guint8
#endif

static int proto_ebpfflow = -1;
static int ebpfflow_tap = -1;

static int hf_major = -1, hf_minor = -1, hf_fixed_len = -1, hf_length = -1;
static int hf_timestamp = -1, hf_type = -1, hf_flags = -1, hf_flag_reset = -1, hf_flag_no_owner = -1, hf_flag_host = -1;
static int hf_pid = -1, hf_tid = -1, hf_ppid = -1, hf_uid = -1, hf_gid = -1;
static int hf_comm = -1, hf_parent_comm = -1, hf_exe = -1, hf_cgroup = -1;
static int hf_container_id = -1, hf_container_name = -1, hf_container_runtime = -1;
static int hf_pod = -1, hf_namespace = -1, hf_k8s_container = -1;
static int hf_family = -1, hf_proto = -1, hf_src = -1, hf_dst = -1, hf_src6 = -1, hf_dst6 = -1, hf_addr = -1;
static int hf_srcport = -1, hf_dstport = -1, hf_netns = -1, hf_ifindex = -1, hf_ifname = -1;
static int hf_tcp_state = -1;
static int hf_latency = -1, hf_duration = -1, hf_bytes_sent = -1, hf_bytes_received = -1;
static int hf_packets = -1, hf_retransmits = -1, hf_srtt = -1, hf_error = -1, hf_drops = -1;
static int hf_host = -1, hf_machine_id = -1, hf_undecoded = -1;
static int hf_prev_pid = -1, hf_prev_comm = -1, hf_acceptor_pid = -1, hf_acceptor_comm = -1;

static int ett_ebpfflow = -1, ett_header = -1, ett_process = -1, ett_container = -1;
static int ett_flow = -1, ett_metrics = -1, ett_flags = -1, ett_host = -1;

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
	{ EBPF_TCP_LISTEN, "TCP_Listen" },
	{ EBPF_TCP_HANDOFF, "TCP_Handoff" },
	{ 0, NULL }
};

static const value_string family_names[] = {
	{ AF_INET_, "IPv4" },
	{ AF_INET6_, "IPv6" },
	{ 0, NULL }
};

static const value_string proto_names[] = {
	{ PROTO_TCP, "TCP" },
	{ PROTO_UDP, "UDP" },
	{ 0, NULL }
};

/* Linux TCP states (include/net/tcp_states.h). */
static const value_string tcp_state_names[] = {
	{ 1, "ESTABLISHED" }, { 2, "SYN_SENT" }, { 3, "SYN_RECV" }, { 4, "FIN_WAIT1" },
	{ 5, "FIN_WAIT2" }, { 6, "TIME_WAIT" }, { 7, "CLOSE" }, { 8, "CLOSE_WAIT" },
	{ 9, "LAST_ACK" }, { 10, "LISTEN" }, { 11, "CLOSING" }, { 12, "NEW_SYN_RECV" },
	{ 0, NULL }
};

/* Linux errno values a connection can end with. */
static const value_string errno_names[] = {
	{ 0, "none" },
	{ 32, "EPIPE" }, { 99, "EADDRNOTAVAIL" }, { 101, "ENETUNREACH" }, { 103, "ECONNABORTED" },
	{ 104, "ECONNRESET" }, { 110, "ETIMEDOUT" }, { 111, "ECONNREFUSED" }, { 112, "EHOSTDOWN" },
	{ 113, "EHOSTUNREACH" },
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

/* The subtrees fields are grouped in; Container and Host appear only when a TLV fills them. */
enum subtree { IN_PROCESS, IN_FLOW, IN_CONTAINER, IN_HOST, N_SUBTREES };

static const struct {
	const char *title;
	int *ett;
} subtree_info[N_SUBTREES] = {
	{ "Process", &ett_process },
	{ "Flow", &ett_flow },
	{ "Container", &ett_container },
	{ "Host", &ett_host },
};

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
	{ EBPF_TLV_HOST, &hf_host, IN_HOST },
	{ EBPF_TLV_IFNAME, &hf_ifname, IN_FLOW },
	{ EBPF_TLV_MACHINE_ID, &hf_machine_id, IN_HOST },
};

/* What one record says, gathered while decoding, for the Info column, the subtree titles and the tap. */
struct record_view {
	guint16 type, family, sport, dport;
	guint8 proto, flags;
	guint32 latency_us, retransmits;
	gint32 error;
	guint64 timestamp_ns, duration_us, bytes_sent, bytes_received, packets, drops;
	guint32 prev_pid, acceptor_pid;      /* 1.1; 0 in older records */
	const char *prev_comm, *acceptor_comm;
	struct ebpfflow_owner owner; /* pid, comm, the TLV strings, ...: also what packets of the socket show */
	address src, dst;
	proto_tree *rec;
	proto_item *items[N_SUBTREES];
	proto_tree *subtrees[N_SUBTREES];
};

static const char *type_name(packet_info *pinfo, guint16 type)
{
	const char *s = try_val_to_str(type, type_names);

	return s ? s : wmem_strdup_printf(pinfo->pool, "Unknown_type_%u", type);
}

static const char *errno_name(packet_info *pinfo, gint32 err)
{
	const char *s = try_val_to_str((guint32)err, errno_names);

	return s ? s : wmem_strdup_printf(pinfo->pool, "errno %d", err);
}

/* The subtree a field goes in, made on first use so that empty ones never show. */
static proto_tree *subtree(struct record_view *v, tvbuff_t *tvb, enum subtree which, int offset, int len)
{
	if (!v->subtrees[which])
		v->subtrees[which] = proto_tree_add_subtree(v->rec, tvb, offset, len, *subtree_info[which].ett,
							    &v->items[which], subtree_info[which].title);
	return v->subtrees[which];
}

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

/* Bytes a newer minor version added: shown, flagged as not understood, never malformed. */
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
	int captured = (int)tvb_captured_length(tvb);
	proto_tree *hdr;
	guint32 major, fixed, total;

	if (captured < EBPF_RECORD_HEADER_LEN)
		return malformed(ti, pinfo, "shorter than the 8-byte header");
	hdr = proto_tree_add_subtree(tree, tvb, 0, EBPF_RECORD_HEADER_LEN, ett_header, NULL, "Header");
	proto_tree_add_item_ret_uint(hdr, hf_major, tvb, 0, 1, ENC_NA, &major);
	proto_tree_add_item(hdr, hf_minor, tvb, 1, 1, ENC_NA);
	proto_tree_add_item_ret_uint(hdr, hf_fixed_len, tvb, 2, 2, ENC_LITTLE_ENDIAN, &fixed);
	proto_tree_add_item_ret_uint(hdr, hf_length, tvb, 4, 4, ENC_LITTLE_ENDIAN, &total);
	*fixed_len = (int)fixed;
	*total_len = (int)MIN(total, (guint32)G_MAXINT);

	if (major != EBPF_RECORD_MAJOR)
		return malformed(ti, pinfo, wmem_strdup_printf(pinfo->pool,
			"major version %u, this dissector reads %u", major, EBPF_RECORD_MAJOR));
	if (*fixed_len < FIXED_LEN_1_0)
		return malformed(ti, pinfo, wmem_strdup_printf(pinfo->pool,
			"fixed part of %d bytes, shorter than version 1.0's %d", *fixed_len, FIXED_LEN_1_0));
	if (*total_len < EBPF_RECORD_HEADER_LEN + *fixed_len)
		return malformed(ti, pinfo, wmem_strdup_printf(pinfo->pool,
			"length %u shorter than header and fixed part (%d)", total, EBPF_RECORD_HEADER_LEN + *fixed_len));
	if (*total_len > captured)
		return malformed(ti, pinfo, wmem_strdup_printf(pinfo->pool,
			"length %u beyond the %d captured bytes", total, captured));
	return TRUE;
}

/* The numbers the Info column, the subtree titles and the tap need. */
static void read_view(tvbuff_t *tvb, struct record_view *v)
{
	v->type = tvb_get_letohs(tvb, OFF(type));
	v->family = tvb_get_letohs(tvb, OFF(family));
	v->sport = tvb_get_letohs(tvb, OFF(sport));
	v->dport = tvb_get_letohs(tvb, OFF(dport));
	v->proto = get_u8(tvb, OFF(proto));
	v->flags = get_u8(tvb, OFF(flags));
	v->timestamp_ns = tvb_get_letoh64(tvb, OFF(timestamp_ns));
	v->owner.pid = tvb_get_letohl(tvb, OFF(pid));
	v->owner.tid = tvb_get_letohl(tvb, OFF(tid));
	v->owner.ppid = tvb_get_letohl(tvb, OFF(ppid));
	v->owner.uid = tvb_get_letohl(tvb, OFF(uid));
	v->owner.gid = tvb_get_letohl(tvb, OFF(gid));
	v->owner.cgroup = tvb_get_letoh64(tvb, OFF(cgroup_id));
	v->latency_us = tvb_get_letohl(tvb, OFF(latency_us));
	v->retransmits = tvb_get_letohl(tvb, OFF(retransmits));
	v->error = (gint32)tvb_get_letohl(tvb, OFF(error));
	v->duration_us = tvb_get_letoh64(tvb, OFF(duration_us));
	v->bytes_sent = tvb_get_letoh64(tvb, OFF(bytes_sent));
	v->bytes_received = tvb_get_letoh64(tvb, OFF(bytes_received));
	v->packets = tvb_get_letoh64(tvb, OFF(packets));
	v->drops = tvb_get_letoh64(tvb, OFF(drops));
}

/* "ebpf.comm without its terminating NUL": names the field, as a filter would. */
static gboolean unterminated(proto_item *ti, packet_info *pinfo, int hf)
{
	return malformed(ti, pinfo, wmem_strdup_printf(pinfo->pool, "%s without its terminating NUL",
						       proto_registrar_get_abbrev(hf)));
}

/* A NUL-padded string of the fixed part; it must hold its NUL. */
static gboolean add_fixed_string(proto_tree *tree, int hf, tvbuff_t *tvb, packet_info *pinfo,
				 proto_item *ti, int offset, int len, const char **out)
{
	if (tvb_strnlen(tvb, offset, (guint)len) < 0)
		return unterminated(ti, pinfo, hf);
	proto_tree_add_item_ret_string(tree, hf, tvb, offset, len, ENC_UTF_8, pinfo->pool,
				       (const guint8 **)out);
	return TRUE;
}

static gboolean add_process(tvbuff_t *tvb, packet_info *pinfo, proto_item *ti, struct record_view *v)
{
	proto_tree *proc = subtree(v, tvb, IN_PROCESS, OFF(pid), OFF(netns) - OFF(pid));

	if (!add_fixed_string(proc, hf_comm, tvb, pinfo, ti, OFF(comm), SIZE(comm), &v->owner.comm))
		return FALSE;
	add_fields(proc, tvb, process_fields, G_N_ELEMENTS(process_fields));
	return add_fixed_string(proc, hf_parent_comm, tvb, pinfo, ti, OFF(parent_comm), SIZE(parent_comm),
				&v->owner.parent_comm);
}

/* 1.1: who held the socket before a TCP_Handoff, and who accepted it. */
static gboolean add_holders(tvbuff_t *tvb, packet_info *pinfo, proto_item *ti, struct record_view *v)
{
	proto_tree *proc = subtree(v, tvb, IN_PROCESS, OFF(pid), OFF(netns) - OFF(pid));

	v->prev_pid = tvb_get_letohl(tvb, OFF(prev_pid));
	v->acceptor_pid = tvb_get_letohl(tvb, OFF(acceptor_pid));
	proto_tree_add_item(proc, hf_prev_pid, tvb, OFF(prev_pid), SIZE(prev_pid), ENC_LITTLE_ENDIAN);
	if (!add_fixed_string(proc, hf_prev_comm, tvb, pinfo, ti, OFF(prev_comm), SIZE(prev_comm), &v->prev_comm))
		return FALSE;
	proto_tree_add_item(proc, hf_acceptor_pid, tvb, OFF(acceptor_pid), SIZE(acceptor_pid), ENC_LITTLE_ENDIAN);
	return add_fixed_string(proc, hf_acceptor_comm, tvb, pinfo, ti, OFF(acceptor_comm), SIZE(acceptor_comm),
				&v->acceptor_comm);
}

/*
 * IPv4 addresses are ebpf.src/ebpf.dst and IPv6 ones ebpf.src6/ebpf.dst6,
 * as ip.src and ipv6.src are, because Wireshark 4.0 cannot filter one name
 * registered with two address types: it parses the value only as the type
 * registered last ("ebpf.src == 127.0.0.1" is refused when FT_IPv6 came
 * last) and then compares across types, so "== ::1" also matched IPv4
 * records when tried. The hidden string ebpf.addr carries the source and
 * the destination of either family for the one filter that fits both:
 * ebpf.addr == "::1" or ebpf.addr == "10.0.0.1".
 */
static void add_addresses(proto_tree *flow, tvbuff_t *tvb, packet_info *pinfo, struct record_view *v)
{
	int len;

	if (v->family == AF_INET_) {
		len = 4;
		proto_tree_add_item(flow, hf_src, tvb, OFF(saddr), len, ENC_BIG_ENDIAN);
		proto_tree_add_item(flow, hf_dst, tvb, OFF(daddr), len, ENC_BIG_ENDIAN);
		set_address_tvb(&v->src, AT_IPv4, len, tvb, OFF(saddr));
		set_address_tvb(&v->dst, AT_IPv4, len, tvb, OFF(daddr));
	} else if (v->family == AF_INET6_) {
		len = 16;
		proto_tree_add_item(flow, hf_src6, tvb, OFF(saddr), len, ENC_NA);
		proto_tree_add_item(flow, hf_dst6, tvb, OFF(daddr), len, ENC_NA);
		set_address_tvb(&v->src, AT_IPv6, len, tvb, OFF(saddr));
		set_address_tvb(&v->dst, AT_IPv6, len, tvb, OFF(daddr));
	} else {
		return;
	}
	proto_item_set_hidden(proto_tree_add_string(flow, hf_addr, tvb, OFF(saddr), len,
						    address_to_str(pinfo->pool, &v->src)));
	proto_item_set_hidden(proto_tree_add_string(flow, hf_addr, tvb, OFF(daddr), len,
						    address_to_str(pinfo->pool, &v->dst)));

	/* Source/Destination columns, Conversations and Endpoints work on events too. */
	copy_address_shallow(&pinfo->src, &v->src);
	copy_address_shallow(&pinfo->dst, &v->dst);
	copy_address_shallow(&pinfo->net_src, &v->src);
	copy_address_shallow(&pinfo->net_dst, &v->dst);
	pinfo->ptype = v->proto == PROTO_UDP ? PT_UDP : v->proto == PROTO_TCP ? PT_TCP : PT_NONE;
	pinfo->srcport = v->sport;
	pinfo->destport = v->dport;
}

static gboolean dissect_fixed(tvbuff_t *tvb, packet_info *pinfo, proto_item *ti, struct record_view *v)
{
	static int *const flag_bits[] = { &hf_flag_reset, &hf_flag_no_owner, &hf_flag_host, NULL };
	nstime_t ts;
	proto_tree *flow, *metrics;

	read_view(tvb, v);
	ts.secs = (time_t)(v->timestamp_ns / 1000000000);
	ts.nsecs = (int)(v->timestamp_ns % 1000000000);
	/* From here on Info starts with the event type, even when the record turns out malformed. */
	col_add_str(pinfo->cinfo, COL_INFO, type_name(pinfo, v->type));
	proto_tree_add_item(v->rec, hf_type, tvb, OFF(type), SIZE(type), ENC_LITTLE_ENDIAN);
	proto_tree_add_time(v->rec, hf_timestamp, tvb, OFF(timestamp_ns), SIZE(timestamp_ns), &ts);
	proto_tree_add_bitmask(v->rec, tvb, OFF(flags), hf_flags, ett_flags, flag_bits, ENC_NA);

	if (!add_process(tvb, pinfo, ti, v))
		return FALSE;

	flow = subtree(v, tvb, IN_FLOW, OFF(family), OFF(comm) - OFF(family));
	add_fields(flow, tvb, flow_fields, G_N_ELEMENTS(flow_fields));
	add_addresses(flow, tvb, pinfo, v);

	metrics = proto_tree_add_subtree(v->rec, tvb, OFF(duration_us), OFF(pid) - OFF(duration_us),
					 ett_metrics, NULL, "Measured by the kernel");
	add_fields(metrics, tvb, metric_fields, G_N_ELEMENTS(metric_fields));
	return TRUE;
}

/* One TLV's value (len bytes at offset, all captured); FALSE when it is malformed. */
static gboolean dissect_tlv(tvbuff_t *tvb, packet_info *pinfo, proto_item *ti, guint16 tag,
			    int offset, int len, int end, struct record_view *v)
{
	for (size_t i = 0; i < G_N_ELEMENTS(tlv_fields); i++) {
		proto_tree *where;

		if (tlv_fields[i].tag != tag)
			continue;
		/* Strings carry their NUL inside len, as the codec writes and requires them. */
		if (len == 0 || get_u8(tvb, offset + len - 1) != 0)
			return unterminated(ti, pinfo, *tlv_fields[i].hf);
		where = subtree(v, tvb, tlv_fields[i].where, offset - EBPF_TLV_HEADER_LEN,
				end - offset + EBPF_TLV_HEADER_LEN);
		/* Remembered for the Info column, the titles, the tap and the packets of this socket. */
		proto_tree_add_item_ret_string(where, *tlv_fields[i].hf, tvb, offset, len, ENC_UTF_8,
					       pinfo->pool, (const guint8 **)&v->owner.tlv[tag]);
		return TRUE;
	}
	undecoded(v->rec, pinfo, tvb, offset, len, "a TLV");
	return TRUE;
}

static gboolean dissect_tlvs(tvbuff_t *tvb, packet_info *pinfo, proto_item *ti, int offset, int end,
			     struct record_view *v)
{
	while (offset < end) {
		guint16 tag, len;

		if (end - offset < EBPF_TLV_HEADER_LEN)
			return malformed(ti, pinfo, wmem_strdup_printf(pinfo->pool,
				"TLV header cut short at offset %d: %d of its 4 bytes", offset, end - offset));
		tag = tvb_get_letohs(tvb, offset);
		len = tvb_get_letohs(tvb, offset + 2);
		offset += EBPF_TLV_HEADER_LEN;
		if (len > end - offset)
			return malformed(ti, pinfo, wmem_strdup_printf(pinfo->pool,
				"TLV %u of %u bytes runs past the record's end by %d", tag, len, len - (end - offset)));
		if (!dissect_tlv(tvb, pinfo, ti, tag, offset, len, end, v))
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

/* "10.0.0.1:40000 → 10.0.0.2:8080", the arrow pointing the way the connection or data came. */
static const char *flow_text(packet_info *pinfo, const struct record_view *v)
{
	gboolean inbound = v->type == EBPF_TCP_ACCEPT || v->type == EBPF_UDP_RECV;

	if (v->src.type == AT_NONE)
		return wmem_strdup_printf(pinfo->pool, "(address family %u)", v->family);
	if (v->type == EBPF_TCP_LISTEN) /* no peer yet */
		return wmem_strdup_printf(pinfo->pool, "listening on %s", endpoint(pinfo, &v->src, v->sport));
	return wmem_strdup_printf(pinfo->pool, "%s %s %s", endpoint(pinfo, &v->src, v->sport),
				  inbound ? UTF8_LEFTWARDS_ARROW : UTF8_RIGHTWARDS_ARROW,
				  endpoint(pinfo, &v->dst, v->dport));
}

static const char *owner_text(packet_info *pinfo, const struct record_view *v)
{
	if (v->flags & EBPF_FLAG_NO_OWNER)
		return "(owner unknown)";
	if (v->owner.pid == 0 && v->owner.comm[0] == '\0')
		return "none";
	return wmem_strdup_printf(pinfo->pool, "%s(%u)", v->owner.comm, v->owner.pid);
}

/* "230 µs", "12.5 ms", "1.2 s": a connection's lifetime in the unit a person reads it in. */
static const char *duration_text(packet_info *pinfo, guint64 us)
{
	if (us < 1000)
		return wmem_strdup_printf(pinfo->pool, "%" G_GUINT64_FORMAT " " UTF8_MICRO_SIGN "s", us);
	if (us < 1000000)
		return wmem_strdup_printf(pinfo->pool, "%.1f ms", (double)us / 1e3);
	return wmem_strdup_printf(pinfo->pool, "%.1f s", (double)us / 1e6);
}

/* What the kernel measured, in the words the Info column ends with. */
static void append_measures(packet_info *pinfo, const struct record_view *v)
{
	switch (v->type) {
	case EBPF_TCP_CONNECT:
		col_append_fstr(pinfo->cinfo, COL_INFO, " latency %u " UTF8_MICRO_SIGN "s", v->latency_us);
		break;
	case EBPF_TCP_CONNECT_FAILED:
		col_append_fstr(pinfo->cinfo, COL_INFO, " %s", errno_name(pinfo, v->error));
		break;
	case EBPF_TCP_CLOSE:
		col_append_fstr(pinfo->cinfo, COL_INFO, " after %s, %" G_GUINT64_FORMAT " B out, %" G_GUINT64_FORMAT " B in",
				duration_text(pinfo, v->duration_us), v->bytes_sent, v->bytes_received);
		if (v->retransmits)
			col_append_fstr(pinfo->cinfo, COL_INFO, ", %u retrans", v->retransmits);
		if (v->flags & EBPF_FLAG_RESET)
			col_append_str(pinfo->cinfo, COL_INFO, ", RST");
		if (v->acceptor_pid && v->acceptor_pid != v->owner.pid)
			col_append_fstr(pinfo->cinfo, COL_INFO, ", accepted by %s(%u)", v->acceptor_comm, v->acceptor_pid);
		break;
	case EBPF_TCP_HANDOFF:
		col_append_fstr(pinfo->cinfo, COL_INFO, " from %s(%u)", v->prev_comm, v->prev_pid);
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
}

static const char *owner_container(wmem_allocator_t *pool, const struct ebpfflow_owner *o)
{
	const char *pod = o->tlv[EBPF_TLV_POD], *ns = o->tlv[EBPF_TLV_NAMESPACE];

	if (pod)
		return wmem_strdup_printf(pool, "pod %s/%s", ns ? ns : "", pod);
	return o->tlv[EBPF_TLV_CONTAINER_NAME];
}

static const char *container_text(packet_info *pinfo, const struct record_view *v)
{
	return owner_container(pinfo->pool, &v->owner);
}

/* The Info column reads like a sentence, starting with the event type. */
static void set_info(packet_info *pinfo, const struct record_view *v)
{
	const char *container = container_text(pinfo, v);

	if (v->type == EBPF_CAPTURE_DROPS) {
		col_append_fstr(pinfo->cinfo, COL_INFO, " %" G_GUINT64_FORMAT " events lost", v->drops);
		if (v->owner.tlv[EBPF_TLV_HOST])
			col_append_fstr(pinfo->cinfo, COL_INFO, " on %s", v->owner.tlv[EBPF_TLV_HOST]);
		return;
	}
	col_append_fstr(pinfo->cinfo, COL_INFO, " %s %s", owner_text(pinfo, v), flow_text(pinfo, v));
	append_measures(pinfo, v);
	if (container)
		col_append_fstr(pinfo->cinfo, COL_INFO, " [%s]", container);
}

/* Subtree titles that say what is inside, as "Process: curl(4242)". */
static void title_subtrees(packet_info *pinfo, const struct record_view *v)
{
	const char *container = container_text(pinfo, v);

	proto_item_append_text(v->items[IN_PROCESS], ": %s", owner_text(pinfo, v));
	if (v->src.type == AT_NONE)
		proto_item_append_text(v->items[IN_FLOW], ": none (address family %u)", v->family);
	else
		proto_item_append_text(v->items[IN_FLOW], ": %s %s",
				       val_to_str_const(v->proto, proto_names, "protocol ?"), flow_text(pinfo, v));
	if (container)
		proto_item_append_text(v->items[IN_CONTAINER], ": %s", container);
	if (v->owner.tlv[EBPF_TLV_HOST])
		proto_item_append_text(v->items[IN_HOST], ": %s", v->owner.tlv[EBPF_TLV_HOST]);
}

static void add_expert_notes(packet_info *pinfo, proto_item *ti, const struct record_view *v)
{
	if (v->type == EBPF_TCP_CONNECT_FAILED)
		expert_add_info_format(pinfo, ti, &ei_connect_failed, "Connection failed: %s (%d)",
				       errno_name(pinfo, v->error), v->error);
	else if (v->type == EBPF_TCP_RETRANSMIT)
		expert_add_info_format(pinfo, ti, &ei_retransmit, "Retransmission (%u so far on this connection)",
				       v->retransmits);
	else if (v->type == EBPF_CAPTURE_DROPS)
		expert_add_info_format(pinfo, ti, &ei_drops, "%" G_GUINT64_FORMAT " events lost", v->drops);
	if (v->flags & EBPF_FLAG_RESET)
		expert_add_info(pinfo, ti, &ei_reset);
}

static void queue_tap(packet_info *pinfo, const struct record_view *v)
{
	struct ebpfflow_tap_info *info = wmem_new0(pinfo->pool, struct ebpfflow_tap_info);
	const char *container = container_text(pinfo, v);

	info->type = v->type;
	info->process = owner_text(pinfo, v);
	info->container = container ? container : "host";
	/* Other events may carry running counts that would add up twice. */
	if (v->type == EBPF_TCP_CLOSE || v->type == EBPF_UDP_SEND || v->type == EBPF_UDP_RECV) {
		info->bytes_sent = v->bytes_sent;
		info->bytes_received = v->bytes_received;
	}
	if (v->type != EBPF_TCP_LISTEN) { /* a listener talks to nobody yet: in no conversation */
		copy_address_shallow(&info->src, &v->src);
		copy_address_shallow(&info->dst, &v->dst);
		info->sport = v->sport;
		info->dport = v->dport;
	}
	info->udp = v->proto == PROTO_UDP;
	tap_queue_packet(ebpfflow_tap, pinfo, info);
}

/*
 * Tells the owner map who held this record's socket, once per record (the
 * first pass reads the frames in order). A record that does not know the
 * process still counts: it ends what came before on that socket.
 */
static void note_owner(tvbuff_t *tvb, packet_info *pinfo, struct record_view *v)
{
	struct ebpfflow_socket s = { v->proto, v->family, v->sport, v->dport, NULL, NULL };
	gboolean known = !(v->flags & EBPF_FLAG_NO_OWNER) && (v->owner.pid != 0 || v->owner.comm[0] != '\0');

	if (PINFO_FD_VISITED(pinfo) || v->type == EBPF_CAPTURE_DROPS || v->src.type == AT_NONE)
		return;
	s.saddr = tvb_get_ptr(tvb, OFF(saddr), SIZE(saddr));
	s.daddr = tvb_get_ptr(tvb, OFF(daddr), SIZE(daddr));
	v->owner.frame = pinfo->num;
	ebpfflow_owner_note(&s, v->type, v->timestamp_ns, known ? &v->owner : NULL);
}

const char *ebpfflow_owner_label(wmem_allocator_t *pool, const struct ebpfflow_owner *o)
{
	const char *container = owner_container(pool, o);

	return container ? wmem_strdup_printf(pool, "%s(%u) [%s]", o->comm, o->pid, container)
			 : wmem_strdup_printf(pool, "%s(%u)", o->comm, o->pid);
}

/* The same fields a record's Process and Container subtrees hold, so that one filter finds both. */
void ebpfflow_add_owner_fields(proto_tree *tree, tvbuff_t *tvb, const struct ebpfflow_owner *o)
{
	const struct {
		int *hf;
		guint32 value;
	} numbers[] = {
		{ &hf_pid, o->pid }, { &hf_tid, o->tid }, { &hf_ppid, o->ppid }, { &hf_uid, o->uid }, { &hf_gid, o->gid },
	};

	proto_item_set_generated(proto_tree_add_string(tree, hf_comm, tvb, 0, 0, o->comm));
	for (size_t i = 0; i < G_N_ELEMENTS(numbers); i++)
		proto_item_set_generated(proto_tree_add_uint(tree, *numbers[i].hf, tvb, 0, 0, numbers[i].value));
	if (o->parent_comm[0])
		proto_item_set_generated(proto_tree_add_string(tree, hf_parent_comm, tvb, 0, 0, o->parent_comm));
	proto_item_set_generated(proto_tree_add_uint64(tree, hf_cgroup, tvb, 0, 0, o->cgroup));
	/* Where the flow went (ebpf.ifname) belongs to the record's flow, not to its owner. */
	for (size_t i = 0; i < G_N_ELEMENTS(tlv_fields); i++)
		if (tlv_fields[i].where != IN_FLOW && o->tlv[tlv_fields[i].tag])
			proto_item_set_generated(proto_tree_add_string(tree, *tlv_fields[i].hf, tvb, 0, 0,
							    o->tlv[tlv_fields[i].tag]));
}

static int dissect_ebpfflow(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
	struct record_view v = { 0 };
	int fixed_len, total_len, captured = (int)tvb_captured_length(tvb);
	proto_item *ti;

	col_set_str(pinfo->cinfo, COL_PROTOCOL, "eBPFFlow");
	col_set_str(pinfo->cinfo, COL_INFO, "eBPFFlow record");
	ti = proto_tree_add_item(tree, proto_ebpfflow, tvb, 0, -1, ENC_NA);
	v.rec = proto_item_add_subtree(ti, ett_ebpfflow);

	if (!dissect_header(tvb, pinfo, v.rec, ti, &fixed_len, &total_len) ||
	    !dissect_fixed(tvb, pinfo, ti, &v))
		return captured;
	if (fixed_len >= FIXED_LEN_1_1 && !add_holders(tvb, pinfo, ti, &v))
		return captured;
	/* A newer minor version: known fields decoded, the rest shown as such. */
	undecoded(v.rec, pinfo, tvb, EBPF_RECORD_HEADER_LEN + MIN(fixed_len, FIXED_LEN_1_1),
		  fixed_len - MIN(fixed_len, FIXED_LEN_1_1), "fixed part");
	if (!dissect_tlvs(tvb, pinfo, ti, EBPF_RECORD_HEADER_LEN + fixed_len, total_len, &v))
		return captured;
	undecoded(v.rec, pinfo, tvb, total_len, captured - total_len, "trailing data");
	set_info(pinfo, &v);
	title_subtrees(pinfo, &v);
	proto_item_append_text(ti, ", %s", type_name(pinfo, v.type));
	add_expert_notes(pinfo, ti, &v);
	queue_tap(pinfo, &v);
	note_owner(tvb, pinfo, &v);
	return captured;
}

#define UINT_FIELD(id, name, abbrev, type, base, vals, blurb) \
	{ &id, { name, abbrev, type, base, vals, 0x0, blurb, HFILL } }
#define STRING_FIELD(id, name, abbrev, type, blurb) \
	{ &id, { name, abbrev, type, BASE_NONE, NULL, 0x0, blurb, HFILL } }

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
		{ &hf_flag_host, { "On the host", "ebpf.flags.host", FT_BOOLEAN, 8, NULL, EBPF_FLAG_HOST,
			"The process runs on the host, in no container", HFILL } },
		{ &hf_flag_no_owner, { "Owner unknown", "ebpf.flags.no_owner", FT_BOOLEAN, 8, NULL, EBPF_FLAG_NO_OWNER,
			"The socket predates the capture and no process holds it", HFILL } },
		UINT_FIELD(hf_pid, "PID", "ebpf.pid", FT_UINT32, BASE_DEC, NULL, "Process (thread group) that did it"),
		UINT_FIELD(hf_tid, "TID", "ebpf.tid", FT_UINT32, BASE_DEC, NULL, "Thread that did it"),
		UINT_FIELD(hf_ppid, "Parent PID", "ebpf.ppid", FT_UINT32, BASE_DEC, NULL, NULL),
		UINT_FIELD(hf_uid, "UID", "ebpf.uid", FT_UINT32, BASE_DEC, NULL, "Real user id"),
		UINT_FIELD(hf_gid, "GID", "ebpf.gid", FT_UINT32, BASE_DEC, NULL, "Real group id"),
		STRING_FIELD(hf_comm, "Process", "ebpf.comm", FT_STRINGZPAD, "Process name (comm)"),
		STRING_FIELD(hf_parent_comm, "Parent process", "ebpf.parent.comm", FT_STRINGZPAD, NULL),
		STRING_FIELD(hf_exe, "Executable", "ebpf.exe", FT_STRINGZ, "Path of the program"),
		UINT_FIELD(hf_cgroup, "Cgroup id", "ebpf.cgroup", FT_UINT64, BASE_DEC, NULL, NULL),
		STRING_FIELD(hf_container_id, "Container id", "ebpf.container.id", FT_STRINGZ, NULL),
		STRING_FIELD(hf_container_name, "Container", "ebpf.container.name", FT_STRINGZ, NULL),
		STRING_FIELD(hf_container_runtime, "Runtime", "ebpf.container.runtime", FT_STRINGZ, "docker, containerd, cri-o, podman"),
		STRING_FIELD(hf_pod, "Pod", "ebpf.pod", FT_STRINGZ, NULL),
		STRING_FIELD(hf_namespace, "Namespace", "ebpf.namespace", FT_STRINGZ, "Kubernetes namespace of the pod"),
		STRING_FIELD(hf_k8s_container, "Kubernetes container", "ebpf.k8s.container", FT_STRINGZ, NULL),
		UINT_FIELD(hf_family, "Family", "ebpf.family", FT_UINT16, BASE_DEC, VALS(family_names), NULL),
		UINT_FIELD(hf_proto, "Protocol", "ebpf.proto", FT_UINT8, BASE_DEC, VALS(proto_names), NULL),
		/* Two names per direction: see add_addresses(). */
		{ &hf_src, { "Source", "ebpf.src", FT_IPv4, BASE_NONE, NULL, 0x0, "Local IPv4 address of the process", HFILL } },
		{ &hf_dst, { "Destination", "ebpf.dst", FT_IPv4, BASE_NONE, NULL, 0x0, "Remote IPv4 address", HFILL } },
		{ &hf_src6, { "Source", "ebpf.src6", FT_IPv6, BASE_NONE, NULL, 0x0, "Local IPv6 address of the process", HFILL } },
		{ &hf_dst6, { "Destination", "ebpf.dst6", FT_IPv6, BASE_NONE, NULL, 0x0, "Remote IPv6 address", HFILL } },
		STRING_FIELD(hf_addr, "Source or Destination", "ebpf.addr", FT_STRING,
			     "Either address, IPv4 or IPv6, as text: ebpf.addr == \"::1\""),
		UINT_FIELD(hf_srcport, "Source port", "ebpf.srcport", FT_UINT16, BASE_DEC, NULL, "Local port"),
		UINT_FIELD(hf_dstport, "Destination port", "ebpf.dstport", FT_UINT16, BASE_DEC, NULL, "Remote port"),
		UINT_FIELD(hf_netns, "Network namespace", "ebpf.netns", FT_UINT32, BASE_DEC, NULL, "Inode of the network namespace"),
		UINT_FIELD(hf_ifindex, "Interface index", "ebpf.ifindex", FT_UINT32, BASE_DEC, NULL, "0 where the kernel does not know it"),
		STRING_FIELD(hf_ifname, "Interface", "ebpf.ifname", FT_STRINGZ, NULL),
		UINT_FIELD(hf_tcp_state, "TCP state", "ebpf.tcp_state", FT_UINT8, BASE_DEC, VALS(tcp_state_names), "State the socket was in"),
		UINT_FIELD(hf_latency, "Connect latency (us)", "ebpf.latency", FT_UINT32, BASE_DEC, NULL, "Microseconds from SYN sent to established"),
		UINT_FIELD(hf_duration, "Duration (us)", "ebpf.duration", FT_UINT64, BASE_DEC, NULL, "Microseconds from established to closed"),
		UINT_FIELD(hf_bytes_sent, "Bytes sent", "ebpf.bytes_sent", FT_UINT64, BASE_DEC, NULL, "TCP: payload acknowledged by the peer; UDP: payload"),
		UINT_FIELD(hf_bytes_received, "Bytes received", "ebpf.bytes_received", FT_UINT64, BASE_DEC, NULL, "Payload bytes"),
		UINT_FIELD(hf_packets, "Datagrams", "ebpf.packets", FT_UINT64, BASE_DEC, NULL, "UDP datagrams this record sums up"),
		UINT_FIELD(hf_retransmits, "Retransmissions", "ebpf.retransmits", FT_UINT32, BASE_DEC, NULL, "Segments retransmitted on this connection"),
		UINT_FIELD(hf_srtt, "Smoothed RTT (us)", "ebpf.srtt", FT_UINT32, BASE_DEC, NULL, "Smoothed round-trip time in microseconds"),
		UINT_FIELD(hf_error, "Error", "ebpf.error", FT_INT32, BASE_DEC, VALS(errno_names), "errno"),
		UINT_FIELD(hf_drops, "Events lost", "ebpf.drops", FT_UINT64, BASE_DEC, NULL, "Events lost since the previous Capture_Drops record"),
		STRING_FIELD(hf_host, "Host", "ebpf.host", FT_STRINGZ, "Host that captured the event"),
		STRING_FIELD(hf_machine_id, "Machine id", "ebpf.machine_id", FT_STRINGZ, NULL),
		STRING_FIELD(hf_undecoded, "Undecoded", "ebpf.undecoded", FT_BYTES, "Bytes a newer version of the record added"),
		UINT_FIELD(hf_prev_pid, "Previous holder PID", "ebpf.prev.pid", FT_UINT32, BASE_DEC, NULL, "TCP_Handoff: the process that held the socket before"),
		STRING_FIELD(hf_prev_comm, "Previous holder", "ebpf.prev.comm", FT_STRINGZPAD, "TCP_Handoff: name of the process that held the socket before"),
		UINT_FIELD(hf_acceptor_pid, "Acceptor PID", "ebpf.acceptor.pid", FT_UINT32, BASE_DEC, NULL, "The process whose accept() returned the socket; 0 if not accepted during the capture"),
		STRING_FIELD(hf_acceptor_comm, "Acceptor", "ebpf.acceptor.comm", FT_STRINGZPAD, "Name of the process whose accept() returned the socket"),
	};
	static int *ett[] = {
		&ett_ebpfflow, &ett_header, &ett_process, &ett_container, &ett_flow, &ett_metrics, &ett_flags, &ett_host,
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
	register_dissector("ebpfflow", dissect_ebpfflow, proto_ebpfflow);
	ebpfflow_tap = register_tap(EBPFFLOW_TAP);
	ebpfflow_register_stats(proto_ebpfflow);
	ebpfflow_register_owner();
}

void proto_reg_handoff_ebpfflow(void)
{
	/* Nothing to hook: the exported-PDU dissector finds us by name. */
}
