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
 * checked against the record's reported length (what it had on the wire)
 * before anything it covers is read; a record that fails a check is marked
 * malformed with the reason, and what was decoded before it stays in the
 * tree. A record cut short by a snaplen is not malformed: every field that
 * was captured is decoded, and then the tvb's own BoundsError marks the
 * record "Packet size limited during capture", as Wireshark does.
 */
#define WS_BUILD_DLL
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/expert.h>
#include <epan/tap.h>
#include <epan/to_str.h>
#include <epan/unit_strings.h>
#include <wsutil/utf8_entities.h>

#include <stddef.h>
#include "packet-ebpfflow.h"
#include "bpf/ebpf_tlv.h"
#include "utils/attrib/v4_mapped.h"

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

static int hf_major = -1;
static int hf_minor = -1;
static int hf_fixed_len = -1;
static int hf_length = -1;
static int hf_timestamp = -1;
static int hf_type = -1;
static int hf_flags = -1;
static int hf_flag_reset = -1;
static int hf_flag_no_owner = -1;
static int hf_flag_host = -1;
static int hf_pid = -1;
static int hf_tid = -1;
static int hf_ppid = -1;
static int hf_uid = -1;
static int hf_gid = -1;
static int hf_comm = -1;
static int hf_parent_comm = -1;
static int hf_thread_comm = -1;
static int hf_drop_kind = -1;
static int hf_exe = -1;
static int hf_cgroup = -1;
static int hf_container_id = -1;
static int hf_container_name = -1;
static int hf_container_runtime = -1;
static int hf_pod = -1;
static int hf_namespace = -1;
static int hf_k8s_container = -1;
static int hf_family = -1;
static int hf_proto = -1;
static int hf_src = -1;
static int hf_dst = -1;
static int hf_src6 = -1;
static int hf_dst6 = -1;
static int hf_addr = -1;
static int hf_addr6 = -1;
static int hf_srcport = -1;
static int hf_dstport = -1;
static int hf_netns = -1;
static int hf_ifindex = -1;
static int hf_ifname = -1;
static int hf_tcp_state = -1;
static int hf_latency = -1;
static int hf_duration = -1;
static int hf_bytes_sent = -1;
static int hf_bytes_received = -1;
static int hf_packets = -1;
static int hf_retransmits = -1;
static int hf_srtt = -1;
static int hf_error = -1;
static int hf_drops = -1;
static int hf_host = -1;
static int hf_machine_id = -1;
static int hf_undecoded = -1;
static int hf_prev_pid = -1;
static int hf_prev_comm = -1;
static int hf_acceptor_pid = -1;
static int hf_acceptor_comm = -1;
static int hf_owner = -1;
static int hf_owner_role = -1;
static int hf_owner_event = -1;

static int ett_ebpfflow = -1;
static int ett_header = -1;
static int ett_process = -1;
static int ett_container = -1;
static int ett_flow = -1;
static int ett_metrics = -1;
static int ett_flags = -1;
static int ett_host = -1;
static int ett_owners = -1;
static int ett_owner = -1;

static expert_field ei_malformed = EI_INIT;
static expert_field ei_undecoded = EI_INIT;
static expert_field ei_connect_failed = EI_INIT;
static expert_field ei_retransmit = EI_INIT;
static expert_field ei_reset = EI_INIT;
static expert_field ei_drops = EI_INIT;

static const value_string drop_kind_names[] = {
	{ EBPF_DROP_UNSPECIFIED, "not said (a 1.0 writer)" },
	{ EBPF_DROP_RINGBUF, "kernel ring buffer full" },
	{ EBPF_DROP_SKIPPED, "skipped by the kernel" },
	{ EBPF_DROP_TRANSIT, "lost between exporter and collector" },
	{ 0, NULL }
};

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
	guint32 drop_kind;
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

/* The bytes of [offset, offset + len) that were captured: how much a subtree can highlight. */
static int clip(tvbuff_t *tvb, int offset, int len)
{
	return CLAMP((int)tvb_captured_length(tvb) - offset, 0, len);
}

/* The subtree a field goes in, made on first use so that empty ones never show. */
static proto_tree *subtree(struct record_view *v, tvbuff_t *tvb, enum subtree which, int offset, int len)
{
	if (!v->subtrees[which])
		v->subtrees[which] = proto_tree_add_subtree(v->rec, tvb, MIN(offset, (int)tvb_captured_length(tvb)),
							    clip(tvb, offset, len), *subtree_info[which].ett,
							    &v->items[which], subtree_info[which].title);
	return v->subtrees[which];
}

/*
 * Whether a field was captured. A record cut by a snaplen shows every field
 * it has, wherever its subtree puts it; dissect_ebpfflow() then lets the tvb
 * throw for the rest.
 */
static gboolean captured(tvbuff_t *tvb, int offset, int len)
{
	return tvb_bytes_exist(tvb, offset, len);
}

/* A little-endian number of the fixed part; 0 when it was not captured. */
static guint64 fixed_uint(tvbuff_t *tvb, int offset, int size)
{
	if (!captured(tvb, offset, size))
		return 0;
	switch (size) {
	case 1: return get_u8(tvb, offset);
	case 2: return tvb_get_letohs(tvb, offset);
	case 4: return tvb_get_letohl(tvb, offset);
	default: return tvb_get_letoh64(tvb, offset);
	}
}

static void add_fields(proto_tree *tree, tvbuff_t *tvb, const struct fixed_field *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (captured(tvb, f[i].offset, f[i].size))
			proto_tree_add_item(tree, *f[i].hf, tvb, f[i].offset, f[i].size, ENC_LITTLE_ENDIAN);
}

/* The reason goes to the expert info (Analyze > Expert Information, ebpf.expert.malformed), not to Info. */
static gboolean malformed(proto_item *ti, packet_info *pinfo, const char *why)
{
	expert_add_info_format(pinfo, ti, &ei_malformed, "Malformed eBPFFlow record: %s", why);
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
	int reported = (int)tvb_reported_length(tvb);
	proto_tree *hdr;
	guint32 major, fixed, total;

	if (reported < EBPF_RECORD_HEADER_LEN)
		return malformed(ti, pinfo, "shorter than the 8-byte header");
	hdr = proto_tree_add_subtree(tree, tvb, 0, clip(tvb, 0, EBPF_RECORD_HEADER_LEN), ett_header, NULL, "Header");
	/* In byte order: a header the snaplen cut throws at its first missing field. */
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
	if (*total_len > reported)
		return malformed(ti, pinfo, wmem_strdup_printf(pinfo->pool,
			"length %u beyond the record's %d bytes", total, reported));
	return TRUE;
}

/* The numbers the Info column, the subtree titles and the tap need (0 where not captured). */
static void read_view(tvbuff_t *tvb, struct record_view *v)
{
#define READ(field) fixed_uint(tvb, OFF(field), SIZE(field))
	v->type = (guint16)READ(type);
	v->family = (guint16)READ(family);
	v->sport = (guint16)READ(sport);
	v->dport = (guint16)READ(dport);
	v->proto = (guint8)READ(proto);
	v->flags = (guint8)READ(flags);
	v->timestamp_ns = READ(timestamp_ns);
	v->owner.pid = (guint32)READ(pid);
	v->owner.tid = (guint32)READ(tid);
	v->owner.ppid = (guint32)READ(ppid);
	v->owner.uid = (guint32)READ(uid);
	v->owner.gid = (guint32)READ(gid);
	v->owner.cgroup = READ(cgroup_id);
	v->latency_us = (guint32)READ(latency_us);
	v->retransmits = (guint32)READ(retransmits);
	v->error = (gint32)READ(error);
	v->duration_us = READ(duration_us);
	v->bytes_sent = READ(bytes_sent);
	v->bytes_received = READ(bytes_received);
	v->packets = READ(packets);
	v->drops = READ(drops);
#undef READ
}

/* "ebpf.comm without its terminating NUL": names the field, as a filter would. */
static gboolean unterminated(proto_item *ti, packet_info *pinfo, int hf)
{
	return malformed(ti, pinfo, wmem_strdup_printf(pinfo->pool, "%s without its terminating NUL",
						       proto_registrar_get_abbrev(hf)));
}

/* A NUL-padded string of the fixed part; it must hold its NUL. Skipped when not captured. */
static gboolean add_fixed_string(proto_tree *tree, int hf, tvbuff_t *tvb, packet_info *pinfo,
				 proto_item *ti, int offset, int len, const char **out)
{
	*out = "";
	if (!captured(tvb, offset, len))
		return TRUE;
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

	v->prev_pid = (guint32)fixed_uint(tvb, OFF(prev_pid), SIZE(prev_pid));
	v->acceptor_pid = (guint32)fixed_uint(tvb, OFF(acceptor_pid), SIZE(acceptor_pid));
	if (captured(tvb, OFF(prev_pid), SIZE(prev_pid)))
		proto_tree_add_item(proc, hf_prev_pid, tvb, OFF(prev_pid), SIZE(prev_pid), ENC_LITTLE_ENDIAN);
	if (!add_fixed_string(proc, hf_prev_comm, tvb, pinfo, ti, OFF(prev_comm), SIZE(prev_comm), &v->prev_comm))
		return FALSE;
	if (captured(tvb, OFF(acceptor_pid), SIZE(acceptor_pid)))
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
 * records when tried. Either end is the hidden ebpf.addr (IPv4) or
 * ebpf.addr6 (IPv6), as ip.addr and ipv6.addr are: ebpf.addr == 10.0.0.0/8.
 *
 * The packet's own addresses (pinfo->src, ports, port type) stay as the
 * exported-PDU frame has them: a record describes a flow, it is not a
 * packet of it, and the TCP/UDP conversation code and other dissectors
 * must not take it for one. The Source and Destination columns show the
 * flow's ends as text; Conversations and Endpoints get them from the tap.
 */
static void add_addresses(proto_tree *flow, tvbuff_t *tvb, packet_info *pinfo, struct record_view *v)
{
	int src_field, dst_field, either_field, len;
	guint encoding;
	address_type type;

	if (v->family == AF_INET_) {
		src_field = hf_src, dst_field = hf_dst, either_field = hf_addr;
		len = 4, type = AT_IPv4, encoding = ENC_BIG_ENDIAN;
	} else if (v->family == AF_INET6_) {
		src_field = hf_src6, dst_field = hf_dst6, either_field = hf_addr6;
		len = 16, type = AT_IPv6, encoding = ENC_NA;
	} else {
		return;
	}
	if (captured(tvb, OFF(saddr), len)) {
		proto_tree_add_item(flow, src_field, tvb, OFF(saddr), len, encoding);
		proto_item_set_hidden(proto_tree_add_item(flow, either_field, tvb, OFF(saddr), len, encoding));
	}
	if (!captured(tvb, OFF(daddr), len))
		return;
	proto_tree_add_item(flow, dst_field, tvb, OFF(daddr), len, encoding);
	proto_item_set_hidden(proto_tree_add_item(flow, either_field, tvb, OFF(daddr), len, encoding));
	if (type == AT_IPv6 && ipv6_speaks_ipv4(tvb_get_ptr(tvb, OFF(saddr), 16), tvb_get_ptr(tvb, OFF(daddr), 16))) {
		/* ::ffff:a.b.c.d: the columns show a.b.c.d, as the socket's packets do */
		set_address_tvb(&v->src, AT_IPv4, 4, tvb, OFF(saddr) + 12);
		set_address_tvb(&v->dst, AT_IPv4, 4, tvb, OFF(daddr) + 12);
	} else {
		set_address_tvb(&v->src, type, len, tvb, OFF(saddr));
		set_address_tvb(&v->dst, type, len, tvb, OFF(daddr));
	}
	col_add_str(pinfo->cinfo, COL_DEF_SRC, address_to_str(pinfo->pool, &v->src));
	col_add_str(pinfo->cinfo, COL_DEF_DST, address_to_str(pinfo->pool, &v->dst));
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
	if (captured(tvb, OFF(type), SIZE(type))) {
		col_add_str(pinfo->cinfo, COL_INFO, type_name(pinfo, v->type));
		proto_tree_add_item(v->rec, hf_type, tvb, OFF(type), SIZE(type), ENC_LITTLE_ENDIAN);
	}
	if (captured(tvb, OFF(timestamp_ns), SIZE(timestamp_ns)))
		proto_tree_add_time(v->rec, hf_timestamp, tvb, OFF(timestamp_ns), SIZE(timestamp_ns), &ts);
	if (captured(tvb, OFF(flags), SIZE(flags)))
		proto_tree_add_bitmask(v->rec, tvb, OFF(flags), hf_flags, ett_flags, flag_bits, ENC_NA);

	if (!add_process(tvb, pinfo, ti, v))
		return FALSE;

	flow = subtree(v, tvb, IN_FLOW, OFF(family), OFF(comm) - OFF(family));
	add_fields(flow, tvb, flow_fields, G_N_ELEMENTS(flow_fields));
	add_addresses(flow, tvb, pinfo, v);

	metrics = proto_tree_add_subtree(v->rec, tvb, OFF(duration_us), clip(tvb, OFF(duration_us), OFF(pid) - OFF(duration_us)),
					 ett_metrics, NULL, "Measured by the kernel");
	add_fields(metrics, tvb, metric_fields, G_N_ELEMENTS(metric_fields));
	return TRUE;
}

/* What version 1.1 appended, in records whose fixed part has it: the thread's name, why events were lost, the holders. */
static gboolean dissect_fixed_1_1(tvbuff_t *tvb, packet_info *pinfo, proto_item *ti, struct record_view *v,
				  int fixed_len)
{
	proto_tree *proc = subtree(v, tvb, IN_PROCESS, OFF(pid), OFF(netns) - OFF(pid));
	const char *thread_comm;

	if (fixed_len < FIXED_LEN_1_1)
		return TRUE;
	if (!add_fixed_string(proc, hf_thread_comm, tvb, pinfo, ti, OFF(thread_comm), SIZE(thread_comm), &thread_comm))
		return FALSE;
	v->drop_kind = (guint32)fixed_uint(tvb, OFF(drop_kind), SIZE(drop_kind));
	if (v->type == EBPF_CAPTURE_DROPS && captured(tvb, OFF(drop_kind), SIZE(drop_kind)))
		proto_tree_add_item(v->rec, hf_drop_kind, tvb, OFF(drop_kind), SIZE(drop_kind), ENC_LITTLE_ENDIAN);
	return add_holders(tvb, pinfo, ti, v);
}

/* One TLV's value (len bytes at offset, within the record); FALSE when it is malformed. */
static gboolean dissect_tlv(tvbuff_t *tvb, packet_info *pinfo, proto_item *ti, guint16 tag,
			    int offset, int len, int end, struct record_view *v)
{
	for (size_t i = 0; i < G_N_ELEMENTS(tlv_fields); i++) {
		proto_tree *where;

		if (tlv_fields[i].tag != tag)
			continue;
		/* The codec's rule (bpf/ebpf_tlv.h): NUL inside len, at most the documented maximum. */
		switch (ebpf_tlv_check(tag, (unsigned)len, len ? get_u8(tvb, offset + len - 1) : 0)) {
		case EBPF_TLV_TOO_LONG:
			return malformed(ti, pinfo, wmem_strdup_printf(pinfo->pool, "%s of %d bytes, longer than its maximum %u",
				proto_registrar_get_abbrev(*tlv_fields[i].hf), len, ebpf_tlv_max_len(tag)));
		case EBPF_TLV_UNTERMINATED:
			return unterminated(ti, pinfo, *tlv_fields[i].hf);
		default:
			break;
		}
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

/* The TLVs up to end (the record's length); those the snaplen cut are left to dissect_ebpfflow(). */
static gboolean dissect_tlvs(tvbuff_t *tvb, packet_info *pinfo, proto_item *ti, int offset, int end,
			     struct record_view *v)
{
	while (offset < end) {
		guint16 tag, len;

		if (end - offset < EBPF_TLV_HEADER_LEN)
			return malformed(ti, pinfo, wmem_strdup_printf(pinfo->pool,
				"TLV header cut short at offset %d: %d of its 4 bytes", offset, end - offset));
		if (!captured(tvb, offset, EBPF_TLV_HEADER_LEN))
			return TRUE;
		tag = tvb_get_letohs(tvb, offset);
		len = tvb_get_letohs(tvb, offset + 2);
		offset += EBPF_TLV_HEADER_LEN;
		if (len > end - offset)
			return malformed(ti, pinfo, wmem_strdup_printf(pinfo->pool,
				"TLV %u of %u bytes runs past the record's end by %d", tag, len, len - (end - offset)));
		if (!captured(tvb, offset, len))
			return TRUE;
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

/* A process as every owner is named: "curl(4242)". */
static const char *process_label(wmem_allocator_t *pool, const char *comm, guint32 pid)
{
	char label[OWNER_LABEL_MAX];

	owner_label(label, sizeof(label), comm, pid);
	return wmem_strdup(pool, label);
}

static const char *owner_text(packet_info *pinfo, const struct record_view *v)
{
	if (v->flags & EBPF_FLAG_NO_OWNER)
		return "(owner unknown)";
	if (v->owner.pid == 0 && v->owner.comm[0] == '\0')
		return "none";
	return process_label(pinfo->pool, v->owner.comm, v->owner.pid);
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
			col_append_fstr(pinfo->cinfo, COL_INFO, ", accepted by %s",
					process_label(pinfo->pool, v->acceptor_comm, v->acceptor_pid));
		break;
	case EBPF_TCP_HANDOFF:
		col_append_fstr(pinfo->cinfo, COL_INFO, " from %s", process_label(pinfo->pool, v->prev_comm, v->prev_pid));
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
		if (v->drop_kind != EBPF_DROP_UNSPECIFIED)
			col_append_fstr(pinfo->cinfo, COL_INFO, " (%s)",
					val_to_str_const(v->drop_kind, drop_kind_names, "unknown kind"));
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
	gboolean known = !(v->flags & EBPF_FLAG_NO_OWNER) && (v->owner.pid != 0 || v->owner.comm[0] != '\0');
	struct socket_key k;

	if (PINFO_FD_VISITED(pinfo) || v->type == EBPF_CAPTURE_DROPS || v->src.type == AT_NONE)
		return;
	if (!socket_key_of_record(&k, v->family, v->proto, tvb_get_ptr(tvb, OFF(saddr), SIZE(saddr)), v->sport,
				  tvb_get_ptr(tvb, OFF(daddr), SIZE(daddr)), v->dport))
		return;
	v->owner.frame = pinfo->num;
	ebpfflow_owner_note(&k, v->type, v->timestamp_ns, known ? &v->owner : NULL);
}

/* "curl(4242)", then " [pod shop/web-7f9c]" or " [container]" when it runs in one. */
static const char *packet_owner_text(wmem_allocator_t *pool, const struct ebpfflow_owner *o)
{
	const char *process = process_label(pool, o->comm, o->pid), *container = owner_container(pool, o);

	return container ? wmem_strdup_printf(pool, "%s [%s]", process, container) : process;
}

/* The same fields a record's Process and Container subtrees hold, so that one filter finds both. */
static void add_owner_fields(proto_tree *tree, tvbuff_t *tvb, const struct ebpfflow_owner *o)
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
	int fixed_len, total_len, reported = (int)tvb_reported_length(tvb);
	tvbuff_t *rec;
	proto_item *ti;

	col_set_str(pinfo->cinfo, COL_PROTOCOL, "eBPFFlow");
	col_set_str(pinfo->cinfo, COL_INFO, "eBPFFlow record");
	ti = proto_tree_add_item(tree, proto_ebpfflow, tvb, 0, -1, ENC_NA);
	v.rec = proto_item_add_subtree(ti, ett_ebpfflow);

	if (!dissect_header(tvb, pinfo, v.rec, ti, &fixed_len, &total_len))
		return reported;
	/* The record alone; its captured length is less than total_len when a snaplen cut it. */
	rec = tvb_new_subset_length(tvb, 0, total_len);
	if (!dissect_fixed(rec, pinfo, ti, &v) || !dissect_fixed_1_1(rec, pinfo, ti, &v, fixed_len))
		return reported;
	/* A newer minor version: known fields decoded, the rest shown as such. */
	undecoded(v.rec, pinfo, rec, EBPF_RECORD_HEADER_LEN + MIN(fixed_len, FIXED_LEN_1_1),
		  fixed_len - MIN(fixed_len, FIXED_LEN_1_1),
		  "fixed part");
	if (!dissect_tlvs(rec, pinfo, ti, EBPF_RECORD_HEADER_LEN + fixed_len, total_len, &v))
		return reported;
	/* Cut by a snaplen: all it had is in the tree; the tvb throws BoundsError for the rest. */
	tvb_ensure_bytes_exist(rec, 0, total_len);
	set_info(pinfo, &v);
	title_subtrees(pinfo, &v);
	proto_item_append_text(ti, ", %s", type_name(pinfo, v.type));
	add_expert_notes(pinfo, ti, &v);
	queue_tap(pinfo, &v);
	note_owner(tvb, pinfo, &v);
	undecoded(v.rec, pinfo, tvb, total_len, reported - total_len, "trailing data");
	return reported;
}

static const char *const role_names[] = { "source", "destination" };

/* One owner of a packet's socket: an ebpf.owner subtree with the record's fields. */
static void add_owner(proto_tree *tree, tvbuff_t *tvb, const struct ebpfflow_owner *o, enum ebpfflow_role role,
		      const char *label)
{
	proto_item *ti = proto_tree_add_none_format(tree, hf_owner, tvb, 0, 0, "Socket owner (%s): %s",
						    role_names[role], label);
	proto_tree *sub;

	proto_item_set_generated(ti);
	sub = proto_item_add_subtree(ti, ett_owner);
	proto_item_set_generated(proto_tree_add_string(sub, hf_owner_role, tvb, 0, 0, role_names[role]));
	proto_item_set_generated(proto_tree_add_uint(sub, hf_owner_event, tvb, 0, 0, o->frame));
	add_owner_fields(sub, tvb, o);
}

/*
 * A TCP or UDP packet with an owner gets one eBPFFlow protocol item (the
 * same protocol as the records, so the ebpf.* fields stay under their own
 * protocol and the protocol hierarchy shows eBPFFlow once, under TCP or
 * UDP), and in it an ebpf.owner subtree per owner with the records' own
 * ebpf.* fields, so `ebpf.pid == 1234` finds the process's events and its
 * packets alike; `ebpf.type` (which every record has) means records only.
 */
static int dissect_packet_owners(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
	const struct ebpfflow_owner *owner[2] = { NULL, NULL };
	proto_item *ti;
	proto_tree *owners;

	/* Without a tree there is nothing to show: the owner map only notes where TCP streams start. */
	if (!ebpfflow_packet_owners(pinfo, tree ? owner : NULL))
		return 0;
	ti = proto_tree_add_item(tree, proto_ebpfflow, tvb, 0, 0, ENC_NA);
	proto_item_set_text(ti, "eBPFFlow socket owners");
	proto_item_set_generated(ti);
	owners = proto_item_add_subtree(ti, ett_owners);
	for (enum ebpfflow_role r = EBPFFLOW_SOURCE; r <= EBPFFLOW_DESTINATION; r++) {
		const char *label;

		if (!owner[r])
			continue;
		label = packet_owner_text(pinfo->pool, owner[r]);
		proto_item_append_text(ti, ", %s: %s", role_names[r], label);
		add_owner(owners, tvb, owner[r], r, label);
	}
	return (int)tvb_captured_length(tvb);
}

/*
 * Written out literally, one entry per field, so that Wireshark's review
 * scripts see each one (test/e2e/t_ws_review.sh proves they do). Descriptions
 * avoid , ; and = : tools/checkAPIs.pl does not match an entry with them.
 */
void proto_register_ebpfflow(void)
{
	static hf_register_info hf[] = {
		{ &hf_major,
		  { "Major version", "ebpf.version.major",
		    FT_UINT8, BASE_DEC, NULL, 0x0,
		    "Major version of the record format. Records of another major are not read", HFILL }
		},
		{ &hf_minor,
		  { "Minor version", "ebpf.version.minor",
		    FT_UINT8, BASE_DEC, NULL, 0x0,
		    "Minor version of the record format. A newer minor only adds fields", HFILL }
		},
		{ &hf_fixed_len,
		  { "Fixed part length", "ebpf.fixed_len",
		    FT_UINT16, BASE_DEC, NULL, 0x0,
		    "Bytes of the fixed part", HFILL }
		},
		{ &hf_length,
		  { "Record length", "ebpf.length",
		    FT_UINT32, BASE_DEC, NULL, 0x0,
		    "Bytes of the whole record", HFILL }
		},
		{ &hf_timestamp,
		  { "Event time", "ebpf.timestamp",
		    FT_ABSOLUTE_TIME, ABSOLUTE_TIME_LOCAL, NULL, 0x0,
		    "When the kernel saw it", HFILL }
		},
		{ &hf_type,
		  { "Event", "ebpf.type",
		    FT_UINT16, BASE_DEC, VALS(type_names), 0x0,
		    "Event type", HFILL }
		},
		{ &hf_flags,
		  { "Flags", "ebpf.flags",
		    FT_UINT8, BASE_HEX, NULL, 0x0,
		    "Flag bits of the record", HFILL }
		},
		{ &hf_flag_reset,
		  { "Ended by RST", "ebpf.flags.reset",
		    FT_BOOLEAN, 8, NULL, EBPF_FLAG_RESET,
		    "The connection ended with a TCP reset", HFILL }
		},
		{ &hf_flag_host,
		  { "On the host", "ebpf.flags.host",
		    FT_BOOLEAN, 8, NULL, EBPF_FLAG_HOST,
		    "The process runs on the host (in no container)", HFILL }
		},
		{ &hf_flag_no_owner,
		  { "Owner unknown", "ebpf.flags.no_owner",
		    FT_BOOLEAN, 8, NULL, EBPF_FLAG_NO_OWNER,
		    "The socket predates the capture and no process holds it", HFILL }
		},
		{ &hf_pid,
		  { "PID", "ebpf.pid",
		    FT_UINT32, BASE_DEC, NULL, 0x0,
		    "Process (thread group) that did it", HFILL }
		},
		{ &hf_tid,
		  { "TID", "ebpf.tid",
		    FT_UINT32, BASE_DEC, NULL, 0x0,
		    "Thread that did it", HFILL }
		},
		{ &hf_ppid,
		  { "Parent PID", "ebpf.ppid",
		    FT_UINT32, BASE_DEC, NULL, 0x0,
		    "Parent process of the process that did it", HFILL }
		},
		{ &hf_uid,
		  { "UID", "ebpf.uid",
		    FT_UINT32, BASE_DEC, NULL, 0x0,
		    "Real user id", HFILL }
		},
		{ &hf_gid,
		  { "GID", "ebpf.gid",
		    FT_UINT32, BASE_DEC, NULL, 0x0,
		    "Real group id", HFILL }
		},
		{ &hf_comm,
		  { "Process", "ebpf.comm",
		    FT_STRINGZPAD, BASE_NONE, NULL, 0x0,
		    "Process name (comm of the thread-group leader as in /proc/PID/comm)", HFILL }
		},
		{ &hf_parent_comm,
		  { "Parent process", "ebpf.parent.comm",
		    FT_STRINGZPAD, BASE_NONE, NULL, 0x0,
		    "Name (comm) of the parent process", HFILL }
		},
		{ &hf_thread_comm,
		  { "Thread", "ebpf.thread.comm",
		    FT_STRINGZPAD, BASE_NONE, NULL, 0x0,
		    "Name of the thread that did it (ebpf.comm is the process's)", HFILL }
		},
		{ &hf_exe,
		  { "Executable", "ebpf.exe",
		    FT_STRINGZ, BASE_NONE, NULL, 0x0,
		    "Path of the program", HFILL }
		},
		{ &hf_cgroup,
		  { "Cgroup id", "ebpf.cgroup",
		    FT_UINT64, BASE_DEC, NULL, 0x0,
		    "Id of the cgroup (v2) the process runs in", HFILL }
		},
		{ &hf_container_id,
		  { "Container id", "ebpf.container.id",
		    FT_STRINGZ, BASE_NONE, NULL, 0x0,
		    "Id of the container the process runs in", HFILL }
		},
		{ &hf_container_name,
		  { "Container", "ebpf.container.name",
		    FT_STRINGZ, BASE_NONE, NULL, 0x0,
		    "Name of the container the process runs in", HFILL }
		},
		{ &hf_container_runtime,
		  { "Runtime", "ebpf.container.runtime",
		    FT_STRINGZ, BASE_NONE, NULL, 0x0,
		    "Container runtime (docker or containerd or cri-o or podman)", HFILL }
		},
		{ &hf_pod,
		  { "Pod", "ebpf.pod",
		    FT_STRINGZ, BASE_NONE, NULL, 0x0,
		    "Kubernetes pod the process runs in", HFILL }
		},
		{ &hf_namespace,
		  { "Namespace", "ebpf.namespace",
		    FT_STRINGZ, BASE_NONE, NULL, 0x0,
		    "Kubernetes namespace of the pod", HFILL }
		},
		{ &hf_k8s_container,
		  { "Kubernetes container", "ebpf.k8s.container",
		    FT_STRINGZ, BASE_NONE, NULL, 0x0,
		    "Container name in the Kubernetes pod spec", HFILL }
		},
		{ &hf_family,
		  { "Family", "ebpf.family",
		    FT_UINT16, BASE_DEC, VALS(family_names), 0x0,
		    "Address family of the socket", HFILL }
		},
		{ &hf_proto,
		  { "Protocol", "ebpf.proto",
		    FT_UINT8, BASE_DEC, VALS(proto_names), 0x0,
		    "Transport protocol of the socket", HFILL }
		},
		/* Two names per direction: see add_addresses(). */
		{ &hf_src,
		  { "Source address", "ebpf.src",
		    FT_IPv4, BASE_NONE, NULL, 0x0,
		    "Local IPv4 address of the process", HFILL }
		},
		{ &hf_dst,
		  { "Destination address", "ebpf.dst",
		    FT_IPv4, BASE_NONE, NULL, 0x0,
		    "Remote IPv4 address", HFILL }
		},
		{ &hf_src6,
		  { "Source IPv6 address", "ebpf.src6",
		    FT_IPv6, BASE_NONE, NULL, 0x0,
		    "Local IPv6 address of the process", HFILL }
		},
		{ &hf_dst6,
		  { "Destination IPv6 address", "ebpf.dst6",
		    FT_IPv6, BASE_NONE, NULL, 0x0,
		    "Remote IPv6 address", HFILL }
		},
		{ &hf_addr,
		  { "Source or destination address", "ebpf.addr",
		    FT_IPv4, BASE_NONE, NULL, 0x0,
		    "Either end of an IPv4 flow (source or destination)", HFILL }
		},
		{ &hf_addr6,
		  { "Source or destination IPv6 address", "ebpf.addr6",
		    FT_IPv6, BASE_NONE, NULL, 0x0,
		    "Either end of an IPv6 flow (source or destination)", HFILL }
		},
		{ &hf_srcport,
		  { "Source port", "ebpf.srcport",
		    FT_UINT16, BASE_DEC, NULL, 0x0,
		    "Local port", HFILL }
		},
		{ &hf_dstport,
		  { "Destination port", "ebpf.dstport",
		    FT_UINT16, BASE_DEC, NULL, 0x0,
		    "Remote port", HFILL }
		},
		{ &hf_netns,
		  { "Network namespace", "ebpf.netns",
		    FT_UINT32, BASE_DEC, NULL, 0x0,
		    "Inode of the network namespace", HFILL }
		},
		{ &hf_ifindex,
		  { "Interface index", "ebpf.ifindex",
		    FT_UINT32, BASE_DEC, NULL, 0x0,
		    "0 where the kernel does not know it", HFILL }
		},
		{ &hf_ifname,
		  { "Interface", "ebpf.ifname",
		    FT_STRINGZ, BASE_NONE, NULL, 0x0,
		    "Name of the network interface the flow used", HFILL }
		},
		{ &hf_tcp_state,
		  { "TCP state", "ebpf.tcp_state",
		    FT_UINT8, BASE_DEC, VALS(tcp_state_names), 0x0,
		    "State the socket was in", HFILL }
		},
		{ &hf_latency,
		  { "Connect latency", "ebpf.latency",
		    FT_UINT32, BASE_DEC|BASE_UNIT_STRING, &units_microseconds, 0x0,
		    "Time from SYN sent to established", HFILL }
		},
		{ &hf_duration,
		  { "Duration", "ebpf.duration",
		    FT_UINT64, BASE_DEC|BASE_UNIT_STRING, &units_microseconds, 0x0,
		    "Time from established to closed", HFILL }
		},
		{ &hf_bytes_sent,
		  { "Bytes sent", "ebpf.bytes_sent",
		    FT_UINT64, BASE_DEC|BASE_UNIT_STRING, &units_byte_bytes, 0x0,
		    "TCP: payload acknowledged by the peer. UDP: payload sent", HFILL }
		},
		{ &hf_bytes_received,
		  { "Bytes received", "ebpf.bytes_received",
		    FT_UINT64, BASE_DEC|BASE_UNIT_STRING, &units_byte_bytes, 0x0,
		    "Payload received (TCP or UDP)", HFILL }
		},
		{ &hf_packets,
		  { "Datagrams", "ebpf.packets",
		    FT_UINT64, BASE_DEC, NULL, 0x0,
		    "UDP datagrams this record sums up", HFILL }
		},
		{ &hf_retransmits,
		  { "Retransmissions", "ebpf.retransmits",
		    FT_UINT32, BASE_DEC, NULL, 0x0,
		    "Segments retransmitted on this connection", HFILL }
		},
		{ &hf_srtt,
		  { "Smoothed RTT", "ebpf.srtt",
		    FT_UINT32, BASE_DEC|BASE_UNIT_STRING, &units_microseconds, 0x0,
		    "Smoothed round-trip time the kernel measured", HFILL }
		},
		{ &hf_error,
		  { "Error", "ebpf.error",
		    FT_INT32, BASE_DEC, VALS(errno_names), 0x0,
		    "errno", HFILL }
		},
		{ &hf_drops,
		  { "Events lost", "ebpf.drops",
		    FT_UINT64, BASE_DEC, NULL, 0x0,
		    "Events lost since the previous Capture_Drops record", HFILL }
		},
		{ &hf_drop_kind,
		  { "Why lost", "ebpf.drops.kind",
		    FT_UINT32, BASE_DEC, VALS(drop_kind_names), 0x0,
		    "Capture_Drops: why the events were lost", HFILL }
		},
		{ &hf_host,
		  { "Host", "ebpf.host",
		    FT_STRINGZ, BASE_NONE, NULL, 0x0,
		    "Host that captured the event", HFILL }
		},
		{ &hf_machine_id,
		  { "Machine id", "ebpf.machine_id",
		    FT_STRINGZ, BASE_NONE, NULL, 0x0,
		    "systemd machine id (/etc/machine-id) of the host that captured the event", HFILL }
		},
		{ &hf_undecoded,
		  { "Undecoded", "ebpf.undecoded",
		    FT_BYTES, BASE_NONE, NULL, 0x0,
		    "Bytes a newer version of the record added", HFILL }
		},
		{ &hf_prev_pid,
		  { "Previous holder PID", "ebpf.prev.pid",
		    FT_UINT32, BASE_DEC, NULL, 0x0,
		    "TCP_Handoff: the process that held the socket before", HFILL }
		},
		{ &hf_prev_comm,
		  { "Previous holder", "ebpf.prev.comm",
		    FT_STRINGZPAD, BASE_NONE, NULL, 0x0,
		    "TCP_Handoff: name of the process that held the socket before", HFILL }
		},
		{ &hf_acceptor_pid,
		  { "Acceptor PID", "ebpf.acceptor.pid",
		    FT_UINT32, BASE_DEC, NULL, 0x0,
		    "The process whose accept() returned the socket (0 if not accepted during the capture)", HFILL }
		},
		{ &hf_acceptor_comm,
		  { "Acceptor", "ebpf.acceptor.comm",
		    FT_STRINGZPAD, BASE_NONE, NULL, 0x0,
		    "Name of the process whose accept() returned the socket", HFILL }
		},
		{ &hf_owner,
		  { "Socket owner", "ebpf.owner",
		    FT_NONE, BASE_NONE, NULL, 0x0,
		    "A process that held this packet's socket at one end (as the event records tell)", HFILL }
		},
		{ &hf_owner_role,
		  { "Role", "ebpf.owner.role",
		    FT_STRING, BASE_NONE, NULL, 0x0,
		    "Whether this process's socket sent the packet (source) or received it (destination)", HFILL }
		},
		{ &hf_owner_event,
		  { "Event in frame", "ebpf.owner.event",
		    FT_FRAMENUM, BASE_NONE, NULL, 0x0,
		    "The event record that names this owner", HFILL }
		},
	};
	static int *ett[] = {
		&ett_ebpfflow, &ett_header, &ett_process, &ett_container, &ett_flow, &ett_metrics, &ett_flags, &ett_host,
		&ett_owners, &ett_owner,
	};
	static ei_register_info ei[] = {
		{ &ei_malformed, { "ebpf.expert.malformed", PI_MALFORMED, PI_ERROR, "Malformed eBPFFlow record", EXPFILL } },
		{ &ei_undecoded, { "ebpf.expert.undecoded", PI_UNDECODED, PI_NOTE, "Fields of a newer record version", EXPFILL } },
		{ &ei_connect_failed, { "ebpf.expert.connect_failed", PI_RESPONSE_CODE, PI_WARN, "Connection failed", EXPFILL } },
		{ &ei_retransmit, { "ebpf.expert.retransmission", PI_SEQUENCE, PI_NOTE, "TCP retransmission", EXPFILL } },
		{ &ei_reset, { "ebpf.expert.reset", PI_SEQUENCE, PI_WARN, "Connection ended by RST", EXPFILL } },
		{ &ei_drops, { "ebpf.expert.drops", PI_SEQUENCE, PI_WARN, "The capture lost events", EXPFILL } },
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
	ebpfflow_owner_init(proto_ebpfflow);
	register_postdissector(create_dissector_handle(dissect_packet_owners, proto_ebpfflow));
}

void proto_reg_handoff_ebpfflow(void)
{
	/* Nothing to hook: the exported-PDU dissector finds us by name. */
}
