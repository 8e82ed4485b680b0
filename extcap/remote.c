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
#include "utils/record/record.h"
#include "utils/transport/curve_keys.h"
#include "utils/transport/exporter.h"
#include "utils/transport/peer_limits.h"
#include "utils/transport/sock_events.h"
#include "utils/transport/zap.h"
#include "utils/transport/zmq_msg.h"
#include "utils/clock.h"

#define MAX_ENDPOINTS 64
#define MAX_STREAMS 256     /* exporters remembered for loss counting */
#define RECV_BURST 256      /* messages per poll round, so signals are seen */
#define RCVHWM 16           /* messages queued per exporter: at most 1 MiB each (x ZMQ_COLLECTOR_MAX_IN) */
#define MONITOR_ENDPOINT "inproc://ebpfcap-remote-monitor"

/* One address of --remote-endpoints, and what its connection went through. */
struct endpoint {
	char address[256];
	char server_key[41];         /* "" without CURVE */
	struct zmq_reattach reattach;
	uint64_t reattached;         /* times libzmq gave up and we attached again */
	uint64_t handshake_failures; /* other than a key our --allowed-keys refused */
	uint64_t handshakes_ok;
	uint64_t refused;            /* handshakes our --allowed-keys refused */
	uint64_t ended;              /* binding: connections that ended */
	const char *last_failure;
};

/* One exporter run, known by its random stream id. */
struct stream {
	uint64_t id;
	struct ebpf_stream_tally tally;
	uint64_t last_used;
	bool used;
	char host[64];          /* of its last record: names its losses */
	char machine_id[40];
};

struct collector {
	struct session *s;
	const struct options *opts;
	void *ctx;
	void *sub;
	void *monitor;          /* the socket's events (PAIR) */
	struct zap_handler *zap;
	struct endpoint ep[MAX_ENDPOINTS];
	int n_ep;
	struct stream streams[MAX_STREAMS];
	uint64_t messages;
	uint64_t malformed;
	uint64_t lost;          /* records missing from a stream's sequence */
	uint64_t goodbyes;      /* exporters that said they close (EBPF_MSG_FLAG_FINAL) */
	const char *last_why;
	bool in_multipart;      /* skipping the rest of a multi-part message */
	bool have_first;        /* the message's first record: names its stream's host */
	char first_host[64];
	char first_machine_id[40];
};

/* The record's own bytes go out as they came: a newer exporter's TLVs survive. */
static int on_record(const struct ebpf_record *rec, const uint8_t *bytes, size_t len, void *ctx)
{
	struct collector *c = ctx;

	if (!c->have_first) {
		c->have_first = true;
		ebpf_copy_string(c->first_host, sizeof(c->first_host), rec->host);
		ebpf_copy_string(c->first_machine_id, sizeof(c->first_machine_id), rec->machine_id);
	}
	return session_offer(c->s, rec, bytes, len);
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

/* Each message counts in its stream's tally; its first record names the stream's host. */
static void account_sequence(struct collector *c, const struct ebpf_msg_info *info)
{
	bool is_new;
	struct stream *s = find_stream(c, info->stream, &is_new);

	ebpf_stream_tally_add(&s->tally, info);
	s->last_used = c->messages;
	if (c->have_first) {
		ebpf_copy_string(s->host, sizeof(s->host), c->first_host);
		ebpf_copy_string(s->machine_id, sizeof(s->machine_id), c->first_machine_id);
	}
}

/*
 * Records that left an exporter but never arrived (dropped for a full
 * queue, lost with a connection cut after a stall, sent while we were not
 * subscribed) become a Capture_Drops record with that exporter's host, like
 * a local capture's losses: nothing is lost silently. Called with the queue
 * read dry, so a late message from another connection is counted in first.
 */
static int report_losses(struct collector *c)
{
	for (int i = 0; i < MAX_STREAMS; i++) {
		struct stream *s = &c->streams[i];
		uint64_t loss = s->used ? ebpf_stream_tally_take_loss(&s->tally) : 0;
		struct ebpf_record rec;

		if (!loss)
			continue;
		c->lost += loss;
		ebpf_drops_record(&rec, EBPF_DROP_TRANSIT, loss, clock_ns(CLOCK_REALTIME), s->host, s->machine_id);
		if (session_write(c->s, &rec, NULL, 0) < 0)
			return -1;
	}
	return 0;
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
	if (rc < 0 && c->s->stop != SESSION_COUNT_REACHED)
		return session_check(c->s, rc);
	account_sequence(c, &info);
	if (info.flags & EBPF_MSG_FLAG_FINAL)
		c->goodbyes++;
	return rc < 0 ? -1 : 0;
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
			return err == EAGAIN || err == EINTR ? 0 : session_check(c->s, -err);
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
 * libzmq refuses frames above one message before allocating them, and
 * heartbeats notice an exporter that vanished without a FIN, so we reconnect.
 * Not when binding: there the exporters reconnect, and libzmq 4.3.4 aborts
 * (assert !_io_error in stream_engine_base.cpp out_event) when a heartbeat
 * falls due on a connection that is gone while its queue is full, which
 * any local peer could cause against a stalled reader (test/e2e/t_security.sh).
 */
static int set_sub_options(void *sub, bool bind)
{
	return zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0) ||
	       zmq_bound_socket(sub, ZMQ_COLLECTOR_MAX_IN, RCVHWM) || set_int(sub, ZMQ_LINGER, 0) ||
	       set_int(sub, ZMQ_RECONNECT_IVL, 100) || set_int(sub, ZMQ_RECONNECT_IVL_MAX, 2000) ||
	       (!bind && (set_int(sub, ZMQ_HEARTBEAT_IVL, 2000) || set_int(sub, ZMQ_HEARTBEAT_TIMEOUT, 6000))) ||
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
	const struct options *o = c->opts;

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
	const struct options *o = c->opts;
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
	return zmq_curve_client(c->sub, o->secret_key);
}

/* Socket options are taken at connect time: each endpoint keeps its own server key. */
static int attach_endpoint(struct collector *c, struct endpoint *ep)
{
	if (ep->server_key[0] && zmq_setsockopt(c->sub, ZMQ_CURVE_SERVERKEY, ep->server_key, 40) < 0)
		return -1;
	if ((c->opts->remote_bind ? zmq_bind(c->sub, ep->address) : zmq_connect(c->sub, ep->address)) < 0) {
		fprintf(stderr, "ebpfcap: cannot %s %s: %s\n", c->opts->remote_bind ? "bind" : "connect to",
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
	return zmq_watch_start(c->ctx, c->sub, MONITOR_ENDPOINT, &c->monitor);
}

static struct endpoint *endpoint_named(struct collector *c, const char *name)
{
	for (int i = 0; i < c->n_ep; i++)
		if (strcmp(c->ep[i].address, name) == 0)
			return &c->ep[i];
	return NULL;
}

static void on_socket_event(struct collector *c, const struct zmq_sock_event *ev, struct endpoint *ep)
{
	const char *failure = zmq_handshake_failure(ev);

	if (failure[0]) {
		/* Binding, the key check counts the keys it refused; the rest are failures of their own. */
		if (!c->opts->remote_bind || ev->event != ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
			ep->handshake_failures++;
			ep->last_failure = failure;
		} else {
			ep->refused++;
		}
		return;
	}
	if (ev->event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED)
		ep->handshakes_ok++;
	if (ev->event == ZMQ_EVENT_DISCONNECTED)
		ep->ended++;
	if (!c->opts->remote_bind) /* binding, the exporters come back by themselves */
		zmq_reattach_note(&ep->reattach, ev);
}

/* 1: more events may wait. */
static int read_monitor(struct collector *c)
{
	struct zmq_sock_event ev;

	for (int i = 0; i < 256; i++) {
		struct endpoint *ep;

		if (!zmq_watch_next(c->monitor, &ev))
			return 0;
		if (c->opts->debug)
			fprintf(stderr, "ebpfcap: remote: socket event %#x (%u) on %s\n", ev.event, ev.value, ev.endpoint);
		ep = endpoint_named(c, ev.endpoint);
		if (ep)
			on_socket_event(c, &ev, ep);
	}
	return 1;
}

/* Attaches again what libzmq gave up on; returns ms until the next check, or -1. */
static int reattach_due(struct collector *c)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC), next = 0;

	for (int i = 0; i < c->n_ep; i++) {
		struct endpoint *ep = &c->ep[i];

		if (zmq_reattach_due(&ep->reattach, now)) {
			ep->reattached++;
			if (c->opts->debug)
				fprintf(stderr, "ebpfcap: remote: attaching %s again\n", ep->address);
			/* A SUB connects once per address: forget the dead session first. */
			zmq_disconnect(c->sub, ep->address);
			attach_endpoint(c, ep);
		} else if (ep->reattach.at_ns && (!next || ep->reattach.at_ns < next)) {
			next = ep->reattach.at_ns;
		}
	}
	return next ? (int)((next - now) / 1000000 + 1) : -1;
}

static int open_subscriber(struct collector *c)
{
	const char *key_arg[MAX_ENDPOINTS];
	char *list = strdup(c->opts->remote_endpoints ? c->opts->remote_endpoints : ZMQ_EXPORT_DEFAULT_ENDPOINT);
	int rc = -1;

	c->ctx = zmq_ctx_new();
	c->sub = c->ctx ? zmq_socket(c->ctx, ZMQ_SUB) : NULL;
	if (!list || !c->sub || set_sub_options(c->sub, c->opts->remote_bind) < 0 || start_monitor(c) < 0) {
		fprintf(stderr, "ebpfcap: cannot make a ZMQ socket: %s\n", zmq_strerror(errno));
		goto out;
	}
	if (split_endpoints(c, list, key_arg) < 0)
		goto out;
	if (c->opts->remote_bind ? setup_bind_security(c, key_arg) < 0 : setup_connect_security(c, key_arg) < 0)
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
	zmq_watch_stop(c->sub, c->monitor);
	if (c->sub)
		zmq_close(c->sub);
	zap_handler_stop(c->zap);
	if (c->ctx)
		zmq_ctx_term(c->ctx);
}

static void collect_loop(struct collector *c)
{
	int zfd, mfd;
	size_t size = sizeof(int);
	int more = 1;

	if (zmq_getsockopt(c->sub, ZMQ_FD, &zfd, &size) < 0 ||
	    zmq_getsockopt(c->monitor, ZMQ_FD, &mfd, &size) < 0) {
		session_check(c->s, -errno);
		return;
	}
	struct pollfd fds[2] = {
		{ .fd = zfd, .events = POLLIN },
		{ .fd = mfd, .events = POLLIN },
	};

	for (;;) {
		int check_ms = reattach_due(c);
		int timeout = more ? 0 : check_ms >= 0 && check_ms < 200 ? check_ms : 200;

		/* ZMQ_FD is edge-triggered: block only once both sockets were read dry. */
		if (!session_poll(c->s, fds, 2, timeout))
			return;
		int events_left = read_monitor(c);

		more = receive_burst(c);
		if (more == 0)
			more = report_losses(c); /* read dry: what is missing now is lost */
		if (session_flush(c->s) < 0 || more < 0)
			return;
		more |= events_left;
	}
}

/* Endpoints whose handshakes failed: wrong keys, or CURVE on one side only. */
static void describe_failed_handshakes(const struct collector *c, char *buf, size_t size)
{
	size_t off = 0;
	const char *last = NULL;

	buf[0] = '\0';
	for (int i = 0; i < c->n_ep && off < size; i++)
		if (c->ep[i].handshake_failures) {
			off += (size_t)snprintf(buf + off, size - off, "%s %s (%llu)", off ? "," : "; handshakes failed with",
						c->ep[i].address, (unsigned long long)c->ep[i].handshake_failures);
			last = c->ep[i].last_failure;
		}
	if (off && off < size)
		snprintf(buf + off, size - off, ": %s; check --server-key and that both sides use CURVE", last);
}

/*
 * Did the capture get what it was set up for? Not when an endpoint only
 * ever failed its handshakes or had its keys refused: wrong keys are a
 * failed capture, not an empty one.
 */
static bool keys_never_worked(const struct collector *c)
{
	uint64_t refused = zap_handler_refused(c->zap);

	for (int i = 0; i < c->n_ep; i++) {
		const struct endpoint *ep = &c->ep[i];

		if (!ep->handshakes_ok && (ep->handshake_failures || (c->opts->remote_bind && refused)))
			return true;
	}
	return false;
}

/*
 * Connections libzmq cut. Connecting, the endpoints it gave up on. Binding,
 * its events do not say why a connection ended (a frame over
 * ZMQ_MAXMSGSIZE is cut like any other), so: connections that ended after
 * their handshake, less the exporters that said goodbye before closing.
 */
static uint64_t connections_cut(const struct collector *c)
{
	uint64_t n = 0, ended = 0;

	for (int i = 0; i < c->n_ep; i++) {
		const struct endpoint *ep = &c->ep[i];

		n += ep->reattached;
		ended += ep->ended - (ep->ended < ep->handshake_failures + ep->refused ? ep->ended
						: ep->handshake_failures + ep->refused);
	}
	if (c->opts->remote_bind)
		n = ended > c->goodbyes ? ended - c->goodbyes : 0;
	return n;
}

/* Quiet unless something was lost: Wireshark shows any stderr as an error. */
static void say_summary(const struct session *session, void *ctx)
{
	const struct collector *c = ctx;
	uint64_t refused = zap_handler_refused(c->zap), cut = connections_cut(c);
	char failed[1024];

	describe_failed_handshakes(c, failed, sizeof(failed));
	if (c->malformed || c->lost || refused || cut || failed[0] || c->opts->debug)
		fprintf(stderr, "ebpfcap: remote: %llu malformed messages dropped%s%s%s, "
			"%llu records lost in transit, %llu connections refused by key, "
			"%llu connections cut for protocol errors%s%s; %llu records written\n",
			(unsigned long long)c->malformed, c->last_why ? " (last: " : "",
			c->last_why ? c->last_why : "", c->last_why ? ")" : "",
			(unsigned long long)c->lost, (unsigned long long)refused, (unsigned long long)cut,
			c->opts->remote_bind && cut ? " (a frame over 64 KiB, or an exporter that died)" : "",
			failed, (unsigned long long)session->written);
	if (c->opts->debug)
		fprintf(stderr, "ebpfcap: remote: %llu records not wanted by the capture's filters\n",
			(unsigned long long)session->filtered);
}

static int check_options(const struct options *o)
{
	if (o->capture_filter && *o->capture_filter) {
		fprintf(stderr, "ebpfcap: capture filters do not apply to remote eBPF events; "
			"use the interface options (event types, process) or a display filter\n");
		return -1;
	}
	return 0;
}

static void free_collector(struct collector *c)
{
	close_subscriber(c);
	free(c);
}

int remote_capture_run(const struct options *o)
{
	struct session s;
	struct collector *c;

	if (check_options(o) < 0 || session_begin(&s, o, NULL) < 0)
		return 1;
	c = calloc(1, sizeof(*c));
	if (!c) {
		fprintf(stderr, "ebpfcap: remote: %s\n", strerror(ENOMEM));
		s.stop = SESSION_FAILED;
		return session_close(&s);
	}
	c->s = &s;
	c->opts = o;
	SESSION_DEFER(&s, free_collector, c);
	if (open_subscriber(c) < 0 || session_open_sink(&s, IFACE_REMOTE, IFACE_REMOTE_DISPLAY, "ebpfcap remote") < 0) {
		s.stop = SESSION_FAILED;
		return session_close(&s);
	}
	s.summary = say_summary;
	s.summary_ctx = c;
	collect_loop(c);
	read_monitor(c);
	if (s.stop != SESSION_READER_GONE && s.stop != SESSION_FAILED && report_losses(c) == 0)
		session_flush(&s);
	if (keys_never_worked(c))
		s.stop = SESSION_FAILED; /* wrong keys are a failed capture, not an empty one (the summary says) */
	return session_close(&s);
}
