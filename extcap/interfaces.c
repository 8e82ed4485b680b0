/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "interfaces.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "kernel_events.h"
#include "privileges.h"
#include "utils/enrich/containers.h"
#include "utils/netlink.h"

#define MAX_LINKS 512
#define MAX_NAMESPACES 256

/* A network namespace that containers live in, as our namespace numbers it. */
struct container_netns {
	int nsid;
	char container_id[65];
	uint64_t cgroups[MAX_IFACE_CGROUPS];
	int n_cgroups;
};

struct netns_table {
	struct container_netns ns[MAX_NAMESPACES];
	int n;
};

static int first_pid(const char *cgroup_dir)
{
	char path[4200];
	FILE *f;
	int pid = -1;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup_dir);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = -1;
		fclose(f);
	}
	return pid;
}

/* The id our namespace gives the network namespace of a file (a process's, or one ip-netns named). */
static int netnsid_of_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), id;

	if (fd < 0)
		return -1;
	id = netlink_netnsid(fd);
	close(fd);
	return id;
}

static int netnsid_of_pid(int pid)
{
	char path[64];

	uint64_t caps = privileges_raise(USE_READ_PROC);
	int id;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	id = netnsid_of_path(path);
	privileges_lower(caps);
	return id;
}

/* Containers of a pod share one namespace: they gather under one entry. */
static void note_container(const char *dir, uint64_t cgroup_id, const char *container_id, void *ctx)
{
	struct netns_table *t = ctx;
	int pid = first_pid(dir), nsid = pid > 0 ? netnsid_of_pid(pid) : -1, i;

	if (nsid < 0)
		return;
	for (i = 0; i < t->n && t->ns[i].nsid != nsid; i++)
		;
	if (i == t->n) {
		if (t->n == MAX_NAMESPACES)
			return;
		memset(&t->ns[t->n], 0, sizeof(t->ns[0]));
		t->ns[t->n].nsid = nsid;
		snprintf(t->ns[t->n].container_id, sizeof(t->ns[0].container_id), "%s", container_id);
		t->n++;
	}
	if (t->ns[i].n_cgroups < MAX_IFACE_CGROUPS)
		t->ns[i].cgroups[t->ns[i].n_cgroups++] = cgroup_id;
}

/* "Pod P, Namespace N", "Container NAME", or the short id if no runtime answers. */
static void describe(const struct container_netns *c, const struct link_info *l, char *out, size_t size)
{
	struct container_info info = { 0 };

	snprintf(info.id, sizeof(info.id), "%s", c->container_id);
	if (containers_describe(CONTAINERS_DOCKER_SOCKET, &info) && info.pod[0])
		snprintf(out, size, "Pod %s, Namespace %s (%.15s)", info.pod, info.pod_namespace, l->name);
	else if (info.name[0])
		snprintf(out, size, "Container %s (%.15s)", info.name, l->name);
	else
		snprintf(out, size, "Container %.12s (%.15s)", info.id, l->name);
}

static void fill(struct capture_interface *i, const struct link_info *l)
{
	memset(i, 0, sizeof(*i));
	snprintf(i->value, sizeof(i->value), IFACE_PREFIX "%.15s", l->name);
	snprintf(i->ifname, sizeof(i->ifname), "%.15s", l->name);
	i->peer_netnsid = l->is_veth ? l->peer_netnsid : -1;
}

struct asked {
	uint32_t inode[256];
	size_t n;
};

/* The inode of the namespace file at path if the veth's other end lives there, else 0; each namespace once. */
static uint32_t peer_netns_at(const char *path, int peer_netnsid, struct asked *asked)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return 0;
	for (size_t i = 0; i < asked->n; i++)
		if (asked->inode[i] == (uint32_t)st.st_ino)
			return 0;
	if (asked->n < sizeof(asked->inode) / sizeof(asked->inode[0]))
		asked->inode[asked->n++] = (uint32_t)st.st_ino;
	return netnsid_of_path(path) == peer_netnsid ? (uint32_t)st.st_ino : 0;
}

/* DIR/ENTRY/SUFFIX for each entry of a directory, until the peer's namespace is found. */
static uint32_t peer_netns_in(const char *dir, const char *suffix, int peer_netnsid, struct asked *asked)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	uint32_t inode = 0;

	while (d && !inode && (de = readdir(d))) {
		char path[300];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s%s", dir, de->d_name, suffix);
		inode = peer_netns_at(path, peer_netnsid, asked);
	}
	if (d)
		closedir(d);
	return inode;
}

/*
 * The namespace names ip-netns and docker keep come first: a namespace may
 * hold no process yet when a capture starts. Then every process's; one
 * netlink question per namespace, not per process (most share a handful).
 */
uint32_t interfaces_peer_netns(const struct capture_interface *iface)
{
	static const char *const named[] = { "/run/netns", "/run/docker/netns" };
	struct asked asked = { .n = 0 };
	uint32_t inode = 0;
	uint64_t caps;

	if (iface->peer_netnsid < 0)
		return 0;
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]) && !inode; i++)
		inode = peer_netns_in(named[i], "", iface->peer_netnsid, &asked);
	if (inode)
		return inode;
	caps = privileges_raise(USE_READ_PROC);
	inode = peer_netns_in("/proc", "/ns/net", iface->peer_netnsid, &asked);
	privileges_lower(caps);
	return inode;
}

int interfaces_list(struct capture_interface *out, int max)
{
	static struct link_info links[MAX_LINKS];
	static struct netns_table t;
	int n_links = netlink_links(links, MAX_LINKS), n = 0;

	t.n = 0;
	containers_each_running(kernel_events_cgroup_root(), note_container, &t);
	for (int pass = 0; pass < 2; pass++) {
		for (int l = 0; l < n_links && n < max; l++) {
			const struct container_netns *c = NULL;

			for (int k = 0; links[l].is_veth && k < t.n && !c; k++)
				if (t.ns[k].nsid == links[l].peer_netnsid)
					c = &t.ns[k];
			if ((pass == 0) != (c != NULL)) /* loopback too: Wireshark users pick ebpf_lo from the list */
				continue;
			fill(&out[n], &links[l]);
			if (c) {
				describe(c, &links[l], out[n].display, sizeof(out[n].display));
				memcpy(out[n].cgroups, c->cgroups, sizeof(c->cgroups));
				out[n].n_cgroups = c->n_cgroups;
			} else {
				snprintf(out[n].display, sizeof(out[n].display), "%.15s: packets and eBPF events", links[l].name);
			}
			n++;
		}
	}
	return n;
}

/* A kernel interface by name, listed or not: every process's events, no containers. */
static bool kernel_interface(const char *name, struct capture_interface *out)
{
	struct link_info l = { .index = (int)if_nametoindex(name) };

	if (l.index == 0 || strlen(name) >= sizeof(l.name))
		return false;
	snprintf(l.name, sizeof(l.name), "%s", name);
	fill(out, &l);
	snprintf(out->display, sizeof(out->display), "%.15s: packets and eBPF events", name);
	return true;
}

bool interfaces_find(const char *value, struct capture_interface *out)
{
	static struct capture_interface all[MAX_LINKS];
	int n = interfaces_list(all, MAX_LINKS);

	for (int i = 0; i < n; i++)
		if (strcmp(all[i].value, value) == 0) {
			*out = all[i];
			return true;
		}
	return strncmp(value, IFACE_PREFIX, strlen(IFACE_PREFIX)) == 0 &&
	       kernel_interface(value + strlen(IFACE_PREFIX), out);
}

static bool has_cgroup(const struct capture_interface *ci, const uint64_t *ids, int n)
{
	for (int i = 0; i < ci->n_cgroups; i++)
		for (int k = 0; k < n; k++)
			if (ci->cgroups[i] == ids[k])
				return true;
	return false;
}

bool interfaces_resolve(const char *name, struct capture_interface *out)
{
	static struct capture_interface all[MAX_LINKS];
	int n = interfaces_list(all, MAX_LINKS);
	uint64_t ids[MAX_IFACE_CGROUPS];
	int n_ids;

	for (int i = 0; i < n; i++)
		if (strcmp(all[i].value, name) == 0 || strcmp(all[i].ifname, name) == 0) {
			*out = all[i];
			return true;
		}
	if (kernel_interface(name, out) ||
	    (strncmp(name, IFACE_PREFIX, strlen(IFACE_PREFIX)) == 0 && kernel_interface(name + strlen(IFACE_PREFIX), out)))
		return true;
	n_ids = containers_cgroups_of_pod(kernel_events_cgroup_root(), CONTAINERS_DOCKER_SOCKET, name, ids, MAX_IFACE_CGROUPS);
	if (n_ids == 0 && containers_cgroup_of(kernel_events_cgroup_root(), CONTAINERS_DOCKER_SOCKET, name, &ids[0]))
		n_ids = 1;
	for (int i = 0; i < n && n_ids > 0; i++)
		if (has_cgroup(&all[i], ids, n_ids)) {
			*out = all[i];
			return true;
		}
	return false;
}
