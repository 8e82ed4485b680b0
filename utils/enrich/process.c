/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "utils/enrich/process.h"
#include "extcap/privileges.h"
#include "utils/clock.h"

#include <ctype.h>
#include <limits.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define CACHE_SLOTS 16384 /* direct-mapped by pid: bounded memory, O(1) */
#define COMM_LEN 16

struct process_slot {
	uint32_t pid;
	char comm[COMM_LEN];
	char exe[256];
};

struct process_cache {
	struct process_slot slots[CACHE_SLOTS];
};

/*
 * Resident from the start (MAP_POPULATE; calloc's fresh pages would become
 * resident one by one as exec notes of new pids arrive from the whole
 * machine): 4.5 MB now, and the capture's memory stays flat after.
 */
struct process_cache *process_cache_new(void)
{
	void *pc = mmap(NULL, sizeof(struct process_cache), PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	return pc == MAP_FAILED ? NULL : pc;
}

void process_cache_free(struct process_cache *pc)
{
	if (pc)
		munmap(pc, sizeof(*pc));
}

static void read_exe(uint32_t pid, char *buf, size_t size)
{
	char path[32];
	ssize_t n;

	uint64_t caps = privileges_raise(USE_READ_PROC);

	snprintf(path, sizeof(path), "/proc/%u/exe", pid);
	n = readlink(path, buf, size - 1);
	privileges_lower(caps);
	buf[n > 0 ? n : 0] = '\0';
}

static void fill_slot(struct process_slot *s, uint32_t pid, const char *comm, const char *exe)
{
	s->pid = pid;
	snprintf(s->comm, sizeof(s->comm), "%s", comm);
	snprintf(s->exe, sizeof(s->exe), "%s", exe);
}

/*
 * A relative path is relative to a directory we do not know: ask /proc, and
 * if the process is already gone, try the parent's directory (a shell that
 * runs build/x and its child share one).
 */
static void resolve_relative(uint32_t pid, uint32_t ppid, const char *path, char *exe, size_t size)
{
	char guess[PATH_MAX], real[PATH_MAX];
	uint64_t caps;
	bool found;

	read_exe(pid, exe, size);
	if (exe[0] || ppid == 0)
		return;
	snprintf(guess, sizeof(guess), "/proc/%u/cwd/%s", ppid, path);
	caps = privileges_raise(USE_READ_PROC);
	found = realpath(guess, real) != NULL;
	privileges_lower(caps);
	if (found && strlen(real) < size) /* a cut path would name another file */
		memcpy(exe, real, strlen(real) + 1);
}

void process_cache_exec(struct process_cache *pc, uint32_t pid, uint32_t ppid, const char *path)
{
	struct process_slot *s = &pc->slots[pid % CACHE_SLOTS];
	const char *base = strrchr(path, '/');
	char exe[256];

	if (path[0] == '/')
		snprintf(exe, sizeof(exe), "%s", path);
	else
		resolve_relative(pid, ppid, path, exe, sizeof(exe));
	/* The kernel names the process after the file it executes. */
	fill_slot(s, pid, base ? base + 1 : path, exe);
}

void process_cache_exe(struct process_cache *pc, uint32_t pid, uint32_t ppid, const char *comm,
		       char *buf, size_t size)
{
	struct process_slot *s = &pc->slots[pid % CACHE_SLOTS];
	const struct process_slot *parent = &pc->slots[ppid % CACHE_SLOTS];

	if (pid == 0) {
		buf[0] = '\0';
		return;
	}
	if (s->pid != pid || strncmp(s->comm, comm, COMM_LEN - 1) != 0) {
		char exe[256];

		read_exe(pid, exe, sizeof(exe));
		if (exe[0] == '\0' && s->pid == pid) /* gone, after renaming itself (prctl): still that file */
			snprintf(exe, sizeof(exe), "%s", s->exe);
		else if (exe[0] == '\0' && parent->pid == ppid && ppid != pid)
			snprintf(exe, sizeof(exe), "%s", parent->exe);
		fill_slot(s, pid, comm, exe);
	}
	snprintf(buf, size, "%s", s->exe);
}

/*
 * /proc/PID/stat into line; what follows the comm (the state on), NULL if
 * there is no such process. The comm, which may hold spaces and
 * parentheses, goes into comm: it runs from the first '(' to the last ')'.
 */
static const char *read_stat(pid_t pid, char *line, size_t size, char *comm, size_t comm_size)
{
	char path[32];
	FILE *f;
	char *open_paren, *close_paren;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	if (!fgets(line, (int)size, f))
		line[0] = '\0';
	fclose(f);
	open_paren = strchr(line, '(');
	close_paren = strrchr(line, ')');
	if (!open_paren || !close_paren || close_paren < open_paren)
		return NULL;
	snprintf(comm, comm_size, "%.*s", (int)(close_paren - open_paren - 1), open_paren + 1);
	return close_paren + 1;
}

static pid_t parent_of(pid_t pid)
{
	char line[512], comm[COMM_LEN];
	const char *rest = read_stat(pid, line, sizeof(line), comm, sizeof(comm));
	int ppid;

	return rest && sscanf(rest, " %*c %d", &ppid) == 1 ? ppid : -1;
}

uint64_t process_start_ns(uint32_t pid, const char *comm)
{
	char line[512], now_comm[COMM_LEN];
	unsigned long long ticks;
	uint64_t caps = privileges_raise(USE_READ_PROC);
	const char *field = read_stat((pid_t)pid, line, sizeof(line), now_comm, sizeof(now_comm));
	long hz = sysconf(_SC_CLK_TCK);

	privileges_lower(caps);
	if (!field || strncmp(now_comm, comm, COMM_LEN - 1) != 0 || hz <= 0)
		return 0;
	/* After the comm, one space before each field: the state (field 3) ... starttime (field 22). */
	for (int n = 3; field && n < 22; n++)
		field = strchr(field + 1, ' ');
	if (!field || sscanf(field, " %llu", &ticks) != 1)
		return 0;
	/* Ticks of CLOCK_BOOTTIME (the kernel's start_boottime): since boot, suspend included. */
	return clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME) + ticks * (1000000000ull / (uint64_t)hz);
}

static int is_descendant(pid_t pid, pid_t ancestor)
{
	for (int depth = 0; depth < 64 && pid > 1; depth++) {
		pid = parent_of(pid);
		if (pid == ancestor)
			return 1;
	}
	return 0;
}

int process_for_each_descendant(pid_t ancestor, int (*fn)(pid_t pid, void *ctx), void *ctx)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	int rc = 0;

	if (!d)
		return -1;
	while (rc == 0 && (de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid_t pid = (pid_t)atoi(de->d_name);

		if (pid != ancestor && is_descendant(pid, ancestor))
			rc = fn(pid, ctx);
	}
	closedir(d);
	return rc;
}
