/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The local sources: kernel events (ring buffer), the packets of an
 * interface (libpcap) and TLS keys, enriched into records and handed to the
 * session (session.c), which filters, counts and writes them. One thread,
 * one poll(): the sources, the signals and the reader's end of the fifo are
 * all descriptors, so stopping never races with writing.
 */
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "enrich.h"
#include "interfaces.h"
#include "kernel_events.h"
#include "session.h"
#include "tls_secrets.h"
#include "packets.h"
#include "packet_owners.h"
#include "privileges.h"
#include "reorder.h"
#include "udp_flows.h"
#include "pcapio/exported_pdu.h"
#include "pcapio/pcapng.h"
#include "utils/enrich/snapshot.h"
#include "utils/record/record.h"
#include "utils/clock.h"

/* A packet with its owners: the process information block of a process first named here, then the packet. */
static int write_owned_packet(struct capture *c, const struct reorder_item *it)
{
	struct session *s = c->s;
	struct packet_owner_note note;

	if (!packet_owners_note(c->owners, s->packets_dlt, it->data, it->caplen, &note))
		return session_write_block(s, s->packets_if, it->ts_ns, it->data, it->caplen, it->len, NULL);
	/* A followed process's TLS connection whose keys never came says so in its ClientHello's comment. */
	if (c->tls)
		tls_secrets_check_packet(c->tls, s->packets_dlt, it->data, it->caplen, note.comment, sizeof(note.comment));
	if (note.describe && s->out && pcapng_write_process(s->out, note.describe) < 0)
		return session_check(s, -errno);
	return session_write_block(s, s->packets_if, it->ts_ns, it->data, it->caplen, it->len, &note.opts);
}

static int on_packet(uint64_t ts_ns, const uint8_t *data, uint32_t caplen, uint32_t len, void *ctx)
{
	struct session *s = ((struct capture *)ctx)->s;

	if (s->held)
		return session_check(s, reorder_push(s->held, REORDER_PACKET, ts_ns, data, caplen, len));
	return session_write_block(s, s->packets_if, ts_ns, data, caplen, len, NULL);
}

/*
 * A connection's TLS keys: into the SSLKEYLOGFILE, and into the capture as
 * a Decryption Secrets Block ahead of every packet still in the reorder
 * window (timestamp 0: the front), so before the connection's encrypted
 * packets Wireshark needs them for. Its packets that left already (the
 * keys came later than the window) stay encrypted; their ClientHello says
 * so (tls_secrets_check_packet).
 */
static int on_tls_keys(const struct tls_keys *keys, void *ctx)
{
	struct capture *c = ctx;
	struct session *s = c->s;

	if (c->keylog_fd >= 0 && write(c->keylog_fd, keys->lines, keys->len) != (ssize_t)keys->len)
		return session_check(s, -errno);
	if (s->out && s->held)
		return session_check(s, reorder_push(s->held, REORDER_SECRETS, 0, keys->lines, (uint32_t)keys->len,
						     (uint32_t)keys->len));
	return session_write_secrets(s, keys->lines, (uint32_t)keys->len);
}

/*
 * A socket's owner is learned as its record is read, so that packets held
 * in the window (a SYN before its TCP_Connect) already name it. A handoff
 * instead takes effect in time order, as it leaves the window: the packets
 * before it still name the previous holder.
 */
static bool is_handoff(const struct ebpf_record *rec)
{
	return rec->ev.type == EBPF_TCP_HANDOFF;
}

static void learn_handoff(struct capture *c, const struct reorder_item *it)
{
	size_t hdr = exported_pdu_header_len();
	size_t type_at = hdr + EBPF_RECORD_HEADER_LEN + offsetof(struct ebpf_event, type);
	struct ebpf_record rec;

	/* Decoded only if it is one: the type's low byte (little-endian) is enough to tell. */
	if (!c->owners || it->caplen <= type_at + 1 || it->data[type_at] != EBPF_TCP_HANDOFF ||
	    it->data[type_at + 1] != 0)
		return;
	if (ebpf_record_decode(it->data + hdr, it->caplen - hdr, &rec, NULL) == 0 && is_handoff(&rec))
		packet_owners_learn(c->owners, &rec);
}

/* Writes what has waited out the reorder window (everything, with drain), owners in comments. */
static int release_held(struct capture *c, bool drain)
{
	struct session *s = c->s;
	uint64_t now = clock_ns(CLOCK_REALTIME);
	struct reorder_item *it;
	int rc = 0;

	while (rc == 0 && s->held && (it = reorder_pop(s->held, now, drain))) {
		if (it->kind == REORDER_SECRETS) {
			rc = session_write_secrets(s, it->data, it->caplen);
		} else if (it->kind == REORDER_RECORD) {
			learn_handoff(c, it);
			rc = session_write_block(s, s->events_if, it->ts_ns, it->data, it->caplen, it->len, NULL);
		} else {
			rc = write_owned_packet(c, it);
		}
		free(it);
	}
	return rc;
}

static void on_exec(const struct ebpf_exec_note *note, void *ctx)
{
	enricher_exec(((struct capture *)ctx)->enrich, note);
}

int capture_on_event(const struct ebpf_event *ev, void *ctx)
{
	struct capture *c = ctx;
	struct ebpf_record rec;

	enricher_record(c->enrich, ev, &rec);
	if (c->snapshot)
		flow_snapshot_attribute(c->snapshot, &rec.ev);
	enrich(c->enrich, &rec);
	if (c->owners && !is_handoff(&rec))
		packet_owners_learn(c->owners, &rec);
	return session_event(c->s, &rec, NULL, 0);
}

/* One Capture_Drops record for the increase of one loss counter, if any. */
static int report_increase(struct capture *c, uint32_t kind, uint64_t now, uint64_t *reported)
{
	struct ebpf_record rec;

	if (now <= *reported)
		return 0;
	ebpf_drops_record(&rec, kind, now - *reported, clock_ns(CLOCK_REALTIME), c->s->host, c->s->machine_id);
	*reported = now;
	return session_write(c->s, &rec, NULL, 0);
}

/* Loss is never silent: each increase becomes a Capture_Drops record that says which kind. */
static int report_drops(struct capture *c)
{
	struct kernel_counters k;

	kernel_events_counters(c->ke, &k);
	if (report_increase(c, EBPF_DROP_RINGBUF, k.lost, &c->lost_reported) < 0)
		return -1;
	return report_increase(c, EBPF_DROP_SKIPPED, k.skipped, &c->skipped_reported);
}

/* Reads what is ready and writes what is due: a live view stays live. The number of events read. */
static int read_round(struct capture *c, bool packets_ready)
{
	struct session *s = c->s;
	int events = 0;

	if (packets_ready)
		session_check(s, packets_dispatch(c->packets, on_packet, c));
	if (s->stop == SESSION_RUNNING && c->tls)
		session_check(s, tls_secrets_consume(c->tls));
	if (s->stop == SESSION_RUNNING) {
		events = kernel_events_consume(c->ke);
		session_check(s, events);
	}
	if (s->stop == SESSION_RUNNING)
		release_held(c, false);
	session_flush(s); /* after -c too: the last event goes out now, not after the programs are detached */
	return events;
}

/*
 * After a round that read events, the ring buffer is left out of poll() this
 * long and read on the timeout instead: under load one wake-up then reads
 * hundreds of events, not three (the wake-ups were most of our CPU per event,
 * BENCHMARKS.md). An idle capture still sleeps until the first event.
 */
#define EVENT_BATCH_NS 5000000ull

/* poll()'s timeout: the end of an event batch or the next item due out of the reorder window, at most 200 ms. */
static int poll_timeout_ms(const struct capture *c, uint64_t batch_until)
{
	int ms = c->s->held ? reorder_wait_ms(c->s->held, clock_ns(CLOCK_REALTIME)) : -1;
	uint64_t now = clock_ns(CLOCK_MONOTONIC);

	if (batch_until > now) {
		int batch_ms = (int)((batch_until - now + 999999) / 1000000);

		ms = ms >= 0 && ms < batch_ms ? ms : batch_ms;
	}
	return ms >= 0 && ms < 200 ? ms : 200;
}

static void capture_loop(struct capture *c)
{
	struct session *s = c->s;
	struct pollfd fds[3] = {
		{ .fd = kernel_events_fd(c->ke), .events = POLLIN },
		{ .fd = c->packets ? packets_fd(c->packets) : -1, .events = POLLIN },
		{ .fd = c->tls ? tls_secrets_fd(c->tls) : -1, .events = POLLIN },
	};
	uint64_t next_sweep = clock_ns(CLOCK_BOOTTIME) + udp_flows_interval_ns(c->udp), batch_until = 0;
	int events_fd = fds[0].fd;

	for (;;) {
		fds[0].fd = clock_ns(CLOCK_MONOTONIC) < batch_until ? -1 : events_fd;
		if (!session_poll(s, fds, 3, poll_timeout_ms(c, batch_until)))
			return;
		if (read_round(c, fds[1].revents != 0) > 0)
			batch_until = clock_ns(CLOCK_MONOTONIC) + EVENT_BATCH_NS;
		uint64_t now = clock_ns(CLOCK_BOOTTIME);

		if (s->stop == SESSION_RUNNING && now >= next_sweep) {
			if (session_check(s, udp_flows_sweep(c->udp, now, false, capture_on_event, c)) == 0)
				report_drops(c);
			next_sweep = now + udp_flows_interval_ns(c->udp);
		}
	}
}

/*
 * After a stop: what the kernel reported before it still goes out. After
 * -- COMMAND, linger a little too: a connection it closed just before
 * exiting reports its TCP_Close once the peer's FIN arrives.
 */
#define COMMAND_LINGER_MS 500

static void drain(struct kernel_events *ke, int linger_ms)
{
	struct pollfd p = { .fd = kernel_events_fd(ke), .events = POLLIN };
	uint64_t end = clock_ns(CLOCK_MONOTONIC) + (uint64_t)linger_ms * 1000000ull;

	while (kernel_events_consume(ke) >= 0 && clock_ns(CLOCK_MONOTONIC) < end)
		poll(&p, 1, (int)((end - clock_ns(CLOCK_MONOTONIC)) / 1000000ull) + 1);
}

/* Snapshot records never went through the kernel: the session's filter applies to them. */
static int on_snapshot_flow(const struct ebpf_event *ev, void *ctx)
{
	struct capture *c = ctx;

	return filter_wants(&c->s->filter, ev) ? capture_on_event(ev, c) : 0;
}

/* Packets + events: connections not yet accept()ed belong to their listener. */
static void learn_listener(const struct ebpf_event *ev, void *ctx)
{
	struct capture *c = ctx;
	struct ebpf_record rec;

	enricher_record(c->enrich, ev, &rec);
	enrich(c->enrich, &rec);
	packet_owners_learn(c->owners, &rec);
}

/* Taken after attach, so a connection is either in the snapshot or seen opening. */
static int report_open_flows(struct capture *c)
{
	uint64_t caps = privileges_raise(USE_READ_PROC);

	c->snapshot = flow_snapshot_take("/proc");
	privileges_lower(caps);
	SESSION_DEFER(c->s, flow_snapshot_free, c->snapshot);
	if (c->owners)
		flow_snapshot_each_listener(c->snapshot, learn_listener, c);
	return flow_snapshot_emit(c->snapshot, clock_ns(CLOCK_BOOTTIME), on_snapshot_flow, c);
}

static void say_packet_summary(const struct capture *c)
{
	struct packet_owners_stats st;

	packet_owners_stats(c->owners, &st);
	if (reorder_early(c->s->held))
		fprintf(stderr, "ebpfcap: %llu packets or events left the reorder window early: it was full\n",
			(unsigned long long)reorder_early(c->s->held));
	if (c->s->opts->debug || st.evictions)
		fprintf(stderr, "ebpfcap: %llu of %llu TCP/UDP packets attributed; %u sockets known, "
			"%llu forgotten because the table was full (--flow-table-size)\n",
			(unsigned long long)st.attributed, (unsigned long long)st.flows_packets, st.sockets,
			(unsigned long long)st.evictions);
}

/* Quiet unless something was lost: Wireshark shows any stderr as an error. */
static void say_summary(const struct session *s, void *ctx)
{
	const struct capture *c = ctx;
	struct kernel_counters k;

	kernel_events_counters(c->ke, &k);
	uint64_t dropped = c->packets ? packets_dropped(c->packets) : 0;

	if (dropped)
		fprintf(stderr, "ebpfcap: %llu packets dropped by the kernel before libpcap saw them\n",
			(unsigned long long)dropped);
	if (k.lost)
		fprintf(stderr, "ebpfcap: %llu events lost because the kernel ring buffer was full "
			"(raise --ringbuf-size); %llu written\n",
			(unsigned long long)k.lost, (unsigned long long)s->written);
	if (k.skipped)
		fprintf(stderr, "ebpfcap: %llu tracepoint hits skipped by the kernel (our program was already "
			"running on that CPU), each possibly an event; %llu written\n",
			(unsigned long long)k.skipped, (unsigned long long)s->written);
	if (c->owners)
		say_packet_summary(c);
	if (c->tls && tls_secrets_lost(c->tls))
		fprintf(stderr, "ebpfcap: the TLS secrets of %llu connections were lost: the kernel ring buffer was full\n",
			(unsigned long long)tls_secrets_lost(c->tls));
	if (s->opts->debug)
		fprintf(stderr, "ebpfcap: %llu written, %llu emitted, %llu filtered in the kernel, %llu lost, "
			"%llu skipped, %llu UDP datagrams untracked, %llu exec notes lost\n",
			(unsigned long long)s->written, (unsigned long long)k.emitted,
			(unsigned long long)k.filtered, (unsigned long long)k.lost, (unsigned long long)k.skipped,
			(unsigned long long)k.udp_untracked, (unsigned long long)k.notes_lost);
}

static int check_capture_options(const struct options *o, struct capture_interface *iface)
{
	memset(iface, 0, sizeof(*iface));
	if (strcmp(o->interface, IFACE_EVENTS) != 0) {
		if (!interfaces_find(o->interface, iface)) {
			fprintf(stderr, "ebpfcap: unknown interface '%s' (try --extcap-interfaces)\n", o->interface);
			return -1;
		}
		if (iface->ifname[0] && o->export_endpoint) {
			/* the exporter's messages carry records: an interface's packets have no way there */
			fprintf(stderr, "ebpfcap: --export publishes eBPF events only, not the packets of '%s' "
				"(use -i %s)\n", o->interface, IFACE_EVENTS);
			return -1;
		}
		return 0;
	}
	if (o->capture_filter && *o->capture_filter) {
		fprintf(stderr, "ebpfcap: capture filters do not apply to eBPF Events; "
			"use the interface options (process, event types) or a display filter\n");
		return -1;
	}
	return 0;
}

/* An interface's packets: libpcap (with the capability for it), before the fifo is opened. */
static int open_packets(struct capture *c, const struct capture_interface *iface)
{
	uint64_t caps = privileges_raise(USE_PACKETS);

	c->packets = packets_open(iface->ifname, c->s->opts->capture_filter);
	privileges_lower(caps);
	if (!c->packets)
		return -1;
	SESSION_DEFER(c->s, packets_close, c->packets);
	return 0;
}

/* Packets + events: the packets' interface block, the reorder window and the socket owners. */
static int open_packet_side(struct capture *c, const struct capture_interface *iface)
{
	const struct options *o = c->s->opts;

	if (session_add_packets(c->s, packets_linktype(c->packets), iface->ifname, iface->display,
				o->reorder_window_ms) < 0)
		return -1;
	c->owners = packet_owners_new(o->flow_table_size, o->process_blocks);
	if (!c->owners) {
		fprintf(stderr, "ebpfcap: cannot set up the packet side: %s\n", strerror(ENOMEM));
		return -1;
	}
	SESSION_DEFER(c->s, packet_owners_free, c->owners);
	packet_owners_listeners_from(c->owners, c->enrich->own_netns);
	packet_owners_listeners_from(c->owners, interfaces_peer_netns(iface));
	return 0;
}

static void close_keylog(void *fd)
{
	close(*(int *)fd);
}

/* --tls-secrets: the probes on libssl, and --tls-keylog's file (the owner's alone: it holds keys). */
static int open_tls(struct capture *c)
{
	const struct options *o = c->s->opts;
	uint64_t caps;

	if (o->tls_keylog) {
		c->keylog_fd = open(o->tls_keylog, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (c->keylog_fd < 0) {
			fprintf(stderr, "ebpfcap: cannot write --tls-keylog '%s': %s\n", o->tls_keylog, strerror(errno));
			return -1;
		}
		session_defer(c->s, close_keylog, &c->keylog_fd);
	}
	/* The key log above is the user's path, opened with the user's rights; loading the probes is ours. */
	caps = privileges_raise(USE_LOAD_BPF);
	c->tls = tls_secrets_open(NULL, &c->s->filter, c->ke, on_tls_keys, c);
	privileges_lower(caps);
	if (!c->tls)
		return -1;
	SESSION_DEFER(c->s, tls_secrets_close, c->tls);
	return 0;
}

/* The programs, with the filter in them; the kernel's set of followed processes then serves the filter too. */
static int open_kernel(struct capture *c)
{
	struct kernel_callbacks cb = { .event = capture_on_event, .exec = on_exec, .ctx = c };
	struct session *s = c->s;
	uint64_t caps = privileges_raise(USE_LOAD_BPF);

	c->ke = kernel_events_open(&s->filter, s->opts->ringbuf_kib, s->opts->debug, &cb);
	privileges_lower(caps);
	if (!c->ke)
		return -1;
	SESSION_DEFER(s, kernel_events_close, c->ke);
	s->filter.descendants_fd = kernel_events_pids_fd(c->ke);
	c->udp = udp_flows_new(kernel_events_udp_map_fd(c->ke), s->opts->udp_interval_ms * 1000000ull);
	if (!c->udp)
		return -1;
	SESSION_DEFER(s, udp_flows_free, c->udp);
	return s->opts->tls_secrets ? open_tls(c) : 0;
}

/*
 * Everything a local capture opens, in order, each handed to the session
 * to close: packets (errors before the fifo is opened), the sink, the
 * enrichment caches, the programs. 0, or -1 after one line.
 */
static int open_capture(struct capture *c, const struct capture_interface *iface)
{
	struct session *s = c->s;

	if (iface->ifname[0] && open_packets(c, iface) < 0)
		return -1;
	if (session_open_sink(s, IFACE_EVENTS, "eBPF Events", "ebpfcap " EBPFCAP_VERSION) < 0)
		return -1;
	c->enrich = enricher_new(s->host, s->machine_id);
	if (!c->enrich) {
		fprintf(stderr, "ebpfcap: cannot start the capture: %s\n", strerror(ENOMEM));
		return -1;
	}
	SESSION_DEFER(s, enricher_free, c->enrich);
	if (c->packets && !s->zx && open_packet_side(c, iface) < 0)
		return -1;
	return open_kernel(c);
}

/* The end: what the kernel reported before the stop still goes out, and the window empties. */
static void finish(struct capture *c, bool after_command)
{
	struct session *s = c->s;

	if (s->stop == SESSION_ASKED) {
		drain(c->ke, after_command ? COMMAND_LINGER_MS : 0);
		udp_flows_sweep(c->udp, clock_ns(CLOCK_BOOTTIME), true, capture_on_event, c);
	}
	if (s->stop != SESSION_READER_GONE) {
		report_drops(c);
		release_held(c, true);
		session_flush(s);
	}
}

static unsigned capture_needs(const struct options *o, const struct capture_interface *iface)
{
	return (iface->ifname[0] ? NEED_PACKETS : 0) | (o->event_type_mask & FILTER_UDP_TYPES ? NEED_UDP : 0);
}

int capture_run(const struct options *o, struct command *cmd)
{
	struct session s;
	struct capture c = { .s = &s, .keylog_fd = -1 };
	struct capture_interface iface;

	if (check_capture_options(o, &iface) < 0 || privileges_check(capture_needs(o, &iface)) < 0 ||
	    kernel_events_tracefs() < 0 || session_begin(&s, o, &iface) < 0)
		return 1;
	if (open_capture(&c, &iface) < 0) {
		s.stop = SESSION_FAILED;
		return session_close(&s);
	}
	s.summary = say_summary;
	s.summary_ctx = &c;
	if (report_open_flows(&c) == 0 && cmd && command_release(cmd) < 0)
		s.stop = SESSION_FAILED;
	if (s.stop == SESSION_RUNNING)
		capture_loop(&c);
	finish(&c, cmd != NULL);
	return session_close(&s);
}
