/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One aligned line per event, for terminals (`ebpfcap -r FILE`). */
#ifndef EBPFCAP_PRINT_H
#define EBPFCAP_PRINT_H

#include <stddef.h>
#include "utils/record.h"

void print_record_line(const struct ebpf_record *rec, char *buf, size_t size);
/* Prints every event record of a pcapng file; returns the exit status. */
int print_file(const char *path);

#endif
