/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A stand-in exporter for the collector's tests: it publishes synthetic
 * records through the same zmq_exporter API `ebpfcap --export` uses, or
 * hostile messages, and reads captures back per host.
 *
 *   zmq_peer send ENDPOINT HOST COUNT [options]
 *        COUNT records from HOST (pid = 1..COUNT; types cycle through
 *        TCP_Connect, TCP_Accept, TCP_Close, UDP_Send), then
 *        prints "sent=N drops=D"
 *   zmq_peer garbage ENDPOINT HOST [options]
 *        one message of each malformed kind, then one valid record;
 *        prints "garbage=N" (the number of malformed messages)
 *   zmq_peer oversize ENDPOINT [options]
 *        one frame longer than any valid message
 *   zmq_peer replay ENDPOINT FILE [options]
 *        each record of a capture as a message of its own, unchecked
 *        (as a peer with other rules would send it); prints "replayed=N"
 *   zmq_peer dump FILE
 *        one line per record of a capture:
 *        "host=H machine=M type=T pid=P uid=U drops=D"
 *
 * options: --rate N (records per second, default 0: as fast as possible),
 *   --connect, --secret-key FILE, --server-key KEY, --allowed-keys FILE,
 *   --hwm N, --uid U (in every record: tells runs apart), --wait-ms MS
 *   (wait that long for a subscriber before sending, default 5000; sends
 *   anyway after), --delay-ms MS (then wait that long before sending),
 *   --hold-ms MS (keep flushing that long before closing, default 200),
 *   --machine-id ID, --log (the exporter's log lines on stderr, as
 *   `ebpfcap --export` writes them; the exit status is 1 when connecting
 *   never got through, as ebpfcap's).
 * Every loop is bounded by COUNT or by a time limit.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "pcapio/exported_pdu.h"
#include "pcapio/pcapng.h"
#include "pcapio/pcapng_reader.h"
#include "utils/record/record.h"
#include "utils/byteorder.h"
#include "utils/transport/exporter.h"
#include "utils/transport/zmq_msg.h"

struct peer {
	struct zmq_export_options ex;
	unsigned rate;
	unsigned uid;
	int wait_ms;
	int hold_ms;
	int delay_ms;
	bool log;
	char machine_id[40];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static size_t make_record(const struct peer *p, uint64_t i, uint8_t *buf, size_t cap)
{
	static const uint16_t types[] = { EBPF_TCP_CONNECT, EBPF_TCP_ACCEPT, EBPF_TCP_CLOSE, EBPF_UDP_SEND };
	struct ebpf_record rec;
	struct timespec ts;

	memset(&rec, 0, sizeof(rec));
	clock_gettime(CLOCK_REALTIME, &ts);
	rec.ev.timestamp_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	rec.ev.type = types[i % 4];
	rec.ev.pid = (uint32_t)(i + 1);
	rec.ev.tid = rec.ev.pid;
	rec.ev.ppid = 1;
	rec.ev.uid = p->uid;
	rec.ev.family = 2;
	rec.ev.proto = rec.ev.type == EBPF_UDP_SEND ? 17 : 6;
	rec.ev.sport = (uint16_t)(40000 + i % 20000);
	rec.ev.dport = 5556;
	memcpy(rec.ev.saddr, "\x7f\x00\x00\x01", 4);
	memcpy(rec.ev.daddr, "\x7f\x00\x00\x01", 4);
	snprintf(rec.ev.comm, sizeof(rec.ev.comm), "zmq_peer");
	snprintf(rec.ev.parent_comm, sizeof(rec.ev.parent_comm), "init");
	snprintf(rec.exe, sizeof(rec.exe), "/usr/bin/zmq_peer");
	ebpf_copy_string(rec.host, sizeof(rec.host), p->ex.host);
	ebpf_copy_string(rec.machine_id, sizeof(rec.machine_id), p->machine_id);
	return ebpf_record_encode(&rec, buf, cap);
}

/* Paced by an absolute clock, so --rate holds whatever each send costs. */
static void pace(uint64_t start, uint64_t i, unsigned rate)
{
	uint64_t due = start + i * 1000000000ull / rate;
	uint64_t now = now_ns();

	if (due > now)
		usleep((useconds_t)((due - now) / 1000));
}

/* Keeps flushing (and so reporting drops) for a while, bounded. */
static void hold(struct zmq_exporter *ex, int ms)
{
	for (int i = 0; i < ms / 10; i++) {
		zmq_exporter_flush(ex);
		usleep(10000);
	}
}

static int do_send(struct peer *p, uint64_t count)
{
	struct zmq_exporter *ex = zmq_exporter_open(&p->ex);
	uint8_t buf[EBPF_RECORD_MAX_WIRE];
	uint64_t start, last_flush = 0;

	if (!ex)
		return 1;
	if (zmq_exporter_wait_subscriber(ex, p->wait_ms) < 0)
		fprintf(stderr, "zmq_peer: no subscriber after %d ms, sending anyway\n", p->wait_ms);
	hold(ex, p->delay_ms);
	start = now_ns();
	for (uint64_t i = 0; i < count; i++) {
		if (p->rate)
			pace(start, i, p->rate);
		zmq_exporter_send(ex, buf, make_record(p, i, buf, sizeof(buf)));
		/* As the capture loop does once per poll round. */
		if (now_ns() - last_flush > 10000000ull) {
			zmq_exporter_flush(ex);
			last_flush = now_ns();
		}
	}
	zmq_exporter_flush(ex);
	hold(ex, p->hold_ms);
	printf("sent=%llu drops=%llu\n", (unsigned long long)zmq_exporter_sent(ex),
	       (unsigned long long)zmq_exporter_drops(ex));
	fflush(stdout);
	return zmq_exporter_close(ex) < 0 ? 1 : 0;
}

/* Sends one frame without waiting forever: a test must end by itself. */
static int send_frame(void *sock, const void *buf, size_t len, int flags)
{
	for (int i = 0; i < 500; i++) {
		if (zmq_send(sock, buf, len, flags | ZMQ_DONTWAIT) >= 0)
			return 0;
		if (errno != EAGAIN)
			break;
		usleep(10000);
	}
	fprintf(stderr, "zmq_peer: send failed: %s\n", zmq_strerror(errno));
	return -1;
}

/* Each kind of lie a hostile or broken peer might tell. */
static int do_garbage(struct peer *p)
{
	static struct ebpf_msg_builder b;
	uint8_t rec[EBPF_RECORD_MAX_WIRE], w[4096];
	size_t rlen = make_record(p, 0, rec, sizeof(rec));
	size_t len, r0 = EBPF_MSG_HEADER_LEN;
	size_t last_tlv = r0 + rlen - (strlen(p->machine_id) + 1) - EBPF_TLV_HEADER_LEN; /* machine_id */
	struct zmq_exporter *ex = zmq_exporter_open(&p->ex);
	void *sock;
	int n = 0, rc = 0;

	if (!ex)
		return 1;
	sock = zmq_exporter_socket(ex);
	if (zmq_exporter_wait_subscriber(ex, p->wait_ms) < 0)
		fprintf(stderr, "zmq_peer: no subscriber after %d ms, sending anyway\n", p->wait_ms);
	ebpf_msg_begin(&b, 42, 0);
	ebpf_msg_append(&b, rec, rlen);
	ebpf_msg_append(&b, rec, rlen);
	len = b.len;

#define GARBAGE(mutate, length) do { \
		memcpy(w, b.buf, len); \
		mutate; \
		rc |= send_frame(sock, w, length, 0); \
		n++; \
	} while (0)
	GARBAGE((void)0, 0);                                   /* empty */
	GARBAGE((void)0, EBPF_MSG_HEADER_LEN - 1);             /* short header */
	GARBAGE(for (size_t i = 0; i < 300; i++) w[i] = (uint8_t)(i * 7 + 1), 300); /* random */
	GARBAGE(w[3] = 'X', len);                              /* magic */
	GARBAGE(w[4] = 2, len);                                /* version 2 */
	GARBAGE(w[4] = 0, len);                                /* version 0 */
	GARBAGE(w[5] = 1, len);                                /* flags */
	GARBAGE(put_le16(w + 6, 0), len);                      /* count 0 */
	GARBAGE(put_le16(w + 6, 3), len);                      /* count says 3, has 2 */
	GARBAGE(put_le16(w + 6, 1), len);                      /* count says 1, has 2 */
	GARBAGE(put_le16(w + 6, 65535), len);                  /* count beyond any message */
	GARBAGE(put_le32(w + r0 + 4, 0xfffffff0u), len);       /* record length: huge */
	GARBAGE(put_le32(w + r0 + 4, (uint32_t)(len + 1)), len); /* record length: one past */
	GARBAGE(put_le32(w + r0 + 4, 8), len);                 /* record length: below fixed part */
	GARBAGE(put_le16(w + r0 + 2, 0xffff), len);            /* fixed_len huge */
	GARBAGE(w[r0] = 9, len);                               /* record major 9 */
	GARBAGE((void)0, len - 7);                             /* cut inside record 2 */
	GARBAGE(put_le16(w + last_tlv + 2, 0x7fff), len);      /* machine_id TLV length lies */
	GARBAGE(w[r0 + rlen - 1] = 'x', len);                  /* string without its NUL */
	/* two frames: one malformed message, whatever the frames hold */
	rc |= send_frame(sock, b.buf, len, ZMQ_SNDMORE);
	rc |= send_frame(sock, b.buf, len, 0);
	n++;
#undef GARBAGE
	/* The collector is alive and in step if this one arrives. */
	rc |= zmq_exporter_send(ex, rec, rlen);
	zmq_exporter_flush(ex);
	hold(ex, p->hold_ms);
	printf("garbage=%d\n", n);
	fflush(stdout);
	zmq_exporter_close(ex);
	return rc ? 1 : 0;
}

/* Longer than the collector's ZMQ_MAXMSGSIZE: libzmq drops the connection unread. */
static int do_oversize(struct peer *p)
{
	size_t len = ZMQ_COLLECTOR_MAX_IN + 1;
	uint8_t *big = calloc(1, len);
	struct zmq_exporter *ex = zmq_exporter_open(&p->ex);
	int rc = 1;

	if (ex && big) {
		zmq_exporter_wait_subscriber(ex, p->wait_ms);
		memcpy(big, EBPF_MSG_MAGIC, 4);
		rc = send_frame(zmq_exporter_socket(ex), big, len, 0) < 0;
		hold(ex, p->hold_ms);
	}
	zmq_exporter_close(ex);
	free(big);
	return rc;
}

/* Each ebpfflow record of a capture, sent as it is: the collector's verdict is under test. */
static int do_replay(struct peer *p, const char *path)
{
	static struct ebpf_msg_builder b;
	FILE *f = fopen(path, "rb");
	struct pcapng_reader *r = f ? pcapng_reader_open(f, path) : NULL;
	struct zmq_exporter *ex = r ? zmq_exporter_open(&p->ex) : NULL;
	struct pcapng_packet pkt;
	uint64_t seq = 0;
	int n = 0, rc = 0;

	if (!ex) {
		fprintf(stderr, "zmq_peer: cannot replay '%s'\n", path);
		rc = 1;
		goto out;
	}
	if (zmq_exporter_wait_subscriber(ex, p->wait_ms) < 0)
		fprintf(stderr, "zmq_peer: no subscriber after %d ms, sending anyway\n", p->wait_ms);
	while (rc == 0 && pcapng_reader_next(r, &pkt) > 0) {
		long off = exported_pdu_payload_offset(pkt.data, pkt.caplen);

		if (pkt.linktype != LINKTYPE_WIRESHARK_UPPER_PDU || off < 0)
			continue;
		ebpf_msg_begin(&b, 43, seq++);
		if (ebpf_msg_append(&b, pkt.data + off, pkt.caplen - (size_t)off) < 0)
			continue;
		rc = send_frame(zmq_exporter_socket(ex), b.buf, b.len, 0) < 0;
		n++;
	}
	hold(ex, p->hold_ms);
	printf("replayed=%d\n", n);
	fflush(stdout);
out:
	zmq_exporter_close(ex);
	pcapng_reader_close(r);
	if (f)
		fclose(f);
	return rc;
}

static int do_dump(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct pcapng_reader *r;
	struct pcapng_packet pkt;
	int rc, bad = 0;

	if (!f) {
		fprintf(stderr, "zmq_peer: cannot read '%s': %s\n", path, strerror(errno));
		return 1;
	}
	r = pcapng_reader_open(f, path);
	if (!r) {
		fclose(f);
		return 1;
	}
	while ((rc = pcapng_reader_next(r, &pkt)) > 0) {
		struct ebpf_record rec;
		const char *why;
		long off;

		if (pkt.linktype != LINKTYPE_WIRESHARK_UPPER_PDU)
			continue;
		off = exported_pdu_payload_offset(pkt.data, pkt.caplen);
		if (off < 0 || ebpf_record_decode(pkt.data + off, pkt.caplen - (size_t)off, &rec, &why) < 0) {
			printf("malformed\n");
			bad = 1;
			continue;
		}
		printf("host=%s machine=%s type=%s pid=%u uid=%u drops=%llu\n", rec.host[0] ? rec.host : "-",
		       rec.machine_id[0] ? rec.machine_id : "-", ebpf_event_type_name(rec.ev.type),
		       rec.ev.pid, rec.ev.uid, (unsigned long long)rec.ev.drops);
	}
	pcapng_reader_close(r);
	fclose(f);
	return rc < 0 || bad ? 1 : 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: zmq_peer send ENDPOINT HOST COUNT [options] | garbage ENDPOINT HOST [options] |\n"
		"       oversize ENDPOINT [options] | replay ENDPOINT FILE [options] | dump FILE\n");
	return 2;
}

static int parse_options(int argc, char **argv, struct peer *p)
{
	static const struct option opts[] = {
		{ "rate", required_argument, NULL, 'r' },
		{ "connect", no_argument, NULL, 'c' },
		{ "secret-key", required_argument, NULL, 's' },
		{ "server-key", required_argument, NULL, 'k' },
		{ "allowed-keys", required_argument, NULL, 'a' },
		{ "hwm", required_argument, NULL, 'h' },
		{ "uid", required_argument, NULL, 'u' },
		{ "wait-ms", required_argument, NULL, 'w' },
		{ "hold-ms", required_argument, NULL, 'H' },
		{ "machine-id", required_argument, NULL, 'm' },
		{ "delay-ms", required_argument, NULL, 'd' },
		{ "log", no_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r': p->rate = (unsigned)atoi(optarg); break;
		case 'c': p->ex.connect = true; break;
		case 's': p->ex.secret_key = optarg; break;
		case 'k': p->ex.server_key = optarg; break;
		case 'a': p->ex.allowed_keys = optarg; break;
		case 'h': p->ex.sndhwm = atoi(optarg); break;
		case 'u': p->uid = (unsigned)atoi(optarg); break;
		case 'w': p->wait_ms = atoi(optarg); break;
		case 'H': p->hold_ms = atoi(optarg); break;
		case 'd': p->delay_ms = atoi(optarg); break;
		case 'l': p->log = true; break;
		case 'm': ebpf_copy_string(p->machine_id, sizeof(p->machine_id), optarg); break;
		default: return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct peer p = { .wait_ms = 5000, .hold_ms = 200 };
	const char *cmd = argc > 1 ? argv[1] : "";
	int need = strcmp(cmd, "send") == 0 ? 5 : strcmp(cmd, "garbage") == 0 || strcmp(cmd, "replay") == 0 ? 4 : 3;

	if (argc < need)
		return usage();
	if (strcmp(cmd, "dump") == 0)
		return do_dump(argv[2]);
	p.ex.endpoint = argv[2];
	p.ex.host = strcmp(cmd, "oversize") == 0 || strcmp(cmd, "replay") == 0 ? cmd : argv[3];
	p.ex.insecure = true; /* a stand-in on the tests' own loopback ports */
	snprintf(p.machine_id, sizeof(p.machine_id), "%032x", 0x42u);
	/* Options follow the positional arguments. */
	optind = need;
	if (parse_options(argc, argv, &p) < 0 || optind < argc)
		return usage();
	p.ex.machine_id = p.machine_id;
	p.ex.quiet = !p.log;
	if (strcmp(cmd, "send") == 0)
		return do_send(&p, strtoull(argv[4], NULL, 10));
	if (strcmp(cmd, "garbage") == 0)
		return do_garbage(&p);
	if (strcmp(cmd, "oversize") == 0)
		return do_oversize(&p);
	if (strcmp(cmd, "replay") == 0)
		return do_replay(&p, argv[3]);
	return usage();
}
