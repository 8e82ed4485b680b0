/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The packet attribution table: LRU order, evictions, full-key compare; and frame parsing. */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <pcap/dlt.h>

#include "socket_keys.h"
#include "unit.h"
#include "utils/attrib/flow_table.h"
#include "utils/attrib/packet_tuple.h"

static struct socket_key key(uint16_t lport, uint16_t rport)
{
	return v4_key(IPPROTO_TCP, "10.0.0.1", lport, "10.0.0.2", rport);
}

static struct flow_owner owner(uint32_t pid)
{
	struct flow_owner o = { .pid = pid };

	snprintf(o.text, sizeof(o.text), "p[%u]", pid);
	return o;
}

/* A table of 4 sees 1000 sockets: every hit is the right owner, never another's. */
static void test_never_misattributes(void)
{
	struct flow_table *t = flow_table_new(4);
	int wrong = 0, hits = 0;

	for (uint16_t i = 1; i <= 1000; i++) {
		struct socket_key k = key(i, 80);
		struct flow_owner o = owner(i);

		flow_table_put(t, &k, &o);
	}
	for (uint16_t i = 1; i <= 1000; i++) {
		struct socket_key k = key(i, 80);
		const struct flow_owner *o = flow_table_get(t, &k);

		hits += o != NULL;
		wrong += o && o->pid != i;
	}
	CHECK_EQ(wrong, 0);
	CHECK_EQ(hits, 4);
	CHECK_EQ(flow_table_size(t), 4);
	CHECK_EQ(flow_table_evictions(t), 996);
	flow_table_free(t);
}

/* The least recently *used* goes first: a lookup keeps an entry. */
static void test_lru_order(void)
{
	struct flow_table *t = flow_table_new(2);
	struct socket_key a = key(1, 80), b = key(2, 80), c = key(3, 80);
	struct flow_owner oa = owner(1), ob = owner(2), oc = owner(3);

	flow_table_put(t, &a, &oa);
	flow_table_put(t, &b, &ob);
	CHECK(flow_table_get(t, &a) != NULL); /* a is now newer than b */
	flow_table_put(t, &c, &oc);
	CHECK(flow_table_get(t, &b) == NULL);
	CHECK_EQ(flow_table_get(t, &a)->pid, 1);
	CHECK_EQ(flow_table_get(t, &c)->pid, 3);
	flow_table_put(t, &c, &oa); /* replacing is not an eviction */
	CHECK_EQ(flow_table_get(t, &c)->pid, 1);
	CHECK_EQ(flow_table_evictions(t), 1);
	flow_table_free(t);
}

/* Keys differing in one address byte or the protocol are different sockets. */
static void test_full_key(void)
{
	struct flow_table *t = flow_table_new(64);
	struct socket_key a = key(5, 80), b = a, u = a;
	struct flow_owner oa = owner(1);

	b.raddr[3] ^= 1;
	u.proto = IPPROTO_UDP;
	flow_table_put(t, &a, &oa);
	CHECK(flow_table_get(t, &b) == NULL);
	CHECK(flow_table_get(t, &u) == NULL);
	CHECK(flow_table_get(t, &a) != NULL);
	flow_table_free(t);
}

static const uint8_t ipv4_syn[] = {
	0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, 0x81, 0x00, 0x00, 0x07, 0x08, 0x00, /* Ethernet + VLAN 7 */
	0x45, 0, 0, 40, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,         /* IPv4, DF, TCP */
	0xc3, 0x50, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0,
};

static void test_packet_tuple(void)
{
	struct socket_key k, r, want = key(50000, 80);
	uint8_t frag[sizeof(ipv4_syn)];

	CHECK(packet_tuple(DLT_EN10MB, ipv4_syn, sizeof(ipv4_syn), &k));
	CHECK(memcmp(&k, &want, sizeof(k)) == 0);
	socket_key_reverse(&k, &r);
	CHECK_EQ(r.lport, 80);
	CHECK_EQ(r.rport, 50000);
	CHECK_EQ(r.laddr[3], 2);
	CHECK(!packet_tuple(DLT_EN10MB, ipv4_syn, 40, &k));        /* cut before the ports */
	memcpy(frag, ipv4_syn, sizeof(frag));
	frag[18 + 7] = 0x10;                                           /* a later fragment */
	CHECK(!packet_tuple(DLT_EN10MB, frag, sizeof(frag), &k));
	CHECK(packet_tuple(DLT_RAW, ipv4_syn + 18, sizeof(ipv4_syn) - 18, &k));
	CHECK(memcmp(&k, &want, sizeof(k)) == 0);
}

int main(void)
{
	test_never_misattributes();
	test_lru_order();
	test_full_key();
	test_packet_tuple();
	return unit_report("unit_flow_table");
}
