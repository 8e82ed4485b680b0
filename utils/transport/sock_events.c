/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A ZMQ socket's connection events, read back; reattaching what libzmq gave up on (sock_events.h). */
#include "utils/transport/sock_events.h"
#include "utils/transport/peer_limits.h"
#include "utils/clock.h"

#include <string.h>
#include <time.h>
#include <zmq.h>

/* The monitor socket is ours (inproc), bounded all the same: an event is 6 bytes and an endpoint. */
#define WATCH_MAX_IN 4096
#define WATCH_HWM 1024

int zmq_watch_start(void *ctx, void *sock, const char *name, void **watch)
{
	*watch = NULL;
	if (zmq_socket_monitor(sock, name,
			       ZMQ_EVENT_CONNECTED | ZMQ_EVENT_CONNECT_DELAYED | ZMQ_EVENT_CONNECT_RETRIED |
			       ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
			       ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
			       ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) < 0)
		return -1;
	*watch = zmq_socket(ctx, ZMQ_PAIR);
	if (!*watch || zmq_set_int(*watch, ZMQ_LINGER, 0) < 0 ||
	    zmq_bound_socket(*watch, WATCH_MAX_IN, WATCH_HWM) < 0)
		return -1;
	return zmq_connect(*watch, name);
}

/* Each event is two frames: u16 event + u32 value, then the endpoint. */
int zmq_watch_next(void *watch, struct zmq_sock_event *ev)
{
	zmq_msg_t head, where;
	int got = 0;

	memset(ev, 0, sizeof(*ev));
	zmq_msg_init(&head);
	if (zmq_msg_recv(&head, watch, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&head);
		return 0;
	}
	if (zmq_msg_size(&head) >= 6) {
		memcpy(&ev->event, zmq_msg_data(&head), 2);
		memcpy(&ev->value, (uint8_t *)zmq_msg_data(&head) + 2, 4);
	}
	zmq_msg_init(&where);
	if (zmq_msg_more(&head) && zmq_msg_recv(&where, watch, 0) >= 0) {
		size_t n = zmq_msg_size(&where) < sizeof(ev->endpoint) ? zmq_msg_size(&where) : sizeof(ev->endpoint) - 1;

		memcpy(ev->endpoint, zmq_msg_data(&where), n);
		got = 1;
	}
	zmq_msg_close(&where);
	zmq_msg_close(&head);
	return got;
}

void zmq_watch_stop(void *sock, void *watch)
{
	if (sock)
		zmq_socket_monitor(sock, NULL, 0);
	if (watch)
		zmq_close(watch);
}

#define REATTACH_MIN_MS 500
#define REATTACH_MAX_MS 5000

void zmq_reattach_note(struct zmq_reattach *r, const struct zmq_sock_event *ev)
{
	switch (ev->event) {
	case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
		r->delay_ms = REATTACH_MIN_MS;
		break;
	case ZMQ_EVENT_CONNECT_DELAYED:
	case ZMQ_EVENT_CONNECT_RETRIED:
	case ZMQ_EVENT_CONNECTED:
		r->at_ns = 0; /* libzmq is on it */
		break;
	case ZMQ_EVENT_DISCONNECTED:
		if (r->delay_ms < REATTACH_MIN_MS)
			r->delay_ms = REATTACH_MIN_MS;
		r->at_ns = clock_ns(CLOCK_MONOTONIC) + (uint64_t)r->delay_ms * 1000000ull;
		r->delay_ms = r->delay_ms * 2 > REATTACH_MAX_MS ? REATTACH_MAX_MS : r->delay_ms * 2;
		break;
	default:
		break;
	}
}

bool zmq_reattach_due(struct zmq_reattach *r, uint64_t now_ns)
{
	if (!r->at_ns || now_ns < r->at_ns)
		return false;
	r->at_ns = 0;
	return true;
}

const char *zmq_handshake_failure(const struct zmq_sock_event *ev)
{
	switch (ev->event) {
	case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
		return "the key was refused (not in the other side's --allowed-keys)";
	case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
		return "the handshake was cut (a wrong --server-key, CURVE on one side only, or not ebpfcap there)";
	case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
		switch (ev->value) {
		case ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH:
			return "one side uses CURVE and the other does not";
		case ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC:
		case ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE:
			return "the CURVE handshake failed (a wrong --server-key?)";
		default:
			return "a protocol error in the handshake (not ebpfcap there?)";
		}
	default:
		return "";
	}
}
