/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "udp_flows.h"

#include <glib.h>

#include "utils/keyhash.h"
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#define MAX_FLOWS 16384 /* the kernel map's size */
#define IDLE_INTERVALS 3

/* What we have reported of a flow so far. */
struct reported {
	uint64_t packets;
	uint64_t bytes;
	uint64_t at_ns;
};

struct udp_flows {
	int map_fd;
	uint64_t interval_ns;
	GHashTable *reported; /* struct ebpf_udp_key -> struct reported */
	struct ebpf_udp_key *keys;
};

KEYHASH_DEFINE(key, struct ebpf_udp_key)

struct udp_flows *udp_flows_new(int map_fd, uint64_t interval_ns)
{
	struct udp_flows *uf = calloc(1, sizeof(*uf));

	if (!uf)
		return NULL;
	uf->map_fd = map_fd;
	uf->interval_ns = interval_ns;
	uf->reported = g_hash_table_new_full(key_hash, key_equal, g_free, g_free);
	uf->keys = calloc(MAX_FLOWS, sizeof(*uf->keys));
	if (!uf->keys) {
		udp_flows_free(uf);
		return NULL;
	}
	return uf;
}

void udp_flows_free(struct udp_flows *uf)
{
	if (!uf)
		return;
	g_hash_table_destroy(uf->reported);
	free(uf->keys);
	free(uf);
}

uint64_t udp_flows_interval_ns(const struct udp_flows *uf)
{
	return uf->interval_ns;
}

static struct reported *reported_for(struct udp_flows *uf, const struct ebpf_udp_key *k,
				     const struct ebpf_udp_flow *f)
{
	struct reported *r = g_hash_table_lookup(uf->reported, k);

	if (!r) {
		/* The kernel counts from zero after the first datagram's own record. */
		r = g_new0(struct reported, 1);
		r->at_ns = f->owner.start_ns;
		g_hash_table_insert(uf->reported, g_memdup2(k, sizeof(*k)), r);
	}
	return r;
}

static int emit_growth(const struct ebpf_udp_key *k, const struct ebpf_udp_flow *f,
		       struct reported *r, uint64_t now, udp_emit_fn emit, void *ctx)
{
	struct ebpf_event ev;
	uint64_t bytes = f->bytes - r->bytes;

	if (f->packets <= r->packets)
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.type = k->type;
	ev.proto = 17;
	ev.timestamp_ns = now;
	ev.family = k->family;
	ev.sport = k->sport;
	ev.dport = k->dport;
	ev.netns = k->netns;
	memcpy(ev.saddr, k->saddr, 16);
	memcpy(ev.daddr, k->daddr, 16);
	ev.pid = f->owner.pid;
	ev.tid = f->owner.tid;
	ev.ppid = f->owner.ppid;
	ev.uid = f->owner.uid;
	ev.gid = f->owner.gid;
	ev.cgroup_id = f->owner.cgroup_id;
	memcpy(ev.comm, f->owner.comm, sizeof(ev.comm));
	memcpy(ev.parent_comm, f->owner.parent_comm, sizeof(ev.parent_comm));
	ev.packets = f->packets - r->packets;
	if (k->type == EBPF_UDP_SEND)
		ev.bytes_sent = bytes;
	else
		ev.bytes_received = bytes;
	ev.duration_us = (now - r->at_ns) / 1000; /* the span this summary covers */
	r->packets = f->packets;
	r->bytes = f->bytes;
	r->at_ns = now;
	return emit(&ev, ctx);
}

/* Deletes an idle flow atomically, reporting whatever slipped in before. */
static int retire(struct udp_flows *uf, const struct ebpf_udp_key *k, struct reported *r,
		  uint64_t now, udp_emit_fn emit, void *ctx)
{
	struct ebpf_udp_flow last;
	int rc = 0;

	if (bpf_map_lookup_and_delete_elem(uf->map_fd, k, &last) == 0)
		rc = emit_growth(k, &last, r, now, emit, ctx);
	g_hash_table_remove(uf->reported, k);
	return rc;
}

int udp_flows_sweep(struct udp_flows *uf, uint64_t now, bool final, udp_emit_fn emit, void *ctx)
{
	size_t n = 0;
	int rc = 0;

	/* Keys first: deleting while walking would restart the walk. */
	if (bpf_map_get_next_key(uf->map_fd, NULL, &uf->keys[0]) == 0)
		for (n = 1; n < MAX_FLOWS; n++)
			if (bpf_map_get_next_key(uf->map_fd, &uf->keys[n - 1], &uf->keys[n]) != 0)
				break;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct ebpf_udp_key *k = &uf->keys[i];
		struct ebpf_udp_flow f;
		struct reported *r;

		if (bpf_map_lookup_elem(uf->map_fd, k, &f) != 0)
			continue;
		r = reported_for(uf, k, &f);
		if (f.packets > r->packets)
			rc = emit_growth(k, &f, r, now, emit, ctx);
		else if (final || now - f.last_ns > IDLE_INTERVALS * uf->interval_ns)
			rc = retire(uf, k, r, now, emit, ctx);
	}
	return rc;
}
