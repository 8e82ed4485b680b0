// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ebpfcap kernel side: TCP and UDP events from tracepoints only (kprobes and
 * fentry are unavailable on the machines we target), each attributed to the
 * process that did the thing, never to whoever is on the CPU in softirq.
 *
 * How attribution works:
 *  - connect(): the CLOSE -> SYN_SENT state change runs in the connecting
 *    process, so that is where we remember the owner of the socket. The
 *    SYN_SENT -> ESTABLISHED step runs in softirq and uses the remembered owner.
 *  - accept(): the socket is born in softirq; sys_exit_accept{,4} runs in the
 *    accepting process and finds the socket from the returned fd.
 *  - close and retransmit: whoever owned the socket, wherever it happens.
 *  - UDP: sock_{send,recv}_length run in the sending/receiving process; the
 *    peer of an unconnected socket comes from the cgroup sock_addr hooks
 *    (sendmsg4/6, recvmsg4/6) that run earlier in the same call.
 *
 * Filters run in process context, where the process is known, and their
 * verdict travels with the owner: a filtered-out event never reserves
 * ring-buffer space.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "bpf/ebpf_maps.h"

#define AF_INET 2
#define AF_INET6 10
#define SOCK_STREAM 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define ETIMEDOUT 110
#define MAX_SOCKETS 65536
#define MAX_UDP_FLOWS 16384

char LICENSE[] SEC("license") = "GPL";

/* Programs and maps are named ebpfcap_*: `bpftool prog show` tells ours apart. */

/* Set by the loader before load; zero means "no filter". */
const volatile __u32 event_type_mask = 0xffffffff;
const volatile bool filter_pids = false;    /* only pids in ebpfcap_pids (and their children) */
const volatile bool filter_cgroups = false; /* only cgroups in ebpfcap_cgroups or below */
const volatile char filter_comm[EBPF_COMM_LEN] = {};
const volatile bool filter_by_uid = false;  /* only processes whose real uid is filter_uid */
const volatile __u32 filter_uid = 0;        /* (uid 0 is a filter too, hence the flag) */
const volatile __u16 filter_port = 0;       /* local or remote */
const volatile __u16 filter_family = 0;
const volatile bool cgroup_v1 = false;      /* ids from the v1 memory controller */

/* Socket owners; entries are deleted on close, LRU bounds a missed close. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_SOCKETS);
	__type(key, __u64); /* struct sock * */
	__type(value, struct ebpf_owner);
} ebpfcap_owners SEC(".maps");

/* Not LRU: a flow evicted silently would lose counts. Full means per-datagram events. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_UDP_FLOWS);
	__type(key, struct ebpf_udp_key);
	__type(value, struct ebpf_udp_flow);
} ebpfcap_udp SEC(".maps");

/*
 * The peer of a datagram on an unconnected socket, per thread: the cgroup
 * sock_addr hooks see the address udp_sendmsg() sends to and the one
 * udp_recvmsg() hands back, inside the same call, before
 * sock_{send,recv}_length runs. The socket's cookie ties it to its socket,
 * so a note left over (a call that failed after the hook) never names the
 * peer of another socket.
 */
struct udp_peer {
	__u64 cookie;
	__u16 family;
	__u16 port;
	__u8 addr[16];
};

/* Task storage: one slot per thread, gone with it, no lookup by key. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct udp_peer);
} ebpfcap_udppeer SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024); /* resized by the loader */
} ebpfcap_events SEC(".maps");

/* Drained before ebpfcap_events, so a process's exec note precedes its events. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} ebpfcap_execs SEC(".maps");

/* Per-CPU counters read by user space. */
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

/* ---- process context: who, and does the capture want them ---- */

#include "bpf/task_filter.bpf.h"

static __always_inline bool process_wanted(const struct ebpf_owner *o, struct kernfs_node *kn)
{
	if (filter_pids && !bpf_map_lookup_elem(&ebpfcap_pids, &o->pid))
		return false;
	if (filter_comm[0] && !comm_wanted(o->comm))
		return false;
	if (filter_by_uid && o->uid != filter_uid)
		return false;
	if (filter_cgroups && !cgroup_wanted(kn))
		return false;
	return true;
}

static __always_inline void owner_from_current(struct ebpf_owner *o)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct task_struct *parent = BPF_CORE_READ(task, real_parent);
	struct kernfs_node *kn = task_cgroup_kn(task);
	__u64 id = bpf_get_current_pid_tgid();
	__u64 ugid = bpf_get_current_uid_gid();

	o->pid = id >> 32;
	o->tid = (__u32)id;
	o->uid = (__u32)ugid;
	o->gid = ugid >> 32;
	o->ppid = BPF_CORE_READ(parent, tgid);
	o->cgroup_id = BPF_CORE_READ(kn, id);
	o->mm = (__u64)BPF_CORE_READ(task, mm);
	o->known = 1;
	/* Names as /proc/PID/comm has them: the process's, not the calling thread's. */
	BPF_CORE_READ_STR_INTO(&o->comm, task, group_leader, comm);
	BPF_CORE_READ_STR_INTO(&o->parent_comm, parent, group_leader, comm);
	bpf_get_current_comm(o->thread_comm, sizeof(o->thread_comm));
	o->wanted = process_wanted(o, kn);
}

/* ---- events ---- */


/*
 * Checks everything but the flow (known only later for some events) and
 * reserves. Owners we never saw in process context (sockets that predate the
 * capture) pass only an unfiltered capture.
 */
static __always_inline struct ebpf_event *reserve_event(__u16 type, const struct ebpf_owner *o)
{
	struct ebpf_event *e;
	bool unfiltered = !filter_pids && !filter_comm[0] && !filter_cgroups && !filter_by_uid;

	if (!(event_type_mask & (1u << type)) || !(o->known ? o->wanted : unfiltered)) {
		count(EBPF_CNT_FILTERED);
		return NULL;
	}
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
	__builtin_memcpy(e->thread_comm, o->thread_comm, sizeof(e->thread_comm));
	e->acceptor_pid = o->acceptor_pid;
	__builtin_memcpy(e->acceptor_comm, o->acceptor_comm, sizeof(e->acceptor_comm));
	return e;
}

/* --family and --port, on what a socket or a UDP flow says. */
static __always_inline bool ports_wanted(__u16 family, __u16 sport, __u16 dport)
{
	if (filter_family && family != filter_family)
		return false;
	if (filter_port && sport != filter_port && dport != filter_port)
		return false;
	return true;
}

static __always_inline bool flow_wanted(const struct ebpf_event *e)
{
	return ports_wanted(e->family, e->sport, e->dport);
}

/*
 * The flow filter on the socket itself, before anything is reserved: a
 * capture of one port counts as lost only events of that port. The same
 * fields flow_from_sock() reads.
 */
static __always_inline bool sock_wanted(const struct sock *sk)
{
	if (!filter_family && !filter_port)
		return true;
	return ports_wanted(BPF_CORE_READ(sk, __sk_common.skc_family),
			    __builtin_bswap16(BPF_CORE_READ((struct inet_sock *)sk, inet_sport)),
			    __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport)));
}

/* reserve_event() for an event of a socket: every filter runs before the reservation. */
static __always_inline struct ebpf_event *reserve_sock_event(__u16 type, const struct ebpf_owner *o,
							     const struct sock *sk)
{
	if (!sock_wanted(sk)) {
		count(EBPF_CNT_FILTERED);
		return NULL;
	}
	return reserve_event(type, o);
}

/* The flow filter needs the addresses, so it runs once they are filled in. */
static __always_inline void submit(struct ebpf_event *e)
{
	if (!flow_wanted(e)) {
		bpf_ringbuf_discard(e, BPF_RB_NO_WAKEUP);
		count(EBPF_CNT_FILTERED);
		return;
	}
	bpf_ringbuf_submit(e, 0);
	count(EBPF_CNT_EMITTED);
}

/* ---- reading sockets ---- */

static __always_inline __u32 sock_netns(const struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
}

/* The interface the connection's route leaves by, where the socket caches one. */
static __always_inline __u32 sock_ifindex(const struct sock *sk)
{
	__u32 bound = BPF_CORE_READ(sk, __sk_common.skc_bound_dev_if);

	return bound ? bound : BPF_CORE_READ(sk, sk_dst_cache, dev, ifindex);
}

/*
 * Local and remote address and port of a socket (a socket not connected has
 * no remote one: 0). Sizes spelled out: BPF_CORE_READ_INTO on an array
 * copies one element.
 */
static __always_inline void sock_ends(const struct sock *sk, __u16 family, __u16 *sport, __u16 *dport,
				      __u8 *saddr, __u8 *daddr)
{
	/* inet_sport, not skc_num: closing unhashes the port before the tracepoint runs. */
	*sport = __builtin_bswap16(BPF_CORE_READ((struct inet_sock *)sk, inet_sport));
	*dport = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == AF_INET) {
		bpf_core_read(saddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(daddr, 4, &sk->__sk_common.skc_daddr);
	} else {
		bpf_core_read(saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(daddr, 16, &sk->__sk_common.skc_v6_daddr);
	}
}

static __always_inline void flow_from_sock(struct ebpf_event *e, const struct sock *sk)
{
	e->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	sock_ends(sk, e->family, &e->sport, &e->dport, e->saddr, e->daddr);
	e->netns = sock_netns(sk);
	e->ifindex = sock_ifindex(sk);
}

/*
 * Payload bytes the peer acknowledged. bytes_acked counts sequence space:
 * our SYN when we opened actively (a passive child starts past it) and our
 * FIN once acked, which is what FIN_WAIT2, CLOSING and LAST_ACK mean.
 * bytes_sent is no substitute: it counts attempts a local qdisc dropped,
 * which TCP sends again as new data.
 */
static __always_inline __u64 payload_acked(const struct tcp_sock *tp, const struct ebpf_owner *o, int oldstate)
{
	__u64 acked = BPF_CORE_READ(tp, bytes_acked);
	__u64 control = o->active ? 1 : 0;

	if (!o->known)
		return BPF_CORE_READ(tp, bytes_sent) - BPF_CORE_READ(tp, bytes_retrans);
	if (oldstate == TCP_FIN_WAIT2 || oldstate == TCP_CLOSING || oldstate == TCP_LAST_ACK)
		control++;
	return acked > control ? acked - control : 0;
}

/*
 * What the kernel measured for the connection, from struct tcp_sock.
 * bytes_received counts a received FIN, which is what sets SOCK_DONE
 * before the CLOSE state change we run in.
 */
static __always_inline void tcp_metrics(struct ebpf_event *e, const struct sock *sk,
					const struct ebpf_owner *o, int oldstate)
{
	const struct tcp_sock *tp = (const struct tcp_sock *)sk;
	__u64 received = BPF_CORE_READ(tp, bytes_received);
	unsigned long sk_flags = BPF_CORE_READ(sk, __sk_common.skc_flags);

	if ((sk_flags & (1ul << bpf_core_enum_value(enum sock_flags, SOCK_DONE))) && received > 0)
		received--;
	e->bytes_sent = payload_acked(tp, o, oldstate);
	e->bytes_received = received;
	e->retransmits = BPF_CORE_READ(tp, total_retrans);
	e->srtt_us = BPF_CORE_READ(tp, srtt_us) >> 3; /* kernel keeps srtt << 3 */
}

/* ---- TCP ---- */

static __always_inline void on_syn_sent(__u64 key)
{
	struct ebpf_owner o = {};

	owner_from_current(&o);
	o.start_ns = bpf_ktime_get_boot_ns();
	o.active = 1;
	bpf_map_update_elem(&ebpfcap_owners, &key, &o, BPF_ANY);
}

/*
 * listen(): the process that will serve the port, known before its first
 * accept() (a connection waits in the queue, and its packets flow, before
 * that). tcp_state says LISTEN, as a snapshot's listener does.
 */
static __always_inline void on_listen(const struct sock *sk)
{
	struct ebpf_owner o = {};
	struct ebpf_event *e;

	owner_from_current(&o);
	e = reserve_sock_event(EBPF_TCP_LISTEN, &o, sk);
	if (!e)
		return;
	flow_from_sock(e, sk);
	e->tcp_state = TCP_LISTEN;
	submit(e);
}

/* The child socket of a listener is born here, in softirq: note its birth only. */
static __always_inline void on_passive_established(__u64 key)
{
	struct ebpf_owner o = { .start_ns = bpf_ktime_get_boot_ns() };

	bpf_map_update_elem(&ebpfcap_owners, &key, &o, BPF_NOEXIST);
}

/*
 * An RST we received marked the owner already. One we send on close() with
 * unread data, SO_LINGER 0 or abort goes out after the CLOSE state change,
 * but it is the only way from ESTABLISHED or CLOSE_WAIT straight to CLOSE
 * other than a retransmission timeout.
 */
static __always_inline bool ended_by_reset(const struct ebpf_owner *o, int oldstate, int err)
{
	if (o->reset)
		return true;
	return (oldstate == TCP_ESTABLISHED || oldstate == TCP_CLOSE_WAIT) && err != ETIMEDOUT;
}

static __noinline void emit_state_change(__u16 type, const struct sock *sk, const struct ebpf_owner *o,
					      int oldstate, __u64 now)
{
	struct ebpf_event *e = reserve_sock_event(type, o, sk);

	if (!e)
		return;
	flow_from_sock(e, sk);
	e->tcp_state = oldstate;
	if (type == EBPF_TCP_CONNECT) {
		e->latency_us = (now - o->start_ns) / 1000;
	} else if (type == EBPF_TCP_CONNECT_FAILED) {
		e->error = BPF_CORE_READ(sk, sk_err);
	} else {
		tcp_metrics(e, sk, o, oldstate);
		e->error = BPF_CORE_READ(sk, sk_err);
		if (o->known || o->start_ns)
			e->duration_us = (now - o->start_ns) / 1000;
		if (ended_by_reset(o, oldstate, e->error))
			e->flags |= EBPF_FLAG_RESET;
	}
	submit(e);
}

/* ---- handoff: ownership follows the process that uses the socket ---- */

/*
 * The current process uses a socket another one held: after fork (the
 * parent closed its copy, the child serves), exec (same pid, new program)
 * or a descriptor passed over a unix socket. From now on its events name
 * the new holder, and TCP_Handoff says so. It is shown when the capture
 * wants either side; later events follow the new holder's verdict.
 */
/*
 * hand_over()'s working copy of an owner: beside its caller's frame it does
 * not fit the 512-byte stack. One slot per calling program: a raw tracepoint
 * program never runs twice at once on a CPU, so no two runs share a slot.
 */
enum scratch_slot { SCRATCH_STATE, SCRATCH_UDP_TX, SCRATCH_UDP_RX, SCRATCH_SLOTS };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SCRATCH_SLOTS);
	__type(key, __u32);
	__type(value, struct ebpf_owner);
} ebpfcap_scratch SEC(".maps");

static __noinline int hand_over(const struct sock *sk, __u64 key, const struct ebpf_owner *held, __u32 slot)
{
	struct ebpf_owner *now = bpf_map_lookup_elem(&ebpfcap_scratch, &slot);
	__u32 prev_pid = held->pid;
	char prev_comm[EBPF_COMM_LEN];
	__u8 prev_wanted = held->wanted;
	struct ebpf_event *e;

	if (!now)
		return 0;
	*now = *held; /* a copy: the LRU map may reuse the old value */
	__builtin_memcpy(prev_comm, held->comm, sizeof(prev_comm));
	owner_from_current(now); /* keeps start_ns, reset, active and the acceptor */
	bpf_map_update_elem(&ebpfcap_owners, &key, now, BPF_EXIST);
	now->wanted |= prev_wanted; /* for this event only */
	e = reserve_sock_event(EBPF_TCP_HANDOFF, now, sk);
	if (!e)
		return 0;
	flow_from_sock(e, sk);
	e->tcp_state = BPF_CORE_READ(sk, __sk_common.skc_state);
	tcp_metrics(e, sk, now, e->tcp_state); /* what the connection carried until now */
	e->prev_pid = prev_pid;
	__builtin_memcpy(e->prev_comm, prev_comm, sizeof(e->prev_comm));
	submit(e);
	return 0;
}

/*
 * Called in process context wherever a process uses a TCP socket. The
 * common case, the same process again, costs one lookup and a compare.
 */
static __always_inline int follow_holder(const struct sock *sk, __u32 slot)
{
	__u64 key = (__u64)sk;
	struct ebpf_owner *o = bpf_map_lookup_elem(&ebpfcap_owners, &key);
	struct task_struct *task;

	if (!o || !o->known)
		return 0; /* not ours, or accepted but not yet accept()ed */
	task = bpf_get_current_task_btf();
	/* No mm: a process exiting closes its files after dropping its memory; it is no new program. */
	if (o->pid == bpf_get_current_pid_tgid() >> 32 && (o->mm == (__u64)task->mm || !task->mm))
		return 0;
	return hand_over(sk, key, o, slot);
}

/*
 * Whether the closing process changes the state, not a timer or a packet in
 * softirq. Only close() and shutdown() lead to FIN_WAIT1 and LAST_ACK. To
 * CLOSE (an abortive close()) a process goes holding the socket's lock;
 * softirq never changes the state of a socket a process holds (it queues
 * the packet for the lock's holder), so "owned" means the current process.
 */
static __always_inline bool closed_by_current(const struct sock *sk, int newstate)
{
	if (newstate == TCP_FIN_WAIT1 || newstate == TCP_LAST_ACK)
		return true;
	return newstate == TCP_CLOSE && BPF_CORE_READ(sk, sk_lock.owned);
}

/*
 * Raw tracepoints, not classic ones: a classic tracepoint program is skipped
 * whenever any other tracing program runs on the CPU (one per-CPU guard for
 * all of them); a raw one only when this same program is already running
 * there. Their arguments are the TP_PROTO ones, read with CO-RE.
 */
SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(ebpfcap_state, const struct sock *sk, const int oldstate, const int newstate)
{
	__u64 key = (__u64)sk, now = bpf_ktime_get_boot_ns();
	struct ebpf_owner owner = {}, *o;
	__u16 type;

	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	if (closed_by_current(sk, newstate))
		follow_holder(sk, SCRATCH_STATE);
	if (oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT) {
		on_syn_sent(key);
		return 0;
	}
	if (oldstate == TCP_SYN_RECV && newstate == TCP_ESTABLISHED) {
		on_passive_established(key);
		return 0;
	}
	if (oldstate == TCP_CLOSE && newstate == TCP_LISTEN) {
		on_listen(sk);
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
	if (!o && type != EBPF_TCP_CLOSE)
		return 0; /* the handshake began before the capture */
	if (o)
		owner = *o; /* a stack copy: the verifier refuses maybe-null pointer games */
	emit_state_change(type, sk, &owner, oldstate, now);
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

static __always_inline int on_accept_return(long fd)
{
	struct sock *sk = sock_from_fd(fd);
	__u64 key = (__u64)sk;
	struct ebpf_event *e;
	struct ebpf_owner *born, o = {};
	__u16 family;

	if (!sk)
		return 0;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return 0;
	owner_from_current(&o);
	born = bpf_map_lookup_elem(&ebpfcap_owners, &key);
	o.start_ns = born ? born->start_ns : bpf_ktime_get_boot_ns();
	o.reset = born ? born->reset : 0;
	o.acceptor_pid = o.pid;
	__builtin_memcpy(o.acceptor_comm, o.comm, sizeof(o.comm));
	bpf_map_update_elem(&ebpfcap_owners, &key, &o, BPF_ANY);

	e = reserve_sock_event(EBPF_TCP_ACCEPT, &o, sk);
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

SEC("raw_tp/tcp_receive_reset")
int BPF_PROG(ebpfcap_rst_in, const struct sock *sk)
{
	__u64 key = (__u64)sk;
	struct ebpf_owner *o = bpf_map_lookup_elem(&ebpfcap_owners, &key);

	if (o)
		o->reset = 1;
	return 0;
}

/*
 * Since 6.x the tracepoint also fires for attempts that failed, with err set
 * (its third argument; the classic event's err field says the kernel has it).
 */
static __always_inline bool retransmit_failed(__u64 *ctx)
{
	return bpf_core_field_exists(struct trace_event_raw_tcp_retransmit_skb, err) && (int)ctx[2] != 0;
}

SEC("raw_tp/tcp_retransmit_skb")
int BPF_PROG(ebpfcap_retrans, const struct sock *sk)
{
	__u64 key = (__u64)sk;
	struct ebpf_owner owner = {}, *o = bpf_map_lookup_elem(&ebpfcap_owners, &key);
	struct ebpf_event *e;

	if (retransmit_failed(ctx))
		return 0; /* nothing left the host */
	if (o)
		owner = *o;
	e = reserve_sock_event(EBPF_TCP_RETRANSMIT, &owner, sk);
	if (!e)
		return 0;
	flow_from_sock(e, sk);
	e->tcp_state = BPF_CORE_READ(sk, __sk_common.skc_state);
	/* Already counts this one: total_retrans grows before the tracepoint fires. */
	e->retransmits = BPF_CORE_READ((struct tcp_sock *)sk, total_retrans);
	e->srtt_us = BPF_CORE_READ((struct tcp_sock *)sk, srtt_us) >> 3;
	submit(e);
	return 0;
}

/* ---- UDP ---- */

/*
 * The peer a sock_addr hook noted for this thread's call on this socket, if
 * any (sendto()/sendmsg() with an address, recvfrom()/recvmsg() asking for
 * one). A v4 address sent to from a v6 socket (v4-mapped, which the kernel
 * passes to the v4 hook) is written back as the socket's own family has it.
 */
static __always_inline void peer_from_hook(struct ebpf_udp_key *k, const struct sock *sk)
{
	struct udp_peer *p = bpf_task_storage_get(&ebpfcap_udppeer, bpf_get_current_task_btf(), 0, 0);

	if (!p || !p->cookie)
		return;
	if (p->cookie == BPF_CORE_READ(sk, __sk_common.skc_cookie.counter)) {
		k->dport = p->port;
		if (p->family == k->family) {
			__builtin_memcpy(k->daddr, p->addr, 16);
		} else if (p->family == AF_INET && k->family == AF_INET6) {
			__builtin_memset(k->daddr, 0, 10);
			k->daddr[10] = k->daddr[11] = 0xff;
			__builtin_memcpy(&k->daddr[12], p->addr, 4);
		}
	}
	p->cookie = 0; /* consumed */
}

/*
 * Connected: the socket knows its peer, unless the call named another.
 * Unconnected: only the call knows it, and a recv() that asks for no
 * address leaves the peer unknown (0), as it leaves it to the program.
 */
static __always_inline void udp_key_from_sock(struct ebpf_udp_key *k, const struct sock *sk, __u16 type)
{
	k->type = type;
	k->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	k->netns = sock_netns(sk);
	sock_ends(sk, k->family, &k->sport, &k->dport, k->saddr, k->daddr);
	peer_from_hook(k, sk);
}

static __always_inline void emit_udp(const struct ebpf_udp_key *k, const struct ebpf_owner *o, __u32 bytes)
{
	struct ebpf_event *e = reserve_event(k->type, o);

	if (!e)
		return;
	e->proto = IPPROTO_UDP;
	e->family = k->family;
	e->sport = k->sport;
	e->dport = k->dport;
	e->netns = k->netns;
	__builtin_memcpy(e->saddr, k->saddr, 16);
	__builtin_memcpy(e->daddr, k->daddr, 16);
	e->packets = 1;
	if (k->type == EBPF_UDP_SEND)
		e->bytes_sent = bytes;
	else
		e->bytes_received = bytes;
	submit(e);
}

/*
 * The first datagram of a flow is reported at once; later ones are summed
 * here (from zero, so a sweep never counts the first twice) and reported by
 * user space once per interval. If the table is full, every datagram is
 * reported on its own rather than lost from the counts.
 */
static __always_inline bool add_to_flow(const struct ebpf_udp_key *k, __u32 bytes, __u64 now)
{
	struct ebpf_udp_flow *f = bpf_map_lookup_elem(&ebpfcap_udp, k);

	if (!f)
		return false;
	__sync_fetch_and_add(&f->packets, 1);
	__sync_fetch_and_add(&f->bytes, bytes);
	f->last_ns = now;
	return true;
}

/* The first datagram of a flow: the owner, the filters, the table, the event. */
static __noinline int new_udp_flow(struct ebpf_udp_key *k, __u32 bytes, __u64 now)
{
	struct ebpf_udp_flow fresh = {};

	owner_from_current(&fresh.owner);
	if (!fresh.owner.wanted || !(event_type_mask & (1u << k->type)) ||
	    !ports_wanted(k->family, k->sport, k->dport)) {
		count(EBPF_CNT_FILTERED);
		return 0;
	}
	fresh.owner.start_ns = now;
	fresh.last_ns = now;
	if (bpf_map_update_elem(&ebpfcap_udp, k, &fresh, BPF_NOEXIST) == -17 /* EEXIST */) {
		add_to_flow(k, bytes, now); /* another CPU inserted it first */
		return 0;
	}
	if (!bpf_map_lookup_elem(&ebpfcap_udp, k))
		count(EBPF_CNT_UDP_UNTRACKED);
	emit_udp(k, &fresh.owner, bytes);
	return 0;
}

/*
 * The common case, a flow already in the table, costs one lookup: the
 * owner is read only for a new flow (the key's pid is all a known one needs).
 */
static __always_inline void account_udp(struct ebpf_udp_key *k, __u32 bytes)
{
	__u64 now = bpf_ktime_get_boot_ns();

	k->pid = bpf_get_current_pid_tgid() >> 32;
	if (!add_to_flow(k, bytes, now))
		new_udp_flow(k, bytes, now);
}

/*
 * sock_{send,recv}_length: raw tracepoints in the calling process, after the
 * protocol's sendmsg/recvmsg, with its result. They replace the syscall
 * tracepoints (sys_enter/exit_sendto and co.), whose mere presence sends
 * every syscall of every task through the tracing slow path.
 */
SEC("raw_tp/sock_send_length")
int BPF_PROG(ebpfcap_udp_tx, const struct sock *sk, int ret)
{
	struct ebpf_udp_key k = {};
	__u16 proto = BPF_CORE_READ(sk, sk_protocol);

	if (proto == IPPROTO_TCP)
		return follow_holder(sk, SCRATCH_UDP_TX);
	if (proto != IPPROTO_UDP)
		return 0;
	udp_key_from_sock(&k, sk, EBPF_UDP_SEND); /* consumes the hook's note, also of a failed call */
	if (ret > 0)
		account_udp(&k, ret);
	return 0;
}

SEC("raw_tp/sock_recv_length")
int BPF_PROG(ebpfcap_udp_rx, const struct sock *sk, int ret)
{
	struct ebpf_udp_key k = {};
	__u16 proto = BPF_CORE_READ(sk, sk_protocol);

	if (proto == IPPROTO_TCP)
		return follow_holder(sk, SCRATCH_UDP_RX);
	if (proto != IPPROTO_UDP)
		return 0;
	udp_key_from_sock(&k, sk, EBPF_UDP_RECV);
	if (ret > 0)
		account_udp(&k, ret);
	return 0;
}

/*
 * cgroup sock_addr hooks, attached to the cgroup v2 root by the loader:
 * they see the address of each datagram sent to or received from a peer
 * the socket is not connected to. They only note it; every datagram passes
 * (1), its address unchanged.
 */
static __always_inline int note_peer(struct bpf_sock_addr *ctx, __u16 family)
{
	struct udp_peer *p = bpf_task_storage_get(&ebpfcap_udppeer, bpf_get_current_task_btf(), 0,
						  BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (!p)
		return 1;
	p->cookie = bpf_get_socket_cookie(ctx);
	p->family = family;
	p->port = __builtin_bswap16((__u16)ctx->user_port);
	if (family == AF_INET) {
		__u32 ip = ctx->user_ip4;

		/* the thread's slot may still hold an IPv6 peer: zero its tail */
		__builtin_memset(p->addr, 0, sizeof(p->addr));
		__builtin_memcpy(p->addr, &ip, 4);
	} else {
		__u32 ip[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2], ctx->user_ip6[3] };

		__builtin_memcpy(p->addr, ip, 16);
	}
	return 1;
}

SEC("cgroup/sendmsg4")
int ebpfcap_udptx4(struct bpf_sock_addr *ctx)
{
	return note_peer(ctx, AF_INET);
}

SEC("cgroup/sendmsg6")
int ebpfcap_udptx6(struct bpf_sock_addr *ctx)
{
	return note_peer(ctx, AF_INET6);
}

SEC("cgroup/recvmsg4")
int ebpfcap_udprx4(struct bpf_sock_addr *ctx)
{
	return note_peer(ctx, AF_INET);
}

SEC("cgroup/recvmsg6")
int ebpfcap_udprx6(struct bpf_sock_addr *ctx)
{
	return note_peer(ctx, AF_INET6);
}

/* ---- processes ---- */

/* Children of followed processes are followed too (--pid, and `-- CMD`). */
SEC("raw_tp/sched_process_fork")
int BPF_PROG(ebpfcap_fork, struct task_struct *forker, struct task_struct *new_task)
{
	/* forker is the forking thread; the map holds processes. */
	__u32 parent = bpf_get_current_pid_tgid() >> 32, child = BPF_CORE_READ(new_task, pid);
	__u8 yes = 1;

	if (filter_pids && bpf_map_lookup_elem(&ebpfcap_pids, &parent))
		bpf_map_update_elem(&ebpfcap_pids, &child, &yes, BPF_ANY);
	return 0;
}

/*
 * A followed process stops being followed when its last thread exits: the
 * map stays small in a long capture, and its pid, once reused by another
 * process, is not followed. signal->live is already counted down here.
 * (Fork also put each new thread's id in the map: it goes with the thread.)
 */
SEC("raw_tp/sched_process_exit")
int ebpfcap_exit(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u64 id = bpf_get_current_pid_tgid();
	__u32 pid = id >> 32, tid = (__u32)id;

	if (!filter_pids)
		return 0;
	if (tid != pid)
		bpf_map_delete_elem(&ebpfcap_pids, &tid);
	if (BPF_CORE_READ(task, signal, live.counter) == 0)
		bpf_map_delete_elem(&ebpfcap_pids, &pid);
	return 0;
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(ebpfcap_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	struct ebpf_exec_note *n = bpf_ringbuf_reserve(&ebpfcap_execs, sizeof(*n), 0);

	if (!n) {
		count(EBPF_CNT_NOTES_LOST);
		return 0;
	}
	n->pid = bpf_get_current_pid_tgid() >> 32;
	n->ppid = BPF_CORE_READ((struct task_struct *)bpf_get_current_task(), real_parent, tgid);
	bpf_probe_read_kernel_str(n->path, sizeof(n->path), BPF_CORE_READ(bprm, filename));
	bpf_ringbuf_submit(n, 0);
	return 0;
}
