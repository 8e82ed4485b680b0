/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which socket a packet belongs to, and how its owner is named: the one
 * attribution core of the capture (extcap/packet_owners.c, a bounded LRU
 * table) and of the dissector (dissector/ebpfflow-owner.c, time spans read
 * from a file). Each keeps its own storage; both key a record's socket, look
 * a packet up and name its owner here, so the two cannot drift apart again
 * (they once did: a dual-stack socket speaking IPv4 was found by one only).
 *
 * libc only: this file is linked into the extcap and, built -fPIC with
 * Wireshark's flags, into the plugin.
 */
#ifndef EBPFCAP_SOCKET_OWNER_H
#define EBPFCAP_SOCKET_OWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * A socket seen from its own side: local address and port first. Compared
 * and hashed byte for byte, so it has no padding and unused address bytes
 * are zero.
 */
struct socket_key {
	uint8_t proto;   /* IPPROTO_TCP or IPPROTO_UDP */
	uint8_t family;  /* 4 or 6 (not AF_*: one byte, no padding) */
	uint16_t lport, rport;
	uint8_t laddr[16], raddr[16]; /* network order; IPv4 in bytes 0-3, rest zero */
};
_Static_assert(sizeof(struct socket_key) == 38, "struct socket_key has padding");

/*
 * The key of the socket a TCP or UDP record names (family AF_INET or
 * AF_INET6, addresses of 16 bytes with IPv4 in the first 4; s = local), as
 * its packets name it: a dual-stack socket speaking IPv4 through
 * ::ffff:a.b.c.d gets an IPv4 key. False for any other protocol or family.
 */
bool socket_key_of_record(struct socket_key *k, uint16_t family, uint8_t proto,
			  const uint8_t *saddr, uint16_t sport, const uint8_t *daddr, uint16_t dport);

/* The same socket pair seen from the other end. */
void socket_key_reverse(const struct socket_key *in, struct socket_key *out);

static inline bool socket_key_equal(const struct socket_key *a, const struct socket_key *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/*
 * The keys to look a packet's socket up by, most specific first: the exact
 * socket; for UDP, one bound to any local address; then a socket that knows
 * no peer (an unconnected UDP socket, or the TCP listener a connection not
 * yet accept()ed belongs to) on the local address, on any address, and for
 * TCP over IPv4 on any IPv6 address (a dual-stack listener on [::]).
 * Start with *step = 0; each call writes the next key to *k and returns
 * false when none is left.
 */
bool socket_key_fallback(const struct socket_key *exact, unsigned *step, struct socket_key *k);

/*
 * How a process is named wherever a socket's owner is shown, in packet
 * comments and in Wireshark alike: "curl(4242)". comm is read up to its NUL
 * or the kernel's 16 bytes (TASK_COMM_LEN), whichever comes first.
 */
#define OWNER_COMM_MAX 16
#define OWNER_LABEL_MAX (OWNER_COMM_MAX + 13) /* comm, "(", up to 10 digits, ")", NUL */
void owner_label(char *buf, size_t size, const char *comm, uint32_t pid);

#endif
