/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "utils/transport/zmq_transport.h"
#include "utils/clock.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
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

void ebpf_msg_mark_sync(struct ebpf_msg_builder *b, bool final)
{
	b->buf[5] = EBPF_MSG_FLAG_SYNC | (final ? EBPF_MSG_FLAG_FINAL : 0);
}

int ebpf_msg_append(struct ebpf_msg_builder *b, const uint8_t *rec, size_t len)
{
	if (b->buf[5] & EBPF_MSG_FLAG_SYNC)
		return -1; /* a sync message carries no records */
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
	if (info->flags & ~(EBPF_MSG_FLAG_SYNC | EBPF_MSG_FLAG_FINAL) ||
	    info->flags == EBPF_MSG_FLAG_FINAL)
		return malformed(why, "unknown message flags");
	if (info->flags & EBPF_MSG_FLAG_SYNC)
		return info->count == 0 && len == EBPF_MSG_HEADER_LEN ? 0 : malformed(why, "sync message with records");
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

void ebpf_stream_tally_add(struct ebpf_stream_tally *t, const struct ebpf_msg_info *info)
{
	uint64_t end = info->seq + info->count;

	if (!t->started || info->seq < t->base)
		t->base = info->seq;
	if (!t->started || end > t->end)
		t->end = end;
	t->started = true;
	t->received += info->count;
}

uint64_t ebpf_stream_tally_take_loss(struct ebpf_stream_tally *t)
{
	uint64_t missing = t->end - t->base - t->received, loss;

	/* More than the range: a lying peer (seq numbers reused); nothing to report. */
	if (t->received > t->end - t->base || missing <= t->reported)
		return 0;
	loss = missing - t->reported;
	t->reported = missing;
	return loss;
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

/*
 * Opens a key file, or says in one line why not. Never waits: O_NONBLOCK
 * makes a FIFO's open return at once, and only a small regular file is
 * read (/dev/zero or a FIFO would be read forever).
 */
static FILE *open_key_file(const char *path, bool secret)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	const char *refusal = NULL;
	struct stat st;
	FILE *f;

	if (fd < 0) {
		fprintf(stderr, "ebpfcap: cannot read key file '%s': %s\n", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0)
		refusal = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		refusal = "not a regular file";
	else if (st.st_size > ZMQ_KEY_FILE_MAX)
		refusal = "larger than a key file can be (64 KiB)";
	else if (secret && (st.st_mode & 077)) /* like ssh: a secret others can read is no longer a secret */
		refusal = "can be read by others (chmod 600 it)";
	if (refusal || !(f = fdopen(fd, "r"))) {
		fprintf(stderr, "ebpfcap: key file '%s': %s\n", path, refusal ? refusal : strerror(errno));
		close(fd);
		return NULL;
	}
	return f;
}

static int read_key_file(const char *path, bool secret, key_line_fn fn, void *ctx)
{
	FILE *f = open_key_file(path, secret);
	char line[512];
	unsigned lineno = 0;
	int rc = 0;

	if (!f)
		return -1;
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
	if (access(arg, F_OK) != 0 && errno == ENOENT) {
		fprintf(stderr, "ebpfcap: '%s' is neither a 40-character Z85 public key nor a key file\n", arg);
		return -1;
	}
	int rc = read_key_file(arg, false, take_one_key, &k);

	if (rc == 0)
		fprintf(stderr, "ebpfcap: no public-key in '%s'\n", arg);
	return rc > 0 ? 0 : -1;
}

/* ---- limits against peers ---- */

#define PEER_LOG_BURST 5
#define PEER_LOG_INTERVAL_NS (10 * 1000000000ull)

static int set_int(void *sock, int option, int value)
{
	return zmq_setsockopt(sock, option, &value, sizeof(value));
}

int zmq_bound_socket(void *sock, int64_t max_in, int hwm)
{
	return zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &max_in, sizeof(max_in)) ||
	       set_int(sock, ZMQ_RCVHWM, hwm) || set_int(sock, ZMQ_SNDHWM, hwm) ? -1 : 0;
}

bool peer_log_allow(struct peer_log *l)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC);

	if (now >= l->window_end_ns && !l->suppressed) {
		l->window_end_ns = now + PEER_LOG_INTERVAL_NS;
		l->in_window = 0;
	}
	if (l->in_window < PEER_LOG_BURST) {
		l->in_window++;
		return true;
	}
	l->suppressed++;
	return false;
}

void peer_log_summary(struct peer_log *l, const char *what, bool final)
{
	if (!l->suppressed || (!final && clock_ns(CLOCK_MONOTONIC) < l->window_end_ns))
		return;
	fprintf(stderr, "ebpfcap: %llu more %s (not shown one by one)\n", (unsigned long long)l->suppressed, what);
	l->suppressed = 0;
	l->window_end_ns = 0;
}

/* ---- ZAP: the allow-list of the CURVE server side ---- */

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_MAX_IN 1024 /* inproc, from libzmq itself: a bound like any other socket's */
#define ZAP_HWM 64

struct zap_handler {
	void *sock;
	pthread_t thread;
	uint8_t (*keys)[32];
	size_t n_keys, cap;
	uint64_t refused;   /* __atomic: read by the main thread */
	int stop;           /* __atomic */
	bool log;
	struct peer_log log_limit;
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
			if (z->log && peer_log_allow(&z->log_limit))
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
		if (z->log)
			peer_log_summary(&z->log_limit, "peers refused for their key", false);
	}
	if (z->log)
		peer_log_summary(&z->log_limit, "peers refused for their key", true);
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
	    zmq_bound_socket(z->sock, ZAP_MAX_IN, ZAP_HWM) < 0 ||
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

/* ---- socket events ---- */

int zmq_watch_start(void *ctx, void *sock, const char *name, void **watch)
{
	int zero = 0;

	*watch = NULL;
	if (zmq_socket_monitor(sock, name,
			       ZMQ_EVENT_CONNECTED | ZMQ_EVENT_CONNECT_DELAYED | ZMQ_EVENT_CONNECT_RETRIED |
			       ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
			       ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
			       ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) < 0)
		return -1;
	*watch = zmq_socket(ctx, ZMQ_PAIR);
	if (!*watch || zmq_setsockopt(*watch, ZMQ_LINGER, &zero, sizeof(zero)) < 0 ||
	    zmq_bound_socket(*watch, 4096, 1024) < 0)
		return -1;
	return zmq_connect(*watch, name);
}

/* Each event is two frames: u16 event + u32 value, then the endpoint. */
int zmq_watch_next(void *watch, struct zmq_sock_event *ev)
{
	zmq_msg_t head, where;
	int got = 0;

	memset(ev, 0, sizeof(*ev));
	zmq_msg_init(&head);
	if (zmq_msg_recv(&head, watch, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&head);
		return 0;
	}
	if (zmq_msg_size(&head) >= 6) {
		memcpy(&ev->event, zmq_msg_data(&head), 2);
		memcpy(&ev->value, (uint8_t *)zmq_msg_data(&head) + 2, 4);
	}
	zmq_msg_init(&where);
	if (zmq_msg_more(&head) && zmq_msg_recv(&where, watch, 0) >= 0) {
		size_t n = zmq_msg_size(&where) < sizeof(ev->endpoint) ? zmq_msg_size(&where) : sizeof(ev->endpoint) - 1;

		memcpy(ev->endpoint, zmq_msg_data(&where), n);
		got = 1;
	}
	zmq_msg_close(&where);
	zmq_msg_close(&head);
	return got;
}

void zmq_watch_stop(void *sock, void *watch)
{
	if (sock)
		zmq_socket_monitor(sock, NULL, 0);
	if (watch)
		zmq_close(watch);
}

#define REATTACH_MIN_MS 500
#define REATTACH_MAX_MS 5000

void zmq_reattach_note(struct zmq_reattach *r, const struct zmq_sock_event *ev)
{
	switch (ev->event) {
	case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
		r->delay_ms = REATTACH_MIN_MS;
		break;
	case ZMQ_EVENT_CONNECT_DELAYED:
	case ZMQ_EVENT_CONNECT_RETRIED:
	case ZMQ_EVENT_CONNECTED:
		r->at_ns = 0; /* libzmq is on it */
		break;
	case ZMQ_EVENT_DISCONNECTED:
		if (r->delay_ms < REATTACH_MIN_MS)
			r->delay_ms = REATTACH_MIN_MS;
		r->at_ns = clock_ns(CLOCK_MONOTONIC) + (uint64_t)r->delay_ms * 1000000ull;
		r->delay_ms = r->delay_ms * 2 > REATTACH_MAX_MS ? REATTACH_MAX_MS : r->delay_ms * 2;
		break;
	default:
		break;
	}
}

bool zmq_reattach_due(struct zmq_reattach *r, uint64_t now_ns)
{
	if (!r->at_ns || now_ns < r->at_ns)
		return false;
	r->at_ns = 0;
	return true;
}

const char *zmq_handshake_failure(const struct zmq_sock_event *ev)
{
	switch (ev->event) {
	case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
		return "the key was refused (not in the other side's --allowed-keys)";
	case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
		return "the handshake was cut (a wrong --server-key, CURVE on one side only, or not ebpfcap there)";
	case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
		switch (ev->value) {
		case ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH:
			return "one side uses CURVE and the other does not";
		case ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC:
		case ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE:
			return "the CURVE handshake failed (a wrong --server-key?)";
		default:
			return "a protocol error in the handshake (not ebpfcap there?)";
		}
	default:
		return "";
	}
}

/* ---- the exporter ---- */

#define DEFAULT_SNDHWM 256
/* Collectors only subscribe: a frame longer than this from one is an attack (CURVE's INITIATE is ~300 bytes). */
#define EXPORTER_MAX_IN 4096
/* XPUB keeps every (un)subscription it has not handed us: take them faster than a peer can send. */
#define SUBSCRIPTIONS_PER_READ 4096
#define BATCH_BYTES (32 * 1024)   /* a message this full is sent at once */
#define DROP_LOG_INTERVAL_NS (10 * 1000000000ull)
#define SYNC_IDLE_NS (2 * 1000000000ull) /* idle this long: a sync message tells the seq */
#define CLOSE_REPORT_MS 1000      /* close: how long to try to send the last sync */
#define RECONNECT_IVL_MAX_MS 5000 /* libzmq's own back-off, connecting */
#define LINK_WATCH "inproc://ebpfcap-export-monitor"

/* Connecting: what the one connection to the collector does now. */
enum link_state { LINK_STARTING, LINK_UP, LINK_DOWN, LINK_FAILING };

struct link {
	void *watch;
	enum link_state state;
	const char *failure;    /* the failure last said, while FAILING */
	struct zmq_reattach reattach;
	uint64_t failures;      /* failed handshakes since the last success */
	bool ever_up;
	bool subscribed;        /* the collector subscribed since the handshake */
};

struct zmq_exporter {
	void *ctx;
	void *sock;
	struct zap_handler *zap;
	struct ebpf_msg_builder msg;
	bool batch_open;
	bool connect;
	bool sync_due;          /* a collector subscribed: tell it the seq */
	bool closing;           /* the next sync is the goodbye */
	uint64_t stream;
	uint64_t seq;           /* records numbered so far, delivered or dropped */
	uint64_t sent;          /* records in messages handed to ZMQ */
	uint64_t unsubscribed;  /* of those, handed over while no collector listened */
	uint64_t drops;
	uint64_t logged_drops;
	uint64_t next_log_ns;
	uint64_t last_send_ns;
	int subscribers;
	struct peer_log subscription_log;
	bool ever_subscribed;
	bool quiet;
	struct link link;
	char host[64];
	char machine_id[40];
	char endpoint[256];
};

/*
 * Whether a collector gets what we send now. Binding, the subscriptions
 * tell. Connecting, they do not: the one pipe outlives its connections and
 * keeps what any earlier peer subscribed (even a non-ZMQ server's bytes,
 * read as ZMTP 1.0), so only a subscription since the last handshake counts.
 */
static bool listening(const struct zmq_exporter *ex)
{
	return ex->connect ? ex->link.state == LINK_UP && ex->link.subscribed : ex->subscribers > 0;
}

static void begin_batch(struct zmq_exporter *ex)
{
	ebpf_msg_begin(&ex->msg, ex->stream, ex->seq);
	ex->batch_open = true;
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

/*
 * Hands the batch to ZMQ without waiting: a full queue costs the batch,
 * counted. Its records keep their seq numbers either way, so a collector
 * counts the ones it never got from the gap. A batch without records goes
 * as a sync message.
 */
static int send_batch(struct zmq_exporter *ex)
{
	uint64_t records;

	if (!ex->batch_open)
		return 0;
	ex->batch_open = false;
	records = ex->msg.count;
	if (records == 0)
		ebpf_msg_mark_sync(&ex->msg, ex->closing);
	ex->seq += records;
	if (zmq_send(ex->sock, ex->msg.buf, ex->msg.len, ZMQ_DONTWAIT) >= 0) {
		ex->sent += records;
		/* Connecting, the collector was meant to get them; binding, only once there was one. */
		if (!listening(ex) && (ex->connect || ex->ever_subscribed))
			ex->unsubscribed += records;
		if (records == 0)
			ex->sync_due = false;
		ex->last_send_ns = clock_ns(CLOCK_MONOTONIC);
		return 0;
	}
	int err = errno;

	ex->drops += records;
	maybe_log_drops(ex);
	return err == EAGAIN || err == EINTR ? 0 : -err;
}

/* A sync message: the seq so far. 0 once ZMQ took it. */
static int send_sync(struct zmq_exporter *ex)
{
	send_batch(ex);
	ex->sync_due = true;
	begin_batch(ex);
	send_batch(ex);
	return ex->sync_due ? -1 : 0;
}

/* XPUB hands us each collector's (un)subscription: how many are listening. */
static void read_subscriptions(struct zmq_exporter *ex)
{
	for (int i = 0; i < SUBSCRIPTIONS_PER_READ; i++) {
		zmq_msg_t m;

		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, ex->sock, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			break;
		}
		if (zmq_msg_size(&m) >= 1) {
			bool joined = ((uint8_t *)zmq_msg_data(&m))[0] == 1;
			const char *peer = zmq_msg_gets(&m, "Peer-Address");

			ex->subscribers += joined ? 1 : -1;
			if (ex->subscribers < 0)
				ex->subscribers = 0;
			if (joined) {
				ex->ever_subscribed = true;
				ex->link.subscribed = ex->link.state == LINK_UP;
				ex->sync_due = true; /* so it knows where the stream stands */
			}
			if (!ex->quiet && !ex->connect && /* connecting, the link's lines say it */
			    peer_log_allow(&ex->subscription_log))
				fprintf(stderr, "ebpfcap: export: a collector%s%s %s (%d now)%s\n",
					peer ? " at " : "", peer ? peer : "",
					joined ? "subscribed" : "left", ex->subscribers,
					joined ? "" : "; what was queued for it is lost, and it counts that");
		}
		zmq_msg_close(&m);
	}
	if (!ex->quiet)
		peer_log_summary(&ex->subscription_log, "subscriptions or leaves of collectors", false);
}

/* One line per change of what the connection does, never one per retry. */
static void link_say(struct zmq_exporter *ex, enum link_state state, const char *failure)
{
	struct link *l = &ex->link;
	/* Failing, the reason may alternate from try to try: said once, the last one named at the end. */
	bool same = l->state == state;

	l->state = state;
	l->failure = failure;
	if (same || ex->quiet)
		return;
	switch (state) {
	case LINK_UP:
		fprintf(stderr, "ebpfcap: export: connected to %s\n", ex->endpoint);
		break;
	case LINK_DOWN:
		fprintf(stderr, "ebpfcap: export: lost the connection to %s; reconnecting\n", ex->endpoint);
		break;
	case LINK_FAILING:
		fprintf(stderr, "ebpfcap: export: %s refused us: %s; retrying\n", ex->endpoint, failure);
		break;
	default:
		break;
	}
}

static void on_link_event(struct zmq_exporter *ex, const struct zmq_sock_event *ev)
{
	struct link *l = &ex->link;
	const char *failure = zmq_handshake_failure(ev);

	zmq_reattach_note(&l->reattach, ev);
	if (failure[0]) {
		l->failures++;
		link_say(ex, LINK_FAILING, failure);
	} else if (ev->event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
		l->subscribed = false; /* until its subscription comes */
		l->failures = 0;
		l->ever_up = true;
		link_say(ex, LINK_UP, NULL);
	} else if (ev->event == ZMQ_EVENT_DISCONNECTED) {
		l->subscribed = false;
		if (l->state == LINK_UP)
			link_say(ex, LINK_DOWN, NULL);
	}
}

/* Connecting: follows the connection's events and attaches again what libzmq gave up on. */
static void watch_link(struct zmq_exporter *ex)
{
	struct link *l = &ex->link;
	struct zmq_sock_event ev;

	if (!l->watch)
		return;
	for (int i = 0; i < 256 && zmq_watch_next(l->watch, &ev); i++)
		on_link_event(ex, &ev);
	if (zmq_reattach_due(&l->reattach, clock_ns(CLOCK_MONOTONIC))) {
		/* An endpoint is connected once: forget the dead session first. */
		zmq_disconnect(ex->sock, ex->endpoint);
		if (zmq_connect(ex->sock, ex->endpoint) < 0 && !ex->quiet)
			fprintf(stderr, "ebpfcap: export: cannot connect to %s again: %s\n", ex->endpoint,
				zmq_strerror(errno));
	}
}

int zmq_exporter_send(struct zmq_exporter *ex, const uint8_t *record, size_t len)
{
	int rc = 0;

	if (len > EBPF_MSG_MAX_LEN - EBPF_MSG_HEADER_LEN) {
		send_batch(ex);
		ex->seq++; /* numbered like the rest: the gap tells the collector */
		ex->drops++;
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

	watch_link(ex);
	read_subscriptions(ex);
	/* Where the stream stands, for a collector that just came or missed the end of it. */
	if (listening(ex) &&
	    (ex->sync_due || clock_ns(CLOCK_MONOTONIC) - ex->last_send_ns >= SYNC_IDLE_NS))
		send_sync(ex);
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

uint64_t zmq_exporter_unsubscribed(const struct zmq_exporter *ex)
{
	return ex->unsubscribed;
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

		watch_link(ex);
		read_subscriptions(ex);
		if (listening(ex))
			return 0;
		if (clock_ns(CLOCK_MONOTONIC) >= deadline)
			return -1;
		zmq_poll(&item, 1, 50);
	}
}

/* Heartbeats find a collector that vanished without a FIN, so its queue stops counting. */
static int set_common_options(void *sock, int sndhwm)
{
	return zmq_bound_socket(sock, EXPORTER_MAX_IN, DEFAULT_SNDHWM) ||
	       set_int(sock, ZMQ_SNDHWM, sndhwm) || set_int(sock, ZMQ_LINGER, 0) ||
	       set_int(sock, ZMQ_XPUB_NODROP, 1) || set_int(sock, ZMQ_XPUB_VERBOSER, 1) ||
	       set_int(sock, ZMQ_HEARTBEAT_IVL, 2000) || set_int(sock, ZMQ_HEARTBEAT_TIMEOUT, 6000) ||
	       set_int(sock, ZMQ_TCP_KEEPALIVE, 1) ||
	       set_int(sock, ZMQ_RECONNECT_IVL, 100) || set_int(sock, ZMQ_RECONNECT_IVL_MAX, RECONNECT_IVL_MAX_MS) ? -1 : 0;
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

/*
 * Who can read the events: tcp:// is whoever reaches the port (on loopback,
 * every local user), so it takes CURVE or --insecure; ipc:// is who may
 * enter the socket's directory.
 */
static int check_audience(const struct zmq_export_options *o, const char *ep)
{
	if (strncmp(ep, "tcp://", 6) != 0 || o->secret_key || o->server_key || o->insecure)
		return 0;
	fprintf(stderr, "ebpfcap: --export=%s without CURVE would let %s read every connection of this host: "
		"give --secret-key (docs/REMOTE.md), or --insecure to publish in clear anyway\n",
		ep, endpoint_is_local(ep) ? "every local user" : "whoever reaches it");
	return -1;
}

/*
 * The default directory, if nobody made it yet (make install and
 * tmpfiles.d do): root:wireshark 3770, so group wireshark can enter and
 * bind there too (setgid: sockets get the group; sticky: each keeps its own).
 */
static void make_export_dir(void)
{
	struct group *g = getgrnam(ZMQ_EXPORT_GROUP);

	if (geteuid() != 0 || mkdir(ZMQ_EXPORT_DIR, 0700) < 0)
		return;
	if (g && chown(ZMQ_EXPORT_DIR, 0, g->gr_gid) == 0)
		chmod(ZMQ_EXPORT_DIR, 03770);
}

static int bind_endpoint(struct zmq_exporter *ex)
{
	mode_t mask;
	int rc;

	if (strcmp(ex->endpoint, ZMQ_EXPORT_DEFAULT_ENDPOINT) == 0)
		make_export_dir();
	/* The directory decides who reads: the socket itself open to its group. */
	mask = umask(0007);
	rc = zmq_bind(ex->sock, ex->endpoint);
	umask(mask);
	return rc;
}

static int attach_endpoint(struct zmq_exporter *ex, const struct zmq_export_options *o)
{
	int rc;

	if (check_audience(o, ex->endpoint) < 0)
		return -1;
	rc = o->connect ? zmq_connect(ex->sock, ex->endpoint) : bind_endpoint(ex);
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
	ex->connect = o->connect;
	if (o->connect && zmq_watch_start(ex->ctx, ex->sock, LINK_WATCH, &ex->link.watch) < 0) {
		fprintf(stderr, "ebpfcap: cannot watch the ZMQ socket: %s\n", zmq_strerror(errno));
		goto fail;
	}
	if (setup_curve(ex, o) < 0 || attach_endpoint(ex, o) < 0)
		goto fail;
	return ex;
fail:
	zmq_watch_stop(ex->sock, ex->link.watch);
	if (ex->sock)
		zmq_close(ex->sock);
	zap_handler_stop(ex->zap);
	if (ex->ctx)
		zmq_ctx_term(ex->ctx);
	free(ex);
	return NULL;
}

/* What the collectors never got, as far as this side knows; -1 when a connecting exporter never got in. */
static int say_undelivered(struct zmq_exporter *ex)
{
	const struct link *l = &ex->link;

	if (!ex->quiet)
		peer_log_summary(&ex->subscription_log, "subscriptions or leaves of collectors", true);
	if (ex->quiet)
		return ex->connect && !l->ever_up ? -1 : 0;
	if (ex->drops)
		fprintf(stderr, "ebpfcap: export: %llu of %llu records dropped because no collector kept up\n",
			(unsigned long long)ex->drops, (unsigned long long)(ex->drops + ex->sent));
	if (ex->unsubscribed)
		fprintf(stderr, "ebpfcap: export: %llu records sent while no collector was subscribed: not delivered\n",
			(unsigned long long)ex->unsubscribed);
	if (!ex->connect || l->ever_up)
		return 0;
	fprintf(stderr, "ebpfcap: export: never connected to %s%s%s\n", ex->endpoint,
		l->failures ? ": " : "", l->failures ? l->failure : "");
	return -1;
}

int zmq_exporter_close(struct zmq_exporter *ex)
{
	int linger = CLOSE_REPORT_MS, rc;

	if (!ex)
		return 0;
	send_batch(ex);
	watch_link(ex);
	read_subscriptions(ex);
	/* The last seq, so a collector counts what it missed at the end too. Bounded: a daemon told to stop stops. */
	ex->closing = true;
	for (int i = 0; listening(ex) && i < CLOSE_REPORT_MS / 10 && send_sync(ex) < 0; i++)
		usleep(10000);
	rc = say_undelivered(ex);
	zmq_watch_stop(ex->sock, ex->link.watch);
	zmq_setsockopt(ex->sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_close(ex->sock);
	zap_handler_stop(ex->zap);
	zmq_ctx_term(ex->ctx);
	free(ex);
	return rc;
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
