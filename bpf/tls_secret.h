/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One TLS connection's secrets as bpf/tls.bpf.c reads them from OpenSSL's
 * struct ssl_st once its handshake is done; extcap/tls_secrets.c turns them
 * into NSS key log lines (what Wireshark's Decryption Secrets Blocks carry).
 */
#ifndef EBPFCAP_TLS_SECRET_H
#define EBPFCAP_TLS_SECRET_H

#include "openssl_3_0.h"

/* struct ssl_st from handshake_secret up to the end of exporter_master_secret. */
#define TLS_SECRET_BLOCK_START SSL_ST_HANDSHAKE_SECRET
#define TLS_SECRET_BLOCK_LEN (SSL_ST_EXPORTER_MASTER_SECRET + SSL_MAX_MD_SIZE - SSL_ST_HANDSHAKE_SECRET)
#define TLS_RANDOM_LEN 32
#define TLS_MASTER_KEY_LEN 48
#define TLS_COMM_LEN 16

struct tls_secret_event {
	__u64 timestamp_ns;       /* CLOCK_BOOTTIME, when read */
	__u64 ssl;                /* the SSL * in its process */
	__u64 cgroup_id;
	__u32 pid, tid, uid;
	__s32 version;            /* SSL_version(): 0x0304 TLS 1.3, 0x0303 TLS 1.2 ... */
	__u32 cipher_id;          /* SSL_CIPHER_get_id(): 0x03001302 TLS_AES_256_GCM_SHA384 ... */
	__u32 is_server;
	__u32 master_key_len;     /* TLS <= 1.2 */
	char comm[TLS_COMM_LEN];
	__u8 client_random[TLS_RANDOM_LEN];
	__u8 master_key[TLS_MASTER_KEY_LEN];
	__u8 block[TLS_SECRET_BLOCK_LEN]; /* TLS 1.3: secrets and hashes, at SSL_ST_* - TLS_SECRET_BLOCK_START */
};

#endif
