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

#include "interfaces.h"
#include "kernel_events.h"
#include "session.h"
#include "packets.h"
#include "privileges.h"
#include "udp_flows.h"
#include "pcapio/exported_pdu.h"
#include "pcapio/pcapng.h"
#include "utils/containers.h"
#include "utils/process.h"
#include "utils/snapshot.h"
#include "utils/record.h"
#include "utils/zmq_transport.h"

#define STOP_COUNT_REACHED (-ECANCELED)
#define DOCKER_SOCKET "/var/run/docker.sock"

struct capture {
	const struct options *opts;
	struct pcapng_writer *out;
	int events_if;
	uint64_t boot_to_wall_ns; /* the kernel stamps CLOCK_BOOTTIME */
	uint64_t written;
	uint64_t lost_reported;
	char host[64];
	char machine_id[40];       /* filled in exported records: hosts can share a name */
	struct zmq_exporter *zx;   /* --export: records go here instead of to out */
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
};

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
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
	exported_pdu_write_header(buf);
	n = ebpf_record_encode(rec, buf + hdr, sizeof(buf) - hdr);
	if (n == 0)
		return -EMSGSIZE;
	if (pcapng_write_packet(c->out, (uint32_t)c->events_if, rec->ev.timestamp_ns, buf,
				(uint32_t)(hdr + n), (uint32_t)(hdr + n), NULL) < 0)
		return -errno;
	return 0;
}

static int on_packet(uint64_t ts_ns, const uint8_t *data, uint32_t caplen, uint32_t len, void *ctx)
{
	struct capture *c = ctx;

	return pcapng_write_packet(c->out, (uint32_t)c->packets_if, ts_ns, data, caplen, len, NULL) < 0 ? -errno : 0;
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
	process_cache_exec(c->procs, note->pid, path);
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
	err = write_record(c, &rec);
	if (err)
		return err;
	c->written++;
	if (c->opts->max_events && c->written >= c->opts->max_events)
		return STOP_COUNT_REACHED;
	return 0;
}

/* Loss is never silent: each increase becomes a Capture_Drops record. */
static int report_drops(struct capture *c, struct kernel_events *ke)
{
	struct kernel_counters k;
	struct ebpf_record rec;

	kernel_events_counters(ke, &k);
	if (k.lost <= c->lost_reported)
		return 0;
	memset(&rec, 0, sizeof(rec));
	rec.ev.type = EBPF_CAPTURE_DROPS;
	rec.ev.timestamp_ns = clock_ns(CLOCK_REALTIME);
	rec.ev.drops = k.lost - c->lost_reported;
	ebpf_copy_string(rec.host, sizeof(rec.host), c->host);
	ebpf_copy_string(rec.machine_id, sizeof(rec.machine_id), c->machine_id);
	c->lost_reported = k.lost;
	return write_record(c, &rec);
}

enum stop_reason { STOP_SIGNAL, STOP_READER_GONE, STOP_COUNT, STOP_ERROR };

static enum stop_reason capture_loop(struct capture *c, struct kernel_events *ke, int sig_fd, int out_fd)
{
	struct pollfd fds[4] = {
		{ .fd = kernel_events_fd(ke), .events = POLLIN },
		{ .fd = sig_fd, .events = POLLIN },
		{ .fd = out_fd, .events = 0 }, /* POLLERR once a fifo's reader closes */
		{ .fd = c->packets ? packets_fd(c->packets) : -1, .events = POLLIN },
	};
	uint64_t next_sweep = clock_ns(CLOCK_BOOTTIME) + udp_flows_interval_ns(c->udp);

	for (;;) {
		if (poll(fds, 4, 200) < 0 && errno != EINTR)
			return STOP_ERROR;
		if (fds[1].revents)
			return STOP_SIGNAL;
		if (fds[2].revents & (POLLERR | POLLHUP))
			return STOP_READER_GONE;
		int rc = fds[3].revents ? packets_dispatch(c->packets, on_packet, c) : 0;

		if (rc == -EPIPE)
			return STOP_READER_GONE;
		rc = kernel_events_consume(ke);

		if (c->zx && rc >= 0)
			rc = zmq_exporter_flush(c->zx); /* what this round read goes out now */

		if (rc == STOP_COUNT_REACHED)
			return STOP_COUNT;
		if (rc == -EPIPE)
			return STOP_READER_GONE;
		if (rc < 0) {
			fprintf(stderr, "ebpfcap: writing the capture failed: %s\n", strerror(-rc));
			return STOP_ERROR;
		}
		/* Whatever this round produced goes out before we sleep: a live view stays live. */
		if (c->out && pcapng_flush(c->out) < 0)
			return errno == EPIPE ? STOP_READER_GONE : STOP_ERROR;
		uint64_t now = clock_ns(CLOCK_BOOTTIME);

		if (now >= next_sweep) {
			rc = udp_flows_sweep(c->udp, now, false, on_event, c);
			if (rc == STOP_COUNT_REACHED)
				return STOP_COUNT;
			if (rc == -EPIPE || report_drops(c, ke) == -EPIPE)
				return STOP_READER_GONE;
			next_sweep = now + udp_flows_interval_ns(c->udp);
		}
	}
}

struct snapshot_ctx {
	struct capture *c;
	struct kernel_events *ke;
};

/* Snapshot records never went through the kernel: the filters apply here. */
static int emit_if_wanted(const struct ebpf_event *ev, void *ctx)
{
	struct snapshot_ctx *sc = ctx;

	return kernel_events_wants(sc->ke, ev) ? on_event(ev, sc->c) : 0;
}

/* Taken after attach, so a connection is either in the snapshot or seen opening. */
static int report_open_flows(struct capture *c, struct kernel_events *ke)
{
	struct snapshot_ctx sc = { c, ke };

	c->snapshot = flow_snapshot_take("/proc");
	return flow_snapshot_emit(c->snapshot, clock_ns(CLOCK_BOOTTIME), emit_if_wanted, &sc);
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
	if (c->opts->debug)
		fprintf(stderr, "ebpfcap: %llu written, %llu emitted, %llu filtered in the kernel, %llu lost, "
			"%llu UDP datagrams untracked, %llu exec notes lost\n",
			(unsigned long long)c->written, (unsigned long long)k.emitted,
			(unsigned long long)k.filtered, (unsigned long long)k.lost,
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

/* A cgroup's id is its directory's inode number, in v1 and v2 alike. */
static int cgroup_id_of(const char *path, uint64_t *id)
{
	char full[4096];
	struct stat st;

	snprintf(full, sizeof(full), "%s/%s", kernel_events_cgroup_root(), path[0] == '/' ? path + 1 : path);
	if (stat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
		*id = st.st_ino;
		return 0;
	}
	fprintf(stderr, "ebpfcap: no cgroup '%s' under %s\n", path, kernel_events_cgroup_root());
	return -1;
}

/* --cgroup, --container, --pod and the containers behind the interface: the kernel follows them all. */
#define MAX_POD_CONTAINERS 16
#define MAX_CGROUP_FILTERS (2 + MAX_POD_CONTAINERS + MAX_IFACE_CGROUPS)

static int build_filter(const struct options *o, const struct capture_interface *iface,
			struct kernel_filter *f, uint32_t *pid, uint64_t *cgroups)
{
	memset(f, 0, sizeof(*f));
	f->event_type_mask = o->event_type_mask;
	f->ringbuf_kib = o->ringbuf_kib;
	f->debug = o->debug;
	f->port = o->port;
	f->family = o->family;
	if (o->comm)
		ebpf_copy_string(f->comm, sizeof(f->comm), o->comm);
	if (o->pid) {
		*pid = o->pid;
		f->pids = pid;
		f->n_pids = 1;
	}
	f->cgroup_ids = cgroups;
	for (int i = 0; i < iface->n_cgroups; i++)
		cgroups[f->n_cgroups++] = iface->cgroups[i];
	if (o->cgroup && cgroup_id_of(o->cgroup, &cgroups[f->n_cgroups++]) < 0)
		return -1;
	if (o->container) {
		if (!containers_cgroup_of(kernel_events_cgroup_root(), DOCKER_SOCKET, o->container,
					  &cgroups[f->n_cgroups++])) {
			fprintf(stderr, "ebpfcap: no running container '%s' (by name or id)\n", o->container);
			return -1;
		}
	}
	if (o->pod) {
		int n = containers_cgroups_of_pod(kernel_events_cgroup_root(), DOCKER_SOCKET, o->pod,
						  &cgroups[f->n_cgroups], MAX_POD_CONTAINERS);

		if (n == 0) {
			fprintf(stderr, "ebpfcap: no running container of pod '%s'\n", o->pod);
			return -1;
		}
		f->n_cgroups += (size_t)n;
	}
	return 0;
}

/* --export: a daemon publishing to collectors; it says on stderr what it does. */
static int open_exporter(struct capture *c, const struct options *o)
{
	struct zmq_export_options zo = {
		.endpoint = o->export_endpoint, .connect = o->export_connect,
		.secret_key = o->secret_key, .server_key = o->server_key,
		.allowed_keys = o->allowed_keys, .host = c->host, .machine_id = c->machine_id,
	};

	zmq_read_machine_id(c->machine_id, sizeof(c->machine_id));
	c->zx = zmq_exporter_open(&zo);
	if (!c->zx)
		return -1;
	fprintf(stderr, "ebpfcap: exporting the events of %s %s %s%s\n", c->host,
		o->export_connect ? "to" : "on", o->export_endpoint,
		o->secret_key || o->server_key ? " (CURVE)" : "");
	return 0;
}

int capture_run(const struct options *o)
{
	struct capture c = { .opts = o };
	struct kernel_callbacks cb = { .event = on_event, .exec = on_exec, .ctx = &c };
	struct kernel_filter filter;
	struct kernel_events *ke = NULL;
	uint32_t pid;
	uint64_t cgroups[MAX_CGROUP_FILTERS];
	struct capture_interface iface;
	int sig_fd, out_fd, status = 1;

	if (check_capture_options(o, &iface) < 0 || privileges_check(iface.ifname[0] != '\0') < 0 ||
	    kernel_events_tracefs() < 0 || build_filter(o, &iface, &filter, &pid, cgroups) < 0)
		return 1;
	if (iface.ifname[0]) {
		c.packets = packets_open(iface.ifname, o->capture_filter);
		if (!c.packets)
			return 1;
	}
	if (o->pid && kill((pid_t)o->pid, 0) < 0 && errno == ESRCH) {
		fprintf(stderr, "ebpfcap: no process with pid %u\n", o->pid);
		return 1;
	}
	sig_fd = session_stop_signals_fd(o->from_wireshark);
	gethostname(c.host, sizeof(c.host) - 1);
	if (o->export_endpoint) {
		out_fd = -1; /* poll() skips it */
		if (open_exporter(&c, o) < 0)
			return 1;
	} else {
		out_fd = session_open_output(o->fifo);
		if (out_fd < 0)
			return 1;
		c.out = pcapng_writer_open(out_fd, "ebpfcap " EBPFCAP_VERSION);
		if (!c.out) {
			fprintf(stderr, "ebpfcap: cannot write to '%s': %s\n", o->fifo, strerror(errno));
			close(out_fd);
			return 1;
		}
		c.events_if = pcapng_add_interface(c.out, LINKTYPE_WIRESHARK_UPPER_PDU, 0,
						   IFACE_EVENTS, "eBPF Events");
		if (c.packets)
			c.packets_if = pcapng_add_interface(c.out, (uint16_t)packets_linktype(c.packets), 262144,
							    iface.ifname, iface.display);
		pcapng_writer_batch(c.out, true); /* one write() per drain of the ring buffer */
	}
	c.procs = process_cache_new();
	c.containers = containers_new(kernel_events_cgroup_root(), DOCKER_SOCKET);
	c.own_netns = own_netns();
	c.boot_to_wall_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
	ke = kernel_events_open(&filter, &cb);
	if (ke)
		c.udp = udp_flows_new(kernel_events_udp_map_fd(ke), o->udp_interval_ms * 1000000ull);
	if (ke && c.udp && c.events_if >= 0 && c.procs) {
		int rc = report_open_flows(&c, ke);
		enum stop_reason why = rc == STOP_COUNT_REACHED ? STOP_COUNT
				     : rc == -EPIPE ? STOP_READER_GONE
				     : capture_loop(&c, ke, sig_fd, out_fd);

		if (why == STOP_SIGNAL) {
			kernel_events_consume(ke); /* what the kernel saw before the stop goes in the file */
			udp_flows_sweep(c.udp, clock_ns(CLOCK_BOOTTIME), true, on_event, &c);
		}
		if (why != STOP_READER_GONE)
			report_drops(&c, ke);
		say_summary(&c, ke);
		status = why == STOP_ERROR ? 1 : 0;
	}
	udp_flows_free(c.udp);
	flow_snapshot_free(c.snapshot);
	containers_free(c.containers);
	packets_close(c.packets);
	kernel_events_close(ke);
	process_cache_free(c.procs);
	zmq_exporter_close(c.zx);
	pcapng_writer_close(c.out);
	close(sig_fd);
	return status;
}
