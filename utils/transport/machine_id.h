/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * This host's machine id, stamped on exported records next to the host
 * name: two hosts may share a name, never a machine id.
 */
#ifndef EBPFCAP_MACHINE_ID_H
#define EBPFCAP_MACHINE_ID_H

#include <stddef.h>

/* /etc/machine-id (the first 32 hex characters), "" if there is none. */
void machine_id_read(char *buf, size_t size);

#endif
