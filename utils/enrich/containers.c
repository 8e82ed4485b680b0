/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE /* memmem */
#include "utils/enrich/containers.h"

#include <dirent.h>
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "utils/enrich/cgroup.h"
#include "utils/enrich/json.h"

#define MAX_WALK_DEPTH 8
#define MAX_ANSWER (1 << 20)
#define RETRY_SECONDS 5
#define MAX_ENTRIES 8192
#define KUBELET_LOGS "/var/log/pods"

enum state { PENDING, HOST, CONTAINER };

struct entry {
	enum state state;
	bool named;           /* the runtime answered */
	time_t retry_at;      /* when to ask the runtime again */
	struct container_info info;
};

struct containers {
	char *cgroup_root, *docker_socket, *log_root;
	GMutex lock;
	GHashTable *entries;  /* cgroup id -> struct entry */
	GAsyncQueue *queue;   /* cgroup ids to resolve; 0 stops the worker */
	GThread *worker;
	bool said_no_runtime;
};

/* ---- the Docker Engine API ---- */

static void copy_label(const char *json, size_t len, const char *label, char *out, size_t size)
{
	const char *keys[] = { "Config", "Labels", label };

	json_get_string(json, len, keys, 3, out, size);
}

bool containers_parse_docker_inspect(const char *json, size_t len, struct container_info *out)
{
	const char *name_key[] = { "Name" };
	char name[sizeof(out->name) + 1]; /* room for Docker's leading '/' */

	if (!json_get_string(json, len, name_key, 1, name, sizeof(name)))
		return false;
	/* Docker answers "/web"; the name people type is "web". */
	memcpy(out->name, name[0] == '/' ? name + 1 : name, sizeof(out->name) - 1);
	out->name[sizeof(out->name) - 1] = '\0';
	copy_label(json, len, "io.kubernetes.pod.name", out->pod, sizeof(out->pod));
	copy_label(json, len, "io.kubernetes.pod.namespace", out->pod_namespace, sizeof(out->pod_namespace));
	copy_label(json, len, "io.kubernetes.container.name", out->k8s_container, sizeof(out->k8s_container));
	return true;
}

/* GET /containers/<id>/json over the daemon's unix socket; HTTP/1.0 avoids chunking. */
static char *docker_get(const char *socket_path, const char *id, size_t *len)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval timeout = { .tv_sec = 2 };
	char request[256], *answer = NULL;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	size_t n = 0;
	ssize_t got;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", socket_path);
	snprintf(request, sizeof(request), "GET /containers/%s/json HTTP/1.0\r\nHost: docker\r\n\r\n", id);
	if (fd < 0)
		return NULL;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    write(fd, request, strlen(request)) != (ssize_t)strlen(request))
		goto out;
	answer = g_malloc(MAX_ANSWER + 1);
	while (n < MAX_ANSWER && (got = read(fd, answer + n, MAX_ANSWER - n)) > 0)
		n += (size_t)got;
	answer[n] = '\0';
	*len = n;
out:
	close(fd);
	return answer;
}

const char *containers_http_body(const char *answer, size_t len, size_t *body_len)
{
	const char *end = memmem(answer, len, "\r\n\r\n", 4);

	/* "HTTP/1.x 200 OK\r\n": the status code starts at byte 9. */
	if (!end || len < 12 || memcmp(answer, "HTTP/1.", 7) != 0 || memcmp(answer + 8, " 200", 4) != 0)
		return NULL;
	*body_len = len - (size_t)(end + 4 - answer);
	return end + 4;
}

/* The JSON body of a 200 answer, or NULL; *answer is to be freed by the caller. */
static const char *docker_body(const char *socket_path, const char *name, char **answer, size_t *body_len)
{
	size_t len = 0;

	*answer = docker_get(socket_path, name, &len);
	return *answer ? containers_http_body(*answer, len, body_len) : NULL;
}

static bool docker_inspect(const char *socket_path, struct container_info *info)
{
	char *answer;
	size_t len;
	const char *body = docker_body(socket_path, info->id, &answer, &len);
	bool ok = body && containers_parse_docker_inspect(body, len, info);

	g_free(answer);
	return ok;
}

/* ---- cgroup id -> path ---- */

/* Calls fn for each cgroup directory under dir (depth-first) until fn returns true. */
static bool walk_cgroups(const char *dir, int depth, bool (*fn)(const char *path, uint64_t id, void *ctx), void *ctx)
{
	DIR *d = depth <= MAX_WALK_DEPTH ? opendir(dir) : NULL;
	struct dirent *de;
	bool done = false;

	if (!d)
		return false;
	while (!done && (de = readdir(d))) {
		char path[4096];
		struct stat st;

		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) == 0)
			done = fn(path, (uint64_t)st.st_ino, ctx) || walk_cgroups(path, depth + 1, fn, ctx);
	}
	closedir(d);
	return done;
}

struct path_search {
	uint64_t id;
	char *out;
	size_t size;
};

static bool is_wanted_cgroup(const char *path, uint64_t id, void *ctx)
{
	struct path_search *ps = ctx;

	if (id != ps->id)
		return false;
	snprintf(ps->out, ps->size, "%s", path);
	return true;
}

/* The directory under the root whose inode is the id: a cgroup's id is its inode. */
static bool find_cgroup_path(const char *root, uint64_t id, char *out, size_t size)
{
	struct path_search ps = { id, out, size };

	return walk_cgroups(root, 0, is_wanted_cgroup, &ps);
}

struct id_search {
	const char *cgroup_root;
	const char *id_prefix;
	uint64_t cgroup_id;
};

static bool has_container_id(const char *path, uint64_t id, void *ctx)
{
	struct id_search *is = ctx;
	struct container_ref ref;

	if (!cgroup_parse_container(path + strlen(is->cgroup_root), &ref) ||
	    strncmp(ref.id, is->id_prefix, strlen(is->id_prefix)) != 0)
		return false;
	is->cgroup_id = id;
	return true;
}

bool containers_cgroup_of(const char *cgroup_root, const char *docker_socket, const char *name_or_id,
			  uint64_t *cgroup_id)
{
	struct id_search is = { cgroup_root, name_or_id, 0 };
	const char *id_key[] = { "Id" };
	char id[CONTAINER_ID_LEN + 1], *answer = NULL;
	size_t len;
	const char *body;
	bool found;

	if (strlen(name_or_id) >= 12 && strspn(name_or_id, "0123456789abcdef") == strlen(name_or_id) &&
	    walk_cgroups(cgroup_root, 0, has_container_id, &is)) {
		*cgroup_id = is.cgroup_id;
		return true;
	}
	/* A name: the runtime knows its id. */
	body = docker_body(docker_socket, name_or_id, &answer, &len);
	found = body && json_get_string(body, len, id_key, 1, id, sizeof(id));
	g_free(answer);
	is.id_prefix = id;
	if (!found || !walk_cgroups(cgroup_root, 0, has_container_id, &is))
		return false;
	*cgroup_id = is.cgroup_id;
	return true;
}

bool containers_pod_from_log_dir(const char *name, const char *pod_uid, struct container_info *info)
{
	size_t n = strlen(name), uid_len = strlen(pod_uid);
	const char *uid_sep = name + n - uid_len - 1, *sep;

	/* <namespace>_<pod>_<uid>: namespaces and pod names hold no '_'. */
	if (n <= uid_len + 1 || strcmp(uid_sep + 1, pod_uid) != 0 || *uid_sep != '_')
		return false;
	/*
	 * "<namespace>_<uid>" names no pod: its first '_' is the uid's. (Found by
	 * fuzz_containers: the pod's length came out -1, and "%.*s" with a
	 * negative precision printed the whole uid as the pod's name.)
	 */
	sep = strchr(name, '_');
	if (sep == uid_sep)
		return false;
	snprintf(info->pod_namespace, sizeof(info->pod_namespace), "%.*s", (int)(sep - name), name);
	snprintf(info->pod, sizeof(info->pod), "%.*s", (int)(uid_sep - sep - 1), sep + 1);
	return info->pod[0] && info->pod_namespace[0];
}

bool containers_pod_from_logs(const char *log_root, const char *pod_uid, struct container_info *info)
{
	DIR *d = opendir(log_root);
	struct dirent *de;
	bool found = false;

	while (d && !found && (de = readdir(d)))
		found = containers_pod_from_log_dir(de->d_name, pod_uid, info);
	if (d)
		closedir(d);
	return found;
}

struct pod_search {
	const char *cgroup_root, *docker_socket, *name, *ns;
	uint64_t *cgroups;
	int n, max;
};

static bool add_if_in_pod(const char *path, uint64_t id, void *ctx)
{
	struct pod_search *ps = ctx;
	struct container_ref ref;
	struct container_info info = { 0 };

	if (ps->n == ps->max || !cgroup_parse_container(path + strlen(ps->cgroup_root), &ref))
		return false;
	snprintf(info.id, sizeof(info.id), "%s", ref.id);
	if (docker_inspect(ps->docker_socket, &info) && strcmp(info.pod, ps->name) == 0 &&
	    (!ps->ns || strcmp(info.pod_namespace, ps->ns) == 0))
		ps->cgroups[ps->n++] = id;
	return false;
}

int containers_cgroups_of_pod(const char *cgroup_root, const char *docker_socket, const char *pod,
			      uint64_t *cgroups, int max)
{
	char name[256];
	char *dot;
	struct pod_search ps = { cgroup_root, docker_socket, name, NULL, cgroups, 0, max };

	snprintf(name, sizeof(name), "%s", pod);
	/* NAME.NAMESPACE: pod names may hold dots too, so the last one splits. */
	dot = strrchr(name, '.');
	if (dot) {
		*dot = '\0';
		ps.ns = dot + 1;
	}
	walk_cgroups(cgroup_root, 0, add_if_in_pod, &ps);
	return ps.n;
}

struct each_running {
	const char *cgroup_root;
	void (*fn)(const char *, uint64_t, const char *, void *);
	void *ctx;
};

static bool call_if_container(const char *path, uint64_t id, void *ctx)
{
	struct each_running *er = ctx;
	struct container_ref ref;

	if (cgroup_parse_container(path + strlen(er->cgroup_root), &ref))
		er->fn(path, id, ref.id, er->ctx);
	return false;
}

void containers_each_running(const char *cgroup_root,
			     void (*fn)(const char *cgroup_dir, uint64_t cgroup_id, const char *container_id, void *ctx),
			     void *ctx)
{
	struct each_running er = { cgroup_root, fn, ctx };

	walk_cgroups(cgroup_root, 0, call_if_container, &er);
}

bool containers_describe(const char *docker_socket, struct container_info *info)
{
	return docker_inspect(docker_socket, info);
}

/* ---- the worker ---- */

/*
 * Host or container, with the container's id: the cgroup's path alone says
 * it, so the first event of a cgroup learns it at once. Only the name needs
 * the runtime (resolve(), on the worker).
 */
static bool classify(struct containers *cs, uint64_t id, struct entry *e, struct container_ref *ref)
{
	char path[4096];

	if (!find_cgroup_path(cs->cgroup_root, id, path, sizeof(path)) ||
	    !cgroup_parse_container(path + strlen(cs->cgroup_root), ref)) {
		e->state = HOST;
		return false;
	}
	e->state = CONTAINER;
	snprintf(e->info.id, sizeof(e->info.id), "%s", ref->id);
	snprintf(e->info.runtime, sizeof(e->info.runtime), "%s", ref->runtime);
	return true;
}

static void resolve(struct containers *cs, uint64_t id, struct entry *e)
{
	struct container_ref ref;

	if (!classify(cs, id, e, &ref))
		return;
	if (strcmp(ref.runtime, "docker") == 0 && docker_inspect(cs->docker_socket, &e->info)) {
		e->named = true;
		return;
	}
	/* containerd and cri-o: the kubelet's log directories name the pod. */
	if (ref.pod_uid[0] && containers_pod_from_logs(cs->log_root, ref.pod_uid, &e->info)) {
		e->named = true;
		return;
	}
	e->retry_at = time(NULL) + RETRY_SECONDS; /* the runtime may be back by then */
	if (!cs->said_no_runtime) {
		cs->said_no_runtime = true;
		/* Not ours to grant (see extcap/privileges.c): the socket is root's and group docker's. */
		if (access(cs->docker_socket, W_OK) < 0 && errno == EACCES)
			fprintf(stderr, "ebpfcap: no permission on %s (group docker has it): containers are shown by id\n",
				cs->docker_socket);
		else
			fprintf(stderr, "ebpfcap: no answer from the container runtime at %s: containers are shown by id\n",
				cs->docker_socket);
	}
}

static void store(struct containers *cs, uint64_t id, const struct entry *e)
{
	g_mutex_lock(&cs->lock);
	struct entry *slot = g_hash_table_lookup(cs->entries, &id);

	if (!slot) {
		slot = g_new0(struct entry, 1);
		g_hash_table_insert(cs->entries, g_memdup2(&id, sizeof(id)), slot);
	}
	*slot = *e;
	g_mutex_unlock(&cs->lock);
}

/* Containers running when the capture starts are named before their first event. */
static bool prefetch_one(const char *path, uint64_t id, void *ctx)
{
	struct containers *cs = ctx;
	struct container_ref ref;
	struct entry e = { 0 };

	if (cgroup_parse_container(path + strlen(cs->cgroup_root), &ref)) {
		resolve(cs, id, &e);
		store(cs, id, &e);
	}
	return false;
}

static gpointer worker(gpointer data)
{
	struct containers *cs = data;
	gpointer item;

	walk_cgroups(cs->cgroup_root, 0, prefetch_one, cs);

	while ((item = g_async_queue_pop(cs->queue)) != GINT_TO_POINTER(-1)) {
		uint64_t id = *(uint64_t *)item;
		struct entry e = { 0 };

		resolve(cs, id, &e);
		store(cs, id, &e);
		g_free(item);
	}
	return NULL;
}

struct containers *containers_new(const char *cgroup_root, const char *docker_socket)
{
	struct containers *cs = g_new0(struct containers, 1);

	cs->cgroup_root = g_strdup(cgroup_root);
	cs->docker_socket = g_strdup(docker_socket);
	cs->log_root = g_strdup(KUBELET_LOGS);
	g_mutex_init(&cs->lock);
	cs->entries = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	cs->queue = g_async_queue_new();
	cs->worker = g_thread_new("containers", worker, cs);
	return cs;
}

void containers_free(struct containers *cs)
{
	if (!cs)
		return;
	g_async_queue_push_front(cs->queue, GINT_TO_POINTER(-1));
	g_thread_join(cs->worker);
	g_async_queue_unref(cs->queue);
	g_hash_table_destroy(cs->entries);
	g_mutex_clear(&cs->lock);
	g_free(cs->cgroup_root);
	g_free(cs->docker_socket);
	g_free(cs->log_root);
	g_free(cs);
}

static void enqueue(struct containers *cs, uint64_t cgroup_id)
{
	g_async_queue_push(cs->queue, g_memdup2(&cgroup_id, sizeof(cgroup_id)));
}

enum container_kind containers_lookup(struct containers *cs, uint64_t cgroup_id, struct container_info *out)
{
	enum container_kind kind = CONTAINER_UNKNOWN;
	struct entry *e;

	if (cgroup_id == 0)
		return CONTAINER_UNKNOWN;
	g_mutex_lock(&cs->lock);
	e = g_hash_table_lookup(cs->entries, &cgroup_id);
	if (!e) {
		struct entry fresh = { 0 }; /* a container's name is asked for at once: retry_at 0 */
		struct container_ref ref;

		g_mutex_unlock(&cs->lock); /* the walk of the cgroup tree takes no lock */
		classify(cs, cgroup_id, &fresh, &ref);
		g_mutex_lock(&cs->lock);
		if (g_hash_table_size(cs->entries) >= MAX_ENTRIES)
			g_hash_table_remove_all(cs->entries); /* bounded: relearn what is still running */
		e = g_hash_table_lookup(cs->entries, &cgroup_id); /* the worker may have been quicker */
		if (!e) {
			e = g_memdup2(&fresh, sizeof(fresh));
			g_hash_table_insert(cs->entries, g_memdup2(&cgroup_id, sizeof(cgroup_id)), e);
		}
	}
	if (e->state == HOST) {
		kind = CONTAINER_HOST;
	} else if (e->state == CONTAINER) {
		*out = e->info;
		kind = CONTAINER_FOUND;
		if (!e->named && time(NULL) >= e->retry_at) {
			/* The id stays meanwhile; the worker replaces the entry when answered. */
			e->retry_at = time(NULL) + RETRY_SECONDS;
			enqueue(cs, cgroup_id);
		}
	}
	g_mutex_unlock(&cs->lock);
	return kind;
}
