/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * When to stop: SIGINT/SIGTERM/SIGHUP, SIGCHLD (the end of `-- COMMAND`,
 * ebpfcap's only child process) and, when Wireshark gave one
 * (--extcap-control-in), a quit message on the extcap control pipe: what
 * Wireshark 4.7+ sends instead of SIGTERM to an extcap that declares
 * {control=2}. SIGPIPE is ignored (a closed fifo is an EPIPE, handled as
 * the end). Under Wireshark, the parent's death sends SIGTERM too; a
 * person's `ebpfcap -w f &` outlives its shell. Open it before any thread
 * starts, so that none of them takes the signals; NULL after one line on
 * stderr.
 */
#ifndef EBPFCAP_STOP_H
#define EBPFCAP_STOP_H

#include <signal.h>
#include <stdbool.h>

struct stop_request;

struct stop_request *stop_request_open(bool die_with_parent, const char *control_in);
/* One descriptor to poll for POLLIN, whatever asks. */
int stop_request_fd(const struct stop_request *r);
/*
 * Once that descriptor is readable: true if a signal came or Wireshark
 * asked to stop. Control messages that ask nothing else of us (toolbar
 * messages: we declare no toolbar; unknown ones, as Wireshark itself
 * ignores them) are read and dropped.
 */
bool stop_request_asked(struct stop_request *r);
void stop_request_close(struct stop_request *r);

/* SIGINT, SIGTERM, SIGHUP: what a person or Wireshark sends to stop us. */
void stop_signals(sigset_t *set);

#endif
