/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "exported_pdu.h"

#include <string.h>

/* From wsutil/exported_pdu_tlvs.h; tags and lengths are big-endian. */
#define EXP_PDU_TAG_END_OF_OPT 0
#define EXP_PDU_TAG_DISSECTOR_NAME 12

#define NAME_LEN (sizeof(EBPFFLOW_DISSECTOR_NAME) - 1)

size_t exported_pdu_header_len(void)
{
	return 4 + NAME_LEN + 4;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

void exported_pdu_write_header(uint8_t *buf)
{
	put_be16(buf, EXP_PDU_TAG_DISSECTOR_NAME);
	put_be16(buf + 2, NAME_LEN);
	memcpy(buf + 4, EBPFFLOW_DISSECTOR_NAME, NAME_LEN);
	put_be16(buf + 4 + NAME_LEN, EXP_PDU_TAG_END_OF_OPT);
	put_be16(buf + 6 + NAME_LEN, 0);
}

long exported_pdu_payload_offset(const uint8_t *pkt, size_t len)
{
	size_t off = 0;
	int ours = 0;

	while (len - off >= 4) {
		uint16_t tag = (uint16_t)(pkt[off] << 8 | pkt[off + 1]);
		uint16_t tlen = (uint16_t)(pkt[off + 2] << 8 | pkt[off + 3]);

		off += 4;
		if (tlen > len - off)
			return -1;
		if (tag == EXP_PDU_TAG_END_OF_OPT)
			return ours ? (long)off : -1;
		/* A string value may carry trailing NULs (exported_pdu_tlvs.h). */
		if (tag == EXP_PDU_TAG_DISSECTOR_NAME && tlen >= NAME_LEN &&
		    memcmp(pkt + off, EBPFFLOW_DISSECTOR_NAME, NAME_LEN) == 0 &&
		    (tlen == NAME_LEN || pkt[off + NAME_LEN] == '\0'))
			ours = 1;
		off += tlen;
	}
	return -1;
}
