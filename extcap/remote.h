/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The collector: the "Remote eBPF Events (ZMQ)" interface. Subscribes to
 * exporters (`ebpfcap --export`) on one or more endpoints and writes their
 * records to the fifo as if they were local. See docs/REMOTE.md.
 */
#ifndef EBPFCAP_REMOTE_H
#define EBPFCAP_REMOTE_H

#include <stdbool.h>
#include <stdint.h>

#include "options.h"

#define IFACE_REMOTE "ebpfremote"
#define IFACE_REMOTE_DISPLAY "Remote eBPF Events (ZMQ)"

/*
 * Runs until a signal, the fifo's reader goes away, the parent dies or -c;
 * the same session as a local capture (session.h) with the collector as
 * its source: the same sinks, filter, counts and summary.
 * Returns the process exit status.
 */
int remote_capture_run(const struct options *o);

#endif
