/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcapng block layout: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng */
#include "pcapng.h"

#include <stdbool.h>

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BT_SHB 0x0A0D0D0A
#define BT_IDB 0x00000001
#define BT_EPB 0x00000006
#define BT_DSB 0x0000000A
#define BT_CB_COPY 0x00000BAD /* a custom block that may be copied to other files */
#define BYTE_ORDER_MAGIC 0x1A2B3C4D
#define BATCH_BYTES (256 * 1024)

#define OPT_END 0
#define OPT_COMMENT 1
#define OPT_SHB_USERAPPL 4
#define OPT_IF_NAME 2
#define OPT_IF_DESCRIPTION 3
#define OPT_IF_TSRESOL 9
#define OPT_EPB_PROCESSID_THREADID 8
/* Options of a process information block (Wireshark's wiretap/pcapng-wireshark-custom.c). */
enum { OPT_PIB_NAME = 2, OPT_PIB_PATH, OPT_PIB_CMDLINE, OPT_PIB_PPID, OPT_PIB_UID, OPT_PIB_USER,
       OPT_PIB_UUID, OPT_PIB_STARTTIME };

struct pcapng_writer {
	int fd;
	uint32_t n_interfaces;
	uint64_t bytes;
	uint8_t *buf;   /* block under construction */
	size_t len, cap;
	int failed;     /* errno of the first failure while building this block, or 0 */
	bool batched;   /* blocks wait in pending until pcapng_flush() */
	uint8_t *pending;
	size_t pending_len, pending_cap;
};

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static int reserve(struct pcapng_writer *w, size_t more)
{
	if (w->len + more <= w->cap)
		return 0;
	size_t cap = w->cap ? w->cap : 4096;

	while (cap < w->len + more)
		cap *= 2;
	uint8_t *p = realloc(w->buf, cap);

	if (!p)
		return -1;
	w->buf = p;
	w->cap = cap;
	return 0;
}

/* A failure is remembered, so end_block() never writes a block with a part missing. */
static int put(struct pcapng_writer *w, const void *data, size_t n)
{
	if (reserve(w, pad4(n)) < 0) {
		if (!w->failed)
			w->failed = errno ? errno : ENOMEM;
		return -1;
	}
	if (n) /* data may be NULL for an empty packet */
		memcpy(w->buf + w->len, data, n);
	memset(w->buf + w->len + n, 0, pad4(n) - n);
	w->len += pad4(n);
	return 0;
}

static int put32(struct pcapng_writer *w, uint32_t v)
{
	return put(w, &v, 4);
}

/* An option in the section's byte order (ours), or little-endian (a Wireshark custom block's entry). */
static int put_option_in(struct pcapng_writer *w, bool little_endian, uint16_t code, const void *val, size_t n)
{
	uint16_t hdr[2] = { code, (uint16_t)n };

	if (little_endian) {
		hdr[0] = htole16(hdr[0]);
		hdr[1] = htole16(hdr[1]);
	}

	if (n > UINT16_MAX - 3) {
		if (!w->failed)
			w->failed = EMSGSIZE;
		errno = EMSGSIZE;
		return -1;
	}
	return put(w, hdr, sizeof(hdr)) || (n && put(w, val, n)) ? -1 : 0;
}

static int put_option(struct pcapng_writer *w, uint16_t code, const void *val, size_t n)
{
	return put_option_in(w, false, code, val, n);
}

static int put_string_option(struct pcapng_writer *w, uint16_t code, const char *s)
{
	return s && *s ? put_option(w, code, s, strlen(s)) : 0;
}

/* A string of a fixed-size field, which may lack its NUL when full. */
static int put_le_field_option(struct pcapng_writer *w, uint16_t code, const char *s, size_t size)
{
	return *s ? put_option_in(w, true, code, s, strnlen(s, size)) : 0;
}
#define put_le_string_option(w, code, field) put_le_field_option(w, code, field, sizeof(field))

static int put_le32_option(struct pcapng_writer *w, uint16_t code, uint32_t v)
{
	v = htole32(v);
	return put_option_in(w, true, code, &v, 4);
}

static void begin_block(struct pcapng_writer *w, uint32_t type)
{
	w->len = 0;
	w->failed = 0;
	put32(w, type);
	put32(w, 0); /* total length, patched by end_block() */
}

/* Of the whole blocks in blocks, how many bytes the first done bytes hold complete. */
static size_t whole_blocks(const uint8_t *blocks, size_t done)
{
	size_t whole = 0;

	while (done - whole >= 12) {
		uint32_t len;

		memcpy(&len, blocks + whole + 4, 4);
		if (len < 12 || len > done - whole)
			break;
		whole += len;
	}
	return whole;
}

/*
 * A write that stopped part-way (a full disk) leaves half a block, and a
 * reader refuses a file that ends in one (capinfos, ebpfcap -r). A regular
 * file is cut back to the last whole block, so it stays readable to there;
 * a fifo's reader is gone or sees the error itself. errno is kept.
 */
static void cut_to_whole_block(int fd, const uint8_t *blocks, size_t done)
{
	int saved = errno;
	size_t partial = done - whole_blocks(blocks, done);
	struct stat st;
	off_t end;

	if (partial && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (end = lseek(fd, 0, SEEK_CUR)) >= (off_t)partial &&
	    ftruncate(fd, end - (off_t)partial) == 0)
		lseek(fd, end - (off_t)partial, SEEK_SET);
	errno = saved;
}

/* Writes whole blocks: all of them, or (on error) whole ones only. */
static int write_all(int fd, const uint8_t *buf, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, buf + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			cut_to_whole_block(fd, buf, off);
			return -1;
		}
		off += (size_t)n;
	}
	return 0;
}

/* Keeps a whole block for the next flush; flushes early rather than grow without bound. */
static int append_pending(struct pcapng_writer *w)
{
	if (w->pending_len + w->len > w->pending_cap) {
		size_t cap = w->pending_cap ? w->pending_cap : BATCH_BYTES;
		uint8_t *p;

		while (cap < w->pending_len + w->len)
			cap *= 2;
		p = realloc(w->pending, cap);
		if (!p)
			return -1;
		w->pending = p;
		w->pending_cap = cap;
	}
	memcpy(w->pending + w->pending_len, w->buf, w->len);
	w->pending_len += w->len;
	return w->pending_len >= BATCH_BYTES ? pcapng_flush(w) : 0;
}

/* Patches the lengths and writes the whole block (or keeps it, batched). */
static int end_block(struct pcapng_writer *w)
{
	if (put32(w, 0) < 0 || w->failed || w->len > UINT32_MAX) {
		errno = w->failed ? w->failed : EMSGSIZE;
		return -1;
	}
	uint32_t total = (uint32_t)w->len;

	memcpy(w->buf + 4, &total, 4);
	memcpy(w->buf + w->len - 4, &total, 4);
	if (w->batched ? append_pending(w) < 0 : write_all(w->fd, w->buf, w->len) < 0)
		return -1;
	w->bytes += w->len;
	return 0;
}

void pcapng_writer_batch(struct pcapng_writer *w, bool on)
{
	w->batched = on;
}

int pcapng_flush(struct pcapng_writer *w)
{
	int rc = w->pending_len ? write_all(w->fd, w->pending, w->pending_len) : 0;

	w->pending_len = 0; /* what failed to go out is not retried: the reader is gone */
	return rc;
}

static int end_options(struct pcapng_writer *w)
{
	return put_option(w, OPT_END, NULL, 0);
}

struct pcapng_writer *pcapng_writer_open(int fd, const char *application)
{
	struct pcapng_writer *w = calloc(1, sizeof(*w));
	uint16_t version[2] = { 1, 0 };
	int64_t section_length = -1; /* unknown: we stream */

	if (!w)
		return NULL;
	w->fd = fd;
	begin_block(w, BT_SHB);
	put32(w, BYTE_ORDER_MAGIC);
	put(w, version, sizeof(version));
	put(w, &section_length, sizeof(section_length));
	put_string_option(w, OPT_SHB_USERAPPL, application);
	end_options(w);
	if (end_block(w) < 0) {
		int saved = errno;

		free(w->buf);
		free(w);
		errno = saved;
		return NULL;
	}
	return w;
}

void pcapng_writer_close(struct pcapng_writer *w)
{
	if (!w)
		return;
	pcapng_flush(w);
	free(w->pending);
	close(w->fd);
	free(w->buf);
	free(w);
}

int pcapng_add_interface(struct pcapng_writer *w, uint16_t linktype, uint32_t snaplen,
			 const char *name, const char *description)
{
	uint16_t lt[2] = { linktype, 0 };
	uint8_t tsresol = 9; /* nanoseconds */

	begin_block(w, BT_IDB);
	put(w, lt, sizeof(lt));
	put32(w, snaplen);
	put_string_option(w, OPT_IF_NAME, name);
	put_string_option(w, OPT_IF_DESCRIPTION, description);
	put_option(w, OPT_IF_TSRESOL, &tsresol, 1);
	end_options(w);
	if (end_block(w) < 0)
		return -1;
	return (int)w->n_interfaces++;
}

int pcapng_write_packet(struct pcapng_writer *w, uint32_t interface_id, uint64_t ts_ns,
			const void *data, uint32_t caplen, uint32_t origlen, const char *comment)
{
	struct pcapng_packet_options opts = { .comment = comment };

	return pcapng_write_packet_opts(w, interface_id, ts_ns, data, caplen, origlen, &opts);
}

int pcapng_write_packet_opts(struct pcapng_writer *w, uint32_t interface_id, uint64_t ts_ns,
			     const void *data, uint32_t caplen, uint32_t origlen,
			     const struct pcapng_packet_options *opts)
{
	bool commented = opts && opts->comment && *opts->comment;

	if (interface_id >= w->n_interfaces) {
		errno = EINVAL;
		return -1;
	}
	begin_block(w, BT_EPB);
	put32(w, interface_id);
	put32(w, (uint32_t)(ts_ns >> 32));
	put32(w, (uint32_t)ts_ns);
	put32(w, caplen);
	put32(w, origlen);
	put(w, data, caplen);
	if (commented)
		put_string_option(w, OPT_COMMENT, opts->comment);
	if (opts && opts->has_process) {
		uint32_t pid_tid[2] = { opts->pid, opts->tid };

		put_option(w, OPT_EPB_PROCESSID_THREADID, pid_tid, sizeof(pid_tid));
	}
	if (commented || (opts && opts->has_process))
		end_options(w);
	return end_block(w);
}

/*
 * The entry's options, little-endian, in the order Wireshark's own writer
 * keeps them; none at all (not even the end marker) when there are none.
 */
static void put_process_options(struct pcapng_writer *w, const struct pcapng_process_info *p)
{
	size_t start = w->len;
	uint64_t start_ns = htole64(p->start_ns);

	put_le_string_option(w, OPT_PIB_NAME, p->name);
	put_le_string_option(w, OPT_PIB_PATH, p->path);
	if (p->cmdline_len)
		put_option_in(w, true, OPT_PIB_CMDLINE, p->cmdline, p->cmdline_len);
	if (p->has_ppid)
		put_le32_option(w, OPT_PIB_PPID, p->ppid);
	if (p->has_uid)
		put_le32_option(w, OPT_PIB_UID, p->uid);
	put_le_string_option(w, OPT_PIB_USER, p->user);
	if (p->has_uuid)
		put_option_in(w, true, OPT_PIB_UUID, p->uuid, sizeof(p->uuid));
	if (p->start_ns)
		put_option_in(w, true, OPT_PIB_STARTTIME, &start_ns, sizeof(start_ns));
	put_le_string_option(w, OPT_COMMENT, p->comment);
	if (w->len > start)
		end_options(w); /* all zeros: the same in either byte order */
}

/*
 * Laid out as Wireshark's pcapng_write_wireshark_process_info_block() does:
 * PEN (section order), then the entry, little-endian whatever the section's
 * order: entry type, entry length, process id, options.
 */
int pcapng_write_process(struct pcapng_writer *w, const struct pcapng_process_info *p)
{
	uint32_t entry_length;
	size_t length_at;

	begin_block(w, BT_CB_COPY);
	put32(w, PCAPNG_PEN_WIRESHARK);
	put32(w, htole32(PCAPNG_WIRESHARK_ENTRY_PROCESS));
	length_at = w->len;
	put32(w, 0); /* entry length, patched below */
	put32(w, htole32(p->pid));
	put_process_options(w, p);
	if (w->failed) {
		errno = w->failed;
		return -1;
	}
	entry_length = htole32((uint32_t)(w->len - length_at - 4));
	memcpy(w->buf + length_at, &entry_length, 4);
	return end_block(w);
}

int pcapng_write_secrets(struct pcapng_writer *w, uint32_t secrets_type, const void *data, uint32_t len)
{
	begin_block(w, BT_DSB);
	put32(w, secrets_type);
	put32(w, len);
	put(w, data, len);
	return end_block(w);
}

uint64_t pcapng_bytes_written(const struct pcapng_writer *w)
{
	return w->bytes;
}
