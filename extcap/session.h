/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every capture (local or remote) does alike: open its output, learn when to stop. */
#ifndef EBPFCAP_SESSION_H
#define EBPFCAP_SESSION_H

#include <stdbool.h>

/* The fifo or file Wireshark gave, or "-" for standard output; -1 after one line on stderr. */
int session_open_output(const char *path);

/*
 * SIGINT/SIGTERM/SIGHUP arrive on the returned descriptor, and SIGCHLD (the
 * end of `-- COMMAND`, ebpfcap's only child process); SIGPIPE is
 * ignored (a closed fifo is an EPIPE, handled as the end). Under
 * Wireshark, the parent's death sends SIGTERM too; a person's
 * `ebpfcap -w f &` outlives its shell. Call it before starting threads,
 * so that none of them takes the signals.
 */
int session_stop_signals_fd(bool die_with_parent);

/* A capture for Wireshark that failed: lets a reader already waiting on the fifo see its end. */
void session_release_reader(const char *path);

#endif
