/* SPDX-License-Identifier: GPL-2.0-or-later */
/* GLib hash tables keyed by fixed-size structs: FNV-1a over every byte of the key. */
#ifndef EBPFCAP_KEYHASH_H
#define EBPFCAP_KEYHASH_H

#include <glib.h>
#include <stddef.h>
#include <string.h>

static inline guint keyhash_bytes(const void *key, size_t len)
{
	const unsigned char *p = key;
	guint h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

/* Defines NAME_hash and NAME_equal for keys of TYPE (compared whole: padding must be zeroed). */
#define KEYHASH_DEFINE(name, type) \
	static guint name##_hash(gconstpointer k) { return keyhash_bytes(k, sizeof(type)); } \
	static gboolean name##_equal(gconstpointer a, gconstpointer b) { return memcmp(a, b, sizeof(type)) == 0; }

#endif
