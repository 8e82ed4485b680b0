/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Packets of one interface through libpcap, for captures that merge them with events. */
#ifndef EBPFCAP_PACKETS_H
#define EBPFCAP_PACKETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct packet_source;

typedef int (*packet_fn)(uint64_t ts_ns, const uint8_t *data, uint32_t caplen, uint32_t len, void *ctx);

/* NULL after one line on stderr (no such interface, bad filter, no permission). */
struct packet_source *packets_open(const char *ifname, const char *filter);
int packets_fd(const struct packet_source *ps);
int packets_linktype(const struct packet_source *ps);
/* Hands every waiting packet to fn; returns fn's first error or 0. */
int packets_dispatch(struct packet_source *ps, packet_fn fn, void *ctx);
/* Whether filter compiles for Ethernet; if not, why (libpcap's words) goes to why. */
bool packets_filter_compiles(const char *filter, char *why, size_t size);
/* Packets the kernel dropped before libpcap saw them. */
uint64_t packets_dropped(struct packet_source *ps);
void packets_close(struct packet_source *ps);

#endif
