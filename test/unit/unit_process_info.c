/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Wireshark 5.0's process information, as pcapio writes and reads it: the
 * epb_processid_threadid packet option (code 8) and the "process
 * information" Wireshark custom block (type 0x00000BAD, PEN 32622, entry
 * type 3).
 *
 * There is no Wireshark 5.0 (4.7.x) build on these machines. The bytes are
 * checked against Wireshark's own test data instead: the custom data of the
 * four custom blocks of test/captures/process_info_wireshark_cb.pcapng, as
 * Wireshark's test suite states them in hex (test/suite_fileformats.py,
 * class TestFileFormatsPcapngProcessInformation, on Wireshark's master
 * branch; the capture is made by test/captures/_gen_process_info_blocks.py).
 * The capture file itself is not here: it cannot be fetched at test time
 * (no network but Debian's archive) and Wireshark's files are not copied
 * into this repository; the hex strings are the bytes its test checks.
 * Our writer must produce PIB_1 and PIB_2_REWRITTEN (what Wireshark writes)
 * byte for byte, and PIB_0 too; our reader must read all four as
 * Wireshark's reader does (wiretap/pcapng-wireshark-custom.c).
 *
 * With --owners FILE it prints, for each packet of a capture, its comment
 * and its process (option 8, and the process block that describes it):
 * t_process_info checks the live capture with it. The start time a live
 * capture writes comes from /proc (test_start_time).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include "pcapio/pcapng.h"
#include "pcapio/pcapng_reader.h"
#include "utils/clock.h"
#include "utils/enrich/process.h"
#include "unit.h"

/* From Wireshark's test/suite_fileformats.py (master, 2026): custom data after the PEN. */
static const char PIB_0[] =
	"0300000094000000d2040000020004006375726c03000d002f7573722f62696e2f6375726c000000"
	"040019006375726c0068747470733a2f2f6578616d706c652e636f6d2f000000050004000100000006000400"
	"e803000007000500616c696365000000080010006b8b4567327b23c6643c986966334873090008000000faed"
	"5172861801000d0066697273742070726f6365737300000000000000";
static const char PIB_1[] = "0300000004000000e1100000";
static const char UNKNOWN_ENTRY[] = "630000000500000068656c6c6f000000";
/* In the big-endian section: the comment is an option of the custom block itself. */
static const char PIB_2[] =
	"03000000180000004d00000002000400737368640600040000000000000000000001000b73656374696f6e2074776f0000000000";
/* PIB 2 as Wireshark writes it back: the comment moves into the entry. */
static const char PIB_2_REWRITTEN[] =
	"03000000280000004d0000000200040073736864060004000000000001000b0073656374696f6e2074776f0000000000";

static const uint8_t UUID[16] = { 0x6b, 0x8b, 0x45, 0x67, 0x32, 0x7b, 0x23, 0xc6,
				  0x64, 0x3c, 0x98, 0x69, 0x66, 0x33, 0x48, 0x73 };

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;

	for (size_t i = 0; i < n && i < cap; i++)
		sscanf(hex + 2 * i, "%2hhx", &out[i]);
	return n < cap ? n : cap;
}

static uint32_t u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

/* Whole file into buf; its length. */
static size_t slurp(const char *path, uint8_t *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, cap);

	if (fd >= 0)
		close(fd);
	return n < 0 ? 0 : (size_t)n;
}

/* Wireshark's PIB 0: process 1234 with every option and a comment. */
static struct pcapng_process_info curl(void)
{
	static const char cmdline[] = "curl\0https://example.com/";
	struct pcapng_process_info p = { .pid = 1234, .has_ppid = true, .ppid = 1, .has_uid = true, .uid = 1000,
					 .has_uuid = true, .start_ns = 1767225600000000000ull };

	strcpy(p.name, "curl");
	strcpy(p.path, "/usr/bin/curl");
	memcpy(p.cmdline, cmdline, sizeof(cmdline) - 1);
	p.cmdline_len = sizeof(cmdline) - 1;
	strcpy(p.user, "alice");
	memcpy(p.uuid, UUID, 16);
	strcpy(p.comment, "first process");
	return p;
}

static struct pcapng_process_info sshd(void)
{
	struct pcapng_process_info p = { .pid = 77, .has_uid = true, .uid = 0 };

	strcpy(p.name, "sshd");
	strcpy(p.comment, "section two");
	return p;
}

/* Our custom block for p: block type, lengths, PEN, then exactly Wireshark's custom data. */
static void expect_block(const char *path, const struct pcapng_process_info *p, const char *hex, const char *what)
{
	uint8_t file[4096], want[512];
	size_t want_len = unhex(hex, want, sizeof(want));
	struct pcapng_writer *w = pcapng_writer_open(open(path, O_WRONLY | O_TRUNC), "unit test");
	size_t n, shb;

	CHECK(w != NULL);
	if (!w)
		return;
	CHECK_EQ(pcapng_write_process(w, p), 0);
	pcapng_writer_close(w);
	n = slurp(path, file, sizeof(file));
	shb = u32(file + 4);
	CHECK_EQ(n, shb + 16 + want_len);
	CHECK_EQ(u32(file + shb), 0x00000BAD);
	CHECK_EQ(u32(file + shb + 4), 16 + want_len);
	CHECK_EQ(u32(file + n - 4), 16 + want_len);
	CHECK_EQ(u32(file + shb + 8), 32622);
	if (n == shb + 16 + want_len && memcmp(file + shb + 12, want, want_len) != 0) {
		unit_failures++;
		printf("FAIL: %s: custom data differs from Wireshark's\n", what);
	}
	printf("ok: %s written byte for byte as Wireshark's test data\n", what);
}

static void test_writer(const char *path)
{
	struct pcapng_process_info p = curl(), none = { .pid = 4321 }, s = sshd();

	expect_block(path, &p, PIB_0, "PIB 0 (every option, comment in the entry)");
	expect_block(path, &none, PIB_1, "PIB 1 (no options)");
	expect_block(path, &s, PIB_2_REWRITTEN, "PIB 2 as Wireshark writes it");
}

static void test_parser(void)
{
	uint8_t b[512];
	size_t n;
	struct pcapng_process_info p, want = curl();
	const char *why = NULL;

	n = unhex(PIB_0, b, sizeof(b));
	CHECK_EQ(pcapng_parse_process(b, n, false, &p, &why), 1);
	CHECK(memcmp(&p, &want, sizeof(p)) == 0);
	CHECK_STR(p.path, "/usr/bin/curl");
	CHECK_STR(p.comment, "first process");
	CHECK_EQ(p.start_ns, 1767225600000000000ull);

	n = unhex(PIB_1, b, sizeof(b));
	CHECK_EQ(pcapng_parse_process(b, n, false, &p, &why), 1);
	CHECK_EQ(p.pid, 4321);
	CHECK(!p.has_uid && !p.name[0]);

	n = unhex(PIB_2, b, sizeof(b));
	CHECK_EQ(pcapng_parse_process(b, n, true, &p, &why), 1);
	CHECK_EQ(p.pid, 77);
	CHECK_STR(p.name, "sshd");
	CHECK(p.has_uid && p.uid == 0 && !p.has_ppid);
	CHECK_STR(p.comment, "section two");

	n = unhex(UNKNOWN_ENTRY, b, sizeof(b));
	CHECK_EQ(pcapng_parse_process(b, n, false, &p, &why), 0);

	/* What Wireshark calls a bad file: entry longer than the block, a uid of 3 bytes. */
	n = unhex(PIB_0, b, sizeof(b));
	CHECK_EQ(pcapng_parse_process(b, n - 40, false, &p, &why), -1);
	n = unhex(PIB_2, b, sizeof(b));
	b[22] = 3; /* the uid option's length */
	CHECK_EQ(pcapng_parse_process(b, n, true, &p, &why), -1);
	CHECK_STR(why, "process information option ppid/uid is not 4 bytes");
	printf("ok: Wireshark's four custom blocks read as Wireshark reads them\n");
}

/* A packet names its process in option 8 (section order: pid, tid); the reader finds its block. */
static void test_packet(const char *path)
{
	struct pcapng_writer *w = pcapng_writer_open(open(path, O_WRONLY | O_TRUNC), "unit test");
	struct pcapng_packet_options opts = { .comment = "src curl(1234) uid=1000", .has_process = true,
					      .pid = 1234, .tid = 5678 };
	struct pcapng_process_info p = curl();
	struct pcapng_packet pkt;
	struct pcapng_reader *r;
	uint8_t file[4096];
	size_t n, epb;
	FILE *f;

	CHECK(w != NULL);
	if (!w)
		return;
	CHECK_EQ(pcapng_add_interface(w, LINKTYPE_ETHERNET, 0, "eth0", NULL), 0);
	CHECK_EQ(pcapng_write_process(w, &p), 0);
	CHECK_EQ(pcapng_write_packet_opts(w, 0, 1000, "abc", 3, 3, &opts), 0);
	opts.comment = NULL;
	CHECK_EQ(pcapng_write_packet_opts(w, 0, 2000, "abcd", 4, 4, &opts), 0);
	CHECK_EQ(pcapng_write_packet_opts(w, 0, 3000, "abcd", 4, 4, NULL), 0);
	pcapng_writer_close(w);

	/* The second packet (the last, 36 bytes, has no options): option 8, end of options. */
	n = slurp(path, file, sizeof(file));
	epb = n - 36 - 52;
	CHECK_EQ(u32(file + epb), 6);
	CHECK_EQ(u32(file + epb + 4), 52);
	CHECK_EQ(u32(file + epb + 32), 8 | 8 << 16);
	CHECK_EQ(u32(file + epb + 36), 1234);
	CHECK_EQ(u32(file + epb + 40), 5678);
	CHECK_EQ(u32(file + epb + 44), 0);

	f = fopen(path, "rb");
	r = pcapng_reader_open(f, path);
	CHECK(r != NULL);
	if (!r)
		return;
	CHECK_EQ(pcapng_reader_next(r, &pkt), 1);
	CHECK(pkt.has_process && pkt.pid == 1234 && pkt.tid == 5678);
	CHECK(pkt.comment_len == strlen("src curl(1234) uid=1000") &&
	      memcmp(pkt.comment, "src curl(1234) uid=1000", pkt.comment_len) == 0);
	CHECK(pcapng_reader_process(r, 1234) != NULL && strcmp(pcapng_reader_process(r, 1234)->name, "curl") == 0);
	CHECK(pcapng_reader_process(r, 4321) == NULL);
	CHECK_EQ(pcapng_reader_next(r, &pkt), 1);
	CHECK(pkt.has_process && pkt.pid == 1234 && !pkt.comment);
	CHECK_EQ(pcapng_reader_next(r, &pkt), 1);
	CHECK(!pkt.has_process && !pkt.comment);
	CHECK_EQ(pcapng_reader_next(r, &pkt), 0);
	pcapng_reader_close(r);
	fclose(f);
	printf("ok: epb_processid_threadid written and read, with and without a comment\n");
}

/*
 * pib_starttime (9) of a live capture's process comes from /proc
 * (process_start_ns): a child forked between two readings of the clock
 * started between them, to /proc's clock tick (it counts ticks since boot).
 * Not its name, or gone: no start time rather than a wrong one.
 */
static void test_start_time(void)
{
	char comm[32] = "";
	FILE *f = fopen("/proc/self/comm", "r");
	uint64_t tick = 1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK), before, after, start;
	pid_t child;

	CHECK(f && fgets(comm, sizeof(comm), f));
	if (f)
		fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	before = clock_ns(CLOCK_REALTIME);
	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	after = clock_ns(CLOCK_REALTIME);
	CHECK(child > 0);
	if (child <= 0)
		return;
	start = process_start_ns((uint32_t)child, comm);
	/* Truncated to a tick, and the clocks read again for the conversion: a tick each way, and one more. */
	CHECK(start + 2 * tick >= before && start <= after + tick);
	CHECK_EQ(process_start_ns((uint32_t)child, "not_its_name"), 0);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	CHECK_EQ(process_start_ns((uint32_t)child, comm), 0);
	printf("ok: a process's start time from /proc, %.1f ms before the fork returned\n",
	       start <= after ? (double)(after - start) / 1e6 : 0.0);
}

/* "comment<TAB>pid tid<TAB>name uid=N path start=NS<TAB>process comment" per packet; "-" for none. */
static int print_owners(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct pcapng_reader *r = f ? pcapng_reader_open(f, path) : NULL;
	struct pcapng_packet pkt;
	int rc;

	if (!r) {
		fprintf(stderr, "cannot read %s\n", path);
		return 2;
	}
	while ((rc = pcapng_reader_next(r, &pkt)) == 1) {
		const struct pcapng_process_info *p = pkt.has_process ? pcapng_reader_process(r, pkt.pid) : NULL;

		printf("%.*s\t", pkt.comment ? (int)pkt.comment_len : 1, pkt.comment ? pkt.comment : "-");
		if (pkt.has_process)
			printf("%u %u\t", pkt.pid, pkt.tid);
		else
			printf("-\t");
		if (p)
			printf("%s uid=%u %s start=%llu\t%s\n", p->name, p->uid, p->path[0] ? p->path : "-",
			       (unsigned long long)p->start_ns, p->comment[0] ? p->comment : "-");
		else
			printf("-\t-\n");
	}
	printf("process information blocks: %zu\n", pcapng_reader_processes(r));
	pcapng_reader_close(r);
	fclose(f);
	return rc < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	char path[] = "/tmp/unit_process_info.XXXXXX";

	if (argc == 3 && strcmp(argv[1], "--owners") == 0)
		return print_owners(argv[2]);
	if (argc != 1) {
		fprintf(stderr, "usage: %s [--owners FILE]\n", argv[0]);
		return 2;
	}
	unit_temp_file(path);
	test_writer(path);
	test_parser();
	test_packet(path);
	test_start_time();
	unlink(path);
	return unit_report("unit_process_info");
}
