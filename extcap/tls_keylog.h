/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A TLS connection's secrets as NSS key log lines (what Wireshark reads), and the ClientHello's random. */
#ifndef EBPFCAP_TLS_KEYLOG_H
#define EBPFCAP_TLS_KEYLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "bpf/tls_secret.h"

/* Five lines of TLS 1.3 secrets with a 48-byte hash, with room to spare. */
#define TLS_KEYLOG_MAX 1024

/* The client_random of a TLS ClientHello at the start of a TCP payload; false if it is none. */
bool tls_client_hello_random(const uint8_t *payload, size_t len, uint8_t *client_random);

/*
 * The NSS key log lines for one connection's secrets (TLS 1.3: the two
 * handshake traffic secrets derived as OpenSSL derives them, the two
 * application traffic secrets and the exporter secret; TLS <= 1.2:
 * CLIENT_RANDOM and the master key). Their length, 0 if there is nothing
 * to say (an unknown cipher, an empty key).
 */
size_t tls_keylog_lines(const struct tls_secret_event *e, char *out, size_t size);

#endif
