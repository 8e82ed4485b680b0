/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who owns each socket, as the wire names it: the table that attributes
 * captured packets to processes. Bounded (least recently used entries go
 * first, and are counted), and keyed by the whole 5-tuple: two sockets whose
 * keys hash alike are still two entries, never one owner for both.
 */
#ifndef EBPFCAP_FLOW_TABLE_H
#define EBPFCAP_FLOW_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "utils/attrib/socket_owner.h"

#define FLOW_OWNER_TEXT 200

struct flow_owner {
	uint32_t pid, tid; /* tid: the thread that did what the record reports */
	char text[FLOW_OWNER_TEXT]; /* "curl(1234) uid=0 pod=web-7f9c namespace=shop", for comments */
};

struct flow_table;

struct flow_table *flow_table_new(uint32_t capacity);
void flow_table_free(struct flow_table *t);

/* Adds or replaces key's owner; evicts the least recently used entry when full. */
void flow_table_put(struct flow_table *t, const struct socket_key *key, const struct flow_owner *owner);
/* The owner of key, or NULL; a hit makes the entry the most recently used. */
const struct flow_owner *flow_table_get(struct flow_table *t, const struct socket_key *key);

uint32_t flow_table_size(const struct flow_table *t);
uint64_t flow_table_evictions(const struct flow_table *t);

#endif
