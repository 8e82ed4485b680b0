/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef EBPFCAP_CAPTURE_H
#define EBPFCAP_CAPTURE_H

#include <stdint.h>

#include "command.h"
#include "options.h"
#include "session.h"

/* A local capture's sources around its session (public for bench/micro.c, which times capture_on_event). */
struct capture {
	struct session *s;
	struct enricher *enrich;
	struct kernel_events *ke;
	uint64_t lost_reported;    /* ring buffer full */
	uint64_t skipped_reported; /* program runs the kernel skipped */
	struct udp_flows *udp;
	struct flow_snapshot *snapshot;
	struct packet_source *packets; /* NULL for eBPF Events alone */
	struct packet_owners *owners;  /* packets + events: who owns which socket */
	struct tls_secrets *tls;       /* --tls-secrets */
	int keylog_fd;                 /* --tls-keylog FILE, or -1 */
};

/*
 * What the capture does with each kernel event: the record, its owner if
 * the /proc snapshot knows it, its enrichment, the socket owners learned;
 * the session writes it. ctx is a struct capture. 0, or -1 once the
 * session stops.
 */
int capture_on_event(const struct ebpf_event *ev, void *ctx);

/*
 * Runs a capture until the reader goes away, a signal arrives, the parent
 * dies, -c is reached or cmd (NULL: none) has ended; cmd is released once
 * the programs are attached. Returns the process exit status.
 */
int capture_run(const struct options *opts, struct command *cmd);

#endif
