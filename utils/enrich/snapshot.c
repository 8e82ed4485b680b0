/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "utils/enrich/snapshot.h"

#include <ctype.h>
#include <dirent.h>
#include <glib.h>

#include "utils/keyhash.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


struct owner_info {
	uint32_t pid, ppid, uid, gid;
	char comm[EBPF_COMM_LEN];
};

/* Identifies a connection the way events do: namespace and 4-tuple. */
struct flow_key {
	uint32_t netns;
	uint16_t family, sport, dport;
	uint8_t saddr[16], daddr[16];
};

struct flow_snapshot {
	GHashTable *owners_by_inode; /* socket inode -> struct owner_info */
	GHashTable *flows;           /* struct flow_key -> struct ebpf_event (owner filled) */
	GPtrArray *listeners;        /* struct ebpf_event of listening sockets with an owner */
	const char *proc;
};

KEYHASH_DEFINE(key, struct flow_key)

static void key_of(const struct ebpf_event *ev, struct flow_key *k)
{
	memset(k, 0, sizeof(*k));
	k->netns = ev->netns;
	k->family = ev->family;
	k->sport = ev->sport;
	k->dport = ev->dport;
	memcpy(k->saddr, ev->saddr, 16);
	memcpy(k->daddr, ev->daddr, 16);
}

/* /proc prints each 32-bit word of the address as the host-order integer. */
static bool parse_addr(const char *hex, uint16_t family, uint8_t *addr, uint16_t *port)
{
	unsigned words = family == 2 ? 1 : 4;
	unsigned p;

	for (unsigned i = 0; i < words; i++) {
		char word[9];
		uint32_t v;

		memcpy(word, hex + 8 * i, 8);
		word[8] = '\0';
		if (strspn(word, "0123456789abcdefABCDEF") != 8)
			return false;
		v = (uint32_t)strtoul(word, NULL, 16);
		memcpy(addr + 4 * i, &v, 4);
	}
	if (hex[8 * words] != ':' || sscanf(hex + 8 * words + 1, "%4x", &p) != 1)
		return false;
	*port = (uint16_t)p;
	return true;
}

bool flow_snapshot_parse_line(const char *line, uint16_t family, struct ebpf_event *ev,
			      unsigned *state, unsigned long *inode)
{
	char local[64], remote[64];
	unsigned st;
	unsigned long ino;

	/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
	if (sscanf(line, " %*u: %63s %63s %x %*s %*s %*s %*u %*u %lu", local, remote, &st, &ino) != 4)
		return false;
	memset(ev, 0, sizeof(*ev));
	ev->family = family;
	ev->proto = 6;
	if (strlen(local) != (family == 2 ? 13u : 37u) || strlen(remote) != strlen(local) ||
	    !parse_addr(local, family, ev->saddr, &ev->sport) ||
	    !parse_addr(remote, family, ev->daddr, &ev->dport))
		return false;
	*state = st;
	*inode = ino;
	return true;
}

static void read_owner(const char *proc, const char *pid, struct owner_info *o)
{
	char path[256], line[256];
	FILE *f;

	memset(o, 0, sizeof(*o));
	o->pid = (uint32_t)atoi(pid);
	snprintf(path, sizeof(path), "%s/%s/status", proc, pid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Name:\t%15[^\n]", o->comm) == 1)
			continue;
		if (sscanf(line, "PPid:\t%u", &o->ppid) == 1)
			continue;
		if (sscanf(line, "Uid:\t%u", &o->uid) == 1)
			continue;
		sscanf(line, "Gid:\t%u", &o->gid);
	}
	fclose(f);
}

/* Socket inodes of one process; the first process found owns a shared socket. */
static void scan_fds(struct flow_snapshot *fs, const char *pid)
{
	char path[256], target[64];
	struct owner_info o;
	bool have_owner = false;
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s/fd", fs->proc, pid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		unsigned long inode;
		char link[600];
		ssize_t n;

		snprintf(link, sizeof(link), "%s/%s", path, de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (sscanf(target, "socket:[%lu]", &inode) != 1 ||
		    g_hash_table_contains(fs->owners_by_inode, GSIZE_TO_POINTER(inode)))
			continue;
		if (!have_owner) {
			read_owner(fs->proc, pid, &o);
			have_owner = true;
		}
		g_hash_table_insert(fs->owners_by_inode, GSIZE_TO_POINTER(inode), g_memdup2(&o, sizeof(o)));
	}
	closedir(d);
}

static void add_owner(struct flow_snapshot *fs, struct ebpf_event *ev, unsigned long inode)
{
	const struct owner_info *o = g_hash_table_lookup(fs->owners_by_inode, GSIZE_TO_POINTER(inode));

	if (o) {
		ev->pid = ev->tid = o->pid;
		ev->ppid = o->ppid;
		ev->uid = o->uid;
		ev->gid = o->gid;
		memcpy(ev->comm, o->comm, sizeof(ev->comm));
	} else {
		ev->flags |= EBPF_FLAG_NO_OWNER; /* e.g. orphaned, or owned by a kernel user */
	}
}

static void add_flow(struct flow_snapshot *fs, struct ebpf_event *ev, unsigned long inode)
{
	struct flow_key k;

	ev->type = EBPF_FLOW_SNAPSHOT;
	ev->tcp_state = EBPF_TCP_STATE_ESTABLISHED;
	add_owner(fs, ev, inode);
	key_of(ev, &k);
	g_hash_table_replace(fs->flows, g_memdup2(&k, sizeof(k)), g_memdup2(ev, sizeof(*ev)));
}

static void add_listener(struct flow_snapshot *fs, struct ebpf_event *ev, unsigned long inode)
{
	ev->type = EBPF_FLOW_SNAPSHOT;
	ev->tcp_state = EBPF_TCP_STATE_LISTEN;
	add_owner(fs, ev, inode);
	if (!(ev->flags & EBPF_FLAG_NO_OWNER))
		g_ptr_array_add(fs->listeners, g_memdup2(ev, sizeof(*ev)));
}

static void scan_tcp_table(struct flow_snapshot *fs, const char *pid, const char *file,
			   uint16_t family, uint32_t netns)
{
	char path[256], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/net/%s", fs->proc, pid, file);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		struct ebpf_event ev;
		unsigned state;
		unsigned long inode;

		if (!flow_snapshot_parse_line(line, family, &ev, &state, &inode))
			continue;
		ev.netns = netns;
		if (state == EBPF_TCP_STATE_ESTABLISHED)
			add_flow(fs, &ev, inode);
		else if (state == EBPF_TCP_STATE_LISTEN)
			add_listener(fs, &ev, inode);
	}
	fclose(f);
}

static uint32_t netns_of(const char *proc, const char *pid)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s/ns/net", proc, pid);
	return stat(path, &st) == 0 ? (uint32_t)st.st_ino : 0;
}

/* Calls fn for every numeric entry of /proc. */
static void for_each_pid(struct flow_snapshot *fs, void (*fn)(struct flow_snapshot *, const char *, void *), void *arg)
{
	DIR *d = opendir(fs->proc);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)))
		if (isdigit((unsigned char)de->d_name[0]))
			fn(fs, de->d_name, arg);
	closedir(d);
}

static void scan_fds_cb(struct flow_snapshot *fs, const char *pid, void *arg)
{
	(void)arg;
	scan_fds(fs, pid);
}

static void scan_netns_cb(struct flow_snapshot *fs, const char *pid, void *seen)
{
	uint32_t netns = netns_of(fs->proc, pid);

	if (!netns || g_hash_table_contains(seen, GUINT_TO_POINTER(netns)))
		return;
	g_hash_table_add(seen, GUINT_TO_POINTER(netns));
	scan_tcp_table(fs, pid, "tcp", 2, netns);
	scan_tcp_table(fs, pid, "tcp6", 10, netns);
}

struct flow_snapshot *flow_snapshot_take(const char *proc_root)
{
	struct flow_snapshot *fs = g_new0(struct flow_snapshot, 1);
	GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);

	fs->proc = proc_root;
	fs->owners_by_inode = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	fs->flows = g_hash_table_new_full(key_hash, key_equal, g_free, g_free);
	fs->listeners = g_ptr_array_new_with_free_func(g_free);
	for_each_pid(fs, scan_fds_cb, NULL);
	for_each_pid(fs, scan_netns_cb, seen); /* one table read per network namespace */
	g_hash_table_destroy(seen);
	return fs;
}

void flow_snapshot_free(struct flow_snapshot *fs)
{
	if (!fs)
		return;
	g_hash_table_destroy(fs->owners_by_inode);
	g_hash_table_destroy(fs->flows);
	g_ptr_array_free(fs->listeners, TRUE);
	g_free(fs);
}

unsigned flow_snapshot_size(const struct flow_snapshot *fs)
{
	return g_hash_table_size(fs->flows);
}

int flow_snapshot_emit(struct flow_snapshot *fs, uint64_t now_ns,
		       int (*emit)(const struct ebpf_event *ev, void *ctx), void *ctx)
{
	GHashTableIter it;
	gpointer value;
	int rc = 0;

	g_hash_table_iter_init(&it, fs->flows);
	while (rc == 0 && g_hash_table_iter_next(&it, NULL, &value)) {
		struct ebpf_event ev = *(struct ebpf_event *)value;

		ev.timestamp_ns = now_ns;
		rc = emit(&ev, ctx);
	}
	return rc;
}

void flow_snapshot_each_listener(struct flow_snapshot *fs, void (*fn)(const struct ebpf_event *ev, void *ctx),
				  void *ctx)
{
	for (guint i = 0; i < fs->listeners->len; i++)
		fn(g_ptr_array_index(fs->listeners, i), ctx);
}

bool flow_snapshot_attribute(struct flow_snapshot *fs, struct ebpf_event *ev)
{
	struct flow_key k;
	const struct ebpf_event *known;

	if (!(ev->flags & EBPF_FLAG_NO_OWNER))
		return false;
	key_of(ev, &k);
	known = g_hash_table_lookup(fs->flows, &k);
	if (!known || (known->flags & EBPF_FLAG_NO_OWNER))
		return false;
	ev->pid = known->pid;
	ev->tid = known->tid;
	ev->ppid = known->ppid;
	ev->uid = known->uid;
	ev->gid = known->gid;
	memcpy(ev->comm, known->comm, sizeof(ev->comm));
	ev->flags &= ~EBPF_FLAG_NO_OWNER;
	if (ev->type == EBPF_TCP_CLOSE)
		g_hash_table_remove(fs->flows, &k);
	return true;
}
