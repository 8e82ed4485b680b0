/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "extcap.h"

#include <stdio.h>
#include <string.h>

#include "interfaces.h"
#include "options.h"
#include "packets.h"
#include "remote.h"
#include "pcapio/pcapng.h"
#include "utils/transport/zmq_transport.h"

#define HELP_URL "https://github.com/ebpfcap/ebpfcap"

#define MAX_INTERFACES 512

bool extcap_is_known_interface(const char *interface)
{
	struct capture_interface ci;

	return interface && (strcmp(interface, IFACE_EVENTS) == 0 || strcmp(interface, IFACE_REMOTE) == 0 ||
			     interfaces_find(interface, &ci));
}

static int unknown_interface(const char *interface)
{
	fprintf(stderr, "ebpfcap: unknown interface '%s' (try --extcap-interfaces)\n",
		interface ? interface : "");
	return -1;
}

void extcap_print_interfaces(void)
{
	printf("extcap {version=%s}{help=%s}{display=ebpfcap: who is behind each connection}\n",
	       EBPFCAP_VERSION, HELP_URL);
	static struct capture_interface ifs[MAX_INTERFACES];
	int n = interfaces_list(ifs, MAX_INTERFACES);

	printf("interface {value=%s}{display=eBPF Events}\n", IFACE_EVENTS);
	printf("interface {value=%s}{display=%s}\n", IFACE_REMOTE, IFACE_REMOTE_DISPLAY);
	for (int i = 0; i < n; i++)
		printf("interface {value=%s}{display=%s}\n", ifs[i].value, ifs[i].display);
}

int extcap_print_dlts(const char *interface)
{
	if (!extcap_is_known_interface(interface))
		return unknown_interface(interface);
	if (strcmp(interface, IFACE_EVENTS) == 0 || strcmp(interface, IFACE_REMOTE) == 0)
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
	else if (strcmp(interface, IFACE_EVENTS) == 0 || strcmp(interface, IFACE_REMOTE) == 0)
		printf("%s", *filter ? "capture filters do not apply to eBPF events: use a display filter\n" : "");
	else if (!packets_filter_compiles(filter, why, sizeof(why)))
		printf("%s\n", why);
	return 0;
}

/* Collecting from exporters (docs/REMOTE.md): where, how safely, and the same filters. */
static void print_remote_config(void)
{
	printf("arg {number=0}{call=--remote-endpoints}{display=Exporters}{type=string}"
	       "{default=" ZMQ_EXPORT_DEFAULT_ENDPOINT "}{required=true}"
	       "{tooltip=Comma-separated ZMQ endpoints of ebpfcap --export, e.g. tcp://10.0.0.5:5556,tcp://10.0.0.6:5556; "
	       "an entry may end in |KEY, that exporter's public key}{group=Connection}\n");
	printf("arg {number=1}{call=--remote-bind}{display=Listen (exporters connect)}{type=boolflag}"
	       "{tooltip=Bind the endpoints; exporters connect with --export-connect (e.g. from behind NAT)}{group=Connection}\n");
	printf("arg {number=2}{call=--server-key}{display=Exporters' public key}{type=string}"
	       "{tooltip=CURVE: Z85 public key (or key file) of the exporters; others are refused. Empty: no encryption}"
	       "{group=Security}\n");
	printf("arg {number=3}{call=--secret-key}{display=Own key file}{type=fileselect}{mustexist=true}"
	       "{tooltip=CURVE: this collector's key file from ebpfcap --gen-keys (needed to listen with CURVE)}{group=Security}\n");
	printf("arg {number=4}{call=--allowed-keys}{display=Allowed exporters}{type=fileselect}{mustexist=true}"
	       "{tooltip=CURVE, listening: file of the exporters' public keys, one a line}{group=Security}\n");
	printf("arg {number=5}{call=--pid}{display=Process ID}{type=string}{validation=^[0-9]*$}"
	       "{tooltip=Only events of this process and its direct children (empty: every process)}{group=Filter}\n");
	printf("arg {number=6}{call=--event-types}{display=Event types}{type=string}"
	       "{tooltip=Comma-separated, e.g. TCP_Connect,TCP_Close (empty: all)}"
	       "{validation=^[A-Za-z_,]*$}{group=Filter}\n");
	printf("arg {number=7}{call=--debug}{display=Debug messages}{type=boolflag}"
	       "{tooltip=Say on standard error why each bad message was dropped}{group=Advanced}\n");
}

/* Interfaces with packets: how long packets wait for their owner, how many sockets are known. */
static void print_packet_config(void)
{
	/* Digit strings, not unsigned: Wireshark 4.0 shows an empty unsigned as an invalid 0 (see --port). */
	printf("arg {number=9}{call=--reorder-window}{display=Reorder window (ms)}{type=string}{validation=^[0-9]*$}"
	       "{tooltip=Packets wait this long for the event naming their process, then leave in time order, "
	       "0 to 10000 (empty: 10)}{group=Packets}\n");
	printf("arg {number=10}{call=--flow-table-size}{display=Sockets remembered}{type=string}{validation=^[0-9]*$}"
	       "{tooltip=Sockets whose owners are kept for attributing packets, 16 to 16777216; the least recently used "
	       "are forgotten and counted (empty: 65536)}{group=Packets}\n");
	/* Off unless ticked: the keys open every TLS conversation of the processes followed. */
	printf("arg {number=11}{call=--tls-secrets}{display=Decrypt TLS (OpenSSL 3 keys)}{type=boolflag}"
	       "{tooltip=Take the TLS keys of processes using the shared OpenSSL 3 library (libssl.so.3) and put them "
	       "into the capture as Decryption Secrets Blocks, so Wireshark decrypts their traffic. Whoever reads the "
	       "capture can read that traffic. The filters limit whose keys are taken}{group=TLS}\n");
	printf("arg {number=12}{call=--tls-keylog}{display=Key log file}{type=fileselect}{mustexist=false}"
	       "{tooltip=Also append the keys to this file in SSLKEYLOGFILE format (implies Decrypt TLS; created "
	       "readable by its owner only)}{group=TLS}\n");
	printf("arg {number=13}{call=--process-blocks}{display=Process information blocks}{type=boolflag}"
	       "{tooltip=Describe each packet's process in a Wireshark process information block, "
	       "for Wireshark 4.7/5.0 (earlier versions show each block as a Custom Block frame)}{group=Packets}\n");
}

int extcap_print_config(const char *interface)
{
	if (!extcap_is_known_interface(interface))
		return unknown_interface(interface);
	if (strcmp(interface, IFACE_REMOTE) == 0) {
		print_remote_config();
		return 0;
	}
	/* No defaults on purpose: Wireshark passes every arg that has one. And
	 * numbers are strings of digits: Wireshark 4.0's dialog shows an unsigned
	 * arg without a default as 0, and marks it invalid if its range leaves 0
	 * out, which disables Save and Start (test/gui_check.sh saw it); empty
	 * means "all" here, and ebpfcap itself rejects numbers out of range. */
	printf("arg {number=0}{call=--pid}{display=Process ID}{type=string}{validation=^[0-9]*$}"
	       "{tooltip=Only events of this process (empty: every process)}{group=Filter}\n");
	printf("arg {number=1}{call=--event-types}{display=Event types}{type=string}"
	       "{tooltip=Comma-separated, e.g. TCP_Connect,TCP_Close (empty: all)}"
	       "{validation=^[A-Za-z_,]*$}{group=Filter}\n");
	printf("arg {number=4}{call=--container}{display=Container}{type=string}"
	       "{tooltip=Only events of this running container, by name or id (empty: all)}{group=Filter}\n");
	printf("arg {number=8}{call=--pod}{display=Pod}{type=string}"
	       "{tooltip=Only events of this pod's containers: NAME or NAME.NAMESPACE (empty: all)}{group=Filter}\n");
	printf("arg {number=5}{call=--comm}{display=Process name}{type=string}"
	       "{tooltip=Only events of processes with this name (empty: all)}{group=Filter}\n");
	printf("arg {number=7}{call=--uid}{display=User}{type=string}"
	       "{tooltip=Only events of processes running as this user: a name or a numeric uid (empty: all)}{group=Filter}\n");
	printf("arg {number=6}{call=--port}{display=Port}{type=string}{validation=^[0-9]*$}"
	       "{tooltip=Only flows with this local or remote port, 1 to 65535 (empty: all)}{group=Filter}\n");
	printf("arg {number=2}{call=--ringbuf-size}{display=Kernel buffer (KiB)}{type=string}"
	       "{validation=^[0-9]*$}{tooltip=Ring buffer between kernel and ebpfcap, 64 to 1048576; larger loses fewer events in bursts (empty: 8192)}"
	       "{group=Advanced}\n");
	printf("arg {number=3}{call=--debug}{display=Debug messages}{type=boolflag}"
	       "{tooltip=Show libbpf's messages on standard error}{group=Advanced}\n");
	if (strcmp(interface, IFACE_EVENTS) != 0)
		print_packet_config();
	return 0;
}
