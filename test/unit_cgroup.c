/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cgroup paths as runtimes write them. The docker v1 sample is from this
 * machine (Docker 20.10, cgroupfs driver, cgroup v1); the others follow the
 * runtimes' documented naming: docker and podman with the systemd driver,
 * the kubelet's kubepods hierarchy with containerd (systemd and cgroupfs
 * drivers) and cri-o.
 */
#include "utils/cgroup.h"
#include "unit.h"

#define ID "18b7ab8cf633755c21a402b308567431c6b132df9faaa5de51a267be1dabf8d8"
#define ID2 "3f4e1b2c9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c"
#define UID "7a3c2b1d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
#define UID_ "7a3c2b1d_4e5f_6a7b_8c9d_0e1f2a3b4c5d"

static void expect(const char *path, const char *id, const char *runtime, const char *pod_uid)
{
	struct container_ref r;
	bool found = cgroup_parse_container(path, &r);

	CHECK_EQ(found, id != NULL);
	if (!found || !id)
		return;
	CHECK_STR(r.id, id);
	CHECK_STR(r.runtime, runtime);
	CHECK_STR(r.pod_uid, pod_uid);
}

int main(void)
{
	expect("/docker/" ID, ID, "docker", "");
	expect("/system.slice/docker-" ID ".scope", ID, "docker", "");
	expect("/docker/" ID "/docker/" ID2, ID2, "docker", ""); /* docker in docker: the inner one */
	expect("/kubepods/burstable/pod" UID "/" ID, ID, "containerd", UID);
	expect("/kubepods/besteffort/pod" UID "/" ID, ID, "containerd", UID);
	expect("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/cri-containerd-" ID ".scope",
	       ID, "containerd", UID);
	expect("/kubepods.slice/kubepods-pod" UID_ ".slice/crio-" ID ".scope", ID, "cri-o", UID);
	expect("/machine.slice/libpod-" ID ".scope", ID, "podman", "");
	expect("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID ".scope", ID, "podman", "");
	expect("/libpod_parent/libpod-" ID, ID, "podman", "");
	/* Not containers. */
	expect("/", NULL, NULL, NULL);
	expect("", NULL, NULL, NULL);
	expect("/user.slice/user-1000.slice/session-3.scope", NULL, NULL, NULL);
	expect("/kubepods.slice/kubepods-pod" UID_ ".slice/crio-conmon-" ID ".scope", NULL, NULL, NULL);
	expect("/docker/" "18b7ab8cf633755c21a402b308567431c6b132df9faaa5de51a267be1dabf8d", NULL, NULL, NULL); /* 63 */
	expect("/docker/" "18B7AB8CF633755C21A402B308567431C6B132DF9FAAA5DE51A267BE1DABF8D8", NULL, NULL, NULL);
	expect("/docker/" "18b7ab8cf633755c21a402b308567431c6b132df9faaa5de51a267be1dabf8dz", NULL, NULL, NULL);
	expect("/" ID, NULL, NULL, NULL); /* a bare id with no runtime above it */
	return unit_report("unit_cgroup");
}
