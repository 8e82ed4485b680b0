/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef EBPFCAP_CAPTURE_H
#define EBPFCAP_CAPTURE_H

#include "options.h"

/*
 * Runs a capture until the reader goes away, a signal arrives, the parent
 * dies or -c is reached. Returns the process exit status.
 */
int capture_run(const struct options *opts);

#endif
