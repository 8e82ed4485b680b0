/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A record's AF_INET6 addresses, and whether the socket speaks IPv4 through
 * them: how the attribution core (socket_owner.c) keys such a socket, and
 * how the dissector shows its addresses (as its packets do).
 */
#ifndef EBPFCAP_V4_MAPPED_H
#define EBPFCAP_V4_MAPPED_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* ::ffff:a.b.c.d */
static inline bool ipv6_v4_mapped(const uint8_t *a)
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(a, prefix, sizeof(prefix)) == 0;
}

/* :: */
static inline bool ipv6_unspecified(const uint8_t *a)
{
	static const uint8_t zero[16];

	return memcmp(a, zero, sizeof(zero)) == 0;
}

/*
 * A dual-stack socket speaking IPv4 says ::ffff:a.b.c.d at one end and the
 * same or nothing at the other; its packets are IPv4. A listener on [::]
 * does not: it stays IPv6 (and takes IPv4 connections too).
 */
static inline bool ipv6_speaks_ipv4(const uint8_t *saddr, const uint8_t *daddr)
{
	return (ipv6_v4_mapped(saddr) && (ipv6_v4_mapped(daddr) || ipv6_unspecified(daddr))) ||
	       (ipv6_v4_mapped(daddr) && ipv6_unspecified(saddr));
}

#endif
