/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Deterministic captures for the dissector tests, written with our own
 * pcapio and codec:
 *   gen_records all OUT        one record of every type, IPv4 and IPv6, every TLV
 *   gen_records malformed OUT  one record per malformed form (see names[])
 *   gen_records fuzz SEED N OUT  N mutated records: truncation, bit flips, lying lengths
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pcapio/exported_pdu.h"
#include "pcapio/pcapng.h"
#include "utils/record.h"

#define T0 1700000000000000000ull

static struct pcapng_writer *w;

static void put(const uint8_t *rec, size_t len, uint64_t ts, const char *comment)
{
	uint8_t pkt[64 + EBPF_RECORD_MAX_WIRE + 64];
	size_t h = exported_pdu_header_len();

	exported_pdu_write_header(pkt);
	memcpy(pkt + h, rec, len);
	pcapng_write_packet(w, 0, ts, pkt, (uint32_t)(h + len), (uint32_t)(h + len), comment);
}

static void base(struct ebpf_record *r, uint16_t type, int v6, int n)
{
	memset(r, 0, sizeof(*r));
	r->ev.type = type;
	r->ev.timestamp_ns = T0 + (uint64_t)n * 1000000;
	r->ev.pid = 1000 + (uint32_t)n;
	r->ev.tid = 2000 + (uint32_t)n;
	r->ev.ppid = 1;
	r->ev.uid = 33;
	r->ev.gid = 44;
	r->ev.cgroup_id = 4242;
	r->ev.netns = 4026531840u;
	r->ev.ifindex = 2;
	r->ev.proto = type == EBPF_UDP_SEND || type == EBPF_UDP_RECV ? 17 : 6;
	r->ev.family = v6 ? 10 : 2;
	r->ev.sport = 40000 + (uint16_t)n;
	r->ev.dport = 8080;
	if (v6) {
		r->ev.saddr[15] = 1;
		r->ev.daddr[0] = 0xfd; r->ev.daddr[15] = 2;
	} else {
		memcpy(r->ev.saddr, "\x0a\x00\x00\x01", 4);
		memcpy(r->ev.daddr, "\x0a\x00\x00\x02", 4);
	}
	strcpy(r->ev.comm, "curl");
	strcpy(r->ev.parent_comm, "bash");
	strcpy(r->exe, "/usr/bin/curl");
	strcpy(r->container_id, "3f4e1b2c9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c");
	strcpy(r->container_name, "k8s_web_web-7f9c_shop_0");
	strcpy(r->container_runtime, "docker");
	strcpy(r->pod, "web-7f9c");
	strcpy(r->pod_namespace, "shop");
	strcpy(r->k8s_container, "web");
	strcpy(r->host, "node-1");
	strcpy(r->ifname, "eth0");
	strcpy(r->machine_id, "0123456789abcdef0123456789abcdef");
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
	case EBPF_CAPTURE_DROPS: r->ev.drops = 17; break;
	}
}

static void gen_all(void)
{
	struct ebpf_record r;
	uint8_t b[EBPF_RECORD_MAX_WIRE];
	int n = 0;

	for (int v6 = 0; v6 <= 1; v6++)
		for (uint16_t t = 1; t <= EBPF_EVENT_TYPE_MAX; t++, n++) {
			base(&r, t, v6, n);
			metrics(&r);
			put(b, ebpf_record_encode(&r, b, sizeof(b)), r.ev.timestamp_ns, NULL);
		}
}

static size_t good(uint8_t *b)
{
	struct ebpf_record r;

	base(&r, EBPF_TCP_CONNECT, 0, 0);
	metrics(&r);
	return ebpf_record_encode(&r, b, EBPF_RECORD_MAX_WIRE);
}

static void set_le16(uint8_t *p, uint16_t v) { p[0] = v & 0xff; p[1] = v >> 8; }
static void set_le32(uint8_t *p, uint32_t v) { set_le16(p, v & 0xffff); set_le16(p + 2, v >> 16); }

/* Each malformed form, named in the packet comment for the test to read. */
static void gen_malformed(void)
{
	static uint8_t b[EBPF_RECORD_MAX_WIRE + 64];
	size_t n;

	n = good(b); put(b, 5, T0, "short-header");
	n = good(b); b[0] = 7; put(b, n, T0, "bad-major");
	n = good(b); set_le16(b + 2, 100); put(b, n, T0, "short-fixed");
	n = good(b); set_le32(b + 4, 0xfffffff0u); put(b, n, T0, "huge-length");
	n = good(b); set_le32(b + 4, 20); put(b, n, T0, "length-below-fixed");
	n = good(b); put(b, 100, T0, "truncated-fixed"); (void)n;
	n = good(b); memset(b + 152, 'A', 16); put(b, n, T0, "comm-unterminated");
	n = good(b); set_le16(b + 186, 4000); put(b, n, T0, "tlv-past-end");
	n = good(b); b[184 + 4 + 13] = 'X'; put(b, n, T0, "tlv-unterminated");
	n = good(b); set_le32(b + 4, 184 + 2); put(b, n, T0, "tlv-header-truncated");
	/* Not malformed: a newer minor version with 8 more fixed bytes and an unknown TLV. */
	{
		static uint8_t nb[EBPF_RECORD_MAX_WIRE + 64];
		size_t m;

		n = good(b);
		memcpy(nb, b, 184);
		memset(nb + 184, 0xab, 8);
		memcpy(nb + 192, b + 184, n - 184);
		m = n + 8;
		set_le16(nb + m, 0x77); set_le16(nb + m + 2, 4); memcpy(nb + m + 4, "new", 4);
		m += 8;
		nb[1] = 3;
		set_le16(nb + 2, 184);
		set_le32(nb + 4, (uint32_t)m);
		put(nb, m, T0, "newer-minor");
	}
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

static void gen_fuzz(uint64_t seed, long count)
{
	static uint8_t b[EBPF_RECORD_MAX_WIRE + 64];

	rng = seed ? seed : 1;
	for (long i = 0; i < count; i++) {
		size_t n = good(b);

		switch (next() % 4) {
		case 0: /* truncation anywhere */
			n = next() % (n + 1);
			break;
		case 1: /* bit flips */
			for (int k = 1 + next() % 8; k > 0; k--)
				b[next() % n] ^= (uint8_t)(1u << (next() % 8));
			break;
		case 2: /* lying lengths */
			set_le16(b + 2, (uint16_t)next());
			if (next() & 1)
				set_le32(b + 4, next());
			break;
		default: /* a TLV header with random tag and length */
			set_le16(b + 184 + 4 * (next() % 8), (uint16_t)next());
			break;
		}
		put(b, n, T0 + (uint64_t)i, NULL);
	}
}

int main(int argc, char **argv)
{
	const char *out = argv[argc - 1];
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: gen_records all|malformed OUT | gen_records fuzz SEED N OUT\n");
		return 2;
	}
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
	else if (strcmp(argv[1], "fuzz") == 0 && argc == 5)
		gen_fuzz(strtoull(argv[2], NULL, 10), atol(argv[3]));
	else
		return 2;
	pcapng_writer_close(w);
	return 0;
}
