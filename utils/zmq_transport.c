/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "zmq_transport.h"
#include "utils/clock.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

/* ---- message format ---- */

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get_le32(const uint8_t *p)
{
	return get_le16(p) | (uint32_t)get_le16(p + 2) << 16;
}

static uint64_t get_le64(const uint8_t *p)
{
	return get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

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

int ebpf_msg_append(struct ebpf_msg_builder *b, const uint8_t *rec, size_t len)
{
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
	if (info->flags != 0)
		return malformed(why, "unknown message flags");
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

/* ---- CURVE keys ---- */

int zmq_curve_check(void)
{
	if (zmq_has("curve"))
		return 0;
	fprintf(stderr, "ebpfcap: this libzmq has no CURVE support (built without libsodium): no encryption\n");
	return -1;
}

int zmq_print_new_keys(FILE *out)
{
	char public_key[41], secret[41];

	if (zmq_curve_check() < 0)
		return -1;
	if (zmq_curve_keypair(public_key, secret) != 0) {
		fprintf(stderr, "ebpfcap: cannot make a CURVE key pair: %s\n", zmq_strerror(errno));
		return -1;
	}
	fprintf(out, "# ebpfcap CURVE key pair. Keep this file secret (chmod 600);\n"
		"# give the public-key line to the other side. See docs/REMOTE.md.\n"
		"public-key=%s\nsecret-key=%s\n", public_key, secret);
	return fflush(out) == 0 ? 0 : -1;
}

static bool is_z85_key(const char *s)
{
	uint8_t bin[32];

	/* zmq_z85_decode refuses characters outside the Z85 alphabet. */
	return strlen(s) == ZMQ_KEY_Z85_LEN && zmq_z85_decode(bin, s) != NULL;
}

/* One line of a key file: "name=KEY" or a bare KEY; blank and '#' lines are skipped. */
typedef int (*key_line_fn)(const char *name, const char *key, unsigned lineno, void *ctx);

static char *trim(char *s)
{
	char *end = s + strlen(s);

	while (isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int bad_key_line(const char *path, unsigned lineno)
{
	fprintf(stderr, "ebpfcap: %s:%u: not a key (want 40 Z85 characters, or public-key=/secret-key=)\n",
		path, lineno);
	return -1;
}

static int read_key_file(const char *path, bool secret, key_line_fn fn, void *ctx)
{
	FILE *f = fopen(path, "re");
	struct stat st;
	char line[512];
	unsigned lineno = 0;
	int rc = 0;

	if (!f) {
		fprintf(stderr, "ebpfcap: cannot read key file '%s': %s\n", path, strerror(errno));
		return -1;
	}
	/* Like ssh: a secret others can read is no longer a secret. */
	if (secret && fstat(fileno(f), &st) == 0 && (st.st_mode & 077)) {
		fprintf(stderr, "ebpfcap: secret key file '%s' can be read by others (chmod 600 %s)\n", path, path);
		fclose(f);
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		char *s = trim(line), *eq;

		lineno++;
		if (*s == '\0' || *s == '#')
			continue;
		eq = strchr(s, '=');
		/* '=' is a Z85 character too: only our two names make a "name=" line. */
		if (eq && (strncmp(s, "public-key=", 11) == 0 || strncmp(s, "secret-key=", 11) == 0)) {
			*eq = '\0';
			rc = fn(s, trim(eq + 1), lineno, ctx);
		} else {
			rc = fn(NULL, s, lineno, ctx);
		}
		if (rc > 0)
			break; /* found what was asked */
	}
	fclose(f);
	return rc < 0 ? -1 : rc;
}

struct one_key {
	const char *want; /* "secret-key" or "public-key" */
	const char *path;
	char *out;
};

static int take_one_key(const char *name, const char *key, unsigned lineno, void *ctx)
{
	struct one_key *k = ctx;

	if (name && strcmp(name, k->want) != 0)
		return 0; /* the other half of a --gen-keys file */
	if (!is_z85_key(key))
		return bad_key_line(k->path, lineno);
	memcpy(k->out, key, 41);
	return 1;
}

int zmq_load_secret_key(const char *path, char secret[41], char public_key[41])
{
	struct one_key k = { "secret-key", path, secret };

	if (zmq_curve_check() < 0)
		return -1;
	int rc = read_key_file(path, true, take_one_key, &k);

	if (rc == 0)
		fprintf(stderr, "ebpfcap: no secret-key in '%s' (make one with ebpfcap --gen-keys)\n", path);
	if (rc <= 0)
		return -1;
	if (zmq_curve_public(public_key, secret) != 0) {
		fprintf(stderr, "ebpfcap: '%s': not a CURVE secret key\n", path);
		return -1;
	}
	return 0;
}

int zmq_load_public_key(const char *arg, char public_key[41])
{
	struct one_key k = { "public-key", arg, public_key };

	if (zmq_curve_check() < 0)
		return -1;
	if (is_z85_key(arg)) {
		memcpy(public_key, arg, 41);
		return 0;
	}
	if (access(arg, R_OK) != 0) {
		fprintf(stderr, "ebpfcap: '%s' is neither a 40-character Z85 public key nor a readable key file\n", arg);
		return -1;
	}
	int rc = read_key_file(arg, false, take_one_key, &k);

	if (rc == 0)
		fprintf(stderr, "ebpfcap: no public-key in '%s'\n", arg);
	return rc > 0 ? 0 : -1;
}

/* ---- ZAP: the allow-list of the CURVE server side ---- */

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"

struct zap_handler {
	void *sock;
	pthread_t thread;
	uint8_t (*keys)[32];
	size_t n_keys, cap;
	uint64_t refused;   /* __atomic: read by the main thread */
	int stop;           /* __atomic */
	bool log;
	const char *path;
};

static int add_allowed_key(const char *name, const char *key, unsigned lineno, void *ctx)
{
	struct zap_handler *z = ctx;

	if (name && strcmp(name, "secret-key") == 0) {
		fprintf(stderr, "ebpfcap: %s:%u: a secret key in an allow-list: list public keys only\n",
			z->path, lineno);
		return -1;
	}
	if ((name && strcmp(name, "public-key") != 0) || !is_z85_key(key))
		return bad_key_line(z->path, lineno);
	if (z->n_keys == z->cap) {
		size_t cap = z->cap ? 2 * z->cap : 16;
		void *p = realloc(z->keys, cap * sizeof(*z->keys));

		if (!p)
			return -1;
		z->keys = p;
		z->cap = cap;
	}
	zmq_z85_decode(z->keys[z->n_keys++], key);
	return 0;
}

static bool key_allowed(const struct zap_handler *z, zmq_msg_t *mechanism, zmq_msg_t *key)
{
	if (zmq_msg_size(mechanism) != 5 || memcmp(zmq_msg_data(mechanism), "CURVE", 5) ||
	    zmq_msg_size(key) != 32)
		return false;
	for (size_t i = 0; i < z->n_keys; i++)
		if (memcmp(z->keys[i], zmq_msg_data(key), 32) == 0)
			return true;
	return false;
}

static void zap_reply(void *sock, zmq_msg_t *request_id, bool ok)
{
	zmq_send(sock, "1.0", 3, ZMQ_SNDMORE);
	zmq_send(sock, zmq_msg_data(request_id), zmq_msg_size(request_id), ZMQ_SNDMORE);
	zmq_send(sock, ok ? "200" : "400", 3, ZMQ_SNDMORE);
	zmq_send(sock, ok ? "OK" : "key not allowed", ok ? 2 : 15, ZMQ_SNDMORE);
	zmq_send(sock, "", 0, ZMQ_SNDMORE); /* user id */
	zmq_send(sock, "", 0, 0);           /* metadata */
}

/*
 * One ZAP request (RFC 27): version, request id, domain, address, routing
 * id, mechanism, credentials (CURVE: the client's 32-byte public key).
 */
static void zap_answer(struct zap_handler *z)
{
	zmq_msg_t part[7];
	int n = 0, more = 1;

	while (more) {
		zmq_msg_t m;

		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, z->sock, 0) < 0) {
			zmq_msg_close(&m);
			break;
		}
		more = zmq_msg_more(&m);
		if (n < 7)
			part[n++] = m; /* moves the message; closed below */
		else
			zmq_msg_close(&m);
	}
	/* A REP socket must answer whatever it got, or it answers nothing again. */
	if (n >= 2) {
		bool ok = n == 7 && key_allowed(z, &part[5], &part[6]);

		if (!ok) {
			__atomic_add_fetch(&z->refused, 1, __ATOMIC_RELAXED);
			if (z->log)
				fprintf(stderr, "ebpfcap: refused a peer from %.*s: its key is not in %s\n",
					n > 3 ? (int)zmq_msg_size(&part[3]) : 1, n > 3 ? (char *)zmq_msg_data(&part[3]) : "?",
					z->path);
		}
		zap_reply(z->sock, &part[1], ok);
	}
	for (int i = 0; i < n; i++)
		zmq_msg_close(&part[i]);
}

static void *zap_thread(void *arg)
{
	struct zap_handler *z = arg;

	while (!__atomic_load_n(&z->stop, __ATOMIC_ACQUIRE)) {
		zmq_pollitem_t item = { .socket = z->sock, .events = ZMQ_POLLIN };

		/* A timeout, so stopping needs no context shutdown (that would cut lingering sends). */
		if (zmq_poll(&item, 1, 100) > 0)
			zap_answer(z);
	}
	zmq_close(z->sock);
	return NULL;
}

struct zap_handler *zap_handler_start(void *zmq_ctx, const char *allowed_keys_file, bool log)
{
	struct zap_handler *z = calloc(1, sizeof(*z));
	int linger = 0;

	if (!z)
		return NULL;
	z->log = log;
	z->path = allowed_keys_file;
	if (read_key_file(allowed_keys_file, false, add_allowed_key, z) < 0)
		goto fail;
	if (z->n_keys == 0) {
		fprintf(stderr, "ebpfcap: no public key in '%s': nobody could connect\n", allowed_keys_file);
		goto fail;
	}
	z->sock = zmq_socket(zmq_ctx, ZMQ_REP);
	if (!z->sock || zmq_setsockopt(z->sock, ZMQ_LINGER, &linger, sizeof(linger)) < 0 ||
	    zmq_bind(z->sock, ZAP_ENDPOINT) < 0) {
		fprintf(stderr, "ebpfcap: cannot start the key check: %s\n", zmq_strerror(errno));
		goto fail;
	}
	if (pthread_create(&z->thread, NULL, zap_thread, z) != 0) {
		fprintf(stderr, "ebpfcap: cannot start the key check thread\n");
		goto fail;
	}
	return z;
fail:
	if (z->sock)
		zmq_close(z->sock);
	free(z->keys);
	free(z);
	return NULL;
}

uint64_t zap_handler_refused(const struct zap_handler *z)
{
	return z ? __atomic_load_n(&z->refused, __ATOMIC_RELAXED) : 0;
}

void zap_handler_stop(struct zap_handler *z)
{
	if (!z)
		return;
	__atomic_store_n(&z->stop, 1, __ATOMIC_RELEASE);
	pthread_join(z->thread, NULL);
	free(z->keys);
	free(z);
}

/* ---- the exporter ---- */

#define DEFAULT_SNDHWM 256
#define BATCH_BYTES (32 * 1024)   /* a message this full is sent at once */
#define DROP_LOG_INTERVAL_NS (10 * 1000000000ull)
#define CLOSE_REPORT_MS 1000      /* close: how long to try to say what was dropped */

struct zmq_exporter {
	void *ctx;
	void *sock;
	struct zap_handler *zap;
	struct ebpf_msg_builder msg;
	bool batch_open;
	uint64_t batch_report;  /* drops carried by the batch's Capture_Drops record */
	uint64_t stream;
	uint64_t seq;           /* records in messages handed to ZMQ */
	uint64_t sent;          /* of those, records given to zmq_exporter_send() */
	uint64_t drops;
	uint64_t unreported;    /* drops no Capture_Drops record has carried out yet */
	uint64_t logged_drops;
	uint64_t next_log_ns;
	int subscribers;
	bool quiet;
	char host[64];
	char machine_id[40];
	char endpoint[256];
};

/* The loss so far travels in the stream, first in the next message. */
static void begin_batch(struct zmq_exporter *ex)
{
	ebpf_msg_begin(&ex->msg, ex->stream, ex->seq);
	ex->batch_open = true;
	ex->batch_report = 0;
	if (ex->unreported) {
		struct ebpf_record rec;
		uint8_t buf[EBPF_RECORD_MAX_WIRE];
		size_t n;

		ebpf_drops_record(&rec, EBPF_DROP_TRANSIT, ex->unreported, clock_ns(CLOCK_REALTIME), ex->host,
				  ex->machine_id);
		n = ebpf_record_encode(&rec, buf, sizeof(buf));
		if (n && ebpf_msg_append(&ex->msg, buf, n) == 0)
			ex->batch_report = ex->unreported;
	}
}

static void maybe_log_drops(struct zmq_exporter *ex)
{
	uint64_t now;

	if (ex->quiet || ex->drops == ex->logged_drops)
		return;
	now = clock_ns(CLOCK_MONOTONIC);
	if (now < ex->next_log_ns)
		return;
	fprintf(stderr, "ebpfcap: export: %llu records dropped: no collector keeps up "
		"(%llu dropped since the start)\n",
		(unsigned long long)(ex->drops - ex->logged_drops), (unsigned long long)ex->drops);
	ex->logged_drops = ex->drops;
	ex->next_log_ns = now + DROP_LOG_INTERVAL_NS;
}

/* Hands the batch to ZMQ without waiting: a full queue costs the batch, counted. */
static int send_batch(struct zmq_exporter *ex)
{
	uint64_t records;

	if (!ex->batch_open)
		return 0;
	ex->batch_open = false;
	records = ex->msg.count - (ex->batch_report ? 1 : 0);
	if (zmq_send(ex->sock, ex->msg.buf, ex->msg.len, ZMQ_DONTWAIT) >= 0) {
		ex->seq += ex->msg.count;
		ex->sent += records;
		ex->unreported -= ex->batch_report;
		return 0;
	}
	int err = errno;

	ex->drops += records;
	ex->unreported += records;
	maybe_log_drops(ex);
	return err == EAGAIN || err == EINTR ? 0 : -err;
}

/* XPUB hands us each collector's (un)subscription: how many are listening. */
static void read_subscriptions(struct zmq_exporter *ex)
{
	for (int i = 0; i < 64; i++) {
		zmq_msg_t m;

		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, ex->sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			return;
		}
		if (zmq_msg_size(&m) >= 1) {
			bool joined = ((uint8_t *)zmq_msg_data(&m))[0] == 1;
			const char *peer = zmq_msg_gets(&m, "Peer-Address");

			ex->subscribers += joined ? 1 : -1;
			if (ex->subscribers < 0)
				ex->subscribers = 0;
			if (!ex->quiet)
				fprintf(stderr, "ebpfcap: export: a collector%s%s %s (%d now)\n",
					peer ? " at " : "", peer ? peer : "",
					joined ? "subscribed" : "left", ex->subscribers);
		}
		zmq_msg_close(&m);
	}
}

int zmq_exporter_send(struct zmq_exporter *ex, const uint8_t *record, size_t len)
{
	int rc = 0;

	if (len > EBPF_MSG_MAX_LEN - EBPF_MSG_HEADER_LEN - EBPF_RECORD_MAX_WIRE) {
		ex->drops++;
		ex->unreported++;
		return -EMSGSIZE;
	}
	if (!ex->batch_open)
		begin_batch(ex);
	if (ebpf_msg_append(&ex->msg, record, len) < 0) {
		rc = send_batch(ex);
		begin_batch(ex);
		ebpf_msg_append(&ex->msg, record, len); /* fits: checked above */
	}
	if (ex->msg.len >= BATCH_BYTES) {
		int rc2 = send_batch(ex);

		rc = rc ? rc : rc2;
	}
	return rc;
}

int zmq_exporter_flush(struct zmq_exporter *ex)
{
	int rc = send_batch(ex);

	/* Loss is reported even when nothing new comes to carry it. */
	if (rc == 0 && ex->unreported && ex->subscribers > 0) {
		begin_batch(ex);
		rc = send_batch(ex);
	}
	read_subscriptions(ex);
	maybe_log_drops(ex);
	return rc;
}

uint64_t zmq_exporter_drops(const struct zmq_exporter *ex)
{
	return ex->drops;
}

uint64_t zmq_exporter_sent(const struct zmq_exporter *ex)
{
	return ex->sent;
}

int zmq_exporter_subscribers(const struct zmq_exporter *ex)
{
	return ex->subscribers;
}

void *zmq_exporter_socket(struct zmq_exporter *ex)
{
	return ex->sock;
}

int zmq_exporter_wait_subscriber(struct zmq_exporter *ex, int timeout_ms)
{
	uint64_t deadline = clock_ns(CLOCK_MONOTONIC) + (uint64_t)timeout_ms * 1000000ull;

	for (;;) {
		zmq_pollitem_t item = { .socket = ex->sock, .events = ZMQ_POLLIN };

		read_subscriptions(ex);
		if (ex->subscribers > 0)
			return 0;
		if (clock_ns(CLOCK_MONOTONIC) >= deadline)
			return -1;
		zmq_poll(&item, 1, 50);
	}
}

static int set_int(void *sock, int option, int value)
{
	return zmq_setsockopt(sock, option, &value, sizeof(value));
}

/* Heartbeats find a collector that vanished without a FIN, so its queue stops counting. */
static int set_common_options(void *sock, int sndhwm)
{
	return set_int(sock, ZMQ_SNDHWM, sndhwm) || set_int(sock, ZMQ_LINGER, 0) ||
	       set_int(sock, ZMQ_XPUB_NODROP, 1) || set_int(sock, ZMQ_XPUB_VERBOSER, 1) ||
	       set_int(sock, ZMQ_HEARTBEAT_IVL, 2000) || set_int(sock, ZMQ_HEARTBEAT_TIMEOUT, 6000) ||
	       set_int(sock, ZMQ_TCP_KEEPALIVE, 1) ? -1 : 0;
}

int zmq_curve_server(void *ctx, void *sock, const char *secret_key, const char *allowed_keys, bool log,
		     struct zap_handler **zap)
{
	char secret[41], public_key[41];
	int on = 1;

	if (!secret_key) {
		if (!allowed_keys)
			return 0;
		fprintf(stderr, "ebpfcap: --allowed-keys needs --secret-key: keys are checked only with CURVE\n");
		return -1;
	}
	if (zmq_load_secret_key(secret_key, secret, public_key) < 0)
		return -1;
	if (allowed_keys) {
		*zap = zap_handler_start(ctx, allowed_keys, log);
		if (!*zap)
			return -1;
	}
	return zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &on, sizeof(on)) ||
	       zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, secret, 40) ? -1 : 0;
}

static int setup_curve(struct zmq_exporter *ex, const struct zmq_export_options *o)
{
	char secret[41], public_key[41], server[41];

	if (o->connect) {
		if (o->allowed_keys) {
			fprintf(stderr, "ebpfcap: --allowed-keys is for the side that binds: a connecting exporter is the CURVE client\n");
			return -1;
		}
		if (!o->server_key) {
			if (!o->secret_key)
				return 0;
			fprintf(stderr, "ebpfcap: connecting with --secret-key needs --server-key (the collector's public key)\n");
			return -1;
		}
		if (zmq_load_public_key(o->server_key, server) < 0)
			return -1;
		/* Without our own key pair, an ephemeral one: fine unless the collector checks keys. */
		if (o->secret_key ? zmq_load_secret_key(o->secret_key, secret, public_key) < 0
				  : zmq_curve_keypair(public_key, secret) != 0)
			return -1;
		return zmq_setsockopt(ex->sock, ZMQ_CURVE_SERVERKEY, server, 40) ||
		       zmq_setsockopt(ex->sock, ZMQ_CURVE_PUBLICKEY, public_key, 40) ||
		       zmq_setsockopt(ex->sock, ZMQ_CURVE_SECRETKEY, secret, 40) ? -1 : 0;
	}
	if (o->server_key) {
		fprintf(stderr, "ebpfcap: --server-key is for connecting: a binding exporter is the CURVE server (give --secret-key)\n");
		return -1;
	}
	return zmq_curve_server(ex->ctx, ex->sock, o->secret_key, o->allowed_keys, !o->quiet, &ex->zap);
}

/* tcp:// on a loopback address, ipc:// and inproc:// stay on this machine. */
static bool endpoint_is_local(const char *ep)
{
	static const char *const local[] = {
		"ipc://", "inproc://", "tcp://127.", "tcp://localhost:", "tcp://[::1]:", "tcp://::1:",
	};

	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++)
		if (strncmp(ep, local[i], strlen(local[i])) == 0)
			return true;
	return false;
}

static int attach_endpoint(struct zmq_exporter *ex, const struct zmq_export_options *o)
{
	int rc = o->connect ? zmq_connect(ex->sock, ex->endpoint) : zmq_bind(ex->sock, ex->endpoint);

	if (rc < 0) {
		fprintf(stderr, "ebpfcap: cannot %s %s: %s\n", o->connect ? "connect to" : "bind",
			ex->endpoint, zmq_strerror(errno));
		return -1;
	}
	if (!o->quiet && !o->connect && !o->secret_key && !endpoint_is_local(ex->endpoint))
		fprintf(stderr, "ebpfcap: export: warning: publishing unencrypted on %s: whoever reaches it "
			"reads every connection of this host (see --secret-key in docs/REMOTE.md)\n", ex->endpoint);
	return 0;
}

struct zmq_exporter *zmq_exporter_open(const struct zmq_export_options *o)
{
	struct zmq_exporter *ex = calloc(1, sizeof(*ex));

	if (!ex) {
		fprintf(stderr, "ebpfcap: out of memory\n");
		return NULL;
	}
	ex->quiet = o->quiet;
	snprintf(ex->endpoint, sizeof(ex->endpoint), "%s", o->endpoint ? o->endpoint : ZMQ_EXPORT_DEFAULT_ENDPOINT);
	ebpf_copy_string(ex->host, sizeof(ex->host), o->host ? o->host : "");
	ebpf_copy_string(ex->machine_id, sizeof(ex->machine_id), o->machine_id ? o->machine_id : "");
	if (getrandom(&ex->stream, sizeof(ex->stream), 0) != sizeof(ex->stream))
		ex->stream = clock_ns(CLOCK_REALTIME) ^ (uint64_t)getpid() << 32;
	ex->ctx = zmq_ctx_new();
	ex->sock = ex->ctx ? zmq_socket(ex->ctx, ZMQ_XPUB) : NULL;
	if (!ex->sock || set_common_options(ex->sock, o->sndhwm > 0 ? o->sndhwm : DEFAULT_SNDHWM) < 0) {
		fprintf(stderr, "ebpfcap: cannot make a ZMQ socket: %s\n", zmq_strerror(errno));
		goto fail;
	}
	if (setup_curve(ex, o) < 0 || attach_endpoint(ex, o) < 0)
		goto fail;
	return ex;
fail:
	if (ex->sock)
		zmq_close(ex->sock);
	zap_handler_stop(ex->zap);
	if (ex->ctx)
		zmq_ctx_term(ex->ctx);
	free(ex);
	return NULL;
}

void zmq_exporter_close(struct zmq_exporter *ex)
{
	int linger = CLOSE_REPORT_MS;

	if (!ex)
		return;
	send_batch(ex);
	read_subscriptions(ex);
	/* Bounded: a daemon told to stop stops, even with a stuck collector. */
	for (int i = 0; ex->unreported && ex->subscribers > 0 && i < CLOSE_REPORT_MS / 10; i++) {
		begin_batch(ex);
		send_batch(ex);
		if (ex->unreported)
			usleep(10000);
	}
	if (ex->drops && !ex->quiet)
		fprintf(stderr, "ebpfcap: export: %llu of %llu records dropped because no collector kept up\n",
			(unsigned long long)ex->drops, (unsigned long long)(ex->drops + ex->sent));
	zmq_setsockopt(ex->sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_close(ex->sock);
	zap_handler_stop(ex->zap);
	zmq_ctx_term(ex->ctx);
	free(ex);
}

void zmq_read_machine_id(char *buf, size_t size)
{
	char line[64] = "";
	FILE *f = fopen("/etc/machine-id", "re");
	size_t n = 0;

	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
	}
	while (n + 1 < size && n < 32 && isxdigit((unsigned char)line[n]))
		n++;
	memcpy(buf, line, n);
	buf[n] = '\0';
}
