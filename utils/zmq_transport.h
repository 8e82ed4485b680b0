/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Records over ZeroMQ (docs/REMOTE.md): the message format, CURVE keys and
 * the allow-list handler, and the exporter (an XPUB socket that never
 * blocks). The collector is extcap/remote.c.
 *
 * Message, version 1: one ZMQ frame, all integers little-endian.
 *   0  4  magic "EBPF"
 *   4  u8 version     1; a receiver drops other versions
 *   5  u8 flags       0; a receiver drops messages with flags it does not know
 *   6  u16 count      records in the message, at least 1
 *   8  u64 stream     random per exporter run: tells a restart from a loss
 *   16 u64 seq        records the stream sent before this message's first
 *   24 records back to back, each self-delimited by its total_len
 *
 * Every byte comes from the network: ebpf_msg_parse() checks the header,
 * then decodes every record within the message's bounds before handing any
 * of them out, so a message is taken whole or dropped whole.
 */
#ifndef EBPFCAP_ZMQ_TRANSPORT_H
#define EBPFCAP_ZMQ_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "record.h"

#define EBPF_MSG_MAGIC "EBPF"
#define EBPF_MSG_VERSION 1
#define EBPF_MSG_HEADER_LEN 24
/* Also the collector's ZMQ_MAXMSGSIZE: libzmq refuses longer frames unread. */
#define EBPF_MSG_MAX_LEN 65536
/* The smallest valid record is a header and a 1.0 fixed part. */
#define EBPF_MSG_MIN_RECORD (EBPF_RECORD_HEADER_LEN + EBPF_FIXED_LEN_1_0)
#define EBPF_MSG_MAX_RECORDS ((EBPF_MSG_MAX_LEN - EBPF_MSG_HEADER_LEN) / EBPF_MSG_MIN_RECORD)

#define ZMQ_EXPORT_DEFAULT_ENDPOINT "tcp://127.0.0.1:5556"
#define ZMQ_KEY_Z85_LEN 40

/* ---- message format (pure functions: unit-tested and fuzzed) ---- */

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

/* ---- CURVE keys ---- */

/* zmq_has("curve"), or -1 after one line on stderr. */
int zmq_curve_check(void);
/* `ebpfcap --gen-keys`: prints "public-key=Z85" and "secret-key=Z85" lines. */
int zmq_print_new_keys(FILE *out);
/*
 * Reads our secret key from a file (a "secret-key=" line or a bare key) that
 * only its owner can read, and derives the public key. Both are 41-byte Z85
 * strings. -1 after one line on stderr.
 */
int zmq_load_secret_key(const char *path, char secret[41], char public_key[41]);
/* A peer's public key: 40 Z85 characters, or a file with a "public-key=" line. */
int zmq_load_public_key(const char *arg, char public_key[41]);

/*
 * The CURVE server side's allow-list: a ZAP handler thread in ctx that lets
 * in only clients whose public key is in the file (one key a line, bare or
 * "public-key=", '#' comments). Start it before binding. NULL after one line.
 */
struct zap_handler;
struct zap_handler *zap_handler_start(void *zmq_ctx, const char *allowed_keys_file, bool log);
/*
 * The binding side of CURVE, exporter or collector: our key pair from the
 * secret_key file and, with allowed_keys, a ZAP handler (*zap) that lets in
 * only those peers. No secret_key: plain (allowed_keys alone is refused).
 * 0, or -1 after one line.
 */
int zmq_curve_server(void *ctx, void *sock, const char *secret_key, const char *allowed_keys, bool log,
		     struct zap_handler **zap);
/* Clients refused so far. */
uint64_t zap_handler_refused(const struct zap_handler *z);
/* Ends the thread (within 100 ms); call before zmq_ctx_term(). NULL is fine. */
void zap_handler_stop(struct zap_handler *z);

/* ---- the exporter ---- */

struct zmq_export_options {
	const char *endpoint;      /* NULL: ZMQ_EXPORT_DEFAULT_ENDPOINT (loopback only) */
	bool connect;              /* connect to a collector that binds, e.g. from behind NAT */
	const char *secret_key;    /* file with our CURVE secret key; NULL: no CURVE */
	const char *server_key;    /* connecting with CURVE: the collector's public key */
	const char *allowed_keys;  /* binding with CURVE: only these collectors may read */
	const char *host;          /* for our own Capture_Drops records */
	const char *machine_id;
	int sndhwm;                /* messages queued per collector; 0: 256 */
	bool quiet;                /* no log lines on stderr */
};

struct zmq_exporter;

/* Binds or connects. NULL after one line on stderr. */
struct zmq_exporter *zmq_exporter_open(const struct zmq_export_options *o);
/*
 * Adds one encoded record to the current message and sends the message when
 * it is full. Never blocks: a message no collector can take now is dropped
 * and its records counted; the count travels later as a Capture_Drops
 * record. 0, or a negative errno (the record is counted as dropped).
 */
int zmq_exporter_send(struct zmq_exporter *ex, const uint8_t *record, size_t len);
/* Sends what is batched (call once per loop round) and reads subscriptions. */
int zmq_exporter_flush(struct zmq_exporter *ex);
/* Records dropped because no collector kept up, since the start. */
uint64_t zmq_exporter_drops(const struct zmq_exporter *ex);
/* Records in messages handed to ZMQ. */
uint64_t zmq_exporter_sent(const struct zmq_exporter *ex);
/* Collectors subscribed now (as far as subscriptions tell). */
int zmq_exporter_subscribers(const struct zmq_exporter *ex);
/* Waits up to timeout_ms for a collector's subscription; 0 once there is one. */
int zmq_exporter_wait_subscriber(struct zmq_exporter *ex, int timeout_ms);
/* The XPUB socket, for tests that send hand-made messages. */
void *zmq_exporter_socket(struct zmq_exporter *ex);
/*
 * Flushes, tries for up to a second to deliver the drops not yet reported,
 * says on stderr what was dropped, and closes. NULL is fine.
 */
void zmq_exporter_close(struct zmq_exporter *ex);

/* /etc/machine-id (the first 32 hex characters), "" if there is none. */
void zmq_read_machine_id(char *buf, size_t size);

#endif
