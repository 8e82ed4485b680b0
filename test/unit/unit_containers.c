/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The JSON reader and the Docker Engine answer parser. test/data/
 * docker_inspect.json is a real answer of Docker Engine 20.10.24 (Debian 12's
 * docker.io) to GET /containers/<id>/json, for a container carrying the
 * labels a kubelet sets; it has three "Name" keys at different depths.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include "utils/enrich/containers.h"
#include "utils/enrich/json.h"
#include "unit.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, 1 << 20);

	*len = f ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	if (f)
		fclose(f);
	return buf;
}

static void test_docker_answer(void)
{
	size_t len;
	char *json = slurp("test/data/docker_inspect.json", &len);
	struct container_info info = { 0 };

	CHECK(len > 1000);
	CHECK(containers_parse_docker_inspect(json, len, &info));
	CHECK_STR(info.name, "rec-web"); /* the top-level Name, not GraphDriver's or RestartPolicy's */
	CHECK_STR(info.pod, "kube-dns-6bfbdd666c-5jbmx");
	CHECK_STR(info.pod_namespace, "kube-system");
	CHECK_STR(info.k8s_container, "kubedns");
	/* Every truncation of a real answer is rejected or parsed, never read past. */
	for (size_t n = 0; n < len; n += 7) {
		char *cut = malloc(n + 1);

		memcpy(cut, json, n);
		struct container_info ignored;

		containers_parse_docker_inspect(cut, n, &ignored);
		free(cut);
	}
	free(json);
}

static void expect_string(const char *json, const char *k1, const char *k2, const char *want)
{
	const char *keys[] = { k1, k2 };
	char out[32] = "unchanged";
	bool ok = json_get_string(json, strlen(json), keys, k2 ? 2 : 1, out, sizeof(out));

	CHECK_EQ(ok, want != NULL);
	if (want)
		CHECK_STR(out, want);
}

static void test_json(void)
{
	expect_string("{\"a\":\"x\"}", "a", NULL, "x");
	expect_string(" { \"n\" : 1 , \"a\" : [1,{\"a\":\"no\"}], \"a\":\"yes\" } ", "a", NULL, NULL); /* array first */
	expect_string("{\"o\":{\"a\":\"deep\"},\"a\":\"top\"}", "a", NULL, "top");
	expect_string("{\"o\":{\"a\":\"deep\"}}", "o", "a", "deep");
	expect_string("{\"a\":\"\\u00e9\\n\\\"q\\\"\"}", "a", NULL, "\xc3\xa9\n\"q\"");
	expect_string("{\"a\":\"0123456789012345678901234567890123456789\"}", "a", NULL,
		      "0123456789012345678901234567890"); /* truncated to the buffer */
	expect_string("{\"a\":1}", "a", NULL, NULL);
	expect_string("{\"a\":\"x", "a", NULL, NULL);
	expect_string("{\"a\"", "a", NULL, NULL);
	expect_string("", "a", NULL, NULL);
	expect_string("[\"a\"]", "a", NULL, NULL);
	expect_string("{\"a\":\"\\u12\"}", "a", NULL, NULL);
	/* Nesting deeper than the reader allows is refused, not recursed into. */
	{
		char deep[200] = "{\"z\":";
		for (int i = 0; i < 40; i++)
			strcat(deep, "[");
		strcat(deep, "1");
		for (int i = 0; i < 40; i++)
			strcat(deep, "]");
		strcat(deep, ",\"a\":\"x\"}");
		expect_string(deep, "a", NULL, NULL);
	}
}

/* The kubelet names pod log directories <namespace>_<pod>_<uid>. */
static void test_pod_from_logs(void)
{
	char root[] = "/tmp/unit_pods.XXXXXX";
	char path[256];
	struct container_info info = { 0 };

	CHECK(mkdtemp(root) != NULL);
	snprintf(path, sizeof(path), "%s/kube-system_kube-dns-6bfbdd666c-5jbmx_7a3c2b1d-4e5f-6a7b-8c9d-0e1f2a3b4c5d", root);
	CHECK_EQ(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/shop_web-7f9c_00000000-1111-2222-3333-444444444444", root);
	CHECK_EQ(mkdir(path, 0755), 0);
	CHECK(containers_pod_from_logs(root, "7a3c2b1d-4e5f-6a7b-8c9d-0e1f2a3b4c5d", &info));
	CHECK_STR(info.pod, "kube-dns-6bfbdd666c-5jbmx");
	CHECK_STR(info.pod_namespace, "kube-system");
	CHECK(!containers_pod_from_logs(root, "ffffffff-1111-2222-3333-444444444444", &info));
	CHECK(!containers_pod_from_logs("/nonexistent", "7a3c2b1d-4e5f-6a7b-8c9d-0e1f2a3b4c5d", &info));
	/* A name without a pod part names no pod (not the uid as the pod). */
	CHECK(!containers_pod_from_log_dir("default_7a3c2b1d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
					   "7a3c2b1d-4e5f-6a7b-8c9d-0e1f2a3b4c5d", &info));
	snprintf(path, sizeof(path), "rm -rf %s", root);
	CHECK_EQ(system(path), 0);
}

int main(void)
{
	test_pod_from_logs();
	test_docker_answer();
	test_json();
	return unit_report("unit_containers");
}
