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

/* What an Enhanced Packet Block may say about its packet besides the bytes. */
struct pcapng_packet_options {
	const char *comment;   /* opt_comment; NULL or "": none */
	bool has_process;      /* epb_processid_threadid (option 8): the packet's process */
	uint32_t pid, tid;
};

/* pcapng_write_packet() with every option above; opts may be NULL. */
int pcapng_write_packet_opts(struct pcapng_writer *w, uint32_t interface_id, uint64_t ts_ns,
			     const void *data, uint32_t caplen, uint32_t origlen,
			     const struct pcapng_packet_options *opts);

/*
 * A process, as Wireshark (4.7/5.0 on) describes it: the body of a "Process
 * Information Block" (proposed for the pcapng draft, IETF-OPSAWG-WG
 * draft-ietf-opsawg-pcap pull 209), carried in a Wireshark custom block
 * (block type 0x00000BAD, PEN 32622, entry type 3). Packets name it by the
 * pid in their epb_processid_threadid option. Written by
 * pcapng_write_process(), parsed by pcapng_parse_process().
 */
#define PCAPNG_PEN_WIRESHARK 32622
#define PCAPNG_WIRESHARK_ENTRY_PROCESS 3

struct pcapng_process_info {
	uint32_t pid;
	bool has_ppid, has_uid;
	uint32_t ppid, uid;
	char name[64];        /* pib_name (2): "" leaves it out, like every field below */
	char path[256];       /* pib_path (3): the executable */
	uint8_t cmdline[256]; /* pib_cmdline (4): arguments, each NUL-terminated */
	uint16_t cmdline_len;
	char user[64];        /* pib_user (7) */
	bool has_uuid;
	uint8_t uuid[16];     /* pib_uuid (8) */
	uint64_t start_ns;    /* pib_starttime (9), ns since the epoch; 0: unknown */
	char comment[512];    /* opt_comment (1): what the format has no option for (container, pod, ...) */
};

/* Writes p as a Wireshark process information custom block. 0, or -1 with errno. */
int pcapng_write_process(struct pcapng_writer *w, const struct pcapng_process_info *p);

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
