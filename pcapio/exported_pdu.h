/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Records travel in pcapng as LINKTYPE_WIRESHARK_UPPER_PDU packets whose
 * exported-PDU tags name our dissector (docs/FORMAT.md).
 */
#ifndef EBPFCAP_EXPORTED_PDU_H
#define EBPFCAP_EXPORTED_PDU_H

#include <stddef.h>
#include <stdint.h>

#define EBPFFLOW_DISSECTOR_NAME "ebpfflow"

/* Bytes of the tag header that exported_pdu_wrap() puts before a record. */
size_t exported_pdu_header_len(void);

/* Writes the tag header into buf (at least exported_pdu_header_len() bytes). */
void exported_pdu_write_header(uint8_t *buf);

/*
 * Finds the payload after the tags of an exported-PDU packet that names our
 * dissector. Returns its offset, or -1 if the packet is not one of ours.
 */
long exported_pdu_payload_offset(const uint8_t *pkt, size_t len);

#endif
