/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "utils/enrich/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A path component: not NUL-terminated, never read beyond len. */
struct comp {
	const char *s;
	size_t len;
};

static bool comp_is(struct comp c, const char *word)
{
	return c.len == strlen(word) && memcmp(c.s, word, c.len) == 0;
}

static bool has_prefix(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

static bool has_suffix(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* The component that ends at `end` (slashes before it skipped); false at the root. */
static bool comp_before(const char *path, const char *end, struct comp *c)
{
	const char *s;

	while (end > path && end[-1] == '/')
		end--;
	if (end == path)
		return false;
	for (s = end; s > path && s[-1] != '/'; s--)
		;
	c->s = s;
	c->len = (size_t)(end - s);
	return true;
}

static bool lower_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
}

static bool is_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!lower_hex(s[i]))
			return false;
	return true;
}

/*
 * A pod UID as the kubelet writes it: a UUID (dashes, or underscores in a
 * systemd unit name, where '-' separates levels), or the 32 hex digits of
 * the config hash it gives static pods. Copied with dashes.
 */
static bool pod_uid(const char *s, size_t len, char dash, char out[40])
{
	if (len == 32 && is_hex(s, 32)) {
		memcpy(out, s, 32);
		out[32] = '\0';
		return true;
	}
	if (len != 36)
		return false;
	for (size_t i = 0; i < 36; i++) {
		bool sep = i == 8 || i == 13 || i == 18 || i == 23;

		if (sep ? s[i] != dash : !lower_hex(s[i]))
			return false;
		out[i] = sep ? '-' : s[i];
	}
	out[36] = '\0';
	return true;
}

/*
 * A pod's cgroup: "pod<uid>" under kubepods[/<qos>] (cgroupfs driver), or
 * "<root>kubepods[-<qos>]-pod<uid_with_underscores>.slice" (systemd driver;
 * kind's nodes use the root "kubelet-").
 */
static bool pod_component(const char *path, struct comp c, struct container_ref *out)
{
	char uid[40];
	const char *qos;

	if (has_prefix(c.s, c.len, "pod") && pod_uid(c.s + 3, c.len - 3, '-', uid)) {
		struct comp parent, grandparent;

		if (!comp_before(path, c.s, &parent))
			return false;
		if (comp_is(parent, "kubepods"))
			qos = "guaranteed";
		else if ((comp_is(parent, "burstable") || comp_is(parent, "besteffort")) &&
			 comp_before(path, parent.s, &grandparent) && comp_is(grandparent, "kubepods"))
			qos = comp_is(parent, "burstable") ? "burstable" : "besteffort";
		else
			return false;
	} else if (has_suffix(c.s, c.len, ".slice")) {
		size_t len = c.len - 6, dash;

		/* The UID is the last 32 or 36 characters before ".slice", after "-pod". */
		if (len >= 36 + 4 && memcmp(c.s + len - 40, "-pod", 4) == 0 &&
		    pod_uid(c.s + len - 36, 36, '_', uid))
			dash = len - 40;
		else if (len >= 32 + 4 && memcmp(c.s + len - 36, "-pod", 4) == 0 &&
			 pod_uid(c.s + len - 32, 32, '_', uid))
			dash = len - 36;
		else
			return false;
		if (has_suffix(c.s, dash, "kubepods-burstable"))
			qos = "burstable";
		else if (has_suffix(c.s, dash, "kubepods-besteffort"))
			qos = "besteffort";
		else if (has_suffix(c.s, dash, "kubepods"))
			qos = "guaranteed";
		else
			return false;
	} else {
		return false;
	}
	memcpy(out->pod_uid, uid, sizeof(uid));
	out->qos = qos;
	return true;
}

/* Prefixes of the component that holds the id, and whose runtime it is. */
static const struct {
	const char *prefix;
	const char *runtime;
} styles[] = {
	{ "docker-", "docker" },
	{ "cri-containerd-", "containerd" },
	{ "nerdctl-", "containerd" },
	{ "crio-", "cri-o" },
	{ "libpod-", "podman" },
};

/* The runtime of a bare-id component, from the component right above it. */
static const char *bare_id_runtime(const char *path, struct comp c)
{
	struct comp parent;
	struct container_ref scratch;

	if (!comp_before(path, c.s, &parent))
		return NULL; /* an id at the root: nobody says whose */
	if (comp_is(parent, "docker"))
		return "docker";
	if (comp_is(parent, "libpod_parent"))
		return "podman";
	if (pod_component(path, parent, &scratch))
		return "containerd";
	return NULL;
}

static const char *container_component(const char *path, struct comp c, char id[CONTAINER_ID_LEN + 1])
{
	const char *s = c.s, *runtime = NULL;
	size_t len = c.len;

	for (size_t i = 0; i < sizeof(styles) / sizeof(styles[0]); i++) {
		if (has_prefix(s, len, styles[i].prefix)) {
			s += strlen(styles[i].prefix);
			len -= strlen(styles[i].prefix);
			runtime = styles[i].runtime;
			break;
		}
	}
	if (runtime && has_suffix(s, len, ".scope"))
		len -= 6;
	/* 64 lowercase hex digits exactly: "crio-conmon-<id>.scope" and the like fail here. */
	if (len != CONTAINER_ID_LEN || !is_hex(s, len))
		return NULL;
	if (!runtime)
		runtime = bare_id_runtime(path, c);
	if (runtime) {
		memcpy(id, s, CONTAINER_ID_LEN);
		id[CONTAINER_ID_LEN] = '\0';
	}
	return runtime;
}

bool cgroup_parse_container(const char *path, struct container_ref *out)
{
	struct comp c;

	memset(out, 0, sizeof(*out));
	out->qos = "";
	/* Innermost first: a container's own sub-cgroups (init.scope, crun's "container") lie below it. */
	for (const char *end = path + strlen(path); comp_before(path, end, &c); end = c.s) {
		const char *runtime = container_component(path, c, out->id);

		if (!runtime)
			continue;
		out->runtime = runtime;
		/* The nearest pod above the container, if any. */
		for (end = c.s; comp_before(path, end, &c); end = c.s)
			if (pod_component(path, c, out))
				break;
		return true;
	}
	memset(out, 0, sizeof(*out));
	out->qos = "";
	return false;
}

/* ---- /proc/PID/cgroup ---- */

struct proc_line {
	const char *controllers, *path;
	size_t controllers_len, path_len;
	bool v2;
};

/* "ID:CONTROLLERS:PATH" up to a newline or the end of the string. */
static bool split_line(const char *line, struct proc_line *pl)
{
	const char *end = line + strcspn(line, "\n");
	const char *c1 = memchr(line, ':', (size_t)(end - line)), *c2;
	static const char deleted[] = " (deleted)";

	if (!c1 || c1 == line)
		return false;
	for (const char *p = line; p < c1; p++)
		if (*p < '0' || *p > '9')
			return false;
	c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
	if (!c2 || c2 + 1 >= end || c2[1] != '/')
		return false;
	pl->controllers = c1 + 1;
	pl->controllers_len = (size_t)(c2 - c1 - 1);
	pl->path = c2 + 1;
	pl->path_len = (size_t)(end - c2 - 1);
	pl->v2 = c1 - line == 1 && line[0] == '0' && pl->controllers_len == 0;
	if (has_suffix(pl->path, pl->path_len, deleted) && pl->path_len > sizeof(deleted) - 1)
		pl->path_len -= sizeof(deleted) - 1;
	return true;
}

static bool copy_path(const struct proc_line *pl, char *out, size_t size)
{
	if (pl->path_len >= size)
		return false;
	memcpy(out, pl->path, pl->path_len);
	out[pl->path_len] = '\0';
	return true;
}

bool cgroup_path_from_proc_line(const char *line, char *out, size_t size)
{
	struct proc_line pl;

	return split_line(line, &pl) && copy_path(&pl, out, size);
}

static bool has_controller(const struct proc_line *pl, const char *name)
{
	const char *p = pl->controllers, *end = p + pl->controllers_len;

	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t n = (size_t)((comma ? comma : end) - p);

		if (n == strlen(name) && memcmp(p, name, n) == 0)
			return true;
		p += n + 1;
	}
	return false;
}

/* Lower is better: memory, name=systemd, cpu, v2, any other v1 hierarchy. */
static int rank(const struct proc_line *pl)
{
	if (pl->v2)
		return 3;
	if (has_controller(pl, "memory"))
		return 0;
	if (has_controller(pl, "name=systemd"))
		return 1;
	if (has_controller(pl, "cpu"))
		return 2;
	return 4;
}

bool cgroup_path_from_proc(const char *text, char *out, size_t size)
{
	struct proc_line best = { 0 }, best_container = { 0 };
	int best_rank = 99, container_rank = 99;
	char *path = malloc(4096 + 1);

	if (!path)
		return false;
	for (const char *line = text; *line; line += strcspn(line, "\n"), line += *line == '\n') {
		struct proc_line pl;
		struct container_ref ref;
		int r;

		if (!split_line(line, &pl))
			continue;
		r = rank(&pl);
		if (r < best_rank) {
			best = pl;
			best_rank = r;
		}
		if (r < container_rank && copy_path(&pl, path, 4096 + 1) && cgroup_parse_container(path, &ref)) {
			best_container = pl;
			container_rank = r;
		}
	}
	free(path);
	if (container_rank < 99)
		return copy_path(&best_container, out, size);
	return best_rank < 99 && copy_path(&best, out, size);
}

/* The whole of a small file (at most 1 MiB), NUL-terminated; NULL with errno set. */
static char *read_small_file(const char *file)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	size_t len = 0, cap = 8192;
	char *text = NULL;
	int err = 0;

	if (fd < 0)
		return NULL;
	for (;;) {
		ssize_t n;

		if (!text || len + 1 == cap) {
			char *more = cap <= (1u << 20) ? realloc(text, text ? cap * 2 : cap) : NULL;

			if (!more) {
				err = cap <= (1u << 20) ? ENOMEM : EFBIG;
				break;
			}
			cap = text ? cap * 2 : cap;
			text = more;
		}
		n = read(fd, text + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = errno;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (err) {
		free(text);
		errno = err;
		return NULL;
	}
	text[len] = '\0';
	return text;
}

bool cgroup_path_from_file(const char *file, char *out, size_t size)
{
	char *text = read_small_file(file);
	bool found;

	if (!text)
		return false;
	found = cgroup_path_from_proc(text, out, size);
	free(text);
	if (!found)
		errno = EINVAL;
	return found;
}

bool cgroup_path_of_pid(int pid, char *out, size_t size)
{
	char file[64];

	snprintf(file, sizeof(file), "/proc/%d/cgroup", pid);
	return cgroup_path_from_file(file, out, size);
}

bool cgroup_container_of_pid(int pid, struct container_ref *out)
{
	char path[4096 + 1];

	if (!cgroup_path_of_pid(pid, path, sizeof(path))) {
		memset(out, 0, sizeof(*out));
		out->qos = "";
		return false;
	}
	return cgroup_parse_container(path, out);
}
