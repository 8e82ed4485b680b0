/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "kernel_events.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ebpfcap.skel.h"
#include "utils/enrich/process.h"

#define TRACEFS "/sys/kernel/tracing"

struct kernel_events {
	struct ebpfcap_bpf *skel;
	struct ring_buffer *execs;  /* exec notes: name processes before their events */
	struct ring_buffer *events;
	int epoll_fd;               /* both rings' wake-ups */
	struct kernel_callbacks cb;
};

static int debug_enabled;

/* libbpf talks a lot; during a capture Wireshark shows any stderr as an error. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return debug_enabled ? vfprintf(stderr, fmt, ap) : 0;
}

/*
 * libbpf reads each tracepoint's id from tracefs, which is not mounted on
 * every machine (it was not on ours). Mount it when we may (root); without
 * root, say so rather than ask for CAP_SYS_ADMIN (see privileges.c).
 * statfs(), not access(): access() checks the real uid without our file
 * capabilities, and the directory is root's 0700.
 */
int kernel_events_tracefs(void)
{
	struct statfs fs;

	if (statfs(TRACEFS, &fs) == 0 && fs.f_type == TRACEFS_MAGIC)
		return 0;
	if (mount("nodev", TRACEFS, "tracefs", 0, NULL) == 0)
		return 0;
	fprintf(stderr, "ebpfcap: tracefs is not mounted at " TRACEFS " and mounting it failed (%s): "
		"run 'mount -t tracefs nodev " TRACEFS "' as root\n", strerror(errno));
	return -1;
}

static void say_load_error(const char *step, int err)
{
	/*
	 * privileges_check() ran first, so a refusal here is rarer: a security
	 * module, lockdown, or a tracefs whose ids are not ours to read (EACCES
	 * on attach; on load EACCES is the verifier's refusal, not a privilege).
	 */
	if (err == -EPERM)
		fprintf(stderr, "ebpfcap: %s the BPF programs was refused (%s): run as root\n",
			step, strerror(-err));
	else if (err == -EACCES && strcmp(step, "attaching") == 0)
		fprintf(stderr, "ebpfcap: cannot read tracepoint ids in " TRACEFS ": missing CAP_DAC_READ_SEARCH "
			"(run as root)\n");
	else if (access("/sys/kernel/btf/vmlinux", R_OK) != 0)
		fprintf(stderr, "ebpfcap: /sys/kernel/btf/vmlinux is not readable: this kernel has no BTF "
			"(CONFIG_DEBUG_INFO_BTF), which CO-RE programs need\n");
	else
		fprintf(stderr, "ebpfcap: %s the BPF programs failed: %s (rerun with --debug for libbpf's log)\n",
			step, strerror(-err));
}

static int on_event_sample(void *ctx, void *data, size_t size)
{
	struct kernel_events *ke = ctx;

	if (size < sizeof(struct ebpf_event))
		return 0; /* cannot happen: the kernel reserves whole events */
	/*
	 * A process's exec note is submitted before any of its events, but one
	 * drain of the event ring can last while a short process execs,
	 * connects and exits (we are preempted, or blocked writing to a slow
	 * reader), and /proc no longer knows it. Catching up on the exec ring
	 * here (a few loads when nothing is new) keeps its note first.
	 */
	ring_buffer__consume(ke->execs);
	return ke->cb.event(data, ke->cb.ctx);
}

static int on_exec_sample(void *ctx, void *data, size_t size)
{
	struct kernel_events *ke = ctx;

	if (size >= sizeof(struct ebpf_exec_note) && ke->cb.exec)
		ke->cb.exec(data, ke->cb.ctx);
	return 0;
}

/*
 * Which hierarchy names a process's cgroup: v2 where it is mounted at
 * /sys/fs/cgroup, else v1's memory controller (docker's on our machines).
 */
static bool cgroup_v1_only(void)
{
	struct statfs fs;

	return statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type != CGROUP2_SUPER_MAGIC;
}

const char *kernel_events_cgroup_root(void)
{
	return cgroup_v1_only() ? "/sys/fs/cgroup/memory" : "/sys/fs/cgroup";
}

/*
 * Programs no wanted event type needs are not loaded at all: a TCP-only
 * capture puts nothing on the UDP path, a UDP-only one nothing on TCP's.
 */
static void load_only_needed(struct ebpfcap_bpf *skel, uint32_t mask)
{
	struct bpf_program *udp[] = {
		skel->progs.ebpfcap_udp_tx, skel->progs.ebpfcap_udp_rx,
		skel->progs.ebpfcap_udptx4, skel->progs.ebpfcap_udptx6,
		skel->progs.ebpfcap_udprx4, skel->progs.ebpfcap_udprx6,
	};
	struct bpf_program *tcp[] = {
		skel->progs.ebpfcap_state, skel->progs.ebpfcap_accept4, skel->progs.ebpfcap_accept,
		skel->progs.ebpfcap_rst_in, skel->progs.ebpfcap_retrans,
	};
	for (size_t i = 0; !(mask & FILTER_UDP_TYPES) && i < sizeof(udp) / sizeof(udp[0]); i++)
		bpf_program__set_autoload(udp[i], false);
	for (size_t i = 0; !(mask & ~FILTER_UDP_TYPES) && i < sizeof(tcp) / sizeof(tcp[0]); i++)
		bpf_program__set_autoload(tcp[i], false);
}

/*
 * The UDP peer hooks keep their note in task storage, which cgroup socket
 * programs get only on recent kernels (6.18 here; README promises 5.15).
 * Without it they are left out and the rest still loads: datagrams are
 * counted and attributed, only the peer of an unconnected socket is unknown.
 */
static void load_peer_hooks_if_supported(struct ebpfcap_bpf *skel)
{
	struct bpf_program *hooks[] = {
		skel->progs.ebpfcap_udptx4, skel->progs.ebpfcap_udptx6,
		skel->progs.ebpfcap_udprx4, skel->progs.ebpfcap_udprx6,
	};

	if (!bpf_program__autoload(hooks[0]) ||
	    (libbpf_probe_bpf_helper(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_FUNC_task_storage_get, NULL) == 1 &&
	     libbpf_probe_bpf_helper(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, BPF_FUNC_get_current_task_btf, NULL) == 1))
		return;
	fprintf(stderr, "ebpfcap: this kernel gives cgroup socket programs no task storage: "
		"the peer of a datagram on an unconnected UDP socket will be unknown (0)\n");
	for (size_t i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++)
		bpf_program__set_autoload(hooks[i], false);
}

static void configure(struct ebpfcap_bpf *skel, const struct event_filter *f, uint32_t ringbuf_kib)
{
	load_only_needed(skel, f->event_type_mask);
	load_peer_hooks_if_supported(skel);
	skel->rodata->event_type_mask = f->event_type_mask;
	skel->rodata->filter_pids = f->pid != 0;
	skel->rodata->filter_cgroups = f->n_cgroups > 0;
	memcpy((char *)skel->rodata->filter_comm, f->comm, sizeof(f->comm));
	skel->rodata->filter_by_uid = f->by_uid;
	skel->rodata->filter_uid = f->uid;
	skel->rodata->filter_port = f->port;
	skel->rodata->filter_family = f->family;
	skel->rodata->cgroup_v1 = cgroup_v1_only();
	/* The ring buffer size must be a power-of-two number of pages. */
	uint32_t bytes = 4096;

	while (bytes < ringbuf_kib * 1024u && bytes < (1u << 30))
		bytes <<= 1;
	bpf_map__set_max_entries(skel->maps.ebpfcap_events, bytes);
}

/*
 * The cgroup v2 root, where the UDP peer hooks go: they run for the sockets
 * of every cgroup below it. /sys/fs/cgroup on unified hosts,
 * /sys/fs/cgroup/unified beside v1's controllers on hybrid ones (ours).
 * Inside a cgroup namespace it is that namespace's root.
 */
static int open_cgroup2_root(void)
{
	static const char *const paths[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	struct statfs fs;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (statfs(paths[i], &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC)
			return open(paths[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	errno = ENOENT;
	return -1;
}

/*
 * The skeleton does not attach cgroup programs: their links go in its
 * slots here, so they are detached with the rest, and since a link lives
 * as long as its descriptor, also when the capture is killed.
 */
static int attach_udp_peer_hooks(struct ebpfcap_bpf *skel)
{
	struct {
		struct bpf_program *prog;
		struct bpf_link **link;
	} hooks[] = {
		{ skel->progs.ebpfcap_udptx4, &skel->links.ebpfcap_udptx4 },
		{ skel->progs.ebpfcap_udptx6, &skel->links.ebpfcap_udptx6 },
		{ skel->progs.ebpfcap_udprx4, &skel->links.ebpfcap_udprx4 },
		{ skel->progs.ebpfcap_udprx6, &skel->links.ebpfcap_udprx6 },
	};
	int cgroup, err = 0;

	if (!bpf_program__autoload(skel->progs.ebpfcap_udptx4))
		return 0; /* no UDP event wanted, or no hooks on this kernel */
	cgroup = open_cgroup2_root();
	if (cgroup < 0) {
		fprintf(stderr, "ebpfcap: no cgroup v2 hierarchy at /sys/fs/cgroup or /sys/fs/cgroup/unified: "
			"the peer of a datagram on an unconnected UDP socket will be unknown (0)\n");
		return 0;
	}
	for (size_t i = 0; i < sizeof(hooks) / sizeof(hooks[0]) && !err; i++) {
		*hooks[i].link = bpf_program__attach_cgroup(hooks[i].prog, cgroup);
		if (!*hooks[i].link)
			err = -errno;
	}
	close(cgroup);
	return err;
}

static int follow_pid(pid_t pid, void *ctx)
{
	uint8_t yes = 1;
	uint32_t key = (uint32_t)pid;

	return bpf_map_update_elem(*(int *)ctx, &key, &yes, BPF_ANY);
}

/* Filter maps are filled after load, before attach: no event escapes them. */
static int fill_filter_maps(struct ebpfcap_bpf *skel, const struct event_filter *f)
{
	int pids_fd = bpf_map__fd(skel->maps.ebpfcap_pids);
	int cg_fd = bpf_map__fd(skel->maps.ebpfcap_cgroups);
	uint8_t yes = 1;

	if (f->pid && (follow_pid((pid_t)f->pid, &pids_fd) < 0 ||
		       process_for_each_descendant((pid_t)f->pid, follow_pid, &pids_fd) < 0))
		return -errno;
	for (size_t i = 0; i < f->n_cgroups; i++)
		if (bpf_map_update_elem(cg_fd, &f->cgroup_ids[i], &yes, BPF_ANY) < 0)
			return -errno;
	return 0;
}

/* One epoll fd the caller polls, for the two rings' own epoll fds. */
static int watch(int epoll_fd, struct ring_buffer *rb)
{
	struct epoll_event ev = { .events = EPOLLIN };

	return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, ring_buffer__epoll_fd(rb), &ev);
}

static int open_ring_buffers(struct kernel_events *ke)
{
	ke->execs = ring_buffer__new(bpf_map__fd(ke->skel->maps.ebpfcap_execs), on_exec_sample, ke, NULL);
	ke->events = ring_buffer__new(bpf_map__fd(ke->skel->maps.ebpfcap_events), on_event_sample, ke, NULL);
	ke->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (!ke->execs || !ke->events || ke->epoll_fd < 0 ||
	    watch(ke->epoll_fd, ke->execs) < 0 || watch(ke->epoll_fd, ke->events) < 0)
		return -1;
	return 0;
}

struct kernel_events *kernel_events_open(const struct event_filter *filter, uint32_t ringbuf_kib, bool debug,
					 const struct kernel_callbacks *cb)
{
	struct kernel_events *ke = calloc(1, sizeof(*ke));
	int err;

	if (!ke)
		return NULL;
	ke->epoll_fd = -1;
	debug_enabled = debug;
	libbpf_set_print(libbpf_print);
	ke->cb = *cb;
	ke->skel = ebpfcap_bpf__open();
	if (!ke->skel) {
		say_load_error("opening", -errno);
		goto fail;
	}
	configure(ke->skel, filter, ringbuf_kib);
	if (kernel_events_tracefs() < 0)
		goto fail;
	err = ebpfcap_bpf__load(ke->skel);
	if (err) {
		say_load_error("loading", err);
		goto fail;
	}
	err = fill_filter_maps(ke->skel, filter);
	if (err) {
		say_load_error("filling the filter maps of", err);
		goto fail;
	}
	err = ebpfcap_bpf__attach(ke->skel);
	if (!err)
		err = attach_udp_peer_hooks(ke->skel);
	if (err) {
		say_load_error("attaching", err);
		goto fail;
	}
	if (open_ring_buffers(ke) < 0) {
		say_load_error("opening the ring buffer of", -errno);
		goto fail;
	}
	return ke;
fail:
	kernel_events_close(ke);
	return NULL;
}

int kernel_events_pids_fd(const struct kernel_events *ke)
{
	return bpf_map__fd(ke->skel->maps.ebpfcap_pids);
}

int kernel_events_cgroups_fd(const struct kernel_events *ke)
{
	return bpf_map__fd(ke->skel->maps.ebpfcap_cgroups);
}

int kernel_events_fd(const struct kernel_events *ke)
{
	return ke->epoll_fd;
}

int kernel_events_consume(struct kernel_events *ke)
{
	int notes = ring_buffer__consume(ke->execs);

	return notes < 0 ? notes : ring_buffer__consume(ke->events);
}

uint64_t bpf_sum_percpu(int map_fd, uint32_t key)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t total = 0;

	if (ncpu <= 0)
		return 0;
	uint64_t *values = calloc((size_t)ncpu, sizeof(*values));

	if (values && bpf_map_lookup_elem(map_fd, &key, values) == 0)
		for (int i = 0; i < ncpu; i++)
			total += values[i];
	free(values);
	return total;
}

/*
 * Runs of our programs the kernel skipped: a tracepoint hit while the same
 * raw tracepoint program was already running on that CPU (softirq on top of
 * process context), or, for classic tracepoints, while any tracing program
 * was. The kernel only counts them, per program.
 */
static uint64_t skipped_runs(const struct kernel_events *ke)
{
	struct bpf_program *prog;
	uint64_t total = 0;

	bpf_object__for_each_program(prog, ke->skel->obj) {
		struct bpf_prog_info info;
		uint32_t len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len) == 0)
			total += info.recursion_misses;
	}
	return total;
}

void kernel_events_counters(const struct kernel_events *ke, struct kernel_counters *out)
{
	int fd = bpf_map__fd(ke->skel->maps.ebpfcap_counts);

	out->emitted = bpf_sum_percpu(fd, EBPF_CNT_EMITTED);
	out->lost = bpf_sum_percpu(fd, EBPF_CNT_LOST);
	out->filtered = bpf_sum_percpu(fd, EBPF_CNT_FILTERED);
	out->udp_untracked = bpf_sum_percpu(fd, EBPF_CNT_UDP_UNTRACKED);
	out->notes_lost = bpf_sum_percpu(fd, EBPF_CNT_NOTES_LOST);
	out->skipped = skipped_runs(ke);
}

int kernel_events_udp_map_fd(const struct kernel_events *ke)
{
	return bpf_map__fd(ke->skel->maps.ebpfcap_udp);
}

static void *detach_link(void *link)
{
	bpf_link__destroy(link);
	return NULL;
}

/*
 * Each tracepoint link's detach waits for an RCU grace period (~28 ms
 * here): one after the other, -c N exited half a second after its last
 * event. Detached side by side, the waits overlap. A link whose thread
 * cannot start is detached here, as before.
 */
static void detach_all(struct ebpfcap_bpf *skel)
{
	const struct bpf_object_skeleton *s = skel->skeleton;
	pthread_t threads[s->prog_cnt];
	bool started[s->prog_cnt];

	for (int i = 0; i < s->prog_cnt; i++) {
		struct bpf_link *link = *s->progs[i].link;

		started[i] = false;
		if (!link)
			continue;
		*s->progs[i].link = NULL;
		started[i] = pthread_create(&threads[i], NULL, detach_link, link) == 0;
		if (!started[i])
			bpf_link__destroy(link);
	}
	for (int i = 0; i < s->prog_cnt; i++)
		if (started[i])
			pthread_join(threads[i], NULL);
}

void kernel_events_close(struct kernel_events *ke)
{
	if (!ke)
		return;
	if (ke->epoll_fd >= 0)
		close(ke->epoll_fd);
	ring_buffer__free(ke->execs);
	ring_buffer__free(ke->events);
	if (ke->skel)
		detach_all(ke->skel);
	ebpfcap_bpf__destroy(ke->skel); /* closes program and map fds */
	free(ke);
}
