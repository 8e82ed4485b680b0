/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The reorder window of a packets + events capture. A packet often reaches
 * us before the event that names its owner (the SYN precedes its connect
 * event), and events from different CPUs interleave: everything waits here
 * a few milliseconds and leaves in timestamp order. Bounded: when it holds
 * max_bytes, the oldest item leaves early (and is counted).
 */
#ifndef EBPFCAP_REORDER_H
#define EBPFCAP_REORDER_H

#include <stdbool.h>
#include <stdint.h>

enum reorder_kind { REORDER_PACKET, REORDER_RECORD, REORDER_SECRETS };

struct reorder_item {
	uint64_t ts_ns;       /* wall clock */
	uint64_t seq;         /* arrival order, for equal timestamps */
	enum reorder_kind kind;
	uint32_t caplen, len; /* bytes held, bytes on the wire */
	uint8_t data[];
};

struct reorder;

struct reorder *reorder_new(uint64_t window_ns, uint64_t max_bytes);
void reorder_free(struct reorder *q);

/* Holds a copy of data. 0, or -ENOMEM. */
int reorder_push(struct reorder *q, enum reorder_kind kind, uint64_t ts_ns,
		 const void *data, uint32_t caplen, uint32_t len);

/*
 * The oldest item if its window has passed at now_ns (or the queue is over
 * its bound, or drain is set), else NULL. The caller frees it with free().
 */
struct reorder_item *reorder_pop(struct reorder *q, uint64_t now_ns, bool drain);

/* Milliseconds until the oldest item is due (-1: nothing held), for poll(). */
int reorder_wait_ms(const struct reorder *q, uint64_t now_ns);

/* Items that left before their window passed because the queue was full. */
uint64_t reorder_early(const struct reorder *q);

#endif
