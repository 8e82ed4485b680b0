/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the cgroup parsers (utils/enrich/cgroup.c). The input is used
 * both as a cgroup path and as the text of /proc/PID/cgroup. Beyond "no
 * crash, no read past the string":
 *  - cgroup_parse_container() names a container only with a 64-hex id that
 *    is in the path, a known runtime, and a pod UID (32 hex, or a UUID) that
 *    is in the path (dashes may be underscores there) with a QoS class, or
 *    neither; it leaves everything empty when it names none; a cgroup below
 *    the path or a slice above it changes nothing;
 *  - the /proc parsers give a path that starts with '/', fits the buffer and
 *    is a piece of the text, for a large and a small buffer; when any line
 *    names a container, the path chosen names one too.
 */
#include <ctype.h>
#include "utils/enrich/cgroup.h"
#include "fuzz.h"

static bool is_lower_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
			return false;
	return strlen(s) == n;
}

static bool one_of(const char *s, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s == set[i] || strcmp(s, set[i]) == 0)
			return true;
	return false;
}

/* The pod UID appears in the path, with dashes or (systemd units) underscores. */
static bool uid_in_path(const char *path, const char *uid)
{
	char under[40];

	snprintf(under, sizeof(under), "%s", uid);
	for (char *p = under; *p; p++)
		if (*p == '-')
			*p = '_';
	return strstr(path, uid) || strstr(path, under);
}

static bool same_ref(const struct container_ref *a, const struct container_ref *b)
{
	return strcmp(a->id, b->id) == 0 && strcmp(a->runtime, b->runtime) == 0 &&
	       strcmp(a->pod_uid, b->pod_uid) == 0 && strcmp(a->qos, b->qos) == 0;
}

/*
 * What lies below a container (its init.scope) or above it outside any pod
 * (a systemd slice, as for docker in a VM's slice) does not change which
 * container and pod a path names.
 */
static void check_context(const char *path, const struct container_ref *ref)
{
	size_t n = strlen(path);
	char *longer = malloc(n + 32);
	struct container_ref again;

	snprintf(longer, n + 32, "%s/init.scope", path);
	FUZZ_ASSERT(cgroup_parse_container(longer, &again) && same_ref(ref, &again));
	if (path[0] == '/') {
		snprintf(longer, n + 32, "/system.slice%s", path);
		FUZZ_ASSERT(cgroup_parse_container(longer, &again) && same_ref(ref, &again));
	}
	free(longer);
}

static void check_container(const char *path)
{
	static const char *const runtimes[] = { "docker", "containerd", "cri-o", "podman" };
	static const char *const qos[] = { "guaranteed", "burstable", "besteffort" };
	struct container_ref ref;

	if (!cgroup_parse_container(path, &ref)) {
		FUZZ_ASSERT(ref.id[0] == '\0' && ref.runtime == NULL && ref.pod_uid[0] == '\0');
		FUZZ_ASSERT(ref.qos && ref.qos[0] == '\0');
		return;
	}
	FUZZ_ASSERT(is_lower_hex(ref.id, CONTAINER_ID_LEN) && strstr(path, ref.id));
	FUZZ_ASSERT(ref.runtime && one_of(ref.runtime, runtimes, 4));
	FUZZ_ASSERT(ref.qos);
	check_context(path, &ref);
	if (ref.pod_uid[0] == '\0') {
		FUZZ_ASSERT(ref.qos[0] == '\0');
		return;
	}
	FUZZ_ASSERT(one_of(ref.qos, qos, 3) && uid_in_path(path, ref.pod_uid));
	FUZZ_ASSERT(is_lower_hex(ref.pod_uid, 32) ||
		    (strlen(ref.pod_uid) == 36 && ref.pod_uid[8] == '-' && ref.pod_uid[13] == '-' &&
		     ref.pod_uid[18] == '-' && ref.pod_uid[23] == '-'));
}

/* Whether any line of a /proc/PID/cgroup text names a container, line by line. */
static bool any_line_names_container(const char *text)
{
	static char path[4096 + 1];
	struct container_ref ref;

	for (const char *line = text; *line; line += strcspn(line, "\n"), line += *line == '\n')
		if (cgroup_path_from_proc_line(line, path, sizeof(path)) && cgroup_parse_container(path, &ref))
			return true;
	return false;
}

static void check_proc(const char *text, size_t size)
{
	char *out = malloc(size); /* exactly size bytes: ASan sees a write past them */
	bool found;

	found = cgroup_path_from_proc(text, out, size);
	FUZZ_ASSERT(!found || (strnlen(out, size) < size && out[0] == '/' && strstr(text, out)));
	found = cgroup_path_from_proc_line(text, out, size);
	FUZZ_ASSERT(!found || (strnlen(out, size) < size && out[0] == '/' && strstr(text, out)));
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);

	check_container(s);
	check_proc(s, 4096 + 1);
	/* A text with a container's line gives a container's path, whatever the order of lines. */
	if (any_line_names_container(s)) {
		static char path[4096 + 1];
		struct container_ref ref;

		FUZZ_ASSERT(cgroup_path_from_proc(s, path, sizeof(path)) && cgroup_parse_container(path, &ref));
	}
	check_proc(s, 1 + size % 32);
	free(s);
	return 0;
}
