/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Command line: the extcap protocol Wireshark speaks (--extcap-*, --capture,
 * --fifo) and the same capture for people, with tcpdump's habits (-i, -w,
 * -r, -c, -n, -v, a filter expression after the options) and `-- CMD`.
 *
 * Every option is one row of option_table, in the manner of Wireshark's
 * extcap-base.c and libbpf-tools' argp tables: getopt_long's arguments, the
 * checks and messages, --help and --extcap-config's arg lines are all made
 * from it, and test/unit/unit_options.c holds docs/ebpfcap.1 to it.
 */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#include "remote.h"
#include "bpf/ebpf_record.h"
#include "utils/record/record.h"
#include "utils/transport/exporter.h"

#define STR(x) STR_(x)
#define STR_(x) #x

__attribute__((format(printf, 1, 2)))
static int bad(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ebpfcap: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* How messages name an option: --name, or -l for a letter alone. */
static const char *spelled(const struct option_spec *s)
{
	static char buf[64];

	if (s->name)
		snprintf(buf, sizeof(buf), "--%s", s->name);
	else
		snprintf(buf, sizeof(buf), "-%c", s->letter);
	return buf;
}

/* text, with "{default}" and "{range}" as this option's numbers; indent after each newline. */
static void put_text(FILE *out, const char *text, const struct option_spec *s, const char *indent)
{
	while (*text) {
		if (strncmp(text, "{default}", 9) == 0) {
			fprintf(out, "%llu", (unsigned long long)s->def);
			text += 9;
		} else if (strncmp(text, "{range}", 7) == 0) {
			fprintf(out, "%llu to %llu", (unsigned long long)s->min, (unsigned long long)s->max);
			text += 7;
		} else {
			fputc(*text, out);
			if (*text++ == '\n' && indent)
				fputs(indent, out);
		}
	}
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;

	errno = 0;
	if (*s == '-' || *s == '\0')
		return -1;
	unsigned long long v = strtoull(s, &end, 10);

	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static void *field(const struct option_spec *s, struct options *o)
{
	return (char *)o + s->field;
}

static void store_number(const struct option_spec *s, struct options *o, uint64_t v)
{
	void *p = field(s, o);

	switch (s->field_size) {
	case sizeof(uint16_t): *(uint16_t *)p = (uint16_t)v; break;
	case sizeof(uint32_t): *(uint32_t *)p = (uint32_t)v; break;
	default: *(uint64_t *)p = v; break;
	}
}

/* The setters: what an option does to struct options, its row giving the where and the limits. */

static int set_true(const struct option_spec *s, const char *arg, struct options *o)
{
	(void)arg;
	*(bool *)field(s, o) = true;
	return 0;
}

static int set_string(const struct option_spec *s, const char *arg, struct options *o)
{
	*(const char **)field(s, o) = arg;
	return 0;
}

static int set_mode(const struct option_spec *s, const char *arg, struct options *o)
{
	(void)arg;
	o->mode = s->mode;
	return 0;
}

static int set_number(const struct option_spec *s, const char *arg, struct options *o)
{
	uint64_t v;

	if (parse_u64(arg, s->max, &v) < 0 || v < s->min) {
		fprintf(stderr, "ebpfcap: %s wants ", spelled(s));
		put_text(stderr, s->wants, s, NULL);
		fprintf(stderr, ", not '%s'\n", arg);
		return -1;
	}
	store_number(s, o, v);
	return 0;
}

static int set_capture(const struct option_spec *s, const char *arg, struct options *o)
{
	o->from_wireshark = true;
	return set_mode(s, arg, o);
}

static int set_read_file(const struct option_spec *s, const char *arg, struct options *o)
{
	o->read_file = arg;
	return set_mode(s, arg, o);
}

/* A bare --export is the default endpoint. */
static int set_export(const struct option_spec *s, const char *arg, struct options *o)
{
	return set_string(s, arg ? arg : ZMQ_EXPORT_DEFAULT_ENDPOINT, o);
}

/* Given, the window stays as given when --tls-secrets would lengthen it. */
static int set_reorder_window(const struct option_spec *s, const char *arg, struct options *o)
{
	o->reorder_window_set = true;
	return set_number(s, arg, o);
}

/* An empty file name (Wireshark's empty field) is no key log. */
static int set_tls_keylog(const struct option_spec *s, const char *arg, struct options *o)
{
	(void)s;
	o->tls_keylog = *arg ? arg : NULL;
	o->tls_secrets |= *arg != 0;
	return 0;
}

static int set_comm(const struct option_spec *s, const char *arg, struct options *o)
{
	if (strlen(arg) == 0 || strlen(arg) >= EBPF_COMM_LEN)
		return bad("%s wants a process name of 1 to %d characters, not '%s'", spelled(s), EBPF_COMM_LEN - 1, arg);
	return set_string(s, arg, o);
}

static int set_family(const struct option_spec *s, const char *arg, struct options *o)
{
	if (strcmp(arg, "4") && strcmp(arg, "6"))
		return bad("%s wants 4 or 6, not '%s'", spelled(s), arg);
	o->family = arg[0] == '4' ? 2 : 10;
	return 0;
}

/* A user name or a numeric uid: scripts use both. */
static int set_uid(const struct option_spec *s, const char *arg, struct options *o)
{
	struct passwd *pw;
	uint64_t v;

	if (parse_u64(arg, UINT32_MAX - 1, &v) == 0) {
		o->uid = (uint32_t)v;
	} else if (*arg && (pw = getpwnam(arg)) != NULL) {
		o->uid = pw->pw_uid;
	} else {
		return bad("%s wants a user name or a numeric uid, not '%s'", spelled(s), arg);
	}
	o->by_uid = true;
	return 0;
}

static int set_event_types(const struct option_spec *s, const char *list, struct options *o)
{
	char *copy = strdup(list), *save = NULL;
	uint32_t mask = 0;
	int rc = 0;

	if (!copy)
		return bad("out of memory");
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		unsigned type;

		for (type = 1; type <= EBPF_EVENT_TYPE_MAX; type++)
			if (strcmp(t, ebpf_event_type_name(type)) == 0)
				break;
		if (type > EBPF_EVENT_TYPE_MAX) {
			rc = bad("unknown event type '%s' (try TCP_Connect,TCP_Accept,TCP_Close)", t);
			break;
		}
		mask |= 1u << type;
	}
	free(copy);
	if (rc == 0 && mask == 0)
		return bad("%s needs at least one event type", spelled(s));
	o->event_type_mask = mask;
	return rc;
}

#define FIELD(f) .field = offsetof(struct options, f), .field_size = sizeof(((struct options *)0)->f)
#define FLAG(f) .set = set_true, FIELD(f)
#define STRING(f) .has_arg = required_argument, .set = set_string, FIELD(f)
#define MODE(m) .set = set_mode, .mode = (m)
#define NUMBER(f, lo, hi) .has_arg = required_argument, .set = set_number, FIELD(f), .min = (lo), .max = (hi)

/* Tooltip phrases the local interfaces share. */
#define EMPTY_ALL "(empty: all)"

/*
 * The order of the rows is the order of --extcap-config's args (numbered
 * by it) and, within each section, of --help. Wireshark's dialog puts each
 * group on a tab, the tabs in the order of their first arg: ebpfremote
 * opens on Connection, the local interfaces on Filter, then Advanced,
 * Packets and TLS (test/gui_check.sh looks for Advanced second).
 */
const struct option_spec option_table[] = {
	/* Wireshark's extcap protocol (doc/extcap.adoc), and where people say -i and -w. */
	{ .name = "extcap-interfaces", MODE(MODE_INTERFACES), .section = HELP_OTHER },
	/*
	 * Wireshark 2.9 to 4.7 all send --extcap-version=MAJOR.MINOR with
	 * --extcap-interfaces (extcap.c: extcap_load_interface_list()), and
	 * again without it if that gave no output. The answer is the same for
	 * each: what older versions do not know, they ignore ({control=2}).
	 * "--extcap-version 4.4" is taken too, as a person may type it.
	 */
	{ .name = "extcap-version", .has_arg = optional_argument, .arg_may_follow = true, FLAG(extcap_version),
	  .section = HELP_OTHER },
	{ .name = "extcap-interface", .letter = 'i', STRING(interface), .section = HELP_CAPTURE, .metavar = "IFACE",
	  .help = IFACE_EVENTS " (default); an interface as --extcap-interfaces\n"
		  "lists it or by its kernel name (eth0, lo, veth...), or a pod\n"
		  "or container (its veth); or tcp://HOST:PORT (exporters, as\n"
		  "-i " IFACE_REMOTE "): packets and the events behind them" },
	{ .name = "extcap-dlts", MODE(MODE_DLTS), .section = HELP_OTHER },
	{ .name = "extcap-config", MODE(MODE_CONFIG), .section = HELP_OTHER },
	{ .name = "extcap-capture-filter", STRING(capture_filter), .section = HELP_OTHER },
	{ .name = "capture", .set = set_capture, .mode = MODE_CAPTURE, .section = HELP_OTHER },
	/* Wireshark's extcap control pipes (session.h): it may ask us to stop on the first. */
	{ .name = "extcap-control-in", STRING(control_in), .section = HELP_OTHER },
	{ .name = "extcap-control-out", STRING(control_out), .section = HELP_OTHER },
	{ .name = "fifo", .letter = 'w', STRING(fifo), .section = HELP_OUTPUT, .metavar = "FILE",
	  .help = "write pcapng to FILE (- for standard output)" },

	/* Lines on standard output. */
	{ .letter = 'r', .has_arg = required_argument, .set = set_read_file, .mode = MODE_READ,
	  .section = HELP_OUTPUT, .metavar = "FILE", .help = "print the events and packets of a capture file" },
	{ .letter = 'c', NUMBER(max_events, 1, UINT64_MAX), .wants = "a positive count",
	  .section = HELP_OUTPUT, .metavar = "COUNT", .help = "stop after COUNT events (with -r: events and packets)" },
	{ .letter = 'n', FLAG(print.numeric), .section = HELP_OUTPUT, .help = "numeric: uids, not user names" },
	{ .letter = 'v', FLAG(print.verbose), .section = HELP_OUTPUT,
	  .help = "verbose: a second line per event (exe, parent, container,\n"
		  "pod, cgroup, interface, TCP state, host)" },
	{ .name = "json", FLAG(print.json), .section = HELP_OUTPUT,
	  .help = "one JSON object per event (every field), live or with -r" },

	/* Remote collection (docs/REMOTE.md): where, how safely. */
	{ .name = "export", .has_arg = optional_argument, .arg_may_follow = true, .set = set_export,
	  FIELD(export_endpoint), .section = HELP_REMOTE, .metavar = "ENDPOINT",
	  .help = "publish events over ZMQ instead of writing a file\n"
		  "(default " ZMQ_EXPORT_DEFAULT_ENDPOINT ": root and group\n"
		  "wireshark only; see docs/REMOTE.md)" },
	{ .name = "export-connect", FLAG(export_connect), .section = HELP_REMOTE,
	  .help = "connect to a collector that binds (--remote-bind)" },
	{ .name = "insecure", FLAG(insecure), .section = HELP_REMOTE,
	  .help = "--export on tcp:// without CURVE: whoever reaches the port\n"
		  "reads every event (on loopback: every local user)" },
	{ .name = "remote-endpoints", STRING(remote_endpoints), .section = HELP_REMOTE, .metavar = "LIST",
	  .help = IFACE_REMOTE ": exporters to collect from, comma-separated",
	  .extcap = { .on = IFACE_KIND_REMOTE, .display = "Exporters", .group = "Connection",
		      .default_value = ZMQ_EXPORT_DEFAULT_ENDPOINT, .required = true,
		      .tooltip = "Comma-separated ZMQ endpoints of ebpfcap --export, e.g. "
				 "tcp://10.0.0.5:5556,tcp://10.0.0.6:5556; "
				 "an entry may end in |KEY, that exporter's public key" } },
	{ .name = "remote-bind", FLAG(remote_bind), .section = HELP_REMOTE,
	  .help = IFACE_REMOTE ": bind the endpoints; exporters connect",
	  .extcap = { .on = IFACE_KIND_REMOTE, .display = "Listen (exporters connect)", .group = "Connection",
		      .tooltip = "Bind the endpoints; exporters connect with --export-connect (e.g. from behind NAT)" } },
	{ .name = "server-key", STRING(server_key), .section = HELP_REMOTE, .metavar = "KEY|FILE",
	  .help = "CURVE: the binding side's public key",
	  .extcap = { .on = IFACE_KIND_REMOTE, .display = "Exporters' public key", .group = "Security",
		      .tooltip = "CURVE: Z85 public key (or key file) of the exporters; others are refused. "
				 "Empty: no encryption" } },
	{ .name = "secret-key", STRING(secret_key), .section = HELP_REMOTE, .metavar = "FILE",
	  .help = "CURVE: our key pair (from --gen-keys)",
	  .extcap = { .on = IFACE_KIND_REMOTE, .display = "Own key file", .group = "Security",
		      .file = EXTCAP_FILE_MUST_EXIST,
		      .tooltip = "CURVE: this collector's key file from ebpfcap --gen-keys (needed to listen with CURVE)" } },
	{ .name = "allowed-keys", STRING(allowed_keys), .section = HELP_REMOTE, .metavar = "FILE",
	  .help = "CURVE: public keys the binding side accepts",
	  .extcap = { .on = IFACE_KIND_REMOTE, .display = "Allowed exporters", .group = "Security",
		      .file = EXTCAP_FILE_MUST_EXIST,
		      .tooltip = "CURVE, listening: file of the exporters' public keys, one a line" } },
	{ .name = "gen-keys", MODE(MODE_GEN_KEYS), .section = HELP_REMOTE, .help = "print a new CURVE key pair" },

	/* Filters: in the kernel for local events, on each record for remote ones. */
	{ .name = "pid", NUMBER(pid, 0, UINT32_MAX), .wants = "a process id",
	  .section = HELP_FILTERS, .metavar = "PID",
	  .help = "only events of process PID and its children (all descendants:\n"
		  "the kernel follows each fork); on ebpfremote, PID and its direct\n"
		  "children only: a record names its pid and its parent's, no further ancestor",
	  .extcap = { .on = IFACE_KIND_LOCAL | IFACE_KIND_REMOTE, .display = "Process ID", .group = "Filter",
		      .tooltip = "Only events of this process and its children (empty: every process)",
		      .remote_tooltip = "Only events of this process and its direct children (empty: every process)" } },
	{ .name = "event-types", .has_arg = required_argument, .set = set_event_types, FIELD(event_type_mask),
	  .def = 0xffffffff, .section = HELP_FILTERS, .metavar = "LIST",
	  .help = "comma-separated, e.g. TCP_Connect,TCP_Close",
	  .extcap = { .on = IFACE_KIND_LOCAL | IFACE_KIND_REMOTE, .display = "Event types", .group = "Filter",
		      .validation = "^[A-Za-z_,]*$",
		      .tooltip = "Comma-separated, e.g. TCP_Connect,TCP_Close " EMPTY_ALL } },
	{ .name = "cgroup", STRING(cgroup), .section = HELP_FILTERS, .metavar = "PATH",
	  .help = "only events of cgroup PATH and below (e.g. /docker)" },
	{ .name = "container", STRING(container), .section = HELP_FILTERS, .metavar = "NAME|ID",
	  .help = "only events of this running container",
	  .extcap = { .on = IFACE_KIND_LOCAL, .display = "Container", .group = "Filter",
		      .tooltip = "Only events of this running container, by name or id " EMPTY_ALL } },
	{ .name = "pod", STRING(pod), .section = HELP_FILTERS, .metavar = "NAME[.NAMESPACE]",
	  .help = "only events of this pod's containers",
	  .extcap = { .on = IFACE_KIND_LOCAL, .display = "Pod", .group = "Filter",
		      .tooltip = "Only events of this pod's containers: NAME or NAME.NAMESPACE " EMPTY_ALL } },
	{ .name = "comm", .has_arg = required_argument, .set = set_comm, FIELD(comm),
	  .section = HELP_FILTERS, .metavar = "NAME", .help = "only events of processes named NAME",
	  .extcap = { .on = IFACE_KIND_LOCAL, .display = "Process name", .group = "Filter",
		      .tooltip = "Only events of processes with this name " EMPTY_ALL } },
	{ .name = "uid", .has_arg = required_argument, .set = set_uid, .section = HELP_FILTERS, .metavar = "USER",
	  .help = "only events of processes of USER (name or numeric uid)",
	  .extcap = { .on = IFACE_KIND_LOCAL, .display = "User", .group = "Filter",
		      .tooltip = "Only events of processes running as this user: a name or a numeric uid " EMPTY_ALL } },
	{ .name = "port", NUMBER(port, 1, 65535), .wants = "a port from {range}",
	  .section = HELP_FILTERS, .metavar = "PORT", .help = "only flows with PORT at either end",
	  .extcap = { .on = IFACE_KIND_LOCAL, .display = "Port", .group = "Filter",
		      .tooltip = "Only flows with this local or remote port, {range} " EMPTY_ALL } },
	{ .name = "family", .has_arg = required_argument, .set = set_family,
	  .section = HELP_FILTERS, .metavar = "4|6", .help = "only IPv4 or only IPv6" },
	{ .name = "udp-interval", NUMBER(udp_interval_ms, 10, 3600000), .def = 1000, .wants = "milliseconds from {range}",
	  .section = HELP_FILTERS, .metavar = "MS", .help = "UDP flow summary period (default {default})" },
	{ .name = "ringbuf-size", NUMBER(ringbuf_kib, 64, 1024 * 1024), .def = 8192, .wants = "KiB from {range}",
	  .section = HELP_FILTERS, .metavar = "KIB", .help = "kernel ring buffer size (default {default})",
	  .extcap = { .on = IFACE_KIND_LOCAL, .display = "Kernel buffer (KiB)", .group = "Advanced",
		      .tooltip = "Ring buffer between kernel and ebpfcap, {range}; larger loses fewer events "
				 "in bursts (empty: {default})" } },
	{ .name = "debug", FLAG(debug), .section = HELP_FILTERS, .help = "show libbpf's messages",
	  .extcap = { .on = IFACE_KIND_LOCAL | IFACE_KIND_REMOTE, .display = "Debug messages", .group = "Advanced",
		      .tooltip = "Show libbpf's messages on standard error",
		      .remote_tooltip = "Say on standard error why each bad message was dropped" } },

	/* Packets of an interface, and their TLS keys. */
	{ .name = "reorder-window", .has_arg = required_argument, .set = set_reorder_window, FIELD(reorder_window_ms),
	  .min = 0, .max = 10000, .def = 10,
	  .wants = "milliseconds from {range}", .section = HELP_PACKETS, .metavar = "MS",
	  .help = "packets wait MS for the event naming their owner (default {default};\n"
		  STR(TLS_REORDER_WINDOW_MS) " with --tls-secrets: keys must precede the packets they open)",
	  .extcap = { .on = IFACE_KIND_PACKETS, .display = "Reorder window (ms)", .group = "Packets",
		      .tooltip = "Packets wait this long for the event naming their process, then leave in "
				 "time order, {range} (empty: {default})" } },
	{ .name = "flow-table-size", NUMBER(flow_table_size, 16, 1u << 24), .def = 65536,
	  .wants = "a number of sockets from {range}", .section = HELP_PACKETS, .metavar = "N",
	  .help = "sockets remembered for attributing packets (default {default})",
	  .extcap = { .on = IFACE_KIND_PACKETS, .display = "Sockets remembered", .group = "Packets",
		      .tooltip = "Sockets whose owners are kept for attributing packets, {range}; the least "
				 "recently used are forgotten and counted (empty: {default})" } },
	/* Off unless ticked: the keys open every TLS conversation of the processes followed. */
	{ .name = "tls-secrets", FLAG(tls_secrets), .section = HELP_TLS,
	  .help = "TLS secrets of processes using OpenSSL 3 (libssl.so.3) go into\n"
		  "the capture (Decryption Secrets Blocks): Wireshark decrypts.\n"
		  "Sensitive: whoever reads the capture reads the traffic",
	  .extcap = { .on = IFACE_KIND_PACKETS, .display = "Decrypt TLS (OpenSSL 3 keys)", .group = "TLS",
		      .tooltip = "Take the TLS keys of processes using the shared OpenSSL 3 library (libssl.so.3) "
				 "and put them into the capture as Decryption Secrets Blocks, so Wireshark decrypts "
				 "their traffic. Whoever reads the capture can read that traffic. The filters limit "
				 "whose keys are taken" } },
	{ .name = "tls-keylog", .has_arg = required_argument, .set = set_tls_keylog,
	  .section = HELP_TLS, .metavar = "FILE",
	  .help = "also append them to FILE as an SSLKEYLOGFILE (implies\n--tls-secrets)",
	  .extcap = { .on = IFACE_KIND_PACKETS, .display = "Key log file", .group = "TLS", .file = EXTCAP_FILE_NEW,
		      .tooltip = "Also append the keys to this file in SSLKEYLOGFILE format (implies Decrypt TLS; "
				 "created readable by its owner only)" } },
	{ .name = "process-blocks", FLAG(process_blocks), .section = HELP_PACKETS,
	  .help = "describe each packet owner's process in a Wireshark process\n"
		  "information block (Wireshark 4.7/5.0 shows it; 4.0-4.6 show\n"
		  "each block as a \"Custom Block\" frame)",
	  .extcap = { .on = IFACE_KIND_PACKETS, .display = "Process information blocks", .group = "Packets",
		      .tooltip = "Describe each packet's process in a Wireshark process information block, for "
				 "Wireshark 4.7/5.0 (earlier versions show each block as a Custom Block frame)" } },

	{ .name = "capabilities", MODE(MODE_CAPABILITIES), .section = HELP_OTHER,
	  .help = "print the capabilities a capture needs, for setcap" },
	{ .name = "help", .letter = 'h', MODE(MODE_HELP), .section = HELP_OTHER, .help = "this text" },
	{ .name = "version", MODE(MODE_VERSION), .section = HELP_OTHER, .help = "print the version" },
};

#define N_OPTIONS (sizeof(option_table) / sizeof(option_table[0]))
const size_t option_count = N_OPTIONS;

const struct option_spec *options_find(const char *name)
{
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (option_table[i].name && strcmp(option_table[i].name, name) == 0)
			return &option_table[i];
	return NULL;
}

/* --help: the column where the explanations start. */
#define HELP_INDENT "                                "

/* As docs/ebpfcap.1's OPTIONS subsections are titled: test/unit/unit_options.c finds each option under its own. */
const char *const help_section_titles[HELP_SECTIONS] = {
	[HELP_CAPTURE] = "What to capture",
	[HELP_OUTPUT] = "Output",
	[HELP_FILTERS] = "Filters (applied in the kernel)",
	[HELP_PACKETS] = "Packets of an interface",
	[HELP_TLS] = "TLS decryption",
	[HELP_REMOTE] = "Remote collection (ZMQ)",
	[HELP_OTHER] = "Wireshark's extcap protocol",
};

/* What to capture besides -i: the words after the options, and a command. */
static const char help_operands[] =
	"  EXPRESSION                    a pcap-filter(7) expression for the packets of an interface\n"
	"                                (as tcpdump: ebpfcap -i eth0 tcp port 80); not for events\n"
	"  -- COMMAND [ARGS...]          run COMMAND and capture only it and its children, from\n"
	"                                its first instruction; the capture ends when it has exited\n"
	"                                and its events are read. ebpfcap exits 0 whatever the\n"
	"                                command's status (said on stderr when not 0), 1 if the\n"
	"                                capture failed or the command could not be run\n";

static void usage_option(FILE *out, const struct option_spec *s)
{
	char head[64];
	int n;

	if (s->letter && s->name)
		n = snprintf(head, sizeof(head), "  -%c, --%s", s->letter, s->name);
	else if (s->letter)
		n = snprintf(head, sizeof(head), "  -%c", s->letter);
	else
		n = snprintf(head, sizeof(head), "      --%s", s->name);
	if (s->has_arg == optional_argument)
		n += snprintf(head + n, sizeof(head) - n, "[=%s]", s->metavar);
	else if (s->has_arg == required_argument)
		n += snprintf(head + n, sizeof(head) - n, " %s", s->metavar);
	fprintf(out, "%-*s", (int)sizeof(HELP_INDENT) - 1, head);
	if (n >= (int)sizeof(HELP_INDENT) - 1)
		fprintf(out, "\n" HELP_INDENT);
	put_text(out, s->help, s, HELP_INDENT);
	fputc('\n', out);
}

void options_usage(FILE *out)
{
	fprintf(out,
		"Usage: ebpfcap [-i IFACE] [-w FILE|-] [-c COUNT] [-n] [-v] [--json] [filters] [EXPRESSION]\n"
		"       ebpfcap [options] -- COMMAND [ARGS...]\n"
		"       ebpfcap -r FILE [-c COUNT] [-n] [-v] [--json]\n"
		"       ebpfcap --extcap-interfaces | --extcap-interface IFACE --extcap-dlts|--extcap-config\n"
		"       ebpfcap --extcap-interface IFACE --capture --fifo PATH [options]\n"
		"\n"
		"Shows which process, user, container and pod is behind each TCP and UDP\n"
		"conversation, from the kernel's tracepoints. Without -w or --export, one line\n"
		"per event on standard output (time, event, process(pid), user, container or\n"
		"pod, local -> remote, what the kernel measured). See ebpfcap(1).\n");
	for (int section = 0; section < HELP_SECTIONS; section++) {
		fprintf(out, "\n%s:\n", help_section_titles[section]);
		for (size_t i = 0; i < N_OPTIONS; i++)
			if (option_table[i].help && option_table[i].section == (enum help_section)section)
				usage_option(out, &option_table[i]);
		if (section == HELP_CAPTURE)
			fputs(help_operands, out);
	}
}

static const char *extcap_type(const struct option_spec *s)
{
	if (s->has_arg == no_argument)
		return "boolflag";
	return s->extcap.file != EXTCAP_NOT_A_FILE ? "fileselect" : "string";
}

/*
 * Numbered by position: Wireshark keeps an arg's saved value under the
 * interface and the call (extcap.c: extcap_pref_for_argument(), the
 * preference extcap.<interface>.<call without dashes>), and uses numbers
 * only to attach value lines to their arg and to order the dialog's tabs.
 */
void options_print_extcap_args(FILE *out, enum iface_kind kind)
{
	unsigned number = 0;

	for (size_t i = 0; i < N_OPTIONS; i++) {
		const struct option_spec *s = &option_table[i];
		const struct extcap_arg *a = &s->extcap;
		const char *validation = a->validation ? a->validation : s->max ? "^[0-9]*$" : NULL;
		const char *tooltip = kind == IFACE_KIND_REMOTE && a->remote_tooltip ? a->remote_tooltip : a->tooltip;

		if (!(a->on & kind))
			continue;
		fprintf(out, "arg {number=%u}{call=--%s}{display=%s}{type=%s}", number++, s->name, a->display,
			extcap_type(s));
		if (a->file != EXTCAP_NOT_A_FILE)
			fprintf(out, "{mustexist=%s}", a->file == EXTCAP_FILE_MUST_EXIST ? "true" : "false");
		if (a->default_value)
			fprintf(out, "{default=%s}", a->default_value);
		if (a->required)
			fputs("{required=true}", out);
		if (validation)
			fprintf(out, "{validation=%s}", validation);
		fputs("{tooltip=", out);
		put_text(out, tooltip, s, NULL);
		fprintf(out, "}{group=%s}\n", a->group);
	}
}

/* getopt_long's view of the table: a letter returns itself, a long name alone its row + LONG_ONLY. */
#define LONG_ONLY 256

static struct option long_options[N_OPTIONS + 1];
static char short_options[3 * N_OPTIONS + 1]; /* a letter and "::" each, at most */

static void build_getopt_tables(void)
{
	size_t n_long = 0;
	char *p = short_options;

	for (size_t i = 0; i < N_OPTIONS; i++) {
		const struct option_spec *s = &option_table[i];
		int val = s->letter ? s->letter : LONG_ONLY + (int)i;

		if (s->name)
			long_options[n_long++] = (struct option){ s->name, s->has_arg, NULL, val };
		if (s->letter) {
			*p++ = s->letter;
			if (s->has_arg != no_argument)
				*p++ = ':';
			if (s->has_arg == optional_argument)
				*p++ = ':';
		}
	}
	*p = '\0';
	long_options[n_long] = (struct option){ 0 };
}

static const struct option_spec *spec_of(int c)
{
	if (c >= LONG_ONLY)
		return &option_table[c - LONG_ONLY];
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (option_table[i].letter == c)
			return &option_table[i];
	return NULL; /* '?': getopt already said what was wrong, on one line */
}

/* tcpdump's habit: the words after the options are one filter expression. */
static int take_filter_words(int first, int end, char **argv, struct options *o)
{
	size_t len = 1;
	char *expr;

	if (first >= end)
		return 0;
	if (o->capture_filter)
		return bad("give the capture filter once: as words or as --extcap-capture-filter, not both");
	for (int i = first; i < end; i++)
		len += strlen(argv[i]) + 1;
	expr = calloc(1, len); /* lives as long as the process */
	if (!expr)
		return bad("out of memory");
	for (int i = first; i < end; i++) {
		strcat(expr, argv[i]);
		if (i + 1 < end)
			strcat(expr, " ");
	}
	o->capture_filter = expr;
	return 0;
}

/* "-i tcp://host:5556" is the remote interface with that exporter. */
static int take_remote_interface(struct options *o)
{
	if (!o->interface || !strstr(o->interface, "://"))
		return 0;
	if (o->remote_endpoints)
		return bad("-i %s names the exporter already: drop --remote-endpoints", o->interface);
	o->remote_endpoints = o->interface;
	o->interface = IFACE_REMOTE;
	return 0;
}

static bool has_event_filter(const struct options *o)
{
	return o->pid || o->comm || o->by_uid || o->cgroup || o->container || o->pod || o->port ||
	       o->family || o->event_type_mask != 0xffffffff;
}

/* What a person may combine, once everything is parsed. */
static int check_combinations(struct options *o)
{
	bool lines = o->mode == MODE_READ || (o->mode == MODE_CAPTURE && !o->fifo && !o->export_endpoint);

	if (o->export_endpoint && o->fifo)
		return bad("--export publishes instead of writing a file: drop --fifo/-w");
	if (o->tls_secrets && !o->tls_keylog && (o->export_endpoint || (o->mode == MODE_CAPTURE && !o->fifo)))
		return bad("--tls-secrets puts the keys into a pcapng capture: add -w FILE, or --tls-keylog FILE");
	if (o->tls_secrets && !o->reorder_window_set)
		o->reorder_window_ms = TLS_REORDER_WINDOW_MS;
	if (o->export_connect && !o->export_endpoint)
		return bad("--export-connect needs --export=ENDPOINT (the collector's address)");
	if (o->print.json && !lines)
		return bad("--json prints lines: it does not go with -w or --export");
	if (o->mode == MODE_READ && (o->capture_filter || o->command || has_event_filter(o)))
		return bad("-r prints a whole file: filters apply to a capture (or use tshark -r FILE -Y ...)");
	if (o->command && o->mode != MODE_CAPTURE)
		return bad("-- COMMAND runs a command for a capture");
	if (o->command && o->pid)
		return bad("--pid and -- COMMAND both choose the process: give one");
	if (o->from_wireshark && !o->fifo)
		return bad("a capture needs --fifo PATH");
	if ((o->control_in || o->control_out) && !o->from_wireshark)
		return bad("--extcap-control-in/--extcap-control-out are Wireshark's, for a --capture");
	if ((o->mode == MODE_DLTS || o->mode == MODE_CONFIG) && !o->interface)
		return bad("--extcap-dlts and --extcap-config need --extcap-interface");
	return 0;
}

int options_parse(int argc, char **argv, struct options *o)
{
	int c, end = argc;

	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (option_table[i].def)
			store_number(&option_table[i], o, option_table[i].def);
	/* Everything after the first "--" is the command, never options or filter words. */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			end = i;
			if (i + 1 == argc)
				return bad("-- needs a command to run, e.g. ebpfcap -- curl http://127.0.0.1/");
			o->command = argv + i + 1;
			break;
		}
	build_getopt_tables();
	opterr = 1;
	while ((c = getopt_long(end, argv, short_options, long_options, NULL)) != -1) {
		const struct option_spec *s = spec_of(c);

		if (!s)
			return -1;
		if (s->arg_may_follow && !optarg && optind < end && argv[optind][0] != '-')
			optarg = argv[optind++];
		if (s->set(s, optarg, o) < 0)
			return -1;
	}
	/* Wireshark asks whether its --extcap-capture-filter is valid (filter words are a capture's). */
	if (o->mode == MODE_NONE && o->capture_filter && o->interface && !o->fifo && !o->export_endpoint)
		o->mode = MODE_CHECK_FILTER;
	if (take_filter_words(optind, end, argv, o) < 0 || take_remote_interface(o) < 0)
		return -1;
	/* Alone, --extcap-version asks who we are, as Wireshark's own extcaps answer it. */
	if (o->mode == MODE_NONE && o->extcap_version)
		o->mode = MODE_EXTCAP_VERSION;
	/* The human CLI: plain `ebpfcap` captures, as plain tcpdump does. */
	if (o->mode == MODE_NONE)
		o->mode = MODE_CAPTURE;
	if (o->mode == MODE_CAPTURE && !o->interface)
		o->interface = IFACE_EVENTS;
	return check_combinations(o);
}
