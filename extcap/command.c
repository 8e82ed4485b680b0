/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE /* pipe2, sigabbrev_np */
#include "command.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TERM_GRACE_MS 5000 /* then SIGKILL: ebpfcap never hangs on a command */

struct command {
	pid_t pid;
	int go_fd;    /* one byte lets it run; closed unwritten, it exits unrun */
	int error_fd; /* execvp()'s errno, or end of file once the exec succeeded */
	bool released;
	bool failed;      /* could not be executed: said already */
	bool ended_by_us; /* the capture ended first and we sent SIGTERM */
	const char *name;
};

/* The child: wait for the capture to be attached, then become the command. */
static void run_child(char **argv, int go_fd, int error_fd, bool stdout_to_stderr)
{
	char go;
	int err;

	if (read(go_fd, &go, 1) != 1)
		_exit(127); /* the capture never started: the command must not run unwatched */
	if (stdout_to_stderr && dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		_exit(126);
	execvp(argv[0], argv);
	err = errno;
	if (write(error_fd, &err, sizeof(err)) != sizeof(err))
		_exit(126); /* cannot tell why: the parent sees an exit status instead */
	_exit(127);
}

static void close_pair(int fds[2])
{
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
}

struct command *command_spawn(char **argv, bool stdout_to_stderr)
{
	struct command *cmd = calloc(1, sizeof(*cmd));
	/* Its end must come as SIGCHLD and leave a status to reap (a parent's SIG_IGN would
	 * reap it for us); a stop such as Ctrl-Z is no end. */
	struct sigaction sa = { .sa_handler = SIG_DFL, .sa_flags = SA_NOCLDSTOP };
	int go[2] = { -1, -1 }, error[2] = { -1, -1 };

	if (!cmd || pipe2(go, O_CLOEXEC) < 0 || pipe2(error, O_CLOEXEC) < 0) {
		fprintf(stderr, "ebpfcap: cannot start '%s': %s\n", argv[0], strerror(errno));
		goto fail;
	}
	sigaction(SIGCHLD, &sa, NULL);
	cmd->pid = fork();
	if (cmd->pid == 0) {
		close(go[1]);
		close(error[0]);
		run_child(argv, go[0], error[1], stdout_to_stderr);
	}
	if (cmd->pid < 0) {
		fprintf(stderr, "ebpfcap: cannot start '%s': %s\n", argv[0], strerror(errno));
		goto fail;
	}
	close(go[0]);
	close(error[1]);
	cmd->go_fd = go[1];
	cmd->error_fd = error[0];
	cmd->name = argv[0];
	return cmd;
fail:
	close_pair(go);
	close_pair(error);
	free(cmd);
	return NULL;
}

pid_t command_pid(const struct command *cmd)
{
	return cmd->pid;
}

int command_release(struct command *cmd)
{
	int err = 0;
	ssize_t n;

	cmd->released = true;
	n = write(cmd->go_fd, "", 1); /* SIGPIPE is ignored by now: a dead child is EPIPE */
	close(cmd->go_fd);
	cmd->go_fd = -1;
	if (n != 1) {
		fprintf(stderr, "ebpfcap: '%s' ended before it could start\n", cmd->name);
		cmd->failed = true;
		return -1;
	}
	do
		n = read(cmd->error_fd, &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(err)) {
		fprintf(stderr, "ebpfcap: cannot run '%s': %s\n", cmd->name, strerror(err));
		cmd->failed = true;
		return -1;
	}
	return 0;
}

/* Ends a command the capture outlived: SIGTERM, then SIGKILL after a grace period. */
static void end_command(struct command *cmd, int *status)
{
	struct timespec tick = { 0, 10 * 1000000 };

	kill(cmd->pid, SIGTERM);
	cmd->ended_by_us = true;
	for (int ms = 0; ms < TERM_GRACE_MS; ms += 10) {
		if (waitpid(cmd->pid, status, WNOHANG) != 0)
			return;
		nanosleep(&tick, NULL);
	}
	kill(cmd->pid, SIGKILL);
	waitpid(cmd->pid, status, 0);
}

/* As a shell would say it: nothing for 0, nor for Ctrl-C or a closed pipe. */
static void say_status(const struct command *cmd, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		fprintf(stderr, "ebpfcap: %s exited with status %d\n", cmd->name, WEXITSTATUS(status));
	else if (WIFSIGNALED(status) && WTERMSIG(status) != SIGINT && WTERMSIG(status) != SIGPIPE)
		fprintf(stderr, "ebpfcap: %s was killed by SIG%s\n", cmd->name, sigabbrev_np(WTERMSIG(status)));
}

void command_finish(struct command *cmd)
{
	int status = 0;
	pid_t done;

	if (!cmd)
		return;
	if (cmd->go_fd >= 0)
		close(cmd->go_fd); /* never released: it reads end of file and exits unrun */
	close(cmd->error_fd);
	do
		done = waitpid(cmd->pid, &status, cmd->released ? WNOHANG : 0);
	while (done < 0 && errno == EINTR);
	if (done == 0)
		end_command(cmd, &status);
	if (cmd->released && !cmd->failed && !cmd->ended_by_us)
		say_status(cmd, status);
	free(cmd);
}
