/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "filter.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/bpf.h>

#include "utils/enrich/containers.h"
#include "utils/record/record.h"


/* A cgroup's id is its directory's inode number, in v1 and v2 alike. */
static int cgroup_id_of(const char *root, const char *path, uint64_t *id)
{
	char full[4096];
	struct stat st;

	snprintf(full, sizeof(full), "%s/%s", root, path[0] == '/' ? path + 1 : path);
	int err = stat(full, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;

	if (!err) {
		*id = st.st_ino;
		return 0;
	}
	if (err == EACCES) /* the user's own rights (privileges.c): say so, not "no cgroup" */
		fprintf(stderr, "ebpfcap: cannot read cgroup '%s': %s\n", path, strerror(err));
	else
		fprintf(stderr, "ebpfcap: no cgroup '%s' under %s\n", path, root);
	return -1;
}

/* --cgroup, --container, --pod and the containers behind the interface: the kernel follows them all. */
static int add_cgroups(const struct options *o, const struct capture_interface *iface, const char *root,
		       struct event_filter *f)
{
	for (int i = 0; i < iface->n_cgroups; i++)
		f->cgroup_ids[f->n_cgroups++] = iface->cgroups[i];
	if (o->cgroup && cgroup_id_of(root, o->cgroup, &f->cgroup_ids[f->n_cgroups++]) < 0)
		return -1;
	if (o->container &&
	    !containers_cgroup_of(root, CONTAINERS_DOCKER_SOCKET, o->container, &f->cgroup_ids[f->n_cgroups++])) {
		fprintf(stderr, "ebpfcap: no running container '%s' (by name or id)\n", o->container);
		return -1;
	}
	if (o->pod) {
		int n = containers_cgroups_of_pod(root, CONTAINERS_DOCKER_SOCKET, o->pod, &f->cgroup_ids[f->n_cgroups],
						  FILTER_MAX_POD_CONTAINERS);

		if (n == 0) {
			fprintf(stderr, "ebpfcap: no running container of pod '%s'\n", o->pod);
			return -1;
		}
		f->n_cgroups += (size_t)n;
	}
	return 0;
}

int filter_from_options(const struct options *o, const struct capture_interface *iface, const char *cgroup_root,
			struct event_filter *f)
{
	const char *per_host = o->cgroup ? "--cgroup" : o->container ? "--container" : o->pod ? "--pod" : NULL;

	memset(f, 0, sizeof(*f));
	f->event_type_mask = o->event_type_mask;
	f->pid = o->pid;
	f->descendants_fd = -1;
	if (o->comm)
		ebpf_copy_string(f->comm, sizeof(f->comm), o->comm);
	f->by_uid = o->by_uid;
	f->uid = o->uid;
	f->port = o->port;
	f->family = o->family;
	if (!iface && per_host) {
		fprintf(stderr, "ebpfcap: %s does not apply to remote events: cgroups and containers are per host\n",
			per_host);
		return -1;
	}
	if (!iface)
		return 0;
	if (o->pid && kill((pid_t)o->pid, 0) < 0 && errno == ESRCH) {
		fprintf(stderr, "ebpfcap: no process with pid %u\n", o->pid);
		return -1;
	}
	return add_cgroups(o, iface, cgroup_root, f);
}

bool filter_on_process(const struct event_filter *f)
{
	return f->pid || f->comm[0] || f->by_uid || f->n_cgroups;
}

/* pid itself, a direct child (the record's ppid says so), or a descendant the kernel follows. */
static bool descends_from_pid(const struct event_filter *f, const struct ebpf_event *ev)
{
	uint8_t followed;

	if (ev->pid == f->pid || ev->ppid == f->pid)
		return true;
	return f->descendants_fd >= 0 && bpf_map_lookup_elem(f->descendants_fd, &ev->pid, &followed) == 0;
}

static bool process_wanted(const struct event_filter *f, const struct ebpf_event *ev)
{
	if ((ev->flags & EBPF_FLAG_NO_OWNER) || f->n_cgroups)
		return false;
	if (f->pid && !descends_from_pid(f, ev))
		return false;
	if (f->comm[0] && strncmp(f->comm, ev->comm, sizeof(f->comm)) != 0)
		return false;
	return !f->by_uid || ev->uid == f->uid;
}

bool filter_wants(const struct event_filter *f, const struct ebpf_event *ev)
{
	if (ev->type == EBPF_CAPTURE_DROPS)
		return true; /* loss is always shown */
	if (ev->type >= 32 || !(f->event_type_mask & (1u << ev->type)))
		return false;
	if (filter_on_process(f) && !process_wanted(f, ev))
		return false;
	if (f->family && ev->family != f->family)
		return false;
	return !f->port || ev->sport == f->port || ev->dport == f->port;
}
