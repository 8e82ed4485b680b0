/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The record codec against docs/FORMAT.md: round trip, exact bytes, every malformed form. */
#include <stdint.h>
#include <stdlib.h>
#include "utils/record.h"
#include "pcapio/exported_pdu.h"
#include "unit.h"

static uint8_t buf[EBPF_RECORD_MAX_WIRE];

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
	strcpy(r->exe, "/usr/bin/curl");
	strcpy(r->container_id, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
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

static void test_round_trip(void)
{
	struct ebpf_record in, out;
	const char *why = NULL;
	size_t n;

	fill(&in);
	n = ebpf_record_encode(&in, buf, sizeof(buf));
	CHECK(n > 8 + 176);
	CHECK_EQ(ebpf_record_decode(buf, n, &out, &why), 0);
	CHECK(memcmp(&in, &out, sizeof(in)) == 0);
	/* The bytes FORMAT.md promises. */
	CHECK_EQ(buf[0], 1);
	CHECK_EQ(buf[1], 0);
	CHECK_EQ(le16(buf + 2), 176);
	CHECK_EQ(le32(buf + 4), n);
	CHECK_EQ(le32(buf + 80), 4242);  /* pid */
	CHECK_EQ(le16(buf + 108), EBPF_TCP_CLOSE); /* type */
	CHECK_EQ(le16(buf + 112), 40312); /* sport */
	CHECK_EQ(buf[135], 1);           /* saddr ::1, last byte */
	CHECK_STR((char *)buf + 152, "curl"); /* comm */
	CHECK_STR((char *)buf + 168, "bash"); /* parent_comm */
	/* First TLV: exe, tag 1, NUL included in the length. */
	CHECK_EQ(le16(buf + 184), EBPF_TLV_EXE);
	CHECK_EQ(le16(buf + 186), strlen("/usr/bin/curl") + 1);
	CHECK_STR((char *)buf + 188, "/usr/bin/curl");
}

static void test_absent_tlvs_not_written(void)
{
	struct ebpf_record in;

	memset(&in, 0, sizeof(in));
	in.ev.type = EBPF_TCP_CONNECT;
	CHECK_EQ(ebpf_record_encode(&in, buf, sizeof(buf)), 8 + 176);
	CHECK_EQ(ebpf_record_encode(&in, buf, 100), 0); /* too small: refused, not cut */
}

static void expect_reject(const uint8_t *b, size_t len, const char *reason)
{
	struct ebpf_record out;
	const char *why = "";

	CHECK_EQ(ebpf_record_decode(b, len, &out, &why), -1);
	CHECK_STR(why, reason);
}

static void test_malformed(void)
{
	struct ebpf_record in;
	static uint8_t b[EBPF_RECORD_MAX_WIRE + 64];
	size_t n;

	fill(&in);
	n = ebpf_record_encode(&in, b, sizeof(b));
	expect_reject(b, 7, "truncated header");
	expect_reject(b, n - 1, "record length beyond the buffer");

	b[0] = 2;
	expect_reject(b, n, "unsupported major version");
	b[0] = 1;

	b[2] = 175; b[3] = 0; /* fixed_len below 1.0's */
	expect_reject(b, n, "fixed part shorter than version 1.0");
	b[2] = 176;

	b[4] = 100; b[5] = b[6] = b[7] = 0; /* total_len < 8 + fixed_len */
	expect_reject(b, n, "record length shorter than its fixed part");
	b[4] = (uint8_t)n; b[5] = (uint8_t)(n >> 8);

	memset(b + 152, 'x', 16); /* comm without NUL */
	expect_reject(b, n, "comm not terminated");
	strcpy((char *)b + 152, "curl");

	b[186] = 200; /* exe TLV says 200 bytes: runs past the record */
	expect_reject(b, n, "TLV length beyond the record");
	b[186] = 14;

	b[184 + 4 + 13] = 'x'; /* exe's NUL overwritten */
	expect_reject(b, n, "string not terminated or too long");
	b[184 + 4 + 13] = 0;

	/* A TLV header cut short: total_len ends 2 bytes into a TLV header. */
	b[4] = (uint8_t)(184 + 2); b[5] = 0;
	expect_reject(b, n, "truncated TLV header");
}

static void test_string_longer_than_field(void)
{
	static uint8_t b[512];
	struct ebpf_record out;
	const char *why = "";
	size_t off = 8 + 176;

	memset(b, 0, sizeof(b));
	b[0] = 1; b[2] = 176;
	b[off] = EBPF_TLV_IFNAME; /* ifname holds 16 bytes with its NUL */
	b[off + 2] = 20;
	memset(b + off + 4, 'e', 19);
	off += 4 + 20;
	b[4] = (uint8_t)off;
	CHECK_EQ(ebpf_record_decode(b, off, &out, &why), -1);
	CHECK_STR(why, "string not terminated or too long");
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
	memcpy(b, buf, 8 + 176);
	memset(b + 8 + 176, 0xee, 8); /* new fixed fields */
	memcpy(b + 8 + 176 + 8, buf + 8 + 176, n - 8 - 176);
	m = n + 8;
	b[m] = 0x99; b[m + 1] = 0; b[m + 2] = 3; b[m + 3] = 0; /* unknown tag 0x99, 3 bytes */
	memcpy(b + m + 4, "new", 3);
	m += 7;
	b[1] = 1;
	b[2] = 176 + 8;
	b[4] = (uint8_t)m; b[5] = (uint8_t)(m >> 8);
	CHECK_EQ(ebpf_record_decode(b, m, &out, &why), 0);
	CHECK(memcmp(&in, &out, sizeof(in)) == 0);
}

static void test_exported_pdu(void)
{
	uint8_t pkt[64];
	size_t h = exported_pdu_header_len();

	exported_pdu_write_header(pkt);
	CHECK_EQ(h, 16);
	CHECK_EQ(pkt[0] << 8 | pkt[1], 12); /* EXP_PDU_TAG_DISSECTOR_NAME, big-endian */
	CHECK_EQ(pkt[2] << 8 | pkt[3], 8);
	CHECK(memcmp(pkt + 4, "ebpfflow", 8) == 0);
	CHECK_EQ(exported_pdu_payload_offset(pkt, h), (long)h);
	memcpy(pkt + 4, "ebpfflox", 8);
	CHECK_EQ(exported_pdu_payload_offset(pkt, h), -1); /* not ours */
	exported_pdu_write_header(pkt);
	CHECK_EQ(exported_pdu_payload_offset(pkt, 10), -1); /* tags cut short */
}

static void test_type_names(void)
{
	CHECK_STR(ebpf_event_type_name(EBPF_TCP_CONNECT), "TCP_Connect");
	CHECK_STR(ebpf_event_type_name(EBPF_CAPTURE_DROPS), "Capture_Drops");
	CHECK_STR(ebpf_event_type_name(0), "Unknown");
	CHECK_STR(ebpf_event_type_name(99), "Unknown");
}

int main(void)
{
	test_round_trip();
	test_absent_tlvs_not_written();
	test_malformed();
	test_string_longer_than_field();
	test_newer_minor();
	test_exported_pdu();
	test_type_names();
	return unit_report("unit_record");
}
