/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcapio: the writer's blocks byte by byte (pcapng draft, sections 4.1-4.3),
 * read back by libpcap and by our reader (which, unlike libpcap, takes
 * interfaces of different link types). With --write FILE it only writes the
 * two-interface sample (for t_pcapio_tshark, which reads it with tshark).
 */
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "pcapio/pcapng.h"
#include "pcapio/pcapng_reader.h"
#include "unit.h"

#define BT_SHB 0x0A0D0D0A
#define BT_IDB 0x00000001
#define BT_EPB 0x00000006

/* 2023-11-14T22:13:20.123456789Z */
#define T0 1700000000123456789ull
/* T0 with the low 32 bits all ones, and one nanosecond later: the carry into the high word. */
#define TWRAP (T0 | 0xffffffffull)

static const uint8_t ETH_FRAME[14] = "0123456789abcd";

static uint32_t u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint16_t u16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static size_t pad4(size_t n) { return (n + 3) & ~(size_t)3; }

static int zeros(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/* What every sample packet is, so the byte, libpcap and reader checks agree. */
struct sample {
	uint32_t iface;
	uint64_t ts;
	const char *data;
	uint32_t caplen, origlen;
	const char *comment;
};

static const struct sample samples[] = {
	{ 0, T0, "abc", 3, 3, NULL },                /* 1 byte of padding */
	{ 0, T0 + 1000, "hello", 5, 10, "a comment" }, /* snapped; comment padded by 3 */
	{ 0, TWRAP, "wrap", 4, 4, "" },              /* empty comment: no option at all */
	{ 0, TWRAP + 1, "x", 1, 1, NULL },           /* high word + 1, low word 0 */
	{ 1, T0 + 2000, (const char *)ETH_FRAME, 14, 14, "on eth0" }, /* second interface */
};
#define N_SAMPLES (sizeof(samples) / sizeof(samples[0]))

static int open_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0) {
		perror(path);
		exit(2);
	}
	return fd;
}

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

/*
 * An upper-PDU interface with four packets, then (two_interfaces) an
 * Ethernet interface with one. libpcap takes only the one-interface form.
 */
static void write_sample(const char *path, int two_interfaces)
{
	struct pcapng_writer *w = pcapng_writer_open(open_file(path), "unit test");
	uint64_t bytes;

	CHECK(w != NULL);
	if (!w)
		return;
	CHECK_EQ(pcapng_add_interface(w, LINKTYPE_WIRESHARK_UPPER_PDU, 0, "ebpfevents", "eBPF Events"), 0);
	for (size_t i = 0; i < N_SAMPLES; i++) {
		const struct sample *s = &samples[i];

		if (s->iface == 1 && !two_interfaces)
			break;
		if (s->iface == 1 && i > 0 && samples[i - 1].iface == 0)
			CHECK_EQ(pcapng_add_interface(w, LINKTYPE_ETHERNET, 262144, "eth0", NULL), 1);
		CHECK_EQ(pcapng_write_packet(w, s->iface, s->ts, s->data, s->caplen, s->origlen, s->comment), 0);
	}
	/* No such interface: refused, nothing written. */
	bytes = pcapng_bytes_written(w);
	errno = 0;
	CHECK_EQ(pcapng_write_packet(w, 7, T0, "x", 1, 1, NULL), -1);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(pcapng_bytes_written(w), bytes);
	pcapng_writer_close(w);
	CHECK_EQ(file_size(path), bytes);
}

static size_t slurp(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		perror(path);
		exit(2);
	}
	n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

struct block {
	uint32_t type, len;
	const uint8_t *p;
};

/*
 * Splits a file into blocks, checking what every block must satisfy: a
 * length of at least 12, a multiple of 4, inside the file, and the same at
 * both ends. Returns the number of blocks.
 */
static size_t split_blocks(const uint8_t *b, size_t n, struct block *out, size_t max)
{
	size_t count = 0, off = 0;

	while (off < n && count < max) {
		struct block *blk = &out[count++];

		CHECK(n - off >= 12);
		if (n - off < 12)
			break;
		blk->p = b + off;
		blk->type = u32(b + off);
		blk->len = u32(b + off + 4);
		CHECK(blk->len >= 12);
		CHECK_EQ(blk->len % 4, 0);
		CHECK(blk->len <= n - off);
		if (blk->len < 12 || blk->len > n - off)
			break;
		CHECK_EQ(u32(b + off + blk->len - 4), blk->len); /* trailing total length */
		off += blk->len;
	}
	CHECK_EQ(off, n);
	return count;
}

/*
 * Checks an option list from opt to end (the trailing block length): every
 * value padded with zeros to 4, the list closed by opt_endofopt exactly at
 * the end. Returns the value of option `code` (its length in *len), or NULL.
 */
static const uint8_t *option(const uint8_t *opt, const uint8_t *end, uint16_t code, uint16_t *len)
{
	const uint8_t *found = NULL;
	int closed = 0;

	while (end - opt >= 4) {
		uint16_t c = u16(opt), l = u16(opt + 2);

		if (c == 0) {
			CHECK_EQ(l, 0);
			CHECK(opt + 4 == end); /* opt_endofopt is the last thing before the trailer */
			closed = 1;
			break;
		}
		CHECK((size_t)(end - opt - 4) >= pad4(l));
		if ((size_t)(end - opt - 4) < pad4(l))
			break;
		CHECK(zeros(opt + 4 + l, pad4(l) - l));
		if (c == code) {
			found = opt + 4;
			*len = l;
		}
		opt += 4 + pad4(l);
	}
	CHECK(closed);
	return found;
}

static void check_string_option(const uint8_t *opt, const uint8_t *end, uint16_t code, const char *want)
{
	uint16_t len = 0;
	const uint8_t *v = option(opt, end, code, &len);

	CHECK(v != NULL);
	if (!v)
		return;
	CHECK_EQ(len, strlen(want)); /* pcapng strings carry no NUL */
	CHECK(memcmp(v, want, len) == 0);
}

static void check_shb(const struct block *b)
{
	CHECK_EQ(b->type, BT_SHB);
	CHECK_EQ(u32(b->p + 8), 0x1A2B3C4D);   /* byte-order magic */
	CHECK_EQ(u16(b->p + 12), 1);           /* major version */
	CHECK_EQ(u16(b->p + 14), 0);           /* minor version */
	CHECK(memcmp(b->p + 16, "\xff\xff\xff\xff\xff\xff\xff\xff", 8) == 0); /* section length -1 */
	/* 24 bytes of header, shb_userappl "unit test" (4 + 9 + 3), end of options, trailer. */
	CHECK_EQ(b->len, 24 + 16 + 4 + 4);
	CHECK_EQ(u16(b->p + 24), 4);           /* shb_userappl */
	check_string_option(b->p + 24, b->p + b->len - 4, 4, "unit test");
}

static void check_idb(const struct block *b, uint16_t linktype, uint32_t snaplen,
		      const char *name, const char *description)
{
	const uint8_t *opts = b->p + 16, *end = b->p + b->len - 4;
	uint16_t len = 0;
	const uint8_t *tsresol;

	CHECK_EQ(b->type, BT_IDB);
	CHECK_EQ(u16(b->p + 8), linktype);
	CHECK_EQ(u16(b->p + 10), 0);           /* reserved */
	CHECK_EQ(u32(b->p + 12), snaplen);
	check_string_option(opts, end, 2, name); /* if_name */
	if (description)
		check_string_option(opts, end, 3, description); /* if_description */
	else
		CHECK(option(opts, end, 3, &len) == NULL);
	tsresol = option(opts, end, 9, &len);  /* if_tsresol */
	CHECK(tsresol != NULL);
	if (tsresol) {
		CHECK_EQ(len, 1);
		CHECK_EQ(tsresol[0], 9);       /* 10^-9: nanoseconds */
	}
}

static void check_epb(const struct block *b, const struct sample *s)
{
	size_t data_end = 28 + pad4(s->caplen);
	size_t want_len = data_end + 4;

	if (s->comment && *s->comment)
		want_len += 4 + pad4(strlen(s->comment)) + 4; /* opt_comment + opt_endofopt */
	CHECK_EQ(b->type, BT_EPB);
	CHECK_EQ(b->len, want_len);
	if (b->len != want_len)
		return;
	CHECK_EQ(u32(b->p + 8), s->iface);
	CHECK_EQ(u32(b->p + 12), (uint32_t)(s->ts >> 32)); /* timestamp, high word */
	CHECK_EQ(u32(b->p + 16), (uint32_t)s->ts);         /* timestamp, low word */
	CHECK_EQ(u32(b->p + 20), s->caplen);
	CHECK_EQ(u32(b->p + 24), s->origlen);
	CHECK(memcmp(b->p + 28, s->data, s->caplen) == 0);
	CHECK(zeros(b->p + 28 + s->caplen, pad4(s->caplen) - s->caplen)); /* padding */
	if (s->comment && *s->comment) {
		CHECK_EQ(u16(b->p + data_end), 1); /* opt_comment */
		check_string_option(b->p + data_end, b->p + b->len - 4, 1, s->comment);
	}
}

static void test_bytes(const char *path)
{
	static uint8_t buf[1 << 16];
	struct block b[16];
	size_t n = slurp(path, buf, sizeof(buf));
	size_t nb = split_blocks(buf, n, b, 16);

	/* SHB, IDB 0, four EPBs on it, IDB 1 (Ethernet), one EPB on it. */
	CHECK_EQ(nb, 1 + 1 + 4 + 1 + 1);
	if (nb != 8)
		return;
	check_shb(&b[0]);
	check_idb(&b[1], LINKTYPE_WIRESHARK_UPPER_PDU, 0, "ebpfevents", "eBPF Events");
	for (size_t i = 0; i < 4; i++)
		check_epb(&b[2 + i], &samples[i]);
	check_idb(&b[6], LINKTYPE_ETHERNET, 262144, "eth0", NULL);
	check_epb(&b[7], &samples[4]);
	/* The wrap-around really crosses into the next high word. */
	CHECK_EQ(u32(b[4].p + 16), 0xffffffffu);
	CHECK_EQ(u32(b[5].p + 16), 0);
	CHECK_EQ(u32(b[5].p + 12), u32(b[4].p + 12) + 1);
}

/* Every payload length 0..8 (every padding residue), and a comment too long for an option. */
static void test_padding(const char *path)
{
	static uint8_t buf[80000];
	static char huge[70000];
	uint8_t data[8];
	struct block b[16];
	struct pcapng_writer *w = pcapng_writer_open(open_file(path), NULL);
	size_t n, nb;
	uint64_t bytes;

	CHECK(w != NULL);
	if (!w)
		return;
	memset(data, 0xaa, sizeof(data));
	CHECK_EQ(pcapng_add_interface(w, LINKTYPE_WIRESHARK_UPPER_PDU, 0, NULL, NULL), 0);
	for (uint32_t len = 0; len <= 8; len++)
		CHECK_EQ(pcapng_write_packet(w, 0, T0 + len, len ? data : NULL, len, len, NULL), 0);
	/* A comment over 65532 bytes cannot be an option: the packet is refused whole. */
	memset(huge, 'c', sizeof(huge) - 1);
	bytes = pcapng_bytes_written(w);
	errno = 0;
	CHECK_EQ(pcapng_write_packet(w, 0, T0, data, 1, 1, huge), -1);
	CHECK_EQ(errno, EMSGSIZE);
	CHECK_EQ(pcapng_bytes_written(w), bytes);
	/* ... and the writer goes on: the longest comment that fits is taken. */
	huge[65532] = '\0';
	CHECK_EQ(pcapng_write_packet(w, 0, T0 + 9, data, 1, 1, huge), 0);
	bytes = pcapng_bytes_written(w);
	pcapng_writer_close(w);
	CHECK_EQ(file_size(path), bytes);

	n = slurp(path, buf, sizeof(buf));
	nb = split_blocks(buf, n, b, 16);
	CHECK_EQ(nb, 2 + 9 + 1);
	if (nb != 12)
		return;
	CHECK_EQ(b[0].len, 24 + 4 + 4); /* no shb_userappl: header, end of options, trailer */
	for (size_t i = 0; i < 9; i++) {
		const struct block *e = &b[2 + i];

		CHECK_EQ(e->type, BT_EPB);
		CHECK_EQ(e->len, 32 + pad4(i));
		CHECK_EQ(u32(e->p + 20), i);
		CHECK(memcmp(e->p + 28, data, i) == 0);
		CHECK(zeros(e->p + 28 + i, pad4(i) - i));
	}
	check_epb(&b[11], &(struct sample){ 0, T0 + 9, (const char *)data, 1, 1, huge });
}

static void check_pcap_packet(pcap_t *p, const struct sample *s, int nano)
{
	struct pcap_pkthdr *h;
	const u_char *data;

	CHECK_EQ(pcap_next_ex(p, &h, &data), 1);
	CHECK_EQ(h->ts.tv_sec, s->ts / 1000000000);
	/* tv_usec holds nanoseconds when the file is opened with nanosecond precision. */
	CHECK_EQ(h->ts.tv_usec, nano ? s->ts % 1000000000 : s->ts % 1000000000 / 1000);
	CHECK_EQ(h->caplen, s->caplen);
	CHECK_EQ(h->len, s->origlen);
	CHECK(memcmp(data, s->data, s->caplen) == 0);
}

/* libpcap reads only files whose interfaces share one link type: the one-interface sample. */
static void test_libpcap(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];

	for (int nano = 1; nano >= 0; nano--) {
		pcap_t *p = nano ? pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err)
				 : pcap_open_offline(path, err);
		struct pcap_pkthdr *h;
		const u_char *data;

		CHECK(p != NULL);
		if (!p) {
			printf("libpcap: %s\n", err);
			return;
		}
		CHECK_EQ(pcap_datalink(p), LINKTYPE_WIRESHARK_UPPER_PDU);
		CHECK_EQ(pcap_get_tstamp_precision(p), nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
		for (size_t i = 0; i < 4; i++)
			check_pcap_packet(p, &samples[i], nano);
		CHECK_EQ(pcap_next_ex(p, &h, &data), PCAP_ERROR_BREAK);
		pcap_close(p);
	}
}

/* An Ethernet-only file, as the packet side of a capture writes it. */
static void test_libpcap_ethernet(const char *path)
{
	struct pcapng_writer *w = pcapng_writer_open(open_file(path), "unit test");
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p;

	CHECK(w != NULL);
	if (!w)
		return;
	CHECK_EQ(pcapng_add_interface(w, LINKTYPE_ETHERNET, 262144, "veth0", NULL), 0);
	CHECK_EQ(pcapng_write_packet(w, 0, T0, ETH_FRAME, 14, 60, "short"), 0);
	pcapng_writer_close(w);
	p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_EQ(pcap_datalink(p), DLT_EN10MB);
	CHECK_EQ(pcap_snapshot(p), 262144);
	check_pcap_packet(p, &(struct sample){ 0, T0, (const char *)ETH_FRAME, 14, 60, NULL }, 1);
	pcap_close(p);
}

static void test_padding_libpcap(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
	struct pcap_pkthdr *h;
	const u_char *data;
	uint32_t len = 0;

	CHECK(p != NULL);
	if (!p)
		return;
	while (pcap_next_ex(p, &h, &data) == 1) {
		CHECK_EQ(h->caplen, len <= 8 ? len : 1);
		CHECK_EQ(h->ts.tv_usec, (T0 + len) % 1000000000);
		len++;
	}
	CHECK_EQ(len, 10);
	pcap_close(p);
}

static void test_reader(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct pcapng_reader *r = pcapng_reader_open(f, path);
	struct pcapng_packet pkt;

	CHECK(r != NULL);
	if (!r)
		return;
	for (size_t i = 0; i < N_SAMPLES; i++) {
		const struct sample *s = &samples[i];

		CHECK_EQ(pcapng_reader_next(r, &pkt), 1);
		CHECK_EQ(pkt.interface_id, s->iface);
		CHECK_EQ(pkt.linktype, s->iface ? LINKTYPE_ETHERNET : LINKTYPE_WIRESHARK_UPPER_PDU);
		CHECK_EQ(pkt.ts_ns, s->ts);
		CHECK_EQ(pkt.caplen, s->caplen);
		CHECK_EQ(pkt.origlen, s->origlen);
		CHECK(memcmp(pkt.data, s->data, s->caplen) == 0);
	}
	CHECK_EQ(pcapng_reader_next(r, &pkt), 0);
	pcapng_reader_close(r);
	fclose(f);
}

/* The writer reports a reader that went away as EPIPE: the capture's end. */
static void test_epipe(void)
{
	int fds[2];
	struct pcapng_writer *w;

	signal(SIGPIPE, SIG_IGN);

	/* Gone before the section header. */
	CHECK_EQ(pipe(fds), 0);
	close(fds[0]);
	errno = 0;
	CHECK(pcapng_writer_open(fds[1], "unit test") == NULL);
	CHECK_EQ(errno, EPIPE);
	close(fds[1]);

	/* Gone before an interface. */
	CHECK_EQ(pipe(fds), 0);
	w = pcapng_writer_open(fds[1], "unit test"); /* fits in the pipe buffer */
	CHECK(w != NULL);
	close(fds[0]);
	errno = 0;
	CHECK_EQ(pcapng_add_interface(w, LINKTYPE_ETHERNET, 0, "x", NULL), -1);
	CHECK_EQ(errno, EPIPE);
	pcapng_writer_close(w);

	/* Gone between packets: the usual end of a live capture. */
	CHECK_EQ(pipe(fds), 0);
	w = pcapng_writer_open(fds[1], "unit test");
	CHECK(w != NULL);
	CHECK_EQ(pcapng_add_interface(w, LINKTYPE_WIRESHARK_UPPER_PDU, 0, "x", NULL), 0);
	CHECK_EQ(pcapng_write_packet(w, 0, T0, "abc", 3, 3, NULL), 0);
	close(fds[0]);
	errno = 0;
	CHECK_EQ(pcapng_write_packet(w, 0, T0, "abc", 3, 3, "c"), -1);
	CHECK_EQ(errno, EPIPE);
	pcapng_writer_close(w);
}

/* Batched: nothing reaches the file before pcapng_flush(), everything after it. */
static void test_batching(void)
{
	char path[] = "/tmp/unit_batch.XXXXXX";
	int fd = unit_temp_fd(path);
	struct pcapng_writer *w = pcapng_writer_open(fd, "unit test");
	struct stat st;
	off_t before;

	CHECK(w != NULL);
	CHECK_EQ(pcapng_add_interface(w, LINKTYPE_ETHERNET, 0, "eth0", NULL), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	before = st.st_size;
	pcapng_writer_batch(w, true);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(pcapng_write_packet(w, 0, 1000 + (uint64_t)i, "abcd", 4, 4, NULL), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, before);
	CHECK_EQ(pcapng_flush(w), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, before + 3 * 36);
	CHECK_EQ(pcapng_flush(w), 0); /* nothing waiting: nothing written */
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, before + 3 * 36);
	pcapng_writer_close(w);
	unlink(path);
}

/*
 * A file that cannot grow (RLIMIT_FSIZE stands in for a full disk: the
 * write stops part-way, then fails) keeps whole blocks only, batched or not:
 * it reads back to its last complete packet.
 */
static void test_full_file(const char *path, bool batched)
{
	static uint8_t data[1000];
	struct rlimit old, lim;
	int fd = open_file(path), rc = 0, written = 0, got = 0;
	struct pcapng_writer *w = fd >= 0 ? pcapng_writer_open(fd, "unit") : NULL;
	struct pcapng_reader *r;
	struct pcapng_packet pkt;
	FILE *f;

	CHECK(w != NULL);
	if (!w)
		return;
	pcapng_writer_batch(w, batched);
	CHECK_EQ(pcapng_add_interface(w, LINKTYPE_WIRESHARK_UPPER_PDU, 0, "ebpfevents", NULL), 0);
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 10000 + 333; /* mid-block */
	setrlimit(RLIMIT_FSIZE, &lim);
	for (int i = 0; i < 100 && rc == 0; i++) {
		rc = pcapng_write_packet(w, 0, T0 + (uint64_t)i, data, sizeof(data) - (size_t)i, sizeof(data), NULL);
		if (rc == 0 && batched && i % 3 == 2)
			rc = pcapng_flush(w);
		written += rc == 0;
	}
	if (rc == 0)
		rc = pcapng_flush(w);
	CHECK_EQ(rc, -1);
	CHECK_EQ(errno, EFBIG);
	pcapng_writer_close(w);
	setrlimit(RLIMIT_FSIZE, &old);
	CHECK(file_size(path) <= 10000 + 333);
	f = fopen(path, "rb");
	r = f ? pcapng_reader_open(f, path) : NULL;
	CHECK(r != NULL);
	while (r && (rc = pcapng_reader_next(r, &pkt)) > 0)
		got++;
	CHECK_EQ(rc, 0); /* the end of the file, not a broken block */
	CHECK(got > 5);
	CHECK(got <= written);
	pcapng_reader_close(r);
	if (f)
		fclose(f);
}

int main(int argc, char **argv)
{
	char path[] = "/tmp/unit_pcapng.XXXXXX";

	if (argc == 3 && strcmp(argv[1], "--write") == 0) {
		write_sample(argv[2], 1);
		return unit_report("unit_pcapng --write");
	}
	if (argc != 1) {
		fprintf(stderr, "usage: %s [--write FILE]\n", argv[0]);
		return 2;
	}
	unit_temp_file(path);
	write_sample(path, 1);
	test_bytes(path);
	test_reader(path);
	write_sample(path, 0);
	test_libpcap(path);
	test_libpcap_ethernet(path);
	test_padding(path);
	test_padding_libpcap(path);
	test_epipe();
	test_full_file(path, false);
	test_full_file(path, true);
	unlink(path);
	test_batching();
	return unit_report("unit_pcapng");
}
