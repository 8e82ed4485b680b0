/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pcapng block layout: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng */
#include "pcapng.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BT_SHB 0x0A0D0D0A
#define BT_IDB 0x00000001
#define BT_EPB 0x00000006
#define BYTE_ORDER_MAGIC 0x1A2B3C4D

#define OPT_END 0
#define OPT_COMMENT 1
#define OPT_SHB_USERAPPL 4
#define OPT_IF_NAME 2
#define OPT_IF_DESCRIPTION 3
#define OPT_IF_TSRESOL 9

struct pcapng_writer {
	int fd;
	uint32_t n_interfaces;
	uint64_t bytes;
	uint8_t *buf;   /* block under construction */
	size_t len, cap;
	int failed;     /* errno of the first failure while building this block, or 0 */
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

static int put_option(struct pcapng_writer *w, uint16_t code, const void *val, size_t n)
{
	uint16_t hdr[2] = { code, (uint16_t)n };

	if (n > UINT16_MAX - 3) {
		if (!w->failed)
			w->failed = EMSGSIZE;
		errno = EMSGSIZE;
		return -1;
	}
	return put(w, hdr, sizeof(hdr)) || (n && put(w, val, n)) ? -1 : 0;
}

static int put_string_option(struct pcapng_writer *w, uint16_t code, const char *s)
{
	return s && *s ? put_option(w, code, s, strlen(s)) : 0;
}

static void begin_block(struct pcapng_writer *w, uint32_t type)
{
	w->len = 0;
	w->failed = 0;
	put32(w, type);
	put32(w, 0); /* total length, patched by end_block() */
}

/* Patches the lengths and writes the whole block. */
static int end_block(struct pcapng_writer *w)
{
	if (put32(w, 0) < 0 || w->failed || w->len > UINT32_MAX) {
		errno = w->failed ? w->failed : EMSGSIZE;
		return -1;
	}
	uint32_t total = (uint32_t)w->len;

	memcpy(w->buf + 4, &total, 4);
	memcpy(w->buf + w->len - 4, &total, 4);
	for (size_t off = 0; off < w->len;) {
		ssize_t n = write(w->fd, w->buf + off, w->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	w->bytes += w->len;
	return 0;
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
	if (comment && *comment) {
		put_string_option(w, OPT_COMMENT, comment);
		end_options(w);
	}
	return end_block(w);
}

uint64_t pcapng_bytes_written(const struct pcapng_writer *w)
{
	return w->bytes;
}
