/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "process.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CACHE_SLOTS 4096 /* direct-mapped by pid: bounded memory, O(1) */

struct process_slot {
	uint32_t pid;
	char comm[16];
	char exe[256];
};

struct process_cache {
	struct process_slot slots[CACHE_SLOTS];
};

struct process_cache *process_cache_new(void)
{
	return calloc(1, sizeof(struct process_cache));
}

void process_cache_free(struct process_cache *pc)
{
	free(pc);
}

static void read_exe(uint32_t pid, char *buf, size_t size)
{
	char path[32];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%u/exe", pid);
	n = readlink(path, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
}

void process_cache_exe(struct process_cache *pc, uint32_t pid, const char *comm,
		       char *buf, size_t size)
{
	struct process_slot *s = &pc->slots[pid % CACHE_SLOTS];

	if (pid == 0) {
		buf[0] = '\0';
		return;
	}
	if (s->pid != pid || strncmp(s->comm, comm, sizeof(s->comm)) != 0) {
		read_exe(pid, s->exe, sizeof(s->exe));
		s->pid = pid;
		strncpy(s->comm, comm, sizeof(s->comm) - 1);
		s->comm[sizeof(s->comm) - 1] = '\0';
	}
	snprintf(buf, size, "%s", s->exe);
}
