/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a peer can cost us (docs/REMOTE.md, "Limits against peers"): the
 * bounds every ZMQ socket of ours carries, exporter, collector, ZAP handler
 * and socket monitor alike, and a limit on the log lines peers cause.
 */
#ifndef EBPFCAP_PEER_LIMITS_H
#define EBPFCAP_PEER_LIMITS_H

#include <stdbool.h>
#include <stdint.h>

/* One int socket option: 0, or -1 with errno (zmq_setsockopt). */
int zmq_set_int(void *sock, int option, int value);
/*
 * The limits every ZMQ socket of ours carries against its peers: a frame
 * longer than max_in bytes ends that peer's connection before libzmq
 * allocates it, and at most hwm messages wait per peer in each direction,
 * so memory stays within peers x hwm x max_in whatever the peers send.
 */
int zmq_bound_socket(void *sock, int64_t max_in, int hwm);

/*
 * Lines caused by peers (a collector subscribing, a refused key) are said,
 * but a peer that repeats itself 20 000 times is counted, not printed:
 * PEER_LOG_BURST lines per PEER_LOG_INTERVAL, then one line with the count.
 */
struct peer_log {
	uint64_t window_end_ns;
	unsigned in_window;
	uint64_t suppressed;
};
/* true: print this line; false: counted for peer_log_summary(). */
bool peer_log_allow(struct peer_log *l);
/* Once the window is over (or at the end, final): "N more LINES" if any were held back. */
void peer_log_summary(struct peer_log *l, const char *what, bool final);

#endif
