/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Answers to Wireshark's extcap questions (doc/extcap.adoc in Wireshark). */
#ifndef EBPFCAP_EXTCAP_H
#define EBPFCAP_EXTCAP_H

#include <stdbool.h>

/* The extcap sentence: --extcap-version alone, as Wireshark's extcaps answer it (extcap-base.c). */
void extcap_print_version(void);
void extcap_print_interfaces(void);
/* Return -1 (after one line on stderr) for an interface we do not have. */
int extcap_print_dlts(const char *interface);
int extcap_print_config(const char *interface);
/*
 * Wireshark's capture filter check: prints nothing if filter suits the
 * interface, else one line saying why (Wireshark shows it). Returns 0.
 */
int extcap_check_capture_filter(const char *interface, const char *filter);
bool extcap_is_known_interface(const char *interface);

#endif
