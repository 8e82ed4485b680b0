/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TLS secrets of the processes that use the shared OpenSSL 3.0 library,
 * taken with uprobes (bpf/tls.bpf.c) and handed on as NSS key log lines:
 * what Wireshark reads from a pcapng Decryption Secrets Block or an
 * SSLKEYLOGFILE. Off unless --tls-secrets or --tls-keylog asks for it.
 */
#ifndef EBPFCAP_TLS_SECRETS_H
#define EBPFCAP_TLS_SECRETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel_events.h"
#include "tls_keylog.h"

struct tls_keys {
	uint32_t pid;
	const char *comm;
	const char *lines;           /* NSS key log lines, each ending in '\n' */
	size_t len;
};

/* Each connection's keys; a negative return stops tls_secrets_consume(). */
typedef int (*tls_keys_fn)(const struct tls_keys *keys, void *ctx);

struct tls_secrets;

/*
 * Loads and attaches the probes to libssl (lib NULL: the system's
 * libssl.so.3), with the capture's filters; the pid and cgroup maps are
 * kernel_events' own, so both follow the same processes. NULL after one
 * line on stderr.
 */
struct tls_secrets *tls_secrets_open(const char *lib, const struct event_filter *filter,
				     const struct kernel_events *ke, tls_keys_fn fn, void *ctx);
/* A descriptor that polls readable when secrets are waiting. */
int tls_secrets_fd(const struct tls_secrets *ts);
/* Hands every waiting connection's keys to fn; their number or an error. */
int tls_secrets_consume(struct tls_secrets *ts);
/* Connections whose secrets the kernel had no room for. */
uint64_t tls_secrets_lost(const struct tls_secrets *ts);
/* Detaches every probe and frees every map. */
void tls_secrets_close(struct tls_secrets *ts);

/*
 * For a packet leaving the reorder window with its owners in comment: if it
 * opens a TLS connection (a ClientHello) whose keys have not come, appends
 * " | TLS: no keys" to comment and says once per process on stderr why.
 * Whether it did.
 */
bool tls_secrets_check_packet(struct tls_secrets *ts, int dlt, const uint8_t *data, uint32_t caplen,
			      char *comment, size_t size);

#endif
