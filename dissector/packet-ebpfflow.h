/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PACKET_EBPFFLOW_H
#define PACKET_EBPFFLOW_H

#include <glib.h>
#include <ws_version.h>
#include <epan/address.h>
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

/* The socket a record names, as its process saw it: s = local side, d = remote. */
struct ebpfflow_socket {
	guint8 proto;                 /* 6 TCP, 17 UDP */
	guint16 family;               /* 2 AF_INET, 10 AF_INET6 */
	guint16 sport, dport;
	const guint8 *saddr, *daddr;  /* 16 bytes each, IPv4 in the first 4 */
};

void proto_register_ebpfflow(void);
void proto_reg_handoff_ebpfflow(void);
void ebpfflow_register_stats(int proto);

/* packet-ebpfflow.c: the ebpf.* fields of an owner, for the subtrees packets get. */
void ebpfflow_add_owner_fields(proto_tree *tree, tvbuff_t *tvb, const struct ebpfflow_owner *o);
/* "curl(4242)", then " [pod shop/web-7f9c]" or " [container]" when it runs in one. */
const char *ebpfflow_owner_label(wmem_allocator_t *pool, const struct ebpfflow_owner *o);

/* ebpfflow-owner.c: packets get the owners of the sockets the records name. */
void ebpfflow_owner_note(const struct ebpfflow_socket *s, guint16 type, guint64 ts_ns,
			 const struct ebpfflow_owner *o);
void ebpfflow_register_owner(int proto);

#endif
