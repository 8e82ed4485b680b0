/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The NSS key log lines made from a connection's secrets: TLS 1.3's two
 * handshake traffic secrets checked against OpenSSL's own TLS 1.3 KDF
 * (EVP_KDF "TLS13-KDF", the code libssl derives them with), both hashes;
 * TLS 1.2's CLIENT_RANDOM line; what is refused; the ClientHello's random.
 */
#include <stdlib.h>
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "unit.h"
#include "extcap/tls_keylog.h"

/* Where a secret sits in the event's copy of struct ssl_st. */
static const uint8_t *field(const struct tls_secret_event *e, size_t ssl_st_offset)
{
	return e->block + (ssl_st_offset - TLS_SECRET_BLOCK_START);
}

static void fill(uint8_t *b, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed + 7 * i);
}

static void to_hex(char *out, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

/* OpenSSL's HKDF-Expand-Label, as libssl's tls13_hkdf_expand calls it. */
static void openssl_expand_label(const char *digest, const uint8_t *secret, size_t len, const char *label,
				 const uint8_t *hash, uint8_t *out)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS13-KDF", NULL);
	EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(kdf);
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)secret, len),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PREFIX, "tls13 ", 6),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_LABEL, (void *)label, strlen(label)),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_DATA, (void *)hash, len),
		OSSL_PARAM_construct_end(),
	};

	CHECK(kctx && EVP_KDF_derive(kctx, out, len, params) > 0);
	EVP_KDF_CTX_free(kctx);
	EVP_KDF_free(kdf);
}

static struct tls_secret_event *tls13_event(uint32_t cipher_id)
{
	struct tls_secret_event *e = calloc(1, sizeof(*e));

	e->version = 0x0304;
	e->cipher_id = cipher_id;
	fill(e->client_random, TLS_RANDOM_LEN, 1);
	fill(e->block, sizeof(e->block), 9); /* every secret and hash non-zero */
	return e;
}

static void check_tls13(uint32_t cipher_id, const char *digest, size_t len)
{
	struct tls_secret_event *e = tls13_event(cipher_id);
	char lines[TLS_KEYLOG_MAX], want[TLS_KEYLOG_MAX], random_hex[65], hex_buf[2 * 64 + 1];
	uint8_t derived[64];
	size_t n = tls_keylog_lines(e, lines, sizeof(lines));
	const char *labels[] = { "c hs traffic", "s hs traffic" };
	const char *names[] = { "CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET" };

	CHECK(n > 0);
	CHECK_EQ(n, strlen(lines));
	to_hex(random_hex, e->client_random, TLS_RANDOM_LEN);
	for (int i = 0; i < 2; i++) {
		openssl_expand_label(digest, field(e, SSL_ST_HANDSHAKE_SECRET), len, labels[i],
				     field(e, SSL_ST_HANDSHAKE_TRAFFIC_HASH), derived);
		to_hex(hex_buf, derived, len);
		snprintf(want, sizeof(want), "%s %s %s\n", names[i], random_hex, hex_buf);
		CHECK(strstr(lines, want) != NULL);
	}
	to_hex(hex_buf, field(e, SSL_ST_SERVER_APP_TRAFFIC_SECRET), len);
	snprintf(want, sizeof(want), "SERVER_TRAFFIC_SECRET_0 %s %s\n", random_hex, hex_buf);
	CHECK(strstr(lines, want) != NULL);
	CHECK(strstr(lines, "CLIENT_TRAFFIC_SECRET_0 ") && strstr(lines, "EXPORTER_SECRET "));
	int newlines = 0;

	for (const char *p = lines; *p; p++)
		newlines += *p == '\n';
	CHECK_EQ(5, newlines);
	free(e);
}

static void check_tls12(void)
{
	struct tls_secret_event *e = calloc(1, sizeof(*e));
	char lines[TLS_KEYLOG_MAX], random_hex[65], key_hex[97], want[256];

	e->version = 0x0303;
	fill(e->client_random, TLS_RANDOM_LEN, 3);
	fill(e->master_key, TLS_MASTER_KEY_LEN, 5);
	e->master_key_len = TLS_MASTER_KEY_LEN;
	to_hex(random_hex, e->client_random, TLS_RANDOM_LEN);
	to_hex(key_hex, e->master_key, TLS_MASTER_KEY_LEN);
	snprintf(want, sizeof(want), "CLIENT_RANDOM %s %s\n", random_hex, key_hex);
	CHECK_EQ(strlen(want), tls_keylog_lines(e, lines, sizeof(lines)));
	CHECK_STR(want, lines);
	e->master_key_len = 0; /* no session key yet */
	CHECK_EQ(0, tls_keylog_lines(e, lines, sizeof(lines)));
	free(e);
}

static void check_refused(void)
{
	struct tls_secret_event *e = tls13_event(0x03001302);
	char lines[TLS_KEYLOG_MAX];

	CHECK_EQ(0, tls_keylog_lines(e, lines, 100)); /* no room: nothing, not half */
	e->cipher_id = 0x0300c02f;                      /* a TLS 1.2 suite under TLS 1.3 */
	CHECK_EQ(0, tls_keylog_lines(e, lines, sizeof(lines)));
	e->cipher_id = 0x03001301;
	memset(e->client_random, 0, TLS_RANDOM_LEN);
	CHECK_EQ(0, tls_keylog_lines(e, lines, sizeof(lines)));
	fill(e->client_random, TLS_RANDOM_LEN, 1);
	memset(e->block, 0, sizeof(e->block));          /* handshake not done: no application secret */
	CHECK_EQ(0, tls_keylog_lines(e, lines, sizeof(lines)));
	free(e);
}

static void check_client_hello(void)
{
	uint8_t hello[64] = { 22, 3, 1, 0, 59, 1, 0, 0, 55, 3, 3 }, random[TLS_RANDOM_LEN];

	fill(hello + 11, TLS_RANDOM_LEN, 42);
	CHECK(tls_client_hello_random(hello, sizeof(hello), random));
	CHECK(memcmp(random, hello + 11, TLS_RANDOM_LEN) == 0);
	CHECK(!tls_client_hello_random(hello, 11 + TLS_RANDOM_LEN - 1, random)); /* cut short */
	hello[5] = 2;                                                            /* a ServerHello */
	CHECK(!tls_client_hello_random(hello, sizeof(hello), random));
	hello[5] = 1;
	hello[0] = 23;                                                           /* application data */
	CHECK(!tls_client_hello_random(hello, sizeof(hello), random));
}

int main(void)
{
	check_tls13(0x03001301, "SHA256", 32); /* TLS_AES_128_GCM_SHA256 */
	check_tls13(0x03001302, "SHA384", 48); /* TLS_AES_256_GCM_SHA384 */
	check_tls13(0x03001303, "SHA256", 32); /* TLS_CHACHA20_POLY1305_SHA256 */
	check_tls12();
	check_refused();
	check_client_hello();
	printf("%d checks, %d failures\n", unit_checks, unit_failures);
	return unit_failures != 0;
}
