/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The CURVE server side: our key pair, and the ZAP thread that checks each peer's key (zap.h). */
#include "utils/transport/zap.h"
#include "utils/transport/curve_keys.h"
#include "utils/transport/peer_limits.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_MAX_IN 1024 /* inproc, from libzmq itself: a bound like any other socket's */
#define ZAP_HWM 64

struct zap_handler {
	void *sock;
	pthread_t thread;
	uint8_t (*keys)[32];
	size_t n_keys;
	uint64_t refused;   /* __atomic: read by the main thread */
	int stop;           /* __atomic */
	bool log;
	struct peer_log log_limit;
	const char *path;
};

static bool key_allowed(const struct zap_handler *z, zmq_msg_t *mechanism, zmq_msg_t *key)
{
	if (zmq_msg_size(mechanism) != 5 || memcmp(zmq_msg_data(mechanism), "CURVE", 5) ||
	    zmq_msg_size(key) != 32)
		return false;
	for (size_t i = 0; i < z->n_keys; i++)
		if (memcmp(z->keys[i], zmq_msg_data(key), 32) == 0)
			return true;
	return false;
}

static void zap_reply(void *sock, zmq_msg_t *request_id, bool ok)
{
	zmq_send(sock, "1.0", 3, ZMQ_SNDMORE);
	zmq_send(sock, zmq_msg_data(request_id), zmq_msg_size(request_id), ZMQ_SNDMORE);
	zmq_send(sock, ok ? "200" : "400", 3, ZMQ_SNDMORE);
	zmq_send(sock, ok ? "OK" : "key not allowed", ok ? 2 : 15, ZMQ_SNDMORE);
	zmq_send(sock, "", 0, ZMQ_SNDMORE); /* user id */
	zmq_send(sock, "", 0, 0);           /* metadata */
}

/*
 * One ZAP request (RFC 27): version, request id, domain, address, routing
 * id, mechanism, credentials (CURVE: the client's 32-byte public key).
 */
static void zap_answer(struct zap_handler *z)
{
	zmq_msg_t part[7];
	int n = 0, more = 1;

	while (more) {
		zmq_msg_t m;

		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, z->sock, 0) < 0) {
			zmq_msg_close(&m);
			break;
		}
		more = zmq_msg_more(&m);
		if (n < 7)
			part[n++] = m; /* moves the message; closed below */
		else
			zmq_msg_close(&m);
	}
	/* A REP socket must answer whatever it got, or it answers nothing again. */
	if (n >= 2) {
		bool ok = n == 7 && key_allowed(z, &part[5], &part[6]);

		if (!ok) {
			__atomic_add_fetch(&z->refused, 1, __ATOMIC_RELAXED);
			if (z->log && peer_log_allow(&z->log_limit))
				fprintf(stderr, "ebpfcap: refused a peer from %.*s: its key is not in %s\n",
					n > 3 ? (int)zmq_msg_size(&part[3]) : 1, n > 3 ? (char *)zmq_msg_data(&part[3]) : "?",
					z->path);
		}
		zap_reply(z->sock, &part[1], ok);
	}
	for (int i = 0; i < n; i++)
		zmq_msg_close(&part[i]);
}

static void *zap_thread(void *arg)
{
	struct zap_handler *z = arg;

	while (!__atomic_load_n(&z->stop, __ATOMIC_ACQUIRE)) {
		zmq_pollitem_t item = { .socket = z->sock, .events = ZMQ_POLLIN };

		/* A timeout, so stopping needs no context shutdown (that would cut lingering sends). */
		if (zmq_poll(&item, 1, 100) > 0)
			zap_answer(z);
		if (z->log)
			peer_log_summary(&z->log_limit, "peers refused for their key", false);
	}
	if (z->log)
		peer_log_summary(&z->log_limit, "peers refused for their key", true);
	zmq_close(z->sock);
	return NULL;
}

/*
 * Lets in only clients whose public key is in the file (one key a line,
 * bare or "public-key=", '#' comments). NULL after one line on stderr.
 */
static struct zap_handler *zap_handler_start(void *zmq_ctx, const char *allowed_keys_file, bool log)
{
	struct zap_handler *z = calloc(1, sizeof(*z));

	if (!z)
		return NULL;
	z->log = log;
	z->path = allowed_keys_file;
	if (zmq_load_allowed_keys(allowed_keys_file, &z->keys, &z->n_keys) < 0)
		goto fail;
	z->sock = zmq_socket(zmq_ctx, ZMQ_REP);
	if (!z->sock || zmq_set_int(z->sock, ZMQ_LINGER, 0) < 0 ||
	    zmq_bound_socket(z->sock, ZAP_MAX_IN, ZAP_HWM) < 0 ||
	    zmq_bind(z->sock, ZAP_ENDPOINT) < 0) {
		fprintf(stderr, "ebpfcap: cannot start the key check: %s\n", zmq_strerror(errno));
		goto fail;
	}
	if (pthread_create(&z->thread, NULL, zap_thread, z) != 0) {
		fprintf(stderr, "ebpfcap: cannot start the key check thread\n");
		goto fail;
	}
	return z;
fail:
	if (z->sock)
		zmq_close(z->sock);
	free(z->keys);
	free(z);
	return NULL;
}

uint64_t zap_handler_refused(const struct zap_handler *z)
{
	return z ? __atomic_load_n(&z->refused, __ATOMIC_RELAXED) : 0;
}

void zap_handler_stop(struct zap_handler *z)
{
	if (!z)
		return;
	__atomic_store_n(&z->stop, 1, __ATOMIC_RELEASE);
	pthread_join(z->thread, NULL);
	free(z->keys);
	free(z);
}

int zmq_curve_server(void *ctx, void *sock, const char *secret_key, const char *allowed_keys, bool log,
		     struct zap_handler **zap)
{
	char secret[41], public_key[41];

	if (!secret_key) {
		if (!allowed_keys)
			return 0;
		fprintf(stderr, "ebpfcap: --allowed-keys needs --secret-key: keys are checked only with CURVE\n");
		return -1;
	}
	if (zmq_load_secret_key(secret_key, secret, public_key) < 0)
		return -1;
	if (allowed_keys) {
		*zap = zap_handler_start(ctx, allowed_keys, log);
		if (!*zap)
			return -1;
	}
	return zmq_set_int(sock, ZMQ_CURVE_SERVER, 1) ||
	       zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, secret, 40) ? -1 : 0;
}
