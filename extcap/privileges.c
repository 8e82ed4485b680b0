/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "privileges.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/syscall.h>

/*
 * Found by trying each one away, as an unprivileged user on Linux 6.18
 * (see test/e2e/t_nonroot.sh). Not here, on purpose:
 * - CAP_SYS_ADMIN: only mounting tracefs needs it, and it is close to all
 *   of root; an administrator mounts tracefs once (systemd does at boot).
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
	unsigned only_for; /* 0: every capture; else only captures that need one of these (privileges.h) */
	unsigned uses;     /* the privileged_use steps that raise it (privileges.h) */
} needed[] = {
	{ CAP_BPF, CAP_SYS_ADMIN, "CAP_BPF", "load eBPF programs", 0, USE_LOAD_BPF },
	{ CAP_PERFMON, CAP_SYS_ADMIN, "CAP_PERFMON", "attach eBPF programs to tracepoints", 0, USE_LOAD_BPF },
	/*
	 * The kernel loads cgroup socket programs (the UDP peer hooks on the
	 * cgroup v2 root) only for it, so only a capture of UDP events needs it.
	 * Effective only while loading, as the others: we never set promiscuous
	 * or monitor mode, nor configure anything.
	 */
	{ CAP_NET_ADMIN, CAP_SYS_ADMIN, "CAP_NET_ADMIN", "load eBPF cgroup socket programs", NEED_UDP,
	  USE_LOAD_BPF },
	/*
	 * tracefs is root's 0700; libbpf reads each tracepoint's id there. Also
	 * lists other users' /proc/PID/fd (0500). It is the one that reads any
	 * file: never effective while a path the user names is opened.
	 */
	{ CAP_DAC_READ_SEARCH, CAP_DAC_OVERRIDE, "CAP_DAC_READ_SEARCH",
	  "read tracepoint ids in /sys/kernel/tracing", 0, USE_LOAD_BPF | USE_READ_PROC },
	/* Without it other users' processes have no program path, open flows no owner. */
	{ CAP_SYS_PTRACE, -1, "CAP_SYS_PTRACE", "read other users' /proc/PID/exe and /proc/PID/fd", 0,
	  USE_READ_PROC },
	/* Only to create libpcap's packet socket; reading it and its filter need nothing. */
	{ CAP_NET_RAW, -1, "CAP_NET_RAW", "capture packets", NEED_PACKETS, USE_PACKETS },
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

/* This thread's sets (capabilities are per thread: capget/capset with pid 0). */
struct cap_sets {
	uint64_t effective, permitted, inheritable;
};

static int get_caps(struct cap_sets *s)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data) < 0)
		return -1;
	s->effective = (uint64_t)data[1].effective << 32 | data[0].effective;
	s->permitted = (uint64_t)data[1].permitted << 32 | data[0].permitted;
	s->inheritable = (uint64_t)data[1].inheritable << 32 | data[0].inheritable;
	return 0;
}

static int set_effective(const struct cap_sets *s, uint64_t effective)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {
		{ (uint32_t)effective, (uint32_t)s->permitted, (uint32_t)s->inheritable },
		{ (uint32_t)(effective >> 32), (uint32_t)(s->permitted >> 32), (uint32_t)(s->inheritable >> 32) },
	};

	return (int)syscall(SYS_capset, &hdr, data);
}

/*
 * Capabilities that came from the file (make install's setcap) are not the
 * user's: with them effective, every open() of a path the user names would
 * pass the kernel's checks as CAP_DAC_READ_SEARCH (-r /root/x, --secret-key
 * of root's). Root's are its own: as root nothing changes.
 */
void privileges_drop(void)
{
	struct cap_sets s;

	if (getuid() == 0 || get_caps(&s) < 0 || s.effective == 0)
		return;
	if (set_effective(&s, 0) < 0) {
		fprintf(stderr, "ebpfcap: cannot set aside this program's capabilities: %s\n", strerror(errno));
		exit(1);
	}
}

static uint64_t mask_of(enum privileged_use use)
{
	uint64_t mask = 0;

	for (size_t i = 0; i < N_NEEDED; i++)
		if (needed[i].uses & use)
			mask |= 1ull << needed[i].cap | (needed[i].broader >= 0 ? 1ull << needed[i].broader : 0);
	return mask;
}

#define UNCHANGED UINT64_MAX /* privileges_raise() changed nothing: nothing to lower */

uint64_t privileges_raise(enum privileged_use use)
{
	struct cap_sets s;
	uint64_t wanted;

	if (get_caps(&s) < 0)
		return UNCHANGED;
	/* What is not permitted stays out: the step's own call then says what is missing. */
	wanted = s.effective | (mask_of(use) & s.permitted);
	if (wanted == s.effective || set_effective(&s, wanted) < 0)
		return UNCHANGED; /* root, or already raised */
	return s.effective;
}

void privileges_lower(uint64_t saved)
{
	struct cap_sets s;

	if (saved == UNCHANGED)
		return;
	/* Failing to lower would leave the user's paths open to our capabilities: stop. */
	if (get_caps(&s) < 0 || set_effective(&s, saved) < 0) {
		fprintf(stderr, "ebpfcap: cannot set aside this program's capabilities: %s\n", strerror(errno));
		exit(1);
	}
}

static bool holds(uint64_t caps, int cap)
{
	return cap >= 0 && (caps >> cap) & 1;
}

int privileges_check(unsigned needs)
{
	const struct needed *first = NULL;
	char missing[256] = "";
	struct cap_sets s;

	if (get_caps(&s) < 0)
		return 0; /* cannot tell: let the kernel's refusal speak */
	for (size_t i = 0; i < N_NEEDED; i++) {
		const struct needed *n = &needed[i];
		uint64_t caps = s.permitted; /* what privileges_raise() can make effective */

		if ((n->only_for && !(n->only_for & needs)) || holds(caps, n->cap) || holds(caps, n->broader))
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
