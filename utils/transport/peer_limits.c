/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bounds on our ZMQ sockets and on the log lines peers cause (peer_limits.h). */
#include "utils/transport/peer_limits.h"
#include "utils/clock.h"

#include <stdio.h>
#include <time.h>
#include <zmq.h>

#define PEER_LOG_BURST 5
#define PEER_LOG_INTERVAL_NS (10 * 1000000000ull)

int zmq_set_int(void *sock, int option, int value)
{
	return zmq_setsockopt(sock, option, &value, sizeof(value));
}

int zmq_bound_socket(void *sock, int64_t max_in, int hwm)
{
	return zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &max_in, sizeof(max_in)) ||
	       zmq_set_int(sock, ZMQ_RCVHWM, hwm) || zmq_set_int(sock, ZMQ_SNDHWM, hwm) ? -1 : 0;
}

bool peer_log_allow(struct peer_log *l)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC);

	if (now >= l->window_end_ns && !l->suppressed) {
		l->window_end_ns = now + PEER_LOG_INTERVAL_NS;
		l->in_window = 0;
	}
	if (l->in_window < PEER_LOG_BURST) {
		l->in_window++;
		return true;
	}
	l->suppressed++;
	return false;
}

void peer_log_summary(struct peer_log *l, const char *what, bool final)
{
	if (!l->suppressed || (!final && clock_ns(CLOCK_MONOTONIC) < l->window_end_ns))
		return;
	fprintf(stderr, "ebpfcap: %llu more %s (not shown one by one)\n", (unsigned long long)l->suppressed, what);
	l->suppressed = 0;
	l->window_end_ns = 0;
}
