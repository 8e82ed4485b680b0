/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "packet_owners.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utils/attrib/conntrack.h"
#include "utils/attrib/flow_table.h"
#include "utils/attrib/packet_tuple.h"
#include "utils/attrib/socket_owner.h"
#include "utils/enrich/process.h"

/* Processes described so far, by pid: bounded, forgotten all at once when full (then described again). */
#define MAX_PROCESSES 16384

struct process_entry {
	struct pcapng_process_info info;
	bool written; /* its block is in the capture */
};

struct packet_owners {
	struct flow_table *sockets;
	GHashTable *processes; /* pid -> struct process_entry; NULL: not describing processes */
	struct conntrack *nat;     /* NULL: no translated tuples (no conntrack, no privilege) */
	uint64_t flows_packets, attributed;
	uint32_t listener_netns[4];
};

struct packet_owners *packet_owners_new(uint32_t max_sockets, bool describe_processes)
{
	struct packet_owners *po = calloc(1, sizeof(*po));

	if (po) {
		po->sockets = flow_table_new(max_sockets);
		po->nat = conntrack_open();
		if (describe_processes)
			po->processes = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	}
	if (!po || !po->sockets) {
		packet_owners_free(po);
		return NULL;
	}
	return po;
}

void packet_owners_free(struct packet_owners *po)
{
	if (!po)
		return;
	flow_table_free(po->sockets);
	conntrack_close(po->nat);
	if (po->processes)
		g_hash_table_destroy(po->processes);
	free(po);
}

/* A record of a TCP or UDP socket whose process the kernel knew: the key it is learned by. */
static bool key_of_record(const struct ebpf_event *ev, struct socket_key *k)
{
	if (ev->flags & EBPF_FLAG_NO_OWNER || ev->type == EBPF_CAPTURE_DROPS)
		return false;
	return socket_key_of_record(k, ev->family, ev->proto, ev->saddr, ev->sport, ev->daddr, ev->dport);
}

/* Appends to a NUL-terminated string, cutting what does not fit. */
static void append(char *buf, size_t size, const char *what, const char *value)
{
	size_t used = strlen(buf);

	if (used + 1 < size)
		snprintf(buf + used, size - used, "%s%s", what, value);
}

/* "curl(1234) uid=1000 container=web pod=web-7f9c namespace=shop" */
static void describe(const struct ebpf_record *rec, struct flow_owner *o)
{
	const struct ebpf_event *ev = &rec->ev;
	char label[OWNER_LABEL_MAX];

	o->pid = ev->pid;
	o->tid = ev->tid;
	owner_label(label, sizeof(label), ev->comm, ev->pid);
	snprintf(o->text, sizeof(o->text), "%s uid=%u", label, ev->uid);
	if (rec->container_name[0])
		append(o->text, sizeof(o->text), " container=", rec->container_name);
	if (rec->pod[0]) {
		append(o->text, sizeof(o->text), " pod=", rec->pod);
		append(o->text, sizeof(o->text), " namespace=", rec->pod_namespace);
	}
	if (ev->tcp_state == EBPF_TCP_STATE_LISTEN)
		append(o->text, sizeof(o->text), " listening", "");
}

/* The process of rec as Wireshark's process information block describes one. */
static void process_info(const struct ebpf_record *rec, struct pcapng_process_info *p)
{
	const struct ebpf_event *ev = &rec->ev;

	memset(p, 0, sizeof(*p));
	p->pid = ev->pid;
	p->has_ppid = ev->ppid != 0;
	p->ppid = ev->ppid;
	p->has_uid = true;
	p->uid = ev->uid;
	snprintf(p->name, sizeof(p->name), "%.*s", EBPF_COMM_LEN, ev->comm);
	snprintf(p->path, sizeof(p->path), "%s", rec->exe);
	/* The format has no option for these: the block's comment, as the packets' comments say them. */
	if (rec->container_name[0] || rec->container_id[0])
		append(p->comment, sizeof(p->comment), "container=",
		       rec->container_name[0] ? rec->container_name : rec->container_id);
	if (rec->pod[0]) {
		append(p->comment, sizeof(p->comment), p->comment[0] ? " pod=" : "pod=", rec->pod);
		append(p->comment, sizeof(p->comment), " namespace=", rec->pod_namespace);
	}
}

/* A process seen for the first time, or described differently now (exec, pid reuse), is to be written. */
static void remember_process(struct packet_owners *po, const struct ebpf_record *rec)
{
	struct process_entry *e = g_hash_table_lookup(po->processes, GUINT_TO_POINTER(rec->ev.pid));
	struct pcapng_process_info now;

	process_info(rec, &now);
	/* A process keeps its start time (exec too): read /proc only for a process described anew. */
	now.start_ns = e ? e->info.start_ns : 0;
	if (e && memcmp(&e->info, &now, sizeof(now)) == 0)
		return;
	now.start_ns = process_start_ns(now.pid, now.name);
	if (!e) {
		if (g_hash_table_size(po->processes) >= MAX_PROCESSES)
			g_hash_table_remove_all(po->processes);
		e = g_new(struct process_entry, 1);
		g_hash_table_insert(po->processes, GUINT_TO_POINTER(rec->ev.pid), e);
	}
	e->info = now;
	e->written = false;
}

void packet_owners_listeners_from(struct packet_owners *po, uint32_t netns)
{
	for (int i = 0; i < 4 && netns; i++)
		if (po->listener_netns[i] == 0 || po->listener_netns[i] == netns) {
			po->listener_netns[i] = netns;
			return;
		}
}

static bool listener_here(const struct packet_owners *po, const struct ebpf_event *ev)
{
	for (int i = 0; i < 4 && po->listener_netns[i]; i++)
		if (po->listener_netns[i] == ev->netns)
			return true;
	return false;
}

void packet_owners_learn(struct packet_owners *po, const struct ebpf_record *rec)
{
	struct socket_key k;
	struct flow_owner o;

	if (!key_of_record(&rec->ev, &k))
		return;
	if (rec->ev.tcp_state == EBPF_TCP_STATE_LISTEN && !listener_here(po, &rec->ev))
		return;
	describe(rec, &o);
	flow_table_put(po->sockets, &k, &o);
	if (po->processes && rec->ev.pid)
		remember_process(po, rec);
}

/* The process to name in the packet's block, and its description if not yet written. */
static void note_process(struct packet_owners *po, const struct flow_owner *o, struct packet_owner_note *note)
{
	struct process_entry *e;

	note->opts.has_process = o->pid != 0;
	note->opts.pid = o->pid;
	note->opts.tid = o->tid;
	note->describe = NULL;
	if (!po->processes || !o->pid)
		return;
	e = g_hash_table_lookup(po->processes, GUINT_TO_POINTER(o->pid));
	if (e && !e->written) {
		e->written = true; /* the caller writes it now */
		note->describe = &e->info;
	}
}

/* The owner of the socket k names, or of the socket that takes its packets in its place. */
static const struct flow_owner *lookup(struct packet_owners *po, const struct socket_key *k)
{
	const struct flow_owner *o = NULL;
	struct socket_key candidate;

	for (unsigned step = 0; !o && socket_key_fallback(k, &step, &candidate);)
		o = flow_table_get(po->sockets, &candidate);
	return o;
}

bool packet_owners_note(struct packet_owners *po, int dlt, const uint8_t *data, uint32_t caplen,
			struct packet_owner_note *note)
{
	struct socket_key from, to, alt;
	const struct flow_owner *src, *dst;

	if (!packet_tuple(dlt, data, caplen, &from))
		return false;
	po->flows_packets++;
	socket_key_reverse(&from, &to);
	src = lookup(po, &from);
	dst = lookup(po, &to);
	if ((!src || !dst) && po->nat && conntrack_translated(po->nat, &from, &alt)) {
		/* The socket on the far side of a NAT knows the packet by its translated tuple. */
		socket_key_reverse(&alt, &to);
		src = src ? src : lookup(po, &alt);
		dst = dst ? dst : lookup(po, &to);
	}
	if (!src && !dst)
		return false;
	po->attributed++;
	snprintf(note->comment, sizeof(note->comment), "%s%s%s%s%s", src ? "src " : "", src ? src->text : "",
		 src && dst ? " | " : "", dst ? "dst " : "", dst ? dst->text : "");
	note->opts.comment = note->comment;
	note_process(po, src ? src : dst, note);
	return true;
}

void packet_owners_stats(const struct packet_owners *po, struct packet_owners_stats *st)
{
	st->flows_packets = po->flows_packets;
	st->attributed = po->attributed;
	st->evictions = flow_table_evictions(po->sockets);
	st->sockets = flow_table_size(po->sockets);
}
