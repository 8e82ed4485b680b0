/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The record codec against docs/FORMAT.md: round trip, exact bytes of the
 * header, of every fixed field at its documented offset and of the TLVs,
 * every malformed form with its reason, a newer minor version, and the
 * exported-PDU tags that carry records in pcapng.
 */
#include <stdint.h>
#include <stdlib.h>
#include "utils/record/record.h"
#include "pcapio/exported_pdu.h"
#include "unit.h"

#define FIXED_LEN 240 /* version 1.1 */
#define FIXED_END (EBPF_RECORD_HEADER_LEN + FIXED_LEN) /* first TLV of a 1.1 record */
#define FIXED_END_1_0 (EBPF_RECORD_HEADER_LEN + 176) /* first TLV of a 1.0 record */

static uint8_t buf[EBPF_RECORD_MAX_WIRE];

static const char CONTAINER_ID[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

static void fill(struct ebpf_record *r)
{
	memset(r, 0, sizeof(*r));
	r->ev.timestamp_ns = 1700000000123456789ull;
	r->ev.type = EBPF_TCP_CLOSE;
	r->ev.pid = 4242;
	r->ev.tid = 4243;
	r->ev.uid = 1000;
	r->ev.family = 10;
	r->ev.sport = 40312;
	r->ev.dport = 8080;
	r->ev.proto = 6;
	r->ev.bytes_sent = 5120;
	r->ev.retransmits = 2;
	r->ev.saddr[15] = 1;
	r->ev.daddr[0] = 0xfe;
	strcpy(r->ev.comm, "curl");
	strcpy(r->ev.parent_comm, "bash");
	strcpy(r->ev.thread_comm, "curl-worker");
	r->ev.drop_kind = EBPF_DROP_SKIPPED;
	r->ev.prev_pid = 4000;
	strcpy(r->ev.prev_comm, "postgres");
	r->ev.acceptor_pid = 3999;
	strcpy(r->ev.acceptor_comm, "postmaster");
	strcpy(r->exe, "/usr/bin/curl");
	strcpy(r->container_id, CONTAINER_ID);
	strcpy(r->container_name, "web");
	strcpy(r->container_runtime, "docker");
	strcpy(r->pod, "web-7f9c");
	strcpy(r->pod_namespace, "shop");
	strcpy(r->k8s_container, "nginx");
	strcpy(r->host, "node-1");
	strcpy(r->ifname, "eth0");
	strcpy(r->machine_id, "4c4c4544004a4e10804bb4c04f4e3532");
}

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return le16(p) | (uint32_t)le16(p + 2) << 16; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }

static void test_round_trip(void)
{
	struct ebpf_record in, out;
	const char *why = NULL;
	size_t n;

	fill(&in);
	n = ebpf_record_encode(&in, buf, sizeof(buf));
	CHECK(n > FIXED_END);
	CHECK_EQ(ebpf_record_decode(buf, n, &out, &why), 0);
	CHECK(why == NULL); /* untouched on success */
	CHECK(memcmp(&in, &out, sizeof(in)) == 0);
	/* The header FORMAT.md promises: major 1, minor 1, fixed_len 240 and total_len, little-endian. */
	CHECK_EQ(buf[0], 1);
	CHECK_EQ(buf[1], 1);
	CHECK_EQ(buf[2], FIXED_LEN);
	CHECK_EQ(buf[3], 0);
	CHECK_EQ(le32(buf + 4), n);
	CHECK_EQ(buf[4], n & 0xff); /* low byte first */
	CHECK_EQ(buf[5], n >> 8);
	/* A few fixed fields at their documented offsets. */
	CHECK_EQ(le32(buf + 80), 4242);  /* pid */
	CHECK_EQ(le16(buf + 108), EBPF_TCP_CLOSE); /* type */
	CHECK_EQ(le16(buf + 112), 40312); /* sport */
	CHECK_EQ(buf[135], 1);           /* saddr ::1, last byte */
	CHECK_STR((char *)buf + 152, "curl"); /* comm */
	CHECK_STR((char *)buf + 168, "bash"); /* parent_comm */
	CHECK_STR((char *)buf + 184, "curl-worker"); /* thread_comm (1.1) */
	CHECK_EQ(le32(buf + 200), EBPF_DROP_SKIPPED); /* drop_kind (1.1) */
	/* First TLV: exe, tag 1, NUL included in the length. */
	CHECK_EQ(le16(buf + FIXED_END), EBPF_TLV_EXE);
	CHECK_EQ(le16(buf + FIXED_END + 2), strlen("/usr/bin/curl") + 1);
	CHECK_STR((char *)buf + FIXED_END + 4, "/usr/bin/curl");
	/* A NULL why is allowed. */
	CHECK_EQ(ebpf_record_decode(buf, n, &out, NULL), 0);
	CHECK_EQ(ebpf_record_decode(buf, 3, &out, NULL), -1);
}

/* Every fixed field of FORMAT.md's table at its offset, with a value no other field has. */
static void test_fixed_offsets(void)
{
	struct ebpf_record in;
	struct ebpf_event *e = &in.ev;
	size_t n;

	memset(&in, 0, sizeof(in));
	e->timestamp_ns = 0x0102030405060708ull;
	e->cgroup_id = 0x1112131415161718ull;
	e->duration_us = 0x2122232425262728ull;
	e->bytes_sent = 0x3132333435363738ull;
	e->bytes_received = 0x4142434445464748ull;
	e->packets = 0x5152535455565758ull;
	e->drops = 0x6162636465666768ull;
	e->latency_us = 0x71727374;
	e->srtt_us = 0x81828384;
	e->retransmits = 0x91929394;
	e->error = 111;
	e->pid = 0xa1a2a3a4;
	e->tid = 0xb1b2b3b4;
	e->ppid = 0xc1c2c3c4;
	e->uid = 0xd1d2d3d4;
	e->gid = 0xe1e2e3e4;
	e->netns = 0xf1f2f3f4;
	e->ifindex = 0x0a0b0c0d;
	e->type = EBPF_CAPTURE_DROPS;
	e->family = 2;
	e->sport = 0x1a1b;
	e->dport = 0x2a2b;
	e->proto = 17;
	e->tcp_state = 7;
	e->flags = EBPF_FLAG_RESET | EBPF_FLAG_NO_OWNER;
	for (int i = 0; i < 16; i++) {
		e->saddr[i] = (uint8_t)(0x30 + i);
		e->daddr[i] = (uint8_t)(0x50 + i);
	}
	strcpy(e->comm, "fifteen-chars-x");
	strcpy(e->parent_comm, "p");
	e->prev_pid = 0x1c1d1e1f;
	e->acceptor_pid = 0x2c2d2e2f;
	strcpy(e->prev_comm, "prev");
	strcpy(e->acceptor_comm, "acceptor");
	n = ebpf_record_encode(&in, buf, sizeof(buf));
	CHECK_EQ(n, FIXED_END); /* no TLV */
	CHECK_EQ(le64(buf + 8), 0x0102030405060708ull);
	CHECK_EQ(le64(buf + 16), 0x1112131415161718ull);
	CHECK_EQ(le64(buf + 24), 0x2122232425262728ull);
	CHECK_EQ(le64(buf + 32), 0x3132333435363738ull);
	CHECK_EQ(le64(buf + 40), 0x4142434445464748ull);
	CHECK_EQ(le64(buf + 48), 0x5152535455565758ull);
	CHECK_EQ(le64(buf + 56), 0x6162636465666768ull);
	CHECK_EQ(le32(buf + 64), 0x71727374);
	CHECK_EQ(le32(buf + 68), 0x81828384);
	CHECK_EQ(le32(buf + 72), 0x91929394);
	CHECK_EQ(le32(buf + 76), 111);
	CHECK_EQ(le32(buf + 80), 0xa1a2a3a4);
	CHECK_EQ(le32(buf + 84), 0xb1b2b3b4);
	CHECK_EQ(le32(buf + 88), 0xc1c2c3c4);
	CHECK_EQ(le32(buf + 92), 0xd1d2d3d4);
	CHECK_EQ(le32(buf + 96), 0xe1e2e3e4);
	CHECK_EQ(le32(buf + 100), 0xf1f2f3f4);
	CHECK_EQ(le32(buf + 104), 0x0a0b0c0d);
	CHECK_EQ(le16(buf + 108), 9);
	CHECK_EQ(le16(buf + 110), 2);
	CHECK_EQ(le16(buf + 112), 0x1a1b);
	CHECK_EQ(le16(buf + 114), 0x2a2b);
	CHECK_EQ(buf[116], 17);
	CHECK_EQ(buf[117], 7);
	CHECK_EQ(buf[118], 0x03);
	CHECK_EQ(buf[119], 0);
	CHECK_EQ(buf[120], 0x30);
	CHECK_EQ(buf[135], 0x3f);
	CHECK_EQ(buf[136], 0x50);
	CHECK_EQ(buf[151], 0x5f);
	CHECK(memcmp(buf + 152, "fifteen-chars-x\0", 16) == 0);
	CHECK(memcmp(buf + 168, "p\0", 2) == 0);
	CHECK_EQ(le32(buf + 208), 0x1c1d1e1f);
	CHECK_EQ(le32(buf + 212), 0x2c2d2e2f);
	CHECK(memcmp(buf + 216, "prev\0", 5) == 0);
	CHECK(memcmp(buf + 232, "acceptor\0", 9) == 0);
}

/* TLVs in tag order, each u16 tag, u16 length with the NUL, the string, no padding. */
static void test_tlv_bytes(void)
{
	struct ebpf_record in;
	const char *want[EBPF_TLV_MAX + 1] = { NULL, "/usr/bin/curl", CONTAINER_ID, "web", "docker",
		"web-7f9c", "shop", "nginx", "node-1", "eth0", "4c4c4544004a4e10804bb4c04f4e3532" };
	size_t n, off = FIXED_END;

	fill(&in);
	n = ebpf_record_encode(&in, buf, sizeof(buf));
	for (unsigned tag = 1; tag <= EBPF_TLV_MAX; tag++) {
		size_t len = strlen(want[tag]) + 1;

		CHECK(off + 4 + len <= n);
		if (off + 4 + len > n)
			return;
		CHECK_EQ(le16(buf + off), tag);
		CHECK_EQ(le16(buf + off + 2), len);
		CHECK(memcmp(buf + off + 4, want[tag], len) == 0);
		off += 4 + len;
	}
	CHECK_EQ(off, n);
}

static void test_absent_tlvs_not_written(void)
{
	struct ebpf_record in, out;
	size_t n;

	memset(&in, 0, sizeof(in));
	in.ev.type = EBPF_TCP_CONNECT;
	CHECK_EQ(ebpf_record_encode(&in, buf, sizeof(buf)), FIXED_END);
	CHECK_EQ(le32(buf + 4), FIXED_END);
	/* Only what is set: pod and ifname, in tag order. */
	strcpy(in.ifname, "veth1");
	strcpy(in.pod, "web-7f9c");
	n = ebpf_record_encode(&in, buf, sizeof(buf));
	CHECK_EQ(n, FIXED_END + 4 + 9 + 4 + 6);
	CHECK_EQ(le16(buf + FIXED_END), EBPF_TLV_POD);
	CHECK_EQ(le16(buf + FIXED_END + 13), EBPF_TLV_IFNAME);
	CHECK_EQ(ebpf_record_decode(buf, n, &out, NULL), 0);
	CHECK(memcmp(&in, &out, sizeof(in)) == 0);
}

/* The buffer must hold the whole record: never a record cut short. */
static void test_encode_capacity(void)
{
	struct ebpf_record in;
	static uint8_t small[EBPF_RECORD_MAX_WIRE];
	size_t n;

	fill(&in);
	n = ebpf_record_encode(&in, buf, sizeof(buf));
	CHECK_EQ(ebpf_record_encode(&in, small, n), n);
	CHECK(memcmp(small, buf, n) == 0);
	CHECK_EQ(ebpf_record_encode(&in, small, n - 1), 0);
	CHECK_EQ(ebpf_record_encode(&in, small, FIXED_END), 0);
	CHECK_EQ(ebpf_record_encode(&in, small, FIXED_END - 1), 0);
	CHECK_EQ(ebpf_record_encode(&in, small, 0), 0);

	/* Every field full: EBPF_RECORD_MAX_WIRE is enough. */
	memset(&in, 0, sizeof(in));
	memset(in.exe, 'a', sizeof(in.exe) - 1);
	memset(in.container_id, 'b', sizeof(in.container_id) - 1);
	memset(in.container_name, 'c', sizeof(in.container_name) - 1);
	memset(in.container_runtime, 'd', sizeof(in.container_runtime) - 1);
	memset(in.pod, 'e', sizeof(in.pod) - 1);
	memset(in.pod_namespace, 'f', sizeof(in.pod_namespace) - 1);
	memset(in.k8s_container, 'g', sizeof(in.k8s_container) - 1);
	memset(in.host, 'h', sizeof(in.host) - 1);
	memset(in.ifname, 'i', sizeof(in.ifname) - 1);
	memset(in.machine_id, 'j', sizeof(in.machine_id) - 1);
	n = ebpf_record_encode(&in, buf, sizeof(buf));
	CHECK_EQ(n, EBPF_RECORD_MAX_WIRE);
}

/* Fields that lost their NUL in memory still go out terminated: never a record we call malformed. */
static void test_encode_terminates(void)
{
	struct ebpf_record in, out;
	const char *why = NULL;
	size_t n;

	fill(&in);
	memset(in.ev.comm, 'c', sizeof(in.ev.comm));
	memset(in.ev.parent_comm, 'p', sizeof(in.ev.parent_comm));
	memset(in.ifname, 'i', sizeof(in.ifname));
	n = ebpf_record_encode(&in, buf, sizeof(buf));
	CHECK(n > 0);
	CHECK_EQ(ebpf_record_decode(buf, n, &out, &why), 0);
	if (why) {
		printf("    decode: %s\n", why);
		return;
	}
	CHECK_EQ(strlen(out.ev.comm), 15);
	CHECK_EQ(strlen(out.ev.parent_comm), 15);
	CHECK_EQ(strlen(out.ifname), 15);
	/* The caller's record is left as it was. */
	CHECK_EQ(in.ev.comm[15], 'c');
}

static void expect_reject(const uint8_t *b, size_t len, const char *reason)
{
	struct ebpf_record out;
	const char *why = "";

	static const struct ebpf_record zero;

	memset(&out, 0x5a, sizeof(out));
	CHECK_EQ(ebpf_record_decode(b, len, &out, &why), -1);
	CHECK_STR(why, reason);
	CHECK(memcmp(&out, &zero, sizeof(out)) == 0); /* nothing half-decoded */
}

static void test_malformed(void)
{
	struct ebpf_record in;
	static uint8_t b[EBPF_RECORD_MAX_WIRE + 64];
	size_t n;

	fill(&in);
	n = ebpf_record_encode(&in, b, sizeof(b));
	for (size_t cut = 0; cut < 8; cut++)
		expect_reject(b, cut, "truncated header");
	for (size_t cut = 8; cut < n; cut++)
		expect_reject(b, cut, "record length beyond the buffer");

	b[0] = 2;
	expect_reject(b, n, "unsupported major version");
	b[0] = 0;
	expect_reject(b, n, "unsupported major version");
	b[0] = 1;

	put16(b + 2, 175); /* fixed_len below 1.0's */
	expect_reject(b, n, "fixed part shorter than version 1.0");
	put16(b + 2, 0);
	expect_reject(b, n, "fixed part shorter than version 1.0");
	put16(b + 2, FIXED_LEN);

	put32(b + 4, 100); /* total_len < 8 + fixed_len */
	expect_reject(b, n, "record length shorter than its fixed part");
	put32(b + 4, FIXED_END - 1);
	expect_reject(b, n, "record length shorter than its fixed part");
	put32(b + 4, 0);
	expect_reject(b, n, "record length shorter than its fixed part");
	put16(b + 2, 0xffff); /* fixed_len beyond total_len */
	put32(b + 4, (uint32_t)n);
	expect_reject(b, n, "record length shorter than its fixed part");
	put16(b + 2, FIXED_LEN);
	put32(b + 4, 0xffffffff); /* total_len beyond the buffer, far */
	expect_reject(b, n, "record length beyond the buffer");
	put32(b + 4, (uint32_t)n);

	memset(b + 152, 'x', 16); /* comm without NUL */
	expect_reject(b, n, "comm not terminated");
	memcpy(b + 152, in.ev.comm, 16);
	memset(b + 168, 'x', 16); /* parent_comm without NUL */
	expect_reject(b, n, "comm not terminated");
	memcpy(b + 168, in.ev.parent_comm, 16);
	memset(b + 216, 'x', 16); /* prev_comm (1.1) without NUL */
	expect_reject(b, n, "comm not terminated");
	memcpy(b + 216, in.ev.prev_comm, 16);
	memset(b + 232, 'x', 16); /* acceptor_comm (1.1) without NUL */
	expect_reject(b, n, "comm not terminated");
	memcpy(b + 232, in.ev.acceptor_comm, 16);

	put16(b + FIXED_END + 2, 200); /* exe TLV says 200 bytes: runs past the record */
	expect_reject(b, n, "TLV length beyond the record");
	put16(b + FIXED_END + 2, 0xffff);
	expect_reject(b, n, "TLV length beyond the record");
	put16(b + FIXED_END + 2, 14);

	b[FIXED_END + 4 + 13] = 'x'; /* exe's NUL overwritten */
	expect_reject(b, n, "string not terminated");
	b[FIXED_END + 4 + 13] = 0;

	/* A TLV header cut short: total_len ends 1, 2 or 3 bytes into a TLV header. */
	for (uint32_t extra = 1; extra < 4; extra++) {
		put32(b + 4, FIXED_END + extra);
		expect_reject(b, n, "truncated TLV header");
	}
	/* ... or 1 byte into its value. */
	put32(b + 4, FIXED_END + 5);
	expect_reject(b, n, "TLV length beyond the record");
	put32(b + 4, (uint32_t)n);

	/* The record is fine again: what was undone was all that was wrong. */
	{
		struct ebpf_record out;

		CHECK_EQ(ebpf_record_decode(b, n, &out, NULL), 0);
		CHECK(memcmp(&in, &out, sizeof(in)) == 0);
	}
}

/* A record made of the fixed part and TLVs given as (tag, len, bytes). */
static size_t with_tlv(uint8_t *b, uint16_t tag, uint16_t len, const char *val)
{
	size_t off = FIXED_END_1_0;

	memset(b, 0, FIXED_END_1_0);
	b[0] = 1;
	put16(b + 2, 176); /* a 1.0 record: old captures still decode */
	put16(b + off, tag);
	put16(b + off + 2, len);
	memcpy(b + off + 4, val, len);
	off += 4 + len;
	put32(b + 4, (uint32_t)off);
	return off;
}

static void test_tlv_strings(void)
{
	static uint8_t b[512];
	struct ebpf_record out;
	char eth[21];
	size_t n;

	/* ifname holds 16 bytes with its NUL: 15 characters fit, 19 do not. */
	memset(eth, 'e', 20);
	eth[20] = '\0';
	n = with_tlv(b, EBPF_TLV_IFNAME, 20, eth + 1);
	expect_reject(b, n, "string longer than its TLV's maximum");
	n = with_tlv(b, EBPF_TLV_IFNAME, 16, eth + 5);
	CHECK_EQ(ebpf_record_decode(b, n, &out, NULL), 0);
	CHECK_EQ(strlen(out.ifname), 15);
	/* A known string of length 0 has no NUL: malformed. */
	n = with_tlv(b, EBPF_TLV_POD, 0, "");
	expect_reject(b, n, "string not terminated");
	/* Only the NUL: an empty value, decoded as absent. */
	n = with_tlv(b, EBPF_TLV_POD, 1, "");
	CHECK_EQ(ebpf_record_decode(b, n, &out, NULL), 0);
	CHECK_STR(out.pod, "");
	/* An unknown tag of length 0, or with no NUL, is skipped: its format is not ours to judge. */
	n = with_tlv(b, 0x7fff, 0, "");
	CHECK_EQ(ebpf_record_decode(b, n, &out, NULL), 0);
	n = with_tlv(b, 0, 3, "abc");
	CHECK_EQ(ebpf_record_decode(b, n, &out, NULL), 0);
	/* A NUL before the end: the string ends there. */
	n = with_tlv(b, EBPF_TLV_HOST, 6, "ab\0cd");
	CHECK_EQ(ebpf_record_decode(b, n, &out, NULL), 0);
	CHECK_STR(out.host, "ab");
}

/* An older minor version (a 1.0 capture): its 176-byte fixed part decodes, 1.1's fields stay empty. */
static void test_older_minor(void)
{
	struct ebpf_record in, out;
	static uint8_t b[EBPF_RECORD_MAX_WIRE];
	size_t n, m;

	fill(&in);
	n = ebpf_record_encode(&in, buf, sizeof(buf));
	memcpy(b, buf, FIXED_END_1_0);
	memcpy(b + FIXED_END_1_0, buf + FIXED_END, n - FIXED_END);
	m = n - (FIXED_END - FIXED_END_1_0);
	b[1] = 0;
	put16(b + 2, 176);
	put32(b + 4, (uint32_t)m);
	CHECK_EQ(ebpf_record_decode(b, m, &out, NULL), 0);
	memset(in.ev.thread_comm, 0, sizeof(in.ev.thread_comm));
	in.ev.drop_kind = EBPF_DROP_UNSPECIFIED;
	in.ev.prev_pid = in.ev.acceptor_pid = 0;
	memset(in.ev.prev_comm, 0, sizeof(in.ev.prev_comm));
	memset(in.ev.acceptor_comm, 0, sizeof(in.ev.acceptor_comm));
	CHECK(memcmp(&in, &out, sizeof(in)) == 0);
}

/* A newer minor version: 8 more fixed bytes and an unknown TLV decode fine. */
static void test_newer_minor(void)
{
	struct ebpf_record in, out;
	static uint8_t b[EBPF_RECORD_MAX_WIRE + 64];
	const char *why = NULL;
	size_t n, m;

	fill(&in);
	n = ebpf_record_encode(&in, buf, sizeof(buf));
	memcpy(b, buf, FIXED_END);
	memset(b + FIXED_END, 0xee, 8); /* new fixed fields */
	memcpy(b + FIXED_END + 8, buf + FIXED_END, n - FIXED_END);
	m = n + 8;
	put16(b + m, 0x99); /* unknown tag 0x99, 3 bytes, between known ones */
	put16(b + m + 2, 3);
	memcpy(b + m + 4, "new", 3);
	m += 7;
	put16(b + m, EBPF_TLV_HOST); /* a known one after it is still read */
	put16(b + m + 2, 7);
	memcpy(b + m + 4, "node-2", 7);
	m += 11;
	b[1] = 2;
	put16(b + 2, FIXED_LEN + 8);
	put32(b + 4, (uint32_t)m);
	CHECK_EQ(ebpf_record_decode(b, m, &out, &why), 0);
	strcpy(in.host, "node-2"); /* the later value of a repeated tag wins */
	CHECK(memcmp(&in, &out, sizeof(in)) == 0);
	/* A captured buffer longer than the record: the rest is not the record's. */
	memset(b + m, 0xff, 16);
	CHECK_EQ(ebpf_record_decode(b, m + 16, &out, &why), 0);
	CHECK(memcmp(&in, &out, sizeof(in)) == 0);
}

/* Bounded mutations of a valid record: decoded or refused with a reason, never read past (ASan). */
static void test_mutations(void)
{
	struct ebpf_record in, out;
	static uint8_t b[EBPF_RECORD_MAX_WIRE];
	uint32_t seed = 12345;
	size_t n;
	int accepted = 0, refused = 0;

	fill(&in);
	n = ebpf_record_encode(&in, buf, sizeof(buf));
	for (int i = 0; i < 20000; i++) {
		const char *why = NULL;
		size_t len = n;
		uint8_t *copy;

		memcpy(b, buf, n);
		for (int k = 0; k < 1 + i % 4; k++) {
			seed = seed * 1103515245 + 12345;
			b[(seed >> 8) % n] = (uint8_t)(seed >> 24);
		}
		if (i % 3 == 0)
			len = (seed >> 4) % (n + 1);
		copy = malloc(len ? len : 1); /* exactly len bytes: ASan sees any over-read */
		memcpy(copy, b, len);
		if (ebpf_record_decode(copy, len, &out, &why) == 0) {
			accepted++;
			CHECK(memchr(out.ev.comm, 0, sizeof(out.ev.comm)) != NULL);
			CHECK(memchr(out.exe, 0, sizeof(out.exe)) != NULL);
			CHECK(memchr(out.machine_id, 0, sizeof(out.machine_id)) != NULL);
		} else {
			refused++;
			CHECK(why != NULL && *why);
		}
		free(copy);
	}
	CHECK(accepted > 0);
	CHECK(refused > 0);
}

static void test_exported_pdu(void)
{
	uint8_t pkt[64];
	size_t h = exported_pdu_header_len();

	memset(pkt, 0xcc, sizeof(pkt));
	exported_pdu_write_header(pkt);
	CHECK_EQ(h, 16);
	/* The exact bytes of FORMAT.md's table. */
	CHECK(memcmp(pkt, "\x00\x0c\x00\x08" "ebpfflow" "\x00\x00\x00\x00", 16) == 0);
	CHECK_EQ(pkt[16], 0xcc); /* nothing written past the header */
	CHECK_EQ(exported_pdu_payload_offset(pkt, h), (long)h);
	CHECK_EQ(exported_pdu_payload_offset(pkt, sizeof(pkt)), (long)h); /* a record follows */
	for (size_t cut = 0; cut < h; cut++)
		CHECK_EQ(exported_pdu_payload_offset(pkt, cut), -1); /* tags cut short */

	memcpy(pkt + 4, "ebpfflox", 8);
	CHECK_EQ(exported_pdu_payload_offset(pkt, h), -1); /* another dissector */
	memcpy(pkt + 4, "EBPFFLOW", 8);
	CHECK_EQ(exported_pdu_payload_offset(pkt, h), -1); /* names are case-sensitive */

	/* "ebpfflowx": a longer name that starts with ours. */
	memcpy(pkt, "\x00\x0c\x00\x09" "ebpfflowx" "\x00\x00\x00\x00", 17);
	CHECK_EQ(exported_pdu_payload_offset(pkt, 17), -1);
	/* "ebpf": a shorter one. */
	memcpy(pkt, "\x00\x0c\x00\x04" "ebpf" "\x00\x00\x00\x00", 12);
	CHECK_EQ(exported_pdu_payload_offset(pkt, 12), -1);
	/* Our name padded with NULs to 4 bytes, as Wireshark itself writes strings. */
	memcpy(pkt, "\x00\x0c\x00\x0c" "ebpfflow\0\0\0\0" "\x00\x00\x00\x00", 20);
	CHECK_EQ(exported_pdu_payload_offset(pkt, 20), 20);
	/* Other tags before ours are skipped (tag 20: column info, 2 bytes). */
	memcpy(pkt, "\x00\x14\x00\x02" "ab" "\x00\x0c\x00\x08" "ebpfflow" "\x00\x00\x00\x00", 22);
	CHECK_EQ(exported_pdu_payload_offset(pkt, 22), 22);
	/* A tag length past the packet. */
	memcpy(pkt, "\x00\x0c\x00\x30" "ebpfflow" "\x00\x00\x00\x00", 16);
	CHECK_EQ(exported_pdu_payload_offset(pkt, 16), -1);
	/* The end tag without our name before it. */
	memcpy(pkt, "\x00\x00\x00\x00" "\x00\x0c\x00\x08" "ebpfflow", 16);
	CHECK_EQ(exported_pdu_payload_offset(pkt, 16), -1);
	/* Our name and no end tag. */
	memcpy(pkt, "\x00\x0c\x00\x08" "ebpfflow", 12);
	CHECK_EQ(exported_pdu_payload_offset(pkt, 12), -1);
}

static void test_type_names(void)
{
	static const char *const names[] = { "Unknown", "TCP_Connect", "TCP_Connect_Failed", "TCP_Accept",
		"TCP_Close", "TCP_Retransmit", "UDP_Send", "UDP_Recv", "Flow_Snapshot", "Capture_Drops", "TCP_Listen",
		"TCP_Handoff" };

	for (unsigned t = 0; t <= EBPF_EVENT_TYPE_MAX; t++)
		CHECK_STR(ebpf_event_type_name(t), names[t]);
	CHECK_STR(ebpf_event_type_name(EBPF_EVENT_TYPE_MAX + 1), "Unknown");
	CHECK_STR(ebpf_event_type_name(0xffff), "Unknown");
	CHECK_STR(ebpf_event_type_name(~0u), "Unknown");
}

static void test_copy_string(void)
{
	char small[4];

	memset(small, 'z', sizeof(small));
	ebpf_copy_string(small, sizeof(small), "abcdef");
	CHECK(memcmp(small, "abc", 4) == 0);
	ebpf_copy_string(small, sizeof(small), "");
	CHECK_STR(small, "");
	ebpf_copy_string(small, 1, "x");
	CHECK_STR(small, "");
}

int main(void)
{
	test_round_trip();
	test_fixed_offsets();
	test_tlv_bytes();
	test_absent_tlvs_not_written();
	test_encode_capacity();
	test_encode_terminates();
	test_malformed();
	test_tlv_strings();
	test_older_minor();
	test_newer_minor();
	test_mutations();
	test_exported_pdu();
	test_type_names();
	test_copy_string();
	return unit_report("unit_record");
}
