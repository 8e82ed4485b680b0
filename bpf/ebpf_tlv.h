/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one decoding rule for a record's TLVs, shared by every reader: the
 * codec (utils/record/record.c: `ebpfcap -r`, the collector, the exporter) and the
 * Wireshark dissector (dissector/packet-ebpfflow.c). Each known tag has a
 * documented maximum length (docs/FORMAT.md, "max len"), its NUL included;
 * a value longer than that, empty, or without its NUL as last byte is
 * malformed for all of them alike. Unknown tags are skipped by all of them.
 * Plain C and no kernel types: the dissector builds it on any platform.
 */
#ifndef EBPF_TLV_H
#define EBPF_TLV_H

#include "ebpf_record.h"

/* Value bytes each tag may hold, NUL included; also the user-space field sizes. */
enum ebpf_tlv_max_len {
	EBPF_EXE_MAX = 256,
	EBPF_CONTAINER_ID_MAX = 72,
	EBPF_CONTAINER_NAME_MAX = 128,
	EBPF_CONTAINER_RUNTIME_MAX = 16,
	EBPF_POD_MAX = 128,
	EBPF_NAMESPACE_MAX = 64,
	EBPF_K8S_CONTAINER_MAX = 64,
	EBPF_HOST_MAX = 64,
	EBPF_IFNAME_MAX = 16,
	EBPF_MACHINE_ID_MAX = 40,
};

/* The documented maximum of a known tag; 0 for a tag this version does not know. */
static inline unsigned ebpf_tlv_max_len(unsigned tag)
{
	static const unsigned short max[EBPF_TLV_MAX + 1] = {
		[EBPF_TLV_EXE] = EBPF_EXE_MAX,
		[EBPF_TLV_CONTAINER_ID] = EBPF_CONTAINER_ID_MAX,
		[EBPF_TLV_CONTAINER_NAME] = EBPF_CONTAINER_NAME_MAX,
		[EBPF_TLV_CONTAINER_RUNTIME] = EBPF_CONTAINER_RUNTIME_MAX,
		[EBPF_TLV_POD] = EBPF_POD_MAX,
		[EBPF_TLV_NAMESPACE] = EBPF_NAMESPACE_MAX,
		[EBPF_TLV_K8S_CONTAINER] = EBPF_K8S_CONTAINER_MAX,
		[EBPF_TLV_HOST] = EBPF_HOST_MAX,
		[EBPF_TLV_IFNAME] = EBPF_IFNAME_MAX,
		[EBPF_TLV_MACHINE_ID] = EBPF_MACHINE_ID_MAX,
	};

	return tag < sizeof(max) / sizeof(max[0]) ? max[tag] : 0;
}

enum ebpf_tlv_verdict { EBPF_TLV_OK, EBPF_TLV_UNKNOWN, EBPF_TLV_TOO_LONG, EBPF_TLV_UNTERMINATED };

/* The verdict on a TLV of len value bytes whose last byte is last (any value when len is 0). */
static inline enum ebpf_tlv_verdict ebpf_tlv_check(unsigned tag, unsigned len, unsigned char last)
{
	unsigned max = ebpf_tlv_max_len(tag);

	if (!max)
		return EBPF_TLV_UNKNOWN;
	if (len > max)
		return EBPF_TLV_TOO_LONG;
	return len == 0 || last != '\0' ? EBPF_TLV_UNTERMINATED : EBPF_TLV_OK;
}

#endif /* EBPF_TLV_H */
