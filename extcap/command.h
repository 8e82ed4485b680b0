/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `ebpfcap -- COMMAND`: the command is forked at once but held before
 * execvp() until the capture is attached, so its pid can be the capture's
 * filter (the kernel follows it into its children) and its first
 * instruction is already watched.
 */
#ifndef EBPFCAP_COMMAND_H
#define EBPFCAP_COMMAND_H

#include <stdbool.h>
#include <sys/types.h>

struct command;

/*
 * Forks argv[0], held. Call it before anything blocks signals: the command
 * inherits ebpfcap's signal mask. Its end arrives as SIGCHLD (not for a
 * stop). stdout_to_stderr: ebpfcap's standard output carries pcapng or
 * JSON, which the command's output must not break into. NULL after one
 * line on stderr.
 */
struct command *command_spawn(char **argv, bool stdout_to_stderr);
pid_t command_pid(const struct command *cmd);
/* Lets it run; -1 after one line on stderr if it could not be executed. */
int command_release(struct command *cmd);
/*
 * Waits for it (sending SIGTERM first if it still runs: the capture ended
 * before it), says on stderr how it ended unless it exited 0 or we ended
 * it, and frees cmd. A command never released never runs.
 */
void command_finish(struct command *cmd);

#endif
