/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fork() for load generators that must stop by themselves: an alarm is not
 * inherited, and a parent killed by a test's clean-up would leave a server
 * blocked in accept() and clients connecting to nobody. Each child gets its
 * own time limit and dies with its parent.
 */
#ifndef EBPFCAP_BOUNDED_FORK_H
#define EBPFCAP_BOUNDED_FORK_H

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

static inline pid_t bounded_fork(unsigned int limit_s)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent) /* the parent died before prctl() */
			_exit(1);
		alarm(limit_s);
	}
	return pid;
}

#endif
