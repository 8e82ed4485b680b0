/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ZMQ message format, keys and the exporter, without a kernel:
 *  - valid batches parse back to the same records and bytes;
 *  - every malformed form is refused with its reason, and nothing of a
 *    refused message reaches the callback;
 *  - every truncation, every single-byte change and random messages never
 *    make the parser read outside the buffer (each message sits in a heap
 *    block of its exact size: its san_ build, under ASan, catches a read
 *    one byte past it);
 *  - key files: generated, loaded, refused when readable by others;
 *    allow-lists read, refused with a secret key or without keys;
 *  - the exporter over ipc:// never blocks, and what a slow subscriber
 *    misses comes back as Capture_Drops: received + reported == sent.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "utils/record/record.h"
#include "utils/byteorder.h"
#include "utils/transport/curve_keys.h"
#include "utils/transport/exporter.h"
#include "utils/transport/zmq_msg.h"

static int failures;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		failures++; \
		printf("FAIL %s:%d: ", __FILE__, __LINE__); \
		printf(__VA_ARGS__); \
		printf("\n"); \
	} \
} while (0)

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static size_t make_record(uint8_t *buf, size_t cap, unsigned i, bool all_tlvs)
{
	struct ebpf_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.ev.type = EBPF_TCP_CONNECT;
	rec.ev.pid = i;
	rec.ev.timestamp_ns = 1700000000000000000ull + i;
	snprintf(rec.ev.comm, sizeof(rec.ev.comm), "proc%u", i);
	snprintf(rec.host, sizeof(rec.host), "host-%u", i % 3);
	if (all_tlvs) {
		memset(rec.exe, 'e', sizeof(rec.exe) - 1);
		memset(rec.container_id, 'c', sizeof(rec.container_id) - 1);
		memset(rec.container_name, 'n', sizeof(rec.container_name) - 1);
		memset(rec.container_runtime, 'r', sizeof(rec.container_runtime) - 1);
		memset(rec.pod, 'p', sizeof(rec.pod) - 1);
		memset(rec.pod_namespace, 's', sizeof(rec.pod_namespace) - 1);
		memset(rec.k8s_container, 'k', sizeof(rec.k8s_container) - 1);
		memset(rec.host, 'h', sizeof(rec.host) - 1);
		memset(rec.ifname, 'i', sizeof(rec.ifname) - 1);
		memset(rec.machine_id, 'm', sizeof(rec.machine_id) - 1);
	}
	return ebpf_record_encode(&rec, buf, cap);
}

/* A message of n records, in a heap block of exactly its size. */
static uint8_t *make_message(unsigned n, size_t *len)
{
	static struct ebpf_msg_builder b;
	uint8_t rec[EBPF_RECORD_MAX_WIRE];

	ebpf_msg_begin(&b, 0x1122334455667788ull, 1000);
	for (unsigned i = 0; i < n; i++) {
		size_t rlen = make_record(rec, sizeof(rec), i + 1, i == 1);

		if (ebpf_msg_append(&b, rec, rlen) < 0)
			break;
	}
	*len = b.len;
	uint8_t *m = malloc(b.len);

	memcpy(m, b.buf, b.len);
	return m;
}

struct seen {
	const uint8_t *buf;
	size_t len;
	unsigned records;
	uint32_t pids[EBPF_MSG_MAX_RECORDS];
	int fail_at; /* return -EPIPE at this record (1-based), 0 never */
};

static int on_record(const struct ebpf_record *rec, const uint8_t *bytes, size_t len, void *ctx)
{
	struct seen *s = ctx;

	CHECK(bytes >= s->buf && len <= s->len && bytes + len <= s->buf + s->len,
	      "record handed out outside the message");
	if (s->records < EBPF_MSG_MAX_RECORDS)
		s->pids[s->records] = rec->ev.pid;
	s->records++;
	if (s->fail_at && (int)s->records == s->fail_at)
		return -EPIPE;
	return 0;
}

static int parse(const uint8_t *buf, size_t len, struct seen *s, struct ebpf_msg_info *info, const char **why)
{
	memset(s, 0, sizeof(*s));
	s->buf = buf;
	s->len = len;
	return ebpf_msg_parse(buf, len, info, on_record, s, why);
}

static void test_roundtrip(void)
{
	struct ebpf_msg_info info;
	struct seen s;
	const char *why;
	size_t len;
	uint8_t *m = make_message(5, &len);
	int rc = parse(m, len, &s, &info, &why);

	CHECK(rc == 5, "5 records: rc=%d (%s)", rc, why ? why : "");
	CHECK(info.version == 1 && info.flags == 0 && info.count == 5, "header");
	CHECK(info.stream == 0x1122334455667788ull && info.seq == 1000, "stream/seq");
	for (unsigned i = 0; i < 5 && i < s.records; i++)
		CHECK(s.pids[i] == i + 1, "record %u has pid %u", i, s.pids[i]);
	free(m);

	/* As many records as fit: the builder stops at the limit, the parser takes it all. */
	struct ebpf_msg_builder *b = malloc(sizeof(*b));
	uint8_t rec[EBPF_RECORD_MAX_WIRE];
	unsigned n = 0;

	ebpf_msg_begin(b, 1, 0);
	while (n < 100000 && ebpf_msg_append(b, rec, make_record(rec, sizeof(rec), n + 1, false)) == 0)
		n++;
	CHECK(b->len <= EBPF_MSG_MAX_LEN && n == b->count && n > 100, "full builder: %u records, %zu bytes", n, b->len);
	rc = parse(b->buf, b->len, &s, NULL, &why);
	CHECK(rc == (int)n, "full message: rc=%d want %u (%s)", rc, n, why ? why : "");
	free(b);

	/* The callback's error stops the walk and comes back as is. */
	m = make_message(3, &len);
	memset(&s, 0, sizeof(s));
	s.buf = m;
	s.len = len;
	s.fail_at = 2;
	rc = ebpf_msg_parse(m, len, NULL, on_record, &s, &why);
	CHECK(rc == -EPIPE && s.records == 2, "callback error: rc=%d records=%u", rc, s.records);
	free(m);
}

/* expect_malformed: the mutated copy of a valid message is refused with this reason. */
static void expect_malformed(const char *name, const uint8_t *m, size_t len, const char *reason)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct seen s;
	const char *why = NULL;
	int rc;

	memcpy(copy, m, len);
	rc = parse(copy, len, &s, NULL, &why);
	CHECK(rc == -EBADMSG, "%s: accepted (rc=%d)", name, rc);
	CHECK(why && strcmp(why, reason) == 0, "%s: reason '%s', want '%s'", name, why ? why : "(none)", reason);
	CHECK(s.records == 0, "%s: %u records handed out of a refused message", name, s.records);
	free(copy);
}

static void test_malformed(void)
{
	size_t len, len1;
	uint8_t *m = make_message(3, &len);
	uint8_t *one = make_message(1, &len1);
	uint8_t *w = malloc(len + 64);
	size_t rec0 = EBPF_MSG_HEADER_LEN;
	/* record 2 starts where record 1's total_len ends it */
	size_t r1 = rec0 + (m[rec0 + 4] | m[rec0 + 5] << 8 | m[rec0 + 6] << 16 | (size_t)m[rec0 + 7] << 24);

	expect_malformed("empty", m, 0, "message shorter than its header");
	expect_malformed("23 bytes", m, 23, "message shorter than its header");
	memcpy(w, m, len); w[3] = 'X';
	expect_malformed("bad magic", w, len, "not an ebpfcap message (bad magic)");
	memcpy(w, m, len); w[4] = 2;
	expect_malformed("version 2", w, len, "unsupported message version");
	memcpy(w, m, len); w[4] = 0;
	expect_malformed("version 0", w, len, "unsupported message version");
	memcpy(w, m, len); w[5] = 0x80;
	expect_malformed("flags", w, len, "unknown message flags");
	memcpy(w, m, len); put_le16(w + 6, 0);
	expect_malformed("count 0", w, len, "message without records");
	memcpy(w, m, EBPF_MSG_HEADER_LEN); put_le16(w + 6, 0);
	expect_malformed("header only, count 0", w, EBPF_MSG_HEADER_LEN, "message without records");
	memcpy(w, m, len); w[5] = EBPF_MSG_FLAG_SYNC;
	expect_malformed("sync with records", w, len, "sync message with records");
	memcpy(w, m, EBPF_MSG_HEADER_LEN); w[5] = EBPF_MSG_FLAG_SYNC;
	expect_malformed("sync counting records", w, EBPF_MSG_HEADER_LEN, "sync message with records");
	{
		/* A sync message: the stream's seq and nothing to hand out. */
		struct ebpf_msg_builder *sb = malloc(sizeof(*sb));
		struct ebpf_msg_info info;

		ebpf_msg_begin(sb, 7, 1234);
		ebpf_msg_mark_sync(sb, false);
		CHECK(ebpf_msg_append(sb, m + EBPF_MSG_HEADER_LEN, 200) < 0, "a sync message takes no record");
		CHECK(ebpf_msg_parse(sb->buf, sb->len, &info, NULL, NULL, NULL) == 0 && info.count == 0 &&
		      info.seq == 1234 && info.stream == 7 && info.flags == EBPF_MSG_FLAG_SYNC, "sync message parsed");
		sb->buf[5] = EBPF_MSG_FLAG_FINAL;
		CHECK(ebpf_msg_parse(sb->buf, sb->len, &info, NULL, NULL, NULL) == -EBADMSG, "final without sync refused");
		ebpf_msg_begin(sb, 7, 1234);
		ebpf_msg_mark_sync(sb, true);
		CHECK(ebpf_msg_parse(sb->buf, sb->len, &info, NULL, NULL, NULL) == 0 &&
		      info.flags == (EBPF_MSG_FLAG_SYNC | EBPF_MSG_FLAG_FINAL), "goodbye parsed");
		free(sb);
	}
	memcpy(w, m, EBPF_MSG_HEADER_LEN);
	expect_malformed("header only, count 3", w, EBPF_MSG_HEADER_LEN, "fewer records than the header counts");
	memcpy(w, m, len); put_le16(w + 6, 65535);
	expect_malformed("count 65535", w, len, "more records than a message can hold");
	memcpy(w, m, len); put_le16(w + 6, 4);
	expect_malformed("count too high", w, len, "fewer records than the header counts");
	memcpy(w, m, len); put_le16(w + 6, 2);
	expect_malformed("count too low", w, len, "bytes after the last record");
	memcpy(w, m, len); memset(w + len, 0, 10);
	expect_malformed("trailing bytes", w, len + 10, "bytes after the last record");
	memcpy(w, m, len); put_le32(w + rec0 + 4, 0xfffffff0u);
	expect_malformed("record length beyond message", w, len, "record length beyond the buffer");
	memcpy(w, m, len); put_le32(w + r1 + 4, (uint32_t)(len - r1 + 1));
	expect_malformed("2nd record 1 byte too long", w, len, "record length beyond the buffer");
	memcpy(w, m, len); put_le32(w + rec0 + 4, 10);
	expect_malformed("record length below fixed part", w, len, "record length shorter than its fixed part");
	memcpy(w, m, len); put_le16(w + rec0 + 2, 0xffff);
	expect_malformed("fixed_len huge", w, len, "record length shorter than its fixed part");
	memcpy(w, m, len); put_le16(w + rec0 + 2, 100); put_le32(w + rec0 + 4, 108);
	expect_malformed("fixed_len short", w, len, "fixed part shorter than version 1.0");
	memcpy(w, m, len); w[r1] = 2;
	expect_malformed("record major 2", w, len, "unsupported major version");
	expect_malformed("truncated in record 2", m, r1 + 100, "record length beyond the buffer");
	expect_malformed("truncated in record 2's header", m, r1 + 3, "truncated header");
	/* Record 1 (of the 1-record message) has a host TLV: make it lie. */
	size_t tlv = rec0 + 8 + sizeof(struct ebpf_event);

	memcpy(w, one, len1); put_le16(w + tlv + 2, 0x7fff);
	expect_malformed("TLV length beyond record", w, len1, "TLV length beyond the record");
	memcpy(w, one, len1); w[len1 - 1] = 'x';
	expect_malformed("string without NUL", w, len1, "string not terminated");
	memcpy(w, m, len); memset(w + rec0 + 8 + 144, 'A', 16);
	expect_malformed("comm without NUL", w, len, "comm not terminated");
	free(w);
	free(one);
	free(m);
}

/* Every prefix of a valid message is refused, read inside its exact-size block. */
static void test_truncations(void)
{
	size_t len;
	uint8_t *m = make_message(3, &len);
	unsigned accepted = 0;

	for (size_t n = 0; n < len; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		struct seen s;
		const char *why;

		memcpy(copy, m, n);
		if (parse(copy, n, &s, NULL, &why) >= 0)
			accepted++;
		CHECK(s.records == 0 || accepted, "prefix %zu handed out records", n);
		free(copy);
	}
	CHECK(accepted == 0, "%u truncated messages accepted", accepted);
	free(m);
}

/* Any single byte changed: parse or refuse, never read outside, never hand out half. */
static void test_mutations(void)
{
	size_t len;
	uint8_t *m = make_message(3, &len);
	static const uint8_t values[] = { 0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff };

	for (size_t i = 0; i < len; i++)
		for (size_t v = 0; v < sizeof(values); v++) {
			uint8_t *copy = malloc(len);
			struct seen s;
			const char *why;
			int rc;

			memcpy(copy, m, len);
			copy[i] = values[v];
			rc = parse(copy, len, &s, NULL, &why);
			CHECK(rc == -EBADMSG ? s.records == 0 && why : rc == (int)s.records,
			      "byte %zu = %#x: rc=%d records=%u", i, values[v], rc, s.records);
			free(copy);
		}
	free(m);
}

/* Random messages: a valid header, then records whose lengths are random lies. */
static void test_random(void)
{
	unsigned accepted = 0, rounds = 200000;

	for (unsigned r = 0; r < rounds; r++) {
		size_t len = rng() % 2048;
		uint8_t *buf = malloc(len ? len : 1);
		struct seen s;
		const char *why;
		int rc;

		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rng();
		if (r % 4 == 3) {
			/* a valid message with a few bytes changed, maybe cut or extended */
			size_t vlen;
			uint8_t *v = make_message(1 + r % 3, &vlen);

			free(buf);
			len = r % 5 == 0 ? rng() % (vlen + 16) : vlen;
			buf = malloc(len ? len : 1);
			for (size_t i = 0; i < len; i++)
				buf[i] = i < vlen ? v[i] : (uint8_t)rng();
			for (unsigned k = rng() % 4; k > 0 && len; k--)
				buf[rng() % len] = (uint8_t)rng();
			free(v);
		} else if (len >= EBPF_MSG_HEADER_LEN && r % 4) {
			memcpy(buf, EBPF_MSG_MAGIC, 4);
			buf[4] = EBPF_MSG_VERSION;
			buf[5] = 0;
			put_le16(buf + 6, (uint16_t)(1 + rng() % 4));
			/* records with a plausible header and a random length */
			for (size_t off = EBPF_MSG_HEADER_LEN; off + 8 <= len; off += 184 + rng() % 64) {
				buf[off] = EBPF_RECORD_MAJOR;
				put_le16(buf + off + 2, (uint16_t)(r % 8 ? 176 : rng()));
				put_le32(buf + off + 4, (uint32_t)(r % 3 ? 184 + rng() % 300 : rng()));
			}
		}
		rc = parse(buf, len, &s, NULL, &why);
		if (rc >= 0)
			accepted++;
		CHECK(rc == -EBADMSG ? s.records == 0 : rc == (int)s.records, "random %u: rc=%d", r, rc);
		free(buf);
	}
	printf("random: %u of %u accepted, none read outside\n", accepted, rounds);
}

static char tmpdir[] = "/tmp/unit_zmq.XXXXXX";

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static void test_keys(void)
{
	char path[256], other[256], text[512], secret[41], pub[41], pub2[41];
	FILE *f;

	snprintf(path, sizeof(path), "%s/key", tmpdir);
	f = fopen(path, "w");
	CHECK(zmq_print_new_keys(f) == 0, "gen keys");
	fclose(f);
	chmod(path, 0600);
	CHECK(zmq_load_secret_key(path, secret, pub) == 0, "load secret key");
	CHECK(zmq_load_public_key(path, pub2) == 0 && strcmp(pub, pub2) == 0, "public key from the same file matches");
	CHECK(zmq_load_public_key(pub, pub2) == 0 && strcmp(pub, pub2) == 0, "public key as a string");
	CHECK(zmq_load_public_key("tooshort", pub2) < 0, "short key refused");
	CHECK(zmq_load_public_key("0123456789012345678901234567890123456789~", pub2) < 0, "41 chars refused");
	CHECK(zmq_load_public_key("012345678901234567890123456789012345678~", pub2) < 0, "non-Z85 refused");

	chmod(path, 0644);
	printf("(one 'readable by others' line expected)\n");
	CHECK(zmq_load_secret_key(path, secret, pub2) < 0, "secret key file readable by others refused");

	/* A bare key line works too; junk lines are refused with their number. */
	snprintf(other, sizeof(other), "%s/bare", tmpdir);
	snprintf(text, sizeof(text), "# comment\n\n  %s  \n", secret);
	write_file(other, text, 0600);
	CHECK(zmq_load_secret_key(other, secret, pub2) == 0 && strcmp(pub, pub2) == 0, "bare secret key");
	write_file(other, "# nothing\nhello world\n", 0600);
	printf("(one 'not a key' line expected)\n");
	CHECK(zmq_load_secret_key(other, secret, pub2) < 0, "junk refused");
}

/* An allow-list: bare and "public-key=" lines, decoded; a secret key or no key at all refused. */
static void test_allowed_keys(void)
{
	char path[256], text[512], secret[41], pub[41], other[41];
	uint8_t (*keys)[32] = NULL, bin[32];
	size_t n = 0;

	CHECK(zmq_curve_keypair(pub, secret) == 0 && zmq_curve_keypair(other, secret) == 0, "two key pairs");
	snprintf(path, sizeof(path), "%s/allowed", tmpdir);
	snprintf(text, sizeof(text), "# collectors\n%s\n\n  public-key=%s\n", pub, other);
	write_file(path, text, 0644);
	CHECK(zmq_load_allowed_keys(path, &keys, &n) == 0 && n == 2, "two keys allowed: n=%zu", n);
	if (keys && n == 2) {
		zmq_z85_decode(bin, pub);
		CHECK(memcmp(keys[0], bin, 32) == 0, "bare key decoded");
		zmq_z85_decode(bin, other);
		CHECK(memcmp(keys[1], bin, 32) == 0, "public-key= line decoded");
	}
	free(keys);

	snprintf(text, sizeof(text), "%s\nsecret-key=%s\n", pub, secret);
	write_file(path, text, 0600);
	printf("(one 'secret key in an allow-list' line expected)\n");
	CHECK(zmq_load_allowed_keys(path, &keys, &n) < 0, "a secret key in an allow-list refused");
	write_file(path, "# nobody yet\n", 0644);
	printf("(one 'no public key' line expected)\n");
	CHECK(zmq_load_allowed_keys(path, &keys, &n) < 0, "an allow-list without keys refused");
}

/* A subscriber over ipc:// that reads; counts records and, from the seq gaps, the ones it missed. */
struct counts {
	uint64_t records, reported;
	struct ebpf_stream_tally tally;
};

static int count_record(const struct ebpf_record *rec, const uint8_t *b, size_t l, void *ctx)
{
	struct counts *c = ctx;

	(void)b;
	(void)l;
	if (rec->ev.type == EBPF_CAPTURE_DROPS)
		c->reported += rec->ev.drops;
	else
		c->records++;
	return 0;
}

static void drain(void *sub, struct counts *c, int timeout_ms)
{
	zmq_pollitem_t item = { .socket = sub, .events = ZMQ_POLLIN };

	while (zmq_poll(&item, 1, timeout_ms) > 0) {
		zmq_msg_t m;
		struct ebpf_msg_info info;

		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sub, ZMQ_DONTWAIT) >= 0) {
			CHECK(ebpf_msg_parse(zmq_msg_data(&m), zmq_msg_size(&m), &info, count_record, c, NULL) >= 0,
			      "exporter message refused");
			ebpf_stream_tally_add(&c->tally, &info);
		}
		zmq_msg_close(&m);
	}
	c->reported += ebpf_stream_tally_take_loss(&c->tally);
}

static void test_exporter(void)
{
	char ep[256];
	struct zmq_export_options o = { .endpoint = ep, .host = "unit", .sndhwm = 2, .quiet = true };
	struct zmq_exporter *ex;
	void *ctx = zmq_ctx_new(), *sub = zmq_socket(ctx, ZMQ_SUB);
	int hwm = 2, zero = 0;
	uint8_t rec[EBPF_RECORD_MAX_WIRE];
	struct counts c = { 0 };
	const unsigned total = 200000;

	snprintf(ep, sizeof(ep), "ipc://%s/export", tmpdir);
	ex = zmq_exporter_open(&o);
	CHECK(ex != NULL, "exporter open");
	if (!ex)
		return;
	zmq_setsockopt(sub, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(sub, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
	zmq_connect(sub, ep);
	CHECK(zmq_exporter_wait_subscriber(ex, 5000) == 0, "subscriber seen");

	/* The subscriber reads nothing meanwhile: queues fill, sends must not block. */
	for (unsigned i = 0; i < total; i++)
		zmq_exporter_send(ex, rec, make_record(rec, sizeof(rec), i + 1, false));
	zmq_exporter_flush(ex);
	CHECK(zmq_exporter_drops(ex) > 0, "a subscriber that does not read causes drops");
	CHECK(zmq_exporter_drops(ex) + zmq_exporter_sent(ex) == total, "drops %llu + sent %llu != %u",
	      (unsigned long long)zmq_exporter_drops(ex), (unsigned long long)zmq_exporter_sent(ex), total);

	/* Now read; a sync message at the end tells the last seq. Bounded. */
	drain(sub, &c, 100);
	for (int i = 0; i < 5; i++) {
		zmq_exporter_flush(ex);
		drain(sub, &c, 20);
	}
	uint64_t sent = zmq_exporter_sent(ex);

	zmq_exporter_close(ex);
	drain(sub, &c, 100);
	printf("exporter: %llu received, %llu reported dropped, %u sent\n",
	       (unsigned long long)c.records, (unsigned long long)c.reported, total);
	CHECK(c.records + c.reported == total, "received %llu + reported %llu != %u",
	      (unsigned long long)c.records, (unsigned long long)c.reported, total);
	CHECK(c.records == sent, "received all that was sent");
	zmq_close(sub);
	zmq_ctx_term(ctx);

	/* Refused at open: CURVE roles that do not fit, an endpoint in use. */
	struct zmq_export_options bad = { .endpoint = ep, .server_key = "x", .quiet = true };

	printf("(three one-line errors expected)\n");
	CHECK(zmq_exporter_open(&bad) == NULL, "binding with --server-key refused");
	bad.server_key = NULL;
	bad.connect = true;
	bad.allowed_keys = "/dev/null";
	CHECK(zmq_exporter_open(&bad) == NULL, "connecting with --allowed-keys refused");
	struct zmq_export_options first = { .endpoint = ep, .quiet = true };
	struct zmq_exporter *a = zmq_exporter_open(&first);

	first.endpoint = "tcp://127.0.0.1:*"; /* a free port, then the same port again */
	first.insecure = true;
	struct zmq_exporter *b1 = zmq_exporter_open(&first), *b2 = NULL;
	size_t size = sizeof(ep);

	if (b1 && zmq_getsockopt(zmq_exporter_socket(b1), ZMQ_LAST_ENDPOINT, ep, &size) == 0) {
		first.endpoint = ep;
		b2 = zmq_exporter_open(&first);
	}

	CHECK(b1 && !b2, "second bind of one port refused");
	zmq_exporter_close(b1);
	zmq_exporter_close(b2);
	zmq_exporter_close(a);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_roundtrip();
	test_malformed();
	test_truncations();
	test_mutations();
	test_random();
	test_keys();
	test_allowed_keys();
	test_exporter();
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		printf("could not remove %s\n", tmpdir);
	printf("%s\n", failures ? "FAILED" : "all passed");
	return failures ? 1 : 0;
}
