/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PACKET_EBPFFLOW_H
#define PACKET_EBPFFLOW_H

#include <glib.h>

#define EBPFFLOW_PLUGIN_VERSION "0.1.0"

/* What the dissector hands to the "ebpfflow" tap for each decoded record. */
struct ebpfflow_tap_info {
	guint16 type;
	guint32 pid;
	const char *comm;
	const char *container; /* "pod/namespace", container name, or "host" */
	guint64 bytes;         /* sent + received */
};

void proto_register_ebpfflow(void);
void proto_reg_handoff_ebpfflow(void);
void ebpfflow_register_stats(void);

#endif
