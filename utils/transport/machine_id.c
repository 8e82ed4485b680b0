/* SPDX-License-Identifier: GPL-2.0-or-later */
/* This host's machine id (machine_id.h). */
#include "utils/transport/machine_id.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void machine_id_read(char *buf, size_t size)
{
	char line[64] = "";
	FILE *f = fopen("/etc/machine-id", "re");
	size_t n = 0;

	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
	}
	while (n + 1 < size && n < 32 && isxdigit((unsigned char)line[n]))
		n++;
	memcpy(buf, line, n);
	buf[n] = '\0';
}
