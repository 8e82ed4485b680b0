/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef EBPFCAP_OPTIONS_H
#define EBPFCAP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
	MODE_EXTCAP_VERSION, /* --extcap-version alone: the extcap sentence */
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
	bool extcap_version;         /* --extcap-version[=MAJOR.MINOR]: Wireshark's */
	const char *control_in;      /* --extcap-control-in: Wireshark's requests (a stop) */
	const char *control_out;     /* --extcap-control-out: ours to Wireshark, never written */
	struct print_style print;    /* --json, -n, -v: lines on standard output (no -w, and -r) */
	char **command;              /* after --: run it; capture it and its children only */
};

/*
 * The kinds of interface whose --extcap-config lists an option: a bit each,
 * so that one row of the option table says where it is offered.
 */
enum iface_kind {
	IFACE_KIND_EVENTS = 1 << 0,  /* ebpfevents */
	IFACE_KIND_PACKETS = 1 << 1, /* ebpf_<iface>: packets and the events behind them */
	IFACE_KIND_REMOTE = 1 << 2,  /* ebpfremote: records from exporters */
};
#define IFACE_KIND_LOCAL (IFACE_KIND_EVENTS | IFACE_KIND_PACKETS)

enum extcap_file { EXTCAP_NOT_A_FILE, EXTCAP_FILE_MUST_EXIST, EXTCAP_FILE_NEW };

/*
 * How Wireshark's capture options dialog offers an option (an "arg" line of
 * --extcap-config, doc/extcap.adoc). Its type follows from the option: a
 * flag is a boolflag, a file a fileselect, anything else a string - numbers
 * too, with a digits-only validation: Wireshark 4.0's dialog shows an
 * unsigned arg without a default as 0 and marks it invalid when its range
 * leaves 0 out, which disables Start (test/gui_check.sh saw it); empty
 * means "all" here, and the parser rejects numbers out of range. No default
 * unless one is needed: Wireshark passes every arg that has one.
 */
struct extcap_arg {
	unsigned on;                /* enum iface_kind bits; 0: not offered */
	const char *display;
	const char *group;          /* the dialog's tab: tabs come in the order of their first arg */
	const char *tooltip;        /* "{range}" and "{default}" stand for the option's numbers */
	const char *remote_tooltip; /* on ebpfremote, where the collector does it differently */
	const char *validation;     /* a regex; numbers get digits-only without saying so */
	const char *default_value;
	bool required;
	enum extcap_file file;
};

/* --help's sections, in the order it prints them (docs/ebpfcap.1's OPTIONS). */
enum help_section {
	HELP_CAPTURE,
	HELP_OUTPUT,
	HELP_FILTERS,
	HELP_PACKETS,
	HELP_TLS,
	HELP_REMOTE,
	HELP_OTHER,
	HELP_SECTIONS,
};
extern const char *const help_section_titles[HELP_SECTIONS];

/*
 * One option: its spellings, what it does to struct options, what it
 * accepts, and how --help and Wireshark's dialog present it. Everything is
 * produced from the table of these (options.c): getopt_long's arguments,
 * the value checks and their messages, --help, --extcap-config's arg lines
 * (numbered by position), and test/unit/unit_options.c's comparison with
 * docs/ebpfcap.1.
 */
struct option_spec {
	const char *name;           /* --name; NULL: a letter only */
	char letter;                /* -l; 0: none */
	int has_arg;                /* getopt's no_argument, required_argument, optional_argument */
	bool arg_may_follow;        /* optional_argument: "--name VALUE" as well as "--name=VALUE" */
	/* What it does: set(spec, argument, options); field, mode and numbers are its data. */
	int (*set)(const struct option_spec *spec, const char *arg, struct options *o);
	size_t field, field_size;   /* offsetof and sizeof in struct options */
	enum mode mode;
	uint64_t min, max;          /* numbers: what is accepted (max 0: not a number) */
	uint64_t def;               /* numbers: the value when not given (0: none) */
	const char *wants;          /* numbers: what the message on bad input asks for ("a port") */
	/* How people see it. */
	enum help_section section;
	const char *metavar;        /* --help: the argument's name */
	const char *help;           /* --help: lines, '\n' between; NULL: not in --help (Wireshark's) */
	struct extcap_arg extcap;
};

extern const struct option_spec option_table[];
extern const size_t option_count;

/* The option named name (without "--"), or NULL. */
const struct option_spec *options_find(const char *name);

/*
 * Parses argv (reordering it, as getopt does); on bad input prints one line
 * to stderr and returns -1.
 */
int options_parse(int argc, char **argv, struct options *opts);
void options_usage(FILE *out);
/* The "arg" lines of --extcap-config for an interface of this kind, numbered from 0. */
void options_print_extcap_args(FILE *out, enum iface_kind kind);

#endif
