/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The ebpfcap message: building one, checking one, and a stream's tally (zmq_msg.h). */
#include "utils/transport/zmq_msg.h"
#include "utils/byteorder.h"

#include <errno.h>
#include <string.h>

void ebpf_msg_begin(struct ebpf_msg_builder *b, uint64_t stream, uint64_t seq)
{
	memcpy(b->buf, EBPF_MSG_MAGIC, 4);
	b->buf[4] = EBPF_MSG_VERSION;
	b->buf[5] = 0;
	put_le16(b->buf + 6, 0);
	put_le64(b->buf + 8, stream);
	put_le64(b->buf + 16, seq);
	b->len = EBPF_MSG_HEADER_LEN;
	b->count = 0;
}

void ebpf_msg_mark_sync(struct ebpf_msg_builder *b, bool final)
{
	b->buf[5] = EBPF_MSG_FLAG_SYNC | (final ? EBPF_MSG_FLAG_FINAL : 0);
}

int ebpf_msg_append(struct ebpf_msg_builder *b, const uint8_t *rec, size_t len)
{
	if (b->buf[5] & EBPF_MSG_FLAG_SYNC)
		return -1; /* a sync message carries no records */
	if (len > sizeof(b->buf) - b->len || b->count >= EBPF_MSG_MAX_RECORDS)
		return -1;
	memcpy(b->buf + b->len, rec, len);
	b->len += len;
	b->count++;
	put_le16(b->buf + 6, b->count);
	return 0;
}

static int malformed(const char **why, const char *reason)
{
	*why = reason;
	return -EBADMSG;
}

/* One pass over the records; fn NULL only checks them. */
static int walk_records(const uint8_t *buf, size_t len, unsigned count,
			ebpf_msg_record_fn fn, void *ctx, const char **why)
{
	struct ebpf_record rec;
	size_t off = EBPF_MSG_HEADER_LEN;
	unsigned n = 0;

	while (off < len) {
		if (n == count)
			return malformed(why, "bytes after the last record");
		if (ebpf_record_decode(buf + off, len - off, &rec, why) < 0)
			return -EBADMSG;
		/* decode checked 8 + 176 <= total_len <= len - off: the walk advances and stays inside */
		size_t rec_len = get_le32(buf + off + 4);

		if (fn) {
			int rc = fn(&rec, buf + off, rec_len, ctx);

			if (rc < 0)
				return rc;
		}
		off += rec_len;
		n++;
	}
	if (n != count)
		return malformed(why, "fewer records than the header counts");
	return (int)n;
}

int ebpf_msg_parse(const uint8_t *buf, size_t len, struct ebpf_msg_info *info,
		   ebpf_msg_record_fn fn, void *ctx, const char **why)
{
	struct ebpf_msg_info unused_info;
	const char *unused_why;
	int rc;

	if (!why)
		why = &unused_why;
	if (!info)
		info = &unused_info;
	*why = NULL;
	memset(info, 0, sizeof(*info));
	if (len < EBPF_MSG_HEADER_LEN)
		return malformed(why, "message shorter than its header");
	if (len > EBPF_MSG_MAX_LEN)
		return malformed(why, "message longer than the maximum");
	if (memcmp(buf, EBPF_MSG_MAGIC, 4) != 0)
		return malformed(why, "not an ebpfcap message (bad magic)");
	info->version = buf[4];
	info->flags = buf[5];
	info->count = get_le16(buf + 6);
	info->stream = get_le64(buf + 8);
	info->seq = get_le64(buf + 16);
	if (info->version != EBPF_MSG_VERSION)
		return malformed(why, "unsupported message version");
	if (info->flags & ~(EBPF_MSG_FLAG_SYNC | EBPF_MSG_FLAG_FINAL) ||
	    info->flags == EBPF_MSG_FLAG_FINAL)
		return malformed(why, "unknown message flags");
	if (info->flags & EBPF_MSG_FLAG_SYNC)
		return info->count == 0 && len == EBPF_MSG_HEADER_LEN ? 0 : malformed(why, "sync message with records");
	if (info->count == 0)
		return malformed(why, "message without records");
	if (info->count > EBPF_MSG_MAX_RECORDS)
		return malformed(why, "more records than a message can hold");
	/* All or nothing: a bad record late in a message must not leave half of it written. */
	rc = walk_records(buf, len, info->count, NULL, NULL, why);
	if (rc < 0 || !fn)
		return rc;
	return walk_records(buf, len, info->count, fn, ctx, why);
}

void ebpf_stream_tally_add(struct ebpf_stream_tally *t, const struct ebpf_msg_info *info)
{
	uint64_t end = info->seq + info->count;

	if (!t->started || info->seq < t->base)
		t->base = info->seq;
	if (!t->started || end > t->end)
		t->end = end;
	t->started = true;
	t->received += info->count;
}

uint64_t ebpf_stream_tally_take_loss(struct ebpf_stream_tally *t)
{
	uint64_t missing = t->end - t->base - t->received, loss;

	/* More than the range: a lying peer (seq numbers reused); nothing to report. */
	if (t->received > t->end - t->base || missing <= t->reported)
		return 0;
	loss = missing - t->reported;
	t->reported = missing;
	return loss;
}
