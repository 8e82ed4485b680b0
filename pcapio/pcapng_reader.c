/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pcapng_reader.h"

#include <endian.h>
#include <stdlib.h>
#include <string.h>

#define BT_SHB 0x0A0D0D0A
#define BT_IDB 0x00000001
#define BT_SPB 0x00000003
#define BT_EPB 0x00000006
#define BT_CB_COPY 0x00000BAD
#define BT_CB_NO_COPY 0x40000BAD
#define OPT_COMMENT 1
#define OPT_EPB_PROCESSID_THREADID 8
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
	struct pcapng_process_info *procs; /* process information blocks, in file order */
	size_t n_procs;
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

static uint16_t u16_in(const uint8_t *p, bool big_endian)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return big_endian ? be16toh(v) : le16toh(v);
}

/*
 * The option at *opt, stepping *opt past it (value padded to 4 bytes): 1, or
 * 0 at the end of the options, -1 at one longer than what is left.
 */
static int next_option(const uint8_t **opt, const uint8_t *end, bool big_endian,
		       uint16_t *code, uint16_t *len, const uint8_t **value)
{
	if (end - *opt < 4)
		return 0;
	*code = u16_in(*opt, big_endian);
	*len = u16_in(*opt + 2, big_endian);
	if (*code == 0)
		return 0;
	if ((size_t)(end - *opt - 4) < *len)
		return -1;
	*value = *opt + 4;
	*opt += 4 + ((*len + 3u) & ~3u);
	return 1;
}

/* if_tsresol: 10^-n seconds, or 2^-n with the top bit set. */
static uint64_t ticks_from_options(const uint8_t *opt, const uint8_t *end)
{
	uint16_t code, len;
	const uint8_t *v;

	while (next_option(&opt, end, false, &code, &len, &v) > 0) {
		if (code == 9 && len >= 1) {
			uint8_t res = v[0];
			uint64_t t = 1;

			if (res & 0x80)
				return (res & 0x7f) < 64 ? 1ull << (res & 0x7f) : 0;
			for (int i = 0; i < res && i < 19; i++)
				t *= 10;
			return t;
		}
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

/* The EPB's comment and process, from options little-endian like the rest of our files. */
static void packet_options(const uint8_t *opt, const uint8_t *end, struct pcapng_packet *pkt)
{
	uint16_t code, len;
	const uint8_t *v;

	while (next_option(&opt, end, false, &code, &len, &v) > 0) {
		if (code == OPT_COMMENT && !pkt->comment) {
			pkt->comment = (const char *)v;
			pkt->comment_len = len;
		} else if (code == OPT_EPB_PROCESSID_THREADID && len == 8) {
			pkt->has_process = true;
			pkt->pid = u32_at(v);
			pkt->tid = u32_at(v + 4);
		}
	}
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
	pkt->comment = NULL;
	pkt->comment_len = 0;
	pkt->has_process = false;
	pkt->pid = pkt->tid = 0;
	packet_options(b + 28 + ((pkt->caplen + 3u) & ~3u), b + len - 4, pkt);
	return 1;
}

static uint32_t le32_at(const uint8_t *p)
{
	return le32toh(u32_at(p));
}

static void copy_string(char *dst, size_t size, const uint8_t *src, size_t n)
{
	n = n < size - 1 ? n : size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* One option of a process information entry, with the lengths Wireshark insists on. */
static int process_option(struct pcapng_process_info *p, uint16_t code, const uint8_t *v, uint16_t len,
			  const char **why)
{
	switch (code) {
	case 1: /* opt_comment: the first one */
		if (!p->comment[0])
			copy_string(p->comment, sizeof(p->comment), v, len);
		return 0;
	case 2: copy_string(p->name, sizeof(p->name), v, len); return 0;
	case 3: copy_string(p->path, sizeof(p->path), v, len); return 0;
	case 4:
		p->cmdline_len = len < sizeof(p->cmdline) ? len : sizeof(p->cmdline);
		memcpy(p->cmdline, v, p->cmdline_len);
		return 0;
	case 5: case 6:
		if (len != 4)
			return *why = "process information option ppid/uid is not 4 bytes", -1;
		*(code == 5 ? &p->ppid : &p->uid) = le32_at(v);
		*(code == 5 ? &p->has_ppid : &p->has_uid) = true;
		return 0;
	case 7: copy_string(p->user, sizeof(p->user), v, len); return 0;
	case 8:
		if (len != 16)
			return *why = "process information option uuid is not 16 bytes", -1;
		memcpy(p->uuid, v, 16);
		p->has_uuid = true;
		return 0;
	case 9:
		if (len != 8)
			return *why = "process information option starttime is not 8 bytes", -1;
		memcpy(&p->start_ns, v, 8);
		p->start_ns = le64toh(p->start_ns);
		return 0;
	default: /* unknown: ignored, as Wireshark does */
		return 0;
	}
}

/* Options from opt to end; big_endian for the custom block's own (section order), where only a comment counts. */
static int process_options(struct pcapng_process_info *p, const uint8_t *opt, const uint8_t *end,
			   bool big_endian, bool own, const char **why)
{
	uint16_t code, len;
	const uint8_t *v;
	int rc;

	while ((rc = next_option(&opt, end, big_endian, &code, &len, &v)) > 0)
		if ((!own || code == OPT_COMMENT) && process_option(p, code, v, len, why) < 0)
			return -1;
	return rc < 0 ? (*why = "process information option longer than its entry", -1) : 0;
}

int pcapng_parse_process(const uint8_t *data, size_t len, bool big_endian_section,
			 struct pcapng_process_info *p, const char **why)
{
	uint32_t type, entry_len;
	size_t padded;

	memset(p, 0, sizeof(*p));
	if (len < 8)
		return *why = "Wireshark custom block shorter than its entry header", -1;
	type = le32_at(data);
	entry_len = le32_at(data + 4);
	padded = ((size_t)entry_len + 3) & ~(size_t)3;
	if (padded > len - 8)
		return *why = "Wireshark custom block entry longer than the block", -1;
	if (type != PCAPNG_WIRESHARK_ENTRY_PROCESS)
		return 0;
	if (entry_len < 4)
		return *why = "process information entry without a process id", -1;
	p->pid = le32_at(data + 8);
	if (process_options(p, data + 12, data + 8 + entry_len, false, false, why) < 0 ||
	    process_options(p, data + 8 + padded, data + len, big_endian_section, true, why) < 0)
		return -1;
	return 1;
}

/* A Wireshark custom block describing a process goes to the table; other custom blocks are skipped. */
static int add_custom(struct pcapng_reader *r, uint32_t len)
{
	struct pcapng_process_info p, *more;
	const char *why = NULL;
	int rc;

	if (len < 16 || u32_at(r->block + 8) != PCAPNG_PEN_WIRESHARK)
		return 0;
	rc = pcapng_parse_process(r->block + 12, len - 16, false, &p, &why);
	if (rc <= 0)
		return rc < 0 ? bad(r, why) : 0;
	more = realloc(r->procs, (r->n_procs + 1) * sizeof(*more));
	if (!more)
		return bad(r, "out of memory");
	r->procs = more;
	r->procs[r->n_procs++] = p;
	return 0;
}

size_t pcapng_reader_processes(const struct pcapng_reader *r)
{
	return r->n_procs;
}

const struct pcapng_process_info *pcapng_reader_process(const struct pcapng_reader *r, uint32_t pid)
{
	for (size_t i = r->n_procs; i-- > 0;)
		if (r->procs[i].pid == pid)
			return &r->procs[i];
	return NULL;
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
		} else if (type == BT_CB_COPY || type == BT_CB_NO_COPY) {
			if (add_custom(r, len) < 0)
				return -1;
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
	free(r->procs);
	free(r);
}
