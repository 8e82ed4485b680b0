/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Just enough JSON to read the Docker Engine API's answers: the string at a
 * path of object keys. Bounded in length and depth; never reads past len.
 */
#ifndef EBPFCAP_JSON_H
#define EBPFCAP_JSON_H

#include <stdbool.h>
#include <stddef.h>

/* Copies the string at keys[0].keys[1]... into out; false if absent, not a string or malformed. */
bool json_get_string(const char *json, size_t len, const char *const *keys, size_t n_keys,
		     char *out, size_t out_size);

#endif
