/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The capture loop: ring buffer -> enrich -> record -> pcapng -> fifo/file.
 * One thread, one poll(): kernel events, signals and the reader's end of
 * the fifo are all descriptors, so stopping never races with writing.
 */
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "command.h"
#include "filter.h"
#include "interfaces.h"
#include "kernel_events.h"
#include "session.h"
#include "tls_secrets.h"
#include "packets.h"
#include "packet_owners.h"
#include "print.h"
#include "privileges.h"
#include "reorder.h"
#include "udp_flows.h"
#include "pcapio/exported_pdu.h"
#include "pcapio/pcapng.h"
#include "utils/enrich/containers.h"
#include "utils/enrich/process.h"
#include "utils/enrich/snapshot.h"
#include "utils/record/record.h"
#include "utils/transport/exporter.h"
#include "utils/transport/machine_id.h"
#include "utils/clock.h"

#define STOP_COUNT_REACHED (-ECANCELED)

struct capture {
	const struct options *opts;
	const struct event_filter *filter;
	struct pcapng_writer *out;
	int events_if;
	uint64_t boot_to_wall_ns; /* the kernel stamps CLOCK_BOOTTIME */
	uint64_t written;
	uint64_t lost_reported;    /* ring buffer full */
	uint64_t skipped_reported; /* program runs the kernel skipped */
	char host[64];
	char machine_id[40];       /* filled in exported records: hosts can share a name */
	struct zmq_exporter *zx;   /* --export: records go here instead of to out */
	struct printer *lines;     /* neither -w nor --export: lines on standard output */
	uint32_t own_netns;       /* ifindex names are ours to resolve only here */
	struct {
		char name[IF_NAMESIZE];
		uint64_t at_ns;       /* when looked up: names change, rarely */
	} ifnames[256];           /* if_indextoname() is a socket and an ioctl: not per event */
	struct process_cache *procs;
	struct udp_flows *udp;
	struct flow_snapshot *snapshot;
	struct containers *containers;
	struct packet_source *packets; /* NULL for eBPF Events alone */
	int packets_if;
	int packets_dlt;
	struct reorder *held;          /* packets + events: the reorder window */
	struct packet_owners *owners;  /* packets + events: who owns which socket */
	struct tls_secrets *tls;       /* --tls-secrets */
	int keylog_fd;                 /* --tls-keylog FILE, or -1 */
};

/* What the reorder window may hold before items leave early (counted). */
#define REORDER_MAX_BYTES (64u << 20)

/* opts: NULL, or the packet's owners (comment, process). */
static int write_block(struct capture *c, int interface, uint64_t ts_ns, const void *data,
		       uint32_t caplen, uint32_t len, const struct pcapng_packet_options *opts)
{
	if (c->lines) /* no -w: the same blocks, as lines */
		return interface == c->events_if ? printer_pdu(c->lines, data, caplen)
			: printer_packet(c->lines, ts_ns, c->packets_dlt, data, caplen, len,
					 opts ? opts->comment : NULL);
	return pcapng_write_packet_opts(c->out, (uint32_t)interface, ts_ns, data, caplen, len, opts) < 0 ? -errno : 0;
}

/* A packet with its owners: the process information block of a process first named here, then the packet. */
static int write_owned_packet(struct capture *c, const struct reorder_item *it)
{
	struct packet_owner_note note;

	if (!packet_owners_note(c->owners, c->packets_dlt, it->data, it->caplen, &note))
		return write_block(c, c->packets_if, it->ts_ns, it->data, it->caplen, it->len, NULL);
	/* A followed process's TLS connection whose keys never came says so in its ClientHello's comment. */
	if (c->tls)
		tls_secrets_check_packet(c->tls, c->packets_dlt, it->data, it->caplen, note.comment, sizeof(note.comment));
	if (note.describe && !c->lines && pcapng_write_process(c->out, note.describe) < 0)
		return -errno;
	return write_block(c, c->packets_if, it->ts_ns, it->data, it->caplen, it->len, &note.opts);
}

static int write_record(struct capture *c, const struct ebpf_record *rec)
{
	uint8_t buf[64 + EBPF_RECORD_MAX_WIRE];
	size_t hdr = exported_pdu_header_len();
	size_t n;

	if (c->zx) {
		n = ebpf_record_encode(rec, buf, sizeof(buf));
		return n ? zmq_exporter_send(c->zx, buf, n) : -EMSGSIZE;
	}
	if (c->lines && !c->held) /* lines at once: no bytes to encode only to decode them again */
		return printer_record(c->lines, rec);
	exported_pdu_write_header(buf);
	n = ebpf_record_encode(rec, buf + hdr, sizeof(buf) - hdr);
	if (n == 0)
		return -EMSGSIZE;
	n += hdr;
	if (c->held)
		return reorder_push(c->held, REORDER_RECORD, rec->ev.timestamp_ns, buf, (uint32_t)n, (uint32_t)n);
	return write_block(c, c->events_if, rec->ev.timestamp_ns, buf, (uint32_t)n, (uint32_t)n, NULL);
}

static int on_packet(uint64_t ts_ns, const uint8_t *data, uint32_t caplen, uint32_t len, void *ctx)
{
	struct capture *c = ctx;

	if (c->held)
		return reorder_push(c->held, REORDER_PACKET, ts_ns, data, caplen, len);
	return write_block(c, c->packets_if, ts_ns, data, caplen, len, NULL);
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

	if (c->keylog_fd >= 0 && write(c->keylog_fd, keys->lines, keys->len) != (ssize_t)keys->len)
		return -errno;
	if (c->out && c->held)
		return reorder_push(c->held, REORDER_SECRETS, 0, keys->lines, (uint32_t)keys->len, (uint32_t)keys->len);
	if (c->out)
		return pcapng_write_secrets(c->out, PCAPNG_SECRETS_TLS_KEYLOG, keys->lines, (uint32_t)keys->len) < 0
			? -errno : 0;
	return 0;
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
	uint64_t now = clock_ns(CLOCK_REALTIME);
	struct reorder_item *it;
	int rc = 0;

	while (rc == 0 && c->held && (it = reorder_pop(c->held, now, drain))) {
		if (it->kind == REORDER_SECRETS) {
			rc = c->out && pcapng_write_secrets(c->out, PCAPNG_SECRETS_TLS_KEYLOG, it->data, it->caplen) < 0
				? -errno : 0;
		} else if (it->kind == REORDER_RECORD) {
			learn_handoff(c, it);
			rc = write_block(c, c->events_if, it->ts_ns, it->data, it->caplen, it->len, NULL);
		} else {
			rc = write_owned_packet(c, it);
		}
		free(it);
	}
	return rc;
}

#define IFNAME_TTL_NS 10000000000ull

static void interface_name(struct capture *c, uint32_t ifindex, char *out)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC);

	if (ifindex >= sizeof(c->ifnames) / sizeof(c->ifnames[0])) {
		if_indextoname(ifindex, out);
		return;
	}
	if (c->ifnames[ifindex].at_ns == 0 || now - c->ifnames[ifindex].at_ns > IFNAME_TTL_NS) {
		if (!if_indextoname(ifindex, c->ifnames[ifindex].name))
			c->ifnames[ifindex].name[0] = '\0';
		c->ifnames[ifindex].at_ns = now;
	}
	memcpy(out, c->ifnames[ifindex].name, IF_NAMESIZE);
}

static void add_container(struct capture *c, struct ebpf_record *rec)
{
	struct container_info info;

	switch (containers_lookup(c->containers, rec->ev.cgroup_id, &info)) {
	case CONTAINER_UNKNOWN:
		return;
	case CONTAINER_HOST:
		rec->ev.flags |= EBPF_FLAG_HOST;
		return;
	case CONTAINER_FOUND:
		break;
	}
	ebpf_copy_string(rec->container_id, sizeof(rec->container_id), info.id);
	ebpf_copy_string(rec->container_runtime, sizeof(rec->container_runtime), info.runtime);
	ebpf_copy_string(rec->container_name, sizeof(rec->container_name), info.name);
	ebpf_copy_string(rec->pod, sizeof(rec->pod), info.pod);
	ebpf_copy_string(rec->pod_namespace, sizeof(rec->pod_namespace), info.pod_namespace);
	ebpf_copy_string(rec->k8s_container, sizeof(rec->k8s_container), info.k8s_container);
}

static void enrich(struct capture *c, struct ebpf_record *rec)
{
	add_container(c, rec);
	process_cache_exe(c->procs, rec->ev.pid, rec->ev.ppid, rec->ev.comm, rec->exe, sizeof(rec->exe));
	ebpf_copy_string(rec->host, sizeof(rec->host), c->host);
	ebpf_copy_string(rec->machine_id, sizeof(rec->machine_id), c->machine_id);
	if (rec->ev.ifindex && rec->ev.netns == c->own_netns)
		interface_name(c, rec->ev.ifindex, rec->ifname);
}

static void on_exec(const struct ebpf_exec_note *note, void *ctx)
{
	struct capture *c = ctx;
	char path[sizeof(note->path) + 1];

	memcpy(path, note->path, sizeof(note->path));
	path[sizeof(note->path)] = '\0';
	process_cache_exec(c->procs, note->pid, note->ppid, path);
}

static int on_event(const struct ebpf_event *ev, void *ctx)
{
	struct capture *c = ctx;
	struct ebpf_record rec;
	int err;

	memset(&rec, 0, sizeof(rec));
	rec.ev = *ev;
	rec.ev.timestamp_ns += c->boot_to_wall_ns;
	if (c->snapshot)
		flow_snapshot_attribute(c->snapshot, &rec.ev);
	enrich(c, &rec);
	if (c->owners && !is_handoff(&rec))
		packet_owners_learn(c->owners, &rec);
	err = write_record(c, &rec);
	if (err)
		return err;
	c->written++;
	if (c->opts->max_events && c->written >= c->opts->max_events)
		return STOP_COUNT_REACHED;
	return 0;
}

/* One Capture_Drops record for the increase of one loss counter, if any. */
static int report_increase(struct capture *c, uint32_t kind, uint64_t now, uint64_t *reported)
{
	struct ebpf_record rec;

	if (now <= *reported)
		return 0;
	ebpf_drops_record(&rec, kind, now - *reported, clock_ns(CLOCK_REALTIME), c->host, c->machine_id);
	*reported = now;
	return write_record(c, &rec);
}

/* Loss is never silent: each increase becomes a Capture_Drops record that says which kind. */
static int report_drops(struct capture *c, struct kernel_events *ke)
{
	struct kernel_counters k;
	int err;

	kernel_events_counters(ke, &k);
	err = report_increase(c, EBPF_DROP_RINGBUF, k.lost, &c->lost_reported);
	return err ? err : report_increase(c, EBPF_DROP_SKIPPED, k.skipped, &c->skipped_reported);
}

enum stop_reason { STOP_SIGNAL, STOP_READER_GONE, STOP_COUNT, STOP_ERROR };

/* What an error from a round means for the capture; -1: carry on. */
static int stop_for(int rc)
{
	if (rc >= 0)
		return -1;
	if (rc == STOP_COUNT_REACHED)
		return STOP_COUNT;
	if (rc == -EPIPE)
		return STOP_READER_GONE;
	fprintf(stderr, "ebpfcap: writing the capture failed: %s\n", strerror(-rc));
	return STOP_ERROR;
}

static int flush_outputs(struct capture *c)
{
	if (c->out && pcapng_flush(c->out) < 0)
		return -errno;
	if (c->lines && printer_flush(c->lines) < 0)
		return -errno;
	return 0;
}

/* Reads what is ready and writes what is due: a live view stays live. */
static int read_round(struct capture *c, struct kernel_events *ke, bool packets_ready, int *events)
{
	int rc = packets_ready ? packets_dispatch(c->packets, on_packet, c) : 0;

	*events = 0;
	if (rc >= 0 && c->tls)
		rc = tls_secrets_consume(c->tls);
	if (rc >= 0)
		rc = *events = kernel_events_consume(ke);
	if (rc >= 0 && c->zx)
		rc = zmq_exporter_flush(c->zx);
	if (rc >= 0)
		rc = release_held(c, false);
	if (rc == STOP_COUNT_REACHED)
		flush_outputs(c); /* the last event goes out now, not after the programs are detached */
	if (rc >= 0)
		rc = flush_outputs(c);
	return rc;
}

/*
 * After a round that read events, the ring buffer is left out of poll() this
 * long and read on the timeout instead: under load one wake-up then reads
 * hundreds of events, not three (the wake-ups were most of our CPU per event,
 * bench/BENCHMARKS.md). An idle capture still sleeps until the first event.
 */
#define EVENT_BATCH_NS 5000000ull

/* poll()'s timeout: the end of an event batch or the next item due out of the reorder window, at most 200 ms. */
static int poll_timeout_ms(const struct capture *c, uint64_t batch_until)
{
	int ms = c->held ? reorder_wait_ms(c->held, clock_ns(CLOCK_REALTIME)) : -1;
	uint64_t now = clock_ns(CLOCK_MONOTONIC);

	if (batch_until > now) {
		int batch_ms = (int)((batch_until - now + 999999) / 1000000);

		ms = ms >= 0 && ms < batch_ms ? ms : batch_ms;
	}
	return ms >= 0 && ms < 200 ? ms : 200;
}

static enum stop_reason capture_loop(struct capture *c, struct kernel_events *ke, int sig_fd, int out_fd)
{
	struct pollfd fds[5] = {
		{ .fd = kernel_events_fd(ke), .events = POLLIN },
		{ .fd = sig_fd, .events = POLLIN },
		{ .fd = out_fd, .events = 0 }, /* POLLERR once a fifo's reader closes */
		{ .fd = c->packets ? packets_fd(c->packets) : -1, .events = POLLIN },
		{ .fd = c->tls ? tls_secrets_fd(c->tls) : -1, .events = POLLIN },
	};
	uint64_t next_sweep = clock_ns(CLOCK_BOOTTIME) + udp_flows_interval_ns(c->udp), batch_until = 0;
	int stop, events, events_fd = fds[0].fd;

	for (;;) {
		fds[0].fd = clock_ns(CLOCK_MONOTONIC) < batch_until ? -1 : events_fd;
		if (poll(fds, 5, poll_timeout_ms(c, batch_until)) < 0 && errno != EINTR)
			return STOP_ERROR;
		if (fds[1].revents)
			return STOP_SIGNAL;
		if (fds[2].revents & (POLLERR | POLLHUP))
			return STOP_READER_GONE;
		stop = stop_for(read_round(c, ke, fds[3].revents != 0, &events));
		if (stop >= 0)
			return (enum stop_reason)stop;
		if (events > 0)
			batch_until = clock_ns(CLOCK_MONOTONIC) + EVENT_BATCH_NS;
		uint64_t now = clock_ns(CLOCK_BOOTTIME);

		if (now >= next_sweep) {
			stop = stop_for(udp_flows_sweep(c->udp, now, false, on_event, c));
			if (stop < 0)
				stop = stop_for(report_drops(c, ke));
			if (stop >= 0)
				return (enum stop_reason)stop;
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

/* Snapshot records never went through the kernel: the filter applies here. */
static int emit_if_wanted(const struct ebpf_event *ev, void *ctx)
{
	struct capture *c = ctx;

	return filter_wants(c->filter, ev) ? on_event(ev, c) : 0;
}

/* Packets + events: connections not yet accept()ed belong to their listener. */
static void learn_listener(const struct ebpf_event *ev, void *ctx)
{
	struct capture *c = ctx;
	struct ebpf_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.ev = *ev;
	enrich(c, &rec);
	packet_owners_learn(c->owners, &rec);
}

/* Taken after attach, so a connection is either in the snapshot or seen opening. */
static int report_open_flows(struct capture *c)
{
	uint64_t caps = privileges_raise(USE_READ_PROC);

	c->snapshot = flow_snapshot_take("/proc");
	privileges_lower(caps);
	if (c->owners)
		flow_snapshot_each_listener(c->snapshot, learn_listener, c);
	return flow_snapshot_emit(c->snapshot, clock_ns(CLOCK_BOOTTIME), emit_if_wanted, c);
}

static void say_packet_summary(const struct capture *c)
{
	struct packet_owners_stats st;

	packet_owners_stats(c->owners, &st);
	if (reorder_early(c->held))
		fprintf(stderr, "ebpfcap: %llu packets or events left the reorder window early: it was full\n",
			(unsigned long long)reorder_early(c->held));
	if (c->opts->debug || st.evictions)
		fprintf(stderr, "ebpfcap: %llu of %llu TCP/UDP packets attributed; %u sockets known, "
			"%llu forgotten because the table was full (--flow-table-size)\n",
			(unsigned long long)st.attributed, (unsigned long long)st.flows_packets, st.sockets,
			(unsigned long long)st.evictions);
}

static void say_summary(const struct capture *c, struct kernel_events *ke)
{
	struct kernel_counters k;

	kernel_events_counters(ke, &k);
	uint64_t dropped = c->packets ? packets_dropped(c->packets) : 0;

	if (dropped)
		fprintf(stderr, "ebpfcap: %llu packets dropped by the kernel before libpcap saw them\n",
			(unsigned long long)dropped);
	if (k.lost)
		fprintf(stderr, "ebpfcap: %llu events lost because the kernel ring buffer was full "
			"(raise --ringbuf-size); %llu written\n",
			(unsigned long long)k.lost, (unsigned long long)c->written);
	if (k.skipped)
		fprintf(stderr, "ebpfcap: %llu tracepoint hits skipped by the kernel (our program was already "
			"running on that CPU), each possibly an event; %llu written\n",
			(unsigned long long)k.skipped, (unsigned long long)c->written);
	if (c->owners)
		say_packet_summary(c);
	if (c->tls && tls_secrets_lost(c->tls))
		fprintf(stderr, "ebpfcap: the TLS secrets of %llu connections were lost: the kernel ring buffer was full\n",
			(unsigned long long)tls_secrets_lost(c->tls));
	if (c->opts->debug)
		fprintf(stderr, "ebpfcap: %llu written, %llu emitted, %llu filtered in the kernel, %llu lost, "
			"%llu skipped, %llu UDP datagrams untracked, %llu exec notes lost\n",
			(unsigned long long)c->written, (unsigned long long)k.emitted,
			(unsigned long long)k.filtered, (unsigned long long)k.lost, (unsigned long long)k.skipped,
			(unsigned long long)k.udp_untracked, (unsigned long long)k.notes_lost);
}

static int check_capture_options(const struct options *o, struct capture_interface *iface)
{
	memset(iface, 0, sizeof(*iface));
	if (strcmp(o->interface, IFACE_EVENTS) != 0) {
		if (interfaces_find(o->interface, iface))
			return 0;
		fprintf(stderr, "ebpfcap: unknown interface '%s' (try --extcap-interfaces)\n", o->interface);
		return -1;
	}
	if (o->capture_filter && *o->capture_filter) {
		fprintf(stderr, "ebpfcap: capture filters do not apply to eBPF Events; "
			"use the interface options (process, event types) or a display filter\n");
		return -1;
	}
	return 0;
}

static uint32_t own_netns(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) == 0 ? (uint32_t)st.st_ino : 0;
}

/* Packets + events: the packets' interface block, the reorder window and the socket owners. */
static int open_packet_side(struct capture *c, const struct options *o, const struct capture_interface *iface)
{
	c->packets_dlt = packets_linktype(c->packets);
	c->packets_if = c->lines ? c->events_if + 1 /* told apart by number only */
		      : pcapng_add_interface(c->out, (uint16_t)c->packets_dlt, 262144, iface->ifname, iface->display);
	c->held = reorder_new(o->reorder_window_ms * 1000000ull, REORDER_MAX_BYTES);
	c->owners = packet_owners_new(o->flow_table_size, o->process_blocks);
	if (c->packets_if < 0 || !c->held || !c->owners) {
		fprintf(stderr, "ebpfcap: cannot set up the packet side: %s\n", strerror(errno ? errno : ENOMEM));
		return -1;
	}
	packet_owners_listeners_from(c->owners, c->own_netns);
	packet_owners_listeners_from(c->owners, interfaces_peer_netns(iface));
	return 0;
}

/* --export: a daemon publishing to collectors; it says on stderr what it does. */
static int open_exporter(struct capture *c, const struct options *o)
{
	struct zmq_export_options zo = {
		.endpoint = o->export_endpoint, .connect = o->export_connect,
		.secret_key = o->secret_key, .server_key = o->server_key,
		.allowed_keys = o->allowed_keys, .host = c->host, .machine_id = c->machine_id,
		.insecure = o->insecure,
	};

	machine_id_read(c->machine_id, sizeof(c->machine_id));
	c->zx = zmq_exporter_open(&zo);
	if (!c->zx)
		return -1;
	fprintf(stderr, "ebpfcap: exporting the events of %s %s %s%s\n", c->host,
		o->export_connect ? "to" : "on", o->export_endpoint,
		o->secret_key || o->server_key ? " (CURVE)" : "");
	return 0;
}

/*
 * Where records go: ZMQ (--export), lines on stdout (the CLI without -w),
 * or pcapng to a file or Wireshark's fifo. Sets *out_fd, polled for the
 * reader's end (-1: none). 0, or -1 after one line.
 */
static int open_sink(struct capture *c, const struct options *o, const struct capture_interface *iface, int *out_fd)
{
	if (o->export_endpoint) {
		*out_fd = -1;
		return open_exporter(c, o);
	}
	if (!o->fifo) {
		*out_fd = STDOUT_FILENO;
		c->lines = printer_open(stdout, &o->print);
		return !c->lines || (c->packets && open_packet_side(c, o, iface) < 0) ? -1 : 0;
	}
	*out_fd = session_open_output(o->fifo);
	if (*out_fd < 0)
		return -1;
	c->out = pcapng_writer_open(*out_fd, "ebpfcap " EBPFCAP_VERSION);
	if (!c->out) {
		fprintf(stderr, "ebpfcap: cannot write to '%s': %s\n", o->fifo, strerror(errno));
		close(*out_fd);
		return -1;
	}
	c->events_if = pcapng_add_interface(c->out, LINKTYPE_WIRESHARK_UPPER_PDU, 0, IFACE_EVENTS, "eBPF Events");
	if (c->packets && open_packet_side(c, o, iface) < 0)
		return -1;
	pcapng_writer_batch(c->out, true); /* one write() per drain of the ring buffer */
	return 0;
}

/* --tls-secrets: the probes on libssl, and --tls-keylog's file (the owner's alone: it holds keys). */
static int open_tls(struct capture *c, const struct options *o, struct kernel_events *ke)
{
	uint64_t caps;

	if (o->tls_keylog) {
		c->keylog_fd = open(o->tls_keylog, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (c->keylog_fd < 0) {
			fprintf(stderr, "ebpfcap: cannot write --tls-keylog '%s': %s\n", o->tls_keylog, strerror(errno));
			return -1;
		}
	}
	/* The key log above is the user's path, opened with the user's rights; loading the probes is ours. */
	caps = privileges_raise(USE_LOAD_BPF);

	c->tls = tls_secrets_open(NULL, c->filter, ke, on_tls_keys, c);
	privileges_lower(caps);
	return c->tls ? 0 : -1;
}

int capture_run(const struct options *o, struct command *cmd)
{
	struct event_filter filter;
	struct capture c = { .opts = o, .filter = &filter, .keylog_fd = -1 };
	struct kernel_callbacks cb = { .event = on_event, .exec = on_exec, .ctx = &c };
	struct kernel_events *ke = NULL;
	struct capture_interface iface;
	int sig_fd, out_fd, status = 1;

	if (check_capture_options(o, &iface) < 0 || privileges_check(iface.ifname[0] != '\0') < 0 ||
	    kernel_events_tracefs() < 0 ||
	    filter_from_options(o, &iface, kernel_events_cgroup_root(), &filter) < 0)
		return 1;
	if (iface.ifname[0]) {
		uint64_t caps = privileges_raise(USE_PACKETS);

		c.packets = packets_open(iface.ifname, o->capture_filter);
		privileges_lower(caps);
		if (!c.packets)
			return 1;
	}
	sig_fd = session_stop_signals_fd(o->from_wireshark);
	gethostname(c.host, sizeof(c.host) - 1);
	c.own_netns = own_netns();
	if (open_sink(&c, o, &iface, &out_fd) < 0)
		return 1;
	c.procs = process_cache_new();
	c.containers = containers_new(kernel_events_cgroup_root(), CONTAINERS_DOCKER_SOCKET);
	c.boot_to_wall_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
	uint64_t caps = privileges_raise(USE_LOAD_BPF);

	ke = kernel_events_open(&filter, o->ringbuf_kib, o->debug, &cb);
	privileges_lower(caps);
	if (ke)
		filter.descendants_fd = kernel_events_pids_fd(ke);
	if (ke)
		c.udp = udp_flows_new(kernel_events_udp_map_fd(ke), o->udp_interval_ms * 1000000ull);
	if (ke && c.udp && (!o->tls_secrets || open_tls(&c, o, ke) == 0) && c.events_if >= 0 && c.procs) {
		int rc = report_open_flows(&c);
		enum stop_reason why = rc == STOP_COUNT_REACHED ? STOP_COUNT
				     : rc == -EPIPE ? STOP_READER_GONE
				     : cmd && command_release(cmd) < 0 ? STOP_ERROR
				     : capture_loop(&c, ke, sig_fd, out_fd);

		if (why == STOP_SIGNAL) {
			drain(ke, cmd ? COMMAND_LINGER_MS : 0);
			udp_flows_sweep(c.udp, clock_ns(CLOCK_BOOTTIME), true, on_event, &c);
		}
		if (why != STOP_READER_GONE) {
			report_drops(&c, ke);
			release_held(&c, true);
		}
		say_summary(&c, ke);
		status = why == STOP_ERROR ? 1 : 0;
	}
	tls_secrets_close(c.tls);
	if (c.keylog_fd >= 0)
		close(c.keylog_fd);
	udp_flows_free(c.udp);
	reorder_free(c.held);
	packet_owners_free(c.owners);
	flow_snapshot_free(c.snapshot);
	containers_free(c.containers);
	packets_close(c.packets);
	kernel_events_close(ke);
	process_cache_free(c.procs);
	if (zmq_exporter_close(c.zx) < 0)
		status = 1; /* connecting, it never got through: nothing was delivered */
	pcapng_writer_close(c.out);
	printer_close(c.lines);
	close(sig_fd);
	return status;
}
