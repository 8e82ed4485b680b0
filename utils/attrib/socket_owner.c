/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "utils/attrib/socket_owner.h"

#include <stdio.h>
#include <string.h>

#include "utils/attrib/v4_mapped.h"

#define FAMILY_INET 2   /* AF_INET and AF_INET6 as Linux records carry them, on any reader's OS */
#define FAMILY_INET6 10
#define PROTO_TCP 6
#define PROTO_UDP 17

/* IPv4 in bytes 0-3 of out: a mapped address's last four; the unspecified address stays zero. */
static void ipv4_of_v6(uint8_t *out, const uint8_t *a)
{
	if (ipv6_v4_mapped(a))
		memcpy(out, a + 12, 4);
}

bool socket_key_of_record(struct socket_key *k, uint16_t family, uint8_t proto,
			  const uint8_t *saddr, uint16_t sport, const uint8_t *daddr, uint16_t dport)
{
	memset(k, 0, sizeof(*k));
	if (proto != PROTO_TCP && proto != PROTO_UDP)
		return false;
	k->proto = proto;
	k->lport = sport;
	k->rport = dport;
	if (family == FAMILY_INET) {
		k->family = 4;
		memcpy(k->laddr, saddr, 4);
		memcpy(k->raddr, daddr, 4);
	} else if (family == FAMILY_INET6 && ipv6_speaks_ipv4(saddr, daddr)) {
		k->family = 4;
		ipv4_of_v6(k->laddr, saddr);
		ipv4_of_v6(k->raddr, daddr);
	} else if (family == FAMILY_INET6) {
		k->family = 6;
		memcpy(k->laddr, saddr, 16);
		memcpy(k->raddr, daddr, 16);
	} else {
		return false;
	}
	return true;
}

void socket_key_reverse(const struct socket_key *in, struct socket_key *out)
{
	*out = *in;
	out->lport = in->rport;
	out->rport = in->lport;
	memcpy(out->laddr, in->raddr, sizeof(out->laddr));
	memcpy(out->raddr, in->laddr, sizeof(out->raddr));
}

/* The fallbacks in order: what each forgets of the exact key, and for which sockets. */
static const struct fallback {
	bool any_local;   /* bound to the wildcard address */
	bool no_peer;     /* unconnected UDP, or a TCP listener */
	bool udp_only;
	bool dual_stack;  /* TCP over IPv4 only: the same on [::] */
} fallbacks[] = {
	{ false, false, false, false },
	{ true, false, true, false },
	{ false, true, false, false },
	{ true, true, false, false },
	{ true, true, false, true },
};

static bool applies(const struct fallback *f, const struct socket_key *exact)
{
	if (f->udp_only && exact->proto != PROTO_UDP)
		return false;
	return !f->dual_stack || (exact->proto == PROTO_TCP && exact->family == 4);
}

bool socket_key_fallback(const struct socket_key *exact, unsigned *step, struct socket_key *k)
{
	const struct fallback *f;

	while (*step < sizeof(fallbacks) / sizeof(fallbacks[0]) && !applies(&fallbacks[*step], exact))
		(*step)++;
	if (*step >= sizeof(fallbacks) / sizeof(fallbacks[0]))
		return false;
	f = &fallbacks[(*step)++];
	*k = *exact;
	if (f->any_local)
		memset(k->laddr, 0, sizeof(k->laddr));
	if (f->no_peer) {
		memset(k->raddr, 0, sizeof(k->raddr));
		k->rport = 0;
	}
	if (f->dual_stack)
		k->family = 6;
	return true;
}

void owner_label(char *buf, size_t size, const char *comm, uint32_t pid)
{
	snprintf(buf, size, "%.*s(%u)", OWNER_COMM_MAX, comm, pid);
}
