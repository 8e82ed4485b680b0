/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The enrichment stage of a local capture: a kernel event becomes a record
 * that also names its process's executable, its container or pod, the
 * host and the interface, from utils/enrich's caches.
 */
#ifndef EBPFCAP_ENRICH_H
#define EBPFCAP_ENRICH_H

#include <net/if.h>
#include <stdint.h>
#include <linux/types.h>

#include "bpf/ebpf_maps.h"
#include "bpf/ebpf_record.h"
#include "utils/record/record.h"

struct enricher {
	uint64_t boot_to_wall_ns;   /* the kernel stamps CLOCK_BOOTTIME */
	const char *host;
	const char *machine_id;     /* "" unless exporting */
	uint32_t own_netns;         /* ifindex names are ours to resolve only here */
	struct {
		char name[IF_NAMESIZE];
		uint64_t at_ns;       /* when looked up: names change, rarely */
	} ifnames[256];           /* if_indextoname() is a socket and an ioctl: not per event */
	struct process_cache *procs;
	struct containers *containers;
};

/* host and machine_id stay the caller's (read at each record). NULL: out of memory. */
struct enricher *enricher_new(const char *host, const char *machine_id);
void enricher_free(struct enricher *e);

/* The record of a kernel event: its fields, the time made wall clock, nothing else yet. */
void enricher_record(const struct enricher *e, const struct ebpf_event *ev, struct ebpf_record *rec);
/* The container or pod of the record's cgroup (or the host flag), if known yet. */
void enrich_container(struct enricher *e, struct ebpf_record *rec);
/* Everything: container, executable, host, machine id, interface name. */
void enrich(struct enricher *e, struct ebpf_record *rec);
/* An execve() the kernel noted: the path the process's later events name. */
void enricher_exec(struct enricher *e, const struct ebpf_exec_note *note);

#endif
