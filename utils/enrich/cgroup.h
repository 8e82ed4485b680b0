/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which container a cgroup path belongs to, from the path alone. Runtimes
 * name their cgroups after the container id, in v1 and v2, with the
 * cgroupfs or the systemd driver:
 *   docker      /docker/<id>, /system.slice/docker-<id>.scope
 *   containerd  /kubepods/burstable/pod<uid>/<id>, .../cri-containerd-<id>.scope,
 *               /system.slice/nerdctl-<id>.scope
 *   cri-o       .../crio-<id>.scope, .../crio-<id> (crio-conmon-<id>.scope is
 *               the monitor, not the container)
 *   podman      /machine.slice/libpod-<id>.scope, /libpod_parent/libpod-<id>
 *               (libpod-conmon-<id>.scope is the monitor)
 * and Kubernetes puts the pod above: pod<uid> (cgroupfs) or
 * kubepods-<qos>-pod<uid_with_underscores>.slice (systemd), under a QoS level
 * (burstable, besteffort; guaranteed pods sit right under kubepods).
 */
#ifndef EBPFCAP_CGROUP_H
#define EBPFCAP_CGROUP_H

#include <stdbool.h>
#include <stddef.h>

#define CONTAINER_ID_LEN 64

struct container_ref {
	char id[CONTAINER_ID_LEN + 1];   /* 64 lowercase hex digits */
	const char *runtime;             /* "docker", "containerd", "cri-o", "podman" */
	char pod_uid[40];                /* Kubernetes pod UID with dashes, "" outside a pod */
	const char *qos;                 /* "guaranteed", "burstable", "besteffort"; "" outside a pod */
};

/*
 * True if the path names a container (or a cgroup below one: the innermost
 * container wins, so docker-in-docker names the inner one); fills out.
 * A bare 64-hex component counts only under /docker/, a Kubernetes pod
 * cgroup (containerd, or dockershim on old nodes: the path cannot tell) or
 * /libpod_parent/. Never reads past the string.
 */
bool cgroup_parse_container(const char *path, struct container_ref *out);

/*
 * The path of one /proc/PID/cgroup line, "0::/x" (v2) or "4:memory:/x" (v1),
 * which ends at a newline or at the string's end; a dead v2 cgroup's
 * " (deleted)" is dropped. Copies it into out (size bytes with the NUL).
 * False for a malformed line or a path that does not fit.
 */
bool cgroup_path_from_proc_line(const char *line, char *out, size_t size);

/*
 * From the whole text of /proc/PID/cgroup, the path that tells the process's
 * container: the first line naming a container, in the order memory,
 * name=systemd, cpu, the v2 "0::" line, other v1 controllers. Failing that,
 * the first of those lines present: on a pure v2 host the "0::" line, on a
 * v1 or hybrid host the memory line, the hierarchy whose cgroup id the
 * kernel side reports there (v1 hosts may list a meaningless "0::/" too).
 */
bool cgroup_path_from_proc(const char *text, char *out, size_t size);

/* The same from a file (/proc/<pid>/cgroup or a copy); false with errno set if unreadable. */
bool cgroup_path_from_file(const char *file, char *out, size_t size);

/* The same for a running process; false with errno set (ENOENT: it is gone). */
bool cgroup_path_of_pid(int pid, char *out, size_t size);

/* The container of a running process, from /proc/<pid>/cgroup. */
bool cgroup_container_of_pid(int pid, struct container_ref *out);

#endif
