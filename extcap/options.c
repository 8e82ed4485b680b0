/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Command line: the extcap protocol Wireshark speaks (--extcap-*, --capture,
 * --fifo) and the same capture for people (-i, -w, -c).
 */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/types.h>

#include "bpf/ebpf_record.h"
#include "utils/record.h"
#include "utils/zmq_transport.h"

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
	OPT_GEN_KEYS,
	OPT_REMOTE_ENDPOINTS,
	OPT_REMOTE_BIND,
	OPT_SECRET_KEY,
	OPT_SERVER_KEY,
	OPT_ALLOWED_KEYS,
	OPT_CAPABILITIES,
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
	{ "gen-keys", no_argument, NULL, OPT_GEN_KEYS },
	{ "remote-endpoints", required_argument, NULL, OPT_REMOTE_ENDPOINTS },
	{ "remote-bind", no_argument, NULL, OPT_REMOTE_BIND },
	{ "secret-key", required_argument, NULL, OPT_SECRET_KEY },
	{ "server-key", required_argument, NULL, OPT_SERVER_KEY },
	{ "allowed-keys", required_argument, NULL, OPT_ALLOWED_KEYS },
	{ "capabilities", no_argument, NULL, OPT_CAPABILITIES },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void options_usage(void)
{
	printf("Usage: ebpfcap [-i IFACE] [-w FILE|-] [-c COUNT] [--pid PID] [--event-types LIST]\n"
	       "       ebpfcap -r FILE\n"
	       "       ebpfcap --extcap-interfaces | --extcap-interface IFACE --extcap-dlts|--extcap-config\n"
	       "       ebpfcap --extcap-interface IFACE --capture --fifo PATH [options]\n"
	       "\n"
	       "Shows which process is behind each TCP connection, from the kernel's tracepoints.\n"
	       "\n"
	       "  -i, --extcap-interface IFACE  interface to capture (default: " IFACE_EVENTS ")\n"
	       "  -w, --fifo FILE               write pcapng to FILE (- for standard output)\n"
	       "  -c COUNT                      stop after COUNT events\n"
	       "  -r FILE                       print the events of a capture file, one per line\n"
	       "      --pid PID                 only events of process PID and its children\n"
	       "      --comm NAME               only events of processes named NAME\n"
	       "      --cgroup PATH             only events of cgroup PATH and below (e.g. /docker)\n"
	       "      --container NAME|ID       only events of this running container\n"
	       "      --pod NAME[.NAMESPACE]    only events of this pod's containers\n"
	       "      --port PORT               only flows with PORT at either end\n"
	       "      --family 4|6              only IPv4 or only IPv6\n"
	       "      --udp-interval MS         UDP flow summary period (default 1000)\n"
	       "      --event-types LIST        comma-separated, e.g. TCP_Connect,TCP_Close\n"
	       "      --ringbuf-size KIB        kernel ring buffer size (default 8192)\n"
	       "      --debug                   show libbpf's messages\n"
	       "      --export[=ENDPOINT]       publish events over ZMQ instead of writing a file\n"
	       "                                (default tcp://127.0.0.1:5556; see docs/REMOTE.md)\n"
	       "      --export-connect          connect to a collector that binds (--remote-bind)\n"
	       "      --remote-endpoints LIST   ebpfremote: exporters to collect from, comma-separated\n"
	       "      --remote-bind             ebpfremote: bind the endpoints; exporters connect\n"
	       "      --secret-key FILE         CURVE: our key pair (from --gen-keys)\n"
	       "      --server-key KEY|FILE     CURVE: the binding side's public key\n"
	       "      --allowed-keys FILE       CURVE: public keys the binding side accepts\n"
	       "      --gen-keys                print a new CURVE key pair\n"
	       "      --capabilities            print the capabilities a capture needs, for setcap\n"
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
	case 'h': o->mode = MODE_HELP; break;
	case 'r': o->mode = MODE_READ; o->read_file = arg; break;
	case OPT_EXPORT: o->export_endpoint = arg ? arg : ZMQ_EXPORT_DEFAULT_ENDPOINT; break;
	case OPT_EXPORT_CONNECT: o->export_connect = true; break;
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

int options_parse(int argc, char **argv, struct options *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	o->event_type_mask = 0xffffffff;
	o->ringbuf_kib = 8192;
	o->udp_interval_ms = 1000;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "hi:w:c:r:", long_options, NULL)) != -1) {
		/* "--export ENDPOINT" as well as "--export=ENDPOINT"; a bare --export is loopback. */
		if (c == OPT_EXPORT && !optarg && optind < argc && argv[optind][0] != '-')
			optarg = argv[optind++];
		if (parse_one(c, optarg, o) < 0)
			return -1;
	}
	if (optind < argc)
		return bad("unexpected argument '%s' (see --help)", argv[optind]);
	/* The human CLI: `ebpfcap -w out.pcapng` means capture; so does --export. */
	if (o->mode == MODE_NONE && (o->fifo || o->export_endpoint))
		o->mode = MODE_CAPTURE;
	if (o->export_endpoint && o->fifo)
		return bad("--export publishes instead of writing a file: drop --fifo/-w%s", "");
	if (o->export_connect && !o->export_endpoint)
		return bad("--export-connect needs --export=ENDPOINT (the collector's address)%s", "");
	if (o->mode == MODE_CAPTURE && !o->interface)
		o->interface = IFACE_EVENTS;
	if (o->mode == MODE_CAPTURE && !o->fifo && !o->export_endpoint)
		return bad("a capture needs --fifo PATH or -w FILE%s", "");
	if ((o->mode == MODE_DLTS || o->mode == MODE_CONFIG) && !o->interface)
		return bad("--extcap-dlts and --extcap-config need --extcap-interface%s", "");
	return 0;
}
