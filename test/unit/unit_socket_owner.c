/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The attribution core both the capture and the dissector use: a record's
 * key (dual-stack sockets, v4-mapped addresses), the order in which a
 * packet falls back from its exact socket, and the owner's label.
 */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "socket_keys.h"
#include "unit.h"
#include "utils/attrib/socket_owner.h"

/* A record's AF_INET6 address. */
static const uint8_t *v6(const char *text, uint8_t buf[16])
{
	memset(buf, 0, 16);
	inet_pton(AF_INET6, text, buf);
	return buf;
}

/* Whether the fallbacks of exact are exactly want[0..n), in that order. */
static int fallbacks_are(const struct socket_key *exact, const struct socket_key *want, unsigned n)
{
	struct socket_key k;
	unsigned step = 0, i = 0;

	for (; socket_key_fallback(exact, &step, &k); i++)
		if (i >= n || !socket_key_equal(&k, &want[i])) {
			printf("fallback %u of %u:%u is not the one expected\n", i, exact->lport, exact->rport);
			return 0;
		}
	return i == n;
}

/* TCP over IPv4: the socket, then its listener on the address, on any address, on [::]. */
static void test_tcp_v4_order(void)
{
	struct socket_key exact = v4_key(IPPROTO_TCP, "10.0.0.2", 80, "10.0.0.1", 50000);
	struct socket_key want[4] = {
		exact,
		v4_key(IPPROTO_TCP, "10.0.0.2", 80, "0.0.0.0", 0),
		v4_key(IPPROTO_TCP, "0.0.0.0", 80, "0.0.0.0", 0),
		v4_key(IPPROTO_TCP, "0.0.0.0", 80, "0.0.0.0", 0),
	};

	want[3].family = 6; /* the dual-stack listener */
	CHECK(fallbacks_are(&exact, want, 4));
}

/* TCP over IPv6 has no dual-stack step: an IPv6 packet never belongs to an IPv4 listener. */
static void test_tcp_v6_order(void)
{
	uint8_t a[16], b[16];
	struct socket_key exact, want[3];

	CHECK(socket_key_of_record(&exact, AF_INET6, IPPROTO_TCP, v6("fd00::2", a), 80, v6("fd00::1", b), 50000));
	want[0] = exact;
	want[1] = exact;
	memset(want[1].raddr, 0, 16);
	want[1].rport = 0;
	want[2] = want[1];
	memset(want[2].laddr, 0, 16);
	CHECK(fallbacks_are(&exact, want, 3));
}

/* UDP: the socket, bound to any address, knowing no peer on the address, then on any address. */
static void test_udp_order(void)
{
	struct socket_key exact = v4_key(IPPROTO_UDP, "10.0.0.2", 53, "10.0.0.1", 40000);
	const struct socket_key want[4] = {
		exact,
		v4_key(IPPROTO_UDP, "0.0.0.0", 53, "10.0.0.1", 40000),
		v4_key(IPPROTO_UDP, "10.0.0.2", 53, "0.0.0.0", 0),
		v4_key(IPPROTO_UDP, "0.0.0.0", 53, "0.0.0.0", 0),
	};

	CHECK(fallbacks_are(&exact, want, 4));
}

/* A dual-stack socket speaking IPv4 is keyed as its IPv4 packets name it. */
static void test_v4_mapped_records(void)
{
	uint8_t a[16], b[16];
	struct socket_key k, want = v4_key(IPPROTO_TCP, "10.0.0.1", 50000, "10.0.0.2", 80);

	CHECK(socket_key_of_record(&k, AF_INET6, IPPROTO_TCP, v6("::ffff:10.0.0.1", a), 50000,
				   v6("::ffff:10.0.0.2", b), 80));
	CHECK(socket_key_equal(&k, &want));
	/* bound to ::ffff:a.b.c.d, not yet connected (a listener): IPv4, no peer */
	want = v4_key(IPPROTO_TCP, "10.0.0.1", 80, "0.0.0.0", 0);
	CHECK(socket_key_of_record(&k, AF_INET6, IPPROTO_TCP, v6("::ffff:10.0.0.1", a), 80, v6("::", b), 0));
	CHECK(socket_key_equal(&k, &want));
	/* an unbound socket sending to a mapped peer */
	want = v4_key(IPPROTO_UDP, "0.0.0.0", 40000, "10.0.0.2", 53);
	CHECK(socket_key_of_record(&k, AF_INET6, IPPROTO_UDP, v6("::", a), 40000, v6("::ffff:10.0.0.2", b), 53));
	CHECK(socket_key_equal(&k, &want));
	/* a mapped address facing a real IPv6 peer is not IPv4 */
	CHECK(socket_key_of_record(&k, AF_INET6, IPPROTO_TCP, v6("::ffff:10.0.0.1", a), 1, v6("fd00::1", b), 2));
	CHECK_EQ(k.family, 6);
	CHECK(memcmp(k.laddr, a, 16) == 0);
	/* AF_INET: the first 4 bytes, the rest of the key zero */
	memset(a, 0xee, 16);
	memset(b, 0xee, 16);
	inet_pton(AF_INET, "10.0.0.1", a);
	inet_pton(AF_INET, "10.0.0.2", b);
	want = v4_key(IPPROTO_TCP, "10.0.0.1", 1, "10.0.0.2", 2);
	CHECK(socket_key_of_record(&k, AF_INET, IPPROTO_TCP, a, 1, b, 2));
	CHECK(socket_key_equal(&k, &want));
	CHECK(!socket_key_of_record(&k, AF_INET, IPPROTO_ICMP, a, 1, b, 2));
	CHECK(!socket_key_of_record(&k, 7, IPPROTO_TCP, a, 1, b, 2));
}

/*
 * The bug of 9bbf479, end to end through the core: a listener on [::] and
 * a connection it accepted over IPv4. The connection's packets find the
 * accepted socket by their exact key, and before its accept() the listener
 * by the last fallback.
 */
static void test_dual_stack_listener(void)
{
	uint8_t a[16], b[16];
	struct socket_key listener, accepted, packet = v4_key(IPPROTO_TCP, "10.0.0.2", 80, "10.0.0.1", 50000), k;
	unsigned step = 0;
	int found_at = -1;

	CHECK(socket_key_of_record(&listener, AF_INET6, IPPROTO_TCP, v6("::", a), 80, v6("::", b), 0));
	CHECK_EQ(listener.family, 6);
	CHECK(socket_key_of_record(&accepted, AF_INET6, IPPROTO_TCP, v6("::ffff:10.0.0.2", a), 80,
				   v6("::ffff:10.0.0.1", b), 50000));
	CHECK(socket_key_equal(&accepted, &packet));
	for (int i = 0; socket_key_fallback(&packet, &step, &k); i++)
		if (found_at < 0 && socket_key_equal(&k, &listener))
			found_at = i;
	CHECK_EQ(found_at, 3);
}

static void test_reverse(void)
{
	struct socket_key k = v4_key(IPPROTO_TCP, "10.0.0.1", 50000, "10.0.0.2", 80), r, rr;
	struct socket_key want = v4_key(IPPROTO_TCP, "10.0.0.2", 80, "10.0.0.1", 50000);

	socket_key_reverse(&k, &r);
	CHECK(socket_key_equal(&r, &want));
	socket_key_reverse(&r, &rr);
	CHECK(socket_key_equal(&rr, &k));
}

static void test_label(void)
{
	char buf[OWNER_LABEL_MAX], small[8];
	const char full_comm[16] = "abcdefghijklmnop"; /* a comm of 16 bytes has no NUL */

	owner_label(buf, sizeof(buf), "curl", 4242);
	CHECK_STR(buf, "curl(4242)");
	owner_label(buf, sizeof(buf), full_comm, 4294967295u);
	CHECK_STR(buf, "abcdefghijklmnop(4294967295)");
	owner_label(small, sizeof(small), "curl", 4242);
	CHECK_STR(small, "curl(42");
}

int main(void)
{
	test_tcp_v4_order();
	test_tcp_v6_order();
	test_udp_order();
	test_v4_mapped_records();
	test_dual_stack_listener();
	test_reverse();
	test_label();
	return unit_report("unit_socket_owner");
}
