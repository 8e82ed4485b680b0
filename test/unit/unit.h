/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A tiny assertion kit for the unit tests: count failures, say where. */
#ifndef EBPFCAP_UNIT_H
#define EBPFCAP_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* A new empty file, named after TEMPLATE ("/tmp/NAME.XXXXXX", completed in place), open
 * for writing; the test ends (status 2, as for bad usage) when none can be made, for no
 * check could mean anything then. The caller unlinks it. */
static inline int unit_temp_fd(char *template)
{
	int fd = mkstemp(template);

	if (fd < 0) {
		perror(template);
		exit(2);
	}
	return fd;
}

/* The same, closed: for tests that open it by name. */
static inline void unit_temp_file(char *template)
{
	close(unit_temp_fd(template));
}

static inline int unit_report(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, unit_checks, unit_failures);
	return unit_failures ? 1 : 0;
}

#endif
