/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Wireshark plugin entry points. Wireshark 4.0 wants exactly
 * plugin_version, plugin_want_major, plugin_want_minor and plugin_register;
 * from 4.2 on it also asks plugin_describe() what kind of plugin this is (4.4
 * and 4.6 load a plugin without it, but list it as "unknown"). One source for
 * every SDK: the difference hangs on the SDK's own version (ws_version.h).
 */
#define WS_BUILD_DLL
#include <wireshark.h>
#include <epan/packet.h>
#include <epan/proto.h>

#include "packet-ebpfflow.h"

#if EBPFFLOW_WS_AT_LEAST(4, 2)
#include <wsutil/plugins.h> /* WS_PLUGIN_DESC_DISSECTOR */
#endif

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

#if EBPFFLOW_WS_AT_LEAST(4, 2)
WS_DLL_PUBLIC guint32 plugin_describe(void);

guint32 plugin_describe(void)
{
	return WS_PLUGIN_DESC_DISSECTOR;
}
#endif
