/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE /* strerrorname_np */
#include "print.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pcapio/exported_pdu.h"
#include "pcapio/pcapng.h"
#include "pcapio/pcapng_reader.h"
#include "utils/attrib/packet_tuple.h"
#include "utils/attrib/socket_owner.h"

#define USER_CACHE 64
#define LINE_MAX_LEN 2048

struct printer {
	FILE *f;
	struct print_style style;
	uint64_t printed;
	char host[64];  /* user names are this machine's: records of others keep their uid */
	struct {
		uint32_t uid;
		bool used;
		char name[33];
	} users[USER_CACHE]; /* getpwuid() reads files or asks NSS: not per event */
};

static const char *const tcp_states[] = {
	"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
	"CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV",
};

static const char *tcp_state_name(unsigned state)
{
	return state < sizeof(tcp_states) / sizeof(tcp_states[0]) ? tcp_states[state] : "?";
}

/* A process may name itself anything: no terminal escapes reach the screen. */
static void clean(const char *s, char *out, size_t size)
{
	size_t n = 0;

	for (; *s && n + 1 < size; s++)
		out[n++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
	out[n] = '\0';
}

static void format_time(uint64_t ns, char *out, size_t size)
{
	time_t sec = (time_t)(ns / 1000000000ull);
	struct tm tm;
	char hms[16];

	localtime_r(&sec, &tm);
	strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	snprintf(out, size, "%s.%06llu", hms, (unsigned long long)(ns % 1000000000ull / 1000));
}

static void format_addr(unsigned family, const uint8_t *addr, char *out, size_t size)
{
	if (!inet_ntop(family == 10 ? AF_INET6 : AF_INET, addr, out, (socklen_t)size))
		snprintf(out, size, "?");
}

static void format_endpoint(unsigned family, const uint8_t *addr, uint16_t port, char *out, size_t size)
{
	char ip[INET6_ADDRSTRLEN];

	format_addr(family, addr, ip, sizeof(ip));
	snprintf(out, size, family == 10 ? "[%s]:%u" : "%s:%u", ip, port);
}

/* 850us, 12.3ms, 4.56s: readable at a glance; --json keeps microseconds. */
static void format_us(uint64_t us, char *out, size_t size)
{
	if (us < 1000)
		snprintf(out, size, "%lluus", (unsigned long long)us);
	else if (us < 1000000)
		snprintf(out, size, "%.1fms", (double)us / 1e3);
	else
		snprintf(out, size, "%.2fs", (double)us / 1e6);
}

static const char *error_name(int err, char *buf, size_t size)
{
	const char *name = err > 0 ? strerrorname_np(err) : NULL;

	if (name)
		return name;
	snprintf(buf, size, "%d", err);
	return buf;
}

static const char *user_name(struct printer *p, uint32_t uid)
{
	unsigned slot = uid % USER_CACHE;
	struct passwd pw, *found = NULL;
	char buf[1024];

	if (p->users[slot].used && p->users[slot].uid == uid)
		return p->users[slot].name;
	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &found) == 0 && found)
		clean(found->pw_name, p->users[slot].name, sizeof(p->users[slot].name));
	else
		snprintf(p->users[slot].name, sizeof(p->users[slot].name), "%u", uid);
	p->users[slot].uid = uid;
	p->users[slot].used = true;
	return p->users[slot].name;
}

/* The name only for records of this machine, and not with -n; "" when none applies. */
static const char *user_of(struct printer *p, const struct ebpf_record *rec)
{
	if (p->style.numeric || (rec->host[0] && strcmp(rec->host, p->host) != 0))
		return "";
	return user_name(p, rec->ev.uid);
}

/* The pod, else the container's name, else its short id; "-" on the host. */
static void where(const struct ebpf_record *rec, char *out, size_t size)
{
	if (rec->pod[0])
		clean(rec->pod, out, size);
	else if (rec->container_name[0])
		clean(rec->container_name, out, size);
	else if (rec->container_id[0])
		snprintf(out, size, "%.12s", rec->container_id);
	else
		snprintf(out, size, "-");
}

/* " from=sshd(812)": who handed the socket over (TCP_Handoff), or who accepted it, when not the process named. */
static void format_holder(const char *what, const char *comm, uint32_t pid, char *buf, size_t size)
{
	char name[EBPF_COMM_LEN], label[OWNER_LABEL_MAX];

	clean(comm, name, sizeof(name));
	owner_label(label, sizeof(label), name, pid);
	snprintf(buf, size, " %s=%s", what, label);
}

/* What the kernel measured, as this type of event carries it. */
static void format_metrics(const struct ebpf_event *ev, char *buf, size_t size)
{
	char a[24], b[24], err[16], who[96] = "";

	switch (ev->type) {
	case EBPF_TCP_CONNECT:
		format_us(ev->latency_us, a, sizeof(a));
		snprintf(buf, size, "latency=%s", a);
		break;
	case EBPF_TCP_CONNECT_FAILED:
		snprintf(buf, size, "error=%s", error_name(ev->error, err, sizeof(err)));
		break;
	case EBPF_TCP_ACCEPT:
		format_us(ev->srtt_us, a, sizeof(a));
		snprintf(buf, size, "srtt=%s", a);
		break;
	case EBPF_TCP_CLOSE:
		format_us(ev->duration_us, a, sizeof(a));
		format_us(ev->srtt_us, b, sizeof(b));
		if (ev->acceptor_pid && ev->acceptor_pid != ev->pid)
			format_holder("accepted-by", ev->acceptor_comm, ev->acceptor_pid, who, sizeof(who));
		snprintf(buf, size, "duration=%s sent=%llu received=%llu retrans=%u srtt=%s%s%s%s%s", a,
			 (unsigned long long)ev->bytes_sent, (unsigned long long)ev->bytes_received,
			 ev->retransmits, b, ev->flags & EBPF_FLAG_RESET ? " RST" : "",
			 ev->error ? " error=" : "", ev->error ? error_name(ev->error, err, sizeof(err)) : "", who);
		break;
	case EBPF_TCP_HANDOFF:
		format_holder("from", ev->prev_comm, ev->prev_pid, who, sizeof(who));
		if (ev->acceptor_pid)
			format_holder("accepted-by", ev->acceptor_comm, ev->acceptor_pid,
				      who + strlen(who), sizeof(who) - strlen(who));
		snprintf(buf, size, "%s sent=%llu received=%llu", who + 1, (unsigned long long)ev->bytes_sent,
			 (unsigned long long)ev->bytes_received);
		break;
	case EBPF_TCP_RETRANSMIT:
		format_us(ev->srtt_us, a, sizeof(a));
		snprintf(buf, size, "retrans=%u srtt=%s", ev->retransmits, a);
		break;
	case EBPF_UDP_SEND:
	case EBPF_UDP_RECV:
		snprintf(buf, size, "packets=%llu bytes=%llu", (unsigned long long)ev->packets,
			 (unsigned long long)(ev->type == EBPF_UDP_SEND ? ev->bytes_sent : ev->bytes_received));
		break;
	case EBPF_FLOW_SNAPSHOT:
		snprintf(buf, size, "state=%s", ev->proto == 6 ? tcp_state_name(ev->tcp_state) : "-");
		break;
	default:
		buf[0] = '\0';
	}
}

/* TIME EVENT PROCESS(PID) USER CONTAINER LOCAL -> REMOTE METRICS */
static void text_line(struct printer *p, const struct ebpf_record *rec, char *buf, size_t size)
{
	const struct ebpf_event *ev = &rec->ev;
	char when[32], comm[EBPF_COMM_LEN], process[48], user[40], box[64], local[64], remote[64], metrics[224];
	bool unknown = ev->flags & EBPF_FLAG_NO_OWNER;
	bool listen = ev->type == EBPF_TCP_LISTEN;
	bool inbound = listen || ev->type == EBPF_TCP_ACCEPT || ev->type == EBPF_UDP_RECV;

	format_time(ev->timestamp_ns, when, sizeof(when));
	if (ev->type == EBPF_CAPTURE_DROPS) {
		const char *why = ebpf_drop_kind_name(ev->drop_kind);

		snprintf(buf, size, "%s %-18s %llu events lost%s%s%s", when, ebpf_event_type_name(ev->type),
			 (unsigned long long)ev->drops, why[0] ? " (" : "", why, why[0] ? ")" : "");
		return;
	}
	clean(ev->comm, comm, sizeof(comm));
	owner_label(process, sizeof(process), unknown ? "?" : comm, ev->pid);
	if (unknown)
		snprintf(user, sizeof(user), "?");
	else if (*user_of(p, rec))
		snprintf(user, sizeof(user), "%s", user_of(p, rec));
	else
		snprintf(user, sizeof(user), "%u", ev->uid);
	where(rec, box, sizeof(box));
	format_endpoint(ev->family, ev->saddr, ev->sport, local, sizeof(local));
	if (listen)
		snprintf(remote, sizeof(remote), "*"); /* anyone may connect */
	else
		format_endpoint(ev->family, ev->daddr, ev->dport, remote, sizeof(remote));
	format_metrics(ev, metrics, sizeof(metrics));
	snprintf(buf, size, "%s %-18s %-24s %-8s %-20s %-21s %s %-21s %s", when, ebpf_event_type_name(ev->type),
		 process, user, box, local, inbound ? "<-" : "->", remote, metrics);
	for (size_t n = strlen(buf); n > 0 && buf[n - 1] == ' '; n--)
		buf[n - 1] = '\0'; /* no metrics: no padding at the end */
}

#define ADD(...) (off += (size_t)snprintf(buf + off, off < size ? size - off : 0, __VA_ARGS__))

/* -v: the rest of the record, only the fields that say something. */
static void verbose_line(const struct ebpf_record *rec, char *buf, size_t size)
{
	const struct ebpf_event *ev = &rec->ev;
	char s[256];
	size_t off = 0;

	ADD("   ");
	if (rec->exe[0]) {
		clean(rec->exe, s, sizeof(s));
		ADD(" exe=%s", s);
	}
	clean(ev->parent_comm, s, sizeof(s));
	ADD(" ppid=%u parent=%s tid=%u", ev->ppid, s[0] ? s : "?", ev->tid);
	/* The thread's own name, where it is not the process's (dig's isc-net-0000). */
	if (ev->thread_comm[0] && strncmp(ev->thread_comm, ev->comm, sizeof(ev->comm)) != 0) {
		clean(ev->thread_comm, s, sizeof(s));
		ADD(" thread=%s", s);
	}
	ADD(" uid=%u gid=%u", ev->uid, ev->gid);
	if (rec->container_id[0]) {
		clean(rec->container_name, s, sizeof(s));
		ADD(" container=%.12s%s%s runtime=%s", rec->container_id, s[0] ? "/" : "", s, rec->container_runtime);
	}
	if (rec->pod[0]) {
		clean(rec->pod_namespace, s, sizeof(s));
		ADD(" pod=%s/", s);
		clean(rec->pod, s, sizeof(s));
		ADD("%s", s);
	}
	if (rec->k8s_container[0]) {
		clean(rec->k8s_container, s, sizeof(s));
		ADD(" k8s_container=%s", s);
	}
	ADD(" cgroup=%llu netns=%u", (unsigned long long)ev->cgroup_id, ev->netns);
	if (rec->ifname[0] || ev->ifindex) {
		clean(rec->ifname, s, sizeof(s));
		ADD(" if=%s(%u)", s[0] ? s : "?", ev->ifindex);
	}
	if (ev->proto == 6)
		ADD(" state=%s", tcp_state_name(ev->tcp_state));
	if (rec->host[0]) {
		clean(rec->host, s, sizeof(s));
		ADD(" host=%s", s);
	}
	if (ev->flags & (EBPF_FLAG_HOST | EBPF_FLAG_NO_OWNER))
		ADD(" %s", ev->flags & EBPF_FLAG_HOST ? "host-process" : "owner-unknown");
}

/* ---- JSON ---- */

/* Length of the valid UTF-8 sequence at s, or 0. */
static int utf8_len(const unsigned char *s)
{
	int n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;

	for (int i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* Process names are bytes, JSON is UTF-8: what is not valid becomes U+FFFD. */
static void json_string(FILE *f, const char *key, const char *value)
{
	const unsigned char *s = (const unsigned char *)value;

	fprintf(f, ",\"%s\":\"", key);
	while (*s) {
		int n = *s < 0x80 ? 1 : utf8_len(s);

		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if (*s < 0x20 || *s == 0x7f)
			fprintf(f, "\\u%04x", *s);
		else if (n == 0)
			fputs("\\ufffd", f);
		else
			fwrite(s, 1, (size_t)n, f);
		s += n ? n : 1;
	}
	fputc('"', f);
}

static void json_u64(FILE *f, const char *key, uint64_t v)
{
	fprintf(f, ",\"%s\":%llu", key, (unsigned long long)v);
}

static void json_start(FILE *f, uint64_t ns, const char *type)
{
	time_t sec = (time_t)(ns / 1000000000ull);
	struct tm tm;
	char iso[32];

	gmtime_r(&sec, &tm);
	strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(f, "{\"time\":\"%s.%09lluZ\"", iso, (unsigned long long)(ns % 1000000000ull));
	json_u64(f, "timestamp_ns", ns);
	json_string(f, "type", type);
}

static void json_addresses(FILE *f, unsigned family, const uint8_t *src, uint16_t sport,
			   const uint8_t *dst, uint16_t dport)
{
	char ip[INET6_ADDRSTRLEN];

	json_u64(f, "family", family == 10 ? 6 : family == 2 ? 4 : 0);
	format_addr(family, src, ip, sizeof(ip));
	json_string(f, "src", ip);
	json_u64(f, "srcport", sport);
	format_addr(family, dst, ip, sizeof(ip));
	json_string(f, "dst", ip);
	json_u64(f, "dstport", dport);
}

/* Every field of the record; names follow the ebpf.* display-filter fields. */
static void json_record(struct printer *p, const struct ebpf_record *rec)
{
	const struct ebpf_event *ev = &rec->ev;
	FILE *f = p->f;
	char err[16];

	json_start(f, ev->timestamp_ns, ebpf_event_type_name(ev->type));
	json_u64(f, "pid", ev->pid);
	json_u64(f, "tid", ev->tid);
	json_u64(f, "ppid", ev->ppid);
	json_u64(f, "uid", ev->uid);
	if (*user_of(p, rec) && !(ev->flags & EBPF_FLAG_NO_OWNER))
		json_string(f, "user", user_of(p, rec));
	json_u64(f, "gid", ev->gid);
	json_string(f, "comm", ev->comm);
	json_string(f, "parent_comm", ev->parent_comm);
	json_string(f, "thread_comm", ev->thread_comm);
	json_string(f, "exe", rec->exe);
	json_string(f, "container_id", rec->container_id);
	json_string(f, "container_name", rec->container_name);
	json_string(f, "container_runtime", rec->container_runtime);
	json_string(f, "pod", rec->pod);
	json_string(f, "namespace", rec->pod_namespace);
	json_string(f, "k8s_container", rec->k8s_container);
	json_string(f, "host", rec->host);
	json_string(f, "machine_id", rec->machine_id);
	json_u64(f, "cgroup", ev->cgroup_id);
	json_u64(f, "netns", ev->netns);
	json_u64(f, "ifindex", ev->ifindex);
	json_string(f, "ifname", rec->ifname);
	json_string(f, "proto", ev->proto == 6 ? "TCP" : ev->proto == 17 ? "UDP" : "");
	json_addresses(f, ev->family, ev->saddr, ev->sport, ev->daddr, ev->dport);
	json_u64(f, "latency_us", ev->latency_us);
	json_u64(f, "duration_us", ev->duration_us);
	json_u64(f, "bytes_sent", ev->bytes_sent);
	json_u64(f, "bytes_received", ev->bytes_received);
	json_u64(f, "packets", ev->packets);
	json_u64(f, "retransmits", ev->retransmits);
	json_u64(f, "srtt_us", ev->srtt_us);
	fprintf(f, ",\"error\":%d", ev->error);
	json_string(f, "error_name", ev->error ? error_name(ev->error, err, sizeof(err)) : "");
	json_string(f, "tcp_state", ev->proto == 6 ? tcp_state_name(ev->tcp_state) : "");
	fprintf(f, ",\"flags\":{\"reset\":%s,\"no_owner\":%s,\"host\":%s}",
		ev->flags & EBPF_FLAG_RESET ? "true" : "false", ev->flags & EBPF_FLAG_NO_OWNER ? "true" : "false",
		ev->flags & EBPF_FLAG_HOST ? "true" : "false");
	json_u64(f, "drops", ev->drops);
	json_string(f, "drop_kind", ebpf_drop_kind_name(ev->drop_kind));
	json_u64(f, "prev_pid", ev->prev_pid);
	json_string(f, "prev_comm", ev->prev_comm);
	json_u64(f, "acceptor_pid", ev->acceptor_pid);
	json_string(f, "acceptor_comm", ev->acceptor_comm);
	fputs("}\n", f);
}

/* ---- packets ---- */

struct packet_summary {
	unsigned family; /* 2 or 10; 0 when not IP */
	uint8_t proto;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint8_t tcp_flags;
};

/*
 * From utils/attrib/packet_tuple.c, which attributes the packets too. pcapng's link
 * type numbers are libpcap's DLTs for the links we capture (Ethernet, Linux
 * cooked).
 */
static void summarise(int linktype, const uint8_t *d, uint32_t caplen, struct packet_summary *s)
{
	struct socket_key k;
	uint32_t l4;

	memset(s, 0, sizeof(*s));
	if (!packet_network(linktype, d, caplen, &k, &l4))
		return;
	s->family = k.family == 4 ? 2 : 10;
	s->proto = k.proto;
	memcpy(s->src, k.laddr, sizeof(s->src));
	memcpy(s->dst, k.raddr, sizeof(s->dst));
	s->sport = k.lport;
	s->dport = k.rport;
	if (s->proto == 6 && l4 && caplen >= l4 + 14)
		s->tcp_flags = d[l4 + 13];
}

/* tcpdump's letters: S F R P and . for ACK. */
static void tcp_flag_letters(uint8_t flags, char *out)
{
	static const struct { uint8_t bit; char c; } map[] = {
		{ 0x02, 'S' }, { 0x01, 'F' }, { 0x04, 'R' }, { 0x08, 'P' }, { 0x10, '.' },
	};
	int n = 0;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (flags & map[i].bit)
			out[n++] = map[i].c;
	out[n] = '\0';
}

static void packet_text(const struct packet_summary *s, uint64_t ts_ns, uint32_t len, const char *owners,
			char *buf, size_t size)
{
	char when[32], src[64], dst[64], flags[8] = "", who[512] = "";
	const char *proto = s->proto == 6 ? "TCP" : s->proto == 17 ? "UDP" : "IP";

	format_time(ts_ns, when, sizeof(when));
	if (owners) {
		who[0] = ' ';
		who[1] = '(';
		clean(owners, who + 2, sizeof(who) - 3);
		strcat(who, ")");
	}
	if (!s->family) {
		snprintf(buf, size, "%s %-18s len=%u%s", when, "Packet", len, who);
		return;
	}
	format_endpoint(s->family, s->src, s->sport, src, sizeof(src));
	format_endpoint(s->family, s->dst, s->dport, dst, sizeof(dst));
	if (s->proto == 6)
		tcp_flag_letters(s->tcp_flags, flags);
	snprintf(buf, size, "%s %-18s %-24s %-8s %-20s %-21s -> %-21s %s%s%s len=%u%s", when, "Packet", "-", "-", "-",
		 src, dst, proto, flags[0] ? " " : "", flags, len, who);
}

static void packet_json(FILE *f, const struct packet_summary *s, uint64_t ts_ns, int linktype,
			uint32_t caplen, uint32_t len, const char *owners)
{
	json_start(f, ts_ns, "Packet");
	json_u64(f, "linktype", (uint64_t)linktype);
	json_u64(f, "len", len);
	json_u64(f, "caplen", caplen);
	if (s->family) {
		json_string(f, "proto", s->proto == 6 ? "TCP" : s->proto == 17 ? "UDP" : "IP");
		json_addresses(f, s->family, s->src, s->sport, s->dst, s->dport);
	}
	if (s->proto == 6)
		json_u64(f, "tcp_flags", s->tcp_flags);
	if (owners)
		json_string(f, "owners", owners);
	fputs("}\n", f);
}

/* ---- the printer ---- */

struct printer *printer_open(FILE *f, const struct print_style *style)
{
	struct printer *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->f = f;
	p->style = *style;
	gethostname(p->host, sizeof(p->host) - 1);
	/* A person watching sees each line at once; a pipe gets one write per poll round. */
	if (isatty(fileno(f)))
		setvbuf(f, NULL, _IOLBF, 0);
	return p;
}

static int output_status(FILE *f)
{
	return ferror(f) ? -(errno ? errno : EIO) : 0;
}

int printer_record(struct printer *p, const struct ebpf_record *rec)
{
	char line[LINE_MAX_LEN];

	p->printed++;
	if (p->style.json) {
		json_record(p, rec);
		return output_status(p->f);
	}
	text_line(p, rec, line, sizeof(line));
	fputs(line, p->f);
	fputc('\n', p->f);
	if (p->style.verbose && rec->ev.type != EBPF_CAPTURE_DROPS) {
		verbose_line(rec, line, sizeof(line));
		fputs(line, p->f);
		fputc('\n', p->f);
	}
	return output_status(p->f);
}

int printer_packet(struct printer *p, uint64_t ts_ns, int linktype, const uint8_t *data,
		   uint32_t caplen, uint32_t len, const char *owners)
{
	struct packet_summary s;
	char line[LINE_MAX_LEN];

	p->printed++;
	summarise(linktype, data, caplen, &s);
	if (p->style.json) {
		packet_json(p->f, &s, ts_ns, linktype, caplen, len, owners);
	} else {
		packet_text(&s, ts_ns, len, owners, line, sizeof(line));
		fputs(line, p->f);
		fputc('\n', p->f);
	}
	return output_status(p->f);
}

int printer_pdu(struct printer *p, const uint8_t *data, uint32_t len)
{
	struct ebpf_record rec;
	const char *why;
	long off = exported_pdu_payload_offset(data, len);

	if (off < 0)
		return 0; /* another dissector's PDU: not ours to print */
	if (ebpf_record_decode(data + off, len - (size_t)off, &rec, &why) < 0) {
		fprintf(stderr, "ebpfcap: skipping a malformed record: %s\n", why);
		return 0;
	}
	return printer_record(p, &rec);
}

uint64_t printer_printed(const struct printer *p)
{
	return p->printed;
}

/* errno stays set on failure, as after pcapng_flush(). */
int printer_flush(struct printer *p)
{
	return fflush(p->f) == 0 ? 0 : -errno;
}

void printer_close(struct printer *p)
{
	if (!p)
		return;
	fflush(p->f);
	free(p);
}

/* ---- -r FILE ---- */

static int print_block(struct printer *p, const struct pcapng_packet *pkt)
{
	if (pkt->linktype == LINKTYPE_WIRESHARK_UPPER_PDU)
		return printer_pdu(p, pkt->data, pkt->caplen);
	return printer_packet(p, pkt->ts_ns, pkt->linktype, pkt->data, pkt->caplen, pkt->origlen, NULL);
}

int print_file(const char *path, const struct print_style *style, uint64_t max)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	struct pcapng_reader *r;
	struct pcapng_packet pkt;
	struct printer *p;
	int rc = 0;

	if (!f) {
		fprintf(stderr, "ebpfcap: cannot read '%s': %s\n", path, strerror(errno));
		return 1;
	}
	r = pcapng_reader_open(f, path);
	p = r ? printer_open(stdout, style) : NULL;
	if (!p) {
		pcapng_reader_close(r);
		fclose(f);
		return 1;
	}
	while ((!max || printer_printed(p) < max) && (rc = pcapng_reader_next(r, &pkt)) > 0)
		if (print_block(p, &pkt) < 0)
			break;
	printer_close(p);
	pcapng_reader_close(r);
	fclose(f);
	return rc < 0 ? 1 : 0;
}
