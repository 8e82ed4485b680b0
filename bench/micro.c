/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-event user-space path alone, in ns per event: what the capture
 * does between the ring buffer and the file, without the kernel. It links
 * the capture's objects, so "on_event" below is the capture's own function
 * (capture_on_event: record -> enrich -> session -> encode -> pcapng,
 * batched writes to /dev/null), not a copy; the other stages are its
 * pieces one at a time.
 *   micro ROUNDS N           every stage ROUNDS times (alternating), N events each:
 *                            "stage median min max" in ns per event
 *   micro --only STAGE N     one stage once, for callgrind --toggle-collect=measure
 * The event is a TCP_Connect of this process, on the host (its own cgroup):
 * the hot path of a connection storm, every cache warm.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "extcap/capture.h"
#include "extcap/enrich.h"
#include "extcap/kernel_events.h"
#include "extcap/session.h"
#include "pcapio/exported_pdu.h"
#include "pcapio/pcapng.h"
#include "utils/clock.h"
#include "utils/enrich/containers.h"
#include "utils/enrich/process.h"
#include "utils/record/record.h"

#define BATCH 64 /* events per ring-buffer drain, between flushes */

enum stage { ST_RECORD, ST_CONTAINER, ST_EXE, ST_ENCODE, ST_PCAPNG, ST_ON_EVENT, ST_COUNT };
static const char *const stage_names[ST_COUNT] = {
	"record (clear, copy)", "container lookup", "process_cache_exe", "encode (exported PDU + record)",
	"pcapng_write_packet (batched)", "on_event (all of it)",
};
static const char *const stage_ids[ST_COUNT] = { "record", "container", "exe", "encode", "pcapng", "on_event" };

static struct ebpf_event event;
static struct ebpf_record sink_rec;
static uint8_t encoded[64 + EBPF_RECORD_MAX_WIRE];
static size_t encoded_len;

/* Our own cgroup's id, as the kernel would stamp it (the directory's inode). */
static uint64_t own_cgroup_id(void)
{
	char line[512], path[1024];
	const char *rel = NULL;
	FILE *f = fopen("/proc/self/cgroup", "r");
	struct stat st;

	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strstr(line, ":memory:") || strncmp(line, "0::", 3) == 0)
			rel = strrchr(line, ':') + 1;
		if (strstr(line, ":memory:"))
			break;
	}
	snprintf(path, sizeof(path), "%s%s", kernel_events_cgroup_root(), rel ? rel : "/");
	if (f)
		fclose(f);
	return stat(path, &st) == 0 ? st.st_ino : 1;
}

static void make_event(void)
{
	FILE *f = fopen("/proc/self/comm", "r");

	event.type = EBPF_TCP_CONNECT;
	event.proto = 6;
	event.family = 2;
	event.pid = event.tid = (uint32_t)getpid();
	event.ppid = (uint32_t)getppid();
	event.cgroup_id = own_cgroup_id();
	event.timestamp_ns = clock_ns(CLOCK_BOOTTIME);
	event.sport = 40000;
	event.dport = 8080;
	memcpy(event.saddr, "\x7f\0\0\1", 4);
	memcpy(event.daddr, "\x7f\0\0\1", 4);
	if (!f || !fgets(event.comm, sizeof(event.comm), f))
		strcpy(event.comm, "micro");
	event.comm[strcspn(event.comm, "\n")] = '\0';
	strcpy(event.parent_comm, "sh");
	if (f)
		fclose(f);
}

/* The capture as capture_run() sets it up for eBPF Events to a file (/dev/null). */
static void open_capture(struct capture *c, struct session *s, struct options *o)
{
	static char machine_id[] = "0123456789abcdef0123456789abcdef";

	memset(o, 0, sizeof(*o));
	o->fifo = "/dev/null";
	session_init(s, o);
	if (session_open_sink(s, IFACE_EVENTS, "eBPF Events", "micro") < 0)
		exit(1);
	gethostname(s->host, sizeof(s->host) - 1);
	memset(c, 0, sizeof(*c));
	c->s = s;
	c->keylog_fd = -1;
	c->enrich = enricher_new(s->host, machine_id);
	if (!c->enrich)
		exit(1);
}

/* The container resolver answers from a worker thread: wait for it (at most 3 s). */
static const char *warm_up(struct capture *c)
{
	struct container_info info;
	enum container_kind kind = CONTAINER_UNKNOWN;

	for (int i = 0; i < 300 && kind == CONTAINER_UNKNOWN; i++) {
		kind = containers_lookup(c->enrich->containers, event.cgroup_id, &info);
		if (kind == CONTAINER_UNKNOWN)
			usleep(10000);
	}
	capture_on_event(&event, c);
	pcapng_flush(c->s->out);
	return kind == CONTAINER_HOST ? "host" : kind == CONTAINER_FOUND ? "container" : "unresolved";
}

static void one(struct capture *c, enum stage s, long i)
{
	struct ebpf_record *rec = &sink_rec;

	switch (s) {
	case ST_RECORD:
		enricher_record(c->enrich, &event, rec);
		break;
	case ST_CONTAINER:
		enrich_container(c->enrich, rec);
		break;
	case ST_EXE:
		process_cache_exe(c->enrich->procs, event.pid, event.ppid, event.comm, rec->exe, sizeof(rec->exe));
		break;
	case ST_ENCODE:
		exported_pdu_write_header(encoded);
		encoded_len = exported_pdu_header_len() +
			      ebpf_record_encode(rec, encoded + exported_pdu_header_len(),
						 sizeof(encoded) - exported_pdu_header_len());
		break;
	case ST_PCAPNG:
		session_write_block(c->s, c->s->events_if, event.timestamp_ns, encoded, (uint32_t)encoded_len,
				    (uint32_t)encoded_len, NULL);
		break;
	case ST_ON_EVENT:
		capture_on_event(&event, c);
		break;
	case ST_COUNT:
		break;
	}
	if ((s == ST_PCAPNG || s == ST_ON_EVENT) && i % BATCH == BATCH - 1)
		pcapng_flush(c->s->out);
}

/* The measured loop: callgrind counts instructions inside it only. */
__attribute__((noinline)) void measure(struct capture *c, enum stage s, long n)
{
	for (long i = 0; i < n; i++)
		one(c, s, i);
	pcapng_flush(c->s->out);
}

static double ns_per_event(struct capture *c, enum stage s, long n)
{
	uint64_t t0 = clock_ns(CLOCK_MONOTONIC);

	measure(c, s, n);
	return (double)(clock_ns(CLOCK_MONOTONIC) - t0) / (double)n;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	static double ns[ST_COUNT][101];
	struct capture c;
	struct session session;
	struct options o;
	long n = argc == 3 ? atol(argv[2]) : 0;
	int rounds = argc == 3 ? atoi(argv[1]) : 0, only = -1;

	if (argc == 4 && strcmp(argv[1], "--only") == 0) {
		for (int s = 0; s < ST_COUNT; s++)
			if (strcmp(argv[2], stage_ids[s]) == 0)
				only = s;
		n = atol(argv[3]);
		rounds = 1;
	}
	if (n < BATCH || rounds < 1 || rounds > 101 || (argc == 4 && only < 0)) {
		fprintf(stderr, "usage: micro ROUNDS N | micro --only record|container|exe|encode|pcapng|on_event N\n");
		return 2;
	}
	make_event();
	open_capture(&c, &session, &o);
	const char *where = warm_up(&c);

	one(&c, ST_RECORD, 0); /* the pieces after it start from an enriched record */
	one(&c, ST_CONTAINER, 0);
	one(&c, ST_EXE, 0);
	one(&c, ST_ENCODE, 0);
	if (only >= 0) {
		measure(&c, (enum stage)only, n);
		printf("%s events=%ld cgroup=%s\n", stage_ids[only], n, where);
		return 0;
	}
	for (int r = 0; r < rounds; r++)
		for (int s = 0; s < ST_COUNT; s++)
			ns[s][r] = ns_per_event(&c, (enum stage)s, n);
	printf("# %ld events per run, %d runs per stage, cgroup %s, encoded record %zu bytes\n", n, rounds,
	       where, encoded_len);
	for (int s = 0; s < ST_COUNT; s++) {
		qsort(ns[s], (size_t)rounds, sizeof(double), by_value);
		printf("%s|%.1f|%.1f|%.1f\n", stage_names[s], ns[s][rounds / 2], ns[s][0], ns[s][rounds - 1]);
	}
	enricher_free(c.enrich);
	return session_close(&session);
}
