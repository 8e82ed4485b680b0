/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef EBPFCAP_CLOCK_H
#define EBPFCAP_CLOCK_H

#include <stdint.h>
#include <time.h>

/* A clock's time in nanoseconds: CLOCK_MONOTONIC for intervals, the others where records need them. */
static inline uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
