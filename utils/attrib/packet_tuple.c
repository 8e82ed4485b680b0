/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "utils/attrib/packet_tuple.h"

#include <string.h>
#include <arpa/inet.h>
#include <pcap/dlt.h>

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The ethertype of the network layer and where it starts; 0 if unknown. */
static uint16_t link_layer(int dlt, const uint8_t *d, uint32_t len, uint32_t *off)
{
	uint16_t type;

	switch (dlt) {
	case DLT_EN10MB:
		if (len < 14)
			return 0;
		type = be16(d + 12);
		*off = 14;
		while ((type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ) && len >= *off + 4) {
			type = be16(d + *off + 2);
			*off += 4;
		}
		return type;
	case DLT_LINUX_SLL:
		*off = 16;
		return len >= 16 ? be16(d + 14) : 0;
	case DLT_LINUX_SLL2:
		*off = 20;
		return len >= 20 ? be16(d) : 0;
	case DLT_NULL:
	case DLT_LOOP:
		*off = 4;
		if (len < 4)
			return 0;
		/* the address family, in the capturing host's order (NULL) or network order (LOOP) */
		return d[0] == 2 || d[3] == 2 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		*off = 0;
		return len >= 1 && (d[0] >> 4) == 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4;
	default:
		return 0;
	}
}

/* IPv4: addresses, and where the transport header starts (0: a later fragment has none). */
static bool ipv4(const uint8_t *ip, uint32_t len, struct socket_key *k, uint32_t *l4)
{
	uint32_t ihl;

	if (len < 20 || (ip[0] >> 4) != 4)
		return false;
	ihl = (ip[0] & 0x0f) * 4u;
	if (ihl < 20)
		return false;
	k->family = 4;
	k->proto = ip[9];
	memcpy(k->laddr, ip + 12, 4);
	memcpy(k->raddr, ip + 16, 4);
	*l4 = (be16(ip + 6) & 0x1fff) != 0 ? 0 : ihl; /* fragment offset: no ports here */
	return true;
}

/* IPv6 with the extension headers that may precede TCP/UDP. */
static bool ipv6(const uint8_t *ip, uint32_t len, struct socket_key *k, uint32_t *l4)
{
	uint8_t next;
	uint32_t off = 40;

	if (len < 40 || (ip[0] >> 4) != 6)
		return false;
	k->family = 6;
	memcpy(k->laddr, ip + 8, 16);
	memcpy(k->raddr, ip + 24, 16);
	next = ip[6];
	*l4 = 0; /* until the transport header is found */
	for (int hops = 0; hops < 8; hops++) {
		k->proto = next;
		switch (next) {
		case 0: case 43: case 60: /* hop-by-hop, routing, destination options */
			if (len < off + 8)
				return true;
			next = ip[off];
			off += (ip[off + 1] + 1u) * 8;
			continue;
		case 44: /* fragment: only the first one has ports */
			if (len < off + 8 || (be16(ip + off + 2) & 0xfff8) != 0)
				return true;
			next = ip[off];
			off += 8;
			continue;
		}
		*l4 = off;
		return true;
	}
	return true;
}

static bool has_ports(const struct socket_key *k, uint32_t caplen, uint32_t l4)
{
	return (k->proto == IPPROTO_TCP || k->proto == IPPROTO_UDP) && l4 && caplen >= l4 + 4;
}

bool packet_network(int dlt, const uint8_t *data, uint32_t caplen, struct socket_key *k, uint32_t *l4)
{
	uint32_t off = 0;
	uint16_t type = link_layer(dlt, data, caplen, &off);
	bool ok = false;

	memset(k, 0, sizeof(*k));
	*l4 = 0;
	if (type == ETHERTYPE_IPV4)
		ok = ipv4(data + off, caplen - off, k, l4);
	else if (type == ETHERTYPE_IPV6)
		ok = ipv6(data + off, caplen - off, k, l4);
	if (!ok)
		return false;
	if (*l4)
		*l4 += off;
	if (has_ports(k, caplen, *l4)) {
		k->lport = be16(data + *l4);
		k->rport = be16(data + *l4 + 2);
	}
	return true;
}

bool packet_tuple(int dlt, const uint8_t *data, uint32_t caplen, struct socket_key *k)
{
	uint32_t l4;

	return packet_network(dlt, data, caplen, k, &l4) && has_ports(k, caplen, l4);
}
