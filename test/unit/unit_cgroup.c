/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cgroup paths as runtimes write them, and /proc/PID/cgroup texts.
 *
 * Where each style comes from:
 * - docker, cgroupfs driver, cgroup v1: /docker/<id>. THIS_MACHINE below is
 *   the whole /proc/<pid>/cgroup of a container of Docker Engine 20.10.24
 *   (Debian 12's docker.io, runc 1.1.5) on these machines: v1 controllers,
 *   and a "0::" line because the kernel lists the v2 hierarchy too.
 * - docker, systemd driver (v1, and the default on v2 hosts):
 *   /system.slice/docker-<id>.scope, as runc's systemd driver names the scope.
 * - containerd through the kubelet's CRI, systemd driver: the kubelet's
 *   kubepods[-<qos>]-pod<uid>.slice with the UID's dashes turned into
 *   underscores (a dash separates systemd slice levels), and containerd's
 *   cri-containerd-<id>.scope. kind's nodes put it all under the root
 *   kubelet.slice/kubelet-kubepods.slice.
 * - containerd, cgroupfs driver (k3s, kind on v1, kubeadm with cgroupfs):
 *   /kubepods/<qos>/pod<uid>/<id>; guaranteed pods right under /kubepods.
 *   Old dockershim nodes wrote the same, so the path cannot tell docker
 *   from containerd there (we say containerd).
 * - cri-o: crio-<id>.scope (systemd) or crio-<id> (cgroupfs) for the
 *   container, crio-conmon-<id>.scope for its monitor process.
 * - podman rootful: /machine.slice/libpod-<id>.scope; crun creates a
 *   "container" sub-cgroup below the scope and puts the process there
 *   (crun PR #305); conmon runs in libpod-conmon-<id>.scope; a podman pod
 *   adds machine-libpod_pod_<podid>.slice. With the cgroupfs manager:
 *   /libpod_parent/libpod-<id>.
 * - podman rootless (v2): under the user's systemd,
 *   /user.slice/user-1000.slice/user@1000.service/user.slice/libpod-<id>.scope
 *   (the path crun reports in its issue #106).
 * - docker in docker: /docker/<outer>/docker/<inner>; a systemd or kube-proxy
 *   inside a container makes sub-cgroups below the container's.
 * - static pods get a UID of 32 hex digits (the kubelet's md5 of the
 *   manifest), not a UUID.
 * Ids and UIDs other than THIS_MACHINE's are made up.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include "utils/enrich/cgroup.h"
#include "unit.h"

#define ID "18b7ab8cf633755c21a402b308567431c6b132df9faaa5de51a267be1dabf8d8"
#define ID2 "3f4e1b2c9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c"
#define UID "7a3c2b1d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
#define UID_ "7a3c2b1d_4e5f_6a7b_8c9d_0e1f2a3b4c5d"
#define STATIC_UID "e3b0c44298fc1c149afbf4c8996fb924"

/* Docker 20.10.24, cgroupfs, v1, on this machine: `cat /proc/<pid>/cgroup` of a container. */
#define REAL_ID "65ef243c763f8b74209d91431e3788ddcb48df3da4df3f11699a48b34f862495"
static const char THIS_MACHINE[] =
	"9:name=systemd:/docker/" REAL_ID "\n"
	"8:pids:/docker/" REAL_ID "\n"
	"7:blkio:/docker/" REAL_ID "\n"
	"6:freezer:/docker/" REAL_ID "\n"
	"5:devices:/docker/" REAL_ID "\n"
	"4:memory:/docker/" REAL_ID "\n"
	"3:cpuset:/docker/" REAL_ID "\n"
	"2:cpuacct:/docker/" REAL_ID "\n"
	"1:cpu:/docker/" REAL_ID "\n"
	"0::/docker/" REAL_ID "\n";

/* The same machine, a process outside any container (the memory cgroup of its init's job). */
static const char THIS_MACHINE_HOST[] =
	"9:name=systemd:/\n"
	"8:pids:/\n"
	"7:blkio:/\n"
	"6:freezer:/\n"
	"5:devices:/\n"
	"4:memory:/process_api/2ed1d7ec538253c7f557e45903357f27\n"
	"3:cpuset:/\n"
	"2:cpuacct:/\n"
	"1:cpu:/\n"
	"0::/\n";

/* Parses a copy of exactly strlen + 1 bytes, so ASan sees any read past the string. */
static bool parse(const char *path, struct container_ref *r)
{
	size_t n = strlen(path) + 1;
	char *copy = malloc(n);
	bool found;

	memcpy(copy, path, n);
	found = cgroup_parse_container(copy, r);
	free(copy);
	return found;
}

static void expect_at(int line, const char *path, const char *id, const char *runtime,
		      const char *pod_uid, const char *qos)
{
	struct container_ref r;
	bool found = parse(path, &r);

	if (found != (id != NULL)) {
		unit_failures++;
		printf("FAIL %s:%d: %s: %s\n", __FILE__, line, path, found ? "taken for a container" : "not recognised");
		return;
	}
	CHECK(r.qos != NULL);
	if (!found) {
		CHECK_STR(r.id, "");
		CHECK_STR(r.qos, "");
		return;
	}
	CHECK_STR(r.id, id);
	CHECK_STR(r.runtime, runtime);
	CHECK_STR(r.pod_uid, pod_uid);
	CHECK_STR(r.qos, qos);
}
#define expect(...) expect_at(__LINE__, __VA_ARGS__)
#define reject(path) expect_at(__LINE__, path, NULL, NULL, NULL, NULL)

static void test_docker(void)
{
	expect("/docker/" REAL_ID, REAL_ID, "docker", "", "");
	expect("/system.slice/docker-" ID ".scope", ID, "docker", "", "");
	/* docker in docker: the inner one */
	expect("/docker/" ID "/docker/" ID2, ID2, "docker", "", "");
	/* below a container: systemd in it, or anything it makes */
	expect("/docker/" ID "/init.scope", ID, "docker", "", "");
	expect("/docker/" ID "/system.slice/nginx.service", ID, "docker", "", "");
	/* rootless docker, systemd driver */
	expect("/user.slice/user-1000.slice/user@1000.service/user.slice/docker-" ID ".scope", ID, "docker", "", "");
	/* a trailing slash changes nothing */
	expect("/docker/" ID "/", ID, "docker", "", "");
}

static void test_kubernetes(void)
{
	/* containerd, cgroupfs driver */
	expect("/kubepods/burstable/pod" UID "/" ID, ID, "containerd", UID, "burstable");
	expect("/kubepods/besteffort/pod" UID "/" ID, ID, "containerd", UID, "besteffort");
	expect("/kubepods/pod" UID "/" ID, ID, "containerd", UID, "guaranteed");
	expect("/kubepods/besteffort/pod" UID "/" ID "/kube-proxy", ID, "containerd", UID, "besteffort");
	expect("/kubepods/burstable/pod" STATIC_UID "/" ID, ID, "containerd", STATIC_UID, "burstable");
	/* containerd, systemd driver */
	expect("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/cri-containerd-" ID ".scope",
	       ID, "containerd", UID, "burstable");
	expect("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice/cri-containerd-" ID ".scope",
	       ID, "containerd", UID, "besteffort");
	expect("/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" ID ".scope", ID, "containerd", UID, "guaranteed");
	expect("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" STATIC_UID ".slice/cri-containerd-" ID ".scope",
	       ID, "containerd", STATIC_UID, "burstable");
	/* kind: the kubelet's cgroup root is /kubelet; the node itself is a docker container */
	expect("/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod"
	       UID_ ".slice/cri-containerd-" ID ".scope", ID, "containerd", UID, "besteffort");
	expect("/docker/" ID2 "/kubelet/kubepods/burstable/pod" UID "/" ID, ID, "containerd", UID, "burstable");
	expect("/docker/" ID2 "/system.slice/containerd.service", ID2, "docker", "", "");
	/* cri-o */
	expect("/kubepods.slice/kubepods-pod" UID_ ".slice/crio-" ID ".scope", ID, "cri-o", UID, "guaranteed");
	expect("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/crio-" ID ".scope",
	       ID, "cri-o", UID, "burstable");
	expect("/kubepods/besteffort/pod" UID "/crio-" ID, ID, "cri-o", UID, "besteffort");
	reject("/kubepods.slice/kubepods-pod" UID_ ".slice/crio-conmon-" ID ".scope"); /* conmon, not the container */
	/* docker through cri-dockerd, systemd driver */
	expect("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice/docker-" ID ".scope",
	       ID, "docker", UID, "besteffort");
	/* the pod's own cgroup holds no container */
	reject("/kubepods/burstable/pod" UID);
	reject("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice");
	/* a bare id under something that only looks like a pod */
	reject("/kubepods/burstable/pod" UID "x/" ID);
	reject("/kubepods/burstable/podnot-a-uid/" ID);
	reject("/kubepods/burstable/pod7A3C2B1D-4E5F-6A7B-8C9D-0E1F2A3B4C5D/" ID);
	reject("/somewhere/pod" UID "/" ID);
	/* a prefixed id in a non-Kubernetes "pod" path: the container, no pod */
	expect("/somewhere/pod" UID "/cri-containerd-" ID ".scope", ID, "containerd", "", "");
	expect("/kubepods.slice/kubepods-weird-pod" UID_ ".slice/cri-containerd-" ID ".scope", ID, "containerd", "", "");
}

static void test_podman(void)
{
	expect("/machine.slice/libpod-" ID ".scope", ID, "podman", "", "");
	expect("/machine.slice/libpod-" ID ".scope/container", ID, "podman", "", "");
	expect("/machine.slice/machine-libpod_pod_" ID2 ".slice/libpod-" ID ".scope", ID, "podman", "", "");
	expect("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID ".scope", ID, "podman", "", "");
	expect("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID ".scope/container", ID, "podman", "", "");
	expect("/libpod_parent/libpod-" ID, ID, "podman", "", "");
	reject("/machine.slice/libpod-conmon-" ID ".scope");
	/* nerdctl (containerd without Kubernetes), systemd driver */
	expect("/system.slice/nerdctl-" ID ".scope", ID, "containerd", "", "");
}

static void test_not_containers(void)
{
	reject("/");
	reject("");
	reject("//");
	reject("/user.slice/user-1000.slice/session-3.scope");
	reject("/system.slice/docker.service");
	reject("/process_api/2ed1d7ec538253c7f557e45903357f27");
	reject("/docker");
	reject("/docker/");
	/* wrong lengths, case, digits */
	reject("/docker/18b7ab8cf633755c21a402b308567431c6b132df9faaa5de51a267be1dabf8d");   /* 63 */
	reject("/docker/18b7ab8cf633755c21a402b308567431c6b132df9faaa5de51a267be1dabf8d8a"); /* 65 */
	reject("/docker/18B7AB8CF633755C21A402B308567431C6B132DF9FAAA5DE51A267BE1DABF8D8");
	reject("/docker/18b7ab8cf633755c21a402b308567431c6b132df9faaa5de51a267be1dabf8dz");
	reject("/docker/18b7ab8cf633755c21a402b308567431c6b132df9faaa5de51a267be1dabf8d ");
	reject("/system.slice/docker-" ID ".scop");
	reject("/system.slice/docker-" ID ".scopex");
	reject("/system.slice/docker-" ID "1.scope");
	reject("/system.slice/docker-.scope");
	reject("/system.slice/docker-");
	reject("/system.slice/cri-containerd-");
	/* a bare id with nothing saying whose */
	reject("/" ID);
	reject(ID);
	reject("/mygroup/" ID);
	reject("/system.slice/" ID ".scope");
	reject("/docker/" ID ".scope"); /* only prefixed ids come as systemd scopes */
}

/* Every prefix of long paths: never read past, and an id only when 64 hex digits. */
static void test_prefixes(void)
{
	static const char *const paths[] = {
		"/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod"
			UID_ ".slice/cri-containerd-" ID ".scope",
		"/docker/" ID2 "/kubelet/kubepods/burstable/pod" UID "/" ID "/sub",
		"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID ".scope/container",
	};

	for (size_t p = 0; p < sizeof(paths) / sizeof(paths[0]); p++) {
		size_t len = strlen(paths[p]);

		for (size_t n = 0; n <= len; n++) {
			char *cut = malloc(n + 1);
			struct container_ref r;

			memcpy(cut, paths[p], n);
			cut[n] = '\0';
			if (cgroup_parse_container(cut, &r)) {
				CHECK_EQ(strlen(r.id), 64);
				CHECK(strstr(cut, r.id) != NULL);
				CHECK(r.runtime != NULL);
			}
			free(cut);
		}
	}
}

static void expect_line_at(int line, const char *text, const char *want)
{
	char out[256];
	bool ok = cgroup_path_from_proc_line(text, out, sizeof(out));

	if (ok != (want != NULL)) {
		unit_failures++;
		printf("FAIL %s:%d: line \"%s\": %s\n", __FILE__, line, text, ok ? "accepted" : "refused");
		return;
	}
	if (ok)
		CHECK_STR(out, want);
}
#define expect_line(...) expect_line_at(__LINE__, __VA_ARGS__)

static void test_proc_lines(void)
{
	char small[8];

	expect_line("0::/system.slice/docker-" ID ".scope", "/system.slice/docker-" ID ".scope");
	expect_line("4:memory:/docker/" ID, "/docker/" ID);
	expect_line("4:memory:/docker/" ID "\n3:cpuset:/\n", "/docker/" ID);
	expect_line("2:cpuset,cpu,cpuacct,memory,net_cls,net_prio,hugetlb:/kubepods/x", "/kubepods/x");
	expect_line("12:name=systemd:/docker/" ID, "/docker/" ID);
	expect_line("0::/", "/");
	expect_line("0::/a:b", "/a:b"); /* a colon in the path is the path's */
	expect_line("0::/docker/" ID " (deleted)", "/docker/" ID); /* a dead v2 cgroup */
	expect_line("0::/a (deleted)\n", "/a");
	expect_line("", NULL);
	expect_line("\n0::/", NULL);
	expect_line("0", NULL);
	expect_line("0:", NULL);
	expect_line("0::", NULL);
	expect_line("0::\n/x", NULL);
	expect_line("0::x", NULL);
	expect_line(":memory:/x", NULL);
	expect_line("x:memory:/x", NULL);
	expect_line("4:memory", NULL);
	/* a path that does not fit is refused, not cut */
	CHECK(!cgroup_path_from_proc_line("0::/docker/" ID, small, sizeof(small)));
	CHECK(cgroup_path_from_proc_line("0::/abcdef", small, sizeof(small)));
	CHECK_STR(small, "/abcdef");
}

static void expect_pick_at(int line, const char *text, const char *want)
{
	char out[512];
	size_t n = strlen(text) + 1;
	char *copy = malloc(n);
	bool ok;

	memcpy(copy, text, n);
	ok = cgroup_path_from_proc(copy, out, sizeof(out));
	free(copy);
	if (ok != (want != NULL)) {
		unit_failures++;
		printf("FAIL %s:%d: %s\n", __FILE__, line, ok ? "a path picked from nothing" : "no path picked");
		return;
	}
	if (ok && strcmp(out, want) != 0) {
		unit_failures++;
		printf("FAIL %s:%d: picked \"%s\", want \"%s\"\n", __FILE__, line, out, want);
	}
}
#define expect_pick(...) expect_pick_at(__LINE__, __VA_ARGS__)

static void test_proc_text(void)
{
	struct container_ref r;
	char path[512];

	expect_pick(THIS_MACHINE, "/docker/" REAL_ID);
	CHECK(cgroup_path_from_proc(THIS_MACHINE, path, sizeof(path)) && cgroup_parse_container(path, &r));
	CHECK_STR(r.id, REAL_ID);
	/* On this machine a host process's "0::/" says nothing; the memory line is what the kernel side reports. */
	expect_pick(THIS_MACHINE_HOST, "/process_api/2ed1d7ec538253c7f557e45903357f27");
	/* Pure v2 (Debian 12, Fedora, Ubuntu 22.04 defaults): one line. */
	expect_pick("0::/system.slice/docker-" ID ".scope\n", "/system.slice/docker-" ID ".scope");
	expect_pick("0::/user.slice/user-1000.slice/session-2.scope\n", "/user.slice/user-1000.slice/session-2.scope");
	expect_pick("0::/system.slice/docker-" ID ".scope", "/system.slice/docker-" ID ".scope"); /* no newline */
	/* Hybrid (systemd's v1 + unified): the container is on both. */
	expect_pick("12:memory:/system.slice/docker-" ID ".scope\n"
		    "1:name=systemd:/system.slice/docker-" ID ".scope\n"
		    "0::/system.slice/docker-" ID ".scope\n", "/system.slice/docker-" ID ".scope");
	/* Only one line names a container: that one, whatever its rank. */
	expect_pick("5:memory:/\n3:cpu,cpuacct:/\n1:name=systemd:/\n0::/docker/" ID "\n", "/docker/" ID);
	expect_pick("7:pids:/docker/" ID "\n5:memory:/\n0::/\n", "/docker/" ID);
	/* memory in a list of controllers */
	expect_pick("2:cpuset,cpu,cpuacct,memory,net_cls:/kubepods/besteffort/pod" UID "/" ID "\n"
		    "1:name=systemd:/\n", "/kubepods/besteffort/pod" UID "/" ID);
	/* no container anywhere: memory, then name=systemd, then cpu, then v2 */
	expect_pick("3:cpu:/c\n1:name=systemd:/s\n5:memory:/m\n0::/v2\n", "/m");
	expect_pick("3:cpu:/c\n1:name=systemd:/s\n0::/v2\n", "/s");
	expect_pick("3:cpu,cpuacct:/c\n0::/v2\n", "/c");
	expect_pick("3:cpuset:/cs\n0::/v2\n", "/v2"); /* cpuset is not cpu */
	expect_pick("3:cpuset:/cs\n", "/cs");
	/* two containers on different lines: the better-ranked line's */
	expect_pick("4:memory:/docker/" ID "\n0::/docker/" ID2 "\n", "/docker/" ID);
	/* garbage lines are skipped */
	expect_pick("garbage\n\n4:memory\n0::/x\n", "/x");
	expect_pick("", NULL);
	expect_pick("\n\n", NULL);
	expect_pick("not a cgroup file", NULL);
}

static void test_files_and_pids(void)
{
	char file[] = "/tmp/unit_cgroup.XXXXXX";
	char path[4097], want[4097];
	struct container_ref r;
	int fd = mkstemp(file);
	bool ok;

	CHECK(fd >= 0);
	CHECK_EQ(write(fd, THIS_MACHINE, strlen(THIS_MACHINE)), (long)strlen(THIS_MACHINE));
	close(fd);
	CHECK(cgroup_path_from_file(file, path, sizeof(path)));
	CHECK_STR(path, "/docker/" REAL_ID);
	unlink(file);
	errno = 0;
	CHECK(!cgroup_path_from_file(file, path, sizeof(path)));
	CHECK_EQ(errno, ENOENT);
	errno = 0;
	CHECK(!cgroup_path_from_file("/dev/null", path, sizeof(path))); /* readable, but no line */
	CHECK_EQ(errno, EINVAL);

	/* Ourselves: the same answer as from our own text. */
	CHECK(cgroup_path_of_pid(getpid(), path, sizeof(path)));
	CHECK(cgroup_path_from_file("/proc/self/cgroup", want, sizeof(want)));
	CHECK_STR(path, want);
	ok = cgroup_container_of_pid(getpid(), &r);
	{
		struct container_ref r2;

		CHECK_EQ(ok, cgroup_parse_container(want, &r2));
		CHECK_STR(r.id, r2.id);
	}
	printf("    this process: %s (%s)\n", path, ok ? r.runtime : "no container");
	/* A pid that does not exist. */
	errno = 0;
	CHECK(!cgroup_path_of_pid(0x3ffffff0, path, sizeof(path)));
	CHECK_EQ(errno, ENOENT);
	CHECK(!cgroup_container_of_pid(0x3ffffff0, &r));
	CHECK_STR(r.id, "");
}

int main(void)
{
	test_docker();
	test_kubernetes();
	test_podman();
	test_not_containers();
	test_prefixes();
	test_proc_lines();
	test_proc_text();
	test_files_and_pids();
	return unit_report("unit_cgroup");
}
