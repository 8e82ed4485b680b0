/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pcapng_reader.h"

#include <stdlib.h>
#include <string.h>

#define BT_SHB 0x0A0D0D0A
#define BT_IDB 0x00000001
#define BT_SPB 0x00000003
#define BT_EPB 0x00000006
#define BYTE_ORDER_MAGIC 0x1A2B3C4D
#define MAX_BLOCK (64u << 20)
#define MAX_INTERFACES 256

struct interface {
	uint16_t linktype;
	uint64_t ticks_per_second;
};

struct pcapng_reader {
	FILE *f;
	const char *name;
	uint8_t *block;
	size_t cap;
	struct interface ifs[MAX_INTERFACES];
	uint32_t n_ifs;
	const char *error; /* why the last call failed; the caller says it once */
};

static int bad(struct pcapng_reader *r, const char *why)
{
	r->error = why;
	return -1;
}

static uint32_t u32_at(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* Reads one whole block into r->block; returns its type, 0 at EOF, -1 on error. */
static long read_block(struct pcapng_reader *r, uint32_t *len)
{
	uint8_t hdr[8];
	size_t n = fread(hdr, 1, 8, r->f);

	if (n == 0)
		return 0;
	if (n < 8)
		return bad(r, "truncated block header");
	*len = u32_at(hdr + 4);
	if (*len < 12 || *len % 4 || *len > MAX_BLOCK)
		return bad(r, "bad block length (is this a big-endian or damaged file?)");
	if (*len > r->cap) {
		uint8_t *p = realloc(r->block, *len);

		if (!p)
			return bad(r, "out of memory");
		r->block = p;
		r->cap = *len;
	}
	memcpy(r->block, hdr, 8);
	if (fread(r->block + 8, 1, *len - 8, r->f) != *len - 8)
		return bad(r, "truncated block");
	if (u32_at(r->block + *len - 4) != *len)
		return bad(r, "block lengths at both ends differ");
	return u32_at(hdr);
}

/* if_tsresol: 10^-n seconds, or 2^-n with the top bit set. */
static uint64_t ticks_from_options(const uint8_t *opt, const uint8_t *end)
{
	while (end - opt >= 4) {
		uint16_t code, len;

		memcpy(&code, opt, 2);
		memcpy(&len, opt + 2, 2);
		if (code == 0 || (size_t)(end - opt - 4) < len)
			break;
		if (code == 9 && len >= 1) {
			uint8_t res = opt[4];
			uint64_t t = 1;

			if (res & 0x80)
				return (res & 0x7f) < 64 ? 1ull << (res & 0x7f) : 0;
			for (int i = 0; i < res && i < 19; i++)
				t *= 10;
			return t;
		}
		opt += 4 + ((len + 3u) & ~3u);
	}
	return 1000000; /* the default: microseconds */
}

static int add_interface(struct pcapng_reader *r, uint32_t len)
{
	if (len < 20)
		return bad(r, "short interface description block");
	if (r->n_ifs == MAX_INTERFACES)
		return bad(r, "too many interfaces");
	struct interface *i = &r->ifs[r->n_ifs++];

	memcpy(&i->linktype, r->block + 8, 2);
	i->ticks_per_second = ticks_from_options(r->block + 16, r->block + len - 4);
	if (i->ticks_per_second == 0)
		return bad(r, "unsupported timestamp resolution");
	return 0;
}

static int fill_packet(struct pcapng_reader *r, uint32_t len, struct pcapng_packet *pkt)
{
	const uint8_t *b = r->block;

	if (len < 32)
		return bad(r, "short enhanced packet block");
	pkt->interface_id = u32_at(b + 8);
	if (pkt->interface_id >= r->n_ifs)
		return bad(r, "packet on an undeclared interface");
	const struct interface *i = &r->ifs[pkt->interface_id];
	uint64_t ticks = (uint64_t)u32_at(b + 12) << 32 | u32_at(b + 16);

	pkt->linktype = i->linktype;
	pkt->ts_ns = ticks / i->ticks_per_second * 1000000000ull +
		     ticks % i->ticks_per_second * 1000000000ull / i->ticks_per_second;
	pkt->caplen = u32_at(b + 20);
	pkt->origlen = u32_at(b + 24);
	if (pkt->caplen > len - 32)
		return bad(r, "packet longer than its block");
	pkt->data = b + 28;
	return 1;
}

struct pcapng_reader *pcapng_reader_open(FILE *f, const char *name)
{
	struct pcapng_reader *r = calloc(1, sizeof(*r));
	uint32_t len;

	if (!r)
		return NULL;
	r->f = f;
	r->name = name;
	if (read_block(r, &len) != BT_SHB || len < 28 || u32_at(r->block + 8) != BYTE_ORDER_MAGIC) {
		/* Whatever read_block() disliked, the user's answer is this one. */
		fprintf(stderr, "ebpfcap: %s: not a little-endian pcapng file\n", name);
		pcapng_reader_close(r);
		return NULL;
	}
	return r;
}

static int next_packet(struct pcapng_reader *r, struct pcapng_packet *pkt)
{
	for (;;) {
		uint32_t len = 0;
		long type = read_block(r, &len);

		if (type <= 0)
			return (int)type;
		if (type == BT_SHB) {
			r->n_ifs = 0; /* a new section starts its own interface list */
		} else if (type == BT_IDB) {
			if (add_interface(r, len) < 0)
				return -1;
		} else if (type == BT_EPB) {
			return fill_packet(r, len, pkt);
		}
		/* Other blocks (statistics, name resolution, ...) carry nothing we show. */
	}
}

int pcapng_reader_next(struct pcapng_reader *r, struct pcapng_packet *pkt)
{
	int rc = next_packet(r, pkt);

	if (rc < 0)
		fprintf(stderr, "ebpfcap: %s: %s\n", r->name, r->error);
	return rc;
}

void pcapng_reader_close(struct pcapng_reader *r)
{
	if (!r)
		return;
	free(r->block);
	free(r);
}
