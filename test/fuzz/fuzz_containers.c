/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: what utils/enrich/containers.c and utils/enrich/json.c read from
 * outside: the Docker Engine's HTTP answer and its inspect JSON (names and
 * the kubelet's pod labels), and the kubelet's /var/log/pods directory
 * names. The input is used as all of them. Beyond "no crash, no read past
 * the bytes, no write past the buffer":
 *  - every string comes out NUL-terminated within its field;
 *  - any string written as JSON reads back the same (check_json_string);
 *  - an HTTP body is the rest of the answer after a 200 status line;
 *  - a pod found in a log directory name puts the name back together:
 *    <namespace>_<pod>_<uid>.
 */
#include "utils/enrich/containers.h"
#include "utils/enrich/json.h"
#include "fuzz.h"

#define FIELD_OK(f) (strnlen(f, sizeof(f)) < sizeof(f))

static void check_inspect(const char *json, size_t len)
{
	struct container_info info;

	memset(&info, 0, sizeof(info));
	if (containers_parse_docker_inspect(json, len, &info))
		FUZZ_ASSERT(FIELD_OK(info.name) && FIELD_OK(info.pod) && FIELD_OK(info.pod_namespace) &&
			    FIELD_OK(info.k8s_container));
}

/* Other key paths, into a buffer of every small size (UTF-8 cut at its end). */
static void check_json(const char *json, size_t len, size_t out_size)
{
	static const char *const paths[][3] = {
		{ "Id" }, { "State", "Status" }, { "Config", "Labels", "io.kubernetes.pod.uid" },
	};
	static const size_t depth[] = { 1, 2, 3 };

	for (size_t i = 0; i < sizeof(depth) / sizeof(depth[0]); i++) {
		char *out = malloc(out_size);

		if (json_get_string(json, len, paths[i], depth[i], out, out_size))
			FUZZ_ASSERT(strnlen(out, out_size) < out_size);
		free(out);
	}
}

static void check_http(const char *answer, size_t len)
{
	size_t body_len = 12345;
	const char *body = containers_http_body(answer, len, &body_len);

	if (!body)
		return;
	FUZZ_ASSERT(body >= answer + 12 && body_len == (size_t)(answer + len - body));
	FUZZ_ASSERT(memcmp(answer, "HTTP/1.", 7) == 0 && memcmp(body - 4, "\r\n\r\n", 4) == 0);
	check_inspect(body, body_len);
}

static void check_log_dir(const char *name, const char *uid)
{
	struct container_info info;
	char back[512];

	memset(&info, 0, sizeof(info));
	if (!containers_pod_from_log_dir(name, uid, &info))
		return;
	FUZZ_ASSERT(info.pod[0] && info.pod_namespace[0] && FIELD_OK(info.pod) && FIELD_OK(info.pod_namespace));
	/* Unless a field cut what it got, the pieces make the name again. */
	if (strlen(name) < sizeof(back) && strlen(info.pod) + 1 < sizeof(info.pod) && strlen(info.pod_namespace) + 1 < sizeof(info.pod_namespace)) {
		snprintf(back, sizeof(back), "%s_%s_%s", info.pod_namespace, info.pod, uid);
		FUZZ_ASSERT(strcmp(back, name) == 0);
	}
}

/*
 * The JSON string reader round-trips: the input (up to its first NUL) written
 * as a JSON string, where quotes, backslashes and control characters are
 * escaped, reads back as the same bytes, after a skipped sibling holding the
 * same string in an array; into a small buffer, as its first bytes.
 */
static void check_json_string(const char *s, size_t out_size)
{
	static const char *const keys[] = { "Config", "Labels", "io.kubernetes.pod.name" };
	size_t n = strlen(s), len = 0;
	char *esc = malloc(6 * n + 1), *doc = malloc(12 * n + 128), *out = malloc(n + 1), *cut = malloc(out_size);

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			len += (size_t)sprintf(esc + len, "\\%c", ch);
		else if (ch < 0x20)
			len += (size_t)sprintf(esc + len, "\\u%04x", ch);
		else
			esc[len++] = (char)ch;
	}
	esc[len] = '\0';
	len = (size_t)sprintf(doc, "{\"Name\": \"/x\", \"Config\": {\"Env\": [\"%s\", 1, null],\n"
			      "\"Labels\": {\"io.kubernetes.pod.name\": \"%s\"}}}", esc, esc);
	FUZZ_ASSERT(json_get_string(doc, len, keys, 3, out, n + 1) && strcmp(out, s) == 0);
	FUZZ_ASSERT(json_get_string(doc, len, keys, 3, cut, out_size));
	FUZZ_ASSERT(strlen(cut) == (n < out_size - 1 ? n : out_size - 1) && strncmp(cut, s, strlen(cut)) == 0);
	free(esc);
	free(doc);
	free(out);
	free(cut);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data; /* not NUL-terminated: the parsers go by length */
	char *s = fuzz_strndup(data, size);
	const char *last = strrchr(s, '_');

	check_inspect(json, size);
	check_json(json, size, 1 + size % 8);
	check_http(json, size);
	check_json_string(s, 1 + size % 8);
	check_log_dir(s, "7a3c2b1d-4e5f-6a7b-8c9d-0e1f2a3b4c5d");
	if (last && last[1])
		check_log_dir(s, last + 1);
	free(s);
	return 0;
}
