/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "utils/record/record.h"
#include "utils/byteorder.h"

#include <string.h>

_Static_assert(sizeof(struct ebpf_event) == 240, "struct ebpf_event is the wire layout: update docs/FORMAT.md and bump the version");
_Static_assert(offsetof(struct ebpf_event, thread_comm) == EBPF_FIXED_LEN_1_0, "1.1 appends to 1.0's fixed part");

/* The fixed part's strings: each must hold its NUL (1.1's are zero in an older record). */
static const size_t comm_fields[] = {
	offsetof(struct ebpf_event, comm), offsetof(struct ebpf_event, parent_comm),
	offsetof(struct ebpf_event, thread_comm), offsetof(struct ebpf_event, prev_comm),
	offsetof(struct ebpf_event, acceptor_comm),
};

/* One table drives both directions: TLV tag <-> field of struct ebpf_record. */
static const struct {
	uint16_t tag;
	size_t offset;
	size_t size;
} tlv_fields[] = {
#define TLV(tag, field) { tag, offsetof(struct ebpf_record, field), sizeof(((struct ebpf_record *)0)->field) }
	TLV(EBPF_TLV_EXE, exe),
	TLV(EBPF_TLV_CONTAINER_ID, container_id),
	TLV(EBPF_TLV_CONTAINER_NAME, container_name),
	TLV(EBPF_TLV_CONTAINER_RUNTIME, container_runtime),
	TLV(EBPF_TLV_POD, pod),
	TLV(EBPF_TLV_NAMESPACE, pod_namespace),
	TLV(EBPF_TLV_K8S_CONTAINER, k8s_container),
	TLV(EBPF_TLV_HOST, host),
	TLV(EBPF_TLV_IFNAME, ifname),
	TLV(EBPF_TLV_MACHINE_ID, machine_id),
#undef TLV
};
#define N_TLV_FIELDS (sizeof(tlv_fields) / sizeof(tlv_fields[0]))

static const char *const type_names[] = {
	[EBPF_TCP_CONNECT] = "TCP_Connect",
	[EBPF_TCP_CONNECT_FAILED] = "TCP_Connect_Failed",
	[EBPF_TCP_ACCEPT] = "TCP_Accept",
	[EBPF_TCP_CLOSE] = "TCP_Close",
	[EBPF_TCP_RETRANSMIT] = "TCP_Retransmit",
	[EBPF_UDP_SEND] = "UDP_Send",
	[EBPF_UDP_RECV] = "UDP_Recv",
	[EBPF_FLOW_SNAPSHOT] = "Flow_Snapshot",
	[EBPF_CAPTURE_DROPS] = "Capture_Drops",
	[EBPF_TCP_LISTEN] = "TCP_Listen",
	[EBPF_TCP_HANDOFF] = "TCP_Handoff",
};

const char *ebpf_event_type_name(unsigned type)
{
	if (type == 0 || type > EBPF_EVENT_TYPE_MAX)
		return "Unknown";
	return type_names[type];
}

void ebpf_drops_record(struct ebpf_record *rec, uint32_t kind, uint64_t drops, uint64_t timestamp_ns,
			const char *host, const char *machine_id)
{
	memset(rec, 0, sizeof(*rec));
	rec->ev.type = EBPF_CAPTURE_DROPS;
	rec->ev.drop_kind = kind;
	rec->ev.timestamp_ns = timestamp_ns;
	rec->ev.drops = drops;
	ebpf_copy_string(rec->host, sizeof(rec->host), host);
	ebpf_copy_string(rec->machine_id, sizeof(rec->machine_id), machine_id);
}

/* Short names for lines and JSON; "" for a 1.0 record, which did not say. */
const char *ebpf_drop_kind_name(unsigned kind)
{
	static const char *const names[] = {
		[EBPF_DROP_UNSPECIFIED] = "",
		[EBPF_DROP_RINGBUF] = "ring buffer full",
		[EBPF_DROP_SKIPPED] = "skipped by the kernel",
		[EBPF_DROP_TRANSIT] = "lost in transit",
	};

	return kind <= EBPF_DROP_KIND_MAX ? names[kind] : "unknown kind";
}

void ebpf_copy_string(char *dst, size_t dst_size, const char *src)
{
	size_t n = strnlen(src, dst_size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

size_t ebpf_record_encode(const struct ebpf_record *rec, uint8_t *buf, size_t cap)
{
	size_t off = EBPF_RECORD_HEADER_LEN + sizeof(rec->ev);

	if (cap < off)
		return 0;
	buf[0] = EBPF_RECORD_MAJOR;
	buf[1] = EBPF_RECORD_MINOR;
	put_le16(buf + 2, sizeof(rec->ev));
	memcpy(buf + EBPF_RECORD_HEADER_LEN, &rec->ev, sizeof(rec->ev));
	/* Never a record the format calls malformed: every comm ends in a NUL. */
	for (size_t i = 0; i < sizeof(comm_fields) / sizeof(comm_fields[0]); i++)
		buf[EBPF_RECORD_HEADER_LEN + comm_fields[i] + EBPF_COMM_LEN - 1] = '\0';

	for (size_t i = 0; i < N_TLV_FIELDS; i++) {
		const char *s = (const char *)rec + tlv_fields[i].offset;
		size_t n = strnlen(s, tlv_fields[i].size - 1);

		if (n == 0)
			continue; /* absent, not empty: keeps records short */
		if (cap - off < EBPF_TLV_HEADER_LEN + n + 1)
			return 0;
		put_le16(buf + off, tlv_fields[i].tag);
		put_le16(buf + off + 2, (uint16_t)(n + 1));
		memcpy(buf + off + EBPF_TLV_HEADER_LEN, s, n);
		buf[off + EBPF_TLV_HEADER_LEN + n] = '\0';
		off += EBPF_TLV_HEADER_LEN + n + 1;
	}
	put_le32(buf + 4, (uint32_t)off);
	return off;
}

static int decode_tlv(uint16_t tag, const uint8_t *val, uint16_t len,
		      struct ebpf_record *rec, const char **why)
{
	for (size_t i = 0; i < N_TLV_FIELDS; i++) {
		if (tlv_fields[i].tag != tag)
			continue;
		switch (ebpf_tlv_check(tag, len, len ? val[len - 1] : 0)) {
		case EBPF_TLV_TOO_LONG:
			*why = "string longer than its TLV's maximum";
			return -1;
		case EBPF_TLV_UNTERMINATED:
			*why = "string not terminated";
			return -1;
		default: /* OK: it fits tlv_fields[i].size, which is that maximum */
			break;
		}
		memcpy((char *)rec + tlv_fields[i].offset, val, len);
		return 0;
	}
	return 0; /* a newer writer's tag: skip it */
}

static int fail(const char **why, const char *reason)
{
	*why = reason;
	return -1;
}

static int decode(const uint8_t *buf, size_t len, struct ebpf_record *rec, const char **why)
{
	if (len < EBPF_RECORD_HEADER_LEN)
		return fail(why, "truncated header");
	if (buf[0] != EBPF_RECORD_MAJOR)
		return fail(why, "unsupported major version");

	size_t fixed_len = get_le16(buf + 2);
	size_t total_len = get_le32(buf + 4);

	if (total_len > len)
		return fail(why, "record length beyond the buffer");
	if (total_len < EBPF_RECORD_HEADER_LEN + fixed_len)
		return fail(why, "record length shorter than its fixed part");
	if (fixed_len < EBPF_FIXED_LEN_1_0)
		return fail(why, "fixed part shorter than version 1.0");
	/* An older minor version's record: what it lacks stays zero. */
	memcpy(&rec->ev, buf + EBPF_RECORD_HEADER_LEN, fixed_len < sizeof(rec->ev) ? fixed_len : sizeof(rec->ev));
	for (size_t i = 0; i < sizeof(comm_fields) / sizeof(comm_fields[0]); i++)
		if (memchr((const char *)&rec->ev + comm_fields[i], 0, EBPF_COMM_LEN) == NULL)
			return fail(why, "comm not terminated");

	size_t off = EBPF_RECORD_HEADER_LEN + fixed_len;

	while (off < total_len) {
		if (total_len - off < EBPF_TLV_HEADER_LEN)
			return fail(why, "truncated TLV header");
		uint16_t tag = get_le16(buf + off);
		uint16_t tlen = get_le16(buf + off + 2);

		off += EBPF_TLV_HEADER_LEN;
		if (tlen > total_len - off)
			return fail(why, "TLV length beyond the record");
		if (decode_tlv(tag, buf + off, tlen, rec, why) < 0)
			return -1;
		off += tlen;
	}
	return 0;
}

int ebpf_record_decode(const uint8_t *buf, size_t len, struct ebpf_record *rec,
		       const char **why)
{
	const char *unused;

	memset(rec, 0, sizeof(*rec));
	if (decode(buf, len, rec, why ? why : &unused) == 0)
		return 0;
	memset(rec, 0, sizeof(*rec)); /* nothing half-decoded (an unterminated comm) reaches the caller */
	return -1;
}
