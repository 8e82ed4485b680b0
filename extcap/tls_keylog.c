/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "tls_keylog.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#define TLS1_3_VERSION 0x0304
#define TLS_AES_256_GCM_SHA384 0x03001302u

static void hex(char *out, const uint8_t *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static const uint8_t *field(const struct tls_secret_event *e, size_t ssl_st_offset)
{
	return e->block + (ssl_st_offset - TLS_SECRET_BLOCK_START);
}

static bool all_zero(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* RFC 8446 7.1 HKDF-Expand-Label(secret, label, context, hash_len), for hash_len <= the hash's size. */
static bool hkdf_expand_label(const EVP_MD *md, const uint8_t *secret, const char *label,
			      const uint8_t *context, size_t hash_len, uint8_t *out)
{
	uint8_t info[2 + 1 + 255 + 1 + 64 + 1];
	uint8_t block[EVP_MAX_MD_SIZE];
	unsigned int block_len = 0;
	size_t label_len = strlen("tls13 ") + strlen(label), n = 0;

	info[n++] = (uint8_t)(hash_len >> 8);
	info[n++] = (uint8_t)hash_len;
	info[n++] = (uint8_t)label_len;
	memcpy(info + n, "tls13 ", 6);
	memcpy(info + n + 6, label, label_len - 6);
	n += label_len;
	info[n++] = (uint8_t)hash_len;
	memcpy(info + n, context, hash_len);
	n += hash_len;
	info[n++] = 1; /* HKDF-Expand's counter: one block is enough */
	if (!HMAC(md, secret, (int)hash_len, info, n, block, &block_len) || block_len < hash_len)
		return false;
	memcpy(out, block, hash_len);
	return true;
}

static size_t add_line(char *out, size_t size, size_t at, const char *label, const char *random_hex,
		       const uint8_t *secret, size_t len)
{
	char secret_hex[2 * SSL_MAX_MD_SIZE + 1];
	int n;

	if (at >= size)
		return at;
	hex(secret_hex, secret, len);
	n = snprintf(out + at, size - at, "%s %s %s\n", label, random_hex, secret_hex);
	return n < 0 || (size_t)n >= size - at ? size : at + (size_t)n;
}

/*
 * TLS 1.3 as OpenSSL derives it (ssl/tls13_enc.c): the handshake traffic
 * secrets come from the handshake secret and the transcript hash up to
 * ServerHello, which OpenSSL keeps; the others are kept themselves.
 */
static size_t tls13_lines(const struct tls_secret_event *e, const char *random_hex, char *out, size_t size)
{
	const EVP_MD *md = e->cipher_id == TLS_AES_256_GCM_SHA384 ? EVP_sha384() : EVP_sha256();
	size_t len = (size_t)EVP_MD_get_size(md), at = 0;
	const uint8_t *hs = field(e, SSL_ST_HANDSHAKE_SECRET);
	const uint8_t *hs_hash = field(e, SSL_ST_HANDSHAKE_TRAFFIC_HASH);
	uint8_t client_hs[SSL_MAX_MD_SIZE], server_hs[SSL_MAX_MD_SIZE];

	if ((e->cipher_id >> 8) != 0x030013 || all_zero(field(e, SSL_ST_SERVER_APP_TRAFFIC_SECRET), len) ||
	    !hkdf_expand_label(md, hs, "c hs traffic", hs_hash, len, client_hs) ||
	    !hkdf_expand_label(md, hs, "s hs traffic", hs_hash, len, server_hs))
		return 0;
	at = add_line(out, size, at, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", random_hex, client_hs, len);
	at = add_line(out, size, at, "SERVER_HANDSHAKE_TRAFFIC_SECRET", random_hex, server_hs, len);
	at = add_line(out, size, at, "CLIENT_TRAFFIC_SECRET_0", random_hex,
		      field(e, SSL_ST_CLIENT_APP_TRAFFIC_SECRET), len);
	at = add_line(out, size, at, "SERVER_TRAFFIC_SECRET_0", random_hex,
		      field(e, SSL_ST_SERVER_APP_TRAFFIC_SECRET), len);
	at = add_line(out, size, at, "EXPORTER_SECRET", random_hex, field(e, SSL_ST_EXPORTER_MASTER_SECRET), len);
	return at < size ? at : 0;
}

size_t tls_keylog_lines(const struct tls_secret_event *e, char *out, size_t size)
{
	char random_hex[2 * TLS_RANDOM_LEN + 1];
	size_t at;

	if (all_zero(e->client_random, TLS_RANDOM_LEN))
		return 0;
	hex(random_hex, e->client_random, TLS_RANDOM_LEN);
	if (e->version == TLS1_3_VERSION)
		return tls13_lines(e, random_hex, out, size);
	if (e->master_key_len != TLS_MASTER_KEY_LEN || all_zero(e->master_key, TLS_MASTER_KEY_LEN))
		return 0;
	at = add_line(out, size, 0, "CLIENT_RANDOM", random_hex, e->master_key, TLS_MASTER_KEY_LEN);
	return at < size ? at : 0;
}

bool tls_client_hello_random(const uint8_t *p, size_t len, uint8_t *client_random)
{
	/* Record: type 22 (handshake), version 3.x, length; handshake: type 1, length, version, random. */
	if (len < 11 + TLS_RANDOM_LEN || p[0] != 22 || p[1] != 3 || p[5] != 1)
		return false;
	memcpy(client_random, p + 11, TLS_RANDOM_LEN);
	return true;
}

