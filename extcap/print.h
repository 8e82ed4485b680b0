/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Events (and packets) for people: one aligned line each, or one JSON
 * object each. The same printer serves a live capture without -w and
 * `ebpfcap -r FILE`, so both look alike.
 */
#ifndef EBPFCAP_PRINT_H
#define EBPFCAP_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "utils/record/record.h"

struct print_style {
	bool json;    /* --json: one object per line, every field of the record */
	bool numeric; /* -n: uids, not user names */
	bool verbose; /* -v: a second, indented line with the rest of the record */
};

struct printer;

/* Prints to f (standard output); line-buffered when f is a terminal. */
struct printer *printer_open(FILE *f, const struct print_style *style);
/* 0, or -errno once the output fails (-EPIPE: the reader went away). */
int printer_record(struct printer *p, const struct ebpf_record *rec);
/* A record as pcapng carries it: an exported PDU (others are skipped, malformed ones said). */
int printer_pdu(struct printer *p, const uint8_t *data, uint32_t len);
/*
 * A captured packet, summarised from its headers (Ethernet, IPv4/IPv6,
 * TCP/UDP); owners (NULL: none known) is what the capture knows of its sockets.
 */
int printer_packet(struct printer *p, uint64_t ts_ns, int linktype, const uint8_t *data,
		   uint32_t caplen, uint32_t len, const char *owners);
/* Events and packets printed so far. */
uint64_t printer_printed(const struct printer *p);
/* Writes what is buffered: once per poll round in a live capture. */
int printer_flush(struct printer *p);
/* Flushes and frees; f stays open. */
void printer_close(struct printer *p);

/* Prints the records and packets of a pcapng file (at most max; 0: all); the exit status. */
int print_file(const char *path, const struct print_style *style, uint64_t max);

#endif
