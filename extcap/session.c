/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

static void stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

int session_open_output(const char *path)
{
	sigset_t stop, before;
	int fd;

	/*
	 * A FIFO's open waits for its reader, and session_stop_signals_fd() has
	 * blocked the stop signals by now: let them end the wait (nothing is
	 * loaded yet, so their default action is the right one).
	 */
	stop_signals(&stop);
	sigprocmask(SIG_UNBLOCK, &stop, &before);
	fd = strcmp(path, "-") == 0 ? dup(STDOUT_FILENO) : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	sigprocmask(SIG_SETMASK, &before, NULL);
	if (fd < 0)
		fprintf(stderr, "ebpfcap: cannot open output '%s': %s\n", path, strerror(errno));
	return fd;
}

int session_stop_signals_fd(bool die_with_parent)
{
	sigset_t set;

	stop_signals(&set);
	sigaddset(&set, SIGCHLD); /* our only child is `-- COMMAND`: its end ends the capture */
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (die_with_parent) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() == 1)
			raise(SIGTERM); /* the parent died before prctl() */
	}
	return signalfd(-1, &set, SFD_CLOEXEC);
}

/*
 * dumpcap may already wait on Wireshark's fifo when a capture fails before
 * opening it; a fifo that never had a writer never reports its end, so
 * dumpcap (and tshark behind it) would wait forever. Opening it for writing
 * and closing it at once gives the reader its end of file. Non-blocking: with
 * no reader there is nothing to release. The path is the user's: opened with
 * the user's rights, as everything the user names.
 */
void session_release_reader(const char *path)
{
	struct stat st;
	int fd;

	if (!path || strcmp(path, "-") == 0 || stat(path, &st) < 0 || !S_ISFIFO(st.st_mode))
		return;
	fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
}
