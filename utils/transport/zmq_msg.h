/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ebpfcap message (docs/REMOTE.md): how records travel in one ZMQ
 * frame, and what its stream and seq numbers tell a receiver about the
 * records it never got. Pure functions, no ZMQ: unit-tested and fuzzed.
 *
 * Message, version 1: one ZMQ frame, all integers little-endian.
 *   0  4  magic "EBPF"
 *   4  u8 version     1; a receiver drops other versions
 *   5  u8 flags       0, or EBPF_MSG_FLAG_SYNC (| EBPF_MSG_FLAG_FINAL); a
 *                     receiver drops messages with flags it does not know
 *   6  u16 count      records in the message, at least 1 (0 in a sync message)
 *   8  u64 stream     random per exporter run: tells a restart from a loss
 *   16 u64 seq        records the stream sent before this message's first
 *   24 records back to back, each self-delimited by its total_len
 *
 * Every byte comes from the network: ebpf_msg_parse() checks the header,
 * then decodes every record within the message's bounds before handing any
 * of them out, so a message is taken whole or dropped whole.
 */
#ifndef EBPFCAP_ZMQ_MSG_H
#define EBPFCAP_ZMQ_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "utils/record/record.h"

#define EBPF_MSG_MAGIC "EBPF"
#define EBPF_MSG_VERSION 1
#define EBPF_MSG_HEADER_LEN 24
/*
 * A sync message: no records, only the stream's seq, the count of records
 * it sent so far. Sent when a collector subscribes, every few idle seconds
 * and at the end, so a receiver counts the records it missed (a stall, a
 * reconnect) even when nothing else follows.
 */
#define EBPF_MSG_FLAG_SYNC 0x01
/*
 * With SYNC: the exporter's goodbye, its last message before it closes.
 * A listening collector counts connections that end without one as cut
 * (a frame over the maximum, another protocol error, an exporter that died).
 */
#define EBPF_MSG_FLAG_FINAL 0x02
/* libzmq refuses longer frames unread: the collector's ZMQ_MAXMSGSIZE is this, boxed. */
#define EBPF_MSG_MAX_LEN 65536
/* A collector's max_in: our largest message, plus CURVE's 33 bytes of box around it. */
#define ZMQ_COLLECTOR_MAX_IN (EBPF_MSG_MAX_LEN + 64)
/* The smallest valid record is a header and a 1.0 fixed part. */
#define EBPF_MSG_MIN_RECORD (EBPF_RECORD_HEADER_LEN + EBPF_FIXED_LEN_1_0)
#define EBPF_MSG_MAX_RECORDS ((EBPF_MSG_MAX_LEN - EBPF_MSG_HEADER_LEN) / EBPF_MSG_MIN_RECORD)

struct ebpf_msg_info {
	uint8_t version;
	uint8_t flags;
	uint16_t count;
	uint64_t stream;
	uint64_t seq;
};

/* A message being filled: header first, records appended. */
struct ebpf_msg_builder {
	uint8_t buf[EBPF_MSG_MAX_LEN];
	size_t len;
	uint16_t count;
};

void ebpf_msg_begin(struct ebpf_msg_builder *b, uint64_t stream, uint64_t seq);
/* Makes an empty message a sync message (EBPF_MSG_FLAG_SYNC), final: the goodbye. */
void ebpf_msg_mark_sync(struct ebpf_msg_builder *b, bool final);
/* Appends one encoded record; -1 (nothing appended) if it does not fit. */
int ebpf_msg_append(struct ebpf_msg_builder *b, const uint8_t *rec, size_t len);

typedef int (*ebpf_msg_record_fn)(const struct ebpf_record *rec, const uint8_t *bytes,
				  size_t len, void *ctx);

/*
 * Checks len bytes as one message, then calls fn for each record with the
 * record decoded and its bytes (within buf). Returns the number of records,
 * -EBADMSG with *why set (nothing was handed out), or fn's first negative
 * return. info may be NULL. Never reads outside buf.
 */
int ebpf_msg_parse(const uint8_t *buf, size_t len, struct ebpf_msg_info *info,
		   ebpf_msg_record_fn fn, void *ctx, const char **why);

/*
 * A receiver's tally of one stream: every record an exporter takes gets the
 * next seq number, delivered or dropped, so what never arrived is the range
 * of seq numbers seen minus the records received. Messages may come late
 * (another connection's queue): take the loss once the queue is read dry.
 */
struct ebpf_stream_tally {
	uint64_t base;      /* lowest seq seen */
	uint64_t end;       /* highest seq + count seen */
	uint64_t received;  /* records in the messages seen */
	uint64_t reported;  /* loss already taken */
	bool started;
};

void ebpf_stream_tally_add(struct ebpf_stream_tally *t, const struct ebpf_msg_info *info);
/* Records missing so far that no earlier call returned. */
uint64_t ebpf_stream_tally_take_loss(struct ebpf_stream_tally *t);

#endif
