/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "session.h"
#include "stop.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernel_events.h"
#include "reorder.h"
#include "pcapio/exported_pdu.h"
#include "pcapio/pcapng.h"
#include "utils/transport/exporter.h"
#include "utils/transport/machine_id.h"
#include "utils/transport/zmq_msg.h"

/* What the reorder window may hold before items leave early (counted). */
#define REORDER_MAX_BYTES (64u << 20)

/* The fifo or file Wireshark gave, or "-" for standard output; -1 after one line on stderr. */
static int open_output(const char *path)
{
	sigset_t stop, before;
	int fd;

	/*
	 * A FIFO's open waits for its reader, and stop_request_open() has
	 * blocked the stop signals by now: let them end the wait (nothing is
	 * loaded yet, so their default action is the right one).
	 */
	stop_signals(&stop);
	sigprocmask(SIG_UNBLOCK, &stop, &before);
	fd = strcmp(path, "-") == 0 ? dup(STDOUT_FILENO) : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	sigprocmask(SIG_SETMASK, &before, NULL);
	if (fd < 0)
		fprintf(stderr, "ebpfcap: cannot open output '%s': %s\n", path, strerror(errno));
	return fd;
}

void session_init(struct session *s, const struct options *o)
{
	memset(s, 0, sizeof(*s));
	s->opts = o;
	s->out_fd = s->packets_if = -1;
}

int session_begin(struct session *s, const struct options *o, const struct capture_interface *iface)
{
	session_init(s, o);
	if (filter_from_options(o, iface, kernel_events_cgroup_root(), &s->filter) < 0) {
		s->stop = SESSION_FAILED;
		return -1;
	}
	s->stop_asked = stop_request_open(o->from_wireshark, o->control_in);
	if (!s->stop_asked) {
		s->stop = SESSION_FAILED;
		return -1;
	}
	gethostname(s->host, sizeof(s->host) - 1);
	return 0;
}

/* --export: a daemon publishing to collectors; it says on stderr what it does. */
static int open_exporter(struct session *s)
{
	const struct options *o = s->opts;
	struct zmq_export_options zo = {
		.endpoint = o->export_endpoint, .connect = o->export_connect,
		.secret_key = o->secret_key, .server_key = o->server_key,
		.allowed_keys = o->allowed_keys, .host = s->host, .machine_id = s->machine_id,
		.insecure = o->insecure,
	};

	machine_id_read(s->machine_id, sizeof(s->machine_id));
	s->zx = zmq_exporter_open(&zo);
	if (!s->zx)
		return -1;
	fprintf(stderr, "ebpfcap: exporting the events of %s %s %s%s\n", s->host,
		o->export_connect ? "to" : "on", o->export_endpoint,
		o->secret_key || o->server_key ? " (CURVE)" : "");
	return 0;
}

/* pcapng to the fifo or file; s->out_fd is polled for the reader's end. */
static int open_pcapng(struct session *s, const char *if_name, const char *if_display, const char *writer)
{
	const char *path = s->opts->fifo;

	s->out_fd = open_output(path);
	if (s->out_fd < 0)
		return -1;
	s->out = pcapng_writer_open(s->out_fd, writer);
	if (!s->out) {
		fprintf(stderr, "ebpfcap: cannot write to '%s': %s\n", path, strerror(errno));
		close(s->out_fd);
		s->out_fd = -1;
		return -1;
	}
	s->events_if = pcapng_add_interface(s->out, LINKTYPE_WIRESHARK_UPPER_PDU, 0, if_name, if_display);
	if (s->events_if < 0) {
		fprintf(stderr, "ebpfcap: cannot write to '%s': %s\n", path, strerror(errno));
		return -1;
	}
	pcapng_writer_batch(s->out, true); /* one write() per round, not per record */
	return 0;
}

int session_open_sink(struct session *s, const char *if_name, const char *if_display, const char *writer)
{
	int rc;

	if (s->opts->export_endpoint) {
		rc = open_exporter(s);
	} else if (s->opts->fifo) {
		rc = open_pcapng(s, if_name, if_display, writer);
	} else {
		s->out_fd = STDOUT_FILENO; /* lines: polled for the reader's end all the same */
		s->lines = printer_open(stdout, &s->opts->print);
		rc = s->lines ? 0 : -1;
	}
	if (rc < 0)
		s->stop = SESSION_FAILED;
	return rc;
}

int session_add_packets(struct session *s, int dlt, const char *ifname, const char *display, uint32_t window_ms)
{
	s->packets_dlt = dlt;
	s->packets_if = s->lines ? s->events_if + 1 /* told apart by number only */
		      : pcapng_add_interface(s->out, (uint16_t)dlt, 262144, ifname, display);
	s->held = reorder_new(window_ms * 1000000ull, REORDER_MAX_BYTES);
	if (s->packets_if < 0 || !s->held) {
		fprintf(stderr, "ebpfcap: cannot set up the packet side: %s\n", strerror(errno ? errno : ENOMEM));
		s->stop = SESSION_FAILED;
		return -1;
	}
	return 0;
}

void session_defer(struct session *s, void (*fn)(void *), void *arg)
{
	/* A fixed number of things to undo: more is a programming error, caught at once. */
	if (s->n_deferred == SESSION_MAX_DEFERRED)
		abort();
	s->deferred[s->n_deferred].fn = fn;
	s->deferred[s->n_deferred++].arg = arg;
}

int session_check(struct session *s, int rc)
{
	if (rc >= 0)
		return 0;
	if (s->stop != SESSION_RUNNING)
		return -1; /* the first reason stays */
	if (rc == -EPIPE) {
		s->stop = SESSION_READER_GONE;
		return -1;
	}
	fprintf(stderr, "ebpfcap: the capture failed: %s\n", strerror(-rc));
	s->stop = SESSION_FAILED;
	return -1;
}

int session_write_block(struct session *s, int iface, uint64_t ts_ns, const void *data, uint32_t caplen,
			uint32_t len, const struct pcapng_packet_options *opts)
{
	if (s->lines) /* no -w: the same blocks, as lines */
		return session_check(s, iface == s->events_if ? printer_pdu(s->lines, data, caplen)
				     : printer_packet(s->lines, ts_ns, s->packets_dlt, data, caplen, len,
						      opts ? opts->comment : NULL));
	return session_check(s, pcapng_write_packet_opts(s->out, (uint32_t)iface, ts_ns, data, caplen, len, opts) < 0
				? -errno : 0);
}

int session_write_secrets(struct session *s, const void *lines, uint32_t len)
{
	if (!s->out)
		return 0;
	return session_check(s, pcapng_write_secrets(s->out, PCAPNG_SECRETS_TLS_KEYLOG, lines, len) < 0 ? -errno : 0);
}

int session_write(struct session *s, const struct ebpf_record *rec, const uint8_t *wire, size_t len)
{
	uint8_t buf[64 + EBPF_MSG_MAX_LEN];
	size_t hdr = exported_pdu_header_len();

	if (s->zx) {
		if (!wire) {
			len = ebpf_record_encode(rec, buf, sizeof(buf));
			wire = buf;
		}
		return session_check(s, len ? zmq_exporter_send(s->zx, wire, len) : -EMSGSIZE);
	}
	if (s->lines && !s->held) /* lines at once: no bytes to encode only to decode them again */
		return session_check(s, printer_record(s->lines, rec));
	exported_pdu_write_header(buf);
	if (wire && len <= sizeof(buf) - hdr)
		memcpy(buf + hdr, wire, len);
	else
		len = wire ? 0 : ebpf_record_encode(rec, buf + hdr, sizeof(buf) - hdr);
	if (len == 0)
		return session_check(s, -EMSGSIZE);
	len += hdr;
	if (s->held)
		return session_check(s, reorder_push(s->held, REORDER_RECORD, rec->ev.timestamp_ns, buf,
						     (uint32_t)len, (uint32_t)len));
	return session_write_block(s, s->events_if, rec->ev.timestamp_ns, buf, (uint32_t)len, (uint32_t)len, NULL);
}

int session_event(struct session *s, const struct ebpf_record *rec, const uint8_t *wire, size_t len)
{
	uint64_t max = s->opts->max_events;

	/* -c N holds also for what the drain after a signal or the command's end still reads */
	if (max && s->written >= max)
		return -1;
	if (session_write(s, rec, wire, len) < 0)
		return -1;
	s->written++;
	if (max && s->written >= max) {
		if (s->stop == SESSION_RUNNING)
			s->stop = SESSION_COUNT_REACHED;
		return -1;
	}
	return 0;
}

int session_offer(struct session *s, const struct ebpf_record *rec, const uint8_t *wire, size_t len)
{
	if (!filter_wants(&s->filter, &rec->ev)) {
		s->filtered++;
		return 0;
	}
	return session_event(s, rec, wire, len);
}

int session_flush(struct session *s)
{
	int rc = s->zx ? zmq_exporter_flush(s->zx) : 0;

	if (rc >= 0 && s->out && pcapng_flush(s->out) < 0)
		rc = -errno;
	if (rc >= 0 && s->lines && printer_flush(s->lines) < 0)
		rc = -errno;
	return session_check(s, rc);
}

bool session_poll(struct session *s, struct pollfd *fds, int n, int timeout_ms)
{
	struct pollfd all[n + 2];

	if (s->stop != SESSION_RUNNING)
		return false;
	memcpy(all, fds, sizeof(*fds) * (size_t)n);
	all[n] = (struct pollfd){ .fd = stop_request_fd(s->stop_asked), .events = POLLIN };
	all[n + 1] = (struct pollfd){ .fd = s->out_fd, .events = 0 }; /* POLLERR once a fifo's reader closes */
	if (poll(all, (nfds_t)n + 2, timeout_ms) < 0 && errno != EINTR)
		return session_check(s, -errno) == 0;
	if (all[n].revents && stop_request_asked(s->stop_asked))
		s->stop = SESSION_ASKED;
	else if (all[n + 1].revents & (POLLERR | POLLHUP))
		s->stop = SESSION_READER_GONE;
	for (int i = 0; i < n; i++)
		fds[i].revents = all[i].revents;
	return s->stop == SESSION_RUNNING;
}

int session_close(struct session *s)
{
	int status = s->stop == SESSION_FAILED ? 1 : 0;

	if (s->summary)
		s->summary(s, s->summary_ctx);
	while (s->n_deferred > 0) {
		s->n_deferred--;
		s->deferred[s->n_deferred].fn(s->deferred[s->n_deferred].arg);
	}
	reorder_free(s->held);
	if (zmq_exporter_close(s->zx) < 0)
		status = 1; /* connecting, it never got through: nothing was delivered */
	pcapng_writer_close(s->out);
	printer_close(s->lines);
	stop_request_close(s->stop_asked);
	return status;
}

/*
 * dumpcap may already wait on Wireshark's fifo when a capture fails before
 * opening it; a fifo that never had a writer never reports its end, so
 * dumpcap (and tshark behind it) would wait forever. Opening it for writing
 * and closing it at once gives the reader its end of file. Non-blocking: with
 * no reader yet (ENXIO) it is tried again for up to patience_ms, since
 * dumpcap may open the fifo only after we have already failed (it starts us
 * first); after that there is nothing to release. The path is the user's:
 * opened with the user's rights, as everything the user names.
 */
void session_release_reader(const char *path, int patience_ms)
{
	struct stat st;

	if (!path || strcmp(path, "-") == 0 || stat(path, &st) < 0 || !S_ISFIFO(st.st_mode))
		return;
	for (int waited_ms = 0;; waited_ms += 20) {
		int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

		if (fd >= 0) {
			close(fd);
			return;
		}
		if (errno != ENXIO || waited_ms >= patience_ms)
			return;
		usleep(20 * 1000);
	}
}
