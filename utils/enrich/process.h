/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What user space knows about processes: their executables (from the
 * kernel's exec notes, else /proc, cached so the event path does not
 * readlink() per event), when they started and their descendants (for --pid).
 */
#ifndef EBPFCAP_PROCESS_H
#define EBPFCAP_PROCESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct process_cache;

struct process_cache *process_cache_new(void);
void process_cache_free(struct process_cache *pc);

/* Records what execve() ran: pid, child of ppid, now runs path. */
void process_cache_exec(struct process_cache *pc, uint32_t pid, uint32_t ppid, const char *path);

/*
 * Copies pid's executable path into buf ("" if unknown). An entry is trusted
 * while the process keeps the comm it had when cached: exec changes the
 * comm, pid reuse almost always does, and a stale path is worse than none.
 * A process already gone from /proc that never exec'd runs its parent's
 * executable, so ppid's entry answers for it.
 */
void process_cache_exe(struct process_cache *pc, uint32_t pid, uint32_t ppid, const char *comm,
		       char *buf, size_t size);

/*
 * When pid started, in ns since the epoch, from /proc/PID/stat (its
 * starttime: clock ticks since boot), or 0 when that is not known: the
 * process is gone, or it runs under another name than comm now (its pid
 * reused, most likely: a wrong start time is worse than none).
 */
uint64_t process_start_ns(uint32_t pid, const char *comm);

/* Calls fn for every living descendant of pid; stops at fn's first error. */
int process_for_each_descendant(pid_t pid, int (*fn)(pid_t pid, void *ctx), void *ctx);

#endif
