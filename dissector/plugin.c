/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Wireshark plugin entry points. Wireshark 4.0 wants exactly
 * plugin_version, plugin_want_major, plugin_want_minor and plugin_register;
 * 4.4 also asks plugin_describe() what kind of plugin this is, and goes on
 * without it when it is missing.
 */
#define WS_BUILD_DLL
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/proto.h>

#include "packet-ebpfflow.h"

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = EBPFFLOW_PLUGIN_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

void plugin_register(void)
{
	static proto_plugin plug;

	plug.register_protoinfo = proto_register_ebpfflow;
	plug.register_handoff = proto_reg_handoff_ebpfflow;
	proto_register_plugin(&plug);
}

/* Only where the headers define the answer (4.3 on). */
#ifdef WS_PLUGIN_DESC_DISSECTOR
WS_DLL_PUBLIC guint32 plugin_describe(void);

guint32 plugin_describe(void)
{
	return WS_PLUGIN_DESC_DISSECTOR;
}
#endif
