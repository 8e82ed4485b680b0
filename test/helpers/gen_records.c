/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Deterministic captures for the dissector tests, written with our own
 * pcapio and codec:
 *   gen_records all OUT          one record of every type, IPv4 and IPv6, every TLV
 *   gen_records malformed OUT    one record per malformed form, named in its comment,
 *                                and the odd-but-valid forms a newer writer may send
 *   gen_records fuzz SEED N OUT  N mutated records: truncation, bit flips, lying lengths
 *   gen_records tlv-limits OUT   ifname TLVs at, just over and far over its maximum
 *                                (16, 17, 5001 bytes), named in their comments
 *   gen_records raw all|malformed|messages DIR
 *                                the same records one per file (the fuzzers' seed corpora,
 *                                test/data/fuzz/); messages: ZMQ messages of "all" records
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pcapio/exported_pdu.h"
#include "pcapio/pcapng.h"
#include "utils/record/record.h"
#include "utils/byteorder.h"
#include "utils/transport/zmq_msg.h"

#define T0 1700000000000000000ull
#define MAX_PKT (64 + EBPF_RECORD_MAX_WIRE + 8192) /* room for over-long TLVs */

static struct pcapng_writer *w;
static const char *raw_dir; /* raw mode: one file per record, named after its comment */
static int raw_n;

static void put_file(const uint8_t *bytes, size_t len, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%02d%s%s", raw_dir, raw_n++, name ? "-" : "", name ? name : "");
	f = fopen(path, "wb");
	if (!f || fwrite(bytes, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* One packet: the exported-PDU tags, then the record; origlen > len when the capture cut it short. */
static void put_snapped(const uint8_t *rec, size_t len, size_t origlen, uint64_t ts, const char *comment)
{
	static uint8_t pkt[MAX_PKT];
	size_t h = exported_pdu_header_len();

	if (raw_dir) {
		put_file(rec, len, comment);
		return;
	}
	exported_pdu_write_header(pkt);
	memcpy(pkt + h, rec, len);
	pcapng_write_packet(w, 0, ts, pkt, (uint32_t)(h + len), (uint32_t)(h + origlen), comment);
}

static void put(const uint8_t *rec, size_t len, uint64_t ts, const char *comment)
{
	put_snapped(rec, len, len, ts, comment);
}

static void addresses(struct ebpf_record *r, int v6)
{
	r->ev.family = v6 ? 10 : 2;
	if (v6) {
		r->ev.saddr[15] = 1;                          /* ::1 */
		r->ev.daddr[0] = 0xfd; r->ev.daddr[15] = 2;   /* fd00::2 */
	} else {
		memcpy(r->ev.saddr, "\x0a\x00\x00\x01", 4);   /* 10.0.0.1 */
		memcpy(r->ev.daddr, "\x0a\x00\x00\x02", 4);   /* 10.0.0.2 */
	}
}

/* curl(1000 + n) in pod shop/web-7f9c: every field and every TLV filled. */
static void in_pod(struct ebpf_record *r)
{
	r->ev.pid = r->ev.pid + 1000;
	r->ev.tid = r->ev.pid + 1000;
	strcpy(r->ev.comm, "curl");
	strcpy(r->ev.thread_comm, "curl-worker"); /* a named thread did it */
	strcpy(r->exe, "/usr/bin/curl");
	strcpy(r->container_id, "3f4e1b2c9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c");
	strcpy(r->container_name, "k8s_web_web-7f9c_shop_0");
	strcpy(r->container_runtime, "docker");
	strcpy(r->pod, "web-7f9c");
	strcpy(r->pod_namespace, "shop");
	strcpy(r->k8s_container, "web");
}

/* nginx(77) in a plain docker container: no pod, one process for many events. */
static void in_container(struct ebpf_record *r)
{
	r->ev.pid = 77;
	r->ev.tid = 78;
	strcpy(r->ev.comm, "nginx");
	strcpy(r->ev.thread_comm, "nginx");
	strcpy(r->exe, "/usr/sbin/nginx");
	strcpy(r->container_id, "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b");
	strcpy(r->container_name, "edge-proxy");
	strcpy(r->container_runtime, "docker");
}

/* dnsmasq(500) on the host itself: no container TLVs at all. */
static void on_host(struct ebpf_record *r)
{
	r->ev.pid = 500;
	r->ev.tid = 500;
	strcpy(r->ev.comm, "dnsmasq");
	strcpy(r->ev.thread_comm, "dnsmasq");
	strcpy(r->exe, "/usr/sbin/dnsmasq");
}

/*
 * Record n of the "all" capture: type t, IPv4 for the first nine, IPv6 for
 * the next nine. The IPv6 half varies the owner: a container without a pod,
 * a host process, a socket without owner, and a drops record as ebpfcap
 * writes it (no flow at all).
 */
static void base(struct ebpf_record *r, uint16_t t, int v6, int n)
{
	memset(r, 0, sizeof(*r));
	r->ev.type = t;
	r->ev.timestamp_ns = T0 + (uint64_t)n * 1000000;
	r->ev.pid = (uint32_t)n;
	r->ev.ppid = 1;
	r->ev.uid = 33;
	r->ev.gid = 44;
	r->ev.cgroup_id = 4242;
	r->ev.netns = 4026531840u;
	r->ev.ifindex = 2;
	r->ev.proto = t == EBPF_UDP_SEND || t == EBPF_UDP_RECV ? 17 : 6;
	r->ev.sport = 40000 + (uint16_t)n;
	r->ev.dport = 8080;
	addresses(r, v6);
	strcpy(r->ev.parent_comm, "bash");
	strcpy(r->host, "node-1");
	strcpy(r->ifname, "eth0");
	strcpy(r->machine_id, "0123456789abcdef0123456789abcdef");
	if (!v6)
		in_pod(r);
	else if (t == EBPF_UDP_SEND || t == EBPF_UDP_RECV)
		on_host(r);
	else if (t != EBPF_FLOW_SNAPSHOT && t != EBPF_CAPTURE_DROPS)
		in_container(r);
}

/* The metrics each type carries, with values easy to spot in the output. */
static void metrics(struct ebpf_record *r)
{
	switch (r->ev.type) {
	case EBPF_TCP_CONNECT: r->ev.latency_us = 53; r->ev.tcp_state = 2; break;
	case EBPF_TCP_CONNECT_FAILED: r->ev.error = 111; r->ev.tcp_state = 2; break;
	case EBPF_TCP_ACCEPT: r->ev.srtt_us = 12; r->ev.tcp_state = 1; break;
	case EBPF_TCP_CLOSE:
		r->ev.duration_us = 1200000; r->ev.bytes_sent = 5120; r->ev.bytes_received = 300;
		r->ev.retransmits = 2; r->ev.srtt_us = 87; r->ev.flags = EBPF_FLAG_RESET; r->ev.tcp_state = 1;
		break;
	case EBPF_TCP_RETRANSMIT: r->ev.retransmits = 3; r->ev.tcp_state = 1; break;
	case EBPF_UDP_SEND: r->ev.packets = 10; r->ev.bytes_sent = 1000; break;
	case EBPF_UDP_RECV: r->ev.packets = 7; r->ev.bytes_received = 700; break;
	case EBPF_FLOW_SNAPSHOT: r->ev.tcp_state = 1; break;
	case EBPF_CAPTURE_DROPS: r->ev.drops = 17; r->ev.drop_kind = EBPF_DROP_RINGBUF; break;
	case EBPF_TCP_LISTEN:
		r->ev.tcp_state = 10; r->ev.dport = 0; /* listening: no peer */
		memset(r->ev.daddr, 0, sizeof(r->ev.daddr));
		break;
	case EBPF_TCP_HANDOFF:
		r->ev.bytes_sent = 40; r->ev.bytes_received = 30; r->ev.srtt_us = 9; r->ev.tcp_state = 1;
		r->ev.prev_pid = 900; strcpy(r->ev.prev_comm, "sshd");
		break;
	}
	/* An accepted socket knows its acceptor from then on (here sshd, which handed it to the process named). */
	if (r->ev.type == EBPF_TCP_CLOSE || r->ev.type == EBPF_TCP_HANDOFF) {
		r->ev.acceptor_pid = 900;
		strcpy(r->ev.acceptor_comm, "sshd");
	}
}

/* The IPv6 half's odd ones: an ownerless socket, and drops as the capture loop writes them. */
static void odd_ones(struct ebpf_record *r, int v6)
{
	if (!v6)
		return;
	if (r->ev.type == EBPF_FLOW_SNAPSHOT) {
		r->ev.flags = EBPF_FLAG_NO_OWNER;
		r->ev.pid = r->ev.tid = r->ev.ppid = r->ev.uid = r->ev.gid = 0;
		r->ev.parent_comm[0] = '\0';
	} else if (r->ev.type == EBPF_CAPTURE_DROPS) {
		struct ebpf_record d;

		memset(&d, 0, sizeof(d));
		d.ev.type = EBPF_CAPTURE_DROPS;
		d.ev.timestamp_ns = r->ev.timestamp_ns;
		d.ev.drops = 4000;
		d.ev.drop_kind = EBPF_DROP_SKIPPED;
		strcpy(d.host, "node-2");
		*r = d;
	}
}

static void gen_types(uint16_t first, uint16_t last, int *n)
{
	struct ebpf_record r;
	static uint8_t b[EBPF_RECORD_MAX_WIRE];

	for (int v6 = 0; v6 <= 1; v6++)
		for (uint16_t t = first; t <= last; t++, (*n)++) {
			base(&r, t, v6, *n);
			metrics(&r);
			odd_ones(&r, v6);
			put(b, ebpf_record_encode(&r, b, sizeof(b)), r.ev.timestamp_ns, NULL);
		}
}

/* Every type, IPv4 then IPv6; types added since come after, so that the first 18 records stay as they were. */
static void gen_all(void)
{
	int n = 0;

	gen_types(1, EBPF_CAPTURE_DROPS, &n);
	gen_types(EBPF_CAPTURE_DROPS + 1, EBPF_TCP_LISTEN, &n);
	gen_types(EBPF_TCP_LISTEN + 1, EBPF_EVENT_TYPE_MAX, &n);
}

/* A valid TCP_Connect of curl in its pod: what the malformed forms start from. */
static size_t good(uint8_t *b)
{
	struct ebpf_record r;

	base(&r, EBPF_TCP_CONNECT, 0, 0);
	metrics(&r);
	return ebpf_record_encode(&r, b, EBPF_RECORD_MAX_WIRE);
}

#define FIXED_END (EBPF_RECORD_HEADER_LEN + (int)sizeof(struct ebpf_event)) /* 248: the first TLV */
#define FIXED_END_1_0 (EBPF_RECORD_HEADER_LEN + EBPF_FIXED_LEN_1_0)
#define AT(field) (EBPF_RECORD_HEADER_LEN + offsetof(struct ebpf_event, field))

/* A 1.0 writer's record (before thread_comm, drop_kind, prev_* and acceptor_*): old captures still decode. */
static void older_minor(void)
{
	static uint8_t b[EBPF_RECORD_MAX_WIRE], ob[EBPF_RECORD_MAX_WIRE];
	size_t n = good(b), m = n - (FIXED_END - FIXED_END_1_0);

	memcpy(ob, b, FIXED_END_1_0);
	memcpy(ob + FIXED_END_1_0, b + FIXED_END, n - FIXED_END);
	ob[1] = 0;
	put_le16(ob + 2, EBPF_FIXED_LEN_1_0);
	put_le32(ob + 4, (uint32_t)m);
	put(ob, m, T0, "older-minor");
}

/* A newer minor version: 8 more fixed bytes and an unknown TLV, neither of them malformed. */
static void newer_minor(void)
{
	static uint8_t b[EBPF_RECORD_MAX_WIRE], nb[EBPF_RECORD_MAX_WIRE + 64];
	size_t n = good(b), m;

	memcpy(nb, b, FIXED_END);
	memset(nb + FIXED_END, 0xab, 8);
	memcpy(nb + FIXED_END + 8, b + FIXED_END, n - FIXED_END);
	m = n + 8;
	put_le16(nb + m, 0x77); put_le16(nb + m + 2, 4); memcpy(nb + m + 4, "new", 4);
	m += 8;
	nb[1] = 3;
	put_le16(nb + 2, FIXED_END - EBPF_RECORD_HEADER_LEN + 8);
	put_le32(nb + 4, (uint32_t)m);
	put(nb, m, T0, "newer-minor");
}

/* Each malformed form, named in the packet comment for the test to read. */
static void gen_malformed(void)
{
	static uint8_t b[EBPF_RECORD_MAX_WIRE + 64];
	size_t n;

	n = good(b); put(b, 5, T0, "short-header");
	n = good(b); b[0] = 7; put(b, n, T0, "bad-major");
	n = good(b); put_le16(b + 2, 100); put(b, n, T0, "short-fixed");
	n = good(b); put_le32(b + 4, 0xfffffff0u); put(b, n, T0, "huge-length");
	n = good(b); put_le32(b + 4, 20); put(b, n, T0, "length-below-fixed");
	n = good(b); put(b, 100, T0, "truncated-fixed");
	n = good(b); put_snapped(b, n - 10, n, T0, "snapped");
	n = good(b); memset(b + AT(comm), 'A', 16); put(b, n, T0, "comm-unterminated");
	n = good(b); memset(b + AT(parent_comm), 'B', 16); put(b, n, T0, "parent-unterminated");
	n = good(b); memset(b + AT(thread_comm), 'C', 16); put(b, n, T0, "thread-unterminated");
	n = good(b); put_le16(b + FIXED_END + 2, 4000); put(b, n, T0, "tlv-past-end");
	/* The first TLV is exe, "/usr/bin/curl": 13 characters, then its NUL. */
	n = good(b); b[FIXED_END + 4 + 13] = 'X'; put(b, n, T0, "tlv-unterminated");
	/* exe as an empty value, and nothing after it. */
	n = good(b); put_le16(b + FIXED_END + 2, 0); put_le32(b + 4, FIXED_END + 4); put(b, FIXED_END + 4, T0, "tlv-empty-string");
	n = good(b); put_le32(b + 4, FIXED_END + 2); put(b, n, T0, "tlv-header-truncated");
	/* Odd but valid: decoded, never malformed. */
	newer_minor();
	older_minor();
	n = good(b); put_le16(b + AT(type), 42); put_le16(b + AT(family), 7); put(b, n, T0, "unknown-type-family");
	n = good(b); memcpy(b + n, "\x01\x02\x03", 3); put(b, n + 3, T0, "trailing-bytes");
}

/* The good record with its TLVs replaced by one ifname of len bytes (NUL included). */
static void put_ifname(size_t len, const char *comment)
{
	static uint8_t b[EBPF_RECORD_MAX_WIRE + 8192];
	size_t n = FIXED_END;

	good(b);
	put_le16(b + n, EBPF_TLV_IFNAME);
	put_le16(b + n + 2, (uint16_t)len);
	memset(b + n + 4, 'i', len - 1);
	b[n + 4 + len - 1] = '\0';
	n += 4 + len;
	put_le32(b + 4, (uint32_t)n);
	put(b, n, T0, comment);
}

/* bpf/ebpf_tlv.h's rule at its edge: every reader must give each the same verdict. */
static void gen_tlv_limits(void)
{
	put_ifname(EBPF_IFNAME_MAX, "ifname-at-max");
	put_ifname(EBPF_IFNAME_MAX + 1, "ifname-one-over");
	put_ifname(5001, "ifname-5001");
}

/* xorshift: the same seed gives the same corpus on every machine. */
static uint64_t rng;
static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

/* A valid record of a random type, family and owner, to mutate. */
static size_t random_good(uint8_t *b)
{
	struct ebpf_record r;
	int v6 = next() & 1;

	base(&r, (uint16_t)(1 + next() % EBPF_EVENT_TYPE_MAX), v6, (int)(next() % 64));
	metrics(&r);
	if (next() % 4 == 0)
		odd_ones(&r, v6);
	return ebpf_record_encode(&r, b, EBPF_RECORD_MAX_WIRE);
}

static void mutate(uint8_t *b, size_t *n)
{
	if (*n == 0)
		return;
	switch (next() % 6) {
	case 0: /* truncation anywhere */
		*n = next() % (*n + 1);
		break;
	case 1: /* bit flips anywhere */
		for (int k = 1 + next() % 8; k > 0; k--)
			b[next() % *n] ^= (uint8_t)(1u << (next() % 8));
		break;
	case 2: /* lying lengths in the header */
		put_le16(b + 2, (uint16_t)next());
		if (next() & 1)
			put_le32(b + 4, next());
		break;
	case 3: /* a lying TLV length somewhere in the TLV area */
		if (*n > FIXED_END + 4)
			put_le16(b + FIXED_END + 2 + next() % (*n - FIXED_END - 3), (uint16_t)next());
		break;
	case 4: /* bytes flipped in the TLV area only, where the strings are */
		if (*n > FIXED_END)
			for (int k = 1 + next() % 4; k > 0; k--)
				b[FIXED_END + next() % (*n - FIXED_END)] = (uint8_t)next();
		break;
	default: /* a TLV header with random tag and length */
		if (*n >= FIXED_END + 32)
			put_le32(b + FIXED_END + 4 * (next() % 8), next());
		break;
	}
}

static void gen_fuzz(uint64_t seed, long count)
{
	static uint8_t b[EBPF_RECORD_MAX_WIRE];

	rng = seed ? seed : 1;
	for (long i = 0; i < count; i++) {
		size_t n = random_good(b);

		mutate(b, &n);
		if (next() % 3 == 0)
			mutate(b, &n);
		put(b, n, T0 + (uint64_t)i, NULL);
	}
}

/* Messages as an exporter sends them: one record, all of them, and a Capture_Drops first. */
static void gen_messages(void)
{
	static struct ebpf_msg_builder m;
	static uint8_t b[EBPF_RECORD_MAX_WIRE];
	struct ebpf_record r;
	size_t n;

	ebpf_msg_begin(&m, 0x1122334455667788ull, 0);
	ebpf_msg_append(&m, b, good(b));
	put_file(m.buf, m.len, "one");

	ebpf_msg_begin(&m, 0x1122334455667788ull, 1);
	for (uint16_t t = 1; t <= EBPF_EVENT_TYPE_MAX; t++) {
		base(&r, t, t % 2, t);
		metrics(&r);
		odd_ones(&r, t % 2);
		n = ebpf_record_encode(&r, b, sizeof(b));
		ebpf_msg_append(&m, b, n);
	}
	put_file(m.buf, m.len, "all-types");

	ebpf_msg_begin(&m, 0x99aabbccddeeff00ull, 12345);
	memset(&r, 0, sizeof(r));
	r.ev.type = EBPF_CAPTURE_DROPS;
	r.ev.timestamp_ns = T0;
	r.ev.drops = 77;
	strcpy(r.host, "node-2");
	strcpy(r.machine_id, "0123456789abcdef0123456789abcdef");
	ebpf_msg_append(&m, b, ebpf_record_encode(&r, b, sizeof(b)));
	ebpf_msg_append(&m, b, good(b));
	put_file(m.buf, m.len, "drops-then-connect");
}

static int raw_main(const char *what, const char *dir)
{
	raw_dir = dir;
	if (strcmp(what, "all") == 0)
		gen_all();
	else if (strcmp(what, "malformed") == 0)
		gen_malformed();
	else if (strcmp(what, "messages") == 0)
		gen_messages();
	else
		return 2;
	return 0;
}

int main(int argc, char **argv)
{
	const char *out = argv[argc - 1];
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: gen_records all|malformed|tlv-limits OUT | gen_records fuzz SEED N OUT | "
			"gen_records raw all|malformed|messages DIR\n");
		return 2;
	}
	if (strcmp(argv[1], "raw") == 0)
		return argc == 4 ? raw_main(argv[2], argv[3]) : 2;
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	w = fd >= 0 ? pcapng_writer_open(fd, "gen_records") : NULL;
	if (!w || pcapng_add_interface(w, LINKTYPE_WIRESHARK_UPPER_PDU, 0, "ebpfevents", "eBPF Events") < 0) {
		perror(out);
		return 1;
	}
	if (strcmp(argv[1], "all") == 0)
		gen_all();
	else if (strcmp(argv[1], "malformed") == 0)
		gen_malformed();
	else if (strcmp(argv[1], "tlv-limits") == 0)
		gen_tlv_limits();
	else if (strcmp(argv[1], "fuzz") == 0 && argc == 5)
		gen_fuzz(strtoull(argv[2], NULL, 10), atol(argv[3]));
	else
		return 2;
	pcapng_writer_close(w);
	return 0;
}
