/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Socket keys for the attribution tests, written as people write sockets. */
#ifndef EBPFCAP_UNIT_SOCKET_KEYS_H
#define EBPFCAP_UNIT_SOCKET_KEYS_H

#include <string.h>
#include <arpa/inet.h>

#include "utils/attrib/socket_owner.h"

static inline struct socket_key v4_key(uint8_t proto, const char *laddr, uint16_t lport, const char *raddr,
				       uint16_t rport)
{
	struct socket_key k;

	memset(&k, 0, sizeof(k));
	k.proto = proto;
	k.family = 4;
	k.lport = lport;
	k.rport = rport;
	inet_pton(AF_INET, laddr, k.laddr);
	inet_pton(AF_INET, raddr, k.raddr);
	return k;
}

#endif
