/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NAT, as the kernel's connection tracking knows it: the same connection
 * seen on the other side of an address translation. A packet captured
 * before DNAT (client -> 10.0.0.1:8080) belongs to a server socket that
 * knows the translated tuple (client -> 172.17.0.2:80); conntrack tells one
 * from the other. Asked over ctnetlink, one connection at a time.
 */
#ifndef EBPFCAP_CONNTRACK_H
#define EBPFCAP_CONNTRACK_H

#include <stdbool.h>

#include "utils/attrib/socket_owner.h"

struct conntrack;

/* NULL if ctnetlink cannot be used here (no CAP_NET_ADMIN, no conntrack). */
struct conntrack *conntrack_open(void);
void conntrack_close(struct conntrack *ct);

/*
 * The packet seen (sender's view: local = source) as it looks on the other
 * side of a translation of its connection, in the same direction. False if
 * the kernel tracks no such connection or translates nothing in it.
 */
bool conntrack_translated(struct conntrack *ct, const struct socket_key *seen, struct socket_key *other);

#endif
