/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * eBPFFlow owner: the process behind each TCP and UDP packet of a capture
 * that also holds event records (ebpfcap's packets-and-events pcapng, or a
 * packet capture and an event capture joined by mergecap).
 *
 * While the records are read in order (the first pass), each one names a
 * socket by its local and remote address and port, and who held it
 * (ebpfflow_owner_note). Every packet is then looked at from both ends
 * (ebpfflow_packet_owners): the socket it left is (source, destination),
 * the socket it reached is (destination, source). The keys, and the order
 * in which a packet falls back to a listener or an unconnected socket, are
 * the attribution core's (utils/attrib/socket_owner.h), shared with the
 * capture's packet comments; what is kept here is the time spans.
 * packet-ebpfflow.c shows the owners it is given. Records that
 * come after a packet are known only once the first pass is over: tshark
 * -2, or Wireshark once the file is loaded.
 *
 * A capture without records costs one map size test per packet: nothing
 * is looked up, noted or allocated until a record names a socket.
 *
 * Ports are reused, so a socket key holds a list of spans in time order:
 * one per socket life and owner, from its first event to its last. Which
 * span a packet belongs to is decided by time, see choose(). A TCP_Handoff
 * starts a span that continues the life before it under a new holder:
 * packets sent from then on name the new one, see owned_span().
 */
#define WS_BUILD_DLL
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/conversation.h>

#include <string.h>
#include "packet-ebpfflow.h"

#define PROTO_TCP 6
#define PROTO_UDP 17
/* A key with more socket lives than this keeps the first ones: bounded memory and insertion time. */
#define MAX_SPANS 4096

static int proto_ebpfflow = -1; /* the TCP conversations' first-packet times are kept under it */

/* One life of a socket with one owner. */
struct span {
	guint64 start_ns, end_ns;           /* its first and last event */
	const struct ebpfflow_owner *owner; /* NULL: the records did not know the process */
	gboolean closed;                    /* a TCP_Close or TCP_Connect_Failed ended it */
	gboolean handoff;                   /* a TCP_Handoff began it: the same socket life as the span before */
};

static wmem_map_t *sockets; /* struct socket_key -> wmem_array_t of struct span, by start_ns */
static wmem_map_t *strings; /* one file-scope copy of each owner string */

static guint key_hash(gconstpointer k)
{
	return wmem_strong_hash(k, sizeof(struct socket_key));
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
	return socket_key_equal((const struct socket_key *)a, (const struct socket_key *)b);
}

/* The socket a packet left, as its sender sees it: local side = the packet's source. */
static void key_from_packet(struct socket_key *k, const packet_info *pinfo)
{
	memset(k, 0, sizeof(*k));
	k->proto = pinfo->ptype == PT_TCP ? PROTO_TCP : PROTO_UDP;
	k->family = pinfo->net_src.type == AT_IPv4 ? 4 : 6;
	k->lport = (guint16)pinfo->srcport;
	k->rport = (guint16)pinfo->destport;
	memcpy(k->laddr, pinfo->net_src.data, (size_t)pinfo->net_src.len);
	memcpy(k->raddr, pinfo->net_dst.data, (size_t)pinfo->net_dst.len);
}

static const char *intern(const char *s)
{
	char *copy;

	if (!s)
		return NULL;
	copy = (char *)wmem_map_lookup(strings, s);
	if (!copy) {
		copy = wmem_strdup(wmem_file_scope(), s);
		wmem_map_insert(strings, copy, copy);
	}
	return copy;
}

/* A file-scope copy: the record's strings live only as long as its dissection. */
static const struct ebpfflow_owner *keep_owner(const struct ebpfflow_owner *o)
{
	struct ebpfflow_owner *kept = wmem_new(wmem_file_scope(), struct ebpfflow_owner);

	*kept = *o;
	kept->comm = intern(o->comm ? o->comm : "");
	kept->parent_comm = intern(o->parent_comm ? o->parent_comm : "");
	for (size_t i = 0; i < G_N_ELEMENTS(kept->tlv); i++)
		kept->tlv[i] = intern(o->tlv[i]);
	return kept;
}

static gboolean starts_socket(guint16 type)
{
	return type == EBPF_TCP_CONNECT || type == EBPF_TCP_CONNECT_FAILED || type == EBPF_TCP_ACCEPT ||
	       type == EBPF_FLOW_SNAPSHOT || type == EBPF_TCP_LISTEN;
}

static gboolean ends_socket(guint16 type)
{
	return type == EBPF_TCP_CLOSE || type == EBPF_TCP_CONNECT_FAILED;
}

/* Whether an event belongs to the same socket life as span p: it goes on, nobody new holds it. */
static gboolean continues(const struct span *p, guint16 type, const struct ebpfflow_owner *o)
{
	if (p->closed || starts_socket(type))
		return FALSE;
	if (!o)
		return TRUE; /* e.g. the close of a socket a snapshot found: the kernel never knew its owner */
	return p->owner && p->owner->pid == o->pid && strcmp(p->owner->comm, o->comm) == 0;
}

/*
 * Whether an owner arrives for a socket known so far without one: a
 * snapshot taken while a connection waited in the listener's queue names
 * no process; its accept() names one, the same socket.
 */
static gboolean adopts(const struct span *p, const struct ebpfflow_owner *o)
{
	return o && !p->owner && !p->closed;
}

static struct span *span_at(wmem_array_t *spans, guint i)
{
	return (struct span *)wmem_array_index(spans, i);
}

/* Index of the first span that starts after t (spans are sorted by start). */
static guint first_after(wmem_array_t *spans, guint64 t)
{
	guint lo = 0, hi = wmem_array_get_count(spans);

	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;

		if (span_at(spans, mid)->start_ns <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void insert_span(wmem_array_t *spans, guint at, const struct span *s)
{
	guint n = wmem_array_get_count(spans);
	struct span *raw;

	wmem_array_append(spans, s, 1);
	raw = (struct span *)wmem_array_get_raw(spans);
	memmove(&raw[at + 1], &raw[at], (n - at) * sizeof(*raw)); /* records come nearly in time order: little to move */
	raw[at] = *s;
}

void ebpfflow_owner_note(const struct socket_key *k, guint16 type, guint64 ts_ns, const struct ebpfflow_owner *o)
{
	wmem_array_t *spans = (wmem_array_t *)wmem_map_lookup(sockets, k);
	struct span fresh = { ts_ns, ts_ns, NULL, ends_socket(type), type == EBPF_TCP_HANDOFF }, *p;
	guint at;

	if (!spans) {
		spans = wmem_array_new(wmem_file_scope(), sizeof(struct span));
		wmem_map_insert(sockets, wmem_memdup(wmem_file_scope(), k, sizeof(*k)), spans);
	}
	at = first_after(spans, ts_ns);
	p = at > 0 ? span_at(spans, at - 1) : NULL;
	if (p && (adopts(p, o) || continues(p, type, o))) {
		if (!p->owner && o) /* adopted */
			p->owner = keep_owner(o);
		p->end_ns = MAX(p->end_ns, ts_ns);
		p->closed = ends_socket(type);
		return;
	}
	if (wmem_array_get_count(spans) >= MAX_SPANS)
		return;
	fresh.owner = o ? keep_owner(o) : NULL;
	insert_span(spans, at, &fresh);
}

/*
 * The span a packet at time t belongs to: the one it falls in; else, when
 * the span before has been closed, the next one (a new socket's first
 * packet precedes its TCP_Connect by a round trip, its TCP_Accept by as
 * long as accept() takes); else the nearer of the two in time. "The latest
 * event before the packet" alone would hand a reused port's SYN to the
 * socket that closed just before it.
 */
static const struct span *choose(wmem_array_t *spans, guint64 t)
{
	guint i = first_after(spans, t);
	const struct span *before = i > 0 ? span_at(spans, i - 1) : NULL;
	const struct span *after = i < wmem_array_get_count(spans) ? span_at(spans, i) : NULL;

	if (!before)
		return after;
	if (t <= before->end_ns)
		return before;
	if (before->closed)
		return after;
	if (!after)
		return before;
	return t - before->end_ns < after->start_ns - t ? before : after;
}

/*
 * The span with an owner that key k has for a packet of a stream placed at
 * t, sent at now, if any: the socket life the stream belongs to, then the
 * holder it had been handed to by now.
 */
static const struct span *owned_span(const struct socket_key *k, guint64 t, guint64 now)
{
	wmem_array_t *spans = (wmem_array_t *)wmem_map_lookup(sockets, k);
	const struct span *s = spans ? choose(spans, t) : NULL;
	guint n = spans ? wmem_array_get_count(spans) : 0;

	for (guint i = s ? (guint)(s - span_at(spans, 0)) + 1 : n; i < n; i++) {
		const struct span *next = span_at(spans, i);

		if (!next->handoff || next->start_ns > now)
			break;
		s = next;
	}
	return s && s->owner ? s : NULL;
}

/*
 * Who held the socket of this key at time t: the exact socket's owner, else
 * (no record, or only records that did not know the process) the owner of
 * the socket that takes its packets in its place, in the core's order.
 */
static const struct span *find_span(const struct socket_key *exact, guint64 t, guint64 now)
{
	const struct span *s = NULL;
	struct socket_key k;

	for (unsigned step = 0; !s && socket_key_fallback(exact, &step, &k);)
		s = owned_span(&k, t, now);
	return s;
}

static guint64 ns_of(const nstime_t *t)
{
	return t->secs < 0 ? 0 : (guint64)t->secs * 1000000000u + (guint64)t->nsecs;
}

/*
 * The time a packet is placed at. A TCP packet is placed at its stream's
 * first packet, usually the SYN: Wireshark starts a new TCP conversation
 * when a port is reused, and one connection is one socket at each end.
 * A UDP packet is placed at its own time. The stream's start is noted once
 * per stream, from the first record on; a stream that began before the
 * first record is noted on the second pass, which visits it from its start.
 */
static guint64 flow_time(packet_info *pinfo)
{
	guint64 now = ns_of(&pinfo->abs_ts), *first;
	conversation_t *conv;

	if (pinfo->ptype != PT_TCP)
		return now;
	conv = find_conversation(pinfo->num, &pinfo->net_src, &pinfo->net_dst, CONVERSATION_TCP,
				 pinfo->srcport, pinfo->destport, 0);
	if (!conv)
		return now;
	first = (guint64 *)conversation_get_proto_data(conv, proto_ebpfflow);
	if (!first) {
		first = wmem_new(wmem_file_scope(), guint64);
		*first = now;
		conversation_add_proto_data(conv, proto_ebpfflow, first);
	} else if (!PINFO_FD_VISITED(pinfo) && now < *first) {
		*first = now;
	}
	return *first;
}

/* A TCP or UDP packet over IPv4 or IPv6; an ICMP error quotes a packet it is not. */
static gboolean is_packet(packet_info *pinfo)
{
	const char *transport = pinfo->ptype == PT_TCP ? "tcp" : pinfo->ptype == PT_UDP ? "udp" : NULL;

	if (!transport || !proto_is_frame_protocol(pinfo->layers, transport))
		return FALSE;
	if (pinfo->net_src.type != pinfo->net_dst.type ||
	    (pinfo->net_src.type != AT_IPv4 && pinfo->net_src.type != AT_IPv6))
		return FALSE;
	return !proto_is_frame_protocol(pinfo->layers, "icmp") && !proto_is_frame_protocol(pinfo->layers, "icmpv6");
}

gboolean ebpfflow_packet_owners(packet_info *pinfo, const struct ebpfflow_owner **owners)
{
	struct socket_key from, to;
	const struct span *source, *destination;
	guint64 t, now;

	/* No record has named a socket (yet): a plain capture stops here. */
	if (wmem_map_size(sockets) == 0 || !is_packet(pinfo))
		return FALSE;
	t = flow_time(pinfo); /* also on the first pass without a tree: it notes where streams start */
	if (!owners)
		return FALSE;
	key_from_packet(&from, pinfo);
	socket_key_reverse(&from, &to); /* the socket it reached */
	now = ns_of(&pinfo->abs_ts);
	source = find_span(&from, t, now);
	/* A socket connected to itself is one owner. */
	destination = socket_key_equal(&from, &to) ? NULL : find_span(&to, t, now);
	owners[EBPFFLOW_SOURCE] = source ? source->owner : NULL;
	owners[EBPFFLOW_DESTINATION] = destination ? destination->owner : NULL;
	return source || destination;
}

void ebpfflow_owner_init(int proto)
{
	proto_ebpfflow = proto;
	sockets = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), key_hash, key_equal);
	strings = wmem_map_new_autoreset(wmem_epan_scope(), wmem_file_scope(), g_str_hash, g_str_equal);
}
