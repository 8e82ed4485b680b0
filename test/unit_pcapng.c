/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pcapio: the writer's blocks byte by byte, read back by libpcap and by our
 * reader (which, unlike libpcap, takes interfaces of different link types).
 * With --write FILE it only writes the sample file (for t_pcapio_tshark).
 */
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include "pcapio/pcapng.h"
#include "pcapio/pcapng_reader.h"
#include "unit.h"

#define T0 1700000000123456789ull

static uint32_t u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint16_t u16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

/* One upper-PDU interface, three packets: odd lengths exercise padding. */
static void write_sample(const char *path, int two_interfaces)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	struct pcapng_writer *w = pcapng_writer_open(fd, "unit test");
	int a = pcapng_add_interface(w, LINKTYPE_WIRESHARK_UPPER_PDU, 0, "ebpfevents", "eBPF Events");

	CHECK_EQ(a, 0);
	CHECK_EQ(pcapng_write_packet(w, 0, T0, "abc", 3, 3, NULL), 0);
	CHECK_EQ(pcapng_write_packet(w, 0, T0 + 1000, "hello", 5, 10, "a comment"), 0);
	if (two_interfaces) {
		CHECK_EQ(pcapng_add_interface(w, LINKTYPE_ETHERNET, 262144, "eth0", NULL), 1);
		CHECK_EQ(pcapng_write_packet(w, 1, T0 + 2000, "0123456789abcd", 14, 14, NULL), 0);
	}
	CHECK_EQ(pcapng_write_packet(w, 7, T0, "x", 1, 1, NULL), -1); /* no such interface */
	pcapng_writer_close(w);
}

static size_t slurp(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n = fread(buf, 1, cap, f);

	fclose(f);
	return n;
}

static void test_bytes(const char *path)
{
	static uint8_t b[4096];
	size_t n = slurp(path, b, sizeof(b)), off;
	uint32_t shb_len = u32(b + 4), idb_len, epb_len;

	CHECK_EQ(u32(b), 0x0A0D0D0A);
	CHECK_EQ(u32(b + 8), 0x1A2B3C4D);
	CHECK_EQ(u16(b + 12), 1);
	CHECK_EQ(u16(b + 14), 0);
	CHECK(memcmp(b + 16, "\xff\xff\xff\xff\xff\xff\xff\xff", 8) == 0); /* section length -1 */
	CHECK_EQ(u32(b + shb_len - 4), shb_len);
	CHECK_EQ(shb_len % 4, 0);

	off = shb_len; /* IDB */
	idb_len = u32(b + off + 4);
	CHECK_EQ(u32(b + off), 1);
	CHECK_EQ(u16(b + off + 8), LINKTYPE_WIRESHARK_UPPER_PDU);
	CHECK_EQ(u32(b + off + idb_len - 4), idb_len);
	/* if_tsresol = 9 somewhere in its options: code 9, length 1, value 9. */
	int found = 0;

	for (size_t o = off + 16; o + 8 <= off + idb_len - 4; o += 4 + ((u16(b + o + 2) + 3u) & ~3u)) {
		if (u16(b + o) == 9 && u16(b + o + 2) == 1 && b[o + 4] == 9)
			found = 1;
		if (u16(b + o) == 0)
			break;
	}
	CHECK(found);

	off += idb_len; /* first EPB: "abc", padded to 4 */
	epb_len = u32(b + off + 4);
	CHECK_EQ(u32(b + off), 6);
	CHECK_EQ(epb_len, 32 + 4);
	CHECK_EQ(u32(b + off + 8), 0);
	CHECK_EQ(u32(b + off + 12), (uint32_t)(T0 >> 32));
	CHECK_EQ(u32(b + off + 16), (uint32_t)T0);
	CHECK_EQ(u32(b + off + 20), 3);
	CHECK_EQ(u32(b + off + 24), 3);
	CHECK(memcmp(b + off + 28, "abc\0", 4) == 0);
	CHECK_EQ(u32(b + off + epb_len - 4), epb_len);

	off += epb_len; /* second EPB: comment option after 5 bytes padded to 8 */
	CHECK_EQ(u32(b + off + 20), 5);
	CHECK_EQ(u32(b + off + 24), 10);
	CHECK(memcmp(b + off + 28, "hello\0\0\0", 8) == 0);
	CHECK_EQ(u16(b + off + 36), 1); /* opt_comment */
	CHECK_EQ(u16(b + off + 38), 9);
	CHECK(memcmp(b + off + 40, "a comment", 9) == 0);
	CHECK(off + u32(b + off + 4) <= n);
}

static void test_libpcap(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
	struct pcap_pkthdr *h;
	const u_char *data;

	CHECK(p != NULL);
	if (!p)
		return;
	CHECK_EQ(pcap_datalink(p), LINKTYPE_WIRESHARK_UPPER_PDU);
	CHECK_EQ(pcap_next_ex(p, &h, &data), 1);
	CHECK_EQ(h->ts.tv_sec, T0 / 1000000000);
	CHECK_EQ(h->ts.tv_usec, T0 % 1000000000); /* nanoseconds with PRECISION_NANO */
	CHECK_EQ(h->caplen, 3);
	CHECK(memcmp(data, "abc", 3) == 0);
	CHECK_EQ(pcap_next_ex(p, &h, &data), 1);
	CHECK_EQ(h->caplen, 5);
	CHECK_EQ(h->len, 10);
	CHECK_EQ(pcap_next_ex(p, &h, &data), PCAP_ERROR_BREAK);
	pcap_close(p);
}

static void test_reader(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct pcapng_reader *r = pcapng_reader_open(f, path);
	struct pcapng_packet pkt;

	CHECK(r != NULL);
	CHECK_EQ(pcapng_reader_next(r, &pkt), 1);
	CHECK_EQ(pkt.linktype, LINKTYPE_WIRESHARK_UPPER_PDU);
	CHECK_EQ(pkt.ts_ns, T0);
	CHECK_EQ(pcapng_reader_next(r, &pkt), 1);
	CHECK_EQ(pkt.ts_ns, T0 + 1000);
	CHECK_EQ(pcapng_reader_next(r, &pkt), 1);
	CHECK_EQ(pkt.interface_id, 1);
	CHECK_EQ(pkt.linktype, LINKTYPE_ETHERNET);
	CHECK_EQ(pkt.caplen, 14);
	CHECK(memcmp(pkt.data, "0123456789abcd", 14) == 0);
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
	CHECK_EQ(pipe(fds), 0);
	w = pcapng_writer_open(fds[1], "unit test"); /* fits in the pipe buffer */
	CHECK(w != NULL);
	close(fds[0]);
	CHECK_EQ(pcapng_add_interface(w, LINKTYPE_ETHERNET, 0, "x", NULL), -1);
	CHECK_EQ(errno, EPIPE);
	pcapng_writer_close(w);
}

int main(int argc, char **argv)
{
	char path[] = "/tmp/unit_pcapng.XXXXXX";
	int fd;

	if (argc == 3 && strcmp(argv[1], "--write") == 0) {
		write_sample(argv[2], 1);
		return unit_report("unit_pcapng --write");
	}
	fd = mkstemp(path);
	close(fd);
	write_sample(path, 0);
	test_bytes(path);
	test_libpcap(path);
	write_sample(path, 1);
	test_reader(path);
	test_epipe();
	unlink(path);
	return unit_report("unit_pcapng");
}
