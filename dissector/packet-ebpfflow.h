/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PACKET_EBPFFLOW_H
#define PACKET_EBPFFLOW_H

#include <glib.h>

#define EBPFFLOW_PLUGIN_VERSION "0.1.0"

#include <epan/address.h>

/*
 * What the dissector hands to the "ebpf" tap for each decoded record. The
 * tap is named after the protocol's filter name because Wireshark's
 * Conversations and Endpoints tables listen on that name.
 */
#define EBPFFLOW_TAP "ebpf"

struct ebpfflow_tap_info {
	guint16 type;
	guint32 pid;
	const char *comm;
	const char *container; /* "pod/namespace", container name, or "host" */
	guint64 bytes;         /* sent + received */
	address src, dst;      /* AT_NONE for Capture_Drops */
	guint16 sport, dport;
	gboolean udp;
};

void proto_register_ebpfflow(void);
void proto_reg_handoff_ebpfflow(void);
void ebpfflow_register_stats(int proto);

#endif
