/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Executable paths by pid, cached so the event path does not readlink()
 * /proc for every event. An entry is trusted only while the process keeps
 * the comm it had when we cached it: exec changes the comm, pid reuse almost
 * always does, and a stale path is worse than none.
 */
#ifndef EBPFCAP_PROCESS_H
#define EBPFCAP_PROCESS_H

#include <stddef.h>
#include <stdint.h>

struct process_cache;

struct process_cache *process_cache_new(void);
void process_cache_free(struct process_cache *pc);

/* Copies pid's executable path into buf ("" if the process is gone). */
void process_cache_exe(struct process_cache *pc, uint32_t pid, const char *comm,
		       char *buf, size_t size);

#endif
