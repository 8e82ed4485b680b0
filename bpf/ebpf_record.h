/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one record definition shared by every piece of ebpfcap: the BPF
 * programs fill struct ebpf_event, user space adds the enrichment strings,
 * the pcapng writer and the ZMQ transport carry the encoded bytes, and the
 * dissector decodes them.  docs/FORMAT.md describes the same bytes; a test
 * checks that the two agree.
 *
 * Wire record (all integers little-endian):
 *   0  u8  major       incompatible changes bump it; readers refuse others
 *   1  u8  minor       append-only changes bump it
 *   2  u16 fixed_len   bytes of struct ebpf_event that follow the header
 *   4  u32 total_len   whole record: header + fixed part + TLVs
 *   8  struct ebpf_event (fixed_len bytes; readers skip what they don't know)
 *   .. TLVs: u16 tag, u16 len, len bytes (strings NUL-terminated within len)
 */
#ifndef EBPF_RECORD_H
#define EBPF_RECORD_H

#define EBPF_RECORD_MAJOR 1
#define EBPF_RECORD_MINOR 1
#define EBPF_RECORD_HEADER_LEN 8
#define EBPF_TLV_HEADER_LEN 4
#define EBPF_COMM_LEN 16
/* The fixed part of a 1.0 record: what every reader of major 1 can count on. */
#define EBPF_FIXED_LEN_1_0 176

/* Event types: the values of ebpf.type, stable once released. */
enum ebpf_event_type {
	EBPF_TCP_CONNECT = 1,
	EBPF_TCP_CONNECT_FAILED = 2,
	EBPF_TCP_ACCEPT = 3,
	EBPF_TCP_CLOSE = 4,
	EBPF_TCP_RETRANSMIT = 5,
	EBPF_UDP_SEND = 6,
	EBPF_UDP_RECV = 7,
	EBPF_FLOW_SNAPSHOT = 8,
	EBPF_CAPTURE_DROPS = 9,
	EBPF_TCP_LISTEN = 10,
	EBPF_TCP_HANDOFF = 11,
	EBPF_EVENT_TYPE_MAX = EBPF_TCP_HANDOFF,
};

/* ebpf_event.drop_kind (1.1): why a Capture_Drops record's events were lost. */
enum ebpf_drop_kind {
	EBPF_DROP_UNSPECIFIED = 0, /* a 1.0 writer, which did not say */
	EBPF_DROP_RINGBUF = 1,     /* the kernel ring buffer was full */
	EBPF_DROP_SKIPPED = 2,     /* the kernel skipped our program (recursion_misses) */
	EBPF_DROP_TRANSIT = 3,     /* lost between an exporter and the collector */
	EBPF_DROP_KIND_MAX = EBPF_DROP_TRANSIT,
};

/* ebpf_event.flags */
#define EBPF_FLAG_RESET      0x01 /* TCP_Close: ended by RST, not FIN */
#define EBPF_FLAG_NO_OWNER   0x02 /* socket predates the capture: owner unknown */
#define EBPF_FLAG_HOST       0x04 /* the process runs on the host, in no container */

/* ebpf_event.tcp_state: the kernel's TCP states; the two user space sets itself. */
#define EBPF_TCP_STATE_ESTABLISHED 1
#define EBPF_TCP_STATE_LISTEN      10

/* The fixed part. The kernel fills it; its byte layout is the wire layout. */
struct ebpf_event {
	__u64 timestamp_ns;   /* wall clock, ns since the epoch */
	__u64 cgroup_id;      /* cgroup v2 id, or v1 memory-controller cgroup id */
	__u64 duration_us;    /* TCP_Close: established -> closed */
	__u64 bytes_sent;     /* TCP: bytes acked by the peer; UDP: payload bytes */
	__u64 bytes_received;
	__u64 packets;        /* UDP datagrams summarised by this event */
	__u64 drops;          /* Capture_Drops: events lost since the last one */
	__u32 latency_us;     /* TCP_Connect: SYN sent -> established */
	__u32 srtt_us;        /* smoothed round-trip time */
	__u32 retransmits;    /* segments retransmitted on this connection */
	__s32 error;          /* positive errno, e.g. ECONNREFUSED */
	__u32 pid;            /* process (thread group) id */
	__u32 tid;
	__u32 ppid;
	__u32 uid;
	__u32 gid;
	__u32 netns;          /* network namespace inode */
	__u32 ifindex;        /* 0 where the kernel does not know it */
	__u16 type;           /* enum ebpf_event_type */
	__u16 family;         /* AF_INET (2) or AF_INET6 (10) */
	__u16 sport;          /* local port, host order */
	__u16 dport;          /* remote port, host order */
	__u8 proto;           /* IPPROTO_TCP (6) or IPPROTO_UDP (17) */
	__u8 tcp_state;       /* TCP state the socket left (see FORMAT.md) */
	__u8 flags;           /* EBPF_FLAG_* */
	__u8 reserved;
	__u8 saddr[16];       /* local address, network order; IPv4 in bytes 0-3 */
	__u8 daddr[16];       /* remote address */
	char comm[EBPF_COMM_LEN];        /* process name (thread-group leader's), NUL-terminated */
	char parent_comm[EBPF_COMM_LEN]; /* NUL-terminated */
	/* 1.1 */
	char thread_comm[EBPF_COMM_LEN]; /* the calling thread's name, NUL-terminated */
	__u32 drop_kind;      /* Capture_Drops: enum ebpf_drop_kind */
	__u32 reserved2;
	__u32 prev_pid;       /* TCP_Handoff: the process that held the socket before */
	__u32 acceptor_pid;   /* accepted sockets: the process whose accept() returned it; 0 otherwise */
	char prev_comm[EBPF_COMM_LEN];
	char acceptor_comm[EBPF_COMM_LEN];
};

/* Enrichment added by user space, carried as TLVs after the fixed part. */
enum ebpf_tlv_tag {
	EBPF_TLV_EXE = 1,
	EBPF_TLV_CONTAINER_ID = 2,
	EBPF_TLV_CONTAINER_NAME = 3,
	EBPF_TLV_CONTAINER_RUNTIME = 4,
	EBPF_TLV_POD = 5,
	EBPF_TLV_NAMESPACE = 6,
	EBPF_TLV_K8S_CONTAINER = 7,
	EBPF_TLV_HOST = 8,
	EBPF_TLV_IFNAME = 9,
	EBPF_TLV_MACHINE_ID = 10,
	EBPF_TLV_MAX = EBPF_TLV_MACHINE_ID,
};

#endif /* EBPF_RECORD_H */
