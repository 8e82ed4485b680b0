/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A tiny assertion kit for the unit tests: count failures, say where. */
#ifndef EBPFCAP_UNIT_H
#define EBPFCAP_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_failures, unit_checks;

#define CHECK(cond) do { \
	unit_checks++; \
	if (!(cond)) { \
		unit_failures++; \
		printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_EQ(a, b) do { \
	long long va_ = (long long)(a), vb_ = (long long)(b); \
	unit_checks++; \
	if (va_ != vb_) { \
		unit_failures++; \
		printf("FAIL %s:%d: %s == %s (%lld != %lld)\n", __FILE__, __LINE__, #a, #b, va_, vb_); \
	} \
} while (0)

#define CHECK_STR(a, b) do { \
	unit_checks++; \
	if (strcmp((a), (b)) != 0) { \
		unit_failures++; \
		printf("FAIL %s:%d: %s == \"%s\" (got \"%s\")\n", __FILE__, __LINE__, #a, (b), (a)); \
	} \
} while (0)

static inline int unit_report(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, unit_checks, unit_failures);
	return unit_failures ? 1 : 0;
}

#endif
