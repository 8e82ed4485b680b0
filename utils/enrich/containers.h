/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Container and pod names for cgroup ids. A lookup never blocks the event
 * path: a miss queues the cgroup for a worker thread, which finds its path
 * under the cgroup root, the container id in the path, and the names from
 * the runtime (the Docker Engine API; Kubernetes pods from the labels the
 * kubelet sets). Events of that container get the names from then on.
 */
#ifndef EBPFCAP_CONTAINERS_H
#define EBPFCAP_CONTAINERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct container_info {
	char id[65];
	char runtime[16];
	char name[128];
	char pod[128];
	char pod_namespace[64];
	char k8s_container[64];
};

struct containers;

/* Where Docker answers, unless told otherwise. */
#define CONTAINERS_DOCKER_SOCKET "/var/run/docker.sock"

struct containers *containers_new(const char *cgroup_root, const char *docker_socket);
void containers_free(struct containers *cs);

enum container_kind {
	CONTAINER_UNKNOWN, /* not resolved yet (or no cgroup id) */
	CONTAINER_HOST,    /* the cgroup is no container's */
	CONTAINER_FOUND,   /* *out is filled */
};

/* What cgroup_id is, as far as known now; never waits. */
enum container_kind containers_lookup(struct containers *cs, uint64_t cgroup_id, struct container_info *out);

/*
 * The cgroup id of a running container given by name or by id (a prefix of
 * 12 or more hex digits will do), for the kernel's filter. False if none.
 */
bool containers_cgroup_of(const char *cgroup_root, const char *docker_socket, const char *name_or_id,
			  uint64_t *cgroup_id);

/*
 * Pod name and namespace from the kubelet's log directories
 * (<log_root>/<namespace>_<pod>_<uid>), for runtimes without a Docker API.
 */
bool containers_pod_from_logs(const char *log_root, const char *pod_uid, struct container_info *info);

/*
 * The cgroup ids of every running container of pod NAME (or NAME.NAMESPACE),
 * from the labels the kubelet sets; their number (at most max), or 0.
 */
int containers_cgroups_of_pod(const char *cgroup_root, const char *docker_socket, const char *pod,
			      uint64_t *cgroups, int max);

/* Calls fn for every running container's cgroup under the root (its directory and id). */
void containers_each_running(const char *cgroup_root,
			     void (*fn)(const char *cgroup_dir, uint64_t cgroup_id, const char *container_id, void *ctx),
			     void *ctx);

/* Asks the runtime for info->id's names now (blocking, for listings); false if it does not answer. */
bool containers_describe(const char *docker_socket, struct container_info *info);

/*
 * The parsers behind the above, pure for the unit tests and fuzzers:
 * the body of an HTTP/1.x 200 answer (NULL for another status or no header
 * end); the pod of one kubelet log directory name for pod_uid (false if the
 * name is not <namespace>_<pod>_<pod_uid>).
 */
const char *containers_http_body(const char *answer, size_t len, size_t *body_len);
bool containers_pod_from_log_dir(const char *name, const char *pod_uid, struct container_info *info);

/* Fills out from a Docker Engine "inspect" answer (the JSON body). */
bool containers_parse_docker_inspect(const char *json, size_t len, struct container_info *out);

#endif
