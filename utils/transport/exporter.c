/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The exporter: batching, sending without blocking, counting, and the link to a collector (exporter.h). */
#include "utils/transport/exporter.h"
#include "utils/transport/curve_keys.h"
#include "utils/transport/peer_limits.h"
#include "utils/transport/sock_events.h"
#include "utils/transport/zap.h"
#include "utils/transport/zmq_msg.h"
#include "utils/record/record.h"
#include "utils/clock.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

/* Besides root, who reads the default endpoint (ZMQ_EXPORT_DIR's group). */
#define ZMQ_EXPORT_GROUP "wireshark"

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
	       zmq_set_int(sock, ZMQ_SNDHWM, sndhwm) || zmq_set_int(sock, ZMQ_LINGER, 0) ||
	       zmq_set_int(sock, ZMQ_XPUB_NODROP, 1) || zmq_set_int(sock, ZMQ_XPUB_VERBOSER, 1) ||
	       zmq_set_int(sock, ZMQ_HEARTBEAT_IVL, 2000) || zmq_set_int(sock, ZMQ_HEARTBEAT_TIMEOUT, 6000) ||
	       zmq_set_int(sock, ZMQ_TCP_KEEPALIVE, 1) ||
	       zmq_set_int(sock, ZMQ_RECONNECT_IVL, 100) || zmq_set_int(sock, ZMQ_RECONNECT_IVL_MAX, RECONNECT_IVL_MAX_MS) ? -1 : 0;
}

static int setup_curve(struct zmq_exporter *ex, const struct zmq_export_options *o)
{
	char server[41];

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
		return zmq_load_public_key(o->server_key, server) < 0 || zmq_curve_client(ex->sock, o->secret_key) < 0 ||
		       zmq_setsockopt(ex->sock, ZMQ_CURVE_SERVERKEY, server, 40) ? -1 : 0;
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
	int rc;

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
	zmq_set_int(ex->sock, ZMQ_LINGER, CLOSE_REPORT_MS);
	zmq_close(ex->sock);
	zap_handler_stop(ex->zap);
	zmq_ctx_term(ex->ctx);
	free(ex);
	return rc;
}
