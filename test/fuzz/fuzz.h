/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the libFuzzer targets test/fuzz/fuzz_*.c (built with clang
 * -fsanitize=fuzzer,address,undefined; run by test/fuzz/t_fuzz.sh and make fuzz).
 * A property that does not hold aborts, which libFuzzer reports as a crash
 * and keeps the input.
 */
#ifndef EBPFCAP_FUZZ_H
#define EBPFCAP_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_ASSERT(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: property does not hold: %s\n", __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

/* The input as a C string (stops at its first NUL); free() it. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A string field holds exactly what a C string would: its bytes up to the NUL, zeros after. */
static inline void fuzz_canon_string(char *s, size_t size)
{
	size_t n = strnlen(s, size - 1);

	memset(s + n, 0, size - n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
