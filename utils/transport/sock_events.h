/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a ZMQ connection goes through (zmq_socket_monitor): connected,
 * handshakes and their failures, disconnects; the failures in words; and
 * when to attach again an endpoint libzmq gave up on. Used by both sides
 * that connect: the exporter (--export-connect) and the collector.
 */
#ifndef EBPFCAP_SOCK_EVENTS_H
#define EBPFCAP_SOCK_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

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

/* Why a handshake failed, in words for a log line ("" when the event is not a failure). */
const char *zmq_handshake_failure(const struct zmq_sock_event *ev);

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

#endif
