// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ebpfcap kernel side: TCP lifecycle events from tracepoints only (kprobes
 * and fentry are unavailable on the machines we target), each attributed to
 * the process that did the thing, never to whoever is on the CPU in softirq.
 *
 * How attribution works:
 *  - connect(): the CLOSE -> SYN_SENT state change runs in the connecting
 *    process, so that is where we remember the owner of the socket. The
 *    SYN_SENT -> ESTABLISHED step runs in softirq and uses the remembered owner.
 *  - accept(): the socket is born in softirq; sys_exit_accept{,4} runs in the
 *    accepting process and finds the socket from the returned fd.
 *  - close: whoever owned the socket (remembered above), wherever it closes.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include "bpf/ebpf_record.h"

#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define IPPROTO_TCP 6
#define MAX_SOCKETS 65536

char LICENSE[] SEC("license") = "GPL";

/* Programs and maps are named ebpfcap_*: `bpftool prog show` tells ours apart. */

/* Set by the loader before load; 0 / all bits mean "no filter". */
const volatile __u32 filter_pid = 0;
const volatile __u32 event_type_mask = 0xffffffff;

/* Who owns a socket, remembered from process context. */
struct owner {
	__u64 start_ns;   /* SYN sent (connect) or established (accept) */
	__u64 cgroup_id;
	__u32 pid, tid, ppid, uid, gid;
	__u8 reset;       /* an RST was sent or received */
	__u8 known;       /* pid & co. are filled in */
	char comm[EBPF_COMM_LEN];
	char parent_comm[EBPF_COMM_LEN];
};

/* Entries are deleted on close; LRU bounds the map if a close is missed. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_SOCKETS);
	__type(key, __u64); /* struct sock * */
	__type(value, struct owner);
} ebpfcap_owners SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024); /* resized by the loader */
} ebpfcap_events SEC(".maps");

/* Per-CPU counters read by user space: what we sent, lost and filtered. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EBPF_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} ebpfcap_counts SEC(".maps");

static __always_inline void count(__u32 which)
{
	__u64 *c = bpf_map_lookup_elem(&ebpfcap_counts, &which);

	if (c)
		(*c)++;
}

static __always_inline void owner_from_current(struct owner *o)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct task_struct *parent = BPF_CORE_READ(task, real_parent);
	__u64 id = bpf_get_current_pid_tgid();
	__u64 ugid = bpf_get_current_uid_gid();

	o->pid = id >> 32;
	o->tid = (__u32)id;
	o->uid = (__u32)ugid;
	o->gid = ugid >> 32;
	o->ppid = BPF_CORE_READ(parent, tgid);
	o->cgroup_id = bpf_get_current_cgroup_id();
	o->known = 1;
	bpf_get_current_comm(o->comm, sizeof(o->comm));
	BPF_CORE_READ_STR_INTO(&o->parent_comm, parent, comm);
}

/* The filter runs before the ring buffer is touched: filtered events cost no space. */
static __always_inline bool wanted(__u16 type, const struct owner *o)
{
	if (!(event_type_mask & (1u << type)) || (filter_pid && o->pid != filter_pid)) {
		count(EBPF_CNT_FILTERED);
		return false;
	}
	return true;
}

static __always_inline struct ebpf_event *reserve_event(__u16 type, const struct owner *o)
{
	struct ebpf_event *e;

	if (!wanted(type, o))
		return NULL;
	e = bpf_ringbuf_reserve(&ebpfcap_events, sizeof(*e), 0);
	if (!e) {
		count(EBPF_CNT_LOST);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->type = type;
	e->proto = IPPROTO_TCP;
	e->timestamp_ns = bpf_ktime_get_boot_ns(); /* user space makes it wall clock */
	e->pid = o->pid;
	e->tid = o->tid;
	e->ppid = o->ppid;
	e->uid = o->uid;
	e->gid = o->gid;
	e->cgroup_id = o->cgroup_id;
	if (!o->known)
		e->flags |= EBPF_FLAG_NO_OWNER;
	__builtin_memcpy(e->comm, o->comm, sizeof(e->comm));
	__builtin_memcpy(e->parent_comm, o->parent_comm, sizeof(e->parent_comm));
	return e;
}

static __always_inline void submit(struct ebpf_event *e)
{
	bpf_ringbuf_submit(e, 0);
	count(EBPF_CNT_EMITTED);
}

/*
 * Addresses and ports as the tracepoints give them (sport/dport host order).
 * The verifier refuses derived ctx pointers, so arrays go through probe_read.
 */
static __always_inline void flow_from_tp(struct ebpf_event *e, __u16 family, __u16 sport,
					 __u16 dport, const __u8 *s4, const __u8 *d4,
					 const __u8 *s6, const __u8 *d6)
{
	e->family = family;
	e->sport = sport;
	e->dport = dport;
	if (family == AF_INET) {
		bpf_probe_read_kernel(e->saddr, 4, s4);
		bpf_probe_read_kernel(e->daddr, 4, d4);
	} else {
		bpf_probe_read_kernel(e->saddr, 16, s6);
		bpf_probe_read_kernel(e->daddr, 16, d6);
	}
}

static __always_inline __u32 sock_netns(const struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

#define ETIMEDOUT 110

/*
 * What the kernel measured for the connection, from struct tcp_sock.
 * Byte counts are payload only: bytes_acked would count SYN and FIN
 * sequence space, and bytes_received counts a received FIN, which is what
 * sets SOCK_DONE before the CLOSE state change we run in.
 */
static __always_inline void tcp_metrics(struct ebpf_event *e, const struct sock *sk)
{
	const struct tcp_sock *tp = (const struct tcp_sock *)sk;
	__u64 received = BPF_CORE_READ(tp, bytes_received);
	unsigned long sk_flags = BPF_CORE_READ(sk, __sk_common.skc_flags);

	if ((sk_flags & (1ul << bpf_core_enum_value(enum sock_flags, SOCK_DONE))) && received > 0)
		received--;
	e->bytes_sent = BPF_CORE_READ(tp, bytes_sent) - BPF_CORE_READ(tp, bytes_retrans);
	e->bytes_received = received;
	e->retransmits = BPF_CORE_READ(tp, total_retrans);
	e->srtt_us = BPF_CORE_READ(tp, srtt_us) >> 3; /* kernel keeps srtt << 3 */
}

static __always_inline void on_syn_sent(__u64 key)
{
	struct owner o = {};

	owner_from_current(&o);
	o.start_ns = bpf_ktime_get_boot_ns();
	bpf_map_update_elem(&ebpfcap_owners, &key, &o, BPF_ANY);
}

/* The child socket of a listener is born here, in softirq: note its birth only. */
static __always_inline void on_passive_established(__u64 key)
{
	struct owner o = { .start_ns = bpf_ktime_get_boot_ns() };

	bpf_map_update_elem(&ebpfcap_owners, &key, &o, BPF_NOEXIST);
}

/*
 * An RST we received marked the owner already. One we send on close() with
 * unread data, SO_LINGER 0 or abort goes out after the CLOSE state change,
 * but it is the only way from ESTABLISHED or CLOSE_WAIT straight to CLOSE
 * other than a retransmission timeout.
 */
static __always_inline bool ended_by_reset(const struct owner *o, int oldstate, int err)
{
	if (o && o->reset)
		return true;
	return (oldstate == TCP_ESTABLISHED || oldstate == TCP_CLOSE_WAIT) && err != ETIMEDOUT;
}

SEC("tracepoint/sock/inet_sock_set_state")
int ebpfcap_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	const struct sock *sk = ctx->skaddr;
	__u64 key = (__u64)sk, now = bpf_ktime_get_boot_ns();
	int oldstate = ctx->oldstate, newstate = ctx->newstate;
	struct ebpf_event *e;
	struct owner *o;
	__u16 type;

	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	if (oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT) {
		on_syn_sent(key);
		return 0;
	}
	if (oldstate == TCP_SYN_RECV && newstate == TCP_ESTABLISHED) {
		on_passive_established(key);
		return 0;
	}
	if (oldstate == TCP_SYN_SENT && newstate == TCP_ESTABLISHED)
		type = EBPF_TCP_CONNECT;
	else if (oldstate == TCP_SYN_SENT && newstate == TCP_CLOSE)
		type = EBPF_TCP_CONNECT_FAILED;
	else if (newstate == TCP_CLOSE && oldstate != TCP_LISTEN)
		type = EBPF_TCP_CLOSE;
	else
		return 0;

	o = bpf_map_lookup_elem(&ebpfcap_owners, &key);
	if (!o) {
		/* Predates the capture (or was evicted): report it without an owner. */
		struct owner unknown = {};

		if (type != EBPF_TCP_CLOSE)
			return 0;
		e = reserve_event(type, &unknown);
	} else {
		e = reserve_event(type, o);
	}
	if (!e)
		goto out;
	flow_from_tp(e, ctx->family, ctx->sport, ctx->dport, ctx->saddr, ctx->daddr,
		     ctx->saddr_v6, ctx->daddr_v6);
	e->netns = sock_netns(sk);
	e->tcp_state = oldstate;
	if (type == EBPF_TCP_CONNECT && o) {
		e->latency_us = (now - o->start_ns) / 1000;
	} else if (type == EBPF_TCP_CONNECT_FAILED) {
		e->error = BPF_CORE_READ(sk, sk_err);
	} else if (type == EBPF_TCP_CLOSE) {
		tcp_metrics(e, sk);
		e->error = BPF_CORE_READ(sk, sk_err);
		if (o)
			e->duration_us = (now - o->start_ns) / 1000;
		if (ended_by_reset(o, oldstate, e->error))
			e->flags |= EBPF_FLAG_RESET;
	}
	submit(e);
out:
	if (type == EBPF_TCP_CONNECT && o)
		o->start_ns = now; /* the connection's life starts now */
	else if (type != EBPF_TCP_CONNECT)
		bpf_map_delete_elem(&ebpfcap_owners, &key);
	return 0;
}

/* Finds the struct sock behind a file descriptor of the current process. */
static __always_inline struct sock *sock_from_fd(long fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *file = NULL;
	struct socket *sock;

	if (fd < 0 || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]);
	if (!file)
		return NULL;
	sock = BPF_CORE_READ(file, private_data);
	if (!sock || BPF_CORE_READ(sock, type) != SOCK_STREAM)
		return NULL;
	return BPF_CORE_READ(sock, sk);
}

static __always_inline void flow_from_sock(struct ebpf_event *e, const struct sock *sk)
{
	e->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	e->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->dport = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	/* Sizes spelled out: BPF_CORE_READ_INTO on an array copies one element. */
	if (e->family == AF_INET) {
		bpf_core_read(e->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(e->daddr, 4, &sk->__sk_common.skc_daddr);
	} else {
		bpf_core_read(e->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(e->daddr, 16, &sk->__sk_common.skc_v6_daddr);
	}
	e->netns = sock_netns(sk);
}

static __always_inline int on_accept_return(long fd)
{
	struct sock *sk = sock_from_fd(fd);
	__u64 key = (__u64)sk;
	struct ebpf_event *e;
	struct owner *known, o = {};
	__u16 family;

	if (!sk)
		return 0;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return 0;
	owner_from_current(&o);
	known = bpf_map_lookup_elem(&ebpfcap_owners, &key);
	o.start_ns = known ? known->start_ns : bpf_ktime_get_boot_ns();
	o.reset = known ? known->reset : 0;
	bpf_map_update_elem(&ebpfcap_owners, &key, &o, BPF_ANY);

	e = reserve_event(EBPF_TCP_ACCEPT, &o);
	if (!e)
		return 0;
	flow_from_sock(e, sk);
	e->tcp_state = BPF_CORE_READ(sk, __sk_common.skc_state);
	e->srtt_us = BPF_CORE_READ((struct tcp_sock *)sk, srtt_us) >> 3;
	submit(e);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int ebpfcap_accept4(struct trace_event_raw_sys_exit *ctx)
{
	return on_accept_return(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_accept")
int ebpfcap_accept(struct trace_event_raw_sys_exit *ctx)
{
	return on_accept_return(ctx->ret);
}

/*
 * tcp_send_reset changed its layout across kernels, but skaddr has always
 * followed skbaddr right after the 8-byte common header: a fixed layout,
 * deliberately not relocated.
 */
struct reset_ctx {
	__u64 common;
	const void *skbaddr;
	const void *skaddr;
};

static __always_inline void mark_reset(const void *sk)
{
	__u64 key = (__u64)sk;
	struct owner *o = sk ? bpf_map_lookup_elem(&ebpfcap_owners, &key) : NULL;

	if (o)
		o->reset = 1;
}

SEC("tracepoint/tcp/tcp_send_reset")
int ebpfcap_rst_out(struct reset_ctx *ctx)
{
	mark_reset(ctx->skaddr);
	return 0;
}

SEC("tracepoint/tcp/tcp_receive_reset")
int ebpfcap_rst_in(struct trace_event_raw_tcp_event_sk *ctx)
{
	mark_reset(ctx->skaddr);
	return 0;
}
