/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Records over ZeroMQ (docs/REMOTE.md): the message format, CURVE keys and
 * the allow-list handler, and the exporter (an XPUB socket that never
 * blocks). The collector is extcap/remote.c.
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
#ifndef EBPFCAP_ZMQ_TRANSPORT_H
#define EBPFCAP_ZMQ_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
/* Also the collector's ZMQ_MAXMSGSIZE: libzmq refuses longer frames unread. */
#define EBPF_MSG_MAX_LEN 65536
/* The smallest valid record is a header and a 1.0 fixed part. */
#define EBPF_MSG_MIN_RECORD (EBPF_RECORD_HEADER_LEN + EBPF_FIXED_LEN_1_0)
#define EBPF_MSG_MAX_RECORDS ((EBPF_MSG_MAX_LEN - EBPF_MSG_HEADER_LEN) / EBPF_MSG_MIN_RECORD)

/*
 * By default an exporter is read by root and group wireshark only: a Unix
 * socket in a directory root:wireshark 3770 (make install and tmpfiles.d
 * make it; as root the exporter does too). tcp:// is whoever reaches the
 * port, so it needs CURVE or an explicit insecure.
 */
#define ZMQ_EXPORT_DIR "/run/ebpfcap"
#define ZMQ_EXPORT_DEFAULT_ENDPOINT "ipc://" ZMQ_EXPORT_DIR "/export"
#define ZMQ_EXPORT_GROUP "wireshark"
#define ZMQ_KEY_Z85_LEN 40
#define ZMQ_KEY_FILE_MAX 65536 /* a key file is a few lines; anything larger is refused */

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
/*
 * The limits every ZMQ socket of ours carries against its peers: a frame
 * longer than max_in bytes ends that peer's connection before libzmq
 * allocates it, and at most hwm messages wait per peer in each direction,
 * so memory stays within peers x hwm x max_in whatever the peers send.
 */
int zmq_bound_socket(void *sock, int64_t max_in, int hwm);
/* A collector's max_in: our largest message, plus CURVE's 33 bytes of box around it. */
#define ZMQ_COLLECTOR_MAX_IN (EBPF_MSG_MAX_LEN + 64)

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

/* Clients refused so far. */
uint64_t zap_handler_refused(const struct zap_handler *z);
/* Ends the thread (within 100 ms); call before zmq_ctx_term(). NULL is fine. */
void zap_handler_stop(struct zap_handler *z);

/* ---- socket events (zmq_socket_monitor): what a connection goes through ---- */

struct zmq_sock_event {
	uint16_t event;     /* ZMQ_EVENT_* */
	uint32_t value;     /* errno, ZMQ_PROTOCOL_ERROR_*, ZAP status...: by event */
	char endpoint[256];
};

/*
 * Watches sock's connection events (connected, handshakes and their
 * failures, disconnects) through a PAIR socket in ctx, returned in *watch.
 * name must be unique in ctx ("inproc://..."). 0, or -1 with errno.
 */
int zmq_watch_start(void *ctx, void *sock, const char *name, void **watch);
/* The next event without waiting: 1, or 0 when none is waiting. */
int zmq_watch_next(void *watch, struct zmq_sock_event *ev);
/* Stops watching and closes the PAIR socket; before closing sock. */
void zmq_watch_stop(void *sock, void *watch);
/*
 * When to attach again an endpoint we connect to. libzmq retries a lost
 * connection by itself, but never one ended by a protocol error or a key
 * refusal: after a disconnect we attach again ourselves, backing off, unless
 * libzmq says it retries.
 */
struct zmq_reattach {
	uint64_t at_ns;     /* 0: nothing to do */
	unsigned delay_ms;  /* the next back-off; 0 before the first */
};

void zmq_reattach_note(struct zmq_reattach *r, const struct zmq_sock_event *ev);
/* True (and cleared) when the endpoint is due to be attached again now. */
bool zmq_reattach_due(struct zmq_reattach *r, uint64_t now_ns);

/* Why a handshake failed, in words for a log line ("" when the event is not a failure). */
const char *zmq_handshake_failure(const struct zmq_sock_event *ev);

/* ---- the exporter ---- */

struct zmq_export_options {
	const char *endpoint;      /* NULL: ZMQ_EXPORT_DEFAULT_ENDPOINT (root and group wireshark) */
	bool connect;              /* connect to a collector that binds, e.g. from behind NAT */
	const char *secret_key;    /* file with our CURVE secret key; NULL: no CURVE */
	const char *server_key;    /* connecting with CURVE: the collector's public key */
	const char *allowed_keys;  /* binding with CURVE: only these collectors may read */
	const char *host;          /* for our own Capture_Drops records */
	const char *machine_id;
	int sndhwm;                /* messages queued per collector; 0: 256 */
	bool insecure;             /* tcp:// without CURVE allowed (--insecure) */
	bool quiet;                /* no log lines on stderr */
};

struct zmq_exporter;

/*
 * Binds or connects. NULL after one line on stderr. Connecting, it never
 * gives up while open: after a refusal (key, protocol) or a lost collector
 * it attaches again, backing off to RETRY_MAX_MS, and says on stderr once
 * per change what the connection does.
 */
struct zmq_exporter *zmq_exporter_open(const struct zmq_export_options *o);
/*
 * Adds one encoded record to the current message and sends the message when
 * it is full. Never blocks: a message no collector can take now is dropped
 * and its records counted. Every record takes the next seq number, sent or
 * not, so the collectors count what they miss from the gaps (and write it
 * as Capture_Drops with this host). 0, or a negative errno (the record is
 * counted as dropped).
 */
int zmq_exporter_send(struct zmq_exporter *ex, const uint8_t *record, size_t len);
/* Sends what is batched (call once per loop round) and reads subscriptions. */
int zmq_exporter_flush(struct zmq_exporter *ex);
/* Records dropped because no collector kept up, since the start. */
uint64_t zmq_exporter_drops(const struct zmq_exporter *ex);
/* Records in messages handed to ZMQ. */
uint64_t zmq_exporter_sent(const struct zmq_exporter *ex);
/* Of those, records handed over while no collector was subscribed: nobody got them. */
uint64_t zmq_exporter_unsubscribed(const struct zmq_exporter *ex);
/* Collectors subscribed now (as far as subscriptions tell). */
int zmq_exporter_subscribers(const struct zmq_exporter *ex);
/* Waits up to timeout_ms for a collector's subscription; 0 once there is one. */
int zmq_exporter_wait_subscriber(struct zmq_exporter *ex, int timeout_ms);
/* The XPUB socket, for tests that send hand-made messages. */
void *zmq_exporter_socket(struct zmq_exporter *ex);
/*
 * Flushes, tries for up to a second to send a last sync message (so the
 * collectors count what they missed), says on stderr what was dropped or
 * went to nobody, and closes. -1 when a connecting exporter never got
 * through to its collector, else 0. NULL is fine.
 */
int zmq_exporter_close(struct zmq_exporter *ex);

/* /etc/machine-id (the first 32 hex characters), "" if there is none. */
void zmq_read_machine_id(char *buf, size_t size);

#endif
