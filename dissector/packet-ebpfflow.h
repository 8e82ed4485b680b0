/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PACKET_EBPFFLOW_H
#define PACKET_EBPFFLOW_H

#include <glib.h>
#include <ws_version.h>
#include <epan/address.h>
#include <epan/packet_info.h>
#include <epan/proto.h>

#define EBPFFLOW_PLUGIN_VERSION "0.1.0"

/* True when built against Wireshark maj.min or newer (for APIs that changed after 4.0). */
#define EBPFFLOW_WS_AT_LEAST(maj, min) \
	(WIRESHARK_VERSION_MAJOR > (maj) || \
	 (WIRESHARK_VERSION_MAJOR == (maj) && WIRESHARK_VERSION_MINOR >= (min)))

/*
 * The record definition is written with the kernel's __u8 ... __u64. A
 * Wireshark on macOS or Windows reading a capture taken on Linux has no
 * <linux/types.h>, so spell them out there.
 */
#ifdef __linux__
#include <linux/types.h>
#else
typedef guint8 __u8;
typedef guint16 __u16;
typedef guint32 __u32;
typedef gint32 __s32;
typedef guint64 __u64;
#endif
#include "bpf/ebpf_record.h"
#include "utils/attrib/socket_owner.h"

/*
 * What the dissector hands to its tap for each decoded record. The tap is
 * named after the protocol's filter name, "ebpf", because Wireshark's
 * Conversations and Endpoints tables listen on that name; the Processes
 * statistics listen on it too.
 */
#define EBPFFLOW_TAP "ebpf"

struct ebpfflow_tap_info {
	guint16 type;
	const char *process;   /* "curl(4242)", or "(owner unknown)" */
	const char *container; /* "pod namespace/name", container name, or "host" */
	/* Totals of a connection or datagram batch: only TCP_Close, UDP_Send and UDP_Recv carry them, 0 otherwise. */
	guint64 bytes_sent, bytes_received;
	address src, dst;      /* AT_NONE when the family is neither IPv4 nor IPv6, or for a listener */
	guint16 sport, dport;
	gboolean udp;
};

/* Who held a socket, as one record tells it: what a packet's owner subtree shows. */
struct ebpfflow_owner {
	guint32 frame;                     /* the record's frame */
	guint32 pid, tid, ppid, uid, gid;
	guint64 cgroup;
	const char *comm, *parent_comm;
	const char *tlv[EBPF_TLV_MAX + 1]; /* the TLV strings by tag (exe, container, pod, ...); NULL if absent */
};

void proto_register_ebpfflow(void);
void proto_reg_handoff_ebpfflow(void);
void ebpfflow_register_stats(int proto);

/*
 * ebpfflow-owner.c: who held the sockets the records name, over time; the
 * owners of each packet. It calls nothing in packet-ebpfflow.c.
 */
enum ebpfflow_role { EBPFFLOW_SOURCE, EBPFFLOW_DESTINATION };

void ebpfflow_owner_init(int proto);
/* A record of type at ts_ns about socket k, by owner o (NULL: the record does not know the process). */
void ebpfflow_owner_note(const struct socket_key *k, guint16 type, guint64 ts_ns,
			 const struct ebpfflow_owner *o);
/*
 * The owners of a TCP or UDP packet's sockets, by role: the one it left
 * (source) and the one it reached (destination), NULL where unknown; FALSE
 * if neither is known. Call it for every packet, on the first pass too: it
 * notes where each TCP stream starts. owners NULL (nothing to show): only that.
 */
gboolean ebpfflow_packet_owners(packet_info *pinfo, const struct ebpfflow_owner **owners);

#endif
