/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "print.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pcapio/exported_pdu.h"
#include "pcapio/pcapng.h"
#include "pcapio/pcapng_reader.h"

static void format_endpoint(const struct ebpf_event *ev, const uint8_t *addr, uint16_t port,
			    char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	inet_ntop(ev->family == 10 ? AF_INET6 : AF_INET, addr, ip, sizeof(ip));
	snprintf(buf, size, ev->family == 10 ? "[%s]:%u" : "%s:%u", ip, port);
}

/* The metrics this type of event carries, e.g. "latency=53us". */
static void format_metrics(const struct ebpf_event *ev, char *buf, size_t size)
{
	switch (ev->type) {
	case EBPF_TCP_CONNECT:
		snprintf(buf, size, "latency=%uus", ev->latency_us);
		break;
	case EBPF_TCP_CONNECT_FAILED:
		snprintf(buf, size, "error=%s", strerror(ev->error));
		break;
	case EBPF_TCP_CLOSE:
		snprintf(buf, size, "duration=%lluus sent=%llu received=%llu retrans=%u srtt=%uus%s",
			 (unsigned long long)ev->duration_us, (unsigned long long)ev->bytes_sent,
			 (unsigned long long)ev->bytes_received, ev->retransmits, ev->srtt_us,
			 ev->flags & EBPF_FLAG_RESET ? " RST" : "");
		break;
	case EBPF_TCP_RETRANSMIT:
		snprintf(buf, size, "retrans=%u", ev->retransmits);
		break;
	case EBPF_UDP_SEND:
	case EBPF_UDP_RECV:
		snprintf(buf, size, "packets=%llu bytes=%llu", (unsigned long long)ev->packets,
			 (unsigned long long)(ev->type == EBPF_UDP_SEND ? ev->bytes_sent : ev->bytes_received));
		break;
	default:
		buf[0] = '\0';
	}
}

void print_record_line(const struct ebpf_record *rec, char *buf, size_t size)
{
	const struct ebpf_event *ev = &rec->ev;
	char when[32], process[48], local[64], remote[64], metrics[128];
	time_t sec = (time_t)(ev->timestamp_ns / 1000000000ull);
	struct tm tm;

	localtime_r(&sec, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	if (ev->type == EBPF_CAPTURE_DROPS) {
		snprintf(buf, size, "%s.%06llu %-18s %llu events lost", when,
			 (unsigned long long)(ev->timestamp_ns % 1000000000ull / 1000),
			 ebpf_event_type_name(ev->type), (unsigned long long)ev->drops);
		return;
	}
	snprintf(process, sizeof(process), "%s[%u]", ev->flags & EBPF_FLAG_NO_OWNER ? "?" : ev->comm, ev->pid);
	format_endpoint(ev, ev->saddr, ev->sport, local, sizeof(local));
	format_endpoint(ev, ev->daddr, ev->dport, remote, sizeof(remote));
	format_metrics(ev, metrics, sizeof(metrics));
	snprintf(buf, size, "%s.%06llu %-18s %-24s uid=%-5u %-16s %s %s %s %s", when,
		 (unsigned long long)(ev->timestamp_ns % 1000000000ull / 1000),
		 ebpf_event_type_name(ev->type), process, ev->uid,
		 rec->pod[0] ? rec->pod : rec->container_name[0] ? rec->container_name : "-",
		 local, ev->type == EBPF_TCP_ACCEPT ? "<-" : "->", remote, metrics);
}

static void print_packet(const struct pcapng_packet *pkt)
{
	struct ebpf_record rec;
	const char *why;
	char line[512];
	long off;

	if (pkt->linktype != LINKTYPE_WIRESHARK_UPPER_PDU)
		return; /* packets are for tshark; this prints events */
	off = exported_pdu_payload_offset(pkt->data, pkt->caplen);
	if (off < 0)
		return;
	if (ebpf_record_decode(pkt->data + off, pkt->caplen - (size_t)off, &rec, &why) < 0) {
		printf("(malformed record: %s)\n", why);
		return;
	}
	print_record_line(&rec, line, sizeof(line));
	puts(line);
}

int print_file(const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	struct pcapng_reader *r;
	struct pcapng_packet pkt;
	int rc;

	if (!f) {
		fprintf(stderr, "ebpfcap: cannot read '%s': %s\n", path, strerror(errno));
		return 1;
	}
	r = pcapng_reader_open(f, path);
	if (!r) {
		fclose(f);
		return 1;
	}
	while ((rc = pcapng_reader_next(r, &pkt)) > 0)
		print_packet(&pkt);
	pcapng_reader_close(r);
	fclose(f);
	return rc < 0 ? 1 : 0;
}
