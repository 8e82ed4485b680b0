/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reads the pcapng files we write (and those Wireshark writes): sections,
 * several interfaces of different link types, enhanced and simple packet
 * blocks. libpcap refuses files whose interfaces differ in link type, and
 * ours mix packets with events.
 */
#ifndef EBPFCAP_PCAPNG_READER_H
#define EBPFCAP_PCAPNG_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pcapng.h"

struct pcapng_packet {
	uint32_t interface_id;
	uint16_t linktype;
	uint64_t ts_ns;
	const uint8_t *data;
	uint32_t caplen;
	uint32_t origlen;
	const char *comment;   /* the first opt_comment, not NUL-terminated; NULL if none */
	uint16_t comment_len;
	bool has_process;      /* epb_processid_threadid */
	uint32_t pid, tid;
};

struct pcapng_reader;

/* NULL with one line on stderr if the file is not pcapng. */
struct pcapng_reader *pcapng_reader_open(FILE *f, const char *name);
/* 1 with *pkt filled, 0 at the end, -1 (after one line on stderr) on a bad block. */
int pcapng_reader_next(struct pcapng_reader *r, struct pcapng_packet *pkt);
void pcapng_reader_close(struct pcapng_reader *r);

/*
 * The process pid as the last process information block read so far
 * describes it (Wireshark's rule for blocks without a start time), or NULL.
 */
const struct pcapng_process_info *pcapng_reader_process(const struct pcapng_reader *r, uint32_t pid);
/* Process information blocks read so far. */
size_t pcapng_reader_processes(const struct pcapng_reader *r);

/*
 * Parses the custom data (what follows the PEN) of a Wireshark custom block,
 * as Wireshark's pcapng_read_wireshark_custom_block() reads it: the entry is
 * little-endian; options of the custom block after it are in the section's
 * order (big_endian_section), where only a comment means anything. Returns 1
 * with *p filled for a process information entry, 0 for another entry type,
 * -1 with *why set when the bytes do not add up (Wireshark: "bad file").
 * Strings longer than p's fields are cut.
 */
int pcapng_parse_process(const uint8_t *data, size_t len, bool big_endian_section,
			 struct pcapng_process_info *p, const char **why);

#endif
