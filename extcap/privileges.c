/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "privileges.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/syscall.h>

/*
 * Found by trying each one away, as an unprivileged user on Linux 6.18
 * (see test/t_nonroot.sh). Not here, on purpose:
 * - CAP_SYS_ADMIN: only mounting tracefs needs it, and it is close to all
 *   of root; an administrator mounts tracefs once (systemd does at boot).
 * - CAP_NET_ADMIN: we never set promiscuous or monitor mode.
 * - CAP_SYS_RESOURCE: libbpf raises RLIMIT_MEMLOCK only on kernels before
 *   5.11 (no memcg accounting of BPF memory); we need 5.15.
 * - the Docker socket: container names need group docker, which is root
 *   in all but name; without it containers are shown by id.
 */
static const struct needed {
	int cap;
	int broader;       /* one that includes it (root in a container may have that one) */
	const char *name;
	const char *why;   /* "cannot ..." */
	bool packets_only; /* only the packet interfaces need it */
} needed[] = {
	{ CAP_BPF, CAP_SYS_ADMIN, "CAP_BPF", "load eBPF programs", false },
	{ CAP_PERFMON, CAP_SYS_ADMIN, "CAP_PERFMON", "attach eBPF programs to tracepoints", false },
	/* tracefs is root's 0700; libbpf reads each tracepoint's id there. Also lists /proc/PID/fd. */
	{ CAP_DAC_READ_SEARCH, CAP_DAC_OVERRIDE, "CAP_DAC_READ_SEARCH",
	  "read tracepoint ids in /sys/kernel/tracing", false },
	/* Without it other users' processes have no program path, open flows no owner. */
	{ CAP_SYS_PTRACE, -1, "CAP_SYS_PTRACE", "read other users' /proc/PID/exe and /proc/PID/fd", false },
	{ CAP_NET_RAW, -1, "CAP_NET_RAW", "capture packets", true },
};

#define N_NEEDED (sizeof(needed) / sizeof(needed[0]))

void privileges_print_setcap(FILE *out)
{
	for (size_t i = 0; i < N_NEEDED; i++) {
		fputs(i ? "," : "", out);
		for (const char *p = needed[i].name; *p; p++)
			fputc(tolower((unsigned char)*p), out);
	}
	fputs("=ep\n", out);
}

static int effective_caps(uint64_t *caps)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data) < 0)
		return -1;
	*caps = (uint64_t)data[1].effective << 32 | data[0].effective;
	return 0;
}

static bool holds(uint64_t caps, int cap)
{
	return cap >= 0 && (caps >> cap) & 1;
}

int privileges_check(bool with_packets)
{
	const struct needed *first = NULL;
	char missing[256] = "";
	uint64_t caps;

	if (effective_caps(&caps) < 0)
		return 0; /* cannot tell: let the kernel's refusal speak */
	for (size_t i = 0; i < N_NEEDED; i++) {
		const struct needed *n = &needed[i];

		if ((n->packets_only && !with_packets) || holds(caps, n->cap) || holds(caps, n->broader))
			continue;
		if (!first)
			first = n;
		snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), "%s%s",
			 missing[0] ? ", " : "", n->name);
	}
	if (!first)
		return 0;
	fprintf(stderr, "ebpfcap: cannot %s: missing %s (run as root, or install with 'make install', "
		"which grants %s to group wireshark)\n", first->why, missing,
		strchr(missing, ',') ? "them" : "it");
	return -1;
}
