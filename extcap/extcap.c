/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "extcap.h"

#include <stdio.h>
#include <string.h>

#include "interfaces.h"
#include "options.h"
#include "packets.h"
#include "remote.h"
#include "pcapio/pcapng.h"

#define HELP_URL "https://github.com/ebpfcap/ebpfcap"

#define MAX_INTERFACES 512

bool extcap_is_known_interface(const char *interface)
{
	struct capture_interface ci;

	return interface && (strcmp(interface, IFACE_EVENTS) == 0 || strcmp(interface, IFACE_REMOTE) == 0 ||
			     interfaces_find(interface, &ci));
}

/* What a known interface carries: events alone (here or remote), or packets and events; its options follow. */
static enum iface_kind kind_of(const char *interface)
{
	if (strcmp(interface, IFACE_REMOTE) == 0)
		return IFACE_KIND_REMOTE;
	return strcmp(interface, IFACE_EVENTS) == 0 ? IFACE_KIND_EVENTS : IFACE_KIND_PACKETS;
}

static int unknown_interface(const char *interface)
{
	fprintf(stderr, "ebpfcap: unknown interface '%s' (try --extcap-interfaces)\n",
		interface ? interface : "");
	return -1;
}

/*
 * {control=2}: every interface stops on the extcap control pipe's quit
 * message (stop.h). Wireshark 4.7+ then passes --extcap-control-in and
 * asks for the stop there instead of sending SIGTERM (master's extcap.c:
 * extcap_parse_interface_sentence() reads the bits, 1 toolbar, 2 quit;
 * process_new_extcap() makes the extcap sentence's value every interface's
 * default; extcap_init_interfaces() creates the pipe). Earlier versions
 * ignore the parameter there. No toolbar: bit 1 stays clear.
 */
void extcap_print_version(void)
{
	printf("extcap {version=%s}{help=%s}{display=ebpfcap: who is behind each connection}{control=2}\n",
	       EBPFCAP_VERSION, HELP_URL);
}

void extcap_print_interfaces(void)
{
	static struct capture_interface ifs[MAX_INTERFACES];
	int n = interfaces_list(ifs, MAX_INTERFACES);

	extcap_print_version();
	printf("interface {value=%s}{display=eBPF Events}\n", IFACE_EVENTS);
	printf("interface {value=%s}{display=%s}\n", IFACE_REMOTE, IFACE_REMOTE_DISPLAY);
	for (int i = 0; i < n; i++)
		printf("interface {value=%s}{display=%s}\n", ifs[i].value, ifs[i].display);
}

int extcap_print_dlts(const char *interface)
{
	if (!extcap_is_known_interface(interface))
		return unknown_interface(interface);
	if (kind_of(interface) != IFACE_KIND_PACKETS)
		printf("dlt {number=%d}{name=WIRESHARK_UPPER_PDU}{display=eBPF events (exported PDU)}\n",
		       LINKTYPE_WIRESHARK_UPPER_PDU);
	else /* the packets' link type; events travel on a second interface of the pcapng */
		printf("dlt {number=%d}{name=EN10MB}{display=Ethernet, with eBPF events}\n", LINKTYPE_ETHERNET);
	return 0;
}

int extcap_check_capture_filter(const char *interface, const char *filter)
{
	char why[256];

	if (!extcap_is_known_interface(interface))
		printf("unknown interface '%s'\n", interface ? interface : "");
	else if (kind_of(interface) != IFACE_KIND_PACKETS)
		printf("%s", *filter ? "capture filters do not apply to eBPF events: use a display filter\n" : "");
	else if (!packets_filter_compiles(filter, why, sizeof(why)))
		printf("%s\n", why);
	return 0;
}

int extcap_print_config(const char *interface)
{
	if (!extcap_is_known_interface(interface))
		return unknown_interface(interface);
	options_print_extcap_args(stdout, kind_of(interface));
	return 0;
}
