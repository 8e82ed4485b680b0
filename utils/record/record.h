/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A decoded record in user space, and its wire codec (see docs/FORMAT.md). */
#ifndef EBPFCAP_RECORD_H
#define EBPFCAP_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "bpf/ebpf_tlv.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the record is little-endian on the wire and encoded by layout; add byte swapping before porting to a big-endian host"
#endif

struct ebpf_record {
	struct ebpf_event ev;
	/* Sized by the TLVs' documented maxima: a value that decodes always fits. */
	char exe[EBPF_EXE_MAX];
	char container_id[EBPF_CONTAINER_ID_MAX];
	char container_name[EBPF_CONTAINER_NAME_MAX];
	char container_runtime[EBPF_CONTAINER_RUNTIME_MAX];
	char pod[EBPF_POD_MAX];
	char pod_namespace[EBPF_NAMESPACE_MAX];
	char k8s_container[EBPF_K8S_CONTAINER_MAX];
	char host[EBPF_HOST_MAX];
	char ifname[EBPF_IFNAME_MAX];
	char machine_id[EBPF_MACHINE_ID_MAX];
};

/* The largest record ebpf_record_encode() can produce. */
#define EBPF_RECORD_MAX_WIRE (EBPF_RECORD_HEADER_LEN + sizeof(struct ebpf_event) + \
	EBPF_TLV_MAX * EBPF_TLV_HEADER_LEN + sizeof(struct ebpf_record) - sizeof(struct ebpf_event))

/* Encodes rec into buf; returns the byte count, or 0 if cap is too small. */
size_t ebpf_record_encode(const struct ebpf_record *rec, uint8_t *buf, size_t cap);

/*
 * Decodes len bytes into rec. Returns 0, or -1 with *why set to a short
 * reason ("truncated header", "unsupported major version", ...) and rec all
 * zeros. Never reads outside buf; unknown TLVs and unknown fixed fields are
 * skipped.
 */
int ebpf_record_decode(const uint8_t *buf, size_t len, struct ebpf_record *rec,
		       const char **why);

/* "TCP_Connect" etc.; "Unknown" for values outside the enum. */
const char *ebpf_event_type_name(unsigned type);
const char *ebpf_drop_kind_name(unsigned kind);
/* A Capture_Drops record: DROPS events lost, of enum ebpf_drop_kind KIND, on HOST. */
void ebpf_drops_record(struct ebpf_record *rec, uint32_t kind, uint64_t drops, uint64_t timestamp_ns,
		       const char *host, const char *machine_id);

/* Copies a string into a fixed field, always NUL-terminating it. */
void ebpf_copy_string(char *dst, size_t dst_size, const char *src);

#endif
