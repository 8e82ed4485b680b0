/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kernel side as user space sees it: load, attach, read, count, detach. */
#ifndef EBPFCAP_KERNEL_EVENTS_H
#define EBPFCAP_KERNEL_EVENTS_H

#include <stdint.h>
#include <linux/types.h>
#include "bpf/ebpf_record.h"

struct kernel_events;

struct kernel_filter {
	uint32_t pid;
	uint32_t event_type_mask;
	uint32_t ringbuf_kib;
	int debug;
};

struct kernel_counters {
	uint64_t emitted;  /* put into the ring buffer */
	uint64_t lost;     /* ring buffer full: counted per CPU, summed here */
	uint64_t filtered; /* dropped in the kernel by the capture's filters */
};

/* Called for each event; a negative return stops kernel_events_consume(). */
typedef int (*kernel_event_fn)(const struct ebpf_event *ev, void *ctx);

/* NULL after printing one line that says why (privileges, BTF, tracefs). */
struct kernel_events *kernel_events_open(const struct kernel_filter *filter,
					 kernel_event_fn fn, void *ctx);
/* A descriptor that polls readable when events are waiting. */
int kernel_events_fd(const struct kernel_events *ke);
/* Hands every waiting event to fn; returns their number or fn's error. */
int kernel_events_consume(struct kernel_events *ke);
void kernel_events_counters(const struct kernel_events *ke, struct kernel_counters *out);
/* Detaches every program and frees every map. */
void kernel_events_close(struct kernel_events *ke);

#endif
