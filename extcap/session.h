/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One capture, local or remote: the pipeline from the records on. Sources
 * hand it records -- kernel events, packets and TLS keys (capture.c), an
 * exporter's records (remote.c) -- and it applies the one filter to what did
 * not come through this kernel, counts toward -c, and writes to the one sink
 * the options chose: pcapng to a file or Wireshark's fifo (with the reorder
 * window when packets come too), lines or JSON on standard output, or ZMQ
 * (--export). It knows when and why to stop, and owns every descriptor: a
 * source hands what it opens to session_defer(), and session_close() undoes
 * everything in reverse after the summary.
 */
#ifndef EBPFCAP_SESSION_H
#define EBPFCAP_SESSION_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "filter.h"
#include "interfaces.h"
#include "options.h"
#include "print.h"
#include "utils/record/record.h"

struct pcapng_packet_options;
struct pcapng_writer;
struct reorder;
struct stop_request;
struct zmq_exporter;

enum session_stop {
	SESSION_RUNNING,
	SESSION_ASKED,         /* a signal, -- COMMAND ended (SIGCHLD), or Wireshark's quit */
	SESSION_READER_GONE,   /* the fifo's reader closed it: nothing more can be written */
	SESSION_COUNT_REACHED, /* -c */
	SESSION_FAILED,        /* said on stderr */
};

#define SESSION_MAX_DEFERRED 16

struct session {
	const struct options *opts;
	struct event_filter filter;
	enum session_stop stop;
	struct stop_request *stop_asked; /* the stop signals, SIGCHLD and Wireshark's quit (stop.h) */
	int out_fd;                 /* polled for the reader's end; -1: none */
	struct pcapng_writer *out;  /* the sink: pcapng, */
	struct printer *lines;      /* or lines on standard output, */
	struct zmq_exporter *zx;    /* or ZMQ */
	int events_if;              /* the pcapng interface of records */
	int packets_if;             /* of packets (-1: none) */
	int packets_dlt;
	struct reorder *held;       /* packets + events: the reorder window (capture.c empties it) */
	uint64_t written;           /* records counted toward -c */
	uint64_t filtered;          /* records filter_wants() refused */
	char host[64];
	char machine_id[40];        /* exported records carry it: hosts can share a name */
	struct {
		void (*fn)(void *);
		void *arg;
	} deferred[SESSION_MAX_DEFERRED];
	int n_deferred;
	void (*summary)(const struct session *s, void *ctx); /* the source's closing lines */
	void *summary_ctx;
};

/* Nothing open, nothing filtered yet: what session_begin() starts from (bench/micro.c too). */
void session_init(struct session *s, const struct options *o);
/*
 * The filter from the options (iface: a local capture's interface; NULL:
 * records from elsewhere), the stop signals, the host's name. 0, or -1
 * after one line (nothing left to close).
 */
int session_begin(struct session *s, const struct options *o, const struct capture_interface *iface);
/*
 * The sink the options chose; records get a pcapng interface named
 * if_name (if_display); writer names the program in the file. 0, or -1
 * after one line.
 */
int session_open_sink(struct session *s, const char *if_name, const char *if_display, const char *writer);
/* Packets too, on an interface of their own, through a reorder window of window_ms. 0, or -1 after one line. */
int session_add_packets(struct session *s, int dlt, const char *ifname, const char *display, uint32_t window_ms);

/* fn(arg) at session_close(), in reverse order of the calls. */
void session_defer(struct session *s, void (*fn)(void *), void *arg);
#define SESSION_DEFER(s, fn, arg) session_defer((s), (void (*)(void *))(fn), (arg))

/*
 * Writing: 0 while the session runs, -1 once it stops (s->stop says why;
 * an error is said on stderr). wire is the record's encoding (NULL: encoded
 * here); remote records go out with their own bytes, so a newer exporter's
 * TLVs survive.
 */
int session_write(struct session *s, const struct ebpf_record *rec, const uint8_t *wire, size_t len);
/* An event: written and counted toward -c. */
int session_event(struct session *s, const struct ebpf_record *rec, const uint8_t *wire, size_t len);
/* An event that did not come through this kernel: the filter decides first. */
int session_offer(struct session *s, const struct ebpf_record *rec, const uint8_t *wire, size_t len);
/* One block on interface iface (opts: NULL, or a packet's owners); lines print it instead. */
int session_write_block(struct session *s, int iface, uint64_t ts_ns, const void *data, uint32_t caplen,
			uint32_t len, const struct pcapng_packet_options *opts);
/* TLS keys as a Decryption Secrets Block (pcapng only). */
int session_write_secrets(struct session *s, const void *lines, uint32_t len);
/* Everything written so far out to the reader: a live view stays live. */
int session_flush(struct session *s);
/* A source's error: 0 if rc >= 0; else the session stops (EPIPE: the reader is gone) and -1. */
int session_check(struct session *s, int rc);

/*
 * poll() on fds and the session's own descriptors (stop signals, the
 * reader's end); false once the session stops (a signal, the reader gone,
 * or an earlier stop), true otherwise with fds' revents set.
 */
bool session_poll(struct session *s, struct pollfd *fds, int n, int timeout_ms);

/*
 * The source's summary, then everything deferred in reverse, the sink and
 * the descriptors. Returns the process exit status: 1 if the session
 * failed or an export never got through.
 */
int session_close(struct session *s);

/*
 * A fifo a reader may wait on for its writer's end: Wireshark's capture
 * fifo when a capture fails before opening it, and its --extcap-control-out
 * pipe, which ebpfcap never writes to. Lets that reader see its end, waiting
 * up to patience_ms for a reader that has not opened it yet.
 */
void session_release_reader(const char *path, int patience_ms);
/* dumpcap opens Wireshark's fifo right after starting us: it comes within this. */
#define RELEASE_PATIENCE_MS 3000

#endif
