/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Packets + events captures: what the events taught us about sockets,
 * turned into a comment on each packet ("src curl[1234] uid=1000 | dst
 * nginx[88] uid=33 pod=web-7f9c namespace=shop"), so Wireshark shows the
 * owner even without our plugin.
 */
#ifndef EBPFCAP_PACKET_OWNERS_H
#define EBPFCAP_PACKET_OWNERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "utils/flow_table.h"
#include "utils/record.h"

/* Room for "src OWNER | dst OWNER". */
#define PACKET_COMMENT_MAX (2 * FLOW_OWNER_TEXT + 16)

struct packet_owners;

struct packet_owners_stats {
	uint64_t flows_packets;   /* TCP/UDP packets seen */
	uint64_t attributed;      /* of those, with at least one owner */
	uint64_t evictions;       /* sockets forgotten because the table was full */
	uint32_t sockets;         /* sockets known now */
};

struct packet_owners *packet_owners_new(uint32_t max_sockets);
void packet_owners_free(struct packet_owners *po);

/*
 * Listeners are learned only from these network namespaces (the capture's
 * and a veth's peer): a container elsewhere listening on 0.0.0.0:80 is not
 * the owner of this interface's port 80. At most 4.
 */
void packet_owners_listeners_from(struct packet_owners *po, uint32_t netns);

/* Remembers the owner of the socket a TCP/UDP record describes. */
void packet_owners_learn(struct packet_owners *po, const struct ebpf_record *rec);

/* The comment for a frame of link type dlt; false (and no comment) if no owner is known. */
bool packet_owners_comment(struct packet_owners *po, int dlt, const uint8_t *data, uint32_t caplen,
			   char *comment, size_t size);

void packet_owners_stats(const struct packet_owners *po, struct packet_owners_stats *st);

#endif
