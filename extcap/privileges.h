/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The capabilities a capture needs, in one table: the start-up check, `make
 * install` (setcap) and the non-root test all take them from here.
 */
#ifndef EBPFCAP_PRIVILEGES_H
#define EBPFCAP_PRIVILEGES_H

#include <stdbool.h>
#include <stdio.h>

/* The set for setcap(8), e.g. "cap_bpf,cap_perfmon,...=ep". */
void privileges_print_setcap(FILE *out);

/*
 * Before anything is loaded: 0 if this process holds what a local capture
 * needs (with_packets: also what libpcap needs), else -1 after one line on
 * stderr naming every capability that is missing.
 */
int privileges_check(bool with_packets);

#endif
