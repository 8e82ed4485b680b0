/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small pcapng writer. Every block is assembled in memory and written with
 * one write() loop, so a live reader on a fifo never sees half a block and
 * sees every block as soon as it is written (no stdio buffering).
 */
#ifndef EBPFCAP_PCAPNG_H
#define EBPFCAP_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINKTYPE_ETHERNET 1
#define LINKTYPE_WIRESHARK_UPPER_PDU 252

struct pcapng_writer;

/* Takes ownership of fd; writes the Section Header Block. NULL on error. */
struct pcapng_writer *pcapng_writer_open(int fd, const char *application);
void pcapng_writer_close(struct pcapng_writer *w);

/*
 * Writes an Interface Description Block with nanosecond timestamps. Returns
 * the interface id to pass to pcapng_write_packet(), or -1 with errno set.
 */
int pcapng_add_interface(struct pcapng_writer *w, uint16_t linktype, uint32_t snaplen,
			 const char *name, const char *description);

/* Writes an Enhanced Packet Block; comment may be NULL. 0, or -1 with errno. */
int pcapng_write_packet(struct pcapng_writer *w, uint32_t interface_id, uint64_t ts_ns,
			const void *data, uint32_t caplen, uint32_t origlen, const char *comment);

/*
 * Writes a Decryption Secrets Block: Wireshark uses its secrets for the
 * packets after it. 0, or -1 with errno.
 */
#define PCAPNG_SECRETS_TLS_KEYLOG 0x544c534bu /* "TLSK": NSS key log lines */
int pcapng_write_secrets(struct pcapng_writer *w, uint32_t secrets_type, const void *data, uint32_t len);

/*
 * Batched: blocks wait in memory until pcapng_flush() (or 256 KiB pile up),
 * one write() for many blocks. Off by default: every block goes out at once.
 */
void pcapng_writer_batch(struct pcapng_writer *w, bool on);
/* Writes what is waiting; 0, or -1 with errno set (EPIPE: the reader is gone). */
int pcapng_flush(struct pcapng_writer *w);

/* Bytes written so far (for statistics). */
uint64_t pcapng_bytes_written(const struct pcapng_writer *w);

#endif
