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

#include "filter.h"
#include "print.h"

#define IFACE_REMOTE "ebpfremote"
#define IFACE_REMOTE_DISPLAY "Remote eBPF Events (ZMQ)"

struct remote_options {
	const char *endpoints;      /* comma-separated; an entry may end in "|SERVERKEY" */
	bool bind;                  /* bind the endpoints; exporters connect (--export-connect) */
	const char *server_key;     /* connecting with CURVE: the exporters' public key */
	const char *secret_key;     /* our key file: needed to bind with CURVE */
	const char *allowed_keys;   /* binding with CURVE: only exporters with these keys */
	const char *capture_filter; /* refused if set, as for local events */
	bool from_wireshark;        /* die with the parent */
	bool debug;                 /* say why each bad message was dropped */
	uint64_t max_events;        /* stop after this many records (0: no limit) */
	struct event_filter filter; /* the local capture's, applied here to each record */
	struct print_style print;   /* no fifo: lines on standard output, so */
};

/*
 * Runs until a signal, the fifo's reader goes away, the parent dies or
 * max_events; "-" is standard output, NULL lines on it (o->print).
 * Returns the process exit status.
 */
int remote_capture_run(const struct remote_options *o, const char *fifo);

#endif
