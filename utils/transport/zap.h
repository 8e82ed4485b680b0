/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The binding side of CURVE, exporter or collector: our key pair on the
 * socket and, with an allow-list, a ZAP handler (RFC 27) thread that lets
 * in only the peers whose public key is listed.
 */
#ifndef EBPFCAP_ZAP_H
#define EBPFCAP_ZAP_H

#include <stdbool.h>
#include <stdint.h>

struct zap_handler;

/*
 * Our key pair from the secret_key file and, with allowed_keys, a ZAP
 * handler in ctx (*zap) that lets in only those peers; call it before
 * binding. log: say refused peers on stderr. No secret_key: plain
 * (allowed_keys alone is refused). 0, or -1 after one line.
 */
int zmq_curve_server(void *ctx, void *sock, const char *secret_key, const char *allowed_keys, bool log,
		     struct zap_handler **zap);
/* Clients refused so far. NULL is fine. */
uint64_t zap_handler_refused(const struct zap_handler *z);
/* Ends the thread (within 100 ms); call before zmq_ctx_term(). NULL is fine. */
void zap_handler_stop(struct zap_handler *z);

#endif
