/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Command line: the extcap protocol Wireshark speaks (--extcap-*, --capture,
 * --fifo) and the same capture for people, with tcpdump's habits (-i, -w,
 * -r, -c, -n, -v, a filter expression after the options) and `-- CMD`.
 */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#include "remote.h"
#include "bpf/ebpf_record.h"
#include "utils/record/record.h"
#include "utils/transport/zmq_transport.h"

enum {
	OPT_EXTCAP_INTERFACES = 1000,
	OPT_EXTCAP_VERSION,
	OPT_EXTCAP_INTERFACE,
	OPT_EXTCAP_DLTS,
	OPT_EXTCAP_CONFIG,
	OPT_EXTCAP_CAPTURE_FILTER,
	OPT_CAPTURE,
	OPT_FIFO,
	OPT_PID,
	OPT_EVENT_TYPES,
	OPT_RINGBUF_SIZE,
	OPT_COMM,
	OPT_CGROUP,
	OPT_CONTAINER,
	OPT_POD,
	OPT_PORT,
	OPT_FAMILY,
	OPT_UDP_INTERVAL,
	OPT_DEBUG,
	OPT_VERSION,
	OPT_EXPORT,
	OPT_EXPORT_CONNECT,
	OPT_INSECURE,
	OPT_GEN_KEYS,
	OPT_REMOTE_ENDPOINTS,
	OPT_REMOTE_BIND,
	OPT_SECRET_KEY,
	OPT_SERVER_KEY,
	OPT_ALLOWED_KEYS,
	OPT_REORDER_WINDOW,
	OPT_FLOW_TABLE_SIZE,
	OPT_PROCESS_BLOCKS,
	OPT_UID,
	OPT_JSON,
	OPT_CAPABILITIES,
	OPT_TLS_SECRETS,
	OPT_TLS_KEYLOG,
};

static const struct option long_options[] = {
	{ "extcap-interfaces", no_argument, NULL, OPT_EXTCAP_INTERFACES },
	{ "extcap-version", optional_argument, NULL, OPT_EXTCAP_VERSION },
	{ "extcap-interface", required_argument, NULL, OPT_EXTCAP_INTERFACE },
	{ "extcap-dlts", no_argument, NULL, OPT_EXTCAP_DLTS },
	{ "extcap-config", no_argument, NULL, OPT_EXTCAP_CONFIG },
	{ "extcap-capture-filter", required_argument, NULL, OPT_EXTCAP_CAPTURE_FILTER },
	{ "capture", no_argument, NULL, OPT_CAPTURE },
	{ "fifo", required_argument, NULL, OPT_FIFO },
	{ "pid", required_argument, NULL, OPT_PID },
	{ "event-types", required_argument, NULL, OPT_EVENT_TYPES },
	{ "ringbuf-size", required_argument, NULL, OPT_RINGBUF_SIZE },
	{ "comm", required_argument, NULL, OPT_COMM },
	{ "cgroup", required_argument, NULL, OPT_CGROUP },
	{ "container", required_argument, NULL, OPT_CONTAINER },
	{ "pod", required_argument, NULL, OPT_POD },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "family", required_argument, NULL, OPT_FAMILY },
	{ "udp-interval", required_argument, NULL, OPT_UDP_INTERVAL },
	{ "debug", no_argument, NULL, OPT_DEBUG },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "export", optional_argument, NULL, OPT_EXPORT },
	{ "export-connect", no_argument, NULL, OPT_EXPORT_CONNECT },
	{ "insecure", no_argument, NULL, OPT_INSECURE },
	{ "gen-keys", no_argument, NULL, OPT_GEN_KEYS },
	{ "remote-endpoints", required_argument, NULL, OPT_REMOTE_ENDPOINTS },
	{ "remote-bind", no_argument, NULL, OPT_REMOTE_BIND },
	{ "secret-key", required_argument, NULL, OPT_SECRET_KEY },
	{ "server-key", required_argument, NULL, OPT_SERVER_KEY },
	{ "allowed-keys", required_argument, NULL, OPT_ALLOWED_KEYS },
	{ "reorder-window", required_argument, NULL, OPT_REORDER_WINDOW },
	{ "flow-table-size", required_argument, NULL, OPT_FLOW_TABLE_SIZE },
	{ "process-blocks", no_argument, NULL, OPT_PROCESS_BLOCKS },
	{ "uid", required_argument, NULL, OPT_UID },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "capabilities", no_argument, NULL, OPT_CAPABILITIES },
	{ "tls-secrets", no_argument, NULL, OPT_TLS_SECRETS },
	{ "tls-keylog", required_argument, NULL, OPT_TLS_KEYLOG },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void options_usage(void)
{
	printf("Usage: ebpfcap [-i IFACE] [-w FILE|-] [-c COUNT] [-n] [-v] [--json] [filters] [EXPRESSION]\n"
	       "       ebpfcap [options] -- COMMAND [ARGS...]\n"
	       "       ebpfcap -r FILE [-c COUNT] [-n] [-v] [--json]\n"
	       "       ebpfcap --extcap-interfaces | --extcap-interface IFACE --extcap-dlts|--extcap-config\n"
	       "       ebpfcap --extcap-interface IFACE --capture --fifo PATH [options]\n"
	       "\n"
	       "Shows which process, user, container and pod is behind each TCP and UDP\n"
	       "conversation, from the kernel's tracepoints. Without -w or --export, one line\n"
	       "per event on standard output (time, event, process[pid], user, container or\n"
	       "pod, local -> remote, what the kernel measured). See ebpfcap(1).\n"
	       "\n"
	       "  -i IFACE                      " IFACE_EVENTS " (default); an interface as --extcap-interfaces\n"
	       "                                lists it or by its kernel name (eth0, lo, veth...), or a pod\n"
	       "                                or container (its veth); or tcp://HOST:PORT (exporters, as\n"
	       "                                -i " IFACE_REMOTE "): packets and the events behind them\n"
	       "  -w FILE                       write pcapng to FILE (- for standard output)\n"
	       "  -r FILE                       print the events and packets of a capture file\n"
	       "  -c COUNT                      stop after COUNT events (with -r: events and packets)\n"
	       "  -n                            numeric: uids, not user names\n"
	       "  -v                            verbose: a second line per event (exe, parent, container,\n"
	       "                                pod, cgroup, interface, TCP state, host)\n"
	       "      --json                    one JSON object per event (every field), live or with -r\n"
	       "  EXPRESSION                    a pcap-filter(7) expression for the packets of an interface\n"
	       "                                (as tcpdump: ebpfcap -i eth0 tcp port 80); not for events\n"
	       "  -- COMMAND [ARGS...]          run COMMAND and capture only it and its children, from\n"
	       "                                its first instruction; the capture ends when it has exited\n"
	       "                                and its events are read. ebpfcap exits 0 whatever the\n"
	       "                                command's status (said on stderr when not 0), 1 if the\n"
	       "                                capture failed or the command could not be run\n"
	       "      --pid PID                 only events of process PID and its children\n"
	       "      --comm NAME               only events of processes named NAME\n"
	       "      --uid USER                only events of processes of USER (name or numeric uid)\n"
	       "      --cgroup PATH             only events of cgroup PATH and below (e.g. /docker)\n"
	       "      --container NAME|ID       only events of this running container\n"
	       "      --pod NAME[.NAMESPACE]    only events of this pod's containers\n"
	       "      --port PORT               only flows with PORT at either end\n"
	       "      --family 4|6              only IPv4 or only IPv6\n"
	       "      --udp-interval MS         UDP flow summary period (default 1000)\n"
	       "      --event-types LIST        comma-separated, e.g. TCP_Connect,TCP_Close\n"
	       "      --ringbuf-size KIB        kernel ring buffer size (default 8192)\n"
	       "      --reorder-window MS       packets wait MS for the event naming their owner (default 10;\n"
	       "                                500 with --tls-secrets: keys must precede the packets they open)\n"
	       "      --tls-secrets             TLS secrets of processes using OpenSSL 3 (libssl.so.3) go into\n"
	       "                                the capture (Decryption Secrets Blocks): Wireshark decrypts.\n"
	       "                                Sensitive: whoever reads the capture reads the traffic\n"
	       "      --tls-keylog FILE         also append them to FILE as an SSLKEYLOGFILE (implies\n"
	       "                                --tls-secrets)\n"
	       "      --flow-table-size N       sockets remembered for attributing packets (default 65536)\n"
	       "      --process-blocks          describe each packet owner's process in a Wireshark process\n"
	       "                                information block (Wireshark 4.7/5.0 shows it; 4.0-4.6 show\n"
	       "                                each block as a \"Custom Block\" frame)\n"
	       "      --debug                   show libbpf's messages\n"
	       "      --export[=ENDPOINT]       publish events over ZMQ instead of writing a file\n"
	       "                                (default " ZMQ_EXPORT_DEFAULT_ENDPOINT ": root and group\n"
	       "                                wireshark only; see docs/REMOTE.md)\n"
	       "      --export-connect          connect to a collector that binds (--remote-bind)\n"
	       "      --insecure                --export on tcp:// without CURVE: whoever reaches the port\n"
	       "                                reads every event (on loopback: every local user)\n"
	       "      --remote-endpoints LIST   " IFACE_REMOTE ": exporters to collect from, comma-separated\n"
	       "      --remote-bind             " IFACE_REMOTE ": bind the endpoints; exporters connect\n"
	       "      --secret-key FILE         CURVE: our key pair (from --gen-keys)\n"
	       "      --server-key KEY|FILE     CURVE: the binding side's public key\n"
	       "      --allowed-keys FILE       CURVE: public keys the binding side accepts\n"
	       "      --gen-keys                print a new CURVE key pair\n"
	       "      --capabilities            print the capabilities a capture needs, for setcap\n"
	       "      --extcap-interface IFACE  as -i, for Wireshark; --fifo PATH as -w\n"
	       "  -h, --help                    this text\n"
	       "      --version                 print the version\n");
}

static int bad(const char *fmt, const char *arg)
{
	fprintf(stderr, "ebpfcap: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return -1;
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

static int parse_event_types(const char *list, uint32_t *mask)
{
	char *copy = strdup(list), *save = NULL;
	int rc = 0;

	*mask = 0;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		unsigned type;

		for (type = 1; type <= EBPF_EVENT_TYPE_MAX; type++)
			if (strcmp(t, ebpf_event_type_name(type)) == 0)
				break;
		if (type > EBPF_EVENT_TYPE_MAX) {
			rc = bad("unknown event type '%s' (try TCP_Connect,TCP_Accept,TCP_Close)", t);
			break;
		}
		*mask |= 1u << type;
	}
	free(copy);
	if (rc == 0 && *mask == 0)
		return bad("--event-types needs at least one event type%s", "");
	return rc;
}

/* A user name or a numeric uid: scripts use both. */
static int parse_uid(const char *arg, struct options *o)
{
	struct passwd *pw;
	uint64_t v;

	if (parse_u64(arg, UINT32_MAX - 1, &v) == 0) {
		o->uid = (uint32_t)v;
	} else if (*arg && (pw = getpwnam(arg)) != NULL) {
		o->uid = pw->pw_uid;
	} else {
		return bad("--uid wants a user name or a numeric uid, not '%s'", arg);
	}
	o->by_uid = true;
	return 0;
}

static int parse_one(int c, const char *arg, struct options *o)
{
	uint64_t v;

	switch (c) {
	case OPT_EXTCAP_INTERFACES: o->mode = MODE_INTERFACES; break;
	case OPT_EXTCAP_VERSION: break; /* we speak the 4.0 protocol whatever is asked */
	case OPT_EXTCAP_INTERFACE: case 'i': o->interface = arg; break;
	case OPT_EXTCAP_DLTS: o->mode = MODE_DLTS; break;
	case OPT_EXTCAP_CONFIG: o->mode = MODE_CONFIG; break;
	case OPT_EXTCAP_CAPTURE_FILTER: o->capture_filter = arg; break;
	case OPT_CAPTURE: o->mode = MODE_CAPTURE; o->from_wireshark = true; break;
	case OPT_FIFO: case 'w': o->fifo = arg; break;
	case OPT_DEBUG: o->debug = true; break;
	case OPT_VERSION: o->mode = MODE_VERSION; break;
	case OPT_CAPABILITIES: o->mode = MODE_CAPABILITIES; break;
	case OPT_TLS_SECRETS: o->tls_secrets = true; break;
	case OPT_TLS_KEYLOG: o->tls_keylog = *arg ? arg : NULL; o->tls_secrets |= *arg != 0; break;
	case 'h': o->mode = MODE_HELP; break;
	case 'r': o->mode = MODE_READ; o->read_file = arg; break;
	case OPT_EXPORT: o->export_endpoint = arg ? arg : ZMQ_EXPORT_DEFAULT_ENDPOINT; break;
	case OPT_EXPORT_CONNECT: o->export_connect = true; break;
	case OPT_INSECURE: o->insecure = true; break;
	case OPT_GEN_KEYS: o->mode = MODE_GEN_KEYS; break;
	case OPT_REMOTE_ENDPOINTS: o->remote_endpoints = arg; break;
	case OPT_REMOTE_BIND: o->remote_bind = true; break;
	case OPT_SECRET_KEY: o->secret_key = arg; break;
	case OPT_SERVER_KEY: o->server_key = arg; break;
	case OPT_ALLOWED_KEYS: o->allowed_keys = arg; break;
	case OPT_PID:
		if (parse_u64(arg, UINT32_MAX, &v) < 0)
			return bad("--pid wants a process id, not '%s'", arg);
		o->pid = (uint32_t)v;
		break;
	case 'c':
		if (parse_u64(arg, UINT64_MAX, &v) < 0 || v == 0)
			return bad("-c wants a positive count, not '%s'", arg);
		o->max_events = v;
		break;
	case OPT_RINGBUF_SIZE:
		if (parse_u64(arg, 1024 * 1024, &v) < 0 || v < 64)
			return bad("--ringbuf-size wants KiB between 64 and 1048576, not '%s'", arg);
		o->ringbuf_kib = (uint32_t)v;
		break;
	case OPT_REORDER_WINDOW:
		if (parse_u64(arg, 10000, &v) < 0)
			return bad("--reorder-window wants milliseconds from 0 to 10000, not '%s'", arg);
		o->reorder_window_ms = (uint32_t)v;
		o->reorder_window_set = true;
		break;
	case OPT_PROCESS_BLOCKS: o->process_blocks = true; break;
	case OPT_FLOW_TABLE_SIZE:
		if (parse_u64(arg, 1u << 24, &v) < 0 || v < 16)
			return bad("--flow-table-size wants a number of sockets from 16 to 16777216, not '%s'", arg);
		o->flow_table_size = (uint32_t)v;
		break;
	case OPT_EVENT_TYPES:
		return parse_event_types(arg, &o->event_type_mask);
	case OPT_COMM:
		if (strlen(arg) == 0 || strlen(arg) >= EBPF_COMM_LEN)
			return bad("--comm wants a process name of 1 to 15 characters, not '%s'", arg);
		o->comm = arg;
		break;
	case OPT_CGROUP:
		o->cgroup = arg;
		break;
	case OPT_CONTAINER:
		o->container = arg;
		break;
	case OPT_POD:
		o->pod = arg;
		break;
	case OPT_UID:
		return parse_uid(arg, o);
	case OPT_JSON: o->print.json = true; break;
	case 'n': o->print.numeric = true; break;
	case 'v': o->print.verbose = true; break;
	case OPT_PORT:
		if (parse_u64(arg, 65535, &v) < 0 || v == 0)
			return bad("--port wants a port from 1 to 65535, not '%s'", arg);
		o->port = (uint16_t)v;
		break;
	case OPT_FAMILY:
		if (strcmp(arg, "4") && strcmp(arg, "6"))
			return bad("--family wants 4 or 6, not '%s'", arg);
		o->family = arg[0] == '4' ? 2 : 10;
		break;
	case OPT_UDP_INTERVAL:
		if (parse_u64(arg, 3600000, &v) < 0 || v < 10)
			return bad("--udp-interval wants milliseconds from 10 to 3600000, not '%s'", arg);
		o->udp_interval_ms = (uint32_t)v;
		break;
	default:
		return -1; /* getopt already said what was wrong, on one line */
	}
	return 0;
}

/* tcpdump's habit: the words after the options are one filter expression. */
static int take_filter_words(int first, int end, char **argv, struct options *o)
{
	size_t len = 1;
	char *expr;

	if (first >= end)
		return 0;
	if (o->capture_filter)
		return bad("give the capture filter once: as words or as --extcap-capture-filter, not both%s", "");
	for (int i = first; i < end; i++)
		len += strlen(argv[i]) + 1;
	expr = calloc(1, len); /* lives as long as the process */
	if (!expr)
		return bad("out of memory%s", "");
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
		return bad("--export publishes instead of writing a file: drop --fifo/-w%s", "");
	if (o->tls_secrets && !o->tls_keylog && (o->export_endpoint || (o->mode == MODE_CAPTURE && !o->fifo)))
		return bad("--tls-secrets puts the keys into a pcapng capture: add -w FILE, or --tls-keylog FILE%s", "");
	if (o->tls_secrets && !o->reorder_window_set)
		o->reorder_window_ms = TLS_REORDER_WINDOW_MS;
	if (o->export_connect && !o->export_endpoint)
		return bad("--export-connect needs --export=ENDPOINT (the collector's address)%s", "");
	if (o->print.json && !lines)
		return bad("--json prints lines: it does not go with -w or --export%s", "");
	if (o->mode == MODE_READ && (o->capture_filter || o->command || has_event_filter(o)))
		return bad("-r prints a whole file: filters apply to a capture (or use tshark -r FILE -Y ...)%s", "");
	if (o->command && o->mode != MODE_CAPTURE)
		return bad("-- COMMAND runs a command for a capture%s", "");
	if (o->command && o->pid)
		return bad("--pid and -- COMMAND both choose the process: give one%s", "");
	if (o->from_wireshark && !o->fifo)
		return bad("a capture needs --fifo PATH%s", "");
	if ((o->mode == MODE_DLTS || o->mode == MODE_CONFIG) && !o->interface)
		return bad("--extcap-dlts and --extcap-config need --extcap-interface%s", "");
	return 0;
}

int options_parse(int argc, char **argv, struct options *o)
{
	int c, end = argc;

	memset(o, 0, sizeof(*o));
	o->event_type_mask = 0xffffffff;
	o->ringbuf_kib = 8192;
	o->udp_interval_ms = 1000;
	o->reorder_window_ms = 10;
	o->flow_table_size = 65536;
	/* Everything after the first "--" is the command, never options or filter words. */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			end = i;
			if (i + 1 == argc)
				return bad("-- needs a command to run, e.g. ebpfcap -- curl http://127.0.0.1/%s", "");
			o->command = argv + i + 1;
			break;
		}
	opterr = 1;
	while ((c = getopt_long(end, argv, "hi:w:c:r:nv", long_options, NULL)) != -1) {
		/* "--export ENDPOINT" as well as "--export=ENDPOINT"; a bare --export is the default. */
		if (c == OPT_EXPORT && !optarg && optind < end && argv[optind][0] != '-')
			optarg = argv[optind++];
		if (parse_one(c, optarg, o) < 0)
			return -1;
	}
	/* Wireshark asks whether its --extcap-capture-filter is valid (filter words are a capture's). */
	if (o->mode == MODE_NONE && o->capture_filter && o->interface && !o->fifo && !o->export_endpoint)
		o->mode = MODE_CHECK_FILTER;
	if (take_filter_words(optind, end, argv, o) < 0 || take_remote_interface(o) < 0)
		return -1;
	/* The human CLI: plain `ebpfcap` captures, as plain tcpdump does. */
	if (o->mode == MODE_NONE)
		o->mode = MODE_CAPTURE;
	if (o->mode == MODE_CAPTURE && !o->interface)
		o->interface = IFACE_EVENTS;
	return check_combinations(o);
}
