/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef EBPFCAP_OPTIONS_H
#define EBPFCAP_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "print.h"

#define EBPFCAP_VERSION "0.1.0"
#define IFACE_EVENTS "ebpfevents"
/*
 * --tls-secrets' default reorder window: a connection's keys reach us when
 * its handshake ends, and must precede in the capture its first encrypted
 * packet (TLS 1.3: the server's flight right after ServerHello, TLS 1.2: the
 * client's Finished, a round trip before the client's handshake ends).
 */
#define TLS_REORDER_WINDOW_MS 500

enum mode {
	MODE_NONE,
	MODE_INTERFACES,
	MODE_DLTS,
	MODE_CONFIG,
	MODE_CAPTURE,
	MODE_VERSION,
	MODE_HELP,
	MODE_READ,
	MODE_GEN_KEYS,
	MODE_CHECK_FILTER,   /* --extcap-capture-filter without --capture: is it valid? */
	MODE_CAPABILITIES,
};

struct options {
	enum mode mode;
	const char *interface;      /* --extcap-interface / -i */
	const char *fifo;           /* --fifo (extcap) or -w (CLI); "-" is stdout; NULL: lines */
	const char *capture_filter; /* --extcap-capture-filter, or the words after the options */
	const char *read_file;      /* -r: print a capture back */
	uint32_t pid;               /* --pid: only this process and its children (0: all) */
	const char *comm;           /* --comm: only processes of this name */
	bool by_uid;                /* --uid: only processes of this user */
	uint32_t uid;
	const char *cgroup;         /* --cgroup: only this cgroup (path) and below */
	const char *container;      /* --container: only this container (name or id) */
	const char *pod;            /* --pod: only this pod's containers (NAME[.NAMESPACE]) */
	uint16_t port;              /* --port: local or remote */
	uint16_t family;            /* --family 4|6 */
	uint32_t udp_interval_ms;   /* --udp-interval: UDP summary period */
	uint32_t event_type_mask;   /* --event-types, bit per enum ebpf_event_type */
	uint64_t max_events;        /* -c: stop after this many (0: no limit) */
	uint32_t ringbuf_kib;       /* --ringbuf-size */
	uint32_t reorder_window_ms; /* --reorder-window: packets wait this long for their owner's event */
	bool reorder_window_set;    /* given, not the default */
	bool tls_secrets;           /* --tls-secrets: OpenSSL's secrets into the capture */
	const char *tls_keylog;     /* --tls-keylog FILE: and into this SSLKEYLOGFILE */
	uint32_t flow_table_size;   /* --flow-table-size: sockets remembered for attributing packets */
	bool process_blocks;        /* --process-blocks: describe packets' processes for Wireshark 4.7+/5.0 */
	const char *export_endpoint;  /* --export[=ENDPOINT]: publish over ZMQ instead of pcapng */
	bool export_connect;          /* --export-connect: connect to a collector that binds */
	bool insecure;                /* --insecure: --export on tcp:// without CURVE */
	const char *remote_endpoints; /* --remote-endpoints: the ebpfremote interface's exporters */
	bool remote_bind;             /* --remote-bind: exporters connect to us */
	const char *secret_key;       /* --secret-key FILE: our CURVE key pair */
	const char *server_key;       /* --server-key KEY|FILE: the CURVE server's public key */
	const char *allowed_keys;     /* --allowed-keys FILE: public keys the CURVE server accepts */
	bool debug;
	bool from_wireshark;         /* --capture: our parent is Wireshark */
	struct print_style print;    /* --json, -n, -v: lines on standard output (no -w, and -r) */
	char **command;              /* after --: run it; capture it and its children only */
};

/*
 * Parses argv (reordering it, as getopt does); on bad input prints one line
 * to stderr and returns -1.
 */
int options_parse(int argc, char **argv, struct options *opts);
void options_usage(void);

#endif
