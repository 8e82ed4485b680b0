/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ebpfcap: a Wireshark extcap that tells who is behind each connection. */
#include <stdio.h>

#include "capture.h"
#include "extcap.h"
#include "options.h"
#include "print.h"

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
		return capture_run(&opts);
	case MODE_VERSION:
		printf("ebpfcap %s\n", EBPFCAP_VERSION);
		return 0;
	case MODE_READ:
		return print_file(opts.read_file);
	case MODE_HELP:
		options_usage();
		return 0;
	case MODE_NONE:
		break;
	}
	fprintf(stderr, "ebpfcap: nothing to do: give -w FILE to capture, or see --help\n");
	return 2;
}
