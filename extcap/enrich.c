/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "enrich.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "kernel_events.h"
#include "utils/clock.h"
#include "utils/enrich/containers.h"
#include "utils/enrich/process.h"

#define IFNAME_TTL_NS 10000000000ull

static uint32_t own_netns(void)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) == 0 ? (uint32_t)st.st_ino : 0;
}

struct enricher *enricher_new(const char *host, const char *machine_id)
{
	struct enricher *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->host = host;
	e->machine_id = machine_id;
	e->own_netns = own_netns();
	e->boot_to_wall_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
	e->procs = process_cache_new();
	e->containers = containers_new(kernel_events_cgroup_root(), CONTAINERS_DOCKER_SOCKET);
	if (!e->procs) {
		enricher_free(e);
		return NULL;
	}
	return e;
}

void enricher_free(struct enricher *e)
{
	if (!e)
		return;
	containers_free(e->containers);
	process_cache_free(e->procs);
	free(e);
}

void enricher_record(const struct enricher *e, const struct ebpf_event *ev, struct ebpf_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->ev = *ev;
	rec->ev.timestamp_ns += e->boot_to_wall_ns;
}

static void interface_name(struct enricher *e, uint32_t ifindex, char *out)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC);

	if (ifindex >= sizeof(e->ifnames) / sizeof(e->ifnames[0])) {
		if_indextoname(ifindex, out);
		return;
	}
	if (e->ifnames[ifindex].at_ns == 0 || now - e->ifnames[ifindex].at_ns > IFNAME_TTL_NS) {
		if (!if_indextoname(ifindex, e->ifnames[ifindex].name))
			e->ifnames[ifindex].name[0] = '\0';
		e->ifnames[ifindex].at_ns = now;
	}
	memcpy(out, e->ifnames[ifindex].name, IF_NAMESIZE);
}

void enrich_container(struct enricher *e, struct ebpf_record *rec)
{
	struct container_info info;

	switch (containers_lookup(e->containers, rec->ev.cgroup_id, &info)) {
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

void enrich(struct enricher *e, struct ebpf_record *rec)
{
	enrich_container(e, rec);
	process_cache_exe(e->procs, rec->ev.pid, rec->ev.ppid, rec->ev.comm, rec->exe, sizeof(rec->exe));
	ebpf_copy_string(rec->host, sizeof(rec->host), e->host);
	ebpf_copy_string(rec->machine_id, sizeof(rec->machine_id), e->machine_id);
	if (rec->ev.ifindex && rec->ev.netns == e->own_netns)
		interface_name(e, rec->ev.ifindex, rec->ifname);
}

void enricher_exec(struct enricher *e, const struct ebpf_exec_note *note)
{
	char path[sizeof(note->path) + 1];

	memcpy(path, note->path, sizeof(note->path));
	path[sizeof(note->path)] = '\0';
	process_cache_exec(e->procs, note->pid, note->ppid, path);
}
