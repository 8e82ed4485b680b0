/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel side alone, for make bench: ebpfcap's programs attached with
 * the same filters and ring buffer, every event drained and discarded (no
 * enrichment, no encoding, no output). What the workload loses under this
 * is the in-kernel cost; the rest of a full capture's cost is user space.
 *   kdrain TYPES RINGBUF_KIB [EVERY_MS [PORT]]   e.g. kdrain TCP_Connect,TCP_Accept,TCP_Close 65536
 * EVERY_MS: drain on a timer every EVERY_MS instead of when the ring buffer
 * wakes us (what the cost of a wake-up per few events is: see BENCHMARKS.md);
 * 0 or none: on wake-ups, as ebpfcap does.
 * Runs until SIGINT/SIGTERM, then prints
 *   "events=N load_events=L load_packets=P lost=X"
 * (load_*: events of processes named load_*, with PORT at one end if given,
 * and the datagrams they sum).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>

#include "extcap/kernel_events.h"
#include "utils/record/record.h"

struct counts {
	unsigned long long events, load_events, load_packets;
	uint16_t port;
};

static int discard(const struct ebpf_event *ev, void *ctx)
{
	struct counts *c = ctx;

	c->events++;
	if (strncmp(ev->comm, "load_", 5) == 0 && (!c->port || ev->sport == c->port || ev->dport == c->port)) {
		c->load_events++;
		c->load_packets += ev->packets;
	}
	return 0;
}

static int parse_types(const char *list, uint32_t *mask)
{
	char *copy = strdup(list), *save = NULL;

	*mask = 0;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		for (unsigned type = 1; type <= EBPF_EVENT_TYPE_MAX; type++)
			if (strcmp(t, ebpf_event_type_name(type)) == 0)
				*mask |= 1u << type;
	free(copy);
	return *mask ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct counts counts = { 0 };
	struct kernel_callbacks cb = { .event = discard, .ctx = &counts };
	struct event_filter f = { .descendants_fd = -1 };
	struct kernel_counters k;
	sigset_t stop;

	int every_ms = argc >= 4 ? atoi(argv[3]) : 0, port = argc == 5 ? atoi(argv[4]) : 0;

	if (argc < 3 || argc > 5 || parse_types(argv[1], &f.event_type_mask) < 0 || atoi(argv[2]) <= 0 ||
	    every_ms < 0 || every_ms > 1000 || port < 0 || port > 65535) {
		fprintf(stderr, "usage: kdrain EVENT_TYPES RINGBUF_KIB [EVERY_MS (0..1000) [PORT]]\n");
		return 2;
	}
	counts.port = (uint16_t)port;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	struct pollfd fds[2] = { { .fd = signalfd(-1, &stop, SFD_CLOEXEC), .events = POLLIN } };
	struct kernel_events *ke = kernel_events_open(&f, (uint32_t)atoi(argv[2]), false, &cb);

	if (!ke)
		return 1;
	fds[1].fd = every_ms ? -1 : kernel_events_fd(ke); /* poll() skips a negative fd */
	fds[1].events = POLLIN;
	while (!(poll(fds, 2, every_ms ? every_ms : 200) > 0 && fds[0].revents))
		if (kernel_events_consume(ke) < 0)
			break;
	kernel_events_consume(ke);
	kernel_events_counters(ke, &k);
	kernel_events_close(ke);
	printf("events=%llu load_events=%llu load_packets=%llu lost=%llu\n", counts.events,
	       counts.load_events, counts.load_packets, (unsigned long long)k.lost);
	return 0;
}
