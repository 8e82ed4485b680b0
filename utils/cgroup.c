/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE /* memmem */
#include "cgroup.h"

#include <ctype.h>
#include <string.h>

/* Prefixes of the path component that holds the id, and whose runtime it is. */
static const struct {
	const char *prefix;
	const char *runtime;
} styles[] = {
	{ "docker-", "docker" },
	{ "cri-containerd-", "containerd" },
	{ "crio-", "cri-o" },
	{ "libpod-", "podman" },
	{ "", NULL }, /* a bare id: which runtime is told by the parent */
};

static bool is_hex_id(const char *s, size_t len)
{
	if (len != CONTAINER_ID_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

/* Runtime of a bare-id component, from the components above it. */
static const char *runtime_from_parents(const char *path, const char *component)
{
	size_t before = (size_t)(component - path);

	if (memmem(path, before, "/docker", 7))
		return "docker";
	if (memmem(path, before, "/kubepods", 9))
		return "containerd";
	if (memmem(path, before, "/libpod_parent", 14))
		return "podman";
	return NULL;
}

/* The pod UID of a kubepods path: "pod<uid>" or "...-pod<uid_with_underscores>.slice". */
static void find_pod_uid(const char *path, struct container_ref *out)
{
	const char *p = strstr(path, "pod");

	for (; p; p = strstr(p + 3, "pod")) {
		const char *uid = p + 3;
		size_t n = strcspn(uid, "/.");

		if (n == 36 && (p == path || p[-1] == '/' || p[-1] == '-')) {
			for (size_t i = 0; i < n; i++)
				out->pod_uid[i] = uid[i] == '_' ? '-' : uid[i];
			out->pod_uid[n] = '\0';
			return;
		}
	}
}

static bool parse_component(const char *path, const char *c, size_t len, struct container_ref *out)
{
	for (size_t s = 0; s < sizeof(styles) / sizeof(styles[0]); s++) {
		size_t plen = strlen(styles[s].prefix);
		size_t idlen = len - plen;
		const char *runtime = styles[s].runtime;

		if (len < plen || strncmp(c, styles[s].prefix, plen) != 0)
			continue;
		if (idlen > 6 && strncmp(c + len - 6, ".scope", 6) == 0)
			idlen -= 6;
		if (!is_hex_id(c + plen, idlen))
			continue;
		if (!runtime)
			runtime = runtime_from_parents(path, c);
		if (!runtime)
			return false;
		memcpy(out->id, c + plen, CONTAINER_ID_LEN);
		out->id[CONTAINER_ID_LEN] = '\0';
		out->runtime = runtime;
		return true;
	}
	return false;
}

bool cgroup_parse_container(const char *path, struct container_ref *out)
{
	memset(out, 0, sizeof(*out));
	/* The innermost container component wins: docker-in-docker nests them. */
	for (const char *end = path + strlen(path); end > path;) {
		const char *start = end;

		while (start > path && start[-1] != '/')
			start--;
		if (parse_component(path, start, (size_t)(end - start), out)) {
			find_pod_uid(path, out);
			return true;
		}
		end = start > path ? start - 1 : path;
	}
	return false;
}
