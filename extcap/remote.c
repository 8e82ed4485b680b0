/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The collector loop: ZMQ SUB on every endpoint -> check each message ->
 * records -> pcapng -> fifo. Everything it reads comes from the network, so
 * a message is parsed whole before any of it is written, and a bad one is
 * counted and dropped. One thread, one poll(): the socket (ZMQ_FD), the
 * signals and the reader's end of the fifo, as in capture.c.
 */
#include "remote.h"
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "pcapio/exported_pdu.h"
#include "pcapio/pcapng.h"
#include "utils/record.h"
#include "utils/zmq_transport.h"
#include "utils/clock.h"

#define STOP_COUNT_REACHED (-ECANCELED)
#define MAX_ENDPOINTS 64
#define MAX_STREAMS 256     /* exporters remembered for loss counting */
#define RECV_BURST 256      /* messages per poll round, so signals are seen */
#define RCVHWM 256          /* messages queued per exporter */
#define MONITOR_ENDPOINT "inproc://ebpfcap-remote-monitor"
#define REATTACH_AFTER_NS 1000000000ull

/* One address of --remote-endpoints, and what its connection went through. */
struct endpoint {
	char address[256];
	char server_key[41];         /* "" without CURVE */
	uint64_t reattach_at_ns;     /* 0: nothing to check */
	uint64_t reattached;         /* times libzmq gave up and we attached again */
	uint64_t handshake_failures;
};

/* One exporter run, known by its random stream id. */
struct stream {
	uint64_t id;
	uint64_t next_seq;
	uint64_t last_used;
	bool used;
};

struct collector {
	const struct remote_options *opts;
	void *ctx;
	void *sub;
	void *monitor;          /* the socket's events (PAIR) */
	struct zap_handler *zap;
	struct endpoint ep[MAX_ENDPOINTS];
	int n_ep;
	struct pcapng_writer *out;
	struct printer *lines;  /* no fifo: lines on standard output instead of out */
	int events_if;
	struct stream streams[MAX_STREAMS];
	uint64_t messages;
	uint64_t written;
	uint64_t filtered;
	uint64_t malformed;
	uint64_t lost;          /* records missing from a stream's sequence */
	const char *last_why;
	bool in_multipart;      /* skipping the rest of a multi-part message */
	bool have_first;        /* the message's first record: names its losses */
	char first_host[64];
	char first_machine_id[40];
	uint64_t first_ts;
};

/* rec is bytes decoded: the printer takes the one, the pcapng file the other. */
static int write_bytes(struct collector *c, const struct ebpf_record *rec, const uint8_t *bytes, size_t len)
{
	uint8_t buf[64 + EBPF_MSG_MAX_LEN];
	size_t hdr = exported_pdu_header_len();
	uint64_t ts_ns = rec->ev.timestamp_ns;

	if (c->lines)
		return printer_record(c->lines, rec);
	exported_pdu_write_header(buf);
	memcpy(buf + hdr, bytes, len); /* len <= EBPF_MSG_MAX_LEN: it came out of one message */
	if (pcapng_write_packet(c->out, (uint32_t)c->events_if, ts_ns, buf, (uint32_t)(hdr + len),
				(uint32_t)(hdr + len), NULL) < 0)
		return -errno;
	return 0;
}

/* The local capture's filters; loss reports always pass. */
static bool wanted(const struct remote_options *o, const struct ebpf_event *ev)
{
	if (ev->type == EBPF_CAPTURE_DROPS)
		return true;
	if (o->event_type_mask && ev->type < 32 && !(o->event_type_mask & (1u << ev->type)))
		return false;
	if (o->pid && ev->pid != o->pid && ev->ppid != o->pid)
		return false;
	if (o->comm && strncmp(ev->comm, o->comm, sizeof(ev->comm)) != 0)
		return false;
	if (o->by_uid && ev->uid != o->uid)
		return false;
	if (o->port && ev->sport != o->port && ev->dport != o->port)
		return false;
	return !o->family || ev->family == o->family;
}

/* The record's own bytes go out as they came: a newer exporter's TLVs survive. */
static int on_record(const struct ebpf_record *rec, const uint8_t *bytes, size_t len, void *ctx)
{
	struct collector *c = ctx;
	int rc;

	if (!c->have_first) {
		c->have_first = true;
		c->first_ts = rec->ev.timestamp_ns;
		ebpf_copy_string(c->first_host, sizeof(c->first_host), rec->host);
		ebpf_copy_string(c->first_machine_id, sizeof(c->first_machine_id), rec->machine_id);
	}
	if (!wanted(c->opts, &rec->ev)) {
		c->filtered++;
		return 0;
	}
	rc = write_bytes(c, rec, bytes, len);
	if (rc < 0)
		return rc;
	c->written++;
	if (c->opts->max_events && c->written >= c->opts->max_events)
		return STOP_COUNT_REACHED;
	return 0;
}

static struct stream *find_stream(struct collector *c, uint64_t id, bool *is_new)
{
	struct stream *oldest = &c->streams[0];

	for (int i = 0; i < MAX_STREAMS; i++) {
		struct stream *s = &c->streams[i];

		if (s->used && s->id == id) {
			*is_new = false;
			return s;
		}
		if (!s->used || (oldest->used && s->last_used < oldest->last_used))
			oldest = s;
	}
	*is_new = true;
	memset(oldest, 0, sizeof(*oldest));
	oldest->used = true;
	oldest->id = id;
	return oldest;
}

/*
 * Records that left an exporter but never arrived (a collector that
 * reconnected loses what was queued) become a Capture_Drops record, like
 * the exporter's own losses: nothing is lost silently.
 */
static int account_sequence(struct collector *c, const struct ebpf_msg_info *info)
{
	bool is_new;
	struct stream *s = find_stream(c, info->stream, &is_new);
	uint64_t gap = !is_new && info->seq > s->next_seq ? info->seq - s->next_seq : 0;

	s->next_seq = info->seq + info->count;
	s->last_used = c->messages;
	if (!gap)
		return 0;
	c->lost += gap;

	struct ebpf_record rec;
	uint8_t buf[EBPF_RECORD_MAX_WIRE];
	size_t n;

	ebpf_drops_record(&rec, EBPF_DROP_TRANSIT, gap, c->first_ts, c->first_host, c->first_machine_id);
	n = ebpf_record_encode(&rec, buf, sizeof(buf));
	return n ? write_bytes(c, &rec, buf, n) : 0;
}

static void count_malformed(struct collector *c, const char *why)
{
	c->malformed++;
	c->last_why = why;
	if (c->opts->debug)
		fprintf(stderr, "ebpfcap: remote: dropped a message: %s\n", why);
}

static int handle_message(struct collector *c, zmq_msg_t *m)
{
	struct ebpf_msg_info info;
	const char *why;
	bool more = zmq_msg_more(m);
	int rc;

	/* Ours are one frame: the first frame of more is garbage, the rest is skipped. */
	if (c->in_multipart || more) {
		if (!c->in_multipart)
			count_malformed(c, "multi-part message");
		c->in_multipart = more;
		return 0;
	}
	c->messages++;
	c->have_first = false;
	rc = ebpf_msg_parse(zmq_msg_data(m), zmq_msg_size(m), &info, on_record, c, &why);
	if (rc == -EBADMSG) {
		count_malformed(c, why);
		return 0;
	}
	if (rc < 0 && rc != STOP_COUNT_REACHED)
		return rc;
	int rc2 = account_sequence(c, &info);

	return rc < 0 ? rc : rc2;
}

/* Reads what is waiting, at most RECV_BURST messages. 1: more may wait. */
static int receive_burst(struct collector *c)
{
	for (int i = 0; i < RECV_BURST; i++) {
		zmq_msg_t m;
		int rc;

		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, c->sub, ZMQ_DONTWAIT) < 0) {
			int err = errno;

			zmq_msg_close(&m);
			return err == EAGAIN || err == EINTR ? 0 : -err;
		}
		rc = handle_message(c, &m);
		zmq_msg_close(&m);
		if (rc < 0)
			return rc;
	}
	return 1;
}

static int set_int(void *sock, int option, int value)
{
	return zmq_setsockopt(sock, option, &value, sizeof(value));
}

/*
 * libzmq refuses frames above EBPF_MSG_MAX_LEN before allocating them, and
 * heartbeats notice an exporter that vanished without a FIN, so we reconnect.
 */
static int set_sub_options(void *sub)
{
	int64_t max = EBPF_MSG_MAX_LEN;

	return zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0) ||
	       zmq_setsockopt(sub, ZMQ_MAXMSGSIZE, &max, sizeof(max)) ||
	       set_int(sub, ZMQ_RCVHWM, RCVHWM) || set_int(sub, ZMQ_LINGER, 0) ||
	       set_int(sub, ZMQ_RECONNECT_IVL, 100) || set_int(sub, ZMQ_RECONNECT_IVL_MAX, 2000) ||
	       set_int(sub, ZMQ_HEARTBEAT_IVL, 2000) || set_int(sub, ZMQ_HEARTBEAT_TIMEOUT, 6000) ||
	       set_int(sub, ZMQ_TCP_KEEPALIVE, 1) ? -1 : 0;
}

/* "tcp://a:5556, tcp://b:5556|KEY": '|' is not in the Z85 alphabet. */
static int split_endpoints(struct collector *c, char *list, const char **key_arg)
{
	char *save = NULL;

	c->n_ep = 0;
	for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *bar = strchr(t, '|');

		if (bar)
			*bar = '\0';
		while (*t == ' ')
			t++;
		for (char *e = t + strlen(t); e > t && e[-1] == ' '; )
			*--e = '\0';
		if (*t == '\0')
			continue;
		if (c->n_ep == MAX_ENDPOINTS || strlen(t) >= sizeof(c->ep[0].address)) {
			fprintf(stderr, "ebpfcap: too many or too long remote endpoints (at most %d)\n", MAX_ENDPOINTS);
			return -1;
		}
		strcpy(c->ep[c->n_ep].address, t);
		key_arg[c->n_ep++] = bar ? bar + 1 : NULL;
	}
	if (c->n_ep == 0) {
		fprintf(stderr, "ebpfcap: --remote-endpoints names no endpoint (e.g. tcp://127.0.0.1:5556)\n");
		return -1;
	}
	return 0;
}

/* Binding: the collector is the CURVE server and must know who may send. */
static int setup_bind_security(struct collector *c, const char **key_arg)
{
	const struct remote_options *o = c->opts;

	for (int i = 0; i < c->n_ep; i++)
		if (key_arg[i] || o->server_key) {
			fprintf(stderr, "ebpfcap: --server-key is for connecting: with --remote-bind the collector "
				"is the CURVE server (give --secret-key and --allowed-keys)\n");
			return -1;
		}
	/* Unlike an exporter's readers, senders must be known: anyone could send records. */
	if (o->secret_key && !o->allowed_keys) {
		fprintf(stderr, "ebpfcap: --remote-bind with --secret-key needs --allowed-keys "
			"(the exporters' public keys): otherwise anyone could send records\n");
		return -1;
	}
	return zmq_curve_server(c->ctx, c->sub, o->secret_key, o->allowed_keys, false, &c->zap);
}

/* Connecting: the collector is a CURVE client and checks each exporter's key. */
static int setup_connect_security(struct collector *c, const char **key_arg)
{
	const struct remote_options *o = c->opts;
	char secret[41], public_key[41];
	bool curve = o->server_key != NULL;

	for (int i = 0; i < c->n_ep; i++)
		curve |= key_arg[i] != NULL;
	if (o->allowed_keys) {
		fprintf(stderr, "ebpfcap: --allowed-keys is for --remote-bind: a connecting collector "
			"checks exporters by --server-key\n");
		return -1;
	}
	if (!curve) {
		if (!o->secret_key)
			return 0;
		fprintf(stderr, "ebpfcap: --secret-key without --remote-bind needs --server-key (the exporters' public key)\n");
		return -1;
	}
	/* All or none: an endpoint left in clear would take records from anyone. */
	for (int i = 0; i < c->n_ep; i++) {
		const char *arg = key_arg[i] ? key_arg[i] : o->server_key;

		if (!arg) {
			fprintf(stderr, "ebpfcap: remote endpoint %s has no server key (give --server-key or %s|KEY)\n",
				c->ep[i].address, c->ep[i].address);
			return -1;
		}
		if (zmq_load_public_key(arg, c->ep[i].server_key) < 0)
			return -1;
	}
	if (o->secret_key ? zmq_load_secret_key(o->secret_key, secret, public_key) < 0
			  : zmq_curve_keypair(public_key, secret) != 0)
		return -1;
	return zmq_setsockopt(c->sub, ZMQ_CURVE_PUBLICKEY, public_key, 40) ||
	       zmq_setsockopt(c->sub, ZMQ_CURVE_SECRETKEY, secret, 40) ? -1 : 0;
}

/* Socket options are taken at connect time: each endpoint keeps its own server key. */
static int attach_endpoint(struct collector *c, struct endpoint *ep)
{
	if (ep->server_key[0] && zmq_setsockopt(c->sub, ZMQ_CURVE_SERVERKEY, ep->server_key, 40) < 0)
		return -1;
	if ((c->opts->bind ? zmq_bind(c->sub, ep->address) : zmq_connect(c->sub, ep->address)) < 0) {
		fprintf(stderr, "ebpfcap: cannot %s %s: %s\n", c->opts->bind ? "bind" : "connect to",
			ep->address, zmq_strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The socket's events tell us what libzmq does not: a connection ended by
 * a protocol error (a frame over ZMQ_MAXMSGSIZE, a CURVE mechanism
 * mismatch) is never retried, so we attach that endpoint again; and a
 * handshake that keeps failing means wrong keys, worth saying at the end.
 */
static int start_monitor(struct collector *c)
{
	int zero = 0;

	if (zmq_socket_monitor(c->sub, MONITOR_ENDPOINT,
			       ZMQ_EVENT_CONNECTED | ZMQ_EVENT_CONNECT_DELAYED | ZMQ_EVENT_CONNECT_RETRIED |
			       ZMQ_EVENT_DISCONNECTED |
			       ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
			       ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) < 0)
		return -1;
	c->monitor = zmq_socket(c->ctx, ZMQ_PAIR);
	if (!c->monitor || zmq_setsockopt(c->monitor, ZMQ_LINGER, &zero, sizeof(zero)) < 0)
		return -1;
	return zmq_connect(c->monitor, MONITOR_ENDPOINT);
}

static struct endpoint *endpoint_named(struct collector *c, const char *name, size_t len)
{
	for (int i = 0; i < c->n_ep; i++)
		if (strlen(c->ep[i].address) == len && memcmp(c->ep[i].address, name, len) == 0)
			return &c->ep[i];
	return NULL;
}

static void on_socket_event(struct collector *c, uint16_t event, struct endpoint *ep)
{
	switch (event) {
	case ZMQ_EVENT_CONNECTED:
	case ZMQ_EVENT_CONNECT_DELAYED:
	case ZMQ_EVENT_CONNECT_RETRIED:
		ep->reattach_at_ns = 0; /* libzmq is on it */
		break;
	case ZMQ_EVENT_DISCONNECTED:
		/* A retry follows at once unless libzmq gave up on the endpoint. */
		if (!c->opts->bind)
			ep->reattach_at_ns = clock_ns(CLOCK_MONOTONIC) + REATTACH_AFTER_NS;
		break;
	default: /* ZMQ_EVENT_HANDSHAKE_FAILED_*; when binding, the key check counts them */
		if (!c->opts->bind)
			ep->handshake_failures++;
		break;
	}
}

/* Each event is two frames: u16 event + u32 value, then the endpoint. 1: more may wait. */
static int read_monitor(struct collector *c)
{
	for (int i = 0; i < 256; i++) {
		zmq_msg_t head, where;
		uint16_t event = 0;

		zmq_msg_init(&head);
		if (zmq_msg_recv(&head, c->monitor, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&head);
			return 0;
		}
		if (zmq_msg_size(&head) >= 2)
			memcpy(&event, zmq_msg_data(&head), 2);
		zmq_msg_init(&where);
		if (zmq_msg_more(&head) && zmq_msg_recv(&where, c->monitor, 0) >= 0) {
			struct endpoint *ep = endpoint_named(c, zmq_msg_data(&where), zmq_msg_size(&where));

			if (c->opts->debug)
				fprintf(stderr, "ebpfcap: remote: socket event %#x on %.*s\n", event,
					(int)zmq_msg_size(&where), (char *)zmq_msg_data(&where));
			if (ep)
				on_socket_event(c, event, ep);
		}
		zmq_msg_close(&where);
		zmq_msg_close(&head);
	}
	return 1;
}

/* Attaches again what libzmq gave up on; returns ms until the next check, or -1. */
static int reattach_due(struct collector *c)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC), next = 0;

	for (int i = 0; i < c->n_ep; i++) {
		struct endpoint *ep = &c->ep[i];

		if (!ep->reattach_at_ns)
			continue;
		if (now >= ep->reattach_at_ns) {
			ep->reattach_at_ns = 0;
			ep->reattached++;
			if (c->opts->debug)
				fprintf(stderr, "ebpfcap: remote: attaching %s again\n", ep->address);
			/* A SUB connects once per address: forget the dead session first. */
			zmq_disconnect(c->sub, ep->address);
			attach_endpoint(c, ep);
		} else if (!next || ep->reattach_at_ns < next) {
			next = ep->reattach_at_ns;
		}
	}
	return next ? (int)((next - now) / 1000000 + 1) : -1;
}

static int open_subscriber(struct collector *c)
{
	const char *key_arg[MAX_ENDPOINTS];
	char *list = strdup(c->opts->endpoints ? c->opts->endpoints : ZMQ_EXPORT_DEFAULT_ENDPOINT);
	int rc = -1;

	c->ctx = zmq_ctx_new();
	c->sub = c->ctx ? zmq_socket(c->ctx, ZMQ_SUB) : NULL;
	if (!list || !c->sub || set_sub_options(c->sub) < 0 || start_monitor(c) < 0) {
		fprintf(stderr, "ebpfcap: cannot make a ZMQ socket: %s\n", zmq_strerror(errno));
		goto out;
	}
	if (split_endpoints(c, list, key_arg) < 0)
		goto out;
	if (c->opts->bind ? setup_bind_security(c, key_arg) < 0 : setup_connect_security(c, key_arg) < 0)
		goto out;
	rc = 0;
	for (int i = 0; i < c->n_ep && rc == 0; i++)
		rc = attach_endpoint(c, &c->ep[i]);
out:
	free(list);
	return rc;
}

static void close_subscriber(struct collector *c)
{
	if (c->sub) {
		zmq_socket_monitor(c->sub, NULL, 0);
		zmq_close(c->sub);
	}
	if (c->monitor)
		zmq_close(c->monitor);
	zap_handler_stop(c->zap);
	if (c->ctx)
		zmq_ctx_term(c->ctx);
}

enum stop_reason { STOP_SIGNAL, STOP_READER_GONE, STOP_COUNT, STOP_ERROR };

static enum stop_reason collect_loop(struct collector *c, int sig_fd, int out_fd)
{
	int zfd, mfd;
	size_t size = sizeof(int);
	int more = 1;

	if (zmq_getsockopt(c->sub, ZMQ_FD, &zfd, &size) < 0 ||
	    zmq_getsockopt(c->monitor, ZMQ_FD, &mfd, &size) < 0)
		return STOP_ERROR;
	struct pollfd fds[4] = {
		{ .fd = zfd, .events = POLLIN },
		{ .fd = sig_fd, .events = POLLIN },
		{ .fd = out_fd, .events = 0 }, /* POLLERR once a fifo's reader closes */
		{ .fd = mfd, .events = POLLIN },
	};

	for (;;) {
		int check_ms = reattach_due(c);
		int timeout = more ? 0 : check_ms >= 0 && check_ms < 200 ? check_ms : 200;

		/* ZMQ_FD is edge-triggered: block only once both sockets were read dry. */
		if (poll(fds, 4, timeout) < 0 && errno != EINTR)
			return STOP_ERROR;
		if (fds[1].revents)
			return STOP_SIGNAL;
		if (fds[2].revents & (POLLERR | POLLHUP))
			return STOP_READER_GONE;
		int events_left = read_monitor(c);

		more = receive_burst(c);
		if (more >= 0 && c->lines && printer_flush(c->lines) < 0)
			more = -EPIPE;
		if (more == STOP_COUNT_REACHED)
			return STOP_COUNT;
		if (more == -EPIPE)
			return STOP_READER_GONE;
		if (more < 0) {
			fprintf(stderr, "ebpfcap: remote capture failed: %s\n", strerror(-more));
			return STOP_ERROR;
		}
		more |= events_left;
	}
}

/* Endpoints whose handshakes failed: wrong keys, or CURVE on one side only. */
static void describe_failed_handshakes(const struct collector *c, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < c->n_ep && off < size; i++)
		if (c->ep[i].handshake_failures)
			off += (size_t)snprintf(buf + off, size - off, "%s %s (%llu)", off ? "," : "; handshakes failed with",
						c->ep[i].address, (unsigned long long)c->ep[i].handshake_failures);
	if (off && off < size)
		snprintf(buf + off, size - off, ": check --server-key and that both sides use CURVE");
}

/* Quiet unless something was lost: Wireshark shows any stderr as an error. */
static void say_summary(const struct collector *c)
{
	uint64_t refused = zap_handler_refused(c->zap), reattached = 0;
	char failed[1024];

	for (int i = 0; i < c->n_ep; i++)
		reattached += c->ep[i].reattached;
	describe_failed_handshakes(c, failed, sizeof(failed));
	if (c->malformed || c->lost || refused || reattached || failed[0] || c->opts->debug)
		fprintf(stderr, "ebpfcap: remote: %llu malformed messages dropped%s%s%s, "
			"%llu records lost in transit, %llu connections refused by key, "
			"%llu connections cut for protocol errors%s; %llu records written\n",
			(unsigned long long)c->malformed, c->last_why ? " (last: " : "",
			c->last_why ? c->last_why : "", c->last_why ? ")" : "",
			(unsigned long long)c->lost, (unsigned long long)refused,
			(unsigned long long)reattached, failed, (unsigned long long)c->written);
}

static int check_options(const struct remote_options *o)
{
	if (o->capture_filter && *o->capture_filter) {
		fprintf(stderr, "ebpfcap: capture filters do not apply to remote eBPF events; "
			"use the interface options (event types, process) or a display filter\n");
		return -1;
	}
	return 0;
}

/* The fifo or file as pcapng; STDOUT_FILENO (to poll) when lines go there instead. */
static int open_output(struct collector *c, const char *fifo)
{
	int out_fd;

	if (!fifo) {
		c->lines = printer_open(stdout, &c->opts->print);
		return c->lines ? STDOUT_FILENO : -1;
	}
	out_fd = session_open_output(fifo);
	if (out_fd < 0)
		return -1;
	c->out = pcapng_writer_open(out_fd, "ebpfcap remote");
	if (!c->out) {
		fprintf(stderr, "ebpfcap: cannot write to '%s': %s\n", fifo, strerror(errno));
		close(out_fd);
		return -1;
	}
	c->events_if = pcapng_add_interface(c->out, LINKTYPE_WIRESHARK_UPPER_PDU, 0,
					    IFACE_REMOTE, IFACE_REMOTE_DISPLAY);
	if (c->events_if < 0) {
		fprintf(stderr, "ebpfcap: cannot write to '%s': %s\n", fifo, strerror(errno));
		return -1;
	}
	return out_fd;
}

int remote_capture_run(const struct remote_options *o, const char *fifo)
{
	struct collector *c = calloc(1, sizeof(*c));
	int sig_fd = -1, out_fd, status = 1;

	if (!c || check_options(o) < 0) {
		free(c);
		return 1;
	}
	c->opts = o;
	sig_fd = session_stop_signals_fd(o->from_wireshark);
	if (open_subscriber(c) < 0)
		goto out;
	out_fd = open_output(c, fifo);
	if (out_fd < 0)
		goto out;
	enum stop_reason why = collect_loop(c, sig_fd, out_fd);

	say_summary(c);
	status = why == STOP_ERROR ? 1 : 0;
out:
	close_subscriber(c);
	pcapng_writer_close(c->out);
	printer_close(c->lines);
	if (sig_fd >= 0)
		close(sig_fd);
	free(c);
	return status;
}
