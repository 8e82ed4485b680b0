/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which container a cgroup path belongs to, from the path alone. Runtimes
 * name their cgroups after the container id, in v1 and v2, with the
 * cgroupfs or the systemd driver:
 *   docker      /docker/<id>, /system.slice/docker-<id>.scope
 *   containerd  /kubepods/burstable/pod<uid>/<id>, .../cri-containerd-<id>.scope
 *   cri-o       .../crio-<id>.scope (crio-conmon-<id>.scope is the monitor, not the container)
 *   podman      /machine.slice/libpod-<id>.scope, /libpod_parent/libpod-<id>
 */
#ifndef EBPFCAP_CGROUP_H
#define EBPFCAP_CGROUP_H

#include <stdbool.h>

#define CONTAINER_ID_LEN 64

struct container_ref {
	char id[CONTAINER_ID_LEN + 1];   /* 64 hex digits */
	const char *runtime;             /* "docker", "containerd", "cri-o", "podman" */
	char pod_uid[40];                /* Kubernetes pod UID, where the path has one */
};

/* True if the path names a container; fills out. Never reads past the string. */
bool cgroup_parse_container(const char *path, struct container_ref *out);

#endif
