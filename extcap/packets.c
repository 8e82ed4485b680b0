/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "packets.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>

#define SNAPLEN 262144
#define BUFFER_BYTES (32 << 20) /* a burst of SYNs must not overflow it: libpcap's 2 MiB did */
#define BLOCK_TIMEOUT_MS 1      /* packets wait in the reorder window anyway */

struct packet_source {
	pcap_t *pcap;
	packet_fn fn;
	void *ctx;
	int error;
};

static struct packet_source *fail(struct packet_source *ps, const char *ifname, const char *what)
{
	fprintf(stderr, "ebpfcap: %s: %s\n", ifname, what);
	packets_close(ps);
	return NULL;
}

struct packet_source *packets_open(const char *ifname, const char *filter)
{
	struct packet_source *ps = calloc(1, sizeof(*ps));
	char err[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;

	if (!ps)
		return NULL;
	ps->pcap = pcap_create(ifname, err);
	if (!ps->pcap)
		return fail(ps, ifname, err);
	pcap_set_snaplen(ps->pcap, SNAPLEN);
	/*
	 * Not immediate mode: that makes libpcap use fixed slots of SNAPLEN
	 * bytes (TPACKET_V2), a few dozen in the whole buffer. Blocks that
	 * are handed over after at most 1 ms pack packets tightly instead.
	 */
	pcap_set_timeout(ps->pcap, BLOCK_TIMEOUT_MS);
	pcap_set_buffer_size(ps->pcap, BUFFER_BYTES);
	pcap_set_tstamp_precision(ps->pcap, PCAP_TSTAMP_PRECISION_NANO);
	if (pcap_activate(ps->pcap) < 0)
		return fail(ps, ifname, pcap_geterr(ps->pcap));
	if (filter && *filter) {
		if (pcap_compile(ps->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0)
			return fail(ps, ifname, pcap_geterr(ps->pcap));
		if (pcap_setfilter(ps->pcap, &prog) < 0) {
			pcap_freecode(&prog);
			return fail(ps, ifname, pcap_geterr(ps->pcap));
		}
		pcap_freecode(&prog);
	}
	if (pcap_setnonblock(ps->pcap, 1, err) < 0)
		return fail(ps, ifname, err);
	return ps;
}

int packets_fd(const struct packet_source *ps)
{
	return pcap_get_selectable_fd(ps->pcap);
}

int packets_linktype(const struct packet_source *ps)
{
	return pcap_datalink(ps->pcap);
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *data)
{
	struct packet_source *ps = (struct packet_source *)user;
	uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec; /* ns precision */

	if (ps->error == 0)
		ps->error = ps->fn(ts, data, h->caplen, h->len, ps->ctx);
	if (ps->error)
		pcap_breakloop(ps->pcap);
}

int packets_dispatch(struct packet_source *ps, packet_fn fn, void *ctx)
{
	ps->fn = fn;
	ps->ctx = ctx;
	ps->error = 0;
	pcap_dispatch(ps->pcap, -1, on_packet, (u_char *)ps);
	return ps->error;
}

bool packets_filter_compiles(const char *filter, char *why, size_t size)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, SNAPLEN);
	struct bpf_program prog;
	bool ok;

	if (!dead) {
		snprintf(why, size, "libpcap cannot compile filters here");
		return false;
	}
	ok = pcap_compile(dead, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) == 0;
	if (ok)
		pcap_freecode(&prog);
	else
		snprintf(why, size, "%s", pcap_geterr(dead));
	pcap_close(dead);
	return ok;
}

uint64_t packets_dropped(struct packet_source *ps)
{
	struct pcap_stat st;

	return pcap_stats(ps->pcap, &st) == 0 ? st.ps_drop + st.ps_ifdrop : 0;
}

void packets_close(struct packet_source *ps)
{
	if (!ps)
		return;
	if (ps->pcap)
		pcap_close(ps->pcap);
	free(ps);
}
