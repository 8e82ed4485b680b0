/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reads the pcapng files we write (and those Wireshark writes): sections,
 * several interfaces of different link types, enhanced and simple packet
 * blocks. libpcap refuses files whose interfaces differ in link type, and
 * ours mix packets with events.
 */
#ifndef EBPFCAP_PCAPNG_READER_H
#define EBPFCAP_PCAPNG_READER_H

#include <stdint.h>
#include <stdio.h>

struct pcapng_packet {
	uint32_t interface_id;
	uint16_t linktype;
	uint64_t ts_ns;
	const uint8_t *data;
	uint32_t caplen;
	uint32_t origlen;
};

struct pcapng_reader;

/* NULL with one line on stderr if the file is not pcapng. */
struct pcapng_reader *pcapng_reader_open(FILE *f, const char *name);
/* 1 with *pkt filled, 0 at the end, -1 (after one line on stderr) on a bad block. */
int pcapng_reader_next(struct pcapng_reader *r, struct pcapng_packet *pkt);
void pcapng_reader_close(struct pcapng_reader *r);

#endif
