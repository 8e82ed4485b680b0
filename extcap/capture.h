/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef EBPFCAP_CAPTURE_H
#define EBPFCAP_CAPTURE_H

#include "command.h"
#include "options.h"

/*
 * Runs a capture until the reader goes away, a signal arrives, the parent
 * dies, -c is reached or cmd (NULL: none) has ended; cmd is released once
 * the programs are attached. Returns the process exit status.
 */
int capture_run(const struct options *opts, struct command *cmd);

#endif
