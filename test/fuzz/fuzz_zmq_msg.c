/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: ebpf_msg_parse() (utils/transport/zmq_msg.c), which the
 * collector (extcap/remote.c) runs on every message a peer sends. Beyond
 * "no crash, no read outside the message":
 *  - a refused message has a reason and handed out no record;
 *  - an accepted one hands out exactly its count of records, each inside
 *    the message and decoding to what was handed out, and building a
 *    message from them with ebpf_msg_begin/append gives the same bytes;
 *  - checking without a callback gives the same answer, and a callback's
 *    error stops the walk at once.
 */
#include <errno.h>
#include "utils/transport/zmq_msg.h"
#include "fuzz.h"

#define STOP (-12345)

struct walk {
	const uint8_t *buf;
	size_t len;
	struct ebpf_msg_builder *rebuilt;
	int seen, stop_after;
};

static int on_record(const struct ebpf_record *rec, const uint8_t *bytes, size_t len, void *ctx)
{
	struct walk *w = ctx;
	static struct ebpf_record again;

	FUZZ_ASSERT(bytes >= w->buf + EBPF_MSG_HEADER_LEN && len <= (size_t)(w->buf + w->len - bytes));
	FUZZ_ASSERT(ebpf_record_decode(bytes, len, &again, NULL) == 0);
	FUZZ_ASSERT(memcmp(&again, rec, sizeof(again)) == 0);
	if (w->rebuilt)
		FUZZ_ASSERT(ebpf_msg_append(w->rebuilt, bytes, len) == 0);
	return ++w->seen == w->stop_after ? STOP : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ebpf_msg_builder rebuilt;
	struct ebpf_msg_info info;
	struct walk w = { data, size, NULL, 0, 0 };
	const char *why = NULL;
	int rc;

	rc = ebpf_msg_parse(data, size, &info, on_record, &w, &why);
	FUZZ_ASSERT(ebpf_msg_parse(data, size, NULL, NULL, NULL, NULL) == rc);
	if (rc < 0) {
		FUZZ_ASSERT(rc == -EBADMSG && why != NULL && w.seen == 0);
		return 0;
	}
	if (rc == 0) {
		/* A sync message: the header alone, rebuilt byte for byte. */
		FUZZ_ASSERT(info.count == 0 && (info.flags & EBPF_MSG_FLAG_SYNC) && size == EBPF_MSG_HEADER_LEN &&
			    w.seen == 0 && why == NULL);
		ebpf_msg_begin(&rebuilt, info.stream, info.seq);
		ebpf_msg_mark_sync(&rebuilt, info.flags & EBPF_MSG_FLAG_FINAL);
		FUZZ_ASSERT(rebuilt.len == size && memcmp(rebuilt.buf, data, size) == 0);
		return 0;
	}
	FUZZ_ASSERT(rc > 0 && rc == info.count && w.seen == rc && why == NULL);
	/* Rebuilt from its records and header fields, the message is byte for byte the same. */
	ebpf_msg_begin(&rebuilt, info.stream, info.seq);
	w = (struct walk){ data, size, &rebuilt, 0, 0 };
	FUZZ_ASSERT(ebpf_msg_parse(data, size, NULL, on_record, &w, NULL) == rc);
	FUZZ_ASSERT(rebuilt.len == size && rebuilt.count == rc && memcmp(rebuilt.buf, data, size) == 0);
	/* The collector's own error (a full disk, the count reached) ends the walk there. */
	w = (struct walk){ data, size, NULL, 0, 1 };
	FUZZ_ASSERT(ebpf_msg_parse(data, size, NULL, on_record, &w, NULL) == STOP && w.seen == 1);
	return 0;
}
