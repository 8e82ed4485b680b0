/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CURVE keys (docs/REMOTE.md): making a key pair, and reading keys from
 * files or arguments. A key is 40 Z85 characters; a key file holds
 * "public-key=" and "secret-key=" lines (ebpfcap --gen-keys writes one) or
 * bare keys, with blank and '#' lines. Every function here reports a
 * refusal in one line on stderr, naming the file and line.
 */
#ifndef EBPFCAP_CURVE_KEYS_H
#define EBPFCAP_CURVE_KEYS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

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
 * The connecting side of CURVE: our key pair on sock, from the secret_key
 * file, or without one an ephemeral pair (fine unless the other side checks
 * keys). The server's key is the caller's: it may differ by endpoint.
 * 0, or -1 (after one line if the key file is refused).
 */
int zmq_curve_client(void *sock, const char *secret_key);
/*
 * An allow-list: the public keys in the file (one a line, bare or
 * "public-key=", '#' comments), decoded to 32 bytes each in *keys (the
 * caller frees it). -1 after one line on stderr, also for a secret key in
 * it or a list without keys (nobody could connect).
 */
int zmq_load_allowed_keys(const char *path, uint8_t (**keys)[32], size_t *n_keys);

#endif
