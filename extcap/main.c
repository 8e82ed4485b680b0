/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ebpfcap: a Wireshark extcap that tells who is behind each connection. */
#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "command.h"
#include "extcap.h"
#include "interfaces.h"
#include "options.h"
#include "print.h"
#include "privileges.h"
#include "remote.h"
#include "session.h"
#include "utils/transport/curve_keys.h"

/* The ebpfremote interface: the same session and filters, fed by exporters. */
static int remote_run(const struct options *o)
{
	if (o->export_endpoint) {
		fprintf(stderr, "ebpfcap: --export exports local events: use -i %s, not %s\n", IFACE_EVENTS, IFACE_REMOTE);
		return 1;
	}
	if (o->command) {
		fprintf(stderr, "ebpfcap: -- COMMAND runs here: its events are local, not from %s\n", IFACE_REMOTE);
		return 1;
	}
	return remote_capture_run(o);
}

/* A person's -i: eth0, lo, a pod or a container become the value capture.c knows. */
static int resolve_interface(struct options *o)
{
	static struct capture_interface ci;

	if (o->from_wireshark || strcmp(o->interface, IFACE_EVENTS) == 0)
		return 0;
	if (!interfaces_resolve(o->interface, &ci)) {
		fprintf(stderr, "ebpfcap: unknown interface '%s': no such interface, pod or container "
			"(try --extcap-interfaces)\n", o->interface);
		return -1;
	}
	o->interface = ci.value;
	return 0;
}

/* -- COMMAND: held before exec until the capture, filtered on its pid, is attached. */
static int local_run(struct options *o)
{
	struct command *cmd = NULL;
	int status;

	if (resolve_interface(o) < 0)
		return 1;
	if (o->command) {
		bool data_on_stdout = o->print.json || (o->fifo && strcmp(o->fifo, "-") == 0);

		cmd = command_spawn(o->command, data_on_stdout);
		if (!cmd)
			return 1;
		o->pid = (uint32_t)command_pid(cmd);
	}
	status = capture_run(o, cmd);
	command_finish(cmd);
	return status;
}

int main(int argc, char **argv)
{
	struct options opts;
	int status;

	privileges_drop(); /* before anything opens a path or starts a thread */
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
			status = remote_run(&opts);
		else
			status = local_run(&opts);
		if (status != 0 && opts.from_wireshark)
			session_release_reader(opts.fifo, RELEASE_PATIENCE_MS);
		session_release_reader(opts.control_out, 0);
		return status;
	case MODE_CHECK_FILTER:
		return extcap_check_capture_filter(opts.interface, opts.capture_filter);
	case MODE_GEN_KEYS:
		return zmq_print_new_keys(stdout) < 0 ? 1 : 0;
	case MODE_EXTCAP_VERSION:
		extcap_print_version();
		return 0;
	case MODE_VERSION:
		printf("ebpfcap %s\n", EBPFCAP_VERSION);
		return 0;
	case MODE_READ:
		return print_file(opts.read_file, &opts.print, opts.max_events);
	case MODE_CAPABILITIES:
		privileges_print_setcap(stdout);
		return 0;
	case MODE_HELP:
		options_usage(stdout);
		return 0;
	case MODE_NONE:
		break; /* options_parse() makes it a capture */
	}
	return 2;
}
