// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * TLS secrets of every process using the shared OpenSSL 3.0 library
 * (libssl.so.3), read from its struct ssl_st once a handshake is done.
 *
 * Why read the structures: OpenSSL derives each secret inside static
 * functions (tls13_change_cipher_state, ssl_log_secret, nss_keylog_int)
 * that Debian's stripped library does not name, and it only logs them when
 * the program installed a keylog callback. The exported entry points are
 * stable attach points, and after the handshake struct ssl_st holds every
 * input the key log needs: client_random, the TLS 1.2 master key (in the
 * session), and for TLS 1.3 the handshake secret with its transcript hash
 * (user space derives the two handshake traffic secrets, as OpenSSL does)
 * plus the application traffic and exporter secrets themselves.
 *
 * Uprobes on the library file cover every process that maps it, also those
 * started after the capture. The handshake calls are probed on entry (the
 * SSL * is the first argument) and on return (the handshake has just
 * finished), SSL_free on entry. A connection is reported once: (process,
 * SSL *) remembers the client_random it was reported with.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "bpf/ebpf_record.h"
#include "bpf/tls_secret.h"

#define MAX_PARENT_DEPTH 16

char LICENSE[] SEC("license") = "GPL";

/* The capture's filters, as in ebpfcap.bpf.c; the pid and cgroup maps are its very maps (reused by fd). */
const volatile bool filter_pids = false;
const volatile bool filter_cgroups = false;
const volatile char filter_comm[EBPF_COMM_LEN] = {};
const volatile bool filter_by_uid = false;
const volatile __u32 filter_uid = 0;
const volatile bool cgroup_v1 = false;

#include "bpf/task_filter.bpf.h"

/* Per thread, from an entry point's entry to its return: the SSL * it works on. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64);
} tls_calls SEC(".maps");

struct conn_key {
	__u64 ssl;
	__u32 pid;
	__u32 pad;
};

struct conn_state {
	__u8 client_random[TLS_RANDOM_LEN]; /* as reported */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct conn_key);
	__type(value, struct conn_state);
} tls_conns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1024 * 1024);
} tls_secrets SEC(".maps");

/* Secrets the ring buffer had no room for: user space reports them. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} tls_lost SEC(".maps");

/* ---- whose secrets the capture takes (same rules as ebpfcap.bpf.c) ---- */

static __always_inline bool current_wanted(void)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	char comm[TLS_COMM_LEN];

	if (filter_pids && !bpf_map_lookup_elem(&ebpfcap_pids, &pid))
		return false;
	if (filter_comm[0]) {
		bpf_get_current_comm(comm, sizeof(comm));
		if (!comm_wanted(comm))
			return false;
	}
	if (filter_by_uid && (__u32)bpf_get_current_uid_gid() != filter_uid)
		return false;
	if (filter_cgroups && !cgroup_wanted(task_cgroup_kn(task)))
		return false;
	return true;
}

/* ---- reading struct ssl_st ---- */

static __always_inline bool handshake_done(__u64 ssl)
{
	__s32 hand_state = 0, in_init = 1;

	bpf_probe_read_user(&hand_state, sizeof(hand_state), (void *)(ssl + SSL_ST_HAND_STATE));
	bpf_probe_read_user(&in_init, sizeof(in_init), (void *)(ssl + SSL_ST_IN_INIT));
	return in_init == 0 && hand_state == TLS_ST_OK_VALUE;
}

static __always_inline bool same_random(const __u8 *a, const __u8 *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3];
}

static __always_inline void fill_session(struct tls_secret_event *e, __u64 ssl)
{
	__u64 session = 0, cipher = 0;
	__u64 key_len = 0;

	bpf_probe_read_user(&session, sizeof(session), (void *)(ssl + SSL_ST_SESSION));
	if (!session)
		return;
	bpf_probe_read_user(&key_len, sizeof(key_len), (void *)(session + SSL_SESSION_MASTER_KEY_LENGTH));
	if (key_len > TLS_MASTER_KEY_LEN)
		key_len = TLS_MASTER_KEY_LEN;
	e->master_key_len = (__u32)key_len;
	bpf_probe_read_user(e->master_key, TLS_MASTER_KEY_LEN, (void *)(session + SSL_SESSION_MASTER_KEY));
	bpf_probe_read_user(&cipher, sizeof(cipher), (void *)(session + SSL_SESSION_CIPHER));
	if (cipher)
		bpf_probe_read_user(&e->cipher_id, sizeof(e->cipher_id), (void *)(cipher + SSL_CIPHER_ID));
}

/* Reports ssl's secrets if its handshake is done and this handshake was not reported yet. */
static __always_inline void report(__u64 ssl)
{
	struct conn_key key = { .ssl = ssl, .pid = bpf_get_current_pid_tgid() >> 32 };
	struct conn_state reported, *st;
	struct tls_secret_event *e;
	__u8 random[TLS_RANDOM_LEN];
	__u64 id = bpf_get_current_pid_tgid();

	if (!handshake_done(ssl) ||
	    bpf_probe_read_user(random, sizeof(random), (void *)(ssl + SSL_ST_CLIENT_RANDOM)) < 0)
		return;
	st = bpf_map_lookup_elem(&tls_conns, &key);
	if (st && same_random(st->client_random, random))
		return;
	e = bpf_ringbuf_reserve(&tls_secrets, sizeof(*e), 0);
	if (!e) {
		__u32 zero = 0;
		__u64 *lost = bpf_map_lookup_elem(&tls_lost, &zero);

		if (lost)
			(*lost)++;
		return;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->timestamp_ns = bpf_ktime_get_boot_ns();
	e->ssl = ssl;
	e->pid = id >> 32;
	e->tid = (__u32)id;
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->cgroup_id = BPF_CORE_READ(task_cgroup_kn((struct task_struct *)bpf_get_current_task()), id);
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	__builtin_memcpy(e->client_random, random, sizeof(random));
	bpf_probe_read_user(&e->version, sizeof(e->version), (void *)(ssl + SSL_ST_VERSION));
	bpf_probe_read_user(&e->is_server, sizeof(e->is_server), (void *)(ssl + SSL_ST_SERVER));
	fill_session(e, ssl);
	bpf_probe_read_user(e->block, sizeof(e->block), (void *)(ssl + TLS_SECRET_BLOCK_START));
	bpf_ringbuf_submit(e, 0);

	__builtin_memcpy(reported.client_random, random, sizeof(random));
	bpf_map_update_elem(&tls_conns, &key, &reported, BPF_ANY);
}

/* SSL_do_handshake, SSL_connect, SSL_accept on entry: the return probe needs the SSL *. */
SEC("uprobe")
int BPF_KPROBE(ebpfcap_tls_in, void *ssl_ptr) /* BPF_UPROBE is newer than Debian 12's libbpf */
{
	__u64 ssl = (__u64)ssl_ptr;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (!ssl || !current_wanted())
		return 0;
	bpf_map_update_elem(&tls_calls, &tid, &ssl, BPF_ANY);
	report(ssl);
	return 0;
}

/* ... and on return: the handshake has just finished (or is under way: WANT_READ). */
SEC("uretprobe")
int BPF_KRETPROBE(ebpfcap_tls_out)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *ssl = bpf_map_lookup_elem(&tls_calls, &tid);

	if (ssl)
		report(*ssl);
	return 0;
}

/*
 * SSL_free, on entry: the last word on a connection whose handshake ran
 * inside SSL_read/SSL_write (no SSL_connect, SSL_accept or SSL_do_handshake
 * call, which is rare). Its keys come late, after its packets: Wireshark
 * uses them on a second pass (tshark -2, a reload). SSL_read and SSL_write
 * themselves are not probed: they run per record, and a uprobe costs a trap
 * (bench/tls.sh).
 */
SEC("uprobe")
int BPF_KPROBE(ebpfcap_tls_free, void *ssl_ptr)
{
	struct conn_key key = { .ssl = (__u64)ssl_ptr, .pid = bpf_get_current_pid_tgid() >> 32 };

	if (!ssl_ptr || !current_wanted())
		return 0;
	report(key.ssl);
	bpf_map_delete_elem(&tls_conns, &key);
	return 0;
}
