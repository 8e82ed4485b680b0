/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Packets + events captures: what the events taught us about sockets,
 * turned into a comment on each packet ("src curl(1234) uid=1000 | dst
 * nginx(88) uid=33 pod=web-7f9c namespace=shop"), so Wireshark shows the
 * owner even without our plugin.
 */
#ifndef EBPFCAP_PACKET_OWNERS_H
#define EBPFCAP_PACKET_OWNERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcapio/pcapng.h"
#include "utils/attrib/flow_table.h"
#include "utils/record/record.h"

/* Room for "src OWNER | dst OWNER". */
#define PACKET_COMMENT_MAX (2 * FLOW_OWNER_TEXT + 16)

/*
 * What a packet's block says about its owners: the comment names both ends
 * ("src ... | dst ..."); epb_processid_threadid names one process, the
 * format allowing one: the sender's when it is known, else the receiver's.
 */
struct packet_owner_note {
	char comment[PACKET_COMMENT_MAX];
	struct pcapng_packet_options opts;  /* the comment above, and the process */
	/* Not NULL: the first packet of this process (or of its new description):
	 * write its process information block before the packet. */
	const struct pcapng_process_info *describe;
};

struct packet_owners;

struct packet_owners_stats {
	uint64_t flows_packets;   /* TCP/UDP packets seen */
	uint64_t attributed;      /* of those, with at least one owner */
	uint64_t evictions;       /* sockets forgotten because the table was full */
	uint32_t sockets;         /* sockets known now */
};

/* describe_processes: hand out process information blocks (packet_owner_note.describe). */
struct packet_owners *packet_owners_new(uint32_t max_sockets, bool describe_processes);
void packet_owners_free(struct packet_owners *po);

/*
 * Listeners are learned only from these network namespaces (the capture's
 * and a veth's peer): a container elsewhere listening on 0.0.0.0:80 is not
 * the owner of this interface's port 80. At most 4.
 */
void packet_owners_listeners_from(struct packet_owners *po, uint32_t netns);

/* Remembers the owner of the socket a TCP/UDP record describes. */
void packet_owners_learn(struct packet_owners *po, const struct ebpf_record *rec);

/* The owners of a frame of link type dlt; false (note untouched) if none is known. */
bool packet_owners_note(struct packet_owners *po, int dlt, const uint8_t *data, uint32_t caplen,
			struct packet_owner_note *note);

void packet_owners_stats(const struct packet_owners *po, struct packet_owners_stats *st);

#endif
