/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The capabilities a capture needs, in one table: the start-up check, `make
 * install` (setcap) and the non-root test all take them from here.
 */
#ifndef EBPFCAP_PRIVILEGES_H
#define EBPFCAP_PRIVILEGES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/*
 * The steps that need capabilities; privileges.c's table says which
 * capabilities each raises, and why.
 */
enum privileged_use {
	USE_LOAD_BPF = 1 << 0,  /* load and attach the programs (bpf(), perf events, tracefs ids) */
	USE_READ_PROC = 1 << 1, /* other users' /proc/PID/exe, cwd, fd and ns/net */
	USE_PACKETS = 1 << 2,   /* create libpcap's packet socket */
};

/*
 * First thing in main(), before any thread starts (threads inherit the
 * creator's sets): capabilities that came with the file (real uid not 0)
 * stay permitted but leave the effective set, so every path the user names
 * is opened with the user's own rights. As root, nothing changes.
 */
void privileges_drop(void);

/*
 * Makes the capabilities of `use` effective in the calling thread only;
 * give the result to privileges_lower() right after the step. Open no path
 * the user named in between.
 */
uint64_t privileges_raise(enum privileged_use use);
void privileges_lower(uint64_t saved);

/* The set for setcap(8), e.g. "cap_bpf,cap_perfmon,...=ep". */
void privileges_print_setcap(FILE *out);

/* What a capture needs beyond loading its programs (privileges_check()). */
enum capture_need {
	NEED_PACKETS = 1 << 0, /* an interface's packets: libpcap's socket */
	NEED_UDP = 1 << 1,     /* UDP events: the peer hooks are cgroup socket programs */
};

/*
 * Before anything is loaded: 0 if this process may raise what a local capture
 * needs (needs: NEED_* beyond the programs themselves), else -1 after one line
 * on stderr naming every capability that is missing.
 */
int privileges_check(unsigned needs);

#endif
