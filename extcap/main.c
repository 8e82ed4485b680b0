/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ebpfcap: a Wireshark extcap that tells who is behind each connection. */
#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "extcap.h"
#include "options.h"
#include "print.h"
#include "privileges.h"
#include "remote.h"
#include "utils/zmq_transport.h"

/* The ebpfremote interface: the same filters, applied to records from elsewhere. */
static int remote_run(const struct options *o)
{
	struct remote_options r = {
		.endpoints = o->remote_endpoints, .bind = o->remote_bind, .server_key = o->server_key,
		.secret_key = o->secret_key, .allowed_keys = o->allowed_keys,
		.capture_filter = o->capture_filter, .from_wireshark = o->from_wireshark,
		.debug = o->debug, .max_events = o->max_events, .event_type_mask = o->event_type_mask,
		.pid = o->pid, .comm = o->comm, .port = o->port, .family = o->family,
	};

	if (o->cgroup) {
		fprintf(stderr, "ebpfcap: --cgroup does not apply to remote events: cgroup ids are per host\n");
		return 1;
	}
	if (o->export_endpoint) {
		fprintf(stderr, "ebpfcap: --export exports local events: use -i %s, not %s\n", IFACE_EVENTS, IFACE_REMOTE);
		return 1;
	}
	return remote_capture_run(&r, o->fifo);
}

int main(int argc, char **argv)
{
	struct options opts;

	if (options_parse(argc, argv, &opts) < 0)
		return 2;
	switch (opts.mode) {
	case MODE_INTERFACES:
		extcap_print_interfaces();
		return 0;
	case MODE_DLTS:
		return extcap_print_dlts(opts.interface) < 0 ? 1 : 0;
	case MODE_CONFIG:
		return extcap_print_config(opts.interface) < 0 ? 1 : 0;
	case MODE_CAPTURE:
		if (opts.interface && strcmp(opts.interface, IFACE_REMOTE) == 0)
			return remote_run(&opts);
		return capture_run(&opts);
	case MODE_GEN_KEYS:
		return zmq_print_new_keys(stdout) < 0 ? 1 : 0;
	case MODE_VERSION:
		printf("ebpfcap %s\n", EBPFCAP_VERSION);
		return 0;
	case MODE_READ:
		return print_file(opts.read_file);
	case MODE_CAPABILITIES:
		privileges_print_setcap(stdout);
		return 0;
	case MODE_HELP:
		options_usage();
		return 0;
	case MODE_NONE:
		break;
	}
	fprintf(stderr, "ebpfcap: nothing to do: give -w FILE to capture, or see --help\n");
	return 2;
}
