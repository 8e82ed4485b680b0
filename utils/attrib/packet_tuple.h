/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The TCP/UDP 5-tuple of a captured frame, for attributing it to a socket. */
#ifndef EBPFCAP_PACKET_TUPLE_H
#define EBPFCAP_PACKET_TUPLE_H

#include <stdbool.h>
#include <stdint.h>

#include "utils/attrib/socket_owner.h"

/*
 * The network layer of a frame, sender's view: family, protocol, addresses
 * and, for TCP and UDP, ports in key; *l4 is where the transport header
 * starts in the frame (0 when it has none, e.g. a later fragment). False if
 * the frame is not IPv4 or IPv6 on a link type packet_tuple() knows.
 */
bool packet_network(int dlt, const uint8_t *data, uint32_t caplen, struct socket_key *key, uint32_t *l4);

/*
 * Fills key with the sending socket's view (local = source) of a frame of
 * libpcap link type dlt: Ethernet (with VLAN tags), Linux cooked v1/v2, raw
 * IP, loopback. False for anything that is not the first fragment of a TCP
 * or UDP datagram over IPv4 or IPv6.
 */
bool packet_tuple(int dlt, const uint8_t *data, uint32_t caplen, struct socket_key *key);

#endif
