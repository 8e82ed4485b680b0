/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "utils/attrib/conntrack.h"

#include <errno.h>
#include <glib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h> /* struct rtattr, the layout of every netlink attribute */
#include <sys/socket.h>

#include "utils/keyhash.h"
#include "utils/netlink.h"
#include "utils/clock.h"

#define ANSWER_TTL_NS 2000000000ull /* connections come and go; answers are kept this long */
#define MAX_ANSWERS 4096            /* then the cache starts over */
#define REPLY_TIMEOUT_US 100000

struct answer {
	bool translated;
	struct socket_key other;
	uint64_t at_ns;
};

struct conntrack {
	int fd;
	uint32_t seq;
	GHashTable *answers; /* struct socket_key -> struct answer */
};

KEYHASH_DEFINE(key, struct socket_key)

struct conntrack *conntrack_open(void)
{
	struct timeval tv = { 0, REPLY_TIMEOUT_US };
	struct sockaddr_nl local = { .nl_family = AF_NETLINK };
	struct conntrack *ct;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);

	if (fd < 0 || bind(fd, (struct sockaddr *)&local, sizeof(local)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	ct = calloc(1, sizeof(*ct));
	if (!ct) {
		close(fd);
		return NULL;
	}
	ct->fd = fd;
	ct->answers = g_hash_table_new_full(key_hash, key_equal, g_free, g_free);
	return ct;
}

void conntrack_close(struct conntrack *ct)
{
	if (!ct)
		return;
	close(ct->fd);
	g_hash_table_destroy(ct->answers);
	free(ct);
}

/* Netlink attributes, appended to a message under construction. */
struct msg {
	uint8_t buf[512];
	size_t len;
};

static struct nlattr *attr_put(struct msg *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(m->buf + m->len);

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (data)
		memcpy(m->buf + m->len + NLA_HDRLEN, data, len);
	m->len += NLA_ALIGN(a->nla_len);
	return a;
}

static struct nlattr *nest_start(struct msg *m, uint16_t type)
{
	return attr_put(m, type | NLA_F_NESTED, NULL, 0);
}

static void nest_end(struct msg *m, struct nlattr *a)
{
	a->nla_len = (uint16_t)(m->buf + m->len - (uint8_t *)a);
}

static void put_tuple(struct msg *m, uint16_t which, const struct socket_key *k)
{
	size_t alen = k->family == 4 ? 4 : 16;
	uint16_t sport = htons(k->lport), dport = htons(k->rport);
	struct nlattr *tuple = nest_start(m, which), *ip = nest_start(m, CTA_TUPLE_IP), *proto;

	attr_put(m, k->family == 4 ? CTA_IP_V4_SRC : CTA_IP_V6_SRC, k->laddr, alen);
	attr_put(m, k->family == 4 ? CTA_IP_V4_DST : CTA_IP_V6_DST, k->raddr, alen);
	nest_end(m, ip);
	proto = nest_start(m, CTA_TUPLE_PROTO);
	attr_put(m, CTA_PROTO_NUM, &k->proto, 1);
	attr_put(m, CTA_PROTO_SRC_PORT, &sport, 2);
	attr_put(m, CTA_PROTO_DST_PORT, &dport, 2);
	nest_end(m, proto);
	nest_end(m, tuple);
}

/* An attribute's type without the nested/byte-order flags. */
static uint16_t attr_type(const struct rtattr *a)
{
	return a->rta_type & NLA_TYPE_MASK;
}

static void read_ip(const struct rtattr *a, void *ctx)
{
	struct socket_key *k = ctx;
	size_t n = RTA_PAYLOAD(a) <= 16 ? RTA_PAYLOAD(a) : 16;

	switch (attr_type(a)) {
	case CTA_IP_V4_SRC: case CTA_IP_V6_SRC:
		memcpy(k->laddr, (const uint8_t *)RTA_DATA(a), n);
		break;
	case CTA_IP_V4_DST: case CTA_IP_V6_DST:
		memcpy(k->raddr, (const uint8_t *)RTA_DATA(a), n);
		break;
	}
}

static void read_proto(const struct rtattr *a, void *ctx)
{
	struct socket_key *k = ctx;
	uint16_t type = attr_type(a);
	const uint8_t *p;
	uint16_t port;

	if ((type != CTA_PROTO_SRC_PORT && type != CTA_PROTO_DST_PORT) || RTA_PAYLOAD(a) < 2)
		return;
	p = RTA_DATA(a);
	port = (uint16_t)(p[0] << 8 | p[1]);
	if (type == CTA_PROTO_SRC_PORT)
		k->lport = port;
	else
		k->rport = port;
}

/* The parts of a tuple: addresses and ports, each in its own nest. */
static void read_tuple_part(const struct rtattr *a, void *ctx)
{
	switch (attr_type(a)) {
	case CTA_TUPLE_IP:
		netlink_each_attr(RTA_DATA(a), (int)RTA_PAYLOAD(a), read_ip, ctx);
		break;
	case CTA_TUPLE_PROTO:
		netlink_each_attr(RTA_DATA(a), (int)RTA_PAYLOAD(a), read_proto, ctx);
		break;
	}
}

struct tuples {
	struct socket_key orig, reply;
	int found;
};

static void read_tuples(const struct rtattr *a, void *ctx)
{
	struct tuples *t = ctx;
	uint16_t type = attr_type(a);

	if (type == CTA_TUPLE_ORIG || type == CTA_TUPLE_REPLY) {
		netlink_each_attr(RTA_DATA(a), (int)RTA_PAYLOAD(a), read_tuple_part,
				  type == CTA_TUPLE_ORIG ? &t->orig : &t->reply);
		t->found++;
	}
}

/* Asks for the connection one of whose tuples is k. */
static bool query(struct conntrack *ct, const struct socket_key *k, struct tuples *t)
{
	struct msg m = { .len = NLMSG_HDRLEN + sizeof(struct nfgenmsg) };
	struct nlmsghdr *nh = (struct nlmsghdr *)m.buf;
	struct nfgenmsg *nf = (struct nfgenmsg *)(m.buf + NLMSG_HDRLEN);
	uint8_t reply[4096];
	ssize_t n;

	memset(m.buf, 0, m.len);
	nh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nh->nlmsg_flags = NLM_F_REQUEST;
	nh->nlmsg_seq = ++ct->seq;
	nf->nfgen_family = k->family == 4 ? AF_INET : AF_INET6;
	nf->version = NFNETLINK_V0;
	put_tuple(&m, CTA_TUPLE_ORIG, k); /* the kernel looks it up in both directions */
	nh->nlmsg_len = (uint32_t)m.len;
	if (send(ct->fd, m.buf, m.len, 0) < 0)
		return false;
	do /* skip late answers to questions that timed out */
		n = recv(ct->fd, reply, sizeof(reply), 0);
	while (n >= (ssize_t)NLMSG_HDRLEN && ((struct nlmsghdr *)reply)->nlmsg_seq != ct->seq);
	nh = (struct nlmsghdr *)reply;
	if (n < (ssize_t)(NLMSG_HDRLEN + sizeof(struct nfgenmsg)) || !NLMSG_OK(nh, (int)n) ||
	    nh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nfgenmsg) || nh->nlmsg_type != ((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW))
		return false; /* NLMSG_ERROR: no such connection */
	memset(t, 0, sizeof(*t));
	t->orig.proto = t->reply.proto = k->proto;
	t->orig.family = t->reply.family = k->family;
	netlink_each_attr(reply + NLMSG_HDRLEN + sizeof(struct nfgenmsg),
			  (int)(nh->nlmsg_len - NLMSG_HDRLEN - sizeof(struct nfgenmsg)), read_tuples, t);
	return t->found == 2;
}

/*
 * A connection has an original tuple O (as its first packet was seen) and
 * a reply tuple R (as replies look after translation). Forwards, the wire
 * shows O before the translation and reverse(R) after it; replies show R
 * before and reverse(O) after. The kernel finds a connection by either
 * tuple, so one question about the packet or its reverse finds it.
 */
static bool ask_kernel(struct conntrack *ct, const struct socket_key *seen, struct socket_key *other)
{
	struct socket_key back, rev_orig, rev_reply;
	struct tuples t;

	socket_key_reverse(seen, &back);
	if (!query(ct, seen, &t) && !query(ct, &back, &t))
		return false;
	socket_key_reverse(&t.orig, &rev_orig);
	socket_key_reverse(&t.reply, &rev_reply);
	if (socket_key_equal(seen, &t.orig))
		*other = rev_reply;
	else if (socket_key_equal(seen, &rev_reply))
		*other = t.orig;
	else if (socket_key_equal(seen, &t.reply))
		*other = rev_orig;
	else if (socket_key_equal(seen, &rev_orig))
		*other = t.reply;
	else
		return false;
	return !socket_key_equal(other, seen);
}

bool conntrack_translated(struct conntrack *ct, const struct socket_key *seen, struct socket_key *other)
{
	struct answer *a = g_hash_table_lookup(ct->answers, seen);
	uint64_t now = clock_ns(CLOCK_MONOTONIC);

	if (!a || now - a->at_ns > ANSWER_TTL_NS) {
		if (g_hash_table_size(ct->answers) >= MAX_ANSWERS)
			g_hash_table_remove_all(ct->answers);
		a = g_new0(struct answer, 1);
		a->translated = ask_kernel(ct, seen, &a->other);
		a->at_ns = now;
		g_hash_table_replace(ct->answers, g_memdup2(seen, sizeof(*seen)), a);
	}
	if (a->translated)
		*other = a->other;
	return a->translated;
}
