/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The exporter (ebpfcap --export): an XPUB socket that publishes records
 * in ebpfcap messages (zmq_msg.h) to the collectors, binding or connecting,
 * and never blocks the capture: what no collector can take now is dropped
 * and counted, and the seq numbers let the collectors count it too.
 */
#ifndef EBPFCAP_EXPORTER_H
#define EBPFCAP_EXPORTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * By default an exporter is read by root and group wireshark only: a Unix
 * socket in a directory root:wireshark 3770 (make install and tmpfiles.d
 * make it; as root the exporter does too). tcp:// is whoever reaches the
 * port, so it needs CURVE or an explicit insecure.
 */
#define ZMQ_EXPORT_DIR "/run/ebpfcap"
#define ZMQ_EXPORT_DEFAULT_ENDPOINT "ipc://" ZMQ_EXPORT_DIR "/export"

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
 * it attaches again, backing off up to 5 s, and says on stderr once
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

#endif
